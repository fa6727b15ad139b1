"""The client's address: one function for the login lockout (django-axes) and the API's rate
limits (Django REST framework's throttles), so that both count the same client.

Behind reverse proxies that append the address they saw to X-Forwarded-For (nginx:
`proxy_add_x_forwarded_for`), settings.PROXY_COUNT says how many there are and the client is
the address the outermost of them saw. The header is read only when the connection itself comes
from one of settings.TRUSTED_PROXIES: anyone who reaches gunicorn directly, past the proxy,
could otherwise write any address there and get a fresh lockout and rate limit with each
request. With PROXY_COUNT 0 the header is never read.
"""

import functools
import ipaddress

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None


def is_trusted_proxy(remote_addr: str | None) -> bool:
    """Whether the connection's address is one of settings.TRUSTED_PROXIES (False when not an address)."""
    address = _address(remote_addr)
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or when REMOTE_ADDR is a trusted proxy the address the
    outermost of PROXY_COUNT proxies saw.

    Falls back to REMOTE_ADDR when the header is missing or its entry is not an address; None
    only when the request has no REMOTE_ADDR at all (never under gunicorn).
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    if not settings.PROXY_COUNT or not is_trusted_proxy(remote_addr):
        return remote_addr
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote_addr
    # Each proxy appends on the right, so only the last PROXY_COUNT entries are trustworthy;
    # with fewer entries than proxies, the leftmost was still written by one of them.
    candidate = _address(forwarded[-min(settings.PROXY_COUNT, len(forwarded))])
    return str(candidate) if candidate is not None else remote_addr
