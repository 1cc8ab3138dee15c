#!/usr/bin/env bash
# `make valgrind`: the pg_regress cases that exercise C code (the core's, and
# the hardware module's, which drive the cable-graph engine) and the pgTAP
# suites of login() (src/sign_in.c), refuse_delete_referenced()
# (src/referenced.c) and normalize_hostname() (src/hostname.c) against a
# server running under valgrind.  Fails if any valgrind error has our code
# in its stack.  PostgreSQL's own known reports (uninitialised padding bytes
# written to WAL and to the relcache init file) are counted but not ours.
# Debian's server is built without USE_VALGRIND, so errors inside palloc'd
# chunks are not seen; out-of-bounds and uninitialised reads are.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
bin=$("$PG_CONFIG" --bindir)
tools/deps.sh valgrind

tools/pg.sh fresh valgrind >/dev/null
tools/pg.sh stop valgrind >/dev/null
eval "$(tools/pg.sh env valgrind)"
dir=$PGHOST
as_owner=()
[ "$(id -u)" = 0 ] && as_owner=(runuser -u postgres --)
rm -f "$dir"/vg.*.log
# where the server's user can read it (the clone may be under /root)
cp tools/valgrind.supp "$dir/valgrind.supp" && chmod 644 "$dir/valgrind.supp"

echo "== starting postgres under valgrind (slow)"
"${as_owner[@]}" valgrind --quiet --trace-children=yes --track-origins=yes --read-var-info=no \
    --error-limit=no --num-callers=30 --suppressions="$dir/valgrind.supp" --log-file="$dir/vg.%p.log" \
    "$bin/postgres" -D "$dir/data" -c max_parallel_workers_per_gather=0 -c jit=off \
    >"$dir/valgrind-server.log" 2>&1 &
for _ in $(seq 1 120); do pg_isready -q -h "$dir" -p "$PGPORT" && break; sleep 1; done
trap '"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true' EXIT

set +e
make --no-print-directory installcheck
rc=$?
make --no-print-directory -C modules/hardware installcheck || rc=1
# login() (src/sign_in.c) is tested by pgTAP only, the cache of
# refuse_delete_referenced() (src/referenced.c), normalize_hostname()
# (src/hostname.c, over thousands of names), the cable checks (src/cable.c,
# every pair of port kinds), the address and host checks, the free-block
# probe and the prefix tree's (src/address.c, src/host.c), jsonb_changes()
# (src/changes.c) and the change log's triggers for few rows
# (src/change_log.c) best there: run those too
dropdb --if-exists mt_valgrind_login 2>/dev/null
createdb mt_valgrind_login &&
    psql -X -q -d mt_valgrind_login -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION mountaineer_networks CASCADE' &&
    pg_prove -d mt_valgrind_login test/login.sql test/refuse_delete_referenced.sql modules/hosts/test/normalize_hostname.sql \
        modules/hardware/test/cable_end_check.sql modules/networks/test/ip_address_check.sql test/jsonb_changes.sql \
        modules/hosts/test/host_check.sql modules/networks/test/free_block_holding.sql modules/networks/test/prefix_owner.sql \
        modules/networks/test/free_space_c.sql \
        test/change_log_few_rows.sql test/change_log_statements.sql || rc=1
set -e
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 120 stop >/dev/null
trap - EXIT

ours=$(grep -lE 'mountaineer|rackspan|slug_|cidr_|inet_next_free|ptr_name|reverse_zone|cable' "$dir"/vg.*.log 2>/dev/null || true)
noise=$(grep -hc '^==[0-9]*== [A-Z]' "$dir"/vg.*.log 2>/dev/null | awk '{s+=$1} END {print s+0}')
if [ -n "$ours" ]; then
    echo "== valgrind errors in our code:"
    for f in $ours; do cat "$f"; done
    exit 1
fi
echo "== valgrind: no errors in our code ($noise report lines from PostgreSQL itself in $dir/vg.*.log)"
exit $rc
