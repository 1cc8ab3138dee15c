-- mountaineer_hardware: a cable end on a port that does not exist, and a
-- device in a rack that does not exist.  The triggers that check them
-- (cable_end_check, device_check_position) find no row to check against and
-- leave the refusal to the foreign key: 23503 naming its constraint, not a
-- check of their own on missing data.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(4);

INSERT INTO cable (label, status) VALUES ('mr-c', 'planned');
SELECT throws_ok($$INSERT INTO cable_end (cable_id, side, port_id)
                   SELECT id, 'a', '00000000-0000-4000-8000-0000000000e1' FROM cable WHERE label = 'mr-c'$$,
                 '23503', 'insert or update on table "cable_end" violates foreign key constraint "cable_end_port_id_fkey"',
                 'a cable end on a port that does not exist is refused by the foreign key');
SELECT is((SELECT count(*)::int FROM cable_end e JOIN cable c ON c.id = e.cable_id WHERE c.label = 'mr-c'), 0,
          'and the cable has no end');

SELECT throws_ok($$INSERT INTO device (kind, name, units, rack_id, position)
                   VALUES ('server', 'mr-srv', 1, '00000000-0000-4000-8000-0000000000e2', 'U1')$$,
                 '23503', 'insert or update on table "device" violates foreign key constraint "device_rack_id_site_id_fkey"',
                 'a device in a rack that does not exist is refused by the foreign key');
SELECT is((SELECT count(*)::int FROM device WHERE name = 'mr-srv'), 0, 'and there is no such device');

SELECT * FROM finish();
ROLLBACK;
