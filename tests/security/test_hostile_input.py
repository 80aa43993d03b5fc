"""Hostile input through the real app: each case a clear 4xx naming what is wrong, nothing
created (rows counted before and after), never a 5xx. Every case runs on SQLite; the cases
where PostgreSQL differs (NUL characters, over-long strings) run on PostgreSQL too.
"""

import base64
import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
import sqlalchemy as sa
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.sqlalchemy.demo_data import load_demo_sales
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.tables import job_execution_log, report_configuration, report_history
from entrypoints.container import Container
from entrypoints.http.app import create_app
from tests.fakes import FakeScheduler
from tests.http.conftest import SECRET, issue_token, prepared_container, run_jobs_beside_the_app
from tests.http.jobflow import wait_until_finished
from tests.security.test_token_attacks import hmac_signed, now

GENERATE = "/api/v1/reports/report-123/generate"
REPORTS = "/api/v1/reports"
JOBS = "/api/v1/jobs"
EVIL_SQL = "x' OR '1'='1' --"
TRAVERSAL = "../../../../etc/passwd"


@dataclass(frozen=True)
class Case:
    """One hostile request and the 4xx it must get. ``caller``: ``none``, ``user`` (an
    analyst who may generate) or ``admin``; ``token`` overrides it with a raw token."""

    method: str
    url: str
    status: int
    caller: str = "user"
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str | bytes] = field(default_factory=dict)
    token: Callable[[], str] | str | None = None
    says: str = ""


def signed(header: dict[str, object] | None = None, **claims: object) -> str:
    """A token signed with the service's own secret (so only its claims are wrong)."""
    body: dict[str, object] = {"sub": "alice", "exp": now() + 300, "roles": ["analyst"]}
    body["scope"] = "reports:generate"
    body.update(claims)
    return hmac_signed({"alg": "HS256", **(header or {})}, body, SECRET.encode())


def repeated_sub() -> str:
    payload = f'{{"sub": "alice", "exp": {now() + 300}, "scope": "reports:admin", "sub": "root"}}'
    return hmac_signed({"alg": "HS256"}, payload.encode(), SECRET.encode())


def report_document(**changes: Any) -> dict[str, Any]:
    """A report a POST would accept, with ``changes``."""
    document: dict[str, Any] = {
        "id": "hostile-copy",
        "name": "Hostile copy",
        "dataSource": "demo",
        "query": "SELECT region, amount FROM sales WHERE region = :region",
        "formats": ["csv"],
        "deliveryTargets": [{"type": "api_response", "mode": "async"}],
        "parameters": [{"name": "region", "type": "string"}],
    }
    document.update(changes)
    return document


def cursor_of(created_at: str, job_id: str) -> str:
    raw = json.dumps([created_at, job_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def params(**values: Any) -> dict[str, Any]:
    return {"parameters": values}


# The cases whose answer could depend on the database: strings PostgreSQL cannot hold
# (NUL) or holds only up to a length.
DATABASE_SENSITIVE: dict[str, Case] = {
    "nul-in-sub": Case("GET", JOBS, 401, token=lambda: signed(sub="alice\x00")),
    "sub-over-255": Case("POST", GENERATE, 401, token=lambda: signed(sub="a" * 256)),
    "nul-in-job-id": Case("GET", f"{JOBS}/%00", 404, says="Job not found."),
    "nul-in-job-id-cancel": Case("DELETE", f"{JOBS}/abc%00", 404, says="Job not found."),
    "nul-in-job-id-result": Case("GET", f"{JOBS}/%00/result", 404, says="Job not found."),
    "nul-in-report-id-generate": Case("POST", "/api/v1/reports/report%00/generate", 404),
    "nul-in-report-id-read": Case("GET", f"{REPORTS}/report%00", 404),
    "nul-in-report-id-history": Case("GET", f"{REPORTS}/r%00/history", 404, caller="admin"),
    "nul-in-report-id-delete": Case(
        "DELETE", f"{REPORTS}/r%00", 404, caller="admin", headers={"If-Match": '"1"'}
    ),
    "nul-in-report-id-put": Case(
        "PUT",
        f"{REPORTS}/r%00",
        422,
        caller="admin",
        json=report_document(id="r\x00"),
        headers={"If-Match": '"1"'},
    ),
    "nul-in-report-id-post": Case("POST", REPORTS, 422, "admin", report_document(id="a\x00")),
    "nul-in-report-name": Case(
        "POST", REPORTS, 422, "admin", report_document(name="Sales\x00"), says="name"
    ),
    "nul-in-report-query": Case(
        "POST", REPORTS, 422, "admin", report_document(query="SELECT 1\x00"), says="query"
    ),
    "nul-in-report-description": Case(
        "POST", REPORTS, 422, "admin", report_document(description="\x00"), says="description"
    ),
    "nul-in-allowed-role": Case(
        "POST", REPORTS, 422, "admin", report_document(allowedRoles=["a\x00"]), says="allowedRoles"
    ),
    "nul-in-parameter-value": Case(
        "POST", GENERATE, 422, json=params(region="North\x00"), says="region"
    ),
    "lone-surrogate-in-parameter-value": Case(
        "POST", GENERATE, 400, content=b'{"parameters": {"region": "\\ud800"}}', says="JSON"
    ),
    "nul-in-list-filter": Case("GET", f"{JOBS}?reportId=%00", 400, says="reportId"),
    "nul-in-report-cursor": Case("GET", f"{REPORTS}?cursor=%00", 400, says="cursor"),
    "nul-in-job-cursor": Case(
        "GET", JOBS + "?cursor=" + cursor_of("2026-01-01T00:00:00+00:00", "a\x00"), 400
    ),
    "report-id-over-64": Case("POST", f"/api/v1/reports/{'a' * 300}/generate", 404),
    "report-name-over-255": Case(
        "POST", REPORTS, 422, "admin", report_document(name="n" * 300), says="name"
    ),
    "data-source-over-64": Case(
        "POST", REPORTS, 422, "admin", report_document(dataSource="d" * 300), says="dataSource"
    ),
    "job-id-over-36": Case("GET", f"{JOBS}/{'f' * 300}", 404, says="Job not found."),
}

EVERYWHERE: dict[str, Case] = {
    # Tokens: forged, unsigned, confused, ill-typed (more in test_http_tokens).
    "alg-none": Case("POST", GENERATE, 401, token=jwt.encode({"sub": "a"}, None, algorithm="none")),
    "jku-to-an-attacker": Case("POST", GENERATE, 401, token="set by the test"),
    "x5u-to-an-attacker": Case("POST", GENERATE, 401, token="set by the test"),
    "kid-path-traversal": Case(
        "POST",
        GENERATE,
        401,
        token=lambda: jwt.encode(
            {"sub": "a", "exp": now() + 60},
            "attacker-key-of-32-bytes-or-more!!",
            headers={"kid": TRAVERSAL},
        ),
    ),
    "expired": Case("POST", GENERATE, 401, token=lambda: signed(exp=now() - 3600), says="expired"),
    "not-yet-valid": Case("POST", GENERATE, 401, token=lambda: signed(nbf=now() + 3600)),
    "exp-as-text": Case("POST", GENERATE, 401, token=lambda: signed(exp=str(now() + 300))),
    "exp-1e20": Case("POST", GENERATE, 401, token=lambda: signed(exp=1e20)),
    "exp-beyond-a-day": Case("POST", GENERATE, 401, token=lambda: signed(exp=now() + 90_000)),
    "sub-named-twice": Case("POST", REPORTS, 401, json=report_document(), token=repeated_sub),
    "scope-split-on-a-tab": Case(
        "POST", GENERATE, 403, token=lambda: signed(scope="x\treports:generate"), says="scope"
    ),
    "token-over-8-kib": Case("POST", GENERATE, 401, token=lambda: signed(pad="p" * 9000)),
    "token-not-ascii": Case(
        "POST", GENERATE, 401, headers={"Authorization": "Bearer \xe9.\xe9.\xe9".encode("latin-1")}
    ),
    "bearer-without-token": Case("POST", GENERATE, 401, headers={"Authorization": "Bearer "}),
    # Mass assignment: fields the server owns, or no one declared.
    "generate-with-job-fields": Case(
        "POST", GENERATE, 400, json={"status": "Succeeded", "requestedBy": "root"}
    ),
    "generate-with-job-id": Case("POST", GENERATE, 400, json={"jobId": "0" * 36}),
    "report-with-unknown-field": Case(
        "POST", REPORTS, 400, "admin", report_document(owner="mallory")
    ),
    "report-target-with-unknown-field": Case(
        "POST",
        REPORTS,
        400,
        "admin",
        report_document(deliveryTargets=[{"type": "api_response", "mode": "async", "x": 1}]),
    ),
    # SQL text and path traversal wherever a string reaches the service.
    "sql-in-report-id": Case("POST", f"/api/v1/reports/{EVIL_SQL}/generate", 404),
    "traversal-in-report-id": Case("POST", "/api/v1/reports/..%2F..%2Fetc/generate", 404),
    "sql-in-job-id": Case("GET", f"{JOBS}/{EVIL_SQL}", 404, says="Job not found."),
    "traversal-in-job-id": Case("GET", f"{JOBS}/..%2F..%2Fetc%2Fpasswd/result", 404),
    "sql-in-status-filter": Case("GET", f"{JOBS}?status={EVIL_SQL}", 400, says="status"),
    "sql-in-cursor": Case("GET", f"{JOBS}?cursor={EVIL_SQL}", 400, says="cursor"),
    "sql-in-new-report-id": Case("POST", REPORTS, 422, "admin", report_document(id=EVIL_SQL)),
    "traversal-in-new-report-id": Case(
        "POST", REPORTS, 422, "admin", report_document(id=TRAVERSAL), says="id"
    ),
    "newline-in-new-report-id": Case(
        "POST", REPORTS, 422, "admin", report_document(id="evil\n"), says="id"
    ),
    "newline-in-parameter-name": Case(
        "POST",
        REPORTS,
        422,
        "admin",
        report_document(parameters=[{"name": "region\n", "type": "string"}]),
        says="parameters[0].name",
    ),
    "newline-in-recipient": Case(
        "POST",
        REPORTS,
        422,
        "admin",
        report_document(
            deliveryTargets=[{"type": "email", "recipients": ["a@example.com\nBcc: x@y.z"]}]
        ),
        says="recipients",
    ),
    "undeclared-data-source": Case(
        "POST", REPORTS, 422, "admin", report_document(dataSource=TRAVERSAL), says="dataSource"
    ),
    "write-query": Case(
        "POST", REPORTS, 422, "admin", report_document(query="DELETE FROM sales"), says="query"
    ),
    "two-statements": Case(
        "POST", REPORTS, 422, "admin", report_document(query="SELECT 1; DROP TABLE sales")
    ),
    "undeclared-parameter": Case("POST", GENERATE, 422, json=params(region_or_1=1)),
    # Huge and deep bodies.
    "json-nested-5000-deep": Case("POST", GENERATE, 400, content=b"[" * 5000 + b"]" * 5000),
    "parameters-nested-5000-deep": Case(
        "POST",
        GENERATE,
        400,
        content=b'{"parameters": {"region": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
    ),
    "admin-json-nested-5000-deep": Case("POST", REPORTS, 400, "admin", content=b'{"a":' * 5000),
    "body-over-64-kib": Case("POST", GENERATE, 413, json=params(region="r" * 70_000)),
    "admin-body-over-256-kib": Case(
        "POST", REPORTS, 413, "admin", report_document(description="d" * 300_000)
    ),
    "string-over-1000": Case("POST", GENERATE, 422, json=params(region="r" * 1001)),
    "many-parameters": Case(
        "POST", GENERATE, 422, json={"parameters": {f"p{i}": i for i in range(3000)}}
    ),
    # Bytes that are no UTF-8, and numbers JSON should not hold.
    "invalid-utf8": Case("POST", GENERATE, 400, content=b'{"parameters": {"region": "\xff"}}'),
    "overlong-utf8": Case("POST", GENERATE, 400, content=b'{"parameters": {"region": "\xc0\xaf"}}'),
    "latin1-body": Case("POST", GENERATE, 400, content='{"format": "csv\xe9"}'.encode("latin-1")),
    "nan": Case("POST", GENERATE, 400, content=b'{"parameters": {"region": NaN}}'),
    "infinity": Case("POST", GENERATE, 400, content=b'{"parameters": {"region": Infinity}}'),
    "number-beyond-a-double": Case(
        "POST", GENERATE, 400, content=b'{"parameters": {"start_date": 1e999}}'
    ),
    "integer-of-5000-digits": Case(
        "POST", GENERATE, 400, content=b'{"parameters": {"start_date": ' + b"9" * 5000 + b"}}"
    ),
    "huge-integer-as-date": Case("POST", GENERATE, 422, json=params(start_date=10**30)),
    "list-limit": Case("GET", f"{JOBS}?limit=99999999999999999999", 400, says="limit"),
    "limit-not-a-number": Case("GET", f"{JOBS}?limit=NaN", 400, says="limit"),
    # Dates out of range, and a range that ends before it starts.
    "year-zero": Case("POST", GENERATE, 422, json=params(start_date="0000-01-01")),
    "year-five-digits": Case("POST", GENERATE, 422, json=params(start_date="10000-01-01")),
    "month-13": Case("POST", GENERATE, 422, json=params(end_date="2025-13-01")),
    "february-30": Case("POST", GENERATE, 422, json=params(end_date="2025-02-30")),
    "date-with-time": Case("POST", GENERATE, 422, json=params(end_date="2025-01-01T00:00:00")),
    "range-backwards": Case(
        "POST",
        GENERATE,
        400,
        json=params(start_date="2025-03-01", end_date="2025-01-31"),
        says="'start_date' (2025-03-01) is after 'end_date' (2025-01-31)",
    ),
    "bad-format": Case("POST", GENERATE, 422, json={"format": "../../x.csv"}, says="Format"),
    # Headers.
    "if-match-unquoted": Case(
        "DELETE", f"{REPORTS}/report-123", 400, "admin", headers={"If-Match": "1"}
    ),
    "if-match-weak": Case(
        "DELETE", f"{REPORTS}/report-123", 412, "admin", headers={"If-Match": 'W/"1"'}
    ),
    "foreign-host": Case("POST", GENERATE, 400, headers={"Host": "evil.example.net"}),
}


async def row_counts(container: Container) -> dict[str, int]:
    """How many rows each table of the service holds, read on an engine of its own."""
    engine = create_engine(container.settings().database_url)
    try:
        async with engine.connect() as connection:
            return {
                table.name: (
                    await connection.execute(sa.select(sa.func.count()).select_from(table))
                ).scalar_one()
                for table in (job_execution_log, report_configuration, report_history)
            }
    finally:
        await engine.dispose()


async def client_for(
    env: dict[str, str], *, run_jobs: bool = False
) -> AsyncIterator[AsyncTestClient]:
    container = await prepared_container(env)
    await load_demo_sales(container.settings().data_sources["demo"], rows=100)
    if run_jobs:
        run_jobs_beside_the_app(container)
    else:
        container.scheduler.override(providers.Object(FakeScheduler()))
    async with AsyncTestClient(app=create_app(container)) as client:
        client.container = container  # type: ignore[attr-defined]
        yield client
    await container.engine().dispose()


@pytest.fixture
async def sqlite_client(tmp_path: Path) -> AsyncIterator[AsyncTestClient]:
    env = {"REPORTGEN_DATA_DIR": str(tmp_path), "REPORTGEN_JWT_SECRET": SECRET}
    async for client in client_for(env):
        yield client


@pytest.fixture
async def postgres_client(tmp_path: Path, postgres_url: str) -> AsyncIterator[AsyncTestClient]:
    env = {
        "REPORTGEN_DATA_DIR": str(tmp_path),
        "REPORTGEN_JWT_SECRET": SECRET,
        "REPORTGEN_DATABASE_URL": postgres_url,
    }
    async for client in client_for(env):
        yield client


@pytest.fixture
def attacker_url() -> Any:
    """A listening socket that no token's ``jku``/``x5u`` may make the service fetch from."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        yield listener, f"http://127.0.0.1:{listener.getsockname()[1]}/jwks.json"


def token_for(case: Case, container: Container, url: str) -> str | None:
    if case.token == "set by the test":
        header = "jku" if case is EVERYWHERE["jku-to-an-attacker"] else "x5u"
        return jwt.encode(
            {"sub": "alice", "exp": now() + 60, "scope": "reports:generate"},
            "attacker-key-of-32-bytes-or-more!!",
            headers={header: url},
        )
    if callable(case.token):
        return case.token()
    if case.token is not None:
        return case.token
    scopes = {"none": None, "user": ("reports:generate",), "admin": ("reports:admin",)}[case.caller]
    return None if scopes is None else issue_token(container, scopes=scopes)


async def assert_refused_and_nothing_created(
    client: AsyncTestClient, case: Case, attacker: tuple[socket.socket, str]
) -> None:
    container: Container = client.container  # type: ignore[attr-defined]
    before = await row_counts(container)
    token = token_for(case, container, attacker[1])
    headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **case.headers}
    if case.json is not None:
        headers.setdefault("Content-Type", "application/json")
    answered = await client.request(
        case.method,
        case.url,
        headers=headers,
        content=case.content
        if case.content is not None
        else (None if case.json is None else json.dumps(case.json).encode()),
    )

    assert answered.status_code == case.status, answered.text
    error = answered.json()["error"]
    assert isinstance(error, str)
    assert error
    assert case.says in error
    assert await row_counts(container) == before
    with pytest.raises(BlockingIOError):
        attacker[0].accept()  # nothing came to fetch a key


async def test_the_request_the_hostile_cases_start_from_is_accepted(
    sqlite_client: AsyncTestClient,
) -> None:
    container: Container = sqlite_client.container  # type: ignore[attr-defined]
    admin = {"Authorization": f"Bearer {issue_token(container, scopes=('reports:admin',))}"}
    user = {"Authorization": f"Bearer {issue_token(container)}"}

    created = await sqlite_client.post(REPORTS, json=report_document(), headers=admin)
    accepted = await sqlite_client.post(
        GENERATE, json=params(start_date="2025-01-31", end_date="2025-01-31"), headers=user
    )

    assert created.status_code == 201, created.text
    assert accepted.status_code == 202, accepted.text


@pytest.mark.parametrize(
    "case",
    [*EVERYWHERE.values(), *DATABASE_SENSITIVE.values()],
    ids=[*EVERYWHERE, *DATABASE_SENSITIVE],
)
async def test_hostile_input_is_a_clear_4xx_and_creates_nothing_on_sqlite(
    sqlite_client: AsyncTestClient, case: Case, attacker_url: tuple[socket.socket, str]
) -> None:
    await assert_refused_and_nothing_created(sqlite_client, case, attacker_url)


@pytest.mark.parametrize("case", DATABASE_SENSITIVE.values(), ids=DATABASE_SENSITIVE)
async def test_hostile_input_is_a_clear_4xx_and_creates_nothing_on_postgresql(
    postgres_client: AsyncTestClient, case: Case, attacker_url: tuple[socket.socket, str]
) -> None:
    await assert_refused_and_nothing_created(postgres_client, case, attacker_url)


@pytest.fixture
async def running_client(tmp_path: Path) -> AsyncIterator[AsyncTestClient]:
    env = {"REPORTGEN_DATA_DIR": str(tmp_path), "REPORTGEN_JWT_SECRET": SECRET}
    async for client in client_for(env, run_jobs=True):
        yield client


@pytest.mark.parametrize(
    "region", [EVIL_SQL, "North' OR '1'='1", TRAVERSAL, "North; DROP TABLE sales"]
)
async def test_sql_and_paths_in_a_parameter_value_are_data_matching_no_row(
    running_client: AsyncTestClient, region: str
) -> None:
    container: Container = running_client.container  # type: ignore[attr-defined]
    token = issue_token(container)
    rows = {}
    for value in ("North", region):
        accepted = await running_client.post(
            GENERATE, json=params(region=value), headers={"Authorization": f"Bearer {token}"}
        )
        assert accepted.status_code == 202, accepted.text
        job = await wait_until_finished(running_client, token, accepted.json()["jobId"])
        assert job["status"] == "Succeeded", job
        assert job["result"]["fileName"] == f"report-123-{job['jobId'][:8]}.csv"
        rows[value] = job["result"]["rowCount"]

    assert rows["North"] > 0
    assert rows[region] == 0
