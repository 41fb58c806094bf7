# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SupportCertificationCase


class TestSlaStatus(SupportCertificationCase):
    def test_status_and_deadline_shown(self):
        """One word for the SLA (a breach of either clock wins, then a
        pause, then the risk) and the deadline it is about."""
        ticket = self._ticket(self.alice, self.agent)
        cases = [
            # (response, resolution, at risk): (status, deadline shown)
            (("running", "running", False), ("running", "response")),
            (("running", "running", True), ("at_risk", "response")),
            (("paused", "paused", False), ("paused", "response")),
            (("met", "paused", False), ("paused", "resolution")),
            (("met", "running", True), ("at_risk", "resolution")),
            (("breached", "running", False), ("breached", "response")),
            (("breached", "met", False), ("breached", "response")),
            (("met", "breached", False), ("breached", "resolution")),
            (("breached", "breached", False), ("breached", "resolution")),
            (("met", "met", False), ("met", "resolution")),
            ((False, False, False), (False, False)),
        ]
        Ticket = self.env["helpdesk.ticket"]
        for (response, resolution, at_risk), expected in cases:
            with self.subTest(response=response, resolution=resolution, risk=at_risk):
                status = Ticket._sla_status_of(response, resolution, at_risk)
                ticket.write(
                    {
                        "sla_response_state": response,
                        "sla_resolution_state": resolution,
                        "sla_at_risk": at_risk,
                        "sla_status": status,
                    }
                )
                self.assertEqual(
                    (ticket.sla_status, ticket.sla_deadline_kind), expected
                )

    def test_status_follows_the_clocks(self):
        """The stored status is recomputed with the states it sums up: on
        creation, on closing and when the SLA check stores new states."""
        ticket = self._ticket(self.alice, self.agent)
        self.assertEqual(ticket.sla_status, "running")
        ticket.write({"sla_status": "met"})  # stale on purpose
        ticket._sla_check_batch()
        self.assertEqual(ticket.sla_status, "running")
        closed = self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True)], limit=1
        )
        ticket.stage_id = closed
        self.assertEqual(ticket.sla_resolution_state, "met")
        self.assertEqual(ticket.sla_status, "met")


@tagged("post_install", "-at_install")
class TestSlaDisplay(HttpCase):
    """What an agent sees of the SLA on the ticket kanban, list and form."""

    browser_size = "1440x900"

    def test_paused_running_and_tier_colour(self):
        agent = new_test_user(
            self.env,
            login="sc_display_agent",
            groups="helpdesk_mgmt.group_helpdesk_user",
            tz="UTC",
        )
        tier = self.env.ref("support_certification.sla_tier_standard")
        tier.color = 4
        awaiting = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        self.assertIn(awaiting, tier.paused_stage_ids)
        tickets = self.env["helpdesk.ticket"].create(
            [
                {"name": "SLA running ticket", "description": "<p>x</p>"},
                {
                    "name": "SLA paused ticket",
                    "description": "<p>x</p>",
                    "stage_id": awaiting.id,
                },
            ]
        )
        self.assertEqual(tickets.sla_tier_id, tier)
        self.assertEqual(tickets.mapped("sla_status"), ["running", "paused"])
        action = self.env["ir.actions.act_window"].create(
            {
                "name": "SLA display",
                "res_model": "helpdesk.ticket",
                "view_mode": "kanban,list,form",
                "domain": [("id", "in", tickets.ids)],
            }
        )
        self.start_tour(
            f"/odoo/action-{action.id}",
            "support_certification_sla_display",
            login=agent.login,
        )


@tagged("post_install", "-at_install")
class TestListHeaders(HttpCase):
    """The lists of the add-on at 1440x900: no column header cut."""

    browser_size = "1440x900"

    def test_list_headers_fit(self):
        manager = new_test_user(
            self.env,
            login="sc_headers_manager",
            groups="support_certification.group_sla_manager",
            tz="UTC",
        )
        company = self.env["res.partner"].create(
            {"name": "Headers Ltd", "is_company": True}
        )
        person = self.env["res.partner"].create(
            {"name": "Hana Header", "parent_id": company.id}
        )
        self.env["support.certification"].create(
            {
                "partner_id": person.id,
                "level_id": self.env.ref(
                    "support_certification.certification_level_professional"
                ).id,
            }
        )
        for action in (
            "support_certification_action",
            "support_certification_level_action",
            "support_sla_tier_action",
        ):
            with self.subTest(action=action):
                self.start_tour(
                    f"/odoo/action-support_certification.{action}",
                    "support_certification_list_headers",
                    login=manager.login,
                )
