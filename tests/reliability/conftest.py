"""Fixtures of the reliability suite: throwaway databases and real servers.

Every test here attacks a real Odoo server process bound to 127.0.0.1, on a
copy (``createdb -T``) of the freshly installed test database that
``setup/test`` prepares (env ``SUPPORT_TEST_DB`` / ``SUPPORT_ODOO_CONF``; the
pytest-odoo options ``--odoo-database`` / ``--odoo-config`` otherwise).
Fixture names start with ``rl_`` so they never clash with the shared ones.
"""

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from rl_infra import (
    FIGURES,
    OdooServer,
    ThrowawayCluster,
    clone_db,
    drop_db,
    read_conf,
)
from rl_world import build_world


@pytest.fixture(scope="session")
def rl_env(request):
    """(template db, odoo config path, config dict) of the installed test DB."""
    db = os.environ.get("SUPPORT_TEST_DB") or request.config.getoption(
        "--odoo-database", default=None
    )
    conf = os.environ.get("SUPPORT_ODOO_CONF") or request.config.getoption(
        "--odoo-config", default=None
    )
    if not db or not conf:
        pytest.fail(
            "run through setup/test (needs SUPPORT_TEST_DB and SUPPORT_ODOO_CONF, "
            "or --odoo-database and --odoo-config)"
        )
    return db, conf, read_conf(conf)


@pytest.fixture(scope="session")
def rl_prefix(rl_env):
    """Prefix of every DB this suite creates (rl_test -> rl)."""
    db = rl_env[0]
    return db.rsplit("_", 1)[0] if "_" in db else db


@pytest.fixture(scope="session")
def rl_dbs(rl_env):
    """Clone the test DB under a new name; dropped at the end of the session."""
    template, _conf, options = rl_env
    data_dir = options.get("data_dir")
    made = []

    def make(name, source=None):
        clone_db(source or template, name, data_dir)
        made.append(name)
        return name

    make.drop = lambda name: drop_db(name, data_dir)
    # the databases made so far, for the money invariants checked last
    make.made = made
    yield make
    for name in made:
        drop_db(name, data_dir)


@pytest.fixture(scope="session")
def rl_servers(rl_env):
    """Start servers on demand; all of them are stopped at the end.

    Logs go to a private temp dir (not pytest's shared basetemp, which other
    pytest sessions on the machine prune) and are removed at the end unless
    RL_KEEP_LOGS is set.
    """
    _template, conf, _options = rl_env
    log_dir = tempfile.mkdtemp(prefix="rl_odoo_logs_")
    started = []

    def start(db, workers=0, extra=(), name="srv", conf_path=None):
        server = OdooServer(conf_path or conf, db, log_dir, workers, extra, name)
        started.append(server)
        return server.start()

    start.all = started
    yield start
    for server in started:
        server.stop()
    if not os.environ.get("RL_KEEP_LOGS"):
        shutil.rmtree(log_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def rl_world(rl_dbs, rl_servers, rl_prefix):
    """One server (threaded) on a copy with the multi-company world of roles.

    Shared by the ack, bad-input and sudo tests: each of them checks
    relative effects (counts before/after), never absolute totals.
    """
    db = rl_dbs(f"{rl_prefix}_world")
    server = rl_servers(db, workers=0, name="world")
    return build_world(server)


@pytest.fixture
def rl_private_cluster():
    """A throwaway PostgreSQL cluster on its own port, destroyed afterwards."""
    base = Path("/tmp") / f"rl_pg_{os.getpid()}_{time.monotonic_ns()}"
    cluster = ThrowawayCluster(base)
    try:
        yield cluster.init()
    finally:
        cluster.destroy()


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("reliability figures")
        for name, value in FIGURES.items():
            terminalreporter.write_line(f"{name}: {value}")
