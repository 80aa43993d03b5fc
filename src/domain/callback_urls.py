"""The rules a ``callbackUrl`` must follow before a job is created with it."""

from urllib.parse import urlsplit

from domain.callback_hosts import CallbackAllowList
from domain.errors import CallbackRefused

MAX_CALLBACK_URL_LENGTH = 2048
WEBHOOKS_OFF = "Webhooks are not enabled on this service (REPORTGEN_WEBHOOK_ALLOWED_HOSTS)."


def check_callback_url(url: str, allow_list: CallbackAllowList | None) -> str:
    """``url`` if a job may call it back; ``CallbackRefused`` saying why not.

    Webhooks must be on (an allow-list is configured); the URL is absolute
    ``http``/``https``, at most 2048 characters, without user name or password
    (a secret in a URL ends up in logs) or fragment, and its host is on the list.
    """
    if allow_list is None:
        raise CallbackRefused(WEBHOOKS_OFF)
    if len(url) > MAX_CALLBACK_URL_LENGTH:
        raise CallbackRefused(f"callbackUrl must be at most {MAX_CALLBACK_URL_LENGTH} characters.")
    if not url.isascii() or not url.isprintable() or " " in url:
        raise CallbackRefused("callbackUrl must be an ASCII URL without spaces.")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise CallbackRefused("callbackUrl is not a valid URL.") from None
    if parts.scheme not in {"http", "https"} or not host:
        raise CallbackRefused("callbackUrl must be an absolute http:// or https:// URL.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise CallbackRefused("callbackUrl must not hold a user name or password.")
    if parts.fragment:
        raise CallbackRefused("callbackUrl must not hold a fragment.")
    if not allow_list.allows_host(host):
        raise CallbackRefused(
            f"The callback host '{host[:100]}' is not on this service's allow-list "
            "(REPORTGEN_WEBHOOK_ALLOWED_HOSTS)."
        )
    return url
