-- mountaineer_networks 1.7: free_block_holding(vkey, b), the probe of the
-- free space in C (src/address.c) that the set-based free-space functions
-- make for each row, against the query it replaces (the greatest free block
-- <= b in the VRF, if it holds b): the same answer for every block there
-- is and for blocks around them, in two VRFs and both families; NULL when
-- no free block holds b; the query itself when the index is not as the
-- module made it or the caller could not read prefix_free as that query
-- would (row-level security, no SELECT privilege).
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(9);

INSERT INTO vrf (id, name) VALUES ('00000000-0000-0000-0000-0000000fb0b1', 'fb-blue');
INSERT INTO prefix (prefix) VALUES ('10.81.0.0/16'), ('10.81.4.0/22'), ('2001:db8:81::/48');
INSERT INTO prefix (vrf_id, prefix) VALUES ('00000000-0000-0000-0000-0000000fb0b1', '10.81.0.0/20');
INSERT INTO ip_address (address) SELECT '10.81.1.0'::inet + g * 3 FROM generate_series(1, 40) g;
INSERT INTO ip_address (address) SELECT '10.81.5.0'::inet + g * 5 FROM generate_series(1, 20) g;
INSERT INTO ip_address (address) SELECT '2001:db8:81::'::inet + g * 7 FROM generate_series(1, 20) g;
INSERT INTO ip_address (vrf_id, address) SELECT '00000000-0000-0000-0000-0000000fb0b1', '10.81.1.0'::inet + g FROM generate_series(1, 30) g;

-- the blocks asked about: every free block, every address, every prefix,
-- and for each free block its halves, its parent and its neighbours
CREATE TEMP TABLE fb_probe (vk uuid, b cidr) ON COMMIT DROP;
INSERT INTO fb_probe
SELECT DISTINCT vk, b FROM (
    SELECT f.vrf_key AS vk, x AS b
      FROM prefix_free f
     CROSS JOIN LATERAL (VALUES (f.block),
                                (CASE WHEN masklen(f.block) < CASE family(f.block) WHEN 4 THEN 32 ELSE 128 END
                                      THEN set_masklen(f.block, masklen(f.block) + 1) END),
                                (CASE WHEN masklen(f.block) < CASE family(f.block) WHEN 4 THEN 32 ELSE 128 END
                                      THEN network(set_masklen(broadcast(f.block), masklen(f.block) + 1)) END),
                                (set_masklen(f.block, masklen(f.block) - 1)::cidr),
                                (network(set_masklen(f.block - 1, masklen(f.block)))),
                                (network(set_masklen(broadcast(f.block) + 1, masklen(f.block))))) v(x)
     WHERE x IS NOT NULL
    UNION ALL SELECT vrf_key(a.vrf_id), a.host_addr FROM ip_address a
    UNION ALL SELECT vrf_key(p.vrf_id), p.prefix FROM prefix p
    UNION ALL SELECT v.k, x FROM (VALUES (vrf_key(NULL)), ('00000000-0000-0000-0000-0000000fb0b1'::uuid),
                                         ('00000000-0000-0000-0000-00000000dead'::uuid)) v(k),
                                 (VALUES ('10.81.1.3/32'::cidr), ('10.81.1.2/32'), ('10.81.0.0/16'), ('10.81.5.64/26'),
                                         ('0.0.0.0/0'), ('::/0'), ('2001:db8:81::8/125'), ('192.0.2.1/32')) w(x)) q;

-- what the functions asked before 1.7
CREATE FUNCTION pg_temp.fb_query(vkey uuid, b cidr, OUT prefix_id uuid, OUT block cidr) RETURNS record
    LANGUAGE sql STABLE
RETURN (SELECT (f.prefix_id, f.block)::record FROM (SELECT g.prefix_id, g.block FROM prefix_free g
                                                     WHERE g.vrf_key = vkey AND g.block <= b
                                                     ORDER BY g.block DESC LIMIT 1) f
         WHERE f.block >>= b);
CREATE FUNCTION pg_temp.fb_differences() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM fb_probe p
     WHERE (SELECT (h.prefix_id, h.block) FROM mountaineer.free_block_holding(p.vk, p.b) h)
           IS DISTINCT FROM (SELECT (q.prefix_id, q.block) FROM pg_temp.fb_query(p.vk, p.b) q)
$$;

-- the SQLSTATE and message a statement fails with
CREATE FUNCTION pg_temp.fb_error(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;

SELECT cmp_ok((SELECT count(*) FROM fb_probe), '>', 500::bigint, 'over 500 blocks asked about');
SELECT is(pg_temp.fb_differences(), 0::bigint,
          'the C probe gives every block the free block holding it, and its owner, as the query does');
SELECT is((SELECT count(*) FROM fb_probe p, free_block_holding(p.vk, p.b) h WHERE h.block IS NOT NULL),
          (SELECT count(*) FROM fb_probe p, free_block_holding(p.vk, p.b) h
            WHERE h.block >>= p.b AND EXISTS (SELECT FROM prefix_free f WHERE f.vrf_key = p.vk AND f.block = h.block AND f.prefix_id = h.prefix_id)),
          'every block it answers lies in a free block of its VRF, owned as it says');
SELECT is((SELECT row(h.prefix_id, h.block)::text FROM free_block_holding(vrf_key(NULL), '10.81.1.3/32') h),
          '(,)', 'a taken address: no free block holds it (a row of NULLs in FROM)');
SELECT is(free_block_holding(vrf_key(NULL), NULL), NULL, 'a NULL block: NULL');

-- without the index: the query (in a subtransaction, undone)
SAVEPOINT no_index;
DROP INDEX prefix_free_vrf_idx;
SELECT pg_temp.fb_differences() AS no_index \gset
ROLLBACK TO SAVEPOINT no_index;
SELECT is(:no_index::bigint, 0::bigint, 'without prefix_free_vrf_idx: the same answers, from the query');

-- row-level security on prefix_free, for a role it applies to (a
-- superuser passes over it): the query, which sees only what the policies
-- let through
SAVEPOINT rls;
CREATE ROLE fb_v4;
GRANT USAGE ON SCHEMA mountaineer TO fb_v4;
GRANT SELECT ON prefix_free TO fb_v4;
GRANT EXECUTE ON FUNCTION free_block_holding(uuid, cidr), vrf_key(uuid) TO fb_v4;
ALTER TABLE prefix_free ENABLE ROW LEVEL SECURITY;
CREATE POLICY fb_v4_only ON prefix_free USING (family(block) = 4);
GRANT SELECT ON fb_probe TO fb_v4;
SET LOCAL ROLE fb_v4;
SELECT (SELECT count(*) FROM fb_probe p, mountaineer.free_block_holding(p.vk, p.b) h
         WHERE family(p.b) = 6 AND h.block IS NOT NULL) AS rls_v6,
       (SELECT count(*) FROM fb_probe p WHERE family(p.b) = 4
           AND (SELECT (h.prefix_id, h.block) FROM mountaineer.free_block_holding(p.vk, p.b) h)
               IS DISTINCT FROM (SELECT (q.prefix_id, q.block) FROM pg_temp.fb_query(p.vk, p.b) q)) AS rls_v4 \gset
RESET ROLE;
ROLLBACK TO SAVEPOINT rls;
SELECT is(:rls_v6::bigint, 0::bigint, 'under row-level security: the policies hold (no IPv6 free block is seen)');
SELECT is(:rls_v4::bigint, 0::bigint, '... and what they let through is answered as the query answers it');

-- a caller that may not read prefix_free is refused as the query would be
SAVEPOINT no_select;
CREATE ROLE fb_nobody;
GRANT USAGE ON SCHEMA mountaineer TO fb_nobody;
GRANT EXECUTE ON FUNCTION free_block_holding(uuid, cidr), vrf_key(uuid) TO fb_nobody;
SET LOCAL ROLE fb_nobody;
SELECT pg_temp.fb_error($$SELECT mountaineer.free_block_holding(mountaineer.vrf_key(NULL), '10.81.200.0/24')$$) AS no_select \gset
RESET ROLE;
ROLLBACK TO SAVEPOINT no_select;
SELECT is(:'no_select'::text, '42501 permission denied for table prefix_free',
          'a caller without SELECT on prefix_free: 42501, as the query gives');

SELECT * FROM finish();
ROLLBACK;
