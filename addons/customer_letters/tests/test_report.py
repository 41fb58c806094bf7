# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from .common import LettersCommon

SCOPE = "[('ref', '=', 'clreport')]"


class TestReport(LettersCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.active = cls._customer("Still Here", ref="clreport")
        cls.silent = cls._customer("Gone Quiet", ref="clreport")
        cls.letter = cls._letter(
            segments=[
                {"name": "All", "domain": SCOPE},
                {
                    "name": "Only active",
                    "domain": "[('ref', '=', 'clreport'), ('name', '=', 'Still Here')]",
                },
            ]
        )
        cls.letter.with_user(cls.user_granter).action_approve()
        cls.letter.with_user(cls.user_manager).action_send()
        # the letter went out 60 days ago
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE customer_letter SET sent_date = NOW() - INTERVAL '60 days' "
            "WHERE id = %s",
            (cls.letter.id,),
        )
        # before the letter: 3 tickets; after: 1
        for days in (100, 120, 150):
            cls._ticket(cls.active, days_ago=days)
        cls._ticket(cls.active, days_ago=10)
        # older than the 6 months window: not counted
        cls._ticket(cls.active, days_ago=400)
        recipient = cls.letter.recipient_ids.filtered(
            lambda r: r.customer_id == cls.active
        )
        cls.env["customer.letter.ack"]._acknowledge(recipient)
        cls.env.flush_all()

    def test_report_per_segment(self):
        rows = self.env["customer.letter.report"].search(
            [("letter_id", "=", self.letter.id)]
        )
        self.assertEqual(len(rows), 2)
        everyone = rows.filtered(lambda r: r.segment_id.name == "All")
        self.assertEqual(everyone.recipient_count, 2)
        self.assertEqual(everyone.ack_count, 1)
        self.assertEqual(everyone.tickets_before, 3)
        self.assertEqual(everyone.tickets_after, 1)
        self.assertEqual(everyone.tickets_per_customer_before, 1.5)
        self.assertEqual(everyone.tickets_per_customer_after, 0.5)
        self.assertEqual(everyone.lost_count, 1, "no ticket, invoice or login")
        active = rows - everyone
        self.assertEqual(active.recipient_count, 1)
        self.assertEqual(active.lost_count, 0)
        self.assertEqual(active.tickets_per_customer_before, 3.0)

    def test_login_keeps_a_customer(self):
        user = self.env["res.users"].create(
            {
                "name": "Portal of Gone Quiet",
                "login": "clreport_portal",
                "parent_id": self.silent.id,
                "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])],
            }
        )
        self.env["res.users.log"].with_user(user).sudo().create({})
        self.env.flush_all()
        row = self.env["customer.letter.report"].search(
            [("letter_id", "=", self.letter.id), ("segment_id.name", "=", "All")]
        )
        self.assertEqual(row.lost_count, 0)

    def test_tickets_of_the_letters_company_only(self):
        """Tickets the customer opened in another company are not this
        letter's effect, nor do they keep a customer of this company."""
        other = self.env["res.company"].create({"name": "Report other company"})
        team_b = self.env["helpdesk.ticket.team"].create(
            {"name": "Report team B", "company_id": other.id}
        )
        vals = {"company_id": other.id, "team_id": team_b.id}
        self._ticket(self.active, days_ago=100, **vals)
        self._ticket(self.active, days_ago=10, **vals)
        self._ticket(self.silent, days_ago=10, **vals)
        self.env.flush_all()
        everyone = self.env["customer.letter.report"].search(
            [("letter_id", "=", self.letter.id), ("segment_id.name", "=", "All")]
        )
        self.assertEqual(everyone.tickets_before, 3)
        self.assertEqual(everyone.tickets_after, 1)
        self.assertEqual(everyone.lost_count, 1, "lost for this company")

    def test_effect_chart_counts_each_customer_once(self):
        """Still Here is in both segments: each segment counts it, the
        letter's totals count it once (customers, tickets, acknowledgements)."""
        Effect = self.env["customer.letter.effect"]
        domain = [("letter_id", "=", self.letter.id)]
        per_segment = {
            (segment.name, period): (customers, tickets, per_customer)
            for segment, period, customers, tickets, per_customer in Effect._read_group(
                domain,
                ["segment_ids", "period"],
                [
                    "customer_id:count_distinct",
                    "tickets:sum",
                    "tickets_per_customer:avg",
                ],
            )
        }
        self.assertEqual(per_segment["All", "1_before"], (2, 3, 1.5))
        self.assertEqual(per_segment["All", "2_after"], (2, 1, 0.5))
        self.assertEqual(per_segment["Only active", "1_before"], (1, 3, 3.0))
        self.assertEqual(per_segment["Only active", "2_after"], (1, 1, 1.0))
        totals = {
            period: (customers, tickets, acks, lost)
            for period, customers, tickets, acks, lost in Effect._read_group(
                domain,
                ["period"],
                [
                    "customer_id:count_distinct",
                    "tickets:sum",
                    "ack_customer_id:count_distinct",
                    "lost_customer_id:count_distinct",
                ],
            )
        }
        self.assertEqual(totals["1_before"], (2, 3, 1, 1))
        self.assertEqual(totals["2_after"], (2, 1, 1, 1))
        [(customers, tickets)] = Effect._read_group(
            domain, [], ["customer_id:count_distinct", "tickets:sum"]
        )
        self.assertEqual((customers, tickets), (2, 4))
