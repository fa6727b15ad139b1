"""The API access token of a user (django-rest-knox's token with the time it was last used).

Only a digest of each token is stored (SHA-512, knox's `digest`), with its first characters
(`token_key`) to find it: the token itself is shown once, when it is issued.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """A token issued by POST /api/v1/auth/token/; `expiry` is None only for tokens made by hand."""

    # Redeclared from knox's abstract model for their Vietnamese labels; knox reads the tokens of
    # a user through `auth_token_set`, so the related name stays.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auth_token_set", verbose_name=_("owner")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expiry = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API access token")
        verbose_name_plural = _("API access tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.token_key[:8]}… ({self.user})"
