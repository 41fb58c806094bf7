# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    support_points_low_count = fields.Integer(
        string="Low-balance customers",
        compute="_compute_support_points_low_count",
        help="Customers with open tickets in this team whose support points "
        "balance is at or below the company's low-balance threshold.",
    )

    @api.depends("ticket_ids", "ticket_ids.stage_id")
    def _compute_support_points_low_count(self):
        low = self._support_points_low_customers()
        for team in self:
            team.support_points_low_count = len(low.get(team.id, ()))

    def _support_points_low_customers(self):
        """``{team id: customers}``: the commercial partners with open
        tickets in each team whose balance reads "low" on their tickets."""
        tickets = self.env["helpdesk.ticket"].search(
            [
                ("team_id", "in", self.ids),
                ("closed", "=", False),
                ("commercial_partner_id", "!=", False),
            ]
        )
        low = {}
        for ticket in tickets:
            if ticket.support_points_display == "low":
                customers = low.setdefault(ticket.team_id.id, self.env["res.partner"])
                low[ticket.team_id.id] = customers | ticket.commercial_partner_id
        return low

    def action_view_support_points_low_customers(self):
        """The team's low-balance customers, to offer them a points pack."""
        self.ensure_one()
        customers = self._support_points_low_customers().get(self.id)
        return {
            "type": "ir.actions.act_window",
            "name": _("Low-balance customers of %(team)s", team=self.name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", customers.ids if customers else [])],
            "context": {"create": False},
        }
