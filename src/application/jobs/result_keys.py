"""Where each attempt of a job keeps its file in the ``ResultStore``."""

from domain.jobs import Job


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
