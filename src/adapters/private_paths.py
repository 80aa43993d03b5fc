"""What the service creates on disk is its user's alone: directories 0700, files 0600.

Modes are given when a path is created (a umask can only narrow them); an existing
directory or file keeps the mode its operator gave it.
"""

import os
from pathlib import Path

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def make_private_directory(path: Path) -> None:
    """Create ``path`` and each missing parent with mode 0700.

    ``Path.mkdir(parents=True)`` would create the parents with the default mode.
    """
    missing = []
    for directory in (path, *path.parents):
        if directory.exists():
            break
        missing.append(directory)
    for directory in reversed(missing):
        directory.mkdir(mode=DIRECTORY_MODE, exist_ok=True)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (SQLite then gives its
    ``-wal`` and ``-shm`` files the same mode)."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE))
