# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SupportClosingMailCommon


class TestCloseEmail(SupportClosingMailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pack = cls.env["product.product"].create(
            {
                "name": "Buy 5, get 6",
                "type": "service",
                "list_price": 250.0,
                "support_points": 6,
            }
        )

    def test_close_sends_one_email_with_points_left(self):
        self._grant(self.customer, 3)
        ticket = self._close_tracked()
        mail = self._closing_mails(ticket)
        self.assertEqual(len(mail), 1, "one email on close")
        self.assertIn("has been closed", mail.body_html)
        self.assertIn("o_support_points_charged", mail.body_html)
        self.assertRegex(mail.body_html, r"<strong>2</strong> support\s+point")
        self.assertNotIn("o_support_points_offer", mail.body_html)

    def test_low_balance_email_offers_pack(self):
        self._grant(self.customer, 1)
        ticket = self._close_tracked()
        mail = self._closing_mails(ticket)
        self.assertIn("o_support_points_offer", mail.body_html)
        self.assertIn("Buy 5, get 6", mail.body_html)

    def test_fee_email_names_the_fee(self):
        ticket = self._close_tracked()
        mail = self._closing_mails(ticket)
        self.assertIn("o_support_points_fee", mail.body_html)
        fee = ticket.support_fee_line_id.price_total
        self.assertTrue(fee)
        self.assertIn(f"{fee:.2f}", mail.body_html)

    def test_credit_email(self):
        ticket = self._close_tracked(support_vendor_fault=True)
        mail = self._closing_mails(ticket)
        self.assertIn("o_support_points_credited", mail.body_html)

    def test_ticket_shows_balance_and_low_warning(self):
        self._grant(self.customer, 2)
        ticket = self._ticket(user=self.helpdesk_user)
        self.assertEqual(ticket.support_points_balance, 2)
        self.assertFalse(ticket.support_points_low)
        self._close(ticket)
        self.assertEqual(ticket.support_points_balance, 1)
        self.assertTrue(ticket.support_points_low)


@tagged("post_install", "-at_install")
class TestPortal(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        partners = cls.env["res.partner"]
        cls.customer = partners.create({"name": "Portal Corp", "is_company": True})
        cls.contact = partners.create(
            {"name": "Pat Portal", "parent_id": cls.customer.id}
        )
        cls.stranger = partners.create({"name": "Stranger Inc", "is_company": True})
        cls.portal_user = new_test_user(
            cls.env,
            login="sp_portal_http",
            groups="base.group_portal",
            partner_id=cls.contact.id,
        )
        cls.customer.support_points_grant(4, "Portal welcome")
        cls.stranger.support_points_grant(9, "Stranger secret")

    def test_portal_page_shows_own_company_only(self):
        self.authenticate("sp_portal_http", "sp_portal_http")
        response = self.url_open("/my/support-points")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Portal welcome", response.text)
        self.assertIn("o_support_points_balance", response.text)
        self.assertRegex(response.text, r"o_support_points_balance\"[^>]*>4<")
        self.assertNotIn("Stranger secret", response.text)

    def test_portal_user_reads_only_own_ledger(self):
        moves = self.env["support.points.move"].with_user(self.portal_user)
        self.assertEqual(moves.search([]).partner_id, self.customer)

    def test_anonymous_is_redirected_to_login(self):
        response = self.url_open("/my/support-points", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])


@tagged("post_install", "-at_install")
class TestTicketTour(HttpCase):
    def test_agent_sees_balance_on_ticket(self):
        agent = new_test_user(
            self.env,
            login="sp_tour_agent",
            groups="helpdesk_mgmt.group_helpdesk_user",
        )
        customer = self.env["res.partner"].create(
            {"name": "Tour Corp", "is_company": True}
        )
        customer.support_points_grant(1, "Tour gift")
        self.env["helpdesk.ticket"].create(
            {
                "name": "Tour printer jam",
                "description": "<p>jammed</p>",
                "partner_id": customer.id,
                "user_id": agent.id,
            }
        )
        self.start_tour(
            "/odoo/helpdesk-tickets",
            "support_points_ticket_balance",
            login="sp_tour_agent",
        )
