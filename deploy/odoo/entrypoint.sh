#!/bin/bash
# Entry point of the stack's Odoo image (deploy/odoo/Dockerfile, user odoo).
#
#   serve [ODOO OPTIONS]  (the default) wait for PostgreSQL, prepare the database (below),
#                         then run the Odoo server on ODOO_DB only
#   init                  prepare the database, then stop
#   update                update the addons (odoo -u beneficiary_relations[,beneficiary_relations_account]),
#                         then stop
#   provision             only the feedback service's access (deploy/provision_feedback.py)
#   shell                 an Odoo shell on ODOO_DB
#   anything else         run as a command (bash, odoo --help, ...)
#
# Preparing the database, every start; each step is skipped when already done:
#   1. ODOO_DB missing: create it with Odoo's base module, ODOO_LANGUAGE loaded, demo
#      data when ODOO_DEMO is true (only on this first start: demo data cannot be
#      added or removed later);
#   2. once: deploy/odoo/first_start.py (administrator's password ODOO_ADMIN_PASSWORD,
#      language, country ODOO_COUNTRY);
#   3. install beneficiary_relations, or update it when the version in its manifest is
#      not the one installed; the same for beneficiary_relations_account (donations and
#      aid accounting, with Odoo's accounting) when ODOO_ACCOUNTING is true. Setting it
#      back to false later uninstalls nothing: the books stay;
#   4. deploy/provision_feedback.py: the feedback service's user, API key and shared
#      secret, written to FEEDBACK_ENV_FILE for the feedback containers.
#
# PostgreSQL is reached through libpq's variables (PGHOST, PGPORT, PGUSER, PGPASSWORD),
# which Odoo uses too when its configuration names no db_host/db_user/db_password.
# Odoo reads its configuration from ODOO_RC (/etc/odoo/odoo.conf in the image).
# ODOO_BIN, ADDONS_DIR and DB_WAIT_SECONDS exist for running this outside the image
# (tests/deploy does, against a local Odoo 18.0).
set -euo pipefail

ADDON=beneficiary_relations
ACCOUNTING_ADDON=beneficiary_relations_account
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEPLOY_DIR=$(dirname "$HERE")
ODOO_BIN=${ODOO_BIN:-odoo}
ADDONS_DIR=${ADDONS_DIR:-/mnt/extra-addons}
DB_WAIT_SECONDS=${DB_WAIT_SECONDS:-120}
ODOO_DEMO=${ODOO_DEMO:-false}
ODOO_ACCOUNTING=${ODOO_ACCOUNTING:-false}
ODOO_LANGUAGE=${ODOO_LANGUAGE:-ar_001}
ODOO_PROXY_MODE=${ODOO_PROXY_MODE:-false}

say() { printf '[entrypoint] %s\n' "$*"; }
die() {
    printf '[entrypoint] ERROR: %s\n' "$*" >&2
    exit 1
}

is_true() {
    case "${1,,}" in
        1 | true | yes | on) return 0 ;;
        0 | false | no | off | "") return 1 ;;
        *) die "expected true or false, not '$1'" ;;
    esac
}

check_settings() {
    [ -n "${ODOO_DB:-}" ] || die "ODOO_DB is not set (the name of the Odoo database)"
    [[ $ODOO_DB =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$ ]] ||
        die "ODOO_DB='$ODOO_DB': use letters, digits, _ and - only"
    is_true "$ODOO_DEMO" || true
    is_true "$ODOO_ACCOUNTING" || true
    is_true "$ODOO_PROXY_MODE" || true
}

wait_for_db() {
    local waited=0
    until pg_isready -q -d postgres; do
        ((waited < DB_WAIT_SECONDS)) ||
            die "PostgreSQL at ${PGHOST:-localhost}:${PGPORT:-5432} did not answer in ${DB_WAIT_SECONDS}s"
        ((waited % 10 == 0)) && say "waiting for PostgreSQL at ${PGHOST:-localhost}:${PGPORT:-5432}"
        sleep 2
        waited=$((waited + 2))
    done
}

# query SQL: one value from ODOO_DB, empty when the database or the table is missing
query() {
    psql -X -A -t -q -d "$ODOO_DB" -c "$1" 2>/dev/null || true
}

module_state() { query "SELECT state FROM ir_module_module WHERE name = '$1'"; }

installed_version() { query "SELECT latest_version FROM ir_module_module WHERE name = '$1'"; }

# the addons this deployment runs, comma-separated
addons() {
    if is_true "$ODOO_ACCOUNTING"; then
        echo "$ADDON,$ACCOUNTING_ADDON"
    else
        echo "$ADDON"
    fi
}

# manifest_version ADDON: the addon's version as Odoo stores it (18.0.x.y.z)
manifest_version() {
    local manifest=$ADDONS_DIR/$1/__manifest__.py version
    [ -f "$manifest" ] || die "$manifest not found: is ./addons mounted at $ADDONS_DIR?"
    version=$(sed -n -E "s/^[[:space:]]*[\"']version[\"'][[:space:]]*:[[:space:]]*[\"']([^\"']+)[\"'].*/\1/p" \
        "$manifest" | head -n 1)
    [ -n "$version" ] || die "no version in $manifest"
    [[ $version == 18.0.* ]] || version=18.0.$version
    echo "$version"
}

demo_args() {
    is_true "$ODOO_DEMO" || echo "--without-demo=all"
}

odoo_run() {
    # a one-off Odoo run on ODOO_DB that stops when done
    # shellcheck disable=SC2046 # demo_args prints one word or none
    "$ODOO_BIN" --database="$ODOO_DB" --no-http --stop-after-init $(demo_args) "$@"
}

odoo_shell() {
    "$ODOO_BIN" shell --database="$ODOO_DB" --no-http --log-level=warn
}

prepare() {
    if [ "$(module_state base)" != installed ]; then
        say "first start: creating database $ODOO_DB (demo data: $ODOO_DEMO, language: $ODOO_LANGUAGE)." \
            "This takes a few minutes."
        odoo_run --init=base --load-language="$ODOO_LANGUAGE"
        [ "$(module_state base)" = installed ] || die "database $ODOO_DB was not created; see Odoo's log above"
    fi
    if [ -z "$(query "SELECT value FROM ir_config_parameter WHERE key = 'deploy.first_start_done'")" ]; then
        say "first start: administrator's password, language and country"
        odoo_shell <"$HERE/first_start.py"
    fi
    local addon
    for addon in $(addons | tr ',' ' '); do
        install_or_update "$addon"
    done
    provision
}

# install_or_update ADDON: install it, or update it when its manifest's version is
# not the one installed
install_or_update() {
    local addon=$1 state installed wanted
    state=$(module_state "$addon")
    if [ "$state" != installed ]; then
        say "installing $addon in $ODOO_DB (state was '${state:-none}')"
        odoo_run --init="$addon"
        state=$(module_state "$addon")
        [ "$state" = installed ] || die "$addon is not installed (state '${state:-none}'); see Odoo's log above"
    else
        installed=$(installed_version "$addon")
        wanted=$(manifest_version "$addon")
        if [ "$installed" != "$wanted" ]; then
            say "updating $addon from $installed to $wanted"
            odoo_run --update="$addon"
        fi
    fi
}

update() {
    odoo_run --update="$(addons)"
}

provision() {
    odoo_shell <"$DEPLOY_DIR/provision_feedback.py"
}

command=${1:-serve}
[ $# -gt 0 ] && shift
case "$command" in
    serve | init | update | provision | shell) check_settings && wait_for_db ;;
esac
case "$command" in
    serve)
        prepare
        proxy=()
        is_true "$ODOO_PROXY_MODE" && proxy=(--proxy-mode)
        say "starting Odoo on database $ODOO_DB"
        exec "$ODOO_BIN" --database="$ODOO_DB" --db-filter="^${ODOO_DB}\$" "${proxy[@]}" "$@"
        ;;
    init) prepare ;;
    update) update ;;
    provision) provision ;;
    shell) exec "$ODOO_BIN" shell --database="$ODOO_DB" --no-http "$@" ;;
    *) exec "$command" "$@" ;;
esac
