"""Log helpers: a token never reaches a log line whole, only its fingerprint."""

import re

from .tokens import fingerprint

_TOKEN_IN_PATH = re.compile(r"(/r/)([^/?#\s\"]+)")


def redact_path(text):
    """Replace every `/r/<token>` in `text` by `/r/~<fingerprint>`."""
    return _TOKEN_IN_PATH.sub(lambda match: match.group(1) + "~" + fingerprint(match.group(2)), text or "")
