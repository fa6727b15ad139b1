"""Pages of the Excel import: the template download, the upload with its dry run, and the confirmation.

Who may import: province staff (their territory) and administrators (any province), as decided by
programmes.access. The uploaded file is kept in a private temporary directory under a random token
remembered in the session, so that "Xác nhận nhập" imports exactly the file that was checked.
Uploads that were never confirmed are deleted by the next upload once they are older than
IMPORT_UPLOAD_MAX_AGE_HOURS (a setting; DEFAULT_UPLOAD_MAX_AGE_HOURS when unset).
"""

import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import access, importer
from .models import MAX_YEAR, MIN_YEAR, Province

SESSION_KEY = "programmes_import"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A checked upload waits this long for its "Xác nhận nhập": a working day and some.
DEFAULT_UPLOAD_MAX_AGE_HOURS = 12
# The names `_stored_path` and `_claimed_path` give: only these files of the folder are ever deleted.
STORED_NAME = re.compile(r"[0-9a-f]{32}\.(xlsx|importing|imported)")


may_import = access.may_import

ALREADY_IMPORTING = gettext_lazy(
    "This file is being imported by another confirmation (another tab or a second click). It is "
    "imported once: see the result in that tab, or on the project pages."
)
ALREADY_IMPORTED = gettext_lazy(
    "This file has already been imported by an earlier confirmation. It is not imported twice: "
    "see the result on the project pages."
)


def _require_importer(user) -> None:
    if not may_import(user):
        raise PermissionDenied(_("You may not import records."))


def _upload_dir() -> Path:
    path = Path(tempfile.gettempdir()) / "khuyencong-import"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _stored_path(token: str) -> Path:
    return _upload_dir() / f"{token}.xlsx"


def _claimed_path(token: str) -> Path:
    """Where a checked file is while its confirmation imports it (see `import_confirm`)."""
    return _upload_dir() / f"{token}.importing"


def _imported_path(token: str) -> Path:
    """An empty mark that the file of `token` was imported, kept as long as an upload is."""
    return _upload_dir() / f"{token}.imported"


def upload_max_age_hours() -> float:
    return getattr(settings, "IMPORT_UPLOAD_MAX_AGE_HOURS", DEFAULT_UPLOAD_MAX_AGE_HOURS)


def remove_abandoned_uploads() -> int:
    """Delete the stored uploads last written more than `upload_max_age_hours()` ago (checked,
    then never confirmed or cancelled); return how many. Only regular files named as
    `_stored_path` names them are touched, never a link, a folder or another file."""
    cutoff = time.time() - upload_max_age_hours() * 3600
    removed = 0
    with os.scandir(_upload_dir()) as entries:
        for entry in entries:
            if not (STORED_NAME.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)):
                continue
            try:
                if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
            except FileNotFoundError:  # another request removed it first
                continue
    return removed


def _forget_upload(request) -> None:
    stored = request.session.pop(SESSION_KEY, None)
    if stored and isinstance(stored, dict) and str(stored.get("token", "")).isalnum():
        _stored_path(stored["token"]).unlink(missing_ok=True)


def _choices(user):
    ids = access.editable_province_ids(user)
    provinces = Province.objects.order_by("code", "valid_from")
    if ids is not None:
        provinces = provinces.filter(pk__in=ids)
    return list(provinces)


def _page(request, **context):
    today = timezone.localdate()
    context.setdefault("provinces", _choices(request.user))
    own = access.user_province(request.user)
    context.setdefault("selected_province", own.pk if own else None)
    context.setdefault("years", range(min(today.year + 1, MAX_YEAR), max(MIN_YEAR, today.year - 6) - 1, -1))
    context.setdefault("year", today.year)
    context.setdefault("max_mb", round(importer.max_bytes() / 1024 / 1024, 1))
    return render(request, "programmes/import.html", context)


def _preselected(request) -> dict:
    """The province and year a link chose (the year-plan page's `?province=<id>&year=<year>`),
    when the user may import that province and the year is a year of the form; else nothing."""
    chosen = {}
    province, year = request.GET.get("province", ""), request.GET.get("year", "")
    if province.isdigit() and int(province) in {p.pk for p in _choices(request.user)}:
        chosen["selected_province"] = int(province)
    if year.isdigit() and MIN_YEAR <= int(year) <= MAX_YEAR:
        chosen["year"] = int(year)
    return chosen


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """The upload form; a POSTed workbook is read and dry-run, nothing is written."""
    _require_importer(request.user)
    if request.method == "GET":
        return _page(request, **_preselected(request))
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, refusal=_("Choose the Excel file to import."))
    _forget_upload(request)
    remove_abandoned_uploads()
    if upload.size > importer.max_bytes():
        return _page(request, refusal=importer.msg_too_big(importer.max_bytes()))
    data = upload.read(importer.max_bytes() + 1)
    try:
        parsed = importer.read_workbook(data, upload.name or "")
        report = importer.run_import(parsed, request.user, commit=False)
    except importer.ImportRefused as refusal:
        return _page(request, refusal=refusal.message)
    token = None
    if report.ok:
        token = secrets.token_hex(16)
        path = _stored_path(token)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        request.session[SESSION_KEY] = {"token": token, "name": upload.name, "user": request.user.pk}
    return render(
        request,
        "programmes/import_dry_run.html",
        {"report": report, "token": token, "filename": upload.name, "counts": report.counts()},
    )


@login_required
@require_POST
def import_confirm(request):
    """Import the checked file in one transaction; on any refusal nothing is saved."""
    _require_importer(request.user)
    stored = request.session.get(SESSION_KEY)
    token = request.POST.get("token", "")
    if not stored or stored.get("token") != token or stored.get("user") != request.user.pk or not token.isalnum():
        return _page(request, refusal=_("The checked file is no longer available. Upload it again."))
    # The confirmation is taken once. Two confirmations of one checked file (two tabs, a double
    # click, a retry) both pass the session check; the rename below is atomic, so only one of
    # them claims the file and imports it, and the other is told so: no payment twice.
    path, claimed = _stored_path(token), _claimed_path(token)
    try:
        os.rename(path, claimed)
        os.utime(claimed)  # its age is now the confirmation's: the clean-up leaves it alone
    except FileNotFoundError:
        if claimed.exists():
            return _page(request, refusal=ALREADY_IMPORTING)
        if _imported_path(token).exists():
            request.session.pop(SESSION_KEY, None)
            return _page(request, refusal=ALREADY_IMPORTED)
        request.session.pop(SESSION_KEY, None)
        return _page(request, refusal=_("The checked file is no longer available. Upload it again."))
    try:
        data = claimed.read_bytes()
        report = importer.import_file(data, request.user, commit=True)
    except importer.ImportRefused as refusal:
        claimed.unlink(missing_ok=True)
        _forget_upload(request)
        return _page(request, refusal=refusal.message)
    except BaseException:
        # Nothing was written (the import is one transaction): the file may be confirmed again.
        os.replace(claimed, path)
        raise
    if report.ok:
        _imported_path(token).touch()
    claimed.unlink(missing_ok=True)
    if not report.ok:
        return render(
            request,
            "programmes/import_dry_run.html",
            {
                "report": report,
                "token": None,
                "filename": stored.get("name"),
                "counts": report.counts(),
                "failed": True,
            },
        )
    _forget_upload(request)
    return render(
        request,
        "programmes/import_done.html",
        {"report": report, "filename": stored.get("name"), "counts": report.counts()},
    )


@login_required
@require_GET
def import_template(request):
    """The workbook of one province and year, pre-filled with its current records."""
    _require_importer(request.user)
    try:
        province = Province.objects.get(pk=int(request.GET.get("province", "")))
        year = int(request.GET.get("year", ""))
    except (ValueError, Province.DoesNotExist):
        raise Http404(_("Choose a province and a year.")) from None
    if not MIN_YEAR <= year <= MAX_YEAR or not province.active_in_year(year):
        raise Http404(_("This province was not in force in that year."))
    if not access.can_edit_province(request.user, province):
        raise PermissionDenied(importer.msg_not_allowed(province.name))
    response = HttpResponse(importer.build_template(province, year), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="khuyencong-{province.code}-{year}.xlsx"'
    return response
