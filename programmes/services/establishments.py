"""The establishments' register and the projects' beneficiaries: creating and changing an
establishment, attaching it to a project (with the double-funding warning), detaching it, and
linking the projects whose free-text beneficiary names a registered establishment.

The double-funding warning is a warning: `project_beneficiary_add` refuses with it (on
`confirm`, code `double_funding`) unless the caller confirms, and a confirmed link records that
it was confirmed. The admin shows it with a "save anyway" box; the API answers 400 with it
unless the body says `"confirm": true`.
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from ..models import Establishment, Project, ProjectBeneficiary, ProjectStatus
from ..rules import records
from ..selectors.establishments import (
    PossibleDouble,
    current_province_id,
    double_funding_matches,
    project_territory_ids,
)
from .support import authored

ESTABLISHMENT_OUTSIDE_PROJECT = _(
    "%(establishment)s is registered in %(province)s, outside the territory of the project's "
    "province (%(project_province)s)."
)
DOUBLE_FUNDING = _(
    "%(establishment)s already received support for “%(category)s” in %(year)s (project %(code)s). "
    "Check that this is not double funding; confirm to save anyway."
)
ESTABLISHMENT_HAS_SUPPORTS = _(
    "%(establishment)s is a beneficiary of %(count)s project(s); remove it from them before deleting it."
)
ESTABLISHMENT_HAS_ENTRIES = _(
    "%(establishment)s has %(count)s product entry(ies) in typical-product rounds; delete them before deleting it."
)
ESTABLISHMENT_PROVINCE_LOCKED = _(
    "%(establishment)s is a beneficiary of projects; its province cannot change any more."
)
DOUBLE_FUNDING_CODE = "double_funding"


def double_funding_message(match: PossibleDouble) -> str:
    """The warning about one earlier support, in the user's language."""
    return str(DOUBLE_FUNDING) % {
        "establishment": match.establishment,
        "category": match.category,
        "year": match.year,
        "code": match.code,
    }


def double_funding_warnings(*, establishment: Establishment, project: Project) -> list[str]:
    """The double-funding warnings attaching `establishment` to `project` would raise; empty
    when there is none."""
    matches = double_funding_matches(establishment=establishment, project=project)
    return [double_funding_message(match) for match in matches]


@transaction.atomic
def establishment_create(*, user: User | None = None, **fields: Any) -> Establishment:
    """Register an establishment. Raises ValidationError, saving nothing, on invalid data
    (a malformed or taken tax code, a province not in force on the registration day…)."""
    establishment = Establishment(**fields)
    establishment.full_clean()
    authored(establishment, user).save()
    return establishment


@transaction.atomic
def establishment_update(*, establishment: Establishment, user: User | None = None, **fields: Any) -> Establishment:
    """Change an establishment's fields. Its province cannot change once it is a project's
    beneficiary (the supports would move province). Raises ValidationError, saving nothing."""
    if "province" in fields and fields["province"] != establishment.province and establishment.supports.exists():
        raise ValidationError({"province": str(ESTABLISHMENT_PROVINCE_LOCKED) % {"establishment": establishment.name}})
    for name, value in fields.items():
        setattr(establishment, name, value)
    establishment.full_clean()
    authored(establishment, user).save()
    return establishment


@transaction.atomic
def establishment_delete(*, establishment: Establishment, user: User | None = None) -> None:
    """Delete an establishment that supports nothing; ValidationError when projects name it or
    when typical-product rounds hold its entries (both keep it: PROTECT)."""
    supports = establishment.supports.count()
    if supports:
        raise ValidationError(
            str(ESTABLISHMENT_HAS_SUPPORTS) % {"establishment": establishment.name, "count": supports},
            code="protected",
        )
    entries = establishment.product_entries.count()
    if entries:
        raise ValidationError(
            str(ESTABLISHMENT_HAS_ENTRIES) % {"establishment": establishment.name, "count": entries},
            code="protected",
        )
    authored(establishment, user).delete()


@dataclass
class BeneficiaryResult:
    """The link saved, and the double-funding warnings its caller confirmed (empty if none)."""

    link: ProjectBeneficiary
    warnings: list[str] = field(default_factory=list)


def beneficiary_check(*, project: Project, establishment: Establishment, confirm: bool = False) -> list[str]:
    """The checks of `project_beneficiary_add` without saving: ValidationError on a refusal
    (outside the project's territory; a double funding not confirmed); the warnings confirmed."""
    if establishment.province_id not in project_territory_ids(project):
        raise ValidationError(
            {
                "establishment": str(ESTABLISHMENT_OUTSIDE_PROJECT)
                % {
                    "establishment": establishment.name,
                    "province": establishment.province.name,
                    "project_province": project.province.name,
                }
            }
        )
    warnings = double_funding_warnings(establishment=establishment, project=project)
    if warnings and not confirm:
        raise ValidationError({"confirm": [ValidationError(text, code=DOUBLE_FUNDING_CODE) for text in warnings]})
    return warnings


@transaction.atomic
def project_beneficiary_add(
    *, project: Project, establishment: Establishment, confirm: bool = False, note: str = "", user: User | None = None
) -> BeneficiaryResult:
    """Make `establishment` a beneficiary of `project`.

    Refused (ValidationError, nothing saved) when the establishment is outside the territory of
    the project's province, already a beneficiary, or — unless `confirm` — received a support of
    the same content a year apart or less (`rules.records.double_funding_years`).
    """
    warnings = beneficiary_check(project=project, establishment=establishment, confirm=confirm)
    link = ProjectBeneficiary(
        project=project, establishment=establishment, note=note, double_funding_confirmed=bool(warnings)
    )
    link.full_clean()
    authored(link, user).save()
    return BeneficiaryResult(link=link, warnings=warnings)


@transaction.atomic
def project_beneficiary_update(*, link: ProjectBeneficiary, note: str, user: User | None = None) -> ProjectBeneficiary:
    """Change a link's note (another project or establishment is another link: remove this one
    and add that). Raises ValidationError, saving nothing, on an invalid note."""
    link.note = note
    link.full_clean()
    authored(link, user).save()
    return link


@transaction.atomic
def project_beneficiary_remove(*, link: ProjectBeneficiary, user: User | None = None) -> None:
    """Detach an establishment from a project (the history keeps the link)."""
    authored(link, user).delete()


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


@transaction.atomic
def beneficiaries_link_by_name(*, establishments: QuerySet[Establishment], user: User | None = None) -> int:
    """Link each of `establishments` to the projects whose free-text beneficiary is its name
    (case and spacing aside) in the same territory (`selectors.establishments.current_province_id`),
    where no link exists yet; the number of links made. The projects' texts are kept as written.

    Historical records, linked in bulk (with their history rows): a possible double funding
    (`rules.records.double_funding_years`, cancelled projects aside) is confirmed and marked on
    the link, as `project_beneficiary_add(confirm=True)` would. Queries: the establishments,
    the candidate projects, the existing links with their projects, then the writes.
    """
    chosen = list(establishments.select_related("province"))
    by_key: dict[tuple[str, int], Establishment] = {}
    for establishment in chosen:
        by_key.setdefault((_name_key(establishment.name), current_province_id(establishment.province)), establishment)
    if not by_key:
        return 0
    currents = {key[1] for key in by_key}
    # The name is compared in Python: SQLite's lower() folds ASCII only, not "Đ" or "Ư".
    projects = (
        Project.objects.exclude(beneficiary_name="")
        .filter(Q(province_id__in=currents) | Q(province__merged_into_id__in=currents))
        .select_related("province")
        .order_by("year", "code")
    )
    existing = list(
        ProjectBeneficiary.objects.filter(establishment__in=chosen).values_list(
            "project_id", "establishment_id", "project__category_id", "project__year", "project__status"
        )
    )
    linked = {(project_id, establishment_id) for project_id, establishment_id, *_rest in existing}
    # Per establishment: (project, category, year) of every support that is carried out.
    supports: dict[int, list[tuple[int, int, int]]] = {}
    for project_id, establishment_id, category_id, year, status in existing:
        if status != ProjectStatus.CANCELLED:
            supports.setdefault(establishment_id, []).append((project_id, category_id, year))
    new = []
    for project in projects:
        match = by_key.get((_name_key(project.beneficiary_name), current_province_id(project.province)))
        if match is None or (project.pk, match.pk) in linked:
            continue
        linked.add((project.pk, match.pk))
        new.append((project, match))
        if project.status != ProjectStatus.CANCELLED:
            supports.setdefault(match.pk, []).append((project.pk, project.category_id, project.year))
    links = []
    for project, establishment in new:
        window = records.double_funding_years(project.year)
        double = any(
            other != project.pk and category == project.category_id and year in window
            for other, category, year in supports.get(establishment.pk, [])
        )
        link = ProjectBeneficiary(project=project, establishment=establishment, double_funding_confirmed=double)
        links.append(link)
    bulk_create_with_history(links, ProjectBeneficiary, batch_size=500, default_user=user)
    return len(links)
