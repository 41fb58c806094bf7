# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from lxml import etree

from odoo.tests import HttpCase, new_test_user, tagged

from .common import SupportChargeCommon, SupportPointsCommon


class TestTicketDisplay(SupportChargeCommon):
    """The balance on the ticket kanban and list answers "does this customer
    have points?" instead of a warning on every card."""

    def _shown(self, partner):
        ticket = self._ticket(partner=partner, user=self.helpdesk_user)
        return ticket.support_points_display, ticket.support_points_label

    def test_customer_without_points_is_muted_when_rules_charge(self):
        # the shipped rules charge points: the agent sees "No points", muted
        self.assertEqual(self._shown(self.other_customer), ("empty", "No points"))

    def test_customer_without_points_shows_nothing_when_nothing_is_charged(self):
        rules = self.env["support.charge.rule"].search([("points", ">", 0)])
        rules.action_archive()
        self.assertEqual(self._shown(self.other_customer)[0], "none")

    def test_one_point_is_singular_and_low(self):
        self._grant(self.customer, 1)
        self.assertEqual(self._shown(self.contact), ("low", "1 point"))

    def test_warning_follows_the_company_threshold(self):
        self._grant(self.customer, 5)
        self.assertEqual(self._shown(self.contact), ("ok", "5 points"))
        self.company.support_points_low_threshold = 5
        self.assertEqual(self._shown(self.contact), ("low", "5 points"))

    def test_customer_who_used_all_points_is_low(self):
        self._grant(self.customer, 1)
        self._close(self._ticket())
        self.assertEqual(self._shown(self.contact), ("low", "No points"))

    def test_portal_user_reads_its_own_ticket_display(self):
        # the customer may read the ledger of its own company but not the
        # charge rules: no access error, the ticket reads as charged
        ticket = self._ticket()
        rows = ticket.with_user(self.portal_user).read(
            ["support_points_display", "support_points_label"]
        )
        self.assertEqual(rows[0]["support_points_display"], "empty")
        self._grant(self.customer, 5)
        ticket.invalidate_model()
        rows = ticket.with_user(self.portal_user).read(["support_points_label"])
        self.assertEqual(rows[0]["support_points_label"], "5 points")

    def test_list_headers_fit_their_columns(self):
        """At 1440 pixels the ticket list read "Ticket num...", "Partner
        Na..." and "Last Stage Up...": shorter headers, widths where needed."""
        view = self.env["helpdesk.ticket"].get_views([(False, "list")])
        arch = etree.fromstring(view["views"]["list"]["arch"])

        def column(name):
            return arch.xpath(f"//field[@name='{name}']")[0]

        self.assertEqual(column("number").get("string"), "Number")
        self.assertEqual(column("partner_name").get("string"), "Requester")
        self.assertEqual(column("last_stage_update").get("string"), "In stage since")
        self.assertTrue(column("last_stage_update").get("width"))
        self.assertTrue(column("stage_id").get("width"))


class TestGrantWizardScreen(SupportPointsCommon):
    def test_reopened_wizard_keeps_its_title(self):
        wizard = (
            self.env["support.points.grant.wizard"]
            .with_user(self.manager)
            .create({"points": 1, "customer_since_years": 1})
        )
        action = wizard.action_select_long_standing()
        self.assertEqual(action["name"], "Grant support points")

    def test_customers_field_has_a_label(self):
        arch = self.env["support.points.grant.wizard"].get_view(view_type="form")[
            "arch"
        ]
        fields = etree.fromstring(arch).xpath("//group/field[@name='partner_ids']")
        self.assertTrue(fields, "the customers field sits in a group: labelled")
        self.assertFalse(fields[0].get("nolabel"))


@tagged("post_install", "-at_install")
class TestTicketCardsTour(HttpCase):
    def test_agent_reads_the_balance_on_cards_and_form(self):
        agent = new_test_user(
            self.env,
            login="sp_cards_agent",
            groups="helpdesk_mgmt.group_helpdesk_user",
        )
        self.env.company.support_points_low_threshold = 1
        partners = self.env["res.partner"]
        low = partners.create({"name": "Low Display Corp", "is_company": True})
        rich = partners.create({"name": "Rich Display Corp", "is_company": True})
        newcomer = partners.create({"name": "New Display Corp", "is_company": True})
        low.support_points_grant(1, "Display gift")
        rich.support_points_grant(12, "Display pack")
        self.env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Display {key} jam",
                    "description": "<p>jammed</p>",
                    "partner_id": partner.id,
                    "user_id": agent.id,
                }
                for key, partner in (
                    ("low", low),
                    ("rich", rich),
                    ("newcomer", newcomer),
                )
            ]
        )
        self.start_tour(
            "/odoo/helpdesk-tickets?view_type=kanban",
            "support_points_ticket_cards",
            login="sp_cards_agent",
        )
