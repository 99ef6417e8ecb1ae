# One image recipe for the three services. Build from the repository root, naming the service and its port:
#   docker build --build-arg SERVICE=notify --build-arg PORT=8002 -t meldestelle-notify .
# (intake 8000, triage 8001, notify 8002; docker-compose.yml passes them.)

FROM python:3.11-slim AS builder

ARG SERVICE
RUN : "${SERVICE:?build with --build-arg SERVICE=intake, triage or notify}"

RUN pip install --no-cache-dir uv==0.13.8
# Use the image's Python; compile bytecode now so the container starts faster.
ENV UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy

WORKDIR /app
# uv reads every workspace member's pyproject.toml, even when it installs only one package.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
COPY services/intake/pyproject.toml services/intake/
COPY services/triage/pyproject.toml services/triage/
COPY services/notify/pyproject.toml services/notify/
COPY deploy/devstack/pyproject.toml deploy/devstack/
# Third-party dependencies first: this layer is rebuilt only when uv.lock or a pyproject.toml changes.
RUN uv sync --frozen --no-dev --package meldestelle-${SERVICE} --no-install-workspace --no-editable

COPY shared/src shared/src
COPY services/${SERVICE}/src services/${SERVICE}/src
# --no-editable installs our packages into the venv, so the runtime stage needs no source tree.
RUN uv sync --frozen --no-dev --package meldestelle-${SERVICE} --no-editable


FROM python:3.11-slim

ARG SERVICE
ARG PORT
RUN : "${PORT:?build with --build-arg PORT=8000, 8001 or 8002}"

# One fixed UID in all three images: keygen writes the secret files (mode 600) as this user,
# and /secrets (with keygen's per-service folders) is owned by it, so empty named volumes mounted there inherit that owner.
RUN groupadd --system --gid 10001 meldestelle \
 && useradd --system --uid 10001 --gid meldestelle --no-create-home --shell /usr/sbin/nologin meldestelle \
 && install -d -o meldestelle -g meldestelle -m 700 /secrets /secrets/intake /secrets/triage /secrets/notify

# Same path as in the builder: the venv's scripts and python link are absolute.
COPY --from=builder /app/.venv /app/.venv
# The event catalogue triage serves (TRIAGE_EVENT_CATALOGUE_DIR); a few small files, in every image alike.
COPY docs/asyncapi /etc/meldestelle/asyncapi
# Metrics on a port of their own, reachable on the container network for Prometheus and never
# published; the service port answers 404 for /metrics. FORWARDED_ALLOW_IPS (uvicorn's own setting)
# names the reverse proxies whose X-Forwarded-For/-Proto are believed: none but loopback unless set.
# SERVICE and PORT stay in the environment: the command and the health check below read them.
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9100 \
    FORWARDED_ALLOW_IPS=127.0.0.1 \
    SERVICE=${SERVICE} \
    PORT=${PORT}

WORKDIR /app
USER 10001:10001
EXPOSE ${PORT}

# Liveness only; docker-compose checks /readyz (dependencies reachable) instead.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PORT']}/healthz\", timeout=3)"]

# No access log and no WebSockets: both would write client addresses. A shell only to read SERVICE,
# PORT and WORKERS (an exec-form CMD expands no variables); exec hands uvicorn PID 1 and the stop
# signal, which it passes to its workers. WORKERS=auto means one per core; with several workers the
# metrics use prometheus_client's multiprocess mode in an emptied folder (one worker serves them all);
# a worker is restarted only after 30 s without answering its supervisor (5 s killed starting workers).
CMD workers="${WORKERS:-1}"; [ "$workers" = auto ] && workers="$(nproc)"; \
    if [ "$workers" -gt 1 ]; then export PROMETHEUS_MULTIPROC_DIR=/tmp/metrics; rm -rf "$PROMETHEUS_MULTIPROC_DIR"; mkdir -p "$PROMETHEUS_MULTIPROC_DIR"; fi; \
    exec uvicorn "${SERVICE}.app:create_app" --factory --host 0.0.0.0 --port "${PORT}" --workers "$workers" --timeout-worker-healthcheck 30 --no-access-log --ws none --timeout-graceful-shutdown 8
