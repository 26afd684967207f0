"""The rating form: one required rating, optional answers and comment, and the CSRF token."""

import functools
import re

from babel.support import Translations
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.i18n import messages_path
from wtforms.validators import InputRequired, Length, Optional

from .models import COMMENT_MAX, QUESTIONS

SCALE = [SelectChoice(value, str(value)) for value in range(1, 6)]
FACES = (
    (1, _l("Very bad")),
    (2, _l("Bad")),
    (3, _l("Acceptable")),
    (4, _l("Good")),
    (5, _l("Excellent")),
)
QUESTION_TEXT = {
    "respect": _l("Were you received politely and respectfully?"),
    "time": _l("Were you given enough time?"),
    "clarity": _l("Were the procedures explained to you clearly?"),
    "promptness": _l("Did you get an answer within the promised time?"),
    "overall": _l("Overall, how satisfied are you with the service?"),
}
# Taken out of a comment: control characters, bidi overrides, and every other character outside
# XML 1.0's Char production (lone surrogates, U+FFFE, U+FFFF). The comment travels to Odoo inside
# an XML-RPC request: one such character makes Odoo's parser refuse the whole batch, on every
# retry. Taken out rather than refused: no one types them on purpose (they come from a broken
# copy and paste or a keyboard app) and a beneficiary could not find them to remove them.
_UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def clean_comment(value):
    """Keep the comment as written, without control characters, characters XML cannot carry,
    and with one kind of line break."""
    if not value or not isinstance(value, str):
        return ""  # no field of the page sends anything but text (`data=` could)
    return _UNWANTED.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


@functools.lru_cache(maxsize=8)
def wtforms_translations(locale):
    """WTForms' own messages ("Not a valid choice.") in `locale`, read from disk once per language
    instead of on every request as Flask-WTF does."""
    return Translations.load(messages_path(), [locale], domain="wtforms")


def _answer_field():
    return RadioField(choices=SCALE, coerce=int, validators=[Optional()], validate_choice=True)


class RatingForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return wtforms_translations(str(get_locale()))

    rating = RadioField(
        choices=SCALE, coerce=int, validators=[InputRequired(message=_l("Please choose a face."))]
    )
    respect = _answer_field()
    time = _answer_field()
    clarity = _answer_field()
    promptness = _answer_field()
    overall = _answer_field()
    comment = TextAreaField(
        filters=[clean_comment],
        validators=[
            Length(max=COMMENT_MAX, message=_l("Please keep your comment within 1,000 characters.")),
        ],
    )

    def answers(self):
        """The questions answered, as {code: 1..5}."""
        return {code: self[code].data for code in QUESTIONS if self[code].data is not None}
