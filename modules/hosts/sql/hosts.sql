-- host_detail and cluster_detail on the demo estate (hardware + hosts).
-- pg_regress runs in the module folder, so the paths are relative to it.
\set ECHO none
\set QUIET on
\i ../hardware/demo/estate.sql
\i demo/estate.sql
\set QUIET off
\set ECHO all
SET search_path = mountaineer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never

SELECT hostname, kind, environment, monitored_now, roles, parent_hosts, cluster, device, device_kind, site, rack, position
FROM host_detail ORDER BY site NULLS LAST, rack NULLS LAST, position NULLS LAST, hostname;
SELECT name, kind, members, member_count, scheduled, scheduled_count FROM cluster_detail ORDER BY name;
SELECT hostname, shortname, domain FROM host_detail WHERE hostname LIKE 'ci1.%';
SELECT host_grains(id) FROM host WHERE hostname = 'db1.prod.example.net';

-- refusals, with their messages
INSERT INTO host (hostname, environment_id, device_id)
SELECT 'spare-01.stage.example.net', e.id, d.id FROM environment e, device d WHERE e.name = 'stage' AND d.name = 'spare-01';
DELETE FROM device WHERE name = 'spare-01';
DELETE FROM cluster WHERE name = 'k8s-ams1';
DELETE FROM environment WHERE name = 'mgmt';
INSERT INTO host (hostname, environment_id, cluster_id)
SELECT 'Bad_Name.prod.example.net', e.id, c.id FROM environment e, cluster c WHERE e.name = 'prod' AND c.name = 'k8s-ams1';
INSERT INTO environment (name, hostname_regex) VALUES ('broken', '[a-z');
-- a change that a transaction snapshot cannot check against concurrent
-- writers is made only under READ COMMITTED (25000)
BEGIN ISOLATION LEVEL REPEATABLE READ;
UPDATE environment SET hostname_regex = '[a-z0-9-]+\.prod\.example\.(net|com)' WHERE name = 'prod';
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN ISOLATION LEVEL SERIALIZABLE;
UPDATE device SET kind = 'other' WHERE name = 'spare-01';
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- under READ COMMITTED both are made
BEGIN;
UPDATE environment SET hostname_regex = '[a-z0-9-]+\.prod\.example\.(net|com)' WHERE name = 'prod';
UPDATE device SET kind = 'other' WHERE name = 'spare-01';
SELECT h.hostname, h.kind FROM host h JOIN device d ON d.id = h.device_id WHERE d.name = 'spare-01';
ROLLBACK;
-- a second host on a server
INSERT INTO host (hostname, environment_id, device_id)
SELECT 'spare-01b.stage.example.net', e.id, d.id FROM environment e, device d WHERE e.name = 'stage' AND d.name = 'spare-01';
\echo :LAST_ERROR_SQLSTATE
