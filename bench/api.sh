#!/usr/bin/env bash
# The REST API's benchmark, run by bench/api.sql inside `make bench` (PGHOST,
# PGPORT, PGUSER and PGDATABASE name the bench database): PostgREST
# (tools/api.sh) on a free loopback port, driven by wrk with 8 connections,
# against the same operations sent as SQL over libpq by pgbench with 8
# clients, in the same run on the same data:
#   device:    GET one device by slug (a random one of 1,000 per request)
#   rack:      GET the 100 devices of a rack with their ports embedded
#   allocate:  POST rpc/allocate_ip, 8 clients for API_BENCH_ALLOCATE
#              seconds (30), each call the next free address of one /14;
#              then: errors, and duplicate addresses (must be 0)
# Requests/s (ratio: what the HTTP layer leaves of SQL's rate), p50 and p99
# latency, and, once, a page of 1,000 addresses with their hosts embedded
# (the median of 21 requests, against the same query in SQL).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
read_seconds=${API_BENCH_READ:-10}
allocate_seconds=${API_BENCH_ALLOCATE:-30}
work=$(mktemp -d)
name=bench-api
trap '"$top/tools/api.sh" stop $name >/dev/null 2>&1; rm -rf "$work"' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
record() {   # record WHAT OURS PEER UNIT [lower_is_better]
    q -c "INSERT INTO bench_result (bench, what, ours, peer, unit, lower_is_better)
          VALUES ('api', '$1', $2, ${3:-NULL}, '$4', ${5:-false})"
}

"$top/tools/deps.sh" wrk >/dev/null

# --- the estate: one rack of 100 devices with 4 ports each, 1,000 devices in
# all, 1,000 hosts with an address each in one /22, two empty /14s
q <<'SQL'
SET client_min_messages = warning;
INSERT INTO mountaineer.site (name) VALUES ('bench-api');
INSERT INTO mountaineer.rack (site_id, name, units)
SELECT id, 'bench-api-r' || r, 100 FROM mountaineer.site, generate_series(1, 10) r WHERE name = 'bench-api';
INSERT INTO mountaineer.device (kind, name, units, rack_id, position)
SELECT 'server', 'bench-api-d' || r || '-' || u, 1, k.id, mountaineer.rackspan(u, 1, 'full')
FROM generate_series(1, 10) r, generate_series(1, 100) u, mountaineer.rack k WHERE k.name = 'bench-api-r' || r;
INSERT INTO mountaineer.port (device_id, name, kind)
SELECT d.id, 'eth' || i, 'interface' FROM mountaineer.device d, generate_series(0, 3) i WHERE d.name LIKE 'bench-api-d%';
INSERT INTO mountaineer.environment (name, hostname_regex) VALUES ('bench-api', 'bench-api-h[0-9]+\.example\.net');
INSERT INTO mountaineer.cluster (name, kind) VALUES ('bench-api', 'vmware');
INSERT INTO mountaineer.host (hostname, environment_id, kind, cluster_id)
SELECT 'bench-api-h' || i || '.example.net', e.id, 'virtual_machine', c.id
FROM generate_series(1, 1000) i, mountaineer.environment e, mountaineer.cluster c WHERE e.name = 'bench-api' AND c.name = 'bench-api';
INSERT INTO mountaineer.prefix (prefix, status) VALUES ('10.208.0.0/22', 'active'), ('10.212.0.0/14', 'active'), ('10.216.0.0/14', 'active');
INSERT INTO mountaineer.ip_address (address, host_id)
SELECT ('10.208.0.0/22'::inet + (row_number() OVER (ORDER BY hostname)))::text::inet, id
FROM mountaineer.host WHERE hostname LIKE 'bench-api-h%';
ANALYZE;
SQL
rack=$(q -c "SELECT id FROM mountaineer.rack WHERE name = 'bench-api-r1'")
host=$(q -c "SELECT id FROM mountaineer.host WHERE hostname = 'bench-api-h1.example.net'")
q -c "SELECT slug FROM mountaineer.device WHERE name LIKE 'bench-api-d%' ORDER BY name" >"$work/slugs"

port=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0)->sockport')
"$top/tools/api.sh" start $name "$PGDATABASE" "$port"
api=http://127.0.0.1:$port
reader=$("$top/tools/token.sh" mountaineer_reader bench 3600)
editor=$("$top/tools/token.sh" mountaineer_editor bench 3600)

# wrk's script: a random slug per request (device), or one fixed request
cat >"$work/device.lua" <<LUA
slugs = {}
for line in io.lines("$work/slugs") do slugs[#slugs + 1] = line end
request = function()
  return wrk.format("GET", "/device?slug=eq." .. slugs[math.random(#slugs)])
end
LUA
cat >"$work/allocate.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"prefix":"10.212.0.0/14","host_id":"$host"}'
LUA
# the same operations in SQL, as PostgREST shapes them (one JSON document)
cat >"$work/device.sql" <<'SQL'
\set i random(1, 1000)
SELECT json_agg(d) FROM mountaineer.device d WHERE d.name = 'bench-api-d' || ((:i - 1) / 100 + 1) || '-' || ((:i - 1) % 100 + 1);
SQL
cat >"$work/rack.sql" <<SQL
SELECT json_agg(x) FROM (SELECT d.*, (SELECT coalesce(json_agg(p), '[]') FROM mountaineer.port p WHERE p.device_id = d.id) AS port
                         FROM mountaineer.device d WHERE d.rack_id = '$rack') x;
SQL
cat >"$work/allocate.sql" <<SQL
SELECT mountaineer.allocate_ip('10.216.0.0/14', '$host');
SQL

# wrk_run NAME SECONDS TOKEN URL [LUA]: "rps p50_ms p99_ms errors" (non-2xx answers and socket errors)
wrk_run() {
    wrk -t2 -c8 -d"$2"s --latency -H "Authorization: Bearer $3" ${5:+-s "$5"} "$4" >"$work/$1.wrk"
    perl -ne '
        sub ms { my ($v, $u) = @_; $u eq "us" ? $v / 1000 : $u eq "s" ? $v * 1000 : $u eq "m" ? $v * 60000 : $v }
        $rps = $1 if /^Requests\/sec:\s+([\d.]+)/;
        $p50 = ms($1, $2) if /^\s+50%\s+([\d.]+)(us|ms|s|m)/;
        $p99 = ms($1, $2) if /^\s+99%\s+([\d.]+)(us|ms|s|m)/;
        $bad += $1 if /Non-2xx or 3xx responses:\s+(\d+)/;
        # a request that got no answer at all is an error too
        $bad += $1 + $2 + $3 + $4 if /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/;
        END { printf "%s %.3f %.3f %d\n", $rps, $p50, $p99, $bad // 0 }' "$work/$1.wrk"
}
# pgbench_run NAME SECONDS: "tps p50_ms p99_ms failed"
pgbench_run() {
    (cd "$work" && pgbench -n -c 8 -j 2 -T "$2" -f "$1.sql" --log --log-prefix="$1" "$PGDATABASE" >"$1.pgbench" 2>&1)
    local tps lat
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/$1.pgbench")
    lat=$(cat "$work/$1".* 2>/dev/null | awk '{print $3}' | sort -n |
          awk '{ v[NR] = $1 } END { printf "%.3f %.3f", v[int(NR * 0.5) + 1] / 1000, v[int(NR * 0.99) + 1] / 1000 }')
    echo "$tps $lat $(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/$1.pgbench")"
}
report() {   # report WHAT "rps p50 p99 bad" "tps p50 p99 failed"
    local h=($2) s=($3)
    record "$1: requests/s (HTTP vs SQL)" "${h[0]}" "${s[0]}" 'req/s'
    record "$1: p50 latency" "${h[1]}" "${s[1]}" 'ms' true
    record "$1: p99 latency" "${h[2]}" "${s[2]}" 'ms' true
    record "$1: errors (HTTP, SQL)" "${h[3]}" "${s[3]:-0}" 'requests' true
    echo "== api $1: HTTP ${h[*]}  SQL ${s[*]}  (rate p50 p99 errors)"
}

report "GET one device by slug" "$(wrk_run device "$read_seconds" "$reader" "$api" "$work/device.lua")" \
       "$(pgbench_run device "$read_seconds")"
report "GET 100 devices of a rack with ports" \
       "$(wrk_run rack "$read_seconds" "$reader" "$api/device?rack_id=eq.$rack&select=*,port(*)")" \
       "$(pgbench_run rack "$read_seconds")"
h=$(wrk_run allocate "$allocate_seconds" "$editor" "$api/rpc/allocate_ip" "$work/allocate.lua")
s=$(pgbench_run allocate "$allocate_seconds")
report "POST rpc/allocate_ip, 8 clients" "$h" "$s"
record "allocate_ip: duplicate addresses (HTTP, SQL)" "$(q -c "SELECT count(*) - count(DISTINCT host_addr) FROM mountaineer.ip_address WHERE host_addr << '10.212.0.0/14'")" \
       "$(q -c "SELECT count(*) - count(DISTINCT host_addr) FROM mountaineer.ip_address WHERE host_addr << '10.216.0.0/14'")" 'addresses' true
q -c "SELECT '== api allocate_ip: ' || count(*) || ' addresses allocated, ' || (count(*) - count(DISTINCT host_addr)) || ' duplicates'
      FROM mountaineer.ip_address WHERE host_addr << '10.212.0.0/14' OR host_addr << '10.216.0.0/14'"

# a page of 1,000 addresses with their hosts embedded: median of 21 requests
url="$api/ip_address?host_addr=gte.10.208.0.0&host_addr=lte.10.208.3.255&select=address,dns_name,host(hostname,environment_id)&order=host_addr&limit=1000"
n=$(curl -s -H "Authorization: Bearer $reader" "$url" | jq length)
[ "$n" = 1000 ] || { echo "api bench: the page has $n addresses, not 1000" >&2; exit 1; }
http_ms=$(for _ in $(seq 21); do curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $reader" "$url"; done |
          sort -n | sed -n 11p | awk '{printf "%.3f", $1 * 1000}')
sql_ms=$(for _ in $(seq 21); do
    q -c "SELECT bench_seconds(\$\$SELECT json_agg(x) FROM (SELECT a.address, a.dns_name, row_to_json(h) AS host
            FROM mountaineer.ip_address a
            LEFT JOIN LATERAL (SELECT hostname, environment_id FROM mountaineer.host WHERE id = a.host_id) h ON true
            WHERE a.host_addr BETWEEN '10.208.0.0' AND '10.208.3.255' ORDER BY a.host_addr LIMIT 1000) x\$\$)"
done | sort -n | sed -n 11p | awk '{printf "%.3f", $1 * 1000}')
record "a page of 1,000 addresses with hosts embedded (median)" "$http_ms" "$sql_ms" 'ms' true
echo "== api 1,000 addresses with hosts: HTTP $http_ms ms, SQL $sql_ms ms ($(awk -v t="$http_ms" 'BEGIN { print (t < 100 ? "under" : "OVER") }') the 100 ms the issue sets)"
# what must hold whatever the machine: no address allocated twice
dups=$(q -c "SELECT count(*) - count(DISTINCT host_addr) FROM mountaineer.ip_address WHERE host_addr << '10.212.0.0/14' OR host_addr << '10.216.0.0/14'")
[ "$dups" = 0 ] || { echo "api bench: $dups addresses allocated twice" >&2; exit 1; }
