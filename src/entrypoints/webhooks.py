"""Building the completion webhooks' adapters from ``Settings`` (for the container)."""

from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

from adapters.webhooks.background import BackgroundCallbacks, Deliver
from adapters.webhooks.httpx_sender import HttpxWebhookSender
from application.webhooks.deliver_job_callback import (
    CallbackAttempt,
    DeliverJobCallbackCommand,
    DeliverJobCallbackUseCase,
)
from application.webhooks.ports import WebhookMessage
from domain.callbacks import DeliveryResult
from entrypoints.settings import Settings


def user_agent() -> str:
    """``reportgen/<version>``."""
    try:
        return f"reportgen/{version('reportgen')}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "reportgen/0.0.0"


class _NoSender:
    """Webhooks are off: nothing is sent (no job asks for a callback then)."""

    async def send(self, message: WebhookMessage) -> DeliveryResult:
        return DeliveryResult(error="webhooks are not enabled on this service", refused=True)


def build_webhook_sender(settings: Settings) -> HttpxWebhookSender | _NoSender:
    """The httpx sender with the configured secret and allow-list, when webhooks are on."""
    webhooks = settings.webhooks
    if webhooks.allow_list is None or webhooks.secret is None:
        return _NoSender()
    return HttpxWebhookSender(
        secret=webhooks.secret,
        allow_list=webhooks.allow_list,
        timeout=webhooks.timeout,
        user_agent=user_agent(),
    )


def build_callback_dispatcher(
    settings: Settings,
    use_case: Callable[[], DeliverJobCallbackUseCase],
    on_attempt: Callable[[CallbackAttempt], object] | None = None,
) -> BackgroundCallbacks | None:
    """Background deliveries in this process, each by a fresh use case, each attempt told
    to ``on_attempt``; ``None`` when off."""
    if not settings.webhooks.enabled:
        return None

    async def deliver(command: DeliverJobCallbackCommand) -> CallbackAttempt:
        return await use_case().execute(command)

    run: Deliver = deliver
    return BackgroundCallbacks(
        run,
        follow_up=settings.webhooks.follow_up,
        concurrency=settings.limits.webhook_concurrency,
        on_attempt=on_attempt,
    )
