-- The rackspan hash opclass (rackspan_hash_ops): equal spans hash alike
-- whatever their text, distinct spans of a rack hash apart, and hashing
-- (a hash aggregate, a hash join) groups and matches spans as equality does.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(6);

SELECT is(rackspan_hash('U3'), rackspan_hash(' u3 / FULL'), 'one span written two ways hashes alike');
SELECT isnt(rackspan_hash('U3/front'), rackspan_hash('U3/rear'), 'the face is part of the hash');
-- every span of a 42U rack on each face: 2,709 values
CREATE TEMP TABLE span AS
SELECT rackspan(first, height, f) AS s FROM generate_series(1, 42) first, generate_series(1, 42) height,
       unnest(ARRAY['front', 'rear', 'full']) f WHERE first + height - 1 <= 42;
SELECT is((SELECT count(DISTINCT rackspan_hash(s))::int FROM span), 2709, 'the spans of a 42U rack all hash apart');

SET LOCAL enable_sort = off;   -- group and join by hashing
SELECT results_eq($$SELECT s::text, count(*)::int FROM (SELECT s FROM span UNION ALL SELECT s FROM span WHERE upper(s) < 3) x
                    GROUP BY s ORDER BY 2 DESC, 1 LIMIT 4$$,
                  $$VALUES ('U1-U2/front', 2), ('U1-U2/full', 2), ('U1-U2/rear', 2), ('U1/front', 2)$$,
                  'a hash aggregate groups equal spans');
SET LOCAL enable_mergejoin = off;
SET LOCAL enable_nestloop = off;
SELECT is((SELECT count(*)::int FROM span a JOIN span b ON a.s = b.s), 2709, 'a hash join matches each span with itself only');
SELECT is((SELECT count(*)::int FROM span a JOIN (VALUES ('U5-U6'::rackspan), ('u5-u6/full')) b(s) ON a.s = b.s), 2,
          'and finds one span written two ways');

SELECT * FROM finish();
ROLLBACK;
