# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from odoo.tests import tagged

from .common import LettersHttpCommon

SCOPE = "[('ref', '=', 'cltr')]"


@tagged("post_install", "-at_install")
class TestAckPageTranslated(LettersHttpCommon):
    """The acknowledgement page speaks the language the letter was written
    in for the customer, with this add-on's i18n/fr.po and de.po loaded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("fr_FR", "de_DE"):
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(
            ["customer_letters"], ["fr_FR", "de_DE"], overwrite=True
        )
        cls.french = cls._customer("Dupont SA", ref="cltr", lang="fr_FR")
        cls.german = cls._customer("Müller GmbH", ref="cltr", lang="de_DE")
        cls.letter = cls._letter(
            ack_required=True,
            body='<p>Hi</p><p><a href="{{ object.ack_url }}">Confirm</a></p>',
            segments=[{"name": "All", "domain": SCOPE}],
        )
        cls.letter.with_user(cls.user_granter).action_approve()
        cls.letter.with_user(cls.user_manager).action_send()

    def _recipient(self, customer):
        return self.letter.recipient_ids.filtered(lambda r: r.customer_id == customer)

    def _link(self, customer):
        body = self._recipient(customer).mail_body
        return re.search(r'href="([^"]+)"', body).group(1).replace("&amp;", "&")

    def _confirm(self, customer):
        token = self._link(customer).split("token=")[1]
        return self.url_open(
            f"/letters/ack/{self.letter.id}/{customer.id}/confirm",
            data={"token": token},
        )

    def test_french_customer_reads_the_page_in_french(self):
        page = self.url_open(self._link(self.french)).text
        self.assertIn("Merci d'avoir lu notre lettre", page)
        self.assertIn("En confirmant, vous reconnaissez au nom de", page)
        self.assertIn("avoir lu les conditions de service", page)
        self.assertIn("Je confirme avoir lu les conditions", page)
        self.assertNotIn("I acknowledge the terms", page)

        done = self._confirm(self.french).text
        self.assertIn("Votre confirmation de lecture de", done)
        self.assertIn("est enregistrée.", done)

        already = self._confirm(self.french).text
        self.assertIn("Déjà enregistré", already)
        self.assertRegex(
            already, r"</strong>\s+: lecture déjà confirmée pour\s+<strong>Dupont SA"
        )

    def test_german_customer_reads_the_page_in_german(self):
        page = self.url_open(self._link(self.german)).text
        self.assertIn("Vielen Dank, dass Sie unseren Brief gelesen haben", page)
        self.assertIn("Ich bestätige die Bedingungen", page)
        self._confirm(self.german)
        already = self._confirm(self.german).text
        # the sentence reads whole around the customer's name
        self.assertRegex(
            already,
            r"\s+ist für\s+<strong>Müller GmbH</strong> bereits bestätigt\. "
            r"Es ist nichts weiter zu tun",
        )

    def test_invalid_link_page_without_a_customer_stays_english(self):
        """A link matching no letter has no customer to take a language
        from: the visitor's (here English) is used."""
        page = self.url_open(f"/letters/ack/{self.letter.id}/{self.french.id}?token=x")
        self.assertEqual(page.status_code, 404)
        self.assertIn("This link is not valid", page.text)
