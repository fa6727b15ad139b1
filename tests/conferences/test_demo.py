"""The demo conferences (`load_demo_conferences`): what the agency reported, a consistent chain, idempotent."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from conferences import demo as conference_demo
from conferences.models import Award, Conference, Paper, RecipientKind, Recommendation
from conferences.selectors import conference_chains
from programmes import demo
from tests import demo_db

D = datetime.date
MERGER_DAY = D(2025, 7, 1)


class DemoConferenceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        # The programme demo is the ground this loader builds on, not what is tested here.
        demo_db.load()
        cls.result = conference_demo.load()

    def conference(self, region: str, edition: int) -> Conference:
        return Conference.objects.select_related("host_province", "next_host_province").get(
            region__code=region, edition=edition
        )

    def test_the_7th_southern_conference_is_as_reported(self):
        south_7 = self.conference("south", 7)
        self.assertEqual(
            (south_7.start_date, south_7.host_province.name, south_7.next_host_province.name, south_7.organiser),
            (D(2016, 7, 28), "Bình Dương", "Thành phố Hồ Chí Minh", "Cục Công nghiệp địa phương"),
        )
        self.assertEqual(south_7.awards.filter(recipient_kind=RecipientKind.COLLECTIVE).count(), 23)
        self.assertEqual(south_7.awards.filter(recipient_kind=RecipientKind.INDIVIDUAL).count(), 24)
        self.assertTrue(all("2013–2015" in award.reason for award in south_7.awards.all()))
        papers = {paper.province.name: paper for paper in south_7.papers.select_related("province")}
        self.assertLessEqual({"Bạc Liêu", "An Giang"}, set(papers))
        self.assertIn("11 cộng tác viên", papers["An Giang"].summary)
        texts = " ".join(south_7.recommendations.values_list("text", flat=True))
        self.assertIn("chế độ thù lao cho cộng tác viên khuyến công", texts)
        self.assertIn("cơ sở dữ liệu khuyến công dùng chung", texts)
        self.assertEqual(south_7.attending_provinces.count(), 20)

    def test_the_12th_northern_conference_is_as_reported(self):
        north_12 = self.conference("north", 12)
        self.assertEqual(
            (north_12.start_date, north_12.city, north_12.host_province.name, north_12.next_host_province.name),
            (D(2017, 10, 5), "Thành phố Việt Trì", "Phú Thọ", "Nghệ An"),
        )
        self.assertEqual(north_12.organiser, "Cục Công Thương địa phương")
        self.assertEqual(north_12.attending_provinces.count(), 28)
        self.assertEqual(north_12.awards.filter(award_type="minister").count(), 12)
        self.assertEqual(self.conference("north", 11).host_province.name, "Ninh Bình")
        self.assertEqual(self.conference("north", 13).host_province.name, "Nghệ An")
        self.assertEqual(self.conference("south", 8).host_province.name, "Thành phố Hồ Chí Minh")

    def test_each_region_has_an_unbroken_chain_of_hosts_2015_to_2026(self):
        for region in ("north", "central_highlands", "south"):
            with self.subTest(region=region):
                chain = list(
                    Conference.objects.filter(region__code=region)
                    .select_related("host_province", "next_host_province")
                    .order_by("edition")
                )
                years = [conference.year for conference in chain]
                self.assertEqual((years[0], years[-1]), (2015, 2026))
                self.assertEqual(years, sorted(set(years)))
                self.assertNotIn(2021, years)  # no conference anywhere in 2021
                editions = [conference.edition for conference in chain]
                self.assertEqual(editions, list(range(editions[0], editions[0] + len(chain))))
                for conference, following in zip(chain, chain[1:], strict=False):
                    # The flag goes to the next conference's host, or to the province it became in 2025.
                    flag = conference.next_host_province
                    self.assertIn(
                        following.host_province_id, {flag.pk, flag.merged_into_id}, (conference.year, following.year)
                    )
                    self.assertTrue(flag.active_in_year(conference.year + 1))
                self.assertIsNone(chain[-1].next_host_province)
        # The conferences page warns of no broken handover (a year without conference has no "following").
        for chain in conference_chains():
            self.assertFalse([link for link in chain.links if link.handover_kept is False], chain.region.code)
        central = Conference.objects.filter(region__code="central_highlands")
        self.assertEqual(
            [(c.edition, c.year) for c in central.filter(year__gte=2023).order_by("edition")],
            [(13, 2023), (14, 2025), (15, 2026)],
        )
        self.assertEqual(self.conference("central_highlands", 13).start_date, D(2023, 10, 26))
        self.assertEqual(self.conference("south", 14).start_date, D(2024, 10, 10))
        self.assertEqual(self.conference("south", 14).host_province.name, "Kiên Giang")

    def test_attending_provinces_are_those_in_force_on_the_day(self):
        counts = {}
        for conference in Conference.objects.select_related("region", "host_province").prefetch_related(
            "attending_provinces"
        ):
            day = conference.start_date
            attending = list(conference.attending_provinces.all())
            with self.subTest(conference=str(conference), year=conference.year):
                for province in attending:
                    self.assertTrue(province.valid_from <= day and (province.valid_to or day) >= day, province)
                host = conference.host_province
                self.assertTrue(host.valid_from <= day and (host.valid_to or day) >= day)
                self.assertIn(host, attending)
            counts[conference.region.code, day >= MERGER_DAY] = {len(attending)}.union(
                counts.get((conference.region.code, day >= MERGER_DAY), set())
            )
        self.assertEqual(
            counts,
            {
                ("north", False): {28},
                ("central_highlands", False): {15},
                ("south", False): {20},
                ("north", True): {15},
                ("central_highlands", True): {11},
                ("south", True): {8},
            },
        )

    def test_the_2025_conferences_gather_the_new_groupings(self):
        central = self.conference("central_highlands", 14)
        self.assertEqual((central.start_date, central.host_province.name), (D(2025, 12, 4), "Đà Nẵng"))
        self.assertEqual(central.organiser, "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công")
        names = set(central.attending_provinces.values_list("name", flat=True))
        self.assertEqual(
            names,
            {
                "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Trị", "Huế", "Đà Nẵng", "Quảng Ngãi", "Gia Lai",
                "Đắk Lắk", "Khánh Hòa", "Lâm Đồng",
            },
        )  # fmt: skip
        north = Conference.objects.get(region__code="north", year=2025)
        south = Conference.objects.get(region__code="south", year=2025)
        self.assertEqual(
            set(north.attending_provinces.values_list("code", flat=True)),
            {"01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25", "31", "33", "37"},
        )
        self.assertEqual(
            set(south.attending_provinces.values_list("code", flat=True)),
            {"75", "79", "80", "82", "86", "91", "92", "96"},
        )
        for conference in (central, north, south):
            with self.subTest(region=conference.region.code):
                self.assertGreaterEqual(conference.start_date, MERGER_DAY)
                self.assertFalse(conference.attending_provinces.filter(valid_to__isnull=False).exists())
                self.assertTrue(conference.awards.exists())
                # Districts were abolished on 01/07/2025: no district office among the award winners.
                self.assertFalse(conference.awards.filter(recipient_name__contains="huyện").exists())

    def test_the_2026_conferences_are_being_prepared(self):
        prepared = Conference.objects.filter(year=2026).select_related("host_province", "region")
        self.assertEqual(sorted(c.region.code for c in prepared), ["central_highlands", "north", "south"])
        for conference in prepared:
            with self.subTest(region=conference.region.code):
                self.assertGreater(conference.start_date, demo.AS_OF)  # after the day the demo describes
                self.assertIsNone(conference.host_province.valid_to)  # a province of the new era
                self.assertIsNone(conference.next_host_province)
                self.assertIsNone(conference.attendee_count)
                self.assertEqual(conference.chairs, "")
                self.assertIn("đang được chuẩn bị", conference.summary)
                self.assertFalse(conference.awards.exists())
                self.assertFalse(conference.papers.exists())
                self.assertFalse(conference.recommendations.exists())
                self.assertTrue(conference.attending_provinces.exists())
                # The flag of the region's 2025 conference went to this host.
                previous = Conference.objects.get(region=conference.region, year=2025)
                self.assertEqual(previous.next_host_province, conference.host_province)
        # Every conference held by the demo day has its awards.
        held = Conference.objects.filter(start_date__lte=demo.AS_OF)
        self.assertFalse(held.filter(awards__isnull=True).exists())
        self.assertEqual(held.count() + prepared.count(), Conference.objects.count())

    def test_loading_again_changes_nothing(self):
        before = self._snapshot()
        output = StringIO()
        call_command("load_demo_conferences", stdout=output)
        self.assertEqual(self._snapshot(), before)
        self.assertIn(str(len(conference_demo.SPECS)), output.getvalue())
        self.assertEqual(Conference.objects.count(), len(conference_demo.SPECS))

    def _snapshot(self):
        return {
            "conferences": list(
                Conference.objects.order_by("pk").values_list(
                    "pk", "region__code", "edition", "start_date", "host_province", "next_host_province", "organiser"
                )
            ),
            "papers": list(
                Paper.objects.order_by("conference", "order").values_list("conference", "title", "presenter")
            ),
            "recommendations": list(
                Recommendation.objects.order_by("conference", "order").values_list("conference", "text", "status")
            ),
            "awards": list(
                Award.objects.order_by("conference", "recipient_kind", "order").values_list(
                    "conference", "recipient_kind", "recipient_name"
                )
            ),
        }
