"""Acknowledgement links of customer letters, attacked over HTTP.

The link is /letters/ack/<letter>/<customer>?token=<secret>.  A forged, reused
or misdirected link must get the friendly "invalid" page (404, never a 500)
and write nothing; a GET never acknowledges; a POST with the right token
acknowledges exactly once, even when sent twice at the same time.
"""

import concurrent.futures
import secrets

import pytest
import requests


def _acks(world):
    return world.admin.count("customer.letter.ack", [])


def _post(world, letter, customer, data):
    return requests.post(
        f"{world.server.url}/letters/ack/{letter}/{customer}/confirm",
        data=data,
        timeout=60,
    )


def _forgeries(w):
    good = w.ids["token_cust_a"]
    letter, cust = w.ids["letter_a"], w.ids["cust_a"]
    flipped = good[:-1] + ("A" if good[-1] != "A" else "B")
    return {
        "no-token": (letter, cust, {}),
        "empty-token": (letter, cust, {"token": ""}),
        "random-token": (letter, cust, {"token": secrets.token_urlsafe(24)}),
        "one-char-off": (letter, cust, {"token": flipped}),
        "prefix-only": (letter, cust, {"token": good[:8]}),
        "other-customers-token": (letter, cust, {"token": w.ids["token_cust_a2"]}),
        "preview-token": (letter, cust, {"token": "preview"}),
        "right-token-wrong-letter": (w.ids["letter_draft"], cust, {"token": good}),
        "right-token-wrong-customer": (letter, w.ids["cust_a2"], {"token": good}),
        "company-b-customer": (letter, w.ids["cust_b"], {"token": good}),
        "unknown-letter": (987654, cust, {"token": good}),
        "sql-injection": (letter, cust, {"token": "' OR '1'='1' --"}),
        "huge-token": (letter, cust, {"token": "A" * 20000}),
        "html-token": (letter, cust, {"token": "<script>alert(1)</script>"}),
    }


FORGERIES = [
    "no-token",
    "empty-token",
    "random-token",
    "one-char-off",
    "prefix-only",
    "other-customers-token",
    "preview-token",
    "right-token-wrong-letter",
    "right-token-wrong-customer",
    "company-b-customer",
    "unknown-letter",
    "sql-injection",
    "huge-token",
    "html-token",
]


@pytest.mark.parametrize("name", FORGERIES)
def test_forged_ack(rl_world, name):
    world = rl_world
    letter, customer, data = _forgeries(world)[name]
    before = _acks(world)
    resp = _post(world, letter, customer, data)
    assert resp.status_code == 404, (resp.status_code, resp.text[-500:])
    assert "<script>alert(1)</script>" not in resp.text
    # the GET page refuses it the same way
    page = requests.get(
        f"{world.server.url}/letters/ack/{letter}/{customer}", params=data, timeout=60
    )
    assert page.status_code == 404, page.status_code
    assert _acks(world) == before


def test_get_never_acknowledges(rl_world):
    world = rl_world
    before = _acks(world)
    page = requests.get(
        f"{world.server.url}/letters/ack/{world.ids['letter_a']}/{world.ids['cust_a']}",
        params={"token": world.ids["token_cust_a"]},
        timeout=60,
    )
    assert page.status_code == 200
    assert _acks(world) == before


def test_ack_once(rl_world):
    """Two simultaneous confirmations with the right token: one ack."""
    world = rl_world
    ids = world.ids
    before = _acks(world)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        responses = list(
            pool.map(
                lambda _: _post(
                    world,
                    ids["letter_a"],
                    ids["cust_a"],
                    {"token": ids["token_cust_a"]},
                ),
                range(4),
            )
        )
    assert all(r.status_code == 200 for r in responses), [
        r.status_code for r in responses
    ]
    assert _acks(world) == before + 1
    acks = world.admin.search_read(
        "customer.letter.ack",
        [("recipient_id", "=", ids["recipient_cust_a"])],
        ["partner_id", "letter_id"],
    )
    assert len(acks) == 1
    assert acks[0]["partner_id"][0] == ids["cust_a"]
    # replaying the link later changes nothing either
    assert _post(
        world, ids["letter_a"], ids["cust_a"], {"token": ids["token_cust_a"]}
    ).ok
    assert _acks(world) == before + 1


def test_tokens_are_unguessable(rl_world):
    """Tokens are distinct, long, and hidden from everyone but administrators."""
    world = rl_world
    tokens = [world.ids["token_cust_a"], world.ids["token_cust_a2"]]
    assert len(set(tokens)) == 2
    assert all(len(t) >= 32 for t in tokens)
    for role in ("letters_mgr", "hd_all", "portal"):
        rpc = world.rpc(role)
        try:
            rows = rpc.read(
                "customer.letter.recipient",
                [world.ids["recipient_cust_a"]],
                ["ack_token"],
            )
        except Exception as exc:  # noqa: BLE001 - refused is the expected answer
            assert (
                "ack_token" in str(exc)
                or "not allowed" in str(exc)
                or "access" in str(exc).lower()
            )
            continue
        assert world.ids["token_cust_a"] not in str(rows)
