# syntax=docker/dockerfile:1
# reportgen: `docker run IMAGE` serves the API; `docker run IMAGE reportgen worker` runs an arq worker.
#
# BASE_IMAGE: any Debian-like image with python3 (3.11+) and its venv module, for both stages.
# wheels/: empty, the build installs from PyPI; holding the wheels of reportgen and all its
# dependencies (`pip wheel . -w wheels`), it installs from them only, without a network.

ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/reportgen
WORKDIR /build
COPY pyproject.toml README.md ./
COPY src ./src
COPY wheels ./wheels
RUN if ls wheels/*.whl >/dev/null 2>&1; then \
        /opt/reportgen/bin/pip install --no-index --find-links wheels reportgen; \
    else \
        /opt/reportgen/bin/pip install --upgrade pip && /opt/reportgen/bin/pip install .; \
    fi \
 && /opt/reportgen/bin/reportgen --help >/dev/null \
 && /opt/reportgen/bin/python -c "from entrypoints.http.swagger_ui import assets_directory; assets_directory()" \
 && /opt/reportgen/bin/pip uninstall --yes --quiet pip setuptools

FROM ${BASE_IMAGE} AS runtime
RUN groupadd --system --gid 10001 reportgen \
 && useradd --system --uid 10001 --gid reportgen --home-dir /var/lib/reportgen --create-home \
      --shell /usr/sbin/nologin reportgen
COPY --from=build /opt/reportgen /opt/reportgen
ENV PATH=/opt/reportgen/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    REPORTGEN_DATA_DIR=/var/lib/reportgen \
    PORT=8000
USER 10001:10001
WORKDIR /var/lib/reportgen
VOLUME ["/var/lib/reportgen"]
EXPOSE 8000
# The port the API listens on is $PORT, for the health check too.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["/opt/reportgen/bin/python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '8000'), timeout=2)"]
CMD ["sh", "-c", "exec reportgen serve --host 0.0.0.0 --port \"${PORT:-8000}\""]
