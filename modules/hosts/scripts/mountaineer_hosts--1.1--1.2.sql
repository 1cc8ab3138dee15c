-- mountaineer_hosts 1.1 -> 1.2 (needs mountaineer 1.2: update it first):
-- the integrity fixes of issue 11 (see README, Versions and upgrades).
\echo Use "ALTER EXTENSION mountaineer_hosts UPDATE TO '1.2'" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regprocedure('mountaineer.upgrade_check(text,text)') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_hosts 1.2 needs mountaineer 1.2'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;

--------------------------------------------------------------------------
-- Messages quote input through mountaineer.excerpt(); host_check() and
-- environment_check() lock what they read; a device carries one host; a
-- multi-row INSERT cannot close a cycle (see README, Module mountaineer_hosts).
--------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION mountaineer.normalize_hostname(hostname text) RETURNS text
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
COMMENT ON FUNCTION mountaineer.normalize_hostname(text) IS
    'The hostname in lower case without a trailing dot, if it is a valid fully qualified DNS name (labels of 1-63 letters, digits and inner hyphens, at most 253 characters, at least two labels); otherwise 22023 naming it.';

CREATE OR REPLACE FUNCTION mountaineer.environment_check() RETURNS trigger
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

CREATE OR REPLACE FUNCTION mountaineer.host_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    env   mountaineer.environment;
    dname text;
    dkind mountaineer.device_kind;
    other text;
    above uuid;
    seen  uuid[] := '{}';
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
        NEW.kind := CASE WHEN dkind = 'server' THEN 'bare_metal' ELSE 'peripheral' END;
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
COMMENT ON FUNCTION mountaineer.host_check() IS
    'Trigger: normalizes and validates the hostname, checks it against the environment''s regex, derives the kind, refuses a second host on a device and parent cycles; locks what it reads (see README, Concurrency).';
REVOKE EXECUTE ON FUNCTION mountaineer.host_check() FROM PUBLIC;

CREATE OR REPLACE FUNCTION mountaineer.device_rederive_host_kind() RETURNS trigger
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

--------------------------------------------------------------------------
-- New rules, each checked against the rows there are before it is added.
--------------------------------------------------------------------------
SELECT mountaineer.upgrade_check('environment names are 1 to 100 characters',
    $q$SELECT 'environment ' || mountaineer.excerpt(name) FROM mountaineer.environment WHERE NOT mountaineer.is_valid_name(name)$q$);
SELECT mountaineer.upgrade_check('an environment''s hostname_regex is 1 to 1000 characters, without control characters or white space at either end',
    $q$SELECT 'environment ' || mountaineer.excerpt(name) || ': hostname_regex ' || mountaineer.excerpt(hostname_regex)
         FROM mountaineer.environment WHERE NOT mountaineer.is_valid_name(hostname_regex, 1000)$q$);
ALTER TABLE mountaineer.environment
    ADD CONSTRAINT environment_name_check CHECK (mountaineer.is_valid_name(name)),
    ADD CONSTRAINT environment_hostname_regex_check CHECK (mountaineer.is_valid_name(hostname_regex, 1000));
COMMENT ON COLUMN mountaineer.environment.name IS 'Lower-case letters, digits, - and _, starting with a letter or digit; at most 100 characters.';
COMMENT ON COLUMN mountaineer.environment.hostname_regex IS 'A POSIX regular expression every hostname of the environment must match in full (it is anchored at both ends); at most 1000 characters.';

SELECT mountaineer.upgrade_check('role names are 1 to 100 characters, without control characters or white space at either end',
    $q$SELECT 'role ' || mountaineer.excerpt(name) FROM mountaineer.role WHERE NOT mountaineer.is_valid_name(name)$q$);
ALTER TABLE mountaineer.role DROP CONSTRAINT role_name_check,
    ADD CONSTRAINT role_name_check CHECK (mountaineer.is_valid_name(name));

SELECT mountaineer.upgrade_check('cluster names are 1 to 100 characters, without control characters or white space at either end',
    $q$SELECT 'cluster ' || mountaineer.excerpt(name) FROM mountaineer.cluster WHERE NOT mountaineer.is_valid_name(name)$q$);
ALTER TABLE mountaineer.cluster DROP CONSTRAINT cluster_name_check,
    ADD CONSTRAINT cluster_name_check CHECK (mountaineer.is_valid_name(name));

SELECT mountaineer.upgrade_check('grain names are 1 to 100 characters, without control characters or white space at either end',
    $q$SELECT 'grain ' || mountaineer.excerpt(g.name) || ' of host ' || mountaineer.excerpt(h.hostname)
         FROM mountaineer.grain g JOIN mountaineer.host h ON h.id = g.host_id WHERE NOT mountaineer.is_valid_name(g.name)$q$);
ALTER TABLE mountaineer.grain
    ADD CONSTRAINT grain_name_check CHECK (mountaineer.is_valid_name(name));

SELECT mountaineer.upgrade_check('a grain''s value takes at most 64 kB',
    $q$SELECT 'grain ' || mountaineer.excerpt(g.name) || ' of host ' || mountaineer.excerpt(h.hostname) || ': ' || pg_column_size(g.value) || ' bytes'
         FROM mountaineer.grain g JOIN mountaineer.host h ON h.id = g.host_id WHERE pg_column_size(g.value) > 65536$q$);
ALTER TABLE mountaineer.grain
    ADD CONSTRAINT grain_value_check CHECK (pg_column_size(value) <= 65536);

SELECT mountaineer.upgrade_check('a host''s operating_system is 1 to 100 characters, without control characters or white space at either end',
    $q$SELECT 'host ' || mountaineer.excerpt(hostname) || ': operating_system ' || mountaineer.excerpt(operating_system)
         FROM mountaineer.host WHERE NOT mountaineer.is_valid_name(operating_system)$q$);
ALTER TABLE mountaineer.host
    ADD CONSTRAINT host_operating_system_check CHECK (mountaineer.is_valid_name(operating_system));

-- descriptions and reasons: one line of at most 200 characters, as the
-- networks module's descriptions (and NetBox's)
SELECT mountaineer.upgrade_check('descriptions (and monitoring exceptions'' reasons) are 1 to 200 characters, without control characters or white space at either end',
    $q$SELECT t || ' ' || mountaineer.excerpt(n) || ': ' || mountaineer.excerpt(d) FROM (
           SELECT 'environment', name, description FROM mountaineer.environment
           UNION ALL SELECT 'role', name, description FROM mountaineer.role
           UNION ALL SELECT 'cluster', name, description FROM mountaineer.cluster
           UNION ALL SELECT 'monitoring exception of', h.hostname, e.reason
             FROM mountaineer.monitoring_exception e JOIN mountaineer.host h ON h.id = e.host_id) x(t, n, d)
        WHERE NOT mountaineer.is_valid_name(d, 200)$q$);
ALTER TABLE mountaineer.environment
    ADD CONSTRAINT environment_description_check CHECK (mountaineer.is_valid_name(description, 200));
ALTER TABLE mountaineer.role
    ADD CONSTRAINT role_description_check CHECK (mountaineer.is_valid_name(description, 200));
ALTER TABLE mountaineer.cluster
    ADD CONSTRAINT cluster_description_check CHECK (mountaineer.is_valid_name(description, 200));
ALTER TABLE mountaineer.monitoring_exception
    ADD CONSTRAINT monitoring_exception_reason_check CHECK (mountaineer.is_valid_name(reason, 200));

SELECT mountaineer.upgrade_check('a device carries at most one host (a second operating system on it runs on that host)',
    $q$SELECT 'device ' || mountaineer.excerpt(d.name) || ': ' || string_agg(h.hostname, ', ' ORDER BY h.hostname)
         FROM mountaineer.host h JOIN mountaineer.device d ON d.id = h.device_id
        GROUP BY d.id, d.name HAVING count(*) > 1$q$);
DROP INDEX mountaineer.host_device_idx;
ALTER TABLE mountaineer.host
    ADD CONSTRAINT host_device_id_key UNIQUE (device_id);
COMMENT ON TABLE mountaineer.host IS
    'A running operating system: on hardware (device_id, at most one host per device), on another host (parent_host_id: a static VM or a container), or scheduled on a cluster (cluster_id); exactly one of the three.';

-- 1.1 checked cycles on UPDATE only, so a multi-row INSERT could make one
SELECT mountaineer.upgrade_check('a host does not run on itself, directly or through other hosts',
    $q$WITH RECURSIVE up(start, id, path) AS (
           SELECT h.id, h.parent_host_id, ARRAY[h.id] FROM mountaineer.host h WHERE h.parent_host_id IS NOT NULL
           UNION ALL
           SELECT up.start, p.parent_host_id, up.path || p.id
             FROM up JOIN mountaineer.host p ON p.id = up.id
            WHERE p.parent_host_id IS NOT NULL AND NOT p.id = ANY (up.path))
       SELECT 'host ' || mountaineer.excerpt(h.hostname) FROM mountaineer.host h
        WHERE EXISTS (SELECT FROM up WHERE up.start = h.id AND up.id = h.id)$q$);
