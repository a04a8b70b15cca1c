#!/usr/bin/env bash
# `make load`: a bounded load test on loopback (about five minutes).
# Starts its own PostgreSQL cluster, loads the demo data, runs gunicorn (threads) under
# production settings on 127.0.0.1, then Locust headless in phases (loadtest/locustfile.py):
#   warmup    the demo people sign in, the workers warm up (not reported)
#   healthz   /healthz alone, as fast as it goes: the ceiling for one database round trip
#   mix20     20 signed-in users and 2 PDF downloaders (a db_worker draws the PDFs)
#   mix20-np  the same 20 users without PDF downloads (do PDFs starve other pages?)
#   mix50     50 signed-in users and 2 PDF downloaders
#   mix50-np  the same 50 users without PDF downloads: the signed-in mix's throughput
# and prints the figures (loadtest/report.py). Everything it started stops on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
PY=$VENV/bin/python
WORK=$PWD/.load
PG_PORT=${LOAD_PG_PORT:-55471}
WEB_PORT=${LOAD_WEB_PORT:-58471}
SECONDS_PER_PHASE=${LOAD_SECONDS:-50}
WORKERS=${LOAD_WORKERS:-4}
THREADS=${LOAD_THREADS:-4}
HOST=http://127.0.0.1:$WEB_PORT

for port in "$PG_PORT" "$WEB_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port on 127.0.0.1 is in use: free it, or set LOAD_PG_PORT / LOAD_WEB_PORT." >&2
    exit 1
  fi
done
bash scripts/system-packages.sh run
$PY -c "import locust" 2>/dev/null || $VENV/bin/pip install --quiet -e ".[load]"
source scripts/lib/pgcluster.sh

server=""
worker=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$worker" ]; then kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true; fi
  pgcluster_stop "$WORK/pg"
  rm -rf "$WORK/pg" # the figures stay in $WORK/run
}
trap cleanup EXIT
trap "exit 130" INT TERM

# A fresh cluster and results each run; collected static files are kept (collectstatic only
# copies what changed).
rm -rf "$WORK/pg" "$WORK/run" "$WORK/media"
mkdir -p "$WORK/run"
export MEDIA_ROOT=$WORK/media # logos and drawn reports, kept out of the project's media folder
export DATABASE_URL
DATABASE_URL=$(pgcluster_start "$WORK/pg" "$PG_PORT")
echo "PostgreSQL on 127.0.0.1:$PG_PORT ($WORK/pg)."

# The demo data refuses production settings (its passwords are published), so it is loaded
# with development settings; the server then runs with production ones.
$PY manage.py migrate --no-input >/dev/null
$PY manage.py createcachetable
$PY manage.py load_frameworks >/dev/null
$PY manage.py setup_demo | grep "^Demo [oh]"
$PY loadtest/prepare.py "$WORK/run/targets.json"

export MATURITY_ENV=production DEBUG=false ALLOWED_HOSTS=127.0.0.1
export SECURE_SSL_REDIRECT=false BEHIND_PROXY=false # plain HTTP on loopback, no proxy
export STATIC_ROOT=$WORK/static LOG_LEVEL=WARNING
SECRET_KEY=$($PY -c "import secrets; print(secrets.token_urlsafe(50))")
export SECRET_KEY
$PY manage.py collectstatic --no-input >/dev/null
$VENV/bin/gunicorn maturity.wsgi --bind "127.0.0.1:$WEB_PORT" --workers "$WORKERS" \
  --threads "$THREADS" --no-control-socket --error-logfile "$WORK/run/gunicorn.log" &
server=$!
for _ in $(seq 50); do
  curl -fsS "$HOST/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "$HOST/healthz" >/dev/null || { echo "gunicorn did not start: see $WORK/run/gunicorn.log"; exit 1; }
echo "gunicorn ($WORKERS workers x $THREADS threads, production settings) on $HOST."
# The task worker draws the PDF reports, as in production.
$PY manage.py db_worker --no-reload --interval 0.5 --no-startup-delay >"$WORK/run/worker.log" 2>&1 &
worker=$!
echo "Task worker (db_worker) $worker."

export LOAD_TARGETS=$WORK/run/targets.json LOAD_SESSIONS=$WORK/run/sessions.json
export LOAD_WORKERS=$WORKERS LOAD_THREADS=$THREADS # for the report
pg_pid=$(head -n 1 "$WORK/pg/postmaster.pid")
cpu() { $PY loadtest/cpu.py gunicorn="$server" db_worker="$worker" postgres="$pg_pid"; }
TIMEFORMAT="%U %S" # bash's `time` below: Locust's own CPU seconds, user and system
phase() { # name, users, seconds, user classes...
  local name=$1 users=$2 seconds=$3
  shift 3
  echo "Phase $name: $users users for ${seconds}s ($*)."
  # CPU used by each process during the phase, Locust's too: it shares the cores.
  cpu >"$WORK/run/$name.cpu"
  # Locust exits non-zero when any request failed; the report counts and shows the errors.
  { time LOAD_SUMMARY=$WORK/run/$name.summary $VENV/bin/locust -f loadtest/locustfile.py \
    --headless --host "$HOST" --users "$users" --spawn-rate "$users" --run-time "${seconds}s" \
    --only-summary --loglevel WARNING "$@" >"$WORK/run/$name.log" 2>&1 || true; } \
    2>"$WORK/run/$name.locust-cpu"
  cpu >>"$WORK/run/$name.cpu"
}
# Signs in the four demo people once (hashing is slow on purpose) and warms both workers up;
# not reported.
phase warmup 5 20 SignedIn PdfDownloader
started=$(date -u +"%Y-%m-%d %H:%M UTC")
phase healthz 20 15 Healthz
phase mix20 22 "$SECONDS_PER_PHASE" SignedIn PdfDownloader
phase mix20-np 20 "$SECONDS_PER_PHASE" SignedIn
phase mix50 52 "$SECONDS_PER_PHASE" SignedIn PdfDownloader
phase mix50-np 50 "$SECONDS_PER_PHASE" SignedIn
$PY loadtest/report.py "$WORK/run" "$started"
