# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo.exceptions import UserError

from .common import WorkAuthorizationCommon


class TestMeter(WorkAuthorizationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.authorization = cls._authorization()
        cls.authorization.action_send()
        cls._accept(cls.authorization, cls.portal_contact)

    def _meter(self, action, when):
        with freeze_time(when):
            getattr(self.ticket.with_user(self.agent), action)()

    def _mails_to_contact(self):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "helpdesk.ticket"),
                ("res_id", "=", self.ticket.id),
                ("recipient_ids", "in", self.contact.ids),
            ]
        )

    def test_each_event_is_posted_and_mailed_in_the_contacts_timezone(self):
        # 17:45 UTC is 12:45 in New York (winter)
        self._meter("action_work_meter_depart", "2026-12-07 17:05:00")
        self._meter("action_work_meter_arrive", "2026-12-07 17:45:00")
        self._meter("action_work_meter_leave", "2026-12-07 19:52:00")
        bodies = self._mails_to_contact().mapped("body_html")
        self.assertEqual(len(bodies), 3, "one mail per event, sent at once")
        text = " ".join(bodies)
        self.assertIn("Our technician left for your site at 12:05", text)
        self.assertIn("Our technician arrived at 12:45", text)
        self.assertIn("Our technician left the site at 14:52", text)
        self.assertIn("2:15 h on site", text)
        messages = self.ticket.message_ids.filtered(
            lambda m: "Our technician" in (m.body or "")
        )
        self.assertEqual(len(messages), 3, "each event is posted on the ticket")

    def test_events_become_timesheet_lines_by_time_type(self):
        self._meter("action_work_meter_depart", "2026-12-07 08:00:00")
        self._meter("action_work_meter_arrive", "2026-12-07 08:37:00")
        self._meter("action_work_meter_leave", "2026-12-07 09:00:00")
        visit = self.ticket.work_auth_visit_ids
        self.assertEqual(visit.travel_line_id.time_type_id, self.travel)
        self.assertEqual(visit.travel_line_id.unit_amount, 0.75)
        self.assertEqual(visit.onsite_line_id.time_type_id, self.onsite)
        # 23 minutes on site: the minimum hour of a visit
        self.assertEqual(visit.onsite_line_id.unit_amount, 1.0)
        self.assertEqual(visit.onsite_line_id.employee_id, self.agent.employee_id)
        self.assertEqual(
            self.ticket.timesheet_ids, visit.travel_line_id | visit.onsite_line_id
        )
        self.assertEqual(self.ticket.work_meter_state, "idle")

    def test_meter_refuses_events_out_of_order(self):
        with self.assertRaisesRegex(UserError, "arrival"):
            self._meter("action_work_meter_leave", "2026-12-07 08:00:00")
        self._meter("action_work_meter_depart", "2026-12-07 08:00:00")
        self.assertEqual(self.ticket.work_meter_state, "travel")
        # the agent is in Brussels
        self.assertEqual(
            self.ticket.with_user(self.agent).work_meter_status,
            "On the way since 09:00",
        )
        with self.assertRaisesRegex(UserError, "under way"):
            self._meter("action_work_meter_depart", "2026-12-07 08:10:00")
        self._meter("action_work_meter_arrive", "2026-12-07 08:20:00")
        self.assertEqual(self.ticket.work_meter_state, "onsite")
        with self.assertRaisesRegex(UserError, "on site"):
            self._meter("action_work_meter_arrive", "2026-12-07 08:30:00")

    def test_arrival_without_travel_logs_only_the_site(self):
        self._meter("action_work_meter_arrive", "2026-12-07 08:00:00")
        self._meter("action_work_meter_leave", "2026-12-07 10:00:00")
        self.assertEqual(self.ticket.timesheet_ids.time_type_id, self.onsite)
        self.assertEqual(self.ticket.timesheet_ids.unit_amount, 2.0)
