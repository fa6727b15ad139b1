"""Abandoned uploads of the Excel import are deleted (programmes.import_views.remove_abandoned_uploads).

A checked upload waits in the import folder for "Xác nhận nhập"; the next upload deletes those
older than IMPORT_UPLOAD_MAX_AGE_HOURS, and nothing else: not a fresh upload, not a file or a
link of another name, not what a link points to. Each test works in its own temporary folder.
"""

import io
import os
import tempfile
import time
from pathlib import Path
from unittest import mock

from django.test import override_settings
from django.urls import reverse
from django.utils.translation import gettext

from programmes import import_views

from .test_import import ImportTestCase

HOUR = 3600


class AbandonedUploadTests(ImportTestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        patcher = mock.patch.object(tempfile, "tempdir", self.tmp.name)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.folder = import_views._upload_dir()
        self.outside = Path(self.tmp.name) / "someone-elses.xlsx"
        self.outside.write_bytes(b"keep")
        self.stored = {
            "old": self.file("0123456789abcdef0123456789abcdef.xlsx", hours=13),
            "recent": self.file("fedcba9876543210fedcba9876543210.xlsx", hours=2),
            "other name": self.file("ghi-chu.txt", hours=48),
            "upper case": self.file("0123456789ABCDEF0123456789ABCDEF.xlsx", hours=48),
        }
        link = self.folder / "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.xlsx"
        link.symlink_to(self.outside)
        os.utime(link, (time.time() - 48 * HOUR,) * 2, follow_symlinks=False)
        self.stored["link"] = link
        folder = self.folder / "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.xlsx"
        folder.mkdir()
        os.utime(folder, (time.time() - 48 * HOUR,) * 2)
        self.stored["folder"] = folder

    def file(self, name: str, *, hours: float) -> Path:
        path = self.folder / name
        path.write_bytes(b"PK")
        moment = time.time() - hours * HOUR
        os.utime(path, (moment, moment))
        return path

    def upload(self):
        self.client.force_login(self.admin)
        upload = io.BytesIO(self.template())
        upload.name = "ke-hoach.xlsx"
        return self.client.post(reverse("programmes:import"), {"file": upload})

    def remaining(self) -> set[str]:
        return {name for name, path in self.stored.items() if os.path.lexists(path)}

    def test_a_new_upload_deletes_the_stored_uploads_older_than_the_limit_and_nothing_else(self):
        response = self.upload()

        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.remaining(), {"recent", "other name", "upper case", "link", "folder"})
        self.assertEqual(self.outside.read_bytes(), b"keep")
        # The new upload waits for its confirmation.
        token = response.context["token"]
        self.assertTrue((self.folder / f"{token}.xlsx").is_file())

    @override_settings(IMPORT_UPLOAD_MAX_AGE_HOURS=1)
    def test_the_limit_is_a_setting(self):
        self.assertEqual(import_views.remove_abandoned_uploads(), 2)
        self.assertEqual(self.remaining(), {"other name", "upper case", "link", "folder"})

    def test_the_default_limit_keeps_a_working_day(self):
        self.assertEqual(import_views.upload_max_age_hours(), import_views.DEFAULT_UPLOAD_MAX_AGE_HOURS)
        self.assertGreaterEqual(import_views.DEFAULT_UPLOAD_MAX_AGE_HOURS, 8)
        self.assertEqual(import_views.remove_abandoned_uploads(), 1)
        self.assertEqual(import_views.remove_abandoned_uploads(), 0)

    def test_a_cleaned_upload_cannot_be_confirmed_and_says_so(self):
        response = self.upload()
        token = response.context["token"]
        stored = self.folder / f"{token}.xlsx"
        os.utime(stored, (time.time() - 24 * HOUR,) * 2)
        import_views.remove_abandoned_uploads()

        response = self.client.post(reverse("programmes:import-confirm"), {"token": token})

        self.assertFalse(stored.exists())
        self.assertContains(response, gettext("The checked file is no longer available. Upload it again."))
