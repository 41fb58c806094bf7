# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged

from .common import SupportClosingMailCommon, SupportPointsCommon


class FrenchMixin:
    """French activated and this add-on's i18n/fr.po loaded, as when an
    administrator adds French to a database where the add-on is installed."""

    @classmethod
    def _load_french(cls):
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["support_points"], ["fr_FR"], overwrite=True
        )


class TestClosingEmailFrench(FrenchMixin, SupportClosingMailCommon):
    """A French customer reads the closing email, points paragraph
    included, in French; an English customer still reads English."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_french()

    def test_french_customer_gets_the_points_paragraph_in_french(self):
        self.contact.lang = "fr_FR"
        self._grant(self.customer, 3)
        mail = self._closing_mails(self._close_tracked())
        self.assertEqual(len(mail), 1)
        self.assertIn("a été clôturé", mail.subject)
        body = mail.body_html
        self.assertIn("Bonjour", body)
        self.assertIn("a été clôturé.", body)
        self.assertIn("Cette demande a utilisé 1 point d'assistance.", body)
        self.assertIn("Il vous reste", body)
        self.assertIn("<strong>2</strong> points d'assistance.", body)
        self.assertNotIn("support point", body)

    def test_french_customer_is_told_what_they_owe_in_french(self):
        self.contact.lang = "fr_FR"
        self.company.support_points_empty_policy = "overdraft"
        mail = self._closing_mails(self._close_tracked())
        self.assertIn(
            "Votre solde de points d'assistance est de <strong>-1</strong> : "
            "vous devez 1 point d'assistance.",
            mail.body_html,
        )

    def test_english_customer_still_gets_english(self):
        self.contact.lang = "en_US"
        self._grant(self.customer, 3)
        body = self._closing_mails(self._close_tracked()).body_html
        self.assertIn("This request used 1 support point.", body)
        self.assertNotIn("Cette demande", body)


@tagged("post_install", "-at_install")
class TestPortalPointsFrench(FrenchMixin, SupportPointsCommon, HttpCase):
    """The portal points page speaks the portal user's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_french()
        cls.contact.lang = "fr_FR"

    def test_portal_points_page_in_french(self):
        self.authenticate("sp_portal", "sp_portal")
        response = self.url_open("/my/support-points")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Pas encore de points d'assistance.", response.text)
        self.assertIn("Points restants", response.text)

        self._grant(self.customer, 5, expiry_date="2999-12-31")
        page = self.url_open("/my/support-points").text
        self.assertIn("Points restants", page)
        self.assertIn("Attribution", page)
        self.assertIn("expirant le", page)
        self.assertIn("Ce que vaut un point", page)
        self.assertIn("Historique", page)
        # the price list is worded by the code: code translations
        self.assertIn("vous récupérez 1 point", page)
        self.assertNotIn("What a point buys", page)
        self.assertNotIn("back to you", page)
        self.assertNotIn("Points left", page)
        self.assertNotIn("No support points yet.", page)
