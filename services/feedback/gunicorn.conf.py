"""Gunicorn settings for the feedback service, from the environment.

Start: ``gunicorn -c gunicorn.conf.py "feedback:create_app()"`` (from services/feedback).
"""

import multiprocessing
import os

bind = os.environ.get("FEEDBACK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("FEEDBACK_WORKERS", min(4, multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("FEEDBACK_THREADS", "2"))
timeout = int(os.environ.get("FEEDBACK_WORKER_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Requests are tiny: refuse long request lines and many headers early.
limit_request_line = 2048
limit_request_fields = 50
limit_request_field_size = 4096
# Heartbeat files in memory where there is a /dev/shm (containers often have a slow /tmp).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
forwarded_allow_ips = os.environ.get("FEEDBACK_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("FEEDBACK_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("FEEDBACK_LOG_LEVEL", "info")
# No runtime control socket (gunicorn 23+ would open one in the home folder).
control_socket_disable = True
# The path of a rating link is its token: the access log shows a fingerprint instead.
logger_class = "feedback.gunicorn_logging.RedactingLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
