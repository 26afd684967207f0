"""Log helpers: a token never reaches a log line whole, only its fingerprint."""

import re
from urllib.parse import unquote

from .tokens import fingerprint

# `/r/<token>` as routing sees it, also when a client spells it with percent escapes
# (`/r%2F<token>`, `/%72/<token>`): the server decodes the path once before routing, and a log
# line shows the path as sent. Extra slashes, which routing merges, count too.
_SLASH = r"(?:/|%2[fF])"
_TOKEN_IN_PATH = re.compile(r"(%s(?:r|%%72)%s+)([^/?#\s\"]+)" % (_SLASH, _SLASH))


def redact_path(text):
    """Replace every `/r/<token>` in `text` by `/r/~<fingerprint>` (the fingerprint of the token as
    decoded, the one the app's own log lines show)."""
    return _TOKEN_IN_PATH.sub(lambda match: match.group(1) + "~" + fingerprint(unquote(match.group(2))), text or "")
