"""The feedback link token, as Odoo mints it (contract: docs/feedback-contract.md).

Odoo signs a link for a delivered request; the public feedback service checks
the link on its own, with the same shared secret, without calling Odoo back.
This module imports no Odoo and only the standard library. It is written apart
from the service's ``feedback.tokens``; the vectors in
``tests/contract/token_vectors.json`` prove the two give the same answers.

Version 1 token (at most 64 characters, all of them URL-safe)::

    v1 . base64url(reference) . base36(expiry) . base64url(HMAC-SHA256(secret, head)[:16])

where ``head`` is the ASCII text before the last dot, the expiry is in whole
UNIX seconds (UTC), and base64url is written without ``=`` padding.
"""

import base64
import hashlib
import hmac
import re
import time

TOKEN_MAX_CHARS = 64
REFERENCE_MAX_CHARS = 22
EXPIRY_LIMIT = 36**7  # seven base-36 digits
TAG_LENGTH = 16  # bytes of the HMAC kept: 128 bits
# A rating sent this long after its link expired is still accepted: the feedback service takes
# a form late only from the browser it showed the form to, while the link was valid.
LATE_SEND_SECONDS = 24 * 3600

_TOKEN_SHAPE = re.compile(
    r"(?P<head>v1\.(?P<ref>[A-Za-z0-9_-]{2,30})\.(?P<exp>[1-9a-z][0-9a-z]{0,6}))"
    r"\.(?P<tag>[A-Za-z0-9_-]{22})"
)
_ALPHABET36 = "0123456789abcdefghijklmnopqrstuvwxyz"


class FeedbackTokenError(Exception):
    """Raised by `read_token`, and the only thing it raises.

    ``reason`` tells why: ``malformed`` (not a version-1 token), ``forged``
    (signature does not match) or ``expired`` (genuine, but too late).
    """

    def __init__(self, reason):
        self.reason = reason
        super().__init__("feedback token %s" % reason)


def _reference_ok(reference):
    return 1 <= len(reference) <= REFERENCE_MAX_CHARS and all("!" <= ch <= "~" for ch in reference)


def _to_base64url(data):
    return base64.b64encode(data, altchars=b"-_").decode("ascii").rstrip("=")


def _from_base64url(text):
    """Bytes of `text`, or None when it is not exactly how `_to_base64url` writes them."""
    if len(text) % 4 == 1:
        return None
    data = base64.b64decode(text + "==="[: (4 - len(text) % 4) % 4], altchars=b"-_", validate=True)
    if _to_base64url(data) != text:
        return None
    return data


def _to_base36(value):
    out = []
    while value > 0:
        out.append(_ALPHABET36[value % 36])
        value //= 36
    return "".join(reversed(out))


def _tag(secret_bytes, head):
    full = hmac.new(secret_bytes, head.encode("ascii"), digestmod=hashlib.sha256).digest()
    return _to_base64url(full[:TAG_LENGTH])


def _secret_bytes(secret):
    if isinstance(secret, str):
        return secret.encode("utf-8")
    if isinstance(secret, bytes):
        return secret
    return b""


def make_token(secret, reference, expiry):
    """Mint the token for `reference` (e.g. ``REQ/2026/00001``) valid until `expiry` (UNIX seconds).

    Raises ValueError with a message naming the problem: empty secret,
    reference too long or with characters other than printable ASCII, expiry
    not a positive whole number below 36**7.
    """
    key = _secret_bytes(secret)
    if not key:
        raise ValueError("No shared secret is configured for feedback links.")
    if not isinstance(reference, str) or not _reference_ok(reference):
        raise ValueError(
            "The request reference %r does not fit in a feedback link: use 1 to %s printable "
            "ASCII characters without spaces (the link's token is limited to %s characters)."
            % (reference, REFERENCE_MAX_CHARS, TOKEN_MAX_CHARS)
        )
    if type(expiry) is not int or expiry <= 0 or expiry >= EXPIRY_LIMIT:
        raise ValueError("The link expiry %r is not a whole number of UNIX seconds in range." % (expiry,))
    head = "v1.%s.%s" % (_to_base64url(reference.encode("ascii")), _to_base36(expiry))
    return head + "." + _tag(key, head)


def read_token(secret, token, now=None):
    """Check a token and return ``(reference, expiry)``; raise FeedbackTokenError otherwise."""
    if not isinstance(token, str) or len(token) > TOKEN_MAX_CHARS:
        raise FeedbackTokenError("malformed")
    match = _TOKEN_SHAPE.fullmatch(token)
    if match is None:
        raise FeedbackTokenError("malformed")
    ref_bytes = _from_base64url(match.group("ref"))
    tag_bytes = _from_base64url(match.group("tag"))
    if ref_bytes is None or tag_bytes is None or len(tag_bytes) != TAG_LENGTH:
        raise FeedbackTokenError("malformed")
    reference = ref_bytes.decode("latin-1")
    if not _reference_ok(reference):
        raise FeedbackTokenError("malformed")
    key = _secret_bytes(secret)
    if not key or not hmac.compare_digest(_tag(key, match.group("head")), match.group("tag")):
        raise FeedbackTokenError("forged")
    expiry = int(match.group("exp"), 36)
    if isinstance(now, (int, float)) and not isinstance(now, bool):
        moment = now
    else:
        moment = time.time()
    if moment >= expiry:
        raise FeedbackTokenError("expired")
    return reference, expiry
