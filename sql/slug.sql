SET search_path = mountaineer, public;

-- known values: all zeros, all ones, and a version-4 uuid
SELECT slug('00000000-0000-0000-0000-000000000000');
SELECT slug('ffffffff-ffff-ffff-ffff-ffffffffffff');
SELECT slug('0123456789abcdef0123456789abcdef');
SELECT slug_uuid('ASNFZ4mrze8BI0VniavN7w');
-- the last character carries 2 bits: only A, Q, g, w are possible there
SELECT slug('00000000-0000-0000-0000-000000000001'),
       slug('00000000-0000-0000-0000-000000000002'),
       slug('00000000-0000-0000-0000-000000000003');

-- the result is always 22 URL-safe characters
SELECT length(slug(gen_random_uuid())) AS len,
       slug(gen_random_uuid()) ~ '^[A-Za-z0-9_-]{21}[AQgw]$' AS url_safe;

-- exact round trip over many random uuids and every byte value in each position
SELECT count(*) AS checked,
       count(*) FILTER (WHERE slug_uuid(slug(u)) <> u) AS mismatched
FROM (SELECT gen_random_uuid() AS u FROM generate_series(1, 20000)
      UNION ALL
      SELECT repeat(lpad(to_hex(b), 2, '0'), 16)::uuid
      FROM generate_series(0, 255) AS b) s;
SELECT count(*) AS checked,
       count(*) FILTER (WHERE slug_uuid(slug(u)) <> u) AS mismatched
FROM (SELECT (repeat('00', p) || lpad(to_hex(b), 2, '0') || repeat('00', 15 - p))::uuid AS u
      FROM generate_series(0, 15) p, generate_series(0, 255) b) s;
-- and the slug of a uuid decoded from a slug is that slug
SELECT count(*) FILTER (WHERE slug(slug_uuid(s)) <> s) AS mismatched
FROM (SELECT slug(gen_random_uuid()) AS s FROM generate_series(1, 1000)) x;

-- NULL in, NULL out
SELECT slug(NULL) IS NULL AS slug_null, slug_uuid(NULL) IS NULL AS uuid_null;

-- refusals (22P02)
SELECT slug_uuid('');
SELECT slug_uuid('ASNFZ4mrze8BI0VniavN7');
SELECT slug_uuid('ASNFZ4mrze8BI0VniavN7ww');
SELECT slug_uuid('ASNFZ4mrze8BI0Vnia+N7w');
SELECT slug_uuid('ASNFZ4mrze8BI0Vnia/N7w');
SELECT slug_uuid('ASNFZ4mrze8BI0VniavN7=');
SELECT slug_uuid('ASNFZ4mrze8BI0VniavN7x');
SELECT slug_uuid('ASNFZ4mrze8BI0VniavN7_');
SELECT slug_uuid('ASNFZ4mrze8BI0Vni vN7w');
SELECT slug_uuid('ASNFZ4mrze8BI0Vniéav7w');
DO $$
BEGIN
    PERFORM mountaineer.slug_uuid('not a slug');
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'SQLSTATE %: %', SQLSTATE, SQLERRM;
END $$;

-- marked honestly
SELECT proname, provolatile, proisstrict, proparallel
FROM pg_proc WHERE proname IN ('slug', 'slug_uuid') ORDER BY proname;
-- a long input is quoted by its first 64 characters and its length
SELECT mountaineer.slug_uuid(repeat('A', 1000000));
SELECT mountaineer.slug_uuid(repeat('é', 100));
SELECT mountaineer.excerpt(repeat('x', 64)) = '"' || repeat('x', 64) || '"' AS short_kept_whole,
       mountaineer.excerpt(repeat('x', 65)) AS long_cut,
       mountaineer.excerpt('') AS empty;
