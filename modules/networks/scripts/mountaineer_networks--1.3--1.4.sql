-- mountaineer_networks 1.3 -> 1.4 (needs mountaineer 1.4: update it first):
-- what the REST API (issue 14) needs of it, a COMMENT on every column
-- (PostgREST's OpenAPI document is made of them); registries, AS numbers,
-- ASN ranges and allocate_asn().
\echo Use "ALTER EXTENSION mountaineer_networks UPDATE TO '1.4'" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regtype('mountaineer.as_number') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_networks 1.4 needs mountaineer 1.4'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;

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
