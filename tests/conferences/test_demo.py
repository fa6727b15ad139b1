"""The demo conferences (`load_demo_conferences`): what the agency reported, a consistent chain, idempotent."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from conferences import demo as conference_demo
from conferences.models import Award, Conference, Paper, RecipientKind, Recommendation
from conferences.selectors import conference_chains
from programmes import demo

D = datetime.date


class DemoConferenceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        demo.load()
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

    def test_each_region_has_an_unbroken_chain_of_hosts_2015_to_2019(self):
        for chain in conference_chains():
            with self.subTest(region=chain.region.code):
                years = [link.conference.year for link in chain.links]
                self.assertEqual(years, [2019, 2018, 2017, 2016, 2015])
                editions = [link.conference.edition for link in chain.links]
                self.assertEqual(editions, list(range(editions[0], editions[0] - 5, -1)))
                self.assertTrue(all(link.handover_kept for link in chain.links[1:]))
                self.assertTrue(all(link.conference.host_province.valid_to for link in chain.links))  # old era

    def test_loading_again_changes_nothing(self):
        before = self._snapshot()
        output = StringIO()
        call_command("load_demo_conferences", stdout=output)
        self.assertEqual(self._snapshot(), before)
        self.assertIn("15", output.getvalue())

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
