from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The contact of a beneficiary is as sensitive as the beneficiary: the record
    # rules on res.partner (security/beneficiary_relations_security.xml) read this
    # field to show it only to the roles that may see the beneficiary. Archived
    # beneficiaries count too, hence active_test.
    beneficiary_ids = fields.One2many(
        "beneficiary.beneficiary",
        "partner_id",
        string="Beneficiary Records",
        context={"active_test": False},
        groups="beneficiary_relations.group_beneficiary_officer,"
        "beneficiary_relations.group_beneficiary_researcher,"
        "beneficiary_relations.group_beneficiary_committee,"
        "beneficiary_relations.group_beneficiary_accountant",
    )
