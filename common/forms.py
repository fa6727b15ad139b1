"""Form fields for whole-đồng money and whole-number counts typed the Vietnamese way
(`1.250.000.000`) or the English way, with messages in the user's language.

The model fields that use them (`MoneyField`, `CountField`) are programmes.fields: migrations
name them there."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .numbers import MAX_AMOUNT_VND, NumberFormatError, exceeds_max_amount, group_digits, parse_whole_number

AMOUNT_MESSAGES = {
    "empty": _("Enter an amount."),
    "invalid": _("“%(value)s” is not an amount in đồng. Write it like %(example)s."),
    "fraction": _("The amount must be a whole number of đồng, without decimals."),
    "negative": _("The amount cannot be negative."),
    "too_large": _("The amount is larger than %(max)s đ. Check the number of zeros."),
}

COUNT_MESSAGES = {
    "empty": _("Enter a number."),
    "invalid": _("“%(value)s” is not a whole number. Write it like %(example)s."),
    "fraction": _("The number must be whole, without decimals."),
    "negative": _("The number cannot be negative."),
    "too_large": _("The number is larger than %(max)s. Check the number of zeros."),
}


def validate_amount(value) -> None:
    """A model field's validator: refuse an amount above the portal's maximum (ValidationError
    with the forms' message, in the active language); None passes (required is another rule)."""
    if value is not None and exceeds_max_amount(value):
        raise ValidationError(
            AMOUNT_MESSAGES["too_large"],
            code="too_large",
            params={"max": group_digits(MAX_AMOUNT_VND, get_language())},
        )


class GroupedNumberInput(forms.TextInput):
    """A text input showing the value with the active language's thousands separators."""

    input_type = "text"

    def __init__(self, attrs=None):
        base = {"inputmode": "numeric", "autocomplete": "off", "class": "number-input"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if value in (None, ""):
            return ""
        if isinstance(value, (int, Decimal)):
            return group_digits(value, get_language())
        return str(value)


class WholeNumberFormField(forms.Field):
    """A non-negative whole number typed the Vietnamese way (`1.250.000.000`) or the English way.

    Cleans to a Decimal (money) or int (counts); refuses negatives, fractions and values above
    `max_value` with a message in the user's language.
    """

    widget = GroupedNumberInput
    messages = AMOUNT_MESSAGES
    example = 1_250_000_000

    def __init__(self, *, max_value: int | None = None, as_int: bool = False, **kwargs):
        self.max_value = max_value if max_value is not None else MAX_AMOUNT_VND
        self.as_int = as_int
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        kwargs.pop("min_value", None)
        kwargs.pop("step_size", None)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, (int, Decimal)):
            number = Decimal(value)
        else:
            try:
                number = parse_whole_number(str(value), get_language())
            except NumberFormatError as error:
                raise ValidationError(
                    self.messages[error.code],
                    code=error.code,
                    params={"value": value, "example": group_digits(self.example, get_language())},
                ) from None
        if number < 0:
            raise ValidationError(self.messages["negative"], code="negative")
        if number != number.to_integral_value():
            raise ValidationError(self.messages["fraction"], code="fraction")
        if number > self.max_value:  # exceeds_max_amount, for this field's own maximum
            raise ValidationError(
                self.messages["too_large"],
                code="too_large",
                params={"max": group_digits(self.max_value, get_language())},
            )
        return int(number) if self.as_int else number


class CountFormField(WholeNumberFormField):
    messages = COUNT_MESSAGES
    example = 1_724

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", 10**9)
        super().__init__(as_int=True, **kwargs)
