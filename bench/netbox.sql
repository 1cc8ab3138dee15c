-- The NetBox migration (mountaineer_netbox): a NetBox-4.1-shaped source
-- generated into NetBox's own table layout (the demo dump's DDL, empty, in
-- schema netbox_bench: bench/netbox_source.sh, run by tools/bench.sh) and
-- imported by netbox_import().  SCALE 10 is the estate of issue 19 item 6:
-- 1,000 racks, 20,000 devices, 500,000 interfaces, 100,000 cables (200,000
-- terminations), 200,000 addresses; SCALE 1 (make bench's default) a tenth
-- of it, sized for a 2-core machine.  Every device has 25 interfaces, 10
-- addresses on 10 of them (the first its primary IPv4: so every device is
-- also a host), and 5 cables to its neighbour; one /24 per rack.
--   first import       netbox_import() into an empty inventory, COMMIT included;
--   unchanged          the same again: must write nothing;
-- The floor (peer): INSERT … SELECT of the same NetBox rows (the columns
-- imported) into bare tables (no constraints, triggers or indexes): what
-- reading and writing the rows costs at all.  Also per device: NetBox's own
-- importer was reported taking over a minute for 10 devices (netbox#19321).
\set QUIET on
\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- run alone (not by tools/bench.sh): what bench.sh provides
SELECT to_regclass('public.bench_result') IS NULL AS standalone \gset
\if :standalone
CREATE TABLE public.bench_result (bench text, what text, ours numeric, peer numeric, unit text,
                                  lower_is_better boolean NOT NULL DEFAULT false, n serial);
CREATE FUNCTION public.bench_seconds(stmt text) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE t timestamptz := clock_timestamp();
BEGIN
    EXECUTE stmt;
    RETURN extract(epoch FROM clock_timestamp() - t);
END $$;
\endif
\if :{?scale}
\else
\set scale 1
\endif
SELECT to_regclass('netbox_bench.dcim_device') IS NULL AS no_source \gset
\if :no_source
\echo netbox: no schema netbox_bench (bench/netbox_source.sh makes it): skipped
\quit
\endif

SELECT 100 * :scale AS racks, 2000 * :scale AS devices, 50000 * :scale AS interfaces,
       10000 * :scale AS cables, 20000 * :scale AS addresses, greatest(5 * :scale, 1) AS sites \gset
\echo netbox: :racks racks, :devices devices, :interfaces interfaces, :cables cables, :addresses addresses

-- the source, in NetBox 4.1's tables (ids given; Django sets no defaults)
SET search_path = netbox_bench, pg_catalog;
SELECT id AS ct_interface FROM django_content_type WHERE app_label = 'dcim' AND model = 'interface' \gset
INSERT INTO dcim_site (id, created, last_updated, custom_field_data, name, _name, slug, status, facility, time_zone,
                       description, physical_address, shipping_address, comments)
SELECT s, now(), now(), '{}', 'site-' || s, 'site-' || s, 'site-' || s, 'active', '', '', '', '', '', ''
  FROM generate_series(1, :sites) s;
INSERT INTO dcim_manufacturer (id, created, last_updated, custom_field_data, name, slug, description)
VALUES (1, now(), now(), '{}', 'Bench', 'bench', '');
INSERT INTO dcim_devicetype (id, created, last_updated, custom_field_data, model, slug, part_number, u_height, is_full_depth,
                             subdevice_role, front_image, rear_image, comments, manufacturer_id, airflow, weight_unit, description,
                             console_port_template_count, console_server_port_template_count, power_port_template_count,
                             power_outlet_template_count, interface_template_count, front_port_template_count,
                             rear_port_template_count, device_bay_template_count, module_bay_template_count,
                             inventory_item_template_count, exclude_from_utilization)
VALUES (1, now(), now(), '{}', 'B1', 'b1', '', 1, true, '', '', '', '', 1, '', '', '', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false);
INSERT INTO dcim_devicerole (id, created, last_updated, custom_field_data, name, slug, color, vm_role, description)
VALUES (1, now(), now(), '{}', 'server', 'server', '9e9e9e', false, '');
INSERT INTO dcim_rack (id, created, last_updated, custom_field_data, name, _name, status, serial, form_factor, width, u_height,
                       desc_units, outer_unit, comments, site_id, weight_unit, description, starting_unit, airflow)
SELECT r, now(), now(), '{}', 'R' || r, 'R' || r, 'active', '', '4-post-cabinet', 19, 42, false, '', '', 1 + (r - 1) % :sites, '', '', 1, ''
  FROM generate_series(1, :racks) r;
-- 20 devices a rack, every other unit from U1
INSERT INTO dcim_device (id, created, last_updated, custom_field_data, name, _name, serial, face, status, comments, role_id,
                         device_type_id, site_id, rack_id, position, airflow, description,
                         console_port_count, console_server_port_count, power_port_count, power_outlet_count, interface_count,
                         front_port_count, rear_port_count, device_bay_count, module_bay_count, inventory_item_count)
SELECT d, now(), now(), '{}', 'dev-' || d, 'dev-' || d, '', 'front', 'active', '', 1, 1,
       1 + ((d - 1) / 20) % :sites, 1 + (d - 1) / 20, 1 + 2 * ((d - 1) % 20), '', '', 0, 0, 0, 0, 25, 0, 0, 0, 0, 0
  FROM generate_series(1, :devices) d;
INSERT INTO dcim_interface (id, created, last_updated, custom_field_data, name, _name, label, description, mark_connected, enabled,
                            mode, type, mgmt_only, device_id, rf_role, rf_channel, poe_mode, poe_type, cable_end)
SELECT (d - 1) * 25 + i + 1, now(), now(), '{}', 'eth' || i, 'eth' || lpad(i::text, 2, '0'), '', '', false, true,
       '', '10gbase-t', false, d, '', '', '', '', ''
  FROM generate_series(1, :devices) d, generate_series(0, 24) i;
-- cables: device 2m-1 and 2m joined on eth0..eth9 (10 a pair, 5 a device)
INSERT INTO dcim_cable (id, created, last_updated, custom_field_data, type, status, label, color, length_unit, comments, description)
SELECT c, now(), now(), '{}', 'cat6', 'connected', '', '', '', '', '' FROM generate_series(1, :cables) c;
INSERT INTO dcim_cabletermination (id, created, last_updated, cable_end, termination_id, cable_id, termination_type_id)
SELECT 2 * c - e.n, now(), now(), e.side, (2 * ((c - 1) / 10) + e.n) * 25 + (c - 1) % 10 + 1, c, :ct_interface
  FROM generate_series(1, :cables) c, (VALUES ('A', 0), ('B', 1)) e(side, n);
UPDATE dcim_interface i SET cable_id = t.cable_id, cable_end = t.cable_end
  FROM dcim_cabletermination t WHERE t.termination_id = i.id;
-- a /24 a rack; 10 addresses a device (on eth10..eth19), the first its primary IPv4
INSERT INTO ipam_prefix (id, created, last_updated, custom_field_data, prefix, status, is_pool, description, site_id,
                         _children, _depth, mark_utilized, comments)
SELECT r, now(), now(), '{}', format('10.%s.%s.0/24', r / 256, r % 256)::cidr, 'active', false, '', 1 + (r - 1) % :sites, 0, 0, false, ''
  FROM generate_series(1, :racks) r;
INSERT INTO ipam_ipaddress (id, created, last_updated, custom_field_data, address, status, role, dns_name, description, comments,
                            assigned_object_type_id, assigned_object_id)
SELECT (d - 1) * 10 + j + 1, now(), now(), '{}',
       format('10.%s.%s.%s/24', ((d - 1) / 20 + 1) / 256, ((d - 1) / 20 + 1) % 256, ((d - 1) % 20) * 10 + j + 1)::inet,
       'active', '', '', '', '', :ct_interface, (d - 1) * 25 + 10 + j + 1
  FROM generate_series(1, :devices) d, generate_series(0, 9) j;
UPDATE dcim_device SET primary_ip4_id = (id - 1) * 10 + 1;
ANALYZE dcim_site, dcim_rack, dcim_device, dcim_interface, dcim_cable, dcim_cabletermination, ipam_prefix, ipam_ipaddress;
RESET search_path;

SELECT (SELECT count(*) FROM netbox_bench.dcim_site) + (SELECT count(*) FROM netbox_bench.dcim_rack)
     + (SELECT count(*) FROM netbox_bench.dcim_device) + (SELECT count(*) FROM netbox_bench.dcim_interface)
     + (SELECT count(*) FROM netbox_bench.dcim_cable) + (SELECT count(*) FROM netbox_bench.dcim_cabletermination)
     + (SELECT count(*) FROM netbox_bench.ipam_prefix) + (SELECT count(*) FROM netbox_bench.ipam_ipaddress) + 3 AS source_rows \gset

-- the floor: the same rows, the columns imported, into bare tables
CREATE TEMP TABLE floor_rack (id uuid DEFAULT gen_random_uuid(), name text, site bigint, height int);
CREATE TEMP TABLE floor_device (id uuid DEFAULT gen_random_uuid(), name text, rack bigint, position numeric, face text, status text);
CREATE TEMP TABLE floor_port (id uuid DEFAULT gen_random_uuid(), device bigint, name text, type text);
CREATE TEMP TABLE floor_cable (id uuid DEFAULT gen_random_uuid(), cable bigint, side text, port bigint);
CREATE TEMP TABLE floor_address (id uuid DEFAULT gen_random_uuid(), address inet, port bigint);
CREATE TEMP TABLE floor_host (id uuid DEFAULT gen_random_uuid(), hostname text, device bigint);
SELECT bench_seconds($$
    INSERT INTO floor_rack (name, site, height) SELECT name, site_id, u_height FROM netbox_bench.dcim_rack;
    INSERT INTO floor_device (name, rack, position, face, status) SELECT name, rack_id, position, face, status FROM netbox_bench.dcim_device;
    INSERT INTO floor_host (hostname, device) SELECT name || '.netbox.invalid', id FROM netbox_bench.dcim_device;
    INSERT INTO floor_port (device, name, type) SELECT device_id, name, type FROM netbox_bench.dcim_interface;
    INSERT INTO floor_cable (cable, side, port) SELECT cable_id, cable_end, termination_id FROM netbox_bench.dcim_cabletermination;
    INSERT INTO floor_address (address, port) SELECT address, assigned_object_id FROM netbox_bench.ipam_ipaddress;
$$) AS floor_s \gset

-- ours
BEGIN;
SELECT bench_seconds($$SELECT count(*) FROM mountaineer.netbox_import('netbox_bench')$$) AS first_s \gset
SELECT count(*) AS issues FROM mountaineer.netbox_import_issue WHERE source = 'netbox_bench' \gset
SELECT count(*) AS hosts FROM mountaineer.netbox_map WHERE source = 'netbox_bench' AND object = 'dcim_device:host' \gset
SELECT count(*) AS imported FROM mountaineer.netbox_map WHERE source = 'netbox_bench' \gset
SELECT clock_timestamp() AS t0 \gset
COMMIT;
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) + :first_s AS first_s \gset
\echo netbox: first import :first_s s, :imported rows imported, :hosts device hosts, :issues issues
SELECT coalesce(max(id), 0) AS change_before FROM mountaineer.change \gset
BEGIN;
SELECT bench_seconds($$SELECT count(*) FROM mountaineer.netbox_import('netbox_bench')$$) AS again_s \gset
COMMIT;
SELECT count(*) AS again_changes FROM mountaineer.change WHERE id > :change_before \gset
\echo netbox: unchanged re-import :again_s s, :again_changes change-log rows

INSERT INTO bench_result (bench, what, ours, peer, unit, lower_is_better) VALUES
    ('netbox', format('first import of %s source rows (%s devices) vs INSERT … SELECT floor', :source_rows, :devices), :first_s, :floor_s, 's', true),
    ('netbox', 'first import: source rows a second', :source_rows / :first_s, :source_rows / :floor_s, 'rows/s', false),
    ('netbox', 'first import per device, vs NetBox''s importer (netbox#19321: 10 devices > 60 s)', 1000 * :first_s / :devices, 6000, 'ms', true),
    ('netbox', format('unchanged re-import (%s change-log rows)', :again_changes), :again_s, NULL, 's', true);
