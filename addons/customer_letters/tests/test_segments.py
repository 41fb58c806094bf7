# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import ValidationError

from .common import LettersCommon

SCOPE = "[('ref', '=', 'cltest')]"


class TestSegments(LettersCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        customer = cls._customer
        # tenure: first ticket 6 years ago vs 1 year ago
        cls.veteran = customer("Veteran", ref="cltest")
        cls._ticket(cls.veteran, days_ago=6 * 366)
        cls.newcomer = customer("Newcomer", ref="cltest")
        cls._ticket(cls.newcomer, days_ago=370)
        # frequent caller: 3 tickets closed in the last months
        cls.frequent = customer("Frequent", ref="cltest")
        for days in (10, 40, 90):
            cls._ticket(cls.frequent, days_ago=days + 1, closed_days_ago=days)
        # same count, but closed two years ago
        cls.former = customer("Former", ref="cltest")
        for days in (700, 710, 720):
            cls._ticket(cls.former, days_ago=days + 1, closed_days_ago=days)
        # points: one rich customer, the others have none
        cls.rich = customer("Rich", ref="cltest")
        cls.rich.support_points_grant(50, "test")
        # a person without company that has a ticket but was never invoiced
        cls.person = customer("Person", ref="cltest", is_company=False, customer_rank=0)
        cls._ticket(cls.person, days_ago=5)
        # not customers: a contact of a company, a partner never invoiced
        # and without any ticket
        cls.contact = cls.env["res.partner"].create(
            {"name": "Contact", "parent_id": cls.veteran.id, "ref": "cltest"}
        )
        cls.prospect = customer("Prospect", ref="cltest", customer_rank=0)
        # tenure from an invoice only: first invoiced 7 years ago
        cls.invoiced = customer("Invoiced", ref="cltest")
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.invoiced.id,
                "invoice_date": fields.Date.today() - relativedelta(years=7),
                "invoice_line_ids": [
                    Command.create({"name": "Support", "quantity": 1, "price_unit": 90})
                ],
            }
        )
        invoice.action_post()
        # SLA tier: a person of Frequent holds a certification
        cls.tier_certified = cls.env.ref("support_certification.sla_tier_certified")
        cls.tier_standard = cls.env.ref("support_certification.sla_tier_standard")
        level = cls.env["support.certification.level"].create(
            {
                "name": "Letters level",
                "tier_id": cls.tier_certified.id,
                "validity_months": 12,
            }
        )
        certified = cls.env["res.partner"].create(
            {"name": "Certified person", "parent_id": cls.frequent.id}
        )
        cls.env["support.certification"].create(
            {
                "partner_id": certified.id,
                "level_id": level.id,
                "date_obtained": fields.Date.today(),
            }
        )
        cls.letter = cls._letter(segments=[{"name": "Probe", "domain": SCOPE}])
        cls.segment = cls.letter.segment_ids

    def _matches(self, **criteria):
        self.segment.write(criteria)
        return self.segment._get_partners()

    def test_base_scope_is_commercial_customers(self):
        partners = self._matches()
        self.assertIn(self.person, partners, "a ticket makes a customer")
        self.assertNotIn(self.contact, partners, "contacts are not customers")
        self.assertNotIn(self.prospect, partners, "never invoiced, no ticket")
        self.assertEqual(self.segment.recipient_count, len(partners))

    def test_tenure(self):
        partners = self._matches(min_tenure_years=5)
        self.assertEqual(partners, self.veteran | self.invoiced)
        partners = self._matches(min_tenure_years=1)
        self.assertEqual(
            partners, self.veteran | self.newcomer | self.former | self.invoiced
        )
        partners = self._matches(min_tenure_years=8)
        self.assertFalse(partners)

    def test_closed_tickets(self):
        partners = self._matches(min_closed_tickets=3, closed_tickets_months=6)
        self.assertEqual(partners, self.frequent)
        # only two of them were closed in the last 2 months
        partners = self._matches(min_closed_tickets=3, closed_tickets_months=2)
        self.assertFalse(partners)
        partners = self._matches(min_closed_tickets=2, closed_tickets_months=2)
        self.assertEqual(partners, self.frequent)
        partners = self._matches(min_closed_tickets=3, closed_tickets_months=36)
        self.assertEqual(partners, self.frequent | self.former)

    def test_closed_chargeable_tickets(self):
        tickets = self.env["helpdesk.ticket"].search(
            [("commercial_partner_id", "=", self.frequent.id)], order="id"
        )
        # closing charged them already: make one of the three free
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET support_charge_state = CASE WHEN id IN %s "
            "THEN 'charged' ELSE 'free' END WHERE id IN %s",
            (tuple(tickets[:2].ids), tuple(tickets.ids)),
        )
        tickets.invalidate_recordset()
        criteria = {"closed_tickets_months": 6, "chargeable_only": True}
        partners = self._matches(min_closed_tickets=3, **criteria)
        self.assertFalse(partners, "only two of the three were chargeable")
        partners = self._matches(min_closed_tickets=2, **criteria)
        self.assertEqual(partners, self.frequent)

    def test_sla_tier(self):
        partners = self._matches(sla_tier_ids=[Command.set(self.tier_certified.ids)])
        self.assertEqual(partners, self.frequent)
        partners = self._matches(sla_tier_ids=[Command.set(self.tier_standard.ids)])
        self.assertNotIn(self.frequent, partners)
        self.assertIn(self.veteran, partners, "the default tier")
        self.assertEqual(self.segment.recipient_count, len(partners))

    def test_points_balance(self):
        partners = self._matches(use_max_points=True, max_points_balance=10)
        self.assertNotIn(self.rich, partners)
        self.assertIn(self.veteran, partners, "no ledger line: balance 0")
        partners = self._matches(use_max_points=True, max_points_balance=50)
        self.assertIn(self.rich, partners)
        partners = self._matches(use_max_points=False, max_points_balance=10)
        self.assertIn(self.rich, partners, "the limit applies only when enabled")

    def test_domain(self):
        partners = self._matches(
            domain="[('ref', '=', 'cltest'), ('name', '=', 'Rich')]"
        )
        self.assertEqual(partners, self.rich)

    def test_bad_domain_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "not a valid domain"):
            self.segment.domain = "[('no_such_field', '=', 1)]"
        with self.assertRaisesRegex(ValidationError, "not a valid domain"):
            self.segment.domain = "not a domain"

    def test_letter_counts_each_customer_once(self):
        self.letter.write(
            {
                "segment_ids": [
                    (0, 0, {"name": "Old", "domain": SCOPE, "min_tenure_years": 5}),
                    (0, 0, {"name": "Tickets", "domain": SCOPE, "min_tenure_years": 1}),
                ]
            }
        )
        counts = self.letter.segment_ids.mapped("recipient_count")
        self.assertEqual(counts[1:], [2, 4])
        self.assertEqual(self.letter.target_count, counts[0])
        partners, segments = self.letter._match_customers()
        self.assertEqual(len(partners), counts[0])
        self.assertEqual(len(segments[self.veteran.id]), 3)
        self.assertEqual(len(segments[self.newcomer.id]), 2)

    def test_criteria_count_the_letters_company_only(self):
        """A customer whose tickets and invoices are all in company B is not
        a company A letter's long-standing or frequent customer, nor a
        customer at all; a company B letter finds it."""
        other = self.env["res.company"].create({"name": "Segments other company"})
        team_b = self.env["helpdesk.ticket.team"].create(
            {"name": "Team B", "company_id": other.id}
        )
        elsewhere = self._customer(
            "Elsewhere", ref="cltest", customer_rank=0, company_id=False
        )
        vals = {"company_id": other.id, "team_id": team_b.id}
        self._ticket(elsewhere, days_ago=6 * 366, **vals)
        # closed in SQL: closing in company B would bill a fee there, and the
        # new company has no accounting
        for days in (10, 40, 90):
            ticket = self._ticket(elsewhere, days_ago=days + 1, **vals)
            self.env.cr.execute(
                "UPDATE helpdesk_ticket SET stage_id = %s, "
                "closed_date = NOW() - %s * INTERVAL '1 day' WHERE id = %s",
                (self.stage_done.id, days, ticket.id),
            )
        criteria = [
            {},
            {"min_tenure_years": 5},
            {"min_closed_tickets": 3, "closed_tickets_months": 6},
        ]
        for extra in criteria:
            self.assertNotIn(elsewhere, self._matches(**extra), extra)
        letter_b = self._letter(
            company_id=other.id, segments=[{"name": "B", "domain": SCOPE}]
        )
        for extra in criteria:
            letter_b.segment_ids.write(extra)
            self.assertIn(elsewhere, letter_b.segment_ids._get_partners(), extra)
        # and the other way round: company A's tickets and invoices (the
        # veteran's old ticket, the invoiced customer's old invoice, the
        # frequent caller's closed tickets) count for none of company B's
        # criteria, but the customers stay customers (customer rank)
        letter_b.segment_ids.write({"min_closed_tickets": 0, "min_tenure_years": 5})
        self.assertFalse(letter_b.segment_ids._get_partners() - elsewhere)
        letter_b.segment_ids.write(
            {"min_tenure_years": 0, "min_closed_tickets": 3, "closed_tickets_months": 6}
        )
        self.assertEqual(letter_b.segment_ids._get_partners(), elsewhere)
        letter_b.segment_ids.write({"min_closed_tickets": 0})
        self.assertNotIn(self.person, letter_b.segment_ids._get_partners())
        self.assertIn(
            self.person,
            self._matches(min_tenure_years=0, min_closed_tickets=0),
            "a customer in company A",
        )
