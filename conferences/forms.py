"""Filters of the recommendations tracker, parsed once for the page (docs/architecture.md, C8)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Addressee, RecommendationStatus
from .selectors import ALL, UNRESOLVED

STATUS_CHOICES = [
    (UNRESOLVED, _("Not resolved yet")),
    *RecommendationStatus.choices,
    (ALL, _("All")),
]


class RecommendationFilterForm(forms.Form):
    """`status` (default: not resolved yet) and `addressed_to` (default: everyone)."""

    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    addressed_to = forms.ChoiceField(
        label=_("Addressed to"), choices=[("", _("Everyone")), *Addressee.choices], required=False
    )

    def clean_status(self) -> str:
        return self.cleaned_data["status"] or UNRESOLVED
