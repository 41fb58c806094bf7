"""A small multi-company world with one user per role, built over RPC.

Company A (the main company) has two customers, ``cust_a`` (whose contact is
the portal user) and ``cust_a2``; company B has ``cust_b``.  Each customer has
ledger lines in its company.  Roles:

- ``portal``: portal user, contact of ``cust_a``
- ``hd_own``: helpdesk user, own tickets only
- ``hd_all``: helpdesk user, all tickets
- ``points_mgr``: support points manager
- ``letters_mgr``: letters manager
- ``admin``: the administrator
- ``user_b``: a user of company B only, with every manager group of the suite
"""

import requests
from rl_rpc import JsonRpc, Rpc

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
    "hd_own": ["helpdesk_mgmt.group_helpdesk_user_own"],
    "hd_all": ["helpdesk_mgmt.group_helpdesk_user"],
    "points_mgr": ["support_points.group_support_points_manager"],
    "letters_mgr": ["customer_letters.group_letters_manager"],
    "user_b": [
        "support_points.group_support_points_manager",
        "customer_letters.group_letters_manager",
        "support_certification.group_sla_manager",
        "helpdesk_mgmt.group_helpdesk_manager",
    ],
}


class World:
    """Ids of what was built, and an Rpc per role (password = login)."""

    def __init__(self, server):
        self.server = server
        self.admin = server.rpc("admin", "admin")
        self.ids = {}
        self._rpcs = {"admin": self.admin}

    def rpc(self, role):
        if role not in self._rpcs:
            login = f"rl_{role}"
            self._rpcs[role] = Rpc(self.server.url, self.server.db, login, login)
        return self._rpcs[role]

    def jrpc(self, role):
        """JSON-RPC client of a role (typed errors, unbounded integers)."""
        key = f"json:{role}"
        if key not in self._rpcs:
            login = "admin" if role == "admin" else f"rl_{role}"
            self._rpcs[key] = JsonRpc(self.server.url, self.server.db, login, login)
        return self._rpcs[key]

    def ref(self, xmlid):
        return self.admin.ref(xmlid)


def build_world(server):
    world = World(server)
    admin = world.admin
    ids = world.ids
    ids["company_a"] = admin.call("res.users", "read", [2], ["company_id"])[0][
        "company_id"
    ][0]
    ids["company_b"] = admin.create("res.company", {"name": "RL Company B"})
    admin.write(
        "res.users",
        [2],
        {"company_ids": [(4, ids["company_b"]), (4, ids["company_a"])]},
    )
    # customers: A and A2 shared partners used in company A, B owned by company B
    for key, name, company in (
        ("cust_a", "RL Customer A", False),
        ("cust_a2", "RL Customer A2", False),
        ("cust_b", "RL Customer B", ids["company_b"]),
    ):
        ids[key] = admin.create(
            "res.partner",
            {
                "name": name,
                "is_company": True,
                "customer_rank": 1,
                "company_id": company,
                "email": f"{key}@example.com",
            },
        )
        ids[f"{key}_contact"] = admin.create(
            "res.partner",
            {
                "name": f"{name} contact",
                "parent_id": ids[key],
                "company_id": company,
                "email": f"{key}.contact@example.com",
            },
        )
    # users
    user_group = world.ref("base.group_user")
    for role in ROLES:
        if role == "admin":
            continue
        login = f"rl_{role}"
        if role == "portal":
            vals = {
                "name": "RL portal",
                "login": login,
                "password": login,
                "partner_id": ids["cust_a_contact"],
                "groups_id": [(6, 0, [world.ref("base.group_portal")])],
            }
        else:
            groups = [user_group] + [world.ref(x) for x in ROLE_GROUPS[role]]
            vals = {
                "name": f"RL {role}",
                "login": login,
                "password": login,
                "groups_id": [(6, 0, groups)],
            }
            if role == "user_b":
                vals["company_id"] = ids["company_b"]
                vals["company_ids"] = [(6, 0, [ids["company_b"]])]
        ids[f"user_{role}"] = admin.call(
            "res.users", "create", vals, context={"no_reset_password": True}
        )
    ids["user_admin"] = 2
    # ledger lines: admin grants in company A, user_b grants in company B
    for key in ("cust_a", "cust_a2"):
        ids[f"move_{key}"] = admin.call(
            "res.partner",
            "support_points_grant",
            [ids[key]],
            50,
            f"RL start {key}",
        )
    ids["move_cust_b"] = world.rpc("user_b").call(
        "res.partner",
        "support_points_grant",
        [ids["cust_b"]],
        30,
        "RL start cust_b",
        context={"allowed_company_ids": [ids["company_b"]]},
    )
    ids["balance_cust_a"] = admin.search(
        "support.points.balance", [("partner_id", "=", ids["cust_a"])]
    )[0]
    ids["balance_cust_a2"] = admin.search(
        "support.points.balance", [("partner_id", "=", ids["cust_a2"])]
    )[0]
    ids["balance_cust_b"] = admin.call(
        "support.points.balance",
        "search",
        [("partner_id", "=", ids["cust_b"])],
        context={"allowed_company_ids": [ids["company_b"]]},
    )[0]
    # company A configuration records the matrix reads, writes and deletes
    ids["rule_a"] = admin.create(
        "support.charge.rule",
        {
            "name": "RL rule A",
            "sequence": 999,
            "ticket_domain": "[('id', '=', 0)]",
            "points": 2,
            "company_id": ids["company_a"],
        },
    )
    ids["tier_a"] = world.ref("support_certification.sla_tier_standard")
    ids["level_a"] = world.ref("support_certification.certification_level_foundation")
    ids["cert_a"] = admin.create(
        "support.certification",
        {"partner_id": ids["cust_a_contact"], "level_id": ids["level_a"]},
    )
    ids["letter_draft"] = admin.create(
        "customer.letter",
        {
            "name": "RL draft letter",
            "subject": "Draft",
            "body": "<p>Draft</p>",
            "company_id": ids["company_a"],
            "segment_ids": [(0, 0, {"name": "RL draft segment", "domain": "[]"})],
        },
    )
    ids["segment_draft"] = admin.read(
        "customer.letter", [ids["letter_draft"]], ["segment_ids"]
    )[0]["segment_ids"][0]
    # a letter asking for an acknowledgement, sent to A and A2 (company A)
    ids["letter_a"] = make_sent_letter(
        admin, ids["company_a"], [ids["cust_a"], ids["cust_a2"]]
    )
    for key in ("cust_a", "cust_a2"):
        rec = admin.search_read(
            "customer.letter.recipient",
            [("letter_id", "=", ids["letter_a"]), ("customer_id", "=", ids[key])],
            ["ack_token"],
        )[0]
        ids[f"recipient_{key}"] = rec["id"]
        ids[f"token_{key}"] = rec["ack_token"]
    # customer A2 acknowledges through the public page
    resp = requests.post(
        f"{server.url}/letters/ack/{ids['letter_a']}/{ids['cust_a2']}/confirm",
        data={"token": ids["token_cust_a2"]},
        timeout=60,
    )
    resp.raise_for_status()
    ids["ack_cust_a2"] = admin.search(
        "customer.letter.ack", [("recipient_id", "=", ids["recipient_cust_a2"])]
    )[0]
    return world


LETTER_BODY = (
    "<p>Dear {{ object.contact_name }}, your balance is "
    "{{ object.points_balance }} points.</p>"
    '<p><a href="{{ object.ack_url }}">I have read the terms</a></p>'
)


def make_sent_letter(admin, company_id, customer_ids, grant=0, send=True, name="RL"):
    """A letter to exactly these customers, approved (and sent) by the admin."""
    segment = {
        "name": f"{name} segment",
        "domain": repr([("id", "in", list(customer_ids))]),
    }
    if grant:
        segment["grant_points"] = grant
    letter = admin.create(
        "customer.letter",
        {
            "name": f"{name} letter",
            "subject": "Our support terms",
            "body": LETTER_BODY,
            "company_id": company_id,
            "ack_required": True,
            "segment_ids": [(0, 0, segment)],
        },
    )
    admin.call("customer.letter", "action_approve", [letter])
    if send:
        admin.call("customer.letter", "action_send", [letter])
    return letter
