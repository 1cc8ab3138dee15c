#!/usr/bin/env bash
# TAP: the inventory survives pg_dump and a restore done the plain way, as
# PostgreSQL documents it, by the database owner:
#     pg_dump -Fc db | pg_restore -d new
#     pg_dump db | psql new
#     pg_dump -Fd -j 2 -f dir db && pg_restore --single-transaction -d new dir
# (Not pg_restore -j: a parallel restore loads tables in any order, while an
# extension's tables already have their foreign keys when their rows arrive;
# PostgreSQL restores those one job at a time, as for every such extension.)
# A database gets every extension, every module's demo estate and history,
# and rows stored so that a plain COPY meets them in an awkward order (a
# front port before the rear port it maps to, a host before the host it runs
# on, a cable before its ends).  Every table registered by a mountaineer
# extension must be non-empty there and come back with the same rows, with
# no change-log row added or lost, the derived free space exact, and the
# rules and the change log working again afterwards.  Runs against the
# cluster named by PGHOST/PGPORT (tools/test.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
modules=(${MOUNTAINEER_MODULES:-$(sed -n 's/^MOUNTAINEER_MODULES *= *//p' "$top/Makefile")})
src=mt_dump_src
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
. "$top/test/lib/tap.sh"

dropdb --if-exists -f $src 2>/dev/null
createdb $src || { echo "Bail out! cannot create a database"; exit 1; }
q -d $src -c 'CREATE EXTENSION mountaineer' >/dev/null
for m in "${modules[@]}"; do q -d $src -c "SET client_min_messages = warning" -c "CREATE EXTENSION mountaineer_$m CASCADE" >/dev/null; done
# An UPDATE below moves rows after those that refer to them only while no
# vacuum has recorded free space in earlier pages: autovacuum stays off the
# two tables until then
for t in mountaineer.port mountaineer.host; do
    q -d $src -c "DO \$\$BEGIN IF to_regclass('$t') IS NOT NULL THEN ALTER TABLE $t SET (autovacuum_enabled = off); END IF; END\$\$" >/dev/null
done
for m in "${modules[@]}"; do
    f=$top/modules/$m/demo/estate.sql
    [ -f "$f" ] && q -d $src -f "$f" >/dev/null
done
# History on a table of the user's own too, so the change log has rows
# whatever modules exist; and, where the modules exist, rows that a restore
# meets out of order: an UPDATE moves a row to the end of its table, so COPY
# writes it after the rows that refer to it.
q -d $src >/dev/null <<'SQL'
CREATE TABLE public.probe (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), n int);
CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON public.probe
    FOR EACH ROW EXECUTE FUNCTION mountaineer.log_change();
INSERT INTO public.probe (n) SELECT g FROM generate_series(1, 20) g;
UPDATE public.probe SET n = n * 10 WHERE n % 2 = 0;
DELETE FROM public.probe WHERE n % 3 = 0;
-- an outbox consumer and its cursor (mountaineer.event_consumer)
SELECT count(*) FROM mountaineer.events_since('dump-check', 10);
SELECT mountaineer.events_ack('dump-check', handed_id) FROM mountaineer.event_consumer WHERE name = 'dump-check';
-- an import's map (mountaineer.import_source, mountaineer.import_key)
SELECT * FROM mountaineer.import_rows('dump-check', 'probe', 'public.probe', '[{"key": "p-1", "row": {"n": 7}}]');
DO $$
BEGIN
    IF to_regclass('mountaineer.port') IS NOT NULL THEN
        -- a new version may also take a line pointer that page pruning
        -- freed before the front ports: again until one front port is first
        FOR i IN 1..20 LOOP
            UPDATE mountaineer.port SET name = name WHERE kind = 'rear_port';
            EXIT WHEN EXISTS (SELECT FROM mountaineer.port f JOIN mountaineer.port r ON r.id = f.rear_port_id
                               WHERE f.ctid < r.ctid);
        END LOOP;
        UPDATE mountaineer.cable SET color = 'blue' WHERE label IS NOT NULL;
        INSERT INTO mountaineer.cable (label, status) VALUES ('spare, not yet run', 'planned');
    END IF;
    -- what a NetBox import reports (mountaineer_netbox), as it would write it
    IF to_regclass('mountaineer.netbox_import_issue') IS NOT NULL THEN
        PERFORM mountaineer.netbox_issue('netbox', 'dcim_virtualchassis', 1, 'not_modelled', 'virtual chassis are not modelled');
    END IF;
    IF to_regclass('mountaineer.host') IS NOT NULL THEN
        FOR i IN 1..20 LOOP   -- as the rear ports above
            UPDATE mountaineer.host SET operating_system = coalesce(operating_system, 'linux')
             WHERE id IN (SELECT parent_host_id FROM mountaineer.host);
            EXIT WHEN EXISTS (SELECT FROM mountaineer.host c JOIN mountaineer.host p ON p.id = c.parent_host_id
                               WHERE c.ctid < p.ctid);
        END LOOP;
    END IF;
END
$$;
SQL
for t in mountaineer.port mountaineer.host; do
    q -d $src -c "DO \$\$BEGIN IF to_regclass('$t') IS NOT NULL THEN ALTER TABLE $t RESET (autovacuum_enabled); END IF; END\$\$" >/dev/null
done

# PowerDNS's own tables that the inventory does not fill (mountaineer_dns):
# a row each, as PowerDNS or its operator would write them
if [ -n "$(q -d $src -c "SELECT to_regclass('pdns.supermasters')")" ]; then
    q -d $src >/dev/null <<'SQL' || echo "Bail out! cannot fill PowerDNS's tables"
INSERT INTO pdns.domainmetadata (domain_id, kind, content) SELECT min(id), 'ALSO-NOTIFY', '192.0.2.53' FROM pdns.domains;
INSERT INTO pdns.tsigkeys (name, algorithm, secret) VALUES ('xfr', 'hmac-sha256', 'c2VjcmV0');
INSERT INTO pdns.cryptokeys (domain_id, flags, active, content) SELECT min(id), 257, false, 'x' FROM pdns.domains;
INSERT INTO pdns.comments (domain_id, name, type, modified_at, comment) SELECT d.id, d.name, 'SOA', 0, 'dumped' FROM pdns.domains d ORDER BY d.id LIMIT 1;
INSERT INTO pdns.supermasters (ip, nameserver, account) VALUES ('192.0.2.1', 'ns.example', 'dumped');
SQL
fi
# the REST API's secret, as tools/api.sh setup stores it for login()
q -d $src -c "INSERT INTO mountaineer.api_secret (secret) VALUES ('dump-restore-check-secret-of-40-characters')
              ON CONFLICT (id) DO UPDATE SET secret = excluded.secret" >/dev/null || echo "Bail out! cannot store the API secret"

tables=$(q -d $src -c "SELECT c::regclass FROM pg_extension e, unnest(e.extconfig) c
                        WHERE e.extname LIKE 'mountaineer%' AND (SELECT relkind FROM pg_class WHERE oid = c) IN ('r', 'p')
                        ORDER BY 1")
forms=("pg_dump -Fc | pg_restore" "pg_dump | psql" "pg_dump -Fd -j 2, pg_restore --single-transaction")
echo "1..$(( 1 + ${#forms[@]} * ($(wc -w <<<"$tables") + 7) ))"

empty=$(for t in $tables; do [ "$(q -d $src -c "SELECT count(*) FROM $t")" = 0 ] && echo "$t"; done)
# COPY writes a table in its physical order: the rows above must really
# come before the rows they refer to
awkward=$(q -d $src -c "
    SELECT concat_ws(', ',
        CASE WHEN to_regclass('mountaineer.port') IS NULL OR EXISTS (SELECT FROM mountaineer.port f JOIN mountaineer.port r ON r.id = f.rear_port_id WHERE f.ctid < r.ctid)
             THEN NULL ELSE 'no front port before its rear port' END,
        CASE WHEN to_regclass('mountaineer.host') IS NULL OR EXISTS (SELECT FROM mountaineer.host c JOIN mountaineer.host p ON p.id = c.parent_host_id WHERE c.ctid < p.ctid)
             THEN NULL ELSE 'no host before the host it runs on' END)")
check "every registered table has rows to restore${empty:+ (empty: $(echo $empty))}, some before the rows they refer to${awkward:+ ($awkward)}" \
      "[ -z '$empty' ] && [ -z '$awkward' ]"

contents() { q -d "$1" -c "SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, E'\n' ORDER BY x::text)), '-') FROM $2 x"; }

for i in "${!forms[@]}"; do
    form=${forms[$i]} dst=mt_dump_dst$i
    dropdb --if-exists -f $dst 2>/dev/null
    createdb $dst
    case $i in
        0) pg_dump -Fc -d $src 2>/dev/null | pg_restore -d $dst >"$work/out" 2>&1 ;;
        1) pg_dump -d $src 2>/dev/null | psql -X -q -v ON_ERROR_STOP=1 -d $dst >"$work/out" 2>&1 ;;
        2) rm -rf "$work/dir"
           pg_dump -Fd -j 2 -d $src -f "$work/dir" 2>/dev/null &&
           pg_restore --single-transaction -d $dst "$work/dir" >"$work/out" 2>&1 ;;
    esac
    rc=$?
    check "$form: restores with no error" "[ $rc = 0 ] && ! grep -q ERROR '$work/out'"
    [ $rc = 0 ] || sed 's/^/# /' "$work/out" | head -20

    for t in $tables; do
        a=$(contents $src "$t"); b=$(contents $dst "$t")
        check "$form: $t: the same ${a%% *} rows" "[ '$a' = '$b' ]"
    done
    check "$form: the change log has the same ids, none added" \
          "[ \"\$(q -d $src -c 'SELECT min(id), max(id), count(*) FROM mountaineer.change')\" = \"\$(q -d $dst -c 'SELECT min(id), max(id), count(*) FROM mountaineer.change')\" ]"
    if [ -n "$(q -d $dst -c "SELECT to_regproc('mountaineer.prefix_free_verify')")" ]; then
        check "$form: the derived free space is exact (prefix_free_verify() is empty)" \
              "[ \"\$(q -d $dst -c 'SELECT count(*) FROM mountaineer.prefix_free_verify()')\" = 0 ]"
    else
        ok "$form: no free space to verify (networks module absent) # SKIP"
    fi
    # afterwards, an ordinary session is logged and checked again
    check "$form: a new change gets the next id" \
          "[ \"\$(q -d $dst -c 'INSERT INTO public.probe (n) VALUES (1)' -c 'SELECT max(id) FROM mountaineer.change')\" -gt \"\$(q -d $src -c 'SELECT max(id) FROM mountaineer.change')\" ]"
    check "$form: the user's own trigger on an inventory-style table came back" \
          "[ \"\$(q -d $dst -c \"SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.probe'::regclass\")\" = 1 ]"
    if [ -n "$(q -d $dst -c "SELECT to_regclass('mountaineer.cable')")" ]; then
        err=$(q -d $dst -c "INSERT INTO mountaineer.cable (label) VALUES ('no ends')" 2>&1)
        check "$form: the rules hold after the restore (a connected cable with no ends is refused)" \
              "grep -q 'has no end on side a and b' <<<'$err'"
        check "$form: COPY by the owner outside a restore is checked and logged like any insert" \
              "printf 'copied-site\n' | q -d $dst -c 'COPY mountaineer.site (name) FROM STDIN' &&
               [ \"\$(q -d $dst -c \"SELECT count(*) FROM mountaineer.change WHERE table_name = 'site' AND after->>'name' = 'copied-site'\")\" = 1 ]"
    else
        ok "$form: no cables (hardware module absent) # SKIP"
        ok "$form: no sites (hardware module absent) # SKIP"
    fi
    dropdb -f $dst
done
dropdb -f $src
