"""Several ``reportgen serve`` and ``reportgen worker`` processes on one PostgreSQL database,
one Redis and one bucket: what the many-processes fault case starts, drives and reads back."""

import asyncio
import re
import subprocess
import threading
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from tests.faults.invariants import Answer, Ledger, RowReader, postgres_rows
from tests.faults.stack import CLIENT_TIMEOUT_SECONDS, QUICK
from tests.integration.console import clean_env, running_worker
from tests.integration.seeded import seeded_container
from tests.integration.test_cli_serve import free_port, serving

#: A report of 20 demo sales read by primary key: a job of a few milliseconds.
SMALL_REPORT = "many-small"
SMALL_QUERY = (
    "SELECT id, sale_date, region, amount FROM sales WHERE id BETWEEN 1 AND 20 ORDER BY id"
)
#: arq's line when a worker starts a delivery, and when it is done with one.
_STARTED = re.compile(r"→ (\S+):run_report_job\('([0-9a-f-]{36})'")
_ENDED = re.compile(r"(?:←|↻|⊘) (\S+):run_report_job\b")
_SUCCEEDED = re.compile(r"Job ([0-9a-f-]{36}): succeeded\b")


@dataclass(frozen=True, slots=True)
class StoredJob:
    """A job row's status, claims and recorded file."""

    status: str
    attempts: int
    result_key: str | None
    size: int | None
    sha256: str | None


@dataclass(frozen=True, slots=True)
class Api:
    """One ``reportgen serve``."""

    process: subprocess.Popen[bytes]
    base_url: str


@dataclass(frozen=True, slots=True)
class Worker:
    """One ``reportgen worker`` and its log."""

    process: subprocess.Popen[bytes]
    log: Path

    def succeeded(self) -> Counter[str]:
        """How many times this worker logged each job's success."""
        return Counter(_SUCCEEDED.findall(self.log.read_text(errors="replace")))

    def in_flight(self) -> set[str]:
        """The jobs of the deliveries it started and did not end (so far, or ever if dead)."""
        text = self.log.read_text(errors="replace")
        started = dict(_STARTED.findall(text))
        ended = set(_ENDED.findall(text))
        return {job_id for ref, job_id in started.items() if ref not in ended}


class Cluster:
    """Processes of the service sharing one database (``database_url``), one Redis and one
    results URL, on a data dir that is migrated and seeded once (the demo reports, 500 demo
    sales). The ``AWS_*`` variables of ``aws`` reach every process. Leaving the ``with``
    kills whatever still runs."""

    def __init__(
        self,
        data_dir: Path,
        *,
        redis_url: str,
        database_url: str,
        results_url: str,
        aws: dict[str, str],
        **knobs: str,
    ) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        variables = {
            **QUICK,
            "REPORTGEN_REDIS_URL": redis_url,
            "REPORTGEN_DATABASE_URL": database_url,
            "REPORTGEN_RESULTS_URL": results_url,
            **aws,
            **knobs,
        }
        self.env = clean_env(data_dir, **variables)
        self.apis: list[Api] = []
        self.workers: list[Worker] = []
        self._stack = ExitStack()
        self.token, self.admin_token = asyncio.run(self._seed())
        self.headers = {"Authorization": f"Bearer {self.token}"}

    async def _seed(self) -> tuple[str, str]:
        async with seeded_container(self.data_dir, self.env) as container:
            issuer, now = container.token_issuer(), container.clock().now()
            user = issuer.issue("alice", ["analyst"], ["reports:generate"], 3600, now)
            admin = issuer.issue("many-admin", [], ["reports:admin"], 3600, now)
            return user, admin

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *_: object) -> None:
        self._stack.close()

    def start_api(self) -> Api:
        """One more ``reportgen serve``, on a port of its own, answering ``/health``."""
        port = free_port()
        variables = {
            name: value
            for name, value in self.env.items()
            if name.startswith(("REPORTGEN_", "AWS_"))
        }
        name = f"serve-{len(self.apis) + 1}.log"
        process = self._stack.enter_context(serving(self.data_dir, port, name, **variables))
        api = Api(process, f"http://127.0.0.1:{port}")
        self.apis.append(api)
        return api

    def start_worker(self) -> Worker:
        """One more ``reportgen worker``."""
        log = self.data_dir / f"worker-{len(self.workers) + 1}.log"
        worker = Worker(self._stack.enter_context(running_worker(self.env, log)), log)
        self.workers.append(worker)
        return worker

    def add_small_report(self, api: Api) -> None:
        """Add ``SMALL_REPORT`` through ``api``'s admin API: report-123's configuration with
        a 20-row query and no parameters."""
        headers = {"Authorization": f"Bearer {self.admin_token}"}
        url = f"{api.base_url}/api/v1/reports"
        document = httpx.get(f"{url}/report-123", headers=headers, timeout=10).json()
        document.update(id=SMALL_REPORT, name="20 sales", query=SMALL_QUERY, parameters=[])
        httpx.post(url, headers=headers, json=document, timeout=10).raise_for_status()

    @property
    def rows(self) -> RowReader:
        """The job rows, as the shared invariants read them."""
        return postgres_rows(self._dsn)

    @property
    def _dsn(self) -> str:
        return self.database_url.replace("+asyncpg", "")

    def stored_jobs(self) -> dict[str, StoredJob]:
        """Each job row with its recorded file, read straight from PostgreSQL."""

        async def fetch() -> dict[str, StoredJob]:
            connection = await asyncpg.connect(self._dsn, timeout=5)
            try:
                rows = await connection.fetch(
                    "SELECT job_id, status, attempts, result_key, result_size, result_sha256"
                    ' FROM "JobExecutionLog"'
                )
            finally:
                await connection.close()
            return {row[0]: StoredJob(*row[1:]) for row in rows}

        return asyncio.run(fetch())

    def count(self, status: str) -> int:
        """How many jobs have ``status`` now."""

        async def fetch() -> int:
            connection = await asyncpg.connect(self._dsn, timeout=5)
            try:
                query = 'SELECT count(*) FROM "JobExecutionLog" WHERE status = $1'
                return int(await connection.fetchval(query, status))
            finally:
                await connection.close()

        return asyncio.run(fetch())


class Clients:
    """``clients`` concurrent clients on their own event loop (a thread) sending ``requests``
    generate requests of ``report_id`` in all, the n-th to API ``n % len(apis)``.

    ``answers`` holds (the API's index, its answer), in the order they came; leaving the
    ``with`` waits for the clients (at most ``seconds``) and records the answers in
    ``ledger``, or, when the block failed, stops them at once."""

    def __init__(
        self,
        cluster: Cluster,
        report_id: str,
        *,
        requests: int,
        clients: int,
        ledger: Ledger,
        seconds: float,
    ) -> None:
        self._urls = [f"{api.base_url}/api/v1/reports/{report_id}/generate" for api in cluster.apis]
        self._headers = cluster.headers
        self._requests = requests
        self._clients = clients
        self._ledger = ledger
        self._seconds = seconds
        self._sent = 0
        self.answers: list[tuple[int, Answer]] = []
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def __enter__(self) -> "Clients":
        self._thread.start()
        return self

    def __exit__(self, error_type: type[BaseException] | None, *_: object) -> None:
        if error_type is not None:  # the case failed: stop sending, keep its error
            self._sent = self._requests
            self._thread.join(timeout=CLIENT_TIMEOUT_SECONDS + 5)
            return
        self._thread.join(timeout=self._seconds)
        assert not self._thread.is_alive(), (
            f"the clients had {len(self.answers)} of {self._requests} answers"
            f" after {self._seconds} s"
        )
        self._ledger.record(answer for _, answer in self.answers)

    async def _run(self) -> None:
        limits = httpx.Limits(max_connections=self._clients)
        async with httpx.AsyncClient(
            headers=self._headers, timeout=CLIENT_TIMEOUT_SECONDS, limits=limits
        ) as client:
            await asyncio.gather(*(self._client(client) for _ in range(self._clients)))

    async def _client(self, client: httpx.AsyncClient) -> None:
        while self._sent < self._requests:
            api = self._sent % len(self._urls)
            self._sent += 1
            try:
                answer = Answer.of(await client.post(self._urls[api]))
            except httpx.TransportError as error:
                answer = Answer.cut_off(error)
            self.answers.append((api, answer))
