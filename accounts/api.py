"""POST /api/v1/auth/token/: a user name and password for an API token.

The contract older clients rely on: JSON `{"username", "password"}` → `{"token", "expiry"}`,
then `Authorization: Token <token>` on every request until `expiry` (ISO 8601, the portal's
time zone). Wrong credentials answer 400 and count towards the login lockout, as on the login
page; a locked-out user name or address gets 429. Rate-limited per address and per user name.
"""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from common.client_address import client_ip_address

from . import services
from .lockout import lockout_message
from .throttling import TokenAddressThrottle, TokenUserNameThrottle


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("User name"), write_only=True)
    password = serializers.CharField(
        label=_("Password"), write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text=_("Shown only once: it is stored as a digest."))
    expiry = serializers.DateTimeField(read_only=True, allow_null=True)


class LoginLocked(exceptions.APIException):
    """The login lockout's 429 (AxesMiddleware answers the same with accounts.lockout)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked"

    def __init__(self):
        super().__init__(lockout_message())


class TokenObtainApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenAddressThrottle, TokenUserNameThrottle]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description=_("Wrong user name or password.")),
            429: OpenApiResponse(description=_("Too many attempts, or the login is locked out.")),
        },
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Django's request, not REST framework's: django-axes marks it when the login is locked.
        django_request = request._request
        user = authenticate(django_request, **serializer.validated_data)
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                raise LoginLocked()
            raise exceptions.ValidationError({"non_field_errors": [_("Unable to log in with provided credentials.")]})
        instance, token = services.token_issue(user, address=client_ip_address(django_request))
        return Response(TokenSerializer({"token": token, "expiry": instance.expiry}).data)
