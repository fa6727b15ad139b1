"""REST framework settings objects: the API's pagination and exception handler.

Kept apart from the URL wiring (khuyencong.api), which imports the views: DRF reads these
classes while its views are being imported.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """The API's one pagination: `?page=2&page_size=100` (50 by default, 500 at most)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """DRF's handler, plus Django's ValidationError (raised by a model or a service) as a 400."""
    from rest_framework.views import exception_handler as drf_exception_handler

    from common.api import as_api_error

    if isinstance(exc, DjangoValidationError):
        exc = as_api_error(exc)
    return drf_exception_handler(exc, context)
