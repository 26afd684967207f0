"""Gunicorn logger that writes rating links into its logs as fingerprints, never whole."""

import logging

from gunicorn.glogging import Logger

from .logs import redact_path


class _RedactTokens(logging.Filter):
    """Every line of gunicorn's error log, whatever wrote it: its per-request debug line, the
    "Error handling request /r/…" of a worker that failed, a warning naming a path."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_path(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


class RedactingLogger(Logger):
    def __init__(self, cfg):
        super().__init__(cfg)
        if not any(isinstance(existing, _RedactTokens) for existing in self.error_log.filters):
            self.error_log.addFilter(_RedactTokens())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f", "{raw_uri}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact_path(atoms[key])
        return atoms
