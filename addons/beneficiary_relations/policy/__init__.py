"""Pure rules of the beneficiary-relations policy.

Nothing in this package imports Odoo: each module states one rule of the
board-approved policy in plain Python, so it reads like the policy and is
tested with plain pytest (see ``tests/unit`` at the repository root).
"""
