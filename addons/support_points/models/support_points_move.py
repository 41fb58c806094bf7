# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# Kinds whose sign is fixed; the others (purchase, refund, adjust) may be
# positive (credit) or negative (debit).
POSITIVE_KINDS = ("grant",)
NEGATIVE_KINDS = ("consume", "expire")
# Largest number of points one ledger line may move: far above any real pack
# or adjustment, and far below the PostgreSQL integer range of the columns.
MAX_POINTS_PER_LINE = 1_000_000
# The balance column is a PostgreSQL integer.
MAX_BALANCE = 2**31 - 1


def parse_points_date(value):
    """The date ``value`` as a date; raise ValueError if it is not one."""
    try:
        date = fields.Date.to_date(value)
    except (TypeError, ValueError) as error:
        raise ValueError(value) from error
    if value and not date:
        raise ValueError(value)
    return date


class LazyName:
    """A partner's name, read only when a message is formatted with it."""

    def __init__(self, partner):
        self.partner = partner

    def __str__(self):
        return self.partner.display_name or self.partner.env._("unknown customer")


class SupportPointsMove(models.Model):
    """One line of the append-only service points ledger.

    Every line carries a ``remaining`` counter: on a credit line (points > 0)
    the part not used yet, on a debit line (points < 0) the part not covered by
    any credit (an overdraft).  Debits draw from the open credits whose expiry
    comes first; credits first pay off open debits.  The sum of ``remaining``
    over the open lines is therefore the balance, which is also kept on
    ``support.points.balance``: closing a ticket only ever reads the partner's
    open lines, never the whole history.
    """

    _name = "support.points.move"
    _description = "Support Points Ledger Line"
    _order = "date desc, id desc"

    date = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now, index=True
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        help="Always the commercial partner (the customer's company).",
    )
    points = fields.Integer(
        required=True,
        readonly=True,
        help="Positive: points credited to the customer; negative: points used.",
    )
    kind = fields.Selection(
        selection=[
            ("grant", "Grant"),
            ("purchase", "Purchase"),
            ("consume", "Consumption"),
            ("refund", "Refund"),
            ("expire", "Expiry"),
            ("adjust", "Adjustment"),
        ],
        required=True,
        readonly=True,
        index=True,
    )
    ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )
    invoice_line_id = fields.Many2one(
        comodel_name="account.move.line",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The invoice or credit note line of a points pack.",
    )
    expiry_date = fields.Date(
        readonly=True,
        help="Points of this line still unused on this date expire after it.",
    )
    note = fields.Char(readonly=True)
    remaining = fields.Integer(
        readonly=True,
        help="Credit line: points not used yet. Debit line: points not covered "
        "by any credit (overdraft).",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
        ondelete="restrict",
    )
    balance_after = fields.Integer(
        string="Balance",
        readonly=True,
        aggregator=None,
        help="The customer's balance in this company right after this line "
        "was booked (a running balance, as on a bank statement).",
    )

    _sql_constraints = [
        (
            "points_not_zero",
            "CHECK(points <> 0)",
            "A points ledger line must move at least one point.",
        ),
    ]

    def init(self):
        # The open lines are the only ones a charge or a balance ever reads:
        # open credits in the order they are drawn from (soonest expiry
        # first, then oldest), open debits (overdrafts) oldest first.  With
        # the LIMIT of the allocation, a charge reads a few index entries
        # whatever the length of the customer's history.
        self.env.cr.execute(SQL("DROP INDEX IF EXISTS support_points_move_open_idx"))
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS support_points_move_open_credit_idx "
                "ON support_points_move (partner_id, company_id, expiry_date, id) "
                "WHERE remaining > 0"
            )
        )
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS support_points_move_open_debit_idx "
                "ON support_points_move (partner_id, company_id, id) "
                "WHERE remaining < 0"
            )
        )
        # A ticket is charged (or credited) once, and refunded once, whatever
        # happens to its stage: the database refuses a second line.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS support_points_move_ticket_uniq "
                "ON support_points_move (ticket_id, kind) "
                "WHERE ticket_id IS NOT NULL "
                "AND kind IN ('consume', 'adjust', 'refund')"
            )
        )
        # A pack invoice line's points follow its invoice (booked on posting,
        # taken back on reset to draft or cancel): several lines per line.
        self.env.cr.execute(
            SQL("DROP INDEX IF EXISTS support_points_move_invoice_line_uniq")
        )
        # Lines booked before the running balance existed get it once, in
        # booking order; later lines get it when they are booked.
        self.env.cr.execute(
            SQL(
                "UPDATE support_points_move m SET balance_after = r.running "
                "FROM (SELECT id, SUM(points) OVER (PARTITION BY partner_id, "
                "company_id ORDER BY id) AS running FROM support_points_move "
                "WHERE (partner_id, company_id) IN (SELECT partner_id, company_id "
                "FROM support_points_move WHERE balance_after IS NULL)) r "
                "WHERE m.id = r.id AND m.balance_after IS NULL"
            )
        )

    @api.depends("partner_id", "points", "kind")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for move in self:
            signed = f"{move.points:+d}"
            move.display_name = _(
                "%(partner)s: %(points)s (%(kind)s)",
                partner=move.partner_id.display_name,
                points=signed,
                kind=kinds.get(move.kind, ""),
            )

    # ------------------------------------------------------------------
    # CRUD: lines are created once and never changed
    # ------------------------------------------------------------------

    @api.model
    def _check_move_vals(self, vals):
        """Refuse a line a person could not have meant, before writing."""
        partner = self.env["res.partner"].browse(vals.get("partner_id"))
        # the name only serves the error messages: read it only for them
        name = LazyName(partner)
        points = vals.get("points")
        if isinstance(points, bool) or not isinstance(points, int) or not points:
            raise UserError(
                _(
                    "A points line for %(partner)s must move a whole, non-zero "
                    "number of points (got %(points)s).",
                    partner=name,
                    points=points,
                )
            )
        if abs(points) > MAX_POINTS_PER_LINE:
            raise UserError(
                _(
                    "A points line for %(partner)s cannot move more than "
                    "%(max)s points (got %(points)s).",
                    partner=name,
                    max=MAX_POINTS_PER_LINE,
                    points=points,
                )
            )
        kind = vals.get("kind")
        if kind in POSITIVE_KINDS and points < 0:
            raise UserError(
                _(
                    "A grant to %(partner)s must add points; to take points "
                    "away, record an adjustment.",
                    partner=name,
                )
            )
        if kind in NEGATIVE_KINDS and points > 0:
            raise UserError(
                _(
                    "A consumption or expiry line for %(partner)s must remove points.",
                    partner=name,
                )
            )
        expiry = vals.get("expiry_date")
        try:
            expiry_date = parse_points_date(expiry)
        except ValueError:
            raise UserError(
                _(
                    "The expiry date %(date)s for %(partner)s is not a valid "
                    "date; use the format YYYY-MM-DD.",
                    date=expiry,
                    partner=name,
                )
            ) from None
        if expiry_date and expiry_date < fields.Date.context_today(self):
            raise UserError(
                _(
                    "The expiry date %(date)s for %(partner)s is in the past; "
                    "choose today or a later date.",
                    date=expiry,
                    partner=name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        partners = self.env["res.partner"]
        for vals in vals_list:
            # the counter is ours to keep, never the caller's
            vals.pop("remaining", None)
            self._check_move_vals(vals)
            partner = partners.browse(vals["partner_id"]).commercial_partner_id
            vals["partner_id"] = partner.id
            vals["remaining"] = vals["points"]
            if vals["points"] < 0:
                vals["expiry_date"] = False
        moves = super().create(vals_list)
        for move in moves:
            move._allocate()
        return moves

    def write(self, vals):
        if self:
            raise UserError(
                _(
                    "Points ledger lines cannot be changed (%(lines)s). Record a "
                    "new correcting line instead.",
                    lines=", ".join(self.mapped("display_name")),
                )
            )
        return super().write(vals)

    def unlink(self):
        if self._is_being_uninstalled():
            return super().unlink()
        raise UserError(
            _(
                "Points ledger lines cannot be deleted (%(lines)s). Record a "
                "new correcting line instead.",
                lines=", ".join(self.mapped("display_name")),
            )
        )

    @api.model
    def _is_being_uninstalled(self):
        # sudo: reading the module state is harmless and users may lack access
        module = (
            self.env["ir.module.module"]
            .sudo()
            .search([("name", "=", "support_points")], limit=1)
        )
        return module.state == "to remove"

    # ------------------------------------------------------------------
    # Allocation of credits and debits
    # ------------------------------------------------------------------

    @api.model
    def _lock_balance(self, partner, company, ticket=None, today=None):
        """Lock the partner's balance row for this transaction.

        Return ``(balance, expired, charge_state)``: the balance, the unused
        points past their expiry date (``today``: the context's today) and the
        charge state of ``ticket`` (None without one), read in the statement
        that takes the lock.

        The upsert takes the same row lock as ``SELECT ... FOR UPDATE`` and
        also creates the row the first time.  Because it writes a new row
        version, a concurrent transaction that locks the same row after we
        commit gets a serialization failure (Odoo's transactions are
        REPEATABLE READ) and Odoo retries it with fresh data: two charges
        never spend the same points, and a ticket charged by a concurrent
        transaction is seen charged here on the retry.
        """
        today = today or fields.Date.context_today(self)
        if ticket:
            ticket.flush_recordset(["support_charge_state"])
        self.flush_model(["partner_id", "company_id", "remaining", "expiry_date"])
        self.env.cr.execute(
            SQL(
                "WITH lock AS ("
                "INSERT INTO support_points_balance "
                "(partner_id, company_id, balance, create_date, write_date) "
                "VALUES (%(partner)s, %(company)s, 0, now() at time zone 'UTC', "
                "now() at time zone 'UTC') "
                "ON CONFLICT (partner_id, company_id) DO UPDATE "
                "SET balance = support_points_balance.balance "
                "RETURNING balance) "
                "SELECT lock.balance, "
                # the open credits' partial index serves this sum
                "(SELECT COALESCE(SUM(m.remaining), 0) FROM support_points_move m "
                "WHERE m.partner_id = %(partner)s AND m.company_id = %(company)s "
                "AND m.remaining > 0 AND m.expiry_date < %(today)s), "
                "(SELECT t.support_charge_state FROM helpdesk_ticket t "
                "WHERE t.id = %(ticket)s) "
                "FROM lock",
                partner=partner.id,
                company=company.id,
                today=today,
                ticket=ticket.id if ticket else None,
            )
        )
        return self.env.cr.fetchone()

    def _set_remaining(self, remaining_by_move, balance_after=None):
        """Write the new counters of several lines in one statement, and the
        running balance of the lines in ``balance_after`` (``{line: balance}``).
        """
        if not remaining_by_move:
            return
        balance_after = balance_after or {}
        values = SQL(", ").join(
            SQL("(%s, %s, %s::integer)", move.id, remaining, balance_after.get(move))
            for move, remaining in remaining_by_move.items()
        )
        self.env.cr.execute(
            SQL(
                "UPDATE support_points_move m SET remaining = v.remaining, "
                "balance_after = COALESCE(v.balance_after, m.balance_after) "
                "FROM (VALUES %s) AS v(id, remaining, balance_after) "
                "WHERE m.id = v.id",
                values,
            )
        )
        self.browse([m.id for m in remaining_by_move]).invalidate_recordset(
            ["remaining", "balance_after"]
        )

    def _open_lines(self, sign, limit=None):
        """Open lines of this line's partner and company with that sign.

        Every open line holds at least one point, so ``limit`` lines cover a
        need of ``limit`` points: the allocation never reads more, however
        many lines are open (the partial indexes of ``init`` serve the order).
        """
        self.ensure_one()
        domain = [
            ("partner_id", "=", self.partner_id.id),
            ("company_id", "=", self.company_id.id),
            ("remaining", ">" if sign > 0 else "<", 0),
            ("id", "!=", self.id),
        ]
        # soonest-expiring credits first, never-expiring ones last (FIFO)
        order = "expiry_date asc nulls last, id asc" if sign > 0 else "id asc"
        return self.search_fetch(domain, ["remaining"], order=order, limit=limit)

    def _allocate(self):
        """Match this new line against the open lines of the other sign."""
        self.ensure_one()
        # lock the balance row and book the line on it in one statement (the
        # same upsert as _lock_balance); the open lines are read under it
        self.env.cr.execute(
            SQL(
                "INSERT INTO support_points_balance "
                "(partner_id, company_id, balance, create_date, write_date) "
                "VALUES (%(partner)s, %(company)s, %(points)s, "
                "now() at time zone 'UTC', now() at time zone 'UTC') "
                "ON CONFLICT (partner_id, company_id) DO UPDATE "
                "SET balance = support_points_balance.balance + EXCLUDED.balance, "
                "write_date = EXCLUDED.write_date "
                # a balance out of the column's range updates nothing: refused
                # below, instead of a database error
                "WHERE abs(support_points_balance.balance::bigint "
                "+ EXCLUDED.balance::bigint) <= %(max)s "
                # the balance right after this line, under the row lock: the
                # line's running balance, in the order lines are booked
                "RETURNING balance",
                partner=self.partner_id.id,
                company=self.company_id.id,
                points=self.points,
                max=MAX_BALANCE,
            )
        )
        booked = self.env.cr.fetchone()
        if not booked:
            raise UserError(
                _(
                    "The points balance of %(partner)s cannot go beyond "
                    "%(max)s points.",
                    partner=self.partner_id.display_name,
                    max=MAX_BALANCE,
                )
            )
        sign = 1 if self.points > 0 else -1
        left = abs(self.points)
        updates = {}
        for other in self._open_lines(-sign, limit=left):
            if not left:
                break
            used = min(left, abs(other.remaining))
            updates[other] = other.remaining + used * sign
            left -= used
        updates[self] = left * sign
        self._set_remaining(updates, balance_after={self: booked[0]})
        self.env["support.points.balance"].invalidate_model(["balance"])
        self.env["res.partner"].invalidate_model(
            [
                "support_points_balance",
                "support_points_expiry_date",
                "support_points_expiring",
                "support_points_low",
            ]
        )
        self.env["helpdesk.ticket"].invalidate_model(
            [
                "support_points_balance",
                "support_points_low",
                "support_points_display",
                "support_points_label",
            ]
        )

    @api.model
    def _rebuild_partner_balances(self, partner):
        """Bring the partner's balance rows back to its ledger, per company.

        For a partner whose ledger lines came from several partners (Odoo's
        partner merge): each company's open debits are first paid off by its
        open credits (credits and debts are never open together), then the
        balance row is set to the sum of the lines, under the row lock.
        """
        self.flush_model(["partner_id", "company_id", "points", "remaining"])
        # our own table, read as a whole whatever the merging user may read
        # of the ledger (other companies' lines included): the merge itself
        # moved them by SQL
        self.env.cr.execute(
            SQL(
                "SELECT id, company_id, remaining, expiry_date "
                "FROM support_points_move "
                "WHERE partner_id = %s AND remaining <> 0 "
                "ORDER BY company_id, id FOR UPDATE",
                partner.id,
            )
        )
        open_lines = defaultdict(list)
        for move_id, company_id, remaining, expiry in self.env.cr.fetchall():
            open_lines[company_id].append([move_id, remaining, expiry])
        updates = {}
        for lines in open_lines.values():
            # the order of _open_lines: soonest expiry first, then oldest
            credits = sorted(
                (line for line in lines if line[1] > 0),
                key=lambda line: (line[2] is None, line[2] or 0, line[0]),
            )
            for debit in (line for line in lines if line[1] < 0):
                for credit in credits:
                    used = min(-debit[1], credit[1])
                    if used:
                        credit[1] -= used
                        debit[1] += used
                        updates[self.browse(credit[0])] = credit[1]
                        updates[self.browse(debit[0])] = debit[1]
        self._set_remaining(updates)
        # the lines of the merged partners, as one history in booking order
        self.env.cr.execute(
            SQL(
                "UPDATE support_points_move m SET balance_after = r.running "
                "FROM (SELECT id, SUM(points) OVER (PARTITION BY company_id "
                "ORDER BY id) AS running FROM support_points_move "
                "WHERE partner_id = %s) r WHERE m.id = r.id",
                partner.id,
            )
        )
        self.invalidate_model(["balance_after"])
        self.env.cr.execute(
            SQL(
                "INSERT INTO support_points_balance "
                "(partner_id, company_id, balance, create_date, write_date) "
                "SELECT partner_id, company_id, SUM(points), "
                "now() at time zone 'UTC', now() at time zone 'UTC' "
                "FROM support_points_move WHERE partner_id = %(partner)s "
                "GROUP BY partner_id, company_id "
                "ON CONFLICT (partner_id, company_id) DO UPDATE "
                "SET balance = EXCLUDED.balance, write_date = EXCLUDED.write_date",
                partner=partner.id,
            )
        )
        self.env["support.points.balance"].invalidate_model(["balance"])
        self.env["res.partner"].invalidate_model(
            [
                "support_points_balance",
                "support_points_expiry_date",
                "support_points_expiring",
                "support_points_low",
            ]
        )

    # ------------------------------------------------------------------
    # Expiry
    # ------------------------------------------------------------------

    @api.model
    def _expire_partner_points(
        self, partner, company, today=None, locked=False, points=None
    ):
        """Write one expiry line for the partner's unused, expired points.

        Locks the balance row first (unless the caller already holds the lock
        in this transaction: ``locked``) so the unused part is read under the
        same lock as the line that removes it.  ``points``: the expired points
        the caller read under its lock (``_lock_balance``), not read again.
        """
        today = today or fields.Date.context_today(self)
        if not locked:
            _balance, points, _state = self._lock_balance(partner, company, today=today)
        elif points is None:
            # one aggregate over the open credits' index, not the lines
            [(points,)] = self._read_group(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("remaining", ">", 0),
                    ("expiry_date", "<", today),
                ],
                aggregates=["remaining:sum"],
            )
        if not points:
            return self.browse()
        # the expiry line draws from the soonest-expiring credits first,
        # which are exactly the expired ones
        return self.create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "points": -points,
                "kind": "expire",
                "note": _(
                    "%(points)s unused points expired",
                    points=points,
                ),
            }
        )

    @api.model
    def _cron_expire_points(self, batch_size=500):
        """Expire unused points past their date, one line per customer.

        Handles one batch of customers per run and reports the rest to the
        cron framework, which commits and runs again: a partial run is safe
        because each customer is complete on its own, and a second run finds
        nothing left to expire (idempotent).
        """
        today = fields.Date.context_today(self)
        groups = self._read_group(
            [("remaining", ">", 0), ("expiry_date", "<", today)],
            groupby=["partner_id", "company_id"],
        )
        batch = groups[:batch_size]
        for partner, company in batch:
            self._expire_partner_points(partner, company, today=today)
        self.env["ir.cron"]._notify_progress(
            done=len(batch), remaining=len(groups) - len(batch)
        )
        return True
