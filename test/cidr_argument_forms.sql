-- The CIDR functions (src/cidr.c) read their arguments in the forms they
-- can arrive in besides a literal: an address read from a table row (a
-- value with a short header), and an array that is not of inet or cidr
-- (only a C declaration other than the extension's can pass one: the
-- function refuses it rather than read its elements as addresses).
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SELECT plan(5);

CREATE TEMP TABLE stored (addr inet);
INSERT INTO stored VALUES ('2001:db8::1'), ('192.0.2.10/24');
SELECT is(pg_column_size(addr), 19, 'an IPv6 address as stored in a row has a short (1-byte) header')
FROM stored WHERE family(addr) = 6;
SELECT results_eq($$SELECT mountaineer.ptr_name(addr) FROM stored ORDER BY family(addr)$$,
    ARRAY['10.2.0.192.in-addr.arpa',
          '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa'],
    'ptr_name of addresses read from a table, IPv4 and IPv6');
SELECT results_eq($$SELECT mountaineer.ptr_name(addr::text::inet) FROM stored ORDER BY family(addr)$$,
                  $$SELECT mountaineer.ptr_name(addr) FROM stored ORDER BY family(addr)$$,
                  'the same addresses made afresh (4-byte headers) give the same names');

CREATE SCHEMA cidr_misdeclared;
CREATE FUNCTION cidr_misdeclared.cidr_free(parent cidr, used int[]) RETURNS SETOF cidr
    AS '$libdir/mountaineer', 'mountaineer_cidr_free' LANGUAGE C STRICT;
SELECT throws_ok($$SELECT * FROM cidr_misdeclared.cidr_free('10.0.0.0/8', '{1,2}')$$, 'XX000',
                 'expected an inet[] or cidr[], got an array of type 23',
                 'an int[] passed for the used blocks, under a wrong declaration, is refused');
SELECT results_eq($$SELECT * FROM mountaineer.cidr_free('10.0.0.0/8', '{10.0.0.0/9}')$$,
                  $$VALUES ('10.128.0.0/9'::cidr)$$, 'the extension''s own declaration answers');

SELECT * FROM finish();
ROLLBACK;
