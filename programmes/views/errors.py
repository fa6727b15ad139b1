"""The refusal page (403): what the user asked is outside their account's scope, said in their
language (never Django's debug page), with the pages they may open instead."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..selectors.start import working_year


def alternatives(user) -> list[tuple[str, str]]:
    """(label, url) of the pages `user` may open instead: their province's for province staff,
    the nation's for the nation-wide roles; none for a user without a role."""
    if not getattr(user, "is_authenticated", False):
        return [(_("Log in"), reverse("login"))]
    role = access.role_of(user)
    links = [(_("Your start page"), reverse("home"))]
    if role == access.Role.PROVINCE_STAFF:
        province = access.user_province(user)
        if province is not None:
            year = working_year(province, timezone.localdate())
            links += [
                (
                    _("The year plan %(year)s of %(province)s") % {"year": year, "province": province.name},
                    reverse("programmes:year-plan-edit", kwargs={"province_id": province.pk, "year": year}),
                ),
                (
                    _("The reports of %(province)s") % {"province": province.name},
                    f"{reverse('programmes:periods')}?year={year}",
                ),
                (
                    _("The figures of %(province)s") % {"province": province.name},
                    f"{reverse('reports:province', kwargs={'province_id': province.pk})}?year={year}",
                ),
            ]
    elif role is not None:
        links += [
            (_("The dashboards of the whole country"), reverse("reports:national")),
            (_("The reports of every province"), reverse("programmes:periods")),
        ]
    return links


def permission_denied(request, exception=None):
    """handler403: the refusal, its reason when the code gave one, and where to go instead."""
    reason = str(exception) if exception is not None and str(exception) else ""
    context = {
        "reason": reason,
        "alternatives": alternatives(request.user),
        "has_role": access.role_of(request.user) is not None,
        "province": access.user_province(request.user),
    }
    return render(request, "403.html", context, status=403)
