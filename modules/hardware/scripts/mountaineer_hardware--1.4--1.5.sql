-- mountaineer_hardware 1.4 -> 1.5: the model issue 12 asks for (device types, site
-- hierarchy, status, tags and attributes, circuits, VLAN groups, power: power
-- feeds, stated draw per inlet, no power loops, power_load and power_draw).
\echo Use "ALTER EXTENSION mountaineer_hardware UPDATE TO '1.5'" to load this file. \quit


-- == device types (1.5) ==
-- End: device types (1.5)


-- == sites, regions, locations and status (1.5) ==
-- End: sites, regions, locations and status (1.5)


-- == tags and attributes (1.5) ==
-- End: tags and attributes (1.5)


-- == circuits (1.5) ==
-- End: circuits (1.5)


-- == power (1.5) ==
-- Power roll-up (issue 12, item 8).  The cable graph already says who draws
-- from whom: a power_port cabled to a power_outlet (of a PDU) or to a
-- power_feed (of a power panel).  Here: the electrical data of a feed, a
-- stated draw per power port, pdu.max_utilization, no loops in the power
-- graph, and the load on every PDU, power panel and feed (power_input,
-- power_load, power_draw).

CREATE TYPE mountaineer.power_feed_status AS ENUM ('planned', 'active', 'offline', 'failed');
COMMENT ON TYPE mountaineer.power_feed_status IS
    'A power feed''s status, as NetBox''s: planned, active, offline or failed (the roll-up counts every feed; the status says whether it is live).';
CREATE TYPE mountaineer.power_feed_type AS ENUM ('primary', 'redundant');
COMMENT ON TYPE mountaineer.power_feed_type IS 'primary: the A side a rack normally draws from; redundant: the B side.';
CREATE TYPE mountaineer.power_supply AS ENUM ('ac', 'dc');
COMMENT ON TYPE mountaineer.power_supply IS 'Alternating or direct current.';
CREATE TYPE mountaineer.power_phase AS ENUM ('single', 'three');
COMMENT ON TYPE mountaineer.power_phase IS 'single: one phase, capacity volts × amps; three: three phases, volts line to line, capacity √3 × volts × amps.';

-- power_feed rows belong to ports of kind power_feed only: their foreign key
-- is (id, kind), as the kind tables' is to device (id, kind).
ALTER TABLE mountaineer.port ADD CONSTRAINT port_id_kind_key UNIQUE (id, kind);

CREATE TABLE mountaineer.power_feed (
    id              uuid PRIMARY KEY,
    slug            text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    kind            mountaineer.port_kind NOT NULL DEFAULT 'power_feed'
                    CONSTRAINT power_feed_kind_check CHECK (kind = 'power_feed'),
    status          mountaineer.power_feed_status NOT NULL DEFAULT 'active',
    type            mountaineer.power_feed_type NOT NULL DEFAULT 'primary',
    supply          mountaineer.power_supply NOT NULL DEFAULT 'ac',
    phase           mountaineer.power_phase NOT NULL DEFAULT 'single',
    volts           numeric NOT NULL CONSTRAINT power_feed_volts_check CHECK (volts <> 0 AND volts BETWEEN -1000 AND 1000),
    amps            numeric NOT NULL CONSTRAINT power_feed_amps_check CHECK (amps > 0 AND amps <= 10000),
    max_utilization numeric NOT NULL DEFAULT 80
                    CONSTRAINT power_feed_max_utilization_check CHECK (max_utilization > 0 AND max_utilization <= 100),
    rack_id         uuid REFERENCES mountaineer.rack,
    description     text CONSTRAINT power_feed_description_check CHECK (mountaineer.is_valid_name(description)),
    rated_watts     numeric GENERATED ALWAYS AS
                    (round(abs(volts) * amps * CASE phase WHEN 'three' THEN sqrt(3::numeric) ELSE 1 END, 1)) STORED,
    capacity_watts  numeric GENERATED ALWAYS AS
                    (round(abs(volts) * amps * CASE phase WHEN 'three' THEN sqrt(3::numeric) ELSE 1 END
                           * max_utilization / 100, 1)) STORED,
    CONSTRAINT power_feed_negative_volts_dc CHECK (volts > 0 OR supply = 'dc'),
    CONSTRAINT power_feed_three_phase_ac CHECK (phase = 'single' OR supply = 'ac'),
    FOREIGN KEY (id, kind) REFERENCES mountaineer.port (id, kind) ON DELETE CASCADE
);
CREATE INDEX power_feed_rack_idx ON mountaineer.power_feed (rack_id);
COMMENT ON TABLE mountaineer.power_feed IS
    'The electrical data of a power feed: one row per port of kind power_feed (a circuit of a power panel), keyed by the port''s id. Capacity is volts × amps (× √3 for three phases) × max_utilization.';
COMMENT ON COLUMN mountaineer.power_feed.id IS 'The power_feed port''s id; deleting the port deletes the v.';
COMMENT ON COLUMN mountaineer.power_feed.slug IS 'Short URL-safe form of id (the port''s slug).';
COMMENT ON COLUMN mountaineer.power_feed.kind IS 'Always power_feed; ties the row to a port of that kind (such a port cannot change kind).';
COMMENT ON COLUMN mountaineer.power_feed.status IS 'planned, active (the default), offline or failed.';
COMMENT ON COLUMN mountaineer.power_feed.type IS 'primary (the default) or redundant.';
COMMENT ON COLUMN mountaineer.power_feed.supply IS 'ac (the default) or dc.';
COMMENT ON COLUMN mountaineer.power_feed.phase IS 'single (the default) or three (ac only; volts are then line to line).';
COMMENT ON COLUMN mountaineer.power_feed.volts IS 'Voltage: not 0, -1000..1000; negative only for dc (-48 V).';
COMMENT ON COLUMN mountaineer.power_feed.amps IS 'The breaker''s current, in amperes: more than 0, at most 10000.';
COMMENT ON COLUMN mountaineer.power_feed.max_utilization IS 'The share of the rated power that may be drawn, in percent: more than 0, at most 100; 80 by default (the usual rule for a continuous load on a breaker).';
COMMENT ON COLUMN mountaineer.power_feed.rack_id IS 'The rack the feed serves, if any (NetBox''s power_feed.rack); a rack a feed serves cannot be deleted.';
COMMENT ON COLUMN mountaineer.power_feed.description IS 'Free text, a name (1 to 100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.power_feed.rated_watts IS 'Derived: |volts| × amps, × √3 for three phases, in watts (to 0.1 W).';
COMMENT ON COLUMN mountaineer.power_feed.capacity_watts IS 'Derived: rated_watts × max_utilization / 100, in watts (to 0.1 W): what may be drawn (NetBox''s available_power).';
SELECT mountaineer.manage_table('mountaineer.power_feed');

-- What a power port draws, when stated (NetBox's maximum_draw and
-- allocated_draw); a device's draw is split over its powered inputs, the
-- stated ones taking what they state.
ALTER TABLE mountaineer.port
    ADD COLUMN maximum_watts numeric CONSTRAINT port_maximum_watts_check CHECK (maximum_watts >= 0 AND maximum_watts <= 100000),
    ADD COLUMN allocated_watts numeric CONSTRAINT port_allocated_watts_check CHECK (allocated_watts >= 0 AND allocated_watts <= 100000),
    ADD CONSTRAINT port_watts_power_port_only CHECK (kind = 'power_port' OR (maximum_watts IS NULL AND allocated_watts IS NULL)),
    ADD CONSTRAINT port_allocated_watts_maximum CHECK (allocated_watts <= maximum_watts);
COMMENT ON COLUMN mountaineer.port.maximum_watts IS 'Power ports: the most this inlet can draw (its supply''s rating), in watts, 0..100000; NULL when unknown. Recorded, not used by the roll-up.';
COMMENT ON COLUMN mountaineer.port.allocated_watts IS 'Power ports: what this inlet draws of its device''s draw_watts, in watts, 0..100000 and at most maximum_watts; NULL: an equal share of what the stated inlets leave (see power_input).';

ALTER TABLE mountaineer.pdu
    ADD COLUMN max_utilization numeric NOT NULL DEFAULT 80
        CONSTRAINT pdu_max_utilization_check CHECK (max_utilization > 0 AND max_utilization <= 100);
COMMENT ON COLUMN mountaineer.pdu.max_utilization IS 'The share of watts that may be drawn, in percent: more than 0, at most 100; 80 by default.';

-- No loops: a device cannot draw, through outlets and PDUs, from itself.
-- Cabling power takes turns: the check locks the one row of
-- power_cabling_lock first (a row lock, not an advisory lock, for the reason
-- host_move_lock gives), so of two sessions that each close half of a loop,
-- the second waits and then, under READ COMMITTED, sees the first's cable
-- and is refused (specs/power_loop.spec).  Only ends on power ports take it.
CREATE TABLE mountaineer.power_cabling_lock (
    only_row boolean PRIMARY KEY DEFAULT true CONSTRAINT power_cabling_lock_only_row_check CHECK (only_row)
);
COMMENT ON TABLE mountaineer.power_cabling_lock IS
    'Lock: the one row that a statement writing cable ends on power ports locks (cable_end_check_power_loop()), so that power cabling takes turns and two sessions cannot together close a loop.';
COMMENT ON COLUMN mountaineer.power_cabling_lock.only_row IS 'Always true: the table has one v.';
INSERT INTO mountaineer.power_cabling_lock DEFAULT VALUES;
GRANT SELECT ON mountaineer.power_cabling_lock TO mountaineer_reader;

-- The first loop that one of these cables closes: the cable and the loop as
-- device names (the drawing device first, each drawing from the next, back
-- to the first); no row when none does.  One query for all of a statement's
-- cables.  Follows every recorded cable, planned ones too: a loop is wrong
-- whatever its status.
CREATE FUNCTION mountaineer.power_loop_of(cable_ids uuid[]) RETURNS TABLE (cable_id uuid, devices text)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE
    ends AS (
        SELECT e.cable_id, p.kind, p.device_id FROM mountaineer.cable_end e JOIN mountaineer.port p ON p.id = e.port_id
        WHERE e.cable_id = ANY ($1) AND p.kind IN ('power_port', 'power_outlet', 'power_feed')
    ),
    -- upwards from each device a cable feeds from, through what it draws from
    up (cable_id, device_id, path) AS (
        SELECT DISTINCT d.cable_id, s.device_id, ARRAY[d.device_id, s.device_id]
        FROM ends d JOIN ends s ON s.cable_id = d.cable_id AND s.kind <> 'power_port' WHERE d.kind = 'power_port'
        UNION ALL
        SELECT up.cable_id, q.device_id, up.path || q.device_id
        FROM up
        JOIN mountaineer.port pp ON pp.device_id = up.device_id AND pp.kind = 'power_port'
        JOIN mountaineer.cable_end e1 ON e1.port_id = pp.id
        JOIN mountaineer.cable_end e2 ON e2.cable_id = e1.cable_id AND e2.side <> e1.side
        JOIN mountaineer.port q ON q.id = e2.port_id AND q.kind IN ('power_outlet', 'power_feed')
        WHERE up.device_id <> up.path[1] AND NOT q.device_id = ANY (up.path[2:])
    ),
    found AS (SELECT up.cable_id, up.path FROM up WHERE up.device_id = up.path[1] ORDER BY up.cable_id LIMIT 1)
    SELECT f.cable_id, string_agg(mountaineer.excerpt(d.name), ' → ' ORDER BY u.n)
    FROM found f
    CROSS JOIN LATERAL unnest(f.path) WITH ORDINALITY AS u(device_id, n)
    JOIN mountaineer.device d ON d.id = u.device_id
    GROUP BY f.cable_id
$$;
COMMENT ON FUNCTION mountaineer.power_loop_of(uuid[]) IS
    'For the power loop checks: the first of these cables that closes a loop in the power graph, with the loop as the names of the devices on it (each drawing from the next, the first repeated at the end); no row when none does. Follows every recorded cable, planned ones too.';
REVOKE EXECUTE ON FUNCTION mountaineer.power_loop_of(uuid[]) FROM PUBLIC;

-- Once per statement (a bulk insert of cables is checked in one query): the
-- cables whose new or changed ends are on power ports.
CREATE FUNCTION mountaineer.cable_end_check_power_loop() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER   -- the lock row is the owner's to lock
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cables uuid[];
    hit    record;
    cname  text;
BEGIN
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;
    END IF;
    SELECT array_agg(DISTINCT n.cable_id) INTO cables
      FROM new_rows n JOIN mountaineer.port p ON p.id = n.port_id
     WHERE p.kind IN ('power_port', 'power_outlet', 'power_feed');
    IF cables IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM mountaineer.power_cabling_lock FOR UPDATE;
    SELECT l.cable_id, l.devices INTO hit FROM mountaineer.power_loop_of(cables) l;
    IF FOUND THEN
        SELECT mountaineer.cable_name(c) INTO cname FROM mountaineer.cable c WHERE c.id = hit.cable_id;
        RAISE EXCEPTION 'power cable % would close a loop: %', mountaineer.excerpt(cname), hit.devices
            USING ERRCODE = 'check_violation',
                  DETAIL = 'Each device would draw from the next, and the last is the first.',
                  HINT = 'A PDU draws from a feed or from the outlet of a PDU upstream of it, never from one it feeds.';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.cable_end_check_power_loop() IS
    'Statement trigger (AFTER INSERT and AFTER UPDATE, new_rows): the cables whose written ends are on power ports (power_port, power_outlet, power_feed) must not close a loop in the power graph (a device drawing from itself through outlets and PDUs); locks power_cabling_lock first, so power cabling takes turns. Stands aside while the table is restored.';
REVOKE EXECUTE ON FUNCTION mountaineer.cable_end_check_power_loop() FROM PUBLIC;
CREATE TRIGGER check_power_loop_insert AFTER INSERT ON mountaineer.cable_end
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.cable_end_check_power_loop();
CREATE TRIGGER check_power_loop_update AFTER UPDATE ON mountaineer.cable_end
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.cable_end_check_power_loop();

-- A cabled power port moved to another device could close a loop too.
CREATE FUNCTION mountaineer.port_check_power_loop() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER   -- the lock row is the owner's to lock
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cable uuid;
    hit   record;
    cname text;
BEGIN
    SELECT e.cable_id INTO cable FROM mountaineer.cable_end e WHERE e.port_id = NEW.id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM mountaineer.power_cabling_lock FOR UPDATE;
    SELECT l.cable_id, l.devices INTO hit FROM mountaineer.power_loop_of(ARRAY[cable]) l;
    IF FOUND THEN
        SELECT mountaineer.cable_name(c) INTO cname FROM mountaineer.cable c WHERE c.id = cable;
        RAISE EXCEPTION 'port % cannot move: power cable % would close a loop: %',
            mountaineer.excerpt(NEW.name), mountaineer.excerpt(cname), hit.devices
            USING ERRCODE = 'check_violation',
                  DETAIL = 'Each device would draw from the next, and the last is the first.';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.port_check_power_loop() IS
    'Trigger: a cabled power port that moves to another device must not close a loop in the power graph; locks power_cabling_lock first.';
REVOKE EXECUTE ON FUNCTION mountaineer.port_check_power_loop() FROM PUBLIC;
CREATE TRIGGER check_power_loop AFTER UPDATE OF device_id ON mountaineer.port
    FOR EACH ROW WHEN (OLD.device_id IS DISTINCT FROM NEW.device_id AND NEW.kind IN ('power_port', 'power_outlet', 'power_feed'))
    EXECUTE FUNCTION mountaineer.port_check_power_loop();

-- Which devices' own draw counts in the roll-up: every device today.  The
-- one place to leave devices out by status (planned, decommissioning ...)
-- once devices have one: power_input, power_load and power_draw all ask it.
CREATE FUNCTION mountaineer.power_counts(d mountaineer.device) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT true
$$;
COMMENT ON FUNCTION mountaineer.power_counts(mountaineer.device) IS
    'Whether a device''s own draw counts in the power roll-up (power_input, power_load, power_draw): true for every device.';

-- Every powered input: a power_port on a connected cable whose far side is
-- an outlet or a feed, once per outlet or feed there (a Y cable has two).
-- own_watts: the input's share of its device's own draw (allocated_watts
-- when stated, else an equal share of what the stated inputs leave), over
-- its sources; through_share: the share of what its device passes on (a
-- PDU's outlets' load) that it carries from this source: 1 / (inputs ×
-- sources).
CREATE VIEW mountaineer.power_input AS
WITH link AS (
    SELECT p.id AS port_id, p.device_id, p.allocated_watts, s.id AS source_port_id, s.device_id AS source_device_id,
           count(*) OVER (PARTITION BY p.id) AS sources
    FROM mountaineer.port p
    JOIN mountaineer.cable_end e ON e.port_id = p.id
    JOIN mountaineer.cable c ON c.id = e.cable_id AND c.status = 'connected'
    JOIN mountaineer.cable_end f ON f.cable_id = e.cable_id AND f.side <> e.side
    JOIN mountaineer.port s ON s.id = f.port_id AND s.kind IN ('power_outlet', 'power_feed')
    WHERE p.kind = 'power_port'
),
per_device AS (
    SELECT i.device_id, count(*) AS inputs, count(*) FILTER (WHERE i.allocated_watts IS NULL) AS unstated,
           coalesce(sum(i.allocated_watts), 0) AS stated
    FROM (SELECT DISTINCT port_id, device_id, allocated_watts FROM link) i
    GROUP BY i.device_id
)
SELECT l.port_id, l.device_id, l.source_port_id, l.source_device_id,
       CASE WHEN NOT mountaineer.power_counts(d) THEN 0
            WHEN l.allocated_watts IS NOT NULL THEN l.allocated_watts
            ELSE greatest(coalesce(d.draw_watts, 0) - pd.stated, 0) / pd.unstated
       END / l.sources AS own_watts,
       1.0 / (pd.inputs * l.sources) AS through_share
FROM link l
JOIN per_device pd ON pd.device_id = l.device_id
JOIN mountaineer.device d ON d.id = l.device_id;
COMMENT ON VIEW mountaineer.power_input IS
    'Every powered input: a power_port on a connected cable to an outlet or feed (once per outlet or feed on that cable), with its share of its device''s own draw and of what its device passes on. power_load and power_draw add these up.';
COMMENT ON COLUMN mountaineer.power_input.port_id IS 'The power_port (inlet).';
COMMENT ON COLUMN mountaineer.power_input.device_id IS 'Its device: the one that draws.';
COMMENT ON COLUMN mountaineer.power_input.source_port_id IS 'The power_outlet or power_feed at the far side of its connected cable.';
COMMENT ON COLUMN mountaineer.power_input.source_device_id IS 'That port''s device (a PDU, a power panel): the one drawn from.';
COMMENT ON COLUMN mountaineer.power_input.own_watts IS 'What the inlet draws from this source of its device''s own draw, in watts: allocated_watts when stated, else an equal share of draw_watts less what the stated inlets take (never below 0), divided among the inlet''s sources; 0 when power_counts(device) is false.';
COMMENT ON COLUMN mountaineer.power_input.through_share IS 'The share of what its device passes on (the load on a PDU''s outlets) that comes through this inlet from this source: 1 / (the device''s powered inputs × the inlet''s sources).';

-- The same for one device, by index probes from its ports: what power_draw
-- walks with.  The arithmetic is power_input's: keep the two alike (the
-- pgTAP suite compares them over the whole database).  No SET search_path
-- (everything in it is qualified), so that the planner inlines it into the
-- caller's query.
CREATE FUNCTION mountaineer.power_inputs_of(device_id uuid)
    RETURNS TABLE (port_id uuid, source_port_id uuid, source_device_id uuid, own_watts numeric, through_share numeric)
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    WITH link AS (
        SELECT p.id AS port_id, p.allocated_watts, s.id AS source_port_id, s.device_id AS source_device_id,
               count(*) OVER (PARTITION BY p.id) AS sources
        FROM mountaineer.port p
        JOIN mountaineer.cable_end e ON e.port_id = p.id
        JOIN mountaineer.cable c ON c.id = e.cable_id AND c.status = 'connected'
        JOIN mountaineer.cable_end f ON f.cable_id = e.cable_id AND f.side <> e.side
        JOIN mountaineer.port s ON s.id = f.port_id AND s.kind IN ('power_outlet', 'power_feed')
        WHERE p.device_id = $1 AND p.kind = 'power_port'
    ),
    inlet AS (SELECT DISTINCT l.port_id, l.allocated_watts FROM link l),
    device AS (
        SELECT CASE WHEN mountaineer.power_counts(d) THEN coalesce(d.draw_watts, 0) ELSE 0 END AS watts,
               mountaineer.power_counts(d) AS counts,
               (SELECT count(*) FROM inlet) AS inputs,
               (SELECT count(*) FROM inlet WHERE inlet.allocated_watts IS NULL) AS unstated,
               (SELECT coalesce(sum(inlet.allocated_watts), 0) FROM inlet) AS stated
        FROM mountaineer.device d WHERE d.id = $1
    )
    SELECT l.port_id, l.source_port_id, l.source_device_id,
           CASE WHEN NOT x.counts THEN 0
                WHEN l.allocated_watts IS NOT NULL THEN l.allocated_watts
                ELSE greatest(x.watts - x.stated, 0) / x.unstated
           END / l.sources,
           1.0 / (x.inputs * l.sources)
    FROM link l CROSS JOIN device x
$$;
COMMENT ON FUNCTION mountaineer.power_inputs_of(uuid) IS
    'The powered inputs of one device, as power_input has them (port_id, source_port_id, source_device_id, own_watts, through_share), found by index probes from its ports; no rows for an unknown device or one with no powered input.';

-- The load on every PDU, power panel and feed, in one pass over the estate:
-- each inlet's own watts flow upwards, split at every device by its
-- through_share, and are summed where they arrive.
CREATE VIEW mountaineer.power_load AS
WITH RECURSIVE flow (source_port_id, source_device_id, watts) AS (
    SELECT i.source_port_id, i.source_device_id, i.own_watts
    FROM mountaineer.power_input i WHERE i.own_watts > 0
    UNION ALL
    SELECT i.source_port_id, i.source_device_id, f.watts * i.through_share
    FROM flow f JOIN mountaineer.power_input i ON i.device_id = f.source_device_id
) CYCLE source_device_id SET in_loop USING path,   -- loops are refused; this only stops a walk in one
at_device AS (
    SELECT source_device_id AS device_id, sum(watts) AS watts FROM flow WHERE NOT in_loop GROUP BY 1
),
at_feed AS (
    SELECT source_port_id AS port_id, sum(watts) AS watts FROM flow WHERE NOT in_loop GROUP BY 1
),
feed AS (
    SELECT p.device_id, p.id AS port_id, p.name AS feed, pf.rack_id, pf.max_utilization,
           pf.rated_watts, pf.capacity_watts, coalesce(a.watts, 0) AS draw
    FROM mountaineer.port p
    LEFT JOIN mountaineer.power_feed pf ON pf.id = p.id
    LEFT JOIN at_feed a ON a.port_id = p.id
    WHERE p.kind = 'power_feed'
),
levels AS (
    SELECT 'pdu' AS level, d.id AS device_id, NULL::uuid AS port_id, NULL::text AS feed, d.rack_id, d.site_id,
           CASE WHEN mountaineer.power_counts(d) THEN coalesce(d.draw_watts, 0) ELSE 0 END + coalesce(a.watts, 0) AS draw,
           u.watts AS rated, u.max_utilization, u.watts * u.max_utilization / 100 AS capacity
    FROM mountaineer.device d
    JOIN mountaineer.pdu u ON u.id = d.id
    LEFT JOIN at_device a ON a.device_id = d.id
    UNION ALL
    SELECT 'power_panel', d.id, NULL, NULL, d.rack_id, d.site_id,
           CASE WHEN mountaineer.power_counts(d) THEN coalesce(d.draw_watts, 0) ELSE 0 END + coalesce(a.watts, 0),
           f.rated, NULL, f.capacity
    FROM mountaineer.device d
    LEFT JOIN at_device a ON a.device_id = d.id
    LEFT JOIN LATERAL (SELECT sum(rated_watts) AS rated, sum(capacity_watts) AS capacity
                       FROM feed WHERE feed.device_id = d.id) f ON true
    WHERE d.kind = 'power_panel'
    UNION ALL
    SELECT 'power_feed', f.device_id, f.port_id, f.feed, coalesce(f.rack_id, d.rack_id),
           coalesce(r.site_id, d.site_id), f.draw, f.rated_watts, f.max_utilization, f.capacity_watts
    FROM feed f
    JOIN mountaineer.device d ON d.id = f.device_id
    LEFT JOIN mountaineer.rack r ON r.id = f.rack_id
)
SELECT v.level, v.device_id, d.name AS device, v.port_id, v.feed, k.name AS rack, s.name AS site,
       round(v.draw, 1) AS draw_watts, round(v.rated, 1) AS rated_watts, v.max_utilization,
       round(v.capacity, 1) AS capacity_watts,
       round(100 * v.draw / nullif(v.rated, 0), 1) AS utilization_percent,
       round(v.draw, 1) > round(v.capacity, 1) AS over_max
FROM levels v
JOIN mountaineer.device d ON d.id = v.device_id
LEFT JOIN mountaineer.rack k ON k.id = v.rack_id
LEFT JOIN mountaineer.site s ON s.id = v.site_id;
COMMENT ON VIEW mountaineer.power_load IS
    'Per PDU, per power panel and per power feed: the draw of everything downstream of it through chained PDUs (each device''s draw split over its powered inputs, see power_input; connected cables only), against its capacity (rated watts × max utilisation), and whether it is over.';
COMMENT ON COLUMN mountaineer.power_load.level IS 'pdu, power_panel or power_feed: what the row is about.';
COMMENT ON COLUMN mountaineer.power_load.device_id IS 'The PDU or power panel (for a feed: its panel).';
COMMENT ON COLUMN mountaineer.power_load.device IS 'That device''s name.';
COMMENT ON COLUMN mountaineer.power_load.port_id IS 'For a feed: its power_feed port; NULL otherwise.';
COMMENT ON COLUMN mountaineer.power_load.feed IS 'For a feed: its port''s name; NULL otherwise.';
COMMENT ON COLUMN mountaineer.power_load.rack IS 'The rack of the PDU or panel; for a feed, the rack it serves (power_feed.rack_id), else its panel''s.';
COMMENT ON COLUMN mountaineer.power_load.site IS 'The site of that rack; NULL for an unracked device.';
COMMENT ON COLUMN mountaineer.power_load.draw_watts IS 'What is drawn through it, in watts (to 0.1 W): for a PDU or panel its own draw_watts and everything downstream (power_draw); for a feed everything downstream of it.';
COMMENT ON COLUMN mountaineer.power_load.rated_watts IS 'Its rating in watts: a PDU''s watts (volts × amps), a feed''s rated_watts, a panel''s the sum of its feeds''; NULL when not recorded.';
COMMENT ON COLUMN mountaineer.power_load.max_utilization IS 'The share of rated_watts that may be drawn, in percent (pdu.max_utilization, power_feed.max_utilization); NULL for a panel.';
COMMENT ON COLUMN mountaineer.power_load.capacity_watts IS 'What may be drawn, in watts: rated_watts × max_utilization / 100 (a panel: the sum of its feeds'').';
COMMENT ON COLUMN mountaineer.power_load.utilization_percent IS 'draw_watts / rated_watts in percent (to 0.1); NULL when there is no rating.';
COMMENT ON COLUMN mountaineer.power_load.over_max IS 'Whether draw_watts is more than capacity_watts (utilization_percent above max_utilization); NULL when there is no rating.';

-- The same arithmetic for one device, walking down from it: the cost
-- follows what is downstream of it, not the estate.
CREATE FUNCTION mountaineer.power_draw(device_id uuid) RETURNS numeric
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d          mountaineer.device;
    downstream numeric;
BEGIN
    SELECT * INTO d FROM mountaineer.device WHERE id = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no device with id %', $1 USING ERRCODE = 'no_data_found';
    END IF;
    -- each row: an input below (its port p on the outlet or feed s of the
    -- device above), what its device's own draw brings here (watts), and
    -- the share of what its device passes on that reaches here (share)
    WITH RECURSIVE below (device_id, watts, share) AS (
        SELECT p.device_id, i.own_watts, i.through_share
        FROM mountaineer.port s
        JOIN mountaineer.cable_end f ON f.port_id = s.id
        JOIN mountaineer.cable_end e ON e.cable_id = f.cable_id AND e.side <> f.side
        JOIN mountaineer.port p ON p.id = e.port_id AND p.kind = 'power_port'
        CROSS JOIN LATERAL mountaineer.power_inputs_of(p.device_id) i
        WHERE s.device_id = $1 AND s.kind IN ('power_outlet', 'power_feed')
          AND i.port_id = p.id AND i.source_port_id = s.id
        UNION ALL
        SELECT p.device_id, i.own_watts * b.share, i.through_share * b.share
        FROM below b
        JOIN mountaineer.port s ON s.device_id = b.device_id AND s.kind IN ('power_outlet', 'power_feed')
        JOIN mountaineer.cable_end f ON f.port_id = s.id
        JOIN mountaineer.cable_end e ON e.cable_id = f.cable_id AND e.side <> f.side
        JOIN mountaineer.port p ON p.id = e.port_id AND p.kind = 'power_port'
        CROSS JOIN LATERAL mountaineer.power_inputs_of(p.device_id) i
        WHERE i.port_id = p.id AND i.source_port_id = s.id
    ) CYCLE device_id SET in_loop USING path
    SELECT sum(b.watts) INTO downstream FROM below b WHERE NOT b.in_loop;
    RETURN round(CASE WHEN mountaineer.power_counts(d) THEN coalesce(d.draw_watts, 0) ELSE 0 END
                 + coalesce(downstream, 0), 1);
END
$$;
COMMENT ON FUNCTION mountaineer.power_draw(uuid) IS
    'The power drawn through a device, in watts (to 0.1 W): its own draw_watts and, for a PDU or power panel, everything downstream of it through chained PDUs, each device''s draw split over its powered inputs as power_input says (connected cables only). A server: its own draw. As power_load''s draw_watts; P0002 for an unknown device.';

GRANT SELECT ON mountaineer.power_input, mountaineer.power_load TO mountaineer_reader;
GRANT EXECUTE ON FUNCTION mountaineer.power_counts(mountaineer.device), mountaineer.power_inputs_of(uuid),
    mountaineer.power_draw(uuid) TO mountaineer_reader;
-- End: power (1.5)
