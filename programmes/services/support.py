"""What every service does the same way: the author and the reason of the history row its
save writes (django-simple-history), an amount in the user's language, today, a required reason.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.numbers import format_vnd


def today() -> datetime.date:
    return timezone.localdate()


def authored(record, user):
    """`record`, with `user` recorded as the author of the history row its next save or delete
    writes (simple-history reads the request's user only inside a web request)."""
    if user is not None and getattr(user, "is_authenticated", False):
        record._history_user = user
    return record


def with_reason(record, reason: str, user):
    """Attach `reason` and `user` to the history row the next save writes (the user too, so a
    step taken outside a web request, by a script or an import, still says who took it)."""
    record._change_reason = reason or ""
    if user is not None:
        record._history_user = user
    return record


def money_text(value: Decimal) -> str:
    """`1.250.000.000 đ` / `1,250,000,000 VND`: an amount in a message, in the user's language."""
    return format_vnd(value, get_language())


def reason_required() -> str:
    """The refusal of a step taken without its reason, in the user's language."""
    return _("Give the reason: it is recorded and shown to the province.")


def require_reason(reason: str) -> str:
    """The reason, stripped; ValidationError (on `reason`) when none is given."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": reason_required()})
    return reason
