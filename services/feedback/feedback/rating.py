"""The public rating page: GET shows it (and records no rating), POST records one rating."""

import hashlib
import time

from flask import Blueprint, abort, current_app, render_template, request, session, url_for
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from . import db, pages
from .errors import render_no_cookie
from .forms import FACES, QUESTION_TEXT, RatingForm
from .i18n import LANGUAGES
from .models import QUESTIONS, OutboxItem, Rating, utc_at
from .tokens import EXPIRED, LATE_SEND_SECONDS, TokenError, fingerprint, verify_token

bp = Blueprint("rating", __name__)


# The browser's signed session lists the links whose form it was shown, by a digest of their own
# (not the logs' fingerprint, so a phone's cookie matches no log line): such a browser may still
# open and send the form for LATE_SEND_SECONDS after the link expired.
OPENED = "opened"
MAX_OPENED = 8
_OPENED_PREFIX = b"feedback form opened\x00"


def _now():
    return time.time()


def _opened_name(token):
    return hashlib.sha256(_OPENED_PREFIX + token.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _verified_ref(token, now):
    """The request reference of a token genuine and unexpired at `now`; otherwise the 410 or 404 page.

    A link that has expired is still honoured for LATE_SEND_SECONDS in the browser that was
    shown its form (which only happens while the link is valid): a beneficiary who took their
    time, or whose phone reloaded the page, does not lose their answers.
    """
    secret = current_app.config["FEEDBACK_SECRET"]
    try:
        return verify_token(secret, token, now=now).ref
    except TokenError as exc:
        reason = exc.reason
    if reason == EXPIRED and _opened_name(token) in session.get(OPENED, ()):
        ref = _ref_if_expired_lately(secret, token, now)
        if ref is not None:
            current_app.logger.info("rating link used after it expired, form shown in time token=~%s",
                                    fingerprint(token))
            return ref
    current_app.logger.info("rating link refused (%s) token=~%s", reason, fingerprint(token))
    abort(410 if reason == EXPIRED else 404)


def _ref_if_expired_lately(secret, token, now):
    """The reference of a genuine token that expired less than LATE_SEND_SECONDS before `now`."""
    try:
        return verify_token(secret, token, now=now - LATE_SEND_SECONDS).ref
    except TokenError:
        return None


def _remember_opened(token):
    """Note in the browser's session that it was shown this link's form."""
    name = _opened_name(token)
    opened = list(session.get(OPENED, ()))
    if opened[-1:] != [name]:
        session[OPENED] = ([seen for seen in opened if seen != name] + [name])[-MAX_OPENED:]


_INSERT_RATING = insert(Rating.__table__)
_INSERT_OUTBOX = insert(OutboxItem.__table__)
_RATED = select(Rating.id).where(Rating.request_ref == bindparam("ref"))


def _already_rated(ref):
    # A plain connection, not an ORM session: this runs on every page view.
    with db.engine().connect() as connection:
        return connection.execute(_RATED, {"ref": ref}).first() is not None


def _lang_arg():
    lang = request.args.get("lang")
    return lang if lang in LANGUAGES else None


def _render_form(ref, token, csrf, values=None, errors=()):
    """The rating form from its template: blank, or with what was sent and what is wrong with it."""
    values = values or {}
    other = "ar" if str(get_locale()) == "en" else "en"
    return render_template(
        "rating/form.html",
        ref=ref,
        csrf_token=csrf,
        values=values,
        answered=any(values.get(code) is not None for code in QUESTIONS),
        errors=errors,
        faces=FACES,
        questions=[(code, QUESTION_TEXT[code]) for code in QUESTIONS],
        action=url_for("rating.show", token=token, lang=_lang_arg()),
        switch_url=url_for("rating.show", token=token, lang=other),
        switch_lang=other,
    )


def _done(already):
    return pages.once(("done", already), lambda: render_template("rating/done.html", already=already))


@bp.get("/r/<token>")
def show(token):
    ref = _verified_ref(token, _now())
    if _already_rated(ref):
        return _done(already=True)
    _remember_opened(token)
    # The token is verified, hence made of URL-safe characters only: in the page's links it is
    # spelled as url_for would spell it, which the cached page relies on.
    return pages.blank_form(_render_form, _lang_arg(), ref, token, generate_csrf())


def _repeated_field():
    # rating=1&rating=5: which one did the beneficiary mean?
    return any(len(values) > 1 for values in request.form.listvalues())


def _refused(ref, token, form, repeated):
    """The answer to a form that cannot be stored as sent (`repeated`: a field came twice);
    nothing is stored."""
    # A request already rated gets the same answer whatever was sent (a double click, a replay).
    if _already_rated(ref):
        return _done(already=True)
    if repeated:
        current_app.logger.info("rating form with a repeated field token=~%s", fingerprint(token))
        abort(400)
    if form.csrf_token.errors:
        current_app.logger.info("rating form without a valid CSRF token token=~%s", fingerprint(token))
        if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
            return render_no_cookie()
        abort(400)
    errors = [message for messages in form.errors.values() for message in messages]
    return _render_form(ref, token, generate_csrf(), values=form.data, errors=errors), 400


@bp.post("/r/<token>")
def submit(token):
    # One moment for the check of the link and the rating's time: Odoo checks the link again at
    # the rating's time, so a form accepted in the last second of its late day must be stamped
    # within it, not a few milliseconds later in the next one.
    now = _now()
    ref = _verified_ref(token, now)
    if request.files:
        # the page sends text only: a file in its place would reach the form's filters as one
        current_app.logger.info("rating form with a file in it token=~%s", fingerprint(token))
        abort(400)
    # The form's fields only: Flask-WTF would otherwise read a JSON body as the form, with numbers,
    # lists and objects where the page only ever sends text.
    form = RatingForm(formdata=request.form)
    repeated = _repeated_field()
    if repeated or not form.validate():
        return _refused(ref, token, form, repeated)
    if not _store(ref, token, form, now):
        return _done(already=True)
    # The fingerprint only: next to the access log's client address, the request's reference
    # would tie an address to a beneficiary (and the fingerprint matches nothing stored).
    current_app.logger.info("rating recorded token=~%s", fingerprint(token))
    return _done(already=False)


def _store(ref, token, form, now):
    """Write the rating, submitted at `now`, and its outbox row in one transaction; False if the
    request was rated before.

    No "already rated?" query first: the unique request reference refuses a second rating, also
    when two submissions for the same request race. Plain inserts rather than the ORM's unit of
    work, which took about a third of the POST's CPU (benchmarks/RESULTS.md).
    """
    bound = db.engine()
    try:
        with db.writing(bound), bound.begin() as connection:
            inserted = connection.execute(
                _INSERT_RATING,
                {
                    "request_ref": ref,
                    "token_sha256": hashlib.sha256(token.encode("ascii")).hexdigest(),
                    "rating": form.rating.data,
                    "answers": form.answers(),
                    "comment": form.comment.data or "",
                    "submitted_at": utc_at(now),
                },
            )
            connection.execute(_INSERT_OUTBOX, {"rating_id": inserted.inserted_primary_key[0], "token": token})
    except IntegrityError:
        return False
    return True
