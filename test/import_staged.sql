\set ON_ERROR_STOP true
\set QUIET true
-- import_staged() (core 1.6): import_rows() for a batch in a table.  The
-- same rules as import_rows() (test/import.sql), for a batch staged as rows
-- of text (cast to the table's types), and each of its own refusals.  Run
-- on VRFs and prefixes of the networks module.  One transaction, rolled back.
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(45);

CREATE TEMP VIEW written AS
    SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::int AS n
      FROM pg_stat_xact_user_tables WHERE relid IN ('mountaineer.vrf'::regclass, 'mountaineer.prefix'::regclass);
CREATE TEMP TABLE mark AS SELECT (SELECT max(id) FROM mountaineer.change) AS change_id, (SELECT n FROM written) AS written;
CREATE FUNCTION pg_temp.changes_since_mark() RETURNS bigint LANGUAGE sql
    RETURN (SELECT count(*) FROM mountaineer.change WHERE id > coalesce((SELECT change_id FROM mark), 0));
CREATE FUNCTION pg_temp.written_since_mark() RETURNS integer LANGUAGE sql
    RETURN (SELECT n FROM written) - (SELECT written FROM mark);
CREATE FUNCTION pg_temp.set_mark() RETURNS void LANGUAGE sql
    BEGIN ATOMIC UPDATE mark SET change_id = (SELECT max(id) FROM mountaineer.change), written = (SELECT n FROM written); END;

-- a batch of VRFs, and one of prefixes in them, as text
CREATE TEMP TABLE vpcs (key text, path text, name text, description text);
INSERT INTO vpcs VALUES ('vpc-01', '$.Vpcs[0]', 'stg prod', 'production'), ('vpc-02', '$.Vpcs[1]', 'stg stage', NULL);
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'vpcs')$$,
    $$VALUES ('vpc', 2, 0, 0, 0)$$,
    'a first import inserts every row of the staged table');
SELECT results_eq(
    $$SELECT k.key, v.name, v.description FROM import_key k JOIN vrf v ON v.id = k.row_id
       WHERE k.source = 'stg:eu-west-1' AND k.kind = 'vpc' ORDER BY k.key$$,
    $$VALUES ('vpc-01', 'stg prod', 'production'), ('vpc-02', 'stg stage', NULL)$$,
    'each key maps to the row it became');
CREATE TEMP TABLE subnets (key text, path text, vrf_id text, prefix text, status text);
INSERT INTO subnets SELECT 'subnet-' || i, format('$.Subnets[%s]', i - 1), (SELECT row_id::text FROM import_key WHERE key = 'vpc-01'),
                           format('10.97.%s.0/24', i), 'active'
  FROM generate_series(1, 50) i;
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'subnet', 'mountaineer.prefix', 'subnets')$$,
    $$VALUES ('subnet', 50, 0, 0, 0)$$,
    'text values are cast to the columns'' types (uuid, cidr, an enum)');
SELECT is((SELECT count(*)::int FROM prefix p JOIN import_key k ON k.row_id = p.id
            WHERE k.source = 'stg:eu-west-1' AND k.kind = 'subnet' AND p.status = 'active' AND p.prefix << '10.97.0.0/16'),
    50, 'the prefixes are there, with their status');

-- the same batch again writes nothing
SELECT pg_temp.set_mark();
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'subnet', 'mountaineer.prefix', 'subnets')$$,
    $$VALUES ('subnet', 0, 0, 50, 0)$$,
    'the same batch again: every row unchanged');
SELECT is(pg_temp.changes_since_mark(), 0::bigint, 'an unchanged re-import logs no change');
SELECT is(pg_temp.written_since_mark(), 0, 'an unchanged re-import writes no row at all');

-- a changed field updates that row, only in that column
UPDATE subnets SET status = 'deprecated' WHERE key = 'subnet-7';
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'subnet', 'mountaineer.prefix', 'subnets')$$,
    $$VALUES ('subnet', 0, 1, 49, 0)$$,
    'a changed field: that row updated, the others unchanged');
SELECT results_eq(
    $$SELECT op, after FROM mountaineer.change WHERE id > (SELECT change_id FROM mark)$$,
    $$VALUES ('update', '{"status": "deprecated"}'::jsonb)$$,
    'the change log has the one changed column of the one changed row');
SELECT is(pg_temp.written_since_mark(), 1, 'one row written');

-- columns of the table's own types, a view, no path column
CREATE TEMP VIEW vpcs_typed AS SELECT key, name::text, description FROM vpcs WHERE key = 'vpc-01';
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'vpcs_typed')$$,
    $$VALUES ('vpc', 0, 0, 1, 0)$$,
    'a view without a path column may be the batch');

-- prune: without it nothing is removed; with it, what is absent goes
DELETE FROM subnets WHERE key IN ('subnet-49', 'subnet-50');
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'subnet', 'mountaineer.prefix', 'subnets')$$,
    $$VALUES ('subnet', 0, 0, 48, 0)$$,
    'without prune, keys absent from the batch are not removed');
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'subnet', 'mountaineer.prefix', 'subnets', prune => true)$$,
    $$VALUES ('subnet', 0, 0, 48, 2)$$,
    'with prune, they are removed');
SELECT is((SELECT count(*)::int FROM prefix WHERE prefix IN ('10.97.49.0/24', '10.97.50.0/24')), 0, 'their rows are deleted');
DELETE FROM vpcs WHERE key = 'vpc-01';
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'vpcs', prune => true)$$,
    '23503', NULL,
    'prune of a row another row refers to, without on_prune: the foreign key''s refusal (23503)');
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'vpcs', prune => true,
        on_prune => '{"description": "gone from AWS"}')$$,
    $$VALUES ('vpc', 0, 0, 1, 1)$$,
    'with on_prune, such a row is updated with its values instead, and counted as removed');
SELECT is((SELECT description FROM vrf WHERE name = 'stg prod'), 'gone from AWS', 'on_prune''s values are set');

-- refused batches: named, and nothing written
SELECT pg_temp.set_mark();
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', NULL)$$,
    '22004', 'import_staged: source, kind, table, staged and prune must not be NULL',
    'a NULL argument: 22004');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'vpcs', on_prune => '[]')$$,
    '22023', 'import_staged: on_prune must be a JSON object of columns and values, not array',
    'on_prune not an object: 22023');
CREATE TEMP TABLE keyless (name text);
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'keyless')$$,
    '22023', 'import_staged: pg_temp.keyless has no column "key" of type text',
    'a staged table without a column key: 22023');
CREATE TEMP TABLE intkey (key integer, name text);
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'intkey')$$,
    '22023', 'import_staged: pg_temp.intkey has no column "key" of type text',
    'a key that is not text: 22023');
CREATE TEMP TABLE intpath (key text, path integer, name text);
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'intpath')$$,
    '22023', 'import_staged: column "path" of pg_temp.intpath is not of type text',
    'a path that is not text: 22023');
CREATE TEMP TABLE typo (key text, nmae text);
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'typo')$$,
    '22023', 'import_staged: mountaineer.vrf has no column "nmae" that an import may set',
    'a column the table does not have: 22023');
CREATE TEMP TABLE with_id (key text, id uuid, name text);
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'with_id')$$,
    '22023', 'import_staged: mountaineer.vrf has no column "id" that an import may set',
    'id is not the import''s to set: 22023');
CREATE TEMP TABLE with_slug (key text, slug text);
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'with_slug')$$,
    '22023', 'import_staged: mountaineer.vrf has no column "slug" that an import may set',
    'nor a generated column: 22023');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'vpcs', on_prune => '{"colour": "grey"}')$$,
    '22023', 'import_staged: mountaineer.vrf has no column "colour" that an import may set',
    'an on_prune column the table does not have: 22023');
CREATE TEMP TABLE nokey (key text, path text, name text);
INSERT INTO nokey VALUES ('vpc-08', '$.Vpcs[0]', 'stg a'), (NULL, '$.Vpcs[1]', 'stg b');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'nokey')$$,
    '22023', 'import_staged: a row of pg_temp.nokey has a key that is NULL, empty or longer than 1000 characters ($.Vpcs[1])',
    'a NULL key: 22023 naming the row');
UPDATE nokey SET key = '' WHERE key IS NULL;
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'nokey')$$,
    '22023', 'import_staged: a row of pg_temp.nokey has a key that is NULL, empty or longer than 1000 characters ($.Vpcs[1])',
    'an empty key: 22023');
UPDATE nokey SET key = repeat('k', 1001) WHERE key = '';
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'nokey')$$,
    '22023', 'import_staged: a row of pg_temp.nokey has a key that is NULL, empty or longer than 1000 characters ($.Vpcs[1])',
    'a key longer than 1000 characters: 22023');
CREATE TEMP TABLE twice (key text, path text, name text);
INSERT INTO twice VALUES ('a', '$.Vpcs[0]', 'stg a'), ('b', '$.Vpcs[1]', 'stg b'), ('a', '$.Vpcs[2]', 'stg c');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'twice')$$,
    '22023', 'import_staged: key "a" of "vpc" appears more than once in one import ($.Vpcs[0] and $.Vpcs[2])',
    'a key twice: 22023 naming both rows');
CREATE TEMP TABLE twice_pathless AS SELECT key, name FROM twice;
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'twice_pathless')$$,
    '22023', 'import_staged: key "a" of "vpc" appears more than once in one import',
    'a key twice in a batch without paths: 22023');
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.prefix', 'typo_free')$$,
    '42P01', NULL, 'a staged table that does not exist: 42P01');
CREATE TEMP TABLE vpcs_as_prefixes (key text, prefix text);
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.prefix', 'vpcs_as_prefixes')$$,
    '22023', 'import_staged: "vpc" of "stg:eu-west-1" are imported into mountaineer.vrf, not mountaineer.prefix',
    'one source''s kind goes to one table: 22023');
-- a value that does not cast: the first bad row of the first bad column
UPDATE subnets SET prefix = '10.97.37.0/33' WHERE key = 'subnet-37';
UPDATE subnets SET prefix = '10.97.41.0/33' WHERE key = 'subnet-41';
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'subnet', 'mountaineer.prefix', 'subnets')$$,
    '22P02', 'import_staged: $.Subnets[36], column prefix: invalid input syntax for type cidr: "10.97.37.0/33"',
    'a value that does not cast: 22P02 naming the row by its path, and the column');
UPDATE subnets SET prefix = format('10.97.%s.0/24', substr(key, 8)), status = 'everywhere' WHERE key IN ('subnet-37', 'subnet-41');
CREATE TEMP TABLE subnets_pathless AS SELECT key, vrf_id, prefix, status FROM subnets;
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'subnet', 'mountaineer.prefix', 'subnets_pathless')$$,
    '22P02', 'import_staged: key "subnet-37", column status: invalid input value for enum mountaineer.prefix_status: "everywhere"',
    'without a path, the row is named by its key');
SELECT is(pg_temp.changes_since_mark(), 0::bigint, 'no refused batch wrote to the change log');

-- (1.7) an import_digest column: written with a row's changes and where
-- the row has none, but a new digest alone is no reason to write a row
CREATE TABLE public.digested (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text, digest mountaineer.import_digest);
CREATE TEMP TABLE dg (key text, name text, digest bytea);
INSERT INTO dg VALUES ('a', 'alpha', '\x01'), ('b', 'beta', NULL), ('c', 'gamma', '\x03');
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_staged('stg:digest', 'dg', 'public.digested', 'dg')$$,
    $$VALUES ('dg', 3, 0, 0, 0)$$,
    'rows with an import_digest column are inserted with their digests');
UPDATE dg SET digest = '\x02' WHERE key = 'a';         -- a new digest alone
UPDATE dg SET digest = '\x05' WHERE key = 'b';         -- a digest where the row has none
UPDATE dg SET digest = NULL WHERE key = 'c';            -- none staged
SELECT pg_temp.set_mark();
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_staged('stg:digest', 'dg', 'public.digested', 'dg')$$,
    $$VALUES ('dg', 0, 1, 2, 0)$$,
    'only the row that had no digest is written');
SELECT results_eq(
    $$SELECT d.name, d.digest::bytea FROM public.digested d ORDER BY d.name$$,
    $$VALUES ('alpha', '\x01'::bytea), ('beta', '\x05'), ('gamma', '\x03')$$,
    'a new digest alone, and none staged, leave the row''s digest as it was');
UPDATE dg SET name = 'alpha 2', digest = '\x06' WHERE key = 'a';
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_staged('stg:digest', 'dg', 'public.digested', 'dg')$$,
    $$VALUES ('dg', 0, 1, 2, 0)$$,
    'a row that changed is written');
SELECT is((SELECT digest::bytea FROM public.digested WHERE name = 'alpha 2'), '\x06'::bytea,
    'with its new digest');
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_rows('stg:digest', 'dg', 'public.digested',
                                            '[{"key": "a", "row": {"name": "alpha 2", "digest": "\\x07"}}]')$$,
    $$VALUES ('dg', 0, 0, 1, 0)$$,
    'import_rows() the same: a new digest alone writes nothing');
SELECT results_eq(
    $$SELECT mountaineer.import_differs_sql('public.digested', '{digest,name}', 't', 'b')$$,
    $$VALUES ('pg_catalog.record_ne(ROW(t.name), ROW(b.name)) OR (t.digest IS NULL AND b.digest IS NOT NULL)')$$,
    'import_differs_sql(): the other columns compared, the digest only where the row has none');

-- who may import: editors (and the staged table's and the table's privileges apply)
CREATE TEMP TABLE editor_vpcs (key text, name text);
INSERT INTO editor_vpcs VALUES ('vpc-e', 'stg editor');
GRANT SELECT ON editor_vpcs TO mountaineer_editor;
SET LOCAL ROLE mountaineer_editor;
SELECT results_eq(
    $$SELECT * FROM mountaineer.import_staged('stg:editor', 'vpc', 'mountaineer.vrf', 'editor_vpcs')$$,
    $$VALUES ('vpc', 1, 0, 0, 0)$$,
    'an editor may import');
RESET ROLE;
SET LOCAL ROLE mountaineer_reader;
SELECT throws_ok(
    $$SELECT * FROM mountaineer.import_staged('stg:eu-west-1', 'vpc', 'mountaineer.vrf', 'vpcs')$$,
    '42501', 'permission denied for function import_staged', 'a reader may not import');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
