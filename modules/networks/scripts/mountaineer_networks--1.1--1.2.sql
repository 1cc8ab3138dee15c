-- mountaineer_networks 1.1 -> 1.2 (needs mountaineer 1.2: update it first):
-- the integrity fixes of issue 11 (see README, Versions and upgrades).
\echo Use "ALTER EXTENSION mountaineer_networks UPDATE TO '1.2'" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regprocedure('mountaineer.upgrade_check(text,text)') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_networks 1.2 needs mountaineer 1.2'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;

-- Each new rule is checked against the rows that exist before it is added:
-- mountaineer.upgrade_check() stops the upgrade (23514) naming up to ten
-- rows that break it, and nothing changes.

-- == values: names, descriptions, route distinguishers ==
CREATE OR REPLACE FUNCTION mountaineer.is_valid_rd(rd text) RETURNS boolean
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

SELECT mountaineer.upgrade_check('a VRF name is 1 to 100 characters, without leading or trailing white space or control characters',
    $q$SELECT format('vrf %s', mountaineer.excerpt(name)) FROM mountaineer.vrf WHERE NOT mountaineer.is_valid_name(name)$q$);
ALTER TABLE mountaineer.vrf DROP CONSTRAINT vrf_name_check,
    ADD CONSTRAINT vrf_name_check CHECK (mountaineer.is_valid_name(name));
SELECT mountaineer.upgrade_check('a route distinguisher is ASN2:nn, ASN4:nn or IPv4:nn within their bounds (is_valid_rd)',
    $q$SELECT format('vrf %s: rd %s', mountaineer.excerpt(name), mountaineer.excerpt(rd)) FROM mountaineer.vrf WHERE NOT mountaineer.is_valid_rd(rd)$q$);
ALTER TABLE mountaineer.vrf DROP CONSTRAINT vrf_rd_format,
    ADD CONSTRAINT vrf_rd_format CHECK (mountaineer.is_valid_rd(rd));
COMMENT ON COLUMN mountaineer.vrf.rd IS 'Route distinguisher, ASN:number or IPv4:number, e.g. 65000:100 or 10.0.0.1:7 (is_valid_rd).';
SELECT mountaineer.upgrade_check('a VLAN name is 1 to 100 characters, without leading or trailing white space or control characters',
    $q$SELECT format('vlan %s (%s)', mountaineer.excerpt(name), vid) FROM mountaineer.vlan WHERE NOT mountaineer.is_valid_name(name)$q$);
ALTER TABLE mountaineer.vlan DROP CONSTRAINT vlan_name_check,
    ADD CONSTRAINT vlan_name_check CHECK (mountaineer.is_valid_name(name));

SELECT mountaineer.upgrade_check('a description is 1 to 200 characters, without leading or trailing white space or control characters',
    $q$SELECT format('vrf %s: description %s', mountaineer.excerpt(name), mountaineer.excerpt(description)) FROM mountaineer.vrf
        WHERE NOT mountaineer.is_valid_name(description, 200)
       UNION ALL
       SELECT format('vlan %s (%s): description %s', mountaineer.excerpt(name), vid, mountaineer.excerpt(description)) FROM mountaineer.vlan
        WHERE NOT mountaineer.is_valid_name(description, 200)
       UNION ALL
       SELECT format('prefix %s: description %s', prefix, mountaineer.excerpt(description)) FROM mountaineer.prefix
        WHERE NOT mountaineer.is_valid_name(description, 200)
       UNION ALL
       SELECT format('reserved range %s - %s: description %s', host(start_address), host(end_address), mountaineer.excerpt(description)) FROM mountaineer.ip_range
        WHERE NOT mountaineer.is_valid_name(description, 200)
       UNION ALL
       SELECT format('address %s: description %s', address, mountaineer.excerpt(description)) FROM mountaineer.ip_address
        WHERE NOT mountaineer.is_valid_name(description, 200)$q$);
ALTER TABLE mountaineer.vrf ADD CONSTRAINT vrf_description_check CHECK (mountaineer.is_valid_name(description, 200));
ALTER TABLE mountaineer.vlan ADD CONSTRAINT vlan_description_check CHECK (mountaineer.is_valid_name(description, 200));
ALTER TABLE mountaineer.prefix ADD CONSTRAINT prefix_description_check CHECK (mountaineer.is_valid_name(description, 200));
ALTER TABLE mountaineer.ip_range ADD CONSTRAINT ip_range_description_check CHECK (mountaineer.is_valid_name(description, 200));
ALTER TABLE mountaineer.ip_address ADD CONSTRAINT ip_address_description_check CHECK (mountaineer.is_valid_name(description, 200));

-- == reserved ranges: no overlap, no addresses inside unless allowed ==
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

SELECT mountaineer.upgrade_check('reserved ranges of one VRF do not overlap',
    $q$SELECT format('reserved range %s - %s overlaps %s - %s', host(a.start_address), host(a.end_address), host(b.start_address), host(b.end_address))
         FROM mountaineer.ip_range a JOIN mountaineer.ip_range b
           ON mountaineer.vrf_key(a.vrf_id) = mountaineer.vrf_key(b.vrf_id)
          AND (host(a.start_address)::inet, a.id) < (host(b.start_address)::inet, b.id)
          AND mountaineer.inetrange(host(a.start_address)::inet, host(a.end_address)::inet, '[]')
              && mountaineer.inetrange(host(b.start_address)::inet, host(b.end_address)::inet, '[]')$q$);
ALTER TABLE mountaineer.ip_range ADD COLUMN allow_addresses boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT ip_range_no_overlap EXCLUDE USING gist (
        mountaineer.vrf_key(vrf_id) WITH =,
        mountaineer.inetrange(host(start_address)::inet, host(end_address)::inet, '[]') WITH &&);
COMMENT ON TABLE mountaineer.ip_range IS
    'A reserved block of addresses (the seed''s ReservedAddressBlock) that allocation never hands out; it lies inside one prefix''s own space, never across a prefix boundary, and overlaps no other range of its VRF.';
COMMENT ON COLUMN mountaineer.ip_range.allow_addresses IS
    'Addresses may be assigned inside the range by hand (e.g. the reservations of a DHCP range); false: no address lies in it. Allocation never hands them out either way.';

SELECT mountaineer.upgrade_check('no address lies in a reserved range (unless the range allows addresses: allow_addresses, new in 1.2)',
    $q$SELECT format('address %s lies in reserved range %s - %s', a.address, host(r.start_address), host(r.end_address))
         FROM mountaineer.ip_address a JOIN mountaineer.ip_range r
           ON mountaineer.vrf_key(a.vrf_id) = mountaineer.vrf_key(r.vrf_id)
          AND mountaineer.inetrange(host(r.start_address)::inet, host(r.end_address)::inet, '[]') @> host(a.address)::inet$q$);

-- == the VRF lock: a row lock that only the module's functions can take ==
CREATE TABLE mountaineer.vrf_lock (
    vrf_key uuid PRIMARY KEY
);
COMMENT ON TABLE mountaineer.vrf_lock IS
    'Derived: one row per VRF key that has been written (the all-zero key for the global table), locked FOR UPDATE by lock_vrf() to serialize allocation and free-space upkeep in that VRF.';
SELECT pg_catalog.pg_extension_config_dump('mountaineer.vrf_lock', '');
GRANT SELECT ON mountaineer.vrf_lock TO mountaineer_reader;
CREATE OR REPLACE FUNCTION mountaineer.lock_vrf(vrf_id uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    k uuid := mountaineer.vrf_key($1);
BEGIN
    LOOP
        PERFORM FROM mountaineer.vrf_lock l WHERE l.vrf_key = k FOR UPDATE;
        EXIT WHEN FOUND;
        -- first use: the new row is ours until commit (a concurrent insert
        -- of the same key waits for us, then finds it and locks it)
        INSERT INTO mountaineer.vrf_lock (vrf_key) VALUES (k) ON CONFLICT DO NOTHING;
        EXIT WHEN FOUND;
    END LOOP;
END
$$;
COMMENT ON FUNCTION mountaineer.lock_vrf(uuid) IS
    'Internal: takes the transaction-level lock that serializes allocation and free-space upkeep in one VRF (NULL: the global table), a row lock on vrf_lock.';
CREATE OR REPLACE FUNCTION mountaineer.lock_vrf_of_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM mountaineer.lock_vrf(OLD.vrf_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM mountaineer.lock_vrf(NEW.vrf_id);
        RETURN NEW;
    END IF;
    RETURN OLD;
END
$$;
REVOKE EXECUTE ON FUNCTION mountaineer.lock_vrf_of_row() FROM PUBLIC;
-- ids never change: the core refuses it for every table (428C9)
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
    IF TG_OP = 'DELETE' THEN
        PERFORM mountaineer.prefix_detach(OLD);
        RETURN OLD;
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM mountaineer.prefix_attach(NEW);
    ELSIF NEW.prefix IS DISTINCT FROM OLD.prefix OR mountaineer.vrf_key(NEW.vrf_id) <> mountaineer.vrf_key(OLD.vrf_id) THEN
        PERFORM mountaineer.prefix_detach(OLD);
        PERFORM mountaineer.prefix_attach(NEW);
    END IF;
    RETURN NEW;
END
$$;

-- == addresses: their network's mask, not a network or broadcast address,
-- not in a reserved range ==
SELECT mountaineer.upgrade_check('an address carries the mask of its network (the smallest prefix of its VRF containing it; /32 or /128 in none)',
    $q$SELECT format('address %s%s: its network is %s', a.address,
                     CASE WHEN a.vrf_id IS NULL THEN '' ELSE format(' in VRF %s', (SELECT mountaineer.excerpt(v.name) FROM mountaineer.vrf v WHERE v.id = a.vrf_id)) END,
                     coalesce(o.prefix::text, 'none, so it is bare'))
         FROM mountaineer.ip_address a
         LEFT JOIN LATERAL (SELECT p.prefix FROM mountaineer.prefix p
                             WHERE mountaineer.vrf_key(p.vrf_id) = mountaineer.vrf_key(a.vrf_id) AND p.prefix >>= a.host_addr
                             ORDER BY masklen(p.prefix) DESC LIMIT 1) o ON true
        WHERE masklen(a.address) <> coalesce(masklen(o.prefix), CASE family(a.address) WHEN 4 THEN 32 ELSE 128 END)$q$);
SELECT mountaineer.upgrade_check('no address is the network or broadcast address of its IPv4 network of /30 or wider, unless it is a pool',
    $q$SELECT format('address %s is the %s address of prefix %s', host(a.address),
                     CASE WHEN host(a.address)::inet = host(o.prefix)::inet THEN 'network' ELSE 'broadcast' END, o.prefix)
         FROM mountaineer.ip_address a
         JOIN LATERAL (SELECT p.prefix, p.is_pool FROM mountaineer.prefix p
                        WHERE mountaineer.vrf_key(p.vrf_id) = mountaineer.vrf_key(a.vrf_id) AND p.prefix >>= a.host_addr
                        ORDER BY masklen(p.prefix) DESC LIMIT 1) o ON true
        WHERE family(a.address) = 4 AND masklen(o.prefix) <= 30 AND NOT o.is_pool
          AND host(a.address)::inet IN (host(o.prefix)::inet, host(broadcast(o.prefix))::inet)$q$);
COMMENT ON COLUMN mountaineer.ip_address.address IS
    'The address with the mask of its network (the smallest prefix of its VRF containing it; /32 or /128 in none), e.g. 10.0.0.5/24; written bare (10.0.0.5) it takes that mask, and it follows when prefixes come and go.';
CREATE OR REPLACE FUNCTION mountaineer.ip_address_maintain() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.host_addr = OLD.host_addr
       AND mountaineer.vrf_key(NEW.vrf_id) = mountaineer.vrf_key(OLD.vrf_id) THEN
        RETURN NULL;                        -- only the mask changed
    END IF;
    -- the VRF lock is held: a_lock_vrf took it before the row was written
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM mountaineer.free_release(mountaineer.vrf_key(OLD.vrf_id), OLD.host_addr);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM mountaineer.free_take(mountaineer.vrf_key(NEW.vrf_id), NEW.host_addr);
    END IF;
    RETURN NULL;
END
$$;
-- The rules of an address that read other tables.  It runs after
-- a_lock_vrf (triggers fire in name order), holding the VRF lock, and every
-- change to prefixes and ranges takes that lock too, so what it reads cannot
-- change under it; being VOLATILE, each query sees what the previous holder
-- of the lock committed.
CREATE OR REPLACE FUNCTION mountaineer.ip_address_check() RETURNS trigger
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
COMMENT ON FUNCTION mountaineer.ip_address_check() IS
    'Trigger: normalizes dns_name, checks that the port belongs to the host''s device, gives a bare address its network''s mask and refuses another mask, an IPv4 network or broadcast address (but in a pool, /31 or /32), and an address in a reserved range that does not allow addresses.';
REVOKE EXECUTE ON FUNCTION mountaineer.ip_address_check() FROM PUBLIC;
-- Every address of a block carries the mask of its network (its owner
-- prefix, /32 or /128 in none): after prefixes change, those whose mask is
-- no longer that are rewritten, in one statement.  The rewrite goes through
-- check_address, which refuses an address that became the network or
-- broadcast address of its new network.  Cost: the addresses inside the
-- block (none for a prefix allocated from free space).
CREATE OR REPLACE FUNCTION mountaineer.address_masks(vkey uuid, block cidr) RETURNS void
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

CREATE OR REPLACE FUNCTION mountaineer.prefix_keep_addresses() RETURNS trigger
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
    'Trigger: after prefixes change, the addresses inside them take their network''s new mask; a prefix that stops being a pool keeps its network and broadcast addresses free.';
REVOKE EXECUTE ON FUNCTION mountaineer.prefix_keep_addresses() FROM PUBLIC;
-- AFTER, so that each address's network is found among all the rows the
-- statement wrote.
CREATE TRIGGER keep_addresses AFTER INSERT OR DELETE OR UPDATE OF prefix, vrf_id, is_pool ON mountaineer.prefix
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.prefix')) EXECUTE FUNCTION mountaineer.prefix_keep_addresses();
CREATE OR REPLACE FUNCTION mountaineer.ip_range_maintain() RETURNS trigger
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
-- A range lies in one prefix's own space, and holds no address unless it
-- allows addresses.  Runs after a_lock_vrf (triggers fire in name order),
-- holding the VRF lock, as check_address does on the other side of the
-- rule, so neither can miss what the other writes.
CREATE OR REPLACE FUNCTION mountaineer.ip_range_check() RETURNS trigger
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

-- == allocation: which prefixes, who may call it, a host ==
CREATE OR REPLACE FUNCTION mountaineer.prefix_row(prefix cidr, vrf_id uuid) RETURNS mountaineer.prefix
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
CREATE OR REPLACE FUNCTION mountaineer.prefix_parent(prefix_id uuid) RETURNS mountaineer.prefix
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT q.* FROM mountaineer.prefix_by_id($1) p
      LEFT JOIN LATERAL (SELECT x.* FROM mountaineer.prefix x
                          WHERE mountaineer.vrf_key(x.vrf_id) = mountaineer.vrf_key(p.vrf_id) AND x.prefix >> p.prefix
                          ORDER BY masklen(x.prefix) DESC LIMIT 1) q ON true
$$;
CREATE OR REPLACE FUNCTION mountaineer.next_free_prefix(parent cidr, masklen int, vrf_id uuid DEFAULT NULL) RETURNS cidr
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p    mountaineer.prefix := mountaineer.prefix_row($1, $3);
    best cidr;
    b    cidr;
    len  int;
BEGIN
    PERFORM mountaineer.check_prefix_length($1, $2);
    IF p.status NOT IN ('container', 'active') THEN
        RAISE EXCEPTION 'prefix % has status %: child prefixes are allocated only from container and active prefixes', $1, p.status
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF $2 = pg_catalog.masklen($1) THEN
        RETURN NULL;                        -- the parent itself is taken
    END IF;
    FOR len IN pg_catalog.masklen($1) .. $2 LOOP
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
CREATE OR REPLACE FUNCTION mountaineer.allocate_prefix(parent cidr, masklen int, vrf_id uuid DEFAULT NULL, description text DEFAULT NULL)
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
CREATE OR REPLACE FUNCTION mountaineer.next_free_ip(prefix cidr, vrf_id uuid DEFAULT NULL) RETURNS inet
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
CREATE OR REPLACE FUNCTION mountaineer.allocate_ip(prefix cidr, host_id uuid, vrf_id uuid DEFAULT NULL, canonical boolean DEFAULT false)
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

CREATE OR REPLACE FUNCTION mountaineer.prefix_free_after_truncate() RETURNS trigger
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

-- == internal helpers and deletes that name what refers ==
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
