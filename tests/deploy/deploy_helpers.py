"""Shared helpers of the deployment tests (tests/deploy/); conftest.py holds the fixtures.

Two kinds of tests live here:

* without a marker: the compose file, the Dockerfiles, the env files and the
  provisioning's file handling. They need check-jsonschema, PyYAML (both in
  requirements-dev.txt) and Debian's ``docker-compose``; no Docker engine.
* marked ``odoo`` (test_provision_odoo.py): the provisioning against a real
  Odoo 18.0, skipped only when no Odoo is found. scripts/test.sh runs them in
  its Odoo tier with ODOO_TEST_DATABASE set (see that file's docstring).
"""

import importlib.util
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
PROVISION_SCRIPT = REPO / "deploy" / "provision_feedback.py"
ODOO_ENTRYPOINT = REPO / "deploy" / "odoo" / "entrypoint.sh"
FEEDBACK_DIR = REPO / "services" / "feedback"


def load_module(name, path):
    """Import a file by its path (deploy/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def require_program(name, install_hint):
    path = shutil.which(name)
    if not path:
        pytest.fail("%s is not installed: %s" % (name, install_hint))
    return path


def run(args, **kwargs):
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    kwargs.setdefault("check", False)
    kwargs.setdefault("timeout", 300)
    return subprocess.run([str(arg) for arg in args], **kwargs)  # pylint: disable=subprocess-run-check


def feedback_entrypoint_text():
    """The feedback image's entry point, written inline in its Dockerfile (a heredoc)."""
    dockerfile = (FEEDBACK_DIR / "Dockerfile").read_text(encoding="utf-8")
    match = re.search(r"<<'EOF' /usr/local/bin/feedback-entrypoint\n(.*?)\nEOF\n", dockerfile, re.S)
    assert match, "the entry point heredoc is missing from services/feedback/Dockerfile"
    return match.group(1)
