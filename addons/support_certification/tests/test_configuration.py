# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo.exceptions import AccessError, ValidationError

from .common import SupportCertificationCase


class TestConfiguration(SupportCertificationCase):
    def test_shipped_tiers(self):
        standard = self.env.ref("support_certification.sla_tier_standard")
        expert = self.env.ref("support_certification.sla_tier_expert")
        awaiting = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        self.assertIn(awaiting, standard.paused_stage_ids)
        self.assertGreater(expert.sequence, standard.sequence)
        self.assertEqual(
            self.env.ref("support_certification.certification_level_expert").tier_id,
            expert,
        )

    def test_hours_must_be_positive(self):
        for field in ("response_hours", "resolution_hours"):
            for hours in (0, -2):
                with self.assertRaisesRegex(ValidationError, "more than zero hours"):
                    self.tier_gold.copy({"name": "Bad", field: hours})
        with self.assertRaisesRegex(ValidationError, "Gold"):
            self.tier_gold.response_hours = 0

    def test_tier_needs_calendar(self):
        with self.assertRaisesRegex(ValidationError, "Nocal needs a working calendar"):
            self.env["support.sla.tier"].create(
                {
                    "name": "Nocal",
                    "response_hours": 1,
                    "resolution_hours": 2,
                    "calendar_id": False,
                }
            )

    def test_one_default_tier_per_company(self):
        with self.assertRaisesRegex(ValidationError, "only have one default"):
            self.tier_gold.is_default = True
        other = self.env["res.company"].create({"name": "Other Co"})
        tier = self.tier_gold.copy({"company_id": other.id, "is_default": True})
        self.assertEqual(self.env["support.sla.tier"]._get_default_tier(other), tier)

    def test_level_needs_tier(self):
        with self.assertRaisesRegex(ValidationError, "Orphan needs an SLA tier"):
            self.env["support.certification.level"].create({"name": "Orphan"})
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.level_gold.validity_months = -1

    def test_expiry_after_obtained(self):
        with self.assertRaisesRegex(ValidationError, "must be after the date obtained"):
            self.env["support.certification"].create(
                {
                    "partner_id": self.alice.id,
                    "level_id": self.level_gold.id,
                    "date_obtained": date(2026, 3, 1),
                    "date_expiry": date(2026, 2, 1),
                }
            )

    def test_certification_held_by_person(self):
        with self.assertRaisesRegex(ValidationError, "held by people"):
            self._certify(self.acme, self.level_gold, date(2026, 1, 1))

    def test_only_managers_configure_tiers(self):
        vals = {
            "name": "Silver",
            "response_hours": 3,
            "resolution_hours": 9,
            "calendar_id": self.calendar.id,
        }
        tier = self.env["support.sla.tier"].with_user(self.manager).create(vals)
        self.assertEqual(tier.company_id, self.company)
        level = (
            self.env["support.certification.level"]
            .with_user(self.manager)
            .create({"name": "Silver level", "tier_id": tier.id})
        )
        # Helpdesk users read tiers and levels but cannot change them.
        self.assertEqual(tier.with_user(self.agent).name, "Silver")
        self.assertEqual(level.with_user(self.agent).tier_id, tier)
        with self.assertRaises(AccessError):
            self.env["support.sla.tier"].with_user(self.agent).create(vals)
        with self.assertRaises(AccessError):
            tier.with_user(self.agent).write({"response_hours": 1})
        with self.assertRaises(AccessError):
            level.with_user(self.agent).write({"validity_months": 99})
        with self.assertRaises(AccessError):
            self._certify_as(self.agent)
        self._certify_as(self.manager)
        # Portal users do not see the configuration at all.
        with self.assertRaises(AccessError):
            tier.with_user(self.portal).read(["name"])

    def _certify_as(self, user):
        return (
            self.env["support.certification"]
            .with_user(user)
            .create(
                {
                    "partner_id": self.alice.id,
                    "level_id": self.level_gold.id,
                    "date_obtained": date(2026, 1, 1),
                }
            )
        )

    def test_helpdesk_manager_is_sla_manager(self):
        from odoo.tests import new_test_user

        boss = new_test_user(
            self.env, login="sc_boss", groups="helpdesk_mgmt.group_helpdesk_manager"
        )
        self.assertTrue(boss.has_group("support_certification.group_sla_manager"))
        self.assertFalse(
            self.agent.has_group("support_certification.group_sla_manager")
        )
