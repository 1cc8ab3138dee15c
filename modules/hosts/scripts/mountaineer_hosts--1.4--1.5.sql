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
