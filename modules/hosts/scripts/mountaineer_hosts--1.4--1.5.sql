-- mountaineer_hosts 1.4 -> 1.5: the model issue 12 asks for (device types, site
-- hierarchy, status, tags and attributes, circuits, VLAN groups, power),
-- the cluster kind ec2; needs mountaineer 1.5: update it first.
\echo Use "ALTER EXTENSION mountaineer_hosts UPDATE TO '1.5'" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regprocedure('mountaineer.manage_attributes(regclass)') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_hosts 1.5 needs mountaineer 1.5'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;


-- == status (1.5) ==
-- A lifecycle status on hosts; the same text in the full script and the
-- upgrade script (the column is added here in both, and the views that
-- read it are replaced here).
-- It reads device.status: mountaineer_hardware 1.5 first.
DO $$
BEGIN
    IF pg_catalog.to_regtype('mountaineer.device_status') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_hosts 1.5 needs mountaineer_hardware 1.5'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer_hardware UPDATE first.';
    END IF;
END
$$;

CREATE TYPE mountaineer.host_status AS ENUM ('planned', 'staged', 'active', 'offline', 'failed', 'decommissioning');
COMMENT ON TYPE mountaineer.host_status IS
    'Lifecycle of a host: planned (to be built), staged (being installed or configured), active (in service), offline (shut down on purpose), failed (broken), decommissioning (to be removed).';

-- No rule ties it to its device's status or its parent host's (README:
-- Host status): a host is planned on a device being staged, a VM stays
-- active while its hypervisor is being drained.
ALTER TABLE mountaineer.host
    ADD COLUMN status mountaineer.host_status NOT NULL DEFAULT 'active';
COMMENT ON COLUMN mountaineer.host.status IS 'planned, staged, active (the default), offline, failed or decommissioning.';

CREATE OR REPLACE VIEW mountaineer.host_detail AS
SELECT h.id, h.slug, h.hostname,
       mountaineer.host_shortname(h.hostname) AS shortname,
       mountaineer.host_domain(h.hostname) AS domain,
       h.kind, e.name AS environment, h.operating_system,
       coalesce(x.monitored, e.monitored) AS monitored_now,
       coalesce((SELECT array_agg(r.name ORDER BY r.name)
                   FROM mountaineer.host_role hr JOIN mountaineer.role r ON r.id = hr.role_id
                  WHERE hr.host_id = h.id), '{}') AS roles,
       coalesce(up.chain, '{}') AS parent_hosts,
       c.name AS cluster,
       d.name AS device, d.kind AS device_kind,
       s.name AS site, r.name AS rack, d.position,
       h.status, d.status AS device_status
FROM mountaineer.host h
JOIN mountaineer.environment e ON e.id = h.environment_id
LEFT JOIN mountaineer.monitoring_exception x ON x.host_id = h.id AND x.during @> now()
-- walk up the parent hosts to the one that runs on a device or a cluster
LEFT JOIN LATERAL (
    WITH RECURSIVE up AS (
        SELECT p.id, p.parent_host_id, p.device_id, p.cluster_id, p.hostname, 1 AS depth
          FROM mountaineer.host p WHERE p.id = h.parent_host_id
        UNION ALL
        SELECT p.id, p.parent_host_id, p.device_id, p.cluster_id, p.hostname, up.depth + 1
          FROM up JOIN mountaineer.host p ON p.id = up.parent_host_id
         WHERE up.depth < 100
    )
    SELECT array_agg(up.hostname ORDER BY up.depth) AS chain,
           (array_agg(up.device_id ORDER BY up.depth DESC))[1] AS device_id,
           (array_agg(up.cluster_id ORDER BY up.depth DESC))[1] AS cluster_id
      FROM up
) up ON true
LEFT JOIN mountaineer.cluster c ON c.id = coalesce(h.cluster_id, up.cluster_id)
LEFT JOIN mountaineer.device d ON d.id = coalesce(h.device_id, up.device_id)
LEFT JOIN mountaineer.rack r ON r.id = d.rack_id
LEFT JOIN mountaineer.site s ON s.id = r.site_id;
COMMENT ON COLUMN mountaineer.host_detail.status IS 'The host''s status: planned, staged, active, offline, failed or decommissioning.';
COMMENT ON COLUMN mountaineer.host_detail.device_status IS 'The status of the device at the bottom of its chain (planned, staged, active, offline, failed, inventory or decommissioning); NULL when it runs on a cluster.';

CREATE OR REPLACE VIEW mountaineer.host_summary AS
SELECT e.name AS environment, r.name AS role,
       count(*) AS hosts,
       count(*) FILTER (WHERE h.kind = 'bare_metal') AS bare_metal,
       count(*) FILTER (WHERE h.kind = 'virtual_machine') AS virtual_machines,
       count(*) FILTER (WHERE h.kind = 'container') AS containers,
       count(*) FILTER (WHERE h.kind = 'peripheral') AS peripherals,
       count(*) FILTER (WHERE coalesce(x.monitored, e.monitored)) AS monitored_now,
       count(*) FILTER (WHERE h.status = 'active') AS active,
       count(*) FILTER (WHERE h.status = 'planned') AS planned,
       count(*) FILTER (WHERE h.status = 'decommissioning') AS decommissioning
FROM mountaineer.host h
JOIN mountaineer.environment e ON e.id = h.environment_id
LEFT JOIN mountaineer.host_role hr ON hr.host_id = h.id
LEFT JOIN mountaineer.role r ON r.id = hr.role_id
-- a host's monitoring exceptions never overlap: at most one covers now()
LEFT JOIN mountaineer.monitoring_exception x ON x.host_id = h.id AND x.during @> now()
GROUP BY e.name, r.name;
COMMENT ON VIEW mountaineer.host_summary IS
    'For BI tools: per environment and role, how many hosts there are (of any status; how many are active, planned and decommissioning), of each kind, and how many are monitored now. A host with several roles counts once under each; hosts with no role are under role NULL; environments without hosts have no row.';
COMMENT ON COLUMN mountaineer.host_summary.active IS 'How many of them are active.';
COMMENT ON COLUMN mountaineer.host_summary.planned IS 'How many of them are planned.';
COMMENT ON COLUMN mountaineer.host_summary.decommissioning IS 'How many of them are decommissioning.';
-- End: status (1.5)


-- == tags and attributes (1.5) ==
-- tags and attributes on every inventory table (mountaineer.manage_attributes,
-- core 1.5); exempt: cluster_member and host_role (join rows: what they join
-- carries them), grain (facts Salt reports, not inventory) and host_move_lock
-- (derived).
SELECT mountaineer.manage_attributes('mountaineer.environment');
SELECT mountaineer.manage_attributes('mountaineer.role');
SELECT mountaineer.manage_attributes('mountaineer.cluster');
SELECT mountaineer.manage_attributes('mountaineer.host');
SELECT mountaineer.manage_attributes('mountaineer.monitoring_exception');
-- End: tags and attributes (1.5)


-- == cluster kind ec2 (1.5) ==
-- The EC2 import (mountaineer_ec2) makes one cluster of this kind per AWS
-- region; the value cannot be used in the transaction that adds it.
ALTER TYPE mountaineer.cluster_kind ADD VALUE 'ec2' AFTER 'ecs';
-- End: cluster kind ec2 (1.5)
