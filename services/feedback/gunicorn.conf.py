"""Gunicorn settings for the feedback service, from the environment.

Start: ``gunicorn -c gunicorn.conf.py "feedback:create_app()"`` (from services/feedback).
"""

import gc
import multiprocessing
import os


def _whole_number(raw, default, name, minimum=1):
    """`raw`, the value of the variable `name`, as a whole number of at least `minimum`;
    `default` when it is unset or empty (compose and env files often pass a variable
    through empty, which means "not set")."""
    raw = (raw or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit("%s must be a whole number, not %r" % (name, raw)) from None
    if value < minimum:
        raise SystemExit("%s must be at least %s, not %s" % (name, minimum, raw))
    return value


# An empty variable means its default, as in the service's own settings (feedback/config.py).
bind = os.environ.get("FEEDBACK_BIND") or "127.0.0.1:8000"
workers = _whole_number(
    os.environ.get("FEEDBACK_WORKERS"), min(4, multiprocessing.cpu_count() * 2 + 1), "FEEDBACK_WORKERS"
)
# Two threads run gunicorn's threaded worker: a connection that has sent nothing yet holds one
# thread for at most 5 s, then waits without one. One thread runs its sync worker instead: cheaper
# per request, but any connection holds a whole worker until its request arrives (up to the worker
# timeout), so it is for deployments behind a buffering proxy only (benchmarks/RESULTS.md, run 16).
threads = _whole_number(os.environ.get("FEEDBACK_THREADS"), 2, "FEEDBACK_THREADS")
# 0 is gunicorn's "no timeout"
timeout = _whole_number(os.environ.get("FEEDBACK_WORKER_TIMEOUT"), 30, "FEEDBACK_WORKER_TIMEOUT", minimum=0)
graceful_timeout = 20
keepalive = 5
# Requests are tiny: refuse long request lines and many headers early.
limit_request_line = 2048
limit_request_fields = 50
# But not a long Cookie header: a browser sends this host the cookies of its parent domains too
# (.association.org.sa), and one refused with gunicorn's bare "431" page could never rate.
limit_request_field_size = 8190  # gunicorn's default
# Heartbeat files in memory where there is a /dev/shm (containers often have a slow /tmp).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
forwarded_allow_ips = os.environ.get("FEEDBACK_FORWARDED_ALLOW_IPS") or "127.0.0.1"
accesslog = os.environ.get("FEEDBACK_ACCESS_LOG") or "-"
errorlog = "-"
loglevel = os.environ.get("FEEDBACK_LOG_LEVEL") or "info"
# No runtime control socket (gunicorn 23+ would open one in the home folder).
control_socket_disable = True
# The path of a rating link is its token: the access log shows a fingerprint instead.
logger_class = "feedback.gunicorn_logging.RedactingLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'


def post_worker_init(worker):
    """Set the loaded app aside from the garbage collector.

    What a worker loads at start (Flask, SQLAlchemy, Babel, the app: about 90,000 objects)
    lives as long as the worker. Left in the collector's oldest generation, it is scanned
    again by every full collection, which then holds a request up for about 90 ms (one in a
    few thousand requests, measured in benchmarks/RESULTS.md). Frozen, a full collection
    scans only what requests created.
    """
    gc.collect()
    gc.freeze()
    worker.log.info("worker %s: %d objects of the loaded app set aside from garbage collection",
                    worker.pid, gc.get_freeze_count())
