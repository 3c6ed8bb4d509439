"""Where the product may send a request: public addresses only, unless an operator allows more.

A webhook URL is user input, so posting to it could reach the server's own network (the app on
127.0.0.1, a metadata service on 169.254.169.254, a database on 10.x). Every outbound request
resolves its host once, refuses loopback, private, link-local, multicast, reserved and
unspecified addresses in whatever spelling the URL used (`2130706433`, `0x7f.1`, `[::1]`,
`::ffff:127.0.0.1`), and then connects to the very address it checked, so a second DNS answer
cannot swap in another one. `OUTBOUND_ALLOW` lists the hosts and networks an operator wants
reachable anyway (an internal CRM, a test receiver).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from bpmn_sales.i18n import _, pgettext

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS = {"http": 80, "https": 443}


class Unreachable(Exception):
    """The URL may not be requested; the message says why."""


class Unresolved(Unreachable):
    """The URL's host cannot be resolved (now: it may be later)."""


@dataclass(frozen=True)
class Target:
    """A checked destination: the host as the URL names it and the address to connect to."""

    scheme: str
    host: str
    port: int
    address: str
    path: str


def is_public(address: IPAddress) -> bool:
    """Whether an address is on the public internet (not one of the server's own networks)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def allowed(host: str, address: IPAddress, allow: Iterable[str]) -> bool:
    """Whether the operator's allow-list names the host or a network holding the address."""
    for entry in allow:
        if entry.lower() == host.lower():
            return True
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if address.version == network.version and address in network:
            return True
    return False


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host stands for (an IP literal in any spelling resolves to itself)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise Unresolved(
            _("the host %(host)s cannot be resolved (%(reason)s)", host=repr(host), reason=exc)
        ) from None
    addresses: list[IPAddress] = []
    for *_info, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Unresolved(_("the host %(host)s has no address", host=repr(host)))
    return addresses


def check(url: str, allow: Iterable[str] = ()) -> Target:
    """The URL's destination, if every address its host resolves to may be reached."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise Unreachable(_("%(url)s is not an http(s) URL with a host", url=repr(url)))
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise Unreachable(_("%(url)s has a port that is not a number", url=repr(url))) from None
    host = parts.hostname
    addresses = resolve(host, port)
    allow = tuple(allow)
    for address in addresses:
        if not is_public(address) and not allowed(host, address, allow):
            raise Unreachable(
                _(
                    "%(host)s is %(kind)s address, not reachable from here (OUTBOUND_ALLOW may "
                    "allow it)",
                    host=host,
                    kind=_kind(address),
                )
                if host == str(address)
                else _(
                    "%(host)s resolves to %(kind)s address (%(address)s), not reachable from here "
                    "(OUTBOUND_ALLOW may allow it)",
                    host=host,
                    kind=_kind(address),
                    address=address,
                )
            )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, port, str(addresses[0]), path)


def refuse_local(url: str, allow: Iterable[str] = ()) -> None:
    """Refuse a URL whose host is an address (or a name) of the server's own networks.

    Used when a URL is configured: a host that does not resolve yet is accepted then (the
    request itself checks again, every time).
    """
    try:
        check(url, allow)
    except Unresolved:
        return


def _kind(address: IPAddress) -> str:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return pgettext("address", "a loopback")
    if address.is_link_local:
        return pgettext("address", "a link-local")
    if address.is_multicast:
        return pgettext("address", "a multicast")
    if address.is_unspecified:
        return pgettext("address", "an unspecified")
    if address.is_private:
        return pgettext("address", "a private")
    return pgettext("address", "a reserved")
