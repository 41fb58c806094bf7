# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class MergePartnerAutomatic(models.TransientModel):
    """Odoo's partner merge keeps each customer's balance equal to its ledger.

    The wizard re-points every foreign key to the surviving partner by SQL:
    our ledger lines move with it, but the balance rows (unique per customer
    and company) are moved, or dropped when the survivor has one already.
    The survivor's balance rows are rebuilt from its ledger afterwards, as
    ``loyalty`` merges its cards in the same hook.
    """

    _inherit = "base.partner.merge.automatic.wizard"

    @api.model
    def _update_foreign_keys(self, src_partners, dst_partner):
        result = super()._update_foreign_keys(src_partners, dst_partner)
        self.env["support.points.move"]._rebuild_partner_balances(dst_partner)
        return result
