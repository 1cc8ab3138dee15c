-- mountaineer_networks 1.7: VRFs, VLANs and VLAN groups, prefixes, reserved
-- ranges, IP addresses, and allocation (of prefixes, addresses, AS numbers and
-- VLAN ids) that is exact, fast at any size and safe under concurrency (1.6:
-- route targets, aggregates, address and VLAN status, tenants; 1.7: deleted
-- prefixes give their free space back without a join planned for billions of
-- rows, and new and deleted prefixes re-mask the addresses in them per
-- statement).
-- Every row trigger that fires on INSERT carries WHEN (NOT
-- mountaineer.restoring(its table)): it stands aside while pg_restore, or psql
-- running a pg_dump script, restores that table (src/restore.c).
\echo Use "CREATE EXTENSION mountaineer_networks CASCADE" to load this file. \quit

--------------------------------------------------------------------------
-- Helpers
--------------------------------------------------------------------------
-- NULL vrf_id means the global table; indexes and locks need a value for it.
CREATE FUNCTION mountaineer.vrf_key(vrf_id uuid) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(vrf_id, '00000000-0000-0000-0000-000000000000'::uuid);
COMMENT ON FUNCTION mountaineer.vrf_key(uuid) IS
    'The VRF id, or the all-zero uuid for the global table (NULL); used in indexes and locks.';

CREATE FUNCTION mountaineer.host_cidr(address inet) RETURNS cidr
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN host(address)::cidr;
COMMENT ON FUNCTION mountaineer.host_cidr(inet) IS
    'The single address as a /32 or /128 block, whatever mask the inet carries: host_cidr(''10.0.0.5/24'') = 10.0.0.5/32.';

-- The first and last address of a block as bare addresses (/32 or /128):
-- broadcast() keeps the mask, and an inet with a shorter mask sorts before
-- every address inside it, so comparisons must drop it.
CREATE FUNCTION mountaineer.first_address(block inet) RETURNS inet
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN host(block)::inet;
COMMENT ON FUNCTION mountaineer.first_address(inet) IS
    'The first address of a block, without a mask: first_address(''10.0.0.0/24'') = 10.0.0.0.';
CREATE FUNCTION mountaineer.last_address(block inet) RETURNS inet
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN host(broadcast(block))::inet;
COMMENT ON FUNCTION mountaineer.last_address(inet) IS
    'The last address of a block, without a mask: last_address(''10.0.0.0/24'') = 10.0.0.255.';

-- A route distinguisher (RFC 4364): type 0 ASN2:nn (0..65535 : 0..4294967295),
-- type 1 IPv4:nn (dotted quad : 0..65535), type 2 ASN4:nn (65536..4294967295
-- : 0..65535); decimal numbers without leading zeros, so that one RD has
-- one spelling and the UNIQUE constraint sees every duplicate.
CREATE FUNCTION mountaineer.is_valid_rd(rd text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
RETURN CASE
    WHEN rd ~ '^(0|[1-9][0-9]{0,9}):(0|[1-9][0-9]{0,9})$' THEN
        (split_part(rd, ':', 1)::bigint <= 65535 AND split_part(rd, ':', 2)::bigint <= 4294967295)
        OR (split_part(rd, ':', 1)::bigint <= 4294967295 AND split_part(rd, ':', 2)::bigint <= 65535)
    WHEN rd ~ '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]):(0|[1-9][0-9]{0,4})$' THEN
        split_part(rd, ':', 2)::int <= 65535
    ELSE false
END;
COMMENT ON FUNCTION mountaineer.is_valid_rd(text) IS
    'Whether a route distinguisher is well formed: ASN:nn with a 2-byte ASN (0..65535) and a 4-byte number, or a 4-byte ASN and a 2-byte number; or IPv4:nn with a 2-byte number; decimal, no leading zeros.';

-- Reserved ranges as ranges of bare addresses, so that an exclusion
-- constraint keeps them from overlapping and a GiST probe finds the range
-- holding an address.
CREATE TYPE mountaineer.inetrange AS RANGE (subtype = inet);
COMMENT ON TYPE mountaineer.inetrange IS 'A range of addresses (bare, /32 or /128), e.g. [10.0.0.200,10.0.0.250]; used for reserved ranges.';
COMMENT ON FUNCTION mountaineer.inetrange(inet, inet) IS 'Constructs an inetrange [lower,upper).';
COMMENT ON FUNCTION mountaineer.inetrange(inet, inet, text) IS 'Constructs an inetrange with the bounds given, e.g. ''[]''.';
COMMENT ON FUNCTION mountaineer.inetmultirange() IS 'Constructs an empty inetmultirange.';
COMMENT ON FUNCTION mountaineer.inetmultirange(mountaineer.inetrange) IS 'Constructs an inetmultirange of one range.';
COMMENT ON FUNCTION mountaineer.inetmultirange(mountaineer.inetrange[]) IS 'Constructs an inetmultirange of the ranges given.';

--------------------------------------------------------------------------
-- VRFs and VLANs
--------------------------------------------------------------------------
CREATE TABLE mountaineer.vrf (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL UNIQUE CONSTRAINT vrf_name_check CHECK (mountaineer.is_valid_name(name)),
    rd          text UNIQUE CONSTRAINT vrf_rd_format CHECK (mountaineer.is_valid_rd(rd)),
    description text CONSTRAINT vrf_description_check CHECK (mountaineer.is_valid_name(description, 200))
);
COMMENT ON TABLE mountaineer.vrf IS 'A routing table (VRF); prefixes and addresses with no VRF are in the global table.';
COMMENT ON COLUMN mountaineer.vrf.rd IS 'Route distinguisher, ASN:number or IPv4:number, e.g. 65000:100 or 10.0.0.1:7 (is_valid_rd).';
SELECT mountaineer.manage_table('mountaineer.vrf');

CREATE TABLE mountaineer.vlan (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    site_id     uuid REFERENCES mountaineer.site ON DELETE RESTRICT,
    vid         int NOT NULL CONSTRAINT vlan_vid_range CHECK (vid BETWEEN 1 AND 4094),
    name        text NOT NULL CONSTRAINT vlan_name_check CHECK (mountaineer.is_valid_name(name)),
    description text CONSTRAINT vlan_description_check CHECK (mountaineer.is_valid_name(description, 200)),
    CONSTRAINT vlan_site_vid_key UNIQUE NULLS NOT DISTINCT (site_id, vid)
);
COMMENT ON TABLE mountaineer.vlan IS 'A VLAN, at a site or global (site_id NULL); a VLAN id is used once per site and once globally.';
SELECT mountaineer.manage_table('mountaineer.vlan');

--------------------------------------------------------------------------
-- Prefixes, ranges, addresses
--------------------------------------------------------------------------
CREATE TYPE mountaineer.prefix_status AS ENUM ('container', 'active', 'reserved', 'deprecated');
COMMENT ON TYPE mountaineer.prefix_status IS 'Lifecycle of a prefix.';

CREATE TABLE mountaineer.prefix (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug         text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    vrf_id       uuid REFERENCES mountaineer.vrf ON DELETE RESTRICT,
    prefix       cidr NOT NULL,
    description  text CONSTRAINT prefix_description_check CHECK (mountaineer.is_valid_name(description, 200)),
    vlan_id      uuid REFERENCES mountaineer.vlan ON DELETE RESTRICT,
    is_pool      boolean NOT NULL DEFAULT false,
    status       mountaineer.prefix_status NOT NULL DEFAULT 'active',
    interface_id uuid REFERENCES mountaineer.port ON DELETE SET NULL,
    CONSTRAINT prefix_vrf_prefix_key UNIQUE NULLS NOT DISTINCT (vrf_id, prefix)
);
-- parents and children are found through this index, never stored
CREATE INDEX prefix_tree_idx ON mountaineer.prefix USING gist (mountaineer.vrf_key(vrf_id), prefix inet_ops);
COMMENT ON TABLE mountaineer.prefix IS
    'A network (CIDR block) in a VRF or the global table. The hierarchy is by containment: a prefix''s parent is the smallest prefix of the same VRF that contains it (prefix_parent, prefix_children).';
COMMENT ON COLUMN mountaineer.prefix.is_pool IS 'Every address is usable, network and broadcast included (e.g. a NAT pool or loopbacks).';
COMMENT ON COLUMN mountaineer.prefix.interface_id IS 'The port this network is configured on, if any (the seed''s interface).';
SELECT mountaineer.manage_table('mountaineer.prefix');

CREATE TABLE mountaineer.ip_range (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug          text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    vrf_id        uuid REFERENCES mountaineer.vrf ON DELETE RESTRICT,
    start_address inet NOT NULL,
    end_address   inet NOT NULL,
    description   text CONSTRAINT ip_range_description_check CHECK (mountaineer.is_valid_name(description, 200)),
    allow_addresses boolean NOT NULL DEFAULT false,
    CONSTRAINT ip_range_same_family CHECK (family(start_address) = family(end_address)),
    CONSTRAINT ip_range_ordered CHECK (host(start_address)::inet <= host(end_address)::inet),
    CONSTRAINT ip_range_no_overlap EXCLUDE USING gist (
        mountaineer.vrf_key(vrf_id) WITH =,
        mountaineer.inetrange(host(start_address)::inet, host(end_address)::inet, '[]') WITH &&)
);
CREATE INDEX ip_range_start_idx ON mountaineer.ip_range (mountaineer.vrf_key(vrf_id), (host(start_address)::inet));
COMMENT ON TABLE mountaineer.ip_range IS
    'A reserved block of addresses (the seed''s ReservedAddressBlock) that allocation never hands out; it lies inside one prefix''s own space, never across a prefix boundary, and overlaps no other range of its VRF.';
COMMENT ON COLUMN mountaineer.ip_range.allow_addresses IS
    'Addresses may be assigned inside the range by hand (e.g. the reservations of a DHCP range); false: no address lies in it. Allocation never hands them out either way.';
SELECT mountaineer.manage_table('mountaineer.ip_range');

CREATE TABLE mountaineer.ip_address (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    vrf_id      uuid REFERENCES mountaineer.vrf ON DELETE RESTRICT,
    address     inet NOT NULL,
    host_addr   cidr GENERATED ALWAYS AS (mountaineer.host_cidr(address)) STORED,
    host_id     uuid REFERENCES mountaineer.host ON DELETE CASCADE,
    port_id     uuid REFERENCES mountaineer.port ON DELETE SET NULL,
    canonical   boolean NOT NULL DEFAULT false,
    dns_name    text,
    description text CONSTRAINT ip_address_description_check CHECK (mountaineer.is_valid_name(description, 200)),
    CONSTRAINT ip_address_canonical_needs_host CHECK (NOT canonical OR host_id IS NOT NULL)
);
-- 10.0.0.5/24 and 10.0.0.5/32 are the same address
CREATE UNIQUE INDEX ip_address_unique_in_vrf ON mountaineer.ip_address (mountaineer.vrf_key(vrf_id), host_addr);
CREATE UNIQUE INDEX ip_address_one_canonical ON mountaineer.ip_address (host_id) WHERE canonical;
CREATE INDEX ip_address_host_idx ON mountaineer.ip_address (host_id);
CREATE INDEX ip_address_addr_idx ON mountaineer.ip_address USING gist (mountaineer.vrf_key(vrf_id), host_addr inet_ops);
COMMENT ON TABLE mountaineer.ip_address IS
    'An address assigned in a VRF (or the global table), to a host and optionally one of its device''s ports; one host address once per VRF whatever the mask, one canonical address per host.';
COMMENT ON COLUMN mountaineer.ip_address.address IS
    'The address with the mask of its network (the smallest prefix of its VRF containing it; /32 or /128 in none), e.g. 10.0.0.5/24; written bare (10.0.0.5) it takes that mask, and it follows when prefixes come and go.';
COMMENT ON COLUMN mountaineer.ip_address.host_addr IS 'The address alone (/32 or /128); unique per VRF.';
COMMENT ON COLUMN mountaineer.ip_address.canonical IS 'The host''s primary address (its A/AAAA record and PTR).';
COMMENT ON COLUMN mountaineer.ip_address.dns_name IS 'Name for the PTR record, a valid FQDN stored lower case.';
SELECT mountaineer.manage_table('mountaineer.ip_address');

--------------------------------------------------------------------------
-- Free space
--
-- Every address of a VRF that lies in some prefix belongs to the smallest
-- prefix containing it.  prefix_free holds, per prefix, the part of its own
-- space that is free: not in a child prefix, not an assigned address, not
-- in a reserved range, as the canonical (buddy-merged, minimal) set of CIDR
-- blocks.  The blocks of one VRF never overlap.  Triggers keep it exact on
-- every write; allocation then needs one index probe per prefix length
-- (at most 129), however many prefixes and addresses exist.
--------------------------------------------------------------------------
CREATE TABLE mountaineer.prefix_free (
    prefix_id uuid NOT NULL,                -- the owner; kept by the triggers, not a foreign key (they run before the row exists)
    vrf_key   uuid NOT NULL,
    block     cidr NOT NULL,
    PRIMARY KEY (prefix_id, block)
);
CREATE INDEX prefix_free_len_idx ON mountaineer.prefix_free (prefix_id, masklen(block), block);
-- The blocks of one VRF never overlap, so the blocks overlapping b are the
-- one that contains it (the greatest block <= b in inet order) and those
-- inside it (a range): both btree probes.  A GiST inet_ops index answered the
-- same with && but read hundreds of pages once a VRF held millions of blocks.
CREATE INDEX prefix_free_vrf_idx ON mountaineer.prefix_free (vrf_key, block);
COMMENT ON TABLE mountaineer.prefix_free IS
    'Derived: the free blocks of each prefix''s own space, maintained by triggers for allocation; read it through free_prefixes().';
SELECT pg_catalog.pg_extension_config_dump('mountaineer.prefix_free', '');
GRANT SELECT ON mountaineer.prefix_free TO mountaineer_reader;

-- The allocation lock of each VRF is a row lock on its row here, not an
-- advisory lock: any role may call pg_advisory_xact_lock() with a key it
-- read from this script or from pg_locks, and so stall every allocation,
-- while locking a row needs UPDATE on this table, which no role but the
-- owner has.  Rows appear on first use (lock_vrf), so the table needs no
-- upkeep as VRFs come and go.
CREATE TABLE mountaineer.vrf_lock (
    vrf_key uuid PRIMARY KEY
);
COMMENT ON TABLE mountaineer.vrf_lock IS
    'Derived: one row per VRF key that has been written (the all-zero key for the global table), locked FOR UPDATE by lock_vrf() to serialize allocation and free-space upkeep in that VRF.';
SELECT pg_catalog.pg_extension_config_dump('mountaineer.vrf_lock', '');
GRANT SELECT ON mountaineer.vrf_lock TO mountaineer_reader;

-- Serializes every change to the free space of one VRF (allocation and the
-- triggers alike) for the rest of the transaction.  Only the module's own
-- SECURITY DEFINER functions call it: no user may take the lock by hand.
-- (No SET search_path: its callers pin it, and a SET costs on every row.)
-- (1.7) C (src/vrf_lock.c): the same two queries, and a VRF this
-- transaction already holds (in no subtransaction since rolled back) is not
-- locked again.
CREATE FUNCTION mountaineer.lock_vrf(vrf_id uuid) RETURNS void
    LANGUAGE C VOLATILE
    AS '$libdir/mountaineer', 'mountaineer_lock_vrf';
COMMENT ON FUNCTION mountaineer.lock_vrf(uuid) IS
    'Internal: takes the transaction-level lock that serializes allocation and free-space upkeep in one VRF (NULL: the global table), a row lock on vrf_lock (made on first use); (1.7) once per transaction and VRF, again after a rollback to a savepoint set before it.';

-- Gives block b back to owner's free space, merging it with its free buddy
-- as long as there is one.  (1.7) C (src/address.c): a probe of
-- prefix_free_pkey per buddy, where the PL/pgSQL's statements took 25 µs a
-- call (and its DELETE's plan, kept for the session, read
-- prefix_free_len_idx by prefix_id alone: every free block of the owner,
-- 420 µs a /28 deleted under a /8 that 20,000 /28s had just left).
CREATE FUNCTION mountaineer.free_add(owner uuid, owner_prefix cidr, vkey uuid, b cidr) RETURNS void
    LANGUAGE C VOLATILE
    AS '$libdir/mountaineer', 'mountaineer_free_add';
COMMENT ON FUNCTION mountaineer.free_add(uuid, cidr, uuid, cidr) IS
    'Internal: returns a block to a prefix''s free space, merging buddies.';

-- Takes block b out of whatever free space holds it.
CREATE FUNCTION mountaineer.free_take(vkey uuid, b cidr) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    f record;
BEGIN
    -- a free block holding all of b: split it
    SELECT g.prefix_id, g.block INTO f FROM mountaineer.prefix_free g
     WHERE g.vrf_key = vkey AND g.block <= b
     ORDER BY g.block DESC LIMIT 1;
    IF FOUND AND f.block >> b THEN
        DELETE FROM mountaineer.prefix_free WHERE vrf_key = vkey AND block = f.block;
        INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block)
        SELECT f.prefix_id, vkey, r FROM mountaineer.cidr_free(f.block, ARRAY[b]) r;
    END IF;
    -- free blocks inside b: gone (the range spelled out: a cached plan cannot
    -- derive it from <<= on a parameter)
    DELETE FROM mountaineer.prefix_free
     WHERE vrf_key = vkey AND block >= b
       AND block <= set_masklen(broadcast(b), CASE family(b) WHEN 4 THEN 32 ELSE 128 END)
       AND block <<= b;
END
$$;
COMMENT ON FUNCTION mountaineer.free_take(uuid, cidr) IS 'Internal: removes a block from the free space of its VRF.';

-- The prefix that owns an address block: the smallest one containing it.
-- (1.7) C (src/address.c): a few probes of prefix_vrf_prefix_key, read
-- backwards from the block, where the query (kept for a caller who cannot
-- read prefix, or when that index is not as made) read the GiST index, 40
-- to 140 µs a call.
CREATE FUNCTION mountaineer.prefix_owner(vkey uuid, b cidr, not_id uuid DEFAULT NULL)
    RETURNS mountaineer.prefix
    LANGUAGE C STABLE PARALLEL SAFE
    AS '$libdir/mountaineer', 'mountaineer_prefix_owner';
COMMENT ON FUNCTION mountaineer.prefix_owner(uuid, cidr, uuid) IS
    'Internal: the smallest prefix of the VRF containing the block (optionally ignoring one prefix).';

-- Gives an address block back, except the parts other addresses or ranges
-- still hold.
CREATE FUNCTION mountaineer.free_release(vkey uuid, b cidr) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    o    mountaineer.prefix;
    held cidr[];
    r    cidr;
BEGIN
    o := mountaineer.prefix_owner(vkey, b);
    IF o.id IS NULL THEN
        RETURN;
    END IF;
    SELECT array_agg(x) INTO held FROM (
        SELECT a.host_addr AS x FROM mountaineer.ip_address a
         WHERE mountaineer.vrf_key(a.vrf_id) = vkey AND a.host_addr <<= b
        UNION ALL
        SELECT c FROM mountaineer.ip_range g,
               LATERAL mountaineer.inet_range_cidrs(g.start_address, g.end_address) c
         WHERE mountaineer.vrf_key(g.vrf_id) = vkey
           AND family(g.start_address) = family(b)
           AND host(g.start_address)::inet <= mountaineer.last_address(b)
           AND host(g.end_address)::inet >= mountaineer.first_address(b)
        UNION ALL
        SELECT p.prefix FROM mountaineer.prefix p
         WHERE mountaineer.vrf_key(p.vrf_id) = vkey AND p.prefix << b
        UNION ALL
        -- already free (a statement that releases the same block twice):
        -- the free block holding b, or those inside it (btree probes, as in
        -- free_take)
        SELECT f.block FROM (SELECT g.block FROM mountaineer.prefix_free g
                              WHERE g.vrf_key = vkey AND g.block <= b
                              ORDER BY g.block DESC LIMIT 1) f
         WHERE f.block >>= b
        UNION ALL
        SELECT g.block FROM mountaineer.prefix_free g
         WHERE g.vrf_key = vkey AND g.block >= b
           AND g.block <= set_masklen(broadcast(b), CASE family(b) WHEN 4 THEN 32 ELSE 128 END)
           AND g.block <<= b) h;
    FOR r IN SELECT * FROM mountaineer.cidr_free(b, coalesce(held, '{}')) LOOP
        PERFORM mountaineer.free_add(o.id, o.prefix, vkey, r);
    END LOOP;
END
$$;
COMMENT ON FUNCTION mountaineer.free_release(uuid, cidr) IS
    'Internal: returns an address block to the free space of the prefix that owns it, keeping what other addresses, ranges and prefixes hold.';

-- A new (or moved) prefix takes over the free space of its parent that lies
-- inside it; a top-level prefix computes its own.
CREATE FUNCTION mountaineer.prefix_attach(n mountaineer.prefix) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    vkey uuid := mountaineer.vrf_key(n.vrf_id);
    p    mountaineer.prefix;
    f    record;
    held cidr[];
BEGIN
    p := mountaineer.prefix_owner(vkey, n.prefix, n.id);
    IF p.prefix = n.prefix THEN
        -- the same prefix exists: this row is refused by the unique key, or
        -- skipped by ON CONFLICT; either way its space is not ours to take
        RETURN;
    END IF;
    IF p.id IS NOT NULL THEN
        -- the parent's free blocks overlapping n (they never overlap each
        -- other): one holding all of n, found as the greatest block <= n ...
        SELECT g.block INTO f FROM mountaineer.prefix_free g
         WHERE g.prefix_id = p.id AND g.block <= n.prefix
         ORDER BY g.block DESC LIMIT 1;
        IF FOUND AND f.block >> n.prefix THEN
            DELETE FROM mountaineer.prefix_free WHERE prefix_id = p.id AND block = f.block;
            INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block)
            SELECT p.id, vkey, r FROM mountaineer.cidr_free(f.block, ARRAY[n.prefix]) r
            UNION ALL SELECT n.id, vkey, n.prefix;
        ELSE
            -- ... or those inside n, which become n's
            UPDATE mountaineer.prefix_free SET prefix_id = n.id
             WHERE prefix_id = p.id AND block >= n.prefix
               AND block <= set_masklen(broadcast(n.prefix), CASE family(n.prefix) WHEN 4 THEN 32 ELSE 128 END)
               AND block <<= n.prefix;
        END IF;
    ELSE
        SELECT array_agg(x) INTO held FROM (
            SELECT q.prefix AS x FROM mountaineer.prefix q
             WHERE mountaineer.vrf_key(q.vrf_id) = vkey AND q.prefix << n.prefix
               AND q.id <> n.id                 -- its own old version, when it moves
            UNION ALL
            SELECT a.host_addr FROM mountaineer.ip_address a
             WHERE mountaineer.vrf_key(a.vrf_id) = vkey AND a.host_addr <<= n.prefix
            UNION ALL
            SELECT c FROM mountaineer.ip_range g,
                   LATERAL mountaineer.inet_range_cidrs(g.start_address, g.end_address) c
             WHERE mountaineer.vrf_key(g.vrf_id) = vkey
               AND family(g.start_address) = family(n.prefix)
               AND host(g.start_address)::inet <= mountaineer.last_address(n.prefix)
               AND host(g.end_address)::inet >= mountaineer.first_address(n.prefix)) h;
        INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block)
        SELECT n.id, vkey, r FROM mountaineer.cidr_free(n.prefix, coalesce(held, '{}')) r;
    END IF;
END
$$;
COMMENT ON FUNCTION mountaineer.prefix_attach(mountaineer.prefix) IS 'Internal: free-space upkeep when a prefix appears.';

-- A prefix going away gives its free space back to its parent.
CREATE FUNCTION mountaineer.prefix_detach(n mountaineer.prefix) RETURNS void
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
COMMENT ON FUNCTION mountaineer.prefix_detach(mountaineer.prefix) IS 'Internal: free-space upkeep when a prefix goes away.';

-- A reserved range lies in one prefix's own space: no prefix may lie inside
-- it or cross it.
CREATE FUNCTION mountaineer.range_check_prefixes(vkey uuid, first inet, last inet) RETURNS void
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    q cidr;
BEGIN
    SELECT p.prefix INTO q FROM mountaineer.prefix p
     WHERE mountaineer.vrf_key(p.vrf_id) = vkey
       AND family(p.prefix) = family(first)
       AND mountaineer.first_address(p.prefix) <= host(last)::inet
       AND mountaineer.last_address(p.prefix) >= host(first)::inet
       AND NOT (mountaineer.first_address(p.prefix) <= host(first)::inet
                AND mountaineer.last_address(p.prefix) >= host(last)::inet)
     ORDER BY p.prefix LIMIT 1;
    IF FOUND THEN
        IF mountaineer.first_address(q) >= host(first)::inet AND mountaineer.last_address(q) <= host(last)::inet THEN
            RAISE EXCEPTION 'reserved range % - % contains prefix %', host(first), host(last), q
                USING ERRCODE = 'check_violation',
                      HINT = 'Reserved addresses lie inside a prefix''s own space, not around other prefixes.';
        END IF;
        RAISE EXCEPTION 'reserved range % - % cuts across prefix %', host(first), host(last), q
            USING ERRCODE = 'check_violation',
                  HINT = 'A reserved range lies inside one prefix''s own space; split it at the prefix boundary.';
    END IF;
END
$$;
COMMENT ON FUNCTION mountaineer.range_check_prefixes(uuid, inet, inet) IS
    'Internal: refuses a reserved range that contains or crosses a prefix.';

CREATE FUNCTION mountaineer.prefix_maintain() RETURNS trigger
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
REVOKE EXECUTE ON FUNCTION mountaineer.prefix_maintain() FROM PUBLIC;
-- BEFORE, so that each row of a multi-row statement that moves prefixes
-- sees the free space as the rows before it left it (AFTER ROW triggers all
-- run at the end).  (1.7) Moves only: the VRF locks are a_lock_vrf's.
CREATE TRIGGER maintain_free_space BEFORE UPDATE OF id, prefix, vrf_id ON mountaineer.prefix
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.prefix')) EXECUTE FUNCTION mountaineer.prefix_maintain();

-- New prefixes get their free space per statement (a_lock_vrf, BEFORE
-- each row, takes the VRF lock), after (1.7) a check that no
-- reserved range cuts across one of them or holds one: one query for the
-- statement instead of one per row, none while there is no range at all.
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
-- (1.7) The free block holding a new prefix is found by
-- free_block_holding(), an index probe in C.  Without sequential scans or
-- JIT, as every per-statement function of the free space: each probes
-- prefix_free, prefix, ip_range or ip_address once per row of the
-- statement, where an index probe is right at any size.  A table emptied and vacuumed keeps its pages, so its
-- statistics say a few rows on many pages; costing a probe of its bloated
-- index at hundreds of pages, the planner would rather scan the whole
-- table once per row (a COPY of 100,000 /28s after a DELETE of as many:
-- 9 s of 13 in this function), and JIT compiles the resulting estimates.
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
CREATE FUNCTION mountaineer.prefix_free_insert() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_prefix_free_insert';
COMMENT ON FUNCTION mountaineer.prefix_free_insert() IS 'Trigger (AFTER INSERT, per statement): refuses a new prefix that cuts across a reserved range or lies inside one (23514); the new prefixes take their free space out of their owners''; (1.7) C for one new prefix in free space while there is no reserved range, else prefix_free_insert_full().';
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
-- free block of the owner (absorbed: deleted).  A block that does not climb
-- is final: the step that finds so carries it one length up marked done, and
-- it climbs no further (1.7; 1.6 looked for each block's parent among all
-- the rows made, an anti-join of the recursive query with itself, which the
-- planner estimated at billions of rows and hashed in a million batches:
-- 37 s of a 44 s DELETE of 100,000 prefixes).  A block that reaches the
-- owner's length is final too.  A deleted prefix that nothing contains
-- leaves no free space behind.  No JIT: its estimates are far too high
-- (and no sequential scans: see prefix_free_insert).
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
CREATE FUNCTION mountaineer.prefix_free_delete() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_prefix_free_delete';
COMMENT ON FUNCTION mountaineer.prefix_free_delete() IS 'Trigger (AFTER DELETE, per statement): the deleted prefixes'' free space goes back to the prefixes that now own it, buddies merged; (1.7) C for one deleted prefix, else prefix_free_delete_full().';
REVOKE EXECUTE ON FUNCTION mountaineer.prefix_free_delete() FROM PUBLIC;
CREATE TRIGGER maintain_free_space_delete AFTER DELETE ON mountaineer.prefix
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.prefix_free_delete();

-- Every address of a block carries the mask of its network (its owner
-- prefix, /32 or /128 in none): after prefixes change, those whose mask is
-- no longer that are rewritten, in one statement.  The rewrite goes through
-- check_address, which refuses an address that became the network or
-- broadcast address of its new network.  Cost: the addresses inside the
-- block (none for a prefix allocated from free space).
CREATE FUNCTION mountaineer.address_masks(vkey uuid, block cidr) RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    -- one table, no join: the plan is the GiST probe of ip_address_addr_idx
    -- whatever the parameters
    UPDATE mountaineer.ip_address a
       SET address = set_masklen(a.address, coalesce(masklen((mountaineer.prefix_owner(vkey, a.host_addr)).prefix),
                                                     CASE family(a.host_addr) WHEN 4 THEN 32 ELSE 128 END))
     WHERE mountaineer.vrf_key(a.vrf_id) = vkey AND a.host_addr <<= block
       AND masklen(a.address) <> coalesce(masklen((mountaineer.prefix_owner(vkey, a.host_addr)).prefix),
                                          CASE family(a.host_addr) WHEN 4 THEN 32 ELSE 128 END)
$$;
COMMENT ON FUNCTION mountaineer.address_masks(uuid, cidr) IS
    'Internal: gives every address of the VRF inside the block the mask of its network.';

CREATE FUNCTION mountaineer.prefix_keep_addresses() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a inet;
BEGIN
    -- the VRF lock is held: maintain_free_space took it, but for a change of
    -- is_pool alone, taken below
    -- (the UPDATE only when there is an address to look at: a prefix
    -- allocated from free space has none, and an UPDATE that finds no row
    -- still costs opening the table and its indexes)
    IF (TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (NEW.prefix <> OLD.prefix OR mountaineer.vrf_key(NEW.vrf_id) <> mountaineer.vrf_key(OLD.vrf_id))))
       AND EXISTS (SELECT FROM mountaineer.ip_address x
                    WHERE mountaineer.vrf_key(x.vrf_id) = mountaineer.vrf_key(OLD.vrf_id) AND x.host_addr <<= OLD.prefix) THEN
        PERFORM mountaineer.address_masks(mountaineer.vrf_key(OLD.vrf_id), OLD.prefix);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (NEW.prefix <> OLD.prefix OR mountaineer.vrf_key(NEW.vrf_id) <> mountaineer.vrf_key(OLD.vrf_id))) THEN
        IF EXISTS (SELECT FROM mountaineer.ip_address x
                    WHERE mountaineer.vrf_key(x.vrf_id) = mountaineer.vrf_key(NEW.vrf_id) AND x.host_addr <<= NEW.prefix) THEN
            PERFORM mountaineer.address_masks(mountaineer.vrf_key(NEW.vrf_id), NEW.prefix);
        END IF;
    ELSIF TG_OP = 'UPDATE' AND OLD.is_pool AND NOT NEW.is_pool
          AND family(NEW.prefix) = 4 AND masklen(NEW.prefix) <= 30 THEN
        -- no longer a pool: its own network and broadcast addresses must be free
        -- (an address of the same length inside it is its own)
        PERFORM mountaineer.lock_vrf(NEW.vrf_id);
        SELECT x.address INTO a FROM mountaineer.ip_address x
         WHERE mountaineer.vrf_key(x.vrf_id) = mountaineer.vrf_key(NEW.vrf_id)
           AND x.host_addr IN (mountaineer.host_cidr(mountaineer.first_address(NEW.prefix)),
                               mountaineer.host_cidr(mountaineer.last_address(NEW.prefix)))
           AND masklen(x.address) = masklen(NEW.prefix)
         ORDER BY x.host_addr LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'prefix % cannot stop being a pool: address % is its % address', NEW.prefix, host(a),
                CASE WHEN mountaineer.first_address(a) = mountaineer.first_address(NEW.prefix) THEN 'network' ELSE 'broadcast' END
                USING ERRCODE = 'check_violation',
                      HINT = 'Move or delete the address first.';
        END IF;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.prefix_keep_addresses() IS
    'Trigger: after prefixes change, the addresses inside them take their network''s new mask; a prefix that stops being a pool keeps its network and broadcast addresses free (attached per row for an UPDATE only since 1.7: prefix_keep_addresses_new and prefix_keep_addresses_gone do new and deleted prefixes per statement).';
REVOKE EXECUTE ON FUNCTION mountaineer.prefix_keep_addresses() FROM PUBLIC;
-- AFTER, so that each address's network is found among all the rows the
-- statement wrote.  Per row only for an UPDATE (a moved prefix; a column list
-- allows no transition table); new and deleted prefixes per statement (1.7),
-- just before the other statement triggers as the row trigger was.
CREATE TRIGGER keep_addresses AFTER UPDATE OF prefix, vrf_id, is_pool ON mountaineer.prefix
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.prefix')) EXECUTE FUNCTION mountaineer.prefix_keep_addresses();

-- New and deleted prefixes re-mask the addresses inside them, as the row
-- trigger did for each (the VRF lock is held: a_lock_vrf took it for
-- every row): one probe of ip_address per prefix, in one query, instead
-- of a trigger call and a query per row, and address_masks for each one
-- with addresses in it (none for a prefix allocated from free space).
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

-- Take the VRF lock before the row and its unique-index entry exist, so an
-- allocation and a plain INSERT in the same VRF queue on one lock instead
-- of deadlocking on the index and the lock.
CREATE FUNCTION mountaineer.lock_vrf_of_row() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_lock_vrf_of_row';
COMMENT ON FUNCTION mountaineer.lock_vrf_of_row() IS 'Trigger: takes the allocation lock of the row''s VRF first (of the VRF it leaves, then of the one it enters); (1.7) C, as lock_vrf().';
REVOKE EXECUTE ON FUNCTION mountaineer.lock_vrf_of_row() FROM PUBLIC;
CREATE TRIGGER a_lock_vrf BEFORE INSERT OR UPDATE OR DELETE ON mountaineer.ip_address
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.ip_address')) EXECUTE FUNCTION mountaineer.lock_vrf_of_row();
CREATE TRIGGER a_lock_vrf BEFORE INSERT OR UPDATE OR DELETE ON mountaineer.ip_range
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.ip_range')) EXECUTE FUNCTION mountaineer.lock_vrf_of_row();
-- (1.7) A prefix's too, before the row and its unique-index entry exist:
-- as prefix_maintain() took them up to 1.6, a PL/pgSQL call for every
-- prefix inserted or deleted (13 µs a row).
CREATE TRIGGER a_lock_vrf BEFORE INSERT OR DELETE OR UPDATE OF id, prefix, vrf_id ON mountaineer.prefix
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.prefix')) EXECUTE FUNCTION mountaineer.lock_vrf_of_row();

-- Set-based free-space upkeep for addresses: one pass per statement over
-- its transition tables instead of a trigger call and its probes per row.
-- Each row's BEFORE checks (check_address) already saw the free space as
-- the statement found it, as they did when this ran AFTER each row (row
-- AFTER triggers run at the end of the statement too), so the rules see
-- the same; the VRF lock is held (a_lock_vrf took it for every row).

-- (1.7) The free block of a VRF that holds all of a block, and its owner,
-- as the set-based functions below look it up for each row: the greatest
-- free block <= b in the VRF, read backwards from prefix_free_vrf_idx in C
-- (src/address.c).  As a subquery, its plan came from statistics taken
-- while prefix_free was small: a bitmap scan of every free block below b
-- and a sort, so that each of 20,000 single-row INSERTs of /28s took
-- longer than the one before.
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

-- Takes addresses (/32, /128) out of the free space of their VRFs: each
-- free block holding some of them is replaced by what is left of it
-- (cidr_free), in one statement.  An address no free block holds (in a
-- range that allows addresses) changes nothing.
-- (PL/pgSQL, not SQL: a PL/pgSQL function keeps its plans for the session,
-- which a statement of one row would otherwise pay for each time.  (1.7)
-- And one plan for every size: the planner found a plan for the arrays it
-- was given cheaper than one for arrays of any length, and so planned the
-- query again for every call, 190 µs of a single-row INSERT.  The plan is
-- the same at any size: a probe per address.)
CREATE FUNCTION mountaineer.free_take_addresses(vkeys uuid[], addrs cidr[]) RETURNS void
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

-- (1.7) In C (src/address.c): one deleted address while there is no
-- reserved range goes back to its owner's free space by free_add()'s merge,
-- unless a free block holds it; every other statement runs
-- ip_address_free_delete_full() as the same trigger call.
CREATE FUNCTION mountaineer.ip_address_free_delete() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_ip_address_free_delete';
COMMENT ON FUNCTION mountaineer.ip_address_free_delete() IS
    'Trigger (AFTER DELETE, per statement): gives the deleted addresses back to the free space; (1.7) C for one deleted address while there is no reserved range, else ip_address_free_delete_full().';
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

-- The rules of an address that read other tables.  It runs after
-- a_lock_vrf (triggers fire in name order), holding the VRF lock, and every
-- change to prefixes and ranges takes that lock too, so what it reads cannot
-- change under it; being VOLATILE, each query sees what the previous holder
-- of the lock committed.
-- (1.7) This is the rule as written, and its refusals' words: the trigger
-- runs ip_address_check() (C, after it), which answers a free address that
-- takes its network's mask by two btree probes and hands every other row
-- to this function, run as its own trigger call.
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
CREATE FUNCTION mountaineer.ip_address_check() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_ip_address_check';
COMMENT ON FUNCTION mountaineer.ip_address_check() IS
    'Trigger: normalizes dns_name, checks that the port belongs to the host''s device, gives a bare address its network''s mask and refuses another mask, an IPv4 network or broadcast address (but in a pool, /31 or /32), and an address in a reserved range that does not allow addresses. (1.7) C for a free address; any other row is checked by ip_address_check_full().';
REVOKE EXECUTE ON FUNCTION mountaineer.ip_address_check() FROM PUBLIC;
CREATE TRIGGER check_address BEFORE INSERT OR UPDATE ON mountaineer.ip_address
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.ip_address')) EXECUTE FUNCTION mountaineer.ip_address_check();

CREATE FUNCTION mountaineer.ip_range_maintain() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c cidr;
BEGIN
    -- the VRF lock is held: a_lock_vrf took it before the row was written
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        FOR c IN SELECT * FROM mountaineer.inet_range_cidrs(OLD.start_address, OLD.end_address) LOOP
            PERFORM mountaineer.free_release(mountaineer.vrf_key(OLD.vrf_id), c);
        END LOOP;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        FOR c IN SELECT * FROM mountaineer.inet_range_cidrs(NEW.start_address, NEW.end_address) LOOP
            PERFORM mountaineer.free_take(mountaineer.vrf_key(NEW.vrf_id), c);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.ip_range_maintain() IS 'Trigger: keeps prefix_free exact as reserved ranges come and go.';
REVOKE EXECUTE ON FUNCTION mountaineer.ip_range_maintain() FROM PUBLIC;
CREATE TRIGGER maintain_free_space AFTER INSERT OR DELETE OR UPDATE OF start_address, end_address, vrf_id ON mountaineer.ip_range
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.ip_range')) EXECUTE FUNCTION mountaineer.ip_range_maintain();

-- A range lies in one prefix's own space, and holds no address unless it
-- allows addresses.  Runs after a_lock_vrf (triggers fire in name order),
-- holding the VRF lock, as check_address does on the other side of the
-- rule, so neither can miss what the other writes.
CREATE FUNCTION mountaineer.ip_range_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a inet;
BEGIN
    IF family(NEW.start_address) <> family(NEW.end_address)
       OR host(NEW.start_address)::inet > host(NEW.end_address)::inet THEN
        RETURN NEW;                         -- for ip_range_same_family and ip_range_ordered to refuse
    END IF;
    PERFORM mountaineer.range_check_prefixes(mountaineer.vrf_key(NEW.vrf_id), NEW.start_address, NEW.end_address);
    IF NOT NEW.allow_addresses THEN
        SELECT x.address INTO a FROM mountaineer.ip_address x
         WHERE mountaineer.vrf_key(x.vrf_id) = mountaineer.vrf_key(NEW.vrf_id)
           AND x.host_addr >= mountaineer.host_cidr(NEW.start_address)
           AND x.host_addr <= mountaineer.host_cidr(NEW.end_address)
         ORDER BY x.host_addr LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'reserved range % - % holds assigned address %', host(NEW.start_address), host(NEW.end_address), a
                USING ERRCODE = 'check_violation',
                      HINT = 'Move or delete the address first, or set allow_addresses on the range if it may hold addresses assigned by hand.';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.ip_range_check() IS
    'Trigger: refuses a reserved range that contains or crosses a prefix, or holds assigned addresses unless it allows them.';
REVOKE EXECUTE ON FUNCTION mountaineer.ip_range_check() FROM PUBLIC;
CREATE TRIGGER check_range BEFORE INSERT OR UPDATE ON mountaineer.ip_range
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.ip_range')) EXECUTE FUNCTION mountaineer.ip_range_check();

--------------------------------------------------------------------------
-- Hierarchy
--------------------------------------------------------------------------
CREATE FUNCTION mountaineer.prefix_row(prefix cidr, vrf_id uuid) RETURNS mountaineer.prefix
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p mountaineer.prefix;
BEGIN
    -- two forms, so that both probe the unique (vrf_id, prefix) btree
    IF $2 IS NULL THEN
        SELECT * INTO p FROM mountaineer.prefix x WHERE x.vrf_id IS NULL AND x.prefix = $1;
    ELSE
        SELECT * INTO p FROM mountaineer.prefix x WHERE x.vrf_id = $2 AND x.prefix = $1;
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no prefix % in %', $1,
            CASE WHEN $2 IS NULL THEN 'the global table'
                 ELSE format('VRF %s', coalesce((SELECT mountaineer.excerpt(name) FROM mountaineer.vrf WHERE id = $2), $2::text)) END
            USING ERRCODE = 'no_data_found';
    END IF;
    RETURN p;
END
$$;
COMMENT ON FUNCTION mountaineer.prefix_row(cidr, uuid) IS
    'The prefix row for a block in a VRF (NULL: global); P0002 naming both when there is none.';

CREATE FUNCTION mountaineer.prefix_by_id(prefix_id uuid) RETURNS mountaineer.prefix
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p mountaineer.prefix;
BEGIN
    SELECT * INTO p FROM mountaineer.prefix WHERE id = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no prefix with id %', $1 USING ERRCODE = 'no_data_found';
    END IF;
    RETURN p;
END
$$;
COMMENT ON FUNCTION mountaineer.prefix_by_id(uuid) IS 'The prefix with that id; P0002 when there is none.';

CREATE FUNCTION mountaineer.prefix_parent(prefix_id uuid) RETURNS mountaineer.prefix
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT q.* FROM mountaineer.prefix_by_id($1) p
      LEFT JOIN LATERAL (SELECT x.* FROM mountaineer.prefix x
                          WHERE mountaineer.vrf_key(x.vrf_id) = mountaineer.vrf_key(p.vrf_id) AND x.prefix >> p.prefix
                          ORDER BY masklen(x.prefix) DESC LIMIT 1) q ON true
$$;
COMMENT ON FUNCTION mountaineer.prefix_parent(uuid) IS
    'The smallest prefix of the same VRF that strictly contains this one (all columns NULL at the top); P0002 for an unknown id.';

CREATE FUNCTION mountaineer.prefix_children(prefix_id uuid) RETURNS SETOF mountaineer.prefix
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.* FROM mountaineer.prefix_by_id($1) p
      JOIN mountaineer.prefix c
        ON mountaineer.vrf_key(c.vrf_id) = mountaineer.vrf_key(p.vrf_id) AND c.prefix << p.prefix
     WHERE NOT EXISTS (SELECT 1 FROM mountaineer.prefix m
                        WHERE mountaineer.vrf_key(m.vrf_id) = mountaineer.vrf_key(p.vrf_id)
                          AND m.prefix << p.prefix AND m.prefix >> c.prefix)
     ORDER BY c.prefix
$$;
COMMENT ON FUNCTION mountaineer.prefix_children(uuid) IS
    'The direct children of a prefix (no prefix between them and it), in address order; P0002 for an unknown id.';

CREATE FUNCTION mountaineer.prefix_depth(prefix_id uuid) RETURNS int
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT count(a.id)::int FROM mountaineer.prefix_by_id($1) p
      LEFT JOIN mountaineer.prefix a
        ON mountaineer.vrf_key(a.vrf_id) = mountaineer.vrf_key(p.vrf_id) AND a.prefix >> p.prefix
$$;
COMMENT ON FUNCTION mountaineer.prefix_depth(uuid) IS 'How many prefixes of its VRF contain this one (0 at the top); P0002 for an unknown id.';

--------------------------------------------------------------------------
-- Allocation
--------------------------------------------------------------------------
CREATE FUNCTION mountaineer.check_prefix_length(parent cidr, masklen int) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    width int := CASE family(parent) WHEN 4 THEN 32 ELSE 128 END;
BEGIN
    IF masklen IS NULL OR masklen < 0 OR masklen > width THEN
        RAISE EXCEPTION 'prefix length % is out of range for IPv%', masklen, family(parent)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF masklen < pg_catalog.masklen(parent) THEN
        RAISE EXCEPTION 'prefix length % is shorter than the parent %', masklen, parent
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;
COMMENT ON FUNCTION mountaineer.check_prefix_length(cidr, int) IS
    'Internal: 22023 unless masklen fits the family and is not shorter than the parent''s.';

-- Waiting for the VRF lock only helps if the next statement sees what the
-- previous holder committed: true under READ COMMITTED only.
CREATE FUNCTION mountaineer.check_read_committed(what text) RETURNS void
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION '% needs READ COMMITTED isolation, not %', what, upper(current_setting('transaction_isolation'))
            USING ERRCODE = 'invalid_transaction_state',
                  HINT = 'Under REPEATABLE READ or SERIALIZABLE a concurrent allocation could be invisible; allocate in a READ COMMITTED transaction.';
    END IF;
END
$$;
COMMENT ON FUNCTION mountaineer.check_read_committed(text) IS 'Internal: 25000 unless the transaction is READ COMMITTED.';

-- The lowest free block that can hold a /masklen: one index probe per
-- length from the parent's to the one asked for.
CREATE FUNCTION mountaineer.next_free_prefix(parent cidr, masklen int, vrf_id uuid DEFAULT NULL) RETURNS cidr
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
COMMENT ON FUNCTION mountaineer.next_free_prefix(cidr, int, uuid) IS
    'The lowest free block of that length directly inside the parent prefix (not in a child prefix, reserved range or assigned address), NULL when none; P0002 when the parent is not a prefix of that VRF, 22023 for a bad length, 55000 when the parent is reserved or deprecated.';

-- allocate_prefix and allocate_ip are SECURITY DEFINER so that they can take
-- the VRF lock, which no user may take by hand; only mountaineer_editor (and
-- so admin) may execute them.  The change log records the acting role all
-- the same (acting_role() looks through SECURITY DEFINER).
CREATE FUNCTION mountaineer.allocate_prefix(parent cidr, masklen int, vrf_id uuid DEFAULT NULL, description text DEFAULT NULL)
    RETURNS mountaineer.prefix
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b cidr;
    r mountaineer.prefix;
BEGIN
    PERFORM mountaineer.check_read_committed('allocate_prefix');
    PERFORM mountaineer.lock_vrf($3);
    IF $2 = pg_catalog.masklen($1) THEN
        RAISE EXCEPTION 'prefix length % is the length of the parent % itself', $2, $1
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'A child prefix is longer than its parent.';
    END IF;
    b := mountaineer.next_free_prefix($1, $2, $3);
    IF b IS NULL THEN
        RAISE EXCEPTION 'no free /% left in prefix %', $2, $1
            USING ERRCODE = 'insufficient_resources',
                  DETAIL = 'Every block of that size overlaps a child prefix, a reserved range or an assigned address.';
    END IF;
    INSERT INTO mountaineer.prefix (vrf_id, prefix, description) VALUES ($3, b, $4) RETURNING * INTO r;
    RETURN r;
END
$$;
COMMENT ON FUNCTION mountaineer.allocate_prefix(cidr, int, uuid, text) IS
    'Inserts and returns the lowest free /masklen prefix inside the parent (a container or active prefix); concurrent callers never get the same block. 53000 when the parent is full, P0002 when it is not a prefix, 55000 when it is reserved or deprecated.';
REVOKE EXECUTE ON FUNCTION mountaineer.allocate_prefix(cidr, int, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.allocate_prefix(cidr, int, uuid, text) TO mountaineer_editor;

CREATE FUNCTION mountaineer.free_prefixes(parent cidr, vrf_id uuid DEFAULT NULL) RETURNS SETOF cidr
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT f.block FROM mountaineer.prefix_free f
     WHERE f.prefix_id = (mountaineer.prefix_row($1, $2)).id
     ORDER BY f.block
$$;
COMMENT ON FUNCTION mountaineer.free_prefixes(cidr, uuid) IS
    'The free space directly inside the parent prefix as the fewest CIDR blocks, in address order; P0002 when it is not a prefix.';

CREATE FUNCTION mountaineer.next_free_ip(prefix cidr, vrf_id uuid DEFAULT NULL) RETURNS inet
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p     mountaineer.prefix := mountaineer.prefix_row($1, $2);
    len   int := masklen($1);
    width int := CASE family($1) WHEN 4 THEN 32 ELSE 128 END;
    -- network and broadcast (IPv4) or subnet-router anycast (IPv6) are not handed out
    skip_first boolean := NOT p.is_pool AND len < width - 1;
    skip_last  boolean := NOT p.is_pool AND family($1) = 4 AND len < width - 1;
    b     cidr;
    a     inet;
BEGIN
    IF p.status <> 'active' THEN
        RAISE EXCEPTION 'prefix % has status %: addresses are allocated only from active prefixes', $1, p.status
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    FOR b IN SELECT f.block FROM mountaineer.prefix_free f WHERE f.prefix_id = p.id ORDER BY f.block LOOP
        a := host(b)::inet;
        IF skip_first AND a = host($1)::inet THEN
            IF masklen(b) = width THEN
                CONTINUE;
            END IF;
            a := a + 1;
        END IF;
        IF skip_last AND a = host(broadcast($1))::inet THEN
            CONTINUE;
        END IF;
        RETURN set_masklen(a, len);
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.next_free_ip(cidr, uuid) IS
    'The lowest free address directly inside the (active) prefix, with the prefix''s mask; IPv4 skips network and broadcast (except /31, /32 and pools), IPv6 the subnet-router anycast address (except /127, /128 and pools); NULL when none; P0002 when it is not a prefix, 55000 when it is not active.';

CREATE FUNCTION mountaineer.allocate_ip(prefix cidr, host_id uuid, vrf_id uuid DEFAULT NULL, canonical boolean DEFAULT false)
    RETURNS mountaineer.ip_address
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a inet;
    r mountaineer.ip_address;
BEGIN
    -- a host looked up by a misspelt name is NULL: refuse, never hand out
    -- an address to nobody
    IF $2 IS NULL THEN
        RAISE EXCEPTION 'allocate_ip needs a host: host_id is NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'To set addresses aside, insert a reserved range (ip_range); an address without a host is inserted by hand.';
    END IF;
    PERFORM mountaineer.check_read_committed('allocate_ip');
    PERFORM mountaineer.lock_vrf($3);
    a := mountaineer.next_free_ip($1, $3);
    IF a IS NULL THEN
        RAISE EXCEPTION 'no free address left in prefix %', $1
            USING ERRCODE = 'insufficient_resources';
    END IF;
    INSERT INTO mountaineer.ip_address (vrf_id, address, host_id, canonical)
    VALUES ($3, a, $2, $4) RETURNING * INTO r;
    RETURN r;
END
$$;
COMMENT ON FUNCTION mountaineer.allocate_ip(cidr, uuid, uuid, boolean) IS
    'Assigns the lowest free address of the (active) prefix to the host and returns the row; concurrent callers never get the same address. 53000 when the prefix is full, P0002 when it is not a prefix, 55000 when it is not active, 22004 without a host.';
REVOKE EXECUTE ON FUNCTION mountaineer.allocate_ip(cidr, uuid, uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.allocate_ip(cidr, uuid, uuid, boolean) TO mountaineer_editor;

CREATE FUNCTION mountaineer.prefix_utilization(prefix cidr, vrf_id uuid DEFAULT NULL) RETURNS numeric
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT round(1 - coalesce(sum(power(2::numeric, w - masklen(f.block))), 0) / power(2::numeric, w - masklen($1)), 6)
      FROM (SELECT CASE family($1) WHEN 4 THEN 32 ELSE 128 END AS w,
                   (mountaineer.prefix_row($1, $2)).id AS pid) x
      LEFT JOIN mountaineer.prefix_free f ON f.prefix_id = x.pid
     GROUP BY x.w
$$;
COMMENT ON FUNCTION mountaineer.prefix_utilization(cidr, uuid) IS
    'The fraction (0..1) of the prefix taken by its child prefixes, reserved ranges and assigned addresses; P0002 when it is not a prefix.';

--------------------------------------------------------------------------
-- Views
--------------------------------------------------------------------------
CREATE VIEW mountaineer.prefix_usage AS
SELECT p.id, p.slug, v.name AS vrf, p.prefix, p.status, p.is_pool, p.description,
       trunc(power(2::numeric, CASE family(p.prefix) WHEN 4 THEN 32 ELSE 128 END - masklen(p.prefix))) AS size,
       trunc(coalesce(f.free, 0)) AS free,
       round(1 - coalesce(f.free, 0)
                 / power(2::numeric, CASE family(p.prefix) WHEN 4 THEN 32 ELSE 128 END - masklen(p.prefix)), 6) AS utilization
FROM mountaineer.prefix p
LEFT JOIN mountaineer.vrf v ON v.id = p.vrf_id
LEFT JOIN LATERAL (
    SELECT sum(power(2::numeric, CASE family(p.prefix) WHEN 4 THEN 32 ELSE 128 END - masklen(b.block))) AS free
      FROM mountaineer.prefix_free b WHERE b.prefix_id = p.id
) f ON true;
COMMENT ON VIEW mountaineer.prefix_usage IS
    'Per prefix: VRF name, size in addresses, free addresses directly in it, and utilization (0..1), for BI tools.';

CREATE VIEW mountaineer.host_address AS
SELECT h.id AS host_id, h.hostname, pt.name AS interface,
       array_agg(a.address ORDER BY a.address) AS addresses,
       (array_agg(a.address) FILTER (WHERE a.canonical))[1] AS canonical,
       array_agg(coalesce(a.dns_name, h.hostname) ORDER BY a.address) AS dns_names
FROM mountaineer.host h
JOIN mountaineer.ip_address a ON a.host_id = h.id
LEFT JOIN mountaineer.port pt ON pt.id = a.port_id
GROUP BY h.id, h.hostname, pt.name;
COMMENT ON VIEW mountaineer.host_address IS
    'The seed''s per-host view: each host''s addresses grouped by interface (NULL: not on a known port), with its canonical address and the PTR names.';

GRANT SELECT ON mountaineer.prefix_usage, mountaineer.host_address TO mountaineer_reader;

-- A prefix's free space computed from scratch: its block minus every prefix,
-- address and reserved range inside it.
CREATE FUNCTION mountaineer.prefix_free_expected(p mountaineer.prefix) RETURNS SETOF cidr
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r FROM mountaineer.cidr_free(p.prefix, coalesce((
        SELECT array_agg(x) FROM (
            SELECT q.prefix AS x FROM mountaineer.prefix q
             WHERE mountaineer.vrf_key(q.vrf_id) = mountaineer.vrf_key(p.vrf_id) AND q.prefix << p.prefix
            UNION ALL
            SELECT a.host_addr FROM mountaineer.ip_address a
             WHERE mountaineer.vrf_key(a.vrf_id) = mountaineer.vrf_key(p.vrf_id) AND a.host_addr <<= p.prefix
            UNION ALL
            SELECT c FROM mountaineer.ip_range g,
                   LATERAL mountaineer.inet_range_cidrs(g.start_address, g.end_address) c
             WHERE mountaineer.vrf_key(g.vrf_id) = mountaineer.vrf_key(p.vrf_id)
               AND family(g.start_address) = family(p.prefix)
               AND host(g.start_address)::inet <= mountaineer.last_address(p.prefix)
               AND host(g.end_address)::inet >= mountaineer.first_address(p.prefix)) h), '{}')) r
    ORDER BY r
$$;
COMMENT ON FUNCTION mountaineer.prefix_free_expected(mountaineer.prefix) IS
    'A prefix''s free space recomputed from scratch (what prefix_free should hold for it).';

-- An audit for administrators and the oracle of the test suite.
CREATE FUNCTION mountaineer.prefix_free_verify() RETURNS TABLE (prefix_id uuid, prefix cidr, stored cidr[], expected cidr[])
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.id, p.prefix, s.blocks, e.blocks
      FROM mountaineer.prefix p
      CROSS JOIN LATERAL (SELECT coalesce(array_agg(f.block ORDER BY f.block), '{}') AS blocks
                            FROM mountaineer.prefix_free f WHERE f.prefix_id = p.id) s
      CROSS JOIN LATERAL (SELECT coalesce(array_agg(x ORDER BY x), '{}') AS blocks
                            FROM mountaineer.prefix_free_expected(p) x) e
     WHERE s.blocks <> e.blocks
    UNION ALL
    -- free blocks of prefixes that no longer exist
    SELECT f.prefix_id, NULL, array_agg(f.block ORDER BY f.block), '{}'
      FROM mountaineer.prefix_free f
     WHERE NOT EXISTS (SELECT 1 FROM mountaineer.prefix p WHERE p.id = f.prefix_id)
     GROUP BY f.prefix_id
$$;
COMMENT ON FUNCTION mountaineer.prefix_free_verify() IS
    'Audit: the prefixes whose maintained free space differs from a recomputation from scratch, with both, and free blocks of prefixes that no longer exist; no rows when all is well.';

CREATE FUNCTION mountaineer.prefix_free_rebuild() RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM mountaineer.lock_vrf(NULL);
    PERFORM mountaineer.lock_vrf(v.id) FROM mountaineer.vrf v ORDER BY v.id;
    DELETE FROM mountaineer.prefix_free;
    INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block)
    SELECT p.id, mountaineer.vrf_key(p.vrf_id), x FROM mountaineer.prefix p, mountaineer.prefix_free_expected(p) x;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION mountaineer.prefix_free_rebuild() IS
    'Recomputes the whole free-space table from the prefixes, ranges and addresses (after a TRUNCATE, or a restore that skipped it); returns the number of free blocks.';
REVOKE EXECUTE ON FUNCTION mountaineer.prefix_free_rebuild() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.prefix_free_rebuild() TO mountaineer_admin;

CREATE FUNCTION mountaineer.prefix_free_after_truncate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM mountaineer.prefix_free_rebuild();
    IF TG_TABLE_NAME = 'prefix' THEN
        -- no prefix is left: every address is its own network
        UPDATE mountaineer.ip_address SET address = host(address)::inet
         WHERE masklen(address) <> CASE family(address) WHEN 4 THEN 32 ELSE 128 END;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.prefix_free_after_truncate() IS 'Trigger: TRUNCATE of prefixes, ranges or addresses rebuilds the free space; of prefixes, also leaves every address bare (/32 or /128).';
REVOKE EXECUTE ON FUNCTION mountaineer.prefix_free_after_truncate() FROM PUBLIC;
CREATE TRIGGER rebuild_free_space AFTER TRUNCATE ON mountaineer.prefix
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.prefix_free_after_truncate();
CREATE TRIGGER rebuild_free_space AFTER TRUNCATE ON mountaineer.ip_range
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.prefix_free_after_truncate();
CREATE TRIGGER rebuild_free_space AFTER TRUNCATE ON mountaineer.ip_address
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.prefix_free_after_truncate();

REVOKE EXECUTE ON FUNCTION mountaineer.free_add(uuid, cidr, uuid, cidr), mountaineer.free_take(uuid, cidr),
    mountaineer.free_release(uuid, cidr), mountaineer.prefix_attach(mountaineer.prefix),
    mountaineer.prefix_detach(mountaineer.prefix) FROM PUBLIC;
-- internal helpers: only the module's SECURITY DEFINER functions call them
REVOKE EXECUTE ON FUNCTION mountaineer.lock_vrf(uuid), mountaineer.prefix_owner(uuid, cidr, uuid),
    mountaineer.range_check_prefixes(uuid, inet, inet), mountaineer.check_read_committed(text),
    mountaineer.address_masks(uuid, cidr) FROM PUBLIC;

-- Deleting a VRF or VLAN that prefixes, ranges or addresses still use is
-- refused, naming them (the core's trigger).
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.vrf
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.vlan
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

-- == ASNs (1.4) ==
-- Regional internet registries, AS numbers and the ranges they are
-- allocated from (as_number: the core's type, asplain or asdot in).
CREATE TABLE mountaineer.rir (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL UNIQUE CONSTRAINT rir_name_check CHECK (mountaineer.is_valid_name(name)),
    is_private  boolean NOT NULL DEFAULT false,
    description text CONSTRAINT rir_description_check CHECK (mountaineer.is_valid_name(description, 200))
);
COMMENT ON TABLE mountaineer.rir IS 'A regional internet registry (RIPE NCC, ARIN, …), or a private one (RFC 6996 numbers): what AS numbers and their ranges come from.';
COMMENT ON COLUMN mountaineer.rir.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.rir.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.rir.name IS 'Unique; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.rir.is_private IS 'True for a private registry (numbers of RFC 6996 or RFC 1918 space, not routed on the internet).';
COMMENT ON COLUMN mountaineer.rir.description IS 'Free text, up to 200 characters.';
SELECT mountaineer.manage_table('mountaineer.rir');

CREATE TABLE mountaineer.asn_range (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL UNIQUE CONSTRAINT asn_range_name_check CHECK (mountaineer.is_valid_name(name)),
    rir_id      uuid NOT NULL REFERENCES mountaineer.rir ON DELETE RESTRICT,
    first_asn   mountaineer.as_number NOT NULL CONSTRAINT asn_range_first_asn_check CHECK (first_asn >= 1),
    last_asn    mountaineer.as_number NOT NULL,
    description text CONSTRAINT asn_range_description_check CHECK (mountaineer.is_valid_name(description, 200)),
    CONSTRAINT asn_range_order CHECK (first_asn <= last_asn),
    CONSTRAINT asn_range_overlap_excl EXCLUDE USING gist (int8range(first_asn, last_asn, '[]') WITH &&)
);
CREATE INDEX asn_range_rir_idx ON mountaineer.asn_range (rir_id);
COMMENT ON TABLE mountaineer.asn_range IS 'A range of AS numbers to allocate from (allocate_asn); ranges do not overlap.';
COMMENT ON COLUMN mountaineer.asn_range.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.asn_range.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.asn_range.name IS 'Unique; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.asn_range.rir_id IS 'The registry the range belongs to; the ASNs allocate_asn takes from it get this registry.';
COMMENT ON COLUMN mountaineer.asn_range.first_asn IS 'First AS number of the range (1 or more), asplain or asdot on input.';
COMMENT ON COLUMN mountaineer.asn_range.last_asn IS 'Last AS number of the range, inclusive (at least first_asn).';
COMMENT ON COLUMN mountaineer.asn_range.description IS 'Free text, up to 200 characters.';
COMMENT ON CONSTRAINT asn_range_overlap_excl ON mountaineer.asn_range IS 'Two ranges share no AS number (23P01).';
SELECT mountaineer.manage_table('mountaineer.asn_range');

CREATE TABLE mountaineer.asn (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    asn         mountaineer.as_number NOT NULL UNIQUE CONSTRAINT asn_asn_check CHECK (asn >= 1),
    rir_id      uuid NOT NULL REFERENCES mountaineer.rir ON DELETE RESTRICT,
    description text CONSTRAINT asn_description_check CHECK (mountaineer.is_valid_name(description, 200))
);
CREATE INDEX asn_rir_idx ON mountaineer.asn (rir_id);
COMMENT ON TABLE mountaineer.asn IS 'An autonomous system number in use (16- or 32-bit), each once.';
COMMENT ON COLUMN mountaineer.asn.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.asn.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.asn.asn IS 'The AS number, unique: 1 to 4294967295, asplain (65001) or asdot (1.10) on input, asplain on output; asdot(asn) shows it in asdot.';
COMMENT ON COLUMN mountaineer.asn.rir_id IS 'The registry it was allocated by.';
COMMENT ON COLUMN mountaineer.asn.description IS 'Free text, up to 200 characters.';
SELECT mountaineer.manage_table('mountaineer.asn');

-- A registry that ranges or numbers still use is refused, naming them.
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.rir
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

-- The lowest number of the range no asn row holds: the first, or the one
-- after the first held number whose successor is free (an index probe per
-- held number, in order).
CREATE FUNCTION mountaineer.next_free_asn(range_id uuid) RETURNS mountaineer.as_number
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g mountaineer.asn_range;
BEGIN
    SELECT * INTO g FROM mountaineer.asn_range r WHERE r.id = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no ASN range with id %', $1 USING ERRCODE = 'no_data_found';
    END IF;
    RETURN (SELECT min(x) FROM (
                SELECT g.first_asn::bigint AS x
                 WHERE NOT EXISTS (SELECT FROM mountaineer.asn a WHERE a.asn = g.first_asn)
                UNION ALL
                (SELECT a.asn::bigint + 1 FROM mountaineer.asn a
                  WHERE a.asn >= g.first_asn AND a.asn < g.last_asn
                    AND NOT EXISTS (SELECT FROM mountaineer.asn b WHERE b.asn = a.asn::bigint + 1)
                  ORDER BY a.asn LIMIT 1)) f)::mountaineer.as_number;
END
$$;
COMMENT ON FUNCTION mountaineer.next_free_asn(uuid) IS
    'The lowest AS number of the range that no asn row holds; NULL when the range is full; P0002 for an unknown range.';

CREATE FUNCTION mountaineer.allocate_asn(range_id uuid, description text DEFAULT NULL) RETURNS mountaineer.asn
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g mountaineer.asn_range;
    n mountaineer.as_number;
    r mountaineer.asn;
BEGIN
    PERFORM mountaineer.check_read_committed('allocate_asn');
    -- allocations from one range wait for each other; each then looks for a
    -- free number with a snapshot that sees what the one before committed
    SELECT * INTO g FROM mountaineer.asn_range x WHERE x.id = $1 FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no ASN range with id %', $1 USING ERRCODE = 'no_data_found';
    END IF;
    LOOP
        n := mountaineer.next_free_asn($1);
        IF n IS NULL THEN
            RAISE EXCEPTION 'no free ASN left in range "%" (% to %)', g.name, g.first_asn, g.last_asn
                USING ERRCODE = 'insufficient_resources';
        END IF;
        BEGIN
            INSERT INTO mountaineer.asn (asn, rir_id, description) VALUES (n, g.rir_id, $2) RETURNING * INTO r;
            EXIT;
        EXCEPTION WHEN unique_violation THEN
            -- inserted by hand (not through allocate_asn) since we looked:
            -- look again
        END;
    END LOOP;
    RETURN r;
END
$$;
COMMENT ON FUNCTION mountaineer.allocate_asn(uuid, text) IS
    'Inserts and returns the lowest free AS number of the range, with the range''s registry; concurrent callers never get the same number. 53000 when the range is full, P0002 for an unknown range, 25000 outside READ COMMITTED.';
REVOKE EXECUTE ON FUNCTION mountaineer.allocate_asn(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.allocate_asn(uuid, text) TO mountaineer_editor;

CREATE VIEW mountaineer.asn_range_usage AS
SELECT g.id, g.slug, g.name, r.name AS rir, g.first_asn, g.last_asn,
       g.last_asn::bigint - g.first_asn::bigint + 1 AS size,
       u.used,
       round(u.used::numeric / (g.last_asn::bigint - g.first_asn::bigint + 1), 6) AS utilization
FROM mountaineer.asn_range g
JOIN mountaineer.rir r ON r.id = g.rir_id
CROSS JOIN LATERAL (SELECT count(*) AS used FROM mountaineer.asn a
                     WHERE a.asn BETWEEN g.first_asn AND g.last_asn) u;
COMMENT ON VIEW mountaineer.asn_range_usage IS 'Per ASN range: its registry, size, AS numbers in use and utilization (0..1), for people and BI tools.';
COMMENT ON COLUMN mountaineer.asn_range_usage.id IS 'The range''s id.';
COMMENT ON COLUMN mountaineer.asn_range_usage.slug IS 'The range''s slug.';
COMMENT ON COLUMN mountaineer.asn_range_usage.name IS 'The range''s name.';
COMMENT ON COLUMN mountaineer.asn_range_usage.rir IS 'The name of the range''s registry.';
COMMENT ON COLUMN mountaineer.asn_range_usage.first_asn IS 'First AS number of the range.';
COMMENT ON COLUMN mountaineer.asn_range_usage.last_asn IS 'Last AS number of the range.';
COMMENT ON COLUMN mountaineer.asn_range_usage.size IS 'How many AS numbers the range holds.';
COMMENT ON COLUMN mountaineer.asn_range_usage.used IS 'How many of them are in use (asn rows).';
COMMENT ON COLUMN mountaineer.asn_range_usage.utilization IS 'used / size, 0..1.';
GRANT SELECT ON mountaineer.asn_range_usage TO mountaineer_reader;
-- End: ASNs (1.4)

-- == column comments (1.4) ==
-- Every column carries a COMMENT: PostgREST's OpenAPI document (GET /) and
-- psql's \d+ describe the API from them (test/catalog.sql checks it).  The
-- columns commented since 1.0 keep their comments.
COMMENT ON COLUMN mountaineer.vrf.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.vrf.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.vrf.name IS 'Unique; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.vrf.description IS 'Free text, one line of at most 200 characters; NULL for none.';
COMMENT ON COLUMN mountaineer.vlan.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.vlan.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.vlan.site_id IS 'The site the VLAN is used at (site.id); NULL for a global VLAN.';
COMMENT ON COLUMN mountaineer.vlan.vid IS 'The 802.1Q VLAN id, 1..4094; unique per site and once among global VLANs.';
COMMENT ON COLUMN mountaineer.vlan.name IS 'A name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.vlan.description IS 'Free text, one line of at most 200 characters; NULL for none.';
COMMENT ON COLUMN mountaineer.prefix.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.prefix.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.prefix.vrf_id IS 'The VRF (vrf.id); NULL for the global table.';
COMMENT ON COLUMN mountaineer.prefix.prefix IS 'The network, e.g. 10.0.0.0/24 or 2001:db8::/64; unique per VRF. Its parent is the smallest prefix of its VRF containing it.';
COMMENT ON COLUMN mountaineer.prefix.description IS 'Free text, one line of at most 200 characters; NULL for none.';
COMMENT ON COLUMN mountaineer.prefix.vlan_id IS 'The VLAN the network is on (vlan.id), if any.';
COMMENT ON COLUMN mountaineer.prefix.status IS 'container (holds child prefixes), active (the default: in use, hands out addresses), reserved or deprecated (nothing is allocated from them).';
COMMENT ON COLUMN mountaineer.ip_range.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.ip_range.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.ip_range.vrf_id IS 'The VRF (vrf.id); NULL for the global table.';
COMMENT ON COLUMN mountaineer.ip_range.start_address IS 'First address of the range (inclusive), e.g. 10.0.0.200; same family as end_address.';
COMMENT ON COLUMN mountaineer.ip_range.end_address IS 'Last address of the range (inclusive), not below start_address.';
COMMENT ON COLUMN mountaineer.ip_range.description IS 'What the range is set aside for (e.g. DHCP pool); one line of at most 200 characters, NULL for none.';
COMMENT ON COLUMN mountaineer.ip_address.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.ip_address.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.ip_address.vrf_id IS 'The VRF (vrf.id); NULL for the global table.';
COMMENT ON COLUMN mountaineer.ip_address.host_id IS 'The host it is assigned to (host.id); NULL for an address of no host (a VIP, a gateway). Deleting the host deletes its addresses.';
COMMENT ON COLUMN mountaineer.ip_address.port_id IS 'The interface (port.id) of the host''s device it is configured on, if any; cleared when the port is deleted.';
COMMENT ON COLUMN mountaineer.ip_address.description IS 'Free text, one line of at most 200 characters; NULL for none.';
COMMENT ON COLUMN mountaineer.prefix_free.prefix_id IS 'The prefix (prefix.id) whose own free space this block is part of.';
COMMENT ON COLUMN mountaineer.prefix_free.vrf_key IS 'The prefix''s VRF as vrf_key(vrf_id): all-zero for the global table.';
COMMENT ON COLUMN mountaineer.prefix_free.block IS 'A free CIDR block of the prefix: in no child prefix, reserved range or assigned address. Kept by the triggers; read-only.';
COMMENT ON COLUMN mountaineer.vrf_lock.vrf_key IS 'The VRF as vrf_key(vrf_id) (all-zero for the global table) whose row writers of prefixes, ranges and addresses lock. Not data.';

COMMENT ON COLUMN mountaineer.prefix_usage.id IS 'The prefix''s id.';
COMMENT ON COLUMN mountaineer.prefix_usage.slug IS 'The prefix''s slug.';
COMMENT ON COLUMN mountaineer.prefix_usage.vrf IS 'The name of its VRF; NULL for the global table.';
COMMENT ON COLUMN mountaineer.prefix_usage.prefix IS 'The network, e.g. 10.0.0.0/24.';
COMMENT ON COLUMN mountaineer.prefix_usage.status IS 'container, active, reserved or deprecated.';
COMMENT ON COLUMN mountaineer.prefix_usage.is_pool IS 'Whether every address is usable (network and broadcast included).';
COMMENT ON COLUMN mountaineer.prefix_usage.description IS 'The prefix''s description.';
COMMENT ON COLUMN mountaineer.prefix_usage.size IS 'How many addresses the prefix spans (256 for a /24), network and broadcast included.';
COMMENT ON COLUMN mountaineer.prefix_usage.free IS 'How many of them are free: in no child prefix, reserved range or assigned address.';
COMMENT ON COLUMN mountaineer.prefix_usage.utilization IS 'The fraction taken, 1 - free / size, from 0 to 1 to six decimals.';
COMMENT ON COLUMN mountaineer.host_address.host_id IS 'The host''s id.';
COMMENT ON COLUMN mountaineer.host_address.hostname IS 'The host''s fully qualified domain name.';
COMMENT ON COLUMN mountaineer.host_address.interface IS 'The name of the port the addresses are configured on; NULL for addresses on no port.';
COMMENT ON COLUMN mountaineer.host_address.addresses IS 'The host''s addresses on that interface, with their masks, in order.';
COMMENT ON COLUMN mountaineer.host_address.canonical IS 'The host''s canonical (primary) address, when it is on that interface.';
COMMENT ON COLUMN mountaineer.host_address.dns_names IS 'The PTR name of each address, in the order of addresses: its dns_name, else the hostname.';


-- == VLAN groups (1.5) ==
-- A VLAN group is a set of VLAN ids to allocate from, with a scope: a site,
-- a location, a region, or global (no scope).  Its VLANs are unique in it
-- and lie in its range min_vid..max_vid.  VLANs without a group keep the rule of 1.0-1.4: unique
-- per site, and once among global VLANs; existing VLANs get no group.
-- No generic foreign key: one nullable column per kind of scope, at most one
-- set.
CREATE TABLE mountaineer.vlan_group (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL CONSTRAINT vlan_group_name_check CHECK (mountaineer.is_valid_name(name)),
    site_id     uuid REFERENCES mountaineer.site ON DELETE RESTRICT,
    region_id   uuid REFERENCES mountaineer.region ON DELETE RESTRICT,
    location_id uuid REFERENCES mountaineer.location ON DELETE RESTRICT,
    min_vid     int NOT NULL DEFAULT 1,
    max_vid     int NOT NULL DEFAULT 4094,
    description text CONSTRAINT vlan_group_description_check CHECK (mountaineer.is_valid_name(description, 200)),
    CONSTRAINT vlan_group_vid_range CHECK (min_vid >= 1 AND min_vid <= max_vid AND max_vid <= 4094),
    CONSTRAINT vlan_group_one_scope CHECK (num_nonnulls(site_id, region_id, location_id) <= 1),
    CONSTRAINT vlan_group_scope_name_key UNIQUE NULLS NOT DISTINCT (site_id, region_id, location_id, name)
);
COMMENT ON TABLE mountaineer.vlan_group IS 'A group of VLANs scoped to a site, a location or a region, or global: its VLAN ids are unique in it and lie in min_vid..max_vid; allocate_vlan hands them out.';
COMMENT ON COLUMN mountaineer.vlan_group.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.vlan_group.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.vlan_group.name IS 'A name (1..100 characters, no leading or trailing white space, no control characters), unique within its scope.';
COMMENT ON COLUMN mountaineer.vlan_group.site_id IS 'The site the group is scoped to (site.id); NULL with no other scope: a global group. Its VLANs are at that site.';
COMMENT ON COLUMN mountaineer.vlan_group.region_id IS 'The region the group is scoped to (region.id); its VLANs may be at any site.';
COMMENT ON COLUMN mountaineer.vlan_group.location_id IS 'The location the group is scoped to (location.id); its VLANs are at the location''s site.';
COMMENT ON COLUMN mountaineer.vlan_group.min_vid IS 'The lowest VLAN id of the group, 1..4094 (default 1).';
COMMENT ON COLUMN mountaineer.vlan_group.max_vid IS 'The highest VLAN id of the group, min_vid..4094 (default 4094); narrowing the range past a VLAN of the group is refused.';
COMMENT ON COLUMN mountaineer.vlan_group.description IS 'Free text, one line of at most 200 characters; NULL for none.';
COMMENT ON CONSTRAINT vlan_group_one_scope ON mountaineer.vlan_group IS 'A group has at most one scope (site, location or region); none: global.';
COMMENT ON CONSTRAINT vlan_group_scope_name_key ON mountaineer.vlan_group IS 'A name once per scope, and once among global groups.';
SELECT mountaineer.manage_table('mountaineer.vlan_group');
-- its tags and attributes here, before vlan_group_site() takes its row type
SELECT mountaineer.manage_attributes('mountaineer.vlan_group');
CREATE INDEX vlan_group_region_idx ON mountaineer.vlan_group (region_id);
CREATE INDEX vlan_group_location_idx ON mountaineer.vlan_group (location_id);
-- A group that VLANs are in is refused, naming them.
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.vlan_group
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

ALTER TABLE mountaineer.vlan ADD COLUMN group_id uuid REFERENCES mountaineer.vlan_group ON DELETE RESTRICT;
COMMENT ON COLUMN mountaineer.vlan.group_id IS 'The VLAN group (vlan_group.id) the VLAN is in, if any: its vid is unique in the group and lies in its range; NULL: unique per site (or among global VLANs) as before 1.5.';
-- the 1.0 rule (once per site, once globally) now holds among VLANs without a group
ALTER TABLE mountaineer.vlan DROP CONSTRAINT vlan_site_vid_key;
CREATE UNIQUE INDEX vlan_site_vid_key ON mountaineer.vlan (site_id, vid) NULLS NOT DISTINCT WHERE group_id IS NULL;
COMMENT ON INDEX mountaineer.vlan_site_vid_key IS 'A VLAN without a group: its vid once per site, and once among global VLANs.';
ALTER TABLE mountaineer.vlan ADD CONSTRAINT vlan_group_vid_key UNIQUE (group_id, vid);
COMMENT ON CONSTRAINT vlan_group_vid_key ON mountaineer.vlan IS 'A vid once per VLAN group (next_free_vlan reads this index).';
COMMENT ON TABLE mountaineer.vlan IS 'A VLAN, at a site or global (site_id NULL), in a VLAN group or none: a VLAN id is used once per group; without a group, once per site and once globally.';
COMMENT ON COLUMN mountaineer.vlan.vid IS 'The 802.1Q VLAN id, 1..4094, within its group''s range; unique per group, and without a group unique per site and once among global VLANs.';

-- The site a group keeps its VLANs at: its own for a site's group; NULL
-- for a global one, whose VLANs may be at any site.  (A location's group,
-- when locations come: the location's site.)
CREATE FUNCTION mountaineer.vlan_group_site(g mountaineer.vlan_group) RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
RETURN coalesce(g.site_id, (SELECT l.site_id FROM mountaineer.location l WHERE l.id = g.location_id));
COMMENT ON FUNCTION mountaineer.vlan_group_site(mountaineer.vlan_group) IS 'Internal: the site a VLAN group keeps its VLANs at (its scope''s site), NULL when they may be at any site.';
REVOKE EXECUTE ON FUNCTION mountaineer.vlan_group_site(mountaineer.vlan_group) FROM PUBLIC;

-- A VLAN of a group lies in the group's range and, for a group scoped to a
-- site, at that site (given NULL, it takes the group's site).  The group row
-- is locked FOR SHARE, so a concurrent narrowing of the range (an UPDATE of
-- that row) waits for this VLAN's transaction, then sees the VLAN; or this
-- waits for the narrowing and reads the new range.
CREATE FUNCTION mountaineer.vlan_check_group() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g       mountaineer.vlan_group;
    at_site uuid;
BEGIN
    IF NEW.group_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT * INTO g FROM mountaineer.vlan_group x WHERE x.id = NEW.group_id FOR SHARE;
    IF NOT FOUND THEN
        RETURN NEW;   -- the foreign key refuses it (23503)
    END IF;
    IF NEW.vid NOT BETWEEN g.min_vid AND g.max_vid THEN
        RAISE EXCEPTION 'VLAN "%" (%) lies outside the range % to % of VLAN group "%"', NEW.name, NEW.vid, g.min_vid, g.max_vid, g.name
            USING ERRCODE = 'check_violation';
    END IF;
    at_site := mountaineer.vlan_group_site(g);
    IF at_site IS NOT NULL THEN
        IF NEW.site_id IS NULL THEN
            NEW.site_id := at_site;
        ELSIF NEW.site_id <> at_site THEN
            RAISE EXCEPTION 'VLAN "%" is at site "%" but its VLAN group "%" is at site "%"', NEW.name,
                (SELECT s.name FROM mountaineer.site s WHERE s.id = NEW.site_id), g.name,
                (SELECT s.name FROM mountaineer.site s WHERE s.id = at_site)
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.vlan_check_group() IS 'Trigger: a VLAN of a group lies in the group''s vid range and, in a group scoped to a site, at that site (NULL takes it); 23514 otherwise.';
REVOKE EXECUTE ON FUNCTION mountaineer.vlan_check_group() FROM PUBLIC;
CREATE TRIGGER vlan_check_group BEFORE INSERT OR UPDATE OF group_id, vid, site_id ON mountaineer.vlan
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.vlan'))
    EXECUTE FUNCTION mountaineer.vlan_check_group();

-- A group's range may not shrink past one of its VLANs, nor its scope move
-- to a site where its VLANs are not (vlan_group_site).  Only under READ
-- COMMITTED: the check must see VLANs committed while the UPDATE waited for
-- their FOR SHARE lock on the row, which a REPEATABLE READ snapshot would
-- not.
CREATE FUNCTION mountaineer.vlan_group_keep_vlans() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n       bigint;
    names   text[];
    at_site uuid := mountaineer.vlan_group_site(NEW);
BEGIN
    IF NEW.min_vid > OLD.min_vid OR NEW.max_vid < OLD.max_vid THEN
        PERFORM mountaineer.check_read_committed(format('narrowing VLAN group "%s"', OLD.name));
        SELECT count(*), (array_agg(format('%s (%s)', v.name, v.vid) ORDER BY v.vid))[1:10] INTO n, names
          FROM mountaineer.vlan v
         WHERE v.group_id = NEW.id AND v.vid NOT BETWEEN NEW.min_vid AND NEW.max_vid;
        IF n > 0 THEN
            RAISE EXCEPTION 'VLAN group "%" cannot be narrowed to % to %: % VLAN(s) lie outside: %', OLD.name, NEW.min_vid, NEW.max_vid, n,
                array_to_string(names, ', ') || CASE WHEN n > 10 THEN ', ...' ELSE '' END
                USING ERRCODE = 'check_violation', HINT = 'Move or delete those VLANs first.';
        END IF;
    END IF;
    IF at_site IS DISTINCT FROM mountaineer.vlan_group_site(OLD) AND at_site IS NOT NULL THEN
        PERFORM mountaineer.check_read_committed(format('moving VLAN group "%s"', OLD.name));
        SELECT count(*), (array_agg(format('%s (%s)', v.name, v.vid) ORDER BY v.vid))[1:10] INTO n, names
          FROM mountaineer.vlan v
         WHERE v.group_id = NEW.id AND v.site_id IS DISTINCT FROM at_site;
        IF n > 0 THEN
            RAISE EXCEPTION 'VLAN group "%" cannot be scoped to site "%": % VLAN(s) are not at that site: %', OLD.name,
                (SELECT s.name FROM mountaineer.site s WHERE s.id = at_site), n,
                array_to_string(names, ', ') || CASE WHEN n > 10 THEN ', ...' ELSE '' END
                USING ERRCODE = 'check_violation', HINT = 'Move those VLANs to the site, or out of the group, first.';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.vlan_group_keep_vlans() IS 'Trigger: refuses (23514) narrowing a VLAN group''s range past its VLANs, or scoping it to a site where its VLANs are not, naming them; 25000 outside READ COMMITTED.';
REVOKE EXECUTE ON FUNCTION mountaineer.vlan_group_keep_vlans() FROM PUBLIC;
CREATE TRIGGER vlan_group_keep_vlans BEFORE UPDATE OF min_vid, max_vid, site_id, location_id ON mountaineer.vlan_group
    FOR EACH ROW EXECUTE FUNCTION mountaineer.vlan_group_keep_vlans();

-- The lowest vid of the group no VLAN of it holds: min_vid, or the one after
-- the first held vid whose successor is free (index probes on
-- vlan_group_vid_key, in order).
CREATE FUNCTION mountaineer.next_free_vlan(group_id uuid) RETURNS int
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g mountaineer.vlan_group;
BEGIN
    SELECT * INTO g FROM mountaineer.vlan_group x WHERE x.id = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no VLAN group with id %', $1 USING ERRCODE = 'no_data_found';
    END IF;
    RETURN (SELECT min(x) FROM (
                SELECT g.min_vid AS x
                 WHERE NOT EXISTS (SELECT FROM mountaineer.vlan v WHERE v.group_id = g.id AND v.vid = g.min_vid)
                UNION ALL
                (SELECT v.vid + 1 FROM mountaineer.vlan v
                  WHERE v.group_id = g.id AND v.vid >= g.min_vid AND v.vid < g.max_vid
                    AND NOT EXISTS (SELECT FROM mountaineer.vlan w WHERE w.group_id = g.id AND w.vid = v.vid + 1)
                  ORDER BY v.vid LIMIT 1)) f);
END
$$;
COMMENT ON FUNCTION mountaineer.next_free_vlan(uuid) IS
    'The lowest VLAN id of the group''s range that no VLAN of the group holds; NULL when the group is full; P0002 for an unknown group.';

CREATE FUNCTION mountaineer.allocate_vlan(group_id uuid, name text) RETURNS mountaineer.vlan
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g mountaineer.vlan_group;
    n int;
    r mountaineer.vlan;
BEGIN
    PERFORM mountaineer.check_read_committed('allocate_vlan');
    -- allocations from one group wait for each other (and VLANs inserted by
    -- hand into it, which lock the row FOR SHARE); each then looks for a
    -- free vid with a snapshot that sees what the one before committed
    SELECT * INTO g FROM mountaineer.vlan_group x WHERE x.id = $1 FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no VLAN group with id %', $1 USING ERRCODE = 'no_data_found';
    END IF;
    LOOP
        n := mountaineer.next_free_vlan($1);
        IF n IS NULL THEN
            RAISE EXCEPTION 'no free VLAN id left in VLAN group "%" (% to %)', g.name, g.min_vid, g.max_vid
                USING ERRCODE = 'insufficient_resources';
        END IF;
        BEGIN
            INSERT INTO mountaineer.vlan (group_id, site_id, vid, name) VALUES ($1, g.site_id, n, $2) RETURNING * INTO r;
            EXIT;
        EXCEPTION WHEN unique_violation THEN
            -- a vid taken since we looked (the lock makes this rare): look again
        END;
    END LOOP;
    RETURN r;
END
$$;
COMMENT ON FUNCTION mountaineer.allocate_vlan(uuid, text) IS
    'Inserts and returns a VLAN of that name with the lowest free vid of the group (at the group''s site, if scoped to one); concurrent callers never get the same vid. 53000 when the group is full, P0002 for an unknown group, 25000 outside READ COMMITTED.';
REVOKE EXECUTE ON FUNCTION mountaineer.allocate_vlan(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.allocate_vlan(uuid, text) TO mountaineer_editor;
-- End: VLAN groups (1.5)


-- == tags and attributes (1.5) ==
-- tags and attributes on every inventory table (mountaineer.manage_attributes,
-- core 1.5); exempt: prefix_free and vrf_lock (derived, kept by triggers).
SELECT mountaineer.manage_attributes('mountaineer.vrf');
SELECT mountaineer.manage_attributes('mountaineer.vlan');
SELECT mountaineer.manage_attributes('mountaineer.prefix');
SELECT mountaineer.manage_attributes('mountaineer.ip_range');
SELECT mountaineer.manage_attributes('mountaineer.ip_address');
SELECT mountaineer.manage_attributes('mountaineer.rir');
SELECT mountaineer.manage_attributes('mountaineer.asn_range');
SELECT mountaineer.manage_attributes('mountaineer.asn');
-- End: tags and attributes (1.5)


-- == route targets and aggregates (1.6) ==
-- NetBox's route targets (which VRFs import and export which) and
-- aggregates (the blocks a registry gave out), for the NetBox migration.
CREATE FUNCTION mountaineer.check_route_target(rt text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- a route target is written as a route distinguisher is (RFC 4364 4.2)
    IF NOT mountaineer.is_valid_rd(rt) THEN
        RAISE EXCEPTION 'route target % is not ASN:nn or IPv4:nn', mountaineer.excerpt(rt)
            USING ERRCODE = 'check_violation',
                  DETAIL = 'ASN:nn takes an ASN of 0..65535 with nn of 0..4294967295, or an ASN of 0..4294967295 with nn of 0..65535; IPv4:nn takes nn of 0..65535; decimal without leading zeros.';
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION mountaineer.check_route_target(text) IS
    'True for a well-formed route target (RFC 4364: ASN:nn or IPv4:nn, as is_valid_rd); otherwise raises 23514 naming the value. The rule of route_target.name.';

CREATE TABLE mountaineer.route_target (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL UNIQUE CONSTRAINT route_target_name_format CHECK (mountaineer.check_route_target(name)),
    description text CONSTRAINT route_target_description_check CHECK (mountaineer.is_valid_name(description, 200)),
    tenant_id   uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT
);
CREATE INDEX route_target_tenant_idx ON mountaineer.route_target (tenant_id);
COMMENT ON TABLE mountaineer.route_target IS
    'A BGP route target (RFC 4364), e.g. 65000:100: VRFs import and export it (vrf_route_target). A route target that VRFs use cannot be deleted (23503, naming them).';
COMMENT ON COLUMN mountaineer.route_target.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.route_target.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.route_target.name IS 'Unique; the route target, ASN:nn (65000:100, 4200000001:7) or IPv4:nn (192.0.2.1:7), as check_route_target() says (23514 otherwise).';
COMMENT ON COLUMN mountaineer.route_target.description IS 'Free text, at most 200 characters.';
COMMENT ON COLUMN mountaineer.route_target.tenant_id IS 'Whom it is for (tenant); NULL: nobody in particular.';
SELECT mountaineer.manage_table('mountaineer.route_target');
SELECT mountaineer.manage_attributes('mountaineer.route_target');
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.route_target
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

-- a join row: what it joins carries the tags
CREATE TABLE mountaineer.vrf_route_target (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug            text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    vrf_id          uuid NOT NULL REFERENCES mountaineer.vrf ON DELETE CASCADE,
    route_target_id uuid NOT NULL REFERENCES mountaineer.route_target ON DELETE RESTRICT,
    direction       text NOT NULL CONSTRAINT vrf_route_target_direction_check CHECK (direction IN ('import', 'export')),
    CONSTRAINT vrf_route_target_key UNIQUE (vrf_id, route_target_id, direction)
);
CREATE INDEX vrf_route_target_route_target_idx ON mountaineer.vrf_route_target (route_target_id);
COMMENT ON TABLE mountaineer.vrf_route_target IS
    'A VRF importing or exporting a route target (NetBox''s import_targets and export_targets); each once per direction. Deleting the VRF deletes its rows.';
COMMENT ON COLUMN mountaineer.vrf_route_target.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.vrf_route_target.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.vrf_route_target.vrf_id IS 'The VRF (vrf.id).';
COMMENT ON COLUMN mountaineer.vrf_route_target.route_target_id IS 'The route target (route_target.id) it imports or exports.';
COMMENT ON COLUMN mountaineer.vrf_route_target.direction IS 'import (routes carrying the target enter the VRF) or export (the VRF''s routes leave carrying it).';
SELECT mountaineer.manage_table('mountaineer.vrf_route_target');

CREATE TABLE mountaineer.aggregate (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    prefix      cidr NOT NULL,
    rir_id      uuid NOT NULL REFERENCES mountaineer.rir ON DELETE RESTRICT,
    date_added  date,
    description text CONSTRAINT aggregate_description_check CHECK (mountaineer.is_valid_name(description, 200)),
    tenant_id   uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT,
    -- a constraint, not a trigger: two sessions cannot both insert
    -- overlapping blocks
    CONSTRAINT aggregate_no_overlap EXCLUDE USING gist (prefix inet_ops WITH &&)
);
CREATE INDEX aggregate_rir_idx ON mountaineer.aggregate (rir_id);
CREATE INDEX aggregate_tenant_idx ON mountaineer.aggregate (tenant_id);
COMMENT ON TABLE mountaineer.aggregate IS
    'A block of address space a registry (rir) gave out, e.g. 10.0.0.0/8 from RFC 1918 or 2001:db8::/32 from RIPE NCC: the top of the global table''s hierarchy (NetBox''s aggregate). Aggregates never overlap (23P01); aggregate_usage shows how much of each the global prefixes cover.';
COMMENT ON COLUMN mountaineer.aggregate.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.aggregate.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.aggregate.prefix IS 'The block, IPv4 or IPv6; shares no address with another aggregate.';
COMMENT ON COLUMN mountaineer.aggregate.rir_id IS 'The registry that gave it out (rir.id).';
COMMENT ON COLUMN mountaineer.aggregate.date_added IS 'When it was given out or recorded; NULL: unknown.';
COMMENT ON COLUMN mountaineer.aggregate.description IS 'Free text, at most 200 characters.';
COMMENT ON COLUMN mountaineer.aggregate.tenant_id IS 'Whom it is for (tenant); NULL: nobody in particular.';
COMMENT ON CONSTRAINT aggregate_no_overlap ON mountaineer.aggregate IS 'Two aggregates share no address (23P01; the DETAIL names both).';
SELECT mountaineer.manage_table('mountaineer.aggregate');
SELECT mountaineer.manage_attributes('mountaineer.aggregate');

-- Coverage counts the outermost global prefixes inside the aggregate (a
-- nested prefix is inside one of them and adds nothing); a global prefix
-- that holds the whole aggregate covers all of it.
CREATE VIEW mountaineer.aggregate_usage AS
SELECT a.id, a.slug, a.prefix, r.name AS rir,
       trunc(s.size) AS size,
       trunc(c.covered) AS covered,
       round(100 * c.covered / s.size, 2) AS percent_covered
FROM mountaineer.aggregate a
JOIN mountaineer.rir r ON r.id = a.rir_id
CROSS JOIN LATERAL (SELECT CASE family(a.prefix) WHEN 4 THEN 32 ELSE 128 END AS width) w
CROSS JOIN LATERAL (SELECT power(2::numeric, w.width - masklen(a.prefix)) AS size) s
CROSS JOIN LATERAL (
    SELECT CASE WHEN EXISTS (SELECT FROM mountaineer.prefix o
                              WHERE mountaineer.vrf_key(o.vrf_id) = mountaineer.vrf_key(NULL)
                                AND o.prefix >> a.prefix)
                THEN s.size
                ELSE coalesce(sum(power(2::numeric, w.width - masklen(p.prefix))), 0)
           END AS covered
      FROM mountaineer.prefix p
     WHERE mountaineer.vrf_key(p.vrf_id) = mountaineer.vrf_key(NULL)
       AND p.prefix <<= a.prefix
       AND NOT EXISTS (SELECT FROM mountaineer.prefix q
                        WHERE mountaineer.vrf_key(q.vrf_id) = mountaineer.vrf_key(NULL)
                          AND q.prefix >> p.prefix AND q.prefix <<= a.prefix)
) c;
COMMENT ON VIEW mountaineer.aggregate_usage IS
    'Per aggregate: its registry, size in addresses, how many of them the prefixes of the global table (no VRF) cover, and that in percent, for people and BI tools.';
COMMENT ON COLUMN mountaineer.aggregate_usage.id IS 'The aggregate''s id.';
COMMENT ON COLUMN mountaineer.aggregate_usage.slug IS 'The aggregate''s slug.';
COMMENT ON COLUMN mountaineer.aggregate_usage.prefix IS 'The aggregate''s block.';
COMMENT ON COLUMN mountaineer.aggregate_usage.rir IS 'The name of its registry.';
COMMENT ON COLUMN mountaineer.aggregate_usage.size IS 'How many addresses it spans (65536 for a /16).';
COMMENT ON COLUMN mountaineer.aggregate_usage.covered IS 'How many of them lie in a prefix of the global table (each address counted once, however deeply nested).';
COMMENT ON COLUMN mountaineer.aggregate_usage.percent_covered IS 'covered / size in percent, 0..100 to two decimals.';
GRANT SELECT ON mountaineer.aggregate_usage TO mountaineer_reader;
-- End: route targets and aggregates (1.6)

-- == address and VLAN status (1.6) ==
-- NetBox's status and role of an address and status of a VLAN.  They
-- inform, they do not change allocation: an address row of any status
-- already holds its address, so allocate_ip never hands out a reserved (or
-- deprecated, dhcp, slaac) one.
CREATE TYPE mountaineer.ip_address_status AS ENUM ('active', 'reserved', 'deprecated', 'dhcp', 'slaac');
COMMENT ON TYPE mountaineer.ip_address_status IS
    'Lifecycle of an address: active (in use), reserved (set aside), deprecated (being retired), dhcp (handed out by a DHCP server), slaac (IPv6 stateless autoconfiguration).';
CREATE TYPE mountaineer.ip_address_role AS ENUM ('loopback', 'secondary', 'anycast', 'vip', 'vrrp', 'hsrp', 'glbp', 'carp');
COMMENT ON TYPE mountaineer.ip_address_role IS
    'What an address is for, beyond a plain interface address: loopback, secondary, anycast, vip (a virtual address) or one shared by a first-hop redundancy protocol (vrrp, hsrp, glbp, carp).';
CREATE TYPE mountaineer.vlan_status AS ENUM ('active', 'reserved', 'deprecated');
COMMENT ON TYPE mountaineer.vlan_status IS 'Lifecycle of a VLAN: active (in use), reserved (set aside) or deprecated (being retired).';

ALTER TABLE mountaineer.ip_address
    ADD COLUMN status mountaineer.ip_address_status NOT NULL DEFAULT 'active',
    ADD COLUMN role mountaineer.ip_address_role;
COMMENT ON COLUMN mountaineer.ip_address.status IS 'active (the default), reserved, deprecated, dhcp or slaac; informational (allocation never hands out an address that has a row, whatever its status).';
COMMENT ON COLUMN mountaineer.ip_address.role IS 'loopback, secondary, anycast, vip, vrrp, hsrp, glbp or carp; NULL: a plain interface address.';

ALTER TABLE mountaineer.vlan
    ADD COLUMN status mountaineer.vlan_status NOT NULL DEFAULT 'active';
COMMENT ON COLUMN mountaineer.vlan.status IS 'active (the default), reserved or deprecated; informational (allocate_vlan skips every vid that has a VLAN, whatever its status).';
-- End: address and VLAN status (1.6)

-- == tenants (1.6) ==
-- Whom a VRF, prefix, address, range, VLAN or AS number is for (core 1.6's
-- tenant; route targets and aggregates carry it from the start), and a
-- prefix's site (NetBox up to 4.1 puts a prefix at a site).
ALTER TABLE mountaineer.vrf ADD COLUMN tenant_id uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT;
ALTER TABLE mountaineer.prefix
    ADD COLUMN tenant_id uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT,
    ADD COLUMN site_id uuid REFERENCES mountaineer.site ON DELETE RESTRICT;
ALTER TABLE mountaineer.ip_address ADD COLUMN tenant_id uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT;
ALTER TABLE mountaineer.ip_range ADD COLUMN tenant_id uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT;
ALTER TABLE mountaineer.vlan ADD COLUMN tenant_id uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT;
ALTER TABLE mountaineer.asn ADD COLUMN tenant_id uuid REFERENCES mountaineer.tenant ON DELETE RESTRICT;
CREATE INDEX vrf_tenant_idx ON mountaineer.vrf (tenant_id);
CREATE INDEX prefix_tenant_idx ON mountaineer.prefix (tenant_id);
CREATE INDEX prefix_site_idx ON mountaineer.prefix (site_id);
CREATE INDEX ip_address_tenant_idx ON mountaineer.ip_address (tenant_id);
CREATE INDEX ip_range_tenant_idx ON mountaineer.ip_range (tenant_id);
CREATE INDEX vlan_tenant_idx ON mountaineer.vlan (tenant_id);
CREATE INDEX asn_tenant_idx ON mountaineer.asn (tenant_id);
COMMENT ON COLUMN mountaineer.vrf.tenant_id IS 'Whom it is for (tenant); NULL: nobody in particular.';
COMMENT ON COLUMN mountaineer.prefix.tenant_id IS 'Whom it is for (tenant); NULL: nobody in particular.';
COMMENT ON COLUMN mountaineer.prefix.site_id IS 'The site it is used at (NetBox''s prefix site); NULL: not at one site. Informational: no rule ties it to its VLAN''s or its addresses'' sites.';
COMMENT ON COLUMN mountaineer.ip_address.tenant_id IS 'Whom it is for (tenant); NULL: nobody in particular.';
COMMENT ON COLUMN mountaineer.ip_range.tenant_id IS 'Whom it is for (tenant); NULL: nobody in particular.';
COMMENT ON COLUMN mountaineer.vlan.tenant_id IS 'Whom it is for (tenant); NULL: nobody in particular.';
COMMENT ON COLUMN mountaineer.asn.tenant_id IS 'Whom it is for (tenant); NULL: nobody in particular.';
-- End: tenants (1.6)
