# pivotwatch: the daemon by default; the same image serves Datasette.
#   docker build -t pivotwatch .
#   docker volume create pivotwatch-data
#   docker run -d --name pivotwatch -v pivotwatch-data:/data pivotwatch
#   docker run -d --name pivotwatch-web -v pivotwatch-data:/data -p 8001:8001 \
#       -v "$PWD/settings.toml:/app/config/settings.toml:ro" pivotwatch pivotwatch serve
# (that settings file sets `[serve] host = "0.0.0.0"` so Datasette answers outside the
# container). `docker stop` sends SIGTERM but waits only 10 s by default; give the pass in
# flight its grace period (`[daemon] grace_seconds`, 30 s) with `docker stop -t 45`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIVOTWATCH_CONFIG=/app/config/settings.toml \
    PIVOTWATCH_DB=/data/pivotwatch.db

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY crawler ./crawler
COPY pipelines ./pipelines
COPY config ./config
COPY db ./db
# Editable, so the package finds db/ (Datasette metadata) and config/ next to it.
RUN pip install --no-cache-dir -e . \
    && useradd --system --home-dir /app pivotwatch \
    && mkdir -p /data /app/digests \
    && chown pivotwatch /data /app/digests

USER pivotwatch
VOLUME /data
STOPSIGNAL SIGTERM
CMD ["pivotwatch", "--log-format", "json", "daemon"]
