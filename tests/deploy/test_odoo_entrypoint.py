"""The decisions of the Odoo image's start step (deploy/odoo/entrypoint.sh), with
stand-ins for odoo, psql and pg_isready that keep the database's state in files.

The real thing, against Odoo 18.0 and PostgreSQL, is test_provision_odoo.py.
"""

import os
import stat

import pytest
from deploy_helpers import ODOO_ENTRYPOINT, run

PSQL = r"""#!/bin/sh
# answers the entry point's queries from $STATE
sql=""
while [ $# -gt 0 ]; do [ "$1" = -c ] && sql=$2; shift; done
case "$sql" in
    *"name = 'base'"*) file=base_state ;;
    *latest_version*"'beneficiary_relations_account'"*) file=account_version ;;
    *"name = 'beneficiary_relations_account'"*) file=account_state ;;
    *latest_version*) file=addon_version ;;
    *"name = 'beneficiary_relations'"*) file=addon_state ;;
    *first_start_done*) file=first_start_done ;;
    *) exit 3 ;;
esac
[ -f "$STATE/$file" ] || exit 2
cat "$STATE/$file"
"""

ODOO = r"""#!/bin/sh
# records each call in $STATE/calls and plays its effect on the state
case "$*" in
    shell*)
        script=$(cat)
        case "$script" in
            *first_start_done*) echo "shell first_start" >>"$STATE/calls"; echo 1 >"$STATE/first_start_done" ;;
            *provision_feedback*) echo "shell provision" >>"$STATE/calls" ;;
        esac
        exit 0 ;;
esac
echo "odoo $*" >>"$STATE/calls"
case "$*" in
    *--init=base*) echo installed >"$STATE/base_state" ;;
    *--init=beneficiary_relations_account*)
        echo installed >"$STATE/account_state"; echo "$MANIFEST_VERSION" >"$STATE/account_version" ;;
    *--init=beneficiary_relations* | *--update=beneficiary_relations*)
        echo installed >"$STATE/addon_state"; echo "$MANIFEST_VERSION" >"$STATE/addon_version" ;;
esac
"""


@pytest.fixture
def start(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("psql", PSQL), ("odoo", ODOO), ("pg_isready", "#!/bin/sh\nexit 0\n")):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    addons = [tmp_path / "addons" / name for name in ("beneficiary_relations", "beneficiary_relations_account")]
    for addon in addons:
        addon.mkdir(parents=True)

    def call(*args, version="18.0.1.0.0", **extra):
        for addon in addons:
            (addon / "__manifest__.py").write_text('{\n    "name": "x",\n    "version": "%s",\n}\n' % version)
        environ = {
            "PATH": "%s:%s" % (bin_dir, os.environ["PATH"]),
            "STATE": str(state),
            "MANIFEST_VERSION": version if version.startswith("18.0.") else "18.0." + version,
            "ODOO_DB": "beneficiaries",
            "ADDONS_DIR": str(tmp_path / "addons"),
        }
        environ.update(extra)
        (state / "calls").write_text("")
        result = run(["bash", ODOO_ENTRYPOINT, *args], env=environ)
        result.calls = (state / "calls").read_text().splitlines()
        return result

    call.state = state
    return call


def given(state, **files):
    for name, value in files.items():
        (state / name).write_text(value + "\n")


# a database prepared by an earlier start
READY = {
    "base_state": "installed",
    "addon_state": "installed",
    "addon_version": "18.0.1.0.0",
    "first_start_done": "1",
}
SERVER = "odoo --database=beneficiaries --db-filter=^beneficiaries$"
ONE_OFF = "odoo --database=beneficiaries --no-http --stop-after-init"


def test_first_start_creates_the_database_sets_the_admin_installs_the_addon_provisions_and_serves(start):
    result = start()
    assert result.returncode == 0, result.stderr
    assert result.calls == [
        ONE_OFF + " --without-demo=all --init=base --load-language=ar_001",
        "shell first_start",
        ONE_OFF + " --without-demo=all --init=beneficiary_relations",
        "shell provision",
        SERVER,
    ]
    assert "first start: creating database beneficiaries" in result.stdout


def test_demo_data_and_the_language_are_switchable(start):
    result = start("init", ODOO_DEMO="true", ODOO_LANGUAGE="en_US")
    assert result.calls[0] == ONE_OFF + " --init=base --load-language=en_US"
    assert result.calls[2] == ONE_OFF + " --init=beneficiary_relations"
    assert result.calls[-1] == "shell provision"  # init stops before serving


def test_a_restart_only_provisions_and_serves(start):
    given(start.state, **READY)
    result = start("serve", "--workers=2", ODOO_PROXY_MODE="true")
    assert result.calls == ["shell provision", SERVER + " --proxy-mode --workers=2"]


def test_a_new_addon_version_updates_it(start):
    given(start.state, **READY)
    result = start(version="1.1.0")
    assert result.calls == [
        ONE_OFF + " --without-demo=all --update=beneficiary_relations",
        "shell provision",
        SERVER,
    ]
    assert "updating beneficiary_relations from 18.0.1.0.0 to 18.0.1.1.0" in result.stdout


def test_accounting_is_installed_after_the_core_when_asked(start):
    result = start("init", ODOO_ACCOUNTING="true")
    assert result.returncode == 0, result.stderr
    assert result.calls[2:] == [
        ONE_OFF + " --without-demo=all --init=beneficiary_relations",
        ONE_OFF + " --without-demo=all --init=beneficiary_relations_account",
        "shell provision",
    ]


def test_accounting_can_be_added_to_a_running_deployment(start):
    given(start.state, **READY)
    result = start("init", ODOO_ACCOUNTING="true")
    assert result.calls == [ONE_OFF + " --without-demo=all --init=beneficiary_relations_account", "shell provision"]
    # and without it, nothing about accounting is done
    given(start.state, account_state="uninstalled")
    assert start("init").calls == ["shell provision"]


def test_update_covers_the_accounting_addon_when_it_is_used(start):
    given(start.state, **READY)
    assert start("update").calls == [ONE_OFF + " --without-demo=all --update=beneficiary_relations"]
    assert start("update", ODOO_ACCOUNTING="yes").calls == [
        ONE_OFF + " --without-demo=all --update=beneficiary_relations,beneficiary_relations_account"
    ]


def test_an_interrupted_install_is_taken_up_again(start):
    given(start.state, base_state="installed", addon_state="to install", first_start_done="1")
    result = start("init")
    assert result.calls == [ONE_OFF + " --without-demo=all --init=beneficiary_relations", "shell provision"]


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"ODOO_DB": ""}, "ODOO_DB is not set"),
        ({"ODOO_DB": "my db;drop"}, "ODOO_DB='my db;drop': use letters, digits, _ and - only"),
        ({"ODOO_DEMO": "maybe"}, "expected true or false, not 'maybe'"),
        ({"ODOO_ACCOUNTING": "perhaps"}, "expected true or false, not 'perhaps'"),
    ],
)
def test_bad_settings_stop_the_start_with_a_message(start, environ, message):
    result = start(**environ)
    assert result.returncode == 1
    assert message in result.stderr
    assert result.calls == []


def test_the_script_is_executable():
    assert ODOO_ENTRYPOINT.stat().st_mode & stat.S_IXUSR
