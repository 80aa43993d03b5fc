"""The webhook settings: off by default, and one clear line for each bad variable."""

import base64
from pathlib import Path

import pytest

from entrypoints.settings import Settings, SettingsError

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()


def read(tmp_path: Path, **variables: str) -> Settings:
    env = {f"REPORTGEN_{name}": value for name, value in variables.items()}
    return Settings.from_env({"REPORTGEN_DATA_DIR": str(tmp_path), **env})


def test_webhooks_are_off_without_an_allow_list(tmp_path: Path) -> None:
    webhooks = read(tmp_path).webhooks
    assert webhooks.allow_list is None
    assert not webhooks.enabled


def test_an_allow_list_and_a_secret_turn_webhooks_on(tmp_path: Path) -> None:
    webhooks = read(
        tmp_path,
        WEBHOOK_ALLOWED_HOSTS="hooks.example.com, *.example.org ,10.0.0.0/8",
        WEBHOOK_SECRET=SECRET,
    ).webhooks
    assert webhooks.enabled
    assert webhooks.allow_list is not None
    assert webhooks.allow_list.allows_host("a.example.org")
    assert SECRET not in repr(webhooks)


def test_an_allow_list_without_a_secret_stops_the_program(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="WEBHOOK_ALLOWED_HOSTS is set without REPORTGEN_WEB"):
        read(tmp_path, WEBHOOK_ALLOWED_HOSTS="hooks.example.com")


@pytest.mark.parametrize(
    "secret",
    [
        "not-prefixed-" + base64.b64encode(b"k" * 32).decode(),
        "whsec_" + base64.b64encode(b"k" * 16).decode(),
        "whsec_***not base64***",
    ],
)
def test_a_malformed_secret_stops_the_program(tmp_path: Path, secret: str) -> None:
    with pytest.raises(SettingsError, match=r"^REPORTGEN_WEBHOOK_SECRET must be whsec_"):
        read(tmp_path, WEBHOOK_ALLOWED_HOSTS="hooks.example.com", WEBHOOK_SECRET=secret)


def test_a_malformed_entry_stops_the_program_naming_it(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^REPORTGEN_WEBHOOK_ALLOWED_HOSTS: 'http://x' is not"):
        read(tmp_path, WEBHOOK_ALLOWED_HOSTS="ok.example,http://x", WEBHOOK_SECRET=SECRET)
