from django import template

from jobs.services import export_background_rows

register = template.Library()


@register.filter
def exported_in_background(row_count) -> bool:
    """A list of `row_count` rows gets its Excel file from a background job (jobs/)."""
    return (row_count or 0) > export_background_rows()
