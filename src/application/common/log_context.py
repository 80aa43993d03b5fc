"""What every log line carries about the work it belongs to: the request and the job.

The HTTP layer sets ``request_id`` for the time of a request; a worker sets
``job_id`` and ``request_id`` (the id of the request that created the job) for
the time of a job's run. The log formatter reads them, so a
``grep <request id>`` shows a job's whole life, from its generate request to its
last line in the worker. Context variables follow each request and each job's
task on their own; nothing is passed by hand.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("reportgen_request_id", default=None)
"""The id of the HTTP request being answered, or that created the job being run."""

job_id: ContextVar[str | None] = ContextVar("reportgen_job_id", default=None)
"""The id of the job being run."""


def log_fields() -> dict[str, str]:
    """The context fields that are set, by name."""
    fields = {}
    if (request := request_id.get()) is not None:
        fields["request_id"] = request
    if (job := job_id.get()) is not None:
        fields["job_id"] = job
    return fields


@contextmanager
def job_run(job: str) -> Iterator[None]:
    """Log lines inside carry ``job_id``; ``request_id`` starts unset (the run names it
    once it has read the job) and both are restored on leaving."""
    job_token = job_id.set(job)
    request_token = request_id.set(None)
    try:
        yield
    finally:
        request_id.reset(request_token)
        job_id.reset(job_token)
