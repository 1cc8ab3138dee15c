-- mountaineer_networks 1.4 -> 1.5: the model issue 12 asks for (device types, site
-- hierarchy, status, tags and attributes, circuits, VLAN groups, power);
-- needs mountaineer and mountaineer_hardware 1.5: update them first.
\echo Use "ALTER EXTENSION mountaineer_networks UPDATE TO '1.5'" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regprocedure('mountaineer.manage_attributes(regclass)') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_networks 1.5 needs mountaineer 1.5'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
    IF pg_catalog.to_regclass('mountaineer.location') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_networks 1.5 needs mountaineer_hardware 1.5'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer_hardware UPDATE first.';
    END IF;
END
$$;


-- == VLAN groups (1.5) ==
-- A VLAN group is a set of VLAN ids to allocate from, with a scope: a site,
-- a location, a region, or global (no scope).  Its VLANs are unique in it
-- and lie in its range min_vid..max_vid.  VLANs without a group keep the rule of 1.0-1.4: unique
-- per site, and once among global VLANs; existing VLANs get no group.
-- No generic foreign key: one nullable column per kind of scope, at most one
-- set.
CREATE TABLE mountaineer.vlan_group (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL CONSTRAINT vlan_group_name_check CHECK (mountaineer.is_valid_name(name)),
    site_id     uuid REFERENCES mountaineer.site ON DELETE RESTRICT,
    region_id   uuid REFERENCES mountaineer.region ON DELETE RESTRICT,
    location_id uuid REFERENCES mountaineer.location ON DELETE RESTRICT,
    min_vid     int NOT NULL DEFAULT 1,
    max_vid     int NOT NULL DEFAULT 4094,
    description text CONSTRAINT vlan_group_description_check CHECK (mountaineer.is_valid_name(description, 200)),
    CONSTRAINT vlan_group_vid_range CHECK (min_vid >= 1 AND min_vid <= max_vid AND max_vid <= 4094),
    CONSTRAINT vlan_group_one_scope CHECK (num_nonnulls(site_id, region_id, location_id) <= 1),
    CONSTRAINT vlan_group_scope_name_key UNIQUE NULLS NOT DISTINCT (site_id, region_id, location_id, name)
);
COMMENT ON TABLE mountaineer.vlan_group IS 'A group of VLANs scoped to a site, a location or a region, or global: its VLAN ids are unique in it and lie in min_vid..max_vid; allocate_vlan hands them out.';
COMMENT ON COLUMN mountaineer.vlan_group.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.vlan_group.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.vlan_group.name IS 'A name (1..100 characters, no leading or trailing white space, no control characters), unique within its scope.';
COMMENT ON COLUMN mountaineer.vlan_group.site_id IS 'The site the group is scoped to (site.id); NULL with no other scope: a global group. Its VLANs are at that site.';
COMMENT ON COLUMN mountaineer.vlan_group.region_id IS 'The region the group is scoped to (region.id); its VLANs may be at any site.';
COMMENT ON COLUMN mountaineer.vlan_group.location_id IS 'The location the group is scoped to (location.id); its VLANs are at the location''s site.';
COMMENT ON COLUMN mountaineer.vlan_group.min_vid IS 'The lowest VLAN id of the group, 1..4094 (default 1).';
COMMENT ON COLUMN mountaineer.vlan_group.max_vid IS 'The highest VLAN id of the group, min_vid..4094 (default 4094); narrowing the range past a VLAN of the group is refused.';
COMMENT ON COLUMN mountaineer.vlan_group.description IS 'Free text, one line of at most 200 characters; NULL for none.';
COMMENT ON CONSTRAINT vlan_group_one_scope ON mountaineer.vlan_group IS 'A group has at most one scope (site, location or region); none: global.';
COMMENT ON CONSTRAINT vlan_group_scope_name_key ON mountaineer.vlan_group IS 'A name once per scope, and once among global groups.';
SELECT mountaineer.manage_table('mountaineer.vlan_group');
-- its tags and attributes here, before vlan_group_site() takes its row type
SELECT mountaineer.manage_attributes('mountaineer.vlan_group');
CREATE INDEX vlan_group_region_idx ON mountaineer.vlan_group (region_id);
CREATE INDEX vlan_group_location_idx ON mountaineer.vlan_group (location_id);
-- A group that VLANs are in is refused, naming them.
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.vlan_group
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

ALTER TABLE mountaineer.vlan ADD COLUMN group_id uuid REFERENCES mountaineer.vlan_group ON DELETE RESTRICT;
COMMENT ON COLUMN mountaineer.vlan.group_id IS 'The VLAN group (vlan_group.id) the VLAN is in, if any: its vid is unique in the group and lies in its range; NULL: unique per site (or among global VLANs) as before 1.5.';
-- the 1.0 rule (once per site, once globally) now holds among VLANs without a group
ALTER TABLE mountaineer.vlan DROP CONSTRAINT vlan_site_vid_key;
CREATE UNIQUE INDEX vlan_site_vid_key ON mountaineer.vlan (site_id, vid) NULLS NOT DISTINCT WHERE group_id IS NULL;
COMMENT ON INDEX mountaineer.vlan_site_vid_key IS 'A VLAN without a group: its vid once per site, and once among global VLANs.';
ALTER TABLE mountaineer.vlan ADD CONSTRAINT vlan_group_vid_key UNIQUE (group_id, vid);
COMMENT ON CONSTRAINT vlan_group_vid_key ON mountaineer.vlan IS 'A vid once per VLAN group (next_free_vlan reads this index).';
COMMENT ON TABLE mountaineer.vlan IS 'A VLAN, at a site or global (site_id NULL), in a VLAN group or none: a VLAN id is used once per group; without a group, once per site and once globally.';
COMMENT ON COLUMN mountaineer.vlan.vid IS 'The 802.1Q VLAN id, 1..4094, within its group''s range; unique per group, and without a group unique per site and once among global VLANs.';

-- The site a group keeps its VLANs at: its own for a site's group; NULL
-- for a global one, whose VLANs may be at any site.  (A location's group,
-- when locations come: the location's site.)
CREATE FUNCTION mountaineer.vlan_group_site(g mountaineer.vlan_group) RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
RETURN coalesce(g.site_id, (SELECT l.site_id FROM mountaineer.location l WHERE l.id = g.location_id));
COMMENT ON FUNCTION mountaineer.vlan_group_site(mountaineer.vlan_group) IS 'Internal: the site a VLAN group keeps its VLANs at (its scope''s site), NULL when they may be at any site.';
REVOKE EXECUTE ON FUNCTION mountaineer.vlan_group_site(mountaineer.vlan_group) FROM PUBLIC;

-- A VLAN of a group lies in the group's range and, for a group scoped to a
-- site, at that site (given NULL, it takes the group's site).  The group row
-- is locked FOR SHARE, so a concurrent narrowing of the range (an UPDATE of
-- that row) waits for this VLAN's transaction, then sees the VLAN; or this
-- waits for the narrowing and reads the new range.
CREATE FUNCTION mountaineer.vlan_check_group() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g       mountaineer.vlan_group;
    at_site uuid;
BEGIN
    IF NEW.group_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT * INTO g FROM mountaineer.vlan_group x WHERE x.id = NEW.group_id FOR SHARE;
    IF NOT FOUND THEN
        RETURN NEW;   -- the foreign key refuses it (23503)
    END IF;
    IF NEW.vid NOT BETWEEN g.min_vid AND g.max_vid THEN
        RAISE EXCEPTION 'VLAN "%" (%) lies outside the range % to % of VLAN group "%"', NEW.name, NEW.vid, g.min_vid, g.max_vid, g.name
            USING ERRCODE = 'check_violation';
    END IF;
    at_site := mountaineer.vlan_group_site(g);
    IF at_site IS NOT NULL THEN
        IF NEW.site_id IS NULL THEN
            NEW.site_id := at_site;
        ELSIF NEW.site_id <> at_site THEN
            RAISE EXCEPTION 'VLAN "%" is at site "%" but its VLAN group "%" is at site "%"', NEW.name,
                (SELECT s.name FROM mountaineer.site s WHERE s.id = NEW.site_id), g.name,
                (SELECT s.name FROM mountaineer.site s WHERE s.id = at_site)
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.vlan_check_group() IS 'Trigger: a VLAN of a group lies in the group''s vid range and, in a group scoped to a site, at that site (NULL takes it); 23514 otherwise.';
REVOKE EXECUTE ON FUNCTION mountaineer.vlan_check_group() FROM PUBLIC;
CREATE TRIGGER vlan_check_group BEFORE INSERT OR UPDATE OF group_id, vid, site_id ON mountaineer.vlan
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.vlan'))
    EXECUTE FUNCTION mountaineer.vlan_check_group();

-- A group's range may not shrink past one of its VLANs, nor its scope move
-- to a site where its VLANs are not (vlan_group_site).  Only under READ
-- COMMITTED: the check must see VLANs committed while the UPDATE waited for
-- their FOR SHARE lock on the row, which a REPEATABLE READ snapshot would
-- not.
CREATE FUNCTION mountaineer.vlan_group_keep_vlans() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n       bigint;
    names   text[];
    at_site uuid := mountaineer.vlan_group_site(NEW);
BEGIN
    IF NEW.min_vid > OLD.min_vid OR NEW.max_vid < OLD.max_vid THEN
        PERFORM mountaineer.check_read_committed(format('narrowing VLAN group "%s"', OLD.name));
        SELECT count(*), (array_agg(format('%s (%s)', v.name, v.vid) ORDER BY v.vid))[1:10] INTO n, names
          FROM mountaineer.vlan v
         WHERE v.group_id = NEW.id AND v.vid NOT BETWEEN NEW.min_vid AND NEW.max_vid;
        IF n > 0 THEN
            RAISE EXCEPTION 'VLAN group "%" cannot be narrowed to % to %: % VLAN(s) lie outside: %', OLD.name, NEW.min_vid, NEW.max_vid, n,
                array_to_string(names, ', ') || CASE WHEN n > 10 THEN ', ...' ELSE '' END
                USING ERRCODE = 'check_violation', HINT = 'Move or delete those VLANs first.';
        END IF;
    END IF;
    IF at_site IS DISTINCT FROM mountaineer.vlan_group_site(OLD) AND at_site IS NOT NULL THEN
        PERFORM mountaineer.check_read_committed(format('moving VLAN group "%s"', OLD.name));
        SELECT count(*), (array_agg(format('%s (%s)', v.name, v.vid) ORDER BY v.vid))[1:10] INTO n, names
          FROM mountaineer.vlan v
         WHERE v.group_id = NEW.id AND v.site_id IS DISTINCT FROM at_site;
        IF n > 0 THEN
            RAISE EXCEPTION 'VLAN group "%" cannot be scoped to site "%": % VLAN(s) are not at that site: %', OLD.name,
                (SELECT s.name FROM mountaineer.site s WHERE s.id = at_site), n,
                array_to_string(names, ', ') || CASE WHEN n > 10 THEN ', ...' ELSE '' END
                USING ERRCODE = 'check_violation', HINT = 'Move those VLANs to the site, or out of the group, first.';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.vlan_group_keep_vlans() IS 'Trigger: refuses (23514) narrowing a VLAN group''s range past its VLANs, or scoping it to a site where its VLANs are not, naming them; 25000 outside READ COMMITTED.';
REVOKE EXECUTE ON FUNCTION mountaineer.vlan_group_keep_vlans() FROM PUBLIC;
CREATE TRIGGER vlan_group_keep_vlans BEFORE UPDATE OF min_vid, max_vid, site_id, location_id ON mountaineer.vlan_group
    FOR EACH ROW EXECUTE FUNCTION mountaineer.vlan_group_keep_vlans();

-- The lowest vid of the group no VLAN of it holds: min_vid, or the one after
-- the first held vid whose successor is free (index probes on
-- vlan_group_vid_key, in order).
CREATE FUNCTION mountaineer.next_free_vlan(group_id uuid) RETURNS int
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g mountaineer.vlan_group;
BEGIN
    SELECT * INTO g FROM mountaineer.vlan_group x WHERE x.id = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no VLAN group with id %', $1 USING ERRCODE = 'no_data_found';
    END IF;
    RETURN (SELECT min(x) FROM (
                SELECT g.min_vid AS x
                 WHERE NOT EXISTS (SELECT FROM mountaineer.vlan v WHERE v.group_id = g.id AND v.vid = g.min_vid)
                UNION ALL
                (SELECT v.vid + 1 FROM mountaineer.vlan v
                  WHERE v.group_id = g.id AND v.vid >= g.min_vid AND v.vid < g.max_vid
                    AND NOT EXISTS (SELECT FROM mountaineer.vlan w WHERE w.group_id = g.id AND w.vid = v.vid + 1)
                  ORDER BY v.vid LIMIT 1)) f);
END
$$;
COMMENT ON FUNCTION mountaineer.next_free_vlan(uuid) IS
    'The lowest VLAN id of the group''s range that no VLAN of the group holds; NULL when the group is full; P0002 for an unknown group.';

CREATE FUNCTION mountaineer.allocate_vlan(group_id uuid, name text) RETURNS mountaineer.vlan
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g mountaineer.vlan_group;
    n int;
    r mountaineer.vlan;
BEGIN
    PERFORM mountaineer.check_read_committed('allocate_vlan');
    -- allocations from one group wait for each other (and VLANs inserted by
    -- hand into it, which lock the row FOR SHARE); each then looks for a
    -- free vid with a snapshot that sees what the one before committed
    SELECT * INTO g FROM mountaineer.vlan_group x WHERE x.id = $1 FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no VLAN group with id %', $1 USING ERRCODE = 'no_data_found';
    END IF;
    LOOP
        n := mountaineer.next_free_vlan($1);
        IF n IS NULL THEN
            RAISE EXCEPTION 'no free VLAN id left in VLAN group "%" (% to %)', g.name, g.min_vid, g.max_vid
                USING ERRCODE = 'insufficient_resources';
        END IF;
        BEGIN
            INSERT INTO mountaineer.vlan (group_id, site_id, vid, name) VALUES ($1, g.site_id, n, $2) RETURNING * INTO r;
            EXIT;
        EXCEPTION WHEN unique_violation THEN
            -- a vid taken since we looked (the lock makes this rare): look again
        END;
    END LOOP;
    RETURN r;
END
$$;
COMMENT ON FUNCTION mountaineer.allocate_vlan(uuid, text) IS
    'Inserts and returns a VLAN of that name with the lowest free vid of the group (at the group''s site, if scoped to one); concurrent callers never get the same vid. 53000 when the group is full, P0002 for an unknown group, 25000 outside READ COMMITTED.';
REVOKE EXECUTE ON FUNCTION mountaineer.allocate_vlan(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.allocate_vlan(uuid, text) TO mountaineer_editor;
-- End: VLAN groups (1.5)


-- == tags and attributes (1.5) ==
-- tags and attributes on every inventory table (mountaineer.manage_attributes,
-- core 1.5); exempt: prefix_free and vrf_lock (derived, kept by triggers).
SELECT mountaineer.manage_attributes('mountaineer.vrf');
SELECT mountaineer.manage_attributes('mountaineer.vlan');
SELECT mountaineer.manage_attributes('mountaineer.prefix');
SELECT mountaineer.manage_attributes('mountaineer.ip_range');
SELECT mountaineer.manage_attributes('mountaineer.ip_address');
SELECT mountaineer.manage_attributes('mountaineer.rir');
SELECT mountaineer.manage_attributes('mountaineer.asn_range');
SELECT mountaineer.manage_attributes('mountaineer.asn');
-- End: tags and attributes (1.5)
