"""Every English term of this addon has an Arabic translation in i18n/ar.po.

The check itself lives in the core addon's test; only the module differs.
"""

from odoo.tests import tagged

from odoo.addons.beneficiary_relations.tests import test_translations


@tagged("post_install", "-at_install")
class TestArabicTranslations(test_translations.TestArabicTranslations):
    # Odoo's loader only runs test methods defined on the class itself
    # unless this is set; the one test method is inherited.
    allow_inherited_tests_method = True

    _module = "beneficiary_relations_account"
