#!/usr/bin/env bash
# TAP: mountaineer_k8s 1.2 under a core older than 1.7 (no import_digest)
# says what it needs, installed or updated from 1.1, with 55000 and nothing
# made.  Runs against the cluster named by PGHOST/PGPORT (tools/test.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
db=mt_k8s_old
trap 'dropdb --if-exists -f $db 2>/dev/null' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
. "$top/test/lib/tap.sh"
echo "1..3"

old_db() {   # a database with core, hardware, hosts and networks 1.6
    dropdb --if-exists -f $db 2>/dev/null; createdb $db &&
    q -c "SET client_min_messages = warning" -c "CREATE EXTENSION btree_gist" -c "CREATE EXTENSION mountaineer VERSION '1.6'" \
      -c "CREATE EXTENSION mountaineer_hardware VERSION '1.6'" -c "CREATE EXTENSION mountaineer_hosts VERSION '1.6'" \
      -c "CREATE EXTENSION mountaineer_networks VERSION '1.6'"
}
refused() {   # refused SQL MESSAGE: refused with 55000 and that message
    local out
    out=$(psql -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d $db -c "$1" 2>&1) && { echo "# not refused: $1"; return 1; }
    case $out in "ERROR:  55000: $2"*) return 0 ;; *) echo "# got: $out"; return 1 ;; esac
}
check "mountaineer_k8s 1.2 under core 1.6: 55000, it needs mountaineer 1.7" \
    'old_db && refused "CREATE EXTENSION mountaineer_k8s" "mountaineer_k8s 1.2 needs mountaineer 1.7"'
check "... its update from 1.1 likewise" \
    'q -c "CREATE EXTENSION mountaineer_k8s VERSION '"'1.1'"'" && refused "ALTER EXTENSION mountaineer_k8s UPDATE" "mountaineer_k8s 1.2 needs mountaineer 1.7"'
check "... and nothing of 1.2 is made: still 1.1, no source_digest" \
    '[ "$(q -c "SELECT extversion FROM pg_extension WHERE extname = '"'mountaineer_k8s'"'")" = 1.1 ] &&
     [ "$(q -c "SELECT count(*) FROM pg_attribute WHERE attrelid = '"'mountaineer.k8s_pod'"'::regclass AND attname = '"'source_digest'"'")" = 0 ]'
