# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class SupportCertificationCase(TransactionCase):
    """Users per role, a UTC calendar (Mon-Fri 9-12 and 13-17, 7 h a day),
    three tiers (Standard default, Gold, Platinum), two certification levels,
    a certified and an uncertified customer, and a helpdesk team."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.manager = new_test_user(
            cls.env,
            login="sc_manager",
            groups="support_certification.group_sla_manager",
            tz="UTC",
        )
        cls.agent = new_test_user(
            cls.env,
            login="sc_agent",
            groups="helpdesk_mgmt.group_helpdesk_user",
            tz="UTC",
        )
        cls.leader = new_test_user(
            cls.env,
            login="sc_leader",
            groups="helpdesk_mgmt.group_helpdesk_user",
            tz="UTC",
        )
        cls.employee = new_test_user(
            cls.env, login="sc_employee", groups="base.group_user"
        )
        cls.portal = new_test_user(
            cls.env, login="sc_portal", groups="base.group_portal"
        )
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Support hours (UTC)",
                "tz": "UTC",
                "company_id": cls.company.id,
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"Day {day} {period}",
                            "dayofweek": str(day),
                            "hour_from": hour_from,
                            "hour_to": hour_to,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for hour_from, hour_to, period in (
                        (9, 12, "morning"),
                        (13, 17, "afternoon"),
                    )
                ],
            }
        )
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_progress = cls.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_in_progress"
        )
        cls.stage_awaiting = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        tier_model = cls.env["support.sla.tier"]
        # The shipped tiers would compete with the test tiers.
        tier_model.search([]).write({"is_default": False, "active": False})
        common = {
            "calendar_id": cls.calendar.id,
            "company_id": cls.company.id,
            "paused_stage_ids": [Command.set(cls.stage_awaiting.ids)],
        }
        cls.tier_standard = tier_model.create(
            dict(
                common,
                name="Standard",
                sequence=10,
                response_hours=4,
                resolution_hours=14,
                is_default=True,
            )
        )
        cls.tier_gold = tier_model.create(
            dict(common, name="Gold", sequence=20, response_hours=2, resolution_hours=7)
        )
        cls.tier_platinum = tier_model.create(
            dict(
                common,
                name="Platinum",
                sequence=30,
                response_hours=1,
                resolution_hours=3,
            )
        )
        level_model = cls.env["support.certification.level"]
        cls.level_gold = level_model.create(
            {"name": "Gold level", "tier_id": cls.tier_gold.id, "validity_months": 12}
        )
        cls.level_platinum = level_model.create(
            {
                "name": "Platinum level",
                "tier_id": cls.tier_platinum.id,
                "validity_months": 24,
            }
        )
        partner_model = cls.env["res.partner"]
        cls.acme = partner_model.create({"name": "Acme", "is_company": True})
        cls.alice = partner_model.create(
            {"name": "Alice", "parent_id": cls.acme.id, "email": "alice@acme.test"}
        )
        cls.bob = partner_model.create(
            {"name": "Bob", "parent_id": cls.acme.id, "email": "bob@acme.test"}
        )
        cls.beta = partner_model.create({"name": "Beta", "is_company": True})
        cls.carol = partner_model.create(
            {"name": "Carol", "parent_id": cls.beta.id, "email": "carol@beta.test"}
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "SLA team",
                "user_id": cls.leader.id,
                "user_ids": [Command.set((cls.agent | cls.leader).ids)],
            }
        )

    @classmethod
    def _certify(cls, partner, level, obtained):
        return cls.env["support.certification"].create(
            {"partner_id": partner.id, "level_id": level.id, "date_obtained": obtained}
        )

    def _ticket(self, partner=None, user=None, **values):
        vals = {
            "name": "Printer on fire",
            "description": "<p>Help</p>",
            "team_id": self.team.id,
            "partner_id": partner.id if partner else False,
            "user_id": user.id if user else False,
        }
        vals.update(values)
        ticket = self.env["helpdesk.ticket"].create(vals)
        # Compute the SLA states now, under the frozen time of the caller.
        self.env.flush_all()
        return ticket

    def _set_stage(self, ticket, stage, when):
        with freeze_time(when):
            ticket.stage_id = stage
            self.env.flush_all()

    def _cron_call(self, cron_xmlid, method, **kwargs):
        """One call of the cron's ``method`` (a model method name) as Odoo's
        cron runner makes it (``ir.cron._run_job``): with a fresh progress
        record in the context. Return what the call reported,
        ``(done, remaining)``."""
        cron = self.env.ref(cron_xmlid)
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        model = self.env[cron.model_id.model].with_context(
            ir_cron_progress_id=progress.id
        )
        getattr(model, method)(**kwargs)
        self.env.flush_all()
        return progress.done, progress.remaining

    def _cron_run(self, cron_xmlid, method, **kwargs):
        """Call the cron's ``method`` the way the cron runner does: again as
        long as a call reports work done and work remaining. Return the
        ``(done, remaining)`` of each call."""
        calls = []
        for _n in range(50):
            calls.append(self._cron_call(cron_xmlid, method, **kwargs))
            done, remaining = calls[-1]
            if not (done and remaining):
                return calls
        raise AssertionError(f"{method} never reported the end of its work: {calls}")

    # A Monday in a week without special days.
    MONDAY = datetime(2026, 3, 2)

    def at(self, day, hour, minute=0):
        """Naive UTC datetime ``day`` days after MONDAY at ``hour``."""
        return self.MONDAY.replace(day=self.MONDAY.day + day, hour=hour, minute=minute)
