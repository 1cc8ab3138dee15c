-- mountaineer_dns 1.1: DNS zones, manual records, and records derived from
-- the inventory (addresses with a dns_name, hosts' canonical addresses),
-- kept in PowerDNS's own gpgsql schema "pdns" in the same transaction as
-- the change that causes them, so that pdns_server serves exactly what the
-- inventory says.
--
-- How pdns.records is kept: it is a table (PowerDNS's default queries then
-- run on its own indexes), and every write that can change it recomputes
-- one "scope" of it and writes the difference:
--   address scope  (one address C): the A/AAAA rows whose content is C and
--                  the PTR rows named ptr_name(C); from ip_address (every
--                  VRF) and manual records of those types and contents;
--   name scope     (one owner name N): every other row at N but the SOA,
--                  from manual records;
--   zone scope     the SOA row of a zone, from dns_zone.
-- Adding, removing or renaming a zone (or changing its default ttl) moves
-- records between zones: that recomputes everything (dns_rebuild).
-- Every row trigger that fires on INSERT carries WHEN (NOT
-- mountaineer.restoring(its table)); the statement triggers check
-- restoring(TG_RELID): restored rows arrive with their pdns rows.
-- 1.1: tags and attributes on its inventory tables (needs mountaineer 1.5).
-- 1.2: an SOA time or ttl out of range is refused naming the value and the
--      zone (22023), not only its CHECK constraint.
\echo Use "CREATE EXTENSION mountaineer_dns CASCADE" to load this file. \quit

--------------------------------------------------------------------------
-- PowerDNS's schema: the tables, columns, constraints and indexes of
-- PowerDNS 4.7's gpgsql schema (Debian pdns-backend-pgsql,
-- schema.pgsql.sql), so that pdns_server runs with no query of ours.
--------------------------------------------------------------------------
CREATE SCHEMA pdns;
COMMENT ON SCHEMA pdns IS 'PowerDNS''s gpgsql schema, kept by mountaineer_dns from the inventory: pdns_server reads it with its default queries.';

CREATE TABLE pdns.domains (
    id              serial PRIMARY KEY,
    name            varchar(255) NOT NULL,
    master          varchar(128) DEFAULT NULL,
    last_check      int DEFAULT NULL,
    type            text NOT NULL,
    notified_serial bigint DEFAULT NULL,
    account         varchar(40) DEFAULT NULL,
    options         text DEFAULT NULL,
    catalog         text DEFAULT NULL,
    CONSTRAINT c_lowercase_name CHECK (name::text = lower(name::text))
);
CREATE UNIQUE INDEX name_index ON pdns.domains (name);
CREATE INDEX catalog_idx ON pdns.domains (catalog);
COMMENT ON TABLE pdns.domains IS 'Derived: one row per mountaineer.dns_zone (same name), type MASTER; PowerDNS writes only notified_serial.';
COMMENT ON COLUMN pdns.domains.id IS 'PowerDNS''s zone id (records.domain_id).';
COMMENT ON COLUMN pdns.domains.name IS 'The zone''s name, lower case, no trailing dot (dns_zone.name).';
COMMENT ON COLUMN pdns.domains.master IS 'Primaries of a secondary zone; NULL here.';
COMMENT ON COLUMN pdns.domains.last_check IS 'When a secondary zone was last checked; NULL here.';
COMMENT ON COLUMN pdns.domains.type IS 'MASTER: PowerDNS is the primary and notifies secondaries of a new serial.';
COMMENT ON COLUMN pdns.domains.notified_serial IS 'The last serial PowerDNS sent NOTIFYs for (written by PowerDNS).';
COMMENT ON COLUMN pdns.domains.account IS 'PowerDNS account; NULL here.';
COMMENT ON COLUMN pdns.domains.options IS 'Catalog zone options; NULL here.';
COMMENT ON COLUMN pdns.domains.catalog IS 'Catalog zone this zone is a member of; NULL here.';

CREATE TABLE pdns.records (
    id        bigserial PRIMARY KEY,
    domain_id int DEFAULT NULL,
    name      varchar(255) DEFAULT NULL,
    type      varchar(10) DEFAULT NULL,
    content   varchar(65535) DEFAULT NULL,
    ttl       int DEFAULT NULL,
    prio      int DEFAULT NULL,
    disabled  bool DEFAULT 'f',
    ordername varchar(255),
    auth      bool DEFAULT 't',
    CONSTRAINT domain_exists FOREIGN KEY (domain_id) REFERENCES pdns.domains (id) ON DELETE CASCADE,
    CONSTRAINT c_lowercase_name CHECK (name::text = lower(name::text))
);
CREATE INDEX rec_name_index ON pdns.records (name);
CREATE INDEX nametype_index ON pdns.records (name, type);
CREATE INDEX domain_id ON pdns.records (domain_id);
CREATE INDEX recordorder ON pdns.records (domain_id, ordername text_pattern_ops);
-- ours: a record is there once, however many sources yield it (two VRFs
-- may hold one address with one name); and the address scope finds its
-- A/AAAA rows by content
CREATE UNIQUE INDEX records_once ON pdns.records (name, type, md5(content));
CREATE INDEX records_address_idx ON pdns.records (content) WHERE type IN ('A', 'AAAA');
COMMENT ON TABLE pdns.records IS 'Derived: every DNS record PowerDNS serves: each zone''s SOA, the manual records (mountaineer.dns_record) and the A, AAAA and PTR records of addresses, kept by triggers in the same transaction.';
COMMENT ON COLUMN pdns.records.id IS 'Row id.';
COMMENT ON COLUMN pdns.records.domain_id IS 'The zone (pdns.domains.id): the longest zone name that is a suffix of the record''s name.';
COMMENT ON COLUMN pdns.records.name IS 'Owner name, absolute, lower case, no trailing dot.';
COMMENT ON COLUMN pdns.records.type IS 'Record type: SOA, A, AAAA, CNAME, MX, TXT, SRV, NS, PTR, CAA.';
COMMENT ON COLUMN pdns.records.content IS 'Record data in PowerDNS''s storage form (no trailing dots; MX and SRV without their priority).';
COMMENT ON COLUMN pdns.records.ttl IS 'Time to live in seconds.';
COMMENT ON COLUMN pdns.records.prio IS 'Priority of an MX or SRV record.';
COMMENT ON COLUMN pdns.records.disabled IS 'Always false here.';
COMMENT ON COLUMN pdns.records.ordername IS 'DNSSEC ordering name; NULL here (no DNSSEC).';
COMMENT ON COLUMN pdns.records.auth IS 'Authoritative data: always true here.';

CREATE TABLE pdns.supermasters (
    ip         inet NOT NULL,
    nameserver varchar(255) NOT NULL,
    account    varchar(40) NOT NULL,
    PRIMARY KEY (ip, nameserver)
);
COMMENT ON TABLE pdns.supermasters IS 'Derived: PowerDNS''s autoprimaries; empty (PowerDNS is the primary of every zone here).';
COMMENT ON COLUMN pdns.supermasters.ip IS 'Address of an autoprimary.';
COMMENT ON COLUMN pdns.supermasters.nameserver IS 'Its name server name.';
COMMENT ON COLUMN pdns.supermasters.account IS 'Account of the zones it creates.';

CREATE TABLE pdns.comments (
    id          serial PRIMARY KEY,
    domain_id   int NOT NULL,
    name        varchar(255) NOT NULL,
    type        varchar(10) NOT NULL,
    modified_at int NOT NULL,
    account     varchar(40) DEFAULT NULL,
    comment     varchar(65535) NOT NULL,
    CONSTRAINT domain_exists FOREIGN KEY (domain_id) REFERENCES pdns.domains (id) ON DELETE CASCADE,
    CONSTRAINT c_lowercase_name CHECK (name::text = lower(name::text))
);
CREATE INDEX comments_domain_id_idx ON pdns.comments (domain_id);
CREATE INDEX comments_name_type_idx ON pdns.comments (name, type);
CREATE INDEX comments_order_idx ON pdns.comments (domain_id, modified_at);
COMMENT ON TABLE pdns.comments IS 'Derived: PowerDNS''s comments on record sets; empty (the inventory''s descriptions live in its own tables).';
COMMENT ON COLUMN pdns.comments.id IS 'Row id.';
COMMENT ON COLUMN pdns.comments.domain_id IS 'The zone.';
COMMENT ON COLUMN pdns.comments.name IS 'Owner name of the record set.';
COMMENT ON COLUMN pdns.comments.type IS 'Type of the record set.';
COMMENT ON COLUMN pdns.comments.modified_at IS 'Unix time of the comment.';
COMMENT ON COLUMN pdns.comments.account IS 'Who wrote it.';
COMMENT ON COLUMN pdns.comments.comment IS 'The comment.';

CREATE TABLE pdns.domainmetadata (
    id        serial PRIMARY KEY,
    domain_id int REFERENCES pdns.domains (id) ON DELETE CASCADE,
    kind      varchar(32),
    content   text
);
CREATE INDEX domainidmetaindex ON pdns.domainmetadata (domain_id);
COMMENT ON TABLE pdns.domainmetadata IS 'Derived: PowerDNS''s per-zone settings (ALSO-NOTIFY, ...); empty unless an admin adds some.';
COMMENT ON COLUMN pdns.domainmetadata.id IS 'Row id.';
COMMENT ON COLUMN pdns.domainmetadata.domain_id IS 'The zone.';
COMMENT ON COLUMN pdns.domainmetadata.kind IS 'Setting name, e.g. ALSO-NOTIFY.';
COMMENT ON COLUMN pdns.domainmetadata.content IS 'Setting value.';

CREATE TABLE pdns.cryptokeys (
    id        serial PRIMARY KEY,
    domain_id int REFERENCES pdns.domains (id) ON DELETE CASCADE,
    flags     int NOT NULL,
    active    bool,
    published bool DEFAULT TRUE,
    content   text
);
CREATE INDEX domainidindex ON pdns.cryptokeys (domain_id);
COMMENT ON TABLE pdns.cryptokeys IS 'Derived: PowerDNS''s DNSSEC keys; empty (no DNSSEC here).';
COMMENT ON COLUMN pdns.cryptokeys.id IS 'Row id.';
COMMENT ON COLUMN pdns.cryptokeys.domain_id IS 'The zone.';
COMMENT ON COLUMN pdns.cryptokeys.flags IS 'DNSKEY flags (256 ZSK, 257 KSK).';
COMMENT ON COLUMN pdns.cryptokeys.active IS 'Whether the key signs.';
COMMENT ON COLUMN pdns.cryptokeys.published IS 'Whether the key is published.';
COMMENT ON COLUMN pdns.cryptokeys.content IS 'The private key.';

CREATE TABLE pdns.tsigkeys (
    id        serial PRIMARY KEY,
    name      varchar(255),
    algorithm varchar(50),
    secret    varchar(255),
    CONSTRAINT c_lowercase_name CHECK (name::text = lower(name::text))
);
CREATE UNIQUE INDEX namealgoindex ON pdns.tsigkeys (name, algorithm);
COMMENT ON TABLE pdns.tsigkeys IS 'Derived: PowerDNS''s TSIG keys; empty unless an admin adds some.';
COMMENT ON COLUMN pdns.tsigkeys.id IS 'Row id.';
COMMENT ON COLUMN pdns.tsigkeys.name IS 'Key name.';
COMMENT ON COLUMN pdns.tsigkeys.algorithm IS 'HMAC algorithm.';
COMMENT ON COLUMN pdns.tsigkeys.secret IS 'Base64 secret.';

-- dumped with the inventory (restored rows come with their pdns rows)
SELECT pg_catalog.pg_extension_config_dump('pdns.domains', '');
SELECT pg_catalog.pg_extension_config_dump('pdns.records', '');
SELECT pg_catalog.pg_extension_config_dump('pdns.supermasters', '');
SELECT pg_catalog.pg_extension_config_dump('pdns.comments', '');
SELECT pg_catalog.pg_extension_config_dump('pdns.domainmetadata', '');
SELECT pg_catalog.pg_extension_config_dump('pdns.cryptokeys', '');
SELECT pg_catalog.pg_extension_config_dump('pdns.tsigkeys', '');
SELECT pg_catalog.pg_extension_config_dump('pdns.domains_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('pdns.records_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('pdns.comments_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('pdns.domainmetadata_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('pdns.cryptokeys_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('pdns.tsigkeys_id_seq', '');

GRANT USAGE ON SCHEMA pdns TO mountaineer_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA pdns TO mountaineer_reader;

-- PowerDNS's login: it reads, and records the serial it notified.  No
-- password: give it one (ALTER ROLE ... PASSWORD) where pg_hba.conf asks.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'mountaineer_pdns') THEN
        CREATE ROLE mountaineer_pdns LOGIN;
    END IF;
END
$$;
-- PowerDNS's queries name the tables unqualified
ALTER ROLE mountaineer_pdns SET search_path = pdns;
GRANT USAGE ON SCHEMA pdns TO mountaineer_pdns;
GRANT SELECT ON ALL TABLES IN SCHEMA pdns TO mountaineer_pdns;
GRANT UPDATE (notified_serial) ON pdns.domains TO mountaineer_pdns;

--------------------------------------------------------------------------
-- Names and values
--------------------------------------------------------------------------
-- No SET clause and not STRICT: these three are inlined where they are
-- used (the CHECK constraints, the serial bump, the scope filters), with no
-- function call or plan of their own; their bodies are parsed once, at
-- CREATE.  (NULL in gives NULL or false out.)
CREATE FUNCTION mountaineer.is_valid_domain_name(name text, owner boolean DEFAULT false) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN length(name) BETWEEN 1 AND 253
   AND CASE WHEN owner
            -- an owner name may start with a wildcard and have _labels (_sip._tcp)
            THEN name ~ '^(\*\.)?(_?[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'
            ELSE name ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'
       END;
COMMENT ON FUNCTION mountaineer.is_valid_domain_name(text, boolean) IS
    'Whether a name is a domain name as stored: lower case, no trailing dot, 1 to 253 characters, labels of 1 to 63 letters, digits and inner hyphens; with owner, a record''s owner name, which may also start with *. and have labels starting with _ (_sip._tcp).';

CREATE FUNCTION mountaineer.dns_name(name text, what text DEFAULT 'domain name', owner boolean DEFAULT false) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n text := lower(name);
BEGIN
    IF right(n, 1) = '.' THEN
        n := left(n, -1);                   -- the root's dot is implied
    END IF;
    IF NOT mountaineer.is_valid_domain_name(n, owner) THEN
        RAISE EXCEPTION 'invalid % %', what, mountaineer.excerpt(name)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A domain name has 1 to 253 characters in labels of 1 to 63 letters, digits and inner hyphens, separated by dots.';
    END IF;
    RETURN n;
END
$$;
COMMENT ON FUNCTION mountaineer.dns_name(text, text, boolean) IS
    'The name in lower case without a trailing dot, if it is a domain name (is_valid_domain_name); otherwise 22023 "invalid <what> <name>".';

CREATE FUNCTION mountaineer.dns_suffixes(name text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
RETURN (SELECT array_agg(array_to_string(l[i:], '.') ORDER BY i)
          FROM (SELECT string_to_array(name, '.') AS l) s, generate_subscripts(s.l, 1) i);
COMMENT ON FUNCTION mountaineer.dns_suffixes(text) IS
    'The name and every name it lies in, longest first: dns_suffixes(''a.b.c'') = {a.b.c,b.c,c}.';

-- The inverse of ptr_name(): the address a full PTR name stands for.
CREATE FUNCTION mountaineer.dns_ptr_address(name text) RETURNS inet
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
RETURN CASE
    WHEN name ~ '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){4}in-addr\.arpa$' THEN
        (SELECT array_to_string(array_agg(l ORDER BY i DESC), '.')::inet
           FROM unnest((string_to_array(name, '.'))[1:4]) WITH ORDINALITY u(l, i))
    WHEN name ~ '^([0-9a-f]\.){32}ip6\.arpa$' THEN
        (SELECT string_agg(array_to_string(g, ''), ':' ORDER BY k)::inet
           FROM (SELECT (i - 1) / 4 AS k, array_agg(l ORDER BY i) AS g
                   FROM unnest((SELECT array_agg(x ORDER BY j DESC)
                                  FROM unnest((string_to_array(name, '.'))[1:32]) WITH ORDINALITY v(x, j))) WITH ORDINALITY u(l, i)
                  GROUP BY 1) q)
END;
COMMENT ON FUNCTION mountaineer.dns_ptr_address(text) IS
    'The address a full PTR owner name names (the inverse of ptr_name): dns_ptr_address(''5.0.0.10.in-addr.arpa'') = 10.0.0.5; NULL for any other name.';

-- YYYYMMDDnn, rising by one, and never below today's first serial: past
-- nn = 99 it runs into the next day's numbers, as PowerDNS's date-counter
-- rule does.
CREATE FUNCTION mountaineer.dns_next_serial(serial bigint, day date) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN greatest(serial + 1, to_char(day, 'YYYYMMDD')::bigint * 100);
COMMENT ON FUNCTION mountaineer.dns_next_serial(bigint, date) IS
    'The serial after this one on that day (UTC): greatest(serial + 1, YYYYMMDD00): 2026120299 becomes 2026120300, 2025010105 on 2026-12-02 becomes 2026120200.';

--------------------------------------------------------------------------
-- Zones and manual records
--------------------------------------------------------------------------
CREATE TABLE mountaineer.dns_zone (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug       text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name       text NOT NULL UNIQUE CONSTRAINT dns_zone_name_check CHECK (mountaineer.is_valid_domain_name(name)),
    kind       text GENERATED ALWAYS AS (CASE WHEN name ~ '(^|\.)(in-addr|ip6)\.arpa$' THEN 'reverse' ELSE 'forward' END) STORED,
    primary_ns text NOT NULL CONSTRAINT dns_zone_primary_ns_check CHECK (mountaineer.is_valid_domain_name(primary_ns)),
    hostmaster text NOT NULL CONSTRAINT dns_zone_hostmaster_check CHECK (mountaineer.is_valid_domain_name(hostmaster)),
    refresh    int NOT NULL DEFAULT 10800 CONSTRAINT dns_zone_refresh_check CHECK (refresh BETWEEN 1 AND 2147483647),
    retry      int NOT NULL DEFAULT 3600 CONSTRAINT dns_zone_retry_check CHECK (retry BETWEEN 1 AND 2147483647),
    expire     int NOT NULL DEFAULT 604800 CONSTRAINT dns_zone_expire_check CHECK (expire BETWEEN 1 AND 2147483647),
    minimum    int NOT NULL DEFAULT 3600 CONSTRAINT dns_zone_minimum_check CHECK (minimum BETWEEN 0 AND 2147483647),
    ttl        int NOT NULL DEFAULT 3600 CONSTRAINT dns_zone_ttl_check CHECK (ttl BETWEEN 0 AND 2147483647),
    serial     bigint NOT NULL DEFAULT 0 CONSTRAINT dns_zone_serial_check CHECK (serial BETWEEN 0 AND 4294967295)
);
COMMENT ON TABLE mountaineer.dns_zone IS
    'A DNS zone PowerDNS serves (pdns.domains): its SOA fields and serial. Records of addresses go to the zone whose name is the longest suffix of theirs.';
COMMENT ON COLUMN mountaineer.dns_zone.id IS 'Row id.';
COMMENT ON COLUMN mountaineer.dns_zone.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.dns_zone.name IS 'The zone''s name: a domain name, lower case, no trailing dot (written with one, or in capitals, it is stored so), unique.';
COMMENT ON COLUMN mountaineer.dns_zone.kind IS 'forward, or reverse for a name under in-addr.arpa or ip6.arpa (derived from the name).';
COMMENT ON COLUMN mountaineer.dns_zone.primary_ns IS 'SOA MNAME, the primary name server. Default: that of the first forward zone by name, else ns1.<zone>.';
COMMENT ON COLUMN mountaineer.dns_zone.hostmaster IS 'SOA RNAME, the hostmaster''s mailbox in DNS form (hostmaster.example.net for hostmaster@example.net). Default: hostmaster.<domain of primary_ns>.';
COMMENT ON COLUMN mountaineer.dns_zone.refresh IS 'SOA refresh: seconds between a secondary''s checks (default 10800).';
COMMENT ON COLUMN mountaineer.dns_zone.retry IS 'SOA retry: seconds before a failed check is retried (default 3600).';
COMMENT ON COLUMN mountaineer.dns_zone.expire IS 'SOA expire: seconds a secondary serves the zone without reaching the primary (default 604800).';
COMMENT ON COLUMN mountaineer.dns_zone.minimum IS 'SOA minimum: the TTL of negative answers (default 3600).';
COMMENT ON COLUMN mountaineer.dns_zone.ttl IS 'TTL of the SOA and of every record of the zone that sets none (default 3600).';
COMMENT ON COLUMN mountaineer.dns_zone.serial IS
    'SOA serial, YYYYMMDDnn (UTC), kept by the database: it rises with every statement that changes the zone''s records or SOA, and never goes down.';
SELECT mountaineer.manage_table('mountaineer.dns_zone');

CREATE TYPE mountaineer.dns_record_type AS ENUM ('A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'NS', 'PTR', 'CAA');
COMMENT ON TYPE mountaineer.dns_record_type IS 'The record types of manual records.';

CREATE TABLE mountaineer.dns_record (
    id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug     text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    zone_id  uuid NOT NULL REFERENCES mountaineer.dns_zone ON DELETE CASCADE,
    name     text NOT NULL CONSTRAINT dns_record_name_check CHECK (mountaineer.is_valid_name(name, 254)),
    fqdn     text NOT NULL,
    type     mountaineer.dns_record_type NOT NULL,
    content  text NOT NULL CONSTRAINT dns_record_content_check CHECK (length(content) BETWEEN 1 AND 2000),
    ttl      int CONSTRAINT dns_record_ttl_check CHECK (ttl BETWEEN 0 AND 2147483647),
    priority int CONSTRAINT dns_record_priority_check CHECK (priority BETWEEN 0 AND 65535),
    CONSTRAINT dns_record_priority_needed CHECK ((priority IS NOT NULL) = (type IN ('MX', 'SRV'))),
    CONSTRAINT dns_record_once UNIQUE (fqdn, type, content)
);
CREATE INDEX dns_record_zone_idx ON mountaineer.dns_record (zone_id);
-- the address scope finds manual A/AAAA records by their address
CREATE INDEX dns_record_address_idx ON mountaineer.dns_record (content) WHERE type IN ('A', 'AAAA');
COMMENT ON TABLE mountaineer.dns_record IS
    'A record written by hand (the A, AAAA and PTR records of addresses are derived, never written here). A CNAME never shares its name with other data.';
COMMENT ON COLUMN mountaineer.dns_record.id IS 'Row id.';
COMMENT ON COLUMN mountaineer.dns_record.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.dns_record.zone_id IS 'The zone it belongs to; deleting the zone deletes its records.';
COMMENT ON COLUMN mountaineer.dns_record.name IS 'Owner name as written: @ for the zone itself, relative to the zone (www), or absolute with a trailing dot (www.example.net.), which must lie in the zone.';
COMMENT ON COLUMN mountaineer.dns_record.fqdn IS 'The absolute owner name, lower case, no trailing dot (derived from name and the zone''s name; not written by hand).';
COMMENT ON COLUMN mountaineer.dns_record.type IS 'A, AAAA, CNAME, MX, TXT, SRV, NS, PTR or CAA.';
COMMENT ON COLUMN mountaineer.dns_record.content IS
    'The data (at most 2000 characters), checked per type and stored in PowerDNS''s form: an address (A, AAAA), a domain name (CNAME, NS, PTR, MX), "weight port target" (SRV), text (TXT, quoted and cut into 255-character strings when written unquoted), "flags tag \"value\"" (CAA).';
COMMENT ON COLUMN mountaineer.dns_record.ttl IS 'Seconds, 0..2147483647; NULL: the zone''s ttl.';
COMMENT ON COLUMN mountaineer.dns_record.priority IS 'MX preference or SRV priority, 0..65535: required for MX and SRV, NULL for the others.';
SELECT mountaineer.manage_table('mountaineer.dns_record');

-- A record as PowerDNS stores it: what the scopes compare.
CREATE TYPE mountaineer.dns_rr AS (domain_id int, name text, type text, content text, ttl int, prio int);
COMMENT ON TYPE mountaineer.dns_rr IS 'A record as pdns.records holds it (zone id, owner name, type, content, ttl, priority).';

--------------------------------------------------------------------------
-- What pdns.records should hold
--------------------------------------------------------------------------
-- The zone of many names at once: every suffix of every name joined to
-- the zones by hash (zones are few next to records), the longest kept; one
-- pass, where a probe per name and label would cost a plan node per probe.
CREATE FUNCTION mountaineer.dns_zone_assign(names text[]) RETURNS TABLE (name text, zone_id uuid, domain_id int, ttl int)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- PL/pgSQL, so that the plan is kept for the session: an SQL function
    -- called with a subquery argument is not inlined, and would be planned
    -- at every call
    RETURN QUERY
    SELECT DISTINCT ON (n.name) n.name, z.id, d.id, z.ttl
      FROM (SELECT DISTINCT u AS name, string_to_array(u, '.') AS l FROM unnest(names) u) n
     CROSS JOIN LATERAL generate_subscripts(n.l, 1) i
      JOIN mountaineer.dns_zone z ON z.name = array_to_string(n.l[i:], '.')
      JOIN pdns.domains d ON d.name = z.name
     ORDER BY n.name, i;
END
$$;
COMMENT ON FUNCTION mountaineer.dns_zone_assign(text[]) IS
    'The zone each name''s records go to: the zone whose name is the longest suffix of it, with its pdns.domains id and ttl; names no zone holds are left out.';

-- Every (address, name) pair that yields records: the address's dns_name,
-- else its host's hostname when it is the host's canonical address.
CREATE VIEW mountaineer.dns_address_name AS
SELECT i.id AS ip_address_id, mountaineer.vrf_key(i.vrf_id) AS vrf_key, i.host_addr, coalesce(i.dns_name, h.hostname) AS fqdn
  FROM mountaineer.ip_address i
  LEFT JOIN mountaineer.host h ON h.id = i.host_id AND i.canonical
 WHERE i.dns_name IS NOT NULL OR (i.canonical AND h.hostname IS NOT NULL);
COMMENT ON VIEW mountaineer.dns_address_name IS
    'Every address that yields DNS records, with the name it yields them for: its dns_name, else its host''s hostname when it is the host''s canonical address.';
COMMENT ON COLUMN mountaineer.dns_address_name.ip_address_id IS 'The address (ip_address.id).';
COMMENT ON COLUMN mountaineer.dns_address_name.vrf_key IS 'Its VRF (vrf_key: all-zero for the global table).';
COMMENT ON COLUMN mountaineer.dns_address_name.host_addr IS 'The address alone.';
COMMENT ON COLUMN mountaineer.dns_address_name.fqdn IS 'The name of its A/AAAA record and the content of its PTR.';

-- The records of addresses, in the zones holding them.
CREATE VIEW mountaineer.dns_address_record AS
WITH r AS (
    SELECT a.ip_address_id, x.name, x.type, x.content
      FROM mountaineer.dns_address_name a
     CROSS JOIN LATERAL (VALUES (a.fqdn, CASE family(a.host_addr) WHEN 4 THEN 'A' ELSE 'AAAA' END, host(a.host_addr)),
                                (mountaineer.ptr_name(a.host_addr), 'PTR', a.fqdn)) x(name, type, content))
SELECT r.ip_address_id, r.name, r.type, r.content, z.domain_id, z.ttl
  FROM r JOIN mountaineer.dns_zone_assign(ARRAY(SELECT r.name FROM r)) z ON z.name = r.name;
COMMENT ON VIEW mountaineer.dns_address_record IS
    'The A/AAAA and PTR records every address yields (dns_address_name), with the zone (pdns.domains.id) and ttl they get; none where no zone holds the name.';
COMMENT ON COLUMN mountaineer.dns_address_record.ip_address_id IS 'The address (ip_address.id) yielding the record.';
COMMENT ON COLUMN mountaineer.dns_address_record.name IS 'Owner name: the address''s dns_name (or host''s hostname) for A/AAAA, ptr_name(address) for PTR.';
COMMENT ON COLUMN mountaineer.dns_address_record.type IS 'A, AAAA or PTR.';
COMMENT ON COLUMN mountaineer.dns_address_record.content IS 'The address (A/AAAA) or the name (PTR).';
COMMENT ON COLUMN mountaineer.dns_address_record.domain_id IS 'The zone it goes to (pdns.domains.id).';
COMMENT ON COLUMN mountaineer.dns_address_record.ttl IS 'The ttl of that zone.';

-- Everything pdns.records should hold, computed from scratch.
CREATE VIEW mountaineer.dns_expected AS
SELECT d.id AS domain_id, z.name, 'SOA'::text AS type,
       format('%s %s %s %s %s %s %s', z.primary_ns, z.hostmaster, z.serial, z.refresh, z.retry, z.expire, z.minimum) AS content,
       z.ttl, NULL::int AS prio
  FROM mountaineer.dns_zone z JOIN pdns.domains d ON d.name = z.name
UNION
SELECT d.id, r.fqdn, r.type::text, r.content, coalesce(r.ttl, z.ttl), r.priority
  FROM mountaineer.dns_record r JOIN mountaineer.dns_zone z ON z.id = r.zone_id JOIN pdns.domains d ON d.name = z.name
UNION
SELECT a.domain_id, a.name, a.type, a.content, a.ttl, NULL::int
  FROM mountaineer.dns_address_record a;
COMMENT ON VIEW mountaineer.dns_expected IS
    'Every record pdns.records should hold, computed from the zones, the manual records and the addresses (what dns_verify compares and dns_rebuild writes).';

COMMENT ON COLUMN mountaineer.dns_expected.domain_id IS 'The zone (pdns.domains.id).';
COMMENT ON COLUMN mountaineer.dns_expected.name IS 'Owner name.';
COMMENT ON COLUMN mountaineer.dns_expected.type IS 'Record type.';
COMMENT ON COLUMN mountaineer.dns_expected.content IS 'Record data as pdns.records holds it.';
COMMENT ON COLUMN mountaineer.dns_expected.ttl IS 'Time to live.';
COMMENT ON COLUMN mountaineer.dns_expected.prio IS 'Priority of MX and SRV records.';

CREATE FUNCTION mountaineer.dns_verify()
    RETURNS TABLE (problem text, domain_id int, name text, type text, content text, ttl int, prio int)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    (SELECT 'missing', e.* FROM mountaineer.dns_expected e
     EXCEPT
     SELECT 'missing', r.domain_id, r.name::text, r.type::text, r.content::text, r.ttl, r.prio FROM pdns.records r)
    UNION ALL
    (SELECT 'extra', r.domain_id, r.name::text, r.type::text, r.content::text, r.ttl, r.prio FROM pdns.records r
     EXCEPT ALL
     SELECT 'extra', e.* FROM mountaineer.dns_expected e)
    UNION ALL
    (SELECT 'zone without domain', NULL::int, z.name::text, NULL::text, NULL::text, NULL::int, NULL::int FROM mountaineer.dns_zone z
      WHERE NOT EXISTS (SELECT FROM pdns.domains d WHERE d.name = z.name AND d.type = 'MASTER')
     UNION ALL
     SELECT 'domain without zone', d.id, d.name::text, NULL, NULL, NULL, NULL FROM pdns.domains d
      WHERE NOT EXISTS (SELECT FROM mountaineer.dns_zone z WHERE z.name = d.name))
    ORDER BY 3, 4, 5, 1
$$;
COMMENT ON FUNCTION mountaineer.dns_verify() IS
    'Audit of pdns: every record missing from pdns.records or there in excess (or twice), against dns_expected, and zones and domains without each other; no rows when PowerDNS serves exactly what the inventory says.';

--------------------------------------------------------------------------
-- Writing pdns.records
--------------------------------------------------------------------------
-- Raises the serial of the zones (pdns.domains ids) whose records changed.
-- The row lock this takes also orders writers of one zone: the CNAME check
-- after it sees what a writer before it committed.
CREATE FUNCTION mountaineer.dns_bump_serials(domain_ids int[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- locked in id order first, so that two writers touching the same
    -- zones (an address's forward and reverse zone) queue, never deadlock
    PERFORM FROM mountaineer.dns_zone z JOIN pdns.domains d ON d.name = z.name
      WHERE d.id = ANY (domain_ids) ORDER BY z.id FOR NO KEY UPDATE OF z;
    UPDATE mountaineer.dns_zone z
       SET serial = mountaineer.dns_next_serial(z.serial, (now() AT TIME ZONE 'UTC')::date)
      FROM pdns.domains d
     WHERE d.name = z.name AND d.id = ANY (domain_ids);
END
$$;
COMMENT ON FUNCTION mountaineer.dns_bump_serials(int[]) IS 'Internal: raises the serial of those zones (by pdns.domains id).';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_bump_serials(int[]) FROM PUBLIC;

-- Makes the rows `existing` (ids of pdns.records: one or more whole
-- scopes) into `expected`: deletes what is not expected, inserts what is
-- missing, then (with bump) raises the serials of the zones that changed
-- and checks the CNAME rule at the names that changed.
CREATE FUNCTION mountaineer.dns_sync(expected mountaineer.dns_rr[], existing bigint[], bump boolean DEFAULT true)
    RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    zones int[];
    names text[];
    c     record;
BEGIN
    WITH gone AS (
        DELETE FROM pdns.records r
         WHERE r.id = ANY (existing)
           AND NOT EXISTS (SELECT FROM unnest(expected) e
                            WHERE e.name = r.name AND e.type = r.type AND e.content = r.content
                              AND e.domain_id = r.domain_id AND e.ttl IS NOT DISTINCT FROM r.ttl
                              AND e.prio IS NOT DISTINCT FROM r.prio)
        RETURNING r.domain_id, r.name)
    SELECT array_agg(DISTINCT gone.domain_id), array_agg(DISTINCT gone.name::text) INTO zones, names FROM gone;
    WITH came AS (
        INSERT INTO pdns.records (domain_id, name, type, content, ttl, prio, disabled, auth)
        SELECT DISTINCT e.domain_id, e.name, e.type, e.content, e.ttl, e.prio, false, true
          FROM unnest(expected) e
        ON CONFLICT (name, type, md5(content)) DO NOTHING
        RETURNING domain_id, name)
    SELECT coalesce(zones, '{}') || array_agg(DISTINCT came.domain_id), coalesce(names, '{}') || array_agg(DISTINCT came.name::text)
      INTO zones, names FROM came;
    IF NOT bump OR cardinality(zones) = 0 THEN
        RETURN;
    END IF;
    PERFORM mountaineer.dns_bump_serials(zones);
    -- a CNAME is the only record at its name (RFC 1034 3.6.2)
    SELECT x.name, x.content AS target, o.type, o.content INTO c
      FROM pdns.records x JOIN pdns.records o ON o.name = x.name AND o.id <> x.id
     WHERE x.name = ANY (names) AND x.type = 'CNAME'
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'CNAME % -> % cannot coexist with % % at the same name', c.name, c.target, c.type, c.content
            USING ERRCODE = 'check_violation',
                  HINT = 'A name with a CNAME has no other data: remove one of the two (or give the address another dns_name).';
    END IF;
END
$$;
COMMENT ON FUNCTION mountaineer.dns_sync(mountaineer.dns_rr[], bigint[], boolean) IS
    'Internal: writes the difference between the pdns.records rows given (whole scopes) and the records expected of them; then raises the serials of the zones that changed and refuses a CNAME that shares its name (23514).';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_sync(mountaineer.dns_rr[], bigint[], boolean) FROM PUBLIC;

-- The address scope of some addresses (bare, any VRF).
CREATE FUNCTION mountaineer.dns_sync_addresses(addrs cidr[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    expected mountaineer.dns_rr[];
    existing bigint[];
BEGIN
    -- no zone, no record: nothing to do (the common case of an estate
    -- without DNS zones, and of every write before the first zone)
    IF coalesce(cardinality(addrs), 0) = 0 OR NOT EXISTS (SELECT FROM pdns.domains) THEN
        RETURN;
    END IF;
    -- the addresses' rows in every VRF: a probe of ip_address_unique_in_vrf
    -- per VRF (VRFs are few), where a GiST probe across VRFs costs more
    WITH a AS (SELECT DISTINCT x AS c, host(x) AS text_addr, mountaineer.ptr_name(x) AS ptr FROM unnest(addrs) x),
    k AS (SELECT mountaineer.vrf_key(NULL) AS vrf_key UNION ALL SELECT v.id FROM mountaineer.vrf v),
    n AS (SELECT an.host_addr, an.fqdn
            FROM a CROSS JOIN k JOIN mountaineer.dns_address_name an ON an.vrf_key = k.vrf_key AND an.host_addr = a.c)
    SELECT array_agg(ROW(r.domain_id, r.name, r.type, r.content, r.ttl, r.prio)::mountaineer.dns_rr) INTO expected FROM (
        SELECT z.domain_id, x.name, x.type, x.content, z.ttl, NULL::int AS prio
          FROM (SELECT DISTINCT n.fqdn AS name, CASE family(n.host_addr) WHEN 4 THEN 'A' ELSE 'AAAA' END AS type, host(n.host_addr) AS content FROM n
                UNION
                SELECT mountaineer.ptr_name(n.host_addr), 'PTR', n.fqdn FROM n) x
          JOIN mountaineer.dns_zone_assign(ARRAY(SELECT n.fqdn FROM n UNION SELECT mountaineer.ptr_name(n.host_addr) FROM n)) z ON z.name = x.name
        UNION
        SELECT d.id, m.fqdn, m.type::text, m.content, coalesce(m.ttl, z.ttl), m.priority
          FROM (SELECT m.* FROM a JOIN mountaineer.dns_record m ON m.type IN ('A', 'AAAA') AND m.content = a.text_addr
                UNION ALL
                SELECT m.* FROM a JOIN mountaineer.dns_record m ON m.fqdn = a.ptr AND m.type = 'PTR') m
          JOIN mountaineer.dns_zone z ON z.id = m.zone_id JOIN pdns.domains d ON d.name = z.name) r;
    WITH a AS (SELECT DISTINCT host(x) AS text_addr, mountaineer.ptr_name(x) AS ptr FROM unnest(addrs) x)
    SELECT array_agg(r.id) INTO existing FROM (
        SELECT r.id FROM a JOIN pdns.records r ON r.type IN ('A', 'AAAA') AND r.content = a.text_addr
        UNION
        SELECT r.id FROM a JOIN pdns.records r ON r.name = a.ptr AND r.type = 'PTR') r;
    PERFORM mountaineer.dns_sync(coalesce(expected, '{}'), coalesce(existing, '{}'));
END
$$;
COMMENT ON FUNCTION mountaineer.dns_sync_addresses(cidr[]) IS
    'Internal: brings the address scope of those addresses (their A/AAAA and PTR rows in pdns.records) in line with ip_address and the manual records.';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_sync_addresses(cidr[]) FROM PUBLIC;

-- Whether a record of this name and type is in an address scope.
CREATE FUNCTION mountaineer.dns_address_scoped(name text, type text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN type IN ('A', 'AAAA') OR (type = 'PTR' AND mountaineer.dns_ptr_address(name) IS NOT NULL);
COMMENT ON FUNCTION mountaineer.dns_address_scoped(text, text) IS
    'Internal: whether a record belongs to the scope of an address (A, AAAA, and PTR at a full PTR name) rather than of its name.';

-- The name scope of some owner names.
CREATE FUNCTION mountaineer.dns_sync_names(names text[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    expected mountaineer.dns_rr[];
    existing bigint[];
BEGIN
    IF coalesce(cardinality(names), 0) = 0 OR NOT EXISTS (SELECT FROM pdns.domains) THEN
        RETURN;
    END IF;
    SELECT array_agg(ROW(d.id, m.fqdn, m.type::text, m.content, coalesce(m.ttl, z.ttl), m.priority)::mountaineer.dns_rr)
      INTO expected
      FROM mountaineer.dns_record m JOIN mountaineer.dns_zone z ON z.id = m.zone_id JOIN pdns.domains d ON d.name = z.name
     WHERE m.fqdn = ANY (names) AND NOT mountaineer.dns_address_scoped(m.fqdn, m.type::text);
    SELECT array_agg(r.id) INTO existing FROM pdns.records r
     WHERE r.name = ANY (names) AND r.type <> 'SOA' AND NOT mountaineer.dns_address_scoped(r.name, r.type);
    PERFORM mountaineer.dns_sync(coalesce(expected, '{}'), coalesce(existing, '{}'));
END
$$;
COMMENT ON FUNCTION mountaineer.dns_sync_names(text[]) IS
    'Internal: brings the name scope of those owner names (every row there but the SOA and address records) in line with the manual records.';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_sync_names(text[]) FROM PUBLIC;

-- Everything, from scratch: after a zone comes, goes, is renamed or
-- changes its default ttl (records move between zones).
CREATE FUNCTION mountaineer.dns_rebuild() RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    expected mountaineer.dns_rr[];
    existing bigint[];
BEGIN
    -- the domains first: the records refer to them
    DELETE FROM pdns.domains d WHERE NOT EXISTS (SELECT FROM mountaineer.dns_zone z WHERE z.name = d.name);
    INSERT INTO pdns.domains (name, type)
    SELECT z.name, 'MASTER' FROM mountaineer.dns_zone z
     WHERE NOT EXISTS (SELECT FROM pdns.domains d WHERE d.name = z.name);
    -- SOA rows are not bumped again here: the zone's own change did it
    SELECT array_agg(ROW(e.domain_id, e.name, e.type, e.content, e.ttl, e.prio)::mountaineer.dns_rr) INTO expected
      FROM mountaineer.dns_expected e WHERE e.type <> 'SOA';
    SELECT array_agg(r.id) INTO existing FROM pdns.records r WHERE r.type <> 'SOA';
    PERFORM mountaineer.dns_sync(coalesce(expected, '{}'), coalesce(existing, '{}'));
    SELECT array_agg(ROW(e.domain_id, e.name, e.type, e.content, e.ttl, e.prio)::mountaineer.dns_rr) INTO expected
      FROM mountaineer.dns_expected e WHERE e.type = 'SOA';
    SELECT array_agg(r.id) INTO existing FROM pdns.records r WHERE r.type = 'SOA';
    PERFORM mountaineer.dns_sync(coalesce(expected, '{}'), coalesce(existing, '{}'), false);
    RETURN (SELECT count(*) FROM pdns.records);
END
$$;
COMMENT ON FUNCTION mountaineer.dns_rebuild() IS
    'Admin: rewrites what differs in pdns.domains and pdns.records from the inventory (dns_expected), raising the serials of the zones that changed; returns the number of records. Runs by itself when a zone comes, goes, is renamed or changes its ttl.';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_rebuild() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.dns_rebuild() TO mountaineer_admin;

--------------------------------------------------------------------------
-- Triggers: zones
--------------------------------------------------------------------------
CREATE FUNCTION mountaineer.dns_zone_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad record;
BEGIN
    NEW.name := mountaineer.dns_name(NEW.name, 'zone name');
    IF NEW.primary_ns IS NULL THEN
        NEW.primary_ns := coalesce((SELECT z.primary_ns FROM mountaineer.dns_zone z
                                     WHERE z.kind = 'forward' ORDER BY z.name LIMIT 1),
                                   'ns1.' || NEW.name);
    END IF;
    NEW.primary_ns := mountaineer.dns_name(NEW.primary_ns, 'primary name server');
    NEW.hostmaster := mountaineer.dns_name(coalesce(NEW.hostmaster,
                          'hostmaster.' || coalesce(mountaineer.host_domain(NEW.primary_ns), NEW.primary_ns)), 'hostmaster mailbox');
    -- the ranges of the CHECK constraints, refused here naming the value
    -- (a NULL is left to NOT NULL)
    SELECT f.what, f.v, f.lo INTO bad
      FROM (VALUES ('refresh', NEW.refresh, 1), ('retry', NEW.retry, 1), ('expire', NEW.expire, 1),
                   ('minimum', NEW.minimum, 0), ('ttl', NEW.ttl, 0)) f(what, v, lo)
     WHERE f.v < f.lo
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'SOA % % of zone % is out of range %..2147483647', bad.what, bad.v, NEW.name, bad.lo
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.serial := greatest(NEW.serial, mountaineer.dns_next_serial(0, (now() AT TIME ZONE 'UTC')::date));
    ELSIF NEW.serial < OLD.serial THEN
        RAISE EXCEPTION 'the serial of zone % cannot go down from % to %', NEW.name, OLD.serial, NEW.serial
            USING ERRCODE = 'check_violation',
                  HINT = 'Secondaries would ignore the zone until the serial passed the old one again.';
    ELSIF NEW.serial = OLD.serial
          AND (NEW.name, NEW.primary_ns, NEW.hostmaster, NEW.refresh, NEW.retry, NEW.expire, NEW.minimum, NEW.ttl)
              IS DISTINCT FROM (OLD.name, OLD.primary_ns, OLD.hostmaster, OLD.refresh, OLD.retry, OLD.expire, OLD.minimum, OLD.ttl) THEN
        NEW.serial := mountaineer.dns_next_serial(OLD.serial, (now() AT TIME ZONE 'UTC')::date);
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.dns_zone_check() IS
    'Trigger: normalizes the zone''s names (22023 for one that is not a domain name), fills the default primary name server and hostmaster, refuses an SOA time or ttl out of range naming it (22023), starts the serial at today''s YYYYMMDD00, refuses a serial going down and raises it when an SOA field changes.';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_zone_check() FROM PUBLIC;
CREATE TRIGGER check_zone BEFORE INSERT OR UPDATE ON mountaineer.dns_zone
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.dns_zone')) EXECUTE FUNCTION mountaineer.dns_zone_check();

CREATE FUNCTION mountaineer.dns_zone_rebuild() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;                        -- restored zones come with their pdns rows
    END IF;
    PERFORM mountaineer.dns_rebuild();
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.dns_zone_rebuild() IS
    'Trigger (AFTER INSERT OR DELETE, per statement): a zone added or removed rebuilds pdns (dns_rebuild): records move to the zone that is now the longest suffix of their name.';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_zone_rebuild() FROM PUBLIC;
CREATE TRIGGER sync_pdns AFTER INSERT OR DELETE ON mountaineer.dns_zone
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.dns_zone_rebuild();

CREATE FUNCTION mountaineer.dns_zone_sync_update() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    expected mountaineer.dns_rr[];
    existing bigint[];
BEGIN
    -- renamed or a new ttl: the domain keeps its id, the records move
    IF EXISTS (SELECT FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE (n.name, n.ttl) IS DISTINCT FROM (o.name, o.ttl)) THEN
        UPDATE pdns.domains d SET name = n.name
          FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE d.name = o.name AND n.name <> o.name;
        UPDATE mountaineer.dns_record r SET fqdn = r.fqdn          -- the check derives it again
          FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE r.zone_id = n.id AND n.name <> o.name;
        PERFORM mountaineer.dns_rebuild();
        RETURN NULL;
    END IF;
    -- the SOA fields and serial alone: the SOA rows
    SELECT array_agg(ROW(d.id, n.name, 'SOA', format('%s %s %s %s %s %s %s', n.primary_ns, n.hostmaster, n.serial,
                         n.refresh, n.retry, n.expire, n.minimum), n.ttl, NULL)::mountaineer.dns_rr)
      INTO expected FROM new_rows n JOIN pdns.domains d ON d.name = n.name;
    SELECT array_agg(r.id) INTO existing
      FROM new_rows n JOIN pdns.domains d ON d.name = n.name
      JOIN pdns.records r ON r.domain_id = d.id AND r.name = d.name AND r.type = 'SOA';
    PERFORM mountaineer.dns_sync(coalesce(expected, '{}'), coalesce(existing, '{}'), false);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.dns_zone_sync_update() IS
    'Trigger (AFTER UPDATE, per statement): a changed SOA field or serial rewrites the zone''s SOA record; a zone renamed or with a new ttl renames its domain and rebuilds pdns (dns_rebuild).';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_zone_sync_update() FROM PUBLIC;
CREATE TRIGGER sync_pdns_update AFTER UPDATE ON mountaineer.dns_zone
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.dns_zone_sync_update();

CREATE FUNCTION mountaineer.dns_zone_for_prefix(prefix cidr) RETURNS mountaineer.dns_zone
    LANGUAGE plpgsql VOLATILE STRICT
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    z mountaineer.dns_zone;
BEGIN
    INSERT INTO mountaineer.dns_zone (name) VALUES (mountaineer.reverse_zone(prefix))
    ON CONFLICT (name) DO NOTHING;
    SELECT * INTO z FROM mountaineer.dns_zone WHERE name = mountaineer.reverse_zone(prefix);
    RETURN z;
END
$$;
COMMENT ON FUNCTION mountaineer.dns_zone_for_prefix(cidr) IS
    'Editor: the reverse zone of the prefix (reverse_zone(): whole octets or nibbles, so 10.1.16.0/20 gets 1.10.in-addr.arpa), created with the default SOA fields when there is none yet.';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_zone_for_prefix(cidr) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.dns_zone_for_prefix(cidr) TO mountaineer_editor;

--------------------------------------------------------------------------
-- Triggers: manual records
--------------------------------------------------------------------------
-- TXT data in PowerDNS's form: one or more quoted strings of at most 255
-- characters.  Unquoted text is quoted (and cut) here.
CREATE FUNCTION mountaineer.dns_txt(content text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
RETURN CASE
    WHEN content ~ '^"' THEN content
    ELSE (SELECT string_agg('"' || replace(replace(substr(content, i, 255), '\', '\\'), '"', '\"') || '"', ' ' ORDER BY i)
            FROM generate_series(1, greatest(length(content), 1), 255) i)
END;
COMMENT ON FUNCTION mountaineer.dns_txt(text) IS
    'TXT data as PowerDNS stores it: text already in quotes is kept, other text is quoted (" and \ escaped) in strings of at most 255 characters.';

CREATE FUNCTION mountaineer.dns_record_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    zone  text;
    c     text := NEW.content;
    parts text[];
    addr  inet;
    fam   int;
BEGIN
    -- FOR SHARE: a rename of the zone waits for this record (and then
    -- rewrites its fqdn), or this reads the new name
    SELECT z.name INTO zone FROM mountaineer.dns_zone z WHERE z.id = NEW.zone_id FOR SHARE;
    IF NOT FOUND THEN
        NEW.fqdn := '?';                    -- the foreign key says which zone is missing
        RETURN NEW;
    END IF;
    IF NEW.name = '@' THEN
        NEW.fqdn := zone;
    ELSIF right(NEW.name, 1) = '.' THEN
        NEW.fqdn := mountaineer.dns_name(NEW.name, 'record name', true);
        IF NEW.fqdn <> zone AND right(NEW.fqdn, length(zone) + 1) <> '.' || zone THEN
            RAISE EXCEPTION 'record name % lies outside zone %', mountaineer.excerpt(NEW.name), zone
                USING ERRCODE = 'check_violation',
                      HINT = 'Write a name relative to the zone (www), or an absolute one ending in the zone''s name and a dot.';
        END IF;
    ELSE
        NEW.fqdn := mountaineer.dns_name(NEW.name || '.' || zone, 'record name', true);
    END IF;
    IF NEW.ttl NOT BETWEEN 0 AND 2147483647 THEN
        RAISE EXCEPTION 'TTL % of record % is out of range 0..2147483647', NEW.ttl, NEW.fqdn
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NEW.priority NOT BETWEEN 0 AND 65535 THEN
        RAISE EXCEPTION 'priority % of record % is out of range 0..65535', NEW.priority, NEW.fqdn
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    CASE NEW.type
    WHEN 'A', 'AAAA' THEN
        BEGIN
            addr := c::inet;
        EXCEPTION WHEN invalid_text_representation THEN
            addr := NULL;
        END;
        fam := CASE NEW.type WHEN 'A' THEN 4 ELSE 6 END;
        IF addr IS NULL OR family(addr) <> fam OR masklen(addr) <> (CASE fam WHEN 4 THEN 32 ELSE 128 END) THEN
            RAISE EXCEPTION 'content % of % record % is not an IPv% address', mountaineer.excerpt(c), NEW.type, NEW.fqdn, fam
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        c := host(addr);
    WHEN 'CNAME', 'NS', 'PTR', 'MX' THEN
        c := mountaineer.dns_name(c, format('target of %s record %s:', NEW.type, NEW.fqdn));
    WHEN 'SRV' THEN
        parts := regexp_match(c, '^([0-9]{1,5}) ([0-9]{1,5}) (\S+)$');
        IF parts IS NULL OR parts[1]::int > 65535 OR parts[2]::int > 65535 THEN
            RAISE EXCEPTION 'content % of SRV record % is not "weight port target"', mountaineer.excerpt(c), NEW.fqdn
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Weight and port are 0..65535, the target a domain name (or . for none); the priority is a column of its own.';
        END IF;
        c := format('%s %s %s', parts[1]::int, parts[2]::int,
                    CASE WHEN parts[3] = '.' THEN '.' ELSE mountaineer.dns_name(parts[3], format('target of SRV record %s:', NEW.fqdn)) END);
    WHEN 'TXT' THEN
        c := mountaineer.dns_txt(c);
        IF c !~ '^"([^"\\]|\\.)*"( "([^"\\]|\\.)*")*$' OR c ~ '[\x01-\x1f\x7f]' THEN
            RAISE EXCEPTION 'content % of TXT record % is not text in quoted strings', mountaineer.excerpt(NEW.content), NEW.fqdn
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Write plain text (it is quoted for you), or quoted strings with " and \ escaped; no control characters.';
        END IF;
    WHEN 'CAA' THEN
        parts := regexp_match(c, '^([0-9]{1,3}) ([a-z0-9]{1,15}) ("([^"\\]|\\.)*")$', 'i');
        IF parts IS NULL OR parts[1]::int > 255 THEN
            RAISE EXCEPTION 'content % of CAA record % is not "flags tag \"value\""', mountaineer.excerpt(c), NEW.fqdn
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'e.g. 0 issue "letsencrypt.org": flags 0..255, a tag of letters and digits, a quoted value.';
        END IF;
        c := format('%s %s %s', parts[1]::int, lower(parts[2]), parts[3]);
    END CASE;
    NEW.content := c;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.dns_record_check() IS
    'Trigger: derives fqdn from the name and the zone (23514 for an absolute name outside the zone, 22023 for one that is not a domain name), checks ttl and priority ranges and the content of the type (22023 naming it) and stores the content in PowerDNS''s form.';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_record_check() FROM PUBLIC;
CREATE TRIGGER check_record BEFORE INSERT OR UPDATE ON mountaineer.dns_record
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.dns_record')) EXECUTE FUNCTION mountaineer.dns_record_check();

-- The scopes of some manual records (old and new rows alike): their
-- names, or the addresses of A, AAAA and PTR records.
CREATE FUNCTION mountaineer.dns_sync_records(fqdns text[], types text[], contents text[]) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    addrs cidr[];
    names text[];
BEGIN
    SELECT array_agg(DISTINCT CASE WHEN r.type = 'PTR' THEN mountaineer.dns_ptr_address(r.fqdn) ELSE r.content::inet END::cidr)
               FILTER (WHERE mountaineer.dns_address_scoped(r.fqdn, r.type)),
           array_agg(DISTINCT r.fqdn) FILTER (WHERE NOT mountaineer.dns_address_scoped(r.fqdn, r.type))
      INTO addrs, names
      FROM unnest(fqdns, types, contents) r(fqdn, type, content);
    PERFORM mountaineer.dns_sync_addresses(addrs);
    PERFORM mountaineer.dns_sync_names(names);
END
$$;
COMMENT ON FUNCTION mountaineer.dns_sync_records(text[], text[], text[]) IS
    'Internal: rewrites in pdns.records the scopes of the manual records given as (fqdn, type, content).';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_sync_records(text[], text[], text[]) FROM PUBLIC;

CREATE FUNCTION mountaineer.dns_record_sync_insert() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;                        -- restored records come with their pdns rows
    END IF;
    PERFORM mountaineer.dns_sync_records(array_agg(n.fqdn), array_agg(n.type::text), array_agg(n.content)) FROM new_rows n;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.dns_record_sync_insert() IS 'Trigger (AFTER INSERT, per statement): writes the new manual records'' scopes in pdns.records.';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_record_sync_insert() FROM PUBLIC;

CREATE FUNCTION mountaineer.dns_record_sync_update() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM mountaineer.dns_sync_records(array_agg(r.fqdn), array_agg(r.type), array_agg(r.content))
       FROM (SELECT o.fqdn, o.type::text AS type, o.content FROM old_rows o
             UNION SELECT n.fqdn, n.type::text, n.content FROM new_rows n) r;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.dns_record_sync_update() IS 'Trigger (AFTER UPDATE, per statement): rewrites the old and new scopes of the changed manual records in pdns.records.';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_record_sync_update() FROM PUBLIC;

CREATE FUNCTION mountaineer.dns_record_sync_delete() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM mountaineer.dns_sync_records(array_agg(o.fqdn), array_agg(o.type::text), array_agg(o.content)) FROM old_rows o;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.dns_record_sync_delete() IS 'Trigger (AFTER DELETE, per statement): removes the deleted manual records from pdns.records.';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_record_sync_delete() FROM PUBLIC;

CREATE TRIGGER sync_pdns_insert AFTER INSERT ON mountaineer.dns_record
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.dns_record_sync_insert();
CREATE TRIGGER sync_pdns_update AFTER UPDATE ON mountaineer.dns_record
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.dns_record_sync_update();
CREATE TRIGGER sync_pdns_delete AFTER DELETE ON mountaineer.dns_record
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.dns_record_sync_delete();

--------------------------------------------------------------------------
-- Triggers: addresses and hosts (of mountaineer_networks and
-- mountaineer_hosts; they are this extension's, and go with it)
--------------------------------------------------------------------------
CREATE FUNCTION mountaineer.dns_address_sync_insert() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;                        -- restored addresses come with their pdns rows
    END IF;
    -- only addresses that yield records
    PERFORM mountaineer.dns_sync_addresses(array_agg(n.host_addr))
       FROM new_rows n WHERE n.dns_name IS NOT NULL OR n.canonical;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.dns_address_sync_insert() IS
    'Trigger (AFTER INSERT on ip_address, per statement): writes the A/AAAA and PTR records of the new addresses that have a dns_name or are canonical.';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_address_sync_insert() FROM PUBLIC;

CREATE FUNCTION mountaineer.dns_address_sync_update() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- only rows whose records may change (a new mask alone changes none)
    PERFORM mountaineer.dns_sync_addresses(array_agg(a))
       FROM old_rows o JOIN new_rows n ON n.id = o.id
      CROSS JOIN LATERAL (VALUES (o.host_addr), (n.host_addr)) x(a)
      WHERE (n.host_addr, n.dns_name, n.canonical, n.host_id) IS DISTINCT FROM (o.host_addr, o.dns_name, o.canonical, o.host_id)
        AND (o.dns_name IS NOT NULL OR o.canonical OR n.dns_name IS NOT NULL OR n.canonical);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.dns_address_sync_update() IS
    'Trigger (AFTER UPDATE on ip_address, per statement): rewrites the records of the old and new addresses of rows whose address, dns_name, canonical flag or host changed.';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_address_sync_update() FROM PUBLIC;

CREATE FUNCTION mountaineer.dns_address_sync_delete() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM mountaineer.dns_sync_addresses(array_agg(o.host_addr))
       FROM old_rows o WHERE o.dns_name IS NOT NULL OR o.canonical;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.dns_address_sync_delete() IS
    'Trigger (AFTER DELETE on ip_address, per statement): removes the records of the deleted addresses (those another address or a manual record still yields stay).';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_address_sync_delete() FROM PUBLIC;

CREATE TRIGGER dns_sync_pdns_insert AFTER INSERT ON mountaineer.ip_address
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.dns_address_sync_insert();
CREATE TRIGGER dns_sync_pdns_update AFTER UPDATE ON mountaineer.ip_address
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.dns_address_sync_update();
CREATE TRIGGER dns_sync_pdns_delete AFTER DELETE ON mountaineer.ip_address
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.dns_address_sync_delete();

CREATE FUNCTION mountaineer.dns_host_sync_update() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- a renamed host's canonical address without a dns_name
    PERFORM mountaineer.dns_sync_addresses(array_agg(i.host_addr))
       FROM old_rows o JOIN new_rows n ON n.id = o.id
       JOIN mountaineer.ip_address i ON i.host_id = n.id AND i.canonical AND i.dns_name IS NULL
      WHERE n.hostname <> o.hostname;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.dns_host_sync_update() IS
    'Trigger (AFTER UPDATE on host, per statement): a renamed host''s canonical address (without a dns_name of its own) gets its records under the new name.';
REVOKE EXECUTE ON FUNCTION mountaineer.dns_host_sync_update() FROM PUBLIC;
CREATE TRIGGER dns_sync_pdns_update AFTER UPDATE ON mountaineer.host
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.dns_host_sync_update();

--------------------------------------------------------------------------
-- Allocation with a name
--------------------------------------------------------------------------
CREATE FUNCTION mountaineer.allocate_named_ip(prefix cidr, host_id uuid, dns_name text, vrf_id uuid DEFAULT NULL)
    RETURNS mountaineer.ip_address
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r mountaineer.ip_address;
BEGIN
    r := mountaineer.allocate_ip($1, $2, $4);
    UPDATE mountaineer.ip_address a SET dns_name = $3 WHERE a.id = r.id RETURNING a.* INTO r;
    RETURN r;
END
$$;
COMMENT ON FUNCTION mountaineer.allocate_named_ip(cidr, uuid, text, uuid) IS
    'Editor: allocate_ip() with a dns_name: the lowest free address of the prefix for the host, named, with its A/AAAA and PTR records in pdns in the same transaction; returns the row.';
REVOKE EXECUTE ON FUNCTION mountaineer.allocate_named_ip(cidr, uuid, text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.allocate_named_ip(cidr, uuid, text, uuid) TO mountaineer_editor;

-- the derived tables are written only by the triggers above
GRANT SELECT ON mountaineer.dns_address_name, mountaineer.dns_address_record, mountaineer.dns_expected TO mountaineer_reader;

-- == tags and attributes (1.1) ==
-- tags and attributes on every inventory table
-- (mountaineer.manage_attributes, core 1.5); exempt: the pdns.* tables
-- (derived: PowerDNS's copy, kept by triggers); dns_record holds only records
-- written by hand, so it is tagged like any inventory row.
SELECT mountaineer.manage_attributes('mountaineer.dns_zone');
SELECT mountaineer.manage_attributes('mountaineer.dns_record');
-- End: tags and attributes (1.1)
