#!/usr/bin/env bash
# TAP: the REST API for real -- PostgREST 12 (tools/api.sh) on a free loopback
# port against a database with every extension and every demo estate, driven
# with curl and jq: reads with filters, embedding and pagination; writes by
# the editor (POST, PATCH, DELETE, bulk POST, upsert) on the main inventory
# tables; RPC; JWT roles and the actor from the token's sub; every refusal's
# HTTP status (README "REST API", "Errors over HTTP"); no internal helper
# reachable, over the whole catalogue; OpenAPI descriptions; the rack
# elevation as SVG.  (On a hot standby: test/replication.sh.)  Runs against the cluster named by PGHOST/PGPORT.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
modules=(${MOUNTAINEER_MODULES:-$(sed -n 's/^MOUNTAINEER_MODULES *= *//p' "$top/Makefile")})
db=mt_api
work=$(mktemp -d)
q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
. "$top/test/lib/tap.sh"
free_port() { perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0)->sockport'; }
cleanup() {
    "$top/tools/api.sh" stop mt-api-test >/dev/null 2>&1
    "$top/tools/api.sh" stop mt-api-test-anon >/dev/null 2>&1
    rm -rf "$work"
    dropdb --if-exists -f $db 2>/dev/null
}
trap cleanup EXIT
echo "1..125"

dropdb --if-exists -f $db 2>/dev/null
createdb $db || { echo "# cannot create a database"; exit 1; }
q -c 'CREATE EXTENSION mountaineer' || exit 1
# the API's login role before the estates, so that the host logins the demo
# estate makes (mountaineer_vault) are granted to it, as create_host_login()
# does when it exists
"$top/tools/api.sh" setup || exit 1
for m in "${modules[@]}"; do q -c "CREATE EXTENSION mountaineer_$m CASCADE" || exit 1; done
for m in "${modules[@]}"; do
    f=$top/modules/$m/demo/estate.sql
    [ -f "$f" ] && { PGOPTIONS="-c mountaineer.actor=demo-loader" q -o /dev/null -f "$f" || exit 1; }
done

port=$(free_port)
if "$top/tools/api.sh" start mt-api-test $db "$port" >"$work/start" 2>&1; then
    ok "PostgREST starts on 127.0.0.1:$port"
else
    nok "PostgREST starts on 127.0.0.1:$port"; sed 's/^/# /' "$work/start"; exit 1
fi
api=http://127.0.0.1:$port
check "tools/api.sh made the login role authenticator: LOGIN, NOINHERIT, no superuser, reading nothing by itself" \
    "[ \"\$(q -c \"SELECT rolcanlogin AND NOT rolinherit AND NOT rolsuper AND NOT has_table_privilege('authenticator', 'mountaineer.site', 'SELECT') FROM pg_roles WHERE rolname = 'authenticator'\")\" = t ]"
secret=$("$top/tools/api.sh" secret)
check "the JWT secret is the installation's own: made at first use, mode 600, at least 32 characters" \
    "[ \"\$(stat -c %a '$secret')\" = 600 ] && [ \$(wc -c <'$secret') -ge 32 ]"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    check "and kept out of git (ignored, not tracked)" \
        "git -C '$top' check-ignore -q '${secret#"$top"/}' && ! git -C '$top' ls-files --error-unmatch '${secret#"$top"/}' >/dev/null 2>&1"
else
    ok "and kept out of git # SKIP not a git checkout"
fi
reader=$("$top/tools/token.sh" mountaineer_reader reader@example)
editor=$("$top/tools/token.sh" mountaineer_editor alice@example)
admin=$("$top/tools/token.sh" mountaineer_admin root@example)

# req METHOD PATH TOKEN [BODY] [HEADER...]: sets $status and $body
req() {
    local method=$1 path=$2 token=$3 data=${4:-} args=()
    shift 4 2>/dev/null || shift $#
    [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
    [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
    for h in "$@"; do args+=(-H "$h"); done
    status=$(curl -s -o "$work/body" -w '%{http_code}' -X "$method" "${args[@]}" "$api$path")
    body=$(cat "$work/body")
}
# expect NAME STATUS [JQ-CONDITION]: the last request's status (and body)
expect() {
    if [ "$status" = "$2" ] && { [ -z "${3:-}" ] || jq -e "$3" >/dev/null 2>&1 <<<"$body"; }; then
        ok "$1"
    else
        nok "$1"; echo "# got $status: $(head -c 600 <<<"$body")"
    fi
}

# statuses METHOD: the requests of stdin (PATH|TOKEN|BODY, one a line) sent by
# one curl (a process per request is what costs on a busy machine); prints
# their statuses in order
statuses() {
    local method=$1 path token data sep=
    while IFS='|' read -r path token data; do
        printf '%surl = "%s%s"\nrequest = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' "$sep" "$api" "$path" "$method"
        sep=$'next\n'
        [ -n "$token" ] && printf 'header = "Authorization: Bearer %s"\n' "$token"
        if [ -n "$data" ]; then
            data=${data//\\/\\\\}
            printf 'header = "Content-Type: application/json"\ndata-binary = "%s"\n' "${data//\"/\\\"}"
        fi
    done >"$work/batch.curl"
    curl -s -K "$work/batch.curl"
}

# --- reads: filters, ordering, pagination, embedding -----------------------
req GET '/site?select=name&order=name.asc&limit=2' "$reader"
expect "GET /site with ordering and a limit" 200 'length == 2 and .[0].name < .[1].name'
want=$(q -c "SELECT count(*) FROM mountaineer.device WHERE kind = 'server'")
req GET '/device?kind=eq.server&select=id' "$reader" '' 'Prefer: count=exact'
expect "a filter gives exactly the rows SQL gives ($want servers)" 200 "length == $want"
rack=$(q -c "SELECT r.id FROM mountaineer.rack r WHERE EXISTS (SELECT FROM mountaineer.device d JOIN mountaineer.port p ON p.device_id = d.id WHERE d.rack_id = r.id) ORDER BY r.name LIMIT 1")
ndev=$(q -c "SELECT count(*) FROM mountaineer.device WHERE rack_id = '$rack'")
nport=$(q -c "SELECT count(*) FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id WHERE d.rack_id = '$rack'")
req GET "/device?rack_id=eq.$rack&select=name,rack(name,site(name)),port(name,kind)" "$reader"
expect "a device embeds its rack (with its site) and its ports in one request" 200 \
    "length == $ndev and ([.[].port | length] | add) == $nport and all(.[]; .rack.site.name != null)"
req GET "/rack?id=eq.$rack&select=name,device(name)" "$reader"
expect "a rack embeds its devices (one relationship between them)" 200 ".[0].device | length == $ndev"
req GET '/device?select=id&order=id&offset=2&limit=3' "$reader"
second=$(jq -r '.[0].id' <<<"$body")
expect "pagination by offset and limit" 200 "length == 3 and .[0].id == \"$(q -c "SELECT id FROM mountaineer.device ORDER BY id OFFSET 2 LIMIT 1")\""
req GET '/change?select=id,table_name,actor&order=id.desc&limit=1' "$reader"
expect "the change log is readable" 200 'length == 1 and (.[0].actor | type) == "string"'
# regions, locations and status (1.5)
req GET '/site?name=eq.ams1&select=name,region(name,parent:parent_id(name))' "$reader"
expect "a site embeds its region, and a region its parent" 200 '.[0].region.name == "Amsterdam" and .[0].region.parent.name == "Netherlands"'
req GET '/rack?name=eq.A01&select=name,location(name,parent_location(name))' "$reader"
expect "a rack embeds its location, and a location its parent" 200 '.[0].location.name == "Cage 7" and .[0].location.parent_location.name == "Floor 2"'
region=$(q -c "SELECT id FROM mountaineer.region WHERE name = 'Europe'")
req GET "/rpc/region_devices?region_id=$region&status=eq.planned&select=name,status,rack(name)" "$reader"
expect "the devices under a region, filtered by status, embedding their rack" 200 'length == 1 and .[0].name == "a03-tor-b" and .[0].rack.name == "A03"'

# --- writes by the editor: site, rack, device, port, cable ------------------
req POST '/site' "$editor" '{"name":"api-site"}' 'Prefer: return=representation'
expect "POST /site creates a site and returns it with its slug" 201 '.[0].name == "api-site" and (.[0].slug | length) == 22'
site=$(jq -r '.[0].id' <<<"$body")
req POST '/rack' "$editor" "{\"site_id\":\"$site\",\"name\":\"api-r1\",\"units\":42}" 'Prefer: return=representation'
expect "POST /rack" 201 '.[0].name == "api-r1"'
r1=$(jq -r '.[0].id' <<<"$body")
req PATCH "/rack?id=eq.$r1" "$editor" '{"name":"api-rack-1"}' 'Prefer: return=representation'
expect "PATCH /rack renames it" 200 '.[0].name == "api-rack-1"'
req POST '/device' "$editor" "{\"kind\":\"server\",\"name\":\"api-srv1\",\"units\":2,\"rack_id\":\"$r1\",\"position\":\"U10-U11\"}" 'Prefer: return=representation'
expect "POST /device racks a server (its site follows the rack)" 201 ".[0].site_id == \"$site\""
srv=$(jq -r '.[0].id' <<<"$body")
req POST '/device' "$editor" "{\"kind\":\"network\",\"name\":\"api-sw1\",\"units\":1,\"rack_id\":\"$r1\",\"position\":\"U20\"}" 'Prefer: return=representation'
sw=$(jq -r '.[0].id' <<<"$body")
expect "POST /device racks a switch" 201
req POST '/port' "$editor" "[{\"device_id\":\"$srv\",\"name\":\"eth0\",\"kind\":\"interface\"},{\"device_id\":\"$sw\",\"name\":\"ge-0/0/1\",\"kind\":\"interface\"}]" 'Prefer: return=representation'
expect "bulk POST of an array: two ports in one request" 201 'length == 2'
p1=$(jq -r '.[0].id' <<<"$body"); p2=$(jq -r '.[1].id' <<<"$body")
# a cable and its ends in one transaction: the RPC-free way is a planned cable, then its ends, then connected
req POST '/cable' "$editor" '{"label":"api-c1","status":"planned"}' 'Prefer: return=representation'
expect "POST /cable (planned)" 201 '.[0].status == "planned"'
cab=$(jq -r '.[0].id' <<<"$body")
req POST '/cable_end' "$editor" "[{\"cable_id\":\"$cab\",\"side\":\"a\",\"port_id\":\"$p1\"},{\"cable_id\":\"$cab\",\"side\":\"b\",\"port_id\":\"$p2\"}]"
expect "POST /cable_end: both ends" 201
req PATCH "/cable?id=eq.$cab" "$editor" '{"status":"connected"}'
expect "PATCH /cable: connected" 204
req POST '/rpc/cable_trace' "$reader" "{\"port_id\":\"$p1\"}"
expect "RPC cable_trace follows the new cable" 200 "(tostring | contains(\"$p2\"))"
req PATCH "/port?id=eq.$p1" "$editor" '{"name":"eth0-uplink"}' 'Prefer: return=representation'
expect "PATCH /port renames it" 200 '.[0].name == "eth0-uplink"'
# (1.7) or in one call: cable_connect
req POST '/port' "$editor" "[{\"device_id\":\"$srv\",\"name\":\"eth1\",\"kind\":\"interface\"},{\"device_id\":\"$sw\",\"name\":\"ge-0/0/2\",\"kind\":\"interface\"}]" 'Prefer: return=representation'
p3=$(jq -r '.[0].id' <<<"$body"); p4=$(jq -r '.[1].id' <<<"$body")
req POST '/rpc/cable_connect' "$editor" "{\"a_port_id\":\"$p3\",\"b_port_id\":\"$p4\",\"label\":\"api-c2\",\"type\":\"cat6\"}"
expect "POST /rpc/cable_connect: a connected cable and both its ends in one request" 200 '.label == "api-c2" and .status == "connected"'
req POST '/rpc/cable_connect' "$editor" "{\"a_port_id\":\"$p3\",\"b_port_id\":\"$p2\"}"
expect "cable_connect from a cabled port: 409, 23505, the port and its cable named" 409 \
    '.code == "23505" and .message == "port \"eth1\" of device \"api-srv1\" is already on cable \"api-c2\""'
req DELETE '/cable?label=eq.api-c2' "$editor"
expect "DELETE /cable: disconnected again (its ends go with it)" 204

# --- upsert, and a bulk POST is one transaction ------------------------------
req POST '/site?on_conflict=name' "$editor" '[{"name":"api-site","vendor":"merged"},{"name":"api-site-2","vendor":null}]' \
    'Prefer: resolution=merge-duplicates,return=representation'
expect "upsert with resolution=merge-duplicates updates one site and inserts another" 201 \
    'length == 2 and (map(select(.name == "api-site"))[0].vendor == "merged")'
req POST '/site' "$editor" '[{"name":"api-bulk-1"},{"name":"api-site"}]'
expect "a bulk POST with one bad row is refused (409)" 409
check "and writes none of its rows" "[ \"\$(q -c \"SELECT count(*) FROM mountaineer.site WHERE name = 'api-bulk-1'\")\" = 0 ]"

# --- the actor is the token's sub --------------------------------------------
check "a change made through the API is in the change log under the token's sub" \
    "[ \"\$(q -c \"SELECT string_agg(DISTINCT actor, ',') FROM mountaineer.change WHERE row_id = '$site'\")\" = alice@example ]"
check "and under the role the token named" \
    "[ \"\$(q -c \"SELECT string_agg(DISTINCT db_role, ',') FROM mountaineer.change WHERE row_id = '$site' AND op = 'insert'\")\" = mountaineer_editor ]"

# --- hosts and addresses -----------------------------------------------------
req POST '/environment' "$editor" '{"name":"api-env","hostname_regex":"api-[a-z0-9-]+\\.example\\.net"}' 'Prefer: return=representation'
expect "POST /environment" 201 '.[0].name == "api-env"'
env=$(jq -r '.[0].id' <<<"$body")
req POST '/host' "$editor" "{\"hostname\":\"api-host1.example.net\",\"environment_id\":\"$env\",\"kind\":\"bare_metal\",\"device_id\":\"$srv\"}" 'Prefer: return=representation'
expect "POST /host" 201 '.[0].hostname == "api-host1.example.net"'
host=$(jq -r '.[0].id' <<<"$body")
req POST '/prefix' "$editor" '{"prefix":"10.250.0.0/29"}' 'Prefer: return=representation'
expect "POST /prefix" 201 '.[0].prefix == "10.250.0.0/29"'
pfx=$(jq -r '.[0].id' <<<"$body")
req POST '/rpc/allocate_ip' "$editor" "{\"prefix\":\"10.250.0.0/29\",\"host_id\":\"$host\"}"
expect "RPC allocate_ip gives the first free address" 200 '.address == "10.250.0.1/29"'
req POST '/ip_address' "$editor" "{\"address\":\"10.250.0.5/29\",\"host_id\":\"$host\"}" 'Prefer: return=representation'
expect "POST /ip_address" 201 '.[0].address == "10.250.0.5/29"'
addr=$(jq -r '.[0].id' <<<"$body")
req GET "/ip_address?host_id=eq.$host&select=address,host(hostname)&order=address" "$reader"
expect "an address embeds its host" 200 'length == 2 and .[0].host.hostname == "api-host1.example.net"'
req PATCH "/ip_address?id=eq.$addr" "$editor" '{"dns_name":"API-Host1.Example.NET"}' 'Prefer: return=representation'
expect "PATCH /ip_address (its dns_name normalised by the database)" 200 '.[0].dns_name == "api-host1.example.net"'
req DELETE "/ip_address?id=eq.$addr" "$editor"
expect "DELETE /ip_address" 204
req POST '/rpc/history' "$reader" "{\"tbl\":\"mountaineer.ip_address\",\"id\":\"$addr\"}"
expect "RPC history of the deleted address: insert, update, delete" 200 '[.[].op] == ["insert","update","delete"]'
req GET "/rpc/rack_elevation?rack_id=$r1" "$reader"
expect "RPC rack_elevation by GET" 200 'length > 0'

# the other kinds of user-facing function: allocations, free lists,
# utilisation, impact, power, as_of (each against what SQL answers)
req POST '/prefix' "$editor" '{"prefix":"10.251.0.0/24"}'
expect "POST /prefix (a second one, to allocate from)" 201
req POST '/rpc/allocate_prefix' "$editor" '{"parent":"10.251.0.0/24","masklen":26,"description":"api"}'
expect "RPC allocate_prefix gives the first free /26" 200 '.prefix == "10.251.0.0/26" and .description == "api"'
req GET '/rpc/next_free_prefix?parent=10.251.0.0/24&masklen=26' "$reader"
expect "RPC next_free_prefix by GET: the next one" 200 '. == "10.251.0.64/26"'
req GET '/rpc/free_prefixes?parent=10.251.0.0/24' "$reader"
expect "RPC free_prefixes: the free space as blocks" 200 '. == ["10.251.0.64/26","10.251.0.128/25"]'
req GET '/rpc/prefix_utilization?prefix=10.251.0.0/24' "$reader"
expect "RPC prefix_utilization: a quarter" 200 '. == 0.25'
imp=$(q -c "SELECT d.id FROM mountaineer.device d ORDER BY (SELECT count(*) FROM mountaineer.impact(d.id)) DESC, d.id LIMIT 1")
req GET "/rpc/impact?device_id=$imp" "$reader"
expect "RPC impact: the devices that go down with one ($(q -c "SELECT count(*) FROM mountaineer.impact('$imp')"), as in SQL)" 200 \
    "length == $(q -c "SELECT count(*) FROM mountaineer.impact('$imp')") and length > 0"
pp=$(q -c "SELECT p.id FROM mountaineer.port p WHERE p.kind = 'power_port' AND EXISTS (SELECT FROM mountaineer.cable_end e WHERE e.port_id = p.id) ORDER BY p.id LIMIT 1")
req POST '/rpc/power_trace' "$reader" "{\"port_id\":\"$pp\"}"
expect "RPC power_trace: as many hops as SQL" 200 "length == $(q -c "SELECT count(*) FROM mountaineer.power_trace('$pp')") and length > 0"
req POST '/rpc/as_of' "$reader" "{\"tbl\":\"mountaineer.site\",\"id\":\"$site\",\"at\":\"$(q -c "SELECT min(at) FROM mountaineer.change WHERE row_id = '$site'")\"}"
expect "RPC as_of: the site as it was first inserted (before the upsert)" 200 '.name == "api-site" and .vendor == null'

# --- a host's own token (mountaineer_vault): PostgREST becomes its login role
if [[ " ${modules[*]} " == *" vault "* ]]; then
    db1=$("$top/tools/token.sh" host_db1 db1.prod.example.net)
    web1=$("$top/tools/token.sh" host_web1 web1.prod.example.net)
    want_db1=$(q -c "SELECT string_agg(name, ',' ORDER BY name) FROM mountaineer.host_secrets('db1.prod.example.net')")
    req GET '/secret?select=name&order=name' "$db1"
    expect "a host's token reads exactly that host's secrets ($want_db1)" 200 "[.[].name] | join(\",\") == \"$want_db1\""
    req GET '/secret?select=name&order=name' "$web1"
    expect "another host's token reads only its own" 200 "[.[].name] | join(\",\") == \"$(q -c "SELECT string_agg(name, ',' ORDER BY name) FROM mountaineer.host_secrets('web1.prod.example.net')")\""
    req POST '/rpc/host_secrets' "$web1" '{"hostname":"db1.prod.example.net"}'
    expect "and cannot list another host's through host_secrets (403)" 403 '.code == "42501"'
    req GET '/site?select=name&limit=1' "$db1"
    expect "nor read the inventory with it (403)" 403 '.code == "42501"'
    # a token's other claims decide nothing: only its role (the login) does
    req GET '/secret?select=name&order=name' "$("$top/tools/token.sh" host_db1 web1.prod.example.net)"
    expect "a host's token claiming another host in its sub still reads its own ($want_db1)" 200 "[.[].name] | join(\",\") == \"$want_db1\""
    req GET '/safe?select=name,secret(name)&order=name' "$db1"
    expect "embedding secrets in safes shows the host's safes and their secrets only" 200 \
        "[.[] | .name + \":\" + ([.secret[].name] | sort | join(\"+\"))] == [\"prod-db:postgres-password+replication-password\"]"
    req POST '/secret' "$db1" "{\"safe_id\":\"$(q -c "SELECT id FROM mountaineer.safe WHERE name = 'prod-db'")\",\"name\":\"mine\",\"ciphertext\":\"vault:v1:$(q -c "SELECT encode(sha256('mine'), 'base64')")\",\"key_name\":\"prod\"}"
    expect "a host cannot add a secret to a safe it may only read (403)" 403 \
        '.code == "42501" and .message == "new row violates row-level security policy for table \"secret\""'
    req PATCH '/secret?name=eq.postgres-password' "$db1" '{"name":"renamed"}' 'Prefer: return=representation'
    expect "nor change one: the update finds no row it may write" 200 'length == 0'
    prom1=$("$top/tools/token.sh" host_prom1 prom1.prod.example.net)
    req PATCH '/secret?name=eq.grafana-admin' "$prom1" '{"ciphertext":"hunter2-api-plaintext"}'
    expect "a plaintext sent by a host that may write: 400, 23514, quoting nothing of it" 400 \
        '.code == "23514" and .message == "the ciphertext of secret \"grafana-admin\" is not a Vault transit ciphertext" and (tostring | contains("hunter2") | not)'
else
    for i in 1 2 3 4 5 6 7 8 9; do ok "host tokens: mountaineer_vault is not installed # SKIP"; done
fi

# --- refusals and their statuses (README "Errors over HTTP") -----------------
req POST '/site' "$editor" '{"name":"api-site"}'
expect "23505 unique violation: 409 with the SQLSTATE and message" 409 '.code == "23505" and (.message | contains("site"))'
req DELETE "/site?id=eq.$site" "$editor"
expect "23503 foreign key violation (the site has racks): 409" 409 '.code == "23503"'
req POST '/device' "$editor" "{\"kind\":\"server\",\"name\":\"api-srv2\",\"units\":1,\"rack_id\":\"$r1\",\"position\":\"U11\"}"
expect "23P01 two devices in one unit: 409, original code in the body" 409 '.code == "23P01" and (.message | contains("device_rack_id_position_excl"))'
req POST '/rack' "$editor" "{\"site_id\":\"$site\",\"name\":\"api-bad\",\"units\":0}"
expect "23514 check violation: 400" 400 '.code == "23514"'
req POST '/rack' "$editor" '{"name":"no-site"}'
expect "23502 not-null violation: 400" 400 '.code == "23502"'
req POST '/rpc/allocate_prefix' "$editor" '{"parent":"10.250.0.0/29","masklen":40}'
expect "22023 invalid parameter value: 400" 400 '.code == "22023"'
req POST '/rpc/allocate_ip' "$editor" '{"prefix":"10.250.0.0/29","host_id":null}'
expect "22004 allocate_ip without a host: 400" 400 '.code == "22004" and (.message | contains("needs a host"))'
req POST '/environment' "$editor" '{"name":"api-bad-regex","hostname_regex":"(["}'
expect "2201B a regex that does not compile: 400" 400 '.code == "2201B"'
req GET '/device?id=eq.not-a-uuid' "$reader"
expect "22P02 bad input syntax: 400" 400 '.code == "22P02"'
req POST '/site' "$editor" '{"name":"api-slug","slug":"AAAAAAAAAAAAAAAAAAAAAA"}'
expect "428C9 writing a generated column: 400" 400 '.code == "428C9"'
req POST '/rpc/cable_trace' "$reader" '{"port_id":"00000000-0000-4000-8000-000000000001"}'
expect "P0002 no such port: 404, original code and message in the body" 404 \
    '.code == "P0002" and .message == "no port with id 00000000-0000-4000-8000-000000000001"'
req GET '/rpc/rack_elevation_svg?rack_id=00000000-0000-4000-8000-000000000001' "$reader" '' 'Accept: image/svg+xml'
expect "P0002 no such rack (asked for as SVG): 404, as JSON" 404 '.code == "P0002" and .message == "no rack with id 00000000-0000-4000-8000-000000000001"'
req POST '/rpc/allocate_ip' "$editor" "{\"prefix\":\"10.99.99.0/24\",\"host_id\":\"$host\"}"
expect "P0002 no such prefix: 404" 404 '.code == "P0002" and .message == "no prefix 10.99.99.0/24 in the global table"'
req PATCH "/prefix?id=eq.$pfx" "$editor" '{"status":"reserved"}' 'Prefer: return=representation'
expect "PATCH /prefix: reserved" 200 '.[0].status == "reserved"'
req POST '/rpc/allocate_ip' "$editor" "{\"prefix\":\"10.250.0.0/29\",\"host_id\":\"$host\"}"
expect "55000 allocating from a reserved prefix: 409" 409 '.code == "55000" and (.message | contains("reserved"))'
req PATCH "/prefix?id=eq.$pfx" "$editor" '{"status":"active"}'
expect "PATCH /prefix: active again" 204
for i in 1 2 3 4 5; do req POST '/rpc/allocate_ip' "$editor" "{\"prefix\":\"10.250.0.0/29\",\"host_id\":\"$host\"}"; done
req POST '/rpc/allocate_ip' "$editor" "{\"prefix\":\"10.250.0.0/29\",\"host_id\":\"$host\"}"
expect "53000 a full prefix: 409" 409 '.code == "53000" and (.message | contains("no free address"))'
req POST '/site' "$reader" '{"name":"api-by-reader"}'
expect "42501 the reader cannot write: 403" 403 '.code == "42501"'
req DELETE '/change?id=eq.1' "$editor"
expect "42501 the editor cannot delete from the change log: 403" 403 '.code == "42501"'
req GET '/site' ''
expect "no token: 401" 401 '.code == "PGRST302"'
req GET '/site' "$("$top/tools/token.sh" mountaineer_reader late@example -300)"
expect "an expired token: 401" 401 '.code == "PGRST301"'
forged="${reader%.*}.$(printf 'not-the-signature' | base64 -w0 | tr '+/' '-_' | tr -d '=')"
req GET '/site' "$forged"
expect "a forged token: 401" 401 '.code == "PGRST301"'
req GET '/site' "$("$top/tools/token.sh" postgres mallory@example)"
expect "42501 a token naming a role the API may not become (postgres): 403" 403 '.code == "42501" and .message == "permission denied to set role \"postgres\""'
req GET '/site' "$("$top/tools/token.sh" no_such_role mallory@example)"
expect "22023 a token naming a role that does not exist: 400" 400 '.code == "22023" and .message == "role \"no_such_role\" does not exist"'
unsigned="$(printf '{"alg":"none","typ":"JWT"}' | base64 -w0 | tr '+/' '-_' | tr -d '=').$(printf '{"role":"mountaineer_admin","sub":"mallory@example"}' | base64 -w0 | tr '+/' '-_' | tr -d '=')."
req GET '/site' "$unsigned"
expect "an unsigned token (alg none) naming the admin: 401" 401 '.code == "PGRST301"'
req GET '/no_such_table' "$reader"
expect "42P01 an unknown table: 404" 404 '.code == "42P01" and (.message | contains("no_such_table"))'
req POST '/rpc/no_such_function' "$reader" '{}'
expect "an unknown function: 404" 404 '.code == "PGRST202"'
req GET "/rpc/allocate_ip?prefix=10.250.0.0/29&host_id=$host" "$editor"
expect "25006 a function that writes, called by GET (a read-only transaction): 405" 405 '.code == "25006"'
# (a write on a hot standby: 405 as well, test/replication.sh)
# (psql exits 1 on these errors: their output is read, not the pipeline's status)
out=$(q -c "SELECT mountaineer.slug(gen_random_uuid())" -c 'SET ROLE mountaineer_admin' -c 'SET mountaineer.http_status = on' 2>&1)
check "no role but a superuser may turn the HTTP statuses on for its session (42501)" \
    "grep -q 'permission denied to set parameter \"mountaineer.http_status\"' <<<\"\$out\""
out=$(q -v VERBOSITY=verbose -c "SELECT mountaineer.cable_trace('00000000-0000-4000-8000-000000000001')" 2>&1)
check "and a SQL session (not PostgREST's) sees a refusal as it is (P0002)" "grep -q 'ERROR:  P0002: no port with id' <<<\"\$out\""

# --- the rest of CRUD: PATCH and DELETE of what the editor made ---------------
req PATCH "/device?id=eq.$srv" "$editor" '{"name":"api-srv1-renamed","status":"planned"}' 'Prefer: return=representation'
expect "PATCH /device renames it and changes its status" 200 '.[0].name == "api-srv1-renamed" and .[0].status == "planned"'
req PATCH "/host?id=eq.$host" "$editor" '{"hostname":"api-host1b.example.net"}' 'Prefer: return=representation'
expect "PATCH /host renames it" 200 '.[0].hostname == "api-host1b.example.net"'
gone() {   # gone NAME TABLE ID: the last request was a 204 and the row is no more
    if [ "$status" = 204 ] && [ "$(q -c "SELECT count(*) FROM mountaineer.$2 WHERE id = '$3'")" = 0 ]; then
        ok "$1"
    else
        nok "$1"; echo "# got $status: $(head -c 300 <<<"$body")"
    fi
}
req DELETE "/cable?id=eq.$cab" "$editor";     gone "DELETE /cable (its ends go with it)" cable "$cab"
req DELETE "/port?id=eq.$p1" "$editor";       gone "DELETE /port" port "$p1"
req DELETE "/device?id=eq.$sw" "$editor";     gone "DELETE /device (its ports go with it)" device "$sw"
req DELETE "/device?id=eq.$srv" "$editor"
expect "DELETE /device of a server a host runs on: 409 (23503)" 409 '.code == "23503"'
req DELETE "/ip_address?host_id=eq.$host" "$editor"
check "DELETE /ip_address by a filter: every address of the host" "[ '$status' = 204 ] && [ \"\$(q -c \"SELECT count(*) FROM mountaineer.ip_address WHERE host_id = '$host'\")\" = 0 ]"
req DELETE "/host?id=eq.$host" "$editor";     gone "DELETE /host" host "$host"
req DELETE "/device?id=eq.$srv" "$editor";    gone "DELETE /device, once no host runs on it" device "$srv"
req DELETE "/prefix?id=eq.$pfx" "$editor";    gone "DELETE /prefix" prefix "$pfx"
req DELETE "/rack?id=eq.$r1" "$editor";       gone "DELETE /rack" rack "$r1"
req DELETE "/site?id=eq.$site" "$editor";     gone "DELETE /site, once it has no rack" site "$site"
check "each of these deletes is in the change log under the token's sub" \
    "[ \"\$(q -c \"SELECT count(*) FROM mountaineer.change WHERE op = 'delete' AND actor = 'alice@example' AND row_id IN ('$cab', '$p1', '$sw', '$srv', '$host', '$pfx', '$r1', '$site')\")\" = 8 ]"

# with an anonymous role configured (off by default), no token reads as it
anonport=$(free_port)
if API_ANON_ROLE=mountaineer_reader "$top/tools/api.sh" start mt-api-test-anon $db "$anonport" >"$work/start-anon" 2>&1; then
    saved=$api; api=http://127.0.0.1:$anonport
    req GET '/site?select=name&limit=1' ''
    expect "with API_ANON_ROLE=mountaineer_reader a request without a token reads" 200 'length == 1'
    req POST '/site' '' '{"name":"api-anonymous"}'
    expect "and cannot write (401: it is anonymous)" 401 '.code == "42501"'
    api=$saved
    "$top/tools/api.sh" stop mt-api-test-anon
else
    nok "PostgREST with an anonymous role starts"; sed 's/^/# /' "$work/start-anon"; nok "(skipped)"
fi

# --- no internal helper is reachable, over the whole catalogue ---------------
# An internal helper: every trigger function, every function no role may
# execute, and every function whose COMMENT calls it internal ("Internal…")
# or says it serves only the row-level security policies or
# refuse_delete_referenced() (is_internal_function()), of every extension.
# The roles a request may run as are every role the authenticator may
# become: the group roles, the anonymous role and the hosts' logins
# (mountaineer_vault).  Each helper is called with a token of each of them,
# with its named arguments (null): 404 or 403 for every call.  The helpers
# an invoker-rights function, a view or a row-level security policy calls
# with the caller's rights stay executable by that caller; the API's
# pre-request check (api_pre_request, 1.7) refuses them (404, 42883).  These
# were reachable before it and must stay among the refused:
reachable_by_design=(
    current_host_safes check_prefix_length dns_address_scoped
    import_apply import_columns import_differs_sql import_stage_sql
    netbox_attributes netbox_cables netbox_cluster_kind netbox_components
    netbox_elem netbox_fqdn netbox_has netbox_import_common netbox_import_dcim
    netbox_import_ipam netbox_import_skipped netbox_issue netbox_load
    netbox_load_found netbox_load_part netbox_load_tree netbox_model_table
    netbox_node_name netbox_not_modelled netbox_port_suffix netbox_power_feeds
    netbox_ref netbox_skip_reason netbox_status netbox_step netbox_tagged
    row_label vault_refuse_ciphertext
)
internal_sql="
SELECT p.oid, p.proname,
       EXISTS (SELECT FROM pg_roles r WHERE pg_has_role('authenticator', r.oid, 'MEMBER') AND r.rolname <> 'authenticator'
                                      AND has_function_privilege(r.oid, p.oid, 'EXECUTE')) AS executable
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid JOIN pg_proc p ON p.oid = d.objid
WHERE d.refclassid = 'pg_extension'::regclass AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
  AND e.extname LIKE 'mountaineer%'
  AND (p.prorettype = 'trigger'::regtype
       OR NOT EXISTS (SELECT FROM pg_roles r WHERE pg_has_role('authenticator', r.oid, 'MEMBER') AND r.rolname <> 'authenticator'
                                             AND has_function_privilege(r.oid, p.oid, 'EXECUTE'))
       OR mountaineer.is_internal_function(p.oid))"
q >"$work/internal" -c "
SELECT i.proname || '|' || coalesce((SELECT json_object_agg(n, NULL)::text FROM unnest(p.proargnames[1:p.pronargs]) n WHERE n <> ''), '{}')
FROM ($internal_sql) i JOIN pg_proc p ON p.oid = i.oid ORDER BY 1"
q >"$work/reachable" -c "SELECT DISTINCT proname FROM ($internal_sql) i WHERE executable AND NOT (SELECT prorettype = 'trigger'::regtype FROM pg_proc WHERE oid = i.oid) ORDER BY 1"
printf '%s\n' "${reachable_by_design[@]}" | sort >"$work/reachable.want"
missing=$(comm -23 "$work/reachable.want" "$work/reachable" | paste -sd' ')
check "the internal helpers some role may execute ($(wc -l <"$work/reachable")) include the $(wc -l <"$work/reachable.want") the callers' rights keep executable" \
    '[ -z "$missing" ] || { echo "# not internal, or not executable any more: $missing"; false; }'
check "among the internal ones the issue's free_add, prefix_attach and lock_vrf, and every trigger function" \
    "grep -q '^free_add|' '$work/internal' && grep -q '^prefix_attach|' '$work/internal' && grep -q '^lock_vrf|' '$work/internal' &&
     [ \"\$(q -c \"SELECT count(*) FROM ($internal_sql) i JOIN pg_proc p ON p.oid = i.oid WHERE p.prorettype = 'trigger'::regtype\")\" -ge 30 ]"
req POST /rpc/row_label "$reader" '{"tbl": null, "alias": null}'
expect "an executable internal helper through /rpc/ (row_label, as a reader): 404, 42883, refused by api_pre_request" 404 \
    '.code == "42883" and .message == "function mountaineer.row_label is internal: not part of the API"'
req GET '/rpc/row_label?tbl=mountaineer.site&alias=s' "$editor"
expect "and by GET (as an editor)" 404 '.code == "42883"'
tokens=("$reader" "$editor" "$admin" "$("$top/tools/token.sh" mountaineer_anon anonymous)")
roles="reader, editor, admin, anon"
if [[ " ${modules[*]} " == *" vault "* ]]; then tokens+=("$db1"); roles="$roles, a host's login"; fi
for t in "${tokens[@]}"; do
    while IFS='|' read -r fn args; do echo "/rpc/$fn|$t|$args"; done <"$work/internal"
done >"$work/internal.requests"
statuses POST <"$work/internal.requests" >"$work/internal.statuses"
total=$(wc -l <"$work/internal"); calls=$(wc -l <"$work/internal.requests")
reached=$(paste -d'|' "$work/internal.statuses" "$work/internal.requests" | grep -cvE '^(404|403)\|')
paste -d'|' "$work/internal.statuses" "$work/internal.requests" | grep -vE '^(404|403)\|' | cut -d'|' -f1,2 | head -20 | sed 's/^/# answered /'
check "none of the $total internal and trigger functions is reachable: 404 or 403 for each of the $calls calls ($roles)" \
    "[ $total -gt 110 ] && [ \$(wc -l <'$work/internal.statuses') = $calls ] && [ $reached = 0 ]"

# --- OpenAPI: every table, view, column and function described --------------
req GET '/' "$admin"
cp "$work/body" "$work/openapi.json"
expect "GET / returns the OpenAPI document" 200 '.swagger == "2.0" and (.definitions | length) > 10'
q >"$work/callable" -c "
SELECT DISTINCT '/rpc/' || p.proname
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid JOIN pg_proc p ON p.oid = d.objid
WHERE d.refclassid = 'pg_extension'::regclass AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
  AND e.extname LIKE 'mountaineer%' AND p.prorettype <> 'trigger'::regtype
  AND has_function_privilege('mountaineer_admin', p.oid, 'EXECUTE')
  AND (p.pronargs = 0 OR NOT '' = ANY (p.proargnames[1:p.pronargs])
       -- one unnamed argument of these types takes the request body as it is
       OR p.pronargs = 1 AND p.proargtypes[0] IN ('text'::regtype, 'json'::regtype, 'jsonb'::regtype, 'xml'::regtype, 'bytea'::regtype))
ORDER BY 1"
jq -r '.paths | keys[] | select(startswith("/rpc/"))' "$work/openapi.json" | sort >"$work/paths"
check "every function with named arguments that a role may execute is an RPC path ($(wc -l <"$work/callable"))" \
    '[ -z "$(comm -23 "$work/callable" "$work/paths")" ] || { comm -23 "$work/callable" "$work/paths" | sed "s/^/# missing: /"; false; }'
check "and no other function is" \
    '[ -z "$(comm -13 "$work/callable" "$work/paths")" ] || { comm -13 "$work/callable" "$work/paths" | sed "s/^/# extra: /"; false; }'
jq -r '.definitions | to_entries[] | select(.value.description == null) | .key' "$work/openapi.json" >"$work/undescribed"
check "every table and view has a description" '[ ! -s "$work/undescribed" ] || { sed "s/^/# /" "$work/undescribed"; false; }'
jq -r '.definitions | to_entries[] | .key as $t | .value.properties | to_entries[] | select(.value.description == null) | "\($t).\(.key)"' \
    "$work/openapi.json" >"$work/undescribed"
check "every column has a description" '[ ! -s "$work/undescribed" ] || { head -20 "$work/undescribed" | sed "s/^/# /"; false; }'
jq -r '.paths | to_entries[] | select(.key | startswith("/rpc/")) | select(.value.post.summary == null) | .key' \
    "$work/openapi.json" >"$work/undescribed"
check "every RPC has a summary" '[ ! -s "$work/undescribed" ] || { sed "s/^/# /" "$work/undescribed"; false; }'

# --- every table and view: GET answers 200 to each role that may read it,
# 403 to each that may not (none may read mountaineer.api_secret)
q >"$work/relations" -c "
SELECT c.relname || '|' || string_agg(CASE WHEN has_table_privilege(r, c.oid, 'SELECT') THEN '200' ELSE '403' END, ' ' ORDER BY o)
FROM pg_class c, unnest(array['mountaineer_reader', 'mountaineer_editor', 'mountaineer_admin']) WITH ORDINALITY AS r(r, o)
WHERE c.relnamespace = 'mountaineer'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'f', 'p') AND NOT c.relispartition
GROUP BY c.relname ORDER BY 1"
for t in "$reader" "$editor" "$admin"; do
    while IFS='|' read -r rel want; do echo "/$rel?limit=1|$t|"; done <"$work/relations"
done | statuses GET >"$work/relations.statuses"
nrel=$(wc -l <"$work/relations")
# the statuses per relation: reader's, editor's, admin's
paste -d' ' <(sed -n "1,${nrel}p" "$work/relations.statuses") <(sed -n "$((nrel + 1)),$((2 * nrel))p" "$work/relations.statuses") \
    <(sed -n "$((2 * nrel + 1)),$((3 * nrel))p" "$work/relations.statuses") | paste -d'|' <(cut -d'|' -f1 "$work/relations") - >"$work/relations.got"
wrong=$(diff "$work/relations" "$work/relations.got" | grep -c '^>')
diff "$work/relations" "$work/relations.got" | grep '^[<>]' | head -20 | sed 's/^/# /'
closed=$(grep -c '|403 403 403$' "$work/relations")
check "each of the $(wc -l <"$work/relations") tables and views answers GET by its privileges: 200 to a role that may read it, else 403 (reader, editor, admin)" \
    "[ $wrong = 0 ] && [ \$(wc -l <'$work/relations') -gt 80 ]"
check "and those that no role may read ($closed: the JWT secret's table) answer 403 to all" \
    "[ $closed -ge 1 ] && grep -qx 'api_secret|403 403 403' '$work/relations'"
# the descriptions are the COMMENTs, word for word (PostgREST adds a note on keys)
q >"$work/comments.json" -c "
SELECT json_object_agg(c.relname, json_build_object('d', obj_description(c.oid, 'pg_class'),
         'cols', (SELECT json_object_agg(a.attname, col_description(c.oid, a.attnum)) FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)))
FROM pg_class c WHERE c.relnamespace = 'mountaineer'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'f', 'p')"
jq -r --slurpfile c "$work/comments.json" '
    .definitions | to_entries[] | .key as $t | $c[0][$t] as $want |
    (if .value.description != $want.d then "\($t): \(.value.description)" else empty end),
    (.value.properties | to_entries[] | select((.value.description | sub("\n\nNote:\n.*"; ""; "s")) != $want.cols[.key]) | "\($t).\(.key)")' \
    "$work/openapi.json" >"$work/differs"
check "every table's, view's and column's description is its COMMENT" '[ ! -s "$work/differs" ] || { head -20 "$work/differs" | sed "s/^/# /"; false; }'
q >"$work/fcomments.json" -c "
SELECT json_object_agg(f, d) FROM (SELECT DISTINCT ON (p.proname) '/rpc/' || p.proname, obj_description(p.oid, 'pg_proc')
    FROM pg_proc p WHERE p.pronamespace = 'mountaineer'::regnamespace ORDER BY p.proname, p.pronargs) x(f, d)"
# (PostgREST: the first line is the summary, the rest the description)
jq -r --slurpfile c "$work/fcomments.json" '
    .paths | to_entries[] | select(.key | startswith("/rpc/")) | $c[0][.key] as $want |
    select(.value.post.summary != ($want | split("\n")[0]) or
           (.value.post.description // "") != ($want | split("\n")[1:] | join("\n") | ltrimstr("\n"))) | .key' \
    "$work/openapi.json" >"$work/differs"
check "every RPC's summary (and description) is its function's COMMENT" '[ ! -s "$work/differs" ] || { head -20 "$work/differs" | sed "s/^/# /"; false; }'

# --- pictures -----------------------------------------------------------------
curl -s -D "$work/headers" -o "$work/rack.svg" -H "Authorization: Bearer $reader" -H 'Accept: image/svg+xml' \
    "$api/rpc/rack_elevation_svg?rack_id=$rack"
check "the rack elevation is served as image/svg+xml" "grep -qi '^content-type: image/svg+xml' '$work/headers'"
check "and is valid SVG naming its devices" \
    "xmllint --noout '$work/rack.svg' && grep -q '<svg' '$work/rack.svg' && grep -qF \"\$(q -c \"SELECT name FROM mountaineer.device WHERE rack_id = '$rack' AND name IS NOT NULL ORDER BY name LIMIT 1\")\" '$work/rack.svg'"
demo_site=$(q -c "SELECT site_id FROM mountaineer.rack WHERE id = '$rack'")
curl -s -D "$work/headers" -o "$work/site.dot" -H "Authorization: Bearer $reader" -H 'Accept: text/plain' \
    "$api/rpc/topology_dot?site_id=$demo_site"
check "topology_dot is served as text/plain" "grep -qi '^content-type: text/plain' '$work/headers' && head -1 '$work/site.dot' | grep -q graph"

# --- README: every example of "## REST API" runs, in order, against this server
awk '/^## REST API/ { on = 1; next } on && /^## / { on = 0 } on' "$top/README.md" |
    awk '/^```sh$/ { inblock = 1; block = ""; next } inblock && /^```$/ { inblock = 0; if (block ~ /curl/) printf "%s", block; next } inblock { block = block $0 "\n" }' \
    >"$work/readme.sh"
mkdir -p "$work/readme" && ln -s "$top/tools" "$work/readme/tools"
if (cd "$work/readme" && USER=${USER:-$(id -un)} API=$api bash -euo pipefail "$work/readme.sh" >"$work/readme.out" 2>&1); then
    ok "every example of README's REST API section runs ($(grep -c curl "$work/readme.sh") curl calls)"
else
    nok "every example of README's REST API section runs"; tail -5 "$work/readme.out" | sed 's/^/# /'
fi
check "and the pictures it saves are valid SVG" "xmllint --noout '$work/readme/A01.svg' '$work/readme/ams1.svg'"

# --- make demo's tour of the API (demo/api-tour.sh) against this server
if API=$api bash "$top/demo/api-tour.sh" >"$work/tour.out" 2>&1; then
    check "make demo's tour of the REST API runs: 3 reads and an allocation (200), a conflict (409), a missing port (404), the SVG" \
        "[ \$(grep -c '^HTTP 200$' '$work/tour.out') = 4 ] && grep -qx 'HTTP 409' '$work/tour.out' && grep -qx 'HTTP 404' '$work/tour.out' && grep -q '^<svg' '$work/tour.out'" ||
        sed 's/^/# /' "$work/tour.out" | head -40
else
    nok "make demo's tour of the REST API runs"; tail -5 "$work/tour.out" | sed 's/^/# /'
fi
