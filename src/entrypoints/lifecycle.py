"""Starting and stopping what the container holds, for the app and the worker alike."""

import logging
from collections.abc import Sequence
from typing import Protocol

from entrypoints.container import Container

logger = logging.getLogger(__name__)


class Service(Protocol):
    """Something that holds connections or tasks: started before use, stopped at the end."""

    async def start(self) -> None:
        """Begin (the embedded runner starts its workers and its sweep)."""
        ...

    async def stop(self) -> None:
        """Release connections and tasks; safe to call when never started."""
        ...


def _services(container: Container) -> list[Service]:
    services: list[Service] = container.services()
    # Stopped first: the callbacks being sent here leave, the sweep sends them later.
    if (callbacks := container.callback_dispatcher()) is not None:
        services.append(callbacks)
    return services


async def start_all(services: Sequence[Service]) -> None:
    """Start ``services`` in order."""
    for service in services:
        await service.start()


async def stop_all(services: Sequence[Service]) -> None:
    """Stop ``services`` in reverse order; one that fails does not keep the others from
    stopping."""
    for service in reversed(services):
        try:
            await service.stop()
        except Exception:
            logger.exception("%s did not stop cleanly.", type(service).__name__)


async def start_services(container: Container) -> None:
    """Start the container's services in order (the database first, the scheduler last)."""
    await start_all(_services(container))


async def stop_services(container: Container) -> None:
    """Stop the container's services in reverse order (``stop_all``)."""
    await stop_all(_services(container))
