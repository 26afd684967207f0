"""Languages: Arabic by default, English on request (?lang=en) or by the browser's preference."""

from flask import request
from flask_babel import Babel, get_locale

LANGUAGES = ("ar", "en")


def select_locale():
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default="ar")


def text_direction(locale):
    return "rtl" if str(locale) == "ar" else "ltr"


def init_app(app):
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def _language():
        lang = str(get_locale())
        return {"lang": lang, "dir": text_direction(lang)}
