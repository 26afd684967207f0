"""gunicorn.conf.py serves the app, and its access log shows fingerprints, never tokens."""

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from feedback.tokens import fingerprint, verify_token

from helpers import SECRET, SERVICE, make_token


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode("utf-8")


@contextlib.contextmanager
def _serving(tmp_path, **environ):
    """gunicorn from gunicorn.conf.py on a free port, on a migrated database, until the block ends;
    yields its base URL. Its log (error and access, together) is tmp_path / "gunicorn.log"."""
    port = _free_port()
    env = dict(
        os.environ,
        FEEDBACK_SECRET=SECRET,
        FEEDBACK_DATABASE_URL="sqlite:///%s" % (tmp_path / "feedback.sqlite3"),
        FEEDBACK_BIND="127.0.0.1:%d" % port,
        FEEDBACK_WORKERS="1",
        **environ,
    )
    subprocess.run([sys.executable, "-m", "flask", "--app", "feedback", "db", "upgrade"],
                   cwd=SERVICE, env=env, check=True, capture_output=True)
    log = open(tmp_path / "gunicorn.log", "w+", encoding="utf-8")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "feedback:create_app()"],
                              cwd=SERVICE, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert _get("http://127.0.0.1:%d/healthz" % port)[0] == 200
                break
            except (OSError, AssertionError):
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.2)
        yield "http://127.0.0.1:%d" % port
    finally:
        server.terminate()
        server.wait(20)
        log.close()


def test_gunicorn_serves_the_page_and_keeps_tokens_out_of_its_log(tmp_path):
    token = make_token("REQ/2026/00777")
    with _serving(tmp_path) as url:
        status, body = _get("%s/r/%s" % (url, token))
        assert status == 200 and "REQ/2026/00777" in body
        assert _get(url + "/readyz")[0] == 200
    text = (tmp_path / "gunicorn.log").read_text(encoding="utf-8")
    assert "/r/~%s" % fingerprint(token, SECRET) in text
    assert token not in text and SECRET not in text
    # The worker set the loaded app aside from the garbage collector once it was loaded.
    frozen = re.search(r"worker \d+: (\d+) objects of the loaded app set aside from garbage collection", text)
    assert frozen and int(frozen.group(1)) > 10000, text


def test_a_browser_carrying_many_cookies_of_the_parent_domain_gets_the_page(tmp_path):
    """A browser sends this host the cookies of its parent domains too (.association.org.sa):
    6 KB of them must still open the rating page, not gunicorn's bare 431."""
    token = make_token("REQ/2026/00776")
    cookies = "; ".join("portal_pref_%02d=%s" % (number, "v" * 90) for number in range(58))
    assert 6000 < len(cookies) < 6500
    with _serving(tmp_path) as url:
        status, body = _get("%s/r/%s" % (url, token), headers={"Cookie": cookies})
    assert status == 200 and "REQ/2026/00776" in body


def test_debug_logging_keeps_tokens_out_of_the_log(tmp_path):
    token = make_token("REQ/2026/00778")
    with _serving(tmp_path, FEEDBACK_LOG_LEVEL="debug") as url:
        assert _get("%s/r/%s" % (url, token))[0] == 200
    text = (tmp_path / "gunicorn.log").read_text(encoding="utf-8")
    assert "[DEBUG] GET /r/~%s" % fingerprint(token, SECRET) in text  # gunicorn's line for each request
    assert token not in text and token[-22:] not in text


def test_a_link_spelled_with_percent_escapes_keeps_its_token_out_of_the_log(tmp_path):
    # Routing decodes the path once: both spellings open the rating page, as /r/<token> does.
    tokens = {spelling: make_token("REQ/2026/%05d" % number)
              for number, spelling in enumerate(("/r%%2F%s", "/%%72/%s", "/%%2fr%%2f%s"), start=780)}
    with _serving(tmp_path, FEEDBACK_LOG_LEVEL="debug") as url:
        for spelling, token in tokens.items():
            status, body = _get(url + spelling % token)
            assert status == 200 and verify_token(SECRET, token).ref in body, spelling
    text = (tmp_path / "gunicorn.log").read_text(encoding="utf-8")
    for token in tokens.values():
        assert "~%s" % fingerprint(token, SECRET) in text
        assert token not in text and token[-22:] not in text


def test_a_token_anywhere_else_in_a_request_stays_out_of_the_log(tmp_path):
    """Not a rating link, but carrying one: another path, another case, a dot segment, a query."""
    spellings = ("/R/%s", "/static/%s", "/r/./%s", "/healthz?lang=%s", "/nowhere/%s/x")
    tokens = {spelling: make_token("REQ/2026/%05d" % number) for number, spelling in enumerate(spellings, start=790)}
    with _serving(tmp_path, FEEDBACK_LOG_LEVEL="debug") as url:
        for spelling, token in tokens.items():
            _get(url + spelling % token)
    text = (tmp_path / "gunicorn.log").read_text(encoding="utf-8")
    for spelling, token in tokens.items():
        assert token not in text and token[-22:] not in text, spelling
        assert "~%s" % fingerprint(token, SECRET) in text, spelling


def test_a_worker_s_error_line_names_the_link_by_its_fingerprint(tmp_path, monkeypatch):
    """gunicorn logs the path of a request its worker failed to handle ("Error handling request
    /r/<token>"), not through the access log: the service's logger redacts its error log too."""
    from gunicorn.config import Config

    from feedback import tokens
    from feedback.gunicorn_logging import RedactingLogger

    # as in gunicorn's master, which never makes the app: the secret comes from the environment
    monkeypatch.setattr(tokens, "_fingerprint_key", None)
    monkeypatch.setenv("FEEDBACK_SECRET", SECRET)

    token = make_token("REQ/2026/00779")
    config = Config()
    config.set("errorlog", str(tmp_path / "error.log"))
    logger = RedactingLogger(config)
    try:
        raise ConnectionResetError("client went away")
    except ConnectionResetError:
        logger.exception("Error handling request %s %s", "POST", "/r/%s?x=1" % token)
    logger.warning("odd path /r/%s" % token)
    for handler in logger.error_log.handlers:
        handler.flush()
    text = (tmp_path / "error.log").read_text(encoding="utf-8")
    assert "Error handling request POST /r/~%s?x=1" % fingerprint(token, SECRET) in text
    assert "odd path /r/~%s" % fingerprint(token, SECRET) in text
    assert token not in text and token[-22:] not in text


def _gunicorn_settings(tmp_path, **environ):
    """The settings gunicorn reads from gunicorn.conf.py under `environ`: exit status, settings, errors."""
    environ = dict(
        os.environ, FEEDBACK_SECRET=SECRET, FEEDBACK_DATABASE_URL="sqlite:///%s" % (tmp_path / "f.sqlite3"), **environ
    )
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--print-config", "feedback:create_app()"],
        cwd=SERVICE, env=environ, capture_output=True, text=True, timeout=60,
    )
    settings = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    return done.returncode, {name.strip(): value.strip() for name, value in settings.items()}, done.stderr


def test_an_empty_variable_means_the_default(tmp_path):
    names = ("FEEDBACK_WORKERS", "FEEDBACK_THREADS", "FEEDBACK_WORKER_TIMEOUT", "FEEDBACK_BIND",
             "FEEDBACK_LOG_LEVEL", "FEEDBACK_ACCESS_LOG", "FEEDBACK_FORWARDED_ALLOW_IPS")
    status, settings, errors = _gunicorn_settings(tmp_path, **dict.fromkeys(names, ""))
    assert status == 0, errors
    assert int(settings["workers"]) >= 1
    assert (settings["threads"], settings["timeout"], settings["loglevel"]) == ("2", "30", "info")
    assert settings["bind"] == "['127.0.0.1:8000']"
    status, settings, errors = _gunicorn_settings(tmp_path, FEEDBACK_WORKERS="3", FEEDBACK_THREADS=" 1 ")
    assert status == 0, errors
    assert (settings["workers"], settings["threads"]) == ("3", "1")


def test_a_number_that_is_not_one_is_named_at_start(tmp_path):
    status, _settings, errors = _gunicorn_settings(tmp_path, FEEDBACK_WORKERS="four")
    assert status != 0
    assert "FEEDBACK_WORKERS must be a whole number, not 'four'" in errors
    status, _settings, errors = _gunicorn_settings(tmp_path, FEEDBACK_THREADS="0")
    assert status != 0 and "FEEDBACK_THREADS must be at least 1" in errors
