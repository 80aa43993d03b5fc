"""The document lists what the server answers on any route before the app sees a request: 408
for a request too slow to come, 431 for a head too large; and the Retry-After of generate's
429 and 409."""

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

GENERATE = "/api/v1/reports/{report_id}/generate"
#: What ``reportgen serve`` sends (``tests/integration/test_slow_clients`` checks it does).
REFUSALS = {
    "408": {"The request head came too slowly.", "The request body came too slowly."},
    "431": {"The request head is too large."},
}


@pytest.fixture
async def document(client: AsyncTestClient) -> dict[str, Any]:
    body: dict[str, Any] = (await client.get("/schema/openapi.json")).json()
    return body


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "head", "post", "put", "delete"}
    ]


async def test_every_operation_documents_the_408_and_431_the_server_sends(
    document: dict[str, Any],
) -> None:
    for method, path, operation in _operations(document):
        for status, messages in REFUSALS.items():
            answer = operation["responses"][status]
            assert "X-Request-ID" not in answer.get("headers", {}), (method, path, status)
            if method == "head":
                assert "content" not in answer, (path, status)
                continue
            content = answer["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
            examples = {example["value"]["error"] for example in content["examples"].values()}
            assert examples == messages, (method, path, status)


async def test_generate_documents_the_retry_after_of_its_429(document: dict[str, Any]) -> None:
    too_many = document["paths"][GENERATE]["post"]["responses"]["429"]

    assert too_many["headers"]["Retry-After"]["required"] is True
    assert too_many["headers"]["Retry-After"]["schema"] == {"type": "string"}


async def test_generate_documents_the_retry_after_of_its_409_for_a_key_in_flight(
    document: dict[str, Any],
) -> None:
    conflict = document["paths"][GENERATE]["post"]["responses"]["409"]

    assert conflict["headers"]["Retry-After"]["required"] is False  # only for a key in flight
    assert conflict["headers"]["Retry-After"]["schema"] == {"type": "string"}
    assert "Idempotency-Key" in conflict["headers"]["Retry-After"]["description"]
