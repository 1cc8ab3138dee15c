#!/usr/bin/env bash
# TAP: the web interface in a real browser.  A database of the test cluster
# with the demo estate (tools/estate.sh, as `make demo` makes it), a
# PostgREST whose requests without a token are mountaineer_anon
# (tools/api.sh), nginx serving the built interface in front of it
# (tools/ui.sh), then ui/test/ui.mjs: playwright-core driving Debian's
# chromium, headless, with what SQL says each page must show.  Screenshots
# of the rack, device and prefix pages go to .pg/test-logs/ui/; render times
# are TAP comments.  Runs against the cluster named by PGHOST/PGPORT.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
db=mt_ui
work=$(mktemp -d)
shots=$top/.pg/test-logs/ui
q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
. "$top/test/lib/tap.sh"
free_port() { perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0)->sockport'; }
cleanup() {
    "$top/tools/ui.sh" stop mt-ui-test >/dev/null 2>&1
    "$top/tools/api.sh" stop mt-ui-test >/dev/null 2>&1
    rm -rf "$work"
    dropdb --if-exists -f $db 2>/dev/null
}
trap cleanup EXIT

"$top/tools/estate.sh" $db >"$work/estate" 2>&1 || { echo "Bail out! the demo estate does not load:"; sed 's/^/# /' "$work/estate"; exit 1; }
"$top/tools/ui.sh" build >"$work/build" 2>&1 || { echo "Bail out! the interface does not build:"; sed 's/^/# /' "$work/build"; exit 1; }
api_port=$(free_port)
API_ANON_ROLE=mountaineer_anon "$top/tools/api.sh" start mt-ui-test $db "$api_port" >"$work/api" 2>&1 ||
    { echo "Bail out! PostgREST does not start:"; sed 's/^/# /' "$work/api"; exit 1; }
ui_port=$(free_port)
"$top/tools/ui.sh" start mt-ui-test "http://127.0.0.1:$api_port" "$ui_port" >"$work/ui" 2>&1 ||
    { echo "Bail out! nginx does not start:"; sed 's/^/# /' "$work/ui"; exit 1; }
ui=http://127.0.0.1:$ui_port
echo "# nginx on $ui, PostgREST on 127.0.0.1:$api_port"

# --- over HTTP, through nginx ------------------------------------------------
n=0
code=$(curl -s -o "$work/body" -w '%{http_code}' "$ui/")
check "nginx serves the interface (GET / is 200, the built index.html)" '[ "$code" = 200 ] && grep -q "<div id=\"app\">" "$work/body"'
code=$(curl -s -o "$work/body" -w '%{http_code}' "$ui/device/some-slug")
check "every page of the interface is index.html (a deep link: /device/SLUG)" '[ "$code" = 200 ] && grep -q "<div id=\"app\">" "$work/body"'
code=$(curl -s -o "$work/body" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"username":"demo_editor","password":"demo-editor"}' "$ui/api/rpc/login")
token=$(jq -r .token "$work/body" 2>/dev/null)
check "POST /api/rpc/login with a demo user's name and password: a token (200)" '[ "$code" = 200 ] && [ -n "$token" ] && [ "$token" != null ]'
claims=$(cut -d. -f2 <<<"$token" | tr '_-' '/+' | perl -MMIME::Base64 -ne 'print decode_base64($_ . "=" x ((4 - length($_) % 4) % 4))')
check "its claims: role mountaineer_editor, sub demo_editor, exp 8 hours ahead" \
    'jq -e --argjson now "$(date +%s)" ".role == \"mountaineer_editor\" and .sub == \"demo_editor\" and (.exp - \$now | . > 28700 and . <= 28800)" <<<"$claims" >/dev/null'
sig=$(printf '%s' "${token%.*}" | perl -MDigest::SHA=hmac_sha256 -MMIME::Base64 -e '
    open my $f, "<", $ARGV[0] or die; my $k = <$f>; chomp $k; local $/; my $m = <STDIN>;
    my $s = encode_base64(hmac_sha256($m, $k), ""); $s =~ tr{+/}{-_}; $s =~ s/=+$//; print $s' "$("$top/tools/api.sh" secret)")
check "its signature is HMAC-SHA256 with the installation's secret (.api/jwt-secret)" '[ "$sig" = "${token##*.}" ]'
code=$(curl -s -o "$work/body" -w '%{http_code}' -H "Authorization: Bearer $token" "$ui/api/site?select=name&limit=1")
check "the token works through nginx (GET /api/site: 200)" '[ "$code" = 200 ]'
code=$(curl -s -o "$work/body" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"username":"demo_editor","password":"wrong"}' "$ui/api/rpc/login")
check "a wrong password: 403, 28P01, one message" '[ "$code" = 403 ] && jq -e ".code == \"28P01\" and .message == \"invalid user name or password\"" "$work/body" >/dev/null'
code=$(curl -s -o "$work/body" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"username":"no_such_user","password":"demo-editor"}' "$ui/api/rpc/login")
check "an unknown user: the same 403 and message" '[ "$code" = 403 ] && jq -e ".code == \"28P01\" and .message == \"invalid user name or password\"" "$work/body" >/dev/null'
anon_table=$(curl -s -o /dev/null -w '%{http_code}' "$ui/api/device?limit=1")
anon_rpc=$(curl -s -o /dev/null -w '%{http_code}' "$ui/api/rpc/rack_elevation?rack_id=$(q -c "SELECT id FROM mountaineer.rack LIMIT 1")")
anon_write=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{"name":"anon"}' "$ui/api/site")
check "without a token (mountaineer_anon) nothing else: a table, a read function, a write all 401/403 ($anon_table $anon_rpc $anon_write)" \
    '[[ $anon_table$anon_rpc$anon_write =~ ^(401|403){3}$ ]]'

# --- what SQL says the pages show ---------------------------------------------
# issue 20's speed case: a 48U rack with 40 devices (its page: one or two requests)
q -c "INSERT INTO mountaineer.rack (site_id, name, units) SELECT id, 'UI48', 48 FROM mountaineer.site ORDER BY name LIMIT 1" \
  -c "INSERT INTO mountaineer.device (name, kind, rack_id, position)
      SELECT 'ui48-' || u, 'server', r.id, mountaineer.rackspan(u, 1, 'full') FROM mountaineer.rack r, generate_series(1, 40) u WHERE r.name = 'UI48'" ||
    { echo "Bail out! cannot make the 48U rack"; exit 1; }
rack=$(q -c "SELECT r.id FROM mountaineer.rack r JOIN mountaineer.device d ON d.rack_id = r.id WHERE r.name <> 'UI48' GROUP BY r.id, r.name ORDER BY count(*) DESC, r.name LIMIT 1")
q >"$work/expect.json" <<SQL || { echo "Bail out! cannot compute the expected pages"; exit 1; }
SET search_path = mountaineer, public;
CREATE TEMP TABLE trace AS
SELECT p.id, p.name AS port, d.name AS device, d.slug AS device_slug, cable_path(p.id) AS path
FROM port p JOIN device d ON d.id = p.device_id
WHERE p.kind = 'interface' AND EXISTS (SELECT FROM cable_end e WHERE e.port_id = p.id);
CREATE TEMP TABLE known AS
SELECT * FROM trace WHERE path->>'status' = 'complete'
ORDER BY jsonb_array_length(path->'branches'->0->'hops') DESC, device, port LIMIT 1;
CREATE TEMP TABLE pfx AS
SELECT p.*, next_free_ip(p.prefix, p.vrf_id) AS next FROM prefix p
WHERE p.status = 'active' AND family(p.prefix) = 4 AND next_free_ip(p.prefix, p.vrf_id) IS NOT NULL
ORDER BY masklen(p.prefix) DESC, p.prefix LIMIT 1;
DO \$\$ BEGIN
    INSERT INTO device (name, kind, units, rack_id, position)
    SELECT 'ui-test-collision', 'server', 1, '$rack', position FROM device WHERE rack_id = '$rack' AND position IS NOT NULL ORDER BY position LIMIT 1;
EXCEPTION WHEN exclusion_violation THEN
    CREATE TEMP TABLE refusal AS SELECT SQLERRM AS message;
END \$\$;
DO \$\$ BEGIN
    UPDATE device SET name = ' ' || name WHERE id = (SELECT d.id FROM device d JOIN known k ON k.device_slug = d.slug);
EXCEPTION WHEN check_violation THEN
    CREATE TEMP TABLE name_refusal AS SELECT SQLERRM AS message;
END \$\$;
-- (1.7) the editor's ports, cables and addresses: a device with a free
-- interface, another device's free interface to cable it to, a cabled port
-- that refuses a second cable, and the refusals in the database's words
CREATE TEMP TABLE free_if AS
SELECT d.id AS device_id, d.name AS device, d.slug, p.id AS port_id, p.name AS port
FROM device d JOIN port p ON p.device_id = d.id
WHERE p.kind = 'interface' AND NOT EXISTS (SELECT FROM cable_end e WHERE e.port_id = p.id)
  AND d.slug <> (SELECT device_slug FROM known);
CREATE TEMP TABLE conn AS
SELECT a.device_id, a.device, a.slug, a.port_id, b.device AS far_device, b.port AS far_port,
       t.device AS taken_device, t.port AS taken_port
FROM (SELECT * FROM free_if ORDER BY device, port LIMIT 1) a,
     LATERAL (SELECT * FROM free_if f WHERE f.device_id <> a.device_id ORDER BY f.device DESC, f.port LIMIT 1) b,
     LATERAL (SELECT d.name AS device, p.name AS port FROM port p JOIN device d ON d.id = p.device_id JOIN cable_end e ON e.port_id = p.id
              JOIN cable c ON c.id = e.cable_id
              WHERE p.kind = 'interface' AND c.label IS NOT NULL AND d.id <> a.device_id ORDER BY d.name, p.name LIMIT 1) t;
DO \$\$ BEGIN
    INSERT INTO port (device_id, name, kind) SELECT c.device_id, f.port, 'interface' FROM conn c JOIN free_if f ON f.port_id = c.port_id;
EXCEPTION WHEN unique_violation THEN
    CREATE TEMP TABLE dup_port AS SELECT SQLERRM AS message;
END \$\$;
DO \$\$ BEGIN
    PERFORM cable_connect((SELECT port_id FROM conn),
        (SELECT p.id FROM port p JOIN device d ON d.id = p.device_id JOIN conn c ON d.name = c.taken_device AND p.name = c.taken_port));
EXCEPTION WHEN unique_violation THEN
    CREATE TEMP TABLE taken AS SELECT SQLERRM AS message;
END \$\$;
CREATE TEMP TABLE addr AS
SELECT h.id AS host_id, h.slug, h.hostname, a.address AS existing, next_free_ip(p.prefix, p.vrf_id) AS free
FROM host h JOIN ip_address a ON a.host_id = h.id AND a.vrf_id IS NULL AND family(a.address) = 4
JOIN prefix p ON p.prefix >>= a.address AND p.vrf_id IS NULL AND p.status = 'active'
WHERE next_free_ip(p.prefix, p.vrf_id) IS NOT NULL
ORDER BY h.hostname, a.address, masklen(p.prefix) DESC LIMIT 1;
DO \$\$ BEGIN
    INSERT INTO ip_address (host_id, address) SELECT host_id, existing FROM addr;
EXCEPTION WHEN unique_violation THEN
    CREATE TEMP TABLE dup_addr AS SELECT SQLERRM AS message;
END \$\$;
DO \$\$ BEGIN
    INSERT INTO host (hostname, environment_id) SELECT ' ui-bad', id FROM environment ORDER BY name LIMIT 1;
EXCEPTION WHEN OTHERS THEN
    CREATE TEMP TABLE bad_host AS SELECT SQLERRM AS message;
END \$\$;
CREATE TEMP TABLE new_prefix AS
SELECT x::cidr AS prefix FROM (VALUES ('10.250.0.0/24'), ('10.251.0.0/24'), ('172.31.250.0/24')) v(x)
WHERE NOT EXISTS (SELECT FROM prefix p WHERE p.vrf_id IS NULL AND p.prefix && x::cidr) LIMIT 1;
DO \$\$ BEGIN
    INSERT INTO prefix (prefix, status) SELECT prefix, 'container' FROM new_prefix;
    INSERT INTO prefix (prefix, status) SELECT prefix, 'container' FROM new_prefix;
EXCEPTION WHEN unique_violation THEN
    CREATE TEMP TABLE dup_prefix AS SELECT SQLERRM AS message;
END \$\$;
CREATE TEMP TABLE new_host AS
SELECT 'ui-new.' || e.name || '.example.net' AS hostname, e.name AS environment, c.name AS cluster
FROM environment e, (SELECT name FROM cluster ORDER BY name LIMIT 1) c
WHERE 'ui-new.' || e.name || '.example.net' ~ ('^(' || e.hostname_regex || ')\$') ORDER BY e.name LIMIT 1;
SELECT json_build_object(
  'new_host', (SELECT json_build_object('hostname', hostname, 'refusal', (SELECT message FROM bad_host),
                                        'environment', environment, 'cluster', cluster) FROM new_host),
  'metal', (SELECT json_build_object('slug', d.slug, 'device', d.name, 'hostname', 'ui-metal.' || n.environment || '.example.net', 'environment', n.environment)
            FROM device d, new_host n WHERE d.kind = 'server' AND NOT EXISTS (SELECT FROM host h WHERE h.device_id = d.id) ORDER BY d.name LIMIT 1),
  'new_prefix', (SELECT json_build_object('prefix', prefix::text, 'dup', (SELECT message FROM dup_prefix)) FROM new_prefix),
  'editor', json_build_object('user', 'demo_editor', 'password', 'demo-editor'),
  'admin', json_build_object('user', 'demo_admin', 'password', 'demo-admin'),
  'connect', (SELECT json_build_object('device', device, 'slug', slug, 'port', (SELECT port FROM free_if f WHERE f.port_id = c.port_id),
                     'far_device', far_device, 'far_port', far_port, 'taken_device', taken_device, 'taken_port', taken_port,
                     'dup_port', (SELECT message FROM dup_port), 'taken', (SELECT message FROM taken)) FROM conn c),
  'addr', (SELECT json_build_object('slug', slug, 'hostname', hostname, 'existing', host(existing), 'free', host(free),
                  'dup', (SELECT message FROM dup_addr)) FROM addr),
  'highstate', (SELECT json_build_object('slug', h.slug, 'hostname', h.hostname,
                       'errors', (SELECT json_agg(state_id ORDER BY state_id) FROM state_error e WHERE e.highstate_id = l.highstate_id))
                FROM host_last_highstate l JOIN host h ON h.id = l.host_id
                WHERE l.failing AND l.failed > 0 ORDER BY h.hostname LIMIT 1),
  'safes', (SELECT json_build_object('slug', h.slug, 'hostname', h.hostname,
                   'safes', (SELECT json_agg(a.safe ORDER BY a.safe) FROM safe_host_access a WHERE a.host_id = h.id),
                   'secrets', (SELECT json_agg(s.name ORDER BY s.name) FROM safe_host_access a JOIN secret s ON s.safe_id = a.safe_id WHERE a.host_id = h.id))
            FROM host h WHERE EXISTS (SELECT FROM safe_host_access a JOIN secret s ON s.safe_id = a.safe_id WHERE a.host_id = h.id)
            ORDER BY (SELECT count(*) FROM safe_host_access a JOIN secret s ON s.safe_id = a.safe_id WHERE a.host_id = h.id) DESC, h.hostname LIMIT 1),
  'power', (SELECT json_build_object('rack', p.rack, 'text', p.allocated_watts || ' W of ' || p.capacity_watts || ' W')
            FROM rack_power p WHERE p.rack_id = '$rack'),
  'reader', json_build_object('user', 'demo_reader', 'password', 'demo-reader'),
  'refusal_login', 'invalid user name or password',
  'serial', (SELECT json_build_object('serial', serial, 'device', name) FROM device WHERE serial IS NOT NULL ORDER BY name LIMIT 1),
  'address', (SELECT json_build_object('address', host(a.address), 'hostname', h.hostname,
                     'prefix', (SELECT p.prefix::text FROM prefix p WHERE p.prefix >>= a.address
                                AND p.vrf_id IS NOT DISTINCT FROM a.vrf_id ORDER BY masklen(p.prefix) DESC LIMIT 1))
              FROM ip_address a JOIN host h ON h.id = a.host_id WHERE family(a.address) = 4 AND a.vrf_id IS NULL
              ORDER BY a.address LIMIT 1),
  'rack', (SELECT json_build_object('slug', r.slug, 'name', r.name,
                   'devices', (SELECT count(*) FROM device WHERE rack_id = r.id),
                   'elevation', (SELECT json_agg(json_build_array(e.unit, e.label, e.front, e.rear) ORDER BY e.unit) FROM rack_elevation(r.id) e),
                   'free_cells', (SELECT count(*) FILTER (WHERE e.front IS NULL) + count(*) FILTER (WHERE e.rear IS NULL) FROM rack_elevation(r.id) e),
                   'occupied', (SELECT position::text FROM device WHERE rack_id = r.id AND position IS NOT NULL ORDER BY position LIMIT 1),
                   'exclusion', (SELECT message FROM refusal),
                   'first_fit', rack_first_fit(r.id, 1, 'full')::text)
           FROM rack r WHERE r.id = '$rack'),
  'trace', (SELECT json_build_object('device', device, 'device_slug', device_slug, 'port', port,
                   'name_refusal', (SELECT message FROM name_refusal),
                   'far_device', path->'branches'->0->'hops'->0->'to'->>'device',
                   'hops', (SELECT json_agg(json_build_object('from', concat_ws(' ', h->'from'->>'device', h->'from'->>'port'),
                                                               'cable', coalesce(h->'cable'->>'label', 'cable'),
                                                               'to', coalesce(nullif(concat_ws(' ', h->'to'->>'device', h->'to'->>'port'), ''), 'open'))
                                            ORDER BY (h->>'hop')::int)
                            FROM jsonb_array_elements(path->'branches'->0->'hops') h))
            FROM known),
  'prefix', (SELECT json_build_object('slug', slug, 'prefix', prefix::text, 'next', next::text,
                    'next_address', next::text,
                    'host_id', (SELECT id FROM host ORDER BY hostname LIMIT 1)) FROM pfx),
  'site', (SELECT json_build_object('slug', s.slug, 'name', s.name, 'racks', count(r.*))
           FROM site s JOIN rack r ON r.site_id = s.id WHERE r.id = '$rack' OR r.site_id = (SELECT site_id FROM rack WHERE id = '$rack')
           GROUP BY s.id HAVING bool_or(r.id = '$rack')),
  'host', (SELECT json_build_object('slug', h.slug, 'hostname', h.hostname, 'address', a.address::text)
           FROM host h JOIN ip_address a ON a.host_id = h.id ORDER BY h.hostname, a.address LIMIT 1),
  'prefixes', (SELECT count(*) FROM prefix),
  'rack48', (SELECT json_build_object('slug', slug, 'devices', (SELECT count(*) FROM device WHERE rack_id = r.id)) FROM rack r WHERE name = 'UI48'));
SQL
check "SQL names what the pages must show (a rack, a known trace, a prefix with a free address, ports to cable, an address, a failing run, a host's safes)" \
    'jq -e ".rack.exclusion and .trace.hops and .prefix.next and .address.prefix and .serial.serial and .connect.taken and .connect.dup_port and .addr.dup and .addr.free and .highstate.errors and .safes.secrets and .power.text and .new_host.refusal and .new_host.cluster and .metal.slug and .new_prefix.dup" "$work/expect.json" >/dev/null' ||
    sed 's/^/# /' "$work/expect.json"
echo "# trace: $(jq -c '.trace | {device, port, hops: (.hops | length)}' "$work/expect.json"); rack: $(jq -c '.rack | {name, devices}' "$work/expect.json")"

# --- in the browser -------------------------------------------------------------
rm -rf "$shots"; mkdir -p "$shots"
UI_URL=$ui EXPECT=$work/expect.json SHOTS=$shots node "$top/ui/test/ui.mjs" >"$work/browser" 2>&1
rc=$?
# renumber the browser's TAP after the lines above
perl -ne 'BEGIN { $n = shift } if (/^(not )?ok \d+ (.*)/) { $n++; print "", ($1 // ""), "ok $n $2\n" } elsif (/^1\.\.\d+$/) { } else { print /^#/ ? $_ : "# $_" }' "$n" "$work/browser" >"$work/browser.tap"
cat "$work/browser.tap"
n=$((n + $(grep -cE '^(not )?ok ' "$work/browser.tap")))
[ $rc -eq 0 ] || grep -q '^not ok' "$work/browser.tap" || { n=$((n + 1)); echo "not ok $n - the browser run exits 0 (it exited $rc)"; }
check "screenshots of the rack, device, host and prefix pages in .pg/test-logs/ui/" '[ -s "$shots/rack.png" ] && [ -s "$shots/device.png" ] && [ -s "$shots/device-edit.png" ] && [ -s "$shots/host.png" ] && [ -s "$shots/prefix.png" ]'
# what the browser's edits left in the change log: the cable made, edited
# and deleted through the interface, under the editor's name (the token's sub)
logged=$(q -c "SELECT string_agg(op, ' ' ORDER BY id) FROM mountaineer.change
               WHERE actor = 'demo_editor' AND row_id IN (SELECT row_id FROM mountaineer.change
                                                          WHERE table_name = 'cable' AND op = 'insert' AND after->>'label' = 'UI-C1')")
check "the change log has the interface's cable under demo_editor: insert, update, delete ($logged)" '[ "$logged" = "insert update delete" ]'
left=$(q -c "SELECT count(*) FROM mountaineer.port WHERE name IN ('ui-eth9', 'ui-eth10')")
check "and no port the test made is left" '[ "$left" = 0 ]'
echo "1..$n"
