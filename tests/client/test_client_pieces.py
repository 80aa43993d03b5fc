"""Small parts of the client: ``--param`` parsing, odd answers, refusals with Retry-After."""

import httpx
import pytest

from entrypoints.client import ReportgenClient, ReportgenError, TimedOut
from entrypoints.client_commands import UsageError, parameters
from tests.client.fake_server import BASE_URL


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
