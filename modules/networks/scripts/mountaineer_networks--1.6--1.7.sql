-- mountaineer_networks 1.6 -> 1.7: the write path of prefixes.
-- A DELETE of prefixes gives their free space back without the anti-join of
-- the recursive query with itself that 1.6 made (planned for billions of
-- rows, hashed in a million batches: 37 s of a 44 s DELETE of 100,000 /28s),
-- and without JIT; new and deleted prefixes re-mask the addresses inside
-- them per statement (keep_addresses_insert, keep_addresses_delete), the row
-- trigger keep_addresses staying for an UPDATE; new prefixes are checked
-- against the reserved ranges once per statement; the per-statement
-- functions of the free space run without sequential scans and JIT; a free
-- address is checked in C (ip_address_check_full() checks the others); one
-- deleted prefix or address gives its space back by free_add(), which
-- probes buddies by their length, and the prefix owning a block is found in
-- C (prefix_owner()).  Same rules, same results.
\echo Use "ALTER EXTENSION mountaineer_networks UPDATE TO '1.7'" to load this file. \quit

CREATE FUNCTION mountaineer.prefix_free_delete_full() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET enable_seqscan = off
    SET jit = off
AS $$
DECLARE
    few mountaineer.prefix[];
BEGIN
    -- (1.7) one deleted prefix (a single-row statement): its blocks go back
    -- one by one, as when a prefix moves (prefix_detach)
    few := ARRAY(SELECT d FROM old_rows d LIMIT 2);
    IF cardinality(few) = 1 THEN
        PERFORM mountaineer.prefix_detach(few[1]);
        RETURN NULL;
    END IF;
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
         -- (1.7) a twin (the same block in the other VRF of the key: the
         -- global table and the all-zero VRF) keeps its own copy of the
         -- space: nothing goes back
         WHERE NOT EXISTS (SELECT FROM mountaineer.prefix t
                            WHERE mountaineer.vrf_key(t.vrf_id) = mountaineer.vrf_key(d.vrf_id) AND t.prefix = d.prefix)
    ), back AS (
        SELECT h.owner, h.olen, h.width, g.vrf_key AS vk, g.block AS b
          FROM gone g JOIN heir h ON h.id = g.prefix_id
    ), merged (owner, olen, vk, lvl, blk, absorbed, done) AS (
        SELECT DISTINCT b.owner, b.olen, b.vk, b.width, NULL::cidr, NULL::cidr, false FROM back b       -- the markers
        UNION
        SELECT b.owner, b.olen, b.vk, b.width, b.b, NULL, false FROM back b WHERE masklen(b.b) = b.width
        UNION
        SELECT w.owner, w.olen, w.vk, w.lvl - 1, x.blk, x.absorbed, x.done
          FROM (SELECT m.owner, m.olen, m.vk, m.lvl, m.blk,
                       set_masklen(m.blk, m.lvl - 1) AS up,
                       count(m.blk) OVER (PARTITION BY m.owner, set_masklen(m.blk, m.lvl - 1)) AS climbing,
                       (SELECT f.block FROM mountaineer.prefix_free f
                         WHERE m.blk IS NOT NULL AND f.prefix_id = m.owner
                           AND f.block = CASE WHEN set_masklen(set_masklen(m.blk, m.lvl - 1), m.lvl) = m.blk
                                              THEN network(set_masklen(broadcast(m.blk) + 1, m.lvl))
                                              ELSE set_masklen(set_masklen(m.blk, m.lvl - 1), m.lvl) END) AS free_buddy
                  FROM merged m
                 WHERE m.lvl > m.olen AND NOT m.done) w
         CROSS JOIN LATERAL (
                -- a block whose buddy is free too: its parent
                SELECT w.up AS blk, w.free_buddy AS absorbed, false AS done
                 WHERE w.blk IS NOT NULL AND (w.climbing = 2 OR w.free_buddy IS NOT NULL)
                UNION ALL
                -- a block that does not climb: final
                SELECT w.blk, NULL, true
                 WHERE w.blk IS NOT NULL AND NOT (w.climbing = 2 OR w.free_buddy IS NOT NULL)
                UNION ALL
                -- the marker, one length up, and the released blocks of that length
                SELECT NULL, NULL, false WHERE w.blk IS NULL
                UNION ALL
                SELECT r.b, NULL, false FROM back r
                 WHERE w.blk IS NULL AND r.owner = w.owner AND masklen(r.b) = w.lvl - 1) x
    ), absorbed AS (
        DELETE FROM mountaineer.prefix_free x USING merged m
         WHERE m.absorbed IS NOT NULL AND x.prefix_id = m.owner AND x.block = m.absorbed
    )
    INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block)
    SELECT m.owner, m.vk, m.blk FROM merged m
     WHERE m.blk IS NOT NULL AND (m.done OR m.lvl <= m.olen);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.prefix_free_delete_full() IS 'Trigger (AFTER DELETE, per statement), (1.7) run by prefix_free_delete() for every statement but one deleted prefix: the deleted prefixes'' free space goes back to the prefixes that now own it, buddies merged.';
REVOKE EXECUTE ON FUNCTION mountaineer.prefix_free_delete_full() FROM PUBLIC;

-- (1.7) In C (src/address.c): one deleted prefix gives its free blocks
-- back as prefix_detach() does (each to the prefix around it by
-- free_add()'s merge); every other statement runs prefix_free_delete_full()
-- as the same trigger call.
CREATE OR REPLACE FUNCTION mountaineer.prefix_free_delete() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_prefix_free_delete';
COMMENT ON FUNCTION mountaineer.prefix_free_delete() IS 'Trigger (AFTER DELETE, per statement): the deleted prefixes'' free space goes back to the prefixes that now own it, buddies merged; (1.7) C for one deleted prefix, else prefix_free_delete_full().';

DROP TRIGGER keep_addresses ON mountaineer.prefix;
CREATE TRIGGER keep_addresses AFTER UPDATE OF prefix, vrf_id, is_pool ON mountaineer.prefix
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.prefix')) EXECUTE FUNCTION mountaineer.prefix_keep_addresses();
COMMENT ON FUNCTION mountaineer.prefix_keep_addresses() IS
    'Trigger: after prefixes change, the addresses inside them take their network''s new mask; a prefix that stops being a pool keeps its network and broadcast addresses free (attached per row for an UPDATE only since 1.7: prefix_keep_addresses_new and prefix_keep_addresses_gone do new and deleted prefixes per statement).';

-- (1.7) New and deleted prefixes: one function each, as each reads its own
-- transition table (plpgsql_check checks a trigger function per trigger).
CREATE FUNCTION mountaineer.prefix_keep_addresses_new() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET enable_seqscan = off
    SET jit = off
AS $$
DECLARE
    vk  uuid;
    pfx cidr;
BEGIN
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;                        -- restored rows come with their masks
    END IF;
    -- only the prefixes with an address inside (one allocated from free
    -- space has none)
    FOR vk, pfx IN SELECT mountaineer.vrf_key(n.vrf_id), n.prefix FROM new_rows n
                    WHERE EXISTS (SELECT FROM mountaineer.ip_address x
                                   WHERE mountaineer.vrf_key(x.vrf_id) = mountaineer.vrf_key(n.vrf_id)
                                     AND x.host_addr <<= n.prefix) LOOP
        PERFORM mountaineer.address_masks(vk, pfx);
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.prefix_keep_addresses_new() IS
    'Trigger (AFTER INSERT, per statement): the addresses inside new prefixes take their network''s new mask.';
REVOKE EXECUTE ON FUNCTION mountaineer.prefix_keep_addresses_new() FROM PUBLIC;
CREATE TRIGGER keep_addresses_insert AFTER INSERT ON mountaineer.prefix
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.prefix_keep_addresses_new();

CREATE FUNCTION mountaineer.prefix_keep_addresses_gone() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET enable_seqscan = off
    SET jit = off
AS $$
DECLARE
    vk  uuid;
    pfx cidr;
BEGIN
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;
    END IF;
    FOR vk, pfx IN SELECT mountaineer.vrf_key(o.vrf_id), o.prefix FROM old_rows o
                    WHERE EXISTS (SELECT FROM mountaineer.ip_address x
                                   WHERE mountaineer.vrf_key(x.vrf_id) = mountaineer.vrf_key(o.vrf_id)
                                     AND x.host_addr <<= o.prefix) LOOP
        PERFORM mountaineer.address_masks(vk, pfx);
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.prefix_keep_addresses_gone() IS
    'Trigger (AFTER DELETE, per statement): the addresses inside deleted prefixes take the mask of their network now.';
REVOKE EXECUTE ON FUNCTION mountaineer.prefix_keep_addresses_gone() FROM PUBLIC;
CREATE TRIGGER keep_addresses_delete AFTER DELETE ON mountaineer.prefix
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.prefix_keep_addresses_gone();

-- (1.7) New prefixes are checked against the reserved ranges per statement
-- (prefix_free_insert), not per row (prefix_maintain, now for moves only).
CREATE OR REPLACE FUNCTION mountaineer.prefix_maintain() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g record;
BEGIN
    -- (1.7) the VRF locks: a_lock_vrf (lock_vrf_of_row(), C) took them
    -- before this, of the VRF the row leaves and of the one it enters
    IF TG_OP = 'UPDATE' THEN
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
COMMENT ON FUNCTION mountaineer.prefix_maintain() IS 'Trigger (BEFORE UPDATE OF id, prefix, vrf_id, per row): refuses a moved prefix that cuts across a reserved range (prefix_free_insert checks new ones); keeps prefix_free exact as prefixes move (prefix_free_insert and prefix_free_delete do it for new and deleted ones); (1.7) a_lock_vrf takes the VRF locks.';
CREATE FUNCTION mountaineer.prefix_free_insert_full() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET enable_seqscan = off
    SET jit = off
AS $$
DECLARE
    rest uuid[];
    cut  record;
    few  mountaineer.prefix[];
BEGIN
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;                        -- restored rows come with their free space
    END IF;
    -- a reserved range must lie wholly inside each new prefix or outside it
    -- (the VRF locks are held: no range of these VRFs changes meanwhile)
    IF EXISTS (SELECT FROM mountaineer.ip_range) THEN
        SELECT n.prefix, r.start_address, r.end_address INTO cut
          FROM new_rows n
          CROSS JOIN LATERAL (SELECT r.start_address, r.end_address FROM mountaineer.ip_range r
                               WHERE mountaineer.vrf_key(r.vrf_id) = mountaineer.vrf_key(n.vrf_id)
                                 AND family(r.start_address) = family(n.prefix)
                                 AND host(r.start_address)::inet <= mountaineer.last_address(n.prefix)
                                 AND host(r.end_address)::inet >= mountaineer.first_address(n.prefix)
                                 AND NOT (host(r.start_address)::inet >= mountaineer.first_address(n.prefix)
                                          AND host(r.end_address)::inet <= mountaineer.last_address(n.prefix))
                               LIMIT 1) r
         ORDER BY n.prefix LIMIT 1;
        IF FOUND THEN
            IF host(cut.start_address)::inet <= mountaineer.first_address(cut.prefix)
               AND host(cut.end_address)::inet >= mountaineer.last_address(cut.prefix) THEN
                RAISE EXCEPTION 'prefix % lies inside reserved range % - %', cut.prefix, host(cut.start_address), host(cut.end_address)
                    USING ERRCODE = 'check_violation';
            END IF;
            RAISE EXCEPTION 'prefix % cuts across reserved range % - %', cut.prefix, host(cut.start_address), host(cut.end_address)
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    -- (1.7) one new prefix (a single-row statement) that lies in a free
    -- block: free_split() (C) does for it what the statement below does,
    -- where three plain statements took 110 µs and the statement 170
    few := ARRAY(SELECT n FROM new_rows n LIMIT 2);
    IF cardinality(few) = 1 THEN
        IF mountaineer.free_split(mountaineer.vrf_key(few[1].vrf_id), few[1].prefix, few[1].id) THEN
            RETURN NULL;
        END IF;
    END IF;
    WITH c AS (
        SELECT n.id, n.prefix, mountaineer.vrf_key(n.vrf_id) AS vk, f.prefix_id AS owner, f.block
          FROM new_rows n
          CROSS JOIN LATERAL mountaineer.free_block_holding(mountaineer.vrf_key(n.vrf_id), n.prefix) f
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
COMMENT ON FUNCTION mountaineer.prefix_free_insert_full() IS 'Trigger (AFTER INSERT, per statement), (1.7) run by prefix_free_insert() for every statement but one new prefix in free space while there is no reserved range: refuses a new prefix that cuts across a reserved range or lies inside one (23514); the new prefixes take their free space out of their owners''.';
REVOKE EXECUTE ON FUNCTION mountaineer.prefix_free_insert_full() FROM PUBLIC;

-- (1.7) In C (src/address.c): one new prefix in a free block while there
-- is no reserved range takes that block by free_split(); every other
-- statement runs prefix_free_insert_full() as the same trigger call.
CREATE OR REPLACE FUNCTION mountaineer.prefix_free_insert() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_prefix_free_insert';
COMMENT ON FUNCTION mountaineer.prefix_free_insert() IS 'Trigger (AFTER INSERT, per statement): refuses a new prefix that cuts across a reserved range or lies inside one (23514); the new prefixes take their free space out of their owners''; (1.7) C for one new prefix in free space while there is no reserved range, else prefix_free_insert_full().';

-- (1.7) The free block of a VRF holding a block, as the set-based
-- functions look it up for each row: an index probe in C (src/address.c)
-- instead of a subquery whose plan came from statistics taken while
-- prefix_free was small (a bitmap scan of every free block below the block
-- and a sort).  And no sequential scans and no JIT for the per-statement
-- functions of the free space (see prefix_free_insert in the 1.7 install
-- script): after a table was emptied and vacuumed, its statistics made the
-- planner scan it once per row of the statement.  free_take_addresses()
-- keeps one plan for every size (it was planned again for each call).
CREATE FUNCTION mountaineer.free_block_holding(vkey uuid, b cidr, OUT prefix_id uuid, OUT block cidr) RETURNS record
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    AS '$libdir/mountaineer', 'mountaineer_free_block_holding';
COMMENT ON FUNCTION mountaineer.free_block_holding(uuid, cidr) IS
    'Internal (1.7): the free block (prefix_free) of VRF key vkey that holds all of b (b itself or a block containing it), with the prefix that owns it; NULL when no free block holds b.';
REVOKE EXECUTE ON FUNCTION mountaineer.free_block_holding(uuid, cidr) FROM PUBLIC;

-- (1.7) What a new prefix or address in free space takes from it: the free
-- block holding it replaced by what is left of it, in C (src/address.c):
-- one probe and the rows written as free_add() writes them, where the
-- one-row ways of prefix_free_insert() and free_take_addresses() took
-- three statements.
CREATE FUNCTION mountaineer.free_split(vkey uuid, b cidr, new_owner uuid DEFAULT NULL) RETURNS boolean
    LANGUAGE C VOLATILE
    AS '$libdir/mountaineer', 'mountaineer_free_split';
COMMENT ON FUNCTION mountaineer.free_split(uuid, cidr, uuid) IS
    'Internal (1.7): when a free block of VRF key vkey holds all of b, replaces it by what is left of it (its owner''s still) and gives b to new_owner when one is given; true. False, and nothing changed, when no free block holds b.';
REVOKE EXECUTE ON FUNCTION mountaineer.free_split(uuid, cidr, uuid) FROM PUBLIC;

-- (1.7) free_add() in C (src/address.c): a probe of prefix_free_pkey per
-- buddy, where the PL/pgSQL's statements took 25 µs a call (and its
-- DELETE's plan, kept for the session, read prefix_free_len_idx by
-- prefix_id alone: every free block of the owner, 420 µs a /28 deleted
-- under a /8 that 20,000 /28s had just left).
CREATE OR REPLACE FUNCTION mountaineer.free_add(owner uuid, owner_prefix cidr, vkey uuid, b cidr) RETURNS void
    LANGUAGE C VOLATILE
    AS '$libdir/mountaineer', 'mountaineer_free_add';

-- (1.7) The prefix that owns a block, in C (src/address.c): a few probes
-- of prefix_vrf_prefix_key read backwards from the block instead of the
-- GiST index's 40 to 140 µs a call (the query stays for a caller who cannot
-- read prefix).
CREATE OR REPLACE FUNCTION mountaineer.prefix_owner(vkey uuid, b cidr, not_id uuid DEFAULT NULL)
    RETURNS mountaineer.prefix
    LANGUAGE C STABLE PARALLEL SAFE
    AS '$libdir/mountaineer', 'mountaineer_prefix_owner';

CREATE OR REPLACE FUNCTION mountaineer.free_take_addresses(vkeys uuid[], addrs cidr[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    SET enable_seqscan = off
    SET jit = off
    SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    -- (1.7) one address (a single-row statement): free_split() (C) does
    -- for it what the statement below does, where three plain statements
    -- (the probe, the DELETE, the INSERT of the pieces) took 80 µs and the
    -- statement 170
    IF cardinality(addrs) = 1 THEN
        PERFORM mountaineer.free_split(vkeys[1], addrs[1]);
        RETURN;
    END IF;
    WITH hit AS (
        SELECT f.prefix_id, t.vk AS vrf_key, f.block, array_agg(t.b) AS taken
          FROM unnest(vkeys, addrs) t(vk, b)
         CROSS JOIN LATERAL mountaineer.free_block_holding(t.vk, t.b) f
         WHERE f.block IS NOT NULL
         GROUP BY f.prefix_id, t.vk, f.block
    ), gone AS (
        DELETE FROM mountaineer.prefix_free x USING hit
         WHERE x.prefix_id = hit.prefix_id AND masklen(x.block) = masklen(hit.block) AND x.block = hit.block
    )
    -- the pieces lie strictly inside the blocks deleted, so no key collides
    INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block)
    SELECT hit.prefix_id, hit.vrf_key, r FROM hit, mountaineer.cidr_free(hit.block, hit.taken) r;
END
$$;

CREATE OR REPLACE FUNCTION mountaineer.free_release_addresses(vkeys uuid[], addrs cidr[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    SET enable_seqscan = off
    SET jit = off
AS $$
DECLARE
    holder mountaineer.prefix;
BEGIN
    -- (1.7) one address (a single-row statement): what the query below
    -- does for it, as plain statements (its owner in C, then free_add()):
    -- 65 µs a call against 94 in 20,000 single-row DELETEs of addresses
    IF cardinality(addrs) = 1 THEN
        holder := mountaineer.prefix_owner(vkeys[1], addrs[1]);
        IF holder.id IS NULL
           OR EXISTS (SELECT FROM mountaineer.ip_range g
                       WHERE mountaineer.vrf_key(g.vrf_id) = vkeys[1]
                         AND mountaineer.inetrange(host(g.start_address)::inet, host(g.end_address)::inet, '[]') @> host(addrs[1])::inet)
           OR (mountaineer.free_block_holding(vkeys[1], addrs[1])).block IS NOT NULL THEN
            RETURN;
        END IF;
        PERFORM mountaineer.free_add(holder.id, holder.prefix, vkeys[1], addrs[1]);
        RETURN;
    END IF;
    WITH RECURSIVE back AS (
        SELECT DISTINCT o.id AS owner, masklen(o.prefix) AS olen, u.vk, u.b
          FROM unnest(vkeys, addrs) u(vk, b)
         CROSS JOIN LATERAL (SELECT p.id, p.prefix FROM mountaineer.prefix p
                              WHERE mountaineer.vrf_key(p.vrf_id) = u.vk AND p.prefix >>= u.b
                              ORDER BY masklen(p.prefix) DESC LIMIT 1) o
         WHERE NOT EXISTS (SELECT FROM mountaineer.ip_range g
                            WHERE mountaineer.vrf_key(g.vrf_id) = u.vk
                              AND mountaineer.inetrange(host(g.start_address)::inet, host(g.end_address)::inet, '[]') @> host(u.b)::inet)
           AND (mountaineer.free_block_holding(u.vk, u.b)).block IS NULL
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

-- (1.7) the address check: its PL/pgSQL, unchanged, becomes
-- ip_address_check_full(); the trigger's function becomes C (src/address.c),
-- which answers a free address itself and hands it every other row
CREATE FUNCTION mountaineer.ip_address_check_full() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    vkey  uuid;
    width int;
    len   int;
    b     cidr;
    f     record;
    free  boolean;
    o     mountaineer.prefix;
    g     record;
BEGIN
    IF NEW.dns_name IS NOT NULL THEN
        NEW.dns_name := mountaineer.normalize_hostname(NEW.dns_name);
    END IF;
    IF NEW.port_id IS NOT NULL AND NEW.host_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM mountaineer.port pt
          JOIN mountaineer.host h ON h.id = NEW.host_id
         WHERE pt.id = NEW.port_id AND pt.device_id = h.device_id) THEN
        RAISE EXCEPTION 'port % is not a port of the device host % runs on',
            coalesce((SELECT format('%s of device %s', mountaineer.excerpt(pt.name), mountaineer.excerpt(d.name))
                        FROM mountaineer.port pt JOIN mountaineer.device d ON d.id = pt.device_id
                       WHERE pt.id = NEW.port_id), NEW.port_id::text),
            (SELECT mountaineer.excerpt(hostname) FROM mountaineer.host WHERE id = NEW.host_id)
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.address = OLD.address              -- inet = compares the masks too
       AND mountaineer.vrf_key(NEW.vrf_id) = mountaineer.vrf_key(OLD.vrf_id) THEN
        RETURN NEW;
    END IF;
    -- its network: an address being assigned is normally free, and then the
    -- free block holding it belongs to its network and it lies in no
    -- reserved range (two btree probes); else the smallest prefix
    -- containing it (a GiST probe), and the range check below
    vkey := mountaineer.vrf_key(NEW.vrf_id);
    width := CASE family(NEW.address) WHEN 4 THEN 32 ELSE 128 END;
    b := mountaineer.host_cidr(NEW.address);             -- NEW.host_addr is not computed yet
    SELECT x.prefix_id, x.block INTO f FROM mountaineer.prefix_free x
     WHERE x.vrf_key = vkey AND x.block <= b ORDER BY x.block DESC LIMIT 1;
    free := FOUND AND f.block >>= b;
    IF free THEN
        SELECT p.* INTO o FROM mountaineer.prefix p WHERE p.id = f.prefix_id;
    ELSE
        SELECT p.* INTO o FROM mountaineer.prefix p
         WHERE mountaineer.vrf_key(p.vrf_id) = vkey AND p.prefix >>= b
         ORDER BY masklen(p.prefix) DESC LIMIT 1;
    END IF;
    len := coalesce(masklen(o.prefix), width);
    IF masklen(NEW.address) = width THEN
        NEW.address := set_masklen(NEW.address, len);      -- written bare
    ELSIF masklen(NEW.address) <> len THEN
        IF o.id IS NULL THEN
            RAISE EXCEPTION 'address % lies in no prefix, so it has no network mask', NEW.address
                USING ERRCODE = 'check_violation',
                      HINT = format('Write it bare (%s), or create its prefix first.', host(NEW.address));
        END IF;
        RAISE EXCEPTION 'address % does not carry the mask of its network %', NEW.address, o.prefix
            USING ERRCODE = 'check_violation',
                  HINT = format('Write %s, or the address bare (%s): it takes its network''s mask.',
                                set_masklen(NEW.address, len), host(NEW.address));
    END IF;
    -- an IPv4 network of /30 or wider keeps its network and broadcast
    -- addresses, unless it is a pool
    IF o.id IS NOT NULL AND NOT o.is_pool AND width = 32 AND len <= 30 THEN
        IF mountaineer.first_address(NEW.address) = mountaineer.first_address(o.prefix) THEN
            RAISE EXCEPTION 'address % is the network address of prefix %', host(NEW.address), o.prefix
                USING ERRCODE = 'check_violation',
                      HINT = 'Only a pool (is_pool) hands out its network and broadcast addresses.';
        ELSIF mountaineer.first_address(NEW.address) = mountaineer.last_address(o.prefix) THEN
            RAISE EXCEPTION 'address % is the broadcast address of prefix %', host(NEW.address), o.prefix
                USING ERRCODE = 'check_violation',
                      HINT = 'Only a pool (is_pool) hands out its network and broadcast addresses.';
        END IF;
    END IF;
    -- not inside a reserved range, unless the range allows it (a free
    -- address is in none; else one GiST probe of ip_range_no_overlap)
    IF NOT free THEN
        SELECT r.start_address, r.end_address INTO g FROM mountaineer.ip_range r
         WHERE mountaineer.vrf_key(r.vrf_id) = vkey
           AND mountaineer.inetrange(host(r.start_address)::inet, host(r.end_address)::inet, '[]') @> mountaineer.first_address(NEW.address)
           AND NOT r.allow_addresses;
        IF FOUND THEN
            RAISE EXCEPTION 'address % lies in reserved range % - %', host(NEW.address), host(g.start_address), host(g.end_address)
                USING ERRCODE = 'check_violation',
                      HINT = 'Allocation never hands out reserved addresses; to assign them by hand, set allow_addresses on the range.';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.ip_address_check_full() IS
    'Internal (1.7): ip_address_check() as PL/pgSQL, which ip_address_check() runs as its own trigger call for every row it does not answer itself (not free, a port and a host, a mask or address to refuse).';
REVOKE EXECUTE ON FUNCTION mountaineer.ip_address_check_full() FROM PUBLIC;

-- (1.7) The check in C (src/address.c): a free address (inside a free block
-- of its VRF, so in no reserved range) that is written bare or with its
-- network's mask, is not that network's network or broadcast address, and
-- has no port and host to check against each other is answered by two
-- btree probes (prefix_free_vrf_idx, prefix_pkey); dns_name is normalized
-- as the PL/pgSQL does; every other row goes to ip_address_check_full().
CREATE OR REPLACE FUNCTION mountaineer.ip_address_check() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_ip_address_check';
COMMENT ON FUNCTION mountaineer.ip_address_check() IS
    'Trigger: normalizes dns_name, checks that the port belongs to the host''s device, gives a bare address its network''s mask and refuses another mask, an IPv4 network or broadcast address (but in a pool, /31 or /32), and an address in a reserved range that does not allow addresses. (1.7) C for a free address; any other row is checked by ip_address_check_full().';
REVOKE EXECUTE ON FUNCTION mountaineer.ip_address_check() FROM PUBLIC;

-- (1.7) the VRF lock in C (src/vrf_lock.c): the same queries, taken once
-- per transaction and VRF (again after a rollback to a savepoint set before
-- it); lock_vrf_of_row() calls it without PL/pgSQL
CREATE OR REPLACE FUNCTION mountaineer.lock_vrf(vrf_id uuid) RETURNS void
    LANGUAGE C VOLATILE
    AS '$libdir/mountaineer', 'mountaineer_lock_vrf';
COMMENT ON FUNCTION mountaineer.lock_vrf(uuid) IS
    'Internal: takes the transaction-level lock that serializes allocation and free-space upkeep in one VRF (NULL: the global table), a row lock on vrf_lock (made on first use); (1.7) once per transaction and VRF, again after a rollback to a savepoint set before it.';
CREATE OR REPLACE FUNCTION mountaineer.lock_vrf_of_row() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_lock_vrf_of_row';
COMMENT ON FUNCTION mountaineer.lock_vrf_of_row() IS 'Trigger: takes the allocation lock of the row''s VRF first (of the VRF it leaves, then of the one it enters); (1.7) C, as lock_vrf().';

-- (1.7) A prefix's VRF locks are taken by lock_vrf_of_row() too, before the
-- row and its unique-index entry exist, where prefix_maintain() took them
-- by a PL/pgSQL call for every prefix inserted or deleted (13 µs a row);
-- prefix_maintain() is left to moves.
DROP TRIGGER maintain_free_space ON mountaineer.prefix;
CREATE TRIGGER maintain_free_space BEFORE UPDATE OF id, prefix, vrf_id ON mountaineer.prefix
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.prefix')) EXECUTE FUNCTION mountaineer.prefix_maintain();
CREATE TRIGGER a_lock_vrf BEFORE INSERT OR DELETE OR UPDATE OF id, prefix, vrf_id ON mountaineer.prefix
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.prefix')) EXECUTE FUNCTION mountaineer.lock_vrf_of_row();

-- (1.7) One deleted address while there is no reserved range is given back
-- in C (src/address.c): to its owner's free space by free_add()'s merge,
-- unless a free block holds it; the PL/pgSQL stays, as
-- ip_address_free_delete_full(), for every other statement.
CREATE FUNCTION mountaineer.ip_address_free_delete_full() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM mountaineer.free_release_addresses(array_agg(mountaineer.vrf_key(o.vrf_id)), array_agg(o.host_addr))
       FROM old_rows o;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.ip_address_free_delete_full() IS
    'Trigger (AFTER DELETE, per statement), (1.7) run by ip_address_free_delete() for every statement but one deleted address while there is no reserved range: gives the deleted addresses back to the free space.';
REVOKE EXECUTE ON FUNCTION mountaineer.ip_address_free_delete_full() FROM PUBLIC;
CREATE OR REPLACE FUNCTION mountaineer.ip_address_free_delete() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_ip_address_free_delete';
COMMENT ON FUNCTION mountaineer.ip_address_free_delete() IS
    'Trigger (AFTER DELETE, per statement): gives the deleted addresses back to the free space; (1.7) C for one deleted address while there is no reserved range, else ip_address_free_delete_full().';

-- (1.7) A moved prefix with a twin (the same block in the other VRF of its
-- key) gives nothing back: the twin keeps its own copy of the space.
CREATE OR REPLACE FUNCTION mountaineer.prefix_detach(n mountaineer.prefix) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    vkey uuid := mountaineer.vrf_key(n.vrf_id);
    p    mountaineer.prefix;
    b    cidr;
BEGIN
    p := mountaineer.prefix_owner(vkey, n.prefix, n.id);
    -- (1.7) a twin (the same block in the other VRF of the key: the global
    -- table and the all-zero VRF) keeps its own copy of the space: nothing
    -- goes back
    IF p.prefix = n.prefix THEN
        p := NULL;
    END IF;
    FOR b IN DELETE FROM mountaineer.prefix_free WHERE prefix_id = n.id RETURNING block LOOP
        IF p.id IS NOT NULL THEN
            PERFORM mountaineer.free_add(p.id, p.prefix, vkey, b);
        END IF;
    END LOOP;
END
$$;
