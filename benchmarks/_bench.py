"""Shared helpers of the benchmark scripts: the machine, processes, PostgreSQL, Odoo, HTTP bytes.

Standard library only, so that both the repository's .venv and Odoo's own Python can import it.
Everything listens on 127.0.0.1, on ports 8480-8499, in databases named bench_*.
"""

import gzip
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "benchmarks")
SERVICE = os.path.join(ROOT, "services", "feedback")
ADDONS = os.path.join(ROOT, "addons")

PG = {
    "host": os.environ.get("BENCH_PG_HOST", "127.0.0.1"),
    "user": os.environ.get("BENCH_PG_USER", "odoo"),
    "password": os.environ.get("BENCH_PG_PASSWORD", "odoo"),
}
ODOO_BIN = os.environ.get("BENCH_ODOO_BIN") or shutil.which("odoo") or "/usr/local/bin/odoo"
ODOO_PYTHON = os.environ.get("BENCH_ODOO_PYTHON", "/opt/odoo18/venv/bin/python")
ODOO_ADDONS = os.environ.get("BENCH_ODOO_ADDONS", "/opt/odoo18/src/addons")
# A secret for the benchmark only, shared by the service and the Odoo under test.
SECRET = "benchmark-only-secret-never-use-it-in-production-0123456789"


def banner(text):
    print("\n" + "=" * 100 + "\n" + text + "\n" + "=" * 100, flush=True)


def say(text):
    print(text, flush=True)


# -- the machine ---------------------------------------------------------------------------------
def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    free = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "free": free,
        "load": load(),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def load():
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        return " ".join(loadavg.read().split()[:3])


def print_machine():
    info = machine()
    say("date: %(date)s   nproc: %(nproc)s   cpu: %(cpu)s   load (1/5/15 min): %(load)s" % info)
    say(info["free"])
    return info


# -- numbers -------------------------------------------------------------------------------------
def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = max(0, min(len(ordered) - 1, int(-(-fraction * len(ordered) // 1)) - 1))
    return ordered[index]


def median(values):
    return statistics.median(values) if values else float("nan")


def verdict(ok):
    return "PASS" if ok else "MISS"


def print_targets(checks):
    """checks: (label, measured value, ok) per target."""
    banner("Targets")
    width = max((len(label) for label, _value, _ok in checks), default=0)
    for label, value, ok in checks:
        say("  %s  %-*s  %s" % (verdict(ok), width, label, value))


def table(rows, headers):
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    line = "  ".join("%-*s" % (width, header) for width, header in zip(widths, headers))
    say(line)
    say("  ".join("-" * width for width in widths))
    for row in rows:
        say("  ".join("%-*s" % (width, cell) for width, cell in zip(widths, row)))


# -- ports and processes --------------------------------------------------------------------------
def port_is_free(port):
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def check_ports(*ports):
    busy = [port for port in ports if not port_is_free(port)]
    if busy:
        sys.exit("port(s) %s on 127.0.0.1 are in use; free them or pick others (8480-8499)" % busy)


def wait_http(port, path, timeout, ok=(200,)):
    """Wait until GET path answers one of `ok` on 127.0.0.1:port; False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = fetch(port, path)[0]
            if status in ok:
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def wait_port(port, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


class Server:
    """A server process in its own process group, stopped (TERM, then KILL) at the latest on exit."""

    def __init__(self, argv, cwd=None, env=None, log_path=None):
        self.log = open(log_path or os.devnull, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - our own argv
            argv, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self):
        return self.process.pid

    def children(self):
        return children_of(self.pid)

    def stop(self, grace=20):
        if self.process.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.process.wait(5)
            except ProcessLookupError:
                pass
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.stop()


def children_of(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid), encoding="ascii") as children:
            return [int(child) for child in children.read().split()]
    except OSError:
        return []


def _proc_kib(path, key):
    """The KiB figure of line `key` in /proc file `path` (0 when the process is gone)."""
    try:
        with open(path, encoding="ascii") as lines:
            for line in lines:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_kib(pid):
    """Resident set size of a process in KiB."""
    return _proc_kib("/proc/%d/status" % pid, "VmRSS:")


def pss_kib(pid):
    """Proportional set size (shared pages split between the processes sharing them) in KiB."""
    return _proc_kib("/proc/%d/smaps_rollup" % pid, "Pss:")


def cpu_seconds(pids):
    """User + system CPU time used so far by the processes `pids` (gone ones count 0)."""
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid, encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


class MemoryWatch:
    """Samples the RSS of a master's children (the workers) every `every` seconds; keeps the peaks."""

    def __init__(self, master_pid, every=0.25):
        self.master_pid, self.every = master_pid, every
        self.peak = {}  # pid -> KiB
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def sample(self):
        for pid in children_of(self.master_pid):
            self.peak[pid] = max(self.peak.get(pid, 0), rss_kib(pid))

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self

    def max_mib(self):
        return max(self.peak.values(), default=0) / 1024


# -- wrk ---------------------------------------------------------------------------------------
def wrk(port, mode, arg, clients, duration, threads=None, think_ms=0):
    """Run benchmarks/wrk_flow.lua against 127.0.0.1:port; return its JSON summary."""
    threads = threads or clients
    argv = [
        "wrk", "-t%d" % threads, "-c%d" % clients, "-d%ds" % duration, "--timeout", "10s",
        "-s", os.path.join(BENCH, "wrk_flow.lua"), "http://127.0.0.1:%d" % port, "--", mode, arg,
    ]
    env = {**os.environ, "BENCH_THINK_MS": str(think_ms)} if think_ms else None
    result = subprocess.run(  # noqa: S603
        argv, capture_output=True, text=True, timeout=duration + 120, check=False, env=env
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    raise RuntimeError("wrk gave no figures:\n%s\n%s" % (result.stdout[-2000:], result.stderr[-2000:]))


def split_tokens(tokens, parts, path_prefix):
    """Write tokens round-robin into path_prefix.0 ... .(parts-1), one file per wrk thread."""
    files = [open("%s.%d" % (path_prefix, part), "w", encoding="ascii") for part in range(parts)]  # noqa: SIM115
    try:
        for index, token in enumerate(tokens):
            files[index % parts].write(token + "\n")
    finally:
        for handle in files:
            handle.close()
    return path_prefix


# -- bytes over the wire --------------------------------------------------------------------------
BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (Linux; Android 14) benchmark",
    "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
    "Accept-Encoding": "gzip, deflate",
    "Accept-Language": "ar,en;q=0.5",
}


def fetch(port, path, headers=None, method="GET", body=None):
    """One HTTP/1.1 exchange on a fresh connection; (status, headers, decoded body, bytes received)."""
    request_headers = {"Host": "127.0.0.1:%d" % port, "Connection": "close", **(headers or {})}
    if body is not None:
        request_headers["Content-Length"] = str(len(body))
    head = "%s %s HTTP/1.1\r\n" % (method, path) + "".join("%s: %s\r\n" % item for item in request_headers.items())
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n" + (body or b""))
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    raw = b"".join(chunks)
    header_blob, _, payload = raw.partition(b"\r\n\r\n")
    lines = header_blob.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    response_headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        response_headers.setdefault(name.strip().lower(), []).append(value.strip())
    if "chunked" in ",".join(response_headers.get("transfer-encoding", [])):
        payload = _unchunk(payload)
    encoding = ",".join(response_headers.get("content-encoding", []))
    if "gzip" in encoding:
        payload = gzip.decompress(payload)
    elif "deflate" in encoding:
        payload = zlib.decompress(payload)
    return status, response_headers, payload, len(raw)


def _unchunk(data):
    out, position = [], 0
    while True:
        end = data.index(b"\r\n", position)
        size = int(data[position:end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(data[end + 2:end + 2 + size])
        position = end + 2 + size + 2


def page_weight(port, path):
    """Bytes over the wire for a page and everything its HTML references (styles, scripts,
    images, icons), each fetched once as a browser with an empty cache would.

    Returns {"html": bytes, "resources": [(url, bytes, status)], "total": bytes, "css_urls": [...]}:
    css_urls lists what the style sheets themselves reference (fonts, images), which a browser
    fetches only when a rule uses them; they are reported, not added to the total.
    """
    import html.parser

    class Links(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.urls = []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "link" and attrs.get("href") and not attrs["href"].startswith("data:"):
                rel = (attrs.get("rel") or "").lower()
                if any(word in rel for word in ("stylesheet", "icon", "preload", "modulepreload", "manifest")):
                    self.urls.append(attrs["href"])
            elif tag in ("script", "img", "iframe", "source"):
                # data-src: a script that the page's own loader fetches right after load (Odoo's lazy bundle)
                for name in ("src", "data-src"):
                    if attrs.get(name) and not attrs[name].startswith("data:"):
                        self.urls.append(attrs[name])

    status, _headers, body, html_bytes = fetch(port, path, BROWSER_HEADERS)
    parser = Links()
    parser.feed(body.decode("utf-8", "replace"))
    resources, css_urls = [], []
    for url in dict.fromkeys(parser.urls):
        parsed = urllib.parse.urlsplit(urllib.parse.urljoin(path, url))
        if parsed.netloc and parsed.netloc not in ("127.0.0.1:%d" % port,):
            resources.append((url, 0, "external, not fetched"))
            continue
        target = parsed.path + ("?" + parsed.query if parsed.query else "")
        sub_status, sub_headers, sub_body, sub_bytes = fetch(port, target, BROWSER_HEADERS)
        resources.append((target, sub_bytes, sub_status))
        if "css" in ",".join(sub_headers.get("content-type", [])):
            css_urls.extend(_css_urls(sub_body.decode("utf-8", "replace")))
    return {
        "status": status,
        "html": html_bytes,
        "resources": resources,
        "total": html_bytes + sum(size for _url, size, _status in resources),
        "css_urls": sorted(set(css_urls)),
    }


def _css_urls(text):
    import re

    return [url for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", text) if not url.startswith("data:")]


# -- PostgreSQL ----------------------------------------------------------------------------------
def pg_env():
    return {**os.environ, "PGPASSWORD": PG["password"]}


def pg_args():
    return ["-h", PG["host"], "-U", PG["user"]]


def psql(db, sql):
    result = subprocess.run(  # noqa: S603
        ["psql", *pg_args(), "-d", db, "-v", "ON_ERROR_STOP=1", "-Atc", sql],
        capture_output=True, text=True, env=pg_env(), check=True,
    )
    return result.stdout.strip()


def db_exists(db):
    return psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = '%s'" % db) == "1"


def dropdb(db):
    if not db.startswith("bench_"):
        raise ValueError("benchmarks only drop databases named bench_*, not %r" % db)
    subprocess.run(["dropdb", *pg_args(), "--if-exists", "--force", db], env=pg_env(), check=True)  # noqa: S603


def createdb(db, template=None):
    dropdb(db)
    argv = ["createdb", *pg_args(), db] + (["-T", template] if template else [])
    subprocess.run(argv, env=pg_env(), check=True)  # noqa: S603


# -- Odoo ----------------------------------------------------------------------------------------
def odoo_available():
    """Why Odoo 18.0 cannot be used here, or None when it can."""
    if not (os.path.exists(ODOO_BIN) and os.path.exists(ODOO_PYTHON)):
        return "no Odoo found (looked for %s and %s)" % (ODOO_BIN, ODOO_PYTHON)
    probe = subprocess.run(  # noqa: S603
        [ODOO_PYTHON, "-c", "import odoo.release as r; print(r.version)"], capture_output=True, text=True, check=False
    )
    if probe.returncode or not probe.stdout.strip().startswith("18.0"):
        return "the Odoo found is not 18.0 (%s)" % (probe.stdout.strip() or probe.stderr.strip()[-200:])
    return None


def odoo_db_args(addons_path):
    return [
        "--addons-path=" + addons_path,
        "--db_host=" + PG["host"], "--db_user=" + PG["user"], "--db_password=" + PG["password"],
    ]


def odoo_install(db, modules, addons_path, log_path):
    """Create `db` with `modules` installed, without demo data (a few minutes)."""
    dropdb(db)
    argv = [ODOO_BIN, *odoo_db_args(addons_path), "-d", db, "-i", modules, "--without-demo=all",
            "--stop-after-init", "--http-port=8497", "--gevent-port=8498", "--log-level=warn"]
    with open(log_path, "ab") as log:
        result = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, check=False, timeout=3600)  # noqa: S603
    if result.returncode:
        # Not left behind: the next run would take the half-made database for a template (an
        # Odoo update of a module that is not installed succeeds, doing nothing).
        dropdb(db)
        raise RuntimeError("installing %s into %s failed; see %s" % (modules, db, log_path))


def odoo_template(db, modules, addons_path, log_path):
    """A database with `modules` installed, made once and kept as a template (copied per run)."""
    if not db_exists(db):
        say("  installing %s into the template database %s (once; a few minutes)..." % (modules, db))
        odoo_install(db, modules, addons_path, log_path)
    return db


def tree_digest(folder):
    """A digest of every file under `folder` (names and contents), to notice any change."""
    import hashlib

    digest = hashlib.sha256()
    for base, dirs, files in sorted(os.walk(folder)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = os.path.join(base, name)
            digest.update(os.path.relpath(path, folder).encode() + b"\0")
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:16]


def addon_template(db, log_path):
    """A database with beneficiary_relations installed (no demo), kept as a template between runs
    and updated (-u) whenever the addon's files changed since; its comment holds their digest."""
    addons_path = ODOO_ADDONS + "," + ADDONS
    digest = tree_digest(os.path.join(ADDONS, "beneficiary_relations"))
    if db_exists(db):
        if psql("postgres", "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '%s'"
                % db) == digest:
            return db
        say("  the addon changed since %s was made: updating it (-u beneficiary_relations)..." % db)
        argv = [ODOO_BIN, *odoo_db_args(addons_path), "-d", db, "-u", "beneficiary_relations",
                "--stop-after-init", "--http-port=8497", "--gevent-port=8498", "--log-level=warn"]
        with open(log_path, "ab") as log:
            updated = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, check=False, timeout=3600)  # noqa: S603
        if updated.returncode:
            say("  update failed; installing afresh")
            odoo_install(db, "beneficiary_relations", addons_path, log_path)
    else:
        say("  installing beneficiary_relations into the template database %s (once; a few minutes)..." % db)
        odoo_install(db, "beneficiary_relations", addons_path, log_path)
    psql("postgres", "COMMENT ON DATABASE %s IS '%s'" % (db, digest))
    return db


def gevent_shim():
    """A folder for PYTHONPATH when Odoo's Python lacks pkg_resources (setuptools), else None.

    With --workers, Odoo always starts its gevent (websocket) process, and gevent 21-23 imports
    pkg_resources at start: without it that process dies at once and Odoo respawns it in a loop,
    burning a core during the measurement. The stub gives gevent the one function it asks for.
    """
    probe = subprocess.run([ODOO_PYTHON, "-c", "import pkg_resources"], capture_output=True, check=False)  # noqa: S603
    if probe.returncode == 0:
        return None
    import tempfile

    folder = os.path.join(tempfile.gettempdir(), "bench_odoo_gevent_shim")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "pkg_resources.py"), "w", encoding="ascii") as stub:
        stub.write('"""Benchmark stub: Odoo\'s venv has no setuptools; gevent.events only needs this."""\n\n\n'
                   "def iter_entry_points(group, name=None):\n    return iter(())\n")
    say("  (Odoo's Python has no pkg_resources: its gevent process would crash and be respawned in a loop;"
        " the server gets a one-function stub through PYTHONPATH=%s)" % folder)
    return folder


def odoo_server(db, addons_path, http_port, gevent_port, workers, log_path, extra_env=None):
    argv = [
        ODOO_BIN, *odoo_db_args(addons_path), "-d", db, "--db-filter=^%s$" % db, "--no-database-list",
        "--http-interface=127.0.0.1", "--http-port=%d" % http_port, "--gevent-port=%d" % gevent_port,
        "--workers=%d" % workers, "--max-cron-threads=0", "--log-level=info",
    ]
    env = {**os.environ, **(extra_env or {})}
    shim = gevent_shim()
    if shim:
        env["PYTHONPATH"] = shim + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    server = Server(argv, env=env, log_path=log_path)
    if not wait_http(http_port, "/web/health", timeout=180):
        server.stop()
        raise RuntimeError("Odoo did not answer on port %d; see %s" % (http_port, log_path))
    return server


def run_odoo_script(script, args, log_path=None, timeout=3600):
    """Run benchmarks/<script> with Odoo's Python; return the JSON it prints on its last BENCH_JSON line."""
    argv = [ODOO_PYTHON, os.path.join(BENCH, script), *args]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
    if log_path:
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(result.stdout + result.stderr)
    for line in reversed(result.stdout.splitlines()):
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    raise RuntimeError("%s failed:\n%s" % (script, (result.stdout + result.stderr)[-3000:]))
