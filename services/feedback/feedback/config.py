"""Configuration, read from the environment only (the table is in the service README)."""

import hashlib
import hmac
import math
import os
import re
import urllib.parse

MIN_SECRET_LENGTH = 32
SECONDS_MAX = 366 * 86400  # a year: any wait or timeout beyond is a mistake (and overflows dates)


class ConfigError(RuntimeError):
    """The environment does not describe a service that can start; the message says what to set."""


def _number(environ, name, default, kind=int, minimum=0, maximum=None):
    """The variable `name` as a number of `kind` from `minimum` to `maximum`; `default` when unset."""
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = kind(raw)
        if not math.isfinite(value):
            raise ValueError(raw)  # "nan", "inf": no wait or count can be made of them
    except ValueError:
        raise ConfigError(
            "%s must be %s, not %r" % (name, "a whole number" if kind is int else "a number of seconds", raw)
        ) from None
    if value < minimum:
        raise ConfigError("%s must be at least %s, not %s" % (name, minimum, raw))
    if maximum is not None and value > maximum:
        raise ConfigError("%s must be at most %s, not %s" % (name, maximum, raw))
    return value


def _seconds(environ, name, default):
    return _number(environ, name, default, kind=float, minimum=0.001, maximum=SECONDS_MAX)


def is_https(url):
    """Whether `url` is an https:// address, however it is spelled (HTTPS://, leading spaces):
    check_http_url accepts every spelling, so the choice of TLS cannot rest on startswith."""
    try:
        return urllib.parse.urlsplit(url.strip()).scheme == "https"  # urlsplit lowers the scheme
    except ValueError:  # a broken address: check_http_url names it
        return False


def _address(environ, name, default=""):
    """The variable `name`, an address, without surrounding spaces and trailing slashes."""
    return environ.get(name, default).strip().rstrip("/")


def from_environment(environ, instance_path):
    """Build the Flask config mapping from `environ`; values not set fall back to defaults."""
    default_db = "sqlite:///" + os.path.join(instance_path, "feedback.sqlite3")
    secret = environ.get("FEEDBACK_SECRET", "")
    public_url = _address(environ, "FEEDBACK_PUBLIC_URL", "http://127.0.0.1:8000")
    return {
        "FEEDBACK_SECRET": secret,
        "FEEDBACK_DATABASE_URL": environ.get("FEEDBACK_DATABASE_URL") or default_db,
        "FEEDBACK_PUBLIC_URL": public_url,
        "FEEDBACK_LINK_DAYS": _number(environ, "FEEDBACK_LINK_DAYS", 30, minimum=1),
        "FEEDBACK_PROXY_COUNT": _number(environ, "FEEDBACK_PROXY_COUNT", 0),
        "RATELIMIT_STORAGE_URI": environ.get("FEEDBACK_RATELIMIT_STORAGE_URL") or "memory://",
        # Mobile carriers put many subscribers behind one address (carrier-grade NAT): after an
        # association texts hundreds of families at once, dozens may rate from the same address
        # in a minute. Links are unguessable and limited one by one (per token); this only caps
        # what one address can make the service do (300 page opens and 300 submissions a minute).
        "FEEDBACK_RATELIMIT_PER_CLIENT": environ.get("FEEDBACK_RATELIMIT_PER_CLIENT") or "300 per minute",
        "FEEDBACK_RATELIMIT_PER_TOKEN": environ.get("FEEDBACK_RATELIMIT_PER_TOKEN") or "10 per minute",
        "FEEDBACK_RATELIMIT_STORAGE_TIMEOUT": _seconds(environ, "FEEDBACK_RATELIMIT_STORAGE_TIMEOUT", 0.5),
        "ODOO_URL": _address(environ, "ODOO_URL"),
        "ODOO_DB": environ.get("ODOO_DB", ""),
        "ODOO_LOGIN": environ.get("ODOO_LOGIN", ""),
        "ODOO_API_KEY": environ.get("ODOO_API_KEY", ""),
        "ODOO_CONNECT_TIMEOUT": _seconds(environ, "ODOO_CONNECT_TIMEOUT", 5.0),
        "ODOO_READ_TIMEOUT": _seconds(environ, "ODOO_READ_TIMEOUT", 60.0),
        "FEEDBACK_SYNC_BATCH_SIZE": _number(environ, "FEEDBACK_SYNC_BATCH_SIZE", 200, minimum=1),
        "FEEDBACK_SYNC_MAX_ATTEMPTS": _number(environ, "FEEDBACK_SYNC_MAX_ATTEMPTS", 12, minimum=1),
        "FEEDBACK_SYNC_BACKOFF_BASE": _seconds(environ, "FEEDBACK_SYNC_BACKOFF_BASE", 30.0),
        "FEEDBACK_SYNC_BACKOFF_MAX": _seconds(environ, "FEEDBACK_SYNC_BACKOFF_MAX", 3600.0),
        "FEEDBACK_SYNC_INTERVAL": _seconds(environ, "FEEDBACK_SYNC_INTERVAL", 30.0),
        # `outbox --check` (the sync worker's healthcheck) fails past this wait: an hour is
        # longer than an Odoo update, and at least 1.5 h before a row that Odoo keeps failing
        # runs out of its 12 attempts (2.5 to 5 h with the default backoff)
        "FEEDBACK_SYNC_STALE_AFTER": _seconds(environ, "FEEDBACK_SYNC_STALE_AFTER", 3600.0),
        "SESSION_COOKIE_SECURE": is_https(public_url),
        "FEEDBACK_LOG_LEVEL": (environ.get("FEEDBACK_LOG_LEVEL") or "info").upper(),
    }


def check_log_level(name):
    if name not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError("FEEDBACK_LOG_LEVEL must be debug, info, warning, error or critical, not %r" % name)
    return name


def without_password(url):
    """`url` fit for a message: what stands before an `@` (a user and password) is left out."""
    return re.sub(r"//[^/@]*@", "//…@", url)


def check_http_url(name, value):
    """`value`, the variable `name`, must be an http:// or https:// address with a host."""
    try:
        parts = urllib.parse.urlsplit(value)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a port that is no number, a broken [IPv6] address
        valid = False
    if not valid:
        raise ConfigError(
            "%s must be an address starting with http:// or https:// (for example https://erp.example.org), not %r"
            % (name, without_password(value))
        )


def check_rate_limits(name, value):
    """`value`, the variable `name`, must be limits Flask-Limiter reads; otherwise it would turn
    them off without a word (it only logs that it could not load them)."""
    # imported here, as in check_database_url
    import limits  # pylint: disable=import-outside-toplevel

    try:
        limits.parse_many(value)
    except ValueError:
        raise ConfigError(
            "%s must be rate limits such as '30 per minute' or '10/minute;100/hour' "
            "(per second, minute, hour, day, month or year), not %r" % (name, value)
        ) from None


def check_database_url(value):
    # Imported here: this module reads the environment only and must load without the
    # service's libraries (the deployment tests read its variable names from it).
    from sqlalchemy import make_url  # pylint: disable=import-outside-toplevel
    from sqlalchemy.exc import ArgumentError  # pylint: disable=import-outside-toplevel

    try:
        # the driver too: postgresql:// means psycopg2, which the service does not ship
        make_url(value).get_dialect().import_dbapi()
    except (ArgumentError, ValueError) as exc:
        raise ConfigError(
            "FEEDBACK_DATABASE_URL is not a database URL SQLAlchemy can use (%s); for example "
            "postgresql+psycopg://feedback:PASSWORD@db/feedback or sqlite:////var/lib/feedback/feedback.sqlite3"
            % without_password(str(exc))
        ) from None
    except ImportError as exc:
        raise ConfigError(
            "FEEDBACK_DATABASE_URL needs a database driver that is not installed (%s); for PostgreSQL "
            "write postgresql+psycopg://feedback:PASSWORD@db/feedback (psycopg 3, which the service ships with)"
            % exc
        ) from None


def session_key(secret):
    """Flask's session key (it signs the CSRF secret), derived from the shared secret.

    Deriving it keeps the shared secret itself for tokens only, and needs no
    second secret to configure.
    """
    return hmac.new(secret.encode("utf-8"), b"feedback-service/flask-session", hashlib.sha256).hexdigest()


def check(config):
    """Refuse to start on a configuration that cannot work; say what to change."""
    check_log_level(config["FEEDBACK_LOG_LEVEL"])
    secret = config.get("FEEDBACK_SECRET") or ""
    if not secret:
        raise ConfigError(
            "FEEDBACK_SECRET is not set. The feedback service needs the secret it shares with Odoo "
            "(the same value as in Odoo's feedback settings) to check rating links; it will not start without it."
        )
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            "FEEDBACK_SECRET is %d characters long; use at least %d random characters "
            "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(32))')."
            % (len(secret), MIN_SECRET_LENGTH)
        )
    check_database_url(config["FEEDBACK_DATABASE_URL"])
    check_http_url("FEEDBACK_PUBLIC_URL", config["FEEDBACK_PUBLIC_URL"])
    if config.get("ODOO_URL"):  # unset is for web workers only; `sync` then says what to set
        check_http_url("ODOO_URL", config["ODOO_URL"])
    for name in ("FEEDBACK_RATELIMIT_PER_CLIENT", "FEEDBACK_RATELIMIT_PER_TOKEN"):
        check_rate_limits(name, config[name])
