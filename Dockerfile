# syntax=docker/dockerfile:1
# reportgen: `docker run IMAGE` serves the API; `docker run IMAGE reportgen worker` runs an arq worker.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/reportgen
WORKDIR /build
COPY pyproject.toml README.md ./
COPY src ./src
RUN /opt/reportgen/bin/pip install --upgrade pip \
 && /opt/reportgen/bin/pip install .

FROM python:3.11-slim AS runtime
RUN groupadd --system --gid 10001 reportgen \
 && useradd --system --uid 10001 --gid reportgen --home-dir /var/lib/reportgen --create-home \
      --shell /usr/sbin/nologin reportgen
COPY --from=build /opt/reportgen /opt/reportgen
ENV PATH=/opt/reportgen/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    REPORTGEN_DATA_DIR=/var/lib/reportgen
USER reportgen:reportgen
WORKDIR /var/lib/reportgen
VOLUME ["/var/lib/reportgen"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
CMD ["reportgen", "serve", "--host", "0.0.0.0", "--port", "8000"]
