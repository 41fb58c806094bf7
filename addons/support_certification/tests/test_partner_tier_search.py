# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.service.model import get_public_method

from .common import SupportCertificationCase


@freeze_time("2026-06-01")
class TestPartnerTierSearch(SupportCertificationCase):
    """res.partner.support_sla_tier_id is searchable with the compute's rule."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        partner_model = cls.env["res.partner"]
        # Acme: Gold (Alice) and Platinum (Bob): the best one, Platinum.
        cls._certify(cls.alice, cls.level_gold, date(2026, 1, 1))
        cls._certify(cls.bob, cls.level_platinum, date(2026, 2, 1))
        # Delta: an expired Platinum and a future Gold: the default tier.
        cls.delta = partner_model.create({"name": "Delta", "is_company": True})
        cls.dan = partner_model.create({"name": "Dan", "parent_id": cls.delta.id})
        cls._certify(cls.dan, cls.level_platinum, date(2023, 1, 1))
        cls._certify(cls.dan, cls.level_gold, date(2026, 9, 1))
        # Echo: Gold, valid.
        cls.echo = partner_model.create({"name": "Echo", "is_company": True})
        cls.eve = partner_model.create({"name": "Eve", "parent_id": cls.echo.id})
        cls._certify(cls.eve, cls.level_gold, date(2026, 5, 1))
        cls.partners = (
            cls.acme
            | cls.alice
            | cls.bob
            | cls.beta
            | cls.carol
            | cls.delta
            | cls.dan
            | cls.echo
            | cls.eve
        )
        cls.tiers = [cls.tier_standard, cls.tier_gold, cls.tier_platinum]

    def _search(self, operator, value, user=None):
        partners = self.env["res.partner"].with_user(user or self.employee)
        return partners.search(
            [("id", "in", self.partners.ids), ("support_sla_tier_id", operator, value)]
        )

    def _computed(self, predicate):
        self.env.invalidate_all()
        partners = self.partners.with_user(self.employee)
        return partners.filtered(lambda p: predicate(p.support_sla_tier_id))

    def assertConsistent(self):
        """Every operator finds exactly the partners the compute says."""
        for tier in self.tiers + [self.env["support.sla.tier"]]:
            value = tier.id or False
            self.assertEqual(
                self._search("=", value), self._computed(lambda t, x=tier: t == x)
            )
            self.assertEqual(
                self._search("!=", value), self._computed(lambda t, x=tier: t != x)
            )
        pair = self.tier_gold | self.tier_platinum
        self.assertEqual(
            self._search("in", pair.ids), self._computed(lambda t: t in pair)
        )
        self.assertEqual(
            self._search("not in", pair.ids), self._computed(lambda t: t not in pair)
        )

    def test_search_matches_compute(self):
        self.assertEqual(
            self._search("=", self.tier_platinum.id), self.acme | self.alice | self.bob
        )
        self.assertEqual(self._search("=", self.tier_gold.id), self.echo | self.eve)
        self.assertEqual(
            self._search("=", self.tier_standard.id),
            self.beta | self.carol | self.delta | self.dan,
        )
        self.assertFalse(self._search("=", False))
        self.assertEqual(
            self._search("ilike", "platin"), self.acme | self.alice | self.bob
        )
        self.assertEqual(
            self._search("not ilike", "platin"),
            self.partners - self._search("ilike", "platin"),
        )
        self.assertConsistent()

    def test_search_follows_archived_tier_and_missing_default(self):
        # An archived tier grants nothing: Acme falls back to Gold (Alice).
        self.tier_platinum.active = False
        self.assertEqual(
            self._search("=", self.tier_gold.id),
            self.acme | self.alice | self.bob | self.echo | self.eve,
        )
        self.assertConsistent()
        # Without a default tier, uncertified customers have no tier.
        self.tier_standard.is_default = False
        self.assertEqual(
            self._search("=", False), self.beta | self.carol | self.delta | self.dan
        )
        self.assertFalse(self._search("=", self.tier_standard.id))
        self.assertConsistent()

    def test_search_is_per_company(self):
        other = self.env["res.company"].create({"name": "Other company"})
        self.env.user.company_ids |= other
        partners = self.env["res.partner"].with_company(other)
        # No tier of the other company: nobody has one there.
        self.assertEqual(
            partners.search(
                [("id", "in", self.partners.ids), ("support_sla_tier_id", "=", False)]
            ),
            self.partners,
        )

    def test_search_rights_and_operators(self):
        # A portal user may not read tiers nor certifications, yet the search
        # works for the partners they may read (their own).
        with self.assertRaises(AccessError):
            self.env["support.certification"].with_user(self.portal).check_access(
                "read"
            )
        portal_partner = self.portal.partner_id
        self.assertEqual(
            self.env["res.partner"]
            .with_user(self.portal)
            .search(
                [
                    ("id", "=", portal_partner.id),
                    ("support_sla_tier_id", "=", self.tier_standard.id),
                ]
            ),
            portal_partner,
        )
        with self.assertRaises(UserError):
            self._search(">", self.tier_gold.id)

    def test_public_tier_api_matches_the_field_and_is_not_rpc(self):
        """get_support_sla_tiers, the API other add-ons call, gives each
        partner the tier of the field, and cannot be called over RPC."""
        partners = self.acme | self.bob | self.dan | self.eve | self.carol
        tiers = partners.get_support_sla_tiers(self.company)
        self.assertEqual(
            [tiers[partner.id] for partner in partners],
            [
                self.tier_platinum,
                self.tier_platinum,
                self.tier_standard,
                self.tier_gold,
                self.tier_standard,
            ],
        )
        for partner in partners:
            self.assertEqual(tiers[partner.id], partner.support_sla_tier_id)
        with self.assertRaises(AccessError):
            get_public_method(self.env["res.partner"], "get_support_sla_tiers")
