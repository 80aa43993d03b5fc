"""The development JWT secret: generated once into the data directory, then shared."""

import os
import secrets
import stat
import time
from pathlib import Path

from adapters.jwt.verifier import MIN_SECRET_BYTES
from adapters.private_paths import make_private_directory

_WAIT_FOR_WRITER_SECONDS = 2.0
_POLL_SECONDS = 0.02


def load_or_create_secret(path: Path) -> str:
    """Return the HS256 secret kept in ``path``, creating it on the first run.

    The first caller creates the file exclusively (mode 0600) and writes a random
    secret; any process that loses that race reads the winner's secret, waiting
    briefly while the file is still empty. An existing file is refused with a
    ``ValueError`` naming it when it is shorter than 32 bytes or readable by group
    or others.
    """
    make_private_directory(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return _read_existing(path)
    secret = secrets.token_urlsafe(48)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(secret)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        # An empty file left behind would make every later run wait, then fail.
        path.unlink(missing_ok=True)
        raise
    return secret


def _read_existing(path: Path) -> str:
    deadline = time.monotonic() + _WAIT_FOR_WRITER_SECONDS
    while True:
        content = _read_checked(path)
        if content or time.monotonic() >= deadline:
            break
        time.sleep(_POLL_SECONDS)
    secret = content.strip()
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(
            f"The JWT secret file {path} holds fewer than {MIN_SECRET_BYTES} bytes; "
            "delete it to have a new secret generated."
        )
    try:
        return secret.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"The JWT secret file {path} is not UTF-8 text.") from exc


def _read_checked(path: Path) -> bytes:
    # os.open, unlike open(), lets a directory through to the regular-file check.
    fd = os.open(path, os.O_RDONLY)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ValueError(f"The JWT secret file {path} is not a regular file.")
        if mode & 0o077:
            raise ValueError(
                f"The JWT secret file {path} is readable or writable by group or others "
                f"(mode {stat.S_IMODE(mode):04o}); restrict it with: chmod 600 {path}"
            )
        chunks = []
        while chunk := os.read(fd, 4096):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
