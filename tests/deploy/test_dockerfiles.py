"""The two Dockerfiles and their ignore files, read as text (no Docker engine here),
and the feedback image's entry point run with sh and stand-in programs."""

import os
import re
import stat

import pytest
from deploy_helpers import FEEDBACK_DIR, REPO, feedback_entrypoint_text, require_program, run

FEEDBACK_DOCKERFILE = (FEEDBACK_DIR / "Dockerfile").read_text(encoding="utf-8")
ODOO_DOCKERFILE = (REPO / "deploy" / "odoo" / "Dockerfile").read_text(encoding="utf-8")
ENTRYPOINT_BODY = feedback_entrypoint_text()
BUILD_TOOLS = re.compile(r"\b(gcc|g\+\+|make|build-essential|libpq-dev|python3?-dev|apt-get install)\b")


def instructions(dockerfile):
    """(INSTRUCTION, arguments) pairs, continuation lines joined, heredoc bodies skipped."""
    result, lines = [], iter(dockerfile.splitlines())
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        while line.endswith("\\"):
            line = line[:-1] + " " + next(lines).strip()
        word, _, rest = line.strip().partition(" ")
        result.append((word.upper(), rest.strip()))
        heredoc = re.search(r"<<'?(\w+)'?", rest)
        if heredoc:
            for body in lines:
                if body == heredoc.group(1):
                    break
    return result


def stages(dockerfile):
    found = []
    for word, rest in instructions(dockerfile):
        if word == "FROM":
            found.append([])
        if found:
            found[-1].append((word, rest))
    return found


def ignored(ignore_file, path):
    """Whether Docker's ignore rules (last match wins, a match on a parent folder
    counts) leave `path` out of the build context."""
    rules = []
    for line in ignore_file.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            negate = line.startswith("!")
            pattern = line.lstrip("!").strip("/")
            regex = re.escape(pattern).replace(r"\*\*", ".*").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
            rules.append((negate, re.compile(regex + r"\Z")))
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for negate, regex in rules:
        if any(regex.match(prefix) for prefix in prefixes):
            result = not negate
    return result


def copy_sources(dockerfile):
    sources = []
    for word, rest in instructions(dockerfile):
        if word == "COPY" and "--from=" not in rest and "<<" not in rest:
            words = [w for w in rest.split() if not w.startswith("--")]
            sources += words[:-1]
    return sources


# --------------------------------------------------------------- feedback image


def test_the_feedback_image_is_built_in_two_stages_from_slim_python_3_11():
    built = stages(FEEDBACK_DOCKERFILE)
    assert len(built) == 2
    base = re.search(r"ARG PYTHON_IMAGE=(\S+)", FEEDBACK_DOCKERFILE).group(1)
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", base)
    assert built[0][0] == ("FROM", "${PYTHON_IMAGE} AS builder")
    assert built[1][0] == ("FROM", "${PYTHON_IMAGE}")
    builder = " ".join(rest for _, rest in built[0])
    assert "pip wheel" in builder and "--no-index --find-links" in builder


def test_the_final_feedback_stage_has_no_build_tools_and_runs_as_a_user():
    final = stages(FEEDBACK_DOCKERFILE)[1]
    text = "\n".join(rest for _, rest in final)
    assert not BUILD_TOOLS.search(text), BUILD_TOOLS.search(text)
    assert "pip uninstall" in text  # not even pip is left
    users = [rest for word, rest in final if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert ("COPY", "--from=builder /opt/venv /opt/venv") in final


def test_the_feedback_image_checks_its_health_and_starts_gunicorn_with_the_service_config():
    final = dict(stages(FEEDBACK_DOCKERFILE)[1])
    assert "/healthz" in final["HEALTHCHECK"] and "urllib" in final["HEALTHCHECK"]
    assert final["ENTRYPOINT"] == '["feedback-entrypoint"]'
    assert final["CMD"] == '["web"]'
    assert "gunicorn --config /app/gunicorn.conf.py" in FEEDBACK_DOCKERFILE
    assert "FEEDBACK_BIND=0.0.0.0:8000" in FEEDBACK_DOCKERFILE


def test_the_service_requirements_are_all_pinned():
    for line in (FEEDBACK_DIR / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.]+", line), "not pinned: %s" % line


@pytest.mark.parametrize(
    "dockerfile, context, ignore_file",
    [
        (FEEDBACK_DOCKERFILE, FEEDBACK_DIR, FEEDBACK_DIR / ".dockerignore"),
        (ODOO_DOCKERFILE, REPO, REPO / "deploy" / "odoo" / "Dockerfile.dockerignore"),
    ],
    ids=["feedback", "odoo"],
)
def test_the_ignore_file_sends_what_the_dockerfile_copies_and_nothing_heavy(dockerfile, context, ignore_file):
    sources = copy_sources(dockerfile)
    assert sources
    for source in sources:
        assert (context / source).exists(), source
        assert not ignored(ignore_file, source), "%s is copied but left out by %s" % (
            source,
            ignore_file.name,
        )
    for heavy in (
        ".venv/bin/python",
        "tests/conftest.py",
        "instance/feedback.sqlite3",
        ".git/HEAD",
        "README.md",
    ):
        assert ignored(ignore_file, heavy)
    assert ignored(ignore_file, "feedback/__pycache__/x.cpython-311.pyc")


# --------------------------------------------------------------- the entry point


@pytest.fixture
def entrypoint(tmp_path):
    """The entry point from the Dockerfile, with flask and gunicorn stand-ins that
    print how they were called."""
    body = ENTRYPOINT_BODY
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "feedback-entrypoint"
    script.write_text(body + "\n")
    for name in ("flask", "gunicorn"):
        stub = bin_dir / name
        stub.write_text('#!/bin/sh\necho "%s $*"\n' % name)
    for path in bin_dir.iterdir():
        path.chmod(path.stat().st_mode | stat.S_IXUSR)

    def call(*args, env_file=None, **extra):
        environ = {"PATH": "%s:%s" % (bin_dir, os.environ["PATH"]), "HOME": str(tmp_path)}
        environ["FEEDBACK_ENV_FILE"] = str(env_file or tmp_path / "absent.env")
        environ.update(extra)
        return run(["sh", script, *args], env=environ)

    return call


def test_web_upgrades_the_schema_then_starts_gunicorn(entrypoint):
    result = entrypoint(FEEDBACK_SECRET="x" * 32)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "flask --app feedback db upgrade",
        "gunicorn --config /app/gunicorn.conf.py feedback:create_app()",
    ]
    assert result.stderr == ""


def test_sync_runs_the_loop(entrypoint):
    result = entrypoint("sync", "--interval", "5", FEEDBACK_SECRET="x" * 32)
    assert result.stdout.splitlines() == ["flask --app feedback sync --loop --interval 5"]


def test_the_provisioning_file_reaches_the_service(entrypoint, provision, tmp_path):
    values = {
        "ODOO_DB": "beneficiaries",
        "ODOO_LOGIN": "feedback-service",
        "ODOO_API_KEY": "abc'def",
        "FEEDBACK_SECRET": "y" * 40,
    }
    env_file = tmp_path / "odoo.env"
    provision.write_env_file(str(env_file), provision.render_env_file(values, "beneficiaries"))
    result = entrypoint("env", env_file=env_file)
    assert result.returncode == 0, result.stderr
    seen = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    for key, value in values.items():
        assert seen[key] == value


def test_the_shell_scripts_pass_shellcheck(tmp_path):
    shellcheck = require_program("shellcheck", "apt-get install shellcheck")
    entrypoint = tmp_path / "feedback-entrypoint"
    entrypoint.write_text(ENTRYPOINT_BODY + "\n")
    scripts = [REPO / "deploy" / "odoo" / "entrypoint.sh", REPO / "deploy" / "new-env.sh"]
    scripts += [REPO / "deploy" / "postgres" / "init-roles.sh", entrypoint]
    result = run([shellcheck, *scripts])
    assert result.returncode == 0, result.stdout


def test_without_the_file_nor_a_secret_the_entry_point_says_where_it_looked(entrypoint, tmp_path):
    result = entrypoint("true")
    assert result.returncode == 0
    assert "%s does not exist" % (tmp_path / "absent.env") in result.stderr


# --------------------------------------------------------------- odoo image


def test_the_odoo_image_extends_the_official_one_with_the_addon_requirements():
    steps = instructions(ODOO_DOCKERFILE)
    assert steps[0] == ("FROM", "odoo:18.0")
    text = "\n".join(rest for _, rest in steps)
    assert "addons/requirements.txt" in text and "pip3 install" in text
    assert steps[-1] == ("CMD", '["serve"]')
    users = [rest for word, rest in steps if word == "USER"]
    assert users[-1] == "odoo"
    entry = dict(steps)["ENTRYPOINT"]
    assert entry == '["/opt/beneficiary-relations/deploy/odoo/entrypoint.sh"]'
    assert "/web/health" in dict(steps)["HEALTHCHECK"]


def test_the_odoo_image_shares_the_file_with_the_feedback_user_s_group():
    feedback_gid = re.search(r"groupadd --gid (\d+) feedback", FEEDBACK_DOCKERFILE).group(1)
    uid_group = re.search(r"useradd --uid \d+ --gid feedback", FEEDBACK_DOCKERFILE)
    assert uid_group
    assert "groupadd --gid %s feedback" % feedback_gid in ODOO_DOCKERFILE
    assert "FEEDBACK_ENV_FILE_GROUP=%s" % feedback_gid in ODOO_DOCKERFILE
    assert "install -d -o odoo -g feedback -m 0750 /run/feedback" in ODOO_DOCKERFILE
    assert "FEEDBACK_ENV_FILE=/run/feedback/odoo.env" in ODOO_DOCKERFILE
    assert "FEEDBACK_ENV_FILE=/run/feedback/odoo.env" in FEEDBACK_DOCKERFILE


def test_the_odoo_image_copies_the_start_step_where_the_entry_point_looks_for_it():
    # entrypoint.sh finds provision_feedback.py one folder up from itself, as in the repository
    assert "COPY deploy/provision_feedback.py /opt/beneficiary-relations/deploy/" in ODOO_DOCKERFILE
    assert (
        "COPY deploy/odoo/entrypoint.sh deploy/odoo/first_start.py /opt/beneficiary-relations/deploy/odoo/"
        in ODOO_DOCKERFILE
    )
    assert "DEPLOY_DIR/provision_feedback.py" in (REPO / "deploy" / "odoo" / "entrypoint.sh").read_text()
