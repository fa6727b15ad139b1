from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from .access import sync_role_groups

    sync_role_groups()


def _install_rollup_triggers(sender, using, **kwargs):
    from django.db import connections

    from .models.rollup import install_triggers

    connection = connections[using]
    if "programmes_disbursementrollup" in connection.introspection.table_names():
        install_triggers(connection)


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Industrial extension programme")

    def ready(self) -> None:
        # After migrate has created every model's permissions, give the role groups theirs.
        # Connected for every app (not only this one): apps migrated later add permissions too.
        post_migrate.connect(_sync_roles, dispatch_uid="programmes-sync-role-groups")
        # SQLite drops a table's triggers when a migration rebuilds the table (most ALTERs do):
        # re-create the figures' triggers after every migrate, so no later migration loses them.
        post_migrate.connect(_install_rollup_triggers, sender=self, dispatch_uid="programmes-rollup-triggers")
