"""Feedback link tokens, as the service reads them (contract: docs/feedback-contract.md).

A token proves that Odoo, holding the shared secret, issued a rating link for
one request reference until a given time. The service checks it without
calling Odoo. Layout, version 1::

    v1.<reference in base64url>.<expiry in base 36>.<first 16 bytes of the HMAC-SHA256 in base64url>

The MAC covers the ASCII text before the last dot. Every part must be in its
one canonical spelling, so no two different strings verify as the same token.
This module imports only the standard library; the addon has its own,
separately written implementation, and the shared vectors in
``tests/contract/token_vectors.json`` prove that the two agree.
"""

import base64
import hashlib
import hmac
import os
import re
import time
from typing import NamedTuple

VERSION = "v1"
MAX_TOKEN_LENGTH = 64
MAX_REF_LENGTH = 22
MAC_BYTES = 16
MAX_EXPIRY = 36**7 - 1

# A rating page opened while its link was valid may still be sent this long after the link
# expired: a beneficiary may leave the page open for hours. The addon accepts the same delay
# (LATE_SEND_SECONDS in policy/feedback_token.py; docs/feedback-contract.md, "Sending late").
LATE_SEND_SECONDS = 24 * 3600

MALFORMED = "malformed"
FORGED = "forged"
EXPIRED = "expired"

_REF_RE = re.compile(r"[\x21-\x7e]{1,%d}" % MAX_REF_LENGTH)
_B64_RE = re.compile(r"[A-Za-z0-9_-]+")
_EXP_RE = re.compile(r"[1-9a-z][0-9a-z]{0,6}")
_DIGITS36 = "0123456789abcdefghijklmnopqrstuvwxyz"


class TokenError(Exception):
    """The only error `verify_token` raises; `reason` is malformed, forged or expired."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class VerifiedToken(NamedTuple):
    ref: str
    expires_at: int


def _b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text):
    """Decode unpadded base64url, or None unless `text` is the canonical spelling."""
    if not _B64_RE.fullmatch(text) or len(text) % 4 == 1:
        return None
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return raw if _b64(raw) == text else None


def _base36(number):
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = _DIGITS36[rest] + digits
    return digits


def _key(secret):
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def _mac(key, signed_part):
    digest = hmac.new(key, signed_part.encode("ascii"), hashlib.sha256).digest()
    return _b64(digest[:MAC_BYTES])


def sign_token(secret, ref, expires_at):
    """Return the token for request reference `ref`, valid until `expires_at` (UNIX seconds, UTC).

    Raises ValueError when the secret is empty, the reference is not 1 to 22
    printable ASCII characters without spaces, or the expiry is out of range.
    """
    key = _key(secret)
    if not isinstance(key, bytes) or not key:
        raise ValueError("the shared secret is empty: set the feedback secret before signing links")
    if not isinstance(ref, str) or not _REF_RE.fullmatch(ref):
        raise ValueError(
            "request reference %r cannot go into a feedback token: it must be 1 to %d printable "
            "ASCII characters without spaces, so that the token stays within %d characters"
            % (ref, MAX_REF_LENGTH, MAX_TOKEN_LENGTH)
        )
    if isinstance(expires_at, bool) or not isinstance(expires_at, int) or not 0 < expires_at <= MAX_EXPIRY:
        raise ValueError("expiry %r must be whole UNIX seconds between 1 and %d" % (expires_at, MAX_EXPIRY))
    signed_part = "%s.%s.%s" % (VERSION, _b64(ref.encode("ascii")), _base36(expires_at))
    return "%s.%s" % (signed_part, _mac(key, signed_part))


def issue_token(secret, ref, days, now=None):
    """Sign a token for `ref` that expires `days` days after `now` (default: the current time)."""
    if now is None:
        now = time.time()
    return sign_token(secret, ref, int(now) + int(days * 86400))


def _parse(token):
    """Split a token into (signed part, reference, expiry, MAC text); TokenError(malformed) otherwise."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise TokenError(MALFORMED)
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != VERSION:
        raise TokenError(MALFORMED)
    _version, ref_text, exp_text, mac_text = parts
    ref_raw = _unb64(ref_text)
    if ref_raw is None or not _REF_RE.fullmatch(ref_raw.decode("latin-1")):
        raise TokenError(MALFORMED)
    if not _EXP_RE.fullmatch(exp_text):
        raise TokenError(MALFORMED)
    mac_raw = _unb64(mac_text)
    if mac_raw is None or len(mac_raw) != MAC_BYTES:
        raise TokenError(MALFORMED)
    signed_part = token[: -len(mac_text) - 1]
    return signed_part, ref_raw.decode("ascii"), int(exp_text, 36), mac_text


def verify_token(secret, token, now=None):
    """Return VerifiedToken(ref, expires_at) for a genuine, unexpired token.

    Raises TokenError and nothing else: reason ``malformed`` when the text is
    not a version-1 token, ``forged`` when the MAC does not match (altered,
    made up, or signed with another secret; also when `secret` is unusable),
    ``expired`` when a genuine token's time has passed. The MAC is checked
    before the expiry, so an expired answer is only ever given for a token we
    signed.
    """
    signed_part, ref, expires_at, mac_text = _parse(token)
    key = _key(secret)
    if not isinstance(key, bytes) or not key:
        raise TokenError(FORGED)
    if not hmac.compare_digest(_mac(key, signed_part), mac_text):
        raise TokenError(FORGED)
    try:
        current = time.time() if now is None else float(now)
    except (TypeError, ValueError, OverflowError):
        current = time.time()
    if current >= expires_at:
        raise TokenError(EXPIRED)
    return VerifiedToken(ref, expires_at)


# The database keeps the SHA-256 of each token (rating.token_sha256). A fingerprint of the same
# hash would let whoever holds the logs and the database tie a log line's client address to a
# rating, its comment and its request. A plain hash of its own would still let anyone holding a
# token (a pending outbox row, the link in Odoo) find its lines; so the fingerprint is an HMAC
# under a key derived from the shared secret: logs, database and links together tie nothing
# without the secret.
_FINGERPRINT_LABEL = b"feedback-service/log-fingerprint"
_fingerprint_key = None  # set by use_secret_for_fingerprints() when the app is made


def _key_of(secret):
    return hmac.new(secret.encode("utf-8", "surrogatepass"), _FINGERPRINT_LABEL, hashlib.sha256).digest()


def use_secret_for_fingerprints(secret):
    """Make this process's fingerprints with `secret` (create_app calls it: the app's log lines and
    gunicorn's access log, written in the same worker, then name a link alike)."""
    global _fingerprint_key  # pylint: disable=global-statement
    _fingerprint_key = _key_of(secret)


def _process_key():
    # Before any app was made (gunicorn's master, which writes a few lines of its own), the
    # secret the app will read: the same environment variable.
    if _fingerprint_key is not None:
        return _fingerprint_key
    return _key_of(os.environ.get("FEEDBACK_SECRET", ""))


def fingerprint(token, secret=None):
    """A short, non-reversible name for a token, for logs: never log the token itself. It tells
    apart the lines of one link from those of another, matches nothing in the database, and cannot
    be worked out from the token without the shared secret (`secret`; by default this process's)."""
    text = token if isinstance(token, str) else repr(token)
    key = _key_of(secret) if secret is not None else _process_key()
    return hmac.new(key, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:12]
