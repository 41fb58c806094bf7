# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tools.safe_eval import safe_eval

from .common import SupportPointsCommon


class TestPackMenu(SupportPointsCommon):
    """Point packs are found in Helpdesk, filtered to the packs."""

    def test_agent_finds_the_packs_in_helpdesk(self):
        pack = self.env["product.template"].create(
            {"name": "Ten points", "type": "service", "support_points": 10}
        )
        self.env["product.template"].create({"name": "Chair", "type": "consu"})
        menu = self.env.ref("support_points.support_points_pack_menu")
        self.assertEqual(
            menu.parent_id, self.env.ref("support_points.support_points_menu")
        )
        visible = (
            self.env["ir.ui.menu"].with_user(self.helpdesk_user)._visible_menu_ids()
        )
        self.assertIn(menu.id, visible)
        action = menu.action
        found = (
            self.env["product.template"]
            .with_user(self.helpdesk_user)
            .search(safe_eval(action.domain))
        )
        self.assertIn(pack, found)
        self.assertFalse(found.filtered(lambda p: not p.support_points))
        context = safe_eval(action.context)
        self.assertEqual(context["default_type"], "service")
        self.assertGreater(context["default_support_points"], 0)

