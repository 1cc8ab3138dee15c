-- mountaineer_hosts: host_grains() of an id that is no host's is refused
-- (P0002, naming the id) rather than answered with an empty object; a NULL
-- id gives NULL.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(3);

SELECT throws_ok($$SELECT host_grains('00000000-0000-4000-8000-000000000021')$$, 'P0002',
                 'no host with id 00000000-0000-4000-8000-000000000021',
                 'host_grains of an unknown id is refused with P0002, naming the id');
-- a host that is gone is unknown too
INSERT INTO environment (name) VALUES ('hg-env');
INSERT INTO cluster (name, kind) VALUES ('hg-cluster', 'kubernetes');
INSERT INTO host (hostname, kind, environment_id, cluster_id)
SELECT 'gone.hg-env.example', 'container', e.id, c.id FROM environment e, cluster c
WHERE e.name = 'hg-env' AND c.name = 'hg-cluster';
CREATE TEMP TABLE gone AS SELECT id FROM host WHERE hostname = 'gone.hg-env.example';
DELETE FROM host WHERE id = (SELECT id FROM gone);
SELECT throws_ok(format('SELECT host_grains(%L)', (SELECT id FROM gone)), 'P0002',
                 format('no host with id %s', (SELECT id FROM gone)),
                 'host_grains of a deleted host is refused with P0002');

SELECT is(host_grains(NULL), NULL, 'host_grains of a NULL id is NULL (STRICT)');

SELECT * FROM finish();
ROLLBACK;
