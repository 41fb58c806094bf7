# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import HttpCase, TransactionCase, new_test_user

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8"
    "AAAAASUVORK5CYII="
)
AGENT_GROUPS = (
    "helpdesk_mgmt.group_helpdesk_user,"
    "hr_timesheet.group_hr_timesheet_user,"
    "sales_team.group_sale_salesman"
)


class WorkAuthorizationMixin:
    """An agent (helpdesk, own timesheets, own sales), a points manager,
    a customer with an authorized contact, a backup and a colleague (portal
    users), and a ticket on a team that logs time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.write(
            {
                "work_auth_rounding_minutes": 15,
                "work_auth_minimum_minutes": 60,
                "work_auth_tolerance_percent": 10,
                "work_auth_points_per_hour": 2,
            }
        )
        ref = cls.env.ref
        cls.travel = ref("support_work_authorization.time_type_travel")
        cls.onsite = ref("support_work_authorization.time_type_onsite")
        cls.workshop = ref("support_work_authorization.time_type_workshop")
        cls.remote = ref("support_work_authorization.time_type_remote")
        cls.reauth_stage = ref(
            "support_work_authorization.helpdesk_ticket_stage_reauthorization"
        )
        cls.stage_progress = ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        cls.agent = new_test_user(
            cls.env,
            login="wa_agent",
            groups=AGENT_GROUPS,
            tz="Europe/Brussels",
            email="agent@support.test",
        )
        cls.env["hr.employee"].create(
            {"name": "Agent", "user_id": cls.agent.id, "company_id": cls.company.id}
        )
        cls.manager = new_test_user(
            cls.env,
            login="wa_manager",
            groups="support_points.group_support_points_manager,"
            "account.group_account_invoice,sales_team.group_sale_salesman_all_leads,"
            + AGENT_GROUPS,
        )
        cls.env["hr.employee"].create(
            {"name": "Manager", "user_id": cls.manager.id, "company_id": cls.company.id}
        )
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create(
            {"name": "Harbor Clinic", "is_company": True, "customer_rank": 1}
        )
        cls.contact = Partner.create(
            {
                "name": "Nadia Boss",
                "parent_id": cls.customer.id,
                "email": "nadia@harbor.test",
                "tz": "America/New_York",
            }
        )
        cls.backup = Partner.create(
            {"name": "Tom Backup", "parent_id": cls.customer.id, "email": "t@h.test"}
        )
        cls.colleague = Partner.create(
            {
                "name": "Carl Colleague",
                "parent_id": cls.customer.id,
                "email": "c@h.test",
            }
        )
        cls.customer.write(
            {
                "work_auth_contact_id": cls.contact.id,
                "work_auth_backup_id": cls.backup.id,
            }
        )
        cls.portal_contact = new_test_user(
            cls.env,
            login="wa_nadia",
            name="Nadia Boss",
            groups="base.group_portal",
            partner_id=cls.contact.id,
        )
        cls.portal_backup = new_test_user(
            cls.env,
            login="wa_tom",
            name="Tom Backup",
            groups="base.group_portal",
            partner_id=cls.backup.id,
        )
        cls.portal_colleague = new_test_user(
            cls.env,
            login="wa_carl",
            name="Carl Colleague",
            groups="base.group_portal",
            partner_id=cls.colleague.id,
        )
        cls.project = cls.env["project.project"].create(
            {"name": "Field service", "allow_timesheets": True}
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Field team",
                "allow_timesheet": True,
                "default_project_id": cls.project.id,
                "user_ids": [Command.link(cls.agent.id), Command.link(cls.manager.id)],
            }
        )
        cls.ticket = cls._new_ticket()

    @classmethod
    def _new_ticket(cls, name="Sensor not detected"):
        return cls.env["helpdesk.ticket"].create(
            {
                "name": name,
                "description": "Room 2",
                "partner_id": cls.contact.id,
                "team_id": cls.team.id,
                "project_id": cls.project.id,
                "user_id": cls.agent.id,
                "stage_id": cls.stage_progress.id,
            }
        )

    @classmethod
    def _authorization(cls, ticket=None, hours=None, parts=(), **vals):
        """A draft authorization prepared by the agent."""
        hours = hours if hours is not None else {cls.travel: 1.0, cls.onsite: 2.0}
        lines = [
            Command.create({"time_type_id": tt.id, "quantity": qty})
            for tt, qty in hours.items()
        ]
        lines += [
            Command.create({"product_id": product.id, "quantity": qty})
            for product, qty in parts
        ]
        return (
            cls.env["support.work.authorization"]
            .with_user(cls.agent)
            .create(
                dict(
                    {"ticket_id": (ticket or cls.ticket).id, "line_ids": lines},
                    **vals,
                )
            )
        )

    @staticmethod
    def _accept(authorization, portal_user):
        """What the portal does when the contact signs: confirm the order as
        that user (the portal works on the order with sudo)."""
        order = authorization.order_id.with_user(portal_user).sudo()
        order.write({"signature": PNG, "signed_by": "X"})
        order.action_confirm()

    def _log(self, hours, time_type, ticket=None, user=None, **vals):
        ticket = ticket or self.ticket
        user = user or self.agent
        return (
            self.env["account.analytic.line"]
            .with_user(user)
            .create(
                dict(
                    {
                        "name": "Work",
                        "ticket_id": ticket.id,
                        "project_id": ticket.project_id.id,
                        "employee_id": user.employee_id.id,
                        "unit_amount": hours,
                        "time_type_id": time_type.id,
                    },
                    **vals,
                )
            )
        )


class WorkAuthorizationCommon(WorkAuthorizationMixin, TransactionCase):
    pass


class WorkAuthorizationHttpCommon(WorkAuthorizationMixin, HttpCase):
    pass
