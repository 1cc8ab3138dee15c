-- 1.6: cluster types, a cluster's site and tenant, VM sizes and host
-- tenants (what the NetBox migration maps onto).  Runs after hosts.sql, on
-- the demo estate it loaded; its own rows are removed at the end.
SET search_path = mountaineer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO tenant (name) VALUES ('t-vm-sizes'), ('t-vm-sizes-unused');
INSERT INTO site (name) VALUES ('vm-sizes-site');
INSERT INTO cluster_type (name, description) VALUES ('vm-sizes VMware vSphere 8', 'a NetBox cluster type');
INSERT INTO cluster (name, kind, type_id, site_id, tenant_id)
SELECT 'vm-sizes-cl', 'vmware', ct.id, s.id, t.id
  FROM cluster_type ct, site s, tenant t
 WHERE ct.name = 'vm-sizes VMware vSphere 8' AND s.name = 'vm-sizes-site' AND t.name = 't-vm-sizes';
INSERT INTO host (hostname, environment_id, cluster_id, vcpus, memory_mb, disk_mb, tenant_id)
SELECT 'vmsize1.prod.example.net', e.id, c.id, 0.5, 2048, 40000, t.id
  FROM environment e, cluster c, tenant t
 WHERE e.name = 'prod' AND c.name = 'vm-sizes-cl' AND t.name = 't-vm-sizes';
INSERT INTO host (hostname, environment_id, kind, cluster_id, vcpus)
SELECT 'ctsize1.prod.example.net', e.id, 'container', c.id, 2
  FROM environment e, cluster c WHERE e.name = 'prod' AND c.name = 'vm-sizes-cl';
SELECT h.hostname, h.kind, h.vcpus, h.memory_mb, h.disk_mb, t.name AS tenant, c.name AS cluster,
       ct.name AS cluster_type, s.name AS cluster_site, ct.tags, ct.attributes
  FROM host h JOIN cluster c ON c.id = h.cluster_id
  LEFT JOIN tenant t ON t.id = h.tenant_id
  JOIN cluster_type ct ON ct.id = c.type_id JOIN site s ON s.id = c.site_id
 WHERE c.name = 'vm-sizes-cl' ORDER BY h.hostname;
-- the demo estate's sizes and types (a guest may have no size: unknown)
SELECT h.hostname, h.kind, h.vcpus, h.memory_mb, h.disk_mb, t.name AS tenant
  FROM host h LEFT JOIN tenant t ON t.id = h.tenant_id
 WHERE num_nonnulls(h.vcpus, h.memory_mb, h.disk_mb, h.tenant_id) > 0 AND h.hostname NOT LIKE '%size1.%'
 ORDER BY h.hostname;
SELECT c.name, c.kind, ct.name AS type, s.name AS site FROM cluster c
  LEFT JOIN cluster_type ct ON ct.id = c.type_id LEFT JOIN site s ON s.id = c.site_id
 WHERE c.name <> 'vm-sizes-cl' ORDER BY c.name;

-- refusals, with their messages (CHECKs tersely: their DETAIL lists the row's ids)
\set VERBOSITY terse
UPDATE host SET vcpus = 0 WHERE hostname = 'vmsize1.prod.example.net';
\echo :LAST_ERROR_SQLSTATE
UPDATE host SET vcpus = -1.5 WHERE hostname = 'vmsize1.prod.example.net';
\echo :LAST_ERROR_SQLSTATE
UPDATE host SET vcpus = 100000 WHERE hostname = 'vmsize1.prod.example.net';
\echo :LAST_ERROR_SQLSTATE
UPDATE host SET memory_mb = -1 WHERE hostname = 'vmsize1.prod.example.net';
\echo :LAST_ERROR_SQLSTATE
UPDATE host SET disk_mb = -1 WHERE hostname = 'vmsize1.prod.example.net';
\echo :LAST_ERROR_SQLSTATE
-- sizes only on virtual machines and containers: not on bare metal
UPDATE host SET memory_mb = 65536 WHERE hostname = 'a01-c01.prod.example.net';
\echo :LAST_ERROR_SQLSTATE
-- nor on a peripheral
UPDATE host SET disk_mb = 0 WHERE hostname LIKE '%pdu%.mgmt.example.net';
\echo :LAST_ERROR_SQLSTATE
-- a sized VM moved onto a server becomes bare metal: refused until cleared
INSERT INTO device (name, kind) VALUES ('vm-sizes-srv', 'server');
UPDATE host SET cluster_id = NULL, device_id = (SELECT id FROM device WHERE name = 'vm-sizes-srv')
 WHERE hostname = 'vmsize1.prod.example.net';
\echo :LAST_ERROR_SQLSTATE
UPDATE host SET cluster_id = NULL, device_id = (SELECT id FROM device WHERE name = 'vm-sizes-srv'),
                vcpus = NULL, memory_mb = NULL, disk_mb = NULL
 WHERE hostname = 'vmsize1.prod.example.net' RETURNING hostname, kind, vcpus;
INSERT INTO cluster_type (name) VALUES ('vm-sizes VMware vSphere 8');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO cluster_type (name) VALUES (' padded');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO cluster (name, kind, type_id) VALUES ('vm-sizes-bad', 'kvm', gen_random_uuid());
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- deletes of what rows name are refused, naming the rows
DELETE FROM cluster_type WHERE name = 'vm-sizes VMware vSphere 8';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM tenant WHERE name = 't-vm-sizes';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM site WHERE name = 'vm-sizes-site';
\echo :LAST_ERROR_SQLSTATE
-- the host's tenant, once the cluster's is cleared
UPDATE cluster SET tenant_id = NULL WHERE name = 'vm-sizes-cl';
DELETE FROM tenant WHERE name = 't-vm-sizes';
\echo :LAST_ERROR_SQLSTATE
-- an unused tenant goes
DELETE FROM tenant WHERE name = 't-vm-sizes-unused';

-- the foreign keys have their indexes
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'mountaineer'::regnamespace AND c.relkind = 'i'
   AND c.relname IN ('cluster_type_idx', 'cluster_site_idx', 'cluster_tenant_idx', 'host_tenant_idx')
 ORDER BY 1;

-- clean up
DELETE FROM host WHERE hostname IN ('vmsize1.prod.example.net', 'ctsize1.prod.example.net');
DELETE FROM device WHERE name = 'vm-sizes-srv';
DELETE FROM cluster WHERE name = 'vm-sizes-cl';
DELETE FROM cluster_type WHERE name = 'vm-sizes VMware vSphere 8';
DELETE FROM site WHERE name = 'vm-sizes-site';
DELETE FROM tenant WHERE name = 't-vm-sizes';
