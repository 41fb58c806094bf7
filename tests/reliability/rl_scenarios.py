"""Data builders shared by the reliability tests (over RPC, as admin)."""

from rl_load import run_parallel

CLOSED_STAGE = "helpdesk_mgmt.helpdesk_ticket_stage_done"
HELPDESK_USER = "helpdesk_mgmt.group_helpdesk_user"


def make_users(admin, prefix, count, groups, company_id=None):
    """Internal users login=password=<prefix><n>; returns their logins."""
    group_ids = [admin.ref("base.group_user")] + [admin.ref(g) for g in groups]
    vals_list = []
    logins = [f"{prefix}{n}" for n in range(count)]
    for login in logins:
        vals = {
            "name": login,
            "login": login,
            "password": login,
            "groups_id": [(6, 0, group_ids)],
        }
        if company_id:
            vals.update(company_id=company_id, company_ids=[(6, 0, [company_id])])
        vals_list.append(vals)
    admin.call("res.users", "create", vals_list, context={"no_reset_password": True})
    return logins


def make_customer(admin, name, contacts=1):
    company = admin.create(
        "res.partner",
        {
            "name": name,
            "is_company": True,
            "email": f"{name.lower().replace(' ', '.')}@example.com",
        },
    )
    people = admin.call(
        "res.partner",
        "create",
        [
            {
                "name": f"{name} contact {n}",
                "parent_id": company,
                "email": f"c{n}.{company}@example.com",
            }
            for n in range(contacts)
        ],
    )
    return company, people


def make_tickets(admin, partner_id, count, extra=None, chunk=50):
    ids = []
    for start in range(0, count, chunk):
        vals = [
            {
                "name": f"Load ticket {n}",
                "description": f"<p>Load ticket {n}</p>",
                "partner_id": partner_id,
                **(extra or {}),
            }
            for n in range(start, min(count, start + chunk))
        ]
        ids += admin.call(
            "helpdesk.ticket", "create", vals, context={"tracking_disable": True}
        )
    return ids


def close_in_parallel(server, logins, ticket_ids, stage_id, extra_tasks=()):
    """Clients (one per login) close their share of tickets one by one.

    Returns the results of every client.
    """
    shares = [ticket_ids[i :: len(logins)] for i in range(len(logins))]
    tasks = [
        {
            "kind": "close",
            "url": server.url,
            "db": server.db,
            "login": login,
            "password": login,
            "items": [
                ("helpdesk.ticket", "write", [[tid], {"stage_id": stage_id}], {})
                for tid in share
            ],
        }
        for login, share in zip(logins, shares, strict=True)
    ]
    for task in extra_tasks:
        tasks.append({"url": server.url, "db": server.db, **task})
    return run_parallel(tasks)
