"""API error helpers: a service's Django ValidationError as Django REST framework's 400."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError


def as_api_error(error: DjangoValidationError) -> ValidationError:
    """A Django ValidationError as DRF's 400: {"field": ["message"]}, general ones under non_field_errors."""
    if hasattr(error, "error_dict"):
        return ValidationError(
            {
                ("non_field_errors" if name == "__all__" else name): messages
                for name, messages in error.message_dict.items()
            }
        )
    return ValidationError({"non_field_errors": error.messages})


def run(write, *args, **kwargs):
    """Call a service; its ValidationError becomes the API's 400 (the service saved nothing)."""
    try:
        return write(*args, **kwargs)
    except DjangoValidationError as error:
        raise as_api_error(error) from None
