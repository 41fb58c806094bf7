# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import threading
import time

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .committed_customer import CommittedCustomerCase


@tagged("post_install", "-at_install")
class TestConcurrentCharges(CommittedCustomerCase):
    """Two real transactions spending the same customer's points.

    Runs on committed data (its own customer, removed afterwards) because the
    lock only shows between separate database transactions.
    """

    def _consume(self, env):
        return env["support.points.move"].create(
            {"partner_id": self.partner_id, "points": -1, "kind": "consume"}
        )

    def test_second_transaction_waits_and_retries(self):
        outcome = {}
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            partner2 = env2["res.partner"].browse(self.partner_id)
            # both transactions see one point before either spends it
            self.assertEqual(partner2.support_points_balance, 1)
            self.assertEqual(
                env1["res.partner"].browse(self.partner_id).support_points_balance, 1
            )
            first = self._consume(env1)
            self.assertEqual(first.remaining, 0, "the point covered the charge")

            def spend_again():
                try:
                    self._consume(env2)
                    outcome["result"] = "spent"
                except SerializationFailure:
                    outcome["result"] = "serialization failure"

            thread = threading.Thread(target=spend_again)
            thread.start()
            time.sleep(0.5)
            self.assertTrue(thread.is_alive(), "the second charge waits for the lock")
            cr1.commit()
            thread.join(10)
            self.assertEqual(outcome.get("result"), "serialization failure")
            cr2.rollback()
            # Odoo retries the request: with fresh data nothing is left
            env2.invalidate_all()
            retried = self._consume(env2)
            self.assertEqual(retried.remaining, -1, "no point left: an overdraft")
            cr2.commit()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            moves = env["support.points.move"].search(
                [("partner_id", "=", self.partner_id)]
            )
            self.assertEqual(sorted(moves.mapped("points")), [-1, -1, 1])
            self.assertEqual(
                env["res.partner"].browse(self.partner_id).support_points_balance, -1
            )
