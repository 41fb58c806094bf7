# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import importlib.util
import re
from pathlib import Path

from odoo.addons.support_points.hooks import (
    post_init_hook,
    restore_helpdesk_closing_template,
    uninstall_hook,
)

from .common import SupportClosingMailCommon

MIGRATION = (
    Path(__file__).resolve().parents[1]
    / "migrations"
    / "18.0.2.0.0"
    / "post-migration.py"
)


def _load_migration():
    spec = importlib.util.spec_from_file_location(
        "support_points_post_migration_18_0_2_0_0", MIGRATION
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _squeeze(html):
    return re.sub(r"\s+", "", html or "")


class TestClosingTemplate(SupportClosingMailCommon):
    """The closing stages send our own template while the add-on is
    installed; helpdesk_mgmt's template is never rewritten."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.helpdesk_template = cls.env.ref("helpdesk_mgmt.closed_ticket_template")
        cls.points_template = cls.env.ref(
            "support_points.mail_template_ticket_closed_points"
        )
        cls.closing_stages = cls.stage_done | cls.stage_cancelled | cls.stage_rejected

    def test_install_leaves_the_helpdesk_template_alone(self):
        body = self.helpdesk_template.with_context(lang="en_US").body_html
        self.assertNotIn("support_points", body)
        self.assertEqual(
            _squeeze(body), _squeeze(_load_migration().HELPDESK_BODY), "as shipped"
        )
        self.assertIn("object.support_points_mail_note", self.points_template.body_html)
        self.assertEqual(self.points_template.lang, "{{ object.partner_id.lang }}")

    def test_closing_stages_send_our_template(self):
        self.assertEqual(
            self.closing_stages.mapped("mail_template_id"), self.points_template
        )
        self.assertFalse(
            self.env["helpdesk.ticket.stage"]
            .with_context(active_test=False)
            .search([("mail_template_id", "=", self.helpdesk_template.id)])
        )
        self.assertEqual(
            self.closing_stages.mapped("support_no_charge"), [False, True, True]
        )

    def test_closing_sends_one_email_with_the_points_paragraph(self):
        self._grant(self.customer, 3)
        ticket = self._close_tracked()
        mail = self._closing_mails(ticket)
        self.assertEqual(len(mail), 1, "one email on close")
        self.assertIn("has been closed", mail.subject)
        self.assertIn("has been closed", mail.body_html)
        self.assertIn("o_support_points_charged", mail.body_html)

    def test_uninstall_hook_points_the_stages_back(self):
        other = self.env["helpdesk.ticket.stage"].create(
            {
                "name": "Solved by phone",
                "closed": True,
                "mail_template_id": self.points_template.id,
            }
        )
        uninstall_hook(self.env)
        self.assertEqual(
            (self.closing_stages | other).mapped("mail_template_id"),
            self.helpdesk_template,
        )
        # helpdesk_mgmt's email again, without our paragraph
        self._grant(self.customer, 3)
        ticket = self._close_tracked()
        mail = self._closing_mails(ticket)
        self.assertEqual(len(mail), 1)
        self.assertIn("has been closed", mail.body_html)
        self.assertNotIn("o_support_points", mail.body_html)
        # installing again points them to ours (the hook is idempotent)
        post_init_hook(self.env)
        post_init_hook(self.env)
        self.assertEqual(
            (self.closing_stages | other).mapped("mail_template_id"),
            self.points_template,
        )

    def test_uninstall_hook_without_the_helpdesk_template(self):
        self.helpdesk_template.unlink()
        uninstall_hook(self.env)
        self.assertFalse(self.closing_stages.mapped("mail_template_id"))

    def test_upgrade_from_18_0_1_gives_helpdesk_its_template_back(self):
        migration = _load_migration()
        # the state 18.0.1.1.0 left: our paragraph in helpdesk_mgmt's
        # template, which the closing stages send
        restore_helpdesk_closing_template(self.env)
        self.helpdesk_template.body_html = migration.NEW_BODY
        ours_before = self.points_template.body_html
        migration.migrate(self.env.cr, "18.0.1.1.0")
        self.assertEqual(
            _squeeze(self.helpdesk_template.body_html),
            _squeeze(migration.HELPDESK_BODY),
        )
        self.assertEqual(self.points_template.body_html, ours_before)
        self.assertEqual(
            self.closing_stages.mapped("mail_template_id"), self.points_template
        )
        # 18.0.1.0.0's body, the paragraph inline: restored too
        self.helpdesk_template.body_html = migration.OLD_BODY
        migration.migrate(self.env.cr, "18.0.1.0.0")
        self.assertNotIn("support_", self.helpdesk_template.body_html)

    def test_upgrade_keeps_an_edited_closing_email(self):
        migration = _load_migration()
        restore_helpdesk_closing_template(self.env)
        edited = migration.NEW_BODY.replace(
            "</div>", "<p>Thank you for calling Acme support.</p></div>"
        )
        self.helpdesk_template.body_html = edited
        migration.migrate(self.env.cr, "18.0.1.1.0")
        self.assertIn("Thank you for calling Acme", self.points_template.body_html)
        self.assertNotIn("Thank you", self.helpdesk_template.body_html)
        self.assertNotIn("support_", self.helpdesk_template.body_html)
        self._grant(self.customer, 3)
        mail = self._closing_mails(self._close_tracked())
        self.assertIn("Thank you for calling Acme", mail.body_html)
        self.assertIn("o_support_points_charged", mail.body_html)
