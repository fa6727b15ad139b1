"""The API's token authentication: django-rest-knox's, with the time of the last use.

`Authorization: Token <token>`; knox finds the token by its first characters, compares the
SHA-512 digest, and deletes expired tokens of the owner as it goes.
"""

from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from . import services


class ApiTokenAuthentication(TokenAuthentication):
    def validate_user(self, auth_token):
        """The token's owner, if the account is active; the use is recorded (once a minute).

        An inactive owner gets the same answer as a wrong token: tokens are deleted when an
        account is deactivated, so this only covers tokens made some other way.
        """
        if not auth_token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        services.token_used(auth_token)
        return auth_token.user, auth_token
