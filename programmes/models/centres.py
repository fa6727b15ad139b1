"""The provinces' Industrial Extension Centres and their yearly collaborator networks."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..fields import CountField
from .base import ScopedQuerySet, TimeStamped, year_range_check
from .geography import Province


class ExtensionCentre(TimeStamped):
    """A province's Industrial Extension Centre; names vary, so they are free text."""

    province = models.OneToOneField(
        Province, on_delete=models.PROTECT, related_name="centre", verbose_name=_("province")
    )
    name = models.CharField(_("name"), max_length=255)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    email = models.EmailField(_("email"), blank=True)
    director = models.CharField(_("director"), max_length=255, blank=True)

    province_lookup = "province"
    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["province__code", "province__valid_from"]
        verbose_name = _("extension centre")
        verbose_name_plural = _("extension centres")

    def __str__(self) -> str:
        return self.name


class CollaboratorNetwork(models.Model):
    """A centre's collaborator network in one year (district- and commune-level collaborators)."""

    centre = models.ForeignKey(
        ExtensionCentre, on_delete=models.CASCADE, related_name="networks", verbose_name=_("centre")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    district_collaborators = CountField(_("district-level collaborators"), default=0)
    commune_collaborators = CountField(_("commune-level collaborators"), default=0)

    province_lookup = "centre__province"
    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["centre", "-year"]
        verbose_name = _("collaborator network")
        verbose_name_plural = _("collaborator networks")
        constraints = [
            models.UniqueConstraint(fields=["centre", "year"], name="network_centre_year_unique"),
            year_range_check("network"),
        ]

    def __str__(self) -> str:
        return f"{self.centre} – {self.year}"
