-- mountaineer_dns: zones, records derived from addresses, PowerDNS's view.
\pset footer off
-- The zones PowerDNS serves, with the serial the database keeps.
SELECT name, kind, primary_ns, serial, (SELECT count(*) FROM pdns.records r JOIN pdns.domains d ON d.id = r.domain_id WHERE d.name = z.name) AS records
FROM mountaineer.dns_zone z ORDER BY kind, name;
-- What PowerDNS answers for web1: the canonical address's A and PTR, and the alias.
SELECT name, type, content, ttl FROM pdns.records
WHERE name IN ('web1.prod.example.net', 'www.example.net') OR content = 'web1.prod.example.net' ORDER BY type, name;
-- Allocate an address with a name: its records and the new serial, in the same transaction.
BEGIN;
SELECT address, dns_name FROM mountaineer.allocate_named_ip('10.0.0.0/24', (SELECT id FROM mountaineer.host WHERE hostname = 'web2.prod.example.net'), 'static.example.net');
SELECT name, type, content FROM pdns.records WHERE name = 'static.example.net' OR content = 'static.example.net';
SELECT name, serial FROM mountaineer.dns_zone WHERE name IN ('example.net', '0.10.in-addr.arpa');
ROLLBACK;
-- pdns.records holds exactly what the inventory says (no rows):
SELECT * FROM mountaineer.dns_verify();
-- And PowerDNS itself (make demo runs pdns_server, tools/pdns.sh; MT_DNS_PORT is
-- the port of another one, as the TAP test modules/dns/test/pdns.sh runs):
\! dig @127.0.0.1 -p "${MT_DNS_PORT:-$(tools/pdns.sh port demo)}" +noall +answer www.example.net A
\! dig @127.0.0.1 -p "${MT_DNS_PORT:-$(tools/pdns.sh port demo)}" +noall +answer api.example.net AAAA
\! dig @127.0.0.1 -p "${MT_DNS_PORT:-$(tools/pdns.sh port demo)}" +noall +answer -x 10.0.0.22
