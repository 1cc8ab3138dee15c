-- mountaineer_networks: outside READ COMMITTED, allocate_vlan and narrowing
-- a VLAN group's range are refused (25000): a VLAN committed meanwhile
-- could be invisible to the snapshot.  A file of its own: the isolation
-- level is set when the transaction starts.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN ISOLATION LEVEL REPEATABLE READ;
SET search_path = mountaineer, public;
SELECT plan(5);
INSERT INTO site (name) VALUES ('vg-rr');
INSERT INTO vlan_group (name, min_vid, max_vid) VALUES ('vg-rr', 10, 20);
SELECT throws_ok($$SELECT allocate_vlan((SELECT id FROM vlan_group WHERE name = 'vg-rr'), 'x')$$, '25000',
                 'allocate_vlan needs READ COMMITTED isolation, not REPEATABLE READ', 'allocation outside READ COMMITTED is refused');
SELECT throws_ok($$UPDATE vlan_group SET max_vid = 19 WHERE name = 'vg-rr'$$, '25000',
                 'narrowing VLAN group "vg-rr" needs READ COMMITTED isolation, not REPEATABLE READ', 'so is narrowing a group');
SELECT throws_ok($$UPDATE vlan_group SET site_id = (SELECT id FROM site WHERE name = 'vg-rr') WHERE name = 'vg-rr'$$, '25000',
                 'moving VLAN group "vg-rr" needs READ COMMITTED isolation, not REPEATABLE READ', 'and scoping it to a site');
SELECT lives_ok($$UPDATE vlan_group SET min_vid = 5, max_vid = 30 WHERE name = 'vg-rr'$$, 'widening needs no fresh snapshot');
SELECT is(next_free_vlan((SELECT id FROM vlan_group WHERE name = 'vg-rr')), 5, 'nor does next_free_vlan');
SELECT * FROM finish();
ROLLBACK;
