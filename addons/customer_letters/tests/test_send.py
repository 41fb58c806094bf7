# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import gc
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_mail_server import IrMailServer, MailDeliveryException

from .common import LettersCommon

SCOPE = "[('ref', '=', 'clsend')]"


class TestSend(LettersCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.env["res.partner"]
        for i in range(5):
            cls.customers |= cls._customer(f"Send {i}", ref="clsend")
        # the first two are long-standing
        for customer in cls.customers[:2]:
            cls._ticket(customer, days_ago=6 * 366)
        cls.letter = cls._letter(
            segments=[
                {"name": "All", "domain": SCOPE, "paragraph": "<p>PARA-ALL</p>"},
                {
                    "name": "Loyal",
                    "domain": SCOPE,
                    "min_tenure_years": 5,
                    "paragraph": "<p>PARA-LOYAL {{ object.points_granted }}</p>",
                    "grant_points": 10,
                },
            ]
        )

    def _traces(self):
        return self.env["mailing.trace"].search(
            [("mass_mailing_id", "=", self.letter.mailing_id.id)]
        )

    def _moves(self):
        return self.env["support.points.move"].search(
            [("partner_id", "in", self.customers.ids), ("kind", "=", "grant")]
        )

    def test_send_one_letter_per_customer(self):
        self._approve(self.letter)
        self._send(self.letter)
        self.assertEqual(self.letter.state, "sent")
        recipients = self.letter.recipient_ids
        self.assertEqual(recipients.customer_id, self.customers)
        self.assertEqual(len(recipients), 5, "one letter per customer")
        traces = self._traces()
        self.assertEqual(sorted(traces.mapped("res_id")), sorted(recipients.ids))
        loyal = recipients.filtered(lambda r: r.customer_id in self.customers[:2])
        for recipient in recipients:
            body = recipient.mail_body
            self.assertIn("PARA-ALL", body)
            if recipient in loyal:
                self.assertIn("PARA-LOYAL 10", body)
                self.assertEqual(len(recipient.segment_ids), 2)
            else:
                self.assertNotIn("PARA-LOYAL", body)
        # the mails carry the personal body
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search([("mailing_id", "=", self.letter.mailing_id.id)])
        )
        self.assertEqual(len(mails), 5)
        mail = mails.filtered(lambda m: "send.0@" in m.email_to)
        self.assertIn("PARA-LOYAL 10", mail.body_html)
        self.assertIn("/unsubscribe_from_list", mail.body_html, "visible opt-out")
        self.assertEqual(mail.subject, "Our terms, Send 0")
        # points: granted exactly once, linked
        moves = self._moves()
        self.assertEqual(moves.partner_id, self.customers[:2])
        self.assertEqual(moves.mapped("points"), [10, 10])
        self.assertEqual(loyal.points_move_id, moves)
        self.assertTrue(all(loyal.mapped("points_granted_done")))
        self.assertEqual(self.letter.points_granted_total, 20)
        # chatter of each customer
        for customer in self.customers:
            self.assertTrue(
                customer.message_ids.filtered(
                    lambda m: "Terms restated" in (m.body or "")
                ),
                customer.name,
            )
        # a second send is refused: nothing left to do, nothing duplicated
        self.letter._write_internal({"state": "sending"})
        self._send(self.letter)
        self.assertEqual(len(self._traces()), 5)
        self.assertEqual(len(self._moves()), 2)

    def test_statistics_from_traces(self):
        self._approve(self.letter)
        self._send(self.letter)
        traces = self._traces()
        traces[:2].set_opened()
        traces[2:3].set_bounced()
        self.env.invalidate_all()
        self.assertEqual(self.letter.sent_count, 5)
        self.assertEqual(self.letter.opened_count, 2)
        self.assertEqual(self.letter.bounced_count, 1)
        self.assertEqual(self.letter.recipient_count, 5)

    def test_blacklisted_customer_not_mailed_but_recorded(self):
        self.env["mail.blacklist"].sudo()._add(self.customers[4].email)
        self._approve(self.letter)
        self._send(self.letter)
        trace = self._traces().filtered(
            lambda t: t.res_id
            == self.letter.recipient_ids.filtered(
                lambda r: r.customer_id == self.customers[4]
            ).id
        )
        self.assertEqual(trace.trace_status, "cancel")
        self.assertEqual(trace.failure_type, "mail_bl")

    def test_send_confirmation_counts_the_customers(self):
        """The Send button asks first, with the counts of what it will do;
        nothing is sent until the confirmation's own button."""
        self._approve(self.letter)
        with self.assertRaises(AccessError):
            self.letter.with_user(self.user_author).action_confirm_send()
        action = self.letter.with_user(self.user_manager).action_confirm_send()
        wizard = self.env["customer.letter.send"].browse(action["res_id"])
        self.assertEqual(wizard.customer_count, 5)
        self.assertEqual(wizard.points_total, 20, "two loyal customers, 10 each")
        self.assertEqual(wizard.no_email_count, 0)
        self.assertIn("(5)", wizard.lang_summary)
        self.assertIn("5 customers", wizard.summary)
        self.assertFalse(self.letter.recipient_ids)
        wizard.with_user(self.user_manager).action_send()
        self.assertEqual(self.letter.state, "sending")
        self.assertEqual(len(self.letter.recipient_ids), 5)

    def test_send_test_to_current_user(self):
        self.letter.with_user(self.user_author).action_send_test()
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("email_to", "ilike", "author@example.com")])
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("[Test]", mail.subject)
        self.assertIn("PARA-ALL", mail.body_html)
        self.assertFalse(self.letter.recipient_ids, "a test is not a send")
        self.assertFalse(self._moves())

    def _notes(self, customers):
        return self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "in", customers.ids),
                ("body", "ilike", "Terms restated"),
            ]
        )

    def test_send_refreshes_the_statistics_of_the_recipients_table(self):
        """Recording many recipients refreshes PostgreSQL's statistics of our
        table, so that the mailing's seen-list join is not planned as if the
        table were empty (a scan of the whole table per trace)."""
        self._approve(self.letter)
        cr = self.env.cr
        count = "SELECT count(*) FROM customer_letter_recipient"
        estimate = (
            "SELECT reltuples FROM pg_class WHERE relname = 'customer_letter_recipient'"
        )
        # statistics up to date before: the estimate is the row count
        cr.execute("ANALYZE customer_letter_recipient")
        cr.execute(count)
        before = cr.fetchone()[0]
        with patch(
            "odoo.addons.customer_letters.models.customer_letter_recipient."
            "ANALYZE_THRESHOLD",
            5,
        ):
            self.letter.with_user(self.user_manager).action_send()
        cr.execute(estimate)
        self.assertEqual(cr.fetchone()[0], before + 5)

    def test_send_button_only_queues(self):
        """The Send button records the recipients and queues the mailing:
        no mail, grant or note is made in its request; the mailing cron and
        the letters cron do the rest."""
        self._approve(self.letter)
        self.letter.with_user(self.user_manager).action_send()
        self.assertEqual(self.letter.state, "sending")
        self.assertEqual(len(self.letter.recipient_ids), 5)
        mailing = self.letter.mailing_id
        self.assertEqual(mailing.state, "in_queue")
        self.assertFalse(self._traces())
        self.assertFalse(
            self.env["mail.mail"].sudo().search([("mailing_id", "=", mailing.id)])
        )
        self.assertFalse(self._moves())
        self.assertFalse(self._notes(self.customers))
        self.assertEqual(self.letter.to_mail_count, 5)
        self.assertTrue(
            self.env["ir.cron.trigger"].search(
                [
                    (
                        "cron_id",
                        "=",
                        self.env.ref(
                            "customer_letters.ir_cron_customer_letter_sending"
                        ).id,
                    )
                ]
            ),
            "the letters cron is woken up",
        )
        # the mailing reads as the letter, not as a template expression
        self.assertEqual(mailing.subject, "Our terms, {{ object.company_name }}")
        self.assertEqual(mailing.name, "Terms restated")
        self.assertNotIn("mail_subject", mailing.subject)

        self._run_sending(self.letter)
        self.assertEqual(self.letter.state, "sent")
        self.assertEqual(mailing.state, "done")
        self.assertEqual(
            (
                self.letter.mailed_count,
                self.letter.to_mail_count,
                self.letter.failed_count,
            ),
            (5, 0, 0),
        )

    def test_progress_while_the_mail_queue_runs(self):
        """Mails queued but not sent yet: the letter is still being sent and
        nothing is granted or logged for them."""
        self._approve(self.letter)
        self.letter.with_user(self.user_manager).action_send()
        # more mails than the composer sends at once: they wait in the queue
        self.env["ir.config_parameter"].sudo().set_param(
            "mail.mail.force.send.limit", 0
        )
        self.env["mailing.mailing"]._process_mass_mailing_queue()
        self.assertEqual(self.letter.mailing_id.state, "done")
        self.Letter._cron_process_sending()
        self.assertEqual(self.letter.state, "sending", "mails wait in the queue")
        self.assertEqual(self.letter.to_mail_count, 5)
        self.assertFalse(self._moves())
        self.assertFalse(self._notes(self.customers))
        self._run_sending(self.letter)
        self.assertEqual(self.letter.state, "sent")
        self.assertEqual(len(self._moves()), 2)

    def test_grant_and_note_once_whatever_the_runs(self):
        self._approve(self.letter)
        self._send(self.letter)
        self.assertEqual(len(self._moves()), 2)
        self.assertEqual(len(self._notes(self.customers)), 5)
        # the cron runs again (and again, as after a restart): nothing more
        self.letter._write_internal({"state": "sending"})
        self.Letter._cron_process_sending()
        self.Letter._cron_process_sending()
        self.assertEqual(self.letter.state, "sent")
        self.assertEqual(len(self._moves()), 2)
        self.assertEqual(len(self._notes(self.customers)), 5)
        self.assertEqual(self.letter.points_granted_total, 20)

    def test_no_grant_nor_note_for_a_mail_not_sent(self):
        """A blacklisted customer and a customer without any address are
        recorded as recipients, but their mail is cancelled: no points, no
        'letter sent' note. Both are long-standing: they would get points."""
        blacklisted, no_address = self.customers[:2]
        self.env["mail.blacklist"].sudo()._add(blacklisted.email)
        no_address.email = False
        self._approve(self.letter)
        self._send(self.letter)
        self.assertEqual(self.letter.state, "sent", "three mails were sent")
        recipients = self.letter.recipient_ids
        self.assertEqual(len(recipients), 5)
        not_sent = recipients.filtered(
            lambda r: r.customer_id in (blacklisted | no_address)
        )
        self.assertEqual(
            sorted(
                self._traces()
                .filtered(lambda t: t.res_id in not_sent.ids)
                .mapped("failure_type")
            ),
            ["mail_bl", "mail_email_missing"],
        )
        self.assertFalse(self._moves(), "no grant for a mail that was not sent")
        self.assertFalse(any(not_sent.mapped("points_granted_done")))
        self.assertFalse(any(not_sent.mapped("mailed")))
        self.assertFalse(self._notes(blacklisted | no_address))
        self.assertEqual(len(self._notes(self.customers[2:])), 3)
        self.assertEqual(
            (
                self.letter.mailed_count,
                self.letter.to_mail_count,
                self.letter.failed_count,
            ),
            (3, 0, 2),
        )

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_letter_whose_mails_all_fail_is_failed(self):
        """Four customers are blacklisted and the fifth mail fails at the
        mail server: the letter ends failed, not sent, with nothing granted
        or logged."""
        for customer in self.customers[:4]:
            self.env["mail.blacklist"].sudo()._add(customer.email)
        self._approve(self.letter)
        self.letter.with_user(self.user_manager).action_send()
        with patch.object(
            IrMailServer,
            "send_email",
            autospec=True,
            side_effect=MailDeliveryException("server down"),
        ):
            for _round in range(3):
                self.Letter._process_sending_queues()
        self.assertEqual(self.letter.state, "failed")
        statuses = self._traces().mapped("trace_status")
        self.assertEqual(len(statuses), 5)
        self.assertIn("error", statuses)
        self.assertFalse(set(statuses) - {"cancel", "error"}, statuses)
        self.assertEqual(
            (
                self.letter.mailed_count,
                self.letter.to_mail_count,
                self.letter.failed_count,
            ),
            (0, 0, 5),
        )
        self.assertFalse(self._moves())
        self.assertFalse(self._notes(self.customers))
        with self.assertRaisesRegex(UserError, "already being sent"):
            self.letter.action_cancel()

    def test_send_button_queries_do_not_grow_with_customers(self):
        """The Send button records the recipients in one batched create and
        queues the mailing: the same number of queries for 2, 4 and 6
        customers."""
        customers = self.env["res.partner"]
        for i in range(6):
            customers |= self._customer(f"Batch {i}", ref=f"clbatch{i // 2}")

        def send(refs):
            domain = repr([("ref", "in", refs)])
            letter = self._letter(segments=[{"name": "Batch", "domain": domain}])
            self._approve(letter)
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            # An environment that Python's collector frees mid-send is made
            # anew and reads the user's company again: one query more or
            # less, depending on when the collector runs. Counted without it.
            gc.disable()
            try:
                letter.with_user(self.user_manager).action_send()
                self.env.flush_all()
            finally:
                gc.enable()
            self.assertEqual(letter.state, "sending")
            self.assertEqual(len(letter.recipient_ids), 2 * len(refs))
            return self.env.cr.sql_log_count - before

        send(["clbatch0"])  # warm the caches (like @warmup)
        one = send(["clbatch0"])
        two = send(["clbatch0", "clbatch1"])
        three = send(["clbatch0", "clbatch1", "clbatch2"])
        self.assertEqual((two, three), (one, one), "no query per customer")
