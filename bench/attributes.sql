-- Tags and attributes on the write path: what attributes_check (the row
-- triggers manage_attributes() attaches) costs a bulk write of N = 100,000
-- × SCALE rows of one table (asn: no other row trigger, so the difference
-- is ours), each side of a pass timed in the server (one call, one transaction):
--   insert, bare:      INSERT … SELECT of N rows without tags or attributes
--                      (one query a row: the table's defaults and required keys)
--   insert, tagged:    the same with two tags and two attributes a row
--   update, other:     UPDATE of N rows' description (our trigger's WHEN is false)
--   update, tagged:    UPDATE of N rows' tags and attributes (validated)
--   ours: everything on; peer: the same statements with our two triggers
--   disabled (the change log and the rest stay on in both), so ours/peer is
--   what validation costs; a ratio above 1 means it costs nothing.
\set QUIET on
\set ON_ERROR_STOP on
SET search_path = mountaineer, public;
SET client_min_messages = warning;
SELECT 100000 * :scale AS n \gset

INSERT INTO tag (name) VALUES ('bench-a'), ('bench-b');
INSERT INTO attribute_definition (table_name, key, type) VALUES ('asn', 'bench_owner', 'text');
INSERT INTO attribute_definition (table_name, key, type, minimum, maximum) VALUES ('asn', 'bench_rank', 'int', 0, 1000000000);
INSERT INTO rir (name, is_private) VALUES ('bench attributes', true);
SELECT id AS rir FROM rir WHERE name = 'bench attributes' \gset

CREATE TEMP TABLE attr_pass (what text, on_s numeric, off_s numeric);
CREATE FUNCTION pg_temp.attr_pass(what text, stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t numeric; f numeric;
BEGIN
    -- each side from the same rows: delete and re-create between sides, untimed
    t := bench_seconds(stmt);
    EXECUTE 'ALTER TABLE mountaineer.asn DISABLE TRIGGER attributes_check_insert, DISABLE TRIGGER attributes_check_update';
    f := bench_seconds(stmt);
    EXECUTE 'ALTER TABLE mountaineer.asn ENABLE TRIGGER attributes_check_insert, ENABLE TRIGGER attributes_check_update';
    INSERT INTO attr_pass VALUES (what, t, f);
END $$;

-- the insert passes: each side inserts its own N rows (4100000000 + i and 4110000000 + i),
-- then they are deleted, untimed
SELECT pg_temp.attr_pass('insert, bare',
    format($q$INSERT INTO mountaineer.asn (asn, rir_id) SELECT (4100000000 + i + CASE WHEN EXISTS (SELECT FROM mountaineer.asn WHERE asn = 4100000001) THEN 10000000 ELSE 0 END)::bigint, %L
              FROM generate_series(1, %s) i$q$, :'rir', :n));
DELETE FROM asn WHERE rir_id = :'rir';
SELECT pg_temp.attr_pass('insert, tagged',
    format($q$INSERT INTO mountaineer.asn (asn, rir_id, tags, attributes)
              SELECT (4100000000 + i + CASE WHEN EXISTS (SELECT FROM mountaineer.asn WHERE asn = 4100000001) THEN 10000000 ELSE 0 END)::bigint, %L,
                     '{bench-b,bench-a}', jsonb_build_object('bench_owner', 'team ' || i %% 10, 'bench_rank', i)
              FROM generate_series(1, %s) i$q$, :'rir', :n));
DELETE FROM asn WHERE rir_id = :'rir';
INSERT INTO asn (asn, rir_id) SELECT (4100000000 + i)::bigint, :'rir' FROM generate_series(1, :n) i;
VACUUM (ANALYZE) mountaineer.asn;
-- the update passes, on the same N rows both sides (every update changes them)
SELECT pg_temp.attr_pass('update, other column',
    format($q$UPDATE mountaineer.asn SET description = 'd ' || clock_timestamp() WHERE rir_id = %L$q$, :'rir'));
SELECT pg_temp.attr_pass('update, tags and attributes',
    format($q$UPDATE mountaineer.asn SET tags = CASE WHEN tags = '{}' THEN '{bench-a}'::text[] ELSE '{}' END,
                                attributes = jsonb_build_object('bench_owner', clock_timestamp()::text, 'bench_rank', asn %% 1000)
        WHERE rir_id = %L$q$, :'rir'));

-- checked: the validated update wrote every row
DO $$
BEGIN
    IF (SELECT count(*) FROM mountaineer.asn WHERE attributes ? 'bench_owner') < 100000 THEN
        RAISE EXCEPTION 'attributes bench: the update pass left % rows with attributes', (SELECT count(*) FROM mountaineer.asn WHERE attributes ? 'bench_owner');
    END IF;
END $$;
INSERT INTO bench_result (bench, what, ours, peer, unit)
SELECT 'attributes', what || ' (' || :n || ' rows)', round(:n / on_s), round(:n / off_s), 'rows/s' FROM attr_pass;
SELECT what, round(on_s, 3) AS validated_s, round(off_s, 3) AS unvalidated_s, round(on_s / off_s, 2) AS cost FROM attr_pass;

DELETE FROM asn WHERE rir_id = :'rir';
DELETE FROM rir WHERE id = :'rir';
DELETE FROM attribute_definition WHERE table_name = 'asn' AND key LIKE 'bench%';
DELETE FROM tag WHERE name LIKE 'bench-%';
