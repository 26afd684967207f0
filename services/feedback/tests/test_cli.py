"""issue-link and outbox, as support staff use them."""

import subprocess
import sys
import time

from feedback.tokens import verify_token

from helpers import SECRET, SERVICE, make_token, rate


def test_issue_link_prints_a_link_that_opens_the_page(app, runner, client):
    result = runner.invoke(args=["issue-link", "--ref", "REQ/2026/00123", "--days", "7"])
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith("http://127.0.0.1:8000/r/v1.")
    token = link.rsplit("/", 1)[1]
    verified = verify_token(SECRET, token)
    assert verified.ref == "REQ/2026/00123"
    assert abs(verified.expires_at - (time.time() + 7 * 86400)) < 60
    assert "REQ/2026/00123" in client.get("/r/%s" % token).get_data(as_text=True)


def test_issue_link_uses_the_configured_validity(app, runner):
    app.config["FEEDBACK_LINK_DAYS"] = 3
    token = runner.invoke(args=["issue-link", "--ref", "REQ/1"]).output.strip().rsplit("/", 1)[1]
    assert abs(verify_token(SECRET, token).expires_at - (time.time() + 3 * 86400)) < 60


def test_issue_link_refuses_a_reference_too_long_for_a_token(app, runner):
    result = runner.invoke(args=["issue-link", "--ref", "X" * 23])
    assert result.exit_code == 2
    assert "1 to 22 printable ASCII characters" in result.output


def test_outbox_lists_waiting_rows_by_default(app, client, runner):
    rate(client, make_token("REQ/2026/00001"), rating=5)
    result = runner.invoke(args=["outbox"])
    assert result.exit_code == 0
    assert "pending: 1  sent: 0  dead: 0" in result.output
    assert "REQ/2026/00001 pending attempts=0" in result.output
    assert "v1." not in result.output  # tokens are not printed


def test_db_upgrade_from_the_command_line_creates_the_schema(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    env = {"FEEDBACK_SECRET": SECRET, "FEEDBACK_DATABASE_URL": "sqlite:///%s" % database, "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "feedback", "db", "upgrade"],
                            cwd=SERVICE, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert database.exists()
