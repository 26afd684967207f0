"""For the benchmark scripts that run inside Odoo's own Python: an environment on a database.

    with odoo_env("bench_x", addons_path) as env:
        ...            # superuser environment; committed when the block ends without error
"""

import contextlib
import json
import os

os.environ["TZ"] = "UTC"  # as the odoo command does, before anything reads the time zone

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

from _bench import PG  # noqa: E402


_configured = []


@contextlib.contextmanager
def odoo_env(db, addons_path):
    if not _configured:  # Odoo's configuration can be parsed once per process
        odoo.tools.config.parse_config(
            [
                "--addons-path=" + addons_path,
                "--db_host=" + PG["host"],
                "--db_user=" + PG["user"],
                "--db_password=" + PG["password"],
                "--log-level=warn",
            ]
        )
        odoo.netsvc.init_logger()
        _configured.append(addons_path)
    registry = Registry(db)
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True, "mail_notrack": True})


def emit(figures):
    """The last line the calling script reads back (see _bench.run_odoo_script)."""
    print("BENCH_JSON " + json.dumps(figures), flush=True)
