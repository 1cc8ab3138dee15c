-- jsonb_changes() (1.7, src/changes.c), log_update()'s diff of a row before
-- and after an update, against the SQL it replaced (jsonb_each() of the old
-- row, two jsonb_object_agg() of the keys whose new value IS DISTINCT FROM
-- the old), over edge cases and generated pairs; and its refusals.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SELECT plan(7);

-- the 1.6 SQL
CREATE FUNCTION pg_temp.sql_changes(o jsonb, n jsonb, OUT before jsonb, OUT after jsonb) LANGUAGE sql AS $$
    SELECT jsonb_object_agg(e.key, e.value), jsonb_object_agg(e.key, n -> e.key)
      FROM jsonb_each(o) e
     WHERE n -> e.key IS DISTINCT FROM e.value $$;

CREATE TEMP TABLE pair (what text, o jsonb, n jsonb);
INSERT INTO pair VALUES
    ('the same', '{"id": 1, "name": "a", "tags": ["x", "y"]}', '{"id": 1, "name": "a", "tags": ["x", "y"]}'),
    ('one key changed', '{"id": 1, "name": "a"}', '{"id": 1, "name": "b"}'),
    ('every key changed', '{"a": 1, "b": true, "c": "x"}', '{"a": 2, "b": false, "c": "y"}'),
    ('a number written otherwise', '{"a": 1.0, "b": 1e2}', '{"a": 1, "b": 100}'),
    ('a number and its string', '{"a": 1}', '{"a": "1"}'),
    ('JSON null to a value', '{"a": null}', '{"a": 0}'),
    ('a value to JSON null', '{"a": false}', '{"a": null}'),
    ('JSON null unchanged', '{"a": null, "b": 1}', '{"a": null, "b": 2}'),
    ('a key the new row lacks', '{"a": 1, "b": 2}', '{"a": 1}'),
    ('a key only the new row has', '{"a": 1}', '{"a": 1, "b": 2}'),
    ('an array reordered', '{"t": [1, 2]}', '{"t": [2, 1]}'),
    ('an array grown', '{"t": [1, 2]}', '{"t": [1, 2, 3]}'),
    ('a nested object, keys in another order', '{"x": {"a": 1, "b": 2}}', '{"x": {"b": 2, "a": 1}}'),
    ('a nested object changed deep down', '{"x": {"a": {"b": [1, {"c": 2}]}}}', '{"x": {"a": {"b": [1, {"c": 3}]}}}'),
    ('an object to an array', '{"x": {}}', '{"x": []}'),
    ('empty objects', '{}', '{}'),
    ('from an empty object', '{}', '{"a": 1}'),
    ('to an empty object', '{"a": 1}', '{}'),
    ('keys of one length, different bytes', '{"ab": 1, "ba": 2}', '{"ab": 1, "ba": 3}'),
    ('a string with the same prefix', '{"s": "abc"}', '{"s": "abcd"}'),
    ('unicode', '{"ünï": "ç", "k": "é"}', '{"ünï": "ç", "k": "e"}'),
    ('a long string', jsonb_build_object('s', repeat('x', 5000)), jsonb_build_object('s', repeat('x', 4999) || 'y'));
-- generated: rows of a table, one column changed at random, as log_update sees them
CREATE TEMP TABLE gen_row (id int, name text, n numeric, flag boolean, tags text[], attrs jsonb, at timestamptz);
INSERT INTO gen_row
SELECT g, 'name-' || (g % 7), (g % 5) * 1.5, g % 2 = 0, ARRAY['t' || (g % 3)], jsonb_build_object('k', g % 4, 'l', ARRAY[g % 2]),
       timestamptz '2026-01-01' + g * interval '1 hour'
  FROM generate_series(1, 500) g;
INSERT INTO pair
SELECT 'generated ' || r.id, to_jsonb(r),
       to_jsonb(r) || CASE r.id % 6 WHEN 0 THEN '{}'::jsonb
                                    WHEN 1 THEN jsonb_build_object('name', 'name-' || (r.id % 5))
                                    WHEN 2 THEN jsonb_build_object('n', (r.id % 3) * 2.25)
                                    WHEN 3 THEN jsonb_build_object('tags', ARRAY['t' || (r.id % 2)])
                                    WHEN 4 THEN jsonb_build_object('attrs', jsonb_build_object('k', r.id % 3, 'l', ARRAY[r.id % 2]))
                                    ELSE jsonb_build_object('flag', r.id % 4 = 1, 'at', NULL) END
  FROM gen_row r;

SELECT is((SELECT count(*)::int FROM pair), 522, 'the pairs: 22 edges, 500 generated');
SELECT is_empty($$SELECT p.what, c.before, c.after, s.before, s.after
                    FROM pair p, mountaineer.jsonb_changes(p.o, p.n) c, pg_temp.sql_changes(p.o, p.n) s
                   WHERE c.before IS DISTINCT FROM s.before OR c.after IS DISTINCT FROM s.after$$,
    'every pair: the same before and after as the 1.6 SQL');
SELECT results_eq($$SELECT p.what, c.before::text, c.after::text FROM pair p, mountaineer.jsonb_changes(p.o, p.n) c
                     WHERE p.what IN ('the same', 'a number written otherwise', 'a key the new row lacks', 'a nested object changed deep down')
                     ORDER BY p.what COLLATE "C"$$,
    $$VALUES ('a key the new row lacks', '{"b": 2}', '{"b": null}'),
             ('a nested object changed deep down', '{"x": {"a": {"b": [1, {"c": 2}]}}}', '{"x": {"a": {"b": [1, {"c": 3}]}}}'),
             ('a number written otherwise', NULL, NULL),
             ('the same', NULL, NULL)$$,
    'what some of them give');
SELECT ok((SELECT count(*) FILTER (WHERE c.before IS NULL) BETWEEN 50 AND 250 FROM pair p, mountaineer.jsonb_changes(p.o, p.n) c
            WHERE p.what LIKE 'generated %'),
    'the generated pairs include unchanged rows and changed ones');
SELECT is(mountaineer.jsonb_changes(NULL, '{}'), NULL, 'STRICT: NULL in, NULL out');
SELECT throws_ok($$SELECT mountaineer.jsonb_changes('[1]', '{}')$$, '22023',
    'jsonb_changes: the old row is not a JSON object', 'an array for the old row');
SELECT throws_ok($$SELECT mountaineer.jsonb_changes('{}', '"x"')$$, '22023',
    'jsonb_changes: the new row is not a JSON object', 'a scalar for the new row');

SELECT * FROM finish();
ROLLBACK;
