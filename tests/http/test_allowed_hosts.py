"""A foreign Host never reaches the links the API hands out: it is refused first."""

import pytest
from litestar.testing import AsyncTestClient

from tests.http.conftest import TokenFactory, bearer, job_rows

GENERATE = "/api/v1/reports/report-123/generate"
EVIL = "evil.example.net"


@pytest.mark.usefixtures("held")
@pytest.mark.parametrize("host", [EVIL, f"{EVIL}:8000", "localhost.evil.example.net", "[::2]:80"])
async def test_by_default_a_foreign_host_is_400_before_the_token_and_creates_nothing(
    client: AsyncTestClient, container: object, token: TokenFactory, host: str
) -> None:
    for headers in ({}, bearer(token())):
        answered = await client.post(GENERATE, headers={**headers, "Host": host})

        assert answered.status_code == 400
        assert answered.json() == {
            "error": "The Host header names a host this service does not answer for."
        }
    assert await job_rows(container) == []  # type: ignore[arg-type]


@pytest.mark.usefixtures("held")
@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1", "[::1]:8000", "LOCALHOST"])
async def test_by_default_the_machine_itself_is_allowed_and_named_in_the_links(
    client: AsyncTestClient, token: TokenFactory, host: str
) -> None:
    answered = await client.post(GENERATE, headers={**bearer(token()), "Host": host})

    assert answered.status_code == 202
    assert answered.json()["statusUrl"].startswith(f"http://{host}/api/v1/jobs/")


@pytest.mark.usefixtures("held")
@pytest.mark.parametrize(
    "env",
    [{"REPORTGEN_ALLOWED_HOSTS": "reports.example.com, *.internal"}],
    indirect=True,
)
@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("reports.example.com", 202),
        ("api.reports.internal:8443", 202),
        ("localhost", 400),
        ("internal", 400),
        (EVIL, 400),
    ],
)
async def test_the_configured_hosts_replace_the_default(
    client: AsyncTestClient, token: TokenFactory, host: str, status: int
) -> None:
    answered = await client.post(GENERATE, headers={**bearer(token()), "Host": host})

    assert answered.status_code == status


@pytest.mark.usefixtures("held")
@pytest.mark.parametrize(
    "env", [{"REPORTGEN_PUBLIC_BASE_URL": "https://reports.example.com"}], indirect=True
)
async def test_with_a_public_base_url_any_host_is_served_and_never_linked(
    client: AsyncTestClient, token: TokenFactory
) -> None:
    answered = await client.post(GENERATE, headers={**bearer(token()), "Host": EVIL})

    assert answered.status_code == 202
    assert answered.json()["statusUrl"].startswith("https://reports.example.com/api/v1/jobs/")
    assert EVIL not in answered.text
