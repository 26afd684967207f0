from collections import defaultdict

from odoo import api, models


class ReportDonorStatement(models.AbstractModel):
    _name = "report.beneficiary_relations_account.report_donor_statement"
    _description = "Donor Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        donations = self.env["beneficiary.donation"].browse(docids).filtered(lambda d: d.state == "confirmed")
        # what each donation funded, read in one search for all of them
        allocations = self.env["beneficiary.aid.allocation"].search(
            [("donation_id", "in", donations.ids), ("state", "=", "posted")], order="date, id"
        )
        lines = defaultdict(list)
        paid = defaultdict(float)
        for allocation in allocations:
            lines[allocation.donation_id.id].append(allocation)
            paid[allocation.donation_id.id] += allocation.amount
        # one statement per donor and association: each under the letterhead of the association
        # the gifts went to (a user of two associations may print them together)
        by_donor = defaultdict(lambda: self.env["beneficiary.donation"])
        for donation in donations.sorted(lambda d: (d.date, d.id)):
            by_donor[donation.donor_id, donation.company_id] |= donation
        # the donor's language when the database has it, else the printing user's
        active = {code for code, _name in self.env["res.lang"].get_installed()}
        user_lang = self.env.lang or self.env.user.lang
        statements = [
            {
                "donor": donor,
                "company": company,
                "lang": donor.lang if donor.lang in active else user_lang,
                "donations": donor_donations,
                "lines": lines,
                "paid": paid,
            }
            for (donor, company), donor_donations in by_donor.items()
        ]
        return {
            "doc_ids": donations.ids,
            "doc_model": "beneficiary.donation",
            "docs": donations,
            "statements": statements,
            # each association decides for its own donors
            "show_request": {
                company.id: company.beneficiary_statement_detail == "request" for company in donations.company_id
            },
        }
