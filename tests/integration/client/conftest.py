"""One ``reportgen serve`` on the demo data, shared by every test of this folder."""

import subprocess
from collections.abc import Iterator

import pytest

from tests.integration.client.service import SECRET, Service
from tests.integration.console import REPORTGEN, clean_env
from tests.integration.test_cli_serve import free_port, serving


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """``reportgen serve`` on the demo data, shared by the client command tests."""
    data_dir = tmp_path_factory.mktemp("service")
    env = clean_env(data_dir, REPORTGEN_JWT_SECRET=SECRET)
    for command in (["db", "upgrade"], ["demo", "seed"]):
        subprocess.run(
            [str(REPORTGEN), *command], env=env, check=True, capture_output=True, timeout=120
        )
    port = free_port()
    with serving(data_dir, port, REPORTGEN_JWT_SECRET=SECRET):
        yield Service(f"http://127.0.0.1:{port}", data_dir)
