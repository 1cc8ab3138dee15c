-- mountaineer_networks 1.6 (and mountaineer_hosts 1.6): who may do what
-- with the new tables and view, and that their changes are logged with
-- what changed; an import that writes the same values again logs nothing.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(17);

INSERT INTO rir (name) VALUES ('nbi-rir');
INSERT INTO tenant (name) VALUES ('nbi-tenant');
INSERT INTO vrf (name) VALUES ('nbi-vrf');
INSERT INTO route_target (name) VALUES ('64512:77');
INSERT INTO aggregate (prefix, rir_id) SELECT '198.18.0.0/15', id FROM rir WHERE name = 'nbi-rir';
INSERT INTO cluster_type (name) VALUES ('nbi-type');
CREATE FUNCTION pg_temp.last_change(tbl regclass, row_id uuid) RETURNS text LANGUAGE sql
    AS $$ SELECT row(op, before, after)::text FROM mountaineer.history(tbl, row_id) ORDER BY id DESC LIMIT 1 $$;
CREATE FUNCTION pg_temp.changes(tbl regclass, row_id uuid) RETURNS bigint LANGUAGE sql
    AS $$ SELECT count(*) FROM mountaineer.history(tbl, row_id) $$;

-- the roles
SET LOCAL ROLE mountaineer_reader;
SELECT is((SELECT count(*) FROM aggregate_usage WHERE prefix = '198.18.0.0/15'), 1::bigint, 'a reader reads aggregate_usage');
SELECT throws_ok($$INSERT INTO route_target (name) VALUES ('64512:78')$$, '42501',
    'permission denied for table route_target', 'a reader cannot write route targets');
SELECT throws_ok($$UPDATE aggregate SET description = 'x'$$, '42501',
    'permission denied for table aggregate', 'nor aggregates');
SELECT throws_ok($$DELETE FROM cluster_type$$, '42501',
    'permission denied for table cluster_type', 'nor cluster types');
RESET ROLE;
SET LOCAL ROLE mountaineer_editor;
INSERT INTO vrf_route_target (vrf_id, route_target_id, direction)
SELECT v.id, r.id, 'export' FROM vrf v, route_target r WHERE v.name = 'nbi-vrf' AND r.name = '64512:77';
SELECT is((SELECT count(*) FROM vrf_route_target vrt JOIN vrf v ON v.id = vrt.vrf_id WHERE v.name = 'nbi-vrf'), 1::bigint,
    'an editor makes a VRF export a route target');
UPDATE aggregate SET tenant_id = (SELECT id FROM tenant WHERE name = 'nbi-tenant'), date_added = '2021-05-04'
 WHERE prefix = '198.18.0.0/15';
SELECT is(pg_temp.last_change('mountaineer.aggregate', id),
          row('update', '{"date_added": null, "tenant_id": null}'::jsonb,
              jsonb_build_object('date_added', '2021-05-04', 'tenant_id', tenant_id))::text,
          'an editor''s update of an aggregate is logged with what changed')
  FROM aggregate WHERE prefix = '198.18.0.0/15';
SELECT throws_ok($$INSERT INTO aggregate (prefix, rir_id) SELECT '198.19.0.0/16', id FROM rir WHERE name = 'nbi-rir'$$, '23P01',
    'conflicting key value violates exclusion constraint "aggregate_no_overlap"', 'an editor meets the overlap rule');
SELECT throws_ok($$INSERT INTO route_target (name) VALUES ('64512:077')$$, '23514',
    'route target "64512:077" is not ASN:nn or IPv4:nn', 'and the route target rule');
RESET ROLE;

-- the same values again: no change is logged
SELECT pg_temp.changes('mountaineer.aggregate', id) AS n_agg FROM aggregate WHERE prefix = '198.18.0.0/15' \gset
UPDATE aggregate SET tenant_id = tenant_id, date_added = date_added WHERE prefix = '198.18.0.0/15';
SELECT is(pg_temp.changes('mountaineer.aggregate', id), :n_agg::bigint, 'an update that changes nothing logs nothing')
  FROM aggregate WHERE prefix = '198.18.0.0/15';

-- status, role and sizes are logged like any column
INSERT INTO ip_address (address, description) VALUES ('198.18.0.1', 'nbi-address');
UPDATE ip_address SET status = 'deprecated', role = 'anycast' WHERE description = 'nbi-address';
SELECT is(pg_temp.last_change('mountaineer.ip_address', id),
          row('update', '{"status": "active", "role": null}'::jsonb, '{"status": "deprecated", "role": "anycast"}'::jsonb)::text,
          'an address''s status and role are logged when they change')
  FROM ip_address WHERE description = 'nbi-address';
INSERT INTO environment (name) VALUES ('nbi-env');
INSERT INTO cluster (name, kind, type_id) SELECT 'nbi-cluster', 'proxmox', id FROM cluster_type WHERE name = 'nbi-type';
INSERT INTO host (hostname, environment_id, cluster_id, vcpus)
SELECT 'nbi-vm1.example.net', e.id, c.id, 1 FROM environment e, cluster c WHERE e.name = 'nbi-env' AND c.name = 'nbi-cluster';
UPDATE host SET vcpus = 1.5, memory_mb = 3072 WHERE hostname = 'nbi-vm1.example.net';
SELECT is(pg_temp.last_change('mountaineer.host', id),
          row('update', '{"vcpus": 1.00, "memory_mb": null}'::jsonb, '{"vcpus": 1.50, "memory_mb": 3072}'::jsonb)::text,
          'a VM''s sizes are logged when they change')
  FROM host WHERE hostname = 'nbi-vm1.example.net';
SELECT throws_ok($$UPDATE host SET vcpus = 0.001 WHERE hostname = 'nbi-vm1.example.net' RETURNING vcpus::text$$,
    '23514', 'new row for relation "host" violates check constraint "host_vcpus_check"',
    'vcpus rounds to two decimals: 0.001 is 0.00, not above 0');

-- ids never change; a cluster type carries checked tags
SELECT throws_ok($$UPDATE cluster_type SET id = gen_random_uuid() WHERE name = 'nbi-type'$$, '428C9', NULL,
                 'the id of a cluster type never changes');
SELECT throws_ok($$UPDATE vrf_route_target SET id = gen_random_uuid()$$, '428C9', NULL,
                 'the id of a VRF''s route target row never changes');
SELECT throws_ok($$UPDATE cluster_type SET tags = '{nbi-no-such-tag}' WHERE name = 'nbi-type'$$, '23503', NULL,
                 'a cluster type''s tags are tags that exist');

-- deleting what is named
SELECT throws_ok($$DELETE FROM rir WHERE name = 'nbi-rir'$$, '23503',
    'rir "nbi-rir" cannot be deleted: 1 aggregate row(s) refer to it: 198.18.0.0/15', 'a registry with an aggregate stays');
DELETE FROM vrf WHERE name = 'nbi-vrf';
SELECT is((SELECT count(*) FROM vrf_route_target vrt JOIN route_target r ON r.id = vrt.route_target_id WHERE r.name = '64512:77'),
          0::bigint, 'a deleted VRF takes its route target rows along');

SELECT * FROM finish();
ROLLBACK;
