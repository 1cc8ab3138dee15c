-- mountaineer_networks 1.7: prefix_owner(vkey, b, not_id), the smallest
-- prefix of a VRF holding a block, in C (src/address.c: prefix_vrf_prefix_key
-- read backwards, a few steps a call) against the query it replaces: the
-- same answer for every prefix, address and block around them, in the
-- global table, two VRFs (one whose id is the all-zero uuid the global
-- table's key also is) and both families, with prefixes deleted and moved
-- in the transaction, with and without a prefix to ignore; NULL when no
-- prefix holds the block; the query itself when the index is not as the
-- module made it or the caller could not read prefix as that query would
-- (row-level security, no SELECT privilege).
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(12);

INSERT INTO vrf (id, name) VALUES ('00000000-0000-0000-0000-0000000f0b01', 'po-blue'),
                                  ('00000000-0000-0000-0000-000000000000', 'po-zero');
-- a tree: /8 > /16s > /20 > /24s > /28s, siblings dense and sparse; IPv6 /32 > /48 > /64s
INSERT INTO prefix (prefix) VALUES ('10.0.0.0/8'), ('10.1.0.0/16'), ('10.2.0.0/16'), ('10.1.16.0/20'),
                                   ('2001:db8::/32'), ('2001:db8:1::/48'), ('192.0.2.0/24');
INSERT INTO prefix (prefix) SELECT network(set_masklen('10.1.16.0'::inet + g * 256, 24)) FROM generate_series(0, 15) g;
INSERT INTO prefix (prefix) SELECT network(set_masklen('10.1.17.0'::inet + g * 16, 28)) FROM generate_series(0, 15) g;
INSERT INTO prefix (prefix) SELECT network(set_masklen('10.2.0.0'::inet + g * 4096, 28)) FROM generate_series(0, 15) g;
INSERT INTO prefix (prefix) SELECT set_masklen(('2001:db8:1:' || to_hex(g) || '::')::cidr, 64) FROM generate_series(0, 40, 3) g;
INSERT INTO prefix (vrf_id, prefix) VALUES ('00000000-0000-0000-0000-0000000f0b01', '10.1.0.0/16'),
                                           ('00000000-0000-0000-0000-0000000f0b01', '10.1.17.0/24'),
                                           ('00000000-0000-0000-0000-000000000000', '10.1.17.128/25'),
                                           ('00000000-0000-0000-0000-000000000000', '172.16.0.0/12');
INSERT INTO ip_address (address) SELECT '10.1.17.0'::inet + g * 16 + k FROM generate_series(0, 15) g, (VALUES (5), (9)) v(k);
INSERT INTO ip_address (address) SELECT '2001:db8:1:3::'::inet + g * 11 FROM generate_series(1, 20) g;
-- dead entries in the index: prefixes deleted and moved in this transaction
DELETE FROM prefix WHERE prefix IN ('10.1.17.32/28', '10.1.17.48/28', '10.1.18.0/24', '10.2.16.0/28');
UPDATE prefix SET prefix = '10.3.0.0/16' WHERE prefix = '10.2.0.0/16' AND vrf_id IS NULL;

-- the blocks asked about: every prefix, its halves, parent and neighbours,
-- every address, and a few elsewhere, in every VRF key
CREATE TEMP TABLE po_probe (vk uuid, b cidr, not_id uuid) ON COMMIT DROP;
INSERT INTO po_probe
SELECT DISTINCT v.k, q.b, q.not_id FROM (
    SELECT x AS b, CASE WHEN x = p.prefix THEN p.id END AS not_id
      FROM prefix p
     CROSS JOIN LATERAL (VALUES (p.prefix),
                                (CASE WHEN masklen(p.prefix) < CASE family(p.prefix) WHEN 4 THEN 32 ELSE 128 END
                                      THEN set_masklen(p.prefix, masklen(p.prefix) + 1) END),
                                (CASE WHEN masklen(p.prefix) < CASE family(p.prefix) WHEN 4 THEN 32 ELSE 128 END
                                      THEN network(set_masklen(broadcast(p.prefix), masklen(p.prefix) + 1)) END),
                                (set_masklen(p.prefix, greatest(masklen(p.prefix) - 1, 0))::cidr),
                                (network(set_masklen(p.prefix - 1, masklen(p.prefix)))),
                                (network(set_masklen(broadcast(p.prefix) + 1, masklen(p.prefix))))) v(x)
     WHERE x IS NOT NULL
    UNION ALL SELECT host_addr, NULL FROM ip_address
    UNION ALL SELECT x, NULL FROM (VALUES ('10.1.17.40/32'::cidr), ('10.1.18.5/32'), ('10.2.16.3/32'), ('10.2.0.0/16'),
                                          ('0.0.0.0/0'), ('::/0'), ('11.0.0.0/8'), ('9.255.255.255/32'),
                                          ('2001:db8:1:4::/64'), ('2001:db9::/32'), ('::1/128'), ('255.255.255.255/32')) w(x)
) q, (VALUES (vrf_key(NULL)), ('00000000-0000-0000-0000-0000000f0b01'::uuid), ('00000000-0000-0000-0000-00000000dead'::uuid)) v(k);
-- ignoring a prefix the block is not (not_id of some other prefix)
INSERT INTO po_probe SELECT vrf_key(NULL), '10.1.17.5/32', id FROM prefix WHERE vrf_id IS NULL AND prefix = '10.1.17.0/24';
INSERT INTO po_probe SELECT vrf_key(NULL), '10.1.17.5/32', id FROM prefix WHERE vrf_id IS NULL AND prefix = '10.1.17.0/28';

-- what prefix_owner() was before 1.7
CREATE FUNCTION pg_temp.po_query(vkey uuid, b cidr, not_id uuid) RETURNS mountaineer.prefix
    LANGUAGE sql STABLE AS $$
    SELECT p.* FROM mountaineer.prefix p
     WHERE mountaineer.vrf_key(p.vrf_id) = vkey AND p.prefix >>= b
       AND p.id IS DISTINCT FROM not_id
     ORDER BY masklen(p.prefix) DESC LIMIT 1
$$;
CREATE FUNCTION pg_temp.po_differences() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM po_probe p
     WHERE mountaineer.prefix_owner(p.vk, p.b, p.not_id)::text IS DISTINCT FROM pg_temp.po_query(p.vk, p.b, p.not_id)::text
$$;

-- the SQLSTATE and message a statement fails with
CREATE FUNCTION pg_temp.po_error(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;

SELECT cmp_ok((SELECT count(*) FROM po_probe), '>', 1000::bigint, 'over 1,000 blocks asked about');
SELECT cmp_ok((SELECT count(*) FROM po_probe p WHERE (prefix_owner(p.vk, p.b, p.not_id)).id IS NOT NULL), '>', 500::bigint,
              'over 500 of them have an owner');
SELECT is(pg_temp.po_differences(), 0::bigint,
          'the C gives every block the owner the query gives, whole rows alike');
SELECT is((prefix_owner(vrf_key(NULL), '10.1.17.40/32')).prefix, '10.1.17.0/24',
          'an address in a /28 deleted in this transaction: the /24 around it');
SELECT is((prefix_owner(vrf_key(NULL), '10.1.17.128/26')).prefix, '10.1.17.128/25',
          'a block a global /24 and the all-zero VRF''s /25 hold: the /25 (vrf_key() gives both one key)');
SELECT is((prefix_owner(vrf_key(NULL), '172.16.1.0/24')).prefix, '172.16.0.0/12',
          'a block only the all-zero VRF''s prefixes hold: theirs');
SELECT is((prefix_owner(vrf_key(NULL), '10.1.17.128/25', (SELECT id FROM prefix WHERE vrf_id IS NOT NULL AND prefix = '10.1.17.128/25'))).prefix,
          '10.1.17.0/24', 'ignoring the block''s own prefix: the next one holding it');
SELECT is(prefix_owner(vrf_key(NULL), '11.0.0.0/8'), NULL, 'no prefix holds it: NULL');
SELECT is(prefix_owner(vrf_key(NULL), NULL), NULL, 'a NULL block: NULL');

-- without the index: the query (in a subtransaction, undone)
SAVEPOINT no_index;
ALTER TABLE prefix DROP CONSTRAINT prefix_vrf_prefix_key;
SELECT pg_temp.po_differences() AS no_index \gset
ROLLBACK TO SAVEPOINT no_index;
SELECT is(:no_index::bigint, 0::bigint, 'without prefix_vrf_prefix_key: the same answers, from the query');

-- row-level security on prefix, for a role it applies to: the query, which
-- sees only what the policies let through
SAVEPOINT rls;
CREATE ROLE po_v4;
GRANT USAGE ON SCHEMA mountaineer TO po_v4;
GRANT SELECT ON prefix TO po_v4;
GRANT EXECUTE ON FUNCTION prefix_owner(uuid, cidr, uuid), vrf_key(uuid) TO po_v4;
ALTER TABLE prefix ENABLE ROW LEVEL SECURITY;
CREATE POLICY po_not_24 ON prefix USING (masklen(prefix) <> 24);
SET LOCAL ROLE po_v4;
SELECT (mountaineer.prefix_owner(mountaineer.vrf_key(NULL), '10.1.17.40/32')).prefix AS rls_owner \gset
RESET ROLE;
ROLLBACK TO SAVEPOINT rls;
SELECT is(:'rls_owner'::cidr, '10.1.16.0/20', 'under row-level security: the policies hold (the /24 is not seen, the /20 is the owner)');

-- a caller that may not read prefix is refused as the query would be
SAVEPOINT no_select;
CREATE ROLE po_nobody;
GRANT USAGE ON SCHEMA mountaineer TO po_nobody;
GRANT EXECUTE ON FUNCTION prefix_owner(uuid, cidr, uuid), vrf_key(uuid) TO po_nobody;
SET LOCAL ROLE po_nobody;
SELECT pg_temp.po_error($$SELECT mountaineer.prefix_owner(mountaineer.vrf_key(NULL), '10.1.17.0/24')$$) AS no_select \gset
RESET ROLE;
ROLLBACK TO SAVEPOINT no_select;
SELECT is(:'no_select'::text, '42501 permission denied for table prefix',
          'a caller without SELECT on prefix: 42501, as the query gives');

SELECT * FROM finish();
ROLLBACK;
