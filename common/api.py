"""API error helpers: a service's Django ValidationError as Django REST framework's 400."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError, connection
from rest_framework.exceptions import ValidationError

# PostgreSQL's "deadlock detected" and "could not serialize access": the database rolled the
# whole transaction back, so running it again from the start is safe and is the documented remedy.
RETRIED_SQLSTATES = frozenset({"40P01", "40001"})
ATTEMPTS = 3


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


def retryable(error: OperationalError) -> bool:
    """Whether the database refused the transaction as a deadlock or serialisation failure."""
    return getattr(error.__cause__, "sqlstate", None) in RETRIED_SQLSTATES


def run(write, *args, **kwargs):
    """Call a service; its ValidationError becomes the API's 400 (the service saved nothing).

    A deadlock or serialisation failure (PostgreSQL rolled the service's transaction back) is
    run again, up to ATTEMPTS times in all, when the service's transaction is the outermost one:
    inside an enclosing transaction the rollback undid the caller's work too, so the error is
    raised as it came. Found by the restart-under-load fault test: four API writers creating
    projects and payments in the same provinces lost 6 of 1,152 requests to "deadlock detected"
    at commit (the deferred foreign-key checks and the figures' version bumps run then)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return write(*args, **kwargs)
        except DjangoValidationError as error:
            raise as_api_error(error) from None
        except OperationalError as error:
            if attempt == ATTEMPTS or connection.in_atomic_block or not retryable(error):
                raise
