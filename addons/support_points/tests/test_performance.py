# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from .common import SupportChargeCommon


class TestChargePerformance(SupportChargeCommon):
    @classmethod
    def _history(cls, partner, lines):
        """Insert a long, fully settled history (+1/-1 pairs) in one query."""
        cls.env.cr.execute(
            """
            INSERT INTO support_points_move
                (partner_id, company_id, points, kind, remaining, date, note)
            SELECT %(partner)s, %(company)s,
                   CASE WHEN n %% 2 = 0 THEN 1 ELSE -1 END,
                   CASE WHEN n %% 2 = 0 THEN 'adjust' ELSE 'consume' END,
                   0, now() at time zone 'UTC' - n * interval '1 hour', 'history'
              FROM generate_series(1, %(lines)s) AS n
            """,
            {"partner": partner.id, "company": cls.company.id, "lines": lines},
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.small = cls.Partner.create({"name": "Small history", "is_company": True})
        cls.big = cls.Partner.create({"name": "Long history", "is_company": True})
        cls.warm = cls.Partner.create({"name": "Warm-up", "is_company": True})
        cls._history(cls.small, 10)
        cls._history(cls.big, 10_000)
        for partner in (cls.small, cls.big, cls.warm):
            cls._grant(partner, 5)

    def _close_and_count(self, partner):
        ticket = self._ticket(partner=partner)
        self.env.flush_all()
        self.env.invalidate_all()
        count = self.cr.sql_log_count
        self._close(ticket)
        self.env.flush_all()
        queries = self.cr.sql_log_count - count
        self.assertEqual(ticket.support_charge_state, "charged")
        return queries

    def test_close_costs_the_same_for_10_or_10000_ledger_lines(self):
        self.assertEqual(
            self.Move.search_count([("partner_id", "=", self.big.id)]), 10_001
        )
        self._close_and_count(self.warm)
        small = self._close_and_count(self.small)
        big = self._close_and_count(self.big)
        self.assertEqual(small, big, (small, big))
        self.assertLessEqual(small, 40)
        self.assertEqual(self.big.support_points_balance, 4)
        self.assertEqual(self.small.support_points_balance, 4)

    def test_ticket_list_balance_costs_constant_queries(self):
        customers = self.Partner.create(
            [{"name": f"List customer {i}", "is_company": True} for i in range(80)]
        )
        self.Move.create(
            [{"partner_id": p.id, "points": 2, "kind": "grant"} for p in customers]
        )
        tickets = self.env["helpdesk.ticket"].create(
            [
                {"name": f"T{i}", "description": "x", "partner_id": p.id}
                for i, p in enumerate(customers)
            ]
        )
        self.env.invalidate_all()
        count = self.cr.sql_log_count
        values = tickets.mapped("support_points_balance")
        first = self.cr.sql_log_count - count
        self.assertEqual(set(values), {2})
        self._history(customers[0], 5_000)
        self.env.invalidate_all()
        count = self.cr.sql_log_count
        tickets.mapped("support_points_balance")
        self.assertEqual(self.cr.sql_log_count - count, first)
        self.assertLessEqual(first, 8, first)
