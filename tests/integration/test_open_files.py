"""Server processes raise their soft limit of open files to the hard one at start."""

import resource
import subprocess
import sys
import time
from pathlib import Path

from tests.integration.console import REPORTGEN, clean_env
from tests.support.processes import open_files


def low_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 4096))


def test_the_raise_sets_the_soft_limit_to_the_hard_one() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource; from entrypoints.open_files import raise_open_files_limit; "
            "print(raise_open_files_limit(), resource.getrlimit(resource.RLIMIT_NOFILE))",
        ],
        preexec_fn=low_limit,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.split() == ["4096", "(4096,", "4096)"]


def test_a_worker_started_with_a_low_limit_raises_it(tmp_path: Path, redis_url: str) -> None:
    worker = subprocess.Popen(
        [str(REPORTGEN), "worker"],
        env=clean_env(tmp_path, REPORTGEN_REDIS_URL=redis_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=low_limit,
    )
    try:
        deadline = time.monotonic() + 30
        while open_files(worker.pid) != (4096, 4096) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert open_files(worker.pid) == (4096, 4096)
    finally:
        worker.kill()
        worker.wait(timeout=10)
