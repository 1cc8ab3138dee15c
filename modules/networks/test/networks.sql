-- mountaineer_networks: constraints, allocation rules, reserved ranges, the
-- canonical rule, and the maintained free space against a recomputation.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(76);

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
SELECT throws_ok($$SELECT next_free_prefix('10.0.0.0/16', 24, (SELECT blue FROM k))$$, 'P0002', 'no prefix 10.0.0.0/16 in VRF blue', '... of that VRF');
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
SELECT lives_ok($$INSERT INTO ip_address (vrf_id, address, host_id) SELECT blue, '10.9.0.1/24', n2 FROM k$$, 'the same address in another VRF');
SELECT throws_ok($$INSERT INTO ip_address (address, host_id, canonical) SELECT '10.9.5.1/24', n1, true FROM k$$, '23505',
    'duplicate key value violates unique constraint "ip_address_one_canonical"', 'one canonical address per host');
SELECT throws_ok($$INSERT INTO ip_address (address, canonical) VALUES ('10.9.5.2/24', true)$$, '23514',
    'new row for relation "ip_address" violates check constraint "ip_address_canonical_needs_host"', 'a canonical address belongs to a host');
SELECT throws_ok($$INSERT INTO ip_address (address, dns_name) VALUES ('10.9.5.3/24', 'not a name')$$, '22023',
    'invalid hostname "not a name"', 'dns_name is a valid name');
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
INSERT INTO ip_range (start_address, end_address) VALUES ('10.31.0.100', '10.31.0.131'), ('10.31.0.120', '10.31.0.125');
DELETE FROM ip_range WHERE start_address = '10.31.0.100';
SELECT is(next_free_prefix('10.31.0.0/24', 30), '10.31.0.0/30', 'overlapping ranges: deleting one keeps the other');
SELECT ok(NOT EXISTS (SELECT 1 FROM free_prefixes('10.31.0.0/24') f WHERE f && '10.31.0.122/32'), '... its addresses stay reserved');
INSERT INTO ip_range (start_address, end_address) VALUES ('10.31.0.140', '10.31.0.150'), ('10.31.0.140', '10.31.0.143');
DELETE FROM ip_range WHERE start_address = '10.31.0.140';          -- two overlapping ranges in one statement
SELECT throws_ok($$INSERT INTO ip_range (start_address, end_address) VALUES ('10.31.0.200', '10.32.0.5')$$, '23514',
    'reserved range 10.31.0.200 - 10.32.0.5 cuts across prefix 10.31.0.0/24', 'a range may not run past the end of a prefix');
INSERT INTO ip_range (start_address, end_address) VALUES ('10.33.0.200', '10.33.1.5');
SELECT throws_ok($$INSERT INTO prefix (prefix) VALUES ('10.33.0.0/24')$$, '23514',
    'prefix 10.33.0.0/24 cuts across reserved range 10.33.0.200 - 10.33.1.5', '... nor a prefix end inside a range');
SELECT throws_ok($$INSERT INTO prefix (prefix) VALUES ('10.33.0.224/28')$$, '23514',
    'prefix 10.33.0.224/28 lies inside reserved range 10.33.0.200 - 10.33.1.5', 'a prefix inside a range is refused');
SELECT throws_ok($$INSERT INTO ip_range (start_address, end_address) VALUES ('10.0.8.0', '10.0.9.255')$$, '23514',
    'reserved range 10.0.8.0 - 10.0.9.255 contains prefix 10.0.8.0/24', 'a range starting at a child prefix contains it');
SELECT lives_ok($$INSERT INTO ip_range (start_address, end_address) VALUES ('10.0.8.0', '10.0.8.255')$$,
    'a range may fill a prefix exactly');
INSERT INTO prefix (prefix) VALUES ('10.34.0.0/24');
UPDATE prefix SET prefix = '10.34.0.0/16' WHERE prefix = '10.34.0.0/24';   -- widen a top-level prefix
SELECT is(next_free_prefix('10.34.0.0/16', 24), '10.34.0.0/24', 'a widened top-level prefix keeps its old space');
INSERT INTO prefix (prefix) VALUES ('10.34.0.0/16') ON CONFLICT DO NOTHING;
SELECT is((allocate_prefix('10.34.0.0/16', 24)).prefix, '10.34.0.0/24', 'INSERT ... ON CONFLICT DO NOTHING leaves the space alone');
SELECT throws_ok($$UPDATE prefix SET id = gen_random_uuid() WHERE prefix = '10.34.0.0/16'$$, '23514',
    'the id of prefix 10.34.0.0/16 cannot change', 'a prefix keeps its id');
SELECT throws_ok($$SELECT allocate_prefix('10.34.0.0/16', 16)$$, '22023',
    'prefix length 16 is the length of the parent 10.34.0.0/16 itself', 'a child is longer than its parent');
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'free space is exact after the review cases');
TRUNCATE ip_address;
SELECT is(next_free_ip('10.9.0.0/24'), '10.9.0.1/24', 'TRUNCATE rebuilds the free space');
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, '... exactly');

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

SELECT * FROM finish();
ROLLBACK;
