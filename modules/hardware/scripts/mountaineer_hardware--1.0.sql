-- mountaineer_hardware 1.0: sites, racks, devices, rack placement, ports.
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

CREATE TYPE mountaineer.port_kind AS ENUM
    ('interface', 'console', 'console_server', 'power_port', 'power_outlet',
     'front_port', 'rear_port', 'power_feed');
COMMENT ON TYPE mountaineer.port_kind IS
    'interface: a data port; console / console_server: serial console and its server side; power_port: a device''s power inlet; power_outlet: a PDU''s outlet; front_port / rear_port: patch-panel pass-through; power_feed: a circuit from a power panel.';

--------------------------------------------------------------------------
-- Sites and racks
--------------------------------------------------------------------------
CREATE TABLE mountaineer.site (
    id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug      text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name      text NOT NULL UNIQUE CHECK (name <> ''),
    vendor    text,
    address   text,
    noc_phone text,
    noc_email text CHECK (noc_email ~ '^[^@\s]+@[^@\s]+$'),
    noc_url   text CHECK (noc_url ~* '^https?://')
);
COMMENT ON TABLE mountaineer.site IS 'A datacenter or other place that holds racks.';
COMMENT ON COLUMN mountaineer.site.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.site.vendor IS 'Colocation provider, if any.';
COMMENT ON COLUMN mountaineer.site.noc_phone IS 'Network operations centre phone.';
COMMENT ON COLUMN mountaineer.site.noc_email IS 'Network operations centre e-mail.';
COMMENT ON COLUMN mountaineer.site.noc_url IS 'Network operations centre web page or ticket portal.';
SELECT mountaineer.manage_table('mountaineer.site');

CREATE TABLE mountaineer.rack (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug       text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    site_id    uuid NOT NULL REFERENCES mountaineer.site ON DELETE RESTRICT,
    name       text NOT NULL CHECK (name <> ''),
    units      int  NOT NULL DEFAULT 42 CHECK (units BETWEEN 1 AND 100),
    posts      int  CHECK (posts IN (2, 4)),
    depth_in   numeric CHECK (depth_in > 0),
    width_in   numeric CHECK (width_in > 0),
    attachment mountaineer.rack_attachment,
    fasteners  mountaineer.rack_fastener,
    descending boolean NOT NULL DEFAULT false,
    UNIQUE (site_id, name)
);
CREATE INDEX rack_site_idx ON mountaineer.rack (site_id);
COMMENT ON TABLE mountaineer.rack IS 'A rack (cabinet) at a site.';
COMMENT ON COLUMN mountaineer.rack.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.rack.units IS 'Height in rack units (U), 1..100; units are numbered from 1 at the bottom.';
COMMENT ON COLUMN mountaineer.rack.posts IS 'Two-post or four-post.';
COMMENT ON COLUMN mountaineer.rack.depth_in IS 'Usable depth in inches.';
COMMENT ON COLUMN mountaineer.rack.width_in IS 'Rail width in inches (19 or 23).';
COMMENT ON COLUMN mountaineer.rack.descending IS 'Display only: the rack''s labels run top-down (U1 at the top).';
SELECT mountaineer.manage_table('mountaineer.rack');

--------------------------------------------------------------------------
-- Devices and their kinds
--------------------------------------------------------------------------
CREATE TABLE mountaineer.device (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug         text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    kind         mountaineer.device_kind NOT NULL,
    name         text NOT NULL CHECK (name <> ''),
    manufacturer text,
    model        text,
    serial       text,
    asset_id     text,
    asset_tag    text,
    units        int NOT NULL DEFAULT 1 CHECK (units BETWEEN 0 AND 100),
    draw_watts   numeric CHECK (draw_watts >= 0),
    rack_id      uuid REFERENCES mountaineer.rack ON DELETE RESTRICT,
    position     mountaineer.rackspan,
    UNIQUE (manufacturer, model, serial),
    UNIQUE (id, kind),                      -- target of the kind tables' foreign keys
    CHECK (position IS NULL OR rack_id IS NOT NULL),
    EXCLUDE USING gist (rack_id WITH =, position WITH &&)
);
CREATE INDEX device_rack_idx ON mountaineer.device (rack_id);
CREATE INDEX device_name_idx ON mountaineer.device (name);
COMMENT ON TABLE mountaineer.device IS
    'A piece of hardware: server, PDU, network device, patch panel, power panel or other. Two devices in one rack cannot occupy the same units on colliding faces.';
COMMENT ON COLUMN mountaineer.device.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.device.units IS 'Height in U; 0 for zero-U devices such as vertical PDUs.';
COMMENT ON COLUMN mountaineer.device.draw_watts IS 'Expected power draw in watts.';
COMMENT ON COLUMN mountaineer.device.rack_id IS 'The rack it is in, if any.';
COMMENT ON COLUMN mountaineer.device.position IS
    'Units and face it occupies, e.g. U10-U11/full; required in a rack unless zero-U, its height equals units and it fits the rack.';
SELECT mountaineer.manage_table('mountaineer.device');

-- Placement rules that need the rack's height: a CHECK cannot read another
-- table, so a trigger says them, naming rack, device and units.
CREATE FUNCTION mountaineer.device_check_position() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r mountaineer.rack;
BEGIN
    IF NEW.rack_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT * INTO r FROM mountaineer.rack WHERE id = NEW.rack_id;
    IF NOT FOUND THEN
        RETURN NEW;                          -- the foreign key reports it
    END IF;
    IF NEW.units = 0 THEN
        IF NEW.position IS NOT NULL THEN
            RAISE EXCEPTION 'zero-U device "%" cannot take position % in rack "%"',
                NEW.name, NEW.position, r.name
                USING ERRCODE = 'check_violation',
                      HINT = 'A zero-U device sits in a rack with no position.';
        END IF;
    ELSIF NEW.position IS NULL THEN
        RAISE EXCEPTION 'device "%" (% U) in rack "%" needs a position', NEW.name, NEW.units, r.name
            USING ERRCODE = 'not_null_violation',
                  HINT = 'Give a position such as mountaineer.rack_first_fit(rack_id, units).';
    ELSIF mountaineer.height(NEW.position) <> NEW.units THEN
        RAISE EXCEPTION 'device "%" is % U but position % in rack "%" is % U',
            NEW.name, NEW.units, NEW.position, r.name, mountaineer.height(NEW.position)
            USING ERRCODE = 'check_violation';
    ELSIF mountaineer.upper(NEW.position) > r.units THEN
        RAISE EXCEPTION 'device "%" at % does not fit rack "%" of % U',
            NEW.name, NEW.position, r.name, r.units
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.device_check_position() IS
    'Trigger: a racked device has a position (unless zero-U) whose height is its units and which fits the rack.';
CREATE TRIGGER check_position BEFORE INSERT OR UPDATE OF rack_id, position, units ON mountaineer.device
    FOR EACH ROW EXECUTE FUNCTION mountaineer.device_check_position();

-- Shrinking a rack must not strand devices above its new top.
CREATE FUNCTION mountaineer.rack_check_units() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d record;
BEGIN
    SELECT name, position INTO d FROM mountaineer.device
     WHERE rack_id = NEW.id AND mountaineer.upper(position) > NEW.units
     ORDER BY mountaineer.upper(position) DESC LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'rack "%" cannot shrink to % U: device "%" sits at %', NEW.name, NEW.units, d.name, d.position
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.rack_check_units() IS 'Trigger: a rack cannot shrink below the devices in it.';
CREATE TRIGGER check_units BEFORE UPDATE OF units ON mountaineer.rack
    FOR EACH ROW WHEN (NEW.units < OLD.units) EXECUTE FUNCTION mountaineer.rack_check_units();

-- One-to-one detail tables: the (id, kind) foreign key makes a server row
-- possible only for a device whose kind is server, and so on.
CREATE TABLE mountaineer.server (
    id         uuid PRIMARY KEY,
    slug       text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    kind       mountaineer.device_kind NOT NULL DEFAULT 'server' CHECK (kind = 'server'),
    memory_mib int CHECK (memory_mib > 0),
    cores      int CHECK (cores > 0),
    FOREIGN KEY (id, kind) REFERENCES mountaineer.device (id, kind) ON DELETE CASCADE
);
COMMENT ON TABLE mountaineer.server IS 'Server details of a device of kind server.';
COMMENT ON COLUMN mountaineer.server.id IS 'The device''s id.';
COMMENT ON COLUMN mountaineer.server.kind IS 'Always server; ties the row to a device of that kind.';
SELECT mountaineer.manage_table('mountaineer.server');

CREATE TABLE mountaineer.pdu (
    id    uuid PRIMARY KEY,
    slug  text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    kind  mountaineer.device_kind NOT NULL DEFAULT 'pdu' CHECK (kind = 'pdu'),
    volts numeric CHECK (volts > 0),
    amps  numeric CHECK (amps > 0),
    watts numeric GENERATED ALWAYS AS (volts * amps) STORED,
    FOREIGN KEY (id, kind) REFERENCES mountaineer.device (id, kind) ON DELETE CASCADE
);
COMMENT ON TABLE mountaineer.pdu IS 'Power distribution unit details of a device of kind pdu.';
COMMENT ON COLUMN mountaineer.pdu.id IS 'The device''s id.';
COMMENT ON COLUMN mountaineer.pdu.kind IS 'Always pdu; ties the row to a device of that kind.';
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
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug               text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    device_id          uuid NOT NULL REFERENCES mountaineer.device ON DELETE CASCADE,
    name               text NOT NULL CHECK (name <> ''),
    kind               mountaineer.port_kind NOT NULL,
    positions          int NOT NULL DEFAULT 1 CHECK (positions BETWEEN 1 AND 1024),
    rear_port_id       uuid REFERENCES mountaineer.port ON DELETE RESTRICT,
    rear_port_position int,
    UNIQUE (device_id, name),
    UNIQUE (rear_port_id, rear_port_position),
    CONSTRAINT port_positions_rear_only CHECK (kind = 'rear_port' OR positions = 1),
    CONSTRAINT port_front_maps_rear CHECK ((kind = 'front_port') = (rear_port_id IS NOT NULL)),
    CONSTRAINT port_rear_position_given CHECK ((rear_port_id IS NULL) = (rear_port_position IS NULL))
);
CREATE INDEX port_device_idx ON mountaineer.port (device_id);
COMMENT ON TABLE mountaineer.port IS
    'A port of a device: data interface, console, power inlet or outlet, power feed, or a patch panel''s front or rear port.';
COMMENT ON COLUMN mountaineer.port.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.port.positions IS 'Rear ports: how many front ports it can carry (a trunk''s strands); 1 for every other port.';
COMMENT ON COLUMN mountaineer.port.rear_port_id IS 'Front ports: the rear port of the same device it passes through.';
COMMENT ON COLUMN mountaineer.port.rear_port_position IS 'Front ports: which position (1..positions) of that rear port; each position is mapped at most once.';
SELECT mountaineer.manage_table('mountaineer.port');

CREATE FUNCTION mountaineer.port_check_mapping() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rear    mountaineer.port;
    mapped  bigint;
    highest int;
BEGIN
    IF NEW.rear_port_id IS NOT NULL THEN
        SELECT * INTO rear FROM mountaineer.port WHERE id = NEW.rear_port_id;
        IF FOUND THEN
            IF rear.device_id <> NEW.device_id OR rear.kind <> 'rear_port' THEN
                RAISE EXCEPTION 'front port "%" must map to a rear port of its own device; "%" is a % of another device or not a rear port',
                    NEW.name, rear.name, rear.kind
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
            IF NEW.rear_port_position NOT BETWEEN 1 AND rear.positions THEN
                RAISE EXCEPTION 'front port "%" maps to position % of rear port "%", which has positions 1..%',
                    NEW.name, NEW.rear_port_position, rear.name, rear.positions
                    USING ERRCODE = 'check_violation';
            END IF;
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.kind = 'rear_port' THEN
        SELECT count(*), coalesce(max(p.rear_port_position), 0) INTO mapped, highest
          FROM mountaineer.port p WHERE p.rear_port_id = NEW.id;
        IF mapped > 0 AND (NEW.kind <> 'rear_port' OR NEW.device_id <> OLD.device_id) THEN
            RAISE EXCEPTION 'rear port "%" still carries % front port(s)', OLD.name, mapped
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        IF highest > NEW.positions THEN
            RAISE EXCEPTION 'rear port "%" cannot shrink to % positions: position % is mapped',
                NEW.name, NEW.positions, highest
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.port_check_mapping() IS
    'Trigger: a front port maps to an existing position of a rear port of the same device; a mapped rear port keeps its kind, device and positions.';
CREATE TRIGGER check_mapping BEFORE INSERT OR UPDATE ON mountaineer.port
    FOR EACH ROW EXECUTE FUNCTION mountaineer.port_check_mapping();

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
