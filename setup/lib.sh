# shellcheck shell=bash
# Shared steps of setup/serve and setup/test: find Odoo, install system parts,
# start PostgreSQL, build the virtualenv, write the Odoo config. Idempotent.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEFAULT_ODOO_SRC=/opt/odoo-src
ODOO_BRANCH=18.0
ODOO_GIT_URL="${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}"
VENV="${VENV:-$REPO/.venv}"
PYTHON="${PYTHON:-python3.11}"
ODOO_CONF="${ODOO_CONF:-$VENV/odoo.conf}"
DB_USER="${PGUSER:-$(id -un)}"
ADDONS="support_points,support_certification,customer_letters,support_work_authorization,support_retention"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_odoo_18() {
    [ -f "$1/odoo/release.py" ] && [ -f "$1/odoo-bin" ] && [ -f "$1/requirements.txt" ] \
        && grep -qE "^version_info = \(18, 0," "$1/odoo/release.py"
}

find_odoo() {
    if [ -n "${ODOO_SRC:-}" ]; then
        is_odoo_18 "$ODOO_SRC" || die "ODOO_SRC=$ODOO_SRC is not an Odoo 18.0 source tree (no odoo-bin, requirements.txt or odoo/release.py for 18.0); point ODOO_SRC at an Odoo 18.0 checkout or unset it to use $DEFAULT_ODOO_SRC."
        return
    fi
    ODOO_SRC="$DEFAULT_ODOO_SRC"
    if is_odoo_18 "$ODOO_SRC"; then return; fi
    if [ -e "$ODOO_SRC" ] && [ -n "$(ls -A "$ODOO_SRC" 2>/dev/null)" ]; then
        die "$ODOO_SRC exists but is not an Odoo 18.0 source tree; empty it, or set ODOO_SRC to an Odoo 18.0 checkout."
    fi
    say "No Odoo source in $ODOO_SRC: shallow-cloning Odoo $ODOO_BRANCH"
    if ! timeout 900 git clone --quiet --depth 1 --branch "$ODOO_BRANCH" "$ODOO_GIT_URL" "$ODOO_SRC" >/dev/null 2>&1 \
        || ! is_odoo_18 "$ODOO_SRC"; then
        rm -rf "$ODOO_SRC"
        die "no Odoo 18.0 source found: set ODOO_SRC to an Odoo 18.0 source tree, or put one in $DEFAULT_ODOO_SRC (cloning $ODOO_GIT_URL failed: no network?)."
    fi
}

APT_PACKAGES=(postgresql libpq-dev libldap2-dev libsasl2-dev build-essential chromium wkhtmltopdf)
system_packages() {
    local missing=() p
    for p in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return
    say "Installing system packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/tmp/support-suite-apt.log 2>&1 \
        || die "apt-get could not install ${missing[*]} (see /tmp/support-suite-apt.log)."
}

start_postgres() {
    if ! pg_isready -q 2>/dev/null; then
        say "Starting PostgreSQL"
        local cluster
        cluster=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1" "$2}')
        [ -n "$cluster" ] || die "PostgreSQL is installed but has no cluster; create one with pg_createcluster."
        # shellcheck disable=SC2086
        pg_ctlcluster $cluster start >/tmp/support-suite-pg.log 2>&1 \
            || die "PostgreSQL failed to start (pg_ctlcluster $cluster start; see /tmp/support-suite-pg.log and the cluster's log)."
        local i
        for i in $(seq 30); do pg_isready -q && break; sleep 0.5; done
        pg_isready -q || die "PostgreSQL did not accept connections after starting."
    fi
    local as_postgres=(runuser -u postgres --)
    [ "$(id -u)" -eq 0 ] || as_postgres=(sudo -u postgres)
    if ! "${as_postgres[@]}" psql -tAc "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'" 2>/dev/null | grep -q 1; then
        say "Creating database role $DB_USER"
        "${as_postgres[@]}" createuser --createdb "$DB_USER" || die "could not create the PostgreSQL role $DB_USER."
    fi
}

# Make the Odoo source importable the way a compat-mode editable install does:
# a path entry in a .pth file (so the odoo/addons folder that OCA wheels create
# in site-packages extends the namespace instead of hiding it), plus the
# distribution metadata pip needs to see that odoo 18.0 is installed, which the
# OCA wheels require (Requires-Dist: odoo==18.0.*).
register_odoo() {
    local site version dist
    site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    version=$("$VENV/bin/python" -c "import runpy; print(runpy.run_path('$ODOO_SRC/odoo/release.py')['serie'])")
    rm -rf "$site"/odoo-*.dist-info "$site"/__editable__*odoo* "$site"/odoo.egg-link
    echo "$ODOO_SRC" >"$site/odoo-src.pth"
    dist="$site/odoo-$version.dist-info"
    mkdir -p "$dist"
    printf 'Metadata-Version: 2.1\nName: odoo\nVersion: %s\nSummary: Odoo Server (source tree at %s)\n' \
        "$version" "$ODOO_SRC" >"$dist/METADATA"
    echo "support-suite-setup" >"$dist/INSTALLER"
    printf 'odoo-src.pth,,\nodoo-%s.dist-info/METADATA,,\nodoo-%s.dist-info/INSTALLER,,\nodoo-%s.dist-info/RECORD,,\n' \
        "$version" "$version" "$version" >"$dist/RECORD"
}

build_venv() {
    local stamp want
    want=$(cat "$ODOO_SRC/requirements.txt" "$REPO/requirements.txt" "$REPO/setup/build-constraints.txt" \
        <(echo "$ODOO_SRC") | sha1sum | cut -c1-40)
    stamp="$VENV/.support-suite-stamp"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
    say "Building the virtualenv in $VENV"
    command -v "$PYTHON" >/dev/null || die "$PYTHON not found: Odoo 18 needs Python 3.11 (set PYTHON to its path)."
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    local log="$VENV/pip.log"
    : >"$log"
    pip_install() {
        "$VENV/bin/python" -m pip install --disable-pip-version-check "$@" >>"$log" 2>&1 \
            || { tail -n 25 "$log" >&2; return 1; }
    }
    export PIP_CONSTRAINT="$REPO/setup/build-constraints.txt"
    pip_install -r "$ODOO_SRC/requirements.txt" || die "installing Odoo's Python requirements failed."
    register_odoo
    pip_install -r "$REPO/requirements.txt" || die "installing the project's pinned requirements failed."
    unset PIP_CONSTRAINT
    echo "$want" >"$stamp"
}

# write_config FILE: an Odoo config for this checkout (ports from HTTP_PORT/GEVENT_PORT).
write_config() {
    local conf="$1" wheel_addons
    wheel_addons="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/odoo/addons"
    cat >"$conf" <<CONF
[options]
addons_path = $REPO/addons,$wheel_addons,$ODOO_SRC/addons,$ODOO_SRC/odoo/addons
db_host = False
db_port = False
db_user = $DB_USER
db_password = False
admin_passwd = admin
without_demo = False
http_interface = ${HTTP_INTERFACE:-127.0.0.1}
http_port = ${HTTP_PORT:-8069}
gevent_port = ${GEVENT_PORT:-8072}
data_dir = $VENV/filestore
log_level = warn
list_db = True
CONF
}

bootstrap() {
    find_odoo
    system_packages
    start_postgres
    build_venv
    export ODOO_SRC VENV
}

odoo_bin() { "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$ODOO_CONF" "$@"; }

db_exists() { psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$1'" | grep -q 1; }
