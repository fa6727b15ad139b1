"""Writes of API tokens: issue, record a use, revoke."""

import datetime

from django.conf import settings
from django.contrib.auth.models import update_last_login
from django.db import transaction
from django.utils import timezone

from .models import ApiToken

# Recording every use would add a write to every API request; once a minute is precise enough
# for "last used" and keeps the write rare.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


@transaction.atomic
def token_issue(user, *, address: str | None) -> tuple[ApiToken, str]:
    """A new token for `user` (whose password was just checked), and the token itself, which is
    shown once and never stored. Lasts settings.REST_KNOX["TOKEN_TTL"].

    Also: the user's expired tokens are deleted, the login time is recorded, and the login
    lockout's count for this user name from `address` is cleared (as a successful login on the
    page does; `address` None when the request had none).
    """
    from axes.utils import reset as reset_lockout

    ApiToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    instance, token = ApiToken.objects.create(user=user)
    update_last_login(None, user)
    if settings.AXES_ENABLED and address:
        reset_lockout(ip=address, username=user.get_username())
    return instance, token


def token_used(token: ApiToken) -> None:
    """Record that `token` was just used, unless that was recorded less than a minute ago."""
    now = timezone.now()
    if token.last_used is None or now - token.last_used >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now


def token_revoke(token: ApiToken) -> None:
    """Delete `token`: it opens nothing from now on."""
    token.delete()


def tokens_revoke_all(user) -> int:
    """Delete every token of `user` (password changed, account deactivated); how many there were."""
    count, _ = ApiToken.objects.filter(user=user).delete()
    return count
