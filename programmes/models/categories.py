"""How the activity contents of one legal text map onto those of another (issue 19, item 4).

Decree 235/2025 (in force 15/10/2025) added contents to the nine of Decree 45/2012 Art. 4:
digital transformation, sustainable production and consumption, support for artisans. Before
it, that work was entered under a 2012 content (cleaner production under the demonstration
models, databases under the programme's capacity, craft transmission by artisans under
vocational training). A mapping row says so: a later content `category` is comparable with the
earlier content `comparable_with`, so that a trend across the change can fold the new contents
back into the 2012 list (selectors.categories.category_figures(comparable=True)).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .reference import ActivityCategory


class CategoryMapping(models.Model):
    """A later content and the earlier content its figures are compared with."""

    category = models.OneToOneField(
        ActivityCategory,
        on_delete=models.CASCADE,
        related_name="mapping",
        verbose_name=_("later content"),
        help_text=_("The content added by the later text (e.g. Decree 235/2025)."),
    )
    comparable_with = models.ForeignKey(
        ActivityCategory,
        on_delete=models.PROTECT,
        related_name="later_contents",
        verbose_name=_("comparable earlier content"),
        help_text=_("The content of the earlier list under which this work was entered before."),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["category__order", "category__code"]
        verbose_name = _("mapping of activity contents")
        verbose_name_plural = _("mappings of activity contents")
        constraints = [
            models.CheckConstraint(
                condition=~Q(category=F("comparable_with")),
                name="categorymapping_not_itself",
                violation_error_message=_("A content cannot be compared with itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category.name} → {self.comparable_with.name}"
