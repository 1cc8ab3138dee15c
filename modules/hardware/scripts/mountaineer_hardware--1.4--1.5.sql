-- mountaineer_hardware 1.4 -> 1.5: the model issue 12 asks for (device types, site
-- hierarchy, status, tags and attributes, circuits, VLAN groups, power).
\echo Use "ALTER EXTENSION mountaineer_hardware UPDATE TO '1.5'" to load this file. \quit


-- == device types (1.5) ==
-- End: device types (1.5)


-- == sites, regions, locations and status (1.5) ==
-- Regions above sites, locations within a site (a building, a floor, a
-- room, a cage) that racks stand in, and a lifecycle status on sites,
-- locations, racks and devices.  The same text in the full script and the
-- upgrade script: new columns are added here in both, so a fresh install
-- and an upgraded one have the same column order, and the views that now
-- read a status are replaced here (in the full script too, since the
-- columns they read exist only from here on).

CREATE TYPE mountaineer.site_status AS ENUM ('planned', 'staged', 'active', 'decommissioning', 'retired');
COMMENT ON TYPE mountaineer.site_status IS
    'Lifecycle of a site or location: planned (not built yet), staged (being fitted out), active (in service), decommissioning (being emptied), retired (gone; kept for history).';

CREATE TYPE mountaineer.rack_status AS ENUM ('planned', 'reserved', 'available', 'active', 'decommissioning');
COMMENT ON TYPE mountaineer.rack_status IS
    'Lifecycle of a rack: planned (not installed yet), reserved (held for someone), available (installed and empty, free to use), active (in use), decommissioning (being emptied; NetBox calls it deprecated).';

CREATE TYPE mountaineer.device_status AS ENUM
    ('planned', 'staged', 'active', 'offline', 'failed', 'inventory', 'decommissioning');
COMMENT ON TYPE mountaineer.device_status IS
    'Lifecycle of a device: planned (ordered or to be installed), staged (installed, being set up), active (in service), offline (installed, powered off or out of service on purpose), failed (broken), inventory (a spare in store: draws no power even when racked), decommissioning (to be removed).';

--------------------------------------------------------------------------
-- Regions: a tree (parent_id) of the places sites are in, e.g. Europe >
-- Netherlands > Amsterdam.  Names are unique over the whole tree.
--------------------------------------------------------------------------
CREATE TABLE mountaineer.region (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL CONSTRAINT region_name_key UNIQUE CONSTRAINT region_name_check CHECK (mountaineer.is_valid_name(name)),
    parent_id   uuid REFERENCES mountaineer.region ON DELETE RESTRICT,
    description text CONSTRAINT region_description_check CHECK (mountaineer.is_valid_name(description, 200)),
    CONSTRAINT region_not_own_parent CHECK (parent_id <> id)
);
CREATE INDEX region_parent_idx ON mountaineer.region (parent_id);
COMMENT ON TABLE mountaineer.region IS
    'A geographic area sites are in (a continent, a country, a city), nested through parent_id; a region is never inside itself.';
COMMENT ON COLUMN mountaineer.region.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.region.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.region.name IS 'Unique among all regions; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.region.parent_id IS 'The region it is part of (region.id); NULL at the top. Moving a region under itself or one of its own sub-regions is refused; a region with sub-regions or sites cannot be deleted.';
COMMENT ON COLUMN mountaineer.region.description IS 'Free text, one line of at most 200 characters; NULL for none.';
SELECT mountaineer.manage_table('mountaineer.region');

-- A region is never its own ancestor.  The walk goes up from the new
-- parent; reaching the row itself is a cycle.  Race: two sessions each
-- moving one region under the other each see the other's old parent and
-- would both pass, so every move of a region first takes one transaction
-- advisory lock for the whole table (moves are rare; inserts do not take
-- it: a new row has no children yet) and then reads the parents, one
-- statement per step, seeing what a move that held the lock committed.
-- Under READ COMMITTED each parent is locked FOR KEY SHARE (it cannot be
-- deleted under us, and a rename neither waits nor is waited for).  Under
-- REPEATABLE READ or SERIALIZABLE the snapshot is older than the lock, so
-- each parent is locked FOR SHARE instead, which fails with 40001 when a
-- concurrent transaction has changed it since (FOR KEY SHARE would not:
-- it does not conflict with a change of parent_id).  An INSERT is
-- checked too: one statement can insert two rows naming each other.
CREATE FUNCTION mountaineer.region_check_parent() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cur  uuid := NEW.parent_id;
    seen uuid[] := ARRAY[NEW.id];
    up   uuid;
    rc   boolean := current_setting('transaction_isolation') = 'read committed';
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM pg_advisory_xact_lock('mountaineer.region'::regclass::oid::int, 0);
    END IF;
    WHILE cur IS NOT NULL LOOP
        IF cur = ANY (seen) THEN
            RAISE EXCEPTION 'region % cannot be inside region %: that would make a cycle',
                mountaineer.excerpt(NEW.name), (SELECT mountaineer.excerpt(r.name) FROM mountaineer.region r WHERE r.id = NEW.parent_id)
                USING ERRCODE = 'check_violation',
                      DETAIL = format('Region %s is already inside region %s.',
                                      (SELECT mountaineer.excerpt(r.name) FROM mountaineer.region r WHERE r.id = NEW.parent_id),
                                      mountaineer.excerpt(NEW.name)),
                      HINT = 'Move the other region out first.';
        END IF;
        seen := seen || cur;
        IF rc THEN
            SELECT r.parent_id INTO up FROM mountaineer.region r WHERE r.id = cur FOR KEY SHARE;
        ELSE
            SELECT r.parent_id INTO up FROM mountaineer.region r WHERE r.id = cur FOR SHARE;
        END IF;
        cur := up;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.region_check_parent() IS
    'Trigger: a region is never inside itself (23514 naming both regions). A move takes a transaction advisory lock on the region table first, so two concurrent moves are checked one after the other; under REPEATABLE READ or SERIALIZABLE a move that cannot see a concurrent one fails with 40001.';
REVOKE EXECUTE ON FUNCTION mountaineer.region_check_parent() FROM PUBLIC;
CREATE TRIGGER check_parent AFTER INSERT OR UPDATE OF parent_id ON mountaineer.region
    FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL AND NOT mountaineer.restoring('mountaineer.region'))
    EXECUTE FUNCTION mountaineer.region_check_parent();
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.region
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

--------------------------------------------------------------------------
-- Sites: their region and status
--------------------------------------------------------------------------
ALTER TABLE mountaineer.site
    ADD COLUMN region_id uuid REFERENCES mountaineer.region ON DELETE RESTRICT,
    ADD COLUMN status mountaineer.site_status NOT NULL DEFAULT 'active';
CREATE INDEX site_region_idx ON mountaineer.site (region_id);
COMMENT ON COLUMN mountaineer.site.region_id IS 'The region the site is in (region.id); NULL for none. A region with sites cannot be deleted.';
COMMENT ON COLUMN mountaineer.site.status IS 'planned, staged, active (the default), decommissioning or retired.';

--------------------------------------------------------------------------
-- Locations: a tree within one site (a building > a floor > a room or a
-- cage).  A location's parent is at its own site (the foreign key
-- (parent_id, site_id)); names are unique among siblings (the same floor
-- name in two buildings is fine).  A location's site can change only with
-- its parent's (or when it has none): its sub-locations and racks go with
-- it (ON UPDATE CASCADE), and the racks' devices with them.
--------------------------------------------------------------------------
CREATE TABLE mountaineer.location (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    site_id     uuid NOT NULL REFERENCES mountaineer.site ON DELETE RESTRICT,
    parent_id   uuid,
    name        text NOT NULL CONSTRAINT location_name_check CHECK (mountaineer.is_valid_name(name)),
    status      mountaineer.site_status NOT NULL DEFAULT 'active',
    description text CONSTRAINT location_description_check CHECK (mountaineer.is_valid_name(description, 200)),
    CONSTRAINT location_not_own_parent CHECK (parent_id <> id),
    -- the target of the sub-locations' and racks' (…, site_id) foreign keys
    CONSTRAINT location_id_site_id_key UNIQUE (id, site_id),
    CONSTRAINT location_parent_id_site_id_fkey FOREIGN KEY (parent_id, site_id)
        REFERENCES mountaineer.location (id, site_id) ON UPDATE CASCADE ON DELETE RESTRICT
);
CREATE INDEX location_site_idx ON mountaineer.location (site_id);
CREATE INDEX location_parent_idx ON mountaineer.location (parent_id);
-- names unique among siblings; partial indexes (no NULL in a key), as rack's
CREATE UNIQUE INDEX location_parent_id_name_key ON mountaineer.location (parent_id, name) WHERE parent_id IS NOT NULL;
CREATE UNIQUE INDEX location_site_id_name_key ON mountaineer.location (site_id, name) WHERE parent_id IS NULL;
COMMENT ON INDEX mountaineer.location_parent_id_name_key IS 'Sub-locations of one location have distinct names.';
COMMENT ON INDEX mountaineer.location_site_id_name_key IS 'The top locations of a site have distinct names.';
COMMENT ON TABLE mountaineer.location IS
    'A place within a site that racks stand in (a building, a floor, a room, a cage), nested through parent_id within the same site; names are unique among siblings; a location is never inside itself.';
COMMENT ON COLUMN mountaineer.location.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.location.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.location.site_id IS 'The site it is at (site.id). Changing it moves the location''s sub-locations and racks (and their devices) too; refused while its parent is at another site.';
COMMENT ON COLUMN mountaineer.location.parent_id IS 'The location it is part of, at the same site (location.id); NULL at the top of its site. Moving a location under itself or one of its own sub-locations is refused; a location with sub-locations or racks cannot be deleted.';
COMMENT ON COLUMN mountaineer.location.name IS 'Unique among the locations with the same parent (or the top locations of its site); a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.location.status IS 'planned, staged, active (the default), decommissioning or retired.';
COMMENT ON COLUMN mountaineer.location.description IS 'Free text, one line of at most 200 characters; NULL for none.';
SELECT mountaineer.manage_table('mountaineer.location');

-- As region_check_parent, for locations (same lock idea, its own key).
CREATE FUNCTION mountaineer.location_check_parent() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cur  uuid := NEW.parent_id;
    seen uuid[] := ARRAY[NEW.id];
    up   uuid;
    rc   boolean := current_setting('transaction_isolation') = 'read committed';
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM pg_advisory_xact_lock('mountaineer.location'::regclass::oid::int, 0);
    END IF;
    WHILE cur IS NOT NULL LOOP
        IF cur = ANY (seen) THEN
            RAISE EXCEPTION 'location % cannot be inside location %: that would make a cycle',
                mountaineer.excerpt(NEW.name), (SELECT mountaineer.excerpt(l.name) FROM mountaineer.location l WHERE l.id = NEW.parent_id)
                USING ERRCODE = 'check_violation',
                      DETAIL = format('Location %s is already inside location %s.',
                                      (SELECT mountaineer.excerpt(l.name) FROM mountaineer.location l WHERE l.id = NEW.parent_id),
                                      mountaineer.excerpt(NEW.name)),
                      HINT = 'Move the other location out first.';
        END IF;
        seen := seen || cur;
        IF rc THEN
            SELECT l.parent_id INTO up FROM mountaineer.location l WHERE l.id = cur FOR KEY SHARE;
        ELSE
            SELECT l.parent_id INTO up FROM mountaineer.location l WHERE l.id = cur FOR SHARE;
        END IF;
        cur := up;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.location_check_parent() IS
    'Trigger: a location is never inside itself (23514 naming both locations). A move takes a transaction advisory lock on the location table first, so two concurrent moves are checked one after the other; under REPEATABLE READ or SERIALIZABLE a move that cannot see a concurrent one fails with 40001.';
REVOKE EXECUTE ON FUNCTION mountaineer.location_check_parent() FROM PUBLIC;
CREATE TRIGGER check_parent AFTER INSERT OR UPDATE OF parent_id ON mountaineer.location
    FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL AND NOT mountaineer.restoring('mountaineer.location'))
    EXECUTE FUNCTION mountaineer.location_check_parent();
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.location
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

--------------------------------------------------------------------------
-- Racks: their location (at the rack's own site) and status.  The foreign
-- key (location_id, site_id) says "a location of the rack's site": moving
-- a rack to another site while it names a location of the old one is
-- refused (23503; give the new location, or NULL, in the same UPDATE), and
-- a location that moves to another site takes its racks along.
--------------------------------------------------------------------------
ALTER TABLE mountaineer.rack
    ADD COLUMN location_id uuid,
    ADD COLUMN status mountaineer.rack_status NOT NULL DEFAULT 'active',
    ADD CONSTRAINT rack_location_id_site_id_fkey FOREIGN KEY (location_id, site_id)
        REFERENCES mountaineer.location (id, site_id) ON UPDATE CASCADE ON DELETE RESTRICT;
CREATE INDEX rack_location_idx ON mountaineer.rack (location_id);
COMMENT ON COLUMN mountaineer.rack.location_id IS 'The location it stands in (location.id), one of its own site''s; NULL for none. A location with racks cannot be deleted; a location moved to another site takes its racks along.';
COMMENT ON COLUMN mountaineer.rack.status IS 'planned, reserved, available, active (the default) or decommissioning.';

--------------------------------------------------------------------------
-- Devices: their status.  No rule ties it to its rack's or site's status
-- (README: why).
--------------------------------------------------------------------------
ALTER TABLE mountaineer.device
    ADD COLUMN status mountaineer.device_status NOT NULL DEFAULT 'active';
COMMENT ON COLUMN mountaineer.device.status IS
    'planned, staged, active (the default), offline, failed, inventory or decommissioning. Capacity views count every status''s units, and every status''s power but inventory''s (README: Regions, locations and status).';

--------------------------------------------------------------------------
-- The hierarchy: paths, and what is under a region or a location.  Each
-- walks down the tree by parent_id (region_parent_idx, location_parent_idx)
-- and then to the sites, racks and devices by their indexes, so its cost
-- follows what it returns, not the size of the estate.
--------------------------------------------------------------------------
CREATE VIEW mountaineer.region_path AS
WITH RECURSIVE t AS (
    SELECT r.id, ARRAY[r.id] AS ids, ARRAY[r.name] AS names
      FROM mountaineer.region r WHERE r.parent_id IS NULL
    UNION ALL
    SELECT r.id, t.ids || r.id, t.names || r.name
      FROM t JOIN mountaineer.region r ON r.parent_id = t.id
)
SELECT r.id, r.slug, r.name, r.parent_id, cardinality(t.ids) - 1 AS depth,
       t.ids AS path_ids, t.names AS path, array_to_string(t.names, ' > ') AS path_text
FROM t JOIN mountaineer.region r ON r.id = t.id;
COMMENT ON VIEW mountaineer.region_path IS 'Each region with its path from the top: ids and names, top first, and depth (0 at the top).';
COMMENT ON COLUMN mountaineer.region_path.id IS 'The region''s id.';
COMMENT ON COLUMN mountaineer.region_path.slug IS 'The region''s slug.';
COMMENT ON COLUMN mountaineer.region_path.name IS 'The region''s name.';
COMMENT ON COLUMN mountaineer.region_path.parent_id IS 'The region it is part of; NULL at the top.';
COMMENT ON COLUMN mountaineer.region_path.depth IS 'How many regions it is inside: 0 at the top.';
COMMENT ON COLUMN mountaineer.region_path.path_ids IS 'The ids from the top region down to this one (its own last).';
COMMENT ON COLUMN mountaineer.region_path.path IS 'The names from the top region down to this one (its own last).';
COMMENT ON COLUMN mountaineer.region_path.path_text IS 'path joined with " > ", e.g. Europe > Netherlands > Amsterdam.';

CREATE VIEW mountaineer.location_path AS
WITH RECURSIVE t AS (
    SELECT l.id, ARRAY[l.id] AS ids, ARRAY[l.name] AS names
      FROM mountaineer.location l WHERE l.parent_id IS NULL
    UNION ALL
    SELECT l.id, t.ids || l.id, t.names || l.name
      FROM t JOIN mountaineer.location l ON l.parent_id = t.id
)
SELECT l.id, l.slug, l.name, l.site_id, s.name AS site, l.parent_id, cardinality(t.ids) - 1 AS depth,
       t.ids AS path_ids, t.names AS path, s.name || ': ' || array_to_string(t.names, ' > ') AS path_text
FROM t JOIN mountaineer.location l ON l.id = t.id JOIN mountaineer.site s ON s.id = l.site_id;
COMMENT ON VIEW mountaineer.location_path IS 'Each location with its site and its path from the top of the site: ids and names, top first, and depth (0 at the top).';
COMMENT ON COLUMN mountaineer.location_path.id IS 'The location''s id.';
COMMENT ON COLUMN mountaineer.location_path.slug IS 'The location''s slug.';
COMMENT ON COLUMN mountaineer.location_path.name IS 'The location''s name.';
COMMENT ON COLUMN mountaineer.location_path.site_id IS 'The id of its site.';
COMMENT ON COLUMN mountaineer.location_path.site IS 'The name of its site.';
COMMENT ON COLUMN mountaineer.location_path.parent_id IS 'The location it is part of; NULL at the top of its site.';
COMMENT ON COLUMN mountaineer.location_path.depth IS 'How many locations it is inside: 0 at the top of its site.';
COMMENT ON COLUMN mountaineer.location_path.path_ids IS 'The ids from the top location down to this one (its own last).';
COMMENT ON COLUMN mountaineer.location_path.path IS 'The names from the top location down to this one (its own last).';
COMMENT ON COLUMN mountaineer.location_path.path_text IS 'The site''s name, then path joined with " > ", e.g. ams1: DC1 > Floor 2 > Cage 7.';
GRANT SELECT ON mountaineer.region_path, mountaineer.location_path TO mountaineer_reader;

-- The region and every region under it, with how deep below it each is.
CREATE FUNCTION mountaineer.region_tree(region_id uuid)
    RETURNS TABLE (id uuid, depth int)
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM FROM mountaineer.region r WHERE r.id = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no region with id %', $1 USING ERRCODE = 'no_data_found';
    END IF;
    RETURN QUERY
    WITH RECURSIVE t AS (
        SELECT $1 AS node, 0 AS d
        UNION ALL
        SELECT r.id, t.d + 1 FROM t JOIN mountaineer.region r ON r.parent_id = t.node
    )
    SELECT t.node, t.d FROM t;
END
$$;
COMMENT ON FUNCTION mountaineer.region_tree(uuid) IS
    'The region and every region inside it, at any depth, with depth (0: the region itself); P0002 for an unknown region.';

CREATE FUNCTION mountaineer.location_tree(location_id uuid)
    RETURNS TABLE (id uuid, depth int)
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM FROM mountaineer.location l WHERE l.id = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no location with id %', $1 USING ERRCODE = 'no_data_found';
    END IF;
    RETURN QUERY
    WITH RECURSIVE t AS (
        SELECT $1 AS node, 0 AS d
        UNION ALL
        SELECT l.id, t.d + 1 FROM t JOIN mountaineer.location l ON l.parent_id = t.node
    )
    SELECT t.node, t.d FROM t;
END
$$;
COMMENT ON FUNCTION mountaineer.location_tree(uuid) IS
    'The location and every location inside it, at any depth, with depth (0: the location itself); P0002 for an unknown location.';

-- What is under a region or a location: the tree first, as an array of
-- ids, then one query planned for that array (EXECUTE plans each call with
-- its values), so a cage's ten devices are a few index probes and a whole
-- continent's a hash join, rather than one plan for both.
CREATE FUNCTION mountaineer.region_sites(region_id uuid) RETURNS SETOF mountaineer.site
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 100
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ids uuid[] := ARRAY(SELECT t.id FROM mountaineer.region_tree($1) t);
BEGIN
    RETURN QUERY EXECUTE 'SELECT s.* FROM mountaineer.site s WHERE s.region_id = ANY ($1)' USING ids;
END
$$;
COMMENT ON FUNCTION mountaineer.region_sites(uuid) IS
    'Every site in the region or in a region inside it, at any depth; P0002 for an unknown region. Through PostgREST: /rpc/region_sites?region_id=… (filters and embedding as on /site).';

CREATE FUNCTION mountaineer.region_racks(region_id uuid) RETURNS SETOF mountaineer.rack
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 1000
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ids uuid[] := ARRAY(SELECT t.id FROM mountaineer.region_tree($1) t);
BEGIN
    RETURN QUERY EXECUTE 'SELECT k.* FROM mountaineer.site s JOIN mountaineer.rack k ON k.site_id = s.id
                           WHERE s.region_id = ANY ($1)' USING ids;
END
$$;
COMMENT ON FUNCTION mountaineer.region_racks(uuid) IS
    'Every rack at a site in the region or in a region inside it, at any depth; P0002 for an unknown region.';

CREATE FUNCTION mountaineer.region_devices(region_id uuid) RETURNS SETOF mountaineer.device
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 10000
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ids uuid[] := ARRAY(SELECT t.id FROM mountaineer.region_tree($1) t);
BEGIN
    RETURN QUERY EXECUTE 'SELECT d.* FROM mountaineer.site s JOIN mountaineer.device d ON d.site_id = s.id
                           WHERE s.region_id = ANY ($1)' USING ids;
END
$$;
COMMENT ON FUNCTION mountaineer.region_devices(uuid) IS
    'Every device racked at a site in the region or in a region inside it, at any depth (an unracked device is at no site); P0002 for an unknown region.';

CREATE FUNCTION mountaineer.location_racks(location_id uuid) RETURNS SETOF mountaineer.rack
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 100
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ids uuid[] := ARRAY(SELECT t.id FROM mountaineer.location_tree($1) t);
BEGIN
    RETURN QUERY EXECUTE 'SELECT k.* FROM mountaineer.rack k WHERE k.location_id = ANY ($1)' USING ids;
END
$$;
COMMENT ON FUNCTION mountaineer.location_racks(uuid) IS
    'Every rack in the location or in a location inside it, at any depth; P0002 for an unknown location.';

CREATE FUNCTION mountaineer.location_devices(location_id uuid) RETURNS SETOF mountaineer.device
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 1000
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ids uuid[] := ARRAY(SELECT t.id FROM mountaineer.location_tree($1) t);
BEGIN
    RETURN QUERY EXECUTE 'SELECT d.* FROM mountaineer.rack k JOIN mountaineer.device d ON d.rack_id = k.id
                           WHERE k.location_id = ANY ($1)' USING ids;
END
$$;
COMMENT ON FUNCTION mountaineer.location_devices(uuid) IS
    'Every device in a rack in the location or in a location inside it, at any depth; P0002 for an unknown location.';

-- For the REST API: PostgREST cannot embed a location's parent through
-- the composite self-reference (parent_id, site_id) by a hint, but embeds
-- through a "computed relationship": a function of the row returning the
-- related rows (ROWS 1: at most one, so a to-one embedding).
-- /location?select=name,parent_location(name).  A region's parent embeds
-- through its column: /region?select=name,parent:parent_id(name).
CREATE FUNCTION mountaineer.parent_location(mountaineer.location) RETURNS SETOF mountaineer.location
    LANGUAGE sql STABLE STRICT PARALLEL SAFE ROWS 1
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.* FROM mountaineer.location p WHERE p.id = $1.parent_id
$$;
COMMENT ON FUNCTION mountaineer.parent_location(mountaineer.location) IS
    'The location a location is part of (none at the top of its site): for the REST API, which embeds it as /location?select=name,parent_location(name).';

GRANT EXECUTE ON FUNCTION mountaineer.region_tree(uuid), mountaineer.location_tree(uuid),
    mountaineer.region_sites(uuid), mountaineer.region_racks(uuid), mountaineer.region_devices(uuid),
    mountaineer.location_racks(uuid), mountaineer.location_devices(uuid),
    mountaineer.parent_location(mountaineer.location)
    TO mountaineer_reader;

--------------------------------------------------------------------------
-- Capacity views and status.  Units: every device in a rack takes its
-- units whatever its status (a planned one holds them, a decommissioning
-- one is still there).  Power: every device draws but one in inventory (a
-- spare, racked or not, is switched off); a planned device's draw is
-- committed and a decommissioning one's is drawn until it leaves, so both
-- count, and are shown apart.  PDU capacity: only PDUs that are there and
-- deliver (not planned, inventory or failed); planned PDUs are shown
-- apart.  New columns come last (CREATE OR REPLACE VIEW can only append).
--------------------------------------------------------------------------
CREATE OR REPLACE VIEW mountaineer.rack_device AS
SELECT r.id AS rack_id, r.name AS rack, s.name AS site,
       d.id AS device_id, d.name AS device, d.kind,
       d.position, mountaineer.lower(d.position) AS first_unit, mountaineer.upper(d.position) AS last_unit,
       mountaineer.face(d.position) AS face, d.units,
       d.status, l.name AS location
FROM mountaineer.rack r
JOIN mountaineer.site s ON s.id = r.site_id
JOIN mountaineer.device d ON d.rack_id = r.id
LEFT JOIN mountaineer.location l ON l.id = r.location_id
ORDER BY s.name, r.name, mountaineer.lower(d.position) NULLS LAST, d.position, d.name;
COMMENT ON COLUMN mountaineer.rack_device.status IS 'The device''s status: planned, staged, active, offline, failed, inventory or decommissioning.';
COMMENT ON COLUMN mountaineer.rack_device.location IS 'The name of the rack''s location; NULL when it names none.';

CREATE OR REPLACE VIEW mountaineer.rack_power AS
SELECT r.id AS rack_id, r.name AS rack, s.name AS site,
       coalesce(sum(p.watts) FILTER (WHERE d.status NOT IN ('planned', 'inventory', 'failed')), 0) AS capacity_watts,
       coalesce(sum(d.draw_watts) FILTER (WHERE d.status <> 'inventory'), 0) AS allocated_watts,
       coalesce(sum(p.watts) FILTER (WHERE d.status NOT IN ('planned', 'inventory', 'failed')), 0)
           - coalesce(sum(d.draw_watts) FILTER (WHERE d.status <> 'inventory'), 0) AS unallocated_watts,
       r.status AS rack_status,
       coalesce(sum(d.draw_watts) FILTER (WHERE d.status = 'planned'), 0) AS planned_watts,
       coalesce(sum(d.draw_watts) FILTER (WHERE d.status = 'decommissioning'), 0) AS decommissioning_watts,
       coalesce(sum(p.watts) FILTER (WHERE d.status = 'planned'), 0) AS planned_capacity_watts
FROM mountaineer.rack r
JOIN mountaineer.site s ON s.id = r.site_id
LEFT JOIN mountaineer.device d ON d.rack_id = r.id
LEFT JOIN mountaineer.pdu p ON p.id = d.id
GROUP BY r.id, r.name, s.name, r.status;
COMMENT ON VIEW mountaineer.rack_power IS
    'Per rack: capacity (Σ watts of its PDUs that deliver: not planned, inventory or failed), allocated (Σ draw of its devices but those in inventory, planned and decommissioning ones included) and what is left; the planned and decommissioning shares apart.';
COMMENT ON COLUMN mountaineer.rack_power.capacity_watts IS 'What the rack''s PDUs can deliver now, in watts: the sum of volts × amps of its PDUs that are not planned, inventory or failed (0 without PDUs).';
COMMENT ON COLUMN mountaineer.rack_power.allocated_watts IS 'What the rack''s devices are expected to draw, in watts: the sum of draw_watts of its devices not in inventory, planned (committed) and decommissioning (still drawing) ones included; a device without one counts 0.';
COMMENT ON COLUMN mountaineer.rack_power.rack_status IS 'The rack''s status: planned, reserved, available, active or decommissioning.';
COMMENT ON COLUMN mountaineer.rack_power.planned_watts IS 'The part of allocated_watts that planned devices will draw.';
COMMENT ON COLUMN mountaineer.rack_power.decommissioning_watts IS 'The part of allocated_watts that decommissioning devices draw until they are removed.';
COMMENT ON COLUMN mountaineer.rack_power.planned_capacity_watts IS 'What planned PDUs will add to capacity_watts, in watts (not in capacity_watts).';

CREATE OR REPLACE VIEW mountaineer.rack_utilization AS
SELECT r.id AS rack_id, r.name AS rack, s.name AS site, r.units,
       u.used AS used_units, r.units - u.used AS free_units,
       round(100.0 * u.used / r.units, 1) AS percent,
       r.status AS rack_status, u.planned AS planned_units, u.decommissioning AS decommissioning_units
FROM mountaineer.rack r
JOIN mountaineer.site s ON s.id = r.site_id
CROSS JOIN LATERAL (
    SELECT count(DISTINCT g)::int AS used,
           count(DISTINCT g) FILTER (WHERE d.status = 'planned')::int AS planned,
           count(DISTINCT g) FILTER (WHERE d.status = 'decommissioning')::int AS decommissioning
    FROM mountaineer.device d,
         generate_series(mountaineer.lower(d.position), mountaineer.upper(d.position)) g
    WHERE d.rack_id = r.id
) u;
COMMENT ON VIEW mountaineer.rack_utilization IS
    'Per rack: units, units used (on either face, by devices of any status), units free, and percent used; the units held by planned devices and by decommissioning ones apart.';
COMMENT ON COLUMN mountaineer.rack_utilization.rack_status IS 'The rack''s status: planned, reserved, available, active or decommissioning.';
COMMENT ON COLUMN mountaineer.rack_utilization.planned_units IS 'Units with a planned device on either face (counted in used_units: the units are held for it).';
COMMENT ON COLUMN mountaineer.rack_utilization.decommissioning_units IS 'Units with a decommissioning device on either face (counted in used_units; free once it is removed).';

CREATE OR REPLACE VIEW mountaineer.device_summary AS
SELECT s.name AS site, d.kind, count(*) AS devices,
       sum(d.units) AS units, coalesce(sum(d.draw_watts), 0) AS draw_watts,
       count(*) FILTER (WHERE d.status = 'active') AS active,
       count(*) FILTER (WHERE d.status = 'planned') AS planned,
       count(*) FILTER (WHERE d.status = 'decommissioning') AS decommissioning
FROM mountaineer.device d
LEFT JOIN mountaineer.site s ON s.id = d.site_id
GROUP BY s.name, d.kind;
COMMENT ON VIEW mountaineer.device_summary IS
    'For BI tools: per site (NULL: devices in no rack) and kind, how many devices (of any status; how many are active, planned and decommissioning), the units they take and the power they are expected to draw.';
COMMENT ON COLUMN mountaineer.device_summary.active IS 'How many of them are active.';
COMMENT ON COLUMN mountaineer.device_summary.planned IS 'How many of them are planned.';
COMMENT ON COLUMN mountaineer.device_summary.decommissioning IS 'How many of them are decommissioning.';

COMMENT ON FUNCTION mountaineer.impact(uuid, boolean) IS
    'Every device that goes down with the given one, each once at its smallest depth: a device all of whose connected power ports are fed by failed devices, or all of whose traced interfaces lead through or to failed devices; transitively. via_port is the dependent''s port that lost its last supply or path. Only connected cables supply or lead anywhere (a server with psu1 connected and psu2 planned depends on psu1''s PDU), unless include_planned: then every cable, as if all were connected. Device status plays no part: a planned, offline or decommissioning device is reported as any other (join device.status to tell them apart). P0002 for an unknown device.';
-- End: sites, regions, locations and status (1.5)


-- == tags and attributes (1.5) ==
-- End: tags and attributes (1.5)


-- == circuits (1.5) ==
-- End: circuits (1.5)


-- == power (1.5) ==
-- End: power (1.5)
