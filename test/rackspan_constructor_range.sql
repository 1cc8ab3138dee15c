-- rackspan(first, height, face): every unit of the span must be in 1..32767
-- (22023, naming the first unit and the height), at both ends of the range.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SELECT plan(5);

SELECT is(mountaineer.rackspan(32767, 1, 'rear')::text, 'U32767/rear', 'the top unit, 32767, is a rackspan');
SELECT is(mountaineer.rackspan(1, 32767)::text, 'U1-U32767/full', 'so is every unit at once');
SELECT throws_ok($$SELECT mountaineer.rackspan(32768, 1, 'front')$$, '22023',
                 'rackspan from U32768 of height 1 is out of range', 'a first unit above 32767 is refused');
SELECT throws_ok($$SELECT mountaineer.rackspan(0, 1)$$, '22023',
                 'rackspan from U0 of height 1 is out of range', 'a first unit below 1 is refused');
SELECT throws_ok($$SELECT mountaineer.rackspan(32767, 2)$$, '22023',
                 'rackspan from U32767 of height 2 is out of range', 'a span reaching past 32767 is refused');

SELECT * FROM finish();
ROLLBACK;
