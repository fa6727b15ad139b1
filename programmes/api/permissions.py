"""Who may call the programme's API: every portal role reads (scoped by province), writes need
a province the user enters records for (programmes.access).
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied

from .. import access


class ReadOnlyForAll:
    """Reads for every role (scoped by province); writes need a province the user enters, except
    the `decision_actions` (approve, send back, reopen, revise), which check their own right
    (access.may_decide_plans / may_decide_period): ministry officials enter no records but decide."""

    decision_actions: frozenset[str] = frozenset()

    # The write each method is, for the Django permission that access.may_write asks.
    METHOD_ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}

    def require_edit(self, province, *, action: str | None = None, model=None) -> None:
        """PermissionDenied unless the user may make this request's write (`action`, by default
        the method's) on `model` (by default the serializer's) in `province`: the same check
        as the admin's (access.may_write)."""
        action = action or self.METHOD_ACTIONS[self.request.method]
        model = model or self.get_serializer_class().Meta.model
        if not access.may_write(self.request.user, action, model, province):
            raise PermissionDenied(_("You may not enter records for this province."))

    def check_permissions(self, request):
        super().check_permissions(request)
        if access.role_of(request.user) is None:
            raise PermissionDenied(_("Your account has no role in the portal; ask an administrator."))
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and getattr(self, "action", None) not in self.decision_actions
            and access.editable_province_ids(request.user) == frozenset()
        ):
            raise PermissionDenied(_("Your role may read but not change records."))


def require_decide_plans(user) -> None:
    if not access.may_decide_plans(user):
        raise PermissionDenied(
            _("Only ministry officials and administrators approve, send back, reopen and revise plans.")
        )


def require_decide_period(user) -> None:
    if not access.may_decide_period(user):
        raise PermissionDenied(_("Only ministry officials and administrators approve, send back and reopen reports."))
