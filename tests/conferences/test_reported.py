"""What a conference's report quoted, beside the portal's figures: the model's rules, the pairing,
the conference page (nation-wide roles see the comparison), the briefing, its workbook and the API."""

import io
from decimal import Decimal

import openpyxl
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from conferences.figures import conference_figures, reported_lines
from conferences.models import Conference, ReportedFigure
from tests import demo_db, factories

F, Y = ReportedFigure.Figure, ReportedFigure.Year


class ReportedFigureRuleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.conference = Conference.objects.create(
            region=factories.province("74").region,
            edition=7,
            year=2016,
            start_date="2016-07-28",
            end_date="2016-07-28",
            host_province=factories.province("74"),
        )

    def check(self, **fields):
        figure = ReportedFigure(conference=self.conference, value=Decimal(1), **fields)
        with self.assertRaises(ValidationError) as caught:
            figure.full_clean()
        return caught.exception.messages

    def test_an_output_names_its_indicator_and_no_fund(self):
        self.assertIn("Chọn chỉ tiêu của số liệu kết quả.", self.check(figure=F.OUTPUT))
        messages = self.check(figure=F.OUTPUT, fund="KCQG", indicator=factories.indicator())
        self.assertIn("Số liệu kết quả không gắn với nguồn kinh phí: để trống ô này.", messages)

    def test_an_amount_names_its_fund_and_no_indicator(self):
        self.assertIn("Chọn nguồn kinh phí của số tiền hoặc tỷ lệ.", self.check(figure=F.PLAN))
        messages = self.check(figure=F.PLAN, fund="total", indicator=factories.indicator())
        self.assertIn("Chỉ số liệu kết quả mới gắn với một chỉ tiêu.", messages)

    def test_approved_plans_are_counted_per_fund(self):
        messages = self.check(figure=F.PLANS_APPROVED, fund="total")
        self.assertIn("Số kế hoạch được phê duyệt tính theo từng nguồn: chọn KCQG hoặc KCĐP.", messages)


class ReportedBesideComputedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        demo_db.load(conferences=True)
        cls.north_12 = Conference.objects.select_related("region").get(region__code="north", edition=12)
        cls.south_7 = Conference.objects.select_related("region").get(region__code="south", edition=7)
        cls.ministry = factories.member("ministry", username="ministry-test")
        cls.staff = factories.member("province_staff", factories.province("74"), username="bd-test")

    def lines(self, conference):
        figures = conference_figures(conference)
        reported = conference.reported_figures.select_related("indicator").order_by("order", "id")
        return {
            (line.reported.figure, line.reported.year, line.reported.fund, line.reported.indicator_id): line
            for line in reported_lines(figures, reported)
        }

    def test_the_12th_northern_report_beside_the_portal(self):
        lines = self.lines(self.north_12)
        self.assertEqual(len(lines), 21)
        plan = lines[F.ORIGINAL_PLAN, Y.CURRENT, "total", None]
        # "gần 128 tỷ": the portal's first-approved 2017 plans add up to 127,376 million.
        self.assertEqual(plan.computed, Decimal("127376000000"))
        self.assertEqual(plan.difference, Decimal("624000000"))
        completion = lines[F.COMPLETION, Y.PREVIOUS, "total", None]
        self.assertEqual((completion.computed, completion.difference), (Decimal("97.02"), Decimal(0)))
        self.assertEqual(completion.year, 2016)
        growth = lines[F.PLAN_GROWTH, Y.CURRENT, "KCDP", None]
        self.assertEqual(growth.difference, Decimal(0))
        trained = next(line for key, line in lines.items() if key[0] == F.OUTPUT and line.reported.value == 3275)
        self.assertEqual((trained.computed, trained.difference), (3275, 0))

    def test_the_7th_southern_report_beside_the_portal(self):
        lines = self.lines(self.south_7)
        plan = lines[F.ORIGINAL_PLAN, Y.CURRENT, "total", None]
        self.assertEqual(plan.computed, Decimal("65470000000"))
        self.assertEqual(plan.difference, Decimal("30000000"))  # "trên 65,5 tỷ"
        trained = next(line for line in lines.values() if line.reported.figure == F.OUTPUT_COMPLETION)
        self.assertEqual((trained.computed, trained.difference), (Decimal("19.20"), Decimal(0)))
        fairs = next(line for line in lines.values() if line.reported.quoted_as == "khoảng 130 lượt cơ sở")
        self.assertEqual(fairs.difference, 0)
        approved = lines[F.PLANS_APPROVED, Y.CURRENT, "KCDP", None]
        self.assertEqual((approved.computed, approved.difference), (20, 0))

    def test_the_conference_page_shows_the_comparison_to_nation_wide_roles(self):
        url = reverse("conferences:conference-detail", args=[self.north_12.pk])
        self.client.force_login(self.ministry)
        response = self.client.get(url)
        self.assertContains(response, "Số liệu nêu trong báo cáo hội nghị")
        self.assertContains(response, "gần 128 tỷ đồng")
        self.assertContains(response, "127,38 tỷ đồng")  # the portal's
        self.assertContains(response, "+0,62 tỷ đồng")  # the difference
        self.client.force_login(self.staff)
        response = self.client.get(url)
        self.assertContains(response, "gần 128 tỷ đồng")
        self.assertNotContains(response, "127,38 tỷ đồng")  # the region's figures are not theirs to see

    def test_the_briefing_and_its_workbook_show_them(self):
        self.client.force_login(self.ministry)
        response = self.client.get(reverse("briefings:briefing", args=[self.south_7.pk]))
        self.assertContains(response, "trên 65,5 tỷ đồng")
        self.assertContains(response, "+0,03 tỷ đồng")
        workbook = self.client.get(reverse("briefings:briefing-xlsx", args=[self.south_7.pk]))
        sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).worksheets[0]
        row = next(row for row in sheet.iter_rows(values_only=True) if row[1] == "trên 65,5 tỷ đồng")
        self.assertEqual(row[2:5], (65_500_000_000, 65_470_000_000, 30_000_000))

    def test_the_api_lists_them_with_the_conference(self):
        self.client.force_login(self.ministry)
        body = self.client.get(reverse("api-conference-detail", args=[self.north_12.pk])).json()
        self.assertEqual(len(body["reported_figures"]), 21)
        first = body["reported_figures"][0]
        self.assertEqual(
            (first["figure"], first["year"], first["fund"], first["value"], first["quoted_as"]),
            ("actual_vnd", "previous", "total", "123370000000.00", "trên 123,37 tỷ đồng"),
        )
