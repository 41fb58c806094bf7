# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPortalPacks(HttpCase):
    """The customer's balance page explains what a point buys and lets the
    customer ask for a pack; the money follows documents: a draft invoice
    for the salesperson, points once it is posted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        partners = cls.env["res.partner"]
        cls.company = cls.env.company
        cls.company.support_points_empty_policy = "fee"
        cls.salesperson = new_test_user(
            cls.env,
            login="sp_pack_sales",
            groups="base.group_user,account.group_account_invoice",
        )
        cls.customer = partners.create(
            {
                "name": "Pack Corp",
                "is_company": True,
                "user_id": cls.salesperson.id,
            }
        )
        cls.contact = partners.create(
            {"name": "Paula Pack", "parent_id": cls.customer.id}
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="sp_pack_portal",
            groups="base.group_portal",
            partner_id=cls.contact.id,
        )
        cls.customer.support_points_grant(1, "Welcome")
        products = cls.env["product.product"]
        cls.pack = products.create(
            {
                "name": "Ten points pack",
                "type": "service",
                "list_price": 450.0,
                "support_points": 10,
                "sale_ok": True,
            }
        )
        cls.chair = products.create(
            {"name": "Office chair", "type": "consu", "list_price": 90.0}
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other Co"})
        cls.foreign_pack = products.create(
            {
                "name": "Other company pack",
                "type": "service",
                "support_points": 5,
                "company_id": cls.other_company.id,
            }
        )

    def _page(self, path="/my/support-points"):
        response = self.url_open(path)
        self.assertEqual(response.status_code, 200)
        return response.text

    def _token(self):
        token = re.search(r'name="csrf_token" value="([^"]+)"', self._page())
        self.assertTrue(token, "the page has a request form")
        return token.group(1)

    def _request(self, product, token=None):
        return self.url_open(
            "/my/support-points/request",
            data={"csrf_token": token or self._token(), "pack_id": product.id},
        )

    def _requests(self):
        return self.env["account.move"].search(
            [("partner_id", "=", self.customer.id), ("move_type", "=", "out_invoice")]
        )

    def test_page_says_what_a_point_buys_and_offers_the_packs(self):
        self.authenticate("sp_pack_portal", "sp_pack_portal")
        page = self._page()
        self.assertIn("What a point buys", page)
        # the shipped rules, in plain words, in the order they apply
        self.assertIn("Email or web: free", page)
        self.assertIn("Free", page)
        self.assertIn("Phone: one point", page)
        self.assertIn("1 point<", page)
        self.assertIn("invoiced as a support incident", page)
        self.assertIn("60.00", page)  # the shipped fee product's price
        self.assertIn("Ten points pack", page)
        self.assertIn("Request this pack", page)
        self.assertNotIn("Office chair", page)
        self.assertNotIn("Other company pack", page)

    def test_request_makes_a_draft_invoice_for_the_salesperson(self):
        self.authenticate("sp_pack_portal", "sp_pack_portal")
        token = self._token()
        response = self._request(self.pack, token)
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_support_points_requested", response.text)
        invoice = self._requests()
        self.assertEqual(len(invoice), 1)
        self.assertRecordValues(
            invoice,
            [
                {
                    "state": "draft",
                    "invoice_user_id": self.salesperson.id,
                    "company_id": self.company.id,
                    "amount_untaxed": 450.0,
                }
            ],
        )
        self.assertEqual(invoice.invoice_line_ids.product_id, self.pack)
        self.assertEqual(invoice.activity_ids.user_id, self.salesperson)
        # no points before the invoice is confirmed
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.support_points_balance, 1)
        # a second click (an old page) does not make a second invoice
        self._request(self.pack, token)
        self.assertEqual(len(self._requests()), 1)
        page = self._page()
        self.assertIn("o_support_points_pending", page)
        self.assertNotIn("Request this pack", page)
        # the salesperson posts it: the points come from the invoice line
        invoice.with_user(self.salesperson).action_post()
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.support_points_balance, 11)
        self.assertIn("Request this pack", self._page())

    def test_forged_requests_make_nothing(self):
        self.authenticate("sp_pack_portal", "sp_pack_portal")
        for product in (self.chair, self.foreign_pack):
            response = self._request(product)
            self.assertIn("o_support_points_error", response.text)
        token = self._token()
        for pack_id in ("abc", "999999", ""):
            self.url_open(
                "/my/support-points/request",
                data={"csrf_token": token, "pack_id": pack_id},
            )
        self.assertFalse(self._requests())

    def test_anonymous_cannot_request(self):
        response = self.url_open(
            "/my/support-points/request",
            data={"pack_id": self.pack.id},
            allow_redirects=False,
        )
        self.assertNotEqual(response.status_code, 200)
        self.assertFalse(self._requests())

    def test_home_tile_shows_for_a_customer_without_points(self):
        # the page offers packs: the tile is there before any points
        newcomer = self.env["res.partner"].create({"name": "New Corp"})
        new_test_user(
            self.env,
            login="sp_pack_newcomer",
            groups="base.group_portal",
            partner_id=newcomer.id,
        )
        self.authenticate("sp_pack_newcomer", "sp_pack_newcomer")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["support_points_count"]}
        )
        self.assertTrue(counters["support_points_count"])
        self.assertRegex(
            self._page("/my/home"), r"o_support_points_home_balance\"[^>]*>No points<"
        )

    def test_home_tile_shows_the_balance(self):
        self.authenticate("sp_pack_portal", "sp_pack_portal")
        page = self._page("/my/home")
        self.assertRegex(page, r"o_support_points_home_balance\"[^>]*>1 point<")
