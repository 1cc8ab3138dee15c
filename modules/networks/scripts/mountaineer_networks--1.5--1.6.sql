-- mountaineer_networks 1.5 -> 1.6: what the NetBox migration (mountaineer_netbox) needs
-- besides 1.5: see the blocks below. Needs mountaineer 1.6: update it first.
\echo Use "ALTER EXTENSION mountaineer_networks UPDATE TO '1.6'" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regclass('mountaineer.tenant') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_networks 1.6 needs mountaineer 1.6'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;

-- == route targets and aggregates (1.6) ==
-- End: route targets and aggregates (1.6)

-- == address and VLAN status (1.6) ==
-- End: address and VLAN status (1.6)

-- == tenants (1.6) ==
-- End: tenants (1.6)
