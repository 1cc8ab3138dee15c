-- mountaineer_networks 1.5 -> 1.6: what the NetBox migration (mountaineer_netbox) needs
-- besides 1.5: route targets, aggregates, address and VLAN status, tenants;
-- see the blocks below. Needs mountaineer 1.6: update it first.
\echo Use "ALTER EXTENSION mountaineer_networks UPDATE TO '1.6'" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regclass('mountaineer.tenant') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_networks 1.6 needs mountaineer 1.6'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;

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
