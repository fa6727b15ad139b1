"""The admin data-entry screens: every page opens, writes go through the services, numbers are
typed the Vietnamese way, the lifecycle step screen, the disbursement form set, and pinned query
counts for every changelist and for the project change page."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from common.forms import COUNT_MESSAGES
from programmes import services, workflow
from programmes.models import (
    ActivityCategory,
    ApprovalStatus,
    BudgetPlan,
    CategoryMapping,
    CollaboratorNetwork,
    Deadline,
    Disbursement,
    DisbursementKind,
    Establishment,
    ExtensionCentre,
    FiveYearProgramme,
    FundingSource,
    Indicator,
    IndicatorTarget,
    Period,
    ProductCertificate,
    ProductEntry,
    Project,
    ProjectBeneficiary,
    ProjectOutput,
    ProjectStatus,
    ProjectTransition,
    Province,
    Region,
    ReportingPeriod,
    SelectionRound,
)
from tests import factories

pytestmark = pytest.mark.django_db

ALL_MODELS = [
    Region,
    Province,
    ExtensionCentre,
    FiveYearProgramme,
    ActivityCategory,
    Indicator,
    BudgetPlan,
    IndicatorTarget,
    Project,
    ProjectTransition,
    Disbursement,
    ProjectOutput,
    ReportingPeriod,
    Establishment,
    ProjectBeneficiary,
    SelectionRound,
    ProductEntry,
    ProductCertificate,
    Deadline,
    CategoryMapping,
    FiveYearProgramme,
]
# Notifications have no admin: each is its recipient's own (their notifications page).
# Old-era provinces of three regions; their records are dated 2025 or earlier. The factories
# date every lifecycle step, the contract included, 1 March of the project's year.
PROVINCE_CODES = ["79", "01", "48"]
YEAR = 2025


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser():
    return factories.user(is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def provinces():
    return [factories.province(code) for code in PROVINCE_CODES]


def form_data(response) -> dict[str, str]:
    """What a browser would post back from an admin form page left unchanged: the main form,
    every inline's management form and rows, values written as the widgets show them."""
    data: dict[str, str] = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if value is None:
                data[bound.html_name] = ""
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, (int, Decimal)):
                data[bound.html_name] = str(bound.field.widget.format_value(value))
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def row_data(prefix: str, index: int, **fields: str) -> dict[str, str]:
    return {f"{prefix}-{index}-{name}": value for name, value in fields.items()}


def choose_language(client, language: str) -> None:
    """What the language switcher does: the portal follows its cookie, not the browser's."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


def page_text(response) -> str:
    return response.content.decode()


# --- every page opens ----------------------------------------------------------------------


def test_every_programme_model_has_an_admin():
    registered = {model for model in admin.site._registry if model._meta.app_label == "programmes"}
    assert registered == set(ALL_MODELS)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_every_changelist_opens(staff_client, model):
    assert staff_client.get(admin_url(model, "changelist")).status_code == 200


@pytest.mark.parametrize(
    "model",
    # Lifecycle steps and reports come from the workflow, deadlines from the calendar's migration.
    [model for model in ALL_MODELS if model not in (ProjectTransition, ReportingPeriod, Deadline)],
    ids=lambda m: m.__name__,
)
def test_every_add_page_opens(staff_client, model):
    assert staff_client.get(admin_url(model, "add")).status_code == 200


def test_reports_are_only_looked_at_in_the_admin(staff_client, provinces):
    period = ReportingPeriod.objects.create(province=provinces[0], year=YEAR, period=Period.H1)
    assert staff_client.get(admin_url(ReportingPeriod, "add")).status_code == 403
    page = staff_client.get(admin_url(ReportingPeriod, "change", period.pk))
    assert page.status_code == 200
    assert 'name="status"' not in page_text(page)


def test_lifecycle_steps_are_read_only_in_the_admin(staff_client, provinces):
    project = factories.project(provinces[0], YEAR, status=ProjectStatus.APPRAISED)
    step = project.transitions.get()

    assert staff_client.get(admin_url(ProjectTransition, "add")).status_code == 403
    page = staff_client.get(admin_url(ProjectTransition, "change", step.pk))
    assert page.status_code == 200
    assert 'name="document_number"' not in page_text(page)
    assert staff_client.post(admin_url(ProjectTransition, "delete", step.pk), {"post": "yes"}).status_code == 403
    assert ProjectTransition.objects.filter(pk=step.pk).exists()


def test_every_change_page_opens(staff_client, provinces):
    centre = ExtensionCentre.objects.create(province=provinces[0], name="Trung tâm Khuyến công TP.HCM")
    CollaboratorNetwork.objects.create(centre=centre, year=YEAR, district_collaborators=22)
    project = factories.project(provinces[0], YEAR)
    disbursement = services.disbursement_create(
        project=project, date=datetime.date(YEAR, 4, 1), amount_vnd=Decimal(100_000_000)
    )
    output = services.output_create(
        project=project, indicator=factories.indicator(), date=datetime.date(YEAR, 4, 1), value=40
    )
    objects = [
        Region.objects.first(),
        provinces[0],
        centre,
        ActivityCategory.objects.first(),
        Indicator.objects.first(),
        factories.budget_plan(provinces[0], YEAR, 1_000_000_000),
        factories.target(provinces[0], YEAR, "trained_workers", 500),
        project,
        project.transitions.first(),
        disbursement,
        output,
        ReportingPeriod.objects.create(province=provinces[0], year=YEAR, period=Period.H1),
    ]
    for obj in objects:
        assert staff_client.get(admin_url(type(obj), "change", obj.pk)).status_code == 200, obj


# --- money and counts shown and typed the Vietnamese way -----------------------------------


def test_money_columns_show_vietnamese_separators_and_the_dong_sign(staff_client, provinces):
    factories.budget_plan(provinces[0], YEAR, 1_250_000_000)

    page = staff_client.get(admin_url(BudgetPlan, "changelist"))

    assert "1.250.000.000 đ" in page_text(page)


def test_money_columns_show_english_separators_to_english_users(staff_client, provinces):
    factories.project(provinces[0], YEAR, support_vnd=1_250_000_000)
    choose_language(staff_client, "en")

    page = staff_client.get(admin_url(Project, "changelist"))

    assert "1,250,000,000 VND" in page_text(page)


def test_disbursement_list_shows_a_recovery_as_negative(staff_client, provinces):
    project = factories.project(provinces[0], YEAR)
    for kind, amount in [(DisbursementKind.PAYMENT, 300_000_000), (DisbursementKind.RECOVERY, 50_000_000)]:
        services.disbursement_create(
            project=project, date=datetime.date(YEAR, 4, 1), amount_vnd=Decimal(amount), kind=kind
        )

    text = page_text(staff_client.get(admin_url(Disbursement, "changelist")))

    assert "300.000.000 đ" in text
    assert "-50.000.000 đ" in text


def budget_plan_post(province: Province, planned: str, **fields: str) -> dict[str, str]:
    return {
        "province": str(province.pk),
        "year": str(YEAR),
        "funding_source": FundingSource.KCQG,
        "planned_vnd": planned,
        "status": ApprovalStatus.DRAFT,
        "decision_number": "",
        "approved_on": "",
        "notes": "",
        **fields,
    }


def test_a_vietnamese_amount_is_saved_as_whole_dong(staff_client, provinces):
    response = staff_client.post(admin_url(BudgetPlan, "add"), budget_plan_post(provinces[0], "1.250.000.000"))

    assert response.status_code == 302
    plan = BudgetPlan.objects.get()
    assert plan.planned_vnd == Decimal(1_250_000_000)
    assert plan.original_vnd is None


def test_the_form_shows_amounts_with_vietnamese_separators(staff_client, provinces):
    plan = BudgetPlan.objects.create(
        province=provinces[0], year=YEAR, funding_source="KCQG", planned_vnd=Decimal(1_250_000_000)
    )

    page = staff_client.get(admin_url(BudgetPlan, "change", plan.pk))

    assert 'value="1.250.000.000"' in page_text(page)


def test_an_approved_plan_is_read_only_and_says_why(staff_client, provinces):
    plan = factories.budget_plan(provinces[0], YEAR, 1_250_000_000)

    page = staff_client.get(admin_url(BudgetPlan, "change", plan.pk))

    assert 'name="planned_vnd"' not in page_text(page)
    assert "1.250.000.000 đ" in page_text(page)
    assert [str(m) for m in page.context["messages"]] == [workflow.plan_lock_reason(plan)]


@pytest.mark.parametrize(
    ("typed", "code"),
    [("-5", "negative"), ("12,5", "fraction"), ("abc", "invalid")],
    ids=["negative", "decimal-comma", "not-a-number"],
)
def test_a_wrong_amount_is_refused_with_a_message_and_nothing_saved(staff_client, provinces, typed, code):
    response = staff_client.post(admin_url(BudgetPlan, "add"), budget_plan_post(provinces[0], typed))

    assert response.status_code == 200
    with pytest.raises(ValidationError) as refused:
        BudgetPlan._meta.get_field("planned_vnd").formfield().clean(typed)
    assert refused.value.code == code
    message = refused.value.messages[0]
    assert response.context["adminform"].form.errors["planned_vnd"] == [message]
    assert escape(message) in page_text(response)
    assert not BudgetPlan.objects.exists()


def test_a_plan_is_approved_through_the_workflow_not_by_editing_its_status(staff_client, provinces):
    data = budget_plan_post(provinces[0], "900.000.000", status=ApprovalStatus.APPROVED, approved_on=f"{YEAR}-03-01")

    assert staff_client.post(admin_url(BudgetPlan, "add"), data).status_code == 302

    plan = BudgetPlan.objects.get()
    assert (plan.status, plan.approved_on, plan.original_vnd) == (ApprovalStatus.DRAFT, None, None)


def test_a_budget_plan_for_a_province_of_another_era_is_refused(staff_client):
    merged_away = factories.province("79")
    data = budget_plan_post(merged_away, "1.000.000", year="2026")

    response = staff_client.post(admin_url(BudgetPlan, "add"), data)

    assert response.status_code == 200
    assert "province" in response.context["adminform"].form.errors
    assert not BudgetPlan.objects.exists()


def test_a_target_is_typed_with_thousands_separators(staff_client, provinces):
    data = {
        "province": str(provinces[0].pk),
        "year": str(YEAR),
        "indicator": str(factories.indicator().pk),
        "target": "1.724",
    }

    assert staff_client.post(admin_url(IndicatorTarget, "add"), data).status_code == 302

    assert IndicatorTarget.objects.get().target == 1724


def test_a_negative_target_is_refused(staff_client, provinces):
    data = {
        "province": str(provinces[0].pk),
        "year": str(YEAR),
        "indicator": str(factories.indicator().pk),
        "target": "-3",
    }

    response = staff_client.post(admin_url(IndicatorTarget, "add"), data)

    assert response.context["adminform"].form.errors["target"] == [str(COUNT_MESSAGES["negative"])]
    assert not IndicatorTarget.objects.exists()


def test_collaborator_counts_in_the_centre_inline_take_thousands_separators(staff_client, provinces):
    data = {
        "province": str(provinces[0].pk),
        "name": "Trung tâm Khuyến công Hà Nội",
        "address": "",
        "phone": "",
        "email": "",
        "director": "",
        "networks-TOTAL_FORMS": "1",
        "networks-INITIAL_FORMS": "0",
        "networks-MIN_NUM_FORMS": "0",
        "networks-MAX_NUM_FORMS": "1000",
        **row_data("networks", 0, year=str(YEAR), district_collaborators="1.724", commune_collaborators="12"),
    }

    response = staff_client.post(admin_url(ExtensionCentre, "add"), data)

    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    network = CollaboratorNetwork.objects.get()
    assert (network.district_collaborators, network.commune_collaborators) == (1724, 12)


def test_province_autocomplete_shows_the_era(staff_client):
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "programmes", "model_name": "budgetplan", "field_name": "province", "term": "Đà Nẵng"},
    )

    labels = sorted(result["text"] for result in response.json()["results"])
    assert labels == ["Đà Nẵng", "Đà Nẵng (2008–2025)"]


# --- projects: created and changed through the services -----------------------------------


def project_post(province: Province, **fields: str) -> dict[str, str]:
    return {
        "code": "",
        "title": "Hỗ trợ máy may công nghiệp cho cơ sở dệt may",
        "province": str(province.pk),
        "year": str(YEAR),
        "funding_source": FundingSource.KCQG,
        "category": str(factories.category().pk),
        "project_type": "single_site",
        "implementing_unit": "Trung tâm Khuyến công",
        "beneficiary_name": "",
        "beneficiary_kind": "",
        "support_vnd": "1.250.000.000",
        "counterpart_vnd": "0",
        **fields,
    }


def test_the_project_form_shows_the_status_but_does_not_let_it_be_edited(staff_client):
    page = staff_client.get(admin_url(Project, "add"))

    assert "status" not in page.context["adminform"].form.fields
    assert str(ProjectStatus.PROPOSED.label) in page_text(page)


def test_adding_a_project_records_it_proposed_with_a_generated_code(staff_client, superuser, provinces):
    response = staff_client.post(admin_url(Project, "add"), project_post(provinces[0], status=ProjectStatus.SETTLED))

    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == admin_url(Project, "changelist")
    assert project.status == ProjectStatus.PROPOSED
    assert project.code == f"KCQG-{YEAR}-79-001"
    assert project.support_vnd == Decimal(1_250_000_000)
    assert LogEntry.objects.get().object_id == str(project.pk)


def test_a_typed_project_code_is_kept(staff_client, provinces):
    staff_client.post(admin_url(Project, "add"), project_post(provinces[0], code="KCQG-2025-79-LEGACY"))

    assert Project.objects.get().code == "KCQG-2025-79-LEGACY"


def test_changing_a_project_keeps_its_status(staff_client, provinces):
    project = factories.project(provinces[0], YEAR, status=ProjectStatus.APPRAISED)
    data = form_data(staff_client.get(admin_url(Project, "change", project.pk)))
    data.update(title="Tên mới", status=ProjectStatus.SETTLED)

    response = staff_client.post(admin_url(Project, "change", project.pk), data)

    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.status) == ("Tên mới", ProjectStatus.APPRAISED)


def test_the_change_page_links_to_the_lifecycle_step_screen(staff_client, provinces):
    project = factories.project(provinces[0], YEAR, status=ProjectStatus.PROPOSED)

    page = staff_client.get(admin_url(Project, "change", project.pk))

    assert admin_url(Project, "transition", project.pk) in page_text(page)


def test_a_closed_project_has_no_lifecycle_link(staff_client, provinces):
    project = factories.project(provinces[0], YEAR, status=ProjectStatus.CANCELLED)

    page = staff_client.get(admin_url(Project, "change", project.pk))

    assert admin_url(Project, "transition", project.pk) not in page_text(page)


# --- the lifecycle step screen -------------------------------------------------------------


def test_the_step_screen_offers_only_the_allowed_next_steps(staff_client, provinces):
    project = factories.project(provinces[0], YEAR, status=ProjectStatus.PROPOSED)

    page = staff_client.get(admin_url(Project, "transition", project.pk))

    assert page.status_code == 200
    choices = page.context["adminform"].form.fields["to_status"].choices
    assert [value for value, _label in choices] == [ProjectStatus.APPRAISED, ProjectStatus.CANCELLED]
    assert page.context["adminform"].form["date"].value() == timezone.localdate()


def test_a_lifecycle_step_moves_the_project_and_records_who_when_and_which_document(staff_client, superuser, provinces):
    project = factories.project(provinces[0], YEAR, status=ProjectStatus.PROPOSED)
    day = timezone.localdate()

    response = staff_client.post(
        admin_url(Project, "transition", project.pk),
        {
            "to_status": ProjectStatus.APPRAISED,
            "date": day.isoformat(),
            "document_number": "15/BB-HĐTĐ",
            "note": "Hội đồng thẩm định",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == admin_url(Project, "change", project.pk)
    project.refresh_from_db()
    assert (project.status, project.status_changed_on) == (ProjectStatus.APPRAISED, day)
    step = project.transitions.get()
    assert (step.from_status, step.to_status) == (ProjectStatus.PROPOSED, ProjectStatus.APPRAISED)
    assert (step.user, step.date, step.document_number) == (superuser, day, "15/BB-HĐTĐ")
    assert step.note == "Hội đồng thẩm định"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_an_illegal_step_shows_the_service_message_and_changes_nothing(staff_client, provinces, language):
    project = factories.project(provinces[0], YEAR, status=ProjectStatus.PROPOSED)
    day = timezone.localdate()
    with translation.override(language), pytest.raises(ValidationError) as refused:
        services.project_transition(project=project, to_status=ProjectStatus.SETTLED, date=day)
    message = refused.value.message_dict["to"][0]

    choose_language(staff_client, language)

    response = staff_client.post(
        admin_url(Project, "transition", project.pk),
        {"to_status": ProjectStatus.SETTLED, "date": day.isoformat(), "document_number": "", "note": ""},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["to_status"] == [message]
    assert escape(message) in page_text(response)
    project.refresh_from_db()
    assert project.status == ProjectStatus.PROPOSED
    assert not project.transitions.exists()


def test_a_missing_decision_number_is_shown_on_its_field(staff_client, provinces):
    project = factories.project(provinces[0], YEAR, status=ProjectStatus.APPRAISED)

    response = staff_client.post(
        admin_url(Project, "transition", project.pk),
        {
            "to_status": ProjectStatus.APPROVED,
            "date": timezone.localdate().isoformat(),
            "document_number": " ",
        },
    )

    assert list(response.context["adminform"].form.errors) == ["document_number"]
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.APPRAISED


def test_a_future_date_is_shown_on_the_date_field(staff_client, provinces):
    project = factories.project(provinces[0], YEAR, status=ProjectStatus.PROPOSED)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = staff_client.post(
        admin_url(Project, "transition", project.pk),
        {"to_status": ProjectStatus.APPRAISED, "date": tomorrow.isoformat()},
    )

    assert list(response.context["adminform"].form.errors) == ["date"]
    assert not ProjectTransition.objects.filter(project=project).exists()


def test_only_users_who_may_change_projects_record_steps(client, provinces):
    project = factories.project(provinces[0], YEAR, status=ProjectStatus.PROPOSED)
    ministry = factories.member("ministry")  # sees every project, enters none
    client.force_login(ministry)
    url = admin_url(Project, "transition", project.pk)

    assert client.get(url).status_code == 403
    refused = client.post(url, {"to_status": ProjectStatus.APPRAISED, "date": timezone.localdate().isoformat()})

    assert refused.status_code == 403
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.PROPOSED


def test_a_user_with_change_permission_records_a_step(client, provinces):
    project = factories.project(provinces[0], YEAR, status=ProjectStatus.PROPOSED)
    officer = factories.member("province_staff", provinces[0])
    client.force_login(officer)

    response = client.post(
        admin_url(Project, "transition", project.pk),
        {"to_status": ProjectStatus.APPRAISED, "date": timezone.localdate().isoformat()},
    )

    assert response.status_code == 302
    assert project.transitions.get().user == officer


# --- disbursements and outputs on the project page -----------------------------------------


def add_disbursement_rows(data: dict[str, str], project: Project, rows: list[tuple[str, str]]) -> None:
    """Fill new inline disbursement rows after the existing ones: (kind, amount typed) each."""
    first = int(data["disbursements-INITIAL_FORMS"])
    for offset, (kind, amount) in enumerate(rows):
        data.update(
            row_data(
                "disbursements",
                first + offset,
                id="",
                project=str(project.pk),
                date=f"{YEAR}-04-01",
                kind=kind,
                amount_vnd=amount,
                document_number=f"UNC-{offset}",
                note="",
            )
        )
    data["disbursements-TOTAL_FORMS"] = str(first + len(rows))


def test_two_new_rows_within_the_support_are_saved(staff_client, provinces):
    project = factories.project(provinces[0], YEAR, support_vnd=500_000_000)
    data = form_data(staff_client.get(admin_url(Project, "change", project.pk)))
    add_disbursement_rows(data, project, [("advance", "300.000.000"), ("payment", "200.000.000")])

    response = staff_client.post(admin_url(Project, "change", project.pk), data)

    assert response.status_code == 302
    assert services.project_disbursed_vnd(project) == Decimal(500_000_000)


def test_two_new_rows_that_together_exceed_the_support_are_refused(staff_client, provinces):
    project = factories.project(provinces[0], YEAR, support_vnd=500_000_000)
    data = form_data(staff_client.get(admin_url(Project, "change", project.pk)))
    add_disbursement_rows(data, project, [("advance", "300.000.000"), ("payment", "300.000.000")])

    response = staff_client.post(admin_url(Project, "change", project.pk), data)

    assert response.status_code == 200
    message = str(services.ROWS_OVER_SUPPORT) % {
        "total": "600.000.000 đ",
        "support": "500.000.000 đ",
    }
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.non_form_errors() == [message]
    assert escape(message) in page_text(response)
    assert not Disbursement.objects.exists()


def test_recoveries_that_together_exceed_what_was_paid_are_refused(staff_client, provinces):
    project = factories.project(provinces[0], YEAR, support_vnd=500_000_000)
    services.disbursement_create(project=project, date=datetime.date(YEAR, 4, 1), amount_vnd=Decimal(300_000_000))
    data = form_data(staff_client.get(admin_url(Project, "change", project.pk)))
    add_disbursement_rows(data, project, [("recovery", "200.000.000"), ("recovery", "200.000.000")])

    response = staff_client.post(admin_url(Project, "change", project.pk), data)

    message = str(services.ROWS_RECOVER_MORE) % {"recovered": "100.000.000 đ"}
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors() == [message]
    assert services.project_disbursed_vnd(project) == Decimal(300_000_000)


def test_a_recovery_row_makes_room_for_a_payment_in_the_same_submit(staff_client, provinces):
    project = factories.project(provinces[0], YEAR, support_vnd=500_000_000)
    services.disbursement_create(project=project, date=datetime.date(YEAR, 4, 1), amount_vnd=Decimal(400_000_000))
    data = form_data(staff_client.get(admin_url(Project, "change", project.pk)))
    add_disbursement_rows(data, project, [("recovery", "100.000.000"), ("payment", "150.000.000")])

    response = staff_client.post(admin_url(Project, "change", project.pk), data)

    assert response.status_code == 302
    assert services.project_disbursed_vnd(project) == Decimal(450_000_000)


def test_deleted_rows_do_not_count_against_the_support(staff_client, provinces):
    project = factories.project(provinces[0], YEAR, support_vnd=500_000_000)
    services.disbursement_create(project=project, date=datetime.date(YEAR, 4, 1), amount_vnd=Decimal(400_000_000))
    data = form_data(staff_client.get(admin_url(Project, "change", project.pk)))
    data["disbursements-0-DELETE"] = "on"
    add_disbursement_rows(data, project, [("payment", "450.000.000")])

    response = staff_client.post(admin_url(Project, "change", project.pk), data)

    assert response.status_code == 302
    assert list(project.disbursements.values_list("amount_vnd", flat=True)) == [Decimal(450_000_000)]


def test_a_single_row_over_the_support_is_refused(staff_client, provinces):
    project = factories.project(provinces[0], YEAR, support_vnd=500_000_000)
    data = form_data(staff_client.get(admin_url(Project, "change", project.pk)))
    add_disbursement_rows(data, project, [("payment", "600.000.000")])

    response = staff_client.post(admin_url(Project, "change", project.pk), data)

    formset = response.context["inline_admin_formsets"][0].formset
    message = str(services.ROWS_OVER_SUPPORT) % {
        "total": "600.000.000 đ",
        "support": "500.000.000 đ",
    }
    assert formset.non_form_errors() == [message]
    assert not Disbursement.objects.exists()


def test_a_project_without_contract_offers_no_new_money_rows(staff_client, provinces):
    project = factories.project(provinces[0], YEAR, status=ProjectStatus.APPROVED)

    page = staff_client.get(admin_url(Project, "change", project.pk))

    formsets = {inline.formset.prefix: inline.formset for inline in page.context["inline_admin_formsets"]}
    assert formsets["disbursements"].forms == []
    assert formsets["outputs"].forms == []


def test_outputs_are_entered_on_the_project_page_with_thousands_separators(staff_client, provinces):
    project = factories.project(provinces[0], YEAR)
    data = form_data(staff_client.get(admin_url(Project, "change", project.pk)))
    data.update(
        row_data(
            "outputs",
            0,
            id="",
            project=str(project.pk),
            indicator=str(factories.indicator().pk),
            date=f"{YEAR}-05-01",
            value="1.724",
            note="",
        )
    )

    response = staff_client.post(admin_url(Project, "change", project.pk), data)

    assert response.status_code == 302
    assert ProjectOutput.objects.get(project=project).value == 1724


def test_a_disbursement_added_on_its_own_page_goes_through_the_service(staff_client, provinces):
    project = factories.project(provinces[0], YEAR, support_vnd=500_000_000)
    data = {
        "project": str(project.pk),
        "date": f"{YEAR}-04-01",
        "kind": DisbursementKind.PAYMENT,
        "amount_vnd": "120.000.000",
        "document_number": "UNC-1",
        "note": "",
    }

    response = staff_client.post(admin_url(Disbursement, "add"), data)

    assert response.status_code == 302
    assert Disbursement.objects.get().amount_vnd == Decimal(120_000_000)


def test_a_disbursement_before_the_contract_is_refused(staff_client, provinces):
    project = factories.project(provinces[0], YEAR)
    data = {
        "project": str(project.pk),
        "date": f"{YEAR}-02-01",
        "kind": DisbursementKind.PAYMENT,
        "amount_vnd": "1.000.000",
        "document_number": "",
        "note": "",
    }

    response = staff_client.post(admin_url(Disbursement, "add"), data)

    assert "date" in response.context["adminform"].form.errors
    assert not Disbursement.objects.exists()


# --- query counts --------------------------------------------------------------------------
# Each changelist is measured with a small and a larger page: the count must not change. The
# superuser needs no permission queries.


def build_budget_plans(provinces, rows):
    for i in range(rows):
        fund = [FundingSource.KCQG, FundingSource.KCDP][(i // 3) % 2]
        factories.budget_plan(provinces[i % 3], 2020 + i // 6, 1_000_000_000 + i, fund)


def build_targets(provinces, rows):
    codes = list(Indicator.objects.values_list("code", flat=True))
    for i in range(rows):
        factories.target(provinces[i % 3], YEAR, codes[i // 3], 100 + i)


def build_projects(provinces, rows):
    statuses = [ProjectStatus.PROPOSED, ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS]
    projects = [factories.project(provinces[i % 3], YEAR, status=statuses[i % 3]) for i in range(rows)]
    for project in projects[2::3]:
        services.disbursement_create(project=project, date=datetime.date(YEAR, 4, 1), amount_vnd=Decimal(10**6))
    return projects


def build_disbursements(provinces, rows):
    projects = [factories.project(province, YEAR) for province in provinces]
    for i in range(rows):
        services.disbursement_create(
            project=projects[i % 3], date=datetime.date(YEAR, 4, 1 + i), amount_vnd=Decimal(10_000_000)
        )


def build_outputs(provinces, rows):
    projects = [factories.project(province, YEAR) for province in provinces]
    indicators = list(Indicator.objects.all())
    for i in range(rows):
        services.output_create(
            project=projects[i % 3],
            indicator=indicators[i % 7],
            date=datetime.date(YEAR, 4, 1 + i),
            value=10 + i,
        )


def build_centres(provinces, rows):
    for province in Province.objects.filter(valid_to__isnull=False)[:rows]:
        centre = ExtensionCentre.objects.create(province=province, name=f"Trung tâm Khuyến công {province.name}")
        CollaboratorNetwork.objects.create(centre=centre, year=YEAR, district_collaborators=10)


def build_periods(provinces, rows):
    officers = [factories.user(), factories.user()]
    for i in range(rows):
        ReportingPeriod.objects.create(
            province=provinces[i % 3],
            year=2021 + i // 9,
            period=[Period.H1, Period.M9, Period.FY][(i // 3) % 3],
            status=ReportingPeriod.Status.SUBMITTED,
            submitted_by=officers[i % 2],
            submitted_at=timezone.now(),
            approved_by=officers[(i + 1) % 2],
        )


def build_transitions(provinces, rows):
    for i in range(rows):
        factories.project(provinces[i % 3], YEAR, status=ProjectStatus.APPRAISED)


# Every changelist runs: the session, the user (a superuser needs no permission queries), the
# filtered count (no full count: PortalAdmin.show_full_result_count is off, "5 of 103 total" would
# count every row again at national scale) and one query for the page's rows with the
# foreign keys it shows joined in; plus one query per filter or date hierarchy listed below.
CHANGELISTS = [
    # Expect 6 queries: session, user, region filter choices, count, rows with
    # province joined, year filter values.
    pytest.param(BudgetPlan, build_budget_plans, 6, id="BudgetPlan"),
    # Expect 7 queries: session, user, indicator filter choices, region filter choices, count,
    # rows with province and indicator joined, year filter values.
    pytest.param(IndicatorTarget, build_targets, 7, id="IndicatorTarget"),
    # Expect 7 queries: session, user, category filter choices, region filter choices, count,
    # rows with province and category joined and the disbursed total as a
    # subquery, year filter values.
    pytest.param(Project, build_projects, 7, id="Project"),
    # Expect 8 queries: session, user, region filter choices, count, rows with
    # project and province joined, project year filter values, date hierarchy first/last
    # date, date hierarchy days.
    pytest.param(Disbursement, build_disbursements, 8, id="Disbursement"),
    # Expect 9 queries: session, user, indicator filter choices, region filter choices, count,
    # rows with project, province and indicator joined, project year filter values,
    # date hierarchy first/last date, date hierarchy days.
    pytest.param(ProjectOutput, build_outputs, 9, id="ProjectOutput"),
    # Expect 5 queries: session, user, region filter choices, count, rows with
    # province and region joined.
    pytest.param(ExtensionCentre, build_centres, 5, id="ExtensionCentre"),
    # Expect 6 queries: session, user, region filter choices, count, rows with
    # province, submitted_by and approved_by joined, year filter values.
    pytest.param(ReportingPeriod, build_periods, 6, id="ReportingPeriod"),
    # Expect 6 queries: session, user, region filter choices, count, rows with
    # project, province and user joined, project year filter values.
    pytest.param(ProjectTransition, build_transitions, 6, id="ProjectTransition"),
]


@pytest.mark.parametrize("rows", [3, 12])
@pytest.mark.parametrize(("model", "build", "queries"), CHANGELISTS)
def test_changelist_query_count_does_not_grow_with_rows(
    staff_client, provinces, django_assert_num_queries, model, build, queries, rows
):
    build(provinces, rows)

    with django_assert_num_queries(queries):
        response = staff_client.get(admin_url(model, "changelist"))
        response.render()

    assert response.context["cl"].result_count == rows


@pytest.mark.parametrize("region", ["north", "south"])
def test_province_changelist_query_count_does_not_grow_with_rows(staff_client, django_assert_num_queries, region):
    region_id = Region.objects.get(code=region).pk

    # Expect 5 queries: session, user, region filter choices, count of the region's provinces,
    # rows with region and merged_into joined.
    with django_assert_num_queries(5):
        response = staff_client.get(admin_url(Province, "changelist"), {"region__id__exact": region_id})
        response.render()

    assert response.context["cl"].result_count == Province.objects.filter(region_id=region_id).count()


@pytest.mark.parametrize("rows", [2, 10])
def test_project_change_page_query_count_does_not_grow_with_inline_rows(
    staff_client, provinces, django_assert_num_queries, rows
):
    project = factories.project(provinces[0], YEAR, support_vnd=10**9)
    indicators = list(Indicator.objects.all())
    for i in range(rows):
        services.disbursement_create(
            project=project, date=datetime.date(YEAR, 4, 1 + i), amount_vnd=Decimal(10_000_000)
        )
        services.output_create(
            project=project, indicator=indicators[i % 7], date=datetime.date(YEAR, 4, 1 + i), value=5
        )
    # The page looks up the project's content type once per process: not part of the page's cost.
    ContentType.objects.get_for_model(Project)

    # Expect 13 queries: session, user, the project with its disbursed total, beneficiary rows
    # with their establishments, transitions with users, disbursement rows, output rows with
    # indicators, the indicator choices shared by every output row, the province and the
    # category shown by their autocomplete widgets; the project's locks
    # (services.project_lock_reason): its year's FY report, its approved reports; the approved
    # report covering the project's year, if any (the sections' lock note, once for both inlines).
    with django_assert_num_queries(13):
        response = staff_client.get(admin_url(Project, "change", project.pk))
        response.render()

    formsets = {inline.formset.prefix: inline.formset for inline in response.context["inline_admin_formsets"]}
    assert len(formsets["disbursements"].initial_forms) == rows
    assert len(formsets["outputs"].initial_forms) == rows


# --- closed inline sections say why (issue 15, item 5) -------------------------------------------


def closed_notes(response) -> list[str]:
    import re

    block = re.findall(r'<div class="inline-closed-note" role="note">(.*?)</div>', page_text(response), re.S)
    return [re.sub(r"<[^>]+>", "", note).strip() for part in block for note in part.split("</p>") if note.strip()]


def test_a_proposed_projects_money_and_outputs_say_which_step_opens_them(staff_client, provinces):
    project = factories.project(provinces[0], YEAR, status=ProjectStatus.PROPOSED)

    page = staff_client.get(admin_url(Project, "change", project.pk))

    notes = closed_notes(page)
    assert len(notes) == 2  # the disbursements', the outputs'
    assert notes[0].startswith("Chưa thể ghi giải ngân: đề án đang ở trạng thái “Đề xuất”.")
    assert notes[1].startswith("Chưa thể ghi kết quả: đề án đang ở trạng thái “Đề xuất”.")
    for note in notes:
        assert "“Đã ký hợp đồng”" in note and "“Ghi nhận bước thực hiện”" in note


def test_an_open_section_has_no_note_and_a_cancelled_project_takes_recoveries_only(staff_client, provinces):
    running = factories.project(provinces[0], YEAR, status=ProjectStatus.IN_PROGRESS)
    assert closed_notes(staff_client.get(admin_url(Project, "change", running.pk))) == []
    cancelled = factories.project(provinces[0], YEAR, status=ProjectStatus.CANCELLED)
    notes = closed_notes(staff_client.get(admin_url(Project, "change", cancelled.pk)))
    assert notes == ["Đề án đang ở trạng thái “Đã hủy”: chỉ có thể ghi khoản thu hồi (tiền hoàn trả)."]


def test_a_locked_period_is_explained_on_the_project_page(staff_client, provinces, superuser):
    running = factories.project(provinces[0], YEAR, status=ProjectStatus.IN_PROGRESS)
    ReportingPeriod.objects.create(
        province=provinces[0],
        year=YEAR,
        period=Period.H1,
        status=ReportingPeriod.Status.APPROVED,
        submitted_by=superuser,
        submitted_at=timezone.now(),
        approved_by=superuser,
        approved_at=timezone.now(),
    )
    notes = closed_notes(staff_client.get(admin_url(Project, "change", running.pk)))
    assert len(notes) == 2  # the same lock, in each section
    assert notes[0].startswith("Không thể thêm hoặc sửa các dòng có ngày thuộc kỳ của báo cáo đã được duyệt. ")
    assert "mở lại" in notes[0]  # and what reopens it
