from collections import defaultdict

from odoo import models
from odoo.exceptions import AccessError


class MailMessage(models.Model):
    """A request's chatter and a rating's are their record (the decision's tracking, the notices
    sent to the applicant, the notes of a follow-up). Odoo lets a user edit any message they were
    notified of or mentioned in; on these records only the author, or whoever the record's own
    rule allows (``_get_mail_message_access``), changes a message."""

    _inherit = "mail.message"

    def _beneficiary_history(self):
        """These messages, read as superuser, that are posted on a record whose chatter is its
        record (``_beneficiary_chatter_is_record``)."""
        return self.sudo().filtered(
            lambda message: getattr(self.env.get(message.model), "_beneficiary_chatter_is_record", False)
        )

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if operation != "write" or self.env.su:
            return result
        forbidden = result[0] if result else self.browse()
        partner = self.env.user.partner_id
        # where each message is posted, read as superuser: the user may not read the fields
        documents = defaultdict(lambda: defaultdict(list))
        for message in (self - forbidden)._beneficiary_history():
            if message.res_id and message.author_id != partner and message.message_type != "user_notification":
                documents[message.model][message.res_id].append(message.id)
        refused = set()
        for model, messages_by_id in documents.items():
            records = self.env[model].browse(messages_by_id)
            denied = records._check_access(records._get_mail_message_access(list(messages_by_id), "write"))
            for record_id in denied[0]._ids if denied else ():
                refused.update(messages_by_id[record_id])
        if not refused:
            return result
        if result:
            # refused for other reasons too: Odoo's own message says why
            return forbidden | self.browse(refused), result[1]

        def error():
            return AccessError(
                self.env._(
                    "Only its author changes a message of this record's history; being notified "
                    "of it or mentioned in it is not enough."
                )
            )

        return self.browse(refused), error
