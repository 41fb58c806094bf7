# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command

from .common import SupportCertificationCase


class TestSlaDashboard(SupportCertificationCase):
    """SLA counters on helpdesk_mgmt's team dashboard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_team = cls.env["helpdesk.ticket.team"].create(
            {"name": "Other team", "user_ids": [Command.set(cls.agent.ids)]}
        )

    def _with_states(self, team, response, resolution, at_risk=False, stage=None):
        ticket = self._ticket(self.alice, self.agent, team_id=team.id)
        if stage:
            ticket.stage_id = stage
        ticket.write(
            {
                "sla_response_state": response,
                "sla_resolution_state": resolution,
                "sla_at_risk": at_risk,
            }
        )
        return ticket

    def test_team_counts_breached_and_at_risk_open_tickets(self):
        self._with_states(self.team, "breached", "running")
        self._with_states(self.team, "met", "breached")
        self._with_states(self.team, "running", "running", at_risk=True)
        self._with_states(self.team, "running", "running")
        self._with_states(self.team, "paused", "paused")
        # closed: history, not work to do
        self._with_states(self.team, "breached", "breached", stage=self.stage_done)
        self._with_states(self.other_team, "breached", "running")
        self.env.flush_all()
        teams = (self.team | self.other_team).with_user(self.agent)
        self.assertEqual(
            [(t.sla_breached_ticket_count, t.sla_at_risk_ticket_count) for t in teams],
            [(2, 1), (1, 0)],
        )
        sections = {
            section["name"]: section
            for section in teams.retrieve_dashboard()
            if section["name"].startswith("SLA")
        }
        self.assertEqual(sections["SLA Breached"]["value"], 3 + self._others())
        action = self.env.ref(sections["SLA At Risk"]["action"])
        self.assertEqual(action.res_model, "helpdesk.ticket")

    def _others(self):
        """Breached open tickets outside this test (the database's own)."""
        return self.env["helpdesk.ticket"].search_count(
            [
                ("stage_id.closed", "=", False),
                ("team_id", "not in", (self.team | self.other_team).ids),
                "|",
                ("sla_response_state", "=", "breached"),
                ("sla_resolution_state", "=", "breached"),
            ]
        )

    def test_dashboard_card_shows_the_counters(self):
        arch = (
            self.env["helpdesk.ticket.team"]
            .with_user(self.agent)
            .get_views([(False, "kanban")])["views"]["kanban"]["arch"]
        )
        for name in ("sla_breached_ticket_count", "sla_at_risk_ticket_count"):
            self.assertIn(f"record.{name}.value", arch)
        self.assertIn("search_default_filter_sla_breached", arch)


class TestSlaScreensFrench(SupportCertificationCase):
    """The SLA screens' new words ship in French (i18n/fr.po)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["support_certification"], ["fr_FR"], overwrite=True
        )

    def test_french_agent_reads_the_sla_screens_in_french(self):
        agent = self.agent.with_context(lang="fr_FR")
        teams = (
            self.env["helpdesk.ticket.team"].with_user(agent).with_context(lang="fr_FR")
        )
        names = {section["name"] for section in teams.retrieve_dashboard()}
        self.assertTrue({"SLA dépassé", "SLA à risque"} <= names, names)
        arch = teams.get_views([(False, "kanban")])["views"]["kanban"]["arch"]
        self.assertIn("SLA dépassé", arch)
        report = (
            self.env["support.sla.report"].with_user(agent).with_context(lang="fr_FR")
        )
        fields = report.fields_get(["resolution_compliance"], ["string"])
        self.assertEqual(
            fields["resolution_compliance"]["string"], "Respect des résolutions (%)"
        )
        arch = (
            self.env["helpdesk.ticket"]
            .with_user(agent)
            .with_context(lang="fr_FR")
            .get_views([(False, "list")])["views"]["list"]["arch"]
        )
        self.assertIn("Échéance", arch)
