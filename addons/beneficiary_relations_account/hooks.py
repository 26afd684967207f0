import logging

from odoo import Command

_logger = logging.getLogger(__name__)

# Odoo's rights to see and make journal entries: donors' names and every payment are in them.
ACCOUNTING_GROUPS = (
    "account.group_account_manager",
    "account.group_account_user",
    "account.group_account_basic",
    "account.group_account_invoice",
    "account.group_account_readonly",
)
# The roles that must not see donors or payments (the accountant, and the manager through it, do).
STAFF_ROLES = (
    "beneficiary_relations.group_beneficiary_officer",
    "beneficiary_relations.group_beneficiary_researcher",
    "beneficiary_relations.group_beneficiary_committee",
)


def post_init_hook(env):
    """Installing Odoo's Accounting makes every internal user an accounting administrator: it
    adds that group to the template of new users, and Odoo then gives it to every existing one.
    So officers, researchers and committee members would read every donor and every aid payment.
    At install, the template loses it, and those roles lose Odoo's accounting rights (unless they
    are also accountants or administrators). docs/decisions.md."""
    groups = env["res.groups"].browse(env.ref(xmlid).id for xmlid in ACCOUNTING_GROUPS)
    template = env.ref("base.default_user", raise_if_not_found=False)
    if template:
        template.groups_id = [Command.unlink(group.id) for group in groups]
    staff = env["res.users"].browse()
    for xmlid in STAFF_ROLES:
        staff |= env.ref(xmlid).users
    allowed = env.ref("beneficiary_relations.group_beneficiary_accountant") | env.ref("base.group_system")
    users = staff.filtered(lambda user: not (user.groups_id & allowed) and user.groups_id & groups)
    if users:
        users.write({"groups_id": [Command.unlink(group.id) for group in groups]})
        _logger.info("Accounting rights taken back from %d officers, researchers and committee members: %s",
                     len(users), ", ".join(users.mapped("login")))
