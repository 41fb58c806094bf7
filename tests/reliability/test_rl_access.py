"""Access matrix over XML-RPC against a real server: one test per cell.

Each cell (model, operation, role) states who may do it.  An allowed cell must
succeed and have its effect; a refused cell must fail with an access or user
error (never a server error) and leave the database as it was.
"""

import xmlrpc.client

import pytest
from rl_rpc import FAULT_ACCESS, FAULT_APPLICATION, FAULT_USER
from rl_world import ROLES

ALL = set(ROLES)
INTERNAL_A = {"hd_own", "hd_all", "points_mgr", "letters_mgr", "admin"}


@pytest.fixture
def world(rl_world):
    return rl_world


def refused(call):
    """Run call; return the fault if it was refused, None if it succeeded."""
    try:
        call()
    except xmlrpc.client.Fault as exc:
        assert exc.faultCode != FAULT_APPLICATION, (
            f"server error instead of a refusal:\n{exc.faultString[-1500:]}"
        )
        assert exc.faultCode in (FAULT_ACCESS, FAULT_USER), exc.faultString
        return exc
    return None


# ---------------------------------------------------------------------------
# Cell specifications
#   read:   read the target record (a record of customer A in company A)
#   create: create a new record in company A
#   write:  change a harmless field of the target record
#   unlink: delete a record made for the cell by the admin
# Each returns a checker (admin side) that tells whether the effect happened.
# ---------------------------------------------------------------------------


def _grant_vals(world):
    return {
        "partner_id": world.ids["cust_a"],
        "company_id": world.ids["company_a"],
        "points": 7,
        "kind": "grant",
        "note": "RL matrix create",
    }


LETTERS = {"letters_mgr", "admin"}
EVERY_INTERNAL_A = INTERNAL_A  # base.group_user of company A


def _fresh(model, vals):
    """Unlink cells delete a record the admin makes for them."""
    return lambda w: w.admin.create(model, vals(w) if callable(vals) else vals)


SPECS = {
    "support.points.move": {
        "target": "move_cust_a",
        "read_fields": ["points", "kind", "partner_id", "remaining"],
        "create": _grant_vals,
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
        "create": lambda w: {
            "partner_id": w.ids["cust_a2_contact"],
            "company_id": w.ids["company_a"],
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
        "create": lambda w: {
            "name": "RL new rule",
            "ticket_domain": "[('id', '=', 0)]",
            "points": 3,
            "company_id": w.ids["company_a"],
        },
        "write": {"points": 9},
        "fresh": _fresh(
            "support.charge.rule",
            lambda w: {
                "name": "RL doomed rule",
                "ticket_domain": "[('id', '=', 0)]",
                "company_id": w.ids["company_a"],
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
        "create": lambda w: {
            "name": "RL tier",
            "response_hours": 2,
            "resolution_hours": 10,
            "company_id": w.ids["company_a"],
        },
        "write": {"color": 3},
        "fresh": _fresh(
            "support.sla.tier",
            lambda w: {
                "name": "RL doomed tier",
                "response_hours": 1,
                "resolution_hours": 2,
                "company_id": w.ids["company_a"],
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
        "create": lambda w: {"name": "RL level", "tier_id": w.ids["tier_a"]},
        "write": {"sequence": 77},
        "fresh": _fresh(
            "support.certification.level",
            lambda w: {"name": "RL doomed level", "tier_id": w.ids["tier_a"]},
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
        "create": lambda w: {
            "partner_id": w.ids["cust_a2_contact"],
            "level_id": w.ids["level_a"],
        },
        "write": {"date_expiry": "2031-01-31"},
        "fresh": _fresh(
            "support.certification",
            lambda w: {
                "partner_id": w.ids["cust_a2_contact"],
                "level_id": w.ids["level_a"],
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
        "create": lambda w: {
            "name": "RL new letter",
            "subject": "New",
            "body": "<p>New</p>",
            "company_id": w.ids["company_a"],
        },
        "write": {"subject": "RL changed subject"},
        "fresh": _fresh(
            "customer.letter",
            lambda w: {
                "name": "RL doomed letter",
                "subject": "Doomed",
                "company_id": w.ids["company_a"],
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
        "create": lambda w: {
            "name": "RL new segment",
            "letter_id": w.ids["letter_draft"],
            "domain": "[]",
        },
        "write": {"name": "RL renamed segment"},
        "fresh": _fresh(
            "customer.letter.segment",
            lambda w: {
                "name": "RL doomed segment",
                "letter_id": w.ids["letter_draft"],
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
        "create": lambda w: {
            "letter_id": w.ids["letter_a"],
            "customer_id": w.ids["cust_b"],
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
        "create": lambda w: {
            "letter_id": w.ids["letter_a"],
            "recipient_id": w.ids["recipient_cust_a"],
            "partner_id": w.ids["cust_a"],
        },
        "write": {"date": "2020-01-01 00:00:00"},
        "fresh": None,
        "allowed": {
            "read": LETTERS,
            "create": set(),
            "write": set(),
            "unlink": set(),
        },
    },
}

CELLS = [
    (model, op, role)
    for model in SPECS
    for op in ("read", "create", "write", "unlink")
    for role in ROLES
]


def _snapshot(world, model, rec_id, fields):
    rows = world.admin.call(
        model, "read", [rec_id], fields, context={"active_test": False}
    )
    return rows[0] if rows else None


@pytest.mark.parametrize(
    "model,op,role", CELLS, ids=[f"{m}-{o}-{r}" for m, o, r in CELLS]
)
def test_access_cell(world, model, op, role):
    spec = SPECS[model]
    allowed = role in spec["allowed"][op]
    rpc = world.rpc(role)
    admin = world.admin
    target = world.ids[spec["target"]]
    fields = spec["read_fields"]
    count_before = admin.count(model, [])
    before = _snapshot(world, model, target, fields)

    if op == "read":
        result = {}

        def call():
            result["rows"] = rpc.read(model, [target], fields)

        fault = refused(call)
        if allowed:
            assert fault is None, f"{role} could not read {model}: {fault}"
            assert result["rows"][0]["id"] == target
        else:
            assert fault is not None, f"{role} read {model} {result.get('rows')}"
            # and a search does not reveal it either
            found = None
            if refused(lambda: rpc.search(model, [("id", "=", target)])) is None:
                found = rpc.search(model, [("id", "=", target)])
            assert not found
    elif op == "create":
        vals = spec["create"](world)
        created = {}

        def call():
            created["id"] = rpc.create(model, vals)

        fault = refused(call)
        if allowed:
            assert fault is None, f"{role} could not create {model}: {fault}"
            assert admin.count(model, [("id", "=", created["id"])]) == 1
        else:
            assert fault is not None, f"{role} created {model} {created}"
            assert admin.count(model, []) == count_before
    elif op == "write":
        vals = spec["write"]
        fault = refused(lambda: rpc.write(model, [target], vals))
        after = _snapshot(world, model, target, fields + list(vals))
        if allowed:
            assert fault is None, f"{role} could not write {model}: {fault}"
            for key, value in vals.items():
                assert after[key] == value
        else:
            assert fault is not None, f"{role} wrote {vals} on {model}"
            for key in fields:
                assert after[key] == before[key]
    else:  # unlink
        victim = spec["fresh"](world) if spec["fresh"] else target
        fault = refused(lambda: rpc.call(model, "unlink", [victim]))
        exists = admin.count(model, [("id", "=", victim)])
        if allowed:
            assert fault is None, f"{role} could not delete {model}: {fault}"
            assert not exists
        else:
            assert fault is not None, f"{role} deleted {model} {victim}"
            assert exists
            assert _snapshot(world, model, target, fields) == before


# ---------------------------------------------------------------------------
# Tenant isolation of the figures shown on partners
# ---------------------------------------------------------------------------

BALANCE_FIELDS = [
    "support_points_balance",
    "support_points_expiry_date",
    "support_points_expiring",
]


@pytest.mark.parametrize("role", ROLES)
def test_partner_balance_isolation(world, role):
    """Everybody who reads customer A sees the company A figure; company B
    users read customer A (a shared partner) but see only company B's figure
    (none), never company A's; the portal user reads only their own company."""
    rpc = world.rpc(role)
    ids = world.ids
    own = {}
    fault = refused(
        lambda: own.update(
            rows=rpc.read("res.partner", [ids["cust_a_contact"]], BALANCE_FIELDS)
        )
    )
    assert fault is None, fault
    balance = own["rows"][0]["support_points_balance"]
    if role == "user_b":
        assert balance == 0
    else:
        assert (
            balance
            == world.admin.read(
                "support.points.balance", [ids["balance_cust_a"]], ["balance"]
            )[0]["balance"]
        )
        assert balance > 0
    other = refused(lambda: rpc.read("res.partner", [ids["cust_a2"]], BALANCE_FIELDS))
    if role == "portal":
        assert other is not None, "portal user read another customer's balance"
    else:
        assert other is None, other
    b_side = {}
    fault_b = refused(
        lambda: b_side.update(
            rows=rpc.read("res.partner", [ids["cust_b"]], BALANCE_FIELDS)
        )
    )
    if role in ("user_b", "admin"):
        assert fault_b is None, fault_b
    else:
        # customer B belongs to company B: nobody else may even read it
        assert fault_b is not None, f"{role} read company B's customer {b_side}"


@pytest.mark.parametrize("role", ROLES)
def test_balance_search_does_not_leak(world, role):
    """Searching partners by balance returns only partners the user may read,
    and company B's user cannot use it to probe company A's balances."""
    rpc = world.rpc(role)
    ids = world.ids
    found = set(rpc.search("res.partner", [("support_points_balance", ">", 10)]))
    if role == "portal":
        assert found <= {ids["cust_a"], ids["cust_a_contact"]}
    if role == "user_b":
        # A and A2 have 50 points in company A, none in company B
        assert not found & {ids["cust_a"], ids["cust_a2"]}
        assert ids["cust_b"] in found
    if role in ("admin", "hd_all", "points_mgr"):
        assert {ids["cust_a"], ids["cust_a2"]} <= found
