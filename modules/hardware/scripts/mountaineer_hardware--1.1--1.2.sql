-- mountaineer_hardware 1.1 -> 1.2 (needs mountaineer 1.2: update it first):
-- the integrity fixes of issue 11 (see README, Versions and upgrades).
\echo Use "ALTER EXTENSION mountaineer_hardware UPDATE TO '1.2'" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regprocedure('mountaineer.upgrade_check(text,text)') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_hardware 1.2 needs mountaineer 1.2'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;

-- == sites, racks, devices, ports ==

-- Names (mountaineer.is_valid_name: 1..100 characters, no leading or
-- trailing white space, no control characters), ranges that NaN and
-- Infinity fall outside, and device names unique among the devices racked
-- at one site.  Rows that break a new rule stop the update, named, and
-- nothing is changed.
SELECT mountaineer.upgrade_check('a site''s name is a name (1 to 100 characters, no leading or trailing white space, no control characters)',
    $q$SELECT format('site %s (slug %s)', mountaineer.excerpt(name), slug) FROM mountaineer.site
       WHERE NOT mountaineer.is_valid_name(name)$q$);
SELECT mountaineer.upgrade_check('a site''s vendor is a name (1 to 100 characters, no leading or trailing white space, no control characters)',
    $q$SELECT format('site %s: vendor %s', mountaineer.excerpt(name), mountaineer.excerpt(vendor)) FROM mountaineer.site
       WHERE NOT mountaineer.is_valid_name(vendor)$q$);
SELECT mountaineer.upgrade_check('a site''s address is at most 1000 characters, not blank, without control characters but newlines',
    $q$SELECT format('site %s: address %s', mountaineer.excerpt(name), mountaineer.excerpt(address)) FROM mountaineer.site
       WHERE NOT (char_length(address) <= 1000 AND address ~ '[^[:space:]]' AND replace(address, E'\n', ' ') !~ '[[:cntrl:]]')$q$);
SELECT mountaineer.upgrade_check('a site''s noc_phone is a phone number (digits, spaces and ( ) . / -, an optional leading + and extension) of at most 40 characters',
    $q$SELECT format('site %s: noc_phone %s', mountaineer.excerpt(name), mountaineer.excerpt(noc_phone)) FROM mountaineer.site
       WHERE NOT (char_length(noc_phone) <= 40 AND noc_phone ~ '^\+?[0-9(][-0-9 ()./]*[0-9]( ?(x|ext\.?) ?[0-9]+)?$')$q$);
SELECT mountaineer.upgrade_check('a site''s noc_email has one @, no white space or control characters, and at most 254 characters',
    $q$SELECT format('site %s: noc_email %s', mountaineer.excerpt(name), mountaineer.excerpt(noc_email)) FROM mountaineer.site
       WHERE NOT (char_length(noc_email) <= 254 AND noc_email ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+$')$q$);
SELECT mountaineer.upgrade_check('a site''s noc_url is http(s):// with no white space or control characters, at most 2000 characters',
    $q$SELECT format('site %s: noc_url %s', mountaineer.excerpt(name), mountaineer.excerpt(noc_url)) FROM mountaineer.site
       WHERE NOT (char_length(noc_url) <= 2000 AND noc_url ~* '^https?://[^[:space:][:cntrl:]]+$')$q$);
SELECT mountaineer.upgrade_check('a rack''s name is a name (1 to 100 characters, no leading or trailing white space, no control characters)',
    $q$SELECT format('rack %s (slug %s)', mountaineer.excerpt(name), slug) FROM mountaineer.rack
       WHERE NOT mountaineer.is_valid_name(name)$q$);
SELECT mountaineer.upgrade_check('a rack''s depth_in is more than 0 and at most 100',
    $q$SELECT format('rack %s: depth_in %s', mountaineer.excerpt(name), depth_in) FROM mountaineer.rack
       WHERE NOT (depth_in > 0 AND depth_in <= 100)$q$);
SELECT mountaineer.upgrade_check('a rack''s width_in is more than 0 and at most 50',
    $q$SELECT format('rack %s: width_in %s', mountaineer.excerpt(name), width_in) FROM mountaineer.rack
       WHERE NOT (width_in > 0 AND width_in <= 50)$q$);
SELECT mountaineer.upgrade_check('a device''s name is a name (1 to 100 characters, no leading or trailing white space, no control characters)',
    $q$SELECT format('device %s (slug %s)', mountaineer.excerpt(name), slug) FROM mountaineer.device
       WHERE NOT mountaineer.is_valid_name(name)$q$);
SELECT mountaineer.upgrade_check('a device''s manufacturer, model, serial, asset_id and asset_tag are names (1 to 100 characters, no leading or trailing white space, no control characters)',
    $q$SELECT format('device %s: %s %s', mountaineer.excerpt(d.name), c.col, mountaineer.excerpt(c.val))
         FROM mountaineer.device d,
              LATERAL (VALUES ('manufacturer', d.manufacturer), ('model', d.model), ('serial', d.serial),
                              ('asset_id', d.asset_id), ('asset_tag', d.asset_tag)) c(col, val)
        WHERE NOT mountaineer.is_valid_name(c.val)$q$);
SELECT mountaineer.upgrade_check('a device''s draw_watts is 0..100000',
    $q$SELECT format('device %s: draw_watts %s', mountaineer.excerpt(name), draw_watts) FROM mountaineer.device
       WHERE NOT (draw_watts BETWEEN 0 AND 100000)$q$);
SELECT mountaineer.upgrade_check('the devices racked at one site have distinct names',
    $q$SELECT format('site %s: %s devices named %s', mountaineer.excerpt(s.name), count(*), mountaineer.excerpt(d.name))
         FROM mountaineer.device d JOIN mountaineer.rack r ON r.id = d.rack_id JOIN mountaineer.site s ON s.id = r.site_id
        GROUP BY s.id, s.name, d.name HAVING count(*) > 1$q$);
SELECT mountaineer.upgrade_check('a server''s memory_mib is 1..67108864 (64 TiB)',
    $q$SELECT format('server %s: memory_mib %s', mountaineer.excerpt(d.name), s.memory_mib)
         FROM mountaineer.server s JOIN mountaineer.device d ON d.id = s.id
        WHERE NOT (s.memory_mib BETWEEN 1 AND 67108864)$q$);
SELECT mountaineer.upgrade_check('a server''s cores are 1..65536',
    $q$SELECT format('server %s: cores %s', mountaineer.excerpt(d.name), s.cores)
         FROM mountaineer.server s JOIN mountaineer.device d ON d.id = s.id
        WHERE NOT (s.cores BETWEEN 1 AND 65536)$q$);
SELECT mountaineer.upgrade_check('a PDU''s volts are more than 0 and at most 1000',
    $q$SELECT format('pdu %s: volts %s', mountaineer.excerpt(d.name), p.volts)
         FROM mountaineer.pdu p JOIN mountaineer.device d ON d.id = p.id
        WHERE NOT (p.volts > 0 AND p.volts <= 1000)$q$);
SELECT mountaineer.upgrade_check('a PDU''s amps are more than 0 and at most 1000',
    $q$SELECT format('pdu %s: amps %s', mountaineer.excerpt(d.name), p.amps)
         FROM mountaineer.pdu p JOIN mountaineer.device d ON d.id = p.id
        WHERE NOT (p.amps > 0 AND p.amps <= 1000)$q$);
SELECT mountaineer.upgrade_check('a port''s name is a name (1 to 100 characters, no leading or trailing white space, no control characters)',
    $q$SELECT format('device %s: port %s (slug %s)', mountaineer.excerpt(d.name), mountaineer.excerpt(p.name), p.slug)
         FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
        WHERE NOT mountaineer.is_valid_name(p.name)$q$);
SELECT mountaineer.upgrade_check('a front port''s rear_port_position is 1..1024',
    $q$SELECT format('device %s: port %s: rear_port_position %s', mountaineer.excerpt(d.name), mountaineer.excerpt(p.name), p.rear_port_position)
         FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
        WHERE NOT (p.rear_port_position BETWEEN 1 AND 1024)$q$);

ALTER TABLE mountaineer.site
    DROP CONSTRAINT site_name_check,
    ADD CONSTRAINT site_name_check CHECK (mountaineer.is_valid_name(name)),
    ADD CONSTRAINT site_vendor_check CHECK (mountaineer.is_valid_name(vendor)),
    ADD CONSTRAINT site_address_check CHECK (char_length(address) <= 1000 AND address ~ '[^[:space:]]' AND replace(address, E'\n', ' ') !~ '[[:cntrl:]]'),
    ADD CONSTRAINT site_noc_phone_check
        CHECK (char_length(noc_phone) <= 40 AND noc_phone ~ '^\+?[0-9(][-0-9 ()./]*[0-9]( ?(x|ext\.?) ?[0-9]+)?$'),
    DROP CONSTRAINT site_noc_email_check,
    ADD CONSTRAINT site_noc_email_check
        CHECK (char_length(noc_email) <= 254 AND noc_email ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+$'),
    DROP CONSTRAINT site_noc_url_check,
    ADD CONSTRAINT site_noc_url_check
        CHECK (char_length(noc_url) <= 2000 AND noc_url ~* '^https?://[^[:space:][:cntrl:]]+$');

-- rack names unique within a site through a partial index (a rename is then
-- not a key update), and (id, site_id) for device's foreign key
ALTER TABLE mountaineer.rack
    DROP CONSTRAINT rack_name_check,
    ADD CONSTRAINT rack_name_check CHECK (mountaineer.is_valid_name(name)),
    DROP CONSTRAINT rack_depth_in_check,
    ADD CONSTRAINT rack_depth_in_check CHECK (depth_in > 0 AND depth_in <= 100),
    DROP CONSTRAINT rack_width_in_check,
    ADD CONSTRAINT rack_width_in_check CHECK (width_in > 0 AND width_in <= 50),
    DROP CONSTRAINT rack_site_id_name_key,
    ADD CONSTRAINT rack_id_site_id_key UNIQUE (id, site_id);
CREATE UNIQUE INDEX rack_site_id_name_key ON mountaineer.rack (site_id, name) WHERE name IS NOT NULL;

-- device.site_id, derived from the rack: filled in without change-log rows
-- (it records no one's change) and with the table's other triggers aside
ALTER TABLE mountaineer.device ADD COLUMN site_id uuid;
DO $$
DECLARE
    was text := pg_catalog.current_setting('session_replication_role');
BEGIN
    PERFORM pg_catalog.set_config('session_replication_role', 'replica', true);
    UPDATE mountaineer.device d SET site_id = r.site_id FROM mountaineer.rack r WHERE r.id = d.rack_id;
    PERFORM pg_catalog.set_config('session_replication_role', was, true);
END
$$;
ALTER TABLE mountaineer.device
    DROP CONSTRAINT device_name_check,
    ADD CONSTRAINT device_name_check CHECK (mountaineer.is_valid_name(name)),
    ADD CONSTRAINT device_manufacturer_check CHECK (mountaineer.is_valid_name(manufacturer)),
    ADD CONSTRAINT device_model_check CHECK (mountaineer.is_valid_name(model)),
    ADD CONSTRAINT device_serial_check CHECK (mountaineer.is_valid_name(serial)),
    ADD CONSTRAINT device_asset_id_check CHECK (mountaineer.is_valid_name(asset_id)),
    ADD CONSTRAINT device_asset_tag_check CHECK (mountaineer.is_valid_name(asset_tag)),
    DROP CONSTRAINT device_draw_watts_check,
    ADD CONSTRAINT device_draw_watts_check CHECK (draw_watts BETWEEN 0 AND 100000),
    DROP CONSTRAINT device_rack_id_position_excl,
    ADD CONSTRAINT device_rack_id_position_excl
        EXCLUDE USING gist (rack_id WITH =, position WITH &&) DEFERRABLE INITIALLY IMMEDIATE,
    ADD CONSTRAINT device_rack_id_site_id_fkey FOREIGN KEY (rack_id, site_id)
        REFERENCES mountaineer.rack (id, site_id) MATCH FULL ON UPDATE CASCADE ON DELETE RESTRICT;
CREATE UNIQUE INDEX device_site_id_name_key ON mountaineer.device (site_id, name) WHERE site_id IS NOT NULL;

ALTER TABLE mountaineer.server
    DROP CONSTRAINT server_memory_mib_check,
    ADD CONSTRAINT server_memory_mib_check CHECK (memory_mib BETWEEN 1 AND 67108864),
    DROP CONSTRAINT server_cores_check,
    ADD CONSTRAINT server_cores_check CHECK (cores BETWEEN 1 AND 65536);
ALTER TABLE mountaineer.pdu
    DROP CONSTRAINT pdu_volts_check,
    ADD CONSTRAINT pdu_volts_check CHECK (volts > 0 AND volts <= 1000),
    DROP CONSTRAINT pdu_amps_check,
    ADD CONSTRAINT pdu_amps_check CHECK (amps > 0 AND amps <= 1000);
ALTER TABLE mountaineer.port
    DROP CONSTRAINT port_name_check,
    ADD CONSTRAINT port_name_check CHECK (mountaineer.is_valid_name(name)),
    ADD CONSTRAINT port_rear_port_position_check CHECK (rear_port_position BETWEEN 1 AND 1024);

-- The checks that read another row lock it first (see the install script),
-- and none is a BEFORE UPDATE trigger but device's: rack_check_units and
-- port_check_mapping become AFTER triggers.

CREATE OR REPLACE FUNCTION mountaineer.device_check_position() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r         mountaineer.rack;
    rack_site uuid;
    explicit  boolean;
BEGIN
    explicit := CASE TG_OP WHEN 'INSERT' THEN NEW.site_id IS NOT NULL
                           ELSE NEW.site_id IS DISTINCT FROM OLD.site_id END;
    IF NEW.rack_id IS NULL THEN
        -- unracking takes the device off its units (unless it is given
        -- another position: that is refused below)
        IF TG_OP = 'UPDATE' AND OLD.rack_id IS NOT NULL AND NEW.position::text IS NOT DISTINCT FROM OLD.position::text THEN
            NEW.position := NULL;
        END IF;
        IF NEW.position IS NOT NULL THEN
            RAISE EXCEPTION 'device % has position % but no rack', mountaineer.excerpt(NEW.name), NEW.position
                USING ERRCODE = 'check_violation',
                      HINT = 'A position is a place in a rack: give rack_id with it, or no position.';
        END IF;
    ELSE
        PERFORM 1 FROM mountaineer.rack WHERE id = NEW.rack_id FOR KEY SHARE;
        SELECT * INTO r FROM mountaineer.rack WHERE id = NEW.rack_id;
        IF NOT FOUND THEN
            RETURN NEW;                          -- the foreign key reports it
        END IF;
        rack_site := r.site_id;
        IF NEW.units = 0 THEN
            IF NEW.position IS NOT NULL THEN
                RAISE EXCEPTION 'zero-U device % cannot take position % in rack %',
                    mountaineer.excerpt(NEW.name), NEW.position, mountaineer.excerpt(r.name)
                    USING ERRCODE = 'check_violation',
                          HINT = 'A zero-U device sits in a rack with no position.';
            END IF;
        ELSIF NEW.position IS NULL THEN
            RAISE EXCEPTION 'device % (% U) in rack % needs a position',
                mountaineer.excerpt(NEW.name), NEW.units, mountaineer.excerpt(r.name)
                USING ERRCODE = 'not_null_violation',
                      HINT = 'Give a position such as mountaineer.rack_first_fit(rack_id, units).';
        ELSIF mountaineer.height(NEW.position) <> NEW.units THEN
            RAISE EXCEPTION 'device % is % U but position % in rack % is % U',
                mountaineer.excerpt(NEW.name), NEW.units, NEW.position, mountaineer.excerpt(r.name),
                mountaineer.height(NEW.position)
                USING ERRCODE = 'check_violation';
        ELSIF mountaineer.upper(NEW.position) > r.units THEN
            RAISE EXCEPTION 'device % at % does not fit rack % of % U',
                mountaineer.excerpt(NEW.name), NEW.position, mountaineer.excerpt(r.name), r.units
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF explicit AND NEW.site_id IS DISTINCT FROM rack_site THEN
        RAISE EXCEPTION 'device % cannot be given site_id %: its site is its rack''s', mountaineer.excerpt(NEW.name), NEW.site_id
            USING ERRCODE = 'check_violation',
                  DETAIL = CASE WHEN NEW.rack_id IS NULL THEN 'It is in no rack, so at no site.'
                                ELSE format('Its rack %s is at site %s.', mountaineer.excerpt(r.name),
                                            (SELECT mountaineer.excerpt(s.name) FROM mountaineer.site s WHERE s.id = rack_site)) END,
                  HINT = 'site_id follows rack_id: leave it out, and set rack_id to move the device.';
    END IF;
    NEW.site_id := rack_site;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.device_check_position() IS
    'Trigger: a racked device has a position (unless zero-U) whose height is its units and which fits the rack; a device taken out of its rack loses its position; site_id is the rack''s site. Locks the rack FOR KEY SHARE before reading it.';
REVOKE EXECUTE ON FUNCTION mountaineer.device_check_position() FROM PUBLIC;

CREATE OR REPLACE FUNCTION mountaineer.rack_check_units() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d record;
BEGIN
    PERFORM 1 FROM mountaineer.rack WHERE id = NEW.id FOR UPDATE;
    SELECT name, position INTO d FROM mountaineer.device
     WHERE rack_id = NEW.id AND mountaineer.upper(position) > NEW.units
     ORDER BY mountaineer.upper(position) DESC LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'rack % cannot shrink to % U: device % sits at %',
            mountaineer.excerpt(NEW.name), NEW.units, mountaineer.excerpt(d.name), d.position
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.rack_check_units() IS
    'Trigger: a rack cannot shrink below the devices in it. Locks the rack FOR UPDATE, waiting for every transaction placing a device in it, before reading its devices.';
REVOKE EXECUTE ON FUNCTION mountaineer.rack_check_units() FROM PUBLIC;

CREATE OR REPLACE FUNCTION mountaineer.port_check_mapping() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rear    record;
    mine    text;
    mapped  bigint;
    highest int;
BEGIN
    IF NEW.rear_port_id IS NOT NULL THEN
        PERFORM 1 FROM mountaineer.port WHERE id = NEW.rear_port_id FOR KEY SHARE;
        SELECT p.name, p.kind, p.positions, p.device_id, d.name AS device INTO rear
          FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
         WHERE p.id = NEW.rear_port_id;
        IF FOUND THEN
            IF rear.kind <> 'rear_port' THEN
                RAISE EXCEPTION 'front port % must map to a rear port; port % is of kind %',
                    mountaineer.excerpt(NEW.name), mountaineer.excerpt(rear.name), rear.kind
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
            IF rear.device_id <> NEW.device_id THEN
                SELECT d.name INTO mine FROM mountaineer.device d WHERE d.id = NEW.device_id;
                RAISE EXCEPTION 'front port % of device % must map to a rear port of its own device; rear port % is on device %',
                    mountaineer.excerpt(NEW.name), mountaineer.excerpt(mine), mountaineer.excerpt(rear.name),
                    mountaineer.excerpt(rear.device)
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
            IF NEW.rear_port_position NOT BETWEEN 1 AND rear.positions THEN
                RAISE EXCEPTION 'front port % maps to position % of rear port %, which has positions 1..%',
                    mountaineer.excerpt(NEW.name), NEW.rear_port_position, mountaineer.excerpt(rear.name), rear.positions
                    USING ERRCODE = 'check_violation';
            END IF;
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.kind = 'rear_port'
       AND (NEW.kind <> 'rear_port' OR NEW.device_id <> OLD.device_id OR NEW.positions < OLD.positions) THEN
        PERFORM 1 FROM mountaineer.port WHERE id = NEW.id FOR UPDATE;
        SELECT count(*), coalesce(max(p.rear_port_position), 0) INTO mapped, highest
          FROM mountaineer.port p WHERE p.rear_port_id = NEW.id;
        IF mapped > 0 AND (NEW.kind <> 'rear_port' OR NEW.device_id <> OLD.device_id) THEN
            RAISE EXCEPTION 'rear port % still carries % front port(s)', mountaineer.excerpt(OLD.name), mapped
                USING ERRCODE = 'foreign_key_violation',
                      HINT = 'Delete those front ports, or map them to another rear port, first.';
        END IF;
        IF highest > NEW.positions THEN
            RAISE EXCEPTION 'rear port % cannot shrink to % positions: position % is mapped',
                mountaineer.excerpt(NEW.name), NEW.positions, highest
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.port_check_mapping() IS
    'Trigger: a front port maps to an existing position of a rear port of the same device; a mapped rear port keeps its kind, device and positions. Locks the rear port (FOR KEY SHARE from the front port''s side, FOR UPDATE from the rear port''s) before reading across.';
REVOKE EXECUTE ON FUNCTION mountaineer.port_check_mapping() FROM PUBLIC;

DROP TRIGGER check_position ON mountaineer.device;
CREATE TRIGGER check_position BEFORE INSERT OR UPDATE OF rack_id, position, units, site_id ON mountaineer.device
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.device')) EXECUTE FUNCTION mountaineer.device_check_position();

DROP TRIGGER check_units ON mountaineer.rack;
CREATE TRIGGER check_units AFTER UPDATE OF units ON mountaineer.rack
    FOR EACH ROW WHEN (NEW.units < OLD.units) EXECUTE FUNCTION mountaineer.rack_check_units();

DROP TRIGGER check_mapping ON mountaineer.port;
CREATE TRIGGER check_mapping AFTER INSERT OR UPDATE OF device_id, kind, positions, rear_port_id, rear_port_position ON mountaineer.port
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.port')) EXECUTE FUNCTION mountaineer.port_check_mapping();

-- comments new or changed in 1.2
COMMENT ON COLUMN mountaineer.site.name IS 'Unique; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.site.vendor IS 'Colocation provider, if any; a name.';
COMMENT ON COLUMN mountaineer.site.address IS 'Postal address, lines separated by newlines; at most 1000 characters, not blank, no other control characters.';
COMMENT ON COLUMN mountaineer.site.noc_phone IS 'Network operations centre phone: digits, spaces and ( ) . / -, an optional leading + and extension (x12, ext. 12); at most 40 characters.';
COMMENT ON COLUMN mountaineer.site.noc_email IS 'Network operations centre e-mail: one @, no white space; at most 254 characters.';
COMMENT ON COLUMN mountaineer.site.noc_url IS 'Network operations centre web page or ticket portal: http(s)://, no white space; at most 2000 characters.';
COMMENT ON INDEX mountaineer.rack_site_id_name_key IS
    'Rack names are unique within a site. A partial index, not a UNIQUE constraint, so that renaming a rack takes the non-key row lock and does not block device inserts into it; ON CONFLICT (site_id, name) needs WHERE name IS NOT NULL.';
COMMENT ON COLUMN mountaineer.rack.name IS 'Unique within its site; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.rack.depth_in IS 'Usable depth in inches, more than 0 and at most 100.';
COMMENT ON COLUMN mountaineer.rack.width_in IS 'Rail width in inches (19 or 23), more than 0 and at most 50.';
COMMENT ON INDEX mountaineer.device_site_id_name_key IS
    'The devices racked at one site have distinct names (unracked devices are at no site). ON CONFLICT (site_id, name) needs WHERE site_id IS NOT NULL.';
COMMENT ON TABLE mountaineer.device IS
    'A piece of hardware: server, PDU, network device, patch panel, power panel or other. Two devices in one rack cannot occupy the same units on colliding faces; the devices racked at one site have distinct names.';
COMMENT ON COLUMN mountaineer.device.name IS 'Unique among the devices racked at its site; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.device.draw_watts IS 'Expected power draw in watts, 0..100000.';
COMMENT ON COLUMN mountaineer.device.rack_id IS 'The rack it is in, if any. Setting it to NULL unracks the device: its position is cleared with it.';
COMMENT ON COLUMN mountaineer.device.site_id IS
    'Derived, not written: the site of its rack (NULL when unracked), kept by the trigger check_position and, when the rack moves, by the foreign key. Writing another value is refused.';
COMMENT ON COLUMN mountaineer.server.memory_mib IS 'Memory in MiB, 1..67108864 (64 TiB).';
COMMENT ON COLUMN mountaineer.server.cores IS 'CPU cores, 1..65536.';
COMMENT ON COLUMN mountaineer.pdu.volts IS 'Supply voltage, more than 0 and at most 1000.';
COMMENT ON COLUMN mountaineer.pdu.amps IS 'Rated current, more than 0 and at most 1000.';
COMMENT ON COLUMN mountaineer.port.name IS 'Unique per device; a name (1..100 characters, no leading or trailing white space, no control characters).';

-- == cables and the cable graph ==

-- A cable's label, type and colour are names (mountaineer.is_valid_name);
-- its length is more than 0 and at most 1,000,000 (NaN and Infinity are
-- not).  Rows that break a rule stop the update, named.
SELECT mountaineer.upgrade_check(
    'a cable''s label is a name: 1 to 100 characters, no leading or trailing white space, no control characters',
    $q$SELECT format('cable %s: label %s', slug, mountaineer.excerpt(label)) FROM mountaineer.cable
       WHERE NOT mountaineer.is_valid_name(label)$q$);
SELECT mountaineer.upgrade_check(
    'a cable''s type is a name: 1 to 100 characters, no leading or trailing white space, no control characters',
    $q$SELECT format('cable %s: type %s', mountaineer.excerpt(mountaineer.cable_name(c)), mountaineer.excerpt(type)) FROM mountaineer.cable c
       WHERE NOT mountaineer.is_valid_name(type)$q$);
SELECT mountaineer.upgrade_check(
    'a cable''s color is a name: 1 to 100 characters, no leading or trailing white space, no control characters',
    $q$SELECT format('cable %s: color %s', mountaineer.excerpt(mountaineer.cable_name(c)), mountaineer.excerpt(color)) FROM mountaineer.cable c
       WHERE NOT mountaineer.is_valid_name(color)$q$);
SELECT mountaineer.upgrade_check(
    'a cable''s length is more than 0 and at most 1000000',
    $q$SELECT format('cable %s: length %s', mountaineer.excerpt(mountaineer.cable_name(c)), length) FROM mountaineer.cable c
       WHERE NOT (length > 0 AND length <= 1000000)$q$);
ALTER TABLE mountaineer.cable
    DROP CONSTRAINT cable_label_check,
    ADD CONSTRAINT cable_label_check CHECK (mountaineer.is_valid_name(label)),
    DROP CONSTRAINT cable_type_check,
    ADD CONSTRAINT cable_type_check CHECK (mountaineer.is_valid_name(type)),
    DROP CONSTRAINT cable_color_check,
    ADD CONSTRAINT cable_color_check CHECK (mountaineer.is_valid_name(color)),
    DROP CONSTRAINT cable_length_check,
    ADD CONSTRAINT cable_length_check CHECK (length > 0 AND length <= 1000000);
COMMENT ON COLUMN mountaineer.cable.label IS 'The label printed on the cable, if any: a name (1 to 100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.cable.type IS 'Medium, free text: cat6, om4, smf, dac, power … (a name, as label).';
COMMENT ON COLUMN mountaineer.cable.color IS 'Colour of the jacket, free text (a name, as label).';
COMMENT ON COLUMN mountaineer.cable.length IS 'Length, in length_unit (both or neither): more than 0, at most 1,000,000.';

-- cable_end (port_id) keeps the name PostgreSQL gave its unique constraint,
-- cable_end_port_id_key, which 1.2's install script writes out: nothing to
-- do.  src/cable.c now finds the indexes it probes by their columns.

-- The checks lock what they read (cable_end_check: the port FOR SHARE;
-- cable_check_sides: the cable), quote names with mountaineer.excerpt, and
-- the kind check of a cabled port runs AFTER UPDATE.
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
     WHERE e.port_id = NEW.port_id AND e.id <> NEW.id;
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
REVOKE EXECUTE ON FUNCTION mountaineer.cable_end_check() FROM PUBLIC;

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
    IF TG_TABLE_NAME = 'cable' THEN
        ids := ARRAY[NEW.id];
    ELSIF TG_OP = 'INSERT' THEN
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
    'Deferred constraint trigger: at commit, every connected cable has at least one end on side a and one on side b (the cable locked while it is checked).';
REVOKE EXECUTE ON FUNCTION mountaineer.cable_check_sides() FROM PUBLIC;

CREATE OR REPLACE FUNCTION mountaineer.port_check_cabled() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cname  text;
    device text;
BEGIN
    SELECT mountaineer.cable_name(c) INTO cname
      FROM mountaineer.cable_end e JOIN mountaineer.cable c ON c.id = e.cable_id
     WHERE e.port_id = OLD.id;
    IF NOT FOUND THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        IF current_setting('transaction_isolation') <> 'read committed' THEN
            SELECT d.name INTO device FROM mountaineer.device d WHERE d.id = OLD.device_id;
            RAISE EXCEPTION 'port % of device % can only change kind under READ COMMITTED',
                mountaineer.excerpt(OLD.name), mountaineer.excerpt(device)
                USING ERRCODE = 'invalid_transaction_state',
                      DETAIL = 'A transaction snapshot cannot see a cable another session plugs into the port while this change waits for it.';
        END IF;
        RETURN NEW;
    END IF;
    SELECT d.name INTO device FROM mountaineer.device d WHERE d.id = OLD.device_id;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'port % of device % cannot be deleted: it is on cable %',
            mountaineer.excerpt(OLD.name), mountaineer.excerpt(device), mountaineer.excerpt(cname)
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Delete the cable or its end on this port first.';
    END IF;
    RAISE EXCEPTION 'port % of device % cannot change kind from % to %: it is on cable %',
        mountaineer.excerpt(OLD.name), mountaineer.excerpt(device), OLD.kind, NEW.kind, mountaineer.excerpt(cname)
        USING ERRCODE = 'check_violation',
              HINT = 'Delete the cable or its end on this port first.';
END
$$;
COMMENT ON FUNCTION mountaineer.port_check_cabled() IS
    'Trigger: a port on a cable cannot be deleted or change kind; the error names the port, its device and the cable. A change of kind is made only under READ COMMITTED (else 25000).';
REVOKE EXECUTE ON FUNCTION mountaineer.port_check_cabled() FROM PUBLIC;
DROP TRIGGER check_cabled_kind ON mountaineer.port;
CREATE TRIGGER check_cabled_kind AFTER UPDATE OF kind ON mountaineer.port
    FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION mountaineer.port_check_cabled();

CREATE OR REPLACE FUNCTION mountaineer.device_check_cabled() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n     bigint;
    first record;
BEGIN
    SELECT count(*) INTO n
      FROM mountaineer.port p JOIN mountaineer.cable_end e ON e.port_id = p.id
     WHERE p.device_id = OLD.id;
    IF n > 0 THEN
        SELECT p.name, mountaineer.cable_name(c) AS cable INTO first
          FROM mountaineer.port p
          JOIN mountaineer.cable_end e ON e.port_id = p.id
          JOIN mountaineer.cable c ON c.id = e.cable_id
         WHERE p.device_id = OLD.id
         ORDER BY p.name LIMIT 1;
        RAISE EXCEPTION 'device % cannot be deleted: % of its ports are cabled (port % is on cable %)',
            mountaineer.excerpt(OLD.name), n, mountaineer.excerpt(first.name), mountaineer.excerpt(first.cable)
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Delete its cables, or their ends on this device, first.';
    END IF;
    RETURN OLD;
END
$$;
COMMENT ON FUNCTION mountaineer.device_check_cabled() IS
    'Trigger: a device with a port on a cable cannot be deleted; the error names one such port and its cable.';
REVOKE EXECUTE ON FUNCTION mountaineer.device_check_cabled() FROM PUBLIC;

-- The graph functions follow connected cables only, unless include_planned.
-- (A new argument is a new signature: drop and create, with the grants.)
DROP FUNCTION mountaineer.cable_path(uuid);
DROP FUNCTION mountaineer.topology_dot(uuid);
DROP FUNCTION mountaineer.cable_trace(uuid);
DROP FUNCTION mountaineer.power_trace(uuid);
DROP FUNCTION mountaineer.impact(uuid);
CREATE FUNCTION mountaineer.cable_trace(port_id uuid, include_planned boolean DEFAULT false)
    RETURNS TABLE (branch int, hop int, near_port uuid, cable_id uuid, far_port uuid,
                   near_device uuid, far_device uuid, outcome text)
    AS '$libdir/mountaineer', 'mountaineer_cable_trace'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.cable_trace(uuid, boolean) IS
    'Follows the cable on a port through patch panels (front to rear carrying the position, rear to the front at that position) to the far endpoint. One row per cable crossed, per branch (a rear port reached with no position and several front ports splits; a breakout cable fans out). outcome on the last hop of a branch: complete, open or loop; split on a hop whose far rear port split. Follows connected cables only (a port on a planned or decommissioning cable counts as unconnected), unless include_planned: then every cable. No rows for an unconnected port; P0002 for an unknown one.';

CREATE FUNCTION mountaineer.power_trace(port_id uuid, include_planned boolean DEFAULT false)
    RETURNS TABLE (branch int, hop int, near_port uuid, cable_id uuid, far_port uuid,
                   near_device uuid, far_device uuid, outcome text)
    AS '$libdir/mountaineer', 'mountaineer_power_trace'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.power_trace(uuid, boolean) IS
    'Follows power upstream from a device''s power_port: to the outlet it is plugged into, on through each power_port of that outlet''s device (a PDU; one branch per inlet), until a power_feed (complete) or an unconnected inlet (open). Connected cables only, unless include_planned. Same columns as cable_trace; P0002 for an unknown port, 22023 for a port that is not a power_port.';

CREATE FUNCTION mountaineer.impact(device_id uuid, include_planned boolean DEFAULT false)
    RETURNS TABLE (device_id uuid, depth int, via_port uuid)
    AS '$libdir/mountaineer', 'mountaineer_impact'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.impact(uuid, boolean) IS
    'Every device that goes down with the given one, each once at its smallest depth: a device all of whose connected power ports are fed by failed devices, or all of whose traced interfaces lead through or to failed devices; transitively. via_port is the dependent''s port that lost its last supply or path. Only connected cables supply or lead anywhere (a server with psu1 connected and psu2 planned depends on psu1''s PDU), unless include_planned: then every cable, as if all were connected. P0002 for an unknown device.';

CREATE FUNCTION mountaineer.cable_path(port_id uuid, include_planned boolean DEFAULT false) RETURNS jsonb
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH t AS MATERIALIZED (
        SELECT * FROM mountaineer.cable_trace($1, $2)
    ), b AS (
        SELECT t.branch,
               jsonb_agg(jsonb_build_object(
                   'hop', t.hop,
                   'from', mountaineer.port_doc(t.near_port),
                   'cable', jsonb_build_object('id', c.id, 'label', c.label, 'type', c.type, 'status', c.status),
                   'to', mountaineer.port_doc(t.far_port)) ORDER BY t.hop) AS hops,
               (array_agg(t.outcome ORDER BY t.hop DESC))[1] AS outcome,
               (array_agg(t.far_port ORDER BY t.hop DESC))[1] AS dest
        FROM t JOIN mountaineer.cable c ON c.id = t.cable_id
        GROUP BY t.branch
    )
    SELECT jsonb_build_object(
        'origin', mountaineer.port_doc($1),
        'status', CASE
                      WHEN NOT EXISTS (SELECT FROM t) THEN 'open'
                      WHEN EXISTS (SELECT FROM t WHERE outcome = 'loop') THEN 'loop'
                      WHEN EXISTS (SELECT FROM t WHERE outcome = 'split') THEN 'split'
                      WHEN EXISTS (SELECT FROM t WHERE outcome = 'open') THEN 'open'
                      ELSE 'complete'
                  END,
        'destinations', coalesce((SELECT jsonb_agg(mountaineer.port_doc(b.dest) ORDER BY b.branch)
                                  FILTER (WHERE b.outcome = 'complete') FROM b), '[]'),
        'branches', coalesce((SELECT jsonb_agg(jsonb_build_object('branch', b.branch, 'outcome', b.outcome,
                                                                  'hops', b.hops) ORDER BY b.branch)
                              FROM b), '[]'))
$$;
COMMENT ON FUNCTION mountaineer.cable_path(uuid, boolean) IS
    'cable_trace as one document: origin, status (complete; open: a branch ends at an unconnected port or half-connected cable, or the origin is unconnected; split: a rear port fanned out to several front ports; loop), destinations (the endpoints of complete branches) and every branch with its hops (each cable with its status). Connected cables only, unless include_planned. P0002 for an unknown port.';

CREATE FUNCTION mountaineer.topology_dot(site_id uuid, include_planned boolean DEFAULT false) RETURNS text
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
    WITH here AS (
        SELECT d.id FROM mountaineer.device d JOIN mountaineer.rack r ON r.id = d.rack_id WHERE r.site_id = $1
    ), edge AS (
        -- every pair of ends on opposite sides of a cable touching the site
        SELECT c.id AS cable_id, coalesce(c.label, c.slug) AS cable, c.type, c.status,
               pa.device_id AS a_dev, pa.name AS a_port, pb.device_id AS b_dev, pb.name AS b_port
        FROM mountaineer.cable c
        JOIN mountaineer.cable_end ea ON ea.cable_id = c.id AND ea.side = 'a'
        JOIN mountaineer.cable_end eb ON eb.cable_id = c.id AND eb.side = 'b'
        JOIN mountaineer.port pa ON pa.id = ea.port_id
        JOIN mountaineer.port pb ON pb.id = eb.port_id
        WHERE (c.status = 'connected' OR $2)
          AND c.id IN (SELECT e.cable_id FROM mountaineer.cable_end e
                       JOIN mountaineer.port p ON p.id = e.port_id
                       WHERE p.device_id IN (SELECT id FROM here))
    ), node AS (
        SELECT DISTINCT d.id, d.name, d.kind, d.slug FROM mountaineer.device d
        WHERE d.id IN (SELECT a_dev FROM edge UNION SELECT b_dev FROM edge)
    )
    SELECT coalesce((SELECT string_agg(format('  %s [label=%s, shape=%s];', mountaineer.dot_id(n.slug),
                                              mountaineer.dot_id(n.name || E'\n' || n.kind),
                                              CASE n.kind WHEN 'patch_panel' THEN 'cds'
                                                          WHEN 'pdu' THEN 'hexagon'
                                                          WHEN 'power_panel' THEN 'doubleoctagon'
                                                          WHEN 'network' THEN 'component'
                                                          ELSE 'box' END),
                                       E'\n' ORDER BY n.name, n.id) || E'\n' FROM node n), '')
        || coalesce((SELECT string_agg(format('  %s -- %s [label=%s, taillabel=%s, headlabel=%s%s];',
                                              mountaineer.dot_id(mountaineer.slug(e.a_dev)),
                                              mountaineer.dot_id(mountaineer.slug(e.b_dev)),
                                              mountaineer.dot_id(e.cable || coalesce(' (' || e.type || ')', '')),
                                              mountaineer.dot_id(e.a_port), mountaineer.dot_id(e.b_port),
                                              CASE e.status WHEN 'connected' THEN '' ELSE ', style=dashed' END),
                                       E'\n' ORDER BY e.cable, e.cable_id, e.a_port, e.b_port) || E'\n' FROM edge e), '')
      INTO body;
    RETURN format(E'graph %s {\n  graph [label=%s, rankdir=LR];\n  node [fontname="Helvetica"];\n  edge [fontname="Helvetica", fontsize=9];\n%s}\n',
                  mountaineer.dot_id('site ' || site_name), mountaineer.dot_id(site_name), body);
END
$$;
COMMENT ON FUNCTION mountaineer.topology_dot(uuid, boolean) IS
    'The site''s cabled devices as a Graphviz DOT graph: a node per device (shape by kind), an edge per cable (label and type; port names at its ends), every connected cable with an end on a device racked at the site; with include_planned also its planned and decommissioning cables, dashed. psql -Atc "SELECT mountaineer.topology_dot(…)" | dot -Tsvg > site.svg. P0002 for an unknown site.';

GRANT EXECUTE ON FUNCTION mountaineer.cable_trace(uuid, boolean), mountaineer.power_trace(uuid, boolean),
    mountaineer.impact(uuid, boolean), mountaineer.cable_path(uuid, boolean), mountaineer.topology_dot(uuid, boolean)
    TO mountaineer_reader;
