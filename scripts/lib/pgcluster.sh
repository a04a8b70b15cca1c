# A throwaway PostgreSQL cluster for `make load` and `make faults`, on loopback only.
# Source this file, then:
#   pgcluster_start DIR PORT   creates (once) and starts a cluster in DIR on 127.0.0.1:PORT,
#                              with a role and database "maturity" (password "maturity");
#                              prints its DATABASE_URL.
#   pgcluster_stop DIR         stops it (fast shutdown); pgcluster_kill DIR stops it at once.
# initdb refuses to run as root, so as root the cluster belongs to the postgres user.

_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pgcluster_start() {
  local dir=$1 port=$2 bin
  bin=$(_pg_bin)
  [ -n "$bin" ] || { echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2; return 1; }
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    _pg_as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  _pg_as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
    -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=200" start >/dev/null
  "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SELECT 'CREATE ROLE maturity LOGIN CREATEDB PASSWORD ''maturity'''
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'maturity') \gexec
SELECT 'CREATE DATABASE maturity OWNER maturity'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'maturity') \gexec
SQL
  echo "postgres://maturity:maturity@127.0.0.1:$port/maturity"
}

pgcluster_stop() {
  _pg_as_owner "$(_pg_bin)/pg_ctl" -D "$1" -m fast -w stop >/dev/null 2>&1 || true
}

pgcluster_kill() {
  _pg_as_owner "$(_pg_bin)/pg_ctl" -D "$1" -m immediate -w stop >/dev/null 2>&1 || true
}
