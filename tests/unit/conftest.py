"""Put the addon folder on sys.path so the pure policy modules import without Odoo.

``import policy.saudi_id`` then loads
``addons/beneficiary_relations/policy/saudi_id.py`` (``policy/__init__.py``
imports nothing, so no Odoo is needed).
"""

import pathlib
import sys

ADDON = pathlib.Path(__file__).resolve().parents[2] / "addons" / "beneficiary_relations"
if str(ADDON) not in sys.path:
    sys.path.insert(0, str(ADDON))
