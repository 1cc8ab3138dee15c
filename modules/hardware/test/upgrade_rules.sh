#!/usr/bin/env bash
# TAP: ALTER EXTENSION mountaineer_hardware UPDATE to 1.2 refuses (23514) a
# database whose rows break one of the rules 1.2 adds to sites, racks,
# devices and ports, naming the rule and the row, and changes nothing; with
# the rows put right it updates, filling device.site_id from the racks
# without writing the change log.  Each offending row is written in a
# transaction that the refused update rolls back.  Runs against the cluster
# named by PGHOST/PGPORT.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
db=mt_hardware_upgrade_rules
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
. "$top/test/lib/tap.sh"
trap 'dropdb --if-exists -f $db 2>/dev/null' EXIT

# case NAME OFFENDING-SQL RULE OFFENDER: the update is refused with 23514,
# the rule in the message and the offender in the detail
cases=()
case_() { cases+=("$1"$'\x1f'"$2"$'\x1f'"$3"$'\x1f'"$4"); }
case_ "a site name with a leading space" \
      "UPDATE mountaineer.site SET name = ' u1' WHERE name = 'u1'" \
      "a site's name is a name" 'site " u1" (slug '
case_ "a vendor with a newline" \
      "UPDATE mountaineer.site SET vendor = E'Colo\\nCorp'" \
      "a site's vendor is a name" 'site "u1": vendor "Colo'
case_ "a blank address" \
      "UPDATE mountaineer.site SET address = '   '" \
      "a site's address is at most 1000 characters, not blank" 'site "u1": address "   "'
case_ "a NOC phone that is not a number" \
      "UPDATE mountaineer.site SET noc_phone = 'call us'" \
      "a site's noc_phone is a phone number" 'site "u1": noc_phone "call us"'
case_ "a NOC e-mail of 260 characters" \
      "UPDATE mountaineer.site SET noc_email = repeat('n', 250) || '@x.example'" \
      "a site's noc_email has one @" 'site "u1": noc_email "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn..." (260 characters)'
case_ "a NOC URL with a space" \
      "UPDATE mountaineer.site SET noc_url = 'https://noc.example/a b'" \
      "a site's noc_url is http(s)://" 'site "u1": noc_url "https://noc.example/a b"'
case_ "a rack name with a tab" \
      "UPDATE mountaineer.rack SET name = E'r\\t1' WHERE name = 'r1'" \
      "a rack's name is a name" 'rack "r	1" (slug '
case_ "a rack depth of NaN" \
      "UPDATE mountaineer.rack SET depth_in = 'NaN' WHERE name = 'r1'" \
      "a rack's depth_in is more than 0 and at most 100" 'rack "r1": depth_in NaN'
case_ "a rack width of 1e30" \
      "UPDATE mountaineer.rack SET width_in = 1e30 WHERE name = 'r1'" \
      "a rack's width_in is more than 0 and at most 50" 'rack "r1": width_in 1000000000000000000000000000000'
case_ "a device name of spaces" \
      "UPDATE mountaineer.device SET name = '  ' WHERE name = 's1'" \
      "a device's name is a name" 'device "  " (slug '
case_ "a serial of 101 characters" \
      "UPDATE mountaineer.device SET serial = repeat('9', 101) WHERE name = 's1'" \
      "a device's manufacturer, model, serial, asset_id and asset_tag are names" 'device "s1": serial "9999'
case_ "a draw of NaN watts" \
      "UPDATE mountaineer.device SET draw_watts = 'NaN' WHERE name = 's1'" \
      "a device's draw_watts is 0..100000" 'device "s1": draw_watts NaN'
case_ "two devices of one name at a site" \
      "INSERT INTO mountaineer.device (kind, name, units, rack_id, position) SELECT 'other', 'dup', 1, id, 'U20' FROM mountaineer.rack WHERE name IN ('r1', 'r2')" \
      "the devices racked at one site have distinct names" 'site "u1": 2 devices named "dup"'
case_ "a server of 2 PiB" \
      "UPDATE mountaineer.server SET memory_mib = 2147483647" \
      "a server's memory_mib is 1..67108864 (64 TiB)" 'server "s1": memory_mib 2147483647'
case_ "a server of 100000 cores" \
      "UPDATE mountaineer.server SET cores = 100000" \
      "a server's cores are 1..65536" 'server "s1": cores 100000'
case_ "a PDU of a million volts" \
      "UPDATE mountaineer.pdu SET volts = 1e6" \
      "a PDU's volts are more than 0 and at most 1000" 'pdu "p1": volts 1000000'
case_ "a PDU of NaN amps" \
      "UPDATE mountaineer.pdu SET amps = 'NaN'" \
      "a PDU's amps are more than 0 and at most 1000" 'pdu "p1": amps NaN'
case_ "a port name with a trailing space" \
      "UPDATE mountaineer.port SET name = 'rear ' WHERE name = 'rear'" \
      "a port's name is a name" 'device "pp1": port "rear " (slug '
case_ "a rear position of 2000 (written past the 1.1 trigger)" \
      "SET LOCAL session_replication_role = replica; INSERT INTO mountaineer.port (device_id, name, kind, rear_port_id, rear_port_position) SELECT device_id, 'f2000', 'front_port', id, 2000 FROM mountaineer.port WHERE name = 'rear'; SET LOCAL session_replication_role = origin" \
      "a front port's rear_port_position is 1..1024" 'device "pp1": port "f2000": rear_port_position 2000'
echo "1..$(( ${#cases[@]} * 2 + 4 ))"

dropdb --if-exists -f $db 2>/dev/null
createdb $db || { echo "Bail out! cannot create a database"; exit 1; }
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION mountaineer VERSION '1.1'" \
  -c "CREATE EXTENSION mountaineer_hardware VERSION '1.1' CASCADE" >/dev/null ||
    { echo "Bail out! cannot install mountaineer_hardware 1.1"; exit 1; }
q >/dev/null <<'SQL' || { echo "Bail out! cannot load the fixture"; exit 1; }
SET search_path = mountaineer, public;
INSERT INTO site (name, vendor, address, noc_phone, noc_email, noc_url)
VALUES ('u1', 'ColoCorp', E'Science Park 610\n1098 XH Amsterdam', '+31 20 000 0000', 'noc@u1.example', 'https://noc.u1.example');
INSERT INTO rack (site_id, name, depth_in, width_in) SELECT id, r, 42, 19 FROM site, unnest(ARRAY['r1', 'r2']) r;
INSERT INTO device (kind, name, units, draw_watts, rack_id, position, serial)
SELECT 'server', 's1', 1, 450, id, 'U1', 'SN1' FROM rack WHERE name = 'r1';
INSERT INTO device (kind, name, units, rack_id) SELECT 'pdu', 'p1', 0, id FROM rack WHERE name = 'r1';
INSERT INTO device (kind, name, units, rack_id, position) SELECT 'patch_panel', 'pp1', 1, id, 'U2' FROM rack WHERE name = 'r2';
INSERT INTO device (kind, name, units) VALUES ('server', 'spare', 1);
INSERT INTO server (id, memory_mib, cores) SELECT id, 262144, 64 FROM device WHERE name = 's1';
INSERT INTO pdu (id, volts, amps) SELECT id, 230, 32 FROM device WHERE name = 'p1';
INSERT INTO port (device_id, name, kind, positions) SELECT id, 'rear', 'rear_port', 4 FROM device WHERE name = 'pp1';
SQL
q -c "ALTER EXTENSION mountaineer UPDATE" || { echo "Bail out! cannot update the core"; exit 1; }
changes=$(q -c "SELECT count(*) FROM mountaineer.change")

for c in "${cases[@]}"; do
    IFS=$'\x1f' read -r name sql rule offender <<<"$c"
    out=$(psql -X -q -At -d $db -v VERBOSITY=verbose -c "BEGIN; $sql; ALTER EXTENSION mountaineer_hardware UPDATE; ROLLBACK;" 2>&1)
    check "$name: the update is refused with 23514 naming the rule" \
        'grep -qF "ERROR:  23514: cannot update: 1 existing row(s) break the new rule: $rule" <<<"$out" || { sed "s/^/# /" <<<"$out"; false; }'
    check "$name: ... and the row" 'grep -qF "DETAIL:  $offender" <<<"$out" || { sed "s/^/# /" <<<"$out"; false; }'
done

check "every refused update left the extension at 1.1" \
    '[ "$(q -c "SELECT extversion FROM pg_extension WHERE extname = '"'mountaineer_hardware'"'")" = 1.1 ]'
check "with the rows put right, the update to 1.2 succeeds" 'q -c "ALTER EXTENSION mountaineer_hardware UPDATE"'
check "device.site_id is its rack's site, NULL when unracked" \
    '[ "$(q -c "SELECT string_agg(d.name || '"'='"' || coalesce(s.name, '"'-'"'), '"','"' ORDER BY d.name)
                 FROM mountaineer.device d LEFT JOIN mountaineer.site s ON s.id = d.site_id")" = "p1=u1,pp1=u1,s1=u1,spare=-" ]'
check "the update wrote no change-log rows" '[ "$(q -c "SELECT count(*) FROM mountaineer.change")" = "$changes" ]'
