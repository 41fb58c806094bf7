# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.helpdesk_ticket import SLA_STATES


class SupportSlaReport(models.Model):
    _name = "support.sla.report"
    _description = "SLA Compliance Report"
    _auto = False
    _order = "date desc"
    _rec_name = "ticket_id"

    ticket_id = fields.Many2one(comodel_name="helpdesk.ticket", readonly=True)
    sla_tier_id = fields.Many2one(
        comodel_name="support.sla.tier", string="SLA Tier", readonly=True
    )
    team_id = fields.Many2one(comodel_name="helpdesk.ticket.team", readonly=True)
    user_id = fields.Many2one(
        comodel_name="res.users", string="Assigned User", readonly=True
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Customer", readonly=True
    )
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    date = fields.Datetime(string="Opened On", readonly=True)
    response_state = fields.Selection(
        selection=SLA_STATES, string="Response SLA", readonly=True
    )
    resolution_state = fields.Selection(
        selection=SLA_STATES, string="Resolution SLA", readonly=True
    )
    response_met_count = fields.Integer(string="Responses Met", readonly=True)
    response_breached_count = fields.Integer(string="Responses Breached", readonly=True)
    resolution_met_count = fields.Integer(string="Resolutions Met", readonly=True)
    resolution_breached_count = fields.Integer(
        string="Resolutions Breached", readonly=True
    )
    # Compliance = met / (met + breached). Odoo aggregates a measure with one
    # SQL function per group and has no ratio of two sums, so each row holds
    # 100 when its clock was met, 0 when breached and NULL while it runs or
    # is paused: AVG skips NULLs, so the average over any group (tier, team,
    # month, the totals) is exactly 100 * met / (met + breached) of that
    # group, not an average of per-group percentages.
    response_compliance = fields.Float(
        string="Response Compliance (%)",
        aggregator="avg",
        readonly=True,
        help="Share of the decided response clocks (met or breached) that "
        "were met, in percent; running and paused clocks do not count.",
    )
    resolution_compliance = fields.Float(
        string="Resolution Compliance (%)",
        aggregator="avg",
        readonly=True,
        help="Share of the decided resolution clocks (met or breached) that "
        "were met, in percent; running and paused clocks do not count.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(view)s AS (
                    SELECT
                        t.id AS id,
                        t.id AS ticket_id,
                        t.sla_tier_id,
                        t.team_id,
                        t.user_id,
                        t.commercial_partner_id AS partner_id,
                        t.company_id,
                        t.sla_start_date AS date,
                        t.sla_response_state AS response_state,
                        t.sla_resolution_state AS resolution_state,
                        (t.sla_response_state = 'met')::int AS response_met_count,
                        (t.sla_response_state = 'breached')::int
                            AS response_breached_count,
                        (t.sla_resolution_state = 'met')::int
                            AS resolution_met_count,
                        (t.sla_resolution_state = 'breached')::int
                            AS resolution_breached_count,
                        CASE t.sla_response_state
                            WHEN 'met' THEN 100.0
                            WHEN 'breached' THEN 0.0
                        END AS response_compliance,
                        CASE t.sla_resolution_state
                            WHEN 'met' THEN 100.0
                            WHEN 'breached' THEN 0.0
                        END AS resolution_compliance
                    FROM helpdesk_ticket t
                    WHERE t.sla_tier_id IS NOT NULL AND t.active
                )
                """,
                view=SQL.identifier(self._table),
            )
        )
