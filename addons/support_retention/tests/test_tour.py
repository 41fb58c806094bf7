# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import RetentionHttpCommon


@tagged("post_install", "-at_install")
class TestTour(RetentionHttpCommon):
    @classmethod
    def _at_risk(cls, name, revenue):
        partner = cls._customer(name)
        cls._ticket(partner, 1200)
        # invoiced last year, nothing since: no invoice for 10 months
        cls._invoice(partner, 300, amount=revenue)
        for days in (1, 2, 3, 4):
            cls._ticket(partner, days, breached=True)
        return partner

    def test_at_risk_list_reasons_and_ticket(self):
        self._simple_signals()
        big = self._at_risk("Tour Big Co", 90000)
        self._at_risk("Tour Small Co", 1000)
        self._healthy("Tour Fine Co")
        self.Score._cron_compute()
        self._ticket(big, 0, name="Tour billing question", user_id=self.user_agent.id)
        self.start_tour(
            "/odoo/action-support_retention.support_retention_score_action",
            "support_retention_at_risk",
            login="rt_manager",
        )
        self.start_tour(
            "/odoo/helpdesk-tickets", "support_retention_ticket", login="rt_agent"
        )
