"""Pages rendered once per language and reused.

Most of what the public pages send is the same for every visitor: the thank-you
and error pages entirely, the blank rating form all but four values (the request
reference, the link's token in two URLs and the CSRF token). Rendering them
with Jinja and Flask-Babel on every request was the largest share of a
submission's CPU (benchmarks/RESULTS.md). Here each page is rendered by its
template as before, once per language and mount point, and kept; the blank form
keeps its four values as named slots that are filled, escaped, per request.

The templates stay the only source of the pages: a test compares every cached
page with a fresh render of its template, in both languages.
"""

import re
import threading
from collections import Counter

from flask import current_app, request
from flask_babel import get_locale
from markupsafe import escape

# Placeholders rendered into the blank form, then cut out. Plain capitals, so that neither
# HTML escaping nor URL quoting changes them; `_split` checks each appears as often as expected.
SLOTS = {"ref": "FEEDBACKSLOTREF", "token": "FEEDBACKSLOTTOKEN", "csrf": "FEEDBACKSLOTCSRF"}
_SLOT_COUNTS = {"ref": 1, "token": 2, "csrf": 1}
_SLOT_RE = re.compile("(%s)" % "|".join(SLOTS.values()))
_NAMES = {placeholder: name for name, placeholder in SLOTS.items()}
# Pages x 2 languages x mount points: a handful. The bound only guards against a client
# that could vary the mount point (SCRIPT_NAME) at will.
MAX_ENTRIES = 64


class _Store:
    def __init__(self):
        self.entries = {}
        self.lock = threading.Lock()

    def get(self, key, build):
        entry = self.entries.get(key)
        if entry is None:
            entry = build()
            with self.lock:
                if len(self.entries) >= MAX_ENTRIES:
                    self.entries.clear()
                self.entries[key] = entry
        return entry


def init_app(app):
    app.extensions["feedback_pages"] = _Store()


def once(key, render):
    """`render()`, called once per language, mount point and `key`, then reused."""
    return current_app.extensions["feedback_pages"].get((str(get_locale()), request.script_root, key), render)


def _split(html):
    """`html` cut at its slots: text and slot names in turn."""
    parts = [part if index % 2 == 0 else _NAMES[part] for index, part in enumerate(_SLOT_RE.split(html))]
    found = Counter(parts[1::2])
    if found != _SLOT_COUNTS:
        raise RuntimeError("the blank rating form has slots %r, expected %r" % (dict(found), _SLOT_COUNTS))
    return tuple(parts)


def blank_form(render, variant, ref, token, csrf):
    """The blank rating form for this link: `render(ref, token, csrf)` renders the page (it is
    called once per language, mount point and `variant`, with the placeholders), then the
    link's own values are put in its slots, HTML-escaped."""
    parts = once(("rating/form", variant), lambda: _split(render(SLOTS["ref"], SLOTS["token"], SLOTS["csrf"])))
    values = {"ref": str(escape(ref)), "token": str(escape(token)), "csrf": str(escape(csrf))}
    return "".join(part if index % 2 == 0 else values[part] for index, part in enumerate(parts))
