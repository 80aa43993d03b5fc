"""The real processes a fault case breaks: a private redis-server, ``reportgen serve`` and
``reportgen worker``, on a seeded data dir; and clients that fire generate requests."""

import asyncio
import subprocess
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import httpx
from arq.constants import result_key_prefix
from arq.jobs import deserialize_result

from adapters.arq.wire import deserialize
from tests.faults.invariants import Answer, Ledger, RowReader, postgres_rows, sqlite_rows
from tests.integration.console import clean_env, running_worker
from tests.integration.seeded import seeded_container
from tests.integration.test_cli_serve import free_port, serving
from tests.support.redis_server import RedisServer

SECRET = "fault-injection-secret-of-32-bytes-at-least"
#: Every request's bound: far above the service's own timeouts (a second or two).
CLIENT_TIMEOUT_SECONDS = 10
#: Quick recovery, so that a case sees its jobs end within seconds.
QUICK = {
    "REPORTGEN_JWT_SECRET": SECRET,
    "REPORTGEN_DATABASE_TIMEOUT_SECONDS": "1",
    "REPORTGEN_QUEUE_TIMEOUT_SECONDS": "1",
    "REPORTGEN_JOB_LEASE_SECONDS": "3",
    "REPORTGEN_JOB_HEARTBEAT_SECONDS": "0.5",
    "REPORTGEN_JOB_RETRY_SECONDS": "0.5",
    "REPORTGEN_JOB_STORAGE_RETRY_SECONDS": "0.5",
    "REPORTGEN_JOB_GRACE_SECONDS": "2",
    "REPORTGEN_JOB_MISSING_RETRY_SECONDS": "0.3",
    "REPORTGEN_JOB_MAX_ATTEMPTS": "5",
    "REPORTGEN_SWEEP_INTERVAL_SECONDS": "1",
    "REPORTGEN_SWEEP_REDELIVER_AFTER_SECONDS": "2",
}


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail the case, naming ``what``, after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.05)


def arq_outcomes(server: RedisServer) -> dict[str, object]:
    """Each finished arq job's id and what the job function returned."""
    client = server.client()
    try:
        keys = client.keys(f"{result_key_prefix}*")
        found = {}
        for key in keys:
            raw = client.get(key)
            if raw is not None:
                arq_id = key.decode().removeprefix(result_key_prefix)
                found[arq_id] = deserialize_result(raw, deserializer=deserialize).result
        return found
    finally:
        client.close()


class Deployment:
    """``reportgen serve`` (with its embedded workers when there is no Redis) and any number
    of ``reportgen worker``, on a data dir seeded with the demo reports and 500 sales rows.

    Every generate answer goes into ``ledger``; every log ends up as ``<name>.log`` in the
    data dir. ``close`` (or leaving the ``with``) kills whatever still runs.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        redis_url: str | None = None,
        database_url: str | None = None,
        **knobs: str,
    ) -> None:
        self.data_dir = data_dir
        variables = {**QUICK, **knobs}
        if redis_url is not None:
            variables["REPORTGEN_REDIS_URL"] = redis_url
        if database_url is not None:
            variables["REPORTGEN_DATABASE_URL"] = database_url
        self.env = clean_env(data_dir, **variables)
        self.database_url = database_url
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ledger = Ledger()
        self.api: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []
        self._stack = ExitStack()
        self._api_stack: ExitStack | None = None
        self._starts = 0
        self.token = asyncio.run(self._seed())
        self.headers = {"Authorization": f"Bearer {self.token}"}

    async def _seed(self) -> str:
        async with seeded_container(self.data_dir, self.env) as container:
            issuer, now = container.token_issuer(), container.clock().now()
            return issuer.issue("alice", ["analyst"], ["reports:generate"], 3600, now)

    def __enter__(self) -> "Deployment":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def rows(self) -> RowReader:
        """Reads the job rows straight from the database."""
        if self.database_url is None:
            return sqlite_rows(self.data_dir / "reportgen.sqlite3")
        return postgres_rows(self.database_url.replace("+asyncpg", ""))

    @property
    def results(self) -> Path:
        """The directory of the result files."""
        return self.data_dir / "results"

    def start_api(self) -> subprocess.Popen[bytes]:
        """Start ``reportgen serve`` and wait until it answers ``/health``."""
        self._starts += 1
        self._api_stack = ExitStack()
        name = f"serve-{self._starts}.log"
        self.api = self._api_stack.enter_context(
            serving(self.data_dir, self.port, name, **_variables(self.env))
        )
        return self.api

    def kill_api(self) -> None:
        """SIGKILL ``reportgen serve`` (its embedded workers follow it)."""
        assert self.api is not None
        assert self._api_stack is not None
        self.api.kill()
        self._api_stack.close()
        self.api = None

    def start_worker(self) -> subprocess.Popen[bytes]:
        """Start one more ``reportgen worker``."""
        self._starts += 1
        log = self.data_dir / f"worker-{self._starts}.log"
        worker = self._stack.enter_context(running_worker(self.env, log))
        self.workers.append(worker)
        return worker

    def kill_worker(self, worker: subprocess.Popen[bytes]) -> None:
        """SIGKILL one worker."""
        worker.kill()
        worker.wait(timeout=10)
        self.workers.remove(worker)

    def close(self) -> None:
        """Kill everything still running."""
        if self._api_stack is not None:
            self._api_stack.close()
        self._stack.close()

    def generate(self, report_id: str = "report-123") -> Answer:
        """One generate request, recorded."""
        answer = self._post(report_id)
        self.ledger.record([answer])
        return answer

    def _post(self, report_id: str) -> Answer:
        url = f"{self.base_url}/api/v1/reports/{report_id}/generate"
        try:
            response = httpx.post(url, headers=self.headers, timeout=CLIENT_TIMEOUT_SECONDS)
        except httpx.TransportError as error:
            return Answer.cut_off(error)
        return Answer.of(response)

    def burst(self, clients: int, requests: int | None = None) -> "Burst":
        """Clients firing generate requests (``requests`` in all, else until the ``with``
        block ends)."""
        return Burst(self, clients, requests)

    def fire(self, requests: int, clients: int) -> list[Answer]:
        """``requests`` generate requests from ``clients`` concurrent clients, recorded."""
        with self.burst(clients, requests) as burst:
            wait_until(lambda: len(burst.answers) >= requests, 180, f"{requests} answers")
        return burst.answers


def _variables(env: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in env.items() if name.startswith("REPORTGEN_")}


class Burst:
    """Concurrent clients on their own event loop (a thread), each sending a generate request
    after the other, until the ``with`` block ends; ``answers`` holds what they got."""

    def __init__(self, deployment: Deployment, clients: int, requests: int | None) -> None:
        self._deployment = deployment
        self._clients = clients
        self.answers: list[Answer] = []
        self._sent = 0
        self._limit = requests
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def count(self, status: int | None) -> int:
        """Answers so far with ``status`` (``None``: cut off)."""
        return sum(1 for answer in list(self.answers) if answer.status == status)

    def __enter__(self) -> "Burst":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping.set()
        self._thread.join(timeout=CLIENT_TIMEOUT_SECONDS + 10)
        assert not self._thread.is_alive(), "the clients did not stop"
        self._deployment.ledger.record(self.answers)

    async def _run(self) -> None:
        limits = httpx.Limits(max_connections=self._clients)
        async with httpx.AsyncClient(
            headers=self._deployment.headers, timeout=CLIENT_TIMEOUT_SECONDS, limits=limits
        ) as client:
            await asyncio.gather(*(self._client(client) for _ in range(self._clients)))

    async def _client(self, client: httpx.AsyncClient) -> None:
        url = f"{self._deployment.base_url}/api/v1/reports/report-123/generate"
        while not self._stopping.is_set() and (self._limit is None or self._sent < self._limit):
            self._sent += 1
            try:
                answer = Answer.of(await client.post(url))
            except httpx.TransportError as error:
                answer = Answer.cut_off(error)
                await asyncio.sleep(0.05)  # the API is down: do not spin
            self.answers.append(answer)
