"""``HEAD`` on the result of a job that has not finished answers what ``GET`` does: 409, with
the same headers and no body. (The finished job, its ranges and the 304 are checked in
``test_openapi_answers``.)"""

import pytest
from litestar.testing import AsyncTestClient

from tests.http.conftest import TokenFactory, bearer
from tests.http.jobflow import generate

RESULT = "/api/v1/jobs/{job_id}/result"
COMPARED = ("content-type", "content-length", "etag", "content-disposition", "accept-ranges")


@pytest.mark.usefixtures("held")
async def test_head_on_the_result_of_a_queued_job_is_the_409_of_get_without_its_body(
    client: AsyncTestClient, token: TokenFactory
) -> None:
    alice_token = token()
    url = RESULT.format(job_id=await generate(client, alice_token))

    got = await client.get(url, headers=bearer(alice_token))
    head = await client.head(url, headers=bearer(alice_token))

    assert (got.status_code, head.status_code) == (409, 409)
    assert got.json() == {"error": "The job has not finished yet (Queued)."}
    assert head.content == b""
    assert {name: head.headers.get(name) for name in COMPARED} == {
        name: got.headers.get(name) for name in COMPARED
    }
