from odoo.tests import TransactionCase


class TestPolicySmoke(TransactionCase):
    def test_groups_exist(self):
        self.assertTrue(self.env.ref("beneficiary_relations.group_beneficiary_manager"))
