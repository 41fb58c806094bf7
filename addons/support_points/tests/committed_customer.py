# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase
from odoo.tools import config


class CommittedCustomerCase(BaseCase):
    """A customer of its own, committed with its first points, for tests that
    need separate database transactions (the balance row's lock only shows
    between them), removed afterwards."""

    customer_name = "Concurrent Co"
    first_points = 1

    def setUp(self):
        super().setUp()
        self.registry = Registry(config["db_name"].split(",")[0])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create(
                {"name": self.customer_name, "is_company": True}
            )
            self.partner_id = partner.id
            partner.support_points_grant(self.first_points, "first points")
        self.addCleanup(self._remove_customer)

    def _remove_customer(self):
        # SQL on purpose: the ledger is append-only (the ORM refuses to
        # delete its lines, and a customer with a ledger), and these rows were
        # committed, so no rollback takes them away
        with self.registry.cursor() as cr:
            params = {"partner": self.partner_id}
            cr.execute(
                "DELETE FROM support_points_move WHERE partner_id = %(partner)s", params
            )
            cr.execute(
                "DELETE FROM support_points_balance WHERE partner_id = %(partner)s",
                params,
            )
            cr.execute("DELETE FROM res_partner WHERE id = %(partner)s", params)
