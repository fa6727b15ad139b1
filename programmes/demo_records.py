"""The demo's wider records: establishments named by the demo projects' beneficiaries (linked
to them), and the typical-products selection of 2024 — the northern regional round with its
218 provincial products entered and 126 recognised, each entry carrying the provincial
certificate it needs, each provincial entry the district certificate it needs; the central
& highlands and southern regional rounds with the figures their reports published, so that
all regions give 889 entered and 439 recognised (south 382 → 189).

Idempotent: everything it wrote before (marked by DEMO_NOTE) is removed first.
"""

import datetime
import random
from decimal import Decimal

from .models import (
    BeneficiaryKind,
    Establishment,
    FiveYearProgramme,
    Indicator,
    LegalForm,
    ProductCertificate,
    ProductEntry,
    ProductGroup,
    ProgrammeLevel,
    ProgrammeTarget,
    Project,
    ProjectBeneficiary,
    Province,
    Region,
    SelectionLevel,
    SelectionRound,
    TargetKind,
)
from .rules import records
from .services import beneficiaries_link_by_name

DEMO_NOTE = "Dữ liệu minh họa (demo)."
YEAR = 2024
# The 2024 regional rounds as their reports gave them (docs/reference/domain.md, December 2026).
REGIONAL_2024 = {"north": (218, 126), "central_highlands": (289, 124), "south": (382, 189)}
LEGAL_FORMS = {
    BeneficiaryKind.SME: LegalForm.ENTERPRISE,
    BeneficiaryKind.COOPERATIVE: LegalForm.COOPERATIVE,
    BeneficiaryKind.HOUSEHOLD: LegalForm.HOUSEHOLD,
    BeneficiaryKind.CRAFT_VILLAGE: LegalForm.CRAFT_VILLAGE,
}
LINKED_PER_PROVINCE = 3
PRODUCTS = {
    ProductGroup.HANDICRAFTS: ("Bình gốm men rạn", "Giỏ mây tre đan", "Tranh sơn mài", "Khay gỗ khảm trai"),
    ProductGroup.PROCESSING: ("Chè búp khô", "Miến dong", "Nước mắm cốt", "Mật ong rừng"),
    ProductGroup.MACHINERY: ("Máy tuốt lúa mini", "Máy sấy nông sản", "Lưỡi cày rèn"),
    ProductGroup.OTHER: ("Chổi đót", "Hương trầm", "Gạch gốm trang trí"),
}
GROUPS = list(PRODUCTS)
DISTRICT_DAY = datetime.date(YEAR, 3, 20)
PROVINCE_DAY = datetime.date(YEAR, 6, 18)
REGION_DAY = datetime.date(YEAR, 10, 24)


def _clear() -> None:
    """Remove the demo's records of an earlier load, the highest rounds' entries first (their
    certificates of the level below are protected while entries rely on them)."""
    rounds = SelectionRound.objects.filter(notes=DEMO_NOTE)
    for level in (SelectionLevel.NATION, SelectionLevel.REGION, SelectionLevel.PROVINCE, SelectionLevel.DISTRICT):
        entries = ProductEntry.objects.filter(round__in=rounds.filter(level=level))
        ProductCertificate.objects.filter(entry__in=entries).delete()
        entries.delete()
    rounds.delete()
    demo = Establishment.objects.filter(notes=DEMO_NOTE)
    ProjectBeneficiary.objects.filter(establishment__in=demo).delete()
    demo.delete()


def _register_day(province: Province) -> datetime.date:
    return max(province.valid_from, datetime.date(2016, 1, 4))


def _linked_establishments() -> list[Establishment]:
    """Establishments named by a sample of the demo projects' beneficiaries, a few per province."""
    chosen: dict[tuple[int, str], Establishment] = {}
    per_province: dict[int, int] = {}
    projects = Project.objects.filter(beneficiary_kind__in=list(LEGAL_FORMS)).exclude(beneficiary_name="")
    for project in projects.select_related("province").order_by("province__code", "year", "code"):
        key = (project.province_id, project.beneficiary_name)
        if key in chosen or per_province.get(project.province_id, 0) >= LINKED_PER_PROVINCE:
            continue
        per_province[project.province_id] = per_province.get(project.province_id, 0) + 1
        chosen[key] = Establishment(
            name=project.beneficiary_name,
            legal_form=LEGAL_FORMS[project.beneficiary_kind],
            province=project.province,
            registered_on=_register_day(project.province),
            notes=DEMO_NOTE,
        )
    return Establishment.objects.bulk_create(list(chosen.values()), batch_size=500)


def _certificate(entry: ProductEntry, number: str, issued_on: datetime.date) -> ProductCertificate:
    return ProductCertificate(
        entry=entry, number=number, issued_on=issued_on, valid_to=records.certificate_valid_to(issued_on)
    )


def _northern_round(rng: random.Random) -> SelectionRound:
    """The northern regional round of 2024 and the district and provincial rounds that qualified
    its 218 products (126 recognised); each lower entry recognised and certified."""
    north = Region.objects.get(code="north")
    entered, recognised = REGIONAL_2024["north"]
    provinces = list(Province.objects.in_force_on(REGION_DAY).filter(region=north).order_by("code"))
    shares = [entered // len(provinces) + (1 if i < entered % len(provinces) else 0) for i in range(len(provinces))]
    regional = SelectionRound.objects.create(
        level=SelectionLevel.REGION,
        year=YEAR,
        region=north,
        held_on=REGION_DAY,
        decision_number=f"1520/QĐ-CTĐP-{YEAR}",
        decided_on=REGION_DAY + datetime.timedelta(days=14),
        reported_entered=entered,
        reported_recognised=recognised,
        notes=DEMO_NOTE,
    )
    establishments, lower = [], []
    for province, share in zip(provinces, shares, strict=True):
        district = SelectionRound(
            level=SelectionLevel.DISTRICT,
            year=YEAR,
            province=province,
            commune=f"Các huyện tỉnh {province.name}",
            held_on=DISTRICT_DAY,
            decision_number=f"{province.code}/QĐ-UBND-H-{YEAR}",
            notes=DEMO_NOTE,
        )
        provincial = SelectionRound(
            level=SelectionLevel.PROVINCE,
            year=YEAR,
            province=province,
            held_on=PROVINCE_DAY,
            decision_number=f"{province.code}/QĐ-UBND-{YEAR}",
            decided_on=PROVINCE_DAY + datetime.timedelta(days=10),
            notes=DEMO_NOTE,
        )
        lower.append((province, share, district, provincial))
    SelectionRound.objects.bulk_create([r for _p, _s, district, provincial in lower for r in (district, provincial)])
    plan = []
    for province, share, district, provincial in lower:
        for index in range(share):
            group = GROUPS[(index + province.pk) % len(GROUPS)]
            product = rng.choice(PRODUCTS[group])
            establishment = Establishment(
                name=f"Cơ sở {product.lower()} {province.name} số {index + 1}",
                legal_form=rng.choice((LegalForm.ENTERPRISE, LegalForm.COOPERATIVE, LegalForm.HOUSEHOLD)),
                province=province,
                sector=product.lower(),
                women_owned=rng.random() < 0.3,
                ethnic_minority_owned=rng.random() < 0.15,
                registered_on=_register_day(province),
                notes=DEMO_NOTE,
            )
            establishments.append(establishment)
            plan.append((establishment, product, group, district, provincial))
    Establishment.objects.bulk_create(establishments, batch_size=500)

    def score(low: int, high: int) -> Decimal:
        return Decimal(rng.randint(low * 10, high * 10)) / 10

    district_entries = [
        ProductEntry(round=d, establishment=e, product_name=p, group=g, average_score=score(72, 95))
        for e, p, g, d, _pr in plan
    ]
    ProductEntry.objects.bulk_create(district_entries, batch_size=500)
    district_certificates = [
        _certificate(entry, f"H-{entry.round.province.code}-{n:03d}", DISTRICT_DAY + datetime.timedelta(days=12))
        for n, entry in enumerate(district_entries, start=1)
    ]
    ProductCertificate.objects.bulk_create(district_certificates, batch_size=500)
    province_entries = [
        ProductEntry(
            round=pr, establishment=e, product_name=p, group=g, average_score=score(74, 96), qualifying_certificate=c
        )
        for (e, p, g, _d, pr), c in zip(plan, district_certificates, strict=True)
    ]
    ProductEntry.objects.bulk_create(province_entries, batch_size=500)
    province_certificates = [
        _certificate(entry, f"T-{entry.round.province.code}-{n:03d}", PROVINCE_DAY + datetime.timedelta(days=10))
        for n, entry in enumerate(province_entries, start=1)
    ]
    ProductCertificate.objects.bulk_create(province_certificates, batch_size=500)
    winners = set(rng.sample(range(entered), recognised))
    regional_entries = [
        ProductEntry(
            round=regional,
            establishment=e,
            product_name=p,
            group=g,
            average_score=score(70, 92) if n in winners else score(52, 69),
            qualifying_certificate=c,
        )
        for n, ((e, p, g, _d, _pr), c) in enumerate(zip(plan, province_certificates, strict=True))
    ]
    ProductEntry.objects.bulk_create(regional_entries, batch_size=500)
    issued = regional.decided_on
    ProductCertificate.objects.bulk_create(
        [
            _certificate(entry, f"KV-BAC-{YEAR}-{n:03d}", issued)
            for n, entry in enumerate((e for e in regional_entries if records.is_recognised(e.average_score)), 1)
        ],
        batch_size=500,
    )
    return regional


def _reported_rounds() -> list[SelectionRound]:
    """The central & highlands and southern regional rounds of 2024, with their published figures."""
    rounds = []
    for code in ("central_highlands", "south"):
        entered, recognised = REGIONAL_2024[code]
        rounds.append(
            SelectionRound(
                level=SelectionLevel.REGION,
                year=YEAR,
                region=Region.objects.get(code=code),
                held_on=REGION_DAY,
                reported_entered=entered,
                reported_recognised=recognised,
                notes=DEMO_NOTE,
            )
        )
    return SelectionRound.objects.bulk_create(rounds)


# The national programmes (docs/reference/domain.md): QĐ 1881/QĐ-TTg's targets as reported
# (◐), linked to an output indicator where one measures the same thing; QĐ 2646/QĐ-BCT's
# targets were not found, so the 2026–2030 programme has none. The provincial programme is an
# illustration of the outcome targets local programmes add (revenue +20 %, material use −15 %).
NATIONAL_2021_TARGETS = (
    ("Lao động nông thôn được đào tạo nghề", 10_000, "trained_workers"),
    ("Mô hình trình diễn kỹ thuật", 340, "demonstration_models"),
    ("Máy móc thiết bị tiên tiến được hỗ trợ", 1_600, None),
    ("Dây chuyền công nghệ được hỗ trợ", 300, None),
    ("Nhãn hiệu sản phẩm được hỗ trợ", 350, None),
    ("Cụm công nghiệp được hỗ trợ lập quy hoạch chi tiết", 50, None),
)
PROVINCE_OUTCOMES = (
    ("Doanh thu của cơ sở được hỗ trợ tăng", Decimal(20)),
    ("Tiêu hao nguyên vật liệu giảm", Decimal(-15)),
)


def _programmes() -> int:
    """The demo's five-year programmes (marked by DEMO_NOTE); how many."""
    FiveYearProgramme.objects.filter(notes=DEMO_NOTE).delete()
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    national = FiveYearProgramme.objects.create(
        level=ProgrammeLevel.NATIONAL,
        start_year=2021,
        end_year=2025,
        title="Chương trình khuyến công quốc gia",
        decision_number="1881/QĐ-TTg",
        decided_on=datetime.date(2020, 11, 20),
        decided_by="Thủ tướng Chính phủ",
        notes=DEMO_NOTE,
    )
    for order, (name, value, code) in enumerate(NATIONAL_2021_TARGETS, start=1):
        indicator = indicators.get(code) if code else None
        ProgrammeTarget.objects.create(
            programme=national,
            order=order,
            name=name,
            value=Decimal(value),
            unit=indicator.unit if indicator else "",
            indicator=indicator,
        )
    FiveYearProgramme.objects.create(
        level=ProgrammeLevel.NATIONAL,
        start_year=2026,
        end_year=2030,
        title="Chương trình khuyến công quốc gia",
        decision_number="2646/QĐ-BCT",
        decided_on=datetime.date(2025, 9, 23),
        decided_by="Bộ trưởng Bộ Công Thương",
        notes=DEMO_NOTE,
    )
    province = Province.objects.filter(code="79", valid_to__isnull=True).first()
    if province is not None:
        local = FiveYearProgramme.objects.create(
            level=ProgrammeLevel.PROVINCIAL,
            province=province,
            start_year=2026,
            end_year=2030,
            title=f"Chương trình khuyến công {province.name} (minh họa)",
            decision_number="Minh họa/QĐ-UBND",
            decided_on=datetime.date(2025, 12, 15),
            decided_by=f"UBND {province.name}",
            notes=DEMO_NOTE,
        )
        trained = indicators.get("trained_workers")
        ProgrammeTarget.objects.create(
            programme=local, order=1, name="Lao động nông thôn được đào tạo nghề", value=Decimal(1_500),
            unit=trained.unit if trained else "", indicator=trained,
        )  # fmt: skip
        for order, (name, value) in enumerate(PROVINCE_OUTCOMES, start=2):
            ProgrammeTarget.objects.create(
                programme=local, order=order, kind=TargetKind.PERCENT, name=name, value=value, unit="%"
            )
    return FiveYearProgramme.objects.filter(notes=DEMO_NOTE).count()


def load() -> dict[str, int]:
    """Write the demo's wider records (see the module); the counts written, by kind."""
    _clear()
    rng = random.Random(f"records-{YEAR}")
    linked = _linked_establishments()
    links = beneficiaries_link_by_name(establishments=Establishment.objects.filter(pk__in=[e.pk for e in linked]))
    _northern_round(rng)
    _reported_rounds()
    return {
        "establishments": Establishment.objects.filter(notes=DEMO_NOTE).count(),
        "beneficiaries": links,
        "product_rounds": SelectionRound.objects.filter(notes=DEMO_NOTE).count(),
        "product_entries": ProductEntry.objects.filter(round__notes=DEMO_NOTE).count(),
        "product_certificates": ProductCertificate.objects.filter(entry__round__notes=DEMO_NOTE).count(),
        "five_year_programmes": _programmes(),
    }
