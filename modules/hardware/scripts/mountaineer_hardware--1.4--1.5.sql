-- mountaineer_hardware 1.4 -> 1.5: the model issue 12 asks for (device types, site
-- hierarchy, status, tags and attributes, circuits, VLAN groups, power);
-- needs mountaineer 1.5: update it first.
\echo Use "ALTER EXTENSION mountaineer_hardware UPDATE TO '1.5'" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regprocedure('mountaineer.manage_attributes(regclass)') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_hardware 1.5 needs mountaineer 1.5'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;


-- == device types (1.5) ==
-- End: device types (1.5)


-- == sites, regions, locations and status (1.5) ==
-- End: sites, regions, locations and status (1.5)


-- == tags and attributes (1.5) ==
-- tags and attributes on every inventory table (mountaineer.manage_attributes,
-- core 1.5); exempt: server, pdu and network_device (one with their device,
-- which carries them) and cable_end (one with its cable).
SELECT mountaineer.manage_attributes('mountaineer.site');
SELECT mountaineer.manage_attributes('mountaineer.rack');
SELECT mountaineer.manage_attributes('mountaineer.device');
SELECT mountaineer.manage_attributes('mountaineer.port');
SELECT mountaineer.manage_attributes('mountaineer.cable');
-- End: tags and attributes (1.5)


-- == circuits (1.5) ==
-- End: circuits (1.5)


-- == power (1.5) ==
-- End: power (1.5)
