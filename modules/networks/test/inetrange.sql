-- mountaineer_networks: the range type inetrange (the type of the reserved
-- ranges' exclusion constraint) and its multirange: their constructors,
-- bounds and the cast between them.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(11);

SELECT is(inetrange('10.0.0.1', '10.0.0.9')::text, '[10.0.0.1,10.0.0.9)', 'inetrange(a, b) is [a, b)');
SELECT is(inetrange('10.0.0.1', '10.0.0.9') @> '10.0.0.9'::inet, false, '... without its upper bound');
SELECT is(inetrange('10.0.0.1', '10.0.0.9', '[]') @> '10.0.0.9'::inet, true, 'inetrange(a, b, ''[]'') includes both');
SELECT is(inetrange('10.0.0.1', NULL) @> '255.255.255.255'::inet, true, 'a range without an upper bound is unbounded');
SELECT ok(isempty(inetrange('10.0.0.5', '10.0.0.5')), 'an empty range');
SELECT throws_ok($$SELECT inetrange('10.0.0.9', '10.0.0.1')$$, '22000',
                 'range lower bound must be less than or equal to range upper bound', 'a range cannot run backwards');
SELECT is(inetmultirange()::text, '{}', 'inetmultirange() is empty');
SELECT is(inetmultirange(inetrange('10.0.0.1', '10.0.0.9', '[]'))::text, '{[10.0.0.1,10.0.0.9]}', 'inetmultirange of one range');
SELECT is(inetmultirange(inetrange('10.0.0.1', '10.0.0.9', '[]'), inetrange('10.0.0.5', '10.0.0.20'),
                         inetrange('192.168.0.1', '192.168.0.2'))::text,
          '{[10.0.0.1,10.0.0.20),[192.168.0.1,192.168.0.2)}', 'inetmultirange of several ranges merges those that overlap');
SELECT is(inetrange('10.0.0.1', '10.0.0.9')::inetmultirange, inetmultirange(inetrange('10.0.0.1', '10.0.0.9')),
          'a range casts to the multirange of itself');
SELECT is(inetrange('10.0.0.1', '10.0.0.9') && inetrange('10.0.0.9', '10.0.0.20', '[]'), false,
          'ranges that only meet at an excluded bound do not overlap (as ip_range_no_overlap reads them)');

SELECT * FROM finish();
ROLLBACK;
