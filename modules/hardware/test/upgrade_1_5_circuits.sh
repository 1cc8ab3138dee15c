#!/usr/bin/env bash
# TAP: circuits after ALTER EXTENSION mountaineer_hardware UPDATE from 1.4
# to 1.5.  The graph engine of this library reads a 1.4 estate (no kind
# circuit_termination, no table circuit_termination) as before; the update
# adds the enum value, so a termination made in the updating transaction
# fails with 55P04 and changes nothing; once the update has committed, the
# demo estate's circuits load into the upgraded database and a trace
# crosses the wavelength as in a fresh install.  Runs against the cluster
# named by PGHOST/PGPORT (tools/test.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/test/lib/tap.sh"
db=mt_hardware_upgrade_1_5
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
trap 'dropdb --if-exists -f $db 2>/dev/null' EXIT
echo "1..4"

dropdb --if-exists -f $db 2>/dev/null
createdb $db || { echo "Bail out! cannot create a database"; exit 1; }
q -c 'SET client_min_messages = warning' \
  -c "CREATE EXTENSION mountaineer VERSION '1.4'" \
  -c "CREATE EXTENSION mountaineer_hardware VERSION '1.4' CASCADE" \
  -c 'ALTER EXTENSION mountaineer UPDATE' >/dev/null || { echo "Bail out! cannot install 1.4"; exit 1; }
q -f "$top/modules/hardware/demo/estate.sql" >/dev/null || { echo "Bail out! the demo estate does not load into 1.4"; exit 1; }

trace="SELECT string_agg(coalesce(nd.name, 'circuit') || ':' || np.name || '>' || coalesce(fd.name, 'circuit') || ':' || fp.name, ' ' ORDER BY t.branch, t.hop)
         FROM mountaineer.device d0 JOIN mountaineer.port p0 ON p0.device_id = d0.id
         CROSS JOIN LATERAL mountaineer.cable_trace(p0.id) t
         JOIN mountaineer.port np ON np.id = t.near_port LEFT JOIN mountaineer.device nd ON nd.id = t.near_device
         JOIN mountaineer.port fp ON fp.id = t.far_port LEFT JOIN mountaineer.device fd ON fd.id = t.far_device
        WHERE d0.name = '%s' AND p0.name = '%s'"
# shellcheck disable=SC2059
check "1.4: the graph reads an estate without circuits (a01-c03 eth0 to a02-tor)" \
      '[ "$(q -c "$(printf "$trace" a01-c03 eth0)")" = "a01-c03:eth0>a01-pp:front3 a01-pp:trunk>a02-pp-a01:trunk a02-pp-a01:front3>a02-tor:Ethernet3" ]'

out=$(q <<'SQL' 2>&1
SET client_min_messages = warning;
BEGIN;
ALTER EXTENSION mountaineer_hardware UPDATE TO '1.5';
INSERT INTO mountaineer.provider (name) VALUES ('in-the-update');
INSERT INTO mountaineer.circuit_type (name) VALUES ('in-the-update');
INSERT INTO mountaineer.circuit (provider_id, cid, type) SELECT id, 'X-1', 'in-the-update' FROM mountaineer.provider;
INSERT INTO mountaineer.circuit_termination (circuit_id, term_side, site_id)
SELECT c.id, 'A', s.id FROM mountaineer.circuit c, mountaineer.site s WHERE s.name = 'ams1';
COMMIT;
SQL
)
check "a termination made in the updating transaction fails with 55P04, and the update is undone" \
      'grep -q "unsafe use of new value \"circuit_termination\" of enum type mountaineer.port_kind" <<<"$out" &&
       [ "$(q -c "SELECT extversion FROM pg_extension WHERE extname = '\''mountaineer_hardware'\''")" = 1.4 ]' || echo "# $out"

q -c 'SET client_min_messages = warning' -c "ALTER EXTENSION mountaineer_hardware UPDATE TO '1.5'" >/dev/null
# the estate's circuits part (from its comment to the end of its wiring),
# loaded once more (the rest is there already)
sed -n '/^-- Circuits: /,/^DROP TABLE wiring;/p' "$top/modules/hardware/demo/estate.sql" > "${TMPDIR:-/tmp}/$db.sql"
grep -q 'INSERT INTO circuit_termination' "${TMPDIR:-/tmp}/$db.sql" || { echo "Bail out! the circuits part of the hardware estate was not found"; exit 1; }
out=$( { echo 'SET search_path = mountaineer, public;'
         echo "CREATE FUNCTION pg_temp.port_of(device text, port text) RETURNS uuid LANGUAGE sql AS \$\$
                   SELECT p.id FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id WHERE d.name = \$1 AND p.name = \$2 \$\$;"
         cat "${TMPDIR:-/tmp}/$db.sql"; } | q 2>&1)
rm -f "${TMPDIR:-/tmp}/$db.sql"
check "after the update has committed, the demo estate's circuits load" '[ -z "$out" ]' || echo "# $out"
# shellcheck disable=SC2059
check "and a trace crosses the wavelength from ams1-edge to fra1-edge" \
      '[ "$(q -c "$(printf "$trace" ams1-edge et-0/0/0)")" = "ams1-edge:et-0/0/0>a02-pp-wan:front1 a02-pp-wan:demarc>circuit:A circuit:Z>f01-pp:demarc f01-pp:front1>fra1-edge:et-0/0/0" ]' ||
    echo "# $(q -c "$(printf "$trace" ams1-edge et-0/0/0)")"
