"""The Arabic catalogue: complete, and its committed .mo matches its .po."""

import io
import pathlib

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

SERVICE = pathlib.Path(__file__).resolve().parents[1]
CATALOG = SERVICE / "feedback/translations/ar/LC_MESSAGES"


def _po():
    with open(CATALOG / "messages.po", "rb") as handle:
        return read_po(handle)


def test_every_text_of_the_service_has_an_arabic_translation():
    method_map = [("feedback/**.py", "python"), ("feedback/templates/**.html", "jinja2")]
    found = {message for _file, _line, message, _comments, _context in extract_from_dir(
        SERVICE, method_map, keywords={"_": None, "_l": None, "gettext": None})}
    catalog = _po()
    missing = sorted(message for message in found if not (catalog.get(message) and catalog.get(message).string))
    assert missing == []
    unused = sorted(message.id for message in catalog if message.id and message.id not in found)
    assert unused == []


def test_the_committed_mo_file_is_compiled_from_the_po_file():
    compiled = io.BytesIO()
    write_mo(compiled, _po())
    compiled.seek(0)
    expected = {message.id: message.string for message in read_mo(compiled) if message.id}
    with open(CATALOG / "messages.mo", "rb") as handle:
        committed = {message.id: message.string for message in read_mo(handle) if message.id}
    assert committed == expected, "run: pybabel compile -d feedback/translations"


def test_no_translation_is_fuzzy_or_empty():
    assert [message.id for message in _po() if message.id and (message.fuzzy or not message.string)] == []
