"""18.0.1.2.4: a gift in kind is recorded in a general journal, and confirming one in a bank or
cash journal is refused. Draft gifts in kind made before 18.0.1.2.2 kept the donations journal (a
bank journal): they take their association's general journal now, so that their confirmation is
not refused for a journal nobody chose."""

from odoo import SUPERUSER_ID, api

from odoo.addons.beneficiary_relations_account.models.res_company import MONEY_JOURNALS


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    drafts = env["beneficiary.donation"].search(
        [("state", "=", "draft"), ("method", "=", "in_kind"), ("journal_id.type", "in", MONEY_JOURNALS)]
    )
    if drafts:
        # the journal, then the account it may have brought (a bank account is cleared)
        for name in ("journal_id", "debit_account_id"):
            env.add_to_compute(drafts._fields[name], drafts)
            drafts.flush_recordset([name])
