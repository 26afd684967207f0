"""Give the feedback service its access to Odoo, without copy-paste.

Run it in Odoo's shell, on a database where ``beneficiary_relations`` is installed::

    odoo shell -d DBNAME --no-http < deploy/provision_feedback.py

It makes sure that

* the technical user exists (login ``FEEDBACK_ODOO_LOGIN``, ``feedback-service`` by
  default): a portal-type user in ``base.group_portal`` and
  ``beneficiary_relations.group_feedback_service`` and in no other group, so it can
  import ratings and read nothing;
* Odoo has the secret it shares with the service: the ``BENEFICIARY_FEEDBACK_SECRET``
  environment variable when it is set (Odoo reads it first too), otherwise the
  parameter ``beneficiary_relations.feedback_secret``, generated here when missing;
* the parameters for the links follow ``FEEDBACK_PUBLIC_URL`` and ``FEEDBACK_LINK_DAYS``
  when those are set;
* the file ``FEEDBACK_ENV_FILE`` (``/run/feedback/odoo.env`` by default) holds what the
  service needs to log in: ``ODOO_DB``, ``ODOO_LOGIN``, ``ODOO_API_KEY`` and
  ``FEEDBACK_SECRET``. Odoo keeps API keys hashed, so a key is generated only when the
  file holds none that Odoo accepts for the user; older keys of the same name are then
  revoked. The file is mode 0600, or 0640 with group ``FEEDBACK_ENV_FILE_GROUP`` when
  that is set (the Docker image shares it with the feedback containers that way).

Running it again changes nothing: same user, no new key, same secret, the file untouched.
It prints what it changed, never the key or the secret. It commits its own changes
(Odoo's shell rolls back at exit). The functions below import no Odoo at module level,
so the file-handling part is tested with plain pytest (tests/deploy/).
"""

import dataclasses
import grp
import os
import re
import secrets
import sys
import tempfile

DEFAULT_LOGIN = "feedback-service"
DEFAULT_ENV_FILE = "/run/feedback/odoo.env"
USER_NAME = "Feedback Service"
KEY_NAME = "feedback service"
FEEDBACK_GROUP = "beneficiary_relations.group_feedback_service"
PORTAL_GROUP = "base.group_portal"
SECRET_PARAM = "beneficiary_relations.feedback_secret"
PUBLIC_URL_PARAM = "beneficiary_relations.feedback_public_url"
LINK_DAYS_PARAM = "beneficiary_relations.feedback_link_days"
SECRET_ENV = "BENEFICIARY_FEEDBACK_SECRET"
# The service refuses shorter secrets (services/feedback/feedback/config.py).
MIN_SECRET_LENGTH = 32
# What the file gives the feedback service, in this order.
ENV_FILE_KEYS = ("ODOO_DB", "ODOO_LOGIN", "ODOO_API_KEY", "FEEDBACK_SECRET")
# What this step reads from its environment.
SETTINGS_ENV = (
    "FEEDBACK_ODOO_LOGIN",
    "FEEDBACK_PUBLIC_URL",
    "FEEDBACK_LINK_DAYS",
    "FEEDBACK_ENV_FILE",
    "FEEDBACK_ENV_FILE_GROUP",
    SECRET_ENV,
)

_NAME = re.compile(r"[A-Z_][A-Z0-9_]*\Z")
_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}\Z")


class ProvisionError(Exception):
    """The environment or the database does not allow provisioning; the message says what to change."""


@dataclasses.dataclass(frozen=True)
class Settings:
    login: str = DEFAULT_LOGIN
    env_file: str = DEFAULT_ENV_FILE
    file_group: int | None = None
    public_url: str | None = None
    link_days: int | None = None
    secret_override: str | None = None

    @classmethod
    def from_environ(cls, environ):
        """Read and check the settings; an empty variable counts as not set."""

        def get(name):
            return (environ.get(name) or "").strip() or None

        login = get("FEEDBACK_ODOO_LOGIN") or DEFAULT_LOGIN
        if not _LOGIN.match(login):
            raise ProvisionError(
                "FEEDBACK_ODOO_LOGIN=%r is not a usable login: use letters, digits and . _ @ + - "
                "(64 characters at most)" % login
            )
        public_url = get("FEEDBACK_PUBLIC_URL")
        if public_url is not None:
            public_url = public_url.rstrip("/")
            if not re.match(r"https?://[^/\s]+", public_url):
                raise ProvisionError(
                    "FEEDBACK_PUBLIC_URL=%r must be the address beneficiaries open, "
                    "like https://rate.example.org" % public_url
                )
        link_days = get("FEEDBACK_LINK_DAYS")
        if link_days is not None:
            if not link_days.isdigit() or not 1 <= int(link_days) <= 3650:
                raise ProvisionError(
                    "FEEDBACK_LINK_DAYS=%r must be a number of days from 1 to 3650" % link_days
                )
            link_days = int(link_days)
        secret = get(SECRET_ENV)
        if secret is not None:
            check_secret(secret, SECRET_ENV)
        return cls(
            login=login,
            env_file=get("FEEDBACK_ENV_FILE") or DEFAULT_ENV_FILE,
            file_group=_group_id(get("FEEDBACK_ENV_FILE_GROUP")),
            public_url=public_url,
            link_days=link_days,
            secret_override=secret,
        )


def _group_id(value):
    if value is None:
        return None
    if value.isdigit():
        return int(value)
    try:
        return grp.getgrnam(value).gr_gid
    except KeyError:
        raise ProvisionError("FEEDBACK_ENV_FILE_GROUP=%r: no such group on this system" % value) from None


def check_secret(secret, where):
    if len(secret) < MIN_SECRET_LENGTH:
        raise ProvisionError(
            "the shared secret in %s is %d characters long; the feedback service needs at least %d "
            "(leave it empty and one is generated)" % (where, len(secret), MIN_SECRET_LENGTH)
        )


# ---------------------------------------------------------------- the file


def render_env_file(values, database):
    """The file's text: a comment, then KEY='value' lines a POSIX shell can source."""
    lines = [
        "# Written by deploy/provision_feedback.py for Odoo database %s." % database,
        "# The feedback service reads it at start. Do not edit it: delete it and start Odoo",
        "# again (or run the provisioning again) to get a new API key.",
    ]
    for key in ENV_FILE_KEYS:
        value = values[key]
        if "\n" in value or "\0" in value:
            raise ProvisionError("%s must fit on one line" % key)
        lines.append("%s='%s'" % (key, value.replace("'", "'\\''")))
    return "\n".join(lines) + "\n"


def parse_env_file(text):
    """The values of a file written by render_env_file (other lines are ignored)."""
    values = {}
    for line in text.splitlines():
        name, sep, raw = line.partition("=")
        if not sep or not _NAME.match(name):
            continue
        if len(raw) >= 2 and raw[0] == raw[-1] == "'":
            raw = raw[1:-1].replace("'\\''", "'")
        values[name] = raw
    return values


def read_env_file(path):
    """The values in the file, or {} when it does not exist or cannot be read."""
    try:
        with open(path, encoding="utf-8") as handle:
            return parse_env_file(handle.read())
    except (FileNotFoundError, PermissionError, UnicodeDecodeError):
        return {}


def write_env_file(path, text, group=None):
    """Write `text` to `path` atomically, mode 0600 (0640 and `group` when given).

    Returns True when something changed on disk: an identical file with the right
    mode and group is left alone, so its modification time stays.
    """
    mode = 0o640 if group is not None else 0o600
    data = text.encode("utf-8")
    try:
        with open(path, "rb") as handle:
            same = handle.read() == data
        status = os.stat(path)
        if same and (status.st_mode & 0o777) == mode and (group is None or status.st_gid == group):
            return False
    except FileNotFoundError:
        pass
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, mode=0o750, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".odoo.env.", dir=folder)
    try:
        if group is not None:
            os.fchown(handle, -1, group)
        os.fchmod(handle, mode)
        os.write(handle, data)
        os.fsync(handle)
        os.close(handle)
        handle = None
        os.replace(temporary, path)
    except BaseException:
        if handle is not None:
            os.close(handle)
        os.unlink(temporary)
        raise
    return True


# ---------------------------------------------------------------- Odoo


def ensure_user(env, login):
    """The technical user, created or put back in shape. Returns (user, what changed)."""
    from odoo import Command  # pylint: disable=import-outside-toplevel

    wanted = env.ref(PORTAL_GROUP) | _feedback_group(env)
    users = env["res.users"].sudo().with_context(active_test=False, no_reset_password=True)
    user = users.search([("login", "=", login)], limit=1)
    if not user:
        user = users.create({"name": USER_NAME, "login": login, "groups_id": [Command.set(wanted.ids)]})
        return user, ["created the user %s (#%d)" % (login, user.id)]
    if not user.share:
        raise ProvisionError(
            "the login %r belongs to an internal user (%s, #%d); the feedback service needs a "
            "portal-type user of its own: set FEEDBACK_ODOO_LOGIN to another login"
            % (login, user.name, user.id)
        )
    changes = []
    if not user.active:
        user.active = True
        changes.append("reactivated the user %s" % login)
    if user.groups_id != wanted | wanted.trans_implied_ids:
        user.write({"groups_id": [Command.set(wanted.ids)]})
        changes.append("set the groups of %s to Portal and Feedback Service only" % login)
    return user, changes


def _feedback_group(env):
    group = env.ref(FEEDBACK_GROUP, raise_if_not_found=False)
    if not group:
        raise ProvisionError(
            "the group %s does not exist: is beneficiary_relations installed (and up to date) "
            "in database %s?" % (FEEDBACK_GROUP, env.cr.dbname)
        )
    return group


def ensure_secret(env, override=None):
    """The shared secret Odoo signs links with. Returns (secret, what changed)."""
    if override:
        check_secret(override, SECRET_ENV)
        return override, []
    params = env["ir.config_parameter"].sudo()
    secret = params.get_param(SECRET_PARAM)
    if secret:
        check_secret(secret, "Odoo's parameter %s" % SECRET_PARAM)
        return secret, []
    params.set_param(SECRET_PARAM, secrets.token_urlsafe(32))
    return params.get_param(SECRET_PARAM), ["generated the shared secret (%s)" % SECRET_PARAM]


def ensure_link_params(env, public_url=None, link_days=None):
    """Public URL and link validity as the environment says; untouched when not given."""
    params = env["ir.config_parameter"].sudo()
    changes = []
    for key, value in ((PUBLIC_URL_PARAM, public_url), (LINK_DAYS_PARAM, link_days)):
        if value is not None and params.get_param(key) != str(value):
            params.set_param(key, str(value))
            changes.append("set %s to %s" % (key, value))
    return changes


def key_works(env, user, key):
    """True when Odoo accepts `key` as an RPC API key of `user`."""
    if not key:
        return False
    return env["res.users.apikeys"]._check_credentials(scope="rpc", key=key) == user.id


def ensure_api_key(env, user, current_key):
    """Keep `current_key` when it works; otherwise revoke the user's old keys of this
    name and generate one. Returns (key, what changed)."""
    if key_works(env, user, current_key):
        return current_key, []
    keys = env["res.users.apikeys"].sudo()
    old = keys.search([("user_id", "=", user.id), ("name", "=", KEY_NAME)])
    changes = []
    if old:
        old._remove()
        changes.append("revoked %d API key(s) of %s that no file held" % (len(old), user.login))
    # sudo: a persistent key (no expiry date) is for system users to give
    key = keys.with_user(user).sudo()._generate(None, KEY_NAME, None)
    changes.append("generated an API key for %s" % user.login)
    return key, changes


def provision(env, settings):
    """Everything above, in order. Commits, then writes the file. Returns what changed."""
    current = read_env_file(settings.env_file)
    user, changes = ensure_user(env, settings.login)
    secret, changed = ensure_secret(env, settings.secret_override)
    changes += changed
    changes += ensure_link_params(env, settings.public_url, settings.link_days)
    key = current.get("ODOO_API_KEY") if current.get("ODOO_LOGIN") == settings.login else None
    key, changed = ensure_api_key(env, user, key)
    changes += changed
    env.cr.commit()
    values = {
        "ODOO_DB": env.cr.dbname,
        "ODOO_LOGIN": settings.login,
        "ODOO_API_KEY": key,
        "FEEDBACK_SECRET": secret,
    }
    if write_env_file(settings.env_file, render_env_file(values, env.cr.dbname), settings.file_group):
        changes.append("wrote %s" % settings.env_file)
    return changes


def main(env, environ=None):
    try:
        changes = provision(env, Settings.from_environ(os.environ if environ is None else environ))
    except ProvisionError as exc:
        env.cr.rollback()
        raise SystemExit("feedback provisioning failed: %s" % exc) from None
    for change in changes:
        print("feedback provisioning: %s" % change)
    if not changes:
        print("feedback provisioning: nothing to change")


if __name__ == "__main__":
    if "env" not in globals():
        sys.exit(
            "Run this inside Odoo's shell: odoo shell -d DBNAME --no-http < deploy/provision_feedback.py"
        )
    main(env)  # noqa: F821  # pylint: disable=undefined-variable  (odoo shell defines env)
