"""Screenshots of the add-ons' main screens, taken in headless chromium.

Logs in over JSON-RPC, hands the session cookie to a headless chromium driven
through the DevTools protocol (websocket-client, already a test dependency),
opens each screen at the desktop width and, for the agent's ticket and the
portal pages, at a phone width, waits until the web client has rendered it
and saves a PNG. Nothing is written to the database.
"""

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar

import websocket

DESKTOP = (1440, 900)
PHONE = (390, 844)

# (file name, path or a callable(rpc) returning one, sizes)
SCREENS = [
    (
        "tickets-list",
        "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action?view_type=list",
    ),
    (
        "tickets-kanban",
        "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action?view_type=kanban",
    ),
    ("ticket-form", "ticket", (DESKTOP, PHONE)),
    ("points-ledger", "/odoo/action-support_points.support_points_move_action"),
    ("charge-rules", "/odoo/action-support_points.support_charge_rule_action"),
    ("sla-tiers", "/odoo/action-support_certification.support_sla_tier_action"),
    (
        "certifications",
        "/odoo/action-support_certification.support_certification_action",
    ),
    ("sla-report", "/odoo/action-support_certification.support_sla_report_action"),
    (
        "sla-report-graph",
        "/odoo/action-support_certification.support_sla_report_action?view_type=graph",
    ),
    (
        "helpdesk-dashboard",
        "/odoo/action-helpdesk_mgmt.helpdesk_ticket_dashboard_action",
    ),
    ("letters", "/odoo/action-customer_letters.customer_letter_action"),
    ("letter-form", "letter"),
    ("letter-effect", "/odoo/action-customer_letters.customer_letter_effect_action"),
    (
        "letter-effect-pivot",
        "/odoo/action-customer_letters.customer_letter_effect_action?view_type=pivot",
    ),
    (
        "letter-effect-segments",
        "/odoo/action-customer_letters.customer_letter_report_action",
    ),
    ("portal-points", "/my/support-points", (DESKTOP, PHONE)),
    (
        "points-ledger-graph",
        "/odoo/action-support_points.support_points_move_action?view_type=graph",
    ),
    (
        "points-ledger-pivot",
        "/odoo/action-support_points.support_points_move_action?view_type=pivot",
    ),
    ("points-packs", "/odoo/action-support_points.support_points_pack_action"),
    ("points-grant", "/odoo/action-support_points.support_points_grant_wizard_action"),
    ("portal-home", "/my/home", (DESKTOP, PHONE)),
    (
        "work-auth-ticket",
        lambda rpc: "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{}".format(
            *rpc.search("helpdesk.ticket", [("work_auth_visit_ids", "!=", False)])
        ),
        (DESKTOP, PHONE),
    ),
    # support_retention
    (
        "retention-at-risk",
        "/odoo/action-support_retention.support_retention_score_action",
    ),
    (
        "retention-reasons",
        lambda rpc: "/odoo/action-support_retention.support_retention_score_action/"
        "{}".format(
            *rpc.search(
                "support.retention.score",
                [("is_latest", "=", True)],
                order="score, id",
            )
        ),
    ),
    (
        "retention-history",
        "/odoo/action-support_retention.support_retention_score_action_history",
    ),
    (
        "retention-signals",
        "/odoo/action-support_retention.support_retention_signal_action",
    ),
    (
        "retention-partner",
        lambda rpc: "/odoo/res.partner/{}".format(
            *rpc.search("res.partner", [("support_retention_band", "=", "at_risk")])
        ),
    ),
    (
        "retention-backtest",
        "/odoo/action-support_retention.support_retention_backtest_action",
    ),
    (
        "retention-ticket",
        lambda rpc: "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{}".format(
            *rpc.search(
                "helpdesk.ticket",
                [
                    (
                        "commercial_partner_id",
                        "in",
                        rpc.search(
                            "res.partner",
                            [("support_retention_band", "=", "at_risk")],
                        ),
                    )
                ],
            )
        ),
        (DESKTOP, PHONE),
    ),
    (
        "portal-work-auth-accept",
        lambda rpc: "/my/orders/{}".format(
            *rpc.search(
                "sale.order", [("work_auth_id", "!=", False), ("state", "=", "sent")]
            )
        ),
        (DESKTOP, PHONE),
    ),
]


class Rpc:
    def __init__(self, url, db, login, password):
        self.url = url.rstrip("/")
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar)
        )
        self.call(
            "/web/session/authenticate",
            {"db": db, "login": login, "password": password},
        )

    def call(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params})
        request = urllib.request.Request(
            self.url + path,
            body.encode(),
            {"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=120) as response:
            answer = json.load(response)
        if answer.get("error"):
            raise SystemExit(f"error: {path}: {answer['error']['data']['message']}")
        return answer["result"]

    def search(self, model, domain, order="id desc"):
        return self.call(
            "/web/dataset/call_kw",
            {
                "model": model,
                "method": "search",
                "args": [domain],
                "kwargs": {"limit": 1, "order": order},
            },
        )

    @property
    def session_id(self):
        return next(c.value for c in self.jar if c.name == "session_id")


def resolve(rpc, target):
    if callable(target):
        return target(rpc)
    if target == "ticket":
        ids = rpc.search(
            "helpdesk.ticket", [("stage_id.closed", "=", False)]
        ) or rpc.search("helpdesk.ticket", [])
        return f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ids[0]}"
    if target == "letter":
        ids = rpc.search("customer.letter", [])
        return f"/odoo/action-customer_letters.customer_letter_action/{ids[0]}"
    return target


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """One headless chromium and a page driven over the DevTools protocol."""

    def __init__(self, chromium):
        self.profile = tempfile.mkdtemp(prefix="support-shots-")
        port = free_port()
        self.process = subprocess.Popen(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={self.profile}",
                f"--remote-debugging-port={port}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        pages = self._json(port, "/json/list", wait=30)
        page = next(p for p in pages if p.get("type") == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self.next_id = 0

    @staticmethod
    def _json(port, path, wait):
        deadline = time.time() + wait
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}{path}", timeout=5
                ) as response:
                    return json.load(response)
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.3)

    def send(self, method, **params):
        self.next_id += 1
        message_id = self.next_id
        self.ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True
        )
        return result.get("result", {}).get("value")

    def shoot(self, url, size, path, timeout=60):
        width, height = size
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )
        self.send("Page.navigate", url=url)
        # rendered: the web client's action (or the portal page) is on screen,
        # no RPC is pending, and nothing has changed for a moment
        ready = (
            "(document.readyState === 'complete') && "
            "!!document.querySelector('.o_action_manager .o_view_controller, "
            ".o_action_manager .o_form_view, #wrapwrap main, .o_portal') && "
            "!document.querySelector('.o_loading_indicator, .o_blockUI')"
        )
        deadline = time.time() + timeout
        while not self.evaluate(ready):
            if time.time() > deadline:
                print(f"warning: {url} did not finish rendering", file=sys.stderr)
                break
            time.sleep(0.3)
        time.sleep(1.0)
        data = self.send("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data))

    def close(self):
        try:
            self.ws.close()
        finally:
            self.process.terminate()
            self.process.wait(timeout=10)
            shutil.rmtree(self.profile, ignore_errors=True)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", default=os.environ.get("ODOO_URL", "http://localhost:8069")
    )
    parser.add_argument("--db", default=os.environ.get("ODOO_DB", "support_demo"))
    parser.add_argument("--login", default=os.environ.get("ODOO_LOGIN", "admin"))
    parser.add_argument(
        "--portal-login",
        default="portal",
        help="login of a portal user for the portal pages (demo: portal/portal)",
    )
    parser.add_argument("--out", default="docs/screenshots", help="output folder")
    parser.add_argument("--only", help="comma-separated screen names")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    password = os.environ.get("ODOO_PASSWORD", "admin")
    portal_password = os.environ.get("ODOO_PORTAL_PASSWORD", "portal")
    os.makedirs(args.out, exist_ok=True)
    only = set(args.only.split(",")) if args.only else None
    staff = Rpc(args.url, args.db, args.login, password)
    portal = None
    written = []
    for screen in SCREENS:
        name, target = screen[0], screen[1]
        sizes = screen[2] if len(screen) > 2 else (DESKTOP,)
        if only and name not in only:
            continue
        rpc = staff
        if name.startswith("portal-"):
            portal = portal or Rpc(
                args.url, args.db, args.portal_login, portal_password
            )
            rpc = portal
        try:
            url = args.url.rstrip("/") + resolve(staff, target)
        except IndexError:
            # a screen of one record the database has none of (e.g. a ticket
            # with technician visits): say so and go on with the others
            print(f"skipped {name}: no record to show", file=sys.stderr)
            continue
        browser = Browser(args.chromium)
        try:
            browser.send("Network.enable")
            browser.send(
                "Network.setCookie",
                name="session_id",
                value=rpc.session_id,
                url=args.url,
            )
            for size in sizes:
                suffix = "" if size == DESKTOP else "-phone"
                path = os.path.join(args.out, f"{name}{suffix}.png")
                browser.shoot(url, size, path)
                written.append(path)
                print(path)
        finally:
            browser.close()
    return 0 if written else 1
