"""The page's language and Vietnamese text: one test for "is the page in English", names in
the page's language, the Vietnamese alphabetical order, people's names.

Nothing here imports Django at import time, so that the pure modules (common.numbers) can use
`is_english`; the active language is read when a function is called.
"""

import unicodedata


def is_english(lang: str | None = None) -> bool:
    """True when `lang` (default: the active language) is English (`en`, `en-gb`…); False for
    Vietnamese, the default, and for no language at all."""
    if lang is None:
        from django.utils.translation import get_language

        lang = get_language()
    return bool(lang) and lang.lower().startswith("en")


def localized(vietnamese: str, english: str) -> str:
    """The English text when the page is in English and one exists, else the Vietnamese one."""
    return english if is_english() and english else vietnamese


def vietnamese_sort_key(text: str) -> tuple[str, str]:
    """Alphabetical order the Vietnamese way: tone marks ignored first, đ after d."""
    lowered = text.lower().replace("đ", "d\uffff")
    base = "".join(ch for ch in unicodedata.normalize("NFD", lowered) if not unicodedata.combining(ch))
    return base, lowered


def ascii_name(text: str) -> str:
    """`Kỳ báo cáo` → `Ky bao cao`: tone marks dropped, đ written d (for file names)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    return decomposed.encode("ascii", "ignore").decode()


def user_display_name(user) -> str:
    """A person's name the Vietnamese way, family name first ("Trần Thị Thu Hà"); the user name
    when no name is recorded; "the system" (translated) when there is no user."""
    if user is None:
        from django.utils.translation import gettext as _

        return _("the system")
    name = f"{user.last_name} {user.first_name}".strip()
    return name or user.get_username()
