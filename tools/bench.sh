#!/usr/bin/env bash
# `make bench`: every bench/*.sql against a fresh throwaway cluster
# (tools/pg.sh bench), in one database with every extension installed.
#
# Each script is run by psql with the variable :scale (SCALE, default 1) and
# generates its own data; it records what it measured in bench_result
# (bench, what, ours, peer, unit, lower_is_better), ours and peer timed in the
# same run on the same data.  At the end one table is printed: ratio = ours /
# peer for rates, peer / ours for rows marked lower_is_better (latencies), so
# a ratio above 1 always means we are that many times better.  A row may have
# no peer (then no ratio).  Benchmarks are never part of `make test`.
#
# Scripts may run helpers of their own from psql with \! (bench/*.py, *.sh,
# *.pgbench): PGHOST/PGPORT/PGUSER are exported, PGDATABASE is the bench
# database, and PATH starts with the server's bindir (psql, pgbench).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
modules=(${MOUNTAINEER_MODULES:-$(sed -n 's/^MOUNTAINEER_MODULES *= *//p' Makefile)})
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PATH="$("$PG_CONFIG" --bindir):$PATH"
scale=${SCALE:-1}
case $scale in (*[!0-9]*|'') echo "SCALE must be a positive integer" >&2; exit 2 ;; esac

# the networks bench's NetBox peer (bench/networks_netbox.py) needs netaddr
tools/deps.sh python3-netaddr
# pgRouting is a second peer of bench/cables.sql; install its Debian package
# when possible (a PostgreSQL tree other than the system one may still lack
# it: the script then skips that peer and says so).
tools/deps.sh postgresql-15-pgrouting || echo "== pgRouting could not be installed; its peer will be skipped"

tools/pg.sh fresh bench
eval "$(tools/pg.sh env bench)"
export PGDATABASE=mountaineer_bench
trap 'tools/pg.sh stop bench >/dev/null' EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 -d mountaineer_bench "$@"; }

createdb mountaineer_bench
q -c 'CREATE EXTENSION mountaineer'
for m in "${modules[@]}"; do q -c "SET client_min_messages = warning" -c "CREATE EXTENSION mountaineer_$m CASCADE"; done
q <<'SQL'
CREATE TABLE bench_result (bench text, what text, ours numeric, peer numeric, unit text,
                           lower_is_better boolean NOT NULL DEFAULT false, n serial);
-- Wall-clock seconds a statement takes, measured in the server.
CREATE FUNCTION bench_seconds(stmt text) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE t timestamptz := clock_timestamp();
BEGIN
    EXECUTE stmt;
    RETURN extract(epoch FROM clock_timestamp() - t);
END $$;
SQL

# bench/netbox.sql's source: NetBox 4.1's own tables, empty, in schema netbox_bench
bench/netbox_source.sh mountaineer_bench netbox_bench || echo "== no NetBox 4.1 dump: bench/netbox.sql will be skipped"

mkdir -p bench/out
for f in bench/*.sql; do
    echo "== $f (SCALE=$scale)"
    q -v scale="$scale" -f "$f"
done

echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); PostgreSQL $(postgres --version | awk '{print $3}'); SCALE=$scale"
q -P footer=off -c "
SELECT bench, what, round(ours, CASE WHEN abs(ours) < 10 THEN 3 ELSE 1 END) AS ours,
       round(peer, CASE WHEN abs(peer) < 10 THEN 3 ELSE 1 END) AS peer, unit,
       round(CASE WHEN lower_is_better THEN peer / nullif(ours, 0) ELSE ours / nullif(peer, 0) END, 2) || 'x' AS ratio
FROM bench_result ORDER BY n" | tee bench/out/results.txt
