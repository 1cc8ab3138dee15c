SET search_path = mountaineer, public;

-- text forms: canonical output whatever the case and spacing
SELECT 'u10 - u13'::rackspan AS a, 'U7/rear'::rackspan AS b, 'U7'::rackspan AS c,
       ' U1-U1 / FRONT '::rackspan AS d, 'U40-U42/Full'::rackspan AS e,
       'U32767'::rackspan AS top, 'u 3-u 4/rear'::rackspan AS f;

-- malformed: 22P02
\set VERBOSITY default
SELECT ''::rackspan;
SELECT 'U'::rackspan;
SELECT '10-13'::rackspan;
SELECT 'U10-13'::rackspan;
SELECT 'U10-'::rackspan;
SELECT 'U10 U11'::rackspan;
SELECT 'U10/side'::rackspan;
SELECT 'U10/'::rackspan;
SELECT 'U10/front/rear'::rackspan;
SELECT 'U-1'::rackspan;
SELECT 'U1.5'::rackspan;
-- out of range or out of order: 22023
SELECT 'U0'::rackspan;
SELECT 'U0-U3/front'::rackspan;
SELECT 'U1-U32768'::rackspan;
SELECT 'U99999999999999999999'::rackspan;
SELECT 'U13-U10'::rackspan;
\set VERBOSITY terse

-- constructor and accessors
SELECT rackspan(10, 4) AS a, rackspan(7, 1, 'rear') AS b, rackspan(1, 2, 'FRONT') AS c,
       rackspan(32767, 1) AS top;
SELECT lower(s), upper(s), height(s), face(s)
FROM (VALUES ('U10-U13/front'::rackspan), ('U7/rear'), ('U1-U42')) AS t(s);
\set VERBOSITY default
SELECT rackspan(10, 0);
SELECT rackspan(0, 1);
SELECT rackspan(32767, 2);
SELECT rackspan(10, 1, 'side');
\set VERBOSITY terse

-- truth tables on edge cases
CREATE TEMP TABLE pairs (a rackspan, b rackspan, why text);
INSERT INTO pairs VALUES
  ('U10-U13/full',  'U14-U15/full',  'adjacent above'),
  ('U10-U13/full',  'U8-U9/full',    'adjacent below'),
  ('U10-U13/full',  'U13-U15/full',  'share the top unit'),
  ('U10-U13/front', 'U10-U13/rear',  'same units, opposite faces'),
  ('U10-U13/front', 'U11/front',     'same face, inside'),
  ('U10-U13/front', 'U11/rear',      'opposite face, inside'),
  ('U10-U13/full',  'U11/rear',      'full vs half, inside'),
  ('U11/rear',      'U10-U13/full',  'half vs full, inside'),
  ('U10-U13/full',  'U10-U13/full',  'equal'),
  ('U10-U13/front', 'U10-U13/full',  'half vs full, same units'),
  ('U5/front',      'U5/front',      'single unit, equal'),
  ('U5/front',      'U6/front',      'single units, adjacent'),
  ('U42/full',      'U41-U42/rear',  'top of a 42U rack'),
  ('U1-U32767/full','U32767/front',  'whole range vs top unit');
SELECT why, a, b, a && b AS overlaps, b && a AS overlaps_rev,
       a @> b AS contains, a <@ b AS contained, a = b AS eq, a <> b AS ne,
       a < b AS lt, a <= b AS le, a > b AS gt, a >= b AS ge, rackspan_cmp(a, b) AS cmp
FROM pairs;
-- span contains a unit, whatever its face
SELECT s, u, s @> u AS contains, u <@ s AS contained
FROM (VALUES ('U10-U13/rear'::rackspan), ('U42')) AS t(s),
     (VALUES (9), (10), (13), (14), (42)) AS v(u)
ORDER BY s, u;

-- btree order: first unit, then last unit, then face (front < rear < full)
SELECT s FROM unnest('{U10-U13/full,U10-U11/rear,U2,U10-U11/front,U10-U11/full,U1-U40}'::rackspan[]) AS s
ORDER BY s;
SELECT s, count(*) FROM unnest('{U3/front,u3/FRONT,U3,U3/rear, u3 }'::rackspan[]) AS s
GROUP BY s ORDER BY s;
SET enable_sort = off;
SELECT s, count(*) FROM unnest('{U3/front,u3/FRONT,U3,U3/rear, u3 }'::rackspan[]) AS s
GROUP BY s ORDER BY 2, 1::text;
RESET enable_sort;
CREATE TEMP TABLE uniq (s rackspan UNIQUE);
INSERT INTO uniq VALUES ('U1-U2/front'), ('U1-U2/rear');
INSERT INTO uniq VALUES ('u1 - u2 / FRONT');

-- every opclass is valid
SELECT opcname, amname, amvalidate(opc.oid)
FROM pg_opclass opc JOIN pg_am am ON am.oid = opcmethod
WHERE opcname LIKE 'rackspan%' ORDER BY opcname;

-- binary send/recv round trip (COPY BINARY) and the wire form
SELECT rackspan_send('U10-U13/front') AS wire;
CREATE TEMP TABLE bin_out (s rackspan);
CREATE TEMP TABLE bin_in (s rackspan);
INSERT INTO bin_out VALUES ('U1/front'), ('U10-U13/rear'), ('U32767/full');
\copy bin_out TO 'results/rackspan.bin' WITH (FORMAT binary)
\copy bin_in FROM 'results/rackspan.bin' WITH (FORMAT binary)
SELECT s FROM bin_in ORDER BY s;

-- GiST: the index answers the same as a sequential scan, for every operator
CREATE TEMP TABLE placed (id int, s rackspan);
INSERT INTO placed
SELECT i, rackspan(1 + (i * 7) % 40, 1 + i % 3, (ARRAY['front','rear','full'])[1 + i % 3])
FROM generate_series(1, 5000) AS i;
CREATE TEMP TABLE seq_answers AS
SELECT 'overlaps U20/front' AS q, count(*) AS n FROM placed WHERE s && 'U20/front'
UNION ALL SELECT 'overlaps U1-U42', count(*) FROM placed WHERE s && 'U1-U42'
UNION ALL SELECT 'contains U20/rear', count(*) FROM placed WHERE s @> 'U20/rear'::rackspan
UNION ALL SELECT 'contained by U10-U20', count(*) FROM placed WHERE s <@ 'U10-U20'
UNION ALL SELECT 'contained by U10-U20/front', count(*) FROM placed WHERE s <@ 'U10-U20/front'
UNION ALL SELECT 'takes U20', count(*) FROM placed WHERE s @> 20
UNION ALL SELECT 'equals U8-U9/rear', count(*) FROM placed WHERE s = 'U8-U9/rear';
CREATE INDEX placed_s ON placed USING gist (s);
ANALYZE placed;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM placed WHERE s @> 20;
EXPLAIN (COSTS OFF) SELECT * FROM placed WHERE s && 'U20/front';
SELECT a.q, a.n AS seqscan, i.n AS index, a.n = i.n AS same
FROM seq_answers a JOIN (
SELECT 'overlaps U20/front' AS q, count(*) AS n FROM placed WHERE s && 'U20/front'
UNION ALL SELECT 'overlaps U1-U42', count(*) FROM placed WHERE s && 'U1-U42'
UNION ALL SELECT 'contains U20/rear', count(*) FROM placed WHERE s @> 'U20/rear'::rackspan
UNION ALL SELECT 'contained by U10-U20', count(*) FROM placed WHERE s <@ 'U10-U20'
UNION ALL SELECT 'contained by U10-U20/front', count(*) FROM placed WHERE s <@ 'U10-U20/front'
UNION ALL SELECT 'takes U20', count(*) FROM placed WHERE s @> 20
UNION ALL SELECT 'equals U8-U9/rear', count(*) FROM placed WHERE s = 'U8-U9/rear') i USING (q)
ORDER BY q;
RESET enable_seqscan;

-- EXCLUDE: no two devices of one rack collide
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TEMP TABLE mounted (rack int, s rackspan,
    EXCLUDE USING gist (rack WITH =, s WITH &&));
INSERT INTO mounted VALUES (1, 'U10-U11/full'), (1, 'U12/front'), (1, 'U12/rear'), (2, 'U10-U11');
INSERT INTO mounted VALUES (1, 'U11-U12/front');
INSERT INTO mounted VALUES (1, 'U13/front');
SELECT * FROM mounted ORDER BY rack, s;

-- free runs and first fit
SELECT * FROM rackspan_free('{}', 42);
SELECT * FROM rackspan_free('{U1-U2,U10-U13/front,U40-U42/rear}', 42);
SELECT * FROM rackspan_free('{U1-U2,U10-U13/front,U40-U42/rear}', 42, 'rear');
SELECT * FROM rackspan_free('{U1-U2,U10-U13/front,U40-U42/rear}', 42, 'front');
SELECT * FROM rackspan_free('{U1-U42}', 42);
-- overlapping, nested, NULL and out-of-rack elements
SELECT * FROM rackspan_free('{U5-U9,U6-U7,NULL,U8-U12,U20-U50,U60}', 42);
SELECT rackspan_first_fit('{U1-U2,U5/front}', 42, 2) AS a,
       rackspan_first_fit('{U1-U2,U5/front}', 42, 3, 'rear') AS b,
       rackspan_first_fit('{U1-U41}', 42, 1) AS c,
       rackspan_first_fit('{U1-U41}', 42, 2) AS none,
       rackspan_first_fit('{}', 42, 43) AS too_tall;
\set VERBOSITY default
SELECT * FROM rackspan_free('{}', 0);
SELECT * FROM rackspan_free('{}', 42, 'side');
SELECT rackspan_first_fit('{}', 42, 0);
SELECT rackspan_first_fit('{}', 40000, 1);
\set VERBOSITY terse
-- a long input is quoted by its first 64 characters and its length
SELECT repeat('U', 100000)::mountaineer.rackspan;
SELECT mountaineer.rackspan_free('{}', 42, repeat('f', 1000));
