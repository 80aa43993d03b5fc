"""Small parts of the client: ``--param`` parsing, odd answers, refusals with Retry-After."""

import json

import httpx
import pytest

from entrypoints.client import AsyncReportgenClient, ReportgenClient, ReportgenError, TimedOut
from entrypoints.client_commands import UsageError, parameters
from tests.client.fake_server import BASE_URL, job


def test_params_are_text_and_json_where_asked() -> None:
    given = ["region=North", "rows:=5", "exact:=true", "note=a=b", "empty="]

    assert parameters(given) == {
        "region": "North",
        "rows": 5,
        "exact": True,
        "note": "a=b",
        "empty": "",
    }


@pytest.mark.parametrize("pair", ["region", "=North", ":=5", "rows:=five"])
def test_a_malformed_param_is_a_usage_error(pair: str) -> None:
    with pytest.raises(UsageError):
        parameters([pair])


def answering(response: httpx.Response) -> ReportgenClient:
    return ReportgenClient(BASE_URL, "t", transport=httpx.MockTransport(lambda _: response))


def test_a_refusal_keeps_its_retry_after_and_a_body_without_error_its_status_line() -> None:
    limited = httpx.Response(429, json={"error": "Too many jobs."}, headers={"Retry-After": "12"})
    bare = httpx.Response(502, text="<html>Bad gateway</html>")

    with answering(limited) as client, pytest.raises(ReportgenError) as too_many:
        client.generate("report-123")
    with answering(bare) as client, pytest.raises(ReportgenError) as gateway:
        client.status("job")

    assert (too_many.value.status, too_many.value.message) == (429, "Too many jobs.")
    assert too_many.value.retry_after == 12
    assert (gateway.value.status, gateway.value.message) == (502, "HTTP 502 Bad Gateway")
    assert gateway.value.retry_after is None


def test_an_answer_that_is_not_a_job_is_a_clear_error() -> None:
    not_a_job = httpx.Response(200, json={"jobs": []})
    with answering(not_a_job) as client, pytest.raises(ReportgenError) as caught:
        client.status("job")

    assert caught.value.status == 200
    assert caught.value.message.startswith("Unexpected answer")


def test_a_server_that_does_not_answer_in_time_is_timed_out() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = ReportgenClient(BASE_URL, "t", transport=httpx.MockTransport(slow))
    with client, pytest.raises(TimedOut) as caught:
        client.status("job")

    assert caught.value.status == 0
    assert "did not answer in time" in caught.value.message


def test_list_jobs_follows_next_links_on_its_own_base_url() -> None:
    asked: list[httpx.URL] = []
    pages = {
        None: {
            "jobs": [job("Succeeded"), job("Failed")],
            "next": "https://public.example/api/v1/jobs?cursor=abc&limit=2",
        },
        "abc": {"jobs": [job("Queued")], "next": None},
    }

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url)
        return httpx.Response(200, json=pages[request.url.params.get("cursor")])

    client = ReportgenClient(BASE_URL, "t", transport=httpx.MockTransport(answer))
    with client:
        statuses = [j.status for j in client.list_jobs(status="Succeeded", report_id="report-123")]
        first_two = [j.status for j in client.list_jobs(limit=2)]

    assert statuses == ["Succeeded", "Failed", "Queued"]
    assert first_two == ["Succeeded", "Failed"]
    assert [str(url) for url in asked] == [
        f"{BASE_URL}/api/v1/jobs?limit=100&status=Succeeded&reportId=report-123",
        f"{BASE_URL}/api/v1/jobs?cursor=abc&limit=2",
        f"{BASE_URL}/api/v1/jobs?limit=2",
    ]


async def test_the_async_client_lists_every_page_of_jobs_and_reports() -> None:
    pages = {
        "/api/v1/jobs": {"jobs": [job("Running")], "next": "/api/v1/jobs?cursor=j2"},
        "/api/v1/jobs?cursor=j2": {"jobs": [job("Cancelled")], "next": None},
        "/api/v1/reports": {
            "reports": [{"id": "a", "name": "A"}],
            "next": "/api/v1/reports?cursor=a",
        },
        "/api/v1/reports?cursor=a": {"reports": [{"id": "b", "name": "B", "new": 1}], "next": None},
    }

    def answer(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        return httpx.Response(
            200, json=pages[request.url.path + (f"?cursor={cursor}" if cursor else "")]
        )

    transport = httpx.MockTransport(answer)
    async with AsyncReportgenClient(BASE_URL, "t", transport=transport) as client:
        statuses = [j.status async for j in client.list_jobs()]
        reports = [r.id for r in await client.list_reports()]

    assert statuses == ["Running", "Cancelled"]
    assert reports == ["a", "b"]


def test_generate_sends_only_what_it_is_given() -> None:
    sent: list[httpx.Request] = []

    def accept(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(202, json={"jobId": "j", "statusUrl": "http://x/api/v1/jobs/j"})

    client = ReportgenClient(BASE_URL, "t", transport=httpx.MockTransport(accept))
    with client:
        client.generate("report-123")
        client.generate(
            "report-123",
            {"region": "North"},
            format="json",
            idempotency_key="k-1",
            callback_url="https://hooks.example/done",
        )

    assert sent[0].content == b""
    assert "idempotency-key" not in sent[0].headers
    assert json.loads(sent[1].content) == {
        "parameters": {"region": "North"},
        "format": "json",
        "callbackUrl": "https://hooks.example/done",
    }
    assert sent[1].headers["idempotency-key"] == "k-1"
    assert sent[1].headers["authorization"] == "Bearer t"
