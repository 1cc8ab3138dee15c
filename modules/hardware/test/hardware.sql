-- mountaineer_hardware: every constraint a user can meet, with its SQLSTATE,
-- and the behaviour of the views and functions.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(121);

-- fixture: one site, two racks (42U and 10U), a few devices
INSERT INTO site (name, vendor) VALUES ('t1', 'ColoCorp'), ('t2', NULL);
INSERT INTO rack (site_id, name, units) SELECT id, 'r42', 42 FROM site WHERE name = 't1';
INSERT INTO rack (site_id, name, units) SELECT id, 'r10', 10 FROM site WHERE name = 't1';
CREATE TEMP TABLE ids AS
SELECT (SELECT id FROM rack WHERE name = 'r42') AS r42,
       (SELECT id FROM rack WHERE name = 'r10') AS r10,
       (SELECT id FROM site WHERE name = 't1') AS t1,
       (SELECT id FROM site WHERE name = 't2') AS t2;
INSERT INTO device (kind, name, manufacturer, model, serial, units, draw_watts, rack_id, position)
SELECT 'server'::device_kind, 'srv1', 'Dell', 'R650', 'S1', 1, 400, r42, 'U1'::rackspan FROM ids UNION ALL
SELECT 'server', 'srv2', 'Dell', 'R750', 'S2', 2, 600, r42, 'U2-U3' FROM ids UNION ALL
SELECT 'patch_panel', 'pp1', NULL, NULL, NULL, 1, NULL::numeric, r42, 'U41/front' FROM ids UNION ALL
SELECT 'pdu', 'pdu-a', 'APC', 'AP8868', 'P1', 0, NULL, r42, NULL FROM ids;
INSERT INTO pdu (id, volts, amps) SELECT id, 230, 16 FROM device WHERE name = 'pdu-a';
INSERT INTO server (id, memory_mib, cores) SELECT id, 262144, 64 FROM device WHERE name = 'srv1';

-- sites
SELECT throws_ok($$INSERT INTO site (name) VALUES ('t1')$$, '23505',
    'duplicate key value violates unique constraint "site_name_key"', 'site names are unique');
SELECT throws_ok($$INSERT INTO site (name) VALUES ('')$$, '23514', NULL, 'a site has a name');
SELECT throws_ok($$INSERT INTO site (name, noc_email) VALUES ('x', 'not-an-address')$$, '23514',
    'new row for relation "site" violates check constraint "site_noc_email_check"', 'NOC e-mail is checked');
SELECT throws_ok($$INSERT INTO site (name, noc_url) VALUES ('x', 'ftp://noc')$$, '23514',
    'new row for relation "site" violates check constraint "site_noc_url_check"', 'NOC URL is http(s)');
SELECT throws_ok($$DELETE FROM site WHERE name = 't1'$$, '23503', NULL, 'a site with racks cannot be deleted');

-- racks
SELECT throws_ok($$INSERT INTO rack (site_id, name) SELECT t1, 'r42' FROM ids$$, '23505',
    'duplicate key value violates unique constraint "rack_site_id_name_key"', 'rack names are unique within a site');
SELECT lives_ok($$INSERT INTO rack (site_id, name) SELECT t2, 'r42' FROM ids$$, 'the same rack name at another site');
SELECT throws_ok($$INSERT INTO rack (site_id, name, units) SELECT t1, 'big', 101 FROM ids$$, '23514',
    'new row for relation "rack" violates check constraint "rack_units_check"', 'a rack has at most 100 U');
SELECT throws_ok($$INSERT INTO rack (site_id, name, units) SELECT t1, 'none', 0 FROM ids$$, '23514', NULL, 'a rack has at least 1 U');
SELECT throws_ok($$INSERT INTO rack (site_id, name, posts) SELECT t1, 'p3', 3 FROM ids$$, '23514',
    'new row for relation "rack" violates check constraint "rack_posts_check"', 'two or four posts');
SELECT throws_ok($$INSERT INTO rack (site_id, name, attachment) SELECT t1, 'a', 'velcro' FROM ids$$, '22P02',
    'invalid input value for enum rack_attachment: "velcro"', 'attachment is an enum');
SELECT throws_ok($$UPDATE rack SET units = 2 WHERE name = 'r42' AND site_id = (SELECT t1 FROM ids)$$, '23514',
    'rack "r42" cannot shrink to 2 U: device "pp1" sits at U41/front', 'a rack cannot shrink below its devices (the highest is named)');
SELECT lives_ok($$UPDATE rack SET units = 41 WHERE name = 'r42' AND site_id = (SELECT t1 FROM ids)$$,
    'a rack can shrink down to its highest device');
SELECT throws_ok($$DELETE FROM rack WHERE id = (SELECT r42 FROM ids)$$, '23503', NULL, 'a rack holding devices cannot be deleted');
UPDATE rack SET units = 42 WHERE id = (SELECT r42 FROM ids);

-- placement
SELECT throws_ok($$INSERT INTO device (kind, name, units, rack_id, position) SELECT 'server', 'x', 2, r42, 'U3-U4' FROM ids$$,
    '23P01', 'conflicting key value violates exclusion constraint "device_rack_id_position_excl"',
    'two devices cannot share a unit');
SELECT lives_ok($$INSERT INTO device (kind, name, units, rack_id, position) SELECT 'other', 'x', 1, r42, 'U41/rear' FROM ids$$,
    'a half-depth device fits behind another on the opposite face');
SELECT throws_ok($$INSERT INTO device (kind, name, units, rack_id, position) SELECT 'other', 'y', 1, r42, 'U41/front' FROM ids$$,
    '23P01', NULL, 'but not on the same face');
SELECT throws_ok($$INSERT INTO device (kind, name, units, rack_id, position) SELECT 'other', 'y', 1, r42, 'U41' FROM ids$$,
    '23P01', NULL, 'and a full-depth device collides with both faces');
SELECT lives_ok($$INSERT INTO device (kind, name, units, rack_id, position) SELECT 'server', 'same-units', 1, r10, 'U1' FROM ids$$,
    'the same units in another rack are free');
SELECT throws_ok($$INSERT INTO device (kind, name, units, rack_id) SELECT 'server', 'loose', 2, r42 FROM ids$$,
    '23502', 'device "loose" (2 U) in rack "r42" needs a position', 'a racked device needs a position');
SELECT throws_ok($$INSERT INTO device (kind, name, units, rack_id, position) SELECT 'server', 'tall', 2, r42, 'U20' FROM ids$$,
    '23514', 'device "tall" is 2 U but position U20/full in rack "r42" is 1 U', 'the position''s height is the device''s units');
SELECT throws_ok($$INSERT INTO device (kind, name, units, rack_id, position) SELECT 'server', 'high', 2, r10, 'U10-U11' FROM ids$$,
    '23514', 'device "high" at U10-U11/full does not fit rack "r10" of 10 U', 'a position must fit the rack');
SELECT throws_ok($$INSERT INTO device (kind, name, units, position) VALUES ('server', 'nowhere', 1, 'U5')$$,
    '23514', 'device "nowhere" has position U5/full but no rack', 'no position without a rack, named');
SELECT throws_ok($$INSERT INTO device (kind, name, units, rack_id, position) SELECT 'pdu', 'zero', 0, r42, 'U30' FROM ids$$,
    '23514', 'zero-U device "zero" cannot take position U30/full in rack "r42"', 'a zero-U device has no position');
SELECT lives_ok($$INSERT INTO device (kind, name, units, rack_id) SELECT 'pdu', 'pdu-b', 0, r42 FROM ids$$,
    'a zero-U device sits in a rack with no position');
SELECT lives_ok($$INSERT INTO device (kind, name, units) VALUES ('server', 'spare', 2)$$,
    'a device need not be in a rack');
SELECT throws_ok($$UPDATE device SET units = 3 WHERE name = 'srv2'$$,
    '23514', 'device "srv2" is 3 U but position U2-U3/full in rack "r42" is 2 U', 'changing units re-checks the position');
SELECT throws_ok($$UPDATE device SET rack_id = (SELECT r10 FROM ids), position = 'U1' WHERE name = 'srv1'$$,
    '23P01', NULL, 'moving a device re-checks collisions');
SELECT throws_ok($$INSERT INTO device (kind, name, manufacturer, model, serial, units) VALUES ('server', 'dup', 'Dell', 'R650', 'S1', 1)$$,
    '23505', 'duplicate key value violates unique constraint "device_manufacturer_model_serial_key"',
    '(manufacturer, model, serial) is unique');
SELECT throws_ok($$INSERT INTO device (kind, name, units) VALUES ('server', 'huge', 101)$$,
    '23514', 'new row for relation "device" violates check constraint "device_units_check"', 'at most 100 U');
SELECT throws_ok($$INSERT INTO device (kind, name, units) VALUES ('toaster', 't', 1)$$,
    '22P02', 'invalid input value for enum device_kind: "toaster"', 'kind is an enum');

-- kind tables
SELECT throws_ok($$INSERT INTO server (id) SELECT id FROM device WHERE name = 'pdu-b'$$,
    '23503', NULL, 'a server row needs a device of kind server');
SELECT throws_ok($$INSERT INTO pdu (id, kind) SELECT id, 'server' FROM device WHERE name = 'srv2'$$,
    '23514', 'new row for relation "pdu" violates check constraint "pdu_kind_check"', 'a pdu row is of kind pdu');
SELECT throws_ok($$UPDATE device SET kind = 'network' WHERE name = 'srv1'$$,
    '23503', NULL, 'a device with server details cannot change kind');
SELECT is((SELECT watts FROM pdu p JOIN device d USING (id) WHERE d.name = 'pdu-a'), 3680::numeric, 'pdu watts = volts × amps');
SELECT throws_ok($$UPDATE pdu SET watts = 1$$, '428C9', NULL, 'pdu watts cannot be written');
DELETE FROM device WHERE name = 'same-units';
CREATE TEMP TABLE gone AS SELECT id FROM device WHERE name = 'srv1';
SELECT lives_ok($$DELETE FROM device WHERE name = 'srv1'$$, 'deleting a device deletes its details');
SELECT is((SELECT count(*) FROM server WHERE id IN (SELECT id FROM gone)), 0::bigint, '... the server row is gone');

-- ports
INSERT INTO port (device_id, name, kind, positions) SELECT id, 'rear1', 'rear_port', 4 FROM device WHERE name = 'pp1';
INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
SELECT d.id, 'front1', 'front_port', p.id, 1 FROM device d, port p WHERE d.name = 'pp1' AND p.name = 'rear1';
INSERT INTO port (device_id, name, kind) SELECT id, 'eth0', 'interface' FROM device WHERE name = 'srv2';
SELECT throws_ok($$INSERT INTO port (device_id, name, kind) SELECT id, 'eth0', 'interface' FROM device WHERE name = 'srv2'$$,
    '23505', 'duplicate key value violates unique constraint "port_device_id_name_key"', 'port names are unique per device');
SELECT throws_ok($$INSERT INTO port (device_id, name, kind, positions) SELECT id, 'eth1', 'interface', 2 FROM device WHERE name = 'srv2'$$,
    '23514', 'new row for relation "port" violates check constraint "port_positions_rear_only"', 'only rear ports have positions');
SELECT throws_ok($$INSERT INTO port (device_id, name, kind) SELECT id, 'front2', 'front_port' FROM device WHERE name = 'pp1'$$,
    '23514', 'new row for relation "port" violates check constraint "port_front_maps_rear"', 'a front port maps to a rear port');
SELECT throws_ok($$INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
    SELECT d.id, 'eth1', 'interface', p.id, 2 FROM device d, port p WHERE d.name = 'pp1' AND p.name = 'rear1'$$,
    '23514', 'new row for relation "port" violates check constraint "port_front_maps_rear"', 'only front ports map to rear ports');
SELECT throws_ok($$INSERT INTO port (device_id, name, kind, rear_port_id)
    SELECT d.id, 'front2', 'front_port', p.id FROM device d, port p WHERE d.name = 'pp1' AND p.name = 'rear1'$$,
    '23514', 'new row for relation "port" violates check constraint "port_rear_position_given"', 'a front port names its position');
SELECT throws_ok($$INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
    SELECT d.id, 'front2', 'front_port', p.id, 1 FROM device d, port p WHERE d.name = 'pp1' AND p.name = 'rear1'$$,
    '23505', 'duplicate key value violates unique constraint "port_rear_port_id_rear_port_position_key"',
    'each rear position is mapped at most once');
SELECT throws_ok($$INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
    SELECT d.id, 'front2', 'front_port', p.id, 5 FROM device d, port p WHERE d.name = 'pp1' AND p.name = 'rear1'$$,
    '23514', 'front port "front2" maps to position 5 of rear port "rear1", which has positions 1..4', 'the position exists');
SELECT throws_ok($$INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
    SELECT d.id, 'front9', 'front_port', p.id, 2 FROM device d, port p WHERE d.name = 'srv2' AND p.name = 'rear1'$$,
    '23503', 'front port "front9" of device "srv2" must map to a rear port of its own device; rear port "rear1" is on device "pp1"',
    'the rear port is on the same device (both devices named)');
SELECT throws_ok($$INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
    SELECT d.id, 'front2', 'front_port', p.id, 1 FROM device d, port p WHERE d.name = 'pp1' AND p.name = 'front1'$$,
    '23503', 'front port "front2" must map to a rear port; port "front1" is of kind front_port',
    'a front port cannot map to another front port (its kind named)');
SELECT throws_ok($$UPDATE port SET positions = 0 WHERE name = 'rear1'$$, '23514', NULL, 'positions are at least 1');
SELECT lives_ok($$UPDATE port SET positions = 2 WHERE name = 'rear1'$$, 'a rear port can shrink to its highest mapped position');
SELECT throws_ok($$INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
    SELECT d.id, 'front3', 'front_port', p.id, 3 FROM device d, port p WHERE d.name = 'pp1' AND p.name = 'rear1'$$,
    '23514', 'front port "front3" maps to position 3 of rear port "rear1", which has positions 1..2', '... and then has fewer positions');
INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
SELECT d.id, 'front2', 'front_port', p.id, 2 FROM device d, port p WHERE d.name = 'pp1' AND p.name = 'rear1';
SELECT throws_ok($$UPDATE port SET positions = 1 WHERE name = 'rear1'$$,
    '23514', 'rear port "rear1" cannot shrink to 1 positions: position 2 is mapped', 'but not below a mapped position');
SELECT throws_ok($$UPDATE port SET kind = 'interface', positions = 1 WHERE name = 'rear1'$$,
    '23503', 'rear port "rear1" still carries 2 front port(s)', 'a mapped rear port keeps its kind');
SELECT throws_ok($$DELETE FROM port WHERE name = 'rear1'$$, '23503', NULL, 'a mapped rear port cannot be deleted');

-- functions and views
SELECT is(rack_first_fit((SELECT r42 FROM ids), 2)::text, 'U4-U5/full', 'first fit above the servers');
SELECT is(rack_first_fit((SELECT r42 FROM ids), 1, 'rear')::text, 'U1/rear', 'the freed unit U1 is the first rear fit');
SELECT is(rack_first_fit((SELECT r10 FROM ids), 11), NULL, 'nothing taller than the rack fits');
SELECT is(array_agg(f::text), '{U1/full,U4-U40/full,U42/full}', 'free runs of r42 (U41 holds the patch panel and x)')
FROM rack_free((SELECT r42 FROM ids)) f;
SELECT is(array_agg(f::text), '{U1/front,U4-U40/front,U42/front}', 'front free runs of r42')
FROM rack_free((SELECT r42 FROM ids), 'front') f;
SELECT throws_ok($$SELECT rack_first_fit('00000000-0000-0000-0000-000000000000', 1)$$,
    'P0002', 'no rack with id 00000000-0000-0000-0000-000000000000', 'first fit in an unknown rack');
SELECT throws_ok($$SELECT * FROM rack_elevation('00000000-0000-0000-0000-000000000000')$$,
    'P0002', 'no rack with id 00000000-0000-0000-0000-000000000000', 'elevation of an unknown rack');
SELECT is((SELECT count(*) FROM rack_elevation((SELECT r42 FROM ids))), 42::bigint, 'one elevation row per unit');
SELECT results_eq($$SELECT used_units, free_units FROM rack_utilization WHERE rack_id = (SELECT r42 FROM ids)$$,
    $$VALUES (3, 39)$$, 'utilization counts units used on either face once');
SELECT results_eq($$SELECT capacity_watts, allocated_watts, unallocated_watts FROM rack_power WHERE rack_id = (SELECT r42 FROM ids)$$,
    $$VALUES (3680::numeric, 600::numeric, 3080::numeric)$$, 'power: PDU capacity against device draw');

-- names: 1..100 characters, no leading or trailing white space, no control
-- characters; the 23514 error names the column through the constraint
SELECT throws_ok($$INSERT INTO site (name) VALUES (' lab')$$, '23514',
    'new row for relation "site" violates check constraint "site_name_check"', 'a site name has no leading space');
SELECT throws_ok($$INSERT INTO site (name) VALUES ('lab ')$$, '23514',
    'new row for relation "site" violates check constraint "site_name_check"', '... nor a trailing one');
SELECT throws_ok($$INSERT INTO site (name) VALUES ('   ')$$, '23514',
    'new row for relation "site" violates check constraint "site_name_check"', '... and is not only spaces');
SELECT throws_ok($$INSERT INTO site (name) VALUES (E'lab\t2')$$, '23514',
    'new row for relation "site" violates check constraint "site_name_check"', '... has no tab');
SELECT throws_ok($$INSERT INTO site (name) VALUES (E'lab\n2')$$, '23514',
    'new row for relation "site" violates check constraint "site_name_check"', '... and no newline');
SELECT throws_ok($$INSERT INTO site (name) VALUES (repeat('s', 101))$$, '23514',
    'new row for relation "site" violates check constraint "site_name_check"', '... and at most 100 characters');
SELECT throws_ok($$INSERT INTO site (name) VALUES (repeat('s', 100000))$$, '23514',
    'new row for relation "site" violates check constraint "site_name_check"', 'a 100 kB site name is refused, naming the column');
SELECT lives_ok($$INSERT INTO site (name) VALUES (repeat('s', 100))$$, 'a name of 100 characters is a name');
SELECT throws_ok($$INSERT INTO site (name, vendor) VALUES ('v', E'Colo\nCorp')$$, '23514',
    'new row for relation "site" violates check constraint "site_vendor_check"', 'a vendor is a name');
SELECT throws_ok($$INSERT INTO site (name, address) VALUES ('a', E' \n ')$$, '23514',
    'new row for relation "site" violates check constraint "site_address_check"', 'an address is not blank');
SELECT throws_ok($$INSERT INTO site (name, address) VALUES ('a', repeat('a', 1001))$$, '23514',
    'new row for relation "site" violates check constraint "site_address_check"', '... and at most 1000 characters');
SELECT throws_ok($$INSERT INTO site (name, address) VALUES ('a', E'Science Park 610\tx')$$, '23514',
    'new row for relation "site" violates check constraint "site_address_check"', '... and has no control characters but newlines');
SELECT lives_ok($$INSERT INTO site (name, address) VALUES ('a', E'Science Park 610\n1098 XH Amsterdam')$$,
    'an address may have several lines');
SELECT throws_ok($$INSERT INTO site (name, noc_phone) VALUES ('p', 'call the NOC')$$, '23514',
    'new row for relation "site" violates check constraint "site_noc_phone_check"', 'a NOC phone is a phone number');
SELECT lives_ok($$INSERT INTO site (name, noc_phone) VALUES ('p', '+31 (0)20 000-0000 ext. 12')$$,
    '... with a country code, parentheses, dashes and an extension');
SELECT throws_ok($$INSERT INTO site (name, noc_email) VALUES ('e', repeat('n', 250) || '@x.example')$$, '23514',
    'new row for relation "site" violates check constraint "site_noc_email_check"', 'a NOC e-mail is at most 254 characters');
SELECT throws_ok($$INSERT INTO site (name, noc_url) VALUES ('u', 'https://noc.example/a b')$$, '23514',
    'new row for relation "site" violates check constraint "site_noc_url_check"', 'a NOC URL has no white space');
SELECT throws_ok($$INSERT INTO rack (site_id, name) SELECT t1, E'r\t1' FROM ids$$, '23514',
    'new row for relation "rack" violates check constraint "rack_name_check"', 'a rack name is a name');
SELECT throws_ok($$INSERT INTO device (kind, name) VALUES ('server', repeat('d', 320000))$$, '23514',
    'new row for relation "device" violates check constraint "device_name_check"',
    'a 320 kB device name is refused naming the column (not 54000 from deep in an index)');
SELECT throws_ok($$INSERT INTO device (kind, name, manufacturer) VALUES ('server', 'm', ' Dell')$$, '23514',
    'new row for relation "device" violates check constraint "device_manufacturer_check"', 'a manufacturer is a name');
SELECT throws_ok($$INSERT INTO device (kind, name, model) VALUES ('server', 'm', E'R6\n50')$$, '23514',
    'new row for relation "device" violates check constraint "device_model_check"', 'a model is a name');
SELECT throws_ok($$INSERT INTO device (kind, name, serial) VALUES ('server', 'm', repeat('9', 101))$$, '23514',
    'new row for relation "device" violates check constraint "device_serial_check"', 'a serial is a name');
SELECT throws_ok($$INSERT INTO device (kind, name, asset_id) VALUES ('server', 'm', '')$$, '23514',
    'new row for relation "device" violates check constraint "device_asset_id_check"', 'an asset id is a name');
SELECT throws_ok($$INSERT INTO device (kind, name, asset_tag) VALUES ('server', 'm', ' ')$$, '23514',
    'new row for relation "device" violates check constraint "device_asset_tag_check"', 'an asset tag is a name');
SELECT throws_ok($$INSERT INTO port (device_id, name, kind) SELECT id, ' eth9', 'interface' FROM device WHERE name = 'srv2'$$, '23514',
    'new row for relation "port" violates check constraint "port_name_check"', 'a port name is a name');
SELECT throws_ok($$INSERT INTO device (kind, name, units, rack_id) SELECT 'server', repeat('d', 320000), 1, r42 FROM ids$$, '23502',
    'device "' || repeat('d', 64) || '..." (320000 characters) (1 U) in rack "r42" needs a position',
    'a message quotes at most 64 characters of a name, and says how long it was');

-- values: every number has a range, which NaN and Infinity fall outside
SELECT throws_ok($$INSERT INTO device (kind, name, draw_watts) VALUES ('server', 'w', 'NaN')$$, '23514',
    'new row for relation "device" violates check constraint "device_draw_watts_check"', 'draw_watts NaN is refused');
SELECT throws_ok($$INSERT INTO device (kind, name, draw_watts) VALUES ('server', 'w', 'Infinity')$$, '23514',
    'new row for relation "device" violates check constraint "device_draw_watts_check"', '... and Infinity');
SELECT throws_ok($$INSERT INTO device (kind, name, draw_watts) VALUES ('server', 'w', 1e30)$$, '23514',
    'new row for relation "device" violates check constraint "device_draw_watts_check"', '... and 1e30');
SELECT throws_ok($$INSERT INTO device (kind, name, draw_watts) VALUES ('server', 'w', -1)$$, '23514',
    'new row for relation "device" violates check constraint "device_draw_watts_check"', '... and a negative draw');
SELECT lives_ok($$INSERT INTO device (kind, name, draw_watts) VALUES ('server', 'w', 100000)$$, 'draw_watts goes up to 100000');
SELECT throws_ok($$UPDATE pdu SET volts = 'NaN'$$, '23514',
    'new row for relation "pdu" violates check constraint "pdu_volts_check"', 'PDU volts NaN is refused');
SELECT throws_ok($$UPDATE pdu SET volts = 1001$$, '23514',
    'new row for relation "pdu" violates check constraint "pdu_volts_check"', 'PDU volts are at most 1000');
SELECT throws_ok($$UPDATE pdu SET amps = 'Infinity'$$, '23514',
    'new row for relation "pdu" violates check constraint "pdu_amps_check"', 'PDU amps Infinity is refused');
SELECT throws_ok($$UPDATE pdu SET amps = 1001$$, '23514',
    'new row for relation "pdu" violates check constraint "pdu_amps_check"', 'PDU amps are at most 1000');
SELECT throws_ok($$INSERT INTO server (id, memory_mib) SELECT id, 67108865 FROM device WHERE name = 'srv2'$$, '23514',
    'new row for relation "server" violates check constraint "server_memory_mib_check"', 'memory is at most 64 TiB');
SELECT throws_ok($$INSERT INTO server (id, cores) SELECT id, 0 FROM device WHERE name = 'srv2'$$, '23514',
    'new row for relation "server" violates check constraint "server_cores_check"', 'a server has at least one core');
SELECT throws_ok($$INSERT INTO rack (site_id, name, depth_in) SELECT t1, 'deep', 'NaN' FROM ids$$, '23514',
    'new row for relation "rack" violates check constraint "rack_depth_in_check"', 'a rack''s depth NaN is refused');
SELECT throws_ok($$INSERT INTO rack (site_id, name, width_in) SELECT t1, 'wide', 'Infinity' FROM ids$$, '23514',
    'new row for relation "rack" violates check constraint "rack_width_in_check"', 'a rack''s width Infinity is refused');
SELECT throws_ok($$INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
    SELECT d.id, 'front0', 'front_port', p.id, 0 FROM device d, port p WHERE d.name = 'pp1' AND p.name = 'rear1'$$, '23514',
    'new row for relation "port" violates check constraint "port_rear_port_position_check"', 'rear positions start at 1');

-- device names: unique among the devices racked at one site
SELECT throws_ok($$INSERT INTO device (kind, name, units, rack_id, position) SELECT 'server', 'srv2', 1, r10, 'U5' FROM ids$$,
    '23505', 'duplicate key value violates unique constraint "device_site_id_name_key"',
    'two devices racked at one site cannot share a name, in two racks');
INSERT INTO rack (site_id, name) SELECT t2, 'rm' FROM ids;
SELECT lives_ok($$INSERT INTO device (kind, name, units, rack_id, position) SELECT 'server', 'srv2', 1, id, 'U5' FROM rack WHERE name = 'rm'$$,
    'the same name at another site');
SELECT lives_ok($$INSERT INTO device (kind, name, units) VALUES ('server', 'srv2', 1)$$, 'and unracked (at no site)');
SELECT results_eq($$SELECT s.name FROM device d LEFT JOIN site s ON s.id = d.site_id WHERE d.name = 'srv2' ORDER BY 1$$,
    $$VALUES ('t1'), ('t2'), (NULL)$$, 'site_id is the rack''s site, NULL when unracked');
SELECT throws_ok($$UPDATE device SET rack_id = (SELECT r10 FROM ids), position = 'U6' WHERE name = 'srv2' AND rack_id IS NULL$$,
    '23505', 'duplicate key value violates unique constraint "device_site_id_name_key"', 'racking a device where its name is taken is refused');
SELECT throws_ok($$UPDATE rack SET site_id = (SELECT t1 FROM ids) WHERE name = 'rm'$$,
    '23505', 'duplicate key value violates unique constraint "device_site_id_name_key"',
    'a rack cannot move to a site where the name of one of its devices is taken');
UPDATE device SET name = 'srv2-rm' WHERE rack_id = (SELECT id FROM rack WHERE name = 'rm');
SELECT lives_ok($$UPDATE rack SET site_id = (SELECT t1 FROM ids) WHERE name = 'rm'$$, 'without a clash it moves');
SELECT is((SELECT site_id FROM device WHERE name = 'srv2-rm'), (SELECT t1 FROM ids), '... and its devices'' site_id with it');
SELECT throws_ok($$UPDATE device SET site_id = (SELECT t2 FROM ids) WHERE name = 'srv2-rm'$$, '23514',
    'device "srv2-rm" cannot be given site_id ' || (SELECT t2 FROM ids) || ': its site is its rack''s',
    'site_id cannot be written');

-- unracking clears the position; another position without a rack is refused
SELECT lives_ok($$UPDATE device SET rack_id = NULL WHERE name = 'srv2-rm'$$, 'setting rack_id to NULL unracks a device');
SELECT results_eq($$SELECT position IS NULL, site_id IS NULL FROM device WHERE name = 'srv2-rm'$$, $$VALUES (true, true)$$,
    '... clearing its position and site');
SELECT throws_ok($$UPDATE device SET rack_id = NULL, position = 'U7' WHERE name = 'x'$$, '23514',
    'device "x" has position U7/full but no rack', 'unracked with another position is refused, named');

-- a swap in one statement: the exclusion constraint is checked at its end
INSERT INTO device (kind, name, units, rack_id, position)
SELECT 'server', n, 1, r42, p::rackspan FROM ids, (VALUES ('sw-a', 'U30'), ('sw-b', 'U31')) v(n, p);
SELECT lives_ok($$UPDATE device SET position = CASE name WHEN 'sw-a' THEN 'U31'::rackspan ELSE 'U30' END WHERE name IN ('sw-a', 'sw-b')$$,
    'two devices swap units in one UPDATE');
SELECT results_eq($$SELECT name, position::text FROM device WHERE name IN ('sw-a', 'sw-b') ORDER BY name$$,
    $$VALUES ('sw-a', 'U31/full'), ('sw-b', 'U30/full')$$, '... and end swapped');
SELECT throws_ok($$UPDATE device SET position = 'U30' WHERE name IN ('sw-a', 'sw-b')$$,
    '23P01', 'conflicting key value violates exclusion constraint "device_rack_id_position_excl"',
    'a collision left at the end of the statement is refused');
SELECT is((SELECT condeferrable AND NOT condeferred FROM pg_constraint WHERE conname = 'device_rack_id_position_excl'), true,
    'the exclusion constraint is DEFERRABLE INITIALLY IMMEDIATE');

-- row locks: a BEFORE UPDATE row trigger would make every UPDATE of a site or
-- rack take the key-exclusive lock (the slug is generated and unique),
-- blocking the foreign-key checks of every rack or device insert into it
SELECT is_empty($$SELECT tgrelid::regclass, tgname FROM pg_trigger
                  WHERE tgrelid IN ('site'::regclass, 'rack'::regclass) AND tgtype & 19 = 19$$,
    'no BEFORE UPDATE row trigger on site or rack');

-- the change log sees the module's tables
SELECT ok((SELECT count(*) FROM change WHERE table_name = 'device' AND op = 'delete') >= 1, 'device deletes are logged');

SELECT * FROM finish();
ROLLBACK;
