-- 1.6: route targets, aggregates, address and VLAN status, tenants and a
-- prefix's site (what the NetBox migration maps onto).  Runs after
-- networks.sql, on the demo estate it loaded; its own rows are removed at
-- the end.
SET search_path = mountaineer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- the demo estate's
SELECT v.name AS vrf, vrt.direction, rt.name AS route_target, rt.description
  FROM vrf_route_target vrt JOIN vrf v ON v.id = vrt.vrf_id JOIN route_target rt ON rt.id = vrt.route_target_id
 ORDER BY 1, 3, 2;
SELECT prefix, rir, size, covered, percent_covered FROM aggregate_usage ORDER BY family(prefix), prefix;
SELECT a.address, h.hostname, a.status, a.role FROM ip_address a LEFT JOIN host h ON h.id = a.host_id
 WHERE a.status <> 'active' OR a.role IS NOT NULL ORDER BY a.address;
SELECT status, count(*) FROM ip_address GROUP BY status ORDER BY status;
SELECT name, vid, status FROM vlan WHERE status <> 'active' ORDER BY name;
SELECT p.prefix, s.name AS site, t.name AS tenant FROM prefix p
  LEFT JOIN site s ON s.id = p.site_id LEFT JOIN tenant t ON t.id = p.tenant_id
 WHERE p.site_id IS NOT NULL OR p.tenant_id IS NOT NULL ORDER BY family(p.prefix), p.prefix;

-- route targets: RFC 4364's three forms, at their limits
INSERT INTO route_target (name) VALUES
    ('0:0'), ('65535:4294967295'), ('4294967295:65535'), ('65536:0'), ('255.255.255.255:65535'), ('0.0.0.0:0');
SELECT name FROM route_target WHERE name NOT LIKE '65000:%' ORDER BY name;
-- and what is none of them, each refused naming the value (23514)
INSERT INTO route_target (name) VALUES ('65536:65536');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
INSERT INTO route_target (name) VALUES ('4294967296:1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO route_target (name) VALUES ('65000:4294967296');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO route_target (name) VALUES ('192.0.2.1:65536');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO route_target (name) VALUES ('256.0.0.1:1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO route_target (name) VALUES ('065000:1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO route_target (name) VALUES ('65000:');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO route_target (name) VALUES ('target:1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO route_target (name) VALUES ('2001:db8::1:1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO route_target (name) VALUES ('');
\echo :LAST_ERROR_SQLSTATE
-- an update is held to it too; a name once
UPDATE route_target SET name = name || '0' WHERE name = '4294967295:65535';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO route_target (name) VALUES ('65000:100');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO route_target (name, description) VALUES ('65000:1', E'two\nlines');
\echo :LAST_ERROR_SQLSTATE

-- a VRF imports and exports a route target once each
INSERT INTO vrf (name) VALUES ('rt-test');
INSERT INTO vrf_route_target (vrf_id, route_target_id, direction)
SELECT v.id, r.id, d FROM vrf v, route_target r, unnest(ARRAY['import', 'export']) d
 WHERE v.name = 'rt-test' AND r.name = '65536:0';
INSERT INTO vrf_route_target (vrf_id, route_target_id, direction)
SELECT v.id, r.id, 'import' FROM vrf v, route_target r WHERE v.name = 'rt-test' AND r.name = '65536:0';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO vrf_route_target (vrf_id, route_target_id, direction)
SELECT v.id, r.id, 'both' FROM vrf v, route_target r WHERE v.name = 'rt-test' AND r.name = '0:0';
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- a route target in use is not deleted (naming the VRFs); a VRF takes its rows along
DELETE FROM route_target WHERE name = '65536:0';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM vrf WHERE name = 'rt-test';
SELECT count(*) AS rows_left FROM vrf_route_target vrt JOIN route_target r ON r.id = vrt.route_target_id WHERE r.name = '65536:0';
DELETE FROM route_target WHERE name = '65536:0';

-- aggregates never overlap (23P01, the DETAIL names both)
INSERT INTO aggregate (prefix, rir_id) SELECT '10.20.0.0/16', id FROM rir WHERE name = 'private';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO aggregate (prefix, rir_id) SELECT '0.0.0.0/0', id FROM rir WHERE name = 'ARIN';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO aggregate (prefix, rir_id) SELECT '2001:db8:8000::/33', id FROM rir WHERE name = 'RIPE NCC';
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
INSERT INTO aggregate (prefix, rir_id) VALUES ('192.0.2.0/24', NULL);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- beside them, and of the other family, they may be
INSERT INTO aggregate (prefix, rir_id, date_added)
SELECT a.p::cidr, r.id, '2020-02-29' FROM rir r, unnest(ARRAY['11.0.0.0/8', '100.64.0.0/10', '192.168.0.0/16', '2001:db9::/32']) a(p)
 WHERE r.name = 'ARIN';
-- coverage by the global table's prefixes: each address once, however
-- nested; a VRF's prefixes do not count; a prefix holding the whole
-- aggregate covers all of it
INSERT INTO prefix (prefix, status) VALUES ('192.168.0.0/23', 'container'), ('192.168.0.0/24', 'active'),
    ('192.168.0.128/25', 'active'), ('192.168.4.0/24', 'active'), ('100.0.0.0/9', 'container');
INSERT INTO prefix (vrf_id, prefix) SELECT id, '192.168.8.0/24' FROM vrf WHERE name = 'mgmt';
SELECT prefix, rir, size, covered, percent_covered FROM aggregate_usage WHERE rir = 'ARIN' ORDER BY family(prefix), prefix;
-- a registry with aggregates is not deleted, naming them
DELETE FROM rir WHERE name = 'ARIN';
\echo :LAST_ERROR_SQLSTATE

-- status and role: informational; a reserved address still holds its
-- address, so allocation passes over it
INSERT INTO prefix (prefix) VALUES ('198.51.100.0/24');
INSERT INTO ip_address (address, status, role, description) VALUES ('198.51.100.1', 'reserved', 'vip', 'shop VIP (to come)');
SELECT next_free_ip('198.51.100.0/24');
SELECT address, status, role FROM ip_address WHERE host(address) = '198.51.100.1';
INSERT INTO ip_address (address, status) VALUES ('198.51.100.9', 'dhcp'), ('198.51.100.10', 'slaac'), ('198.51.100.11', 'deprecated');
SELECT address, status, role FROM ip_address WHERE host_addr << '198.51.100.0/24' ORDER BY address;
INSERT INTO ip_address (address, status) VALUES ('198.51.100.2', 'inactive');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ip_address (address, role) VALUES ('198.51.100.2', 'primary');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
UPDATE ip_address SET status = NULL WHERE host(address) = '198.51.100.1';
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
UPDATE vlan SET status = 'planned' WHERE name = 'ams1-fra1';
\echo :LAST_ERROR_SQLSTATE
UPDATE vlan SET status = 'deprecated' WHERE name = 'ams1-fra1' RETURNING name, status;

-- tenants: on every table NetBox gives one; a tenant in use is not deleted
INSERT INTO tenant (name) VALUES ('rt-test tenant');
INSERT INTO site (name) VALUES ('rt-test site');
UPDATE vrf SET tenant_id = (SELECT id FROM tenant WHERE name = 'rt-test tenant') WHERE name = 'mgmt';
UPDATE prefix SET tenant_id = (SELECT id FROM tenant WHERE name = 'rt-test tenant'),
                  site_id = (SELECT id FROM site WHERE name = 'rt-test site') WHERE prefix = '198.51.100.0/24';
UPDATE ip_address SET tenant_id = (SELECT id FROM tenant WHERE name = 'rt-test tenant') WHERE host(address) = '198.51.100.1';
INSERT INTO ip_range (start_address, end_address, tenant_id)
SELECT '198.51.100.100', '198.51.100.150', id FROM tenant WHERE name = 'rt-test tenant';
UPDATE vlan SET tenant_id = (SELECT id FROM tenant WHERE name = 'rt-test tenant') WHERE name = 'ams1-fra1';
UPDATE asn SET tenant_id = (SELECT id FROM tenant WHERE name = 'rt-test tenant') WHERE asn = 64496;
UPDATE aggregate SET tenant_id = (SELECT id FROM tenant WHERE name = 'rt-test tenant') WHERE prefix = '11.0.0.0/8';
UPDATE route_target SET tenant_id = (SELECT id FROM tenant WHERE name = 'rt-test tenant') WHERE name = '0:0';
-- refused while any of them names it (the first table by name is named),
-- each in turn
DELETE FROM tenant WHERE name = 'rt-test tenant';
\echo :LAST_ERROR_SQLSTATE
UPDATE aggregate SET tenant_id = NULL;
DELETE FROM tenant WHERE name = 'rt-test tenant';
UPDATE asn SET tenant_id = NULL;
DELETE FROM tenant WHERE name = 'rt-test tenant';
UPDATE ip_address SET tenant_id = NULL WHERE tenant_id IS NOT NULL;
DELETE FROM tenant WHERE name = 'rt-test tenant';
UPDATE ip_range SET tenant_id = NULL WHERE tenant_id IS NOT NULL;
DELETE FROM tenant WHERE name = 'rt-test tenant';
UPDATE prefix SET tenant_id = NULL WHERE prefix = '198.51.100.0/24';
DELETE FROM tenant WHERE name = 'rt-test tenant';
UPDATE route_target SET tenant_id = NULL;
DELETE FROM tenant WHERE name = 'rt-test tenant';
UPDATE vlan SET tenant_id = NULL;
DELETE FROM tenant WHERE name = 'rt-test tenant';
UPDATE vrf SET tenant_id = NULL;
DELETE FROM tenant WHERE name = 'rt-test tenant';
-- a site with prefixes is not deleted
DELETE FROM site WHERE name = 'rt-test site';
\echo :LAST_ERROR_SQLSTATE

-- the foreign keys have their indexes
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'mountaineer'::regnamespace AND c.relkind = 'i'
   AND c.relname ~ '^(vrf|prefix|ip_address|ip_range|vlan|asn|aggregate|route_target)_(tenant|site|rir)_idx$|^vrf_route_target_route_target_idx$'
 ORDER BY 1;

-- clean up
DELETE FROM ip_range WHERE start_address = '198.51.100.100';
DELETE FROM ip_address WHERE host_addr << '198.51.100.0/24';
DELETE FROM prefix WHERE prefix IN ('198.51.100.0/24', '192.168.0.0/23', '192.168.0.0/24', '192.168.0.128/25', '192.168.4.0/24', '100.0.0.0/9', '192.168.8.0/24');
DELETE FROM site WHERE name = 'rt-test site';
DELETE FROM aggregate WHERE rir_id = (SELECT id FROM rir WHERE name = 'ARIN');
DELETE FROM route_target WHERE name NOT LIKE '65000:%';
UPDATE vlan SET status = 'reserved' WHERE name = 'ams1-fra1';
SELECT count(*) AS mismatches FROM prefix_free_verify();
