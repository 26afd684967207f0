"""How scripts/test.sh reads what the runners print and counts it.

The script's functions are loaded with ``source`` (which defines them and
runs nothing) and fed small logs written the way pytest and Odoo 18.0 write
theirs.
"""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "test.sh"

ODOO_LINE = "2026-11-22 02:33:48,253 5771 {level} test_db {logger}: {message}"


def bash(snippet, tmp_path, **extra_env):
    """Run ``snippet`` after sourcing the script; return its stdout and the
    counters (passed, failed, skipped) it left."""
    env = {k: v for k, v in os.environ.items() if k not in ("ODOO_BIN", "ODOO_PYTHON", "PYTHONPATH")}
    env.update(TEST_LOG_DIR=str(tmp_path / "logs"), **extra_env)
    result = subprocess.run(
        ["bash", "-c", f'source "{SCRIPT}"; {snippet}; echo "COUNTS $PASSED $FAILED $SKIPPED"'],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    *lines, last = result.stdout.rstrip("\n").split("\n")
    assert last.startswith("COUNTS "), result.stdout
    passed, failed, skipped = (int(n) for n in last.split()[1:])
    return "\n".join(lines), (passed, failed, skipped)


def odoo_log(tmp_path, *records):
    path = tmp_path / "odoo.log"
    path.write_text(
        "\n".join(ODOO_LINE.format(level=level, logger=logger, message=message) for level, logger, message in records)
        + "\n"
    )
    return path


# ------------------------------------------------------------------ pytest


def test_pytest_closing_line_is_counted(tmp_path):
    log = tmp_path / "pytest.log"
    log.write_text("collected 16 items\n...\n===== 3 failed, 10 passed, 2 skipped, 1 error in 1.23s =====\n")
    out, _ = bash(f'pytest_counts "{log}"', tmp_path)
    assert out == "10 4 2"


def test_pytest_xfail_warnings_and_long_durations(tmp_path):
    log = tmp_path / "pytest.log"
    log.write_text("== 5 passed, 1 xfailed, 1 xpassed, 3 warnings in 61.16s (0:01:01) ==\n")
    out, _ = bash(f'pytest_counts "{log}"', tmp_path)
    assert out == "6 0 1"


def test_pytest_without_tests_counts_as_a_failure(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "test_nothing.py").write_text("")
    out, counts = bash(f'run_pytest "empty tier" "{tmp_path}" "{sys.executable}" -p no:cacheprovider empty', tmp_path)
    assert "no test was collected" in out
    assert counts == (0, 1, 0)


def test_pytest_failure_is_counted_test_by_test(tmp_path):
    (tmp_path / "suite").mkdir()
    (tmp_path / "suite" / "test_some.py").write_text(
        "def test_one():\n    assert True\n\n"
        "def test_two():\n    assert 1 == 2\n\n"
        "def test_three():\n    assert True\n"
    )
    out, counts = bash(f'run_pytest "suite" "{tmp_path}" "{sys.executable}" -p no:cacheprovider suite', tmp_path)
    assert counts == (2, 1, 0)
    assert "1 failed, 2 passed" in out


def test_check_counts_one_command_as_one_check(tmp_path):
    out, counts = bash('check "passes" true; check "fails" false; printf "%s\\n" "${ROWS[@]}"', tmp_path)
    assert counts == (1, 1, 0)
    assert "!!! fails failed" in out
    rows = out.splitlines()[-2:]
    assert rows[0].split()[:2] == ["ok", "passes"]
    assert rows[1].split()[:2] == ["FAIL", "fails"]


# -------------------------------------------------------------------- odoo


def test_failing_odoo_test_fails_the_run(tmp_path):
    log = odoo_log(
        tmp_path,
        ("INFO", "odoo.modules.loading", "Modules loaded."),
        ("ERROR", "odoo.addons.beneficiary_relations.tests.test_x", "FAIL: TestX.test_y"),
        ("INFO", "odoo.addons.beneficiary_relations.tests.test_x", "skipped TestX.test_z : no printer"),
        ("ERROR", "odoo.tests.result", "1 failed, 1 error(s) of 12 tests when loading database 'test_db'"),
    )
    out, counts = bash(f'odoo_test_summary "{log}"', tmp_path)
    assert "Odoo says: 1 failed, 1 error(s) of 12 tests" in out
    assert counts == (9, 2, 1)


def test_odoo_run_without_summary_is_a_failure(tmp_path):
    log = odoo_log(tmp_path, ("CRITICAL", "odoo.service.server", "Failed to initialize database `test_db`."))
    out, counts = bash(f'odoo_test_summary "{log}"', tmp_path)
    assert "Odoo printed no test summary" in out
    assert counts == (0, 1, 0)


def test_odoo_run_with_no_test_is_a_failure(tmp_path):
    log = odoo_log(tmp_path, ("WARNING", "odoo.tests.result", "0 failed, 0 error(s) of 0 tests when loading database 'test_db'"))
    out, counts = bash(f'odoo_test_summary "{log}"', tmp_path)
    assert "Odoo ran no test" in out
    assert counts == (0, 1, 0)


def test_errors_outside_the_tests_are_reported(tmp_path):
    log = odoo_log(
        tmp_path,
        ("ERROR", "odoo.addons.beneficiary_relations.tests.test_x", "FAIL: TestX.test_y"),
        ("ERROR", "odoo.modules.loading", "Module beneficiary_relations: 1 failures, 0 errors of 12 tests"),
        ("ERROR", "odoo.tests.result", "1 failed, 0 error(s) of 12 tests when loading database 'test_db'"),
        ("WARNING", "odoo.modules.loading", "The models ['x.y'] have no access rules"),
        ("ERROR", "odoo.modules.loading", "Some modules are not loaded, some dependencies or manifest may be missing"),
        ("CRITICAL", "odoo.service.server", "Failed to initialize database `test_db`."),
    )
    out, _ = bash(f'unexpected_errors "{log}"', tmp_path)
    assert out.splitlines() == [
        ODOO_LINE.format(level="ERROR", logger="odoo.modules.loading", message="Some modules are not loaded, some dependencies or manifest may be missing"),
        ODOO_LINE.format(level="CRITICAL", logger="odoo.service.server", message="Failed to initialize database `test_db`."),
    ]


def test_warnings_and_errors_are_shown_with_their_traceback(tmp_path):
    log = tmp_path / "odoo.log"
    log.write_text(
        ODOO_LINE.format(level="INFO", logger="odoo.modules.loading", message="loading 1 modules...")
        + "\n"
        + ODOO_LINE.format(level="ERROR", logger="odoo.addons.beneficiary_relations.tests.test_x", message="FAIL: TestX.test_y")
        + "\nTraceback (most recent call last):\nAssertionError: 1 != 2\n"
        + ODOO_LINE.format(level="INFO", logger="odoo.modules.loading", message="Modules loaded.")
        + "\n"
    )
    out, _ = bash(f'show_log_problems "{log}"', tmp_path)
    assert out.splitlines() == [
        ODOO_LINE.format(level="ERROR", logger="odoo.addons.beneficiary_relations.tests.test_x", message="FAIL: TestX.test_y"),
        "Traceback (most recent call last):",
        "AssertionError: 1 != 2",
    ]


# ------------------------------------------------------------ whole script


def run_script(tmp_path, **env):
    full_env = {k: v for k, v in os.environ.items() if k != "ODOO_BIN"}
    full_env.update(TEST_LOG_DIR=str(tmp_path / "logs"), **env)
    return subprocess.run(["bash", str(SCRIPT)], env=full_env, capture_output=True, text=True, check=False)


def test_no_odoo_on_path_prints_the_banner_and_a_total_line(tmp_path):
    # /usr/local/bin (where an `odoo` launcher usually lives) is left out
    result = run_script(tmp_path, TEST_TIERS="odoo", PATH="/usr/bin:/bin")
    lines = result.stdout.splitlines()
    banner = (
        "!!! ODOO TIER DID NOT RUN: no Odoo 18.0 found (set ODOO_BIN or put odoo/odoo-bin on PATH) !!!"
    )
    assert lines.count(banner) == 2  # in the tier and again in the summary
    assert lines[-1] == "total: 0 passed, 0 failed"
    # nothing ran at all: that is not a success
    assert result.returncode == 1


def test_odoo_bin_pointing_nowhere_is_named_in_the_banner(tmp_path):
    result = run_script(tmp_path, TEST_TIERS="odoo", ODOO_BIN=str(tmp_path / "no-odoo-here"))
    assert f"!!! ODOO TIER DID NOT RUN: ODOO_BIN={tmp_path}/no-odoo-here does not exist !!!" in result.stdout
    assert result.returncode == 1


# ---------------------------------------------------------- finding Odoo


def fake_odoo(root, serie="18.0"):
    """A source tree with an ``odoo`` package of the given series and its
    odoo-bin, run by this interpreter."""
    (root / "odoo").mkdir(parents=True)
    (root / "odoo" / "__init__.py").write_text("")
    (root / "odoo" / "release.py").write_text(f"serie = {serie!r}\n")
    odoo_bin = root / "odoo-bin"
    odoo_bin.write_text(f"#!{sys.executable}\nprint('fake odoo')\n")
    odoo_bin.chmod(0o755)
    return odoo_bin


def found(tmp_path, **env):
    env.setdefault("PATH", "/usr/bin:/bin")
    out, _ = bash(
        'find_odoo; echo "FOUND=$ODOO_BIN_FOUND"; echo "SRC=$ODOO_SRC"; echo "WHY=$ODOO_WHY"',
        tmp_path,
        **env,
    )
    return dict(line.split("=", 1) for line in out.splitlines() if line[:4] in ("FOUN", "SRC=", "WHY="))


def test_odoo_bin_on_path_is_found_with_its_source(tmp_path):
    odoo_bin = fake_odoo(tmp_path / "src")
    result = found(tmp_path, PATH=f"{tmp_path / 'src'}:/usr/bin:/bin")
    assert result == {"FOUND": str(odoo_bin), "SRC": str(tmp_path / "src"), "WHY": ""}


def test_odoo_launcher_on_path_comes_before_odoo_bin(tmp_path):
    odoo_bin = fake_odoo(tmp_path / "src")
    launcher = tmp_path / "bin" / "odoo"
    launcher.parent.mkdir()
    launcher.write_text(f'#!/bin/sh\nexec {sys.executable} {odoo_bin} "$@"\n')
    launcher.chmod(0o755)
    result = found(tmp_path, PATH=f"{tmp_path / 'bin'}:{tmp_path / 'src'}:/usr/bin:/bin")
    assert result["FOUND"] == str(launcher)
    assert result["SRC"] == str(tmp_path / "src")


def test_odoo_bin_variable_comes_before_path(tmp_path):
    on_path = fake_odoo(tmp_path / "src")
    chosen = fake_odoo(tmp_path / "other")
    result = found(tmp_path, PATH=f"{on_path.parent}:/usr/bin:/bin", ODOO_BIN=str(chosen))
    assert result["FOUND"] == str(chosen)


def test_an_odoo_of_another_series_is_not_used(tmp_path):
    odoo_bin = fake_odoo(tmp_path / "src", serie="17.0")
    result = found(tmp_path, ODOO_BIN=str(odoo_bin))
    assert result["FOUND"] == ""
    assert result["WHY"] == f"{odoo_bin} is Odoo 17.0, not 18.0"
