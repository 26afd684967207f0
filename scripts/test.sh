#!/usr/bin/env bash
# The project's one test command. It runs every tier, each under its own
# header, and ends with one line:
#
#     total: N passed, M failed
#
# and exits non-zero when anything failed or a tier could not run properly.
#
# Tiers (pick some with TEST_TIERS=lint,unit,service,odoo; default: all):
#   lint     pylint + pylint-odoo (.pylintrc), OCA's oca-checks-odoo-module and
#            oca-checks-po, tools/check_addon.py. Needs no Odoo.
#   unit     pytest tests/unit (pure policy rules), tests/tools, and any other
#            tests/<folder> with test_*.py files except tests/contract
#            (service tier), tests/e2e and tests/faults (Odoo tier).
#   service  pytest services/feedback/tests and tests/contract, on SQLite and
#            on PostgreSQL (database feedback_test, FEEDBACK_TEST_POSTGRES_URL).
#   odoo     the addons in a real Odoo 18.0: a fresh database WITH demo data,
#            `-i beneficiary_relations,beneficiary_relations_account
#            --test-enable --test-tags
#            /beneficiary_relations,/beneficiary_relations_account`; the same
#            tests again under pytest-odoo; then tests/e2e and tests/faults
#            (the feedback service against this Odoo, on copies of that
#            database: ODOO_TEST_DATABASE, ODOO_TEST_CONFIG); then clean
#            installs WITHOUT demo data: the core alone, then both addons.
#
# Where Odoo 18.0 is looked for, in this order:
#   1. $ODOO_BIN  (path to odoo-bin, or to an `odoo` launcher)
#   2. `odoo` on PATH
#   3. `odoo-bin` on PATH
# Odoo's Python is $ODOO_PYTHON, else the interpreter named on the launcher's
# first line (#!), else the first python path found inside a shell wrapper; a
# Python launcher is run with it, a shell wrapper as it is. The addon's
# requirements (addons/requirements.txt) and pytest-odoo go into that Python.
# When no Odoo 18.0 is found, the tier prints a loud banner and is skipped.
#
# Environment (defaults in brackets):
#   ODOO_DB_HOST [127.0.0.1]  ODOO_DB_PORT [5432]
#   ODOO_DB_USER [odoo]       ODOO_DB_PASSWORD [odoo]
#   ODOO_DB_PREFIX [br_test]  prefix of the throw-away database names
#   ODOO_ADDONS_PATH          Odoo's own addons folders [<odoo source>/addons]
#   FEEDBACK_TEST_POSTGRES_URL
#                             [postgresql+psycopg://USER:PASSWORD@HOST:PORT/feedback_test]
#   VENV [.venv]              virtualenv with requirements-dev.txt
#   TEST_LOG_DIR [.test-logs] full logs of every step
#   KEEP_TEST_DBS=1           keep the Odoo databases (for debugging)

set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2

# The core addon, and its accounting companion (which depends on Odoo's
# `account`); the core must stay installable on its own.
ADDON=beneficiary_relations
ADDONS=(beneficiary_relations beneficiary_relations_account)
ADDON_DIRS=("${ADDONS[@]/#/addons/}")
ADDON_LIST=$(IFS=,; echo "${ADDONS[*]}")
ADDON_TAGS=$(printf '/%s,' "${ADDONS[@]}")
ADDON_TAGS=${ADDON_TAGS%,}
TIERS=",${TEST_TIERS:-lint,unit,service,odoo},"
VENV=${VENV:-$ROOT/.venv}
LOG_DIR=${TEST_LOG_DIR:-$ROOT/.test-logs}
DB_HOST=${ODOO_DB_HOST:-127.0.0.1}
DB_PORT=${ODOO_DB_PORT:-5432}
DB_USER=${ODOO_DB_USER:-odoo}
DB_PASSWORD=${ODOO_DB_PASSWORD:-odoo}
DB_PREFIX=${ODOO_DB_PREFIX:-br_test}
# Versions installed into Odoo's own Python for the pytest-odoo run, and websocket-client,
# without which Odoo skips its browser tests (the addon's fail instead: test_feedback_screens).
ODOO_TEST_PINS=(pytest==9.2.0 pytest-odoo==2.3.0 iniconfig==2.3.1 pluggy==1.7.0 packaging==26.3 Pygments==2.21.0 websocket-client==1.8.0)
# OCA checks that only judge formatting (or OCA's own infrastructure).
OCA_MODULE_DISABLE=xml-header-wrong,xml-tag-position,xml-field-numeric-without-eval,weblate-component-too-long,prefer-readme-rst
OCA_PO_DISABLE=po-pretty-format

mkdir -p "$LOG_DIR"
export PYTHONDONTWRITEBYTECODE=1

PASSED=0
FAILED=0
SKIPPED=0
LAST_RUN=0
ODOO_TESTS_RUN=0
ROWS=()
TIER_ROWS=()

header() { printf '\n==================== %s ====================\n' "$*"; }
note() { printf -- '--- %s\n' "$*"; }
alarm() { printf '!!! %s\n' "$*"; }
slug() { tr -c 'A-Za-z0-9_.-' '_' <<<"$1" | sed 's/_*$//'; }

# count NAME PASSED FAILED [SKIPPED]
count() {
    PASSED=$((PASSED + $2))
    FAILED=$((FAILED + $3))
    SKIPPED=$((SKIPPED + ${4:-0}))
    local status=ok
    (($3 > 0)) && status=FAIL
    ROWS+=("$(printf '  %-4s %-52s %4d passed %4d failed %4d skipped' "$status" "$1" "$2" "$3" "${4:-0}")")
}

# check NAME CMD...: one command is one check (exit status 0 = passed)
check() {
    local name=$1
    shift
    note "$name: $*"
    if "$@"; then
        count "$name" 1 0
    else
        alarm "$name failed"
        count "$name" 0 1
        return 1
    fi
}

# pytest_counts LOG -> "passed failed skipped" from pytest's closing line
pytest_counts() {
    local line
    line=$(grep -E '[0-9]+ (passed|failed|errors?|skipped|xfailed|xpassed|deselected)|no tests ran' "$1" |
        grep -E ' in [0-9.]+s' | tail -n 1)
    local n p=0 f=0 s=0
    n=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '^[0-9]+') && p=$((p + n))
    n=$(grep -oE '[0-9]+ xpassed' <<<"$line" | grep -oE '^[0-9]+') && p=$((p + n))
    n=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '^[0-9]+') && f=$((f + n))
    n=$(grep -oE '[0-9]+ errors?' <<<"$line" | grep -oE '^[0-9]+') && f=$((f + n))
    n=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '^[0-9]+') && s=$((s + n))
    n=$(grep -oE '[0-9]+ xfailed' <<<"$line" | grep -oE '^[0-9]+') && s=$((s + n))
    echo "$p $f $s"
}

# run_pytest NAME DIR PYTHON ARGS...: "PYTHON -m pytest ARGS" in DIR, counted
# test by test; no test collected, or pytest itself failing, counts as a failure.
run_pytest() {
    local name=$1 dir=$2 python=$3
    shift 3
    local log
    log="$LOG_DIR/$(slug "$name").log"
    note "$name: (cd $dir && $python -m pytest $*)"
    (cd "$dir" && "$python" -m pytest "$@") 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]} p f s
    read -r p f s < <(pytest_counts "$log")
    if ((rc == 5)); then
        alarm "$name: no test was collected"
        f=$((f + 1))
    elif ((rc != 0 && f == 0)); then
        alarm "$name: pytest exited with status $rc"
        f=1
    fi
    LAST_RUN=$((p + f + s))
    count "$name" "$p" "$f" "$s"
}

# timed_tier NAME FUNCTION: run a tier and remember how long it took
timed_tier() {
    local name=$1 fn=$2 start passed_before=$PASSED failed_before=$FAILED
    start=$(date +%s)
    "$fn"
    TIER_ROWS+=("$(printf '  %-8s %5ds  %4d passed %4d failed' "$name" $(($(date +%s) - start)) \
        $((PASSED - passed_before)) $((FAILED - failed_before)))")
}

# ---------------------------------------------------------------- venv

ensure_venv() {
    # create .venv when missing; bring it in line with requirements-dev.txt
    # (a no-op taking seconds when it already is)
    if [ ! -x "$VENV/bin/python" ]; then
        note "creating $VENV"
        python3 -m venv "$VENV" || return 1
    fi
    "$VENV/bin/pip" install -q -r requirements-dev.txt || return 1
    VPY=$VENV/bin/python
}

# ------------------------------------------------------- finding Odoo 18.0

ODOO_BIN_FOUND=
ODOO_CMD=()
ODOO_PY=
ODOO_SRC=
ODOO_WHY=

first_python_in() {
    # the interpreter of a launcher: its #! line, else a python path in a wrapper
    local first interpreter rest
    first=$(head -c 300 "$1" 2>/dev/null | head -n 1 | tr -d '\0')
    if [[ $first == '#!'*python* ]]; then
        read -r interpreter rest <<<"${first#\#!}"
        if [[ $(basename "$interpreter") == env ]]; then
            command -v "${rest%% *}"
        else
            echo "$interpreter"
        fi
        return
    fi
    grep -oE '/[^ "'"'"']*/python[0-9.]*' "$1" 2>/dev/null | head -n 1
}

find_odoo() {
    local candidate=${ODOO_BIN:-}
    [ -n "$candidate" ] || candidate=$(command -v odoo || true)
    [ -n "$candidate" ] || candidate=$(command -v odoo-bin || true)
    if [ -z "$candidate" ]; then
        ODOO_WHY="no Odoo 18.0 found (set ODOO_BIN or put odoo/odoo-bin on PATH)"
        return 1
    fi
    if [ ! -x "$candidate" ] && [ ! -f "$candidate" ]; then
        ODOO_WHY="ODOO_BIN=$candidate does not exist"
        return 1
    fi
    ODOO_PY=${ODOO_PYTHON:-$(first_python_in "$candidate")}
    if [ -z "$ODOO_PY" ] || ! [ -x "$ODOO_PY" ]; then
        ODOO_WHY="cannot tell which Python runs $candidate (set ODOO_PYTHON)"
        return 1
    fi
    # Odoo's source folder: from the odoo package, else beside odoo-bin
    ODOO_SRC=$("$ODOO_PY" -c 'import os, odoo; print(os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__))))' 2>/dev/null)
    if [ -z "$ODOO_SRC" ]; then
        local bin
        bin=$candidate
        [[ $(basename "$candidate") == odoo-bin ]] || bin=$(grep -oE '/[^ "'"'"']*/odoo-bin' "$candidate" | head -n 1)
        [ -n "$bin" ] && [ -d "$(dirname "$bin")/odoo" ] && ODOO_SRC=$(cd "$(dirname "$bin")" && pwd)
        [ -n "$ODOO_SRC" ] && export PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}"
    fi
    if [ -z "$ODOO_SRC" ]; then
        ODOO_WHY="$candidate found, but its Python ($ODOO_PY) cannot import odoo"
        return 1
    fi
    local version
    if ! version=$("$ODOO_PY" -c 'import odoo, odoo.release as r; print(r.serie)' 2>&1); then
        ODOO_WHY="$ODOO_PY cannot import Odoo from $ODOO_SRC (set ODOO_PYTHON to Odoo's Python): $(tail -n 1 <<<"$version")"
        return 1
    fi
    if [ "$version" != "18.0" ]; then
        ODOO_WHY="$candidate is Odoo $version, not 18.0"
        return 1
    fi
    ODOO_BIN_FOUND=$candidate
    # a Python launcher runs under the Python found above; a shell wrapper as it is
    ODOO_CMD=("$candidate")
    if [[ $(head -c 300 "$candidate" | head -n 1 | tr -d '\0') == '#!'*python* ]] || [ ! -x "$candidate" ]; then
        ODOO_CMD=("$ODOO_PY" "$candidate")
    fi
    CORE_ADDONS=${ODOO_ADDONS_PATH:-}
    if [ -z "$CORE_ADDONS" ] && [ -d "$ODOO_SRC/addons" ]; then
        CORE_ADDONS=$ODOO_SRC/addons
    fi
    return 0
}

# ---------------------------------------------------------------- tiers

tier_lint() {
    header "LINT GATE: pylint-odoo, OCA checks, tools/check_addon.py (no Odoo needed)"
    check "pylint + pylint-odoo (${ADDON_DIRS[*]})" "$VPY" -m pylint --rcfile=.pylintrc "${ADDON_DIRS[@]}"
    check "pylint (tools, tests)" "$VPY" -m pylint --rcfile=.pylintrc --disable=print-used tools tests
    check "oca-checks-odoo-module" "$VENV/bin/oca-checks-odoo-module" \
        --disable="$OCA_MODULE_DISABLE" "${ADDON_DIRS[@]}"
    local po_files=()
    mapfile -t po_files < <(find "${ADDON_DIRS[@]}" -path '*/i18n*/*' \( -name '*.po' -o -name '*.pot' \) | sort)
    if ((${#po_files[@]})); then
        check "oca-checks-po" "$VENV/bin/oca-checks-po" --disable="$OCA_PO_DISABLE" "${po_files[@]}"
    else
        note "oca-checks-po: no .po/.pot file in ${ADDON_DIRS[*]} yet; nothing to check"
    fi
    # With Odoo's source at hand the checker also resolves fields of the
    # models the addon builds on (res.partner, res.company, ...).
    local addons_arg=()
    [ -n "$ODOO_BIN_FOUND" ] && [ -n "$CORE_ADDONS" ] && addons_arg=(--addons-path "$CORE_ADDONS")
    check "tools/check_addon.py" "$VPY" tools/check_addon.py "${addons_arg[@]}" "${ADDON_DIRS[@]}"
}

tier_unit() {
    header "PURE UNIT TESTS (pytest, no Odoo)"
    local dir
    for dir in tests/unit tests/tools; do
        if [ -d "$dir" ]; then
            run_pytest "pytest $dir" "$ROOT" "$VPY" "$dir"
        else
            alarm "$dir is missing"
            count "pytest $dir (missing)" 0 1
        fi
    done
    # any other tests/<folder> with tests runs too, so that none is left out
    for dir in tests/*/; do
        dir=${dir%/}
        # tests/e2e and tests/faults need a real Odoo: the Odoo tier runs them
        case $dir in tests/unit | tests/tools | tests/contract | tests/deploy | tests/e2e | tests/faults) continue ;; esac
        compgen -G "$dir/test_*.py" >/dev/null || continue
        run_pytest "pytest $dir" "$ROOT" "$VPY" "$dir"
    done
    # the deployment files; their Odoo half runs in the Odoo tier
    if [ -d tests/deploy ]; then
        run_pytest "pytest tests/deploy (no Odoo)" "$ROOT" "$VPY" tests/deploy -m "not odoo"
    fi
}

ensure_feedback_db() {
    # database feedback_test owned by the odoo role, for the storage tests
    local exists
    exists=$(PGPASSWORD=$DB_PASSWORD psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -Atc \
        "SELECT 1 FROM pg_database WHERE datname = 'feedback_test'" 2>/dev/null) || {
        alarm "PostgreSQL is not reachable at $DB_HOST:$DB_PORT as $DB_USER"
        return 1
    }
    [ "$exists" = 1 ] && return 0
    PGPASSWORD=$DB_PASSWORD createdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -O "$DB_USER" feedback_test
}

tier_service() {
    header "FEEDBACK SERVICE TESTS"
    local svc=services/feedback req
    if [ ! -d "$svc" ] && [ ! -d tests/contract ]; then
        note "no services/feedback and no tests/contract yet: nothing to run"
        return
    fi
    for req in requirements.txt requirements-test.txt; do
        if [ -f "$svc/$req" ]; then
            check "pip install -r $svc/$req" "$VENV/bin/pip" install -q -r "$svc/$req"
        fi
    done
    if [ -z "${FEEDBACK_TEST_POSTGRES_URL:-}" ]; then
        if ensure_feedback_db; then
            export FEEDBACK_TEST_POSTGRES_URL="postgresql+psycopg://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT/feedback_test"
        else
            count "PostgreSQL database feedback_test" 0 1
        fi
    fi
    note "FEEDBACK_TEST_POSTGRES_URL=${FEEDBACK_TEST_POSTGRES_URL:-<unset>}"
    # the real-browser test (Debian's chromium, axe-core from the npm registry)
    # must run here, not skip: .ci/run installs chromium
    export FEEDBACK_BROWSER_TESTS=${FEEDBACK_BROWSER_TESTS:-required}
    # the rate limits on a real Redis: .ci/run installs redis-server
    export FEEDBACK_REDIS_TESTS=${FEEDBACK_REDIS_TESTS:-required}
    if [ -d "$svc/tests" ]; then
        run_pytest "pytest $svc/tests" "$ROOT/$svc" "$VPY" tests
    fi
    if [ -d tests/contract ]; then
        run_pytest "pytest tests/contract" "$ROOT" "$VPY" tests/contract
    fi
}

# --------------------------------------------------------------- odoo tier

ODOO_DBS=()
ODOO_WORK=

drop_odoo_dbs() {
    [ "${KEEP_TEST_DBS:-}" = 1 ] && {
        note "KEEP_TEST_DBS=1: keeping ${ODOO_DBS[*]:-nothing}"
        return
    }
    local db
    for db in "${ODOO_DBS[@]}"; do
        PGPASSWORD=$DB_PASSWORD dropdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" --if-exists "$db" 2>/dev/null ||
            "$ODOO_PY" - "$db" <<'PY' || alarm "could not drop database $db"
import os, sys, psycopg2
conn = psycopg2.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"], user=os.environ["PGUSER"],
                        password=os.environ["PGPASSWORD"], dbname="postgres")
conn.autocommit = True
conn.cursor().execute('DROP DATABASE IF EXISTS "%s"' % sys.argv[1])
PY
    done
    ODOO_DBS=()
    [ -n "$ODOO_WORK" ] && rm -rf "$ODOO_WORK"
}

free_port() {
    "$ODOO_PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

write_odoo_config() {
    # one config for odoo and pytest-odoo (ODOO_RC), so nothing is read from ~/.odoorc
    cat >"$1" <<EOF
[options]
addons_path = ${CORE_ADDONS:+$CORE_ADDONS,}$ROOT/addons
data_dir = $ODOO_WORK/data
db_host = $DB_HOST
db_port = $DB_PORT
db_user = $DB_USER
db_password = $DB_PASSWORD
http_port = $(free_port)
max_cron_threads = 0
EOF
}

# show_log_problems LOG: WARNING/ERROR/CRITICAL records of an Odoo log, with
# their traceback lines
show_log_problems() {
    awk '
        $1 ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/ && $3 ~ /^[0-9]+$/ {
            keep = ($4 == "WARNING" || $4 == "ERROR" || $4 == "CRITICAL")
        }
        keep { print }
    ' "$1"
}

show_problems_of() {
    local problems lines
    problems=$(show_log_problems "$1")
    [ -n "$problems" ] || return 0
    lines=$(wc -l <<<"$problems")
    head -n 600 <<<"$problems"
    ((lines <= 600)) || note "... $((lines - 600)) more lines of warnings and errors in $1"
}

# unexpected_errors LOG: ERROR/CRITICAL records other than the reports of
# failing tests (those are counted through the test summary)
unexpected_errors() {
    # (plain POSIX awk: Debian's mawk knows no {n} intervals)
    awk '
        $1 ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/ && $3 ~ /^[0-9]+$/ && ($4 == "ERROR" || $4 == "CRITICAL") {
            logger = $6; sub(/:$/, "", logger)
            if (logger ~ /^odoo\.addons\.beneficiary_relations(_account)?\.tests/) next
            if (logger == "odoo.tests.result" || logger == "odoo.tests.suite") next
            if (logger == "odoo.modules.loading" && $0 ~ /failures, [0-9]+ errors of [0-9]+ tests/) next
            print
        }
    ' "$1"
}

# module_state DB [MODULES]: "installed" when every module of the comma-separated
# list (default: all of ADDONS) is installed, else each module's state
module_state() {
    local modules=${2:-$ADDON_LIST} states
    states=$(PGPASSWORD=$DB_PASSWORD psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$1" -Atc \
        "SELECT name || ':' || state FROM ir_module_module WHERE name = ANY(string_to_array('$modules', ',')) ORDER BY name" 2>/dev/null)
    local expected
    expected=$(tr ',' '\n' <<<"$modules" | sort | sed 's/$/:installed/')
    if [ -n "$states" ] && [ "$states" = "$expected" ]; then
        echo installed
    else
        echo "${states//$'\n'/ }"
    fi
}

# odoo_install NAME DB LOG MODULES EXTRA_ARGS...: install the comma-separated
# MODULES, counted as one check (installed, no unexpected ERROR/CRITICAL in the log)
odoo_install() {
    local name=$1 db=$2 log=$3 modules=$4
    shift 4
    ODOO_DBS+=("$db")
    note "$name: $ODOO_BIN_FOUND -c $ODOO_WORK/odoo.conf -d $db -i $modules $* --stop-after-init"
    "${ODOO_CMD[@]}" -c "$ODOO_WORK/odoo.conf" -d "$db" -i "$modules" "$@" \
        --stop-after-init --log-level=info >"$log" 2>&1
    local rc=$? state errors
    state=$(module_state "$db" "$modules")
    errors=$(unexpected_errors "$log")
    note "log: $log (exit status $rc, module state '${state:-none}')"
    show_problems_of "$log"
    if [ "$state" = installed ] && [ -z "$errors" ]; then
        count "$name" 1 0
    else
        [ "$state" = installed ] || alarm "$name: $modules not installed (state '${state:-none}')"
        [ -z "$errors" ] || alarm "$name: ERROR/CRITICAL lines in the log:"$'\n'"$errors"
        count "$name" 0 1
    fi
}

odoo_test_summary() {
    # "N failed, M error(s) of T tests when loading database 'db'"
    local line failed errors total skipped
    line=$(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests when loading database' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        alarm "Odoo printed no test summary: the tests did not run (see $1)"
        count "Odoo --test-enable (no summary)" 0 1
        return
    fi
    read -r failed errors total < <(sed -E 's/^([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests.*/\1 \2 \3/' <<<"$line")
    skipped=$(grep -cE "odoo\.addons\.$ADDON(_account)?\.tests[^ ]*: skipped " "$1")
    note "Odoo says: $line"
    if ((total == 0)); then
        alarm "Odoo ran no test of $ADDON_LIST"
        count "Odoo --test-enable (no test ran)" 0 1
        return
    fi
    ODOO_TESTS_RUN=$total
    count "Odoo --test-enable $ADDON_TAGS" $((total - failed - errors - skipped)) $((failed + errors)) "$skipped"
}

# run_odoo_e2e DB: pytest tests/e2e tests/faults in .venv (they start the feedback
# service under gunicorn, and Odoo through its own launcher), told which database
# to copy and with which Odoo configuration (its data_dir holds the filestore)
run_odoo_e2e() {
    local dirs=() dir
    for dir in tests/e2e tests/faults; do
        compgen -G "$dir/test_*.py" >/dev/null && dirs+=("$dir")
    done
    ((${#dirs[@]})) || return 0
    if [ "$VPY" != "$VENV/bin/python" ] && ! ensure_venv; then
        count "virtualenv $VENV (end to end)" 0 1
        return
    fi
    if ! "$VENV/bin/pip" install -q -r services/feedback/requirements.txt; then
        count "pip install -r services/feedback/requirements.txt (end to end)" 0 1
        return
    fi
    ODOO_TEST_DATABASE=$1 ODOO_TEST_CONFIG=$ODOO_WORK/odoo.conf ODOO_BIN=$ODOO_BIN_FOUND ODOO_PYTHON=$ODOO_PY \
        run_pytest "pytest ${dirs[*]} (real Odoo)" "$ROOT" "$VENV/bin/python" -p no:cacheprovider "${dirs[@]}"
}

# Odoo draws right-to-left screens (Arabic) through rtlcss, from the npm registry; without it
# they come out left to right, and the Arabic screens test fails.
RTLCSS_VERSION=4.3.0
RTLCSS_DIR=${TMPDIR:-/tmp}/beneficiary-rtlcss-$RTLCSS_VERSION

# install_rtlcss: rtlcss, pinned, onto PATH for the Odoo servers the tier starts
install_rtlcss() {
    if [ ! -x "$RTLCSS_DIR/node_modules/.bin/rtlcss" ]; then
        command -v npm >/dev/null || { alarm "npm is needed to install rtlcss"; return 1; }
        npm install --prefix "$RTLCSS_DIR" --no-save --no-audit --no-fund --silent "rtlcss@$RTLCSS_VERSION" || return 1
    fi
    export PATH="$RTLCSS_DIR/node_modules/.bin:$PATH"
    note "$(rtlcss --version)"
}

tier_odoo() {
    header "ODOO 18.0 TIER"
    if [ -z "$ODOO_BIN_FOUND" ]; then
        printf '\n%s\n' "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        alarm "ODOO TIER DID NOT RUN: $ODOO_WHY !!!"
        printf '%s\n\n' "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        return
    fi
    note "Odoo: $ODOO_BIN_FOUND (Python $ODOO_PY, source $ODOO_SRC)"
    note "addons path: ${CORE_ADDONS:+$CORE_ADDONS,}$ROOT/addons"
    export PGHOST=$DB_HOST PGPORT=$DB_PORT PGUSER=$DB_USER PGPASSWORD=$DB_PASSWORD

    local pip_args=("${ODOO_TEST_PINS[@]}")
    [ -f addons/requirements.txt ] && pip_args=(-r addons/requirements.txt "${pip_args[@]}")
    if ! check "pip install into Odoo's Python" "$ODOO_PY" -m pip install -q "${pip_args[@]}"; then
        return
    fi
    # without it only the Arabic screens tests fail, and say why
    check "rtlcss for Odoo's Arabic screens (npm)" install_rtlcss

    ODOO_WORK=$(mktemp -d "${TMPDIR:-/tmp}/odoo-tier.XXXXXX")
    write_odoo_config "$ODOO_WORK/odoo.conf"
    local stamp db_demo db_nodemo log
    stamp=$(date +%Y%m%d%H%M%S)_$$
    db_demo=${DB_PREFIX}_demo_$stamp
    db_nodemo=${DB_PREFIX}_nodemo_$stamp

    # 1. with demo data (the default for a new database), and the tests
    log=$LOG_DIR/odoo-install-demo-tests.log
    ODOO_TESTS_RUN=0
    odoo_install "install with demo data" "$db_demo" "$log" "$ADDON_LIST" \
        --test-enable --test-tags "$ADDON_TAGS"
    odoo_test_summary "$log"

    # 2. the same tests through pytest-odoo, on the database just installed
    if [ "$(module_state "$db_demo")" = installed ]; then
        printf '[pytest]\naddopts = -ra -p no:cacheprovider\n' >"$ODOO_WORK/pytest.ini"
        export ODOO_RC=$ODOO_WORK/odoo.conf
        run_pytest "pytest-odoo ${ADDON_DIRS[*]/%//tests}" "$ROOT" "$ODOO_PY" \
            -c "$ODOO_WORK/pytest.ini" --rootdir "$ROOT" \
            --odoo-config "$ODOO_WORK/odoo.conf" --odoo-database "$db_demo" --odoo-http \
            "${ADDON_DIRS[@]/%//tests}"
        unset ODOO_RC
        if ((LAST_RUN != ODOO_TESTS_RUN)); then
            note "pytest-odoo ran $LAST_RUN tests, Odoo ran $ODOO_TESTS_RUN: pytest collects every" \
                "tests/test_*.py and ignores test tags, Odoo runs what tests/__init__.py imports"
        fi
    else
        alarm "pytest-odoo not run: the addon did not install"
        count "pytest-odoo (not run)" 0 1
    fi

    # 2b. the Docker first-start step and the feedback provisioning, on copies
    # of the demo database (nothing may be connected to it meanwhile)
    if [ -f tests/deploy/test_provision_odoo.py ] && [ "$(module_state "$db_demo")" = installed ]; then
        ODOO_TEST_DATABASE=$db_demo ODOO_BIN=$ODOO_BIN_FOUND ODOO_PYTHON=$ODOO_PY ODOO_ADDONS_PATH=$CORE_ADDONS \
            run_pytest "pytest tests/deploy (Odoo)" "$ROOT" "$ODOO_PY" -p no:odoo -p no:cacheprovider \
            tests/deploy/test_provision_odoo.py
    fi

    # 2c. end to end (tests/e2e) and the real-Odoo fault test (tests/faults),
    # each on its own copy of the demo database
    if [ "$(module_state "$db_demo")" = installed ]; then
        run_odoo_e2e "$db_demo"
    fi

    # 3. without demo data, no tests: the core alone (it must not need
    # accounting), then the accounting companion with it
    odoo_install "install $ADDON without demo data" "$db_nodemo" "$LOG_DIR/odoo-install-nodemo.log" \
        "$ADDON" --without-demo=all
    odoo_install "install $ADDON_LIST without demo data" "${db_nodemo}_account" \
        "$LOG_DIR/odoo-install-nodemo-account.log" "$ADDON_LIST" --without-demo=all
    drop_odoo_dbs
}

# ------------------------------------------------------------------ main

# Sourcing the script (tests/tools/test_test_script.py) only defines the functions.
[[ ${BASH_SOURCE[0]} == "$0" ]] || return 0

START=$(date +%s)
cleanup() { [ ${#ODOO_DBS[@]} -gt 0 ] && drop_odoo_dbs; }
trap cleanup EXIT
trap 'alarm "interrupted"; exit 130' INT TERM

VPY=python3
if [[ $TIERS =~ ,(lint|unit|service), ]] && ! ensure_venv; then
    alarm "cannot set up $VENV from requirements-dev.txt"
    count "virtualenv $VENV" 0 1
fi
find_odoo

[[ $TIERS == *,lint,* ]] && timed_tier lint tier_lint
[[ $TIERS == *,unit,* ]] && timed_tier unit tier_unit
[[ $TIERS == *,service,* ]] && timed_tier service tier_service
[[ $TIERS == *,odoo,* ]] && timed_tier odoo tier_odoo

header "SUMMARY"
printf '%s\n' "${ROWS[@]}"
echo
echo "  time per tier:"
printf '%s\n' "${TIER_ROWS[@]}"
if [[ $TIERS == *,odoo,* ]] && [ -z "$ODOO_BIN_FOUND" ]; then
    alarm "ODOO TIER DID NOT RUN: $ODOO_WHY !!!"
fi
echo "  ($SKIPPED skipped, not counted as passed; full logs in $LOG_DIR; $(($(date +%s) - START))s in all)"
echo
echo "total: $PASSED passed, $FAILED failed"
((FAILED == 0 && PASSED > 0))
