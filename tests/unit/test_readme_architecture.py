"""The README's architecture section stays true to the code: every file and name it gives exists."""

import importlib
import re
from pathlib import Path

from tests import fakes, report_fakes

ROOT = Path(__file__).resolve().parents[2]
SECTION = ROOT.joinpath("README.md").read_text().split("## Architecture", 1)[1]
PORT_ROWS = [
    line
    for line in SECTION.splitlines()
    if (line.startswith("| `") and "_ports" in line) or "/ports.py` |" in line
]

ADAPTERS = {
    "SqlAlchemyUnitOfWork": "adapters.sqlalchemy.unit_of_work",
    "SqlAlchemyReportRepository": "adapters.sqlalchemy.report_repository",
    "SqlAlchemyReportHistory": "adapters.sqlalchemy.report_history",
    "SqlAlchemyJobRepository": "adapters.sqlalchemy.job_repository",
    "SystemClock": "adapters.clock",
    "RedisJobChanges": "adapters.announcements.redis",
    "PostgresJobChanges": "adapters.announcements.postgres",
    "LocalJobChanges": "adapters.announcements.local",
    "PyJwtTokenVerifier": "adapters.jwt.verifier",
    "SqlAlchemyDatabase": "adapters.sqlalchemy.engine",
    "ArqJobScheduler": "adapters.arq.scheduler",
    "EmbeddedJobScheduler": "adapters.embedded.scheduler",
    "SqlAlchemyReportCatalog": "adapters.sqlalchemy.report_catalog",
    "CachedTokenVerifier": "adapters.jwt.cache",
    "FileReportRenderer": "adapters.rendering.renderer",
    "LocalResultStore": "adapters.results.local",
    "ObstoreResultStore": "adapters.results.s3",
    "SqlAlchemyReportQueries": "adapters.sqlalchemy.data_sources",
    "HttpxWebhookSender": "adapters.webhooks.httpx_sender",
    "SqlAlchemyCallbackRepository": "adapters.sqlalchemy.callback_repository",
    "BackgroundCallbacks": "adapters.webhooks.background",
    "JsonJobDocuments": "entrypoints.http.job_documents",
}


def cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip("|").split("|")]


def test_every_file_the_section_names_exists() -> None:
    files = set(re.findall(r"`(src/[\w/]+\.py)`", SECTION))
    assert len(files) >= 10
    assert [name for name in sorted(files) if not (ROOT / name).is_file()] == []


def test_every_port_adapter_and_fake_of_the_table_exists_where_it_says() -> None:
    assert len(PORT_ROWS) == 12
    for row in PORT_ROWS:
        ports, where, adapters, fake = cells(row)
        module = importlib.import_module(where.strip("`").removesuffix(".py").replace("/", "."))
        for port in re.findall(r"`(\w+)`", ports):
            assert hasattr(module, port), f"{port} is not in {module.__name__}"
        for adapter in re.findall(r"`(\w+)`", adapters):
            assert hasattr(importlib.import_module(ADAPTERS[adapter]), adapter), adapter
        for name in re.findall(r"`(Fake\w+|InMemory\w+)`", fake):
            assert hasattr(fakes, name) or hasattr(report_fakes, name), name
