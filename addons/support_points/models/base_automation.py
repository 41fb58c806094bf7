# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import psycopg2

from odoo import api, models, tools

from odoo.addons.base_automation.models.base_automation import WRITE_TRIGGERS


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

    @api.model
    @tools.ormcache("model_name")
    def _support_trigger_field_names(self, model_name):
        """Names of the fields whose change may run an automation of
        ``model_name`` on write, or None when one of them watches every field
        (no trigger fields)."""
        names = set()
        ids = self._support_automation_ids(model_name, tuple(WRITE_TRIGGERS))
        # sudo: which fields the automations watch does not depend on the
        # user writing, as in _support_automation_ids
        for automation in self.browse(ids).sudo():
            if not automation.trigger_field_ids:
                return None
            names.update(automation.trigger_field_ids.mapped("name"))
        return frozenset(names)

    def write(self, vals):
        res = super().write(vals)
        if "trigger_field_ids" in vals:
            # not one of base_automation's CRITICAL_FIELDS: no _update_registry
            self.env.registry.clear_cache()  # _support_trigger_field_names
        return res

    def _register_hook(self):
        """Skip base_automation's work around recomputations that cannot run
        an automation.

        base_automation wraps ``_compute_field_value`` of the models it
        watches: before and after every recomputation of stored fields it
        evaluates each write automation's pre- and post-conditions and reads
        the fields' old values, then ``_check_trigger_fields`` discards the
        records unless a trigger field was recomputed. A ticket's charge
        automation watches ``stage_id``; the recomputations of
        ``commercial_partner_id`` or ``unattended`` of every new ticket went
        through that for nothing. When none of the model's write automations
        watches a field the computation sets (and none watches every field),
        the computation now runs without the wrapper: same outcome, no
        condition evaluated, no old value read.
        """
        res = super()._register_hook()
        for model_class in self.env.registry.values():
            patched = vars(model_class).get("_compute_field_value")
            if patched is None or not hasattr(patched, "origin"):
                continue
            if getattr(patched, "support_skips_untriggered", False):
                continue
            model_class._compute_field_value = _skip_untriggered(patched)
        return res

    def _update_registry(self):
        # base_automation calls this on every change that can alter the
        # cached lookup (create, unlink, and writes of its CRITICAL_FIELDS:
        # model, trigger, active); its own re-registration is skipped while
        # the registry loads, the cached ids must be dropped regardless
        self.env.registry.clear_cache()
        return super()._update_registry()


def _skip_untriggered(patched):
    """``_compute_field_value`` calling base_automation's wrapper ``patched``
    only for computations that set a trigger field (see _register_hook)."""

    def _compute_field_value(self, field):
        stored = {f.name for f in self.pool.field_computed[field] if f.store}
        if stored:
            watched = self.env["base.automation"]._support_trigger_field_names(
                self._name
            )
            if watched is not None and not watched & stored:
                return patched.origin(self, field)
        return patched(self, field)

    _compute_field_value.origin = patched.origin
    _compute_field_value.support_skips_untriggered = True
    return _compute_field_value
