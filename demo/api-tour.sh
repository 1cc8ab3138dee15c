#!/usr/bin/env bash
# The REST API part of `make demo`'s tour: a few requests to the demo's
# PostgREST ($API), each printed before its answer (tokens shown as $READER
# and $EDITOR: tools/token.sh mints them).
set -euo pipefail
cd "$(dirname "$0")/.."
reader=$(tools/token.sh mountaineer_reader demo-reader)
editor=$(tools/token.sh mountaineer_editor demo-editor)
# show DESCRIPTION CURL-ARGS...: the request, then its status and compact JSON
show() {
    printf '\n-- %s\n$ curl' "$1"; shift
    for a in "$@"; do printf " '%s'" "$a"; done | sed "s/$reader/\$READER/; s/$editor/\$EDITOR/"; echo
    curl -s -w '\n%{http_code}\n' "$@" >/tmp/api-tour.$$ || true
    echo "HTTP $(tail -1 /tmp/api-tour.$$)"
    sed '$d' /tmp/api-tour.$$ | jq -c 'if type == "array" then .[] else . end' 2>/dev/null | cut -c1-220 | head -8
    rm -f /tmp/api-tour.$$
}
R=(-H "Authorization: Bearer $reader")
E=(-H "Authorization: Bearer $editor" -H 'Content-Type: application/json')

show "racks with their site, embedded" "${R[@]}" "$API/rack?select=name,units,site(name)&order=name&limit=3"
rack=$(curl -s "${R[@]}" "$API/rack?select=id&order=name&limit=1" | jq -r '.[0].id')
show "a rack's servers with their ports, in one request" "${R[@]}" \
     "$API/device?rack_id=eq.$rack&kind=eq.server&select=name,position,port(name,kind)&order=name&limit=2"
host=$(curl -s "${R[@]}" "$API/host?select=id&hostname=like.web*&limit=1" | jq -r '.[0].id')
show "allocate the next free address of a prefix to a host (RPC)" "${E[@]}" \
     -d "{\"prefix\":\"10.0.2.0/24\",\"host_id\":\"$host\"}" "$API/rpc/allocate_ip"
show "the change log: who did it (the token's sub)" "${R[@]}" "$API/change?select=id,actor,table_name,op&order=id.desc&limit=2"
show "a refusal: a site that exists already (409, the SQLSTATE in the body)" "${E[@]}" -d '{"name":"ams1"}' "$API/site"
show "a refusal: no such port (404)" "${R[@]}" "$API/rpc/cable_trace?port_id=00000000-0000-4000-8000-000000000000"
printf '\n-- the rack elevation as SVG (open it in a browser with a token, or through the web interface)\n'
printf "\$ curl -H 'Authorization: Bearer \$READER' -H 'Accept: image/svg+xml' '%s/rpc/rack_elevation_svg?rack_id=%s' | head -c 160\n" "$API" "$rack"
# head closes the pipe after 160 bytes: curl then exits 23, which is no error here
{ curl -s "${R[@]}" -H 'Accept: image/svg+xml' "$API/rpc/rack_elevation_svg?rack_id=$rack" || true; } | head -c 160; echo
