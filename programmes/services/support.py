"""What every service does the same way: the author and the reason of the history row its
save writes (django-simple-history), an amount in the user's language, today, a required reason.
"""

import datetime
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.numbers import format_vnd


def today() -> datetime.date:
    return timezone.localdate()


def authored[RecordT: Model](record: RecordT, user: User | AnonymousUser | None) -> RecordT:
    """`record`, with `user` recorded as the author of the history row its next save or delete
    writes (simple-history reads the request's user only inside a web request). An anonymous
    user or None records no author."""
    if user is not None and user.is_authenticated:
        # simple-history's private attribute, which the models do not declare.
        record._history_user = user  # type: ignore[attr-defined]
    return record


def with_reason[RecordT: Model](record: RecordT, reason: str, user: User | None) -> RecordT:
    """`record`, with `reason` and `user` attached to the history row its next save writes (the
    user too, so a step taken outside a web request, by a script or an import, still says who
    took it). An empty reason or None is recorded as no reason; None records no author."""
    # simple-history's private attributes, which the models do not declare.
    record._change_reason = reason or ""  # type: ignore[attr-defined]
    if user is not None:
        record._history_user = user  # type: ignore[attr-defined]
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
