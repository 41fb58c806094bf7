"""factory-boy factories for realistic support data.

Each factory builds the ``vals`` dict of one record (``factory.DictFactory``);
``create_batch(env, Factory, n, **kw)`` writes them through the ORM with
``create`` on a list, so the add-ons' constraints and computed fields apply. The
seed script and the tests share these. Pools of existing ids (stages, channels,
partners...) are passed as the ``pools`` parameter; randomness comes from
factory-boy's generator, so ``factory.random.reseed_random(seed)`` makes a run
reproducible (the benchmark seeds two databases identically that way).
"""

import datetime
import re

import factory
from factory.random import randgen

# how tickets arrive (weights): most by email and web, fewer by phone
CHANNEL_WEIGHTS = {"Email": 45, "Web": 30, "Phone": 20, "Other": 5}
PRIORITY_WEIGHTS = {"0": 25, "1": 50, "2": 20, "3": 5}


def reference_now():
    """The 'now' the history is generated up to (today, at midnight)."""
    today = datetime.date.today()
    return datetime.datetime(today.year, today.month, today.day)


def weighted(choices):
    """Pick a key of ``choices`` ({value: weight})."""
    values, weights = zip(*choices.items(), strict=True)
    return randgen.choices(values, weights=weights)[0]


def days_ago(low, high):
    """A datetime between ``high`` and ``low`` days before now."""
    seconds = randgen.randint(int(low * 86400), int(high * 86400))
    return reference_now() - datetime.timedelta(seconds=seconds)


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "customer"


class Pools:
    """Ids the factories pick from, read once from the database."""

    def __init__(self, **pools):
        self.__dict__.update(pools)

    def get(self, name, default=None):
        return self.__dict__.get(name, default)


class CustomerFactory(factory.DictFactory):
    """A customer company with a tenure of up to ``max_years``."""

    class Params:
        max_years = 6

    name = factory.Sequence(
        lambda n: f"{randgen.choice(_COMPANY_WORDS)} {randgen.choice(_SUFFIXES)} {n}"
    )
    is_company = True
    customer_rank = 1
    email = factory.LazyAttribute(lambda o: f"support@{_slug(o.name)}.example.com")
    phone = factory.Sequence(
        lambda n: f"+1 555 {n // 10000 % 1000:03d} {n % 10000:04d}"
    )
    city = factory.LazyFunction(lambda: randgen.choice(_CITIES))
    create_date = factory.LazyAttribute(lambda o: days_ago(30, o.max_years * 365))


class ContactFactory(factory.DictFactory):
    """A person working for a customer (``parent_id`` and ``domain`` given)."""

    class Params:
        domain = "example.com"
        since = None

    name = factory.LazyFunction(
        lambda: f"{randgen.choice(_FIRST)} {randgen.choice(_LAST)}"
    )
    type = "contact"
    function = factory.LazyFunction(lambda: randgen.choice(_JOBS))
    email = factory.LazyAttributeSequence(
        lambda o, n: f"{_slug(o.name)}.{n}@{o.domain}"
    )
    create_date = factory.LazyAttribute(
        lambda o: o.since + datetime.timedelta(days=randgen.randint(0, 200))
        if o.since
        else days_ago(1, 900)
    )


class TicketFactory(factory.DictFactory):
    """A helpdesk ticket somewhere in the last ``max_years`` years.

    Old tickets are closed (mostly done, some cancelled or rejected), recent ones
    still open across the open stages; channels and priorities follow the weights
    above. ``pools`` needs contacts (list of (contact_id, commercial_id)),
    channels ({name: id}), open_stages, done_stage, closed_stages, team_ids.
    """

    class Params:
        pools = None
        max_years = 4
        opened = factory.LazyAttribute(lambda o: days_ago(0, o.max_years * 365))
        age_days = factory.LazyAttribute(lambda o: (reference_now() - o.opened).days)
        is_closed = factory.LazyAttribute(
            lambda o: randgen.random()
            < (0.3 if o.age_days < 14 else 0.97 if o.age_days < 120 else 0.995)
        )
        contact = factory.LazyAttribute(lambda o: randgen.choice(o.pools.contacts))

    name = factory.LazyFunction(
        lambda: f"{randgen.choice(_SUBJECTS)} ({randgen.choice(_AREAS)})"
    )
    description = factory.LazyAttribute(
        lambda o: f"<p>{o.name}: {randgen.choice(_DETAILS)}</p>",
    )
    partner_id = factory.LazyAttribute(lambda o: o.contact[0])
    channel_id = factory.LazyAttribute(
        lambda o: o.pools.channels[weighted(CHANNEL_WEIGHTS)]
    )
    priority = factory.LazyFunction(lambda: weighted(PRIORITY_WEIGHTS))
    team_id = factory.LazyAttribute(
        lambda o: randgen.choice(o.pools.team_ids) if o.pools.team_ids else False
    )
    stage_id = factory.LazyAttribute(
        lambda o: (
            (
                o.pools.done_stage
                if randgen.random() < 0.9
                else randgen.choice(o.pools.closed_stages)
            )
            if o.is_closed
            else randgen.choice(o.pools.open_stages)
        )
    )
    create_date = factory.SelfAttribute("opened")
    # support_certification plans the SLA deadlines from this start
    sla_start_date = factory.SelfAttribute("opened")
    last_stage_update = factory.LazyAttribute(
        lambda o: min(
            reference_now(),
            o.opened + datetime.timedelta(hours=randgen.randint(1, 240)),
        )
    )
    closed_date = factory.LazyAttribute(
        lambda o: o.last_stage_update if o.is_closed else False
    )


class PointsMoveFactory(factory.DictFactory):
    """A line of a customer's points ledger (``partner_id`` given)."""

    kind = "grant"
    points = factory.LazyFunction(lambda: randgen.choice([5, 10, 10, 20, 50]))
    note = factory.LazyAttribute(lambda o: f"Seeded {o.kind}")
    date = factory.LazyFunction(lambda: days_ago(1, 3 * 365))
    create_date = factory.SelfAttribute("date")


class PackInvoiceFactory(factory.DictFactory):
    """A customer invoice for one points pack (``partner_id``, ``pack`` given)."""

    class Params:
        pack = None
        when = factory.LazyFunction(lambda: days_ago(1, 3 * 365).date())

    move_type = "out_invoice"
    invoice_date = factory.SelfAttribute("when")
    date = factory.SelfAttribute("when")
    invoice_line_ids = factory.LazyAttribute(
        lambda o: [
            (
                0,
                0,
                {
                    "product_id": o.pack.id,
                    "quantity": randgen.choice([1, 1, 1, 2]),
                    "price_unit": o.pack.list_price,
                },
            )
        ]
    )


def create_batch(env, factory_class, size, batch_size=500, progress=None, **kwargs):
    """Build ``size`` vals with the factory and create them in ORM batches."""
    model = (
        env[factory_class._odoo_model]
        if hasattr(factory_class, "_odoo_model")
        else None
    )
    if model is None:
        raise ValueError(f"{factory_class.__name__} has no _odoo_model")
    records = model.browse()
    for start in range(0, size, batch_size):
        count = min(batch_size, size - start)
        vals_list = factory_class.build_batch(count, **kwargs)
        records |= model.create([clean_vals(model, v) for v in vals_list])
        if progress is not None:
            progress.update(count)
    return records


def clean_vals(model, vals):
    """Drop keys the model does not have (e.g. baseline without the add-ons)."""
    return {k: v for k, v in vals.items() if k in model._fields}


CustomerFactory._odoo_model = "res.partner"
ContactFactory._odoo_model = "res.partner"
TicketFactory._odoo_model = "helpdesk.ticket"
PointsMoveFactory._odoo_model = "support.points.move"
PackInvoiceFactory._odoo_model = "account.move"

_COMPANY_WORDS = [
    "Acme",
    "Blue Harbor",
    "Cobalt",
    "Delta",
    "Evergreen",
    "Falcon",
    "Granite",
    "Helix",
    "Ironwood",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Northwind",
    "Orchid",
    "Pinnacle",
    "Quartz",
    "Redwood",
    "Summit",
    "Tidewater",
]
_SUFFIXES = [
    "Logistics",
    "Foods",
    "Clinics",
    "Labs",
    "Retail",
    "Energy",
    "Systems",
    "Partners",
]
_CITIES = [
    "Lyon",
    "Porto",
    "Ghent",
    "Bremen",
    "Leeds",
    "Turin",
    "Austin",
    "Quebec",
    "Cork",
    "Graz",
]
_FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "David",
    "Elif",
    "Femi",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Liam",
]
_LAST = [
    "Martin",
    "Silva",
    "Peeters",
    "Novak",
    "Rossi",
    "Kaya",
    "Dubois",
    "Smith",
    "Jansen",
    "Moreau",
]
_JOBS = [
    "IT manager",
    "Accountant",
    "Warehouse lead",
    "CFO",
    "Office manager",
    "Developer",
]
_SUBJECTS = [
    "Cannot log in",
    "Invoice shows wrong tax",
    "Export to CSV fails",
    "Printer setup",
    "Slow dashboard",
    "Password reset",
    "Data import error",
    "Upgrade question",
    "Server down",
    "Report totals differ",
]
_AREAS = [
    "accounting",
    "inventory",
    "portal",
    "mobile app",
    "reporting",
    "email gateway",
]
_DETAILS = [
    "since this morning every user is affected.",
    "only one user sees it, screenshots attached.",
    "it worked last week before the update.",
    "we need it fixed before month-end closing.",
]
