import datetime

import pytest
from django.db.models import Count

from programmes.models import ActivityCategory, Indicator, Province, Region

pytestmark = pytest.mark.django_db


def test_migrate_seeds_three_regions_and_both_eras_of_provinces():
    assert list(Region.objects.values_list("code", flat=True)) == ["north", "central_highlands", "south"]
    old = Province.objects.filter(valid_to=datetime.date(2025, 6, 30))
    new = Province.objects.filter(valid_from=datetime.date(2025, 7, 1), valid_to__isnull=True)
    assert old.count() == 63
    assert new.count() == 34
    assert dict(old.values_list("region__code").annotate(n=Count("id"))) == {
        "north": 28,
        "central_highlands": 15,
        "south": 20,
    }
    assert not old.filter(merged_into__isnull=True).exists()
    assert not new.filter(merged_into__isnull=False).exists()


def test_a_reused_code_names_two_provinces_told_apart_by_era():
    assert Province.objects.get(code="15", valid_to__isnull=False).name == "Yên Bái"
    assert Province.objects.get(code="15", valid_to__isnull=True).name == "Lào Cai"


def test_merged_into_links_every_new_province_to_its_predecessors():
    hcmc = Province.objects.get(code="79", valid_to__isnull=True)
    assert sorted(hcmc.predecessors.values_list("name", flat=True)) == [
        "Bà Rịa - Vũng Tàu",
        "Bình Dương",
        "Thành phố Hồ Chí Minh",
    ]
    # New Lâm Đồng takes Bình Thuận from the south: its region is derived, and editable.
    lam_dong = Province.objects.get(code="68", valid_to__isnull=True)
    assert lam_dong.region.code == "central_highlands"
    assert {p.region.code for p in lam_dong.predecessors.all()} == {"central_highlands", "south"}


def test_provinces_in_force_by_day_and_by_year():
    assert Province.objects.active_on(datetime.date(2025, 6, 30)).count() == 63
    assert Province.objects.active_on(datetime.date(2025, 7, 1)).count() == 34
    assert Province.objects.active_in_year(2025).count() == 97
    assert Province.objects.active_in_year(2024).count() == 63
    assert Province.objects.active_in_year(2026).count() == 34


def test_categories_and_indicators_are_seeded_with_units():
    # The nine contents of Decree 45/2012 Art. 4 and the three Decree 235/2025 added (from 15/10/2025).
    assert ActivityCategory.objects.count() == 12
    assert ActivityCategory.objects.filter(valid_from__isnull=True).count() == 9
    assert Indicator.objects.count() == 7
    trained = Indicator.objects.get(code="trained_workers")
    assert (trained.unit, trained.category.code) == ("lao động", "vocational_training")
