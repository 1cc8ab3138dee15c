#!/usr/bin/env bash
# TAP: ALTER EXTENSION mountaineer_networks UPDATE from 1.1 to 1.2 checks each
# new rule against the rows there are (mountaineer.upgrade_check): with rows
# that break them it stops, 23514, naming the rule and the rows, and changes
# nothing; corrected one by one, the update goes through.  Runs against the
# cluster named by PGHOST/PGPORT (tools/test.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/test/lib/tap.sh"
db=mt_networks_upgrade_1_2
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }

dropdb --if-exists -f $db 2>/dev/null
createdb $db || { echo "Bail out! cannot create a database"; exit 1; }
q -c 'SET client_min_messages = warning' \
  -c "CREATE EXTENSION mountaineer VERSION '1.1'" \
  -c "CREATE EXTENSION mountaineer_hardware VERSION '1.1' CASCADE" \
  -c "CREATE EXTENSION mountaineer_hosts VERSION '1.1'" \
  -c "CREATE EXTENSION mountaineer_networks VERSION '1.1'" >/dev/null || { echo "Bail out! cannot install 1.1"; exit 1; }

# one row breaking each new rule, all accepted by 1.1
q >/dev/null <<'SQL' || { echo "Bail out! cannot load the offending rows"; exit 1; }
SET search_path = mountaineer, public;
INSERT INTO vrf (name, rd) VALUES (' spaced', '65000:1'), ('bad-rd', '999.999.999.999:1');
INSERT INTO vlan (vid, name) VALUES (10, E'prod\tvlan');
INSERT INTO prefix (prefix, description) VALUES ('10.50.0.0/16', repeat('d', 201)), ('10.50.1.0/24', NULL);
INSERT INTO ip_range (start_address, end_address, description)
VALUES ('10.50.1.100', '10.50.1.150', 'DHCP'), ('10.50.1.140', '10.50.1.160', 'more DHCP');
-- an address in a range, one with the /16's mask inside the /24, one at the /24's network address
INSERT INTO ip_address (address) VALUES ('10.50.1.120/24'), ('10.50.1.7/16'), ('10.50.1.0/24');
SQL
q -c 'SET client_min_messages = warning' -c 'ALTER EXTENSION mountaineer UPDATE' \
  -c 'ALTER EXTENSION mountaineer_hardware UPDATE' -c 'ALTER EXTENSION mountaineer_hosts UPDATE' >/dev/null ||
    { echo "Bail out! cannot update the core, hardware and hosts"; exit 1; }

# expect_refusal NAME N RULE DETAIL FIX: the update fails with 23514, N
# rows breaking RULE, DETAIL (its lines), and leaves 1.1 installed; then FIX
# corrects the rows
version() { q -c "SELECT extversion FROM pg_extension WHERE extname = 'mountaineer_networks'"; }
expect_refusal() {
    local out rows=$2 rule=$3 detail=$4
    out=$(psql -X -q -d $db -v VERBOSITY=verbose -c "ALTER EXTENSION mountaineer_networks UPDATE TO '1.2'" 2>&1)
    check "$1: refused with 23514 and the rule" \
        '[ "$(sed -n 1p <<<"$out")" = "ERROR:  23514: cannot update: $rows existing row(s) break the new rule: $rule" ]' ||
        sed 's/^/# /' <<<"$out"
    check "$1: naming the rows" '[ "$(sed -n "2,$(( $(wc -l <<<"$detail") + 1 ))p" <<<"$out")" = "DETAIL:  $detail" ]'
    check "$1: nothing changed" '[ "$(version)" = 1.1 ]'
    q -c "$5" >/dev/null || echo "# the correction failed: $5"
}

echo "1..29"
expect_refusal 'VRF name' 1 \
    'a VRF name is 1 to 100 characters, without leading or trailing white space or control characters' \
    'vrf " spaced"' "UPDATE mountaineer.vrf SET name = 'spaced' WHERE name = ' spaced'"
expect_refusal 'route distinguisher' 1 \
    'a route distinguisher is ASN2:nn, ASN4:nn or IPv4:nn within their bounds (is_valid_rd)' \
    'vrf "bad-rd": rd "999.999.999.999:1"' "UPDATE mountaineer.vrf SET rd = '10.0.0.1:7' WHERE name = 'bad-rd'"
expect_refusal 'VLAN name' 1 \
    'a VLAN name is 1 to 100 characters, without leading or trailing white space or control characters' \
    "vlan \"prod	vlan\" (10)" "UPDATE mountaineer.vlan SET name = 'prod'"
expect_refusal 'description' 1 \
    'a description is 1 to 200 characters, without leading or trailing white space or control characters' \
    'prefix 10.50.0.0/16: description "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd..." (201 characters)' \
    "UPDATE mountaineer.prefix SET description = 'lab' WHERE prefix = '10.50.0.0/16'"
expect_refusal 'overlapping ranges' 1 'reserved ranges of one VRF do not overlap' \
    'reserved range 10.50.1.100 - 10.50.1.150 overlaps 10.50.1.140 - 10.50.1.160' \
    "DELETE FROM mountaineer.ip_range WHERE description = 'more DHCP'"
expect_refusal 'address in a range' 1 \
    'no address lies in a reserved range (unless the range allows addresses: allow_addresses, new in 1.2)' \
    'address 10.50.1.120/24 lies in reserved range 10.50.1.100 - 10.50.1.150' \
    "DELETE FROM mountaineer.ip_address WHERE address = '10.50.1.120/24'"
expect_refusal 'network mask' 1 \
    'an address carries the mask of its network (the smallest prefix of its VRF containing it; /32 or /128 in none)' \
    'address 10.50.1.7/16: its network is 10.50.1.0/24' \
    "UPDATE mountaineer.ip_address SET address = '10.50.1.7/24' WHERE address = '10.50.1.7/16'"
expect_refusal 'network address' 1 \
    'no address is the network or broadcast address of its IPv4 network of /30 or wider, unless it is a pool' \
    'address 10.50.1.0 is the network address of prefix 10.50.1.0/24' \
    "DELETE FROM mountaineer.ip_address WHERE address = '10.50.1.0/24'"
check 'the corrected rows update to 1.2' "q -c \"ALTER EXTENSION mountaineer_networks UPDATE TO '1.2'\" >/dev/null 2>&1"
check 'and it is 1.2' '[ "$(version)" = 1.2 ]'
out=$(q -c "INSERT INTO mountaineer.ip_range (start_address, end_address) VALUES ('10.50.1.150', '10.50.1.151')" 2>&1)
check 'and the new rules hold: an overlapping range is refused' \
    'grep -q "violates exclusion constraint \"ip_range_no_overlap\"" <<<"$out"'
check 'no free space differs from a recomputation' '[ "$(q -c "SELECT count(*) FROM mountaineer.prefix_free_verify()")" = 0 ]'
check 'the VRF lock table starts empty (its rows appear on first use)' \
    '[ "$(q -c "SELECT count(*) FROM mountaineer.vrf_lock")" = 0 ]'
dropdb -f $db
