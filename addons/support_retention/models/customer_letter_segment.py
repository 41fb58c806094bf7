# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.osv import expression

from .support_retention_score import BANDS


class CustomerLetterSegment(models.Model):
    _inherit = "customer.letter.segment"

    support_retention_band = fields.Selection(
        selection=BANDS,
        string="Health band",
        help="Customers whose latest health score in the letter's company is "
        "in this band. Empty: any band.",
    )

    @api.depends("support_retention_band")
    def _compute_recipient_count(self):
        return super()._compute_recipient_count()

    def write(self, vals):
        letters = self.letter_id
        res = super().write(vals)
        if "support_retention_band" in vals:
            # who receives the letter changed: like every segment criterion,
            # the letter needs approving again
            (letters | self.letter_id)._reset_to_draft_on_change()
        return res

    def _support_retention_domain(self, company):
        scores = self.env["support.retention.score"]._search(
            [
                ("company_id", "=", company.id),
                ("is_latest", "=", True),
                ("band", "=", self.support_retention_band),
            ]
        )
        return [("id", "in", scores.subselect("partner_id"))]

    def _get_partner_domain(self):
        domain = super()._get_partner_domain()
        if self.support_retention_band:
            company = self.letter_id.company_id or self.env.company
            domain = expression.AND([domain, self._support_retention_domain(company)])
        return domain

    def _matches(self, partner):
        if not super()._matches(partner):
            return False
        if not self.support_retention_band:
            return True
        company = self.letter_id.company_id or self.env.company
        return bool(
            self.env["support.retention.score"].search_count(
                [
                    ("partner_id", "=", partner.commercial_partner_id.id),
                    ("company_id", "=", company.id),
                    ("is_latest", "=", True),
                    ("band", "=", self.support_retention_band),
                ],
                limit=1,
            )
        )
