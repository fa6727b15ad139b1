"""Demo data for the portal (`python manage.py load_demo`).

Realistic records for 2015–2026 over both eras of provinces (the 63 in force until 30/06/2025,
the 34 from 01/07/2025), built so that regional sums reproduce the two regional reports the
agency published (shared/reference/):

- the 7th southern conference (28/07/2016, example_south_2016.md): the 2016 plans of the 20
  southern provinces and their growth on 2015 (−2.18 / +5.18 / +1.83 %), the 20 of 20 KCĐP
  plans approved by 30/06, the first half year's outputs (331 workers trained = 19.20 % of the
  year's target…), the slow first half's disbursement, the collaborator networks, Lâm Đồng's
  support with capital recovery;
- the 12th northern conference (05/10/2017, example_north_2017.md), which compares plans on two
  bases: the 28 northern provinces' 2016 plans as first approved and as revised during the year
  (a supplementary KCQG allocation, some KCĐP raises: `PlanRevisionDraft`), the 2016
  disbursement against the revised plans (97.02 / 99.98 / 94.66 %) and as a share of the
  nation's (55.37 / 54.66 %), the 2017 plans' growth on the first-approved ones (14.64 / 10.84 /
  17.22 %) and share of the nation's (44.71 / 53.86 %), and the nine months' 2017 outputs;
- the northern 2016 vocational training (4,875 workers, 82 % of the plan: domain.md §4).

The regional totals behind these figures are constants below; each northern province's figures
are derived from them first, and the generated money and outputs are then fitted to them
(`fit_disbursements`, `fit_outputs`) within the write rules. Other years keep a random
character: about 5 % of the 2018–2025 plans are revised, none of 2015–2017 outside the north.

Everything is derived from a fixed seed, and the current date is only used to leave out what
would lie in the future, so loading twice gives the same data. Demo projects (codes starting
with `DEMO-`) are deleted and rebuilt with their lifecycle steps, money and outputs; plans,
targets, centres, collaborator networks and reporting periods are upserted on their natural
keys; the demo users are updated in place. Projects that users created are left alone.

Every approved report keeps the figures its approval would have stored on its approval day
(`store_approved_figures`): the plans are written as first approved and each revision is applied
on its decision day, so a 6-month report approved before a supplementary allocation keeps the
plan it was approved with while the live plan moves.

Rows are bulk-inserted for speed. They are built to satisfy the write rules of services.py
(lifecycle order, a contract before money and outputs, money within the support, nothing in
the future, recoveries never more than was paid); the tests run full_clean() on a sample to
prove it.
"""

import datetime
import math
import random
import time
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import demo_records, services
from .models import (
    ActivityCategory,
    ApprovalStatus,
    BeneficiaryKind,
    BudgetPlan,
    CollaboratorNetwork,
    Disbursement,
    DisbursementKind,
    ExtensionCentre,
    FundingSource,
    Indicator,
    IndicatorTarget,
    Period,
    PlanRevision,
    Project,
    ProjectOutput,
    ProjectStatus,
    ProjectTransition,
    ProjectType,
    Province,
    ReportingPeriod,
    UserProfile,
    period_end,
)
from .numbers import format_vnd
from .selectors.figures import ProvinceMap
from .selectors.report_figures import live_figures_of

S = ProjectStatus
D = datetime.date
KCQG = FundingSource.KCQG.value
KCDP = FundingSource.KCDP.value
FUNDS = (KCQG, KCDP)

SEED = "khuyencong-demo"
CODE_PREFIX = "DEMO-"
DEFAULT_PASSWORD = "khuyencong-demo"
# The data describe the programme as seen on this day; later runs give the same data, and a run
# on an earlier day leaves out what would still lie in the future.
AS_OF = D(2026, 11, 20)
FIRST_PLAN_YEAR = 2015
FIRST_PROJECT_YEAR = 2016
MERGER_DAY = D(2025, 7, 1)
LAST_OLD_DAY = D(2025, 6, 30)
NEW_ERA_YEAR = 2026
MILLION = 1_000_000
TEN_MILLION = 10_000_000

# --- The two published regional reports --------------------------------------------------
# The 12th northern conference (05/10/2017, shared/reference/example_north_2017.md) quotes
# growth on FIRST-APPROVED plans and completion on plans AS REVISED during the year. The
# region's totals below (đồng) are derived so that every percentage of the report comes out
# exactly at two decimals (half-up); the 28 provinces' figures are then derived from them
# (`_Generator.north_2016`) and the money fitted to those (`_Generator.fit_disbursements`).
NORTH_2016_ORIGINAL = {KCQG: 44_930_000_000, KCDP: 66_180_000_000}  # kế hoạch giao đầu năm
# After a supplementary KCQG allocation for most provinces and KCĐP raises in a few.
NORTH_2016_REVISED = {KCQG: 56_310_000_000, KCDP: 70_850_000_000}
# Disbursed to 31/12/2016: 99.98 % and 94.66 % of the revised plans, 97.02 % in all (123.37 bn).
NORTH_2016_ACTUAL = {KCQG: 56_300_870_000, KCDP: 67_069_540_000}
# Approved 2017 plans (never revised): +10.84 %, +17.22 %, +14.64 % on the first-approved 2016 plans.
NORTH_2017_PLAN = {KCQG: 49_800_000_000, KCDP: 77_576_000_000}
# The nation's 2016 disbursements and 2017 plans implied by the northern shares
# (55.37 % / 54.66 % of the actual, 44.71 % / 53.86 % of the plan).
NATION_2016_ACTUAL = {KCQG: 101_681_000_000, KCDP: 122_704_000_000}
NATION_2017_PLAN = {KCQG: 111_380_000_000, KCDP: 144_030_000_000}
# The south's 2016 disbursements to 31/12 (91.50 % and 86.00 % of plan, its slow first half
# kept); central & highlands disbursed the rest of the nation's (85.22 % and 90.08 %).
SOUTH_2016_ACTUAL = {KCQG: 26_205_430_000, KCDP: 31_673_960_000}
CENTRAL_2016_ACTUAL = {
    fund: NATION_2016_ACTUAL[fund] - NORTH_2016_ACTUAL[fund] - SOUTH_2016_ACTUAL[fund] for fund in FUNDS
}
# Outputs of the northern 2017 projects in the first nine months (the same report).
NORTH_2017_M9_OUTPUTS = {
    "trained_workers": 3_275,
    "management_trainees": 2_240,
    "demonstration_models": 25,
    "establishments_equipped": 750,
    "fair_participations": 151,
}
# How many northern provinces had their 2016 plan raised during the year, per fund.
NORTH_2016_RAISED = {KCQG: 20, KCDP: 9}

# 2016 plans by region and fund (đồng), as revised (the plan completion divides by). South
# 28.64 + 36.83 bn as at the southern conference (not revised); central & highlands sized so
# that its completion is plausible for the nation's disbursement above. The national total
# (241.73 bn) is therefore not the 230.9 bn of an earlier source (domain.md §2.1), whose
# northern 125.1 bn the northern conference report does not bear out either.
PLANS_2016 = {
    "north": NORTH_2016_REVISED,
    "central_highlands": {KCQG: 22_500_000_000, KCDP: 26_600_000_000},
    "south": {KCQG: 28_640_000_000, KCDP: 36_830_000_000},
}
# The southern 2015 plans behind the reported growth (−2.18 % KCQG, +5.18 % KCĐP, +1.83 % total).
PLANS_2015_SOUTH = {KCQG: 29_278_000_000, KCDP: 35_016_000_000}
# Outputs of the southern 2016 projects in the first six months, and the year's target.
SOUTH_2016_H1_OUTPUTS = {
    "trained_workers": 331,
    "management_trainees": 369,
    "demonstration_models": 5,
    "establishments_equipped": 59,
    "fair_participations": 130,
}
SOUTH_2016_TRAINED_TARGET = 1_724
# Northern 2016 vocational training: 4,875 workers, 82 % of the plan (domain.md §4).
NORTH_2016_TRAINED_OUTPUT = 4_875
NORTH_2016_TRAINED_TARGET = 5_945
# 2016 collaborator networks in the south (old province codes): district level at six centres
# (An Giang's has 11 people), commune level at two.
SOUTH_2016_DISTRICT_NETWORKS = {"80": 15, "89": 11, "77": 8, "74": 9, "72": 9, "86": 8}
SOUTH_2016_COMMUNE_NETWORKS = {"77": 30, "74": 41}
LAM_DONG_CODE = "68"

# Relative size of the old provinces' programmes (the rest are 1.0).
PROVINCE_SIZE = {
    "01": 2.4, "79": 2.2, "31": 1.4, "74": 1.4, "38": 1.4, "40": 1.4, "75": 1.3, "48": 1.3,
    "22": 1.2, "27": 1.2, "77": 1.2, "89": 1.2, "92": 1.2, "26": 1.1, "49": 1.1, "36": 1.1,
}  # fmt: skip


class DemoDataError(RuntimeError):
    """The reference data do not allow the demo figures (a region, indicator or category is missing)."""


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str  # the description printed in the login table
    group: str  # programmes.access.Role value
    province: tuple[str, bool] | None = None  # (code, new era?) for province staff
    is_superuser: bool = False


DEMO_USERS = (
    DemoUser("admin", "Quang Huy", "Lê", _("Administrator: users and reference data"), "admin", is_superuser=True),
    DemoUser(
        "bo.congthuong",
        "Thị Thu Hà",
        "Trần",
        _("Ministry official: every province, approves plans and reporting periods"),
        "ministry",
    ),
    DemoUser("xem.baocao", "Minh Đức", "Phạm", _("Viewer: dashboards and reports, read only"), "viewer"),
    DemoUser(
        "binhduong",
        "Văn Bình",
        "Nguyễn",
        _("Province staff: Bình Dương (until 30/06/2025)"),
        "province_staff",
        province=("74", False),
    ),
    DemoUser(
        "tphcm",
        "Thị Ngọc Lan",
        "Võ",
        _("Province staff: Thành phố Hồ Chí Minh (from 01/07/2025)"),
        "province_staff",
        province=("79", True),
    ),
)


@dataclass(frozen=True)
class PlanRevisionDraft:
    """A plan changed during its year: from the figure first approved to the figure in force.

    `load` stores each as a `PlanRevision` record, writes the change into the plan's notes,
    applies it on its decision day between the reports' approvals (`store_approved_figures`)
    and returns the drafts. `plan_key` is the plan's natural key; `from_vnd` is the plan's
    `original_vnd` and `to_vnd` its `planned_vnd`.
    """

    plan_key: tuple[int, int, str]  # (province pk, year, funding source)
    from_vnd: Decimal
    to_vnd: Decimal
    decision_number: str
    decided_on: datetime.date
    reason: str

    @property
    def note(self) -> str:
        """The sentence kept in the plan's notes."""
        verb = "Điều chỉnh tăng" if self.to_vnd > self.from_vnd else "Điều chỉnh giảm"
        return (
            f"{verb} từ {format_vnd(self.from_vnd)} {'lên' if self.to_vnd > self.from_vnd else 'xuống'} "
            f"{format_vnd(self.to_vnd)} theo Quyết định số {self.decision_number} ngày "
            f"{self.decided_on:%d/%m/%Y}: {self.reason}"
        )


@dataclass
class LoadResult:
    """What `load` wrote: row counts by kind, the seconds it took, the demo day and the plans'
    revisions (one per plan whose first-approved figure differs from the one in force)."""

    counts: dict[str, int]
    seconds: float
    as_of: datetime.date
    revisions: list[PlanRevisionDraft] = field(default_factory=list)


# --- Vocabulary ---------------------------------------------------------------------------

COMMUNES = (
    "Tân Phú", "Hòa Bình", "An Thạnh", "Phước Long", "Tân Hiệp", "Long Hòa", "Vĩnh Thạnh",
    "Bình Minh", "Đông Hưng", "Thanh Sơn", "Hưng Đạo", "Quang Trung", "Minh Tân", "Phú Lộc",
    "Xuân Hòa", "Cẩm Phú", "Tam Hiệp", "Thạch Bình", "Hiệp Hòa", "Tân Lập", "Mỹ Lộc", "Nghĩa Hưng",
    "Phú Thịnh", "Đại Đồng", "Yên Thịnh", "Thuận Thành", "Kim Sơn", "An Bình", "Lộc Thành",
    "Hòa Thuận", "Tân Thạnh", "Long Phú", "Vĩnh Hòa", "Phú Mỹ", "Thống Nhất", "Đồng Tâm",
)  # fmt: skip
BRANDS = (
    "Thành Phát", "Hưng Thịnh", "Phú Gia", "Minh Long", "An Phát", "Tân Tiến", "Đại Thành",
    "Hoàng Gia", "Việt Hưng", "Thiên Phúc", "Phước Lộc", "Nam Việt", "Sao Mai", "Trường An",
)  # fmt: skip
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
GIVEN_NAMES = (
    "Văn An", "Thị Bích", "Văn Hùng", "Thị Lan", "Minh Tuấn", "Thị Hoa", "Văn Dũng", "Quốc Bảo",
    "Thị Mai", "Hữu Phước", "Thanh Tùng", "Thị Hạnh", "Văn Tài", "Ngọc Ánh", "Đức Thắng",
)  # fmt: skip
STREETS = ("Lê Lợi", "Trần Hưng Đạo", "Hùng Vương", "Lý Thường Kiệt", "Quang Trung", "Nguyễn Trãi", "Lê Duẩn")
CRAFTS = {
    "north": ("mây tre đan", "thêu ren", "dệt thổ cẩm", "sơn mài", "mộc mỹ nghệ", "gốm sứ", "đan bèo bồng",
              "dệt may", "đúc đồng"),
    "central_highlands": ("dệt thổ cẩm", "mây tre đan", "đan cói", "làm nón lá", "mộc mỹ nghệ",
                          "chạm khắc đá", "dệt chiếu cói", "may công nghiệp"),
    "south": ("đan lục bình", "mây tre đan", "dệt chiếu", "làm bánh tráng", "se nhang", "đan giỏ nhựa",
              "may công nghiệp", "mộc gia dụng"),
}  # fmt: skip
# (process, product) pairs for machinery and demonstration projects.
PROCESSES = {
    "north": (("sản xuất gạch không nung", "gạch không nung"), ("chế biến chè", "chè xanh chất lượng cao"),
              ("sản xuất đồ gỗ mỹ nghệ", "đồ gỗ mỹ nghệ"),
              ("chế biến thức ăn chăn nuôi", "thức ăn chăn nuôi"),
              ("sản xuất bún, bánh phở", "bún, bánh phở khô"), ("gia công cơ khí", "máy nông nghiệp"),
              ("chế biến dược liệu", "dược liệu sấy khô"), ("sản xuất miến dong", "miến dong")),
    "central_highlands": (("sản xuất gạch không nung", "gạch không nung"), ("chế biến cà phê", "cà phê bột"),
                          ("chế biến tinh bột sắn", "tinh bột sắn"), ("chế biến hải sản", "hải sản khô"),
                          ("sản xuất nước mắm", "nước mắm truyền thống"), ("chế biến hồ tiêu", "hồ tiêu"),
                          ("chế biến mật ong", "mật ong"), ("sản xuất đồ gỗ", "đồ gỗ nội thất")),
    "south": (("sản xuất gạch không nung", "gạch không nung"), ("chế biến hạt điều", "nhân hạt điều"),
              ("sấy nông sản", "trái cây sấy"), ("chế biến thủy sản khô", "khô cá"),
              ("sản xuất bánh tráng", "bánh tráng"), ("chế biến gạo", "gạo sạch"),
              ("sản xuất bao bì giấy", "bao bì giấy"), ("gia công cơ khí", "máy nông nghiệp")),
}  # fmt: skip
LAM_DONG_PROCESSES = (("chế biến chè", "chè ô long"), ("chế biến cà phê", "cà phê rang xay"))
COUNTRIES = ("Nhật Bản", "Hàn Quốc", "Thái Lan")
EXIT_NOTES = {
    S.CANCELLED: (
        "Đơn vị thụ hưởng xin rút, không bố trí được vốn đối ứng.",
        "Không đạt yêu cầu thẩm định.",
        "Hủy theo quyết định điều chỉnh kế hoạch.",
    ),
    S.SUSPENDED: (
        "Tạm dừng chờ điều chỉnh địa điểm thực hiện.",
        "Tạm dừng do cơ sở chậm đầu tư nhà xưởng.",
    ),
}


# Why a plan was changed during its year (the plan's notes and its revision draft).
RAISE_REASONS_KCDP = (
    "Ủy ban nhân dân {province} bổ sung dự toán kinh phí khuyến công địa phương từ nguồn dự phòng ngân sách.",
    "Điều chỉnh tăng theo Nghị quyết của Hội đồng nhân dân {province} về điều chỉnh dự toán ngân sách năm 2016.",
    "Bổ sung kinh phí hỗ trợ các cơ sở công nghiệp nông thôn ứng dụng máy móc thiết bị tiên tiến.",
    "Bổ sung từ nguồn tiết kiệm chi thường xuyên để mở thêm lớp đào tạo nghề cho lao động nông thôn.",
)
RAISE_REASONS = {
    KCQG: (
        "Bộ Công Thương giao bổ sung kinh phí khuyến công quốc gia năm {year} cho các đề án được phê duyệt bổ sung.",
        "Phân bổ lại kinh phí khuyến công quốc gia năm {year} từ các đề án không thực hiện được ở địa phương khác.",
    ),
    KCDP: RAISE_REASONS_KCDP[:1]
    + (
        "Bổ sung kinh phí khuyến công địa phương năm {year} theo đề nghị của Sở Công Thương.",
        "Bổ sung kinh phí để hỗ trợ các cơ sở công nghiệp nông thôn tham gia hội chợ, triển lãm.",
    ),
}
CUT_REASONS = {
    KCQG: (
        "Điều chỉnh giảm do một số đề án khuyến công quốc gia năm {year} không triển khai được.",
        "Đơn vị thụ hưởng xin rút; kinh phí được điều chuyển cho địa phương khác.",
    ),
    KCDP: (
        "Cắt giảm dự toán chi thường xuyên của ngân sách {province} năm {year}.",
        "Điều chỉnh giảm do một số đề án không bố trí được vốn đối ứng.",
    ),
}


@dataclass(frozen=True)
class _Kind:
    """A kind of project: its category, the indicator it produces, its size and its titles."""

    key: str
    category: str
    indicator: str | None
    weight: float  # relative size of the support
    unit_cost: tuple[int, int] | None  # đồng of support per unit of output; None: one unit
    counterpart: tuple[float, float]  # counterpart funds as a share of the support
    records: tuple[int, int]  # how many output records (courses, fairs…)
    titles: tuple[str, ...]
    beneficiaries: tuple[str, ...]


B = BeneficiaryKind
KINDS = {
    kind.key: kind
    for kind in (
        _Kind("training", "vocational_training", "trained_workers", 1.0, (2_800_000, 4_500_000), (0, 0.15),
              (1, 3), ("Đào tạo nghề {craft} cho lao động nông thôn xã {commune}",
                       "Truyền nghề {craft} cho lao động nông thôn xã {commune}",
                       "Đào tạo nâng cao tay nghề {craft} cho lao động tại các cơ sở công nghiệp nông thôn",
                       "Đào tạo nghề {craft} gắn với giải quyết việc làm tại xã {commune}"),
              (B.CRAFT_VILLAGE, B.COOPERATIVE, B.HOUSEHOLD)),
        _Kind("management", "management_startup_market", "management_trainees", 0.7, (1_200_000, 2_400_000),
              (0, 0.1), (1, 3),
              ("Tập huấn nâng cao năng lực quản lý cho các cơ sở công nghiệp nông thôn năm {year}",
               "Hỗ trợ khởi sự doanh nghiệp công nghiệp nông thôn tại {province}",
               "Tập huấn ứng dụng thương mại điện tử cho cơ sở công nghiệp nông thôn",
               "Hội thảo giới thiệu sản xuất sạch hơn cho các cơ sở công nghiệp nông thôn",
               "Tổ chức đoàn học tập kinh nghiệm phát triển công nghiệp nông thôn khu vực {other_region}"),
              (B.SME, B.COOPERATIVE, B.OTHER)),
        _Kind("demo", "demonstration_technology", "demonstration_models", 2.0, None, (1.5, 3.0), (1, 1),
              ("Xây dựng mô hình trình diễn kỹ thuật sản xuất {product}",
               "Xây dựng mô hình trình diễn kỹ thuật {process} tại {beneficiary}",
               "Xây dựng mô hình trình diễn ứng dụng công nghệ mới trong {process}"),
              (B.SME, B.COOPERATIVE, B.HOUSEHOLD)),
        _Kind("machinery", "demonstration_technology", "establishments_equipped", 1.8,
              (80_000_000, 180_000_000), (1.0, 2.5), (1, 2),
              ("Hỗ trợ ứng dụng máy móc thiết bị trong {process}",
               "Hỗ trợ ứng dụng máy móc thiết bị tiên tiến vào {process}",
               "Hỗ trợ chuyển giao công nghệ, ứng dụng máy móc thiết bị trong {process}"),
              (B.SME, B.HOUSEHOLD, B.COOPERATIVE)),
        _Kind("fair", "typical_products_fairs", "fair_participations", 1.1, (9_000_000, 18_000_000),
              (0.2, 0.8), (1, 1),
              ("Tham gia Hội chợ triển lãm hàng CNNT tiêu biểu khu vực {region} năm {year}",
               "Tổ chức Hội chợ triển lãm hàng công nghiệp nông thôn {province} năm {year}",
               "Hỗ trợ cơ sở công nghiệp nông thôn tham gia hội chợ triển lãm trong nước năm {year}"),
              (B.OTHER,)),
        _Kind("typical", "typical_products_fairs", "typical_products", 0.8, (4_000_000, 8_000_000),
              (0.1, 0.5), (1, 1),
              ("Tổ chức bình chọn sản phẩm công nghiệp nông thôn tiêu biểu cấp tỉnh năm {year}",
               "Hỗ trợ xây dựng, đăng ký thương hiệu cho sản phẩm công nghiệp nông thôn tiêu biểu",
               "Hỗ trợ xây dựng phòng trưng bày giới thiệu sản phẩm công nghiệp nông thôn tiêu biểu"),
              (B.OTHER, B.SME)),
        _Kind("cluster", "linkage_clusters", "industrial_clusters", 2.5, None, (1.0, 4.0), (1, 1),
              ("Hỗ trợ lập quy hoạch chi tiết cụm công nghiệp {commune}",
               "Hỗ trợ đầu tư xây dựng hạ tầng kỹ thuật cụm công nghiệp {commune}",
               "Hỗ trợ sửa chữa, nâng cấp hệ thống xử lý nước thải cụm công nghiệp {commune}"),
              (B.OTHER,)),
        _Kind("consulting", "consulting", None, 0.6, None, (0.5, 1.0), (0, 0),
              ("Tư vấn thiết kế mẫu mã, bao bì cho sản phẩm {product}",
               "Tư vấn lập dự án đầu tư, quản lý sản xuất cho cơ sở công nghiệp nông thôn",
               "Tư vấn hỗ trợ cơ sở công nghiệp nông thôn tiếp cận chính sách ưu đãi và tín dụng"),
              (B.SME, B.COOPERATIVE, B.HOUSEHOLD)),
        _Kind("communication", "information_communication", None, 0.6, None, (0, 0), (0, 0),
              ("Xây dựng chuyên mục khuyến công trên sóng phát thanh, truyền hình năm {year}",
               "Xuất bản bản tin khuyến công {province} năm {year}",
               "Cập nhật cơ sở dữ liệu và trang thông tin điện tử khuyến công năm {year}"),
              (B.OTHER,)),
        _Kind("capacity", "programme_capacity", None, 0.5, None, (0, 0), (0, 0),
              ("Duy trì hoạt động mạng lưới cộng tác viên khuyến công năm {year}",
               "Tổ chức hội nghị tổng kết công tác khuyến công năm {prev_year}",
               "Tập huấn nâng cao năng lực cho cán bộ làm công tác khuyến công năm {year}"),
              (B.OTHER,)),
        _Kind("international", "international_cooperation", None, 1.2, None, (0.3, 1.0), (0, 0),
              ("Tham gia đoàn khảo sát, học tập kinh nghiệm khuyến công tại {country}",
               "Hợp tác quốc tế hỗ trợ cơ sở công nghiệp nông thôn sản xuất và tiêu dùng bền vững"),
              (B.OTHER,)),
    )
}  # fmt: skip
# How often each kind is drawn beyond the compulsory ones, per fund.
KIND_WEIGHTS = {
    KCQG: {"demo": 3, "machinery": 3, "training": 2, "fair": 1.5, "cluster": 0.7, "management": 1,
           "typical": 0.5, "consulting": 0.5, "international": 0.2},
    KCDP: {"training": 2, "machinery": 2, "demo": 1, "typical": 1, "communication": 1, "capacity": 1,
           "consulting": 1, "cluster": 0.4, "management": 1},
}  # fmt: skip
# The most one project produces (a big fair still takes about a hundred establishments).
OUTPUT_CAPS = {"training": 250, "management": 300, "machinery": 10, "fair": 120, "typical": 60}
# Outputs per billion đồng of plan, for the 2015 targets (no 2015 projects are generated).
TARGET_RATES = {
    "trained_workers": 38, "management_trainees": 30, "demonstration_models": 0.3,
    "establishments_equipped": 2.5, "fair_participations": 7, "typical_products": 2.5,
    "industrial_clusters": 0.12,
}  # fmt: skip


# --- Small helpers ------------------------------------------------------------------------


def _rng(*parts: object) -> random.Random:
    """A generator of its own for each part of the data, so one change does not reshuffle all."""
    return random.Random("|".join(str(part) for part in (SEED, *parts)))


def _key(province: Province) -> str:
    return f"{province.code}@{province.valid_from.year}"


def _days(rng: random.Random, low: int, high: int) -> datetime.timedelta:
    return datetime.timedelta(days=rng.randint(low, high))


def _round_to(value: float, unit: int) -> int:
    return max(unit, int(round(value / unit)) * unit)


def _floor_to(value: float, unit: int) -> int:
    return int(value // unit) * unit


def distribute(total: int, weights: Sequence[float], unit: int = 1) -> list[int]:
    """`total` split into multiples of `unit` in proportion to `weights`, summing exactly to it.

    Largest remainders get the leftover units (ties go to the earlier item). `total` must be a
    multiple of `unit` and the weights must not all be zero.
    """
    units, rest = divmod(total, unit)
    weight_sum = sum(weights)
    if rest or weight_sum <= 0:
        raise DemoDataError(f"Cannot split {total} in units of {unit} by {list(weights)}.")
    shares = [units * weight / weight_sum for weight in weights]
    parts = [math.floor(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: (parts[i] - shares[i], i))
    for i in by_remainder[: units - sum(parts)]:
        parts[i] += 1
    return [part * unit for part in parts]


def _full_name(province: Province) -> str:
    """`tỉnh Long An`, `thành phố Cần Thơ`, `Thành phố Hồ Chí Minh`."""
    if province.name.lower().startswith("thành phố"):
        return province.name
    prefix = "thành phố" if province.kind == Province.Kind.CITY else "tỉnh"
    return f"{prefix} {province.name}"


def _ascii_slug(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum())


# --- Users --------------------------------------------------------------------------------


def load_users(password: str) -> dict[str, object]:
    """Create or update the demo users (names, role group, province, password); by username."""
    from .access import Role, sync_role_groups

    User = get_user_model()
    sync_role_groups()
    groups = {group.name: group for group in Group.objects.filter(name__in=[role.value for role in Role])}
    # One hash for all five (PBKDF2 is slow on purpose); the demo password is public anyway.
    encoded = make_password(password)
    users = {}
    for spec in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=spec.username)
        user.first_name = spec.first_name
        user.last_name = spec.last_name
        user.email = f"{spec.username}@example.vn"
        user.is_superuser = spec.is_superuser
        user.is_staff = spec.group != Role.VIEWER
        user.is_active = True
        user.password = encoded
        user.save()
        user.user_permissions.clear()
        user.groups.set([groups[spec.group]])
        province = None
        if spec.province:
            code, new_era = spec.province
            province = Province.objects.get(code=code, valid_to__isnull=new_era)
        UserProfile.objects.update_or_create(user=user, defaults={"province": province})
        users[spec.username] = user
    return users


# --- The generator ------------------------------------------------------------------------


@dataclass
class _Draft:
    """One demo project with its steps, money and outputs, before it is saved."""

    project: Project
    kind: _Kind
    expected: int  # planned output of the project's indicator (0 without indicator)
    steps: list[ProjectTransition] = field(default_factory=list)
    disbursements: list[Disbursement] = field(default_factory=list)
    outputs: list[ProjectOutput] = field(default_factory=list)
    revision: PlanRevisionDraft | None = None  # the plan's raise this project was approved under


class _Generator:
    def __init__(self, as_of: datetime.date, users: dict[str, object]):
        self.as_of = as_of
        self.users = users
        provinces = list(Province.objects.select_related("region").order_by("valid_from", "code"))
        self.old = [p for p in provinces if p.valid_to == LAST_OLD_DAY]
        self.new = [p for p in provinces if p.valid_from == MERGER_DAY and p.valid_to is None]
        self.predecessors: dict[int, list[Province]] = defaultdict(list)
        for province in self.old:
            self.predecessors[province.merged_into_id].append(province)
        self.categories = {c.code: c for c in ActivityCategory.objects.all()}
        self.indicators = {i.code: i for i in Indicator.objects.all()}
        missing = {kind.category for kind in KINDS.values()} - set(self.categories)
        missing |= {kind.indicator for kind in KINDS.values() if kind.indicator} - set(self.indicators)
        missing |= set(PLANS_2016) ^ {p.region.code for p in self.old}
        north = sum(1 for p in self.old if p.region.code == "north")
        if missing or len(self.old) != 63 or len(self.new) != 34 or north != 28:
            raise DemoDataError(f"Reference data incomplete for the demo: {sorted(missing)}")
        self.centre_names: dict[int, str] = {}
        # Derived with the plans (`plan_amounts`, `plans`): the first-approved figure of each
        # plan revised during its year, the revisions, and each northern province's 2016
        # disbursement by fund (what `fit_disbursements` makes the money add up to).
        self.originals: dict[tuple[int, int, str], int] = {}
        self.revisions: dict[tuple[int, int, str], PlanRevisionDraft] = {}
        self.north_actuals: dict[tuple[int, str], int] = {}
        self.project_numbers: dict[tuple[str, int, str], int] = defaultdict(int)

    # Centres and networks ------------------------------------------------------------------

    def centres(self) -> list[ExtensionCentre]:
        rows = []
        for province in self.old + self.new:
            rng = _rng("centre", _key(province))
            name = province.name
            if province.name.lower().startswith("thành phố"):
                title = f"Trung tâm Khuyến công {province.name}"
            elif province.code == "01":
                title = "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp Hà Nội"
            else:
                full = _full_name(province)
                variants = [
                    f"Trung tâm Khuyến công {full}",
                    f"Trung tâm Khuyến công và Tư vấn phát triển công nghiệp {name}",
                    f"Trung tâm Khuyến công và Tư vấn phát triển công nghiệp {full}",
                    f"Trung tâm Khuyến công và Xúc tiến thương mại {full}",
                    f"Trung tâm Khuyến công và Tư vấn tiết kiệm năng lượng {name}",
                ]
                weights = (4, 3, 2, 1, 1) if province.valid_to else (2, 1, 1, 4, 1)
                title = rng.choices(variants, weights)[0]
            self.centre_names[province.pk] = title
            rows.append(
                ExtensionCentre(
                    province=province,
                    name=title,
                    address=f"{rng.randint(2, 280)} đường {rng.choice(STREETS)}, {_full_name(province)}",
                    phone=f"02{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                    email=f"ttkc.{_ascii_slug(province.name)}{province.valid_from.year % 100}@example.vn",
                    director=f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}",
                )
            )
        return rows

    def networks(self, centres: dict[int, ExtensionCentre]) -> list[CollaboratorNetwork]:
        rows = []
        for province in self.old:
            rng = _rng("network", _key(province))
            district_size = commune_size = None
            if province.region.code == "south":
                # 2016 as reported; An Giang built its district network that year.
                district_size = SOUTH_2016_DISTRICT_NETWORKS.get(province.code)
                commune_size = SOUTH_2016_COMMUNE_NETWORKS.get(province.code)
                district_from = (
                    (2016 if province.code == "89" else 2015)
                    if district_size
                    else rng.choice((2017, 2018, 2019, 2020, 2021, 2022, 9999, 9999))
                )
                commune_from = 2015 if commune_size else rng.choice((2018, 2020, 2022, 9999, 9999, 9999))
            else:
                district_from = rng.choice((2015, 2016, 2017, 2018, 2019, 2020, 2021, 9999))
                commune_from = rng.choice((2016, 2018, 2020, 2022, 9999, 9999, 9999))
            district_size = district_size or rng.randint(6, 14)
            commune_size = commune_size or rng.randint(12, 60)
            for year in range(FIRST_PLAN_YEAR, 2026):
                drift = 0 if year == 2016 else rng.randint(-1, 2)
                rows.append(
                    CollaboratorNetwork(
                        centre=centres[province.pk],
                        year=year,
                        district_collaborators=max(1, district_size + drift) if year >= district_from else 0,
                        commune_collaborators=max(1, commune_size + 3 * drift) if year >= commune_from else 0,
                    )
                )
        for province in self.new:
            # Districts were abolished on 01/07/2025: the new centres have commune collaborators only.
            rng = _rng("network", _key(province))
            communes = sum(
                row.commune_collaborators
                for row in rows
                if row.year == 2025 and row.centre.province_id in {p.pk for p in self.predecessors[province.pk]}
            )
            for year in (2025, NEW_ERA_YEAR):
                grown = communes + (rng.randint(10, 40) if year == NEW_ERA_YEAR and rng.random() < 0.5 else 0)
                rows.append(
                    CollaboratorNetwork(
                        centre=centres[province.pk],
                        year=year,
                        district_collaborators=0,
                        commune_collaborators=grown,
                    )
                )
        return rows

    # Plans -------------------------------------------------------------------------------

    def plan_amounts(self) -> dict[tuple[int, int, str], int]:
        """Planned đồng (as in force) by (province pk, year, fund); exact regional sums for 2016,
        the south 2015 and the nation's 2017, the northern provinces' 2016 and 2017 figures from
        `north_2016`. Fills `self.originals` with the northern first-approved 2016 figures."""
        amounts: dict[tuple[int, int, str], int] = {}
        by_region: dict[str, list[Province]] = defaultdict(list)
        for province in self.old:
            by_region[province.region.code].append(province)
        for fund in FUNDS:
            for region, provinces in by_region.items():
                weights = [
                    PROVINCE_SIZE.get(p.code, 1.0) * _rng("plan-weight", fund, _key(p)).uniform(0.75, 1.25)
                    for p in provinces
                ]
                if region == "north":
                    self.north_2016(provinces, fund, weights, amounts)
                else:
                    for province, amount in zip(
                        provinces, distribute(PLANS_2016[region][fund], weights, MILLION), strict=True
                    ):
                        amounts[province.pk, 2016, fund] = amount
                if region == "south":
                    weights = [
                        amounts[p.pk, 2016, fund] * _rng("plan-2015", fund, _key(p)).uniform(0.85, 1.15)
                        for p in provinces
                    ]
                    for province, amount in zip(
                        provinces, distribute(PLANS_2015_SOUTH[fund], weights, MILLION), strict=True
                    ):
                        amounts[province.pk, 2015, fund] = amount
                else:
                    for province in provinces:
                        growth = _rng("plan-2015", fund, _key(province)).uniform(0.94, 1.10)
                        first_approved = self.originals.get((province.pk, 2016, fund), amounts[province.pk, 2016, fund])
                        amounts[province.pk, 2015, fund] = _round_to(first_approved / growth, TEN_MILLION)
            # 2017: the north's plan as derived, the other two regions share the rest of the
            # nation's, each province growing by its own draw.
            north = by_region["north"]
            others = by_region["central_highlands"] + by_region["south"]
            for provinces, total in (
                (north, NORTH_2017_PLAN[fund]),
                (others, NATION_2017_PLAN[fund] - NORTH_2017_PLAN[fund]),
            ):
                weights = [
                    self.originals.get((p.pk, 2016, fund), amounts[p.pk, 2016, fund])
                    * _rng("plan-2017", fund, _key(p)).uniform(0.95, 1.3)
                    for p in provinces
                ]
                for province, amount in zip(provinces, distribute(total, weights, MILLION), strict=True):
                    amounts[province.pk, 2017, fund] = amount
            for province in self.old:
                rng = _rng("plan-growth", fund, _key(province))
                for year in range(2018, 2026):
                    previous = amounts[province.pk, year - 1, fund]
                    amounts[province.pk, year, fund] = max(
                        300 * MILLION, _round_to(previous * rng.uniform(0.93, 1.10), TEN_MILLION)
                    )
            for province in self.new:
                base = sum(amounts[p.pk, 2025, fund] for p in self.predecessors[province.pk])
                growth = _rng("plan-2026", fund, _key(province)).uniform(0.97, 1.12)
                amounts[province.pk, NEW_ERA_YEAR, fund] = _round_to(base * growth, TEN_MILLION)
        return amounts

    def north_2016(
        self, provinces: list[Province], fund: str, weights: list[float], amounts: dict[tuple[int, int, str], int]
    ) -> None:
        """The 28 northern provinces' 2016 figures of `fund`, derived from the region's totals.

        First-approved plans in proportion to `weights`; a raise during the year for
        NORTH_2016_RAISED[fund] of them (the region's revised total less its first-approved
        one); each province's disbursement to 31/12 (`self.north_actuals`): for KCQG the whole
        revised plan but for a shortfall of a few million đồng in five provinces, for KCĐP
        91–98 % of it. Revised plans go into `amounts`, first-approved ones (where different)
        into `self.originals`.
        """
        rng = _rng("north-2016", fund)
        originals = distribute(NORTH_2016_ORIGINAL[fund], weights, MILLION)
        raised = sorted(rng.sample(range(len(provinces)), NORTH_2016_RAISED[fund]))
        supplements = distribute(
            NORTH_2016_REVISED[fund] - NORTH_2016_ORIGINAL[fund],
            [originals[i] * rng.uniform(0.4, 1.6) for i in raised],
            TEN_MILLION,
        )
        revised = list(originals)
        for i, supplement in zip(raised, supplements, strict=True):
            revised[i] += supplement
            self.originals[provinces[i].pk, 2016, fund] = originals[i]
        if fund == KCQG:
            short = sorted(rng.sample(range(len(provinces)), 5))
            shortfalls = dict(
                zip(
                    short,
                    distribute(
                        NORTH_2016_REVISED[fund] - NORTH_2016_ACTUAL[fund], [rng.uniform(0.5, 1.5) for _ in short], 1000
                    ),
                    strict=True,
                )
            )
            actuals = [plan - shortfalls.get(i, 0) for i, plan in enumerate(revised)]
        else:
            actuals = distribute(NORTH_2016_ACTUAL[fund], [plan * rng.uniform(0.91, 0.975) for plan in revised], 1000)
        for province, plan, actual in zip(provinces, revised, actuals, strict=True):
            # The projects' support is at least 98.5 % of the plan (`projects`): room to pay this.
            if not 0 < actual <= plan * (1 if fund == KCQG else 0.98):
                raise DemoDataError(f"The derived 2016 {fund} disbursement of {province} does not fit its plan.")
            amounts[province.pk, 2016, fund] = plan
            self.north_actuals[province.pk, fund] = actual

    def plans(self, amounts: dict[tuple[int, int, str], int]) -> list[BudgetPlan]:
        """The plans of `amounts`, approved (but four 2026 KCĐP plans), with their revisions.

        Revised: the northern 2016 plans of `self.originals` (one supplementary KCQG decision
        of the minister, the provinces' own KCĐP decisions) and about 5 % of the plans of
        2018–2025, up or down. No 2015–2017 plan elsewhere and no 2026 plan is revised. Each
        revision is kept in `self.revisions` and in the plan's notes.
        """
        provinces = {p.pk: p for p in self.old + self.new}
        rng = _rng("pending-2026")
        pending = [p.pk for p in rng.sample([p for p in self.new if p.code != "79"], 4)]
        pending_status = dict(
            zip(
                pending,
                (
                    ApprovalStatus.DRAFT,
                    ApprovalStatus.DRAFT,
                    ApprovalStatus.SUBMITTED,
                    ApprovalStatus.SUBMITTED,
                ),
                strict=True,
            )
        )
        supplement = _rng("kcqg-supplement", 2016)
        supplement_decision = (f"{supplement.randint(1800, 2900)}/QĐ-BCT", D(2016, 7, 4) + _days(supplement, 0, 24))
        self.revisions = {}
        rows = []
        for (pk, year, fund), amount in sorted(amounts.items()):
            province = provinces[pk]
            rng = _rng("plan", _key(province), year, fund)
            plan = BudgetPlan(
                province=province,
                year=year,
                funding_source=fund,
                planned_vnd=Decimal(amount),
                original_vnd=Decimal(amount),
                status=ApprovalStatus.APPROVED,
            )
            if fund == KCQG:
                # The minister assigns every province's KCQG plan in one decision, late the year before.
                national = _rng("kcqg-decision", year)
                plan.decision_number = f"{national.randint(2800, 5200)}/QĐ-BCT"
                plan.approved_on = D(year - 1, 12, national.randint(14, 30))
            else:
                plan.decision_number = f"{rng.randint(95, 3600)}/QĐ-UBND"
                plan.approved_on = D(year - 1, 12, 1) + _days(rng, 0, 115)
            revision = None
            if year == NEW_ERA_YEAR and fund == KCDP and pk in pending_status:
                plan.status = pending_status[pk]
                plan.original_vnd = None
                plan.decision_number = ""
                plan.approved_on = None
            elif (pk, year, fund) in self.originals:
                first = self.originals[pk, year, fund]
                if fund == KCQG:
                    number, day = supplement_decision
                    reason = (
                        "Bộ Công Thương giao bổ sung kế hoạch kinh phí khuyến công quốc gia năm 2016 cho các đề "
                        "án được phê duyệt bổ sung."
                    )
                else:
                    number = f"{rng.randint(1100, 3400)}/QĐ-UBND"
                    day = D(2016, 6, 1) + _days(rng, 0, 110)
                    reason = rng.choice(RAISE_REASONS_KCDP).format(province=_full_name(province))
                revision = PlanRevisionDraft((pk, year, fund), Decimal(first), Decimal(amount), number, day, reason)
            elif 2018 <= year <= 2025 and rng.random() < 0.05:
                change = rng.choice((-1, 1)) * rng.uniform(0.05, 0.2)
                first = _round_to(amount / (1 + change), TEN_MILLION)
                revised_on = plan.approved_on + _days(rng, 90, 200)
                authority = "QĐ-BCT" if fund == KCQG else "QĐ-UBND"
                number = f"{rng.randint(100, 4000)}/{authority}"
                reasons = RAISE_REASONS[fund] if change > 0 else CUT_REASONS[fund]
                reason = rng.choice(reasons).format(province=_full_name(province), year=year)
                revision = PlanRevisionDraft(
                    (pk, year, fund), Decimal(first), Decimal(amount), number, revised_on, reason
                )
            if revision is not None:
                plan.original_vnd = revision.from_vnd
                plan.notes = revision.note
                self.revisions[pk, year, fund] = revision
            rows.append(plan)
        return rows

    # Projects ----------------------------------------------------------------------------

    def projects(self, plans: list[BudgetPlan]) -> list[_Draft]:
        by_key = {(plan.province_id, plan.year, plan.funding_source): plan for plan in plans}
        drafts: list[_Draft] = []
        spent_2025: dict[tuple[int, str], int] = defaultdict(int)
        for province in self.old:
            for year in range(FIRST_PROJECT_YEAR, 2026):
                for fund in FUNDS:
                    plan = by_key[province.pk, year, fund]
                    rng = _rng("unit", _key(province), year, fund)
                    share = rng.uniform(0.50, 0.65) if year == 2025 else rng.uniform(0.97, 0.998)
                    budget = _floor_to(int(plan.planned_vnd) * share, MILLION)
                    profile = "old2025" if year == 2025 else "full"
                    revision = None
                    if year == 2016 and province.region.code == "north":
                        # The report's year: the region disbursed almost all of its plans, so the
                        # projects take (almost) all of the plan; a raise pays for one project of
                        # its own, approved by the revising decision.
                        profile = "north2016"
                        revision = self.revisions.get((province.pk, year, fund))
                        first = int(plan.original_vnd)
                        budget = first if fund == KCQG else _floor_to(first * rng.uniform(0.985, 0.998), MILLION)
                    unit = self._unit(province, year, fund, budget, profile, plan, rng, revision)
                    spent_2025[province.pk, fund] += budget if year == 2025 else 0
                    drafts += unit
        for province in self.new:
            for fund in FUNDS:
                rng = _rng("unit", _key(province), 2025, fund)
                predecessors = self.predecessors[province.pk]
                inherited = sum(int(by_key[p.pk, 2025, fund].planned_vnd) for p in predecessors)
                spent = sum(spent_2025[p.pk, fund] for p in predecessors)
                budget = _floor_to(inherited * rng.uniform(0.93, 0.97) - spent, MILLION)
                if budget >= 200 * MILLION:
                    drafts += self._unit(province, 2025, fund, budget, "new2025", None, rng)
            for fund in FUNDS:
                plan = by_key[province.pk, NEW_ERA_YEAR, fund]
                rng = _rng("unit", _key(province), NEW_ERA_YEAR, fund)
                budget = _floor_to(int(plan.planned_vnd) * rng.uniform(0.95, 0.995), MILLION)
                drafts += self._unit(province, NEW_ERA_YEAR, fund, budget, "2026", plan, rng)
        return drafts

    def _kinds(self, province: Province, year: int, fund: str, profile: str, rng: random.Random) -> list[str]:
        if profile == "new2025":
            return rng.choices(["training", "fair", "machinery", "management", "typical"], k=rng.randint(1, 3))
        if fund == KCQG:
            kinds = [rng.choice(("demo", "machinery"))]
            count = rng.randint(2, 4)
        else:
            kinds = ["training", "management", "fair"]
            count = rng.randint(4, 6)
        if province.code == LAM_DONG_CODE and province.valid_to and year == 2016 and fund == KCDP:
            kinds.append("machinery")  # Lâm Đồng's support with capital recovery (southern conference 2016)
        pool = KIND_WEIGHTS[fund]
        while len(kinds) < count:
            kinds.append(rng.choices(list(pool), list(pool.values()))[0])
        return kinds

    def _unit(
        self,
        province: Province,
        year: int,
        fund: str,
        budget: int,
        profile: str,
        plan: BudgetPlan | None,
        rng: random.Random,
        revision: PlanRevisionDraft | None = None,
    ) -> list[_Draft]:
        """The projects of one province, year and fund, sharing `budget` đồng of support; with
        a `revision` raising the plan, the last project takes the raise on top of `budget`."""
        kinds = [KINDS[key] for key in self._kinds(province, year, fund, profile, rng)]
        weights = [kind.weight * rng.uniform(0.7, 1.3) for kind in kinds]
        if revision is None:
            supports = distribute(budget, weights, MILLION)
        else:
            supports = [*distribute(budget, weights[:-1], MILLION), int(revision.to_vnd - revision.from_vnd)]
        region = province.region.code
        drafts = []
        lam_dong_recovery = province.code == LAM_DONG_CODE and profile != "new2025"
        for kind, support in zip(kinds, supports, strict=True):
            self.project_numbers[fund, year, province.code] += 1
            number = self.project_numbers[fund, year, province.code]
            process, product = rng.choice(LAM_DONG_PROCESSES if lam_dong_recovery else PROCESSES[region])
            craft = rng.choice(CRAFTS[region])
            commune = rng.choice(COMMUNES)
            beneficiary_kind = rng.choice(kind.beneficiaries)
            beneficiary = self._beneficiary(beneficiary_kind, kind, province, craft, product, commune, rng)
            capital_recovery = (
                kind.key == "machinery" and lam_dong_recovery and (year == 2016 and fund == KCDP or rng.random() < 0.4)
            )
            title = rng.choice(kind.titles)
            if capital_recovery:
                title = "Hỗ trợ có thu hồi vốn ứng dụng máy móc thiết bị trong {process}"
            other_regions = [
                r for r in ("phía Bắc", "miền Trung – Tây Nguyên", "phía Nam") if r != self._region_name(province)
            ]
            title = title.format(
                craft=craft,
                commune=commune,
                process=process,
                product=product,
                beneficiary=beneficiary,
                region=self._region_name(province),
                other_region=rng.choice(other_regions),
                province=_full_name(province),
                year=year,
                prev_year=year - 1,
                country=rng.choice(COUNTRIES),
            )
            if fund == KCDP:
                project_type = ProjectType.TASK if kind.key == "capacity" else ProjectType.LOCAL
            elif kind.key in ("capacity", "international"):
                project_type = ProjectType.TASK
            elif kind.key in ("training", "fair", "management", "typical"):
                project_type = rng.choice((ProjectType.GROUP, ProjectType.GROUP, ProjectType.SINGLE_SITE))
            else:
                project_type = rng.choice(
                    (ProjectType.SINGLE_SITE, ProjectType.SPECIFIC_BENEFICIARY, ProjectType.GROUP)
                )
            project = Project(
                code=f"{CODE_PREFIX}{fund}-{year}-{province.code}-{number:03d}",
                title=title,
                province=province,
                year=year,
                funding_source=fund,
                category=self.categories[kind.category],
                project_type=project_type,
                implementing_unit=self.centre_names[province.pk],
                beneficiary_name=beneficiary,
                beneficiary_kind=beneficiary_kind,
                support_vnd=Decimal(support),
                counterpart_vnd=Decimal(_floor_to(support * rng.uniform(*kind.counterpart), MILLION)),
                capital_recovery=capital_recovery,
            )
            draft = _Draft(project=project, kind=kind, expected=self._expected(kind, support, rng))
            if revision is not None and len(drafts) == len(kinds) - 1:
                draft.revision = revision
            self._lifecycle(draft, profile, plan, rng)
            drafts.append(draft)
        return drafts

    @staticmethod
    def _region_name(province: Province) -> str:
        name = province.region.name
        return name[:1].lower() + name[1:]

    def _beneficiary(self, kind_of, kind, province, craft, product, commune, rng) -> str:
        if kind_of == B.SME:
            form = rng.choice(("Công ty TNHH", "Công ty TNHH MTV", "Công ty Cổ phần"))
            return f"{form} {rng.choice(BRANDS)}"
        if kind_of == B.COOPERATIVE:
            return f"Hợp tác xã {craft if kind.key == 'training' else product} {commune}"
        if kind_of == B.HOUSEHOLD:
            return f"Hộ kinh doanh {rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}"
        if kind_of == B.CRAFT_VILLAGE:
            return f"Làng nghề {craft} xã {commune}"
        if kind.key == "capacity":
            return self.centre_names[province.pk]
        if kind.key == "cluster":
            return f"Cụm công nghiệp {commune}"
        return f"Các cơ sở công nghiệp nông thôn {_full_name(province)}"

    @staticmethod
    def _expected(kind: _Kind, support: int, rng: random.Random) -> int:
        if kind.indicator is None:
            return 0
        if kind.unit_cost is None:
            return 2 if kind.key == "demo" and support > 900 * MILLION else 1
        return min(OUTPUT_CAPS[kind.key], max(1, round(support / rng.uniform(*kind.unit_cost))))

    # Lifecycle, money and outputs ----------------------------------------------------------

    def _natural_dates(self, draft: _Draft, profile: str, plan: BudgetPlan | None, rng: random.Random):
        """Dates each step would take with nothing cut short, and the day after which nothing happens."""
        project = draft.project
        year = project.year
        slow = (
            profile == "full"
            and year == 2016
            and (project.province.region.code == "south" or project.province.code == LAM_DONG_CODE)
        )
        late_addition = profile == "2026" and plan.status == ApprovalStatus.APPROVED and rng.random() < 0.1
        horizon = self.as_of
        if profile == "new2025":
            proposed = MERGER_DAY + _days(rng, 0, 24)
            appraised = proposed + _days(rng, 5, 15)
            approved = appraised + _days(rng, 5, 15)
        elif draft.revision is not None:
            # Proposed when the province asked for more, approved by the decision raising the plan.
            approved = draft.revision.decided_on
            proposed = approved - _days(rng, 40, 75)
            appraised = proposed + _days(rng, 15, 30)
        else:
            if late_addition:
                proposed = D(year, 7, 20) + _days(rng, 0, 100)
            elif year == NEW_ERA_YEAR:
                proposed = MERGER_DAY + _days(rng, 14, 120)
            else:
                proposed = D(year - 1, 3, 1) + _days(rng, 0, 210)
            appraised = proposed + _days(rng, 15, 60)
            if late_addition or plan.approved_on is None:
                approved = appraised + _days(rng, 10, 40)
            else:
                approved = max(plan.approved_on, appraised + _days(rng, 3, 10))
            if plan.status != ApprovalStatus.APPROVED and not late_addition:
                horizon = min(horizon, appraised if rng.random() < 0.5 else proposed)
        if slow:
            if rng.random() < 0.4:
                contracted = min(approved + _days(rng, 30, 100), D(2016, 6, 25))
            else:
                contracted = D(2016, 7, 5) + _days(rng, 0, 80)
        elif profile == "new2025" or draft.revision is not None:
            contracted = approved + _days(rng, 10, 30)
        elif profile == "old2025":
            contracted = approved + _days(rng, 10, 50)
        elif profile == "2026":
            # Some of this year's contracts wait for a bidding round in the autumn.
            late = rng.random() < 0.12
            contracted = D(year, 9, 15) + _days(rng, 0, 75) if late else approved + _days(rng, 25, 200)
        else:
            contracted = approved + _days(rng, 25, 120)
        # Money and outputs of a year's projects fall in that year: no contract before 5 January.
        contracted = max(contracted, D(year, 1, 5) + _days(rng, 0, 20))
        # In the current year some contracts wait for equipment or a site before work starts.
        in_progress = contracted + (_days(rng, 3, 60) if profile == "2026" else _days(rng, 3, 20))
        gap = {"old2025": (25, 110), "new2025": (60, 120), "2026": (60, 260)}.get(profile, (45, 170))
        if draft.revision is not None:
            gap = (30, 70)
        # The northern 2016 projects were all settled and paid before the year's end (the
        # region reported 97 % of its plans disbursed); elsewhere settlement runs into January.
        last_accepted, last_settled = (
            (D(year, 12, 5), D(year, 12, 20)) if profile == "north2016" else (D(year, 12, 18), D(year + 1, 1, 20))
        )
        accepted = max(in_progress, min(in_progress + _days(rng, *gap), last_accepted))
        settled = max(accepted, min(accepted + _days(rng, 10, 35), last_settled))
        if profile == "old2025":
            horizon = min(horizon, LAST_OLD_DAY)
        dates = {
            S.APPRAISED: appraised,
            S.APPROVED: approved,
            S.CONTRACTED: contracted,
            S.IN_PROGRESS: in_progress,
            S.ACCEPTED: accepted,
            S.SETTLED: settled,
        }
        return proposed, dates, horizon, late_addition

    def _lifecycle(self, draft: _Draft, profile: str, plan: BudgetPlan | None, rng: random.Random) -> None:
        project = draft.project
        year = project.year
        proposed, natural, horizon, late_addition = self._natural_dates(draft, profile, plan, rng)
        reached = {status: day for status, day in natural.items() if day <= horizon}
        path = [status for status in services.lifecycle_path(S.SETTLED) if status in reached]
        # A few projects leave the lifecycle: cancelled or suspended at a realistic point.
        cancel_rate, suspend_rate = {
            "full": (0.04, 0.02),
            "old2025": (0.04, 0.05),
            "new2025": (0.02, 0.02),
            "north2016": (0, 0),
        }.get(profile, (0.06, 0.06))
        exits: list[tuple[str, datetime.date]] = []
        draw = rng.random()
        last_day = D(year, 12, 31) if profile != "old2025" else LAST_OLD_DAY
        if draw < cancel_rate + suspend_rate:
            cancel = draw < cancel_rate
            points = [S.PROPOSED, *path] if cancel else list(path)
            allowed = {S.PROPOSED: 2, S.APPRAISED: 3, S.APPROVED: 3, S.CONTRACTED: 2, S.IN_PROGRESS: 2}
            if not cancel:
                allowed = {S.APPROVED: 2, S.CONTRACTED: 2, S.IN_PROGRESS: 3}
            points = [point for point in points if point in allowed]
            if points:
                point = rng.choices(points, [allowed[p] for p in points])[0]
                start = proposed if point == S.PROPOSED else reached[point]
                exit_day = start + _days(rng, 5, 60)
                if cancel and point != S.PROPOSED and point != S.APPRAISED and rng.random() < 0.3:
                    exits.append((S.SUSPENDED, exit_day))
                    exit_day += _days(rng, 20, 90)
                exits.append((S.CANCELLED if cancel else S.SUSPENDED, exit_day))
                exits = [(status, day) for status, day in exits if day <= min(horizon, last_day)]
                if exits:
                    path = path[: path.index(point) + 1] if point != S.PROPOSED else []
        if late_addition:
            documents = {S.APPROVED: f"{rng.randint(100, 3500)}/QĐ-UBND"}
        elif draft.revision is not None:
            documents = {S.APPROVED: draft.revision.decision_number}
        elif profile == "new2025":
            authority = "QĐ-BCT" if project.funding_source == KCQG else "QĐ-UBND"
            documents = {S.APPROVED: f"{rng.randint(1500, 2500)}/{authority}"}
        else:
            documents = {S.APPROVED: plan.decision_number}
        fund_label = "KCQG" if project.funding_source == KCQG else "KCĐP"
        number = int(project.code.rsplit("-", 1)[1])
        documents[S.CONTRACTED] = f"{number:02d}/{year}/HĐ-{fund_label}"
        documents[S.ACCEPTED] = f"{number:02d}/{year}/BBNT-{fund_label}"
        documents[S.SETTLED] = f"{number:02d}/{year}/BBTL-{fund_label}"
        status = S.PROPOSED
        for step in path:
            self._step(draft, status, step, reached[step], documents.get(step, ""), "")
            status = step
        for step, day in exits:
            self._step(draft, status, step, day, "", rng.choice(EXIT_NOTES[step]))
            status = step
        project.status = status
        project.status_changed_on = draft.steps[-1].date if draft.steps else None
        # The proposal is the first step: dated as every step is (nothing after the horizon),
        # every later step on or after it (rules.lifecycle.first_before_proposal).
        project.proposed_on = proposed if proposed <= horizon else None
        final = {step.to_status: step.date for step in draft.steps}
        money_limit = min(horizon, D(year + 1, 1, 22))
        self._money(draft, final, exits, money_limit, rng)
        if not exits:
            self._outputs(draft, final, min(horizon, last_day), rng)

    def _step(self, draft: _Draft, from_status: str, to_status: str, day: datetime.date, document: str, note: str):
        project = draft.project
        user = None
        if to_status == S.APPROVED and project.funding_source == KCQG:
            user = self.users["bo.congthuong"]
        elif project.province.code == "74" and project.province.valid_to:
            user = self.users["binhduong"]
        elif project.province.code == "79" and project.province.valid_to is None:
            user = self.users["tphcm"]
        draft.steps.append(
            ProjectTransition(
                project=project,
                from_status=from_status,
                to_status=to_status,
                date=day,
                document_number=document,
                note=note,
                user=user,
            )
        )

    def _money(self, draft: _Draft, steps: dict, exits: list, limit: datetime.date, rng: random.Random) -> None:
        """Advance after the contract, a payment after acceptance, the rest at settlement."""
        contracted = steps.get(S.CONTRACTED)
        if contracted is None:
            return
        project = draft.project
        support = int(project.support_vnd)
        # Settled for less than the advance: the excess comes back (not in the northern 2016
        # projects, whose money is fitted to the report).
        refund = rng.random() < 0.03 and not self._north_2016(project)
        ratio = 0.7 if refund else rng.choice((0.3, 0.5, 0.5, 0.6, 0.7, 0.7))
        advance = _floor_to(support * ratio, 1000)
        advance_day = contracted + _days(rng, 3, 25)
        stopped = exits[0][1] if exits else None
        if advance_day > limit or (stopped and advance_day >= stopped):
            return
        paid = self._pay(draft, advance_day, advance, DisbursementKind.ADVANCE, "Tạm ứng theo hợp đồng")
        if exits:
            recovery_day = exits[-1][1] + _days(rng, 10, 40)
            if exits[-1][0] == S.CANCELLED and recovery_day <= limit:
                back = advance if rng.random() < 0.6 else _floor_to(advance * rng.uniform(0.3, 0.8), 1000)
                self._pay(draft, recovery_day, back, DisbursementKind.RECOVERY, "Thu hồi tạm ứng do hủy đề án")
            return
        if refund:
            final = _floor_to(support * rng.uniform(0.5, 0.66), 1000)
        elif rng.random() < 0.5:
            final = support
        else:
            final = _floor_to(support * rng.uniform(0.95, 0.999), 1000)
        accepted, settled = steps.get(S.ACCEPTED), steps.get(S.SETTLED)
        if accepted:
            pay_day = accepted + _days(rng, 4, 20)
            interim = _floor_to(final * rng.uniform(0.85, 0.95), 1000) - paid
            if interim > 0 and pay_day <= limit and (settled is None or pay_day < settled):
                paid += self._pay(draft, pay_day, interim, DisbursementKind.PAYMENT, "Thanh toán sau nghiệm thu")
        if settled:
            day = min(settled + _days(rng, 0, 5), limit)
            if final > paid:
                self._pay(draft, day, final - paid, DisbursementKind.PAYMENT, "Thanh toán quyết toán")
            elif final < paid:
                self._pay(
                    draft,
                    day,
                    paid - final,
                    DisbursementKind.RECOVERY,
                    "Thu hồi phần tạm ứng vượt quyết toán",
                )

    @staticmethod
    def _north_2016(project: Project) -> bool:
        return (
            project.year == 2016 and project.province.region.code == "north" and project.province.valid_to is not None
        )

    @staticmethod
    def _pay(draft: _Draft, day: datetime.date, amount: int, kind: str, note: str) -> int:
        draft.disbursements.append(
            Disbursement(
                project=draft.project,
                date=day,
                amount_vnd=Decimal(amount),
                kind=kind,
                document_number=f"UNC-{day:%y%m%d}-{len(draft.disbursements) + 1}",
                note=note,
            )
        )
        return amount

    def _outputs(self, draft: _Draft, steps: dict, end: datetime.date, rng: random.Random) -> None:
        started = steps.get(S.IN_PROGRESS)
        if draft.kind.indicator is None or started is None or draft.expected == 0:
            return
        accepted = steps.get(S.ACCEPTED)
        end = accepted or end
        start = max(started, D(draft.project.year, 1, 5))
        if end < start:
            return
        share = rng.uniform(0.92, 1.08) if accepted else rng.uniform(0.2, 0.7)
        value = round(draft.expected * share)
        if value < 1:
            return
        count = min(value, rng.randint(*draft.kind.records))
        values = (
            [1 + extra for extra in distribute(value - count, [rng.uniform(0.6, 1.4) for _ in range(count)])]
            if value > count
            else [1] * count
        )
        days = sorted(start + _days(rng, 0, (end - start).days) for _ in range(count))
        indicator = self.indicators[draft.kind.indicator]
        for day, amount in zip(days, values, strict=True):
            draft.outputs.append(ProjectOutput(project=draft.project, indicator=indicator, date=day, value=amount))

    # Fitting the reported figures ----------------------------------------------------------

    def fit_outputs(self, drafts: list[_Draft], targets: list[IndicatorTarget]) -> None:
        """Make the outputs add up to the reported figures.

        South 2016: the first half year's outputs are set to the conference's figures and
        those of the second half bring the year to 90–100 % of the targets. North 2016:
        vocational training to the reported 4,875 workers. North 2017: the first nine months'
        outputs to the 12th northern conference's figures; the last quarter's and the year's
        targets (`targets`, changed in place) are scaled alike, so each province's completion
        keeps the rate it was generated with.
        """
        south_h1, south_h2 = defaultdict(list), defaultdict(list)
        north_trained = []
        north_m9, north_q4 = defaultdict(list), defaultdict(list)
        for draft in drafts:
            project = draft.project
            if project.year not in (2016, 2017) or project.province.valid_to is None:
                continue
            region = project.province.region.code
            for output in draft.outputs:
                code = output.indicator.code
                if project.year == 2017:
                    if region == "north":
                        (north_m9 if output.date <= D(2017, 9, 30) else north_q4)[code].append((draft, output))
                elif region == "south":
                    half = south_h1 if output.date <= D(2016, 6, 30) else south_h2
                    half[code].append((draft, output))
                elif region == "north" and code == "trained_workers":
                    north_trained.append((draft, output))
        south_targets: dict[str, int] = defaultdict(int)
        for target in targets:
            if target.year == 2016 and target.province.region.code == "south":
                south_targets[target.indicator.code] += target.target
        rng = _rng("fit-south-2016")
        for code, first_half in SOUTH_2016_H1_OUTPUTS.items():
            self._fit(south_h1[code], first_half, f"southern H1 2016 {code}")
            year = max(first_half + 1, round(south_targets[code] * rng.uniform(0.9, 1.0)))
            self._fit(south_h2[code], year - first_half, f"southern H2 2016 {code}")
        self._fit(north_trained, NORTH_2016_TRAINED_OUTPUT, "northern 2016 trained_workers")
        for code, reported in NORTH_2017_M9_OUTPUTS.items():
            generated = sum(output.value for _draft, output in north_m9[code])
            if not generated:
                raise DemoDataError(f"No outputs to carry northern 9M 2017 {code}.")
            scale = reported / generated
            self._fit(north_m9[code], reported, f"northern 9M 2017 {code}")
            if north_q4[code]:
                last_quarter = round(sum(output.value for _draft, output in north_q4[code]) * scale)
                self._fit(north_q4[code], last_quarter, f"northern Q4 2017 {code}")
            for target in targets:
                if target.year == 2017 and target.indicator.code == code and target.province.region.code == "north":
                    target.target = max(1, round(target.target * scale)) if target.target else 0

    def fit_disbursements(self, drafts: list[_Draft]) -> None:
        """Make the 2016 disbursements (to 31/12/2016, recoveries negative) add up to the derived
        figures: each northern province's by fund (`self.north_actuals`), and the south's and
        central & highlands' by fund (SOUTH_2016_ACTUAL, CENTRAL_2016_ACTUAL), whose payments of
        the first half year are left as generated (the south's slow first half, Lâm Đồng's)."""
        groups: dict[tuple[str, int, str], list[_Draft]] = defaultdict(list)
        for draft in drafts:
            project = draft.project
            if project.year != 2016:
                continue
            region = project.province.region.code
            groups[region, project.province_id if region == "north" else 0, project.funding_source].append(draft)
        year_end, half = D(2016, 12, 31), D(2016, 6, 30)
        for (region, pk, fund), members in sorted(groups.items()):
            if region == "north":
                target, after = self.north_actuals[pk, fund], None
            elif region == "south":
                target, after = SOUTH_2016_ACTUAL[fund], half
            else:
                target, after = CENTRAL_2016_ACTUAL[fund], half
            self._fit_money(members, target, year_end, after, f"{region} 2016 {fund} ({pk or 'region'})")

    @staticmethod
    def _fit_money(
        drafts: list[_Draft], total: int, cutoff: datetime.date, after: datetime.date | None, what: str
    ) -> None:
        """Change payments dated after `after` (None: any) and up to `cutoff` so that the
        `drafts`' net disbursement up to `cutoff` is `total` đồng.

        Each project's last such payment carries the change. A raise is taken first from the
        project's payments after `cutoff` (paid earlier instead), then from what is left of its
        support; a cut leaves at least a million đồng of the payment. Projects with a recovery
        are left alone, so no recovery can come to exceed what was paid. Shares are in
        proportion to what each project can take. DemoDataError when the projects cannot carry
        the change.
        """

        def signed(row: Disbursement) -> int:
            return -int(row.amount_vnd) if row.kind == DisbursementKind.RECOVERY else int(row.amount_vnd)

        current = 0
        carriers: list[tuple[Disbursement, list[Disbursement], int, int]] = []
        for draft in drafts:
            rows = draft.disbursements
            current += sum(signed(row) for row in rows if row.date <= cutoff)
            if any(row.kind == DisbursementKind.RECOVERY for row in rows):
                continue
            payments = [
                row
                for row in rows
                if row.kind == DisbursementKind.PAYMENT and row.date <= cutoff and (after is None or row.date > after)
            ]
            if not payments:
                continue
            later = [row for row in rows if row.date > cutoff]
            room_up = (
                int(draft.project.support_vnd) - sum(signed(row) for row in rows) + sum(signed(row) for row in later)
            )
            room_down = max(0, int(payments[-1].amount_vnd) - MILLION)
            carriers.append((payments[-1], later, room_up, room_down))
        change = total - current
        if change == 0:
            return
        rooms = [carrier[2] if change > 0 else carrier[3] for carrier in carriers]
        if abs(change) > sum(rooms):
            raise DemoDataError(f"The payments cannot carry {what}: {change} đồng to change, room for {sum(rooms)}.")
        for (row, later, _up, _down), share in zip(carriers, distribute(abs(change), rooms, 1000), strict=True):
            if change < 0:
                row.amount_vnd -= share
                continue
            row.amount_vnd += share
            for moved in later:  # paid before the cut-off instead
                taken = min(share, int(moved.amount_vnd))
                moved.amount_vnd -= taken
                share -= taken
        for draft in drafts:
            draft.disbursements = [row for row in draft.disbursements if row.amount_vnd > 0]

    @staticmethod
    def _fit(pairs: list[tuple[_Draft, ProjectOutput]], total: int, what: str) -> None:
        if not pairs:
            raise DemoDataError(f"No outputs to carry {what}.")
        pairs = sorted(pairs, key=lambda pair: (-pair[1].value, pair[0].project.code, pair[1].date))
        if len(pairs) > total:
            for draft, output in pairs[total:]:
                draft.outputs.remove(output)
            pairs = pairs[:total]
            values = [1] * total
        else:
            values = [1 + extra for extra in distribute(total - len(pairs), [o.value for _d, o in pairs])]
        for (_draft, output), value in zip(pairs, values, strict=True):
            output.value = value

    # Targets -----------------------------------------------------------------------------

    def targets(self, amounts: dict[tuple[int, int, str], int], drafts: list[_Draft]) -> list[IndicatorTarget]:
        """Targets from the planned outputs of each province's projects; exact 2016 training targets."""
        expected: dict[tuple[int, int, str], float] = defaultdict(float)
        new_by_pk = {p.pk: p for p in self.new}
        for draft in drafts:
            project = draft.project
            if not draft.expected:
                continue
            if project.year == 2025 and project.province_id in new_by_pk:
                # The new province took over its predecessors' 2025 plans: share its projects out.
                predecessors = self.predecessors[project.province_id]
                weights = [amounts[p.pk, 2025, KCQG] + amounts[p.pk, 2025, KCDP] for p in predecessors]
                for province, weight in zip(predecessors, weights, strict=True):
                    expected[province.pk, 2025, draft.kind.indicator] += draft.expected * weight / sum(weights)
            else:
                expected[project.province_id, project.year, draft.kind.indicator] += draft.expected
        values: dict[tuple[int, int, str], int] = {}
        years = [(p, year) for p in self.old for year in range(FIRST_PLAN_YEAR, 2026)]
        years += [(p, NEW_ERA_YEAR) for p in self.new]
        for province, year in years:
            rng = _rng("targets", _key(province), year)
            plan_bn = (amounts[province.pk, year, KCQG] + amounts[province.pk, year, KCDP]) / 1e9
            for code in sorted(self.indicators):
                if year == FIRST_PLAN_YEAR:
                    value = round(plan_bn * TARGET_RATES.get(code, 1) * rng.uniform(0.85, 1.15))
                else:
                    value = round(expected[province.pk, year, code] * rng.uniform(0.98, 1.1))
                values[province.pk, year, code] = value
        for region, total in (("south", SOUTH_2016_TRAINED_TARGET), ("north", NORTH_2016_TRAINED_TARGET)):
            provinces = [p for p in self.old if p.region.code == region]
            weights = [values[p.pk, 2016, "trained_workers"] or 1 for p in provinces]
            for province, value in zip(provinces, distribute(total, weights), strict=True):
                values[province.pk, 2016, "trained_workers"] = value
        provinces = {p.pk: p for p in self.old + self.new}
        return [
            IndicatorTarget(province=provinces[pk], year=year, indicator=self.indicators[code], target=value)
            for (pk, year, code), value in sorted(values.items())
        ]

    # Reporting periods -------------------------------------------------------------------

    def periods(self) -> list[ReportingPeriod]:
        """Six-month, nine-month and annual reports that have ended by the demo day."""
        zone = timezone.get_default_timezone()
        now = timezone.now()

        def moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
            at = datetime.time(rng.randint(8, 16), rng.randint(0, 59))
            return min(datetime.datetime.combine(day, at, zone), now)

        deadlines = {Period.H1: (0, 7, 15), Period.M9: (0, 10, 15), Period.FY: (1, 1, 31)}
        rows = []
        for province in self.old + self.new:
            for year in range(FIRST_PROJECT_YEAR, NEW_ERA_YEAR + 1):
                for period in Period:
                    end = period_end(year, period)
                    if end < province.valid_from or (province.valid_to and end > province.valid_to):
                        continue
                    if end > self.as_of:
                        continue
                    rng = _rng("period", _key(province), year, period)
                    shift, month, day = deadlines[period]
                    deadline = D(year + shift, month, day)
                    age = (self.as_of - deadline).days
                    if age > 150:
                        status = rng.choices(("approved", "submitted"), (97, 3))[0]
                    elif age >= 0:
                        status = rng.choices(("approved", "submitted", "open"), (4, 4, 2))[0]
                    else:
                        status = rng.choice(("submitted", "open"))
                    row = ReportingPeriod(province=province, year=year, period=period, deadline=deadline)
                    row.status = status
                    if status != "open":
                        submitted = min(deadline + _days(rng, -12, 10), self.as_of)
                        row.submitted_at = moment(submitted, rng)
                        row.submitted_by = self._province_user(province)
                        approved = submitted + _days(rng, 2, 25)
                        if status == "approved" and approved <= self.as_of:
                            row.approved_at = moment(approved, rng)
                            row.approved_by = self.users["bo.congthuong"]
                        else:
                            row.status = "submitted"
                    rows.append(row)
        return rows

    def _province_user(self, province: Province):
        if province.code == "74" and province.valid_to:
            return self.users["binhduong"]
        if province.code == "79" and province.valid_to is None:
            return self.users["tphcm"]
        return None


# --- Writing ------------------------------------------------------------------------------


def _upsert(model, rows: list, unique_fields: list[str], update_fields: list[str]) -> None:
    """Insert `rows`, or update the listed fields of the rows already there with the same natural key."""
    model.objects.bulk_create(
        rows, batch_size=500, update_conflicts=True, unique_fields=unique_fields, update_fields=update_fields
    )


@transaction.atomic
def load(*, password: str = DEFAULT_PASSWORD) -> LoadResult:
    """Load (or reload) the demo data in one transaction; returns the row counts and the time taken."""
    started = time.perf_counter()
    as_of = min(AS_OF, timezone.localdate())
    users = load_users(password)
    generator = _Generator(as_of, users)

    centres = generator.centres()
    _upsert(
        ExtensionCentre,
        centres,
        ["province"],
        ["name", "address", "phone", "email", "director", "updated_at"],
    )
    centre_by_province = {
        c.province_id: c for c in ExtensionCentre.objects.filter(province__in=[c.province for c in centres])
    }
    networks = generator.networks(centre_by_province)
    _upsert(CollaboratorNetwork, networks, ["centre", "year"], ["district_collaborators", "commune_collaborators"])

    amounts = generator.plan_amounts()
    plans = generator.plans(amounts)
    # Written as first approved: `store_approved_figures` applies each revision on its decision
    # day, between the approvals of the reports (a report keeps the plan of its approval day).
    revised = [plan for plan in plans if (plan.province_id, plan.year, plan.funding_source) in generator.revisions]
    for plan in revised:
        plan.planned_vnd = generator.revisions[plan.province_id, plan.year, plan.funding_source].from_vnd
    _upsert(
        BudgetPlan,
        plans,
        ["province", "year", "funding_source"],
        ["planned_vnd", "original_vnd", "status", "decision_number", "approved_on", "notes", "updated_at"],
    )
    for plan in revised:  # the projects are drawn on the plans in force
        plan.planned_vnd = generator.revisions[plan.province_id, plan.year, plan.funding_source].to_vnd

    # Each revised plan's decision as a revision record (PlanRevision), replaced on every load.
    plan_ids = {
        (province_id, year, fund): pk
        for pk, province_id, year, fund in BudgetPlan.objects.filter(
            year__in={key[1] for key in generator.revisions}
        ).values_list("pk", "province_id", "year", "funding_source")
    }
    PlanRevision.objects.filter(plan_id__in=plan_ids.values()).delete()
    revisions = PlanRevision.objects.bulk_create(
        [
            PlanRevision(
                plan_id=plan_ids[draft.plan_key],
                from_vnd=draft.from_vnd,
                to_vnd=draft.to_vnd,
                decision_number=draft.decision_number,
                decided_on=draft.decided_on,
                reason=draft.reason,
            )
            for draft in sorted(generator.revisions.values(), key=lambda draft: draft.plan_key)
        ],
        batch_size=500,
    )

    drafts = generator.projects(plans)
    targets = generator.targets(amounts, drafts)
    generator.fit_outputs(drafts, targets)
    generator.fit_disbursements(drafts)
    _upsert(IndicatorTarget, targets, ["province", "year", "indicator"], ["target", "updated_at"])

    # Replace the demo projects only. Money and outputs are protected from project deletion,
    # so the demo projects' own rows go first.
    demo_projects = Project.objects.filter(code__startswith=CODE_PREFIX)
    for model in (ProjectTransition, Disbursement, ProjectOutput):
        model.objects.filter(project__in=demo_projects).delete()
    demo_projects.delete()
    Project.objects.bulk_create([draft.project for draft in drafts], batch_size=500)
    steps = [step for draft in drafts for step in draft.steps]
    money = [row for draft in drafts for row in draft.disbursements]
    outputs = [row for draft in drafts for row in draft.outputs]
    ProjectTransition.objects.bulk_create(steps, batch_size=1000)
    Disbursement.objects.bulk_create(money, batch_size=1000)
    ProjectOutput.objects.bulk_create(outputs, batch_size=1000)

    periods = generator.periods()
    # Their figures as approved are cleared here and stored below (`store_approved_figures`).
    _upsert(
        ReportingPeriod,
        periods,
        ["province", "year", "period"],
        [
            "status",
            "deadline",
            "submitted_at",
            "submitted_by",
            "approved_at",
            "approved_by",
            "approved_figures",
            "updated_at",
        ],
    )
    # The start pages' work of the demo morning (programmes.demo_start).
    from .demo_start import add_working_morning

    add_working_morning(users=users, as_of=as_of)
    store_approved_figures(plan_ids, generator.revisions.values())
    counts = {
        "users": len(users),
        "centres": len(centres),
        "networks": len(networks),
        "plans": len(plans),
        "revisions": len(revisions),
        "targets": len(targets),
        "projects": len(drafts),
        "steps": len(steps),
        "disbursements": len(money),
        "outputs": len(outputs),
        "periods": len(periods),
    }
    counts.update(demo_records.load())  # establishments and typical products (programmes/demo_records.py)
    return LoadResult(
        counts=counts,
        seconds=time.perf_counter() - started,
        as_of=as_of,
        revisions=sorted(generator.revisions.values(), key=lambda revision: revision.plan_key),
    )


def store_approved_figures(plan_ids: dict[tuple[int, int, str], int], revisions) -> int:
    """Store on every approved report that has none (the demo's, just written) the figures its
    approval would have stored on its approval day (`report_figures.live_figures_of`, what
    `services.period_approve` stores), and bring the revised plans to their amounts in force.

    The plans are in the database as first approved. The approvals (the local day of
    `approved_at`) and the `revisions` (PlanRevisionDraft, keyed to plans by `plan_ids`) are
    walked in date order, each year on its own, since a revision changes only its year's
    figures: a revision is applied on its decision day before the approvals of that day, so a
    6-month report approved before a supplementary allocation keeps the plan it was approved
    with while the live plan moves. The k-th stretch of approvals between two revisions of every
    year is computed in one batch. Returns the number of reports given their figures.

    Queries: approved reports and provinces, then per batch (as many as the most revisions a
    year has between approvals, plus one) one update per revision applied and those of
    `live_figures_of`; one statement run for every report stored.
    """
    periods = list(
        ReportingPeriod.objects.filter(status=ReportingPeriod.Status.APPROVED, approved_figures__isnull=True)
    )
    provinces = ProvinceMap.load()
    events: dict[int, list[tuple[datetime.date, int, object]]] = defaultdict(list)
    for revision in revisions:
        events[revision.plan_key[1]].append((revision.decided_on, 0, revision))
    for period in periods:
        events[period.year].append((timezone.localtime(period.approved_at).date(), 1, period))
    # Per year: the stretches of approvals, each with the revisions to apply before it.
    stretches: dict[int, list[tuple[list[PlanRevisionDraft], list[ReportingPeriod]]]] = {}
    leftover: list[PlanRevisionDraft] = []
    for year, items in events.items():
        items.sort(key=lambda item: (item[0], item[1], getattr(item[2], "plan_key", None) or item[2].pk))
        year_stretches: list[tuple[list[PlanRevisionDraft], list[ReportingPeriod]]] = []
        before: list[PlanRevisionDraft] = []
        for _day, is_approval, item in items:
            if not is_approval:
                before.append(item)
            elif before or not year_stretches:
                year_stretches.append((before, [item]))
                before = []
            else:
                year_stretches[-1][1].append(item)
        stretches[year] = year_stretches
        leftover += before

    def apply(applied: list[PlanRevisionDraft]) -> None:
        for revision in applied:
            BudgetPlan.objects.filter(pk=plan_ids[revision.plan_key]).update(planned_vnd=revision.to_vnd)

    stored: list[ReportingPeriod] = []
    for k in range(max((len(value) for value in stretches.values()), default=0)):
        batch: list[ReportingPeriod] = []
        for year_stretches in stretches.values():
            if k < len(year_stretches):
                applied, approvals = year_stretches[k]
                apply(applied)
                batch += approvals
        figures = live_figures_of(batch, provinces)
        for period in batch:
            period.approved_figures = figures[period.province_id, period.year, period.period]
        stored += batch
    apply(leftover)
    # One statement run for every report (bulk_update's CASE over two thousand rows takes seconds).
    connection = connections[ReportingPeriod.objects.db]
    column = ReportingPeriod._meta.get_field("approved_figures")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {ReportingPeriod._meta.db_table} SET {column.column} = %s WHERE id = %s",
            [(column.get_db_prep_save(period.approved_figures, connection), period.pk) for period in stored],
        )
    return len(stored)
