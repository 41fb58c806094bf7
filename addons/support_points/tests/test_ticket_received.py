# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import importlib.util
from pathlib import Path

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.support_points.hooks import post_init_hook, uninstall_hook

from .common import SupportClosingMailCommon

MIGRATION = (
    Path(__file__).resolve().parents[1]
    / "migrations"
    / "18.0.2.1.0"
    / "post-migration.py"
)


class TestTicketReceivedEmail(SupportClosingMailCommon):
    """The acknowledgement of a new ticket says what it is expected to cost;
    helpdesk_mgmt's "New" stage sends it while the add-on is installed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.received = cls.env.ref(
            "support_points.mail_template_ticket_received_charge"
        )

    def _create_tracked(self, **vals):
        """A ticket created as the web client or the portal create it: with
        tracking, its first stage set (which sends the stage's email)."""
        vals.setdefault("partner_id", self.contact.id)
        vals.setdefault("channel_id", self.channel_phone.id)
        vals.setdefault("stage_id", self.stage_new.id)
        ticket = (
            self.tracked_env["helpdesk.ticket"]
            .with_user(self.helpdesk_user)
            .create(dict(name="Printer on fire", description="<p>Help</p>", **vals))
        )
        self.env.flush_all()
        self.env.cr.precommit.run()
        return ticket

    def test_new_stage_sends_our_acknowledgement(self):
        self.assertEqual(self.stage_new.mail_template_id, self.received)
        self.assertIn("object.support_charge_customer_message", self.received.body_html)
        self.assertEqual(self.received.lang, "{{ object.partner_id.lang }}")

    def test_phone_ticket_email_says_one_point(self):
        self._grant(self.customer, 4)
        ticket = self._create_tracked()
        mail = self._closing_mails(ticket)
        self.assertEqual(len(mail), 1, "one acknowledgement")
        self.assertIn(ticket.number, mail.subject)
        self.assertIn(
            "Resolving this request uses 1 support point; you have 4.",
            mail.body_html,
        )

    def test_email_ticket_is_free(self):
        self._grant(self.customer, 4)
        ticket = self._create_tracked(channel_id=self.channel_email.id)
        self.assertIn(
            "This request, received by Email, is free of charge.",
            self._closing_mails(ticket).body_html,
        )

    def test_empty_bank_email_names_the_fee(self):
        ticket = self._create_tracked()
        body = self._closing_mails(ticket).body_html
        self.assertIn("Your support points do not cover this request", body)
        self.assertIn("60.00", body)

    def test_uninstall_sends_nothing_again_and_install_keeps_a_chosen_email(self):
        uninstall_hook(self.env)
        self.assertFalse(self.stage_new.mail_template_id)
        ticket = self._create_tracked()
        self.assertFalse(self._closing_mails(ticket), "helpdesk_mgmt sends none")
        post_init_hook(self.env)
        post_init_hook(self.env)
        self.assertEqual(self.stage_new.mail_template_id, self.received)
        # a stage that already sends an email keeps it
        chosen = self.env.ref("helpdesk_mgmt.changed_stage_template")
        self.stage_new.mail_template_id = chosen
        post_init_hook(self.env)
        self.assertEqual(self.stage_new.mail_template_id, chosen)
        uninstall_hook(self.env)
        self.assertEqual(self.stage_new.mail_template_id, chosen)

    def test_upgrade_to_18_0_2_1_points_the_new_stage(self):
        self.stage_new.mail_template_id = False
        spec = importlib.util.spec_from_file_location(
            "support_points_post_migration_18_0_2_1_0", MIGRATION
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(self.env.cr, "18.0.2.0.0")
        self.stage_new.invalidate_recordset()
        self.assertEqual(self.stage_new.mail_template_id, self.received)


@tagged("post_install", "-at_install")
class TestPortalTicketCharge(HttpCase):
    def test_portal_ticket_page_says_the_expected_charge(self):
        customer = self.env["res.partner"].create(
            {"name": "Portal Charge Corp", "is_company": True}
        )
        contact = self.env["res.partner"].create(
            {"name": "Pam Charge", "parent_id": customer.id}
        )
        new_test_user(
            self.env,
            login="sp_portal_charge",
            groups="base.group_portal",
            partner_id=contact.id,
        )
        customer.support_points_grant(4, "Portal welcome")
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Portal phone call",
                "description": "<p>call</p>",
                "partner_id": contact.id,
                "channel_id": self.env.ref(
                    "helpdesk_mgmt.helpdesk_ticket_channel_phone"
                ).id,
            }
        )
        self.authenticate("sp_portal_charge", "sp_portal_charge")
        response = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_support_charge_preview", response.text)
        self.assertIn(
            "Resolving this request uses 1 support point; you have 4.",
            response.text,
        )
