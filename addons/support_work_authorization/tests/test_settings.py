# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from odoo.exceptions import ValidationError

from .common import WorkAuthorizationCommon


class TestSettings(WorkAuthorizationCommon):
    def test_time_types_shipped_with_rates_as_editable_data(self):
        expected = {
            "time_type_travel": ("travel", 60.0),
            "time_type_onsite": ("onsite", 90.0),
            "time_type_workshop": ("workshop", 75.0),
            "time_type_remote": ("remote", 70.0),
        }
        data = self.env["ir.model.data"]
        for xmlid, (kind, rate) in expected.items():
            time_type = self.env.ref(f"support_work_authorization.{xmlid}")
            self.assertEqual(time_type.work_auth_kind, kind)
            product = time_type.work_auth_product_id
            self.assertEqual(product.type, "service")
            self.assertEqual(product.lst_price, rate)
            self.assertEqual(product.uom_id, self.env.ref("uom.product_uom_hour"))
            record = data.search(
                [
                    ("module", "=", "support_work_authorization"),
                    ("name", "=", xmlid),
                ]
            )
            self.assertTrue(record.noupdate, f"{xmlid} must survive updates")

    def test_meter_hours_round_up_and_minimum_per_visit(self):
        hours = self.env["helpdesk.ticket"]._work_meter_hours
        start = datetime(2026, 3, 2, 8, 0)
        # 7 minutes of travel: a quarter hour
        self.assertEqual(hours(start, datetime(2026, 3, 2, 8, 7), self.company), 0.25)
        # exactly 45 minutes: not rounded further
        self.assertEqual(hours(start, datetime(2026, 3, 2, 8, 45), self.company), 0.75)
        # 46 minutes on site: the minimum hour per visit
        self.assertEqual(
            hours(start, datetime(2026, 3, 2, 8, 46), self.company, minimum=True), 1.0
        )
        # 2 h 07 on site: 2 h 15
        self.assertEqual(
            hours(start, datetime(2026, 3, 2, 10, 7), self.company, minimum=True), 2.25
        )
        self.company.work_auth_rounding_minutes = 0
        self.assertEqual(
            hours(start, datetime(2026, 3, 2, 8, 7, 30), self.company), 8 / 60
        )

    def test_settings_cannot_be_negative(self):
        with self.assertRaises(ValidationError):
            self.company.work_auth_tolerance_percent = -5

    def test_authorized_contacts_belong_to_the_customer(self):
        stranger = self.env["res.partner"].create({"name": "Stranger"})
        with self.assertRaises(ValidationError):
            self.customer.work_auth_backup_id = stranger
        self.assertEqual(self.contact._work_auth_contacts(), self.contact | self.backup)
