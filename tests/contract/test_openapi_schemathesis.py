"""The OpenAPI document tells the truth: schemathesis drives a real ``reportgen serve`` from the
app's own document (the one serve serves, checked below), with valid and invalid input, as an
analyst and as an administrator, and checks every answer against it.

Each answer must be no server error, have a documented status code, content type and headers,
and a body that fits the documented schema. The ids schemathesis makes up are mapped, most of
the time, onto jobs and reports that exist (a result of each format, a cancelled job, the demo
reports), so that files, ranges, 304s and conflicts are answered too, not only 404s. The seed is
fixed: each run sends the same examples.
"""

import asyncio
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis import Case

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.http.conftest import SECRET, issue_token
from tests.integration.seeded import seeded_container
from tests.integration.test_cli_serve import free_port, serving

#: Examples per operation and caller: enough to reach each documented answer, few enough for the
#: whole suite to take about a minute on two cores.
MAX_EXAMPLES = 30
JOB_SECONDS = 30
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261128,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "mode": "all",
            "database": "none",
        },
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_headers_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
        },
    }
)
CALLERS = {
    "analyst": {"sub": "alice", "roles": ("analyst",), "scopes": ("reports:generate",)},
    "administrator": {"sub": "root", "roles": (), "scopes": ("reports:admin",)},
}
DEMO_REPORTS = ["report-123", "report-456", "report-789"]


class Service:
    """A running ``reportgen serve``: its URL, a token per caller, the ids worth asking about."""

    def __init__(self, base_url: str, tokens: dict[str, str], job_ids: list[str]) -> None:
        self.base_url = base_url
        self.tokens = tokens
        self.job_ids = job_ids
        self.exercised: Counter[str] = Counter()


async def _prepare(data_dir: Path) -> dict[str, str]:
    async with seeded_container(data_dir, {"REPORTGEN_JWT_SECRET": SECRET}) as container:
        return {
            name: issue_token(container, ttl=1800, **claims)  # type: ignore[arg-type]
            for name, claims in CALLERS.items()
        }


def _jobs(base_url: str, token: str) -> list[str]:
    """A succeeded job of each format, and one cancelled: their ids."""
    headers = {"Authorization": f"Bearer {token}"}
    job_ids = []
    for file_format in ("csv", "json", "xlsx", "csv"):
        accepted = httpx.post(
            f"{base_url}/api/v1/reports/report-123/generate",
            json={"parameters": {"region": "North"}, "format": file_format},
            headers=headers,
            timeout=10,
        )
        assert accepted.status_code == 202, accepted.text
        job_ids.append(accepted.json()["jobId"])
    httpx.delete(f"{base_url}/api/v1/jobs/{job_ids[-1]}", headers=headers, timeout=10)
    with httpx.Client(headers=headers, timeout=10) as client:
        for job_id in job_ids:
            _wait_until_finished(client, f"{base_url}/api/v1/jobs/{job_id}")
    return job_ids


def _wait_until_finished(client: httpx.Client, url: str) -> None:
    deadline = time.monotonic() + JOB_SECONDS
    while client.get(url).json()["status"] not in {"Succeeded", "Failed", "Cancelled"}:
        assert time.monotonic() < deadline, f"{url} did not finish in {JOB_SECONDS} s"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    data_dir = tmp_path_factory.mktemp("contract")
    tokens = asyncio.run(_prepare(data_dir))
    port = free_port()
    with serving(data_dir, port, REPORTGEN_JWT_SECRET=SECRET):
        base_url = f"http://127.0.0.1:{port}"
        yield Service(base_url, tokens, _jobs(base_url, tokens["analyst"]))


def _document() -> dict[str, Any]:
    """The app's document, built as ``reportgen serve`` builds it (nothing connects)."""
    with tempfile.TemporaryDirectory() as data_dir:
        env = {"REPORTGEN_DATA_DIR": data_dir, "REPORTGEN_JWT_SECRET": SECRET}
        return create_app(build_container(Settings.from_env(env))).openapi_schema.to_schema()


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)


def test_the_service_serves_the_document_the_suite_checks(service: Service) -> None:
    served = httpx.get(f"{service.base_url}/schema/openapi.json", timeout=10)
    assert served.status_code == 200
    assert served.json() == DOCUMENT


def _known(made_up: str, known: list[str]) -> str:
    """``made_up`` itself, or (most of the time) one of ``known``, always the same for it."""
    choice = zlib.crc32(made_up.encode("utf-8", "surrogatepass")) % (len(known) + 1)
    return made_up if choice == len(known) else known[choice]


@schema.parametrize()
def test_every_answer_to_an_analyst_is_documented_and_no_server_error(
    case: Case, service: Service
) -> None:
    _call_and_validate(case, service, "analyst")


@schema.parametrize()
def test_every_answer_to_an_administrator_is_documented_and_no_server_error(
    case: Case, service: Service
) -> None:
    _call_and_validate(case, service, "administrator")


def _call_and_validate(case: Case, service: Service, caller: str) -> None:
    path = case.path_parameters or {}
    if isinstance(path.get("job_id"), str):
        path["job_id"] = _known(path["job_id"], service.job_ids)
    if isinstance(path.get("report_id"), str):
        path["report_id"] = _known(path["report_id"], DEMO_REPORTS)
    service.exercised[f"{case.method} {case.path}"] += 1
    case.call_and_validate(
        base_url=service.base_url, headers={"Authorization": f"Bearer {service.tokens[caller]}"}
    )


def test_every_documented_operation_was_exercised(
    service: Service, capsys: pytest.CaptureFixture[str]
) -> None:
    operations = {
        f"{method.upper()} {path}"
        for path, item in DOCUMENT["paths"].items()
        for method in item
        if method in {"get", "head", "post", "put", "delete"}
    }
    with capsys.disabled():
        counts = ", ".join(f"{name}: {service.exercised[name]}" for name in sorted(operations))
        print(
            f"\nschemathesis: {len(operations)} operations, {service.exercised.total()} "
            f"examples ({counts})"
        )
    assert {name for name in operations if service.exercised[name]} == operations
