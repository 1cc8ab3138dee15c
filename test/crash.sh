#!/usr/bin/env bash
# TAP: the inventory survives a crash.  A throwaway cluster of its own
# (tools/pg.sh crash) gets every extension and every module's demo estate;
# several clients then stream transactions at it — allocate_prefix and
# allocate_ip in a few parents and VRFs, bulk INSERT ... SELECTs of prefixes,
# addresses, devices with ports, a savepoint rolled back inside a committed
# transaction, and transactions that roll back on purpose — and in the middle
# of the stream the postmaster is killed with SIGKILL.  After crash recovery:
#   - every transaction a client saw COMMIT return for is there in full,
#   - every transaction is there in full or not at all, none half-written,
#   - nothing of the rolled-back transactions (or rolled-back savepoints),
#   - the rows from before the stream are untouched, no stray rows appeared,
#   - prefix_free_verify() is empty,
#   - the change log agrees with the rows (each streamed row has its one
#     insert change, no change names a row that is absent, one txid per
#     transaction),
#   - every btree index of schema mountaineer passes amcheck's
#     bt_index_check with heapallindexed, and the GiST indexes find every row,
#   - allocation still works afterwards.
# The test fails unless it really crashed in the middle: transactions must
# have been acknowledged, in flight and rolled back at the kill, and the
# server log must show crash recovery replaying WAL from the checkpoint taken
# just before the stream.
#
# Every transaction carries a tag, crash:KIND:CLIENT:SEQ, in the description
# (prefixes, addresses) or asset_tag (devices; ports through their device) of
# each row it writes, and a commit marker row in public.crash_tx.  A client
# (psql reading a generated script) echoes "started TAG" once the first
# write of the transaction has returned, "acked TAG" only after COMMIT has
# returned, "rolledback TAG" after its ROLLBACK.  When the kill comes is left
# to timing; what is checked is not.
#
# Runs on its own cluster, whatever PGHOST/PGPORT say; takes about 10-20 s.
# CRASH_CLIENTS (default 4) and CRASH_AFTER (seconds of stream before the
# kill, default 1.5) tune it; CRASH_KEEP=1 keeps the logs and the stopped
# cluster for a look.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
modules=(${MOUNTAINEER_MODULES:-$(sed -n 's/^MOUNTAINEER_MODULES *= *//p' "$top/Makefile")})
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PATH="$("$PG_CONFIG" --bindir):$PATH"
clients=${CRASH_CLIENTS:-4}
after=${CRASH_AFTER:-1.5}
db=crash
cluster=crash
pg() { "$top/tools/pg.sh" "$1" "$cluster"; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
. "$top/test/lib/tap.sh"
diag() { sed 's/^/# /'; }
# check NAME SQL: ok when the query returns no rows; else shows (some of) them
check_none() {
    local out
    if out=$(q -F ' | ' -c "$2" 2>&1) && [ -z "$out" ]; then ok "$1"; else nok "$1"; head -20 <<<"$out" | diag; fi
}
bail() { echo "Bail out! $1"; exit 1; }

# The server's processes: every one of them has the data directory as its
# working directory, which tells them from other clusters' processes.
data=
server_pids() {
    [ -n "$data" ] || return 0
    find /proc -mindepth 2 -maxdepth 2 -name cwd -lname "$data" 2>/dev/null | cut -d/ -f3
}

work=$(mktemp -d)
cpids=()
cleanup() {
    local p d
    for p in "${cpids[@]}"; do kill "$p" 2>/dev/null; done
    # a run cut short between the kill and the restart leaves orphans behind
    if [ -n "$data" ] && ! kill -0 "$(head -1 "$data/postmaster.pid" 2>/dev/null)" 2>/dev/null; then
        for p in $(server_pids); do kill -9 "$p" 2>/dev/null; done
    fi
    pg stop >/dev/null 2>&1
    if [ -n "${CRASH_KEEP:-}" ]; then echo "# kept $work and the $cluster cluster's directory"; return; fi
    d=$(pg dir 2>/dev/null)
    [ -n "$d" ] && [ -d "$d" ] && rm -rf "${d:?}"
    [ -L "$top/.pg/$cluster" ] && rm -f "$top/.pg/$cluster"
    rm -rf "$work"
}
trap cleanup EXIT
trap "exit 130" INT TERM HUP

echo "1..20"

# --- the cluster --------------------------------------------------------------
# synchronous_commit = on: COMMIT returns only once its WAL is written out of
# shared memory, so an acknowledged commit must survive the kill (with the
# default off, it may be lost by design).  fsync may stay off: a SIGKILL kills
# processes, not the kernel, so everything written to files is in the page
# cache for the restarted server; fsync only matters for an OS crash or power
# loss, which this test does not simulate.  full_page_writes = on so that a
# page half-written by a process killed in write() is still repaired; and no
# timed checkpoint may come between the one taken before the stream and the
# kill, so that recovery starts where the stream starts.
PG_CONF_EXTRA="# crash test
synchronous_commit = on
full_page_writes = on
checkpoint_timeout = 1h" pg fresh >"$work/start.log" 2>&1 || { cat "$work/start.log" | diag; bail "cannot start the $cluster cluster"; }
eval "$(pg env)"
dir=$(pg dir)
data=$(readlink -f "$dir/data")

setup() {
    createdb $db || return 1
    q -c 'CREATE EXTENSION mountaineer' -c 'CREATE EXTENSION amcheck' || return 1
    for m in "${modules[@]}"; do q -c "CREATE EXTENSION mountaineer_$m CASCADE" || return 1; done
    for m in "${modules[@]}"; do
        f=$top/modules/$m/demo/estate.sql
        if [ -f "$f" ]; then q -f "$f" >/dev/null || return 1; fi
    done
    # the stream's parents and pools; the commit markers; a counter of
    # finished rollbacks (a sequence: not undone by the rollbacks it counts);
    # a snapshot of every row from before the stream
    q <<'SQL'
SET search_path = mountaineer, public;
INSERT INTO prefix (vrf_id, prefix, status, description)
SELECT v.id, x.p::cidr, x.s::prefix_status, 'crash test ' || x.p
FROM (VALUES ('10.64.0.0/12', 'container', NULL), ('10.128.0.0/10', 'container', NULL),
             ('10.192.0.0/10', 'container', NULL), ('10.96.0.0/16', 'active', NULL),
             ('2001:db8:8000::/33', 'container', NULL), ('2001:db8:4000::/64', 'active', NULL),
             ('172.20.0.0/14', 'container', 'mgmt'), ('172.24.0.0/16', 'active', 'mgmt')) x(p, s, vrf)
LEFT JOIN vrf v ON v.name = x.vrf;
CREATE TABLE public.crash_tx (tag text PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE SEQUENCE public.crash_rolledback;
-- returns when the moment to kill has come: after so many seconds of
-- stream, once every kind of committed transaction has committed, rollbacks
-- have run, and a transaction with writes done has just begun to sleep (so
-- it is surely still in flight when the kill lands); 'timeout' after 20 s
CREATE FUNCTION public.crash_wait(after float8) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
    PERFORM pg_sleep(after);
    LOOP
        PERFORM pg_stat_clear_snapshot();
        IF (SELECT count(DISTINCT split_part(tag, ':', 2)) FROM public.crash_tx) >= 7
           AND (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM public.crash_rolledback) >= 2
           AND EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database()
                        AND wait_event = 'PgSleep' AND backend_xid IS NOT NULL
                        AND clock_timestamp() - query_start < interval '150 ms') THEN
            RETURN 'ready';
        END IF;
        IF clock_timestamp() - t0 > interval '20 s' THEN
            RETURN 'timeout';
        END IF;
        PERFORM pg_sleep(0.005);
    END LOOP;
END $f$;
CREATE TABLE public.crash_pre (tbl text, id text, h text);
RESET search_path;    -- so that the tables' names below are schema-qualified
DO $$
DECLARE t regclass;
BEGIN
    FOR t IN SELECT c::regclass FROM pg_extension e, unnest(e.extconfig) c
              WHERE e.extname LIKE 'mountaineer%' AND (SELECT relkind FROM pg_class WHERE oid = c) IN ('r', 'p')
                AND c::regclass::text LIKE 'mountaineer.%'   -- not the tables of Salt's and PowerDNS's own schemas (no ids)
                AND obj_description(c, 'pg_class') NOT LIKE 'Derived:%' LOOP   -- no id: checked below by their own rules
        -- a row by its id (the outbox's consumers by their name)
        EXECUTE format('INSERT INTO public.crash_pre SELECT %L, coalesce(to_jsonb(x) ->> ''id'', to_jsonb(x) ->> ''name'', x::text), md5(x::text) FROM %s x',
                       t::text, t);
    END LOOP;
END $$;
SQL
}
if setup >"$work/setup.log" 2>&1; then
    ok "a database with every extension (mountaineer ${modules[*]}) and the demo estates"
else
    nok "a database with every extension (mountaineer ${modules[*]}) and the demo estates"
    diag <"$work/setup.log"; bail "setup failed"
fi

# --- the stream -----------------------------------------------------------------
mgmt=$(q -c "SELECT id FROM mountaineer.vrf WHERE name = 'mgmt'")
mapfile -t hosts < <(q -c 'SELECT id FROM mountaineer.host ORDER BY hostname')
[ -n "$mgmt" ] && [ ${#hosts[@]} -gt 0 ] || bail "the demo estate has no mgmt VRF or no hosts"
aparents=("'10.64.0.0/12', 28, NULL" "'2001:db8:8000::/33', 64, NULL" "'172.20.0.0/14', 28, '$mgmt'")
apools=("'10.96.0.0/16'" "'2001:db8:4000::/64'" "'172.24.0.0/16'")
avrfs=(NULL NULL "'$mgmt'")
# rows a committed transaction of each kind writes (x...: rolled back, none)
expected="CASE kind WHEN 'ap' THEN 1 WHEN 'ai' THEN 1 WHEN 'sp' THEN 1 WHEN 'bp' THEN 257
                    WHEN 'bi' THEN 201 WHEN 'bd' THEN 500 WHEN 'sl' THEN 500 ELSE 0 END"
cycle=(ap bd ai bp xap sl ai bi ap sp xbd ai bp xer bi ap xai bd sp xbi ai xbp)

# The SQL of one transaction of kind $1, tag $2, sequence number $3.
tx() {
    local kind=$1 T=$2 i=$3 base=${1#x} h=${hosts[$(( $3 % ${#hosts[@]} ))]} k=$(( $3 % 3 ))
    [ "$kind" = xer ] && base=bi
    echo "BEGIN;"
    case $base in
    ap) echo "SELECT mountaineer.allocate_prefix(${aparents[$k]}, '$T');" ;;
    ai) echo "SELECT (mountaineer.allocate_ip(${apools[$k]}, '$h', ${avrfs[$k]})).id AS aid \\gset"
        echo "\\echo started $T -"
        echo "UPDATE mountaineer.ip_address SET description = '$T' WHERE id = :'aid';" ;;
    bp) echo "SELECT (mountaineer.allocate_prefix('10.128.0.0/10', 22, NULL, '$T')).prefix AS p \\gset"
        echo "\\echo started $T -"
        echo "INSERT INTO mountaineer.prefix (prefix, description)
              SELECT set_masklen(:'p'::cidr + 4 * g, 30), '$T' FROM generate_series(0, 255) g;" ;;
    bi) echo "SELECT (mountaineer.allocate_prefix('10.192.0.0/10', 24, NULL, '$T')).prefix AS p \\gset"
        echo "\\echo started $T -"
        echo "INSERT INTO mountaineer.ip_address (address, description)
              SELECT set_masklen(:'p'::cidr + g, 24), '$T' FROM generate_series(1, 200) g;" ;;
    bd|sl)
        echo "INSERT INTO mountaineer.device (kind, name, manufacturer, model, serial, asset_tag)
              SELECT 'other', '$T-' || g, 'crash', 'bulk', '$T-' || g, '$T' FROM generate_series(1, 100) g;"
        # a transaction kept open: one is surely in flight when the kill comes
        [ "$base" = sl ] && echo "\\echo started $T -" && echo "SELECT pg_sleep(0.4);"
        echo "INSERT INTO mountaineer.port (device_id, name, kind)
              SELECT d.id, 'eth' || j, 'interface' FROM mountaineer.device d, generate_series(0, 3) j
              WHERE d.asset_tag = '$T';" ;;
    sp) echo "SELECT mountaineer.allocate_prefix('10.64.0.0/12', 28, NULL, '$T');"
        echo "\\echo started $T -"
        echo "SAVEPOINT undo;"
        echo "INSERT INTO mountaineer.device (kind, name, manufacturer, model, serial, asset_tag)
              SELECT 'other', '$T-u' || g, 'crash', 'undone', '$T-u' || g, '$T:undone' FROM generate_series(1, 50) g;"
        echo "SELECT mountaineer.allocate_prefix('10.64.0.0/12', 26, NULL, '$T:undone');"
        echo "SELECT (mountaineer.allocate_ip('10.96.0.0/16', '$h')).id AS uid \\gset"
        echo "UPDATE mountaineer.ip_address SET description = '$T:undone' WHERE id = :'uid';"
        echo "ROLLBACK TO SAVEPOINT undo;" ;;
    esac
    case $base in ap|bd) echo "\\echo started $T -" ;; esac
    if [ "$kind" = xer ]; then
        # an address taken twice: refused (23505), and the transaction with it
        echo "\\set ON_ERROR_STOP 0"
        echo "INSERT INTO mountaineer.ip_address (address, description) VALUES (set_masklen(:'p'::cidr + 7, 24), '$T');"
        echo "\\set ON_ERROR_STOP 1"
        echo "\\echo error $T :SQLSTATE"
    fi
    [ "$kind" = xer ] || echo "INSERT INTO public.crash_tx (tag) VALUES ('$T');"
    case $kind in
    x*) echo "ROLLBACK;"; echo "\\echo rolledback $T -"; echo "SELECT nextval('public.crash_rolledback');" ;;
    *)  echo "COMMIT;"; echo "\\echo acked $T -" ;;
    esac
}
for c in $(seq 1 "$clients"); do
    for i in $(seq 1 600); do
        kind=${cycle[$(( (i - 1 + 5 * (c - 1)) % ${#cycle[@]} ))]}
        tx "$kind" "crash:$kind:$c:$i" "$i"
    done >"$work/client$c.sql"
done

pre_change=$(q -c 'SELECT coalesce(max(id), 0) FROM mountaineer.change')
q -c 'CHECKPOINT'
ckpt=$(q -c 'SELECT redo_lsn FROM pg_control_checkpoint()')
for c in $(seq 1 "$clients"); do
    PGAPPNAME=crash-client-$c PGOPTIONS="-c mountaineer.actor=crash-client-$c" \
        psql -X -q -v ON_ERROR_STOP=1 -o /dev/null -d $db -f "$work/client$c.sql" \
        >"$work/client$c.out" 2>"$work/client$c.err" &
    cpids+=($!)
done

# The kill, when crash_wait says (see above).
t0=$(date +%s%N)
ready=$(q -c "SELECT public.crash_wait($after)")
pm=$(head -1 "$data/postmaster.pid")
before=$(pgrep -c -P "$pm")
kill -9 "$pm"
el=$(( ($(date +%s%N) - t0) / 1000000 ))

# Every server process must be gone before the restart: they exit on their
# own once they notice the postmaster died (a backend finishes the statement
# it is running first); after 10 s the rest get SIGKILL too.
# The postmaster itself must be reaped too (by init: it is not our child),
# else pg_ctl takes its zombie for a running server.
gone() { [ -z "$(server_pids)" ] && ! [ -e "/proc/$pm" ]; }
waited=0
while ! gone && [ $waited -lt 1000 ]; do sleep 0.01; waited=$((waited + 1)); done
left=$(server_pids | wc -l)
for p in $(server_pids); do kill -9 "$p" 2>/dev/null; done
while ! gone && [ $waited -lt 1500 ]; do sleep 0.01; waited=$((waited + 1)); done
echo "# waited $((waited * 10)) ms for the server's processes to go"
crc=()
for p in "${cpids[@]}"; do wait "$p"; crc+=($?); done
cpids=()

# what the clients saw
cat "$work"/client*.out >"$work/events"
count() { awk -v e="$1" '$1 == e && $2 !~ /^crash:x/ { print $2 }' "$work/events" | sort -u | wc -l; }
acked=$(count acked)
rolledback=$(awk '$1 == "rolledback"' "$work/events" | wc -l)
started=$(awk '$1 == "started" { print $2 }' "$work/events" | sort -u)
finished=$(awk '$1 == "acked" || $1 == "rolledback" { print $2 }' "$work/events" | sort -u)
inflight=$(comm -23 <(echo "$started") <(echo "$finished") | grep -c .)
kinds=$(awk '$1 == "acked" { split($2, t, ":"); print t[2] }' "$work/events" | sort -u | tr '\n' ' ')
echo "# the kill came after ${el} ms of stream: $acked transactions acknowledged, $inflight in flight, $rolledback rolled back"
echo "# acknowledged kinds: $kinds; $before server processes at the kill, $left still there after 10 s"

# Each client must have run until the crash: psql exits 2 when the server
# goes away, 3 when one of its statements failed; the only error allowed
# is the deliberate 23505, with its message.
bad=
for c in $(seq 1 "$clients"); do
    [ "${crc[$((c - 1))]}" = 2 ] || bad+=" client $c exited ${crc[$((c - 1))]};"
done
errs=$(awk '$1 == "error" && $3 != "23505"' "$work/events"
       cat "$work"/client*.err | grep -E '(ERROR|FATAL|PANIC):' \
           | grep -vE 'ERROR:  duplicate key value violates unique constraint "ip_address_unique_in_vrf"$' \
           | grep -vE 'FATAL:  terminating connection due to unexpected postmaster exit$')
[ "$(cat "$work"/client*.err | grep -c 'ERROR:')" = "$(awk '$1 == "error"' "$work/events" | wc -l)" ] \
    || errs+=$'\n''not as many ERRORs as deliberate errors'

if [ -z "$bad" ] && [ -z "$errs" ] && [ "$ready" = ready ]; then
    ok "$clients clients streamed until the kill, with no error but the deliberate 23505s"
else
    nok "$clients clients streamed until the kill, with no error but the deliberate 23505s"
    { echo "$bad"; echo "$errs"; [ "$ready" = ready ] || echo "the stream never reached the moment to kill: ${ready:-the wait failed}";
      for c in $(seq 1 "$clients"); do grep -v '^$' "$work/client$c.err" | tail -5 | sed "s/^/client $c: /"; done; } | diag
fi
if [ "$acked" -gt 0 ] && [ "$inflight" -gt 0 ] && [ "$rolledback" -gt 0 ] && [ "$(wc -w <<<"$kinds")" -ge 7 ]; then
    ok "the kill came mid-stream: transactions of every kind acknowledged, some in flight, some rolled back"
else
    nok "the kill came mid-stream: transactions of every kind acknowledged, some in flight, some rolled back"
fi
if gone; then ok "every server process is gone ($left needed SIGKILL)"
else nok "every server process is gone"; { server_pids; ps -o pid,stat,cmd -p "$pm"; } | diag; bail "server processes survive"; fi

# --- recovery -------------------------------------------------------------------
logsize=$(stat -c %s "$dir/server.log")
if pg start >"$work/restart.log" 2>&1 && q -c 'SELECT 1' >/dev/null; then
    ok "the server restarts after the crash"
else
    nok "the server restarts after the crash"; diag <"$work/restart.log"; tail -c +$((logsize + 1)) "$dir/server.log" | diag
    bail "no server after the crash"
fi
tail -c +$((logsize + 1)) "$dir/server.log" >"$work/recovery.log"
lsn() { echo $(( 16#${1%/*} * 4294967296 + 16#${1#*/} )); }
rs=$(sed -n 's/.*redo starts at \([0-9A-F]*\/[0-9A-F]*\).*/\1/p' "$work/recovery.log" | head -1)
rd=$(sed -n 's/.*redo done at \([0-9A-F]*\/[0-9A-F]*\).*/\1/p' "$work/recovery.log" | head -1)
echo "# checkpoint before the stream: redo at $ckpt; recovery: redo from ${rs:-?} to ${rd:-?}"
if grep -q 'database system was not properly shut down; automatic recovery in progress' "$work/recovery.log" \
   && [ -n "$rs" ] && [ -n "$rd" ] && [ "$(lsn "$rs")" = "$(lsn "$ckpt")" ] \
   && [ "$(lsn "$rd")" -gt $(( $(lsn "$rs") + 1048576 )) ]; then
    ok "crash recovery replayed the stream's WAL from the checkpoint before it ($(( ($(lsn "$rd") - $(lsn "$rs")) / 1048576 )) MB)"
else
    nok "crash recovery replayed the stream's WAL from the checkpoint before it"; diag <"$work/recovery.log"
fi

# --- what survived ----------------------------------------------------------------
q -c 'CREATE TABLE public.crash_client (ev text, tag text, info text)' \
  -c "\\copy public.crash_client FROM '$work/events' (DELIMITER ' ')" || bail "cannot load the clients' logs"
q <<SQL || bail "cannot collect the streamed rows"
CREATE TABLE public.crash_rows AS
    SELECT description AS tag, 'prefix'::text AS tbl, id FROM mountaineer.prefix WHERE description LIKE 'crash:%'
    UNION ALL
    SELECT description, 'ip_address', id FROM mountaineer.ip_address WHERE description LIKE 'crash:%'
    UNION ALL
    SELECT asset_tag, 'device', id FROM mountaineer.device WHERE asset_tag LIKE 'crash:%'
    UNION ALL
    SELECT d.asset_tag, 'port', p.id FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
     WHERE d.asset_tag LIKE 'crash:%';
CREATE INDEX ON public.crash_rows (id);
CREATE TABLE public.crash_t AS
WITH ev AS (SELECT tag, bool_or(ev = 'started') AS started, bool_or(ev = 'acked') AS acked,
                   bool_or(ev = 'rolledback') AS rolledback
              FROM public.crash_client GROUP BY tag),
     r AS (SELECT tag, count(*) AS nrows FROM public.crash_rows WHERE tag NOT LIKE '%:undone' GROUP BY tag),
     t AS (SELECT tag FROM ev UNION SELECT tag FROM r UNION SELECT tag FROM public.crash_tx)
SELECT t.tag, split_part(t.tag, ':', 2) AS kind, coalesce(ev.started, false) AS started,
       coalesce(ev.acked, false) AS acked, coalesce(ev.rolledback, false) AS rolledback,
       coalesce(r.nrows, 0) AS nrows, m.tag IS NOT NULL AS marker
  FROM t LEFT JOIN ev USING (tag) LEFT JOIN r USING (tag) LEFT JOIN public.crash_tx m USING (tag);
ALTER TABLE public.crash_t ADD expected int;
UPDATE public.crash_t SET expected = $expected;
SQL
echo "# $(q -c "SELECT count(*) FILTER (WHERE marker AND NOT acked) || ' transactions committed without their acknowledgement reaching the client, '
                  || count(*) FILTER (WHERE started AND NOT acked AND NOT rolledback AND NOT marker) || ' lost in flight'
                FROM public.crash_t")"

check_none "every acknowledged transaction is there in full" \
    "SELECT tag, nrows, expected, marker FROM public.crash_t WHERE acked AND NOT (marker AND nrows = expected)"
check_none "every transaction is there in full or not at all, and only if a client started it" \
    "SELECT tag, nrows, expected, marker FROM public.crash_t
      WHERE kind NOT LIKE 'x%' AND NOT (marker AND nrows = expected OR NOT marker AND nrows = 0)
         OR NOT started AND (marker OR nrows > 0)"
check_none "nothing of the rolled-back transactions and savepoints is there, rows or changes" \
    "SELECT tag, nrows, marker FROM public.crash_t WHERE kind LIKE 'x%' AND (marker OR nrows > 0)
     UNION ALL SELECT tag, count(*), NULL FROM public.crash_rows WHERE tag LIKE '%:undone' GROUP BY tag
     UNION ALL SELECT 'change ' || id, NULL, NULL FROM mountaineer.change
      WHERE id > $pre_change AND (after::text ~ '\"crash:x' OR after::text ~ ':undone')"
check_none "the rows from before the stream are untouched and no untagged row appeared" "
    CREATE TEMP TABLE now_rows (tbl text, id text, h text);
    DO \$\$
    DECLARE t regclass;
    BEGIN
        FOR t IN SELECT DISTINCT tbl::regclass FROM public.crash_pre LOOP
            EXECUTE format('INSERT INTO now_rows SELECT %L, coalesce(to_jsonb(x) ->> ''id'', to_jsonb(x) ->> ''name'', x::text), md5(x::text) FROM %s x',
                           t::text, t);
        END LOOP;
    END \$\$;
    SELECT 'changed or gone: ' || tbl, id FROM (SELECT * FROM public.crash_pre EXCEPT SELECT * FROM now_rows) x
    UNION ALL
    SELECT 'untagged: ' || n.tbl, n.id FROM now_rows n
     WHERE n.tbl <> 'mountaineer.change'
       AND NOT EXISTS (SELECT FROM public.crash_pre p WHERE p.tbl = n.tbl AND p.id = n.id)
       AND NOT EXISTS (SELECT FROM public.crash_rows r WHERE r.id::text = n.id AND 'mountaineer.' || r.tbl = n.tbl)"
check_none "prefix_free_verify() returns no rows" "SELECT * FROM mountaineer.prefix_free_verify()"
if [[ " ${modules[*]} " == *" dns "* ]]; then
    check_none "dns_verify() returns no rows (PowerDNS's records are what the inventory says)" "SELECT * FROM mountaineer.dns_verify()"
else
    ok "dns_verify(): mountaineer_dns is not installed # SKIP"
fi

# --- the change log ----------------------------------------------------------------
check_none "change log: every streamed row has exactly one insert change (and an allocated address its update)" \
    "SELECT r.tag, r.tbl, r.id FROM public.crash_rows r
      WHERE (SELECT count(*) FROM mountaineer.change c
              WHERE c.row_id = r.id AND c.op = 'insert' AND c.table_name = r.tbl AND c.schema_name = 'mountaineer') <> 1
         OR split_part(r.tag, ':', 2) = 'ai' AND NOT EXISTS (SELECT FROM mountaineer.change c
              WHERE c.row_id = r.id AND c.op = 'update' AND c.after ->> 'description' = r.tag)"
check_none "change log: no change of the stream names a row that is absent" \
    "SELECT c.id, c.table_name, c.row_id, c.op FROM mountaineer.change c
      WHERE c.id > $pre_change
        AND NOT EXISTS (SELECT FROM public.crash_rows r WHERE r.id = c.row_id AND r.tbl = c.table_name)"
check_none "change log: each transaction's changes carry its one txid and its client as actor" \
    "SELECT r.tag, count(DISTINCT c.txid), min(c.actor), max(c.actor) FROM public.crash_rows r
       JOIN mountaineer.change c ON c.row_id = r.id
      GROUP BY r.tag
     HAVING count(DISTINCT c.txid) <> 1 OR min(c.actor) <> max(c.actor)
         OR min(c.actor) <> 'crash-client-' || split_part(r.tag, ':', 3)
     UNION ALL
     SELECT 'txid ' || c.txid, count(DISTINCT r.tag), NULL, NULL FROM public.crash_rows r
       JOIN mountaineer.change c ON c.row_id = r.id
      GROUP BY c.txid HAVING count(DISTINCT r.tag) <> 1"

# --- indexes --------------------------------------------------------------------------
check_none "amcheck: bt_index_check (heapallindexed) passes on every btree index of schema mountaineer" "
    DO \$\$
    DECLARE i regclass;
    BEGIN
        FOR i IN SELECT c.oid FROM pg_class c JOIN pg_am a ON a.oid = c.relam
                  WHERE c.relkind = 'i' AND a.amname = 'btree' AND c.relnamespace = 'mountaineer'::regnamespace LOOP
            BEGIN
                PERFORM bt_index_check(i, true);
            EXCEPTION WHEN OTHERS THEN
                RAISE WARNING '%: % (%)', i, SQLERRM, SQLSTATE;
            END;
        END LOOP;
    END \$\$"
echo "# $(q -c "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
                WHERE a.amname = 'btree' AND c.relnamespace = 'mountaineer'::regnamespace") btree indexes checked"
# bt_index_check does not look for duplicates before PostgreSQL 16: rebuild
# every unique index (and roll the rebuilds back), which does.
check_none "every unique index of schema mountaineer still holds (rebuilt without a duplicate)" "
    BEGIN;
    DO \$\$
    DECLARE i regclass;
    BEGIN
        FOR i IN SELECT x.indexrelid FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                  WHERE x.indisunique AND c.relnamespace = 'mountaineer'::regnamespace LOOP
            BEGIN
                EXECUTE format('REINDEX INDEX %s', i);
            EXCEPTION WHEN OTHERS THEN
                RAISE WARNING '%: % (%)', i, SQLERRM, SQLSTATE;
            END;
        END LOOP;
    END \$\$;
    ROLLBACK;"
# amcheck has no GiST check before PostgreSQL 18: instead every row must be
# found by a lookup through the GiST indexes the allocator and the prefix
# tree rely on (the plan is checked to make sure the lookups use them).
gist="SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_hashjoin = off;
      SET enable_mergejoin = off; SET jit = off;"
gq1="SELECT 'prefix', p.id FROM mountaineer.prefix p
      WHERE NOT EXISTS (SELECT FROM mountaineer.prefix x WHERE mountaineer.vrf_key(x.vrf_id) = mountaineer.vrf_key(p.vrf_id)
                          AND x.prefix >>= p.prefix AND x.prefix <<= p.prefix AND x.id::text = p.id::text)"
gq2="SELECT 'ip_address', a.id FROM mountaineer.ip_address a
      WHERE NOT EXISTS (SELECT FROM mountaineer.ip_address x WHERE mountaineer.vrf_key(x.vrf_id) = mountaineer.vrf_key(a.vrf_id)
                          AND x.host_addr >>= a.host_addr AND x.host_addr <<= a.host_addr AND x.id::text = a.id::text)"
check_none "the GiST indexes (prefix tree, addresses) find every row" "$gist $gq1; $gq2"
plan=$(q -c "$gist EXPLAIN $gq1; EXPLAIN $gq2" 2>&1)
if grep -q 'Index Scan using prefix_tree_idx on prefix x' <<<"$plan" \
   && grep -q 'Index Scan using ip_address_addr_idx on ip_address x' <<<"$plan"; then
    ok "... and those lookups did go through prefix_tree_idx and ip_address_addr_idx"
else
    nok "... and those lookups did go through prefix_tree_idx and ip_address_addr_idx"; diag <<<"$plan"
fi

# --- and life goes on ----------------------------------------------------------------
check_none "after recovery, allocation works, changes get fresh ids and the free space stays exact" "
    BEGIN;
    CREATE TEMP TABLE t ON COMMIT DROP AS
    SELECT (mountaineer.allocate_prefix('10.64.0.0/12', 28, NULL, 'after the crash')).id AS p,
           (mountaineer.allocate_ip('10.96.0.0/16', (SELECT id FROM mountaineer.host ORDER BY hostname LIMIT 1))).id AS a;
    SELECT 'no insert change with a fresh id for ' || x
      FROM t, unnest(ARRAY[p, a]) x
     WHERE NOT EXISTS (SELECT FROM mountaineer.change c WHERE c.row_id = x AND c.op = 'insert'
                          AND c.id > (SELECT max(c2.id) FROM mountaineer.change c2 WHERE c2.txid <> txid_current()));
    COMMIT;
    SELECT 'verify: ' || prefix FROM mountaineer.prefix_free_verify();"

echo "# $(q -c "SELECT count(*) || ' streamed rows survived, ' || count(DISTINCT tag) || ' transactions' FROM public.crash_rows")"
