"""The support points portal page's sudo sites cannot be used to escalate.

The page reads packs, charge rules and draft invoices, and creates a draft
invoice for a pack request, on behalf of a portal user who may read none of
them: whatever the request says, only the user's own company's packs, in
the current company, end up in a draft invoice of the user's own customer,
never posted, never crediting points.
"""

import re

from rl_rpc import web_session


def _token(session, url):
    page = session.get(f"{url}/my/support-points", timeout=60)
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page offers a pack request form"
    return page, found.group(1)


def _pack_requests(world, partner_key):
    return world.admin.call(
        "account.move",
        "search_read",
        [
            ("partner_id", "=", world.ids[partner_key]),
            ("move_type", "=", "out_invoice"),
        ],
        ["state", "company_id", "amount_untaxed"],
        context={
            "allowed_company_ids": [world.ids["company_a"], world.ids["company_b"]]
        },
    )


def _balance(world, partner_key):
    return world.admin.read(
        "res.partner", [world.ids[partner_key]], ["support_points_balance"]
    )[0]["support_points_balance"]


def test_portal_pack_request_stays_within_own_company(rl_world):
    world = rl_world
    ids = world.ids
    admin = world.admin
    url = world.server.url
    pack_a = admin.create(
        "product.product",
        {
            "name": "RL portal pack A",
            "type": "service",
            "list_price": 100.0,
            "support_points": 3,
            "sale_ok": True,
            "company_id": ids["company_a"],
        },
    )
    pack_b = admin.call(
        "product.product",
        "create",
        {
            "name": "RL portal pack B",
            "type": "service",
            "support_points": 9,
            "sale_ok": True,
            "company_id": ids["company_b"],
        },
        context={"allowed_company_ids": [ids["company_b"], ids["company_a"]]},
    )
    chair = admin.create("product.product", {"name": "RL chair", "type": "consu"})
    session = web_session(url, world.server.db, "rl_portal", "rl_portal")
    page, token = _token(session, url)
    # what a point buys: company A's rule, read for the page only
    assert "RL rule A" in page.text
    assert "RL portal pack A" in page.text
    assert "RL portal pack B" not in page.text
    before = _balance(world, "cust_a")
    request = f"{url}/my/support-points/request"
    for forged in (pack_b, chair, "x", ""):
        session.post(request, data={"csrf_token": token, "pack_id": forged}, timeout=60)
    # company B through the company cookie: still not a pack of the user's
    session.cookies.set("cids", str(ids["company_b"]))
    session.post(request, data={"csrf_token": token, "pack_id": pack_b}, timeout=60)
    assert not _pack_requests(world, "cust_a")
    session.cookies.set("cids", str(ids["company_a"]))
    session.post(request, data={"csrf_token": token, "pack_id": pack_a}, timeout=60)
    session.post(request, data={"csrf_token": token, "pack_id": pack_a}, timeout=60)
    requests_a = _pack_requests(world, "cust_a")
    assert len(requests_a) == 1
    assert requests_a[0]["state"] == "draft"
    assert requests_a[0]["company_id"][0] == ids["company_a"]
    assert requests_a[0]["amount_untaxed"] == 100.0
    # the request credits nothing: points come with the posted invoice
    assert _balance(world, "cust_a") == before
    # and nobody else got one
    assert not _pack_requests(world, "cust_a2")
    assert not _pack_requests(world, "cust_b")
