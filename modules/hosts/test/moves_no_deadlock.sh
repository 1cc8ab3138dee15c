#!/usr/bin/env bash
# TAP: two sessions moving hosts A onto B and B onto A at the same moment,
# over and over for 3 seconds (pgbench, 4 clients), never deadlock: each
# UPDATE that sets parent_host_id first waits for the transactions that
# moved hosts before it (host_lock_moves()), before it locks any row.
# (Without that trigger about half of these transactions end in 40P01: each
# locks its own row, then waits in host_check()'s walk for the other's.)
# Runs against the cluster named by PGHOST/PGPORT (tools/test.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/test/lib/tap.sh"
db=mt_hosts_moves
bin=$(${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config} --bindir)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "1..2"
dropdb --if-exists -f $db 2>/dev/null
createdb $db || { echo "Bail out! cannot create a database"; exit 1; }
psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null <<'SQL' || { echo "Bail out! cannot make the hosts"; exit 1; }
SET client_min_messages = warning;
CREATE EXTENSION mountaineer_hosts CASCADE;
INSERT INTO mountaineer.environment (name) VALUES ('moves');
INSERT INTO mountaineer.cluster (name, kind) VALUES ('moves', 'kvm');
INSERT INTO mountaineer.host (hostname, environment_id, cluster_id)
SELECT v || '.moves.example', e.id, c.id FROM mountaineer.environment e, mountaineer.cluster c, (VALUES ('a'), ('b')) v(v);
SQL
for p in a:b b:a; do
    cat >"$work/${p%:*}.sql" <<SQL
BEGIN;
UPDATE mountaineer.host SET cluster_id = NULL,
       parent_host_id = (SELECT id FROM mountaineer.host WHERE hostname = '${p#*:}.moves.example')
 WHERE hostname = '${p%:*}.moves.example';
ROLLBACK;
SQL
done
"$bin/pgbench" -n -d $db -f "$work/a.sql" -f "$work/b.sql" -c 4 -T 3 --max-tries=1 --failures-detailed >"$work/out" 2>&1
processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/out")
deadlocks=$(sed -n 's/^number of deadlock failures: \([0-9]*\).*/\1/p' "$work/out")
check "the moves ran (${processed:-none})" '[ "${processed:-0}" -gt 100 ]'
check "none deadlocked (${deadlocks:-?} of them did)" '[ "${deadlocks:-1}" = 0 ]'
[ "${processed:-0}" -gt 100 ] || sed 's/^/# /' "$work/out"
dropdb -f $db
