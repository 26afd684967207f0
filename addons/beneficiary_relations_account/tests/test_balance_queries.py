from odoo.tests import tagged

from .common import FundingCase


@tagged("post_install", "-at_install")
class TestBalanceQueries(FundingCase):
    """Balances over thousands of donations cost the same few queries as over
    a handful: no query per donation, per payment or per request."""

    def _fill(self, count):
        """``count`` confirmed donations (entries left out: this is about the
        balances), each funding one of ``count`` draft payments."""
        donations = self.env["beneficiary.donation"].create(
            [{"donor_id": self.donor.id, "amount": 100 + i, "company_id": self.company.id} for i in range(count)]
        )
        donations._write_state({"state": "confirmed"})
        payments = self.env["beneficiary.disbursement"].create(
            [{"request_id": self.rent_request.id, "amount": 50} for _ in range(count)]
        )
        self.env["beneficiary.aid.allocation"].create(
            [
                {"donation_id": donation.id, "disbursement_id": payment.id, "amount": 50}
                for donation, payment in zip(donations, payments)
            ]
        )
        self.env.flush_all()
        return donations, payments

    def _queries(self, function):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        function()
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def _recompute(self, records, *names):
        def run():
            for name in names:
                self.env.add_to_compute(records._fields[name], records)
            records.flush_recordset()

        return run

    def test_recomputing_balances_does_not_grow_with_the_donations(self):
        small, small_payments = self._fill(20)
        large, large_payments = self._fill(2000)
        self.assertEqual(large.mapped("remaining_amount"), [d.amount - 50 for d in large])
        self.assertEqual(set(large_payments.mapped("funding_state")), {"funded"})

        few = self._queries(self._recompute(small, "allocated_amount", "remaining_amount"))
        many = self._queries(self._recompute(large, "allocated_amount", "remaining_amount"))
        # a batched UPDATE may split in a few statements; never one per donation
        self.assertLessEqual(many, few + 6, f"{few} queries for 20 donations, {many} for 2000")

        few = self._queries(self._recompute(small_payments, "funded_amount", "unfunded_amount", "funding_state"))
        many = self._queries(self._recompute(large_payments, "funded_amount", "unfunded_amount", "funding_state"))
        self.assertLessEqual(many, few + 6, f"{few} queries for 20 payments, {many} for 2000")

    def test_the_donor_statement_reads_in_constant_queries(self):
        donations, payments = self._fill(300)
        payments._write_state({"state": "posted"})
        Report = self.env["report.beneficiary_relations_account.report_donor_statement"].with_user(self.accountant)
        few = self._queries(lambda: Report._get_report_values(donations[:10].ids))
        values = {}
        many = self._queries(lambda: values.update(Report._get_report_values(donations.ids)))
        self.assertEqual(sum(len(lines) for lines in values["statements"][0]["lines"].values()), 300)
        self.assertLessEqual(many, few + 6, f"{few} queries for 10 donations, {many} for 300")
