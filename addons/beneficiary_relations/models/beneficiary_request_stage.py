from odoo import fields, models


class BeneficiaryRequestStage(models.Model):
    _name = "beneficiary.request.stage"
    _description = "Support Request Stage"

    name = fields.Char(required=True)
    kind = fields.Selection([("received", "Received"), ("verified", "Data verified"), ("declared", "Declaration signed"), ("research", "Social research"), ("committee", "Committee"), ("approved", "Approved"), ("rejected", "Rejected"), ("delivered", "Delivered"), ("closed", "Closed")], required=True, default="received")
