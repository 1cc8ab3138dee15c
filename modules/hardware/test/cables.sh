#!/usr/bin/env bash
# TAP: what the cable graph's pgTAP suite cannot show in its one database.
#   1. Order under a non-C collation: the engine (src/cable.c) orders a
#      breakout cable's far ends, and a PDU's inlets, as ORDER BY orders
#      the names in the database's collation, not byte by byte.  Run in a
#      database whose collation is ICU en-US, where 'a' < 'B' (in C, 'B' < 'a').
#   2. The 1.1 declarations (one argument) called into the current library
#      follow connected cables only, as the 1.2 default does.
#   3. The update to 1.2 reports existing cables that break its new rules
#      (label, type, color are names; 0 < length <= 1000000) and changes
#      nothing until they are corrected.
#   4. A port changes kind only under READ COMMITTED (25000 otherwise).
# Runs against the cluster named by PGHOST/PGPORT.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/test/lib/tap.sh"
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists -f mt_cables_icu 2>/dev/null; dropdb --if-exists -f mt_cables_11 2>/dev/null' EXIT
echo "1..12"

# --- 1. collation ----------------------------------------------------------
dropdb --if-exists -f mt_cables_icu 2>/dev/null
if createdb -T template0 --locale-provider=icu --icu-locale=en-US --locale=C.UTF-8 mt_cables_icu 2>"$work/err" &&
   q -d mt_cables_icu -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION mountaineer_hardware CASCADE' 2>>"$work/err"; then
    q -d mt_cables_icu >/dev/null <<'SQL'
SET search_path = mountaineer, public;
INSERT INTO device (kind, name, units) VALUES ('network', 'sw', 1), ('server', 'B', 1), ('server', 'a', 1),
    ('server', 'srv', 1), ('pdu', 'pdu', 0), ('power_panel', 'wall', 0);
INSERT INTO port (device_id, name, kind) SELECT id, 'p1', 'interface' FROM device WHERE name = 'sw';
INSERT INTO port (device_id, name, kind) SELECT id, 'eth0', 'interface' FROM device WHERE name IN ('B', 'a');
INSERT INTO port (device_id, name, kind) SELECT id, 'psu1', 'power_port' FROM device WHERE name = 'srv';
INSERT INTO port (device_id, name, kind) SELECT id, 'outlet1', 'power_outlet' FROM device WHERE name = 'pdu';
INSERT INTO port (device_id, name, kind) SELECT d.id, n, 'power_port' FROM device d, unnest(ARRAY['Inlet-B', 'inlet-a']) n WHERE d.name = 'pdu';
INSERT INTO port (device_id, name, kind) SELECT d.id, n, 'power_feed' FROM device d, unnest(ARRAY['feed1', 'feed2']) n WHERE d.name = 'wall';
CREATE TEMP TABLE w (label text, a text[], b text[]);
INSERT INTO w VALUES ('brk', '{sw/p1}', '{B/eth0,a/eth0}'), ('pw', '{srv/psu1}', '{pdu/outlet1}'),
                     ('fB', '{pdu/Inlet-B}', '{wall/feed1}'), ('fa', '{pdu/inlet-a}', '{wall/feed2}');
WITH c AS (INSERT INTO cable (label) SELECT label FROM w RETURNING id, label)
INSERT INTO cable_end (cable_id, side, port_id)
SELECT c.id, x.side::cable_side, p.id
FROM c JOIN w USING (label)
CROSS JOIN LATERAL (SELECT 'a', unnest(w.a) UNION ALL SELECT 'b', unnest(w.b)) x(side, dp)
JOIN device d ON d.name = split_part(x.dp, '/', 1)
JOIN port p ON p.device_id = d.id AND p.name = split_part(x.dp, '/', 2);
SQL
    check "the ICU database orders 'a' before 'B' (C orders 'B' first)" \
        '[ "$(q -d mt_cables_icu -c "SELECT '"'a'"' < '"'B'"', '"'B'"' < '"'a'"' COLLATE \"C\"")" = "t|t" ]'
    got=$(q -d mt_cables_icu -c "SELECT string_agg(d.name, ',' ORDER BY t.branch) FROM mountaineer.cable_trace(
              (SELECT p.id FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id WHERE d.name = 'sw')) t
              JOIN mountaineer.device d ON d.id = t.far_device")
    want=$(q -d mt_cables_icu -c "SELECT string_agg(name, ',' ORDER BY name) FROM mountaineer.device WHERE name IN ('B', 'a')")
    check "a breakout's branches come in the database's name order ($want): got $got" '[ "$got" = "$want" ] && [ "$got" = "a,B" ]'
    got=$(q -d mt_cables_icu -c "SELECT string_agg(np.name, ',' ORDER BY t.branch) FROM mountaineer.power_trace(
              (SELECT p.id FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id WHERE d.name = 'srv')) t
              JOIN mountaineer.port np ON np.id = t.near_port WHERE t.hop = 2")
    check "a PDU's inlets branch in the database's name order (inlet-a,Inlet-B): got $got" '[ "$got" = "inlet-a,Inlet-B" ]'
else
    nok "a database with ICU collation en-US: $(head -3 "$work/err" | tr '\n' ' ')"
    nok "a breakout's branches in name order # not run"
    nok "a PDU's inlets in name order # not run"
fi

# --- 2. and 3. a 1.1 database ----------------------------------------------
dropdb --if-exists -f mt_cables_11 2>/dev/null
createdb mt_cables_11 || { echo "Bail out! cannot create a database"; exit 1; }
q -d mt_cables_11 -c 'SET client_min_messages = warning' -c "CREATE EXTENSION mountaineer VERSION '1.1'" \
  -c "CREATE EXTENSION mountaineer_hardware VERSION '1.1' CASCADE" >/dev/null ||
    { echo "Bail out! cannot install mountaineer_hardware 1.1"; exit 1; }
q -d mt_cables_11 >/dev/null <<'SQL' || { echo "Bail out! cannot load the 1.1 fixture"; exit 1; }
SET search_path = mountaineer, public;
INSERT INTO device (kind, name, units) VALUES ('server', 'srv', 1), ('pdu', 'pdu-a', 0), ('pdu', 'pdu-b', 0);
INSERT INTO port (device_id, name, kind) SELECT d.id, n, 'power_port' FROM device d, unnest(ARRAY['psu1', 'psu2']) n WHERE d.name = 'srv';
INSERT INTO port (device_id, name, kind) SELECT id, 'outlet1', 'power_outlet' FROM device WHERE kind = 'pdu';
WITH c AS (INSERT INTO cable (label, status) VALUES ('A', 'connected'), ('B', 'planned') RETURNING id, label)
INSERT INTO cable_end (cable_id, side, port_id)
SELECT c.id, 'a'::cable_side, p.id FROM c JOIN port p ON p.name = CASE c.label WHEN 'A' THEN 'psu1' ELSE 'psu2' END
UNION ALL
SELECT c.id, 'b', p.id FROM c JOIN device d ON d.name = CASE c.label WHEN 'A' THEN 'pdu-a' ELSE 'pdu-b' END
                              JOIN port p ON p.device_id = d.id AND p.name = 'outlet1';
SQL
got=$(q -d mt_cables_11 -c "SELECT string_agg(d.name, ' ') FROM mountaineer.impact((SELECT id FROM mountaineer.device WHERE name = 'pdu-a')) i
                             JOIN mountaineer.device d ON d.id = i.device_id")
check "1.1's impact(uuid) into the current library: the server with psu2 only planned goes down with pdu-a (got: $got)" '[ "$got" = srv ]'
got=$(q -d mt_cables_11 -c "SELECT count(*) FROM mountaineer.power_trace((SELECT p.id FROM mountaineer.port p WHERE p.name = 'psu2'))")
check "1.1's power_trace(uuid) into the current library does not follow the planned cable (got $got rows)" '[ "$got" = 0 ]'

# a cable of each kind of fault, corrected one rule at a time
q -d mt_cables_11 -c "INSERT INTO mountaineer.cable (label, type, color, length, length_unit, status)
                      VALUES (E'  ', 'cat6', 'blue', 1, 'm', 'planned'), ('T', E'cat6\n', 'blue', 1, 'm', 'planned'),
                             ('C', 'cat6', ' blue', 1, 'm', 'planned'), ('L', 'cat6', 'blue', 'NaN', 'm', 'planned')" >/dev/null
slug=$(q -d mt_cables_11 -c "SELECT slug FROM mountaineer.cable WHERE label = '  '")
q -d mt_cables_11 -c 'SET client_min_messages = warning' -c 'ALTER EXTENSION mountaineer UPDATE' >/dev/null ||
    { echo "Bail out! cannot update mountaineer to its default version"; exit 1; }
update() { psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d mt_cables_11 -c 'SET client_min_messages = warning' \
               -c "ALTER EXTENSION mountaineer_hardware UPDATE TO '1.2'" 2>&1; }
refused() {   # refused DESCRIPTION RULE OFFENDER: the update stops with 23514 naming them, at 1.1
    local out
    out=$(update)
    if grep -qF "ERROR:  23514: cannot update: 1 existing row(s) break the new rule: $2" <<<"$out" &&
       grep -qF "DETAIL:  $3" <<<"$out" &&
       [ "$(q -d mt_cables_11 -c "SELECT extversion FROM pg_extension WHERE extname = 'mountaineer_hardware'")" = 1.1 ]; then
        ok "$1"
    else
        nok "$1"; sed 's/^/# /' <<<"$out"
    fi
}
refused "the update names a cable whose label is not a name, and changes nothing" \
    "a cable's label is a name: 1 to 100 characters, no leading or trailing white space, no control characters" \
    "cable $slug: label \"  \""
q -d mt_cables_11 -c "UPDATE mountaineer.cable SET label = 'S' WHERE label = '  '"
refused "then a cable whose type is not a name" \
    "a cable's type is a name: 1 to 100 characters, no leading or trailing white space, no control characters" \
    "cable \"T\": type \"cat6"
q -d mt_cables_11 -c "UPDATE mountaineer.cable SET type = 'cat6' WHERE label = 'T'"
refused "then a cable whose color is not a name" \
    "a cable's color is a name: 1 to 100 characters, no leading or trailing white space, no control characters" \
    "cable \"C\": color \" blue\""
q -d mt_cables_11 -c "UPDATE mountaineer.cable SET color = NULL WHERE label = 'C'"
refused "then a cable whose length is NaN" \
    "a cable's length is more than 0 and at most 1000000" "cable \"L\": length NaN"
q -d mt_cables_11 -c "UPDATE mountaineer.cable SET length = 2 WHERE label = 'L'"
out=$(update)
check "corrected, the update goes through" \
    '[ "$(q -d mt_cables_11 -c "SELECT extversion FROM pg_extension WHERE extname = '"'mountaineer_hardware'"'")" = 1.2 ] || { sed "s/^/# /" <<<"$out"; false; }'

# --- 4. a change of kind outside READ COMMITTED ---------------------------
q -d mt_cables_11 -c "INSERT INTO mountaineer.port (device_id, name, kind) SELECT id, 'eth9', 'interface' FROM mountaineer.device WHERE name = 'srv'"
out=$(psql -X -q -v VERBOSITY=verbose -d mt_cables_11 -c 'BEGIN ISOLATION LEVEL REPEATABLE READ' \
          -c "UPDATE mountaineer.port SET kind = 'console' WHERE name = 'eth9'" -c 'COMMIT' 2>&1)
check "under REPEATABLE READ a port cannot change kind (25000)" \
    'grep -qF "ERROR:  25000: port \"eth9\" of device \"srv\" can only change kind under READ COMMITTED" <<<"$out" || { sed "s/^/# /" <<<"$out"; false; }'
out=$(psql -X -q -v ON_ERROR_STOP=1 -d mt_cables_11 -c "UPDATE mountaineer.port SET kind = 'console' WHERE name = 'eth9'" 2>&1)
check "under READ COMMITTED it can" '[ "$(q -d mt_cables_11 -c "SELECT kind FROM mountaineer.port WHERE name = '"'eth9'"'")" = console ] || { sed "s/^/# /" <<<"$out"; false; }'
