-- Two sessions allocating at once never get the same block or address:
-- session a allocates and holds its transaction open; session b's
-- allocation waits for it, then gets the next one.  The sessions are dblink
-- connections (they must commit for each other to see anything), working in
-- a VRF of their own that is removed at the end.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT plan(9);

CREATE TEMP VIEW conninfo AS
SELECT format('dbname=%s user=%s port=%s host=%s', current_database(), current_user,
              current_setting('port'), split_part(current_setting('unix_socket_directories'), ',', 1)) AS s;
SELECT dblink_connect('a', (SELECT s FROM conninfo));
SELECT dblink_connect('b', (SELECT s FROM conninfo));
SELECT dblink_exec('a', $$
    INSERT INTO mountaineer.vrf (name) VALUES ('concurrency-test');
    INSERT INTO mountaineer.environment (name) VALUES ('concurrency-test');
    INSERT INTO mountaineer.cluster (name, kind) VALUES ('concurrency-test', 'other');
    INSERT INTO mountaineer.host (hostname, environment_id, cluster_id)
    SELECT 'race.concurrency.test', e.id, c.id FROM mountaineer.environment e, mountaineer.cluster c
    WHERE e.name = 'concurrency-test' AND c.name = 'concurrency-test';
    INSERT INTO mountaineer.prefix (vrf_id, prefix)
    SELECT id, '10.77.0.0/16' FROM mountaineer.vrf WHERE name = 'concurrency-test'$$);

-- addresses
SELECT dblink_exec('a', 'BEGIN');
CREATE TEMP TABLE got_a AS SELECT * FROM dblink('a', $$
    SELECT (mountaineer.allocate_ip('10.77.0.0/16', h.id, v.id)).address
    FROM mountaineer.host h, mountaineer.vrf v WHERE h.hostname = 'race.concurrency.test' AND v.name = 'concurrency-test'$$) AS t(address inet);
SELECT is(dblink_send_query('b', $$
    SELECT (mountaineer.allocate_ip('10.77.0.0/16', h.id, v.id)).address
    FROM mountaineer.host h, mountaineer.vrf v WHERE h.hostname = 'race.concurrency.test' AND v.name = 'concurrency-test'$$), 1,
    'session b asks while session a holds its allocation');
SELECT pg_sleep(0.2);
SELECT is(dblink_is_busy('b'), 1, 'session b waits for session a');
SELECT dblink_exec('a', 'COMMIT');
CREATE TEMP TABLE got_b AS SELECT * FROM dblink_get_result('b') AS t(address inet);
SELECT * FROM dblink_get_result('b') AS t(address inet);    -- drain
SELECT is((SELECT address FROM got_a), '10.77.0.1/16'::inet, 'session a got the first address');
SELECT is((SELECT address FROM got_b), '10.77.0.2/16'::inet, 'session b got the next one, not the same');

-- prefixes
SELECT dblink_exec('a', 'BEGIN');
CREATE TEMP TABLE pa AS SELECT * FROM dblink('a', $$
    SELECT (mountaineer.allocate_prefix('10.77.0.0/16', 24, v.id)).prefix FROM mountaineer.vrf v WHERE v.name = 'concurrency-test'$$) AS t(prefix cidr);
SELECT dblink_send_query('b', $$
    SELECT (mountaineer.allocate_prefix('10.77.0.0/16', 24, v.id)).prefix FROM mountaineer.vrf v WHERE v.name = 'concurrency-test'$$);
SELECT pg_sleep(0.2);
SELECT dblink_exec('a', 'COMMIT');
CREATE TEMP TABLE pb AS SELECT * FROM dblink_get_result('b') AS t(prefix cidr);
SELECT * FROM dblink_get_result('b') AS t(prefix cidr);
SELECT is((SELECT prefix FROM pa), '10.77.1.0/24'::cidr, 'session a got the first free /24 (the first holds the addresses)');
SELECT is((SELECT prefix FROM pb), '10.77.2.0/24'::cidr, 'session b got the next /24');
SELECT is((SELECT count(*) FROM dblink('b', $$
    SELECT count(*) FROM mountaineer.prefix_free_verify()$$) AS t(n bigint) WHERE n = 0), 1::bigint,
    'the free space is exact after the race');

-- under REPEATABLE READ waiting for the lock would not reveal the other
-- session's allocation, so allocation refuses to run there
SELECT dblink_exec('a', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
SELECT throws_ok($$SELECT * FROM dblink('a', 'SELECT (mountaineer.allocate_prefix(''10.77.0.0/16'', 24, v.id)).prefix
    FROM mountaineer.vrf v WHERE v.name = ''concurrency-test''') AS t(p cidr)$$,
    '25000', 'allocate_prefix needs READ COMMITTED isolation, not REPEATABLE READ', 'allocation refuses REPEATABLE READ');
SELECT dblink_exec('a', 'ROLLBACK');

SELECT dblink_exec('a', $$
    DELETE FROM mountaineer.ip_address WHERE vrf_id = (SELECT id FROM mountaineer.vrf WHERE name = 'concurrency-test');
    DELETE FROM mountaineer.prefix WHERE vrf_id = (SELECT id FROM mountaineer.vrf WHERE name = 'concurrency-test');
    DELETE FROM mountaineer.host WHERE hostname = 'race.concurrency.test';
    DELETE FROM mountaineer.cluster WHERE name = 'concurrency-test';
    DELETE FROM mountaineer.environment WHERE name = 'concurrency-test';
    DELETE FROM mountaineer.vrf WHERE name = 'concurrency-test'$$);
SELECT dblink_disconnect('a');
SELECT dblink_disconnect('b');
SELECT pass('the sessions cleaned up after themselves');

SELECT * FROM finish();
ROLLBACK;
