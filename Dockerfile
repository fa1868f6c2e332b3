# syntax=docker/dockerfile:1
# Build stage: one wheel for the service and one per pinned dependency.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml requirements.lock README.md alembic.ini ./
COPY service ./service
COPY migrations ./migrations
COPY openapi ./openapi
COPY seed ./seed
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c requirements.lock .

# Runtime stage: a clean venv holding only those wheels, run as a non-root user.
FROM python:3.11-slim AS runtime
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home app \
    && mkdir /data \
    && chown app:app /data
COPY --from=build /wheels /wheels
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --no-index --find-links /wheels met-social-media-foi \
    && rm -rf /wheels
# MALLOC_ARENA_MAX=2: glibc's per-thread malloc arenas let a worker's RSS settle near 255 MiB
# with its 64 MiB response cache full, against 190 MiB with two arenas (docs/deploy.md).
ENV PATH="/opt/venv/bin:$PATH" \
    MALLOC_ARENA_MAX=2 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    APP_DATABASE_URL="sqlite:////data/app.db" \
    APP_HOST="0.0.0.0" \
    APP_PORT="8000" \
    APP_WORKERS="2" \
    APP_LOG_LEVEL="info" \
    APP_LOG_FORMAT="json" \
    APP_SEED_ON_START="true"
WORKDIR /home/app
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('APP_PORT', '8000'), timeout=4)"]
CMD ["met-foi", "start"]
