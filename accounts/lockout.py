"""The login lockout (django-axes): its handler (settings.AXES_HANDLER), with two limits and a
successful login that clears only its own count, and its response (AXES_LOCKOUT_CALLABLE).

AXES_LOCKOUT_PARAMETERS counts failures per address and per (user name, address). Axes compares
the largest of those counts with one limit, AXES_FAILURE_LIMIT; the address gets its own,
larger AXES_ADDRESS_FAILURE_LIMIT here by scaling its count: ⌊n × pair limit / address limit⌋
reaches the pair limit exactly when n reaches the address limit. Stored counts stay real.

On success axes would delete every attempt the parameters match, the whole address's included:
signing in to one's own account between guesses would then reset the address count. Only the
(user name, address) pair's attempts are cleared.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext


def lockout_message() -> str:
    """What a locked-out client is told, with the lockout's length in minutes."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return ngettext(
        "Logging in is temporarily blocked after too many wrong passwords. Try again in %(minutes)d minute.",
        "Logging in is temporarily blocked after too many wrong passwords. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """429 for a locked-out login: JSON `{"detail"}` for the API's token endpoint, otherwise the
    page AXES_LOCKOUT_TEMPLATE (with the context axes gives it: the cool-off's length)."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=settings.AXES_HTTP_RESPONSE_CODE)
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "username": get_client_username(request, credentials) or "",
        "cooloff_timedelta": get_cool_off(request),
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)


class PortalAxesHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """The failures that count towards the lockout, on the scale of AXES_FAILURE_LIMIT."""
        parameters = get_lockout_parameters(request, credentials)
        counts = []
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if parameter in ("ip_address", ["ip_address"]):
                failures = failures * settings.AXES_FAILURE_LIMIT // settings.AXES_ADDRESS_FAILURE_LIMIT
            counts.append(failures)
        return max(counts, default=0)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """Clear the failures of this user name from this address, and no other."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count
