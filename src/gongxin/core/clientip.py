"""The client's address, the one answer used by the sign-in lockout (django-axes), every rate
limit and the audit log.

Behind nginx every request comes from 127.0.0.1: keyed on ``REMOTE_ADDR``, five anonymous
failures would lock a named officer out for everyone. The proxy appends the address it saw to
``X-Forwarded-For``; that header is believed only when ``REMOTE_ADDR`` is one of
``settings.TRUSTED_PROXIES`` (``GONGXIN_TRUSTED_PROXIES``: addresses or CIDR networks), and then
only from the right: the right-most address that is not itself a trusted proxy is the client.
Anything to the left of it was written by the client and may be forged.

Not django-ipware: it matches trusted proxies by string prefix rather than by network, and
reads several headers a deployment may not control; this rule is the one nginx's
``$proxy_add_x_forwarded_for`` makes true, in a few lines.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values) -> tuple[Network, ...]:
    """``GONGXIN_TRUSTED_PROXIES`` entries as networks (a bare address is a /32 or /128).
    Raises ValueError naming the entry that is neither."""
    networks = []
    for value in values or ():
        try:
            networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network") from None
    return tuple(networks)


@functools.lru_cache(maxsize=4)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _address(value: str | None) -> Address | None:
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def client_ip(request) -> str | None:
    """The address of the client that sent ``request`` (see the module docstring), or None
    when there is no usable address at all."""
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR"))
    if remote is None:
        return None
    networks = trusted_proxies()
    if not networks or not _trusted(remote, networks):
        return str(remote)  # a direct client: whatever it wrote in X-Forwarded-For is ignored
    client = remote
    # Several X-Forwarded-For headers arrive joined by commas, in order.
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break  # not an address: nothing further left can be believed
        client = address
        if not _trusted(address, networks):
            break  # the right-most untrusted address: the client
    return str(client)
