-- The rackspan GiST operator class (src/rackspan.c) where the other suites
-- do not take it: an index built over spans of both half faces, whose
-- inner keys widen from one face to both as rows arrive, answers every
-- operator exactly as a sequential scan does; and an operator its owner
-- adds to the operator family under a strategy number the support
-- functions do not know is refused (XX000) rather than answered, on a leaf
-- page and on an inner page.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(8);

-- front spans first, then rear ones over the same units: the rear rows
-- land in subtrees whose keys hold only the front face
CREATE TEMP TABLE faces (id int, s rackspan);
INSERT INTO faces SELECT i, rackspan(1 + (i * 7) % 3000, 1 + i % 3, 'front') FROM generate_series(1, 3000) i;
INSERT INTO faces SELECT i, rackspan(1 + (i * 11) % 3000, 1 + i % 4, 'rear') FROM generate_series(3001, 6000) i;
INSERT INTO faces SELECT i, rackspan(1 + (i * 13) % 3000, 2, 'full') FROM generate_series(6001, 6200) i;
CREATE INDEX faces_gist ON faces USING gist (s);
ANALYZE faces;
CREATE FUNCTION pg_temp.both_ways(q text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    by_index int[];
    by_scan int[];
    plan text := '';
    line text;
BEGIN
    SET LOCAL enable_seqscan = off;
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) SELECT id FROM faces WHERE ' || q LOOP
        plan := plan || line || ' ';
    END LOOP;
    IF plan NOT LIKE '%faces_gist%' THEN
        RAISE 'not by the index: %', plan;
    END IF;
    EXECUTE 'SELECT array_agg(id ORDER BY id) FROM faces WHERE ' || q INTO by_index;
    SET LOCAL enable_seqscan = on;
    SET LOCAL enable_indexscan = off;
    SET LOCAL enable_bitmapscan = off;
    EXECUTE 'SELECT array_agg(id ORDER BY id) FROM faces WHERE ' || q INTO by_scan;
    RESET enable_indexscan;
    RESET enable_bitmapscan;
    RETURN by_index IS NOT DISTINCT FROM by_scan AND by_scan IS NOT NULL;
END $$;
SELECT ok(pg_temp.both_ways($$s && 'U1500/front'$$), 'over both faces the index answers && as a scan does (front)');
SELECT ok(pg_temp.both_ways($$s && 'U1501-U1502/rear'$$), 'and (rear)');
SELECT ok(pg_temp.both_ways($$s @> 'U2000/rear'$$), 'and @>');
SELECT ok(pg_temp.both_ways($$s <@ 'U100-U140/full'$$), 'and <@');
SELECT ok(pg_temp.both_ways($$s @> 2500$$), 'and @> a unit');
SELECT ok(pg_temp.both_ways($$s = rackspan(1 + (6100 * 13) % 3000, 2, 'full')$$), 'and =');

-- an operator with a strategy number the support functions do not know
CREATE TEMP TABLE few (s rackspan);
INSERT INTO few VALUES ('U1/front'), ('U2/rear');
CREATE INDEX few_gist ON few USING gist (s);
CREATE SCHEMA rs_strategy;
-- (PL/pgSQL, so that the planner cannot inline it and lose the operator)
CREATE FUNCTION rs_strategy.same_height(a rackspan, b rackspan) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE AS 'BEGIN RETURN mountaineer.height(a) = mountaineer.height(b); END';
CREATE OPERATOR rs_strategy.=#= (LEFTARG = rackspan, RIGHTARG = rackspan, FUNCTION = rs_strategy.same_height);
SET enable_seqscan = off;
SELECT throws_ok($$ALTER OPERATOR FAMILY rackspan_gist_ops USING gist ADD OPERATOR 20 rs_strategy.=#= (rackspan, rackspan);
                   SELECT count(*) FROM few WHERE s OPERATOR(rs_strategy.=#=) 'U5/full'$$,
                 'XX000', 'unrecognized rackspan GiST strategy: 20',
                 'an unknown strategy is refused on a leaf page');
SELECT throws_ok($$ALTER OPERATOR FAMILY rackspan_gist_ops USING gist ADD OPERATOR 20 rs_strategy.=#= (rackspan, rackspan);
                   SELECT count(*) FROM faces WHERE s OPERATOR(rs_strategy.=#=) 'U5/full'$$,
                 'XX000', 'unrecognized rackspan GiST strategy: 20',
                 'and on an inner page');
RESET enable_seqscan;

SELECT * FROM finish();
ROLLBACK;
