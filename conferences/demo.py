"""Demo conferences (`python manage.py load_demo_conferences`, after programmes' `load_demo`).

Each region gets its chain of conferences 2015–2026, the flag of each going to the host of the
region's next conference. What the agency reported is kept as reported: the 7th southern
conference (Bình Dương, 28/07/2016, shared/reference/example_south_2016.md: 23 collectives and
24 individuals awarded for 2013–2015, An Giang's 11-person district collaborator network, the
2017 host TP Hồ Chí Minh), the 11th northern (Ninh Bình, 2016), the 12th northern (Việt Trì, Phú
Thọ, 05/10/2017, example_north_2017.md: 28 provinces, 12 units awarded, flag to Nghệ An), the
13th central & highlands (Gia Nghĩa, Đắk Nông, 26/10/2023), the 14th southern (hosted by Kiên
Giang, 10/10/2024) and the 14th central & highlands (Đà Nẵng, 04/12/2025, gathering the 11
provinces of provinces_34.csv). Editions follow from them: no conference in 2021 in any region,
none of the central & highlands in 2024.

Conferences before 01/07/2025 gather the region's provinces of the 63; the 2025 ones, held after
the merger, gather the 34 provinces' new groupings (NEW_ERA_REGIONS: north 15, central &
highlands 11, south 8), named by code rather than read from the editable regions of the
database. The 2024 hosts hand the flag to the province of the new era that held the 2025
conference. Each region's 2026 conference is being prepared: the Conference model has no
status, so it is one dated after the demo day (programmes.demo.AS_OF) with its host and
provinces but no chairs, attendance, papers, recommendations or awards; its briefing stops at
the last reporting cut-off before that date, like any other. The other hosts, dates, people and
texts are invented but plausible.

Idempotent: conferences are found by (region, edition) and updated; their papers,
recommendations and awards are replaced. Names come from a fixed seed, so every load gives the
same data.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from programmes.demo import AS_OF
from programmes.models import ExtensionCentre, Indicator, Province, Region

from . import services
from .models import (
    Addressee,
    Award,
    AwardType,
    Conference,
    Paper,
    RecipientKind,
    Recommendation,
    RecommendationStatus,
    ReportedFigure,
    agency_name_on,
)

D = datetime.date
SEED = "khuyencong-demo-conferences"
LAST_OLD_DAY = D(2025, 6, 30)
MERGER_DAY = D(2025, 7, 1)
# The conference groupings of the 34 provinces from 01/07/2025 (shared/reference/provinces_34.csv,
# by new-era code): the 14th central & highlands conference (Đà Nẵng, 04/12/2025) gathered the 11
# listed. Named here rather than read from the regions in the database, which are editable data
# and may still hold another split of the new provinces.
NEW_ERA_REGIONS = {
    "north": ("01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25", "31", "33", "37"),
    "central_highlands": ("38", "40", "42", "44", "46", "48", "51", "52", "56", "66", "68"),
    "south": ("75", "79", "80", "82", "86", "91", "92", "96"),
}

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Ngô")
MALE_NAMES = ("Văn Hùng", "Minh Tuấn", "Quốc Bảo", "Hữu Phước", "Thanh Tùng", "Văn Tài", "Đức Thắng", "Văn Long")
FEMALE_NAMES = ("Thị Lan", "Thị Hoa", "Thị Mai", "Thị Hạnh", "Ngọc Ánh", "Thị Thu Hằng", "Thị Bích Ngọc")


class DemoDataError(RuntimeError):
    """The reference data lack a region or a province the demo conferences need."""


@dataclass(frozen=True)
class PaperSpec:
    province: str  # old province code
    title: str
    summary: str = ""
    position: str = "Giám đốc"
    unit: str = "centre"  # "centre": the province's extension centre; "department": its Sở Công Thương


@dataclass(frozen=True)
class RecommendationSpec:
    text: str
    addressed_to: str
    province: str | None = None  # who raised it; None: the organisers' summary
    addressed_to_other: str = ""
    status: str = RecommendationStatus.OPEN
    response: str = ""
    resolved_on: datetime.date | None = None


@dataclass(frozen=True)
class ConferenceSpec:
    region: str
    edition: int
    start: datetime.date
    host: str  # old province code
    city: str
    venue: str
    next_host: str | None
    attendees: int
    collectives: int
    individuals: int
    award_type: str = AwardType.MINISTER
    award_period: str = ""
    papers: tuple[PaperSpec, ...] = ()
    recommendations: tuple[RecommendationSpec, ...] = ()
    summary: str = ""
    days: int = 1
    # The era of the provinces named (host, papers, recommendations, attending, awards): the 34
    # provinces from 01/07/2025. The next host's era defaults to the conference's.
    new_era: bool = False
    next_host_new_era: bool | None = None


COLLABORATOR_PAY = RecommendationSpec(
    "Đề nghị Bộ Công Thương phối hợp với Bộ Tài chính sớm quy định chế độ thù lao cho cộng tác viên khuyến "
    "công cấp huyện, cấp xã, để các địa phương có căn cứ bố trí kinh phí duy trì mạng lưới.",
    Addressee.FINANCE,
    province="89",
    status=RecommendationStatus.IN_PROGRESS,
    response="Cục đã tổng hợp kiến nghị, báo cáo Bộ để trao đổi với Bộ Tài chính khi sửa đổi quy định về quản lý "
    "và sử dụng kinh phí khuyến công.",
)
SHARED_DATABASE = RecommendationSpec(
    "Đề nghị Cục Công nghiệp địa phương xây dựng cơ sở dữ liệu khuyến công dùng chung cho cả nước, để các "
    "địa phương cập nhật kế hoạch, đề án, giải ngân và kết quả thực hiện, thay cho báo cáo giấy.",
    Addressee.MINISTRY,
    province="74",
    status=RecommendationStatus.RESOLVED,
    response="Cơ sở dữ liệu khuyến công dùng chung đã đưa vào sử dụng; các Trung tâm Khuyến công cập nhật số liệu "
    "trực tuyến và báo cáo được tổng hợp từ cùng một nguồn.",
    resolved_on=D(2018, 12, 20),
)
LOCAL_FUNDS = RecommendationSpec(
    "Đề nghị Ủy ban nhân dân các tỉnh quan tâm bố trí kinh phí khuyến công địa phương tương xứng với nhu cầu "
    "của các cơ sở công nghiệp nông thôn, phê duyệt kế hoạch sớm ngay từ đầu năm.",
    Addressee.PROVINCE,
)
VOCATIONAL_TRAINING = RecommendationSpec(
    "Đề nghị phối hợp lồng ghép chương trình đào tạo nghề cho lao động nông thôn với hoạt động khuyến công, "
    "tránh trùng lặp đối tượng hỗ trợ.",
    Addressee.OTHER,
    addressed_to_other="Bộ Lao động – Thương binh và Xã hội",
)
EARLY_ALLOCATION = RecommendationSpec(
    "Đề nghị Bộ Công Thương giao kế hoạch kinh phí khuyến công quốc gia sớm hơn (trong quý I) để các địa "
    "phương có đủ thời gian hoàn thiện hồ sơ, ký hợp đồng và giải ngân.",
    Addressee.MINISTRY,
    status=RecommendationStatus.RESOLVED,
    response="Từ năm 2018, Bộ giao kế hoạch khuyến công quốc gia ngay sau khi dự toán ngân sách được giao.",
    resolved_on=D(2018, 1, 15),
)
PROCEDURES = RecommendationSpec(
    "Đề nghị đơn giản hóa hồ sơ đề án khuyến công quốc gia có mức hỗ trợ nhỏ, cho phép phân cấp cho Sở Công "
    "Thương thẩm định.",
    Addressee.MINISTRY,
    status=RecommendationStatus.IN_PROGRESS,
    response="Cục đang tổng hợp để đề xuất khi sửa đổi thông tư hướng dẫn quản lý kinh phí khuyến công.",
)
CLUSTER_INFRASTRUCTURE = RecommendationSpec(
    "Đề nghị tăng mức hỗ trợ đầu tư hạ tầng kỹ thuật cụm công nghiệp từ kinh phí khuyến công quốc gia cho "
    "các tỉnh miền núi, khó khăn.",
    Addressee.FINANCE,
)
DIGITAL_SKILLS = RecommendationSpec(
    "Đề nghị bổ sung nội dung hỗ trợ cơ sở công nghiệp nông thôn ứng dụng thương mại điện tử, quảng bá sản "
    "phẩm trên môi trường số.",
    Addressee.MINISTRY,
)
TYPICAL_PRODUCTS = RecommendationSpec(
    "Đề nghị tổ chức bình chọn sản phẩm công nghiệp nông thôn tiêu biểu cấp khu vực gắn với hội chợ vùng, "
    "có kinh phí thưởng cho sản phẩm đạt giải.",
    Addressee.MINISTRY,
    status=RecommendationStatus.RESOLVED,
    response="Bình chọn sản phẩm CNNT tiêu biểu cấp khu vực được tổ chức hai năm một lần, cùng hội chợ khu vực.",
    resolved_on=D(2020, 6, 30),
)

DECREE_235_GUIDANCE = RecommendationSpec(
    "Đề nghị Bộ Công Thương sớm ban hành thông tư hướng dẫn Nghị định số 235/2025/NĐ-CP sửa đổi, bổ sung "
    "Nghị định số 45/2012/NĐ-CP về khuyến công, để các địa phương xây dựng chương trình khuyến công giai đoạn "
    "2026–2030.",
    Addressee.MINISTRY,
    status=RecommendationStatus.IN_PROGRESS,
    response="Bộ đang hoàn thiện dự thảo thông tư, lấy ý kiến các địa phương.",
)
COMMUNE_NETWORK = RecommendationSpec(
    "Đề nghị hướng dẫn tổ chức lại mạng lưới cộng tác viên khuyến công ở cấp xã sau khi kết thúc hoạt động "
    "của chính quyền cấp huyện từ ngày 01/07/2025.",
    Addressee.MINISTRY,
)
MERGED_PROVINCES_FUNDS = RecommendationSpec(
    "Đề nghị Ủy ban nhân dân các tỉnh sau sắp xếp bố trí kinh phí khuyến công địa phương năm 2026 không thấp "
    "hơn tổng kinh phí của các tỉnh hợp nhất năm 2025.",
    Addressee.PROVINCE,
)

SOUTH_7_PAPERS = (
    PaperSpec(
        "95",
        "Kinh nghiệm triển khai đề án khuyến công hỗ trợ ứng dụng máy móc thiết bị tại các cơ sở công nghiệp "
        "nông thôn tỉnh Bạc Liêu",
        "Giai đoạn 2013–2015 Bạc Liêu hỗ trợ máy móc thiết bị cho các cơ sở chế biến thủy sản, xay xát lúa gạo "
        "và sản xuất muối; nêu các khó khăn về vốn đối ứng và thủ tục thanh quyết toán.",
    ),
    PaperSpec(
        "89",
        "Xây dựng mạng lưới cộng tác viên khuyến công cấp huyện tại An Giang",
        "Năm 2016 Trung tâm Khuyến công An Giang xây dựng mạng lưới 11 cộng tác viên khuyến công cấp huyện, là "
        "cán bộ phòng Kinh tế, phòng Kinh tế – Hạ tầng các huyện, thị xã, thành phố; cộng tác viên nắm nhu cầu "
        "của cơ sở, giới thiệu đề án và theo dõi kết quả sau hỗ trợ.",
    ),
    PaperSpec(
        "74",
        "Hoạt động khuyến công gắn với phát triển công nghiệp hỗ trợ tại Bình Dương",
        "Chuyển hướng hỗ trợ từ cơ sở sản xuất nhỏ sang doanh nghiệp vừa và nhỏ trong chuỗi cung ứng; mạng lưới "
        "cộng tác viên cấp huyện và cấp xã của tỉnh.",
    ),
    PaperSpec(
        "80",
        "Bình chọn sản phẩm công nghiệp nông thôn tiêu biểu: kết quả và bài học tại Long An",
        "",
        "Phó Giám đốc",
        "department",
    ),
)
NORTH_12_PAPERS = (
    PaperSpec(
        "25",
        "Khuyến công Phú Thọ hỗ trợ phát triển sản phẩm chè và làng nghề",
        "Các đề án trình diễn kỹ thuật chế biến chè và hỗ trợ máy móc cho làng nghề giai đoạn 2015–2017.",
    ),
    PaperSpec(
        "10",
        "Đào tạo nghề và truyền nghề cho đồng bào dân tộc thiểu số tại Lào Cai",
        "Gắn đào tạo nghề dệt thổ cẩm, thêu với tiêu thụ sản phẩm cho khách du lịch.",
    ),
    PaperSpec(
        "34",
        "Hỗ trợ đầu tư hạ tầng cụm công nghiệp từ kinh phí khuyến công tại Thái Bình",
        "",
        "Phó Giám đốc",
        "department",
    ),
    PaperSpec("40", "Chuẩn bị đăng cai Hội nghị khuyến công các tỉnh phía Bắc lần thứ XIII tại Nghệ An", ""),
)

SPECS: tuple[ConferenceSpec, ...] = (
    # Phía Bắc: X (2015) … XX (2026); the 11th in Ninh Bình (domain.md §5.1), the 12th in Việt Trì. No
    # conference in 2021 in any region: the 2020 hosts handed the flag for 2021 and held the next one in 2022.
    ConferenceSpec(
        "north",
        10,
        D(2015, 10, 22),
        "19",
        "Thành phố Thái Nguyên",
        "Khách sạn Thái Nguyên",
        "37",
        180,
        10,
        6,
        award_type=AwardType.AGENCY,
        award_period="năm 2015",
        papers=(
            PaperSpec("19", "Hỗ trợ cơ sở chế biến chè ứng dụng máy móc thiết bị tại Thái Nguyên"),
            PaperSpec("01", "Khuyến công Hà Nội hỗ trợ phát triển làng nghề truyền thống"),
            PaperSpec("42", "Đào tạo nghề gắn với giải quyết việc làm tại Hà Tĩnh"),
        ),
        recommendations=(EARLY_ALLOCATION, LOCAL_FUNDS),
    ),
    ConferenceSpec(
        "north",
        11,
        D(2016, 9, 29),
        "37",
        "Thành phố Ninh Bình",
        "Trung tâm Hội nghị tỉnh Ninh Bình",
        "25",
        190,
        9,
        7,
        award_type=AwardType.AGENCY,
        award_period="năm 2016",
        papers=(
            PaperSpec("37", "Phát triển sản phẩm thủ công mỹ nghệ phục vụ du lịch tại Ninh Bình"),
            PaperSpec("22", "Khuyến công Quảng Ninh và chương trình Mỗi xã một sản phẩm"),
            PaperSpec("26", "Hỗ trợ doanh nghiệp nhỏ và vừa ứng dụng sản xuất sạch hơn tại Vĩnh Phúc"),
        ),
        recommendations=(PROCEDURES, CLUSTER_INFRASTRUCTURE),
    ),
    ConferenceSpec(
        "north",
        12,
        D(2017, 10, 5),
        "25",
        "Thành phố Việt Trì",
        "Trung tâm Hội nghị tỉnh Phú Thọ",
        "40",
        200,
        12,
        0,
        award_period="giai đoạn 2014–2016",
        papers=NORTH_12_PAPERS,
        recommendations=(
            VOCATIONAL_TRAINING,
            RecommendationSpec(
                "Đề nghị hướng dẫn thống nhất biểu mẫu báo cáo khuyến công định kỳ 6 tháng, 9 tháng và năm.",
                Addressee.MINISTRY,
                province="30",
                status=RecommendationStatus.RESOLVED,
                response="Biểu mẫu báo cáo định kỳ được thống nhất và cập nhật trên cơ sở dữ liệu khuyến công.",
                resolved_on=D(2018, 12, 20),
            ),
            CLUSTER_INFRASTRUCTURE,
        ),
        summary="28 tỉnh, thành phố phía Bắc dự; tổng kết công tác khuyến công 9 tháng đầu năm 2017, trao Bằng "
        "khen của Bộ trưởng Bộ Công Thương cho 12 đơn vị và trao cờ đăng cai năm 2018 cho tỉnh Nghệ An.",
    ),
    ConferenceSpec(
        "north",
        13,
        D(2018, 10, 11),
        "40",
        "Thành phố Vinh",
        "Trung tâm Hội nghị tỉnh Nghệ An",
        "22",
        195,
        8,
        8,
        award_type=AwardType.AGENCY,
        award_period="năm 2018",
        papers=(
            PaperSpec("40", "Khuyến công Nghệ An hỗ trợ phát triển nghề mây tre đan xuất khẩu"),
            PaperSpec("38", "Xây dựng mô hình trình diễn kỹ thuật tại các huyện miền núi Thanh Hóa"),
            PaperSpec("27", "Bắc Ninh hỗ trợ di dời cơ sở sản xuất làng nghề vào cụm công nghiệp"),
        ),
        recommendations=(DIGITAL_SKILLS, LOCAL_FUNDS),
    ),
    ConferenceSpec(
        "north",
        14,
        D(2019, 10, 17),
        "22",
        "Thành phố Hạ Long",
        "Cung Quy hoạch, Hội chợ và Triển lãm tỉnh Quảng Ninh",
        "38",
        210,
        10,
        6,
        award_type=AwardType.AGENCY,
        award_period="năm 2019",
        papers=(
            PaperSpec("22", "Gắn hoạt động khuyến công với chương trình OCOP tại Quảng Ninh"),
            PaperSpec("36", "Hỗ trợ làng nghề Nam Định xử lý ô nhiễm môi trường"),
        ),
        recommendations=(TYPICAL_PRODUCTS, DIGITAL_SKILLS),
    ),
    ConferenceSpec(
        "north",
        15,
        D(2020, 11, 26),
        "38",
        "Thành phố Thanh Hóa",
        "Trung tâm Hội nghị tỉnh Thanh Hóa",
        "24",
        170,
        9,
        6,
        award_type=AwardType.AGENCY,
        award_period="năm 2020",
        papers=(
            PaperSpec(
                "38", "Khuyến công Thanh Hóa hỗ trợ cơ sở công nghiệp nông thôn vượt qua khó khăn do dịch Covid-19"
            ),
            PaperSpec("17", "Phát triển nghề dệt thổ cẩm gắn với du lịch cộng đồng tại Hòa Bình"),
        ),
        recommendations=(DIGITAL_SKILLS, LOCAL_FUNDS),
    ),
    ConferenceSpec(
        "north",
        16,
        D(2022, 10, 20),
        "24",
        "Thành phố Bắc Giang",
        "Trung tâm Hội nghị tỉnh Bắc Giang",
        "31",
        190,
        10,
        7,
        award_type=AwardType.AGENCY,
        award_period="năm 2022",
        papers=(
            PaperSpec("24", "Hỗ trợ chế biến vải thiều và nông sản sau thu hoạch tại Bắc Giang"),
            PaperSpec("35", "Khuyến công Hà Nam hỗ trợ làng nghề mây tre đan xuất khẩu"),
        ),
        recommendations=(CLUSTER_INFRASTRUCTURE, PROCEDURES),
    ),
    ConferenceSpec(
        "north",
        17,
        D(2023, 10, 12),
        "31",
        "Thành phố Hải Phòng",
        "Trung tâm Hội nghị thành phố Hải Phòng",
        "20",
        195,
        10,
        8,
        award_type=AwardType.AGENCY,
        award_period="năm 2023",
        papers=(
            PaperSpec("31", "Hỗ trợ doanh nghiệp công nghiệp nông thôn ứng dụng sản xuất sạch hơn tại Hải Phòng"),
            PaperSpec("12", "Đào tạo nghề cho lao động dân tộc thiểu số tại Lai Châu"),
        ),
        recommendations=(DIGITAL_SKILLS, VOCATIONAL_TRAINING),
    ),
    ConferenceSpec(
        "north",
        18,
        D(2024, 10, 17),
        "20",
        "Thành phố Lạng Sơn",
        "Trung tâm Hội nghị tỉnh Lạng Sơn",
        "19",
        200,
        9,
        7,
        award_type=AwardType.AGENCY,
        award_period="năm 2024",
        papers=(
            PaperSpec("20", "Khuyến công Lạng Sơn hỗ trợ chế biến hồi, quế và nông sản vùng biên giới"),
            PaperSpec("30", "Hải Dương hỗ trợ cơ sở sản xuất bánh gai, bánh đậu xanh ứng dụng máy móc"),
        ),
        recommendations=(LOCAL_FUNDS, PROCEDURES),
        next_host_new_era=True,
    ),
    ConferenceSpec(
        "north",
        19,
        D(2025, 11, 13),
        "19",
        "Thái Nguyên",
        "Trung tâm Hội nghị tỉnh Thái Nguyên",
        "33",
        180,
        15,
        10,
        award_period="giai đoạn 2021–2025",
        papers=(
            PaperSpec("19", "Khuyến công Thái Nguyên sau hợp nhất: hỗ trợ chế biến chè và sản phẩm OCOP"),
            PaperSpec("25", "Phú Thọ thống nhất kế hoạch khuyến công của ba tỉnh hợp nhất năm 2025"),
        ),
        recommendations=(DECREE_235_GUIDANCE, COMMUNE_NETWORK, MERGED_PROVINCES_FUNDS),
        summary=(
            "15 tỉnh, thành phố phía Bắc sau sắp xếp đơn vị hành chính dự; tổng kết công tác khuyến công giai "
            "đoạn 2021–2025, triển khai Chương trình khuyến công quốc gia giai đoạn 2026–2030 và Nghị định số "
            "235/2025/NĐ-CP; trao cờ đăng cai năm 2026 cho tỉnh Hưng Yên."
        ),
        new_era=True,
    ),
    ConferenceSpec(
        "north",
        20,
        D(2026, 12, 10),
        "33",
        "Hưng Yên",
        "Trung tâm Hội nghị tỉnh Hưng Yên",
        None,
        0,
        0,
        0,
        award_type=AwardType.AGENCY,
        new_era=True,
    ),
    # Miền Trung – Tây Nguyên: VI (2015) … XV (2026); XIII in Gia Nghĩa, Đắk Nông (26/10/2023) and XIV in Đà Nẵng
    # (04/12/2025) as reported, so none in 2024 (nor in 2021).
    ConferenceSpec(
        "central_highlands",
        6,
        D(2015, 11, 5),
        "48",
        "Thành phố Đà Nẵng",
        "Trung tâm Hội nghị thành phố Đà Nẵng",
        "56",
        120,
        8,
        5,
        award_type=AwardType.AGENCY,
        award_period="năm 2015",
        papers=(
            PaperSpec("48", "Hỗ trợ doanh nghiệp nhỏ và vừa ứng dụng máy móc thiết bị tại Đà Nẵng"),
            PaperSpec("66", "Phát triển chế biến cà phê quy mô nhỏ tại Đắk Lắk"),
        ),
        recommendations=(EARLY_ALLOCATION, LOCAL_FUNDS),
    ),
    ConferenceSpec(
        "central_highlands",
        7,
        D(2016, 10, 20),
        "56",
        "Thành phố Nha Trang",
        "Trung tâm Hội nghị tỉnh Khánh Hòa",
        "64",
        125,
        9,
        6,
        award_type=AwardType.AGENCY,
        award_period="năm 2016",
        papers=(
            PaperSpec("56", "Khuyến công Khánh Hòa hỗ trợ chế biến hải sản và sản xuất nước mắm truyền thống"),
            PaperSpec("52", "Đào tạo nghề mây tre đan, đan cói tại Bình Định"),
            PaperSpec("62", "Khuyến công ở vùng đồng bào dân tộc thiểu số tỉnh Kon Tum"),
        ),
        recommendations=(PROCEDURES, VOCATIONAL_TRAINING),
    ),
    ConferenceSpec(
        "central_highlands",
        8,
        D(2017, 10, 26),
        "64",
        "Thành phố Pleiku",
        "Trung tâm Hội nghị tỉnh Gia Lai",
        "51",
        130,
        15,
        10,
        award_period="giai đoạn 2014–2016",
        papers=(
            PaperSpec("64", "Hỗ trợ chế biến nông sản sau thu hoạch tại Gia Lai"),
            PaperSpec("49", "Phát triển cụm công nghiệp làng nghề tại Quảng Nam"),
        ),
        recommendations=(CLUSTER_INFRASTRUCTURE, LOCAL_FUNDS),
    ),
    ConferenceSpec(
        "central_highlands",
        9,
        D(2018, 10, 25),
        "51",
        "Thành phố Quảng Ngãi",
        "Trung tâm Hội nghị tỉnh Quảng Ngãi",
        "68",
        135,
        8,
        6,
        award_type=AwardType.AGENCY,
        award_period="năm 2018",
        papers=(
            PaperSpec("51", "Khuyến công Quảng Ngãi hỗ trợ phát triển sản phẩm đặc sản địa phương"),
            PaperSpec("45", "Hỗ trợ cơ sở sản xuất vùng bãi ngang tỉnh Quảng Trị"),
        ),
        recommendations=(DIGITAL_SKILLS, TYPICAL_PRODUCTS),
    ),
    ConferenceSpec(
        "central_highlands",
        10,
        D(2019, 10, 24),
        "68",
        "Thành phố Đà Lạt",
        "Trung tâm Hội nghị tỉnh Lâm Đồng",
        "46",
        140,
        9,
        7,
        award_type=AwardType.AGENCY,
        award_period="năm 2019",
        papers=(
            PaperSpec("68", "Hỗ trợ có thu hồi vốn cho cơ sở chế biến chè và cà phê tại Lâm Đồng"),
            PaperSpec("67", "Khuyến công tỉnh Đắk Nông hỗ trợ chế biến hồ tiêu"),
        ),
        recommendations=(LOCAL_FUNDS,),
    ),
    ConferenceSpec(
        "central_highlands",
        11,
        D(2020, 11, 19),
        "46",
        "Thành phố Huế",
        "Trung tâm Hội nghị tỉnh Thừa Thiên Huế",
        "54",
        125,
        8,
        5,
        award_type=AwardType.AGENCY,
        award_period="năm 2020",
        papers=(
            PaperSpec("46", "Hỗ trợ làng nghề truyền thống Huế phục hồi sản xuất sau dịch Covid-19"),
            PaperSpec("58", "Khuyến công Ninh Thuận hỗ trợ chế biến nho, táo và hải sản"),
        ),
        recommendations=(DIGITAL_SKILLS, LOCAL_FUNDS),
    ),
    ConferenceSpec(
        "central_highlands",
        12,
        D(2022, 11, 10),
        "54",
        "Thành phố Tuy Hòa",
        "Trung tâm Hội nghị tỉnh Phú Yên",
        "67",
        130,
        9,
        6,
        award_type=AwardType.AGENCY,
        award_period="năm 2022",
        papers=(
            PaperSpec("54", "Khuyến công Phú Yên hỗ trợ chế biến cá ngừ đại dương"),
            PaperSpec("44", "Phát triển sản phẩm công nghiệp nông thôn tiêu biểu tại Quảng Bình"),
        ),
        recommendations=(CLUSTER_INFRASTRUCTURE, VOCATIONAL_TRAINING),
    ),
    ConferenceSpec(
        "central_highlands",
        13,
        D(2023, 10, 26),
        "67",
        "Thành phố Gia Nghĩa",
        "Trung tâm Hội nghị tỉnh Đắk Nông",
        "48",
        135,
        9,
        7,
        award_type=AwardType.AGENCY,
        award_period="năm 2023",
        papers=(
            PaperSpec("67", "Khuyến công Đắk Nông hỗ trợ chế biến cà phê, hồ tiêu và mắc ca"),
            PaperSpec("62", "Hỗ trợ đồng bào dân tộc thiểu số Kon Tum phát triển nghề dệt thổ cẩm"),
        ),
        recommendations=(PROCEDURES, DIGITAL_SKILLS),
    ),
    ConferenceSpec(
        "central_highlands",
        14,
        D(2025, 12, 4),
        "48",
        "Thành phố Đà Nẵng",
        "Trung tâm Hội nghị thành phố Đà Nẵng",
        "44",
        150,
        11,
        8,
        award_period="giai đoạn 2021–2025",
        papers=(
            PaperSpec("48", "Khuyến công Đà Nẵng sau hợp nhất với Quảng Nam: hỗ trợ làng nghề và cụm công nghiệp"),
            PaperSpec("40", "Nghệ An hỗ trợ cơ sở công nghiệp nông thôn chuyển đổi số"),
            PaperSpec("66", "Đắk Lắk hỗ trợ chế biến cà phê đặc sản và hải sản"),
        ),
        recommendations=(DECREE_235_GUIDANCE, COMMUNE_NETWORK),
        summary=(
            "11 tỉnh, thành phố miền Trung – Tây Nguyên sau sắp xếp đơn vị hành chính dự: Thanh Hóa, Nghệ An, Hà "
            "Tĩnh, Quảng Trị, Huế, Đà Nẵng, Quảng Ngãi, Gia Lai, Đắk Lắk, Khánh Hòa, Lâm Đồng; tổng kết công tác "
            "khuyến công giai đoạn 2021–2025 và triển khai giai đoạn 2026–2030; trao cờ đăng cai năm 2026 cho "
            "tỉnh Quảng Trị."
        ),
        new_era=True,
    ),
    ConferenceSpec(
        "central_highlands",
        15,
        D(2026, 12, 17),
        "44",
        "Quảng Trị",
        "Trung tâm Hội nghị tỉnh Quảng Trị",
        None,
        0,
        0,
        0,
        award_type=AwardType.AGENCY,
        new_era=True,
    ),
    # Phía Nam: VI (2015) … XVI (2026); XIV hosted by Kiên Giang (10/10/2024, Phú Quốc) as reported.
    ConferenceSpec(
        "south",
        6,
        D(2015, 8, 27),
        "86",
        "Thành phố Vĩnh Long",
        "Trung tâm Hội nghị tỉnh Vĩnh Long",
        "74",
        150,
        10,
        8,
        award_type=AwardType.AGENCY,
        award_period="năm 2015",
        papers=(
            PaperSpec("86", "Khuyến công Vĩnh Long hỗ trợ làng nghề gạch, gốm"),
            PaperSpec("87", "Đồng Tháp hỗ trợ ứng dụng máy móc trong chế biến nông sản"),
            PaperSpec("96", "Khuyến công tỉnh Cà Mau hỗ trợ chế biến thủy sản"),
        ),
        recommendations=(EARLY_ALLOCATION, PROCEDURES),
    ),
    ConferenceSpec(
        "south",
        7,
        D(2016, 7, 28),
        "74",
        "Thành phố Thủ Dầu Một",
        "Trung tâm Hội nghị và Triển lãm tỉnh Bình Dương",
        "79",
        160,
        23,
        24,
        award_period="giai đoạn 2013–2015",
        papers=SOUTH_7_PAPERS,
        recommendations=(
            COLLABORATOR_PAY,
            SHARED_DATABASE,
            RecommendationSpec(
                "Đề nghị các tỉnh hoàn thiện hồ sơ đề án để ký hợp đồng ngay sau khi kế hoạch được giao, đẩy nhanh "
                "giải ngân; nhiều đề án đến giữa năm chưa đủ hồ sơ ký hợp đồng.",
                Addressee.PROVINCE,
            ),
        ),
        summary="20 tỉnh, thành phố phía Nam dự; tổng kết công tác khuyến công 6 tháng đầu năm 2016, trao Bằng "
        "khen của Bộ trưởng Bộ Công Thương cho 23 tập thể và 24 cá nhân có thành tích giai đoạn 2013–2015, và "
        "trao cờ đăng cai năm 2017 cho Thành phố Hồ Chí Minh.",
    ),
    ConferenceSpec(
        "south",
        8,
        D(2017, 9, 21),
        "79",
        "Thành phố Hồ Chí Minh",
        "Trung tâm Hội nghị Thành phố Hồ Chí Minh",
        "82",
        170,
        10,
        8,
        award_type=AwardType.AGENCY,
        award_period="năm 2017",
        papers=(
            PaperSpec("79", "Khuyến công Thành phố Hồ Chí Minh hỗ trợ doanh nghiệp công nghiệp hỗ trợ"),
            PaperSpec("75", "Đồng Nai phát triển cụm công nghiệp từ nguồn khuyến công"),
            PaperSpec("92", "Cần Thơ hỗ trợ chế biến gạo và nông sản"),
        ),
        recommendations=(DIGITAL_SKILLS, LOCAL_FUNDS),
    ),
    ConferenceSpec(
        "south",
        9,
        D(2018, 8, 23),
        "82",
        "Thành phố Mỹ Tho",
        "Trung tâm Hội nghị tỉnh Tiền Giang",
        "77",
        165,
        9,
        9,
        award_type=AwardType.AGENCY,
        award_period="năm 2018",
        papers=(
            PaperSpec("82", "Tiền Giang hỗ trợ chế biến trái cây sấy"),
            PaperSpec("83", "Khuyến công Bến Tre hỗ trợ các cơ sở chế biến dừa"),
        ),
        recommendations=(TYPICAL_PRODUCTS, VOCATIONAL_TRAINING),
    ),
    ConferenceSpec(
        "south",
        10,
        D(2019, 8, 22),
        "77",
        "Thành phố Vũng Tàu",
        "Trung tâm Hội nghị tỉnh Bà Rịa – Vũng Tàu",
        "92",
        170,
        10,
        8,
        award_type=AwardType.AGENCY,
        award_period="năm 2019",
        papers=(
            PaperSpec("77", "Mạng lưới cộng tác viên khuyến công cấp xã tại Bà Rịa – Vũng Tàu"),
            PaperSpec("91", "Kiên Giang chuẩn bị hội chợ công nghiệp nông thôn khu vực phía Nam tại Phú Quốc"),
        ),
        recommendations=(DIGITAL_SKILLS,),
    ),
    ConferenceSpec(
        "south",
        11,
        D(2020, 10, 29),
        "92",
        "Thành phố Cần Thơ",
        "Trung tâm Hội nghị thành phố Cần Thơ",
        "75",
        165,
        9,
        8,
        award_type=AwardType.AGENCY,
        award_period="năm 2020",
        papers=(
            PaperSpec("92", "Cần Thơ hỗ trợ cơ sở chế biến nông sản ứng dụng máy móc thiết bị"),
            PaperSpec("93", "Khuyến công Hậu Giang hỗ trợ sản xuất sản phẩm OCOP"),
        ),
        recommendations=(DIGITAL_SKILLS, COLLABORATOR_PAY),
    ),
    ConferenceSpec(
        "south",
        12,
        D(2022, 9, 22),
        "75",
        "Thành phố Biên Hòa",
        "Trung tâm Hội nghị tỉnh Đồng Nai",
        "72",
        170,
        10,
        8,
        award_type=AwardType.AGENCY,
        award_period="năm 2022",
        papers=(
            PaperSpec("75", "Đồng Nai di dời cơ sở sản xuất gây ô nhiễm vào cụm công nghiệp"),
            PaperSpec("70", "Khuyến công Bình Phước hỗ trợ chế biến hạt điều"),
        ),
        recommendations=(CLUSTER_INFRASTRUCTURE, LOCAL_FUNDS),
    ),
    ConferenceSpec(
        "south",
        13,
        D(2023, 9, 28),
        "72",
        "Thành phố Tây Ninh",
        "Trung tâm Hội nghị tỉnh Tây Ninh",
        "91",
        170,
        10,
        9,
        award_type=AwardType.AGENCY,
        award_period="năm 2023",
        papers=(
            PaperSpec("72", "Tây Ninh hỗ trợ sản xuất bánh tráng, muối tôm ứng dụng máy móc"),
            PaperSpec("84", "Khuyến công Trà Vinh hỗ trợ chế biến thạch dừa"),
        ),
        recommendations=(PROCEDURES, VOCATIONAL_TRAINING),
    ),
    ConferenceSpec(
        "south",
        14,
        D(2024, 10, 10),
        "91",
        "Thành phố Phú Quốc",
        "Trung tâm Hội nghị thành phố Phú Quốc",
        "96",
        180,
        11,
        9,
        award_type=AwardType.AGENCY,
        award_period="năm 2024",
        papers=(
            PaperSpec(
                "91",
                "Kiên Giang tổ chức hội chợ công nghiệp nông thôn và bình chọn sản phẩm tiêu biểu khu vực phía Nam",
            ),
            PaperSpec("95", "Bạc Liêu hỗ trợ sản xuất muối và chế biến thủy sản"),
        ),
        recommendations=(DIGITAL_SKILLS, COLLABORATOR_PAY),
        next_host_new_era=True,
    ),
    ConferenceSpec(
        "south",
        15,
        D(2025, 10, 23),
        "96",
        "Cà Mau",
        "Trung tâm Hội nghị tỉnh Cà Mau",
        "82",
        140,
        8,
        8,
        award_period="giai đoạn 2021–2025",
        papers=(
            PaperSpec("96", "Khuyến công Cà Mau sau hợp nhất với Bạc Liêu: hỗ trợ chế biến tôm, cua và muối"),
            PaperSpec("79", "Thành phố Hồ Chí Minh thống nhất hoạt động khuyến công trên địa bàn mở rộng"),
        ),
        recommendations=(DECREE_235_GUIDANCE, MERGED_PROVINCES_FUNDS),
        summary=(
            "8 tỉnh, thành phố phía Nam sau sắp xếp đơn vị hành chính dự; tổng kết công tác khuyến công giai "
            "đoạn 2021–2025 và triển khai giai đoạn 2026–2030; trao cờ đăng cai năm 2026 cho tỉnh Đồng Tháp."
        ),
        new_era=True,
    ),
    ConferenceSpec(
        "south",
        16,
        D(2026, 12, 8),
        "82",
        "Đồng Tháp",
        "Trung tâm Hội nghị tỉnh Đồng Tháp",
        None,
        0,
        0,
        0,
        award_type=AwardType.AGENCY,
        new_era=True,
    ),
)


@dataclass(frozen=True)
class ReportedSpec:
    """A figure as the conference's report quoted it (docs/reference/example_*.md)."""

    figure: str  # ReportedFigure.Figure
    value: Decimal
    quoted_as: str
    year: str = ReportedFigure.Year.CURRENT
    fund: str = ReportedFigure.Fund.TOTAL
    indicator: str | None = None  # an output's indicator code


BN = Decimal(10**9)
R, RY, RF = ReportedFigure.Figure, ReportedFigure.Year, ReportedFigure.Fund
NORTH_REPORT = "Báo cáo tại Hội nghị khuyến công các tỉnh phía Bắc lần thứ XII (Việt Trì, 05/10/2017)"
SOUTH_REPORT = "Báo cáo tại Hội nghị khuyến công các tỉnh phía Nam lần thứ VII (Bình Dương, 28/07/2016)"
# What the two published regional reports said, as printed: the 12th northern conference on 2016
# and the 2017 plan (docs/reference/example_north_2017.md), the 7th southern on the first half
# of 2016 (docs/reference/example_south_2016.md).
REPORTED: dict[tuple[str, int], tuple[str, tuple[ReportedSpec, ...]]] = {
    ("north", 12): (
        NORTH_REPORT,
        (
            ReportedSpec(R.ACTUAL, Decimal("123.37") * BN, "trên 123,37 tỷ đồng", RY.PREVIOUS),
            ReportedSpec(R.COMPLETION, Decimal("97.02"), "đạt 97,02 % kế hoạch", RY.PREVIOUS),
            ReportedSpec(R.ACTUAL, Decimal("56.3") * BN, "56,3 tỷ đồng", RY.PREVIOUS, RF.KCQG),
            ReportedSpec(R.COMPLETION, Decimal("99.98"), "đạt 99,98 % kế hoạch", RY.PREVIOUS, RF.KCQG),
            ReportedSpec(R.ACTUAL_SHARE, Decimal("55.37"), "bằng 55,37 % cả nước", RY.PREVIOUS, RF.KCQG),
            ReportedSpec(R.ACTUAL, Decimal("67.1") * BN, "67,1 tỷ đồng", RY.PREVIOUS, RF.KCDP),
            ReportedSpec(R.COMPLETION, Decimal("94.66"), "đạt 94,66 % kế hoạch", RY.PREVIOUS, RF.KCDP),
            ReportedSpec(R.ACTUAL_SHARE, Decimal("54.66"), "bằng 54,66 % cả nước", RY.PREVIOUS, RF.KCDP),
            ReportedSpec(R.ORIGINAL_PLAN, Decimal(128) * BN, "gần 128 tỷ đồng"),
            ReportedSpec(R.PLAN_GROWTH, Decimal("14.64"), "tăng 14,64 % so với kế hoạch năm 2016"),
            ReportedSpec(R.ORIGINAL_PLAN, Decimal("49.8") * BN, "gần 49,8 tỷ đồng", fund=RF.KCQG),
            ReportedSpec(R.PLAN_GROWTH, Decimal("10.84"), "tăng 10,84 %", fund=RF.KCQG),
            ReportedSpec(R.PLAN_SHARE, Decimal("44.71"), "chiếm 44,71 % kế hoạch cả nước", fund=RF.KCQG),
            ReportedSpec(R.ORIGINAL_PLAN, Decimal(78) * BN, "trên 78 tỷ đồng", fund=RF.KCDP),
            ReportedSpec(R.PLAN_GROWTH, Decimal("17.22"), "tăng 17,22 %", fund=RF.KCDP),
            ReportedSpec(R.PLAN_SHARE, Decimal("53.86"), "chiếm 53,86 % kế hoạch cả nước", fund=RF.KCDP),
            ReportedSpec(R.OUTPUT, Decimal(3275), "3.275 lao động", fund="", indicator="trained_workers"),
            ReportedSpec(R.OUTPUT, Decimal(2240), "2.240 học viên", fund="", indicator="management_trainees"),
            ReportedSpec(R.OUTPUT, Decimal(25), "25 mô hình", fund="", indicator="demonstration_models"),
            ReportedSpec(R.OUTPUT, Decimal(750), "750 cơ sở", fund="", indicator="establishments_equipped"),
            ReportedSpec(R.OUTPUT, Decimal(151), "gần 151 lượt cơ sở", fund="", indicator="fair_participations"),
        ),
    ),
    ("south", 7): (
        SOUTH_REPORT,
        (
            ReportedSpec(R.ORIGINAL_PLAN, Decimal("64.3") * BN, "64,3 tỷ đồng", RY.PREVIOUS),
            ReportedSpec(R.ORIGINAL_PLAN, Decimal("65.5") * BN, "trên 65,5 tỷ đồng"),
            ReportedSpec(R.PLAN_GROWTH, Decimal("1.83"), "tăng 1,83 %"),
            ReportedSpec(R.ORIGINAL_PLAN, Decimal("28.6") * BN, "28,6 tỷ đồng", fund=RF.KCQG),
            ReportedSpec(R.PLAN_GROWTH, Decimal("-2.18"), "giảm 2,18 %", fund=RF.KCQG),
            ReportedSpec(R.ORIGINAL_PLAN, Decimal("36.8") * BN, "36,8 tỷ đồng", fund=RF.KCDP),
            ReportedSpec(R.PLAN_GROWTH, Decimal("5.18"), "tăng 5,18 %", fund=RF.KCDP),
            ReportedSpec(R.PLANS_APPROVED, Decimal(20), "20/20 tỉnh, thành phố", fund=RF.KCDP),
            ReportedSpec(R.OUTPUT, Decimal(331), "331 lao động", fund="", indicator="trained_workers"),
            ReportedSpec(
                R.OUTPUT_COMPLETION, Decimal("19.2"), "đạt 19,2 % kế hoạch năm", fund="", indicator="trained_workers"
            ),
            ReportedSpec(R.OUTPUT, Decimal(369), "369 học viên", fund="", indicator="management_trainees"),
            ReportedSpec(R.OUTPUT, Decimal(5), "5 mô hình", fund="", indicator="demonstration_models"),
            ReportedSpec(R.OUTPUT, Decimal(59), "59 cơ sở", fund="", indicator="establishments_equipped"),
            ReportedSpec(R.OUTPUT, Decimal(130), "khoảng 130 lượt cơ sở", fund="", indicator="fair_participations"),
        ),
    ),
}


@dataclass
class LoadResult:
    counts: dict[str, int]


def _rng(*parts: object) -> random.Random:
    return random.Random("|".join(str(part) for part in (SEED, *parts)))


def _person(rng: random.Random, *, titled: bool = False) -> str:
    """A plausible full name; with `titled`, preceded by `ông` or `bà`."""
    male = rng.random() < 0.6
    name = f"{rng.choice(FAMILY_NAMES)} {rng.choice(MALE_NAMES if male else FEMALE_NAMES)}"
    return f"{'ông' if male else 'bà'} {name}" if titled else name


def _place(province: Province) -> str:
    """`tỉnh Long An`, `thành phố Cần Thơ`, `Thành phố Hồ Chí Minh`."""
    if province.name.lower().startswith("thành phố"):
        return province.name
    return f"{'thành phố' if province.kind == Province.Kind.CITY else 'tỉnh'} {province.name}"


class _Builder:
    def __init__(self, as_of: datetime.date):
        self.as_of = as_of
        self.regions = {region.code: region for region in Region.objects.all()}
        provinces = list(Province.objects.select_related("region").order_by("code"))
        self.old = {p.code: p for p in provinces if p.valid_to == LAST_OLD_DAY}
        self.new = {p.code: p for p in provinces if p.valid_from == MERGER_DAY and p.valid_to is None}
        self.centres = {
            centre.province_id: centre.name for centre in ExtensionCentre.objects.filter(province__in=provinces)
        }
        missing = {spec.region for spec in SPECS} - set(self.regions)
        for spec in SPECS:
            era = self.new if spec.new_era else self.old
            codes = {spec.host, *(paper.province for paper in spec.papers)}
            codes |= {item.province for item in spec.recommendations if item.province}
            codes |= set(NEW_ERA_REGIONS[spec.region]) if spec.new_era else set()
            missing |= {f"{code} ({spec.start.year})" for code in codes - set(era)}
            if spec.next_host and spec.next_host not in self.next_era(spec):
                missing.add(f"{spec.next_host} ({spec.start.year + 1})")
        if missing:
            raise DemoDataError(f"Reference data incomplete for the demo conferences: {sorted(missing)}")

    def era(self, spec: ConferenceSpec) -> dict[str, Province]:
        return self.new if spec.new_era else self.old

    def next_era(self, spec: ConferenceSpec) -> dict[str, Province]:
        new = spec.new_era if spec.next_host_new_era is None else spec.next_host_new_era
        return self.new if new else self.old

    def prepared(self, spec: ConferenceSpec) -> bool:
        """Whether the conference still lies ahead on the demo day: planned, not yet held."""
        return spec.start > self.as_of

    def centre(self, province: Province) -> str:
        return self.centres.get(province.pk) or f"Trung tâm Khuyến công {_place(province)}"

    def attending(self, spec: ConferenceSpec) -> list[Province]:
        """The region's provinces in force on the conference's day: the 63-province split of the
        database before the merger, the 2025 groupings (NEW_ERA_REGIONS) after it."""
        if spec.new_era:
            return [self.new[code] for code in NEW_ERA_REGIONS[spec.region]]
        return [province for province in self.old.values() if province.region.code == spec.region]

    def conference(self, spec: ConferenceSpec) -> Conference:
        region = self.regions[spec.region]
        conference = Conference.objects.filter(region=region, edition=spec.edition).first() or Conference(
            region=region, edition=spec.edition
        )
        host = self.era(spec)[spec.host]
        rng = _rng("chairs", spec.region, spec.edition)
        organiser = agency_name_on(spec.start)
        conference.year = spec.start.year
        conference.start_date = spec.start
        conference.end_date = spec.start + datetime.timedelta(days=spec.days - 1)
        conference.host_province = host
        conference.venue = spec.venue
        conference.city = spec.city
        conference.organiser = organiser
        conference.next_host_province = self.next_era(spec)[spec.next_host] if spec.next_host else None
        if self.prepared(spec):
            # Being prepared: the date, the host and the organiser are set; who chairs and how
            # many attend are not known yet, and nothing has been presented or awarded.
            conference.chairs = ""
            conference.attendee_count = None
            conference.summary = spec.summary or (
                f"Hội nghị đang được chuẩn bị, dự kiến tổ chức ngày {spec.start:%d/%m/%Y} tại {_place(host)}: tổng "
                f"kết công tác khuyến công năm {spec.start.year}, triển khai nhiệm vụ năm {spec.start.year + 1}."
            )
        else:
            chair, co_chair = _person(rng, titled=True), _person(rng, titled=True)
            conference.chairs = (
                f"{chair[:1].upper()}{chair[1:]}, Phó Cục trưởng {organiser}; "
                f"{co_chair}, Phó Chủ tịch Ủy ban nhân dân {_place(host)}"
            )
            conference.attendee_count = spec.attendees
            conference.summary = spec.summary or (
                f"Các tỉnh, thành phố khu vực {region.name[:1].lower()}{region.name[1:]} tổng kết công tác khuyến "
                f"công năm {spec.start.year - 1} và {_period_words(spec.start)} năm {spec.start.year}, trao đổi kinh "
                "nghiệm và thống nhất nhiệm vụ những tháng cuối năm."
            )
        return services.conference_save(conference=conference, attending_provinces=self.attending(spec))

    def papers(self, conference: Conference, spec: ConferenceSpec) -> list[Paper]:
        rows = []
        for order, paper in enumerate(spec.papers, start=1):
            province = self.era(spec)[paper.province]
            rng = _rng("paper", spec.region, spec.edition, order)
            organisation = self.centre(province) if paper.unit == "centre" else f"Sở Công Thương {_place(province)}"
            rows.append(
                Paper(
                    conference=conference,
                    order=order,
                    presenter=_person(rng),
                    position=paper.position,
                    organisation=organisation,
                    province=province,
                    title=paper.title,
                    summary=paper.summary,
                )
            )
        return rows

    def recommendations(self, conference: Conference, spec: ConferenceSpec) -> list[Recommendation]:
        rows = []
        for order, item in enumerate(spec.recommendations, start=1):
            province = self.era(spec)[item.province] if item.province else None
            rows.append(
                Recommendation(
                    conference=conference,
                    order=order,
                    raised_by=f"Sở Công Thương {_place(province)}" if province else "Các địa phương trong vùng",
                    province=province,
                    addressed_to=item.addressed_to,
                    addressed_to_other=item.addressed_to_other,
                    text=item.text,
                    status=item.status,
                    response=item.response,
                    resolved_on=item.resolved_on,
                )
            )
        return rows

    def awards(self, conference: Conference, spec: ConferenceSpec) -> list[Award]:
        rng = _rng("awards", spec.region, spec.edition)
        provinces = self.attending(spec)
        reason = f"Đã có thành tích xuất sắc trong công tác khuyến công {spec.award_period}".strip()
        rows = []
        units = []
        for province in provinces:
            units.append((self.centre(province), province))
        for province in provinces:
            units.append((f"Sở Công Thương {_place(province)}", province))
        if not spec.new_era:  # districts were abolished on 01/07/2025
            for province in provinces:
                units.append((f"Phòng Kinh tế – Hạ tầng huyện {rng.choice(DISTRICTS)}, {_place(province)}", province))
        if spec.collectives > len(units):
            raise DemoDataError(f"Too many collective awards for {len(provinces)} provinces: {spec.collectives}.")
        chosen = rng.sample(units[: len(provinces)], min(spec.collectives, len(provinces)))
        if spec.collectives > len(chosen):
            chosen += rng.sample(units[len(provinces) :], spec.collectives - len(chosen))
        chosen.sort(key=lambda unit: (unit[1].code, unit[0]))
        for order, (name, province) in enumerate(chosen, start=1):
            rows.append(
                Award(
                    conference=conference,
                    order=order,
                    award_type=spec.award_type,
                    recipient_kind=RecipientKind.COLLECTIVE,
                    recipient_name=name,
                    province=province,
                    reason=reason,
                )
            )
        for order in range(1, spec.individuals + 1):
            province = provinces[(order * 7 + spec.edition) % len(provinces)]
            position, unit = rng.choice(
                (
                    ("Giám đốc", self.centre(province)),
                    ("Phó Giám đốc", self.centre(province)),
                    ("Trưởng phòng Tư vấn và Chuyển giao công nghệ", self.centre(province)),
                    ("Viên chức", self.centre(province)),
                    ("Phó Giám đốc", f"Sở Công Thương {_place(province)}"),
                    ("Chuyên viên phòng Quản lý công nghiệp", f"Sở Công Thương {_place(province)}"),
                )
            )
            rows.append(
                Award(
                    conference=conference,
                    order=order,
                    award_type=spec.award_type,
                    recipient_kind=RecipientKind.INDIVIDUAL,
                    recipient_name=_person(rng),
                    recipient_detail=f"{position}, {unit}",
                    province=province,
                    reason=reason,
                )
            )
        return rows


DISTRICTS = ("Tân Phú", "Châu Thành", "Phú Tân", "Thống Nhất", "Yên Lạc", "Tam Nông", "Hòa Vang", "Krông Pắc")


def _reported(conference: Conference, spec: ConferenceSpec, indicators: dict) -> list[ReportedFigure]:
    """The figures the conference's report quoted, for the two published reports."""
    source, figures = REPORTED.get((spec.region, spec.edition), ("", ()))
    return [
        ReportedFigure(
            conference=conference,
            order=order,
            figure=figure.figure,
            year=figure.year,
            fund=figure.fund,
            indicator=indicators[figure.indicator] if figure.indicator else None,
            value=figure.value,
            quoted_as=figure.quoted_as,
            source=source,
        )
        for order, figure in enumerate(figures, start=1)
    ]


def _period_words(day: datetime.date) -> str:
    """What part of the year a conference on `day` reviews: `6 tháng đầu`, `9 tháng đầu`."""
    return "9 tháng đầu" if day >= D(day.year, 9, 30) else "6 tháng đầu"


@transaction.atomic
def load() -> LoadResult:
    """Create or update the demo conferences and replace their papers, recommendations and awards.

    Conferences after the demo day (programmes.demo.AS_OF, or today when earlier) are saved as
    being prepared: date, host and attending provinces, no papers, recommendations or awards.
    """
    builder = _Builder(min(AS_OF, timezone.localdate()))
    counts = dict.fromkeys(("conferences", "papers", "recommendations", "awards", "reported_figures"), 0)
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    for spec in SPECS:
        conference = builder.conference(spec)
        Paper.objects.filter(conference=conference).delete()
        Recommendation.objects.filter(conference=conference).delete()
        Award.objects.filter(conference=conference).delete()
        ReportedFigure.objects.filter(conference=conference).delete()
        parts = {"papers": [], "recommendations": [], "awards": [], "reported_figures": []}
        if not builder.prepared(spec):
            parts = {
                "papers": builder.papers(conference, spec),
                "recommendations": builder.recommendations(conference, spec),
                "awards": builder.awards(conference, spec),
                "reported_figures": _reported(conference, spec, indicators),
            }
        for key, rows in parts.items():
            for row in rows:
                row.full_clean()
                row.save()
            counts[key] += len(rows)
        counts["conferences"] += 1
    return LoadResult(counts=counts)
