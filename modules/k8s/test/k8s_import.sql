\set ON_ERROR_STOP true
\set QUIET true
-- k8s_import(): kubectl's documents (modules/k8s/test/data, in the shape
-- `kubectl get nodes -o json` and `kubectl get pods -A -o json` print) into
-- hosts, cluster members, k8s_node, pod CIDR prefixes and k8s_pod, through
-- the core's import_rows().  One transaction, rolled back.  Run from the
-- top of the repository (tools/test.sh does).
\set nodes `cat modules/k8s/test/data/nodes.json`
\set pods `cat modules/k8s/test/data/pods.json`
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(89);

CREATE TEMP TABLE doc (name text PRIMARY KEY, j jsonb NOT NULL);
INSERT INTO doc VALUES ('nodes', :'nodes'), ('pods', :'pods');
GRANT SELECT ON doc TO PUBLIC;
CREATE FUNCTION pg_temp.doc(text) RETURNS jsonb LANGUAGE sql RETURN (SELECT j FROM doc WHERE name = $1);
-- rows written into the tables an import touches, and change-log rows
CREATE TEMP VIEW written AS
    SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::int AS n
      FROM pg_stat_xact_user_tables
     WHERE relid IN ('mountaineer.host'::regclass, 'mountaineer.cluster_member'::regclass, 'mountaineer.k8s_node'::regclass,
                     'mountaineer.k8s_pod'::regclass, 'mountaineer.prefix'::regclass, 'mountaineer.import_key'::regclass,
                     'mountaineer.cluster'::regclass, 'mountaineer.vrf'::regclass, 'mountaineer.environment'::regclass);
CREATE TEMP TABLE mark AS SELECT (SELECT max(id) FROM mountaineer.change) AS change_id, (SELECT n FROM written) AS written;
CREATE FUNCTION pg_temp.changes_since_mark() RETURNS bigint LANGUAGE sql
    RETURN (SELECT count(*) FROM mountaineer.change WHERE id > coalesce((SELECT change_id FROM mark), 0));
CREATE FUNCTION pg_temp.written_since_mark() RETURNS integer LANGUAGE sql
    RETURN (SELECT n FROM written) - (SELECT written FROM mark);
CREATE FUNCTION pg_temp.set_mark() RETURNS void LANGUAGE sql
    BEGIN ATOMIC UPDATE mark SET change_id = (SELECT max(id) FROM mountaineer.change), written = (SELECT n FROM written); END;

-- The EC2 import has already mapped the control plane's instance to its
-- host (the ec2 module need not be installed: its map is the core's)
INSERT INTO environment (name) VALUES ('tap-aws');
INSERT INTO cluster (name, kind) VALUES ('tap aws eu-west-1', 'other');
SELECT is((SELECT inserted FROM import_rows('aws:eu-west-1', 'instance', 'mountaineer.host',
              jsonb_build_array(jsonb_build_object('key', 'i-0a1b2c3d4e5f60718', 'row', jsonb_build_object(
                  'hostname', 'cp-1.tap-aws.example.net', 'operating_system', 'Amazon Linux 2023',
                  'environment_id', (SELECT id FROM environment WHERE name = 'tap-aws'),
                  'cluster_id', (SELECT id FROM cluster WHERE name = 'tap aws eu-west-1')))))),
          1, 'setup: an EC2 instance imported as a host');

-- 1. first import of the nodes
SELECT pg_temp.set_mark();
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('nodes'))$$,
    $$VALUES ('host', 2, 0, 1, 0), ('cluster_member', 3, 0, 0, 0), ('k8s_node', 3, 0, 0, 0), ('prefix', 6, 0, 0, 0)$$,
    'first import of 3 nodes: 2 new hosts (the third is the EC2 instance''s, unchanged), 3 members, 3 nodes, 6 pod CIDRs');
SELECT results_eq(
    $$SELECT kind::text, description FROM cluster WHERE name = 'tap-eks'$$,
    $$VALUES ('kubernetes', 'Kubernetes cluster (k8s_import)')$$,
    'the cluster is made on the first import, of kind kubernetes');
SELECT results_eq(
    $$SELECT n.name, h.hostname, h.kind::text, h.operating_system, c.name, n.ready, n.kubelet_version
        FROM k8s_node n JOIN host h ON h.id = n.host_id JOIN cluster c ON c.id = h.cluster_id
       WHERE n.cluster_id = (SELECT id FROM cluster WHERE name = 'tap-eks') ORDER BY n.name$$,
    $$VALUES ('ip-10-0-1-23.eu-west-1.compute.internal', 'cp-1.tap-aws.example.net', 'virtual_machine', 'Amazon Linux 2023', 'tap aws eu-west-1', true, 'v1.30.4'),
             ('ip-10-0-2-47.eu-west-1.compute.internal', 'ip-10-0-2-47.eu-west-1.compute.internal', 'virtual_machine', 'Ubuntu 22.04.4 LTS', 'tap-eks', true, 'v1.30.4'),
             ('worker-3', 'worker-3.tap-eks', 'virtual_machine', 'Debian GNU/Linux 12 (bookworm)', 'tap-eks', NULL::boolean, 'v1.30.4')$$,
    'each node is a host: the EC2 instance''s host as it was (its name, OS and cluster kept), or a new one on the cluster named by the node (<node>.<cluster> without a dot); Ready Unknown is NULL');
SELECT is((SELECT e.name FROM host h JOIN environment e ON e.id = h.environment_id WHERE h.hostname = 'worker-3.tap-eks'),
    'kubernetes', 'the hosts the import makes are in environment "kubernetes", made when first needed');
SELECT is((SELECT count(*) FROM host WHERE hostname LIKE 'ip-10-0-1-23%'), 0::bigint,
    'no duplicate host for the node that is an EC2 instance');
SELECT is((SELECT row_id FROM import_key WHERE source = 'k8s:tap-eks' AND kind = 'node' AND key = 'ip-10-0-1-23.eu-west-1.compute.internal'),
          (SELECT row_id FROM import_key WHERE source = 'aws:eu-west-1' AND kind = 'instance' AND key = 'i-0a1b2c3d4e5f60718'),
    'the node''s key maps to the same host as the instance''s');
SELECT results_eq(
    $$SELECT h.hostname FROM cluster_member m JOIN host h ON h.id = m.host_id
       WHERE m.cluster_id = (SELECT id FROM cluster WHERE name = 'tap-eks') ORDER BY 1$$,
    $$VALUES ('cp-1.tap-aws.example.net'), ('ip-10-0-2-47.eu-west-1.compute.internal'), ('worker-3.tap-eks')$$,
    'every node''s host is a member of the cluster');
SELECT results_eq(
    $$SELECT labels ->> 'topology.kubernetes.io/zone', taints, addresses -> 0, provider_id, pod_cidrs
        FROM k8s_node WHERE name = 'ip-10-0-1-23.eu-west-1.compute.internal'$$,
    $$VALUES ('eu-west-1a', '[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]'::jsonb,
              '{"type": "InternalIP", "address": "10.0.1.23"}'::jsonb, 'aws:///eu-west-1a/i-0a1b2c3d4e5f60718',
              '{10.244.0.0/24,fd00:10:244::/64}'::cidr[])$$,
    'labels, taints, addresses, providerID and pod CIDRs as kubectl printed them');
SELECT results_eq(
    $$SELECT p.prefix, p.status::text, p.description FROM prefix p JOIN vrf v ON v.id = p.vrf_id
       WHERE v.name = 'tap-eks pods' ORDER BY p.prefix$$,
    $$VALUES ('10.244.0.0/24'::cidr, 'active', 'pod CIDR of node ip-10-0-1-23.eu-west-1.compute.internal'),
             ('10.244.1.0/24', 'active', 'pod CIDR of node ip-10-0-2-47.eu-west-1.compute.internal'),
             ('10.244.2.0/24', 'active', 'pod CIDR of node worker-3'),
             ('fd00:10:244::/64', 'active', 'pod CIDR of node ip-10-0-1-23.eu-west-1.compute.internal'),
             ('fd00:10:244:1::/64', 'active', 'pod CIDR of node ip-10-0-2-47.eu-west-1.compute.internal'),
             ('fd00:10:244:2::/64', 'active', 'pod CIDR of node worker-3')$$,
    'the pod CIDRs are prefixes of the cluster''s own VRF "tap-eks pods" (clusters reuse 10.244.0.0/16)');
SELECT is((SELECT count(*) FROM change WHERE id > (SELECT change_id FROM mark) AND table_name = 'k8s_node'), 3::bigint,
    'the first import is in the change log');

-- 2. the pods
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('pods'))$$,
    $$VALUES ('k8s_pod', 8, 0, 0, 0)$$,
    'first import of 8 pods: only k8s_pod rows, no hosts');
SELECT results_eq(
    $$SELECT p.name, n.name, p.phase::text, p.pod_ips, p.host_network, p.owner_kind, p.owner_name
        FROM k8s_pod p LEFT JOIN k8s_node n ON n.id = p.node_id
       WHERE p.cluster_id = (SELECT id FROM cluster WHERE name = 'tap-eks') ORDER BY p.namespace, p.name$$,
    $$VALUES ('coredns-7db6d8ff4d-5hxkq', 'ip-10-0-2-47.eu-west-1.compute.internal', 'Running', '{10.244.1.2,fd00:10:244:1::2}'::inet[], false, 'ReplicaSet', 'coredns-7db6d8ff4d'),
             ('kube-proxy-m4q9z', 'ip-10-0-2-47.eu-west-1.compute.internal', 'Running', '{10.0.2.47}', true, 'DaemonSet', 'kube-proxy'),
             ('kube-proxy-x7k2p', 'ip-10-0-1-23.eu-west-1.compute.internal', 'Running', '{10.0.1.23}', true, 'DaemonSet', 'kube-proxy'),
             ('node-exporter-9fz2c', 'ip-10-0-2-47.eu-west-1.compute.internal', 'Running', '{10.0.2.47}', true, 'DaemonSet', 'node-exporter'),
             ('db-0', 'worker-3', 'Running', '{10.244.2.4,fd00:10:244:2::4}', false, 'StatefulSet', 'db'),
             ('report-28871520-vx2mb', NULL, 'Pending', '{}', false, 'Job', 'report-28871520'),
             ('web-6b7f9c8d5-2lq8v', 'ip-10-0-2-47.eu-west-1.compute.internal', 'Running', '{10.244.1.17,fd00:10:244:1::11}', false, 'ReplicaSet', 'web-6b7f9c8d5'),
             ('web-6b7f9c8d5-k9w3t', 'worker-3', 'Running', '{10.244.2.9,fd00:10:244:2::9}', false, 'ReplicaSet', 'web-6b7f9c8d5')$$,
    'each pod with its node, phase, IPs (v4 and v6), hostNetwork and controlling owner; an unscheduled pod has no node');
SELECT results_eq(
    $$SELECT array_agg(name ORDER BY name) FROM k8s_pod WHERE pod_ips @> '{10.0.2.47}'$$,
    $$VALUES ('{kube-proxy-m4q9z,node-exporter-9fz2c}'::text[])$$,
    'two hostNetwork pods share their node''s address (10.0.2.47) without a conflict, found through the GIN index');
SELECT is((SELECT containers FROM k8s_pod WHERE name = 'web-6b7f9c8d5-2lq8v'),
    '[{"name": "nginx", "image": "nginx:1.27.1"}, {"name": "php-fpm", "image": "php:8.3-fpm"}]'::jsonb,
    'containers with their images, in order');
SELECT is((SELECT count(*) FROM host WHERE hostname LIKE '%web-6b7f9c8d5%' OR hostname LIKE 'kube-proxy%'), 0::bigint,
    'pods are not hosts');

-- 3. the same documents again write nothing
SELECT pg_temp.set_mark();
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('nodes'))$$,
    $$VALUES ('host', 0, 0, 3, 0), ('cluster_member', 0, 0, 3, 0), ('k8s_node', 0, 0, 3, 0), ('prefix', 0, 0, 6, 0)$$,
    'the nodes again: every row unchanged');
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('pods'))$$,
    $$VALUES ('k8s_pod', 0, 0, 8, 0)$$,
    'the pods again: every row unchanged');
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', jsonb_build_object('kind', 'List', 'apiVersion', 'v1',
                                   'items', (pg_temp.doc('nodes') -> 'items') || (pg_temp.doc('pods') -> 'items')))$$,
    $$VALUES ('host', 0, 0, 3, 0), ('cluster_member', 0, 0, 3, 0), ('k8s_node', 0, 0, 3, 0), ('prefix', 0, 0, 6, 0), ('k8s_pod', 0, 0, 8, 0)$$,
    'a List of both: every row unchanged');
SELECT is(pg_temp.changes_since_mark(), 0::bigint, 'unchanged re-imports log no change (and so send no NOTIFY)');
SELECT is(pg_temp.written_since_mark(), 0, 'unchanged re-imports write no row at all (hosts, nodes, pods, prefixes, members, keys)');

-- 4. a change updates only that row, only those columns
UPDATE doc SET j = jsonb_set(j, '{items,5,status,phase}', '"Failed"') WHERE name = 'pods';
UPDATE doc SET j = jsonb_set(j, '{items,2,status,conditions,3,status}', '"True"') WHERE name = 'nodes';
UPDATE doc SET j = jsonb_set(j, '{items,2,status,conditions,0,lastHeartbeatTime}', '"2026-12-02T04:00:00Z"') WHERE name = 'nodes';
SELECT pg_temp.set_mark();
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('nodes'))$$,
    $$VALUES ('host', 0, 0, 3, 0), ('cluster_member', 0, 0, 3, 0), ('k8s_node', 0, 1, 2, 0), ('prefix', 0, 0, 6, 0)$$,
    'worker-3 became Ready: that node updated (a new heartbeat time alone is no change)');
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('pods'))$$,
    $$VALUES ('k8s_pod', 0, 1, 7, 0)$$,
    'a pod failed: that pod updated');
SELECT results_eq(
    $$SELECT table_name, op, after - 'source_digest' FROM change WHERE id > (SELECT change_id FROM mark) ORDER BY id$$,
    $$VALUES ('k8s_node', 'update', '{"ready": true}'::jsonb), ('k8s_pod', 'update', '{"phase": "Failed"}'::jsonb)$$,
    'the change log has the one changed column of each changed row (and the pod''s new digest)');

-- 4b. (1.2) a pod whose JSON is the one it was written from is skipped
CREATE FUNCTION pg_temp.item_digest(pod text) RETURNS bytea LANGUAGE sql
    RETURN (SELECT sha256(convert_to(e.v::text, 'UTF8')) FROM jsonb_array_elements(pg_temp.doc('pods') -> 'items') AS e(v)
             WHERE e.v #>> '{metadata,name}' = pod);
SELECT is((SELECT count(*) FROM k8s_pod p WHERE p.source_digest = pg_temp.item_digest(p.name)), 8::bigint,
    'every pod keeps the SHA-256 of the JSON it was last written from (source_digest)');
SELECT is((SELECT count(*) FROM change WHERE id > (SELECT change_id FROM mark) AND table_name = 'k8s_pod'
              AND after ->> 'source_digest' = '\x' || encode(pg_temp.item_digest('web-6b7f9c8d5-k9w3t'), 'hex')), 1::bigint,
    'the failed pod''s change records its new digest');
UPDATE doc SET j = jsonb_set(j, '{items,0,metadata,resourceVersion}', '"918273"') WHERE name = 'pods';
SELECT pg_temp.set_mark();
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('pods'))$$,
    $$VALUES ('k8s_pod', 0, 0, 8, 0)$$,
    'a pod whose JSON changed only where nothing is imported (its resourceVersion) is unchanged');
SELECT is(pg_temp.written_since_mark(), 0, 'and nothing is written: a new digest alone is no reason to write a row');
UPDATE k8s_pod SET phase = 'Unknown' WHERE name = 'web-6b7f9c8d5-2lq8v';
SELECT is((SELECT source_digest FROM k8s_pod WHERE name = 'web-6b7f9c8d5-2lq8v'), NULL,
    'a pod changed by hand loses its digest (k8s_pod_forget_digest)');
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('pods'))$$,
    $$VALUES ('k8s_pod', 0, 1, 7, 0)$$,
    'so the next import compares it with its JSON again');
SELECT results_eq(
    $$SELECT phase::text, source_digest = pg_temp.item_digest(name) FROM k8s_pod WHERE name = 'web-6b7f9c8d5-2lq8v'$$,
    $$VALUES ('Running', true)$$,
    'and puts its phase back, with its digest');
UPDATE k8s_pod SET node_id = NULL WHERE name = 'db-0';
SELECT isnt((SELECT source_digest FROM k8s_pod WHERE name = 'db-0'), NULL,
    'a pod whose node_id alone changed keeps its digest');
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('pods'))$$,
    $$VALUES ('k8s_pod', 0, 1, 7, 0)$$,
    'but is not skipped: its node is resolved again on every import');
SELECT is((SELECT n.name FROM k8s_pod p JOIN k8s_node n ON n.id = p.node_id WHERE p.name = 'db-0'), 'worker-3',
    'db-0 is on its node again');
UPDATE k8s_pod SET source_digest = NULL WHERE name = 'kube-proxy-x7k2p';
SELECT pg_temp.set_mark();
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('pods'))$$,
    $$VALUES ('k8s_pod', 0, 1, 7, 0)$$,
    'a pod without a digest (as pods imported by mountaineer_k8s 1.1 are) gets one written');
SELECT results_eq(
    $$SELECT after - 'source_digest', after ->> 'source_digest' = '\x' || encode(pg_temp.item_digest('kube-proxy-x7k2p'), 'hex')
        FROM change WHERE id > (SELECT change_id FROM mark)$$,
    $$VALUES ('{}'::jsonb, true)$$,
    'logged as a change of that column alone');
SELECT throws_ok(
    $$SELECT * FROM k8s_import('tap-eks', jsonb_set(pg_temp.doc('pods'), '{items}', (pg_temp.doc('pods') -> 'items') || (pg_temp.doc('pods') -> 'items' -> 2)))$$,
    '22023', 'import_staged: key "a1f0c2d4-3333-4e2a-8b3c-000000000003" of "pod" appears more than once in one import ($.items[2] and $.items[8])',
    'a pod twice, both copies unchanged: refused, not skipped');
-- the pods skipped that a prune keeps are staged as they are, whatever
-- the session's DateStyle and TimeZone ("Postgres" prints Asia/Shanghai's
-- times as "… CST", which reads back as US Central time)
SET DateStyle = 'Postgres, MDY';
SET TimeZone = 'Asia/Shanghai';
SELECT pg_temp.set_mark();
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('pods'), prune => true)$$,
    $$VALUES ('k8s_pod', 0, 0, 8, 0)$$,
    'a prune keeps the pods skipped as they are, in any DateStyle and TimeZone');
SELECT is(pg_temp.written_since_mark(), 0, 'and writes nothing');
-- a creationTimestamp without an offset is read in the session's
-- TimeZone: that pod is compared again, as mountaineer_k8s 1.1 did
RESET DateStyle;
SET TimeZone = 'Europe/Amsterdam';
UPDATE doc SET j = jsonb_set(j, '{items,1,metadata,creationTimestamp}', '"2026-11-28T10:41:11"') WHERE name = 'pods';
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('pods'))$$,
    $$VALUES ('k8s_pod', 0, 1, 7, 0)$$,
    'a creationTimestamp without an offset, read in Amsterdam');
SET TimeZone = 'UTC';
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('pods'))$$,
    $$VALUES ('k8s_pod', 0, 1, 7, 0)$$,
    'the same JSON read in UTC: not skipped, but written as read now');
SELECT is((SELECT created_at FROM k8s_pod WHERE name = 'kube-proxy-m4q9z'), '2026-11-28 10:41:11+00'::timestamptz,
    'its created_at the time read in UTC');
RESET TimeZone;
UPDATE doc SET j = jsonb_set(j, '{items,1,metadata,creationTimestamp}', '"2026-11-28T10:41:11Z"') WHERE name = 'pods';
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('pods'))$$,
    $$VALUES ('k8s_pod', 0, 1, 7, 0)$$,
    'and with its offset again: the same time, its digest written (the rewrite from the same JSON lost it)');

-- 5. a node imported before its EC2 instance: the next import links it
-- to the instance's host and removes the host it made
SELECT is((SELECT inserted FROM import_rows('aws:eu-west-1', 'instance', 'mountaineer.host',
              jsonb_build_array(jsonb_build_object('key', 'i-0b2c3d4e5f6071829', 'row', jsonb_build_object(
                  'hostname', 'worker-2.tap-aws.example.net',
                  'environment_id', (SELECT id FROM environment WHERE name = 'tap-aws'),
                  'cluster_id', (SELECT id FROM cluster WHERE name = 'tap aws eu-west-1')))))),
          1, 'the EC2 import then maps the second node''s instance');
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('nodes'))$$,
    $$VALUES ('host', 0, 0, 3, 1), ('cluster_member', 0, 1, 2, 0), ('k8s_node', 0, 1, 2, 0), ('prefix', 0, 0, 6, 0)$$,
    'the next import moves the node to the instance''s host and removes the one it had made');
SELECT results_eq(
    $$SELECT h.hostname FROM k8s_node n JOIN host h ON h.id = n.host_id WHERE n.name = 'ip-10-0-2-47.eu-west-1.compute.internal'$$,
    $$VALUES ('worker-2.tap-aws.example.net')$$,
    'the node is now the instance''s host');
SELECT is((SELECT count(*) FROM host WHERE hostname = 'ip-10-0-2-47.eu-west-1.compute.internal'), 0::bigint,
    'no duplicate host is left');
SELECT is((SELECT count(*) FROM cluster_member m JOIN host h ON h.id = m.host_id
            WHERE h.hostname = 'worker-2.tap-aws.example.net' AND m.cluster_id = (SELECT id FROM cluster WHERE name = 'tap-eks')),
    1::bigint, 'and that host is the cluster''s member');

-- 6. a host of the same name is adopted and left as it is
INSERT INTO environment (name) VALUES ('tap-dc');
INSERT INTO cluster (name, kind) VALUES ('tap-kvm', 'kvm');
INSERT INTO host (hostname, environment_id, cluster_id, operating_system)
SELECT 'k8s-w4.dc.example.net', e.id, c.id, 'Debian 12' FROM environment e, cluster c WHERE e.name = 'tap-dc' AND c.name = 'tap-kvm';
INSERT INTO cluster_member (cluster_id, host_id)
SELECT c.id, h.id FROM cluster c, host h WHERE c.name = 'tap-eks' AND h.hostname = 'k8s-w4.dc.example.net';
UPDATE doc SET j = jsonb_set(j, '{items}', (j -> 'items') || jsonb_build_array(
        jsonb_set(jsonb_set(jsonb_set(jsonb_set(j -> 'items' -> 2, '{metadata,name}', '"k8s-w4.dc.example.net"'),
                  '{metadata,uid}', '"0d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f60"'),
                  '{spec,podCIDRs}', '["10.244.3.0/24"]'), '{spec,podCIDR}', '"10.244.3.0/24"')))
 WHERE name = 'nodes';
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('nodes'))$$,
    $$VALUES ('host', 0, 0, 4, 0), ('cluster_member', 0, 0, 4, 0), ('k8s_node', 1, 0, 3, 0), ('prefix', 1, 0, 6, 0)$$,
    'a node named as an existing host: that host and its membership made by hand are adopted, not written');
SELECT results_eq(
    $$SELECT h.operating_system, c.name FROM k8s_node n JOIN host h ON h.id = n.host_id JOIN cluster c ON c.id = h.cluster_id
       WHERE n.name = 'k8s-w4.dc.example.net'$$,
    $$VALUES ('Debian 12', 'tap-kvm')$$,
    'the adopted host keeps its own OS and place (a VM of the KVM cluster)');

-- 7. prune
UPDATE doc SET j = jsonb_set(j, '{items}', (j -> 'items') - 3 - 2) WHERE name = 'nodes';   -- worker-3 and k8s-w4 gone
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('nodes'))$$,
    $$VALUES ('host', 0, 0, 2, 0), ('cluster_member', 0, 0, 2, 0), ('k8s_node', 0, 0, 2, 0), ('prefix', 0, 0, 4, 0)$$,
    'without prune, nodes absent from the document are kept');
SELECT is((SELECT count(*) FROM k8s_node WHERE cluster_id = (SELECT id FROM cluster WHERE name = 'tap-eks')), 4::bigint,
    'all four nodes are still there');
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('nodes'), prune => true)$$,
    $$VALUES ('host', 0, 0, 2, 1), ('cluster_member', 0, 0, 2, 2), ('k8s_node', 0, 0, 2, 2), ('prefix', 0, 0, 4, 3)$$,
    'with prune: the two nodes, their memberships and pod CIDRs removed, and the host the import made');
SELECT is((SELECT count(*) FROM host WHERE hostname = 'worker-3.tap-eks'), 0::bigint, 'the host the import made for worker-3 is deleted');
SELECT results_eq(
    $$SELECT h.operating_system, c.name FROM host h JOIN cluster c ON c.id = h.cluster_id WHERE h.hostname = 'k8s-w4.dc.example.net'$$,
    $$VALUES ('Debian 12', 'tap-kvm')$$,
    'the adopted host stays as it was');
SELECT is((SELECT count(*) FROM import_key WHERE source = 'k8s:tap-eks' AND key IN ('worker-3', 'k8s-w4.dc.example.net')), 0::bigint,
    'the gone nodes'' keys are gone');
SELECT results_eq(
    $$SELECT name, node_id, node_name FROM k8s_pod WHERE node_name = 'worker-3' ORDER BY name$$,
    $$VALUES ('db-0', NULL::uuid, 'worker-3'), ('web-6b7f9c8d5-k9w3t', NULL, 'worker-3')$$,
    'pods on a gone node keep its name and lose their node (a nodes document does not prune pods)');
UPDATE doc SET j = jsonb_set(j, '{items}', (j -> 'items') - 6) WHERE name = 'pods';   -- db-0 gone
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('pods'), prune => true)$$,
    $$VALUES ('k8s_pod', 0, 0, 7, 1)$$,
    'with prune, a pod absent from a pods document is removed');
SELECT is((SELECT count(*) FROM k8s_pod WHERE name = 'db-0'), 0::bigint, 'db-0 is gone');

-- a host the import made that other rows still refer to is kept
UPDATE doc SET j = jsonb_set(j, '{items}', (j -> 'items') || jsonb_build_array(
        jsonb_set(jsonb_set(jsonb_set(jsonb_set(j -> 'items' -> 1, '{metadata,name}', '"worker-5"'),
                  '{metadata,uid}', '"1e5f6a7b-8c9d-4eaf-9a1b-2c3d4e5f6a71"'),
                  '{spec,podCIDRs}', '["10.244.5.0/24"]'), '{spec,providerID}', '"kind://docker/tap/worker-5"')))
 WHERE name = 'nodes';
SELECT results_eq(
    $$SELECT object, inserted FROM k8s_import('tap-eks', pg_temp.doc('nodes')) WHERE object IN ('host', 'k8s_node')$$,
    $$VALUES ('host', 1), ('k8s_node', 1)$$,
    'worker-5 (not an EC2 instance: another provider) gets a host of its own');
INSERT INTO host (hostname, environment_id, parent_host_id, kind)
SELECT 'debug.tap-eks', h.environment_id, h.id, 'container' FROM host h WHERE h.hostname = 'worker-5.tap-eks';
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', jsonb_set(pg_temp.doc('nodes'), '{items}', (pg_temp.doc('nodes') -> 'items') - 2), prune => true)$$,
    $$VALUES ('host', 0, 0, 2, 0), ('cluster_member', 0, 0, 2, 1), ('k8s_node', 0, 0, 2, 1), ('prefix', 0, 0, 4, 1)$$,
    'worker-5 gone: its node, member and pod CIDR removed; its host, which a container runs on, not');
SELECT is((SELECT count(*) FROM host WHERE hostname = 'worker-5.tap-eks'), 1::bigint, 'and kept');

-- a linked (EC2) node gone: its node removed, the instance's host kept
SELECT results_eq(
    $$SELECT * FROM k8s_import('tap-eks', jsonb_set(pg_temp.doc('nodes'), '{items}', (pg_temp.doc('nodes') -> 'items') - 2 - 1), prune => true)$$,
    $$VALUES ('host', 0, 0, 1, 0), ('cluster_member', 0, 0, 1, 1), ('k8s_node', 0, 0, 1, 1), ('prefix', 0, 0, 2, 2)$$,
    'the second node gone: node, member and pod CIDRs removed');
SELECT results_eq(
    $$SELECT hostname FROM host WHERE hostname LIKE '%.tap-aws.example.net' ORDER BY 1$$,
    $$VALUES ('cp-1.tap-aws.example.net'), ('worker-2.tap-aws.example.net')$$,
    'the EC2 instance''s host stays: the Kubernetes import only linked to it');

-- 8. bad documents: refused naming the JSON path, nothing written
SELECT pg_temp.set_mark();
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', '[]')$$, '22023',
    'k8s_import: $ is a JSON array, not the object kubectl get … -o json prints', 'not an object: 22023');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', '{"kind": "Node", "items": []}')$$, '22023',
    'k8s_import: $.kind is "Node", not List, NodeList or PodList', 'a single object, not a list: 22023');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', '{"kind": "List"}')$$, '22023',
    'k8s_import: $.items is missing or not an array', 'no items: 22023');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', jsonb_set(pg_temp.doc('pods'), '{items,3,kind}', '"Service"'))$$, '22023',
    'k8s_import: $.items[3].kind is "Service": only Node and Pod are imported', 'an item of another kind: 22023 naming it');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('pods') #- '{items,4,metadata,uid}')$$, '22023',
    'k8s_import: $.items[4].metadata.uid is missing or not a string', 'a missing uid: 22023 naming its path');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', jsonb_set(pg_temp.doc('pods'), '{items,1,metadata,namespace}', '"Kube_System"'))$$, '22023',
    'k8s_import: $.items[1].metadata.namespace is "Kube_System": not a DNS label (lower case letters, digits and -, at most 63)',
    'a namespace that is no DNS label: 22023');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', jsonb_set(pg_temp.doc('pods'), '{items,2,status,phase}', '"Crashing"'))$$, '22023',
    'k8s_import: $.items[2].status.phase is "Crashing", not Pending, Running, Succeeded, Failed or Unknown', 'an unknown phase: 22023');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', jsonb_set(pg_temp.doc('pods'), '{items,0,metadata,uid}', '"a1f0c2d4-1111"'))$$, '22P02',
    'import_staged: $.items[0], column uid: invalid input syntax for type uuid: "a1f0c2d4-1111"', 'a uid of the wrong form: 22P02 naming the item');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', jsonb_set(pg_temp.doc('pods'), '{items,3,status,podIPs,1,ip}', '"fd00:10:244:1::zz"'))$$, '22P02',
    'import_staged: $.items[3], column pod_ips: invalid input syntax for type inet: "fd00:10:244:1::zz"', 'an IP that does not parse: 22P02 naming the item');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', jsonb_set(pg_temp.doc('nodes'), '{items,1,spec,podCIDRs,1}', '"10.244.9.1/24"'))$$, '22P02',
    'import_rows: $.items[1].spec.podCIDRs[1], column prefix: invalid cidr value: "10.244.9.1/24"', 'a CIDR that does not parse: 22P02 naming it');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', jsonb_set(pg_temp.doc('nodes'), '{items,1,spec,podCIDRs}', '"10.244.1.0/24"'))$$, '22023',
    'k8s_import: $.items[1].spec.podCIDRs is not an array of strings', 'podCIDRs of the wrong shape: 22023');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('pods') #- '{items,4,spec,containers,1,name}')$$, '22023',
    'k8s_import: $.items[4].spec.containers is not an array of {"name", "image"}', 'a container without a name: 22023');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', jsonb_set(pg_temp.doc('nodes'), '{items,1,status,addresses,0,address}', '10'))$$, '22023',
    'k8s_import: $.items[1].status.addresses is not an array of {"type", "address"}', 'an address that is not a string: 22023');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', jsonb_set(pg_temp.doc('pods'), '{items,2,metadata,ownerReferences,0}', '{"kind": "DaemonSet"}'))$$, '22023',
    'k8s_import: $.items[2].metadata.ownerReferences is not an array of {"kind", "name"}', 'an owner without a name: 22023');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', jsonb_set(pg_temp.doc('nodes'), '{items,0,metadata,name}', '"Worker_1"'))$$, '22023',
    'k8s_import: $.items[0].metadata.name is "Worker_1": not a DNS subdomain name (lower case letters, digits, - and ., at most 253)',
    'a node name of the wrong form: 22023');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', jsonb_set(pg_temp.doc('nodes'), '{kind}', '"PodList"'))$$, '22023',
    'k8s_import: $.items[0].kind is Node in a PodList', 'a node in a PodList: 22023');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', jsonb_set(pg_temp.doc('nodes'), '{items}', (pg_temp.doc('nodes') -> 'items') || (pg_temp.doc('nodes') -> 'items' -> 0)))$$, '22023',
    'import_rows: key "ip-10-0-1-23.eu-west-1.compute.internal" of "node" appears more than once in one import ($.items[0] and $.items[3])',
    'a node twice: 22023 naming both');
SELECT throws_ok($$SELECT * FROM k8s_import('EKS prod', pg_temp.doc('nodes'))$$, '22023',
    'k8s_import: cluster name "EKS prod" is not a DNS label (lower case letters, digits and -, at most 63)', 'a cluster name that is no DNS label: 22023');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-kvm', pg_temp.doc('nodes'))$$, '22023',
    'k8s_import: cluster "tap-kvm" is of kind kvm, not kubernetes', 'a cluster of another kind: 22023');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', NULL)$$, '22004',
    'k8s_import: cluster, document and prune must not be NULL', 'NULL: 22004');
SELECT is(pg_temp.changes_since_mark(), 0::bigint, 'the refused documents changed nothing');
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', jsonb_set(jsonb_set(jsonb_set(pg_temp.doc('nodes'), '{items,0,metadata,name}', '"worker-9"'),
                       '{items,0,metadata,uid}', '"2f6a7b8c-9dae-4fb0-8b2c-3d4e5f6a7b82"'), '{items,0,spec,podCIDRs,0}', '"10.244.9.0/33"'))$$, '22P02',
    'import_rows: $.items[0].spec.podCIDRs[0], column prefix: invalid input syntax for type cidr: "10.244.9.0/33"',
    'a new node with a bad CIDR: refused after its host was written');
SELECT is((SELECT count(*) FROM host WHERE hostname = 'worker-9.tap-eks'), 0::bigint,
    'and that host is not there: nothing of a refused document is written');

-- 9. who may import
SET LOCAL ROLE mountaineer_reader;
SELECT throws_ok($$SELECT * FROM k8s_import('tap-eks', pg_temp.doc('pods'))$$, '42501', NULL, 'a reader may not import');
RESET ROLE;
SET LOCAL ROLE mountaineer_editor;
SELECT results_eq($$SELECT object, unchanged FROM k8s_import('tap-eks', pg_temp.doc('pods'))$$,
    $$VALUES ('k8s_pod', 7)$$, 'an editor may');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
