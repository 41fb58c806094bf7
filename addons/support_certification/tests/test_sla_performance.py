# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo.tests import tagged

from .common import SupportCertificationCase


@tagged("is_query_count")
class TestSlaPerformance(SupportCertificationCase):
    """Query bounds of the SLA bookkeeping on ticket creation and stage
    changes: constant per batch, and nothing at all for tickets that neither
    enter nor leave a paused stage."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._certify(cls.alice, cls.level_gold, date(2026, 1, 1))
        # Gold (Acme's people), Standard (Beta's), Standard (no customer)
        cls.customers = [cls.alice, cls.carol, cls.env["res.partner"]]
        cls.serial = 0

    def _vals_list(self, count, stage, customers=None):
        customers = customers or self.customers
        vals_list = []
        for i in range(count):
            type(self).serial += 1
            vals_list.append(
                {
                    "name": f"Load {i}",
                    "description": "x",
                    # the ticket sequence costs queries per ticket (helpdesk_mgmt)
                    "number": f"SLA-PERF-{self.serial}",
                    "team_id": self.team.id,
                    "partner_id": customers[i % len(customers)].id,
                    "stage_id": (stage or self.stage_new).id,
                }
            )
        return vals_list

    def _count(self, function):
        """Queries of ``function()``, counted the way assertQueryCount does."""
        self.env.flush_all()
        self.env.cr.flush()
        before = self.env.cr.sql_log_count
        function()
        self.env.flush_all()
        self.env.cr.flush()
        return self.env.cr.sql_log_count - before

    def _create(self, vals_list):
        return self.env["helpdesk.ticket"].with_user(self.agent).create(vals_list)

    def _notes(self, tickets, text):
        return tickets.message_ids.filtered(lambda m, t=text: t in (m.body or ""))

    def test_create_queries_do_not_grow_with_batch(self):
        """Creating 50 tickets, some in a paused stage, costs the queries of
        5: tiers, deadlines, pauses and their notes are done in batch."""

        def batch(count):
            # one ticket in three is created straight into a paused stage
            vals_list = self._vals_list(count, self.stage_new)
            for vals in vals_list[::3]:
                vals["stage_id"] = self.stage_awaiting.id
            return vals_list

        with freeze_time(self.at(0, 10)):
            self._create(batch(4))  # warm the caches
            small_vals, large_vals = batch(5), batch(50)
            small = self.env["helpdesk.ticket"]

            def create_small():
                nonlocal small
                small = self._create(small_vals)

            small_count = self._count(create_small)
            with self.assertQueryCount(small_count):
                large = self._create(large_vals)
        for tickets in (small, large):
            paused = tickets.filtered(lambda t: t.stage_id == self.stage_awaiting)
            self.assertEqual(len(paused), len(tickets[::3]))
            self.assertEqual(set(paused.mapped("sla_paused_since")), {self.at(0, 10)})
            self.assertEqual(set(paused.mapped("sla_response_state")), {"paused"})
            running = tickets - paused
            self.assertFalse(any(running.mapped("sla_paused_since")))
            self.assertEqual(set(running.mapped("sla_response_state")), {"running"})
            for ticket in paused:
                self.assertEqual(
                    len(self._notes(ticket, "SLA clock paused")), 1, ticket.number
                )
            self.assertFalse(self._notes(running, "SLA clock"))
        self.assertEqual(
            set(large.mapped("sla_tier_id")),
            {self.tier_gold, self.tier_standard},
        )

    def test_create_into_paused_stage_costs_one_query_for_notes(self):
        """Tickets created straight into a paused stage start paused in their
        INSERT (no update or recomputation of their SLA fields afterwards),
        and their notes cost one more INSERT, whatever their number."""
        Ticket = type(self.env["helpdesk.ticket"])
        with freeze_time(self.at(0, 10)):
            self._create(self._vals_list(4, self.stage_awaiting))  # warm up
            self._create(self._vals_list(4, self.stage_new))
            running_vals = self._vals_list(20, self.stage_new)
            paused_vals = self._vals_list(20, self.stage_awaiting)
            running_count = self._count(lambda: self._create(running_vals))
            with (
                patch.object(
                    Ticket,
                    "_compute_sla_states",
                    autospec=True,
                    side_effect=Ticket._compute_sla_states,
                ) as compute,
                patch.object(
                    Ticket, "write", autospec=True, side_effect=Ticket.write
                ) as write,
                self.assertQueryCount(running_count + 1),
            ):
                paused = self._create(paused_vals)
                self.env.flush_all()
        self.assertEqual(compute.call_count, 0)
        self.assertEqual(write.call_count, 0)
        self.assertEqual(set(paused.mapped("sla_paused_since")), {self.at(0, 10)})
        self.assertEqual(set(paused.mapped("sla_response_state")), {"paused"})
        self.assertEqual(set(paused.mapped("sla_resolution_state")), {"paused"})
        self.assertFalse(any(paused.mapped("sla_at_risk")))
        for ticket in paused:
            [note] = self._notes(ticket, "SLA clock paused")
            self.assertEqual(note.author_id, self.agent.partner_id)

    def test_close_of_never_paused_ticket_costs_no_sla_query(self):
        """The pause bookkeeping adds no query to the close of a ticket that
        was never paused."""
        # Tickets without customer: support_points, when installed, charges
        # nothing on their close, so the three closes cost the same.
        nobody = [self.env["res.partner"]]
        with freeze_time(self.at(0, 10)):
            warm, plain, watched = self._create(
                self._vals_list(3, self.stage_new, nobody)
            )
        Ticket = type(self.env["helpdesk.ticket"])

        def close(ticket):
            with freeze_time(self.at(0, 12)):
                ticket.with_user(self.agent).stage_id = self.stage_done

        close(warm)
        # the same close without the pause bookkeeping at all
        with patch.object(Ticket, "_sla_sync_pause", autospec=True) as sync:
            without_sla = self._count(lambda: close(plain))
        self.assertEqual(sync.call_count, 1)
        with self.assertQueryCount(without_sla):
            close(watched)
        self.assertEqual(watched.sla_resolution_state, "met")
        self.assertEqual(watched.sla_paused_hours, 0.0)
        self.assertFalse(self._notes(watched, "SLA clock"))

    def test_pause_and_resume_queries_do_not_grow_with_batch(self):
        """Moving 50 tickets into and out of a paused stage costs the queries
        of 5, and each ticket still gets its pause and resume notes."""
        with freeze_time(self.at(0, 10)):
            warm = self._create(self._vals_list(2, self.stage_new))
            small = self._create(self._vals_list(5, self.stage_new))
            large = self._create(self._vals_list(50, self.stage_new))

        def move(tickets, stage, hour):
            with freeze_time(self.at(0, hour)):
                tickets.with_user(self.agent).stage_id = stage

        move(warm, self.stage_awaiting, 11)
        move(warm, self.stage_progress, 13)
        pause_count = self._count(lambda: move(small, self.stage_awaiting, 11))
        with self.assertQueryCount(pause_count):
            move(large, self.stage_awaiting, 11)
        resume_count = self._count(lambda: move(small, self.stage_progress, 13))
        with self.assertQueryCount(resume_count):
            move(large, self.stage_progress, 13)
        for ticket in small | large:
            # paused Mon 11-12: one working hour
            self.assertEqual(ticket.sla_paused_hours, 1.0)
            self.assertFalse(ticket.sla_paused_since)
            self.assertEqual(len(self._notes(ticket, "SLA clock paused")), 1)
            self.assertEqual(len(self._notes(ticket, "SLA clock resumed")), 1)
        gold = large.filtered(lambda t: t.partner_id == self.alice)
        # Gold (2 h / 7 h) plus the paused hour, from Mon 10:00.
        self.assertEqual(set(gold.mapped("sla_response_deadline")), {self.at(0, 14)})
        self.assertEqual(set(gold.mapped("sla_resolution_deadline")), {self.at(1, 11)})

    def test_ticket_list_reads_only_stored_sla_fields(self):
        """The SLA columns and badges of the ticket list are read from the
        table: no per-row compute (a related field such as the tier color
        cost a third of what the add-ons add to a page)."""
        view = self.env["helpdesk.ticket"].get_views([(False, "list")])
        arch = etree.fromstring(view["views"]["list"]["arch"])
        fields = self.env["helpdesk.ticket"]._fields
        names = [node.get("name") for node in arch.iterchildren("field")]
        sla_names = [name for name in names if name.startswith("sla_")]
        self.assertIn("sla_tier_id", sla_names)
        self.assertIn("sla_resolution_state", sla_names)
        computed = [name for name in sla_names if not fields[name].store]
        self.assertFalse(computed, f"non-stored SLA fields in the list: {computed}")
