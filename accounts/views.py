"""The signed-in user's own account pages: API access tokens ("Mã truy cập API").

Plain pages and forms: listing and revoking work without JavaScript.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import selectors, services


@login_required
@require_GET
def token_list(request):
    """The user's tokens in force: key prefix, created, expires, last used; a link to revoke each."""
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": selectors.tokens_in_force(request.user),
            "lifetime_hours": settings.API_TOKEN_SECONDS / 3600,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, digest: str):
    """GET: the confirmation page; POST: revoke. 404 for a token that is not the user's own or
    has expired."""
    token = selectors.token_of_user_or_404(request.user, digest)
    if request.method == "POST":
        services.token_revoke(token)
        messages.success(
            request,
            _("The access token %(key)s… has been revoked: programs using it can no longer reach the API.")
            % {"key": token.token_key[:8]},
        )
        return redirect("accounts:tokens")
    return render(request, "accounts/token_revoke.html", {"token": token})
