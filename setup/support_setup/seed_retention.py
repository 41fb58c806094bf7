"""Customers whose stories the health score is checked against (support_retention).

Run by ``setup/seed`` after the tickets when support_retention is installed. It
adds as many customer companies as ``--customers`` with a life written on
purpose, through the ORM like the rest of the seed:

- loyal: about a ticket a month and an invoice a quarter up to today;
- troubled but staying: the same, with a bad half-year somewhere (fewer
  tickets, most closed late, so SLA breaches, and expired points) -- the
  false alarms;
- leaving with warning signs: steady until a churn date 13 to 34 months ago,
  with the same bad half-year just before it and invoices stopping five to
  eight months before it; nothing after it;
- leaving without warning: steady, invoiced until the churn date, then
  nothing.

The customers seeded by ``seed.py`` (tickets spread at random over their
contacts) stay as they are: some of them fall silent for a year by chance,
the churn nobody could have seen coming. "Lost" is judged by the backtest
(``setup/backtest``): no ticket and no invoice for 12 months.
"""

import datetime
import time

from factory.random import randgen

from . import factories as f

# share of the cohort per story
STORIES = {"loyal": 45, "troubled": 10, "warned": 30, "silent": 15}


class RetentionSeeder:
    def __init__(self, seeder):
        self.seeder = seeder
        self.env = seeder.env
        self.now = f.reference_now()

    # -- dates ---------------------------------------------------------------
    def ago(self, days):
        return self.now - datetime.timedelta(days=days)

    def _monthly(self, start_days, stop_days, per_month):
        """Moments between ``start_days`` and ``stop_days`` ago, about
        ``per_month`` a month."""
        moments = []
        day = start_days
        while day > stop_days:
            gap = randgen.expovariate(per_month / 30.4)
            day -= gap
            if day > stop_days:
                moments.append(self.ago(day))
        return moments

    # -- records -------------------------------------------------------------
    def run(self, customer_ids, contacts):
        base = len(customer_ids)
        count = base
        self.seeder.reseed("retention")
        stories = [f.weighted(STORIES) for _i in range(count)]
        vals = f.CustomerFactory.build_batch(count)
        for story, customer in zip(stories, vals, strict=True):
            customer["name"] = f"{customer['name']} ({story})"
            # old enough to have a history before the backtest dates
            customer["create_date"] = self.ago(randgen.randint(4 * 365, 6 * 365))
        seeder = self.seeder
        ids = seeder.run_part(
            "retention customers",
            count,
            seeder.batches(vals, count),
            "res.partner",
        )
        contact_vals = [
            f.ContactFactory.build(
                parent_id=cid,
                domain=customer["email"].split("@", 1)[1],
                since=customer["create_date"],
            )
            for cid, customer in zip(ids, vals, strict=True)
        ]
        contact_ids = seeder.run_part(
            "retention contacts",
            count,
            seeder.batches(contact_vals, count),
            "res.partner",
        )
        pools = seeder.ticket_pools(
            [(c, p) for c, p in zip(contact_ids, ids, strict=True)]
        )
        tickets, invoices, points, ends = [], [], [], {}
        for story, customer_id, contact_id in zip(
            stories, ids, contact_ids, strict=True
        ):
            t, i, p, ends[customer_id] = self.story(
                story, customer_id, contact_id, pools
            )
            tickets += t
            invoices += i
            points += p
        tickets.sort(key=lambda v: v["create_date"])
        seeder.run_part(
            "retention tickets",
            len(tickets),
            seeder.batches(tickets, len(tickets)),
            "helpdesk.ticket",
        )
        self.create_points(points)
        self.create_invoices(invoices)
        if seeder.has("customer.letter.ack"):
            contact_of = dict(zip(ids, contact_ids, strict=True))
            contact_of.update({cid: contact for contact, cid in contacts})
            self.create_letters(
                ends,
                list(customer_ids),
                contact_of,
            )

    def story(self, story, customer_id, contact_id, pools):
        """Tickets, invoices and points lines of one customer's story."""
        history = 40 * 30
        end = 0 if story in ("loyal", "troubled") else randgen.randint(13 * 30, 34 * 30)
        rate = randgen.uniform(0.4, 1.2)
        points = []
        trouble = None
        invoice_stop = end
        if story == "warned":
            # the last six months: fewer tickets, most closed late
            trouble = end + 180
            invoice_stop = end + randgen.randint(150, 240)
        elif story == "troubled":
            trouble = randgen.randint(180, 3 * 365)
        if trouble is None:
            moments = [(m, 0.05) for m in self._monthly(history, end, rate)]
        else:
            moments = [(m, 0.05) for m in self._monthly(history, trouble, rate)]
            moments += [
                (m, 0.6) for m in self._monthly(trouble, trouble - 180, rate * 0.6)
            ]
            if story == "troubled":
                moments += [(m, 0.05) for m in self._monthly(trouble - 180, end, rate)]
            expired = randgen.choice([10, 20, 30])
            points.append((customer_id, expired, self.ago(trouble + 300)))
            points.append((customer_id, -expired, self.ago(trouble - 120)))
        tickets = [
            self.ticket_vals(moment, contact_id, pools, late=randgen.random() < late)
            for moment, late in moments
        ]
        invoices = [
            (customer_id, moment.date())
            for moment in self._monthly(history, invoice_stop, 1 / 3)
        ]
        return tickets, invoices, points, (story, end)

    def ticket_vals(self, moment, contact_id, pools, late=False):
        hours = randgen.randint(200, 400) if late else randgen.randint(1, 3)
        closed = min(self.now, moment + datetime.timedelta(hours=hours))
        is_closed = closed < self.now
        return {
            "name": f"{randgen.choice(f._SUBJECTS)} ({randgen.choice(f._AREAS)})",
            "description": "<p>Seeded for the health score.</p>",
            "partner_id": contact_id,
            "channel_id": pools.channels[f.weighted(f.CHANNEL_WEIGHTS)],
            "priority": f.weighted(f.PRIORITY_WEIGHTS),
            "team_id": randgen.choice(pools.team_ids) if pools.team_ids else False,
            "stage_id": pools.done_stage if is_closed else pools.open_stages[0],
            "create_date": moment,
            "sla_start_date": moment,
            "last_stage_update": closed,
            "closed_date": closed if is_closed else False,
        }

    def create_points(self, points):
        """A grant, and later the expiry of its unused points."""
        Move = self.env["support.points.move"]
        start = time.perf_counter()
        vals = []
        for partner_id, amount, moment in points:
            vals.append(
                {
                    "partner_id": partner_id,
                    "points": amount,
                    "kind": "grant" if amount > 0 else "expire",
                    "note": "Seeded for the health score",
                    "date": moment,
                    "create_date": moment,
                }
            )
        vals.sort(key=lambda v: v["date"])
        for batch in self.seeder.batches(vals, len(vals)):
            Move.create([f.clean_vals(Move, v) for v in batch])
        self.env.flush_all()
        if self.seeder.commit:
            self.env.cr.commit()
        self.seeder.record("retention points", len(vals), time.perf_counter() - start)

    def create_letters(self, ends, base_ids, contact_of):
        """A terms letter every six months, acknowledged by most customers
        within days; customers about to leave with warning signs mostly do
        not acknowledge the letters of their last eight months."""
        env = self.env
        start = time.perf_counter()
        Letter = env["customer.letter"]
        Recipient = env["customer.letter.recipient"]
        Ack = env["customer.letter.ack"]
        rows = 0
        for months in range(38, 0, -6):
            sent = self.ago(months * 30.4)
            letter = Letter.create(
                {
                    "name": f"Support terms, {sent:%B %Y}",
                    "subject": "Our support terms, {{ object.company_name }}",
                    "body": "<p>Dear {{ object.contact_name }}, our terms.</p>",
                    "state": "sent",
                    "sent_date": sent,
                }
            )
            recipients = []
            for customer_id in base_ids + list(ends):
                story, end = ends.get(customer_id, ("base", 0))
                days_ago = months * 30.4
                if end >= days_ago:
                    continue  # gone before the letter
                if story == "warned" and days_ago - end < 240:
                    acked = randgen.random() < 0.15
                else:
                    acked = randgen.random() < 0.8
                recipients.append((customer_id, acked))
            records = Recipient.create(
                [
                    {
                        "letter_id": letter.id,
                        "customer_id": customer_id,
                        "contact_id": contact_of.get(customer_id),
                        "mailed": True,
                    }
                    for customer_id, _acked in recipients
                ]
            )
            Ack.create(
                [
                    {
                        "letter_id": letter.id,
                        "recipient_id": record.id,
                        "partner_id": record.customer_id.id,
                        "contact_id": record.contact_id.id,
                        "date": sent + datetime.timedelta(days=randgen.randint(1, 20)),
                    }
                    for record, (_cid, acked) in zip(records, recipients, strict=True)
                    if acked
                ]
            )
            rows += 1 + len(records)
        env.flush_all()
        if self.seeder.commit:
            env.cr.commit()
        self.seeder.record("retention letters", rows, time.perf_counter() - start)

    def create_invoices(self, invoices):
        """Posted invoices of a support subscription (no points pack)."""
        env = self.env
        journal = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", env.company.id)], limit=1
        )
        if not journal or not invoices:
            return
        start = time.perf_counter()
        Move = env["account.move"]
        vals = [
            {
                "move_type": "out_invoice",
                "partner_id": partner_id,
                "invoice_date": day,
                "date": day,
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Support subscription (quarter)",
                            "quantity": 1,
                            "price_unit": randgen.choice([600.0, 900.0, 1500.0]),
                        },
                    )
                ],
            }
            for partner_id, day in invoices
        ]
        for batch in self.seeder.batches(vals, len(vals)):
            Move.create(batch).action_post()
            env.flush_all()
            if self.seeder.commit:
                env.cr.commit()
        self.seeder.record("retention invoices", len(vals), time.perf_counter() - start)


def seed_retention(seeder):
    """The ``after_tickets`` part for ``Seeder.extra_parts``."""
    return RetentionSeeder(seeder).run
