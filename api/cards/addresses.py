"""Which addresses the card fetcher may connect to, decided after DNS resolution.

Only public unicast addresses are allowed: loopback, private, link-local, multicast, reserved,
unspecified, shared (CGNAT) and IPv4-mapped or -translated IPv6 addresses are refused, unless the
host name or the address is on the operator's allow-list (`TOOTLOG_CARD_ALLOWED_HOSTS`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Refused(Exception):
    """The fetcher will not connect there; the message is the recorded reason."""


@dataclass(frozen=True)
class AllowList:
    """Host names (exact, case-insensitive) and networks the operator allows anyway."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = field(default_factory=tuple)

    @classmethod
    def parse(cls, raw: str) -> AllowList:
        """From `TOOTLOG_CARD_ALLOWED_HOSTS`: comma-separated host names, addresses or CIDRs."""
        hosts: set[str] = set()
        networks: list[Network] = []
        for item in (part.strip() for part in raw.split(",")):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                hosts.add(item.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def allows_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def allows_address(self, address: Address) -> bool:
        return any(address in network for network in self.networks)


def is_public(address: Address) -> bool:
    """A globally routable unicast address, not an IPv6 wrapper around an IPv4 one."""
    if isinstance(address, ipaddress.IPv6Address) and (
        address.ipv4_mapped is not None
        or address.sixtofour is not None
        or address.teredo is not None
        or address in ipaddress.ip_network("64:ff9b::/96")
        or address in ipaddress.ip_network("64:ff9b:1::/48")
    ):
        return False
    return not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def literal_address(host: str) -> Address | None:
    """The address a URL's host names literally (`127.0.0.1`, `[::1]`), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def resolve(host: str, port: int, allowed: AllowList) -> Address:
    """The address to connect to for `host`: resolved by the system resolver and checked.

    Raises Refused when the name does not resolve or resolves only to refused addresses.
    """
    literal = literal_address(host)
    if literal is not None:
        candidates = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (socket.gaierror, UnicodeError) as error:
            raise Refused(f"cannot resolve {host}") from error
        candidates = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    by_name = literal is None and allowed.allows_host(host)
    for address in candidates:
        if by_name or allowed.allows_address(address) or is_public(address):
            return address
    raise Refused(f"{host} resolves to a refused address ({candidates[0]})")
