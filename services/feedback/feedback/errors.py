"""Error pages: translated, small, and never a stack trace for bad input."""

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from . import pages

PAGES = {
    400: (_l("Please try again"), _l("Something in what was sent could not be read. Please open the link again.")),
    404: (
        _l("This link is not valid"),
        _l("Please check that you opened the whole link from the message you received."),
    ),
    405: (_l("Not allowed"), _l("This page cannot be used this way.")),
    410: (
        _l("This link has expired"),
        _l("Rating links are valid for a limited time. If you still wish to rate the service, "
           "please ask the association for a new link."),
    ),
    413: (_l("Too long"), _l("What you sent is too long. Please shorten your comment and try again.")),
    429: (
        _l("Too many attempts"),
        _l("Please wait a minute, then try again. If you were sending your rating, go back to the "
           "form and send it again then."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("Your rating may not have been saved. Please try again later."),
    ),
}


# A form sent back without the page's cookie: the CSRF check cannot pass, however often the
# beneficiary opens the link again, so the page says what would help.
NO_COOKIE = (
    _l("Your browser did not keep this page's cookie"),
    _l("The rating form needs a cookie, only while you fill it in. Please allow cookies for this "
       "site in your browser, then open the link again."),
)


def _error_page(code, texts=None):
    title, message = texts or PAGES.get(code, PAGES[500] if code >= 500 else PAGES[400])
    return render_template("errors/error.html", title=title, message=message, code=code)


def render_no_cookie():
    return pages.once(("error", "no-cookie"), lambda: _error_page(400, NO_COOKIE)), 400


# A failure while a page is only being opened: no rating was sent, so none can be lost.
OPENING_FAILED = (
    _l("Something went wrong on our side"),
    _l("This page cannot be shown right now. Please try again later."),
)


def render_error(code):
    # Error pages are the same for everyone: rendered once per language (a flood of 429s stays cheap).
    if code >= 500 and request.method in ("GET", "HEAD"):
        return pages.once(("error", code, "opening"), lambda: _error_page(code, OPENING_FAILED)), code
    return pages.once(("error", code), lambda: _error_page(code)), code


def _http_error(exc):
    response = exc.get_response()
    body, code = render_error(exc.code or 500)
    response.set_data(body)
    response.status_code = code
    response.content_type = "text/html; charset=utf-8"
    if code == 429:
        response.headers["Retry-After"] = "60"
    return response


def _unexpected(exc):
    current_app.log_exception((type(exc), exc, exc.__traceback__))
    return render_error(500)


def init_app(app):
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _http_error)
    app.register_error_handler(Exception, _unexpected)
