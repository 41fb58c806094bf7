# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import psycopg2

from odoo import api, models, tools


class BaseAutomation(models.Model):
    """Look the automation rules of a model up once, not on every write.

    Shipping the charge automation on ``helpdesk.ticket`` makes Odoo patch the
    ticket's ``create``, ``write`` and ``_compute_field_value``; each call then
    searched ``base.automation`` again (about six searches per ticket closing,
    most of them for writes and recomputations that have nothing to do with
    the automation).  base_automation reports every change of a model's rules
    (create, unlink, writes of its ``CRITICAL_FIELDS``) through
    ``_update_registry``, which now clears the cache too, the way Odoo caches
    record rules and access rights.
    """

    _inherit = "base.automation"

    @api.model
    def _get_actions(self, records, triggers):
        # same result as base_automation's, the search served by the cache
        automations = self
        if "__action_done" not in automations.env.context:
            automations = automations.with_context(__action_done={})
        ids = automations._support_automation_ids(records._name, tuple(triggers))
        return automations.browse(ids)

    @api.model
    @tools.ormcache("model_name", "triggers")
    def _support_automation_ids(self, model_name, triggers):
        """Ids of the active automations of ``model_name`` with these triggers."""
        # sudo: which automations exist does not depend on the user writing;
        # base_automation searches them as superuser as well
        automations = (
            self.with_context(active_test=True)
            .sudo()
            .search([("model_name", "=", model_name), ("trigger", "in", triggers)])
        )
        return tuple(automations.ids)

    @api.model
    def _add_postmortem(self, e):
        # A database error (e.g. a charge losing the race for a customer's
        # balance lock: Odoo retries the request) aborted the transaction:
        # the user's groups and the rule's name read here would only log a
        # second, misleading "current transaction is aborted" error.
        if isinstance(e, psycopg2.Error):
            return
        super()._add_postmortem(e)

    def _update_registry(self):
        # base_automation calls this on every change that can alter the
        # cached lookup (create, unlink, and writes of its CRITICAL_FIELDS:
        # model, trigger, active); its own re-registration is skipped while
        # the registry loads, the cached ids must be dropped regardless
        self.env.registry.clear_cache()
        return super()._update_registry()
