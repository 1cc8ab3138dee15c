-- mountaineer_hardware 1.6: sites, racks, devices, rack placement, ports (1.4:
-- rack_elevation_svg, media-type domains for PostgREST, the view
-- device_summary for BI tools, column comments; 1.5: device types with port
-- templates, regions, locations, site, rack and device status, tags and
-- attributes, power feeds and the power roll-up, circuits; 1.6: site groups,
-- rack and device roles, platforms, a rack's starting unit, an outlet's power
-- port and feed leg, tenants; 1.7: a cable end checked without naming its
-- ports unless it is refused).
-- Every row trigger that fires on INSERT carries WHEN (NOT
-- mountaineer.restoring(its table)): it stands aside while pg_restore, or psql
-- running a pg_dump script, restores that table (src/restore.c).
\echo Use "CREATE EXTENSION mountaineer_hardware CASCADE" to load this file. \quit

--------------------------------------------------------------------------
-- Kinds
--------------------------------------------------------------------------
CREATE TYPE mountaineer.rack_attachment AS ENUM ('square_hole', 'round_hole', 'threaded');
COMMENT ON TYPE mountaineer.rack_attachment IS
    'How equipment attaches to a rack''s posts: square holes (cage nuts), round holes, or threaded holes.';

CREATE TYPE mountaineer.rack_fastener AS ENUM ('m5', 'm6', '10-32', '12-24');
COMMENT ON TYPE mountaineer.rack_fastener IS 'The screws a rack takes.';

CREATE TYPE mountaineer.device_kind AS ENUM
    ('server', 'pdu', 'network', 'patch_panel', 'power_panel', 'other');
COMMENT ON TYPE mountaineer.device_kind IS 'What a device is; server, pdu and network have a one-to-one detail table.';

CREATE TYPE mountaineer.network_speed AS ENUM
    ('100m', '1g', '10g', '25g', '40g', '50g', '100g', '200g', '400g', '800g');
COMMENT ON TYPE mountaineer.network_speed IS 'Port speed of a network device.';

CREATE TYPE mountaineer.network_interconnect AS ENUM
    ('rj45', 'sfp', 'sfp_plus', 'sfp28', 'qsfp_plus', 'qsfp28', 'qsfp_dd', 'osfp');
COMMENT ON TYPE mountaineer.network_interconnect IS 'Connector of a network device''s ports.';

-- circuit_termination came with 1.5 (the upgrade script adds it last, with
-- ALTER TYPE ... ADD VALUE; here it is made with the type, so that a
-- restore in one transaction, which creates the extension and then copies
-- the ports, may use it)
CREATE TYPE mountaineer.port_kind AS ENUM
    ('interface', 'console', 'console_server', 'power_port', 'power_outlet',
     'front_port', 'rear_port', 'power_feed', 'circuit_termination');
COMMENT ON TYPE mountaineer.port_kind IS
    'interface: a data port; console / console_server: serial console and its server side; power_port: a device''s power inlet; power_outlet: a PDU''s outlet; front_port / rear_port: patch-panel pass-through; power_feed: a circuit from a power panel; circuit_termination (1.5): the A or Z end of a provider''s circuit, the port of a circuit_termination row (on no device).';

-- == media types (1.4) ==
-- Domains named after a media type: PostgREST 12 serves the result of a
-- function returning one with that Content-Type (its "media type
-- handlers"), when the request accepts it.  In SQL they are text.
CREATE DOMAIN mountaineer."image/svg+xml" AS text;
COMMENT ON DOMAIN mountaineer."image/svg+xml" IS
    'An SVG document (text). Named after its media type, so that PostgREST serves a function returning it with Content-Type: image/svg+xml (request it with Accept: image/svg+xml).';
CREATE DOMAIN mountaineer."text/plain" AS text;
COMMENT ON DOMAIN mountaineer."text/plain" IS
    'Plain text. Named after its media type, so that PostgREST serves a function returning it with Content-Type: text/plain (request it with Accept: text/plain).';

--------------------------------------------------------------------------
-- Sites and racks
--
-- Every name is a name (mountaineer.is_valid_name: 1..100 characters, no
-- leading or trailing white space, no control characters) and every number
-- has a range that NaN and Infinity fall outside; each CHECK is named
-- <table>_<column>_check, so its 23514 error names the column.
--
-- Row locks.  The checks that read another row lock it first, on purpose
-- (device_check_position, rack_check_units, port_check_mapping), and hold
-- under READ COMMITTED and SERIALIZABLE (README: Concurrent writers).  No
-- lock is taken by accident: with a BEFORE UPDATE row trigger on a table,
-- PostgreSQL counts its generated slug, which is under a UNIQUE index, as
-- updated by every UPDATE and takes the key-exclusive row lock, which waits
-- for and blocks every foreign-key check against the row; so the only such
-- trigger here is device's, which must write NEW.  Likewise rack names are
-- unique through a partial unique index, not a UNIQUE constraint: a column
-- of a non-partial unique index is a key column, and a rename would block
-- every device insert into the rack until commit.
--------------------------------------------------------------------------
CREATE TABLE mountaineer.site (
    id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug      text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name      text NOT NULL UNIQUE CONSTRAINT site_name_check CHECK (mountaineer.is_valid_name(name)),
    vendor    text CONSTRAINT site_vendor_check CHECK (mountaineer.is_valid_name(vendor)),
    address   text CONSTRAINT site_address_check CHECK (char_length(address) <= 1000 AND address ~ '[^[:space:]]' AND replace(address, E'\n', ' ') !~ '[[:cntrl:]]'),
    noc_phone text CONSTRAINT site_noc_phone_check
                   CHECK (char_length(noc_phone) <= 40 AND noc_phone ~ '^\+?[0-9(][-0-9 ()./]*[0-9]( ?(x|ext\.?) ?[0-9]+)?$'),
    noc_email text CONSTRAINT site_noc_email_check
                   CHECK (char_length(noc_email) <= 254 AND noc_email ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+$'),
    noc_url   text CONSTRAINT site_noc_url_check
                   CHECK (char_length(noc_url) <= 2000 AND noc_url ~* '^https?://[^[:space:][:cntrl:]]+$')
);
COMMENT ON TABLE mountaineer.site IS 'A datacenter or other place that holds racks.';
COMMENT ON COLUMN mountaineer.site.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.site.name IS 'Unique; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.site.vendor IS 'Colocation provider, if any; a name.';
COMMENT ON COLUMN mountaineer.site.address IS 'Postal address, lines separated by newlines; at most 1000 characters, not blank, no other control characters.';
COMMENT ON COLUMN mountaineer.site.noc_phone IS 'Network operations centre phone: digits, spaces and ( ) . / -, an optional leading + and extension (x12, ext. 12); at most 40 characters.';
COMMENT ON COLUMN mountaineer.site.noc_email IS 'Network operations centre e-mail: one @, no white space; at most 254 characters.';
COMMENT ON COLUMN mountaineer.site.noc_url IS 'Network operations centre web page or ticket portal: http(s)://, no white space; at most 2000 characters.';
SELECT mountaineer.manage_table('mountaineer.site');

CREATE TABLE mountaineer.rack (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug       text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    site_id    uuid NOT NULL REFERENCES mountaineer.site ON DELETE RESTRICT,
    name       text NOT NULL CONSTRAINT rack_name_check CHECK (mountaineer.is_valid_name(name)),
    units      int  NOT NULL DEFAULT 42 CHECK (units BETWEEN 1 AND 100),
    posts      int  CHECK (posts IN (2, 4)),
    depth_in   numeric CONSTRAINT rack_depth_in_check CHECK (depth_in > 0 AND depth_in <= 100),
    width_in   numeric CONSTRAINT rack_width_in_check CHECK (width_in > 0 AND width_in <= 50),
    attachment mountaineer.rack_attachment,
    fasteners  mountaineer.rack_fastener,
    descending boolean NOT NULL DEFAULT false,
    -- the target of device's (rack_id, site_id) foreign key
    CONSTRAINT rack_id_site_id_key UNIQUE (id, site_id)
);
CREATE INDEX rack_site_idx ON mountaineer.rack (site_id);
-- rack names are unique within a site; partial (name is never NULL) so that
-- name is not a key column and a rename does not block device inserts
CREATE UNIQUE INDEX rack_site_id_name_key ON mountaineer.rack (site_id, name) WHERE name IS NOT NULL;
COMMENT ON INDEX mountaineer.rack_site_id_name_key IS
    'Rack names are unique within a site. A partial index, not a UNIQUE constraint, so that renaming a rack takes the non-key row lock and does not block device inserts into it; ON CONFLICT (site_id, name) needs WHERE name IS NOT NULL.';
COMMENT ON TABLE mountaineer.rack IS 'A rack (cabinet) at a site.';
COMMENT ON COLUMN mountaineer.rack.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.rack.name IS 'Unique within its site; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.rack.units IS 'Height in rack units (U), 1..100; units are numbered from 1 at the bottom.';
COMMENT ON COLUMN mountaineer.rack.posts IS 'Two-post or four-post.';
COMMENT ON COLUMN mountaineer.rack.depth_in IS 'Usable depth in inches, more than 0 and at most 100.';
COMMENT ON COLUMN mountaineer.rack.width_in IS 'Rail width in inches (19 or 23), more than 0 and at most 50.';
COMMENT ON COLUMN mountaineer.rack.descending IS 'Display only: the rack''s labels run top-down (U1 at the top).';
SELECT mountaineer.manage_table('mountaineer.rack');

--------------------------------------------------------------------------
-- Devices and their kinds
--------------------------------------------------------------------------
CREATE TABLE mountaineer.device (
    id           uuid CONSTRAINT device_pkey PRIMARY KEY DEFAULT gen_random_uuid(),   -- src/cable.c opens device_pkey
    slug         text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    kind         mountaineer.device_kind NOT NULL,
    name         text NOT NULL CONSTRAINT device_name_check CHECK (mountaineer.is_valid_name(name)),
    manufacturer text CONSTRAINT device_manufacturer_check CHECK (mountaineer.is_valid_name(manufacturer)),
    model        text CONSTRAINT device_model_check CHECK (mountaineer.is_valid_name(model)),
    serial       text CONSTRAINT device_serial_check CHECK (mountaineer.is_valid_name(serial)),
    asset_id     text CONSTRAINT device_asset_id_check CHECK (mountaineer.is_valid_name(asset_id)),
    asset_tag    text CONSTRAINT device_asset_tag_check CHECK (mountaineer.is_valid_name(asset_tag)),
    units        int NOT NULL DEFAULT 1 CHECK (units BETWEEN 0 AND 100),
    draw_watts   numeric CONSTRAINT device_draw_watts_check CHECK (draw_watts BETWEEN 0 AND 100000),
    -- its rack is checked by the (rack_id, site_id) key below (MATCH FULL):
    -- one relationship between device and rack, so that the REST API
    -- embeds one in the other without a hint (1.4)
    rack_id      uuid,
    position     mountaineer.rackspan,
    -- derived: its rack's site (device_check_position sets it), so that a
    -- unique index can say that names are unique within a site
    site_id      uuid,
    UNIQUE (manufacturer, model, serial),
    UNIQUE (id, kind),                      -- target of the kind tables' foreign keys
    CHECK (position IS NULL OR rack_id IS NOT NULL),
    -- checked at the end of each statement, so one UPDATE can swap two devices
    CONSTRAINT device_rack_id_position_excl
        EXCLUDE USING gist (rack_id WITH =, position WITH &&) DEFERRABLE INITIALLY IMMEDIATE,
    -- site_id is set exactly when rack_id is, to the rack's site; a rack
    -- that moves to another site takes its devices' site_id along
    CONSTRAINT device_rack_id_site_id_fkey FOREIGN KEY (rack_id, site_id)
        REFERENCES mountaineer.rack (id, site_id) MATCH FULL ON UPDATE CASCADE ON DELETE RESTRICT
);
CREATE INDEX device_rack_idx ON mountaineer.device (rack_id);
CREATE INDEX device_name_idx ON mountaineer.device (name);
-- the devices racked at one site have distinct names
CREATE UNIQUE INDEX device_site_id_name_key ON mountaineer.device (site_id, name) WHERE site_id IS NOT NULL;
COMMENT ON INDEX mountaineer.device_site_id_name_key IS
    'The devices racked at one site have distinct names (unracked devices are at no site). ON CONFLICT (site_id, name) needs WHERE site_id IS NOT NULL.';
COMMENT ON TABLE mountaineer.device IS
    'A piece of hardware: server, PDU, network device, patch panel, power panel or other. Two devices in one rack cannot occupy the same units on colliding faces; the devices racked at one site have distinct names.';
COMMENT ON COLUMN mountaineer.device.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.device.name IS 'Unique among the devices racked at its site; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.device.units IS 'Height in U; 0 for zero-U devices such as vertical PDUs.';
COMMENT ON COLUMN mountaineer.device.draw_watts IS 'Expected power draw in watts, 0..100000.';
COMMENT ON COLUMN mountaineer.device.rack_id IS 'The rack it is in, if any. Setting it to NULL unracks the device: its position is cleared with it.';
COMMENT ON COLUMN mountaineer.device.position IS
    'Units and face it occupies, e.g. U10-U11/full; required in a rack unless zero-U, its height equals units and it fits the rack.';
COMMENT ON COLUMN mountaineer.device.site_id IS
    'Derived, not written: the site of its rack (NULL when unracked), kept by the trigger check_position and, when the rack moves, by the foreign key. Writing another value is refused.';
SELECT mountaineer.manage_table('mountaineer.device');

-- Placement rules that need the rack's height: a CHECK cannot read another
-- table, so a trigger says them, naming rack, device and units.  It also
-- sets site_id from the rack and clears the position of a device being
-- unracked.  Race with a rack shrinking (rack_check_units): this trigger
-- takes FOR KEY SHARE on the rack row, then reads the rack in a statement
-- of its own, so under READ COMMITTED it sees any shrink that committed
-- while it waited; a shrink in progress holds FOR UPDATE on the rack, which
-- this waits for, and a shrink that starts later waits for this transaction.
-- FOR KEY SHARE (what the foreign key takes anyway), not FOR SHARE: a rename
-- or any other update of the rack that leaves its units alone must not wait
-- for, nor block, device inserts.  Lock order: the rack, then the device.
-- This is the one BEFORE UPDATE trigger of the module (it writes NEW): so an
-- UPDATE of a device takes the key-exclusive lock on it (see above), and a
-- port, host or detail row inserted for that device waits for it to commit.
CREATE FUNCTION mountaineer.device_check_position() RETURNS trigger
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
CREATE TRIGGER check_position BEFORE INSERT OR UPDATE OF rack_id, position, units, site_id ON mountaineer.device
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.device')) EXECUTE FUNCTION mountaineer.device_check_position();

-- Shrinking a rack must not strand devices above its new top.  An AFTER
-- trigger (see the top of this section: a BEFORE UPDATE trigger would make
-- every update of a rack block device inserts).  Race with a device placed
-- in the rack (device_check_position, which holds FOR KEY SHARE on the rack
-- until commit): this takes FOR UPDATE on the rack row, which waits for
-- every such transaction and keeps new ones waiting until this one ends,
-- then reads the devices in a statement of its own, which sees what those
-- transactions committed.  Lock order: the rack (its UPDATE, then FOR
-- UPDATE), then the devices, read without locks.  Two transactions that
-- each place a device in a rack and then shrink it deadlock (one is
-- refused with 40P01); shrink first, or take FOR UPDATE on the rack first.
CREATE FUNCTION mountaineer.rack_check_units() RETURNS trigger
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
CREATE TRIGGER check_units AFTER UPDATE OF units ON mountaineer.rack
    FOR EACH ROW WHEN (NEW.units < OLD.units) EXECUTE FUNCTION mountaineer.rack_check_units();

-- One-to-one detail tables: the (id, kind) foreign key makes a server row
-- possible only for a device whose kind is server, and so on.
CREATE TABLE mountaineer.server (
    id         uuid PRIMARY KEY,
    slug       text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    kind       mountaineer.device_kind NOT NULL DEFAULT 'server' CHECK (kind = 'server'),
    memory_mib int CONSTRAINT server_memory_mib_check CHECK (memory_mib BETWEEN 1 AND 67108864),
    cores      int CONSTRAINT server_cores_check CHECK (cores BETWEEN 1 AND 65536),
    FOREIGN KEY (id, kind) REFERENCES mountaineer.device (id, kind) ON DELETE CASCADE
);
COMMENT ON TABLE mountaineer.server IS 'Server details of a device of kind server.';
COMMENT ON COLUMN mountaineer.server.id IS 'The device''s id.';
COMMENT ON COLUMN mountaineer.server.kind IS 'Always server; ties the row to a device of that kind.';
COMMENT ON COLUMN mountaineer.server.memory_mib IS 'Memory in MiB, 1..67108864 (64 TiB).';
COMMENT ON COLUMN mountaineer.server.cores IS 'CPU cores, 1..65536.';
SELECT mountaineer.manage_table('mountaineer.server');

CREATE TABLE mountaineer.pdu (
    id    uuid PRIMARY KEY,
    slug  text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    kind  mountaineer.device_kind NOT NULL DEFAULT 'pdu' CHECK (kind = 'pdu'),
    volts numeric CONSTRAINT pdu_volts_check CHECK (volts > 0 AND volts <= 1000),
    amps  numeric CONSTRAINT pdu_amps_check CHECK (amps > 0 AND amps <= 1000),
    watts numeric GENERATED ALWAYS AS (volts * amps) STORED,
    FOREIGN KEY (id, kind) REFERENCES mountaineer.device (id, kind) ON DELETE CASCADE
);
COMMENT ON TABLE mountaineer.pdu IS 'Power distribution unit details of a device of kind pdu.';
COMMENT ON COLUMN mountaineer.pdu.id IS 'The device''s id.';
COMMENT ON COLUMN mountaineer.pdu.kind IS 'Always pdu; ties the row to a device of that kind.';
COMMENT ON COLUMN mountaineer.pdu.volts IS 'Supply voltage, more than 0 and at most 1000.';
COMMENT ON COLUMN mountaineer.pdu.amps IS 'Rated current, more than 0 and at most 1000.';
COMMENT ON COLUMN mountaineer.pdu.watts IS 'Capacity: volts × amps.';
SELECT mountaineer.manage_table('mountaineer.pdu');

CREATE TABLE mountaineer.network_device (
    id           uuid PRIMARY KEY,
    slug         text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    kind         mountaineer.device_kind NOT NULL DEFAULT 'network' CHECK (kind = 'network'),
    speed        mountaineer.network_speed,
    interconnect mountaineer.network_interconnect,
    FOREIGN KEY (id, kind) REFERENCES mountaineer.device (id, kind) ON DELETE CASCADE
);
COMMENT ON TABLE mountaineer.network_device IS 'Switch or router details of a device of kind network.';
COMMENT ON COLUMN mountaineer.network_device.id IS 'The device''s id.';
COMMENT ON COLUMN mountaineer.network_device.kind IS 'Always network; ties the row to a device of that kind.';
SELECT mountaineer.manage_table('mountaineer.network_device');

--------------------------------------------------------------------------
-- Ports
--------------------------------------------------------------------------
CREATE TABLE mountaineer.port (
    id                 uuid CONSTRAINT port_pkey PRIMARY KEY DEFAULT gen_random_uuid(),   -- src/cable.c opens port_pkey
    slug               text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    device_id          uuid NOT NULL REFERENCES mountaineer.device ON DELETE CASCADE,
    name               text NOT NULL CONSTRAINT port_name_check CHECK (mountaineer.is_valid_name(name)),
    kind               mountaineer.port_kind NOT NULL,
    positions          int NOT NULL DEFAULT 1 CHECK (positions BETWEEN 1 AND 1024),
    rear_port_id       uuid REFERENCES mountaineer.port ON DELETE RESTRICT,
    rear_port_position int CONSTRAINT port_rear_port_position_check CHECK (rear_port_position BETWEEN 1 AND 1024),
    UNIQUE (device_id, name),
    -- src/cable.c opens this index by name, to find the front port at a rear position
    CONSTRAINT port_rear_port_id_rear_port_position_key UNIQUE (rear_port_id, rear_port_position),
    CONSTRAINT port_positions_rear_only CHECK (kind = 'rear_port' OR positions = 1),
    CONSTRAINT port_front_maps_rear CHECK ((kind = 'front_port') = (rear_port_id IS NOT NULL)),
    CONSTRAINT port_rear_position_given CHECK ((rear_port_id IS NULL) = (rear_port_position IS NULL))
);
CREATE INDEX port_device_idx ON mountaineer.port (device_id);
COMMENT ON TABLE mountaineer.port IS
    'A port of a device: data interface, console, power inlet or outlet, power feed, or a patch panel''s front or rear port.';
COMMENT ON COLUMN mountaineer.port.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.port.name IS 'Unique per device; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.port.positions IS 'Rear ports: how many front ports it can carry (a trunk''s strands); 1 for every other port.';
COMMENT ON COLUMN mountaineer.port.rear_port_id IS 'Front ports: the rear port of the same device it passes through.';
COMMENT ON COLUMN mountaineer.port.rear_port_position IS 'Front ports: which position (1..positions) of that rear port; each position is mapped at most once.';
SELECT mountaineer.manage_table('mountaineer.port');

-- A front port maps to an existing position of a rear port of its own
-- device; a rear port that carries front ports keeps its kind and device
-- and does not shrink below them.  An AFTER trigger: it sees the whole
-- statement's rows (a statement may remap front ports and shrink their
-- rear port at once) and does not add a BEFORE UPDATE trigger to port.
-- Race between a front port being mapped and its rear port changing: the
-- front port's side takes FOR KEY SHARE on the rear port (as the foreign
-- key does) and then reads it in a statement of its own; the rear port's
-- side takes FOR UPDATE on itself, which waits for every transaction
-- mapping a front port onto it and keeps new ones waiting, and then counts
-- the front ports in a statement of its own.  Lock order: the rear port,
-- then the front ports.
CREATE FUNCTION mountaineer.port_check_mapping() RETURNS trigger
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
CREATE TRIGGER check_mapping AFTER INSERT OR UPDATE OF device_id, kind, positions, rear_port_id, rear_port_position ON mountaineer.port
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.port')) EXECUTE FUNCTION mountaineer.port_check_mapping();

-- Deleting a site, rack or device that other rows still need is refused,
-- naming them (this also covers modules' foreign keys, e.g. hosts on a device).
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.site
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.rack
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.device
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

--------------------------------------------------------------------------
-- Views
--------------------------------------------------------------------------
CREATE VIEW mountaineer.rack_device AS
SELECT r.id AS rack_id, r.name AS rack, s.name AS site,
       d.id AS device_id, d.name AS device, d.kind,
       d.position, mountaineer.lower(d.position) AS first_unit, mountaineer.upper(d.position) AS last_unit,
       mountaineer.face(d.position) AS face, d.units
FROM mountaineer.rack r
JOIN mountaineer.site s ON s.id = r.site_id
JOIN mountaineer.device d ON d.rack_id = r.id
ORDER BY s.name, r.name, mountaineer.lower(d.position) NULLS LAST, d.position, d.name;
COMMENT ON VIEW mountaineer.rack_device IS
    'Devices in each rack in unit order, with position and face; zero-U devices last.';

CREATE VIEW mountaineer.rack_power AS
SELECT r.id AS rack_id, r.name AS rack, s.name AS site,
       coalesce(sum(p.watts), 0) AS capacity_watts,
       coalesce(sum(d.draw_watts), 0) AS allocated_watts,
       coalesce(sum(p.watts), 0) - coalesce(sum(d.draw_watts), 0) AS unallocated_watts
FROM mountaineer.rack r
JOIN mountaineer.site s ON s.id = r.site_id
LEFT JOIN mountaineer.device d ON d.rack_id = r.id
LEFT JOIN mountaineer.pdu p ON p.id = d.id
GROUP BY r.id, r.name, s.name;
COMMENT ON VIEW mountaineer.rack_power IS
    'Per rack: capacity (Σ watts of its PDUs), allocated (Σ draw of its devices) and what is left.';

CREATE VIEW mountaineer.rack_utilization AS
SELECT r.id AS rack_id, r.name AS rack, s.name AS site, r.units,
       u.used AS used_units, r.units - u.used AS free_units,
       round(100.0 * u.used / r.units, 1) AS percent
FROM mountaineer.rack r
JOIN mountaineer.site s ON s.id = r.site_id
CROSS JOIN LATERAL (
    SELECT count(DISTINCT g)::int AS used
    FROM mountaineer.device d,
         generate_series(mountaineer.lower(d.position), mountaineer.upper(d.position)) g
    WHERE d.rack_id = r.id
) u;
COMMENT ON VIEW mountaineer.rack_utilization IS
    'Per rack: units, units used (on either face), units free, and percent used.';

GRANT SELECT ON mountaineer.rack_device, mountaineer.rack_power, mountaineer.rack_utilization
    TO mountaineer_reader;

--------------------------------------------------------------------------
-- Functions
--------------------------------------------------------------------------
CREATE FUNCTION mountaineer.rack_units_of(rack_id uuid) RETURNS int
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n int;
BEGIN
    SELECT units INTO n FROM mountaineer.rack WHERE id = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no rack with id %', $1 USING ERRCODE = 'no_data_found';
    END IF;
    RETURN n;
END
$$;
COMMENT ON FUNCTION mountaineer.rack_units_of(uuid) IS 'A rack''s height in U; P0002 when there is no such rack.';

CREATE FUNCTION mountaineer.rack_first_fit(rack_id uuid, height int, face text DEFAULT 'full')
    RETURNS mountaineer.rackspan
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT mountaineer.rackspan_first_fit(
               coalesce((SELECT array_agg(d.position) FROM mountaineer.device d
                         WHERE d.rack_id = $1 AND d.position IS NOT NULL), '{}'),
               mountaineer.rack_units_of($1), $2, $3)
$$;
COMMENT ON FUNCTION mountaineer.rack_first_fit(uuid, int, text) IS
    'The lowest free position of that height and face in the rack, NULL when none fits.';

CREATE FUNCTION mountaineer.rack_free(rack_id uuid, face text DEFAULT 'full')
    RETURNS SETOF mountaineer.rackspan
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT mountaineer.rackspan_free(
               coalesce((SELECT array_agg(d.position) FROM mountaineer.device d
                         WHERE d.rack_id = $1 AND d.position IS NOT NULL), '{}'),
               mountaineer.rack_units_of($1), $2)
$$;
COMMENT ON FUNCTION mountaineer.rack_free(uuid, text) IS
    'The maximal free runs of units in the rack for a device of that face, lowest first.';

CREATE FUNCTION mountaineer.rack_elevation(rack_id uuid)
    RETURNS TABLE (unit int, label int, front text, rear text)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT mountaineer.rack_units_of($1);   -- P0002 for an unknown rack
    SELECT g.u,
           CASE WHEN r.descending THEN r.units + 1 - g.u ELSE g.u END,
           max(d.name) FILTER (WHERE mountaineer.face(d.position) IN ('front', 'full')),
           max(d.name) FILTER (WHERE mountaineer.face(d.position) IN ('rear', 'full'))
    FROM mountaineer.rack r
    CROSS JOIN LATERAL generate_series(1, mountaineer.rack_units_of($1)) g(u)
    LEFT JOIN mountaineer.device d
           ON d.rack_id = r.id AND d.position OPERATOR(mountaineer.@>) g.u
    WHERE r.id = $1
    GROUP BY g.u, r.units, r.descending
    ORDER BY g.u DESC
$$;
COMMENT ON FUNCTION mountaineer.rack_elevation(uuid) IS
    'The rack as drawn, top unit first: one row per unit (1 = bottom) with the label on its rail (counted top-down when the rack is descending) and the device at its front and at its rear (a full-depth device shows on both); P0002 when there is no such rack.';

--------------------------------------------------------------------------
-- Cables
--------------------------------------------------------------------------
CREATE TYPE mountaineer.cable_status AS ENUM ('planned', 'connected', 'decommissioning');
COMMENT ON TYPE mountaineer.cable_status IS
    'planned: not yet laid; connected: in service (must have an end on both sides); decommissioning: to be removed.';

CREATE TYPE mountaineer.cable_side AS ENUM ('a', 'b');
COMMENT ON TYPE mountaineer.cable_side IS 'The two sides of a cable; a breakout cable has several ends on one side.';

CREATE TYPE mountaineer.length_unit AS ENUM ('mm', 'cm', 'm', 'km', 'in', 'ft');
COMMENT ON TYPE mountaineer.length_unit IS 'Unit of a cable''s length.';

-- src/cable.c reads a cable's status by its primary key (found by its column).
CREATE TABLE mountaineer.cable (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    label       text CONSTRAINT cable_label_check CHECK (mountaineer.is_valid_name(label)),
    type        text CONSTRAINT cable_type_check CHECK (mountaineer.is_valid_name(type)),
    status      mountaineer.cable_status NOT NULL DEFAULT 'connected',
    color       text CONSTRAINT cable_color_check CHECK (mountaineer.is_valid_name(color)),
    length      numeric CONSTRAINT cable_length_check CHECK (length > 0 AND length <= 1000000),
    length_unit mountaineer.length_unit,
    CONSTRAINT cable_length_unit CHECK ((length IS NULL) = (length_unit IS NULL))
);
CREATE INDEX cable_label_idx ON mountaineer.cable (label);
COMMENT ON TABLE mountaineer.cable IS
    'A physical cable between ports; its ends are in cable_end. A connected cable has at least one end on each side.';
COMMENT ON COLUMN mountaineer.cable.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.cable.label IS 'The label printed on the cable, if any: a name (1 to 100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.cable.type IS 'Medium, free text: cat6, om4, smf, dac, power … (a name, as label).';
COMMENT ON COLUMN mountaineer.cable.color IS 'Colour of the jacket, free text (a name, as label).';
COMMENT ON COLUMN mountaineer.cable.length IS 'Length, in length_unit (both or neither): more than 0, at most 1,000,000.';
SELECT mountaineer.manage_table('mountaineer.cable');

CREATE TABLE mountaineer.cable_end (
    id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug     text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    cable_id uuid NOT NULL REFERENCES mountaineer.cable ON DELETE CASCADE,
    side     mountaineer.cable_side NOT NULL,
    -- src/cable.c probes this constraint's index for the cable on a port
    -- (it finds the index by its column, port_id)
    port_id  uuid NOT NULL CONSTRAINT cable_end_port_id_key UNIQUE REFERENCES mountaineer.port ON DELETE RESTRICT
);
-- src/cable.c probes this index for a cable's ends on one side (it finds the
-- index by its columns, cable_id and side)
CREATE INDEX cable_end_cable_idx ON mountaineer.cable_end (cable_id, side);
COMMENT ON TABLE mountaineer.cable_end IS
    'One end of a cable plugged into a port: a port is on at most one cable; several ends on one side make a breakout cable. Deleting the cable deletes its ends.';
COMMENT ON COLUMN mountaineer.cable_end.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.cable_end.side IS 'a or b; every end on one side connects to every end on the other.';
COMMENT ON COLUMN mountaineer.cable_end.port_id IS 'The port this end is plugged into (unique: one cable per port).';
SELECT mountaineer.manage_table('mountaineer.cable_end');

-- Which port kinds a cable may join: data to data, console to console
-- server, a power inlet to an outlet or a feed.
CREATE FUNCTION mountaineer.port_kinds_compatible(a mountaineer.port_kind, b mountaineer.port_kind)
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

-- A readable name for a cable in messages: its label, else its slug.
CREATE FUNCTION mountaineer.cable_name(c mountaineer.cable) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(c.label, c.slug)
$$;
COMMENT ON FUNCTION mountaineer.cable_name(mountaineer.cable) IS 'A cable''s label, else its slug: how messages name a cable.';

-- What a new end's check reads, and how each read is kept true until the
-- writer commits (issue 11; proved by specs/cable_port_kind.spec):
--   the cable        FOR NO KEY UPDATE: one writer of a cable's ends at a
--                    time, so ends added concurrently to opposite sides are
--                    checked against each other;
--   the port's kind  FOR SHARE: waits for a concurrent change of the port
--                    (then, in READ COMMITTED, reads the kind it committed;
--                    in REPEATABLE READ fails with 40001), and makes a kind
--                    change started later wait for this transaction, after
--                    which port_check_cabled sees this end and refuses;
--   the far ports    no lock: each is on this cable already, so its kind
--                    cannot change (port_check_cabled, the same two locks).
-- Names of devices and cables are read for messages only.  The end itself
-- is left out by its new and its old id, so that an attempt to change the
-- id meets refuse_id_change's message, not "already on cable".
-- (1.7) This is the rule as written and the refusals' words; the trigger
-- runs cable_end_check() (C, after it), which takes the same locks, reads
-- by index probes, and calls this only to refuse or when it cannot read.
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
CREATE FUNCTION mountaineer.cable_end_check() RETURNS trigger
    LANGUAGE C
    SET search_path = pg_catalog, pg_temp
    SET enable_seqscan = off
    SET jit = off
    AS '$libdir/mountaineer', 'mountaineer_cable_end_check';
COMMENT ON FUNCTION mountaineer.cable_end_check() IS
    'Trigger: a port is on one cable (named in the error), and every end of a cable is compatible with every end on its other side; a circuit termination is cabled only at its site, never on a provider network (1.5); locks the cable (FOR NO KEY UPDATE) and the port (FOR SHARE) it checks. (1.7) C; refusals come from cable_end_check_report().';
REVOKE EXECUTE ON FUNCTION mountaineer.cable_end_check() FROM PUBLIC;
CREATE TRIGGER check_end BEFORE INSERT OR UPDATE ON mountaineer.cable_end
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.cable_end')) EXECUTE FUNCTION mountaineer.cable_end_check();

-- A connected cable has an end on each side; checked at commit, so a cable
-- and its ends can be written in any order within one transaction.  The
-- check locks the cable (FOR NO KEY UPDATE, as cable_end_check does), so two
-- transactions that each take away one of the last ends of a side are
-- checked one after the other, and the second sees the first's.  Two
-- trigger functions, one per table, so that each reads only columns its
-- table has (plpgsql_check checks each against its table); the check
-- itself is the same in both: keep them alike.
-- (1.7) These are the rule as written and the refusal's words; the
-- triggers run cable_check_sides() and cable_status_check_sides() (C, after
-- them), which take the same lock, probe each side's ends, and call these
-- only to refuse or when they cannot read.
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
CREATE FUNCTION mountaineer.cable_check_sides() RETURNS trigger
    LANGUAGE C
    SET search_path = pg_catalog, pg_temp
    SET enable_seqscan = off
    SET jit = off
    AS '$libdir/mountaineer', 'mountaineer_cable_check_sides';
COMMENT ON FUNCTION mountaineer.cable_check_sides() IS
    'Deferred constraint trigger on cable_end: at commit, every connected cable an end was moved on, moved from or removed from (1.7: no longer on INSERT, which takes no end away) has at least one end on side a and one on side b (the cable locked while it is checked). (1.7) C (src/cable.c, sequential scans off as in cable_end_check()); the refusal comes from cable_check_sides_report(); under REPEATABLE READ, a side emptied by a transaction committed after the snapshot fails with 40001.';
REVOKE EXECUTE ON FUNCTION mountaineer.cable_check_sides() FROM PUBLIC;
-- (1.7) Not on INSERT: an end added takes no end away from any cable, and a
-- cable inserted (or made connected) is checked by the trigger on cable.
-- On UPDATE only of the two columns that can take an end away from a side.
CREATE CONSTRAINT TRIGGER check_sides AFTER UPDATE OF cable_id, side OR DELETE ON mountaineer.cable_end
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.cable_end')) EXECUTE FUNCTION mountaineer.cable_check_sides();

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
CREATE FUNCTION mountaineer.cable_status_check_sides() RETURNS trigger
    LANGUAGE C
    SET search_path = pg_catalog, pg_temp
    SET enable_seqscan = off
    SET jit = off
    AS '$libdir/mountaineer', 'mountaineer_cable_status_check_sides';
COMMENT ON FUNCTION mountaineer.cable_status_check_sides() IS
    'Deferred constraint trigger on cable: at commit, a cable inserted or given a new status that is connected has at least one end on side a and one on side b (the cable locked while it is checked). (1.7) C, as cable_check_sides(); the refusal comes from cable_status_check_sides_report().';
REVOKE EXECUTE ON FUNCTION mountaineer.cable_status_check_sides() FROM PUBLIC;
CREATE CONSTRAINT TRIGGER check_sides AFTER INSERT OR UPDATE OF status ON mountaineer.cable
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.cable')) EXECUTE FUNCTION mountaineer.cable_status_check_sides();

-- A cabled port keeps its kind and cannot be deleted (nor its device) until
-- its cable is taken off; the error names port, device and cable.  The kind
-- check needs no lock of its own: the UPDATE holds the port's row lock,
-- which a concurrent cable_end_check's FOR SHARE waits for, or which waits
-- for that end to commit; under READ COMMITTED the query below, which takes
-- a new snapshot, then sees the end.  A transaction snapshot (REPEATABLE
-- READ, SERIALIZABLE) would not, so there a change of kind is refused.  It
-- runs AFTER the update: a BEFORE UPDATE trigger makes PostgreSQL 15 count
-- the stored slug as updated, so every UPDATE of a port would take the
-- key-exclusive row lock and block every foreign key check against the port
-- (cabling it, among others).
CREATE FUNCTION mountaineer.port_check_cabled() RETURNS trigger
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
COMMENT ON FUNCTION mountaineer.port_check_cabled() IS
    'Trigger: a port on a cable cannot be deleted or change kind; the error names the port, its device and the cable. A change of kind is made only under READ COMMITTED (else 25000).';
REVOKE EXECUTE ON FUNCTION mountaineer.port_check_cabled() FROM PUBLIC;
CREATE TRIGGER check_cabled BEFORE DELETE ON mountaineer.port
    FOR EACH ROW EXECUTE FUNCTION mountaineer.port_check_cabled();
CREATE TRIGGER check_cabled_kind AFTER UPDATE OF kind ON mountaineer.port
    FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION mountaineer.port_check_cabled();

CREATE FUNCTION mountaineer.device_check_cabled() RETURNS trigger
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
-- named to fire after refuse_delete_referenced (triggers fire in name order),
-- so rows of other tables that need the device are reported first
CREATE TRIGGER refuse_delete_while_cabled BEFORE DELETE ON mountaineer.device
    FOR EACH ROW EXECUTE FUNCTION mountaineer.device_check_cabled();

--------------------------------------------------------------------------
-- The cable graph: trace, path, power trace, impact (C engine in the core
-- library, src/cable.c) and a Graphviz drawing.  Each follows connected
-- cables only, unless include_planned: then planned and decommissioning
-- cables too, as if every recorded cable were connected.
--------------------------------------------------------------------------
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

-- A port as the documents below show it.
CREATE FUNCTION mountaineer.port_doc(port_id uuid) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object('device', d.name, 'port', p.name, 'kind', p.kind,
                              'device_id', d.id, 'port_id', p.id)
    FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
    WHERE p.id = $1
$$;
COMMENT ON FUNCTION mountaineer.port_doc(uuid) IS
    'A port as cable_path shows it: {device, port, kind, device_id, port_id}; NULL for an unknown port.';

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

CREATE FUNCTION mountaineer.dot_id(s text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT '"' || replace(replace(replace(s, '\', '\\'), '"', '\"'), E'\n', '\n') || '"'
$$;
COMMENT ON FUNCTION mountaineer.dot_id(text) IS 'A string quoted as a Graphviz DOT ID (backslash, quote and newline escaped).';

-- returns "text/plain" since 1.4, so that PostgREST serves it as such
CREATE FUNCTION mountaineer.topology_dot(site_id uuid, include_planned boolean DEFAULT false) RETURNS mountaineer."text/plain"
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

GRANT EXECUTE ON FUNCTION mountaineer.cable_trace(uuid, boolean), mountaineer.power_trace(uuid, boolean),
    mountaineer.impact(uuid, boolean), mountaineer.cable_path(uuid, boolean), mountaineer.topology_dot(uuid, boolean)
    TO mountaineer_reader;

-- == rack elevation as SVG (1.4) ==
CREATE FUNCTION mountaineer.xml_escape(s text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT replace(replace(replace(replace(replace(s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&apos;')
$$;
COMMENT ON FUNCTION mountaineer.xml_escape(text) IS
    'A string escaped for XML text and attribute values (& < > " and '' as entities).';

-- A name as a box shows it: at most 26 characters (what 160 pixels hold at
-- 11 pixels), a longer one cut to 25 and an ellipsis; the box's tooltip
-- (its <title>) has the whole name.
CREATE FUNCTION mountaineer.svg_label(name text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN char_length($1) > 26 THEN left($1, 25) || '…' ELSE $1 END
$$;
COMMENT ON FUNCTION mountaineer.svg_label(text) IS
    'A name as rack_elevation_svg labels a box with it: at most 26 characters, a longer one cut to 25 and an ellipsis (the box''s tooltip has the whole name).';

-- The drawing: a heading, then the rack's front and rear side by side, each
-- unit a slot with its label on the rail (rack_elevation(): top-down when
-- the rack is descending), each device a box over the units it takes on the
-- faces it takes (a full-depth device on both, a half-depth one on its own
-- face), filled by kind; beside them the zero-U devices and a key to the
-- colours.  Devices come from rack_elevation() too: a name is unique in a
-- rack, so a device's units on a face are the units showing its name there.
-- Every name is escaped (xml_escape).  Geometry in pixels: a unit is 20
-- high, a face 160 wide.
CREATE FUNCTION mountaineer.rack_elevation_svg(rack_id uuid) RETURNS mountaineer."image/svg+xml"
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT mountaineer.rack_units_of($1);   -- P0002 for an unknown rack
    WITH rack AS (
        SELECT r.id, r.name, r.units, r.descending, s.name AS site,
               20 AS uh, 160 AS cw, 52 AS top,   -- unit height, face width, y of the top unit
               38 AS fx, 242 AS rx, 418 AS sx    -- x of the front face, the rear face, the side panel
        FROM mountaineer.rack r JOIN mountaineer.site s ON s.id = r.site_id
        WHERE r.id = $1
    ), colour (kind, fill) AS (
        VALUES ('server', '#a6c8ff'), ('network', '#b5e3a1'), ('pdu', '#f7a8a8'),
               ('patch_panel', '#f9e79f'), ('power_panel', '#f8c291'), ('other', '#d5d5d5')
    ), unit AS (
        SELECT e.unit, e.label, e.front, e.rear FROM mountaineer.rack_elevation($1) e
    ), face (face, x) AS (
        SELECT 'front', rack.fx FROM rack UNION ALL SELECT 'rear', rack.rx FROM rack
    ), box AS (   -- each device on each face it takes, over its units
        SELECT f.face, f.x, b.name, mountaineer.svg_label(b.name) AS label, b.lo, b.hi, d.kind::text AS kind, d.position
        FROM face f
        CROSS JOIN LATERAL (
            SELECT CASE f.face WHEN 'front' THEN u.front ELSE u.rear END AS name, min(u.unit) AS lo, max(u.unit) AS hi
            FROM unit u GROUP BY 1
        ) b
        JOIN mountaineer.device d ON d.rack_id = $1 AND d.name = b.name
    ), zero_u AS (
        SELECT d.name, mountaineer.svg_label(d.name) AS label, d.kind::text AS kind, row_number() OVER (ORDER BY d.name, d.id) AS n
        FROM mountaineer.device d WHERE d.rack_id = $1 AND d.position IS NULL
    ), kinds AS (
        SELECT c.kind, c.fill, row_number() OVER (ORDER BY c.kind) AS n
        FROM colour c
        WHERE c.kind IN (SELECT b.kind FROM box b UNION SELECT z.kind FROM zero_u z)
    ), side AS (   -- the side panel: zero-U devices, then the key
        SELECT (SELECT count(*) FROM zero_u) AS zn
    )
    SELECT format(E'<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %1$s %2$s" font-family="sans-serif" font-size="11">\n',
                  rack.sx + 170,
                  greatest(rack.top + rack.units * rack.uh, rack.top + (greatest(side.zn, 1) + (SELECT count(*) FROM kinds) + 3) * 16) + 10)
        || format(E'<title>Rack %s at %s</title>\n', mountaineer.xml_escape(rack.name), mountaineer.xml_escape(rack.site))
        || format(E'<text x="10" y="20" font-size="14" font-weight="bold">Rack %s at %s, %s U%s</text>\n',
                  mountaineer.xml_escape(rack.name), mountaineer.xml_escape(rack.site), rack.units,
                  CASE WHEN rack.descending THEN ', numbered top-down' ELSE '' END)
        || (SELECT string_agg(format(E'<text x="%s" y="%s" text-anchor="middle" font-weight="bold">%s</text>\n',
                                     f.x + rack.cw / 2, rack.top - 8, initcap(f.face)), '' ORDER BY f.x)
              FROM face f)
        -- the units: a slot per unit and face, its label on the rail to its left
        || (SELECT string_agg(format(E'<rect x="%s" y="%s" width="%s" height="%s" fill="#ffffff" stroke="#cccccc"/><text x="%s" y="%s" text-anchor="end" dominant-baseline="central" fill="#666666">%s</text>\n',
                                     f.x, rack.top + (rack.units - u.unit) * rack.uh, rack.cw, rack.uh,
                                     f.x - 4, rack.top + (rack.units - u.unit) * rack.uh + rack.uh / 2, u.label),
                              '' ORDER BY f.x, u.unit DESC)
              FROM face f CROSS JOIN unit u)
        -- the devices
        || coalesce((SELECT string_agg(format(E'<g><title>%s (%s) %s</title><rect x="%s" y="%s" width="%s" height="%s" rx="2" fill="%s" stroke="#333333"/><text x="%s" y="%s" text-anchor="middle" dominant-baseline="central">%s</text></g>\n',
                                              mountaineer.xml_escape(b.name), b.kind, b.position,
                                              b.x + 1, rack.top + (rack.units - b.hi) * rack.uh + 1, rack.cw - 2,
                                              (b.hi - b.lo + 1) * rack.uh - 2, c.fill,
                                              b.x + rack.cw / 2, rack.top + (rack.units - b.hi) * rack.uh + (b.hi - b.lo + 1) * rack.uh / 2,
                                              mountaineer.xml_escape(b.label)),
                                       '' ORDER BY b.x, b.hi DESC)
                       FROM box b JOIN colour c ON c.kind = b.kind), '')
        -- beside the rack: the zero-U devices, then the key to the colours
        || format(E'<text x="%s" y="%s" font-weight="bold">Zero-U</text>\n', rack.sx, rack.top + 12)
        || coalesce((SELECT string_agg(format(E'<g><title>%s (%s)</title><rect x="%s" y="%s" width="10" height="10" fill="%s" stroke="#333333"/><text x="%s" y="%s">%s</text></g>\n',
                                              mountaineer.xml_escape(z.name), z.kind, rack.sx, rack.top + 16 * z.n + 3, c.fill,
                                              rack.sx + 14, rack.top + 16 * z.n + 12, mountaineer.xml_escape(z.label)),
                                       '' ORDER BY z.n)
                       FROM zero_u z JOIN colour c ON c.kind = z.kind),
                    format(E'<text x="%s" y="%s" fill="#666666">none</text>\n', rack.sx, rack.top + 28))
        || format(E'<text x="%s" y="%s" font-weight="bold">Kinds</text>\n', rack.sx, rack.top + 16 * (greatest(side.zn, 1) + 2) + 12)
        || coalesce((SELECT string_agg(format(E'<rect x="%s" y="%s" width="10" height="10" fill="%s" stroke="#333333"/><text x="%s" y="%s">%s</text>\n',
                                              rack.sx, rack.top + 16 * (greatest(side.zn, 1) + 2 + k.n) + 3, k.fill,
                                              rack.sx + 14, rack.top + 16 * (greatest(side.zn, 1) + 2 + k.n) + 12, k.kind),
                                       '' ORDER BY k.n)
                       FROM kinds k), '')
        || E'</svg>\n'
    FROM rack, side
$$;
COMMENT ON FUNCTION mountaineer.rack_elevation_svg(uuid) IS
    'The rack drawn as an SVG document: front and rear side by side, units numbered on the rail (top-down when the rack is descending), each device a box labelled with its name over the units it takes, on both faces when full depth and on its own face when half depth, filled by kind; zero-U devices and a key to the colours beside it. Through PostgREST: GET /rpc/rack_elevation_svg?rack_id=… with Accept: image/svg+xml. P0002 for an unknown rack.';
GRANT EXECUTE ON FUNCTION mountaineer.rack_elevation_svg(uuid) TO mountaineer_reader;

-- == BI views (1.4) ==
-- What a dashboard asks of the hardware that rack_power and
-- rack_utilization do not answer: how many devices of each kind each site
-- has.  (A device status -- planned, active, decommissioned -- comes with a
-- later version; until then every device counts.)
CREATE VIEW mountaineer.device_summary AS
SELECT s.name AS site, d.kind, count(*) AS devices,
       sum(d.units) AS units, coalesce(sum(d.draw_watts), 0) AS draw_watts
FROM mountaineer.device d
LEFT JOIN mountaineer.site s ON s.id = d.site_id
GROUP BY s.name, d.kind;
COMMENT ON VIEW mountaineer.device_summary IS
    'For BI tools: per site (NULL: devices in no rack) and kind, how many devices, the units they take and the power they are expected to draw.';
COMMENT ON COLUMN mountaineer.device_summary.site IS 'The site''s name; NULL for the devices that are in no rack (and so at no site).';
COMMENT ON COLUMN mountaineer.device_summary.kind IS 'server, pdu, network, patch_panel, power_panel or other.';
COMMENT ON COLUMN mountaineer.device_summary.devices IS 'How many devices of that kind the site has.';
COMMENT ON COLUMN mountaineer.device_summary.units IS 'The rack units they take, in U (the sum of their heights; zero-U devices add 0).';
COMMENT ON COLUMN mountaineer.device_summary.draw_watts IS 'The power they are expected to draw, in watts (the sum of their draw_watts; 0 when none is recorded).';
GRANT SELECT ON mountaineer.device_summary TO mountaineer_reader;

-- == column comments (1.4) ==
-- Every column carries a COMMENT: PostgREST's OpenAPI document (GET /) and
-- psql's \d+ describe the API from them (test/catalog.sql checks it).  The
-- columns commented since 1.0 keep their comments.
COMMENT ON COLUMN mountaineer.site.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.rack.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.rack.site_id IS 'The site the rack stands at (site.id). A site with racks cannot be deleted; moving the rack moves its devices with it.';
COMMENT ON COLUMN mountaineer.rack.attachment IS 'How equipment attaches to the rails: square_hole, round_hole or threaded; NULL if unknown.';
COMMENT ON COLUMN mountaineer.rack.fasteners IS 'Screw size the rails take: m5, m6, 10-32 or 12-24; NULL if unknown.';
COMMENT ON COLUMN mountaineer.device.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed. The kind tables (server, pdu, network_device) use the same id.';
COMMENT ON COLUMN mountaineer.device.kind IS 'What the device is: server, pdu, network, patch_panel, power_panel or other. A device with a row in a kind table cannot change kind.';
COMMENT ON COLUMN mountaineer.device.manufacturer IS 'Maker, e.g. Dell; a name. (manufacturer, model, serial) is unique.';
COMMENT ON COLUMN mountaineer.device.model IS 'Model as the maker names it, e.g. PowerEdge R650; a name.';
COMMENT ON COLUMN mountaineer.device.serial IS 'Serial number from the maker; a name, unique with manufacturer and model.';
COMMENT ON COLUMN mountaineer.device.asset_id IS 'Your asset-management id for the device, if any; a name.';
COMMENT ON COLUMN mountaineer.device.asset_tag IS 'The text on the asset tag stuck on the device, if any; a name.';
COMMENT ON COLUMN mountaineer.server.slug IS 'Short URL-safe form of id (the device''s slug).';
COMMENT ON COLUMN mountaineer.pdu.slug IS 'Short URL-safe form of id (the device''s slug).';
COMMENT ON COLUMN mountaineer.network_device.slug IS 'Short URL-safe form of id (the device''s slug).';
COMMENT ON COLUMN mountaineer.network_device.speed IS 'Speed of its ports: 100m, 1g, 10g, 25g, 40g, 50g, 100g, 200g, 400g or 800g; NULL if unknown.';
COMMENT ON COLUMN mountaineer.network_device.interconnect IS 'Connector of its ports: rj45, sfp, sfp_plus, sfp28, qsfp_plus, qsfp28, qsfp_dd or osfp; NULL if unknown.';
COMMENT ON COLUMN mountaineer.port.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.port.device_id IS 'The device the port is on (device.id); deleting the device deletes its ports, unless one is cabled.';
COMMENT ON COLUMN mountaineer.port.kind IS 'interface, console, console_server, power_port (inlet), power_outlet, power_feed, front_port or rear_port (patch panels). A cabled port cannot change kind.';
COMMENT ON COLUMN mountaineer.cable.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.cable.status IS 'planned (not laid yet), connected (the default: in service, an end on each side) or decommissioning (to be removed). Traces follow connected cables only unless asked to include planned ones.';
COMMENT ON COLUMN mountaineer.cable.length_unit IS 'Unit of length: mm, cm, m, km, in or ft; set exactly when length is.';
COMMENT ON COLUMN mountaineer.cable_end.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.cable_end.cable_id IS 'The cable this end belongs to (cable.id); deleting the cable deletes its ends.';

COMMENT ON COLUMN mountaineer.rack_device.rack_id IS 'The rack''s id.';
COMMENT ON COLUMN mountaineer.rack_device.rack IS 'The rack''s name.';
COMMENT ON COLUMN mountaineer.rack_device.site IS 'The name of the rack''s site.';
COMMENT ON COLUMN mountaineer.rack_device.device_id IS 'The device''s id.';
COMMENT ON COLUMN mountaineer.rack_device.device IS 'The device''s name.';
COMMENT ON COLUMN mountaineer.rack_device.kind IS 'The device''s kind: server, pdu, network, patch_panel, power_panel or other.';
COMMENT ON COLUMN mountaineer.rack_device.position IS 'Units and face it occupies, e.g. U10-U11/front; NULL for a zero-U device.';
COMMENT ON COLUMN mountaineer.rack_device.first_unit IS 'Its lowest unit (1 = the bottom of the rack); NULL for a zero-U device.';
COMMENT ON COLUMN mountaineer.rack_device.last_unit IS 'Its highest unit; NULL for a zero-U device.';
COMMENT ON COLUMN mountaineer.rack_device.face IS 'front or rear (a half-depth device on that face) or full (full depth); NULL for a zero-U device.';
COMMENT ON COLUMN mountaineer.rack_device.units IS 'Its height in U; 0 for a zero-U device.';
COMMENT ON COLUMN mountaineer.rack_power.rack_id IS 'The rack''s id.';
COMMENT ON COLUMN mountaineer.rack_power.rack IS 'The rack''s name.';
COMMENT ON COLUMN mountaineer.rack_power.site IS 'The name of the rack''s site.';
COMMENT ON COLUMN mountaineer.rack_power.capacity_watts IS 'What the rack''s PDUs can deliver, in watts: the sum of their volts × amps (0 without PDUs).';
COMMENT ON COLUMN mountaineer.rack_power.allocated_watts IS 'What the rack''s devices are expected to draw, in watts: the sum of their draw_watts (a device without one counts 0).';
COMMENT ON COLUMN mountaineer.rack_power.unallocated_watts IS 'capacity_watts - allocated_watts: the headroom in watts; negative when the rack is over-committed.';
COMMENT ON COLUMN mountaineer.rack_utilization.rack_id IS 'The rack''s id.';
COMMENT ON COLUMN mountaineer.rack_utilization.rack IS 'The rack''s name.';
COMMENT ON COLUMN mountaineer.rack_utilization.site IS 'The name of the rack''s site.';
COMMENT ON COLUMN mountaineer.rack_utilization.units IS 'The rack''s height in U.';
COMMENT ON COLUMN mountaineer.rack_utilization.used_units IS 'Units with a device on either face (a unit with a half-depth device at the front only counts as used).';
COMMENT ON COLUMN mountaineer.rack_utilization.free_units IS 'units - used_units: units with nothing on either face.';
COMMENT ON COLUMN mountaineer.rack_utilization.percent IS 'used_units as a percentage of units, to one decimal (0.0 .. 100.0).';


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
-- circuit_termination is made with the type (above); the upgrade script
-- adds it, and there it is new in the updating transaction, so nothing made
-- here compares with it as an enum literal outside PL/pgSQL (where it is
-- parsed when run): CHECKs and SQL functions compare kind::text, alike in
-- both scripts.

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
