"""Fixtures of the real-Odoo fault test: the end-to-end stack of tests/e2e/odoo_stack.py, on its own database."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "e2e"))
from odoo_stack import Stack  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack(tmp_path_factory, "faults") as built:
        yield built
