# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import Command

from .common import NOW, RetentionCommon


class TestSegment(RetentionCommon):
    """customer_letters gets a "health band" criterion from this add-on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fine = cls._healthy("Fine Co", ref="rtseg")
        cls.silent = cls._healthy("Silent Co", ref="rtseg")
        # an older row at risk for the healthy one: only the latest counts
        cls._row(cls.fine, "at_risk", 30, latest=False)
        cls._row(cls.fine, "healthy", 80)
        cls._row(cls.silent, "at_risk", 30)
        cls.letter = cls.env["customer.letter"].create(
            {
                "name": "Stay with us",
                "subject": "Our terms, {{ object.company_name }}",
                "body": "<p>Dear {{ object.contact_name }}</p>",
                "segment_ids": [
                    Command.create(
                        {
                            "name": "At risk",
                            "domain": "[('ref', '=', 'rtseg')]",
                            "support_retention_band": "at_risk",
                        }
                    ),
                    Command.create(
                        {"name": "Everyone", "domain": "[('ref', '=', 'rtseg')]"}
                    ),
                ],
            }
        )
        cls.at_risk_segment, cls.everyone = cls.letter.segment_ids

    @classmethod
    def _row(cls, partner, band, score, latest=True):
        return cls.Score.create(
            {
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "currency_id": cls.company.currency_id.id,
                "date": NOW.date() if latest else NOW.date() - timedelta(days=7),
                "score": score,
                "band": band,
                "is_latest": latest,
            }
        )

    def test_band_narrows_the_segment(self):
        self.assertEqual(self.fine.support_retention_band, "healthy")
        self.assertEqual(self.silent.support_retention_band, "at_risk")
        self.assertEqual(self.at_risk_segment.recipient_count, 1)
        self.assertEqual(self.everyone.recipient_count, 2)
        self.assertEqual(self.at_risk_segment._get_partners(), self.silent)
        self.assertTrue(self.at_risk_segment._matches(self.silent))
        self.assertFalse(self.at_risk_segment._matches(self.fine))
        self.assertTrue(self.everyone._matches(self.fine))

    def test_partners_searchable_by_band(self):
        Partner = self.env["res.partner"].with_user(self.user_agent)
        mine = [("ref", "=", "rtseg")]
        self.assertEqual(
            Partner.search(mine + [("support_retention_band", "=", "at_risk")]),
            self.silent,
        )
        self.assertEqual(
            Partner.search(mine + [("support_retention_band", "!=", "at_risk")]),
            self.fine,
        )
        self.assertEqual(
            Partner.search(
                mine + [("support_retention_band", "in", ["healthy", "watch"])]
            ),
            self.fine,
        )

    def test_changing_the_band_counts_again(self):
        self.at_risk_segment.support_retention_band = "healthy"
        self.assertEqual(self.at_risk_segment._get_partners(), self.fine)
        self.assertEqual(self.at_risk_segment.recipient_count, 1)
