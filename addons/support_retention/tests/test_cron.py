# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError

from .common import NOW, RetentionCommon


class TestCron(RetentionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._simple_signals()
        cls.steady = cls._healthy("Steady Co")
        cls.slipping = cls._healthy("Slipping Co", user_id=cls.user_sales.id)

    def _run(self, moment):
        with freeze_time(moment):
            self.Score._cron_compute()

    def _rows(self, partner):
        return self.Score.search([("partner_id", "=", partner.id)], order="date")

    def _activities(self, partner):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )

    def _go_at_risk(self, partner, when):
        # a burst of breaches, and nothing invoiced any more
        for days in (1, 2, 3, 4):
            self._ticket(partner, (NOW - when).days + days, breached=True)
        self.env["account.move"].search(
            [("partner_id", "=", partner.id)]
        ).button_draft()
        self.env.invalidate_all()

    def test_history_row_per_customer_per_run_with_trend(self):
        self._run(NOW)
        first = self._rows(self.slipping)
        self.assertEqual(len(first), 1)
        self.assertTrue(first.is_latest)
        self.assertEqual(first.trend, 0)
        # a second call the same day scores nobody twice
        self._run(NOW + timedelta(hours=1))
        self.assertEqual(len(self._rows(self.slipping)), 1)
        later = NOW + timedelta(days=7)
        for days in (1, 2):
            self._ticket(self.slipping, (NOW - later).days + days, breached=True)
        self._run(later)
        rows = self._rows(self.slipping)
        self.assertEqual(len(rows), 2)
        self.assertFalse(rows[0].is_latest)
        self.assertTrue(rows[1].is_latest)
        self.assertEqual(rows[1].previous_score, rows[0].score)
        self.assertEqual(rows[1].trend, rows[1].score - rows[0].score)
        self.assertLess(rows[1].trend, 0)
        self.assertEqual(len(self._rows(self.steady)), 2)

    def test_moving_into_at_risk_schedules_one_activity(self):
        self._run(NOW)
        self.assertFalse(self._activities(self.slipping))
        later = NOW + timedelta(days=7)
        self._go_at_risk(self.slipping, later)
        self._run(later)
        latest = self._rows(self.slipping)[-1]
        self.assertEqual(latest.band, "at_risk", latest.reasons)
        activity = self._activities(self.slipping)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.user_sales)
        self.assertIn("SLA breaches", activity.summary)
        # still at risk a week later: no second activity
        self._run(later + timedelta(days=7))
        self.assertEqual(self._rows(self.slipping)[-1].band, "at_risk")
        self.assertEqual(len(self._activities(self.slipping)), 1)

    def test_cron_reports_progress_per_batch(self):
        progress = []
        cron = self.env["ir.cron"]

        def notify(done, remaining, deactivate=False):
            progress.append((done, remaining))

        self.patch(type(cron), "_notify_progress", lambda self, **kw: notify(**kw))
        customers = self.env["res.partner"].search_count(
            self.Score._customer_domain(self.company)
        )
        with freeze_time(NOW):
            for _call in range(customers + 1):
                self.Score._cron_compute(batch_size=1)
        self.assertEqual(
            progress,
            [(1, customers - n) for n in range(1, customers + 1)] + [(0, 0)],
        )

    def test_scores_shown_to_agents_not_to_other_users(self):
        self._go_at_risk(self.slipping, NOW)
        self._run(NOW)
        ticket = self._ticket(self.slipping, 0, user_id=self.user_agent.id)
        as_agent = ticket.with_user(self.user_agent)
        as_agent.check_access("read")
        self.assertEqual(as_agent.support_retention_band, "at_risk")
        self.assertTrue(
            as_agent.support_retention_summary.startswith("At risk: 4 SLA breaches"),
            as_agent.support_retention_summary,
        )
        partner = self.slipping.with_user(self.user_agent)
        self.assertEqual(partner.support_retention_band, "at_risk")
        self.assertIn("4 SLA breaches in 90 days", partner.support_retention_reasons)
        with self.assertRaises(AccessError):
            self.Score.with_user(self.user_internal).search([])
        with self.assertRaises(AccessError):
            self._rows(self.slipping).with_user(self.user_agent).write({"score": 100})

    def test_history_opens_from_ticket_and_partner(self):
        self._run(NOW)
        ticket = self._ticket(self.slipping, 0, user_id=self.user_agent.id)
        action = ticket.with_user(self.user_agent).action_view_support_retention()
        history = self.Score.with_user(self.user_agent).search(action["domain"])
        self.assertEqual(history, self._rows(self.slipping))
        self.assertEqual(action["views"][0], (False, "list"))
