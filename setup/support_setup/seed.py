"""Generate realistic support data into a database, through the ORM.

Usage: .venv/bin/python setup/seed -d DB [-c odoo.conf] [--customers N] [--tickets M]

Runs inside Odoo (the registry of the database, like ``odoo shell``) and writes
with ``create`` on lists of vals built by the factory-boy factories in
``factories.py``, committing per batch, so every constraint and computed field of
the installed add-ons applies. What is generated: customer companies with
tenure and 1-4 contacts each; when support_certification is installed, staff
certifications; when support_points is installed, a points ledger per customer
(grants and pack purchases) and invoices for point packs; then tickets over
several years across channels, stages and priorities, old ones closed. Each part
prints a progress bar and its rows per second. ``--check`` re-validates every
seeded record against its model's Python constraints afterwards.
"""

import argparse
import datetime
import sys
import time

import factory.random
from factory.random import randgen

from . import (
    factories as f,
    odoo_env,
)

SEED_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "mail_auto_subscribe_no_notify": True,
    "no_reset_password": True,
}


class Seeder:
    """Seed one database; ``stats`` collects rows and seconds per part."""

    def __init__(
        self,
        env,
        batch_size=500,
        progress=True,
        commit=True,
        seed=42,
        out=sys.stdout,
        max_invoices=None,
    ):
        self.max_invoices = max_invoices
        self.env = env(context=dict(env.context, **SEED_CONTEXT))
        self.batch_size = batch_size
        self.progress = progress
        self.commit = commit
        self.seed = seed
        self.out = out
        self.stats = {}

    # -- plumbing ----------------------------------------------------------
    def reseed(self, part):
        """Give each part its own random stream.

        So the parts that only exist with the add-ons do not shift the others.
        """
        factory.random.reseed_random(f"{self.seed}-{part}")

    def has(self, model):
        return model in self.env.registry

    def bar(self, total, desc):
        from tqdm import tqdm

        return tqdm(
            total=total,
            desc=f"{desc:<16}",
            unit=" rows",
            disable=not self.progress,
            file=self.out if self.out is not sys.stdout else sys.stderr,
            leave=True,
            dynamic_ncols=True,
        )

    def run_part(self, part, total, vals_batches, model):
        """Create the vals batches of one part; record rows/s."""
        start = time.perf_counter()
        ids = []
        Model = self.env[model]
        with self.bar(total, part) as bar:
            for vals_list in vals_batches:
                records = Model.create([f.clean_vals(Model, v) for v in vals_list])
                ids.extend(records.ids)
                self.env.flush_all()
                backdate(self.env, records, vals_list)
                if self.commit:
                    self.env.cr.commit()
                self.env.invalidate_all()
                bar.update(len(vals_list))
        self.record(part, len(ids), time.perf_counter() - start)
        return ids

    def record(self, part, rows, seconds):
        self.stats[part] = {"rows": rows, "seconds": round(seconds, 3)}
        rate = rows / seconds if seconds else 0.0
        print(
            f"{part}: {rows} rows in {seconds:.1f} s ({rate:.0f} rows/s)", file=self.out
        )

    def batches(self, vals_iter, total):
        batch = []
        for vals in vals_iter:
            batch.append(vals)
            if len(batch) >= self.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    # -- parts -------------------------------------------------------------
    def run(self, customers, tickets):
        started = time.perf_counter()
        customer_ids, contacts = self.seed_partners(customers)
        hooks = self.extra_parts()
        for hook in hooks["before_tickets"]:
            hook(customer_ids, contacts)
        self.seed_tickets(tickets, contacts)
        for hook in hooks["after_tickets"]:
            hook(customer_ids, contacts)
        total_rows = sum(s["rows"] for s in self.stats.values())
        seconds = time.perf_counter() - started
        self.stats["total"] = {"rows": total_rows, "seconds": round(seconds, 3)}
        rate = total_rows / max(seconds, 1e-9)
        print(
            f"seeded {total_rows} rows in {seconds:.1f} s ({rate:.0f} rows/s)",
            file=self.out,
        )
        return self.stats

    def extra_parts(self):
        """Parts that exist only when the add-on they need is installed."""
        before, after = [], []
        if self.has("support.certification"):
            before.append(self.seed_certifications)
        if self.has("support.points.move"):
            before.append(self.seed_ledger)
        if self.has("account.move") and self.has("support.points.move"):
            before.append(self.seed_pack_invoices)
        if self.has("support.retention.score"):
            from .seed_retention import seed_retention

            after.append(seed_retention(self))
        if self.has("support.work.authorization"):
            from .seed_authorizations import seed_authorizations

            after.append(seed_authorizations(self))
        return {"before_tickets": before, "after_tickets": after}

    def seed_partners(self, customers):
        self.reseed("customers")
        vals = f.CustomerFactory.build_batch(customers)
        customer_ids = self.run_part(
            "customers", customers, self.batches(vals, customers), "res.partner"
        )
        self.reseed("contacts")
        contact_vals = []
        for customer_id, customer in zip(customer_ids, vals, strict=True):
            domain = customer["email"].split("@", 1)[1]
            for _i in range(randgen.choice([1, 1, 2, 2, 3, 4])):
                contact_vals.append(
                    f.ContactFactory.build(
                        parent_id=customer_id,
                        domain=domain,
                        since=customer["create_date"],
                    )
                )
        contact_ids = self.run_part(
            "contacts",
            len(contact_vals),
            self.batches(contact_vals, len(contact_vals)),
            "res.partner",
        )
        contacts = [
            (cid, v["parent_id"])
            for cid, v in zip(contact_ids, contact_vals, strict=True)
        ]
        return customer_ids, contacts

    def ticket_pools(self, contacts):
        env = self.env
        channels = {c.name: c.id for c in env["helpdesk.ticket.channel"].search([])}
        for name in f.CHANNEL_WEIGHTS:
            if name not in channels:
                channels[name] = (
                    env["helpdesk.ticket.channel"].create({"name": name}).id
                )
        stages = env["helpdesk.ticket.stage"].search([])
        done = env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_done", raise_if_not_found=False
        )
        closed = stages.filtered("closed")
        teams = env["helpdesk.ticket.team"].search([])
        return f.Pools(
            contacts=contacts,
            channels=channels,
            open_stages=stages.filtered(lambda s: not s.closed).ids,
            done_stage=(done or closed[:1]).id,
            closed_stages=closed.ids,
            team_ids=teams.ids,
        )

    def seed_tickets(self, tickets, contacts):
        if not contacts or not tickets:
            return []
        pools = self.ticket_pools(contacts)
        self.reseed("tickets")
        # in the order they were opened, as ids grow in a real helpdesk
        vals_iter = sorted(
            (f.TicketFactory.build(pools=pools) for _i in range(tickets)),
            key=lambda vals: vals["create_date"],
        )
        return self.run_part(
            "tickets", tickets, self.batches(vals_iter, tickets), "helpdesk.ticket"
        )

    def seed_certifications(self, customer_ids, contacts):
        """Some contacts hold a certification (support_certification)."""
        env = self.env
        levels = env["support.certification.level"].search([])
        Cert = env["support.certification"]
        if not levels or "partner_id" not in Cert._fields:
            return
        self.reseed("certifications")
        vals = []
        for contact_id, _commercial_id in contacts:
            if randgen.random() < 0.3:
                vals.append(
                    certification_vals(Cert, contact_id, randgen.choice(levels.ids))
                )
        self.run_part(
            "certifications",
            len(vals),
            self.batches(vals, len(vals)),
            "support.certification",
        )

    def seed_ledger(self, customer_ids, contacts):
        """Opening grants and later grants on each customer's points ledger."""
        env = self.env
        Move = env["support.points.move"]
        self.reseed("ledger")
        vals = []
        for customer_id in customer_ids:
            for _i in range(randgen.choice([1, 1, 2, 3])):
                vals.append(ledger_vals(Move, customer_id))
        self.run_part(
            "ledger", len(vals), self.batches(vals, len(vals)), "support.points.move"
        )

    def pack_products(self):
        """The point packs on sale; two are created if there are none."""
        Product = self.env["product.product"]
        packs = Product.search([("support_points", ">", 0)], order="support_points")
        if not packs:
            packs = Product.create(
                [
                    {
                        "name": f"Support points pack {points}",
                        "type": "service",
                        "support_points": points,
                        "list_price": price,
                    }
                    for points, price in ((10, 500.0), (50, 2250.0))
                ]
            )
        return packs

    def seed_pack_invoices(self, customer_ids, contacts):
        """Posted invoices for point packs over the customers' tenure.

        Posting books the points (a purchase line on the ledger), as in real life.
        """
        env = self.env
        packs = self.pack_products()
        journal = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", env.company.id)], limit=1
        )
        if not journal:
            return
        self.reseed("invoices")
        vals = []
        for customer_id in customer_ids:
            for _i in range(randgen.choice([0, 1, 1, 2, 3])):
                pack = randgen.choice(packs)
                vals.append(
                    f.PackInvoiceFactory.build(partner_id=customer_id, pack=pack)
                )
        if self.max_invoices is not None:
            vals = vals[: self.max_invoices]
        Move = env["account.move"]
        start = time.perf_counter()
        with self.bar(len(vals), "pack invoices") as bar:
            for batch in self.batches(vals, len(vals)):
                moves = Move.create(batch)
                moves.action_post()
                self.env.flush_all()
                if self.commit:
                    self.env.cr.commit()
                self.env.invalidate_all()
                bar.update(len(batch))
        self.record("pack invoices", len(vals), time.perf_counter() - start)

    # -- checking ----------------------------------------------------------
    def check_ledger(self):
        """Each customer's balance is the sum of its ledger lines."""
        if not self.has("support.points.balance"):
            return []
        self.env.flush_all()
        return ledger_problems(self.env.cr)

    def check_points_follow_documents(self):
        """Points and fees follow the documents that justify them (see
        ``document_problems``)."""
        if not self.has("support.points.move"):
            return []
        self.env.flush_all()
        return document_problems(self.env.cr)

    def check(self, models=None):
        """Re-run the Python constraints of every record of the seeded models."""
        models = models or [
            "res.partner",
            "helpdesk.ticket",
            "support.certification",
            "support.points.move",
            "account.move",
        ]
        problems = self.check_ledger() + self.check_points_follow_documents()
        for model in models:
            if not self.has(model):
                continue
            Model = self.env[model].with_context(active_test=False)
            records = Model.search([])
            constrained = {
                name
                for method in Model._constraint_methods
                for name in getattr(method, "_constrains", ())
            }
            fnames = [
                n for n in constrained if isinstance(n, str) and n in Model._fields
            ]
            for start in range(0, len(records), 2000):
                chunk = records[start : start + 2000]
                try:
                    chunk._validate_fields(fnames)
                except Exception as exc:  # noqa: BLE001 - report, keep checking others
                    problems.append(f"{model}: {exc}")
                chunk.invalidate_recordset()
        return problems


def ledger_problems(cr):
    """Customers whose balance row differs from the sum of their ledger lines,
    per company, as sentences. ``cr``: any DB-API cursor (Odoo's, psycopg2's)."""
    cr.execute(_ledger_check_sql())
    return [
        f"support.points.balance: partner {pid} has {bal}, its lines sum to {tot}"
        for pid, bal, tot in cr.fetchall()
    ]


def document_problems(cr):
    """Points and fees that do not follow their documents, as sentences:

    - every pack invoice line holds, on the ledger, its product's points
      times its quantity while its invoice is posted (negative on a credit
      note), and nothing otherwise;
    - no ticket says "fee invoiced" without its fee line, unless its charge
      was refunded;
    - a ticket's refund is on the customer and company its charge was.

    ``cr``: any DB-API cursor (Odoo's, psycopg2's).
    """
    problems = []
    cr.execute(_pack_points_check_sql())
    problems += [
        f"account.move.line {line_id}: pack points due {due}, ledger holds {booked}"
        for line_id, due, booked in cr.fetchall()
    ]
    cr.execute(
        "SELECT id FROM helpdesk_ticket WHERE support_charge_state = 'fee' "
        "AND support_fee_line_id IS NULL "
        "AND NOT COALESCE(support_points_refunded, false) ORDER BY id"
    )
    problems += [
        f"helpdesk.ticket {ticket_id}: fee invoiced, but no fee line"
        for (ticket_id,) in cr.fetchall()
    ]
    cr.execute(
        "SELECT r.id, r.ticket_id FROM support_points_move r "
        "JOIN support_points_move c ON c.ticket_id = r.ticket_id "
        "AND c.kind IN ('consume', 'adjust') "
        "WHERE r.kind = 'refund' AND (r.partner_id <> c.partner_id "
        "OR r.company_id <> c.company_id) ORDER BY r.id"
    )
    problems += [
        f"support.points.move {move_id}: refund of ticket {ticket_id} not on "
        "the charged customer and company"
        for move_id, ticket_id in cr.fetchall()
    ]
    return problems


def _ledger_check_sql():
    return (
        "SELECT b.partner_id, b.balance, coalesce(m.total, 0) "
        "FROM support_points_balance b LEFT JOIN ("
        " SELECT partner_id, company_id, sum(points) AS total,"
        " sum(remaining) AS open FROM support_points_move GROUP BY 1, 2) m"
        " ON m.partner_id = b.partner_id AND m.company_id = b.company_id"
        " WHERE b.balance <> coalesce(m.total, 0)"
    )


def _pack_points_check_sql():
    """Pack invoice lines whose ledger points differ from the posted figure."""
    return (
        "WITH due AS ("
        " SELECT l.id AS line_id, CASE WHEN m.state = 'posted' THEN"
        " (CASE m.move_type WHEN 'out_invoice' THEN 1 ELSE -1 END)"
        " * t.support_points * ROUND(l.quantity) ELSE 0 END AS points"
        " FROM account_move_line l"
        " JOIN account_move m ON m.id = l.move_id"
        " JOIN product_product p ON p.id = l.product_id"
        " JOIN product_template t ON t.id = p.product_tmpl_id"
        " WHERE m.move_type IN ('out_invoice', 'out_refund')"
        " AND l.display_type = 'product' AND t.support_points > 0),"
        " booked AS ("
        " SELECT invoice_line_id AS line_id, SUM(points) AS points"
        " FROM support_points_move WHERE invoice_line_id IS NOT NULL GROUP BY 1)"
        " SELECT COALESCE(d.line_id, b.line_id), COALESCE(d.points, 0),"
        " COALESCE(b.points, 0)"
        " FROM due d FULL JOIN booked b ON b.line_id = d.line_id"
        " WHERE COALESCE(d.points, 0) <> COALESCE(b.points, 0) ORDER BY 1"
    )


def clone_rows(env, records, total, overrides=None):
    """Insert copies of ``records``' rows until the table holds ``total`` more rows.

    Only for bulk the ORM is measured too slow for (the benchmark's 100,000-line
    ledger and open-ticket backlog): the copies are of rows the ORM created, so
    they satisfy the same constraints, and ``overrides`` ({column: SQL}) keeps
    unique columns unique (the copy number is ``g``). Callers re-check the
    constraints afterwards.
    """
    from odoo.tools import SQL

    env.flush_all()
    env.cr.execute(
        SQL(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = %s AND column_name <> 'id' ORDER BY ordinal_position",
            records._table,
        )
    )
    columns = [row[0] for row in env.cr.fetchall()]
    overrides = overrides or {}
    values = [overrides.get(c) or SQL("t.%s", SQL.identifier(c)) for c in columns]
    ids = records.ids
    rounds = -(-total // len(ids))
    env.cr.execute(
        SQL(
            "INSERT INTO %s (%s) SELECT %s "
            "FROM (SELECT * FROM %s WHERE id = ANY(%s)) t "
            "CROSS JOIN generate_series(1, %s) AS g "
            "ORDER BY g, t.id LIMIT %s RETURNING id",
            SQL.identifier(records._table),
            SQL(", ").join(SQL.identifier(c) for c in columns),
            SQL(", ").join(values),
            SQL.identifier(records._table),
            ids,
            rounds,
            total,
        )
    )
    env.invalidate_all()
    return records.browse([row[0] for row in env.cr.fetchall()])


def backdate(env, records, vals_list):
    """Give records the create_date their factory chose (the ORM always sets now).

    create_date is bookkeeping that no constraint reads; the history needs it.
    """
    from odoo.tools import SQL

    pairs = [
        (r.id, v["create_date"])
        for r, v in zip(records, vals_list, strict=True)
        if v.get("create_date")
    ]
    if not pairs:
        return
    ids, dates = zip(*pairs, strict=True)
    env.cr.execute(
        SQL(
            "UPDATE %s AS t SET create_date = v.d FROM "
            "(SELECT unnest(%s::int[]) AS id, unnest(%s::timestamp[]) AS d) AS v "
            "WHERE t.id = v.id",
            SQL.identifier(records._table),
            list(ids),
            list(dates),
        )
    )


def certification_vals(Cert, contact_id, level_id):
    """Vals of a certification for a contact (field names from the add-on)."""
    earned = f.days_ago(30, 3 * 365).date()
    vals = {"partner_id": contact_id, "level_id": level_id}
    for name in ("date", "date_obtained", "issue_date", "certification_date"):
        if name in Cert._fields:
            vals[name] = earned
            break
    for name in ("expiry_date", "date_expiry", "valid_until"):
        if name in Cert._fields:
            vals[name] = earned + datetime.timedelta(days=730)
            break
    return vals


def ledger_vals(Move, partner_id):
    vals = f.PointsMoveFactory.build(partner_id=partner_id)
    return vals


def build_parser():
    parser = argparse.ArgumentParser(
        prog="setup/seed",
        description="Generate realistic helpdesk data through the ORM.",
    )
    parser.add_argument("-d", "--db", required=True, help="database to seed")
    parser.add_argument(
        "-c", "--config", default=odoo_env.default_config(), help="Odoo config file"
    )
    parser.add_argument(
        "--customers", type=int, default=50, help="customer companies (default 50)"
    )
    parser.add_argument(
        "--tickets", type=int, default=500, help="tickets (default 500)"
    )
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument(
        "--max-invoices",
        type=int,
        help="cap on pack invoices (default: 0-3 a customer)",
    )
    parser.add_argument(
        "--seed", default="42", help="random seed (same seed, same data)"
    )
    parser.add_argument(
        "--check", action="store_true", help="re-validate constraints afterwards"
    )
    parser.add_argument("--no-progress", action="store_true")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    with odoo_env.environment(args.config, args.db) as env:
        seeder = Seeder(
            env,
            batch_size=args.batch_size,
            progress=not args.no_progress,
            seed=args.seed,
            max_invoices=args.max_invoices,
        )
        seeder.run(args.customers, args.tickets)
        if args.check:
            problems = seeder.check()
            for problem in problems:
                print(f"constraint violated: {problem}", file=sys.stderr)
            if problems:
                return 1
            print("constraints: all seeded records pass")
    return 0
