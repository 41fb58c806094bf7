# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from freezegun import freeze_time

from ..models.support_retention_score import BATCH_SIZE
from .common import NOW, RetentionCommon


class TestPerformance(RetentionCommon):
    """The weekly computation reads each source once per batch: a batch of
    100 customers out of 1,000 costs the queries of a batch of 10."""

    def _customers(self, count, start):
        partners = self.env["res.partner"].create(
            [
                {"name": f"Perf {start + i}", "is_company": True, "customer_rank": 1}
                for i in range(count)
            ]
        )
        # every source has something for the customers of the batch
        self._ticket(partners[0], 5, breached=True)
        self._invoice(partners[-1], 20)
        self.env["support.points.move"].create(
            {"partner_id": partners[1].id, "points": 5, "kind": "grant"}
        )
        return partners

    def _first_batch(self, day):
        """Run the first cron call of a new run on ``day``; its queries."""
        with freeze_time(NOW + timedelta(days=day)):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            self.Score._cron_compute()
            self.env.flush_all()
            return self.cr.sql_log_count - before

    def _run_all(self, day):
        date = (NOW + timedelta(days=day)).date()
        pending = self.Score._pending_domain(self.company, date)
        with freeze_time(NOW + timedelta(days=day)):
            while self.env["res.partner"].search_count(pending):
                self.Score._cron_compute()

    def test_same_queries_per_batch_for_10_and_1000_customers(self):
        existing = self.env["res.partner"].search_count(
            self.Score._customer_domain(self.company)
        )
        self._customers(10, 0)
        # warm up: a first run, so the measured run has previous rows
        self._run_all(0)
        small = self._first_batch(7)
        self.assertEqual(
            self.Score.search_count([("date", "=", (NOW + timedelta(days=7)).date())]),
            existing + 10,
        )
        self._customers(990, 10)
        self._run_all(14)
        with self.assertQueryCount(small):
            large = self._first_batch(21)
        self.assertEqual(
            self.Score.search_count([("date", "=", (NOW + timedelta(days=21)).date())]),
            BATCH_SIZE,
        )
        self.assertEqual(small, large)
