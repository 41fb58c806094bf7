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
    ticket_count = fields.Integer(string="Tickets", readonly=True)
    response_met_count = fields.Integer(string="Responses Met", readonly=True)
    response_breached_count = fields.Integer(string="Responses Breached", readonly=True)
    resolution_met_count = fields.Integer(string="Resolutions Met", readonly=True)
    resolution_breached_count = fields.Integer(
        string="Resolutions Breached", readonly=True
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
                        1 AS ticket_count,
                        (t.sla_response_state = 'met')::int AS response_met_count,
                        (t.sla_response_state = 'breached')::int
                            AS response_breached_count,
                        (t.sla_resolution_state = 'met')::int
                            AS resolution_met_count,
                        (t.sla_resolution_state = 'breached')::int
                            AS resolution_breached_count
                    FROM helpdesk_ticket t
                    WHERE t.sla_tier_id IS NOT NULL AND t.active
                )
                """,
                view=SQL.identifier(self._table),
            )
        )
