-- mountaineer_hosts: hosts on hardware, VMs, containers, clusters.
\pset footer off
-- Where does a container really run?  Down the chain to the rack.
SELECT hostname, kind, parent_hosts, cluster, device, rack, position
FROM mountaineer.host_detail WHERE hostname IN ('runner1.stage.example.net', 'api-1.prod.example.net', 'a01-c03.prod.example.net')
ORDER BY hostname;
-- The clusters, their members and what is scheduled on them.
SELECT name, kind, member_count, scheduled_count, scheduled FROM mountaineer.cluster_detail ORDER BY name;
-- What configuration management sees for one VM.
SELECT jsonb_pretty(mountaineer.host_grains((SELECT id FROM mountaineer.host WHERE hostname = 'web1.prod.example.net')));
-- a01-c03 is in maintenance now, and monitored again tomorrow.
SELECT mountaineer.host_monitored(id) AS now, mountaineer.host_monitored(id, now() + interval '1 day') AS tomorrow
FROM mountaineer.host WHERE hostname = 'a01-c03.prod.example.net';
-- A hypervisor that still carries hosts cannot be deleted; the error names them.
\set ON_ERROR_STOP off
DELETE FROM mountaineer.host WHERE hostname = 'a02-c01.stage.example.net';
-- Nor can a host be named outside its environment.
INSERT INTO mountaineer.host (hostname, environment_id, parent_host_id)
SELECT 'web9.example.com', e.id, h.id FROM mountaineer.environment e, mountaineer.host h
WHERE e.name = 'prod' AND h.hostname = 'a01-c01.prod.example.net';
\set ON_ERROR_STOP on
