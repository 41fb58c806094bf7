# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, fields, models

# Open tickets whose SLA needs attention, as the ticket search filters
# "SLA Breached" and "SLA At Risk" find them.
SLA_BREACHED_DOMAIN = [
    ("stage_id.closed", "=", False),
    "|",
    ("sla_response_state", "=", "breached"),
    ("sla_resolution_state", "=", "breached"),
]
SLA_AT_RISK_DOMAIN = [("stage_id.closed", "=", False), ("sla_at_risk", "=", True)]


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    sla_breached_ticket_count = fields.Integer(
        string="SLA Breached Tickets",
        compute="_compute_sla_ticket_counts",
        help="Open tickets of the team with a breached response or "
        "resolution deadline.",
    )
    sla_at_risk_ticket_count = fields.Integer(
        string="SLA At Risk Tickets",
        compute="_compute_sla_ticket_counts",
        help="Open tickets of the team with less than 20% of a running SLA "
        "clock's time left.",
    )

    def _compute_sla_ticket_counts(self):
        """Counted like helpdesk_mgmt's own dashboard counters: one grouped
        query per counter, on the tickets the user may read."""
        ticket_model = self.env["helpdesk.ticket"]
        counts = {}
        for name, domain in (
            ("sla_breached_ticket_count", SLA_BREACHED_DOMAIN),
            ("sla_at_risk_ticket_count", SLA_AT_RISK_DOMAIN),
        ):
            counts[name] = dict(
                ticket_model._read_group(
                    [("team_id", "in", self.ids), *domain],
                    groupby=["team_id"],
                    aggregates=["__count"],
                )
            )
        for team in self:
            for name, by_team in counts.items():
                team[name] = by_team.get(team, 0)

    def _retrieve_dashboard(self):
        """The dashboard's top bar: SLA breached and at-risk open tickets of
        every team, next to helpdesk_mgmt's open ticket counts."""
        sections = super()._retrieve_dashboard()
        ticket_model = self.env["helpdesk.ticket"]
        breached = ticket_model.search_count(SLA_BREACHED_DOMAIN)
        at_risk = ticket_model.search_count(SLA_AT_RISK_DOMAIN)
        sections += [
            {
                "name": _("SLA Breached"),
                "value": breached,
                "sequence": 3,
                "icon": "fa-exclamation-triangle",
                "show": True,
                "action": "support_certification.helpdesk_ticket_action_sla_breached",
            },
            {
                "name": _("SLA At Risk"),
                "value": at_risk,
                "sequence": 4,
                "icon": "fa-hourglass-half",
                "show": True,
                "action": "support_certification.helpdesk_ticket_action_sla_at_risk",
            },
        ]
        return sections
