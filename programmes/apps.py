from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from .access import sync_role_groups

    sync_role_groups()


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Industrial extension programme")

    def ready(self) -> None:
        # After migrate has created every model's permissions, give the role groups theirs.
        # Connected for every app (not only this one): apps migrated later add permissions too.
        post_migrate.connect(_sync_roles, dispatch_uid="programmes-sync-role-groups")
