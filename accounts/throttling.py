"""Rate limits of the token endpoint, counted in the default cache (shared by every worker).

Two counters, both of which must allow a request: one per client address (the address the
login lockout uses, common.client_address) and one per user name, so that neither many
user names from one address nor one user name from many addresses gets more guesses.
"""

import hashlib

from rest_framework.throttling import SimpleRateThrottle

from common.client_address import client_ip_address


class TokenAddressThrottle(SimpleRateThrottle):
    """DEFAULT_THROTTLE_RATES["token"] requests per client address."""

    scope = "token"

    def get_ident(self, request) -> str:
        """The lockout's client address, instead of DRF's own reading of X-Forwarded-For
        (NUM_PROXIES), which trusts the header whoever sent it."""
        return client_ip_address(request) or ""

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenUserNameThrottle(SimpleRateThrottle):
    """DEFAULT_THROTTLE_RATES["token_username"] requests per user name, whatever the address.

    The name is compared as the login compares it in practice (case and surrounding spaces
    ignored) and hashed, so that the cache key has a fixed length. A request without a user
    name is left to the address limit (None: not counted here).
    """

    scope = "token_username"

    def get_cache_key(self, request, view) -> str | None:
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if not isinstance(username, str) or not username.strip():
            return None
        ident = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}
