"""``ReportgenClient`` refused by the real app: each refusal carries its status and message."""

from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from entrypoints.client import ReportgenClient, ReportgenError, ServerUnreachable
from tests.http.client_app import app_client, python_client, sales
from tests.http.conftest import TokenFactory

__all__ = ["app_client", "sales"]  # fixtures

Call = Callable[[ReportgenClient], object]

REFUSALS: dict[str, tuple[dict[str, object], Call, int, str]] = {
    "bad-token": ({}, lambda c: c.list_reports(), 401, ""),
    "no-role": ({"roles": ()}, lambda c: c.generate("report-123"), 403, ""),
    "unknown-report": ({}, lambda c: c.generate("no-such-report"), 404, "not found"),
    "sync-report": ({}, lambda c: c.generate("report-456"), 409, "asynchronous"),
    "bad-parameter": (
        {},
        lambda c: c.generate("report-123", {"start_date": "not-a-date"}),
        422,
        "start_date",
    ),
    "bad-format": ({}, lambda c: c.generate("report-123", format="pdf"), 422, "pdf"),
    "unknown-job": ({}, lambda c: c.status("no-such-job"), 404, "not found"),
}


@pytest.mark.parametrize(
    ("claims", "call", "status", "words"), REFUSALS.values(), ids=REFUSALS.keys()
)
def test_a_refusal_raises_its_status_and_the_servers_message(
    app_client: TestClient,  # type: ignore[type-arg]
    token: TokenFactory,
    claims: dict[str, object],
    call: Call,
    status: int,
    words: str,
) -> None:
    signed = "not-a-token" if status == 401 else token(**claims)
    with python_client(app_client, signed) as client, pytest.raises(ReportgenError) as caught:
        call(client)

    assert caught.value.status == status
    assert caught.value.message
    assert words.lower() in caught.value.message.lower()
    assert not caught.value.message.startswith("HTTP ")  # the server's own sentence


def test_a_server_that_is_not_there_raises_server_unreachable() -> None:
    client = ReportgenClient("http://127.0.0.1:9", "t", timeout=2)
    with client, pytest.raises(ServerUnreachable) as caught:
        client.status("job")

    assert caught.value.status == 0
    assert "127.0.0.1:9" in caught.value.message
