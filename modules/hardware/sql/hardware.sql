-- Exact output of the hardware views and planning functions on a small fixture.
SET search_path = mountaineer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO site (id, name, vendor, noc_email) VALUES
  ('11111111-0000-0000-0000-000000000001', 'lab1', 'ColoCorp', 'noc@colo.example');
INSERT INTO rack (id, site_id, name, units, posts, descending) VALUES
  ('22222222-0000-0000-0000-000000000001', '11111111-0000-0000-0000-000000000001', 'L1', 12, 4, false),
  ('22222222-0000-0000-0000-000000000002', '11111111-0000-0000-0000-000000000001', 'L2', 4, 2, true);
SELECT name, slug FROM rack ORDER BY name;

INSERT INTO device (id, kind, name, units, draw_watts, rack_id, position) VALUES
  ('33333333-0000-0000-0000-000000000001', 'network', 'l1-tor', 1, 150, '22222222-0000-0000-0000-000000000001', 'U12'),
  ('33333333-0000-0000-0000-000000000002', 'patch_panel', 'l1-pp', 1, NULL, '22222222-0000-0000-0000-000000000001', 'U11/front'),
  ('33333333-0000-0000-0000-000000000003', 'other', 'l1-console', 1, 20, '22222222-0000-0000-0000-000000000001', 'U11/rear'),
  ('33333333-0000-0000-0000-000000000004', 'server', 'l1-db1', 2, 700, '22222222-0000-0000-0000-000000000001', 'U1-U2'),
  ('33333333-0000-0000-0000-000000000005', 'server', 'l1-web1', 1, 350, '22222222-0000-0000-0000-000000000001', rackspan(5, 1)),
  ('33333333-0000-0000-0000-000000000006', 'pdu', 'l1-pdu-a', 0, NULL, '22222222-0000-0000-0000-000000000001', NULL),
  ('33333333-0000-0000-0000-000000000007', 'pdu', 'l1-pdu-b', 0, NULL, '22222222-0000-0000-0000-000000000001', NULL),
  ('33333333-0000-0000-0000-000000000008', 'server', 'l2-edge', 2, 300, '22222222-0000-0000-0000-000000000002', 'U1-U2');
INSERT INTO pdu (id, volts, amps) VALUES
  ('33333333-0000-0000-0000-000000000006', 230, 16),
  ('33333333-0000-0000-0000-000000000007', 230, 16);

SELECT rack, device, kind, position, first_unit, last_unit, face, units FROM rack_device;
SELECT * FROM rack_elevation('22222222-0000-0000-0000-000000000001');
-- a descending rack labels its units top-down; the physical unit stays
SELECT * FROM rack_elevation('22222222-0000-0000-0000-000000000002');
SELECT rack, capacity_watts, allocated_watts, unallocated_watts FROM rack_power ORDER BY rack;
SELECT rack, units, used_units, free_units, percent FROM rack_utilization ORDER BY rack;
SELECT * FROM rack_free('22222222-0000-0000-0000-000000000001');
SELECT * FROM rack_free('22222222-0000-0000-0000-000000000001', 'rear');
SELECT rack_first_fit('22222222-0000-0000-0000-000000000001', 2) AS two_u,
       rack_first_fit('22222222-0000-0000-0000-000000000001', 5) AS five_u,
       rack_first_fit('22222222-0000-0000-0000-000000000001', 6) AS six_u;

-- refusals, with their messages
INSERT INTO device (kind, name, units, rack_id, position) VALUES
  ('server', 'clash', 1, '22222222-0000-0000-0000-000000000001', 'U2');
INSERT INTO device (kind, name, units, rack_id, position) VALUES
  ('server', 'too-high', 2, '22222222-0000-0000-0000-000000000001', 'U12-U13');
INSERT INTO device (kind, name, units, rack_id, position) VALUES
  ('server', 'wrong-height', 2, '22222222-0000-0000-0000-000000000001', 'U7');
INSERT INTO device (kind, name, units, rack_id) VALUES
  ('server', 'unplaced', 1, '22222222-0000-0000-0000-000000000001');
UPDATE rack SET units = 10 WHERE name = 'L1';
SELECT * FROM rack_elevation('00000000-0000-0000-0000-000000000000');
-- names and values: 23514 naming the column; a long name quoted by its first 64 characters
INSERT INTO device (id, kind, name, units) VALUES ('33333333-0000-0000-0000-0000000000f1', 'server', E'tab\there', 1);
INSERT INTO device (id, kind, name, units, draw_watts) VALUES ('33333333-0000-0000-0000-0000000000f2', 'server', 'nan', 1, 'NaN');
UPDATE pdu SET amps = 'Infinity' WHERE id = '33333333-0000-0000-0000-000000000006';
INSERT INTO device (kind, name, units, rack_id) VALUES ('server', repeat('x', 1000), 2, '22222222-0000-0000-0000-000000000001');
-- device names are unique among the devices racked at one site
INSERT INTO device (kind, name, units, rack_id, position) VALUES
  ('server', 'l1-web1', 1, '22222222-0000-0000-0000-000000000002', 'U3');
-- unracking clears the position (and the site); another position needs a rack
UPDATE device SET rack_id = NULL WHERE name = 'l2-edge';
SELECT name, rack_id, position, site_id FROM device WHERE name = 'l2-edge';
UPDATE device SET rack_id = NULL, position = 'U9' WHERE name = 'l1-web1';
-- the placement constraint is checked at the end of each statement: two
-- devices swap faces in one UPDATE; its GiST index still serves && and @>
UPDATE device SET position = CASE name WHEN 'l1-pp' THEN 'U11/rear'::rackspan ELSE 'U11/front' END
 WHERE name IN ('l1-pp', 'l1-console');
SELECT device, position FROM rack_device WHERE first_unit = 11;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT name FROM device WHERE rack_id = '22222222-0000-0000-0000-000000000001' AND position && 'U5';
EXPLAIN (COSTS OFF) SELECT name FROM device WHERE position @> 5;
RESET enable_seqscan;
