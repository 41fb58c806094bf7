# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import PNG, WorkAuthorizationHttpCommon


@tagged("post_install", "-at_install")
class TestPortal(WorkAuthorizationHttpCommon):
    def setUp(self):
        super().setUp()
        self.authorization = self._authorization()
        self.authorization.action_send()
        self.order = self.authorization.order_id

    def _sign_as(self, login):
        if login:
            self.authenticate(login, login)
        return self.make_jsonrpc_request(
            f"/my/orders/{self.order.id}/accept",
            {
                "access_token": self.order._portal_ensure_token(),
                "name": "Someone",
                "signature": PNG,
            },
        )

    def test_portal_refuses_a_colleague_with_a_clear_message(self):
        result = self._sign_as("wa_carl")
        self.assertIn("Only the people Harbor Clinic authorized", result["error"])
        self.assertIn("Nadia Boss", result["error"])
        self.assertFalse(self.order.signature)
        self.assertEqual(self.order.state, "sent")
        self.assertEqual(self.authorization.state, "sent")

    def test_portal_refuses_an_anonymous_link(self):
        result = self._sign_as(None)
        self.assertIn("Log in to accept", result["error"])
        self.assertFalse(self.order.signature)

    def test_portal_accepts_the_authorized_contact(self):
        result = self._sign_as("wa_tom")
        self.assertNotIn("error", result)
        self.assertEqual(self.order.state, "sale")
        self.assertEqual(self.authorization.state, "accepted")
        self.assertEqual(self.authorization.accepted_by_id, self.backup)

    def test_portal_quotation_says_what_it_authorizes_and_who_accepts(self):
        self.authenticate("wa_carl", "wa_carl")
        page = self.url_open(self.order.get_portal_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"Work authorization {self.authorization.name}", page.text)
        self.assertIn("Can accept for Harbor Clinic:", page.text)
        self.assertIn("Nadia Boss, Tom Backup", page.text)

    def test_portal_ticket_shows_estimate_against_actual(self):
        self._accept(self.authorization, self.portal_contact)
        self._log(2.5, self.onsite)
        self._log(0.5, self.remote, work_auth_no_charge=True)
        self.authenticate("wa_nadia", "wa_nadia")
        page = self.url_open(f"/my/ticket/{self.ticket.id}")
        self.assertEqual(page.status_code, 200)
        for expected in (
            self.authorization.name,
            "On site",
            "2:00",
            "2:30",
            "no charge",
        ):
            self.assertIn(expected, page.text)
