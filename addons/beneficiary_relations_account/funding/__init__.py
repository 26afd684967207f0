# Pure rules of the funding of aid; this package imports no Odoo.
