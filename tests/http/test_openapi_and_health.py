"""The OpenAPI document describes the generate endpoint fully; health answers."""

from litestar.testing import AsyncTestClient

GENERATE = "/api/v1/reports/{report_id}/generate"


async def test_openapi_describes_the_202_model_and_headers(client: AsyncTestClient) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    operation = document["paths"][GENERATE]["post"]
    accepted = operation["responses"]["202"]
    assert set(accepted["headers"]) >= {"Location", "Retry-After"}
    schema_ref = accepted["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"jobId", "statusUrl"}
    assert operation["security"] == [{"BearerToken": []}]
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


async def test_openapi_documents_every_error_answer_with_an_example(
    client: AsyncTestClient,
) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    responses = document["paths"][GENERATE]["post"]["responses"]
    for status in ("400", "401", "403", "404", "409", "413", "422", "503"):
        content = responses[status]["content"]["application/json"]
        examples = list(content["examples"].values())
        assert examples, status
        assert set(examples[0]["value"]) == {"error"}, status
    conflict = next(iter(responses["409"]["content"]["application/json"]["examples"].values()))
    assert conflict["value"]["error"] == "Report is not configured for asynchronous generation."


async def test_openapi_describes_the_request_body(client: AsyncTestClient) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    body = document["paths"][GENERATE]["post"]["requestBody"]
    assert body["required"] is False
    assert "application/json" in body["content"]


async def test_swagger_ui_is_served(client: AsyncTestClient) -> None:
    response = await client.get("/schema/swagger")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()


async def test_liveness_and_readiness_on_the_embedded_default(
    client: AsyncTestClient,
) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "scheduler": "ok"}


async def test_metrics_count_generate_requests(client: AsyncTestClient) -> None:
    await client.post("/api/v1/reports/report-123/generate")
    metrics = (await client.get("/metrics")).text
    assert "reportgen_requests_total" in metrics
    assert 'path="/api/v1/reports/{report_id}/generate"' in metrics


async def test_openapi_describes_the_job_endpoints_and_their_errors(
    client: AsyncTestClient,
) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    status = paths["/api/v1/jobs/{job_id}"]
    assert set(status) >= {"get", "delete"}
    result = paths["/api/v1/jobs/{job_id}/result"]["get"]["responses"]
    assert set(result) >= {"200", "206", "304", "401", "404", "409", "410", "416"}
    gone = next(iter(result["410"]["content"]["application/json"]["examples"].values()))
    assert gone["value"] == {"error": "The result of this job has expired."}
    listing = paths["/api/v1/jobs"]["get"]
    assert {parameter["name"] for parameter in listing["parameters"]} >= {
        "status",
        "reportId",
        "cursor",
        "limit",
    }


async def test_openapi_describes_report_management_with_its_errors(
    client: AsyncTestClient,
) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert set(paths["/api/v1/reports"]) >= {"get", "post"}
    one = paths["/api/v1/reports/{report_id}"]
    assert set(one) >= {"get", "put", "delete"}
    for status in ("403", "412", "422", "428"):
        examples = one["put"]["responses"][status]["content"]["application/json"]["examples"]
        assert set(next(iter(examples.values()))["value"]) == {"error"}
    assert "get" in paths["/api/v1/reports/{report_id}/history"]


async def test_openapi_gives_a_jobs_status_as_the_enum_of_the_five_statuses(
    client: AsyncTestClient,
) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    schemas = document["components"]["schemas"]

    status = schemas["JobBody"]["properties"]["status"]
    named = schemas[status["$ref"].rsplit("/", 1)[1]] if "$ref" in status else status

    assert named["enum"] == ["Queued", "Running", "Succeeded", "Failed", "Cancelled"]
