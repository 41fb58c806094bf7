# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The acknowledgement of a new ticket says what it is expected to cost
(18.0.2.1.0): helpdesk_mgmt's "New" stage sends our template when it sent
nothing, as on a new install."""

from odoo import SUPERUSER_ID, api

from odoo.addons.support_points.hooks import use_points_received_template


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    use_points_received_template(env)
