"""A project's record and lifecycle: creation (directly in any status, for historical records),
changes to its descriptive fields, and each step from one status to the next (rules.lifecycle).
"""

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import (
    Project,
    ProjectStatus,
    ProjectTransition,
    Province,
)
from ..rules import lifecycle
from ..selectors import locks
from .money import project_disbursed_vnd
from .support import authored, money_text, today, with_reason

S = ProjectStatus

# The fields an approved report's figures hang on: moving a project by one of them moves its
# money and outputs between provinces, years, funds or categories of a locked report.
LOCKED_FIELDS = ("province", "year", "funding_source", "category", "support_vnd")

PROJECT_FIELDS_LOCKED = gettext_lazy("%(fields)s cannot change: %(lock)s")
PROJECT_YEAR_CLOSED = gettext_lazy(
    "%(province)s %(year)s is closed: %(lock)s No project is added to or removed from it."
)
PROJECT_HAS_RECORDS = gettext_lazy("The project has disbursements or outputs; cancel it instead of deleting it.")
PROJECT_DELETED_REASON = gettext_lazy("Project %(code)s deleted, with its %(steps)s lifecycle steps.")


def _status_label(status: str) -> str:
    return str(ProjectStatus(status).label)


def allowed_next_statuses(project: Project) -> list[str]:
    """The statuses `project` may move to now, in lifecycle order; empty for a closed project."""
    resumed = _status_before_suspension(project) if project.status == S.SUSPENDED else None
    return lifecycle.next_statuses(project.status, resumed_from=resumed)


def _status_before_suspension(project: Project) -> str | None:
    last = (
        project.transitions.filter(to_status=S.SUSPENDED)
        .order_by("-date", "-id")
        .values_list("from_status", flat=True)
        .first()
    )
    return last or None


def _last_transition_date(project: Project) -> datetime.date | None:
    return project.transitions.order_by("-date", "-id").values_list("date", flat=True).first()


def _check_transition(
    project: Project,
    to_status: str,
    date: datetime.date,
    document_number: str,
    previous: datetime.date | None,
) -> None:
    """Raise ValidationError (with Vietnamese messages) when the move is not allowed."""
    if to_status not in ProjectStatus.values:
        raise ValidationError({"to": _("Unknown status “%(status)s”.") % {"status": to_status}})
    allowed = allowed_next_statuses(project)
    if to_status not in allowed:
        if allowed:
            hint = _("Allowed next steps: %(steps)s.") % {"steps": ", ".join(_status_label(step) for step in allowed)}
        else:
            hint = _("The project is closed; no further step is possible.")
        raise ValidationError(
            {
                "to": _("Project %(code)s cannot go from “%(from)s” to “%(to)s”. %(hint)s")
                % {
                    "code": project.code,
                    "from": _status_label(project.status),
                    "to": _status_label(to_status),
                    "hint": hint,
                }
            }
        )
    if date > today():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    if previous and date < previous:
        raise ValidationError(
            {
                "date": _("The date cannot be before the previous step (%(date)s).")
                % {"date": previous.strftime("%d/%m/%Y")}
            }
        )
    if to_status in lifecycle.DOCUMENT_REQUIRED and not document_number.strip():
        raise ValidationError(
            {
                "document_number": _("Enter the number of the decision or contract for “%(to)s”.")
                % {"to": _status_label(to_status)}
            }
        )


@transaction.atomic
def project_transition(
    *,
    project: Project,
    to_status: str,
    date: datetime.date,
    document_number: str = "",
    note: str = "",
    user=None,
) -> ProjectTransition:
    """Move `project` one step along its lifecycle and record who did it, when, under which
    document. Raises ValidationError, saving nothing, when the move or its data is not allowed."""
    given = project
    # Lock the row: two officials moving the same project at once must not both succeed.
    project = Project.objects.select_for_update().get(pk=given.pk)
    _check_transition(project, to_status, date, document_number, _last_transition_date(project))
    step = ProjectTransition.objects.create(
        project=project,
        from_status=project.status,
        to_status=to_status,
        date=date,
        document_number=document_number.strip(),
        note=note,
        user=user if user is not None and user.is_authenticated else None,
    )
    project.status = to_status
    project.status_changed_on = date
    authored(project, user).save(update_fields=["status", "status_changed_on", "updated_at"])
    given.status, given.status_changed_on = project.status, project.status_changed_on
    return step


def lifecycle_path(to_status: str) -> list[str]:
    """The shortest chain of statuses from `proposed` to `to_status`, excluding `proposed`;
    ValidationError for a code that is not a status."""
    path = lifecycle.shortest_path(S.PROPOSED, to_status)
    if path is None:
        raise ValidationError({"status": _("Unknown status “%(status)s”.") % {"status": to_status}})
    return path


def next_project_code(province: Province, year: int, funding_source: str) -> str:
    """A free code `<fund>-<year>-<province code>-<n>`, n one past the highest in use."""
    prefix = f"{funding_source}-{year}-{province.code}-"
    codes = Project.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(code[len(prefix) :]) for code in codes if code[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


@transaction.atomic
def project_create(
    *,
    user=None,
    status: str = S.PROPOSED,
    status_date: datetime.date | None = None,
    step_dates: Mapping[str, datetime.date] | None = None,
    step_documents: Mapping[str, str] | None = None,
    **fields,
) -> Project:
    """Create a project, directly in any lifecycle status (for historical records).

    The steps from `proposed` to `status` are recorded as transitions, each dated from
    `step_dates` or else `status_date` (default: 1 January of the project's year, or today
    if that is earlier), with numbers from `step_documents`.
    Raises ValidationError, saving nothing, on invalid data.
    """
    step_dates = step_dates or {}
    step_documents = step_documents or {}
    project = Project(**fields)
    project.status = S.PROPOSED
    if not project.code and project.province_id and project.year and project.funding_source:
        project.code = next_project_code(project.province, project.year, project.funding_source)
    project.full_clean()
    project_check(project=project)
    authored(project, user).save()
    # A historical project's implied steps default to the start of its year (not today), so
    # that its money and outputs of that year come after its contract.
    default_date = status_date or min(today(), datetime.date(project.year, 1, 1))
    for step in lifecycle_path(status):
        project_transition(
            project=project,
            to_status=step,
            date=step_dates.get(step, default_date),
            document_number=step_documents.get(step, "")
            or (f"{project.code}/{step}" if step in lifecycle.DOCUMENT_REQUIRED else ""),
            user=user,
        )
    project.refresh_from_db()
    return project


@transaction.atomic
def project_update(*, project: Project, user=None, **fields) -> Project:
    """Change a project's descriptive fields (not its status: that is `project_transition`).

    The support cannot drop below what has already been disbursed; the fields a locked report
    hangs on do not change (`project_check`). ValidationError, saving nothing, otherwise.
    """
    if "status" in fields:
        raise ValidationError({"status": _("Change the status through a lifecycle step.")})
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    project_check(project=project)
    disbursed = project_disbursed_vnd(project)
    if project.support_vnd < disbursed:
        raise ValidationError(
            {
                "support_vnd": _("The support cannot be less than the %(disbursed)s already disbursed.")
                % {"disbursed": money_text(disbursed)}
            }
        )
    authored(project, user).save()
    return project


def _check_year_open(province: Province, year: int, field: str | None = None) -> None:
    """ValidationError when `year` is closed for `province` (its FY report approved)."""
    reason = locks.year_closed_reason(province, year)
    if reason:
        message = PROJECT_YEAR_CLOSED % {"province": province.name, "year": year, "lock": reason}
        raise ValidationError({field: message} if field else message, code="locked")


def project_check(*, project: Project) -> None:
    """The locks on a new or changed project (`project`, not yet saved), raising ValidationError
    keyed by field: the one rule `project_create`, `project_update`, the admin's form and the
    import share.

    - new: refused in a province-year whose FY report is approved;
    - changed: province, year, fund, category and support refused while a disbursement or an
      output of the project is dated in an approved report, or its year is closed; a move into a
      closed province-year refused.
    """
    if project.pk is None:
        _check_year_open(project.province, project.year)
        return
    stored = Project.objects.select_related("province", "category").get(pk=project.pk)
    changed = [name for name in LOCKED_FIELDS if getattr(project, name) != getattr(stored, name)]
    if not changed:
        return
    reason = locks.project_lock_reason(stored)
    if reason:
        labels = ", ".join(str(Project._meta.get_field(name).verbose_name) for name in changed)
        raise ValidationError({changed[0]: PROJECT_FIELDS_LOCKED % {"fields": labels, "lock": reason}})
    if (project.province_id, project.year) != (stored.province_id, stored.year):
        _check_year_open(project.province, project.year, field="year" if project.year != stored.year else "province")


def project_delete_check(*, project: Project) -> None:
    """ValidationError when `project` may not be deleted: its year is closed (FY report approved),
    or it has disbursements or outputs (cancel it instead)."""
    _check_year_open(project.province, project.year)
    if project.disbursements.exists() or project.outputs.exists():
        raise ValidationError(PROJECT_HAS_RECORDS, code="protected")


def project_lock_reason(project: Project) -> str | None:
    """Why the project's province, year, fund, category and support are read-only, or None
    (the admin shows the reason beside the read-only fields)."""
    return locks.project_lock_reason(project)


@transaction.atomic
def project_delete(*, project: Project, user=None) -> None:
    """Delete a project with its lifecycle steps (which have no history of their own: the
    project's deletion row in its history says how many went with it).

    Refused (ValidationError, nothing deleted): a project of a closed year (its FY report
    approved), and one with disbursements or outputs (cancel it instead).
    """
    project = Project.objects.select_for_update().select_related("province").get(pk=project.pk)
    project_delete_check(project=project)
    steps = project.transitions.count()
    with_reason(project, PROJECT_DELETED_REASON % {"code": project.code, "steps": steps}, user)
    project.delete()  # the steps go with it (on_delete CASCADE)
