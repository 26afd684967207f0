"""Response headers, proxy handling and rate limits."""

import ipaddress

from flask import current_app, request
from flask.logging import default_handler
from flask_limiter import Limiter
from limits.errors import ConfigurationError
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import ConfigError, without_password
from .ratelimit_storage import storage_uri
from .tokens import fingerprint

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def client_address():
    """The client's address as the WSGI server (or the trusted proxies, see FEEDBACK_PROXY_COUNT) saw it."""
    return request.remote_addr or "unknown"


def client_key():
    """Who the per-client limit counts: the client's IPv4 address, or its IPv6 /64 network.

    An IPv6 subscriber is given a whole /64 and may use a new address of it for every request:
    counted by address, it would never reach the limit.
    """
    address = client_address()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # "unknown"
        return address
    if ip.version == 4:
        return address
    if ip.ipv4_mapped:  # an IPv4 client seen through an IPv6 socket: its own address, not ::/64
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network((ip, 64), strict=False))


def token_key():
    return "token:" + fingerprint((request.view_args or {}).get("token", ""))


def init_app(app):
    proxies = app.config["FEEDBACK_PROXY_COUNT"]
    if proxies:
        # X-Forwarded-Host is not trusted: a proxy that passes the client's own header through
        # would let anyone make the service redirect to their host. The proxy sends Host as typed.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)
    app.after_request(_set_headers)


def _set_headers(response):
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    if request.blueprint != "health" and request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers.add("Vary", "Accept-Language")
    return response


def storage_options(config):
    """Connection options of the limit storage: short waits for Redis.

    redis-py waits 5 s for an answer by default, and Flask-Limiter asks Redis twice when it first
    finds it gone (the count that fails, then its own check), so a Redis that stalls (paused, out
    of memory, a network that drops packets) held rating pages 5 to 10 s each. With a short timeout
    the call fails quickly, Flask-Limiter counts in each worker's memory meanwhile
    (RATELIMIT_SWALLOW_ERRORS and the in-memory fallback, set in create_app) and goes back to Redis
    once it answers again.
    """
    if not config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        return {}
    timeout = config["FEEDBACK_RATELIMIT_STORAGE_TIMEOUT"]
    return {"socket_connect_timeout": timeout, "socket_timeout": timeout}


def limit_rating_pages(app, blueprint):
    """Rate limits on the rating pages: one per client address, one per token."""
    uri = app.config["RATELIMIT_STORAGE_URI"]
    try:
        limiter = Limiter(
            client_key,
            app=app,
            storage_uri=storage_uri(uri),
            storage_options=storage_options(app.config),
            strategy="fixed-window",
            key_prefix="feedback",
        )
    except (ConfigurationError, ValueError) as exc:
        # Its text may repeat the URL, and with it a Redis password.
        raise ConfigError(
            "FEEDBACK_RATELIMIT_STORAGE_URL is not a storage the rate limits can use (%s); "
            "use memory:// or redis://HOST:6379/0" % str(exc).replace(uri, without_password(uri))
        ) from None
    limiter.limit(lambda: current_app.config["FEEDBACK_RATELIMIT_PER_CLIENT"])(blueprint)
    limiter.limit(lambda: current_app.config["FEEDBACK_RATELIMIT_PER_TOKEN"], key_func=token_key)(blueprint)
    # Flask-Limiter says when Redis fails and when it answers again: show it with the app's own messages.
    limiter.logger.addHandler(default_handler)
    limiter.logger.setLevel(app.config["FEEDBACK_LOG_LEVEL"])
    app.extensions["feedback_limiter"] = limiter
