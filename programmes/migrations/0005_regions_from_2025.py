"""The khuyến công regions of the 34 provinces from 1 July 2025: 15 north, 11 central & highlands, 8 south.

Thanh Hóa, Nghệ An and Hà Tĩnh met with the northern provinces before the merger; since it they
meet with the centre (the 14th central & highlands conference, Đà Nẵng, 04/12/2025, gathered 11
provinces). The old-era rows keep their regions: a year before the merger is reported as it was.
`fixtures/provinces_34.csv` carries the same regions for new databases; this sets them on
databases seeded before. Regions stay editable data: reversing restores the earlier grouping.
"""

import datetime

from django.db import migrations

MERGER_DAY = datetime.date(2025, 7, 1)
MOVED = ("38", "40", "42")


def _move(apps, to_region: str) -> None:
    Province = apps.get_model("programmes", "Province")
    Region = apps.get_model("programmes", "Region")
    region = Region.objects.filter(code=to_region).first()
    if region is None:  # a database without the reference regions: nothing to move
        return
    Province.objects.filter(code__in=MOVED, valid_from=MERGER_DAY).update(region=region)


def forward(apps, schema_editor):
    _move(apps, "central_highlands")


def backward(apps, schema_editor):
    _move(apps, "north")


class Migration(migrations.Migration):
    dependencies = [("programmes", "0004_history_reasons_in_full")]

    operations = [migrations.RunPython(forward, backward)]
