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
from django.urls import reverse
from django.utils import timezone

from common.numbers import format_vnd
from programmes import demo, services
from programmes.models import (
    ApprovalStatus,
    BudgetPlan,
    CollaboratorNetwork,
    Disbursement,
    DisbursementKind,
    Establishment,
    ExtensionCentre,
    IndicatorTarget,
    PlanRevision,
    ProductCertificate,
    ProductEntry,
    Project,
    ProjectBeneficiary,
    ProjectOutput,
    ProjectStatus,
    ProjectTransition,
    Province,
    ReportingPeriod,
    SelectionRound,
)
from programmes.rules import lifecycle
from programmes.selectors import report_figures
from programmes.selectors.figures import ProvinceMap
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


FUNDS = ("KCQG", "KCDP")


def north_plans(year: int, fund: str, field: str) -> Decimal:
    """Σ `field` (planned_vnd: as in force, original_vnd: first approved) of the 28 northern provinces' plans."""
    plans = BudgetPlan.objects.filter(old_region("north"), year=year, funding_source=fund, status="approved")
    return plans.aggregate(total=Sum(field))["total"]


def net_paid(scope: Q, until: datetime.date) -> Decimal:
    """Σ disbursements of `scope` dated on or before `until`, recoveries subtracted."""
    rows = Disbursement.objects.filter(scope, date__lte=until)
    paid = rows.exclude(kind="recovery").aggregate(total=Sum("amount_vnd"))["total"] or Decimal(0)
    return paid - (rows.filter(kind="recovery").aggregate(total=Sum("amount_vnd"))["total"] or Decimal(0))


def north_actual_2016(fund: str) -> Decimal:
    """What the northern 2016 projects of `fund` received in 2016 (the report's "giải ngân")."""
    scope = Q(
        project__province__region__code="north",
        project__province__valid_to=LAST_OLD_DAY,
        project__year=2016,
        project__funding_source=fund,
    )
    return net_paid(scope, D(2016, 12, 31))


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
        "approved_figures": dict(ReportingPeriod.objects.values_list("pk", "approved_figures")),
        "users": get_user_model().objects.count(),
        "statuses": sorted(Project.objects.values("status").annotate(n=Count("id")).values_list("status", "n")),
        "records": [
            model.objects.count()
            for model in (Establishment, ProjectBeneficiary, SelectionRound, ProductEntry, ProductCertificate)
        ],
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

    def test_2016_plans_by_region(self):
        self.assertEqual(BudgetPlan.objects.filter(year=2016, status="approved").count(), 126)
        self.assertEqual(Province.objects.filter(region__code="north", valid_to=LAST_OLD_DAY).count(), 28)
        for region in ("north", "central_highlands", "south"):
            with self.subTest(region=region):
                plans = BudgetPlan.objects.filter(old_region(region), year=2016)
                provinces = Province.objects.filter(region__code=region, valid_to=LAST_OLD_DAY)
                self.assertEqual(plans.count(), 2 * provinces.count())
        # Only the northern 2016 plans were revised during the year; the south's are as at its conference.
        revised_2016 = BudgetPlan.objects.filter(year=2016).exclude(original_vnd=F("planned_vnd"))
        self.assertEqual(set(revised_2016.values_list("province__region__code", flat=True)), {"north"})

    # The 12th northern conference (example_north_2017.md) ---------------------------------

    def test_northern_2016_completion_is_on_the_revised_plans(self):
        actual = {fund: north_actual_2016(fund) for fund in FUNDS}
        revised = {fund: north_plans(2016, fund, "planned_vnd") for fund in FUNDS}
        self.assertEqual(pct(actual["KCQG"], revised["KCQG"]), Decimal("99.98"))
        self.assertEqual(pct(actual["KCDP"], revised["KCDP"]), Decimal("94.66"))
        self.assertEqual(pct(sum(actual.values()), sum(revised.values())), Decimal("97.02"))
        # As reported, in billions: 56.3 KCQG, 67.1 KCĐP, "over 123.37" in all.
        self.assertEqual((billions(actual["KCQG"]), billions(actual["KCDP"])), (Decimal("56.3"), Decimal("67.1")))
        self.assertGreaterEqual(sum(actual.values()), Decimal("123_370_000_000"))
        self.assertEqual(billions(sum(actual.values()), "0.01"), Decimal("123.37"))
        # Against the first-approved plans the region would have disbursed more than planned.
        self.assertGreater(actual["KCQG"], north_plans(2016, "KCQG", "original_vnd"))

    def test_northern_2016_share_of_the_nations_disbursement(self):
        nation = {
            fund: net_paid(Q(project__year=2016, project__funding_source=fund), D(2016, 12, 31)) for fund in FUNDS
        }
        self.assertEqual(pct(north_actual_2016("KCQG"), nation["KCQG"]), Decimal("55.37"))
        self.assertEqual(pct(north_actual_2016("KCDP"), nation["KCDP"]), Decimal("54.66"))
        self.assertEqual(
            (billions(nation["KCQG"], "0.01"), billions(nation["KCDP"], "0.01")), (Decimal("101.68"), Decimal("122.70"))
        )

    def test_northern_2017_growth_is_on_the_first_approved_2016_plans(self):
        first_2016 = {fund: north_plans(2016, fund, "original_vnd") for fund in FUNDS}
        plan_2017 = {fund: north_plans(2017, fund, "planned_vnd") for fund in FUNDS}
        self.assertEqual(plan_2017, {fund: north_plans(2017, fund, "original_vnd") for fund in FUNDS})
        self.assertEqual(pct(plan_2017["KCQG"] - first_2016["KCQG"], first_2016["KCQG"]), Decimal("10.84"))
        self.assertEqual(pct(plan_2017["KCDP"] - first_2016["KCDP"], first_2016["KCDP"]), Decimal("17.22"))
        total_first, total_2017 = sum(first_2016.values()), sum(plan_2017.values())
        self.assertEqual(pct(total_2017 - total_first, total_first), Decimal("14.64"))
        self.assertEqual(billions(plan_2017["KCQG"]), Decimal("49.8"))
        # On the revised 2016 plans the same 2017 plans would be a different story (the report's trap).
        revised_kcqg = north_plans(2016, "KCQG", "planned_vnd")
        self.assertLess(plan_2017["KCQG"], revised_kcqg)

    def test_northern_2017_share_of_the_nations_plan_on_both_bases(self):
        plans_2017 = BudgetPlan.objects.filter(year=2017)
        self.assertFalse(plans_2017.exclude(original_vnd=F("planned_vnd")).exists())
        self.assertFalse(plans_2017.exclude(status="approved").exists())
        for field in ("planned_vnd", "original_vnd"):
            with self.subTest(basis=field):
                nation = {
                    fund: plans_2017.filter(funding_source=fund).aggregate(total=Sum(field))["total"] for fund in FUNDS
                }
                self.assertEqual(pct(north_plans(2017, "KCQG", field), nation["KCQG"]), Decimal("44.71"))
                self.assertEqual(pct(north_plans(2017, "KCDP", field), nation["KCDP"]), Decimal("53.86"))

    def test_northern_nine_month_2017_outputs(self):
        reported = {
            "trained_workers": 3_275,
            "management_trainees": 2_240,
            "demonstration_models": 25,
            "establishments_equipped": 750,
            "fair_participations": 151,
        }
        for code, value in reported.items():
            with self.subTest(indicator=code):
                self.assertEqual(output_sum("north", 2017, code, D(2017, 9, 30)), value)
                # The year goes on after the conference, towards targets that were not yet met.
                year = output_sum("north", 2017, code, D(2017, 12, 31))
                target = IndicatorTarget.objects.filter(old_region("north"), year=2017, indicator__code=code).aggregate(
                    total=Sum("target")
                )["total"]
                self.assertTrue(value <= year, (value, year))
                self.assertTrue(value < target, (value, target))

    def test_each_northern_province_has_both_2016_plans_and_disbursed_within_them(self):
        provinces = Province.objects.filter(region__code="north", valid_to=LAST_OLD_DAY)
        plans = BudgetPlan.objects.filter(year=2016, province__in=provinces, status="approved")
        self.assertEqual(plans.count(), 56)
        paid = defaultdict(Decimal)
        for province, fund, kind, amount in Disbursement.objects.filter(
            project__year=2016, project__province__in=provinces, date__lte=D(2016, 12, 31)
        ).values_list("project__province", "project__funding_source", "kind", "amount_vnd"):
            paid[province, fund] += -amount if kind == "recovery" else amount
        for plan in plans:
            with self.subTest(province=plan.province_id, fund=plan.funding_source):
                self.assertIsNotNone(plan.original_vnd)
                self.assertLessEqual(plan.original_vnd, plan.planned_vnd)
                self.assertGreater(paid[plan.province_id, plan.funding_source], plan.planned_vnd * Decimal("0.9"))
                self.assertLessEqual(paid[plan.province_id, plan.funding_source], plan.planned_vnd)
        raised = plans.exclude(original_vnd=F("planned_vnd"))
        self.assertGreaterEqual(raised.filter(funding_source="KCQG").count(), 14)  # a supplement for most
        self.assertTrue(0 < raised.filter(funding_source="KCDP").count() < 14)  # a raise for some
        # The region's totals of the report's table ("Two plans, two bases"), in billions.
        totals = {
            (fund, field): billions(north_plans(2016, fund, field), "0.01")
            for fund in FUNDS
            for field in ("original_vnd", "planned_vnd")
        }
        self.assertEqual(
            totals,
            {
                ("KCQG", "original_vnd"): Decimal("44.93"),
                ("KCQG", "planned_vnd"): Decimal("56.31"),
                ("KCDP", "original_vnd"): Decimal("66.18"),
                ("KCDP", "planned_vnd"): Decimal("70.85"),
            },
        )

    def test_every_revised_plan_has_a_consistent_revision_record(self):
        revised = BudgetPlan.objects.filter(status="approved").exclude(original_vnd=F("planned_vnd"))
        records = {revision.plan_key: revision for revision in self.result.revisions}
        self.assertEqual(len(records), len(self.result.revisions))
        self.assertEqual(set(records), {(p.province_id, p.year, p.funding_source) for p in revised})
        for plan in revised:
            record = records[plan.province_id, plan.year, plan.funding_source]
            with self.subTest(plan=record.plan_key):
                self.assertNotEqual(plan.original_vnd, plan.planned_vnd)
                self.assertEqual((record.from_vnd, record.to_vnd), (plan.original_vnd, plan.planned_vnd))
                self.assertTrue(plan.approved_on < record.decided_on <= D(plan.year, 12, 31))
                self.assertLessEqual(record.decided_on, self.today)
                self.assertTrue(record.decision_number.strip() and record.reason.strip())
                self.assertIn(record.decision_number, plan.notes)
                self.assertIn(record.decided_on.strftime("%d/%m/%Y"), plan.notes)
                self.assertIn(record.reason, plan.notes)
        # Each revision is a record too (PlanRevision), the one the plan's page and API list.
        stored = {
            (r.plan.province_id, r.plan.year, r.plan.funding_source): r
            for r in PlanRevision.objects.select_related("plan")
        }
        self.assertEqual(set(stored), set(records))
        for key, record in records.items():
            row = stored[key]
            self.assertEqual(
                (row.from_vnd, row.to_vnd, row.decision_number, row.decided_on, row.reason),
                (record.from_vnd, record.to_vnd, record.decision_number, record.decided_on, record.reason),
            )
        self.assertEqual(self.result.counts["revisions"], len(records))
        # The northern KCQG supplement is one decision of the minister, in the middle of 2016.
        kcqg_2016 = {r.decision_number for r in self.result.revisions if r.plan_key[1:] == (2016, "KCQG")}
        self.assertEqual(len(kcqg_2016), 1)
        self.assertTrue(kcqg_2016.pop().endswith("/QĐ-BCT"))

    def test_each_raise_pays_for_a_project_approved_by_the_revising_decision(self):
        for record in self.result.revisions:
            if record.plan_key[1] != 2016:
                continue
            province, year, fund = record.plan_key
            with self.subTest(plan=record.plan_key):
                approvals = ProjectTransition.objects.filter(
                    project__province=province,
                    project__year=year,
                    project__funding_source=fund,
                    to_status="approved",
                    document_number=record.decision_number,
                    date=record.decided_on,
                )
                self.assertEqual(
                    approvals.aggregate(support=Sum("project__support_vnd"))["support"],
                    record.to_vnd - record.from_vnd,
                )

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
        # 2027: Thành phố Hồ Chí Minh's plans of next year, waiting or sent back (demo_start).
        self.assertEqual(set(pending.values_list("year", flat=True)), {2026, 2027})
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

    def test_each_project_is_proposed_before_its_first_step(self):
        first = dict(
            ProjectTransition.objects.values("project").annotate(first=Min("date")).values_list("project", "first")
        )
        projects = list(Project.objects.values_list("pk", "code", "proposed_on"))
        self.assertTrue(all(proposed_on is not None for _pk, _code, proposed_on in projects))
        for pk, code, proposed_on in projects:
            self.assertLessEqual(proposed_on, self.today, code)
            if pk in first:
                self.assertIsNone(lifecycle.first_before_proposal(proposed_on, [first[pk]]), code)
        # The wait between the proposal and the appraisal is a matter of weeks, not a default of 0.
        waits = [(first[pk] - proposed_on).days for pk, _code, proposed_on in projects if pk in first]
        self.assertGreater(sorted(waits)[len(waits) // 2], 7)

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

    # Figures as approved (issue 13, item 4) --------------------------------------------

    def later_revisions(self) -> dict[tuple[int, int, str], Decimal]:
        """Per approved report (province id, year, period) and fund: Σ (to − from) of the
        revisions of its territory's plans of its year decided after its approval day, read from
        the PlanRevision records."""
        provinces = ProvinceMap.load()
        revisions = list(PlanRevision.objects.select_related("plan"))
        later: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
        for period in ReportingPeriod.objects.filter(status="approved"):
            approved_on = timezone.localtime(period.approved_at).date()
            territory = provinces.own_territory(provinces.by_id[period.province_id])
            for revision in revisions:
                plan = revision.plan
                if plan.year == period.year and plan.province_id in territory and revision.decided_on > approved_on:
                    later[(period.province_id, period.year, period.period), plan.funding_source] += (
                        revision.to_vnd - revision.from_vnd
                    )
        return later

    def test_every_approved_report_keeps_the_figures_of_its_approval_day(self):
        approved = list(ReportingPeriod.objects.filter(status="approved"))
        self.assertGreater(len(approved), 1000)
        self.assertEqual([p for p in approved if not p.approved_figures], [])
        self.assertFalse(ReportingPeriod.objects.exclude(status="approved").filter(approved_figures__isnull=False))
        # What approving each report now would store, less the revisions decided after its
        # approval: every other figure (money, first-approved plan, targets, outputs) as now.
        live = report_figures.live_figures_of(approved)
        later = self.later_revisions()
        self.assertTrue(later)
        for period in approved:
            key = (period.province_id, period.year, period.period)
            expected = live[key]
            for fund in FUNDS:
                change = later.get((key, fund))
                if change:
                    for name in (fund, "total"):
                        expected["funds"][name]["plan_vnd"] = str(Decimal(expected["funds"][name]["plan_vnd"]) - change)
            with self.subTest(report=key):
                self.assertEqual(period.approved_figures, expected)

    def test_a_report_approved_before_a_revision_shows_both_plans_and_the_difference(self):
        later = self.later_revisions()
        # The northern 2016 6-month reports approved before their province's KCĐP raise.
        keys = sorted(key for key, fund in later if key[1:] == (2016, "H1") and fund == "KCDP")
        self.assertTrue(keys)
        province_id, year, period_code = keys[0]
        period = ReportingPeriod.objects.get(province_id=province_id, year=year, period=period_code)
        plan = BudgetPlan.objects.get(province_id=province_id, year=year, funding_source="KCDP")
        revision = plan.revisions.get()
        self.assertGreater(revision.decided_on, timezone.localtime(period.approved_at).date())
        stored = period.approved_figures["funds"]["KCDP"]
        self.assertEqual(
            (Decimal(stored["plan_vnd"]), Decimal(stored["original_plan_vnd"])), (plan.original_vnd, plan.original_vnd)
        )
        self.assertEqual(plan.planned_vnd, revision.to_vnd)
        # The report page: the plan as approved, as now, and the difference.
        self.client.force_login(get_user_model().objects.get(username="bo.congthuong"))
        page = self.client.get(
            reverse("programmes:period", kwargs={"province_id": province_id, "year": year, "period": period_code})
        )
        self.assertEqual(page.status_code, 200)
        self.assertTrue(page.context["figures_changed"])
        rows = {(row.group, row.key): row for _label, row in page.context["approved_rows"]}
        row = rows["KCDP", "plan_vnd"]
        self.assertEqual(
            (row.approved, row.live, row.difference),
            (plan.original_vnd, plan.planned_vnd, revision.to_vnd - revision.from_vnd),
        )
        text = page.content.decode()
        for amount in (plan.original_vnd, plan.planned_vnd, revision.to_vnd - revision.from_vnd):
            self.assertIn(format_vnd(amount), text)
        # Every label in Vietnamese (the outputs' "done" once stayed in English).
        self.assertIn("Lao động được đào tạo nghề: đã thực hiện", text)
        self.assertNotIn(": done", text)
        # A report of the same year approved after the revision has the revised plan.
        after = ReportingPeriod.objects.get(province_id=province_id, year=year, period="FY")
        self.assertEqual(Decimal(after.approved_figures["funds"]["KCDP"]["plan_vnd"]), plan.planned_vnd)

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

    # The wider records (programmes/demo_records.py) ------------------------------------------

    def test_northern_regional_round_2024_has_218_entered_and_126_recognised(self):
        from programmes.models import SelectionLevel, SelectionRound
        from programmes.rules import records
        from programmes.selectors.products import product_figures

        north = SelectionRound.objects.get(level=SelectionLevel.REGION, year=2024, region__code="north")
        figures = product_figures(SelectionRound.objects.filter(pk=north.pk), on=north.held_on)
        self.assertEqual((figures.total.entered, figures.total.recognised), (218, 126))
        # Every regional entry carries a provincial certificate valid on the day, and every
        # provincial entry it came from a district one (the rule the services enforce).
        for entry in north.entries.select_related(
            "qualifying_certificate__entry__round",
            "qualifying_certificate__entry__qualifying_certificate__entry__round",
        ):
            below = entry.qualifying_certificate
            self.assertEqual(below.entry.round.level, SelectionLevel.PROVINCE)
            self.assertEqual(below.entry.establishment_id, entry.establishment_id)
            self.assertTrue(records.certificate_valid_on(below.issued_on, north.held_on))
            district = below.entry.qualifying_certificate
            self.assertEqual(district.entry.round.level, SelectionLevel.DISTRICT)
            self.assertTrue(records.certificate_valid_on(district.issued_on, below.entry.round.held_on))

    def test_all_regions_2024_as_published_give_889_and_439(self):
        from programmes.models import SelectionLevel, SelectionRound
        from programmes.selectors.products import product_figures

        rounds = SelectionRound.objects.filter(level=SelectionLevel.REGION, year=2024)
        figures = product_figures(rounds, on=D(2024, 12, 31))
        self.assertEqual((figures.reported_entered, figures.reported_recognised), (889, 439))
        south = next(row for row in figures.rounds if row.region_code == "south")
        self.assertEqual((south.reported_entered, south.reported_recognised), (382, 189))

    def test_demo_establishments_are_linked_to_the_projects_naming_them(self):
        from programmes.models import Establishment, ProjectBeneficiary

        links = ProjectBeneficiary.objects.select_related("project", "establishment")
        self.assertGreater(links.count(), 100)
        for link in links:
            self.assertEqual(link.project.beneficiary_name.casefold(), link.establishment.name.casefold())
        self.assertEqual(self.result.counts["beneficiaries"], links.count())
        self.assertGreater(Establishment.objects.filter(supports__isnull=True).count(), 200)  # the products' own
