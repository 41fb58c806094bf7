# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time

from .common import SupportCertificationCase


class TestCertification(SupportCertificationCase):
    def test_expiry_from_level_validity(self):
        cert = self._certify(self.alice, self.level_gold, date(2026, 1, 15))
        self.assertEqual(cert.date_expiry, date(2027, 1, 15))
        cert.date_expiry = date(2026, 12, 31)
        self.assertEqual(cert.date_expiry, date(2026, 12, 31))
        self.level_gold.validity_months = 0
        forever = self._certify(self.bob, self.level_gold, date(2026, 1, 15))
        self.assertFalse(forever.date_expiry)

    @freeze_time("2026-06-01")
    def test_best_tier_across_people(self):
        self.assertEqual(self.acme.support_sla_tier_id, self.tier_standard)
        self._certify(self.alice, self.level_gold, date(2026, 1, 1))
        self.env.invalidate_all()
        self.assertEqual(self.acme.support_sla_tier_id, self.tier_gold)
        self._certify(self.bob, self.level_platinum, date(2026, 2, 1))
        self.env.invalidate_all()
        # Every contact of the customer gets the customer's best tier.
        for partner in self.acme | self.alice | self.bob:
            self.assertEqual(partner.support_sla_tier_id, self.tier_platinum)
        self.assertEqual(len(self.acme.support_company_certification_ids), 2)
        # An uncertified customer gets the default tier.
        self.assertEqual(self.carol.support_sla_tier_id, self.tier_standard)
        # A certification obtained in the future does not count yet.
        self._certify(self.carol, self.level_gold, date(2026, 7, 1))
        self.env.invalidate_all()
        self.assertEqual(self.carol.support_sla_tier_id, self.tier_standard)

    def test_expiring_and_expired_change_tier(self):
        cert = self._certify(self.alice, self.level_gold, date(2025, 3, 1))
        self.assertEqual(cert.date_expiry, date(2026, 3, 1))
        model = self.env["support.certification"]
        with freeze_time("2026-01-10"):
            model._cron_update_state()
            self.assertEqual(cert.state, "valid")
            self.env.invalidate_all()
            self.assertEqual(self.acme.support_sla_tier_id, self.tier_gold)
        with freeze_time("2026-02-10"):
            model._cron_update_state()
            self.assertEqual(cert.state, "expiring")
            self.env.invalidate_all()
            # Still valid while expiring.
            self.assertEqual(self.acme.support_sla_tier_id, self.tier_gold)
            ticket = self._ticket(self.bob)
            self.assertEqual(ticket.sla_tier_id, self.tier_gold)
        with freeze_time("2026-03-02"):
            model._cron_update_state()
            self.assertEqual(cert.state, "expired")
            self.env.invalidate_all()
            self.assertEqual(self.acme.support_sla_tier_id, self.tier_standard)
            new_ticket = self._ticket(self.bob)
            self.assertEqual(new_ticket.sla_tier_id, self.tier_standard)
            # The older ticket keeps its frozen tier.
            self.assertEqual(ticket.sla_tier_id, self.tier_gold)

    def test_expiry_reminder_sent_once(self):
        cert = self._certify(self.alice, self.level_gold, date(2025, 3, 1))
        other = self._certify(self.carol, self.level_platinum, date(2025, 3, 1))
        model = self.env["support.certification"]
        with freeze_time("2026-02-15"):
            model._cron_send_expiry_reminders()
            self.assertEqual(cert.state, "expiring")
            self.assertTrue(cert.reminder_sent)
            self.assertFalse(other.reminder_sent)
            messages = cert.message_ids.filtered(lambda m: m.message_type == "comment")
            self.assertEqual(len(messages), 1)
            self.assertIn("Gold level", messages.subject)
            self.assertIn(self.alice, messages.partner_ids)
            model._cron_send_expiry_reminders()
            messages = cert.message_ids.filtered(lambda m: m.message_type == "comment")
            self.assertEqual(len(messages), 1, "the reminder is sent once")
        # Renewing (a new expiry date) re-arms the reminder.
        cert.date_expiry = date(2027, 3, 1)
        self.assertFalse(cert.reminder_sent)

    STATE_CRON = "support_certification.ir_cron_certification_state"
    REMINDER_CRON = "support_certification.ir_cron_certification_reminder"

    def _three_certifications(self):
        with freeze_time("2026-01-01"):
            certs = self.env["support.certification"].concat(
                *(
                    self._certify(person, self.level_gold, date(2025, 3, 1))
                    for person in (self.alice, self.bob, self.carol)
                )
            )
            self.env.flush_all()
        self.assertEqual(set(certs.mapped("state")), {"valid"})
        return certs

    def test_state_cron_one_batch_per_call(self):
        """Each call moves one batch and reports the rest to the cron runner,
        which commits and calls again; a moved certification is not taken
        again."""
        certs = self._three_certifications()
        with freeze_time("2026-02-15"):
            calls = self._cron_run(self.STATE_CRON, "_cron_update_state", batch_size=2)
            self.assertEqual(calls, [(2, 1), (1, 0)])
            self.assertEqual(set(certs.mapped("state")), {"expiring"})
            self.assertEqual(
                self._cron_run(self.STATE_CRON, "_cron_update_state"), [(0, 0)]
            )
        with freeze_time("2026-03-05"):
            calls = self._cron_run(self.STATE_CRON, "_cron_update_state", batch_size=2)
            self.assertEqual(calls, [(2, 1), (1, 0)])
            self.assertEqual(set(certs.mapped("state")), {"expired"})

    def test_reminder_cron_one_batch_per_call_sent_once(self):
        """Each call brings one batch of states up to date and emails one
        batch of reminders, marked sent in the same transaction: the runner's
        next call (or a restart's) never emails a person twice."""
        certs = self._three_certifications()

        def reminders(cert):
            return cert.message_ids.filtered(lambda m: m.message_type == "comment")

        with freeze_time("2026-02-15"):
            calls = self._cron_run(
                self.REMINDER_CRON, "_cron_send_expiry_reminders", batch_size=2
            )
            # states 2 + reminders 2 (1 state left), then states 1 + reminders 1
            self.assertEqual(calls, [(4, 1), (2, 0)])
            self.assertTrue(all(certs.mapped("reminder_sent")))
            for cert in certs:
                self.assertEqual(len(reminders(cert)), 1, cert.display_name)
            calls = self._cron_run(self.REMINDER_CRON, "_cron_send_expiry_reminders")
            self.assertEqual(calls, [(0, 0)])
        for cert in certs:
            self.assertEqual(len(reminders(cert)), 1, cert.display_name)
