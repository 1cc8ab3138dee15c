-- Sample estate for mountaineer_dns: the forward zone example.net, the
-- reverse zones of ams1's prefixes, name servers, mail (the MX names web2
-- itself: an MX target is no CNAME, RFC 2181 10.3, which pdnsutil
-- check-all-zones warns of), a web alias and an SPF policy.  Every canonical address of the networks estate already has
-- its A/AAAA and PTR records once the zones exist.
SET search_path = mountaineer, public;

INSERT INTO dns_zone (name, primary_ns, hostmaster) VALUES ('example.net', 'ns1.example.net', 'hostmaster.example.net');
SELECT dns_zone_for_prefix(p) FROM unnest('{10.0.0.0/16, 172.16.0.0/24, 2001:db8::/48}'::cidr[]) p;

INSERT INTO dns_record (zone_id, name, type, content)
SELECT z.id, '@', 'NS', n FROM dns_zone z, unnest('{ns1.example.net., ns2.example.net.}'::text[]) n;
INSERT INTO dns_record (zone_id, name, type, content, priority)
SELECT z.id, v.name, v.type::dns_record_type, v.content, v.priority FROM dns_zone z,
    (VALUES ('ns1', 'A', '10.0.0.2', NULL), ('ns2', 'A', '10.0.0.3', NULL),
            ('@', 'MX', 'web2.prod.example.net.', 10),
            ('www', 'CNAME', 'web1.prod.example.net.', NULL), ('@', 'TXT', 'v=spf1 mx -all', NULL),
            ('@', 'CAA', '0 issue "letsencrypt.org"', NULL),
            ('_https._tcp', 'SRV', '10 443 web1.prod.example.net.', 0)) v(name, type, content, priority)
WHERE z.name = 'example.net';

-- a service address (a VIP, no host) with a name of its own
INSERT INTO ip_address (address, dns_name, description) VALUES ('2001:db8::80', 'api.example.net', 'API VIP');
