"""docker-compose.yml, .env.example and deploy/new-env.sh, checked without a Docker engine.

The file must validate against the compose specification's schema and with
Debian's ``docker-compose config``; the variables it passes must be the ones
their readers read; every dependency, volume and healthcheck must be there; no
secret may be written in it.
"""

import ast
import os
import re
import stat
import sys

import pytest
import yaml
from deploy_helpers import (
    COMPOSE_FILE,
    ENV_EXAMPLE,
    FEEDBACK_DIR,
    ODOO_ENTRYPOINT,
    REPO,
    feedback_entrypoint_text,
    load_module,
    require_program,
    run,
)

COMPOSE = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
# the file without its comments (they may show ${NAME} as an example)
COMPOSE_TEXT = "\n".join(
    re.sub(r"(^|\s)#.*$", "", line) for line in COMPOSE_FILE.read_text(encoding="utf-8").splitlines()
)
SERVICES = COMPOSE["services"]
FEEDBACK_SERVICES = ("feedback-web", "feedback-sync")
SHELL_NAME = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)")
INTERPOLATION = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?:(:?[-?])([^}]*))?\}")
LIBPQ = {"PGHOST", "PGPORT", "PGUSER", "PGPASSWORD"}
# Read by the official postgres image's entry point.
POSTGRES_IMAGE = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}
# Settings the stack leaves at the service's own defaults (services/feedback/README.md
# documents them; docs/deployment.md says how to change them). A new setting of the
# service fails the test below until it is passed here or listed.
FEEDBACK_DEFAULTS_KEPT = {
    "FEEDBACK_RATELIMIT_PER_CLIENT",
    "FEEDBACK_RATELIMIT_PER_TOKEN",
    "FEEDBACK_RATELIMIT_STORAGE_TIMEOUT",
    "ODOO_CONNECT_TIMEOUT",
    "ODOO_READ_TIMEOUT",
    "FEEDBACK_SYNC_BATCH_SIZE",
    "FEEDBACK_SYNC_MAX_ATTEMPTS",
    "FEEDBACK_SYNC_BACKOFF_BASE",
    "FEEDBACK_SYNC_BACKOFF_MAX",
    "FEEDBACK_SYNC_INTERVAL",
    "FEEDBACK_SYNC_STALE_AFTER",
    "FEEDBACK_WORKERS",
    "FEEDBACK_THREADS",
    "FEEDBACK_WORKER_TIMEOUT",
    "FEEDBACK_FORWARDED_ALLOW_IPS",
    "FEEDBACK_ACCESS_LOG",
    "FEEDBACK_LOG_LEVEL",
}


def environment(service):
    value = SERVICES[service].get("environment") or {}
    if isinstance(value, list):
        value = dict(item.partition("=")[::2] for item in value)
    return value


def env_example():
    names = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            names[name] = value
    return names


def filled_env_file(tmp_path):
    """.env.example with its empty passwords filled, as deploy/new-env.sh does."""
    result = run(["sh", REPO / "deploy" / "new-env.sh", tmp_path / "test.env"])
    assert result.returncode == 0, result.stderr
    return tmp_path / "test.env"


# --------------------------------------------------------------- validity


def test_the_compose_file_validates_against_the_compose_spec_schema():
    result = run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", COMPOSE_FILE]
    )
    assert result.returncode == 0, result.stdout + result.stderr


def compose_config(env_file):
    """Debian's `docker-compose config -q` on the file, with `env_file` as its .env."""
    docker_compose = require_program("docker-compose", "apt-get install docker-compose (Debian's package)")
    command = [docker_compose, "--env-file", env_file, "--file", COMPOSE_FILE, "--project-directory", REPO]
    return run(command + ["config", "-q"], env=_clean_environ())


def test_debian_docker_compose_accepts_the_file_with_the_generated_env(tmp_path):
    result = compose_config(filled_env_file(tmp_path))
    assert result.returncode == 0, result.stderr


def test_without_env_docker_compose_names_the_missing_password(tmp_path):
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = compose_config(empty)
    assert result.returncode != 0
    assert re.search(r"set [A-Z_]+PASSWORD in \.env", result.stderr), result.stderr


def _clean_environ():
    """The environment without the stack's variables, so only the env file counts."""
    names = set(env_example())
    return {key: value for key, value in os.environ.items() if key not in names}


# --------------------------------------------------------------- structure


def test_every_depends_on_target_is_a_service_of_the_file():
    for name, service in SERVICES.items():
        for target in service.get("depends_on") or {}:
            assert target in SERVICES, "%s depends on %s, which is not a service" % (name, target)
            assert target != name


def test_the_start_order_has_no_cycle_and_waits_for_health():
    order, seen = [], set()

    def visit(name, path=()):
        assert name not in path, "depends_on cycle: %s" % " -> ".join(path + (name,))
        if name in seen:
            return
        for target in SERVICES[name].get("depends_on") or {}:
            visit(target, path + (name,))
        seen.add(name)
        order.append(name)

    for name in SERVICES:
        visit(name)
    assert (
        order.index("db") < order.index("odoo") < order.index("feedback-web") < order.index("feedback-sync")
    )
    for name, service in SERVICES.items():
        for target, rule in (service.get("depends_on") or {}).items():
            assert rule == {"condition": "service_healthy"}, "%s -> %s: %r" % (name, target, rule)


def test_every_service_has_a_healthcheck_and_a_restart_policy():
    assert set(SERVICES) == {"db", "odoo", "redis", "feedback-web", "feedback-sync"}
    for name, service in SERVICES.items():
        check = service.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), "%s has no healthcheck" % name
        assert service.get("restart") in ("unless-stopped", "always"), "%s restart: %r" % (
            name,
            service.get("restart"),
        )


def test_web_healthchecks_ask_the_health_endpoints():
    assert "/web/health" in " ".join(SERVICES["odoo"]["healthcheck"]["test"])
    assert "/healthz" in " ".join(SERVICES["feedback-web"]["healthcheck"]["test"])


def test_the_sync_healthcheck_fails_when_ratings_wait_for_odoo():
    # services/feedback/tests/test_faults_sync.py shows what `outbox --check` catches
    assert SERVICES["feedback-sync"]["healthcheck"]["test"][-3:] == ["feedback", "outbox", "--check"]


def test_named_volumes_are_declared_and_used():
    declared = set(COMPOSE.get("volumes") or {})
    used = set()
    for service in SERVICES.values():
        for volume in service.get("volumes") or []:
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                used.add(source)
    assert used == declared
    assert {"db-data", "odoo-data", "feedback-provision"} <= declared


def test_bind_mounts_point_at_files_of_the_repository():
    for service in SERVICES.values():
        for volume in service.get("volumes") or []:
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (REPO / source).exists(), source
    mounts = SERVICES["odoo"]["volumes"]
    assert "./addons:/mnt/extra-addons:ro" in mounts


def test_the_shared_file_is_read_only_for_the_feedback_services():
    for name in FEEDBACK_SERVICES:
        assert "feedback-provision:/run/feedback:ro" in SERVICES[name]["volumes"]
    assert "feedback-provision:/run/feedback" in SERVICES["odoo"]["volumes"]


def test_build_contexts_exist_and_the_feedback_services_share_one_image():
    assert (REPO / SERVICES["odoo"]["build"]["dockerfile"]).is_file()
    web, sync = (SERVICES[name] for name in FEEDBACK_SERVICES)
    assert web["image"] == sync["image"] and web["build"] == sync["build"]
    assert (REPO / web["build"]["context"] / "Dockerfile").is_file()
    assert web["command"] == ["web"] and sync["command"] == ["sync"]


# --------------------------------------------------------------- secrets


def test_no_secret_is_written_in_the_compose_file():
    text = COMPOSE_TEXT
    for service_name in SERVICES:
        for key, value in environment(service_name).items():
            if re.search(r"PASSWORD|SECRET|API_KEY|TOKEN", key):
                match = INTERPOLATION.fullmatch(str(value))
                assert match, "%s.%s is written in the file: use ${VAR:?...} from .env" % (service_name, key)
                operator, default = match.group(2), match.group(3)
                assert (
                    operator in (":?", None) or default == ""
                ), "%s.%s has a default value: a secret must come from .env" % (service_name, key)
    for credentials in re.findall(r"://[^/\s:@]+:([^@\s]+)@", text):
        assert INTERPOLATION.fullmatch(credentials), "a password is written in a URL: %s" % credentials
    required = {name for name, operator, _ in INTERPOLATION.findall(text) if operator == ":?"}
    assert {
        "POSTGRES_PASSWORD",
        "ODOO_DB_PASSWORD",
        "FEEDBACK_DB_PASSWORD",
        "ODOO_ADMIN_PASSWORD",
    } == required


def test_the_required_variables_are_the_empty_passwords_of_env_example_and_new_env_fills_them(tmp_path):
    text = COMPOSE_TEXT
    required = {name for name, operator, _ in INTERPOLATION.findall(text) if operator == ":?"}
    example = env_example()
    assert {name for name, value in example.items() if value == "" and name != "FEEDBACK_SECRET"} == required
    env_file = filled_env_file(tmp_path)
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    written = dict(
        line.split("=", 1) for line in env_file.read_text().splitlines() if line and line[0] != "#"
    )
    for name in required:
        assert re.fullmatch(r"[A-Za-z0-9]{32}", written[name]), name
    assert len({written[name] for name in required}) == len(required)
    again = run(["sh", REPO / "deploy" / "new-env.sh", env_file])
    assert again.returncode == 1 and "exists already" in again.stderr


def test_env_example_lists_every_variable_of_the_compose_file_and_no_other():
    text = COMPOSE_TEXT
    used = {name for name, _, _ in INTERPOLATION.findall(text)}
    assert used == set(env_example())


def test_every_variable_of_env_example_has_a_comment():
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if line and not line.startswith("#"):
            assert lines[index - 1].startswith("#"), "no comment above %s" % line


# --------------------------------------------------------------- names


class RecordingEnviron(dict):
    """An empty environment that remembers every name asked for."""

    def __init__(self):
        super().__init__()
        self.asked = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return default

    def __getitem__(self, key):
        self.asked.add(key)
        raise KeyError(key)

    def __contains__(self, key):
        self.asked.add(key)
        return False


def names_read_by_python(path):
    """Names a Python file reads with os.environ[...], os.environ.get(...), os.getenv(...)
    or environ.get(...)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Subscript) and _is_environ(node.value):
            target = node.slice
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            if node.func.attr == "get" and _is_environ(node.func.value):
                target = node.args[0]
            elif node.func.attr == "getenv":
                target = node.args[0]
            else:
                continue
        else:
            continue
        if isinstance(target, ast.Constant) and isinstance(target.value, str):
            names.add(target.value)
    return names


def _is_environ(node):
    return (isinstance(node, ast.Name) and node.id == "environ") or (
        isinstance(node, ast.Attribute) and node.attr == "environ"
    )


def names_read_by_the_feedback_service():
    config = load_module("feedback_config_for_tests", FEEDBACK_DIR / "feedback" / "config.py")
    environ = RecordingEnviron()
    config.from_environment(environ, "/nonexistent")
    names = set(environ.asked)
    for path in [FEEDBACK_DIR / "gunicorn.conf.py", *sorted((FEEDBACK_DIR / "feedback").rglob("*.py"))]:
        names |= names_read_by_python(path)
    names |= set(SHELL_NAME.findall(feedback_entrypoint_text()))
    return names


def feedback_image_env():
    dockerfile = (FEEDBACK_DIR / "Dockerfile").read_text(encoding="utf-8")
    final_stage = dockerfile.rsplit("\nFROM ", 1)[1]
    block = re.search(r"^ENV (.*?)(?<!\\)\n", final_stage, re.S | re.M).group(1)
    return set(re.findall(r"([A-Z][A-Z0-9_]*)=", block))


def test_the_feedback_services_get_exactly_the_variables_the_service_reads(provision):
    read = names_read_by_the_feedback_service()
    from_file = set(provision.ENV_FILE_KEYS)
    from_image = feedback_image_env() & read
    for name in FEEDBACK_SERVICES:
        passed = set(environment(name))
        assert passed <= read, "%s gets variables the service never reads: %s" % (name, sorted(passed - read))
        assert not passed & from_file, "%s: these come from Odoo's provisioning file only: %s" % (
            name,
            sorted(passed & from_file),
        )
        provided = passed | from_file | from_image | FEEDBACK_DEFAULTS_KEPT
        assert provided == read, "read but not provided: %s; provided but not read: %s" % (
            sorted(read - provided),
            sorted(provided - read),
        )
    assert from_file <= read
    assert {"FEEDBACK_DATABASE_URL", "FEEDBACK_RATELIMIT_STORAGE_URL", "ODOO_URL"} <= set(
        environment("feedback-sync")
    )
    assert environment("feedback-web")["FEEDBACK_RATELIMIT_STORAGE_URL"].startswith("redis://redis:")
    assert environment("feedback-sync")["ODOO_URL"] == "http://odoo:8069"


def test_the_odoo_service_gets_exactly_what_its_start_step_reads(provision):
    first_start = REPO / "deploy" / "odoo" / "first_start.py"
    read = (
        set(SHELL_NAME.findall(ODOO_ENTRYPOINT.read_text(encoding="utf-8")))
        | names_read_by_python(first_start)
        | set(provision.SETTINGS_ENV)
        | LIBPQ
    )
    passed = set(environment("odoo"))
    assert passed <= read, sorted(passed - read)
    needed = {
        "ODOO_DB",
        "ODOO_ADMIN_PASSWORD",
        "ODOO_DEMO",
        "FEEDBACK_PUBLIC_URL",
        "PGHOST",
        "PGUSER",
        "PGPASSWORD",
    }
    assert needed <= passed, sorted(needed - passed)
    # the secret override reaches Odoo under the name the addon reads
    assert environment("odoo")["BENEFICIARY_FEEDBACK_SECRET"] == "${FEEDBACK_SECRET:-}"


def test_the_database_service_gets_what_the_image_and_init_roles_read():
    init_roles = (REPO / "deploy" / "postgres" / "init-roles.sh").read_text(encoding="utf-8")
    read = POSTGRES_IMAGE | set(SHELL_NAME.findall(init_roles))
    passed = set(environment("db"))
    assert passed <= read, sorted(passed - read)
    assert {"ODOO_DB_PASSWORD", "FEEDBACK_DB_PASSWORD", "POSTGRES_PASSWORD"} <= passed
    # the passwords given to the roles are the ones their users log in with
    assert environment("odoo")["PGPASSWORD"].startswith("${ODOO_DB_PASSWORD")
    assert "${FEEDBACK_DB_PASSWORD" in environment("feedback-web")["FEEDBACK_DATABASE_URL"]
    assert environment("odoo")["PGUSER"] == "odoo"
    assert "://feedback:" in environment("feedback-web")["FEEDBACK_DATABASE_URL"]


def test_the_deployment_guide_explains_every_setting():
    guide = (REPO / "docs" / "deployment.md").read_text(encoding="utf-8")
    settings = set(env_example()) | names_read_by_the_feedback_service() | {"FEEDBACK_ENV_FILE_GROUP"}
    missing = sorted(name for name in settings if "`%s`" % name not in guide)
    assert not missing, "docs/deployment.md does not explain: %s" % ", ".join(missing)


@pytest.mark.parametrize(
    "workflow", sorted((REPO / ".github" / "workflows").glob("*.y*ml")), ids=lambda p: p.name
)
def test_the_workflow_validates_against_github_s_schema(workflow):
    result = run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", workflow]
    )
    assert result.returncode == 0, result.stdout + result.stderr
