# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.osv import expression
from odoo.tools import format_datetime

SLA_STATES = [
    ("running", "Running"),
    ("paused", "Paused"),
    ("met", "Met"),
    ("breached", "Breached"),
]
# What the views show of the SLA as a whole (see _sla_status_of).
SLA_STATUSES = [
    ("running", "Running"),
    ("at_risk", "At Risk"),
    ("paused", "Paused"),
    ("met", "Met"),
    ("breached", "Breached"),
]
SLA_MANAGER_GROUP = "support_certification.group_sla_manager"
# Tickets per call of the SLA cron: the ORM writes and inserts 100 rows per
# statement, so every batch of up to 100 tickets costs the same queries.
SLA_CRON_BATCH = 100
DEADLINE_FIELDS = {
    "response": "sla_response_deadline",
    "resolution": "sla_resolution_deadline",
    "response_risk": "sla_response_risk_date",
    "resolution_risk": "sla_resolution_risk_date",
}
STATE_FIELDS = [
    "sla_response_state",
    "sla_resolution_state",
    "sla_at_risk",
    "sla_status",
]
# Computed, but editable so that create() can store the values it plans in
# batch (no recomputation); only SLA managers may write them explicitly.
SLA_COMPUTED_FIELDS = set(DEADLINE_FIELDS.values()) | set(STATE_FIELDS)
# Clock bookkeeping: readonly in the views, but writable over RPC unless
# refused here; the add-on writes them itself in sudo.
SLA_CLOCK_FIELDS = {
    "sla_start_date",
    "sla_first_response_date",
    "sla_paused_hours",
    "sla_paused_since",
    "sla_breach_notified",
}
SLA_PROTECTED_FIELDS = SLA_COMPUTED_FIELDS | SLA_CLOCK_FIELDS | {"sla_tier_id"}


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    sla_tier_id = fields.Many2one(
        comodel_name="support.sla.tier",
        string="SLA Tier",
        index=True,
        ondelete="restrict",
        tracking=True,
        copy=False,
        help="Frozen from the customer's tier when the ticket is created; "
        "SLA managers may change it.",
    )
    # Stored: the ticket list and kanban colour the tier badge without a
    # per-row compute (see test_ticket_list_reads_only_stored_sla_fields).
    sla_tier_color = fields.Integer(related="sla_tier_id.color", store=True)
    sla_tier_editable = fields.Boolean(compute="_compute_sla_tier_editable")
    sla_start_date = fields.Datetime(
        string="SLA Start",
        readonly=True,
        copy=False,
        help="Moment the SLA clocks started (the ticket's creation).",
    )
    sla_response_deadline = fields.Datetime(
        string="Response Deadline",
        compute="_compute_sla_deadlines",
        store=True,
        readonly=False,
        copy=False,
    )
    sla_resolution_deadline = fields.Datetime(
        string="Resolution Deadline",
        compute="_compute_sla_deadlines",
        store=True,
        readonly=False,
        copy=False,
    )
    sla_response_risk_date = fields.Datetime(
        string="Response At Risk From",
        compute="_compute_sla_deadlines",
        store=True,
        readonly=False,
        copy=False,
        help="Moment less than 20% of the response time is left.",
    )
    sla_resolution_risk_date = fields.Datetime(
        string="Resolution At Risk From",
        compute="_compute_sla_deadlines",
        store=True,
        readonly=False,
        copy=False,
        help="Moment less than 20% of the resolution time is left.",
    )
    sla_first_response_date = fields.Datetime(
        string="First Response",
        readonly=True,
        copy=False,
        help="First message an internal user sent to the customer.",
    )
    sla_paused_hours = fields.Float(
        string="Paused Hours",
        readonly=True,
        copy=False,
        help="Working hours spent in paused stages; they push the deadlines.",
    )
    sla_paused_since = fields.Datetime(
        string="Paused Since",
        readonly=True,
        # the "SLA Paused" filter; most tickets are not paused
        index="btree_not_null",
        copy=False,
    )
    sla_response_state = fields.Selection(
        selection=SLA_STATES,
        string="Response SLA",
        compute="_compute_sla_states",
        store=True,
        readonly=False,
        index=True,
        copy=False,
    )
    sla_resolution_state = fields.Selection(
        selection=SLA_STATES,
        string="Resolution SLA",
        compute="_compute_sla_states",
        store=True,
        readonly=False,
        index=True,
        copy=False,
    )
    sla_at_risk = fields.Boolean(
        string="SLA At Risk",
        compute="_compute_sla_states",
        store=True,
        readonly=False,
        index=True,
        copy=False,
        help="A running SLA clock has less than 20% of its allowed time left.",
    )
    sla_breach_notified = fields.Boolean(
        readonly=True,
        copy=False,
        help="The breach activity has been scheduled.",
    )
    # Display: the SLA at a glance in the ticket views; no business rule.
    sla_status = fields.Selection(
        selection=SLA_STATUSES,
        string="SLA",
        # computed with the states they sum up, in one recomputation (a
        # second, chained one would cost each closing another automation
        # lookup); stored: the list reads it without a per-row compute, and
        # it can be grouped and sorted on
        compute="_compute_sla_states",
        store=True,
        readonly=False,
        copy=False,
        help="The ticket's SLA in one word: breached when one of its clocks "
        "is, paused while the ticket waits in a paused stage, at risk when "
        "less than 20% of a running clock's time is left, met when both "
        "clocks stopped in time, running otherwise.",
    )
    sla_deadline_kind = fields.Selection(
        selection=[
            ("response", "Response deadline"),
            ("resolution", "Resolution deadline"),
        ],
        string="SLA Deadline",
        compute="_compute_sla_deadline_kind",
        help="The deadline the SLA status is about: the response deadline "
        "until the customer got a first answer (or when it was missed), "
        "then the resolution deadline.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends_context("uid")
    def _compute_sla_tier_editable(self):
        editable = self.env.su or self.env.user.has_group(SLA_MANAGER_GROUP)
        self.sla_tier_editable = editable

    @api.model
    def _sla_status_of(self, response, resolution, at_risk):
        """The SLA in one word, from the two clocks' states."""
        states = {response, resolution}
        states.discard(False)
        if not states:
            return False
        if "breached" in states:
            return "breached"
        if "paused" in states:
            return "paused"
        if at_risk:
            return "at_risk"
        if "running" in states:
            return "running"
        return "met"

    @api.depends("sla_status", "sla_response_state", "sla_resolution_state")
    def _compute_sla_deadline_kind(self):
        for ticket in self:
            response = ticket.sla_response_state
            if not ticket.sla_status:
                kind = False
            elif response in ("running", "paused") or (
                response == "breached" and ticket.sla_resolution_state != "breached"
            ):
                kind = "response"
            else:
                kind = "resolution"
            ticket.sla_deadline_kind = kind

    @api.depends("sla_tier_id", "sla_start_date", "sla_paused_hours")
    def _compute_sla_deadlines(self):
        plans = self._sla_plan(
            (ticket.sla_tier_id, ticket.sla_start_date, ticket.sla_paused_hours)
            for ticket in self
        )
        for ticket in self:
            values = plans.get(
                (ticket.sla_tier_id, ticket.sla_start_date, ticket.sla_paused_hours),
                dict.fromkeys(DEADLINE_FIELDS.values(), False),
            )
            ticket.update(values)

    @api.depends(
        "sla_tier_id",
        "sla_response_deadline",
        "sla_resolution_deadline",
        "sla_response_risk_date",
        "sla_resolution_risk_date",
        "sla_first_response_date",
        "sla_paused_since",
        "stage_id.closed",
        "closed_date",
    )
    def _compute_sla_states(self):
        now = fields.Datetime.now()
        for ticket in self:
            if not ticket.sla_tier_id or not ticket.sla_resolution_deadline:
                ticket.sla_response_state = False
                ticket.sla_resolution_state = False
                ticket.sla_at_risk = False
                ticket.sla_status = False
                continue
            closed_at = (ticket.closed_date or now) if ticket.stage_id.closed else False
            response = ticket._sla_clock_state(
                ticket.sla_response_deadline,
                ticket.sla_first_response_date or closed_at,
                now,
            )
            resolution = ticket._sla_clock_state(
                ticket.sla_resolution_deadline, closed_at, now
            )
            at_risk = (
                response == "running" and now >= ticket.sla_response_risk_date
            ) or (resolution == "running" and now >= ticket.sla_resolution_risk_date)
            ticket.sla_response_state = response
            ticket.sla_resolution_state = resolution
            ticket.sla_at_risk = at_risk
            ticket.sla_status = self._sla_status_of(response, resolution, at_risk)

    def _sla_clock_state(self, deadline, done_at, now):
        self.ensure_one()
        if done_at:
            return "met" if done_at <= deadline else "breached"
        return self._sla_open_state(now, self.sla_paused_since, deadline)

    @api.model
    def _sla_open_state(self, now, paused_since, deadline):
        """State of a clock not stopped yet: paused (unless the pause began
        after its deadline), running, or breached."""
        if paused_since:
            return "paused" if paused_since < deadline else "breached"
        return "running" if now <= deadline else "breached"

    @api.model
    def _sla_plan(self, keys, work_intervals=None):
        """Plan deadlines for ``(tier, start, paused hours)`` keys.

        Keys sharing a tier and a start are planned in one walk over the
        tier calendar's work intervals, so a batch of tickets created together
        costs one interval computation per tier whatever its size; the
        calendar is read once per planning window for the whole batch
        (``work_intervals``, see ``support.sla.tier._get_work_intervals``).
        Return ``{key: {deadline field: datetime}}``.
        """
        by_tier_start = defaultdict(set)
        for tier, start, paused in keys:
            if tier and start:
                by_tier_start[(tier, start)].add(paused or 0.0)
        plans = {}
        if work_intervals is None:
            work_intervals = {}
        for (tier, start), paused_set in by_tier_start.items():
            # sudo: the tier and its calendar only drive the deadlines; the
            # ticket's author (e.g. a portal user) may not read them.
            tier_sudo = tier.sudo()
            amounts = {
                paused: tier_sudo._sla_deadline_hours(paused) for paused in paused_set
            }
            moments = tier_sudo._plan_work_hours(
                start,
                [h for hours in amounts.values() for h in hours.values()],
                work_intervals,
            )
            for paused, hours in amounts.items():
                plans[(tier, start, paused)] = {
                    DEADLINE_FIELDS[kind]: moments.get(max(amount, 0.0), False)
                    for kind, amount in hours.items()
                }
        return plans

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        is_manager = self.env.su or self.env.user.has_group(SLA_MANAGER_GROUP)
        chosen = [is_manager and bool(vals.get("sla_tier_id")) for vals in vals_list]
        created_paused = self._sla_prepare_create_vals(vals_list)
        teams = self.env["helpdesk.ticket.team"].browse(
            {vals["team_id"] for vals in vals_list if vals.get("team_id")}
        )
        planned = [self._sla_ticket_company(vals, teams) for vals in vals_list]
        tickets = super().create(vals_list)
        # The tier comes from the company the ticket ends up in, even if a
        # create override of another module moved it elsewhere.
        moved = self.browse(
            ticket.id
            for ticket, company_id, is_chosen in zip(
                tickets, planned, chosen, strict=True
            )
            if not is_chosen and ticket.company_id.id != company_id
        )
        if moved:
            moved._sla_follow_company()
        # Tickets created closed: their states depend on the closing.
        closed_stages = tickets.stage_id.filtered("closed")
        if closed_stages:
            closed = tickets.filtered(
                lambda t: t.sla_tier_id and t.stage_id in closed_stages
            )
            for fname in STATE_FIELDS:
                self.env.add_to_compute(self._fields[fname], closed)
        paused_ids = [
            t.id for t, paused in zip(tickets, created_paused, strict=True) if paused
        ]
        undecided_ids = [
            t.id
            for t, paused in zip(tickets, created_paused, strict=True)
            if paused is None
        ]
        if paused_ids:
            # sudo: as in _sla_sync_pause, the notes keep the caller as author.
            self.browse(paused_ids).sudo()._sla_log_pause_notes()
        self.browse(undecided_ids)._sla_sync_pause()
        return tickets

    def write(self, vals):
        if SLA_PROTECTED_FIELDS & set(vals):
            self._sla_check_tier_access()
        moved = self.browse()
        if "company_id" in vals and "sla_tier_id" not in vals:
            moved = self.filtered(lambda t: t.company_id.id != vals["company_id"])
        res = super().write(vals)
        if moved:
            moved._sla_follow_company()
        if "stage_id" in vals or "sla_tier_id" in vals:
            self._sla_sync_pause()
        return res

    def _sla_check_tier_access(self):
        if self.env.su or self.env.user.has_group(SLA_MANAGER_GROUP):
            return
        raise AccessError(
            _(
                "Only SLA managers can change the SLA tier or deadlines of "
                "ticket(s) %(tickets)s: they are set when the ticket is created.",
                tickets=", ".join(self.mapped("display_name")),
            )
        )

    def _sla_ticket_company(self, vals, teams):
        """The company a ticket created with ``vals`` ends up in:
        helpdesk_mgmt's create gives it its team's company when the team has
        one, whatever company ``vals`` names."""
        team = teams.browse(vals.get("team_id"))
        return team.company_id.id or vals.get("company_id") or self.env.company.id

    def _sla_company_tiers(self):
        """``{tier: tickets}``: the tier each ticket of ``self`` gets in the
        company it is in now, as if created there (its customer's best tier
        in that company, else the company's default tier)."""
        tier_model = self.env["support.sla.tier"]
        result = defaultdict(lambda: self.browse())
        for company, tickets in self.grouped("company_id").items():
            default_tier = tier_model._get_default_tier(company)
            partner_tiers = tickets.partner_id.get_support_sla_tiers(
                company, default_tier=default_tier
            )
            for ticket in tickets:
                result[partner_tiers.get(ticket.partner_id.id, default_tier)] |= ticket
        return result

    def _sla_follow_company(self):
        """Give the tickets of ``self``, moved to another company, the tier
        they would get there and plan their deadlines again on that tier's
        calendar, from their start and keeping the paused time."""
        for tier, tickets in self._sla_company_tiers().items():
            # Past our own guard on the tier (write): the tier follows from
            # the company the caller may set, the caller does not choose it.
            super(HelpdeskTicket, tickets).write({"sla_tier_id": tier.id})
        self._sla_sync_pause()
        return True

    @api.model
    def _sla_prepare_create_vals(self, vals_list):
        """Freeze the tier of new tickets and plan their deadlines, in a
        constant number of queries whatever the batch size. Return what
        ``_sla_plan_create_vals`` returns."""
        now = fields.Datetime.now()
        is_manager = self.env.su or self.env.user.has_group(SLA_MANAGER_GROUP)
        teams = self.env["helpdesk.ticket.team"].browse(
            {vals["team_id"] for vals in vals_list if vals.get("team_id")}
        )
        todo = defaultdict(list)
        for vals in vals_list:
            if not is_manager:
                for fname in (SLA_COMPUTED_FIELDS | SLA_CLOCK_FIELDS) & set(vals):
                    del vals[fname]
            vals.setdefault("sla_start_date", now)
            if not (is_manager and vals.get("sla_tier_id")):
                company_id = self._sla_ticket_company(vals, teams)
                todo[company_id].append(vals)
        # sudo: see _sla_plan, the tiers only drive the deadlines.
        tier_model = self.env["support.sla.tier"].sudo()
        for company_id, company_vals in todo.items():
            company = self.env["res.company"].browse(company_id)
            default_tier = tier_model._get_default_tier(company)
            partners = self.env["res.partner"].browse(
                {vals["partner_id"] for vals in company_vals if vals.get("partner_id")}
            )
            partner_tiers = partners.get_support_sla_tiers(
                company, default_tier=default_tier
            )
            for vals in company_vals:
                tier = partner_tiers.get(vals.get("partner_id"), default_tier)
                vals["sla_tier_id"] = tier.id
        return self._sla_plan_create_vals(vals_list, now)

    @api.model
    def _sla_plan_create_vals(self, vals_list, now):
        """Store deadlines and initial states in the create values: planned
        once per tier and start for the whole batch, and written by the
        INSERT itself instead of being recomputed record by record.

        A ticket created straight into a paused stage of its tier starts
        with its clocks paused, in the INSERT too (no update and
        recomputation afterwards). Return, for each of ``vals_list``,
        whether it is created paused, or None when that is left to
        ``_sla_sync_pause`` (deadlines not planned here, or no stage given:
        helpdesk_mgmt picks it later).
        """
        tiers = self.env["support.sla.tier"]
        stages = self.env["helpdesk.ticket.stage"]
        todo = [
            (
                index,
                vals,
                (
                    tiers.browse(vals["sla_tier_id"]),
                    fields.Datetime.to_datetime(vals["sla_start_date"]),
                    0.0,
                ),
            )
            for index, vals in enumerate(vals_list)
            if vals.get("sla_tier_id")
            and not SLA_COMPUTED_FIELDS & set(vals)
            and not vals.get("sla_first_response_date")
            and not vals.get("sla_paused_since")
            and not vals.get("sla_paused_hours")
        ]
        plans = self._sla_plan(key for _index, _vals, key in todo)
        created_paused = [None] * len(vals_list)
        pauses = {}
        for index, vals, key in todo:
            deadlines = plans.get(key)
            if not deadlines or not all(deadlines.values()):
                continue
            vals.update(deadlines)
            stage_id = vals.get("stage_id")
            pause_key = (vals["sla_tier_id"], stage_id)
            if pause_key not in pauses:
                pauses[pause_key] = bool(stage_id) and self._sla_stage_pauses(
                    key[0], stages.browse(stage_id)
                )
            paused = pauses[pause_key]
            if stage_id:
                created_paused[index] = paused
            if paused:
                vals["sla_paused_since"] = now
            # the states _compute_sla_states gives these values
            paused_since = now if paused else False
            response = self._sla_open_state(
                now, paused_since, deadlines["sla_response_deadline"]
            )
            resolution = self._sla_open_state(
                now, paused_since, deadlines["sla_resolution_deadline"]
            )
            at_risk = (
                response == "running" and now >= deadlines["sla_response_risk_date"]
            ) or (
                resolution == "running" and now >= deadlines["sla_resolution_risk_date"]
            )
            vals.update(
                sla_response_state=response,
                sla_resolution_state=resolution,
                sla_at_risk=at_risk,
                sla_status=self._sla_status_of(response, resolution, at_risk),
            )
        return created_paused

    # ------------------------------------------------------------------
    # Pauses
    # ------------------------------------------------------------------

    def _sla_should_pause(self):
        self.ensure_one()
        return self._sla_stage_pauses(self.sla_tier_id, self.stage_id)

    @api.model
    def _sla_stage_pauses(self, tier, stage):
        """Whether a ticket of ``tier`` in ``stage`` has its clocks stopped."""
        # sudo: reading the paused stages of the ticket's tier is harmless.
        tier = tier.sudo()
        return bool(tier and not stage.closed and stage in tier.paused_stage_ids)

    def _sla_sync_pause(self):
        """Stop or restart the SLA clocks after a stage or tier change.

        Only the tickets entering or leaving a paused stage cost anything:
        their clock fields are written and their chatter notes logged in
        batch, a constant number of queries for the whole recordset.
        """
        to_pause = self.browse()
        to_resume = self.browse()
        for ticket in self:
            should_pause = ticket._sla_should_pause()
            if should_pause and not ticket.sla_paused_since:
                to_pause |= ticket
            elif ticket.sla_paused_since and not should_pause:
                to_resume |= ticket
        now = fields.Datetime.now()
        # sudo: the clock fields are refused to non-managers; the caller
        # already changed the stage or tier of these tickets, and the paused
        # time is measured on the tier's calendar (which they may not read),
        # not chosen. The notes keep the caller as author.
        if to_pause:
            to_pause.sudo()._sla_pause(now)
        if to_resume:
            to_resume.sudo()._sla_resume(now)

    def _sla_pause(self, now):
        """Stop the clocks of ``self`` (in sudo, see _sla_sync_pause)."""
        self.write({"sla_paused_since": now})
        self._sla_log_pause_notes()

    def _sla_log_pause_notes(self):
        """Say in the chatter of ``self`` that their clocks stopped (in sudo,
        see _sla_sync_pause)."""
        texts = {}
        bodies = {}
        for ticket in self:
            stage = ticket.stage_id
            if stage.id not in texts:
                texts[stage.id] = _(
                    "SLA clock paused: the ticket is in stage %(stage)s.",
                    stage=stage.name,
                )
            bodies[ticket.id] = texts[stage.id]
        self._message_log_batch(bodies)

    def _sla_resume(self, now):
        """Add the working hours paused until ``now`` to the tickets' paused
        time and move their deadlines accordingly, planned in batch and
        written with the paused time (no recomputation afterwards); in sudo,
        see _sla_sync_pause. The tickets that go on get a note with their new
        deadline; closed ones none."""
        work_intervals = {}
        paused = {}
        for ticket in self:
            hours = ticket.sla_tier_id._work_hours_between(
                ticket.sla_paused_since, now, work_intervals
            )
            paused[ticket] = (hours, round(ticket.sla_paused_hours + hours, 4))
        keys = {
            ticket: (ticket.sla_tier_id, ticket.sla_start_date, total)
            for ticket, (_hours, total) in paused.items()
        }
        plans = self._sla_plan(keys.values(), work_intervals)
        no_plan = dict.fromkeys(DEADLINE_FIELDS.values(), False)
        by_values = defaultdict(list)
        for ticket, key in keys.items():
            values = {"sla_paused_hours": key[2], "sla_paused_since": False}
            values.update(plans.get(key, no_plan))
            by_values[tuple(sorted(values.items()))].append(ticket.id)
        for values, ids in by_values.items():
            # the deadlines are those _compute_sla_deadlines would plan
            self.browse(ids).write(dict(values))
        bodies = {}
        for ticket, (hours, _total) in paused.items():
            if ticket.stage_id.closed:
                # closed: the clocks stop rather than resume, and the
                # stage's tracking already says so; the paused hours only
                # decide whether the closing met the deadlines
                continue
            # formatted outside the _() call: babel's extractor evaluates the
            # string literals of its arguments and cannot read an f-string
            hours_text = f"{hours:.2f}"
            bodies[ticket.id] = _(
                "SLA clock resumed after %(hours)s paused working hours; "
                "the resolution deadline is now %(deadline)s.",
                hours=hours_text,
                deadline=format_datetime(self.env, ticket.sla_resolution_deadline),
            )
        if bodies:
            self._message_log_batch(bodies)

    # ------------------------------------------------------------------
    # First response
    # ------------------------------------------------------------------

    def _sla_is_first_response(self, message):
        """A public message (not a note) written by an internal user."""
        if message.message_type != "comment":
            return False
        subtype = message.subtype_id
        if not subtype or subtype.internal:
            return False
        # sudo: reading the author's users only to know if they are employees.
        users = message.author_id.sudo().with_context(active_test=False).user_ids
        return any(not user.share for user in users)

    def _message_post_after_hook(self, message, msg_vals):
        res = super()._message_post_after_hook(message, msg_vals)
        for ticket in self:
            if (
                ticket.sla_tier_id
                and not ticket.sla_first_response_date
                and ticket._sla_is_first_response(message)
            ):
                # sudo: the author may post but not write on the ticket; this
                # only records when the first response happened.
                ticket.sudo().sla_first_response_date = message.date or (
                    fields.Datetime.now()
                )
        return res

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    @api.model
    def _sla_check_domain(self, now):
        running = [("sla_paused_since", "=", False)]
        due = expression.OR(
            [
                [
                    ("sla_response_state", "=", "running"),
                    ("sla_response_deadline", "<", now),
                ],
                [
                    ("sla_resolution_state", "=", "running"),
                    ("sla_resolution_deadline", "<", now),
                ],
                [
                    ("sla_at_risk", "=", False),
                    ("sla_response_state", "=", "running"),
                    ("sla_response_risk_date", "<=", now),
                ],
                [
                    ("sla_at_risk", "=", False),
                    ("sla_resolution_state", "=", "running"),
                    ("sla_resolution_risk_date", "<=", now),
                ],
            ]
        )
        unnotified = [
            ("sla_breach_notified", "=", False),
            ("stage_id.closed", "=", False),
            "|",
            ("sla_response_state", "=", "breached"),
            ("sla_resolution_state", "=", "breached"),
        ]
        return expression.OR([expression.AND([running, due]), unnotified])

    @api.model
    def _cron_sla_check(self, batch_size=SLA_CRON_BATCH):
        """Mark breached and at-risk tickets; give breaches an activity once.

        One call handles one batch of at most ``batch_size`` tickets, in a
        constant number of queries, and reports the tickets still to check
        with the cron progress API: Odoo's cron runner commits the batch and
        calls again while some remain. A checked ticket leaves the domain of
        ``_sla_check_domain`` (its states are stored, its breach notified),
        so a batch run again after a restart finds nothing to write twice.
        """
        domain = self._sla_check_domain(fields.Datetime.now())
        tickets = self.search(domain, order="id", limit=batch_size)
        tickets._sla_check_batch()
        self.env["ir.cron"]._notify_progress(
            done=len(tickets), remaining=self.search_count(domain)
        )
        return True

    def _sla_check_batch(self):
        """Store the SLA states of ``self`` as of now and schedule the
        breach activities of those newly breached."""
        # the states depend on the current time, which no field tracks: mark
        # them to recompute (as membership's state cron does)
        for fname in STATE_FIELDS:
            self.env.add_to_compute(self._fields[fname], self)
        self.flush_recordset(STATE_FIELDS)
        to_notify = self.filtered(
            lambda t: not t.sla_breach_notified
            and not t.stage_id.closed
            and "breached" in (t.sla_response_state, t.sla_resolution_state)
        )
        if to_notify:
            to_notify._sla_schedule_breach_activities()
            to_notify.write({"sla_breach_notified": True})

    def _sla_schedule_breach_activities(self):
        activity_type = self.env.ref(
            "support_certification.mail_activity_type_sla_breach",
            raise_if_not_found=False,
        ) or self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        vals_list = []
        for ticket in self:
            user = ticket.user_id or ticket.team_id.user_id
            if not user:
                continue
            clocks = [
                label
                for label, state in (
                    (_("response"), ticket.sla_response_state),
                    (_("resolution"), ticket.sla_resolution_state),
                )
                if state == "breached"
            ]
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": ticket.id,
                    "activity_type_id": activity_type.id,
                    "user_id": user.id,
                    "date_deadline": today,
                    "summary": _(
                        "SLA breached (%(clocks)s) on %(ticket)s",
                        clocks=", ".join(clocks),
                        ticket=ticket.number,
                    ),
                }
            )
        if vals_list:
            self.env["mail.activity"].with_context(
                mail_activity_quick_update=True
            ).create(vals_list)
