"""Make the English catalogue an identity translation of the English msgids.

Without it Django falls back to the default language (Vietnamese) for every string an English
user sees, because an empty msgstr means "not translated". Run by `make messages`.
"""

from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def main() -> None:
    catalogue = polib.pofile(str(CATALOGUE))
    for entry in catalogue:
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalogue.metadata["Language"] = "en"
    catalogue.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
    catalogue.save()


if __name__ == "__main__":
    main()
