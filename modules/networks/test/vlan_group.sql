-- mountaineer_networks: VLAN groups — the rules of a group (range, name per
-- scope), of its VLANs (vid in range and once per group, at the group's site),
-- narrowing and moving a group with VLANs in it, deleting it, next_free_vlan
-- and allocate_vlan (lowest free, past vids taken by hand, a full group, an
-- unknown one), VLANs without a group as before, the change log and who may
-- allocate.  (Concurrency: specs/allocate_vlan.spec; REPEATABLE READ:
-- vlan_repeatable_read.sql.)
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(47);

INSERT INTO site (name) VALUES ('vg-t-a'), ('vg-t-b');
CREATE TEMP VIEW t_site AS SELECT (SELECT id FROM site WHERE name = 'vg-t-a') AS a, (SELECT id FROM site WHERE name = 'vg-t-b') AS b;

-- the scopes of the site hierarchy: a region (its VLANs anywhere), a
-- location (its VLANs at the location's site), at most one scope
INSERT INTO region (name) VALUES ('vg-t-region');
INSERT INTO location (site_id, name) SELECT a, 'vg-t-cage' FROM t_site;
SELECT throws_ok($$INSERT INTO vlan_group (name, site_id, region_id) SELECT 'vg-t-two', a, (SELECT id FROM region WHERE name = 'vg-t-region') FROM t_site$$,
                 '23514', 'new row for relation "vlan_group" violates check constraint "vlan_group_one_scope"', 'a group has one scope at most');
INSERT INTO vlan_group (name, region_id) SELECT 'vg-t-regional', id FROM region WHERE name = 'vg-t-region';
INSERT INTO vlan_group (name, location_id) SELECT 'vg-t-cage', id FROM location WHERE name = 'vg-t-cage';
INSERT INTO vlan (group_id, vid, name) SELECT id, 7, 'vg-t-in-cage' FROM vlan_group WHERE name = 'vg-t-cage';
SELECT is((SELECT site_id FROM vlan WHERE name = 'vg-t-in-cage'), (SELECT a FROM t_site),
          'a VLAN of a location''s group given no site takes the location''s site');
SELECT throws_ok($$INSERT INTO vlan (group_id, vid, name, site_id) SELECT g.id, 8, 'vg-t-elsewhere', t.b FROM vlan_group g, t_site t WHERE g.name = 'vg-t-cage'$$,
                 '23514', 'VLAN "vg-t-elsewhere" is at site "vg-t-b" but its VLAN group "vg-t-cage" is at site "vg-t-a"',
                 'a VLAN of a location''s group at another site is refused');
INSERT INTO vlan (group_id, vid, name, site_id) SELECT g.id, 9, 'vg-t-anywhere', t.b FROM vlan_group g, t_site t WHERE g.name = 'vg-t-regional';
SELECT is((SELECT count(*)::int FROM vlan WHERE name = 'vg-t-anywhere'), 1, 'a region''s group takes VLANs at any site');
DELETE FROM vlan WHERE name IN ('vg-t-in-cage', 'vg-t-anywhere');
DELETE FROM vlan_group WHERE name IN ('vg-t-regional', 'vg-t-cage');

-- a group: the whole VLAN space by default, a range within 1..4094
INSERT INTO vlan_group (name) VALUES ('vg-t-global');
SELECT results_eq($$SELECT min_vid, max_vid, site_id FROM vlan_group WHERE name = 'vg-t-global'$$,
                  $$VALUES (1, 4094, NULL::uuid)$$, 'a group spans 1..4094 by default, global without a scope');
SELECT throws_ok($$INSERT INTO vlan_group (name, min_vid) VALUES ('vg-t-x', 0)$$, '23514',
                 'new row for relation "vlan_group" violates check constraint "vlan_group_vid_range"', 'a range starts at 1 or above');
SELECT throws_ok($$INSERT INTO vlan_group (name, max_vid) VALUES ('vg-t-x', 4095)$$, '23514',
                 'new row for relation "vlan_group" violates check constraint "vlan_group_vid_range"', 'a range ends at 4094 or below');
SELECT throws_ok($$INSERT INTO vlan_group (name, min_vid, max_vid) VALUES ('vg-t-x', 200, 199)$$, '23514',
                 'new row for relation "vlan_group" violates check constraint "vlan_group_vid_range"', 'a range does not end before it starts');
SELECT throws_ok($$INSERT INTO vlan_group (name) VALUES (E'vg-t-x\n')$$, '23514',
                 'new row for relation "vlan_group" violates check constraint "vlan_group_name_check"', 'a group''s name is a name');
SELECT throws_ok($$INSERT INTO vlan_group (name, description) VALUES ('vg-t-x', ' padded')$$, '23514',
                 'new row for relation "vlan_group" violates check constraint "vlan_group_description_check"', 'a description is one clean line');

-- a name once per scope, and once among global groups
INSERT INTO vlan_group (name, site_id, min_vid, max_vid) SELECT 'vg-t-access', a, 100, 102 FROM t_site;
INSERT INTO vlan_group (name, site_id, min_vid, max_vid) SELECT 'vg-t-access', b, 100, 199 FROM t_site;
SELECT throws_ok($$INSERT INTO vlan_group (name, site_id) SELECT 'vg-t-access', a FROM t_site$$, '23505',
                 'duplicate key value violates unique constraint "vlan_group_scope_name_key"', 'a group name once per site');
SELECT throws_ok($$INSERT INTO vlan_group (name) VALUES ('vg-t-global')$$, '23505',
                 'duplicate key value violates unique constraint "vlan_group_scope_name_key"', 'and once among global groups');
SELECT lives_ok($$INSERT INTO vlan_group (name) VALUES ('vg-t-access')$$, 'a global group may share a site group''s name');
CREATE TEMP TABLE t_group AS SELECT
    (SELECT g.id FROM vlan_group g, t_site s WHERE g.name = 'vg-t-access' AND g.site_id = s.a) AS a,
    (SELECT g.id FROM vlan_group g, t_site s WHERE g.name = 'vg-t-access' AND g.site_id = s.b) AS b,
    (SELECT id FROM vlan_group WHERE name = 'vg-t-global') AS global;
GRANT SELECT ON t_site, t_group TO mountaineer_reader;

-- VLANs of a group: in its range, once in it, at its site
INSERT INTO vlan (group_id, vid, name) SELECT a, 100, 'vg-t-office' FROM t_group;
SELECT is((SELECT site_id FROM vlan WHERE name = 'vg-t-office'), (SELECT a FROM t_site), 'a VLAN of a site''s group is at that site');
SELECT throws_ok($$INSERT INTO vlan (group_id, vid, name) SELECT a, 103, 'vg-t-high' FROM t_group$$, '23514',
                 'VLAN "vg-t-high" (103) lies outside the range 100 to 102 of VLAN group "vg-t-access"', 'a vid outside the group''s range is refused');
SELECT throws_ok($$INSERT INTO vlan (group_id, vid, name) SELECT a, 100, 'vg-t-again' FROM t_group$$, '23505',
                 'duplicate key value violates unique constraint "vlan_group_vid_key"', 'a vid once per group');
SELECT throws_ok($$INSERT INTO vlan (group_id, site_id, vid, name) SELECT g.a, s.b, 101, 'vg-t-elsewhere' FROM t_group g, t_site s$$, '23514',
                 'VLAN "vg-t-elsewhere" is at site "vg-t-b" but its VLAN group "vg-t-access" is at site "vg-t-a"', 'a VLAN of a site''s group is at no other site');
SELECT lives_ok($$INSERT INTO vlan (group_id, vid, name) SELECT b, 100, 'vg-t-office-b' FROM t_group$$, 'the same vid in another group');
SELECT lives_ok($$INSERT INTO vlan (site_id, vid, name) SELECT a, 100, 'vg-t-loose' FROM t_site$$,
                'and at the same site without a group: groups and the ungrouped VLANs of a site do not collide');
SELECT throws_ok($$INSERT INTO vlan (site_id, vid, name) SELECT a, 100, 'vg-t-loose2' FROM t_site$$, '23505',
                 'duplicate key value violates unique constraint "vlan_site_vid_key"', 'VLANs without a group stay unique per site');
SELECT lives_ok($$INSERT INTO vlan (group_id, site_id, vid, name) SELECT g.global, s.b, 3000, 'vg-t-transit' FROM t_group g, t_site s$$,
                'a VLAN of a global group may be at any site');
SELECT throws_ok($$UPDATE vlan SET group_id = (SELECT a FROM t_group) WHERE name = 'vg-t-loose'$$, '23505',
                 'duplicate key value violates unique constraint "vlan_group_vid_key"', 'moving a VLAN into a group that has its vid is refused');
SELECT throws_ok($$UPDATE vlan SET vid = 150 WHERE name = 'vg-t-office'$$, '23514',
                 'VLAN "vg-t-office" (150) lies outside the range 100 to 102 of VLAN group "vg-t-access"', 'so is a new vid outside the range');
UPDATE vlan SET site_id = NULL WHERE name = 'vg-t-office';
SELECT is((SELECT site_id FROM vlan WHERE name = 'vg-t-office'), (SELECT a FROM t_site), 'clearing the site of a site group''s VLAN gives it the group''s site back');

-- narrowing or moving a group with VLANs in it
SELECT throws_ok($$UPDATE vlan_group SET min_vid = 101 WHERE id = (SELECT a FROM t_group)$$, '23514',
                 'VLAN group "vg-t-access" cannot be narrowed to 101 to 102: 1 VLAN(s) lie outside: vg-t-office (100)', 'narrowing past a VLAN is refused, naming it');
SELECT throws_ok($$UPDATE vlan_group SET max_vid = 2999 WHERE id = (SELECT global FROM t_group)$$, '23514',
                 'VLAN group "vg-t-global" cannot be narrowed to 1 to 2999: 1 VLAN(s) lie outside: vg-t-transit (3000)', 'from the top too');
SELECT lives_ok($$UPDATE vlan_group SET min_vid = 10, max_vid = 3000 WHERE id = (SELECT global FROM t_group)$$, 'narrowing to a range that holds its VLANs');
SELECT lives_ok($$UPDATE vlan_group SET max_vid = 4094 WHERE id = (SELECT global FROM t_group)$$, 'widening');
SELECT throws_ok($$UPDATE vlan_group SET site_id = (SELECT a FROM t_site) WHERE id = (SELECT global FROM t_group)$$, '23514',
                 'VLAN group "vg-t-global" cannot be scoped to site "vg-t-a": 1 VLAN(s) are not at that site: vg-t-transit (3000)', 'scoping a group to a site where its VLANs are not is refused');
DELETE FROM vlan_group WHERE name = 'vg-t-access' AND site_id IS NULL;
SELECT lives_ok($$UPDATE vlan_group SET site_id = NULL WHERE id = (SELECT b FROM t_group)$$, 'a site''s group may become global');
SELECT is((SELECT site_id FROM vlan WHERE name = 'vg-t-office-b'), (SELECT b FROM t_site), 'and its VLANs stay at their site');
UPDATE vlan_group SET site_id = (SELECT b FROM t_site) WHERE id = (SELECT b FROM t_group);

-- deleting: a group with VLANs, a site with a group
SELECT throws_ok($$DELETE FROM vlan_group WHERE id = (SELECT a FROM t_group)$$, '23503',
                 'vlan_group "vg-t-access" cannot be deleted: 1 vlan row(s) refer to it: vg-t-office', 'a group with VLANs cannot be deleted, naming them');
DELETE FROM vlan WHERE name IN ('vg-t-office-b', 'vg-t-loose', 'vg-t-transit');
SELECT throws_ok($$DELETE FROM site WHERE name = 'vg-t-b'$$, '23503',
                 'site "vg-t-b" cannot be deleted: 1 vlan_group row(s) refer to it: vg-t-access', 'a site with a group cannot be deleted, naming it');

-- next_free_vlan and allocate_vlan
SELECT is(next_free_vlan((SELECT b FROM t_group)), 100, 'next_free_vlan: the first vid of an empty group');
SELECT is(next_free_vlan((SELECT a FROM t_group)), 101, 'next_free_vlan: the lowest vid no VLAN holds');
INSERT INTO vlan (group_id, vid, name) SELECT a, 101, 'vg-t-by-hand' FROM t_group;
SELECT results_eq($$SELECT vid, name, site_id, group_id FROM allocate_vlan((SELECT a FROM t_group), 'vg-t-voice')$$,
                  $$SELECT 102, 'vg-t-voice', a, (SELECT a FROM t_group) FROM t_site$$,
                  'allocate_vlan inserts the lowest free vid, past one taken by hand, at the group''s site');
SELECT is(next_free_vlan((SELECT a FROM t_group)), NULL, 'next_free_vlan: NULL for a full group');
SELECT throws_ok($$SELECT allocate_vlan((SELECT a FROM t_group), 'vg-t-wifi')$$, '53000',
                 'no free VLAN id left in VLAN group "vg-t-access" (100 to 102)', 'allocate_vlan: a full group is refused');
DELETE FROM vlan WHERE name = 'vg-t-by-hand';
SELECT is((allocate_vlan((SELECT a FROM t_group), 'vg-t-wifi')).vid, 101, 'a vid given back is allocated again');
SELECT throws_ok($$SELECT allocate_vlan('00000000-0000-4000-8000-0000000000b1', 'x')$$, 'P0002',
                 'no VLAN group with id 00000000-0000-4000-8000-0000000000b1', 'allocate_vlan: an unknown group');
SELECT throws_ok($$SELECT next_free_vlan('00000000-0000-4000-8000-0000000000b1')$$, 'P0002',
                 'no VLAN group with id 00000000-0000-4000-8000-0000000000b1', 'next_free_vlan too');
SELECT throws_ok($$SELECT allocate_vlan((SELECT b FROM t_group), NULL)$$, '23502',
                 'null value in column "name" of relation "vlan" violates not-null constraint', 'allocate_vlan needs a name');

-- the change log
SELECT is((SELECT after ->> 'name' FROM change WHERE table_name = 'vlan_group' AND op = 'insert' AND row_id = (SELECT a FROM t_group)),
          'vg-t-access', 'a group''s insert is in the change log');
SELECT is((SELECT after ->> 'group_id' FROM change WHERE table_name = 'vlan' AND op = 'insert'
            AND row_id = (SELECT id FROM vlan WHERE name = 'vg-t-voice')),
          (SELECT a FROM t_group)::text, 'an allocated VLAN is in the change log with its group');

-- who may call what: readers look, editors allocate
SET LOCAL ROLE mountaineer_reader;
SELECT is(next_free_vlan((SELECT b FROM t_group)), 100, 'a reader may call next_free_vlan');
SELECT throws_ok($$SELECT allocate_vlan((SELECT b FROM t_group), 'vg-t-r')$$, '42501',
                 'permission denied for function allocate_vlan', 'a reader cannot allocate');
SET LOCAL ROLE mountaineer_editor;
SELECT is((allocate_vlan((SELECT b FROM t_group), 'vg-t-e')).vid, 100, 'an editor allocates');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
