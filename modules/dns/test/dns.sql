-- mountaineer_dns: zones and their SOA and serial, manual records and their
-- checks, records derived from addresses and hosts kept in step in
-- pdns.records (against dns_verify's recomputation), the CNAME rule, bad
-- input refused naming it, and who may do what.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(108);

INSERT INTO environment (name) VALUES ('dnsenv');
INSERT INTO cluster (name, kind) VALUES ('dnscl', 'kvm');
INSERT INTO host (hostname, environment_id, cluster_id)
SELECT h, e.id, c.id FROM environment e, cluster c, (VALUES ('d1.dnst.example'), ('d2.dnst.example')) v(h)
WHERE e.name = 'dnsenv' AND c.name = 'dnscl';
INSERT INTO prefix (prefix) VALUES ('198.51.100.0/24'), ('2001:db8:77::/64');
CREATE TEMP TABLE k AS SELECT (SELECT id FROM host WHERE hostname = 'd1.dnst.example') AS d1,
                              (SELECT id FROM host WHERE hostname = 'd2.dnst.example') AS d2;
GRANT SELECT ON k TO PUBLIC;
CREATE TEMP VIEW rr AS
    SELECT r.name::text, r.type::text, r.content::text FROM pdns.records r WHERE r.name LIKE '%dnst.example' OR r.name LIKE '%.100.51.198.in-addr.arpa'
        OR r.name LIKE '%.7.7.0.0.8.b.d.0.1.0.0.2.ip6.arpa';
GRANT SELECT ON rr TO PUBLIC;

-- helpers
SELECT is(dns_suffixes('a.b.c'), '{a.b.c,b.c,c}', 'dns_suffixes lists a name and the names it lies in');
SELECT is(dns_ptr_address('5.0.0.10.in-addr.arpa'), '10.0.0.5'::inet, 'dns_ptr_address inverts ptr_name (IPv4)');
SELECT is(dns_ptr_address(ptr_name('2001:db8::1')), '2001:db8::1'::inet, 'dns_ptr_address inverts ptr_name (IPv6)');
SELECT is(dns_ptr_address('0.10.in-addr.arpa'), NULL, 'a reverse zone name is no address');
SELECT is(dns_next_serial(2026120299, '2026-12-02'), 2026120300::bigint, 'the serial keeps rising past nn = 99');
SELECT is(dns_next_serial(2025010105, '2026-12-02'), 2026120200::bigint, 'on a new day the serial jumps to YYYYMMDD00');
SELECT is(dns_next_serial(2026120305, '2026-12-02'), 2026120306::bigint, 'a serial ahead of today just rises');
SELECT is(dns_txt('say "hi"'), '"say \"hi\""', 'plain TXT text is quoted');
SELECT is(dns_txt(repeat('x', 300)), '"' || repeat('x', 255) || '" "' || repeat('x', 45) || '"', 'long TXT text is cut into 255-character strings');
SELECT ok(is_valid_domain_name('_sip._tcp.example.net', true) AND NOT is_valid_domain_name('_sip._tcp.example.net'),
          'an owner name may have _labels, a zone name may not');

-- zones
INSERT INTO dns_zone (name, primary_ns, hostmaster) VALUES ('DNST.Example.', 'ns1.dnst.example', NULL);
SELECT results_eq($$SELECT name, kind, hostmaster, refresh, retry, expire, minimum, ttl FROM dns_zone WHERE name = 'dnst.example'$$,
    $$VALUES ('dnst.example', 'forward', 'hostmaster.dnst.example', 10800, 3600, 604800, 3600, 3600)$$,
    'a zone name is stored lower case without its dot; the SOA fields take their defaults');
SELECT is((SELECT serial FROM dns_zone WHERE name = 'dnst.example'),
          to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD')::bigint * 100, 'a new zone starts at today''s YYYYMMDD00');
SELECT is((SELECT content::text FROM pdns.records WHERE name = 'dnst.example' AND type = 'SOA'),
          (SELECT format('ns1.dnst.example hostmaster.dnst.example %s 10800 3600 604800 3600', serial) FROM dns_zone WHERE name = 'dnst.example'),
          'its SOA record is in pdns.records');
SELECT is((SELECT type FROM pdns.domains WHERE name = 'dnst.example'), 'MASTER', 'and its domain in pdns.domains');
SELECT is((dns_zone_for_prefix('198.51.100.0/25')).name, '100.51.198.in-addr.arpa', 'dns_zone_for_prefix: the enclosing octet zone');
SELECT is((dns_zone_for_prefix('198.51.100.0/24')).kind, 'reverse', 'the same zone again, of kind reverse');
SELECT is((dns_zone_for_prefix('2001:db8:77::/50')).name, '7.7.0.0.8.b.d.0.1.0.0.2.ip6.arpa', 'and the enclosing nibble zone of IPv6');
SELECT is((dns_zone_for_prefix('10.1.16.0/20')).name, '1.10.in-addr.arpa', 'a /20 gets its enclosing /16 zone (README''s example)');
SELECT is((dns_zone_for_prefix('2001:db8::/47')).name, '0.0.0.8.b.d.0.1.0.0.2.ip6.arpa', 'an IPv6 /47 gets its enclosing /44 zone');
SELECT is((dns_zone_for_prefix('10.1.2.3/32')).name, '3.2.1.10.in-addr.arpa', 'a host prefix gets the zone of its whole address');
DELETE FROM dns_zone WHERE name IN ('1.10.in-addr.arpa', '0.0.0.8.b.d.0.1.0.0.2.ip6.arpa', '3.2.1.10.in-addr.arpa');
SELECT is((SELECT count(*) FROM dns_zone WHERE name = '100.51.198.in-addr.arpa'), 1::bigint, 'made once');
SELECT is((SELECT primary_ns FROM dns_zone WHERE name = '100.51.198.in-addr.arpa'),
          (SELECT primary_ns FROM dns_zone WHERE kind = 'forward' ORDER BY name LIMIT 1), 'a new zone takes the first forward zone''s primary name server');

SELECT throws_ok($$INSERT INTO dns_zone (name) VALUES ('bad_zone.example')$$, '22023', 'invalid zone name "bad_zone.example"',
    'a zone name that is not a domain name is refused naming it');
SELECT throws_ok($$INSERT INTO dns_zone (name, primary_ns) VALUES ('z.example', 'ns 1')$$, '22023', 'invalid primary name server "ns 1"',
    'so is a primary name server that is not one');
SELECT throws_ok($$INSERT INTO dns_zone (name, refresh) VALUES ('z.example', 0)$$, '22023',
    'SOA refresh 0 of zone z.example is out of range 1..2147483647', 'an SOA refresh of 0 is refused naming it');
SELECT throws_ok($$INSERT INTO dns_zone (name, retry) VALUES ('z.example', -3)$$, '22023',
    'SOA retry -3 of zone z.example is out of range 1..2147483647', 'so is a retry below 1');
SELECT throws_ok($$INSERT INTO dns_zone (name, expire) VALUES ('z.example', 0)$$, '22023',
    'SOA expire 0 of zone z.example is out of range 1..2147483647', 'an expire below 1');
SELECT throws_ok($$INSERT INTO dns_zone (name, minimum) VALUES ('z.example', -1)$$, '22023',
    'SOA minimum -1 of zone z.example is out of range 0..2147483647', 'a negative minimum');
SELECT throws_ok($$INSERT INTO dns_zone (name, ttl) VALUES ('z.example', -1)$$, '22023',
    'SOA ttl -1 of zone z.example is out of range 0..2147483647', 'and a negative zone ttl');
SELECT throws_ok($$UPDATE dns_zone SET ttl = -60 WHERE name = 'dnst.example'$$, '22023',
    'SOA ttl -60 of zone dnst.example is out of range 0..2147483647', 'also when a zone is changed');
SELECT lives_ok($$INSERT INTO dns_zone (name, minimum, ttl) VALUES ('zero.example', 0, 0); DELETE FROM dns_zone WHERE name = 'zero.example'$$,
    'a minimum and ttl of 0 are taken');
SELECT throws_ok($$INSERT INTO dns_zone (name, refresh) VALUES ('z.example', NULL)$$, '23502', NULL, 'an SOA time is never NULL');
SELECT throws_ok($$INSERT INTO dns_zone (name) VALUES ('dnst.example')$$, '23505',
    'duplicate key value violates unique constraint "dns_zone_name_key"', 'zone names are unique');
SELECT throws_ok($$INSERT INTO dns_zone (name) VALUES ('DNST.example.')$$, '23505',
    'duplicate key value violates unique constraint "dns_zone_name_key"', 'also when written in capitals with a dot');
SELECT throws_ok($$UPDATE dns_zone SET serial = serial - 1 WHERE name = 'dnst.example'$$, '23514',
    format('the serial of zone dnst.example cannot go down from %s to %s', (SELECT serial FROM dns_zone WHERE name = 'dnst.example'),
           (SELECT serial - 1 FROM dns_zone WHERE name = 'dnst.example')),
    'a serial never goes down');
CREATE TEMP TABLE s0 AS SELECT serial FROM dns_zone WHERE name = 'dnst.example';
UPDATE dns_zone SET refresh = 7200 WHERE name = 'dnst.example';
SELECT ok((SELECT serial FROM dns_zone WHERE name = 'dnst.example') > (SELECT serial FROM s0)
          AND (SELECT content::text FROM pdns.records WHERE name = 'dnst.example' AND type = 'SOA') LIKE '% 7200 3600 604800 3600',
          'an SOA field changed raises the serial and rewrites the SOA record');

-- derived records
CREATE TEMP TABLE s1 AS SELECT name, serial FROM dns_zone;
SELECT is((allocate_named_ip('198.51.100.0/24', (SELECT d1 FROM k), 'App1.DNST.example')).dns_name, 'app1.dnst.example',
          'allocate_named_ip assigns an address with a dns_name');
SELECT set_eq($$SELECT * FROM rr WHERE name IN ('app1.dnst.example', '1.100.51.198.in-addr.arpa')$$,
    $$VALUES ('app1.dnst.example', 'A', '198.51.100.1'), ('1.100.51.198.in-addr.arpa', 'PTR', 'app1.dnst.example')$$,
    'its A and PTR records are in pdns.records');
SELECT ok((SELECT bool_and(z.serial > s1.serial) FROM dns_zone z JOIN s1 USING (name)
            WHERE name IN ('dnst.example', '100.51.198.in-addr.arpa')), 'both zones'' serials rose');
SELECT ok((SELECT bool_and(z.serial = s1.serial) FROM dns_zone z JOIN s1 USING (name)
            WHERE name = '7.7.0.0.8.b.d.0.1.0.0.2.ip6.arpa'), 'a zone whose records did not change keeps its serial');
CREATE TEMP TABLE s2 AS SELECT name, serial FROM dns_zone;
SELECT throws_ok($$SELECT allocate_named_ip('198.51.100.0/24', (SELECT d1 FROM k), 'bad name.dnst.example')$$, '22023', 'invalid hostname "bad name.dnst.example"',
    'allocate_named_ip with a name that is not a domain name is refused');
SELECT ok(NOT EXISTS (SELECT FROM ip_address WHERE host_addr = '198.51.100.2') AND (SELECT count(*) FROM ip_address WHERE host_addr <<= '198.51.100.0/24') = 1
          AND (SELECT bool_and(z.serial = s2.serial) FROM dns_zone z JOIN s2 USING (name)), 'and nothing of it is written: no address, no serial raised');
SELECT allocate_ip('2001:db8:77::/64', (SELECT d2 FROM k), NULL, true) IS NOT NULL AS allocated \gset
SELECT set_eq($$SELECT * FROM rr WHERE name = 'd2.dnst.example' OR content = 'd2.dnst.example'$$,
    $$VALUES ('d2.dnst.example', 'AAAA', '2001:db8:77::1'), (ptr_name('2001:db8:77::1'), 'PTR', 'd2.dnst.example')$$,
    'a canonical address without a dns_name yields records for its host''s hostname');
UPDATE host SET hostname = 'd2b.dnst.example' WHERE hostname = 'd2.dnst.example';
SELECT set_eq($$SELECT * FROM rr WHERE name LIKE 'd2%' OR content LIKE 'd2%'$$,
    $$VALUES ('d2b.dnst.example', 'AAAA', '2001:db8:77::1'), (ptr_name('2001:db8:77::1'), 'PTR', 'd2b.dnst.example')$$,
    'renaming the host renames its records');
SELECT ok((SELECT bool_and(z.serial > s1.serial) FROM dns_zone z JOIN s1 USING (name)
            WHERE name IN ('dnst.example', '7.7.0.0.8.b.d.0.1.0.0.2.ip6.arpa')), 'and raises the serials of its forward and reverse zones');
UPDATE ip_address SET dns_name = 'app9.dnst.example' WHERE dns_name = 'app1.dnst.example';
SELECT set_eq($$SELECT * FROM rr WHERE name IN ('app1.dnst.example', 'app9.dnst.example', '1.100.51.198.in-addr.arpa')$$,
    $$VALUES ('app9.dnst.example', 'A', '198.51.100.1'), ('1.100.51.198.in-addr.arpa', 'PTR', 'app9.dnst.example')$$,
    'changing a dns_name moves its records');
UPDATE ip_address SET address = '198.51.100.7' WHERE dns_name = 'app9.dnst.example';
SELECT set_eq($$SELECT * FROM rr WHERE name IN ('app9.dnst.example') OR content = 'app9.dnst.example'$$,
    $$VALUES ('app9.dnst.example', 'A', '198.51.100.7'), ('7.100.51.198.in-addr.arpa', 'PTR', 'app9.dnst.example')$$,
    'changing the address moves them too');
INSERT INTO ip_address (address, dns_name) VALUES ('203.0.113.9', 'lone.nowhere.example');
SELECT is((SELECT count(*) FROM pdns.records WHERE name = 'lone.nowhere.example' OR content = '203.0.113.9'), 0::bigint,
          'a name and an address no zone holds yield no record');
INSERT INTO dns_zone (name) VALUES ('nowhere.example');
SELECT is((SELECT count(*) FROM pdns.records WHERE name = 'lone.nowhere.example'), 1::bigint, 'a new zone takes the records of its names');
INSERT INTO dns_zone (name) VALUES ('sub.dnst.example');
UPDATE ip_address SET dns_name = 'x.sub.dnst.example' WHERE dns_name = 'app9.dnst.example';
SELECT is((SELECT d.name::text FROM pdns.records r JOIN pdns.domains d ON d.id = r.domain_id WHERE r.name = 'x.sub.dnst.example'),
          'sub.dnst.example', 'a record goes to the zone that is the longest suffix of its name');
DELETE FROM dns_zone WHERE name = 'sub.dnst.example';
SELECT is((SELECT d.name::text FROM pdns.records r JOIN pdns.domains d ON d.id = r.domain_id WHERE r.name = 'x.sub.dnst.example'),
          'dnst.example', 'deleting that zone gives its records back to the zone around it');
UPDATE dns_zone SET ttl = 600 WHERE name = 'dnst.example';
SELECT is((SELECT ttl FROM pdns.records WHERE name = 'x.sub.dnst.example'), 600, 'a zone''s new ttl reaches its records');
-- two VRFs, one address and name: one record, which stays while either holds it
INSERT INTO vrf (name) VALUES ('dnsvrf');
INSERT INTO ip_address (vrf_id, address, dns_name) SELECT id, '198.51.100.7', 'x.sub.dnst.example' FROM vrf WHERE name = 'dnsvrf';
SELECT is((SELECT count(*) FROM pdns.records WHERE name = 'x.sub.dnst.example'), 1::bigint, 'the same address and name in two VRFs is one record');
DELETE FROM ip_address WHERE vrf_id IS NULL AND dns_name = 'x.sub.dnst.example';
SELECT is((SELECT count(*) FROM pdns.records WHERE name = 'x.sub.dnst.example'), 1::bigint, 'which stays while one of them is there');
DELETE FROM ip_address WHERE dns_name = 'x.sub.dnst.example';
SELECT is((SELECT count(*) FROM pdns.records WHERE name = 'x.sub.dnst.example' OR content = 'x.sub.dnst.example'), 0::bigint,
          'and goes with the last');

-- manual records
INSERT INTO dns_record (zone_id, name, type, content, priority)
SELECT id, n, t::dns_record_type, c, p FROM dns_zone,
    (VALUES ('@', 'NS', 'ns1.dnst.example.', NULL), ('@', 'MX', 'Mail.dnst.example.', 10), ('www', 'CNAME', 'app9.dnst.example', NULL),
            ('_sip._tcp', 'SRV', '5 5060 sip.dnst.example.', 1), ('@', 'TXT', 'v=spf1 -all', NULL), ('@', 'CAA', '0 ISSUE "ca.example"', NULL),
            ('ns1.dnst.example.', 'A', '198.51.100.53', NULL)) v(n, t, c, p)
WHERE name = 'dnst.example';
SELECT set_eq($$SELECT r.name, r.type, r.content FROM rr r WHERE r.type NOT IN ('SOA', 'A', 'AAAA', 'PTR')$$,
    $$VALUES ('dnst.example', 'NS', 'ns1.dnst.example'), ('dnst.example', 'MX', 'mail.dnst.example'), ('www.dnst.example', 'CNAME', 'app9.dnst.example'),
             ('_sip._tcp.dnst.example', 'SRV', '5 5060 sip.dnst.example'), ('dnst.example', 'TXT', '"v=spf1 -all"'),
             ('dnst.example', 'CAA', '0 issue "ca.example"')$$,
    'manual records are in pdns.records, in PowerDNS''s form');
SELECT is((SELECT prio FROM pdns.records WHERE name = 'dnst.example' AND type = 'MX'), 10, 'an MX keeps its priority');
SELECT throws_ok($$INSERT INTO ip_address (address, dns_name) VALUES ('198.51.100.8', 'www.dnst.example')$$, '23514',
    'CNAME www.dnst.example -> app9.dnst.example cannot coexist with A 198.51.100.8 at the same name',
    'an address named like a CNAME is refused naming both');
SELECT throws_ok($$INSERT INTO dns_record (zone_id, name, type, content) SELECT id, 'www', 'TXT', 'x' FROM dns_zone WHERE name = 'dnst.example'$$,
    '23514', 'CNAME www.dnst.example -> app9.dnst.example cannot coexist with TXT "x" at the same name', 'so is other data at a CNAME''s name');
SELECT throws_ok($$INSERT INTO dns_record (zone_id, name, type, content) SELECT id, 'ns1', 'CNAME', 'x.example' FROM dns_zone WHERE name = 'dnst.example'$$,
    '23514', 'CNAME ns1.dnst.example -> x.example cannot coexist with A 198.51.100.53 at the same name', 'and a CNAME where other data is');
SELECT throws_ok($$INSERT INTO dns_record (zone_id, name, type, content) SELECT id, 'x.other.example.', 'A', '192.0.2.1' FROM dns_zone WHERE name = 'dnst.example'$$,
    '23514', 'record name "x.other.example." lies outside zone dnst.example', 'a record outside its zone is refused');
SELECT throws_ok($$INSERT INTO dns_record (zone_id, name, type, content) SELECT id, 'bad name', 'A', '192.0.2.1' FROM dns_zone WHERE name = 'dnst.example'$$,
    '22023', 'invalid record name "bad name.dnst.example"', 'a record name that is not a domain name is refused');
SELECT throws_ok($$INSERT INTO dns_record (zone_id, name, type, content) SELECT id, 'v6', 'AAAA', '192.0.2.1' FROM dns_zone WHERE name = 'dnst.example'$$,
    '22023', 'content "192.0.2.1" of AAAA record v6.dnst.example is not an IPv6 address', 'an AAAA record needs an IPv6 address');
SELECT throws_ok($$INSERT INTO dns_record (zone_id, name, type, content, priority) SELECT id, '_x._tcp', 'SRV', '1 99999 t.example', 0 FROM dns_zone WHERE name = 'dnst.example'$$,
    '22023', 'content "1 99999 t.example" of SRV record _x._tcp.dnst.example is not "weight port target"', 'an SRV record needs weight, port and target');
SELECT throws_ok($$INSERT INTO dns_record (zone_id, name, type, content) SELECT id, '@', 'CAA', 'issue ca' FROM dns_zone WHERE name = 'dnst.example'$$,
    '22023', 'content "issue ca" of CAA record dnst.example is not "flags tag \"value\""', 'a CAA record needs flags, tag and a quoted value');
SELECT throws_ok($$INSERT INTO dns_record (zone_id, name, type, content, ttl) SELECT id, 't', 'TXT', 'x', 2147483648 FROM dns_zone WHERE name = 'dnst.example'$$,
    '22003', 'integer out of range', 'a TTL beyond 32 bits is refused (by the int column)');
SELECT throws_ok($$INSERT INTO dns_record (zone_id, name, type, content, ttl) SELECT id, 't', 'TXT', 'x', '2147483648' FROM dns_zone WHERE name = 'dnst.example'$$,
    '22003', 'value "2147483648" is out of range for type integer', 'written as a string, the refusal names it');
SELECT throws_ok($$INSERT INTO dns_record (zone_id, name, type, content, ttl) SELECT id, 't', 'TXT', 'x', -5 FROM dns_zone WHERE name = 'dnst.example'$$,
    '22023', 'TTL -5 of record t.dnst.example is out of range 0..2147483647', 'a negative TTL is refused naming it');
SELECT throws_ok($$INSERT INTO dns_record (zone_id, name, type, content) SELECT id, '@', 'MX', 'mx.example' FROM dns_zone WHERE name = 'dnst.example'$$,
    '23514', 'new row for relation "dns_record" violates check constraint "dns_record_priority_needed"', 'an MX record needs a priority');
SELECT throws_ok($$INSERT INTO dns_record (zone_id, name, type, content, priority) SELECT id, 't', 'TXT', 'x', 5 FROM dns_zone WHERE name = 'dnst.example'$$,
    '23514', 'new row for relation "dns_record" violates check constraint "dns_record_priority_needed"', 'and a TXT record has none');
SELECT throws_ok($$INSERT INTO dns_record (zone_id, name, type, content, priority) SELECT id, '@', 'MX', 'mx.dnst.example', 65536 FROM dns_zone WHERE name = 'dnst.example'$$,
    '22023', 'priority 65536 of record dnst.example is out of range 0..65535', 'a priority out of range is refused naming it');
-- nothing half-written: one bad row of a statement, and none of it is there
CREATE TEMP TABLE s3 AS SELECT serial FROM dns_zone WHERE name = 'dnst.example';
SELECT throws_ok($$INSERT INTO dns_record (zone_id, name, type, content) SELECT id, n, 'A', c FROM dns_zone,
                   (VALUES ('good1', '198.51.100.61'), ('good2', '198.51.100.62'), ('bad', '198.51.100.666')) v(n, c) WHERE name = 'dnst.example'$$,
    '22023', 'content "198.51.100.666" of A record bad.dnst.example is not an IPv4 address', 'a statement with one bad record is refused');
SELECT ok(NOT EXISTS (SELECT FROM dns_record WHERE fqdn LIKE 'good_.dnst.example') AND NOT EXISTS (SELECT FROM pdns.records WHERE name LIKE 'good_.dnst.example')
          AND (SELECT serial FROM dns_zone WHERE name = 'dnst.example') = (SELECT serial FROM s3),
          'and none of its records is written, in dns_record or pdns, nor the serial raised');
-- a renamed host meets the CNAME rule too
SELECT throws_ok($$UPDATE host SET hostname = 'www.dnst.example' WHERE hostname = 'd2b.dnst.example'$$, '23514',
    'CNAME www.dnst.example -> app9.dnst.example cannot coexist with AAAA 2001:db8:77::1 at the same name',
    'a host renamed to a CNAME''s name (its canonical address yields records) is refused naming both');
-- the serial: every change of the zone's records raises it, past nn = 99 too
UPDATE dns_zone SET serial = to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD')::bigint * 100 + 98 WHERE name = 'dnst.example';
INSERT INTO dns_record (zone_id, name, type, content) SELECT id, 'serial', 'TXT', 'one' FROM dns_zone WHERE name = 'dnst.example';
SELECT is((SELECT serial FROM dns_zone WHERE name = 'dnst.example'), to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD')::bigint * 100 + 99,
          'a manual record added raises the serial (to YYYYMMDD99)');
UPDATE dns_record SET content = 'two' WHERE fqdn = 'serial.dnst.example';
SELECT is((SELECT serial FROM dns_zone WHERE name = 'dnst.example'), to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD')::bigint * 100 + 100,
          'a manual record changed raises it past nn = 99, into the next day''s numbers');
DELETE FROM dns_record WHERE fqdn = 'serial.dnst.example';
SELECT is((SELECT serial FROM dns_zone WHERE name = 'dnst.example'), to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD')::bigint * 100 + 101,
          'a manual record deleted raises it again');
SELECT is((SELECT split_part(content, ' ', 3) FROM pdns.records WHERE name = 'dnst.example' AND type = 'SOA'),
          (to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD')::bigint * 100 + 101)::text, 'and the SOA record PowerDNS serves has it');
UPDATE dns_record SET ttl = ttl WHERE fqdn = 'dnst.example';
SELECT is((SELECT serial FROM dns_zone WHERE name = 'dnst.example'), to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD')::bigint * 100 + 101,
          'an update that changes no record leaves it');
-- PTRs go to the reverse zone that is the longest match of the address
INSERT INTO dns_zone (name) VALUES ('51.198.in-addr.arpa');
INSERT INTO ip_address (address, dns_name) VALUES ('198.51.101.5', 'rv.dnst.example'), ('198.51.100.5', 'rv2.dnst.example');
SELECT set_eq($$SELECT r.name::text, d.name::text AS zone FROM pdns.records r JOIN pdns.domains d ON d.id = r.domain_id
                 WHERE r.type = 'PTR' AND r.name IN ('5.101.51.198.in-addr.arpa', '5.100.51.198.in-addr.arpa')$$,
    $$VALUES ('5.101.51.198.in-addr.arpa', '51.198.in-addr.arpa'), ('5.100.51.198.in-addr.arpa', '100.51.198.in-addr.arpa')$$,
    'a PTR goes to the longest reverse zone holding the address');
-- deleting a host deletes its addresses, and their records
INSERT INTO host (hostname, environment_id, cluster_id) SELECT 'gone.dnst.example', environment_id, cluster_id FROM host WHERE hostname = 'd1.dnst.example';
SELECT allocate_ip('198.51.100.0/24', (SELECT id FROM host WHERE hostname = 'gone.dnst.example'), NULL, true) IS NOT NULL AS allocated \gset
SELECT is((SELECT count(*) FROM pdns.records WHERE name = 'gone.dnst.example' OR content = 'gone.dnst.example'), 2::bigint, 'a host''s canonical address has its A and PTR');
DELETE FROM host WHERE hostname = 'gone.dnst.example';
SELECT is((SELECT count(*) FROM pdns.records WHERE name = 'gone.dnst.example' OR content = 'gone.dnst.example'), 0::bigint, 'deleting the host removes them');

-- manual records changed and deleted, a zone renamed
UPDATE dns_record SET content = 'ns2.dnst.example' WHERE type = 'NS' AND fqdn = 'dnst.example';
SELECT is((SELECT content::text FROM pdns.records WHERE name = 'dnst.example' AND type = 'NS'), 'ns2.dnst.example', 'an updated manual record is rewritten');
UPDATE dns_record SET content = '198.51.100.54' WHERE fqdn = 'ns1.dnst.example';
SELECT set_eq($$SELECT content FROM rr WHERE name = 'ns1.dnst.example'$$, $$VALUES ('198.51.100.54')$$, 'an A record''s new address replaces the old');
DELETE FROM dns_record WHERE type = 'CAA';
SELECT is((SELECT count(*) FROM pdns.records WHERE type = 'CAA' AND name = 'dnst.example'), 0::bigint, 'a deleted manual record is gone');
SELECT throws_ok($$UPDATE dns_zone SET name = 'dnst2.example' WHERE name = 'dnst.example'$$, '23514',
    'record name "ns1.dnst.example." lies outside zone dnst2.example', 'a zone with a record named absolutely is not renamed');
UPDATE dns_record SET name = 'ns1' WHERE fqdn = 'ns1.dnst.example';
UPDATE dns_zone SET name = 'dnst2.example' WHERE name = 'dnst.example';
SELECT is((SELECT fqdn FROM dns_record WHERE type = 'SRV' AND fqdn LIKE '_sip._tcp.%'), '_sip._tcp.dnst2.example', 'renaming a zone renames its records');
SELECT ok(EXISTS (SELECT FROM pdns.domains WHERE name = 'dnst2.example') AND NOT EXISTS (SELECT FROM pdns.domains WHERE name = 'dnst.example'),
          'and its domain, which keeps its id');
SELECT is((SELECT count(*) FROM pdns.records WHERE name = 'app9.dnst.example'), 0::bigint,
          'names no longer in any zone lose their records');
UPDATE dns_zone SET name = 'dnst.example' WHERE name = 'dnst2.example';

-- the views
SELECT set_eq($$SELECT fqdn, host_addr FROM dns_address_name WHERE host_addr <<= '2001:db8:77::/64'$$, $$VALUES ('d2b.dnst.example', '2001:db8:77::1/128'::cidr)$$,
    'dns_address_name lists the addresses that yield records, with their names');
SELECT set_eq($$SELECT name, type, content FROM dns_address_record WHERE content = 'd2b.dnst.example' OR name = 'd2b.dnst.example'$$,
    $$VALUES ('d2b.dnst.example', 'AAAA', '2001:db8:77::1'), (ptr_name('2001:db8:77::1'), 'PTR', 'd2b.dnst.example')$$,
    'dns_address_record lists their records');

-- who may do what
SET ROLE mountaineer_editor;
SELECT is((dns_zone_for_prefix('198.51.100.0/24')).name, '100.51.198.in-addr.arpa', 'an editor may call dns_zone_for_prefix');
SELECT is((allocate_named_ip('198.51.100.0/24', (SELECT d1 FROM k), 'ed.dnst.example')).host_addr, '198.51.100.1/32'::cidr,
          'an editor may call allocate_named_ip');
SELECT lives_ok($$INSERT INTO mountaineer.dns_record (zone_id, name, type, content) SELECT id, 'ed2', 'A', '198.51.100.99' FROM mountaineer.dns_zone WHERE name = 'dnst.example'$$,
    'an editor writes manual records');
SELECT throws_ok('SELECT mountaineer.dns_rebuild()', '42501', 'permission denied for function dns_rebuild', 'an editor may not rebuild');
SELECT throws_ok($$DELETE FROM pdns.records$$, '42501', 'permission denied for table records', 'nor write pdns by hand');
RESET ROLE;
SET ROLE mountaineer_reader;
SELECT ok((SELECT count(*) FROM pdns.records WHERE name = 'ed.dnst.example') = 1, 'a reader reads pdns');
SELECT throws_ok($$INSERT INTO mountaineer.dns_zone (name) VALUES ('r.example')$$, '42501', 'permission denied for table dns_zone', 'a reader writes no zone');
RESET ROLE;
SET ROLE mountaineer_admin;
SELECT ok(dns_rebuild() > 0, 'an admin may rebuild');
RESET ROLE;
-- PowerDNS's login role
SELECT ok((SELECT rolcanlogin AND NOT rolsuper AND NOT rolcreatedb AND NOT rolcreaterole AND NOT rolreplication AND NOT rolbypassrls
             FROM pg_roles WHERE rolname = 'mountaineer_pdns'), 'mountaineer_pdns may log in, and nothing more');
SELECT ok(NOT pg_has_role('mountaineer_pdns', 'mountaineer_reader', 'MEMBER') AND NOT has_schema_privilege('mountaineer_pdns', 'mountaineer', 'USAGE'),
          'it is no inventory reader and cannot reach schema mountaineer');
SELECT ok(has_table_privilege('mountaineer_pdns', 'pdns.records', 'SELECT') AND NOT has_table_privilege('mountaineer_pdns', 'pdns.records', 'INSERT, UPDATE, DELETE')
          AND has_column_privilege('mountaineer_pdns', 'pdns.domains', 'notified_serial', 'UPDATE')
          AND NOT has_column_privilege('mountaineer_pdns', 'pdns.domains', 'type', 'UPDATE'),
          'it reads pdns and updates domains.notified_serial alone');
SELECT ok((SELECT 'search_path=pdns' = ANY (setconfig) FROM pg_db_role_setting WHERE setrole = 'mountaineer_pdns'::regrole AND setdatabase = 0),
          'its search_path is pdns, where PowerDNS''s unqualified queries find their tables');
-- PowerDNS's other tables: an admin's to fill, PowerDNS's to read
INSERT INTO pdns.domainmetadata (domain_id, kind, content) SELECT id, 'ALSO-NOTIFY', '192.0.2.53' FROM pdns.domains WHERE name = 'dnst.example';
INSERT INTO pdns.tsigkeys (name, algorithm, secret) VALUES ('xfr', 'hmac-sha256', 'c2VjcmV0');
INSERT INTO pdns.cryptokeys (domain_id, flags, active, content) SELECT id, 257, false, 'x' FROM pdns.domains WHERE name = 'dnst.example';
INSERT INTO pdns.comments (domain_id, name, type, modified_at, comment) SELECT id, name, 'SOA', 0, 'x' FROM pdns.domains WHERE name = 'dnst.example';
INSERT INTO pdns.supermasters (ip, nameserver, account) VALUES ('192.0.2.1', 'ns.example', 'x');
SET ROLE mountaineer_pdns;
SELECT is((SELECT count(*) FROM pdns.domainmetadata d JOIN pdns.tsigkeys t ON true JOIN pdns.cryptokeys c ON true
            JOIN pdns.comments m ON true JOIN pdns.supermasters s ON true), 1::bigint, 'PowerDNS reads its other tables');
SELECT throws_ok($$UPDATE pdns.domains SET master = '192.0.2.1'$$, '42501', 'permission denied for table domains',
    'and writes no column of domains but notified_serial');
RESET ROLE;

SELECT is_empty('SELECT * FROM dns_verify()', 'pdns.records holds exactly what the inventory says');

-- TRUNCATE of the zones and records is logged, row by row
SELECT is((SELECT count(*) FROM dns_record) + (SELECT count(*) FROM dns_zone) > 0, true, 'there are zones and records to truncate');
CREATE TEMP TABLE dns_truncated AS SELECT (SELECT count(*) FROM dns_record) AS records, (SELECT count(*) FROM dns_zone) AS zones;
TRUNCATE mountaineer.dns_record, mountaineer.dns_zone;
SELECT is((SELECT count(*) FROM change WHERE op = 'truncate' AND table_name IN ('dns_record', 'dns_zone') AND txid = txid_current()),
          (SELECT records + zones FROM dns_truncated), 'TRUNCATE logs a change for each zone and record');

SELECT * FROM finish();
ROLLBACK;
