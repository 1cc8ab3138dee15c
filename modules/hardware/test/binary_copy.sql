-- mountaineer_hardware: devices, with their rackspan positions, survive a
-- binary COPY out and back in (the rackspan type's send and receive
-- functions, as a binary dump or a binary-mode client uses them), and a
-- binary rackspan that breaks the type's rules is refused (22P03).  The
-- COPY goes through a file in the data directory (superuser: pg_prove runs
-- as the cluster's owner), removed by the COPY that reads it.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(7);

INSERT INTO site (name) VALUES ('bc-site');
INSERT INTO rack (site_id, name) SELECT id, 'bc-rack' FROM site WHERE name = 'bc-site';
INSERT INTO device (kind, name, units, rack_id, position)
SELECT 'server'::device_kind, 'bc-1', 2, r.id, 'U1-U2/front'::rackspan FROM rack r WHERE r.name = 'bc-rack' UNION ALL
SELECT 'other', 'bc-2', 1, r.id, 'U1/rear' FROM rack r WHERE r.name = 'bc-rack' UNION ALL
SELECT 'server', 'bc-3', 4, r.id, 'U39-U42' FROM rack r WHERE r.name = 'bc-rack' UNION ALL
SELECT 'pdu', 'bc-4', 0, r.id, NULL FROM rack r WHERE r.name = 'bc-rack';
CREATE TEMP TABLE saved AS SELECT id, kind, name, units, rack_id, position FROM device WHERE name LIKE 'bc-%';

SELECT is(rackspan_send('U2-U3/front'), '\x0002000301'::bytea, 'the binary form of a rackspan: first and last unit (int16), face code (1 front, 2 rear, 3 full)');

COPY device (id, kind, name, units, rack_id, position) TO PROGRAM 'cat > mt_binary_copy_device.bin' (FORMAT binary);
DELETE FROM device WHERE name LIKE 'bc-%';
SELECT is((SELECT count(*)::int FROM device WHERE name LIKE 'bc-%'), 0, 'the devices are gone');
COPY device (id, kind, name, units, rack_id, position) FROM PROGRAM 'cat mt_binary_copy_device.bin && rm -f mt_binary_copy_device.bin' (FORMAT binary);
SELECT results_eq($$SELECT id, kind, name, units, rack_id, position FROM device WHERE name LIKE 'bc-%' ORDER BY name$$,
                  $$SELECT id, kind, name, units, rack_id, position FROM saved ORDER BY name$$,
                  'a binary COPY out and back in brings back every device with its position');
SELECT is((SELECT string_agg(position::text, ' ' ORDER BY name) FROM device WHERE name LIKE 'bc-%'), 'U1-U2/front U1/rear U39-U42/full',
          'the positions read back are the ones written');
SELECT throws_ok($$INSERT INTO device (kind, name, units, rack_id, position) SELECT 'other', 'bc-5', 1, id, 'U2/front' FROM rack WHERE name = 'bc-rack'$$,
    '23P01', 'conflicting key value violates exclusion constraint "device_rack_id_position_excl"',
    'the restored positions still hold their units');

-- one rackspan column, one row: a binary COPY file written byte by byte
CREATE TEMP TABLE span (s rackspan);
SELECT throws_ok($$COPY span FROM PROGRAM 'printf ''PGCOPY\n\377\r\n\000\000\000\000\000\000\000\000\000\000\001\000\000\000\005\000\005\000\002\003\377\377''' (FORMAT binary)$$,
    '22P03', 'invalid rack units in external rackspan value: 5 to 2', 'a binary rackspan whose units run backwards is refused');
SELECT throws_ok($$COPY span FROM PROGRAM 'printf ''PGCOPY\n\377\r\n\000\000\000\000\000\000\000\000\000\000\001\000\000\000\005\000\002\000\005\011\377\377''' (FORMAT binary)$$,
    '22P03', 'invalid face code in external rackspan value: 9', 'a binary rackspan with an unknown face code is refused');

SELECT * FROM finish();
ROLLBACK;
