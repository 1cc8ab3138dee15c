-- Sample estate for mountaineer_networks: the global table and a management
-- VRF, VLANs at ams1, a /8 carved into site and VLAN prefixes by
-- allocate_prefix, a DHCP range, and an address for every host.
SET search_path = mountaineer, public;

INSERT INTO vrf (name, rd, description) VALUES ('mgmt', '65000:100', 'Out-of-band management');
INSERT INTO vlan (site_id, vid, name)
SELECT s.id, v.vid, v.name FROM site s, (VALUES (10, 'prod'), (20, 'stage'), (30, 'k8s')) v(vid, name)
WHERE s.name = 'ams1';

INSERT INTO prefix (prefix, status, description) VALUES
    ('10.0.0.0/8', 'container', 'Private space'),
    ('2001:db8::/32', 'container', 'Documentation space');
-- ams1 gets a /16 and a /48; each VLAN a /24 and a /64 from them
SELECT allocate_prefix('10.0.0.0/8', 16, NULL, 'ams1');
SELECT allocate_prefix('2001:db8::/32', 48, NULL, 'ams1');
UPDATE prefix SET status = 'container' WHERE description = 'ams1';
SELECT allocate_prefix('10.0.0.0/16', 24, NULL, 'ams1 ' || name) FROM vlan ORDER BY vid;
SELECT allocate_prefix('2001:db8::/48', 64, NULL, 'ams1 ' || name) FROM vlan ORDER BY vid;
UPDATE prefix p SET vlan_id = v.id FROM vlan v WHERE p.description = 'ams1 ' || v.name;
-- the management network lives in its own VRF
INSERT INTO prefix (vrf_id, prefix, description) SELECT id, '172.16.0.0/24', 'ams1 mgmt' FROM vrf WHERE name = 'mgmt';
-- DHCP for provisioning in the prod VLAN's upper half
INSERT INTO ip_range (start_address, end_address, description) VALUES ('10.0.0.200', '10.0.0.250', 'PXE/DHCP');

-- a canonical address for every prod and stage host, from its VLAN's prefix,
-- on eth0 for bare metal; the PDUs' management hosts in the mgmt VRF
SELECT allocate_ip(p.prefix, h.id, NULL, true)
FROM host h JOIN environment e ON e.id = h.environment_id
JOIN prefix p ON p.description = CASE WHEN h.hostname LIKE 'api-%' OR h.hostname LIKE 'k8s-%' THEN 'ams1 k8s'
                                      WHEN e.name = 'stage' THEN 'ams1 stage' ELSE 'ams1 prod' END
                 AND family(p.prefix) = 4
WHERE e.name IN ('prod', 'stage')
ORDER BY h.hostname;
UPDATE ip_address a SET port_id = pt.id
FROM host h JOIN port pt ON pt.device_id = h.device_id AND pt.name = 'eth0'
WHERE a.host_id = h.id;
SELECT allocate_ip('2001:db8::/64', id) FROM host WHERE hostname IN ('web1.prod.example.net', 'web2.prod.example.net') ORDER BY hostname;
SELECT allocate_ip('172.16.0.0/24', h.id, v.id, true)
FROM host h, vrf v WHERE v.name = 'mgmt' AND h.hostname LIKE '%.mgmt.example.net' ORDER BY h.hostname;

-- AS numbers: the public one of the company, a private range for the
-- fabric's BGP (RFC 6996), and the leaves' numbers allocated from it.
-- They came with 1.4; an older release (test/upgrade.sh loads this estate
-- into each one) stops before them.
SELECT string_to_array(extversion, '.')::int[] >= '{1,4}' AS has_asn
FROM pg_extension WHERE extname = 'mountaineer_networks' \gset
\if :has_asn
INSERT INTO rir (name, description) VALUES ('RIPE NCC', 'Europe, the Middle East and Central Asia');
INSERT INTO rir (name, is_private, description) VALUES ('private', true, 'RFC 6996 private-use AS numbers');
INSERT INTO rir (name, description) VALUES ('ARIN', 'North America');
INSERT INTO asn (asn, rir_id, description) SELECT 64496, id, 'the company''s public AS' FROM rir WHERE name = 'RIPE NCC';
INSERT INTO asn_range (name, rir_id, first_asn, last_asn, description)
SELECT 'ams1 fabric', id, '4200000000', '4200000999', 'leaf and spine ASNs of ams1' FROM rir WHERE name = 'private';
SELECT allocate_asn((SELECT id FROM asn_range WHERE name = 'ams1 fabric'), 'ams1 ' || leaf) FROM unnest(ARRAY['spine', 'leaf A01', 'leaf A02']) leaf;
\endif

-- VLAN groups: each site's access VLANs (offices, phones, Wi-Fi) come from a
-- group of its own, 100..199, and the inter-site transit VLANs from a global
-- one; the server VLANs above stay without a group.  They came with 1.5.
SELECT string_to_array(extversion, '.')::int[] >= '{1,5}' AS has_vlan_groups
FROM pg_extension WHERE extname = 'mountaineer_networks' \gset
\if :has_vlan_groups
INSERT INTO vlan_group (name, site_id, min_vid, max_vid, description)
SELECT s.name || ' access', s.id, 100, 199, 'access VLANs of ' || s.name FROM site s WHERE s.name IN ('ams1', 'fra1') ORDER BY s.name;
INSERT INTO vlan_group (name, min_vid, max_vid, description) VALUES ('transit', 3000, 3099, 'inter-site transit VLANs, the same id at every site');
SELECT allocate_vlan(g.id, v.name)
FROM vlan_group g, unnest(ARRAY['office', 'voice', 'wifi']) WITH ORDINALITY v(name, n)
WHERE g.name = 'ams1 access' ORDER BY v.n;
SELECT allocate_vlan(g.id, v.name)
FROM vlan_group g, unnest(ARRAY['office', 'voice']) WITH ORDINALITY v(name, n)
WHERE g.name = 'fra1 access' ORDER BY v.n;
SELECT allocate_vlan((SELECT id FROM vlan_group WHERE name = 'transit'), 'ams1-fra1');
\endif

-- Route targets, aggregates, status and tenants (1.6; an older release
-- stops here): the management VRF exports and imports its own routes and
-- imports the shared services'; the blocks the addresses come from, as
-- aggregates; db2 is planned, so its address is reserved; the transit VLAN
-- is not in use yet; the ams1 networks are at ams1, the prod ones the web
-- shop's.
SELECT string_to_array(extversion, '.')::int[] >= '{1,6}' AS has_route_targets
FROM pg_extension WHERE extname = 'mountaineer_networks' \gset
\if :has_route_targets
INSERT INTO tenant (name, description) VALUES ('web shop', 'The online shop team')
    ON CONFLICT (name) DO NOTHING;
INSERT INTO route_target (name, description) VALUES
    ('65000:100', 'management routes'),
    ('65000:900', 'shared services (DNS, NTP, monitoring)');
INSERT INTO vrf_route_target (vrf_id, route_target_id, direction)
SELECT v.id, r.id, d.direction
  FROM vrf v, route_target r, (VALUES ('65000:100', 'import'), ('65000:100', 'export'), ('65000:900', 'import')) d(rt, direction)
 WHERE v.name = 'mgmt' AND r.name = d.rt;
INSERT INTO aggregate (prefix, rir_id, date_added, description)
SELECT a.prefix::cidr, r.id, a.added::date, a.description
  FROM (VALUES ('10.0.0.0/8', 'private', '2015-03-01', 'RFC 1918'),
               ('172.16.0.0/12', 'private', '2015-03-01', 'RFC 1918'),
               ('2001:db8::/32', 'RIPE NCC', '2016-06-01', 'the company''s IPv6 allocation (documentation space here)')) a(prefix, rir, added, description)
  JOIN rir r ON r.name = a.rir;
UPDATE ip_address SET status = 'reserved'
 WHERE host_id = (SELECT id FROM host WHERE hostname = 'db2.prod.example.net');
UPDATE vlan SET status = 'reserved' WHERE name = 'ams1-fra1';
UPDATE prefix SET site_id = (SELECT id FROM site WHERE name = 'ams1') WHERE description LIKE 'ams1%' AND vrf_id IS NULL;
UPDATE prefix SET tenant_id = (SELECT id FROM tenant WHERE name = 'web shop') WHERE description = 'ams1 prod';
\endif
