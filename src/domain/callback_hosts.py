"""The operator's allow-list of webhook callback hosts, and which addresses a callback may reach.

A callback URL names a host; the host must be on the list (by name, a
``*.example.com`` subdomain pattern, an IP address or a CIDR network). When the
webhook is sent, every address the host resolves to must be public, unless an IP
or network entry of the list covers it: loopback, private, link-local, shared,
multicast, reserved and unspecified addresses (and the IPv6 forms that stand for
such an IPv4 address: IPv4-mapped, NAT64, 6to4) are never reached just because a name pointed there.
"""

import ipaddress
from dataclasses import dataclass

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class InvalidAllowListEntry(ValueError):
    """An entry of the allow-list that is neither a host name, an address nor a network."""


def _is_hostname(text: str) -> bool:
    labels = text.split(".")
    return all(
        0 < len(label) <= 63
        and label.replace("-", "").isalnum()
        and label.isascii()
        and not label.startswith("-")
        and not label.endswith("-")
        for label in labels
    )


def parse_address(text: str) -> IpAddress | None:
    """``text`` as an IP address (brackets and an IPv6 zone dropped), else ``None``."""
    try:
        return ipaddress.ip_address(text.strip("[]").partition("%")[0])
    except ValueError:
        return None


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _unmapped(address: IpAddress) -> IpAddress:
    """The IPv4 address an IPv6 one stands for (IPv4-mapped, NAT64, 6to4), else itself."""
    if not isinstance(address, ipaddress.IPv6Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour or address


def is_public(address: IpAddress) -> bool:
    """Whether ``address`` is a public unicast address (IPv4-mapped ones judged as IPv4)."""
    address = _unmapped(address)
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


@dataclass(frozen=True, slots=True)
class CallbackAllowList:
    """The hosts a ``callbackUrl`` may name, and the non-public addresses it may reach."""

    names: frozenset[str]
    """Exact host names, lower case, without a trailing dot."""
    suffixes: frozenset[str]
    """From ``*.example.com``: ``.example.com`` (any subdomain, not the bare domain)."""
    networks: tuple[IpNetwork, ...]
    """Addresses and networks (an address is a network of one)."""

    @classmethod
    def parse(cls, entries: list[str]) -> "CallbackAllowList":
        """The list from its entries; ``InvalidAllowListEntry`` names a bad one."""
        names: set[str] = set()
        suffixes: set[str] = set()
        networks: list[IpNetwork] = []
        for raw in entries:
            entry = raw.strip().lower().rstrip(".")
            if not entry:
                raise InvalidAllowListEntry("an entry is empty")
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            if entry.startswith("*.") and _is_hostname(entry[2:]):
                suffixes.add(entry[1:])
            elif _is_hostname(entry):
                names.add(entry)
            else:
                raise InvalidAllowListEntry(f"'{raw.strip()}' is not a host, address or network")
        return cls(frozenset(names), frozenset(suffixes), tuple(networks))

    def allows_host(self, host: str) -> bool:
        """Whether a URL may name ``host`` (a name, or an address literal)."""
        address = parse_address(host)
        if address is not None:
            return self.covers(address)
        name = host.lower().rstrip(".")
        return name in self.names or any(name.endswith(suffix) for suffix in self.suffixes)

    def covers(self, address: IpAddress) -> bool:
        """Whether an address or network entry holds ``address`` (or its IPv4 form)."""
        candidates = {address, _unmapped(address)}
        return any(
            candidate.version == network.version and candidate in network
            for network in self.networks
            for candidate in candidates
        )

    def may_reach(self, address: IpAddress) -> bool:
        """A resolved address may be connected to: public, or covered by an entry."""
        return is_public(address) or self.covers(address)
