-- Sample estate for mountaineer_hardware: one site, three 42U racks, each
-- with two vertical PDUs, a top-of-rack switch, a patch panel and servers.
SET search_path = mountaineer, public;

INSERT INTO site (name, vendor, address, noc_phone, noc_email, noc_url) VALUES
    ('ams1', 'Equinix AM3', 'Science Park 610, 1098 XH Amsterdam', '+31 20 000 0000',
     'noc@ams1.example.net', 'https://portal.ams1.example.net'),
    ('fra1', 'Interxion FRA6', 'Weismüllerstraße 21, 60314 Frankfurt', NULL, 'noc@fra1.example.net', NULL);

INSERT INTO rack (site_id, name, units, posts, depth_in, width_in, attachment, fasteners, descending)
SELECT s.id, r.name, 42, 4, 42, 19, 'square_hole', 'm6', r.descending
FROM site s, (VALUES ('A01', false), ('A02', false), ('A03', true)) r(name, descending)
WHERE s.name = 'ams1';
INSERT INTO rack (site_id, name, units, posts) SELECT id, 'R1', 24, 2 FROM site WHERE name = 'fra1';

-- two zero-U PDUs per rack, 230 V × 32 A each
WITH d AS (
    INSERT INTO device (kind, name, manufacturer, model, serial, units, draw_watts, rack_id)
    SELECT 'pdu', lower(r.name) || '-pdu-' || side, 'Raritan', 'PX3-5190R', 'RP' || r.name || side, 0, 15, r.id
    FROM rack r JOIN site s ON s.id = r.site_id, (VALUES ('a'), ('b')) p(side)
    WHERE s.name = 'ams1'
    RETURNING id
)
INSERT INTO pdu (id, volts, amps) SELECT id, 230, 32 FROM d;

-- a top-of-rack switch at U42 and a patch panel at U41
WITH d AS (
    INSERT INTO device (kind, name, manufacturer, model, serial, units, draw_watts, rack_id, position)
    SELECT 'network', lower(r.name) || '-tor', 'Arista', '7050SX3-48YC8', 'JPE' || r.name, 1, 350, r.id, 'U42/full'
    FROM rack r JOIN site s ON s.id = r.site_id WHERE s.name = 'ams1'
    RETURNING id
)
INSERT INTO network_device (id, speed, interconnect) SELECT id, '25g', 'sfp28' FROM d;

INSERT INTO device (kind, name, manufacturer, model, serial, units, rack_id, position)
SELECT 'patch_panel', lower(r.name) || '-pp', 'Panduit', 'FLEX-24', 'PP' || r.name, 1, r.id, 'U41/front'
FROM rack r JOIN site s ON s.id = r.site_id WHERE s.name = 'ams1';

-- servers: 1U compute from U1 upwards, a 2U storage box on top of them
WITH d AS (
    INSERT INTO device (kind, name, manufacturer, model, serial, asset_tag, units, draw_watts, rack_id, position)
    SELECT 'server', format('%s-c%s', lower(r.name), lpad(n::text, 2, '0')), 'Dell', 'PowerEdge R650',
           format('SN%s%s', r.name, n), format('AT-%s-%s', r.name, n), 1, 450, r.id, rackspan(n, 1)
    FROM rack r JOIN site s ON s.id = r.site_id, generate_series(1, 8) n
    WHERE s.name = 'ams1'
    RETURNING id
)
INSERT INTO server (id, memory_mib, cores) SELECT id, 262144, 64 FROM d;
WITH d AS (
    INSERT INTO device (kind, name, manufacturer, model, serial, units, draw_watts, rack_id, position)
    SELECT 'server', lower(r.name) || '-s01', 'Supermicro', 'SSG-620P', 'SM' || r.name, 2, 900, r.id, 'U10-U11'
    FROM rack r JOIN site s ON s.id = r.site_id WHERE s.name = 'ams1'
    RETURNING id
)
INSERT INTO server (id, memory_mib, cores) SELECT id, 131072, 32 FROM d;
-- a half-depth console server at the rear of A01, behind the patch panel
INSERT INTO device (kind, name, manufacturer, model, serial, units, draw_watts, rack_id, position)
SELECT 'other', 'a01-console', 'Opengear', 'CM8100', 'OG1', 1, 20, r.id, 'U41/rear'
FROM rack r WHERE r.name = 'A01';
-- a spare server not yet racked
INSERT INTO device (kind, name, manufacturer, model, serial, units) VALUES
    ('server', 'spare-01', 'Dell', 'PowerEdge R650', 'SNSPARE1', 1);

-- ports
INSERT INTO port (device_id, name, kind)
SELECT d.id, p.name, p.kind::port_kind
FROM device d, (VALUES ('eth0', 'interface'), ('eth1', 'interface'), ('ipmi', 'interface'),
                       ('psu1', 'power_port'), ('psu2', 'power_port')) p(name, kind)
WHERE d.kind = 'server';
INSERT INTO port (device_id, name, kind)
SELECT d.id, 'Ethernet' || n, 'interface' FROM device d, generate_series(1, 48) n WHERE d.kind = 'network';
INSERT INTO port (device_id, name, kind)
SELECT d.id, p.name, 'power_port' FROM device d, (VALUES ('psu1'), ('psu2')) p(name) WHERE d.kind = 'network';
INSERT INTO port (device_id, name, kind)
SELECT d.id, 'outlet' || n, 'power_outlet' FROM device d, generate_series(1, 24) n WHERE d.kind = 'pdu';
INSERT INTO port (device_id, name, kind)
SELECT d.id, 'inlet', 'power_port' FROM device d WHERE d.kind = 'pdu';
INSERT INTO port (device_id, name, kind)
SELECT d.id, 'console' || n, 'console_server' FROM device d, generate_series(1, 8) n WHERE d.name = 'a01-console';
-- patch panels: one 12-strand trunk at the rear, 12 front ports mapped onto it
INSERT INTO port (device_id, name, kind, positions)
SELECT id, 'trunk', 'rear_port', 12 FROM device WHERE kind = 'patch_panel';
INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
SELECT d.id, 'front' || n, 'front_port', r.id, n
FROM device d JOIN port r ON r.device_id = d.id AND r.kind = 'rear_port', generate_series(1, 12) n
WHERE d.kind = 'patch_panel';
