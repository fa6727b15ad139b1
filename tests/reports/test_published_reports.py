"""Both published regional reports (docs/reference/example_north_2017.md and example_south_2016.md),
read back from the demo data on the dashboard, through the summary endpoint and in the workbook.

The expected figures are the published ones, to the two decimals the reports print; the demo
data are built so that the portal's arithmetic (completion on the plan as revised, growth on the
first-approved plans) gives them exactly.
"""

import io

from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from tests import demo_db, factories
from tests.reports.test_dashboard import table

SUMMARY = reverse("api-report-summary")
NORTH_2016_COMPLETION = {"total": "97.02", "KCQG": "99.98", "KCDP": "94.66"}
NORTH_2016_SHARE_OF_ACTUAL = {"KCQG": "55.37", "KCDP": "54.66"}
NORTH_2017_GROWTH = {"total": "14.64", "KCQG": "10.84", "KCDP": "17.22"}
NORTH_2017_SHARE_OF_PLAN = {"KCQG": "44.71", "KCDP": "53.86"}
NORTH_9M_2017 = {
    "trained_workers": 3275,
    "management_trainees": 2240,
    "demonstration_models": 25,
    "establishments_equipped": 750,
    "fair_participations": 151,
}
SOUTH_2016_GROWTH = {"total": "1.83", "KCQG": "-2.18", "KCDP": "5.18"}


def vi(value: str) -> str:
    """`97.02` as the Vietnamese page prints it: `97,02 %`."""
    return value.replace(".", ",") + " %"


class PublishedReportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        demo_db.load()
        cls.viewer = factories.member("viewer", username="analyst")

    def setUp(self):
        self.client.force_login(self.viewer)

    def api(self, **params):
        response = self.client.get(SUMMARY, params)
        self.assertEqual(response.status_code, 200)
        return response.json()

    def workbook_summary(self, **params):
        response = self.client.get(reverse("reports:excel"), params)
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        sheet = book.worksheets[0]
        return {str(row[0]): row for row in sheet.iter_rows(values_only=True) if row and row[0] is not None}

    def test_the_northern_2016_results_through_the_api(self):
        body = self.api(year=2016, region="north")
        self.assertEqual(body["province_count"], 28)
        self.assertEqual(body["completion_pct"], NORTH_2016_COMPLETION)
        shares = body["share_of_national_pct"]["actual"]
        self.assertEqual({fund: shares[fund] for fund in ("KCQG", "KCDP")}, NORTH_2016_SHARE_OF_ACTUAL)

    def test_the_northern_2017_plan_and_nine_months_through_the_api(self):
        body = self.api(year=2017, region="north")
        self.assertEqual(body["plan_growth_pct"], NORTH_2017_GROWTH)
        shares = body["share_of_national_pct"]["plan"]
        self.assertEqual({fund: shares[fund] for fund in ("KCQG", "KCDP")}, NORTH_2017_SHARE_OF_PLAN)
        # The growth is on first-approved plans: on the revised 2016 plans it would be 0.17 %.
        self.assertNotEqual(body["revised_plan_growth_pct"]["total"], body["plan_growth_pct"]["total"])
        nine_months = self.api(year=2017, region="north", as_of="2017-09-30")
        outputs = {row["code"]: row["actual"] for row in nine_months["indicators"]}
        self.assertEqual({code: outputs[code] for code in NORTH_9M_2017}, NORTH_9M_2017)

    def test_the_southern_first_half_of_2016_through_the_api(self):
        body = self.api(year=2016, region="south", as_of="2016-06-30")
        self.assertEqual(body["plan_growth_pct"], SOUTH_2016_GROWTH)
        trained = next(row for row in body["indicators"] if row["code"] == "trained_workers")
        self.assertEqual((trained["actual"], trained["completion_pct"]), (331, "19.20"))
        self.assertEqual(body["plans_approved"]["KCDP"]["approved"], 20)

    def test_the_northern_figures_on_the_dashboard(self):
        url = reverse("reports:region", kwargs={"code": "north"})
        funds_2016 = {row[0]: row for row in table(self.client.get(url, {"year": 2016}), "fund-table")[1:]}
        completion = {row: funds_2016[row][6] for row in funds_2016}
        self.assertEqual(list(completion.values()), [vi(v) for v in ("99.98", "94.66", "97.02")])
        funds_2017 = {row[0]: row for row in table(self.client.get(url, {"year": 2017}), "fund-table")[1:]}
        growth = [funds_2017[row][3] for row in funds_2017]
        self.assertEqual(growth, [vi(v) for v in ("10.84", "17.22", "14.64")])
        shares = [funds_2017[row][8] for row in list(funds_2017)[:2]]
        self.assertEqual(shares, [vi(v) for v in ("44.71", "53.86")])
        shares = [funds_2016[row][9] for row in list(funds_2016)[:2]]
        self.assertEqual(shares, [vi(v) for v in ("55.37", "54.66")])
        nine_months = self.client.get(url, {"year": 2017, "period": "9M"})
        indicators = {row[0]: row for row in table(nine_months, "indicator-table")[1:]}
        self.assertEqual([row[3] for row in indicators.values()][:5], ["3.275", "2.240", "25", "750", "151"])

    def test_the_northern_figures_in_the_workbook(self):
        book = self.workbook_summary(year=2016, region="north")
        completion = next(row for label, row in book.items() if label.startswith("Tỷ lệ đạt: giải ngân"))
        self.assertEqual([round(value * 100, 2) for value in completion[1:4]], [97.02, 99.98, 94.66])
        share = next(row for label, row in book.items() if label == "Tỷ trọng trong giải ngân cả nước")
        self.assertEqual([round(value * 100, 2) for value in share[2:4]], [55.37, 54.66])
        book = self.workbook_summary(year=2017, region="north")
        growth = next(row for label, row in book.items() if label.startswith("Tăng/giảm: kế hoạch giao đầu năm"))
        self.assertEqual([round(value * 100, 2) for value in growth[1:4]], [14.64, 10.84, 17.22])
        share = next(row for label, row in book.items() if label.startswith("Tỷ trọng trong kế hoạch cả nước"))
        self.assertEqual([round(value * 100, 2) for value in share[2:4]], [44.71, 53.86])
        book = self.workbook_summary(year=2017, region="north", as_of="2017-09-30")
        names = {
            "Lao động được đào tạo nghề": 3275,
        }
        for name, value in names.items():
            self.assertEqual(book[name][3], value)

    def test_the_southern_figures_in_the_workbook(self):
        book = self.workbook_summary(year=2016, region="south", period="H1")
        growth = next(row for label, row in book.items() if label.startswith("Tăng/giảm: kế hoạch giao đầu năm"))
        self.assertEqual([round(value * 100, 2) for value in growth[1:4]], [1.83, -2.18, 5.18])
