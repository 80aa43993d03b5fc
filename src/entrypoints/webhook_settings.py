"""The settings of completion webhooks: ``REPORTGEN_WEBHOOK_ALLOWED_HOSTS`` and its secret."""

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from domain.callback_hosts import CallbackAllowList, InvalidAllowListEntry
from entrypoints.tuning import SettingsError

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of the format, not a secret
MIN_WEBHOOK_SECRET_BYTES = 24


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookSettings:
    """Who may be called back, and the key that signs the calls; off without a list."""

    allow_list: CallbackAllowList | None = None
    """The hosts a ``callbackUrl`` may name; ``None``: webhooks are off."""
    secret: str | None = field(default=None, repr=False)
    """The Standard Webhooks secret, ``whsec_<base64>``."""
    timeout: timedelta = timedelta(seconds=10)
    """The longest one delivery may take, connecting included."""
    hold: timedelta = timedelta(seconds=30)
    """How long a claimed delivery is held from other processes (more than ``timeout``)."""
    follow_up: timedelta = timedelta(minutes=2)
    """Retries due within this are waited for in the process; later ones by the sweep."""

    @property
    def enabled(self) -> bool:
        """Whether a generate may ask for a callback."""
        return self.allow_list is not None and self.secret is not None


def read_webhook_settings(get: Callable[[str], str | None]) -> WebhookSettings:
    """The webhook settings ``get`` (a variable's name after ``REPORTGEN_``) holds;
    ``SettingsError`` names a bad variable."""
    hosts, secret = get("WEBHOOK_ALLOWED_HOSTS"), get("WEBHOOK_SECRET")
    if secret is not None:
        _check_secret(secret)
    if hosts is None:
        return WebhookSettings(secret=secret)
    if secret is None:
        raise SettingsError(
            "REPORTGEN_WEBHOOK_ALLOWED_HOSTS is set without REPORTGEN_WEBHOOK_SECRET: "
            "webhooks are signed (whsec_ followed by base64 of at least 24 bytes)."
        )
    try:
        allow_list = CallbackAllowList.parse(hosts.split(","))
    except InvalidAllowListEntry as exc:
        raise SettingsError(
            f"REPORTGEN_WEBHOOK_ALLOWED_HOSTS: {exc}; use host names, *.example.com, "
            "IP addresses or networks (10.0.0.0/8), separated by commas."
        ) from None
    return WebhookSettings(allow_list=allow_list, secret=secret)


def _check_secret(secret: str) -> None:
    """A Standard Webhooks secret: ``whsec_`` and the base64 of at least 24 bytes."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not secret.startswith(SECRET_PREFIX) or len(key) < MIN_WEBHOOK_SECRET_BYTES:
        raise SettingsError(
            "REPORTGEN_WEBHOOK_SECRET must be whsec_ followed by the base64 of at least "
            f"{MIN_WEBHOOK_SECRET_BYTES} random bytes (e.g. whsec_$(openssl rand -base64 32))."
        )
