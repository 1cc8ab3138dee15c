-- mountaineer_hardware 1.6 -> 1.7: a cable end, and a connected cable's two
-- sides, are checked in C by index probes, and ports are named (port_title)
-- only when an end is refused: bulk cabling no longer slows with the table;
-- cable_connect() makes a cable with both its ends in one call.
\echo Use "ALTER EXTENSION mountaineer_hardware UPDATE TO '1.7'" to load this file. \quit

-- == cable end check (1.7) ==
-- the rule as PL/pgSQL, now cable_end_check_report(); the trigger's function
-- becomes C (src/cable.c), which calls it to refuse
CREATE FUNCTION mountaineer.cable_end_check_report() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c       mountaineer.cable;
    me      record;
    other   record;
    taken   text;
    network text;
BEGIN
    SELECT * INTO c FROM mountaineer.cable WHERE id = NEW.cable_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN NEW;                          -- the foreign key reports it
    END IF;
    -- the port is locked first and read after, in a statement of its own,
    -- so that a termination's site moved meanwhile is read as committed
    -- (circuit_termination_check_site takes the same port's lock); a circuit
    -- termination's port is on no device: its site is the termination's
    PERFORM 1 FROM mountaineer.port p WHERE p.id = NEW.port_id FOR SHARE;
    -- (1.7) ports are named (port_title) only in a refusal: naming one
    -- costs more than the whole check
    SELECT p.id, p.kind, t.id IS NOT NULL AS is_termination,
           coalesce(d.site_id, t.site_id) AS site_id, t.provider_network_id
      INTO me
      FROM mountaineer.port p
      LEFT JOIN mountaineer.device d ON d.id = p.device_id
      LEFT JOIN mountaineer.circuit_termination t ON t.id = p.id
     WHERE p.id = NEW.port_id;
    IF NOT FOUND THEN
        RETURN NEW;                          -- the foreign key reports it
    END IF;
    SELECT mountaineer.cable_name(x) INTO taken
      FROM mountaineer.cable_end e JOIN mountaineer.cable x ON x.id = e.cable_id
     WHERE e.port_id = NEW.port_id AND e.id <> NEW.id AND (TG_OP = 'INSERT' OR e.id <> OLD.id);
    IF FOUND THEN
        RAISE EXCEPTION '% is already on cable %', mountaineer.port_title(me.id), mountaineer.excerpt(taken)
            USING ERRCODE = 'unique_violation',
                  HINT = 'A port takes one cable; disconnect the other cable first.';
    END IF;
    IF me.provider_network_id IS NOT NULL THEN
        SELECT n.name INTO network FROM mountaineer.provider_network n WHERE n.id = me.provider_network_id;
        RAISE EXCEPTION 'cable % cannot plug into %: it ends on provider network %',
            mountaineer.excerpt(mountaineer.cable_name(c)), mountaineer.port_title(me.id), mountaineer.excerpt(network)
            USING ERRCODE = 'check_violation',
                  HINT = 'A termination on a provider network takes no cable; give it a site_id instead to cable it.';
    END IF;
    FOR other IN
        SELECT p.id, p.kind, t.id IS NOT NULL AS is_termination,
               coalesce(d.site_id, t.site_id) AS site_id, s.name AS site
          FROM mountaineer.cable_end e
          JOIN mountaineer.port p ON p.id = e.port_id
          LEFT JOIN mountaineer.device d ON d.id = p.device_id
          LEFT JOIN mountaineer.circuit_termination t ON t.id = p.id
          LEFT JOIN mountaineer.site s ON s.id = coalesce(d.site_id, t.site_id)
         WHERE e.cable_id = NEW.cable_id AND e.side <> NEW.side AND e.id <> NEW.id
           AND (TG_OP = 'INSERT' OR e.id <> OLD.id)
         ORDER BY d.name, p.name
    LOOP
        IF NOT mountaineer.port_kinds_compatible(me.kind, other.kind) THEN
            RAISE EXCEPTION 'cable % cannot connect % (%) to % (%)',
                mountaineer.excerpt(mountaineer.cable_name(c)), mountaineer.port_title(me.id), me.kind, mountaineer.port_title(other.id), other.kind
                USING ERRCODE = 'check_violation',
                      HINT = 'Data ports (interface, front_port, rear_port, circuit_termination) connect to data ports, console to console_server, power_port to power_outlet or power_feed.';
        END IF;
        -- a circuit is handed over at its termination's site: a cable from
        -- it stays there (a device in no rack is at no site, and may)
        IF (me.is_termination OR other.is_termination) AND me.site_id <> other.site_id THEN
            RAISE EXCEPTION 'cable % cannot connect % to % at site %: they are at different sites',
                mountaineer.excerpt(mountaineer.cable_name(c)), mountaineer.port_title(me.id), mountaineer.port_title(other.id), mountaineer.excerpt(other.site)
                USING ERRCODE = 'check_violation',
                      HINT = 'A cable from a circuit termination goes to a port at the termination''s site.';
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.cable_end_check_report() IS
    'Internal (1.7): cable_end_check() as PL/pgSQL, which cable_end_check() runs as its own trigger call to refuse an end (with these messages) or when it cannot read the tables by index probes.';
REVOKE EXECUTE ON FUNCTION mountaineer.cable_end_check_report() FROM PUBLIC;

-- (1.7) The check in C (src/cable.c): the same rules, locks and messages as
-- cable_end_check_report(), with cable_end read by btree probes rather than
-- by plans a plan cache made while the table was near empty.  Sequential
-- scans are off so that the saved plans of its two row locks probe the
-- primary keys, whatever size the tables had when they were planned.
CREATE OR REPLACE FUNCTION mountaineer.cable_end_check() RETURNS trigger
    LANGUAGE C
    SET search_path = pg_catalog, pg_temp
    SET enable_seqscan = off
    SET jit = off
    AS '$libdir/mountaineer', 'mountaineer_cable_end_check';
COMMENT ON FUNCTION mountaineer.cable_end_check() IS
    'Trigger: a port is on one cable (named in the error), and every end of a cable is compatible with every end on its other side; a circuit termination is cabled only at its site, never on a provider network (1.5); locks the cable (FOR NO KEY UPDATE) and the port (FOR SHARE) it checks. (1.7) C; refusals come from cable_end_check_report().';
REVOKE EXECUTE ON FUNCTION mountaineer.cable_end_check() FROM PUBLIC;
-- End: cable end check (1.7)

-- == connected cables' sides (1.7) ==
-- the rule as PL/pgSQL, now cable_check_sides_report() and
-- cable_status_check_sides_report(); the triggers' functions become C
-- (src/cable.c), which call them to refuse
CREATE FUNCTION mountaineer.cable_check_sides_report() RETURNS trigger
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
COMMENT ON FUNCTION mountaineer.cable_check_sides_report() IS
    'Internal (1.7): cable_check_sides() as PL/pgSQL, which cable_check_sides() runs as its own trigger call to refuse (with this message) or when it cannot read the tables by index probes.';
REVOKE EXECUTE ON FUNCTION mountaineer.cable_check_sides_report() FROM PUBLIC;
CREATE FUNCTION mountaineer.cable_status_check_sides_report() RETURNS trigger
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
COMMENT ON FUNCTION mountaineer.cable_status_check_sides_report() IS
    'Internal (1.7): cable_status_check_sides() as PL/pgSQL, which cable_status_check_sides() runs as its own trigger call to refuse (with this message) or when it cannot read the tables by index probes.';
REVOKE EXECUTE ON FUNCTION mountaineer.cable_status_check_sides_report() FROM PUBLIC;
CREATE OR REPLACE FUNCTION mountaineer.cable_check_sides() RETURNS trigger
    LANGUAGE C
    SET search_path = pg_catalog, pg_temp
    SET enable_seqscan = off
    SET jit = off
    AS '$libdir/mountaineer', 'mountaineer_cable_check_sides';
COMMENT ON FUNCTION mountaineer.cable_check_sides() IS
    'Deferred constraint trigger on cable_end: at commit, every connected cable an end was moved on, moved from or removed from (1.7: no longer on INSERT, which takes no end away) has at least one end on side a and one on side b (the cable locked while it is checked). (1.7) C (src/cable.c, sequential scans off as in cable_end_check()); the refusal comes from cable_check_sides_report(); under REPEATABLE READ, a side emptied by a transaction committed after the snapshot fails with 40001.';
REVOKE EXECUTE ON FUNCTION mountaineer.cable_check_sides() FROM PUBLIC;
CREATE OR REPLACE FUNCTION mountaineer.cable_status_check_sides() RETURNS trigger
    LANGUAGE C
    SET search_path = pg_catalog, pg_temp
    SET enable_seqscan = off
    SET jit = off
    AS '$libdir/mountaineer', 'mountaineer_cable_status_check_sides';
COMMENT ON FUNCTION mountaineer.cable_status_check_sides() IS
    'Deferred constraint trigger on cable: at commit, a cable inserted or given a new status that is connected has at least one end on side a and one on side b (the cable locked while it is checked). (1.7) C, as cable_check_sides(); the refusal comes from cable_status_check_sides_report().';
REVOKE EXECUTE ON FUNCTION mountaineer.cable_status_check_sides() FROM PUBLIC;
-- End: connected cables' sides (1.7)

-- == cable_connect (1.7) ==
-- (1.7) a cable and its two ends in one call: what a REST client or the
-- web interface needs, since PostgREST writes one table per request and a
-- connected cable must have both sides at commit
CREATE FUNCTION mountaineer.cable_connect(a_port_id uuid, b_port_id uuid, label text DEFAULT NULL,
                                          type text DEFAULT NULL,
                                          status mountaineer.cable_status DEFAULT 'connected')
    RETURNS mountaineer.cable
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c mountaineer.cable;
BEGIN
    IF a_port_id IS NULL OR b_port_id IS NULL OR status IS NULL THEN
        RAISE EXCEPTION 'cable_connect needs both ports and a status' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    INSERT INTO mountaineer.cable (label, type, status)
    VALUES (cable_connect.label, cable_connect.type, cable_connect.status)
    RETURNING * INTO c;
    INSERT INTO mountaineer.cable_end (cable_id, side, port_id)
    VALUES (c.id, 'a', a_port_id), (c.id, 'b', b_port_id);
    RETURN c;
END
$$;
COMMENT ON FUNCTION mountaineer.cable_connect(uuid, uuid, text, text, mountaineer.cable_status) IS
    'Creates a cable from port a_port_id (side a) to port b_port_id (side b), with its label, type and status (connected by default), and returns it: every rule of cable and cable_end applies, and a refusal writes nothing. 22004 when a port or the status is NULL.';
REVOKE EXECUTE ON FUNCTION mountaineer.cable_connect(uuid, uuid, text, text, mountaineer.cable_status) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.cable_connect(uuid, uuid, text, text, mountaineer.cable_status) TO mountaineer_editor;
-- End: cable_connect (1.7)

-- == check_sides on cable_end: not on INSERT (1.7) ==
-- An end added takes no end away from any cable, and a cable inserted (or
-- made connected) is checked by the trigger on cable: so a bulk insert of
-- cables and ends checks each cable once at commit, not once per end too.
-- On UPDATE only of the two columns that can take an end away from a side.
DROP TRIGGER check_sides ON mountaineer.cable_end;
CREATE CONSTRAINT TRIGGER check_sides AFTER UPDATE OF cable_id, side OR DELETE ON mountaineer.cable_end
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.cable_end')) EXECUTE FUNCTION mountaineer.cable_check_sides();
-- End: check_sides on cable_end (1.7)
