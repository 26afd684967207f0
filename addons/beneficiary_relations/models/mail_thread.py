from odoo import models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _message_update_content(self, message, *args, **kwargs):
        # The web client edits and deletes messages through here, with ``message`` as superuser
        # once Odoo has let the author or any settings administrator through. On a record whose
        # chatter is its history, an administrator is held to the message's own rule too
        # (mail_message.py): the author, or as the record allows.
        if getattr(self, "_beneficiary_chatter_is_record", False) and not self.env.su:
            message.with_env(self.env).check_access("write")
        return super()._message_update_content(message, *args, **kwargs)
