# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError

from .common import SupportCertificationCase


class TestSlaReport(SupportCertificationCase):
    def test_compliance_by_tier_and_month(self):
        self._certify(self.alice, self.level_gold, date(2026, 1, 1))
        with freeze_time(self.at(0, 10)):
            met = self._ticket(self.alice, self.agent)
            breached = self._ticket(self.alice, self.agent)
            standard = self._ticket(self.carol, self.agent)
        self._set_stage(met, self.stage_done, self.at(0, 15))
        self._set_stage(breached, self.stage_done, self.at(2, 15))
        self._set_stage(standard, self.stage_done, self.at(1, 9))
        report = self.env["support.sla.report"].with_user(self.agent)
        groups = report._read_group(
            [("ticket_id", "in", (met | breached | standard).ids)],
            groupby=["sla_tier_id", "date:month"],
            aggregates=[
                "resolution_met_count:sum",
                "resolution_breached_count:sum",
                "ticket_count:sum",
            ],
        )
        result = {
            (tier, month.month): (met_count, breached_count, count)
            for tier, month, met_count, breached_count, count in groups
        }
        self.assertEqual(
            result,
            {(self.tier_gold, 3): (1, 1, 2), (self.tier_standard, 3): (1, 0, 1)},
        )
        with self.assertRaises(AccessError):
            self.env["support.sla.report"].with_user(self.employee).search([])

    def test_cron_processes_every_batch(self):
        self._certify(self.alice, self.level_gold, date(2026, 1, 1))
        with freeze_time(self.at(0, 10)):
            tickets = self.env["helpdesk.ticket"].create(
                [
                    {
                        "name": f"Batch {i}",
                        "description": "x",
                        "team_id": self.team.id,
                        "partner_id": self.alice.id,
                    }
                    for i in range(5)
                ]
            )
        with freeze_time(self.at(0, 12, 30)):
            # one batch per call; Odoo's cron runner calls again (after a
            # commit) while the cron reports tickets remaining
            calls = self._cron_run(
                "support_certification.ir_cron_sla_check",
                "_cron_sla_check",
                batch_size=2,
            )
            self.assertEqual(calls, [(2, 3), (2, 1), (1, 0)])
            self.assertEqual(set(tickets.mapped("sla_response_state")), {"breached"})
            self.assertTrue(all(tickets.mapped("sla_breach_notified")))

    def test_views_load(self):
        for model, views in (
            ("helpdesk.ticket", ["form", "list", "kanban", "search"]),
            ("support.sla.report", ["pivot", "graph", "search"]),
            ("support.certification", ["form", "list", "search"]),
            ("res.partner", ["form"]),
        ):
            result = (
                self.env[model]
                .with_user(self.agent)
                .get_views([(False, view) for view in views])
            )
            self.assertEqual(set(result["views"]), set(views))
        arch = (
            self.env["helpdesk.ticket"]
            .with_user(self.agent)
            .get_views([(False, "kanban")])["views"]["kanban"]["arch"]
        )
        self.assertIn("sla_resolution_deadline", arch)
