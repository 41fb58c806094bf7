# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import ValidationError
from odoo.tools import mute_logger

from .common import SupportChargeCommon


class TestChargeRules(SupportChargeCommon):
    """A charge rule can only say what a charge can do, and a rule that
    breaks later never lets another rule charge in its place."""

    def test_rule_points_out_of_range_are_refused(self):
        rules = self.env["support.charge.rule"].with_user(self.manager)
        count = rules.search_count([])
        for points in (1_500_000, -1_500_000, 10**10):
            with self.assertRaisesRegex(ValidationError, "at most 1000000 points"):
                rules.create({"name": "Huge", "ticket_domain": "[]", "points": points})
        self.assertEqual(rules.search_count([]), count)
        rule = self.env.ref("support_points.charge_rule_phone").with_user(self.manager)
        for points in (1_500_000, 10**10):
            with self.assertRaisesRegex(ValidationError, "Phone: one point"):
                rule.write({"points": points})
        rule.invalidate_recordset()
        self.assertEqual(rule.points, 1)
        rule.write({"points": 1_000_000})
        self.assertEqual(rule.points, 1_000_000)

    def _break(self, rule, source):
        # as a rule saved before validation existed, or whose field is gone
        self.env.cr.execute(
            "UPDATE support_charge_rule SET ticket_domain = %s WHERE id = %s",
            (source, rule.id),
        )
        rule.invalidate_recordset()
        self.env.registry.clear_cache()

    def _assert_broken_rule_stops_the_charge(self, source):
        self._grant(self.customer, 2)
        broken = self.env["support.charge.rule"].create(
            {"name": "Broken rule", "sequence": 1, "ticket_domain": "[]", "points": 5}
        )
        self._break(broken, source)
        ticket = self._ticket(user=self.helpdesk_user)
        with mute_logger("odoo.addons.support_points.models.support_charge_rule"):
            self._close(ticket.with_user(self.helpdesk_user))
        self.assertTrue(ticket.stage_id.closed, "closing still works")
        self.assertEqual(ticket.support_charge_state, "none")
        self.assertFalse(ticket.support_charge_rule_id)
        self.assertFalse(self._charge_lines(ticket))
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.support_points_balance, 2)
        self.assertIn("Broken rule", ticket.message_ids[0].body)
        # the manager fixes the rule and charges the ticket
        broken.with_user(self.manager).write(
            {"ticket_domain": "[('priority', '=', '3')]"}
        )
        ticket.with_user(self.manager).action_support_charge()
        self.assertEqual(ticket.support_charge_state, "charged")
        self.assertEqual(ticket.support_points_charged, 1)

    def test_rule_with_a_removed_field_stops_the_charge(self):
        self._assert_broken_rule_stops_the_charge("[('gone', '=', 1)]")

    def test_rule_with_a_syntax_error_stops_the_charge(self):
        self._assert_broken_rule_stops_the_charge("[('channel_id', '=',")
