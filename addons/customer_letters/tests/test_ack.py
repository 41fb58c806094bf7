# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
from urllib.parse import urlsplit

from odoo.tests import tagged
from odoo.tools import config, mute_logger

from .common import LettersHttpCommon

SCOPE = "[('ref', '=', 'clack')]"


@tagged("post_install", "-at_install")
class TestAck(LettersHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("Ack One", ref="clack")
        cls.other = cls._customer("Ack Two", ref="clack")
        cls.letter = cls._letter(
            ack_required=True,
            body='<p>Hi</p><p><a href="{{ object.ack_url }}">Confirm</a></p>',
            segments=[{"name": "All", "domain": SCOPE}],
        )
        cls.letter.with_user(cls.user_granter).action_approve()
        cls.letter.with_user(cls.user_manager).action_send()
        cls.recipient = cls.letter.recipient_ids.filtered(
            lambda r: r.customer_id == cls.customer
        )

    def _link(self, recipient):
        url = re.search(r'href="([^"]+)"', recipient.mail_body).group(1)
        return url.replace("&amp;", "&")

    def _acks(self):
        return self.env["customer.letter.ack"].search(
            [("letter_id", "=", self.letter.id)]
        )

    def _token(self, recipient):
        return self._link(recipient).split("token=")[1]

    def _confirm(self, customer, token):
        return self.url_open(
            f"/letters/ack/{self.letter.id}/{customer.id}/confirm",
            data={"token": token},
        )

    def test_valid_token_then_reused(self):
        link = self._link(self.recipient)
        self.assertIn(f"/letters/ack/{self.letter.id}/{self.customer.id}?token=", link)
        page = self.url_open(link)
        self.assertEqual(page.status_code, 200)
        self.assertIn("I acknowledge the terms", page.text)
        self.assertFalse(self._acks(), "showing the page writes nothing")

        response = self._confirm(self.customer, self._token(self.recipient))
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_customer_letter_ack_done", response.text)
        ack = self._acks()
        self.assertEqual(len(ack), 1)
        self.assertEqual(ack.partner_id, self.customer)
        self.assertEqual(ack.contact_id, self.customer)
        self.assertTrue(ack.date)
        self.assertTrue(self.recipient.acknowledged)
        self.assertEqual(self.customer.customer_letter_ack_ids, ack)
        self.assertEqual(self.letter.ack_count, 1)

        # reused: friendly page, nothing more written
        response = self._confirm(self.customer, self._token(self.recipient))
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_customer_letter_ack_already", response.text)
        self.assertEqual(self._acks(), ack)
        page = self.url_open(link)
        self.assertIn("o_customer_letter_ack_already", page.text)

    def test_forged_tokens(self):
        token = self._token(self.recipient)
        other_recipient = self.letter.recipient_ids - self.recipient
        cases = [
            (self.customer, token[:-1] + ("A" if token[-1] != "A" else "B")),
            (self.customer, ""),
            (self.customer, "preview"),
            # the other customer's link with this customer's token
            (self.other, token),
        ]
        for customer, forged in cases:
            response = self._confirm(customer, forged)
            self.assertEqual(response.status_code, 404, forged)
            self.assertIn("o_customer_letter_ack_invalid", response.text)
        response = self.url_open(
            f"/letters/ack/{self.letter.id + 1000}/1?token={token}"
        )
        self.assertEqual(response.status_code, 404)
        self.assertIn("o_customer_letter_ack_invalid", response.text)
        self.assertFalse(self._acks())
        self.assertFalse(other_recipient.acknowledged)

    def test_mailed_link_works_on_localhost(self):
        """The link as the customer receives it, opened on the README's own
        address (http://localhost:8069): the page answers (it was a 500 from
        the UTM cookie of a tracked link) and shows the subject the customer
        received, never the internal name of the letter."""
        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", f"http://localhost:{config['http_port']}"
        )
        letter = self._letter(
            name="Internal: restate terms to phone abusers",
            ack_required=True,
            body='<p>Hi</p><p><a href="{{ object.ack_url }}">Confirm</a></p>',
            segments=[{"name": "All", "domain": SCOPE}],
        )
        letter.with_user(self.user_granter).action_approve()
        letter.with_user(self.user_manager).action_send()
        self._run_sending(letter)
        recipient = letter.recipient_ids.filtered(
            lambda r: r.customer_id == self.customer
        )
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("mailing_id", "=", letter.mailing_id.id),
                    ("model", "=", recipient._name),
                    ("res_id", "=", recipient.id),
                ]
            )
        )
        self.assertEqual(len(mail), 1)
        href = re.search(r'href="([^"]+)">Confirm', mail.body_html).group(1)
        self.assertTrue(href.startswith("http://localhost:"), href)
        with mute_logger("odoo.http"):
            page = self.url_open(href.replace("&amp;", "&"))
        self.assertEqual(page.status_code, 200)
        self.assertIn("I acknowledge the terms", page.text)
        self.assertIn(recipient.mail_subject, page.text)
        # the tracked link does not pass the UTM source, named after the letter
        self.assertEqual(
            urlsplit(page.url).path, f"/letters/ack/{letter.id}/{self.customer.id}"
        )
        self.assertNotIn("utm_source", page.url)
        self.assertNotIn("Internal", page.url)
        self.assertNotIn("Internal", page.text)
