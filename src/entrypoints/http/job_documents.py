"""The job's status document as bytes, for the completion webhook's body."""

import msgspec

from application.common.ports import Clock
from domain.jobs import Job
from entrypoints.http.job_bodies import job_body


class JsonJobDocuments:
    """The ``JobDocuments`` port: the JSON ``GET /api/v1/jobs/{jobId}`` answers."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def render(self, job: Job, status_url: str) -> bytes:
        """``job``'s document, its links built on ``status_url``."""
        available = job.result_is_available(self._clock.now())
        return msgspec.json.encode(job_body(job, status_url, result_available=available))
