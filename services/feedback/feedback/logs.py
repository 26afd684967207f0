"""Log helpers: a token never reaches a log line whole, only its fingerprint."""

import re
from urllib.parse import unquote

from .tokens import fingerprint

# `/r/<token>` as routing sees it, also when a client spells it with percent escapes
# (`/r%2F<token>`, `/%72/<token>`): the server decodes the path once before routing, and a log
# line shows the path as sent. Extra slashes, which routing merges, count too.
_SLASH = r"(?:/|%2[fF])"
_TOKEN_IN_PATH = re.compile(r"(%s(?:r|%%72)%s+)([^/?#\s\"]+)" % (_SLASH, _SLASH))


# Anything shaped like a link's token (version, reference, expiry, MAC), wherever it stands: in a
# query string, behind another path (`/static/<token>`, `/R/<token>`, `/r/./<token>`), in a header.
_TOKEN_ANYWHERE = re.compile(r"v1\.[A-Za-z0-9_-]+\.[0-9a-z]+\.[A-Za-z0-9_-]{20,}")


def redact_path(text):
    """Replace every `/r/<token>` in `text` by `/r/~<fingerprint>` (the fingerprint of the token as
    decoded, the one the app's own log lines show), then any other token-shaped text likewise."""
    text = _TOKEN_IN_PATH.sub(lambda match: match.group(1) + "~" + fingerprint(unquote(match.group(2))), text or "")
    return _TOKEN_ANYWHERE.sub(lambda match: "~" + fingerprint(match.group(0)), text)
