-- mountaineer_networks: prefixes, free space, allocation, DNS names.
\pset footer off
-- The prefix tree of ams1 and how full each part is.
SELECT repeat('  ', mountaineer.prefix_depth(u.id)) || u.prefix AS prefix, status, description, size, free, utilization
FROM mountaineer.prefix_usage u WHERE vrf IS NULL ORDER BY family(u.prefix), u.prefix;
-- What is free directly in the ams1 /16, as the fewest blocks?
SELECT * FROM mountaineer.free_prefixes('10.0.0.0/16') LIMIT 5;
-- The next /22 for a new cluster, and the next address in the prod VLAN
-- (the DHCP range 10.0.0.200-250 is never handed out).
SELECT mountaineer.next_free_prefix('10.0.0.0/16', 22) AS next_22,
       mountaineer.next_free_ip('10.0.0.0/24') AS next_ip;
-- A host's addresses by interface, as the seed showed them.
SELECT hostname, interface, addresses, canonical FROM mountaineer.host_address
WHERE hostname IN ('a01-c01.prod.example.net', 'web1.prod.example.net') ORDER BY hostname, interface;
-- PowerDNS: the reverse zone of each VLAN prefix and one PTR record.
SELECT prefix, mountaineer.reverse_zone(prefix) FROM mountaineer.prefix WHERE description LIKE 'ams1 %' ORDER BY prefix;
SELECT mountaineer.ptr_name(address) AS name, 'PTR' AS type, coalesce(dns_name, h.hostname) AS content
FROM mountaineer.ip_address a JOIN mountaineer.host h ON h.id = a.host_id
WHERE h.hostname = 'web1.prod.example.net' ORDER BY address;
-- AS numbers: the fabric's range, how full it is, and the next free number.
SELECT name, rir, first_asn, last_asn, used, utilization FROM mountaineer.asn_range_usage;
SELECT asn, mountaineer.asdot(asn), description FROM mountaineer.asn ORDER BY asn;
SELECT mountaineer.next_free_asn(id) FROM mountaineer.asn_range WHERE name = 'ams1 fabric';
