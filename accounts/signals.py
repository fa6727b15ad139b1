"""A user's API tokens are revoked when the password changes or the account is deactivated.

Django has no "password changed" signal: every change (the admin's form, `changepassword`, a
password reset, set_unusable_password) ends in a save of the user with a new password hash, so
the save is compared with the row it replaces. Bulk `QuerySet.update()` sends no signal and is
not covered; the portal makes no such update of users.
"""

from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from . import services

CREDENTIAL_FIELDS = {"password", "is_active"}


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts-note-credential-change")
def _note_credential_change(sender, instance, raw=False, update_fields=None, **kwargs):
    """Mark the user whose password changes or who is deactivated by this save.

    One query (the stored password and is_active) for a save of an existing user that may
    change them; none for a new user, a fixture, or a save of other fields only (the login's
    update of last_login).
    """
    instance._revoke_api_tokens = False
    if raw or instance.pk is None or (update_fields is not None and not CREDENTIAL_FIELDS & set(update_fields)):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is not None:
        instance._revoke_api_tokens = stored["password"] != instance.password or (
            stored["is_active"] and not instance.is_active
        )


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts-revoke-tokens")
def _revoke_tokens(sender, instance, **kwargs):
    if getattr(instance, "_revoke_api_tokens", False):
        services.tokens_revoke_all(instance)
        instance._revoke_api_tokens = False
