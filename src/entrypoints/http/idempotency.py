"""The ``Idempotency-Key`` request header (IETF httpapi idempotency-key draft)."""

import re

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
#: 1 to 255 printable ASCII characters (spaces allowed inside, not around).
KEY_PATTERN = rf"^[\x21-\x7e]([\x20-\x7e]{{0,{MAX_KEY_LENGTH - 2}}}[\x21-\x7e])?$"
_KEY = re.compile(KEY_PATTERN)


class InvalidIdempotencyKey(ValueError):
    """An ``Idempotency-Key`` header this service cannot keep (answered 400)."""


def idempotency_key(value: str | None) -> str | None:
    """The key a request sent, as it was sent; ``None`` without the header."""
    if value is None:
        return None
    key = value.strip(" \t")
    if not _KEY.match(key):
        raise InvalidIdempotencyKey(
            f"The {HEADER} header must be 1 to {MAX_KEY_LENGTH} printable ASCII characters "
            f"(got {len(key)} characters{'' if key.isascii() else ', not all ASCII'})."
        )
    return key
