-- mountaineer_hosts 1.7: hosts on hardware, virtual machines, containers,
-- clusters, roles, grains and monitoring exceptions (1.4: the view
-- host_summary for BI tools, column comments; 1.5: host status, tags and
-- attributes, the cluster kind ec2; 1.6: cluster types, a cluster's site,
-- VM sizes, tenants of hosts and clusters; 1.7: normalize_hostname() in C
-- for a name already normal).
-- Every row trigger that fires on INSERT carries WHEN (NOT
-- mountaineer.restoring(its table)): it stands aside while pg_restore, or psql
-- running a pg_dump script, restores that table (src/restore.c).
\echo Use "CREATE EXTENSION mountaineer_hosts CASCADE" to load this file. \quit

--------------------------------------------------------------------------
-- Hostnames
--------------------------------------------------------------------------
-- (1.7) A name already in normal form is answered in C (src/hostname.c of
-- the core's library: 12 to 14 µs a call in PL/pgSQL, nearly always for
-- such a name); any other goes to normalize_hostname_full(), 1.6's body,
-- which lower-cases it as the database does or refuses it.
CREATE FUNCTION mountaineer.normalize_hostname_full(hostname text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    h     text := lower(hostname);
    label text;
BEGIN
    IF right(h, 1) = '.' THEN
        h := left(h, -1);                   -- the root's dot is implied
    END IF;
    IF h = '' OR length(h) > 253 THEN
        RAISE EXCEPTION 'invalid hostname %', mountaineer.excerpt(hostname)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('A hostname has 1 to 253 characters; this one has %s.', length(h));
    END IF;
    IF strpos(h, '.') = 0 THEN
        RAISE EXCEPTION 'invalid hostname %', mountaineer.excerpt(hostname)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A host is named by its fully qualified domain name, e.g. web1.example.com.';
    END IF;
    FOREACH label IN ARRAY string_to_array(h, '.') LOOP
        IF label !~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$' THEN
            RAISE EXCEPTION 'invalid hostname %', mountaineer.excerpt(hostname)
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('Label %s is not 1 to 63 letters, digits and inner hyphens.', mountaineer.excerpt(label));
        END IF;
    END LOOP;
    IF label ~ '^[0-9]+$' THEN
        RAISE EXCEPTION 'invalid hostname %', mountaineer.excerpt(hostname)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The top-level label is all digits: that is an address, not a name.';
    END IF;
    RETURN h;
END
$$;
COMMENT ON FUNCTION mountaineer.normalize_hostname_full(text) IS
    'Internal: normalize_hostname() for a name that is not already in normal form (upper case, a character other than a-z, 0-9, dot and hyphen, or invalid): 1.6''s PL/pgSQL, which lower-cases it or refuses it (22023).';
REVOKE EXECUTE ON FUNCTION mountaineer.normalize_hostname_full(text) FROM PUBLIC;
CREATE FUNCTION mountaineer.normalize_hostname(hostname text) RETURNS text
    AS '$libdir/mountaineer', 'mountaineer_normalize_hostname'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.normalize_hostname(text) IS
    'The hostname in lower case without a trailing dot, if it is a valid fully qualified DNS name (labels of 1-63 letters, digits and inner hyphens, at most 253 characters, at least two labels); otherwise 22023 naming it.';

CREATE FUNCTION mountaineer.host_shortname(hostname text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN split_part(hostname, '.', 1);
COMMENT ON FUNCTION mountaineer.host_shortname(text) IS
    'The first label of a hostname: host_shortname(''web1.prod.example.com'') = ''web1''.';

CREATE FUNCTION mountaineer.host_domain(hostname text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN nullif(substr(hostname, strpos(hostname, '.') + 1), hostname);
COMMENT ON FUNCTION mountaineer.host_domain(text) IS
    'Everything after the first label of a hostname: host_domain(''web1.prod.example.com'') = ''prod.example.com''; NULL when there is no dot.';

--------------------------------------------------------------------------
-- Environments, roles, clusters
--------------------------------------------------------------------------
CREATE TABLE mountaineer.environment (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug           text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name           text NOT NULL UNIQUE CONSTRAINT environment_name_slug CHECK (name ~ '^[a-z0-9][a-z0-9_-]*$')
                   CONSTRAINT environment_name_check CHECK (mountaineer.is_valid_name(name)),
    hostname_regex text NOT NULL DEFAULT '.*'
                   CONSTRAINT environment_hostname_regex_check CHECK (mountaineer.is_valid_name(hostname_regex, 1000)),
    description    text CONSTRAINT environment_description_check CHECK (mountaineer.is_valid_name(description, 200)),
    monitored      boolean NOT NULL DEFAULT true
);
COMMENT ON TABLE mountaineer.environment IS 'A deployment environment (prod, stage, …): which hostnames belong in it and whether its hosts are monitored by default.';
COMMENT ON COLUMN mountaineer.environment.name IS 'Lower-case letters, digits, - and _, starting with a letter or digit; at most 100 characters.';
COMMENT ON COLUMN mountaineer.environment.hostname_regex IS 'A POSIX regular expression every hostname of the environment must match in full (it is anchored at both ends); at most 1000 characters.';
COMMENT ON COLUMN mountaineer.environment.monitored IS 'Whether its hosts are monitored, unless a monitoring exception says otherwise.';
SELECT mountaineer.manage_table('mountaineer.environment');

CREATE FUNCTION mountaineer.environment_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad text;
    n   bigint;
BEGIN
    BEGIN
        -- on its own (so that "x)|(y" cannot undo the anchoring below), and
        -- as host_check() applies it
        PERFORM '' ~ NEW.hostname_regex, '' ~ ('^(?:' || NEW.hostname_regex || ')$');
    EXCEPTION WHEN invalid_regular_expression THEN
        RAISE EXCEPTION 'invalid hostname_regex for environment %: %', mountaineer.excerpt(NEW.name), SQLERRM
            USING ERRCODE = 'invalid_regular_expression';
    END;
    IF TG_OP = 'UPDATE' AND NEW.hostname_regex IS DISTINCT FROM OLD.hostname_regex THEN
        -- The race with host_check(): this UPDATE holds the environment's
        -- row lock, which conflicts with the FOR SHARE lock host_check()
        -- takes on it.  So a host written concurrently is either committed
        -- before this UPDATE got its row lock (and, under READ COMMITTED,
        -- the query below, which takes a new snapshot, sees it), or its
        -- check waits for this transaction and reads the new regex.  Under
        -- REPEATABLE READ or SERIALIZABLE the query below would read the
        -- transaction's snapshot, taken before that wait, and miss such a
        -- host (SERIALIZABLE's own checks do not cover a writer at READ
        -- COMMITTED), so the change is refused there.
        IF current_setting('transaction_isolation') <> 'read committed' THEN
            RAISE EXCEPTION 'hostname_regex of environment % can only change under READ COMMITTED',
                mountaineer.excerpt(NEW.name)
                USING ERRCODE = 'invalid_transaction_state',
                      DETAIL = 'A transaction snapshot cannot see the hosts other sessions add while this change waits for them.';
        END IF;
        SELECT min(h.hostname), count(*) INTO bad, n
          FROM mountaineer.host h
         WHERE h.environment_id = NEW.id
           AND h.hostname !~ ('^(?:' || NEW.hostname_regex || ')$');
        IF n > 0 THEN
            RAISE EXCEPTION 'hostname_regex % of environment % does not match % of its hosts, e.g. %',
                mountaineer.excerpt(NEW.hostname_regex), mountaineer.excerpt(NEW.name), n, mountaineer.excerpt(bad)
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.environment_check() IS
    'Trigger: hostname_regex is a valid regular expression that every host of the environment matches; it changes only under READ COMMITTED (else 25000).';
REVOKE EXECUTE ON FUNCTION mountaineer.environment_check() FROM PUBLIC;

CREATE TABLE mountaineer.role (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL UNIQUE CONSTRAINT role_name_check CHECK (mountaineer.is_valid_name(name)),
    description text CONSTRAINT role_description_check CHECK (mountaineer.is_valid_name(description, 200))
);
COMMENT ON TABLE mountaineer.role IS 'What a host does; the name matches a configuration-management state.';
SELECT mountaineer.manage_table('mountaineer.role');

CREATE TYPE mountaineer.cluster_kind AS ENUM
    ('vmware', 'kvm', 'proxmox', 'kubernetes', 'ecs', 'ec2', 'nomad', 'docker', 'other');
COMMENT ON TYPE mountaineer.cluster_kind IS 'The software that schedules a cluster''s virtual machines or containers.';

CREATE TABLE mountaineer.cluster (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL UNIQUE CONSTRAINT cluster_name_check CHECK (mountaineer.is_valid_name(name)),
    description text CONSTRAINT cluster_description_check CHECK (mountaineer.is_valid_name(description, 200)),
    kind        mountaineer.cluster_kind NOT NULL
);
COMMENT ON TABLE mountaineer.cluster IS 'A group of hosts (its members) on which virtual machines or containers are scheduled.';
SELECT mountaineer.manage_table('mountaineer.cluster');

--------------------------------------------------------------------------
-- Hosts
--------------------------------------------------------------------------
CREATE TYPE mountaineer.host_kind AS ENUM ('bare_metal', 'peripheral', 'virtual_machine', 'container');
COMMENT ON TYPE mountaineer.host_kind IS
    'bare_metal: runs on a server; peripheral: the management host of any other device; virtual_machine and container: run on a host or a cluster.';

CREATE TABLE mountaineer.host (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug             text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    hostname         text NOT NULL UNIQUE,
    environment_id   uuid NOT NULL REFERENCES mountaineer.environment ON DELETE RESTRICT,
    operating_system text CONSTRAINT host_operating_system_check CHECK (mountaineer.is_valid_name(operating_system)),
    kind             mountaineer.host_kind NOT NULL DEFAULT 'virtual_machine',
    -- one host on a device: its operating system (bare_metal) or management
    -- system (peripheral); a second one runs on that host
    device_id        uuid CONSTRAINT host_device_id_key UNIQUE REFERENCES mountaineer.device ON DELETE RESTRICT,
    parent_host_id   uuid REFERENCES mountaineer.host ON DELETE RESTRICT,
    cluster_id       uuid REFERENCES mountaineer.cluster ON DELETE RESTRICT,
    CONSTRAINT host_one_parent CHECK (num_nonnulls(device_id, parent_host_id, cluster_id) = 1),
    CONSTRAINT host_not_own_parent CHECK (parent_host_id <> id)
);
CREATE INDEX host_environment_idx ON mountaineer.host (environment_id);
CREATE INDEX host_parent_idx ON mountaineer.host (parent_host_id);
CREATE INDEX host_cluster_idx ON mountaineer.host (cluster_id);
COMMENT ON TABLE mountaineer.host IS
    'A running operating system: on hardware (device_id, at most one host per device), on another host (parent_host_id: a static VM or a container), or scheduled on a cluster (cluster_id); exactly one of the three.';
COMMENT ON COLUMN mountaineer.host.hostname IS 'Fully qualified domain name, stored in lower case; must match its environment''s hostname_regex.';
COMMENT ON COLUMN mountaineer.host.kind IS
    'Derived on every write: bare_metal on a server, peripheral on any other device, else virtual_machine — unless the writer says container (on a host or cluster only).';
SELECT mountaineer.manage_table('mountaineer.host');

-- (1.7) This is the rule as written, and its refusals' words: the trigger
-- runs host_check() (C, after it), which answers a host on no device whose
-- parent does not change and hands every other row to this function, run
-- as its own trigger call.
CREATE FUNCTION mountaineer.host_check_full() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    env   mountaineer.environment;
    dname text;
    dkind mountaineer.device_kind;
    other text;
    above uuid;
    seen  uuid[] := '{}'::uuid[];
BEGIN
    NEW.hostname := mountaineer.normalize_hostname(NEW.hostname);

    -- The environment's regex, read FOR SHARE: an UPDATE of the environment
    -- waits for this transaction (and environment_check() then sees this
    -- host), or this waits for it and reads the committed regex.
    IF TG_OP = 'INSERT' OR NEW.hostname IS DISTINCT FROM OLD.hostname
       OR NEW.environment_id IS DISTINCT FROM OLD.environment_id THEN
        SELECT * INTO env FROM mountaineer.environment WHERE id = NEW.environment_id FOR SHARE;
        IF FOUND AND NEW.hostname !~ ('^(?:' || env.hostname_regex || ')$') THEN
            RAISE EXCEPTION 'hostname % does not match environment % (hostname_regex %)',
                mountaineer.excerpt(NEW.hostname), mountaineer.excerpt(env.name), mountaineer.excerpt(env.hostname_regex)
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;

    IF NEW.device_id IS NOT NULL THEN
        IF NEW.kind = 'container' THEN
            RAISE EXCEPTION 'container % must run on a host or a cluster, not directly on a device', mountaineer.excerpt(NEW.hostname)
                USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP = 'INSERT' OR NEW.device_id IS DISTINCT FROM OLD.device_id THEN
            -- FOR SHARE: a change of the device's kind waits for this
            -- transaction (and device_rederive_host_kind() then sees this
            -- host), or this waits for it and reads the new kind.  Later
            -- writes of this host are ordered by its own row lock.
            SELECT d.name, d.kind INTO dname, dkind FROM mountaineer.device d WHERE d.id = NEW.device_id FOR SHARE;
            -- host_device_id_key says it too (and is what holds between
            -- concurrent writers); this says it naming the host
            SELECT h.hostname INTO other FROM mountaineer.host h WHERE h.device_id = NEW.device_id AND h.id <> NEW.id;
            IF FOUND THEN
                RAISE EXCEPTION 'device % already has host %', mountaineer.excerpt(dname), mountaineer.excerpt(other)
                    USING ERRCODE = 'unique_violation',
                          DETAIL = 'A device runs one host: its operating system (bare_metal) or its management system (peripheral).',
                          HINT = 'Another operating system on that hardware runs on its host: set parent_host_id instead.';
            END IF;
        ELSE
            SELECT d.kind INTO dkind FROM mountaineer.device d WHERE d.id = NEW.device_id;
        END IF;
        NEW.kind := CASE WHEN dkind = 'server' THEN 'bare_metal'::mountaineer.host_kind ELSE 'peripheral'::mountaineer.host_kind END;
    ELSIF NEW.kind <> 'container' THEN
        NEW.kind := 'virtual_machine';
    END IF;

    -- A host cannot end up below itself.  Walk up from the new parent,
    -- reading each host FOR SHARE: none of them can change its parent until
    -- this transaction ends (and, under REPEATABLE READ, one changed since
    -- the snapshot fails with 40001 rather than being misread).  A row of
    -- this statement counts (a multi-row INSERT or UPDATE cannot close a
    -- cycle among its own rows); host_lock_moves() makes concurrent moves
    -- wait for each other instead of deadlocking.  A parent that is the host
    -- itself is left to host_not_own_parent.
    IF NEW.parent_host_id IS NOT NULL AND NEW.parent_host_id <> NEW.id
       AND (TG_OP = 'INSERT' OR NEW.parent_host_id IS DISTINCT FROM OLD.parent_host_id) THEN
        above := NEW.parent_host_id;
        WHILE above IS NOT NULL AND NOT above = ANY (seen) LOOP
            IF above = NEW.id THEN
                RAISE EXCEPTION 'host % cannot run on %: that host runs on it',
                    mountaineer.excerpt(NEW.hostname),
                    mountaineer.excerpt((SELECT h.hostname FROM mountaineer.host h WHERE h.id = NEW.parent_host_id))
                    USING ERRCODE = 'check_violation';
            END IF;
            seen := seen || above;
            SELECT h.parent_host_id INTO above FROM mountaineer.host h WHERE h.id = above FOR SHARE;
        END LOOP;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.host_check_full() IS
    'Internal (1.7): host_check() as PL/pgSQL, which host_check() runs as its own trigger call for every row it does not answer itself (on a device, given a new parent, a hostname its environment refuses).';
REVOKE EXECUTE ON FUNCTION mountaineer.host_check_full() FROM PUBLIC;

-- (1.7) The check in C (src/host.c): a host on no device whose parent does
-- not change has its hostname normalized, matched against its
-- environment's regex (the environment locked FOR SHARE once per
-- transaction, then read by a btree probe) and its kind derived, as
-- host_check_full() does; every other row goes to host_check_full().
CREATE FUNCTION mountaineer.host_check() RETURNS trigger
    LANGUAGE C
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_host_check';
COMMENT ON FUNCTION mountaineer.host_check() IS
    'Trigger: normalizes and validates the hostname, checks it against the environment''s regex, derives the kind, refuses a second host on a device and parent cycles; locks what it reads (see README, Concurrency). (1.7) C for a host on no device whose parent does not change; any other row is checked by host_check_full().';
REVOKE EXECUTE ON FUNCTION mountaineer.host_check() FROM PUBLIC;
CREATE TRIGGER check_host BEFORE INSERT OR UPDATE ON mountaineer.host
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.host')) EXECUTE FUNCTION mountaineer.host_check();

-- The lock that moves of hosts onto hosts take in turn: one row, locked FOR
-- UPDATE by host_lock_moves().  A row lock, not an advisory lock: any role
-- may take an advisory lock whose key it has read (here or in pg_locks) and
-- so stall every move, while locking this row needs UPDATE on the table,
-- which no role but the owner has.  It holds no inventory, so it is not
-- dumped (CREATE EXTENSION makes its row) nor published.
CREATE TABLE mountaineer.host_move_lock (
    only_row boolean PRIMARY KEY DEFAULT true CONSTRAINT host_move_lock_only_row_check CHECK (only_row)
);
COMMENT ON TABLE mountaineer.host_move_lock IS
    'Lock: the one row that an UPDATE of host.parent_host_id locks (host_lock_moves()), so that moves of hosts onto hosts take turns.';
INSERT INTO mountaineer.host_move_lock DEFAULT VALUES;
GRANT SELECT ON mountaineer.host_move_lock TO mountaineer_reader;

-- Moves of hosts onto hosts (UPDATE ... SET parent_host_id) take turns: each
-- statement waits here, before it locks any row, for every transaction that
-- moved hosts to end.  Without it, A -> B and B -> A updated at once would
-- each lock its own row, then wait for the other's in host_check()'s walk:
-- a deadlock.  With it, the second waits, then finds the cycle.
CREATE FUNCTION mountaineer.host_lock_moves() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER   -- the lock row is the owner's to lock
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM FROM mountaineer.host_move_lock FOR UPDATE;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.host_lock_moves() IS
    'Statement trigger: an UPDATE that sets host.parent_host_id locks, before it locks any row, the one row of host_move_lock, so that moves of hosts onto hosts take turns.';
REVOKE EXECUTE ON FUNCTION mountaineer.host_lock_moves() FROM PUBLIC;
CREATE TRIGGER lock_moves BEFORE UPDATE OF parent_host_id ON mountaineer.host
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.host_lock_moves();

-- A device that changes kind (other -> server) changes its host's kind.  A
-- host being put on the device holds it FOR SHARE (host_check()), so this
-- UPDATE of the device waited for it, and under READ COMMITTED the UPDATE
-- below, which takes a new snapshot, sees it; a transaction snapshot
-- (REPEATABLE READ, SERIALIZABLE) would not, so the change is refused there.
CREATE FUNCTION mountaineer.device_rederive_host_kind() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'device % can only change kind under READ COMMITTED', mountaineer.excerpt(NEW.name)
            USING ERRCODE = 'invalid_transaction_state',
                  DETAIL = 'A transaction snapshot cannot see a host another session puts on the device while this change waits for it.';
    END IF;
    UPDATE mountaineer.host SET kind = kind WHERE device_id = NEW.id;   -- host_check derives it again
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.device_rederive_host_kind() IS
    'Trigger: when a device changes kind, its host''s kind (bare_metal or peripheral) is derived again; the change is made only under READ COMMITTED (else 25000).';
REVOKE EXECUTE ON FUNCTION mountaineer.device_rederive_host_kind() FROM PUBLIC;
CREATE TRIGGER rederive_host_kind AFTER UPDATE OF kind ON mountaineer.device
    FOR EACH ROW WHEN (NEW.kind IS DISTINCT FROM OLD.kind)
    EXECUTE FUNCTION mountaineer.device_rederive_host_kind();

CREATE TRIGGER check_environment BEFORE INSERT OR UPDATE ON mountaineer.environment
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.environment')) EXECUTE FUNCTION mountaineer.environment_check();

-- Deleting something that hosts still need is refused, naming them.
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.environment
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.cluster
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.host
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

CREATE TABLE mountaineer.cluster_member (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug    text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    cluster_id uuid NOT NULL REFERENCES mountaineer.cluster ON DELETE CASCADE,
    host_id    uuid NOT NULL REFERENCES mountaineer.host ON DELETE CASCADE,
    UNIQUE (cluster_id, host_id)
);
CREATE INDEX cluster_member_host_idx ON mountaineer.cluster_member (host_id);
COMMENT ON TABLE mountaineer.cluster_member IS 'The hosts a cluster is made of (not the ones scheduled on it).';
SELECT mountaineer.manage_table('mountaineer.cluster_member');

CREATE TABLE mountaineer.host_role (
    id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug    text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    host_id uuid NOT NULL REFERENCES mountaineer.host ON DELETE CASCADE,
    role_id uuid NOT NULL REFERENCES mountaineer.role ON DELETE RESTRICT,
    UNIQUE (host_id, role_id)
);
CREATE INDEX host_role_role_idx ON mountaineer.host_role (role_id);
COMMENT ON TABLE mountaineer.host_role IS 'The roles a host has.';
SELECT mountaineer.manage_table('mountaineer.host_role');
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.role
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

CREATE TABLE mountaineer.grain (
    id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug    text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    host_id uuid NOT NULL REFERENCES mountaineer.host ON DELETE CASCADE,
    name    text NOT NULL CONSTRAINT grain_name_not_reserved CHECK (name <> '' AND name NOT IN ('environment', 'roles'))
                     CONSTRAINT grain_name_check CHECK (mountaineer.is_valid_name(name)),
    value   jsonb NOT NULL CONSTRAINT grain_value_check CHECK (pg_column_size(value) <= 65536),
    UNIQUE (host_id, name)
);
COMMENT ON TABLE mountaineer.grain IS
    'A configuration-management fact about a host (a Salt grain): any JSON value. environment and roles are reserved: host_grains() supplies them.';
SELECT mountaineer.manage_table('mountaineer.grain');

CREATE TABLE mountaineer.monitoring_exception (
    id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug    text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    host_id   uuid NOT NULL REFERENCES mountaineer.host ON DELETE CASCADE,
    monitored boolean NOT NULL,
    during    tstzrange NOT NULL CONSTRAINT monitoring_exception_not_empty CHECK (NOT isempty(during)),
    reason    text CONSTRAINT monitoring_exception_reason_check CHECK (mountaineer.is_valid_name(reason, 200)),
    CONSTRAINT monitoring_exception_no_overlap EXCLUDE USING gist (host_id WITH =, during WITH &&)
);
COMMENT ON TABLE mountaineer.monitoring_exception IS
    'A period in which a host is (or is not) monitored regardless of its environment''s default, e.g. maintenance; one host''s periods never overlap.';
SELECT mountaineer.manage_table('mountaineer.monitoring_exception');

--------------------------------------------------------------------------
-- Functions
--------------------------------------------------------------------------
CREATE FUNCTION mountaineer.host_monitored(host_id uuid, at timestamptz DEFAULT now()) RETURNS boolean
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result boolean;
BEGIN
    SELECT coalesce(x.monitored, e.monitored) INTO result
      FROM mountaineer.host h
      JOIN mountaineer.environment e ON e.id = h.environment_id
      LEFT JOIN mountaineer.monitoring_exception x ON x.host_id = h.id AND x.during @> $2
     WHERE h.id = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no host with id %', $1 USING ERRCODE = 'no_data_found';
    END IF;
    RETURN result;
END
$$;
COMMENT ON FUNCTION mountaineer.host_monitored(uuid, timestamptz) IS
    'Whether the host is monitored at that moment: the exception covering it if any, else its environment''s default; P0002 for an unknown host.';

CREATE FUNCTION mountaineer.host_grains(host_id uuid) RETURNS jsonb
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result jsonb;
BEGIN
    SELECT coalesce((SELECT jsonb_object_agg(g.name, g.value) FROM mountaineer.grain g WHERE g.host_id = h.id), '{}')
           || jsonb_build_object(
                  'environment', e.name,
                  'roles', coalesce((SELECT jsonb_agg(r.name ORDER BY r.name)
                                       FROM mountaineer.host_role hr JOIN mountaineer.role r ON r.id = hr.role_id
                                      WHERE hr.host_id = h.id), '[]'))
      INTO result
      FROM mountaineer.host h
      JOIN mountaineer.environment e ON e.id = h.environment_id
     WHERE h.id = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no host with id %', $1 USING ERRCODE = 'no_data_found';
    END IF;
    RETURN result;
END
$$;
COMMENT ON FUNCTION mountaineer.host_grains(uuid) IS
    'The host''s grains as one JSON object, plus "environment" (its name) and "roles" (sorted names), as configuration management reads them; P0002 for an unknown host, NULL for a NULL id.';

--------------------------------------------------------------------------
-- Views
--------------------------------------------------------------------------
CREATE VIEW mountaineer.host_detail AS
SELECT h.id, h.slug, h.hostname,
       mountaineer.host_shortname(h.hostname) AS shortname,
       mountaineer.host_domain(h.hostname) AS domain,
       h.kind, e.name AS environment, h.operating_system,
       coalesce(x.monitored, e.monitored) AS monitored_now,
       coalesce((SELECT array_agg(r.name ORDER BY r.name)
                   FROM mountaineer.host_role hr JOIN mountaineer.role r ON r.id = hr.role_id
                  WHERE hr.host_id = h.id), '{}') AS roles,
       coalesce(up.chain, '{}') AS parent_hosts,
       c.name AS cluster,
       d.name AS device, d.kind AS device_kind,
       s.name AS site, r.name AS rack, d.position
FROM mountaineer.host h
JOIN mountaineer.environment e ON e.id = h.environment_id
LEFT JOIN mountaineer.monitoring_exception x ON x.host_id = h.id AND x.during @> now()
-- walk up the parent hosts to the one that runs on a device or a cluster
LEFT JOIN LATERAL (
    WITH RECURSIVE up AS (
        SELECT p.id, p.parent_host_id, p.device_id, p.cluster_id, p.hostname, 1 AS depth
          FROM mountaineer.host p WHERE p.id = h.parent_host_id
        UNION ALL
        SELECT p.id, p.parent_host_id, p.device_id, p.cluster_id, p.hostname, up.depth + 1
          FROM up JOIN mountaineer.host p ON p.id = up.parent_host_id
         WHERE up.depth < 100
    )
    SELECT array_agg(up.hostname ORDER BY up.depth) AS chain,
           (array_agg(up.device_id ORDER BY up.depth DESC))[1] AS device_id,
           (array_agg(up.cluster_id ORDER BY up.depth DESC))[1] AS cluster_id
      FROM up
) up ON true
LEFT JOIN mountaineer.cluster c ON c.id = coalesce(h.cluster_id, up.cluster_id)
LEFT JOIN mountaineer.device d ON d.id = coalesce(h.device_id, up.device_id)
LEFT JOIN mountaineer.rack r ON r.id = d.rack_id
LEFT JOIN mountaineer.site s ON s.id = r.site_id;
COMMENT ON VIEW mountaineer.host_detail IS
    'Each host with its environment, roles, whether it is monitored now, the hosts it runs on (nearest first), and the cluster or the device, rack, site and position at the bottom of that chain.';

CREATE VIEW mountaineer.cluster_detail AS
SELECT c.id, c.slug, c.name, c.kind, c.description,
       coalesce(m.hosts, '{}') AS members, coalesce(m.n, 0) AS member_count,
       coalesce(sch.hosts, '{}') AS scheduled, coalesce(sch.n, 0) AS scheduled_count
FROM mountaineer.cluster c
LEFT JOIN LATERAL (
    SELECT array_agg(h.hostname ORDER BY h.hostname) AS hosts, count(*) AS n
      FROM mountaineer.cluster_member cm JOIN mountaineer.host h ON h.id = cm.host_id
     WHERE cm.cluster_id = c.id
) m ON true
LEFT JOIN LATERAL (
    SELECT array_agg(h.hostname ORDER BY h.hostname) AS hosts, count(*) AS n
      FROM mountaineer.host h WHERE h.cluster_id = c.id
) sch ON true;
COMMENT ON VIEW mountaineer.cluster_detail IS
    'Each cluster with its member hosts and the virtual machines or containers scheduled on it.';

GRANT SELECT ON mountaineer.host_detail, mountaineer.cluster_detail TO mountaineer_reader;

-- == BI views (1.4) ==
-- What a dashboard asks of the hosts: how many there are per environment
-- and role, of each kind, and how many are monitored now.
CREATE VIEW mountaineer.host_summary AS
SELECT e.name AS environment, r.name AS role,
       count(*) AS hosts,
       count(*) FILTER (WHERE h.kind = 'bare_metal') AS bare_metal,
       count(*) FILTER (WHERE h.kind = 'virtual_machine') AS virtual_machines,
       count(*) FILTER (WHERE h.kind = 'container') AS containers,
       count(*) FILTER (WHERE h.kind = 'peripheral') AS peripherals,
       count(*) FILTER (WHERE coalesce(x.monitored, e.monitored)) AS monitored_now
FROM mountaineer.host h
JOIN mountaineer.environment e ON e.id = h.environment_id
LEFT JOIN mountaineer.host_role hr ON hr.host_id = h.id
LEFT JOIN mountaineer.role r ON r.id = hr.role_id
-- a host's monitoring exceptions never overlap: at most one covers now()
LEFT JOIN mountaineer.monitoring_exception x ON x.host_id = h.id AND x.during @> now()
GROUP BY e.name, r.name;
COMMENT ON VIEW mountaineer.host_summary IS
    'For BI tools: per environment and role, how many hosts there are, of each kind, and how many are monitored now. A host with several roles counts once under each; hosts with no role are under role NULL; environments without hosts have no row.';
COMMENT ON COLUMN mountaineer.host_summary.environment IS 'The environment''s name.';
COMMENT ON COLUMN mountaineer.host_summary.role IS 'The role''s name; NULL for the hosts of the environment that have no role.';
COMMENT ON COLUMN mountaineer.host_summary.hosts IS 'How many hosts of the environment have the role.';
COMMENT ON COLUMN mountaineer.host_summary.bare_metal IS 'How many of them are bare metal (an operating system on a server).';
COMMENT ON COLUMN mountaineer.host_summary.virtual_machines IS 'How many of them are virtual machines (on a host or scheduled on a cluster).';
COMMENT ON COLUMN mountaineer.host_summary.containers IS 'How many of them are containers.';
COMMENT ON COLUMN mountaineer.host_summary.peripherals IS 'How many of them are peripherals (the management system of a device other than a server).';
COMMENT ON COLUMN mountaineer.host_summary.monitored_now IS 'How many of them are monitored now: by their monitoring exception covering now(), else by their environment''s default.';
GRANT SELECT ON mountaineer.host_summary TO mountaineer_reader;

-- == column comments (1.4) ==
-- Every column carries a COMMENT: PostgREST's OpenAPI document (GET /) and
-- psql's \d+ describe the API from them (test/catalog.sql checks it).  The
-- columns commented since 1.0 keep their comments.
COMMENT ON COLUMN mountaineer.environment.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.environment.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.environment.description IS 'Free text, one line of at most 200 characters; NULL for none.';
COMMENT ON COLUMN mountaineer.role.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.role.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.role.name IS 'Unique; the configuration-management state it stands for (e.g. web, db); a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.role.description IS 'Free text, one line of at most 200 characters; NULL for none.';
COMMENT ON COLUMN mountaineer.cluster.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.cluster.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.cluster.name IS 'Unique; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.cluster.description IS 'Free text, one line of at most 200 characters; NULL for none.';
COMMENT ON COLUMN mountaineer.cluster.kind IS 'The software that schedules its guests: vmware, kvm, proxmox, kubernetes, ecs, nomad, docker or other.';
COMMENT ON COLUMN mountaineer.host.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.host.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.host.environment_id IS 'The environment it belongs to (environment.id); its hostname must match the environment''s hostname_regex.';
COMMENT ON COLUMN mountaineer.host.operating_system IS 'Operating system, free text (e.g. debian 12); a name, NULL when unknown.';
COMMENT ON COLUMN mountaineer.host.device_id IS 'Parent, for bare metal and peripherals: the device it runs on (device.id), at most one host per device. Exactly one of device_id, parent_host_id and cluster_id is set.';
COMMENT ON COLUMN mountaineer.host.parent_host_id IS 'Parent, for a static virtual machine or a container: the host it runs on (host.id), never itself or one of its own guests. Exactly one of device_id, parent_host_id and cluster_id is set.';
COMMENT ON COLUMN mountaineer.host.cluster_id IS 'Parent, for a guest scheduled on a cluster: the cluster (cluster.id). Exactly one of device_id, parent_host_id and cluster_id is set.';
COMMENT ON COLUMN mountaineer.host_move_lock.only_row IS 'Always true: the table''s one row, which moves of hosts onto hosts lock to take turns. Not data.';
COMMENT ON COLUMN mountaineer.cluster_member.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.cluster_member.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.cluster_member.cluster_id IS 'The cluster (cluster.id); deleting it deletes its memberships.';
COMMENT ON COLUMN mountaineer.cluster_member.host_id IS 'The member host (host.id), once per cluster; deleting the host deletes its memberships.';
COMMENT ON COLUMN mountaineer.host_role.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.host_role.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.host_role.host_id IS 'The host (host.id); deleting it deletes its roles.';
COMMENT ON COLUMN mountaineer.host_role.role_id IS 'The role it has (role.id), once per host; a role that hosts have cannot be deleted.';
COMMENT ON COLUMN mountaineer.grain.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.grain.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.grain.host_id IS 'The host (host.id); deleting it deletes its grains.';
COMMENT ON COLUMN mountaineer.grain.name IS 'Grain name, unique per host (e.g. mem_total); a name, not environment or roles (host_grains() derives those).';
COMMENT ON COLUMN mountaineer.grain.value IS 'Grain value as configuration management reports it: any JSON, at most 64 kB.';
COMMENT ON COLUMN mountaineer.monitoring_exception.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.monitoring_exception.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.monitoring_exception.host_id IS 'The host (host.id); deleting it deletes its exceptions.';
COMMENT ON COLUMN mountaineer.monitoring_exception.monitored IS 'Whether the host is monitored during the period, whatever its environment says (false: a maintenance window).';
COMMENT ON COLUMN mountaineer.monitoring_exception.during IS 'The period, a non-empty timestamp range, e.g. [2026-12-01 22:00Z,2026-12-02 02:00Z); one host''s periods never overlap.';
COMMENT ON COLUMN mountaineer.monitoring_exception.reason IS 'Why, e.g. a change ticket; one line of at most 200 characters, NULL for none.';

COMMENT ON COLUMN mountaineer.host_detail.id IS 'The host''s id.';
COMMENT ON COLUMN mountaineer.host_detail.slug IS 'The host''s slug.';
COMMENT ON COLUMN mountaineer.host_detail.hostname IS 'The host''s fully qualified domain name.';
COMMENT ON COLUMN mountaineer.host_detail.shortname IS 'The hostname''s first label (web1 of web1.prod.example.com).';
COMMENT ON COLUMN mountaineer.host_detail.domain IS 'The hostname without its first label (prod.example.com).';
COMMENT ON COLUMN mountaineer.host_detail.kind IS 'bare_metal, peripheral, virtual_machine or container.';
COMMENT ON COLUMN mountaineer.host_detail.environment IS 'The name of its environment.';
COMMENT ON COLUMN mountaineer.host_detail.operating_system IS 'Its operating system, NULL when unknown.';
COMMENT ON COLUMN mountaineer.host_detail.monitored_now IS 'Whether it is monitored now: its monitoring exception covering now(), else its environment''s default.';
COMMENT ON COLUMN mountaineer.host_detail.roles IS 'The names of its roles, sorted; empty when none.';
COMMENT ON COLUMN mountaineer.host_detail.parent_hosts IS 'The hostnames of the hosts it runs on, nearest first; empty for a host on a device or a cluster.';
COMMENT ON COLUMN mountaineer.host_detail.cluster IS 'The name of the cluster at the bottom of its chain of parents, if any.';
COMMENT ON COLUMN mountaineer.host_detail.device IS 'The name of the device at the bottom of its chain of parents, if any.';
COMMENT ON COLUMN mountaineer.host_detail.device_kind IS 'That device''s kind.';
COMMENT ON COLUMN mountaineer.host_detail.site IS 'The name of that device''s site; NULL when it is not racked.';
COMMENT ON COLUMN mountaineer.host_detail.rack IS 'The name of that device''s rack; NULL when it is not racked.';
COMMENT ON COLUMN mountaineer.host_detail.position IS 'That device''s units and face in its rack, e.g. U1/full.';
COMMENT ON COLUMN mountaineer.cluster_detail.id IS 'The cluster''s id.';
COMMENT ON COLUMN mountaineer.cluster_detail.slug IS 'The cluster''s slug.';
COMMENT ON COLUMN mountaineer.cluster_detail.name IS 'The cluster''s name.';
COMMENT ON COLUMN mountaineer.cluster_detail.kind IS 'The software that schedules its guests.';
COMMENT ON COLUMN mountaineer.cluster_detail.description IS 'The cluster''s description.';
COMMENT ON COLUMN mountaineer.cluster_detail.members IS 'The hostnames of the hosts it is made of (cluster_member), sorted.';
COMMENT ON COLUMN mountaineer.cluster_detail.member_count IS 'How many hosts it is made of.';
COMMENT ON COLUMN mountaineer.cluster_detail.scheduled IS 'The hostnames of the guests scheduled on it (host.cluster_id), sorted.';
COMMENT ON COLUMN mountaineer.cluster_detail.scheduled_count IS 'How many guests are scheduled on it.';


-- == status (1.5) ==
-- A lifecycle status on hosts; the same text in the full script and the
-- upgrade script (the column is added here in both, and the views that
-- read it are replaced here).
-- It reads device.status: mountaineer_hardware 1.5 first.
DO $$
BEGIN
    IF pg_catalog.to_regtype('mountaineer.device_status') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_hosts 1.5 needs mountaineer_hardware 1.5'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer_hardware UPDATE first.';
    END IF;
END
$$;

CREATE TYPE mountaineer.host_status AS ENUM ('planned', 'staged', 'active', 'offline', 'failed', 'decommissioning');
COMMENT ON TYPE mountaineer.host_status IS
    'Lifecycle of a host: planned (to be built), staged (being installed or configured), active (in service), offline (shut down on purpose), failed (broken), decommissioning (to be removed).';

-- No rule ties it to its device's status or its parent host's (README:
-- Host status): a host is planned on a device being staged, a VM stays
-- active while its hypervisor is being drained.
ALTER TABLE mountaineer.host
    ADD COLUMN status mountaineer.host_status NOT NULL DEFAULT 'active';
COMMENT ON COLUMN mountaineer.host.status IS 'planned, staged, active (the default), offline, failed or decommissioning.';

CREATE OR REPLACE VIEW mountaineer.host_detail AS
SELECT h.id, h.slug, h.hostname,
       mountaineer.host_shortname(h.hostname) AS shortname,
       mountaineer.host_domain(h.hostname) AS domain,
       h.kind, e.name AS environment, h.operating_system,
       coalesce(x.monitored, e.monitored) AS monitored_now,
       coalesce((SELECT array_agg(r.name ORDER BY r.name)
                   FROM mountaineer.host_role hr JOIN mountaineer.role r ON r.id = hr.role_id
                  WHERE hr.host_id = h.id), '{}') AS roles,
       coalesce(up.chain, '{}') AS parent_hosts,
       c.name AS cluster,
       d.name AS device, d.kind AS device_kind,
       s.name AS site, r.name AS rack, d.position,
       h.status, d.status AS device_status
FROM mountaineer.host h
JOIN mountaineer.environment e ON e.id = h.environment_id
LEFT JOIN mountaineer.monitoring_exception x ON x.host_id = h.id AND x.during @> now()
-- walk up the parent hosts to the one that runs on a device or a cluster
LEFT JOIN LATERAL (
    WITH RECURSIVE up AS (
        SELECT p.id, p.parent_host_id, p.device_id, p.cluster_id, p.hostname, 1 AS depth
          FROM mountaineer.host p WHERE p.id = h.parent_host_id
        UNION ALL
        SELECT p.id, p.parent_host_id, p.device_id, p.cluster_id, p.hostname, up.depth + 1
          FROM up JOIN mountaineer.host p ON p.id = up.parent_host_id
         WHERE up.depth < 100
    )
    SELECT array_agg(up.hostname ORDER BY up.depth) AS chain,
           (array_agg(up.device_id ORDER BY up.depth DESC))[1] AS device_id,
           (array_agg(up.cluster_id ORDER BY up.depth DESC))[1] AS cluster_id
      FROM up
) up ON true
LEFT JOIN mountaineer.cluster c ON c.id = coalesce(h.cluster_id, up.cluster_id)
LEFT JOIN mountaineer.device d ON d.id = coalesce(h.device_id, up.device_id)
LEFT JOIN mountaineer.rack r ON r.id = d.rack_id
LEFT JOIN mountaineer.site s ON s.id = r.site_id;
COMMENT ON COLUMN mountaineer.host_detail.status IS 'The host''s status: planned, staged, active, offline, failed or decommissioning.';
COMMENT ON COLUMN mountaineer.host_detail.device_status IS 'The status of the device at the bottom of its chain (planned, staged, active, offline, failed, inventory or decommissioning); NULL when it runs on a cluster.';

CREATE OR REPLACE VIEW mountaineer.host_summary AS
SELECT e.name AS environment, r.name AS role,
       count(*) AS hosts,
       count(*) FILTER (WHERE h.kind = 'bare_metal') AS bare_metal,
       count(*) FILTER (WHERE h.kind = 'virtual_machine') AS virtual_machines,
       count(*) FILTER (WHERE h.kind = 'container') AS containers,
       count(*) FILTER (WHERE h.kind = 'peripheral') AS peripherals,
       count(*) FILTER (WHERE coalesce(x.monitored, e.monitored)) AS monitored_now,
       count(*) FILTER (WHERE h.status = 'active') AS active,
       count(*) FILTER (WHERE h.status = 'planned') AS planned,
       count(*) FILTER (WHERE h.status = 'decommissioning') AS decommissioning
FROM mountaineer.host h
JOIN mountaineer.environment e ON e.id = h.environment_id
LEFT JOIN mountaineer.host_role hr ON hr.host_id = h.id
LEFT JOIN mountaineer.role r ON r.id = hr.role_id
-- a host's monitoring exceptions never overlap: at most one covers now()
LEFT JOIN mountaineer.monitoring_exception x ON x.host_id = h.id AND x.during @> now()
GROUP BY e.name, r.name;
COMMENT ON VIEW mountaineer.host_summary IS
    'For BI tools: per environment and role, how many hosts there are (of any status; how many are active, planned and decommissioning), of each kind, and how many are monitored now. A host with several roles counts once under each; hosts with no role are under role NULL; environments without hosts have no row.';
COMMENT ON COLUMN mountaineer.host_summary.active IS 'How many of them are active.';
COMMENT ON COLUMN mountaineer.host_summary.planned IS 'How many of them are planned.';
COMMENT ON COLUMN mountaineer.host_summary.decommissioning IS 'How many of them are decommissioning.';
-- End: status (1.5)


-- == tags and attributes (1.5) ==
-- tags and attributes on every inventory table (mountaineer.manage_attributes,
-- core 1.5); exempt: cluster_member and host_role (join rows: what they join
-- carries them), grain (facts Salt reports, not inventory) and host_move_lock
-- (derived).
SELECT mountaineer.manage_attributes('mountaineer.environment');
SELECT mountaineer.manage_attributes('mountaineer.role');
SELECT mountaineer.manage_attributes('mountaineer.cluster');
SELECT mountaineer.manage_attributes('mountaineer.host');
SELECT mountaineer.manage_attributes('mountaineer.monitoring_exception');
-- End: tags and attributes (1.5)


-- == cluster kind ec2 (1.5) ==
-- The EC2 import (mountaineer_ec2) makes one cluster of this kind per AWS
-- region.  Here it is in CREATE TYPE above (the upgrade script adds it with
-- ALTER TYPE ... ADD VALUE, whose value a restore in one transaction could
-- not use: pg_restore --single-transaction creates the extension and copies
-- the clusters in the same transaction).
-- End: cluster kind ec2 (1.5)


-- == tenants, cluster types and VM sizes (1.6) ==
-- What NetBox's virtualization app has and 1.5 had not: free-form cluster
-- types (cluster.kind stays the fixed enum of what schedules the guests), a
-- cluster's site, a VM's size, and the tenant (core 1.6) of hosts and
-- clusters.  The same text in the full script and the upgrade script, so a
-- fresh install and an upgraded one have the same columns in the same order.
CREATE TABLE mountaineer.cluster_type (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL UNIQUE CONSTRAINT cluster_type_name_check CHECK (mountaineer.is_valid_name(name)),
    description text CONSTRAINT cluster_type_description_check CHECK (mountaineer.is_valid_name(description, 200))
);
COMMENT ON TABLE mountaineer.cluster_type IS
    'A free-form type of cluster (NetBox''s cluster type, e.g. "VMware vSphere 8", "Proxmox VE"); clusters name theirs in type_id. A type that clusters name cannot be deleted (23503, naming them).';
COMMENT ON COLUMN mountaineer.cluster_type.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.cluster_type.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.cluster_type.name IS 'Unique; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.cluster_type.description IS 'Free text, at most 200 characters.';
SELECT mountaineer.manage_table('mountaineer.cluster_type');
SELECT mountaineer.manage_attributes('mountaineer.cluster_type');
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.cluster_type
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

ALTER TABLE mountaineer.cluster
    ADD COLUMN type_id uuid REFERENCES mountaineer.cluster_type ON DELETE RESTRICT,
    ADD COLUMN site_id uuid REFERENCES mountaineer.site ON DELETE RESTRICT,
    ADD COLUMN tenant_id uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT;
CREATE INDEX cluster_type_idx ON mountaineer.cluster (type_id);
CREATE INDEX cluster_site_idx ON mountaineer.cluster (site_id);
CREATE INDEX cluster_tenant_idx ON mountaineer.cluster (tenant_id);
COMMENT ON COLUMN mountaineer.cluster.type_id IS 'Its free-form type (cluster_type), e.g. NetBox''s cluster type; NULL: none. kind says what schedules it.';
COMMENT ON COLUMN mountaineer.cluster.site_id IS 'The site it stands at; NULL: not at one site (spread over several, or in a cloud).';
COMMENT ON COLUMN mountaineer.cluster.tenant_id IS 'Whom it is for (tenant); NULL: nobody in particular.';

-- Sizes only on guests, as NetBox has them on virtual machines only: a
-- bare-metal host's or a peripheral's size is its hardware's.  kind is
-- derived by host_check() (BEFORE), so the CHECK sees the derived kind: a
-- guest with sizes moved onto a device is refused until they are cleared.
ALTER TABLE mountaineer.host
    ADD COLUMN vcpus numeric(7,2) CONSTRAINT host_vcpus_check CHECK (vcpus > 0),
    ADD COLUMN memory_mb integer CONSTRAINT host_memory_mb_check CHECK (memory_mb >= 0),
    ADD COLUMN disk_mb bigint CONSTRAINT host_disk_mb_check CHECK (disk_mb >= 0),
    ADD COLUMN tenant_id uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT,
    ADD CONSTRAINT host_sizes_guests_only
        CHECK (kind IN ('virtual_machine', 'container') OR num_nonnulls(vcpus, memory_mb, disk_mb) = 0);
CREATE INDEX host_tenant_idx ON mountaineer.host (tenant_id);
COMMENT ON COLUMN mountaineer.host.vcpus IS 'Virtual CPUs given to a virtual machine or container (more than 0, two decimals: 0.5 is half a CPU); NULL: unknown, and always on bare_metal and peripheral hosts.';
COMMENT ON COLUMN mountaineer.host.memory_mb IS 'Memory given to a virtual machine or container, in MB as NetBox stores it (at least 0); NULL: unknown, and always on bare_metal and peripheral hosts.';
COMMENT ON COLUMN mountaineer.host.disk_mb IS 'Disk given to a virtual machine or container, in MB as NetBox 4.1 counts it (NetBox 3.7 counts GB: the NetBox import converts), at least 0; NULL: unknown, and always on bare_metal and peripheral hosts.';
COMMENT ON COLUMN mountaineer.host.tenant_id IS 'Whom it is for (tenant); NULL: nobody in particular.';
COMMENT ON CONSTRAINT host_sizes_guests_only ON mountaineer.host IS
    'vcpus, memory_mb and disk_mb are set only on virtual machines and containers (23514).';
-- End: tenants, cluster types and VM sizes (1.6)
