"""The SSRF guard: a callback connects only to checked addresses, and to nothing else."""

from collections.abc import Iterable

import httpcore
import pytest

from adapters.webhooks.guarded_network import CallbackAddressRefused, GuardedNetworkBackend
from domain.callback_hosts import CallbackAllowList


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Connects nowhere: records the addresses it was asked for; fails for ``down``."""

    def __init__(self, down: Iterable[str] = ()) -> None:
        self.connected: list[str] = []
        self.down = set(down)

    async def connect_tcp(  # type: ignore[override]
        self, host: str, port: int, **_: object
    ) -> httpcore.AsyncNetworkStream:
        self.connected.append(host)
        if host in self.down:
            raise httpcore.ConnectError(f"{host} refused")
        return httpcore.AsyncNetworkStream()


def resolving(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> list[str]:
        return table[host]

    return resolve


def guard(
    entries: list[str], table: dict[str, list[str]] | None = None
) -> tuple[GuardedNetworkBackend, RecordingBackend]:
    inner = RecordingBackend()
    backend = GuardedNetworkBackend(
        CallbackAllowList.parse(entries), resolving(table or {}), inner=inner
    )
    return backend, inner


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.20.30.40", "169.254.169.254", "::1", "::ffff:127.0.0.1"]
)
async def test_a_non_public_address_literal_is_refused(address: str) -> None:
    backend, inner = guard(["example.com"])
    with pytest.raises(CallbackAddressRefused, match=f"callback address {address} is not allowed"):
        await backend.connect_tcp(address, 443)
    assert inner.connected == []


async def test_a_name_resolving_to_loopback_is_refused() -> None:
    backend, inner = guard(["hooks.example.com"], {"hooks.example.com": ["127.0.0.1"]})
    with pytest.raises(CallbackAddressRefused, match=r"127\.0\.0\.1"):
        await backend.connect_tcp("hooks.example.com", 443)
    assert inner.connected == []


async def test_one_private_answer_among_public_ones_refuses_them_all() -> None:
    table = {"hooks.example.com": ["93.184.215.14", "10.0.0.7"]}
    backend, inner = guard(["hooks.example.com"], table)
    with pytest.raises(CallbackAddressRefused, match=r"10\.0\.0\.7"):
        await backend.connect_tcp("hooks.example.com", 443)
    assert inner.connected == []


async def test_a_listed_network_lets_a_name_reach_its_private_address() -> None:
    table = {"hooks.internal": ["10.9.8.7"]}
    backend, inner = guard(["hooks.internal", "10.0.0.0/8"], table)
    await backend.connect_tcp("hooks.internal", 8080)
    assert inner.connected == ["10.9.8.7"]


async def test_the_connection_goes_to_the_checked_address_not_to_the_name() -> None:
    backend, inner = guard(["hooks.example.com"], {"hooks.example.com": ["93.184.215.14"]})
    await backend.connect_tcp("hooks.example.com", 443)
    assert inner.connected == ["93.184.215.14"]


async def test_the_next_checked_address_is_tried_when_one_does_not_answer() -> None:
    table = {"hooks.example.com": ["93.184.215.14", "2606:4700::1111"]}
    backend, inner = guard(["hooks.example.com"], table)
    inner.down = {"93.184.215.14"}
    await backend.connect_tcp("hooks.example.com", 443)
    assert inner.connected == ["93.184.215.14", "2606:4700::1111"]


async def test_a_name_that_does_not_resolve_is_a_connection_failure() -> None:
    async def fail(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    backend = GuardedNetworkBackend(CallbackAllowList.parse(["x.example"]), fail)
    with pytest.raises(httpcore.ConnectError, match="could not resolve"):
        await backend.connect_tcp("x.example", 443)
