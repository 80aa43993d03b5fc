"""``wait`` on a real ``reportgen serve``: it follows the job's server-sent events."""

from collections.abc import Iterator

import httpx

from entrypoints.client import Job, ReportgenClient
from tests.integration.client.service import Service


class Recording(httpx.HTTPTransport):
    """A real HTTP transport that notes each request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return super().handle_request(request)


def test_wait_follows_the_job_events_of_a_real_server_until_it_ends(service: Service) -> None:
    transport = Recording()
    seen: list[Job] = []
    token = service.token("follower", "analyst")

    with ReportgenClient(service.base_url, token, transport=transport) as client:
        accepted = client.generate("report-123")
        job = client.wait(accepted.job_id, timeout=60, on_progress=seen.append)
        again = client.wait(accepted.job_id, timeout=5)

    assert job.status == "Succeeded"
    assert job.result is not None
    assert seen[-1] == job
    assert [j.status for j in seen][-1] == "Succeeded"
    paths = [request.url.path for request in transport.sent]
    assert paths.count(f"/api/v1/jobs/{accepted.job_id}/events") == 1
    assert not any("wait" in request.url.params for request in transport.sent)  # no polls
    assert again == job


class CutAfterFirstEvent(httpx.SyncByteStream):
    """A real answer's bytes up to the end of its first event, then a dropped connection."""

    def __init__(self, inner: httpx.SyncByteStream) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        received = b""
        for chunk in self._inner:
            received += chunk
            text = received.replace(b"\r\n", b"\n")
            start = text.find(b"id:")
            end = text.find(b"\n\n", start)
            if start >= 0 and end >= 0:
                yield text[: end + 2]
                raise httpx.RemoteProtocolError("peer closed connection")
        yield received

    def close(self) -> None:
        self._inner.close()


class DropsTheFirstStream(Recording):
    """The network drops the first event stream after its first event."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        streams = [r for r in self.sent if r.url.path.endswith("/events")]
        if request.url.path.endswith("/events") and len(streams) == 1:
            assert isinstance(response.stream, httpx.SyncByteStream)
            response.stream = CutAfterFirstEvent(response.stream)
        return response


def test_wait_resumes_a_dropped_stream_from_its_last_event_id(service: Service) -> None:
    transport = DropsTheFirstStream()
    token = service.token("resumer", "analyst")

    with ReportgenClient(service.base_url, token, transport=transport) as client:
        accepted = client.generate("report-123")
        job = client.wait(accepted.job_id, timeout=60)

    assert job.status == "Succeeded"
    streams = [r for r in transport.sent if r.url.path.endswith("/events")]
    assert len(streams) == 2
    assert "last-event-id" not in streams[0].headers
    assert streams[1].headers["last-event-id"].count(".") == 2  # the server's id of the state
