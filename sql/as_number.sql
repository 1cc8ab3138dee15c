SET search_path = mountaineer, public;

-- asplain and asdot in, asplain out; blanks around are allowed
SELECT '0'::as_number AS zero, '65000'::as_number AS plain, ' 1.10 '::as_number AS dot,
       '64086.59905'::as_number AS dot32, '4294967295'::as_number AS max, '0.65535'::as_number AS dot16;
-- asdot() shows it back: plain below 65536, high.low above
SELECT asdot('65535'), asdot('65536'), asdot('4200000001'), asdot('4294967295');
-- a round trip over every 4,096th number of the 32-bit space and its edges
SELECT count(*) AS checked,
       count(*) FILTER (WHERE asdot(n::as_number)::as_number::bigint <> n
                           OR n::as_number::text::as_number::bigint <> n) AS mismatched
FROM (SELECT generate_series(0, 4294967295, 4096) AS n UNION ALL VALUES (4294967295), (65535), (65536)) s;

-- binary round trip (COPY BINARY uses send and receive)
CREATE TEMP TABLE bin (a as_number);
INSERT INTO bin VALUES ('1.10'), ('4294967295');
COPY bin TO '/tmp/mt_as_number.bin' WITH (FORMAT binary);
CREATE TEMP TABLE bin2 (a as_number);
COPY bin2 FROM '/tmp/mt_as_number.bin' WITH (FORMAT binary);
SELECT a FROM bin2 ORDER BY a;
-- a binary int8 outside the range is refused on receive
CREATE TEMP TABLE big (a bigint);
INSERT INTO big VALUES (4294967296);
COPY big TO '/tmp/mt_as_number.bin' WITH (FORMAT binary);
COPY bin2 FROM '/tmp/mt_as_number.bin' WITH (FORMAT binary);

-- casts: to bigint implicitly, from bigint and integer on assignment, to json as a number
SELECT '1.10'::as_number + 1 AS plus_one, '1.10'::as_number = 65546 AS equal,
       pg_typeof('1.10'::as_number + 1);
INSERT INTO bin VALUES (65001), (70000::bigint);
SELECT to_json(a), to_jsonb(a) FROM bin ORDER BY a;
SELECT row_to_json(b) FROM bin b ORDER BY a LIMIT 1;
SELECT 4200000001::as_number AS from_bigint, 65000::as_number AS from_integer;
SELECT (-1)::bigint::as_number;
SELECT 4294967296::as_number;
SELECT (-5)::as_number;

-- it sorts, compares and is indexed as a bigint
CREATE TEMP TABLE idx (a as_number UNIQUE);
INSERT INTO idx SELECT generate_series(64512, 65534);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM idx WHERE a = '1.10'::as_number;
EXPLAIN (COSTS OFF) SELECT * FROM idx WHERE a BETWEEN 64600 AND 64700;
RESET enable_seqscan;
INSERT INTO idx VALUES ('64512');
-- an untyped literal compared with it is read as a bigint (the operator is
-- bigint's): asdot needs the type named
SELECT count(*) FROM idx WHERE a = '0.64600';
SELECT count(*) FROM idx WHERE a = '0.64600'::as_number;

-- blanks of every kind around it
SELECT E'\t\n\r 65000 \r\n\t'::as_number AS blanks, E'\t1.10\n'::as_number AS dot_blanks;
-- malformed input: 22P02 with what was typed (cut to 64 characters) and why
SELECT '4294967296'::as_number;
SELECT '1.65536'::as_number;
SELECT '65536.1'::as_number;
SELECT '1.'::as_number;
SELECT '.1'::as_number;
SELECT '01'::as_number;
SELECT '0a'::as_number;
SELECT '1a'::as_number;
SELECT '1.2a'::as_number;
SELECT '1.01'::as_number;
SELECT ''::as_number;
SELECT '   '::as_number;
SELECT '1 2'::as_number;
SELECT '1.2.3'::as_number;
SELECT 'AS65000'::as_number;
SELECT '-1'::as_number;
SELECT '+1'::as_number;
SELECT repeat('9', 1000)::as_number;
