"""One maximum amount, one comparison, whatever the door (issue 16, item 1): the forms, the
model (so every service and the API), and the import accept MAX_AMOUNT_VND and refuse one đồng
more, with the same message."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework.test import APIClient

from common.forms import WholeNumberFormField
from common.numbers import MAX_AMOUNT_VND, exceeds_max_amount
from programmes import importer, services
from programmes.models import ApprovalStatus, BudgetPlan
from tests import factories

LIMIT = Decimal(MAX_AMOUNT_VND)
TOO_MUCH = LIMIT + 1
MESSAGE = "Số tiền lớn hơn 1.000.000.000.000.000 đ. Hãy kiểm tra lại số chữ số 0."


def test_the_one_comparison():
    assert not exceeds_max_amount(LIMIT)
    assert exceeds_max_amount(TOO_MUCH)


def test_the_form_field():
    field = WholeNumberFormField()
    with translation.override("vi"):
        assert field.clean("1.000.000.000.000.000") == LIMIT
        with pytest.raises(ValidationError) as refused:
            field.clean("1.000.000.000.000.001")
    assert refused.value.messages == [MESSAGE]


@pytest.mark.django_db
def test_the_model_and_so_every_service():
    plan = BudgetPlan(province=factories.province("79"), year=2025, funding_source="KCQG", planned_vnd=TOO_MUCH)
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        services.budget_plan_save(plan=plan)
    assert refused.value.message_dict == {"planned_vnd": [MESSAGE]}
    plan.planned_vnd = LIMIT
    services.budget_plan_save(plan=plan)
    assert BudgetPlan.objects.get().planned_vnd == LIMIT


@pytest.mark.django_db
def test_the_api_refuses_what_the_form_refuses():
    province = factories.province("79", new_era=True)
    client = APIClient()
    client.force_login(factories.member("province_staff", province))
    body = {"province": province.pk, "year": 2026, "funding_source": "KCQG", "planned_vnd": str(10**17)}

    response = client.post("/api/v1/budget-plans/", body, format="json", HTTP_ACCEPT_LANGUAGE="vi")

    assert response.status_code == 400
    assert response.json()["planned_vnd"] == [MESSAGE]
    assert not BudgetPlan.objects.exists()
    body["planned_vnd"] = str(MAX_AMOUNT_VND)
    assert client.post("/api/v1/budget-plans/", body, format="json").status_code == 201
    assert BudgetPlan.objects.get().status == ApprovalStatus.DRAFT


def test_the_import_accepts_the_maximum_and_refuses_one_dong_more():
    assert importer._whole(MAX_AMOUNT_VND) == LIMIT
    with pytest.raises(importer._CellProblem):
        importer._whole(MAX_AMOUNT_VND + 1)
