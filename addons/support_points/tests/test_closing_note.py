# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from .common import SupportChargeCommon


def _text(html):
    return " ".join(re.sub(r"<[^>]+>", "", str(html)).split())


class TestClosingNote(SupportChargeCommon):
    """The closing email's points paragraph reads right for every balance."""

    def _note(self, balance):
        """The note of a one-point phone ticket that leaves ``balance``."""
        self.company.support_points_empty_policy = "overdraft"
        before = balance + 1
        if before > 0:
            self._grant(self.customer, before)
        elif before < 0:
            self._move(self.customer, before, "adjust")
        ticket = self._close(self._ticket())
        self.assertEqual(ticket.support_charge_state, "charged")
        ticket.invalidate_recordset()
        self.assertEqual(ticket.support_points_balance, balance)
        return _text(ticket.support_points_mail_note)

    def test_note_for_an_overdraft(self):
        note = self._note(-3)
        self.assertIn("This request used 1 support point.", note)
        self.assertIn(
            "Your support points balance is -3: you owe 3 support points.", note
        )
        self.assertNotIn("left", note)
        self.assertNotIn("point(s)", note)

    def test_note_for_an_empty_balance(self):
        note = self._note(0)
        self.assertIn("You have no support points left.", note)
        self.assertNotIn("point(s)", note)

    def test_note_for_one_point(self):
        self.assertIn("You have 1 support point left.", self._note(1))

    def test_note_for_two_points(self):
        note = self._note(2)
        self.assertIn("This request used 1 support point.", note)
        self.assertIn("You have 2 support points left.", note)

    def test_note_for_a_credit_and_a_debt_of_one_point(self):
        self.company.support_points_empty_policy = "overdraft"
        self._move(self.customer, -2, "adjust")
        ticket = self._close(self._ticket(support_vendor_fault=True))
        self.assertEqual(ticket.support_charge_state, "credited")
        note = _text(ticket.support_points_mail_note)
        self.assertIn("we credited 1 support point to your account.", note)
        self.assertIn("you owe 1 support point.", note)
