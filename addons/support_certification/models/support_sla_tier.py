# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta

from pytz import utc

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.lru import LRU

# How far ahead deadlines are searched for, in windows of 14 days (~4 years).
PLAN_WINDOW = timedelta(days=14)
PLAN_MAX_WINDOWS = 100
# Windows are aligned on one grid (from a Monday, midnight UTC) so that every
# ticket, whatever its start, shares the (cached) work intervals of a window.
PLAN_EPOCH = datetime(2000, 1, 3)
RISK_RATIO = 0.8
# Work intervals of calendar windows, shared by the workers' requests. Keys
# carry a signature of the calendar, its attendances and the leaves in the
# window, so any change of them misses the cache (no invalidation needed).
_WORK_INTERVALS_CACHE = LRU(256)


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
        help="Product used to sell this SLA tier.",
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

    def _plan_work_hours(self, start, hours_list, calendar_rows=None):
        """Return ``{hours: datetime}``: the moments at which each amount of
        working hours of the tier's calendar has elapsed after ``start``.

        ``start`` and the results are naive UTC datetimes. All amounts are
        planned in one walk over the work intervals (calendar leaves count as
        non-working), so a batch of tickets sharing a tier and a start costs
        one interval computation. ``calendar_rows``: see ``_get_work_intervals``.
        """
        self.ensure_one()
        calendar = self.calendar_id
        todo = sorted({max(h, 0.0) for h in hours_list})
        result = {}
        if not todo or not calendar:
            return result
        if calendar_rows is None:
            calendar_rows = {}
        window_start = self._plan_window_start(start)
        start_aware = utc.localize(start)
        elapsed = 0.0
        for _n in range(PLAN_MAX_WINDOWS):
            window_end = window_start + PLAN_WINDOW
            for interval_start, interval_stop in self._get_work_intervals(
                calendar, window_start, window_end, calendar_rows
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
    def _get_work_intervals(
        self, calendar, window_start, window_end, calendar_rows=None
    ):
        """Work intervals ``[(start, stop)]`` (aware UTC) of ``calendar``
        between two aware datetimes, its leaves excluded; cached.

        ``calendar_rows`` is an optional dict, owned by the caller for the span
        of one computation (never across transactions), that keeps the rows
        of each calendar read so far (see ``_calendar_rows``): a batch of
        tickets, or a ticket whose deadlines span several windows, then reads
        each calendar once instead of once per window.
        """
        if calendar_rows is None:
            calendar_rows = {}
        rows = calendar_rows.get(calendar.id)
        if rows is None:
            rows = calendar_rows[calendar.id] = self._calendar_rows(calendar)
        signature = self._window_signature(rows, window_start, window_end)
        key = (self.env.cr.dbname, calendar.id, window_start, window_end, signature)
        intervals = _WORK_INTERVALS_CACHE.get(key)
        if intervals is None:
            work = calendar._work_intervals_batch(window_start, window_end)[False]
            intervals = tuple(
                (interval_start.astimezone(utc), interval_stop.astimezone(utc))
                for interval_start, interval_stop, _meta in work
            )
            _WORK_INTERVALS_CACHE[key] = intervals
        return intervals

    @api.model
    def _calendar_rows(self, calendar):
        """Text of every row that can decide the work intervals of
        ``calendar``: ``(calendar, attendances, leaves)``, the leaves as
        ``(date_from, date_to, text)`` (every window of the calendar takes
        those it overlaps, see ``_window_signature``).

        One statement for all the windows of the calendar: a statement per
        window cost each closing from a paused stage two or three of them.
        """
        self.env["resource.calendar"].flush_model()
        self.env["resource.calendar.attendance"].flush_model()
        self.env["resource.calendar.leaves"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT
                    (SELECT c::text FROM resource_calendar c WHERE c.id = %(cal)s),
                    (SELECT array_agg(a::text ORDER BY a.id)
                       FROM resource_calendar_attendance a
                      WHERE a.calendar_id = %(cal)s),
                    leaves.starts, leaves.stops, leaves.texts
                FROM (
                    SELECT array_agg(l.date_from ORDER BY l.id) AS starts,
                           array_agg(l.date_to ORDER BY l.id) AS stops,
                           array_agg(l::text ORDER BY l.id) AS texts
                      FROM resource_calendar_leaves l
                     WHERE (l.calendar_id = %(cal)s OR l.calendar_id IS NULL)
                       AND l.resource_id IS NULL
                ) leaves
                """,
                cal=calendar.id,
            )
        )
        calendar_text, attendances, starts, stops, texts = self.env.cr.fetchone()
        leaves = tuple(zip(starts or (), stops or (), texts or (), strict=True))
        return calendar_text, tuple(attendances or ()), leaves

    @api.model
    def _window_signature(self, rows, window_start, window_end):
        """The rows of ``_calendar_rows`` that decide the work intervals of
        one window: the calendar, its attendances and the leaves overlapping
        the window (with a day of margin for time zones)."""
        calendar_text, attendances, leaves = rows
        low = window_start.replace(tzinfo=None) - timedelta(days=1)
        high = window_end.replace(tzinfo=None) + timedelta(days=1)
        return (
            calendar_text,
            attendances,
            tuple(
                text
                for date_from, date_to, text in leaves
                if date_from <= high and date_to >= low
            ),
        )

    def _work_hours_between(self, start, stop, calendar_rows=None):
        """Working hours of the tier's calendar between two naive UTC
        datetimes, its leaves excluded, counted on the same cached work
        intervals as the deadlines. ``calendar_rows``: see ``_get_work_intervals``.
        """
        self.ensure_one()
        calendar = self.calendar_id
        if not calendar or not start or not stop or stop <= start:
            return 0.0
        if calendar_rows is None:
            calendar_rows = {}
        start_aware, stop_aware = utc.localize(start), utc.localize(stop)
        window_start = self._plan_window_start(start)
        seconds = 0.0
        while window_start < stop_aware:
            window_end = window_start + PLAN_WINDOW
            for interval_start, interval_stop in self._get_work_intervals(
                calendar, window_start, window_end, calendar_rows
            ):
                low = max(interval_start, start_aware)
                high = min(interval_stop, stop_aware)
                if high > low:
                    seconds += (high - low).total_seconds()
            window_start = window_end
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
