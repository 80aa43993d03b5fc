"""The answers the server gives before the app sees a request, on every route.

``reportgen serve`` cuts off a client whose request head or body comes too slowly (408) and
refuses a request head that is too large (431), then closes the connection
(``entrypoints.client_deadlines``). No request reached the app, so these answers carry no
request id.
"""

from litestar.openapi.spec import (
    Example,
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Reference,
)

from entrypoints.client_deadlines import BODY_TOO_SLOW, HEAD_TOO_LARGE, HEAD_TOO_SLOW

_ERROR_BODY = Reference(ref="#/components/schemas/ErrorBody")
_REFUSALS = {
    "408": (
        "The request head did not come whole within the header deadline, or its body within "
        "the body deadline (`REPORTGEN_CLIENT_HEADER_TIMEOUT_SECONDS`, "
        "`REPORTGEN_CLIENT_BODY_TIMEOUT_SECONDS`); the connection is closed",
        [
            ("The request head came too slowly", HEAD_TOO_SLOW),
            ("The request body came too slowly", BODY_TOO_SLOW),
        ],
    ),
    "431": (
        "The request line and headers are larger than `REPORTGEN_MAX_HEADER_BYTES`; the "
        "connection is closed",
        [("The request head is too large", HEAD_TOO_LARGE)],
    ),
}


def add_server_refusals(operation: Operation, *, has_body: bool) -> None:
    """Add to ``operation`` the 408 and 431 answers; an answer to ``HEAD`` has no body."""
    operation.responses = {
        **(operation.responses or {}),
        **{
            status: _refusal(description, examples, has_body=has_body)
            for status, (description, examples) in _REFUSALS.items()
        },
    }


def _refusal(
    description: str, examples: list[tuple[str, str]], *, has_body: bool
) -> OpenAPIResponse:
    content = {
        "application/json": OpenAPIMediaType(
            schema=_ERROR_BODY,
            examples={
                f"errorbody-example-{number}": Example(summary=summary, value={"error": text})
                for number, (summary, text) in enumerate(examples, start=1)
            },
        )
    }
    return OpenAPIResponse(
        description=description,
        content=content if has_body else None,
    )
