# One image for every Campus Helpdesk service; each container runs one `campus-helpdesk` command
# (see compose.yaml). Default command: the web app.
#
# Two stages: the first installs the package and its dependencies into a virtualenv, the second
# copies only that virtualenv and the functions' sources. No compiler, pip in the virtualenv, build
# folder, our tests or benchmarks end up in the image, nor the dependencies' own test suites and
# C headers (about 80 MB); the bytecode is compiled once here, since the image is read-only to
# its user and every service would otherwise compile its imports at each start.
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY campus_helpdesk ./campus_helpdesk
COPY ticket_store ./ticket_store
COPY dash_app ./dash_app
RUN python -m venv --without-pip /opt/helpdesk \
    && python -m pip --python /opt/helpdesk/bin/python install --no-compile . \
    && cd /opt/helpdesk/lib/python3.11/site-packages \
    && find . -depth -type d \( -name tests -o -name test \) -exec rm -rf {} + \
    && find . -type f \( -name "*.h" -o -name "*.hpp" -o -name "*.pxd" -o -name "*.pyx" -o -name "*.c" -o -name "*.cpp" \) -delete \
    && rm -rf pyarrow/include pyarrow/src \
    && /opt/helpdesk/bin/python -m compileall -q -j 0 .

FROM python:3.11-slim

ENV PATH=/opt/helpdesk/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HELPDESK_DB_PATH=/data/helpdesk.duckdb \
    HELPDESK_FUNCTIONS_DIR=/app/functions

WORKDIR /app
COPY --from=build /opt/helpdesk /opt/helpdesk
COPY functions ./functions
RUN groupadd --gid 10001 helpdesk \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /app --shell /usr/sbin/nologin helpdesk \
    && mkdir /data && chown helpdesk:helpdesk /data

USER helpdesk
# The store's DuckDB file lives here; mount a volume so the tickets outlive the container.
VOLUME ["/data"]
EXPOSE 8050 8060 8061 8062 8063
# The default command's check; compose.yaml and the Kubernetes manifest give each service its own.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
    CMD ["campus-helpdesk", "health", "web", "--url", "http://127.0.0.1:8050"]
CMD ["campus-helpdesk", "web", "--host", "0.0.0.0", "--port", "8050"]
