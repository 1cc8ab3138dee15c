#!/usr/bin/env bash
# mountaineer_dns for real: a pdns_server (tools/pdns.sh) serving a database
# of the test cluster, asked with dig.  An address allocated with a
# dns_name answers A/AAAA and PTR at once (no cache), the zone's serial
# rose, a deleted address gives NXDOMAIN, manual CNAME and MX records
# answer, and pdnsutil check-all-zones finds no error.  Then the demo
# estate (tools/estate.sh) served the same way: the dns tour's digs (what
# make demo shows) and README's dig answer, and its zones check clean.
# pdns_server listens on a port free on 127.0.0.1 for UDP and TCP alike
# (other sessions on the machine may run theirs): tools/pdns.sh start
# fails when another server holds it, and the start is tried again.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/test/lib/tap.sh"
echo "1..20"

db=mountaineer_dns_pdns
demo_db=mountaineer_dns_demo
# a port free for UDP and TCP on 127.0.0.1 (bound and let go: pdns_server
# binds it next)
free_port() {
    perl -MIO::Socket::INET -e 'for (1 .. 50) {
        my $t = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0, Proto => "tcp") or next;
        my $u = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $t->sockport, Proto => "udp") or next;
        print $t->sockport; exit 0 } exit 1'
}
start_pdns() {   # $1: database; three ports tried
    local i
    for i in 1 2 3; do
        "$top/tools/pdns.sh" start - "$1" "$(free_port)" >"$PGHOST/pdns-start.log" 2>&1 && return 0
    done
    sed 's/^/# /' "$PGHOST/pdns-start.log"
    return 1
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
q -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION mountaineer_dns CASCADE'
q -o /dev/null <<'SQL'
SET search_path = mountaineer, public;
INSERT INTO environment (name) VALUES ('tap');
INSERT INTO cluster (name, kind) VALUES ('tapc', 'kvm');
INSERT INTO host (hostname, environment_id, cluster_id)
SELECT 'vm1.tap.example', e.id, c.id FROM environment e, cluster c WHERE e.name = 'tap' AND c.name = 'tapc';
INSERT INTO prefix (prefix) VALUES ('192.0.2.0/24'), ('2001:db8:5::/64');
INSERT INTO dns_zone (name, primary_ns) VALUES ('tap.example', 'ns1.tap.example');
SELECT dns_zone_for_prefix('192.0.2.0/24'), dns_zone_for_prefix('2001:db8:5::/64');
INSERT INTO dns_record (zone_id, name, type, content) SELECT id, '@', 'NS', 'ns1.tap.example.' FROM dns_zone;
INSERT INTO dns_record (zone_id, name, type, content) SELECT id, 'ns1', 'A', '192.0.2.250' FROM dns_zone WHERE name = 'tap.example';
INSERT INTO dns_record (zone_id, name, type, content) SELECT id, 'www', 'CNAME', 'app.tap.example' FROM dns_zone WHERE name = 'tap.example';
INSERT INTO dns_record (zone_id, name, type, content, priority) SELECT id, '@', 'MX', 'mail.tap.example', 10 FROM dns_zone WHERE name = 'tap.example';
SQL

# schema pdns is PowerDNS's own: load Debian's schema file into a scratch
# schema and compare the columns and indexes (ours has two indexes more)
debian=/usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql
shape() {   # $1: schema; one line per column and per index, the schema name taken out
    q -v s="$1" <<'SQL'
SELECT format('column %s.%s %s %s %s', table_name, column_name, data_type, coalesce(character_maximum_length::text, '-'),
              is_nullable) || coalesce(' default ' || replace(column_default, :'s' || '.', ''), '')
  FROM information_schema.columns WHERE table_schema = :'s'
UNION ALL
SELECT 'index ' || replace(indexdef, :'s' || '.', '') FROM pg_indexes WHERE schemaname = :'s'
UNION ALL
SELECT format('constraint %s %s', conrelid::regclass::text, pg_get_constraintdef(oid))
  FROM pg_constraint WHERE connamespace = :'s'::regnamespace
ORDER BY 1;
SQL
}
if [ -f "$debian" ]; then
    q -c 'CREATE SCHEMA debian_pdns' && PGOPTIONS='-c search_path=debian_pdns' q -o /dev/null -f "$debian"
    diff <(shape debian_pdns | sed 's/debian_pdns\.//g') <(shape pdns | sed 's/pdns\.//g' | grep -v -e records_once -e records_address_idx) >"$PGHOST/pdns-schema.diff"
    check "schema pdns has the tables, columns, constraints and indexes of Debian's $debian" '[ ! -s "$PGHOST/pdns-schema.diff" ]' \
        || sed 's/^/# /' "$PGHOST/pdns-schema.diff"
    check "and the two indexes of ours" '[ "$(shape pdns | grep -c -e records_once -e records_address_idx)" = 2 ]'
else
    nok "Debian's gpgsql schema $debian is missing (pdns-backend-pgsql)"
    nok "and the two indexes of ours"
fi

trap '"$top/tools/pdns.sh" stop - >/dev/null; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP DATABASE IF EXISTS $demo_db WITH (FORCE)"' EXIT
if ! start_pdns $db; then
    for i in $(seq 18); do nok "pdns_server did not start (tools/pdns.sh start - $db PORT)"; done
    exit 0
fi
port=$("$top/tools/pdns.sh" port -)
d() { dig @127.0.0.1 -p "$port" +tries=2 +time=2 "$@"; }
serial() { d tap.example SOA +short | awk '{print $3}'; }

before=$(serial)
check "the zone answers its SOA with the database's serial ($before)" \
    '[ -n "$before" ] && [ "$before" = "$(q -c "SELECT serial FROM mountaineer.dns_zone WHERE name = '\''tap.example'\''")" ]'

q -c "SELECT mountaineer.allocate_named_ip('192.0.2.0/24', id, 'app1.tap.example') FROM mountaineer.host WHERE hostname = 'vm1.tap.example'" >/dev/null
q -c "SELECT mountaineer.allocate_named_ip('2001:db8:5::/64', id, 'app1.tap.example') FROM mountaineer.host WHERE hostname = 'vm1.tap.example'" >/dev/null
check "after allocate_named_ip the A record answers" '[ "$(d app1.tap.example A +short)" = 192.0.2.1 ]'
check "and the AAAA record" '[ "$(d app1.tap.example AAAA +short)" = 2001:db8:5::1 ]'
check "and the PTR of the IPv4 address" '[ "$(d -x 192.0.2.1 +short)" = app1.tap.example. ]'
check "and the PTR of the IPv6 address" '[ "$(d -x 2001:db8:5::1 +short)" = app1.tap.example. ]'
after=$(serial)
check "the SOA serial rose ($before -> $after)" '[ -n "$after" ] && [ "$after" -gt "$before" ]'

q -c "DELETE FROM mountaineer.ip_address WHERE dns_name = 'app1.tap.example' AND family(address) = 4"
check "after its IPv4 address is deleted the name has no A (NOERROR, no data: the AAAA stays)" \
    'd app1.tap.example A | grep -q "status: NOERROR" && [ -z "$(d app1.tap.example A +short)" ]'
q -c "DELETE FROM mountaineer.ip_address WHERE dns_name = 'app1.tap.example'"
check "and, its last address gone, NXDOMAIN" 'd app1.tap.example A | grep -q "status: NXDOMAIN"'
check "and its PTR NXDOMAIN" 'd -x 192.0.2.1 | grep -q "status: NXDOMAIN"'

check "the manual CNAME answers" '[ "$(d www.tap.example CNAME +short)" = app.tap.example. ]'
check "the manual MX answers" '[ "$(d tap.example MX +short)" = "10 mail.tap.example." ]'

out=$(pdnsutil --config-dir="$("$top/tools/pdns.sh" conf -)" check-all-zones 2>&1)
rc=$?
check "pdnsutil check-all-zones reports no error" '[ $rc -eq 0 ] && echo "$out" | grep -q "Checked 3 zones, 0 had errors"' \
    || echo "$out" | sed 's/^/# /'

# PowerDNS records the serial it notified (its only write, allowed to its role)
for _ in $(seq 30); do
    [ "$(q -c "SELECT count(*) FROM pdns.domains WHERE notified_serial IS NOT NULL")" -gt 0 ] && break
    sleep 0.2
done
check "PowerDNS writes notified_serial with its own role" \
    '[ "$(q -c "SELECT count(*) FROM pdns.domains WHERE notified_serial IS NOT NULL")" -gt 0 ]'

# --- the demo estate, as make demo serves it ---------------------------------
if ! "$top/tools/estate.sh" $demo_db >"$PGHOST/estate.log" 2>&1; then
    sed 's/^/# /' "$PGHOST/estate.log"
    for i in $(seq 5); do nok "the demo estate (tools/estate.sh) did not load"; done
    exit 0
fi
if ! start_pdns $demo_db; then
    for i in $(seq 5); do nok "pdns_server did not start for the demo estate"; done
    exit 0
fi
port=$("$top/tools/pdns.sh" port -)
# the dns tour as make demo runs it (tools/demo.sh), its digs sent to this
# server (MT_DNS_PORT), from the top of the clone as there
tour=$(cd "$top" && MT_DNS_PORT=$port PGOPTIONS="-c search_path=mountaineer,public" \
       psql -X -a -v ON_ERROR_STOP=1 -d $demo_db -f modules/dns/demo/tour.sql 2>&1)
rc=$?
tab=$(printf '\t')
check "the dns tour runs, and its dig of www.example.net shows the CNAME and web1's A" \
    '[ $rc -eq 0 ] && echo "$tour" | grep -qx "www.example.net.${tab}3600${tab}IN${tab}CNAME${tab}web1.prod.example.net." &&
     echo "$tour" | grep -qx "web1.prod.example.net.${tab}3600${tab}IN${tab}A${tab}10.0.0.22"' || echo "$tour" | tail -20 | sed 's/^/# /'
check "its dig of api.example.net AAAA shows the VIP's address" \
    'echo "$tour" | grep -qx "api.example.net.${tab}3600${tab}IN${tab}AAAA${tab}2001:db8::80"'
check "its dig -x 10.0.0.22 shows web1's PTR" \
    'echo "$tour" | grep -qx "22.0.0.10.in-addr.arpa.${tab}3600${tab}IN${tab}PTR${tab}web1.prod.example.net."'
# README's example (section PowerDNS: after make demo), asked of this server
readme_cmd=$(grep -m1 '^\$ dig @127.0.0.1 -p 55315 ' "$top/README.md" | sed 's/^\$ //; s/ *#.*//')
readme_out=$(awk '/^\$ dig @127.0.0.1 -p 55315 /{p=1; next} p && /^```/{exit} p' "$top/README.md")
got=$(eval "${readme_cmd/-p 55315/-p $port}")
check "README's '$readme_cmd' answers what README shows" '[ -n "$readme_cmd" ] && [ -n "$readme_out" ] && [ "$got" = "$readme_out" ]' \
    || printf '# README: %s\n# got: %s\n' "$readme_out" "$got"
out=$(pdnsutil --config-dir="$("$top/tools/pdns.sh" conf -)" check-all-zones 2>&1)
rc=$?
check "pdnsutil check-all-zones finds no error and no warning in the demo's 4 zones" \
    '[ $rc -eq 0 ] && echo "$out" | grep -q "Checked 4 zones, 0 had errors" && ! echo "$out" | grep -q "\[Warning\]"' \
    || echo "$out" | sed 's/^/# /'
