"""The operator's allow-list of callback hosts and the rules of a callbackUrl."""

import ipaddress

import pytest

from domain.callback_hosts import CallbackAllowList, InvalidAllowListEntry
from domain.callback_urls import WEBHOOKS_OFF, check_callback_url
from domain.errors import CallbackRefused

HOSTS = CallbackAllowList.parse(["hooks.example.com", "*.example.org", "10.1.2.3", "fd00::/8"])


@pytest.mark.parametrize(
    "host",
    ["hooks.example.com", "HOOKS.Example.COM", "hooks.example.com.", "a.example.org", "10.1.2.3"],
)
def test_listed_names_subdomains_and_addresses_are_allowed(host: str) -> None:
    assert HOSTS.allows_host(host)


@pytest.mark.parametrize(
    "host", ["example.com", "evil-hooks.example.com", "example.org", "10.1.2.4", "localhost"]
)
def test_hosts_not_listed_are_not_allowed(host: str) -> None:
    assert not HOSTS.allows_host(host)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.0.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1"],  # noqa: S104,
)
def test_non_public_addresses_are_not_reachable_unless_listed(address: str) -> None:
    assert not HOSTS.may_reach(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    ["::ffff:127.0.0.1", "::ffff:169.254.169.254", "fe80::1", "64:ff9b::a00:1", "2002:a00:1::1"],
)
def test_mapped_and_link_local_ipv6_addresses_are_not_reachable(address: str) -> None:
    assert not HOSTS.may_reach(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::1111", "10.1.2.3", "fd00::5"])
def test_public_and_listed_addresses_are_reachable(address: str) -> None:
    assert HOSTS.may_reach(ipaddress.ip_address(address))


def test_a_listed_ipv4_address_covers_its_mapped_ipv6_form() -> None:
    allow = CallbackAllowList.parse(["127.0.0.1"])
    assert allow.may_reach(ipaddress.ip_address("::ffff:127.0.0.1"))


@pytest.mark.parametrize("entry", ["", "exa mple.com", "*.", "http://example.com", "a..b"])
def test_malformed_entries_are_refused(entry: str) -> None:
    with pytest.raises(InvalidAllowListEntry):
        CallbackAllowList.parse([entry])


def test_a_callback_needs_webhooks_on() -> None:
    with pytest.raises(CallbackRefused, match=r"not enabled.*REPORTGEN_WEBHOOK_ALLOWED_HOSTS"):
        check_callback_url("https://hooks.example.com/done", None)
    assert WEBHOOKS_OFF.startswith("Webhooks are not enabled")


def test_a_host_off_the_list_is_refused_by_name() -> None:
    with pytest.raises(CallbackRefused, match="'localhost' is not on this service's allow-list"):
        check_callback_url("http://localhost:8080/done", HOSTS)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://hooks.example.com/x", "http"),
        ("/relative/path", "http"),
        ("https://user:secret@hooks.example.com/x", "user name or password"),
        ("https://hooks.example.com/x#frag", "fragment"),
        ("https://hooks.example.com:99999/x", "not a valid URL"),
        ("https://hooks.example.com/" + "a" * 2048, "2048"),
        ("https://hooks.example.com/a b", "spaces"),
    ],
)
def test_malformed_callback_urls_are_refused(url: str, why: str) -> None:
    with pytest.raises(CallbackRefused, match=why):
        check_callback_url(url, HOSTS)


def test_a_plain_https_url_on_the_list_is_kept_as_given() -> None:
    url = "https://hooks.example.com:8443/done?job=1"
    assert check_callback_url(url, HOSTS) == url
