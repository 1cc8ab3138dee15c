-- mountaineer_hardware 1.5 -> 1.6: what the NetBox migration (mountaineer_netbox) needs
-- besides 1.5 (site groups, rack and device roles, platforms, a rack's starting
-- unit, an outlet's power port and feed leg, tenants): see the blocks below. Needs mountaineer 1.6: update it first.
\echo Use "ALTER EXTENSION mountaineer_hardware UPDATE TO '1.6'" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regclass('mountaineer.tenant') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_hardware 1.6 needs mountaineer 1.6'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;

-- == site groups, roles, platforms and racks (1.6) ==
-- What NetBox has beside regions and types: site groups (a tree of kinds of
-- site, NetBox's dcim_sitegroup, beside the regions' tree of places), rack
-- and device roles, platforms (what a device runs), and the number a rack's
-- lowest unit carries.  The same text in the full script and the upgrade
-- script: the new columns are added here in both.

--------------------------------------------------------------------------
-- A tree is never inside itself: one trigger function for every table with
-- a parent_id into itself and a name (site_group; region and location keep
-- their own 1.5 copies of the same idiom, see README).  TG_ARGV[0] is what
-- messages call a row ('site group').  Race: as region_check_parent says,
-- a move first takes one transaction advisory lock for the table (keyed by
-- its oid, as region's), then reads the parents one statement per step,
-- each locked FOR KEY SHARE under READ COMMITTED and FOR SHARE otherwise
-- (40001 when a concurrent transaction has changed it since).
--------------------------------------------------------------------------
CREATE FUNCTION mountaineer.tree_check_parent() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    noun   text := TG_ARGV[0];
    cur    uuid := NEW.parent_id;
    seen   uuid[] := ARRAY[NEW.id];
    up     uuid;
    parent text;
    lock   text := CASE WHEN current_setting('transaction_isolation') = 'read committed'
                        THEN 'KEY SHARE' ELSE 'SHARE' END;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM pg_advisory_xact_lock(TG_RELID::int, 0);
    END IF;
    WHILE cur IS NOT NULL LOOP
        IF cur = ANY (seen) THEN
            EXECUTE format('SELECT t.name FROM %s t WHERE t.id = $1', TG_RELID::regclass)
               INTO parent USING NEW.parent_id;
            RAISE EXCEPTION '% % cannot be inside % %: that would make a cycle',
                noun, mountaineer.excerpt(NEW.name), noun, mountaineer.excerpt(parent)
                USING ERRCODE = 'check_violation',
                      DETAIL = format('%s %s is already inside %s %s.', upper(left(noun, 1)) || substr(noun, 2),
                                      mountaineer.excerpt(parent), noun, mountaineer.excerpt(NEW.name)),
                      HINT = format('Move the other %s out first.', noun);
        END IF;
        seen := seen || cur;
        EXECUTE format('SELECT t.parent_id FROM %s t WHERE t.id = $1 FOR %s', TG_RELID::regclass, lock)
           INTO up USING cur;
        cur := up;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.tree_check_parent() IS
    'Trigger for a table nested through parent_id (site_group): a row is never inside itself (23514 naming both rows, called TG_ARGV[0] in the message). A move takes a transaction advisory lock on the table first, so two concurrent moves are checked one after the other; under REPEATABLE READ or SERIALIZABLE a move that cannot see a concurrent one fails with 40001.';
REVOKE EXECUTE ON FUNCTION mountaineer.tree_check_parent() FROM PUBLIC;

--------------------------------------------------------------------------
-- Site groups: a tree of kinds of site (Production > Edge), beside the
-- regions.  Names are unique over the whole tree, as regions' are.
--------------------------------------------------------------------------
CREATE TABLE mountaineer.site_group (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL CONSTRAINT site_group_name_key UNIQUE CONSTRAINT site_group_name_check CHECK (mountaineer.is_valid_name(name)),
    parent_id   uuid REFERENCES mountaineer.site_group ON DELETE RESTRICT,
    description text CONSTRAINT site_group_description_check CHECK (mountaineer.is_valid_name(description, 200)),
    CONSTRAINT site_group_not_own_parent CHECK (parent_id <> id)
);
CREATE INDEX site_group_parent_idx ON mountaineer.site_group (parent_id);
COMMENT ON TABLE mountaineer.site_group IS
    'A kind of site (production, edge, lab …) sites belong to, nested through parent_id (NetBox''s site groups); a group is never inside itself.';
COMMENT ON COLUMN mountaineer.site_group.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.site_group.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.site_group.name IS 'Unique among all site groups; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.site_group.parent_id IS 'The site group it is part of (site_group.id); NULL at the top. Moving a group under itself or one of its own sub-groups is refused; a group with sub-groups or sites cannot be deleted.';
COMMENT ON COLUMN mountaineer.site_group.description IS 'Free text, one line of at most 200 characters; NULL for none.';
SELECT mountaineer.manage_table('mountaineer.site_group');
SELECT mountaineer.manage_attributes('mountaineer.site_group');
CREATE TRIGGER check_parent AFTER INSERT OR UPDATE OF parent_id ON mountaineer.site_group
    FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL AND NOT mountaineer.restoring('mountaineer.site_group'))
    EXECUTE FUNCTION mountaineer.tree_check_parent('site group');
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.site_group
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

ALTER TABLE mountaineer.site
    ADD COLUMN group_id uuid REFERENCES mountaineer.site_group ON DELETE RESTRICT;
CREATE INDEX site_group_id_idx ON mountaineer.site (group_id);
COMMENT ON COLUMN mountaineer.site.group_id IS 'The site group it belongs to (site_group.id); NULL for none. A group with sites cannot be deleted.';

--------------------------------------------------------------------------
-- Rack roles and device roles: what a rack or a device is for, with a
-- display colour as tags have one.
--------------------------------------------------------------------------
CREATE TABLE mountaineer.rack_role (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL CONSTRAINT rack_role_name_key UNIQUE CONSTRAINT rack_role_name_check CHECK (mountaineer.is_valid_name(name)),
    color       text NOT NULL DEFAULT '9e9e9e' CONSTRAINT rack_role_color_check CHECK (color ~ '^[0-9a-f]{6}$'),
    description text CONSTRAINT rack_role_description_check CHECK (mountaineer.is_valid_name(description, 200))
);
COMMENT ON TABLE mountaineer.rack_role IS
    'What a rack is for (compute, network, storage …); racks name theirs in role_id. A role that racks name cannot be deleted.';
COMMENT ON COLUMN mountaineer.rack_role.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.rack_role.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.rack_role.name IS 'Unique among rack roles; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.rack_role.color IS 'Display colour, six lower-case hexadecimal digits (RGB) without #, as tag.color; default 9e9e9e (grey).';
COMMENT ON COLUMN mountaineer.rack_role.description IS 'Free text, one line of at most 200 characters; NULL for none.';
SELECT mountaineer.manage_table('mountaineer.rack_role');
SELECT mountaineer.manage_attributes('mountaineer.rack_role');
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.rack_role
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

CREATE TABLE mountaineer.device_role (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL CONSTRAINT device_role_name_key UNIQUE CONSTRAINT device_role_name_check CHECK (mountaineer.is_valid_name(name)),
    color       text NOT NULL DEFAULT '9e9e9e' CONSTRAINT device_role_color_check CHECK (color ~ '^[0-9a-f]{6}$'),
    description text CONSTRAINT device_role_description_check CHECK (mountaineer.is_valid_name(description, 200))
);
COMMENT ON TABLE mountaineer.device_role IS
    'What a device is for (core switch, access switch, hypervisor, PDU …; NetBox''s device roles); devices name theirs in role_id. A role that devices name cannot be deleted.';
COMMENT ON COLUMN mountaineer.device_role.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.device_role.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.device_role.name IS 'Unique among device roles; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.device_role.color IS 'Display colour, six lower-case hexadecimal digits (RGB) without #, as tag.color; default 9e9e9e (grey).';
COMMENT ON COLUMN mountaineer.device_role.description IS 'Free text, one line of at most 200 characters; NULL for none.';
SELECT mountaineer.manage_table('mountaineer.device_role');
SELECT mountaineer.manage_attributes('mountaineer.device_role');
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.device_role
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

--------------------------------------------------------------------------
-- Platforms: the operating system or firmware a device runs (Junos, EOS,
-- Ubuntu 22.04), optionally of one manufacturer.
--------------------------------------------------------------------------
CREATE TABLE mountaineer.platform (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug            text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name            text NOT NULL CONSTRAINT platform_name_key UNIQUE CONSTRAINT platform_name_check CHECK (mountaineer.is_valid_name(name)),
    manufacturer_id uuid REFERENCES mountaineer.manufacturer ON DELETE RESTRICT,
    description     text CONSTRAINT platform_description_check CHECK (mountaineer.is_valid_name(description, 200))
);
CREATE INDEX platform_manufacturer_idx ON mountaineer.platform (manufacturer_id);
COMMENT ON TABLE mountaineer.platform IS
    'What a device runs: an operating system or firmware (Junos, EOS, Ubuntu 22.04 …); devices name theirs in platform_id. A platform that devices name cannot be deleted.';
COMMENT ON COLUMN mountaineer.platform.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.platform.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.platform.name IS 'Unique among platforms; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.platform.manufacturer_id IS 'The manufacturer whose platform it is (manufacturer.id); NULL for none or several. A manufacturer with platforms cannot be deleted.';
COMMENT ON COLUMN mountaineer.platform.description IS 'Free text, one line of at most 200 characters; NULL for none.';
SELECT mountaineer.manage_table('mountaineer.platform');
SELECT mountaineer.manage_attributes('mountaineer.platform');
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.platform
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

--------------------------------------------------------------------------
-- Racks: their role and starting unit; devices: their role and platform.
-- Positions (rackspan) still count from 1 at the bottom: unit n of a rack
-- is labelled starting_unit + n - 1 (rack_elevation, rack_elevation_svg).
--------------------------------------------------------------------------
ALTER TABLE mountaineer.rack
    ADD COLUMN role_id uuid REFERENCES mountaineer.rack_role ON DELETE RESTRICT,
    ADD COLUMN starting_unit integer NOT NULL DEFAULT 1
        CONSTRAINT rack_starting_unit_check CHECK (starting_unit BETWEEN 1 AND 1000);
CREATE INDEX rack_role_idx ON mountaineer.rack (role_id);
COMMENT ON COLUMN mountaineer.rack.role_id IS 'What the rack is for (rack_role.id); NULL for none. A role that racks name cannot be deleted.';
COMMENT ON COLUMN mountaineer.rack.starting_unit IS 'The number its lowest unit carries, 1..1000 (default 1; NetBox''s starting unit): unit n (positions count from 1) is labelled starting_unit + n - 1, top-down in a descending rack.';

ALTER TABLE mountaineer.device
    ADD COLUMN role_id uuid REFERENCES mountaineer.device_role ON DELETE RESTRICT,
    ADD COLUMN platform_id uuid REFERENCES mountaineer.platform ON DELETE RESTRICT;
CREATE INDEX device_role_idx ON mountaineer.device (role_id);
CREATE INDEX device_platform_idx ON mountaineer.device (platform_id);
COMMENT ON COLUMN mountaineer.device.role_id IS 'What the device is for (device_role.id); NULL for none. A role that devices name cannot be deleted.';
COMMENT ON COLUMN mountaineer.device.platform_id IS 'What it runs (platform.id); NULL for none. A platform that devices name cannot be deleted.';

-- The elevation's labels count from the rack's starting unit (replaces the
-- 1.0 text; rack_elevation_svg draws these labels).
CREATE OR REPLACE FUNCTION mountaineer.rack_elevation(rack_id uuid)
    RETURNS TABLE (unit int, label int, front text, rear text)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT mountaineer.rack_units_of($1);   -- P0002 for an unknown rack
    SELECT g.u,
           CASE WHEN r.descending THEN r.units + 1 - g.u ELSE g.u END + r.starting_unit - 1,
           max(d.name) FILTER (WHERE mountaineer.face(d.position) IN ('front', 'full')),
           max(d.name) FILTER (WHERE mountaineer.face(d.position) IN ('rear', 'full'))
    FROM mountaineer.rack r
    CROSS JOIN LATERAL generate_series(1, mountaineer.rack_units_of($1)) g(u)
    LEFT JOIN mountaineer.device d
           ON d.rack_id = r.id AND d.position OPERATOR(mountaineer.@>) g.u
    WHERE r.id = $1
    GROUP BY g.u, r.units, r.descending, r.starting_unit
    ORDER BY g.u DESC
$$;
COMMENT ON FUNCTION mountaineer.rack_elevation(uuid) IS
    'The rack as drawn, top unit first: one row per unit (1 = bottom) with the label on its rail (from the rack''s starting_unit, counted top-down when the rack is descending) and the device at its front and at its rear (a full-depth device shows on both); P0002 when there is no such rack.';
-- End: site groups, roles, platforms and racks (1.6)

-- == power outlets (1.6) ==
-- A power outlet names the power port of its own device that feeds it
-- (NetBox's poweroutlet.power_port) and the feed leg (A, B or C) it is on.
-- Recorded only: the power roll-up (power_input, power_load, power_draw)
-- still splits a device's draw over its powered inputs as in 1.5.
-- Same device: the foreign key (power_port_id, device_id) onto the unique
-- (id, device_id), so an outlet cannot name another device's port, and a
-- power port that outlets name cannot move to another device (23503).
-- Deleting a power port clears the outlets' power_port_id (SET NULL of
-- that column only; NetBox does the same), so a device's ports can be
-- deleted in any order.
ALTER TABLE mountaineer.port
    ADD COLUMN power_port_id uuid,
    ADD COLUMN feed_leg text CONSTRAINT port_feed_leg_check CHECK (feed_leg IN ('A', 'B', 'C')),
    ADD CONSTRAINT port_id_device_id_key UNIQUE (id, device_id),
    ADD CONSTRAINT port_power_port_outlet_only CHECK (power_port_id IS NULL OR kind = 'power_outlet'),
    ADD CONSTRAINT port_feed_leg_outlet_only CHECK (feed_leg IS NULL OR kind = 'power_outlet');
ALTER TABLE mountaineer.port
    ADD CONSTRAINT port_power_port_id_device_id_fkey FOREIGN KEY (power_port_id, device_id)
        REFERENCES mountaineer.port (id, device_id) ON DELETE SET NULL (power_port_id);
CREATE INDEX port_power_port_idx ON mountaineer.port (power_port_id);
COMMENT ON COLUMN mountaineer.port.power_port_id IS 'Power outlets: the power port of the same device that feeds it (port.id, of kind power_port); NULL for none or unknown, and for every other kind. Set to NULL when that power port is deleted. Recorded only: the power roll-up does not read it yet.';
COMMENT ON COLUMN mountaineer.port.feed_leg IS 'Power outlets: the phase (leg) of a three-phase feed it is on, A, B or C; NULL for none or unknown, and for every other kind.';

-- The port an outlet names is a power port.  As port_check_mapping does for
-- rear ports: the outlet's side locks the power port FOR KEY SHARE (as the
-- foreign key does) and reads its kind in a statement of its own; the power
-- port's side, when its kind changes, locks itself FOR UPDATE (which waits
-- for every transaction naming it from an outlet, and keeps new ones
-- waiting) and then counts the outlets in a statement of its own (kind is
-- a key column through port_id_kind_key, so the UPDATE already takes that
-- lock; taking it here keeps the rule without that index).  Under
-- REPEATABLE READ a lock on a row changed since the snapshot fails (40001).
CREATE FUNCTION mountaineer.port_check_power_port() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    feeder record;
    mine   text;
    fed    bigint;
    names  text[];
BEGIN
    IF NEW.power_port_id IS NOT NULL THEN
        PERFORM 1 FROM mountaineer.port WHERE id = NEW.power_port_id FOR KEY SHARE;
        SELECT p.name, p.kind, p.device_id, d.name AS device INTO feeder
          FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
         WHERE p.id = NEW.power_port_id;
        IF FOUND THEN   -- else the foreign key refuses it
            SELECT d.name INTO mine FROM mountaineer.device d WHERE d.id = NEW.device_id;
            IF feeder.device_id <> NEW.device_id THEN
                RAISE EXCEPTION 'power outlet % of device % must be fed by a power port of its own device; port % is on device %',
                    mountaineer.excerpt(NEW.name), mountaineer.excerpt(mine), mountaineer.excerpt(feeder.name),
                    mountaineer.excerpt(feeder.device)
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
            IF feeder.kind <> 'power_port' THEN
                RAISE EXCEPTION 'power outlet % of device % must be fed by a power port; port % is of kind %',
                    mountaineer.excerpt(NEW.name), mountaineer.excerpt(mine), mountaineer.excerpt(feeder.name), feeder.kind
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.kind = 'power_port' AND NEW.kind <> 'power_port' THEN
        PERFORM 1 FROM mountaineer.port WHERE id = NEW.id FOR UPDATE;
        SELECT count(*), (array_agg(mountaineer.excerpt(p.name) ORDER BY p.name))[1:10] INTO fed, names
          FROM mountaineer.port p WHERE p.power_port_id = NEW.id;
        IF fed > 0 THEN
            RAISE EXCEPTION '% cannot change kind from power_port to %: it feeds % power outlet(s)',
                mountaineer.port_title(NEW.id), NEW.kind, fed
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('Fed outlets: %s.', array_to_string(names, ', ')),
                      HINT = 'Set those outlets'' power_port_id to another power port, or NULL, first.';
        END IF;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.port_check_power_port() IS
    'Trigger: a power outlet''s power_port_id names a port of kind power_port of its own device (23503), and a power port that outlets name keeps its kind (23503, naming up to ten of them). Locks the power port (FOR KEY SHARE from the outlet''s side, FOR UPDATE from the power port''s) before reading across.';
REVOKE EXECUTE ON FUNCTION mountaineer.port_check_power_port() FROM PUBLIC;
-- Fire only where there is something to check (most ports have no feeder).
-- Named to fire before the foreign key's "RI_..." triggers (triggers fire in
-- name order), so an outlet naming another device's port is refused with
-- the message above rather than the foreign key's.
CREATE TRIGGER "A_check_power_port" AFTER INSERT ON mountaineer.port
    FOR EACH ROW WHEN (NEW.power_port_id IS NOT NULL AND NOT mountaineer.restoring('mountaineer.port'))
    EXECUTE FUNCTION mountaineer.port_check_power_port();
CREATE TRIGGER "A_check_power_port_update" AFTER UPDATE OF device_id, kind, power_port_id ON mountaineer.port
    FOR EACH ROW WHEN (NEW.power_port_id IS NOT NULL OR (OLD.kind = 'power_port' AND NEW.kind <> 'power_port'))
    EXECUTE FUNCTION mountaineer.port_check_power_port();
-- End: power outlets (1.6)

-- == tenants (1.6) ==
-- Whom a site, location, rack, device, cable or circuit is for: the core's
-- tenant table (mountaineer 1.6), as NetBox's tenant on those objects.
-- The tenant table's refuse_delete_referenced names the rows that still
-- name a tenant.
ALTER TABLE mountaineer.site
    ADD COLUMN tenant_id uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT;
CREATE INDEX site_tenant_idx ON mountaineer.site (tenant_id);
COMMENT ON COLUMN mountaineer.site.tenant_id IS 'Whom the site is for (tenant.id); NULL for none. A tenant that rows name cannot be deleted.';
ALTER TABLE mountaineer.location
    ADD COLUMN tenant_id uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT;
CREATE INDEX location_tenant_idx ON mountaineer.location (tenant_id);
COMMENT ON COLUMN mountaineer.location.tenant_id IS 'Whom the location is for (tenant.id); NULL for none. A tenant that rows name cannot be deleted.';
ALTER TABLE mountaineer.rack
    ADD COLUMN tenant_id uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT;
CREATE INDEX rack_tenant_idx ON mountaineer.rack (tenant_id);
COMMENT ON COLUMN mountaineer.rack.tenant_id IS 'Whom the rack is for (tenant.id); NULL for none. A tenant that rows name cannot be deleted.';
ALTER TABLE mountaineer.device
    ADD COLUMN tenant_id uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT;
CREATE INDEX device_tenant_idx ON mountaineer.device (tenant_id);
COMMENT ON COLUMN mountaineer.device.tenant_id IS 'Whom the device is for (tenant.id); NULL for none. A tenant that rows name cannot be deleted.';
ALTER TABLE mountaineer.cable
    ADD COLUMN tenant_id uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT;
CREATE INDEX cable_tenant_idx ON mountaineer.cable (tenant_id);
COMMENT ON COLUMN mountaineer.cable.tenant_id IS 'Whom the cable is for (tenant.id); NULL for none. A tenant that rows name cannot be deleted.';
ALTER TABLE mountaineer.circuit
    ADD COLUMN tenant_id uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT;
CREATE INDEX circuit_tenant_idx ON mountaineer.circuit (tenant_id);
COMMENT ON COLUMN mountaineer.circuit.tenant_id IS 'Whom the circuit is for (tenant.id); NULL for none. A tenant that rows name cannot be deleted.';
-- End: tenants (1.6)
