-- mountaineer_hosts 1.4: the BI view host_summary counts the hosts of each
-- environment and role, by kind and monitored now: a host with two roles
-- counts under each, a host with no role under role NULL, a maintenance
-- window covering now() takes the host out of monitored_now; a reader may
-- read it.  On rows of its own (the database holds every suite's rows).
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(5);

INSERT INTO environment (name, monitored) VALUES ('hs-env', true), ('hs-empty', true);
INSERT INTO role (name) VALUES ('hs-web'), ('hs-db');
INSERT INTO device (kind, name) VALUES ('server', 'hs-srv1'), ('server', 'hs-srv2'), ('pdu', 'hs-pdu');
INSERT INTO host (hostname, environment_id, device_id)
SELECT d.name || '.hs.example', e.id, d.id FROM device d, environment e
WHERE d.name LIKE 'hs-%' AND e.name = 'hs-env';
INSERT INTO host (hostname, environment_id, parent_host_id, kind)
SELECT v.n || '.hs.example', e.id, h.id, v.k::host_kind
FROM (VALUES ('hs-vm1', 'virtual_machine'), ('hs-vm2', 'virtual_machine'), ('hs-ct1', 'container')) v(n, k),
     environment e, host h
WHERE e.name = 'hs-env' AND h.hostname = 'hs-srv1.hs.example';
INSERT INTO host_role (host_id, role_id)
SELECT h.id, r.id FROM host h, role r
WHERE (h.hostname, r.name) IN (('hs-srv1.hs.example', 'hs-web'), ('hs-srv2.hs.example', 'hs-web'),
                               ('hs-vm1.hs.example', 'hs-web'), ('hs-vm1.hs.example', 'hs-db'),
                               ('hs-ct1.hs.example', 'hs-db'));
-- hs-srv2 is in maintenance now
INSERT INTO monitoring_exception (host_id, monitored, during, reason)
SELECT id, false, tstzrange(now() - interval '1 hour', now() + interval '1 hour'), 'hs test'
FROM host WHERE hostname = 'hs-srv2.hs.example';

SELECT results_eq($$
    SELECT role, hosts, bare_metal, virtual_machines, containers, peripherals, monitored_now
    FROM host_summary WHERE environment = 'hs-env' ORDER BY role NULLS LAST$$,
    $$VALUES ('hs-db'::text, 2::bigint, 0::bigint, 1::bigint, 1::bigint, 0::bigint, 2::bigint),
             ('hs-web', 3, 2, 1, 0, 0, 2),
             (NULL, 2, 0, 1, 0, 1, 2)$$,
    'per role: hosts by kind and monitored now; a host with two roles counts under each, hosts with none under NULL');
-- hs-pdu gets a role: it leaves the NULL row
INSERT INTO host_role (host_id, role_id)
SELECT h.id, r.id FROM host h, role r WHERE h.hostname = 'hs-pdu.hs.example' AND r.name = 'hs-db';
SELECT results_eq($$SELECT role, hosts, peripherals FROM host_summary WHERE environment = 'hs-env' ORDER BY role NULLS LAST$$,
                  $$VALUES ('hs-db'::text, 3::bigint, 1::bigint), ('hs-web', 3, 0), (NULL, 1, 0)$$,
                  'a host given a role moves from the NULL row to that role''s');
SELECT is_empty($$SELECT FROM host_summary WHERE environment = 'hs-empty'$$,
                'an environment without hosts has no row');
-- the exception ends: hs-srv2 is monitored again
UPDATE monitoring_exception SET during = tstzrange(now() - interval '2 hours', now() - interval '1 hour')
WHERE reason = 'hs test';
SELECT is((SELECT monitored_now FROM host_summary WHERE environment = 'hs-env' AND role = 'hs-web'), 3::bigint,
          'a maintenance window that has ended no longer counts');
SET LOCAL ROLE mountaineer_reader;
SELECT lives_ok($$SELECT * FROM host_summary$$, 'a reader may read host_summary');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
