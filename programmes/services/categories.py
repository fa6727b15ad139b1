"""Activity contents that change with the law (issue 19, item 4): a content's validity period
and the mapping of a later content onto the earlier one it is comparable with.

The contents are reference data (the administrators change them); the projects' own check that
their content is in force in their year is Project.clean, which every project write runs.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..models import ActivityCategory, CategoryMapping, Project
from ..models.reference import validity_text

CATEGORY_PERIOD_LEAVES_PROJECTS = _(
    "%(count)s project(s) of %(years)s use “%(category)s”: its validity (%(period)s) must cover their years."
)
MAPPING_NEEDS_START = _(
    "“%(category)s” has no start of validity: only a content added later (with its “in force from” day) "
    "is compared with an earlier one."
)
MAPPING_NOT_EARLIER = _("“%(earlier)s” was not in force before %(start)s: choose a content of the earlier list.")
MAPPING_CHAIN = _("“%(earlier)s” is itself compared with “%(target)s”: choose that content instead.")
MAPPING_TARGET_OF_OTHERS = _(
    "Other contents are compared with “%(category)s”; it cannot be compared with another one in turn."
)


def category_check(*, category: ActivityCategory) -> None:
    """ValidationError (on `valid_from` or `valid_to`) when a changed content's validity would
    no longer cover the year of a project that uses it."""
    if not category.pk:
        return
    # A project of year Y is outside when the validity starts after Y or ends before it.
    outside_years = Q(year__lt=category.valid_from.year) if category.valid_from else Q(pk__in=[])
    if category.valid_to is not None:
        outside_years |= Q(year__gt=category.valid_to.year)
    years = list(
        Project.objects.filter(outside_years, category_id=category.pk).order_by("year").values_list("year", flat=True)
    )
    if years:
        message = str(CATEGORY_PERIOD_LEAVES_PROJECTS) % {
            "count": len(years),
            "years": ", ".join(str(year) for year in sorted(set(years))),
            "category": category.name,
            "period": validity_text(category.valid_from, category.valid_to),
        }
        field = "valid_from" if category.valid_from and years[0] < category.valid_from.year else "valid_to"
        raise ValidationError({field: message}, code="in_use")


@transaction.atomic
def category_save(*, category: ActivityCategory, user: User | None = None) -> ActivityCategory:
    """Create or change an activity content. Refused (ValidationError, nothing saved) when its
    own fields are invalid, or by `category_check`."""
    category.full_clean()
    category_check(category=category)
    category.save()
    return category


def mapping_check(*, mapping: CategoryMapping) -> None:
    """The cross-record rules of a mapping, raising ValidationError keyed by field: the later
    content has a start of validity, the earlier one was in force before it, and no content is
    both mapped and mapped onto (a trend folds one step only)."""
    later, earlier = mapping.category, mapping.comparable_with
    if later.valid_from is None:
        raise ValidationError({"category": str(MAPPING_NEEDS_START) % {"category": later.name}})
    if earlier.valid_from is not None and earlier.valid_from >= later.valid_from:
        raise ValidationError(
            {
                "comparable_with": str(MAPPING_NOT_EARLIER)
                % {"earlier": earlier.name, "start": later.valid_from.strftime("%d/%m/%Y")}
            }
        )
    onward = CategoryMapping.objects.filter(category=earlier).select_related("comparable_with").first()
    if onward is not None:
        raise ValidationError(
            {"comparable_with": str(MAPPING_CHAIN) % {"earlier": earlier.name, "target": onward.comparable_with.name}}
        )
    if CategoryMapping.objects.filter(comparable_with=later).exists():
        raise ValidationError({"category": str(MAPPING_TARGET_OF_OTHERS) % {"category": later.name}})


@transaction.atomic
def category_mapping_save(*, mapping: CategoryMapping, user: User | None = None) -> CategoryMapping:
    """Create or change a mapping; ValidationError (nothing saved) on its own fields or on
    `mapping_check`."""
    mapping.full_clean()
    mapping_check(mapping=mapping)
    mapping.save()
    return mapping


@transaction.atomic
def category_mapping_delete(*, mapping: CategoryMapping, user: User | None = None) -> None:
    """Delete a mapping: the later content's figures then stand on their own in trends."""
    mapping.delete()
