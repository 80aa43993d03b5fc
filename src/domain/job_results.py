"""What a succeeded job leaves behind: the description of its stored file."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoredResult:
    """The file a succeeded job produced, as kept in the result store."""

    key: str
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str
    row_count: int
