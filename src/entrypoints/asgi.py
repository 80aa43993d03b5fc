"""The ASGI application factory that servers import: ``entrypoints.asgi:app_from_env``."""

import os

from litestar import Litestar

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings


def app_from_env() -> Litestar:
    """Read the settings from the environment and build the app (called by the server)."""
    return create_app(build_container(Settings.from_env(os.environ)))
