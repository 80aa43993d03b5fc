"""The OpenAPI document lists for each operation exactly the answers it can give, with their
real shapes; ``HEAD`` on a result answers what ``GET`` would, without the file."""

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from adapters.sqlalchemy.demo_data import load_demo_sales
from entrypoints.container import Container
from tests.http.conftest import TokenFactory, bearer
from tests.http.jobflow import generate, wait_until_finished

RESULT = "/api/v1/jobs/{job_id}/result"
#: What each operation can answer: its success, and each error its code paths raise.
ANSWERS = {
    ("post", "/api/v1/reports/{report_id}/generate"): {
        "200", "202", "400", "401", "403", "404", "409", "413", "422", "429", "503"
    },
    ("get", "/api/v1/jobs/{job_id}"): {"200", "400", "401", "403", "404", "503"},
    ("get", "/api/v1/jobs/{job_id}/events"): {"200", "204", "401", "403", "404", "503"},
    ("delete", "/api/v1/jobs/{job_id}"): {"200", "401", "403", "404", "409", "503"},
    ("get", "/api/v1/jobs"): {"200", "400", "401", "403", "503"},
    ("get", "/api/v1/jobs/{job_id}/deliveries"): {"200", "401", "403", "404", "503"},
    ("get", RESULT): {"200", "206", "304", "401", "403", "404", "409", "410", "416", "503"},
    ("head", RESULT): {"200", "206", "304", "401", "403", "404", "409", "410", "416", "503"},
    ("get", "/api/v1/reports"): {"200", "400", "401", "503"},
    ("get", "/api/v1/reports/{report_id}"): {"200", "401", "404", "503"},
    ("post", "/api/v1/reports"): {"201", "400", "401", "403", "409", "413", "422", "503"},
    ("put", "/api/v1/reports/{report_id}"): {
        "200", "400", "401", "403", "404", "412", "413", "422", "428", "503"
    },
    ("delete", "/api/v1/reports/{report_id}"): {
        "204", "400", "401", "403", "404", "412", "428", "503"
    },
    ("get", "/api/v1/reports/{report_id}/history"): {"200", "401", "403", "404", "503"},
    ("get", "/health"): {"200"},
    ("get", "/health/ready"): {"200", "503"},
    ("get", "/metrics"): {"200"},
}  # fmt: skip
#: What the server itself answers on any route before the app sees the request.
SERVER_REFUSALS = {"408", "431"}
FILE_TYPES = {
    "text/csv",
    "application/json",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@pytest.fixture
async def document(client: AsyncTestClient) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    methods = {"get", "head", "post", "put", "delete"}
    return {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in methods
    }


async def test_each_operation_lists_exactly_the_answers_it_can_give(
    document: dict[str, Any],
) -> None:
    listed = {key: set(op["responses"]) for key, op in operations(document).items()}
    assert listed == {key: answers | SERVER_REFUSALS for key, answers in ANSWERS.items()}


async def test_every_error_answer_is_the_error_body_with_an_example(
    document: dict[str, Any],
) -> None:
    for (method, path), operation in operations(document).items():
        for status, answer in operation["responses"].items():
            if int(status) < 400 or path.startswith("/health"):
                continue
            if method == "head":
                assert "content" not in answer, (method, path, status)
                continue
            content = answer["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ErrorBody"}, (path, status)
            examples = list(content["examples"].values())
            assert set(examples[0]["value"]) == {"error"}, (method, path, status)


async def test_401_and_503_document_their_challenge_and_retry_headers(
    document: dict[str, Any],
) -> None:
    for (_, path), operation in operations(document).items():
        answers = operation["responses"]
        if path.startswith("/api/v1/"):
            assert answers["401"]["headers"]["WWW-Authenticate"]["required"] is True
            assert answers["503"]["headers"]["Retry-After"]["required"] is True


async def test_the_result_is_a_file_in_the_media_types_of_the_report_formats(
    document: dict[str, Any],
) -> None:
    answers = document["paths"][RESULT]["get"]["responses"]
    assert set(answers["200"]["content"]) == FILE_TYPES
    assert answers["200"]["content"]["text/csv"]["schema"] == {
        "type": "string",
        "format": "binary",
    }
    assert answers["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert set(answers["206"]["content"]) == FILE_TYPES
    assert answers["206"]["headers"]["Content-Range"]["required"] is True
    assert {"ETag", "Content-Length", "Content-Disposition"} <= set(answers["200"]["headers"])
    assert "content" not in answers["304"]


async def test_metrics_are_prometheus_text(
    document: dict[str, Any], client: AsyncTestClient
) -> None:
    answer = document["paths"]["/metrics"]["get"]["responses"]["200"]
    assert set(answer["content"]) == {"text/plain"}
    assert (await client.get("/metrics")).headers["content-type"].startswith("text/plain")


async def test_the_headers_the_routes_read_are_documented_parameters(
    document: dict[str, Any],
) -> None:
    def headers(method: str, path: str) -> set[str]:
        parameters = document["paths"][path][method].get("parameters", [])
        return {p["name"] for p in parameters if p["in"] == "header"}

    assert headers("get", RESULT) == {"If-None-Match", "Range", "If-Range"}
    assert headers("head", RESULT) == {"If-None-Match", "Range", "If-Range"}
    assert headers("put", "/api/v1/reports/{report_id}") == {"If-Match"}
    assert headers("delete", "/api/v1/reports/{report_id}") == {"If-Match"}


async def test_head_on_a_result_answers_the_headers_of_get_without_the_file(
    client: AsyncTestClient, token: TokenFactory, container: Container
) -> None:
    await load_demo_sales(container.settings().data_sources["demo"], rows=200)
    alice_token = token()
    alice = bearer(alice_token)
    job_id = await generate(client, alice_token, format="json")
    await wait_until_finished(client, alice_token, job_id)
    url = RESULT.format(job_id=job_id)
    kept = ("etag", "content-type", "content-length", "content-disposition", "accept-ranges")

    for extra in ({}, {"Range": "bytes=0-9"}):
        got = await client.get(url, headers={**alice, **extra})
        head = await client.head(url, headers={**alice, **extra})
        assert head.status_code == got.status_code
        assert head.content == b""
        assert {name: head.headers.get(name) for name in (*kept, "content-range")} == {
            name: got.headers.get(name) for name in (*kept, "content-range")
        }
    not_modified = await client.head(url, headers={**alice, "If-None-Match": got.headers["etag"]})
    assert (not_modified.status_code, not_modified.content) == (304, b"")
    missing = await client.head(RESULT.format(job_id="no-such-job"), headers=alice)
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/reports/report-123/history", "GET"),
        ("/api/v1/reports/report-123/generate", "POST"),
        ("/api/v1/jobs/some-job", "DELETE"),
        ("/api/v1/jobs", "GET"),
    ],
)
async def test_options_lists_the_methods_instead_of_failing(
    client: AsyncTestClient, path: str, method: str
) -> None:
    response = await client.options(path)
    assert response.status_code == 204
    assert method in response.headers["allow"]
