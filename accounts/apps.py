from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Imported for what they register: the project's system checks, the revocation of
        # tokens on a password change or deactivation, the token scheme of the API schema.
        from . import (  # noqa: F401
            checks,  # noqa: F401
            schema,
            signals,
        )
