"""The access matrix of DESIGN §7: every role × every province-owned model × own/other province ×
read/create/update/delete, through every surface that exists (the admin, the pages, the API).

Two provinces: A (new Thành phố Hồ Chí Minh, with its predecessors) and B (new Hà Nội). Each
has one record of every model, none of them locked. The expected outcome of each cell is
written out in EXPECTED below, so a change of policy is a visible change of this table.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from programmes import access, services
from programmes.models import (
    BudgetPlan,
    CollaboratorNetwork,
    Disbursement,
    Establishment,
    ExtensionCentre,
    FiveYearProgramme,
    IndicatorTarget,
    ProductCertificate,
    ProductEntry,
    Project,
    ProjectBeneficiary,
    ProjectOutput,
    ProjectStatus,
    ProjectTransition,
    ReportingPeriod,
    SelectionLevel,
    SelectionRound,
)
from tests import factories, personas

pytestmark = pytest.mark.django_db

YEAR = 2026
D = datetime.date
MODELS = [
    BudgetPlan,
    IndicatorTarget,
    Project,
    ProjectTransition,
    Disbursement,
    ProjectOutput,
    ReportingPeriod,
    ExtensionCentre,
    CollaboratorNetwork,
    Establishment,
    ProjectBeneficiary,
    SelectionRound,
    ProductEntry,
    ProductCertificate,
    FiveYearProgramme,
]
# Records whose deletion something else protects (money, supports, entries, certificates):
# allowed cells answer with the protection (the admin's list of what protects it, a 400).
PROTECTED = (Project, Establishment, SelectionRound, ProductEntry)
ROLES = ["staff_a", "ministry", "viewer", "admin", "no_role"]
ACTIONS = ["read", "create", "update", "delete"]

# Who may do what to a record of province A ("own" for staff_a) and of province B ("other").
ALL = {"own": True, "other": True}
NONE = {"own": False, "other": False}
OWN = {"own": True, "other": False}
EXPECTED: dict[str, dict[str, dict[str, bool]]] = {
    "staff_a": {"read": OWN, "create": OWN, "update": OWN, "delete": OWN},
    "ministry": {"read": ALL, "create": NONE, "update": NONE, "delete": NONE},
    "viewer": {"read": ALL, "create": NONE, "update": NONE, "delete": NONE},
    # Administrators may correct any province's records (see programmes/access.py).
    "admin": {"read": ALL, "create": ALL, "update": ALL, "delete": ALL},
    "no_role": {"read": NONE, "create": NONE, "update": NONE, "delete": NONE},
}
# Records nobody edits by hand: lifecycle steps are written by the lifecycle service, reports by
# the reporting workflow (whose own rules are tested in the workflow tests).
WORKFLOW_ONLY = {ProjectTransition, ReportingPeriod}


def expected(role: str, action: str, side: str, model) -> bool:
    if model in WORKFLOW_ONLY and action != "read":
        return False
    return EXPECTED[role][action][side]


@pytest.fixture
def world():
    a = factories.province("79", new_era=True)
    b = factories.province("01", new_era=True)
    records = {}
    spare = {}
    for side, province in (("own", a), ("other", b)):
        centre = ExtensionCentre.objects.create(province=province, name=f"Trung tâm Khuyến công {province.name}")
        project = factories.project(province, YEAR, support_vnd=10**9, status=ProjectStatus.IN_PROGRESS)
        establishment = services.establishment_create(
            province=province, name=f"HTX {province.name}", legal_form="cooperative", registered_on=D(YEAR, 1, 5)
        )
        # Not yet anyone's beneficiary: what the API's create cells attach.
        spare[side] = services.establishment_create(
            province=province, name=f"Hộ {province.name}", legal_form="household", registered_on=D(YEAR, 1, 5)
        )
        records[side] = {
            BudgetPlan: BudgetPlan.objects.create(
                province=province, year=YEAR, funding_source="KCDP", planned_vnd=10**9
            ),
            IndicatorTarget: factories.target(province, YEAR, "trained_workers", 100),
            Project: project,
            ProjectTransition: project.transitions.last(),
            Disbursement: services.disbursement_create(project=project, date=D(YEAR, 4, 1), amount_vnd=Decimal(10**8)),
            ProjectOutput: services.output_create(
                project=project, indicator=factories.indicator(), date=D(YEAR, 4, 1), value=5
            ),
            ReportingPeriod: ReportingPeriod.objects.create(province=province, year=YEAR, period="H1"),
            ExtensionCentre: centre,
            CollaboratorNetwork: CollaboratorNetwork.objects.create(centre=centre, year=YEAR, district_collaborators=3),
            Establishment: establishment,
            ProjectBeneficiary: services.project_beneficiary_add(project=project, establishment=establishment).link,
        }
        # A commune round of the province (no certificate of a level below needed), an entry
        # with its certificate, and one entry still without (for the API's create cells).
        round_ = services.round_save(
            round=SelectionRound(level=SelectionLevel.COMMUNE, year=YEAR, province=province, held_on=D(YEAR, 3, 2))
        )
        entry = services.entry_save(
            entry=ProductEntry(
                round=round_,
                establishment=establishment,
                product_name="Giỏ mây",
                group="handicrafts",
                average_score=Decimal(80),
            )
        )
        records[side][SelectionRound] = round_
        records[side][FiveYearProgramme] = services.programme_save(
            programme=FiveYearProgramme(
                level="provincial",
                province=province,
                start_year=YEAR,
                title=f"Chương trình khuyến công {province.name}",
                decision_number="1/QĐ-UBND",
                decided_on=D(YEAR - 1, 12, 1),
            )
        )
        records[side][ProductEntry] = entry
        records[side][ProductCertificate] = services.certificate_save(
            certificate=ProductCertificate(entry=entry, number=f"X-{province.code}", issued_on=D(YEAR, 3, 20))
        )
        spare[f"entry-{side}"] = services.entry_save(
            entry=ProductEntry(
                round=round_,
                establishment=establishment,
                product_name="Chiếu cói",
                group="other",
                average_score=Decimal(75),
            )
        )
    users = personas.cast(a, b).by_name()
    return {"a": a, "b": b, "records": records, "users": users, "spare": spare}


def _request(user):
    request = RequestFactory().get("/quan-tri/")
    request.user = user
    return request


# --- the admin -----------------------------------------------------------------------------------


def _admin_cells(world, role, model, side) -> dict[str, bool]:
    """What the admin's own checks allow `role` on the `side` record of `model`: its queryset
    (read), add permission for that province (create), change and delete permission."""
    user = world["users"][role]
    request = _request(user)
    record = world["records"][side][model]
    province = world["a"] if side == "own" else world["b"]
    if model is CollaboratorNetwork:
        # Networks are rows of their centre's page: the inline decides, given the centre.
        centre = world["records"][side][ExtensionCentre]
        centre_admin = admin.site._registry[ExtensionCentre]
        inline = next((i for i in centre_admin.get_inline_instances(request) if i.model is model), None)
        if inline is None:  # the admin offers no network rows at all to this user
            return dict.fromkeys(ACTIONS, False)
        can_view = centre_admin.get_queryset(request).filter(pk=centre.pk).exists() and (
            inline.has_view_or_change_permission(request, centre)
        )
        return {
            "read": can_view,
            "update": can_view and inline.has_change_permission(request, centre),
            "delete": can_view and inline.has_delete_permission(request, centre),
            "create": can_view and inline.has_add_permission(request, centre),
        }
    model_admin = admin.site._registry[model]
    can_view = model_admin.has_view_or_change_permission(request) and (
        model_admin.get_queryset(request).filter(pk=record.pk).exists()
    )
    return {
        "read": can_view,
        "update": can_view and model_admin.has_change_permission(request, record),
        "delete": can_view and model_admin.has_delete_permission(request, record),
        "create": model_admin.has_add_permission(request) and access.can_edit_province(user, province),
    }


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ROLES)
def test_admin_permissions_follow_the_matrix(world, role, model):
    for side in ("own", "other"):
        got = _admin_cells(world, role, model, side)
        for action in ACTIONS:
            assert got[action] == expected(role, action, side, model), (role, model.__name__, side, action)


def expected_over_http(role: str, action: str, side: str, model) -> bool:
    """Viewers read through the dashboards and reports; the admin (data entry) is closed to them."""
    return role != "viewer" and expected(role, action, side, model)


ADMIN_PAGES = [model for model in MODELS if model is not CollaboratorNetwork]


@pytest.mark.parametrize("model", ADMIN_PAGES, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ROLES)
def test_admin_pages_answer_as_the_matrix_says(world, client, role, model):
    """The same cells over HTTP: the changelist lists the record or not, its change page opens
    (editable or read-only) or sends the user away, a delete POST deletes it or is refused."""
    client.force_login(world["users"][role])
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    changelist = client.get(reverse(f"{prefix}_changelist"))
    for side in ("own", "other"):
        record = world["records"][side][model]
        listed = changelist.status_code == 200 and record in changelist.context["cl"].result_list
        assert listed == expected_over_http(role, "read", side, model), (role, model.__name__, side, "list")
        change = client.get(reverse(f"{prefix}_change", args=[record.pk]))
        opens = change.status_code == 200
        assert opens == expected_over_http(role, "read", side, model), (role, side, change.status_code)
        if opens:
            editable = change.context["has_change_permission"]
            assert editable == expected_over_http(role, "update", side, model), (role, model.__name__, side)
    # The other province's record first, then the own one.
    for side in ("other", "own"):
        record = world["records"][side][model]
        if model in PROTECTED and expected_over_http(role, "delete", side, model):
            # Allowed, but what depends on it protects it (a project: its money and outputs,
            # services.project_delete_check, back to its change page with the reason; an
            # establishment: its supports; a round: its entries; an entry: its certificate,
            # which Django's page or the service's refusal names): nothing deleted.
            response = client.post(reverse(f"{prefix}_delete", args=[record.pk]), {"post": "yes"})
            refused = (response.status_code == 200 and response.context["protected"]) or (
                response.status_code == 302 and response["Location"].endswith(f"/{record.pk}/change/")
            )
            assert refused, (role, side, response.status_code)
            assert model.objects.filter(pk=record.pk).exists(), (role, side)
            continue
        client.post(reverse(f"{prefix}_delete", args=[record.pk]), {"post": "yes"})
        deleted = not model.objects.filter(pk=record.pk).exists()
        assert deleted == expected_over_http(role, "delete", side, model), (role, model.__name__, side, "delete")


# The accounts' pages (programmes/admin/accounts.py): administrators only; a superuser's
# account is read-only for them; the role groups and the superuser flag are nobody's to edit.
USER_ADMIN = {"staff_a": False, "ministry": False, "viewer": False, "admin": True, "no_role": False}


@pytest.mark.parametrize("role", ROLES)
def test_the_user_admin_is_the_administrators(world, client, role):
    client.force_login(world["users"][role])
    other = factories.member("viewer", username="nguoi.xem.khac")
    root = factories.user("goc", is_staff=True, is_superuser=True)
    pages = {
        "list": client.get(reverse("admin:auth_user_changelist")).status_code,
        "add": client.get(reverse("admin:auth_user_add")).status_code,
        "change": client.get(reverse("admin:auth_user_change", args=[other.pk])).status_code,
        "password": client.get(reverse("admin:auth_user_password_change", args=[other.pk])).status_code,
    }
    allowed = USER_ADMIN[role]
    # A viewer is not staff: the admin sends them to the login page, which refuses them (403).
    assert all((status == 200) == allowed for status in pages.values()), (role, pages)
    if allowed:
        change = client.get(reverse("admin:auth_user_change", args=[root.pk]))
        assert change.status_code == 200 and not change.context["has_change_permission"]
        assert "is_superuser" not in change.context["adminform"].form.fields
        assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    # An account nothing records is deleted by an administrator, by nobody else.
    client.post(reverse("admin:auth_user_delete", args=[other.pk]), {"post": "yes"})
    assert type(other).objects.filter(pk=other.pk).exists() != allowed, role


def test_staff_cannot_create_a_record_for_another_province_through_the_admin(world, client):
    client.force_login(world["users"]["staff_a"])
    data = {
        "province": str(world["b"].pk),
        "year": str(YEAR),
        "indicator": str(factories.indicator("demonstration_models").pk),
        "target": "7",
    }
    response = client.post(reverse("admin:programmes_indicatortarget_add"), data)
    assert response.status_code == 200
    assert "province" in response.context["adminform"].form.errors
    assert not IndicatorTarget.objects.filter(province=world["b"], indicator__code="demonstration_models").exists()
    data["province"] = str(world["a"].pk)
    assert client.post(reverse("admin:programmes_indicatortarget_add"), data).status_code == 302


def test_the_province_autocomplete_offers_staff_their_territory_only(world, client):
    client.force_login(world["users"]["staff_a"])
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "programmes", "model_name": "budgetplan", "field_name": "province", "term": ""},
    )
    names = {row["text"] for row in response.json()["results"]}
    assert "Thành phố Hồ Chí Minh" in names
    assert "Bình Dương (2008–2025)" in names  # a predecessor of A
    assert not any(name.startswith("Hà Nội") for name in names)


# --- the pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_year_plan_grid(world, client, role):
    client.force_login(world["users"][role])
    for side, province in (("own", world["a"]), ("other", world["b"])):
        url = reverse("programmes:year-plan-edit", kwargs={"province_id": province.pk, "year": YEAR})
        before = BudgetPlan.objects.get(province=province, year=YEAR).planned_vnd
        response = client.post(url, {"plan_KCQG": "", "plan_KCDP": "2.000.000.000", "confirm_removal": "1"})
        changed = BudgetPlan.objects.get(province=province, year=YEAR).planned_vnd != before
        assert changed == expected(role, "update", side, BudgetPlan), (role, side, response.status_code)
        if not expected(role, "update", side, BudgetPlan):
            assert response.status_code in (403, 404, 405), (role, side, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_dashboards(world, client, role):
    client.force_login(world["users"][role])
    for side, province in (("own", world["a"]), ("other", world["b"])):
        response = client.get(reverse("reports:province", kwargs={"province_id": province.pk}), {"year": YEAR})
        assert (response.status_code == 200) == expected(role, "read", side, BudgetPlan), (role, side)
    national = client.get(reverse("reports:national"), {"year": YEAR})
    if role == "staff_a":
        # Province staff are taken to their own province: the nation's table lists every province.
        assert national.status_code == 302
        assert national["Location"].startswith(reverse("reports:province", kwargs={"province_id": world["a"].pk}))
    else:
        assert (national.status_code == 200) == (role != "no_role")


@pytest.mark.parametrize("role", ROLES)
def test_summary_endpoint(world, client, role):
    client.force_login(world["users"][role])
    url = reverse("api-report-summary")
    for side, province in (("own", world["a"]), ("other", world["b"])):
        response = client.get(url, {"year": YEAR, "province": province.pk})
        assert (response.status_code == 200) == expected(role, "read", side, BudgetPlan), (role, side)
        if response.status_code != 200:
            assert response.status_code in (403, 404)
    nation = client.get(url, {"year": YEAR})
    assert (nation.status_code == 200) == (role in ("ministry", "viewer", "admin"))


def test_anonymous_users_reach_nothing(world, client):
    assert client.get(reverse("reports:national")).status_code == 302
    assert client.get(reverse("api-report-summary"), {"year": YEAR}).status_code == 403
    assert client.get(reverse("admin:programmes_budgetplan_changelist")).status_code == 302
    url = reverse("programmes:year-plan-edit", kwargs={"province_id": world["a"].pk, "year": YEAR})
    assert client.post(url, {"plan_KCDP": "1"}).status_code == 302
    assert access.visible_province_ids(AnonymousUser()) == frozenset()


# --- the API -------------------------------------------------------------------------------------

API = "/api/v1"


def _api_cases(world, side):
    """For each API-exposed model: (detail URL, harmless change, new record body, list URL)."""
    records = world["records"][side]
    province = world["a"] if side == "own" else world["b"]
    project = records[Project]
    return {
        BudgetPlan: (
            f"{API}/budget-plans/{records[BudgetPlan].pk}/",
            {"notes": "Kiểm tra quyền"},
            {"province": province.pk, "year": YEAR, "funding_source": "KCQG", "planned_vnd": "1000"},
            f"{API}/budget-plans/",
        ),
        IndicatorTarget: (
            f"{API}/indicator-targets/{records[IndicatorTarget].pk}/",
            {"target": 101},
            {"province": province.pk, "year": YEAR, "indicator": "demonstration_models", "target": 3},
            f"{API}/indicator-targets/",
        ),
        Project: (
            f"{API}/projects/{project.pk}/",
            {"title": "Đề án đã đổi tên"},
            {
                "province": province.pk,
                "year": YEAR,
                "funding_source": "KCDP",
                "category": "consulting",
                "title": "Tư vấn",
                "support_vnd": "1000",
            },
            f"{API}/projects/",
        ),
        Disbursement: (
            f"{API}/projects/{project.pk}/disbursements/{records[Disbursement].pk}/",
            {"note": "Kiểm tra quyền"},
            {"date": f"{YEAR}-04-02", "amount_vnd": "1"},
            f"{API}/projects/{project.pk}/disbursements/",
        ),
        ProjectOutput: (
            f"{API}/projects/{project.pk}/outputs/{records[ProjectOutput].pk}/",
            {"note": "Kiểm tra quyền"},
            {"indicator": "trained_workers", "date": f"{YEAR}-04-02", "value": 1},
            f"{API}/projects/{project.pk}/outputs/",
        ),
        Establishment: (
            f"{API}/establishments/{records[Establishment].pk}/",
            {"notes": "Kiểm tra quyền"},
            {
                "province": province.pk,
                "name": "Cơ sở mới",
                "legal_form": "household",
                "registered_on": f"{YEAR}-02-01",
            },
            f"{API}/establishments/",
        ),
        ProjectBeneficiary: (
            f"{API}/projects/{project.pk}/beneficiaries/{records[ProjectBeneficiary].pk}/",
            None,  # a link is attached or removed, not changed
            {"establishment": world["spare"][side].pk},
            f"{API}/projects/{project.pk}/beneficiaries/",
        ),
        SelectionRound: (
            f"{API}/product-rounds/{records[SelectionRound].pk}/",
            {"notes": "Kiểm tra quyền"},
            {"level": "commune", "year": YEAR, "province": province.pk, "held_on": f"{YEAR}-04-02"},
            f"{API}/product-rounds/",
        ),
        ProductEntry: (
            f"{API}/product-entries/{records[ProductEntry].pk}/",
            {"product_name": "Giỏ mây tre"},
            {
                "round": records[SelectionRound].pk,
                "establishment": world["spare"][side].pk,
                "product_name": "Nón lá",
                "group": "handicrafts",
            },
            f"{API}/product-entries/",
        ),
        ProductCertificate: (
            f"{API}/product-certificates/{records[ProductCertificate].pk}/",
            {"number": "X-sửa"},
            {"entry": world["spare"][f"entry-{side}"].pk, "number": "Y-1", "issued_on": f"{YEAR}-03-25"},
            f"{API}/product-certificates/",
        ),
        FiveYearProgramme: (
            f"{API}/five-year-programmes/{records[FiveYearProgramme].pk}/",
            {"notes": "Kiểm tra quyền"},
            {
                "level": "provincial",
                "province": province.pk,
                "start_year": YEAR + 5,
                "title": "Chương trình giai đoạn sau",
                "decision_number": "2/QĐ-UBND",
                "decided_on": f"{YEAR}-06-01",
            },
            f"{API}/five-year-programmes/",
        ),
        ProjectTransition: (
            f"{API}/projects/{project.pk}/transitions/",
            None,
            {"to": "accepted", "date": f"{YEAR}-05-01"},
            f"{API}/projects/{project.pk}/transitions/",
        ),
    }


def _api_expected(role, action, side, model) -> bool:
    if model is ProjectTransition:
        # Steps are read by whoever reads the project, and recorded by whoever may change it.
        return EXPECTED[role]["read" if action == "read" else "update"][side] if action in ("read", "create") else False
    return expected(role, action, side, model)


API_MODELS = [
    BudgetPlan,
    IndicatorTarget,
    Project,
    ProjectTransition,
    Disbursement,
    ProjectOutput,
    Establishment,
    ProjectBeneficiary,
    SelectionRound,
    ProductEntry,
    ProductCertificate,
    FiveYearProgramme,
]


@pytest.mark.parametrize("model", API_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ROLES)
def test_api_follows_the_matrix(world, role, model):
    """Read, create, update and delete through /api/v1/ for both provinces: allowed cells answer
    2xx and change the database; refused cells answer 403 or 404 and change nothing."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(world["users"][role])
    for side in ("own", "other"):
        detail, change, new, listing = _api_cases(world, side)[model]
        read = client.get(detail)
        assert (read.status_code == 200) == _api_expected(role, "read", side, model), (role, side, read.status_code)
        if read.status_code != 200:
            assert read.status_code in (403, 404), (role, side, read.status_code)

        before = model.objects.count()
        created = client.post(listing, new, format="json")
        allowed = _api_expected(role, "create", side, model)
        assert (created.status_code == 201) == allowed, (role, model.__name__, side, "create", created.content[:200])
        assert model.objects.count() == before + (1 if allowed else 0)

        if change is not None:
            updated = client.patch(detail, change, format="json")
            assert (updated.status_code == 200) == _api_expected(role, "update", side, model), (
                role,
                model.__name__,
                side,
                "update",
                updated.status_code,
            )

        if model is not ProjectTransition:
            record = world["records"][side][model]
            deleted = client.delete(detail)
            gone = not model.objects.filter(pk=record.pk).exists()
            may_delete = _api_expected(role, "delete", side, model)
            if model in PROTECTED and may_delete:
                assert deleted.status_code == 400  # its money and outputs (its supports) protect it
            else:
                assert gone == may_delete, (role, model.__name__, side, "delete", deleted.status_code)
                if not may_delete:
                    assert deleted.status_code in (403, 404)


# --- the Excel export ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_excel_export(world, client, role):
    """The workbook of a province is given to those who read that province; the nation's and a
    region's (whose tables list every province) only to the nation-wide roles."""
    client.force_login(world["users"][role])
    url = reverse("reports:excel")
    for side, province in (("own", world["a"]), ("other", world["b"])):
        response = client.get(url, {"year": YEAR, "province": province.pk})
        allowed = expected(role, "read", side, BudgetPlan)
        assert (response.status_code == 200) == allowed, (role, side, response.status_code)
        if allowed:
            assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        else:
            assert response.status_code in (403, 404), (role, side, response.status_code)
    for query in ({"year": YEAR}, {"year": YEAR, "region": "south"}):
        response = client.get(url, query)
        assert (response.status_code == 200) == (role in ("ministry", "viewer", "admin")), (role, query)


# --- the service's rule, beside the permission ----------------------------------------------------
#
# For each delete path (the record's admin page, the list's "delete selected" action, the API),
# a record whose deletion a service rule refuses: the permission column says what the user's
# role allows on it, the rule column that the record is still there afterwards and the answer
# is a refusal, not a 500. The permission may already refuse (a lock makes the admin page
# read-only); the rule must hold even where it does not (the net total of a project's money).

DELETE_PATHS = ["admin page", "admin action", "api"]


def _net_total_case(world):
    """Province A's project paid 100 million with 60 million recovered: its payment may be
    deleted by the permission, not by the rule (the net total would be −60 million)."""
    project = world["records"]["own"][Project]
    services.disbursement_create(project=project, date=D(YEAR, 4, 3), amount_vnd=Decimal(6 * 10**7), kind="recovery")
    return world["records"]["own"][Disbursement], f"{API}/projects/{project.pk}/disbursements/"


def _locked_case(world, model):
    """Province A's record of `model`, locked by the approval of its 6-month report (the
    records are dated April, the plans and targets are of the report's year)."""
    from programmes import workflow

    ministry = world["users"]["ministry"]
    period = workflow.period_submit(
        province=world["a"], year=YEAR, period="H1", user=world["users"]["staff_a"], today=D(YEAR, 7, 5)
    )
    workflow.period_approve(period=period, user=ministry)
    record = world["records"]["own"][model]
    project = world["records"]["own"][Project]
    listing = {
        BudgetPlan: f"{API}/budget-plans/",
        IndicatorTarget: f"{API}/indicator-targets/",
        Disbursement: f"{API}/projects/{project.pk}/disbursements/",
        ProjectOutput: f"{API}/projects/{project.pk}/outputs/",
    }[model]
    return record, listing


# (case, model, the permission allows the deletion) — the rule must hold in every row.
SERVICE_RULE_CASES = [
    ("net total", Disbursement, True),
    ("approved report", Disbursement, False),
    ("approved report", ProjectOutput, False),
    ("approved report", BudgetPlan, False),
    ("approved report", IndicatorTarget, False),
]


@pytest.mark.parametrize("path", DELETE_PATHS)
@pytest.mark.parametrize(
    ("case", "model", "permission_allows"),
    SERVICE_RULE_CASES,
    ids=[f"{case}-{model.__name__}" for case, model, _ in SERVICE_RULE_CASES],
)
def test_the_services_rule_holds_on_every_delete_path(world, client, path, case, model, permission_allows):
    from rest_framework.test import APIClient

    record, listing = _net_total_case(world) if case == "net total" else _locked_case(world, model)
    staff = world["users"]["staff_a"]
    model_admin = admin.site._registry[model]
    assert model_admin.has_delete_permission(_request(staff), record) == permission_allows

    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    if path == "api":
        api = APIClient()
        api.force_login(staff)
        response = api.delete(f"{listing}{record.pk}/")
        assert response.status_code in (400, 403), response.content[:300]
    else:
        client.force_login(staff)
        if path == "admin page":
            response = client.post(reverse(f"{prefix}_delete", args=[record.pk]), {"post": "yes"})
        else:
            response = client.post(
                reverse(f"{prefix}_changelist"),
                {"action": "delete_selected", "_selected_action": [str(record.pk)], "post": "yes"},
            )
        assert response.status_code in (200, 302, 403), response.status_code
    assert model.objects.filter(pk=record.pk).exists(), (case, model.__name__, path)


def test_the_api_and_the_admin_ask_the_same_authority(world):
    """One authority check (access.may_write): a permission taken from the role takes the write
    from the admin and from the API alike, where the API used to ask the role's province only."""
    from django.contrib.auth.models import Group, Permission
    from rest_framework.test import APIClient

    group = Group.objects.get(name="province_staff")
    group.permissions.remove(Permission.objects.get(codename="delete_disbursement"))
    staff = type(world["users"]["staff_a"]).objects.get(pk=world["users"]["staff_a"].pk)  # fresh permission cache
    record = world["records"]["own"][Disbursement]

    assert not access.may_write(staff, "delete", Disbursement, world["a"])
    assert access.may_write(staff, "change", Disbursement, world["a"])
    assert not admin.site._registry[Disbursement].has_delete_permission(_request(staff), record)
    client = APIClient()
    client.force_login(staff)
    response = client.delete(f"{API}/projects/{record.project_id}/disbursements/{record.pk}/")
    assert response.status_code == 403
    assert Disbursement.objects.filter(pk=record.pk).exists()


# --- the reference data of the activity contents (issue 19, item 4) --------------------------------

# Everybody with a role reads the contents and their mapping; only the administrators change
# them (admin); the API reads them only. Viewers read through the reports and the API, not the admin.
REFERENCE_READ_ADMIN = {"staff_a": True, "ministry": True, "viewer": False, "admin": True, "no_role": False}
REFERENCE_READ_API = {"staff_a": True, "ministry": True, "viewer": True, "admin": True, "no_role": False}


@pytest.mark.parametrize("model_name", ["activitycategory", "categorymapping"])
@pytest.mark.parametrize("role", ROLES)
def test_the_activity_contents_are_the_administrators_to_change(world, client, role, model_name):
    from rest_framework.test import APIClient

    from programmes.models import ActivityCategory, CategoryMapping

    model = {"activitycategory": ActivityCategory, "categorymapping": CategoryMapping}[model_name]
    record = model.objects.order_by("pk").last()
    user = world["users"][role]
    client.force_login(user)
    prefix = f"admin:programmes_{model_name}"
    listing = client.get(reverse(f"{prefix}_changelist"))
    listed = listing.status_code == 200 and record in listing.context["cl"].result_list
    assert listed == REFERENCE_READ_ADMIN[role], (role, listing.status_code)
    change = client.get(reverse(f"{prefix}_change", args=[record.pk]))
    if change.status_code == 200:
        assert change.context["has_change_permission"] == (role == "admin"), role
    assert (client.get(reverse(f"{prefix}_add")).status_code == 200) == (role == "admin"), role
    model_admin = admin.site._registry[model]
    request = _request(user)
    assert model_admin.has_delete_permission(request, record) == (role == "admin"), role
    api = APIClient()
    api.force_login(user)
    for url in ("/api/v1/activity-categories/", "/api/v1/category-figures/?year=2026"):
        response = api.get(url)
        assert (response.status_code == 200) == REFERENCE_READ_API[role], (role, url, response.status_code)
    # No role writes them through the API.
    assert api.post("/api/v1/activity-categories/", {"code": "x", "name": "x"}, format="json").status_code in (
        403,
        405,
    )
    assert ActivityCategory.objects.filter(code="x").count() == 0


# --- the five-year programmes' targets (issue 19): rows of their programme -----------------------


@pytest.mark.parametrize("role", ROLES)
def test_programme_targets_follow_their_programme(world, role):
    """A programme's targets are rows of its page (the admin's inline) and of its API body: the
    programme's cells decide, for both provinces (staff write their own province's targets)."""
    from rest_framework.test import APIClient

    from programmes.models import ProgrammeTarget

    user = world["users"][role]
    request = _request(user)
    programme_admin = admin.site._registry[FiveYearProgramme]
    api = APIClient()
    api.force_login(user)
    for side in ("own", "other"):
        programme = world["records"][side][FiveYearProgramme]
        target = services.target_save(target=ProgrammeTarget(programme=programme, name="Mô hình trình diễn", value=5))
        visible = programme_admin.get_queryset(request).filter(pk=programme.pk).exists()
        inline = next(
            (i for i in programme_admin.get_inline_instances(request, programme) if i.model is ProgrammeTarget), None
        )
        cells = {
            "read": visible and inline is not None and inline.has_view_or_change_permission(request, programme),
            "create": visible and inline is not None and inline.has_add_permission(request, programme),
            "update": visible and inline is not None and inline.has_change_permission(request, programme),
            "delete": visible and inline is not None and inline.has_delete_permission(request, programme),
        }
        for action in ACTIONS:
            assert cells[action] == expected(role, action, side, FiveYearProgramme), (role, side, action)
        body = {"targets": [{"name": "Mô hình trình diễn", "value": 8}]}
        response = api.patch(f"{API}/five-year-programmes/{programme.pk}/", body, format="json")
        allowed = expected(role, "update", side, FiveYearProgramme)
        assert (response.status_code == 200) == allowed, (role, side, response.status_code)
        values = list(ProgrammeTarget.objects.filter(programme=programme).values_list("value", flat=True))
        assert values == ([8] if allowed else [target.value]), (role, side, values)
