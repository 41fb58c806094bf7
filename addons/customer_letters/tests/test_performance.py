# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import time

from .common import LettersCommon

_logger = logging.getLogger(__name__)
SCOPE = "[('ref', '=', 'clperf')]"
# ten of the same customers
SMALL_SCOPE = repr(
    [("ref", "=", "clperf"), ("name", "in", [f"Perf {i}" for i in range(1, 11)])]
)


class TestPerformance(LettersCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cr = cls.env.cr
        # 10,000 customers and 30,000 tickets over 8 years, written in SQL:
        # the test is about counting them, not about creating them
        cr.execute(
            """
            INSERT INTO res_partner (name, autopost_bills, is_company, active,
                                     customer_rank, type, ref, email,
                                     create_date, write_date)
            SELECT 'Perf ' || g, 'ask', TRUE, TRUE, 1, 'contact', 'clperf',
                   'perf' || g || '@example.com', NOW(), NOW()
              FROM generate_series(1, 10000) g
            """
        )
        cr.execute(
            "UPDATE res_partner SET commercial_partner_id = id WHERE ref = 'clperf'"
        )
        cr.execute(
            """
            INSERT INTO helpdesk_ticket (name, description, company_id, partner_id,
                                         commercial_partner_id, stage_id, number,
                                         active, create_date, closed_date,
                                         support_charge_state)
            SELECT 'Perf ticket', 'Help', %s, p.id, p.id, %s,
                   'PERF' || p.id || '-' || g,
                   TRUE, NOW() - ((p.id * 7 + g * 131) %% 2900) * INTERVAL '1 day',
                   NOW() - ((p.id * 7 + g * 131) %% 2900) * INTERVAL '1 day',
                   'none'
              FROM res_partner p, generate_series(1, 3) g
             WHERE p.ref = 'clperf'
            """,
            (cls.company.id, cls.stage_done.id),
        )
        cls.env.invalidate_all()
        partners = cls.env["res.partner"].search([("ref", "=", "clperf")], limit=50)
        for partner in partners:
            partner.support_points_grant(20, "perf")
        cls.letter = cls._letter(segments=cls._perf_segments(SCOPE))
        cls.small_letter = cls._letter(segments=cls._perf_segments(SMALL_SCOPE))
        cls.env.flush_all()
        cr.execute("ANALYZE res_partner")
        cr.execute("ANALYZE helpdesk_ticket")

    @classmethod
    def _perf_segments(cls, scope):
        return [
            {"name": "All", "domain": scope},
            {"name": "Old", "domain": scope, "min_tenure_years": 5},
            {
                "name": "Frequent",
                "domain": scope,
                "min_closed_tickets": 2,
                "closed_tickets_months": 24,
            },
            {
                "name": "Low balance",
                "domain": scope,
                "use_max_points": True,
                "max_points_balance": 10,
            },
            {
                "name": "Standard tier",
                "domain": scope,
                "sla_tier_ids": [
                    (
                        6,
                        0,
                        cls.env.ref("support_certification.sla_tier_standard").ids,
                    )
                ],
            },
        ]

    def test_counting_10000_customers_under_2s(self):
        self.env.invalidate_all()
        start = time.perf_counter()
        counts = self.letter.segment_ids.mapped("recipient_count")
        total = self.letter.target_count
        elapsed = time.perf_counter() - start
        _logger.info(
            "Counted recipients of 5 segments over 10,000 customers in %.3f s: %s, "
            "total %s",
            elapsed,
            counts,
            total,
        )
        self.assertEqual(counts[0], 10000)
        self.assertEqual(total, 10000)
        self.assertEqual(counts[3], 9950)
        self.assertEqual(counts[4], 10000, "nobody certified: the default tier")
        self.assertTrue(0 < counts[1] < 10000)
        self.assertTrue(0 < counts[2] < 10000)
        self.assertLess(elapsed, 2.0)

    def _count_queries(self, letter):
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        counts = letter.segment_ids.mapped("recipient_count")
        total = letter.target_count
        return self.env.cr.sql_log_count - before, counts, total

    def test_counting_queries_do_not_grow_with_customers(self):
        """Counting is SQL: the same number of queries for 10 customers as
        for 10,000 (one count per segment and one for the letter, plus the
        constant look-ups of the criteria)."""
        self._count_queries(self.small_letter)  # warm the caches (like @warmup)
        small, small_counts, small_total = self._count_queries(self.small_letter)
        self.assertEqual(small_counts[0], 10)
        self.assertEqual(small_total, 10)
        with self.assertQueryCount(small):
            _large, counts, total = self._count_queries(self.letter)
        self.assertEqual(counts[0], 10000)
        self.assertEqual(total, 10000)
        # 18 measured: a count per segment and for the letter, the look-ups
        # of the criteria (balances, default tier) and access rules
        self.assertLessEqual(small, 20)
