-- mountaineer_hosts 1.5: a host's status; host_detail and host_summary
-- show it.  On rows of its own (the database holds every suite's rows).
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(10);

INSERT INTO environment (name) VALUES ('hst-env');
INSERT INTO device (kind, name, status) VALUES ('server', 'hst-srv', 'decommissioning');
INSERT INTO host (hostname, environment_id, device_id)
SELECT 'hst-srv.hst.example', e.id, d.id FROM environment e, device d WHERE e.name = 'hst-env' AND d.name = 'hst-srv';
INSERT INTO host (hostname, environment_id, parent_host_id, status)
SELECT v.n || '.hst.example', e.id, h.id, v.s::host_status
FROM (VALUES ('hst-vm1', 'planned'), ('hst-vm2', 'planned'), ('hst-vm3', 'offline')) v(n, s), environment e, host h
WHERE e.name = 'hst-env' AND h.hostname = 'hst-srv.hst.example';

SELECT is((SELECT status FROM host WHERE hostname = 'hst-srv.hst.example'), 'active'::host_status, 'a host is active unless told');
SELECT is(enum_range(NULL::host_status)::text, '{planned,staged,active,offline,failed,decommissioning}', 'the host lifecycle (no inventory: a host is not a thing in store)');
SELECT throws_ok($$UPDATE host SET status = 'inventory' WHERE hostname = 'hst-vm1.hst.example'$$, '22P02',
    'invalid input value for enum host_status: "inventory"', 'host statuses are those of host_status');
SELECT throws_ok($$UPDATE host SET status = NULL WHERE hostname = 'hst-vm1.hst.example'$$, '23502',
    'null value in column "status" of relation "host" violates not-null constraint', 'a host always has a status');
SELECT lives_ok($$UPDATE host SET status = 'decommissioning' WHERE hostname = 'hst-vm3.hst.example'$$, 'a status changes');
-- no rule ties a host's status to its device's or its parent's
SELECT lives_ok($$UPDATE device SET status = 'planned' WHERE name = 'hst-srv'$$, 'an active host may run on a planned device');

SELECT is((SELECT status || '/' || device_status FROM host_detail WHERE hostname = 'hst-vm1.hst.example'), 'planned/planned',
    'host_detail: the host''s status and the status of the device at the bottom of its chain');
SELECT is((SELECT device_status FROM host_detail WHERE hostname = 'hst-srv.hst.example'), 'planned'::device_status, 'host_detail: a bare-metal host''s device');
SELECT is((SELECT hosts || ':' || active || '/' || planned || '/' || decommissioning FROM host_summary WHERE environment = 'hst-env'),
    '4:1/2/1', 'host_summary: how many are active, planned and decommissioning');
SELECT is((SELECT array_agg(hostname ORDER BY hostname) FROM host WHERE environment_id = (SELECT id FROM environment WHERE name = 'hst-env') AND status = 'planned'),
    ARRAY['hst-vm1.hst.example', 'hst-vm2.hst.example'], 'hosts filtered by status (the REST API''s ?status=eq.planned)');

SELECT * FROM finish();
ROLLBACK;
