# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import gc
from contextlib import contextmanager
from unittest.mock import patch

from odoo import Command
from odoo.tools import safe_eval as safe_eval_module

from .common import SupportChargeCommon


class TestAutomationGuard(SupportChargeCommon):
    """base_automation's write and recomputation hooks are skipped only when
    no automation of the model can fire for the fields they change."""

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

    def _count_filter_evaluations(self):
        automation_class = type(self.env["base.automation"])
        return patch.object(
            automation_class,
            "_filter_post_export_domain",
            autospec=True,
            side_effect=automation_class._filter_post_export_domain,
        )

    def test_write_of_unwatched_fields_skips_the_automation_filters(self):
        self._grant(self.customer, 3)
        ticket = self._ticket()
        self.env.flush_all()
        with self._count_filter_evaluations() as evaluations:
            ticket.write({"priority": "2", "name": "Printer still on fire"})
            self.env.flush_all()
        self.assertEqual(evaluations.call_count, 0, "no automation watches these")
        with self._count_filter_evaluations() as evaluations:
            self._close(ticket)
            self.env.flush_all()
        self.assertTrue(evaluations.call_count, "the stage is watched")
        self.assertEqual(ticket.support_charge_state, "charged")

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

    def test_create_evaluates_the_charge_condition_once(self):
        self._ticket()  # warm-up
        with self._count_filter_evaluations() as evaluations:
            ticket = self._ticket()
            self.env.flush_all()
        # the charge automation's condition, for the create only (a ticket
        # created closed is charged): not for the recomputation of
        # commercial_partner_id and unattended that follows
        self.assertEqual(evaluations.call_count, 1)
        self.assertEqual(ticket.commercial_partner_id, self.customer)

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

    def test_closing_leaves_no_environment_to_the_garbage_collector(self):
        # base_automation's environments for the write (the ones holding the
        # old values) are freed with their last reference: they do not stay
        # in the transaction's environments, scanned by every with_context()
        self._grant(self.customer, 3)
        tickets = self._ticket() | self._ticket()
        self.env.flush_all()
        envs = self.env.transaction.envs
        gc.collect()
        gc.disable()
        try:
            for ticket in tickets.with_user(self.helpdesk_user):
                self._close(ticket)
                self.env.cr.precommit.run()
            left = [env for env in envs if "old_values" in env.context]
        finally:
            gc.enable()
        self.assertEqual(tickets.mapped("support_charge_state"), ["charged"] * 2)
        self.assertFalse(left, "environments of the automation left for gc")

    def test_closing_tickets_one_by_one_reads_their_rows_at_once(self):
        # base_automation reads the old values on a recordset that prefetches
        # only the ticket written: a loop closing tickets one by one fetched
        # each ticket's row in a query of its own
        self._grant(self.customer, 4)
        tickets = self._ticket() | self._ticket() | self._ticket() | self._ticket()
        self.env.flush_all()
        self.env.invalidate_all()
        queries = []
        with contextmanager(self._patchExecute)(queries):
            for ticket in tickets.with_user(self.helpdesk_user):
                self._close(ticket)
        rows = [
            query
            for query in queries
            if query.startswith('SELECT "helpdesk_ticket"."id", ')
            and '"helpdesk_ticket"."description"' in query
        ]
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual(tickets.mapped("support_charge_state"), ["charged"] * 4)
        self.assertEqual(self.customer.support_points_balance, 0)

    def test_literal_condition_is_not_evaluated_as_python(self):
        # the charge automation's condition is a plain list: read once, not
        # evaluated with safe_eval on every closing; it still filters
        self._grant(self.customer, 3)
        closing, moving = self._ticket(), self._ticket()
        self._close(self._ticket())  # warm-up
        condition = self.env.ref(
            "support_points.automation_ticket_close_charge"
        ).filter_domain
        with patch.object(
            safe_eval_module, "safe_eval", wraps=safe_eval_module.safe_eval
        ) as evaluations:
            self._close(closing)
            moving.write({"stage_id": self.stage_new.id})
            self.env.flush_all()
        self.assertNotIn(condition, [call.args[0] for call in evaluations.mock_calls])
        self.assertEqual(closing.support_charge_state, "charged")
        self.assertEqual(moving.support_charge_state, "none", "not a closed stage")

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
