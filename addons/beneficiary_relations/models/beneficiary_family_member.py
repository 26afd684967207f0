from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..policy import household, saudi_id


class BeneficiaryFamilyMember(models.Model):
    _name = "beneficiary.family.member"
    _description = "Household Member"
    _order = "beneficiary_id, birth_date, id"

    name = fields.Char(string="Full Name", required=True)
    beneficiary_id = fields.Many2one(
        "beneficiary.beneficiary",
        string="Beneficiary",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="beneficiary_id.company_id", store=True)
    relation = fields.Selection(
        [
            ("spouse", "Spouse"),
            ("son", "Son"),
            ("daughter", "Daughter"),
            ("father", "Father"),
            ("mother", "Mother"),
            ("brother", "Brother"),
            ("sister", "Sister"),
            ("other", "Other"),
        ],
        string="Relation",
        required=True,
        default="son",
        help="How the member is related to the beneficiary.",
    )
    birth_date = fields.Date(string="Birth Date")
    age = fields.Integer(string="Age", compute="_compute_age")
    identity_number = fields.Char(
        string="ID / Iqama Number",
        help="Optional. When given, it must be a valid national ID or iqama number.",
    )
    has_disability = fields.Boolean(string="Has a Disability")
    occupation_status = fields.Selection(
        [
            ("student", "Student"),
            ("working", "Working"),
            ("unemployed", "Unemployed"),
            ("retired", "Retired"),
            ("child", "Child (not at school)"),
        ],
        string="Occupation",
    )
    currency_id = fields.Many2one(related="beneficiary_id.currency_id", string="Currency")
    monthly_income = fields.Monetary(
        string="Monthly Income",
        help="Counted in the household income of the beneficiary.",
    )

    @api.depends("birth_date")
    def _compute_age(self):
        today = self.env.company._beneficiary_today()
        for member in self:
            birth = member.birth_date
            member.age = household.age(birth, today) if birth and birth <= today else 0

    @api.constrains("identity_number")
    def _check_identity_number(self):
        beneficiaries = self.env["beneficiary.beneficiary"]
        for member in self.filtered("identity_number"):
            message = beneficiaries._identity_number_error(member.identity_number, member.name)
            if message:
                raise ValidationError(message)

    @api.constrains("monthly_income", "birth_date")
    def _check_values(self):
        today = self.env.company._beneficiary_today()
        for member in self:
            if member.monthly_income < 0:
                raise ValidationError(
                    self.env._("The monthly income of %(name)s cannot be negative.", name=member.name)
                )
            if member.birth_date and member.birth_date > today:
                raise ValidationError(
                    self.env._("The birth date of %(name)s cannot be in the future.", name=member.name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("identity_number"):
                vals["identity_number"] = saudi_id.normalize(vals["identity_number"])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("identity_number"):
            vals["identity_number"] = saudi_id.normalize(vals["identity_number"])
        return super().write(vals)
