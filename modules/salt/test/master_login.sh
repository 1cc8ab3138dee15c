#!/usr/bin/env bash
# TAP: the Salt master as it really connects, logged in as
# mountaineer_salt_master (the pgTAP suites run as a superuser and SET ROLE,
# which does not apply the role's per-database search_path).  With nothing
# set by the client, as the pgjsonb returner connects, it finds Salt's
# tables unqualified; runs save_load(), returner(), event_return(), the
# lookups and the purge as Salt's source writes them (psycopg2 binds a
# Python True and time.time() as true and a float); and runs the external
# pillar's query exactly as README's ext_pillar configuration gives it, with
# the minion id bound the way salt.pillar.postgres binds it (its one %s).
# Runs against the cluster named by PGHOST/PGPORT (tools/test.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
db=mt_salt_login
trap 'dropdb --if-exists -f $db 2>/dev/null' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
m() { psql -X -q -At -v ON_ERROR_STOP=1 -U mountaineer_salt_master -d $db "$@"; }
. "$top/test/lib/tap.sh"
echo "1..12"

dropdb --if-exists -f $db 2>/dev/null
createdb $db || { echo "# cannot create a database"; exit 1; }
q -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION mountaineer_networks CASCADE' -c 'CREATE EXTENSION mountaineer_salt' >/dev/null || exit 1
q >/dev/null <<'SQL' || exit 1
INSERT INTO mountaineer.environment (name, hostname_regex) VALUES ('login', '[a-z0-9-]+\.login\.example');
INSERT INTO mountaineer.cluster (name, kind) VALUES ('login-kvm', 'kvm');
INSERT INTO mountaineer.host (hostname, environment_id, cluster_id)
SELECT 'web1.login.example', e.id, c.id FROM mountaineer.environment e, mountaineer.cluster c WHERE e.name = 'login' AND c.name = 'login-kvm';
INSERT INTO mountaineer.prefix (prefix, status) VALUES ('198.18.42.0/24', 'active');
INSERT INTO mountaineer.ip_address (address, host_id, canonical)
SELECT '198.18.42.7/24', id, true FROM mountaineer.host WHERE hostname = 'web1.login.example';
SQL

search_path_set() { [ "$(m -c 'SHOW search_path')" = salt ]; }
check "the master's login finds search_path salt set for it in this database" search_path_set

# save_load(): PG_SAVE_LOAD_SQL as _get_serv() sets it for PostgreSQL >= 9.5
save_load() {
    local u
    for u in root salt; do
        m <<SQL || return 1
INSERT INTO jids
                              (jid, load)
                              VALUES ('20261130060000000001', '{"fun": "state.apply", "user": "$u"}')
                              ON CONFLICT (jid) DO UPDATE
                              SET load='{"fun": "state.apply", "user": "$u"}'
SQL
    done
}
check "save_load() runs unqualified, twice for one job" save_load

# returner(): psycopg2 renders ret.get("success") (True) as true, time.time() as a float
returner() {
    m <<'SQL'
INSERT INTO salt_returns
                    (fun, jid, return, id, success, full_ret, alter_time)
                    VALUES ('state.apply', '20261130060000000001', '{"file_|-conf_|-/etc/app.conf_|-managed": {"result": false, "comment": "Source file salt://app/app.conf not found in saltenv ''base''", "changes": {}, "name": "/etc/app.conf", "__id__": "conf", "__sls__": "app", "__run_num__": 0, "duration": 3.5, "start_time": "06:00:00.500000"}, "service_|-app_|-app_|-running": {"result": true, "comment": "The service app is already running", "changes": {}, "name": "app", "__id__": "app", "__sls__": "app", "__run_num__": 1, "duration": 20, "start_time": "06:00:00.504000"}}', 'web1', true, '{"fun": "state.apply", "fun_args": ["app"], "id": "web1", "jid": "20261130060000000001", "retcode": 2, "return": {}, "success": true, "out": "highstate"}', to_timestamp(1796018400.123456))
SQL
}
check "returner() runs unqualified" returner
event_return() {
    m <<'SQL'
INSERT INTO salt_events (tag, data, master_id, alter_time)
                     VALUES ('salt/job/20261130060000000001/ret/web1', '{"retcode": 2, "fun": "state.apply"}', 'master1', to_timestamp(1796018400.2))
SQL
}
check "event_return() runs unqualified" event_return
summarised() {
    [ "$(q -c "SELECT h.hostname, s.total, s.failed, s.retcode, s.duration_ms FROM mountaineer.highstate s
                 JOIN mountaineer.host h ON h.id = s.host_id WHERE s.jid = '20261130060000000001'")" = "web1.login.example|2|1|2|23.5" ]
}
check "the return is summarised for its host, by its retcode" summarised
lookups() {
    [ "$(m -c "SELECT load FROM jids WHERE jid = '20261130060000000001';")" = '{"fun": "state.apply", "user": "salt"}' ] &&
    [ "$(m -c "SELECT id, full_ret ->> 'retcode' FROM salt_returns
                WHERE jid = '20261130060000000001'")" = "web1|2" ] &&
    [ "$(m -c "SELECT j.jid as jid, j.load as load, jsonb_agg(sr.id) as tgt FROM jids j
                join salt_returns sr
                using(jid)
                group by j.jid, j.load" | cut -d'|' -f3)" = '["web1"]' ] &&
    [ "$(m -c "SELECT DISTINCT id
                FROM salt_returns")" = web1 ]
}
check "get_load(), get_jid(), get_jids() and get_minions() read it back" lookups
purge() {
    local stamp
    stamp=$(m -c "select (NOW() -  interval '24' hour) as stamp;") &&
    m -c "delete from jids where jid in (select distinct jid from salt_returns where alter_time < '$stamp')" \
      -c "delete from salt_returns where alter_time < '$stamp'" \
      -c "delete from salt_events where alter_time < '$stamp'" &&
    [ "$(q -c "SELECT count(*) FROM salt.salt_returns")" = 0 ] &&   # stored 2026-11-30 06:00 UTC: long gone
    [ "$(q -c "SELECT count(*) FROM mountaineer.highstate")" = 1 ]
}
check "_purge_jobs() runs unqualified (clean_old_jobs, keep_jobs: 24), the summary stays" purge

# README's master configuration: the ext_pillar query and its depth, and
# whom both connections log in as
readme=$(sed -n '/^### Module `mountaineer_salt`/,/^### Who may call what/p' "$top/README.md" | sed -n '/^```yaml/,/^```$/p')
query=$(printf '%s\n' "$readme" | sed -n 's/^ *- query: "\(.*\)"$/\1/p')
depth=$(printf '%s\n' "$readme" | sed -n 's/^ *depth: *\([0-9]*\).*/\1/p')
readme_query() {
    [ -n "$query" ] && [ "$(printf '%s' "$query" | grep -o '%s' | wc -l)" = 1 ] && [ "$depth" = 1 ] ||
        { echo "# query: $query, depth: $depth"; return 1; }
}
check "README's configuration has one ext_pillar query with one %s, depth 1 (a key and its value)" readme_query
readme_users() {
    [ "$(printf '%s\n' "$readme" | grep -cE '^ *(returner\.pgjsonb\.)?user: mountaineer_salt_master( |$)')" = 2 ]
}
check "both of README's connections log in as mountaineer_salt_master" readme_users

# psycopg2 binds a str as a quoted literal
pillar() { m -F '|' -c "$(printf '%s' "$query" | sed "s/%s/'$1'/")"; }
# the pillar the master received, read back as jsonb (psql -c interpolates no variables: stdin does)
field() { echo "SELECT (:'p'::jsonb) #>> :'path'" | q -v p="$1" -v path="$2"; }
pillar_row() {
    local out
    out=$(pillar web1) && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && [ "${out%%|*}" = mountaineer ] &&
    [ "$(field "${out#*|}" '{hostname}')" = web1.login.example ] &&
    [ "$(field "${out#*|}" '{addresses,0,address}')" = 198.18.42.7 ] || { echo "# got: $out"; return 1; }
}
check "the pillar query gives the master one row: the key mountaineer and the host's pillar" pillar_row
no_pillar() { local out; out=$(pillar build-07.ci.example) && [ -z "$out" ]; }
check "and no row for a minion that names no host" no_pillar
no_inventory() {
    local out
    out=$(m -c "SELECT count(*) FROM mountaineer.host" 2>&1) && return 1
    case $out in *"permission denied for table host"*) ;; *) echo "# got: $out"; return 1 ;; esac
}
check "the master's own login reads no inventory table" no_inventory
