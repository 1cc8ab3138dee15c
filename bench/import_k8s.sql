-- The Kubernetes import (mountaineer_k8s): a generated cluster of
-- 1,000 × SCALE nodes and 30 pods a node (30,000 × SCALE), as documents in
-- the shape `kubectl get nodes -o json` and `kubectl get pods -A -o json`
-- print, imported by k8s_import():
--   first import       the nodes (hosts, members, k8s_node, pod CIDR
--                      prefixes), then the pods (k8s_pod rows);
--   unchanged          the pods document again: target under 1 s, and it
--                      must write nothing (no row, no change-log entry);
--   5% changed         every 20th pod's phase changed: writes only those.
-- Each pass is one transaction, COMMIT included, timed in the server; what
-- it wrote is read from pg_stat_xact_user_tables before the COMMIT (the
-- rows of schema mountaineer, change-log rows included: a changed pod is 2),
-- less what they said at its start (a backend's counts of transactions
-- before may not have been flushed yet, and are counted there too).
-- The floor (peer): a plain INSERT … SELECT of the same fields from the
-- same document into bare tables (no constraints, triggers or indexes),
-- what loading the rows costs at all.
\set QUIET on
\set ON_ERROR_STOP on
SET search_path = mountaineer, public;
SET client_min_messages = warning;

-- run alone (not by tools/bench.sh): the two things bench.sh provides
SELECT to_regclass('public.bench_result') IS NULL AS standalone \gset
\if :standalone
CREATE TABLE public.bench_result (bench text, what text, ours numeric, peer numeric, unit text,
                                  lower_is_better boolean NOT NULL DEFAULT false, n serial);
CREATE FUNCTION public.bench_seconds(stmt text) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE t timestamptz := clock_timestamp();
BEGIN
    EXECUTE stmt;
    RETURN extract(epoch FROM clock_timestamp() - t);
END $$;
\endif
\if :{?scale}
\else
\set scale 1
\endif
SELECT 1000 * :scale AS nodes, 30 AS pods_per_node \gset
SELECT :nodes * :pods_per_node AS pods \gset
\echo import_k8s: :nodes nodes, :pods pods

-- the documents
CREATE TEMP TABLE doc (name text PRIMARY KEY, j jsonb NOT NULL);
INSERT INTO doc
SELECT 'nodes', jsonb_build_object('apiVersion', 'v1', 'kind', 'List', 'metadata', '{"resourceVersion": ""}', 'items', jsonb_agg(jsonb_build_object(
    'apiVersion', 'v1', 'kind', 'Node',
    'metadata', jsonb_build_object(
        'name', format('node-%s.bench.k8s.internal', n),
        'uid', md5('node' || n)::uuid,
        'creationTimestamp', '2026-10-01T00:00:00Z',
        'labels', jsonb_build_object('kubernetes.io/hostname', format('node-%s.bench.k8s.internal', n), 'kubernetes.io/os', 'linux',
                                     'topology.kubernetes.io/zone', 'bench-' || (n % 3))),
    'spec', jsonb_build_object(
        'podCIDR', format('10.%s.%s.0/24', 64 + n / 256, n % 256),
        'podCIDRs', jsonb_build_array(format('10.%s.%s.0/24', 64 + n / 256, n % 256)),
        'providerID', format('kind://docker/bench/node-%s', n)),
    'status', jsonb_build_object(
        'addresses', jsonb_build_array(jsonb_build_object('type', 'InternalIP', 'address', format('172.%s.%s.%s', 16 + n / 65536, n / 256 % 256, n % 256)),
                                       jsonb_build_object('type', 'Hostname', 'address', format('node-%s.bench.k8s.internal', n))),
        'conditions', jsonb_build_array(jsonb_build_object('type', 'Ready', 'status', 'True', 'reason', 'KubeletReady',
                                                           'lastHeartbeatTime', '2026-12-01T00:00:00Z')),
        'nodeInfo', jsonb_build_object('kubeletVersion', 'v1.30.4', 'osImage', 'Ubuntu 22.04.4 LTS', 'containerRuntimeVersion', 'containerd://1.7.19')))
    ORDER BY n))
  FROM generate_series(0, :nodes - 1) n;
INSERT INTO doc
SELECT 'pods', jsonb_build_object('apiVersion', 'v1', 'kind', 'List', 'metadata', '{"resourceVersion": ""}', 'items', jsonb_agg(jsonb_build_object(
    'apiVersion', 'v1', 'kind', 'Pod',
    'metadata', jsonb_build_object(
        'name', format('app-%s-%s', p / 30 % 100, p), 'namespace', 'ns-' || (p % 20),
        'uid', md5('pod' || p)::uuid,
        'creationTimestamp', '2026-11-30T00:00:00Z',
        'labels', jsonb_build_object('app', 'app-' || (p / 30 % 100), 'pod-template-hash', substr(md5('rs' || (p / 30 % 100)), 1, 10)),
        'ownerReferences', jsonb_build_array(jsonb_build_object('apiVersion', 'apps/v1', 'kind', 'ReplicaSet', 'controller', true,
                                                                'name', 'app-' || (p / 30 % 100), 'uid', md5('rs' || (p / 30 % 100))::uuid))),
    'spec', jsonb_build_object(
        'nodeName', format('node-%s.bench.k8s.internal', p / 30),
        'containers', jsonb_build_array(jsonb_build_object('name', 'app', 'image', 'registry.example.net/app:' || (p % 7)),
                                        jsonb_build_object('name', 'sidecar', 'image', 'envoyproxy/envoy:v1.31.0'))),
    'status', jsonb_build_object(
        'phase', 'Running',
        'podIP', format('10.%s.%s.%s', 64 + (p / 30) / 256, (p / 30) % 256, 2 + p % 30),
        'podIPs', jsonb_build_array(jsonb_build_object('ip', format('10.%s.%s.%s', 64 + (p / 30) / 256, (p / 30) % 256, 2 + p % 30)))))
    ORDER BY p))
  FROM generate_series(0, :pods - 1) p;
-- 5% of the pods changed: every 20th has failed
INSERT INTO doc
SELECT 'pods5', jsonb_set(j, '{items}', (SELECT jsonb_agg(CASE WHEN e.o % 20 = 0 THEN jsonb_set(e.v, '{status,phase}', '"Failed"') ELSE e.v END ORDER BY e.o)
                                           FROM jsonb_array_elements(j -> 'items') WITH ORDINALITY AS e(v, o)))
  FROM doc WHERE name = 'pods';

CREATE TEMP TABLE pass (what text PRIMARY KEY, seconds numeric, written bigint, changes bigint, summary text);
CREATE TEMP VIEW written AS
    SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) AS n FROM pg_stat_xact_user_tables
     WHERE schemaname = 'mountaineer';
CHECKPOINT;

-- the floor: the same fields into bare tables
CREATE UNLOGGED TABLE public.bare_pod (uid uuid, namespace text, name text, node_name text, phase text, pod_ips inet[],
                                host_network boolean, labels jsonb, owner_kind text, owner_name text, containers jsonb, created_at timestamptz);
CREATE UNLOGGED TABLE public.bare_node (uid uuid, name text, provider_id text, pod_cidrs cidr[], addresses jsonb, labels jsonb,
                                 kubelet_version text, ready boolean);
BEGIN;
SELECT bench_seconds($q$
INSERT INTO public.bare_node
SELECT (v #>> '{metadata,uid}')::uuid, v #>> '{metadata,name}', v #>> '{spec,providerID}',
       ARRAY(SELECT c #>> '{}' FROM jsonb_array_elements(v #> '{spec,podCIDRs}') c)::cidr[], v #> '{status,addresses}',
       v #> '{metadata,labels}', v #>> '{status,nodeInfo,kubeletVersion}',
       (SELECT c ->> 'status' = 'True' FROM jsonb_array_elements(v #> '{status,conditions}') c WHERE c ->> 'type' = 'Ready')
  FROM doc, jsonb_array_elements(j -> 'items') v WHERE doc.name = 'nodes'$q$) AS s \gset
COMMIT;
INSERT INTO pass VALUES ('floor nodes', :s);
BEGIN;
SELECT bench_seconds($q$
INSERT INTO public.bare_pod
SELECT (v #>> '{metadata,uid}')::uuid, v #>> '{metadata,namespace}', v #>> '{metadata,name}', v #>> '{spec,nodeName}',
       v #>> '{status,phase}', ARRAY(SELECT p ->> 'ip' FROM jsonb_array_elements(v #> '{status,podIPs}') p)::inet[],
       coalesce((v #>> '{spec,hostNetwork}')::boolean, false), v #> '{metadata,labels}',
       v #> '{metadata,ownerReferences}' -> 0 ->> 'kind', v #> '{metadata,ownerReferences}' -> 0 ->> 'name',
       (SELECT jsonb_agg(jsonb_build_object('name', c -> 'name', 'image', c -> 'image')) FROM jsonb_array_elements(v #> '{spec,containers}') c),
       (v #>> '{metadata,creationTimestamp}')::timestamptz
  FROM doc, jsonb_array_elements(j -> 'items') v WHERE doc.name = 'pods'$q$) AS s \gset
COMMIT;
INSERT INTO pass VALUES ('floor pods', :s);

-- ours
SELECT coalesce(max(id), 0) AS change0 FROM change \gset
BEGIN;
SELECT n AS w0 FROM written \gset
SELECT bench_seconds($q$CREATE TEMP TABLE r1 AS SELECT * FROM k8s_import('bench', (SELECT j FROM doc WHERE name = 'nodes'))$q$) AS s \gset
SELECT n - :w0 AS w FROM written \gset
COMMIT;
INSERT INTO pass VALUES ('first nodes', :s, :w, (SELECT count(*) FROM change WHERE id > :change0),
                         (SELECT string_agg(format('%s %s/%s/%s/%s', object, inserted, updated, unchanged, removed), ', ') FROM r1));
SELECT coalesce(max(id), 0) AS change0 FROM change \gset
BEGIN;
SELECT n AS w0 FROM written \gset
SELECT bench_seconds($q$CREATE TEMP TABLE r2 AS SELECT * FROM k8s_import('bench', (SELECT j FROM doc WHERE name = 'pods'))$q$) AS s \gset
SELECT n - :w0 AS w FROM written \gset
COMMIT;
INSERT INTO pass VALUES ('first pods', :s, :w, (SELECT count(*) FROM change WHERE id > :change0),
                         (SELECT string_agg(format('%s %s/%s/%s/%s', object, inserted, updated, unchanged, removed), ', ') FROM r2));
VACUUM ANALYZE k8s_pod, k8s_node, host, prefix, cluster_member, import_key;
SELECT coalesce(max(id), 0) AS change0 FROM change \gset
BEGIN;
SELECT n AS w0 FROM written \gset
SELECT bench_seconds($q$CREATE TEMP TABLE r3 AS SELECT * FROM k8s_import('bench', (SELECT j FROM doc WHERE name = 'pods'))$q$) AS s \gset
SELECT n - :w0 AS w FROM written \gset
COMMIT;
INSERT INTO pass VALUES ('unchanged pods', :s, :w, (SELECT count(*) FROM change WHERE id > :change0),
                         (SELECT string_agg(format('%s %s/%s/%s/%s', object, inserted, updated, unchanged, removed), ', ') FROM r3));
SELECT coalesce(max(id), 0) AS change0 FROM change \gset
BEGIN;
SELECT n AS w0 FROM written \gset
SELECT bench_seconds($q$CREATE TEMP TABLE r4 AS SELECT * FROM k8s_import('bench', (SELECT j FROM doc WHERE name = 'nodes'))$q$) AS s \gset
SELECT n - :w0 AS w FROM written \gset
COMMIT;
INSERT INTO pass VALUES ('unchanged nodes', :s, :w, (SELECT count(*) FROM change WHERE id > :change0),
                         (SELECT string_agg(format('%s %s/%s/%s/%s', object, inserted, updated, unchanged, removed), ', ') FROM r4));
SELECT coalesce(max(id), 0) AS change0 FROM change \gset
BEGIN;
SELECT n AS w0 FROM written \gset
SELECT bench_seconds($q$CREATE TEMP TABLE r5 AS SELECT * FROM k8s_import('bench', (SELECT j FROM doc WHERE name = 'pods5'))$q$) AS s \gset
SELECT n - :w0 AS w FROM written \gset
COMMIT;
INSERT INTO pass VALUES ('5% pods changed', :s, :w, (SELECT count(*) FROM change WHERE id > :change0),
                         (SELECT string_agg(format('%s %s/%s/%s/%s', object, inserted, updated, unchanged, removed), ', ') FROM r5));

-- checked: what each pass should have done
SELECT (SELECT count(*) FROM k8s_pod p JOIN cluster c ON c.id = p.cluster_id WHERE c.name = 'bench') = :pods
   AND (SELECT count(*) FROM k8s_node n JOIN cluster c ON c.id = n.cluster_id WHERE c.name = 'bench') = :nodes
   AND (SELECT written = 0 AND changes = 0 FROM pass WHERE what = 'unchanged pods')
   AND (SELECT written = 0 AND changes = 0 FROM pass WHERE what = 'unchanged nodes')
   AND (SELECT changes = :pods / 20 AND written = 2 * :pods / 20 FROM pass WHERE what = '5% pods changed') AS ok \gset
\if :ok
\else
\echo import_k8s: CHECK FAILED
SELECT * FROM pass;
\quit
\endif

\pset footer off
SELECT what, round(seconds, 3) AS seconds,
       round(CASE WHEN what LIKE '%nodes' THEN :nodes ELSE :pods END / seconds) AS "rows/s",
       written, changes, summary
  FROM pass ORDER BY CASE WHEN what LIKE 'floor%' THEN 0 ELSE 1 END, what LIKE '%nodes' DESC, seconds;

INSERT INTO bench_result (bench, what, ours, peer, unit, lower_is_better)
SELECT 'import_k8s', format('%s (%s rows) vs bare INSERT … SELECT', o.what, CASE WHEN o.what LIKE '%nodes' THEN :nodes ELSE :pods END),
       o.seconds, f.seconds, 's', true
  FROM pass o JOIN pass f ON f.what = CASE WHEN o.what LIKE '%nodes' THEN 'floor nodes' ELSE 'floor pods' END
 WHERE o.what NOT LIKE 'floor%'
 ORDER BY o.what LIKE '%nodes' DESC, o.what;

-- leave the estate as it was
DELETE FROM k8s_pod WHERE cluster_id = (SELECT id FROM cluster WHERE name = 'bench');
DELETE FROM k8s_node WHERE cluster_id = (SELECT id FROM cluster WHERE name = 'bench');
DELETE FROM cluster_member WHERE cluster_id = (SELECT id FROM cluster WHERE name = 'bench');
DELETE FROM host WHERE cluster_id = (SELECT id FROM cluster WHERE name = 'bench');
DELETE FROM prefix WHERE vrf_id = (SELECT id FROM vrf WHERE name = 'bench pods');
DELETE FROM vrf WHERE name = 'bench pods';
DELETE FROM cluster WHERE name = 'bench';
DELETE FROM import_source WHERE source = 'k8s:bench';
DROP TABLE public.bare_pod, public.bare_node;
