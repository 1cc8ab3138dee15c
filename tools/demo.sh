#!/usr/bin/env bash
# `make demo`: a throwaway cluster with every extension, the sample estate of
# every module, PowerDNS serving its zones, a tour of queries, and the REST
# API (PostgREST, port API_PORT, default 3000) with a tour of requests.
# Leaves them running.
# `make api` (tools/demo.sh --api): only (re)start the REST API of the demo,
# making the demo first if there is none.
# `make demo DEMO=netbox`: NetBox's public demo data (4.1) instead of the
# sample estates: loaded into the database netbox_demo of the demo cluster,
# imported by netbox_import() through postgres_fdw, with a tour of its own.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
modules=(${MOUNTAINEER_MODULES:-$(sed -n 's/^MOUNTAINEER_MODULES *= *//p' Makefile)})
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PATH="$("$PG_CONFIG" --bindir):$PATH"

tools/pg.sh start demo
eval "$(tools/pg.sh env demo)"
db=mountaineer
q() { PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d $db "$@"; }
api_port=${API_PORT:-3000}
ui_port=${UI_PORT:-8080}
ui_api_port=${UI_API_PORT:-3001}

start_api() {
    echo "== starting the REST API (PostgREST) on 127.0.0.1:$api_port"
    tools/api.sh start demo $db "$api_port"
}
api_message() {
    cat <<MSG
== The REST API is running on http://127.0.0.1:$api_port/ (PostgREST; a token per request):
     curl -H "Authorization: Bearer \$(tools/token.sh mountaineer_reader \$USER)" 'http://127.0.0.1:$api_port/rack?select=name,site(name)'
   tools/token.sh mountaineer_editor NAME mints a token that may write.  Stop it with:  make demo-stop
MSG
}

# The web interface: nginx on UI_PORT (8080) in front of a PostgREST of its
# own (UI_API_PORT, 3001) whose requests without a token are the anonymous
# role, which may only sign in (login()).
start_ui() {
    echo "== building the web interface (ui/: npm ci, vite build)"
    tools/ui.sh build
    API_ANON_ROLE=mountaineer_anon tools/api.sh start demo-ui $db "$ui_api_port"
    tools/ui.sh start demo "http://127.0.0.1:$ui_api_port" "$ui_port"
    cat <<MSG
== The web interface is running on http://127.0.0.1:$ui_port/ (nginx; /api/ is its PostgREST on port $ui_api_port).
   Sign in as demo_editor (password demo-editor), demo_reader (demo-reader) or demo_admin (demo-admin).
MSG
}

if [ "${1:-}" = --api ] && [ "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$db'")" = 1 ]; then
    start_api
    api_message
    exit 0
fi

demo=${DEMO:-sample}
if [ "$demo" = netbox ]; then
    echo "== (re)creating database '$db' with the extensions: mountaineer ${modules[*]/#/mountaineer_}"
    q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
    q -c 'CREATE EXTENSION mountaineer'
    for m in "${modules[@]}"; do q -c "CREATE EXTENSION mountaineer_$m CASCADE"; done
    # the REST API's login role before the estates: host logins made by them
    # (mountaineer_vault) are granted to it
    tools/api.sh setup
    . modules/netbox/test/lib.sh
    echo "== loading NetBox's demo data (4.1) into database netbox_demo"
    netbox_dump_db 4.1 netbox_demo
    netbox_foreign $db netbox netbox_demo
    echo "== netbox_import('netbox')"
    PGOPTIONS="-c mountaineer.actor=netbox-import" q -c "CREATE TABLE public.netbox_import_last AS SELECT * FROM mountaineer.netbox_import('netbox')"
    echo "== the tour"
    PGOPTIONS="-c search_path=mountaineer,public" psql -X -a -v ON_ERROR_STOP=1 -d $db -f modules/netbox/demo/netbox-tour.sql
    start_api
    cat <<MSG

== The demo cluster is running, with NetBox's demo estate imported.  Connect with:
     psql -h $PGHOST -p $PGPORT -U postgres $db
   NetBox's own tables: schema netbox (database netbox_demo).  Stop it with:  make demo-stop
MSG
    api_message
    exit 0
fi

tools/estate.sh $db

if [[ " ${modules[*]} " == *" dns "* ]]; then
    echo "== starting PowerDNS (pdns_server, gpgsql) for the demo on 127.0.0.1:$(tools/pdns.sh port demo)"
    tools/pdns.sh start demo $db
fi

echo "== the tour"
for f in demo/tour.sql "${modules[@]/#/modules/}"; do
    [ -d "$f" ] && f=$f/demo/tour.sql
    [ -f "$f" ] || continue
    PGOPTIONS="-c search_path=mountaineer,public" psql -X -a -v ON_ERROR_STOP=1 -d $db -f "$f"
done

start_api
echo "== the tour of the REST API"
API=http://127.0.0.1:$api_port bash demo/api-tour.sh

cat <<MSG

== The demo cluster is running.  Connect with:
     psql -h $PGHOST -p $PGPORT -U postgres $db
   Stop it with:  make demo-stop
MSG
api_message
start_ui
if [[ " ${modules[*]} " == *" dns "* ]]; then
    cat <<MSG
== PowerDNS serves the demo's zones on 127.0.0.1:$(tools/pdns.sh port demo):
     dig @127.0.0.1 -p $(tools/pdns.sh port demo) www.example.net
MSG
fi
