-- The networks module on the demo estate (hardware + hosts + networks):
-- exact free space, allocation answers, views and DNS names.
-- pg_regress runs in the module folder, so the paths are relative to it.
\set ECHO none
\set QUIET on
\o /dev/null
\i ../hardware/demo/estate.sql
\i ../hosts/demo/estate.sql
\i demo/estate.sql
\o
\set QUIET off
\set ECHO all
SET search_path = mountaineer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never

SELECT v.name AS vrf, p.prefix, p.status, p.description, vl.vid,
       prefix_depth(p.id) AS depth, (prefix_parent(p.id)).prefix AS parent
FROM prefix p LEFT JOIN vrf v ON v.id = p.vrf_id LEFT JOIN vlan vl ON vl.id = p.vlan_id
ORDER BY v.name NULLS FIRST, family(p.prefix), p.prefix;
SELECT prefix FROM prefix_children((SELECT id FROM prefix WHERE prefix = '10.0.0.0/16'));
SELECT * FROM free_prefixes('10.0.0.0/24');
SELECT * FROM free_prefixes('2001:db8::/48');
SELECT next_free_prefix('10.0.0.0/8', 16) AS n16, next_free_prefix('10.0.0.0/16', 23) AS n23,
       next_free_prefix('2001:db8::/32', 48) AS n48, next_free_ip('10.0.0.0/24') AS ip4,
       next_free_ip('2001:db8::/64') AS ip6, next_free_ip('172.16.0.0/24', (SELECT id FROM vrf WHERE name = 'mgmt')) AS mgmt;
SELECT prefix, size, free, utilization FROM prefix_usage ORDER BY vrf NULLS FIRST, family(prefix), prefix;
SELECT hostname, interface, addresses, canonical, dns_names FROM host_address
WHERE hostname ~ '^(a01-c0[12]|web1|a01-pdu-a)\.' ORDER BY hostname, interface;
SELECT count(*) AS addresses, count(*) FILTER (WHERE canonical) AS canonical FROM ip_address;
SELECT count(*) AS mismatches FROM prefix_free_verify();

-- refusals, with their messages
SELECT allocate_prefix('10.0.0.0/24', 23);
SELECT allocate_prefix('10.0.0.0/24', 33);
SELECT allocate_prefix('10.99.0.0/16', 24);
SELECT next_free_ip('172.16.0.0/24');
INSERT INTO ip_address (address) VALUES ('10.0.0.1/32');
INSERT INTO ip_range (start_address, end_address) VALUES ('10.0.0.250', '10.0.1.5');
INSERT INTO prefix (prefix) VALUES ('10.0.0.192/26');
-- allocation by status: addresses from active prefixes, child prefixes
-- from container and active ones
SELECT allocate_ip('10.0.0.0/16', (SELECT id FROM host WHERE hostname = 'web1.prod.example.net'));
SELECT next_free_ip('10.0.0.0/8');
BEGIN;
UPDATE prefix SET status = 'deprecated' WHERE prefix = '10.0.2.0/24';
SAVEPOINT a;
SELECT allocate_prefix('10.0.2.0/24', 28);
ROLLBACK TO a;
SELECT allocate_ip('10.0.2.0/24', (SELECT id FROM host WHERE hostname = 'web1.prod.example.net'));
ROLLBACK;
SELECT allocate_ip('10.0.1.0/24', (SELECT id FROM host WHERE hostname = 'no-such-host.example.net'));
-- an address carries its network's mask; no network or broadcast address;
-- nothing in a reserved range that does not allow it
INSERT INTO ip_address (address) VALUES ('10.0.0.77/16');
INSERT INTO ip_address (address) VALUES ('10.99.0.1/24');
INSERT INTO ip_address (address) VALUES ('10.0.0.255');
INSERT INTO ip_address (address) VALUES ('10.0.0.210');
INSERT INTO ip_range (start_address, end_address) VALUES ('10.0.0.10', '10.0.0.20');
INSERT INTO ip_range (start_address, end_address) VALUES ('10.0.0.240', '10.0.0.254');
-- what refers to a VLAN or a VRF
DELETE FROM vlan WHERE name = 'prod';
DELETE FROM vrf WHERE name = 'mgmt';
