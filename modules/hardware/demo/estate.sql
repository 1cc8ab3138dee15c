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

-- Cabling ----------------------------------------------------------------
-- A02 is the network rack.  Each rack's servers plug eth0 into their rack's
-- panel; each rack panel's 12-strand trunk runs to a twin panel in A02,
-- whose fronts are patched into a02-tor.  a01-tor and a03-tor uplink to
-- a02-tor.  Power: every PDU's inlet takes an A or B feed of the room's power
-- panel; servers take psu1 from the A PDU and psu2 from the B PDU.
INSERT INTO device (kind, name, manufacturer, model, serial, units, rack_id, position)
SELECT 'patch_panel', 'a02-pp-' || lower(x.name), 'Panduit', 'FLEX-24', 'PPX' || x.name, 1, r.id, x.pos::rackspan
FROM rack r, (VALUES ('A01', 'U40/front'), ('A02', 'U39/front'), ('A03', 'U38/front')) x(name, pos)
WHERE r.name = 'A02';
INSERT INTO port (device_id, name, kind, positions)
SELECT id, 'trunk', 'rear_port', 12 FROM device WHERE name LIKE 'a02-pp-a0_';
INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
SELECT d.id, 'front' || n, 'front_port', r.id, n
FROM device d JOIN port r ON r.device_id = d.id AND r.kind = 'rear_port', generate_series(1, 12) n
WHERE d.name LIKE 'a02-pp-a0_';
-- the room's power panel (on the wall, not in a rack): an A and a B feed per rack
INSERT INTO device (kind, name, manufacturer, model, units) VALUES
    ('power_panel', 'ams1-power', 'Schneider', 'Prisma G', 0);
INSERT INTO port (device_id, name, kind)
SELECT d.id, 'feed-' || side || r, 'power_feed' FROM device d, generate_series(1, 3) r, (VALUES ('A'), ('B')) s(side)
WHERE d.name = 'ams1-power';

CREATE TEMP TABLE wiring (label text, type text, a uuid, b uuid);
CREATE FUNCTION pg_temp.port_of(device text, port text) RETURNS uuid LANGUAGE sql AS $$
    SELECT p.id FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
    WHERE d.name = $1 AND p.name = $2 $$;
CREATE TEMP VIEW racked_server AS
SELECT d.id, d.name, r.name AS rack, row_number() OVER (PARTITION BY d.rack_id ORDER BY d.name) AS n
FROM device d JOIN rack r ON r.id = d.rack_id WHERE d.kind = 'server';

-- eth0 of the n-th server of a rack into front port n of the rack's panel
INSERT INTO wiring
SELECT format('%s-D%s', s.rack, lpad(s.n::text, 2, '0')), 'cat6',
       pg_temp.port_of(s.name, 'eth0'), pg_temp.port_of(lower(s.rack) || '-pp', 'front' || s.n)
FROM racked_server s;
-- each rack panel's trunk, rear to rear, to its twin in A02
INSERT INTO wiring
SELECT 'T-' || r.name, 'om4', pg_temp.port_of(lower(r.name) || '-pp', 'trunk'), pg_temp.port_of('a02-pp-' || lower(r.name), 'trunk')
FROM rack r JOIN site s ON s.id = r.site_id WHERE s.name = 'ams1';
-- the twins' fronts into a02-tor: A01 on Ethernet1-12, A02 on 13-24, A03 on 25-36
INSERT INTO wiring
SELECT format('A02-N%s', lpad((o + n)::text, 2, '0')), 'cat6',
       pg_temp.port_of(v.panel, 'front' || n), pg_temp.port_of('a02-tor', 'Ethernet' || (o + n))
FROM (VALUES ('a02-pp-a01', 0), ('a02-pp-a02', 12), ('a02-pp-a03', 24)) v(panel, o), generate_series(1, 12) n;
-- the other racks' switches uplink to a02-tor
INSERT INTO wiring
SELECT 'UPLINK-' || x, 'dac', pg_temp.port_of(lower(x) || '-tor', 'Ethernet48'), pg_temp.port_of('a02-tor', 'Ethernet' || e)
FROM (VALUES ('A01', 47), ('A03', 48)) v(x, e);
-- PDU inlets to the power panel's feeds
INSERT INTO wiring
SELECT format('%s-F%s', r.name, upper(right(d.name, 1))), 'power',
       pg_temp.port_of(d.name, 'inlet'), pg_temp.port_of('ams1-power', format('feed-%s%s', upper(right(d.name, 1)), right(r.name, 1)))
FROM device d JOIN rack r ON r.id = d.rack_id WHERE d.kind = 'pdu';
-- servers: psu1 to the A PDU, psu2 to the B PDU, outlet n; switches on outlet 24
INSERT INTO wiring
SELECT format('%s-P%s%s', s.rack, lpad(s.n::text, 2, '0'), upper(x.side)), 'power',
       pg_temp.port_of(s.name, x.psu), pg_temp.port_of(lower(s.rack) || '-pdu-' || x.side, 'outlet' || s.n)
FROM racked_server s, (VALUES ('psu1', 'a'), ('psu2', 'b')) x(psu, side);
INSERT INTO wiring
SELECT format('%s-P24%s', r.name, upper(x.side)), 'power',
       pg_temp.port_of(t.name, x.psu), pg_temp.port_of(lower(r.name) || '-pdu-' || x.side, 'outlet24')
FROM device t JOIN rack r ON r.id = t.rack_id, (VALUES ('psu1', 'a'), ('psu2', 'b')) x(psu, side)
WHERE t.kind = 'network';

-- every cable with both of its ends in one statement
WITH w AS (SELECT w.*, gen_random_uuid() AS id FROM wiring w),
     c AS (INSERT INTO cable (id, label, type, length, length_unit)
           SELECT id, label, type, CASE type WHEN 'om4' THEN 15 WHEN 'dac' THEN 5 ELSE 2 END, 'm' FROM w)
INSERT INTO cable_end (cable_id, side, port_id)
SELECT id, 'a'::cable_side, a FROM w UNION ALL SELECT id, 'b', b FROM w;
DROP VIEW racked_server;
DROP TABLE wiring;

-- What came with 1.5, to the \endif at the end: an older release
-- (test/upgrade.sh loads this estate into each one) stops here.
SELECT string_to_array(extversion, '.')::int[] >= '{1,5}' AS hardware_1_5
FROM pg_extension WHERE extname = 'mountaineer_hardware' \gset
\if :hardware_1_5

-- Device types: the models of the estate's hardware with the ports every
-- unit of them has.  The PDUs and the console server, recorded before
-- types existed, are given theirs (they have every port of it already);
-- the spares in stock are inserted with a type and get their ports from
-- it.
INSERT INTO manufacturer (name, description) VALUES
    ('Dell', 'servers'), ('Arista', 'data-centre switches'), ('Panduit', 'patch panels and cabling'),
    ('Raritan', 'rack PDUs'), ('Opengear', 'console servers');
INSERT INTO device_type (manufacturer_id, model, part_number, kind, units, full_depth, draw_watts, description)
SELECT m.id, t.model, t.part, t.kind::device_kind, t.units, t.full_depth, t.watts, t.description
FROM manufacturer m JOIN (VALUES
    ('Dell', 'PowerEdge R650', '210-AYJZ', 'server', 1, true, 450, '1U, two 25G ports, iDRAC, two PSUs'),
    ('Arista', '7050SX3-48YC8', 'DCS-7050SX3-48YC8', 'network', 1, true, 350, '48 x 25G SFP28, 8 x 100G QSFP100'),
    ('Panduit', 'CP24BL', 'CP24BLY', 'patch_panel', 1, false, NULL, '24-port Cat6 keystone panel'),
    ('Raritan', 'PX3-5190R', 'PX3-5190R', 'pdu', 0, true, 15, 'zero-U metered PDU, 24 outlets'),
    ('Opengear', 'CM8100', 'CM8148-10G', 'other', 1, false, 20, '8-port console server, half depth')
) t(maker, model, part, kind, units, full_depth, watts, description) ON t.maker = m.name;
INSERT INTO port_template (device_type_id, name, kind, positions)
SELECT t.id, p.name, p.kind::port_kind, 1
FROM device_type t JOIN (
    SELECT 'PowerEdge R650' AS model, name, kind FROM (VALUES ('eth0', 'interface'), ('eth1', 'interface'), ('ipmi', 'interface'),
                                                           ('psu1', 'power_port'), ('psu2', 'power_port')) v(name, kind)
    UNION ALL SELECT '7050SX3-48YC8', 'Ethernet' || n, 'interface' FROM generate_series(1, 48) n
    UNION ALL SELECT '7050SX3-48YC8', psu, 'power_port' FROM unnest(ARRAY['psu1', 'psu2']) psu
    UNION ALL SELECT 'CP24BL', 'rear' || n, 'rear_port' FROM generate_series(1, 24) n
    UNION ALL SELECT 'PX3-5190R', 'outlet' || n, 'power_outlet' FROM generate_series(1, 24) n
    UNION ALL SELECT 'PX3-5190R', 'inlet', 'power_port'
    UNION ALL SELECT 'CM8100', 'console' || n, 'console_server' FROM generate_series(1, 8) n
) p ON p.model = t.model;
-- each front port of the keystone panel passes through the rear port behind it
INSERT INTO port_template (device_type_id, name, kind, rear_template_id, rear_position)
SELECT r.device_type_id, 'front' || substr(r.name, 5), 'front_port', r.id, 1
FROM port_template r JOIN device_type t ON t.id = r.device_type_id
WHERE t.model = 'CP24BL' AND r.kind = 'rear_port';

UPDATE device d SET device_type_id = t.id
FROM device_type t WHERE d.model = t.model AND d.kind IN ('pdu', 'other');

-- in stock, in no rack: a server, a switch and a patch panel, ports and all
INSERT INTO device (name, serial, device_type_id)
SELECT s.name, s.serial, t.id FROM device_type t JOIN (VALUES
    ('spare-02', 'SNSPARE2', 'PowerEdge R650'), ('spare-sw-01', 'JPESPARE1', '7050SX3-48YC8'),
    ('spare-pp-01', NULL, 'CP24BL')
) s(name, serial, model) ON s.model = t.model;

-- Tags and custom attributes: rack A03 holds the payment servers, in scope
-- of the PCI audit; racks have an owning team, devices a support contract
-- and a warranty.
INSERT INTO tag (name, color, description) VALUES
    ('pci', 'f44336', 'in scope of the PCI DSS audit'),
    ('gpu', '3f51b5', 'has GPUs');
INSERT INTO attribute_definition (table_name, key, type, label, description) VALUES
    ('rack', 'rack_owner', 'text', 'Rack owner', 'the team that pays for the rack');
INSERT INTO attribute_definition (table_name, key, type, choices, description) VALUES
    ('device', 'support_tier', 'select', '{none,next-business-day,4h}', 'the vendor support contract');
INSERT INTO attribute_definition (table_name, key, type, description) VALUES
    ('device', 'warranty_until', 'date', 'end of the vendor warranty');
UPDATE rack SET attributes = jsonb_build_object('rack_owner', CASE name WHEN 'A03' THEN 'payments' ELSE 'platform' END)
WHERE name IN ('A01', 'A02', 'A03');
UPDATE device d SET tags = '{pci}',
       attributes = d.attributes || '{"support_tier": "4h", "warranty_until": "2028-03-31"}'
FROM rack r WHERE r.id = d.rack_id AND r.name = 'A03' AND d.kind = 'server';
UPDATE device SET tags = '{gpu}' WHERE name = 'a02-c01';

-- Regions, locations and status: Europe > Netherlands > Amsterdam holds
-- ams1, Europe > Germany > Frankfurt fra1; ams1's racks stand in cage 7 on
-- the second floor of the AM3 building, cage 8 is being built.  A second,
-- planned switch in A03, a03-c08 on its way out, the spare in store.
INSERT INTO region (name, description) VALUES ('Europe', 'EMEA operations');
INSERT INTO region (name, parent_id) SELECT c, id FROM region, unnest(ARRAY['Netherlands', 'Germany']) c WHERE name = 'Europe';
INSERT INTO region (name, parent_id) SELECT 'Amsterdam', id FROM region WHERE name = 'Netherlands';
INSERT INTO region (name, parent_id) SELECT 'Frankfurt', id FROM region WHERE name = 'Germany';
UPDATE site s SET region_id = r.id FROM region r
WHERE (s.name, r.name) IN (('ams1', 'Amsterdam'), ('fra1', 'Frankfurt'));

INSERT INTO location (site_id, name, description) SELECT id, 'AM3', 'Equinix AM3 building' FROM site WHERE name = 'ams1';
INSERT INTO location (site_id, parent_id, name) SELECT site_id, id, 'Floor 2' FROM location WHERE name = 'AM3';
INSERT INTO location (site_id, parent_id, name, status)
SELECT site_id, id, c.name, c.status::site_status FROM location, (VALUES ('Cage 7', 'active'), ('Cage 8', 'planned')) c(name, status)
WHERE location.name = 'Floor 2';
UPDATE rack r SET location_id = l.id FROM location l WHERE l.name = 'Cage 7' AND r.site_id = l.site_id;
UPDATE rack SET status = 'available' WHERE name = 'R1';

WITH d AS (
    INSERT INTO device (kind, name, manufacturer, model, serial, units, draw_watts, rack_id, position, status)
    SELECT 'network', 'a03-tor-b', 'Arista', '7050SX3-48YC8', 'JPEA03B', 1, 350, id, 'U40/full', 'planned'
    FROM rack WHERE name = 'A03'
    RETURNING id
)
INSERT INTO network_device (id, speed, interconnect) SELECT id, '25g', 'sfp28' FROM d;
UPDATE device SET status = 'decommissioning' WHERE name = 'a03-c08';
UPDATE device SET status = 'inventory' WHERE name = 'spare-01';

-- Power: the feeds' electrical data, and in A03 a chained PDU on an outlet
-- of its A PDU that feeds two disk shelves (their first supply; the second
-- is on the B PDU).  A3 is an older 20 A circuit: with the shelves' stated
-- draw it is just over 80% (SELECT * FROM power_load).
INSERT INTO power_feed (id, type, volts, amps, rack_id, description)
SELECT p.id, CASE left(right(p.name, 2), 1) WHEN 'A' THEN 'primary' ELSE 'redundant' END::power_feed_type,
       230, CASE p.name WHEN 'feed-A3' THEN 20 ELSE 32 END, r.id, 'ams1 room 1, circuit ' || right(p.name, 2)
FROM port p JOIN device d ON d.id = p.device_id
JOIN rack r ON r.name = 'A0' || right(p.name, 1)
WHERE d.name = 'ams1-power' AND p.kind = 'power_feed';

WITH d AS (
    INSERT INTO device (kind, name, manufacturer, model, serial, units, draw_watts, rack_id, position)
    SELECT 'pdu', 'a03-pdu-c', 'Raritan', 'PX3-5145R', 'RPA03C', 1, 10, id, 'U16/full' FROM rack WHERE name = 'A03'
    RETURNING id
)
INSERT INTO pdu (id, volts, amps) SELECT id, 230, 16 FROM d;
INSERT INTO device (kind, name, manufacturer, model, serial, units, draw_watts, rack_id, position)
SELECT 'other', 'a03-jbod' || n, 'Supermicro', 'CSE-847E2C', 'JB' || n, 2, 1100, r.id, rackspan(10 + 2 * n, 2)
FROM rack r, generate_series(1, 2) n WHERE r.name = 'A03';
INSERT INTO port (device_id, name, kind)
SELECT d.id, 'outlet' || n, 'power_outlet' FROM device d, generate_series(1, 8) n WHERE d.name = 'a03-pdu-c';
INSERT INTO port (device_id, name, kind) SELECT id, 'inlet', 'power_port' FROM device WHERE name = 'a03-pdu-c';
INSERT INTO port (device_id, name, kind, maximum_watts)
SELECT d.id, p.name, 'power_port', 1200 FROM device d, (VALUES ('psu1'), ('psu2')) p(name) WHERE d.name LIKE 'a03-jbod_';
-- the first shelf's first supply is known to carry 700 W of its 1100
UPDATE port SET allocated_watts = 700
WHERE name = 'psu1' AND device_id = (SELECT id FROM device WHERE name = 'a03-jbod1');

WITH w (label, a, b) AS (
    VALUES ('A03-PC', pg_temp.port_of('a03-pdu-c', 'inlet'), pg_temp.port_of('a03-pdu-a', 'outlet20')),
           ('A03-J1A', pg_temp.port_of('a03-jbod1', 'psu1'), pg_temp.port_of('a03-pdu-c', 'outlet1')),
           ('A03-J1B', pg_temp.port_of('a03-jbod1', 'psu2'), pg_temp.port_of('a03-pdu-b', 'outlet20')),
           ('A03-J2A', pg_temp.port_of('a03-jbod2', 'psu1'), pg_temp.port_of('a03-pdu-c', 'outlet2')),
           ('A03-J2B', pg_temp.port_of('a03-jbod2', 'psu2'), pg_temp.port_of('a03-pdu-b', 'outlet21'))
), x AS (SELECT w.*, gen_random_uuid() AS id FROM w),
c AS (INSERT INTO cable (id, label, type, length, length_unit) SELECT id, label, 'power', 2, 'm' FROM x)
INSERT INTO cable_end (cable_id, side, port_id)
SELECT id, 'a'::cable_side, a FROM x UNION ALL SELECT id, 'b', b FROM x;

-- Circuits: a 10G wavelength from ams1 to fra1 between the two sites'
-- edge routers, each side through a one-strand demarcation panel (the
-- provider's hand-off is cabled to the panel's rear), and an Internet
-- transit circuit from ams1's edge router into the provider's network.
INSERT INTO provider (name, account, portal_url, noc_contact) VALUES
    ('Lumen', 'EU-40117', 'https://portal.lumen.example', E'+44 20 0000 0000\nnoc@lumen.example');
INSERT INTO provider_network (provider_id, name, service_id, description)
SELECT id, 'Lumen Internet', 'IP-88213', 'Lumen''s IP transit network' FROM provider WHERE name = 'Lumen';
INSERT INTO circuit_type (name, description) VALUES
    ('Wavelength', 'A dedicated wavelength between two sites'),
    ('Internet transit', 'IP transit into the provider''s network');
INSERT INTO circuit (provider_id, cid, type, commit_kbps, install_date, description)
SELECT p.id, c.cid, c.type, c.kbps, c.installed::date, c.description
FROM provider p, (VALUES ('LMN-WAVE-0042', 'Wavelength', 10000000, '2024-03-01', 'ams1 to fra1 backbone'),
                         ('LMN-IP-7781', 'Internet transit', 1000000, '2024-05-15', 'ams1 Internet')) c(cid, type, kbps, installed, description)
WHERE p.name = 'Lumen';
INSERT INTO circuit_termination (circuit_id, term_side, site_id, port_speed_kbps, xconnect_id, pp_info)
SELECT c.id, t.side::circuit_side, s.id, 10000000, t.xconnect, t.pp
FROM circuit c, (VALUES ('A', 'ams1', 'XC-AM3-4711', 'MMR2 panel 7 port 3'),
                        ('Z', 'fra1', 'XC-FRA6-0815', 'MMR1 panel 2 port 11')) t(side, site, xconnect, pp)
JOIN site s ON s.name = t.site
WHERE c.cid = 'LMN-WAVE-0042';
INSERT INTO circuit_termination (circuit_id, term_side, site_id, provider_network_id, port_speed_kbps)
SELECT c.id, 'A'::circuit_side, s.id, NULL::uuid, 1000000 FROM circuit c, site s WHERE c.cid = 'LMN-IP-7781' AND s.name = 'ams1'
UNION ALL
SELECT c.id, 'Z', NULL, n.id, NULL FROM circuit c, provider_network n WHERE c.cid = 'LMN-IP-7781' AND n.name = 'Lumen Internet';

-- on order: a second wavelength, its fra1 end not yet given; a dark-fibre
-- offer from another provider; an MPLS network not in use yet
INSERT INTO provider (name, portal_url) VALUES ('Cogent', 'https://ess.cogentco.example');
INSERT INTO provider_network (provider_id, name) SELECT id, 'Lumen MPLS' FROM provider WHERE name = 'Lumen';
INSERT INTO circuit_type (name) VALUES ('Dark fibre');
INSERT INTO circuit (provider_id, cid, type, status, commit_kbps, description)
SELECT id, 'LMN-WAVE-0050', 'Wavelength', 'planned', 10000000, 'second ams1 to fra1 path' FROM provider WHERE name = 'Lumen';
INSERT INTO circuit_termination (circuit_id, term_side, site_id)
SELECT c.id, 'A', s.id FROM circuit c, site s WHERE c.cid = 'LMN-WAVE-0050' AND s.name = 'ams1';

-- the edge routers and the demarcation panels, at the top of A02 and of a
-- new rack F01 in fra1's meet-me room
INSERT INTO rack (site_id, name, units, posts) SELECT id, 'F01', 42, 4 FROM site WHERE name = 'fra1';
INSERT INTO device (kind, name, manufacturer, model, serial, units, draw_watts, rack_id, position)
SELECT d.kind::device_kind, d.name, d.maker, d.model, d.serial, 1, d.watts, r.id, d.pos::rackspan
FROM (VALUES ('network', 'ams1-edge', 'Juniper', 'MX204', 'JNX-AMS1E', 250, 'A02', 'U36/full'),
             ('patch_panel', 'a02-pp-wan', 'Panduit', 'FLEX-24', 'PPWAN-A02', NULL, 'A02', 'U37/front'),
             ('network', 'fra1-edge', 'Juniper', 'MX204', 'JNX-FRA1E', 250, 'F01', 'U42/full'),
             ('patch_panel', 'f01-pp', 'Panduit', 'FLEX-24', 'PPWAN-F01', NULL, 'F01', 'U41/front')) d(kind, name, maker, model, serial, watts, rack, pos)
JOIN rack r ON r.name = d.rack;
INSERT INTO port (device_id, name, kind)
SELECT d.id, p.name, 'interface' FROM device d, (VALUES ('et-0/0/0'), ('et-0/0/1'), ('et-0/0/2')) p(name)
WHERE d.name IN ('ams1-edge', 'fra1-edge');
INSERT INTO port (device_id, name, kind, positions) SELECT id, 'demarc', 'rear_port', 1 FROM device WHERE name IN ('a02-pp-wan', 'f01-pp');
INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
SELECT d.id, 'front1', 'front_port', r.id, 1 FROM device d JOIN port r ON r.device_id = d.id AND r.name = 'demarc'
WHERE d.name IN ('a02-pp-wan', 'f01-pp');

CREATE TEMP TABLE wiring (label text, type text, a uuid, b uuid);
CREATE FUNCTION pg_temp.termination_of(cid text, side text) RETURNS uuid LANGUAGE sql AS $$
    SELECT t.id FROM mountaineer.circuit_termination t JOIN mountaineer.circuit c ON c.id = t.circuit_id
    WHERE c.cid = $1 AND t.term_side::text = $2 $$;
INSERT INTO wiring VALUES
    ('WAN-A02', 'smf', pg_temp.port_of('ams1-edge', 'et-0/0/0'), pg_temp.port_of('a02-pp-wan', 'front1')),
    ('XC-AM3-4711', 'smf', pg_temp.port_of('a02-pp-wan', 'demarc'), pg_temp.termination_of('LMN-WAVE-0042', 'A')),
    ('XC-FRA6-0815', 'smf', pg_temp.termination_of('LMN-WAVE-0042', 'Z'), pg_temp.port_of('f01-pp', 'demarc')),
    ('WAN-F01', 'smf', pg_temp.port_of('f01-pp', 'front1'), pg_temp.port_of('fra1-edge', 'et-0/0/0')),
    ('XC-AM3-5120', 'smf', pg_temp.port_of('ams1-edge', 'et-0/0/1'), pg_temp.termination_of('LMN-IP-7781', 'A')),
    ('A02-N45', 'dac', pg_temp.port_of('ams1-edge', 'et-0/0/2'), pg_temp.port_of('a02-tor', 'Ethernet45'));
WITH w AS (SELECT w.*, gen_random_uuid() AS id FROM wiring w),
     c AS (INSERT INTO cable (id, label, type) SELECT id, label, type FROM w)
INSERT INTO cable_end (cable_id, side, port_id)
SELECT id, 'a'::cable_side, a FROM w UNION ALL SELECT id, 'b', b FROM w;
DROP TABLE wiring;
\endif

-- What came with 1.6, to the \endif below: site groups, rack and device
-- roles, platforms, the power port feeding each outlet, and a tenant.
-- ams1 and fra1 are colocation sites of production; A02 is the network
-- rack, A01 and A03 compute; A03 and its servers are the payments team's
-- (the PCI rack above).
SELECT string_to_array(extversion, '.')::int[] >= '{1,6}' AS hardware_1_6
FROM pg_extension WHERE extname = 'mountaineer_hardware' \gset
\if :hardware_1_6
INSERT INTO site_group (name, description) VALUES ('Production', 'Sites serving customers');
INSERT INTO site_group (name, parent_id) SELECT 'Colocation', id FROM site_group WHERE name = 'Production';
UPDATE site SET group_id = (SELECT id FROM site_group WHERE name = 'Colocation') WHERE name IN ('ams1', 'fra1');

INSERT INTO rack_role (name, color, description) VALUES
    ('Compute', '2196f3', 'Servers and their PDUs'), ('Network', '4caf50', 'Switches, patch panels and demarcation');
UPDATE rack r SET role_id = rr.id FROM rack_role rr
WHERE rr.name = CASE WHEN r.name = 'A02' THEN 'Network' ELSE 'Compute' END AND r.name IN ('A01', 'A02', 'A03');

INSERT INTO device_role (name, color) VALUES ('Server', '2196f3'), ('Top-of-rack switch', '4caf50'), ('PDU', 'f44336');
INSERT INTO platform (name, manufacturer_id, description)
SELECT 'EOS', id, 'Arista EOS' FROM manufacturer WHERE name = 'Arista';
INSERT INTO platform (name, description) VALUES ('Ubuntu 22.04', 'Ubuntu Server 22.04 LTS');
-- each device's role and platform in one statement (one change per device)
UPDATE device d
SET role_id = (SELECT dr.id FROM device_role dr
               WHERE dr.name = CASE d.kind WHEN 'server' THEN 'Server' WHEN 'network' THEN 'Top-of-rack switch' ELSE 'PDU' END),
    platform_id = (SELECT p.id FROM platform p
                   WHERE p.name = CASE WHEN d.kind = 'network' THEN 'EOS' WHEN d.kind = 'server' AND d.rack_id IS NOT NULL THEN 'Ubuntu 22.04' END)
WHERE d.kind IN ('server', 'network', 'pdu');

-- every outlet of a PDU is fed by its one inlet
UPDATE port o SET power_port_id = i.id
FROM port i JOIN device d ON d.id = i.device_id
WHERE d.kind = 'pdu' AND i.kind = 'power_port' AND o.device_id = i.device_id AND o.kind = 'power_outlet'
  AND (SELECT count(*) FROM port x WHERE x.device_id = d.id AND x.kind = 'power_port') = 1;

INSERT INTO tenant (name, description) VALUES ('Payments', 'The payments team');
UPDATE rack SET tenant_id = (SELECT id FROM tenant WHERE name = 'Payments') WHERE name = 'A03';
UPDATE device SET tenant_id = (SELECT id FROM tenant WHERE name = 'Payments')
WHERE rack_id = (SELECT id FROM rack WHERE name = 'A03') AND kind = 'server';
\endif
