#!/usr/bin/env bash
# measure.sh DB WARM-UP-SQL SQL
# Runs SQL in a fresh backend of DB (PGHOST/PGPORT as exported) after a
# warm-up statement, and prints one line: the peak private memory the backend
# added during SQL, in kB (VmHWM reset through clear_refs, minus file-backed
# and shared pages, which the call may touch but does not own), then SQL's
# output.  -1 when /proc of the backend cannot be read (run as root or as the
# server's owner).  Used by test/resources.sh and bench/resources.sql.
set -uo pipefail
db=$1 warm=$2 sql=$3
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
out=$(psql -X -At -q -d "$db" -v ON_ERROR_STOP=1 2>&1 <<SQL
SELECT pg_backend_pid() AS pid \gset
\setenv BPID :pid
\setenv W $w
$warm \g /dev/null
\! awk '/^RssAnon/ {print \$2}' /proc/\$BPID/status >\$W/base && echo 5 >/proc/\$BPID/clear_refs
$sql;
\! awk '/^(VmHWM|RssFile|RssShmem)/ {print \$2}' /proc/\$BPID/status >\$W/peak
SQL
)
base=$(cat "$w/base" 2>/dev/null) || base=
read -r hwm file shmem < <(tr '\n' ' ' <"$w/peak" 2>/dev/null)
if [ -n "$base" ] && [ -n "${shmem:-}" ]; then
    kb=$(( hwm - file - shmem - base ))
    [ "$kb" -lt 0 ] && kb=0     # a call that added nothing can measure a few kB below its base
else
    kb=-1
fi
echo "$kb" $out
