-- Sample estate for mountaineer_hosts: environments, roles, bare-metal hosts
-- on the demo servers, a KVM cluster with VMs, a Kubernetes cluster with
-- containers, a PDU's management host and some grains.
SET search_path = mountaineer, public;

INSERT INTO environment (name, hostname_regex, description, monitored) VALUES
    ('prod',  '[a-z0-9-]+\.prod\.example\.net', 'Production', true),
    ('stage', '[a-z0-9-]+\.stage\.example\.net', 'Staging', false),
    ('mgmt',  '[a-z0-9-]+\.mgmt\.example\.net', 'Out-of-band management', true);

INSERT INTO role (name, description) VALUES
    ('hypervisor', 'KVM host'), ('k8s-node', 'Kubernetes worker'), ('web', 'nginx front end'),
    ('db', 'PostgreSQL'), ('storage', 'Ceph OSD'), ('monitoring', 'Prometheus');

-- bare metal: A01's compute servers are prod hypervisors, A02's are stage, the
-- 2U boxes are storage
INSERT INTO host (hostname, environment_id, operating_system, device_id)
SELECT d.name || '.' || e.name || '.example.net', e.id, 'Debian 12', d.id
FROM device d JOIN rack r ON r.id = d.rack_id
JOIN environment e ON e.name = CASE WHEN r.name = 'A02' THEN 'stage' ELSE 'prod' END
WHERE d.kind = 'server';
INSERT INTO host_role (host_id, role_id)
SELECT h.id, ro.id FROM host h JOIN device d ON d.id = h.device_id, role ro
WHERE ro.name = CASE WHEN d.units = 2 THEN 'storage' ELSE 'hypervisor' END;

-- the PDUs' management interfaces
INSERT INTO host (hostname, environment_id, device_id)
SELECT d.name || '.mgmt.example.net', e.id, d.id
FROM device d, environment e WHERE d.kind = 'pdu' AND e.name = 'mgmt';

-- a KVM cluster of A01's hypervisors with VMs scheduled on it
INSERT INTO cluster (name, kind, description) VALUES
    ('kvm-ams1', 'kvm', 'Production KVM pool'),
    ('k8s-ams1', 'kubernetes', 'Production Kubernetes');
INSERT INTO cluster_member (cluster_id, host_id)
SELECT c.id, h.id FROM cluster c, host h
WHERE c.name = 'kvm-ams1' AND h.hostname LIKE 'a01-c0%.prod.example.net';
INSERT INTO host (hostname, environment_id, operating_system, cluster_id)
SELECT v.name || '.prod.example.net', e.id, 'Debian 12', c.id
FROM (VALUES ('web1'), ('web2'), ('db1'), ('db2'), ('prom1'), ('k8s-w1'), ('k8s-w2'), ('k8s-w3')) v(name),
     environment e, cluster c
WHERE e.name = 'prod' AND c.name = 'kvm-ams1';
INSERT INTO host_role (host_id, role_id)
SELECT h.id, ro.id FROM host h, role ro
WHERE (h.hostname LIKE 'web%' AND ro.name = 'web') OR (h.hostname LIKE 'db%' AND ro.name = 'db')
   OR (h.hostname LIKE 'prom%' AND ro.name = 'monitoring') OR (h.hostname LIKE 'k8s-w%' AND ro.name = 'k8s-node');

-- the Kubernetes cluster runs on three of those VMs; containers are scheduled on it
INSERT INTO cluster_member (cluster_id, host_id)
SELECT c.id, h.id FROM cluster c, host h WHERE c.name = 'k8s-ams1' AND h.hostname LIKE 'k8s-w%';
INSERT INTO host (hostname, environment_id, kind, cluster_id)
SELECT format('api-%s.prod.example.net', n), e.id, 'container', c.id
FROM generate_series(1, 3) n, environment e, cluster c WHERE e.name = 'prod' AND c.name = 'k8s-ams1';

-- a static VM and a container directly on a stage host
INSERT INTO host (hostname, environment_id, operating_system, parent_host_id)
SELECT 'ci1.stage.example.net', e.id, 'Ubuntu 24.04', h.id
FROM environment e, host h WHERE e.name = 'stage' AND h.hostname = 'a02-c01.stage.example.net';
INSERT INTO host (hostname, environment_id, kind, parent_host_id)
SELECT 'runner1.stage.example.net', e.id, 'container', h.id
FROM environment e, host h WHERE e.name = 'stage' AND h.hostname = 'ci1.stage.example.net';

-- grains, and a maintenance window that started an hour ago
INSERT INTO grain (host_id, name, value)
SELECT h.id, g.name, g.value FROM host h,
    (VALUES ('datacenter', '"ams1"'::jsonb), ('virtual', '"kvm"'), ('mem_total', '16384')) g(name, value)
WHERE h.cluster_id = (SELECT id FROM cluster WHERE name = 'kvm-ams1');
INSERT INTO monitoring_exception (host_id, monitored, during, reason)
SELECT id, false, tstzrange(now() - interval '1 hour', now() + interval '3 hours'), 'BIOS upgrade'
FROM host WHERE hostname = 'a01-c03.prod.example.net';

-- Host status (1.5; an older release stops here): db2 is planned (its
-- address is already allocated), a03-c08's operating system goes with the
-- server being decommissioned.
SELECT string_to_array(extversion, '.')::int[] >= '{1,5}' AS has_host_status
FROM pg_extension WHERE extname = 'mountaineer_hosts' \gset
\if :has_host_status
UPDATE host SET status = 'planned' WHERE hostname = 'db2.prod.example.net';
UPDATE host SET status = 'decommissioning' WHERE hostname = 'a03-c08.prod.example.net';
\endif

-- Cluster types, a cluster's site, VM sizes and tenants (1.6; an older
-- release stops here): the KVM pool's VMs have the 16 GB their grains
-- report, the shop's web and database VMs are the web shop's.
SELECT string_to_array(extversion, '.')::int[] >= '{1,6}' AS has_vm_sizes
FROM pg_extension WHERE extname = 'mountaineer_hosts' \gset
\if :has_vm_sizes
INSERT INTO tenant (name, description) VALUES ('web shop', 'The online shop team')
    ON CONFLICT (name) DO NOTHING;
INSERT INTO cluster_type (name, description) VALUES
    ('KVM (libvirt)', 'KVM hypervisors managed through libvirt'),
    ('Kubernetes', 'Upstream Kubernetes');
UPDATE cluster c SET type_id = t.id, site_id = s.id
  FROM cluster_type t, site s
 WHERE s.name = 'ams1'
   AND (c.name, t.name) IN (('kvm-ams1', 'KVM (libvirt)'), ('k8s-ams1', 'Kubernetes'));
UPDATE host h SET vcpus = v.vcpus, memory_mb = 16384, disk_mb = v.disk_mb
  FROM (VALUES ('web', 4, 40000), ('db', 8, 500000), ('prom', 2, 200000), ('k8s-w', 8, 100000)) v(name, vcpus, disk_mb)
 WHERE h.cluster_id = (SELECT id FROM cluster WHERE name = 'kvm-ams1')
   AND h.hostname ~ ('^' || v.name || '[0-9]+\.');
UPDATE host SET vcpus = 0.5, memory_mb = 512 WHERE hostname LIKE 'api-%.prod.example.net';
UPDATE host SET tenant_id = (SELECT id FROM tenant WHERE name = 'web shop')
 WHERE hostname ~ '^(web|db)[0-9]+\.prod\.example\.net$';
\endif
