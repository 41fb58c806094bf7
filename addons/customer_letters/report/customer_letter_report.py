# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL


class CustomerLetterReport(models.Model):
    """One row per letter segment: who received the letter, who acknowledged
    it, how many tickets the customers opened in the 6 months before and after
    the letter, and how many customers are lost (no ticket, invoice or login
    in the last 6 months). Tickets and invoices are those of the letter's
    company."""

    _name = "customer.letter.report"
    _description = "Customer letter effect report"
    _auto = False
    _order = "sent_date desc, letter_id, segment_id"
    _rec_name = "segment_id"

    letter_id = fields.Many2one(comodel_name="customer.letter", readonly=True)
    segment_id = fields.Many2one(comodel_name="customer.letter.segment", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    sent_date = fields.Datetime(readonly=True)
    recipient_count = fields.Integer(string="Recipients", readonly=True)
    ack_count = fields.Integer(string="Acknowledged", readonly=True)
    tickets_before = fields.Integer(string="Tickets 6 months before", readonly=True)
    tickets_after = fields.Integer(string="Tickets 6 months after", readonly=True)
    tickets_per_customer_before = fields.Float(
        string="Tickets per customer before", readonly=True, digits=(16, 2)
    )
    tickets_per_customer_after = fields.Float(
        string="Tickets per customer after", readonly=True, digits=(16, 2)
    )
    lost_count = fields.Integer(string="Customers lost", readonly=True)

    def _query(self):
        return SQL(
            """
            SELECT s.id AS id,
                   s.letter_id AS letter_id,
                   s.id AS segment_id,
                   l.company_id AS company_id,
                   l.sent_date AS sent_date,
                   COUNT(r.id) AS recipient_count,
                   COUNT(r.id) FILTER (WHERE r.acknowledged) AS ack_count,
                   COALESCE(SUM(t.before), 0) AS tickets_before,
                   COALESCE(SUM(t.after), 0) AS tickets_after,
                   ROUND(COALESCE(SUM(t.before), 0)::numeric
                         / GREATEST(COUNT(r.id), 1), 2)
                       AS tickets_per_customer_before,
                   ROUND(COALESCE(SUM(t.after), 0)::numeric
                         / GREATEST(COUNT(r.id), 1), 2)
                       AS tickets_per_customer_after,
                   COUNT(r.id) FILTER (WHERE lost.is_lost) AS lost_count
              FROM customer_letter_segment s
              JOIN customer_letter l ON l.id = s.letter_id
              JOIN customer_letter_recipient_segment_rel rel
                ON rel.segment_id = s.id
              JOIN customer_letter_recipient r ON r.id = rel.recipient_id
              LEFT JOIN LATERAL (
                    SELECT COUNT(*) FILTER (
                               WHERE ht.create_date < l.sent_date) AS before,
                           COUNT(*) FILTER (
                               WHERE ht.create_date >= l.sent_date) AS after
                      FROM helpdesk_ticket ht
                     WHERE ht.commercial_partner_id = r.customer_id
                       AND ht.company_id = l.company_id
                       AND ht.create_date >= l.sent_date - INTERVAL '6 months'
                       AND ht.create_date < l.sent_date + INTERVAL '6 months'
                   ) t ON TRUE
              LEFT JOIN LATERAL (
                    SELECT NOT (
                        EXISTS (
                            SELECT 1 FROM helpdesk_ticket ht
                             WHERE ht.commercial_partner_id = r.customer_id
                               AND ht.company_id = l.company_id
                               AND ht.create_date >= NOW() - INTERVAL '6 months')
                        OR EXISTS (
                            SELECT 1 FROM account_move am
                             WHERE am.commercial_partner_id = r.customer_id
                               AND am.company_id = l.company_id
                               AND am.state = 'posted'
                               AND am.move_type IN ('out_invoice', 'out_refund')
                               AND am.invoice_date
                                   >= (NOW() - INTERVAL '6 months')::date)
                        OR EXISTS (
                            SELECT 1 FROM res_users u
                              JOIN res_partner p ON p.id = u.partner_id
                              JOIN res_users_log ul ON ul.create_uid = u.id
                             WHERE p.commercial_partner_id = r.customer_id
                               AND ul.create_date >= NOW() - INTERVAL '6 months')
                    ) AS is_lost
                   ) lost ON TRUE
             WHERE l.sent_date IS NOT NULL
             GROUP BY s.id, s.letter_id, l.company_id, l.sent_date
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )
