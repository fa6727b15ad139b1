"""Odd filter and search values (issue 17, item 3): a NUL byte, a huge or negative number, text
where an id is expected, very long strings, in every filter of every admin changelist (and its
"Download Excel"), in the admin's autocomplete and in every API list's filters. Each answers
400, a redirect to the list with its "filters not understood" message, or a (possibly empty)
list: never 500. Run on SQLite and on PostgreSQL (which refuses NUL bytes in a query and
numbers outside an integer's range).
"""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.test import TestCase
from django.urls import reverse

from tests import factories

ODD = [
    "\x00",
    "1\x00",
    "99999999999999999999",
    "-99999999999999999999",
    "-1",
    "1e400",
    "abc",
    "٣",
    "x" * 5_000,
    "2016-13-45",
]
# The values that reach the most code: a NUL byte, a number beyond any integer column, text
# for an id, a long string. The admin changelists (many requests each) are tried with these;
# their downloads and the province staff (scoped lists) with the first two.
SHARP = ["\x00", "99999999999999999999", "abc", "x" * 5_000]
ANSWERS = {200, 302, 400}  # the list (maybe empty), the list with its message, or 400
API_LISTS = [
    ("region-list", ["search", "ordering"]),
    ("province-list", ["region", "active_on", "code", "search", "ordering"]),
    ("budget-plan-list", ["year", "province", "region", "funding_source", "status", "search", "ordering"]),
    ("indicator-target-list", ["year", "province", "region", "indicator", "search", "ordering"]),
    ("project-list", ["year", "province", "region", "funding_source", "status", "category", "search", "ordering"]),
    ("api-conference-list", ["year", "region", "province", "search", "ordering"]),
    ("api-report-summary", ["year", "region", "province", "as_of", "period"]),
]
PAGING = ["page", "page_size", "limit", "offset"]


def filter_parameters(request, model_admin) -> set[str]:
    """The query parameters the changelist's filters read, its search, ordering, page and
    date drill-down."""
    changelist: ChangeList = model_admin.get_changelist_instance(request)
    names = {"q", "o", "p", "e", "year", "province__id__exact"}
    for spec in changelist.filter_specs:
        names.update(spec.expected_parameters())
    if changelist.date_hierarchy:
        field = changelist.date_hierarchy
        names.update({f"{field}__year", f"{field}__month", f"{field}__day"})
    return names


class OddValueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.province = factories.province("74")
        cls.admin_user = factories.member("admin", username="admin_user", is_superuser=True)
        cls.staff = factories.member("province_staff", cls.province, username="staff")
        project = factories.project(cls.province, 2016)
        cls.project_pk = project.pk

    def assert_answers(self, url: str, params: dict, where: str) -> None:
        response = self.client.get(url, params)
        self.assertIn(response.status_code, ANSWERS, f"{where} {params!r}"[:300])

    def test_every_admin_changelist_and_its_download(self):
        from django.test import RequestFactory

        for user in (self.admin_user, self.staff):
            self.client.force_login(user)
            request = RequestFactory().get("/")
            request.user = user
            for model, model_admin in admin.site._registry.items():
                if not model_admin.has_view_or_change_permission(request):
                    continue
                opts = model._meta
                urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")]
                if getattr(model_admin, "excel_export", False):
                    urls.append(reverse("exports:changelist", args=[opts.app_label, opts.model_name]))
                for name in sorted(filter_parameters(request, model_admin)):
                    for index, url in enumerate(urls):
                        values = SHARP if index == 0 and user == self.admin_user else SHARP[:2]
                        for value in values:
                            with self.subTest(user=user.username, url=url, parameter=name, value=value[:20]):
                                self.assert_answers(url, {name: value}, url)

    def test_the_autocomplete(self):
        url = reverse("admin:autocomplete")
        fields = []
        for model, model_admin in admin.site._registry.items():
            for field_name in model_admin.autocomplete_fields:
                fields.append((model._meta.app_label, model._meta.model_name, field_name))
        self.assertGreaterEqual(len(fields), 10)
        for user in (self.admin_user, self.staff):
            self.client.force_login(user)
            for app_label, model_name, field_name in fields:
                for value in ODD if user == self.admin_user else SHARP:
                    params = {"app_label": app_label, "model_name": model_name, "field_name": field_name}
                    with self.subTest(user=user.username, field=f"{model_name}.{field_name}", value=value[:20]):
                        # 403: the province staff may not look up conferences.
                        response = self.client.get(url, {**params, "term": value})
                        self.assertIn(response.status_code, {200, 400, 403}, f"autocomplete term={value!r}"[:200])
                        # A page that is not a page number is Django's 404, as for any list view (400: a NUL byte).
                        response = self.client.get(url, {**params, "term": "a", "page": value})
                        self.assertIn(response.status_code, {200, 400, 403, 404}, f"autocomplete page={value!r}"[:200])
            for value in ODD[:3]:  # odd names of the model and field themselves
                with self.subTest(user=user.username, names=value):
                    params = {"app_label": value, "model_name": value, "field_name": value, "term": "a"}
                    self.assertIn(self.client.get(url, params).status_code, {403, 404, 400})

    def test_every_api_list(self):
        lists = [(reverse(name), parameters) for name, parameters in API_LISTS]
        lists += [
            (reverse(name, kwargs={"project_pk": self.project_pk}), ["kind", "search", "ordering"])
            for name in ("project-disbursement-list", "project-output-list")
        ]
        for user in (self.admin_user, self.staff):
            self.client.force_login(user)
            for url, parameters in lists:
                for name in [*parameters, *PAGING]:
                    for value in ODD if user == self.admin_user else SHARP:
                        with self.subTest(user=user.username, url=url, parameter=name, value=value[:20]):
                            response = self.client.get(url, {name: value}, HTTP_ACCEPT="application/json")
                            self.assertIn(response.status_code, {200, 400, 404}, f"{url} {name}={value!r}"[:300])
                            if response.status_code == 400:
                                self.assertEqual(response["Content-Type"], "application/json")


class NulByteTests(TestCase):
    """The NUL byte is refused before any view reads it (khuyencong.middleware.nul_byte_middleware)."""

    @classmethod
    def setUpTestData(cls):
        cls.user = factories.member("admin", username="admin_user", is_superuser=True)

    def test_pages_the_admin_and_the_api_answer_400(self):
        self.client.force_login(self.user)
        for url in (reverse("home"), reverse("admin:programmes_project_changelist"), reverse("admin:autocomplete")):
            for params in ({"q": "a\x00"}, {"a\x00": "1"}, {"term": "\x00", "q": "fine"}):
                with self.subTest(url=url, params=params):
                    response = self.client.get(url, params)
                    self.assertEqual(response.status_code, 400)
                    self.assertContains(response, "Yêu cầu không hợp lệ", status_code=400)
        response = self.client.get(reverse("project-list"), {"search": "\x00"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["Content-Type"], "application/json")

    def test_other_odd_text_is_let_through(self):
        self.client.force_login(self.user)
        response = self.client.get(reverse("admin:programmes_project_changelist"), {"q": "%00 \\x00 ' --"})
        self.assertEqual(response.status_code, 200)
