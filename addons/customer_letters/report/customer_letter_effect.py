# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

# the months before and after the letter whose tickets are compared
PERIOD_MONTHS = 6


class CustomerLetterEffect(models.Model):
    """The letter's effect as a chart: one row per customer who received a
    letter and per period (the 6 months before it, the 6 months after), with
    the tickets the customer opened in the letter's company in that period.

    A customer in two segments is one row (its segments are a many2many):
    grouped by segment, each segment counts its customers; the totals count
    each customer once. Customers, acknowledgements and lost customers are
    many2one measures, counted distinct by the pivot and the graph."""

    _name = "customer.letter.effect"
    _description = "Customer letter effect (before / after)"
    _auto = False
    _order = "sent_date desc, letter_id, customer_id, period"
    _rec_name = "customer_id"

    letter_id = fields.Many2one(comodel_name="customer.letter", readonly=True)
    segment_ids = fields.Many2many(
        comodel_name="customer.letter.segment",
        relation="customer_letter_effect_segment_rel",
        column1="effect_id",
        column2="segment_id",
        string="Segments",
        readonly=True,
    )
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    sent_date = fields.Datetime(readonly=True)
    customer_id = fields.Many2one(
        comodel_name="res.partner", string="Customers", readonly=True
    )
    ack_customer_id = fields.Many2one(
        comodel_name="res.partner", string="Acknowledged", readonly=True
    )
    lost_customer_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customers lost",
        readonly=True,
        help="No ticket, invoice or login in the last 6 months.",
    )
    # keys in time order: groups of a selection are sorted by key
    period = fields.Selection(
        selection=[("1_before", "6 months before"), ("2_after", "6 months after")],
        readonly=True,
    )
    tickets = fields.Integer(readonly=True)
    tickets_per_customer = fields.Float(
        string="Tickets per customer", readonly=True, digits=(16, 2), aggregator="avg"
    )

    def _query(self):
        months = SQL("INTERVAL %s", f"{PERIOD_MONTHS} months")
        return SQL(
            """
            SELECT r.id * 2 + p.idx AS id,
                   r.letter_id AS letter_id,
                   l.company_id AS company_id,
                   l.sent_date AS sent_date,
                   r.customer_id AS customer_id,
                   CASE WHEN r.acknowledged THEN r.customer_id END
                       AS ack_customer_id,
                   CASE WHEN lost.is_lost THEN r.customer_id END
                       AS lost_customer_id,
                   p.period AS period,
                   t.tickets AS tickets,
                   t.tickets::float AS tickets_per_customer
              FROM customer_letter_recipient r
              JOIN customer_letter l ON l.id = r.letter_id
             CROSS JOIN (VALUES (0, '1_before'), (1, '2_after')) AS p (idx, period)
              LEFT JOIN LATERAL (
                    SELECT COUNT(*) AS tickets
                      FROM helpdesk_ticket ht
                     WHERE ht.commercial_partner_id = r.customer_id
                       AND ht.company_id = l.company_id
                       AND CASE WHEN p.idx = 0
                                THEN ht.create_date >= l.sent_date - %(months)s
                                     AND ht.create_date < l.sent_date
                                ELSE ht.create_date >= l.sent_date
                                     AND ht.create_date < l.sent_date + %(months)s
                           END
                   ) t ON TRUE
              LEFT JOIN LATERAL (
                    SELECT NOT (
                        EXISTS (
                            SELECT 1 FROM helpdesk_ticket ht
                             WHERE ht.commercial_partner_id = r.customer_id
                               AND ht.company_id = l.company_id
                               AND ht.create_date >= NOW() - %(months)s)
                        OR EXISTS (
                            SELECT 1 FROM account_move am
                             WHERE am.commercial_partner_id = r.customer_id
                               AND am.company_id = l.company_id
                               AND am.state = 'posted'
                               AND am.move_type IN ('out_invoice', 'out_refund')
                               AND am.invoice_date >= (NOW() - %(months)s)::date)
                        OR EXISTS (
                            SELECT 1 FROM res_users u
                              JOIN res_partner rp ON rp.id = u.partner_id
                              JOIN res_users_log ul ON ul.create_uid = u.id
                             WHERE rp.commercial_partner_id = r.customer_id
                               AND ul.create_date >= NOW() - %(months)s)
                    ) AS is_lost
                   ) lost ON TRUE
             WHERE l.sent_date IS NOT NULL
            """,
            months=months,
        )

    def _segment_rel_query(self):
        # the segments of each row: those of its recipient, for both periods
        return SQL(
            """
            SELECT rel.recipient_id * 2 + p.idx AS effect_id,
                   rel.segment_id AS segment_id
              FROM customer_letter_recipient_segment_rel rel
             CROSS JOIN (VALUES (0), (1)) AS p (idx)
            """
        )

    def init(self):
        relation = self._fields["segment_ids"].relation
        tools.drop_view_if_exists(self.env.cr, relation)
        tools.drop_view_if_exists(self.env.cr, self._table)
        for table, query in (
            (self._table, self._query()),
            (relation, self._segment_rel_query()),
        ):
            self.env.cr.execute(
                SQL(
                    "CREATE OR REPLACE VIEW %s AS (%s)",
                    SQL.identifier(table),
                    query,
                )
            )
