# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .common import SupportCertificationCase


@tagged("is_query_count")
class TestSlaCron(SupportCertificationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._certify(cls.alice, cls.level_gold, date(2026, 1, 1))
        cls.breach_type = cls.env.ref(
            "support_certification.mail_activity_type_sla_breach"
        )

    def _breach_activities(self, tickets):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "helpdesk.ticket"),
                ("res_id", "in", tickets.ids),
                ("activity_type_id", "=", self.breach_type.id),
            ]
        )

    def test_cron_marks_risk_breach_and_activity_once(self):
        with freeze_time(self.at(0, 10)):
            assigned = self._ticket(self.alice, self.agent)
            unassigned = self._ticket(self.alice)
            paused = self._ticket(self.alice, self.agent)
        self._set_stage(paused, self.stage_awaiting, self.at(0, 10, 30))
        cron = self.env["helpdesk.ticket"]._cron_sla_check
        with freeze_time(self.at(0, 11, 40)):
            cron()
            self.assertTrue(assigned.sla_at_risk)
            self.assertEqual(assigned.sla_response_state, "running")
            self.assertFalse(paused.sla_at_risk)
            self.assertFalse(self._breach_activities(assigned | unassigned))
        with freeze_time(self.at(0, 12, 30)):
            cron()
            self.assertEqual(assigned.sla_response_state, "breached")
            self.assertEqual(unassigned.sla_response_state, "breached")
            self.assertEqual(paused.sla_response_state, "paused")
            self.assertFalse(assigned.sla_at_risk, "a breached clock is not at risk")
            activity = self._breach_activities(assigned)
            self.assertEqual(activity.user_id, self.agent)
            self.assertIn("response", activity.summary)
            # No user on the ticket: the team leader gets the activity.
            self.assertEqual(self._breach_activities(unassigned).user_id, self.leader)
            self.assertFalse(self._breach_activities(paused))
            cron()
        with freeze_time(self.at(1, 12)):
            cron()
            self.assertEqual(assigned.sla_resolution_state, "breached")
        self.assertEqual(len(self._breach_activities(assigned)), 1, "only once")
        self.assertEqual(len(self._breach_activities(unassigned)), 1)

    def test_cron_skips_met_tickets(self):
        with freeze_time(self.at(0, 10)):
            ticket = self._ticket(self.alice, self.agent)
        self._set_stage(ticket, self.stage_done, self.at(0, 11))
        with freeze_time(self.at(3, 10)):
            self.env["helpdesk.ticket"]._cron_sla_check()
        self.assertEqual(ticket.sla_resolution_state, "met")
        self.assertFalse(self._breach_activities(ticket))

    def _create_batch(self, count, day):
        with freeze_time(self.at(day, 10)):
            tickets = self.env["helpdesk.ticket"].create(
                [
                    {
                        "name": f"Load {i}",
                        "description": "x",
                        "team_id": self.team.id,
                        "partner_id": self.alice.id,
                        "user_id": self.agent.id,
                    }
                    for i in range(count)
                ]
            )
            self.env.flush_all()
        return tickets

    def _run_cron_counting(self, day):
        with freeze_time(self.at(day, 12, 30)):
            # Count the way assertQueryCount does (ORM and cursor flushed).
            self.env.flush_all()
            self.env.cr.flush()
            before = self.env.cr.sql_log_count
            self.env["helpdesk.ticket"]._cron_sla_check()
            self.env.flush_all()
            self.env.cr.flush()
            return self.env.cr.sql_log_count - before

    def _close(self, tickets, day):
        self._set_stage(tickets, self.stage_done, self.at(day, 13))

    def test_cron_query_count_constant_per_batch(self):
        # Warm the caches (groups, xml ids, models) with one ticket.
        warm = self._create_batch(1, 0)
        self._run_cron_counting(0)
        self.assertEqual(warm.sla_response_state, "breached")
        self._close(warm, 0)
        small = self._create_batch(5, 1)
        small_count = self._run_cron_counting(1)
        self.assertEqual(set(small.mapped("sla_response_state")), {"breached"})
        self.assertEqual(len(self._breach_activities(small)), 5)
        self._close(small, 1)
        large = self._create_batch(50, 2)
        with freeze_time(self.at(2, 12, 30)):
            with self.assertQueryCount(small_count):
                self.env["helpdesk.ticket"]._cron_sla_check()
        self.assertEqual(set(large.mapped("sla_response_state")), {"breached"})
        self.assertEqual(len(self._breach_activities(large)), 50)

    SLA_CRON = "support_certification.ir_cron_sla_check"

    def _counted_cron_call(self, expected_queries=None):
        """One cron call, as the runner makes it: return ``(done,
        remaining, queries)``, the queries counted as assertQueryCount
        counts them (and asserted by it when ``expected_queries`` is given).
        """
        progress = self.env["ir.cron.progress"].create(
            {"cron_id": self.env.ref(self.SLA_CRON).id}
        )
        tickets = self.env["helpdesk.ticket"].with_context(
            ir_cron_progress_id=progress.id
        )
        self.env.flush_all()
        self.env.cr.flush()
        before = self.env.cr.sql_log_count
        if expected_queries is None:
            tickets._cron_sla_check()
            self.env.flush_all()
            self.env.cr.flush()
        else:
            with self.assertQueryCount(expected_queries):
                tickets._cron_sla_check()
        queries = self.env.cr.sql_log_count - before
        return progress.done, progress.remaining, queries

    def test_cron_one_batch_per_call_in_constant_queries(self):
        """Each call of the cron checks one batch, reports its progress to
        the cron runner (which commits and calls again while some remain)
        and costs the same queries for 10 tickets as for each batch of
        1,000 tickets."""
        warm = self._create_batch(1, 0)
        with freeze_time(self.at(0, 12, 30)):
            self._cron_run(self.SLA_CRON, "_cron_sla_check")  # warm the caches
        self._close(warm, 0)
        small = self._create_batch(10, 1)
        with freeze_time(self.at(1, 12, 30)):
            done, remaining, small_count = self._counted_cron_call()
        self.assertEqual((done, remaining), (10, 0))
        self.assertEqual(len(self._breach_activities(small)), 10)
        self._close(small, 1)
        large = self._create_batch(1000, 2)
        with freeze_time(self.at(2, 12, 30)):
            calls = [self._counted_cron_call(small_count) for _n in range(10)]
        self.assertEqual(calls, [(100, 900 - 100 * n, small_count) for n in range(10)])
        self.assertEqual(set(large.mapped("sla_response_state")), {"breached"})
        self.assertEqual(len(self._breach_activities(large)), 1000)

    def test_cron_batch_run_again_writes_nothing_twice(self):
        """A checked ticket leaves the cron's domain: the next call (after
        the runner's commit, a restart, or on another node) takes the next
        tickets, and a run with nothing left writes nothing."""
        tickets = self._create_batch(10, 0)
        with freeze_time(self.at(0, 12, 30)):
            calls = self._cron_run(self.SLA_CRON, "_cron_sla_check", batch_size=4)
        self.assertEqual(calls, [(4, 6), (4, 2), (2, 0)])
        self.assertTrue(all(tickets.mapped("sla_breach_notified")))
        for ticket in tickets:
            self.assertEqual(len(self._breach_activities(ticket)), 1, ticket.number)
        Ticket = type(self.env["helpdesk.ticket"])
        with (
            freeze_time(self.at(0, 12, 45)),
            patch.object(
                Ticket, "write", autospec=True, side_effect=Ticket.write
            ) as write,
        ):
            self.assertEqual(self._cron_run(self.SLA_CRON, "_cron_sla_check"), [(0, 0)])
        self.assertEqual(write.call_count, 0)
        self.assertEqual(len(self._breach_activities(tickets)), 10)
