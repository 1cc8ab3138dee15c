-- mountaineer_hosts 1.6 -> 1.7: normalize_hostname() answers a name
-- already in normal form in C; normalize_hostname_full() (1.6's body) takes
-- every other; host_check() answers a host on no device in C, and
-- host_check_full() (1.6's body) every other.  Same results, same refusals.
\echo Use "ALTER EXTENSION mountaineer_hosts UPDATE TO '1.7'" to load this file. \quit

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
CREATE OR REPLACE FUNCTION mountaineer.normalize_hostname(hostname text) RETURNS text
    AS '$libdir/mountaineer', 'mountaineer_normalize_hostname'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.normalize_hostname(text) IS
    'The hostname in lower case without a trailing dot, if it is a valid fully qualified DNS name (labels of 1-63 letters, digits and inner hyphens, at most 253 characters, at least two labels); otherwise 22023 naming it.';

-- (1.7) the host check: its PL/pgSQL, unchanged, becomes host_check_full();
-- the trigger's function becomes C (src/host.c), which answers a host on no
-- device whose parent does not change and hands it every other row
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
CREATE OR REPLACE FUNCTION mountaineer.host_check() RETURNS trigger
    LANGUAGE C
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_host_check';
COMMENT ON FUNCTION mountaineer.host_check() IS
    'Trigger: normalizes and validates the hostname, checks it against the environment''s regex, derives the kind, refuses a second host on a device and parent cycles; locks what it reads (see README, Concurrency). (1.7) C for a host on no device whose parent does not change; any other row is checked by host_check_full().';
REVOKE EXECUTE ON FUNCTION mountaineer.host_check() FROM PUBLIC;
