SET search_path = mountaineer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never

--------------------------------------------------------------------------
-- cidr_free: IPv4
--------------------------------------------------------------------------
-- nothing used: the parent itself
SELECT * FROM cidr_free('10.0.0.0/24', '{}');
-- used equal to the parent, or covering it: no rows
SELECT * FROM cidr_free('10.0.0.0/24', '{10.0.0.0/24}');
SELECT * FROM cidr_free('10.0.0.0/24', '{10.0.0.0/16}');
-- used wholly outside the parent: the parent itself
SELECT * FROM cidr_free('10.0.0.0/24', '{10.0.1.0/24, 192.168.0.0/16, 9.255.255.255/32}');
-- one host used in the middle
SELECT * FROM cidr_free('10.0.0.0/24', '{10.0.0.77/32}');
-- the first and the last address used
SELECT * FROM cidr_free('10.0.0.0/24', '{10.0.0.0/32, 10.0.0.255/32}');
-- nested, overlapping, duplicate and unsorted used blocks, and a NULL element
SELECT * FROM cidr_free('10.0.0.0/24',
    '{10.0.0.64/26, 10.0.0.0/26, 10.0.0.64/27, NULL, 10.0.0.0/26, 10.0.0.200/32, 10.0.0.192/29}');
-- only NULLs: the parent itself
SELECT * FROM cidr_free('10.0.0.0/24', '{NULL, NULL}');
-- used partly outside the parent (a /23 holding the parent's upper neighbour)
SELECT * FROM cidr_free('10.0.1.0/24', '{10.0.0.0/23, 10.0.2.0/25}');
-- the upper neighbour partly covered: clipped away entirely
SELECT * FROM cidr_free('10.0.0.0/25', '{10.0.0.128/25, 10.0.0.96/27}');
-- a /32 parent
SELECT * FROM cidr_free('10.0.0.7/32', '{}');
SELECT * FROM cidr_free('10.0.0.7/32', '{10.0.0.7/32}');
SELECT * FROM cidr_free('10.0.0.7/32', '{10.0.0.6/32}');
-- /0 parents: the whole space minus 10/8, and minus the first and last address
SELECT * FROM cidr_free('0.0.0.0/0', '{10.0.0.0/8}');
SELECT * FROM cidr_free('0.0.0.0/0', '{}');
SELECT * FROM cidr_free('0.0.0.0/0', '{0.0.0.0/0}');
SELECT count(*) AS blocks, min(c)::cidr AS first, max(c)::cidr AS last,
       sum(2::numeric ^ (32 - masklen(c))) = 2::numeric ^ 32 - 2 AS sizes_add_up
FROM cidr_free('0.0.0.0/0', '{0.0.0.0/32, 255.255.255.255/32}') c;

--------------------------------------------------------------------------
-- cidr_free: IPv6
--------------------------------------------------------------------------
SELECT * FROM cidr_free('2001:db8::/32', '{}');
SELECT * FROM cidr_free('2001:db8::/32', '{2001:db8::/32}');
SELECT * FROM cidr_free('2001:db8::/32', '{2001:db8::/34, 2001:db8:8000::/33, 2001:db8:4000::/48, NULL}');
SELECT * FROM cidr_free('2001:db8::/126', '{2001:db8::1/128, 2001:db8::/127, 2001:db8::1/128}');
-- used partly and wholly outside
SELECT * FROM cidr_free('2001:db8:1::/48', '{2001:db8::/47, 2001:db9::/32, ::/1}');
SELECT * FROM cidr_free('2001:db8::/64', '{2001:db8:0:1::/64, fe80::/10}');
-- ::/0 minus one /128 at the bottom and at the top: 128 blocks each, sizes adding up
SELECT count(*) AS blocks, min(c)::cidr AS first, max(c)::cidr AS last,
       sum(2::numeric ^ (128 - masklen(c))) = 2::numeric ^ 128 - 1 AS sizes_add_up
FROM cidr_free('::/0', '{::/128}') c;
SELECT * FROM cidr_free('::/0', '{ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128}') LIMIT 3;
SELECT count(*) AS blocks, max(c)::cidr AS last,
       sum(2::numeric ^ (128 - masklen(c))) = 2::numeric ^ 128 - 1 AS sizes_add_up
FROM cidr_free('::/0', '{ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128}') c;
SELECT * FROM cidr_free('::/0', '{}');
SELECT * FROM cidr_free('::/0', '{::/0}');
SELECT * FROM cidr_free('::/0', '{2001:db8::/32}');

--------------------------------------------------------------------------
-- cidr_next_free
--------------------------------------------------------------------------
-- alignment: the /26 at the start rules out the first /25
SELECT cidr_next_free('10.0.0.0/24', 25, '{10.0.0.0/26}');
-- the first /26 is free again once the one used lies higher
SELECT cidr_next_free('10.0.0.0/24', 26, '{10.0.0.64/26}');
-- a gap of the right size that is not aligned does not count
SELECT cidr_next_free('10.0.0.0/24', 26, '{10.0.0.0/27, 10.0.0.96/27, 10.0.0.128/25}') IS NULL AS none;
-- exact fit: the parent itself, or the only hole left
SELECT cidr_next_free('10.0.0.0/24', 24, '{}');
SELECT cidr_next_free('10.0.0.0/24', 24, '{10.0.1.0/24}');
SELECT cidr_next_free('10.0.0.0/24', 26, '{10.0.0.0/26, 10.0.0.64/26, 10.0.0.192/26}');
-- none left: NULL
SELECT cidr_next_free('10.0.0.0/24', 24, '{10.0.0.9/32}') IS NULL AS none;
SELECT cidr_next_free('10.0.0.0/24', 26, '{10.0.0.0/26, 10.0.0.64/26, 10.0.0.128/26, 10.0.0.193/32}') IS NULL AS none;
SELECT cidr_next_free('10.0.0.0/24', 32, '{10.0.0.0/24}') IS NULL AS none;
-- the smallest hole is found among bigger used blocks; NULL elements ignored
SELECT cidr_next_free('10.0.0.0/24', 32, '{10.0.0.0/25, NULL, 10.0.0.128/26, 10.0.0.192/27, 10.0.0.224/28, 10.0.0.240/29, 10.0.0.248/30, 10.0.0.252/31, 10.0.0.254/32}');
-- /0 parents and the top of the space
SELECT cidr_next_free('0.0.0.0/0', 8, '{0.0.0.0/5, 8.0.0.0/8}');
SELECT cidr_next_free('0.0.0.0/0', 0, '{}');
SELECT cidr_next_free('0.0.0.0/0', 1, '{0.0.0.0/1}');
SELECT cidr_next_free('0.0.0.0/0', 32, '{0.0.0.0/1, 128.0.0.0/2, 192.0.0.0/3, 224.0.0.0/4, 240.0.0.0/5, 248.0.0.0/6, 252.0.0.0/7, 254.0.0.0/8, 255.0.0.0/9}');
SELECT cidr_next_free('::/0', 128, '{::/1, 8000::/1}') IS NULL AS none;
SELECT cidr_next_free('::/0', 1, '{::/128}');
SELECT cidr_next_free('::/0', 0, '{}');
-- IPv6
SELECT cidr_next_free('2001:db8::/32', 48, '{2001:db8::/48, 2001:db8:1::/48, 2001:db8:3::/48}');
SELECT cidr_next_free('2001:db8::/32', 64, '{2001:db8::/48}');
SELECT cidr_next_free('2001:db8::/126', 127, '{2001:db8::1/128}');
SELECT cidr_next_free('2001:db8::/126', 128, '{2001:db8::/127, 2001:db8::3/128}');
SELECT cidr_next_free('2001:db8::/120', 128, '{2001:db8::/120}') IS NULL AS none;

--------------------------------------------------------------------------
-- inet_next_free
--------------------------------------------------------------------------
-- IPv4 /24: the network address is skipped, the parent's mask carried
SELECT inet_next_free('10.0.0.0/24', '{}');
-- the mask of a used address does not matter
SELECT inet_next_free('10.0.0.0/24', '{10.0.0.1/24, 10.0.0.2/32, 10.0.0.3/8, NULL, 10.0.0.5/30}');
-- addresses outside the parent, the network address itself and duplicates
SELECT inet_next_free('10.0.0.0/24', '{10.0.1.1, 10.0.0.0, 10.0.0.1, 10.0.0.1}');
-- all hosts used but the last one; then all used: the broadcast address is never handed out
SELECT inet_next_free('10.0.0.0/24', array(SELECT '10.0.0.0'::inet + n FROM generate_series(1, 253) n));
SELECT inet_next_free('10.0.0.0/24', array(SELECT '10.0.0.0'::inet + n FROM generate_series(1, 254) n)) IS NULL AS none;
-- /30: two hosts
SELECT inet_next_free('10.0.0.4/30', '{10.0.0.5}');
SELECT inet_next_free('10.0.0.4/30', '{10.0.0.5, 10.0.0.6}') IS NULL AS none;
-- /31 (RFC 3021) and /32: every address is a host
SELECT inet_next_free('10.0.0.4/31', '{}');
SELECT inet_next_free('10.0.0.4/31', '{10.0.0.4}');
SELECT inet_next_free('10.0.0.4/31', '{10.0.0.4, 10.0.0.5}') IS NULL AS none;
SELECT inet_next_free('10.0.0.4/32', '{}');
SELECT inet_next_free('10.0.0.4/32', '{10.0.0.4/24}') IS NULL AS none;
-- /0
SELECT inet_next_free('0.0.0.0/0', '{0.0.0.1, 0.0.0.2}');
-- a cidr[] is accepted as an inet[]
SELECT inet_next_free('10.0.0.0/29', '{10.0.0.0/30, 10.0.0.1/32}'::cidr[]);
-- IPv6 /64: the subnet-router anycast address is skipped, the last address is a host
SELECT inet_next_free('2001:db8::/64', '{}');
SELECT inet_next_free('2001:db8::/64', '{2001:db8::1/128, 2001:db8::2/64, 2001:db8::/64}');
SELECT inet_next_free('2001:db8::/126', '{2001:db8::1, 2001:db8::2}');
SELECT inet_next_free('2001:db8::/126', '{2001:db8::1, 2001:db8::2, 2001:db8::3}') IS NULL AS none;
-- /127 (RFC 6164) and /128: every address is a host
SELECT inet_next_free('2001:db8::/127', '{}');
SELECT inet_next_free('2001:db8::/127', '{2001:db8::}');
SELECT inet_next_free('2001:db8::/127', '{2001:db8::, 2001:db8::1}') IS NULL AS none;
SELECT inet_next_free('2001:db8::1/128', '{}');
SELECT inet_next_free('2001:db8::1/128', '{2001:db8::1/64}') IS NULL AS none;
-- ::/0
SELECT inet_next_free('::/0', '{::1, ::2/64, ::4}');

--------------------------------------------------------------------------
-- reverse_zone and ptr_name
--------------------------------------------------------------------------
SELECT b AS block, reverse_zone(b)
FROM unnest('{10.1.2.0/24, 10.1.0.0/16, 10.1.16.0/20, 10.0.0.0/8, 10.1.2.128/25,
              10.1.2.3/32, 0.0.0.0/0, 192.0.0.0/7,
              2001:db8::/32, 2001:db8::/33, 2001:db8::/35, 2001:db8:abcd:12::/64,
              2001:db8::/126, 2001:db8::1/128, ::/0, 8000::/3}'::cidr[]) b;
SELECT a AS address, ptr_name(a)
FROM unnest('{10.1.2.5, 10.1.2.5/24, 0.0.0.0, 255.255.255.255,
              2001:db8::1, 2001:db8:abcd:12::fe/64, ::, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff}'::inet[]) a;
-- a cidr is an inet too
SELECT ptr_name('192.0.2.0/24'::cidr);

--------------------------------------------------------------------------
-- errors (22023)
--------------------------------------------------------------------------
SELECT cidr_next_free('10.0.0.0/8', 33, '{}');
SELECT cidr_next_free('10.0.0.0/8', -1, '{}');
SELECT cidr_next_free('2001:db8::/32', 129, '{}');
SELECT cidr_next_free('10.0.0.0/16', 8, '{}');
SELECT cidr_next_free('2001:db8::/48', 32, '{}');
SELECT * FROM cidr_free('10.0.0.0/8', '{10.1.0.0/16, 2001:db8::/32}');
SELECT * FROM cidr_free('2001:db8::/32', '{10.0.0.0/8}');
SELECT cidr_next_free('10.0.0.0/8', 24, '{NULL, 2001:db8::/32}');
SELECT inet_next_free('10.0.0.0/8', '{10.0.0.1, 2001:db8::1}');
SELECT inet_next_free('2001:db8::/64', '{10.0.0.1/8}');
-- a mismatched element is refused even when it could not matter
SELECT cidr_next_free('10.0.0.0/24', 24, '{10.0.0.0/24, ::/0}');
-- each of them is SQLSTATE 22023 (invalid_parameter_value)
DO $$
DECLARE
    q text;
BEGIN
    FOREACH q IN ARRAY ARRAY[
        $q$SELECT mountaineer.cidr_next_free('10.0.0.0/8', 33, '{}')$q$,
        $q$SELECT mountaineer.cidr_next_free('2001:db8::/32', -1, '{}')$q$,
        $q$SELECT mountaineer.cidr_next_free('10.0.0.0/16', 8, '{}')$q$,
        $q$SELECT mountaineer.cidr_free('10.0.0.0/8', '{2001:db8::/32}')$q$,
        $q$SELECT mountaineer.cidr_next_free('2001:db8::/32', 64, '{10.0.0.0/8}')$q$,
        $q$SELECT mountaineer.inet_next_free('10.0.0.0/8', '{2001:db8::1}')$q$]
    LOOP
        BEGIN
            EXECUTE q;
            RAISE NOTICE 'no error: %', q;
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE '%: %', SQLSTATE, SQLERRM;
        END;
    END LOOP;
END
$$;
-- NULL arguments: NULL (STRICT)
SELECT cidr_next_free('10.0.0.0/8', NULL, '{}') IS NULL AS null_masklen,
       inet_next_free(NULL, '{}') IS NULL AS null_parent,
       (SELECT count(*) FROM cidr_free('10.0.0.0/8', NULL)) AS rows_for_null_used;

--------------------------------------------------------------------------
-- Brute-force cross-check on small parents (an IPv4 /24 and an IPv6 /120,
-- 256 addresses each) with pseudo-random used sets: blocks of every size,
-- overlapping, nested, repeated, some outside the parent, some NULL.
--------------------------------------------------------------------------
CREATE TEMP TABLE trial AS
SELECT p.parent, t.k,
       array(SELECT CASE WHEN (i * 7 + t.k) % 23 = 0 THEN NULL
                         ELSE network(set_masklen(host(p.parent)::inet
                                  + ((i * 97 + t.k * 61) % 300 - 20),   -- -20 .. 279: some outside
                                  p.maxbits - (i * t.k + i) % 10))::cidr  -- 0 .. 9 host bits
                    END
             FROM generate_series(1, t.k % 11) i) AS used
FROM (VALUES ('10.0.0.0/24'::cidr, 32), ('2001:db8::/120'::cidr, 128)) p(parent, maxbits),
     generate_series(0, 59) t(k);

-- every address of the parent lies in exactly one free block and no used
-- block, or in no free block and at least one used block
SELECT count(*) AS addresses_checked,
       count(*) FILTER (WHERE NOT ((f = 1 AND u = 0) OR (f = 0 AND u > 0))) AS wrong
FROM (SELECT (SELECT count(*) FROM cidr_free(t.parent, t.used) c WHERE a <<= c) AS f,
             (SELECT count(*) FROM unnest(t.used) x WHERE a <<= x) AS u
      FROM trial t, generate_series(0, 255) n,
           LATERAL (SELECT host(t.parent)::inet + n AS a) h) s;

-- minimal: no two free blocks are siblings (halves of one block); every
-- free block lies inside the parent; output in strictly increasing order
SELECT count(*) AS sibling_pairs
FROM trial t, cidr_free(t.parent, t.used) a, cidr_free(t.parent, t.used) b
WHERE a < b AND masklen(a) = masklen(b) AND masklen(a) > 0
  AND set_masklen(a, masklen(a) - 1) = set_masklen(b, masklen(b) - 1);
SELECT count(*) FILTER (WHERE NOT c <<= t.parent) AS outside,
       count(*) FILTER (WHERE c <= prev) AS out_of_order,
       count(*) AS blocks
FROM trial t,
     LATERAL (SELECT c, lag(c) OVER (ORDER BY ord) AS prev
              FROM cidr_free(t.parent, t.used) WITH ORDINALITY f(c, ord)) f;

-- cidr_next_free against the lowest aligned candidate intersecting no used block
SELECT count(*) AS cases,
       count(*) FILTER (WHERE cidr_next_free(t.parent, m, t.used) IS DISTINCT FROM
           (SELECT min(c)
            FROM (SELECT network(set_masklen(host(t.parent)::inet + n, m))::cidr AS c
                  FROM generate_series(0, 255) n) cand
            WHERE NOT EXISTS (SELECT FROM unnest(t.used) x WHERE x && c))) AS wrong
FROM trial t,
     generate_series(masklen(t.parent), masklen(t.parent) + 8) m;

-- inet_next_free against the lowest host number not used (IPv4: 1 .. 254,
-- IPv6: 1 .. 255)
SELECT count(*) AS cases,
       count(*) FILTER (WHERE inet_next_free(t.parent, t.used::inet[]) IS DISTINCT FROM
           (SELECT min(set_masklen(host(t.parent)::inet + n, masklen(t.parent)))
            FROM generate_series(1, CASE family(t.parent) WHEN 4 THEN 254 ELSE 255 END) n
            WHERE NOT EXISTS (SELECT FROM unnest(t.used) x
                              WHERE host(x)::inet = host(t.parent)::inet + n))) AS wrong
FROM trial t;

--------------------------------------------------------------------------
-- Large arrays
--------------------------------------------------------------------------
-- 10.0.0.0/8 with every other /24 used (32768 of 65536, given highest first):
-- the 32768 others are free and none can merge
SELECT count(*) AS blocks, count(*) FILTER (WHERE masklen(c) = 24) AS slash24,
       min(c) AS first, max(c) AS last
FROM cidr_free('10.0.0.0/8',
               array(SELECT set_masklen('10.0.0.0'::inet + n * 256, 24)::cidr
                     FROM generate_series(65534, 0, -2) n)) c;
SELECT cidr_next_free('10.0.0.0/8', 24,
                      array(SELECT set_masklen('10.0.0.0'::inet + n * 256, 24)::cidr
                            FROM generate_series(65534, 0, -2) n));
SELECT cidr_next_free('10.0.0.0/8', 23,
                      array(SELECT set_masklen('10.0.0.0'::inet + n * 256, 24)::cidr
                            FROM generate_series(65534, 0, -2) n)) IS NULL AS none;
-- 262140 elements, a quarter of them NULL: every address of 10.0.0.0/16 but
-- one (10.0.16.146, host number 4242) three times over, in a shuffled order
SELECT inet_next_free('10.0.0.0/16',
                      array(SELECT CASE WHEN n % 4 = 0 THEN NULL ELSE '10.0.0.0'::inet + (n / 4 * 40009) % 65536 END
                            FROM generate_series(0::bigint, 4 * 65536 - 1) n
                            WHERE (n / 4 * 40009) % 65536 <> 4242));
-- the same, as /32 blocks, with host numbers 4242, 4243 and 9000 left out
SELECT * FROM cidr_free('10.0.0.0/16',
               array(SELECT CASE WHEN n % 4 = 0 THEN NULL ELSE set_masklen('10.0.0.0'::inet + (n / 4 * 40009) % 65536, 32)::cidr END
                     FROM generate_series(0::bigint, 4 * 65536 - 1) n
                     WHERE (n / 4 * 40009) % 65536 NOT IN (4242, 4243, 9000)));
-- 100000 IPv6 /64s: the even-numbered ones of the first 200000 in a /46;
-- free are the 99999 odd ones below 199999 as /64s, then [199999, 2^18)
-- as 1 + 7 blocks (2^18 - 200000 = 62144 has 7 bits set)
SELECT count(*) AS blocks, min(c) AS first, max(c) AS last,
       sum(2::numeric ^ (128 - masklen(c))) = (2::numeric ^ 18 - 100000) * 2::numeric ^ 64 AS sizes_add_up
FROM cidr_free('2001:db8::/46',
               array(SELECT format('2001:db8:%s:%s::/64', to_hex(n / 65536), to_hex(n % 65536))::cidr
                     FROM generate_series(199998, 0, -2) n)) c;

-- inet_range_cidrs: a range of addresses as the fewest blocks
SELECT * FROM inet_range_cidrs('10.0.0.5', '10.0.0.20');
SELECT * FROM inet_range_cidrs('10.0.0.0/24', '10.0.0.255/24');
SELECT * FROM inet_range_cidrs('10.0.0.7', '10.0.0.7');
SELECT * FROM inet_range_cidrs('0.0.0.0', '255.255.255.255');
SELECT * FROM inet_range_cidrs('::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
SELECT * FROM inet_range_cidrs('2001:db8::1', '2001:db8::10');
SELECT count(*) AS blocks FROM inet_range_cidrs('::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe');
\set VERBOSITY default
SELECT * FROM inet_range_cidrs('10.0.0.9', '10.0.0.1');
SELECT * FROM inet_range_cidrs('10.0.0.1', '::1');
\set VERBOSITY terse
