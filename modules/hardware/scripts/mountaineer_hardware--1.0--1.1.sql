-- mountaineer_hardware 1.0 -> 1.1 (needs mountaineer 1.1: update it first): every
-- trigger that fires on INSERT stands aside while pg_restore, or psql running
-- a pg_dump script, restores its table (mountaineer.restoring()), so that a
-- plain restore brings back every row as it was.
\echo Use "ALTER EXTENSION mountaineer_hardware UPDATE TO '1.1'" to load this file. \quit

-- the triggers below call mountaineer.restoring(), new in mountaineer 1.1
DO $$
BEGIN
    IF pg_catalog.to_regprocedure('mountaineer.restoring(regclass)') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_hardware 1.1 needs mountaineer 1.1'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;

DROP TRIGGER check_position ON mountaineer.device;
CREATE TRIGGER check_position BEFORE INSERT OR UPDATE OF rack_id, position, units ON mountaineer.device
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.device')) EXECUTE FUNCTION mountaineer.device_check_position();

DROP TRIGGER check_mapping ON mountaineer.port;
CREATE TRIGGER check_mapping BEFORE INSERT OR UPDATE ON mountaineer.port
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.port')) EXECUTE FUNCTION mountaineer.port_check_mapping();

DROP TRIGGER check_end ON mountaineer.cable_end;
CREATE TRIGGER check_end BEFORE INSERT OR UPDATE ON mountaineer.cable_end
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.cable_end')) EXECUTE FUNCTION mountaineer.cable_end_check();

DROP TRIGGER check_sides ON mountaineer.cable;
CREATE CONSTRAINT TRIGGER check_sides AFTER INSERT OR UPDATE OF status ON mountaineer.cable
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.cable')) EXECUTE FUNCTION mountaineer.cable_check_sides();

DROP TRIGGER check_sides ON mountaineer.cable_end;
CREATE CONSTRAINT TRIGGER check_sides AFTER INSERT OR UPDATE OR DELETE ON mountaineer.cable_end
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.cable_end')) EXECUTE FUNCTION mountaineer.cable_check_sides();
