# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).

from lxml import etree

from .common import SupportChargeCommon


class TestChargePerformance(SupportChargeCommon):
    @classmethod
    def _history(cls, partner, lines):
        """Insert a long, fully settled history (+1/-1 pairs) in one query."""
        cls.env.cr.execute(
            """
            INSERT INTO support_points_move
                (partner_id, company_id, points, kind, remaining, date, note)
            SELECT %(partner)s, %(company)s,
                   CASE WHEN n %% 2 = 0 THEN 1 ELSE -1 END,
                   CASE WHEN n %% 2 = 0 THEN 'adjust' ELSE 'consume' END,
                   0, now() at time zone 'UTC' - n * interval '1 hour', 'history'
              FROM generate_series(1, %(lines)s) AS n
            """,
            {"partner": partner.id, "company": cls.company.id, "lines": lines},
        )

    @classmethod
    def _open_credits(cls, partner, lines):
        """Insert many unused one-point grants (all still open) in one query."""
        cls.env.cr.execute(
            """
            INSERT INTO support_points_move
                (partner_id, company_id, points, kind, remaining, date, note)
            SELECT %(partner)s, %(company)s, 1, 'grant', 1,
                   now() at time zone 'UTC' - n * interval '1 minute', 'open'
              FROM generate_series(1, %(lines)s) AS n
            """,
            {"partner": partner.id, "company": cls.company.id, "lines": lines},
        )
        cls.env.cr.execute(
            """
            INSERT INTO support_points_balance (partner_id, company_id, balance)
            VALUES (%(partner)s, %(company)s, %(lines)s)
            ON CONFLICT (partner_id, company_id)
            DO UPDATE SET balance = support_points_balance.balance + %(lines)s
            """,
            {"partner": partner.id, "company": cls.company.id, "lines": lines},
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.small = cls.Partner.create({"name": "Small history", "is_company": True})
        cls.big = cls.Partner.create({"name": "Long history", "is_company": True})
        cls.unused = cls.Partner.create({"name": "Many unused", "is_company": True})
        cls.warm = cls.Partner.create({"name": "Warm-up", "is_company": True})
        cls._history(cls.small, 10)
        cls._history(cls.big, 10_000)
        cls._open_credits(cls.unused, 10_000)
        for partner in (cls.small, cls.big, cls.warm):
            cls._grant(partner, 5)

    def _close_and_count(self, partner):
        ticket = self._ticket(partner=partner)
        self.env.flush_all()
        self.env.invalidate_all()
        count = self.cr.sql_log_count
        self._close(ticket)
        self.env.flush_all()
        queries = self.cr.sql_log_count - count
        self.assertEqual(ticket.support_charge_state, "charged")
        return queries

    def test_close_costs_the_same_for_10_or_10000_ledger_lines(self):
        self.assertEqual(
            self.Move.search_count([("partner_id", "=", self.big.id)]), 10_001
        )
        self._close_and_count(self.warm)
        small = self._close_and_count(self.small)
        big = self._close_and_count(self.big)
        self.assertEqual(small, big, (small, big))
        self.assertLessEqual(small, 27)
        self.assertEqual(self.big.support_points_balance, 4)
        self.assertEqual(self.small.support_points_balance, 4)

    def test_ticket_list_balance_costs_constant_queries(self):
        customers = self.Partner.create(
            [{"name": f"List customer {i}", "is_company": True} for i in range(80)]
        )
        self.Move.create(
            [{"partner_id": p.id, "points": 2, "kind": "grant"} for p in customers]
        )
        tickets = self.env["helpdesk.ticket"].create(
            [
                {"name": f"T{i}", "description": "x", "partner_id": p.id}
                for i, p in enumerate(customers)
            ]
        )
        self.env.invalidate_all()
        count = self.cr.sql_log_count
        values = tickets.mapped("support_points_balance")
        first = self.cr.sql_log_count - count
        self.assertEqual(set(values), {2})
        self._history(customers[0], 5_000)
        self.env.invalidate_all()
        count = self.cr.sql_log_count
        tickets.mapped("support_points_balance")
        self.assertEqual(self.cr.sql_log_count - count, first)
        # the tickets' customers and companies, the customers' commercial
        # partners, the balances (one grouped read), the companies' threshold
        self.assertLessEqual(first, 4, first)

    def test_close_with_many_open_credits_reads_only_what_it_uses(self):
        """10,000 unused grants: the charge draws from the soonest-expiring one
        and reads no more open lines than the points it needs."""
        expiring = self._grant(self.unused, 1, expiry_date="2999-01-01")
        self._close_and_count(self.warm)
        small = self._close_and_count(self.small)
        searches = []
        Move = type(self.Move)
        original = Move.search_fetch

        def search_fetch(model, domain, field_names, offset=0, limit=None, order=None):
            searches.append(limit)
            return original(
                model, domain, field_names, offset=offset, limit=limit, order=order
            )

        self.patch(Move, "search_fetch", search_fetch)
        unused = self._close_and_count(self.unused)
        self.assertEqual(unused, small, (small, unused))
        self.assertTrue(searches)
        self.assertTrue(all(limit is not None for limit in searches), searches)
        self.assertEqual(expiring.remaining, 0)
        self.assertEqual(self.unused.support_points_balance, 10_000)
        self._assert_consistent(self.unused)

    def test_unsaved_ticket_shows_the_same_balance(self):
        """A ticket being edited (no id yet) computes its figures in the ORM."""
        saved = self._ticket(partner=self.small)
        draft = self.env["helpdesk.ticket"].new(
            {
                "name": "Draft",
                "partner_id": self.small.id,
                "company_id": self.company.id,
            }
        )
        self.assertFalse(draft.id)
        self.assertEqual(saved.support_points_balance, 5)
        self.assertEqual(draft.support_points_balance, 5)
        self.assertEqual(draft.support_points_low, saved.support_points_low)
        self.company.support_points_low_threshold = 5
        self.env.invalidate_all()
        draft = self.env["helpdesk.ticket"].new(
            {
                "name": "Draft",
                "partner_id": self.small.id,
                "company_id": self.company.id,
            }
        )
        self.assertTrue(saved.support_points_low)
        self.assertTrue(draft.support_points_low)
        nobody = self.env["helpdesk.ticket"].new({"name": "No customer"})
        self.assertEqual(nobody.support_points_balance, 0)
        self.assertFalse(nobody.support_points_low)


class TestCloseQueryCount(SupportChargeCommon):
    """What closing one ticket costs, once the caches are warm."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._grant(cls.customer, 5)
        cls.other_contact = cls.Partner.create(
            {"name": "Gus Globex", "parent_id": cls.other_customer.id}
        )
        cls._grant(cls.other_customer, 5)

    def _close_as_agent(self, partner):
        ticket = self._ticket(partner=partner).with_user(self.helpdesk_user)
        self.env.flush_all()
        self.env.invalidate_all()
        return ticket

    def test_close_with_a_charge_query_count(self):
        # warm-up: rule lookups, the ORM's own caches
        self._close(self._close_as_agent(self.other_contact))
        ticket = self._close_as_agent(self.contact)
        # 22: the ticket's own write and reads, with base_automation's search
        # of the ticket's automations on each write and recomputation (3: the
        # stage, the charge's one write of the ticket, the recomputation of
        # "unattended") and the automation's rule, trigger fields and server
        # action read once per transaction; the charge rule read once per
        # transaction, the user's time zone, the lock (one statement:
        # balance, expired points, charge state), the customer, the ledger
        # line and its allocation (4); no search of charge rules.  23 with
        # support_certification installed: base_automation searches again
        # for the recomputation of its stored SLA state.
        with self.assertQueryCount(23):
            self._close(ticket)
            self.env.flush_all()
        self.assertEqual(ticket.support_charge_state, "charged")
        self.assertEqual(self.customer.support_points_balance, 4)
        self._assert_consistent(self.customer)

    def test_new_automation_is_used_after_the_cached_lookups(self):
        ticket = self._close_as_agent(self.contact)
        ticket.write({"name": "warm-up"})
        self.env["base.automation"].create(
            {
                "name": "Tag the renamed tickets",
                "model_id": self.env.ref("helpdesk_mgmt.model_helpdesk_ticket").id,
                "trigger": "on_write",
                "trigger_field_ids": [
                    (
                        6,
                        0,
                        [self.env.ref("helpdesk_mgmt.field_helpdesk_ticket__name").id],
                    )
                ],
                "action_server_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Mark as urgent",
                            "model_id": self.env.ref(
                                "helpdesk_mgmt.model_helpdesk_ticket"
                            ).id,
                            "state": "code",
                            "code": "records.write({'priority': '3'})",
                        },
                    )
                ],
            }
        )
        ticket.write({"name": "Renamed"})
        self.assertEqual(ticket.priority, "3")
        automation = self.env.ref("support_points.automation_ticket_close_charge")
        automation.active = False
        self._close(ticket)
        self.assertEqual(ticket.support_charge_state, "none", "automation inactive")

    def test_rule_changes_apply_after_the_cached_lookups(self):
        self._grant(self.customer, 10)
        self._close(self._close_as_agent(self.contact))
        rule = self.env["support.charge.rule"].create(
            {
                "name": "Everything: two points",
                "sequence": 1,
                "ticket_domain": "[]",
                "points": 2,
            }
        )
        first = self._close(self._close_as_agent(self.contact))
        self.assertEqual(first.support_charge_rule_id, rule)
        rule.write({"points": 0})
        rule.ticket_domain = f"[('channel_id', '=', {self.channel_email.id})]"
        second = self._close(self._close_as_agent(self.contact))
        self.assertNotEqual(second.support_charge_rule_id, rule)
        self.assertEqual(second.support_points_charged, 1)
        rule.write({"ticket_domain": "[]", "active": False})
        third = self._close(self._close_as_agent(self.contact))
        self.assertEqual(third.support_points_charged, 1)
        # a rule in the cache, then deleted: never used again
        other = self.env["support.charge.rule"].create(
            {
                "name": "Other channel: three points",
                "sequence": 1,
                "ticket_domain": f"[('channel_id', '=', {self.channel_other.id})]",
                "points": 3,
            }
        )
        self._close(self._close_as_agent(self.contact))
        other.unlink()
        fourth = self._close(
            self._ticket(partner=self.contact, channel=self.channel_other)
        )
        self.assertEqual(fourth.support_points_charged, 1)


class TestTicketListRead(SupportChargeCommon):
    """The ticket list reads every customer's balance in one query."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._grant(cls.customer, 5)
        cls._grant(cls.other_customer, 1)
        cls.other_contact = cls.Partner.create(
            {"name": "Gus Globex", "parent_id": cls.other_customer.id}
        )
        cls.acme_ticket = cls._ticket(partner=cls.contact)
        cls.globex_ticket = cls._ticket(partner=cls.other_contact)
        cls.nobody_ticket = cls.env["helpdesk.ticket"].create(
            {"name": "No customer", "description": "x", "partner_id": False}
        )
        cls.more_tickets = cls.env["helpdesk.ticket"].create(
            [
                {"name": f"List {i}", "description": "x", "partner_id": cls.contact.id}
                for i in range(20)
            ]
        )

    def _list_spec(self):
        """The fields the web client asks the helpdesk user's ticket list for
        (the view as that user gets it: other installed add-ons may add
        fields only some groups see)."""
        tickets = self.env["helpdesk.ticket"].with_user(self.helpdesk_user)
        fields = tickets._fields
        view = tickets.get_views([(False, "list")])
        arch = etree.fromstring(view["views"]["list"]["arch"])
        spec = {}
        for node in arch.iterchildren("field"):
            field = fields[node.get("name")]
            if field.type in ("many2one", "many2many"):
                spec[field.name] = {"fields": {"display_name": {}}}
            else:
                spec[field.name] = {"fields": {}} if field.type == "one2many" else {}
        self.assertIn("support_points_balance", spec)
        self.assertIn("support_points_low", spec)
        return spec

    def _read_list(self, tickets, spec):
        self.env.invalidate_all()
        count = self.cr.sql_log_count
        result = (
            self.env["helpdesk.ticket"]
            .with_user(self.helpdesk_user)
            .web_search_read([("id", "in", tickets.ids)], spec, order="id")
        )
        return result["records"], self.cr.sql_log_count - count

    def test_list_shows_each_customer_balance_and_warning(self):
        tickets = self.acme_ticket | self.globex_ticket | self.nobody_ticket
        records, _count = self._read_list(tickets, self._list_spec())
        figures = {
            r["id"]: (r["support_points_balance"], r["support_points_low"])
            for r in records
        }
        self.assertEqual(
            figures,
            {
                self.acme_ticket.id: (5, False),
                self.globex_ticket.id: (1, True),
                self.nobody_ticket.id: (0, False),
            },
        )

    def test_list_costs_the_same_queries_for_3_or_23_tickets(self):
        spec = self._list_spec()
        small = self.acme_ticket | self.globex_ticket | self.nobody_ticket
        self._read_list(small, spec)  # warm-up: the ORM's own caches
        _records, few = self._read_list(small, spec)
        records, many = self._read_list(small | self.more_tickets, spec)
        self.assertEqual(len(records), 23)
        self.assertEqual(few, many)
        # without the points columns: two queries less, the customers'
        # commercial partners and the balances
        without = {
            name: value
            for name, value in spec.items()
            if name not in ("support_points_balance", "support_points_low")
        }
        _records, plain = self._read_list(small | self.more_tickets, without)
        self.assertLessEqual(many, plain + 2, (many, plain))

    def test_contact_moved_to_another_customer_shows_its_balance(self):
        """Not flushed yet: the query still sees the contact's new company."""
        ticket = self.acme_ticket
        self.assertEqual(ticket.support_points_balance, 5)
        self.contact.parent_id = self.other_customer
        self.assertEqual(ticket.support_points_balance, 1)
        self.assertTrue(ticket.support_points_low)
