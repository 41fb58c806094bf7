# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, timedelta

from freezegun import freeze_time
from pytz import utc

from odoo.exceptions import AccessError

from .common import SupportCertificationCase


class TestSlaDeadline(SupportCertificationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._certify(cls.alice, cls.level_gold, date(2026, 1, 1))

    def _notes(self, ticket, text):
        return ticket.message_ids.filtered(lambda m, t=text: t in (m.body or ""))

    def test_deadlines_across_night(self):
        with freeze_time(self.at(0, 10)):
            ticket = self._ticket(self.alice, self.agent)
        self.assertEqual(ticket.sla_tier_id, self.tier_gold)
        self.assertEqual(ticket.sla_start_date, self.at(0, 10))
        self.assertEqual(ticket.sla_response_deadline, self.at(0, 12))
        # Mon 10-12 and 13-17 (6 h), then Tue 9-10.
        self.assertEqual(ticket.sla_resolution_deadline, self.at(1, 10))
        self.assertEqual(ticket.sla_response_risk_date, self.at(0, 11, 36))
        self.assertEqual(ticket.sla_resolution_risk_date, self.at(0, 16, 36))
        self.assertEqual(ticket.sla_response_state, "running")
        self.assertEqual(ticket.sla_resolution_state, "running")
        self.assertFalse(ticket.sla_at_risk)

    def test_deadlines_across_weekend(self):
        with freeze_time(self.at(4, 16)):
            ticket = self._ticket(self.alice)
        self.assertEqual(ticket.sla_response_deadline, self.at(7, 10))
        self.assertEqual(ticket.sla_resolution_deadline, self.at(7, 16))

    def test_deadlines_skip_public_holiday(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": self.at(7, 0),
                "date_to": self.at(7, 23, 59),
            }
        )
        with freeze_time(self.at(4, 16)):
            ticket = self._ticket(self.alice)
        self.assertEqual(ticket.sla_response_deadline, self.at(8, 10))
        self.assertEqual(ticket.sla_resolution_deadline, self.at(8, 16))

    def test_new_holiday_moves_later_deadlines(self):
        """Cached work intervals follow calendar and leave changes."""
        with freeze_time(self.at(4, 16)):
            before = self._ticket(self.alice)
            holiday = self.env["resource.calendar.leaves"].create(
                {
                    "name": "Public holiday",
                    "calendar_id": self.calendar.id,
                    "date_from": self.at(7, 0),
                    "date_to": self.at(7, 23, 59),
                }
            )
            during = self._ticket(self.alice)
            holiday.date_to = self.at(7, 9, 30)
            shorter = self._ticket(self.alice)
            self.calendar.attendance_ids.filtered(
                lambda a: a.dayofweek == "4" and a.day_period == "afternoon"
            ).hour_to = 16
            friday_short = self._ticket(self.alice)
        self.assertEqual(before.sla_response_deadline, self.at(7, 10))
        self.assertEqual(during.sla_response_deadline, self.at(8, 10))
        self.assertEqual(shorter.sla_response_deadline, self.at(7, 10, 30))
        self.assertEqual(friday_short.sla_response_deadline, self.at(7, 11, 30))

    def test_hours_over_several_windows_count_what_the_calendar_counts(self):
        """Counting working hours across several planning windows counts
        what the calendar itself counts, and the windows computed for one
        batch are not computed again within it."""
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": self.at(21, 0),
                "date_to": self.at(21, 23, 59),
            }
        )
        start, stop = self.at(0, 10), self.at(4, 15) + timedelta(weeks=5)
        work_intervals = {}
        hours = self.tier_gold._work_hours_between(start, stop, work_intervals)
        expected = self.calendar.get_work_hours_count(
            utc.localize(start), utc.localize(stop)
        )
        self.assertAlmostEqual(hours, expected, places=4)
        # Mon 10-17 less lunch (6 h), 28 full days (196 h), Fri 9-15 less
        # lunch (5 h), less the Monday holiday (7 h)
        self.assertAlmostEqual(hours, 28 * 7 + 6 - 7 + 5, places=4)
        with self.assertQueryCount(0):
            again = self.tier_gold._work_hours_between(start, stop, work_intervals)
        self.assertEqual(again, hours)

    def test_created_outside_working_hours(self):
        with freeze_time(self.at(5, 12)):
            ticket = self._ticket(self.alice)
        self.assertEqual(ticket.sla_response_deadline, self.at(7, 11))

    def test_fractional_hours_minute_precision(self):
        self.tier_gold.response_hours = 0.75
        with freeze_time(self.at(0, 11, 30)):
            ticket = self._ticket(self.alice)
        self.assertEqual(ticket.sla_response_deadline, self.at(0, 13, 15))

    def test_default_tier_without_certification(self):
        with freeze_time(self.at(0, 9)):
            uncertified = self._ticket(self.carol)
            anonymous = self._ticket()
        self.assertEqual(uncertified.sla_tier_id, self.tier_standard)
        self.assertEqual(anonymous.sla_tier_id, self.tier_standard)
        # 14 h: Mon 7 h, Tue 7 h.
        self.assertEqual(uncertified.sla_resolution_deadline, self.at(1, 17))

    def test_batch_creation_groups_tiers(self):
        with freeze_time(self.at(0, 10)):
            tickets = self.env["helpdesk.ticket"].create(
                [
                    {
                        "name": f"Batch {i}",
                        "description": "x",
                        "partner_id": (self.alice if i % 2 else self.carol).id,
                    }
                    for i in range(6)
                ]
            )
        gold = tickets.filtered(lambda t: t.sla_tier_id == self.tier_gold)
        self.assertEqual(len(gold), 3)
        self.assertEqual(set(gold.mapped("sla_resolution_deadline")), {self.at(1, 10)})
        standard = tickets - gold
        self.assertEqual(standard.sla_tier_id, self.tier_standard)
        self.assertEqual(
            set(standard.mapped("sla_resolution_deadline")), {self.at(2, 10)}
        )

    def test_pause_in_awaiting_moves_deadline(self):
        with freeze_time(self.at(0, 10)):
            ticket = self._ticket(self.alice, self.agent)
        self._set_stage(ticket, self.stage_awaiting, self.at(0, 11))
        self.assertEqual(ticket.sla_paused_since, self.at(0, 11))
        self.assertEqual(ticket.sla_response_state, "paused")
        self.assertEqual(ticket.sla_resolution_state, "paused")
        self.assertTrue(self._notes(ticket, "SLA clock paused"))
        self._set_stage(ticket, self.stage_progress, self.at(1, 11))
        # Paused Mon 11-12, 13-17 and Tue 9-11: 7 working hours.
        self.assertEqual(ticket.sla_paused_hours, 7.0)
        self.assertFalse(ticket.sla_paused_since)
        self.assertEqual(ticket.sla_response_deadline, self.at(1, 12))
        self.assertEqual(ticket.sla_resolution_deadline, self.at(2, 10))
        self.assertEqual(ticket.sla_resolution_state, "running")
        self.assertTrue(self._notes(ticket, "SLA clock resumed"))
        # A stage outside the tier's paused stages does not pause.
        self._set_stage(ticket, self.stage_new, self.at(1, 12))
        self.assertFalse(ticket.sla_paused_since)

    def test_pause_note_shows_the_stage_name_as_text(self):
        self.stage_awaiting.name = "Waiting <b>customer</b> & co"
        with freeze_time(self.at(0, 10)):
            ticket = self._ticket(self.alice, self.agent)
        self._set_stage(ticket, self.stage_awaiting, self.at(0, 11))
        [note] = self._notes(ticket, "SLA clock paused")
        self.assertIn("Waiting &lt;b&gt;customer&lt;/b&gt; &amp; co", note.body)

    def test_pause_note_at_create_shows_the_stage_name_as_text(self):
        self.stage_awaiting.name = "Waiting <b>customer</b> & co"
        with freeze_time(self.at(0, 10)):
            ticket = self._ticket(
                self.alice, self.agent, stage_id=self.stage_awaiting.id
            )
        self.assertEqual(ticket.sla_paused_since, self.at(0, 10))
        [note] = self._notes(ticket, "SLA clock paused")
        self.assertIn("Waiting &lt;b&gt;customer&lt;/b&gt; &amp; co", note.body)

    def test_closing_a_paused_ticket_stops_its_clocks_and_meets(self):
        with freeze_time(self.at(0, 10)):
            ticket = self._ticket(self.alice, self.agent)
        self._set_stage(ticket, self.stage_awaiting, self.at(0, 11))
        self._set_stage(ticket, self.stage_done, self.at(1, 15))
        # the paused hours count: the closing is measured against the
        # deadline they pushed
        self.assertEqual(ticket.sla_paused_hours, 10.0)
        self.assertFalse(ticket.sla_paused_since)
        self.assertEqual(ticket.sla_resolution_state, "met")
        # the clocks stop with the closing: no note says they resumed
        self.assertTrue(self._notes(ticket, "SLA clock paused"))
        self.assertFalse(self._notes(ticket, "SLA clock resumed"))

    def test_tier_change_mid_ticket(self):
        with freeze_time(self.at(0, 10)):
            ticket = self._ticket(self.carol, self.agent)
        self.assertEqual(ticket.sla_tier_id, self.tier_standard)
        self._set_stage(ticket, self.stage_awaiting, self.at(0, 11))
        self._set_stage(ticket, self.stage_progress, self.at(0, 13))
        self.assertEqual(ticket.sla_paused_hours, 1.0)
        with freeze_time(self.at(0, 14)):
            with self.assertRaises(AccessError):
                ticket.with_user(self.agent).sla_tier_id = self.tier_gold
            ticket.with_user(self.manager).sla_tier_id = self.tier_gold
            self.env.flush_all()
        # Gold plus the hour already paused: 3 h and 8 h from Mon 10:00.
        self.assertEqual(ticket.sla_paused_hours, 1.0)
        self.assertEqual(ticket.sla_response_deadline, self.at(0, 14))
        self.assertEqual(ticket.sla_resolution_deadline, self.at(1, 11))
        # Partner changes do not move the frozen tier.
        ticket.partner_id = self.bob
        self.assertEqual(ticket.sla_tier_id, self.tier_gold)

    def test_helpdesk_user_cannot_choose_tier_at_creation(self):
        with freeze_time(self.at(0, 10)):
            ticket = (
                self.env["helpdesk.ticket"]
                .with_user(self.agent)
                .create(
                    {
                        "name": "Sneaky",
                        "description": "x",
                        "team_id": self.team.id,
                        "partner_id": self.carol.id,
                        "sla_tier_id": self.tier_platinum.id,
                        "sla_resolution_deadline": self.at(9, 9),
                    }
                )
            )
        self.assertEqual(ticket.sla_tier_id, self.tier_standard)
        self.assertEqual(ticket.sla_resolution_deadline, self.at(2, 10))
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent).sla_resolution_deadline = self.at(9, 9)
        # Managers may adjust a deadline by hand.
        ticket.with_user(self.manager).sla_resolution_deadline = self.at(9, 9)
        self.assertEqual(ticket.sla_resolution_deadline, self.at(9, 9))
        self.assertFalse(ticket.with_user(self.agent).sla_tier_editable)
        self.assertTrue(ticket.with_user(self.manager).sla_tier_editable)

    def test_helpdesk_user_cannot_stretch_the_sla_clocks(self):
        with freeze_time(self.at(0, 10)):
            ticket = self._ticket(self.carol, self.agent)
        deadline = ticket.sla_resolution_deadline
        as_agent = ticket.with_user(self.agent)
        for vals in (
            {"sla_paused_hours": 1000.0},
            {"sla_paused_since": self.at(0, 10)},
            {"sla_start_date": self.at(9, 9)},
            {"sla_first_response_date": self.at(0, 10)},
            {"sla_response_deadline": self.at(9, 9)},
            {"sla_resolution_deadline": self.at(9, 9)},
            {"sla_resolution_state": "met"},
            {"sla_at_risk": False},
            {"sla_breach_notified": True},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_agent.write(vals)
        self.assertEqual(ticket.sla_paused_hours, 0.0)
        self.assertEqual(ticket.sla_resolution_deadline, deadline)
        self.assertFalse(ticket.sla_first_response_date)
        self.assertFalse(ticket.sla_breach_notified)
        # Nor at creation: the clock values are dropped.
        with freeze_time(self.at(0, 10)):
            created = (
                self.env["helpdesk.ticket"]
                .with_user(self.agent)
                .create(
                    {
                        "name": "Sneaky clock",
                        "description": "x",
                        "team_id": self.team.id,
                        "partner_id": self.carol.id,
                        "sla_start_date": self.at(9, 9),
                        "sla_paused_hours": 1000.0,
                        "sla_breach_notified": True,
                    }
                )
            )
        self.assertEqual(created.sla_start_date, self.at(0, 10))
        self.assertEqual(created.sla_paused_hours, 0.0)
        self.assertEqual(created.sla_resolution_deadline, deadline)
        self.assertFalse(created.sla_breach_notified)
        # The agent's stage changes still pause and resume the clocks.
        with freeze_time(self.at(0, 11)):
            as_agent.stage_id = self.stage_awaiting
            self.env.flush_all()
        self.assertEqual(ticket.sla_paused_since, self.at(0, 11))
        with freeze_time(self.at(0, 13)):
            as_agent.stage_id = self.stage_progress
            self.env.flush_all()
        self.assertEqual(ticket.sla_paused_hours, 1.0)
        self.assertFalse(ticket.sla_paused_since)
        # SLA managers may still correct the paused time.
        ticket.with_user(self.manager).sla_paused_hours = 2.0
        self.assertEqual(ticket.sla_paused_hours, 2.0)

    def test_first_response_detection(self):
        with freeze_time(self.at(0, 10)):
            ticket = self._ticket(self.alice, self.agent)
        with freeze_time(self.at(0, 10, 30)):
            ticket.with_user(self.agent).message_post(
                body="Internal: looks like the toner",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        self.assertFalse(ticket.sla_first_response_date, "internal notes do not count")
        with freeze_time(self.at(0, 10, 45)):
            ticket.message_post(
                body="Any news?",
                author_id=self.alice.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertFalse(ticket.sla_first_response_date, "customers do not count")
        with freeze_time(self.at(0, 11)):
            ticket.with_user(self.agent).message_post(
                body="We are on it",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=self.alice.ids,
            )
            self.assertEqual(ticket.sla_first_response_date, self.at(0, 11))
            self.assertEqual(ticket.sla_response_state, "met")
            self.assertEqual(ticket.sla_resolution_state, "running")
        with freeze_time(self.at(0, 11, 30)):
            ticket.with_user(self.agent).message_post(
                body="Second reply",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.sla_first_response_date, self.at(0, 11))

    def test_late_first_response_is_breached(self):
        with freeze_time(self.at(0, 10)):
            ticket = self._ticket(self.alice, self.agent)
        with freeze_time(self.at(0, 13, 30)):
            ticket.with_user(self.agent).message_post(
                body="Sorry for the wait",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            self.assertEqual(ticket.sla_response_state, "breached")

    def test_ticket_created_closed_is_met(self):
        with freeze_time(self.at(0, 10)):
            ticket = self._ticket(self.alice, stage_id=self.stage_done.id)
        self.assertEqual(ticket.sla_resolution_state, "met")
        self.assertEqual(ticket.sla_response_state, "met")

    def test_resolution_met_or_breached_on_close(self):
        with freeze_time(self.at(0, 10)):
            early, late = (
                self._ticket(self.alice, self.agent),
                self._ticket(self.alice, self.agent),
            )
        self._set_stage(early, self.stage_done, self.at(1, 9, 30))
        self._set_stage(late, self.stage_done, self.at(1, 11))
        self.assertEqual(early.sla_resolution_state, "met")
        self.assertEqual(late.sla_resolution_state, "breached")
        self.assertFalse(early.sla_at_risk)

    def test_create_planning_queries_do_not_grow_with_batch(self):
        """Freezing tiers and planning deadlines costs the same queries for
        5 or 50 new tickets of several customers."""
        self._certify(self.bob, self.level_platinum, date(2026, 1, 1))
        customers = [self.alice, self.bob, self.carol, False]

        def vals_list(count):
            return [
                {
                    "name": f"Load {i}",
                    "description": "x",
                    "team_id": self.team.id,
                    "partner_id": customers[i % 4] and customers[i % 4].id,
                }
                for i in range(count)
            ]

        model = self.env["helpdesk.ticket"]
        with freeze_time(self.at(0, 10)):
            model._sla_prepare_create_vals(vals_list(4))  # warm the caches
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            small = vals_list(5)
            model._sla_prepare_create_vals(small)
            small_count = self.env.cr.sql_log_count - before
            large = vals_list(50)
            with self.assertQueryCount(small_count):
                model._sla_prepare_create_vals(large)
        self.assertEqual(
            {vals["sla_tier_id"] for vals in large},
            {self.tier_platinum.id, self.tier_standard.id},
        )
        self.assertTrue(all(vals.get("sla_resolution_deadline") for vals in large))
