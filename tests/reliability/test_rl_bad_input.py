"""Hostile and wrong inputs over JSON-RPC, table-driven.

Every row calls one public method or model operation as one role with one bad
input.  A refused row must fail with the error a person can act on (class and
text checked) and write nothing (counts before and after); an accepted row
states what must have been stored.  JSON-RPC is used so integers beyond 32
bits reach the server and the error class comes back.
"""

import re
from dataclasses import dataclass, field

import pytest
from rl_rpc import RpcError

USER = "odoo.exceptions.UserError"
VALIDATION = "odoo.exceptions.ValidationError"
ACCESS = "odoo.exceptions.AccessError"
MISSING = "odoo.exceptions.MissingError"
PERSON_ERRORS = (USER, VALIDATION)

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src="x" onerror="alert(1)">'


@dataclass
class Case:
    id: str
    role: str
    model: str
    method: str
    args: object  # callable(world) -> list, or a list
    expect: object  # (error classes, regex) or a callable(world, result)
    kwargs: dict = field(default_factory=dict)
    watch: tuple = ("support.points.move",)
    xfail: str = ""


def _grant(points, note="RL bad input", expiry=False, partner="cust_a"):
    return lambda w: [[w.ids[partner]], points, note, expiry]


def _move(**vals):
    def build(w):
        base = {
            "partner_id": w.ids["cust_a"],
            "company_id": w.ids["company_a"],
            "points": 3,
            "kind": "grant",
            "note": "RL bad move",
        }
        base.update({k: (v(w) if callable(v) else v) for k, v in vals.items()})
        return [base]

    return build


def _rule(domain="[]", **vals):
    return lambda w: [
        {"name": vals.pop("name", "RL rule"), "ticket_domain": domain, **vals}
    ]


def _err(classes, text):
    classes = (classes,) if isinstance(classes, str) else classes
    return (classes, text)


def _grant_ok(points):
    def check(world, result):
        move = world.admin.read("support.points.move", [result], ["points", "kind"])
        assert move[0]["points"] == points and move[0]["kind"] == "grant"

    return check


def _stored_note(note):
    def check(world, result):
        rows = world.admin.read("support.points.move", [result], ["note"])
        # a Char is stored verbatim; views and QWeb escape it on output
        assert rows[0]["note"] == note

    return check


CASES = [
    # -- res.partner.support_points_grant(points, note, expiry_date) -------
    Case(
        "grant-negative",
        "points_mgr",
        "res.partner",
        "support_points_grant",
        _grant(-5),
        _err(USER, r"positive whole number"),
    ),
    Case(
        "grant-zero",
        "points_mgr",
        "res.partner",
        "support_points_grant",
        _grant(0),
        _err(USER, r"positive whole number"),
    ),
    Case(
        "grant-float",
        "points_mgr",
        "res.partner",
        "support_points_grant",
        _grant(2.5),
        _err(USER, r"positive whole number"),
    ),
    Case(
        "grant-string",
        "points_mgr",
        "res.partner",
        "support_points_grant",
        _grant("10"),
        _err(USER, r"positive whole number"),
    ),
    Case(
        "grant-bool",
        "points_mgr",
        "res.partner",
        "support_points_grant",
        _grant(True),
        _err(USER, r"positive whole number"),
    ),
    Case(
        "grant-none",
        "points_mgr",
        "res.partner",
        "support_points_grant",
        _grant(None),
        _err(USER, r"positive whole number"),
    ),
    Case(
        "grant-huge",
        "points_mgr",
        "res.partner",
        "support_points_grant",
        _grant(10**12),
        _err(PERSON_ERRORS, r"(?i)points"),
    ),
    Case(
        "grant-int32-max",
        "points_mgr",
        "res.partner",
        "support_points_grant",
        _grant(2**31 - 1),
        _err(PERSON_ERRORS, r"(?i)points"),
    ),
    Case(
        "grant-past-expiry",
        "points_mgr",
        "res.partner",
        "support_points_grant",
        _grant(5, expiry="2000-01-01"),
        _err(USER, r"in the past"),
    ),
    Case(
        "grant-malformed-date",
        "points_mgr",
        "res.partner",
        "support_points_grant",
        _grant(5, expiry="2024-13-45"),
        _err(PERSON_ERRORS, r"(?i)date"),
    ),
    Case(
        "grant-far-future",
        "points_mgr",
        "res.partner",
        "support_points_grant",
        _grant(5, expiry="9999-12-31"),
        _grant_ok(5),
    ),
    Case(
        "grant-script-note",
        "points_mgr",
        "res.partner",
        "support_points_grant",
        _grant(1, note=SCRIPT + IMG),
        _stored_note(SCRIPT + IMG),
    ),
    Case(
        "grant-two-customers",
        "points_mgr",
        "res.partner",
        "support_points_grant",
        lambda w: [[w.ids["cust_a"], w.ids["cust_a2"]], 5, "RL", False],
        _err(PERSON_ERRORS, r"."),
    ),
    Case(
        "grant-missing-customer",
        "points_mgr",
        "res.partner",
        "support_points_grant",
        lambda w: [[987654321], 5, "RL", False],
        _err((MISSING, USER), r"."),
    ),
    Case(
        "grant-as-helpdesk-user",
        "hd_all",
        "res.partner",
        "support_points_grant",
        _grant(5),
        _err(ACCESS, r"support points manager"),
    ),
    Case(
        "grant-as-portal",
        "portal",
        "res.partner",
        "support_points_grant",
        _grant(5),
        _err(ACCESS, r"."),
    ),
    Case(
        "grant-other-company",
        "points_mgr",
        "res.partner",
        "support_points_grant",
        _grant(5),
        _err(ACCESS, r"(?i)compan"),
        kwargs={"context": {"allowed_company_ids": ["__company_b__"]}},
    ),
    # -- support.points.move.create ---------------------------------------
    Case(
        "move-zero",
        "points_mgr",
        "support.points.move",
        "create",
        _move(points=0),
        _err(USER, r"non-zero"),
    ),
    Case(
        "move-float",
        "points_mgr",
        "support.points.move",
        "create",
        _move(points=1.5),
        _err(USER, r"non-zero"),
    ),
    Case(
        "move-negative-grant",
        "points_mgr",
        "support.points.move",
        "create",
        _move(points=-3),
        _err(USER, r"must add points"),
    ),
    Case(
        "move-positive-consume",
        "points_mgr",
        "support.points.move",
        "create",
        _move(points=3, kind="consume"),
        _err(USER, r"must remove points"),
    ),
    Case(
        "move-past-expiry",
        "points_mgr",
        "support.points.move",
        "create",
        _move(expiry_date="2001-01-01"),
        _err(USER, r"in the past"),
    ),
    Case(
        "move-huge",
        "points_mgr",
        "support.points.move",
        "create",
        _move(points=10**15),
        _err(PERSON_ERRORS, r"(?i)points"),
    ),
    Case(
        "move-company-b",
        "points_mgr",
        "support.points.move",
        "create",
        _move(company_id=lambda w: w.ids["company_b"]),
        _err(ACCESS, r"."),
    ),
    Case(
        "move-as-helpdesk-user",
        "hd_all",
        "support.points.move",
        "create",
        _move(),
        _err(ACCESS, r"."),
    ),
    # -- support.charge.rule (its condition is a domain typed by a person) -
    Case(
        "rule-malformed-domain",
        "points_mgr",
        "support.charge.rule",
        "create",
        _rule("[('channel_id', '=',"),
        _err(VALIDATION, r"cannot be used"),
        watch=("support.charge.rule",),
    ),
    Case(
        "rule-unknown-field",
        "points_mgr",
        "support.charge.rule",
        "create",
        _rule("[('no_such_field', '=', 1)]"),
        _err(VALIDATION, r"cannot be used"),
        watch=("support.charge.rule",),
    ),
    Case(
        "rule-code-injection",
        "points_mgr",
        "support.charge.rule",
        "create",
        _rule("__import__('os').system('touch /tmp/rl_pwned')"),
        _err(VALIDATION, r"cannot be used"),
        watch=("support.charge.rule",),
    ),
    Case(
        "rule-not-a-list",
        "points_mgr",
        "support.charge.rule",
        "create",
        _rule("42"),
        _err(VALIDATION, r"cannot be used"),
        watch=("support.charge.rule",),
    ),
    Case(
        "rule-bad-operator",
        "points_mgr",
        "support.charge.rule",
        "create",
        _rule("[('name', 'sounds like', 'x')]"),
        _err(VALIDATION, r"cannot be used"),
        watch=("support.charge.rule",),
    ),
    Case(
        "rule-as-helpdesk-user",
        "hd_all",
        "support.charge.rule",
        "create",
        _rule(),
        _err(ACCESS, r"."),
        watch=("support.charge.rule",),
    ),
    # -- packs: product.template.support_points ---------------------------
    Case(
        "pack-negative",
        "admin",
        "product.template",
        "create",
        lambda w: [{"name": "RL bad pack", "support_points": -10}],
        _err(VALIDATION, r"negative"),
        watch=("product.template",),
    ),
    # -- searching partners by balance -----------------------------------
    Case(
        "search-balance-like",
        "hd_all",
        "res.partner",
        "search",
        lambda w: [[("support_points_balance", "like", "1")]],
        _err(USER, r"compared with a number"),
        watch=(),
    ),
    # -- SLA: tiers, levels, certifications, tickets ----------------------
    Case(
        "tier-negative-hours",
        "admin",
        "support.sla.tier",
        "create",
        lambda w: [{"name": "RL tier", "response_hours": -1, "resolution_hours": 8}],
        _err(VALIDATION, r"."),
        watch=("support.sla.tier",),
    ),
    Case(
        "level-negative-validity",
        "admin",
        "support.certification.level",
        "create",
        lambda w: [
            {
                "name": "RL level",
                "validity_months": -3,
                "tier_id": w.ref("support_certification.sla_tier_standard"),
            }
        ],
        _err(VALIDATION, r"negative"),
        watch=("support.certification.level",),
    ),
    Case(
        "cert-expires-before-obtained",
        "admin",
        "support.certification",
        "create",
        lambda w: [
            {
                "partner_id": w.ids["cust_a_contact"],
                "level_id": w.ref(
                    "support_certification.certification_level_foundation"
                ),
                "date_obtained": "2025-06-01",
                "date_expiry": "2025-01-01",
            }
        ],
        _err(VALIDATION, r"."),
        watch=("support.certification",),
    ),
    Case(
        "cert-on-a-company",
        "admin",
        "support.certification",
        "create",
        lambda w: [
            {
                "partner_id": w.ids["cust_a"],
                "level_id": w.ref(
                    "support_certification.certification_level_foundation"
                ),
            }
        ],
        _err(VALIDATION, r"."),
        watch=("support.certification",),
    ),
    # -- customer_letters: bodies are HTML, segments hold a typed domain ---
    Case(
        "letter-body-injection",
        "letters_mgr",
        "customer.letter",
        "create",
        lambda w: [
            {
                "name": "RL xss",
                "subject": "x " + SCRIPT,
                "body": "<p>Hi</p>"
                + SCRIPT
                + IMG
                + '<a href="javascript:alert(3)">x</a>',
                "company_id": w.ids["company_a"],
            }
        ],
        lambda w, res: _sanitised(w, "customer.letter", res, "body"),
    ),
    Case(
        "segment-paragraph-injection",
        "letters_mgr",
        "customer.letter.segment",
        "create",
        lambda w: [
            {
                "name": "RL xss seg",
                "letter_id": w.ids["letter_draft"],
                "domain": "[]",
                "paragraph": "<p>P</p>" + SCRIPT + IMG,
            }
        ],
        lambda w, res: _sanitised(w, "customer.letter.segment", res, "paragraph"),
    ),
    Case(
        "segment-malformed-domain",
        "letters_mgr",
        "customer.letter.segment",
        "create",
        lambda w: [
            {
                "name": "RL bad seg",
                "letter_id": w.ids["letter_draft"],
                "domain": "[('name', '=',",
            }
        ],
        _err(VALIDATION, r"not a valid domain"),
        watch=("customer.letter.segment",),
    ),
    Case(
        "segment-code-injection",
        "letters_mgr",
        "customer.letter.segment",
        "create",
        lambda w: [
            {
                "name": "RL evil seg",
                "letter_id": w.ids["letter_draft"],
                "domain": "__import__('os').system('touch /tmp/rl_pwned')",
            }
        ],
        _err(VALIDATION, r"not a valid domain"),
        watch=("customer.letter.segment",),
    ),
    Case(
        "segment-unknown-field",
        "letters_mgr",
        "customer.letter.segment",
        "create",
        lambda w: [
            {
                "name": "RL seg field",
                "letter_id": w.ids["letter_draft"],
                "domain": "[('no_such_field', '=', 1)]",
            }
        ],
        _err(VALIDATION, r"not a valid domain"),
        watch=("customer.letter.segment",),
    ),
    Case(
        "letter-past-grant-expiry",
        "admin",
        "customer.letter",
        "action_approve",
        lambda w: [
            [_letter_with_segment(w, grant_points=5, grant_expiry_date="2001-01-01")]
        ],
        _err(USER, r"not in the future"),
        watch=("customer.letter.recipient",),
    ),
    Case(
        "segment-negative-grant",
        "letters_mgr",
        "customer.letter.segment",
        "create",
        lambda w: [
            {
                "name": "RL seg neg",
                "letter_id": w.ids["letter_draft"],
                "domain": "[]",
                "grant_points": -10,
            }
        ],
        _err(PERSON_ERRORS, r"."),
        watch=("customer.letter.segment",),
    ),
    Case(
        "letter-in-other-company",
        "letters_mgr",
        "customer.letter",
        "create",
        lambda w: [
            {"name": "RL B letter", "subject": "x", "company_id": w.ids["company_b"]}
        ],
        _err(ACCESS, r"."),
        watch=("customer.letter",),
    ),
    Case(
        "letter-send-draft",
        "letters_mgr",
        "customer.letter",
        "action_send",
        lambda w: [[w.ids["letter_draft"]]],
        _err(USER, r"only an approved letter"),
        watch=("customer.letter.recipient", "support.points.move"),
    ),
    Case(
        "letter-approve-as-author",
        "hd_all",
        "customer.letter",
        "action_approve",
        lambda w: [[w.ids["letter_draft"]]],
        _err(ACCESS, r"."),
        watch=("customer.letter.recipient",),
    ),
    # -- helpdesk tickets: HTML description from agents -------------------
    Case(
        "ticket-description-injection",
        "hd_all",
        "helpdesk.ticket",
        "create",
        lambda w: [
            {
                "name": "RL xss ticket",
                "partner_id": w.ids["cust_a_contact"],
                "description": "<p>x</p>" + SCRIPT + IMG,
            }
        ],
        lambda w, res: _sanitised(w, "helpdesk.ticket", res, "description"),
    ),
]


def _letter_with_segment(world, **segment):
    """A draft letter to customer A2 with one segment of these values."""
    return world.admin.create(
        "customer.letter",
        {
            "name": "RL bad grant",
            "subject": "x",
            "body": "<p>x</p>",
            "company_id": world.ids["company_a"],
            "segment_ids": [
                (
                    0,
                    0,
                    dict(
                        name="RL bad grant",
                        domain=repr([("id", "=", world.ids["cust_a2"])]),
                        **segment,
                    ),
                )
            ],
        },
    )


def _sanitised(world, model, rec_id, fname):
    value = world.admin.read(model, [rec_id], [fname])[0][fname] or ""
    lowered = value.lower()
    assert "<script" not in lowered, value
    assert "onerror" not in lowered, value
    assert "javascript:" not in lowered, value


def _resolve(world, value):
    if value == "__company_b__":
        return world.ids["company_b"]
    if isinstance(value, dict):
        return {k: _resolve(world, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(world, v) for v in value]
    return value


def _counts(world, models):
    jadmin = world.jrpc("admin")
    return {
        model: jadmin.call(model, "search_count", [], context={"active_test": False})
        for model in models
    }


PARAMS = [
    pytest.param(c, id=c.id, marks=pytest.mark.xfail(strict=True, reason=c.xfail))
    if c.xfail
    else pytest.param(c, id=c.id)
    for c in CASES
]


@pytest.mark.parametrize("case", PARAMS)
def test_bad_input(rl_world, case):
    world = rl_world
    args = case.args(world) if callable(case.args) else case.args
    kwargs = _resolve(world, case.kwargs)
    watch = tuple(
        dict.fromkeys(case.watch + ((case.model,) if case.method == "create" else ()))
    )
    before = _counts(world, watch)
    try:
        result = world.jrpc(case.role).call(case.model, case.method, *args, **kwargs)
        error = None
    except RpcError as exc:
        error, result = exc, None
    if callable(case.expect):
        assert error is None, f"refused: {error}\n{getattr(error, 'debug', '')[-800:]}"
        case.expect(world, result)
        return
    classes, text = case.expect
    assert error is not None, f"accepted: {result!r}"
    assert not error.is_server_error, (
        f"server error instead of a clear one: {error.name}: {error.message}\n"
        f"{error.debug[-1500:]}"
    )
    assert error.name in classes, f"{error.name}: {error.message}"
    assert re.search(text, error.message), error.message
    assert _counts(world, watch) == before, "something was written"
