# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import hmac

from odoo import api, fields, models


class CustomerLetterAck(models.Model):
    _name = "customer.letter.ack"
    _description = "Customer letter acknowledgement"
    _order = "date desc, id desc"
    _rec_name = "letter_id"

    letter_id = fields.Many2one(
        comodel_name="customer.letter",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    recipient_id = fields.Many2one(
        comodel_name="customer.letter.recipient",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="letter_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    contact_id = fields.Many2one(
        comodel_name="res.partner",
        readonly=True,
        ondelete="set null",
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)

    _sql_constraints = [
        (
            "recipient_unique",
            "UNIQUE(recipient_id)",
            "A letter is acknowledged once per customer.",
        ),
    ]

    @api.model
    def _find_recipient(self, letter_id, customer_id, token):
        """The recipient a link belongs to, or an empty recordset when the
        link is invalid (unknown letter or customer, wrong token, letter not
        sent or not asking for an acknowledgement)."""
        if not token or not isinstance(token, str):
            return self.env["customer.letter.recipient"]
        # sudo: public route; the token decides access (compared in constant
        # time below) and nothing of the recipient is returned to the caller
        recipient = (
            self.env["customer.letter.recipient"]
            .sudo()
            .search(
                [("letter_id", "=", letter_id), ("customer_id", "=", customer_id)],
                limit=1,
            )
        )
        if (
            not recipient
            or not recipient.ack_token
            or not recipient.letter_id.ack_required
            or recipient.letter_id.state not in ("sending", "sent")
            or not hmac.compare_digest(recipient.ack_token, token)
        ):
            return self.env["customer.letter.recipient"]
        return recipient

    @api.model
    def _acknowledge(self, recipient):
        """Record the acknowledgement once; return (ack, created)."""
        # sudo: called by the public route after _find_recipient validated the
        # token; it writes only this recipient's acknowledgement
        recipient = recipient.sudo()
        self.env.cr.execute(
            "SELECT id FROM customer_letter_recipient WHERE id = %s FOR UPDATE",
            (recipient.id,),
        )
        recipient.invalidate_recordset(["ack_ids"])
        if recipient.ack_ids:
            return recipient.ack_ids[:1], False
        ack = self.sudo().create(
            {
                "letter_id": recipient.letter_id.id,
                "recipient_id": recipient.id,
                "partner_id": recipient.customer_id.id,
                "contact_id": recipient.contact_id.id,
            }
        )
        return ack, True
