"""A download written beside its final place, checked by SHA-256, then renamed into it."""

import asyncio
import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from types import TracebackType

from entrypoints.client.errors import ChecksumMismatch, ReportgenError
from entrypoints.client.models import Job, JobResult


def expected_result(job: Job) -> JobResult:
    """The file a job promises; ``ReportgenError`` (409) while it has none to give."""
    if job.result is None:
        state = "has no file (it has expired)" if job.status == "Succeeded" else job.status
        raise ReportgenError(409, f"Job {job.job_id} has no file to download: {state}.")
    return job.result


def destination(path: str | os.PathLike[str], result: JobResult) -> Path:
    """``path``, or the file's own name inside it when ``path`` is a directory."""
    target = Path(path)
    return target / Path(result.file_name).name if target.is_dir() else target


class Landing:
    """Receives the file's bytes; on a clean exit checks them and puts the file in place.

    The bytes go to a temporary file in the target's directory, so the rename is atomic;
    on an error or a checksum mismatch the temporary file is removed and nothing is left.
    """

    def __init__(self, target: Path, sha256: str) -> None:
        self.target = target
        self._expected = sha256.lower()
        self._digest = hashlib.sha256()
        descriptor, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
        self._temporary = Path(name)
        self._file = os.fdopen(descriptor, "wb")

    def write(self, chunk: bytes) -> None:
        """Add the next bytes."""
        self._digest.update(chunk)
        self._file.write(chunk)

    def __enter__(self) -> "Landing":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self._file.close()
            actual = self._digest.hexdigest()
            if kind is None and actual != self._expected:
                raise ChecksumMismatch(self._expected, actual)
            if kind is None:
                self._temporary.replace(self.target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                self._temporary.unlink()


class AsyncLanding:
    """``Landing`` for the asyncio client: its file calls (create, write, check, rename)
    run in a worker thread, so that a slow disk never stalls the event loop."""

    def __init__(self, target: Path, sha256: str) -> None:
        self.target = target
        self._sha256 = sha256
        self._landing: Landing | None = None

    async def __aenter__(self) -> "AsyncLanding":
        self._landing = await asyncio.to_thread(Landing, self.target, self._sha256)
        return self

    async def write(self, chunk: bytes) -> None:
        """Add the next bytes."""
        assert self._landing is not None
        await asyncio.to_thread(self._landing.write, chunk)

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._landing is not None:
            await asyncio.to_thread(self._landing.__exit__, kind, error, traceback)
