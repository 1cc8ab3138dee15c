-- mountaineer_hardware 1.4 -> 1.5: the model issue 12 asks for (device types, site
-- hierarchy, status, tags and attributes, circuits, VLAN groups, power);
-- needs mountaineer 1.5: update it first.
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
-- End: tags and attributes (1.5)


-- == circuits (1.5) ==
-- End: circuits (1.5)


-- == power (1.5) ==
-- End: power (1.5)
