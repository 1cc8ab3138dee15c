-- mountaineer_networks 1.2 -> 1.3: what plpgsql_check (test/plpgsql_check.sh)
-- found: next_free_prefix() declared a variable len that nothing used (its
-- FOR loop declares its own).  Needs nothing newer of the core.
\echo Use "ALTER EXTENSION mountaineer_networks UPDATE TO '1.3'" to load this file. \quit

-- The lowest free block that can hold a /masklen: one index probe per
-- length from the parent's to the one asked for.
CREATE OR REPLACE FUNCTION mountaineer.next_free_prefix(parent cidr, masklen int, vrf_id uuid DEFAULT NULL) RETURNS cidr
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p    mountaineer.prefix := mountaineer.prefix_row($1, $3);
    best cidr;
    b    cidr;
BEGIN
    PERFORM mountaineer.check_prefix_length($1, $2);
    IF p.status NOT IN ('container', 'active') THEN
        RAISE EXCEPTION 'prefix % has status %: child prefixes are allocated only from container and active prefixes', $1, p.status
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF $2 = pg_catalog.masklen($1) THEN
        RETURN NULL;                        -- the parent itself is taken
    END IF;
    FOR len IN pg_catalog.masklen($1) .. $2 LOOP     -- FOR declares len (an integer) itself
        SELECT f.block INTO b FROM mountaineer.prefix_free f
         WHERE f.prefix_id = p.id AND pg_catalog.masklen(f.block) = len
         ORDER BY f.block LIMIT 1;
        IF FOUND AND (best IS NULL OR b < best) THEN
            best := b;
        END IF;
    END LOOP;
    RETURN set_masklen(best, $2);
END
$$;
