-- mountaineer_networks 1.0 -> 1.1 (needs mountaineer 1.1: update it first): every
-- trigger that fires on INSERT stands aside while pg_restore, or psql running
-- a pg_dump script, restores its table (mountaineer.restoring()), so that a
-- plain restore brings back every row as it was.
\echo Use "ALTER EXTENSION mountaineer_networks UPDATE TO '1.1'" to load this file. \quit

-- the triggers below call mountaineer.restoring(), new in mountaineer 1.1
DO $$
BEGIN
    IF pg_catalog.to_regprocedure('mountaineer.restoring(regclass)') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_networks 1.1 needs mountaineer 1.1'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;

DROP TRIGGER maintain_free_space ON mountaineer.prefix;
CREATE TRIGGER maintain_free_space BEFORE INSERT OR DELETE OR UPDATE OF id, prefix, vrf_id ON mountaineer.prefix
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.prefix')) EXECUTE FUNCTION mountaineer.prefix_maintain();

DROP TRIGGER a_lock_vrf ON mountaineer.ip_address;
CREATE TRIGGER a_lock_vrf BEFORE INSERT OR UPDATE OR DELETE ON mountaineer.ip_address
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.ip_address')) EXECUTE FUNCTION mountaineer.lock_vrf_of_row();

DROP TRIGGER a_lock_vrf ON mountaineer.ip_range;
CREATE TRIGGER a_lock_vrf BEFORE INSERT OR UPDATE OR DELETE ON mountaineer.ip_range
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.ip_range')) EXECUTE FUNCTION mountaineer.lock_vrf_of_row();

DROP TRIGGER maintain_free_space ON mountaineer.ip_address;
CREATE TRIGGER maintain_free_space AFTER INSERT OR DELETE OR UPDATE OF address, vrf_id ON mountaineer.ip_address
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.ip_address')) EXECUTE FUNCTION mountaineer.ip_address_maintain();

DROP TRIGGER check_address ON mountaineer.ip_address;
CREATE TRIGGER check_address BEFORE INSERT OR UPDATE ON mountaineer.ip_address
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.ip_address')) EXECUTE FUNCTION mountaineer.ip_address_check();

DROP TRIGGER maintain_free_space ON mountaineer.ip_range;
CREATE TRIGGER maintain_free_space AFTER INSERT OR DELETE OR UPDATE OF start_address, end_address, vrf_id ON mountaineer.ip_range
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.ip_range')) EXECUTE FUNCTION mountaineer.ip_range_maintain();
