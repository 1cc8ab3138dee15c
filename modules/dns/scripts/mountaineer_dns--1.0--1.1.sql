-- mountaineer_dns 1.0 -> 1.1 (needs mountaineer 1.5: update it first): tags and
-- attributes on its inventory tables.
\echo Use "ALTER EXTENSION mountaineer_dns UPDATE TO '1.1'" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regprocedure('mountaineer.manage_attributes(regclass)') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_dns 1.1 needs mountaineer 1.5'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;

-- == tags and attributes (1.1) ==
-- tags and attributes on every inventory table
-- (mountaineer.manage_attributes, core 1.5); exempt: the pdns.* tables
-- (derived: PowerDNS's copy, kept by triggers); dns_record holds only records
-- written by hand, so it is tagged like any inventory row.
SELECT mountaineer.manage_attributes('mountaineer.dns_zone');
SELECT mountaineer.manage_attributes('mountaineer.dns_record');
-- End: tags and attributes (1.1)
