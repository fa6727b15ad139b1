"""Reads of API tokens."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import ApiToken


def tokens_in_force(user) -> QuerySet[ApiToken]:
    """The user's tokens that have not expired (a token without expiry never does), newest first."""
    return ApiToken.objects.filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()), user=user).order_by(
        "-created"
    )


def token_of_user_or_404(user, digest: str) -> ApiToken:
    """One of the user's tokens in force by its digest; Http404 for anyone else's, or an expired one."""
    return get_object_or_404(tokens_in_force(user), digest=digest)
