# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import UserError
from odoo.tests import new_test_user

from .common import SupportChargeCommon


class TestDeletion(SupportChargeCommon):
    """Deleting what the points history refers to is refused with a sentence
    naming the record and what to do, never the database's foreign key."""

    def _assert_clear(self, error, name, advice):
        message = str(error.exception)
        self.assertIn(name, message)
        self.assertIn(advice, message)
        for word in ("constraint", "violates", "foreign key"):
            self.assertNotIn(word, message.lower())

    def test_used_rule_is_archived_not_deleted(self):
        self._grant(self.customer, 5)
        rule = self.env["support.charge.rule"].create(
            {"name": "Urgent: three points", "sequence": 1, "points": 3}
        )
        self._close(self._ticket())
        unused = self.env["support.charge.rule"].create(
            {"name": "Never used", "sequence": 50, "points": 2}
        )
        rules = self.env["support.charge.rule"].with_user(self.manager)
        with self.assertRaises(UserError) as error:
            rules.browse(rule.id).unlink()
        self._assert_clear(error, "Urgent: three points", "archive the rule")
        rules.browse(rule.id).write({"active": False})
        rules.browse(unused.id).unlink()
        self.assertFalse(unused.exists())

    def test_charged_ticket_is_archived_not_deleted(self):
        team_manager = new_test_user(
            self.env,
            login="sp_del_manager",
            groups="helpdesk_mgmt.group_helpdesk_manager",
        )
        self._grant(self.customer, 5)
        charged = self._close(self._ticket())
        open_ticket = self._ticket()
        with self.assertRaises(UserError) as error:
            charged.with_user(team_manager).unlink()
        self._assert_clear(error, charged.display_name, "Archive")
        # after a refund too: the ledger keeps the charge and its refund
        charged.with_user(self.manager).action_support_refund()
        with self.assertRaises(UserError):
            charged.with_user(team_manager).unlink()
        charged.with_user(team_manager).write({"active": False})
        open_ticket.with_user(team_manager).unlink()
        self.assertFalse(open_ticket.exists())

    def test_customer_with_points_history_is_archived_not_deleted(self):
        partner_manager = new_test_user(
            self.env,
            login="sp_partner_manager",
            groups="base.group_user,base.group_partner_manager",
        )
        self._grant(self.customer, 5)
        customer = self.customer.with_user(partner_manager)
        with self.assertRaises(UserError) as error:
            customer.unlink()
        self._assert_clear(error, "Acme Corp", "archive them")
        customer.write({"active": False})
        # a customer without points history is deleted as before
        self.other_customer.with_user(partner_manager).unlink()
        self.assertFalse(self.other_customer.exists())
