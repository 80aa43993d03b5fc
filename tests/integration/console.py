"""Running the installed ``reportgen`` console script as a real process."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPORTGEN = Path(sys.executable).with_name("reportgen")


def clean_env(data_dir: Path, **variables: str) -> dict[str, str]:
    """This process's environment minus ``REPORTGEN_*``, plus the data dir and ``variables``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("REPORTGEN_")}
    return {**env, "REPORTGEN_DATA_DIR": str(data_dir), **variables}


def reportgen(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``reportgen ARGS`` to the end (at most a minute) and capture what it printed."""
    return subprocess.run(
        [str(REPORTGEN), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def use_data_dir(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    """Set this process's ``REPORTGEN_*`` environment, for ``cli.main``, to the data dir only."""
    for name in os.environ:
        if name.startswith("REPORTGEN_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("REPORTGEN_DATA_DIR", str(data_dir))


@contextmanager
def running_worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``reportgen worker`` with ``env``, its output in ``log``; killed on the way out if it
    still runs."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(REPORTGEN), "worker"], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
