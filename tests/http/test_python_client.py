"""``ReportgenClient`` against the real app: generate, wait, download, cancel, list."""

import hashlib
from pathlib import Path

import pytest
from litestar.testing import TestClient

from entrypoints.client import ChecksumMismatch, ReportgenClient, ReportgenError
from entrypoints.container import Container
from tests.http.client_app import OldServerTransport, app_client, python_client, sales
from tests.http.conftest import TokenFactory

__all__ = ["app_client", "sales"]  # fixtures


def downloads(data_dir: Path) -> Path:
    """A directory for downloads, apart from the service's files."""
    folder = data_dir / "downloads"
    folder.mkdir()
    return folder


def test_a_generated_report_is_waited_for_and_downloaded_with_its_checksum_checked(
    app_client: TestClient,
    token: TokenFactory,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    seen: list[str] = []
    with python_client(app_client, token()) as client:
        accepted = client.generate("report-123", {"region": "North"}, format="csv")
        job = client.wait(accepted.job_id, timeout=30, on_progress=lambda j: seen.append(j.status))
        path = client.download(accepted.job_id, downloads(tmp_path) / "north.csv")

    assert accepted.status_url.endswith(f"/api/v1/jobs/{accepted.job_id}")
    assert job.status == "Succeeded"
    assert seen[-1] == "Succeeded"
    assert job.result is not None
    assert path == tmp_path / "downloads" / "north.csv"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == job.result.sha256
    assert path.read_text().splitlines()[0].startswith("id,sale_date,region")
    assert [p.name for p in path.parent.iterdir()] == ["north.csv"]  # no temporary file left


def test_a_download_into_a_directory_takes_the_file_name_the_server_gives(
    app_client: TestClient,
    token: TokenFactory,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    with python_client(app_client, token()) as client:
        accepted = client.generate("report-123", format="json")
        job = client.wait(accepted.job_id, timeout=30)
        path = client.download(accepted.job_id, downloads(tmp_path))

    assert job.result is not None
    assert path == tmp_path / "downloads" / job.result.file_name
    assert path.read_text().startswith("[")


def test_a_file_that_is_not_the_jobs_raises_a_checksum_mismatch_and_leaves_nothing(
    app_client: TestClient,
    token: TokenFactory,
    tmp_path: Path,
    container: Container,  # type: ignore[type-arg]
) -> None:
    with python_client(app_client, token()) as client:
        accepted = client.generate("report-123")
        client.wait(accepted.job_id, timeout=30)
        results = Path(container.settings().data_dir) / "results"
        [stored] = [p for p in results.rglob("*") if accepted.job_id in p.name]
        stored.write_bytes(stored.read_bytes().replace(b"North", b"South"))
        target = downloads(tmp_path)
        with pytest.raises(ChecksumMismatch) as caught:
            client.download(accepted.job_id, target / "report.csv")

    assert caught.value.status == 0
    assert "SHA-256" in caught.value.message
    assert list(target.iterdir()) == []


def test_a_queued_job_is_cancelled_and_listed(
    app_client: TestClient,
    token: TokenFactory,  # type: ignore[type-arg]
) -> None:
    with python_client(app_client, token(sub="carol")) as client:
        finished = client.generate("report-123")
        client.wait(finished.job_id, timeout=30)
        ids = [client.generate("report-123", {"region": "East"}).job_id for _ in range(3)]
        cancelled = client.cancel(ids[-1])
        listed = [job.job_id for job in client.list_jobs()]
        only_two = [job.job_id for job in client.list_jobs(limit=2)]
        with pytest.raises(ReportgenError) as again:
            client.cancel(finished.job_id)

    assert cancelled.status in {"Cancelled", "Succeeded"}
    assert set(listed) == {finished.job_id, *ids}
    assert only_two == listed[:2]
    assert again.value.status == 409
    assert "already finished" in again.value.message


def test_reports_are_listed_and_read(
    app_client: TestClient,
    token: TokenFactory,  # type: ignore[type-arg]
) -> None:
    with python_client(app_client, token()) as client:
        reports = client.list_reports()
        report = client.get_report("report-123")

    assert [r.id for r in reports] == ["report-123", "report-456", "report-789"]
    assert report.runs_async
    assert {p.name for p in report.parameters} >= {"region", "start_date", "end_date"}
    assert not next(r for r in reports if r.id == "report-456").runs_async


def test_without_an_event_stream_wait_polls_with_the_server_holding_the_answer(
    app_client: TestClient,  # type: ignore[type-arg]
    token: TokenFactory,
) -> None:
    transport = OldServerTransport(app_client)
    base_url = str(app_client.base_url)
    with ReportgenClient(base_url, token(), timeout=10, transport=transport) as client:
        accepted = client.generate("report-123", {"region": "South"})
        job = client.wait(accepted.job_id, timeout=30)

    assert job.status == "Succeeded"
    asked = [(r.url.path.rsplit("/", 1)[-1], r.url.params.get("wait")) for r in transport.requests]
    assert asked[:3] == [("generate", None), (accepted.job_id, None), ("events", None)]
    assert set(asked[3:]) == {(accepted.job_id, "10")}
