from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools.misc import get_lang

from ..policy import hijri, household, saudi_id

#: Who may read a beneficiary's health condition and a prisoner's case.
SENSITIVE_GROUPS = (
    "beneficiary_relations.group_beneficiary_researcher,"
    "beneficiary_relations.group_beneficiary_manager"
)

#: Who handles the case itself: everyone but the accountants, who pay approved aid. The
#: categories (patients, prisoners' families) and the request's own words say what the
#: health and prison fields say.
CASE_GROUPS = (
    "beneficiary_relations.group_beneficiary_officer,"
    "beneficiary_relations.group_beneficiary_researcher,"
    "beneficiary_relations.group_beneficiary_committee,"
    "beneficiary_relations.group_beneficiary_manager"
)

#: Beneficiary fields copied onto the linked contact, and kept in sync.
PARTNER_FIELDS = ("name", "phone", "mobile", "email", "city", "lang", "company_id")

HOUSING_SITUATIONS = [
    ("owned", "Owned"),
    ("rented", "Rented"),
    ("shared", "Shared with relatives"),
    ("charity", "Endowment / charity housing"),
    ("none", "Homeless / no housing"),
]


def _lang_selection(model):
    return model.env["res.lang"].get_installed()


class BeneficiaryBeneficiary(models.Model):
    _name = "beneficiary.beneficiary"
    _description = "Beneficiary"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name, id"
    _check_company_auto = True
    _rec_names_search = ["name", "identity_number", "mobile", "phone"]

    # Identity
    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        ondelete="restrict",
        index=True,
        copy=False,
        readonly=True,
        help="Contact created with the beneficiary, used to send messages and pay aid. "
        "Name, phone, mobile, email, city and language follow the beneficiary.",
    )
    name = fields.Char(string="Full Name", required=True, tracking=True)
    identity_number = fields.Char(
        string="ID / Iqama Number",
        required=True,
        index=True,
        tracking=True,
        copy=False,
        help="Ten digits: a citizen's national ID starts with 1, a resident's iqama with 2. "
        "The last digit is a check digit.",
    )
    identity_type = fields.Selection(
        [(saudi_id.NATIONAL, "National ID (citizen)"), (saudi_id.IQAMA, "Iqama (resident)")],
        string="ID Type",
        compute="_compute_identity_type",
        store=True,
        help="Read from the first digit of the ID number.",
    )
    identity_expiry = fields.Date(
        string="ID Expiry Date",
        tracking=True,
        help="The data verification step refuses a request while the ID has expired.",
    )
    identity_expiry_hijri = fields.Char(
        string="ID Expiry Date (Hijri)", compute="_compute_hijri_dates"
    )
    identity_expired = fields.Boolean(
        string="ID Expired",
        compute="_compute_identity_expired",
        search="_search_identity_expired",
        help="The ID expiry date is before today.",
    )
    nationality_id = fields.Many2one("res.country", string="Nationality")
    gender = fields.Selection([("male", "Male"), ("female", "Female")], string="Gender")
    birth_date = fields.Date(string="Birth Date")
    birth_date_hijri = fields.Char(string="Birth Date (Hijri)", compute="_compute_hijri_dates")
    age = fields.Integer(string="Age", compute="_compute_age")

    # Contact
    phone = fields.Char(string="Phone", tracking=True)
    mobile = fields.Char(string="Mobile", tracking=True)
    email = fields.Char(string="Email", tracking=True)
    city = fields.Char(string="City")
    lang = fields.Selection(
        _lang_selection,
        string="Language",
        default=lambda self: get_lang(self.env).code,
        help="Messages to the beneficiary are written in this language.",
    )
    branch_id = fields.Many2one(
        "beneficiary.branch",
        string="Branch",
        check_company=True,
        tracking=True,
        help="The branch office that follows the beneficiary.",
    )
    preferred_channel_id = fields.Many2one(
        "beneficiary.channel",
        string="Preferred Channel",
        check_company=True,
        help="How the beneficiary prefers to be reached.",
    )
    contact_consent = fields.Boolean(
        string="Consents to Be Contacted",
        tracking=True,
        help="The beneficiary agreed that the association contacts them, "
        "e.g. to ask how satisfied they are.",
    )
    category_ids = fields.Many2many(
        "beneficiary.category",
        "beneficiary_beneficiary_category_rel",
        "beneficiary_id",
        "category_id",
        string="Categories",
        groups=CASE_GROUPS,
    )

    # Household, income and housing
    family_member_ids = fields.One2many(
        "beneficiary.family.member", "beneficiary_id", string="Household Members"
    )
    household_size = fields.Integer(
        string="Household Size",
        compute="_compute_household",
        store=True,
        help="The beneficiary plus the household members recorded.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    monthly_income = fields.Monetary(
        string="Monthly Income",
        tracking=True,
        help="The beneficiary's own monthly income; household members' incomes are recorded on them.",
    )
    monthly_obligations = fields.Monetary(
        string="Monthly Obligations",
        tracking=True,
        help="Rent, debts and other fixed monthly payments of the household.",
    )
    household_income = fields.Monetary(
        string="Household Income",
        compute="_compute_household",
        store=True,
        help="The beneficiary's income plus the household members' incomes.",
    )
    per_capita_income = fields.Monetary(
        string="Per-Capita Income",
        compute="_compute_household",
        store=True,
        help="(Household income - monthly obligations) / household size; 0 when "
        "obligations exceed income.",
    )
    housing_situation = fields.Selection(
        HOUSING_SITUATIONS, string="Housing Situation", tracking=True
    )
    notes = fields.Text(string="Notes")

    # Sensitive: only the social researcher and the manager may read these.
    health_condition = fields.Text(
        string="Health Condition",
        groups=SENSITIVE_GROUPS,
        help="Illnesses, disabilities and treatments. Visible to social researchers and managers only.",
    )
    prisoner_case = fields.Text(
        string="Prisoner's Case",
        groups=SENSITIVE_GROUPS,
        help="The case of an imprisoned family member. Visible to social researchers and managers only.",
    )

    request_ids = fields.One2many("beneficiary.request", "beneficiary_id", string="Support Requests")
    request_count = fields.Integer(string="Requests", compute="_compute_request_count")
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )

    _sql_constraints = [
        (
            "identity_number_company_uniq",
            "unique (identity_number, company_id)",
            "This ID / iqama number is already registered for another beneficiary of this association.",
        ),
    ]

    @api.depends("identity_number")
    def _compute_identity_type(self):
        for beneficiary in self:
            beneficiary.identity_type = saudi_id.kind(beneficiary.identity_number) or False

    @api.depends("identity_expiry", "birth_date")
    @api.depends_context("lang")
    def _compute_hijri_dates(self):
        lang = self.env.lang
        for beneficiary in self:
            beneficiary.identity_expiry_hijri = hijri.format_hijri(beneficiary.identity_expiry, lang)
            beneficiary.birth_date_hijri = hijri.format_hijri(beneficiary.birth_date, lang)

    @api.depends("identity_expiry")
    def _compute_identity_expired(self):
        today = self.env.company._beneficiary_today()
        for beneficiary in self:
            expiry = beneficiary.identity_expiry
            beneficiary.identity_expired = bool(expiry and expiry < today)

    def _search_identity_expired(self, operator, value):
        if operator not in ("=", "!="):
            raise ValidationError(self.env._("Unsupported search on the ID expiry: %s", operator))
        today = self.env.company._beneficiary_today()
        expired = [("identity_expiry", "<", today)]
        if (operator == "=") == bool(value):
            return expired
        return ["|", ("identity_expiry", "=", False), ("identity_expiry", ">=", today)]

    @api.depends("birth_date")
    def _compute_age(self):
        today = self.env.company._beneficiary_today()
        for beneficiary in self:
            birth = beneficiary.birth_date
            beneficiary.age = household.age(birth, today) if birth and birth <= today else 0

    @api.depends(
        "monthly_income",
        "monthly_obligations",
        "family_member_ids",
        "family_member_ids.monthly_income",
    )
    def _compute_household(self):
        for beneficiary in self:
            members = beneficiary.family_member_ids
            size = household.household_size(len(members))
            income = household.household_income(
                max(beneficiary.monthly_income, 0.0),
                [max(amount, 0.0) for amount in members.mapped("monthly_income")],
            )
            beneficiary.household_size = size
            beneficiary.household_income = income
            beneficiary.per_capita_income = household.per_capita_income(
                income, max(beneficiary.monthly_obligations, 0.0), size
            )

    @api.depends("request_ids")
    def _compute_request_count(self):
        groups = self.env["beneficiary.request"]._read_group(
            [("beneficiary_id", "in", self._origin.ids)],
            groupby=["beneficiary_id"],
            aggregates=["__count"],
        )
        counts = {beneficiary.id: count for beneficiary, count in groups}
        for beneficiary in self:
            beneficiary.request_count = counts.get(beneficiary._origin.id, 0)

    # Validation -------------------------------------------------------------

    def _identity_number_error(self, number, holder):
        """Return the translated message naming what is wrong with ``number``, or None.

        ``holder`` is the name of the person the number belongs to. Household
        members reuse this method, so both say the same thing.
        """
        problem = saudi_id.check(number)
        if problem is None:
            return None
        params = {"number": number or "", "name": holder or "", "digits": len(saudi_id.normalize(number))}
        messages = {
            saudi_id.ERROR_EMPTY: self.env._("The ID / iqama number of %(name)s is missing.", **params),
            saudi_id.ERROR_NOT_DIGITS: self.env._(
                "The ID / iqama number of %(name)s (%(number)s) must contain digits only.", **params
            ),
            saudi_id.ERROR_LENGTH: self.env._(
                "The ID / iqama number of %(name)s (%(number)s) has %(digits)s digits; "
                "it must have exactly 10.",
                **params,
            ),
            saudi_id.ERROR_FIRST_DIGIT: self.env._(
                "The ID / iqama number of %(name)s (%(number)s) must start with 1 "
                "(citizen's national ID) or 2 (resident's iqama).",
                **params,
            ),
            saudi_id.ERROR_CHECKSUM: self.env._(
                "The ID / iqama number of %(name)s (%(number)s) is not valid: its last digit "
                "does not match the check digit. Please look for a typing mistake.",
                **params,
            ),
        }
        return messages[problem]

    @api.constrains("identity_number")
    def _check_identity_number(self):
        for beneficiary in self:
            message = self._identity_number_error(beneficiary.identity_number, beneficiary.name)
            if message:
                raise ValidationError(message)

    @api.constrains("monthly_income", "monthly_obligations")
    def _check_amounts(self):
        for beneficiary in self:
            if beneficiary.monthly_income < 0 or beneficiary.monthly_obligations < 0:
                raise ValidationError(
                    self.env._(
                        "The monthly income and obligations of %(name)s cannot be negative.",
                        name=beneficiary.name,
                    )
                )

    @api.constrains("birth_date")
    def _check_birth_date(self):
        today = self.env.company._beneficiary_today()
        for beneficiary in self:
            if beneficiary.birth_date and beneficiary.birth_date > today:
                raise ValidationError(
                    self.env._(
                        "The birth date of %(name)s cannot be in the future.", name=beneficiary.name
                    )
                )

    # Linked contact ---------------------------------------------------------

    @api.model
    def _prepare_partner_values(self, vals):
        """Return the values of the contact created for a beneficiary (meant to be inherited)."""
        values = {field: vals[field] for field in PARTNER_FIELDS if vals.get(field)}
        values.setdefault("company_id", self.env.company.id)
        values["type"] = "contact"
        return values

    def _refuse_other_contact(self):
        """A beneficiary's contact is the one made with them. Their name, phones and email are
        written into it as superuser (see write()), so letting a user link another contact
        would let them rewrite anyone's, a colleague's login email included."""
        raise AccessError(
            self.env._("A beneficiary keeps the contact created with them: it cannot be replaced by another.")
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("partner_id") for vals in vals_list):
            self._refuse_other_contact()
        for vals in vals_list:
            if vals.get("identity_number"):
                vals["identity_number"] = saudi_id.normalize(vals["identity_number"])
        without_partner = [vals for vals in vals_list if not vals.get("partner_id")]
        if without_partner:
            # sudo: relations officers may not create contacts themselves; the
            # contact only mirrors what they typed on the beneficiary.
            partners = (
                self.env["res.partner"]
                .sudo()
                .create([self._prepare_partner_values(vals) for vals in without_partner])
            )
            for vals, partner in zip(without_partner, partners):
                vals["partner_id"] = partner.id
        return super().create(vals_list)

    def write(self, vals):
        if "partner_id" in vals and not self.env.su and any(
            beneficiary.partner_id.id != vals["partner_id"] for beneficiary in self
        ):
            self._refuse_other_contact()
        if vals.get("identity_number"):
            vals["identity_number"] = saudi_id.normalize(vals["identity_number"])
        result = super().write(vals)
        synced = {field: vals[field] for field in PARTNER_FIELDS if field in vals}
        if synced and self.partner_id:
            # sudo: see create(); only the mirrored fields are written.
            self.partner_id.sudo().write(synced)
        return result

    # Actions ----------------------------------------------------------------

    def action_view_requests(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Support Requests of %s", self.name),
            "res_model": "beneficiary.request",
            "view_mode": "kanban,list,form",
            "domain": [("beneficiary_id", "=", self.id)],
            "context": {"default_beneficiary_id": self.id, "default_company_id": self.company_id.id},
        }
