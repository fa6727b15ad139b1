"""Seed the reference tables from the project's copies of the reference CSV files.

Regions, the 63 provinces of 2008-08-01…2025-06-30, the 34 provinces from 2025-07-01 (with the
`merged_into` links), the nine activity categories of Decree 45 Art. 4 and the output
indicators. The CSV files in programmes/fixtures/ are the source of truth for this seed.
"""

import csv
import datetime
from pathlib import Path

from django.db import migrations

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

REGIONS = [
    ("north", "Phía Bắc", "North", 1),
    ("central_highlands", "Miền Trung – Tây Nguyên", "Central and Highlands", 2),
    ("south", "Phía Nam", "South", 3),
]
MERGER_DAY = datetime.date(2025, 7, 1)


def _rows(name):
    with open(FIXTURES / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def seed(apps, schema_editor):
    Region = apps.get_model("programmes", "Region")
    Province = apps.get_model("programmes", "Province")
    ActivityCategory = apps.get_model("programmes", "ActivityCategory")
    Indicator = apps.get_model("programmes", "Indicator")

    regions = {}
    for code, name, name_en, order in REGIONS:
        regions[code], _ = Region.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order}
        )

    new_by_code = {}
    for row in _rows("provinces_34.csv"):
        new_by_code[row["code"]], _ = Province.objects.update_or_create(
            code=row["code"],
            valid_from=datetime.date.fromisoformat(row["valid_from"]),
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "region": regions[row["khuyen_cong_region"]],
                "valid_to": None,
            },
        )
    for row in _rows("provinces_63.csv"):
        Province.objects.update_or_create(
            code=row["code"],
            valid_from=datetime.date.fromisoformat(row["valid_from"]),
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "region": regions[row["khuyen_cong_region"]],
                "socio_economic_region": row["socio_economic_region"],
                "valid_to": datetime.date.fromisoformat(row["valid_to"]),
                "merged_into": new_by_code[row["merged_into"]],
            },
        )

    categories = {}
    for row in _rows("activity_categories.csv"):
        categories[row["code"]], _ = ActivityCategory.objects.update_or_create(
            code=row["code"],
            defaults={
                "order": int(row["order"]),
                "name": row["name_vi"],
                "name_en": row["name_en"],
                "legal_basis": row["legal_basis"],
            },
        )
    for order, row in enumerate(_rows("indicators.csv"), start=1):
        Indicator.objects.update_or_create(
            code=row["code"],
            defaults={
                "order": order,
                "name": row["name_vi"],
                "name_en": row["name_en"],
                "unit": row["unit_vi"],
                "unit_en": row["unit_en"],
                "category": categories[row["category"]],
            },
        )


def unseed(apps, schema_editor):
    for model in ("Indicator", "ActivityCategory"):
        apps.get_model("programmes", model).objects.all().delete()
    Province = apps.get_model("programmes", "Province")
    Province.objects.filter(merged_into__isnull=False).delete()
    Province.objects.all().delete()
    apps.get_model("programmes", "Region").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
