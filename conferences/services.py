"""Writes of the conferences app: rules that span several rows, and saving a conference whole.

Rules of one row are in the models (constraints and `clean()`); the admin and the demo data
both go through here for the attending provinces, so that the rule is written once.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from programmes.models import Province

from .models import Conference

ATTENDING_NOT_IN_FORCE = _("These provinces were not in force on the conference's date: %(provinces)s.")


def attending_provinces_check(start_date: datetime.date | None, provinces: Iterable[Province]) -> None:
    """Raise ValidationError (on `attending_provinces`) naming the provinces not in force on `start_date`."""
    if start_date is None:
        return
    absent = [province for province in provinces if not province.in_force_on(start_date)]
    if absent:
        raise ValidationError(
            {
                "attending_provinces": ATTENDING_NOT_IN_FORCE
                % {"provinces": ", ".join(str(province) for province in absent)}
            },
            code="not_in_force",
        )


@transaction.atomic
def conference_save(*, conference: Conference, attending_provinces: Iterable[Province] | None = None) -> Conference:
    """Validate `conference` (constraints and clean) and save it; replace its attending provinces
    when `attending_provinces` is given (checked to be in force on the start date)."""
    conference.full_clean()
    attending = None if attending_provinces is None else list(attending_provinces)
    if attending is not None:
        attending_provinces_check(conference.start_date, attending)
    conference.save()
    if attending is not None:
        conference.attending_provinces.set(attending)
    return conference
