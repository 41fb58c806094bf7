# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import LettersHttpCommon


@tagged("post_install", "-at_install")
class TestPreviewTour(LettersHttpCommon):
    def test_preview_tour(self):
        customer = self._customer("Tour Customer", ref="cltour", email=False)
        self.env["res.partner"].create(
            {
                "name": "Tour Contact",
                "parent_id": customer.id,
                "email": "tour@example.com",
            }
        )
        customer.support_points_grant(7, "tour")
        letter = self._letter(
            body="<p>Dear {{ object.contact_name }} of {{ object.company_name }},</p>"
            "<p>Your balance: {{ object.points_balance }} points.</p>",
            segments=[{"name": "All", "domain": "[('ref', '=', 'cltour')]"}],
        )
        self.start_tour(
            f"/odoo/action-customer_letters.customer_letter_action/{letter.id}",
            "customer_letters_preview",
            login="cl_author",
        )

    def test_send_test_tour_renders_for_the_preview_customer(self):
        """The test mail is the letter of the customer chosen in the preview,
        not of the first customer of the segments."""
        first = self._customer("Tour First", ref="cltest")
        self._customer("Tour Second", ref="cltest")
        letter = self._letter(
            body="<p>Dear {{ object.company_name }}</p>",
            segments=[{"name": "All", "domain": "[('ref', '=', 'cltest')]"}],
        )
        self.start_tour(
            f"/odoo/action-customer_letters.customer_letter_action/{letter.id}",
            "customer_letters_send_test",
            login="cl_author",
        )
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("email_to", "ilike", "author@example.com")])
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("Dear Tour Second", mail.body_html)
        self.assertNotIn(first.name, mail.body_html)
