#!/usr/bin/env bash
# Concurrency peer-less benchmark for bench/networks.sql: pgbench, 8 clients
# calling mountaineer.allocate_ip on one prefix for SECONDS, prepared
# statements.  Writes one row into bench_pgbench (seconds, clients, processed,
# failed, aborted clients, tps); pgbench's own output goes to
# bench/out/networks_pgbench.txt.  A client that gets an error (e.g. the
# prefix running out) is aborted by pgbench and counted in `aborted`.
#   NETBENCH_HOST_ID=uuid NETBENCH_SECONDS=30 networks_pgbench.sh PREFIX
# Connection: PGHOST/PGPORT/PGUSER, database PGDATABASE (default
# mountaineer_bench); pgbench from PATH (tools/bench.sh puts the server's
# bindir first).
set -uo pipefail
prefix=$1 host_id=$NETBENCH_HOST_ID seconds=${NETBENCH_SECONDS:-30} clients=8
db=${PGDATABASE:-mountaineer_bench}
cd "$(dirname "$0")"
mkdir -p out
script=$(mktemp)
trap 'rm -f "$script"' EXIT
echo "SELECT mountaineer.allocate_ip('$prefix', :host_id);" >"$script"
pgbench -n -M prepared -c $clients -j 2 -T "$seconds" -D host_id="$host_id" -f "$script" "$db" \
    >out/networks_pgbench.txt 2>&1
rc=$?
processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' out/networks_pgbench.txt)
failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' out/networks_pgbench.txt)
aborted=$(grep -c 'aborted in command' out/networks_pgbench.txt)
tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' out/networks_pgbench.txt | head -1)
echo "   pgbench exit $rc: processed ${processed:-?}, failed ${failed:-?}, aborted clients $aborted, tps ${tps:-?}"
if [ -z "$processed" ] || [ -z "$tps" ]; then
    cat out/networks_pgbench.txt >&2
    exit 1
fi
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c \
    "INSERT INTO bench_pgbench VALUES ($seconds, $clients, $processed, ${failed:-0}, $aborted, $tps)"
