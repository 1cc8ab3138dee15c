-- mountaineer_hardware 1.2 -> 1.3: what plpgsql_check (test/plpgsql_check.sh)
-- found: cable_check_sides() served the triggers of cable and cable_end
-- alike, and read cable_end's cable_id, which a cable does not have, in
-- branches a cable never took; checked against cable, that is an error.
-- The trigger check_sides on cable now runs a function of its own,
-- cable_status_check_sides(), and cable_check_sides() serves cable_end
-- only.  The check is the same.  The trigger on cable is dropped and made
-- again (ALTER TRIGGER cannot change its function): if you had disabled it,
-- it is enabled again.  cable_end_check() also leaves the end itself out
-- by its old id, so that changing an end's id meets refuse_id_change's
-- message (428C9).  Needs nothing newer of the core.
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

-- cable_end_check() left the end itself out by its new id only: changing an
-- end's id was refused as "port ... is already on cable ..." (its own cable)
-- instead of by refuse_id_change (428C9).
CREATE OR REPLACE FUNCTION mountaineer.cable_end_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c     mountaineer.cable;
    me    record;
    other record;
    taken text;
BEGIN
    SELECT * INTO c FROM mountaineer.cable WHERE id = NEW.cable_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN NEW;                          -- the foreign key reports it
    END IF;
    SELECT p.name, p.kind, d.name AS device INTO me
      FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
     WHERE p.id = NEW.port_id
       FOR SHARE OF p;
    IF NOT FOUND THEN
        RETURN NEW;                          -- the foreign key reports it
    END IF;
    SELECT mountaineer.cable_name(x) INTO taken
      FROM mountaineer.cable_end e JOIN mountaineer.cable x ON x.id = e.cable_id
     WHERE e.port_id = NEW.port_id AND e.id <> NEW.id AND (TG_OP = 'INSERT' OR e.id <> OLD.id);
    IF FOUND THEN
        RAISE EXCEPTION 'port % of device % is already on cable %',
            mountaineer.excerpt(me.name), mountaineer.excerpt(me.device), mountaineer.excerpt(taken)
            USING ERRCODE = 'unique_violation',
                  HINT = 'A port takes one cable; disconnect the other cable first.';
    END IF;
    FOR other IN
        SELECT p.name, p.kind, d.name AS device
          FROM mountaineer.cable_end e
          JOIN mountaineer.port p ON p.id = e.port_id
          JOIN mountaineer.device d ON d.id = p.device_id
         WHERE e.cable_id = NEW.cable_id AND e.side <> NEW.side AND e.id <> NEW.id
           AND (TG_OP = 'INSERT' OR e.id <> OLD.id)
         ORDER BY d.name, p.name
    LOOP
        IF NOT mountaineer.port_kinds_compatible(me.kind, other.kind) THEN
            RAISE EXCEPTION 'cable % cannot connect port % of device % (%) to port % of device % (%)',
                mountaineer.excerpt(mountaineer.cable_name(c)), mountaineer.excerpt(me.name),
                mountaineer.excerpt(me.device), me.kind, mountaineer.excerpt(other.name),
                mountaineer.excerpt(other.device), other.kind
                USING ERRCODE = 'check_violation',
                      HINT = 'Data ports (interface, front_port, rear_port) connect to data ports, console to console_server, power_port to power_outlet or power_feed.';
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.cable_end_check() IS
    'Trigger: a port is on one cable (named in the error), and every end of a cable is compatible with every end on its other side; locks the cable (FOR NO KEY UPDATE) and the port (FOR SHARE) it checks.';
