# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user

from .common import SupportCertificationCase


class TierSaleCase(SupportCertificationCase):
    """Gold and Platinum sold by products of 12 months, a Gold training,
    an accountant with invoicing rights only, a salesperson."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="sc_accountant",
            groups="base.group_user,account.group_account_invoice",
        )
        cls.salesperson = new_test_user(
            cls.env,
            login="sc_salesperson",
            groups="base.group_user",
            email="sales@example.test",
        )
        cls.acme.user_id = cls.salesperson
        product_model = cls.env["product.product"]
        cls.product_gold = product_model.create(
            {"name": "Gold support, 12 months", "type": "service", "list_price": 1200}
        )
        cls.product_platinum = product_model.create(
            {"name": "Platinum support", "type": "service", "list_price": 3000}
        )
        cls.product_training = product_model.create(
            {"name": "Gold training", "type": "service", "list_price": 500}
        )
        cls.tier_gold.product_id = cls.product_gold
        cls.tier_platinum.product_id = cls.product_platinum
        cls.level_gold.product_id = cls.product_training
        cls.company.write(
            {
                "support_tier_renewal_window_days": 60,
                "support_tier_renewal_points": 5,
                "support_tier_multi_period_bonus": "points",
                "support_tier_multi_period_points": 10,
                "support_tier_reminder_days": 30,
            }
        )
        cls.Period = cls.env["support.sla.tier.period"]

    def _invoice(
        self, when, product=None, quantity=1, post=True, trainees=None, partner=None
    ):
        """An invoice of Alice (Acme), or of ``partner``, dated and posted on
        ``when``, by the accountant."""
        line = {"product_id": (product or self.product_gold).id, "quantity": quantity}
        if trainees is not None:
            line["support_certification_partner_ids"] = [Command.set(trainees.ids)]
        with freeze_time(when):
            invoice = (
                self.env["account.move"]
                .with_user(self.accountant)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": (partner or self.alice).id,
                        "invoice_date": when,
                        "invoice_line_ids": [Command.create(line)],
                    }
                )
            )
            if post:
                invoice.action_post()
        return invoice

    def _credit_note(self, invoice, when, quantity=None, post=True):
        """The credit note of ``invoice`` (the reversal wizard), of
        ``quantity`` units when given, posted on ``when``."""
        with freeze_time(when):
            reversal = (
                self.env["account.move.reversal"]
                .with_user(self.accountant)
                .with_context(active_model="account.move", active_ids=invoice.ids)
                .create({"journal_id": invoice.journal_id.id, "reason": "Refund"})
            )
            reversal.refund_moves()
            credit_note = invoice.reversal_move_ids.filtered(
                lambda m: m.state == "draft"
            ).with_user(self.accountant)
            if quantity is not None:
                with Form(credit_note) as form:
                    with form.invoice_line_ids.edit(0) as line:
                        line.quantity = quantity
            if post:
                credit_note.action_post()
        return credit_note

    def _periods(self, **domain):
        return self.Period.search(
            [("partner_id", "=", self.acme.id)]
            + [(name, "=", value) for name, value in domain.items()],
            order="date_start, id",
        )

    def _tier_on(self, day):
        with freeze_time(day):
            self.env.invalidate_all()
            return self.acme.get_support_sla_tiers(self.company)[self.acme.id]

    def _balance(self):
        return self.acme.support_points_balances(self.company).get(self.acme.id, 0)

    def _bonus_lines(self):
        return self.env["support.points.move"].search(
            [("partner_id", "=", self.acme.id)], order="id"
        )


class TestTierPurchase(TierSaleCase):
    def test_purchase_gives_the_tier_for_the_product_duration(self):
        self.assertEqual(self._tier_on("2026-03-10"), self.tier_standard)
        invoice = self._invoice("2026-03-10")
        period = self._periods()
        self.assertEqual(period.tier_id, self.tier_gold)
        self.assertEqual(period.date_start, date(2026, 3, 10))
        self.assertEqual(period.date_end, date(2027, 3, 9))
        self.assertEqual(period.move_id, invoice)
        self.assertEqual(self._tier_on("2026-03-10"), self.tier_gold)
        self.assertEqual(self._tier_on("2027-03-09"), self.tier_gold)
        self.assertEqual(self._tier_on("2027-03-10"), self.tier_standard)
        with freeze_time("2026-06-01"):
            self.env.invalidate_all()
            # the partner form says until when, for the customer's people too
            self.assertEqual(self.bob.support_sla_paid_until, date(2027, 3, 9))
            self.assertEqual(self.acme.support_sla_period_ids, period)
            # a ticket gets the purchased tier; searching by tier finds it
            self.assertEqual(self._ticket(self.bob).sla_tier_id, self.tier_gold)
            found = self.env["res.partner"].search(
                [("support_sla_tier_id", "=", self.tier_gold.id)]
            )
            self.assertIn(self.acme, found)
            self.assertIn(self.alice, found)
        # the product's duration decides the length
        self.product_gold.support_sla_months = 6
        self._invoice("2026-03-10", quantity=1)
        self.assertEqual(self._periods()[-1].date_end, date(2027, 9, 9))

    def test_renewal_starts_after_the_current_period(self):
        self._invoice("2026-01-01")
        self._invoice("2026-05-01")
        first, second = self._periods()
        self.assertEqual(first.date_end, date(2026, 12, 31))
        self.assertEqual(second.date_start, date(2027, 1, 1))
        self.assertEqual(second.date_end, date(2027, 12, 31))
        # bought long before the end: no early renewal bonus
        self.assertFalse(second.early_renewal)
        self.assertEqual(self._balance(), 0)
        with freeze_time("2027-06-01"):
            self.env.invalidate_all()
            self.assertEqual(self.acme.support_sla_paid_until, date(2027, 12, 31))
        # bought after the end: from the invoice date
        self._invoice("2028-02-01")
        self.assertEqual(self._periods()[-1].date_start, date(2028, 2, 1))

    def test_upgrade_starts_at_once(self):
        """A better tier is not held back by the current period of a lower
        tier; a lower tier bought during a better one starts after it."""
        self._invoice("2026-01-01")
        self._invoice("2026-04-01", product=self.product_platinum)
        platinum = self._periods(tier_id=self.tier_platinum.id)
        self.assertEqual(platinum.date_start, date(2026, 4, 1))
        self.assertEqual(self._tier_on("2026-04-01"), self.tier_platinum)
        self._invoice("2026-05-01")
        gold = self._periods(tier_id=self.tier_gold.id)[-1]
        self.assertEqual(gold.date_start, date(2027, 4, 1))

    def test_credit_note_takes_the_tier_back(self):
        invoice = self._invoice("2026-03-10")
        period = self._periods()
        self._credit_note(invoice, "2026-04-01")
        self.assertEqual(period.state, "cancelled")
        self.assertEqual(self._tier_on("2026-04-01"), self.tier_standard)
        with freeze_time("2026-04-01"):
            self.env.invalidate_all()
            self.assertFalse(self.acme.support_sla_paid_until)

    def test_partial_credit_note_shortens_the_period(self):
        invoice = self._invoice("2026-01-01", quantity=3)
        period = self._periods()
        self.assertEqual(period.date_end, date(2028, 12, 31))
        credit_note = self._credit_note(invoice, "2026-02-01", quantity=1)
        self.assertEqual((period.quantity, period.date_end), (2, date(2027, 12, 31)))
        # the credit note reset to draft gives the period back
        with freeze_time("2026-02-02"):
            credit_note.button_draft()
        self.assertEqual((period.quantity, period.date_end), (3, date(2028, 12, 31)))

    def test_cancel_reset_quantity_change_and_line_deletion(self):
        invoice = self._invoice("2026-03-10", quantity=1)
        with freeze_time("2026-03-11"):
            invoice.button_cancel()
        self.assertEqual(self._periods().state, "cancelled")
        self.assertEqual(self._tier_on("2026-03-11"), self.tier_standard)
        invoice = self._invoice("2026-03-10")
        with freeze_time("2026-03-11"):
            invoice.button_draft()
            self.assertFalse(self._periods(state="active"))
            invoice.invoice_line_ids.quantity = 2
            invoice.action_post()
        active = self._periods(state="active")
        self.assertEqual((active.quantity, active.date_end), (2, date(2028, 3, 9)))
        with freeze_time("2026-03-12"):
            invoice.button_draft()
            tier_line = invoice.invoice_line_ids
            invoice.write(
                {
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": self.product_training.id,
                                "support_certification_partner_ids": [
                                    Command.set(self.bob.ids)
                                ],
                            }
                        )
                    ]
                }
            )
            tier_line.unlink()
            invoice.action_post()
        self.assertFalse(self._periods(state="active"))
        self.assertEqual(self._tier_on("2026-03-12"), self.tier_standard)

    def test_whole_periods_only(self):
        with self.assertRaisesRegex(UserError, "whole"):
            self._invoice("2026-03-10", quantity=1.5)

    def test_one_product_sells_one_tier(self):
        with self.assertRaisesRegex(ValidationError, "Gold support"):
            self.tier_standard.product_id = self.product_gold

    def test_duration_at_least_one_month(self):
        with self.assertRaisesRegex(ValidationError, "at least one month"):
            self.product_gold.support_sla_months = 0


class TestTierRewards(TierSaleCase):
    def test_early_renewal_grants_bonus_points_that_follow_the_invoice(self):
        self._invoice("2026-01-01")
        renewal = self._invoice("2026-11-15")  # 46 days before the end
        period = self._periods()[-1]
        self.assertTrue(period.early_renewal)
        self.assertEqual(self._balance(), 5)
        grant = self._bonus_lines()
        self.assertEqual(grant.kind, "grant")
        self.assertIn("Early renewal", grant.note)
        self.assertIn(renewal.name, grant.note)
        self.assertEqual(period.points_move_ids, grant)
        # the credit note takes the bonus back, saying why
        self._credit_note(renewal, "2026-11-20")
        self.assertEqual(self._balance(), 0)
        take_back = self._bonus_lines()[-1]
        self.assertEqual((take_back.kind, take_back.points), ("adjust", -5))
        self.assertIn("credited", take_back.note)

    def test_renewal_window_is_a_company_setting(self):
        self.company.support_tier_renewal_window_days = 30
        self._invoice("2026-01-01")
        self._invoice("2026-11-15")
        self.assertFalse(self._periods()[-1].early_renewal)
        self.assertEqual(self._balance(), 0)

    def test_multi_period_points(self):
        invoice = self._invoice("2026-01-01", quantity=3)
        self.assertEqual(self._balance(), 10)
        self.assertIn("Multi-period", self._bonus_lines().note)
        # down to two periods: still a multi-period purchase
        self._credit_note(invoice, "2026-02-01", quantity=1)
        self.assertEqual(self._balance(), 10)
        # down to one: the bonus is taken back
        self._credit_note(invoice, "2026-02-02", quantity=1)
        self.assertEqual(self._balance(), 0)
        self.assertEqual(self._periods().quantity, 1)
        # resetting the invoice takes back nothing twice
        with freeze_time("2026-02-03"):
            invoice.button_draft()
        self.assertEqual(self._balance(), 0)
        self.assertEqual(self._periods().state, "cancelled")

    def test_multi_period_next_tier_up(self):
        self.company.support_tier_multi_period_bonus = "tier"
        invoice = self._invoice("2026-01-01", quantity=2)
        purchase = self._periods(kind="purchase")
        bonus = self._periods(kind="bonus")
        self.assertEqual(bonus.tier_id, self.tier_platinum)
        self.assertEqual(
            (bonus.date_start, bonus.date_end), (purchase.date_start, purchase.date_end)
        )
        self.assertEqual(self._balance(), 0)
        self.assertEqual(self._tier_on("2027-12-31"), self.tier_platinum)
        self.assertEqual(self._tier_on("2028-01-01"), self.tier_standard)
        with freeze_time("2026-02-01"):
            invoice.button_draft()
        self.assertEqual(bonus.state, "cancelled")
        self.assertEqual(self._tier_on("2026-02-01"), self.tier_standard)

    def test_renewal_and_multi_period_bonuses_add_up(self):
        self._invoice("2026-01-01")
        renewal = self._invoice("2026-12-01", quantity=2)
        self.assertEqual(self._balance(), 15)
        with freeze_time("2026-12-02"):
            renewal.button_cancel()
        self.assertEqual(self._balance(), 0)
        self.assertIn("cancelled", self._bonus_lines()[-1].note)


class TestTierReminder(TierSaleCase):
    CRON = "support_certification.ir_cron_tier_renewal_reminder"

    def _remind(self, day):
        with freeze_time(day):
            return self._cron_run(self.CRON, "_cron_send_renewal_reminders")

    def _reminders(self, period):
        return period.message_ids.filtered(lambda m: m.message_type == "comment")

    def test_contact_and_salesperson_reminded_once_each(self):
        self._invoice("2026-01-01")
        period = self._periods()
        self._remind("2026-11-30")  # 31 days before the end
        self.assertFalse(self._reminders(period))
        self._remind("2026-12-01")
        messages = self._reminders(period)
        self.assertEqual(len(messages), 2)
        recipients = messages.partner_ids
        self.assertEqual(recipients, self.alice | self.salesperson.partner_id)
        customer_mail = messages.filtered(lambda m: self.alice in m.partner_ids)
        # the renewal offer: product, price, early renewal bonus
        self.assertIn("Gold support, 12 months", customer_mail.body)
        self.assertIn("5", customer_mail.body)
        self.assertTrue(period.reminder_customer_sent)
        self.assertTrue(period.reminder_salesperson_sent)
        self._remind("2026-12-02")
        self.assertEqual(len(self._reminders(period)), 2)

    def test_deleted_template_marks_nobody_reminded(self):
        self._invoice("2026-01-01")
        period = self._periods()
        self.env.ref(
            "support_certification.mail_template_tier_renewal_salesperson"
        ).unlink()
        self._remind("2026-12-10")
        self.assertFalse(self._reminders(period))
        self.assertFalse(period.reminder_customer_sent)

    def test_renewed_period_is_not_reminded(self):
        self._invoice("2026-01-01")
        self._invoice("2026-11-15")
        first, second = self._periods()
        self._remind("2026-12-10")
        self.assertFalse(self._reminders(first))
        self.assertFalse(self._reminders(second))
        self.assertTrue(first.reminder_customer_sent)

    def test_reminder_days_are_a_company_setting(self):
        self.company.support_tier_reminder_days = 10
        self._invoice("2026-01-01")
        period = self._periods()
        self._remind("2026-12-01")
        self.assertFalse(self._reminders(period))
        self._remind("2026-12-21")
        self.assertEqual(len(self._reminders(period)), 2)

    def test_one_batch_per_call(self):
        self._invoice("2026-01-01")
        self._invoice("2026-01-01", partner=self.carol)
        with freeze_time("2026-12-15"):
            calls = self._cron_run(
                self.CRON, "_cron_send_renewal_reminders", batch_size=1
            )
            self.assertEqual(calls, [(1, 1), (1, 0)])
            # run again after the end: nothing left, nothing sent twice
            self.assertEqual(
                self._cron_call(self.CRON, "_cron_send_renewal_reminders"), (0, 0)
            )


class TestTraining(TierSaleCase):
    def test_training_invoice_creates_pending_certifications(self):
        invoice = self._invoice(
            "2026-03-10",
            product=self.product_training,
            quantity=2,
            trainees=self.alice | self.bob,
        )
        certs = self.env["support.certification"].search(
            [("invoice_line_id.move_id", "=", invoice.id)]
        )
        self.assertEqual(certs.partner_id, self.alice | self.bob)
        self.assertEqual(set(certs.mapped("state")), {"pending"})
        self.assertEqual(certs.level_id, self.level_gold)
        # pending: no tier yet
        self.assertEqual(self._tier_on("2026-03-10"), self.tier_standard)
        # only SLA managers mark a certification obtained
        with self.assertRaises(AccessError):
            certs.with_user(self.agent).action_mark_obtained()
        with freeze_time("2026-04-01"):
            certs.filtered(lambda c: c.partner_id == self.alice).with_user(
                self.manager
            ).action_mark_obtained()
        alice_cert = certs.filtered(lambda c: c.partner_id == self.alice)
        bob_cert = certs - alice_cert
        self.assertEqual(alice_cert.date_obtained, date(2026, 4, 1))
        self.assertEqual(alice_cert.date_expiry, date(2027, 4, 1))
        self.assertEqual(self._tier_on("2026-04-01"), self.tier_gold)
        # the credit note cancels the pending certification; the obtained
        # one stays
        self._credit_note(invoice, "2026-04-02")
        self.assertFalse(bob_cert.exists())
        self.assertTrue(alice_cert.exists())
        self.assertTrue(
            any("cancelled" in str(m.body) for m in invoice.message_ids), "no note"
        )

    def test_credit_note_names_the_cancelled_trainees(self):
        invoice = self._invoice(
            "2026-03-10",
            product=self.product_training,
            quantity=2,
            trainees=self.alice | self.bob,
        )
        credit_note = self._credit_note(invoice, "2026-03-11", post=False)
        with freeze_time("2026-03-11"):
            credit_note.invoice_line_ids.write(
                {"quantity": 1, "support_certification_partner_ids": self.bob.ids}
            )
            credit_note.action_post()
        certs = self.env["support.certification"].search(
            [("invoice_line_id.move_id", "=", invoice.id)]
        )
        self.assertEqual(certs.partner_id, self.alice)
        # the credit note reset: Bob's training is billed again
        with freeze_time("2026-03-12"):
            credit_note.button_draft()
        certs = self.env["support.certification"].search(
            [("invoice_line_id.move_id", "=", invoice.id)]
        )
        self.assertEqual(certs.partner_id, self.alice | self.bob)

    def test_trainees_one_per_unit_of_the_customer(self):
        with self.assertRaisesRegex(UserError, "one trainee per unit"):
            self._invoice(
                "2026-03-10",
                product=self.product_training,
                quantity=2,
                trainees=self.alice,
            )
        with self.assertRaisesRegex(UserError, "Carol"):
            self._invoice(
                "2026-03-10", product=self.product_training, trainees=self.carol
            )
        self.assertFalse(
            self.env["support.certification"].search(
                [("partner_id", "=", self.alice.id)]
            )
        )


class TestTierSaleAccess(TierSaleCase):
    def test_invoicing_rights_are_enough_and_needed(self):
        """The accountant (no SLA, points or certification rights) posts and
        resets; an employee without invoicing rights cannot post."""
        invoice = self._invoice("2026-01-01", quantity=2, post=False)
        employee_invoice = invoice.with_user(self.employee)
        with freeze_time("2026-01-01"), self.assertRaises(AccessError):
            employee_invoice.action_post()
        self.assertFalse(self._periods())
        with freeze_time("2026-01-01"):
            invoice.action_post()
        self.assertEqual(self._periods().state, "active")
        self.assertEqual(self._balance(), 10)
        # periods are read, never written, by people; not by portal users
        period = self._periods().with_user(self.manager)
        self.assertEqual(period.tier_id, self.tier_gold)
        self.assertEqual(
            self._periods().with_user(self.agent).date_end, date(2027, 12, 31)
        )
        with self.assertRaises(AccessError):
            self._periods().with_user(self.portal).read(["date_end"])
        with self.assertRaises(AccessError):
            period.write({"date_end": date(2030, 1, 1)})
        with self.assertRaises(AccessError):
            self.Period.with_user(self.accountant).create(
                {
                    "partner_id": self.acme.id,
                    "company_id": self.company.id,
                    "tier_id": self.tier_gold.id,
                    "date_start": date(2026, 1, 1),
                    "date_end": date(2030, 1, 1),
                }
            )

    def test_settings_cannot_be_negative(self):
        with self.assertRaisesRegex(ValidationError, "negative"):
            self.company.support_tier_renewal_points = -1
