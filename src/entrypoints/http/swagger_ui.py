"""Swagger UI served by the service itself, so that ``/schema/swagger`` works offline.

Its scripts, style sheet and icon come with the ``swagger-ui-py`` package (the swagger-ui
dist files) and are served under ``/schema/swagger-ui/<package version>/``, open like the
document and left out of it. The version in the path changes with the files, so browsers
may keep them for a year.
"""

from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

_DISTRIBUTION = "swagger-ui-py"
_PACKAGE = "swagger_ui"
_A_YEAR = 365 * 24 * 3600
#: What the page loads; each must be in the package.
ASSET_FILES = (
    "swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js",
    "swagger-ui.css",
    "favicon-32x32.png",
)


def assets_path() -> str:
    """Where the assets are served: the package's version is part of the path."""
    return f"/schema/swagger-ui/{version(_DISTRIBUTION)}"


def assets_directory() -> Path:
    """The package's folder of swagger-ui dist files (found without importing it)."""
    spec = find_spec(_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    directory = Path(folders[0]) / "static" if folders else None
    if directory is None or not all((directory / name).is_file() for name in ASSET_FILES):
        raise RuntimeError(f"The Swagger UI files of {_DISTRIBUTION} are missing.")
    return directory


def swagger_ui_assets() -> Router:
    """The routes that serve the assets: no token, not in the document, cached for long."""
    return create_static_files_router(
        path=assets_path(),
        directories=[assets_directory()],
        name="swagger-ui",
        cache_control=CacheControlHeader(max_age=_A_YEAR, public=True, immutable=True),
        include_in_schema=False,
    )


def swagger_render_plugin() -> SwaggerRenderPlugin:
    """The Swagger UI page, on the assets this service serves rather than a CDN's."""
    base = assets_path()
    return SwaggerRenderPlugin(
        js_url=f"{base}/swagger-ui-bundle.js",
        css_url=f"{base}/swagger-ui.css",
        standalone_preset_js_url=f"{base}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{base}/favicon-32x32.png'>",
    )
