-- mountaineer_hardware 1.4 -> 1.5: the model issue 12 asks for: device types
-- and port templates, regions and locations, status, tags and attributes,
-- circuits, power feeds and the power roll-up (power_load, power_draw).
-- Needs mountaineer 1.5: update it first.
\echo Use "ALTER EXTENSION mountaineer_hardware UPDATE TO '1.5'" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regprocedure('mountaineer.manage_attributes(regclass)') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_hardware 1.5 needs mountaineer 1.5'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;


-- == device types (1.5) ==
-- A device type is a model of hardware as its maker sells it: its height,
-- depth, kind, nameplate draw and the ports every unit of it has
-- (port_template).  A device that names its type gets those ports in the
-- statement that inserts it, and takes its units, kind, draw, manufacturer
-- and model from the type.  As in NetBox, a template added, changed or
-- deleted later does not touch existing devices; device_apply_type() adds
-- what a device is missing.  README: Device types (1.5).
CREATE TABLE mountaineer.manufacturer (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL UNIQUE CONSTRAINT manufacturer_name_check CHECK (mountaineer.is_valid_name(name)),
    description text CONSTRAINT manufacturer_description_check
                     CHECK (char_length(description) BETWEEN 1 AND 200 AND description !~ '[[:cntrl:]]')
);
COMMENT ON TABLE mountaineer.manufacturer IS 'A maker of hardware (Dell, Juniper, Panduit ...): the manufacturer of device types.';
COMMENT ON COLUMN mountaineer.manufacturer.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.manufacturer.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.manufacturer.name IS 'Unique; a name (1..100 characters, no leading or trailing white space, no control characters). Renaming it renames the manufacturer of its typed devices.';
COMMENT ON COLUMN mountaineer.manufacturer.description IS 'Free text, 1..200 characters, no control characters.';
SELECT mountaineer.manage_table('mountaineer.manufacturer');

CREATE TABLE mountaineer.device_type (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug            text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    manufacturer_id uuid NOT NULL REFERENCES mountaineer.manufacturer ON DELETE RESTRICT,
    model           text NOT NULL CONSTRAINT device_type_model_check CHECK (mountaineer.is_valid_name(model)),
    part_number     text CONSTRAINT device_type_part_number_check CHECK (mountaineer.is_valid_name(part_number)),
    kind            mountaineer.device_kind NOT NULL,
    units           int NOT NULL DEFAULT 1 CONSTRAINT device_type_units_check CHECK (units BETWEEN 0 AND 100),
    full_depth      boolean NOT NULL DEFAULT true,
    draw_watts      numeric CONSTRAINT device_type_draw_watts_check CHECK (draw_watts BETWEEN 0 AND 100000),
    description     text CONSTRAINT device_type_description_check
                         CHECK (char_length(description) BETWEEN 1 AND 200 AND description !~ '[[:cntrl:]]'),
    CONSTRAINT device_type_manufacturer_id_model_key UNIQUE (manufacturer_id, model)
);
COMMENT ON TABLE mountaineer.device_type IS
    'A model of hardware: its maker, height, depth, kind, nameplate draw and, in port_template, the ports every device of the type has. A device that names its type gets those ports when it is inserted.';
COMMENT ON COLUMN mountaineer.device_type.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.device_type.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.device_type.manufacturer_id IS 'Its maker (manufacturer.id); a manufacturer with types cannot be deleted.';
COMMENT ON COLUMN mountaineer.device_type.model IS 'The model as the maker names it, e.g. PowerEdge R650; a name, unique per manufacturer. Renaming it renames the model of its devices.';
COMMENT ON COLUMN mountaineer.device_type.part_number IS 'The maker''s part number or SKU, if any; a name.';
COMMENT ON COLUMN mountaineer.device_type.kind IS 'The kind of its devices: server, pdu, network, patch_panel, power_panel or other. Cannot change while devices use the type.';
COMMENT ON COLUMN mountaineer.device_type.units IS 'Height in whole rack units, 0..100 (0: zero-U, e.g. a vertical PDU). Cannot change while devices use the type.';
COMMENT ON COLUMN mountaineer.device_type.full_depth IS 'true: a racked device of the type takes both faces (position U../full); false: one face (U../front or U../rear). Cannot change while devices use the type.';
COMMENT ON COLUMN mountaineer.device_type.draw_watts IS 'Nameplate or typical draw in watts, 0..100000: the draw_watts of a new device of the type that gives none.';
COMMENT ON COLUMN mountaineer.device_type.description IS 'Free text, 1..200 characters, no control characters.';
SELECT mountaineer.manage_table('mountaineer.device_type');

CREATE TABLE mountaineer.port_template (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug             text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    device_type_id   uuid NOT NULL REFERENCES mountaineer.device_type ON DELETE CASCADE,
    name             text NOT NULL CONSTRAINT port_template_name_check CHECK (mountaineer.is_valid_name(name)),
    kind             mountaineer.port_kind NOT NULL,
    positions        int NOT NULL DEFAULT 1 CONSTRAINT port_template_positions_check CHECK (positions BETWEEN 1 AND 1024),
    rear_template_id uuid,
    rear_position    int CONSTRAINT port_template_rear_position_check CHECK (rear_position BETWEEN 1 AND 1024),
    CONSTRAINT port_template_device_type_id_name_key UNIQUE (device_type_id, name),
    CONSTRAINT port_template_rear_template_id_rear_position_key UNIQUE (rear_template_id, rear_position),
    -- the target of the front templates' foreign key below
    CONSTRAINT port_template_id_device_type_id_key UNIQUE (id, device_type_id),
    -- a front template maps to a template of its own type (checked at the
    -- end of the statement, so deleting a type deletes all its templates)
    CONSTRAINT port_template_rear_template_fkey FOREIGN KEY (rear_template_id, device_type_id)
        REFERENCES mountaineer.port_template (id, device_type_id),
    CONSTRAINT port_template_positions_rear_only CHECK (kind = 'rear_port' OR positions = 1),
    CONSTRAINT port_template_front_maps_rear CHECK ((kind = 'front_port') = (rear_template_id IS NOT NULL)),
    CONSTRAINT port_template_rear_position_given CHECK ((rear_template_id IS NULL) = (rear_position IS NULL))
);
COMMENT ON TABLE mountaineer.port_template IS
    'A port every device of a type has: created on the device, with the same name, kind and positions, when the device is inserted (or by device_apply_type). The same rules as port: names unique per type, a front template maps to one position of a rear template of the same type.';
COMMENT ON COLUMN mountaineer.port_template.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.port_template.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.port_template.device_type_id IS 'The type (device_type.id); deleting the type deletes its templates.';
COMMENT ON COLUMN mountaineer.port_template.name IS 'The port''s name, unique per type; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.port_template.kind IS 'The port''s kind: interface, console, console_server, power_port, power_outlet, power_feed, front_port or rear_port.';
COMMENT ON COLUMN mountaineer.port_template.positions IS 'Rear templates: how many front ports the rear port carries, 1..1024; 1 for every other kind.';
COMMENT ON COLUMN mountaineer.port_template.rear_template_id IS 'Front templates: the rear template of the same type the front port passes through (port_template.id).';
COMMENT ON COLUMN mountaineer.port_template.rear_position IS 'Front templates: which position (1..positions) of that rear template; each position is mapped at most once.';
SELECT mountaineer.manage_table('mountaineer.port_template');

-- A front template maps to an existing position of a rear template; a rear
-- template with front templates keeps its kind and does not shrink below
-- them (the type is the foreign key's).  Locks as port_check_mapping does:
-- the front's side takes FOR KEY SHARE on the rear template, then reads it;
-- the rear's side takes FOR UPDATE on itself, then counts its fronts.
CREATE FUNCTION mountaineer.port_template_check_mapping() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rear    record;
    mapped  bigint;
    highest int;
BEGIN
    IF NEW.rear_template_id IS NOT NULL THEN
        PERFORM 1 FROM mountaineer.port_template WHERE id = NEW.rear_template_id FOR KEY SHARE;
        SELECT t.name, t.kind, t.positions INTO rear FROM mountaineer.port_template t WHERE t.id = NEW.rear_template_id;
        IF FOUND THEN
            IF rear.kind <> 'rear_port' THEN
                RAISE EXCEPTION 'front port template % must map to a rear port template; template % is of kind %',
                    mountaineer.excerpt(NEW.name), mountaineer.excerpt(rear.name), rear.kind
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
            IF NEW.rear_position > rear.positions THEN
                RAISE EXCEPTION 'front port template % maps to position % of rear port template %, which has positions 1..%',
                    mountaineer.excerpt(NEW.name), NEW.rear_position, mountaineer.excerpt(rear.name), rear.positions
                    USING ERRCODE = 'check_violation';
            END IF;
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.kind = 'rear_port' AND (NEW.kind <> 'rear_port' OR NEW.positions < OLD.positions) THEN
        PERFORM 1 FROM mountaineer.port_template WHERE id = NEW.id FOR UPDATE;
        SELECT count(*), coalesce(max(t.rear_position), 0) INTO mapped, highest
          FROM mountaineer.port_template t WHERE t.rear_template_id = NEW.id;
        IF mapped > 0 AND NEW.kind <> 'rear_port' THEN
            RAISE EXCEPTION 'rear port template % still carries % front port template(s)', mountaineer.excerpt(OLD.name), mapped
                USING ERRCODE = 'foreign_key_violation',
                      HINT = 'Delete those front port templates, or map them to another rear port template, first.';
        END IF;
        IF highest > NEW.positions THEN
            RAISE EXCEPTION 'rear port template % cannot shrink to % positions: position % is mapped',
                mountaineer.excerpt(NEW.name), NEW.positions, highest
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.port_template_check_mapping() IS
    'Trigger: a front port template maps to an existing position of a rear port template; a mapped rear port template keeps its kind and positions. Locks the rear template (FOR KEY SHARE from the front''s side, FOR UPDATE from the rear''s) before reading across.';
REVOKE EXECUTE ON FUNCTION mountaineer.port_template_check_mapping() FROM PUBLIC;
CREATE TRIGGER check_mapping AFTER INSERT OR UPDATE OF kind, positions, rear_template_id, rear_position ON mountaineer.port_template
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.port_template'))
    EXECUTE FUNCTION mountaineer.port_template_check_mapping();

CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.manufacturer
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.device_type
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

-- A device's type.  units loses its default (1): the default is now the
-- type's height, and a device without a type still gets 1 (device_type_defaults).
ALTER TABLE mountaineer.device
    ADD COLUMN device_type_id uuid CONSTRAINT device_device_type_id_fkey REFERENCES mountaineer.device_type ON DELETE RESTRICT;
ALTER TABLE mountaineer.device ALTER COLUMN units DROP DEFAULT;
CREATE INDEX device_device_type_idx ON mountaineer.device (device_type_id);
-- a new type may change the device's units (device_type_defaults, which
-- fires first): check_position then checks its position against them
DROP TRIGGER check_position ON mountaineer.device;
CREATE TRIGGER check_position BEFORE INSERT OR UPDATE OF rack_id, position, units, site_id, device_type_id ON mountaineer.device
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.device')) EXECUTE FUNCTION mountaineer.device_check_position();
COMMENT ON COLUMN mountaineer.device.device_type_id IS
    'Its model (device_type.id), if recorded. A device inserted with a type gets the type''s ports and takes its units, kind, draw_watts, manufacturer and model when not given (given ones that contradict the type are refused); a type in use cannot be deleted.';
COMMENT ON COLUMN mountaineer.device.units IS
    'Height in U; 0 for zero-U devices such as vertical PDUs. When not given: its type''s units, or 1 for a device without a type. A typed device has its type''s units.';

-- A typed device agrees with its type: kind and units are the type's, a
-- racked one takes the faces its depth says (full depth: U../full, half
-- depth: U../front or U../rear), manufacturer and model are the type's
-- names; what is not given (NULL) is filled from the type, units of an
-- untyped device default to 1.  Sorts before check_position, which reads
-- units.  On an update that sets a new type, units, kind, manufacturer and
-- model that the update left as they were take the new type's values.
-- Race with the type changing (device_type_check_change): this takes FOR
-- SHARE on the type row, which waits for an update of the type in
-- progress and makes one that starts later wait until this transaction
-- ends; then it reads the type in a statement of its own.
CREATE FUNCTION mountaineer.device_type_defaults() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t        mountaineer.device_type;
    maker    text;
    retyped  boolean;
BEGIN
    IF NEW.device_type_id IS NULL THEN
        NEW.units := coalesce(NEW.units, 1);
        RETURN NEW;
    END IF;
    PERFORM 1 FROM mountaineer.device_type WHERE id = NEW.device_type_id FOR SHARE;
    SELECT * INTO t FROM mountaineer.device_type WHERE id = NEW.device_type_id;
    IF NOT FOUND THEN
        NEW.units := coalesce(NEW.units, 1);
        RETURN NEW;                          -- the foreign key reports it
    END IF;
    SELECT m.name INTO maker FROM mountaineer.manufacturer m WHERE m.id = t.manufacturer_id;
    retyped := TG_OP = 'UPDATE' AND NEW.device_type_id IS DISTINCT FROM OLD.device_type_id;
    IF retyped THEN
        IF NEW.units IS NOT DISTINCT FROM OLD.units THEN NEW.units := t.units; END IF;
        IF NEW.kind IS NOT DISTINCT FROM OLD.kind THEN NEW.kind := t.kind; END IF;
        IF NEW.manufacturer IS NOT DISTINCT FROM OLD.manufacturer THEN NEW.manufacturer := maker; END IF;
        IF NEW.model IS NOT DISTINCT FROM OLD.model THEN NEW.model := t.model; END IF;
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.draw_watts := coalesce(NEW.draw_watts, t.draw_watts);
    END IF;
    NEW.units := coalesce(NEW.units, t.units);
    NEW.kind := coalesce(NEW.kind, t.kind);
    NEW.manufacturer := coalesce(NEW.manufacturer, maker);
    NEW.model := coalesce(NEW.model, t.model);
    IF NEW.kind <> t.kind THEN
        RAISE EXCEPTION 'device % is of kind % but its type % % is of kind %',
            mountaineer.excerpt(NEW.name), NEW.kind, mountaineer.excerpt(maker), mountaineer.excerpt(t.model), t.kind
            USING ERRCODE = 'check_violation',
                  HINT = 'Leave kind out: a device of a type takes its kind.';
    END IF;
    IF NEW.units <> t.units THEN
        RAISE EXCEPTION 'device % is % U but its type % % is % U',
            mountaineer.excerpt(NEW.name), NEW.units, mountaineer.excerpt(maker), mountaineer.excerpt(t.model), t.units
            USING ERRCODE = 'check_violation',
                  HINT = 'Leave units out: a device of a type takes its height.';
    END IF;
    IF NEW.manufacturer <> maker OR NEW.model <> t.model THEN
        RAISE EXCEPTION 'device % is a % % but its type is % %',
            mountaineer.excerpt(NEW.name), mountaineer.excerpt(NEW.manufacturer), mountaineer.excerpt(NEW.model),
            mountaineer.excerpt(maker), mountaineer.excerpt(t.model)
            USING ERRCODE = 'check_violation',
                  HINT = 'Leave manufacturer and model out: a device of a type takes them from it.';
    END IF;
    IF NEW.position IS NOT NULL AND (mountaineer.face(NEW.position) = 'full') <> t.full_depth THEN
        RAISE EXCEPTION 'device % of % type % % cannot take position %',
            mountaineer.excerpt(NEW.name), CASE WHEN t.full_depth THEN 'full-depth' ELSE 'half-depth' END,
            mountaineer.excerpt(maker), mountaineer.excerpt(t.model), NEW.position
            USING ERRCODE = 'check_violation',
                  HINT = CASE WHEN t.full_depth THEN 'A full-depth device takes both faces: give a position such as U5 (U5/full).'
                              ELSE 'A half-depth device takes one face: give a position such as U5/front or U5/rear.' END;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.device_type_defaults() IS
    'Trigger: a device of a type takes the type''s units, kind, draw, manufacturer and model when not given, and is refused when they contradict it or its position''s face contradicts the type''s depth; a device without a type gets 1 U when not given. Locks the type FOR SHARE before reading it.';
REVOKE EXECUTE ON FUNCTION mountaineer.device_type_defaults() FROM PUBLIC;
-- only rows that need it call the function: an untyped device with its
-- units given (what bulk imports write) costs nothing here
CREATE TRIGGER a_type_defaults BEFORE INSERT ON mountaineer.device
    FOR EACH ROW WHEN ((NEW.device_type_id IS NOT NULL OR NEW.units IS NULL) AND NOT mountaineer.restoring('mountaineer.device'))
    EXECUTE FUNCTION mountaineer.device_type_defaults();
CREATE TRIGGER a_type_defaults_update BEFORE UPDATE OF device_type_id, kind, units, manufacturer, model, position ON mountaineer.device
    FOR EACH ROW WHEN (NEW.device_type_id IS NOT NULL)
    EXECUTE FUNCTION mountaineer.device_type_defaults();

-- The ports of a type that the devices are missing, created; returns them.
-- One set-based statement for any number of devices: rear ports and the
-- other kinds first, then the front ports mapped to the rear ports by name
-- (those just created, which the statement's snapshot cannot see, or ones
-- the device had).  A port whose name the device already has, or a front
-- port whose rear position is taken, is left out (ON CONFLICT DO NOTHING):
-- so it is idempotent.
CREATE FUNCTION mountaineer.device_apply_types(device_ids uuid[]) RETURNS SETOF mountaineer.port
    LANGUAGE sql VOLATILE STRICT
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH d AS (
        SELECT d.id, d.device_type_id FROM mountaineer.device d
         WHERE d.id = ANY (device_ids) AND d.device_type_id IS NOT NULL
    ), made AS (
        INSERT INTO mountaineer.port (device_id, name, kind, positions)
        SELECT d.id, t.name, t.kind, t.positions
          FROM d JOIN mountaineer.port_template t ON t.device_type_id = d.device_type_id
         WHERE t.kind <> 'front_port'
         ORDER BY d.id, t.name
        ON CONFLICT DO NOTHING
        RETURNING *
    ), rears AS (
        SELECT m.id, m.device_id, m.name FROM made m WHERE m.kind = 'rear_port'
        UNION ALL
        SELECT p.id, p.device_id, p.name FROM d JOIN mountaineer.port p ON p.device_id = d.id WHERE p.kind = 'rear_port'
    ), fronts AS (
        INSERT INTO mountaineer.port (device_id, name, kind, rear_port_id, rear_port_position)
        SELECT d.id, t.name, t.kind, r.id, t.rear_position
          FROM d JOIN mountaineer.port_template t ON t.device_type_id = d.device_type_id
          JOIN mountaineer.port_template rt ON rt.id = t.rear_template_id
          JOIN rears r ON r.device_id = d.id AND r.name = rt.name
         WHERE t.kind = 'front_port'
         ORDER BY d.id, t.name
        ON CONFLICT DO NOTHING
        RETURNING *
    )
    SELECT * FROM made UNION ALL SELECT * FROM fronts
$$;
COMMENT ON FUNCTION mountaineer.device_apply_types(uuid[]) IS
    'Creates, on each of the devices, the ports of its type that it lacks (by name; front ports mapped to the rear port of the rear template''s name) and returns them. Idempotent; devices without a type, and unknown ids, are skipped.';
REVOKE EXECUTE ON FUNCTION mountaineer.device_apply_types(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.device_apply_types(uuid[]) TO mountaineer_editor;

CREATE FUNCTION mountaineer.device_apply_type(device_id uuid) RETURNS SETOF mountaineer.port
    LANGUAGE plpgsql VOLATILE STRICT
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d mountaineer.device;
BEGIN
    SELECT * INTO d FROM mountaineer.device WHERE id = device_apply_type.device_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no device with id %', device_apply_type.device_id USING ERRCODE = 'no_data_found';
    END IF;
    IF d.device_type_id IS NULL THEN
        RAISE EXCEPTION 'device % has no device type', mountaineer.excerpt(d.name)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Set its device_type_id first.';
    END IF;
    RETURN QUERY SELECT * FROM mountaineer.device_apply_types(ARRAY[d.id]) p ORDER BY p.name;
END
$$;
COMMENT ON FUNCTION mountaineer.device_apply_type(uuid) IS
    'Creates the ports of the device''s type that it lacks (templates added since it was made, or after its type was set or changed) and returns them, by name; none when it has them all. P0002 for an unknown device, 22023 for one without a type.';
REVOKE EXECUTE ON FUNCTION mountaineer.device_apply_type(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.device_apply_type(uuid) TO mountaineer_editor;

-- The ports of new typed devices, in the statement that inserts them: one
-- set-based call per statement (a transition table), nothing for a
-- statement of untyped devices but a scan of the new rows.  Not while the
-- device table is restored: its ports are restored with their own ids.
CREATE FUNCTION mountaineer.device_create_ports() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    typed uuid[];
BEGIN
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;
    END IF;
    SELECT array_agg(n.id) INTO typed FROM new_devices n WHERE n.device_type_id IS NOT NULL;
    IF typed IS NOT NULL THEN
        PERFORM FROM mountaineer.device_apply_types(typed);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.device_create_ports() IS
    'Trigger (per statement): creates the ports of every new device that has a type, from its templates, front ports mapped to the new rear ports. Stands aside while the device table is restored.';
REVOKE EXECUTE ON FUNCTION mountaineer.device_create_ports() FROM PUBLIC;
CREATE TRIGGER create_ports AFTER INSERT ON mountaineer.device REFERENCING NEW TABLE AS new_devices
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.device_create_ports();

-- A type in use keeps its kind, height and depth (its devices were placed
-- and given detail rows by them); renaming a manufacturer or a model
-- renames it on the devices of the type.  Race with a device of the type
-- being inserted (device_type_defaults holds FOR SHARE on the type until it
-- commits): the UPDATE of the type waits for it, and this then counts the
-- devices in a statement of its own, which sees it.
CREATE FUNCTION mountaineer.device_type_check_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n     bigint;
    names text[];
BEGIN
    IF NEW.kind <> OLD.kind OR NEW.units <> OLD.units OR NEW.full_depth <> OLD.full_depth THEN
        SELECT count(*), (array_agg(d.name ORDER BY d.name))[1:10] INTO n, names
          FROM mountaineer.device d WHERE d.device_type_id = NEW.id;
        IF n > 0 THEN
            RAISE EXCEPTION 'device type % cannot change its kind, units or depth: % device(s) use it: %',
                mountaineer.excerpt(OLD.model), n, array_to_string(names, ', ') || CASE WHEN n > 10 THEN ', ...' ELSE '' END
                USING ERRCODE = 'foreign_key_violation',
                      HINT = 'Make a new type and move the devices to it, or clear their device_type_id.';
        END IF;
    END IF;
    IF NEW.model <> OLD.model OR NEW.manufacturer_id <> OLD.manufacturer_id THEN
        UPDATE mountaineer.device d
           SET model = NEW.model, manufacturer = (SELECT m.name FROM mountaineer.manufacturer m WHERE m.id = NEW.manufacturer_id)
         WHERE d.device_type_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.device_type_check_change() IS
    'Trigger: a device type in use cannot change its kind, units or depth; a new model or manufacturer is copied to the devices of the type.';
REVOKE EXECUTE ON FUNCTION mountaineer.device_type_check_change() FROM PUBLIC;
CREATE TRIGGER check_change AFTER UPDATE OF kind, units, full_depth, model, manufacturer_id ON mountaineer.device_type
    FOR EACH ROW EXECUTE FUNCTION mountaineer.device_type_check_change();

CREATE FUNCTION mountaineer.manufacturer_rename_devices() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE mountaineer.device d SET manufacturer = NEW.name
      FROM mountaineer.device_type t
     WHERE t.manufacturer_id = NEW.id AND d.device_type_id = t.id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.manufacturer_rename_devices() IS
    'Trigger: a renamed manufacturer is renamed on the devices of its types.';
REVOKE EXECUTE ON FUNCTION mountaineer.manufacturer_rename_devices() FROM PUBLIC;
CREATE TRIGGER rename_devices AFTER UPDATE OF name ON mountaineer.manufacturer
    FOR EACH ROW WHEN (NEW.name IS DISTINCT FROM OLD.name) EXECUTE FUNCTION mountaineer.manufacturer_rename_devices();
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
-- tags and attributes on every inventory table (mountaineer.manage_attributes,
-- core 1.5); exempt: server, pdu and network_device (one with their device,
-- which carries them) and cable_end (one with its cable).
SELECT mountaineer.manage_attributes('mountaineer.site');
SELECT mountaineer.manage_attributes('mountaineer.rack');
SELECT mountaineer.manage_attributes('mountaineer.device');
SELECT mountaineer.manage_attributes('mountaineer.port');
SELECT mountaineer.manage_attributes('mountaineer.cable');
SELECT mountaineer.manage_attributes('mountaineer.manufacturer');
SELECT mountaineer.manage_attributes('mountaineer.device_type');
SELECT mountaineer.manage_attributes('mountaineer.region');
SELECT mountaineer.manage_attributes('mountaineer.location');
-- End: tags and attributes (1.5)


-- == circuits (1.5) ==
-- Providers, their networks, circuit types, circuits and their A and Z
-- terminations (issue 12, item 5).  A termination is a cable endpoint: each
-- circuit_termination row is keyed by the id of a port of kind
-- circuit_termination that belongs to no device (made with the termination,
-- deleted with it), so every rule of cables holds for it unchanged (one
-- cable per port, kinds compatible, a cabled port is not deleted) and the
-- cable graph (src/cable.c) crosses a circuit as it crosses a patch panel:
-- it enters one termination and leaves by the other.  The port_kind value
-- is new in this transaction (the full script makes it with the type, so
-- that a restore in one transaction may use it), so nothing
-- created here compares with it as an enum literal outside PL/pgSQL (where
-- it is parsed when run): CHECKs and SQL functions compare kind::text.
ALTER TYPE mountaineer.port_kind ADD VALUE IF NOT EXISTS 'circuit_termination';
COMMENT ON TYPE mountaineer.port_kind IS
    'interface: a data port; console / console_server: serial console and its server side; power_port: a device''s power inlet; power_outlet: a PDU''s outlet; front_port / rear_port: patch-panel pass-through; power_feed: a circuit from a power panel; circuit_termination (1.5): the A or Z end of a provider''s circuit, the port of a circuit_termination row (on no device).';

-- a termination's port is on no device; every other port is on one
ALTER TABLE mountaineer.port ALTER COLUMN device_id DROP NOT NULL;
ALTER TABLE mountaineer.port ADD CONSTRAINT port_device_given
    CHECK ((device_id IS NULL) = (kind::text = 'circuit_termination'));
COMMENT ON COLUMN mountaineer.port.device_id IS 'The device the port is on (device.id); deleting the device deletes its ports, unless one is cabled. NULL exactly for a circuit termination''s port (kind circuit_termination), which is on no device.';
COMMENT ON COLUMN mountaineer.port.kind IS 'interface, console, console_server, power_port (inlet), power_outlet, power_feed, front_port or rear_port (patch panels), circuit_termination (a circuit''s A or Z end; made by inserting a circuit_termination). A cabled port cannot change kind.';

CREATE TYPE mountaineer.circuit_status AS ENUM
    ('planned', 'provisioning', 'active', 'offline', 'deprovisioning', 'decommissioned');
COMMENT ON TYPE mountaineer.circuit_status IS
    'Lifecycle of a circuit, as NetBox names it: planned (ordered), provisioning (being delivered), active (in service), offline (down or suspended), deprovisioning (being taken out), decommissioned (gone, kept for the record).';

CREATE TYPE mountaineer.circuit_side AS ENUM ('A', 'Z');
COMMENT ON TYPE mountaineer.circuit_side IS 'The end of a circuit a termination is: A or Z.';

CREATE TABLE mountaineer.provider (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug          text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name          text NOT NULL UNIQUE CONSTRAINT provider_name_check CHECK (mountaineer.is_valid_name(name)),
    account       text CONSTRAINT provider_account_check CHECK (mountaineer.is_valid_name(account)),
    portal_url    text CONSTRAINT provider_portal_url_check
                       CHECK (char_length(portal_url) <= 2000 AND portal_url ~* '^https?://[^[:space:][:cntrl:]]+$'),
    noc_contact   text CONSTRAINT provider_noc_contact_check
                       CHECK (char_length(noc_contact) <= 1000 AND noc_contact ~ '[^[:space:]]' AND replace(noc_contact, E'\n', ' ') !~ '[[:cntrl:]]'),
    description   text CONSTRAINT provider_description_check
                       CHECK (char_length(description) <= 1000 AND description ~ '[^[:space:]]' AND replace(description, E'\n', ' ') !~ '[[:cntrl:]]')
);
COMMENT ON TABLE mountaineer.provider IS 'A company that delivers circuits: a carrier, a transit or dark-fibre provider (NetBox: circuits_provider).';
COMMENT ON COLUMN mountaineer.provider.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.provider.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.provider.name IS 'Unique; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.provider.account IS 'Our account number with the provider, if any; a name.';
COMMENT ON COLUMN mountaineer.provider.portal_url IS 'The provider''s customer portal or ticket page: http(s)://, no white space; at most 2000 characters.';
COMMENT ON COLUMN mountaineer.provider.noc_contact IS 'How to reach the provider''s NOC (phone, e-mail, escalation), lines separated by newlines; at most 1000 characters, not blank.';
COMMENT ON COLUMN mountaineer.provider.description IS 'Free text, lines separated by newlines; at most 1000 characters, not blank.';
SELECT mountaineer.manage_table('mountaineer.provider');
SELECT mountaineer.manage_attributes('mountaineer.provider');

CREATE TABLE mountaineer.provider_network (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    provider_id uuid NOT NULL REFERENCES mountaineer.provider ON DELETE RESTRICT,
    name        text NOT NULL CONSTRAINT provider_network_name_check CHECK (mountaineer.is_valid_name(name)),
    service_id  text CONSTRAINT provider_network_service_id_check CHECK (mountaineer.is_valid_name(service_id)),
    description text CONSTRAINT provider_network_description_check
                     CHECK (char_length(description) <= 1000 AND description ~ '[^[:space:]]' AND replace(description, E'\n', ' ') !~ '[[:cntrl:]]'),
    UNIQUE (provider_id, name)
);
COMMENT ON TABLE mountaineer.provider_network IS 'A provider''s network whose inside we do not record (an MPLS cloud, the Internet): a circuit may terminate on it instead of at a site (NetBox: circuits_providernetwork).';
COMMENT ON COLUMN mountaineer.provider_network.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.provider_network.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.provider_network.provider_id IS 'The provider whose network it is (provider.id); a provider with networks cannot be deleted.';
COMMENT ON COLUMN mountaineer.provider_network.name IS 'Unique per provider; a name.';
COMMENT ON COLUMN mountaineer.provider_network.service_id IS 'The provider''s id for our service on it, if any; a name.';
COMMENT ON COLUMN mountaineer.provider_network.description IS 'Free text, lines separated by newlines; at most 1000 characters, not blank.';
SELECT mountaineer.manage_table('mountaineer.provider_network');
SELECT mountaineer.manage_attributes('mountaineer.provider_network');

CREATE TABLE mountaineer.circuit_type (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL UNIQUE CONSTRAINT circuit_type_name_check CHECK (mountaineer.is_valid_name(name)),
    description text CONSTRAINT circuit_type_description_check
                     CHECK (char_length(description) <= 1000 AND description ~ '[^[:space:]]' AND replace(description, E'\n', ' ') !~ '[[:cntrl:]]')
);
COMMENT ON TABLE mountaineer.circuit_type IS 'A kind of circuit (Internet transit, MPLS, dark fibre, wavelength …) that circuit.type names (NetBox: circuits_circuittype).';
COMMENT ON COLUMN mountaineer.circuit_type.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.circuit_type.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.circuit_type.name IS 'Unique; a name. circuit.type refers to it: renaming a type renames it in its circuits; a type in use cannot be deleted.';
COMMENT ON COLUMN mountaineer.circuit_type.description IS 'Free text, lines separated by newlines; at most 1000 characters, not blank.';
SELECT mountaineer.manage_table('mountaineer.circuit_type');
SELECT mountaineer.manage_attributes('mountaineer.circuit_type');

CREATE TABLE mountaineer.circuit (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug             text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    provider_id      uuid NOT NULL REFERENCES mountaineer.provider ON DELETE RESTRICT,
    cid              text NOT NULL CONSTRAINT circuit_cid_check CHECK (mountaineer.is_valid_name(cid)),
    type             text NOT NULL REFERENCES mountaineer.circuit_type (name) ON UPDATE CASCADE ON DELETE RESTRICT,
    status           mountaineer.circuit_status NOT NULL DEFAULT 'active',
    commit_kbps      bigint CONSTRAINT circuit_commit_kbps_check CHECK (commit_kbps BETWEEN 0 AND 10000000000),
    install_date     date,
    termination_date date,
    description      text CONSTRAINT circuit_description_check
                          CHECK (char_length(description) <= 1000 AND description ~ '[^[:space:]]' AND replace(description, E'\n', ' ') !~ '[[:cntrl:]]'),
    CONSTRAINT circuit_provider_id_cid_key UNIQUE (provider_id, cid),
    CONSTRAINT circuit_dates_check CHECK (termination_date >= install_date)
);
CREATE INDEX circuit_type_idx ON mountaineer.circuit (type);
COMMENT ON TABLE mountaineer.circuit IS 'A circuit bought from a provider, identified by the provider''s circuit id; its ends are its A and Z terminations (circuit_termination). NetBox: circuits_circuit.';
COMMENT ON COLUMN mountaineer.circuit.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.circuit.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.circuit.provider_id IS 'The provider (provider.id); a provider with circuits cannot be deleted.';
COMMENT ON COLUMN mountaineer.circuit.cid IS 'The provider''s circuit id, unique per provider; a name.';
COMMENT ON COLUMN mountaineer.circuit.type IS 'The name of its circuit_type (foreign key to circuit_type.name, which a rename carries along).';
COMMENT ON COLUMN mountaineer.circuit.status IS 'planned, provisioning, active (the default), offline, deprovisioning or decommissioned. Traces cross a circuit whatever its status: its cables say whether the path is in service.';
COMMENT ON COLUMN mountaineer.circuit.commit_kbps IS 'Committed rate in kbit/s (0 .. 10,000,000,000, i.e. 10 Tbit/s); NULL if none.';
COMMENT ON COLUMN mountaineer.circuit.install_date IS 'When the circuit went into service, if known.';
COMMENT ON COLUMN mountaineer.circuit.termination_date IS 'When the contract ends, if known; not before install_date.';
COMMENT ON COLUMN mountaineer.circuit.description IS 'Free text, lines separated by newlines; at most 1000 characters, not blank.';
SELECT mountaineer.manage_table('mountaineer.circuit');
SELECT mountaineer.manage_attributes('mountaineer.circuit');

CREATE TABLE mountaineer.circuit_termination (
    -- the id is its port's (port.id): src/cable.c reads a termination by it
    id                  uuid CONSTRAINT circuit_termination_pkey PRIMARY KEY DEFAULT gen_random_uuid()
                             CONSTRAINT circuit_termination_port_fkey REFERENCES mountaineer.port ON DELETE CASCADE,
    slug                text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    circuit_id          uuid NOT NULL REFERENCES mountaineer.circuit ON DELETE CASCADE,
    term_side           mountaineer.circuit_side NOT NULL,
    site_id             uuid REFERENCES mountaineer.site ON DELETE RESTRICT,
    provider_network_id uuid REFERENCES mountaineer.provider_network ON DELETE RESTRICT,
    port_speed_kbps     bigint CONSTRAINT circuit_termination_port_speed_kbps_check CHECK (port_speed_kbps BETWEEN 0 AND 10000000000),
    upstream_speed_kbps bigint CONSTRAINT circuit_termination_upstream_speed_kbps_check CHECK (upstream_speed_kbps BETWEEN 0 AND 10000000000),
    xconnect_id         text CONSTRAINT circuit_termination_xconnect_id_check CHECK (mountaineer.is_valid_name(xconnect_id)),
    pp_info             text CONSTRAINT circuit_termination_pp_info_check CHECK (mountaineer.is_valid_name(pp_info)),
    description         text CONSTRAINT circuit_termination_description_check
                             CHECK (char_length(description) <= 1000 AND description ~ '[^[:space:]]' AND replace(description, E'\n', ' ') !~ '[[:cntrl:]]'),
    -- src/cable.c probes this constraint's index for the other end of a
    -- circuit (it finds the index by its leading column, circuit_id)
    CONSTRAINT circuit_termination_circuit_id_term_side_key UNIQUE (circuit_id, term_side),
    CONSTRAINT circuit_termination_site_or_network CHECK ((site_id IS NULL) <> (provider_network_id IS NULL))
);
CREATE INDEX circuit_termination_site_idx ON mountaineer.circuit_termination (site_id);
CREATE INDEX circuit_termination_provider_network_idx ON mountaineer.circuit_termination (provider_network_id);
COMMENT ON TABLE mountaineer.circuit_termination IS 'The A or Z end of a circuit, at a site (where a cable plugs into it) or on a provider network (not cabled). Inserting one makes its port (kind circuit_termination, on no device, named A or Z, with the same id), which cables plug into; deleting either deletes both. NetBox: circuits_circuittermination.';
COMMENT ON COLUMN mountaineer.circuit_termination.id IS 'Primary key and the id of its port (port.id, kind circuit_termination); set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.circuit_termination.slug IS 'Short URL-safe form of id (its port''s slug).';
COMMENT ON COLUMN mountaineer.circuit_termination.circuit_id IS 'The circuit (circuit.id); deleting the circuit deletes its terminations, unless one is cabled.';
COMMENT ON COLUMN mountaineer.circuit_termination.term_side IS 'A or Z: a circuit has at most one of each.';
COMMENT ON COLUMN mountaineer.circuit_termination.site_id IS 'The site where the circuit is handed over (site.id); exactly one of site_id and provider_network_id. A cable from it goes to a device at this site or in no rack.';
COMMENT ON COLUMN mountaineer.circuit_termination.provider_network_id IS 'The provider network the circuit ends on (provider_network.id), instead of a site; such an end takes no cable.';
COMMENT ON COLUMN mountaineer.circuit_termination.port_speed_kbps IS 'Physical speed of the hand-off in kbit/s (0 .. 10 Tbit/s), if known.';
COMMENT ON COLUMN mountaineer.circuit_termination.upstream_speed_kbps IS 'Upstream speed in kbit/s when it differs from port_speed_kbps (asymmetric circuits), if known.';
COMMENT ON COLUMN mountaineer.circuit_termination.xconnect_id IS 'The site''s cross-connect id, if any; a name.';
COMMENT ON COLUMN mountaineer.circuit_termination.pp_info IS 'Patch panel and port of the hand-off as the site labels it, if any; a name.';
COMMENT ON COLUMN mountaineer.circuit_termination.description IS 'Free text, lines separated by newlines; at most 1000 characters, not blank.';
SELECT mountaineer.manage_table('mountaineer.circuit_termination');

-- A new termination makes its port first (same id, named by its side), so
-- that its foreign key finds it.  Restoring a dump brings the ports along.
CREATE FUNCTION mountaineer.circuit_termination_make_port() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO mountaineer.port (id, name, kind) VALUES (NEW.id, NEW.term_side::text, 'circuit_termination');
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.circuit_termination_make_port() IS
    'Trigger: a new circuit_termination makes its port (same id, kind circuit_termination, no device, named A or Z), which cables plug into.';
REVOKE EXECUTE ON FUNCTION mountaineer.circuit_termination_make_port() FROM PUBLIC;
CREATE TRIGGER make_port BEFORE INSERT ON mountaineer.circuit_termination
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.circuit_termination'))
    EXECUTE FUNCTION mountaineer.circuit_termination_make_port();

-- A termination on a cable cannot be deleted (nor its circuit) until the
-- cable is taken off: refused before the row goes, so that the message can
-- name the circuit; after it, its port goes too (port_check_cabled refuses
-- again if a cable was plugged in meanwhile).  A deleted port has taken its
-- termination along already (the foreign key), and finds nothing here.
CREATE FUNCTION mountaineer.circuit_termination_drop_port() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cname text;
BEGIN
    IF TG_WHEN = 'BEFORE' THEN
        SELECT mountaineer.cable_name(c) INTO cname
          FROM mountaineer.cable_end e JOIN mountaineer.cable c ON c.id = e.cable_id
         WHERE e.port_id = OLD.id;
        IF FOUND THEN
            RAISE EXCEPTION '% cannot be deleted: it is on cable %', mountaineer.port_title(OLD.id), mountaineer.excerpt(cname)
                USING ERRCODE = 'foreign_key_violation',
                      HINT = 'Delete the cable or its end on this termination first.';
        END IF;
        RETURN OLD;
    END IF;
    DELETE FROM mountaineer.port WHERE id = OLD.id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.circuit_termination_drop_port() IS
    'Trigger: a circuit_termination on a cable cannot be deleted (23503, naming the circuit and the cable); a deleted one deletes its port.';
REVOKE EXECUTE ON FUNCTION mountaineer.circuit_termination_drop_port() FROM PUBLIC;
CREATE TRIGGER check_cabled BEFORE DELETE ON mountaineer.circuit_termination
    FOR EACH ROW EXECUTE FUNCTION mountaineer.circuit_termination_drop_port();
CREATE TRIGGER drop_port AFTER DELETE ON mountaineer.circuit_termination
    FOR EACH ROW EXECUTE FUNCTION mountaineer.circuit_termination_drop_port();

-- A circuit with a cabled termination stays, named as the termination
-- would name itself (when its own check runs, the circuit is gone already).
CREATE FUNCTION mountaineer.circuit_check_cabled() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    first record;
BEGIN
    SELECT t.id, mountaineer.cable_name(c) AS cable INTO first
      FROM mountaineer.circuit_termination t
      JOIN mountaineer.cable_end e ON e.port_id = t.id
      JOIN mountaineer.cable c ON c.id = e.cable_id
     WHERE t.circuit_id = OLD.id
     ORDER BY t.term_side LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '% cannot be deleted: it is on cable %', mountaineer.port_title(first.id), mountaineer.excerpt(first.cable)
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Delete the cables on the circuit''s terminations first.';
    END IF;
    RETURN OLD;
END
$$;
COMMENT ON FUNCTION mountaineer.circuit_check_cabled() IS
    'Trigger: a circuit with a termination on a cable cannot be deleted (23503, naming the termination and the cable).';
REVOKE EXECUTE ON FUNCTION mountaineer.circuit_check_cabled() FROM PUBLIC;
CREATE TRIGGER refuse_delete_while_cabled BEFORE DELETE ON mountaineer.circuit
    FOR EACH ROW EXECUTE FUNCTION mountaineer.circuit_check_cabled();

-- A cabled termination stays where it is: its site (or provider network)
-- does not change while a cable is on it.  Race with a cable being plugged
-- in: cable_end_check holds the port FOR SHARE, this takes it FOR NO KEY
-- UPDATE (which waits for that, and holds new ends back), then looks for a
-- cable in a statement of its own (specs/circuit_termination_cable.spec).
CREATE FUNCTION mountaineer.circuit_termination_check_site() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cname text;
BEGIN
    PERFORM 1 FROM mountaineer.port WHERE id = NEW.id FOR NO KEY UPDATE;
    SELECT mountaineer.cable_name(c) INTO cname
      FROM mountaineer.cable_end e JOIN mountaineer.cable c ON c.id = e.cable_id
     WHERE e.port_id = NEW.id;
    IF FOUND THEN
        RAISE EXCEPTION '% cannot move to another site or network: it is on cable %',
            mountaineer.port_title(NEW.id), mountaineer.excerpt(cname)
            USING ERRCODE = 'check_violation',
                  HINT = 'Delete the cable or its end on this termination first.';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.circuit_termination_check_site() IS
    'Trigger: a circuit_termination on a cable keeps its site and provider network (23514); locks its port (FOR NO KEY UPDATE) before looking for the cable.';
REVOKE EXECUTE ON FUNCTION mountaineer.circuit_termination_check_site() FROM PUBLIC;
CREATE TRIGGER check_site AFTER UPDATE OF site_id, provider_network_id ON mountaineer.circuit_termination
    FOR EACH ROW WHEN (OLD.site_id IS DISTINCT FROM NEW.site_id OR OLD.provider_network_id IS DISTINCT FROM NEW.provider_network_id)
    EXECUTE FUNCTION mountaineer.circuit_termination_check_site();

-- A port on no device exists only as a termination's: checked at commit,
-- since the termination's row follows its port's.
CREATE FUNCTION mountaineer.port_check_termination() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM 1 FROM mountaineer.port p WHERE p.id = NEW.id;
    IF FOUND AND NOT EXISTS (SELECT FROM mountaineer.circuit_termination t WHERE t.id = NEW.id) THEN
        RAISE EXCEPTION 'port % of kind circuit_termination has no circuit_termination', mountaineer.excerpt(NEW.name)
            USING ERRCODE = 'check_violation',
                  HINT = 'Insert a circuit_termination (circuit_id, term_side, site_id): it makes its port.';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.port_check_termination() IS
    'Deferred constraint trigger on port: at commit, a port of kind circuit_termination (on no device) that still exists has its circuit_termination row.';
REVOKE EXECUTE ON FUNCTION mountaineer.port_check_termination() FROM PUBLIC;
CREATE CONSTRAINT TRIGGER check_termination AFTER INSERT ON mountaineer.port
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.device_id IS NULL AND NOT mountaineer.restoring('mountaineer.port'))
    EXECUTE FUNCTION mountaineer.port_check_termination();

-- How a message names a port: 'port "eth0" of device "srv1"', or for a
-- termination 'termination A of circuit "CID" of provider "P"'.
CREATE FUNCTION mountaineer.port_title(port_id uuid) RETURNS text
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN p.device_id IS NOT NULL
                THEN format('port %s of device %s', mountaineer.excerpt(p.name), mountaineer.excerpt(d.name))
                WHEN t.id IS NOT NULL
                THEN format('termination %s of circuit %s of provider %s', t.term_side,
                            mountaineer.excerpt(c.cid), mountaineer.excerpt(pr.name))
                ELSE format('termination port %s', mountaineer.excerpt(p.name)) END
    FROM mountaineer.port p
    LEFT JOIN mountaineer.device d ON d.id = p.device_id
    LEFT JOIN mountaineer.circuit_termination t ON t.id = p.id
    LEFT JOIN mountaineer.circuit c ON c.id = t.circuit_id
    LEFT JOIN mountaineer.provider pr ON pr.id = c.provider_id
    WHERE p.id = $1
$$;
COMMENT ON FUNCTION mountaineer.port_title(uuid) IS
    'How messages name a port: port "eth0" of device "srv1", or termination A of circuit "CID" of provider "P" for a circuit termination''s port (names cut by excerpt); NULL for an unknown port.';

-- port_doc shows a termination's circuit (defined here: it reads the tables above)
CREATE OR REPLACE FUNCTION mountaineer.port_doc(port_id uuid) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object('device', d.name, 'port', p.name, 'kind', p.kind,
                              'device_id', d.id, 'port_id', p.id)
           || CASE WHEN t.id IS NULL THEN '{}'::jsonb
                   ELSE jsonb_build_object('circuit', jsonb_build_object(
                            'id', c.id, 'cid', c.cid, 'provider', pr.name, 'term_side', t.term_side,
                            'site', s.name, 'provider_network', n.name)) END
    FROM mountaineer.port p
    LEFT JOIN mountaineer.device d ON d.id = p.device_id
    LEFT JOIN mountaineer.circuit_termination t ON t.id = p.id
    LEFT JOIN mountaineer.circuit c ON c.id = t.circuit_id
    LEFT JOIN mountaineer.provider pr ON pr.id = c.provider_id
    LEFT JOIN mountaineer.site s ON s.id = t.site_id
    LEFT JOIN mountaineer.provider_network n ON n.id = t.provider_network_id
    WHERE p.id = $1
$$;
COMMENT ON FUNCTION mountaineer.port_doc(uuid) IS
    'A port as cable_path shows it: {device, port, kind, device_id, port_id}, and for a circuit termination (device and device_id null) also circuit: {id, cid, provider, term_side, site, provider_network}; NULL for an unknown port.';

-- the graph's functions that learn circuit terminations (edited in place in the full script)
CREATE OR REPLACE FUNCTION mountaineer.port_kinds_compatible(a mountaineer.port_kind, b mountaineer.port_kind)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    -- circuit_termination as text: see "circuits (1.5)"
    SELECT CASE
        WHEN a::text IN ('interface', 'front_port', 'rear_port', 'circuit_termination')
            THEN b::text IN ('interface', 'front_port', 'rear_port', 'circuit_termination')
        WHEN a = 'console' THEN b = 'console_server'
        WHEN a = 'console_server' THEN b = 'console'
        WHEN a = 'power_port' THEN b IN ('power_outlet', 'power_feed')
        WHEN a IN ('power_outlet', 'power_feed') THEN b = 'power_port'
        ELSE false
    END
$$;
COMMENT ON FUNCTION mountaineer.port_kinds_compatible(mountaineer.port_kind, mountaineer.port_kind) IS
    'Whether a cable may join ports of these kinds: interface, front_port, rear_port and circuit_termination with each other; console with console_server; power_port with power_outlet or power_feed.';

CREATE OR REPLACE FUNCTION mountaineer.cable_end_check() RETURNS trigger
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
    SELECT p.kind, mountaineer.port_title(p.id) AS title, t.id IS NOT NULL AS is_termination,
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
        RAISE EXCEPTION '% is already on cable %', me.title, mountaineer.excerpt(taken)
            USING ERRCODE = 'unique_violation',
                  HINT = 'A port takes one cable; disconnect the other cable first.';
    END IF;
    IF me.provider_network_id IS NOT NULL THEN
        SELECT n.name INTO network FROM mountaineer.provider_network n WHERE n.id = me.provider_network_id;
        RAISE EXCEPTION 'cable % cannot plug into %: it ends on provider network %',
            mountaineer.excerpt(mountaineer.cable_name(c)), me.title, mountaineer.excerpt(network)
            USING ERRCODE = 'check_violation',
                  HINT = 'A termination on a provider network takes no cable; give it a site_id instead to cable it.';
    END IF;
    FOR other IN
        SELECT p.kind, mountaineer.port_title(p.id) AS title, t.id IS NOT NULL AS is_termination,
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
                mountaineer.excerpt(mountaineer.cable_name(c)), me.title, me.kind, other.title, other.kind
                USING ERRCODE = 'check_violation',
                      HINT = 'Data ports (interface, front_port, rear_port, circuit_termination) connect to data ports, console to console_server, power_port to power_outlet or power_feed.';
        END IF;
        -- a circuit is handed over at its termination's site: a cable from
        -- it stays there (a device in no rack is at no site, and may)
        IF (me.is_termination OR other.is_termination) AND me.site_id <> other.site_id THEN
            RAISE EXCEPTION 'cable % cannot connect % to % at site %: they are at different sites',
                mountaineer.excerpt(mountaineer.cable_name(c)), me.title, other.title, mountaineer.excerpt(other.site)
                USING ERRCODE = 'check_violation',
                      HINT = 'A cable from a circuit termination goes to a port at the termination''s site.';
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.cable_end_check() IS
    'Trigger: a port is on one cable (named in the error), and every end of a cable is compatible with every end on its other side; a circuit termination is cabled only at its site, never on a provider network (1.5); locks the cable (FOR NO KEY UPDATE) and the port (FOR SHARE) it checks.';

CREATE OR REPLACE FUNCTION mountaineer.port_check_cabled() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cname  text;
BEGIN
    SELECT mountaineer.cable_name(c) INTO cname
      FROM mountaineer.cable_end e JOIN mountaineer.cable c ON c.id = e.cable_id
     WHERE e.port_id = OLD.id;
    IF NOT FOUND THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        IF current_setting('transaction_isolation') <> 'read committed' THEN
            RAISE EXCEPTION '% can only change kind under READ COMMITTED', mountaineer.port_title(OLD.id)
                USING ERRCODE = 'invalid_transaction_state',
                      DETAIL = 'A transaction snapshot cannot see a cable another session plugs into the port while this change waits for it.';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% cannot be deleted: it is on cable %', mountaineer.port_title(OLD.id), mountaineer.excerpt(cname)
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Delete the cable or its end on this port first.';
    END IF;
    RAISE EXCEPTION '% cannot change kind from % to %: it is on cable %',
        mountaineer.port_title(OLD.id), OLD.kind, NEW.kind, mountaineer.excerpt(cname)
        USING ERRCODE = 'check_violation',
              HINT = 'Delete the cable or its end on this port first.';
END
$$;

CREATE OR REPLACE FUNCTION mountaineer.topology_dot(site_id uuid, include_planned boolean DEFAULT false) RETURNS mountaineer."text/plain"
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    site_name text;
    body      text;
BEGIN
    SELECT s.name INTO site_name FROM mountaineer.site s WHERE s.id = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no site with id %', $1 USING ERRCODE = 'no_data_found';
    END IF;
    -- a node is a device, or a circuit termination (whose port is on no
    -- device: its node is the port); a circuit with a node here is an edge
    -- between its two terminations
    WITH here AS (
        SELECT d.id FROM mountaineer.device d JOIN mountaineer.rack r ON r.id = d.rack_id WHERE r.site_id = $1
    ), edge AS (
        -- every pair of ends on opposite sides of a cable touching the site
        SELECT c.id AS cable_id, coalesce(c.label, c.slug) AS cable, c.type, c.status,
               coalesce(pa.device_id, pa.id) AS a_dev, pa.name AS a_port, coalesce(pb.device_id, pb.id) AS b_dev, pb.name AS b_port
        FROM mountaineer.cable c
        JOIN mountaineer.cable_end ea ON ea.cable_id = c.id AND ea.side = 'a'
        JOIN mountaineer.cable_end eb ON eb.cable_id = c.id AND eb.side = 'b'
        JOIN mountaineer.port pa ON pa.id = ea.port_id
        JOIN mountaineer.port pb ON pb.id = eb.port_id
        WHERE (c.status = 'connected' OR $2)
          AND c.id IN (SELECT e.cable_id FROM mountaineer.cable_end e
                       JOIN mountaineer.port p ON p.id = e.port_id
                       WHERE p.device_id IN (SELECT id FROM here))
    ), circuit_edge AS (
        SELECT ci.id, ci.cid, ci.type, ta.id AS a_id, tz.id AS z_id
        FROM mountaineer.circuit ci
        JOIN mountaineer.circuit_termination ta ON ta.circuit_id = ci.id AND ta.term_side = 'A'
        JOIN mountaineer.circuit_termination tz ON tz.circuit_id = ci.id AND tz.term_side = 'Z'
        WHERE ta.id IN (SELECT a_dev FROM edge UNION SELECT b_dev FROM edge)
           OR tz.id IN (SELECT a_dev FROM edge UNION SELECT b_dev FROM edge)
    ), node AS (
        SELECT DISTINCT d.id, d.name, d.kind::text AS kind, d.slug FROM mountaineer.device d
        WHERE d.id IN (SELECT a_dev FROM edge UNION SELECT b_dev FROM edge)
        UNION ALL
        SELECT t.id, ci.cid || ' ' || t.term_side, 'circuit ' || coalesce(s.name, n.name), t.slug
        FROM mountaineer.circuit_termination t
        JOIN mountaineer.circuit ci ON ci.id = t.circuit_id
        LEFT JOIN mountaineer.site s ON s.id = t.site_id
        LEFT JOIN mountaineer.provider_network n ON n.id = t.provider_network_id
        WHERE t.id IN (SELECT a_dev FROM edge UNION SELECT b_dev FROM edge
                       UNION SELECT a_id FROM circuit_edge UNION SELECT z_id FROM circuit_edge)
    )
    SELECT coalesce((SELECT string_agg(format('  %s [label=%s, shape=%s];', mountaineer.dot_id(n.slug),
                                              mountaineer.dot_id(n.name || E'\n' || n.kind),
                                              CASE n.kind WHEN 'patch_panel' THEN 'cds'
                                                          WHEN 'pdu' THEN 'hexagon'
                                                          WHEN 'power_panel' THEN 'doubleoctagon'
                                                          WHEN 'network' THEN 'component'
                                                          ELSE CASE WHEN n.kind LIKE 'circuit %' THEN 'circle' ELSE 'box' END END),
                                       E'\n' ORDER BY n.name, n.id) || E'\n' FROM node n), '')
        || coalesce((SELECT string_agg(format('  %s -- %s [label=%s, taillabel=%s, headlabel=%s%s];',
                                              mountaineer.dot_id(mountaineer.slug(e.a_dev)),
                                              mountaineer.dot_id(mountaineer.slug(e.b_dev)),
                                              mountaineer.dot_id(e.cable || coalesce(' (' || e.type || ')', '')),
                                              mountaineer.dot_id(e.a_port), mountaineer.dot_id(e.b_port),
                                              CASE e.status WHEN 'connected' THEN '' ELSE ', style=dashed' END),
                                       E'\n' ORDER BY e.cable, e.cable_id, e.a_port, e.b_port) || E'\n' FROM edge e), '')
        || coalesce((SELECT string_agg(format('  %s -- %s [label=%s, style=bold];',
                                              mountaineer.dot_id(mountaineer.slug(ce.a_id)),
                                              mountaineer.dot_id(mountaineer.slug(ce.z_id)),
                                              mountaineer.dot_id(ce.cid || ' (' || ce.type || ')')),
                                       E'\n' ORDER BY ce.cid, ce.id) || E'\n' FROM circuit_edge ce), '')
      INTO body;
    RETURN format(E'graph %s {\n  graph [label=%s, rankdir=LR];\n  node [fontname="Helvetica"];\n  edge [fontname="Helvetica", fontsize=9];\n%s}\n',
                  mountaineer.dot_id('site ' || site_name), mountaineer.dot_id(site_name), body)::mountaineer."text/plain";
END
$$;
COMMENT ON FUNCTION mountaineer.topology_dot(uuid, boolean) IS
    'The site''s cabled devices as a Graphviz DOT graph: a node per device (shape by kind), an edge per cable (label and type; port names at its ends), every connected cable with an end on a device racked at the site; with include_planned also its planned and decommissioning cables, dashed. A circuit termination reached is a circle node, and its circuit a bold edge to its other end (1.5). psql -Atc "SELECT mountaineer.topology_dot(…)" | dot -Tsvg > site.svg. Returns text/plain, which PostgREST serves with that Content-Type. P0002 for an unknown site.';
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
    SELECT d.status NOT IN ('planned', 'offline', 'inventory')
$$;
COMMENT ON FUNCTION mountaineer.power_counts(mountaineer.device) IS
    'Whether a device''s own draw counts in the power roll-up (power_input, power_load, power_draw): it does unless the device is planned, offline or in inventory (a staged, failed or decommissioning device is still plugged in).';

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
