"""The Vietnamese catalogue is complete, and the compiled files match what the code asks for."""

import re
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def _entries(lang: str) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po")) if not entry.obsolete]


def test_every_message_is_translated_into_vietnamese():
    missing = [entry.msgid for entry in _entries("vi") if _untranslated(entry)]
    assert missing == []


def _untranslated(entry: polib.POEntry) -> bool:
    """Fuzzy, or an empty translation (of the singular, or of any plural form)."""
    if "fuzzy" in entry.flags:
        return True
    if entry.msgid_plural:
        return not (entry.msgstr_plural and all(entry.msgstr_plural.values()))
    return not entry.msgstr


def test_an_empty_translation_counts_as_missing():
    assert _untranslated(polib.POEntry(msgid="Plan", msgstr=""))
    assert not _untranslated(polib.POEntry(msgid="Plan", msgstr="Kế hoạch"))
    assert _untranslated(polib.POEntry(msgid="a", msgid_plural="b", msgstr_plural={0: ""}))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_translations_keep_every_placeholder(lang):
    broken = []
    for entry in _entries(lang):
        translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for text in filter(None, translations):  # untranslated entries fail the test above
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(entry.msgid)):
                broken.append((entry.msgid, text))
    assert broken == []


def test_the_english_catalogue_covers_every_message_so_english_users_never_see_vietnamese():
    vi_ids = {entry.msgid for entry in _entries("vi")}
    en = {entry.msgid: entry.msgstr for entry in _entries("en") if not entry.msgid_plural}
    assert vi_ids <= set(en) | {entry.msgid for entry in _entries("en") if entry.msgid_plural}
    assert all(msgstr == msgid for msgid, msgstr in en.items())


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_compiled_catalogues_are_newer_than_their_sources(lang):
    folder = LOCALE / lang / "LC_MESSAGES"
    compiled = polib.mofile(str(folder / "django.mo"))
    source = {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in _entries(lang)
        if entry.msgstr and not entry.msgid_plural
    }
    compiled_map = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in compiled if not entry.msgid_plural}
    assert {key: compiled_map.get(key) for key in source} == source
