#!/usr/bin/env bash
# TAP: mountaineer_vault as hosts meet it, logged in as themselves (the
# pgTAP suite runs as a superuser, whose SET ROLE may switch anywhere), and
# through pg_dump: on the demo estate, host_db1 (role db), host_web1 (role
# web) and host_prom1 (granted monitoring directly, to write) each see
# exactly their secrets, cannot switch to another host's login or to a
# staff role, and a forged claim changes nothing; after a restore in each
# of pg_dump's formats the policies, forced row-level security, the
# change-log redaction and what each host sees are the same.  Runs against
# the cluster named by PGHOST/PGPORT (tools/test.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
src=mt_vault_src
work=$(mktemp -d)
dbs=($src mt_vault_custom mt_vault_plain)
trap 'rm -rf "$work"; for d in "${dbs[@]}"; do dropdb --if-exists -f "$d" 2>/dev/null; done' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
. "$top/test/lib/tap.sh"
echo "1..14"

dropdb --if-exists -f $src 2>/dev/null
createdb $src || { echo "# cannot create a database"; exit 1; }
q -d $src -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION mountaineer_vault CASCADE' >/dev/null &&
for m in hardware hosts vault; do q -d $src -f "$top/modules/$m/demo/estate.sql" >/dev/null || exit 1; done

# what a login sees of the secrets, one name per line, sorted
sees() { q -U "$1" -d "$2" -c "SELECT name FROM mountaineer.secret ORDER BY name" | paste -sd, -; }
check "host_db1 sees exactly the db role's safe" '[ "$(sees host_db1 $src)" = "postgres-password,replication-password" ]'
check "host_web1 sees exactly the web role's safe" '[ "$(sees host_web1 $src)" = "tls-key" ]'
check "host_prom1 sees exactly the safe granted to it" '[ "$(sees host_prom1 $src)" = "grafana-admin" ]'

# refused, with the message a host gets
refused() {   # login, SQL, expected message
    local out
    out=$(psql -X -q -At -v ON_ERROR_STOP=1 -U "$1" -d $src -c "$2" 2>&1) && { echo "# not refused: $2"; return 1; }
    case $out in *"$3"*) return 0 ;; *) echo "# got: $out"; return 1 ;; esac
}
check "a host cannot SET ROLE to another host's login" \
    'refused host_db1 "SET ROLE host_web1" "permission denied to set role \"host_web1\""'
check "... nor to an admin, nor through set_config" \
    'refused host_db1 "SET ROLE mountaineer_admin" "permission denied to set role \"mountaineer_admin\"" &&
     refused host_db1 "SELECT set_config('"'role'"', '"'host_prom1'"', false)" "permission denied to set role \"host_prom1\""'
check "... nor take another's session" \
    'refused host_db1 "SET SESSION AUTHORIZATION host_web1" "permission denied to set session authorization"'
check "a forged request.jwt.claims changes nothing" \
    '[ "$(q -U host_db1 -d $src -c "SET request.jwt.claims = '"'"'{\"role\": \"host_web1\", \"sub\": \"web1.prod.example.net\"}'"'"'" \
           -c "SELECT string_agg(name, '"','"' ORDER BY name) FROM mountaineer.secret")" = "postgres-password,replication-password" ]'
check "a host writes where its grant says write, and nowhere else" \
    'q -U host_prom1 -d $src -c "UPDATE mountaineer.secret SET ciphertext = replace(ciphertext, '"'vault:v1:'"', '"'vault:v2:'"') WHERE name = '"'grafana-admin'"'" &&
     [ "$(q -U host_db1 -d $src -c "WITH u AS (UPDATE mountaineer.secret SET name = name || '"'x'"' RETURNING 1) SELECT count(*) FROM u")" = 0 ]'

# pg_dump and back, in two formats
pg_dump -Fc -d $src -f "$work/src.dump" 2>/dev/null && createdb mt_vault_custom && pg_restore -d mt_vault_custom "$work/src.dump" 2>"$work/custom.err"
check "pg_dump -Fc | pg_restore restores without an error" '[ ! -s "$work/custom.err" ] || { sed "s/^/# /" "$work/custom.err"; false; }'
createdb mt_vault_plain && pg_dump -d $src 2>/dev/null | psql -X -q -v ON_ERROR_STOP=1 -d mt_vault_plain >/dev/null 2>"$work/plain.err"
check "pg_dump | psql restores without an error" '[ ! -s "$work/plain.err" ] || { sed "s/^/# /" "$work/plain.err"; false; }'
rls() { q -d "$1" -c "SELECT string_agg(format('%s %s %s %s %s', p.tablename, p.policyname, p.cmd, p.roles, coalesce(p.qual, '') || coalesce(p.with_check, '')), E'\n' ORDER BY 1)
                      FROM pg_policies p WHERE p.schemaname = 'mountaineer'" \
              -c "SELECT string_agg(format('%s %s %s', relname, relrowsecurity, relforcerowsecurity), ',' ORDER BY relname)
                      FROM pg_class WHERE relnamespace = 'mountaineer'::regnamespace AND relrowsecurity" \
              -c "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'secret_change_redact'"; }
rls $src >"$work/src.rls"
check "the source has its policies" 'grep -q "secret secret_host_read SELECT {mountaineer_host}" "$work/src.rls"'
for d in mt_vault_custom mt_vault_plain; do
    rls $d >"$work/$d.rls"
    check "$d: the same policies, forced row-level security and log redaction" \
        'diff "$work/src.rls" "$work/$d.rls" >"$work/diff" || { sed "s/^/# /" "$work/diff"; false; }'
done
same=true
for l in host_db1 host_web1 host_prom1; do
    for d in mt_vault_custom mt_vault_plain; do
        [ "$(sees $l $d)" = "$(sees $l $src)" ] || { echo "# $l sees $(sees $l $d) in $d"; same=false; }
    done
done
check "after each restore every host sees exactly what it saw" '$same'
