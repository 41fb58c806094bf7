# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

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
                "__count",
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

    def test_compliance_is_met_over_decided(self):
        """Compliance % = met / (met + breached) in every group and in the
        total, running clocks left out; not an average of group ratios."""
        self._certify(self.alice, self.level_gold, date(2026, 1, 1))
        with freeze_time(self.at(0, 10)):
            met = self._ticket(self.alice, self.agent)
            breached = self._ticket(self.alice, self.agent)
            standard = self._ticket(self.carol, self.agent)
            running = self._ticket(self.carol, self.agent)
        self._set_stage(met, self.stage_done, self.at(0, 15))
        self._set_stage(breached, self.stage_done, self.at(2, 15))
        self._set_stage(standard, self.stage_done, self.at(1, 9))
        self.assertEqual(running.sla_resolution_state, "running")
        report = self.env["support.sla.report"].with_user(self.agent)
        domain = [("ticket_id", "in", (met | breached | standard | running).ids)]
        # the measure's own aggregator, as the pivot and the graph ask for it
        by_tier = {
            group["sla_tier_id"][0]: group["resolution_compliance"]
            for group in report.read_group(
                domain, ["resolution_compliance"], ["sla_tier_id"]
            )
        }
        self.assertEqual(
            by_tier, {self.tier_gold.id: 50.0, self.tier_standard.id: 100.0}
        )
        [total] = report.read_group(domain, ["resolution_compliance"], [])
        # 2 met of 3 decided (the average of the tiers' 50 and 100 would be 75)
        self.assertAlmostEqual(total["resolution_compliance"], 200 / 3)
        by_month = report.read_group(
            domain,
            [
                "resolution_compliance",
                "resolution_met_count",
                "resolution_breached_count",
            ],
            ["date:month", "team_id"],
            lazy=False,
        )
        self.assertEqual(
            [
                (
                    g["team_id"][0],
                    g["resolution_met_count"],
                    g["resolution_breached_count"],
                    round(g["resolution_compliance"], 2),
                )
                for g in by_month
            ],
            [(self.team.id, 2, 1, 66.67)],
        )

    def test_count_is_not_a_measure_twice(self):
        """The pivot's built-in Count is the only ticket count."""
        measures = {
            name
            for name, field in self.env["support.sla.report"]._fields.items()
            if field.type in ("integer", "float") and field.aggregator == "sum"
        }
        self.assertEqual(
            measures,
            {
                "response_met_count",
                "response_breached_count",
                "resolution_met_count",
                "resolution_breached_count",
            },
        )

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


@tagged("post_install", "-at_install")
class TestSlaReportGraph(HttpCase):
    def test_graph_counts_met_against_breached(self):
        """The graph opens on met against breached resolutions, its count
        axis on whole numbers (it plotted 1 ticket on 0.00-1.00)."""
        agent = new_test_user(
            self.env,
            login="sc_report_agent",
            groups="helpdesk_mgmt.group_helpdesk_user",
            tz="UTC",
        )
        done = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        tickets = self.env["helpdesk.ticket"].create(
            [
                {"name": f"Report ticket {i}", "description": "<p>x</p>"}
                for i in range(3)
            ]
        )
        tickets.write({"stage_id": done.id})
        tickets[:2].write({"sla_resolution_state": "met"})
        tickets[2].write({"sla_resolution_state": "breached"})
        action = self.env["ir.actions.act_window"].create(
            {
                "name": "SLA graph",
                "res_model": "support.sla.report",
                "view_mode": "graph",
                "domain": [("ticket_id", "in", tickets.ids)],
                "view_id": self.env.ref(
                    "support_certification.support_sla_report_view_graph"
                ).id,
            }
        )
        self.start_tour(
            f"/odoo/action-{action.id}",
            "support_certification_sla_report_graph",
            login=agent.login,
        )
