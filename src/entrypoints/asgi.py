"""The ASGI application factory that servers import: ``entrypoints.asgi:app_from_env``."""

import gc
import os

from litestar import Litestar

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from entrypoints.tracing import start_tracing


def app_from_env() -> Litestar:
    """Read the settings from the environment and build the app (called by the server,
    once in each server process)."""
    settings = Settings.from_env(os.environ)
    start_tracing(settings.tracing, "api")
    app = create_app(build_container(settings))
    # What is built so far lives as long as the process: keep the collector from scanning
    # it again at every full collection (one took 83-94 ms under load).
    gc.collect()
    gc.freeze()
    return app
