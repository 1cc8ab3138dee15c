-- mountaineer_hosts 1.5 -> 1.6: what the NetBox migration (mountaineer_netbox) needs
-- besides 1.5: cluster types, a cluster's site, VM sizes, tenants of hosts
-- and clusters; see the blocks below. Needs mountaineer 1.6: update it first.
\echo Use "ALTER EXTENSION mountaineer_hosts UPDATE TO '1.6'" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regclass('mountaineer.tenant') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_hosts 1.6 needs mountaineer 1.6'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;

-- == tenants, cluster types and VM sizes (1.6) ==
-- What NetBox's virtualization app has and 1.5 had not: free-form cluster
-- types (cluster.kind stays the fixed enum of what schedules the guests), a
-- cluster's site, a VM's size, and the tenant (core 1.6) of hosts and
-- clusters.  The same text in the full script and the upgrade script, so a
-- fresh install and an upgraded one have the same columns in the same order.
CREATE TABLE mountaineer.cluster_type (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL UNIQUE CONSTRAINT cluster_type_name_check CHECK (mountaineer.is_valid_name(name)),
    description text CONSTRAINT cluster_type_description_check CHECK (mountaineer.is_valid_name(description, 200))
);
COMMENT ON TABLE mountaineer.cluster_type IS
    'A free-form type of cluster (NetBox''s cluster type, e.g. "VMware vSphere 8", "Proxmox VE"); clusters name theirs in type_id. A type that clusters name cannot be deleted (23503, naming them).';
COMMENT ON COLUMN mountaineer.cluster_type.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.cluster_type.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.cluster_type.name IS 'Unique; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.cluster_type.description IS 'Free text, at most 200 characters.';
SELECT mountaineer.manage_table('mountaineer.cluster_type');
SELECT mountaineer.manage_attributes('mountaineer.cluster_type');
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.cluster_type
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

ALTER TABLE mountaineer.cluster
    ADD COLUMN type_id uuid REFERENCES mountaineer.cluster_type ON DELETE RESTRICT,
    ADD COLUMN site_id uuid REFERENCES mountaineer.site ON DELETE RESTRICT,
    ADD COLUMN tenant_id uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT;
CREATE INDEX cluster_type_idx ON mountaineer.cluster (type_id);
CREATE INDEX cluster_site_idx ON mountaineer.cluster (site_id);
CREATE INDEX cluster_tenant_idx ON mountaineer.cluster (tenant_id);
COMMENT ON COLUMN mountaineer.cluster.type_id IS 'Its free-form type (cluster_type), e.g. NetBox''s cluster type; NULL: none. kind says what schedules it.';
COMMENT ON COLUMN mountaineer.cluster.site_id IS 'The site it stands at; NULL: not at one site (spread over several, or in a cloud).';
COMMENT ON COLUMN mountaineer.cluster.tenant_id IS 'Whom it is for (tenant); NULL: nobody in particular.';

-- Sizes only on guests, as NetBox has them on virtual machines only: a
-- bare-metal host's or a peripheral's size is its hardware's.  kind is
-- derived by host_check() (BEFORE), so the CHECK sees the derived kind: a
-- guest with sizes moved onto a device is refused until they are cleared.
ALTER TABLE mountaineer.host
    ADD COLUMN vcpus numeric(7,2) CONSTRAINT host_vcpus_check CHECK (vcpus > 0),
    ADD COLUMN memory_mb integer CONSTRAINT host_memory_mb_check CHECK (memory_mb >= 0),
    ADD COLUMN disk_mb bigint CONSTRAINT host_disk_mb_check CHECK (disk_mb >= 0),
    ADD COLUMN tenant_id uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT,
    ADD CONSTRAINT host_sizes_guests_only
        CHECK (kind IN ('virtual_machine', 'container') OR num_nonnulls(vcpus, memory_mb, disk_mb) = 0);
CREATE INDEX host_tenant_idx ON mountaineer.host (tenant_id);
COMMENT ON COLUMN mountaineer.host.vcpus IS 'Virtual CPUs given to a virtual machine or container (more than 0, two decimals: 0.5 is half a CPU); NULL: unknown, and always on bare_metal and peripheral hosts.';
COMMENT ON COLUMN mountaineer.host.memory_mb IS 'Memory given to a virtual machine or container, in MB as NetBox stores it (at least 0); NULL: unknown, and always on bare_metal and peripheral hosts.';
COMMENT ON COLUMN mountaineer.host.disk_mb IS 'Disk given to a virtual machine or container, in MB as NetBox 4.1 counts it (NetBox 3.7 counts GB: the NetBox import converts), at least 0; NULL: unknown, and always on bare_metal and peripheral hosts.';
COMMENT ON COLUMN mountaineer.host.tenant_id IS 'Whom it is for (tenant); NULL: nobody in particular.';
COMMENT ON CONSTRAINT host_sizes_guests_only ON mountaineer.host IS
    'vcpus, memory_mb and disk_mb are set only on virtual machines and containers (23514).';
-- End: tenants, cluster types and VM sizes (1.6)
