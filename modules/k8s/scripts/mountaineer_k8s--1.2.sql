-- mountaineer_k8s 1.1: Kubernetes inventory imported from what kubectl
-- prints (`kubectl get nodes -o json`, `kubectl get pods -A -o json`, or a
-- List of both), idempotently, through the core's import_rows():
--   a node    -> a host (or the host it already is: its EC2 instance's, or
--                one of the same name), a cluster_member of the cluster,
--                a k8s_node row, and its pod CIDRs as prefixes in the
--                cluster's pod VRF;
--   a pod     -> a k8s_pod row (not a host: pods churn), its IPs an inet[]
--                of the row.
-- Source 'k8s:<cluster>'; kinds node (-> host), node_member
-- (-> cluster_member), k8s_node, pod_cidr (-> prefix) and pod (-> k8s_pod).
-- 1.1: faster: the document read once (not fetched again for every pass),
-- the pods staged as a table for the core's import_staged() (needs
-- mountaineer 1.6).
-- 1.2: a pod whose JSON is the one it was last imported from (its
-- source_digest) is neither checked nor staged again (needs mountaineer 1.7).
\echo Use "CREATE EXTENSION mountaineer_k8s CASCADE" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regtype('mountaineer.import_digest') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_k8s 1.2 needs mountaineer 1.7'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;

--------------------------------------------------------------------------
-- Tables
--------------------------------------------------------------------------
CREATE TABLE mountaineer.k8s_node (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug            text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    cluster_id      uuid NOT NULL REFERENCES mountaineer.cluster ON DELETE RESTRICT,
    host_id         uuid NOT NULL CONSTRAINT k8s_node_host_id_key UNIQUE REFERENCES mountaineer.host ON DELETE RESTRICT,
    name            text NOT NULL CONSTRAINT k8s_node_name_check
                        CHECK (length(name) <= 253 AND name ~ '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'),
    uid             uuid NOT NULL CONSTRAINT k8s_node_uid_key UNIQUE,
    provider_id     text CONSTRAINT k8s_node_provider_id_check CHECK (mountaineer.is_valid_name(provider_id, 1000)),
    pod_cidrs       cidr[] NOT NULL DEFAULT '{}',
    addresses       jsonb NOT NULL DEFAULT '[]' CONSTRAINT k8s_node_addresses_check CHECK (jsonb_typeof(addresses) = 'array'),
    labels          jsonb NOT NULL DEFAULT '{}' CONSTRAINT k8s_node_labels_check CHECK (jsonb_typeof(labels) = 'object'),
    taints          jsonb NOT NULL DEFAULT '[]' CONSTRAINT k8s_node_taints_check CHECK (jsonb_typeof(taints) = 'array'),
    kubelet_version text CONSTRAINT k8s_node_kubelet_version_check CHECK (mountaineer.is_valid_name(kubelet_version)),
    ready           boolean,
    CONSTRAINT k8s_node_cluster_name_key UNIQUE (cluster_id, name),
    -- the target of k8s_pod's foreign key: a pod's node is of its cluster
    CONSTRAINT k8s_node_id_cluster_key UNIQUE (id, cluster_id)
);
CREATE INDEX k8s_node_labels_idx ON mountaineer.k8s_node USING gin (labels);
COMMENT ON TABLE mountaineer.k8s_node IS
    'A Kubernetes node (kubectl get nodes): the host it is (host_id: made by the import, or the host of its EC2 instance, or a host of the same name), its pod CIDRs (also prefixes of the cluster''s pod VRF), labels, taints, kubelet version and Ready condition. Kept by k8s_import().';
COMMENT ON COLUMN mountaineer.k8s_node.id IS 'Row id.';
COMMENT ON COLUMN mountaineer.k8s_node.slug IS 'The id''s short URL-safe form.';
COMMENT ON COLUMN mountaineer.k8s_node.cluster_id IS 'The Kubernetes cluster (a cluster of kind kubernetes) the node belongs to.';
COMMENT ON COLUMN mountaineer.k8s_node.host_id IS 'The host the node is; one node per host.';
COMMENT ON COLUMN mountaineer.k8s_node.name IS 'metadata.name: the node''s name, unique in its cluster.';
COMMENT ON COLUMN mountaineer.k8s_node.uid IS 'metadata.uid: changes when the node registers again under the same name.';
COMMENT ON COLUMN mountaineer.k8s_node.provider_id IS 'spec.providerID, e.g. aws:///eu-west-1a/i-0abc…: links the node to its EC2 instance.';
COMMENT ON COLUMN mountaineer.k8s_node.pod_cidrs IS 'spec.podCIDRs (or spec.podCIDR): the ranges the node''s pods get their addresses from.';
COMMENT ON COLUMN mountaineer.k8s_node.addresses IS 'status.addresses as kubectl prints them: [{"type": "InternalIP", "address": "10.0.1.23"}, …].';
COMMENT ON COLUMN mountaineer.k8s_node.labels IS 'metadata.labels, a JSON object (GIN-indexed: labels @> ''{"node-role.kubernetes.io/control-plane": ""}'').';
COMMENT ON COLUMN mountaineer.k8s_node.taints IS 'spec.taints, a JSON array of {"key", "value", "effect"}.';
COMMENT ON COLUMN mountaineer.k8s_node.kubelet_version IS 'status.nodeInfo.kubeletVersion.';
COMMENT ON COLUMN mountaineer.k8s_node.ready IS 'The status of the Ready condition: true, false, or NULL for Unknown or absent.';
SELECT mountaineer.manage_table('mountaineer.k8s_node');

CREATE TYPE mountaineer.k8s_pod_phase AS ENUM ('Pending', 'Running', 'Succeeded', 'Failed', 'Unknown');
COMMENT ON TYPE mountaineer.k8s_pod_phase IS 'status.phase of a pod, as Kubernetes spells it.';

CREATE TABLE mountaineer.k8s_pod (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug         text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    cluster_id   uuid NOT NULL REFERENCES mountaineer.cluster ON DELETE RESTRICT,
    uid          uuid NOT NULL CONSTRAINT k8s_pod_uid_key UNIQUE,
    namespace    text NOT NULL CONSTRAINT k8s_pod_namespace_check
                     CHECK (namespace ~ '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'),
    name         text NOT NULL CONSTRAINT k8s_pod_name_check
                     CHECK (length(name) <= 253 AND name ~ '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'),
    node_id      uuid,
    node_name    text CONSTRAINT k8s_pod_node_name_check CHECK (mountaineer.is_valid_name(node_name, 253)),
    phase        mountaineer.k8s_pod_phase NOT NULL DEFAULT 'Pending',
    pod_ips      inet[] NOT NULL DEFAULT '{}',
    host_network boolean NOT NULL DEFAULT false,
    labels       jsonb NOT NULL DEFAULT '{}' CONSTRAINT k8s_pod_labels_check CHECK (jsonb_typeof(labels) = 'object'),
    owner_kind   text CONSTRAINT k8s_pod_owner_kind_check CHECK (mountaineer.is_valid_name(owner_kind)),
    owner_name   text CONSTRAINT k8s_pod_owner_name_check CHECK (mountaineer.is_valid_name(owner_name, 253)),
    containers   jsonb NOT NULL DEFAULT '[]' CONSTRAINT k8s_pod_containers_check CHECK (jsonb_typeof(containers) = 'array'),
    created_at   timestamptz,
    source_digest mountaineer.import_digest,
    CONSTRAINT k8s_pod_owner_check CHECK ((owner_kind IS NULL) = (owner_name IS NULL)),
    -- a pod's node is a node of the pod's cluster; a node that goes leaves
    -- its pods without one (node_name still says where they ran)
    CONSTRAINT k8s_pod_node_fkey FOREIGN KEY (node_id, cluster_id)
        REFERENCES mountaineer.k8s_node (id, cluster_id) ON DELETE SET NULL (node_id)
);
CREATE INDEX k8s_pod_cluster_namespace_name_idx ON mountaineer.k8s_pod (cluster_id, namespace, name);
CREATE INDEX k8s_pod_node_idx ON mountaineer.k8s_pod (node_id);
CREATE INDEX k8s_pod_pod_ips_idx ON mountaineer.k8s_pod USING gin (pod_ips);
CREATE INDEX k8s_pod_labels_idx ON mountaineer.k8s_pod USING gin (labels);
COMMENT ON TABLE mountaineer.k8s_pod IS
    'A Kubernetes pod (kubectl get pods -A): its namespace and name, node, phase, IPs (an inet[] of the row, not ip_address rows: a hostNetwork pod has its node''s address), owner and containers. Pods are not hosts: they come and go by the thousand a day. Kept by k8s_import().';
COMMENT ON COLUMN mountaineer.k8s_pod.id IS 'Row id.';
COMMENT ON COLUMN mountaineer.k8s_pod.slug IS 'The id''s short URL-safe form.';
COMMENT ON COLUMN mountaineer.k8s_pod.cluster_id IS 'The Kubernetes cluster the pod runs in.';
COMMENT ON COLUMN mountaineer.k8s_pod.uid IS 'metadata.uid, unique: a pod made again under the same name (a StatefulSet''s) is a new pod.';
COMMENT ON COLUMN mountaineer.k8s_pod.namespace IS 'metadata.namespace.';
COMMENT ON COLUMN mountaineer.k8s_pod.name IS 'metadata.name (unique per namespace at any one time in Kubernetes; not here, where a pruned-out old pod may still be kept).';
COMMENT ON COLUMN mountaineer.k8s_pod.node_id IS 'The k8s_node it is scheduled on (spec.nodeName), NULL while unscheduled or when that node is not imported.';
COMMENT ON COLUMN mountaineer.k8s_pod.node_name IS 'spec.nodeName as kubectl prints it, also when the node is not (or no longer) imported.';
COMMENT ON COLUMN mountaineer.k8s_pod.phase IS 'status.phase.';
COMMENT ON COLUMN mountaineer.k8s_pod.pod_ips IS 'status.podIPs (IPv4 and IPv6), GIN-indexed: pod_ips @> ''{10.244.1.7}''. A hostNetwork pod''s are its node''s.';
COMMENT ON COLUMN mountaineer.k8s_pod.host_network IS 'spec.hostNetwork: the pod uses its node''s network namespace and addresses.';
COMMENT ON COLUMN mountaineer.k8s_pod.labels IS 'metadata.labels, a JSON object (GIN-indexed).';
COMMENT ON COLUMN mountaineer.k8s_pod.owner_kind IS 'The kind of its controlling owner (metadata.ownerReferences: the one with controller true, else the first): ReplicaSet, DaemonSet, StatefulSet, Job, Node …';
COMMENT ON COLUMN mountaineer.k8s_pod.owner_name IS 'The name of that owner.';
COMMENT ON COLUMN mountaineer.k8s_pod.containers IS 'spec.containers as [{"name", "image"}], in order.';
COMMENT ON COLUMN mountaineer.k8s_pod.created_at IS 'metadata.creationTimestamp.';
COMMENT ON COLUMN mountaineer.k8s_pod.source_digest IS
    'The SHA-256 of the pod''s JSON (its item of kubectl''s output, as jsonb text) when k8s_import() last wrote the row: a re-import skips a pod whose JSON is the same and whose node is still the one resolved, without checking or comparing it again. NULL for a row changed since by anything but the import (and for pods imported before mountaineer_k8s 1.2, until they change).';
SELECT mountaineer.manage_table('mountaineer.k8s_pod');

-- A pod row changed by hand no longer is what its JSON says: its digest
-- goes, so that the next import compares it again (and puts it back).
-- node_id aside, which k8s_import() checks against the node every time
-- (a node deleted sets it NULL through the foreign key).
CREATE FUNCTION mountaineer.k8s_pod_forget_digest() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (to_jsonb(NEW) - '{node_id,slug,source_digest}'::text[]) IS DISTINCT FROM (to_jsonb(OLD) - '{node_id,slug,source_digest}'::text[]) THEN
        NEW.source_digest := NULL;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.k8s_pod_forget_digest() IS
    'BEFORE UPDATE FOR EACH ROW trigger on k8s_pod (WHEN the update keeps a source_digest): clears source_digest when any column but node_id changed, so that k8s_import() compares the row with its JSON again instead of skipping it.';
REVOKE EXECUTE ON FUNCTION mountaineer.k8s_pod_forget_digest() FROM PUBLIC;
CREATE TRIGGER k8s_pod_forget_digest BEFORE UPDATE ON mountaineer.k8s_pod
    FOR EACH ROW WHEN (OLD.source_digest IS NOT NULL AND NEW.source_digest IS NOT DISTINCT FROM OLD.source_digest)
    EXECUTE FUNCTION mountaineer.k8s_pod_forget_digest();

--------------------------------------------------------------------------
-- The import
--------------------------------------------------------------------------


CREATE FUNCTION mountaineer.k8s_import(cluster text, document jsonb, prune boolean DEFAULT false)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, removed integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src        text;
    list_kind  text;
    problem    jsonb;     -- the first item of the wrong shape: [path, reason]
    any_nodes  boolean;
    any_pods   boolean;
    cid        uuid;
    ckind      text;
    vid        uuid;
    eid        uuid;
    has_nodes  boolean;
    has_pods   boolean;
    batch      jsonb;
    r          record;
    summary    jsonb := '[]'::jsonb;
    n          integer;
    replaced   uuid[] := '{}'::uuid[];
    items      jsonb;   -- $.items and $.kind, taken out once: a document read
    kind_value jsonb;   -- from a table is fetched and decompressed at each use
    q          text;
    pods       text := 'pg_temp.k8s_import_pod';   -- the pods staged (made below)
    same       text := 'pg_temp.k8s_import_same';  -- the pods skipped (1.2, made below)
    n_same     integer;   -- pods skipped (1.2)
    all_same   boolean;   -- every item is a pod skipped
BEGIN
    IF cluster IS NULL OR document IS NULL OR prune IS NULL THEN
        RAISE EXCEPTION 'k8s_import: cluster, document and prune must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF cluster !~ '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' THEN
        RAISE EXCEPTION 'k8s_import: cluster name % is not a DNS label (lower case letters, digits and -, at most 63)',
            mountaineer.excerpt(cluster)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Nodes whose name has no dot are named <node>.<cluster> as hosts.';
    END IF;
    src := 'k8s:' || cluster;

    -- the document: what kubectl get … -o json prints
    IF jsonb_typeof(document) <> 'object' THEN
        RAISE EXCEPTION 'k8s_import: $ is a JSON %, not the object kubectl get … -o json prints', jsonb_typeof(document)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    kind_value := document -> 'kind';
    items := document -> 'items';
    list_kind := kind_value #>> '{}';
    IF jsonb_typeof(kind_value) IS DISTINCT FROM 'string' OR list_kind NOT IN ('List', 'NodeList', 'PodList') THEN
        RAISE EXCEPTION 'k8s_import: $.kind is %, not List, NodeList or PodList',
            coalesce(mountaineer.excerpt(list_kind), 'missing')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_typeof(items) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'k8s_import: $.items is missing or not an array'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- (1.2) The pods of an existing cluster that were imported from exactly
    -- this JSON (their source_digest): neither checked nor staged again.
    -- Under the pods' import lock (import_staged() takes it again), so that
    -- what is skipped and what is written are seen at one time.
    -- (Taken whenever the cluster exists, pods known or not: so that two
    -- imports of a List take the pods' lock and the nodes' in one order.)
    SELECT c.id INTO cid FROM mountaineer.cluster c WHERE c.name = k8s_import.cluster AND c.kind = 'kubernetes';
    IF cid IS NOT NULL AND list_kind <> 'NodeList' THEN
        -- A List with nodes takes the nodes' lock first, as 1.1 did and as
        -- a NodeList then a PodList in one transaction do: pods first here
        -- would deadlock with that transaction.
        IF list_kind = 'List' AND items @> '[{"kind": "Node"}]' THEN
            INSERT INTO mountaineer.import_source (source, kind, table_name) VALUES (src, 'node', 'mountaineer.host')
            ON CONFLICT DO NOTHING;
            PERFORM FROM mountaineer.import_source s WHERE s.source = src AND s.kind = 'node' FOR NO KEY UPDATE;
        END IF;
        INSERT INTO mountaineer.import_source (source, kind, table_name) VALUES (src, 'pod', 'mountaineer.k8s_pod')
        ON CONFLICT DO NOTHING;
        PERFORM FROM mountaineer.import_source s WHERE s.source = src AND s.kind = 'pod' FOR NO KEY UPDATE;
    END IF;
    IF cid IS NOT NULL AND list_kind <> 'NodeList'
       AND EXISTS (SELECT FROM mountaineer.import_key k WHERE k.source = src AND k.kind = 'pod') THEN
        CREATE TEMP TABLE k8s_import_same ON COMMIT DROP AS
        WITH item AS MATERIALIZED (   -- each pod's uid and digest, once
            SELECT e.o, e.v #>> '{metadata,uid}' AS uid, sha256(convert_to(e.v::text, 'UTF8')) AS digest,
                   -- a creationTimestamp read the same whatever the session's
                   -- TimeZone and DateStyle (RFC 3339, with its offset), or
                   -- none; the form kubectl prints tested first, by LIKE
                   CASE WHEN e.v #>> '{metadata,creationTimestamp}' IS NULL
                          OR e.v #>> '{metadata,creationTimestamp}' LIKE '____-__-__T__:__:__Z' THEN true
                        ELSE e.v #>> '{metadata,creationTimestamp}'
                             ~ '^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$' END AS fixed_time
              FROM jsonb_array_elements(items) WITH ORDINALITY AS e(v, o)
             WHERE e.v ->> 'kind' = 'Pod' OR list_kind = 'PodList' AND NOT e.v ? 'kind')
        SELECT i.o, p.id, k.key
          FROM item i
          JOIN mountaineer.import_key k ON k.source = src AND k.kind = 'pod' AND k.key = i.uid
          JOIN mountaineer.k8s_pod p ON p.id = k.row_id AND p.cluster_id = cid AND p.source_digest = i.digest
          -- and still on the node its node name resolves to (or on none)
          LEFT JOIN mountaineer.k8s_node nd ON nd.cluster_id = cid AND nd.name = p.node_name
         WHERE p.node_id IS NOT DISTINCT FROM nd.id
           -- its created_at is the same whenever it is read (not "now", not
           -- a time without an offset, which the session's TimeZone decides)
           AND i.fixed_time
           -- a uid twice: nothing skipped, for import_staged() to refuse it
           AND NOT EXISTS (SELECT FROM item GROUP BY item.uid HAVING count(*) > 1);
    ELSE
        CREATE TEMP TABLE k8s_import_same (o bigint, id uuid, key text) ON COMMIT DROP;
    END IF;
    -- looked up by ordinal for every item below (the planner takes
    -- jsonb_array_elements for 100 rows: without the key, a nested loop)
    EXECUTE format('ALTER TABLE %s ADD PRIMARY KEY (o)', same);

    -- the first item of the wrong shape, and whether there are nodes and
    -- pods (dynamic: it reads the temporary table made above); none to
    -- look at when every item is a pod skipped
    EXECUTE format('SELECT count(*) FROM %s', same) INTO n_same;
    q := $q$
    SELECT (jsonb_agg(jsonb_build_array(format('$.items[%s]%s', e.o - 1, x.p[1]), x.p[2]) ORDER BY e.o)
                FILTER (WHERE x.p IS NOT NULL)) -> 0 AS problem,
           coalesce(bool_or(x.kind = 'Node'), false) AS nodes, coalesce(bool_or(x.kind = 'Pod'), false) AS pods
      FROM jsonb_array_elements($1) WITH ORDINALITY AS e(v, o),
           LATERAL (
            -- what is wrong with the item: {path below it, reason}, or NULL
            WITH it AS MATERIALIZED (   -- once per item, not once per use
                SELECT CASE WHEN jsonb_typeof(e.v) <> 'object' THEN NULL
                            WHEN e.v ? 'kind' THEN e.v ->> 'kind'
                            WHEN $2 = 'NodeList' THEN 'Node'
                            WHEN $2 = 'PodList' THEN 'Pod' END AS kind,
                       -- true when any of the lax path checks below would be:
                       -- one path for all of them, each alone only then
                       jsonb_path_exists(e.v, 'lax $ ? (exists(@.status.addresses[*] ? (!(@."type".type() == "string" && @."address".type() == "string")))
                                                         || exists(@.spec.containers[*] ? (!(@."name".type() == "string")))
                                                         || exists(@.status.podIPs[*] ? (!(@."ip".type() == "string")))
                                                         || exists(@.metadata.ownerReferences[*] ? (!(@."kind".type() == "string" && @."name".type() == "string"))))') AS lax_bad
            )
            SELECT CASE
                WHEN jsonb_typeof(e.v) <> 'object' THEN ARRAY['', 'is not an object']
                WHEN it.kind IS NULL OR jsonb_typeof(e.v -> 'kind') NOT IN ('string') AND e.v ? 'kind' THEN ARRAY['.kind', 'is missing or not a string']
                WHEN it.kind NOT IN ('Node', 'Pod') THEN ARRAY['.kind', format('is %s: only Node and Pod are imported', mountaineer.excerpt(it.kind))]
                WHEN $2 <> 'List' AND $2 <> it.kind || 'List' THEN ARRAY['.kind', format('is %s in a %s', it.kind, $2)]
                WHEN jsonb_typeof(e.v -> 'metadata') IS DISTINCT FROM 'object' THEN ARRAY['.metadata', 'is missing or not an object']
                WHEN jsonb_typeof(e.v #> '{metadata,name}') IS DISTINCT FROM 'string' THEN ARRAY['.metadata.name', 'is missing or not a string']
                WHEN length(e.v #>> '{metadata,name}') > 253 OR e.v #>> '{metadata,name}' !~ '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'
                    THEN ARRAY['.metadata.name', format('is %s: not a DNS subdomain name (lower case letters, digits, - and ., at most 253)', mountaineer.excerpt(e.v #>> '{metadata,name}'))]
                WHEN jsonb_typeof(e.v #> '{metadata,uid}') IS DISTINCT FROM 'string' THEN ARRAY['.metadata.uid', 'is missing or not a string']
                WHEN e.v #> '{metadata,labels}' IS NOT NULL AND jsonb_typeof(e.v #> '{metadata,labels}') NOT IN ('object', 'null')
                    THEN ARRAY['.metadata.labels', 'is not an object']
                WHEN e.v -> 'spec' IS NOT NULL AND jsonb_typeof(e.v -> 'spec') <> 'object' THEN ARRAY['.spec', 'is not an object']
                WHEN e.v -> 'status' IS NOT NULL AND jsonb_typeof(e.v -> 'status') <> 'object' THEN ARRAY['.status', 'is not an object']
                -- nodes
                WHEN it.kind = 'Node' AND jsonb_typeof(e.v #> '{spec,providerID}') NOT IN ('string')
                    THEN ARRAY['.spec.providerID', 'is not a string']
                WHEN it.kind = 'Node' AND jsonb_typeof(e.v #> '{spec,podCIDR}') NOT IN ('string')
                    THEN ARRAY['.spec.podCIDR', 'is not a string']
                WHEN it.kind = 'Node' AND e.v #> '{spec,podCIDRs}' IS NOT NULL
                     AND (jsonb_typeof(e.v #> '{spec,podCIDRs}') <> 'array'
                          OR jsonb_path_exists(e.v, 'strict $.spec.podCIDRs[*] ? (@.type() != "string")'))
                    THEN ARRAY['.spec.podCIDRs', 'is not an array of strings']
                WHEN it.kind = 'Node' AND jsonb_typeof(e.v #> '{spec,taints}') NOT IN ('array')
                    THEN ARRAY['.spec.taints', 'is not an array']
                WHEN it.kind = 'Node' AND e.v #> '{status,addresses}' IS NOT NULL
                     AND (jsonb_typeof(e.v #> '{status,addresses}') <> 'array'
                          OR it.lax_bad AND jsonb_path_exists(e.v, 'lax $.status.addresses[*] ? (!(@."type".type() == "string" && @."address".type() == "string"))'))
                    THEN ARRAY['.status.addresses', 'is not an array of {"type", "address"}']
                WHEN it.kind = 'Node' AND e.v #> '{status,conditions}' IS NOT NULL
                     AND jsonb_typeof(e.v #> '{status,conditions}') <> 'array'
                    THEN ARRAY['.status.conditions', 'is not an array']
                WHEN it.kind = 'Node' AND jsonb_typeof(e.v #> '{status,nodeInfo,kubeletVersion}') NOT IN ('string')
                    THEN ARRAY['.status.nodeInfo.kubeletVersion', 'is not a string']
                -- pods
                WHEN it.kind = 'Pod' AND jsonb_typeof(e.v #> '{metadata,namespace}') IS DISTINCT FROM 'string'
                    THEN ARRAY['.metadata.namespace', 'is missing or not a string']
                WHEN it.kind = 'Pod' AND e.v #>> '{metadata,namespace}' !~ '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'
                    THEN ARRAY['.metadata.namespace', format('is %s: not a DNS label (lower case letters, digits and -, at most 63)', mountaineer.excerpt(e.v #>> '{metadata,namespace}'))]
                WHEN it.kind = 'Pod' AND jsonb_typeof(e.v #> '{spec,nodeName}') NOT IN ('string')
                    THEN ARRAY['.spec.nodeName', 'is not a string']
                WHEN it.kind = 'Pod' AND jsonb_typeof(e.v #> '{spec,hostNetwork}') NOT IN ('boolean')
                    THEN ARRAY['.spec.hostNetwork', 'is not true or false']
                WHEN it.kind = 'Pod' AND e.v #> '{spec,containers}' IS NOT NULL
                     AND (jsonb_typeof(e.v #> '{spec,containers}') <> 'array'
                          OR it.lax_bad AND jsonb_path_exists(e.v, 'lax $.spec.containers[*] ? (!(@."name".type() == "string"))'))
                    THEN ARRAY['.spec.containers', 'is not an array of {"name", "image"}']
                WHEN it.kind = 'Pod' AND e.v #> '{status,phase}' IS NOT NULL
                     AND (jsonb_typeof(e.v #> '{status,phase}') <> 'string'
                          OR e.v #>> '{status,phase}' NOT IN ('Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'))
                    THEN ARRAY['.status.phase', format('is %s, not Pending, Running, Succeeded, Failed or Unknown', mountaineer.excerpt(e.v #>> '{status,phase}'))]
                WHEN it.kind = 'Pod' AND jsonb_typeof(e.v #> '{status,podIP}') NOT IN ('string')
                    THEN ARRAY['.status.podIP', 'is not a string']
                WHEN it.kind = 'Pod' AND e.v #> '{status,podIPs}' IS NOT NULL
                     AND (jsonb_typeof(e.v #> '{status,podIPs}') <> 'array'
                          OR it.lax_bad AND jsonb_path_exists(e.v, 'lax $.status.podIPs[*] ? (!(@."ip".type() == "string"))'))
                    THEN ARRAY['.status.podIPs', 'is not an array of {"ip"}']
                WHEN it.kind = 'Pod' AND e.v #> '{metadata,ownerReferences}' IS NOT NULL
                     AND (jsonb_typeof(e.v #> '{metadata,ownerReferences}') <> 'array'
                          OR it.lax_bad AND jsonb_path_exists(e.v, 'lax $.metadata.ownerReferences[*] ? (!(@."kind".type() == "string" && @."name".type() == "string"))'))
                    THEN ARRAY['.metadata.ownerReferences', 'is not an array of {"kind", "name"}']
                END, it.kind
            FROM it
           ) AS x(p, kind)
     WHERE NOT EXISTS (SELECT FROM pg_temp.k8s_import_same s WHERE s.o = e.o)$q$;
    all_same := n_same > 0 AND n_same = jsonb_array_length(items);
    IF NOT all_same THEN
        EXECUTE q INTO problem, any_nodes, any_pods USING items, list_kind;
    ELSE
        any_nodes := false;
    END IF;
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION 'k8s_import: % %', problem ->> 0, problem ->> 1 USING ERRCODE = 'invalid_parameter_value';
    END IF;
    has_nodes := list_kind = 'NodeList' OR any_nodes;
    has_pods := list_kind = 'PodList' OR any_pods OR n_same > 0;

    -- the cluster: made on the first import, or one of that name of kind kubernetes
    SELECT c.id, c.kind::text INTO cid, ckind FROM mountaineer.cluster c WHERE c.name = k8s_import.cluster;
    IF NOT FOUND THEN
        INSERT INTO mountaineer.cluster AS c (name, kind, description)
        VALUES (k8s_import.cluster, 'kubernetes', 'Kubernetes cluster (k8s_import)')
        ON CONFLICT (name) DO NOTHING;
        SELECT c.id, c.kind::text INTO cid, ckind FROM mountaineer.cluster c WHERE c.name = k8s_import.cluster;
    END IF;
    IF ckind <> 'kubernetes' THEN
        RAISE EXCEPTION 'k8s_import: cluster % is of kind %, not kubernetes', mountaineer.excerpt(k8s_import.cluster), ckind
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    IF has_nodes THEN
        -- Each node's host: its EC2 instance's host when the EC2 import has
        -- mapped it, else the host it was mapped to before, else a host of
        -- the same name, else a new one.  A host is the import's own when
        -- it is scheduled on this cluster: only those does it write or
        -- delete; the others it links to and leaves as they are.
        INSERT INTO mountaineer.import_source (source, kind, table_name)
        VALUES (src, 'node', 'mountaineer.host'), (src, 'node_member', 'mountaineer.cluster_member')
        ON CONFLICT DO NOTHING;
        FOR r IN
            WITH node AS (
                SELECT e.v #>> '{metadata,name}' AS name,
                       CASE WHEN e.v #>> '{metadata,name}' ~ '\.[-a-z0-9]*[a-z-][-a-z0-9]*$' THEN e.v #>> '{metadata,name}'
                            ELSE e.v #>> '{metadata,name}' || '.' || k8s_import.cluster END AS hostname,
                       substring(e.v #>> '{spec,providerID}' FROM '^aws:///[^/]*/(i-[0-9a-f]+)$') AS instance_id
                  FROM jsonb_array_elements(items) AS e(v)
                 WHERE coalesce(e.v ->> 'kind', 'Node') = 'Node' AND list_kind <> 'PodList'
            )
            , aws AS (
                -- the EC2 import's map: instance id -> its host (any region)
                SELECT DISTINCT ON (k.key) k.key, h.id
                  FROM mountaineer.import_key k JOIN mountaineer.host h ON h.id = k.row_id
                 WHERE k.kind = 'instance' AND k.source LIKE 'aws:%'
                   AND k.key IN (SELECT node.instance_id FROM node WHERE node.instance_id IS NOT NULL)
                 ORDER BY k.key, k.source
            ), target AS (
                SELECT node.name, coalesce(aws.id, mh.id, hn.id) AS host_id, k.row_id AS mapped
                  FROM node
                  LEFT JOIN aws ON aws.key = node.instance_id
                  LEFT JOIN mountaineer.import_key k ON k.source = src AND k.kind = 'node' AND k.key = node.name
                  LEFT JOIN mountaineer.host mh ON mh.id = k.row_id
                  LEFT JOIN mountaineer.host hn ON hn.hostname = node.hostname
            )
            SELECT t.name, t.host_id, t.mapped FROM target t
             WHERE t.host_id IS NOT NULL AND t.host_id IS DISTINCT FROM t.mapped
        LOOP
            BEGIN
                INSERT INTO mountaineer.import_key AS k (source, kind, key, row_id) VALUES (src, 'node', r.name, r.host_id)
                ON CONFLICT ON CONSTRAINT import_key_pkey DO UPDATE SET row_id = excluded.row_id;
                -- the host it had before, if the import's own, is replaced
                -- (a node imported before its EC2 instance): deleted below,
                -- once its k8s_node no longer refers to it
                IF r.mapped IS NOT NULL THEN
                    replaced := replaced || r.mapped;
                END IF;
            END;
        END LOOP;

        -- where the import's own new hosts go: environment "kubernetes"
        -- (a host moved to another environment by hand stays there)
        IF EXISTS (SELECT FROM jsonb_array_elements(items) AS e(v)
                     LEFT JOIN mountaineer.import_key k ON k.source = src AND k.kind = 'node' AND k.key = e.v #>> '{metadata,name}'
                    WHERE coalesce(e.v ->> 'kind', 'Node') = 'Node' AND list_kind <> 'PodList'
                      AND NOT EXISTS (SELECT FROM mountaineer.host h WHERE h.id = k.row_id)) THEN
            SELECT e.id INTO eid FROM mountaineer.environment e WHERE e.name = 'kubernetes';
            IF NOT FOUND THEN
                INSERT INTO mountaineer.environment (name, description) VALUES ('kubernetes', 'Kubernetes nodes (k8s_import)')
                ON CONFLICT (name) DO NOTHING;
                SELECT e.id INTO eid FROM mountaineer.environment e WHERE e.name = 'kubernetes';
            END IF;
        END IF;

        -- hosts: the import's own get their name and OS from the node; the
        -- others are sent as they are, so nothing of theirs is written
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'key', node.name, 'path', node.path,
                   'row', CASE WHEN h.id IS NULL OR h.cluster_id IS NOT DISTINCT FROM cid THEN
                              jsonb_build_object('hostname', node.hostname,
                                                 'environment_id', coalesce(h.environment_id, eid),
                                                 'cluster_id', cid,
                                                 'device_id', NULL, 'parent_host_id', NULL,
                                                 'operating_system', node.os)
                          ELSE jsonb_build_object('hostname', h.hostname, 'environment_id', h.environment_id,
                                                  'cluster_id', h.cluster_id, 'device_id', h.device_id,
                                                  'parent_host_id', h.parent_host_id, 'operating_system', h.operating_system)
                          END) ORDER BY node.o), '[]')
          INTO batch
          FROM (SELECT e.o, format('$.items[%s]', e.o - 1) AS path, e.v #>> '{metadata,name}' AS name,
                       CASE WHEN e.v #>> '{metadata,name}' ~ '\.[-a-z0-9]*[a-z-][-a-z0-9]*$' THEN e.v #>> '{metadata,name}'
                            ELSE e.v #>> '{metadata,name}' || '.' || k8s_import.cluster END AS hostname,
                       nullif(e.v #>> '{status,nodeInfo,osImage}', '') AS os
                  FROM jsonb_array_elements(items) WITH ORDINALITY AS e(v, o)
                 WHERE coalesce(e.v ->> 'kind', 'Node') = 'Node' AND list_kind <> 'PodList') node
          LEFT JOIN mountaineer.import_key k ON k.source = src AND k.kind = 'node' AND k.key = node.name
          LEFT JOIN mountaineer.host h ON h.id = k.row_id;
        summary := summary || (SELECT to_jsonb(i) FROM mountaineer.import_rows(src, 'node', 'mountaineer.host', batch) i);

        -- the cluster's members: one per node (a member made by hand is adopted)
        INSERT INTO mountaineer.import_key AS k (source, kind, key, row_id)
        SELECT src, 'node_member', hk.key, m.id
          FROM mountaineer.import_key hk
          JOIN mountaineer.cluster_member m ON m.cluster_id = cid AND m.host_id = hk.row_id
         WHERE hk.source = src AND hk.kind = 'node'
           AND NOT EXISTS (SELECT FROM mountaineer.import_key k2
                            WHERE k2.source = src AND k2.kind = 'node_member' AND k2.key = hk.key AND k2.row_id = m.id)
        ON CONFLICT ON CONSTRAINT import_key_pkey DO UPDATE SET row_id = excluded.row_id;
        SELECT coalesce(jsonb_agg(jsonb_build_object('key', hk.key, 'path', node.path,
                                                     'row', jsonb_build_object('cluster_id', cid, 'host_id', hk.row_id))
                                  ORDER BY node.o), '[]')
          INTO batch
          FROM (SELECT e.o, format('$.items[%s]', e.o - 1) AS path, e.v #>> '{metadata,name}' AS name
                  FROM jsonb_array_elements(items) WITH ORDINALITY AS e(v, o)
                 WHERE coalesce(e.v ->> 'kind', 'Node') = 'Node' AND list_kind <> 'PodList') node
          JOIN mountaineer.import_key hk ON hk.source = src AND hk.kind = 'node' AND hk.key = node.name;
        summary := summary || (SELECT to_jsonb(i) FROM mountaineer.import_rows(src, 'node_member', 'mountaineer.cluster_member', batch, prune) i);

        -- pod CIDRs: prefixes of the cluster's pod VRF "<cluster> pods"
        -- (every cluster reuses 10.244.0.0/16), made when first needed
        IF EXISTS (SELECT FROM jsonb_array_elements(items) AS e(v)
                    WHERE coalesce(e.v ->> 'kind', 'Node') = 'Node' AND list_kind <> 'PodList'
                      AND (jsonb_array_length(coalesce(e.v #> '{spec,podCIDRs}', '[]')) > 0 OR e.v #> '{spec,podCIDR}' IS NOT NULL)) THEN
            SELECT v.id INTO vid FROM mountaineer.vrf v WHERE v.name = k8s_import.cluster || ' pods';
            IF NOT FOUND THEN
                INSERT INTO mountaineer.vrf (name, description)
                VALUES (k8s_import.cluster || ' pods', 'Pod network of Kubernetes cluster ' || k8s_import.cluster)
                ON CONFLICT (name) DO NOTHING;
                SELECT v.id INTO vid FROM mountaineer.vrf v WHERE v.name = k8s_import.cluster || ' pods';
            END IF;
        END IF;
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'key', node.name || ' ' || (c.v #>> '{}'),
                   'path', format('%s.spec.%s', node.path, CASE WHEN node.v #> '{spec,podCIDRs}' IS NOT NULL
                                                                THEN format('podCIDRs[%s]', c.o - 1) ELSE 'podCIDR' END),
                   'row', jsonb_build_object('vrf_id', vid, 'prefix', c.v, 'description', 'pod CIDR of node ' || left(node.name, 180)))
                   ORDER BY node.o, c.o), '[]')
          INTO batch
          FROM (SELECT e.o, e.v, format('$.items[%s]', e.o - 1) AS path, e.v #>> '{metadata,name}' AS name
                  FROM jsonb_array_elements(items) WITH ORDINALITY AS e(v, o)
                 WHERE coalesce(e.v ->> 'kind', 'Node') = 'Node' AND list_kind <> 'PodList') node,
               jsonb_array_elements(coalesce(node.v #> '{spec,podCIDRs}',
                                             CASE WHEN node.v #> '{spec,podCIDR}' IS NOT NULL
                                                  THEN jsonb_build_array(node.v #> '{spec,podCIDR}') END, '[]'))
                   WITH ORDINALITY AS c(v, o);
        summary := summary || (SELECT to_jsonb(i) FROM mountaineer.import_rows(src, 'pod_cidr', 'mountaineer.prefix', batch, prune) i);

        -- the nodes themselves
        SELECT coalesce(jsonb_agg(jsonb_build_object('key', node.name, 'path', node.path, 'row', jsonb_build_object(
                   'cluster_id', cid,
                   'host_id', hk.row_id,
                   'name', node.name,
                   'uid', node.v #> '{metadata,uid}',
                   'provider_id', node.v #> '{spec,providerID}',
                   'pod_cidrs', coalesce(node.v #> '{spec,podCIDRs}',
                                         CASE WHEN node.v #> '{spec,podCIDR}' IS NOT NULL
                                              THEN jsonb_build_array(node.v #> '{spec,podCIDR}') END, '[]'),
                   'addresses', coalesce(node.v #> '{status,addresses}', '[]'),
                   'labels', coalesce(nullif(node.v #> '{metadata,labels}', 'null'), '{}'),
                   'taints', coalesce(node.v #> '{spec,taints}', '[]'),
                   'kubelet_version', node.v #> '{status,nodeInfo,kubeletVersion}',
                   'ready', (SELECT CASE c ->> 'status' WHEN 'True' THEN true WHEN 'False' THEN false END
                               FROM jsonb_array_elements(coalesce(node.v #> '{status,conditions}', '[]')) c
                              WHERE c ->> 'type' = 'Ready' LIMIT 1)))
                   ORDER BY node.o), '[]')
          INTO batch
          FROM (SELECT e.o, e.v, format('$.items[%s]', e.o - 1) AS path, e.v #>> '{metadata,name}' AS name
                  FROM jsonb_array_elements(items) WITH ORDINALITY AS e(v, o)
                 WHERE coalesce(e.v ->> 'kind', 'Node') = 'Node' AND list_kind <> 'PodList') node
          JOIN mountaineer.import_key hk ON hk.source = src AND hk.kind = 'node' AND hk.key = node.name;
        summary := summary || (SELECT to_jsonb(i) FROM mountaineer.import_rows(src, 'k8s_node', 'mountaineer.k8s_node', batch, prune) i);
        IF cardinality(replaced) > 0 THEN
            BEGIN
                DELETE FROM mountaineer.host h WHERE h.id = ANY (replaced) AND h.cluster_id = cid;
                GET DIAGNOSTICS n = ROW_COUNT;
                summary := summary || jsonb_build_object('object', 'host', 'removed', n);
            EXCEPTION WHEN foreign_key_violation THEN
                NULL;   -- still referred to by other rows: kept, no longer a node's
            END;
        END IF;

    END IF;

    IF has_pods THEN
        IF has_nodes THEN
            -- a pod skipped whose node is no longer the one its node name
            -- resolves to (the nodes just imported) is staged after all
            EXECUTE format($q$
                DELETE FROM %s s USING mountaineer.k8s_pod p
                 WHERE p.id = s.id
                   AND p.node_id IS DISTINCT FROM (SELECT nd.id FROM mountaineer.k8s_node nd
                                                    WHERE nd.cluster_id = p.cluster_id AND nd.name = p.node_name)$q$, same);
            GET DIAGNOSTICS n = ROW_COUNT;
            n_same := n_same - n;
        END IF;
        -- the other pods staged as rows of text and jsonb, cast by
        -- import_staged() (which names a value that does not parse by its
        -- path and column), each with the digest of its JSON
        q := $q$
            CREATE TEMP TABLE k8s_import_pod ON COMMIT DROP AS
            SELECT e.v #>> '{metadata,uid}' AS key, format('$.items[%s]', e.o - 1) AS path,
                   $2 AS cluster_id,
                   e.v #>> '{metadata,uid}' AS uid,
                   e.v #>> '{metadata,namespace}' AS namespace,
                   e.v #>> '{metadata,name}' AS name,
                   (SELECT nd.id FROM mountaineer.k8s_node nd WHERE nd.cluster_id = $2 AND nd.name = e.v #>> '{spec,nodeName}') AS node_id,
                   e.v #>> '{spec,nodeName}' AS node_name,
                   coalesce(e.v #>> '{status,phase}', 'Pending') AS phase,
                   coalesce(nullif(ARRAY(SELECT p ->> 'ip' FROM jsonb_array_elements(e.v #> '{status,podIPs}') AS p(p)), '{}'),
                            CASE WHEN e.v #> '{status,podIP}' IS NOT NULL THEN ARRAY[e.v #>> '{status,podIP}'] END,
                            '{}') AS pod_ips,
                   coalesce((e.v #> '{spec,hostNetwork}')::boolean, false) AS host_network,
                   coalesce(nullif(e.v #> '{metadata,labels}', 'null'), '{}') AS labels,
                   owner.o ->> 'kind' AS owner_kind,
                   owner.o ->> 'name' AS owner_name,
                   coalesce((SELECT jsonb_agg(jsonb_build_object('name', c -> 'name', 'image', c -> 'image'))
                               FROM jsonb_array_elements(e.v #> '{spec,containers}') AS c(c)), '[]') AS containers,
                   e.v #>> '{metadata,creationTimestamp}' AS created_at,
                   sha256(convert_to(e.v::text, 'UTF8')) AS source_digest
              FROM jsonb_array_elements($1) WITH ORDINALITY AS e(v, o),
                   -- the controlling owner, else the first
                   LATERAL (SELECT coalesce((SELECT r FROM jsonb_array_elements(e.v #> '{metadata,ownerReferences}') AS r(r)
                                              WHERE r -> 'controller' = 'true' LIMIT 1),
                                            e.v #> '{metadata,ownerReferences,0}')) AS owner(o)
             WHERE coalesce(e.v ->> 'kind', 'Pod') = 'Pod' AND $3 <> 'NodeList'
               AND NOT EXISTS (SELECT FROM pg_temp.k8s_import_same s WHERE s.o = e.o)
               AND $4   -- false: every pod skipped, none to stage$q$;
        EXECUTE q USING items, cid, list_kind, NOT all_same;
        IF prune THEN
            -- the pods skipped are there still: staged as they are, so
            -- that the prune keeps them (and counts them unchanged)
            EXECUTE format($q$
                INSERT INTO %s (key, path, cluster_id, uid, namespace, name, node_id, node_name,
                                                    phase, pod_ips, host_network, labels, owner_kind, owner_name,
                                                    containers, created_at, source_digest)
                SELECT s.key, format('$.items[%%s]', s.o - 1), p.cluster_id, p.uid::text, p.namespace, p.name,
                       p.node_id, p.node_name, p.phase::text, p.pod_ips::text[], p.host_network, p.labels,
                       p.owner_kind, p.owner_name, p.containers,
                       to_jsonb(p.created_at) #>> '{}',   -- ISO 8601 with its offset, whatever the DateStyle
                       p.source_digest
                  FROM %s s JOIN mountaineer.k8s_pod p ON p.id = s.id$q$, pods, same);
        ELSIF n_same > 0 THEN
            summary := summary || jsonb_build_object('object', 'pod', 'unchanged', n_same);
        END IF;
        summary := summary || (SELECT to_jsonb(i) FROM mountaineer.import_staged(src, 'pod', 'mountaineer.k8s_pod',
                                                                                 pods::regclass, prune) i);
        EXECUTE format('DROP TABLE %s', pods);
    END IF;
    EXECUTE format('DROP TABLE %s', same);

    IF has_nodes AND prune THEN
        -- the hosts of nodes gone: the import's own are deleted (or kept,
        -- counted as removed, when other rows still refer to them); a host
        -- it only linked to loses the link and stays as it is
        DELETE FROM mountaineer.import_key k
         WHERE k.source = src AND k.kind = 'node'
           AND NOT EXISTS (SELECT FROM jsonb_array_elements(items) AS e(v)
                            WHERE coalesce(e.v ->> 'kind', 'Node') = 'Node' AND e.v #>> '{metadata,name}' = k.key)
           AND EXISTS (SELECT FROM mountaineer.host h WHERE h.id = k.row_id AND h.cluster_id IS DISTINCT FROM cid);
        SELECT coalesce(jsonb_agg(jsonb_build_object('key', k.key, 'row', jsonb_build_object(
                   'hostname', h.hostname, 'environment_id', h.environment_id, 'cluster_id', h.cluster_id,
                   'device_id', h.device_id, 'parent_host_id', h.parent_host_id, 'operating_system', h.operating_system))), '[]')
          INTO batch
          FROM mountaineer.import_key k JOIN mountaineer.host h ON h.id = k.row_id
         WHERE k.source = src AND k.kind = 'node'
           AND EXISTS (SELECT FROM jsonb_array_elements(items) AS e(v)
                        WHERE coalesce(e.v ->> 'kind', 'Node') = 'Node' AND e.v #>> '{metadata,name}' = k.key);
        summary := summary || (SELECT to_jsonb(i) - 'unchanged' - 'inserted' - 'updated'
                                 FROM mountaineer.import_rows(src, 'node', 'mountaineer.host', batch, true,
                                                              jsonb_build_object('cluster_id', cid)) i);
    END IF;

    -- one row per table, in the order of the tables' dependencies
    RETURN QUERY
        SELECT x.obj,
               sum(coalesce((x.s ->> 'inserted')::int, 0))::int, sum(coalesce((x.s ->> 'updated')::int, 0))::int,
               sum(coalesce((x.s ->> 'unchanged')::int, 0))::int, sum(coalesce((x.s ->> 'removed')::int, 0))::int
          FROM (SELECT CASE e.s ->> 'object' WHEN 'node' THEN 'host' WHEN 'node_member' THEN 'cluster_member'
                                             WHEN 'pod_cidr' THEN 'prefix' WHEN 'pod' THEN 'k8s_pod'
                                             ELSE e.s ->> 'object' END AS obj, e.s
                  FROM jsonb_array_elements(summary) AS e(s)) x
         GROUP BY x.obj
         ORDER BY array_position(ARRAY['host', 'cluster_member', 'k8s_node', 'prefix', 'k8s_pod'], x.obj);
END
$$;
COMMENT ON FUNCTION mountaineer.k8s_import(text, jsonb, boolean) IS
    'Imports a Kubernetes cluster''s nodes and pods from kubectl get nodes -o json, kubectl get pods -A -o json or a List of both: a node becomes a host (its EC2 instance''s host when the EC2 import has mapped its providerID, or a host of the same name, else a new one scheduled on the cluster), a member of the cluster, a k8s_node row and its pod CIDRs prefixes of the VRF "<cluster> pods"; a pod a k8s_pod row. Idempotent: an unchanged document writes nothing. With prune, the nodes (or pods) of the cluster absent from a document of nodes (of pods) are removed. Returns per table: inserted, updated, unchanged, removed.';
REVOKE EXECUTE ON FUNCTION mountaineer.k8s_import(text, jsonb, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.k8s_import(text, jsonb, boolean) TO mountaineer_editor;
