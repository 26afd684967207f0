"""Fixtures and the ``odoo`` marker of the deployment tests (helpers: deploy_helpers.py)."""

import pytest
from deploy_helpers import PROVISION_SCRIPT, load_module


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "odoo: needs a real Odoo 18.0 (scripts/test.sh runs these in its Odoo tier)"
    )


@pytest.fixture(scope="session")
def provision():
    return load_module("provision_feedback", PROVISION_SCRIPT)
