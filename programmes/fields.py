"""Model fields for whole-đồng money and whole-number counts (migrations name them here).

Their form fields, which read `1.250.000.000` and explain a refusal, are common.forms.
"""

from django.db import models
from django.utils.functional import cached_property

from common.forms import CountFormField, WholeNumberFormField, validate_amount


class MoneyField(models.DecimalField):
    """Whole đồng: `DecimalField(max_digits=18, decimal_places=0)` with the Vietnamese form field.

    Name fields of this type with the `_vnd` suffix.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        path = "programmes.fields.MoneyField"
        return name, path, args, kwargs

    @cached_property
    def validators(self):
        # The portal's one maximum (common.numbers.MAX_AMOUNT_VND), with the forms' message, so
        # the API and every service's full_clean() refuse what the forms refuse. Kept out of
        # the field's arguments so that migrations do not carry it.
        return [*super().validators, validate_amount]

    def formfield(self, **kwargs):
        return models.Field.formfield(self, **{"form_class": WholeNumberFormField, **kwargs})


class CountField(models.PositiveIntegerField):
    """A whole count of people, models, establishments…, entered with thousands separators."""

    def formfield(self, **kwargs):
        return models.Field.formfield(self, **{"form_class": CountFormField, **kwargs})
