"""Starting and stopping what the container holds, for the app and the worker alike."""

from adapters.arq.scheduler import ArqJobScheduler
from adapters.inprocess.scheduler import InProcessJobScheduler
from entrypoints.container import Container


async def start_services(container: Container) -> None:
    """Start the in-process job runner and its sweep when jobs run inside this process.

    The first sweep runs at once and hands every job still ``Queued`` to the
    runner again: an in-process queue does not survive a restart.
    """
    scheduler = container.scheduler()
    if isinstance(scheduler, InProcessJobScheduler):
        await scheduler.start()
        container.in_process_sweeper().start()


async def stop_services(container: Container) -> None:
    """Stop the job runner and the sweep, close the Redis pool, the data sources and the engine."""
    scheduler = container.scheduler()
    if isinstance(scheduler, InProcessJobScheduler):
        await container.in_process_sweeper().stop()
        await scheduler.stop()
    elif isinstance(scheduler, ArqJobScheduler):
        await scheduler.close()
    await container.report_queries().close()
    await container.engine().dispose()
