"""Send recorded ratings to Odoo over XML-RPC (contract: docs/feedback-contract.md).

The outbox is the queue: a row is `pending` until Odoo answers for its token,
then `sent` (created or duplicate) or `dead` (rejected, or out of attempts).
Odoo's `import_feedback` is idempotent by token, so a batch whose reply was
lost is simply sent again and comes back as `duplicate`: nothing is lost and
nothing is counted twice. No row is locked while Odoo is called; two sync
processes at once would only send some rows twice, which Odoo absorbs (and
an outcome is written only on rows still pending, see _save).
"""

import datetime
import http.client
import random
import xml.parsers.expat
import xmlrpc.client
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update

from . import db
from .config import is_https
from .models import DEAD, PENDING, SENT, OutboxItem, Rating, utcnow

ERROR_MAX = 500
ODOO_ID_MAX = 2**31 - 1  # the largest INTEGER of PostgreSQL (outbox.odoo_id)
# What a call to Odoo may raise when the network, the server or its reply fails.
RETRYABLE = (
    OSError,
    http.client.HTTPException,
    xmlrpc.client.Error,
    xml.parsers.expat.ExpatError,
)


class OdooLoginError(Exception):
    """Odoo refused the service's login: a configuration problem that retrying will not fix."""


class BadReply(Exception):
    """Odoo's answer does not follow the contract."""


class _Connection(http.client.HTTPConnection):
    read_timeout = None

    # http.client's connect returns nothing (pylint-odoo's missing-return is meant for Odoo's methods)
    def connect(self):  # pylint: disable=missing-return
        super().connect()  # self.timeout bounds the TCP connect
        self.sock.settimeout(self.read_timeout)


class _SecureConnection(http.client.HTTPSConnection):
    read_timeout = None

    # http.client's connect returns nothing (pylint-odoo's missing-return is meant for Odoo's methods)
    def connect(self):  # pylint: disable=missing-return
        super().connect()  # self.timeout bounds the TCP connect and the TLS handshake
        self.sock.settimeout(self.read_timeout)


class TimeoutTransport(xmlrpc.client.SafeTransport):
    """An XML-RPC transport with a connect timeout and a separate read timeout."""

    def __init__(self, secure, connect_timeout, read_timeout):
        super().__init__()
        self.secure = secure
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout

    def make_connection(self, host):
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        chost, self._extra_headers, _x509 = self.get_host_info(host)
        if self.secure:
            conn = _SecureConnection(chost, timeout=self.connect_timeout, context=self.context)
        else:
            conn = _Connection(chost, timeout=self.connect_timeout)
        conn.read_timeout = self.read_timeout
        self._connection = host, conn
        return conn


class OdooClient:
    """The two calls of the contract: log in, then import feedback in batches."""

    def __init__(self, url, db, login, api_key, connect_timeout=5.0, read_timeout=60.0):
        self.url, self.db, self.login_name, self.api_key = url, db, login, api_key
        self.timeouts = (connect_timeout, read_timeout)
        self.uid = None

    def _proxy(self, endpoint):
        transport = TimeoutTransport(is_https(self.url), *self.timeouts)
        return xmlrpc.client.ServerProxy(self.url + endpoint, transport=transport, allow_none=True)

    def login(self):
        try:
            uid = self._proxy("/xmlrpc/2/common").authenticate(self.db, self.login_name, self.api_key, {})
        except xmlrpc.client.Fault as exc:
            raise OdooLoginError("Odoo refused the login: %s" % _short(exc.faultString)) from None
        if not uid:
            raise OdooLoginError(
                "Odoo refused the login of %r on database %r: check ODOO_LOGIN and ODOO_API_KEY "
                "(the user must be in the Feedback Service group)" % (self.login_name, self.db)
            )
        self.uid = uid
        return uid

    def import_feedback(self, vals_list):
        return self._proxy("/xmlrpc/2/object").execute_kw(
            self.db, self.uid, self.api_key, "beneficiary.feedback", "import_feedback", [vals_list]
        )

    @classmethod
    def from_config(cls, config):
        names = ("ODOO_URL", "ODOO_DB", "ODOO_LOGIN", "ODOO_API_KEY", "ODOO_CONNECT_TIMEOUT", "ODOO_READ_TIMEOUT")
        missing = [name for name in names[:4] if not config.get(name)]
        if missing:
            raise OdooLoginError("set %s to sync ratings into Odoo" % ", ".join(missing))
        return cls(*(config[name] for name in names))


@dataclass
class Policy:
    batch_size: int = 200
    max_attempts: int = 12
    backoff_base: float = 30.0
    backoff_max: float = 3600.0
    rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def from_config(cls, config):
        names = ("BATCH_SIZE", "MAX_ATTEMPTS", "BACKOFF_BASE", "BACKOFF_MAX")
        return cls(*(config["FEEDBACK_SYNC_" + name] for name in names))

    def delay(self, attempts):
        """Seconds before attempt number `attempts` + 1: doubling from the base, capped, with jitter."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** min(attempts - 1, 30))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)


@dataclass
class Report:
    sent: int = 0
    duplicate: int = 0
    dead: int = 0
    retrying: int = 0
    error: str | None = None

    def __str__(self):
        text = "sent %d (of which already in Odoo %d), dead %d, to retry %d" % (
            self.sent, self.duplicate, self.dead, self.retrying)
        return text + ("; last error: %s" % self.error if self.error else "")


def _short(text):
    text = " ".join(str(text).split())
    return text if len(text) <= ERROR_MAX else text[: ERROR_MAX - 1] + "…"


def describe(exc):
    if isinstance(exc, xmlrpc.client.Fault):
        return _short("Odoo fault %s: %s" % (exc.faultCode, exc.faultString))
    if isinstance(exc, xmlrpc.client.ProtocolError):
        # its text names ODOO_URL, which may carry a user and password for a proxy in front
        return _short("Odoo answered HTTP %s %s" % (exc.errcode, exc.errmsg))
    return _short("%s: %s" % (type(exc).__name__, exc))


def due(session, now, limit):
    """The next `limit` rows due for sending, with their rating: plain rows, not ORM objects, so
    that nothing is held in the session and a batch of 200 costs one query.

    Due the longest first, in the order of the index on (state, next_attempt_at, id),
    ix_outbox_due: the database reads the first `limit` entries of the index and stops. In the order of ids, it had to sort
    every due row for each batch, so that draining a backlog after an outage cost time in the
    square of its size."""
    query = (
        select(OutboxItem.id, OutboxItem.token, OutboxItem.attempts,
               Rating.rating, Rating.comment, Rating.submitted_at, Rating.answers)
        .join(Rating, OutboxItem.rating_id == Rating.id)
        .where(OutboxItem.state == PENDING, OutboxItem.next_attempt_at <= now)
        .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
        .limit(limit)
    )
    items = session.execute(query).all()
    session.commit()  # end the read transaction: nothing stays open while Odoo is called
    return items


def vals_for(item):
    return {
        "token": item.token,
        "rating": item.rating,
        "comment": item.comment,
        "submitted_at": item.submitted_at.strftime("%Y-%m-%d %H:%M:%S"),
        "answers": dict(item.answers or {}),
    }


def check_reply(items, reply):
    """The reply's entries in batch order; BadReply when it breaks the contract."""
    if not isinstance(reply, list):
        raise BadReply("Odoo answered %s instead of a list" % type(reply).__name__)
    if len(reply) != len(items):
        raise BadReply("Odoo answered %d items for a batch of %d" % (len(reply), len(items)))
    for item, entry in zip(items, reply, strict=True):
        if not isinstance(entry, dict) or entry.get("token") != item.token:
            raise BadReply("Odoo's answer is not in the order of the batch")
        if entry.get("status") not in ("created", "duplicate", "rejected"):
            raise BadReply("Odoo answered an unknown status %r" % (entry.get("status"),))
        # The id goes into outbox.odoo_id, an INTEGER column: anything else (a string, True, a
        # number past PostgreSQL's integer) would fail that UPDATE after Odoo committed, every round.
        if entry["status"] != "rejected" and not _is_record_id(entry.get("id")):
            raise BadReply("Odoo answered an id %r that is not a record id" % (entry.get("id"),))
    return reply


def _is_record_id(value):
    """An Odoo record id (a whole number that fits an INTEGER column), or False (none)."""
    if value is False:
        return True
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= ODOO_ID_MAX


def _retry_later(items, error, now, policy, report):
    changes = []
    for item in items:
        change = {"id": item.id, "attempts": item.attempts + 1, "last_error": error}
        if change["attempts"] >= policy.max_attempts:
            change["state"] = DEAD
            report.dead += 1
        else:
            change["next_attempt_at"] = now + datetime.timedelta(seconds=policy.delay(change["attempts"]))
            report.retrying += 1
        changes.append(change)
    report.error = error
    return changes


def _record(items, reply, now, report):
    changes = []
    for item, entry in zip(items, reply, strict=True):
        if entry["status"] == "rejected":
            changes.append({"id": item.id, "attempts": item.attempts + 1, "state": DEAD,
                            "last_error": _short(entry.get("error") or "rejected by Odoo")})
            report.dead += 1
            continue
        # The token goes: Odoo has it now; the service keeps only its hash (rating.token_sha256).
        changes.append({"id": item.id, "attempts": item.attempts + 1, "state": SENT, "sent_at": now,
                        "odoo_id": entry.get("id") or None, "last_error": None, "token": None})
        report.sent += 1
        report.duplicate += entry["status"] == "duplicate"
    return changes


# Only rows still pending: another sync process may have settled a row while this one waited for
# Odoo (sent, its token gone), and a late outcome (a timeout, the last attempt) must not undo it.
_UPDATE_PENDING = update(OutboxItem.__table__).where(
    OutboxItem.__table__.c.id == bindparam("row_id"), OutboxItem.__table__.c.state == PENDING
)


def _save(session, changes):
    """Write the batch's outcome: one UPDATE (executemany) per kind of change, for all its rows."""
    kinds = {}
    for change in changes:
        values = {key: value for key, value in change.items() if key != "id"}
        kinds.setdefault(frozenset(values), []).append(dict(values, row_id=change["id"]))
    with db.writing(session.get_bind()):
        for rows in kinds.values():
            session.execute(_UPDATE_PENDING, rows)
        session.commit()


def drain(session, client, policy, clock=utcnow):
    """Send every due outbox row, batch by batch; stop at the first batch that fails (a batch
    Odoo faults on is split first to find the rating it cannot take, see _Sender.isolate).

    Raises OdooLoginError when Odoo refuses the login. Network failures before
    any batch was sent (Odoo down at login) are reported, not raised. Neither is
    charged to the rows' attempts (an outage of hours must not kill them), but
    both are written on the first batch of rows due (due the longest), so that
    `outbox` and its `--check` say why they wait.
    """
    report = Report()
    items = due(session, clock(), policy.batch_size)
    if not items:
        return report
    try:
        client.login()
    except OdooLoginError as exc:
        _save(session, [{"id": item.id, "last_error": _short(exc)} for item in items])
        raise
    except RETRYABLE as exc:
        report.error = "Odoo unreachable: " + describe(exc)
        report.retrying = len(items)
        _save(session, [{"id": item.id, "last_error": report.error} for item in items])
        return report
    sender = _Sender(session, client, policy, report, clock)
    while items:
        try:
            fault = sender.send(items)
            if fault is not None and not sender.isolate(items, fault):
                break
        except _Stop:
            break
        items = due(session, clock(), policy.batch_size)
    return report


def fault_budget(size):
    """How many faulted calls the search for the ratings Odoo cannot take may cost, in a batch
    of `size`: 3·⌈log2 size⌉, so that two bad ratings are always found (about 2·log2 size)."""
    return 3 * max(1, (size - 1).bit_length())


class _Stop(Exception):
    """The network or Odoo's reply failed: the round ends (what failed is charged and saved)."""


@dataclass
class _Sender:
    """Sends batches and saves their outcome; finds the rating Odoo cannot take in a batch it faults."""

    session: object
    client: OdooClient
    policy: Policy
    report: Report
    clock: object

    def send(self, items):
        """One call for `items`, its outcome saved. Returns Odoo's Fault, saving nothing, when
        Odoo answered with one; raises _Stop after charging `items` for any other failure."""
        batch_time = self.clock()
        try:
            reply = check_reply(items, self.client.import_feedback([vals_for(item) for item in items]))
        except xmlrpc.client.Fault as fault:
            return fault
        except (*RETRYABLE, BadReply) as exc:
            self._charge(items, exc, batch_time)
            raise _Stop() from None
        _save(self.session, _record(items, reply, batch_time, self.report))
        return None

    def isolate(self, items, fault):
        """Odoo faulted on `items`. Odoo's import is all or nothing per call, so one rating it
        cannot take (a bug or a constraint on the Odoo side) would fail every rating batched
        with it, on every retry, until they all died. Split every part Odoo faults on in two and
        send each half again, down to the ratings that fail alone: those are charged alone, the
        rest is sent. Finding k such ratings among n costs about 2·k·log2(n) calls.

        Every call faults when Odoo is failing as a whole, and splitting would then send the
        batch piece by piece. So the search stops after `fault_budget(n)` faulted calls
        (enough for two or three bad ratings): what is left is charged, as one attempt each,
        and False ends the round. Returns True when the search settled every rating."""
        self.report.error = describe(fault)  # said in the round's summary even when the split gets past it
        faults_left = fault_budget(len(items))
        parts = [(items, fault)]  # parts Odoo faulted on, not yet settled
        while parts:
            part, part_fault = parts.pop()
            if len(part) == 1:
                self._charge(part, part_fault, self.clock())
                continue
            if faults_left < 2:  # a split could fault twice more
                now = self.clock()
                for rest, rest_fault in [(part, part_fault), *parts]:
                    self._charge(rest, rest_fault, now)
                return False
            middle = len(part) // 2
            faulted = []
            for half in (part[:middle], part[middle:]):
                half_fault = self.send(half)
                if half_fault is not None:
                    faults_left -= 1
                    faulted.append((half, half_fault))
            parts.extend(reversed(faulted))  # the first half is searched first
        return True

    def _charge(self, items, exc, now):
        """Charge `items` one attempt for what failed (`exc`), as of `now`."""
        _save(self.session, _retry_later(items, describe(exc), now, self.policy, self.report))
