"""Put the addon folder on sys.path so the pure policy modules import without Odoo.

``import policy.saudi_id`` then loads
``addons/beneficiary_relations/policy/saudi_id.py`` (``policy/__init__.py``
imports nothing, so no Odoo is needed); ``import funding.allocation`` loads
the accounting addon's pure funding rules the same way.
"""

import pathlib
import sys

ADDONS = pathlib.Path(__file__).resolve().parents[2] / "addons"
# ``policy`` of the core addon, ``funding`` of beneficiary_relations_account
for ADDON in (ADDONS / "beneficiary_relations", ADDONS / "beneficiary_relations_account"):
    if str(ADDON) not in sys.path:
        sys.path.insert(0, str(ADDON))
