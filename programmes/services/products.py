"""The selection of typical rural industrial products: rounds, entries and certificates.

Cross-record rules live here (C12): an entry's establishment is of the round's territory
(its province for a commune, district or province round; its region for a regional round);
above the bottom level an entry needs a certificate of the level just below, of the same
establishment, valid on the day of the round; a certificate is issued only to a recognised
product (average score ≥ 70, rules.records).
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from common.numbers import format_decimal

from ..models import (
    Establishment,
    ProductCertificate,
    ProductEntry,
    SelectionLevel,
    SelectionRound,
    short_date,
)
from ..rules import records
from ..selectors.establishments import current_province_id
from .support import authored

ENTRY_OUTSIDE_ROUND = _("%(establishment)s (%(province)s) is outside the territory of this round (%(round)s).")
CERTIFICATE_REQUIRED = _(
    "A product entered at the %(level)s needs a certificate of the level below, valid on %(day)s: "
    "choose the certificate."
)
CERTIFICATE_WRONG_LEVEL = _("The certificate is of the %(level)s; this round needs one of the %(needed)s.")
CERTIFICATE_OTHER_ESTABLISHMENT = _("The certificate was issued to another establishment (%(establishment)s).")
CERTIFICATE_EXPIRED = _("The certificate %(number)s was valid to %(valid_to)s, before the round of %(day)s.")
NOT_RECOGNISED = _(
    "Only a recognised product (average score of at least %(score)s) receives a certificate; this one scored %(given)s."
)
NOT_SCORED = _("Enter the product's average score before issuing its certificate.")
ROUND_HAS_ENTRIES = _("The round has %(count)s entries: its level and place cannot change any more.")
ROUND_NOT_EMPTY = _("The round has %(count)s entries: delete them before deleting the round.")

LEVEL_BELOW: dict[str, tuple[str, ...]] = {
    SelectionLevel.PROVINCE: (SelectionLevel.COMMUNE, SelectionLevel.DISTRICT),
    SelectionLevel.REGION: (SelectionLevel.PROVINCE,),
    SelectionLevel.NATION: (SelectionLevel.REGION,),
}


def _label(level: str) -> str:
    return str(SelectionLevel(level).label).lower()


@transaction.atomic
def round_save(*, round: SelectionRound, user: User | None = None) -> SelectionRound:
    """Create or change a round. Its level and place cannot change once products are entered.
    Raises ValidationError, saving nothing."""
    if round.pk:
        before = SelectionRound.objects.get(pk=round.pk)
        moved = (before.level, before.province_id, before.region_id) != (
            round.level,
            round.province_id,
            round.region_id,
        )
        count = before.entries.count() if moved else 0
        if count:
            raise ValidationError({"level": str(ROUND_HAS_ENTRIES) % {"count": count}})
    round.full_clean()
    authored(round, user).save()
    return round


@transaction.atomic
def round_delete(*, round: SelectionRound, user: User | None = None) -> None:
    """Delete a round without entries; ValidationError (ROUND_NOT_EMPTY) when it has some."""
    count = round.entries.count()
    if count:
        raise ValidationError(str(ROUND_NOT_EMPTY) % {"count": count}, code="protected")
    authored(round, user).delete()


def entry_check(*, entry: ProductEntry) -> None:
    """The cross-record rules of an entry (see the module); ValidationError on a refusal."""
    round_ = entry.round
    establishment: Establishment = entry.establishment
    province = establishment.province
    if round_.level == SelectionLevel.REGION:
        inside = province.region_id == round_.region_id
    elif round_.level == SelectionLevel.NATION:
        inside = True
    else:
        # A round below the region names its province (the model's check).
        inside = round_.province is not None and current_province_id(province) == current_province_id(round_.province)
    if not inside:
        raise ValidationError(
            {
                "establishment": str(ENTRY_OUTSIDE_ROUND)
                % {"establishment": establishment.name, "province": province.name, "round": str(round_)}
            }
        )
    needed = LEVEL_BELOW.get(round_.level)
    certificate = entry.qualifying_certificate if entry.qualifying_certificate_id else None
    if needed is None:
        return
    if certificate is None:
        raise ValidationError(
            {
                "qualifying_certificate": str(CERTIFICATE_REQUIRED)
                % {"level": _label(round_.level), "day": short_date(round_.held_on)}
            }
        )
    below = certificate.entry.round
    if below.level not in needed:
        raise ValidationError(
            {
                "qualifying_certificate": str(CERTIFICATE_WRONG_LEVEL)
                % {"level": _label(below.level), "needed": _label(needed[0])}
            }
        )
    if certificate.entry.establishment_id != establishment.pk:
        raise ValidationError(
            {
                "qualifying_certificate": str(CERTIFICATE_OTHER_ESTABLISHMENT)
                % {"establishment": certificate.entry.establishment.name}
            }
        )
    if not records.certificate_valid_on(certificate.issued_on, round_.held_on):
        raise ValidationError(
            {
                "qualifying_certificate": str(CERTIFICATE_EXPIRED)
                % {
                    "number": certificate.number,
                    "valid_to": short_date(certificate.valid_to),
                    "day": short_date(round_.held_on),
                }
            }
        )


@transaction.atomic
def entry_save(*, entry: ProductEntry, user: User | None = None) -> ProductEntry:
    """Create or change an entry (its score too). Raises ValidationError, saving nothing."""
    entry.full_clean()
    entry_check(entry=entry)
    certified = entry.pk and ProductCertificate.objects.filter(entry_id=entry.pk).exists()
    if certified and not records.is_recognised(entry.average_score):
        raise ValidationError(
            {"average_score": _("The product has a certificate: its score cannot fall below recognition.")}
        )
    authored(entry, user).save()
    return entry


@transaction.atomic
def entry_delete(*, entry: ProductEntry, user: User | None = None) -> None:
    """Delete an entry without a certificate; ValidationError when it has one."""
    if ProductCertificate.objects.filter(entry=entry).exists():
        raise ValidationError(_("The product has a certificate: delete the certificate first."), code="protected")
    authored(entry, user).delete()


def certificate_check(*, entry: ProductEntry) -> None:
    """ValidationError unless `entry` is scored and recognised."""
    if entry.average_score is None:
        raise ValidationError({"entry": str(NOT_SCORED)})
    if not records.is_recognised(entry.average_score):
        raise ValidationError(
            {
                "entry": str(NOT_RECOGNISED)
                % {"score": records.RECOGNITION_SCORE, "given": format_decimal(entry.average_score, 2, get_language())}
            }
        )


@transaction.atomic
def certificate_save(*, certificate: ProductCertificate, user: User | None = None) -> ProductCertificate:
    """Issue (or correct) the certificate of a recognised product; its validity follows from
    the day of issue. Raises ValidationError, saving nothing."""
    certificate_check(entry=certificate.entry)
    if certificate.issued_on:
        certificate.valid_to = records.certificate_valid_to(certificate.issued_on)
    certificate.full_clean()
    authored(certificate, user).save()
    return certificate


@transaction.atomic
def certificate_delete(*, certificate: ProductCertificate, user: User | None = None) -> None:
    """Withdraw a certificate no entry of a higher round relies on (PROTECT refuses otherwise)."""
    if certificate.qualified_entries.exists():
        raise ValidationError(
            _("Entries of a higher round rely on this certificate; it cannot be deleted."), code="protected"
        )
    authored(certificate, user).delete()
