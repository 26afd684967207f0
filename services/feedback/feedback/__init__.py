"""The public feedback service: beneficiaries rate a delivered request, Odoo gets the ratings.

WSGI entry point: ``feedback:create_app()``. Contract with Odoo: docs/feedback-contract.md.
"""

import os

from flask import Flask, request

from . import cli, config, db, errors, health, i18n, pages, rating, security, tokens
from .logs import redact_path

SESSION_COOKIE = "feedback_session"


class FeedbackFlask(Flask):
    def log_exception(self, exc_info):
        # Flask's own message names the path, which holds the token: redact it.
        self.logger.error("Exception on %s [%s]", redact_path(request.path), request.method, exc_info=exc_info)


def create_app(test_config=None):
    """Build the app from the environment (and, in tests, `test_config` on top of it)."""
    app = FeedbackFlask(__name__, instance_relative_config=True)
    app.config.update(
        MAX_CONTENT_LENGTH=16 * 1024,
        MAX_FORM_MEMORY_SIZE=16 * 1024,
        MAX_FORM_PARTS=64,
        # The CSRF token is bound to the browser session, not to a clock: a
        # beneficiary may leave the page open for hours. The rating token has its
        # own expiry, and a request can be rated once, which bounds any replay.
        WTF_CSRF_TIME_LIMIT=None,
        # Flask-WTF's HTTPS check wants a Referer, which Referrer-Policy: no-referrer removes.
        WTF_CSRF_SSL_STRICT=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        RATELIMIT_HEADERS_ENABLED=False,
        # If the limit storage (Redis) is down, keep serving with per-process limits rather than fail.
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        BABEL_DEFAULT_LOCALE="ar",
    )
    app.config.update(config.from_environment(os.environ, app.instance_path))
    if test_config is not None:
        app.config.update(test_config)
    config.check(app.config)
    app.config["SECRET_KEY"] = config.session_key(app.config["FEEDBACK_SECRET"])
    tokens.use_secret_for_fingerprints(app.config["FEEDBACK_SECRET"])
    if app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_NAME"] == SESSION_COOKIE:
        # Over HTTPS the cookie that binds the form's CSRF token is a "__Host-" cookie: browsers
        # keep it only when this host set it over HTTPS, for Path=/ and without Domain, so a
        # neighbouring subdomain or a plain-HTTP page cannot plant one of its own in its place.
        app.config["SESSION_COOKIE_NAME"] = "__Host-" + SESSION_COOKIE
    app.logger.setLevel(app.config["FEEDBACK_LOG_LEVEL"])

    security.init_app(app)
    pages.init_app(app)
    i18n.init_app(app)
    db.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(rating.bp)
    security.limit_rating_pages(app, rating.bp)
    return app
