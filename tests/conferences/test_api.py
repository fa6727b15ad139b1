"""GET /api/v1/conferences/ and /api/v1/conferences/{id}/."""

import datetime

from django.test import TestCase
from django.urls import reverse

from tests import factories

from . import helpers

D = datetime.date


class ConferenceApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.viewer = factories.member("viewer", username="viewer")
        cls.staff = factories.member("province_staff", factories.province("89"), username="angiang")
        cls.nobody = factories.user("nobody")
        cls.south_6 = helpers.conference(edition=6, start=D(2015, 8, 27), host="86", next_host="74")
        cls.south_7 = helpers.with_parts(
            helpers.conference(attending=[factories.province("74"), factories.province("89")]),
            papers=2,
            recommendations=3,
            collectives=3,
            people=2,
        )

    def list_url(self) -> str:
        return reverse("api-conference-list")

    def detail_url(self, pk: int) -> str:
        return reverse("api-conference-detail", args=[pk])

    def test_anonymous_clients_and_users_without_a_role_are_refused(self):
        for url in (self.list_url(), self.detail_url(self.south_7.pk)):
            with self.subTest(url=url):
                self.client.logout()
                self.assertEqual(self.client.get(url).status_code, 403)
                self.client.force_login(self.nobody)
                self.assertEqual(self.client.get(url).status_code, 403)

    def test_every_role_reads(self):
        for user in (self.viewer, self.staff):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(self.list_url()).status_code, 200)
                self.assertEqual(self.client.get(self.detail_url(self.south_7.pk)).status_code, 200)

    def test_it_is_read_only(self):
        self.client.force_login(factories.member("ministry"))
        self.assertEqual(self.client.post(self.list_url(), {}).status_code, 405)
        self.assertEqual(self.client.delete(self.detail_url(self.south_7.pk)).status_code, 405)

    def test_the_list_gives_each_conference_newest_first(self):
        self.client.force_login(self.viewer)
        body = self.client.get(self.list_url()).json()
        self.assertEqual(body["count"], 2)
        first = body["results"][0]
        self.assertEqual(
            {key: first[key] for key in ("id", "region", "edition", "edition_roman", "year", "start_date")},
            {
                "id": self.south_7.pk,
                "region": "south",
                "edition": 7,
                "edition_roman": "VII",
                "year": 2016,
                "start_date": "2016-07-28",
            },
        )
        self.assertEqual(first["host_province"]["name"], "Bình Dương")
        self.assertEqual(first["next_host_province"]["name"], "Thành phố Hồ Chí Minh")
        self.assertEqual(first["attending_count"], 2)
        self.assertEqual(body["results"][1]["attending_count"], 0)

    def test_the_list_filters_by_region_and_year(self):
        helpers.conference("north", edition=12, start=D(2017, 10, 5), host="25", next_host="40")
        self.client.force_login(self.viewer)
        cases = [
            ({"region": "south"}, [7, 6]),
            ({"region": "north"}, [12]),
            ({"year": 2016}, [7]),
            ({"region": "south", "year": 2017}, []),
            ({"region": "central_highlands"}, []),
        ]
        for query, editions in cases:
            with self.subTest(query=query):
                body = self.client.get(self.list_url(), query).json()
                self.assertEqual([row["edition"] for row in body["results"]], editions)

    def test_a_malformed_year_is_a_400(self):
        self.client.force_login(self.viewer)
        response = self.client.get(self.list_url(), {"year": "hai nghìn"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("year", response.json())

    def test_the_detail_nests_papers_recommendations_and_awards(self):
        self.client.force_login(self.viewer)
        body = self.client.get(self.detail_url(self.south_7.pk)).json()
        self.assertEqual(len(body["papers"]), 2)
        self.assertEqual([row["status"] for row in body["recommendations"]], ["open", "in_progress", "resolved"])
        self.assertEqual(body["recommendations"][2]["resolved_on"], "2016-08-27")
        kinds = [row["recipient_kind"] for row in body["awards"]]
        self.assertEqual((kinds.count("collective"), kinds.count("individual")), (3, 2))
        self.assertEqual([row["name"] for row in body["attending_provinces"]], ["Bình Dương", "An Giang"])
        self.assertEqual(self.client.get(self.detail_url(999999)).status_code, 404)

    def test_the_list_query_count_does_not_grow(self):
        self.client.force_login(self.viewer)
        # Expect 5 queries: session, user, the user's role (groups), the count for the
        # pagination, the page of conferences with region, hosts and attending count.
        with self.assertNumQueries(5):
            self.client.get(self.list_url())
        for number, (host, next_host) in enumerate([("19", "37"), ("37", "25"), ("25", "40"), ("40", "22")]):
            helpers.conference(
                "north", edition=10 + number, start=D(2015 + number, 10, 5), host=host, next_host=next_host,
                attending=[factories.province(host), factories.province(next_host)],
            )  # fmt: skip
        for number, (host, next_host) in enumerate([("48", "56"), ("56", "64"), ("64", "51"), ("51", "68")]):
            helpers.with_parts(
                helpers.conference("central_highlands", edition=6 + number, start=D(2015 + number, 11, 5),
                                   host=host, next_host=next_host)
            )  # fmt: skip
        with self.assertNumQueries(5):
            body = self.client.get(self.list_url()).json()
        self.assertEqual(body["count"], 10)

    def test_the_detail_query_count_does_not_grow(self):
        self.client.force_login(self.viewer)
        # Expect 9 queries: session, user, role, the conference with region and hosts, its
        # attending provinces, papers, recommendations, awards, reported figures with their
        # indicators.
        with self.assertNumQueries(9):
            self.client.get(self.detail_url(self.south_7.pk))
        helpers.with_parts(self.south_7, papers=5, recommendations=6, collectives=10, people=10)
        with self.assertNumQueries(9):
            self.client.get(self.detail_url(self.south_7.pk))
