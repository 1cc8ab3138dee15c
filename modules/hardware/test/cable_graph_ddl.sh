#!/usr/bin/env bash
# TAP: the cable-graph engine (src/cable.c) and DDL committed around it, in a
# database of its own (what it does cannot be rolled back).
#   1. Another session's catalog change processed while the engine learns
#      the graph's tables (their columns, enum labels and indexes): it learns
#      them again, and traces right.
#   2. Another session's change of the port table processed while a call
#      opens the tables, after the backend learned them: it learns them again.
#   3. An index left invalid by a failed CREATE INDEX CONCURRENTLY does not
#      serve: the trace refuses (55000), naming the index it needs.
#   4. A port kind added to the enum by its owner and given to a port: the
#      engine does not know the kind and says so (55000) rather than guess.
# The other session is a dblink connection back to this database.  Runs
# against the cluster named by PGHOST/PGPORT.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/test/lib/tap.sh"
db=mt_cable_graph_ddl
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
trap 'dropdb --if-exists -f "$db" 2>/dev/null' EXIT
echo "1..4"

dropdb --if-exists -f "$db" 2>/dev/null
createdb "$db" || { echo "Bail out! cannot create a database"; exit 1; }
q -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION mountaineer_hardware CASCADE' -c 'CREATE EXTENSION dblink' \
    >/dev/null || { echo "Bail out! cannot install mountaineer_hardware and dblink"; exit 1; }
q >/dev/null <<'SQL' || { echo "Bail out! cannot load the fixture"; exit 1; }
SET search_path = mountaineer, public;
INSERT INTO device (kind, name, units) VALUES ('server', 'srv', 1), ('network', 'sw', 1);
INSERT INTO port (device_id, name, kind) SELECT id, 'eth0', 'interface' FROM device;
WITH c AS (INSERT INTO cable (label) VALUES ('c1') RETURNING id)
INSERT INTO cable_end (cable_id, side, port_id)
SELECT c.id, CASE d.name WHEN 'srv' THEN 'a' ELSE 'b' END::cable_side, p.id
FROM c, port p JOIN device d ON d.id = p.device_id;
SQL
eth0=$(q -c "SELECT p.id FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id WHERE d.name = 'srv'")
sw=$(q -c "SELECT id FROM mountaineer.device WHERE name = 'sw'")
conn="host=$PGHOST port=$PGPORT dbname=$db user=${PGUSER:-postgres}"
trace_from() { echo "SELECT count(*) || ' hop to ' || string_agg(far_device::text, ',') FROM mountaineer.cable_trace($1)"; }
trace=$(trace_from "'$eth0'")

# --- 1. while it learns ------------------------------------------------------
# A new backend has learnt nothing.  Planning the same query first (with a
# NULL argument: the function is STRICT, so it is not run) takes the locks
# and cache entries planning needs, so the other session's change is first
# seen by the engine, when it locks the port table.
out=$(q <<SQL 2>&1
BEGIN;
$(trace_from NULL);
SELECT dblink_exec('$conn', 'CREATE TEMP TABLE elsewhere ()');
$trace;
COMMIT;
SQL
)
check "a catalog change committed by another session while the engine learns the graph: it traces right (got: $(tr '\n' ' ' <<<"$out"))" \
    '[ "$(tail -1 <<<"$out")" = "1 hop to $sw" ]'

# --- 2. while it opens the tables ---------------------------------------------
out=$(q <<SQL 2>&1
$trace;
SELECT dblink_exec('$conn', 'SET search_path = public');
BEGIN;
SELECT dblink_exec('$conn', 'ALTER TABLE mountaineer.port ALTER COLUMN name SET STATISTICS -1');
$trace;
COMMIT;
SQL
)
check "the port table changed by another session after the backend learned the graph: it traces right (got: $(tr '\n' ' ' <<<"$out"))" \
    '[ "$(tail -1 <<<"$out")" = "1 hop to $sw" ]'

# --- 3. an invalid index -------------------------------------------------------
# the two indexes leading with port (device_id) dropped, and a unique one
# built concurrently in their place, which fails (srv gets a second port, so
# device_id is not unique) and stays behind, invalid
q -c "INSERT INTO mountaineer.port (device_id, name, kind) SELECT id, 'eth1', 'interface' FROM mountaineer.device WHERE name = 'srv'" \
  -c 'ALTER TABLE mountaineer.port DROP CONSTRAINT port_device_id_name_key' -c 'DROP INDEX mountaineer.port_device_idx' >/dev/null
q -c 'CREATE UNIQUE INDEX CONCURRENTLY port_device_unique ON mountaineer.port (device_id)' >/dev/null 2>&1
valid=$(q -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'mountaineer.port_device_unique'::regclass")
out=$(psql -X -q -At -v VERBOSITY=verbose -d "$db" -c "$trace" 2>&1)
check "an index left invalid (indisvalid: $valid) by a failed CREATE INDEX CONCURRENTLY does not serve (55000)" \
    '[ "$valid" = f ] && grep -qF "ERROR:  55000: the cable graph needs a btree index on \"mountaineer.port\" (device_id)" <<<"$out" || { sed "s/^/# /" <<<"$out"; false; }'
q -c 'DROP INDEX mountaineer.port_device_unique' -c 'CREATE INDEX port_device_idx ON mountaineer.port (device_id)' >/dev/null

# --- 4. a port kind the engine does not know ------------------------------------
q -c "ALTER TYPE mountaineer.port_kind ADD VALUE 'fiber'" >/dev/null
q -c "INSERT INTO mountaineer.port (device_id, name, kind) SELECT id, 'fib0', 'fiber' FROM mountaineer.device WHERE name = 'sw'" >/dev/null
fiber=$(q -c "SELECT oid FROM pg_enum WHERE enumtypid = 'mountaineer.port_kind'::regtype AND enumlabel = 'fiber'")
fib0=$(q -c "SELECT id FROM mountaineer.port WHERE name = 'fib0'")
out=$(psql -X -q -At -v VERBOSITY=verbose -d "$db" -c "SELECT count(*) FROM mountaineer.cable_trace('$fib0')" 2>&1)
check "a port of a kind added to the enum later is refused (55000, naming the kind's oid $fiber)" \
    'grep -qF "ERROR:  55000: unknown port_kind oid $fiber" <<<"$out" || { sed "s/^/# /" <<<"$out"; false; }'
