# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import threading
import time
from itertools import accumulate

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .committed_customer import CommittedCustomerCase


@tagged("post_install", "-at_install")
class TestConcurrentRunningBalance(CommittedCustomerCase):
    """Two real transactions booking lines of the same customer: each line's
    running balance is the balance after it, in the order the lines are
    booked (id order), whoever wins the balance row's lock."""

    customer_name = "Concurrent Balance Co"
    first_points = 5

    def _book(self, env, points):
        return env["support.points.move"].create(
            {"partner_id": self.partner_id, "points": points, "kind": "adjust"}
        )

    def test_running_balance_follows_the_booking_order(self):
        outcome = {}
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            # both transactions see 5 before either books a line
            self.assertEqual(
                env2["res.partner"].browse(self.partner_id).support_points_balance, 5
            )
            first = self._book(env1, -2)
            self.assertEqual(first.balance_after, 3)

            def book_concurrently():
                try:
                    self._book(env2, -4)
                    outcome["result"] = "booked"
                except SerializationFailure:
                    outcome["result"] = "serialization failure"

            thread = threading.Thread(target=book_concurrently)
            thread.start()
            time.sleep(0.5)
            self.assertTrue(thread.is_alive(), "the second line waits for the lock")
            cr1.commit()
            thread.join(10)
            self.assertEqual(outcome.get("result"), "serialization failure")
            cr2.rollback()
            # Odoo retries: the line is booked again, after the first one
            env2.invalidate_all()
            retried = self._book(env2, -4)
            self.assertEqual(retried.balance_after, -1)
            cr2.commit()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            moves = env["support.points.move"].search(
                [("partner_id", "=", self.partner_id)], order="id"
            )
            self.assertEqual(
                moves.mapped("balance_after"),
                list(accumulate(moves.mapped("points"))),
            )
            self.assertEqual(moves.mapped("balance_after"), [5, 3, -1])
