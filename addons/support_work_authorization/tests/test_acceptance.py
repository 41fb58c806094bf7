# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user

from .common import WorkAuthorizationCommon


class TestAcceptance(WorkAuthorizationCommon):
    def test_agent_sends_a_quotation_to_sign_to_the_authorized_contact(self):
        authorization = self._authorization()
        self.assertEqual(authorization.contact_id, self.contact)
        authorization.action_send()
        order = authorization.order_id
        self.assertEqual(authorization.state, "sent")
        self.assertEqual(order.state, "sent")
        self.assertTrue(order.require_signature)
        self.assertEqual(order.partner_id, self.contact)
        self.assertEqual(
            order.order_line.mapped("product_id"),
            self.travel.work_auth_product_id | self.onsite.work_auth_product_id,
        )
        self.assertEqual(sorted(order.order_line.mapped("product_uom_qty")), [1, 2])
        self.assertEqual(order.amount_untaxed, 60 + 2 * 90)
        mail = order.message_ids.filtered(lambda m: self.contact in m.partner_ids)
        self.assertTrue(mail, "the quotation is mailed to the contact")
        self.assertIn(order.get_portal_url(), mail[0].body)

    def test_parts_are_part_of_the_estimate(self):
        part = self.env["product.product"].create(
            {"name": "Sensor cable", "type": "consu", "list_price": 25.0}
        )
        authorization = self._authorization(hours={self.onsite: 1}, parts=[(part, 2)])
        authorization.action_send()
        self.assertEqual(authorization.order_id.amount_untaxed, 90 + 50)

    def test_no_authorized_contact_no_quotation(self):
        self.customer.write(
            {"work_auth_contact_id": False, "work_auth_backup_id": False}
        )
        authorization = self._authorization()
        with self.assertRaisesRegex(UserError, "no authorized contact"):
            authorization.action_send()
        self.assertFalse(authorization.order_ids)

    def test_agent_without_sales_rights_cannot_send(self):
        helpdesk_only = new_test_user(
            self.env,
            login="wa_helpdesk_only",
            groups="helpdesk_mgmt.group_helpdesk_user",
        )
        authorization = self._authorization()
        with self.assertRaises(AccessError):
            authorization.with_user(helpdesk_only).action_send()
        # but sees the authorization and its estimate, not the quotations
        authorization.action_send()
        form = Form(authorization.with_user(helpdesk_only))
        self.assertEqual(form.contact_id, self.contact)
        self.assertEqual(len(form.line_ids), 2)

    def test_only_authorized_contacts_accept(self):
        authorization = self._authorization()
        authorization.action_send()
        with self.assertRaisesRegex(UserError, "Only the people Harbor Clinic"):
            self._accept(authorization, self.portal_colleague)
        self.assertEqual(authorization.state, "sent")
        self.assertEqual(authorization.order_id.state, "sent")
        # an agent cannot accept on the customer's behalf either
        with self.assertRaises(UserError):
            authorization.order_id.with_user(self.agent).action_confirm()
        # the backup can
        self._accept(authorization, self.portal_backup)
        self.assertEqual(authorization.state, "accepted")
        self.assertEqual(authorization.accepted_by_id, self.backup)
        self.assertEqual(authorization.order_id.state, "sale")
        self.assertEqual(authorization.accepted_hours, 3.0)

    def test_work_logged_before_acceptance_is_flagged(self):
        authorization = self._authorization()
        authorization.action_send()
        early = self._log(0.5, self.remote)
        self.assertTrue(early.work_auth_unauthorized)
        self.assertEqual(self.ticket.work_auth_unauthorized_hours, 0.5)
        self._accept(authorization, self.portal_contact)
        late = self._log(1.0, self.onsite)
        self.assertFalse(late.work_auth_unauthorized)
        self.assertEqual(self.ticket.work_auth_unauthorized_hours, 0.5)

    def test_paid_in_points_uses_the_points_on_acceptance(self):
        self.customer.with_user(self.manager).support_points_grant(10, "Welcome")
        authorization = self._authorization(pay_in_points=True, points_cost=4)
        authorization.action_send()
        self.assertEqual(authorization.order_id.amount_total, 0.0)
        self.assertIn(
            "4 service points",
            " ".join(authorization.order_id.order_line.mapped("name")),
        )
        self._accept(authorization, self.portal_contact)
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.support_points_balance, 6)
        move = self.env["support.points.move"].search(
            [("partner_id", "=", self.customer.id), ("kind", "=", "consume")]
        )
        self.assertEqual(move.points, -4)
        self.assertIn(authorization.name, move.note)
        self.assertEqual(authorization.points_used, 4)
