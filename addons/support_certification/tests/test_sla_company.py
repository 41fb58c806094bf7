# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .common import SupportCertificationCase


class TestSlaCompany(SupportCertificationCase):
    """A ticket's tier, and so its calendar, come from the company the ticket
    is in: the one helpdesk_mgmt gives it at creation (its team's), and the
    one it is moved to afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._certify(cls.alice, cls.level_gold, date(2026, 1, 1))
        cls.company_b = cls.env["res.company"].create({"name": "SLA Company B"})
        # Company B works Mon-Fri 14:00-22:00 UTC (8 h a day).
        cls.calendar_b = cls.env["resource.calendar"].create(
            {
                "name": "Company B hours (UTC)",
                "tz": "UTC",
                "company_id": cls.company_b.id,
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": 14,
                            "hour_to": 22,
                            "day_period": "afternoon",
                        }
                    )
                    for day in range(5)
                ],
            }
        )
        cls.tier_b = cls.env["support.sla.tier"].create(
            {
                "name": "Company B standard",
                "response_hours": 3,
                "resolution_hours": 10,
                "calendar_id": cls.calendar_b.id,
                "company_id": cls.company_b.id,
                "is_default": True,
            }
        )
        cls.team.company_id = cls.company
        cls.team_b = cls.env["helpdesk.ticket.team"].create(
            {"name": "Company B team", "company_id": cls.company_b.id}
        )
        cls.team_shared = cls.env["helpdesk.ticket.team"].create(
            {"name": "Shared team", "company_id": False}
        )
        # least privileged user who creates and edits tickets: own tickets
        # (the unassigned ones of their teams), in both companies
        cls.own = new_test_user(
            cls.env,
            login="sc_own_mc",
            groups="helpdesk_mgmt.group_helpdesk_user_own",
            company_id=cls.company.id,
            company_ids=[Command.set((cls.company | cls.company_b).ids)],
            tz="UTC",
        )
        (cls.team | cls.team_b | cls.team_shared).user_ids |= cls.own

    def _own_ticket(self, **values):
        vals = {
            "name": "Printer on fire",
            "description": "<p>Help</p>",
            "partner_id": self.alice.id,
        }
        vals.update(values)
        ticket = self.env["helpdesk.ticket"].with_user(self.own).create(vals)
        self.env.flush_all()
        return ticket

    def _assert_company_b_deadlines(self, ticket):
        """Started Monday 10:00 on company B's calendar: response 3 h (Mon
        14-17), resolution 10 h (Mon 14-22, Tue 14-16)."""
        self.assertEqual(ticket.company_id, self.company_b)
        self.assertEqual(ticket.sla_tier_id, self.tier_b)
        self.assertEqual(ticket.sla_response_deadline, self.at(0, 17))
        self.assertEqual(ticket.sla_resolution_deadline, self.at(1, 16))
        self.assertEqual(ticket.sla_response_state, "running")

    def test_created_with_company_a_and_team_of_b_gets_b_tier(self):
        with freeze_time(self.at(0, 10)):
            ticket = self._own_ticket(
                company_id=self.company.id, team_id=self.team_b.id
            )
        # helpdesk_mgmt gives the ticket its team's company
        self._assert_company_b_deadlines(ticket)

    def test_created_in_b_by_default_company_gets_b_tier(self):
        """Whatever gives the ticket its company (here the default company of
        the context, with a team of no company), the tier follows it."""
        with freeze_time(self.at(0, 10)):
            ticket = self._own_ticket(team_id=self.team_shared.id)
            self.assertEqual(ticket.company_id, self.company)
            self.assertEqual(ticket.sla_tier_id, self.tier_gold)
            ticket_b = (
                self.env["helpdesk.ticket"]
                .with_user(self.own)
                .with_context(default_company_id=self.company_b.id)
                .create(
                    {
                        "name": "Printer on fire",
                        "description": "<p>Help</p>",
                        "partner_id": self.alice.id,
                        "team_id": self.team_shared.id,
                    }
                )
            )
            self.env.flush_all()
        self._assert_company_b_deadlines(ticket_b)

    def test_company_change_gives_the_new_company_tier(self):
        with freeze_time(self.at(0, 10)):
            ticket = self._own_ticket(team_id=self.team_shared.id)
        self.assertEqual(ticket.sla_tier_id, self.tier_gold)
        self.assertEqual(ticket.sla_response_deadline, self.at(0, 12))
        with freeze_time(self.at(0, 11)):
            ticket.with_user(self.own).company_id = self.company_b
            self.env.flush_all()
        # planned again from the ticket's start on company B's calendar
        self._assert_company_b_deadlines(ticket)
        with freeze_time(self.at(0, 11, 30)):
            ticket.with_user(self.own).company_id = self.company
            self.env.flush_all()
        self.assertEqual(ticket.sla_tier_id, self.tier_gold)
        self.assertEqual(ticket.sla_response_deadline, self.at(0, 12))
        self.assertEqual(ticket.sla_resolution_deadline, self.at(1, 10))

    def test_company_change_keeps_the_paused_clock(self):
        """A ticket paused in company A (Awaiting pauses A's tiers) resumes
        when it moves to company B, whose tier pauses no stage."""
        with freeze_time(self.at(0, 10)):
            ticket = self._own_ticket(team_id=self.team_shared.id)
        self._set_stage(ticket, self.stage_awaiting, self.at(0, 10))
        self.assertTrue(ticket.sla_paused_since)
        with freeze_time(self.at(0, 10)):
            ticket.with_user(self.own).company_id = self.company_b
            self.env.flush_all()
        self.assertFalse(ticket.sla_paused_since)
        self._assert_company_b_deadlines(ticket)

    def test_agent_cannot_pick_the_tier_by_moving_company(self):
        with freeze_time(self.at(0, 10)):
            ticket = self._own_ticket(team_id=self.team_shared.id)
        with self.assertRaises(AccessError):
            ticket.with_user(self.own).write(
                {"company_id": self.company_b.id, "sla_tier_id": self.tier_gold.id}
            )

    def test_manager_choice_of_tier_wins_over_the_company(self):
        self.manager.company_ids |= self.company_b
        with freeze_time(self.at(0, 10)):
            ticket = self._own_ticket(team_id=self.team_shared.id)
            tier_b_gold = self.tier_b.copy(
                {"name": "Company B gold", "is_default": False}
            )
            ticket.with_user(self.manager).write(
                {"company_id": self.company_b.id, "sla_tier_id": tier_b_gold.id}
            )
        self.assertEqual(ticket.sla_tier_id, tier_b_gold)
