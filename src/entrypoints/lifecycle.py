"""Starting and stopping what the container holds, for the app and the worker alike."""

from adapters.arq.scheduler import ArqJobScheduler
from adapters.inprocess.scheduler import InProcessJobScheduler
from entrypoints.container import Container


async def start_services(container: Container) -> None:
    """Start the in-process job runner when jobs run inside this process."""
    scheduler = container.scheduler()
    if isinstance(scheduler, InProcessJobScheduler):
        await scheduler.start()


async def stop_services(container: Container) -> None:
    """Stop the job runner, close the Redis pool and the database engine."""
    scheduler = container.scheduler()
    if isinstance(scheduler, InProcessJobScheduler):
        await scheduler.stop()
    elif isinstance(scheduler, ArqJobScheduler):
        await scheduler.close()
    await container.engine().dispose()
