-- mountaineer_hardware 1.5: regions, locations, and what is under them.
-- Every rule and refusal with its SQLSTATE and message.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(55);

-- fixture: Europe > Netherlands > Amsterdam, Europe > Germany; two sites;
-- at sh-ams: building > floor > cage 1 and cage 2, racks in the cages
INSERT INTO region (name) VALUES ('sh-Europe');
INSERT INTO region (name, parent_id) SELECT n, id FROM region, unnest(ARRAY['sh-Netherlands', 'sh-Germany']) n WHERE name = 'sh-Europe';
INSERT INTO region (name, parent_id) SELECT 'sh-Amsterdam', id FROM region WHERE name = 'sh-Netherlands';
INSERT INTO site (name, region_id) SELECT 'sh-ams', id FROM region WHERE name = 'sh-Amsterdam';
INSERT INTO site (name, region_id) SELECT 'sh-fra', id FROM region WHERE name = 'sh-Germany';
INSERT INTO site (name) VALUES ('sh-nowhere');
INSERT INTO location (site_id, name) SELECT id, 'sh-B1' FROM site WHERE name = 'sh-ams';
INSERT INTO location (site_id, parent_id, name) SELECT site_id, id, 'sh-F1' FROM location WHERE name = 'sh-B1';
INSERT INTO location (site_id, parent_id, name) SELECT site_id, id, n FROM location, unnest(ARRAY['sh-C1', 'sh-C2']) n WHERE name = 'sh-F1';
INSERT INTO rack (site_id, location_id, name) SELECT site_id, id, 'sh-r1' FROM location WHERE name = 'sh-C1';
INSERT INTO rack (site_id, location_id, name) SELECT site_id, id, 'sh-r2' FROM location WHERE name = 'sh-C2';
INSERT INTO rack (site_id, name) SELECT id, 'sh-r3' FROM site WHERE name = 'sh-ams';
INSERT INTO rack (site_id, name) SELECT id, 'sh-r4' FROM site WHERE name = 'sh-fra';
INSERT INTO device (kind, name, rack_id, position)
SELECT 'server', 'sh-d-' || r.name, r.id, 'U1' FROM rack r WHERE r.name LIKE 'sh-r_';
INSERT INTO device (kind, name) VALUES ('server', 'sh-unracked');
CREATE TEMP TABLE ids AS
SELECT (SELECT id FROM region WHERE name = 'sh-Europe') AS europe,
       (SELECT id FROM region WHERE name = 'sh-Netherlands') AS nl,
       (SELECT id FROM region WHERE name = 'sh-Amsterdam') AS ams,
       (SELECT id FROM region WHERE name = 'sh-Germany') AS de,
       (SELECT id FROM site WHERE name = 'sh-ams') AS s_ams,
       (SELECT id FROM site WHERE name = 'sh-fra') AS s_fra,
       (SELECT id FROM location WHERE name = 'sh-B1') AS b1,
       (SELECT id FROM location WHERE name = 'sh-F1') AS f1,
       (SELECT id FROM location WHERE name = 'sh-C1') AS c1,
       (SELECT id FROM location WHERE name = 'sh-C2') AS c2;

-- regions
SELECT throws_ok($$INSERT INTO region (name) VALUES ('sh-Germany')$$, '23505',
    'duplicate key value violates unique constraint "region_name_key"', 'region names are unique over the whole tree');
SELECT throws_ok($$INSERT INTO region (name, parent_id) SELECT 'sh-Germany', ams FROM ids$$, '23505',
    'duplicate key value violates unique constraint "region_name_key"', '... also under another parent');
SELECT throws_ok($$INSERT INTO region (name) VALUES (' sh-x')$$, '23514',
    'new row for relation "region" violates check constraint "region_name_check"', 'a region name is a name');
SELECT throws_ok($$INSERT INTO region (name, description) VALUES ('sh-x', repeat('x', 201))$$, '23514',
    'new row for relation "region" violates check constraint "region_description_check"', 'a description is at most 200 characters');
SELECT throws_ok($$UPDATE region SET parent_id = id WHERE name = 'sh-Germany'$$, '23514',
    'new row for relation "region" violates check constraint "region_not_own_parent"', 'a region is not its own parent');
SELECT throws_ok($$UPDATE region SET parent_id = (SELECT ams FROM ids) WHERE name = 'sh-Europe'$$, '23514',
    'region "sh-Europe" cannot be inside region "sh-Amsterdam": that would make a cycle',
    'a region cannot move under one of its sub-regions');
SELECT throws_ok($$UPDATE region SET parent_id = (SELECT ams FROM ids) WHERE name = 'sh-Netherlands'$$, '23514',
    'region "sh-Netherlands" cannot be inside region "sh-Amsterdam": that would make a cycle',
    '... nor under its child');
SELECT throws_ok($$INSERT INTO region (id, name, parent_id) VALUES
    ('00000000-0000-4000-8000-5e0000000001', 'sh-x', '00000000-0000-4000-8000-5e0000000002'),
    ('00000000-0000-4000-8000-5e0000000002', 'sh-y', '00000000-0000-4000-8000-5e0000000001')$$, '23514',
    'region "sh-x" cannot be inside region "sh-y": that would make a cycle',
    'one INSERT cannot make two regions each other''s parent');
SELECT lives_ok($$UPDATE region SET parent_id = (SELECT nl FROM ids) WHERE name = 'sh-Germany'$$, 'a region can move elsewhere in the tree');
SELECT is((SELECT path_text FROM region_path WHERE name = 'sh-Germany'), 'sh-Europe > sh-Netherlands > sh-Germany', 'region_path follows the move');
UPDATE region SET parent_id = (SELECT europe FROM ids) WHERE name = 'sh-Germany';
SELECT is((SELECT array_agg(depth || ':' || path_text ORDER BY path_text) FROM region_path WHERE name LIKE 'sh-%'),
    ARRAY['0:sh-Europe', '1:sh-Europe > sh-Germany', '1:sh-Europe > sh-Netherlands', '2:sh-Europe > sh-Netherlands > sh-Amsterdam'],
    'region_path: depth and path of each region');
SELECT is((SELECT path_ids FROM region_path WHERE name = 'sh-Amsterdam'), (SELECT ARRAY[europe, nl, ams] FROM ids), 'path_ids top first');
SELECT throws_ok($$DELETE FROM region WHERE name = 'sh-Netherlands'$$, '23503',
    'region "sh-Netherlands" cannot be deleted: 1 region row(s) refer to it: sh-Amsterdam', 'a region with sub-regions cannot be deleted');
SELECT throws_ok($$DELETE FROM region WHERE name = 'sh-Amsterdam'$$, '23503',
    'region "sh-Amsterdam" cannot be deleted: 1 site row(s) refer to it: sh-ams', 'a region with sites cannot be deleted');
SELECT throws_ok($$UPDATE site SET region_id = '00000000-0000-4000-8000-5e00000000ff' WHERE name = 'sh-nowhere'$$, '23503',
    'insert or update on table "site" violates foreign key constraint "site_region_id_fkey"', 'a site''s region exists');

-- locations
SELECT throws_ok($$INSERT INTO location (site_id, parent_id, name) SELECT s_fra, f1, 'sh-x' FROM ids$$, '23503',
    'insert or update on table "location" violates foreign key constraint "location_parent_id_site_id_fkey"',
    'a location''s parent is at its own site');
SELECT throws_ok($$INSERT INTO location (site_id, parent_id, name) SELECT s_ams, f1, 'sh-C1' FROM ids$$, '23505',
    'duplicate key value violates unique constraint "location_parent_id_name_key"', 'sibling locations have distinct names');
SELECT throws_ok($$INSERT INTO location (site_id, name) SELECT s_ams, 'sh-B1' FROM ids$$, '23505',
    'duplicate key value violates unique constraint "location_site_id_name_key"', 'the top locations of a site have distinct names');
SELECT lives_ok($$INSERT INTO location (site_id, parent_id, name) SELECT s_ams, c1, 'sh-F1' FROM ids$$,
    'the same name under another parent');
SELECT lives_ok($$INSERT INTO location (site_id, name) SELECT s_fra, 'sh-B1' FROM ids$$,
    'the same top name at another site');
SELECT throws_ok($$INSERT INTO location (site_id, name) SELECT s_ams, E'sh-\tx' FROM ids$$, '23514',
    'new row for relation "location" violates check constraint "location_name_check"', 'a location name is a name');
SELECT throws_ok($$UPDATE location SET parent_id = id WHERE name = 'sh-C2'$$, '23514',
    'new row for relation "location" violates check constraint "location_not_own_parent"', 'a location is not its own parent');
SELECT throws_ok($$UPDATE location SET parent_id = (SELECT c1 FROM ids) WHERE name = 'sh-B1' AND site_id = (SELECT s_ams FROM ids)$$, '23514',
    'location "sh-B1" cannot be inside location "sh-C1": that would make a cycle',
    'a location cannot move under one of its sub-locations');
SELECT throws_ok($$INSERT INTO location (id, site_id, name, parent_id) SELECT x.id, s_ams, x.name, x.parent FROM ids, (VALUES
    ('00000000-0000-4000-8000-5e0000000011'::uuid, 'sh-p', '00000000-0000-4000-8000-5e0000000012'::uuid),
    ('00000000-0000-4000-8000-5e0000000012', 'sh-q', '00000000-0000-4000-8000-5e0000000011')) x(id, name, parent)$$, '23514',
    'location "sh-p" cannot be inside location "sh-q": that would make a cycle',
    'one INSERT cannot make two locations each other''s parent');
SELECT is((SELECT path_text FROM location_path WHERE id = (SELECT c2 FROM ids)), 'sh-ams: sh-B1 > sh-F1 > sh-C2', 'location_path: the site and the path');
SELECT is((SELECT depth FROM location_path WHERE id = (SELECT c2 FROM ids)), 2, 'location_path: depth');
SELECT is((SELECT p.name FROM location l, parent_location(l) p WHERE l.id = (SELECT c2 FROM ids)), 'sh-F1', 'parent_location: a location''s parent');
SELECT is((SELECT count(*) FROM location l, parent_location(l) p WHERE l.id = (SELECT b1 FROM ids)), 0::bigint, 'parent_location: none at the top');
SELECT throws_ok($$DELETE FROM location WHERE name = 'sh-C2'$$, '23503',
    'update or delete on table "location" violates foreign key constraint "rack_location_id_site_id_fkey" on table "rack"',
    'a location with racks cannot be deleted');
SELECT throws_ok($$DELETE FROM location WHERE id = (SELECT f1 FROM ids)$$, '23503',
    'update or delete on table "location" violates foreign key constraint "location_parent_id_site_id_fkey" on table "location"',
    'a location with sub-locations cannot be deleted');
SELECT throws_ok($$DELETE FROM site WHERE name = 'sh-ams'$$, '23503', NULL, 'a site with locations cannot be deleted');

-- racks in locations
SELECT throws_ok($$INSERT INTO rack (site_id, location_id, name) SELECT s_fra, c1, 'sh-rx' FROM ids$$, '23503',
    'insert or update on table "rack" violates foreign key constraint "rack_location_id_site_id_fkey"',
    'a rack''s location is at the rack''s site');
SELECT throws_ok($$UPDATE rack SET site_id = (SELECT s_fra FROM ids) WHERE name = 'sh-r1'$$, '23503',
    'insert or update on table "rack" violates foreign key constraint "rack_location_id_site_id_fkey"',
    'a rack cannot move to another site and keep a location of the old one');
SELECT lives_ok($$UPDATE rack SET site_id = (SELECT s_fra FROM ids), location_id = NULL WHERE name = 'sh-r3'$$,
    'a rack without a location moves to another site');
SELECT is((SELECT s.name FROM device d JOIN site s ON s.id = d.site_id WHERE d.name = 'sh-d-sh-r3'), 'sh-fra', '... its device with it');
UPDATE rack SET site_id = (SELECT s_ams FROM ids) WHERE name = 'sh-r3';
SELECT lives_ok($$UPDATE rack SET location_id = (SELECT c1 FROM ids) WHERE name = 'sh-r3'$$, 'a rack moves into a location of its site');

-- what is under a region or a location
SELECT is((SELECT array_agg(name ORDER BY name) FROM region_sites((SELECT europe FROM ids))), ARRAY['sh-ams', 'sh-fra'],
    'region_sites: the sites of every region under it');
SELECT is((SELECT array_agg(name ORDER BY name) FROM region_sites((SELECT nl FROM ids))), ARRAY['sh-ams'], 'region_sites: a sub-tree');
SELECT is((SELECT count(*) FROM region_sites((SELECT de FROM ids)) s WHERE s.name = 'sh-fra'), 1::bigint, 'region_sites: a leaf''s own sites');
SELECT is((SELECT array_agg(name ORDER BY name) FROM region_racks((SELECT europe FROM ids))), ARRAY['sh-r1', 'sh-r2', 'sh-r3', 'sh-r4'],
    'region_racks: every rack at those sites');
SELECT is((SELECT array_agg(name ORDER BY name) FROM region_devices((SELECT nl FROM ids))), ARRAY['sh-d-sh-r1', 'sh-d-sh-r2', 'sh-d-sh-r3'],
    'region_devices: every device racked there (not the unracked one)');
SELECT is((SELECT array_agg(depth ORDER BY depth) FROM region_tree((SELECT europe FROM ids))), ARRAY[0, 1, 1, 2], 'region_tree: the region and its sub-regions, with depth');
SELECT is((SELECT array_agg(name ORDER BY name) FROM location_racks((SELECT b1 FROM ids))), ARRAY['sh-r1', 'sh-r2', 'sh-r3'],
    'location_racks: every rack in the building');
SELECT is((SELECT array_agg(name ORDER BY name) FROM location_racks((SELECT c2 FROM ids))), ARRAY['sh-r2'], 'location_racks: a cage');
SELECT is((SELECT array_agg(name ORDER BY name) FROM location_devices((SELECT f1 FROM ids))), ARRAY['sh-d-sh-r1', 'sh-d-sh-r2', 'sh-d-sh-r3'],
    'location_devices: every device in those racks');
SELECT is((SELECT array_agg(depth ORDER BY depth) FROM location_tree((SELECT f1 FROM ids))), ARRAY[0, 1, 1, 2], 'location_tree: the location and its sub-locations (one of them two down), with depth');
SELECT throws_ok($$SELECT * FROM region_racks('00000000-0000-4000-8000-5e00000000ff')$$, 'P0002',
    'no region with id 00000000-0000-4000-8000-5e00000000ff', 'an unknown region');
SELECT throws_ok($$SELECT * FROM location_devices('00000000-0000-4000-8000-5e00000000ff')$$, 'P0002',
    'no location with id 00000000-0000-4000-8000-5e00000000ff', 'an unknown location');
SELECT is((SELECT count(*) FROM region_devices(NULL)), 0::bigint, 'a NULL region has nothing under it');

-- a location moved to another site takes its sub-locations, racks and devices along
SELECT throws_ok($$UPDATE location SET site_id = (SELECT s_fra FROM ids) WHERE id = (SELECT c1 FROM ids)$$, '23503',
    'insert or update on table "location" violates foreign key constraint "location_parent_id_site_id_fkey"',
    'a location cannot move to another site without its parent');
SELECT throws_ok($$UPDATE location SET site_id = (SELECT s_fra FROM ids) WHERE id = (SELECT b1 FROM ids)$$, '23505',
    'duplicate key value violates unique constraint "location_site_id_name_key"', 'nor onto a name taken there');
UPDATE location SET name = 'sh-B1-gone' WHERE site_id = (SELECT s_fra FROM ids) AND name = 'sh-B1';
SELECT lives_ok($$UPDATE location SET site_id = (SELECT s_fra FROM ids) WHERE id = (SELECT b1 FROM ids)$$, 'a top location moves to another site');
SELECT is((SELECT array_agg(DISTINCT site_id) FROM location_tree((SELECT b1 FROM ids)) t JOIN location l ON l.id = t.id),
    (SELECT ARRAY[s_fra] FROM ids), '... with every location under it');
SELECT is((SELECT array_agg(DISTINCT r.site_id) FROM location_racks((SELECT b1 FROM ids)) r), (SELECT ARRAY[s_fra] FROM ids), '... and their racks');
SELECT is((SELECT array_agg(DISTINCT d.site_id) FROM location_devices((SELECT b1 FROM ids)) d), (SELECT ARRAY[s_fra] FROM ids), '... and the racks'' devices');

SELECT * FROM finish();
ROLLBACK;
