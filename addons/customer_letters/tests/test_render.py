# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import UserError

from .common import LettersCommon

ALL_PLACEHOLDERS = (
    "<p>C={{ object.company_name }}</p>"
    "<p>N={{ object.contact_name }}</p>"
    "<p>B={{ object.points_balance }}</p>"
    "<p>G={{ object.points_granted }}</p>"
    "<p>E={{ object.points_expiry_date }}</p>"
    "<p>X={{ object.points_expiring }}</p>"
    "<p>T={{ object.sla_tier ||| Standard }}</p>"
    "<p>K={{ object.ticket_count_12m }}</p>"
    "<p>S={{ object.customer_since }}</p>"
    "{{ object.segment_paragraphs }}"
    '<p><a href="{{ object.ack_url }}">ack</a></p>'
)


class TestRender(LettersCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.lang = "en_US"
        cls.customer = cls._customer("Acme <b>& Co</b>", ref="clrender")
        cls.person = cls.env["res.partner"].create(
            {
                "name": "Jane Doe",
                "parent_id": cls.customer.id,
                "email": "jane@example.com",
            }
        )
        cls.customer.email = False
        cls._ticket(cls.customer, days_ago=3 * 365 + 10)
        cls._ticket(cls.person, days_ago=20)
        cls._ticket(cls.person, days_ago=100)
        cls.expiry = fields.Date.today() + timedelta(days=200)
        cls.customer.support_points_grant(20, "existing", expiry_date=cls.expiry)
        cls.grant_expiry = fields.Date.today() + timedelta(days=100)
        cls.letter = cls._letter(
            body=ALL_PLACEHOLDERS,
            ack_required=True,
            segments=[
                {
                    "name": "All",
                    "domain": "[('ref', '=', 'clrender')]",
                    "paragraph": "<p>First paragraph for {{ object.company_name }}</p>",
                },
                {
                    "name": "Old",
                    "domain": "[('ref', '=', 'clrender')]",
                    "min_tenure_years": 3,
                    "paragraph": "<p>Second paragraph</p>",
                    "grant_points": 5,
                    "grant_expiry_date": cls.grant_expiry,
                },
            ],
        )

    def test_every_placeholder(self):
        subject, body = self.letter._render_preview(self.customer)
        self.assertEqual(subject, "Our terms, Acme <b>& Co</b>", "subject is text")
        self.assertIn("C=Acme &lt;b&gt;&amp; Co&lt;/b&gt;", body, "values are escaped")
        self.assertIn("N=Jane Doe", body, "written to the contact with an email")
        self.assertIn("B=25", body, "balance includes this letter's grant")
        self.assertIn("G=5", body)
        self.assertIn(
            f"E={self.grant_expiry.strftime('%m/%d/%Y')}",
            body,
            "soonest expiry: the grant expires before the existing points",
        )
        self.assertIn("X=5", body)
        self.assertIn("T=Standard", body, "default used when the customer has no tier")
        self.assertIn("K=2", body, "tickets of its people in the last 12 months")
        since = date.today() - timedelta(days=3 * 365 + 10)
        self.assertIn(f"S={since.strftime('%m/%d/%Y')}", body)
        self.assertIn("<p>First paragraph for Acme &lt;b&gt;", body)
        self.assertIn("<p>Second paragraph</p>", body)
        self.assertLess(body.index("First paragraph"), body.index("Second paragraph"))
        self.assertIn(
            f"/letters/ack/{self.letter.id}/{self.customer.id}?token=preview", body
        )

    def test_figures_of_the_letters_company(self):
        """Balance, expiry and SLA tier are those of the letter's company,
        whatever the company the user works in."""
        other = self.env["res.company"].create({"name": "Letters other company"})
        other_expiry = fields.Date.today() + timedelta(days=50)
        self.customer.with_company(other).support_points_grant(
            7, "other company", expiry_date=other_expiry
        )
        self.env["support.sla.tier"].create(
            {
                "name": "Other company default",
                "company_id": other.id,
                "is_default": True,
                "response_hours": 8,
                "resolution_hours": 40,
            }
        )
        body = (
            "<p>B={{ object.points_balance }}</p>"
            "<p>X={{ object.points_expiring }}</p>"
            "<p>T={{ object.sla_tier ||| none }}</p>"
        )
        letter = self._letter(
            body=body,
            company_id=other.id,
            segments=[{"name": "All", "domain": "[('ref', '=', 'clrender')]"}],
        )
        self.assertNotEqual(self.env.company, other)
        _subject, rendered = letter._render_preview(self.customer)
        self.assertIn("B=7", rendered)
        self.assertIn("X=7", rendered)
        self.assertIn("T=Other company default", rendered)
        _subject, rendered = self._letter(
            body=body,
            segments=[{"name": "All", "domain": "[('ref', '=', 'clrender')]"}],
        )._render_preview(self.customer)
        self.assertIn("B=20", rendered, "the current company's own balance")
        self.assertIn("X=20", rendered)
        self.assertNotIn("T=Other company default", rendered)

    def test_preview_in_form(self):
        self.letter.body = "<p>N={{ object.contact_name }}</p>"
        self.letter.preview_partner_id = self.person
        self.assertIn("N=Jane Doe", self.letter.preview_body)
        self.assertFalse(self.letter.preview_error)
        outsider = self._customer("Outsider")
        self._ticket(outsider, days_ago=10)
        self.letter.preview_partner_id = outsider
        self.assertIn("in none of this letter", self.letter.preview_body)

    def test_unknown_placeholder_blocks_approval(self):
        self.letter.body = "<p>Hello {{ object.partner_id.password }}</p>"
        with self.assertRaisesRegex(UserError, r"object\.partner_id\.password"):
            self.letter.action_submit()
        with self.assertRaisesRegex(UserError, r"object\.partner_id\.password"):
            self._approve(self.letter)
        self.assertEqual(self.letter.state, "draft")
        self.letter.body = "<p>Hello {{ 1 + 1 }}</p>"
        with self.assertRaisesRegex(UserError, "unknown placeholder"):
            self.letter.action_submit()

    def test_unknown_placeholder_in_paragraph_blocks_approval(self):
        self.letter.segment_ids[0].paragraph = "<p>{{ object.nope }}</p>"
        with self.assertRaisesRegex(UserError, r"object\.nope"):
            self.letter.action_submit()

    def test_empty_value_names_customer_and_field(self):
        self._customer("Fresh Ltd", ref="clfresh")
        letter = self._letter(
            body="<p>Customer since {{ object.customer_since }}</p>",
            segments=[{"name": "New", "domain": "[('ref', '=', 'clfresh')]"}],
        )
        with self.assertRaises(UserError) as catched:
            letter.action_submit()
        message = str(catched.exception)
        self.assertIn("object.customer_since", message)
        self.assertIn("Fresh Ltd", message)
        self.assertEqual(letter.state, "draft")
        letter.body = "<p>Customer since {{ object.customer_since ||| today }}</p>"
        letter.action_submit()
        self.assertEqual(letter.state, "to_approve")

    def test_ack_link_required(self):
        self.letter.body = "<p>No link</p>"
        with self.assertRaisesRegex(UserError, "ack_url"):
            self.letter.action_submit()

    def test_render_query_count_is_constant(self):
        """Preparing and rendering costs the same number of queries for 5 and
        for 50 customers (batch prefetch)."""
        Recipient = self.env["customer.letter.recipient"]
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"Bulk {i}",
                    "is_company": True,
                    "customer_rank": 1,
                    "email": f"bulk{i}@example.com",
                }
                for i in range(50)
            ]
        )
        for partner in partners[:10]:
            self._ticket(partner, days_ago=30)
        segments = {p.id: list(self.letter.segment_ids) for p in partners}

        def count(batch):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            values = Recipient._prepare_values(self.letter, batch, segments)
            rendered = Recipient._render_values(
                self.letter, values, raise_on_error=False
            )
            self.assertEqual(len(rendered), len(batch))
            return self.env.cr.sql_log_count - before

        count(partners[:5])  # warm the caches (like @warmup)
        small, large = count(partners[:5]), count(partners)
        self.assertEqual(small, large)
        with self.assertQueryCount(large):
            self.env.invalidate_all()
            values = Recipient._prepare_values(self.letter, partners, segments)
            Recipient._render_values(self.letter, values, raise_on_error=False)
