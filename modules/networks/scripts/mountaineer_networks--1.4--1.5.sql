-- mountaineer_networks 1.4 -> 1.5: the model issue 12 asks for (device types, site
-- hierarchy, status, tags and attributes, circuits, VLAN groups, power);
-- needs mountaineer 1.5: update it first.
\echo Use "ALTER EXTENSION mountaineer_networks UPDATE TO '1.5'" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regprocedure('mountaineer.manage_attributes(regclass)') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_networks 1.5 needs mountaineer 1.5'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;


-- == VLAN groups (1.5) ==
-- End: VLAN groups (1.5)


-- == tags and attributes (1.5) ==
-- tags and attributes on every inventory table (mountaineer.manage_attributes,
-- core 1.5); exempt: prefix_free and vrf_lock (derived, kept by triggers).
SELECT mountaineer.manage_attributes('mountaineer.vrf');
SELECT mountaineer.manage_attributes('mountaineer.vlan');
SELECT mountaineer.manage_attributes('mountaineer.prefix');
SELECT mountaineer.manage_attributes('mountaineer.ip_range');
SELECT mountaineer.manage_attributes('mountaineer.ip_address');
SELECT mountaineer.manage_attributes('mountaineer.rir');
SELECT mountaineer.manage_attributes('mountaineer.asn_range');
SELECT mountaineer.manage_attributes('mountaineer.asn');
-- End: tags and attributes (1.5)
