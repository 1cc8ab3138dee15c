#!/usr/bin/env bash
# TAP: mountaineer_netbox against NetBox's public demo data, 3.7 and 4.1
# (modules/netbox/test/lib/netbox.sh loads each dump into a database of its own and
# reaches it through postgres_fdw, as from a live NetBox).  For each dump:
#   - the import takes under a minute;
#   - every NetBox table with rows is accounted for, object by object,
#     against the NetBox database's own counts: imported + skipped = its
#     rows (the link tables read into other rows aside), and every skipped
#     row is in netbox_import_issue;
#   - the rows are here (devices, ports by kind, cables and their ends,
#     circuits, terminations, feeds, sites, racks), unnamed devices named
#     by the rule, clashing component names renamed by the rule;
#   - netbox_verify() agrees on every cached path;
#   - a second import changes nothing and writes no change-log row.
# On 4.1 also: a change in NetBox updates exactly that row; a forced
# overlap of two devices is reported and the rest imported (the device
# keeps its place here); a cable moved in NetBox behind its cached path is
# shown by netbox_verify(); the refusals (NULL, a schema without NetBox
# tables, a reader) with their SQLSTATE and message.
# Runs against the cluster named by PGHOST/PGPORT.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/test/lib/tap.sh"
. "$top/modules/netbox/test/lib/netbox.sh"
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
work=$(mktemp -d)
# the NetBox sources go; the inventories stay, since test/final/exercised.sh
# reads their function statistics (kept per database)
dbs=(mt_netbox_41_nb mt_netbox_37_nb)
cleanup() { rm -rf "$work"; for d in "${dbs[@]}"; do dropdb --if-exists -f "$d" 2>/dev/null; done; }
trap cleanup EXIT
per_version=9
echo "1..$((2 * per_version + 15))"

# the counts of every NetBox table (through the foreign schema) against the
# import's rows: what disagrees, one line each (nothing when all agree)
count_check_sql() {   # $1: the table holding the import's result rows
    cat <<SQL
CREATE TEMP TABLE nbcount (tbl text, n bigint);
DO \$\$DECLARE t text;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'nb'::regnamespace ORDER BY 1 LOOP
        EXECUTE format('INSERT INTO nbcount SELECT %L, count(*) FROM nb.%I', t, t);
    END LOOP;
END\$\$;
-- a custom field counts once per object type it applies to (one definition
-- each), or once if it applies to none
DO \$\$DECLARE
    link text := CASE WHEN to_regclass('nb.extras_customfield_object_types') IS NOT NULL
                      THEN 'extras_customfield_object_types' ELSE 'extras_customfield_content_types' END;
    cnt  bigint;
BEGIN
    EXECUTE format('SELECT (SELECT count(*) FROM nb.%1\$I) + (SELECT count(*) FROM nb.extras_customfield f
                     WHERE NOT EXISTS (SELECT FROM nb.%1\$I l WHERE l.customfield_id = f.id))', link) INTO cnt;
    UPDATE nbcount SET n = cnt WHERE tbl = 'extras_customfield';
END\$\$;
SELECT format('%s: NetBox has %s, the import gave %s', c.tbl, c.n,
              coalesce((r.inserted + r.updated + r.unchanged)::text || ' + ' || r.skipped || ' skipped', 'no row'))
  FROM nbcount c LEFT JOIN $1 r ON r.object = c.tbl
 WHERE c.n > 0
   AND c.tbl NOT IN ('extras_taggeditem', 'extras_customfield_object_types', 'extras_customfield_content_types',
                     'extras_customfieldchoiceset')
   AND (r.object IS NULL OR r.inserted + r.updated + r.unchanged + r.skipped <> c.n)
UNION ALL
SELECT format('%s: %s skipped but %s reported', r.object, r.skipped,
              (SELECT count(*) FROM mountaineer.netbox_import_issue i WHERE i.source = 'nb' AND i.object = r.object AND i.rule NOT IN ('rounded_up', 'renamed')))
  FROM $1 r
 WHERE r.skipped > 0
   AND r.skipped <> (SELECT count(*) FROM mountaineer.netbox_import_issue i
                      WHERE i.source = 'nb' AND i.object = r.object AND i.netbox_id IS NOT NULL AND i.rule NOT IN ('rounded_up', 'renamed'))
   AND NOT EXISTS (SELECT FROM mountaineer.netbox_import_issue i
                    WHERE i.source = 'nb' AND i.object = r.object AND i.netbox_id IS NULL
                      AND i.detail LIKE r.skipped || ' row(s): %')
UNION ALL
SELECT format('%s: %s made but %s in netbox_map', r.object, r.inserted + r.updated + r.unchanged,
              (SELECT count(*) FROM mountaineer.netbox_map m WHERE m.source = 'nb' AND m.object = r.object))
  FROM $1 r
 WHERE r.object <> 'extras_customfield' AND r.inserted + r.updated + r.unchanged > 0
   AND r.inserted + r.updated + r.unchanged
       <> (SELECT count(*) FROM mountaineer.netbox_map m WHERE m.source = 'nb' AND m.object = r.object);
SQL
}

# rows here against the NetBox database (through the foreign schema)
rows_check_sql() {
    cat <<'SQL'
WITH here AS (
    SELECT 'device' AS what, (SELECT count(*) FROM mountaineer.device d JOIN mountaineer.netbox_map m ON m.id = d.id
                               WHERE m.source = 'nb' AND m.object = 'dcim_device') AS n, (SELECT count(*) FROM nb.dcim_device) AS want
    UNION ALL SELECT 'site', (SELECT count(*) FROM mountaineer.site s JOIN mountaineer.netbox_map m ON m.id = s.id AND m.object = 'dcim_site' AND m.source = 'nb'),
                     (SELECT count(*) FROM nb.dcim_site)
    UNION ALL SELECT 'rack', (SELECT count(*) FROM mountaineer.rack r JOIN mountaineer.netbox_map m ON m.id = r.id AND m.object = 'dcim_rack' AND m.source = 'nb'),
                     (SELECT count(*) FROM nb.dcim_rack)
    UNION ALL SELECT 'interface', (SELECT count(*) FROM mountaineer.port p JOIN mountaineer.netbox_map m ON m.id = p.id AND m.object = 'dcim_interface' AND m.source = 'nb'
                                    WHERE p.kind = 'interface'), (SELECT count(*) FROM nb.dcim_interface)
    UNION ALL SELECT 'front_port', (SELECT count(*) FROM mountaineer.port p JOIN mountaineer.netbox_map m ON m.id = p.id AND m.object = 'dcim_frontport' AND m.source = 'nb'
                                     WHERE p.kind = 'front_port' AND p.rear_port_id IS NOT NULL), (SELECT count(*) FROM nb.dcim_frontport)
    UNION ALL SELECT 'rear_port', (SELECT count(*) FROM mountaineer.port p JOIN mountaineer.netbox_map m ON m.id = p.id AND m.object = 'dcim_rearport' AND m.source = 'nb'
                                    WHERE p.kind = 'rear_port'), (SELECT count(*) FROM nb.dcim_rearport)
    UNION ALL SELECT 'outlet with its power port', (SELECT count(*) FROM mountaineer.port p WHERE p.kind = 'power_outlet' AND p.power_port_id IS NOT NULL),
                     (SELECT count(*) FROM nb.dcim_poweroutlet WHERE power_port_id IS NOT NULL)
    UNION ALL SELECT 'power_feed', (SELECT count(*) FROM mountaineer.power_feed f JOIN mountaineer.netbox_map m ON m.id = f.id AND m.object = 'dcim_powerfeed' AND m.source = 'nb'),
                     (SELECT count(*) FROM nb.dcim_powerfeed)
    UNION ALL SELECT 'cable', (SELECT count(*) FROM mountaineer.cable c JOIN mountaineer.netbox_map m ON m.id = c.id AND m.object = 'dcim_cable' AND m.source = 'nb'),
                     (SELECT count(*) FROM nb.dcim_cable)
    UNION ALL SELECT 'cable_end', (SELECT count(*) FROM mountaineer.cable_end e JOIN mountaineer.netbox_map m ON m.id = e.id AND m.object = 'dcim_cabletermination' AND m.source = 'nb'),
                     (SELECT count(*) FROM nb.dcim_cabletermination)
    UNION ALL SELECT 'circuit', (SELECT count(*) FROM mountaineer.circuit c JOIN mountaineer.netbox_map m ON m.id = c.id AND m.object = 'circuits_circuit' AND m.source = 'nb'),
                     (SELECT count(*) FROM nb.circuits_circuit)
    UNION ALL SELECT 'circuit_termination', (SELECT count(*) FROM mountaineer.circuit_termination t JOIN mountaineer.netbox_map m ON m.id = t.id
                                               AND m.object = 'circuits_circuittermination' AND m.source = 'nb'),
                     (SELECT count(*) FROM nb.circuits_circuittermination)
    UNION ALL SELECT 'tagged sites (tags)', (SELECT sum(cardinality(s.tags)) FROM mountaineer.site s JOIN mountaineer.netbox_map m ON m.id = s.id AND m.object = 'dcim_site'),
                     (SELECT count(*) FROM nb.extras_taggeditem t JOIN nb.django_content_type c ON c.id = t.content_type_id
                       WHERE c.app_label = 'dcim' AND c.model = 'site')
    UNION ALL SELECT 'tenants with cust_id', (SELECT count(*) FROM mountaineer.tenant t WHERE t.attributes ? 'cust_id'),
                     (SELECT count(*) FROM nb.tenancy_tenant WHERE custom_field_data ->> 'cust_id' <> '')
    UNION ALL SELECT 'unnamed devices named "<model> #<id>"',
                     (SELECT count(*) FROM mountaineer.device d JOIN mountaineer.netbox_map m ON m.id = d.id AND m.object = 'dcim_device' AND m.source = 'nb'
                        JOIN nb.dcim_device nd ON nd.id = m.netbox_id JOIN nb.dcim_devicetype nt ON nt.id = nd.device_type_id
                       WHERE d.name = nt.model || ' #' || nd.id),
                     (SELECT count(*) FROM nb.dcim_device WHERE name IS NULL OR name = '')
    UNION ALL SELECT 'devices found by netbox_ref() as in netbox_map',
                     (SELECT count(*) FROM mountaineer.netbox_map m WHERE m.source = 'nb' AND m.object = 'dcim_device'
                         AND mountaineer.netbox_ref('nb', 'dcim_device', m.netbox_id) = m.id),
                     (SELECT count(*) FROM nb.dcim_device)
    UNION ALL SELECT 'rear ports renamed "<name> (rear)" beside a front port of that name',
                     (SELECT count(*) FROM mountaineer.port p JOIN mountaineer.netbox_map m ON m.id = p.id AND m.object = 'dcim_rearport' AND m.source = 'nb'
                       WHERE p.name LIKE '% (rear)'),
                     (SELECT count(*) FROM nb.dcim_rearport r WHERE EXISTS (SELECT FROM nb.dcim_frontport f WHERE f.device_id = r.device_id AND f.name = r.name)))
SELECT format('%s: %s here, %s in NetBox', what, n, want) FROM here WHERE n IS DISTINCT FROM want;
SQL
}

changes() { q -d "$1" -c 'SELECT coalesce(max(id), 0) FROM mountaineer.change'; }

for v in 4.1 3.7; do
    db=mt_netbox_${v/./}
    if ! netbox_setup "$v" "$db" nb 2>"$work/setup.err"; then
        nok "NetBox $v: the demo dump loaded and reached through postgres_fdw: $(head -3 "$work/setup.err" | tr '\n' ' ')"
        for i in $(seq 2 $per_version); do nok "NetBox $v # not run (no NetBox database)"; done
        [ "$v" = 4.1 ] && for i in $(seq 1 15); do nok "NetBox 4.1 # not run (no NetBox database)"; done
        continue
    fi
    ok "NetBox $v: the demo dump loaded and reached through postgres_fdw (schema nb)"

    t0=$(date +%s.%N)
    q -d "$db" -c "CREATE TABLE t_import1 AS SELECT * FROM mountaineer.netbox_import('nb')" 2>"$work/import.err"
    rc=$?
    secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    check "NetBox $v: netbox_import('nb') succeeds in under a minute (${secs}s) $(head -2 "$work/import.err" | tr '\n' ' ')" \
        '[ $rc -eq 0 ] && awk -v s="$secs" "BEGIN { exit !(s < 60) }"'

    got=$(count_check_sql t_import1 | q -d "$db" 2>&1)
    check "NetBox $v: every table with rows: imported + skipped = NetBox's rows, every skipped row reported, every made row mapped${got:+: $got}" \
        '[ -z "$got" ]'
    got=$(rows_check_sql | q -d "$db" 2>&1)
    check "NetBox $v: the rows are here, object by object (devices, ports by kind, cables, ends, circuits, feeds, tags, attributes, naming rules)${got:+: $got}" \
        '[ -z "$got" ]'
    got=$(q -d "$db" -c "SELECT count(*), count(*) FILTER (WHERE agrees), (SELECT count(*) FROM nb.dcim_cablepath) FROM mountaineer.netbox_verify('nb')" 2>&1)
    check "NetBox $v: netbox_verify agrees on every cached path (paths|agreeing|NetBox's paths: $got)" \
        '[ "$(echo "$got" | cut -d"|" -f1)" -gt 100 ] && [ "$(echo "$got" | cut -d"|" -f1)" = "$(echo "$got" | cut -d"|" -f2)" ] && [ "$(echo "$got" | cut -d"|" -f1)" = "$(echo "$got" | cut -d"|" -f3)" ]'
    got=$(q -d "$db" -c "SELECT count(*) FROM mountaineer.netbox_import_issue WHERE source = 'nb' AND rule NOT IN ('not_modelled', 'rounded_up', 'renamed')")
    check "NetBox $v: the demo breaks none of this system's rules here (issues other than not_modelled and the notes rounded_up, renamed: $got)" '[ "$got" = 0 ]'

    before=$(changes "$db")
    got=$(q -d "$db" -c "CREATE TABLE t_import2 AS SELECT * FROM mountaineer.netbox_import('nb')" \
               -c "SELECT coalesce(sum(inserted), -1), coalesce(sum(updated), -1), sum(unchanged) FROM t_import2" 2>&1)
    after=$(changes "$db")
    check "NetBox $v: a second import is all unchanged (inserted|updated|unchanged: $got)" \
        '[ "$(echo "$got" | cut -d"|" -f1-2)" = "0|0" ] && [ "$(echo "$got" | cut -d"|" -f3)" -gt 4000 ]'
    check "NetBox $v: and writes no change-log row (last change $before, then $after)" '[ "$before" = "$after" ]'
    got=$(q -d "$db" -c "SELECT count(*) FROM t_import1 a FULL JOIN t_import2 b USING (object) WHERE a.skipped IS DISTINCT FROM b.skipped
                                   OR a.inserted + a.updated + a.unchanged IS DISTINCT FROM b.inserted + b.updated + b.unchanged")
    check "NetBox $v: the second import accounts for every table as the first did ($got differ)" '[ "$got" = 0 ]'

    [ "$v" = 4.1 ] || continue
    nb=${db}_nb

    # --- a change in NetBox: exactly that row updated ------------------------
    q -d "$nb" -c "UPDATE dcim_device SET serial = 'MT-CHANGED-1' WHERE id = (SELECT min(id) FROM dcim_device WHERE rack_id IS NOT NULL)"
    before=$(changes "$db")
    got=$(q -d "$db" -c "SELECT string_agg(object || '|' || updated, ',' ORDER BY object) FROM mountaineer.netbox_import('nb') WHERE inserted + updated > 0")
    after=$(changes "$db")
    check "NetBox 4.1: a device's serial changed in NetBox updates that device only (tables with writes: $got)" '[ "$got" = "dcim_device|1" ]'
    got=$(q -d "$db" -c "SELECT d.serial FROM mountaineer.device d JOIN mountaineer.netbox_map m ON m.id = d.id
                          WHERE m.object = 'dcim_device' AND m.netbox_id = (SELECT min(id) FROM nb.dcim_device WHERE rack_id IS NOT NULL)")
    check "NetBox 4.1: the device here has the new serial ($got), one change-log row (changes $before → $after)" \
        '[ "$got" = MT-CHANGED-1 ] && [ "$after" = $((before + 1)) ]'

    # --- a forced overlap: reported, the rest imported ----------------------
    # the second device of a rack put where the first is, on the other face:
    # NetBox's own key (rack, position, face) lets it in, but both types are
    # full depth, so here both take both faces
    read -r moved other <<<"$(q -d "$nb" -F' ' -c "
        SELECT b.id, a.id FROM dcim_device a JOIN dcim_device b ON b.rack_id = a.rack_id AND b.id > a.id
          JOIN dcim_devicetype ta ON ta.id = a.device_type_id JOIN dcim_devicetype tb ON tb.id = b.device_type_id
         WHERE a.position IS NOT NULL AND b.position IS NOT NULL AND ta.is_full_depth AND tb.is_full_depth
           AND ta.u_height = 1 AND tb.u_height = 1
         ORDER BY a.id, b.id LIMIT 1")"
    q -d "$nb" -c "UPDATE dcim_device b SET position = a.position, face = CASE a.face WHEN 'front' THEN 'rear' ELSE 'front' END
                     FROM dcim_device a WHERE a.id = $other AND b.id = $moved"
    was=$(q -d "$db" -c "SELECT d.position FROM mountaineer.device d JOIN mountaineer.netbox_map m ON m.id = d.id AND m.object = 'dcim_device' AND m.netbox_id = $moved")
    got=$(q -d "$db" -c "SELECT string_agg(object || '|' || inserted || '|' || updated || '|' || skipped, ',' ORDER BY object)
                           FROM mountaineer.netbox_import('nb') WHERE inserted + updated > 0 OR object = 'dcim_device'")
    check "NetBox 4.1: device $moved moved onto device $other in NetBox: refused here, counted skipped, nothing else written ($got)" \
        '[ "$got" = "dcim_device|0|0|1" ]'
    got=$(q -d "$db" -c "SELECT rule || ': ' || detail FROM mountaineer.netbox_import_issue WHERE source = 'nb' AND object = 'dcim_device' AND netbox_id = $moved")
    check "NetBox 4.1: the issue names the rule and both devices' units: $got" \
        '[[ "$got" == device_rack_id_position_excl:*conflicting\ key\ value* ]]'
    got=$(q -d "$db" -c "SELECT d.position FROM mountaineer.device d JOIN mountaineer.netbox_map m ON m.id = d.id AND m.object = 'dcim_device' AND m.netbox_id = $moved")
    check "NetBox 4.1: the refused device keeps its place here ($was, now $got) and its ports and cables" \
        '[ -n "$got" ] && [ "$got" = "$was" ]'
    got=$(q -d "$db" -c "SELECT count(*) FILTER (WHERE NOT agrees) FROM mountaineer.netbox_verify('nb')")
    check "NetBox 4.1: netbox_verify still agrees everywhere ($got disagree)" '[ "$got" = 0 ]'

    # --- a cable moved in NetBox behind its cached path ----------------------
    # one end of a cable from an interface put on a free interface of the
    # same device; NetBox's dcim_cablepath is left as it was (stale)
    read -r term iface <<<"$(q -d "$nb" -F' ' -c "
        SELECT t.id, f.id FROM dcim_cabletermination t
          JOIN django_content_type c ON c.id = t.termination_type_id AND c.app_label = 'dcim' AND c.model = 'interface'
          JOIN dcim_interface i ON i.id = t.termination_id
          JOIN dcim_interface f ON f.device_id = i.device_id AND f.cable_id IS NULL AND f.type NOT IN ('virtual', 'lag')
         WHERE EXISTS (SELECT FROM dcim_cablepath p WHERE p.path -> 0 ->> 0 = c.id || ':' || i.id)
         ORDER BY t.id, f.id LIMIT 1")"
    q -d "$nb" -c "UPDATE dcim_cabletermination SET termination_id = $iface WHERE id = $term"
    got=$(q -d "$db" -c "SELECT string_agg(object || '|' || updated, ',' ORDER BY object) FROM mountaineer.netbox_import('nb') WHERE inserted + updated > 0")
    check "NetBox 4.1: the moved cable end is updated here (tables with writes: $got)" '[ "$got" = "dcim_cabletermination|1" ]'
    got=$(q -d "$db" -c "SELECT count(*) FILTER (WHERE NOT agrees), string_agg(origin, ', ') FILTER (WHERE NOT agrees) FROM mountaineer.netbox_verify('nb')")
    check "NetBox 4.1: netbox_verify shows the stale NetBox path(s) through it: $got" \
        '[ "$(echo "$got" | cut -d"|" -f1)" -ge 1 ] && [ "$(echo "$got" | cut -d"|" -f1)" -le 2 ]'

    # --- two imports of one source at once ----------------------------------
    # A imports and holds its transaction open; B's import then waits for A
    # (seen in pg_locks, not guessed with a sleep); after A commits, B
    # replaces A's issues instead of adding its own to them
    issues=$(q -d "$db" -c "SELECT count(*) FROM mountaineer.netbox_import_issue WHERE source = 'nb'")
    mkfifo "$work/a.in"
    psql -X -q -At -d "$db" <"$work/a.in" >"$work/a.out" 2>&1 &
    apid=$!
    exec 3>"$work/a.in"
    echo "BEGIN; SELECT count(*) FROM mountaineer.netbox_import('nb'); SELECT 'imported';" >&3
    for i in $(seq 1 600); do grep -q imported "$work/a.out" && break; sleep 0.1; done
    q -d "$db" -c "SELECT count(*) FROM mountaineer.netbox_import('nb')" >"$work/b.out" 2>&1 &
    bpid=$!
    waited=no
    for i in $(seq 1 600); do
        if [ "$(q -d "$db" -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                                WHERE NOT l.granted AND l.locktype = 'advisory' AND a.query LIKE '%netbox_import(%'")" = 1 ]; then
            waited=yes; break
        fi
        sleep 0.1
    done
    echo "COMMIT;" >&3
    exec 3>&-
    wait $apid; wait $bpid
    got=$(q -d "$db" -c "SELECT count(*) FROM mountaineer.netbox_import_issue WHERE source = 'nb'")
    check "NetBox 4.1: a second import of a source waits for the first (waited: $waited) and replaces its issues ($issues before, $got after)" \
        '[ $waited = yes ] && [ "$got" = "$issues" ] && grep -q "^[0-9]" "$work/b.out"'

    # --- refusals ------------------------------------------------------------
    err() { q -d "$db" -c "DO \$\$BEGIN PERFORM $1; EXCEPTION WHEN OTHERS THEN RAISE NOTICE '%|%', SQLSTATE, SQLERRM; END\$\$" 2>&1 | sed 's/^NOTICE: *//'; }
    got=$(err "mountaineer.netbox_import(NULL)")
    check "netbox_import(NULL): $got" '[ "$got" = "22004|netbox_import: source must not be NULL" ]'
    got=$(err "mountaineer.netbox_import('public')")
    check "netbox_import of a schema without NetBox tables: $got" \
        '[ "$got" = "42P01|netbox_import: schema public holds no NetBox tables (no public.dcim_site)" ]'
    got=$(err "mountaineer.netbox_verify(NULL)")
    check "netbox_verify(NULL): $got" '[ "$got" = "22004|netbox_verify: source must not be NULL" ]'
    got=$(err "mountaineer.netbox_verify('public')")
    check "netbox_verify of a schema without NetBox cable paths: $got" \
        '[ "$got" = "42P01|netbox_verify: schema public holds no NetBox cable paths (no public.dcim_cablepath)" ]'
    # a reader may verify: with a mapping for everyone to the NetBox database
    # and SELECT on the foreign tables
    got=$(q -d "$db" -c "CREATE USER MAPPING FOR PUBLIC SERVER nb OPTIONS (user '${PGUSER:-postgres}', password_required 'false')" \
                     -c "GRANT USAGE ON SCHEMA nb TO mountaineer_reader" -c "GRANT SELECT ON ALL TABLES IN SCHEMA nb TO mountaineer_reader" \
                     -c "SET ROLE mountaineer_reader" -c "SELECT count(*) FROM mountaineer.netbox_verify('nb')" 2>&1)
    check "netbox_verify by a reader: $got paths" '[ "$got" = 154 ]'
    got=$(q -d "$db" -c "SET ROLE mountaineer_reader" -c "SELECT mountaineer.netbox_import('nb')" 2>&1 | head -1)
    check "netbox_import by a reader is refused (42501): $got" \
        '[ "$got" = "ERROR:  permission denied for function netbox_import" ]'
done
