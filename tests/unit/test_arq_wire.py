"""The arq wire contract: the job function and its arguments, the sweep's schedule, and the
serializer (MessagePack both ways, text for what it cannot carry, no pickle)."""

import pickle
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath

import msgspec
import pytest
from arq import Retry

from adapters.arq.wire import (
    RUN_REPORT_JOB,
    SWEEP_JOBS,
    deserialize,
    job_arguments,
    report_job_function,
    serialize,
    sweep_cron_job,
)
from application.common.errors import StorageUnavailable
from application.jobs.ports import JobMessage, JobOutcome, JobRun


class _Opaque:
    def __str__(self) -> str:
        return "an opaque thing"


def test_a_job_survives_the_round_trip() -> None:
    job = {"t": 1, "f": "run_report_job", "a": ("job-1", "2025-03-01T12:30:00+00:00"), "k": {}}

    assert deserialize(serialize(job)) == {**job, "a": ["job-1", "2025-03-01T12:30:00+00:00"]}


def test_an_aware_datetime_comes_back_as_the_same_datetime() -> None:
    moment = datetime(2025, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)

    assert deserialize(serialize({"r": moment})) == {"r": moment}


def test_an_exception_is_stored_as_its_class_name_and_message() -> None:
    result = {"s": False, "r": ValueError("the data set is gone")}

    assert deserialize(serialize(result)) == {"s": False, "r": "ValueError: the data set is gone"}


@pytest.mark.parametrize(
    ("value", "text"),
    [(_Opaque(), "an opaque thing"), (PurePosixPath("/srv/reports"), "/srv/reports")],
)
def test_an_unknown_object_is_stored_as_its_text(value: object, text: str) -> None:
    assert deserialize(serialize({"r": value})) == {"r": text}


def test_the_payload_is_messagepack_not_pickle() -> None:
    payload = serialize({"f": "run_report_job"})

    assert not payload.startswith(pickle.PROTO)
    assert msgspec.msgpack.decode(payload) == {"f": "run_report_job"}


def test_a_pickled_payload_is_refused_not_unpickled() -> None:
    with pytest.raises(msgspec.DecodeError):
        deserialize(pickle.dumps({"f": "run_report_job"}))


MESSAGE = JobMessage(
    "2b6f0c1e-4d0a-4c6e-9a63-0f4f7d1f3c55", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
)


async def test_the_arguments_the_scheduler_sends_are_the_ones_the_worker_function_takes() -> None:
    received: list[JobMessage] = []

    async def handler(message: JobMessage) -> JobRun:
        received.append(message)
        return JobRun(JobOutcome.SUCCEEDED)

    function = report_job_function(handler)
    arguments = deserialize(serialize(list(job_arguments(MESSAGE))))

    assert function.name == RUN_REPORT_JOB
    assert await function.coroutine({"job_try": 1}, *arguments) == "succeeded"
    assert received == [MESSAGE]


async def test_a_run_that_asks_for_a_retry_is_deferred_by_arq() -> None:
    async def handler(message: JobMessage) -> JobRun:
        return JobRun(JobOutcome.RETRY_LATER, timedelta(seconds=7))

    function = report_job_function(handler)
    with pytest.raises(Retry) as raised:
        await function.coroutine({"job_try": 1}, *job_arguments(MESSAGE))
    assert raised.value.defer_score == 7000


@pytest.mark.parametrize(
    ("seconds", "minute", "second"),
    [
        (60, None, 0),
        (15, None, {0, 15, 30, 45}),
        (300, set(range(0, 60, 5)), 0),
        (3600, {0}, 0),
    ],
)
def test_the_sweep_runs_on_the_clock_every_interval(
    seconds: int, minute: set[int] | None, second: int | set[int]
) -> None:
    async def sweep() -> object:
        return None

    job = sweep_cron_job(sweep, timedelta(seconds=seconds))

    assert (job.name, job.minute, job.second, job.unique) == (SWEEP_JOBS, minute, second, True)


async def test_a_sweep_that_finds_the_database_down_is_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def sweep() -> object:
        raise StorageUnavailable("The database is unavailable (listing jobs).")

    job = sweep_cron_job(sweep, timedelta(minutes=1))

    assert await job.coroutine({}) == "skipped"
    assert "Sweep skipped: The database is unavailable (listing jobs)." in caplog.messages
