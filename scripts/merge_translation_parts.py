"""Fill the Vietnamese catalogue from the translation parts in `locale/parts/*.po`.

Work that runs in parallel (several branches at once) writes its new Vietnamese translations in
a part of its own instead of editing `locale/vi/LC_MESSAGES/django.po`, so that branches never
conflict on the catalogue: `make messages` regenerates the catalogue from the code and this
script fills every untranslated or fuzzy entry from the parts. A part is deleted once its
entries are in the catalogue on main. Run by `make messages`, after makemessages.
"""

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"
CATALOGUE = LOCALE / "vi" / "LC_MESSAGES" / "django.po"


def _untranslated(entry: polib.POEntry) -> bool:
    if "fuzzy" in entry.flags:
        return True
    if entry.msgid_plural:
        return not (entry.msgstr_plural and all(entry.msgstr_plural.values()))
    return not entry.msgstr


def main() -> int:
    parts: dict[tuple[str | None, str], polib.POEntry] = {}
    for path in sorted((LOCALE / "parts").glob("*.po")):
        for entry in polib.pofile(str(path)):
            if entry.msgstr or entry.msgstr_plural:
                parts[entry.msgctxt, entry.msgid] = entry
    catalogue = polib.pofile(str(CATALOGUE))
    filled = 0
    for entry in catalogue:
        part = parts.get((entry.msgctxt, entry.msgid))
        if part is None or not _untranslated(entry):
            continue
        entry.msgstr = part.msgstr
        if entry.msgid_plural:
            entry.msgstr_plural = dict(part.msgstr_plural) or {0: part.msgstr}
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        filled += 1
    catalogue.save()
    missing = [entry.msgid for entry in catalogue if not entry.obsolete and _untranslated(entry)]
    print(f"{filled} translations taken from locale/parts; {len(missing)} still untranslated")
    for msgid in missing[:40]:
        print("  untranslated:", msgid[:100])
    return 0


if __name__ == "__main__":
    sys.exit(main())
