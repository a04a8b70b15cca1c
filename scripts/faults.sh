#!/usr/bin/env bash
# `make faults`: scripted faults on loopback (about four minutes), on a PostgreSQL cluster of its
# own with the demo data, against gunicorn (threads) and the task worker (scripts/faults.py):
#   1. PostgreSQL stopped (fast, then immediate) and started again under autosave traffic
#   2. a task worker killed (SIGKILL) mid bulk export
#   3. a task worker through a database outage
#   4. a gunicorn worker killed (SIGKILL) mid-request
# Prints what happened and PASS or FAIL for each; exits non-zero if any failed.
# Runs with development settings and DEBUG off (plain HTTP on loopback, demo data allowed).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
export LOG_LEVEL=WARNING
export FAULTS_WORK=$PWD/.faults
export FAULTS_PGDIR=$FAULTS_WORK/pg
export FAULTS_PGPORT=${FAULTS_PG_PORT:-55433}
export FAULTS_WEB_PORT=${FAULTS_WEB_PORT:-58433}

for port in "$FAULTS_PGPORT" "$FAULTS_WEB_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port on 127.0.0.1 is in use: free it, or set FAULTS_PG_PORT / FAULTS_WEB_PORT." >&2
    exit 1
  fi
done
bash scripts/system-packages.sh run
source scripts/lib/pgcluster.sh
trap 'pgcluster_stop "$FAULTS_PGDIR"' EXIT INT TERM

# A fresh cluster each run, so every run starts from the same demo data.
rm -rf "$FAULTS_PGDIR" "$FAULTS_WORK"/*.log
mkdir -p "$FAULTS_WORK"
export DATABASE_URL
DATABASE_URL=$(pgcluster_start "$FAULTS_PGDIR" "$FAULTS_PGPORT")
echo "PostgreSQL on 127.0.0.1:$FAULTS_PGPORT ($FAULTS_PGDIR)."
$PY manage.py migrate --no-input >/dev/null
$PY manage.py createcachetable >/dev/null
$PY manage.py load_frameworks >/dev/null
$PY manage.py setup_demo | grep "^Demo [oh]"

# DEBUG off so that errors show the service's own pages; a stopped export is failed after one
# minute without progress (the shortest allowed) rather than ten.
export DEBUG=false BULK_EXPORT_STALE_MINUTES=1
$PY scripts/faults.py
