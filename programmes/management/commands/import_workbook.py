"""Import a province-year workbook (the portal's Excel template) from the command line.

    python manage.py import_workbook FILE --user USERNAME [--dry-run]

The same checks and services as the upload page (programmes.importer): the dry run prints what
would change; without it everything is imported in one transaction, or nothing is. Exits with a
non-zero code and the messages on any refusal or error.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from programmes import importer


class Command(BaseCommand):
    help = "Import a province-year Excel workbook (dry run with --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook (the portal's import template)")
        parser.add_argument("--user", required=True, help="username of the person importing (their rights apply)")
        parser.add_argument("--dry-run", action="store_true", help="check and report, save nothing")

    def handle(self, *args, file: str, user: str, dry_run: bool, **options):
        translation.activate("vi")
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"Không có người dùng “{user}”.")
        path = Path(file)
        try:
            with path.open("rb") as handle:
                data = handle.read(importer.max_bytes() + 1)
        except OSError as error:
            raise CommandError(f"Không đọc được tệp {file}: {error.strerror}") from None
        try:
            report = importer.import_file(data, account, commit=not dry_run, filename=path.name)
        except importer.ImportRefused as refusal:
            raise CommandError(refusal.message) from None
        self.stdout.write(report.as_text())
        if not report.ok:
            raise CommandError(f"Không nhập được: {len(report.errors)} lỗi, không có gì được lưu.")
        if dry_run:
            self.stdout.write("Chạy thử: không có gì được lưu.")
        else:
            self.stdout.write(self.style.SUCCESS("Đã nhập."))
