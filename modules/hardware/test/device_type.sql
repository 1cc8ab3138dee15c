-- mountaineer_hardware 1.5, device types: every rule and refusal of
-- manufacturer, device_type and port_template, the ports a typed device gets
-- in the statement that inserts it, what it takes from its type, and
-- device_apply_type().
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(66);

-- fixture: a site with a rack; a server type with two interfaces and two
-- power inlets, a half-depth 24-port patch panel, a zero-U PDU type
INSERT INTO site (name) VALUES ('dt-site');
INSERT INTO rack (site_id, name) SELECT id, 'dt-r1' FROM site WHERE name = 'dt-site';
INSERT INTO manufacturer (name, description) VALUES ('dt-Dell', 'servers'), ('dt-Panduit', NULL), ('dt-APC', NULL);
INSERT INTO device_type (manufacturer_id, model, part_number, kind, units, draw_watts)
SELECT id, 'R650', '210-AZKL', 'server', 1, 450 FROM manufacturer WHERE name = 'dt-Dell';
INSERT INTO device_type (manufacturer_id, model, kind, units, full_depth)
SELECT id, 'CP24', 'patch_panel', 1, false FROM manufacturer WHERE name = 'dt-Panduit';
INSERT INTO device_type (manufacturer_id, model, kind, units)
SELECT id, 'AP8868', 'pdu', 0 FROM manufacturer WHERE name = 'dt-APC';
CREATE TEMP TABLE ids AS
SELECT (SELECT id FROM rack WHERE name = 'dt-r1') AS r1,
       (SELECT id FROM manufacturer WHERE name = 'dt-Dell') AS dell,
       (SELECT id FROM device_type WHERE model = 'R650') AS r650,
       (SELECT id FROM device_type WHERE model = 'CP24') AS cp24,
       (SELECT id FROM device_type WHERE model = 'AP8868') AS ap;
INSERT INTO port_template (device_type_id, name, kind)
SELECT r650, n, k::port_kind FROM ids, (VALUES ('eth0', 'interface'), ('eth1', 'interface'),
                                              ('psu1', 'power_port'), ('psu2', 'power_port')) v(n, k);
INSERT INTO port_template (device_type_id, name, kind, positions) SELECT cp24, 'rear', 'rear_port', 24 FROM ids;
INSERT INTO port_template (device_type_id, name, kind, rear_template_id, rear_position)
SELECT cp24, 'front' || g, 'front_port', t.id, g FROM ids JOIN port_template t ON t.device_type_id = cp24, generate_series(1, 24) g;
INSERT INTO port_template (device_type_id, name, kind) SELECT ap, 'inlet', 'power_port' FROM ids;

-- manufacturer
SELECT throws_ok($$INSERT INTO manufacturer (name) VALUES ('dt-Dell')$$, '23505',
    'duplicate key value violates unique constraint "manufacturer_name_key"', 'manufacturer names are unique');
SELECT throws_ok($$INSERT INTO manufacturer (name) VALUES (' dt-x')$$, '23514',
    'new row for relation "manufacturer" violates check constraint "manufacturer_name_check"', 'a manufacturer''s name is a name');
SELECT throws_ok($$INSERT INTO manufacturer (name, description) VALUES ('dt-x', '')$$, '23514',
    'new row for relation "manufacturer" violates check constraint "manufacturer_description_check"', 'a description is not empty');
SELECT throws_ok($$DELETE FROM manufacturer WHERE name = 'dt-Dell'$$, '23503',
    NULL, 'a manufacturer with types cannot be deleted');

-- device_type
SELECT throws_ok($$INSERT INTO device_type (manufacturer_id, model, kind) SELECT dell, 'R650', 'server' FROM ids$$, '23505',
    'duplicate key value violates unique constraint "device_type_manufacturer_id_model_key"', 'models are unique per manufacturer');
SELECT lives_ok($$INSERT INTO device_type (manufacturer_id, model, kind) SELECT id, 'R650', 'server' FROM manufacturer WHERE name = 'dt-APC'$$,
    'the same model from another manufacturer is another type');
SELECT throws_ok($$INSERT INTO device_type (manufacturer_id, model, kind, units) SELECT dell, 'big', 'server', 101 FROM ids$$, '23514',
    'new row for relation "device_type" violates check constraint "device_type_units_check"', 'a type is 0..100 U');
SELECT throws_ok($$INSERT INTO device_type (manufacturer_id, model, kind, draw_watts) SELECT dell, 'nan', 'server', 'NaN' FROM ids$$, '23514',
    'new row for relation "device_type" violates check constraint "device_type_draw_watts_check"', 'a type''s draw is 0..100000 W');
SELECT throws_ok($$INSERT INTO device_type (manufacturer_id, model, kind) SELECT dell, E'a\tb', 'server' FROM ids$$, '23514',
    'new row for relation "device_type" violates check constraint "device_type_model_check"', 'a model is a name');
SELECT throws_ok($$INSERT INTO device_type (manufacturer_id, model) SELECT dell, 'nokind' FROM ids$$, '23502',
    NULL, 'a type has a kind');

-- port_template
SELECT throws_ok($$INSERT INTO port_template (device_type_id, name, kind) SELECT r650, 'eth0', 'interface' FROM ids$$, '23505',
    'duplicate key value violates unique constraint "port_template_device_type_id_name_key"', 'template names are unique per type');
SELECT throws_ok($$INSERT INTO port_template (device_type_id, name, kind, positions) SELECT r650, 'ethx', 'interface', 4 FROM ids$$, '23514',
    'new row for relation "port_template" violates check constraint "port_template_positions_rear_only"', 'only rear templates have positions');
SELECT throws_ok($$INSERT INTO port_template (device_type_id, name, kind) SELECT cp24, 'front25', 'front_port' FROM ids$$, '23514',
    'new row for relation "port_template" violates check constraint "port_template_front_maps_rear"', 'a front template maps to a rear template');
SELECT throws_ok($$INSERT INTO port_template (device_type_id, name, kind, rear_template_id, rear_position)
                   SELECT cp24, 'front25', 'front_port', t.id, 25 FROM ids JOIN port_template t ON t.device_type_id = cp24 AND t.name = 'rear'$$, '23514',
    'front port template "front25" maps to position 25 of rear port template "rear", which has positions 1..24', 'a front maps within its rear''s positions');
SELECT throws_ok($$INSERT INTO port_template (device_type_id, name, kind, rear_template_id, rear_position)
                   SELECT cp24, 'front25', 'front_port', t.id, 1 FROM ids JOIN port_template t ON t.device_type_id = cp24 AND t.name = 'front1'$$, '23503',
    'front port template "front25" must map to a rear port template; template "front1" is of kind front_port', 'a front maps to a rear template');
SELECT throws_ok($$INSERT INTO port_template (device_type_id, name, kind, rear_template_id, rear_position)
                   SELECT cp24, 'front25', 'front_port', t.id, 2 FROM ids JOIN port_template t ON t.device_type_id = cp24 AND t.name = 'rear'$$, '23505',
    'duplicate key value violates unique constraint "port_template_rear_template_id_rear_position_key"', 'a rear position is mapped once');
SELECT throws_ok($$WITH r AS (INSERT INTO port_template (device_type_id, name, kind, positions) SELECT ap, 'rearx', 'rear_port', 2 FROM ids RETURNING id)
                   INSERT INTO port_template (device_type_id, name, kind, rear_template_id, rear_position)
                   SELECT r650, 'frontx', 'front_port', r.id, 1 FROM ids, r$$, '23503',
    'insert or update on table "port_template" violates foreign key constraint "port_template_rear_template_fkey"', 'a front maps to a rear template of its own type');
SELECT throws_ok($$UPDATE port_template SET kind = 'interface', positions = 1 FROM ids WHERE device_type_id = cp24 AND name = 'rear'$$, '23503',
    'rear port template "rear" still carries 24 front port template(s)', 'a mapped rear template keeps its kind');
SELECT throws_ok($$UPDATE port_template SET positions = 12 FROM ids WHERE device_type_id = cp24 AND name = 'rear'$$, '23514',
    'rear port template "rear" cannot shrink to 12 positions: position 24 is mapped', 'a rear template does not shrink below its fronts');
SELECT throws_ok($$DELETE FROM port_template USING ids WHERE device_type_id = cp24 AND name = 'rear'$$, '23503',
    'update or delete on table "port_template" violates foreign key constraint "port_template_rear_template_fkey" on table "port_template"',
    'a rear template with fronts cannot be deleted');

-- a typed device: its ports in the inserting statement, the rest from its type
INSERT INTO device (name, device_type_id, rack_id, position) SELECT 'dt-srv1', r650, r1, 'U1' FROM ids;
SELECT results_eq($$SELECT p.name, p.kind::text FROM port p JOIN device d ON d.id = p.device_id WHERE d.name = 'dt-srv1' ORDER BY p.name$$,
    $$VALUES ('eth0', 'interface'), ('eth1', 'interface'), ('psu1', 'power_port'), ('psu2', 'power_port')$$,
    'a device of a type gets the type''s ports');
SELECT results_eq($$SELECT kind::text, units, manufacturer, model, draw_watts FROM device WHERE name = 'dt-srv1'$$,
    $$VALUES ('server', 1, 'dt-Dell', 'R650', 450::numeric)$$, 'and its kind, units, manufacturer, model and draw');
SELECT is((SELECT count(*) FROM change c JOIN port p ON p.id = c.row_id JOIN device d ON d.id = p.device_id
            WHERE d.name = 'dt-srv1' AND c.op = 'insert')::int, 4, 'the ports it gets are in the change log');
INSERT INTO device (name, device_type_id, draw_watts, serial) SELECT 'dt-srv2', r650, 380, 'SN2' FROM ids;
SELECT is((SELECT draw_watts FROM device WHERE name = 'dt-srv2'), 380::numeric, 'a given draw is kept (a measured draw may differ from the nameplate)');
INSERT INTO device (name, device_type_id, rack_id, position) SELECT 'dt-pp1', cp24, r1, 'U10/rear' FROM ids;
SELECT is((SELECT count(*) FROM port p JOIN device d ON d.id = p.device_id WHERE d.name = 'dt-pp1')::int, 25,
    'a patch panel gets its rear port and 24 front ports');
SELECT results_eq($$SELECT f.name, f.rear_port_position, r.name FROM port f JOIN port r ON r.id = f.rear_port_id
                     JOIN device d ON d.id = f.device_id WHERE d.name = 'dt-pp1' AND f.name IN ('front1', 'front24') ORDER BY 1$$,
    $$VALUES ('front1', 1, 'rear'), ('front24', 24, 'rear')$$, 'its front ports map to its own rear port at the templates'' positions');
INSERT INTO device (name, device_type_id, rack_id) SELECT 'dt-pdu1', ap, r1 FROM ids;
SELECT results_eq($$SELECT units, position IS NULL FROM device WHERE name = 'dt-pdu1'$$, $$VALUES (0, true)$$,
    'a zero-U type makes a zero-U device, racked without a position');
-- many typed devices in one statement, of two types
INSERT INTO device (name, device_type_id)
SELECT 'dt-bulk' || g, CASE WHEN g % 2 = 0 THEN r650 ELSE cp24 END FROM ids, generate_series(1, 100) g;
SELECT is((SELECT count(*) FROM port p JOIN device d ON d.id = p.device_id WHERE d.name LIKE 'dt-bulk%')::int, 50 * 4 + 50 * 25,
    'one statement of 100 typed devices gets every port of each');
SELECT is((SELECT count(*) FROM port f JOIN port r ON r.id = f.rear_port_id WHERE f.device_id <> r.device_id)::int, 0,
    'no front port maps to another device''s rear port');
WITH d AS (INSERT INTO device (name, device_type_id) SELECT 'dt-cte', r650 FROM ids RETURNING id)
INSERT INTO port (device_id, name, kind) SELECT id, 'eth0', 'console' FROM d;
SELECT results_eq($$SELECT p.name, p.kind::text FROM port p JOIN device d ON d.id = p.device_id WHERE d.name = 'dt-cte' ORDER BY 1$$,
    $$VALUES ('eth0', 'console'), ('eth1', 'interface'), ('psu1', 'power_port'), ('psu2', 'power_port')$$,
    'a port made by hand in the inserting statement is kept, and its template skipped');
INSERT INTO device (name, kind) VALUES ('dt-plain', 'other');
SELECT results_eq($$SELECT units, device_type_id IS NULL, (SELECT count(*) FROM port p WHERE p.device_id = d.id)::int FROM device d WHERE name = 'dt-plain'$$,
    $$VALUES (1, true, 0)$$, 'a device without a type is 1 U when not given, and gets no ports');

-- what contradicts the type is refused
SELECT throws_ok($$INSERT INTO device (name, kind, device_type_id) SELECT 'dt-x', 'network', r650 FROM ids$$, '23514',
    'device "dt-x" is of kind network but its type "dt-Dell" "R650" is of kind server', 'a device''s kind is its type''s');
SELECT throws_ok($$INSERT INTO device (name, units, device_type_id) SELECT 'dt-x', 2, r650 FROM ids$$, '23514',
    'device "dt-x" is 2 U but its type "dt-Dell" "R650" is 1 U', 'a device''s height is its type''s');
SELECT throws_ok($$INSERT INTO device (name, manufacturer, device_type_id) SELECT 'dt-x', 'HPE', r650 FROM ids$$, '23514',
    'device "dt-x" is a "HPE" "R650" but its type is "dt-Dell" "R650"', 'a device''s manufacturer is its type''s');
SELECT throws_ok($$UPDATE device SET model = 'R750' WHERE name = 'dt-srv1'$$, '23514',
    'device "dt-srv1" is a "dt-Dell" "R750" but its type is "dt-Dell" "R650"', 'a typed device''s model cannot be changed by hand');
SELECT throws_ok($$UPDATE device SET units = 2, position = 'U20-U21' WHERE name = 'dt-srv1'$$, '23514',
    'device "dt-srv1" is 2 U but its type "dt-Dell" "R650" is 1 U', 'a typed device''s height cannot be changed by hand');
SELECT throws_ok($$INSERT INTO device (name, device_type_id, rack_id, position) SELECT 'dt-x', r650, r1, 'U30/front' FROM ids$$, '23514',
    'device "dt-x" of full-depth type "dt-Dell" "R650" cannot take position U30/front', 'a full-depth type takes both faces');
SELECT throws_ok($$INSERT INTO device (name, device_type_id, rack_id, position) SELECT 'dt-x', cp24, r1, 'U30' FROM ids$$, '23514',
    'device "dt-x" of half-depth type "dt-Panduit" "CP24" cannot take position U30/full', 'a half-depth type takes one face');
SELECT throws_ok($$UPDATE device SET position = 'U10' WHERE name = 'dt-pp1'$$, '23514',
    'device "dt-pp1" of half-depth type "dt-Panduit" "CP24" cannot take position U10/full', 'also when it moves');
SELECT lives_ok($$INSERT INTO device (name, device_type_id, rack_id, position) SELECT 'dt-pp2', cp24, r1, 'U10/front' FROM ids$$,
    'two half-depth panels share a unit, one on each face');
SELECT lives_ok($$INSERT INTO device (name, kind, units, manufacturer, model, device_type_id) SELECT 'dt-srv3', 'server', 1, 'dt-Dell', 'R650', r650 FROM ids$$,
    'values that agree with the type may be given');

-- a type in use
SELECT throws_ok($$DELETE FROM device_type WHERE model = 'AP8868'$$, '23503',
    'device_type "' || (SELECT id FROM device_type WHERE model = 'AP8868') || '" cannot be deleted: 1 device row(s) refer to it: dt-pdu1',
    'a type in use cannot be deleted, and the devices using it are named');
SELECT throws_ok($$UPDATE device_type SET units = 2 WHERE model = 'AP8868'$$, '23503',
    'device type "AP8868" cannot change its kind, units or depth: 1 device(s) use it: dt-pdu1', 'a type in use keeps its height');
SELECT throws_ok($$UPDATE device_type SET full_depth = true WHERE model = 'CP24'$$, '23503', NULL, 'and its depth');
SELECT throws_ok($$UPDATE device_type SET kind = 'other' WHERE model = 'AP8868'$$, '23503', NULL, 'and its kind');
SELECT lives_ok($$UPDATE device_type SET description = 'vertical PDU', draw_watts = 20, part_number = 'AP8868' WHERE model = 'AP8868'$$,
    'other columns of a type in use may change');
SELECT is((SELECT draw_watts FROM device WHERE name = 'dt-pdu1'), NULL::numeric, 'a type''s new draw does not touch its devices');
UPDATE device_type SET model = 'PowerEdge R650' WHERE model = 'R650' AND manufacturer_id = (SELECT dell FROM ids);
SELECT is((SELECT model FROM device WHERE name = 'dt-srv1'), 'PowerEdge R650', 'a renamed model is renamed on its devices');
UPDATE manufacturer SET name = 'dt-Dell Technologies' WHERE name = 'dt-Dell';
SELECT is((SELECT manufacturer FROM device WHERE name = 'dt-srv2'), 'dt-Dell Technologies', 'a renamed manufacturer is renamed on its devices');
SELECT lives_ok($$DELETE FROM device_type WHERE model = 'R650' AND manufacturer_id = (SELECT id FROM manufacturer WHERE name = 'dt-APC')$$,
    'a type in no use is deleted, with its templates');

-- templates added later, and device_apply_type
INSERT INTO port_template (device_type_id, name, kind) SELECT r650, 'idrac', 'interface' FROM ids;
SELECT is((SELECT count(*) FROM port p JOIN device d ON d.id = p.device_id WHERE d.name = 'dt-srv1')::int, 4,
    'a template added later does not touch existing devices');
SELECT results_eq($$SELECT name, kind::text FROM device_apply_type((SELECT id FROM device WHERE name = 'dt-srv1'))$$,
    $$VALUES ('idrac', 'interface')$$, 'device_apply_type adds the missing port and returns it');
SELECT is_empty($$SELECT * FROM device_apply_type((SELECT id FROM device WHERE name = 'dt-srv1'))$$, 'and adds nothing the second time');
DELETE FROM port_template WHERE name = 'eth1' AND device_type_id = (SELECT r650 FROM ids);
SELECT is((SELECT count(*) FROM port p JOIN device d ON d.id = p.device_id WHERE d.name = 'dt-srv1' AND p.name = 'eth1')::int, 1,
    'a template deleted later leaves the devices'' ports');
DELETE FROM port p USING device d WHERE d.id = p.device_id AND d.name = 'dt-pp2' AND p.name IN ('front3', 'front4');
SELECT results_eq($$SELECT name, rear_port_position FROM device_apply_type((SELECT id FROM device WHERE name = 'dt-pp2'))$$,
    $$VALUES ('front3', 3), ('front4', 4)$$, 'device_apply_type maps missing front ports to the device''s rear port');
SELECT throws_ok($$SELECT * FROM device_apply_type('00000000-0000-0000-0000-000000000000'::uuid)$$, 'P0002',
    'no device with id 00000000-0000-0000-0000-000000000000', 'device_apply_type of an unknown device');
SELECT throws_ok($$SELECT * FROM device_apply_type((SELECT id FROM device WHERE name = 'dt-plain'))$$, '22023',
    'device "dt-plain" has no device type', 'device_apply_type of a device without a type');
SELECT is((SELECT count(*) FROM device_apply_type(NULL::uuid))::int, 0, 'device_apply_type(NULL) is empty (STRICT)');
DELETE FROM port p USING device d WHERE d.id = p.device_id AND d.name IN ('dt-bulk1', 'dt-bulk2') AND p.name IN ('psu2', 'front24');
SELECT results_eq($$SELECT d.name, p.name FROM device_apply_types(ARRAY(SELECT id FROM device WHERE name IN ('dt-bulk1', 'dt-bulk2', 'dt-plain'))
                                                || '00000000-0000-0000-0000-000000000000'::uuid) p
                     JOIN device d ON d.id = p.device_id ORDER BY 1, 2$$,
    $$VALUES ('dt-bulk1', 'front24'), ('dt-bulk2', 'idrac'), ('dt-bulk2', 'psu2')$$,
    'device_apply_types does many devices at once (the template added since too), skipping untyped devices and unknown ids');

-- changing a device's type: units and kind follow, ports stay until asked
INSERT INTO device_type (manufacturer_id, model, kind, units, draw_watts) SELECT dell, 'R750', 'server', 2, 700 FROM ids;
INSERT INTO port_template (device_type_id, name, kind) SELECT id, n, 'interface' FROM device_type, unnest(ARRAY['eth0', 'eth2']) n WHERE model = 'R750';
UPDATE device SET device_type_id = (SELECT id FROM device_type WHERE model = 'R750') WHERE name = 'dt-srv2';
SELECT results_eq($$SELECT units, model, (SELECT count(*) FROM port p WHERE p.device_id = d.id)::int FROM device d WHERE name = 'dt-srv2'$$,
    $$VALUES (2, 'R750', 4)$$, 'a new type gives its height and model, and leaves the ports');
SELECT results_eq($$SELECT name FROM device_apply_type((SELECT id FROM device WHERE name = 'dt-srv2'))$$,
    $$VALUES ('eth2')$$, 'device_apply_type then adds the new type''s missing ports');
SELECT throws_ok($$UPDATE device SET device_type_id = (SELECT id FROM device_type WHERE model = 'R750') WHERE name = 'dt-srv1'$$, '23514',
    'device "dt-srv1" is 2 U but position U1/full in rack "dt-r1" is 1 U', 'a new type''s height must fit the device''s position');
UPDATE device SET device_type_id = NULL WHERE name = 'dt-srv3';
SELECT results_eq($$SELECT units, model, device_type_id IS NULL FROM device WHERE name = 'dt-srv3'$$,
    $$VALUES (1, 'PowerEdge R650', true)$$, 'clearing the type keeps what the device took from it');

-- COPY: an ordinary bulk load makes the ports; a restore (the owner, with
-- check_function_bodies off, as pg_restore runs it) does not, since the
-- ports are restored with their own ids, nor does it fill in defaults
INSERT INTO device_type (id, manufacturer_id, model, kind, units)
SELECT '44444444-0000-0000-0000-000000000001', dell, 'copy-model', 'server', 2 FROM ids;
INSERT INTO port_template (device_type_id, name, kind) VALUES ('44444444-0000-0000-0000-000000000001', 'eth0', 'interface');
COPY mountaineer.device (id, kind, name, device_type_id) FROM STDIN;
44444444-0000-0000-0000-0000000000a1	server	dt-copied	44444444-0000-0000-0000-000000000001
\.
SET check_function_bodies = off;
COPY mountaineer.device (id, kind, name, units, device_type_id) FROM STDIN;
44444444-0000-0000-0000-0000000000a2	server	dt-restored	2	44444444-0000-0000-0000-000000000001
\.
RESET check_function_bodies;
SELECT results_eq($$SELECT d.name, d.units, d.model, (SELECT count(*) FROM port p WHERE p.device_id = d.id)::int
                     FROM device d WHERE d.name IN ('dt-copied', 'dt-restored') ORDER BY 1$$,
    $$VALUES ('dt-copied', 2, 'copy-model', 1), ('dt-restored', 2, NULL, 0)$$,
    'a bulk COPY of typed devices makes their ports; a restore makes none and fills nothing in');

-- privileges
SET LOCAL ROLE mountaineer_reader;
SELECT throws_ok($$SELECT * FROM device_apply_type((SELECT id FROM device WHERE name = 'dt-srv1'))$$, '42501',
    'permission denied for function device_apply_type', 'a reader cannot call device_apply_type');
RESET ROLE;
SET LOCAL ROLE mountaineer_editor;
SELECT lives_ok($$INSERT INTO device (name, device_type_id) SELECT 'dt-by-editor', id FROM device_type WHERE model = 'R750'$$,
    'an editor inserts a typed device, ports and all');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
