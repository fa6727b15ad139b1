"""The public pages of the programme: home, login, choosing a year plan and the year-plan grid.

Messages are compared with the same gettext calls the views make, so the tests hold whether
the Vietnamese catalogue is compiled or not.
"""

import datetime
import re
from decimal import Decimal

import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import TestCase
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from common.forms import AMOUNT_MESSAGES, COUNT_MESSAGES
from programmes.models import ApprovalStatus, BudgetPlan, FundingSource, Indicator, IndicatorTarget
from programmes.services import YearPlanResult
from programmes.views.year_plans import _year_plan_message
from tests import factories

TODAY = datetime.datetime(2026, 5, 10, 9, 0, tzinfo=datetime.UTC)


def grant_year_plan_rights(user) -> None:
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="programmes",
            codename__in=["change_budgetplan", "change_indicatortarget"],
        )
    )


def edit_url(province, year: int) -> str:
    return reverse("programmes:year-plan-edit", kwargs={"province_id": province.pk, "year": year})


def grid_data(**values: str) -> dict[str, str]:
    """A POST of the whole grid: every field present (as a browser sends it), empty unless given."""
    data = {"plan_KCQG": "", "plan_KCDP": ""}
    for indicator in Indicator.objects.filter(is_active=True):
        data[f"target_{indicator.code}"] = ""
    data.update(values)
    return data


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def db_state(province, year: int) -> tuple[list, list]:
    """Every plan and target of the province-year, with its last change, for before/after checks."""
    plans = list(
        BudgetPlan.objects.filter(province=province, year=year)
        .order_by("funding_source")
        .values_list("funding_source", "planned_vnd", "status", "updated_at")
    )
    targets = list(
        IndicatorTarget.objects.filter(province=province, year=year)
        .order_by("indicator__code")
        .values_list("indicator__code", "target", "updated_at")
    )
    return plans, targets


class YearPlanTestCase(TestCase):
    """An officer who may enter plans, a user who may not, and Hồ Chí Minh City in both eras."""

    @classmethod
    def setUpTestData(cls):
        cls.hcm_old = factories.province("79")
        cls.hcm_new = factories.province("79", new_era=True)
        # Staff of the new Hồ Chí Minh City also enter the old city's records (its predecessor).
        cls.officer = factories.member("province_staff", cls.hcm_new, username="officer")
        cls.viewer = factories.user("viewer")

    def setUp(self):
        self.client.force_login(self.officer)


class YearPlanGridTests(YearPlanTestCase):
    def test_it_shows_existing_values_with_vietnamese_separators(self):
        factories.budget_plan(self.hcm_old, 2024, 1_250_000_000)
        factories.target(self.hcm_old, 2024, "trained_workers", 1724)

        response = self.client.get(edit_url(self.hcm_old, 2024))

        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "programmes/year_plan_edit.html")
        self.assertContains(response, 'value="1.250.000.000"')
        self.assertContains(response, 'value="1.724"')
        # The plan's status is shown next to its amount, and the input is described by it and,
        # since an approved plan is locked, by the reason (workflow.plan_lock_reason).
        self.assertContains(response, str(ApprovalStatus.APPROVED.label))
        self.assertContains(response, 'aria-describedby="id_plan_KCQG_helptext id_plan_KCQG_lock"')

    def test_every_input_has_a_label_and_a_numeric_keyboard(self):
        response = self.client.get(edit_url(self.hcm_old, 2024))

        html = response.content.decode()
        inputs = re.findall(r"<input [^>]*name=\"(?:plan|target)_[^>]*>", html)
        self.assertEqual(len(inputs), 2 + Indicator.objects.filter(is_active=True).count())
        for tag in inputs:
            field_id = re.search(r'id="([^"]+)"', tag).group(1)
            self.assertIn(f'<label for="{field_id}">', html)
            self.assertIn('inputmode="numeric"', tag)
        self.assertNotIn("tabindex=", "".join(inputs))

    def test_it_saves_plans_and_targets_and_redirects_with_a_message(self):
        url = edit_url(self.hcm_old, 2024)
        data = grid_data(
            plan_KCQG="1.250.000.000",
            plan_KCDP="2.000.000.000",
            target_trained_workers="1.500",
            target_demonstration_models="12",
        )

        response = self.client.post(url, data)

        self.assertRedirects(response, url, fetch_redirect_response=False)
        plans = {plan.funding_source: plan for plan in BudgetPlan.objects.filter(province=self.hcm_old, year=2024)}
        self.assertEqual(plans[FundingSource.KCQG].planned_vnd, Decimal(1_250_000_000))
        self.assertEqual(plans[FundingSource.KCDP].planned_vnd, Decimal(2_000_000_000))
        self.assertEqual(plans[FundingSource.KCQG].status, ApprovalStatus.DRAFT)
        self.assertEqual(
            dict(
                IndicatorTarget.objects.filter(province=self.hcm_old, year=2024).values_list(
                    "indicator__code", "target"
                )
            ),
            {"trained_workers": 1500, "demonstration_models": 12},
        )
        expected = _year_plan_message(self.hcm_old, 2024, YearPlanResult(4, 0, 0, 0))
        self.assertEqual(message_texts(response), [expected])
        page = self.client.get(url)
        self.assertContains(page, escape(expected))
        self.assertContains(page, 'value="2.000.000.000"')

    def test_saving_the_same_figures_again_reports_nothing_changed(self):
        url = edit_url(self.hcm_old, 2024)
        data = grid_data(plan_KCQG="1.250.000.000", plan_KCDP="2.000.000.000", target_trained_workers="1.500")
        self.client.post(url, data)
        before = db_state(self.hcm_old, 2024)

        response = self.client.post(url, data)

        self.assertRedirects(response, url)
        self.assertEqual(db_state(self.hcm_old, 2024), before)
        # The first save's message was never displayed, so both are queued.
        self.assertEqual(
            message_texts(response)[-1], _year_plan_message(self.hcm_old, 2024, YearPlanResult(0, 0, 0, 3))
        )

    def test_it_reports_updates_and_removals(self):
        url = edit_url(self.hcm_old, 2024)
        self.client.post(url, grid_data(plan_KCQG="1.000.000", plan_KCDP="5.000", target_trained_workers="7"))

        emptied = grid_data(plan_KCQG="2.000.000", target_trained_workers="7")

        # Emptying KCĐP would delete its plan: the page asks first and saves nothing.
        asked = self.client.post(url, emptied)
        self.assertEqual(asked.status_code, 200)
        self.assertEqual(asked.context["removals"], ["Kinh phí khuyến công địa phương (KCĐP): 5.000 đ"])
        self.assertContains(asked, 'name="confirm_removal"')
        self.assertEqual(BudgetPlan.objects.filter(province=self.hcm_old, year=2024).count(), 2)

        response = self.client.post(url, {**emptied, "confirm_removal": "1"})

        self.assertEqual(
            message_texts(response)[-1], _year_plan_message(self.hcm_old, 2024, YearPlanResult(0, 1, 1, 1))
        )
        self.assertEqual(
            list(BudgetPlan.objects.filter(province=self.hcm_old, year=2024).values_list("planned_vnd")),
            [(Decimal(2_000_000),)],
        )

    def test_a_bad_number_saves_nothing_and_is_shown_on_its_field(self):
        factories.budget_plan(self.hcm_old, 2024, 900_000_000, FundingSource.KCDP)
        url = edit_url(self.hcm_old, 2024)
        before = db_state(self.hcm_old, 2024)
        cases = [
            ("-5", AMOUNT_MESSAGES["negative"]),
            ("1,5", AMOUNT_MESSAGES["fraction"]),
            ("12abc", AMOUNT_MESSAGES["invalid"] % {"value": "12abc", "example": "1.250.000.000"}),
            ("10.000.000.000.000.000", AMOUNT_MESSAGES["too_large"] % {"max": "1.000.000.000.000.000"}),
        ]
        for typed, message in cases:
            with self.subTest(typed=typed):
                # The other fields of the same POST are valid and would change the plan.
                data = grid_data(plan_KCQG=typed, plan_KCDP="2.000.000.000", target_trained_workers="1.500")

                response = self.client.post(url, data)

                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["form"].errors, {"plan_KCQG": [str(message)]})
                self.assertContains(response, f'<ul class="errorlist" id="id_plan_KCQG_error"><li>{escape(message)}')
                self.assertContains(response, 'href="#id_plan_KCQG"')
                self.assertContains(response, 'aria-invalid="true"', count=1)
                # What the user typed is kept, so it can be corrected.
                self.assertContains(response, f'value="{escape(typed)}"')
                self.assertEqual(db_state(self.hcm_old, 2024), before)
                self.assertEqual(message_texts(response), [])

    def test_a_bad_target_saves_nothing(self):
        url = edit_url(self.hcm_old, 2024)

        response = self.client.post(
            url,
            grid_data(plan_KCQG="1.250.000.000", target_trained_workers="1,5", target_typical_products="3"),
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, escape(COUNT_MESSAGES["fraction"]))
        self.assertContains(response, 'href="#id_target_trained_workers"')
        self.assertEqual(BudgetPlan.objects.count(), 0)
        self.assertEqual(IndicatorTarget.objects.count(), 0)

    def test_emptying_an_approved_plan_is_refused_and_nothing_changes(self):
        factories.budget_plan(self.hcm_old, 2024, 900_000_000, FundingSource.KCDP)
        factories.target(self.hcm_old, 2024, "trained_workers", 100)
        url = edit_url(self.hcm_old, 2024)
        before = db_state(self.hcm_old, 2024)

        # KCQG is written before KCDP is refused: the whole save must be rolled back.
        response = self.client.post(
            url, grid_data(plan_KCQG="1.250.000.000", plan_KCDP="", target_trained_workers="200")
        )

        self.assertEqual(response.status_code, 200)
        refusal = gettext("The approved plan cannot be removed; enter its amount.")
        self.assertEqual(response.context["form"].errors, {"plan_KCDP": [refusal]})
        self.assertContains(response, f'<ul class="errorlist" id="id_plan_KCDP_error"><li>{escape(refusal)}')
        self.assertContains(response, 'href="#id_plan_KCDP"')
        self.assertEqual(db_state(self.hcm_old, 2024), before)
        self.assertEqual(message_texts(response), [])

    def test_a_service_error_without_a_fund_goes_above_the_form(self):
        from django.core.exceptions import ValidationError

        from programmes.forms import YearPlanForm

        form = YearPlanForm({}, plans={}, indicators=[], targets={})
        self.assertTrue(form.is_valid())
        form.add_service_error(ValidationError({"province": ["Not in force."], "KCQG": ["Too big."]}))
        form.add_service_error(ValidationError("General."))

        self.assertEqual(form.non_field_errors(), ["Not in force.", "General."])
        self.assertEqual(form.errors["plan_KCQG"], ["Too big."])

    def test_both_eras_can_enter_a_2025_plan(self):
        for province in (self.hcm_old, self.hcm_new):
            with self.subTest(province=str(province)):
                url = edit_url(province, 2025)
                self.assertEqual(self.client.get(url).status_code, 200)

                response = self.client.post(url, grid_data(plan_KCQG="300.000.000"))

                self.assertRedirects(response, url)
                self.assertEqual(BudgetPlan.objects.get(province=province, year=2025).planned_vnd, Decimal(300_000_000))

    def test_english_users_type_english_separators(self):
        url = edit_url(self.hcm_new, 2026)

        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # as the language switcher sets it
        page = self.client.get(url)
        response = self.client.post(url, grid_data(plan_KCQG="1,250,000,000"))

        self.assertContains(page, "1,250,000,000")
        self.assertRedirects(response, url, fetch_redirect_response=False)
        self.assertEqual(BudgetPlan.objects.get(province=self.hcm_new).planned_vnd, Decimal(1_250_000_000))

    def test_the_part_of_2025_a_province_covered_is_shown(self):
        response = self.client.get(edit_url(self.hcm_old, 2025))

        self.assertEqual(response.context["era_note"], gettext("until %(date)s") % {"date": "30/06/2025"})


class YearPlanAccessTests(YearPlanTestCase):
    def test_anonymous_users_are_sent_to_the_login_page(self):
        self.client.logout()
        for url in (reverse("programmes:year-plan-choose"), edit_url(self.hcm_old, 2024)):
            with self.subTest(url=url):
                response = self.client.get(url)

                self.assertRedirects(response, f"{reverse('login')}?next={url}")
        response = self.client.post(edit_url(self.hcm_old, 2024), grid_data(plan_KCQG="1.000"))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(BudgetPlan.objects.count(), 0)

    def test_users_without_both_permissions_get_403(self):
        half = factories.user("half")
        half.user_permissions.add(Permission.objects.get(codename="change_budgetplan"))
        for user in (self.viewer, half):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                for url in (reverse("programmes:year-plan-choose"), edit_url(self.hcm_old, 2024)):
                    response = self.client.get(url)

                    self.assertEqual(response.status_code, 403)
                    self.assertTemplateUsed(response, "403.html")
                response = self.client.post(edit_url(self.hcm_old, 2024), grid_data(plan_KCQG="1.000"))
                self.assertEqual(response.status_code, 403)
        self.assertEqual(BudgetPlan.objects.count(), 0)

    def test_a_superuser_may_enter_plans(self):
        self.client.force_login(factories.user("admin", is_superuser=True, is_staff=True))

        self.assertEqual(self.client.get(edit_url(self.hcm_new, 2026)).status_code, 200)

    def test_provinces_out_of_force_unknown_ones_and_odd_years_are_not_found(self):
        urls = [
            edit_url(self.hcm_old, 2026),  # merged on 1 July 2025
            edit_url(self.hcm_new, 2024),  # formed on 1 July 2025
            reverse("programmes:year-plan-edit", kwargs={"province_id": 999_999, "year": 2024}),
            edit_url(self.hcm_old, 1999),
            edit_url(self.hcm_new, 2101),
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)

                self.assertEqual(response.status_code, 404)
                self.assertTemplateUsed(response, "404.html")
        response = self.client.post(edit_url(self.hcm_old, 2026), grid_data(plan_KCQG="1.000"))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(BudgetPlan.objects.count(), 0)


class YearPlanQueryCountTests(YearPlanTestCase):
    def fill(self, indicator_codes):
        factories.budget_plan(self.hcm_old, 2024, 1_250_000_000)
        for number, code in enumerate(indicator_codes, start=1):
            factories.target(self.hcm_old, 2024, code, number * 100)

    def all_codes(self):
        return list(Indicator.objects.filter(is_active=True).values_list("code", flat=True))

    def test_get_queries_do_not_grow_with_the_targets(self):
        url = edit_url(self.hcm_old, 2024)
        for codes in (self.all_codes()[:2], self.all_codes()):
            IndicatorTarget.objects.all().delete()
            BudgetPlan.objects.all().delete()
            self.fill(codes)
            # Expect 13 queries: session, user, user permissions, group permissions, the user's
            # role (groups), the user's province and territory, province, the year's plans, their
            # revisions with their authors, active indicators, the year's targets, the approved
            # reports that lock the year (workflow.year_lock_reason, shown next to the locked
            # inputs), the header's unread notifications.
            with self.assertNumQueries(13):
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(len(response.context["form"].indicator_rows()), 7)

    def test_post_queries_do_not_grow_with_the_targets(self):
        url = edit_url(self.hcm_old, 2024)
        for codes in (self.all_codes()[:2], self.all_codes()):
            IndicatorTarget.objects.all().delete()
            BudgetPlan.objects.all().delete()
            self.fill(codes)
            data = grid_data(plan_KCQG="1.250.000.000")
            for number, code in enumerate(codes, start=1):
                data[f"target_{code}"] = str(number * 100)
            # Expect 17 queries for a save that changes nothing: session, user, user permissions,
            # group permissions, the user's role, the user's province and territory, province,
            # the year's plans and their revisions, active indicators, the year's targets (to
            # build the form); then inside the service's transaction: savepoint, the province's
            # row locked (first saves one after the other), the plans, the targets, the approved
            # reports that could lock them, release savepoint.
            with self.assertNumQueries(17):
                response = self.client.post(url, data)
            self.assertRedirects(response, url, fetch_redirect_response=False)


class YearPlanChooseTests(YearPlanTestCase):
    url = reverse("programmes:year-plan-choose")

    @time_machine.travel(TODAY, tick=False)
    def test_it_defaults_to_this_year_and_its_provinces(self):
        response = self.client.get(self.url)

        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(form.year, 2026)
        self.assertContains(response, '<option value="2026" selected>')
        # Their only province of the year is already chosen.
        self.assertContains(response, f'<option value="{self.hcm_new.pk}" selected>')
        self.assertNotContains(response, f'<option value="{self.hcm_old.pk}">')

    @time_machine.travel(TODAY, tick=False)
    def test_2025_lists_both_eras_with_their_dates(self):
        response = self.client.get(self.url, {"year": 2025})

        old_label = f"{self.hcm_old.name} ({gettext('until %(date)s') % {'date': '30/06/2025'}})"
        new_label = f"{self.hcm_new.name} ({gettext('from %(date)s') % {'date': '01/07/2025'}})"
        self.assertContains(response, f'<option value="{self.hcm_old.pk}">{escape(old_label)}</option>')
        self.assertContains(response, f'<option value="{self.hcm_new.pk}">{escape(new_label)}</option>')
        self.assertContains(response, "<optgroup", count=2)

    @time_machine.travel(TODAY, tick=False)
    def test_choosing_goes_to_the_grid(self):
        response = self.client.get(self.url, {"year": 2025, "province": self.hcm_old.pk})

        self.assertRedirects(response, edit_url(self.hcm_old, 2025))

    @time_machine.travel(TODAY, tick=False)
    def test_a_province_of_another_era_is_refused_with_the_years_list(self):
        response = self.client.get(self.url, {"year": 2026, "province": self.hcm_old.pk})

        self.assertEqual(response.status_code, 200)
        message = gettext("Choose a province that was in force in %(year)s.") % {"year": 2026}
        self.assertContains(response, escape(message))
        self.assertContains(response, 'href="#id_province"')

    @time_machine.travel(TODAY, tick=False)
    def test_refreshing_the_list_does_not_open_a_plan(self):
        response = self.client.get(self.url, {"year": 2024, "province": "", "refresh": "1"})

        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["form"].errors)
        self.assertContains(response, f'<option value="{self.hcm_old.pk}">')


class HomeTests(YearPlanTestCase):
    url = reverse("home")

    def test_anonymous_visitors_read_what_the_portal_is_and_can_log_in(self):
        self.client.logout()

        response = self.client.get(self.url)

        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "home.html")
        self.assertContains(response, f'class="button button-primary" href="{reverse("login")}"')
        self.assertContains(response, "45/2012/NĐ-CP")
        self.assertNotContains(response, reverse("programmes:year-plan-choose"))

    @time_machine.travel(TODAY, tick=False)
    def test_officers_get_their_provinces_year_and_the_ministry_the_years(self):
        factories.budget_plan(self.hcm_old, 2022, 1_000_000)
        factories.budget_plan(self.hcm_old, 2024, 1_000_000)
        factories.budget_plan(self.hcm_new, 2025, 1_000_000, FundingSource.KCDP)

        response = self.client.get(self.url)

        # Province staff: their province's year (tests/programmes/test_start.py has the rest).
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["province"], self.hcm_new)
        self.assertContains(response, edit_url(self.hcm_new, TODAY.year))
        self.assertContains(response, reverse("admin:index"))  # province staff enter data in the admin
        self.assertNotIn("years", response.context)

        self.client.force_login(factories.member("ministry", username="ministry"))
        response = self.client.get(self.url)
        rows = {row.year: row for row in response.context["years"]}
        # From the first year with a plan to next year, with no gap.
        self.assertEqual(list(rows), [2027, 2026, 2025, 2024, 2023, 2022])
        self.assertTrue(response.context["shows_merger_year"])
        self.assertEqual((rows[2026].provinces, rows[2026].provinces_with_plan), (34, 0))
        self.assertEqual((rows[2025].provinces, rows[2025].provinces_with_plan), (97, 1))
        self.assertEqual((rows[2024].provinces, rows[2024].plans_approved), (63, 1))
        # Each year leads to its dashboard and to its plans.
        self.assertContains(response, f"{reverse('reports:national')}?year=2024")
        self.assertContains(response, f"{reverse('programmes:year-plan-choose')}?year=2024")

    def test_a_staff_user_without_a_role_is_told_to_ask_for_one(self):
        staff = factories.user("staff", is_staff=True)
        self.client.force_login(staff)

        response = self.client.get(self.url)

        self.assertEqual(response.context["role"], "")
        self.assertNotContains(response, f'href="{reverse("programmes:year-plan-choose")}?')

    def test_users_without_a_role_are_told_whom_to_ask(self):
        self.client.force_login(self.viewer)  # a user with no role at all, despite the name

        response = self.client.get(self.url)

        self.assertContains(
            response,
            escape(
                gettext(
                    "Ask the portal administrators to give your account its role: province staff (with their "
                    "province), ministry official or viewer."
                )
            ),
        )


class LoginPageTests(TestCase):
    url = reverse("login")

    def test_it_shows_the_form_with_labels(self):
        response = self.client.get(self.url)

        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "registration/login.html")
        self.assertContains(response, '<label for="id_username">')
        self.assertContains(response, '<label for="id_password">')
        self.assertNotContains(response, "error-summary")

    def test_bad_credentials_are_refused_with_a_message(self):
        factories.user("officer")

        response = self.client.post(self.url, {"username": "officer", "password": "wrong"})

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "error-summary")
        for error in response.context["form"].non_field_errors():
            self.assertContains(response, escape(error))
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_good_credentials_lead_home(self):
        factories.user("officer")

        response = self.client.post(self.url, {"username": "officer", "password": "pw-officer"})

        self.assertRedirects(response, reverse("home"))
        self.assertIn("_auth_user_id", self.client.session)
