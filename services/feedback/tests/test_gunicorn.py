"""gunicorn.conf.py serves the app, and its access log shows fingerprints, never tokens."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from feedback.tokens import fingerprint

from helpers import SECRET, SERVICE, make_token


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode("utf-8")


def test_gunicorn_serves_the_page_and_keeps_tokens_out_of_its_log(tmp_path):
    port = _free_port()
    env = dict(
        os.environ,
        FEEDBACK_SECRET=SECRET,
        FEEDBACK_DATABASE_URL="sqlite:///%s" % (tmp_path / "feedback.sqlite3"),
        FEEDBACK_BIND="127.0.0.1:%d" % port,
        FEEDBACK_WORKERS="1",
    )
    subprocess.run([sys.executable, "-m", "flask", "--app", "feedback", "db", "upgrade"],
                   cwd=SERVICE, env=env, check=True, capture_output=True)
    log = open(tmp_path / "gunicorn.log", "w+", encoding="utf-8")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "feedback:create_app()"],
                              cwd=SERVICE, env=env, stdout=log, stderr=subprocess.STDOUT)
    token = make_token("REQ/2026/00777")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert _get("http://127.0.0.1:%d/healthz" % port)[0] == 200
                break
            except (OSError, AssertionError):
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.2)
        status, body = _get("http://127.0.0.1:%d/r/%s" % (port, token))
        assert status == 200 and "REQ/2026/00777" in body
        assert _get("http://127.0.0.1:%d/readyz" % port)[0] == 200
    finally:
        server.terminate()
        server.wait(20)
        log.close()
    text = (tmp_path / "gunicorn.log").read_text(encoding="utf-8")
    assert "/r/~%s" % fingerprint(token) in text
    assert token not in text and SECRET not in text
