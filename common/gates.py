"""The one gate in front of the portal's pages and downloads: who may open them."""

import functools
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.views.decorators.http import require_GET


def role_gate(may_view: Callable[[object], bool], refusal) -> Callable:
    """A decorator for a read-only page: anonymous visitors go to the login page (back here
    after it); signed-in users for whom `may_view(user)` is False get 403 with `refusal` (a
    lazy translation, read in the user's language); any method but GET (and HEAD) gets 405."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not may_view(request.user):
                raise PermissionDenied(str(refusal))
            return view(request, *args, **kwargs)

        return require_GET(wrapper)

    return decorate
