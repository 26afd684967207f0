"""A loopback stand-in for Odoo's side of the feedback contract, with fault injection.

It speaks the two calls the feedback service makes (docs/feedback-contract.md):
``common.authenticate(db, login, api_key, {})`` and
``object.execute_kw(db, uid, api_key, 'beneficiary.feedback', 'import_feedback', [vals_list])``,
and keeps what it imported in memory. Tokens are checked with the addon's own
``policy/feedback_token.py``, as the real Odoo does, at the moment the rating
was submitted. It listens on 127.0.0.1 only.

Faults, each for the next N calls of import_feedback:
  ``fake.inject("fault", n)``       answer with an XML-RPC Fault, import nothing
                                    (``fake.take_all("fault")`` forgets those still to come);
  ``fake.inject("slow", n)``        import and commit, but answer only after ``fake.delay`` seconds;
  ``fake.inject("lose_reply", n)``  import and commit, then drop the connection without a reply;
  ``fake.poisoned.add(token)``       fault every call that carries this rating (a rating Odoo
                                    cannot take: its import is all or nothing per call);
  ``fake.stop()`` / ``fake.start()`` Odoo down and back up, on the same port;
  ``fake.close()``                  gone for good (the end of a test).

Run by hand for development: ``python tests/contract/xmlrpc_fake_odoo.py --secret S`` (port 8069).
"""

import argparse
import calendar
import importlib.util
import io
import pathlib
import socket
import threading
import time
import xmlrpc.client
from socketserver import ThreadingMixIn
from xmlrpc.server import MultiPathXMLRPCServer, SimpleXMLRPCDispatcher, SimpleXMLRPCRequestHandler

_TOKEN_MODULE = pathlib.Path(__file__).resolve().parents[2] / "addons/beneficiary_relations/policy/feedback_token.py"
_spec = importlib.util.spec_from_file_location("fake_odoo_feedback_token", _TOKEN_MODULE)
feedback_token = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(feedback_token)

QUESTION_CODES = {"respect", "time", "clarity", "promptness", "overall"}
UID = 7


class _Server(ThreadingMixIn, MultiPathXMLRPCServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that gave up (timeout) is expected here, not a failure of the fake


class _Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/xmlrpc/2/common", "/xmlrpc/2/object")

    def do_POST(self):
        fake = self.server.fake
        if self.path.endswith("/object") and fake.take("lose_reply"):
            real, self.wfile = self.wfile, io.BytesIO()
            try:
                super().do_POST()  # the import runs and commits ...
            finally:
                self.wfile = real  # ... and its reply goes nowhere
            self.close_connection = True
            return
        super().do_POST()

    def log_message(self, *_args):
        pass


class FakeOdoo:
    def __init__(self, secret, db="feedback_test", login="feedback-service", api_key="fake-api-key", port=0):
        self.secret, self.db, self.login, self.api_key = secret, db, login, api_key
        self.port = port
        self.delay = 2.0
        self.imported = {}  # token -> the record Odoo keeps
        self._rating_of = {}  # request reference -> id of its rating: one look-up per item
        self.calls = 0
        self._faults = {}
        self._lock = threading.Lock()
        self._server = None
        self._held = None  # the port, kept while the fake is down
        self.poisoned = set()  # tokens whose rating faults the whole call

    # life cycle --------------------------------------------------------------------------
    def start(self):
        self._release_port()
        server = _Server(("127.0.0.1", self.port), requestHandler=_Handler, allow_none=True, logRequests=False)
        server.fake = self
        common = SimpleXMLRPCDispatcher(allow_none=True)
        common.register_function(self.authenticate, "authenticate")
        common.register_function(lambda: {"server_version": "18.0"}, "version")
        obj = SimpleXMLRPCDispatcher(allow_none=True)
        obj.register_function(self.execute_kw, "execute_kw")
        server.add_dispatcher("/xmlrpc/2/common", common)
        server.add_dispatcher("/xmlrpc/2/object", obj)
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self):
        """Odoo down: connections are refused until start(), on the same port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            self._hold_port()

    def close(self):
        self.stop()
        self._release_port()

    def _hold_port(self):
        # Bound but not listening: a connection is refused, as by a stopped Odoo, and no other
        # socket (another test's server, an outgoing connection's local port) can take the
        # port during the outage and make start() fail with "Address already in use".
        held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        held.bind(("127.0.0.1", self.port))
        self._held = held

    def _release_port(self):
        if self._held is not None:
            self._held.close()
            self._held = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def inject(self, kind, times=1):
        with self._lock:
            self._faults[kind] = self._faults.get(kind, 0) + times

    def take(self, kind):
        with self._lock:
            if self._faults.get(kind, 0) > 0:
                self._faults[kind] -= 1
                return True
            return False

    def take_all(self, kind):
        """Forget the faults of `kind` still to come."""
        with self._lock:
            self._faults.pop(kind, None)

    # the contract ------------------------------------------------------------------------
    def authenticate(self, db, login, api_key, _user_agent_env):
        if db != self.db:
            raise xmlrpc.client.Fault(1, "database %r does not exist" % db)
        return UID if (login, api_key) == (self.login, self.api_key) else False

    def execute_kw(self, db, uid, api_key, model, method, args, kwargs=None):
        if (db, uid, api_key) != (self.db, UID, self.api_key):
            raise xmlrpc.client.Fault(3, "Access Denied")
        if (model, method) != ("beneficiary.feedback", "import_feedback") or kwargs:
            raise xmlrpc.client.Fault(2, "the Feedback Service user may only call beneficiary.feedback.import_feedback")
        with self._lock:
            self.calls += 1
        if self.take("fault"):
            raise xmlrpc.client.Fault(1, "injected server fault")
        (vals_list,) = args
        if any(isinstance(vals, dict) and vals.get("token") in self.poisoned for vals in vals_list):
            raise xmlrpc.client.Fault(1, "injected fault on one rating: the whole call is rolled back")
        with self._lock:
            reply = [self._import_one(vals) for vals in vals_list]
        if self.take("slow"):
            time.sleep(self.delay)
        return reply

    def _import_one(self, vals):
        token = vals.get("token") if isinstance(vals, dict) else None
        answer = {"token": token if isinstance(token, str) else "", "status": "rejected", "id": False, "error": ""}
        try:
            record = self._check(vals)
        except ValueError as exc:
            answer["error"] = str(exc)
            return answer
        if token in self.imported:
            answer.update(status="duplicate", id=self.imported[token]["id"])
            return answer
        if record["ref"] in self._rating_of:  # one rating per request, whatever the link
            answer.update(status="duplicate", id=self._rating_of[record["ref"]])
            return answer
        record["id"] = len(self.imported) + 1
        self.imported[token] = record
        self._rating_of[record["ref"]] = record["id"]
        answer.update(status="created", id=record["id"])
        return answer

    def _check(self, vals):
        if not isinstance(vals, dict):
            raise ValueError("each item must be a struct")
        try:
            submitted = calendar.timegm(time.strptime(vals.get("submitted_at", ""), "%Y-%m-%d %H:%M:%S"))
        except (TypeError, ValueError):
            raise ValueError("submitted_at must be 'YYYY-MM-DD HH:MM:SS' in UTC") from None
        if submitted > time.time() + 300:
            raise ValueError("submitted_at is in the future")
        try:
            ref, _expiry = feedback_token.read_token(
                self.secret, vals.get("token"), now=submitted - feedback_token.LATE_SEND_SECONDS
            )
        except feedback_token.FeedbackTokenError as exc:
            raise ValueError("token %s" % exc.reason) from None
        rating = vals.get("rating")
        if type(rating) is not int or not 1 <= rating <= 5:
            raise ValueError("rating must be a whole number from 1 to 5")
        comment = vals.get("comment")
        if not isinstance(comment, str) or len(comment) > 1000:
            raise ValueError("comment must be text of at most 1000 characters")
        answers = vals.get("answers")
        if not isinstance(answers, dict) or not set(answers) <= QUESTION_CODES or any(
            type(value) is not int or not 1 <= value <= 5 for value in answers.values()
        ):
            raise ValueError("answers must map known question codes to whole numbers from 1 to 5")
        return {
            "ref": ref, "rating": rating, "comment": comment, "answers": answers, "submitted_at": vals["submitted_at"],
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secret", required=True)
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--db", default="feedback_test")
    parser.add_argument("--login", default="feedback-service")
    parser.add_argument("--api-key", default="fake-api-key")
    options = parser.parse_args()
    fake = FakeOdoo(options.secret, options.db, options.login, options.api_key, options.port).start()
    print("fake Odoo on %s (db %s, login %s)" % (fake.url, fake.db, fake.login), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.close()


if __name__ == "__main__":
    main()
