# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    _inherit = "res.partner"

    work_auth_contact_id = fields.Many2one(
        comodel_name="res.partner",
        string="Authorizes work",
        ondelete="set null",
        help="The person of this customer who accepts work authorizations "
        "and receives the technician's arrival and departure messages.",
    )
    work_auth_backup_id = fields.Many2one(
        comodel_name="res.partner",
        string="Backup authorizer",
        ondelete="set null",
        help="May accept work authorizations when the first person cannot.",
    )

    @api.constrains("work_auth_contact_id", "work_auth_backup_id")
    def _check_work_auth_contacts(self):
        for partner in self:
            for contact in partner.work_auth_contact_id | partner.work_auth_backup_id:
                if contact.commercial_partner_id != partner.commercial_partner_id:
                    raise ValidationError(
                        _(
                            "%(contact)s does not belong to %(customer)s: only "
                            "the customer's own people can authorize its work.",
                            contact=contact.display_name,
                            customer=partner.commercial_partner_id.display_name,
                        )
                    )

    def _work_auth_contacts(self):
        """The people allowed to accept work for this partner's company."""
        self.ensure_one()
        customer = self.commercial_partner_id
        return customer.work_auth_contact_id | customer.work_auth_backup_id
