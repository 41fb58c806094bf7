# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import math
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .support_work_authorization import format_hours

REAUTH_STAGE = "support_work_authorization.helpdesk_ticket_stage_reauthorization"


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    work_auth_ids = fields.One2many(
        comodel_name="support.work.authorization",
        inverse_name="ticket_id",
        string="Work authorizations",
    )
    work_auth_id = fields.Many2one(
        comodel_name="support.work.authorization",
        string="Work authorization",
        compute="_compute_work_auth_id",
        store=True,
        index="btree_not_null",
        help="The ticket's latest authorization that is not cancelled.",
    )
    work_auth_state = fields.Selection(related="work_auth_id.state")
    work_auth_breakdown_html = fields.Html(related="work_auth_id.breakdown_html")
    work_auth_visit_ids = fields.One2many(
        comodel_name="support.work.visit",
        inverse_name="ticket_id",
        string="Visits",
    )
    work_meter_state = fields.Selection(
        selection=[
            ("idle", "No visit under way"),
            ("travel", "On the way"),
            ("onsite", "On site"),
        ],
        compute="_compute_work_meter_state",
    )
    work_meter_status = fields.Char(compute="_compute_work_meter_state")
    work_auth_unauthorized_hours = fields.Float(
        string="Hours logged before acceptance",
        compute="_compute_work_auth_unauthorized_hours",
        store=True,
    )
    work_auth_stage_before_id = fields.Many2one(
        comodel_name="helpdesk.ticket.stage",
        string="Stage before re-authorization",
        readonly=True,
        copy=False,
        ondelete="set null",
    )

    @api.depends("work_auth_ids.state")
    def _compute_work_auth_id(self):
        for ticket in self:
            live = ticket.work_auth_ids.filtered(lambda a: a.state != "cancel")
            ticket.work_auth_id = live.sorted("id")[-1:] if live else False

    @api.depends_context("uid")
    @api.depends(
        "work_auth_visit_ids.departed_at",
        "work_auth_visit_ids.arrived_at",
        "work_auth_visit_ids.left_at",
    )
    def _compute_work_meter_state(self):
        local = self.with_context(tz=self.env.user.tz or "UTC")
        for ticket in self:
            visit = ticket._work_meter_open_visit()
            ticket.work_meter_status = False
            if not visit:
                ticket.work_meter_state = "idle"
            elif visit.arrived_at:
                ticket.work_meter_state = "onsite"
                ticket.work_meter_status = _(
                    "On site since %(time)s",
                    time=fields.Datetime.context_timestamp(
                        local, visit.arrived_at
                    ).strftime("%H:%M"),
                )
            else:
                ticket.work_meter_state = "travel"
                ticket.work_meter_status = _(
                    "On the way since %(time)s",
                    time=fields.Datetime.context_timestamp(
                        local, visit.departed_at
                    ).strftime("%H:%M"),
                )

    @api.depends("timesheet_ids.unit_amount", "timesheet_ids.work_auth_unauthorized")
    def _compute_work_auth_unauthorized_hours(self):
        for ticket in self:
            flagged = ticket.timesheet_ids.filtered("work_auth_unauthorized")
            ticket.work_auth_unauthorized_hours = sum(flagged.mapped("unit_amount"))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_work_auth_prepare(self):
        """Open the ticket's live work authorization, or a new one."""
        self.ensure_one()
        action = {
            "type": "ir.actions.act_window",
            "res_model": "support.work.authorization",
            "view_mode": "form",
            "context": {"default_ticket_id": self.id},
        }
        if self.work_auth_id:
            action["res_id"] = self.work_auth_id.id
        return action

    def action_work_meter_depart(self):
        """The technician leaves for the customer: the travel starts."""
        self.ensure_one()
        if self._work_meter_open_visit():
            raise UserError(
                _(
                    "A visit to %(ticket)s is under way: record the arrival or "
                    "the departure from the site first.",
                    ticket=self.display_name,
                )
            )
        now = fields.Datetime.now()
        self.env["support.work.visit"].create(
            {"ticket_id": self.id, "departed_at": now}
        )
        self._work_meter_notify("depart", now)
        return True

    def action_work_meter_arrive(self):
        """The technician arrives: the travel time is logged."""
        self.ensure_one()
        visit = self._work_meter_open_visit()
        if visit.arrived_at:
            raise UserError(
                _(
                    "The technician is on site for %(ticket)s already.",
                    ticket=self.display_name,
                )
            )
        now = fields.Datetime.now()
        if not visit:
            visit = self.env["support.work.visit"].create({"ticket_id": self.id})
        vals = {"arrived_at": now}
        if visit.departed_at:
            vals["travel_line_id"] = self._work_meter_log(
                "travel", visit.departed_at, now
            ).id
        visit.write(vals)
        self._work_meter_notify("arrive", now)
        return True

    def action_work_meter_leave(self):
        """The technician leaves the site: the on-site time is logged, at
        least the company's minimum per visit."""
        self.ensure_one()
        visit = self._work_meter_open_visit()
        if not visit.arrived_at:
            raise UserError(
                _(
                    "Record the technician's arrival at %(ticket)s before "
                    "the departure from the site.",
                    ticket=self.display_name,
                )
            )
        now = fields.Datetime.now()
        line = self._work_meter_log("onsite", visit.arrived_at, now, minimum=True)
        visit.write({"left_at": now, "onsite_line_id": line.id})
        self._work_meter_notify("leave", now, hours=line.unit_amount)
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _work_auth_is_authorized(self):
        """Whether time logged now is covered by an accepted authorization."""
        self.ensure_one()
        return any(a.state in ("accepted", "done") for a in self.work_auth_ids)

    def _work_meter_open_visit(self):
        self.ensure_one()
        open_visits = self.work_auth_visit_ids.filtered(lambda v: not v.left_at)
        return open_visits.sorted("id")[-1:]

    @api.model
    def _work_meter_hours(self, start, end, company, minimum=False):
        """Hours to log for ``start``-``end``, rounded up to the company's
        rounding, and at least its minimum per visit when ``minimum``."""
        minutes = math.ceil((end - start) / timedelta(minutes=1))
        rounding = company.work_auth_rounding_minutes
        if rounding:
            minutes = math.ceil(minutes / rounding) * rounding
        if minimum:
            minutes = max(minutes, company.work_auth_minimum_minutes)
        return minutes / 60.0

    def _work_meter_time_type(self, kind):
        time_type = self.env["project.time.type"].search(
            [("work_auth_kind", "=", kind)], limit=1
        )
        if not time_type:
            raise UserError(
                _(
                    "No time type of kind %(kind)s: set one in Helpdesk > "
                    "Configuration > Time types.",
                    kind=kind,
                )
            )
        return time_type

    def _work_meter_log(self, kind, start, end, minimum=False):
        """One timesheet line of the technician for the ticket."""
        self.ensure_one()
        if not self.project_id:
            raise UserError(
                _(
                    "%(ticket)s has no project to log time on: choose a team "
                    "with timesheets or a project on the ticket.",
                    ticket=self.display_name,
                )
            )
        employee = self.env.user.employee_id
        if not employee:
            raise UserError(
                _(
                    "%(user)s is not an employee: link the user to an "
                    "employee to log time.",
                    user=self.env.user.name,
                )
            )
        time_type = self._work_meter_time_type(kind)
        hours = self._work_meter_hours(start, end, self.company_id, minimum=minimum)
        tz = self.env.user.tz or "UTC"
        local = self.with_context(tz=tz)
        return self.env["account.analytic.line"].create(
            {
                "name": _(
                    "%(type)s %(start)s-%(end)s",
                    type=time_type.name,
                    start=fields.Datetime.context_timestamp(local, start).strftime(
                        "%H:%M"
                    ),
                    end=fields.Datetime.context_timestamp(local, end).strftime("%H:%M"),
                ),
                "ticket_id": self.id,
                "project_id": self.project_id.id,
                "task_id": self.task_id.id,
                "employee_id": employee.id,
                "date": fields.Datetime.context_timestamp(local, start).date(),
                "unit_amount": hours,
                "time_type_id": time_type.id,
            }
        )

    def _work_auth_contact(self):
        self.ensure_one()
        if self.work_auth_id.contact_id:
            return self.work_auth_id.contact_id
        customer = self.partner_id.commercial_partner_id
        return customer.work_auth_contact_id or customer.work_auth_backup_id

    def _work_meter_notify(self, event, when, hours=0.0):
        """Post the meter event on the ticket, mailed to the authorized
        contact at once, with the time in the contact's timezone."""
        self.ensure_one()
        contact = self._work_auth_contact()
        ticket = self.with_context(lang=contact.lang or self.env.lang)
        body = ticket._work_meter_message(event, when, contact, hours)
        self.message_post(
            body=body,
            partner_ids=contact.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    def _work_meter_message(self, event, when, contact, hours):
        tz = contact.tz or self.env.user.tz or "UTC"
        local = fields.Datetime.context_timestamp(self.with_context(tz=tz), when)
        time = local.strftime("%H:%M")
        if event == "depart":
            return _(
                "Our technician left for your site at %(time)s (%(ticket)s).",
                time=time,
                ticket=self.display_name,
            )
        if event == "arrive":
            return _(
                "Our technician arrived at %(time)s (%(ticket)s).",
                time=time,
                ticket=self.display_name,
            )
        return _(
            "Our technician left the site at %(time)s (%(ticket)s): "
            "%(hours)s h on site.",
            time=time,
            ticket=self.display_name,
            hours=format_hours(hours),
        )

    def _work_auth_reauth_message(self, authorization):
        return _(
            "The work on %(ticket)s needs more time than the %(hours)s h you "
            "accepted. We will send you a revised work authorization; no "
            "more time is billed before you accept it.",
            ticket=self.display_name,
            hours=format_hours(authorization.accepted_hours),
        )

    def _work_auth_enter_reauthorization(self):
        stage = self.env.ref(REAUTH_STAGE, raise_if_not_found=False)
        for ticket in self:
            if stage and ticket.stage_id != stage:
                ticket.write(
                    {
                        "work_auth_stage_before_id": ticket.stage_id.id,
                        "stage_id": stage.id,
                    }
                )

    def _work_auth_leave_reauthorization(self):
        stage = self.env.ref(REAUTH_STAGE, raise_if_not_found=False)
        for ticket in self:
            if stage and ticket.stage_id == stage:
                before = ticket.work_auth_stage_before_id or self.env.ref(
                    "helpdesk_mgmt.helpdesk_ticket_stage_in_progress",
                    raise_if_not_found=False,
                )
                ticket.write(
                    {"stage_id": before.id, "work_auth_stage_before_id": False}
                )
