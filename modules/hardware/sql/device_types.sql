-- Device types (1.5): the exact ports a typed device gets, and every
-- refusal a user meets with its message, detail and hint.
SET search_path = mountaineer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never
INSERT INTO site (id, name) VALUES ('11111111-0000-0000-0000-0000000000d1', 'dtlab');
INSERT INTO rack (id, site_id, name, units) VALUES ('22222222-0000-0000-0000-0000000000d1', '11111111-0000-0000-0000-0000000000d1', 'D1', 10);
INSERT INTO manufacturer (id, name) VALUES ('55555555-0000-0000-0000-000000000001', 'Lab Maker');
INSERT INTO device_type (id, manufacturer_id, model, kind, units, full_depth) VALUES
  ('66666666-0000-0000-0000-000000000001', '55555555-0000-0000-0000-000000000001', 'panel-4', 'patch_panel', 1, false),
  ('66666666-0000-0000-0000-000000000002', '55555555-0000-0000-0000-000000000001', 'box-2u', 'server', 2, true);
-- a rear port of 4 positions, 4 fronts on it; a server with two ports
INSERT INTO port_template (id, device_type_id, name, kind, positions) VALUES
  ('77777777-0000-0000-0000-000000000001', '66666666-0000-0000-0000-000000000001', 'mpo', 'rear_port', 4);
INSERT INTO port_template (device_type_id, name, kind, rear_template_id, rear_position)
SELECT '66666666-0000-0000-0000-000000000001', 'lc' || g, 'front_port', '77777777-0000-0000-0000-000000000001', g
FROM generate_series(1, 4) g;
INSERT INTO port_template (device_type_id, name, kind) VALUES
  ('66666666-0000-0000-0000-000000000002', 'eth0', 'interface'),
  ('66666666-0000-0000-0000-000000000002', 'psu1', 'power_port');

INSERT INTO device (name, device_type_id, rack_id, position) VALUES
  ('d1-pp', '66666666-0000-0000-0000-000000000001', '22222222-0000-0000-0000-0000000000d1', 'U10/front'),
  ('d1-box', '66666666-0000-0000-0000-000000000002', '22222222-0000-0000-0000-0000000000d1', 'U1-U2');
SELECT d.name AS device, d.kind, d.units, d.position, d.manufacturer, d.model, p.name AS port, p.kind AS port_kind,
       p.positions, r.name AS rear, p.rear_port_position
FROM device d JOIN port p ON p.device_id = d.id LEFT JOIN port r ON r.id = p.rear_port_id
WHERE d.rack_id = '22222222-0000-0000-0000-0000000000d1' ORDER BY d.name, p.name;

-- refusals
INSERT INTO device (name, kind, device_type_id) VALUES ('d1-x', 'other', '66666666-0000-0000-0000-000000000002');
INSERT INTO device (name, units, device_type_id) VALUES ('d1-x', 1, '66666666-0000-0000-0000-000000000002');
INSERT INTO device (name, model, device_type_id) VALUES ('d1-x', 'box-3u', '66666666-0000-0000-0000-000000000002');
INSERT INTO device (name, device_type_id, rack_id, position) VALUES
  ('d1-x', '66666666-0000-0000-0000-000000000001', '22222222-0000-0000-0000-0000000000d1', 'U9');
INSERT INTO device (name, device_type_id, rack_id, position) VALUES
  ('d1-x', '66666666-0000-0000-0000-000000000002', '22222222-0000-0000-0000-0000000000d1', 'U5-U6/rear');
UPDATE device_type SET units = 1 WHERE id = '66666666-0000-0000-0000-000000000002';
DELETE FROM device_type WHERE id = '66666666-0000-0000-0000-000000000001';
DELETE FROM manufacturer WHERE id = '55555555-0000-0000-0000-000000000001';
UPDATE port_template SET positions = 2 WHERE id = '77777777-0000-0000-0000-000000000001';
UPDATE port_template SET kind = 'interface', positions = 1 WHERE id = '77777777-0000-0000-0000-000000000001';
INSERT INTO port_template (device_type_id, name, kind, rear_template_id, rear_position)
SELECT '66666666-0000-0000-0000-000000000001', 'lc9', 'front_port', id, 1 FROM port_template WHERE name = 'lc1';
SELECT * FROM device_apply_type('00000000-0000-0000-0000-0000000000d1');
INSERT INTO device (name, kind) VALUES ('d1-plain', 'other');
SELECT * FROM device_apply_type((SELECT id FROM device WHERE name = 'd1-plain'));

-- clean up: the isolation specs run in this database next
DELETE FROM device WHERE name IN ('d1-pp', 'd1-box', 'd1-plain');
DELETE FROM device_type WHERE manufacturer_id = '55555555-0000-0000-0000-000000000001';
DELETE FROM manufacturer WHERE id = '55555555-0000-0000-0000-000000000001';
DELETE FROM rack WHERE id = '22222222-0000-0000-0000-0000000000d1';
DELETE FROM site WHERE id = '11111111-0000-0000-0000-0000000000d1';
