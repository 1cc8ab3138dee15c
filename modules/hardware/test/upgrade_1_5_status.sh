#!/usr/bin/env bash
# TAP: ALTER EXTENSION ... UPDATE from 1.4 to 1.5 gives every existing site,
# rack, device and host the status active, no region and no location; the
# capacity views answer as they did (every 1.4 column unchanged); and
# mountaineer_hosts refuses (55000) to go first.  Runs against the cluster
# named by PGHOST/PGPORT (tools/test.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/test/lib/tap.sh"
db=mt_hardware_upgrade_1_5
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
trap 'dropdb --if-exists -f $db 2>/dev/null' EXIT
echo "1..5"

dropdb --if-exists -f $db 2>/dev/null
createdb $db || { echo "Bail out! cannot create a database"; exit 1; }
q -c 'SET client_min_messages = warning' \
  -c "CREATE EXTENSION mountaineer VERSION '1.4'" \
  -c "CREATE EXTENSION mountaineer_hardware VERSION '1.4' CASCADE" \
  -c "CREATE EXTENSION mountaineer_hosts VERSION '1.4'" >/dev/null || { echo "Bail out! cannot install 1.4"; exit 1; }
q -f "$top/modules/hardware/demo/estate.sql" -f "$top/modules/hosts/demo/estate.sql" >/dev/null ||
    { echo "Bail out! the demo estates do not load"; exit 1; }
views="SELECT string_agg(concat_ws('|', rack, site, capacity_watts, allocated_watts, unallocated_watts), ';' ORDER BY rack) FROM mountaineer.rack_power
       UNION ALL SELECT string_agg(concat_ws('|', rack, units, used_units, free_units, percent), ';' ORDER BY rack) FROM mountaineer.rack_utilization
       UNION ALL SELECT string_agg(concat_ws('|', site, kind, devices, units, draw_watts), ';' ORDER BY site, kind) FROM mountaineer.device_summary"
before=$(q -c "$views")

out=$(q -v VERBOSITY=verbose -c 'SET client_min_messages = warning' -c 'ALTER EXTENSION mountaineer UPDATE' \
        -c 'ALTER EXTENSION mountaineer_hosts UPDATE' 2>&1)
check "mountaineer_hosts before mountaineer_hardware is refused with 55000, naming it" \
      'grep -q "ERROR:  55000: mountaineer_hosts 1.5 needs mountaineer_hardware 1.5" <<<"$out"' || echo "# $out"

q -c 'SET client_min_messages = warning' -c "ALTER EXTENSION mountaineer_hardware UPDATE TO '1.5'" -c "ALTER EXTENSION mountaineer_hosts UPDATE TO '1.5'" >/dev/null
check "the update goes through: 1.5 and 1.5" \
      '[ "$(q -c "SELECT string_agg(extversion, '\'' '\'' ORDER BY extname) FROM pg_extension WHERE extname IN ('\''mountaineer_hardware'\'', '\''mountaineer_hosts'\'')")" = "1.5 1.5" ]'
statuses=$(q -c "SELECT (SELECT string_agg(DISTINCT status::text, ',') FROM mountaineer.site) || ' ' ||
                        (SELECT string_agg(DISTINCT status::text, ',') FROM mountaineer.rack) || ' ' ||
                        (SELECT string_agg(DISTINCT status::text, ',') FROM mountaineer.device) || ' ' ||
                        (SELECT string_agg(DISTINCT status::text, ',') FROM mountaineer.host)")
check "every existing site, rack, device and host is active ($statuses)" '[ "$statuses" = "active active active active" ]'
check "no site has a region, no rack a location" \
      '[ "$(q -c "SELECT count(*) FROM mountaineer.site WHERE region_id IS NOT NULL")/$(q -c "SELECT count(*) FROM mountaineer.rack WHERE location_id IS NOT NULL")" = "0/0" ]'
after=$(q -c "$views")
check "rack_power, rack_utilization and device_summary answer as in 1.4" '[ "$after" = "$before" ] && [ -n "$before" ]' ||
    { echo "# before: $before"; echo "# after:  $after"; }
