"""The demo data loader: reported 2016 figures, lifecycle and money rules, idempotency.

The loader runs once for the class (about five seconds); every figure is recomputed here from
the raw records with the ORM, never read back from the generator.
"""

import datetime
import io
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, F, Max, Min, Q, Sum
from django.test import TestCase
from django.utils import timezone

from programmes import demo, services
from programmes.models import (
    ApprovalStatus,
    BudgetPlan,
    CollaboratorNetwork,
    Disbursement,
    DisbursementKind,
    ExtensionCentre,
    IndicatorTarget,
    Project,
    ProjectOutput,
    ProjectStatus,
    ProjectTransition,
    Province,
    ReportingPeriod,
)
from tests import factories

D = datetime.date
LAST_OLD_DAY = D(2025, 6, 30)
BILLION = Decimal(1_000_000_000)


def pct(part, whole) -> Decimal:
    """part / whole × 100, rounded half-up to 2 places (DESIGN §4)."""
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def billions(amount, places: str = "0.1") -> Decimal:
    return (Decimal(amount) / BILLION).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def old_region(region: str) -> Q:
    return Q(province__region__code=region, province__valid_to=LAST_OLD_DAY)


def plan_sum(year: int, region: str | None = None, fund: str | None = None) -> Decimal:
    plans = BudgetPlan.objects.filter(year=year, status=ApprovalStatus.APPROVED)
    if region:
        plans = plans.filter(old_region(region))
    if fund:
        plans = plans.filter(funding_source=fund)
    return plans.aggregate(total=Sum("planned_vnd"))["total"] or Decimal(0)


def output_sum(region: str, year: int, indicator: str, until: datetime.date) -> int:
    return (
        ProjectOutput.objects.filter(
            project__province__region__code=region,
            project__province__valid_to=LAST_OLD_DAY,
            project__year=year,
            indicator__code=indicator,
            date__gte=D(year, 1, 1),
            date__lte=until,
        ).aggregate(total=Sum("value"))["total"]
        or 0
    )


def net_disbursed(projects, as_of: datetime.date) -> Decimal:
    """Net đồng disbursed to `projects` up to `as_of` (recoveries subtracted)."""
    return projects.with_disbursed_vnd(as_of).aggregate(total=Sum("disbursed_vnd"))["total"] or Decimal(0)


def snapshot() -> dict:
    """Counts and sums of everything the loader writes."""
    figures = {
        "plans": BudgetPlan.objects.aggregate(n=Count("id"), planned=Sum("planned_vnd"), original=Sum("original_vnd")),
        "targets": IndicatorTarget.objects.aggregate(n=Count("id"), total=Sum("target")),
        "projects": Project.objects.aggregate(
            n=Count("id"), support=Sum("support_vnd"), counterpart=Sum("counterpart_vnd")
        ),
        "steps": ProjectTransition.objects.aggregate(n=Count("id"), documents=Count("document_number")),
        "outputs": ProjectOutput.objects.aggregate(n=Count("id"), total=Sum("value")),
        "centres": ExtensionCentre.objects.count(),
        "networks": CollaboratorNetwork.objects.aggregate(
            n=Count("id"), district=Sum("district_collaborators"), commune=Sum("commune_collaborators")
        ),
        "periods": sorted(ReportingPeriod.objects.values("status").annotate(n=Count("id")).values_list("status", "n")),
        "users": get_user_model().objects.count(),
        "statuses": sorted(Project.objects.values("status").annotate(n=Count("id")).values_list("status", "n")),
    }
    for kind in DisbursementKind.values:
        figures[kind] = Disbursement.objects.filter(kind=kind).aggregate(n=Count("id"), total=Sum("amount_vnd"))
    return figures


class DemoDataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.result = demo.load()
        cls.today = timezone.localdate()

    # Section 2: the reported figures ------------------------------------------------------

    def test_southern_2016_plans_reproduce_the_conference_figures(self):
        kcqg, kcdp = plan_sum(2016, "south", "KCQG"), plan_sum(2016, "south", "KCDP")
        kcqg_2015, kcdp_2015 = plan_sum(2015, "south", "KCQG"), plan_sum(2015, "south", "KCDP")
        self.assertEqual((kcqg, kcdp), (28_640_000_000, 36_830_000_000))
        self.assertEqual((kcqg_2015, kcdp_2015), (29_278_000_000, 35_016_000_000))
        self.assertEqual(billions(kcqg + kcdp), Decimal("65.5"))
        self.assertEqual(billions(kcqg_2015 + kcdp_2015), Decimal("64.3"))
        self.assertEqual(kcqg_2015 + kcdp_2015, 64_294_000_000)
        self.assertEqual(pct(kcqg - kcqg_2015, kcqg_2015), Decimal("-2.18"))
        self.assertEqual(pct(kcdp - kcdp_2015, kcdp_2015), Decimal("5.18"))
        self.assertEqual(pct(kcqg + kcdp - kcqg_2015 - kcdp_2015, kcqg_2015 + kcdp_2015), Decimal("1.83"))
        self.assertEqual(Province.objects.filter(region__code="south", valid_to=LAST_OLD_DAY).count(), 20)
        approved_by_june = BudgetPlan.objects.filter(
            old_region("south"),
            year=2016,
            funding_source="KCDP",
            status="approved",
            approved_on__lte=D(2016, 6, 30),
        )
        self.assertEqual(approved_by_june.values("province").distinct().count(), 20)

    def test_national_and_northern_2016_plans_match_the_agency(self):
        self.assertEqual(plan_sum(2016), 230_900_000_000)
        self.assertEqual(plan_sum(2016, fund="KCQG"), 103_700_000_000)
        self.assertEqual(pct(plan_sum(2016, fund="KCQG"), plan_sum(2016)), Decimal("44.91"))
        self.assertEqual(plan_sum(2016, "north"), 125_100_000_000)
        self.assertEqual(
            (plan_sum(2016, "north", "KCQG"), plan_sum(2016, "north", "KCDP")),
            (56_600_000_000, 68_500_000_000),
        )
        self.assertEqual(
            (plan_sum(2016, "central_highlands", "KCQG"), plan_sum(2016, "central_highlands", "KCDP")),
            (18_460_000_000, 21_870_000_000),
        )
        self.assertEqual(BudgetPlan.objects.filter(year=2016, status="approved").count(), 126)

    def test_southern_h1_2016_outputs_and_training_target(self):
        june = D(2016, 6, 30)
        reported = {
            "trained_workers": 331,
            "management_trainees": 369,
            "demonstration_models": 5,
            "establishments_equipped": 59,
            "fair_participations": 130,
        }
        for code, value in reported.items():
            with self.subTest(indicator=code):
                self.assertEqual(output_sum("south", 2016, code, june), value)
        target = IndicatorTarget.objects.filter(
            old_region("south"), year=2016, indicator__code="trained_workers"
        ).aggregate(total=Sum("target"))["total"]
        self.assertEqual(target, 1_724)
        self.assertEqual(pct(output_sum("south", 2016, "trained_workers", june), target), Decimal("19.20"))

    def test_northern_2016_vocational_training(self):
        done = output_sum("north", 2016, "trained_workers", D(2016, 12, 31))
        target = IndicatorTarget.objects.filter(
            old_region("north"), year=2016, indicator__code="trained_workers"
        ).aggregate(total=Sum("target"))["total"]
        self.assertEqual((done, target), (4_875, 5_945))
        self.assertEqual(pct(done, target), Decimal("82.00"))

    def test_southern_2016_collaborator_networks(self):
        networks = CollaboratorNetwork.objects.filter(
            year=2016, centre__province__region__code="south", centre__province__valid_to=LAST_OLD_DAY
        )
        self.assertEqual(networks.count(), 20)
        district = set(networks.filter(district_collaborators__gt=0).values_list("centre__province__name", flat=True))
        commune = set(networks.filter(commune_collaborators__gt=0).values_list("centre__province__name", flat=True))
        self.assertEqual(district, {"Long An", "An Giang", "Bà Rịa - Vũng Tàu", "Bình Dương", "Tây Ninh", "Vĩnh Long"})
        self.assertEqual(commune, {"Bà Rịa - Vũng Tàu", "Bình Dương"})
        self.assertEqual(networks.get(centre__province__name="An Giang").district_collaborators, 11)

    def test_lam_dong_capital_recovery_and_slow_first_half(self):
        lam_dong = Province.objects.get(code="68", valid_to=LAST_OLD_DAY)
        recovery = Project.objects.filter(province=lam_dong, year=2016, capital_recovery=True)
        self.assertTrue(recovery.filter(status__in=services.MONEY_STATUSES).exists())
        june = D(2016, 6, 30)
        for scope in (Q(province=lam_dong), old_region("south")):
            paid = net_disbursed(Project.objects.filter(scope, year=2016), june)
            planned = BudgetPlan.objects.filter(scope, year=2016).aggregate(total=Sum("planned_vnd"))["total"]
            self.assertGreater(paid, 0)
            self.assertLess(paid / planned, Decimal("0.4"))

    # Plans, targets, centres, periods -----------------------------------------------------

    def test_plans_cover_each_era(self):
        old = Province.objects.filter(valid_to=LAST_OLD_DAY)
        new = Province.objects.filter(valid_from=D(2025, 7, 1))
        for year in range(2015, 2026):
            self.assertEqual(BudgetPlan.objects.filter(year=year, province__in=old).count(), 126, year)
        self.assertFalse(BudgetPlan.objects.filter(year__gte=2026, province__in=old).exists())
        self.assertFalse(BudgetPlan.objects.filter(year=2025, province__in=new).exists())
        self.assertEqual(BudgetPlan.objects.filter(year=2026, province__in=new).count(), 68)
        pending = BudgetPlan.objects.exclude(status="approved")
        self.assertEqual(set(pending.values_list("year", flat=True)), {2026})
        self.assertEqual(set(pending.values_list("status", flat=True)), {"draft", "submitted"})
        approved = BudgetPlan.objects.filter(status="approved")
        self.assertFalse(approved.filter(Q(original_vnd__isnull=True) | Q(decision_number="")).exists())
        self.assertTrue(approved.filter(decision_number__endswith="/QĐ-BCT", funding_source="KCQG").exists())
        self.assertTrue(approved.filter(decision_number__endswith="/QĐ-UBND", funding_source="KCDP").exists())
        revised = [plan for plan in approved if plan.original_vnd != plan.planned_vnd]
        self.assertTrue(0 < len(revised) < approved.count() / 10)
        for plan in [*pending, *list(approved.order_by("pk"))[::50]]:
            plan.full_clean()
        self.assertFalse(
            BudgetPlan.objects.filter(Q(planned_vnd__lt=100_000_000) | Q(planned_vnd__gt=20 * BILLION)).exists()
        )

    def test_every_province_year_with_plans_has_targets_centre_and_network(self):
        plan_years = set(BudgetPlan.objects.values_list("province", "year").distinct())
        target_years = defaultdict(int)
        for province, year in IndicatorTarget.objects.values_list("province", "year"):
            target_years[province, year] += 1
        self.assertEqual(set(target_years), plan_years)
        self.assertEqual(set(target_years.values()), {7})
        self.assertEqual(ExtensionCentre.objects.count(), 97)
        hcmc = ExtensionCentre.objects.filter(province__code="79").values_list("name", flat=True)
        self.assertEqual(set(hcmc), {"Trung tâm Khuyến công Thành phố Hồ Chí Minh"})
        self.assertFalse(
            CollaboratorNetwork.objects.filter(year__gte=2025, centre__province__valid_to__isnull=True)
            .exclude(district_collaborators=0)
            .exists()
        )

    def test_reporting_periods_are_past_and_consistent(self):
        periods = ReportingPeriod.objects.all()
        self.assertTrue(periods.exists())
        for period in periods:
            self.assertLessEqual(period.end_date, self.today)
            self.assertTrue(period.province.valid_from <= period.end_date)
            if period.province.valid_to:
                self.assertLessEqual(period.end_date, period.province.valid_to)
            if period.status == "open":
                self.assertIsNone(period.submitted_at)
            else:
                self.assertTrue(timezone.is_aware(period.submitted_at))
            if period.status == "approved":
                self.assertTrue(timezone.is_aware(period.approved_at))
                self.assertGreaterEqual(period.approved_at, period.submitted_at)
        self.assertEqual(
            set(periods.filter(year__lte=2024).values_list("status", flat=True)) - {"approved", "submitted"},
            set(),
        )
        self.assertIn("open", set(periods.filter(year=2026).values_list("status", flat=True)))

    def test_demo_users_and_their_rights(self):
        User = get_user_model()
        users = {
            user.username: user for user in User.objects.filter(username__in=[u.username for u in demo.DEMO_USERS])
        }
        self.assertEqual(len(users), 5)
        for user in users.values():
            self.assertTrue(user.check_password(demo.DEFAULT_PASSWORD))
            self.assertTrue(user.first_name and user.last_name)
        from programmes import access

        roles = {name: access.role_of(user) for name, user in users.items()}
        self.assertEqual(
            roles,
            {
                "admin": access.Role.ADMIN,
                "bo.congthuong": access.Role.MINISTRY,
                "xem.baocao": access.Role.VIEWER,
                "binhduong": access.Role.PROVINCE_STAFF,
                "tphcm": access.Role.PROVINCE_STAFF,
            },
        )
        self.assertTrue(users["admin"].is_superuser)
        self.assertTrue(users["bo.congthuong"].has_perm("programmes.approve_reportingperiod"))
        self.assertFalse(users["bo.congthuong"].has_perm("programmes.change_disbursement"))
        self.assertTrue(users["binhduong"].has_perm("programmes.change_disbursement"))
        self.assertEqual(str(access.user_province(users["binhduong"])), "Bình Dương (2008–2025)")
        self.assertEqual(str(access.user_province(users["tphcm"])), "Thành phố Hồ Chí Minh")
        self.assertEqual(len(access.visible_province_ids(users["tphcm"])), 4)  # itself and 3 predecessors
        self.assertFalse(users["xem.baocao"].is_staff or users["xem.baocao"].user_permissions.exists())

    # Projects, lifecycle, money, outputs --------------------------------------------------

    def test_projects_per_province_year_and_era(self):
        counts = Project.objects.values("province", "year").annotate(n=Count("id"))
        old = set(Province.objects.filter(valid_to=LAST_OLD_DAY).values_list("pk", flat=True))
        for row in counts:
            if row["province"] in old or row["year"] == 2026:
                self.assertTrue(6 <= row["n"] <= 11, row)
        self.assertEqual(counts.filter(year__range=(2016, 2024)).count(), 63 * 9)
        self.assertFalse(Project.objects.filter(year=2026, province__valid_to__isnull=False).exists())
        self.assertFalse(Project.objects.filter(year__lt=2025, province__valid_to__isnull=True).exists())
        self.assertTrue(Project.objects.filter(year=2025, province__valid_to__isnull=True).exists())
        self.assertEqual(
            set(Project.objects.values_list("beneficiary_kind", flat=True)),
            {"sme", "cooperative", "household", "craft_village", "other"},
        )
        self.assertFalse(Project.objects.exclude(code__startswith="DEMO-").exists())
        # Support stays within the plan of the province, year and fund (2025: of the territory).
        plans = defaultdict(Decimal)
        for province, merged_into, year, fund, amount in BudgetPlan.objects.values_list(
            "province", "province__merged_into", "year", "funding_source", "planned_vnd"
        ):
            plans[merged_into if year == 2025 else province, year, fund] += amount
        support = defaultdict(Decimal)
        for province, merged_into, year, fund, amount in Project.objects.values_list(
            "province", "province__merged_into", "year", "funding_source", "support_vnd"
        ):
            support[(merged_into or province) if year == 2025 else province, year, fund] += amount
        for key, amount in support.items():
            self.assertLessEqual(amount, plans[key], key)
            if key[1] < 2025:
                self.assertGreater(amount, plans[key] * Decimal("0.9"), key)

    def test_every_lifecycle_status_occurs_and_2026_has_them_all(self):
        self.assertEqual(set(Project.objects.values_list("status", flat=True)), set(ProjectStatus.values))
        self.assertEqual(
            set(Project.objects.filter(year=2026).values_list("status", flat=True)), set(ProjectStatus.values)
        )
        past = Project.objects.filter(year__lte=2024)
        self.assertGreater(past.filter(status="settled").count(), past.count() * 0.85)

    def test_transitions_form_legal_chains_ending_in_the_status(self):
        steps = defaultdict(list)
        for step in ProjectTransition.objects.order_by("project", "date", "id"):
            steps[step.project_id].append(step)
        merger = D(2025, 7, 1)
        for project in Project.objects.select_related("province"):
            status, previous = ProjectStatus.PROPOSED.value, None
            for step in steps[project.pk]:
                self.assertEqual(step.from_status, status, project.code)
                self.assertIn(step.to_status, services.PROJECT_TRANSITIONS[status], project.code)
                self.assertLessEqual(step.date, self.today)
                if previous:
                    self.assertGreaterEqual(step.date, previous)
                if step.to_status in services.DOCUMENT_REQUIRED:
                    self.assertTrue(step.document_number.strip(), project.code)
                status, previous = step.to_status, step.date
            self.assertEqual(project.status, status, project.code)
            self.assertEqual(project.status_changed_on, previous, project.code)
            if project.year == 2025 and project.province.valid_to:
                self.assertTrue(previous is None or previous < merger, project.code)
            if project.year == 2025 and project.province.valid_to is None:
                self.assertGreaterEqual(steps[project.pk][0].date, merger, project.code)

    def test_money_and_outputs_follow_the_contract_and_the_calendar(self):
        contracts = dict(ProjectTransition.objects.filter(to_status="contracted").values_list("project", "date"))
        projects = {p.pk: p for p in Project.objects.select_related("province", "category")}
        for row in Disbursement.objects.all():
            project = projects[row.project_id]
            self.assertIn(project.pk, contracts, project.code)
            self.assertTrue(contracts[project.pk] <= row.date <= self.today, project.code)
            self.assertTrue(D(project.year, 1, 1) <= row.date <= D(project.year + 1, 1, 22), project.code)
            if project.year == 2025 and project.province.valid_to:
                self.assertLess(row.date, D(2025, 7, 1))
        for row in ProjectOutput.objects.select_related("indicator"):
            project = projects[row.project_id]
            self.assertIn(project.status, {"in_progress", "accepted", "settled"}, project.code)
            self.assertTrue(contracts[project.pk] <= row.date <= self.today, project.code)
            self.assertEqual(row.indicator.category_id, project.category_id, project.code)
        advances = Disbursement.objects.filter(kind="advance").select_related("project")
        self.assertFalse([a for a in advances if a.amount_vnd > a.project.support_vnd * Decimal("0.7")])
        self.assertTrue(Disbursement.objects.filter(kind="recovery").exists())

    def test_net_disbursement_never_exceeds_the_support(self):
        projects = Project.objects.with_disbursed_vnd()
        self.assertFalse(projects.filter(Q(disbursed_vnd__gt=F("support_vnd")) | Q(disbursed_vnd__lt=0)).exists())
        self.assertTrue(projects.filter(disbursed_vnd=F("support_vnd"), support_vnd__gt=0).exists())

    def test_past_years_reach_most_of_the_plan_by_year_end(self):
        for year in range(2016, 2025):
            paid = net_disbursed(Project.objects.filter(year=year), D(year, 12, 31))
            ratio = paid / plan_sum(year)
            self.assertTrue(Decimal("0.85") <= ratio <= 1, (year, ratio))

    def test_a_sample_of_records_passes_full_clean(self):
        # Approved reports lock what they cover; this test is about the rules of the data itself.
        ReportingPeriod.objects.filter(status=ReportingPeriod.Status.APPROVED).update(
            status=ReportingPeriod.Status.OPEN
        )
        rng = random.Random(2016)
        for model in (
            Disbursement,
            ProjectOutput,
            ProjectTransition,
            Project,
            IndicatorTarget,
            ReportingPeriod,
        ):
            ids = sorted(model.objects.values_list("pk", flat=True))
            for record in model.objects.filter(pk__in=rng.sample(ids, 50)):
                with self.subTest(model=model.__name__, pk=record.pk):
                    record.full_clean()
                    if model is Disbursement:
                        services.disbursement_check(record)  # the net-total rule, beyond the row's date

    def test_no_date_is_after_today(self):
        latest = [
            ProjectTransition.objects.aggregate(d=Max("date"))["d"],
            Disbursement.objects.aggregate(d=Max("date"))["d"],
            ProjectOutput.objects.aggregate(d=Max("date"))["d"],
            BudgetPlan.objects.aggregate(d=Max("approved_on"))["d"],
            Project.objects.aggregate(d=Max("status_changed_on"))["d"],
        ]
        self.assertLessEqual(max(latest), self.today)
        now = timezone.now()
        periods = ReportingPeriod.objects.aggregate(s=Max("submitted_at"), a=Max("approved_at"))
        self.assertLessEqual(periods["s"], now)
        self.assertLessEqual(periods["a"], now)
        self.assertGreaterEqual(Disbursement.objects.aggregate(d=Min("date"))["d"], D(2016, 1, 1))

    # Idempotency --------------------------------------------------------------------------

    def test_reloading_changes_nothing_and_keeps_user_projects(self):
        hcmc = factories.province("79", new_era=True)
        mine = factories.project(hcmc, 2026, support_vnd=300_000_000, status="in_progress")
        services.disbursement_create(project=mine, date=D(2026, 10, 5), amount_vnd=Decimal(100_000_000), kind="advance")
        before = snapshot()
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        self.assertIn("bo.congthuong", out.getvalue())
        self.assertEqual(snapshot(), before)
        mine.refresh_from_db()
        self.assertEqual(mine.status, "in_progress")
        self.assertEqual(mine.disbursements.count(), 1)
        self.assertFalse(mine.code.startswith(demo.CODE_PREFIX))
