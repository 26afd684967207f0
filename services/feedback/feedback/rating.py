"""The public rating page: GET shows it (and records nothing), POST records one rating."""

import hashlib

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import db
from .forms import FACES, QUESTION_TEXT, RatingForm
from .i18n import LANGUAGES
from .models import QUESTIONS, OutboxItem, Rating
from .tokens import EXPIRED, TokenError, fingerprint, verify_token

bp = Blueprint("rating", __name__)


def _verified_ref(token):
    """The request reference of a genuine, unexpired token; otherwise the 410 or 404 page."""
    try:
        verified = verify_token(current_app.config["FEEDBACK_SECRET"], token)
    except TokenError as exc:
        current_app.logger.info("rating link refused (%s) token=~%s", exc.reason, fingerprint(token))
        abort(410 if exc.reason == EXPIRED else 404)
    return verified.ref


def _already_rated(ref):
    return db.session().scalar(select(Rating.id).where(Rating.request_ref == ref)) is not None


def _action(token):
    lang = request.args.get("lang")
    return url_for("rating.show", token=token, lang=lang if lang in LANGUAGES else None)


def _page(token, ref, form, status=200):
    other = "ar" if str(get_locale()) == "en" else "en"
    return (
        render_template(
            "rating/form.html",
            form=form,
            ref=ref,
            faces=FACES,
            questions=[(code, QUESTION_TEXT[code]) for code in QUESTIONS],
            action=_action(token),
            switch_url=url_for("rating.show", token=token, lang=other),
            switch_lang=other,
        ),
        status,
    )


@bp.get("/r/<token>")
def show(token):
    ref = _verified_ref(token)
    if _already_rated(ref):
        return render_template("rating/done.html", already=True)
    return _page(token, ref, RatingForm(formdata=None))


@bp.post("/r/<token>")
def submit(token):
    ref = _verified_ref(token)
    if _already_rated(ref):
        return render_template("rating/done.html", already=True)
    if any(len(values) > 1 for values in request.form.listvalues()):
        # rating=1&rating=5: which one did the beneficiary mean? Refuse, store nothing.
        current_app.logger.info("rating form with a repeated field token=~%s", fingerprint(token))
        abort(400)
    form = RatingForm()
    if not form.validate():
        if form.csrf_token.errors:
            current_app.logger.info("rating form without a valid CSRF token token=~%s", fingerprint(token))
            abort(400)
        return _page(token, ref, form, status=400)
    rating = Rating(
        request_ref=ref,
        token_sha256=hashlib.sha256(token.encode("ascii")).hexdigest(),
        rating=form.rating.data,
        answers=form.answers(),
        comment=form.comment.data or "",
    )
    rating.outbox = OutboxItem(token=token)
    session = db.session()
    session.add(rating)
    try:
        session.commit()
    except IntegrityError:
        # Another submission for the same request won the race.
        session.rollback()
        return render_template("rating/done.html", already=True)
    current_app.logger.info("rating recorded for %s token=~%s", ref, fingerprint(token))
    return render_template("rating/done.html", already=False)
