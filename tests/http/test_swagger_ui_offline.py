"""The Swagger UI page loads its scripts, style sheet and icon from the service itself, so it
works where no CDN can be reached; those files need no token and stay out of the document."""

import re
from urllib.parse import urlsplit

from litestar.testing import AsyncTestClient

#: The media type each kind of asset must be served as.
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
_REFERENCE = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)=["']([^"']+)["']""")


async def _asset_urls(client: AsyncTestClient) -> list[str]:
    page = await client.get("/schema/swagger")
    assert page.status_code == 200
    return _REFERENCE.findall(page.text)


async def test_the_swagger_page_references_only_assets_of_its_own_origin(
    client: AsyncTestClient,
) -> None:
    urls = await _asset_urls(client)

    assert {url.rsplit("/", 1)[1] for url in urls} == {
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-ui.css",
        "favicon-32x32.png",
    }
    for url in urls:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("", ""), url
        assert url.startswith("/schema/swagger-ui/"), url


async def test_each_asset_of_the_page_is_served_without_a_token_and_cached_for_long(
    client: AsyncTestClient,
) -> None:
    for url in await _asset_urls(client):
        answer = await client.get(url)

        assert answer.status_code == 200, url
        media_type = MEDIA_TYPES[url[url.rindex(".") :]]
        assert answer.headers["content-type"].startswith(media_type), url
        assert len(answer.content) > (100 if media_type == "image/png" else 10_000), url
        assert "max-age=31536000" in answer.headers["cache-control"], url
        assert answer.headers["x-request-id"], url


async def test_the_swagger_script_is_the_swagger_ui_bundle(client: AsyncTestClient) -> None:
    script = next(url for url in await _asset_urls(client) if url.endswith("-bundle.js"))

    assert b"SwaggerUIBundle" in (await client.get(script)).content


async def test_the_assets_are_not_operations_of_the_document(client: AsyncTestClient) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]

    assert not [path for path in paths if path.startswith("/schema")]


async def test_an_unknown_asset_is_a_json_404(client: AsyncTestClient) -> None:
    url = (await _asset_urls(client))[0].rsplit("/", 1)[0] + "/no-such-file.js"

    answer = await client.get(url)

    assert answer.status_code == 404
    assert set(answer.json()) == {"error"}


async def test_asset_requests_are_counted_by_their_route_in_the_metrics(
    client: AsyncTestClient,
) -> None:
    for url in await _asset_urls(client):
        await client.get(url)

    metrics = (await client.get("/metrics")).text

    assert re.search(r'path="/schema/swagger-ui/[^"/]+/\{file_path\}",status_code="200"', metrics)
