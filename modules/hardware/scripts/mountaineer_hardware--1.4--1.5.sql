-- mountaineer_hardware 1.4 -> 1.5: the model issue 12 asks for (device types, site
-- hierarchy, status, tags and attributes, circuits, VLAN groups, power).
\echo Use "ALTER EXTENSION mountaineer_hardware UPDATE TO '1.5'" to load this file. \quit


-- == device types (1.5) ==
-- End: device types (1.5)


-- == sites, regions, locations and status (1.5) ==
-- End: sites, regions, locations and status (1.5)


-- == tags and attributes (1.5) ==
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
-- End: power (1.5)
