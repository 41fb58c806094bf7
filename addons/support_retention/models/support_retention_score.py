# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from datetime import datetime, time, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

_logger = logging.getLogger(__name__)

BANDS = [
    ("healthy", "Healthy"),
    ("watch", "Watch"),
    ("at_risk", "At risk"),
]
# score at or above: band (at risk is about the riskiest 5-10% of the
# seeded customers, see the README)
HEALTHY_MIN = 75
WATCH_MIN = 60
# Customers per cron call: the ORM inserts 100 rows per statement, so every
# batch of up to 100 customers costs the same queries.
BATCH_SIZE = 100
# Growth of a handful of tickets is noise: measured from this many tickets
# in one of the two periods on.
GROWTH_MIN_TICKETS = 3
DAYS_PER_MONTH = 30.4


def band_of(score):
    """healthy from 75, watch above 60, at risk at 60 or below: a customer
    with neither a ticket nor an invoice for months loses exactly the two
    "lately" signals (40 of the shipped 100) and is at risk, not watched."""
    if score >= HEALTHY_MIN:
        return "healthy"
    if score > WATCH_MIN:
        return "watch"
    return "at_risk"


class SupportRetentionScore(models.Model):
    """A customer's health score in a company on one date.

    One row per customer, company and computation: the history that trends,
    graphs and the backtest read. ``is_latest`` marks the row shown on the
    partner and the ticket. Rows are written by the weekly computation only.
    """

    _name = "support.retention.score"
    _description = "Customer health score"
    _order = "date desc, risk_value desc, score, id"
    _rec_name = "partner_id"

    date = fields.Date(required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    # kept on the row (the company's currency when scored), so writing a
    # batch of rows reads no company
    currency_id = fields.Many2one(
        comodel_name="res.currency", required=True, readonly=True
    )
    user_id = fields.Many2one(
        related="partner_id.user_id", string="Salesperson", readonly=True
    )
    score = fields.Integer(readonly=True, aggregator="avg")
    band = fields.Selection(selection=BANDS, readonly=True, index=True)
    previous_score = fields.Integer(readonly=True, aggregator="avg")
    previous_band = fields.Selection(selection=BANDS, readonly=True)
    trend = fields.Integer(
        readonly=True,
        aggregator="avg",
        help="Change of the score since the previous computation.",
    )
    reasons = fields.Text(readonly=True)
    summary = fields.Char(readonly=True)
    yearly_revenue = fields.Monetary(
        string="Revenue (12 months)", readonly=True, currency_field="currency_id"
    )
    risk_value = fields.Monetary(
        string="Revenue at risk",
        readonly=True,
        currency_field="currency_id",
        help="Yearly revenue times the risk (100 minus the score, in percent): "
        "the customers worth most and most at risk first.",
    )
    is_latest = fields.Boolean(string="Latest", readonly=True, index=True)

    _sql_constraints = [
        (
            "partner_company_date_unique",
            "UNIQUE(partner_id, company_id, date)",
            "A customer has one health score per company and date.",
        ),
        (
            "score_range",
            "CHECK(score >= 0 AND score <= 100)",
            "A health score is between 0 and 100.",
        ),
    ]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    @api.model
    def action_compute_now(self):
        """Queue the computation of every customer (the weekly cron, now)."""
        if not self.env.user.has_group("support_retention.group_retention_manager"):
            raise AccessError(
                _("Only retention managers may compute the health scores.")
            )
        self.env["support.retention.signal"]._get_scoring_signals(self.env.company)
        self.env.ref("support_retention.ir_cron_compute_scores")._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": _(
                    "The health scores are being computed in the background; "
                    "reload the list in a few minutes."
                ),
                "sticky": False,
            },
        }

    # ------------------------------------------------------------------
    # The weekly computation
    # ------------------------------------------------------------------

    @api.model
    def _customer_domain(self, company):
        """The customers scored in ``company``: those customer_letters
        addresses (invoiced, or with a ticket in the company)."""
        return self.env["customer.letter.segment"]._customer_base_domain(company)

    @api.model
    def _pending_domain(self, company, date):
        done = self._search([("company_id", "=", company.id), ("date", "=", date)])
        return self._customer_domain(company) + [
            ("id", "not in", done.subselect("partner_id"))
        ]

    @api.model
    def _scorable_companies(self):
        """Companies whose active signals weigh 100 (others are logged)."""
        Signal = self.env["support.retention.signal"]
        companies = self.env["res.company"]
        for company in self.env["res.company"].search([], order="id"):
            try:
                Signal._get_scoring_signals(company)
            except UserError as exc:
                _logger.warning("Health scores not computed: %s", exc)
                continue
            companies |= company
        return companies

    @api.model
    def _cron_compute(self, batch_size=BATCH_SIZE):
        """Weekly: score every customer of every company, one batch per call.

        A customer scored today leaves ``_pending_domain``: a batch run again
        after a restart scores nobody twice. Progress goes to the cron
        runner, which commits each batch and calls again while some remain.
        """
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        Partner = self.env["res.partner"].with_context(active_test=False)
        done = remaining = 0
        for company in self._scorable_companies():
            domain = self._pending_domain(company, today)
            partners = Partner.with_company(company)
            if not done:
                batch = partners.search(domain, order="id", limit=batch_size)
                if batch:
                    self.with_company(company)._record_scores(
                        batch, company, now, date=today
                    )
                    done = len(batch)
            remaining += partners.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return True

    def _record_scores(self, partners, company, as_of, date=None):
        """Score ``partners`` in ``company`` at ``as_of`` and keep the rows,
        dated ``date`` (the run's day, by default as_of's): a constant number
        of queries for the batch."""
        date = date or as_of.date()
        results = self._compute_scores(partners, company, as_of)
        previous = self.search(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
                ("is_latest", "=", True),
                ("date", "<", date),
            ]
        )
        previous_by_partner = {row.partner_id.id: row for row in previous}
        previous.write({"is_latest": False})
        vals_list = []
        newly_at_risk = []
        for partner in partners:
            result = results[partner.id]
            before = previous_by_partner.get(partner.id)
            vals = self._prepare_score_vals(partner, company, date, result, before)
            vals_list.append(vals)
            if vals["band"] == "at_risk" and (not before or before.band != "at_risk"):
                newly_at_risk.append((partner, vals))
        rows = self.create(vals_list)
        self._schedule_risk_activities(newly_at_risk)
        return rows

    @api.model
    def _prepare_score_vals(self, partner, company, date, result, before):
        score = result["score"]
        band = band_of(score)
        band_label = dict(self._fields["band"]._description_selection(self.env))[band]
        reasons = result["reasons"]
        summary = (
            _("%(band)s: %(reason)s", band=band_label, reason=reasons[0][1])
            if reasons
            else band_label
        )
        revenue = result["revenue"]
        return {
            "date": date,
            "partner_id": partner.id,
            "company_id": company.id,
            "currency_id": company.currency_id.id,
            "score": score,
            "band": band,
            "previous_score": before.score if before else score,
            "previous_band": before.band if before else False,
            "trend": score - before.score if before else 0,
            "reasons": "\n".join(
                _("%(reason)s (-%(points)s)", reason=text, points=lost)
                for lost, text in reasons
            ),
            "summary": summary,
            "yearly_revenue": revenue,
            "risk_value": max(revenue, 0.0) * (100 - score) / 100,
            "is_latest": True,
        }

    @api.model
    def _schedule_risk_activities(self, newly_at_risk):
        """One to-do for the salesperson of each customer that just moved
        into "at risk" (customers without a salesperson get none)."""
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        model = self.env["ir.model"]._get_id("res.partner")
        today = fields.Date.context_today(self)
        vals_list = [
            {
                "res_model_id": model,
                "res_id": partner.id,
                "activity_type_id": todo.id if todo else False,
                "user_id": partner.user_id.id,
                "date_deadline": today + timedelta(days=3),
                "summary": _("Customer at risk: %(summary)s", summary=vals["summary"]),
                "note": vals["reasons"].replace("\n", "<br/>"),
            }
            for partner, vals in newly_at_risk
            if partner.user_id
        ]
        return self.env["mail.activity"].create(vals_list)

    # ------------------------------------------------------------------
    # The score, at any date (the backtest uses the same code)
    # ------------------------------------------------------------------

    @api.model
    def _compute_scores(self, partners, company, as_of, signals=None):
        """{partner id: {"score", "reasons": [(lost points, words)],
        "revenue"}} for ``partners`` in ``company`` as they were at
        ``as_of`` (a datetime): only what happened before it counts.

        Queries: a constant number per signal, whatever the number of
        partners (one aggregate per source over the whole batch).
        """
        if signals is None:
            signals = self.env["support.retention.signal"]._get_scoring_signals(company)
        sources = _Sources(self.env, partners, company, as_of)
        values = {signal: sources.values(signal) for signal in signals}
        revenue = sources.revenue()
        results = {}
        for partner in partners:
            lost_total = 0.0
            reasons = []
            for signal in signals:
                value = values[signal].get(partner.id)
                lost = signal.weight * signal._risk_fraction(value)
                if lost > 0:
                    lost_total += lost
                    reasons.append((round(lost), signal._reason(value)))
            reasons.sort(key=lambda reason: -reason[0])
            results[partner.id] = {
                "score": max(0, min(100, round(100 - lost_total))),
                "reasons": [reason for reason in reasons if reason[0] > 0],
                "revenue": revenue.get(partner.id, 0.0),
            }
        return results


class _Sources:
    """The measures of one batch of customers at one date, each read with
    one aggregate query over the batch (``_read_group``), none per customer.
    """

    def __init__(self, env, partners, company, as_of):
        self.env = env
        self.partners = partners
        self.ids = partners.ids
        self.company = company
        self.as_of = as_of
        self.day = as_of.date()
        self._cache = {}

    # helpers -------------------------------------------------------------
    def _model(self, name):
        # sudo: the score aggregates counts and dates per customer; whoever
        # computes it (cron, backtest) need not see every ticket, invoice or
        # letter, and no record leaves this class
        return self.env[name].sudo().with_context(active_test=False)

    def _tickets(self, domain, groupby="commercial_partner_id", aggregates=None):
        base = [
            ("commercial_partner_id", "in", self.ids),
            ("company_id", "=", self.company.id),
        ]
        return self._model("helpdesk.ticket")._read_group(
            base + domain, [groupby], aggregates or ["__count"]
        )

    def _moves(self, domain, aggregates):
        base = [
            ("partner_id", "in", self.ids),
            ("company_id", "=", self.company.id),
        ]
        return {
            partner.id: value
            for partner, value in self._model("support.points.move")._read_group(
                base + domain, ["partner_id"], aggregates
            )
        }

    def _window(self, days, periods=1):
        return self.as_of - timedelta(days=days * periods)

    def _count(self, rows):
        return {partner.id: count for partner, count in rows}

    def _months_since(self, moments):
        values = {}
        for partner in self.partners:
            moment = moments.get(partner.id) or partner.create_date
            if isinstance(moment, datetime):
                moment = moment.date()
            values[partner.id] = max((self.day - moment).days, 0) / DAYS_PER_MONTH
        return values

    def _ticket_dates(self):
        if "ticket_dates" not in self._cache:
            rows = self._tickets(
                [("create_date", "<", self.as_of)],
                aggregates=["create_date:min", "create_date:max"],
            )
            self._cache["ticket_dates"] = {
                partner.id: (first, last) for partner, first, last in rows
            }
        return self._cache["ticket_dates"]

    def _invoice_dates(self):
        if "invoice_dates" not in self._cache:
            rows = self._model("account.move")._read_group(
                [
                    ("commercial_partner_id", "in", self.ids),
                    ("company_id", "=", self.company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("invoice_date", "<", self.day),
                ],
                ["commercial_partner_id"],
                ["invoice_date:min", "invoice_date:max"],
            )
            self._cache["invoice_dates"] = {
                partner.id: (first, last) for partner, first, last in rows
            }
        return self._cache["invoice_dates"]

    # measures ------------------------------------------------------------
    def values(self, signal):
        return getattr(self, f"_measure_{signal.measure}")(signal.window_days)

    def _measure_ticket_growth(self, days):
        start, middle = self._window(days, 2), self._window(days)
        current = self._count(
            self._tickets(
                [("create_date", ">=", middle), ("create_date", "<", self.as_of)]
            )
        )
        previous = self._count(
            self._tickets([("create_date", ">=", start), ("create_date", "<", middle)])
        )
        values = {}
        for pid in set(current) | set(previous):
            now, before = current.get(pid, 0), previous.get(pid, 0)
            if max(now, before) >= GROWTH_MIN_TICKETS:
                values[pid] = (now - before) * 100.0 / max(before, 1)
        return values

    def _measure_sla_breaches(self, days):
        return self._count(
            self._tickets(
                [
                    ("create_date", ">=", self._window(days)),
                    ("create_date", "<", self.as_of),
                    "|",
                    "&",
                    ("sla_response_state", "=", "breached"),
                    ("sla_response_deadline", "<", self.as_of),
                    "&",
                    ("sla_resolution_state", "=", "breached"),
                    ("sla_resolution_deadline", "<", self.as_of),
                ]
            )
        )

    def _closed_charged(self, days, states):
        return self._count(
            self._tickets(
                [
                    ("closed_date", ">=", self._window(days)),
                    ("closed_date", "<", self.as_of),
                    ("support_charge_state", "in", states),
                ]
            )
        )

    def _measure_charged_tickets(self, days):
        return self._closed_charged(days, ("charged", "fee"))

    def _measure_fees(self, days):
        return self._closed_charged(days, ("fee",))

    def _measure_refunds(self, days):
        return self._moves(
            [
                ("kind", "=", "refund"),
                ("date", ">=", self._window(days)),
                ("date", "<", self.as_of),
            ],
            ["__count"],
        )

    def _measure_points_expired(self, days):
        expired = self._moves(
            [
                ("kind", "=", "expire"),
                ("date", ">=", self._window(days)),
                ("date", "<", self.as_of),
            ],
            ["points:sum"],
        )
        return {pid: -points for pid, points in expired.items()}

    def _measure_letter_unacknowledged(self, days):
        """Days the oldest letter of the period has waited for its
        acknowledgement (acknowledgements after ``as_of`` do not count)."""
        rows = self._model("customer.letter.recipient")._read_group(
            [
                ("customer_id", "in", self.ids),
                ("company_id", "=", self.company.id),
                ("letter_id.sent_date", ">=", self._window(days)),
                ("letter_id.sent_date", "<", self.as_of),
                ("ack_ids", "not any", [("date", "<", self.as_of)]),
            ],
            ["customer_id", "letter_id"],
            [],
        )
        values = {}
        for customer, letter in rows:
            waited = (self.as_of - letter.sent_date).days
            values[customer.id] = max(values.get(customer.id, 0), waited)
        return values

    def _measure_invoice_gap(self, days):
        dates = self._invoice_dates()
        return self._months_since({pid: last for pid, (_f, last) in dates.items()})

    def _measure_ticket_gap(self, days):
        dates = self._ticket_dates()
        return self._months_since({pid: last for pid, (_f, last) in dates.items()})

    def _measure_tier_end(self, days):
        rows = self._model("support.certification")._read_group(
            [
                ("commercial_partner_id", "in", self.ids),
                ("company_id", "in", [False, self.company.id]),
                ("date_obtained", "<=", self.day),
                ("date_expiry", "!=", False),
            ],
            ["commercial_partner_id"],
            ["date_expiry:max"],
        )
        return {partner.id: (end - self.day).days for partner, end in rows}

    def _measure_tenure(self, days):
        tickets, invoices = self._ticket_dates(), self._invoice_dates()
        firsts = {}
        for pid in self.ids:
            candidates = [
                fields.Datetime.to_datetime(moment).date()
                for moment in (
                    tickets.get(pid, (None,))[0],
                    invoices.get(pid, (None,))[0],
                )
                if moment
            ]
            if candidates:
                firsts[pid] = min(candidates)
        return self._months_since(firsts)

    def revenue(self):
        """Untaxed invoiced minus credited over the 12 months before."""
        rows = self._model("account.move")._read_group(
            [
                ("commercial_partner_id", "in", self.ids),
                ("company_id", "=", self.company.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("invoice_date", ">=", self.day - timedelta(days=365)),
                ("invoice_date", "<", self.day),
            ],
            ["commercial_partner_id"],
            ["amount_untaxed_signed:sum"],
        )
        return {partner.id: amount for partner, amount in rows}


def day_start(day):
    """The first moment of ``day`` (a date), as a naive UTC datetime."""
    return datetime.combine(day, time.min)
