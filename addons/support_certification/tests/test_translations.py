# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError

from .common import SupportCertificationCase


class TestTranslationsFrench(SupportCertificationCase):
    """With French active and this add-on's i18n/fr.po loaded, a French
    person reads the certification reminder in French and a French agent
    reads the add-on's errors in French."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["support_certification"], ["fr_FR"], overwrite=True
        )

    def _reminder(self, person):
        cert = self._certify(person, self.level_gold, date(2025, 3, 1))
        with freeze_time("2026-02-15"):
            self.env["support.certification"]._cron_send_expiry_reminders()
        return cert.message_ids.filtered(lambda m: m.message_type == "comment")

    def test_french_person_gets_the_expiry_reminder_in_french(self):
        self.alice.lang = "fr_FR"
        message = self._reminder(self.alice)
        self.assertEqual(len(message), 1)
        self.assertIn("Votre certification Gold level expire le", message.subject)
        self.assertIn("Bonjour", message.body)
        self.assertIn("Renouvelez-la avant cette date", message.body)
        self.assertIn("niveau d'assistance", message.body)
        self.assertNotIn("Renew it", message.body)

    def test_english_person_still_gets_english(self):
        self.carol.lang = "en_US"
        message = self._reminder(self.carol)
        self.assertIn("certification expires on", message.subject)
        self.assertIn("Renew it before that date", message.body)

    def test_french_agent_reads_errors_in_french(self):
        self.agent.lang = "fr_FR"
        ticket = self._ticket(self.carol, self.agent)
        with self.assertRaises(AccessError) as error:
            ticket.with_user(self.agent).sla_tier_id = self.tier_gold
        self.assertIn(
            "Seuls les responsables SLA peuvent modifier le niveau SLA",
            str(error.exception),
        )
