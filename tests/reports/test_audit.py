"""The audit trail: the selector, the page and its filters, the scoping by province, the Excel
export, and pinned query counts (the same for 3 and 30 history rows)."""

import datetime
import io
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

import time_machine
from django.conf import settings
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from openpyxl import load_workbook
from simple_history.models import HistoricalRecords

from common.i18n import vietnamese_sort_key
from programmes import services, workflow
from programmes.models import ApprovalStatus, BudgetPlan, Disbursement, FundingSource
from reports import audit
from reports.audit import excel as audit_excel
from tests import factories

TZ = datetime.timezone(datetime.timedelta(hours=7))  # Asia/Ho_Chi_Minh


def at(day: int, hour: int = 9, month: int = 3) -> datetime.datetime:
    return datetime.datetime(2024, month, day, hour, 0, tzinfo=TZ)


@contextmanager
def acting_as(user, when: datetime.datetime):
    """Writes at `when` by `user`, as a request through HistoryRequestMiddleware would record
    them (for services that save a record they read themselves, so `_history_user` cannot be
    set on it from outside)."""
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    try:
        with time_machine.travel(when, tick=False):
            yield
    finally:
        del HistoricalRecords.context.request


def draft_plan(province, amount: int, *, user, when, fund=FundingSource.KCQG) -> BudgetPlan:
    plan = BudgetPlan(
        province=province, year=2024, funding_source=fund, planned_vnd=Decimal(amount), status=ApprovalStatus.DRAFT
    )
    with acting_as(user, when):
        return services.budget_plan_save(plan=plan, user=user)


def revise(plan: BudgetPlan, amount: int, *, user, when) -> None:
    plan.planned_vnd = Decimal(amount)
    with acting_as(user, when):
        services.budget_plan_save(plan=plan, user=user)


def label(model, name: str) -> str:
    return str(capfirst(model._meta.get_field(name).verbose_name))


class AuditTrailTests(TestCase):
    """Two provinces' officers change their records; the ministry, viewer and admin see all of
    it, each officer only their own province's."""

    @classmethod
    def setUpTestData(cls):
        cls.hcm = factories.province("79")
        cls.hanoi = factories.province("01")
        cls.officer_a = factories.member("province_staff", cls.hcm, username="can.bo.hcm")
        cls.officer_b = factories.member("province_staff", cls.hanoi, username="can.bo.hn")
        cls.ministry = factories.member("ministry")
        cls.viewer = factories.member("viewer")
        cls.admin = factories.member("admin")
        cls.nobody = factories.user()

        cls.plan_a = draft_plan(cls.hcm, 1_000_000_000, user=cls.officer_a, when=at(10))
        revise(cls.plan_a, 1_250_000_000, user=cls.officer_a, when=at(11))
        cls.plan_b = draft_plan(cls.hanoi, 2_000_000_000, user=cls.officer_b, when=at(12))
        with acting_as(cls.officer_a, at(13)):
            workflow.plan_submit(plan=cls.plan_a, user=cls.officer_a)
        with acting_as(cls.officer_a, at(2, month=4)):
            cls.project_a = factories.project(cls.hcm, 2024, status_date=datetime.date(2024, 3, 1))
        with acting_as(cls.officer_a, at(3, month=4)):
            cls.payment = services.disbursement_create(
                project=cls.project_a, date=datetime.date(2024, 4, 1), amount_vnd=Decimal(100_000_000), note="=1+1"
            )

    def entries(self, user, **filters) -> list[audit.AuditEntry]:
        return audit.audit_entries(user=user, filters=audit.AuditFilters(**filters), limit=500)

    # ---- the selector ----------------------------------------------------------------------

    def test_entries_are_newest_first_with_who_what_and_old_to_new(self):
        entries = self.entries(self.ministry)
        assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)
        assert entries[0].model == "disbursement"
        assert entries[0].action == audit.CREATED
        revision = next(e for e in entries if e.model == "budgetplan" and e.when == at(11))
        assert revision.who == self.officer_a.username
        assert revision.province == str(self.hcm)
        assert revision.record_label == str(self.plan_a)
        assert revision.changes == (
            audit.FieldChange(label(BudgetPlan, "planned_vnd"), "1.000.000.000 đ", "1.250.000.000 đ"),
        )

    def test_choices_show_their_labels_and_dates_read_dd_mm_yyyy(self):
        payment = self.entries(self.ministry, model="disbursement")[0]
        values = {change.field: change.new for change in payment.changes}
        assert values[label(Disbursement, "kind")] == str(Disbursement._meta.get_field("kind").choices[1][1])
        assert values[label(Disbursement, "date")] == "01/04/2024"
        assert values[label(Disbursement, "amount_vnd")] == "100.000.000 đ"
        assert values[label(Disbursement, "project")] == str(self.project_a)

    def test_filters_by_user_province_model_and_dates(self):
        by_user = self.entries(self.ministry, user_id=self.officer_b.pk)
        assert {(e.model, e.record_id) for e in by_user} == {("budgetplan", self.plan_b.pk)}

        by_province = self.entries(self.ministry, province_id=self.hanoi.pk)
        assert {e.record_id for e in by_province} == {self.plan_b.pk}
        assert all(e.province_id == self.hcm.pk for e in self.entries(self.ministry, province_id=self.hcm.pk))

        by_model = self.entries(self.ministry, model="disbursement")
        assert [(e.model, e.record_id) for e in by_model] == [("disbursement", self.payment.pk)]

        by_dates = self.entries(self.ministry, date_from=datetime.date(2024, 3, 11), date_to=datetime.date(2024, 3, 12))
        assert [(e.model, e.record_id, e.when) for e in by_dates] == [
            ("budgetplan", self.plan_b.pk, at(12)),
            ("budgetplan", self.plan_a.pk, at(11)),
        ]

    def test_paging_through_the_entries_loses_and_repeats_nothing(self):
        everything = self.entries(self.ministry)
        pages = [
            audit.audit_entries(user=self.ministry, filters=audit.AuditFilters(), limit=2, offset=o)
            for o in (0, 2, 4, 6, 8, 10)
        ]
        assert [e.history_id for page in pages for e in page][: len(everything)] == [e.history_id for e in everything]
        assert audit.audit_count(user=self.ministry, filters=audit.AuditFilters()) == len(everything)
        chunked = list(audit.iter_audit_entries(user=self.ministry, filters=audit.AuditFilters(), chunk=2))
        assert [e.history_id for e in chunked] == [e.history_id for e in everything]

    def test_province_staff_never_see_another_province(self):
        own = self.entries(self.officer_a)
        assert own
        assert {e.province_id for e in own} == {self.hcm.pk}
        assert self.entries(self.officer_b) == self.entries(self.officer_b, province_id=self.hanoi.pk)
        assert self.entries(self.officer_a, province_id=self.hanoi.pk) == []
        assert self.entries(self.officer_a, user_id=self.officer_b.pk) == []
        assert self.officer_b not in audit.audit_users(user=self.officer_a)
        assert self.entries(self.nobody) == []

    # ---- the page --------------------------------------------------------------------------

    def test_every_role_opens_the_page_anonymous_visitors_log_in_others_get_403(self):
        url = reverse("reports:audit")
        response = self.client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        for person in (self.ministry, self.viewer, self.admin, self.officer_a):
            self.client.force_login(person)
            assert self.client.get(url).status_code == 200
        self.client.force_login(self.nobody)
        assert self.client.get(url).status_code == 403

    def test_the_page_lists_the_changes_with_links_to_each_record_history(self):
        self.client.force_login(self.viewer)
        page = self.client.get(reverse("reports:audit")).content.decode()
        assert "1.000.000.000 đ" in page and "1.250.000.000 đ" in page
        assert reverse("reports:audit-record", args=["budgetplan", self.plan_a.pk]) in page
        assert reverse("reports:audit-record", args=["disbursement", self.payment.pk]) in page

    def test_the_page_filters(self):
        self.client.force_login(self.ministry)
        response = self.client.get(reverse("reports:audit"), {"province": self.hanoi.pk, "model": "budgetplan"})
        entries = response.context["entries"]
        assert [(e.model, e.record_id) for e in entries] == [("budgetplan", self.plan_b.pk)]
        response = self.client.get(reverse("reports:audit"), {"user": self.officer_b.pk})
        assert {e.user_id for e in response.context["entries"]} == {self.officer_b.pk}
        response = self.client.get(reverse("reports:audit"), {"date_from": "2024-04-01", "date_to": "2024-04-30"})
        assert {e.when.month for e in response.context["entries"]} == {4}

    def test_reversed_dates_are_refused(self):
        self.client.force_login(self.ministry)
        response = self.client.get(reverse("reports:audit"), {"date_from": "2024-04-30", "date_to": "2024-04-01"})
        assert response.status_code == 400
        assert "entries" not in response.context

    def test_province_staff_cannot_filter_or_open_another_province(self):
        self.client.force_login(self.officer_a)
        page = self.client.get(reverse("reports:audit")).content.decode()
        assert str(self.plan_b) not in page
        assert self.officer_b.username not in page
        assert self.client.get(reverse("reports:audit"), {"province": self.hanoi.pk}).status_code == 400
        assert self.client.get(reverse("reports:audit"), {"user": self.officer_b.pk}).status_code == 400
        record = reverse("reports:audit-record", args=["budgetplan", self.plan_b.pk])
        assert self.client.get(record).status_code == 404
        assert self.client.get(reverse("reports:audit-record", args=["budgetplan", self.plan_a.pk])).status_code == 200

    def test_unknown_records_and_models_are_404(self):
        self.client.force_login(self.ministry)
        assert self.client.get(reverse("reports:audit-record", args=["budgetplan", 999_999])).status_code == 404
        assert self.client.get(reverse("reports:audit-record", args=["region", self.hcm.region_id])).status_code == 404

    def test_the_history_of_a_deleted_record_stays_readable(self):
        with acting_as(self.officer_a, at(5, month=4)):
            services.disbursement_delete(disbursement=Disbursement.objects.get(pk=self.payment.pk))
        self.client.force_login(self.officer_a)
        response = self.client.get(reverse("reports:audit-record", args=["disbursement", self.payment.pk]))
        assert response.status_code == 200
        deletion, creation = response.context["entries"]
        assert deletion.action == audit.DELETED
        assert audit.FieldChange(label(Disbursement, "amount_vnd"), "100.000.000 đ", "") in deletion.changes
        assert response.context["deleted"]

    # ---- the export ------------------------------------------------------------------------

    def export(self, user, language: str = "vi", **params):
        self.client.force_login(user)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = self.client.get(reverse("reports:audit-export"), params)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert response["Content-Disposition"].startswith('attachment; filename="nhat-ky-')
        assert response["Content-Disposition"].endswith('.xlsx"')
        return load_workbook(io.BytesIO(response.content))

    def header_row(self, sheet) -> int:
        first = [str(column.header) for column in audit_excel.COLUMNS][0]
        return next(row[0].row for row in sheet.iter_rows(max_col=1) if row[0].value == first)

    def test_the_export_has_the_title_headers_and_one_row_per_changed_field(self):
        sheet = self.export(self.ministry, "en", model="budgetplan").active
        assert sheet["A1"].value == "Data change log"
        heading = [sheet.cell(row, 1).value for row in range(2, 5)]
        assert any(line.startswith("Filters: Record type: Budget plan") for line in heading)
        assert any(line.startswith("Generated on") for line in heading)
        top = self.header_row(sheet)
        assert [cell.value for cell in sheet[top]] == [
            "Time",
            "Changed by",
            "User name",
            "Record type",
            "Record",
            "Record ID",
            "Province",
            "Action",
            "Field",
            "Old value",
            "New value",
            "Reason",
        ]
        assert sheet.freeze_panes == f"A{top + 1}"
        assert sheet.auto_filter.ref == f"A{top}:L{sheet.max_row}"
        rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=top + 1)]
        with translation.override("en"):
            expected = list(audit.entry_rows(self.entries(self.ministry, model="budgetplan")))
        assert len(rows) == len(expected)
        # Excel has no time zones: the file gives local (Vietnam) times.
        revision = next(row for row in rows if row[0] == at(11).replace(tzinfo=None))
        assert revision[1:] == [
            self.officer_a.username,
            self.officer_a.username,
            "Budget plan",
            str(BudgetPlan.objects.get(pk=self.plan_a.pk)),
            self.plan_a.pk,
            str(self.hcm),
            "Changed",
            "Planned amount (đồng)",
            "1,000,000,000 VND",
            "1,250,000,000 VND",
            None,
        ]

    def test_text_that_excel_would_run_as_a_formula_is_stored_as_text(self):
        sheet = self.export(self.ministry, model="disbursement").active
        note = label(Disbursement, "note")
        cells = [row for row in sheet.iter_rows() if row[8].value == note]
        assert len(cells) == 1
        value = cells[0][10]
        assert value.value == "=1+1"
        assert value.data_type == "s"
        assert value.quotePrefix

    def test_province_staff_export_only_their_province(self):
        sheet = self.export(self.officer_a).active
        provinces = {row[6].value for row in sheet.iter_rows(min_row=self.header_row(sheet) + 1)}
        assert provinces == {str(self.hcm)}

    def test_a_capped_export_keeps_whole_entries_and_says_so(self):
        entries = self.entries(self.ministry)
        first = len(entries[0].changes)  # the payment: several fields
        assert first > 2
        with translation.override("en"):
            content = audit_excel.audit_workbook(entries, heading=["Filters: none"], max_rows=first + 1)
            sheet = load_workbook(io.BytesIO(content)).active
            top = self.header_row(sheet)
        rows = first + len(entries[1].changes)
        assert rows <= first + 1 < rows + len(entries[2].changes)
        assert sheet.max_row - top == rows
        assert sheet["A3"].value.startswith(f"Only the newest {first + 1} rows are included")

    def test_an_export_within_the_cap_says_nothing_about_it(self):
        content = audit_excel.audit_workbook(self.entries(self.ministry), heading=["Filters: none"], max_rows=10_000)
        sheet = load_workbook(io.BytesIO(content)).active
        assert sheet["A3"].value is None


class ConferenceHistoryTests(TestCase):
    """Conferences keep their history too; their attending provinces (many-to-many) included."""

    def test_attending_provinces_show_old_and_new_names(self):
        from conferences.models import Conference

        hcm, binh_duong = factories.province("79"), factories.province("74")
        ministry = factories.member("ministry")
        with acting_as(ministry, at(1)):
            conference = Conference.objects.create(
                region=hcm.region,
                edition=1,
                year=2024,
                start_date=datetime.date(2024, 3, 1),
                end_date=datetime.date(2024, 3, 1),
                host_province=hcm,
            )
        with acting_as(ministry, at(2)):
            conference.attending_provinces.set([hcm, binh_duong])
        with acting_as(ministry, at(3)):
            conference.attending_provinces.set([hcm])

        entries = audit.audit_entries(
            user=ministry, filters=audit.AuditFilters(model="conference", record_id=conference.pk), limit=10
        )
        field = str(capfirst(Conference._meta.get_field("attending_provinces").verbose_name))
        both = "; ".join(sorted([str(hcm), str(binh_duong)], key=vietnamese_sort_key))
        changes = [change for entry in entries for change in entry.changes if change.field == field]
        assert audit.FieldChange(field, "", both) in changes
        assert changes[0] == audit.FieldChange(field, both, str(hcm))
        assert entries[-1].action == audit.CREATED
        assert entries[-1].record_label == str(conference)
        # Conferences belong to no province: province staff do not see them.
        officer = factories.member("province_staff", hcm)
        assert audit.audit_entries(user=officer, filters=audit.AuditFilters(model="conference"), limit=10) == []


PROGRAMME_MODELS = {
    "budgetplan",
    "indicatortarget",
    "project",
    "disbursement",
    "projectoutput",
    "reportingperiod",
    "extensioncentre",
    "collaboratornetwork",
}
# One page query per audited model: the 8 programme models above, and the conference models
# (conference, paper, recommendation, award) in the apps that have them.
MODEL_QUERIES = len(audit.audited_models())
# Province staff read only the models that belong to a province (`province_lookup`).
SCOPED_MODEL_QUERIES = sum(hasattr(model, "province_lookup") for model in audit.audited_models().values())


class AuditedModelsTests(TestCase):
    def test_every_programme_record_with_history_is_audited(self):
        assert set(audit.audited_models()) >= PROGRAMME_MODELS
        assert len(PROGRAMME_MODELS) <= SCOPED_MODEL_QUERIES

    def test_the_model_filter_offers_them_by_name(self):
        labels = dict(audit.model_choices())
        assert labels["budgetplan"] == capfirst(BudgetPlan._meta.verbose_name)


class AuditQueryCountTests(TestCase):
    """The page and the export cost the same number of queries for 3 and for 30 history rows."""

    @classmethod
    def setUpTestData(cls):
        cls.hcm = factories.province("79")
        cls.officer = factories.member("province_staff", cls.hcm)
        cls.ministry = factories.member("ministry")

    def make_history(self, rows: int, fund: str = FundingSource.KCQG) -> None:
        """`rows` history rows: a plan of `fund` created, then revised `rows - 1` times."""
        plan = draft_plan(self.hcm, 1_000_000_000, user=self.officer, when=at(1), fund=fund)
        for step in range(1, rows):
            when = at(1) + datetime.timedelta(minutes=step)
            revise(plan, 1_000_000_000 + step * 1_000_000, user=self.officer, when=when)

    def grow(self, rows: int) -> None:
        """History rows up to `rows` in all: 3 (one plan), then 30 (a second plan, 27 rows)."""
        if rows == 3:
            self.make_history(3)
        else:
            self.make_history(rows - 3, FundingSource.KCDP)

    def assert_page_queries(self, user, expected: int) -> None:
        self.client.force_login(user)
        with self.assertNumQueries(expected):
            response = self.client.get(reverse("reports:audit"))
        assert response.status_code == 200
        assert len(response.context["entries"]) == audit.audit_count(user=user, filters=audit.AuditFilters())

    def test_the_page_costs_the_same_for_3_or_30_rows(self):
        for rows in (3, 30):
            with self.subTest(rows=rows):
                self.grow(rows)
                # Expect 10 + MODEL_QUERIES (18 for the 8 programme models, 22 with the 4
                # conference models): session, user, the user's role (groups), the users who
                # made changes (filter), the provinces (filter), the count (one UNION ALL), one
                # page query per audited model, the plans' previous versions, the users named,
                # the provinces named, the header's unread notifications.
                self.assert_page_queries(self.ministry, 10 + MODEL_QUERIES)

    def test_province_staff_page_adds_only_their_territory(self):
        self.make_history(3)
        # Expect 11 + SCOPED_MODEL_QUERIES (19): as above, plus the officer's province and
        # territory, and page queries only for the models that belong to a province.
        self.assert_page_queries(self.officer, 11 + SCOPED_MODEL_QUERIES)

    def test_the_export_costs_the_same_for_3_or_30_rows(self):
        self.client.force_login(self.ministry)
        for rows in (3, 30):
            with self.subTest(rows=rows):
                self.grow(rows)
                # Expect 8 + MODEL_QUERIES (16 for the programme models, 20 with the
                # conferences): session, user, role, the filter's users and provinces, one page
                # query per audited model (one chunk), the plans' previous versions, the users
                # named, the provinces named. No count: the file needs none.
                with self.assertNumQueries(8 + MODEL_QUERIES):
                    response = self.client.get(reverse("reports:audit-export"))
                assert response.status_code == 200

    def test_a_record_history_costs_9_queries(self):
        self.make_history(3)
        plan = BudgetPlan.objects.get()
        self.client.force_login(self.ministry)
        # Expect 9 queries: session, user, role, the record's count, its history page, its
        # previous versions, the users named, the provinces named, the header's unread
        # notifications.
        with self.assertNumQueries(9):
            response = self.client.get(reverse("reports:audit-record", args=["budgetplan", plan.pk]))
        assert len(response.context["entries"]) == 3
