# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form

from .common import NOW, RetentionCommon


class TestScore(RetentionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.healthy = cls._healthy("Healthy Co")
        # two breaches in the last 90 days, one long before (not counted)
        cls.breached = cls._healthy("Breached Co")
        cls._ticket(cls.breached, 10, breached=True)
        cls._ticket(cls.breached, 40, breached=True)
        cls._ticket(cls.breached, 300, breached=True)
        # as many tickets the quarter before: no surge
        for days in (100, 120, 150):
            cls._ticket(cls.breached, days)

    def test_healthy_customer_scores_100_without_reasons(self):
        result = self._scores(self.healthy)[self.healthy.id]
        self.assertEqual(result["score"], 100)
        self.assertEqual(result["reasons"], [])

    def test_breaches_cost_their_share_of_the_weight(self):
        result = self._scores(self.breached)[self.breached.id]
        # 2 breaches, from 1 to full risk at 5, weight 15: 3.75 points lost
        self.assertEqual(result["score"], 96)
        self.assertEqual(result["reasons"], [(4, "2 SLA breaches in 180 days")])

    def test_as_of_only_counts_what_happened_before(self):
        # 60 days ago: only the breach of 300 days ago existed, out of window;
        # the two recent ones were not opened yet
        result = self._scores(self.breached, NOW - timedelta(days=60))
        self.assertNotIn(
            "SLA breaches", " ".join(r for _l, r in result[self.breached.id]["reasons"])
        )

    def test_invoice_and_ticket_gaps_in_words(self):
        quiet = self._customer("Quiet Co")
        self._ticket(quiet, 1000)
        self._ticket(quiet, 240)
        self._invoice(quiet, 275)
        result = self._scores(quiet)[quiet.id]
        reasons = [text for _lost, text in result["reasons"]]
        self.assertIn("no invoice for 9 months", reasons)
        self.assertIn("no ticket for 8 months", reasons)
        # invoice: 15 * (9.05 - 4) / 6 = 12.6; tickets: 25 * (7.9 - 2) / 6 = 24.6
        self.assertEqual(result["score"], 63)

    def test_ticket_growth_and_tier_end(self):
        growing = self._healthy("Growing Co")
        for days in (100,):
            self._ticket(growing, days)
        for days in (5, 15, 25, 35, 45):
            self._ticket(growing, days)
        level = self.env["support.certification.level"].create(
            {
                "name": "Retention level",
                "tier_id": self.env.ref("support_certification.sla_tier_certified").id,
                "validity_months": 12,
            }
        )
        person = self.env["res.partner"].create(
            {"name": "Certified person", "parent_id": growing.id}
        )
        self.env["support.certification"].create(
            {
                "partner_id": person.id,
                "level_id": level.id,
                "date_obtained": (NOW - timedelta(days=344)).date(),
            }
        )
        # both signals are shipped archived: score with them explicitly
        signals = self.env.ref("support_retention.signal_ticket_growth") | self.env.ref(
            "support_retention.signal_tier_end"
        )
        result = self.Score._compute_scores(growing, self.company, NOW, signals)
        reasons = {text: lost for lost, text in result[growing.id]["reasons"]}
        # 6 tickets in 90 days (5 + the one of 20 days ago) against 1 before
        self.assertIn("tickets up 500% on the previous 90 days", reasons)
        self.assertIn("tier ends in 21 days, not renewed", reasons)

    def test_fewer_tickets_in_words(self):
        fading = self._healthy("Fading Co")
        for days in (200, 220, 240, 260):
            self._ticket(fading, days)
        reasons = [text for _l, text in self._scores(fading)[fading.id]["reasons"]]
        # 1 ticket in the last 180 days against 4 before
        self.assertIn("tickets down 75% on the previous 180 days", reasons)

    def test_points_expired_in_words(self):
        customer = self._healthy("Expiring Co")
        Move = self.env["support.points.move"]
        Move.create({"partner_id": customer.id, "points": 20, "kind": "grant"})
        expiry = Move.create(
            {"partner_id": customer.id, "points": -12, "kind": "expire"}
        )
        self._backdate("support_points_move", expiry, NOW - timedelta(days=10), "date")
        reasons = [text for _l, text in self._scores(customer)[customer.id]["reasons"]]
        self.assertIn("12 points expired unused in 180 days", reasons)


class TestSignals(RetentionCommon):
    def test_weights_of_shipped_signals_sum_to_100(self):
        self.assertEqual(self.Signal._weight_total(self.company), 100)
        self.assertTrue(self.Signal._get_scoring_signals(self.company))

    def test_weights_not_100_refuse_to_score_and_warn_on_form(self):
        signal = self.env.ref("support_retention.signal_sla_breaches")
        signal.with_user(self.user_manager).weight = 5
        with self.assertRaisesRegex(UserError, "weigh 90 points together"):
            self.Signal._get_scoring_signals(self.company)
        with self.assertRaisesRegex(UserError, "weigh 90 points"):
            self.Score.with_user(self.user_manager).action_compute_now()
        form = Form(signal.with_user(self.user_manager))
        self.assertEqual(form.weight_total, 90)
        form.weight = 15
        self.assertEqual(form.weight_total, 100)
        # the cron skips the company instead of failing
        self._healthy("Skipped Co")
        self.Score._cron_compute()
        self.assertFalse(self.Score.search([]))

    def test_signal_values_are_checked(self):
        Signal = self.Signal.with_user(self.user_manager)
        vals = {
            "name": "Fees",
            "measure": "fees",
            "threshold_start": 0,
            "threshold_full": 3,
            "weight": 0,
            "active": False,
        }
        Signal.create(vals)
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            Signal.create(dict(vals, weight=120))
        with self.assertRaisesRegex(ValidationError, "must differ"):
            Signal.create(dict(vals, threshold_full=0))
        with self.assertRaisesRegex(ValidationError, "at least one day"):
            Signal.create(dict(vals, window_days=0))

    def test_only_retention_managers_edit_signals(self):
        signal = self.env.ref("support_retention.signal_sla_breaches")
        signal.with_user(self.user_manager).name = "Breaches"
        self.assertEqual(signal.with_user(self.user_agent).name, "Breaches")
        with self.assertRaises(AccessError):
            signal.with_user(self.user_agent).name = "Mine"
        with self.assertRaises(AccessError):
            signal.with_user(self.user_internal).read(["name"])

    def test_reversed_thresholds_cost_more_below(self):
        tenure = self.env.ref("support_retention.signal_tenure")
        self.assertEqual(tenure._risk_fraction(24), 0.0)
        self.assertEqual(tenure._risk_fraction(12), 0.5)
        self.assertEqual(tenure._risk_fraction(-3), 1.0)
        self.assertEqual(tenure._risk_fraction(None), 0.0)


class TestCompanies(RetentionCommon):
    def test_each_company_scores_its_own_tickets(self):
        company_b = self.env["res.company"].create({"name": "Retention B"})
        customer = self._healthy("Shared Co")
        team_b = self.env["helpdesk.ticket.team"].create(
            {"name": "B team", "company_id": company_b.id}
        )
        for days in (5, 6, 7):
            self._ticket(
                customer,
                days,
                breached=True,
                company_id=company_b.id,
                team_id=team_b.id,
            )
        score_a = self.Score._compute_scores(customer, self.company, NOW)
        score_b = self.Score._compute_scores(customer, company_b, NOW)
        self.assertEqual(score_a[customer.id]["score"], 100)
        reasons_b = [text for _l, text in score_b[customer.id]["reasons"]]
        self.assertIn("3 SLA breaches in 180 days", reasons_b)


class TestBands(RetentionCommon):
    def test_band_boundaries(self):
        from ..models.support_retention_score import band_of

        self.assertEqual(
            [band_of(score) for score in (100, 75, 74, 61, 60, 0)],
            ["healthy", "healthy", "watch", "watch", "at_risk", "at_risk"],
        )

    def test_a_customer_silent_for_years_is_at_risk(self):
        """With the shipped signals, a customer with neither a ticket nor an
        invoice for three years is at risk, not watched."""
        from ..models.support_retention_score import band_of

        silent = self._customer("Silent Co")
        self._ticket(silent, 1100)
        self._invoice(silent, 1100)
        result = self._scores(silent)[silent.id]
        self.assertEqual(band_of(result["score"]), "at_risk", result)
