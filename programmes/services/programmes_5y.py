"""Five-year programmes and their targets (issue 19, item 3): creating, changing and deleting
them with their history. Refusals are ValidationErrors with the messages below; nothing is
saved on a refusal."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..models import FiveYearProgramme, ProgrammeTarget, TargetKind
from .support import authored

PROGRAMME_LEVEL_LOCKED = _("The programme has %(count)s target(s): its level and province cannot change any more.")
TARGET_UNIT_OF_INDICATOR = _(
    "The target is followed by “%(indicator)s”, counted in %(unit)s: leave the unit empty or write %(unit)s."
)


@transaction.atomic
def programme_save(*, programme: FiveYearProgramme, user: User | None = None) -> FiveYearProgramme:
    """Create or change a programme (its last year follows from the first). Its level and
    province cannot change once it has targets. Raises ValidationError, saving nothing."""
    if programme.start_year:
        programme.end_year = programme.start_year + 4
    if programme.pk:
        before = FiveYearProgramme.objects.get(pk=programme.pk)
        if (before.level, before.province_id) != (programme.level, programme.province_id):
            count = before.targets.count()
            if count:
                raise ValidationError({"province": str(PROGRAMME_LEVEL_LOCKED) % {"count": count}})
    programme.full_clean()
    authored(programme, user).save()
    return programme


@transaction.atomic
def programme_delete(*, programme: FiveYearProgramme, user: User | None = None) -> None:
    """Delete a programme and its targets (the history keeps both)."""
    for target in programme.targets.all():
        authored(target, user).delete()
    authored(programme, user).delete()


def target_check(*, target: ProgrammeTarget) -> None:
    """ValidationError when a count followed by an indicator is given another unit."""
    indicator = target.indicator if target.indicator_id else None
    if target.kind == TargetKind.COUNT and indicator is not None and target.unit and target.unit != indicator.unit:
        raise ValidationError(
            {"unit": str(TARGET_UNIT_OF_INDICATOR) % {"indicator": indicator.name, "unit": indicator.unit}}
        )


@transaction.atomic
def target_save(*, target: ProgrammeTarget, user: User | None = None) -> ProgrammeTarget:
    """Create or change a target; a count followed by an indicator takes the indicator's unit,
    an outcome percentage the unit "%". Raises ValidationError, saving nothing."""
    target_check(target=target)
    if target.kind == TargetKind.COUNT and target.indicator is not None and not target.unit:
        target.unit = target.indicator.unit
    if target.kind == TargetKind.PERCENT:
        target.unit = "%"
    target.full_clean()
    authored(target, user).save()
    return target


@transaction.atomic
def target_delete(*, target: ProgrammeTarget, user: User | None = None) -> None:
    authored(target, user).delete()
