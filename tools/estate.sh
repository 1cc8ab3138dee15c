#!/usr/bin/env bash
# The demo estate in a database: (re)creates DB in the cluster PGHOST and
# PGPORT name with every extension, the REST API's roles and secret
# (tools/api.sh setup) and the sample estate of every module, and makes the
# demo's login users (cluster-wide roles, for a throwaway cluster):
#   demo_admin / demo-admin, demo_editor / demo-editor, demo_reader / demo-reader
# Used by `make demo` (tools/demo.sh) and the browser tests (test/ui.sh).
#
#   tools/estate.sh DB
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
db=${1:?usage: estate.sh DB}
modules=(${MOUNTAINEER_MODULES:-$(sed -n 's/^MOUNTAINEER_MODULES *= *//p' "$top/Makefile")})
q() { PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

echo "== (re)creating database '$db' with the extensions: mountaineer ${modules[*]/#/mountaineer_}"
q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
q -c 'CREATE EXTENSION mountaineer'
for m in "${modules[@]}"; do q -c "CREATE EXTENSION mountaineer_$m CASCADE"; done
# the REST API's login role before the estates: host logins made by them
# (mountaineer_vault) are granted to it
"$top/tools/api.sh" setup
for m in "${modules[@]}"; do
    f=$top/modules/$m/demo/estate.sql
    [ -f "$f" ] || continue
    echo "== loading the sample estate: modules/$m/demo/estate.sql"
    # the loader's own query results are not the tour: keep them off the screen
    PGOPTIONS="-c mountaineer.actor=demo-loader" q -o /dev/null -f "$f"
done
q -d postgres <<'SQL'
DO $$
DECLARE
    u text;
BEGIN
    FOREACH u IN ARRAY ARRAY['admin', 'editor', 'reader'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'demo_' || u) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', 'demo_' || u);
        END IF;
        EXECUTE format('ALTER ROLE %I PASSWORD %L', 'demo_' || u, 'demo-' || u);
        EXECUTE format('GRANT %I TO %I', 'mountaineer_' || u, 'demo_' || u);
    END LOOP;
END $$;
SQL
