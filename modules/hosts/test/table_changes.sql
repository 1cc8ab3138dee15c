-- mountaineer_hosts: what every table of the module does with a change
-- that the other suites do not try on it: an update and a delete are logged
-- with what changed and take effect in what the module derives (grains,
-- monitoring), an id never changes, and TRUNCATE logs every row it
-- removes, table by table.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SET LOCAL client_min_messages = warning;   -- TRUNCATE ... CASCADE names every table it reaches
SELECT plan(27);

INSERT INTO environment (name) VALUES ('tcenv');
INSERT INTO role (name) VALUES ('tc-web'), ('tc-db'), ('tc-spare');
INSERT INTO cluster (name, kind) VALUES ('tc-k1', 'kvm'), ('tc-k2', 'kvm');
INSERT INTO host (hostname, environment_id, cluster_id)
SELECT 'vm1.tc.example', e.id, c.id FROM environment e, cluster c WHERE e.name = 'tcenv' AND c.name = 'tc-k1';
CREATE TEMP TABLE k AS SELECT
    (SELECT id FROM environment WHERE name = 'tcenv') AS env,
    (SELECT id FROM role WHERE name = 'tc-web') AS web,
    (SELECT id FROM role WHERE name = 'tc-db') AS db,
    (SELECT id FROM cluster WHERE name = 'tc-k1') AS k1,
    (SELECT id FROM cluster WHERE name = 'tc-k2') AS k2,
    (SELECT id FROM host WHERE hostname = 'vm1.tc.example') AS vm1;
INSERT INTO cluster_member (cluster_id, host_id) SELECT k1, vm1 FROM k;
INSERT INTO host_role (host_id, role_id) SELECT vm1, web FROM k;
INSERT INTO grain (host_id, name, value) SELECT vm1, 'os', '"Debian"' FROM k;
INSERT INTO monitoring_exception (host_id, monitored, during)
SELECT vm1, false, '[2030-01-01 00:00+00, 2030-01-02 00:00+00)' FROM k;
ALTER TABLE k ADD member uuid, ADD host_role uuid, ADD grain uuid, ADD exception uuid;
UPDATE k SET member = (SELECT id FROM cluster_member WHERE host_id = vm1),
             host_role = (SELECT id FROM host_role WHERE host_id = vm1),
             grain = (SELECT id FROM grain WHERE host_id = vm1),
             exception = (SELECT id FROM monitoring_exception WHERE host_id = vm1);
-- the last change of one row, as (op, before, after)
CREATE FUNCTION pg_temp.last_change(tbl regclass, row_id uuid) RETURNS text LANGUAGE sql
    AS $$ SELECT row(op, before, after)::text FROM mountaineer.history(tbl, row_id) ORDER BY id DESC LIMIT 1 $$;

-- updates: logged with what changed, and seen by what derives from them
UPDATE cluster SET description = 'KVM pool' WHERE id = (SELECT k1 FROM k);
SELECT is(pg_temp.last_change('mountaineer.cluster', k1), row('update', '{"description": null}'::jsonb, '{"description": "KVM pool"}'::jsonb)::text,
          'an update of a cluster is logged') FROM k;
UPDATE cluster_member SET cluster_id = (SELECT k2 FROM k) WHERE id = (SELECT member FROM k);
SELECT is(pg_temp.last_change('mountaineer.cluster_member', member),
          row('update', jsonb_build_object('cluster_id', k1), jsonb_build_object('cluster_id', k2))::text,
          'moving a host to another cluster''s members is logged') FROM k;
UPDATE host_role SET role_id = (SELECT db FROM k) WHERE id = (SELECT host_role FROM k);
SELECT is(pg_temp.last_change('mountaineer.host_role', host_role),
          row('update', jsonb_build_object('role_id', web), jsonb_build_object('role_id', db))::text,
          'changing a host''s role is logged') FROM k;
UPDATE grain SET value = '"Ubuntu"' WHERE id = (SELECT grain FROM k);
SELECT is(pg_temp.last_change('mountaineer.grain', grain), row('update', '{"value": "Debian"}'::jsonb, '{"value": "Ubuntu"}'::jsonb)::text,
          'an update of a grain is logged') FROM k;
SELECT is(host_grains(vm1), '{"os": "Ubuntu", "environment": "tcenv", "roles": ["tc-db"]}'::jsonb,
          'host_grains sees the new grain value and role') FROM k;
UPDATE monitoring_exception SET during = '[2030-02-01 00:00+00, 2030-02-02 00:00+00)', reason = 'moved'
WHERE id = (SELECT exception FROM k);
SELECT is(pg_temp.last_change('mountaineer.monitoring_exception', exception),
          row('update', '{"during": "[\"2030-01-01 00:00:00+00\",\"2030-01-02 00:00:00+00\")", "reason": null}'::jsonb,
                        '{"during": "[\"2030-02-01 00:00:00+00\",\"2030-02-02 00:00:00+00\")", "reason": "moved"}'::jsonb)::text,
          'moving a monitoring exception is logged') FROM k;
SELECT is(host_monitored(vm1, '2030-01-01 12:00+00'), true, 'the host is monitored where the exception was') FROM k;
SELECT is(host_monitored(vm1, '2030-02-01 12:00+00'), false, 'and not where it is now') FROM k;
INSERT INTO monitoring_exception (host_id, monitored, during) SELECT vm1, true, '[2030-03-01 00:00+00, 2030-03-02 00:00+00)' FROM k;
SELECT throws_ok($$UPDATE monitoring_exception SET during = '[2030-02-01 12:00+00, 2030-03-01 12:00+00)' WHERE id = (SELECT exception FROM k)$$,
    '23P01', 'conflicting key value violates exclusion constraint "monitoring_exception_no_overlap"',
    'an exception cannot be moved onto another of the same host');

-- deletes: logged with the whole row, and gone from what derives from them
DELETE FROM grain WHERE id = (SELECT grain FROM k);
SELECT is(pg_temp.last_change('mountaineer.grain', grain),
          row('delete', jsonb_build_object('id', grain, 'slug', slug(grain), 'host_id', vm1, 'name', 'os', 'value', 'Ubuntu'), NULL)::text,
          'deleting a grain is logged with the whole row') FROM k;
DELETE FROM host_role WHERE id = (SELECT host_role FROM k);
SELECT is(pg_temp.last_change('mountaineer.host_role', host_role),
          row('delete', jsonb_build_object('id', host_role, 'slug', slug(host_role), 'host_id', vm1, 'role_id', db), NULL)::text,
          'deleting a host''s role is logged with the whole row') FROM k;
SELECT is(host_grains(vm1), '{"environment": "tcenv", "roles": []}'::jsonb, 'host_grains no longer has the grain or the role') FROM k;
DELETE FROM cluster_member WHERE id = (SELECT member FROM k);
SELECT is(pg_temp.last_change('mountaineer.cluster_member', member),
          row('delete', jsonb_build_object('id', member, 'slug', slug(member), 'cluster_id', k2, 'host_id', vm1), NULL)::text,
          'removing a cluster member is logged with the whole row') FROM k;
DELETE FROM monitoring_exception WHERE id = (SELECT exception FROM k);
SELECT is(pg_temp.last_change('mountaineer.monitoring_exception', exception) LIKE '(delete,%', true,
          'deleting a monitoring exception is logged') FROM k;
SELECT is(host_monitored(vm1, '2030-02-01 12:00+00'), true, 'and the host is monitored then again') FROM k;
DELETE FROM role WHERE name = 'tc-spare';
SELECT is((SELECT row(op, before ->> 'name', after IS NULL)::text FROM change WHERE table_name = 'role' ORDER BY id DESC LIMIT 1),
          row('delete', 'tc-spare', true)::text, 'deleting a role no host has is logged with the whole row');
INSERT INTO cluster_member (cluster_id, host_id) SELECT k1, vm1 FROM k;
INSERT INTO host_role (host_id, role_id) SELECT vm1, web FROM k;
INSERT INTO grain (host_id, name, value) SELECT vm1, 'os', '"Debian"' FROM k;

-- an id never changes, in any table
SELECT throws_ok(format('UPDATE %s SET id = gen_random_uuid() WHERE id = %L', t, id), '428C9',
                 format('the id of a %s row cannot change', t), format('the id of a %s row cannot change', t))
FROM k, LATERAL (VALUES ('environment', env), ('role', web), ('cluster', k1), ('host', vm1),
                        ('cluster_member', (SELECT id FROM cluster_member WHERE host_id = vm1)),
                        ('host_role', (SELECT id FROM host_role WHERE host_id = vm1)),
                        ('grain', (SELECT id FROM grain WHERE host_id = vm1)),
                        ('monitoring_exception', (SELECT id FROM monitoring_exception WHERE host_id = vm1 LIMIT 1))) v(t, id);

-- TRUNCATE logs every row it removes, in each table
CREATE TEMP TABLE held AS
SELECT 'environment' AS tbl, count(*) AS n FROM environment UNION ALL SELECT 'role', count(*) FROM role
UNION ALL SELECT 'cluster', count(*) FROM cluster UNION ALL SELECT 'host', count(*) FROM host
UNION ALL SELECT 'cluster_member', count(*) FROM cluster_member UNION ALL SELECT 'host_role', count(*) FROM host_role
UNION ALL SELECT 'grain', count(*) FROM grain UNION ALL SELECT 'monitoring_exception', count(*) FROM monitoring_exception;
SELECT is((SELECT count(*)::int FROM held WHERE n > 0), 8, 'every hosts table has rows to truncate');
TRUNCATE environment, role, cluster, host, cluster_member, host_role, grain, monitoring_exception CASCADE;
SELECT results_eq(
    $$SELECT h.tbl, h.n FROM held h ORDER BY 1$$,
    $$SELECT h.tbl, (SELECT count(*) FROM change c WHERE c.txid = txid_current() AND c.op = 'truncate' AND c.table_name = h.tbl)
      FROM held h ORDER BY 1$$,
    'TRUNCATE of the hosts tables logs one truncate row per row removed, in every table');
SELECT is((SELECT row(op, before ->> 'hostname')::text FROM history('mountaineer.host', (SELECT vm1 FROM k)) ORDER BY id DESC LIMIT 1),
          row('truncate', 'vm1.tc.example')::text, 'a truncated host''s last change is its truncate, the row in before');

SELECT * FROM finish();
ROLLBACK;
