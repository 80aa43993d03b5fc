"""The arq wire contract of report jobs, in one place.

The queue, the job function's name and arguments, and their serializer: the
scheduler adapter enqueues with ``job_arguments`` and the worker registers
``report_job_function`` and ``sweep_cron_job``, so the two sides cannot drift.

Jobs travel as MessagePack (msgspec), never pickle: pickle would let whoever can
write to Redis run code in every worker; MessagePack only ever yields plain data.
``serialize``/``deserialize`` are given to arq on both the pool and the worker.
"""

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import msgspec
from arq import Retry
from arq.constants import in_progress_key_prefix, job_key_prefix
from arq.cron import CronJob, cron
from arq.jobs import serialize_job
from arq.utils import timestamp_ms
from arq.worker import Function, func
from redis.asyncio.client import Pipeline

from application.common.errors import ServiceUnavailable
from application.jobs.ports import JobHandler, JobMessage, JobOutcome

logger = logging.getLogger(__name__)

QUEUE_NAME = "reportgen:queue"
"""The Redis sorted set that holds the queued jobs."""

RUN_REPORT_JOB = "run_report_job"
"""The name under which the worker registers the job function."""

SWEEP_JOBS = "sweep_jobs"
"""The name of the sweep's cron job."""

QUEUE_MARKER = "reportgen:queue-intact"
"""A key the sweep sets once every queued job has its entry; Redis without it lost its data."""

#: arq's own cap on deliveries; the job handler bounds its retries itself (attempts,
#: grace period), so this only stops a job that keeps finding the database down.
MAX_TRIES = 1000


def _encode_unknown(obj: Any) -> str:
    """Turn what MessagePack cannot carry into text, so arq can always store a result.

    A job that fails leaves its exception as the result; it is stored as
    ``"<ClassName>: message"``. Anything else unknown is stored as ``str(obj)``.
    """
    if isinstance(obj, BaseException):
        return f"{type(obj).__name__}: {obj}"
    return str(obj)


_encoder = msgspec.msgpack.Encoder(enc_hook=_encode_unknown)
_decoder = msgspec.msgpack.Decoder()


def serialize(obj: Any) -> bytes:
    """Encode a job or a job result as MessagePack.

    Timezone-aware datetimes travel as MessagePack timestamps; tuples become lists.
    """
    return _encoder.encode(obj)


def deserialize(data: bytes) -> Any:
    """Decode MessagePack written by :func:`serialize`; raise ``msgspec.DecodeError`` otherwise."""
    return _decoder.decode(data)


def arq_job_id(message: JobMessage) -> str:
    """The arq job id of a delivery: the job's own id first, then ``<id>:<delivery>``.

    arq refuses a job id it still holds, and it holds the id of a job whose worker
    was killed (its key, and its in-progress key until ``job_timeout`` has passed);
    a later delivery under a new id runs at once. The dead run's entry, once arq
    frees it, finds the job no longer ``Queued`` and does nothing.
    """
    return message.job_id if message.delivery == 0 else f"{message.job_id}:{message.delivery}"


#: Further arq ids one delivery may take, ``<arq id>~1`` and on, when arq holds its own
#: under a mark in progress while the job is still ``Queued``: the worker that took it
#: died before it claimed the job, and arq frees that id only after ``job_timeout``.
SPARE_IDS = 3


def spare_ids(message: JobMessage) -> list[str]:
    """The arq ids one delivery may be queued under, in the order they are tried: its own
    (``arq_job_id``), then its ``SPARE_IDS`` spares."""
    own = arq_job_id(message)
    return [own, *(f"{own}~{spare}" for spare in range(1, SPARE_IDS + 1))]


def delivery_ids(message: JobMessage) -> list[str]:
    """The arq ids every delivery of the job so far may hold: deliveries 0 to
    ``message.delivery``, each under its own id or a spare."""
    return [
        arq_id
        for delivery in range(message.delivery + 1)
        for arq_id in spare_ids(JobMessage(message.job_id, message.requested_at, delivery))
    ]


def job_arguments(message: JobMessage) -> tuple[str, str]:
    """The job function's positional arguments: the job id and when it was requested."""
    return message.job_id, message.requested_at.isoformat()


def queue_new_jobs(pipe: Pipeline, messages: Sequence[JobMessage], expires_ms: int) -> None:
    """Add to ``pipe`` what ``ArqRedis.enqueue_job`` writes for each job, due now: the
    job under its arq id (``arq_job_id``) and its place in the queue. Ids are fresh, so
    nothing is checked."""
    now_ms = timestamp_ms()
    for message in messages:
        job = serialize_job(
            RUN_REPORT_JOB, job_arguments(message), {}, None, now_ms, serializer=serialize
        )
        job_id = arq_job_id(message)
        pipe.psetex(job_key_prefix + job_id, expires_ms, job)
        pipe.zadd(QUEUE_NAME, {job_id: now_ms})


def count_entries(pipe: Pipeline, message: JobMessage) -> int:
    """Add to ``pipe`` the checks of the job's entries (per delivery: its arq job, then its
    in-progress mark); returns how many answers they take (``has_waiting_entry`` reads them)."""
    ids = delivery_ids(message)
    for job_id in ids:
        pipe.exists(job_key_prefix + job_id)
        pipe.exists(in_progress_key_prefix + job_id)
    return 2 * len(ids)


def has_waiting_entry(answers: Sequence[int]) -> bool:
    """Whether one of the job's deliveries is held by arq and not marked in progress: a
    worker will take it. An entry marked in progress for a job that is ``Queued`` in its
    record belongs to a worker that died after giving the job back (or is starting it now):
    arq frees it only after ``job_timeout``."""
    pairs = zip(answers[::2], answers[1::2], strict=True)
    return any(held and not running for held, running in pairs)


def report_job_function(handler: JobHandler) -> Function:
    """The worker's ``run_report_job(job_id, requested_at)``: runs ``handler`` and asks
    arq to deliver the job again when the handler says so."""

    async def run_report_job(ctx: dict[str, Any], job_id: str, requested_at: str) -> str:
        message = JobMessage(job_id=job_id, requested_at=datetime.fromisoformat(requested_at))
        run = await handler(message)
        if run.outcome is JobOutcome.RETRY_LATER and run.retry_in is not None:
            raise Retry(defer=run.retry_in)
        return run.outcome.value

    return func(run_report_job, name=RUN_REPORT_JOB, max_tries=MAX_TRIES)


def sweep_cron_job(sweep: Callable[[], Awaitable[object]], interval: timedelta) -> CronJob:
    """The sweep, every ``interval`` (a divisor of a minute, or of an hour in whole
    minutes), on one worker at a time; a sweep that finds the database down is skipped."""

    async def sweep_jobs(ctx: dict[str, Any]) -> str:
        try:
            return str(await sweep())
        except ServiceUnavailable as exc:
            logger.warning("Sweep skipped: %s", exc.message)
            return "skipped"

    seconds = int(interval.total_seconds())
    second: int | set[int] = set(range(0, 60, seconds)) if seconds < 60 else 0
    minute = None if seconds <= 60 else set(range(0, 60, seconds // 60))
    return cron(sweep_jobs, name=SWEEP_JOBS, minute=minute, second=second, unique=True)
