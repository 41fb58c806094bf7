# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CustomerLetterSend(models.TransientModel):
    """The confirmation before sending: how many customers the letter goes
    to, in which languages, and the points it grants, counted now."""

    _name = "customer.letter.send"
    _description = "Confirm sending a customer letter"

    letter_id = fields.Many2one(
        comodel_name="customer.letter", required=True, ondelete="cascade"
    )
    customer_count = fields.Integer(string="Customers", readonly=True)
    no_email_count = fields.Integer(string="Without email", readonly=True)
    lang_summary = fields.Char(string="Languages", readonly=True)
    points_total = fields.Integer(string="Points granted", readonly=True)
    summary = fields.Char(compute="_compute_summary")

    @api.depends("customer_count")
    def _compute_summary(self):
        for wizard in self:
            wizard.summary = _(
                "Send %(letter)s to %(count)s customers?",
                letter=wizard.letter_id.display_name,
                count=wizard.customer_count,
            )

    @api.model
    def _prepare_vals(self, letter):
        """Counts of what sending the letter does, as the Send button will
        do it (each customer once, in their own language)."""
        Recipient = self.env["customer.letter.recipient"]
        partners, segments_by_partner = letter._match_customers()
        if not partners:
            raise UserError(
                _(
                    "Letter %(letter)s matches no customer: nothing to send.",
                    letter=letter.display_name,
                )
            )
        contacts = Recipient._pick_contacts(partners)
        langs = Recipient._recipient_langs(letter, partners, contacts)
        names = dict(self.env["res.lang"].get_installed())
        per_lang = {}
        for code in langs.values():
            per_lang[code] = per_lang.get(code, 0) + 1
        points = sum(
            Recipient._grant_for(segments)[0]
            for segments in segments_by_partner.values()
        )
        return {
            "letter_id": letter.id,
            "customer_count": len(partners),
            "no_email_count": len(partners) - len(contacts),
            "lang_summary": ", ".join(
                f"{names.get(code, code)} ({count})"
                for code, count in sorted(per_lang.items())
            ),
            "points_total": points,
        }

    def action_send(self):
        self.ensure_one()
        self.letter_id.action_send()
        return {"type": "ir.actions.act_window_close"}
