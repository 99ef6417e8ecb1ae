#!/usr/bin/env bash
# Installs what the project needs, idempotently; downloads are cached, so a second run is quick.
#   deploy/bootstrap.sh        Python environment (uv, then every workspace package)
#   deploy/bootstrap.sh test   ...plus the system tools the tests use (docker-compose, chromium; helm and the
#                              chart's validator, built from the Go module proxy into the cache once)
#   deploy/bootstrap.sh bench  ...plus the benchmarks' load generator (wrk)
# Every mode makes sure Debian's PostgreSQL server is installed: FerretDB keeps its data in it
# (unless MELDESTELLE_DATABASE_BACKEND=sqlite). Kafka's jars and the database binary are fetched or
# built by devstack when they are first started.
set -euo pipefail
cd "$(dirname "$0")/.."

export UV_PYTHON_DOWNLOADS=never          # use the system's Python 3.11, never download one
CACHE="${MELDESTELLE_CACHE:-$HOME/.cache/meldestelle}"
UV_VERSION=0.13.8
UV="$CACHE/tools/bin/uv"

if [ ! -x "$UV" ] || [ "$("$UV" --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  echo "Installing uv $UV_VERSION into $CACHE/tools"
  python3.11 -m venv "$CACHE/tools"
  "$CACHE/tools/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi

"$UV" sync --all-packages --locked --quiet --python python3.11

# Debian packages: docker-compose validates docker-compose.yml statically, wrk loads the benchmarks,
# chromium runs the browser tests (Playwright drives it; no browser download), postgresql holds
# FerretDB's data (devstack runs its own cluster; Debian keeps initdb in /usr/lib/postgresql/<major>/bin).
missing=()
if [ "${MELDESTELLE_DATABASE_BACKEND:-postgresql}" = postgresql ] || [ "${1:-}" = bench ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing+=(postgresql)
fi
if [ "${1:-}" = "test" ]; then
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v chromium >/dev/null || missing+=(chromium)
fi
if [ "${1:-}" = "bench" ]; then
  command -v wrk >/dev/null || missing+=(wrk)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "Please install: ${missing[*]} with your system's package manager (no apt-get here)." >&2
    echo "PostgreSQL: its server programs (initdb, postgres, pg_isready, psql) must be on PATH;" >&2
    echo "or run FerretDB on SQLite instead: MELDESTELLE_DATABASE_BACKEND=sqlite make up" >&2
    exit 1
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "Please install: ${missing[*]} (e.g. sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The Helm chart's offline checks (tests/static/test_helm.py): a few minutes once, then cached.
if [ "${1:-}" = "test" ]; then
  .venv/bin/python -m devstack.kubetools
fi
