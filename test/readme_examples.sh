#!/usr/bin/env bash
# TAP: every example in README.md runs as written and gives what README says
# it gives (test/lib/readme_examples.pl says how examples are read), against
# a database with every extension and every module's demo estate, as `make
# demo` makes it.  Runs against the cluster named by PGHOST/PGPORT.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
modules=(${MOUNTAINEER_MODULES:-$(sed -n 's/^MOUNTAINEER_MODULES *= *//p' "$top/Makefile")})
db=mt_readme
q() { PGOPTIONS="-c client_min_messages=warning ${PGOPTIONS:-}" psql -X -q -v ON_ERROR_STOP=1 -d $db "$@"; }

dropdb --if-exists -f $db 2>/dev/null
createdb $db || { echo "Bail out! cannot create a database"; exit 1; }
q -c 'CREATE EXTENSION mountaineer' || { echo "Bail out! cannot install mountaineer"; exit 1; }
for m in "${modules[@]}"; do
    q -c "CREATE EXTENSION mountaineer_$m CASCADE" || { echo "Bail out! cannot install mountaineer_$m"; exit 1; }
done
for m in "${modules[@]}"; do
    f=$top/modules/$m/demo/estate.sql
    [ -f "$f" ] || continue
    PGOPTIONS="-c mountaineer.actor=demo-loader" q -o /dev/null -f "$f" || { echo "Bail out! $f does not load"; exit 1; }
done
perl "$top/test/lib/readme_examples.pl" "$top/README.md" $db
rc=$?
dropdb -f $db
exit $rc
