# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, fields, models


class SupportWorkVisit(models.Model):
    _name = "support.work.visit"
    _description = "Technician visit (meter)"
    _order = "ticket_id, id"

    ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        required=True,
        index=True,
        ondelete="cascade",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Technician",
        required=True,
        default=lambda self: self.env.user,
        ondelete="restrict",
    )
    departed_at = fields.Datetime(string="Left for the customer", readonly=True)
    arrived_at = fields.Datetime(string="Arrived", readonly=True)
    left_at = fields.Datetime(string="Left the site", readonly=True)
    travel_line_id = fields.Many2one(
        comodel_name="account.analytic.line",
        string="Travel time",
        readonly=True,
        ondelete="set null",
    )
    onsite_line_id = fields.Many2one(
        comodel_name="account.analytic.line",
        string="On-site time",
        readonly=True,
        ondelete="set null",
    )

    def _format_span(self, start, end, tz):
        """'Dec 5: 08:00-08:45' in timezone ``tz``."""
        self.ensure_one()
        local = self.with_context(tz=tz)
        start_local = fields.Datetime.context_timestamp(local, start)
        end_local = fields.Datetime.context_timestamp(local, end) if end else None
        return _(
            "%(date)s: %(start)s-%(end)s",
            date=start_local.strftime("%Y-%m-%d"),
            start=start_local.strftime("%H:%M"),
            end=end_local.strftime("%H:%M") if end_local else "...",
        )
