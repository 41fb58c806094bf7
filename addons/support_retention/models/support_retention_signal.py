# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

MEASURES = [
    ("ticket_growth", "Tickets up (or down) on the previous period (%)"),
    ("sla_breaches", "SLA breaches (tickets)"),
    ("charged_tickets", "Tickets charged (points or fee)"),
    ("fees", "Fees invoiced (tickets)"),
    ("refunds", "Charges refunded (ledger)"),
    ("points_expired", "Points expired unused (ledger)"),
    ("letter_unacknowledged", "Letter not acknowledged (days)"),
    ("invoice_gap", "Months since the last invoice"),
    ("ticket_gap", "Months since the last ticket"),
    ("tier_end", "Days until the certification tier ends"),
    ("tenure", "Customer for (months)"),
]

# Measures whose value is over the signal's window (the others are a state
# on the computation date).
WINDOW_MEASURES = {
    "ticket_growth",
    "sla_breaches",
    "charged_tickets",
    "fees",
    "refunds",
    "points_expired",
    "letter_unacknowledged",
}


class SupportRetentionSignal(models.Model):
    """One weighted measure of a customer's health.

    A signal measures one thing about a customer (from its tickets, ledger,
    letters, invoices...) and turns it into lost points: nothing up to
    ``threshold_start``, all of ``weight`` from ``threshold_full`` on, in
    proportion between. The threshold for full risk may be below the start
    (e.g. tenure: the shorter, the riskier). The score is 100 minus the lost
    points of every active signal, so the active signals weigh 100 together.
    """

    _name = "support.retention.signal"
    _description = "Customer health signal"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    measure = fields.Selection(selection=MEASURES, required=True)
    window_days = fields.Integer(
        string="Over the last (days)",
        default=90,
        help="Period the measure counts over (for counts and growth; the "
        "growth compares it with the period before).",
    )
    threshold_start = fields.Float(
        string="Risk starts above",
        required=True,
        help="Value of the measure up to which the signal costs nothing.",
    )
    threshold_full = fields.Float(
        string="Full risk at",
        required=True,
        help="Value of the measure from which the signal costs its whole "
        "weight. Below the start for measures where less is worse (tenure, "
        "days until the tier ends).",
    )
    weight = fields.Integer(
        required=True,
        default=10,
        help="Points of the 100-point score this signal can take away. The "
        "weights of the active signals must sum to 100.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        index=True,
        ondelete="cascade",
        help="Leave empty to use the signal in every company.",
    )
    weight_total = fields.Integer(
        string="Weights of the active signals",
        compute="_compute_weight_total",
        help="Sum of the weights of the active signals used in this "
        "signal's company; the score is computed only when it is 100.",
    )
    uses_window = fields.Boolean(compute="_compute_weight_total")

    @api.depends("weight", "active", "company_id", "measure")
    @api.depends_context("company")
    def _compute_weight_total(self):
        for signal in self:
            # the others as saved, this one as being edited on the form
            company = signal.company_id or self.env.company
            others = self._company_signals(company) - signal._origin
            signal.weight_total = sum(others.mapped("weight")) + (
                signal.weight if signal.active else 0
            )
            signal.uses_window = signal.measure in WINDOW_MEASURES

    @api.constrains("weight", "window_days", "threshold_start", "threshold_full")
    def _check_values(self):
        for signal in self:
            if not 0 <= signal.weight <= 100:
                raise ValidationError(
                    _(
                        "Signal %(signal)s: the weight must be between 0 and 100 "
                        "(got %(weight)s).",
                        signal=signal.name,
                        weight=signal.weight,
                    )
                )
            if signal.measure in WINDOW_MEASURES and signal.window_days <= 0:
                raise ValidationError(
                    _(
                        "Signal %(signal)s: the period must be at least one day.",
                        signal=signal.name,
                    )
                )
            if signal.threshold_start == signal.threshold_full:
                raise ValidationError(
                    _(
                        "Signal %(signal)s: the value where the risk starts and the "
                        "value of full risk must differ.",
                        signal=signal.name,
                    )
                )

    @api.model
    def _company_signals(self, company):
        return self.search(
            [("company_id", "in", [False, company.id])], order="sequence, id"
        )

    @api.model
    def _weight_total(self, company):
        return sum(self._company_signals(company).mapped("weight"))

    @api.model
    def _get_scoring_signals(self, company):
        """The active signals of ``company``; raise UserError when their
        weights do not sum to 100 (the score would not be out of 100)."""
        signals = self._company_signals(company)
        total = sum(signals.mapped("weight"))
        if total != 100:
            raise UserError(
                _(
                    "The active health signals of %(company)s weigh %(total)s "
                    "points together; they must weigh 100. Adjust the weights "
                    "in Helpdesk > Configuration > Health signals.",
                    company=company.name,
                    total=total,
                )
            )
        return signals

    def _risk_fraction(self, value):
        """Share of the weight lost for ``value`` of the measure (0 to 1)."""
        self.ensure_one()
        if value is None:
            return 0.0
        start, full = self.threshold_start, self.threshold_full
        fraction = (value - start) / (full - start)
        return min(max(fraction, 0.0), 1.0)

    def _reason(self, value):
        """The signal's finding for ``value``, in words."""
        self.ensure_one()
        days = self.window_days
        value = round(value)
        measure = self.measure
        if measure == "ticket_growth" and value < 0:
            return _(
                "tickets down %(value)s%% on the previous %(days)s days",
                value=-value,
                days=days,
            )
        if measure == "ticket_growth":
            return _(
                "tickets up %(value)s%% on the previous %(days)s days",
                value=value,
                days=days,
            )
        if measure == "sla_breaches":
            return _("%(value)s SLA breaches in %(days)s days", value=value, days=days)
        if measure == "charged_tickets":
            return _(
                "%(value)s tickets charged in %(days)s days", value=value, days=days
            )
        if measure == "fees":
            return _("%(value)s fees invoiced in %(days)s days", value=value, days=days)
        if measure == "refunds":
            return _(
                "%(value)s charges refunded in %(days)s days", value=value, days=days
            )
        if measure == "points_expired":
            return _(
                "%(value)s points expired unused in %(days)s days",
                value=value,
                days=days,
            )
        if measure == "letter_unacknowledged":
            return _("terms letter not acknowledged after %(value)s days", value=value)
        if measure == "invoice_gap":
            return _("no invoice for %(value)s months", value=value)
        if measure == "ticket_gap":
            return _("no ticket for %(value)s months", value=value)
        if measure == "tier_end":
            if value < 0:
                return _("certification tier ended %(value)s days ago", value=-value)
            return _("tier ends in %(value)s days, not renewed", value=value)
        return _("customer for %(value)s months only", value=value)
