#!/usr/bin/env bash
# TAP: the inventory survives pg_dump and pg_restore.  A database gets every
# extension and every module's demo estate plus some history; it is dumped,
# restored into a second database as README's backup section says, and every
# table registered by a mountaineer extension must come back with the same
# rows.  Runs against the cluster named by PGHOST/PGPORT (tools/test.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
modules=(${MOUNTAINEER_MODULES:-$(sed -n 's/^MOUNTAINEER_MODULES *= *//p' "$top/Makefile")})
src=mt_dump_src dst=mt_dump_dst
dump=$(mktemp -d)/inventory.dump
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
n=0
ok()  { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

dropdb --if-exists -f $src 2>/dev/null; dropdb --if-exists -f $dst 2>/dev/null
createdb $src && createdb $dst || { echo "Bail out! cannot create databases"; exit 1; }

q -d $src -c 'CREATE EXTENSION mountaineer' >/dev/null
for m in "${modules[@]}"; do q -d $src -c "CREATE EXTENSION mountaineer_$m CASCADE" >/dev/null; done
for m in "${modules[@]}"; do
    f=$top/modules/$m/demo/estate.sql
    [ -f "$f" ] && q -d $src -f "$f" >/dev/null
done
# history on a table of the user's own, so the change log has rows whatever modules exist
q -d $src >/dev/null <<'SQL'
CREATE TABLE public.probe (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), n int);
CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON public.probe
    FOR EACH ROW EXECUTE FUNCTION mountaineer.log_change();
INSERT INTO public.probe (n) SELECT g FROM generate_series(1, 20) g;
UPDATE public.probe SET n = n * 10 WHERE n % 2 = 0;
DELETE FROM public.probe WHERE n % 3 = 0;
SQL

tables=$(q -d $src -c "SELECT c::regclass FROM pg_extension e, unnest(e.extconfig) c
                        WHERE e.extname LIKE 'mountaineer%' AND c::regclass::text NOT LIKE '%\_seq'
                        ORDER BY 1")
echo "1..$(( $(wc -w <<<"$tables") * 2 + 4 ))"

check "pg_dump -Fc of the inventory database" "pg_dump -Fc -d $src -f $dump"
# Restore with triggers off (session_replication_role = replica), as
# pg_restore --disable-triggers does: the rows already carry their history.
check "pg_restore into a fresh database" \
      "PGOPTIONS='-c session_replication_role=replica' pg_restore --exit-on-error -d $dst $dump"

for t in $tables; do
    sql="SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, E'\n' ORDER BY x::text)), '-') FROM $t x"
    a=$(q -d $src -c "$sql"); b=$(q -d $dst -c "$sql")
    check "$t: same row count (${a%% *})" "[ '${a%% *}' = '${b%% *}' ]"
    check "$t: same contents" "[ '$a' = '$b' ]"
done

check "the change log has history to compare" "[ \$(q -d $dst -c 'SELECT count(*) FROM mountaineer.change') -ge 30 ]"
# the change log's id sequence came along: new changes do not collide
check "new changes after the restore get fresh ids" \
      "q -d $dst -c 'INSERT INTO public.probe (n) VALUES (1)' >/dev/null"

dropdb -f $src; dropdb -f $dst; rm -rf "$(dirname "$dump")"
