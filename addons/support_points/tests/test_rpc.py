# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from xmlrpc.client import Fault

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestLedgerOverRpc(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(
            cls.env,
            login="sp_rpc_admin",
            groups="base.group_system,support_points.group_support_points_manager",
        )
        cls.agent = new_test_user(
            cls.env, login="sp_rpc_agent", groups="helpdesk_mgmt.group_helpdesk_user"
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "RPC Corp", "is_company": True}
        )

    def _call(self, login, model, method, *args, **kwargs):
        user = self.env["res.users"].search([("login", "=", login)])
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, login, model, method, list(args), kwargs
        )

    @mute_logger("odoo.http")
    def test_ledger_is_immutable_over_rpc_even_for_admin(self):
        move_id = self._call(
            "sp_rpc_admin",
            "res.partner",
            "support_points_grant",
            [self.customer.id],
            3,
            "Granted over RPC",
        )
        move = self.env["support.points.move"].browse(move_id)
        self.assertEqual(move.points, 3)
        with self.assertRaisesRegex(Fault, "cannot be changed"):
            self._call(
                "sp_rpc_admin",
                "support.points.move",
                "write",
                [move_id],
                {"points": 30},
            )
        for context in ({}, {"_force_unlink": True}):
            with self.assertRaisesRegex(Fault, "cannot be deleted"):
                self._call(
                    "sp_rpc_admin",
                    "support.points.move",
                    "unlink",
                    [move_id],
                    context=context,
                )
        # private helpers are not reachable over RPC
        with self.assertRaises(Fault):
            self._call(
                "sp_rpc_admin",
                "support.points.move",
                "_set_remaining",
                [move_id],
                {},
            )
        move.invalidate_recordset()
        self.assertRecordValues(move, [{"points": 3, "remaining": 3}])

    @mute_logger("odoo.http")
    def test_agent_cannot_grant_over_rpc(self):
        with self.assertRaisesRegex(Fault, "support points manager"):
            self._call(
                "sp_rpc_agent",
                "res.partner",
                "support_points_grant",
                [self.customer.id],
                3,
                "no",
            )
        self.assertFalse(
            self.env["support.points.move"].search(
                [("partner_id", "=", self.customer.id)]
            )
        )
