# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import HttpCase, TransactionCase, new_test_user

# the instant the tests compute the scores at (freeze_time where today counts)
NOW = datetime(2026, 6, 15, 10, 0)


class RetentionMixin:
    """Users per role, a helpdesk team and factories for customers with
    tickets, breaches, invoices and ledger lines at given days before
    ``now_ref`` (NOW, or the real now for the browser tours)."""

    now_ref = NOW

    @classmethod
    def _setup_retention(cls):
        cls.env = cls.env(
            context=dict(
                cls.env.context,
                tracking_disable=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                mail_notrack=True,
            )
        )
        cls.company = cls.env.company
        cls.user_internal = new_test_user(
            cls.env, login="rt_internal", groups="base.group_user"
        )
        cls.user_agent = new_test_user(
            cls.env,
            login="rt_agent",
            groups="helpdesk_mgmt.group_helpdesk_user_own",
        )
        cls.user_manager = new_test_user(
            cls.env,
            login="rt_manager",
            groups="support_retention.group_retention_manager",
        )
        cls.user_sales = new_test_user(
            cls.env, login="rt_sales", groups="base.group_user"
        )
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.team = cls.env["helpdesk.ticket.team"].create({"name": "Retention team"})
        cls.Score = cls.env["support.retention.score"]
        cls.Signal = cls.env["support.retention.signal"]

    @classmethod
    def _customer(cls, name, created_days_ago=1500, **vals):
        values = {"name": name, "is_company": True, "customer_rank": 1}
        values.update(vals)
        partner = cls.env["res.partner"].create(values)
        cls._backdate(
            "res_partner", partner, cls.now_ref - timedelta(days=created_days_ago)
        )
        return partner

    @classmethod
    def _backdate(cls, table, record, moment, column="create_date"):
        # tests may set bookkeeping dates with SQL: the ORM always writes now
        cls.env.cr.execute(
            f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608
            (moment, record.id),
        )
        record.invalidate_recordset()

    @classmethod
    def _ticket(cls, partner, days_ago, breached=False, **vals):
        values = {
            "name": f"Ticket of {partner.name}",
            "description": "Help",
            "partner_id": partner.id,
            "team_id": cls.team.id,
            "stage_id": cls.stage_new.id,
        }
        values.update(vals)
        ticket = cls.env["helpdesk.ticket"].create(values)
        created = cls.now_ref - timedelta(days=days_ago)
        cls._backdate("helpdesk_ticket", ticket, created)
        if breached:
            # a breach in the past, as the SLA check stored it then: the ORM
            # recomputes the SLA states from today's clock, and only SLA
            # managers may write them (test data only, as _backdate does)
            cls.env.cr.execute(
                "UPDATE helpdesk_ticket SET sla_resolution_state = 'breached', "
                "sla_resolution_deadline = %s WHERE id = %s",
                (created + timedelta(hours=8), ticket.id),
            )
            ticket.invalidate_recordset()
        return ticket

    @classmethod
    def _invoice(cls, partner, days_ago, amount=1000.0):
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": (cls.now_ref - timedelta(days=days_ago)).date(),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Support", "quantity": 1, "price_unit": amount}
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    @classmethod
    def _healthy(cls, name, **vals):
        """A customer of 4 years with a recent ticket and invoice."""
        partner = cls._customer(name, **vals)
        cls._ticket(partner, 1200)
        cls._ticket(partner, 20)
        cls._invoice(partner, 30)
        return partner

    @classmethod
    def _simple_signals(cls):
        """Replace the shipped signals by two: SLA breaches (60) and months
        without an invoice (40), so cron and tour tests do not depend on the
        shipped weights, which are data people edit."""
        cls.Signal.search([]).active = False
        return cls.Signal.create(
            [
                {
                    "name": "Breaches",
                    "measure": "sla_breaches",
                    "window_days": 90,
                    "threshold_start": 0,
                    "threshold_full": 2,
                    "weight": 60,
                },
                {
                    "name": "No invoice",
                    "measure": "invoice_gap",
                    "threshold_start": 3,
                    "threshold_full": 6,
                    "weight": 40,
                },
            ]
        )

    def _scores(self, partners, as_of=NOW):
        return self.Score._compute_scores(partners, self.company, as_of)


class RetentionCommon(RetentionMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_retention()


class RetentionHttpCommon(RetentionMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now_ref = datetime.now().replace(microsecond=0)
        cls._setup_retention()
