-- mountaineer_networks 1.7, in C (src/address.c): free_add(owner,
-- owner_prefix, vkey, b), which gives a block back to a prefix's free space
-- merging buddies (a probe of prefix_free_pkey per buddy, the merged block
-- written into the heap and every index), and free_split(vkey, b,
-- new_owner), which takes a block out of the free block holding it.
-- free_add() against the PL/pgSQL it replaces:
-- the same free blocks after the same calls, one statement each and many
-- calls in one statement (each sees what the calls before it wrote), in
-- both families; merging stops at the owner's prefix and leaves other
-- owners' blocks alone; a block already free is refused by the primary key;
-- the refusals of bad arguments; and the statements through SPI, with the
-- same outcome, when prefix_free has a trigger, row-level security applies,
-- its primary key is not as the module made it, or the caller may not
-- delete from it (refused as the PL/pgSQL was).  free_split() against the
-- three statements it replaces: the same free blocks after the same calls
-- (addresses, prefixes given to a new owner, blocks exactly free), one
-- statement each and in one; false and nothing changed where no free block
-- holds the block; its refusals; the statements through SPI as above.
-- prefix_free_insert(), the statement trigger, in C for one new prefix in
-- free space while there is no reserved range (free_split()), else
-- prefix_free_insert_full(): the exact free space either way, and which
-- one ran; ip_address_free_delete(), in C for one deleted address while
-- there is no reserved range, else ip_address_free_delete_full(); and
-- prefix_free_delete(), in C for one deleted prefix, else
-- prefix_free_delete_full().
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(56);

-- owners whose own free space is emptied, so that only the calls fill it
INSERT INTO prefix (prefix) VALUES ('10.9.0.0/16'), ('10.9.0.0/17'), ('2001:db8:9::/48'), ('10.8.0.0/16');
DELETE FROM prefix_free WHERE prefix_id IN (SELECT id FROM prefix WHERE prefix IN ('10.9.0.0/16', '10.9.0.0/17', '2001:db8:9::/48'));
SELECT id AS p16 FROM prefix WHERE prefix = '10.9.0.0/16' \gset
SELECT id AS p17 FROM prefix WHERE prefix = '10.9.0.0/17' \gset
SELECT id AS p48 FROM prefix WHERE prefix = '2001:db8:9::/48' \gset

-- what free_add() was before 1.7
CREATE FUNCTION pg_temp.fa_plpgsql(owner uuid, owner_prefix cidr, vkey uuid, b cidr) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    len   int;
    lower cidr;
    buddy cidr;
BEGIN
    LOOP
        len := masklen(b);
        EXIT WHEN len <= masklen(owner_prefix);
        lower := set_masklen(b, len - 1);
        lower := set_masklen(lower, len);
        buddy := CASE WHEN b = lower THEN network(set_masklen(broadcast(lower) + 1, len)) ELSE lower END;
        DELETE FROM mountaineer.prefix_free WHERE prefix_id = owner AND masklen(block) = len AND block = buddy;
        EXIT WHEN NOT FOUND;
        b := set_masklen(b, len - 1);
    END LOOP;
    INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block) VALUES (owner, vkey, b);
END $$;

-- the calls: every /24 of the /17 but one, and the /28s of another /24 but
-- one, in a shuffled order (to the /17's owner); /56s of the IPv6 /48
CREATE TEMP TABLE fa_call (n int, owner uuid, owner_prefix cidr, b cidr) ON COMMIT DROP;
SELECT setseed(0.42);
INSERT INTO fa_call
SELECT row_number() OVER (ORDER BY random()), :'p17', '10.9.0.0/17', b FROM (
    SELECT network(set_masklen('10.9.0.0'::inet + g * 256, 24)) AS b FROM generate_series(0, 127) g WHERE g NOT IN (5, 77)
    UNION ALL
    SELECT network(set_masklen('10.9.77.0'::inet + g * 16, 28)) FROM generate_series(0, 15) g WHERE g <> 9) x;
INSERT INTO fa_call
SELECT 1000 + row_number() OVER (ORDER BY random()), :'p48', '2001:db8:9::/48',
       set_masklen(('2001:db8:9:' || to_hex(g * 256) || '::')::cidr, 56)
  FROM generate_series(0, 255) g WHERE g NOT IN (0, 200);

-- the free blocks the calls leave, one statement a call or all in one
CREATE FUNCTION pg_temp.fa_run(fn text, one_statement boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    c record;
    got text;
BEGIN
    IF one_statement THEN
        EXECUTE format('SELECT count(%s(c.owner, c.owner_prefix, mountaineer.vrf_key(NULL), c.b)) FROM (SELECT * FROM fa_call ORDER BY n) c', fn);
    ELSE
        FOR c IN SELECT * FROM fa_call ORDER BY n LOOP
            EXECUTE format('SELECT %s($1, $2, mountaineer.vrf_key(NULL), $3)', fn) USING c.owner, c.owner_prefix, c.b;
        END LOOP;
    END IF;
    SELECT string_agg(f.prefix_id::text || ' ' || f.block::text || ' ' || f.vrf_key::text, ', ' ORDER BY f.prefix_id, f.block)
      INTO got FROM mountaineer.prefix_free f WHERE f.prefix_id IN (SELECT owner FROM fa_call);
    RETURN got;
END $$;

-- what a run (pg_temp.fa_run or, below, fs_run) returns, in a
-- subtransaction that is undone
CREATE FUNCTION pg_temp.outcome(run text, fn text, one_statement boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    got text;
BEGIN
    BEGIN
        EXECUTE format('SELECT %s($1, $2)', run) INTO got USING fn, one_statement;
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'undo';
    EXCEPTION WHEN raise_exception THEN
        RETURN got;
    END;
END $$;

-- the SQLSTATE and message a statement fails with
CREATE FUNCTION pg_temp.fa_error(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;

SELECT pg_temp.outcome('pg_temp.fa_run', 'pg_temp.fa_plpgsql', false) AS expected \gset
SELECT is(pg_temp.outcome('pg_temp.fa_run', 'mountaineer.free_add', false), :'expected',
          'one call a statement: the free blocks the PL/pgSQL leaves');
SELECT is(pg_temp.outcome('pg_temp.fa_run', 'mountaineer.free_add', true), :'expected',
          'all calls in one statement: the same (each call sees what those before it wrote)');
SELECT is(pg_temp.outcome('pg_temp.fa_run', 'pg_temp.fa_plpgsql', true), :'expected', '(the PL/pgSQL in one statement: the same)');

-- the calls kept from here on
SELECT pg_temp.fa_run('mountaineer.free_add', false) IS NOT NULL AS ran \gset
SELECT is((SELECT array_agg(block ORDER BY block) FROM prefix_free WHERE prefix_id = :'p17'),
          (SELECT array_agg(r ORDER BY r) FROM cidr_free('10.9.0.0/17', ARRAY['10.9.5.0/24', '10.9.77.144/28']::cidr[]) r),
          'the /17 holds the fewest blocks covering all but the two left out (cidr_free())');
SELECT is((SELECT array_agg(block ORDER BY block) FROM prefix_free WHERE prefix_id = :'p48'),
          (SELECT array_agg(r ORDER BY r) FROM cidr_free('2001:db8:9::/48', ARRAY['2001:db8:9::/56', '2001:db8:9:c800::/56']::cidr[]) r),
          'IPv6: the same for the /48');
SELECT free_add(:'p17', '10.9.0.0/17', vrf_key(NULL), '10.9.5.0/24');
SELECT free_add(:'p17', '10.9.0.0/17', vrf_key(NULL), '10.9.77.144/28');
SELECT is((SELECT array_agg(block) FROM prefix_free WHERE prefix_id = :'p17'), '{10.9.0.0/17}',
          'the last two: one block, the owner''s whole prefix, and no further');
SELECT is((SELECT count(*) FROM prefix_free WHERE prefix_id = :'p16'), 0::bigint,
          'the /17''s buddy (10.9.128.0/17) is not the /17''s: nothing given to the /16');
SELECT is(pg_temp.fa_error($$SELECT mountaineer.free_add('$$ || :'p17' || $$', '10.9.0.0/17', mountaineer.vrf_key(NULL), '10.9.0.0/17')$$),
          '23505 duplicate key value violates unique constraint "prefix_free_pkey"',
          'a block its owner already has free: refused by the primary key');

-- bad arguments
SELECT is(pg_temp.fa_error($$SELECT mountaineer.free_add(NULL, '10.9.0.0/17', mountaineer.vrf_key(NULL), '10.9.1.0/24')$$),
          '22004 free_add(): no argument may be NULL', 'a NULL argument: 22004');
SELECT is(pg_temp.fa_error($$SELECT mountaineer.free_add('$$ || :'p17' || $$', '10.9.0.0/17', mountaineer.vrf_key(NULL), '10.9.128.0/24')$$),
          '22023 free_add(): block 10.9.128.0/24 is not inside the owner''s prefix 10.9.0.0/17', 'a block outside the owner''s prefix: 22023');
SELECT is(pg_temp.fa_error($$SELECT mountaineer.free_add('$$ || :'p17' || $$', '10.9.0.0/17', mountaineer.vrf_key(NULL), '10.9.0.0/16')$$),
          '22023 free_add(): block 10.9.0.0/16 is not inside the owner''s prefix 10.9.0.0/17', 'a block holding the owner''s prefix: 22023');
SELECT is(pg_temp.fa_error($$SELECT mountaineer.free_add('$$ || :'p48' || $$', '2001:db8:9::/48', mountaineer.vrf_key(NULL), '10.9.0.0/24')$$),
          '22023 free_add(): block 10.9.0.0/24 is not inside the owner''s prefix 2001:db8:9::/48', 'a block of the other family: 22023');

-- through SPI: a trigger on prefix_free (it fires for every row the
-- statements write), the same outcome
DELETE FROM prefix_free WHERE prefix_id IN (:'p17', :'p48');
CREATE TEMP TABLE fa_seen (op text) ON COMMIT DROP;
CREATE FUNCTION pg_temp.fa_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO fa_seen VALUES (TG_OP);
    RETURN NULL;
END $$;
SAVEPOINT with_trigger;
CREATE TRIGGER fa_note AFTER INSERT OR DELETE ON prefix_free FOR EACH ROW EXECUTE FUNCTION pg_temp.fa_note();
SELECT pg_temp.fa_run('mountaineer.free_add', false) AS with_trigger \gset
SELECT count(*) FILTER (WHERE op = 'INSERT') AS seen_ins, count(*) FILTER (WHERE op = 'DELETE') AS seen_del FROM fa_seen \gset
ROLLBACK TO SAVEPOINT with_trigger;
SELECT is(:'with_trigger'::text, :'expected', 'a trigger on prefix_free: the same free blocks, through SPI');
SELECT is(ARRAY[:seen_ins, :seen_ins - :seen_del]::bigint[],
          ARRAY[(SELECT count(*) FROM fa_call),
                (SELECT count(*) FROM cidr_free('10.9.0.0/17', ARRAY['10.9.5.0/24', '10.9.77.144/28']::cidr[]))
                + (SELECT count(*) FROM cidr_free('2001:db8:9::/48', ARRAY['2001:db8:9::/56', '2001:db8:9:c800::/56']::cidr[]))],
          'the trigger saw an INSERT a call and a DELETE a buddy merged');

-- through SPI: prefix_free_pkey not as the module made it (its columns the
-- other way round), the same outcome
SAVEPOINT other_key;
ALTER TABLE prefix_free DROP CONSTRAINT prefix_free_pkey;
ALTER TABLE prefix_free ADD CONSTRAINT prefix_free_pkey PRIMARY KEY (block, prefix_id);
SELECT pg_temp.fa_run('mountaineer.free_add', false) AS other_key \gset
ROLLBACK TO SAVEPOINT other_key;
SELECT is(:'other_key'::text, :'expected', 'prefix_free_pkey not as made: the same free blocks, through SPI');

-- through SPI: row-level security on prefix_free for a role it applies to;
-- a policy hiding the /24s: no /24 is seen as a buddy, so none merges
SAVEPOINT rls;
CREATE ROLE fa_editor;
GRANT USAGE ON SCHEMA mountaineer TO fa_editor;
GRANT SELECT, INSERT, DELETE ON prefix_free TO fa_editor;
GRANT EXECUTE ON FUNCTION free_add(uuid, cidr, uuid, cidr) TO fa_editor;
ALTER TABLE prefix_free ENABLE ROW LEVEL SECURITY;
CREATE POLICY fa_not_24 ON prefix_free USING (masklen(block) <> 24) WITH CHECK (true);
SET LOCAL ROLE fa_editor;
SELECT mountaineer.free_add(:'p17', '10.9.0.0/17', mountaineer.vrf_key(NULL), '10.9.0.0/24');
SELECT mountaineer.free_add(:'p17', '10.9.0.0/17', mountaineer.vrf_key(NULL), '10.9.1.0/24');
RESET ROLE;
SELECT array_agg(block ORDER BY block)::text AS rls_blocks FROM prefix_free WHERE prefix_id = :'p17' \gset
ROLLBACK TO SAVEPOINT rls;
SELECT is(:'rls_blocks'::text, '{10.9.0.0/24,10.9.1.0/24}', 'under row-level security: the policies hold (the hidden /24 is not merged)');

-- a caller that may not delete from prefix_free is refused as the PL/pgSQL was
SAVEPOINT no_delete;
CREATE ROLE fa_reader;
GRANT USAGE ON SCHEMA mountaineer TO fa_reader;
GRANT SELECT, INSERT ON prefix_free TO fa_reader;
GRANT EXECUTE ON FUNCTION free_add(uuid, cidr, uuid, cidr), vrf_key(uuid) TO fa_reader;
SET LOCAL ROLE fa_reader;
SELECT pg_temp.fa_error($$SELECT mountaineer.free_add('$$ || :'p17' || $$', '10.9.0.0/17', mountaineer.vrf_key(NULL), '10.9.0.0/24')$$) AS no_delete \gset
RESET ROLE;
ROLLBACK TO SAVEPOINT no_delete;
SELECT is(:'no_delete'::text, '42501 permission denied for table prefix_free',
          'a caller without DELETE on prefix_free: 42501, as the PL/pgSQL gave');

-- free_split(): the calls, in a shuffled order, on a /16 whose free space
-- is whole: /24s given to new owners, /28s inside other /24s given to new
-- owners or to none, addresses (to none), and some blocks twice (the second
-- finds no free block holding it); IPv6 /64s and addresses of a /48
INSERT INTO prefix (prefix) VALUES ('10.7.0.0/16'), ('2001:db8:7::/48');
CREATE TEMP TABLE fs_call (n int, vk uuid, b cidr, new_owner uuid) ON COMMIT DROP;
SELECT setseed(0.17);
INSERT INTO fs_call
SELECT row_number() OVER (ORDER BY random()), vrf_key(NULL), b, o FROM (
    SELECT network(set_masklen('10.7.0.0'::inet + g * 256, 24)) AS b, md5('fs' || g)::uuid AS o FROM generate_series(0, 255, 3) g
    UNION ALL
    SELECT network(set_masklen('10.7.1.0'::inet + g * 16, 28)), CASE WHEN g % 2 = 0 THEN md5('fs28' || g)::uuid END FROM generate_series(0, 15, 2) g
    UNION ALL
    SELECT ('10.7.2.0'::inet + g)::cidr, NULL FROM generate_series(0, 255, 7) g
    UNION ALL
    SELECT ('10.7.0.0'::inet + g)::cidr, NULL FROM generate_series(1, 9) g
    UNION ALL
    SELECT set_masklen(('2001:db8:7:' || to_hex(g) || '::')::cidr, 64), md5('fs6' || g)::uuid FROM generate_series(0, 200, 9) g
    UNION ALL
    SELECT ('2001:db8:7:1::'::inet + g)::cidr, NULL FROM generate_series(0, 30, 3) g) x;

-- the three statements free_split() replaces (1.7's PL/pgSQL before it)
CREATE FUNCTION pg_temp.fs_plpgsql(vkey uuid, b cidr, new_owner uuid) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    held record;
BEGIN
    SELECT h.prefix_id, h.block INTO held FROM mountaineer.free_block_holding(vkey, b) h;
    IF held.block IS NULL THEN
        RETURN false;
    END IF;
    DELETE FROM mountaineer.prefix_free x WHERE x.prefix_id = held.prefix_id AND x.block = held.block;
    INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block)
    SELECT held.prefix_id, vkey, r FROM mountaineer.cidr_free(held.block, ARRAY[b]) r
     UNION ALL
    SELECT new_owner, vkey, b WHERE new_owner IS NOT NULL;
    RETURN true;
END $$;

-- the free blocks of the VRF and the answers, one statement a call or all in one
CREATE FUNCTION pg_temp.fs_run(fn text, one_statement boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    c record;
    answers text := '';
    a boolean;
    got text;
BEGIN
    IF one_statement THEN
        EXECUTE format('SELECT string_agg(%s(c.vk, c.b, c.new_owner)::text, '''' ORDER BY c.n) FROM (SELECT * FROM fs_call ORDER BY n) c', fn)
           INTO answers;
    ELSE
        FOR c IN SELECT * FROM fs_call ORDER BY n LOOP
            EXECUTE format('SELECT %s($1, $2, $3)', fn) INTO a USING c.vk, c.b, c.new_owner;
            answers := answers || a::text;
        END LOOP;
    END IF;
    SELECT string_agg(f.prefix_id::text || ' ' || f.block::text, ', ' ORDER BY f.block, f.prefix_id)
      INTO got FROM mountaineer.prefix_free f
     WHERE f.vrf_key = mountaineer.vrf_key(NULL) AND (f.block <<= '10.7.0.0/16' OR f.block <<= '2001:db8:7::/48');
    RETURN answers || ': ' || got;
END $$;

SELECT pg_temp.outcome('pg_temp.fs_run', 'pg_temp.fs_plpgsql', false) AS fs_expected \gset
SELECT cmp_ok(length(:'fs_expected'), '>', 10000, '(the calls leave many free blocks)');
SELECT is(pg_temp.outcome('pg_temp.fs_run', 'mountaineer.free_split', false), :'fs_expected',
          'free_split(), one call a statement: the answers and free blocks of the statements it replaces');
SELECT is(pg_temp.outcome('pg_temp.fs_run', 'mountaineer.free_split', true), :'fs_expected',
          'all calls in one statement: the same');
SELECT ok(split_part(:'fs_expected', ':', 1) LIKE '%truefalse%' AND split_part(:'fs_expected', ':', 1) LIKE '%falsetrue%',
          '(some calls answer false: an earlier one took part of their block)');

SELECT count(*) AS before_count FROM prefix_free \gset
SELECT is(free_split(vrf_key(NULL), '10.9.128.0/24'), false, 'a block no free block holds: false');
SELECT is((SELECT count(*) FROM prefix_free), :before_count::bigint, 'and nothing changed');
SELECT is(free_split(vrf_key(NULL), '10.7.0.0/16', '00000000-0000-0000-0000-00000000f5f5'), true, 'a block that is a free block itself: true');
SELECT is((SELECT array_agg(prefix_id::text || ' ' || block::text) FROM prefix_free WHERE block <<= '10.7.0.0/16'),
          '{00000000-0000-0000-0000-00000000f5f5 10.7.0.0/16}', 'it went to the new owner whole, nothing left behind');
SELECT is(pg_temp.fa_error($$SELECT mountaineer.free_split(NULL, '10.9.1.0/24')$$),
          '22004 free_split(): the VRF key and the block may not be NULL', 'a NULL VRF key: 22004');

-- through SPI: a trigger on prefix_free, and a caller who may not delete from it
SAVEPOINT split_trigger;
CREATE TRIGGER fa_note AFTER INSERT OR DELETE ON prefix_free FOR EACH ROW EXECUTE FUNCTION pg_temp.fa_note();
DELETE FROM prefix_free WHERE block <<= '10.7.0.0/16';
INSERT INTO prefix_free (prefix_id, vrf_key, block) SELECT id, vrf_key(NULL), prefix FROM prefix WHERE prefix = '10.7.0.0/16';
SELECT pg_temp.fs_run('mountaineer.free_split', false) AS split_trigger \gset
ROLLBACK TO SAVEPOINT split_trigger;
SELECT is(:'split_trigger'::text, :'fs_expected', 'free_split() with a trigger on prefix_free: the same, through SPI');
SAVEPOINT split_no_delete;
CREATE ROLE fs_reader;
GRANT USAGE ON SCHEMA mountaineer TO fs_reader;
GRANT SELECT, INSERT ON prefix_free TO fs_reader;
GRANT EXECUTE ON FUNCTION free_split(uuid, cidr, uuid), free_block_holding(uuid, cidr), vrf_key(uuid) TO fs_reader;
SET LOCAL ROLE fs_reader;
SELECT pg_temp.fa_error($$SELECT mountaineer.free_split(mountaineer.vrf_key(NULL), '10.7.200.0/24')$$) AS split_no_delete \gset
RESET ROLE;
ROLLBACK TO SAVEPOINT split_no_delete;
SELECT is(:'split_no_delete'::text, '42501 permission denied for table prefix_free',
          'free_split() for a caller without DELETE on prefix_free: 42501, as the statements gave');
-- prefix_free_insert(): single-row INSERTs of prefixes with no reserved
-- range (the C's way, when the prefix lies in a free block), counting the
-- calls of the PL/pgSQL
SET LOCAL track_functions = 'pl';
CREATE FUNCTION pg_temp.full_calls() RETURNS bigint LANGUAGE sql AS $$
    SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_xact_user_functions
     WHERE schemaname = 'mountaineer' AND funcname IN ('prefix_free_insert_full', 'ip_address_free_delete_full', 'prefix_free_delete_full')
$$;
CREATE FUNCTION pg_temp.full_calls_by(stmts text[]) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    before bigint := pg_temp.full_calls();
    s text;
BEGIN
    FOREACH s IN ARRAY stmts LOOP
        EXECUTE s;
    END LOOP;
    RETURN pg_temp.full_calls() - before;
END $$;
INSERT INTO vrf (name) VALUES ('fsc-red');
INSERT INTO prefix (prefix) VALUES ('10.6.0.0/16'), ('2001:db8:6::/48');
INSERT INTO prefix (vrf_id, prefix) SELECT id, '10.6.0.0/16' FROM vrf WHERE name = 'fsc-red';
INSERT INTO ip_address (address) VALUES ('10.6.9.1');
SELECT is((SELECT count(*) FROM ip_range), 0::bigint, '(no reserved range)');
SELECT is(pg_temp.full_calls_by(ARRAY[
    $$INSERT INTO mountaineer.prefix (prefix) VALUES ('10.6.0.0/26')$$,
    $$INSERT INTO mountaineer.prefix (prefix) VALUES ('10.6.255.192/26')$$,
    $$INSERT INTO mountaineer.prefix (prefix) VALUES ('10.6.0.64/26')$$,
    $$INSERT INTO mountaineer.prefix (prefix) VALUES ('10.6.0.128/25')$$,
    $$INSERT INTO mountaineer.prefix (prefix) VALUES ('10.6.4.0/22')$$,
    $$INSERT INTO mountaineer.prefix (prefix) VALUES ('10.6.4.0/24')$$,
    $$INSERT INTO mountaineer.prefix (vrf_id, prefix) SELECT id, '10.6.3.0/24' FROM mountaineer.vrf WHERE name = 'fsc-red'$$,
    $$INSERT INTO mountaineer.prefix (prefix) VALUES ('2001:db8:6:ff00::/56')$$]), 0::bigint,
    'one new prefix in free space a statement, in the global table, a VRF and IPv6, none over another: the C alone');
SELECT is_empty($$SELECT * FROM prefix_free_verify() WHERE prefix <<= '10.5.0.0/16' OR prefix <<= '10.6.0.0/16' OR prefix <<= '2001:db8:6::/48'$$,
                '... and the free space is exact');
SELECT is(pg_temp.full_calls_by(ARRAY[
    $$INSERT INTO mountaineer.prefix (prefix) VALUES ('10.6.8.0/21')$$,
    $$INSERT INTO mountaineer.prefix (prefix) VALUES ('10.6.4.0/23')$$,
    $$INSERT INTO mountaineer.prefix (prefix) VALUES ('10.5.0.0/16')$$]), 3::bigint,
    'a prefix over an address, one over prefixes made before it, one of no owner: the PL/pgSQL');
SELECT is(pg_temp.full_calls_by(ARRAY[$$INSERT INTO mountaineer.prefix (prefix) VALUES ('10.6.64.0/24'), ('10.6.65.0/24')$$]), 1::bigint,
          'two rows in one statement: the PL/pgSQL');
SELECT is_empty($$SELECT * FROM prefix_free_verify() WHERE prefix <<= '10.5.0.0/16' OR prefix <<= '10.6.0.0/16' OR prefix <<= '2001:db8:6::/48'$$,
                '... and the free space is exact');
-- ip_address_free_delete(): single-row DELETEs of addresses with no range
INSERT INTO ip_address (address) SELECT '10.6.40.0'::inet + g FROM generate_series(0, 9) g;
INSERT INTO ip_address (vrf_id, address) SELECT id, '10.6.40.5' FROM vrf WHERE name = 'fsc-red';
INSERT INTO ip_address (address) VALUES ('2001:db8:6:1::7'), ('2001:db8:6:1::6'), ('192.0.2.77');
SELECT is(pg_temp.full_calls_by(ARRAY[
    $$DELETE FROM mountaineer.ip_address WHERE address = '10.6.40.1/16'$$,
    $$DELETE FROM mountaineer.ip_address WHERE address = '10.6.40.0/16'$$,
    $$DELETE FROM mountaineer.ip_address WHERE address = '10.6.40.7/16'$$,
    $$DELETE FROM mountaineer.ip_address WHERE host_addr = '10.6.40.5/32' AND vrf_id IS NOT NULL$$,
    $$DELETE FROM mountaineer.ip_address WHERE host_addr = '2001:db8:6:1::7/128'$$,
    $$DELETE FROM mountaineer.ip_address WHERE host_addr = '192.0.2.77/32'$$]), 0::bigint,
    'one deleted address a statement: merging up, beside others, in a VRF, IPv6, in no prefix: the C alone');
SELECT is_empty($$SELECT * FROM prefix_free_verify() WHERE prefix <<= '10.5.0.0/16' OR prefix <<= '10.6.0.0/16' OR prefix <<= '2001:db8:6::/48'$$,
                '... and the free space is exact');
SELECT is((SELECT array_agg(block ORDER BY block)::text FROM prefix_free WHERE block <<= '10.6.40.0/28'),
          '{10.6.40.0/31,10.6.40.7/32,10.6.40.10/31,10.6.40.12/30}',
          '... the first two merged into their /31, the third alone beside the addresses left');
SELECT is(pg_temp.full_calls_by(ARRAY[$$DELETE FROM mountaineer.ip_address WHERE host_addr IN ('10.6.40.8/32', '10.6.40.9/32')$$]), 1::bigint,
          'two addresses in one statement: the PL/pgSQL');
INSERT INTO ip_range (start_address, end_address) VALUES ('10.6.32.10', '10.6.32.20');
SELECT is(pg_temp.full_calls_by(ARRAY[$$DELETE FROM mountaineer.ip_address WHERE host_addr = '10.6.40.2/32'$$]), 1::bigint,
          'one address while there is a reserved range: the PL/pgSQL');
SELECT is_empty($$SELECT * FROM prefix_free_verify() WHERE prefix <<= '10.5.0.0/16' OR prefix <<= '10.6.0.0/16' OR prefix <<= '2001:db8:6::/48'$$,
                '... and the free space is exact');
SELECT is(pg_temp.full_calls_by(ARRAY[$$INSERT INTO mountaineer.prefix (prefix) VALUES ('10.6.33.0/24')$$]), 1::bigint,
          'one prefix in free space while there is a reserved range: the PL/pgSQL');
SELECT is(pg_temp.fa_error($$INSERT INTO mountaineer.prefix (prefix) VALUES ('10.6.32.16/28')$$),
          '23514 prefix 10.6.32.16/28 cuts across reserved range 10.6.32.10 - 10.6.32.20',
          '... which refuses one cutting across it');

-- prefix_free_delete(): single-row DELETEs of prefixes (ranges or not)
SELECT is(pg_temp.full_calls_by(ARRAY[
    $$DELETE FROM mountaineer.prefix WHERE prefix = '10.6.0.64/26'$$,
    $$DELETE FROM mountaineer.prefix WHERE prefix = '10.6.0.0/26'$$,
    $$DELETE FROM mountaineer.prefix WHERE prefix = '10.6.4.0/22'$$,
    $$DELETE FROM mountaineer.prefix WHERE prefix = '10.6.8.0/21'$$,
    $$DELETE FROM mountaineer.prefix WHERE prefix = '10.6.3.0/24' AND vrf_id IS NOT NULL$$,
    $$DELETE FROM mountaineer.prefix WHERE prefix = '2001:db8:6:ff00::/56'$$,
    $$DELETE FROM mountaineer.prefix WHERE prefix = '10.5.0.0/16'$$]), 0::bigint,
    'one deleted prefix a statement: wholly free, merging with its buddy, holding prefixes, holding an address, in a VRF, IPv6, of no owner: the C alone');
SELECT is_empty($$SELECT * FROM prefix_free_verify() WHERE prefix <<= '10.5.0.0/16' OR prefix <<= '10.6.0.0/16' OR prefix <<= '2001:db8:6::/48'$$,
                '... and the free space is exact');
SELECT is((SELECT count(*) FROM prefix_free WHERE block <<= '10.5.0.0/16'), 0::bigint, '... the free space of the one of no owner is gone');
SELECT is(pg_temp.full_calls_by(ARRAY[$$DELETE FROM mountaineer.prefix WHERE prefix IN ('10.6.64.0/24', '10.6.65.0/24')$$]), 1::bigint,
          'two prefixes in one statement: the PL/pgSQL');
-- the owner found through the free space (the buddy of the prefix or of an
-- ancestor a few levels up is a free block of it), or by the index when
-- the buddies hold addresses all the way up; a prefix whose twin in the
-- all-zero VRF (one VRF key for both) outlives it
INSERT INTO vrf (id, name) VALUES ('00000000-0000-0000-0000-000000000000', 'fsc-zero');
INSERT INTO prefix (prefix) VALUES ('10.6.160.0/28'), ('10.6.160.16/28'), ('10.6.176.0/28');
INSERT INTO prefix (prefix) VALUES ('10.6.200.0/24');
INSERT INTO prefix (prefix) VALUES ('10.6.200.0/25');
INSERT INTO prefix (vrf_id, prefix) VALUES ('00000000-0000-0000-0000-000000000000', '10.6.200.0/24');
SELECT is_empty($$SELECT * FROM prefix_free_verify() WHERE prefix <<= '10.6.200.0/24'$$, '(a twin made, the free space exact)');
INSERT INTO ip_address (address) SELECT '10.6.176.0'::inet + (1 << k) * 16 FROM generate_series(0, 9) k;
SELECT is(pg_temp.full_calls_by(ARRAY[
    $$DELETE FROM mountaineer.prefix WHERE prefix = '10.6.160.0/28'$$,
    $$DELETE FROM mountaineer.prefix WHERE prefix = '10.6.176.0/28'$$,
    $$DELETE FROM mountaineer.prefix WHERE prefix = '10.6.200.0/24' AND vrf_id IS NULL$$]), 0::bigint,
    'a prefix whose buddy is a prefix, one whose buddies hold addresses ten levels up, one with a twin: the C alone');
SELECT is_empty($$SELECT * FROM prefix_free_verify() WHERE prefix <<= '10.5.0.0/16' OR prefix <<= '10.6.0.0/16' OR prefix <<= '2001:db8:6::/48'$$,
                '... and the free space is exact');
SELECT is((SELECT p.vrf_id FROM prefix_free f JOIN prefix p ON p.id = f.prefix_id WHERE f.block = '10.6.200.128/25'),
          '00000000-0000-0000-0000-000000000000'::uuid, '... the twin''s block went to the twin');
-- (each twin made after a child of the first: a twin made over a prefix
-- wholly free takes its free block from it, a fault of 1.7 not mended here)
INSERT INTO prefix (prefix) VALUES ('10.6.210.0/24');
INSERT INTO prefix (prefix) VALUES ('10.6.210.0/25');
INSERT INTO prefix (prefix) VALUES ('10.6.211.0/24');
INSERT INTO prefix (prefix) VALUES ('10.6.220.0/24');
INSERT INTO prefix (prefix) VALUES ('10.6.220.128/25');
INSERT INTO prefix (vrf_id, prefix) VALUES ('00000000-0000-0000-0000-000000000000', '10.6.210.0/24');
INSERT INTO prefix (vrf_id, prefix) VALUES ('00000000-0000-0000-0000-000000000000', '10.6.220.0/24');
SELECT is_empty($$SELECT * FROM prefix_free_verify() WHERE prefix <<= '10.6.208.0/20'$$, '(twins made, the free space exact)');
SELECT is(pg_temp.full_calls_by(ARRAY[
    $$DELETE FROM mountaineer.prefix WHERE prefix IN ('10.6.210.0/24', '10.6.211.0/24') AND vrf_id IS NULL$$]), 1::bigint,
    'two prefixes, one with a twin, in one statement: the PL/pgSQL');
SELECT lives_ok($$UPDATE mountaineer.prefix SET prefix = '10.6.221.0/24' WHERE prefix = '10.6.220.0/24' AND vrf_id IS NULL$$,
                'a prefix with a twin moves (its space is not given to the twin, which has its own)');
SELECT is_empty($$SELECT * FROM prefix_free_verify() WHERE prefix <<= '10.5.0.0/16' OR prefix <<= '10.6.0.0/16' OR prefix <<= '2001:db8:6::/48'$$,
                '... and the free space is exact after both');

-- in a read-only transaction (as on a standby): refused as the PL/pgSQL's DELETE was
SAVEPOINT read_only;
SET LOCAL transaction_read_only = on;
SELECT pg_temp.fa_error($$SELECT mountaineer.free_add('$$ || :'p17' || $$', '10.9.0.0/17', mountaineer.vrf_key(NULL), '10.9.0.0/24')$$) AS ro_add \gset
SELECT pg_temp.fa_error($$SELECT mountaineer.free_split(mountaineer.vrf_key(NULL), '10.6.250.0/24')$$) AS ro_split \gset
ROLLBACK TO SAVEPOINT read_only;
SELECT is(:'ro_add'::text, '25006 cannot execute DELETE in a read-only transaction', 'free_add() in a read-only transaction: 25006');
SELECT is(:'ro_split'::text, '25006 cannot execute DELETE in a read-only transaction', 'free_split() in a read-only transaction: 25006');

SELECT * FROM finish();
ROLLBACK;
