"""load_or_create_secret: one private, random development secret per data directory."""

import os
import stat
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from adapters.jwt.dev_secret import load_or_create_secret


def test_first_run_writes_a_random_secret_only_the_owner_can_read(tmp_path: Path) -> None:
    path = tmp_path / "var" / "jwt-secret"

    secret = load_or_create_secret(path)

    assert len(secret) >= 64
    assert path.read_text() == secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_secret_file_is_private_even_under_a_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        load_or_create_secret(tmp_path / "jwt-secret")
    finally:
        os.umask(previous)

    assert stat.S_IMODE((tmp_path / "jwt-secret").stat().st_mode) == 0o600


def test_later_runs_read_the_same_secret_back(tmp_path: Path) -> None:
    path = tmp_path / "jwt-secret"

    assert load_or_create_secret(path) == load_or_create_secret(path)


def test_each_data_directory_gets_its_own_secret(tmp_path: Path) -> None:
    first = load_or_create_secret(tmp_path / "a" / "secret")
    second = load_or_create_secret(tmp_path / "b" / "secret")

    assert first != second


def test_processes_starting_together_share_one_secret(tmp_path: Path) -> None:
    path = tmp_path / "jwt-secret"

    with ProcessPoolExecutor(max_workers=6) as pool:
        secrets = set(pool.map(load_or_create_secret, [path] * 24))

    assert secrets == {path.read_text()}


def test_reader_waits_for_a_secret_still_being_written(tmp_path: Path) -> None:
    path = tmp_path / "jwt-secret"
    path.touch(mode=0o600)
    expected = "w" * 48

    def write_late() -> None:
        time.sleep(0.2)
        path.write_text(expected)

    writer = threading.Thread(target=write_late)
    writer.start()
    try:
        assert load_or_create_secret(path) == expected
    finally:
        writer.join()


def test_hand_written_secret_with_trailing_newline_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "jwt-secret"
    path.write_text("k" * 40 + "\n")
    path.chmod(0o600)

    assert load_or_create_secret(path) == "k" * 40


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o602], ids=oct)
def test_secret_file_open_to_group_or_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "jwt-secret"
    path.write_text("k" * 40)
    path.chmod(mode)

    with pytest.raises(ValueError, match=f"{path}.*chmod 600"):
        load_or_create_secret(path)


def test_short_secret_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "jwt-secret"
    path.write_text("k" * 31)
    path.chmod(0o600)

    with pytest.raises(ValueError, match=f"{path}.*fewer than 32 bytes"):
        load_or_create_secret(path)


def test_directory_in_place_of_the_secret_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "jwt-secret"
    path.mkdir(mode=0o700)

    with pytest.raises(ValueError, match=f"{path} is not a regular file"):
        load_or_create_secret(path)
