-- mountaineer_hosts 1.0 -> 1.1 (needs mountaineer 1.1: update it first): every
-- trigger that fires on INSERT stands aside while pg_restore, or psql running
-- a pg_dump script, restores its table (mountaineer.restoring()), so that a
-- plain restore brings back every row as it was.
\echo Use "ALTER EXTENSION mountaineer_hosts UPDATE TO '1.1'" to load this file. \quit

-- the triggers below call mountaineer.restoring(), new in mountaineer 1.1
DO $$
BEGIN
    IF pg_catalog.to_regprocedure('mountaineer.restoring(regclass)') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_hosts 1.1 needs mountaineer 1.1'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;

DROP TRIGGER check_host ON mountaineer.host;
CREATE TRIGGER check_host BEFORE INSERT OR UPDATE ON mountaineer.host
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.host')) EXECUTE FUNCTION mountaineer.host_check();

DROP TRIGGER check_environment ON mountaineer.environment;
CREATE TRIGGER check_environment BEFORE INSERT OR UPDATE ON mountaineer.environment
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.environment')) EXECUTE FUNCTION mountaineer.environment_check();
