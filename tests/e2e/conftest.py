"""Fixtures of the end-to-end test: a real Odoo 18.0 and the real feedback service (see odoo_stack.py)."""

import pytest
from odoo_stack import Stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack(tmp_path_factory, "e2e") as built:
        yield built
