"""Address checks: private, loopback, link-local, multicast, reserved and unspecified refused."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from crawler.errors import RefusedAddress
from crawler.netguard import NetworkPolicy, safe_address


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "private"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
    ids=lambda value: str(value),
)
def test_address_kinds(address: str, kind: str | None) -> None:
    assert NetworkPolicy().unsafe_kind(ipaddress.ip_address(address)) == kind


def test_allow_networks_admits_only_what_it_names() -> None:
    policy = NetworkPolicy.from_cidrs(["127.0.0.0/8"])
    assert policy.unsafe_kind(ipaddress.ip_address("127.0.0.5")) is None
    assert policy.unsafe_kind(ipaddress.ip_address("10.0.0.1")) == "private"


def test_names_are_resolved_and_checked() -> None:
    with pytest.raises(RefusedAddress, match="is loopback"):
        asyncio.run(safe_address(NetworkPolicy(), "localhost", 80, "http://localhost/"))
