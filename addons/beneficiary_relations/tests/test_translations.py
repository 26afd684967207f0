"""Every English term of the module has an Arabic translation in i18n/ar.po.

The terms are the ones Odoo itself exports for the module (field labels and
help, selection values, view texts, data and demo records, mail templates,
and the Python strings wrapped in ``_()``/``self.env._()``), read with Odoo's
own extractor, so a new string without its Arabic makes this test fail.
"""

from pathlib import Path

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

LANG = "ar"


@tagged("post_install", "-at_install")
class TestArabicTranslations(TransactionCase):
    """Checks one module's ar.po; a companion addon subclasses this test and
    sets ``_module`` to its own name."""

    _module = "beneficiary_relations"

    def _english_terms(self):
        """English term -> where it is used (first place found)."""
        terms = {}
        reader = TranslationModuleReader(self.env.cr, modules=[self._module])
        for module, ttype, name, res_id, source, _value, _comments in reader:
            if module == self._module and source.strip():
                terms.setdefault(source, f"{ttype}:{name}:{res_id}")
        return terms

    def _arabic_translations(self, po_path):
        """English term -> Arabic, for entries that are usable (translated,
        not fuzzy, not obsolete)."""
        return {
            entry.msgid: entry.msgstr
            for entry in polib.pofile(str(po_path))
            if entry.msgstr.strip() and not entry.obsolete and "fuzzy" not in entry.flags
        }

    def test_every_english_term_has_an_arabic_translation(self):
        terms = self._english_terms()
        self.assertTrue(terms, f"Odoo's extractor found no term in {self._module}: the check would prove nothing")
        po_path = Path(get_module_path(self._module)) / "i18n" / f"{LANG}.po"
        translated = self._arabic_translations(po_path) if po_path.is_file() else {}
        missing = sorted(term for term in terms if term not in translated)
        if missing:
            lines = "\n".join(f"  - {term!r}  ({terms[term]})" for term in missing)
            where = po_path if po_path.is_file() else f"{po_path} (file missing)"
            self.fail(
                f"{len(missing)} of {len(terms)} English terms have no Arabic translation in {where}:\n{lines}"
            )
