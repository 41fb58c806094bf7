# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tools.safe_eval import safe_eval

from .common import SupportChargeCommon, SupportPointsCommon


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


class TestDashboardLowBalance(SupportChargeCommon):
    """The helpdesk dashboard counts each team's low-balance customers."""

    def test_team_counts_its_low_balance_customers_once(self):
        team = self.env["helpdesk.ticket.team"].create({"name": "Points desk"})
        third = self.Partner.create({"name": "Initech", "is_company": True})
        self._grant(self.customer, 1)  # low (threshold 1)
        self._grant(self.other_customer, 9)  # fine
        # third: never had points, not low
        for partner in (self.contact, self.contact, self.other_customer, third):
            self._ticket(partner=partner, team_id=team.id)
        closed = self._ticket(partner=self.other_customer, team_id=team.id)
        self._close(closed)
        team = team.with_user(self.helpdesk_user)
        self.assertEqual(team.support_points_low_count, 1)
        action = team.action_view_support_points_low_customers()
        self.assertEqual(self.Partner.search(action["domain"]), self.customer)
        # a pack bought takes the customer out of the count
        self._grant(self.customer, 5)
        team.invalidate_recordset()
        self.assertEqual(team.support_points_low_count, 0)

    def test_dashboard_card_shows_the_count(self):
        arch = self.env["helpdesk.ticket.team"].get_view(
            self.env.ref("helpdesk_mgmt.helpdesk_ticket_kanban_view").id, "kanban"
        )["arch"]
        self.assertIn("support_points_low_count", arch)
        self.assertIn("action_view_support_points_low_customers", arch)
