# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from lxml import etree

from odoo import Command
from odoo.tests import new_test_user
from odoo.tools import SQL

from .common import SupportPointsCommon


class TestLedgerReports(SupportPointsCommon):
    """The ledger as a customer's statement (running balance) and as charts."""

    def _ledger(self, partner, company=None):
        return self.Move.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", (company or self.company).id),
            ],
            order="id",
        )

    def test_each_line_carries_the_balance_after_it(self):
        self._grant(self.customer, 5)
        self._move(self.customer, -7, "adjust")
        self._grant(self.contact, 3)
        self._grant(self.other_customer, 4)
        self.assertEqual(
            self._ledger(self.customer).mapped("balance_after"), [5, -2, 1]
        )
        self.assertEqual(self._ledger(self.other_customer).mapped("balance_after"), [4])
        self.assertEqual(self.customer.support_points_balance, 1)

    def test_running_balance_is_per_company(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        self.manager.write({"company_ids": [Command.link(company_b.id)]})
        self._grant(self.customer, 5)
        self.customer.with_user(self.manager).with_company(
            company_b
        ).support_points_grant(2, "Other company")
        self._grant(self.customer, 1)
        self.assertEqual(self._ledger(self.customer).mapped("balance_after"), [5, 6])
        self.assertEqual(
            self._ledger(self.customer, company_b).mapped("balance_after"), [2]
        )

    def test_lines_booked_before_the_column_get_it_on_update(self):
        self._grant(self.customer, 5)
        self._move(self.customer, -2, "adjust")
        self.env.flush_all()
        # lines as they were before the column existed: the ledger is
        # append-only, the ORM refuses to write its lines (our own table)
        self.env.cr.execute(SQL("UPDATE support_points_move SET balance_after = NULL"))
        self.Move.invalidate_model()
        self.Move.init()
        self.assertEqual(self._ledger(self.customer).mapped("balance_after"), [5, 3])

    def test_merged_customers_read_as_one_history(self):
        merger = new_test_user(
            self.env,
            login="sp_report_merger",
            groups="base.group_user,base.group_partner_manager",
        )
        self._grant(self.customer, 5)
        self._grant(self.other_customer, 2)
        self._move(self.customer, -1, "adjust")
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(merger)
            .create(
                {
                    "partner_ids": [
                        Command.set((self.customer | self.other_customer).ids)
                    ],
                    "dst_partner_id": self.customer.id,
                }
            )
        )
        wizard.action_merge()
        self.assertEqual(self._ledger(self.customer).mapped("balance_after"), [5, 7, 6])

    def test_ledger_opens_as_graph_and_pivot_by_month_kind_customer(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "support_points.support_points_move_action"
        )
        self.assertEqual(
            action["view_mode"].split(","), ["list", "graph", "pivot", "form"]
        )
        Move = self.Move.with_user(self.helpdesk_user)
        graph = etree.fromstring(Move.get_view(view_type="graph")["arch"])
        self.assertEqual(graph.xpath("//field[@name='date']/@interval"), ["month"])
        self.assertTrue(graph.xpath("//field[@name='kind']"))
        pivot = etree.fromstring(Move.get_view(view_type="pivot")["arch"])
        self.assertEqual(pivot.xpath("//field[@type='row']/@name"), ["partner_id"])
        self.assertEqual(pivot.xpath("//field[@type='col']/@name"), ["date", "kind"])
        # the running balance is never summed in groups
        self._grant(self.customer, 5)
        self._grant(self.customer, 1)
        groups = Move.read_group(
            [("partner_id", "=", self.customer.id)],
            ["points", "balance_after"],
            ["date:month", "kind"],
            lazy=False,
        )
        self.assertEqual([g["points"] for g in groups], [6])
        self.assertNotIn("balance_after", groups[0])

    def test_names_are_not_cut_in_the_ledger_and_ticket_lists(self):
        """Two customers or companies whose names start alike read apart:
        their columns get a width of their own, not what the notes leave."""
        ledger = etree.fromstring(self.Move.get_view(view_type="list")["arch"])
        # (the company column shows only in multi-company databases)
        for name in ("partner_id", "kind"):
            self.assertTrue(ledger.xpath(f"//field[@name='{name}']/@width"), name)
        tickets = etree.fromstring(
            self.env["helpdesk.ticket"].get_views([(False, "list")])["views"]["list"][
                "arch"
            ]
        )
        customer = tickets.xpath("//field[@name='commercial_partner_id']")
        self.assertTrue(customer and customer[0].get("width"))
        # next to the balance it explains
        names = [node.get("name") for node in tickets.iterchildren("field")]
        self.assertEqual(
            names[names.index("commercial_partner_id") + 1], "support_points_balance"
        )
