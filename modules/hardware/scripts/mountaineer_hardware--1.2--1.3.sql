-- mountaineer_hardware 1.2 -> 1.3: what plpgsql_check (test/plpgsql_check.sh)
-- found: cable_check_sides() served the triggers of cable and cable_end
-- alike, and read cable_end's cable_id, which a cable does not have, in
-- branches a cable never took; checked against cable, that is an error.
-- The trigger check_sides on cable now runs a function of its own,
-- cable_status_check_sides(), and cable_check_sides() serves cable_end
-- only.  The check is the same.  The trigger on cable is dropped and made
-- again (ALTER TRIGGER cannot change its function): if you had disabled it,
-- it is enabled again.  Needs nothing newer of the core.
\echo Use "ALTER EXTENSION mountaineer_hardware UPDATE TO '1.3'" to load this file. \quit

CREATE FUNCTION mountaineer.cable_status_check_sides() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c       mountaineer.cable;
    missing text;
BEGIN
    SELECT * INTO c FROM mountaineer.cable WHERE id = NEW.id FOR NO KEY UPDATE;
    IF NOT FOUND OR c.status <> 'connected' THEN
        RETURN NULL;
    END IF;
    SELECT string_agg(s::text, ' and ' ORDER BY s) INTO missing
      FROM unnest(enum_range(NULL::mountaineer.cable_side)) s
     WHERE NOT EXISTS (SELECT FROM mountaineer.cable_end e WHERE e.cable_id = c.id AND e.side = s);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'connected cable % has no end on side %', mountaineer.excerpt(mountaineer.cable_name(c)), missing
            USING ERRCODE = 'check_violation',
                  HINT = 'Write the cable and both of its ends in one transaction, or give it status planned.';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.cable_status_check_sides() IS
    'Deferred constraint trigger on cable: at commit, a cable inserted or given a new status that is connected has at least one end on side a and one on side b (the cable locked while it is checked).';
REVOKE EXECUTE ON FUNCTION mountaineer.cable_status_check_sides() FROM PUBLIC;
DROP TRIGGER check_sides ON mountaineer.cable;
CREATE CONSTRAINT TRIGGER check_sides AFTER INSERT OR UPDATE OF status ON mountaineer.cable
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.cable')) EXECUTE FUNCTION mountaineer.cable_status_check_sides();

CREATE OR REPLACE FUNCTION mountaineer.cable_check_sides() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ids     uuid[];
    cid     uuid;
    c       mountaineer.cable;
    missing text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY[NEW.cable_id];
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY[OLD.cable_id];
    ELSE
        ids := ARRAY[OLD.cable_id, NEW.cable_id];
    END IF;
    FOREACH cid IN ARRAY ids LOOP
        SELECT * INTO c FROM mountaineer.cable WHERE id = cid FOR NO KEY UPDATE;
        CONTINUE WHEN NOT FOUND OR c.status <> 'connected';
        SELECT string_agg(s::text, ' and ' ORDER BY s) INTO missing
          FROM unnest(enum_range(NULL::mountaineer.cable_side)) s
         WHERE NOT EXISTS (SELECT FROM mountaineer.cable_end e WHERE e.cable_id = cid AND e.side = s);
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION 'connected cable % has no end on side %', mountaineer.excerpt(mountaineer.cable_name(c)), missing
                USING ERRCODE = 'check_violation',
                      HINT = 'Write the cable and both of its ends in one transaction, or give it status planned.';
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.cable_check_sides() IS
    'Deferred constraint trigger on cable_end: at commit, every connected cable an end was written to, moved from or removed from has at least one end on side a and one on side b (the cable locked while it is checked).';
