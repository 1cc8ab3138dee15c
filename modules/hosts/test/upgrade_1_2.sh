#!/usr/bin/env bash
# TAP: ALTER EXTENSION mountaineer_hosts UPDATE from 1.1 to 1.2 checks each
# new rule against the rows there are (mountaineer.upgrade_check): with rows
# that break them it stops, 23514, naming the rule and the rows, and changes
# nothing; corrected one by one, the update goes through.  Runs against the
# cluster named by PGHOST/PGPORT (tools/test.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/test/lib/tap.sh"
db=mt_hosts_upgrade_1_2
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }

dropdb --if-exists -f $db 2>/dev/null
createdb $db || { echo "Bail out! cannot create a database"; exit 1; }
q -c 'SET client_min_messages = warning' \
  -c "CREATE EXTENSION mountaineer VERSION '1.1'" \
  -c "CREATE EXTENSION mountaineer_hardware VERSION '1.1' CASCADE" \
  -c "CREATE EXTENSION mountaineer_hosts VERSION '1.1'" \
  -c 'ALTER EXTENSION mountaineer UPDATE' >/dev/null || { echo "Bail out! cannot install 1.1"; exit 1; }

# one row breaking each new rule, all accepted by 1.1
q >/dev/null <<'SQL' || { echo "Bail out! cannot load the offending rows"; exit 1; }
SET search_path = mountaineer, public;
INSERT INTO environment (name) VALUES ('ok'), (repeat('e', 101));
INSERT INTO environment (name, hostname_regex) VALUES ('spaced', ' .*');
INSERT INTO role (name) VALUES ('   ');
INSERT INTO cluster (name, kind) VALUES (E'kvm\tpool', 'kvm');
INSERT INTO device (kind, name, units) VALUES ('server', 'srv1', 1);
INSERT INTO host (hostname, environment_id, device_id, operating_system)
SELECT v || '.example.com', e.id, d.id, '' FROM (VALUES ('one'), ('two')) v(v), environment e, device d
 WHERE e.name = 'ok' AND d.name = 'srv1';
INSERT INTO grain (host_id, name, value) SELECT id, E'os\n', '"Debian"' FROM host WHERE hostname = 'one.example.com';
-- a multi-row INSERT closing a cycle (1.1 checked cycles on UPDATE only)
INSERT INTO host (id, hostname, environment_id, parent_host_id)
SELECT v.id::uuid, v.h, e.id, v.p::uuid FROM environment e,
    (VALUES ('00000000-0000-0000-0000-00000000000c', 'c.example.com', '00000000-0000-0000-0000-00000000000d'),
            ('00000000-0000-0000-0000-00000000000d', 'd.example.com', '00000000-0000-0000-0000-00000000000c')) v(id, h, p)
 WHERE e.name = 'ok';
SQL

# expect_refusal NAME N RULE DETAIL FIX: the update fails with 23514, N
# rows breaking RULE, DETAIL (its lines), and leaves 1.1 installed; then FIX
# corrects the rows
version() { q -c "SELECT extversion FROM pg_extension WHERE extname = 'mountaineer_hosts'"; }
expect_refusal() {
    local out rows=$2 rule=$3 detail=$4
    out=$(psql -X -q -d $db -v VERBOSITY=verbose -c "ALTER EXTENSION mountaineer_hosts UPDATE TO '1.2'" 2>&1)
    check "$1: refused with 23514 and the rule" \
        '[ "$(sed -n 1p <<<"$out")" = "ERROR:  23514: cannot update: $rows existing row(s) break the new rule: $rule" ]'
    check "$1: naming the rows" '[ "$(sed -n "2,$(( $(wc -l <<<"$detail") + 1 ))p" <<<"$out")" = "DETAIL:  $detail" ]'
    check "$1: nothing changed" '[ "$(version)" = 1.1 ]'
    q -c "$5" >/dev/null || echo "# the correction failed: $5"
}

echo "1..26"
expect_refusal 'environment name' 1 'environment names are 1 to 100 characters' \
    'environment "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee..." (101 characters)' \
    "UPDATE mountaineer.environment SET name = 'long' WHERE length(name) > 100"
expect_refusal 'hostname_regex' 1 \
    "an environment's hostname_regex is 1 to 1000 characters, without control characters or white space at either end" \
    'environment "spaced": hostname_regex " .*"' \
    "UPDATE mountaineer.environment SET hostname_regex = '.*' WHERE name = 'spaced'"
expect_refusal 'role name' 1 'role names are 1 to 100 characters, without control characters or white space at either end' \
    'role "   "' "UPDATE mountaineer.role SET name = 'web' WHERE name = '   '"
expect_refusal 'cluster name' 1 'cluster names are 1 to 100 characters, without control characters or white space at either end' \
    "cluster \"kvm	pool\"" "UPDATE mountaineer.cluster SET name = 'kvm-pool'"
# the name's newline, printed as is
expect_refusal 'grain name' 1 'grain names are 1 to 100 characters, without control characters or white space at either end' \
    'grain "os
" of host "one.example.com"' "UPDATE mountaineer.grain SET name = 'os'"
expect_refusal 'operating_system' 2 \
    "a host's operating_system is 1 to 100 characters, without control characters or white space at either end" \
    'host "one.example.com": operating_system ""
host "two.example.com": operating_system ""' "UPDATE mountaineer.host SET operating_system = NULL WHERE operating_system = ''"
expect_refusal 'one host per device' 1 \
    'a device carries at most one host (a second operating system on it runs on that host)' \
    'device "srv1": one.example.com, two.example.com' \
    "DELETE FROM mountaineer.host WHERE hostname = 'two.example.com'"
expect_refusal 'no cycle' 2 'a host does not run on itself, directly or through other hosts' \
    'host "c.example.com"
host "d.example.com"' "DELETE FROM mountaineer.host WHERE hostname IN ('c.example.com', 'd.example.com')"
check 'the corrected rows update to 1.2' "q -c \"ALTER EXTENSION mountaineer_hosts UPDATE TO '1.2'\" >/dev/null 2>&1"
check 'and it is 1.2' '[ "$(version)" = 1.2 ]'
dropdb -f $db
