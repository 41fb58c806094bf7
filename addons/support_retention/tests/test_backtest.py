# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError

from ..wizards.support_retention_backtest import roc_auc
from .common import NOW, RetentionCommon


class TestBacktest(RetentionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # scored 400 days before NOW; lost: nothing in the 12 months after
        cls.day = (NOW - timedelta(days=400)).date()
        cls.stayer = cls._customer("Stayer Co")
        cls.leaver = cls._customer("Leaver Co")
        cls.quiet_stayer = cls._customer("Quiet Stayer Co")
        for partner in (cls.stayer, cls.leaver, cls.quiet_stayer):
            cls._ticket(partner, 1200)
            cls._ticket(partner, 420)
            cls._invoice(partner, 430)
        # the leaver's warning signs, before the scoring date
        for days in (405, 410, 415):
            cls._ticket(cls.leaver, days, breached=True)
        # what happens after the scoring date must not change its score
        cls._ticket(cls.stayer, 300)
        cls._ticket(cls.quiet_stayer, 100, breached=True)
        cls._ticket(cls.quiet_stayer, 101, breached=True)
        cls._ticket(cls.quiet_stayer, 102, breached=True)

    def test_roc_auc(self):
        self.assertEqual(roc_auc([3, 2, 1], [True, False, False]), 1.0)
        self.assertEqual(roc_auc([1, 2, 3], [True, False, False]), 0.0)
        self.assertEqual(roc_auc([2, 2], [True, False]), 0.5)
        self.assertIsNone(roc_auc([1, 2], [False, False]))

    def test_backtest_ranks_the_leaver_first_from_the_past_only(self):
        Backtest = self.env["support.retention.backtest"]
        with freeze_time(NOW):
            risks, losts = Backtest._backtest_date(
                self.company, self.day, self.Signal._get_scoring_signals(self.company)
            )
            result = Backtest._backtest(self.company, [self.day])
        self.assertEqual(len(risks), 3)
        self.assertEqual(sum(losts), 1)
        self.assertEqual(result["lost"], 1)
        self.assertEqual(result["auc"], 1.0)
        self.assertEqual(result["top_share"], 1.0)
        # the quiet stayer's later breaches were not known on the day
        quiet = self.Score._compute_scores(
            self.quiet_stayer, self.company, NOW - timedelta(days=400)
        )[self.quiet_stayer.id]
        self.assertNotIn("SLA", " ".join(text for _l, text in quiet["reasons"]))

    def test_report_for_managers_only_and_past_dates(self):
        with freeze_time(NOW):
            wizard = (
                self.env["support.retention.backtest"]
                .with_user(self.user_manager)
                .create({"date_last": self.day, "date_count": 1})
            )
            wizard.action_run()
            self.assertEqual(wizard.customer_count, 3)
            self.assertEqual(wizard.lost_count, 1)
            self.assertEqual(wizard.auc, 1.0)
            self.assertIn("Lost in top 10%", wizard.result_html)
            wizard.date_last = NOW.date() - relativedelta(months=6)
            with self.assertRaisesRegex(UserError, "12 months later"):
                wizard.action_run()
            with self.assertRaises(AccessError):
                self.env["support.retention.backtest"].with_user(
                    self.user_agent
                ).create({"date_last": self.day})
