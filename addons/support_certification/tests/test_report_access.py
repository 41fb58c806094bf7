# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user

from .common import SupportCertificationCase


class TestSlaReportAccess(SupportCertificationCase):
    """The SLA report shows a ticket's title, customer and assignee: a row is
    visible exactly when its ticket is (helpdesk_mgmt's ticket rules)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Report Company B"})
        cls.team.company_id = cls.company
        cls.other_team = cls.env["helpdesk.ticket.team"].create(
            {"name": "Other team", "company_id": cls.company.id}
        )
        cls.team_b = cls.env["helpdesk.ticket.team"].create(
            {"name": "Company B team", "company_id": cls.company_b.id}
        )
        cls.env["support.sla.tier"].create(
            {
                "name": "Company B standard",
                "calendar_id": cls.calendar.id,
                "company_id": cls.company_b.id,
                "is_default": True,
            }
        )
        cls.own = new_test_user(
            cls.env,
            login="sc_report_own",
            groups="helpdesk_mgmt.group_helpdesk_user_own",
        )
        cls.team_user = new_test_user(
            cls.env,
            login="sc_report_team",
            groups="helpdesk_mgmt.group_helpdesk_user_team",
        )
        cls.user_b = new_test_user(
            cls.env,
            login="sc_report_b",
            groups="helpdesk_mgmt.group_helpdesk_user",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.team.user_ids |= cls.own | cls.team_user
        cls.team_b.user_ids |= cls.user_b
        with freeze_time(cls.MONDAY.replace(hour=10)):
            tickets = cls.env["helpdesk.ticket"].create(
                [
                    {
                        "name": name,
                        "description": "x",
                        "partner_id": cls.alice.id,
                        "user_id": False,
                    }
                    | values
                    for name, values in (
                        ("mine", {"team_id": cls.team.id, "user_id": cls.own.id}),
                        ("team unassigned", {"team_id": cls.team.id}),
                        (
                            "team of someone else",
                            {"team_id": cls.team.id, "user_id": cls.agent.id},
                        ),
                        ("other team", {"team_id": cls.other_team.id}),
                        (
                            "followed",
                            {"team_id": cls.other_team.id, "user_id": cls.agent.id},
                        ),
                        ("no team", {"user_id": cls.agent.id}),
                        ("company B", {"team_id": cls.team_b.id}),
                    )
                ]
            )
        cls.tickets = dict(zip(tickets.mapped("name"), tickets, strict=True))
        cls.tickets["followed"].message_subscribe(partner_ids=cls.own.partner_id.ids)
        # the user's team would be computed from the assignee's teams
        cls.tickets["no team"].team_id = False
        cls.env.flush_all()

    def _visible(self, user, model):
        records = self.env[model].with_user(user).search([])
        names = records.mapped("name" if model == "helpdesk.ticket" else "ticket_id")
        if model != "helpdesk.ticket":
            names = names.mapped("name")
        return set(names) & set(self.tickets)

    def assertSeesRows(self, user, names):
        rows = self._visible(user, "support.sla.report")
        self.assertEqual(rows, set(names))
        # the same tickets as helpdesk_mgmt lets the user read
        self.assertEqual(rows, self._visible(user, "helpdesk.ticket"))

    def test_own_tickets_user_sees_rows_of_own_tickets_only(self):
        self.assertSeesRows(self.own, {"mine", "team unassigned", "followed"})
        groups = (
            self.env["support.sla.report"]
            .with_user(self.own)
            ._read_group(
                [("ticket_id", "in", [t.id for t in self.tickets.values()])],
                groupby=["user_id"],
                aggregates=["__count"],
            )
        )
        self.assertEqual(
            dict(groups), {self.own: 1, self.agent: 1, self.env["res.users"]: 1}
        )

    def test_team_tickets_user_sees_rows_of_team_tickets(self):
        self.assertSeesRows(
            self.team_user,
            {"mine", "team unassigned", "team of someone else", "no team"},
        )

    def test_all_tickets_user_sees_the_company_rows(self):
        self.assertSeesRows(
            self.agent,
            {
                "mine",
                "team unassigned",
                "team of someone else",
                "other team",
                "followed",
                "no team",
            },
        )

    def test_user_of_another_company_sees_its_company_rows(self):
        self.assertSeesRows(self.user_b, {"company B"})
