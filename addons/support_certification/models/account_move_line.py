# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AccountMoveLine(models.Model):
    """What a customer invoice line of an SLA tier or a certification
    training grants follows the invoice's life.

    A tier's product buys a period of the tier (``support.sla.tier.period``),
    a certification level's product a pending certification per trainee.
    Both exist exactly while the invoice is posted, in what it still bills:
    posting grants them, resetting to draft or cancelling takes them back, a
    posted credit note takes back what it credits (its quantity for a tier,
    its trainees for a training).
    """

    _inherit = "account.move.line"

    support_certification_partner_ids = fields.Many2many(
        comodel_name="res.partner",
        relation="account_move_line_support_trainee_rel",
        column1="line_id",
        column2="partner_id",
        string="Trainees",
        help="The people a certification training is for, one per unit: "
        "posting the invoice creates their pending certification; a credit "
        "note cancels those of the trainees it names.",
    )
    support_certification_level_id = fields.Many2one(
        comodel_name="support.certification.level",
        string="Training Level",
        compute="_compute_support_certification_level_id",
        help="The certification level this line's product trains for.",
    )

    @api.depends("product_id", "move_id.company_id")
    def _compute_support_certification_level_id(self):
        levels = self._support_sold_levels()
        for line in self:
            line.support_certification_level_id = levels.get(line.id)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _support_sold_records(self, model):
        """``{line id: record}``: the active tier or level of ``model`` whose
        product each line sells, in the line's company."""
        products = self.product_id
        if not products:
            return {}
        records = self.env[model].search(
            [
                ("product_id", "in", products.ids),
                ("company_id", "in", self.move_id.company_id.ids),
            ],
            order="id",
        )
        by_key = {}
        for record in records:
            by_key.setdefault((record.product_id.id, record.company_id.id), record)
        return {
            line.id: by_key[key]
            for line in self
            if (key := (line.product_id.id, line.move_id.company_id.id)) in by_key
        }

    def _support_sold_tiers(self):
        return self._support_sold_records("support.sla.tier")

    def _support_sold_levels(self):
        return self._support_sold_records("support.certification.level")

    def _support_check_before_post(self):
        """Refuse to post a tier line for part of a period or a training
        line whose trainees are not the customer's people, one per unit."""
        lines = self.filtered(
            lambda line: line.move_id.move_type == "out_invoice"
            and line.display_type == "product"
        )
        tiers = lines._support_sold_tiers()
        levels = lines._support_sold_levels()
        for line in lines:
            if line.id in tiers and (
                line.quantity < 1 or line.quantity != round(line.quantity)
            ):
                raise UserError(
                    _(
                        "%(invoice)s sells the SLA tier %(tier)s in whole "
                        "periods: set a quantity of 1 or more periods on the "
                        "line %(line)s (got %(quantity)s).",
                        invoice=line.move_id.display_name,
                        tier=tiers[line.id].name,
                        line=line.name,
                        quantity=line.quantity,
                    )
                )
            if line.id not in levels:
                continue
            trainees = line.support_certification_partner_ids
            customer = line.move_id.commercial_partner_id
            strangers = trainees.filtered(
                lambda p, c=customer: p.is_company or p.commercial_partner_id != c
            )
            if strangers or len(trainees) != line.quantity:
                raise UserError(
                    _(
                        "The training %(line)s on %(invoice)s needs one trainee "
                        "per unit, each a person of %(customer)s: name "
                        "%(quantity)s trainee(s) in its Trainees column "
                        "(named: %(named)s).",
                        line=line.name,
                        invoice=line.move_id.display_name,
                        customer=customer.display_name,
                        quantity=line.quantity,
                        named=", ".join(trainees.mapped("display_name")) or "-",
                    )
                )

    def _support_credited(self):
        """``{line id: (quantity, trainees)}`` that the posted credit notes
        of each line's invoice credit for it. A credit note credits a
        product; its quantity goes to the invoice's lines of that product,
        the last line first."""
        result = {}
        for invoice in self.move_id:
            refunds = invoice.reversal_move_ids.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_refund"
            )
            quantities = defaultdict(float)
            trainees = defaultdict(lambda: self.env["res.partner"])
            for refund_line in refunds.invoice_line_ids:
                if refund_line.display_type == "product":
                    quantities[refund_line.product_id] += refund_line.quantity
                    trainees[refund_line.product_id] |= (
                        refund_line.support_certification_partner_ids
                    )
            for line in invoice.invoice_line_ids.sorted(
                lambda line: (line.sequence, line.id), reverse=True
            ):
                credited = min(line.quantity, quantities[line.product_id])
                quantities[line.product_id] -= credited
                result[line.id] = (credited, trainees[line.product_id])
        return result

    def _support_certification_sync(self, reason="post"):
        """Bring what these invoice lines grant to what they bill now.

        Tier lines: their purchased period (and its bonuses) in the quantity
        the posted invoice still bills; none otherwise. Training lines: a
        pending certification per trainee the posted invoice still bills;
        the pending certifications of the others are cancelled (deleted;
        a certification already obtained stays). ``reason``: ``post``,
        ``draft``, ``cancel`` or ``credit``, for the notes.
        """
        lines = self.filtered(
            lambda line: line.move_id.move_type == "out_invoice"
            and line.display_type == "product"
            and line.product_id
        )
        if not lines:
            return
        # sudo: the periods, bonus points and certifications follow from the
        # invoice; the accountant posting, resetting or crediting it need
        # not manage SLA tiers, points or certifications (only who may post
        # the invoice gets here, and only for what the invoice bills)
        lines = lines.sudo()
        credited = lines._support_credited()
        lines._support_tier_sync(credited, reason)
        lines._support_training_sync(credited)

    def _support_tier_sync(self, credited, reason):
        period_model = self.env["support.sla.tier.period"]
        periods = period_model.search(
            [
                ("invoice_line_id", "in", self.ids),
                ("kind", "=", "purchase"),
                ("state", "=", "active"),
            ]
        )
        tiers = self._support_sold_tiers()
        for line in self:
            period = periods.filtered(lambda p, line=line: p.invoice_line_id == line)
            if not period and line.id not in tiers:
                continue
            due = 0
            if line.move_id.state == "posted":
                due = max(0, round(line.quantity - credited[line.id][0]))
            if period:
                period._set_quantity(due, reason)
            elif due:
                period_model._purchase(line, tiers[line.id], due, reason)

    def _support_training_sync(self, credited):
        certification_model = self.env["support.certification"]
        certifications = certification_model.search(
            [("invoice_line_id", "in", self.ids)]
        )
        levels = self._support_sold_levels()
        vals_list = []
        cancelled = certification_model
        for line in self:
            mine = certifications.filtered(
                lambda c, line=line: c.invoice_line_id == line
            )
            if not mine and line.id not in levels:
                continue
            due = self.env["res.partner"]
            if line.move_id.state == "posted" and line.id in levels:
                due = line.support_certification_partner_ids - credited[line.id][1]
            cancelled |= mine.filtered(
                lambda c, due=due: c.state == "pending" and c.partner_id not in due
            )
            vals_list += [
                {
                    "partner_id": trainee.id,
                    "level_id": levels[line.id].id,
                    "date_obtained": False,
                    "invoice_line_id": line.id,
                }
                for trainee in due - mine.partner_id
            ]
        for move, certs in cancelled.grouped(
            lambda c: c.invoice_line_id.move_id
        ).items():
            move._message_log(
                body=_(
                    "Pending certifications cancelled: %(certifications)s",
                    certifications=", ".join(certs.mapped("display_name")),
                )
            )
        cancelled.unlink()
        created = certification_model.with_context(mail_create_nosubscribe=True).create(
            vals_list
        )
        for move, certs in created.grouped(lambda c: c.invoice_line_id.move_id).items():
            move._message_log(
                body=_(
                    "Pending certifications created: %(certifications)s",
                    certifications=", ".join(certs.mapped("display_name")),
                )
            )
