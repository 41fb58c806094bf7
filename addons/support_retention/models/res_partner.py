# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .support_retention_score import BANDS

SCORE_GROUP = "helpdesk_mgmt.group_helpdesk_user_own"


class ResPartner(models.Model):
    _inherit = "res.partner"

    support_retention_score_id = fields.Many2one(
        comodel_name="support.retention.score",
        string="Health score row",
        compute="_compute_support_retention_score_id",
        groups=SCORE_GROUP,
        help="The customer's latest health score in the current company.",
    )
    support_retention_score = fields.Integer(
        string="Health score",
        compute="_compute_support_retention_score_id",
        groups=SCORE_GROUP,
    )
    support_retention_band = fields.Selection(
        selection=BANDS,
        string="Health",
        compute="_compute_support_retention_score_id",
        search="_search_support_retention_band",
        groups=SCORE_GROUP,
    )
    support_retention_trend = fields.Integer(
        string="Health trend",
        compute="_compute_support_retention_score_id",
        groups=SCORE_GROUP,
    )
    support_retention_summary = fields.Char(
        string="Health summary",
        compute="_compute_support_retention_score_id",
        groups=SCORE_GROUP,
    )
    support_retention_reasons = fields.Text(
        string="Health reasons",
        compute="_compute_support_retention_score_id",
        groups=SCORE_GROUP,
    )
    support_retention_date = fields.Date(
        string="Health computed on",
        compute="_compute_support_retention_score_id",
        groups=SCORE_GROUP,
    )

    @api.depends("commercial_partner_id")
    @api.depends_context("company")
    def _compute_support_retention_score_id(self):
        rows = self.env["support.retention.score"].search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
                ("is_latest", "=", True),
            ]
        )
        by_partner = {row.partner_id.id: row for row in rows}
        for partner in self:
            row = by_partner.get(partner.commercial_partner_id.id)
            partner.support_retention_score_id = row
            partner.support_retention_score = row.score if row else 0
            partner.support_retention_band = row.band if row else False
            partner.support_retention_trend = row.trend if row else 0
            partner.support_retention_summary = row.summary if row else False
            partner.support_retention_reasons = row.reasons if row else False
            partner.support_retention_date = row.date if row else False

    def _search_support_retention_band(self, operator, value):
        """Customers whose latest score in the current company is (not) in
        the band(s)."""
        bands = [value] if operator in ("=", "!=") else value
        if operator not in ("=", "!=", "in", "not in") or not all(bands):
            raise UserError(
                _("Search the health band with =, !=, in or not in and a band.")
            )
        rows = self.env["support.retention.score"]._search(
            [
                ("company_id", "=", self.env.company.id),
                ("is_latest", "=", True),
                ("band", "in", list(bands)),
            ]
        )
        in_or_not = "in" if operator in ("=", "in") else "not in"
        return [("id", in_or_not, rows.subselect("partner_id"))]

    def action_view_support_retention_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "support_retention.support_retention_score_action_history"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["name"] = _(
            "Health of %(customer)s", customer=self.commercial_partner_id.name
        )
        # one customer: its scores one week after the other first
        action["views"] = [
            (False, "list"),
            (False, "graph"),
            (False, "pivot"),
            (False, "form"),
        ]
        return action
