"""18.0.1.1.0: a database where this addon was installed before takes back, on update, the
accounting rights that Odoo's install of Accounting gave officers, researchers and committee
members, as a new install does (hooks.post_init_hook)."""

from odoo import SUPERUSER_ID, api

from odoo.addons.beneficiary_relations_account.hooks import post_init_hook


def migrate(cr, version):
    if version:  # an update, not an install (the install runs the hook itself)
        post_init_hook(api.Environment(cr, SUPERUSER_ID, {}))
