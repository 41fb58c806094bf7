# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta

from pytz import utc

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

# How far ahead deadlines are searched for, in windows of 14 days (~4 years).
PLAN_WINDOW = timedelta(days=14)
PLAN_MAX_WINDOWS = 100
# Windows are aligned on one grid (from a Monday, midnight UTC) so that the
# tickets of one batch, whatever their start, share the work intervals of a
# window (see ``_get_work_intervals``).
PLAN_EPOCH = datetime(2000, 1, 3)
RISK_RATIO = 0.8


class SupportSlaTier(models.Model):
    _name = "support.sla.tier"
    _description = "SLA Tier"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        default=10,
        help="Rank of the tier: a tier with a higher sequence is a better tier.",
    )
    response_hours = fields.Float(
        required=True,
        default=8.0,
        help="Working hours allowed for the first response to the customer.",
    )
    resolution_hours = fields.Float(
        required=True,
        default=40.0,
        help="Working hours allowed to close the ticket.",
    )
    calendar_id = fields.Many2one(
        comodel_name="resource.calendar",
        string="Working Calendar",
        ondelete="restrict",
        default=lambda self: self.env.company.resource_calendar_id,
        help="Working hours that count towards the deadlines; the calendar's "
        "leaves (public holidays) do not count.",
    )
    paused_stage_ids = fields.Many2many(
        comodel_name="helpdesk.ticket.stage",
        relation="support_sla_tier_paused_stage_rel",
        column1="tier_id",
        column2="stage_id",
        string="Paused Stages",
        help="While a ticket is in one of these stages its SLA clock stops.",
    )
    product_id = fields.Many2one(
        comodel_name="product.product",
        string="Price Product",
        ondelete="set null",
        help="Product that sells this SLA tier: posting an invoice of it gives "
        "the customer the tier for the product's duration.",
    )
    is_default = fields.Boolean(
        string="Default Tier",
        help="Tier given to customers without a valid certification. "
        "One tier per company.",
    )
    color = fields.Integer()
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
    )
    level_ids = fields.One2many(
        comodel_name="support.certification.level",
        inverse_name="tier_id",
        string="Certification Levels",
    )

    @api.constrains("name", "response_hours", "resolution_hours", "calendar_id")
    def _check_hours_and_calendar(self):
        for tier in self:
            if tier.response_hours <= 0 or tier.resolution_hours <= 0:
                raise ValidationError(
                    _(
                        "SLA tier %(tier)s: response and resolution times must be "
                        "more than zero hours.",
                        tier=tier.name,
                    )
                )
            if not tier.calendar_id:
                raise ValidationError(
                    _(
                        "SLA tier %(tier)s needs a working calendar: deadlines are "
                        "counted in its working hours.",
                        tier=tier.name,
                    )
                )

    @api.constrains("is_default", "company_id", "active")
    def _check_one_default(self):
        for company in self.filtered("is_default").company_id:
            defaults = self.search(
                [("company_id", "=", company.id), ("is_default", "=", True)]
            )
            if len(defaults) > 1:
                raise ValidationError(
                    _(
                        "Company %(company)s can only have one default SLA tier "
                        "(found: %(tiers)s).",
                        company=company.name,
                        tiers=", ".join(defaults.mapped("name")),
                    )
                )

    @api.constrains("product_id", "company_id", "active")
    def _check_product_sells_one_tier(self):
        for tier in self.filtered(lambda t: t.product_id and t.active):
            others = self.search(
                [
                    ("id", "!=", tier.id),
                    ("product_id", "=", tier.product_id.id),
                    ("company_id", "=", tier.company_id.id),
                ]
            )
            if others:
                raise ValidationError(
                    _(
                        "The product %(product)s already sells the SLA tier "
                        "%(other)s: a product sells one tier per company, so "
                        "that an invoice says which tier it buys.",
                        product=tier.product_id.display_name,
                        other=others[0].name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()  # _get_default_tier_id
        return super().create(vals_list)

    def write(self, vals):
        if {"is_default", "active", "company_id"} & set(vals):
            self.env.registry.clear_cache()  # _get_default_tier_id
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()  # _get_default_tier_id
        return super().unlink()

    @api.model
    def _get_default_tier(self, company):
        return self.browse(self._get_default_tier_id(company.id))

    @api.model
    @tools.ormcache("company_id")
    def _get_default_tier_id(self, company_id):
        # sudo: the cached answer must not depend on the user's access rights.
        return (
            self.sudo()
            .search(
                [("company_id", "=", company_id), ("is_default", "=", True)], limit=1
            )
            .id
        )

    # ------------------------------------------------------------------
    # Deadline planning
    # ------------------------------------------------------------------

    def _plan_work_hours(self, start, hours_list, work_intervals=None):
        """Return ``{hours: datetime}``: the moments at which each amount of
        working hours of the tier's calendar has elapsed after ``start``.

        ``start`` and the results are naive UTC datetimes. All amounts are
        planned in one walk over the work intervals (calendar leaves count as
        non-working), so a batch of tickets sharing a tier and a start costs
        one interval computation. ``work_intervals``: see
        ``_get_work_intervals``.
        """
        self.ensure_one()
        calendar = self.calendar_id
        todo = sorted({max(h, 0.0) for h in hours_list})
        result = {}
        if not todo or not calendar:
            return result
        if work_intervals is None:
            work_intervals = {}
        window_start = self._plan_window_start(start)
        start_aware = utc.localize(start)
        elapsed = 0.0
        for _n in range(PLAN_MAX_WINDOWS):
            window_end = window_start + PLAN_WINDOW
            for interval_start, interval_stop in self._get_work_intervals(
                calendar, window_start, work_intervals
            ):
                if interval_stop <= start_aware:
                    continue
                interval_start = max(interval_start, start_aware)
                length = (interval_stop - interval_start).total_seconds() / 3600
                while todo and todo[0] <= elapsed + length:
                    hours = todo.pop(0)
                    moment = interval_start + timedelta(
                        seconds=round((hours - elapsed) * 3600)
                    )
                    result[hours] = moment.astimezone(utc).replace(tzinfo=None)
                elapsed += length
                if not todo:
                    return result
            window_start = window_end
        return result

    @api.model
    def _plan_window_start(self, moment):
        """Start (aware UTC) of the planning window holding naive UTC ``moment``."""
        windows = (moment - PLAN_EPOCH) // PLAN_WINDOW
        return utc.localize(PLAN_EPOCH + windows * PLAN_WINDOW)

    @api.model
    def _get_work_intervals(self, calendar, window_start, work_intervals):
        """Work intervals ``[(start, stop)]`` (aware UTC) of ``calendar`` in
        the planning window starting at aware ``window_start``, its leaves
        excluded, as the calendar computes them.

        ``work_intervals`` is a dict owned by the caller for the span of one
        batch computation (never kept across calls): the intervals of each
        calendar window computed so far, so that the tickets of a batch (or a
        ticket whose deadlines span several windows) compute each window once.
        """
        key = (calendar.id, window_start)
        if key not in work_intervals:
            work = calendar._work_intervals_batch(
                window_start, window_start + PLAN_WINDOW
            )[False]
            work_intervals[key] = [
                (interval_start.astimezone(utc), interval_stop.astimezone(utc))
                for interval_start, interval_stop, _meta in work
            ]
        return work_intervals[key]

    def _work_hours_between(self, start, stop, work_intervals=None):
        """Working hours of the tier's calendar between two naive UTC
        datetimes, its leaves excluded, counted on the same work intervals
        as the deadlines. ``work_intervals``: see ``_get_work_intervals``.
        """
        self.ensure_one()
        calendar = self.calendar_id
        if not calendar or not start or not stop or stop <= start:
            return 0.0
        if work_intervals is None:
            work_intervals = {}
        start_aware, stop_aware = utc.localize(start), utc.localize(stop)
        window_start = self._plan_window_start(start)
        seconds = 0.0
        while window_start < stop_aware:
            for interval_start, interval_stop in self._get_work_intervals(
                calendar, window_start, work_intervals
            ):
                low = max(interval_start, start_aware)
                high = min(interval_stop, stop_aware)
                if high > low:
                    seconds += (high - low).total_seconds()
            window_start += PLAN_WINDOW
        return seconds / 3600

    def _sla_deadline_hours(self, paused_hours=0.0):
        """The working-hour amounts to plan for a ticket of this tier."""
        self.ensure_one()
        return {
            "response": self.response_hours + paused_hours,
            "resolution": self.resolution_hours + paused_hours,
            "response_risk": self.response_hours * RISK_RATIO + paused_hours,
            "resolution_risk": self.resolution_hours * RISK_RATIO + paused_hours,
        }
