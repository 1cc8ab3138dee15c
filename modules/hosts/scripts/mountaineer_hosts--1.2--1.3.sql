-- mountaineer_hosts 1.2 -> 1.3: what plpgsql_check (test/plpgsql_check.sh)
-- found: host_check() assigned text to a uuid[] (the empty array seen) and to
-- a host_kind (the derived kind), each through a run-time conversion from
-- text; both values are typed now.  Needs nothing newer of the core.
\echo Use "ALTER EXTENSION mountaineer_hosts UPDATE TO '1.3'" to load this file. \quit

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

-- host_grains(NULL) answered "no host with id <NULL>" (P0002): a NULL id
-- now gives NULL, as for every STRICT function.
ALTER FUNCTION mountaineer.host_grains(uuid) STRICT;
COMMENT ON FUNCTION mountaineer.host_grains(uuid) IS
    'The host''s grains as one JSON object, plus "environment" (its name) and "roles" (sorted names), as configuration management reads them; P0002 for an unknown host, NULL for a NULL id.';
