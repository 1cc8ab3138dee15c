-- Hardware 1.6, what the NetBox migration needs: site groups (a tree, as
-- regions), rack and device roles, platforms, a rack's starting unit and
-- the tenant of sites, locations, racks, devices, cables and circuits.
-- Every refusal with its message and SQLSTATE (LAST_ERROR_SQLSTATE).
SET search_path = mountaineer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
BEGIN;
SET CONSTRAINTS ALL IMMEDIATE;

-- site groups: a tree; never inside itself
INSERT INTO site_group (name, description) VALUES ('sg-production', 'Serving customers'), ('sg-edge', NULL), ('sg-pop', NULL);
UPDATE site_group SET parent_id = (SELECT id FROM site_group WHERE name = 'sg-production') WHERE name = 'sg-edge';
UPDATE site_group SET parent_id = (SELECT id FROM site_group WHERE name = 'sg-edge') WHERE name = 'sg-pop';
SELECT g.name, p.name AS parent FROM site_group g LEFT JOIN site_group p ON p.id = g.parent_id
WHERE g.name LIKE 'sg-%' ORDER BY g.name;
-- a cycle through two levels
UPDATE site_group SET parent_id = (SELECT id FROM site_group WHERE name = 'sg-pop') WHERE name = 'sg-production';
\echo :LAST_ERROR_SQLSTATE
-- its own parent
\set VERBOSITY terse
UPDATE site_group SET parent_id = id WHERE name = 'sg-pop';
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- one statement inserting two groups that name each other
INSERT INTO site_group (id, name, parent_id) VALUES
    ('66666666-0000-0000-0000-000000000001', 'sg-x', '66666666-0000-0000-0000-000000000002'),
    ('66666666-0000-0000-0000-000000000002', 'sg-y', '66666666-0000-0000-0000-000000000001');
\echo :LAST_ERROR_SQLSTATE
-- names: unique, and names
INSERT INTO site_group (name) VALUES ('sg-edge');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
INSERT INTO site_group (name) VALUES (' sg-padded');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- a site in a group; a group with sites, or with sub-groups, is not deleted
INSERT INTO site (name, group_id) SELECT 'sg-site', id FROM site_group WHERE name = 'sg-pop';
SELECT s.name, g.name AS site_group FROM site s JOIN site_group g ON g.id = s.group_id WHERE s.name = 'sg-site';
DELETE FROM site_group WHERE name = 'sg-pop';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM site_group WHERE name = 'sg-production';
\echo :LAST_ERROR_SQLSTATE
-- tags and attributes, as on every inventory table
INSERT INTO tag (name) VALUES ('sg-tag');
UPDATE site_group SET tags = ARRAY['sg-tag'] WHERE name = 'sg-edge';
UPDATE site_group SET tags = ARRAY['sg-no-such-tag'] WHERE name = 'sg-edge';
\echo :LAST_ERROR_SQLSTATE
SELECT name, tags FROM site_group WHERE name = 'sg-edge';

-- rack roles and device roles: a colour, grey by default, six lower-case hex digits
INSERT INTO rack_role (name) VALUES ('rr-compute');
INSERT INTO rack_role (name, color, description) VALUES ('rr-network', '2196f3', 'Spine and leaf');
SELECT name, color, description FROM rack_role WHERE name LIKE 'rr-%' ORDER BY name;
\set VERBOSITY terse
INSERT INTO rack_role (name, color) VALUES ('rr-storage', '2196F3');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
INSERT INTO rack_role (name) VALUES ('rr-compute');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO device_role (name, color) VALUES ('dr-leaf', '4caf50'), ('dr-hypervisor', DEFAULT);
SELECT name, color FROM device_role WHERE name LIKE 'dr-%' ORDER BY name;
\set VERBOSITY terse
INSERT INTO device_role (name, color) VALUES ('dr-pdu', '#ff0000');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO device_role (name, color) VALUES ('dr-pdu', NULL);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

-- platforms, of a manufacturer or none
INSERT INTO manufacturer (name) VALUES ('pf-juniper');
INSERT INTO platform (name, manufacturer_id) SELECT 'pf-junos', id FROM manufacturer WHERE name = 'pf-juniper';
INSERT INTO platform (name, description) VALUES ('pf-ubuntu', 'Ubuntu 22.04 LTS');
SELECT p.name, m.name AS manufacturer, p.description FROM platform p LEFT JOIN manufacturer m ON m.id = p.manufacturer_id
WHERE p.name LIKE 'pf-%' ORDER BY p.name;
INSERT INTO platform (name) VALUES ('pf-junos');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM manufacturer WHERE name = 'pf-juniper';
\echo :LAST_ERROR_SQLSTATE

-- racks with a role and a starting unit; devices with a role and a platform
INSERT INTO rack (site_id, name, units, role_id, starting_unit)
SELECT s.id, 'sg-r1', 4, r.id, 10 FROM site s, rack_role r WHERE s.name = 'sg-site' AND r.name = 'rr-network';
INSERT INTO rack (site_id, name, units) SELECT id, 'sg-r2', 4 FROM site WHERE name = 'sg-site';
SELECT name, starting_unit FROM rack WHERE name LIKE 'sg-r_' ORDER BY name;
\set VERBOSITY terse
INSERT INTO rack (site_id, name, starting_unit) SELECT id, 'sg-r3', 0 FROM site WHERE name = 'sg-site';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO rack (site_id, name, starting_unit) SELECT id, 'sg-r3', 1001 FROM site WHERE name = 'sg-site';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO rack (site_id, name, starting_unit) SELECT id, 'sg-r3', NULL FROM site WHERE name = 'sg-site';
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
INSERT INTO device (kind, name, units, rack_id, position, role_id, platform_id)
SELECT 'network', 'sg-leaf1', 1, r.id, 'U2/full', dr.id, p.id
FROM rack r, device_role dr, platform p WHERE r.name = 'sg-r1' AND dr.name = 'dr-leaf' AND p.name = 'pf-junos';
-- positions still count from 1; the rail says starting_unit + n - 1
SELECT unit, label, front FROM rack_elevation((SELECT id FROM rack WHERE name = 'sg-r1'));
UPDATE rack SET descending = true WHERE name = 'sg-r1';
SELECT unit, label, front FROM rack_elevation((SELECT id FROM rack WHERE name = 'sg-r1'));
-- the drawing labels the rail likewise: 10..13, no 1
SELECT position('>10</text>' IN svg) > 0 AS has_10, position('>13</text>' IN svg) > 0 AS has_13,
       position('>1</text>' IN svg) > 0 AS has_1
FROM (SELECT rack_elevation_svg(id)::text AS svg FROM rack WHERE name = 'sg-r1') q;
-- roles and platforms that rows name are not deleted
DELETE FROM rack_role WHERE name = 'rr-network';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM device_role WHERE name = 'dr-leaf';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM platform WHERE name = 'pf-junos';
\echo :LAST_ERROR_SQLSTATE
-- unused ones are
DELETE FROM rack_role WHERE name = 'rr-compute';
DELETE FROM device_role WHERE name = 'dr-hypervisor';
DELETE FROM platform WHERE name = 'pf-ubuntu';

-- tenants on sites, locations, racks, devices, cables and circuits
INSERT INTO tenant (name) VALUES ('tn-acme'), ('tn-unused');
UPDATE site SET tenant_id = (SELECT id FROM tenant WHERE name = 'tn-acme') WHERE name = 'sg-site';
INSERT INTO location (site_id, name, tenant_id) SELECT s.id, 'sg-cage', t.id FROM site s, tenant t WHERE s.name = 'sg-site' AND t.name = 'tn-acme';
UPDATE rack SET tenant_id = (SELECT id FROM tenant WHERE name = 'tn-acme') WHERE name = 'sg-r1';
UPDATE device SET tenant_id = (SELECT id FROM tenant WHERE name = 'tn-acme') WHERE name = 'sg-leaf1';
INSERT INTO cable (id, label, status, tenant_id) SELECT '66666666-0000-0000-0000-0000000000c1', 'sg-cable', 'planned', id FROM tenant WHERE name = 'tn-acme';
INSERT INTO provider (name) VALUES ('tn-carrier');
INSERT INTO circuit_type (name) VALUES ('tn-transit');
INSERT INTO circuit (provider_id, cid, type, tenant_id)
SELECT p.id, 'TN-1', 'tn-transit', t.id FROM provider p, tenant t WHERE p.name = 'tn-carrier' AND t.name = 'tn-acme';
SELECT 'site' AS what, count(*) FROM site WHERE tenant_id = (SELECT id FROM tenant WHERE name = 'tn-acme')
UNION ALL SELECT 'location', count(*) FROM location WHERE tenant_id = (SELECT id FROM tenant WHERE name = 'tn-acme')
UNION ALL SELECT 'rack', count(*) FROM rack WHERE tenant_id = (SELECT id FROM tenant WHERE name = 'tn-acme')
UNION ALL SELECT 'device', count(*) FROM device WHERE tenant_id = (SELECT id FROM tenant WHERE name = 'tn-acme')
UNION ALL SELECT 'cable', count(*) FROM cable WHERE tenant_id = (SELECT id FROM tenant WHERE name = 'tn-acme')
UNION ALL SELECT 'circuit', count(*) FROM circuit WHERE tenant_id = (SELECT id FROM tenant WHERE name = 'tn-acme');
-- a tenant that rows name is not deleted (the message names the rows of
-- the first table, by name, that still name it); an unknown one is refused
DELETE FROM tenant WHERE name = 'tn-acme';
\echo :LAST_ERROR_SQLSTATE
UPDATE rack SET tenant_id = '66666666-0000-0000-0000-0000000000ff' WHERE name = 'sg-r2';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM tenant WHERE name = 'tn-unused';
ROLLBACK;
