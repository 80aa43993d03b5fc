"""Where each attempt of a job keeps its file in the ``ResultStore``, and removing them."""

import logging

from application.common.errors import ResultStoreUnavailable
from application.jobs.file_ports import ResultStore
from domain.jobs import Job

logger = logging.getLogger(__name__)


def result_key(job: Job, attempt: int) -> str:
    """The key of attempt ``attempt`` of ``job``: ``<id>.<format>`` for the first,
    ``<id>.<attempt>.<format>`` for the next ones. Keys of their own keep a run that lost
    its job (its worker stalled past the lease) from writing over the next run's file."""
    if attempt <= 1:
        return f"{job.id}.{job.format.value}"
    return f"{job.id}.{attempt}.{job.format.value}"


def attempt_keys(job: Job, *, before: int | None = None) -> list[str]:
    """The keys of the attempts ``job`` made (those before attempt ``before``, if given)."""
    last = job.attempts if before is None else before - 1
    return [result_key(job, attempt) for attempt in range(1, last + 1)]


async def delete_attempt_files(store: ResultStore, job: Job, *, before: int | None = None) -> None:
    """Delete what the attempts of ``job`` (those before ``before``, if given) may have
    stored without recording it (a worker killed between the two)."""
    for key in attempt_keys(job, before=before):
        await store.delete(key)


async def delete_unrecorded_files(store: ResultStore, job: Job, ended: str) -> None:
    """``delete_attempt_files`` for a job that has ``ended`` (cancelled, failed): a store
    that does not answer leaves the files, logged, and takes nothing back."""
    try:
        await delete_attempt_files(store, job)
    except ResultStoreUnavailable as exc:
        logger.warning("Job %s %s; its files may remain: %s", job.id, ended, exc.message)
