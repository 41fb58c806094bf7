# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command

from .common import SupportChargeCommon


class TestAutomations(SupportChargeCommon):
    """The charge automation is one automation among others: the customer's
    own automations on tickets keep firing as base_automation runs them."""

    def _automation(self, trigger, field_names, code):
        ticket_fields = self.env["helpdesk.ticket"]._fields
        field_ids = [
            self.env["ir.model.fields"]._get("helpdesk.ticket", name).id
            for name in field_names
            if name in ticket_fields
        ]
        model = self.env.ref("helpdesk_mgmt.model_helpdesk_ticket")
        return self.env["base.automation"].create(
            {
                "name": f"Test automation on {', '.join(field_names) or 'any field'}",
                "model_id": model.id,
                "trigger": trigger,
                "trigger_field_ids": [Command.set(field_ids)],
                "action_server_ids": [
                    Command.create(
                        {
                            "name": "Test action",
                            "model_id": model.id,
                            "state": "code",
                            "code": code,
                        }
                    )
                ],
            }
        )

    def test_automation_on_a_recomputed_field_still_runs(self):
        # "unattended" is stored, recomputed from the stage: the stage write
        # itself is not watched, the recomputation is
        self._automation("on_write", ["unattended"], "records.write({'priority': '3'})")
        ticket = self._ticket()
        self.assertFalse(ticket.unattended)
        ticket.write(
            {"stage_id": self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new").id}
        )
        self.env.flush_all()
        self.assertTrue(ticket.unattended)
        self.assertEqual(ticket.priority, "3")

    def test_automation_without_trigger_fields_runs_on_any_write(self):
        automation = self._automation(
            "on_create_or_write", [], "records.write({'priority': '2'})"
        )
        self.assertFalse(automation.trigger_field_ids)
        ticket = self._ticket(priority="0")
        ticket.priority = "0"
        self.env.flush_all()
        ticket.write({"description": "<p>More details</p>"})
        self.assertEqual(ticket.priority, "2")

    def test_changed_trigger_fields_apply_at_once(self):
        automation = self._automation(
            "on_write", ["name"], "records.write({'priority': '3'})"
        )
        ticket = self._ticket(priority="0")
        ticket.write({"description": "<p>More details</p>"})
        self.assertEqual(ticket.priority, "0", "the description is not watched")
        automation.trigger_field_ids = [
            Command.set(
                [self.env["ir.model.fields"]._get("helpdesk.ticket", "description").id]
            )
        ]
        ticket.write({"description": "<p>Even more details</p>"})
        self.assertEqual(ticket.priority, "3")

    def test_recomputed_commercial_partner_runs_a_watching_automation(self):
        ticket = self._ticket()
        self.env.flush_all()
        automation = self._automation(
            "on_write", ["name"], "records.write({'priority': '3'})"
        )
        ticket.partner_id = self.other_customer
        self.env.flush_all()
        self.assertNotEqual(ticket.priority, "3", "commercial partner not watched")
        automation.trigger_field_ids = self.env["ir.model.fields"]._get(
            "helpdesk.ticket", "commercial_partner_id"
        )
        ticket.partner_id = self.contact
        self.env.flush_all()
        self.assertEqual(ticket.commercial_partner_id, self.customer)
        self.assertEqual(ticket.priority, "3")

    def test_condition_naming_variables_is_still_evaluated(self):
        automation = self._automation(
            "on_write", ["name"], "records.write({'priority': '3'})"
        )
        automation.filter_domain = "[('user_id', '=', uid)]"
        mine = self._ticket(user_id=self.env.uid, priority="0")
        theirs = self._ticket(user_id=self.helpdesk_user.id, priority="0")
        (mine | theirs).write({"name": "Renamed"})
        self.assertEqual(mine.priority, "3")
        self.assertEqual(theirs.priority, "0")

    def test_charge_condition_charges_closed_stages_only(self):
        self._grant(self.customer, 3)
        closing, moving = self._ticket(), self._ticket()
        self._close(closing)
        moving.write({"stage_id": self.stage_new.id})
        self.assertEqual(closing.support_charge_state, "charged")
        self.assertEqual(moving.support_charge_state, "none", "not a closed stage")

    def test_edited_condition_of_another_automation_applies_at_once(self):
        # editing the condition of an "on save" automation adds the fields it
        # names to its trigger fields: it fires on them at once, without a
        # restart of the server
        automation = self._automation(
            "on_create_or_write", [], "records.write({'priority': '3'})"
        )
        automation.filter_domain = "[('priority', '=', '2')]"
        ticket = self._ticket(priority="0")
        ticket.write({"name": "Warm-up"})
        self.assertEqual(ticket.priority, "0")
        automation.filter_domain = "[('name', '=', 'Go')]"
        self.assertIn(
            "name", automation.trigger_field_ids.mapped("name"), "field of the filter"
        )
        ticket.write({"name": "Go"})
        self.assertEqual(ticket.priority, "3")
