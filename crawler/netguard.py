"""Network safety: resolve every host ourselves and refuse addresses that are not public.

A URL in a feed can name `localhost`, a cloud metadata address or a router; fetching it
would let anyone who can publish a feed make the crawler probe our own network. Every hop
is resolved here, checked, and then connected to by address (see `crawler.fetch`), so a
second DNS answer cannot swap in a private address after the check (DNS rebinding).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from crawler.errors import RefusedAddress, UnresolvableHost

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Checked in this order; the first that matches names the refusal.
UNSAFE_KINDS = (
    ("unspecified", "is_unspecified"),
    ("loopback", "is_loopback"),
    ("link-local", "is_link_local"),
    ("multicast", "is_multicast"),
    ("private", "is_private"),
    ("reserved", "is_reserved"),
)


@dataclass(frozen=True)
class NetworkPolicy:
    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_cidrs(cls, cidrs: Iterable[str]) -> NetworkPolicy:
        return cls(tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs))

    def unsafe_kind(self, address: IPAddress) -> str | None:
        """Why the address is refused, or None when it may be contacted."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if any(address in network for network in self.allowed):
            return None
        for kind, attribute in UNSAFE_KINDS:
            if getattr(address, attribute):
                return kind
        return None

    def check(self, url: str, address: IPAddress) -> None:
        kind = self.unsafe_kind(address)
        if kind is not None:
            raise RefusedAddress(url, f"{address} is {kind} and not inside crawl.allow_networks")


async def resolve(host: str, port: int, url: str) -> list[IPAddress]:
    """Every address the host resolves to, IP literals included, without connecting."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnresolvableHost(url, f"cannot resolve {host}: {error}") from error
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    return list(dict.fromkeys(addresses))


async def safe_address(policy: NetworkPolicy, host: str, port: int, url: str) -> IPAddress:
    """The address to connect to; refused if any address the name has is unsafe."""
    addresses = await resolve(host, port, url)
    if not addresses:
        raise UnresolvableHost(url, f"{host} has no address")
    for address in addresses:
        policy.check(url, address)
    return addresses[0]
