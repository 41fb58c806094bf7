# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Access matrix of the suite's models: one test per cell.

Each cell (model, operation, role) states who may do it.  An allowed cell
must succeed and have its effect; a refused cell must fail with an access or
user error (never another exception) and leave the database as it was.

The world: company A (the main company) has two customers, ``cust_a`` (whose
contact is the portal user) and ``cust_a2``; company B has ``cust_b``.  Each
customer has ledger lines in its company.  Roles:

- ``portal``: portal user, contact of ``cust_a``
- ``hd_own``: helpdesk user, own tickets only
- ``hd_all``: helpdesk user, all tickets
- ``points_mgr``: support points manager
- ``letters_mgr``: letters manager
- ``admin``: the administrator
- ``user_b``: a user of company B only, with every manager group of the suite

customer_letters depends on the other add-ons, so the matrix of all three
lives here.  Every operation runs as the role's user in an environment of its
own (empty context, caches invalidated), as one RPC request would.
"""

from datetime import date, datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

# What a refusal may raise: what XML-RPC reports as an access or user fault.
# AccessError and ValidationError are UserErrors; Odoo's assertRaises takes
# one class.
REFUSED = UserError
assert issubclass(AccessError, REFUSED) and issubclass(ValidationError, REFUSED)

ROLES = (
    "portal",
    "hd_own",
    "hd_all",
    "points_mgr",
    "letters_mgr",
    "admin",
    "user_b",
)

ROLE_GROUPS = {
    "portal": ["base.group_portal"],
    "hd_own": ["base.group_user", "helpdesk_mgmt.group_helpdesk_user_own"],
    "hd_all": ["base.group_user", "helpdesk_mgmt.group_helpdesk_user"],
    "points_mgr": ["base.group_user", "support_points.group_support_points_manager"],
    "letters_mgr": ["base.group_user", "customer_letters.group_letters_manager"],
    "user_b": [
        "base.group_user",
        "support_points.group_support_points_manager",
        "customer_letters.group_letters_manager",
        "support_certification.group_sla_manager",
        "helpdesk_mgmt.group_helpdesk_manager",
    ],
}

INTERNAL_A = {"hd_own", "hd_all", "points_mgr", "letters_mgr", "admin"}
LETTERS = {"letters_mgr", "admin"}
EVERY_INTERNAL_A = INTERNAL_A  # base.group_user of company A

LETTER_BODY = (
    "<p>Dear {{ object.contact_name }}, your balance is "
    "{{ object.points_balance }} points.</p>"
    '<p><a href="{{ object.ack_url }}">I have read the terms</a></p>'
)


# ---------------------------------------------------------------------------
# Cell specifications
#   read:   read the target record (a record of customer A in company A)
#   create: create a new record in company A
#   write:  change a harmless field of the target record
#   unlink: delete a record made for the cell by the admin
# ---------------------------------------------------------------------------


def _fresh(model, vals):
    """Unlink cells delete a record the admin makes for them."""
    return lambda t: t.admin_env[model].create(vals(t)).id


SPECS = {
    "support.points.move": {
        "target": "move_cust_a",
        "read_fields": ["points", "kind", "partner_id", "remaining"],
        "create": lambda t: {
            "partner_id": t.ids["cust_a"],
            "company_id": t.ids["company_a"],
            "points": 7,
            "kind": "grant",
            "note": "RL matrix create",
        },
        "write": {"note": "RL tampered"},
        "fresh": None,  # ledger lines are never deleted: use the target
        "allowed": {
            "read": INTERNAL_A | {"portal"},
            "create": {"points_mgr", "admin"},
            "write": set(),
            "unlink": set(),
        },
    },
    "support.points.balance": {
        "target": "balance_cust_a",
        "read_fields": ["balance", "partner_id"],
        "create": lambda t: {
            "partner_id": t.ids["cust_a2_contact"],
            "company_id": t.ids["company_a"],
            "balance": 1000,
        },
        "write": {"balance": 100000},
        "fresh": None,
        "allowed": {
            "read": INTERNAL_A | {"portal"},
            "create": set(),
            "write": set(),
            "unlink": set(),
        },
    },
    "support.charge.rule": {
        "target": "rule_a",
        "read_fields": ["name", "points", "ticket_domain"],
        "create": lambda t: {
            "name": "RL new rule",
            "ticket_domain": "[('id', '=', 0)]",
            "points": 3,
            "company_id": t.ids["company_a"],
        },
        "write": {"points": 9},
        "fresh": _fresh(
            "support.charge.rule",
            lambda t: {
                "name": "RL doomed rule",
                "ticket_domain": "[('id', '=', 0)]",
                "company_id": t.ids["company_a"],
            },
        ),
        "allowed": {
            "read": INTERNAL_A,
            "create": {"points_mgr", "admin"},
            "write": {"points_mgr", "admin"},
            "unlink": {"points_mgr", "admin"},
        },
    },
    "support.sla.tier": {
        "target": "tier_a",
        "read_fields": ["name", "response_hours", "resolution_hours"],
        "create": lambda t: {
            "name": "RL tier",
            "response_hours": 2,
            "resolution_hours": 10,
            "company_id": t.ids["company_a"],
        },
        "write": {"color": 3},
        "fresh": _fresh(
            "support.sla.tier",
            lambda t: {
                "name": "RL doomed tier",
                "response_hours": 1,
                "resolution_hours": 2,
                "company_id": t.ids["company_a"],
            },
        ),
        "allowed": {
            "read": EVERY_INTERNAL_A,
            "create": {"admin"},
            "write": {"admin"},
            "unlink": {"admin"},
        },
    },
    "support.certification.level": {
        "target": "level_a",
        "read_fields": ["name", "tier_id", "validity_months"],
        "create": lambda t: {"name": "RL level", "tier_id": t.ids["tier_a"]},
        "write": {"sequence": 77},
        "fresh": _fresh(
            "support.certification.level",
            lambda t: {"name": "RL doomed level", "tier_id": t.ids["tier_a"]},
        ),
        "allowed": {
            "read": EVERY_INTERNAL_A,
            "create": {"admin"},
            "write": {"admin"},
            "unlink": {"admin"},
        },
    },
    "support.certification": {
        "target": "cert_a",
        "read_fields": ["partner_id", "level_id", "date_obtained", "date_expiry"],
        "create": lambda t: {
            "partner_id": t.ids["cust_a2_contact"],
            "level_id": t.ids["level_a"],
        },
        "write": {"date_expiry": date(2031, 1, 31)},
        "fresh": _fresh(
            "support.certification",
            lambda t: {
                "partner_id": t.ids["cust_a2_contact"],
                "level_id": t.ids["level_a"],
            },
        ),
        "allowed": {
            "read": EVERY_INTERNAL_A,
            "create": {"admin"},
            "write": {"admin"},
            "unlink": {"admin"},
        },
    },
    "customer.letter": {
        "target": "letter_draft",
        "read_fields": ["name", "subject", "state"],
        "create": lambda t: {
            "name": "RL new letter",
            "subject": "New",
            "body": "<p>New</p>",
            "company_id": t.ids["company_a"],
        },
        "write": {"subject": "RL changed subject"},
        "fresh": _fresh(
            "customer.letter",
            lambda t: {
                "name": "RL doomed letter",
                "subject": "Doomed",
                "company_id": t.ids["company_a"],
            },
        ),
        "allowed": {
            "read": LETTERS,
            "create": LETTERS,
            "write": LETTERS,
            "unlink": LETTERS,
        },
    },
    "customer.letter.segment": {
        "target": "segment_draft",
        "read_fields": ["name", "domain", "grant_points"],
        "create": lambda t: {
            "name": "RL new segment",
            "letter_id": t.ids["letter_draft"],
            "domain": "[]",
        },
        "write": {"name": "RL renamed segment"},
        "fresh": _fresh(
            "customer.letter.segment",
            lambda t: {
                "name": "RL doomed segment",
                "letter_id": t.ids["letter_draft"],
                "domain": "[]",
            },
        ),
        "allowed": {
            "read": LETTERS,
            "create": LETTERS,
            "write": LETTERS,
            "unlink": LETTERS,
        },
    },
    "customer.letter.recipient": {
        "target": "recipient_cust_a",
        "read_fields": ["customer_id", "points_grant", "mailed"],
        "create": lambda t: {
            "letter_id": t.ids["letter_a"],
            "customer_id": t.ids["cust_b"],
            "points_grant": 500,
        },
        "write": {"points_grant": 500},
        "fresh": None,
        "allowed": {
            "read": LETTERS,
            "create": set(),
            "write": set(),
            "unlink": set(),
        },
    },
    "customer.letter.ack": {
        "target": "ack_cust_a2",
        "read_fields": ["letter_id", "partner_id", "date"],
        "create": lambda t: {
            "letter_id": t.ids["letter_a"],
            "recipient_id": t.ids["recipient_cust_a"],
            "partner_id": t.ids["cust_a"],
        },
        "write": {"date": datetime(2020, 1, 1)},
        "fresh": None,
        "allowed": {
            "read": LETTERS,
            "create": set(),
            "write": set(),
            "unlink": set(),
        },
    },
}

OPERATIONS = ("read", "create", "write", "unlink")

CELLS = [(model, op, role) for model in SPECS for op in OPERATIONS for role in ROLES]

BALANCE_FIELDS = [
    "support_points_balance",
    "support_points_expiry_date",
    "support_points_expiring",
]


def _cell_test(model, op, role):
    def test(self):
        self._check_cell(model, op, role)

    test.__doc__ = f"{role} {op} {model}"
    return test


def _role_test(check, role):
    def test(self):
        getattr(self, check)(role)

    test.__doc__ = f"{check} as {role}"
    return test


def with_matrix_tests(cls):
    """One test method per cell of the matrix, and per role of the isolation
    checks, so that a failure names its cell."""
    for model, op, role in CELLS:
        name = f"test_cell_{model.replace('.', '_')}_{op}_{role}"
        setattr(cls, name, _cell_test(model, op, role))
    for check in (
        "_check_partner_balance_isolation",
        "_check_balance_search_does_not_leak",
    ):
        for role in ROLES:
            setattr(cls, f"test{check[6:]}_{role}", _role_test(check, role))
    return cls


@tagged("post_install", "-at_install")
@with_matrix_tests
class TestAccessMatrix(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin_env = cls.env(user=cls.admin)
        ids = cls.ids = {}
        ids["company_a"] = cls.admin.company_id.id
        ids["company_b"] = cls.env["res.company"].create({"name": "RL Company B"}).id
        cls.admin.company_ids = [(4, ids["company_b"]), (4, ids["company_a"])]
        # customers: A and A2 shared partners used in company A, B owned by B
        Partner = cls.admin_env["res.partner"]
        for key, name, company in (
            ("cust_a", "RL Customer A", False),
            ("cust_a2", "RL Customer A2", False),
            ("cust_b", "RL Customer B", ids["company_b"]),
        ):
            ids[key] = Partner.create(
                {
                    "name": name,
                    "is_company": True,
                    "customer_rank": 1,
                    "company_id": company,
                    "email": f"{key}@example.com",
                }
            ).id
            ids[f"{key}_contact"] = Partner.create(
                {
                    "name": f"{name} contact",
                    "parent_id": ids[key],
                    "company_id": company,
                    "email": f"{key}.contact@example.com",
                }
            ).id
        # users, one per role
        cls.users = {"admin": cls.admin}
        for role in ROLES:
            if role == "admin":
                continue
            vals = {"name": f"RL {role}"}
            if role == "portal":
                vals["partner_id"] = ids["cust_a_contact"]
                vals["email"] = "cust_a.contact@example.com"
            if role == "user_b":
                vals["company_id"] = ids["company_b"]
                vals["company_ids"] = [(6, 0, [ids["company_b"]])]
            cls.users[role] = new_test_user(
                cls.env,
                login=f"rl_{role}",
                groups=",".join(ROLE_GROUPS[role]),
                **vals,
            )
        # ledger lines: admin grants in company A, user_b grants in company B
        for key in ("cust_a", "cust_a2"):
            ids[f"move_{key}"] = Partner.browse(ids[key]).support_points_grant(
                50, f"RL start {key}"
            )
        user_b_env = cls.env(
            user=cls.users["user_b"],
            context=dict(cls.env.context, allowed_company_ids=[ids["company_b"]]),
        )
        ids["move_cust_b"] = (
            user_b_env["res.partner"]
            .browse(ids["cust_b"])
            .support_points_grant(30, "RL start cust_b")
        )
        Balance = cls.env["support.points.balance"]
        for key, company in (
            ("cust_a", "company_a"),
            ("cust_a2", "company_a"),
            ("cust_b", "company_b"),
        ):
            ids[f"balance_{key}"] = Balance.search(
                [("partner_id", "=", ids[key]), ("company_id", "=", ids[company])]
            ).id
        # company A configuration records the matrix reads, writes and deletes
        ids["rule_a"] = (
            cls.admin_env["support.charge.rule"]
            .create(
                {
                    "name": "RL rule A",
                    "sequence": 999,
                    "ticket_domain": "[('id', '=', 0)]",
                    "points": 2,
                    "company_id": ids["company_a"],
                }
            )
            .id
        )
        ids["tier_a"] = cls.env.ref("support_certification.sla_tier_standard").id
        ids["level_a"] = cls.env.ref(
            "support_certification.certification_level_foundation"
        ).id
        ids["cert_a"] = (
            cls.admin_env["support.certification"]
            .create({"partner_id": ids["cust_a_contact"], "level_id": ids["level_a"]})
            .id
        )
        Letter = cls.admin_env["customer.letter"]
        letter_draft = Letter.create(
            {
                "name": "RL draft letter",
                "subject": "Draft",
                "body": "<p>Draft</p>",
                "company_id": ids["company_a"],
                "segment_ids": [(0, 0, {"name": "RL draft segment", "domain": "[]"})],
            }
        )
        ids["letter_draft"] = letter_draft.id
        ids["segment_draft"] = letter_draft.segment_ids.id
        # a letter asking for an acknowledgement, sent to A and A2 (company A)
        letter_a = Letter.create(
            {
                "name": "RL letter",
                "subject": "Our support terms",
                "body": LETTER_BODY,
                "company_id": ids["company_a"],
                "ack_required": True,
                "segment_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "RL segment",
                            "domain": repr(
                                [("id", "in", [ids["cust_a"], ids["cust_a2"]])]
                            ),
                        },
                    )
                ],
            }
        )
        letter_a.action_approve()
        letter_a.action_send()
        ids["letter_a"] = letter_a.id
        for key in ("cust_a", "cust_a2"):
            recipient = letter_a.recipient_ids.filtered(
                lambda r, k=key: r.customer_id.id == ids[k]
            )
            ids[f"recipient_{key}"] = recipient.id
            ids[f"token_{key}"] = recipient.ack_token
        # customer A2 acknowledges through the public page's methods
        Ack = cls.env(user=cls.env.ref("base.public_user"), context={})[
            "customer.letter.ack"
        ]
        recipient = Ack._find_recipient(
            ids["letter_a"], ids["cust_a2"], ids["token_cust_a2"]
        )
        ids["ack_cust_a2"] = Ack._acknowledge(recipient)[0].id
        cls.env.flush_all()

    # -- helpers -----------------------------------------------------------

    def _as(self, role):
        """A fresh environment of the role's user, as one request has."""
        self.env.invalidate_all()
        return self.env(user=self.users[role], context={})

    def _admin_side(self, model):
        """The admin's view (superuser, archived records too) to check effects."""
        self.env.invalidate_all()
        return self.env(context={"active_test": False})[model]

    def _snapshot(self, model, rec_id, fields):
        rows = self._admin_side(model).browse(rec_id).exists().read(fields)
        return rows[0] if rows else None

    def _refused(self, call):
        """Run call in a savepoint; return the refusal, None if it succeeded.
        Any other exception than a refusal fails the test."""
        try:
            with self.env.cr.savepoint():
                call()
        except REFUSED as exc:
            return exc
        return None

    # -- the matrix --------------------------------------------------------

    def _check_cell(self, model, op, role):
        spec = SPECS[model]
        allowed = role in spec["allowed"][op]
        target = self.ids[spec["target"]]
        fields = spec["read_fields"]
        count_before = self._admin_side(model).search_count([])
        before = self._snapshot(model, target, fields)

        if op == "read":
            if allowed:
                rows = self._as(role)[model].browse(target).read(fields)
                self.assertEqual(rows[0]["id"], target)
            else:
                with self.assertRaises(REFUSED), self.env.cr.savepoint():
                    self._as(role)[model].browse(target).read(fields)
                # and a search does not reveal it either
                found = {}
                self._refused(
                    lambda: found.update(
                        ids=self._as(role)[model].search([("id", "=", target)]).ids
                    )
                )
                self.assertFalse(found.get("ids"), f"{role} found {model} {target}")
        elif op == "create":
            vals = spec["create"](self)
            if allowed:
                record = self._as(role)[model].create(vals)
                self.env.flush_all()
                self.assertEqual(
                    self._admin_side(model).search_count([("id", "=", record.id)]), 1
                )
            else:
                with self.assertRaises(REFUSED), self.env.cr.savepoint():
                    self._as(role)[model].create(vals)
                self.assertEqual(self._admin_side(model).search_count([]), count_before)
        elif op == "write":
            vals = spec["write"]
            if allowed:
                self._as(role)[model].browse(target).write(vals)
                after = self._snapshot(model, target, fields + list(vals))
                for key, value in vals.items():
                    self.assertEqual(after[key], value)
            else:
                with self.assertRaises(REFUSED), self.env.cr.savepoint():
                    self._as(role)[model].browse(target).write(vals)
                after = self._snapshot(model, target, fields + list(vals))
                for key in fields:
                    self.assertEqual(after[key], before[key])
        else:  # unlink
            victim = spec["fresh"](self) if spec["fresh"] else target
            if allowed:
                self._as(role)[model].browse(victim).unlink()
                self.assertFalse(self._admin_side(model).browse(victim).exists())
            else:
                with self.assertRaises(REFUSED), self.env.cr.savepoint():
                    self._as(role)[model].browse(victim).unlink()
                self.assertTrue(self._admin_side(model).browse(victim).exists())
                self.assertEqual(self._snapshot(model, target, fields), before)

    # -- tenant isolation of the figures shown on partners -----------------

    def _check_partner_balance_isolation(self, role):
        """Everybody who reads customer A sees the company A figure; company B
        users read customer A (a shared partner) but see only company B's
        figure (none), never company A's; the portal user reads only their own
        company."""
        ids = self.ids
        rows = (
            self._as(role)["res.partner"]
            .browse(ids["cust_a_contact"])
            .read(BALANCE_FIELDS)
        )
        balance = rows[0]["support_points_balance"]
        if role == "user_b":
            self.assertEqual(balance, 0)
        else:
            expected = (
                self._admin_side("support.points.balance")
                .browse(ids["balance_cust_a"])
                .balance
            )
            self.assertEqual(balance, expected)
            self.assertGreater(balance, 0)
        other = self._refused(
            lambda: self._as(role)["res.partner"]
            .browse(ids["cust_a2"])
            .read(BALANCE_FIELDS)
        )
        if role == "portal":
            self.assertIsNotNone(other, "portal user read another customer's balance")
        else:
            self.assertIsNone(other)
        fault_b = self._refused(
            lambda: self._as(role)["res.partner"]
            .browse(ids["cust_b"])
            .read(BALANCE_FIELDS)
        )
        if role in ("user_b", "admin"):
            self.assertIsNone(fault_b)
        else:
            # customer B belongs to company B: nobody else may even read it
            self.assertIsNotNone(fault_b, f"{role} read company B's customer")

    def _check_balance_search_does_not_leak(self, role):
        """Searching partners by balance returns only partners the user may
        read, and company B's user cannot use it to probe company A's
        balances."""
        ids = self.ids
        found = set(
            self._as(role)["res.partner"]
            .search([("support_points_balance", ">", 10)])
            .ids
        )
        if role == "portal":
            self.assertLessEqual(found, {ids["cust_a"], ids["cust_a_contact"]})
        if role == "user_b":
            # A and A2 have 50 points in company A, none in company B
            self.assertFalse(found & {ids["cust_a"], ids["cust_a2"]})
            self.assertIn(ids["cust_b"], found)
        if role in ("admin", "hd_all", "points_mgr"):
            self.assertLessEqual({ids["cust_a"], ids["cust_a2"]}, found)
