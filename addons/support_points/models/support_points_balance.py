# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class SupportPointsBalance(models.Model):
    """The running balance of one customer in one company.

    Written only by the ledger (``support.points.move``), under a row lock,
    in the same transaction as the ledger line; it always equals the sum of
    the customer's ledger lines.  It is the row two concurrent charges of the
    same customer contend for.
    """

    _name = "support.points.balance"
    _description = "Support Points Balance"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        # a row without ledger lines (0, left by a fee charge's lock) goes
        # with its customer; the ledger's own key keeps a customer with lines
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    balance = fields.Integer(readonly=True)

    _sql_constraints = [
        (
            "partner_company_uniq",
            "UNIQUE(partner_id, company_id)",
            "A customer has one points balance per company.",
        ),
    ]
