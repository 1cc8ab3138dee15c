-- mountaineer_networks: constraints, allocation rules, reserved ranges, the
-- canonical rule, the rules of addresses (their network's mask, network and
-- broadcast, reserved ranges), values, delete messages, who may execute
-- what, and the maintained free space against a recomputation.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(150);

INSERT INTO vrf (name, rd) VALUES ('blue', '65000:1'), ('red', '10.0.0.1:7');
INSERT INTO site (name) VALUES ('ns');
INSERT INTO environment (name) VALUES ('nenv');
INSERT INTO cluster (name, kind) VALUES ('ncl', 'kvm');
INSERT INTO host (hostname, environment_id, cluster_id)
SELECT h, e.id, c.id FROM environment e, cluster c, (VALUES ('n1.example.org'), ('n2.example.org')) v(h)
WHERE e.name = 'nenv' AND c.name = 'ncl';
CREATE TEMP TABLE k AS SELECT (SELECT id FROM vrf WHERE name = 'blue') AS blue,
                              (SELECT id FROM host WHERE hostname = 'n1.example.org') AS n1,
                              (SELECT id FROM host WHERE hostname = 'n2.example.org') AS n2;

-- VRFs and VLANs
SELECT throws_ok($$INSERT INTO vrf (name) VALUES ('blue')$$, '23505', NULL, 'VRF names are unique');
SELECT throws_ok($$INSERT INTO vrf (name, rd) VALUES ('x', 'blue')$$, '23514',
    'new row for relation "vrf" violates check constraint "vrf_rd_format"', 'a route distinguisher is ASN:n or IPv4:n');
SELECT throws_ok($$INSERT INTO vlan (vid, name) VALUES (4095, 'x')$$, '23514',
    'new row for relation "vlan" violates check constraint "vlan_vid_range"', 'VLAN ids run 1..4094');
INSERT INTO vlan (vid, name) VALUES (100, 'global-100');
INSERT INTO vlan (site_id, vid, name) SELECT id, 100, 'site-100' FROM site WHERE name = 'ns';
SELECT throws_ok($$INSERT INTO vlan (vid, name) VALUES (100, 'again')$$, '23505',
    'duplicate key value violates unique constraint "vlan_site_vid_key"', 'a global VLAN id is used once');
SELECT throws_ok($$INSERT INTO vlan (site_id, vid, name) SELECT id, 100, 'again' FROM site WHERE name = 'ns'$$, '23505',
    NULL, 'a VLAN id is used once per site');

-- prefixes
INSERT INTO prefix (prefix) VALUES ('10.0.0.0/8'), ('2001:db8::/32');
INSERT INTO prefix (vrf_id, prefix) SELECT blue, '10.0.0.0/8' FROM k;
SELECT throws_ok($$INSERT INTO prefix (prefix) VALUES ('10.0.0.0/8')$$, '23505',
    'duplicate key value violates unique constraint "prefix_vrf_prefix_key"', 'a prefix is unique in the global table');
SELECT throws_ok($$INSERT INTO prefix (vrf_id, prefix) SELECT blue, '10.0.0.0/8' FROM k$$, '23505', NULL, 'and in a VRF');
SELECT throws_ok($$INSERT INTO prefix (prefix) VALUES ('10.0.0.1/8')$$, '22P02', NULL, 'a prefix has no host bits');

-- next_free_prefix / allocate_prefix
SELECT is(next_free_prefix('10.0.0.0/8', 24), '10.0.0.0/24', 'the first /24 of an empty /8');
SELECT is((allocate_prefix('10.0.0.0/8', 26)).prefix, '10.0.0.0/26', 'allocate a /26');
SELECT is((allocate_prefix('10.0.0.0/8', 25)).prefix, '10.0.0.128/25', 'a /25 is aligned past the /26');
SELECT is((allocate_prefix('10.0.0.0/8', 26)).prefix, '10.0.0.64/26', 'a later /26 fills the gap');
SELECT is((allocate_prefix('10.0.0.0/8', 24, NULL, 'web')).description, 'web', 'the description is stored');
SELECT is((allocate_prefix('10.0.0.0/8', 24, (SELECT blue FROM k))).prefix, '10.0.0.0/24', 'VRFs are separate spaces');
SELECT is((allocate_prefix('2001:db8::/32', 64)).prefix, '2001:db8::/64', 'IPv6 /64');
SELECT is((allocate_prefix('2001:db8::/32', 48)).prefix, '2001:db8:1::/48', 'IPv6 /48 skips the /48 holding the /64');
INSERT INTO prefix (prefix) VALUES ('10.0.8.0/21');
SELECT is(next_free_prefix('10.0.0.0/8', 21), '10.0.16.0/21', 'a hand-made child prefix is skipped');
SELECT is(next_free_prefix('10.0.8.0/21', 24), '10.0.8.0/24', 'inside the child its own space is free');
SELECT is(next_free_prefix('10.0.0.0/8', 8), NULL, 'the parent itself is never free');
SELECT throws_ok($$SELECT next_free_prefix('10.0.0.0/8', 33)$$, '22023', 'prefix length 33 is out of range for IPv4', 'length beyond the family');
SELECT throws_ok($$SELECT next_free_prefix('10.0.0.0/8', 7)$$, '22023', 'prefix length 7 is shorter than the parent 10.0.0.0/8', 'length shorter than the parent');
SELECT throws_ok($$SELECT next_free_prefix('192.168.0.0/16', 24)$$, 'P0002', 'no prefix 192.168.0.0/16 in the global table', 'the parent must be a prefix');
SELECT throws_ok($$SELECT next_free_prefix('10.0.0.0/16', 24, (SELECT blue FROM k))$$, 'P0002', 'no prefix 10.0.0.0/16 in VRF "blue"', '... of that VRF');
INSERT INTO prefix (prefix) VALUES ('192.168.0.0/30');
SELECT is((allocate_prefix('192.168.0.0/30', 31)).prefix, '192.168.0.0/31', 'a /31 in a /30');
SELECT is((allocate_prefix('192.168.0.0/30', 31)).prefix, '192.168.0.2/31', 'the second /31');
SELECT throws_ok($$SELECT allocate_prefix('192.168.0.0/30', 31)$$, '53000', 'no free /31 left in prefix 192.168.0.0/30', 'a full parent');
SELECT is(array_agg(f), '{10.0.2.0/23,10.0.4.0/22,10.0.16.0/20}'::cidr[], 'free_prefixes lists the free space in order')
FROM (SELECT f FROM free_prefixes('10.0.0.0/8') f LIMIT 3) x;

-- addresses
INSERT INTO prefix (prefix) VALUES ('10.9.0.0/24'), ('10.9.1.0/31'), ('10.9.2.7/32'), ('2001:db8:ffff::/64'), ('2001:db8:fffe::/127');
INSERT INTO prefix (prefix, is_pool) VALUES ('10.9.3.0/29', true);
SELECT is(next_free_ip('10.9.0.0/24'), '10.9.0.1/24', 'IPv4 skips the network address');
SELECT is(next_free_ip('10.9.1.0/31'), '10.9.1.0/31', '... except in a /31');
SELECT is(next_free_ip('10.9.2.7/32'), '10.9.2.7/32', '... and a /32');
SELECT is(next_free_ip('10.9.3.0/29'), '10.9.3.0/29', '... and a pool');
SELECT is(next_free_ip('2001:db8:ffff::/64'), '2001:db8:ffff::1/64', 'IPv6 skips the subnet-router anycast address');
SELECT is(next_free_ip('2001:db8:fffe::/127'), '2001:db8:fffe::/127', '... except in a /127');
SELECT is((allocate_ip('10.9.0.0/24', (SELECT n1 FROM k), NULL, true)).address, '10.9.0.1/24', 'allocate_ip assigns the first address');
SELECT is((allocate_ip('10.9.0.0/24', (SELECT n1 FROM k))).address, '10.9.0.2/24', '... then the next');
INSERT INTO ip_range (start_address, end_address, description) VALUES ('10.9.0.3', '10.9.0.200', 'DHCP');
SELECT is((allocate_ip('10.9.0.0/24', (SELECT n2 FROM k))).address, '10.9.0.201/24', 'a reserved range is never handed out');
INSERT INTO ip_address (address, host_id) SELECT '10.9.0.202/32', n2 FROM k;
SELECT is(next_free_ip('10.9.0.0/24'), '10.9.0.203/24', 'nor an address assigned by hand, whatever its mask');
INSERT INTO ip_address (address, host_id)
SELECT ('10.9.0.' || g || '/24')::inet, n2 FROM k, generate_series(203, 254) g;
SELECT is(next_free_ip('10.9.0.0/24'), NULL, 'the broadcast address is never handed out');
SELECT throws_ok($$SELECT allocate_ip('10.9.0.0/24', (SELECT n2 FROM k))$$, '53000', 'no free address left in prefix 10.9.0.0/24', 'a full prefix');
SELECT throws_ok($$INSERT INTO ip_address (address, host_id) SELECT '10.9.0.1/32', n2 FROM k$$, '23505',
    'duplicate key value violates unique constraint "ip_address_unique_in_vrf"', 'the same address twice, whatever the masks');
SELECT lives_ok($$INSERT INTO ip_address (vrf_id, address, host_id) SELECT blue, '10.9.0.1/8', n2 FROM k$$, 'the same address in another VRF');
SELECT throws_ok($$INSERT INTO ip_address (address, host_id, canonical) SELECT '10.9.5.1', n1, true FROM k$$, '23505',
    'duplicate key value violates unique constraint "ip_address_one_canonical"', 'one canonical address per host');
SELECT throws_ok($$INSERT INTO ip_address (address, canonical) VALUES ('10.9.5.2', true)$$, '23514',
    'new row for relation "ip_address" violates check constraint "ip_address_canonical_needs_host"', 'a canonical address belongs to a host');
SELECT throws_ok($$INSERT INTO ip_address (address, dns_name) VALUES ('10.9.5.3', 'not a name')$$, '22023',
    'invalid hostname "not a name"', 'dns_name is a valid name');
INSERT INTO device (kind, name, units) VALUES ('server', 'nsrv1', 1);
INSERT INTO port (device_id, name, kind) SELECT id, 'eth0', 'interface' FROM device WHERE name = 'nsrv1';
SELECT throws_ok($$INSERT INTO ip_address (address, host_id, port_id)
                   SELECT '10.9.5.4', n1, (SELECT p.id FROM port p JOIN device d ON d.id = p.device_id WHERE d.name = 'nsrv1') FROM k$$, '23503',
    'port "eth0" of device "nsrv1" is not a port of the device host "n1.example.org" runs on', 'the port is one of the host''s device');
DELETE FROM ip_range WHERE description = 'DHCP';
SELECT is(next_free_ip('10.9.0.0/24'), '10.9.0.3/24', 'a deleted range is free again');
DELETE FROM ip_address WHERE host_addr = '10.9.0.2/32';
SELECT is(next_free_ip('10.9.0.0/24'), '10.9.0.2/24', 'a released address is free again');

-- ranges against prefixes
SELECT throws_ok($$INSERT INTO ip_range (start_address, end_address) VALUES ('10.0.7.250', '10.0.8.5')$$, '23514',
    'reserved range 10.0.7.250 - 10.0.8.5 cuts across prefix 10.0.8.0/21', 'a range cannot cross a prefix');
SELECT throws_ok($$INSERT INTO ip_range (start_address, end_address) VALUES ('10.0.7.0', '10.0.17.0')$$, '23514', NULL,
    'nor contain one');
INSERT INTO ip_range (start_address, end_address) VALUES ('10.7.0.10', '10.7.0.20');
SELECT throws_ok($$INSERT INTO prefix (prefix) VALUES ('10.7.0.16/28')$$, '23514',
    'prefix 10.7.0.16/28 cuts across reserved range 10.7.0.10 - 10.7.0.20', 'a prefix cannot cut a range');
SELECT lives_ok($$INSERT INTO prefix (prefix) VALUES ('10.7.0.0/24')$$, 'a prefix may contain a whole range');
SELECT is(next_free_ip('10.7.0.0/24'), '10.7.0.1/24', 'and allocates around it');
SELECT throws_ok($$INSERT INTO ip_range (start_address, end_address) VALUES ('10.1.0.9', '10.1.0.1')$$, '23514',
    'new row for relation "ip_range" violates check constraint "ip_range_ordered"', 'a range starts before it ends');
SELECT throws_ok($$INSERT INTO ip_range (start_address, end_address) VALUES ('10.1.0.1', '2001:db8::1')$$, '23514',
    'new row for relation "ip_range" violates check constraint "ip_range_same_family"', 'a range is of one family');

-- hierarchy
SELECT is((prefix_parent((SELECT id FROM prefix WHERE prefix = '10.0.8.0/21' AND vrf_id IS NULL))).prefix, '10.0.0.0/8', 'prefix_parent');
SELECT is((prefix_parent((SELECT id FROM prefix WHERE prefix = '10.0.0.0/8' AND vrf_id IS NULL))).prefix, NULL, 'a top-level prefix has no parent');
INSERT INTO prefix (prefix) VALUES ('10.0.8.0/24');
SELECT is((SELECT array_agg(prefix) FROM prefix_children((SELECT id FROM prefix WHERE prefix = '10.0.8.0/21'))), '{10.0.8.0/24}'::cidr[], 'prefix_children: direct children only');
SELECT is(prefix_depth((SELECT id FROM prefix WHERE prefix = '10.0.8.0/24')), 2, 'prefix_depth');
SELECT throws_ok($$SELECT prefix_depth('00000000-0000-0000-0000-000000000000')$$, 'P0002', 'no prefix with id 00000000-0000-0000-0000-000000000000', 'an unknown prefix id');


-- regressions found in review: every case keeps the free space exact
INSERT INTO ip_range (start_address, end_address) VALUES ('10.31.0.10', '10.31.0.20');
INSERT INTO prefix (prefix) VALUES ('10.31.0.0/24');            -- a top-level prefix over an existing range
SELECT is(next_free_prefix('10.31.0.0/24', 29), '10.31.0.0/29', 'a top-level prefix over a range: the first /29 is free');
SELECT is(next_free_prefix('10.31.0.0/24', 28), '10.31.0.32/28', '... but no /28 overlapping the range');
INSERT INTO ip_range (start_address, end_address) VALUES ('10.31.0.100', '10.31.0.119'), ('10.31.0.120', '10.31.0.125');
DELETE FROM ip_range WHERE start_address = '10.31.0.100';
SELECT is(next_free_prefix('10.31.0.0/24', 30), '10.31.0.0/30', 'adjacent ranges: deleting one keeps the other');
SELECT ok(NOT EXISTS (SELECT 1 FROM free_prefixes('10.31.0.0/24') f WHERE f && '10.31.0.122/32'), '... its addresses stay reserved');
INSERT INTO ip_range (start_address, end_address) VALUES ('10.31.0.140', '10.31.0.150'), ('10.31.0.151', '10.31.0.153');
DELETE FROM ip_range WHERE start_address >= '10.31.0.140';          -- two adjacent ranges in one statement
SELECT throws_ok($$INSERT INTO ip_range (start_address, end_address) VALUES ('10.31.0.200', '10.32.0.5')$$, '23514',
    'reserved range 10.31.0.200 - 10.32.0.5 cuts across prefix 10.31.0.0/24', 'a range may not run past the end of a prefix');
INSERT INTO ip_range (start_address, end_address) VALUES ('10.33.0.200', '10.33.1.5');
SELECT throws_ok($$INSERT INTO prefix (prefix) VALUES ('10.33.0.0/24')$$, '23514',
    'prefix 10.33.0.0/24 cuts across reserved range 10.33.0.200 - 10.33.1.5', '... nor a prefix end inside a range');
SELECT throws_ok($$INSERT INTO prefix (prefix) VALUES ('10.33.0.224/28')$$, '23514',
    'prefix 10.33.0.224/28 lies inside reserved range 10.33.0.200 - 10.33.1.5', 'a prefix inside a range is refused');
-- (1.7) new prefixes are checked per statement: the first one refused is named, none is written
SELECT throws_ok($$INSERT INTO prefix (prefix) VALUES ('10.33.2.0/24'), ('10.33.1.0/29'), ('10.33.0.192/28')$$, '23514',
    'prefix 10.33.0.192/28 cuts across reserved range 10.33.0.200 - 10.33.1.5', 'several new prefixes: the first refused (in address order) is named');
SELECT is((SELECT count(*) FROM prefix WHERE prefix IN ('10.33.2.0/24', '10.33.1.0/29', '10.33.0.192/28')), 0::bigint, '... and none of them is written');
SELECT throws_ok($$INSERT INTO prefix (prefix) VALUES ('10.33.2.0/24'), ('10.33.1.0/30')$$, '23514',
    'prefix 10.33.1.0/30 lies inside reserved range 10.33.0.200 - 10.33.1.5', '... also a prefix inside a range, among others');
SELECT throws_ok($$INSERT INTO ip_range (start_address, end_address) VALUES ('10.0.8.0', '10.0.9.255')$$, '23514',
    'reserved range 10.0.8.0 - 10.0.9.255 contains prefix 10.0.8.0/24', 'a range starting at a child prefix contains it');
SELECT lives_ok($$INSERT INTO ip_range (start_address, end_address) VALUES ('10.0.8.0', '10.0.8.255')$$,
    'a range may fill a prefix exactly');
INSERT INTO prefix (prefix) VALUES ('10.34.0.0/24');
UPDATE prefix SET prefix = '10.34.0.0/16' WHERE prefix = '10.34.0.0/24';   -- widen a top-level prefix
SELECT is(next_free_prefix('10.34.0.0/16', 24), '10.34.0.0/24', 'a widened top-level prefix keeps its old space');
INSERT INTO prefix (prefix) VALUES ('10.34.0.0/16') ON CONFLICT DO NOTHING;
SELECT is((allocate_prefix('10.34.0.0/16', 24)).prefix, '10.34.0.0/24', 'INSERT ... ON CONFLICT DO NOTHING leaves the space alone');
SELECT throws_ok($$UPDATE prefix SET id = gen_random_uuid() WHERE prefix = '10.34.0.0/16'$$, '428C9',
    'the id of a prefix row cannot change', 'a prefix keeps its id (the core''s rule for every table)');
SELECT throws_ok($$SELECT allocate_prefix('10.34.0.0/16', 16)$$, '22023',
    'prefix length 16 is the length of the parent 10.34.0.0/16 itself', 'a child is longer than its parent');
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'free space is exact after the review cases');
TRUNCATE ip_address;
SELECT is(next_free_ip('10.9.0.0/24'), '10.9.0.1/24', 'TRUNCATE rebuilds the free space');
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, '... exactly');

-- values (issue 11, item 5): names, descriptions, route distinguishers
SELECT throws_ok($$INSERT INTO vrf (name) VALUES ('   ')$$, '23514',
    'new row for relation "vrf" violates check constraint "vrf_name_check"', 'a VRF name is not only spaces');
SELECT throws_ok($$INSERT INTO vrf (name) VALUES (E'a\tb')$$, '23514',
    'new row for relation "vrf" violates check constraint "vrf_name_check"', '... has no tab');
SELECT throws_ok($$INSERT INTO vrf (name) VALUES (repeat('v', 101))$$, '23514',
    'new row for relation "vrf" violates check constraint "vrf_name_check"', '... and at most 100 characters');
SELECT throws_ok($$INSERT INTO vrf (name, description) VALUES ('d', repeat('d', 201))$$, '23514',
    'new row for relation "vrf" violates check constraint "vrf_description_check"', 'a description is at most 200 characters');
SELECT throws_ok($$INSERT INTO vlan (vid, name) VALUES (7, E'x\n')$$, '23514',
    'new row for relation "vlan" violates check constraint "vlan_name_check"', 'a VLAN name has no newline');
SELECT throws_ok($$INSERT INTO vlan (vid, name, description) VALUES (7, 'x', ' padded')$$, '23514',
    'new row for relation "vlan" violates check constraint "vlan_description_check"', 'a description has no leading space');
SELECT throws_ok($$INSERT INTO vlan (vid, name) VALUES (0, 'x')$$, '23514',
    'new row for relation "vlan" violates check constraint "vlan_vid_range"', 'VLAN id 0 is not a VLAN');
SELECT throws_ok($$INSERT INTO prefix (prefix, description) VALUES ('192.0.2.0/24', '')$$, '23514',
    'new row for relation "prefix" violates check constraint "prefix_description_check"', 'an empty description is NULL, not ''''');
SELECT throws_ok($$INSERT INTO ip_range (start_address, end_address, description) VALUES ('192.0.2.1', '192.0.2.2', repeat('r', 201))$$, '23514',
    'new row for relation "ip_range" violates check constraint "ip_range_description_check"', 'a range''s description too');
SELECT throws_ok($$INSERT INTO ip_address (address, description) VALUES ('192.0.2.1', E'two\nlines')$$, '23514',
    'new row for relation "ip_address" violates check constraint "ip_address_description_check"', 'an address''s description too');
SELECT throws_ok($$SELECT allocate_prefix('10.0.0.0/8', 24, NULL, repeat('a', 201))$$, '23514',
    'new row for relation "prefix" violates check constraint "prefix_description_check"', 'allocate_prefix''s description too');
SELECT is(array_agg(r ORDER BY r) FILTER (WHERE is_valid_rd(r)),
          '{0:0,1.2.3.4:65535,255.255.255.255:0,4294967295:65535,65000:100,65535:4294967295,65536:65535}'::text[],
          'is_valid_rd: ASN2:nn to 4294967295, ASN4:nn and IPv4:nn to 65535')
FROM unnest(ARRAY['0:0', '65000:100', '65535:4294967295', '65536:65535', '4294967295:65535', '1.2.3.4:65535', '255.255.255.255:0',
                  '999.999.999.999:1', '65535:4294967296', '65536:65536', '4294967296:1', '1.2.3.4:65536', '065000:1',
                  '1.2:3', '1.2.3:4', '1.2.3.4.5:6', '256.0.0.1:1', '01.2.3.4:5', '65000:', ':1', '65000:1 ', '99999999999:1']) r;
SELECT throws_ok($$INSERT INTO vrf (name, rd) VALUES ('x', '999.999.999.999:1')$$, '23514',
    'new row for relation "vrf" violates check constraint "vrf_rd_format"', 'an RD of 999.999.999.999:1 is refused');
SELECT throws_ok($$INSERT INTO vrf (name, rd) VALUES ('x', '65536:65536')$$, '23514',
    'new row for relation "vrf" violates check constraint "vrf_rd_format"', 'a 4-byte ASN has a 2-byte number');

-- allocation by status (item 3): addresses from active prefixes (pools
-- included), child prefixes from container and active ones, nothing from
-- reserved or deprecated ones
INSERT INTO prefix (prefix, status) VALUES ('172.20.0.0/16', 'container'), ('172.21.0.0/16', 'reserved'),
    ('172.22.0.0/16', 'deprecated'), ('172.23.0.0/16', 'active');
INSERT INTO prefix (prefix, status, is_pool) VALUES ('172.24.0.0/24', 'reserved', true);
SELECT is((allocate_prefix('172.20.0.0/16', 24)).prefix, '172.20.0.0/24', 'a child prefix from a container');
SELECT is((allocate_prefix('172.23.0.0/16', 24)).prefix, '172.23.0.0/24', '... and from an active prefix');
SELECT throws_ok($$SELECT allocate_prefix('172.21.0.0/16', 24)$$, '55000',
    'prefix 172.21.0.0/16 has status reserved: child prefixes are allocated only from container and active prefixes',
    'no child prefix from a reserved prefix');
SELECT throws_ok($$SELECT next_free_prefix('172.22.0.0/16', 24)$$, '55000',
    'prefix 172.22.0.0/16 has status deprecated: child prefixes are allocated only from container and active prefixes',
    '... nor from a deprecated one (next_free_prefix says the same)');
SELECT throws_ok($$SELECT allocate_ip('172.20.0.0/16', (SELECT n1 FROM k))$$, '55000',
    'prefix 172.20.0.0/16 has status container: addresses are allocated only from active prefixes',
    'no address from a container (it used to hand out 172.20.1.0/16)');
SELECT throws_ok($$SELECT next_free_ip('172.21.0.0/16')$$, '55000',
    'prefix 172.21.0.0/16 has status reserved: addresses are allocated only from active prefixes', 'nor from a reserved prefix');
SELECT throws_ok($$SELECT allocate_ip('172.22.0.0/16', (SELECT n1 FROM k))$$, '55000',
    'prefix 172.22.0.0/16 has status deprecated: addresses are allocated only from active prefixes', 'nor from a deprecated one');
SELECT throws_ok($$SELECT allocate_ip('172.24.0.0/24', (SELECT n1 FROM k))$$, '55000',
    'prefix 172.24.0.0/24 has status reserved: addresses are allocated only from active prefixes', 'nor from a reserved pool');
SELECT is((allocate_ip('172.23.0.0/16', (SELECT n1 FROM k))).address, '172.23.1.0/16',
    'an active prefix with children hands out its own space, with its own mask');
SELECT throws_ok($$SELECT allocate_ip('172.23.0.0/24', NULL)$$, '22004',
    'allocate_ip needs a host: host_id is NULL', 'allocate_ip refuses a NULL host (a misspelt host looked up by name)');

-- an address carries its network's mask (item 4)
INSERT INTO prefix (prefix) VALUES ('198.51.100.0/24');
INSERT INTO ip_address (address, host_id) SELECT a, n1 FROM k, unnest('{198.51.100.5, 198.51.100.77/24, 198.51.100.200}'::inet[]) a;
SELECT is(array_agg(address ORDER BY host_addr), '{198.51.100.5/24,198.51.100.77/24,198.51.100.200/24}'::inet[],
    'a bare address takes its network''s mask; one written with it keeps it')
FROM ip_address WHERE host_addr <<= '198.51.100.0/24';
SELECT throws_ok($$INSERT INTO ip_address (address) VALUES ('198.51.100.78/16')$$, '23514',
    'address 198.51.100.78/16 does not carry the mask of its network 198.51.100.0/24', 'another mask is refused');
SELECT throws_ok($$UPDATE ip_address SET address = '198.51.100.5/25' WHERE host_addr = '198.51.100.5/32'$$, '23514',
    'address 198.51.100.5/25 does not carry the mask of its network 198.51.100.0/24', '... on update too');
SELECT throws_ok($$INSERT INTO ip_address (address) VALUES ('203.0.113.9/24')$$, '23514',
    'address 203.0.113.9/24 lies in no prefix, so it has no network mask', 'an address in no prefix has no mask');
INSERT INTO ip_address (address) VALUES ('203.0.113.9'), ('203.0.113.10'), ('3fff::9');
SELECT is(array_agg(address ORDER BY host_addr), '{203.0.113.9/32,203.0.113.10/32,3fff::9/128}'::inet[], '... it is stored bare')
FROM ip_address WHERE host_addr <<= '203.0.113.0/24' OR host_addr <<= '3fff::/20';
INSERT INTO prefix (prefix) VALUES ('198.51.100.0/25');
SELECT is(array_agg(address ORDER BY host_addr), '{198.51.100.5/25,198.51.100.77/25,198.51.100.200/24}'::inet[],
    'a new child prefix gives the addresses inside it its mask')
FROM ip_address WHERE host_addr <<= '198.51.100.0/24';
UPDATE prefix SET prefix = '198.51.100.0/26' WHERE prefix = '198.51.100.0/25';
SELECT is(array_agg(address ORDER BY host_addr), '{198.51.100.5/26,198.51.100.77/24,198.51.100.200/24}'::inet[],
    'a prefix that shrinks: those inside it take the new mask, those left out their parent''s')
FROM ip_address WHERE host_addr <<= '198.51.100.0/24';
DELETE FROM prefix WHERE prefix = '198.51.100.0/26';
SELECT is(array_agg(address ORDER BY host_addr), '{198.51.100.5/24,198.51.100.77/24,198.51.100.200/24}'::inet[],
    'a deleted prefix gives its addresses back to its parent''s mask')
FROM ip_address WHERE host_addr <<= '198.51.100.0/24';
INSERT INTO prefix (prefix) VALUES ('203.0.113.0/24'), ('203.0.113.8/30');
SELECT is(array_agg(address ORDER BY host_addr), '{203.0.113.9/30,203.0.113.10/30}'::inet[],
    'prefixes over bare addresses, several in one statement: each gets its network''s mask')
FROM ip_address WHERE host_addr <<= '203.0.113.0/24';
SELECT is(count(*), 0::bigint, 'the change log has the rewritten masks') FROM ip_address a
 WHERE host_addr = '203.0.113.9/32'
   AND NOT EXISTS (SELECT FROM change c WHERE c.row_id = a.id AND c.op = 'update' AND c.after ->> 'address' = '203.0.113.9/30');
SELECT is(count(*), 0::bigint, 'and the free space kept no mask: verify finds nothing') FROM prefix_free_verify();

-- network and broadcast addresses of an IPv4 network of /30 or wider
SELECT throws_ok($$INSERT INTO ip_address (address) VALUES ('198.51.100.0')$$, '23514',
    'address 198.51.100.0 is the network address of prefix 198.51.100.0/24', 'the network address is refused');
SELECT throws_ok($$INSERT INTO ip_address (address) VALUES ('198.51.100.255/24')$$, '23514',
    'address 198.51.100.255 is the broadcast address of prefix 198.51.100.0/24', '... and the broadcast address');
SELECT throws_ok($$INSERT INTO ip_address (address) VALUES ('203.0.113.11')$$, '23514',
    'address 203.0.113.11 is the broadcast address of prefix 203.0.113.8/30', '... of a /30 too');
INSERT INTO prefix (prefix) VALUES ('198.51.100.252/31'), ('198.51.100.254/32');
INSERT INTO prefix (prefix, is_pool) VALUES ('198.51.100.240/30', true);
SELECT lives_ok($$INSERT INTO ip_address (address) VALUES ('198.51.100.252'), ('198.51.100.253'), ('198.51.100.254'),
                                                      ('198.51.100.240'), ('198.51.100.243'), ('2001:db8::')$$,
    'a /31, a /32 and a pool have none; nor does IPv6 (its subnet-router anycast address may be assigned by hand)');
SELECT throws_ok($$UPDATE prefix SET is_pool = false WHERE prefix = '198.51.100.240/30'$$, '23514',
    'prefix 198.51.100.240/30 cannot stop being a pool: address 198.51.100.240 is its network address', 'a pool that holds its edges stays a pool');
INSERT INTO prefix (prefix) VALUES ('100.64.0.0/24');
INSERT INTO prefix (prefix, is_pool) VALUES ('100.64.0.0/30', true);
INSERT INTO ip_address (address) VALUES ('100.64.0.0');
SELECT throws_ok($$DELETE FROM prefix WHERE prefix = '100.64.0.0/30'$$, '23514',
    'address 100.64.0.0 is the network address of prefix 100.64.0.0/24',
    'nor goes away when its parent would get an address at its edge');
INSERT INTO ip_address (address) VALUES ('198.51.100.128');
SELECT throws_ok($$INSERT INTO prefix (prefix) VALUES ('198.51.100.128/25')$$, '23514',
    'address 198.51.100.128 is the network address of prefix 198.51.100.128/25',
    'a new prefix that would make an address its network address is refused');

-- reserved ranges (item 4): no overlap, no address inside unless allowed
INSERT INTO prefix (prefix) VALUES ('192.0.2.0/24');
INSERT INTO ip_range (start_address, end_address, description) VALUES ('192.0.2.100', '192.0.2.150', 'DHCP');
SELECT throws_ok($$INSERT INTO ip_range (start_address, end_address) VALUES ('192.0.2.150', '192.0.2.160')$$, '23P01',
    'conflicting key value violates exclusion constraint "ip_range_no_overlap"', 'reserved ranges do not overlap');
SELECT throws_ok($$INSERT INTO ip_range (start_address, end_address) VALUES ('192.0.2.110', '192.0.2.120')$$, '23P01',
    'conflicting key value violates exclusion constraint "ip_range_no_overlap"', '... nor nest');
SELECT lives_ok($$INSERT INTO ip_range (vrf_id, start_address, end_address) SELECT blue, '192.0.2.110', '192.0.2.120' FROM k$$,
    'in another VRF they may');
SELECT throws_ok($$INSERT INTO ip_address (address) VALUES ('192.0.2.120')$$, '23514',
    'address 192.0.2.120 lies in reserved range 192.0.2.100 - 192.0.2.150', 'an address in a reserved range is refused');
INSERT INTO ip_address (address) VALUES ('192.0.2.99'), ('192.0.2.151');
SELECT throws_ok($$INSERT INTO ip_range (start_address, end_address) VALUES ('192.0.2.151', '192.0.2.160')$$, '23514',
    'reserved range 192.0.2.151 - 192.0.2.160 holds assigned address 192.0.2.151/24', 'a range over an assigned address is refused');
SELECT throws_ok($$UPDATE ip_range SET end_address = '192.0.2.151' WHERE description = 'DHCP'$$, '23514',
    'reserved range 192.0.2.100 - 192.0.2.151 holds assigned address 192.0.2.151/24', '... a range grown over one too');
SELECT lives_ok($$INSERT INTO ip_range (start_address, end_address, allow_addresses) VALUES ('192.0.2.151', '192.0.2.160', true)$$,
    'a range that allows addresses may hold them');
SELECT lives_ok($$INSERT INTO ip_address (address) VALUES ('192.0.2.152')$$, '... and take more by hand');
SELECT is(count(*), 98::bigint, 'allocation hands out .1 to .98') FROM (SELECT allocate_ip('192.0.2.0/24', n1) FROM k, generate_series(1, 98)) x;
SELECT is(next_free_ip('192.0.2.0/24'), '192.0.2.161/24', '... then skips both ranges and the addresses in them');
SELECT throws_ok($$UPDATE ip_range SET allow_addresses = false WHERE start_address = '192.0.2.151'$$, '23514',
    'reserved range 192.0.2.151 - 192.0.2.160 holds assigned address 192.0.2.151/24', 'a range that holds addresses keeps allowing them');

-- deleting a VLAN or a VRF that rows use names them (item 9)
INSERT INTO vlan (vid, name) VALUES (300, 'storage');
INSERT INTO prefix (prefix, vlan_id) SELECT p, (SELECT id FROM vlan WHERE name = 'storage')
FROM unnest('{192.0.2.192/28, 2001:db8:300::/64}'::cidr[]) p;
SELECT throws_ok($$DELETE FROM vlan WHERE name = 'storage'$$, '23503',
    'vlan "storage" cannot be deleted: 2 prefix row(s) refer to it: 192.0.2.192/28, 2001:db8:300::/64', 'a VLAN in use names its prefixes');
-- the referring tables are named one at a time, in name order
SELECT throws_ok($$DELETE FROM vrf WHERE name = 'blue'$$, '23503',
    'vrf "blue" cannot be deleted: 1 ip_range row(s) refer to it: 192.0.2.110 - 192.0.2.120', 'a VRF in use names its ranges');
DELETE FROM ip_range WHERE vrf_id = (SELECT blue FROM k);
SELECT throws_ok($$DELETE FROM vrf WHERE name = 'blue'$$, '23503',
    'vrf "blue" cannot be deleted: 2 prefix row(s) refer to it: 10.0.0.0/24, 10.0.0.0/8', '... then its prefixes');
DELETE FROM prefix WHERE vrf_id = (SELECT blue FROM k);
INSERT INTO ip_address (vrf_id, address) SELECT blue, '10.9.0.1' FROM k;
SELECT throws_ok($$DELETE FROM vrf WHERE name = 'blue'$$, '23503',
    'vrf "blue" cannot be deleted: 1 ip_address row(s) refer to it: 10.9.0.1/32', '... then its addresses');
INSERT INTO vrf (name) VALUES (repeat('L', 100));
SELECT throws_ok($$SELECT next_free_ip('10.0.0.0/8', (SELECT id FROM vrf WHERE name = repeat('L', 100)))$$, 'P0002',
    'no prefix 10.0.0.0/8 in VRF "' || repeat('L', 64) || '..." (100 characters)', 'a long name is quoted as an excerpt');

-- who may execute what (item 7): the VRF lock is out of every user's reach
GRANT SELECT ON k TO PUBLIC;
SET LOCAL ROLE mountaineer_reader;
SELECT throws_ok($$SELECT lock_vrf(NULL)$$, '42501', 'permission denied for function lock_vrf', 'a reader cannot take the VRF lock');
SELECT throws_ok($$SELECT FROM vrf_lock FOR UPDATE$$, '42501', 'permission denied for table vrf_lock', '... nor lock its row');
SELECT throws_ok($$SELECT allocate_ip('10.9.0.0/24', n1) FROM k$$, '42501', 'permission denied for function allocate_ip', 'nor allocate');
SELECT is(next_free_ip('10.9.0.0/24'), '10.9.0.1/24', 'a reader may ask what is free');
RESET ROLE;
SET LOCAL ROLE mountaineer_editor;
SELECT throws_ok($$SELECT lock_vrf(NULL)$$, '42501', 'permission denied for function lock_vrf', 'nor may an editor take the lock by hand');
SELECT throws_ok($$SELECT prefix_owner(vrf_key(NULL), '10.9.0.0/24')$$, '42501', 'permission denied for function prefix_owner', '... or call an internal helper');
SELECT is((allocate_ip('10.9.0.0/24', n1)).address, '10.9.0.1/24', 'an editor allocates') FROM k;
SELECT lives_ok($$INSERT INTO ip_address (address) VALUES ('10.9.0.2')$$, '... and writes addresses (the triggers take the lock)');
RESET ROLE;
SELECT is(db_role, 'mountaineer_editor', 'the change log names the editor for an allocation (SECURITY DEFINER does not hide it)')
FROM change WHERE table_name = 'ip_address' AND after ->> 'address' = '10.9.0.1/24' ORDER BY id DESC LIMIT 1;
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'mountaineer'::regnamespace
       AND p.proname IN ('lock_vrf', 'free_add', 'free_take', 'free_release', 'prefix_owner', 'prefix_attach', 'prefix_detach',
                         'range_check_prefixes', 'check_read_committed', 'address_masks', 'prefix_maintain', 'lock_vrf_of_row',
                         'ip_address_maintain', 'ip_address_check', 'ip_range_maintain', 'ip_range_check', 'prefix_keep_addresses', 'prefix_keep_addresses_new', 'prefix_keep_addresses_gone',
                         'prefix_free_after_truncate', 'prefix_free_rebuild')
       AND (has_function_privilege('mountaineer_editor', p.oid, 'EXECUTE') OR has_function_privilege('public', p.oid, 'EXECUTE'))$$,
    'no internal function is executable by PUBLIC or the editor');

-- the maintained free space equals a recomputation after all of the above,
-- and after a burst of random inserts, moves and deletes
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'free space is exact after the scripted changes');
SELECT setseed(0.5);
INSERT INTO prefix (prefix)
SELECT DISTINCT set_masklen(('10.200.0.0'::inet + (random() * 65535)::int), 18 + (random() * 10)::int)::cidr
FROM generate_series(1, 300) ON CONFLICT DO NOTHING;
INSERT INTO ip_address (address)
SELECT DISTINCT host(('10.200.0.0'::inet + (random() * 65535)::int))::inet FROM generate_series(1, 300) ON CONFLICT DO NOTHING;
DELETE FROM prefix WHERE prefix <<= '10.200.0.0/16' AND random() < 0.3;
UPDATE prefix p SET prefix = set_masklen(p.prefix, masklen(p.prefix) + 1)
 WHERE p.prefix <<= '10.200.0.0/16' AND random() < 0.2 AND masklen(p.prefix) < 30
   AND NOT EXISTS (SELECT 1 FROM prefix q WHERE q.vrf_id IS NULL AND q.prefix = set_masklen(p.prefix, masklen(p.prefix) + 1));
DELETE FROM ip_address WHERE host_addr <<= '10.200.0.0/16' AND random() < 0.3;
INSERT INTO prefix (prefix) VALUES ('10.200.0.0/16');
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'free space is exact after random changes');
SELECT is_empty($$SELECT a.address FROM ip_address a
    WHERE masklen(a.address) <> coalesce(masklen((prefix_owner(vrf_key(a.vrf_id), a.host_addr)).prefix),
                                         CASE family(a.address) WHEN 4 THEN 32 ELSE 128 END)$$,
    'every address carries its network''s mask after random changes');
TRUNCATE prefix CASCADE;   -- with the tables that refer to it (ec2_subnet, when installed)
SELECT is(count(*), 0::bigint, 'TRUNCATE of the prefixes leaves every address bare')
FROM ip_address WHERE masklen(address) <> CASE family(address) WHEN 4 THEN 32 ELSE 128 END;

SELECT * FROM finish();
ROLLBACK;
