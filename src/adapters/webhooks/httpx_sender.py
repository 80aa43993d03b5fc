"""The ``WebhookSender`` port on httpx: Standard Webhooks signatures, guarded connections."""

import asyncio
import logging
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from datetime import timedelta

import httpcore
import httpx
from standardwebhooks import Webhook

from adapters.webhooks.guarded_network import (
    CallbackAddressRefused,
    GuardedNetworkBackend,
    Resolver,
    system_resolver,
)
from application.webhooks.ports import WebhookMessage
from domain.callback_hosts import CallbackAllowList
from domain.callbacks import DeliveryResult

logger = logging.getLogger(__name__)

#: What httpcore raises when a connection or an exchange fails (not a refused address).
_HTTPCORE_FAILURES = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
    httpcore.ConnectionNotAvailable,
)


class _AnswerStream(httpx.AsyncByteStream):
    """The answer's body as httpcore gives it; closing it gives the connection back."""

    def __init__(self, stream: Iterable[bytes] | AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        assert isinstance(self._stream, AsyncIterable)
        async for part in self._stream:
            yield part

    async def aclose(self) -> None:
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            await close()


class GuardedTransport(httpx.AsyncBaseTransport):
    """httpx over an httpcore pool whose connections pass ``GuardedNetworkBackend``."""

    def __init__(
        self, backend: httpcore.AsyncNetworkBackend, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            network_backend=backend,
            max_connections=1,
            max_keepalive_connections=0,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the pool (as ``httpx.AsyncHTTPTransport`` does)."""
        assert isinstance(request.stream, httpx.AsyncByteStream)
        answer = await self._pool.handle_async_request(
            httpcore.Request(
                method=request.method,
                url=httpcore.URL(
                    scheme=request.url.raw_scheme,
                    host=request.url.raw_host,
                    port=request.url.port,
                    target=request.url.raw_path,
                ),
                headers=request.headers.raw,
                content=request.stream,
                extensions=request.extensions,
            )
        )
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_AnswerStream(answer.stream),
            extensions=answer.extensions,
        )

    async def aclose(self) -> None:
        """Close the pool's connections."""
        await self._pool.aclose()


class HttpxWebhookSender:
    """POSTs a job's webhook, signed as Standard Webhooks says (``webhook-id``,
    ``webhook-timestamp``, ``webhook-signature``: HMAC-SHA256 with the ``whsec_`` secret).

    Redirects are not followed, the answer's body is not read (only its status),
    and one attempt takes at most ``timeout`` in all. Every address is checked by
    ``GuardedNetworkBackend`` first; a refused one is a given-up delivery.
    """

    def __init__(
        self,
        *,
        secret: str,
        allow_list: CallbackAllowList,
        timeout: timedelta,
        user_agent: str,
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._signer = Webhook(secret)
        self._ssl_context = ssl_context  # None: the system's certificates (tests bring theirs)
        self._allow_list = allow_list
        self._timeout = timeout.total_seconds()
        self._user_agent = user_agent
        self._resolver = resolver

    async def send(self, message: WebhookMessage) -> DeliveryResult:
        """One signed POST; what came of it (never raises for a network failure)."""
        text = message.body.decode()
        headers = {
            "content-type": "application/json",
            "user-agent": self._user_agent,
            "webhook-id": message.webhook_id,
            "webhook-timestamp": str(int(message.timestamp.timestamp())),
            "webhook-signature": self._signer.sign(message.webhook_id, message.timestamp, text),
        }
        backend = GuardedNetworkBackend(self._allow_list, self._resolver)
        try:
            async with (
                asyncio.timeout(self._timeout),
                httpx.AsyncClient(
                    transport=GuardedTransport(backend, self._ssl_context),
                    follow_redirects=False,
                    trust_env=False,
                    timeout=self._timeout,
                ) as client,
                client.stream("POST", message.url, content=message.body, headers=headers) as r,
            ):
                return DeliveryResult(status_code=r.status_code)
        except CallbackAddressRefused as exc:
            return DeliveryResult(error=str(exc), refused=True)
        except (TimeoutError, httpx.TimeoutException, httpcore.TimeoutException):
            return DeliveryResult(error=f"no answer within {self._timeout:g} s")
        except (httpx.HTTPError, OSError, *_HTTPCORE_FAILURES) as exc:
            return DeliveryResult(error=f"{type(exc).__name__}: {str(exc)[:200]}")
