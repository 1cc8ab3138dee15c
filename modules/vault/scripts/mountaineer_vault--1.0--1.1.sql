-- mountaineer_vault 1.0 -> 1.1 (needs mountaineer 1.5: update it first): tags and
-- attributes on its inventory tables.
\echo Use "ALTER EXTENSION mountaineer_vault UPDATE TO '1.1'" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regprocedure('mountaineer.manage_attributes(regclass)') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_vault 1.1 needs mountaineer 1.5'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;

-- == tags and attributes (1.1) ==
-- tags and attributes on every inventory table
-- (mountaineer.manage_attributes, core 1.5); exempt: secret (under row-level
-- security a tag or attribute would have to be written by every host that may
-- write its secret; describe the safe instead), safe_access and host_login
-- (grants and login mappings, not inventory).
SELECT mountaineer.manage_attributes('mountaineer.safe');
-- End: tags and attributes (1.1)
