\set ON_ERROR_STOP true
\set QUIET true
-- normalize_hostname() (mountaineer_hosts 1.7): C for a name already in
-- normal form (src/hostname.c), normalize_hostname_full() (1.6's PL/pgSQL)
-- for every other.  Over a corpus of edge cases and generated names, both
-- give the same answer, or the same refusal (SQLSTATE, message, detail);
-- the C path answers a normal name without calling the PL/pgSQL one.  The
-- refusals' exact texts are tested in hosts.sql.
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(7);

CREATE FUNCTION pg_temp.outcome(f text, h text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
    st text;
    msg text;
    det text;
BEGIN
    EXECUTE format('SELECT mountaineer.%I($1)', f) INTO r USING h;
    RETURN 'ok ' || r;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
    RETURN format('%s %s / %s', st, msg, det);
END $$;

CREATE TEMP TABLE corpus (h text);
INSERT INTO corpus VALUES
    ('web1.example.com'), ('web1.example.com.'), ('web1.example.com..'), ('.'), (''), ('..'), ('a.'),
    ('.example.com'), ('web1..example.com'), ('web1'), ('web1.'), ('WEB1.Example.COM'), ('Web1.example.com.'),
    ('-web.example.com'), ('web-.example.com'), ('we--b.example.com'), ('w.e'), ('1.2'), ('1.2.3.4'), ('a.1'),
    ('1.a'), ('a.1b'), ('a.b1'), ('a.1-2'), ('a.12-'), ('a_b.example.com'), ('a b.example.com'), ('ä.example.com'),
    ('İ.example.com'), ('web1.example.com-'), ('a.-'), ('-.a'), ('0.0a'),
    (repeat('a', 63) || '.com'), (repeat('a', 64) || '.com'), ('x.' || repeat('b', 63)), ('x.' || repeat('b', 64)),
    -- 253 characters, and 254, with and without a root dot
    (repeat(repeat('c', 62) || '.', 4) || 'd'), (repeat(repeat('c', 62) || '.', 4) || 'd.'),
    (repeat(repeat('c', 62) || '.', 4) || 'dd'), (repeat(repeat('c', 62) || '.', 4) || 'dd.');
SELECT is((SELECT length(h) FROM corpus WHERE h = repeat(repeat('c', 62) || '.', 4) || 'd'), 253,
          'the corpus holds a name of exactly 253 characters');

SELECT is_empty($$
    SELECT h, pg_temp.outcome('normalize_hostname', h), pg_temp.outcome('normalize_hostname_full', h) FROM corpus
     WHERE pg_temp.outcome('normalize_hostname', h) IS DISTINCT FROM pg_temp.outcome('normalize_hostname_full', h)$$,
    'edge cases: the same answer or the same refusal from both paths');

-- generated names: labels of 1 to 63 characters from a-z, 0-9 and hyphens
-- (hyphens anywhere), 1 to 5 labels, some upper case, some with a root dot
CREATE TEMP TABLE generated AS
SELECT string_agg(l.label, '.') || CASE WHEN n % 7 = 0 THEN '.' ELSE '' END AS h
  FROM generate_series(1, 3000) n
 CROSS JOIN LATERAL (
        SELECT (SELECT string_agg(substr(CASE WHEN n % 11 = 0 THEN 'abcXYZ019-' ELSE 'abcxyz019-' END,
                                         1 + (abs(hashint4(n * 1000 + k * 100 + j)) % 10), 1), '')
                  FROM generate_series(1, 1 + abs(hashint4(n * 10 + k)) % (CASE WHEN n % 5 = 0 THEN 66 ELSE 8 END)) j) AS label, k
          FROM generate_series(1, 1 + abs(hashint4(n)) % 5) k) l
 GROUP BY n;
SELECT ok((SELECT count(*) FILTER (WHERE pg_temp.outcome('normalize_hostname_full', h) LIKE 'ok %') BETWEEN 300 AND 2700
             FROM generated),
          'the generated names are both valid and invalid ones');
SELECT is_empty($$
    SELECT h FROM generated
     WHERE pg_temp.outcome('normalize_hostname', h) IS DISTINCT FROM pg_temp.outcome('normalize_hostname_full', h)$$,
    '3,000 generated names: the same answer or the same refusal from both paths');

-- the C path answers a normal name alone; any other reaches PL/pgSQL
-- (counted from here: track_functions may have been on before)
SET LOCAL track_functions = 'pl';
SELECT coalesce(sum(calls), 0) AS full_calls FROM pg_stat_xact_user_functions WHERE funcname = 'normalize_hostname_full' \gset
SELECT is(normalize_hostname('db7.example.com.'), 'db7.example.com', 'a normal name loses its root dot');
SELECT is((SELECT coalesce(sum(calls), 0) - :full_calls FROM pg_stat_xact_user_functions WHERE funcname = 'normalize_hostname_full'), 0::numeric,
          '... without calling normalize_hostname_full()');
SELECT is(normalize_hostname('DB7.example.com') || ' ' ||
          (SELECT coalesce(sum(calls), 0) - :full_calls FROM pg_stat_xact_user_functions WHERE funcname = 'normalize_hostname_full'),
          'db7.example.com 1', 'an upper-case name is lower-cased by normalize_hostname_full()');

SELECT * FROM finish();
ROLLBACK;
