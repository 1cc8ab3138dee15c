#!/usr/bin/env bash
# TAP: the isolation specs of mountaineer_hosts (modules/hosts/specs) give
# their expected output also where an UPDATE of a host, environment or device
# takes only the lock it needs.  PostgreSQL takes the key-exclusive row lock
# for every UPDATE of a table that has a BEFORE UPDATE row trigger and a
# stored generated column under a UNIQUE index (here every table: slug),
# which blocks foreign-key checks against the row; the rules must not rest
# on that.  So this drops the slug UNIQUE constraints of those three tables
# in a scratch database (then an UPDATE takes FOR NO KEY UPDATE, and the
# 1.1 triggers pass every race) and runs the specs there.  Runs against the
# cluster named by PGHOST/PGPORT (tools/test.sh).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/test/lib/tap.sh"
db=mt_hosts_races_alone
pgxs=$(dirname "$(${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config} --pgxs)")
isolation=$pgxs/../../src/test/isolation/pg_isolation_regress
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
specs=$(cd "$here/specs" && ls *.spec | sed 's/\.spec$//')

echo "1..$(( $(wc -w <<<"$specs") + 1 ))"
dropdb --if-exists -f $db 2>/dev/null
createdb $db || { echo "Bail out! cannot create a database"; exit 1; }
check 'the slug UNIQUE constraints of host, environment and device are dropped' \
    'psql -X -q -v ON_ERROR_STOP=1 -d $db -c "SET client_min_messages = warning" \
        -c "CREATE EXTENSION mountaineer_hosts CASCADE" \
        -c "ALTER TABLE mountaineer.host DROP CONSTRAINT host_slug_key" \
        -c "ALTER TABLE mountaineer.environment DROP CONSTRAINT environment_slug_key" \
        -c "ALTER TABLE mountaineer.device DROP CONSTRAINT device_slug_key"'
for s in $specs; do
    if "$isolation" --inputdir="$here" --outputdir="$out" --use-existing --dbname=$db "$s" >"$out/log" 2>&1; then
        ok "spec $s"
    else
        nok "spec $s"
        [ -f "$out/regression.diffs" ] && sed 's/^/# /' "$out/regression.diffs"
        rm -f "$out/regression.diffs"
    fi
done
dropdb -f $db
