"""The conference pages: who sees them, what they show, and a query count that does not grow."""

import datetime

from django.test import TestCase
from django.urls import reverse

from conferences.models import Addressee, RecommendationStatus
from tests import factories

from . import helpers

D = datetime.date
LIST = reverse("conferences:conference-list")
TRACKER = reverse("conferences:recommendation-list")


class ConferencePagesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.viewer = factories.member("viewer", username="viewer")
        cls.ministry = factories.member("ministry", username="ministry")
        cls.staff = factories.member("province_staff", factories.province("89"), username="angiang")
        cls.nobody = factories.user("nobody")
        cls.south_6 = helpers.with_parts(helpers.conference(edition=6, start=D(2015, 8, 27), host="86", next_host="74"))
        cls.south_7 = helpers.with_parts(
            helpers.conference(attending=[factories.province("74"), factories.province("89")]),
            recommendations=3,
            collectives=3,
            people=2,
        )

    def grow(self) -> None:
        """Six more conferences with more papers, recommendations and awards each."""
        for number, (region, host, next_host) in enumerate(
            [("north", "19", "37"), ("north", "37", "25"), ("north", "25", "40"),
             ("central_highlands", "48", "56"), ("central_highlands", "56", "64"), ("south", "79", "82")]
        ):  # fmt: skip
            item = helpers.conference(
                region, edition=20 + number, start=D(2017 + number, 10, 5), host=host, next_host=next_host,
                attending=[factories.province(host), factories.province(next_host)],
            )  # fmt: skip
            helpers.with_parts(item, papers=4, recommendations=5, collectives=6, people=5)


class AccessTests(ConferencePagesTestCase):
    def pages(self):
        return [LIST, TRACKER, reverse("conferences:conference-detail", args=[self.south_7.pk])]

    def test_anonymous_visitors_are_sent_to_log_in(self):
        for url in self.pages():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_users_without_a_role_are_refused(self):
        self.client.force_login(self.nobody)
        for url in self.pages():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)

    def test_every_role_reads_the_conferences(self):
        for user in (self.viewer, self.ministry, self.staff):
            self.client.force_login(user)
            for url in self.pages():
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_an_unknown_conference_is_404(self):
        self.client.force_login(self.viewer)
        self.assertEqual(self.client.get(reverse("conferences:conference-detail", args=[999999])).status_code, 404)

    def test_the_pages_answer_get_only(self):
        self.client.force_login(self.ministry)
        self.assertEqual(self.client.post(LIST).status_code, 405)

    def test_only_the_ministry_gets_the_edit_links(self):
        url = reverse("conferences:conference-detail", args=[self.south_7.pk])
        edit = reverse("admin:conferences_conference_change", args=[self.south_7.pk])
        self.client.force_login(self.viewer)
        self.assertNotContains(self.client.get(url), edit)
        self.client.force_login(self.ministry)
        self.assertContains(self.client.get(url), edit)

    def test_province_staff_see_no_briefing_link(self):
        url = reverse("conferences:conference-detail", args=[self.south_7.pk])
        briefing = reverse("briefings:briefing", args=[self.south_7.pk])
        self.client.force_login(self.staff)
        self.assertNotContains(self.client.get(url), briefing)
        self.client.force_login(self.viewer)
        self.assertContains(self.client.get(url), briefing)


class ListPageTests(ConferencePagesTestCase):
    def setUp(self):
        self.client.force_login(self.viewer)

    def test_each_region_shows_its_chain_of_hosts_with_the_flag_handovers(self):
        response = self.client.get(LIST)
        chains = {chain.region.code: chain for chain in response.context["chains"]}
        self.assertEqual(list(chains), ["north", "central_highlands", "south"])
        self.assertEqual(chains["north"].links, [])
        south = chains["south"].links
        self.assertEqual([link.conference.edition_roman for link in south], ["VII", "VI"])
        self.assertEqual(south[1].following, self.south_7)
        self.assertTrue(south[1].handover_kept)  # Vĩnh Long handed the flag to Bình Dương, which hosted 2016
        self.assertIsNone(south[0].handover_kept)  # no 2017 conference recorded yet
        self.assertContains(response, "Bình Dương")
        self.assertContains(response, "Thành phố Hồ Chí Minh")
        self.assertContains(response, reverse("conferences:conference-detail", args=[self.south_7.pk]))

    def test_a_broken_chain_is_pointed_out(self):
        self.south_6.next_host_province = factories.province("80")
        self.south_6.save()
        response = self.client.get(LIST)
        south = response.context["chains"][2].links
        self.assertIs(south[1].handover_kept, False)
        self.assertContains(response, "chain-warning")

    def test_the_query_count_does_not_grow_with_the_conferences(self):
        # Expect 6 queries: session, user, the user's role (groups), regions, conferences with
        # their region and both hosts, the header's unread notifications.
        with self.assertNumQueries(6):
            self.client.get(LIST)
        self.grow()
        with self.assertNumQueries(6):
            response = self.client.get(LIST)
        self.assertEqual(sum(len(chain.links) for chain in response.context["chains"]), 8)


class DetailPageTests(ConferencePagesTestCase):
    def setUp(self):
        self.client.force_login(self.viewer)
        self.url = reverse("conferences:conference-detail", args=[self.south_7.pk])

    def test_it_shows_papers_recommendations_with_status_and_awards_by_kind(self):
        response = self.client.get(self.url)
        detail = response.context["detail"]
        self.assertEqual((detail.collective_award_count, detail.individual_award_count), (3, 2))
        self.assertEqual([group.kind for group in detail.award_groups], ["collective", "individual"])
        self.assertEqual(detail.attending_count, 2)
        self.assertContains(response, 'class="paper-title"', count=2)
        self.assertContains(response, 'class="status status-open"', count=1)
        self.assertContains(response, 'class="status status-in_progress"', count=1)
        self.assertContains(response, 'class="status status-resolved"', count=1)
        self.assertContains(response, "Tập thể 2")
        self.assertContains(response, "Cá nhân 1")
        self.assertContains(response, self.south_7.title)

    def test_the_query_count_does_not_grow_with_the_records(self):
        # Expect 10 queries: session, user, the user's role (groups), the conference with its
        # region and hosts, attending provinces, papers, recommendations, awards (each with
        # its province), reported figures with their indicators (none here: no comparison), the
        # header's unread notifications.
        with self.assertNumQueries(10):
            self.client.get(self.url)
        helpers.with_parts(self.south_7, papers=10, recommendations=12, collectives=20, people=21)
        self.south_7.attending_provinces.add(factories.province("80"), factories.province("77"))
        with self.assertNumQueries(10):
            response = self.client.get(self.url)
        self.assertEqual(response.context["detail"].collective_award_count, 23)
        self.assertEqual(response.context["detail"].individual_award_count, 23)


class TrackerTests(ConferencePagesTestCase):
    def setUp(self):
        self.client.force_login(self.viewer)

    def test_it_lists_what_is_not_resolved_yet_by_default(self):
        rows = self.client.get(TRACKER).context["rows"]
        self.assertEqual({row.status for row in rows}, {RecommendationStatus.OPEN, RecommendationStatus.IN_PROGRESS})
        self.assertEqual(len(rows), 4)
        # Newest conference first.
        self.assertEqual(rows[0].conference, self.south_7)

    def test_it_filters_by_status_and_addressee(self):
        cases = [
            ({"status": "resolved"}, 1),
            ({"status": "all"}, 5),
            ({"status": "open"}, 2),
            ({"status": "open", "addressed_to": Addressee.MINISTRY}, 2),
            ({"status": "all", "addressed_to": Addressee.FINANCE}, 2),
            ({"addressed_to": Addressee.PROVINCE}, 0),
            ({"status": "all", "addressed_to": Addressee.PROVINCE}, 1),
        ]
        for query, expected in cases:
            with self.subTest(query=query):
                response = self.client.get(TRACKER, query)
                self.assertEqual(response.status_code, 200)
                rows = response.context["rows"]
                self.assertEqual(len(rows), expected)
                if query.get("addressed_to"):
                    self.assertTrue(all(row.addressed_to == query["addressed_to"] for row in rows))

    def test_an_unknown_filter_value_is_a_400_with_a_message(self):
        response = self.client.get(TRACKER, {"status": "lost"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "error-summary", status_code=400)

    def test_the_query_count_does_not_grow_with_the_recommendations(self):
        # Expect 5 queries: session, user, the user's role (groups), the recommendations with
        # their conference, region, host and province, the header's unread notifications.
        with self.assertNumQueries(5):
            self.client.get(TRACKER, {"status": "all"})
        self.grow()
        with self.assertNumQueries(5):
            response = self.client.get(TRACKER, {"status": "all"})
        self.assertEqual(len(response.context["rows"]), 35)


class NavigationTests(ConferencePagesTestCase):
    def test_the_menu_links_to_the_conferences(self):
        self.client.force_login(self.viewer)
        response = self.client.get(LIST)
        self.assertContains(response, f'href="{LIST}" aria-current="page"')
