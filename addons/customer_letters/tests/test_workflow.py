# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import mute_logger

from .common import LettersCommon

SCOPE = "[('ref', '=', 'clflow')]"


class TestWorkflow(LettersCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("Flow Ltd", ref="clflow")
        cls.letter = cls._letter(segments=[{"name": "All", "domain": SCOPE}])

    def test_author_drafts_helpdesk_user_cannot(self):
        letter = self.Letter.with_user(self.user_author).create(
            {"name": "Draft", "subject": "S", "body": "<p>B</p>"}
        )
        self.assertEqual(letter.state, "draft")
        with self.assertRaises(AccessError):
            self.Letter.with_user(self.user_helpdesk).create(
                {"name": "Draft", "subject": "S", "body": "<p>B</p>"}
            )
        with self.assertRaises(AccessError):
            self.letter.with_user(self.user_helpdesk).read(["name"])

    def test_approval_by_letters_manager_only(self):
        self.letter.with_user(self.user_author).action_submit()
        self.assertEqual(self.letter.state, "to_approve")
        with self.assertRaises(AccessError):
            self.letter.with_user(self.user_author).action_approve()
        self.assertEqual(self.letter.state, "to_approve")
        self.letter.with_user(self.user_manager).action_approve()
        self.assertEqual(self.letter.state, "approved")
        self.assertEqual(self.letter.approver_id, self.user_manager)
        self.assertTrue(self.letter.approval_date)

    def test_grant_needs_points_manager_to_approve(self):
        self.letter.segment_ids.grant_points = 10
        with self.assertRaisesRegex(AccessError, "support points manager"):
            self.letter.with_user(self.user_manager).action_approve()
        self.letter.with_user(self.user_granter).action_approve()
        self.assertEqual(self.letter.state, "approved")

    def test_workflow_fields_not_writable_directly(self):
        self.letter.segment_ids.grant_points = 10
        letter = self.letter.with_user(self.user_manager)
        for vals in (
            {"state": "approved"},
            {"approver_id": self.user_granter.id},
            {"approval_date": "2026-01-01 00:00:00"},
        ):
            with self.assertRaisesRegex(UserError, "only through"):
                letter.write(vals)
        self.assertEqual(self.letter.state, "draft")
        self.assertFalse(self.letter.approver_id)
        with self.assertRaisesRegex(UserError, "starts as a draft"):
            self.Letter.with_user(self.user_manager).create(
                {"name": "Self", "subject": "S", "state": "approved"}
            )
        # the approval action still works, and sets them
        self._approve(self.letter)
        self.assertEqual(self.letter.approver_id, self.user_granter)

    def test_send_rechecks_grant_approver(self):
        self.letter.segment_ids.grant_points = 10
        # an approval that did not go through the points manager check
        self.letter._write_internal(
            {"state": "approved", "approver_id": self.user_manager.id}
        )
        with self.assertRaisesRegex(AccessError, "support points manager"):
            self._send(self.letter)
        self.assertFalse(self.letter.recipient_ids)
        self.assertEqual(self.letter.state, "approved")

    def test_editing_approved_letter_returns_to_draft(self):
        self._approve(self.letter)
        self.letter.with_user(self.user_author).body = "<p>Changed</p>"
        self.assertEqual(self.letter.state, "draft")
        self.assertFalse(self.letter.approver_id)
        self._approve(self.letter)
        self.letter.segment_ids.with_user(self.user_author).grant_points = 3
        self.assertEqual(self.letter.state, "draft", "a segment edit too")
        self._approve(self.letter)
        self.letter.name = "Renamed"
        self.assertEqual(self.letter.state, "approved", "the name is not content")

    def test_send_without_approval_sends_nothing(self):
        for state_action in (None, "action_submit"):
            if state_action:
                getattr(self.letter, state_action)()
            with self.assertRaisesRegex(UserError, "only an approved letter"):
                self._send(self.letter)
        self.assertFalse(self.letter.mailing_id)
        self.assertFalse(self.letter.recipient_ids)

    def test_author_cannot_send(self):
        self._approve(self.letter)
        with self.assertRaises(AccessError):
            self.letter.with_user(self.user_author).action_send()
        self.assertFalse(self.letter.recipient_ids)

    def test_empty_segment_blocks(self):
        self.letter.segment_ids.domain = "[('ref', '=', 'nobody')]"
        with self.assertRaisesRegex(UserError, "matches no customer"):
            self.letter.action_submit()
        letter = self._letter(segments=[])
        letter.segment_ids.unlink()
        with self.assertRaisesRegex(UserError, "no segment"):
            letter.action_submit()

    def test_non_positive_grant_refused(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "UPDATE customer_letter_segment SET grant_points = -1 "
                    "WHERE id = %s",
                    (self.letter.segment_ids.id,),
                )
        with self.assertRaisesRegex(ValidationError, "must be positive"):
            self.letter.segment_ids.grant_points = -5

    def test_cancel_and_template(self):
        template = self.env.ref("customer_letters.customer_letter_template_policy")
        with self.assertRaisesRegex(UserError, "template"):
            template.action_submit()
        action = template.action_use_template()
        letter = self.Letter.browse(action["res_id"])
        self.assertFalse(letter.is_template)
        self.assertEqual(len(letter.segment_ids), 2)
        self.assertIn("object.segment_paragraphs", letter.body)
        letter.action_cancel()
        self.assertEqual(letter.state, "cancelled")
        letter.action_reset_draft()
        self.assertEqual(letter.state, "draft")

    def test_other_company_cannot_see_letters(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        stranger = self.user_manager.copy(
            {
                "login": "cl_stranger",
                "company_id": other.id,
                "company_ids": [(6, 0, other.ids)],
            }
        )
        letters = self.Letter.with_user(stranger).search([])
        self.assertNotIn(self.letter, letters)
        with self.assertRaises(AccessError):
            self.letter.with_user(stranger).read(["name"])

    def test_body_is_sanitized(self):
        self.letter.body = (
            '<p onclick="steal()">Hi {{ object.company_name }}</p>'
            "<script>alert(1)</script>"
        )
        self.assertNotIn("<script", self.letter.body)
        self.assertNotIn("onclick", self.letter.body)
        subject, body = self.letter._render_preview(self.customer)
        self.assertIn("Hi Flow Ltd", body)
        self.assertNotIn("<script", body)

    def test_letter_from_template_says_which_segment_is_empty(self):
        """A segment that matches nobody is said on the new draft, before
        anyone submits it."""
        template = self._letter(
            is_template=True,
            segments=[
                {"name": "All", "domain": SCOPE},
                {"name": "Half a century", "domain": SCOPE, "min_tenure_years": 50},
            ],
        )
        self.assertFalse(template.empty_segment_warning, "a template is not sent")
        action = template.with_user(self.user_author).action_use_template()
        letter = self.Letter.browse(action["res_id"])
        self.assertIn("Half a century", letter.empty_segment_warning)
        self.assertNotIn("All", letter.empty_segment_warning)
        letter.segment_ids.filtered(lambda s: s.min_tenure_years).unlink()
        self.assertFalse(letter.empty_segment_warning)
