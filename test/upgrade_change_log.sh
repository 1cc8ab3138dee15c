#!/usr/bin/env bash
# TAP: ALTER EXTENSION mountaineer UPDATE from 1.2 to 1.3 gives every table
# that manage_table() gave the row trigger log_change (the modules' tables)
# the statement triggers log_insert, log_update and log_delete instead, in
# the state log_change was in (disabled, enabled on replicas, always); a
# table that attached log_change() itself keeps it; the history recorded row
# by row goes on, and a statement is now logged and announced once.
# (test/upgrade.sh checks that the schema is then that of a fresh 1.3.)
# Runs against the cluster named by PGHOST/PGPORT (tools/test.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/test/lib/tap.sh"
db=mt_upgrade_change_log
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists -f $db 2>/dev/null' EXIT

dropdb --if-exists -f $db 2>/dev/null
createdb $db || { echo "Bail out! cannot create a database"; exit 1; }
q -c 'SET client_min_messages = warning' \
  -c "CREATE EXTENSION mountaineer VERSION '1.2'" \
  -c "CREATE EXTENSION mountaineer_hardware VERSION '1.2' CASCADE" \
  -c "CREATE EXTENSION mountaineer_hosts VERSION '1.2'" >/dev/null || { echo "Bail out! cannot install 1.2"; exit 1; }

# how each table that logs its changes logs them: its log triggers and their states
triggers() {
    q -c "SET search_path = pg_catalog" -c "SELECT c.oid::regclass, string_agg(t.tgname::text || ':' || t.tgenabled::text, ' ' ORDER BY t.tgname)
            FROM pg_class c JOIN pg_trigger t ON t.tgrelid = c.oid AND t.tgname IN ('log_change', 'log_insert', 'log_update', 'log_delete')
           WHERE c.oid IN (SELECT unnest(extconfig) FROM pg_extension) AND c.relname <> 'change' OR c.oid = 'public.own'::regclass::oid
           GROUP BY 1 ORDER BY 1::text"
}

q >/dev/null <<'SQL' || { echo "Bail out! cannot prepare the 1.2 database"; exit 1; }
CREATE TABLE public.own (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), n int);
CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON public.own FOR EACH ROW EXECUTE FUNCTION mountaineer.log_change();
ALTER TABLE mountaineer.rack DISABLE TRIGGER log_change;
ALTER TABLE mountaineer.port ENABLE REPLICA TRIGGER log_change;
ALTER TABLE mountaineer.cable ENABLE ALWAYS TRIGGER log_change;
SET mountaineer.actor = 'before';
INSERT INTO mountaineer.site (name) VALUES ('s1');
UPDATE mountaineer.site SET vendor = 'v1';
SQL
triggers >"$work/before"
managed=$(q -c "SELECT count(*) FROM pg_trigger WHERE tgname = 'log_change' AND tgrelid <> 'public.own'::regclass")

echo "1..9"
check "1.2: $managed tables carry the row trigger log_change" \
      '[ "$managed" -ge 15 ] && [ "$(grep -c "log_change:" "$work/before")" = $((managed + 1)) ]'
out=$(q -c 'SET client_min_messages = warning' -c "ALTER EXTENSION mountaineer UPDATE TO '1.3'" \
        -c "SELECT extversion FROM pg_extension WHERE extname = 'mountaineer'" 2>&1)
check "ALTER EXTENSION mountaineer UPDATE goes to 1.3" '[ "$out" = 1.3 ]' || echo "# $out"

after=$(triggers)
want=$(sed -E '/^public\.own\|/! { s/log_change:(.)/log_delete:\1 log_insert:\1 log_update:\1/ }' "$work/before")
check "every table that had log_change from manage_table() has log_insert, log_update and log_delete instead, in the state it was in" \
      '[ "$after" = "$want" ] && [ "$(grep -c "log_insert:" <<<"$after")" = "$managed" ]'
[ "$after" = "$want" ] || diff <(echo "$want") <(echo "$after") | sed 's/^/# /'
check "(rack disabled, port on replicas, cable always, the others as usual)" \
      'grep -qx "mountaineer.rack|log_delete:D log_insert:D log_update:D" <<<"$after" &&
       grep -qx "mountaineer.port|log_delete:R log_insert:R log_update:R" <<<"$after" &&
       grep -qx "mountaineer.cable|log_delete:A log_insert:A log_update:A" <<<"$after" &&
       grep -qx "mountaineer.site|log_delete:O log_insert:O log_update:O" <<<"$after"'
check "a table that attached log_change() itself keeps it" 'grep -qx "public.own|log_change:O" <<<"$after"'

# the history goes on; a statement is logged row by row and announced once
out=$(q <<'SQL' 2>&1
SET mountaineer.actor = 'after';
LISTEN mountaineer;
UPDATE mountaineer.site SET vendor = 'v2';
INSERT INTO mountaineer.site (name) SELECT 'bulk ' || g FROM generate_series(1, 100) g;
SELECT 'history', string_agg(actor || ' ' || op || ' ' || coalesce(after ->> 'vendor', '-'), ', ' ORDER BY h.id)
  FROM mountaineer.history('mountaineer.site', (SELECT id FROM mountaineer.site WHERE name = 's1')) h;
SELECT 'as_of', mountaineer.as_of('mountaineer.site', id, (SELECT max(at) FROM mountaineer.change WHERE actor = 'before')) ->> 'vendor'
  FROM mountaineer.site WHERE name = 's1';
SELECT 'bulk', count(*) FROM mountaineer.change WHERE actor = 'after' AND op = 'insert';
INSERT INTO public.own (n) VALUES (1), (2);
SQL
)
check "a site's history runs on from 1.2 to 1.3" \
      'grep -qxF "history|before insert -, before update v1, after update v2" <<<"$out"' || echo "$out" | sed 's/^/# /'
check "as_of() answers for a moment before the update" 'grep -qxF "as_of|v1" <<<"$out"'
check "a 100-row INSERT into a module table logs 100 changes" 'grep -qxF "bulk|100" <<<"$out"'
check "and sends 2 notifications for the two statements on site, 2 more for the 2 rows of the table that kept log_change" \
      '[ "$(grep -c "^Asynchronous notification \"mountaineer\" with payload \"{\"table\" : \"site\", \"op\" : \"update\", \"id\"" <<<"$out")" = 1 ] &&
       [ "$(grep -c "^Asynchronous notification \"mountaineer\" with payload \"{\"table\" : \"site\", \"op\" : \"insert\", \"count\" : 100, \"ids\"" <<<"$out")" = 1 ] &&
       [ "$(grep -c "^Asynchronous notification \"mountaineer\" with payload \"{\"table\" : \"own\", \"op\" : \"insert\", \"id\"" <<<"$out")" = 2 ] &&
       [ "$(grep -c "^Asynchronous notification" <<<"$out")" = 4 ]'
