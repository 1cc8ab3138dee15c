-- mountaineer_networks: prefix_utilization(), the fraction of a prefix its
-- child prefixes, reserved ranges and addresses take, in the global table
-- or a VRF, agreeing with the view prefix_usage; P0002 for a non-prefix.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(11);

INSERT INTO vrf (name) VALUES ('pu-blue');
INSERT INTO prefix (prefix) VALUES ('10.78.0.0/24'), ('2001:db8:78::/64');
INSERT INTO prefix (vrf_id, prefix) SELECT id, '10.78.0.0/24' FROM vrf WHERE name = 'pu-blue';

SELECT is(prefix_utilization('10.78.0.0/24'), 0.000000, 'an empty prefix is unused');
INSERT INTO prefix (prefix) VALUES ('10.78.0.0/25');
SELECT is(prefix_utilization('10.78.0.0/24'), 0.500000, 'a child prefix takes its half');
INSERT INTO ip_address (address, description) VALUES ('10.78.0.200/24', 'pu-gateway');
SELECT is(prefix_utilization('10.78.0.0/24'), 0.503906, 'an address takes one of 256');
INSERT INTO ip_range (start_address, end_address) VALUES ('10.78.0.129', '10.78.0.136');
SELECT is(prefix_utilization('10.78.0.0/24'), 0.535156, 'a reserved range takes its eight');
SELECT is(prefix_utilization('10.78.0.0/25'), 0.000000, 'the child itself is unused');
SELECT is(prefix_utilization('10.78.0.0/24', (SELECT id FROM vrf WHERE name = 'pu-blue')), 0.000000,
          'the same prefix in a VRF is counted on its own');
INSERT INTO prefix (prefix) VALUES ('2001:db8:78::/65');
SELECT is(prefix_utilization('2001:db8:78::/64'), 0.500000, 'IPv6: a /65 takes half of a /64');
SELECT results_eq(
    $$SELECT prefix, prefix_utilization(prefix, vrf_id) FROM prefix ORDER BY vrf_id NULLS FIRST, prefix$$,
    $$SELECT u.prefix, u.utilization FROM prefix_usage u JOIN prefix p ON p.id = u.id ORDER BY p.vrf_id NULLS FIRST, u.prefix$$,
    'prefix_utilization agrees with prefix_usage for every prefix');
DELETE FROM prefix WHERE prefix = '10.78.0.0/25';
SELECT is(prefix_utilization('10.78.0.0/24'), 0.035156, 'a deleted child gives its space back');
SELECT throws_ok($$SELECT prefix_utilization('10.79.0.0/24')$$, 'P0002', 'no prefix 10.79.0.0/24 in the global table',
                 'prefix_utilization of a non-prefix is refused');
SELECT throws_ok($$SELECT prefix_utilization('10.78.0.0/25', (SELECT id FROM vrf WHERE name = 'pu-blue'))$$, 'P0002',
                 'no prefix 10.78.0.0/25 in VRF "pu-blue"', '... and names the VRF');

SELECT * FROM finish();
ROLLBACK;
