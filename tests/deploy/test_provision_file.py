"""The provisioning's settings and its file, without Odoo (deploy/provision_feedback.py).

The feedback containers source this file with ``set -a; . FILE``; what Odoo
generated must come out of the shell exactly as it went in.
"""

import os
import stat
import subprocess

import pytest

VALUES = {
    "ODOO_DB": "beneficiaries",
    "ODOO_LOGIN": "feedback-service",
    "ODOO_API_KEY": "0123456789abcdef0123456789abcdef01234567",
    "FEEDBACK_SECRET": 's3cr\'et with $dollar `tick` "quote" and \\ backslash-0123456789',
}


def test_the_file_round_trips_through_parse_and_through_a_posix_shell(provision, tmp_path):
    text = provision.render_env_file(VALUES, "beneficiaries")
    assert provision.parse_env_file(text) == VALUES
    path = tmp_path / "odoo.env"
    path.write_text(text, encoding="utf-8")
    script = "set -a; . %s; set +a; " % path + "; ".join('printf "%%s\\0" "$%s"' % key for key in VALUES)
    shell = subprocess.run(["sh", "-c", script], capture_output=True, check=True)
    assert shell.stdout.decode().split("\0")[:-1] == list(VALUES.values())


def test_a_value_on_two_lines_is_refused(provision):
    with pytest.raises(provision.ProvisionError, match="ODOO_LOGIN must fit on one line"):
        provision.render_env_file(dict(VALUES, ODOO_LOGIN="a\nb"), "db")


def test_the_file_is_private_to_its_owner_by_default(provision, tmp_path):
    path = tmp_path / "run" / "odoo.env"
    assert provision.write_env_file(str(path), "A='1'\n") is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "A='1'\n"
    assert [p.name for p in path.parent.iterdir()] == ["odoo.env"]  # no temporary file left


def test_with_a_group_the_file_is_readable_by_that_group_only(provision, tmp_path):
    path = tmp_path / "odoo.env"
    group = os.getgid()
    provision.write_env_file(str(path), "A='1'\n", group=group)
    status = path.stat()
    assert stat.S_IMODE(status.st_mode) == 0o640
    assert status.st_gid == group


def test_an_identical_file_is_left_alone(provision, tmp_path):
    path = tmp_path / "odoo.env"
    provision.write_env_file(str(path), "A='1'\n")
    os.utime(path, (1_000_000_000, 1_000_000_000))
    assert provision.write_env_file(str(path), "A='1'\n") is False
    assert path.stat().st_mtime == 1_000_000_000


def test_a_changed_text_or_a_loose_mode_is_rewritten(provision, tmp_path):
    path = tmp_path / "odoo.env"
    provision.write_env_file(str(path), "A='1'\n")
    assert provision.write_env_file(str(path), "A='2'\n") is True
    assert path.read_text() == "A='2'\n"
    path.chmod(0o644)
    assert provision.write_env_file(str(path), "A='2'\n") is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_missing_or_foreign_file_reads_as_empty(provision, tmp_path):
    assert provision.read_env_file(str(tmp_path / "nothing.env")) == {}
    other = tmp_path / "other.env"
    other.write_text("# a comment\nnot a line\nlower=x\nODOO_API_KEY=plain\n")
    assert provision.read_env_file(str(other)) == {"ODOO_API_KEY": "plain"}


def test_settings_defaults(provision):
    settings = provision.Settings.from_environ({})
    assert settings.login == "feedback-service"
    assert settings.env_file == "/run/feedback/odoo.env"
    assert settings.file_group is None
    assert settings.public_url is None and settings.link_days is None and settings.secret_override is None


def test_settings_from_the_environment(provision):
    settings = provision.Settings.from_environ(
        {
            "FEEDBACK_ODOO_LOGIN": "rating-sync",
            "FEEDBACK_PUBLIC_URL": "https://rate.example.org/",
            "FEEDBACK_LINK_DAYS": "45",
            "FEEDBACK_ENV_FILE": "/tmp/x.env",
            "FEEDBACK_ENV_FILE_GROUP": "10001",
            "BENEFICIARY_FEEDBACK_SECRET": "x" * 32,
            "FEEDBACK_SECRET": "",  # empty counts as not set
        }
    )
    assert settings == provision.Settings(
        login="rating-sync",
        env_file="/tmp/x.env",
        file_group=10001,
        public_url="https://rate.example.org",
        link_days=45,
        secret_override="x" * 32,
    )
    assert provision.Settings.from_environ({"BENEFICIARY_FEEDBACK_SECRET": "  "}).secret_override is None


@pytest.mark.parametrize(
    "environ, message",
    [
        (
            {"FEEDBACK_ODOO_LOGIN": "feedback service"},
            "FEEDBACK_ODOO_LOGIN='feedback service' is not a usable login",
        ),
        (
            {"FEEDBACK_PUBLIC_URL": "rate.example.org"},
            "FEEDBACK_PUBLIC_URL='rate.example.org' must be the address",
        ),
        ({"FEEDBACK_LINK_DAYS": "0"}, "FEEDBACK_LINK_DAYS='0' must be a number of days from 1 to 3650"),
        ({"FEEDBACK_LINK_DAYS": "thirty"}, "FEEDBACK_LINK_DAYS='thirty' must be a number of days"),
        ({"BENEFICIARY_FEEDBACK_SECRET": "short"}, "BENEFICIARY_FEEDBACK_SECRET is 5 characters long"),
        ({"FEEDBACK_ENV_FILE_GROUP": "no-such-group-here"}, "no such group"),
    ],
)
def test_bad_settings_name_what_is_wrong(provision, environ, message):
    with pytest.raises(provision.ProvisionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        provision.Settings.from_environ(environ)
