"""Starting and stopping what the container holds, for the app and the worker alike."""

import logging
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
    return services


async def start_services(container: Container) -> None:
    """Start the container's services in order (the database first, the scheduler last)."""
    for service in _services(container):
        await service.start()


async def stop_services(container: Container) -> None:
    """Stop the container's services in reverse order; one that fails does not keep the
    others from stopping."""
    for service in reversed(_services(container)):
        try:
            await service.stop()
        except Exception:
            logger.exception("%s did not stop cleanly.", type(service).__name__)
