#!/usr/bin/env bash
# TAP: netbox_import's IPAM and virtualization part on both NetBox demo
# dumps (3.7 and 4.1), each loaded into a database of its own and read
# through postgres_fdw.  Before the import the NetBox data is given what the
# demo lacks: an address on a device interface (the device's primary IPv4),
# an address on a VM interface (the VM's primary IPv4), a device in a
# cluster, a VM's sizes, and a duplicate address in a VRF (NetBox allows it
# where enforce_unique is off).  Checked: every ipam_* / virtualization_*
# table with rows accounted for row by row against NetBox's own counts
# (imported + skipped = its rows, the skipped ones in netbox_import_issue);
# the address on the device's port and host, the VM's on the VM's host,
# canonical from primary_ip4; the duplicate reported as an issue; a
# re-import all unchanged with no change-log row; one NetBox change picked
# up as exactly one update.  Runs against the cluster named by PGHOST/PGPORT
# (tools/test.sh).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/test/lib/tap.sh"
. "$here/test/lib/netbox.sh"

versions="4.1 3.7"
per_version=14
echo "1..$(( $(wc -w <<<"$versions") * per_version ))"

for v in $versions; do
    db=mt_nbipam_${v/./}
    nb=${db}_nb
    t() { netbox_psql -d "$db" "$@"; }      # the database importing
    s() { netbox_psql -d "$nb" "$@"; }      # NetBox's own
    if ! netbox_setup "$v" "$db" netbox >/dev/null; then
        for i in $(seq $per_version); do nok "$v: NetBox $v set up"; done
        continue
    fi

    # what the demo lacks, made in NetBox's own tables
    dev=$(s -c "SELECT d.id FROM dcim_device d WHERE d.name IS NOT NULL AND EXISTS (SELECT FROM dcim_interface i WHERE i.device_id = d.id) ORDER BY d.id LIMIT 1")
    ifc=$(s -c "SELECT min(id) FROM dcim_interface WHERE device_id = $dev")
    vm=$(s -c "SELECT v.id FROM virtualization_virtualmachine v WHERE EXISTS (SELECT FROM virtualization_vminterface i WHERE i.virtual_machine_id = v.id) ORDER BY v.id LIMIT 1")
    vmifc=$(s -c "SELECT min(id) FROM virtualization_vminterface WHERE virtual_machine_id = $vm")
    read -r a_dev a_vm a_dup <<<"$(s -F ' ' -c "SELECT (array_agg(id ORDER BY id))[1], (array_agg(id ORDER BY id))[2], (array_agg(id ORDER BY id))[3]
                                                FROM ipam_ipaddress WHERE assigned_object_id IS NULL AND vrf_id IS NOT NULL")"
    member=$(s -c "SELECT min(id) FROM dcim_device WHERE name IS NOT NULL AND id <> $dev")
    dup=$(s <<SQL
UPDATE ipam_ipaddress SET assigned_object_type_id = (SELECT id FROM django_content_type WHERE app_label = 'dcim' AND model = 'interface'),
       assigned_object_id = $ifc WHERE id = $a_dev;
UPDATE dcim_device SET primary_ip4_id = $a_dev WHERE id = $dev;
UPDATE ipam_ipaddress SET assigned_object_type_id = (SELECT id FROM django_content_type WHERE app_label = 'virtualization' AND model = 'vminterface'),
       assigned_object_id = $vmifc WHERE id = $a_vm;
UPDATE virtualization_virtualmachine SET primary_ip4_id = $a_vm, vcpus = 2.5, memory = 4096, disk = 20 WHERE id = $vm;
UPDATE dcim_device SET cluster_id = (SELECT min(id) FROM virtualization_cluster) WHERE id = $member;
UPDATE ipam_vrf SET enforce_unique = false WHERE id = (SELECT vrf_id FROM ipam_ipaddress WHERE id = $a_dup);
INSERT INTO ipam_ipaddress (created, last_updated, custom_field_data, address, status, role, dns_name, description, vrf_id, comments)
SELECT now(), now(), '{}', address, status, '', '', 'a forced duplicate', vrf_id, '' FROM ipam_ipaddress WHERE id = $a_dup
RETURNING id;
SQL
)

    t -c "SELECT * FROM mountaineer.netbox_import('netbox')" >/tmp/nbipam_$$.first 2>&1
    rc=$?
    check "$v: the import runs" '[ $rc -eq 0 ] || { sed "s/^/# /" /tmp/nbipam_$$.first; false; }'

    # every ipam_* / virtualization_* table with rows, row for row: what the
    # import says of it adds up to NetBox's count, as many rows of it as it
    # says imported are in netbox_map, and as many as it says skipped are
    # issues that say why (notes on imported rows, rule renamed and such,
    # are not skips)
    bad=$(t <<SQL
CREATE TABLE counts AS SELECT * FROM mountaineer.netbox_import('netbox');
CREATE TABLE nb_tables AS
SELECT c.relname::text AS tbl FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'netbox' AND c.relname ~ '^(ipam|virtualization)_';
DO \$\$
DECLARE r record; n bigint;
BEGIN
    CREATE TABLE source_count (tbl text, n bigint);
    FOR r IN SELECT tbl FROM nb_tables LOOP
        EXECUTE format('SELECT count(*) FROM netbox.%I', r.tbl) INTO n;
        INSERT INTO source_count VALUES (r.tbl, n);
    END LOOP;
END
\$\$;
SELECT s.tbl || ': NetBox ' || s.n || ', import ' || coalesce(c.inserted + c.updated + c.unchanged || '+' || c.skipped, 'no row')
       || ', map ' || (SELECT count(*) FROM mountaineer.netbox_map m WHERE m.source = 'netbox' AND m.object = s.tbl)
       || ', issues ' || (SELECT count(*) FROM mountaineer.netbox_import_issue i WHERE i.source = 'netbox' AND i.object = s.tbl
                             AND i.rule NOT IN ('renamed', 'scope_moved', 'vid_ranges', 'value_dropped'))
  FROM source_count s LEFT JOIN counts c ON c.object = s.tbl
 WHERE s.n > 0 AND (c.object IS NULL OR c.inserted + c.updated + c.unchanged + c.skipped <> s.n
                    OR (SELECT count(*) FROM mountaineer.netbox_map m WHERE m.source = 'netbox' AND m.object = s.tbl) <> c.inserted + c.updated + c.unchanged
                    OR (SELECT count(*) FROM mountaineer.netbox_import_issue i WHERE i.source = 'netbox' AND i.object = s.tbl
                           AND i.rule NOT IN ('renamed', 'scope_moved', 'vid_ranges', 'value_dropped')) <> c.skipped);
SQL
)
    check "$v: every ipam_/virtualization_ table with rows: imported + skipped = NetBox's rows, each in netbox_map or netbox_import_issue" \
        '[ -z "$bad" ] || { sed "s/^/# /" <<<"$bad"; false; }'
    tables=$(t -c "SELECT count(*) FROM source_count WHERE n > 0" 2>/dev/null)
    check "$v: ... over every such table (at least the 15 of the demo)" '[ "${tables:-0}" -ge 15 ]'

    # nothing of the demo refused but what this test forced
    refused=$(t -c "SELECT object || ' ' || netbox_id || ' ' || rule || ': ' || detail FROM mountaineer.netbox_import_issue
                     WHERE source = 'netbox' AND (object ~ '^(ipam|virtualization)_' OR object LIKE 'dcim_device:%')
                       AND rule NOT IN ('not_modelled', 'renamed', 'scope_moved', 'vid_ranges', 'value_dropped')
                       AND NOT (object = 'ipam_ipaddress' AND netbox_id = $dup) ORDER BY 1")
    check "$v: no IPAM or virtualization row of the demo refused" '[ -z "$refused" ] || { sed "s/^/# /" <<<"$refused"; false; }'
    check "$v: the duplicate address in a VRF is reported, the rest imported" \
        '[ "$(t -c "SELECT rule FROM mountaineer.netbox_import_issue WHERE source = '"'netbox'"' AND object = '"'ipam_ipaddress'"' AND netbox_id = $dup")" = ip_address_unique_in_vrf ]'

    # the address on the device interface: that port, the device's host, canonical
    got=$(t -c "SELECT a.port_id = (SELECT id FROM mountaineer.netbox_map WHERE source = 'netbox' AND object = 'dcim_interface' AND netbox_id = $ifc),
                       a.host_id = (SELECT id FROM mountaineer.netbox_map WHERE source = 'netbox' AND object = 'dcim_device:host' AND netbox_id = $dev),
                       h.device_id = (SELECT id FROM mountaineer.netbox_map WHERE source = 'netbox' AND object = 'dcim_device' AND netbox_id = $dev),
                       h.kind IN ('bare_metal', 'peripheral'), a.canonical
                  FROM mountaineer.ip_address a JOIN mountaineer.host h ON h.id = a.host_id
                 WHERE a.id = (SELECT id FROM mountaineer.netbox_map WHERE source = 'netbox' AND object = 'ipam_ipaddress' AND netbox_id = $a_dev)")
    check "$v: an address on a device interface is on its port and on the device's host (kind from the device), canonical as its primary_ip4" '[ "$got" = "t|t|t|t|t" ] || { echo "# $got"; false; }'
    got=$(t -c "SELECT a.host_id = (SELECT id FROM mountaineer.netbox_map WHERE source = 'netbox' AND object = 'virtualization_virtualmachine' AND netbox_id = $vm),
                       a.port_id IS NULL, a.canonical, h.kind, h.cluster_id IS NOT NULL
                  FROM mountaineer.ip_address a JOIN mountaineer.host h ON h.id = a.host_id
                 WHERE a.id = (SELECT id FROM mountaineer.netbox_map WHERE source = 'netbox' AND object = 'ipam_ipaddress' AND netbox_id = $a_vm)")
    check "$v: an address on a VM interface is on the VM's host (no port), canonical, the host a virtual_machine in its cluster" '[ "$got" = "t|t|t|virtual_machine|t" ] || { echo "# $got"; false; }'
    check "$v: one canonical address per host: every other address of those hosts is not" \
        '[ "$(t -c "SELECT count(*) FROM mountaineer.ip_address WHERE canonical")" = 2 ]'
    # 3.7 counts a VM's disk in GB, 4.1 in MB
    want=$([ "$v" = 3.7 ] && echo 20000 || echo 20)
    got=$(t -c "SELECT h.vcpus || ' ' || h.memory_mb || ' ' || h.disk_mb || ' ' || coalesce(string_agg(r.name, ','), '-')
                  FROM mountaineer.host h LEFT JOIN mountaineer.host_role hr ON hr.host_id = h.id LEFT JOIN mountaineer.role r ON r.id = hr.role_id
                 WHERE h.id = (SELECT id FROM mountaineer.netbox_map WHERE source = 'netbox' AND object = 'virtualization_virtualmachine' AND netbox_id = $vm)
                 GROUP BY h.id")
    role=$(s -c "SELECT coalesce(r.name, '-') FROM virtualization_virtualmachine v LEFT JOIN dcim_devicerole r ON r.id = v.role_id WHERE v.id = $vm")
    check "$v: the VM's sizes (disk in MB) and its role as a host role" '[ "$got" = "2.50 4096 $want $role" ] || { echo "# $got (wanted 2.50 4096 $want $role)"; false; }'
    got=$(t -c "SELECT count(*) FROM mountaineer.cluster_member m
                  JOIN mountaineer.host h ON h.id = m.host_id
                 WHERE h.device_id = (SELECT id FROM mountaineer.netbox_map WHERE source = 'netbox' AND object = 'dcim_device' AND netbox_id = $member)
                   AND m.cluster_id = (SELECT id FROM mountaineer.netbox_map WHERE source = 'netbox' AND object = 'virtualization_cluster'
                                          AND netbox_id = (SELECT cluster_id FROM netbox.dcim_device WHERE id = $member))")
    check "$v: a device in a NetBox cluster is a host and the cluster's member" '[ "$got" = 1 ]'
    got=$(t -c "SELECT count(*) FILTER (WHERE NOT h.hostname LIKE '%.netbox.invalid'), count(*) FROM mountaineer.host h
                  JOIN mountaineer.netbox_map m ON m.id = h.id AND m.object = 'virtualization_virtualmachine'")
    check "$v: VMs named by a single label are hosts in domain netbox.invalid" '[ "$got" = "0|$(s -c "SELECT count(*) FROM virtualization_virtualmachine")" ] || { echo "# $got"; false; }'

    # the second import (the one the counts came from) was all unchanged ...
    changed=$(t -c "SELECT string_agg(object || ' ' || inserted || '/' || updated, ', ') FROM counts WHERE inserted + updated > 0")
    kept=$(t -c "SELECT coalesce(sum(unchanged), 0) FROM counts WHERE object ~ '^(ipam|virtualization)_'")
    check "$v: a re-import is all unchanged ($kept IPAM and virtualization rows)" '[ -z "$changed" ] && [ "$kept" -gt 500 ] || { echo "# $changed"; false; }'
    # ... and writes no change-log row
    got=$(t <<'SQL'
SELECT coalesce(max(id), 0) AS before FROM mountaineer.change \gset
SELECT count(*) FROM mountaineer.netbox_import('netbox') WHERE inserted + updated > 0;
SELECT count(*) FROM mountaineer.change WHERE id > :before;
SQL
)
    check "$v: ... and writes no change-log row" '[ "$got" = "$(printf "0\n0")" ] || { echo "# $got"; false; }'

    # a change in NetBox: exactly that row updated
    s -c "UPDATE ipam_prefix SET description = 'changed in NetBox' WHERE id = (SELECT min(id) FROM ipam_prefix)"
    got=$(t -c "SELECT string_agg(object || ' ' || inserted || '/' || updated, ', ') FROM mountaineer.netbox_import('netbox') WHERE inserted + updated > 0")
    check "$v: a prefix changed in NetBox: exactly that row updated" '[ "$got" = "ipam_prefix 0/1" ] || { echo "# $got"; false; }'

    # $db stays: its function statistics are what test/final/exercised.sh reads
    dropdb -f "$nb"
done
rm -f /tmp/nbipam_$$.*
