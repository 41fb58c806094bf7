# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import UserError
from odoo.tests import Form

from .common import LettersCommon

SCOPE = "[('ref', '=', 'cllang')]"


class TestTranslation(LettersCommon):
    """A letter has a subject, a body and segment paragraphs per language
    (translated fields); each customer gets the text of their language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env.user.lang = "en_US"
        cls.company.partner_id.lang = "en_US"
        cls.french = cls._customer("Client Dupont", ref="cllang", lang="fr_FR")
        cls.english = cls._customer("Client Smith", ref="cllang", lang="en_US")
        # the customer's first ticket dates it; its date is written per language
        cls._ticket(cls.french, days_ago=400)
        cls.letter = cls._letter(
            subject="Our terms, {{ object.company_name }}",
            body="<p>Dear {{ object.contact_name }}, since "
            "{{ object.customer_since ||| always }}</p>"
            "{{ object.segment_paragraphs }}",
            segments=[
                {"name": "All", "domain": SCOPE, "paragraph": "<p>Thank you</p>"}
            ],
        )
        # the translation dialog's way: the subject as a whole, the body and
        # the paragraphs term by term (html_translate, as mail templates)
        cls.letter.update_field_translations(
            "subject", {"fr_FR": "Nos conditions, {{ object.company_name }}"}
        )
        cls.letter.update_field_translations(
            "body",
            {
                "fr_FR": {
                    "Dear {{ object.contact_name }}, since "
                    "{{ object.customer_since ||| always }}": "Cher "
                    "{{ object.contact_name }}, depuis le "
                    "{{ object.customer_since ||| toujours }}"
                }
            },
        )
        cls.letter.segment_ids.update_field_translations(
            "paragraph", {"fr_FR": {"Thank you": "Merci"}}
        )

    def _recipient(self, customer):
        return self.letter.recipient_ids.filtered(lambda r: r.customer_id == customer)

    def test_each_customer_in_their_language(self):
        self._approve(self.letter)
        self._send(self.letter)
        self.assertEqual(self.letter.state, "sent")
        french = self._recipient(self.french)
        self.assertEqual(french.lang, "fr_FR")
        self.assertEqual(french.mail_subject, "Nos conditions, Client Dupont")
        self.assertIn("Cher Client Dupont, depuis le", french.mail_body)
        self.assertIn("Merci", french.mail_body)
        self.assertNotIn("Thank you", french.mail_body)
        # the date as French customers write it
        since = french.customer_since_date
        self.assertIn(since.strftime("%d/%m/%Y"), french.mail_body)
        english = self._recipient(self.english)
        self.assertEqual(english.lang, "en_US")
        self.assertEqual(english.mail_subject, "Our terms, Client Smith")
        self.assertIn("Dear Client Smith, since always", english.mail_body)
        self.assertIn("Thank you", english.mail_body)
        # the mails as they left, subject included
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search([("mailing_id", "=", self.letter.mailing_id.id)])
        )
        self.assertEqual(
            sorted(mails.mapped("subject")),
            ["Nos conditions, Client Dupont", "Our terms, Client Smith"],
        )
        french_mail = mails.filtered(lambda m: m.res_id == french.id)
        self.assertIn("Cher Client Dupont", french_mail.body_html)

    def test_no_language_falls_back_to_the_company(self):
        self.english.lang = False
        self.company.partner_id.lang = "fr_FR"
        self._approve(self.letter)
        self.letter.with_user(self.user_manager).action_send()
        self.assertEqual(self._recipient(self.english).lang, "fr_FR")
        self.assertEqual(
            self._recipient(self.english).mail_subject, "Nos conditions, Client Smith"
        )

    def test_one_language_keeps_a_readable_mailing_subject(self):
        self.french.lang = "en_US"
        self._approve(self.letter)
        self.letter.with_user(self.user_manager).action_send()
        self.assertEqual(
            self.letter.mailing_id.subject,
            "Our terms, {{ object.company_name }}",
        )

    def test_preview_and_test_per_language(self):
        letter = self.letter.with_user(self.user_author)
        letter.preview_partner_id = self.english
        self.assertEqual(letter.preview_subject, "Our terms, Client Smith")
        letter.preview_lang = "fr_FR"
        self.assertEqual(letter.preview_subject, "Nos conditions, Client Smith")
        self.assertIn("Merci", letter.preview_body)
        # the button of the form: preview customer and language in its context
        letter.with_context(
            customer_letter_preview_partner_id=self.english.id,
            customer_letter_preview_lang="fr_FR",
        ).action_send_test()
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("email_to", "ilike", "author@example.com")])
        )
        self.assertEqual(mail.subject, "[Test] Nos conditions, Client Smith")
        self.assertIn("Cher Client Smith", mail.body_html)

    def test_french_text_is_checked_too(self):
        self.letter.update_field_translations(
            "body",
            {
                "fr_FR": {
                    "Dear {{ object.contact_name }}, since "
                    "{{ object.customer_since ||| always }}": "Cher {{ object.nom }}"
                }
            },
        )
        with self.assertRaisesRegex(UserError, "object.nom"):
            self.letter.with_user(self.user_author).action_submit()

    def test_preview_of_a_letter_not_saved_yet(self):
        """A new letter has its text in the author's language only: the
        preview in another language shows that text, not an empty mail."""
        form = Form(self.Letter.with_user(self.user_author))
        form.name = "Draft"
        form.subject = "Hello {{ object.company_name }}"
        form.body = (
            "<p>Body for {{ object.contact_name }}</p>{{ object.segment_paragraphs }}"
        )
        with form.segment_ids.new() as segment:
            segment.name = "All"
            segment.domain = SCOPE
            segment.paragraph = "<p>Paragraph</p>"
        form.preview_partner_id = self.french
        self.assertEqual(form.preview_subject, "Hello Client Dupont")
        self.assertIn("Body for Client Dupont", form.preview_body)
        self.assertIn("Paragraph", form.preview_body)
