# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, new_test_user


class TestInstall(TransactionCase):
    def test_manager_group_implies_helpdesk_user(self):
        manager = new_test_user(
            self.env,
            login="support_certification_mgr",
            groups="support_certification.group_sla_manager",
        )
        self.assertTrue(manager.has_group("helpdesk_mgmt.group_helpdesk_user"))
        plain = new_test_user(
            self.env, login="support_certification_plain", groups="base.group_user"
        )
        self.assertFalse(plain.has_group("support_certification.group_sla_manager"))
