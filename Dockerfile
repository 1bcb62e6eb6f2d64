# One image for every Campus Helpdesk service; each container runs one `campus-helpdesk` command
# (see compose.yaml). Default command: the web app.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HELPDESK_DB_PATH=/data/helpdesk.duckdb \
    HELPDESK_FUNCTIONS_DIR=/app/functions

WORKDIR /app
COPY pyproject.toml README.md ./
COPY campus_helpdesk ./campus_helpdesk
COPY ticket_store ./ticket_store
COPY dash_app ./dash_app
COPY functions ./functions
RUN pip install . \
    && useradd --system --uid 10001 --no-create-home --home-dir /app helpdesk \
    && mkdir /data && chown helpdesk:helpdesk /data

USER helpdesk
# The store's DuckDB file lives here; mount a volume so the tickets outlive the container.
VOLUME ["/data"]
EXPOSE 8050 8060 8061 8062 8063 8064
CMD ["campus-helpdesk", "web", "--host", "0.0.0.0", "--port", "8050"]
