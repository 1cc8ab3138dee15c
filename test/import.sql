\set ON_ERROR_STOP true
\set QUIET true
-- The shared import mechanism (core 1.5): import_rows() and its map
-- (import_source, import_key).  Run on VRFs and prefixes of the networks
-- module, inventory tables with the change log and a foreign key between
-- them.  One transaction, rolled back; concurrent imports are
-- specs/import.spec.
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(45);

CREATE TEMP VIEW written AS
    SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::int AS n
      FROM pg_stat_xact_user_tables WHERE relid = 'mountaineer.vrf'::regclass;
CREATE TEMP TABLE mark AS SELECT (SELECT max(id) FROM mountaineer.change) AS change_id, (SELECT n FROM written) AS written;
CREATE FUNCTION pg_temp.changes_since_mark() RETURNS bigint LANGUAGE sql
    RETURN (SELECT count(*) FROM mountaineer.change WHERE id > coalesce((SELECT change_id FROM mark), 0));
CREATE FUNCTION pg_temp.written_since_mark() RETURNS integer LANGUAGE sql
    RETURN (SELECT n FROM written) - (SELECT written FROM mark);
CREATE FUNCTION pg_temp.set_mark() RETURNS void LANGUAGE sql
    BEGIN ATOMIC UPDATE mark SET change_id = (SELECT max(id) FROM mountaineer.change), written = (SELECT n FROM written); END;

-- the first import inserts, and maps each key to its row
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf',
        '[{"key": "vpc-01", "row": {"name": "imp prod", "description": "production"}},
          {"key": "vpc-02", "path": "$.Vpcs[1]", "row": {"name": "imp stage"}}]')$$,
    $$VALUES ('vpc', 2, 0, 0, 0)$$,
    'a first import inserts every row: (object, inserted, updated, unchanged, removed)');
SELECT results_eq(
    $$SELECT k.key, v.name, v.description FROM import_key k JOIN vrf v ON v.id = k.row_id
       WHERE k.source = 'test:eu-west-1' AND k.kind = 'vpc' ORDER BY k.key$$,
    $$VALUES ('vpc-01', 'imp prod', 'production'), ('vpc-02', 'imp stage', NULL)$$,
    'each key maps to the row it became, with the values given and the defaults of the columns not given');
SELECT is((SELECT table_name FROM import_source WHERE source = 'test:eu-west-1' AND kind = 'vpc'),
    'mountaineer.vrf', 'the source and kind are registered with their table');
SELECT is(pg_temp.changes_since_mark(), 2::bigint, 'the inserts are in the change log, one change per row');

-- the same batch again writes nothing
SELECT pg_temp.set_mark();
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf',
        '[{"key": "vpc-01", "row": {"name": "imp prod", "description": "production"}},
          {"key": "vpc-02", "row": {"name": "imp stage"}}]')$$,
    $$VALUES ('vpc', 0, 0, 2, 0)$$,
    'the same batch again: every row unchanged');
SELECT is(pg_temp.changes_since_mark(), 0::bigint, 'an unchanged re-import logs no change (and so sends no NOTIFY)');
SELECT is(pg_temp.written_since_mark(), 0, 'an unchanged re-import writes no row of the table at all');

-- a changed field updates that row, only in that column
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf',
        '[{"key": "vpc-01", "row": {"name": "imp prod", "description": "production, eu"}},
          {"key": "vpc-02", "row": {"name": "imp stage"}}]')$$,
    $$VALUES ('vpc', 0, 1, 1, 0)$$,
    'a changed field: that row updated, the other unchanged');
SELECT results_eq(
    $$SELECT op, after FROM mountaineer.change WHERE id > (SELECT change_id FROM mark)$$,
    $$VALUES ('update', '{"description": "production, eu"}'::jsonb)$$,
    'the change log has the one changed column of the one changed row');
SELECT is(pg_temp.written_since_mark(), 1, 'one row written');

-- a column not in the batch is left alone
UPDATE vrf SET rd = '65000:1' WHERE name = 'imp prod';
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf',
        '[{"key": "vpc-01", "row": {"name": "imp prod"}}]')$$,
    $$VALUES ('vpc', 0, 0, 1, 0)$$,
    'a batch that does not name a column leaves it as it is');
SELECT is((SELECT rd || ' ' || description FROM vrf WHERE name = 'imp prod'), '65000:1 production, eu',
    'the columns the batch does not name keep their values');

-- a mapped row deleted by hand comes back with its id
CREATE TEMP TABLE stage_id AS SELECT row_id FROM import_key WHERE source = 'test:eu-west-1' AND key = 'vpc-02';
DELETE FROM vrf WHERE id = (SELECT row_id FROM stage_id);
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf',
        '[{"key": "vpc-01", "row": {"name": "imp prod"}}, {"key": "vpc-02", "row": {"name": "imp stage"}}]')$$,
    $$VALUES ('vpc', 1, 0, 1, 0)$$,
    'a mapped row deleted by hand is inserted again');
SELECT is((SELECT id FROM vrf WHERE name = 'imp stage'), (SELECT row_id FROM stage_id),
    'with the id it had (the map keeps it)');

-- prune: without it nothing is removed; with it, what is absent goes
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf',
        '[{"key": "vpc-01", "row": {"name": "imp prod"}}]')$$,
    $$VALUES ('vpc', 0, 0, 1, 0)$$,
    'without prune, a key absent from the batch is not removed');
SELECT is((SELECT count(*)::int FROM vrf WHERE name = 'imp stage'), 1, 'its row is still there');
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf',
        '[{"key": "vpc-01", "row": {"name": "imp prod"}}]', prune => true)$$,
    $$VALUES ('vpc', 0, 0, 1, 1)$$,
    'with prune, a key absent from the batch is removed');
SELECT is((SELECT count(*)::int FROM vrf WHERE name = 'imp stage'), 0, 'its row is deleted');
SELECT is((SELECT count(*)::int FROM import_key WHERE source = 'test:eu-west-1' AND key = 'vpc-02'), 0, 'and its key forgotten');

-- prune of a row that others refer to: refused, or marked with on_prune
INSERT INTO prefix (vrf_id, prefix, status) SELECT id, '10.99.0.0/16', 'container' FROM vrf WHERE name = 'imp prod';
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf', '[]', prune => true)$$,
    '23503', NULL,
    'prune of a row another row refers to, without on_prune: the foreign key''s refusal (23503)');
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf', '[]', prune => true,
        on_prune => '{"description": "gone from AWS"}')$$,
    $$VALUES ('vpc', 0, 0, 0, 1)$$,
    'with on_prune, such a row is updated with its values instead, and counted as removed');
SELECT is((SELECT description FROM vrf WHERE name = 'imp prod'), 'gone from AWS', 'on_prune''s values are set');
SELECT is((SELECT count(*)::int FROM import_key WHERE source = 'test:eu-west-1' AND key = 'vpc-01'), 1,
    'a marked row keeps its key: when the source has it again, it is updated back');
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf', '[]', prune => true,
        on_prune => '{"description": "gone from AWS"}')$$,
    $$VALUES ('vpc', 0, 0, 0, 0)$$,
    'a row already marked is not counted again');
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf',
        '[{"key": "vpc-01", "row": {"name": "imp prod", "description": "production"}}]')$$,
    $$VALUES ('vpc', 0, 1, 0, 0)$$,
    'back in the source: updated back');

-- an empty row object inserts a row of defaults (here: refused by name's NOT NULL)
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf', '[{"key": "vpc-03", "row": {}}]')$$,
    '23502', NULL, 'a row that leaves out a NOT NULL column without a default: the constraint''s refusal');

-- bad batches: named, and nothing written
SELECT pg_temp.set_mark();
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'subnet', 'mountaineer.prefix',
        '[{"key": "subnet-1", "path": "$.Subnets[0]", "row": {"prefix": "10.98.0.0/24", "status": "active"}},
          {"key": "subnet-2", "path": "$.Subnets[1]", "row": {"prefix": "10.98.1.0/33", "status": "active"}}]')$$,
    '22P02', 'import_rows: $.Subnets[1], column prefix: invalid input syntax for type cidr: "10.98.1.0/33"',
    'a value that does not parse: 22P02 naming the element''s path and the column');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'subnet', 'mountaineer.prefix',
        '[{"key": "subnet-1", "row": {"prefix": "10.98.0.0/24", "status": "everywhere"}}]')$$,
    '22P02', 'import_rows: rows[0], column status: invalid input value for enum mountaineer.prefix_status: "everywhere"',
    'without a path, the element is named by its place in rows');
SELECT is((SELECT count(*)::int FROM prefix WHERE prefix <<= '10.98.0.0/16'), 0, 'nothing of a refused batch is written');
SELECT is((SELECT count(*)::int FROM import_key WHERE kind = 'subnet'), 0, 'and nothing mapped');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf', '{"Vpcs": []}')$$,
    '22023', 'import_rows: rows must be a JSON array, not object', 'rows that are not an array: 22023');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf',
        '[{"key": "a", "row": {"name": "x"}}, {"key": "", "row": {"name": "y"}}]')$$,
    '22023', 'import_rows: element 1 of rows is not {"key": a non-empty string, "row": an object, "path": an optional string}',
    'an element with an empty key: 22023 naming it');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf', '[{"key": 7, "row": {}}]')$$,
    '22023', 'import_rows: element 0 of rows is not {"key": a non-empty string, "row": an object, "path": an optional string}',
    'a key that is not a string: 22023');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf', '[{"key": "a", "row": {}, "extra": 1}]')$$,
    '22023', 'import_rows: element 0 of rows is not {"key": a non-empty string, "row": an object, "path": an optional string}',
    'an element with a member of another name: 22023');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf',
        '[{"key": "a", "path": "$.Vpcs[0]", "row": {"name": "x"}}, {"key": "a", "path": "$.Vpcs[4]", "row": {"name": "y"}}]')$$,
    '22023', 'import_rows: key "a" of "vpc" appears more than once in one import ($.Vpcs[0] and $.Vpcs[4])',
    'a key twice in one batch: 22023 naming both places');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf', '[{"key": "a", "row": {"nmae": "x"}}]')$$,
    '22023', 'import_rows: mountaineer.vrf has no column "nmae" that an import may set',
    'a column the table does not have: 22023 naming it');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf', '[{"key": "a", "row": {"id": "00000000-0000-4000-8000-000000000001"}}]')$$,
    '22023', 'import_rows: mountaineer.vrf has no column "id" that an import may set',
    'id is not the import''s to set: 22023');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf', '[{"key": "a", "row": {"slug": "x"}}]')$$,
    '22023', 'import_rows: mountaineer.vrf has no column "slug" that an import may set',
    'nor a generated column: 22023');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf', '[]', true, '{"colour": "red"}')$$,
    '22023', 'import_rows: mountaineer.vrf has no column "colour" that an import may set',
    'on_prune naming a column the table does not have: 22023');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf', '[]', true, '["offline"]')$$,
    '22023', 'import_rows: on_prune must be a JSON object of columns and values, not array',
    'on_prune that is not an object: 22023');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.prefix', '[]')$$,
    '22023', 'import_rows: "vpc" of "test:eu-west-1" are imported into mountaineer.vrf, not mountaineer.prefix',
    'one source''s kind goes to one table: 22023');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', NULL, 'mountaineer.vrf', '[]')$$,
    '22004', 'import_rows: source, kind, table, rows and prune must not be NULL',
    'a NULL argument: 22004');
SELECT is(pg_temp.changes_since_mark(), 0::bigint, 'no refused batch wrote to the change log');

-- who may import: editors (and the table's own privileges apply)
SET LOCAL ROLE mountaineer_editor;
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_rows('test:editor', 'vpc', 'mountaineer.vrf', '[{"key": "vpc-e", "row": {"name": "imp editor"}}]')$$,
    $$VALUES ('vpc', 1, 0, 0, 0)$$,
    'an editor may import');
RESET ROLE;
SET LOCAL ROLE mountaineer_reader;
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_rows('test:eu-west-1', 'vpc', 'mountaineer.vrf', '[]')$$,
    '42501', 'permission denied for function import_rows', 'a reader may not import');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
