"""``wait`` on a real ``reportgen serve``: it follows the job's server-sent events."""

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
