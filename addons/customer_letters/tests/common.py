# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, new_test_user

from odoo.addons.mail.tests.common import MockEmail

BODY = (
    "<p>Dear {{ object.contact_name }} of {{ object.company_name }},</p>"
    "<p>Balance {{ object.points_balance }} points.</p>"
    "{{ object.segment_paragraphs }}"
    "<p>Thank you.</p>"
)


class LettersMixin:
    """Users per role, a helpdesk team and factories for customers, tickets
    and letters."""

    @classmethod
    def _setup_letters(cls):
        cls.env = cls.env(
            context=dict(
                cls.env.context,
                tracking_disable=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                mail_notrack=True,
            )
        )
        cls.company = cls.env.company
        cls.company.email = "support@example.com"
        cls.user_internal = new_test_user(
            cls.env, login="cl_internal", groups="base.group_user"
        )
        cls.user_helpdesk = new_test_user(
            cls.env, login="cl_helpdesk", groups="helpdesk_mgmt.group_helpdesk_user"
        )
        cls.user_author = new_test_user(
            cls.env,
            login="cl_author",
            email="author@example.com",
            groups="customer_letters.group_letters_user",
        )
        cls.user_manager = new_test_user(
            cls.env,
            login="cl_manager",
            email="manager@example.com",
            groups="customer_letters.group_letters_manager",
        )
        cls.user_granter = new_test_user(
            cls.env,
            login="cl_granter",
            email="granter@example.com",
            groups="customer_letters.group_letters_manager,"
            "support_points.group_support_points_manager",
        )
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.team = cls.env["helpdesk.ticket.team"].create({"name": "Letters team"})
        cls.Letter = cls.env["customer.letter"]
        cls.Recipient = cls.env["customer.letter.recipient"]

    @classmethod
    def _customer(cls, name, email=True, **vals):
        values = {
            "name": name,
            "is_company": True,
            "customer_rank": 1,
            "email": f"{name.lower().replace(' ', '.')}@example.com"
            if email is True
            else email,
        }
        values.update(vals)
        return cls.env["res.partner"].create(values)

    @classmethod
    def _ticket(cls, partner, days_ago=0, closed_days_ago=None, **vals):
        values = {
            "name": f"Ticket of {partner.name}",
            "description": "Help",
            "partner_id": partner.id,
            "team_id": cls.team.id,
            "stage_id": cls.stage_new.id,
        }
        values.update(vals)
        ticket = cls.env["helpdesk.ticket"].create(values)
        created = fields.Datetime.now() - timedelta(days=days_ago)
        cls.env.cr.execute(
            "UPDATE helpdesk_ticket SET create_date = %s WHERE id = %s",
            (created, ticket.id),
        )
        if closed_days_ago is not None:
            ticket.write({"stage_id": cls.stage_done.id})
            ticket.write(
                {"closed_date": fields.Datetime.now() - timedelta(days=closed_days_ago)}
            )
        ticket.invalidate_recordset()
        return ticket

    @classmethod
    def _letter(cls, segments=None, body=BODY, **vals):
        values = {
            "name": "Terms restated",
            "subject": "Our terms, {{ object.company_name }}",
            "body": body,
            "segment_ids": [
                fields.Command.create(segment)
                for segment in (segments or [{"name": "Everyone"}])
            ],
        }
        values.update(vals)
        return cls.Letter.create(values)

    def _approve(self, letter, user=None):
        letter.with_user(user or self.user_granter).action_approve()
        return letter

    def _send(self, letter, user=None):
        """Send as the Send button does, then run the queues until the
        letter is sent (mails go through the mocked mail gateway)."""
        letter.with_user(user or self.user_manager).action_send()
        self._run_sending(letter)
        return letter

    def _run_sending(self, letter, rounds=3):
        """Run the mass mailing cron, the mail queue and the letters cron,
        as the crons would (superuser), until the letter is no longer being
        sent; mails are kept after sending to be inspected."""
        with self.mock_mail_gateway(mail_unlink_sent=False):
            for _round in range(rounds):
                self.Letter.sudo()._process_sending_queues()
                if letter.state != "sending":
                    break
        return letter


class LettersCommon(LettersMixin, MockEmail, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_letters()


class LettersHttpCommon(LettersMixin, MockEmail, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_letters()
