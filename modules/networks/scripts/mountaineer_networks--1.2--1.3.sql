-- mountaineer_networks 1.2 -> 1.3: what plpgsql_check (test/plpgsql_check.sh)
-- found: next_free_prefix() declared a variable len that nothing used (its
-- FOR loop declares its own).  The free-space upkeep of addresses, and of
-- new and deleted prefixes, is set-based: one pass per statement
-- (statement-level triggers with transition tables) instead of a trigger
-- call per row.
-- Needs nothing newer of the core.
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

-- The free-space upkeep of addresses, per statement: the row trigger and its
-- function go, three statement triggers come.
DROP TRIGGER maintain_free_space ON mountaineer.ip_address;
DROP FUNCTION mountaineer.ip_address_maintain();

-- Set-based free-space upkeep for addresses: one pass per statement over
-- its transition tables instead of a trigger call and its probes per row.
-- Each row's BEFORE checks (check_address) already saw the free space as
-- the statement found it, as they did when this ran AFTER each row (row
-- AFTER triggers run at the end of the statement too), so the rules see
-- the same; the VRF lock is held (a_lock_vrf took it for every row).

-- Takes addresses (/32, /128) out of the free space of their VRFs: each
-- free block holding some of them is replaced by what is left of it
-- (cidr_free), in one statement.  An address no free block holds (in a
-- range that allows addresses) changes nothing.
-- (PL/pgSQL, not SQL: a PL/pgSQL function keeps its plans for the session,
-- which a statement of one row would otherwise pay for each time)
CREATE FUNCTION mountaineer.free_take_addresses(vkeys uuid[], addrs cidr[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    WITH hit AS (
        SELECT f.prefix_id, f.vrf_key, f.block, array_agg(t.b) AS taken
          FROM unnest(vkeys, addrs) t(vk, b)
         CROSS JOIN LATERAL (SELECT g.prefix_id, g.vrf_key, g.block FROM mountaineer.prefix_free g
                              WHERE g.vrf_key = t.vk AND g.block <= t.b
                              ORDER BY g.block DESC LIMIT 1) f
         WHERE f.block >>= t.b
         GROUP BY f.prefix_id, f.vrf_key, f.block
    ), gone AS (
        DELETE FROM mountaineer.prefix_free x USING hit
         WHERE x.prefix_id = hit.prefix_id AND x.block = hit.block
    )
    -- the pieces lie strictly inside the blocks deleted, so no key collides
    INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block)
    SELECT hit.prefix_id, hit.vrf_key, r FROM hit, mountaineer.cidr_free(hit.block, hit.taken) r;
END
$$;
COMMENT ON FUNCTION mountaineer.free_take_addresses(uuid[], cidr[]) IS
    'Internal: removes addresses (vkeys[i], addrs[i]) from the free space of their VRFs, in one statement.';
REVOKE EXECUTE ON FUNCTION mountaineer.free_take_addresses(uuid[], cidr[]) FROM PUBLIC;

-- Gives addresses (/32, /128) back to the prefixes that own them, unless a
-- range or a free block still holds them, and merges buddies in
-- one recursive query: the released addresses of one family all have one
-- length, so level by level every block still climbing has the same length
-- as the others of its family, and a block merges when its buddy climbs
-- too (two rows with one parent) or is a free block of the same owner
-- (absorbed: deleted).  A block is final when its parent was not made.
-- It does not look for address rows holding them (a probe of ip_address per
-- address walks past every entry the statement just deleted): after a
-- DELETE none does, and after an UPDATE the caller takes the new places
-- next.
CREATE FUNCTION mountaineer.free_release_addresses(vkeys uuid[], addrs cidr[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    WITH RECURSIVE back AS (
        SELECT DISTINCT o.id AS owner, masklen(o.prefix) AS olen, u.vk, u.b
          FROM unnest(vkeys, addrs) u(vk, b)
         CROSS JOIN LATERAL (SELECT p.id, p.prefix FROM mountaineer.prefix p
                              WHERE mountaineer.vrf_key(p.vrf_id) = u.vk AND p.prefix >>= u.b
                              ORDER BY masklen(p.prefix) DESC LIMIT 1) o
         WHERE NOT EXISTS (SELECT FROM mountaineer.ip_range g
                            WHERE mountaineer.vrf_key(g.vrf_id) = u.vk
                              AND mountaineer.inetrange(host(g.start_address)::inet, host(g.end_address)::inet, '[]') @> host(u.b)::inet)
           AND NOT EXISTS (SELECT FROM (SELECT g.block FROM mountaineer.prefix_free g
                                         WHERE g.vrf_key = u.vk AND g.block <= u.b
                                         ORDER BY g.block DESC LIMIT 1) f
                            WHERE f.block >>= u.b)
    ), merged (owner, olen, vk, blk, absorbed) AS (
        SELECT owner, olen, vk, b, NULL::cidr FROM back
        UNION
        SELECT w.owner, w.olen, w.vk, w.up, w.free_buddy
          FROM (SELECT m.owner, m.olen, m.vk, set_masklen(m.blk, masklen(m.blk) - 1) AS up,
                       count(*) OVER (PARTITION BY m.owner, set_masklen(m.blk, masklen(m.blk) - 1)) AS climbing,
                       (SELECT f.block FROM mountaineer.prefix_free f
                         WHERE f.prefix_id = m.owner
                           AND f.block = CASE WHEN set_masklen(set_masklen(m.blk, masklen(m.blk) - 1), masklen(m.blk)) = m.blk
                                              THEN network(set_masklen(broadcast(m.blk) + 1, masklen(m.blk)))
                                              ELSE set_masklen(set_masklen(m.blk, masklen(m.blk) - 1), masklen(m.blk)) END) AS free_buddy
                  FROM merged m
                 WHERE masklen(m.blk) > m.olen) w
         WHERE w.climbing = 2 OR w.free_buddy IS NOT NULL
    ), gone AS (
        DELETE FROM mountaineer.prefix_free x USING merged m
         WHERE m.absorbed IS NOT NULL AND x.prefix_id = m.owner AND x.block = m.absorbed
    )
    INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block)
    SELECT m.owner, m.vk, m.blk FROM merged m
     WHERE NOT EXISTS (SELECT FROM merged p
                        WHERE p.owner = m.owner
                          AND p.blk = CASE WHEN masklen(m.blk) > m.olen THEN set_masklen(m.blk, masklen(m.blk) - 1) END);
END
$$;
COMMENT ON FUNCTION mountaineer.free_release_addresses(uuid[], cidr[]) IS
    'Internal: returns addresses (vkeys[i], addrs[i]) to the free space of the prefixes that own them, keeping what ranges and free blocks hold, and merging buddies, in one statement; the caller then takes whatever address rows hold.';
REVOKE EXECUTE ON FUNCTION mountaineer.free_release_addresses(uuid[], cidr[]) FROM PUBLIC;

CREATE FUNCTION mountaineer.ip_address_free_insert() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- (only an INSERT can be a restore: COPY FROM)
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;                        -- restored rows come with their free space
    END IF;
    PERFORM mountaineer.free_take_addresses(array_agg(mountaineer.vrf_key(n.vrf_id)), array_agg(n.host_addr))
       FROM new_rows n;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.ip_address_free_insert() IS
    'Trigger (AFTER INSERT, per statement): takes the inserted addresses out of the free space.';
REVOKE EXECUTE ON FUNCTION mountaineer.ip_address_free_insert() FROM PUBLIC;

CREATE FUNCTION mountaineer.ip_address_free_update() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    old_keys  uuid[];
    old_addrs cidr[];
    new_keys  uuid[];
    new_addrs cidr[];
BEGIN
    -- only the rows whose address or VRF changed (not a mask alone); old
    -- and new paired by id, which never changes (A_refuse_id_change).  All
    -- the old places are released first, then all the new ones taken: an
    -- old place another row of the statement moved onto is released and
    -- taken again, which leaves it held (the free space has one canonical
    -- form, whatever the path to it).
    SELECT array_agg(mountaineer.vrf_key(o.vrf_id)), array_agg(o.host_addr),
           array_agg(mountaineer.vrf_key(n.vrf_id)), array_agg(n.host_addr)
      INTO old_keys, old_addrs, new_keys, new_addrs
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE n.host_addr <> o.host_addr OR mountaineer.vrf_key(n.vrf_id) <> mountaineer.vrf_key(o.vrf_id);
    IF old_keys IS NOT NULL THEN
        PERFORM mountaineer.free_release_addresses(old_keys, old_addrs);
        PERFORM mountaineer.free_take_addresses(new_keys, new_addrs);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.ip_address_free_update() IS
    'Trigger (AFTER UPDATE, per statement): the addresses that moved (address or VRF) go back to the free space, their new places are taken out of it.';
REVOKE EXECUTE ON FUNCTION mountaineer.ip_address_free_update() FROM PUBLIC;

CREATE FUNCTION mountaineer.ip_address_free_delete() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM mountaineer.free_release_addresses(array_agg(mountaineer.vrf_key(o.vrf_id)), array_agg(o.host_addr))
       FROM old_rows o;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.ip_address_free_delete() IS
    'Trigger (AFTER DELETE, per statement): gives the deleted addresses back to the free space.';
REVOKE EXECUTE ON FUNCTION mountaineer.ip_address_free_delete() FROM PUBLIC;

-- Transition tables need one trigger per event, and no column list on
-- UPDATE (the function picks the rows that moved).
CREATE TRIGGER maintain_free_space_insert AFTER INSERT ON mountaineer.ip_address
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.ip_address_free_insert();
CREATE TRIGGER maintain_free_space_update AFTER UPDATE ON mountaineer.ip_address
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.ip_address_free_update();
CREATE TRIGGER maintain_free_space_delete AFTER DELETE ON mountaineer.ip_address
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.ip_address_free_delete();

-- New and deleted prefixes get and give back their free space per
-- statement: prefix_maintain no longer attaches or detaches them row by row.
CREATE OR REPLACE FUNCTION mountaineer.prefix_maintain() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g record;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM mountaineer.lock_vrf(OLD.vrf_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM mountaineer.lock_vrf(NEW.vrf_id);
        -- a reserved range must lie wholly inside this prefix or outside it
        SELECT r.start_address, r.end_address INTO g FROM mountaineer.ip_range r
         WHERE mountaineer.vrf_key(r.vrf_id) = mountaineer.vrf_key(NEW.vrf_id)
           AND family(r.start_address) = family(NEW.prefix)
           AND host(r.start_address)::inet <= mountaineer.last_address(NEW.prefix)
           AND host(r.end_address)::inet >= mountaineer.first_address(NEW.prefix)
           AND NOT (host(r.start_address)::inet >= mountaineer.first_address(NEW.prefix)
                    AND host(r.end_address)::inet <= mountaineer.last_address(NEW.prefix))
         LIMIT 1;
        IF FOUND THEN
            IF host(g.start_address)::inet <= mountaineer.first_address(NEW.prefix)
               AND host(g.end_address)::inet >= mountaineer.last_address(NEW.prefix) THEN
                RAISE EXCEPTION 'prefix % lies inside reserved range % - %', NEW.prefix, host(g.start_address), host(g.end_address)
                    USING ERRCODE = 'check_violation';
            END IF;
            RAISE EXCEPTION 'prefix % cuts across reserved range % - %', NEW.prefix, host(g.start_address), host(g.end_address)
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    -- (new and deleted prefixes get and give back their free space per
    -- statement: prefix_free_insert, prefix_free_delete)
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    ELSIF TG_OP = 'UPDATE' AND (NEW.prefix IS DISTINCT FROM OLD.prefix OR mountaineer.vrf_key(NEW.vrf_id) <> mountaineer.vrf_key(OLD.vrf_id)) THEN
        PERFORM mountaineer.prefix_detach(OLD);
        PERFORM mountaineer.prefix_attach(NEW);
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.prefix_maintain() IS 'Trigger: takes the VRF lock and refuses a prefix that cuts across a reserved range; keeps prefix_free exact as prefixes move (prefix_free_insert and prefix_free_delete do it for new and deleted ones).';
-- New prefixes get their free space per statement (maintain_free_space,
-- BEFORE each row, still takes the VRF lock and checks the ranges first).
-- A new prefix that lies wholly in a free block f of its VRF (the usual
-- case: a child carved out of free space) takes no probe but that of f:
-- f is replaced by what the new prefixes in it leave of it (cidr_free), and
-- each such prefix's free space is itself, unless new prefixes lie inside it.
-- Those and the rest (a prefix over existing prefixes, addresses or ranges,
-- or over no free block at all) are the rare case: their owner gives up
-- the free blocks inside them, and their free space is computed from
-- scratch (prefix_free_expected), as the audit does.  New prefixes in one
-- free block come in address order, a prefix before those inside it: a
-- running max of the last addresses before it says whether one contains
-- it, the next one whether it contains any.
CREATE FUNCTION mountaineer.prefix_free_insert() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rest uuid[];
BEGIN
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;                        -- restored rows come with their free space
    END IF;
    WITH c AS (
        SELECT n.id, n.prefix, mountaineer.vrf_key(n.vrf_id) AS vk, f.prefix_id AS owner, f.block
          FROM new_rows n
          LEFT JOIN LATERAL (SELECT g.prefix_id, g.block FROM mountaineer.prefix_free g
                              WHERE g.vrf_key = mountaineer.vrf_key(n.vrf_id) AND g.block <= n.prefix
                              ORDER BY g.block DESC LIMIT 1) f ON f.block >>= n.prefix
    ), w AS (
        SELECT c.*,
               coalesce(max(mountaineer.last_address(c.prefix)) OVER (PARTITION BY c.vk, c.block ORDER BY c.prefix
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) >= mountaineer.first_address(c.prefix), false) AS nested,
               coalesce(lead(mountaineer.first_address(c.prefix)) OVER (PARTITION BY c.vk, c.block ORDER BY c.prefix)
                            <= mountaineer.last_address(c.prefix), false) AS has_inner
          FROM c WHERE c.block IS NOT NULL
    ), split AS (
        SELECT w.owner, w.vk, w.block, array_agg(w.prefix) FILTER (WHERE NOT w.nested) AS taken
          FROM w GROUP BY w.owner, w.vk, w.block
    ), gone AS (
        DELETE FROM mountaineer.prefix_free x USING split s
         WHERE x.prefix_id = s.owner AND x.block = s.block
    ), made AS (
        -- the pieces lie strictly inside the blocks deleted and outside the
        -- new prefixes, so no key collides
        INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block)
        SELECT s.owner, s.vk, r FROM split s, mountaineer.cidr_free(s.block, s.taken) r
        UNION ALL
        SELECT w.id, w.vk, w.prefix FROM w WHERE NOT w.has_inner
    )
    SELECT array_agg(r.id) INTO rest
      FROM (SELECT c.id FROM c WHERE c.block IS NULL UNION ALL SELECT w.id FROM w WHERE w.has_inner) r;
    IF rest IS NULL THEN
        RETURN NULL;
    END IF;
    -- the rare case: an owner that is not new gives up its free blocks inside
    -- a new prefix that did not lie in one of them
    DELETE FROM mountaineer.prefix_free x
     USING new_rows n
     CROSS JOIN LATERAL (SELECT p.id FROM mountaineer.prefix p
                          WHERE mountaineer.vrf_key(p.vrf_id) = mountaineer.vrf_key(n.vrf_id) AND p.prefix >> n.prefix
                          ORDER BY masklen(p.prefix) DESC LIMIT 1) o
     WHERE n.id IN (SELECT unnest(rest))
       AND NOT EXISTS (SELECT FROM new_rows m WHERE m.id = o.id)
       AND x.prefix_id = o.id AND x.block >= n.prefix
       AND x.block <= set_masklen(broadcast(n.prefix), CASE family(n.prefix) WHEN 4 THEN 32 ELSE 128 END)
       AND x.block <<= n.prefix;
    INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block)
    SELECT n.id, mountaineer.vrf_key(n.vrf_id), x FROM new_rows n, mountaineer.prefix_free_expected(n) x
     WHERE n.id IN (SELECT unnest(rest));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.prefix_free_insert() IS 'Trigger (AFTER INSERT, per statement): the new prefixes take their free space out of their owners''.';
REVOKE EXECUTE ON FUNCTION mountaineer.prefix_free_insert() FROM PUBLIC;
CREATE TRIGGER maintain_free_space_insert AFTER INSERT ON mountaineer.prefix
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.prefix_free_insert();

-- Deleted prefixes give their free blocks back per statement: each to its
-- owner, the smallest prefix left that contains it (nested deleted prefixes
-- go to the same one), merging buddies in one recursive query.  The blocks
-- have many lengths, so the query climbs one length per step from the
-- longest down to the owner's: a marker row per owner carries the length,
-- brings in the released blocks of that length, and every block of it
-- climbs when its buddy is there too (two rows with one parent) or is a
-- free block of the owner (absorbed: deleted).  A block is final when its
-- parent was not made.  A deleted prefix that nothing contains leaves no
-- free space behind.
CREATE FUNCTION mountaineer.prefix_free_delete() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    WITH RECURSIVE gone AS (
        DELETE FROM mountaineer.prefix_free f USING old_rows d
         WHERE f.prefix_id = d.id
        RETURNING f.prefix_id, f.vrf_key, f.block
    ), heir AS (
        SELECT d.id, o.id AS owner, masklen(o.prefix) AS olen, CASE family(o.prefix) WHEN 4 THEN 32 ELSE 128 END AS width
          FROM old_rows d
         CROSS JOIN LATERAL (SELECT p.id, p.prefix FROM mountaineer.prefix p
                              WHERE mountaineer.vrf_key(p.vrf_id) = mountaineer.vrf_key(d.vrf_id) AND p.prefix >> d.prefix
                              ORDER BY masklen(p.prefix) DESC LIMIT 1) o
    ), back AS (
        SELECT h.owner, h.olen, h.width, g.vrf_key AS vk, g.block AS b
          FROM gone g JOIN heir h ON h.id = g.prefix_id
    ), merged (owner, olen, vk, lvl, blk, absorbed) AS (
        SELECT DISTINCT b.owner, b.olen, b.vk, b.width, NULL::cidr, NULL::cidr FROM back b       -- the markers
        UNION
        SELECT b.owner, b.olen, b.vk, b.width, b.b, NULL FROM back b WHERE masklen(b.b) = b.width
        UNION
        SELECT w.owner, w.olen, w.vk, w.lvl - 1, x.blk, x.absorbed
          FROM (SELECT m.owner, m.olen, m.vk, m.lvl, m.blk,
                       set_masklen(m.blk, m.lvl - 1) AS up,
                       count(m.blk) OVER (PARTITION BY m.owner, set_masklen(m.blk, m.lvl - 1)) AS climbing,
                       (SELECT f.block FROM mountaineer.prefix_free f
                         WHERE m.blk IS NOT NULL AND f.prefix_id = m.owner
                           AND f.block = CASE WHEN set_masklen(set_masklen(m.blk, m.lvl - 1), m.lvl) = m.blk
                                              THEN network(set_masklen(broadcast(m.blk) + 1, m.lvl))
                                              ELSE set_masklen(set_masklen(m.blk, m.lvl - 1), m.lvl) END) AS free_buddy
                  FROM merged m
                 WHERE m.lvl > m.olen) w
         CROSS JOIN LATERAL (
                -- a block whose buddy is free too: its parent
                SELECT w.up AS blk, w.free_buddy AS absorbed
                 WHERE w.blk IS NOT NULL AND (w.climbing = 2 OR w.free_buddy IS NOT NULL)
                UNION ALL
                -- the marker, one length up, and the released blocks of that length
                SELECT NULL, NULL WHERE w.blk IS NULL
                UNION ALL
                SELECT r.b, NULL FROM back r
                 WHERE w.blk IS NULL AND r.owner = w.owner AND masklen(r.b) = w.lvl - 1) x
    ), absorbed AS (
        DELETE FROM mountaineer.prefix_free x USING merged m
         WHERE m.absorbed IS NOT NULL AND x.prefix_id = m.owner AND x.block = m.absorbed
    )
    INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block)
    SELECT m.owner, m.vk, m.blk FROM merged m
     WHERE m.blk IS NOT NULL
       AND NOT EXISTS (SELECT FROM merged p
                        WHERE p.owner = m.owner
                          AND p.blk = CASE WHEN m.lvl > m.olen THEN set_masklen(m.blk, m.lvl - 1) END);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.prefix_free_delete() IS 'Trigger (AFTER DELETE, per statement): the deleted prefixes'' free space goes back to the prefixes that now own it, buddies merged.';
REVOKE EXECUTE ON FUNCTION mountaineer.prefix_free_delete() FROM PUBLIC;
CREATE TRIGGER maintain_free_space_delete AFTER DELETE ON mountaineer.prefix
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.prefix_free_delete();
