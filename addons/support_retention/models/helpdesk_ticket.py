# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .support_retention_score import BANDS


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    support_retention_band = fields.Selection(
        selection=BANDS,
        string="Customer health",
        compute="_compute_support_retention",
    )
    support_retention_summary = fields.Char(
        string="Customer health summary",
        compute="_compute_support_retention",
        help="The customer's latest health score: band and first reason.",
    )
    support_retention_score = fields.Integer(
        string="Customer health score",
        compute="_compute_support_retention",
    )

    @api.depends("commercial_partner_id", "company_id")
    def _compute_support_retention(self):
        rows = self.env["support.retention.score"].search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "in", self.company_id.ids),
                ("is_latest", "=", True),
            ]
        )
        by_key = {(row.partner_id.id, row.company_id.id): row for row in rows}
        for ticket in self:
            row = by_key.get((ticket.commercial_partner_id.id, ticket.company_id.id))
            ticket.support_retention_band = row.band if row else False
            ticket.support_retention_summary = row.summary if row else False
            ticket.support_retention_score = row.score if row else 0

    def action_view_support_retention(self):
        """The customer's health history (graph, pivot and list of scores)."""
        self.ensure_one()
        return self.commercial_partner_id.action_view_support_retention_history()
