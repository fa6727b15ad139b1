"""A checked file is imported once, however many times it is confirmed (issue 20, item 4).

Two confirmations of one checked file (two tabs, a double click, a retry) both pass the
session check; before, both read the file and both imported it: every payment twice. The view
now claims the file with an atomic rename before importing it. The second confirmation is
simulated while the first is importing (from inside its import), with the same session.
"""

import io
import tempfile
from unittest import mock

from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from programmes import import_views, importer
from programmes.models import Disbursement

from .test_import import ImportTestCase, appended

NEW_PAYMENT = ["KCQG-2024-79-001", "05/11/2024", "payment", 50_000_000, "UNC-07"]


class ConfirmOnceTests(ImportTestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        patcher = mock.patch.object(tempfile, "tempdir", folder.name)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.client.force_login(self.officer)

    def checked_token(self) -> str:
        upload = io.BytesIO(appended(self.template(), "Giải ngân", NEW_PAYMENT))
        upload.name = "ke-hoach.xlsx"
        response = self.client.post(reverse("programmes:import"), {"file": upload})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["token"])
        return response.context["token"]

    def confirm(self, token: str, client: Client | None = None):
        return (client or self.client).post(reverse("programmes:import-confirm"), {"token": token})

    def test_a_confirmation_during_the_import_is_told_and_imports_nothing(self):
        token = self.checked_token()
        before = Disbursement.objects.count()
        second_tab = Client()
        second_tab.cookies = self.client.cookies  # the same session: the same checked file
        answers = []
        real_import = importer.import_file

        def import_with_a_second_click(*args, **kwargs):
            answers.append(self.confirm(token, second_tab))
            return real_import(*args, **kwargs)

        with mock.patch.object(importer, "import_file", side_effect=import_with_a_second_click):
            first = self.confirm(token)
        self.assertTrue(first.context["report"].committed)
        self.assertEqual(len(answers), 1)
        self.assertContains(answers[0], gettext(str(import_views.ALREADY_IMPORTING)))
        self.assertIsNone(answers[0].context.get("report"))
        self.assertEqual(Disbursement.objects.count(), before + 1)

    def test_a_confirmation_after_the_import_says_it_was_imported(self):
        token = self.checked_token()
        checked = self.client.session[import_views.SESSION_KEY]
        self.assertTrue(self.confirm(token).context["report"].committed)
        before = Disbursement.objects.count()
        # A second tab whose request read the session before the first confirmation ended it.
        session = self.client.session
        session[import_views.SESSION_KEY] = checked
        session.save()
        answer = self.confirm(token)
        self.assertContains(answer, gettext(str(import_views.ALREADY_IMPORTED)))
        self.assertEqual(Disbursement.objects.count(), before)

    def test_a_crash_during_the_import_leaves_the_file_to_confirm_again(self):
        token = self.checked_token()
        before = Disbursement.objects.count()
        with (
            mock.patch.object(importer, "import_file", side_effect=RuntimeError("worker stopped")),
            self.assertRaises(RuntimeError),
        ):
            self.confirm(token)
        self.assertEqual(Disbursement.objects.count(), before)
        self.assertTrue(import_views._stored_path(token).exists())
        self.assertTrue(self.confirm(token).context["report"].committed)
        self.assertEqual(Disbursement.objects.count(), before + 1)

    def test_the_clean_up_removes_the_marks_with_the_uploads(self):
        token = self.checked_token()
        self.assertTrue(self.confirm(token).context["report"].committed)
        mark = import_views._imported_path(token)
        self.assertTrue(mark.exists())
        with self.settings(IMPORT_UPLOAD_MAX_AGE_HOURS=-1):
            self.assertEqual(import_views.remove_abandoned_uploads(), 1)
        self.assertFalse(mark.exists())
