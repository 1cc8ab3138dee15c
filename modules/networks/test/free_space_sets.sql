-- mountaineer_networks 1.3: the free space of addresses, and of new and
-- deleted prefixes, is kept per statement (statement-level triggers with
-- transition tables): multi-row inserts, updates and deletes leave exactly
-- what a recomputation gives (prefix_free_verify), buddies merge back
-- whole, an update that moves nothing writes nothing, and the triggers are
-- statement triggers executable by no user.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(36);

-- the triggers are what they claim: per statement, with transition tables
SELECT is(
    (SELECT string_agg(format('%s %s %s %s', t.tgrelid::regclass, t.tgname,
                              CASE WHEN t.tgtype & 1 = 0 THEN 'statement' ELSE 'row' END,
                              concat_ws('+', CASE WHEN t.tgoldtable IS NOT NULL THEN 'old' END, CASE WHEN t.tgnewtable IS NOT NULL THEN 'new' END)),
                       '; ' ORDER BY t.tgrelid::regclass::text, t.tgname::text)
       FROM pg_trigger t
      WHERE t.tgrelid IN ('mountaineer.ip_address'::regclass, 'mountaineer.prefix'::regclass)
        AND t.tgname LIKE 'maintain_free_space%'),
    'ip_address maintain_free_space_delete statement old; ip_address maintain_free_space_insert statement new; '
    'ip_address maintain_free_space_update statement old+new; prefix maintain_free_space row ; '
    'prefix maintain_free_space_delete statement old; prefix maintain_free_space_insert statement new',
    'addresses: one statement trigger per event; prefixes: the row trigger (lock, ranges, moves) and statement triggers for inserts and deletes');

INSERT INTO vrf (name) VALUES ('fs-red');
INSERT INTO prefix (prefix) VALUES ('10.61.0.0/16'), ('2001:db8:61::/48');
INSERT INTO prefix (vrf_id, prefix) SELECT id, '10.61.0.0/16' FROM vrf WHERE name = 'fs-red';
INSERT INTO ip_range (start_address, end_address, allow_addresses) VALUES ('10.61.9.10', '10.61.9.20', true);

-- addresses: one INSERT across families, VRFs and a range that allows them
INSERT INTO ip_address (address)
SELECT '10.61.1.0'::inet + g FROM generate_series(1, 300) g
UNION ALL SELECT '2001:db8:61::'::inet + g FROM generate_series(1, 300) g
UNION ALL SELECT '10.61.9.12'::inet;
INSERT INTO ip_address (vrf_id, address) SELECT v.id, '10.61.1.0'::inet + g FROM vrf v, generate_series(1, 300) g WHERE v.name = 'fs-red';
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'a multi-row INSERT of addresses leaves the exact free space');
SELECT results_eq($$SELECT f.block FROM prefix_free f JOIN prefix p ON p.id = f.prefix_id
                     WHERE p.vrf_id IS NULL AND p.prefix = '10.61.0.0/16' AND f.block <<= '10.61.0.0/22'::cidr ORDER BY f.block$$,
                  $$VALUES ('10.61.0.0/24'::cidr), ('10.61.1.0/32'), ('10.61.2.45/32'), ('10.61.2.46/31'), ('10.61.2.48/28'),
                           ('10.61.2.64/26'), ('10.61.2.128/25'), ('10.61.3.0/24')$$,
                  '... 10.61.1.1 - 10.61.2.44 taken: what is left around them, buddy-merged');

-- an update that changes no address writes no free block
CREATE TEMP TABLE fs_before AS SELECT ctid AS c, xmin::text AS x FROM prefix_free;
UPDATE ip_address SET dns_name = 'fs' || (host_addr - '10.61.0.0'::inet) || '.example.com' WHERE host_addr << '10.61.0.0/16';
SELECT set_eq($$SELECT ctid AS c, xmin::text AS x FROM prefix_free$$, $$SELECT c, x FROM fs_before$$,
              'an UPDATE of 601 addresses that moves none leaves prefix_free untouched');

-- moves in one statement: within the prefix (out of and into the blocks
-- left around them), and to another VRF
UPDATE ip_address a SET address = host(a.address)::inet + 1000
 WHERE a.vrf_id IS NULL AND a.host_addr IN ('10.61.1.1/32', '10.61.2.44/32');
SELECT is((SELECT string_agg(host(address), ' ' ORDER BY address) FROM ip_address
            WHERE vrf_id IS NULL AND host_addr IN ('10.61.4.233/32', '10.61.6.20/32')), '10.61.4.233 10.61.6.20',
          'two addresses moved in one statement');
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, '... and the free space is exact');
-- a shift: one row moves onto the address another row of the statement
-- leaves, which stays held
INSERT INTO ip_address (address) VALUES ('10.61.50.10');
INSERT INTO ip_address (address) VALUES ('10.61.50.11');
UPDATE ip_address SET address = host(address)::inet - 1 WHERE vrf_id IS NULL AND host_addr IN ('10.61.50.10/32', '10.61.50.11/32');
SELECT is((SELECT string_agg(host(address), ' ' ORDER BY address) FROM ip_address
            WHERE vrf_id IS NULL AND host_addr << '10.61.50.0/24'), '10.61.50.9 10.61.50.10',
          'two addresses shifted down by one in one statement');
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, '... the address one left and the other took is not free, the one left behind is');
UPDATE ip_address SET address = host(address)::inet + 1000 WHERE vrf_id IS NULL AND host_addr << '10.61.1.0/24' AND host_addr > '10.61.1.200/32';
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'addresses moved within the prefix in one statement: exact');
UPDATE ip_address SET vrf_id = (SELECT id FROM vrf WHERE name = 'fs-red'), address = host(address)::inet + 40000
 WHERE vrf_id IS NULL AND host_addr << '10.61.2.0/24';
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'addresses moved to another VRF in one statement: exact');

-- deletes merge back: a checkerboard first, then the rest
DELETE FROM ip_address WHERE host_addr << '10.61.0.0/16' AND (host(host_addr)::inet - '10.61.0.0'::inet) % 2 = 0;
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'every other address deleted in one statement: exact');
DELETE FROM ip_address WHERE host_addr << '10.61.0.0/16' OR host_addr << '2001:db8:61::/48';
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'the rest deleted: exact');
SELECT results_eq($$SELECT free_prefixes('10.61.0.0/16') LIMIT 1$$, $$VALUES ('10.61.0.0/21'::cidr)$$,
                  '... and below the range at 10.61.9.10 the prefix is one free block again (buddies merged up from /32)');
SELECT results_eq($$SELECT free_prefixes('2001:db8:61::/48')$$, $$VALUES ('2001:db8:61::/48'::cidr)$$, '... in IPv6 too');
SELECT results_eq($$SELECT free_prefixes('10.61.0.0/16', (SELECT id FROM vrf WHERE name = 'fs-red'))$$,
                  $$VALUES ('10.61.0.0/16'::cidr)$$, '... and in the VRF');
-- an address in a range that allows addresses goes, and the range keeps its space
DELETE FROM ip_address WHERE host_addr = '10.61.9.12/32';
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'an address inside a range that allows it deleted: the range keeps its space');
SELECT is((SELECT count(*) FROM prefix_free f, ip_range g WHERE g.start_address = '10.61.9.10'
            AND mountaineer.inetrange(g.start_address, g.end_address, '[]') @> host(f.block)::inet), 0::bigint,
          '... no free block inside the range');

-- prefixes: one INSERT with nested new prefixes, one over an address, one
-- over a range, one over existing children (a container above them), a
-- top-level one, and a skipped duplicate
INSERT INTO ip_address (address) VALUES ('10.61.20.7');
INSERT INTO prefix (prefix) VALUES ('10.61.40.0/24');
INSERT INTO prefix (prefix) VALUES
    ('10.61.16.0/20'), ('10.61.16.0/22'), ('10.61.16.0/24'), ('10.61.18.0/24'),   -- nested, all new
    ('10.61.20.0/24'),                                                             -- holds an address
    ('10.61.9.0/24'),                                                              -- holds the range
    ('10.61.32.0/19'),                                                             -- above 10.61.40.0/24
    ('10.62.0.0/16'), ('10.62.1.0/24');                                           -- no owner, and its child
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'a multi-row INSERT of nested and overlapping prefixes leaves the exact free space');
SELECT results_eq($$SELECT free_prefixes('10.61.16.0/22')$$, $$VALUES ('10.61.17.0/24'::cidr), ('10.61.19.0/24'::cidr)$$,
                  '... a new prefix holds what its new children leave');
SELECT is((SELECT address FROM ip_address WHERE host_addr = '10.61.20.7/32'), '10.61.20.7/24'::inet,
          '... an address inside a new prefix took its mask');
SELECT results_eq($$SELECT free_prefixes('10.61.32.0/19') LIMIT 3$$,
                  $$VALUES ('10.61.32.0/21'::cidr), ('10.61.41.0/24'::cidr), ('10.61.42.0/23'::cidr)$$,
                  '... a new container holds its space around the older child');
INSERT INTO prefix (prefix) VALUES ('10.61.16.0/24'), ('10.61.200.0/24') ON CONFLICT DO NOTHING;
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'INSERT … ON CONFLICT DO NOTHING: the skipped row takes no space');
-- 1,000 children in one statement
INSERT INTO prefix (prefix) SELECT network(set_masklen('10.63.0.0'::inet + g * 16, 28)) FROM generate_series(0, 999) g;
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, '1,000 children without a parent: exact');
INSERT INTO prefix (prefix) VALUES ('10.63.0.0/16');
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, '... then their parent: exact');
INSERT INTO prefix (prefix) SELECT network(set_masklen('10.63.64.0'::inet + g * 16, 28)) FROM generate_series(0, 999) g;
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, '... then 1,000 more children carved out of its free space: exact');
-- deletes: nested prefixes at once (their space goes to the prefix left
-- around them), every third child, then the rest
DELETE FROM prefix WHERE prefix IN ('10.61.16.0/20', '10.61.16.0/22', '10.61.20.0/24', '10.62.0.0/16');
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'a DELETE of nested prefixes, one holding an address, one without an owner: exact');
DELETE FROM prefix WHERE prefix << '10.63.0.0/16' AND (host(prefix)::inet - '10.63.0.0'::inet) % 48 = 0;
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'every third of 2,000 children deleted in one statement: exact');
DELETE FROM prefix WHERE prefix << '10.63.0.0/16';
SELECT results_eq($$SELECT free_prefixes('10.63.0.0/16')$$, $$VALUES ('10.63.0.0/16'::cidr)$$,
                  'deleting them gives the parent its space back whole');

-- (1.7) one address a statement (free_take_addresses() takes its own way
-- for one): first and last of a block, one beside another, one in a range
-- that allows addresses (no free block holds it), one in a VRF, IPv6, and
-- an update moving one
INSERT INTO prefix (prefix) VALUES ('10.64.0.0/22'), ('2001:db8:64::/64');
INSERT INTO prefix (vrf_id, prefix) SELECT id, '10.64.0.0/22' FROM vrf WHERE name = 'fs-red';
INSERT INTO ip_range (start_address, end_address, allow_addresses) VALUES ('10.64.2.10', '10.64.2.20', true);
INSERT INTO ip_address (address) VALUES ('10.64.0.1');
INSERT INTO ip_address (address) VALUES ('10.64.3.254');
INSERT INTO ip_address (address) VALUES ('10.64.0.2');
INSERT INTO ip_address (address) VALUES ('10.64.2.15');
INSERT INTO ip_address (vrf_id, address) SELECT id, '10.64.1.7' FROM vrf WHERE name = 'fs-red';
INSERT INTO ip_address (address) VALUES ('2001:db8:64::5');
UPDATE ip_address SET address = '10.64.1.99' WHERE address = '10.64.0.2/22';
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'single-row INSERTs and an UPDATE of addresses leave the exact free space');

-- (1.7) one prefix a statement (prefix_free_insert() takes its own way for
-- one that lies in a free block): at the start and the end of a block, a
-- whole free block, one inside a new one, one holding addresses and
-- prefixes made before it (no free block holds it: the statement's way),
-- one in a VRF, IPv6, and one of no owner
INSERT INTO prefix (prefix) VALUES ('10.65.0.0/20'), ('2001:db8:65::/48');
INSERT INTO prefix (vrf_id, prefix) SELECT id, '10.65.0.0/20' FROM vrf WHERE name = 'fs-red';
INSERT INTO ip_address (address) VALUES ('10.65.9.1');
INSERT INTO prefix (prefix) VALUES ('10.65.0.0/26');
INSERT INTO prefix (prefix) VALUES ('10.65.15.192/26');
INSERT INTO prefix (prefix) VALUES ('10.65.0.64/26');
INSERT INTO prefix (prefix) VALUES ('10.65.4.0/22');
INSERT INTO prefix (prefix) VALUES ('10.65.4.0/24');
INSERT INTO prefix (prefix) VALUES ('10.65.8.0/22');
INSERT INTO prefix (prefix) VALUES ('10.65.8.0/21');
INSERT INTO prefix (vrf_id, prefix) SELECT id, '10.65.3.0/24' FROM vrf WHERE name = 'fs-red';
INSERT INTO prefix (prefix) VALUES ('2001:db8:65:ff00::/56');
INSERT INTO prefix (prefix) VALUES ('10.66.0.0/24');
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'single-row INSERTs of prefixes leave the exact free space');

-- (1.7) one address, one prefix deleted a statement (free_release_addresses()
-- and prefix_free_delete() take their own way for one): an address whose
-- buddy is free (it merges up), one beside another, one in a range that
-- allows addresses (the range keeps its space), one in a VRF, IPv6; a
-- prefix wholly free (it merges with its owner's free space), one holding
-- prefixes and an address, one in a VRF, IPv6, one of no owner
DELETE FROM ip_address WHERE address = '10.64.0.1/22';
DELETE FROM ip_address WHERE address = '10.64.3.254/22';
DELETE FROM ip_address WHERE address = '10.64.2.15/22';
DELETE FROM ip_address WHERE host_addr = '10.64.1.7/32' AND vrf_id IS NOT NULL;
DELETE FROM ip_address WHERE host_addr = '2001:db8:64::5/128';
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'single-row DELETEs of addresses leave the exact free space');
SELECT results_eq($$SELECT free_prefixes('10.64.0.0/22')$$,
                  $$VALUES ('10.64.0.0/24'::cidr), ('10.64.1.0/26'), ('10.64.1.64/27'), ('10.64.1.96/31'), ('10.64.1.98/32'),
                           ('10.64.1.100/30'), ('10.64.1.104/29'), ('10.64.1.112/28'), ('10.64.1.128/25'),
                           ('10.64.2.0/29'), ('10.64.2.8/31'), ('10.64.2.21/32'), ('10.64.2.22/31'), ('10.64.2.24/29'),
                           ('10.64.2.32/27'), ('10.64.2.64/26'), ('10.64.2.128/25'), ('10.64.3.0/24')$$,
                  '... the addresses gone merge back whole (10.64.0.0/24, 10.64.3.0/24), the range keeps its own, the one moved holds its place');
DELETE FROM prefix WHERE prefix = '10.65.0.64/26' AND vrf_id IS NULL;
DELETE FROM prefix WHERE prefix = '10.65.4.0/22' AND vrf_id IS NULL;
DELETE FROM prefix WHERE prefix = '10.65.8.0/21' AND vrf_id IS NULL;
DELETE FROM prefix WHERE prefix = '10.65.3.0/24' AND vrf_id IS NOT NULL;
DELETE FROM prefix WHERE prefix = '2001:db8:65:ff00::/56';
DELETE FROM prefix WHERE prefix = '10.66.0.0/24';
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'single-row DELETEs of prefixes leave the exact free space');
SELECT results_eq($$SELECT free_prefixes('10.65.0.0/20')$$,
                  $$VALUES ('10.65.0.64/26'::cidr), ('10.65.0.128/25'), ('10.65.1.0/24'), ('10.65.2.0/23'), ('10.65.5.0/24'),
                           ('10.65.6.0/23'), ('10.65.12.0/23'), ('10.65.14.0/24'), ('10.65.15.0/25'), ('10.65.15.128/26')$$,
                  '... each gives its space back to its owner, merged, and what it held keeps its own');

SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'mountaineer'::regnamespace
       AND p.proname IN ('free_take_addresses', 'free_release_addresses', 'ip_address_free_insert', 'ip_address_free_update',
                         'ip_address_free_delete', 'ip_address_free_delete_full', 'prefix_free_insert', 'prefix_free_insert_full',
                         'prefix_free_delete', 'prefix_free_delete_full')
       AND (has_function_privilege('mountaineer_editor', p.oid, 'EXECUTE') OR has_function_privilege('public', p.oid, 'EXECUTE'))$$,
    'the new upkeep functions are executable by neither PUBLIC nor the editor');

-- (1.7) their queries probe a table once per row of the statement: no
-- sequential scan (a table emptied and vacuumed has statistics that made
-- the planner scan it whole for each row) and no JIT; free_take_addresses()
-- keeps one plan for arrays of every length
SELECT is((
    SELECT string_agg(p.proname || ' ' || array_to_string(p.proconfig, ','), '; ' ORDER BY p.proname) FROM pg_proc p
     WHERE p.pronamespace = 'mountaineer'::regnamespace
       AND p.proname IN ('free_take_addresses', 'free_release_addresses', 'prefix_free_insert_full', 'prefix_free_delete_full',
                         'prefix_keep_addresses_new', 'prefix_keep_addresses_gone')),
    'free_release_addresses search_path=pg_catalog, pg_temp,enable_seqscan=off,jit=off; '
    'free_take_addresses search_path=pg_catalog, pg_temp,enable_seqscan=off,jit=off,plan_cache_mode=force_generic_plan; '
    'prefix_free_delete_full search_path=pg_catalog, pg_temp,enable_seqscan=off,jit=off; '
    'prefix_free_insert_full search_path=pg_catalog, pg_temp,enable_seqscan=off,jit=off; '
    'prefix_keep_addresses_gone search_path=pg_catalog, pg_temp,enable_seqscan=off,jit=off; '
    'prefix_keep_addresses_new search_path=pg_catalog, pg_temp,enable_seqscan=off,jit=off',
    'the per-statement functions that probe a table per row run without sequential scans and JIT');

SELECT * FROM finish();
ROLLBACK;
