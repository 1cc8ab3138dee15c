-- mountaineer_networks: registries, AS numbers and ASN ranges — asplain and
-- asdot on input, the rules of each table with their refusals, allocation
-- (lowest free, past numbers taken by hand, a full range, an unknown one,
-- outside READ COMMITTED), the usage view, the change log (a JSON number),
-- and who may allocate.  (Concurrent allocation: specs/allocate_asn.spec.)
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(31);

INSERT INTO rir (name) VALUES ('asn-t-ripe');
INSERT INTO rir (name, is_private) VALUES ('asn-t-private', true);
CREATE TEMP VIEW t_rir AS SELECT (SELECT id FROM rir WHERE name = 'asn-t-private') AS private, (SELECT id FROM rir WHERE name = 'asn-t-ripe') AS ripe;

-- numbers: asplain, asdot, as bigint
INSERT INTO asn (asn, rir_id) SELECT '3320', ripe FROM t_rir;
INSERT INTO asn (asn, rir_id) SELECT '1.10', ripe FROM t_rir;
INSERT INTO asn (asn, rir_id) SELECT 4199999999::bigint, ripe FROM t_rir;
SELECT results_eq($$SELECT asn::bigint, asdot(asn) FROM asn WHERE rir_id = (SELECT ripe FROM t_rir) ORDER BY asn$$,
                  $$VALUES (3320::bigint, '3320'), (65546, '1.10'), (4199999999, '64086.59903')$$,
                  'asplain, asdot and a bigint all go in; asdot() shows them back');
SELECT throws_ok($$INSERT INTO asn (asn, rir_id) SELECT '0.3320', ripe FROM t_rir$$, '23505',
                 'duplicate key value violates unique constraint "asn_asn_key"', 'an AS number is used once, however it is written');
SELECT throws_ok($$INSERT INTO asn (asn, rir_id) SELECT 0, ripe FROM t_rir$$, '23514',
                 'new row for relation "asn" violates check constraint "asn_asn_check"', 'AS 0 is refused');
SELECT throws_ok($$INSERT INTO asn (asn, rir_id) SELECT '4294967296', ripe FROM t_rir$$, '22P02',
                 'invalid input syntax for type as_number: "4294967296"', 'a number past 32 bits is refused');
SELECT throws_ok($$INSERT INTO asn (asn, rir_id) SELECT '65536.1', ripe FROM t_rir$$, '22P02',
                 'invalid input syntax for type as_number: "65536.1"', 'an asdot half past 65535 is refused');
SELECT throws_ok($$INSERT INTO asn (asn) VALUES (65001)$$, '23502',
                 'null value in column "rir_id" of relation "asn" violates not-null constraint', 'an AS number has a registry');
SELECT throws_ok($$INSERT INTO asn (asn, rir_id, description) SELECT 65002, ripe, repeat('x', 201) FROM t_rir$$, '23514',
                 'new row for relation "asn" violates check constraint "asn_description_check"', 'a description is 200 characters at most');
SELECT throws_ok($$INSERT INTO rir (name) VALUES ('asn-t-ripe')$$, '23505',
                 'duplicate key value violates unique constraint "rir_name_key"', 'registry names are unique');

-- ranges
INSERT INTO asn_range (name, rir_id, first_asn, last_asn) SELECT 'asn-t-fabric', private, '64512', '64516' FROM t_rir;
SELECT throws_ok($$INSERT INTO asn_range (name, rir_id, first_asn, last_asn) SELECT 'asn-t-overlap', private, '64516', '64600' FROM t_rir$$, '23P01',
                 'conflicting key value violates exclusion constraint "asn_range_overlap_excl"', 'ranges do not overlap (one shared number is enough)');
SELECT throws_ok($$INSERT INTO asn_range (name, rir_id, first_asn, last_asn) SELECT 'asn-t-back', private, '64700', '64600' FROM t_rir$$, '23514',
                 'new row for relation "asn_range" violates check constraint "asn_range_order"', 'a range does not end before it starts');
SELECT throws_ok($$INSERT INTO asn_range (name, rir_id, first_asn, last_asn) SELECT 'asn-t-zero', private, 0, 10 FROM t_rir$$, '23514',
                 'new row for relation "asn_range" violates check constraint "asn_range_first_asn_check"', 'a range starts at 1 or later');
SELECT throws_ok($$INSERT INTO asn_range (name, rir_id, first_asn, last_asn) SELECT 'asn-t-fabric', private, '64600', '64610' FROM t_rir$$, '23505',
                 'duplicate key value violates unique constraint "asn_range_name_key"', 'range names are unique');
CREATE TEMP VIEW t_range AS SELECT id FROM asn_range WHERE name = 'asn-t-fabric';

-- allocation: the lowest free number, past what is taken by hand
SELECT is(next_free_asn((SELECT id FROM t_range))::bigint, 64512::bigint, 'next_free_asn: the first number of an empty range');
SELECT is((allocate_asn((SELECT id FROM t_range), 'leaf1')).asn::bigint, 64512::bigint, 'allocate_asn takes it');
INSERT INTO asn (asn, rir_id) SELECT 64513, private FROM t_rir;
INSERT INTO asn (asn, rir_id) SELECT 64515, private FROM t_rir;
SELECT is((allocate_asn((SELECT id FROM t_range), 'leaf2')).asn::bigint, 64514::bigint, 'then the first gap after numbers taken by hand');
SELECT is((SELECT rir_id FROM asn WHERE asn = 64514), (SELECT private FROM t_rir), 'with the range''s registry');
SELECT is((SELECT description FROM asn WHERE asn = 64514), 'leaf2', 'and the description given');
SELECT is((allocate_asn((SELECT id FROM t_range))).asn::bigint, 64516::bigint, 'the last number of the range');
SELECT is(next_free_asn((SELECT id FROM t_range)), NULL, 'next_free_asn: NULL for a full range');
SELECT throws_ok($$SELECT allocate_asn((SELECT id FROM t_range))$$, '53000',
                 'no free ASN left in range "asn-t-fabric" (64512 to 64516)', 'a full range is refused, named');
SELECT throws_ok($$SELECT allocate_asn('00000000-0000-4000-8000-0000000000a5')$$, 'P0002',
                 'no ASN range with id 00000000-0000-4000-8000-0000000000a5', 'an unknown range is refused');
SELECT throws_ok($$SELECT next_free_asn('00000000-0000-4000-8000-0000000000a5')$$, 'P0002',
                 'no ASN range with id 00000000-0000-4000-8000-0000000000a5', 'next_free_asn too');
SELECT results_eq($$SELECT name, rir, first_asn::bigint, last_asn::bigint, size, used, utilization FROM asn_range_usage WHERE name = 'asn-t-fabric'$$,
                  $$VALUES ('asn-t-fabric', 'asn-t-private', 64512::bigint, 64516::bigint, 5::bigint, 5::bigint, 1.000000)$$,
                  'asn_range_usage: size, used and utilization of the range');
SELECT is((SELECT after -> 'asn' FROM change WHERE table_name = 'asn' AND row_id = (SELECT id FROM asn WHERE asn = 64514) ORDER BY id DESC LIMIT 1),
          '64514'::jsonb, 'the change log records an AS number as a JSON number');

-- deleting a registry that numbers use names them
SELECT throws_ok($$DELETE FROM rir WHERE name = 'asn-t-private'$$, '23503',
                 'rir "asn-t-private" cannot be deleted: 5 asn row(s) refer to it: 64512, 64513, 64514, 64515, 64516', 'a registry with AS numbers is not deleted; they are named by number');
DELETE FROM asn WHERE rir_id = (SELECT private FROM t_rir);
SELECT throws_ok($$DELETE FROM rir WHERE name = 'asn-t-private'$$, '23503',
                 'rir "asn-t-private" cannot be deleted: 1 asn_range row(s) refer to it: asn-t-fabric', '... nor one with ranges, named');

-- updates are logged with what changed; a binary COPY out and back in
UPDATE rir SET description = 'private use' WHERE name = 'asn-t-private';
UPDATE asn_range SET description = 'the fabric' WHERE name = 'asn-t-fabric';
UPDATE asn SET description = 'the old AS' WHERE asn = 3320;
SELECT is((SELECT string_agg(table_name || ':' || (SELECT string_agg(k, ',') FROM jsonb_object_keys(after) k), ' ' ORDER BY id)
             FROM change WHERE op = 'update' AND table_name IN ('rir', 'asn_range', 'asn') AND txid = txid_current()),
          'rir:description asn_range:description asn:description', 'updates log the changed column only');
COPY mountaineer.asn (id, asn, rir_id, description) TO '/tmp/mt_asn_copy.bin' WITH (FORMAT binary);
CREATE TEMP TABLE asn_before AS SELECT id, asn::bigint, rir_id, description FROM asn;
DELETE FROM asn;
COPY mountaineer.asn (id, asn, rir_id, description) FROM '/tmp/mt_asn_copy.bin' WITH (FORMAT binary);
SELECT set_eq('SELECT id, asn::bigint, rir_id, description FROM asn', 'SELECT * FROM asn_before',
              'a binary COPY of AS numbers out and back in keeps every row');

-- only an editor allocates (and only under READ COMMITTED: asn_repeatable_read.sql)
INSERT INTO asn_range (name, rir_id, first_asn, last_asn) SELECT 'asn-t-two', private, '64600', '64601' FROM t_rir;
SET LOCAL ROLE mountaineer_reader;
SELECT throws_ok($$SELECT allocate_asn((SELECT id FROM asn_range WHERE name = 'asn-t-two'))$$, '42501',
                 'permission denied for function allocate_asn', 'a reader cannot allocate');
RESET ROLE;

-- TRUNCATE is logged for every table it empties (aggregate, 1.6, refers
-- to rir: it goes too)
TRUNCATE asn, asn_range, aggregate, rir;
SELECT is((SELECT count(*) FROM asn) + (SELECT count(*) FROM asn_range) + (SELECT count(*) FROM rir), 0::bigint, 'TRUNCATE empties all three');
SELECT is((SELECT string_agg(table_name || ' ' || n, ', ' ORDER BY table_name) FROM
             (SELECT table_name, count(*) AS n FROM change
               WHERE op = 'truncate' AND table_name IN ('rir', 'asn_range', 'asn') AND txid = txid_current() GROUP BY 1) c),
          'asn 3, asn_range 2, rir 2', 'and logs the truncation of each row of each');
SELECT * FROM finish();
ROLLBACK;

