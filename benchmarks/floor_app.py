"""Stripped-down rating apps for benchmarks/floor.py: what any rating submission must cost.

Each level does the least a rating page can do with the libraries named, and nothing else: no
signed link, no translations, no templates, no security headers, no "already rated?" check.
Its pages are the feedback service's sizes, so that the bytes on the wire cost the same.

  flask    Flask and SQLAlchemy: the page sets a cookie and carries a fixed hidden field; the POST
           reads the form and writes the rating row and the outbox row in one durable SQLite
           transaction, as the service does (WAL, synchronous FULL).
  csrf     and Flask-WTF: a form with a CSRF token in Flask's signed session cookie, checked on
           the POST with the rating field validated.
  limits   and Flask-Limiter: the service's two limits (per client and per link) on both pages,
           counted in memory.

Started by benchmarks/floor.py as `gunicorn -c gunicorn.conf.py "floor_app:create_app('LEVEL')"`
with FLOOR_DATABASE (a SQLite file whose tables floor.py made). Never a part of the service.
"""

import os

from flask import Blueprint, Flask, request
from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text, create_engine, event
from sqlalchemy import func, insert

LEVELS = ("flask", "csrf", "limits")
# The service's rating page and thank-you page are about these sizes (benchmarks/RESULTS.md).
PAGE_BYTES = 7400
DONE_BYTES = 2400

metadata = MetaData()
rating = Table(
    "rating", metadata,
    Column("id", Integer, primary_key=True),
    Column("request_ref", String(64), nullable=False, unique=True),
    Column("rating", Integer, nullable=False),
    Column("comment", Text, nullable=False),
    Column("submitted_at", DateTime, nullable=False, server_default=func.current_timestamp()),
)
outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("rating_id", Integer, ForeignKey("rating.id"), nullable=False),
    Column("token", String(128)),
)


def make_engine(path):
    engine = create_engine("sqlite:///" + path)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return engine


def _padded(html, size):
    return html + "<!--" + "x" * max(0, size - len(html) - 7) + "-->"


def _page(csrf):
    return _padded(
        '<!doctype html><html><body><form method="post">'
        '<input name="csrf_token" type="hidden" value="%s">'
        '<input type="radio" name="rating" value="5"><textarea name="comment"></textarea>'
        "</form></body></html>" % csrf,
        PAGE_BYTES,
    )


DONE = _padded("<!doctype html><html><body><p>Thank you.</p></body></html>", DONE_BYTES)


def create_app(level):
    if level not in LEVELS:
        raise ValueError("level must be one of %s" % ", ".join(LEVELS))
    app = Flask(__name__)
    app.config.update(SECRET_KEY=os.environ["FLOOR_SECRET"], WTF_CSRF_TIME_LIMIT=None)
    engine = make_engine(os.environ["FLOOR_DATABASE"])
    bp = Blueprint("rating", __name__)
    if level == "flask":
        _plain_views(bp, engine)
    else:
        _form_views(bp, engine)
    app.register_blueprint(bp)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    if level == "limits":
        from flask_limiter import Limiter  # pylint: disable=import-outside-toplevel

        limiter = Limiter(lambda: request.remote_addr or "unknown", app=app, storage_uri="memory://",
                          strategy="fixed-window", key_prefix="floor")
        limiter.limit("1000000 per minute")(bp)
        limiter.limit("10 per minute", key_func=lambda: "link:" + request.view_args["ref"])(bp)
    return app


def _store(engine, ref, value, comment):
    with engine.begin() as connection:
        inserted = connection.execute(insert(rating), {"request_ref": ref, "rating": value, "comment": comment})
        connection.execute(insert(outbox), {"rating_id": inserted.inserted_primary_key[0], "token": ref})


def _plain_views(bp, engine):
    @bp.get("/r/<ref>")
    def show(ref):  # pylint: disable=unused-argument
        return _page("no-csrf"), {"Set-Cookie": "floor=1; HttpOnly; Path=/"}

    @bp.post("/r/<ref>")
    def submit(ref):
        _store(engine, ref, int(request.form["rating"]), request.form.get("comment", ""))
        return DONE


def _form_views(bp, engine):
    # pylint: disable=import-outside-toplevel
    from flask_wtf import FlaskForm
    from flask_wtf.csrf import generate_csrf
    from wtforms import RadioField, TextAreaField
    from wtforms.validators import InputRequired, Length

    class Form(FlaskForm):
        rating = RadioField(choices=[(n, str(n)) for n in range(1, 6)], coerce=int, validators=[InputRequired()])
        comment = TextAreaField(validators=[Length(max=1000)])

    @bp.get("/r/<ref>")
    def show(ref):  # pylint: disable=unused-argument
        return _page(generate_csrf())

    @bp.post("/r/<ref>")
    def submit(ref):
        form = Form(formdata=request.form)
        if not form.validate():
            return "refused", 400
        _store(engine, ref, form.rating.data, form.comment.data or "")
        return DONE
