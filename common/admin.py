"""The admin toolkit both apps' admins share: inline inputs named for screen readers,
foreign-key selects of an inline filled from one query for all its rows, and a changelist that
answers odd filter values with its "filters not understood" message."""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.forms.models import BaseInlineFormSet
from django.templatetags.static import static
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _


def boolean_icon(value: bool | None) -> SafeString:
    """Django's tick, cross or question mark for a yes/no value, read aloud in the page's
    language ("Có", "Không", "Không rõ"); Django's own reads "True", "False" and "None"."""
    if value is None:
        return format_html('<img src="{}" alt="{}">', static("admin/img/icon-unknown.svg"), _("Unknown"))
    return yes_no_icon(value)


def yes_no_icon(value: bool | None, yes: str | None = None, no: str | None = None) -> SafeString | str:
    """Django's tick or cross for a yes/no column, read aloud as `yes` or `no` (default "Có" and
    "Không"; Django's own icons are read as "True" and "False"); empty for None."""
    if value is None:
        return ""
    icon, text = ("icon-yes.svg", yes or _("Yes")) if value else ("icon-no.svg", no or _("No"))
    return format_html('<img src="{}" alt="{}" title="{}">', static(f"admin/img/{icon}"), text, text)


class LabelledInlineMixin:
    """A tabular inline's inputs sit under column headings, not beside <label>s: each gets its
    column's name as `aria-label`, so that a screen reader says which figure it is."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            # A foreign key's select is wrapped in the admin's "add/change related" widget.
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs.setdefault("aria-label", field.label)
        return field


class LabelledFormSet(BaseInlineFormSet):
    """The "delete" box of each inline row, named for screen readers (see LabelledInlineMixin)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = _("Delete this row")


class SharedChoicesFormSet(LabelledFormSet):
    """An inline form set whose foreign-key selects are filled from one query for all rows.

    Each row's select would otherwise run its own query when rendered: the change page of a
    project with 50 outputs would run 50 identical indicator queries.
    """

    shared_choice_fields: tuple[str, ...] = ()

    @cached_property
    def _shared_choices(self) -> dict[str, list]:
        # A comprehension rather than list(): list() asks the iterator its length, a COUNT query.
        return {
            name: [choice for choice in self.form.base_fields[name].choices]
            for name in self.shared_choice_fields
            if name in self.form.base_fields
        }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, choices in self._shared_choices.items():
            field = form.fields[name]
            field.choices = choices
            # The admin wraps the select in RelatedFieldWidgetWrapper, which renders the inner one.
            inner = getattr(field.widget, "widget", None)
            if inner is not None:
                inner.choices = field.widget.choices


class BoundedChangeList(ChangeList):
    """Django's changelist, but a date drill-down beyond any date (`?date__year=99999999999999999999`)
    is a filter it does not understand (the list again with its message), not a 500: Django
    turns the ValueError of a bad date into that, but not the OverflowError of a huge number."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error


class BoundedChangeListMixin:
    """For a ModelAdmin: its changelist is a BoundedChangeList."""

    def get_changelist(self, request, **kwargs):
        return BoundedChangeList
