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
        current = db.ping()
    except SQLAlchemyError as exc:
        # The exception text may carry the database URL; log only its kind.
        current_app.logger.warning("readiness: database unreachable (%s)", type(exc).__name__)
        return {"status": "database unavailable"}, 503
    if not current:
        return {"status": "database schema is not up to date: run flask --app feedback db upgrade"}, 503
    return {"status": "ready"}
