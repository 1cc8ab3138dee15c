#!/usr/bin/env bash
# TAP: ALTER EXTENSION mountaineer_hardware UPDATE from 1.3 to 1.4 makes
# topology_dot() return "text/plain" by dropping it and making it again:
# with a view of the user's depending on it the update stops (2BP01, naming
# the view) and changes nothing; without, it goes through, and the
# function keeps its privileges (a grant of the user's with grant option, a
# revoke from PUBLIC), its comment, and draws the same graph.  Runs against
# the cluster named by PGHOST/PGPORT (tools/test.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/test/lib/tap.sh"
db=mt_hardware_upgrade_1_4
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
trap 'dropdb --if-exists -f $db 2>/dev/null; psql -X -q -d postgres -c "DROP ROLE IF EXISTS mt_dot_user" 2>/dev/null' EXIT
echo "1..6"

dropdb --if-exists -f $db 2>/dev/null
createdb $db || { echo "Bail out! cannot create a database"; exit 1; }
q -c 'SET client_min_messages = warning' \
  -c "CREATE EXTENSION mountaineer VERSION '1.3'" \
  -c "CREATE EXTENSION mountaineer_hardware VERSION '1.3' CASCADE" \
  -c 'ALTER EXTENSION mountaineer UPDATE' >/dev/null || { echo "Bail out! cannot install 1.3"; exit 1; }
q -f "$top/modules/hardware/demo/estate.sql" >/dev/null || { echo "Bail out! the demo estate does not load"; exit 1; }
q >/dev/null <<'SQL' || { echo "Bail out! cannot set up the privileges and the view"; exit 1; }
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mt_dot_user') THEN CREATE ROLE mt_dot_user; END IF; END $$;
GRANT EXECUTE ON FUNCTION mountaineer.topology_dot(uuid, boolean) TO mt_dot_user WITH GRANT OPTION;
REVOKE EXECUTE ON FUNCTION mountaineer.topology_dot(uuid, boolean) FROM PUBLIC;
CREATE VIEW public.site_dot AS SELECT s.name, mountaineer.topology_dot(s.id) AS dot FROM mountaineer.site s;
SQL
fn="'mountaineer.topology_dot(uuid, boolean)'::regprocedure"
acl_before=$(q -c "SELECT proacl FROM pg_proc WHERE oid = $fn")
dot_before=$(q -c "SELECT mountaineer.topology_dot(id) FROM mountaineer.site WHERE name = 'ams1'")
comment_before=$(q -c "SELECT obj_description($fn, 'pg_proc')")

out=$(q -v VERBOSITY=verbose -c 'SET client_min_messages = warning' -c 'ALTER EXTENSION mountaineer_hardware UPDATE TO '\''1.4'\''' 2>&1)
check "a view depending on topology_dot stops the update with 2BP01, naming the view" \
      'grep -q "ERROR:  2BP01: cannot drop function topology_dot(uuid,boolean) because other objects depend on it" <<<"$out" &&
       grep -q "view site_dot depends on function topology_dot(uuid,boolean)" <<<"$out"' || echo "# $out"
check "... and changes nothing (still 1.3, still text)" \
      '[ "$(q -c "SELECT extversion FROM pg_extension WHERE extname = '\''mountaineer_hardware'\''") $(q -c "SELECT pg_get_function_result($fn)")" = "1.3 text" ]'

q -c 'DROP VIEW public.site_dot' -c 'SET client_min_messages = warning' -c 'ALTER EXTENSION mountaineer_hardware UPDATE TO '\''1.4'\''' >/dev/null 2>&1
check "without the view the update goes through: 1.4, topology_dot returns \"text/plain\"" \
      '[ "$(q -c "SELECT extversion FROM pg_extension WHERE extname = '\''mountaineer_hardware'\''") $(q -c "SELECT pg_get_function_result($fn)")" = "1.4 mountaineer.\"text/plain\"" ]'
acl_after=$(q -c "SELECT proacl FROM pg_proc WHERE oid = $fn")
check "its privileges are kept: the user's grant with grant option, the revoke from PUBLIC, the reader's grant ($acl_after)" \
      '[ "$acl_after" = "$acl_before" ] && grep -q "mt_dot_user=X\*/" <<<"$acl_after" && ! grep -q "{=X\|,=X" <<<"$acl_after"' ||
    echo "# before: $acl_before"
check "its comment is kept, and says what it returns" \
      '[ "$(q -c "SELECT obj_description($fn, '\''pg_proc'\'')")" = "${comment_before% P0002 for an unknown site.} Returns text/plain, which PostgREST serves with that Content-Type. P0002 for an unknown site." ]' ||
    echo "# $(q -c "SELECT obj_description($fn, 'pg_proc')")"
check "it draws the same graph as before" \
      '[ "$(q -c "SELECT mountaineer.topology_dot(id) FROM mountaineer.site WHERE name = '\''ams1'\''")" = "$dot_before" ] && [ -n "$dot_before" ]'
