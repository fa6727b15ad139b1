"""How money counts in totals, for queries: the kinds of disbursement (a recovery is money
returned and counts negative), the signed amount and the field type of a sum of đồng."""

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

# Sums of whole đồng: two more digits than one amount, so that national totals fit.
MONEY_SUM = models.DecimalField(max_digits=20, decimal_places=0)


def signed_amount_vnd() -> models.Case:
    """A disbursement's amount as it counts in totals, for use in queries: recoveries negative.

    The query-side twin of `Disbursement.signed_amount_vnd`.
    """
    return models.Case(
        models.When(kind=DisbursementKind.RECOVERY, then=-F("amount_vnd")),
        default=F("amount_vnd"),
        output_field=MONEY_SUM,
    )


class DisbursementKind(models.TextChoices):
    ADVANCE = "advance", _("Advance")
    PAYMENT = "payment", _("Payment")
    RECOVERY = "recovery", _("Recovery (money returned)")
