"""An establishment's page: who it is and every support it received, across years, funds and
contents (selectors.establishments). Every portal role reads it, in the provinces it sees."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.gates import role_gate

from .. import access
from ..models import Establishment
from ..selectors.establishments import establishment_supports

ESTABLISHMENT_REFUSAL = _("You are not allowed to see the establishments' register.")


@role_gate(access.may_view_reports, ESTABLISHMENT_REFUSAL)
def establishment_detail(request, pk: int):
    """The establishment `pk` if the user sees its province (else 404, no hint it exists)."""
    establishment = access.get_visible_or_404(
        request.user, Establishment.objects.select_related("province__region"), pk=pk
    )
    supports = establishment_supports(establishment)
    can_change = request.user.has_perm("programmes.change_establishment") and access.can_edit_province(
        request.user, establishment.province
    )
    context = {
        "establishment": establishment,
        "supports": supports,
        "change_url": reverse("admin:programmes_establishment_change", args=[establishment.pk]) if can_change else "",
    }
    return render(request, "programmes/establishments/detail.html", context)
