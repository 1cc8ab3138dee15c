-- mountaineer_networks: allocate_asn outside READ COMMITTED is refused
-- (25000): a concurrent allocation could be invisible to its snapshot.
-- A file of its own: the isolation level is set when the transaction starts.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN ISOLATION LEVEL REPEATABLE READ;
SET search_path = mountaineer, public;
SELECT plan(1);
INSERT INTO rir (name) VALUES ('asn-rr');
INSERT INTO asn_range (name, rir_id, first_asn, last_asn) SELECT 'asn-rr', id, '64700', '64701' FROM rir WHERE name = 'asn-rr';
SELECT throws_ok($$SELECT allocate_asn((SELECT id FROM asn_range WHERE name = 'asn-rr'))$$, '25000',
                 'allocate_asn needs READ COMMITTED isolation, not REPEATABLE READ', 'allocation outside READ COMMITTED is refused');
SELECT * FROM finish();
ROLLBACK;
