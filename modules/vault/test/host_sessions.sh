#!/usr/bin/env bash
# TAP: mountaineer_vault as hosts meet it, logged in as themselves (the
# pgTAP suite runs as a superuser, whose SET ROLE may switch anywhere), and
# through pg_dump: on the demo estate, host_db1 (role db), host_web1 (role
# web) and host_prom1 (granted monitoring directly, to write) each see
# exactly their secrets, cannot switch to another host's login or to a
# staff role, and a forged claim changes nothing; after a restore in each
# of pg_dump's formats the policies, forced row-level security, the
# change-log redaction and what each host sees are the same.  What a host's
# writes leave behind: NOTIFY payloads with ids only, the change log with
# key versions only, and a refused plaintext nowhere, not in the error, the
# notifications, the log nor the server log (read as a superuser from the
# file tools/pg.sh keeps beside the data directory).  README's fetch-and-
# decrypt example (a console block) is run as far as this machine can:
# its query as host_db1, its output and vault command line checked against
# each other.  Runs against the cluster named by PGHOST/PGPORT
# (tools/test.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
src=mt_vault_src
work=$(mktemp -d)
dbs=($src mt_vault_custom mt_vault_plain mt_vault_old)
trap 'rm -rf "$work"; for d in "${dbs[@]}"; do dropdb --if-exists -f "$d" 2>/dev/null; done' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
. "$top/test/lib/tap.sh"
echo "1..24"

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

# what a host's writes leave behind: notifications with ids, the log with
# key versions, and of a refused plaintext nothing anywhere
plain="hunter2-$RANDOM$RANDOM-plaintext"
ct="vault:v1:$(q -d $src -c "SELECT encode(sha256('notify probe'), 'base64')")"
serverlog="regexp_replace(current_setting('data_directory'), '/data/?\$', '/server.log')"
logsize=$(q -d $src -c "SELECT coalesce((pg_stat_file($serverlog, true)).size, -1)")
q -d $src -c "SELECT max(id) FROM mountaineer.change" >"$work/last_change"
psql -X -q -At -U host_prom1 -d $src >"$work/writes.out" 2>&1 <<SQL
LISTEN mountaineer;
UPDATE mountaineer.secret SET ciphertext = replace(ciphertext, 'vault:v2:', 'vault:v3:') WHERE name = 'grafana-admin';
INSERT INTO mountaineer.secret (safe_id, name, ciphertext, key_name) SELECT id, 'notify-probe', '$ct', 'prod' FROM mountaineer.safe WHERE name = 'monitoring';
DELETE FROM mountaineer.secret WHERE name = 'notify-probe';
UPDATE mountaineer.secret SET ciphertext = '$plain' WHERE name = 'grafana-admin';
INSERT INTO mountaineer.secret (safe_id, name, ciphertext, key_name) SELECT id, 'pasted', 'vault:v1:$plain', 'prod' FROM mountaineer.safe WHERE name = 'monitoring';
SQL
payloads=$(sed -n 's/^Asynchronous notification "mountaineer" with payload "\(.*\)" received from server process with PID [0-9]*\.$/\1/p' "$work/writes.out")
check "a host's update, insert and delete of secrets notify with the table, op, id and slug only" \
    '[ "$(jq -sc "[.[] | [.table, .op, (keys | join(\",\"))]]" <<<"$payloads")" = \
       "[[\"secret\",\"update\",\"id,op,slug,table\"],[\"secret\",\"insert\",\"id,op,slug,table\"],[\"secret\",\"delete\",\"id,op,slug,table\"]]" ] ||
     { sed "s/^/# /" "$work/writes.out"; false; }'
check "... and each refused plaintext gets its 23514 message, quoting nothing of it" \
    '[ "$(grep -c "^ERROR:  the ciphertext of secret \"\(grafana-admin\|pasted\)\" is not a Vault transit ciphertext" "$work/writes.out")" = 2 ] &&
     ! grep -q -e "$plain" -e "${ct#vault:v1:}" "$work/writes.out" || { sed "s/^/# /" "$work/writes.out"; false; }'
q -d $src -c "SELECT concat_ws(' ', op, before ->> 'ciphertext', after ->> 'ciphertext') FROM mountaineer.change
               WHERE id > $(cat "$work/last_change") AND table_name = 'secret' ORDER BY id" >"$work/logged"
check "the change log has those three writes, their ciphertexts as key versions only" \
    '[ "$(paste -sd, "$work/logged")" = "update vault:v2 vault:v3,insert vault:v1,delete vault:v1" ] || { sed "s/^/# /" "$work/logged"; false; }'
q -d $src -c "SELECT pg_read_file($serverlog, $logsize, 10000000, true)" >"$work/server.log" 2>&1
check "the server log has the refusals ..." \
    '[ "$logsize" -ge 0 ] && grep -q "ERROR:  the ciphertext of secret \"pasted\" is not a Vault transit ciphertext" "$work/server.log" ||
     { echo "# no server log at $serverlog (size $logsize)"; false; }'
check "... but neither the plaintext nor the statements that carried it (no STATEMENT line)" \
    '! grep -q -e "$plain" "$work/server.log" || { grep -e "$plain" "$work/server.log" | sed "s/^/# /"; false; }'

# README's fetch-and-decrypt example: its query, as the host, gives the
# line shown (key name, then the ciphertext), and the vault command decrypts
# with that key what that line shows
example=$(awk '/^\*\*Fetching and decrypting\.\*\*/ {f = 1} f && /^```console/ {b = 1; next} b && /^```/ {exit} b' "$top/README.md")
sql=$(sed -n 's/^ *-c "\(.*\)"$/\1/p' <<<"$example")
shown=$(sed -n '/^[^$ ]/p' <<<"$example" | head -1)
vaultline=$(sed -n 's/^\$ vault write //p' <<<"$example")
got=$(q -U host_db1 -d $src -c "$sql" 2>&1)
check "README's fetch example, run as host_db1, prints the key name and the ciphertext it shows ($shown)" \
    '[ -n "$sql" ] && [[ "$got" =~ ^prod\|vault:v2:[A-Za-z0-9+/=]+$ ]] && [ "${got%%:*}" = "${shown%%:*}" ] || { echo "# got: $got (query: $sql)"; false; }'
check "... and its vault command decrypts with that key what that line shows" \
    '[ "$vaultline" = "-field=plaintext transit/decrypt/${shown%%|*} ciphertext='"'"'${shown#*|}'"'"' | base64 -d" ] || { echo "# vault line: $vaultline"; false; }'

# under a core too old: each version says what it needs (55000)
old_db() {   # old_db CORE-VERSION: a database with that core and hardware, hosts 1.0
    dropdb --if-exists -f mt_vault_old 2>/dev/null; createdb mt_vault_old &&
    q -d mt_vault_old -c "SET client_min_messages = warning" -c "CREATE EXTENSION btree_gist" -c "CREATE EXTENSION mountaineer VERSION '$1'" \
        -c "CREATE EXTENSION mountaineer_hardware VERSION '1.0'" -c "CREATE EXTENSION mountaineer_hosts VERSION '1.0'"
}
refused_old() {   # refused_old SQL MESSAGE
    local out
    out=$(psql -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d mt_vault_old -c "$1" 2>&1) && { echo "# not refused: $1"; return 1; }
    case $out in "ERROR:  55000: $2"*) return 0 ;; *) echo "# got: $out"; return 1 ;; esac
}
check "mountaineer_vault (1.2) under core 1.4: 55000, it needs mountaineer 1.5" \
    'old_db 1.4 && refused_old "CREATE EXTENSION mountaineer_vault" "mountaineer_vault 1.2 needs mountaineer 1.5"'
check "... its update from 1.0 to 1.1 likewise" \
    'q -d mt_vault_old -c "CREATE EXTENSION mountaineer_vault VERSION '"'1.0'"'" && refused_old "ALTER EXTENSION mountaineer_vault UPDATE" "mountaineer_vault 1.1 needs mountaineer 1.5"'
check "... and 1.0 under core 1.2: 55000, it needs mountaineer 1.3" \
    'old_db 1.2 && refused_old "CREATE EXTENSION mountaineer_vault VERSION '"'1.0'"'" "mountaineer_vault 1.0 needs mountaineer 1.3"'

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
