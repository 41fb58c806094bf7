"""Run code inside Odoo (the registry of a database) from a plain script.

The same bootstrap ``odoo shell`` does: parse the server config, load the
registry, open cursors and environments. Also: query counting and database
copies that work while the current process has the source database open.
"""

import contextlib
import os
import subprocess
import sys
import threading
import time

from .runtime import REPO


def default_config():
    """$ODOO_CONF, else the virtualenv's odoo.conf that setup/serve writes."""
    if os.environ.get("ODOO_CONF"):
        return os.environ["ODOO_CONF"]
    venv = os.environ.get("VENV") or os.path.join(REPO, ".venv")
    return os.path.join(venv, "odoo.conf")


def odoo_src():
    return os.environ.get("ODOO_SRC", "/opt/odoo-src")


_loaded = {}


def load(config, log_level="warn"):
    """Parse the Odoo config once per process."""
    if not os.path.isfile(config):
        sys.exit(
            f"error: no Odoo configuration file at {config}: run setup/serve once "
            "(it writes it), or give one with -c/--config or $ODOO_CONF."
        )
    import odoo

    if not _loaded:
        odoo.tools.config.parse_config(["-c", config, f"--log-level={log_level}"])
        _loaded["config"] = config
    return odoo


def registry(config, db):
    odoo = load(config)
    return odoo.modules.registry.Registry(db)


@contextlib.contextmanager
def environment(config, db, uid=None, context=None):
    """An Environment on a new cursor (committed on success, rolled back on error)."""
    odoo = load(config)
    reg = registry(config, db)
    with reg.cursor() as cr:
        env = odoo.api.Environment(cr, uid or odoo.SUPERUSER_ID, context or {})
        yield env


def query_count():
    """Queries executed by this process so far (every cursor)."""
    from odoo import sql_db

    return sql_db.sql_counter


@contextlib.contextmanager
def testing_mode():
    """Tell Odoo code that checks ``thread.testing`` not to auto-commit."""
    thread = threading.current_thread()
    previous = getattr(thread, "testing", False)
    thread.testing = True
    try:
        yield
    finally:
        thread.testing = previous


class Measure:
    """Wall time and query count of a block."""

    def __enter__(self):
        self.start_queries = query_count()
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self.queries = query_count() - self.start_queries
        return False


def psql(db, sql, *params):
    """Run one statement with psycopg2 on ``db`` and return the rows (autocommit)."""
    import psycopg2

    conn = psycopg2.connect(dbname=db)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def db_size(name):
    """Size of database ``name`` in bytes."""
    return psql("postgres", "SELECT pg_database_size(%s)", name)[0][0]


def compact(db):
    """Rewrite every table of ``db`` without its dead rows and refresh the
    planner statistics (``VACUUM (FULL, ANALYZE)``); return the database's
    size in bytes before and after."""
    before = db_size(db)
    psql(db, "VACUUM (FULL, ANALYZE)")
    return before, db_size(db)


def db_exists(name):
    return bool(psql("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", name))


def drop_db(name):
    subprocess.run(["dropdb", "--if-exists", name], check=True)


def copy_db(source, target, filestore_root=None):
    """createdb -T, first closing this process's pooled connections to ``source``."""
    try:
        from odoo import sql_db

        sql_db.close_db(source)
    except ImportError:
        pass
    drop_db(target)
    for attempt in range(10):
        result = subprocess.run(
            ["createdb", "-T", source, target], capture_output=True, text=True
        )
        if result.returncode == 0:
            break
        if "is being accessed by other users" not in result.stderr:
            raise RuntimeError(result.stderr.strip())
        if attempt >= 3:
            # idle pooled connections of this very process (pytest-odoo, HTTP threads)
            psql(
                "postgres",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid() AND state = 'idle'",
                source,
            )
        time.sleep(1)
    else:
        raise RuntimeError(f"could not copy {source}: {result.stderr.strip()}")
    if filestore_root:
        src = os.path.join(filestore_root, "filestore", source)
        if os.path.isdir(src):
            subprocess.run(
                ["cp", "-a", src, os.path.join(filestore_root, "filestore", target)],
                check=True,
            )


def data_dir(config):
    """The data_dir of an Odoo config file (for filestores)."""
    import configparser

    parser = configparser.ConfigParser()
    parser.read(config)
    return parser.get("options", "data_dir", fallback=None)


def install(config, db, modules, log=None):
    """Create ``db`` with ``modules`` installed (no demo data) through odoo-bin."""
    cmd = [
        sys.executable,
        os.path.join(odoo_src(), "odoo-bin"),
        "-c",
        config,
        "-d",
        db,
        "-i",
        ",".join(modules),
        "--without-demo=all",
        "--stop-after-init",
        "--log-level=warn",
        "--max-cron-threads=0",
    ]
    result = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT if log else None)
    if result.returncode:
        raise RuntimeError(f"installing {', '.join(modules)} into {db} failed")
