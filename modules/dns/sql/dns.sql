-- mountaineer_dns: zones, records and what pdns.records holds, with every
-- refusal's exact message.
SET search_path = mountaineer, public;
SET client_min_messages = warning;
\set VERBOSITY default
\set SHOW_CONTEXT never
INSERT INTO environment (name) VALUES ('rg');
INSERT INTO cluster (name, kind) VALUES ('rgc', 'kvm');
INSERT INTO host (hostname, environment_id, cluster_id)
SELECT 'vm1.rg.example', e.id, c.id FROM environment e, cluster c WHERE e.name = 'rg' AND c.name = 'rgc';
INSERT INTO prefix (prefix) VALUES ('203.0.113.0/24');

-- zones: names normalized, defaults, kind from the name
INSERT INTO dns_zone (name, primary_ns) VALUES ('RG.Example.', 'ns1.rg.example');
SELECT name, kind, primary_ns, hostmaster, refresh, retry, expire, minimum, ttl FROM dns_zone ORDER BY name;
SELECT (dns_zone_for_prefix('203.0.113.128/25')).name;
SELECT (dns_zone_for_prefix('2001:db8:abc::/46')).name;
SELECT name, kind FROM dns_zone ORDER BY kind, name;
INSERT INTO dns_zone (name) VALUES ('not a zone');
INSERT INTO dns_zone (name) VALUES (repeat('a', 300) || '.example');
INSERT INTO dns_zone (name, hostmaster) VALUES ('h.example', 'me@example.net');
INSERT INTO dns_zone (name, expire) VALUES ('h.example', 0);

-- manual records in their forms
INSERT INTO dns_record (zone_id, name, type, content, priority)
SELECT z.id, v.name, v.type::dns_record_type, v.content, v.priority FROM dns_zone z,
    (VALUES ('@', 'NS', 'NS1.rg.example.', NULL), ('ns1', 'A', '203.0.113.53', NULL), ('v6', 'AAAA', '2001:DB8:abc::0001', NULL),
            ('@', 'MX', 'mx.rg.example', 5), ('alias', 'CNAME', 'vm1.rg.example.', NULL),
            ('_ldap._tcp.rg.example.', 'SRV', '0 389 ldap.rg.example.', 10), ('@', 'TXT', 'a "quoted" word', NULL),
            ('@', 'CAA', '0 IODEF "mailto:sec@rg.example"', NULL), ('*', 'TXT', '"wild"', NULL)) v(name, type, content, priority)
WHERE z.name = 'rg.example';
SELECT name, fqdn, type, content, ttl, priority FROM dns_record ORDER BY fqdn, type;
-- refusals, each naming the value
INSERT INTO dns_record (zone_id, name, type, content) SELECT id, 'bad..name', 'A', '203.0.113.1' FROM dns_zone WHERE name = 'rg.example';
INSERT INTO dns_record (zone_id, name, type, content) SELECT id, 'www.example.com.', 'A', '203.0.113.1' FROM dns_zone WHERE name = 'rg.example';
INSERT INTO dns_record (zone_id, name, type, content) SELECT id, 'a', 'A', 'not-an-address' FROM dns_zone WHERE name = 'rg.example';
INSERT INTO dns_record (zone_id, name, type, content) SELECT id, 'a', 'A', '203.0.113.0/24' FROM dns_zone WHERE name = 'rg.example';
INSERT INTO dns_record (zone_id, name, type, content) SELECT id, 'a', 'CNAME', 'under_score.example' FROM dns_zone WHERE name = 'rg.example';
INSERT INTO dns_record (zone_id, name, type, content) SELECT id, 'a', 'TXT', E'tab\there' FROM dns_zone WHERE name = 'rg.example';
INSERT INTO dns_record (zone_id, name, type, content) SELECT id, 'a', 'TXT', '"unclosed' FROM dns_zone WHERE name = 'rg.example';
INSERT INTO dns_record (zone_id, name, type, content, priority) SELECT id, 'a', 'MX', 'mx.rg.example', 70000 FROM dns_zone WHERE name = 'rg.example';
\set VERBOSITY terse
INSERT INTO dns_record (zone_id, name, type, content, priority) SELECT id, 'a', 'TXT', 'x', 1 FROM dns_zone WHERE name = 'rg.example';
\set VERBOSITY default
INSERT INTO dns_record (zone_id, name, type, content) SELECT id, '@', 'CNAME', 'elsewhere.example' FROM dns_zone WHERE name = 'rg.example';
INSERT INTO dns_record (zone_id, name, type, content) SELECT id, 'alias', 'TXT', 'x' FROM dns_zone WHERE name = 'rg.example';
INSERT INTO dns_record (zone_id, name, type, content) VALUES ('00000000-0000-0000-0000-000000000000', 'a', 'TXT', 'x');

-- derived records: an address with a dns_name, a canonical address
SELECT (allocate_named_ip('203.0.113.0/24', id, 'svc.rg.example')).address FROM host WHERE hostname = 'vm1.rg.example';
SELECT (allocate_ip('203.0.113.0/24', id, NULL, true)).address FROM host WHERE hostname = 'vm1.rg.example';
SELECT r.name, r.type, r.content, r.ttl, d.name AS zone FROM pdns.records r JOIN pdns.domains d ON d.id = r.domain_id
 WHERE r.type IN ('A', 'AAAA', 'PTR') ORDER BY r.type, r.name;
INSERT INTO ip_address (address, dns_name) VALUES ('203.0.113.77', 'alias.rg.example');
UPDATE ip_address SET dns_name = 'not valid' WHERE dns_name = 'svc.rg.example';
SELECT * FROM dns_verify();
-- a reader reads; an editor writes; PowerDNS's login reads and writes notified_serial alone
SET ROLE mountaineer_reader;
SELECT count(*) > 0 AS reader_reads FROM pdns.records;
INSERT INTO dns_zone (name) VALUES ('r.example');
RESET ROLE;
SET ROLE mountaineer_pdns;
SET search_path = pdns;                 -- what its login gets (ALTER ROLE ... SET)
SELECT count(*) > 0 AS pdns_reads FROM records;
UPDATE domains SET notified_serial = 1 WHERE name = 'rg.example';
UPDATE domains SET type = 'NATIVE' WHERE name = 'rg.example';
DELETE FROM records;
SELECT * FROM mountaineer.dns_record;
RESET ROLE;
SET search_path = mountaineer, public;
SELECT dns_rebuild() > 0 AS rebuilt;
SET ROLE mountaineer_editor;
SELECT dns_rebuild();
RESET ROLE;

-- clean up (the isolation specs run in this database next)
DELETE FROM ip_address WHERE host_addr <<= '203.0.113.0/24';
DELETE FROM dns_zone;
SELECT count(*) AS records_left FROM pdns.records;
SELECT count(*) AS domains_left FROM pdns.domains;
