# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import math

from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.support_retention_score import day_start

# A customer is lost when it has neither a ticket nor an invoice for this
# many months (customer_letters' definition, over the issue's 12 months).
LOST_MONTHS = 12
TOP_SHARE = 0.10
BACKTEST_BATCH = 500


def roc_auc(risks, losts):
    """Area under the ROC curve of ``risks`` (higher: riskier) for the
    outcomes ``losts`` (booleans): the chance that a lost customer was
    ranked riskier than a kept one, ties counting half (Mann-Whitney)."""
    order = sorted(range(len(risks)), key=lambda i: risks[i])
    ranks = [0.0] * len(risks)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and risks[order[j + 1]] == risks[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    positives = sum(1 for lost in losts if lost)
    negatives = len(losts) - positives
    if not positives or not negatives:
        return None
    rank_sum = sum(rank for rank, lost in zip(ranks, losts, strict=True) if lost)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


class SupportRetentionBacktest(models.TransientModel):
    """How well the score, computed on past dates from what was known then,
    ranked the customers who were then lost."""

    _name = "support.retention.backtest"
    _description = "Health score backtest"

    date_last = fields.Date(
        string="Last scoring date",
        required=True,
        default=lambda self: fields.Date.context_today(self)
        - relativedelta(months=LOST_MONTHS),
        help="The latest past date to score on; it must be at least 12 months "
        "ago, to know who was lost in the 12 months after.",
    )
    date_count = fields.Integer(
        string="Scoring dates",
        required=True,
        default=4,
        help="How many dates, every 3 months back from the last one.",
    )
    step_months = fields.Integer(string="Months between dates", default=3)
    customer_count = fields.Integer(string="Customers scored", readonly=True)
    lost_count = fields.Integer(string="Customers lost", readonly=True)
    auc = fields.Float(string="ROC AUC", readonly=True, digits=(16, 3))
    top_share = fields.Float(
        string="Lost customers in the top 10% of risk (%)",
        readonly=True,
        digits=(16, 1),
    )
    result_html = fields.Html(string="Per date", readonly=True, sanitize=False)
    done = fields.Boolean(readonly=True)

    def action_run(self):
        self.ensure_one()
        if self.date_count < 1 or self.step_months < 1:
            raise UserError(_("Choose at least one date and one month between dates."))
        latest = fields.Date.context_today(self) - relativedelta(months=LOST_MONTHS)
        if self.date_last > latest:
            raise UserError(
                _(
                    "The last scoring date must be on or before %(date)s: who was "
                    "lost is only known 12 months later.",
                    date=latest,
                )
            )
        dates = [
            self.date_last - relativedelta(months=self.step_months * i)
            for i in range(self.date_count)
        ]
        result = self._backtest(self.env.company, sorted(dates))
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>")
            % (
                escape(str(line["date"])),
                line["customers"],
                line["lost"],
                "-" if line["auc"] is None else f"{line['auc']:.3f}",
                f"{line['top_share'] * 100:.0f}%",
            )
            for line in result["dates"]
        )
        header = Markup(
            "<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>"
        ) % (
            _("Scored on"),
            _("Customers"),
            _("Lost"),
            _("ROC AUC"),
            _("Lost in top 10%"),
        )
        self.write(
            {
                "customer_count": result["customers"],
                "lost_count": result["lost"],
                "auc": result["auc"] or 0.0,
                "top_share": result["top_share"] * 100,
                "result_html": Markup('<table class="table table-sm">%s%s</table>')
                % (header, rows),
                "done": True,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    # ------------------------------------------------------------------
    # The measure (also run by setup/backtest)
    # ------------------------------------------------------------------

    @api.model
    def _activity_by_partner(self, company, start, stop):
        """Ids of the customers with a ticket or an invoice in [start, stop)."""
        # sudo: partner ids of activity only (who had a ticket or invoice)
        tickets = self.env["helpdesk.ticket"].sudo().with_context(active_test=False)
        moves = self.env["account.move"].sudo()
        active = {
            partner.id
            for [partner] in tickets._read_group(
                [
                    ("company_id", "=", company.id),
                    ("commercial_partner_id", "!=", False),
                    ("create_date", ">=", day_start(start)),
                    ("create_date", "<", day_start(stop)),
                ],
                ["commercial_partner_id"],
            )
        }
        active |= {
            partner.id
            for [partner] in moves._read_group(
                [
                    ("company_id", "=", company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("invoice_date", ">=", start),
                    ("invoice_date", "<", stop),
                ],
                ["commercial_partner_id"],
            )
        }
        return active

    @api.model
    def _backtest_date(self, company, day, signals):
        """Score, on ``day``, the customers active in the 12 months before it
        with what was known then; lost: no ticket and no invoice in the 12
        months after."""
        window = relativedelta(months=LOST_MONTHS)
        before = self._activity_by_partner(company, day - window, day)
        after = self._activity_by_partner(company, day, day + window)
        Partner = self.env["res.partner"].with_context(active_test=False)
        partners = Partner.search(
            self.env["support.retention.score"]._customer_domain(company)
            + [("id", "in", sorted(before)), ("create_date", "<", day_start(day))],
            order="id",
        )
        Score = self.env["support.retention.score"]
        risks, losts = [], []
        for start in range(0, len(partners), BACKTEST_BATCH):
            batch = partners[start : start + BACKTEST_BATCH]
            scores = Score._compute_scores(batch, company, day_start(day), signals)
            for partner in batch:
                risks.append(100 - scores[partner.id]["score"])
                losts.append(partner.id not in after)
            batch.invalidate_recordset()
        return risks, losts

    @api.model
    def _backtest(self, company, dates):
        """{"customers", "lost", "auc", "top_share", "dates": [...]} over
        ``dates``: the AUC over every (customer, date) pair, the share of
        the lost customers found in the riskiest 10% of each date."""
        signals = self.env["support.retention.signal"]._get_scoring_signals(company)
        lines, all_risks, all_losts = [], [], []
        found_total = 0
        for day in dates:
            risks, losts = self._backtest_date(company, day, signals)
            top = math.ceil(len(risks) * TOP_SHARE)
            # riskiest first; equal risks in the order of the customers
            ranked = sorted(range(len(risks)), key=lambda i: -risks[i])
            found = sum(1 for i in ranked[:top] if losts[i])
            lost = sum(losts)
            lines.append(
                {
                    "date": day,
                    "customers": len(risks),
                    "lost": lost,
                    "auc": roc_auc(risks, losts),
                    "top_share": found / lost if lost else 0.0,
                    "found": found,
                }
            )
            found_total += found
            all_risks += risks
            all_losts += losts
        lost_total = sum(all_losts)
        return {
            "customers": len(all_risks),
            "lost": lost_total,
            "found": found_total,
            "auc": roc_auc(all_risks, all_losts),
            "top_share": found_total / lost_total if lost_total else 0.0,
            "dates": lines,
        }
