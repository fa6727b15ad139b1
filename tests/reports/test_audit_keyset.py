"""The audit trail's keyset paging: the pages partition the rows exactly (none twice, none
missed, ties on the time across and within models included) going older and going newer, with
filters and for province staff; the page's newer/older links and date jump; refused links;
the "changed by" list; and pinned query counts, the same for a deep page as for the first.

Runs on SQLite and, through scripts/with-postgres.sh, on PostgreSQL (whose timestamps keep
microseconds too, so that the ties here are ties on both)."""

import datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from django.test import TestCase
from django.urls import reverse

from programmes import services
from programmes.models import ApprovalStatus, BudgetPlan, FundingSource
from reports import audit
from tests import factories
from tests.reports.test_audit import MODEL_QUERIES, SCOPED_MODEL_QUERIES, acting_as, at, revise

# Nine instants, each with several changes at exactly that time (ties within a model and across
# models), two provinces, two people.
INSTANTS = [at(day, hour) for day in (4, 5, 6) for hour in (8, 12, 16)]  # 72 history rows


def plan(province, year: int, amount: int, *, user, when, fund=FundingSource.KCQG) -> BudgetPlan:
    draft = BudgetPlan(
        province=province, year=year, funding_source=fund, planned_vnd=Decimal(amount), status=ApprovalStatus.DRAFT
    )
    with acting_as(user, when):
        return services.budget_plan_save(plan=draft, user=user)


class KeysetPagingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hcm = factories.province("79")
        cls.hanoi = factories.province("01")
        cls.officer_a = factories.member("province_staff", cls.hcm, username="can.bo.hcm")
        cls.officer_b = factories.member("province_staff", cls.hanoi, username="can.bo.hn")
        cls.ministry = factories.member("ministry")
        cls.quiet = factories.member("ministry", username="chua.sua.gi")  # never changes anything
        for number, when in enumerate(INSTANTS):
            for officer, province in ((cls.officer_a, cls.hcm), (cls.officer_b, cls.hanoi)):
                # Two plans and a target at the same instant: ties within and across models.
                kcqg = plan(province, 2010 + number, 1_000_000_000 + number, user=officer, when=when)
                plan(province, 2010 + number, 2_000_000_000, user=officer, when=when, fund=FundingSource.KCDP)
                with acting_as(officer, when):
                    factories.target(province, 2024 + number, "trained_workers", 10 + number)
                revise(kcqg, 1_500_000_000 + number, user=officer, when=when + datetime.timedelta(hours=1))

    def everything(self, user, **filters) -> list[tuple[str, int]]:
        entries = audit.audit_entries(user=user, filters=audit.AuditFilters(**filters), limit=10_000)
        return [(e.model, e.history_id) for e in entries]

    def keys(self, user, limit: int, *, newer: bool = False, **filters) -> list[list[tuple[str, int]]]:
        """Every page's (model, history id), walking older from the newest page or, with
        `newer`, walking newer from the page that `older` links reach last."""
        filters_ = audit.AuditFilters(**filters)
        pages, page = [], audit.audit_page(user=user, filters=filters_, limit=limit)
        while True:
            pages.append(page)
            if page.older is None:
                break
            page = audit.audit_page(user=user, filters=filters_, limit=limit, before=page.older)
        if newer:
            pages = [page]
            while page.newer is not None:
                page = audit.audit_page(user=user, filters=filters_, limit=limit, after=page.newer)
                pages.append(page)  # oldest page first, the newest last
        return [[(e.model, e.history_id) for e in p.entries] for p in pages]

    def test_the_data_has_ties_within_and_across_models(self):
        entries = audit.audit_entries(user=self.ministry, filters=audit.AuditFilters(), limit=10_000)
        at_first = [e for e in entries if e.when == INSTANTS[0]]
        assert len(at_first) >= 6 and {e.model for e in at_first} == {"budgetplan", "indicatortarget"}

    def test_going_older_lists_every_row_once_in_order(self):
        everything = self.everything(self.ministry)
        for limit in (1, 2, 3, 5, 7, len(everything), len(everything) + 1):
            with self.subTest(limit=limit):
                pages = self.keys(self.ministry, limit)
                assert [key for page in pages for key in page] == everything
                assert all(len(page) == limit for page in pages[:-1]) and 0 < len(pages[-1]) <= limit

    def test_going_newer_from_the_oldest_page_lists_every_row_once_in_order(self):
        everything = self.everything(self.ministry)
        for limit in (1, 2, 3, 5, 7):
            with self.subTest(limit=limit):
                pages = self.keys(self.ministry, limit, newer=True)
                # Walking newer ends on the newest page, which is always full, so that it may
                # share rows with the page before it; every other row is listed once, in order.
                index = {key: i for i, key in enumerate(everything)}
                for page in pages:
                    positions = [index[key] for key in page]
                    assert positions == list(range(positions[0], positions[0] + len(page)))
                assert {key for page in pages for key in page} == set(everything)
                earlier = [key for page in pages[:-1] for key in page]
                assert len(earlier) == len(set(earlier))
                assert all(len(page) == limit for page in pages[1:])  # the oldest may be short
                assert pages[-1] == self.keys(self.ministry, limit)[0]

    def test_paging_with_filters_and_as_province_staff(self):
        cases = [
            (self.ministry, {"province_id": self.hanoi.pk}),
            (self.ministry, {"model": "budgetplan"}),
            (self.ministry, {"user_id": self.officer_a.pk, "date_from": datetime.date(2024, 3, 5)}),
            (self.officer_a, {}),
        ]
        for user, filters in cases:
            with self.subTest(user=user.username, **{k: str(v) for k, v in filters.items()}):
                everything = self.everything(user, **filters)
                assert everything
                assert [key for page in self.keys(user, 4, **filters) for key in page] == everything
        assert {
            e.province_id for e in audit.audit_entries(user=self.officer_a, filters=audit.AuditFilters(), limit=99)
        } == {self.hcm.pk}

    def test_a_day_jump_starts_at_the_end_of_that_day(self):
        page = audit.audit_page(
            user=self.ministry,
            filters=audit.AuditFilters(),
            limit=3,
            before=audit.Cursor.day_end(datetime.date(2024, 3, 5)),
        )
        newest_that_day = self.everything(self.ministry, date_to=datetime.date(2024, 3, 5))[:3]
        assert [(e.model, e.history_id) for e in page.entries] == newest_that_day
        assert page.entries[0].when.date() <= datetime.date(2024, 3, 5)
        assert page.newer is not None and page.older is not None
        # Newer than the jump: the rows of the next day, nearest first.
        newer = audit.audit_page(user=self.ministry, filters=audit.AuditFilters(), limit=3, after=page.newer)
        assert (
            newer.entries[-1].when > page.entries[0].when or newer.entries[-1].history_id != page.entries[0].history_id
        )
        assert min(e.when for e in newer.entries) >= page.entries[0].when

    def test_cursor_tokens_read_back_and_forged_ones_are_refused(self):
        page = audit.audit_page(user=self.ministry, filters=audit.AuditFilters(), limit=2)
        assert audit.Cursor.from_token(page.older.token()) == page.older
        day = audit.Cursor.day_end(datetime.date(2024, 3, 5))
        assert audit.Cursor.from_token(day.token()) == day
        for bad in (
            "",
            "x",
            "1.budgetplan",
            "1.region.2",
            "-1.budgetplan.2",
            "9" * 30 + ".budgetplan.1",
            "1.budgetplan.२",
        ):
            assert audit.Cursor.from_token(bad) is None, bad

    def test_the_changed_by_list_names_who_changed_something_in_scope(self):
        assert audit.audit_users(user=self.ministry) == sorted(
            [self.officer_a, self.officer_b], key=lambda person: person.username
        )
        assert audit.audit_users(user=self.officer_a) == [self.officer_a]
        assert audit.audit_users(user=factories.user()) == []

    # ---- the page --------------------------------------------------------------------------

    def test_the_page_links_newer_and_older_pages_and_carries_the_filters(self):
        self.client.force_login(self.ministry)
        url = reverse("reports:audit")
        seen = []
        response = self.client.get(url, {"model": "budgetplan"})
        assert response.context["pager"].newer_url is None
        while True:
            assert response.status_code == 200
            seen += [e.history_id for e in response.context["entries"]]
            older = response.context["pager"].older_url
            if older is None:
                break
            assert parse_qs(urlsplit(older).query)["model"] == ["budgetplan"]
            response = self.client.get(older)
        assert seen == [h for _m, h in self.everything(self.ministry, model="budgetplan")]
        newer = response.context["pager"].newer_url
        assert newer is not None and response.context["pager"].newest_url is not None
        previous = self.client.get(newer)
        assert previous.status_code == 200
        assert previous.context["entries"][-1].history_id == seen[-len(response.context["entries"]) - 1]
        content = response.content.decode()
        assert 'rel="prev"' in content and 'rel="next"' not in content

    def test_the_page_jumps_to_a_day(self):
        self.client.force_login(self.ministry)
        response = self.client.get(reverse("reports:audit"), {"day": "2024-03-05", "province": self.hcm.pk})
        assert response.status_code == 200
        entries = response.context["entries"]
        assert entries and all(e.when.date() <= datetime.date(2024, 3, 5) for e in entries)
        assert {e.province_id for e in entries} == {self.hcm.pk}
        content = response.content.decode()
        assert f'name="province" value="{self.hcm.pk}"' in content  # the jump keeps the filters
        before_everything = self.client.get(reverse("reports:audit"), {"day": "2000-01-01"})
        assert before_everything.status_code == 200 and before_everything.context["entries"] == []
        assert before_everything.context["pager"].newest_url is not None

    def test_a_forged_page_link_is_refused_in_vietnamese(self):
        self.client.force_login(self.ministry)
        response = self.client.get(reverse("reports:audit"), {"before": "1.nothing.2"})
        assert response.status_code == 400
        assert "entries" not in response.context
        assert "Liên kết trang này không hợp lệ" in response.content.decode()
        assert self.client.get(reverse("reports:audit"), {"day": "05/03/2024x"}).status_code == 400

    # ---- the cost --------------------------------------------------------------------------

    def test_a_deep_page_costs_what_the_first_page_costs(self):
        self.client.force_login(self.ministry)
        first = self.client.get(reverse("reports:audit"))
        deep = reverse("reports:audit") + "?" + urlsplit(first.context["pager"].older_url).query
        for label, url in (("first", reverse("reports:audit")), ("deep", deep)):
            # Expect 10 + MODEL_QUERIES: session, user, the user's role, the users who made
            # changes (one EXISTS per history table), the provinces (filter), one page query per
            # audited model, the plans' previous versions, the users, provinces and indicators
            # named, the header's unread notifications.
            with self.subTest(page=label), self.assertNumQueries(10 + MODEL_QUERIES):
                assert self.client.get(url).status_code == 200

    def test_a_newer_page_costs_what_an_older_page_costs(self):
        self.client.force_login(self.ministry)
        everything = audit.audit_entries(user=self.ministry, filters=audit.AuditFilters(), limit=10_000)
        assert len(everything) > 51
        last = everything[-1]
        oldest = audit.Cursor(last.when, -list(audit.audited_models()).index(last.model), last.history_id)
        oldest = audit.Cursor.from_token(oldest.token())
        # Expect 10 + MODEL_QUERIES, as an older page.
        with self.assertNumQueries(10 + MODEL_QUERIES):
            response = self.client.get(reverse("reports:audit"), {"after": oldest.token()})
        entries = response.context["entries"]
        assert [e.history_id for e in entries] == [e.history_id for e in everything[-51:-1]]
        assert response.context["pager"].newer_url is not None

    def test_too_few_newer_rows_give_the_newest_page_for_one_more_query_per_model(self):
        self.client.force_login(self.ministry)
        page = audit.audit_page(
            user=self.ministry,
            filters=audit.AuditFilters(),
            limit=50,
            before=audit.Cursor.day_end(datetime.date(2024, 3, 4)),
        )
        # Fewer than a page is newer than these rows: the newest page, after the first attempt.
        # Expect 10 + 2 × MODEL_QUERIES: as above, plus the newer rows' query per model that
        # found less than a page.
        with self.assertNumQueries(10 + 2 * MODEL_QUERIES):
            response = self.client.get(reverse("reports:audit"), {"after": page.newer.token()})
        assert response.context["pager"].newer_url is None
        assert [e.history_id for e in response.context["entries"]] == [
            e.history_id for e in audit.audit_page(user=self.ministry, filters=audit.AuditFilters(), limit=50).entries
        ]

    def test_province_staff_deep_page_costs_what_their_first_costs(self):
        self.client.force_login(self.officer_a)
        for params in ({}, {"day": "2024-03-05"}):
            # Expect 11 + SCOPED_MODEL_QUERIES: as the ministry, plus the officer's province and
            # territory, with page queries for the models that belong to a province only.
            with self.subTest(**params), self.assertNumQueries(11 + SCOPED_MODEL_QUERIES):
                assert self.client.get(reverse("reports:audit"), params).status_code == 200
