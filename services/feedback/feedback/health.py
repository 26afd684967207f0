"""Liveness (`/healthz`, no database) and readiness (`/readyz`, database and schema)."""

from flask import Blueprint, current_app
from sqlalchemy.exc import SQLAlchemyError

from . import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    try:
        current, writable = db.ping()
    except (SQLAlchemyError, OSError) as exc:
        # The exception text may carry the database URL; log only its kind. OSError: SQLite's
        # folder cannot be made or reached.
        current_app.logger.warning("readiness: database unreachable (%s)", type(exc).__name__)
        return {"status": "database unavailable"}, 503
    if not current:
        return {"status": "database schema is not up to date: run flask --app feedback db upgrade"}, 503
    if not writable:
        current_app.logger.warning("readiness: the database refuses writes")
        return {"status": "database is read-only: no rating can be saved"}, 503
    return {"status": "ready"}
