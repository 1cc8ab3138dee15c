-- mountaineer_networks 1.7: ip_address_check() in C (src/address.c) against
-- ip_address_check_full(), the PL/pgSQL it runs for every row it does not
-- answer itself: over every rule's edge (masks, network and broadcast
-- addresses, pools, /31s, reserved ranges, no prefix, IPv6, dns_name, a
-- port and a host, updates), both give the same outcome, the row as stored
-- or the same refusal (SQLSTATE, message, detail, hint); a free address is
-- answered without calling the PL/pgSQL.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(11);

--------------------------------------------------------------------------
-- Fixture: the global table and VRF ac-blue; prefixes (a /24, a /30, a /31,
-- a pool, a /24 holding a /26, an IPv6 /64, and one in ac-blue); reserved
-- ranges, one allowing addresses; a host on a device with port eth0, a
-- device with port eth9; address 10.71.1.9 taken.
--------------------------------------------------------------------------
INSERT INTO vrf (id, name) VALUES ('00000000-0000-0000-0000-0000000ac0b1', 'ac-blue');
INSERT INTO prefix (prefix) VALUES ('10.71.1.0/24'), ('10.71.2.0/30'), ('10.71.3.0/31'), ('10.71.5.0/24'),
    ('10.71.5.64/26'), ('2001:db8:71::/64');
INSERT INTO prefix (prefix, is_pool) VALUES ('10.71.4.0/24', true);
INSERT INTO prefix (vrf_id, prefix) VALUES ('00000000-0000-0000-0000-0000000ac0b1', '10.71.1.0/25');
INSERT INTO ip_range (start_address, end_address) VALUES ('10.71.1.100', '10.71.1.150');
INSERT INTO ip_range (start_address, end_address, allow_addresses) VALUES ('10.71.1.200', '10.71.1.210', true);
INSERT INTO environment (name) VALUES ('ac-env');
INSERT INTO device (kind, name, units) VALUES ('server', 'ac-srv', 1), ('server', 'ac-other', 1);
INSERT INTO port (device_id, name, kind) SELECT id, 'eth0', 'interface' FROM device WHERE name = 'ac-srv';
INSERT INTO port (device_id, name, kind) SELECT id, 'eth9', 'interface' FROM device WHERE name = 'ac-other';
INSERT INTO host (id, hostname, environment_id, device_id)
SELECT '00000000-0000-0000-0000-0000000ac0a1', 'ac1.example.org', e.id, d.id FROM environment e, device d
 WHERE e.name = 'ac-env' AND d.name = 'ac-srv';
INSERT INTO ip_address (id, address, dns_name) VALUES ('00000000-0000-0000-0000-0000000ac001', '10.71.1.9', 'nine.example.org');
-- a prefix made by a function the writing statement calls: its free space
-- is there when the address is checked
CREATE FUNCTION pg_temp.new_prefix(p cidr) RETURNS cidr LANGUAGE sql AS $$
    INSERT INTO mountaineer.prefix (prefix) VALUES ($1) RETURNING prefix $$;
CREATE FUNCTION pg_temp.port(device text) RETURNS uuid LANGUAGE sql AS $$
    SELECT p.id FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id WHERE d.name = $1 $$;

-- the full check as a trigger of its own, off until a case turns it on
CREATE TRIGGER check_address_pl BEFORE INSERT OR UPDATE ON ip_address
    FOR EACH ROW EXECUTE FUNCTION ip_address_check_full();
ALTER TABLE ip_address DISABLE TRIGGER check_address_pl;

-- What a statement does, by path 'c' (the trigger as installed) or 'pl'
-- (check_address off, check_address_pl on): the addresses with ids
-- ...ac0xx as stored, or the refusal.  Always rolled back.
CREATE FUNCTION pg_temp.outcome(stmt text, path text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; det text; hint text; rows text;
BEGIN
    IF path = 'pl' THEN
        ALTER TABLE mountaineer.ip_address DISABLE TRIGGER check_address, ENABLE TRIGGER check_address_pl;
    END IF;
    EXECUTE stmt;
    SELECT string_agg(format('%s %s %s', a.address, coalesce(a.dns_name, '-'), coalesce(v.name, 'global')), ', ' ORDER BY a.id)
      INTO rows
      FROM mountaineer.ip_address a LEFT JOIN mountaineer.vrf v ON v.id = a.vrf_id
     WHERE a.id::text LIKE '00000000-0000-0000-0000-0000000ac0__';
    RAISE EXCEPTION '%', rows USING ERRCODE = 'MTR00';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN CASE WHEN st = 'MTR00' THEN 'ok: ' || msg ELSE format('%s %s / %s / %s', st, msg, det, hint) END;
END $$;

-- calls of ip_address_check_full() that returned, from here
SET LOCAL track_functions = 'pl';
CREATE FUNCTION pg_temp.full_calls() RETURNS numeric LANGUAGE sql AS $$
    SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions WHERE funcname = 'ip_address_check_full' $$;

CREATE TEMP TABLE addr_case (what text, stmt text, c text, pl text, c_full numeric);
INSERT INTO addr_case (what, stmt) SELECT what, format('INSERT INTO mountaineer.ip_address (id, address%s) VALUES (%L, %s)',
        CASE WHEN extra IS NULL THEN '' ELSE ', ' || split_part(extra, '=', 1) END,
        '00000000-0000-0000-0000-0000000ac002', quote_literal(address) || coalesce(', ' || split_part(extra, '=', 2), ''))
  FROM (VALUES
    ('free, bare', '10.71.1.20', NULL),
    ('free, with its mask', '10.71.1.20/24', NULL),
    ('free, with another mask', '10.71.1.20/16', NULL),
    ('free, as a /32 in a /24', '10.71.1.20/32', NULL),
    ('the network address of a /24', '10.71.1.0', NULL),
    ('the broadcast address of a /24', '10.71.1.255', NULL),
    ('the network address of a /30', '10.71.2.0', NULL),
    ('the broadcast address of a /30', '10.71.2.3', NULL),
    ('inside a /30', '10.71.2.1', NULL),
    ('both addresses of a /31', '10.71.3.0', NULL),
    ('the network address of a pool', '10.71.4.0', NULL),
    ('the broadcast address of a pool', '10.71.4.255', NULL),
    ('in a child /26', '10.71.5.70', NULL),
    ('the network address of a child /26', '10.71.5.64', NULL),
    ('in the parent, outside the child', '10.71.5.10', NULL),
    ('in a reserved range', '10.71.1.120', NULL),
    ('in a reserved range that allows addresses', '10.71.1.205', NULL),
    ('in no prefix, bare', '192.0.2.7', NULL),
    ('in no prefix, masked', '192.0.2.7/24', NULL),
    ('IPv6, bare', '2001:db8:71::7', NULL),
    ('IPv6, with its mask', '2001:db8:71::7/64', NULL),
    ('IPv6, another mask', '2001:db8:71::7/48', NULL),
    ('IPv6, the first address', '2001:db8:71::', NULL),
    ('taken', '10.71.1.9', NULL),
    ('in a VRF', '10.71.1.20', 'vrf_id=''00000000-0000-0000-0000-0000000ac0b1'''),
    ('in a VRF, the global prefix''s mask', '10.71.1.20/24', 'vrf_id=''00000000-0000-0000-0000-0000000ac0b1'''),
    ('a normal dns_name', '10.71.1.21', 'dns_name=''a.example.org'''),
    ('a dns_name to lower-case', '10.71.1.21', 'dns_name=''A.Example.ORG.'''),
    ('an invalid dns_name', '10.71.1.21', 'dns_name=''not a name'''),
    ('a host and its port', '10.71.1.22', 'host_id, port_id=''00000000-0000-0000-0000-0000000ac0a1'', pg_temp.port(''ac-srv'')'),
    ('a host and another device''s port', '10.71.1.22', 'host_id, port_id=''00000000-0000-0000-0000-0000000ac0a1'', pg_temp.port(''ac-other'')'),
    ('a port alone', '10.71.1.22', 'port_id=pg_temp.port(''ac-other'')'),
    ('a host alone', '10.71.1.22', 'host_id=''00000000-0000-0000-0000-0000000ac0a1''')
  ) v(what, address, extra);
INSERT INTO addr_case (what, stmt) VALUES
    ('a NULL address', $$INSERT INTO mountaineer.ip_address (id, address) VALUES ('00000000-0000-0000-0000-0000000ac002', NULL)$$),
    ('an update of its dns_name only', $$UPDATE mountaineer.ip_address SET dns_name = 'Nine.Example.org' WHERE id = '00000000-0000-0000-0000-0000000ac001'$$),
    ('an update rewriting the address unchanged', $$UPDATE mountaineer.ip_address SET address = address WHERE id = '00000000-0000-0000-0000-0000000ac001'$$),
    ('an update to a free address', $$UPDATE mountaineer.ip_address SET address = '10.71.1.30' WHERE id = '00000000-0000-0000-0000-0000000ac001'$$),
    ('an update to a network address', $$UPDATE mountaineer.ip_address SET address = '10.71.2.0' WHERE id = '00000000-0000-0000-0000-0000000ac001'$$),
    ('an update to a bare address in its own network', $$UPDATE mountaineer.ip_address SET address = '10.71.1.9' WHERE id = '00000000-0000-0000-0000-0000000ac001'$$),
    ('an update to another VRF', $$UPDATE mountaineer.ip_address SET vrf_id = '00000000-0000-0000-0000-0000000ac0b1' WHERE id = '00000000-0000-0000-0000-0000000ac001'$$),
    ('two free addresses in one statement', $$INSERT INTO mountaineer.ip_address (id, address) VALUES ('00000000-0000-0000-0000-0000000ac002', '10.71.1.40'), ('00000000-0000-0000-0000-0000000ac003', '10.71.1.41')$$),
    ('one address twice in one statement', $$INSERT INTO mountaineer.ip_address (id, address) VALUES ('00000000-0000-0000-0000-0000000ac002', '10.71.1.40'), ('00000000-0000-0000-0000-0000000ac003', '10.71.1.40/24')$$),
    ('an address after its prefix, in one statement', $$WITH p AS (INSERT INTO mountaineer.prefix (prefix) VALUES ('10.72.0.0/16') RETURNING id)
        INSERT INTO mountaineer.ip_address (id, address) SELECT '00000000-0000-0000-0000-0000000ac002', '10.72.0.5' FROM p$$),
    ('the network address of a /30 the statement makes a pool', $$WITH p AS (UPDATE mountaineer.prefix SET is_pool = true WHERE prefix = '10.71.2.0/30' RETURNING id)
        INSERT INTO mountaineer.ip_address (id, address) SELECT '00000000-0000-0000-0000-0000000ac002', '10.71.2.0' FROM p$$),
    ('an address after a function made its prefix', $$INSERT INTO mountaineer.ip_address (id, address)
        SELECT '00000000-0000-0000-0000-0000000ac002', set_masklen(p, 32) + 5 FROM pg_temp.new_prefix('10.73.0.0/16') p$$);

-- the C path first, counting the PL/pgSQL's calls per case
CREATE FUNCTION pg_temp.run_c() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r record; before numeric;
BEGIN
    FOR r IN SELECT what, stmt FROM addr_case LOOP
        before := pg_temp.full_calls();
        UPDATE addr_case SET c = pg_temp.outcome(r.stmt, 'c') WHERE what = r.what;
        UPDATE addr_case SET c_full = pg_temp.full_calls() - before WHERE what = r.what;
    END LOOP;
END $$;
SELECT pg_temp.run_c();
UPDATE addr_case SET pl = pg_temp.outcome(stmt, 'pl');

SELECT is((SELECT count(*)::int FROM addr_case), 45, 'the cases');
SELECT is_empty($$SELECT what, c, pl FROM addr_case WHERE c IS DISTINCT FROM pl$$,
    'every case: the same outcome from the C and the PL/pgSQL check');
SELECT set_eq($$SELECT what, split_part(c, ' / ', 1) FROM addr_case$$,
    $$VALUES ('free, bare', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.1.20/24 - global'),
             ('free, with its mask', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.1.20/24 - global'),
             ('free, with another mask', '23514 address 10.71.1.20/16 does not carry the mask of its network 10.71.1.0/24'),
             ('free, as a /32 in a /24', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.1.20/24 - global'),
             ('the network address of a /24', '23514 address 10.71.1.0 is the network address of prefix 10.71.1.0/24'),
             ('the broadcast address of a /24', '23514 address 10.71.1.255 is the broadcast address of prefix 10.71.1.0/24'),
             ('the network address of a /30', '23514 address 10.71.2.0 is the network address of prefix 10.71.2.0/30'),
             ('the broadcast address of a /30', '23514 address 10.71.2.3 is the broadcast address of prefix 10.71.2.0/30'),
             ('inside a /30', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.2.1/30 - global'),
             ('both addresses of a /31', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.3.0/31 - global'),
             ('the network address of a pool', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.4.0/24 - global'),
             ('the broadcast address of a pool', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.4.255/24 - global'),
             ('in a child /26', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.5.70/26 - global'),
             ('the network address of a child /26', '23514 address 10.71.5.64 is the network address of prefix 10.71.5.64/26'),
             ('in the parent, outside the child', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.5.10/24 - global'),
             ('in a reserved range', '23514 address 10.71.1.120 lies in reserved range 10.71.1.100 - 10.71.1.150'),
             ('in a reserved range that allows addresses', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.1.205/24 - global'),
             ('in no prefix, bare', 'ok: 10.71.1.9/24 nine.example.org global, 192.0.2.7 - global'),
             ('in no prefix, masked', '23514 address 192.0.2.7/24 lies in no prefix, so it has no network mask'),
             ('IPv6, bare', 'ok: 10.71.1.9/24 nine.example.org global, 2001:db8:71::7/64 - global'),
             ('IPv6, with its mask', 'ok: 10.71.1.9/24 nine.example.org global, 2001:db8:71::7/64 - global'),
             ('IPv6, another mask', '23514 address 2001:db8:71::7/48 does not carry the mask of its network 2001:db8:71::/64'),
             ('IPv6, the first address', 'ok: 10.71.1.9/24 nine.example.org global, 2001:db8:71::/64 - global'),
             ('taken', '23505 duplicate key value violates unique constraint "ip_address_unique_in_vrf"'),
             ('in a VRF', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.1.20/25 - ac-blue'),
             ('in a VRF, the global prefix''s mask', '23514 address 10.71.1.20/24 does not carry the mask of its network 10.71.1.0/25'),
             ('a normal dns_name', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.1.21/24 a.example.org global'),
             ('a dns_name to lower-case', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.1.21/24 a.example.org global'),
             ('an invalid dns_name', '22023 invalid hostname "not a name"'),
             ('a host and its port', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.1.22/24 - global'),
             ('a host and another device''s port', '23503 port "eth9" of device "ac-other" is not a port of the device host "ac1.example.org" runs on'),
             ('a port alone', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.1.22/24 - global'),
             ('a host alone', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.1.22/24 - global'),
             ('a NULL address', '23502 null value in column "address" of relation "ip_address" violates not-null constraint'),
             ('an update of its dns_name only', 'ok: 10.71.1.9/24 nine.example.org global'),
             ('an update rewriting the address unchanged', 'ok: 10.71.1.9/24 nine.example.org global'),
             ('an update to a free address', 'ok: 10.71.1.30/24 nine.example.org global'),
             ('an update to a network address', '23514 address 10.71.2.0 is the network address of prefix 10.71.2.0/30'),
             ('an update to a bare address in its own network', 'ok: 10.71.1.9/24 nine.example.org global'),
             ('an update to another VRF', '23514 address 10.71.1.9/24 does not carry the mask of its network 10.71.1.0/25'),
             ('two free addresses in one statement', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.1.40/24 - global, 10.71.1.41/24 - global'),
             ('one address twice in one statement', '23505 duplicate key value violates unique constraint "ip_address_unique_in_vrf"'),
             ('an address after its prefix, in one statement', 'ok: 10.71.1.9/24 nine.example.org global, 10.72.0.5/16 - global'),
             ('an address after a function made its prefix', 'ok: 10.71.1.9/24 nine.example.org global, 10.73.0.5/16 - global'),
             ('the network address of a /30 the statement makes a pool', 'ok: 10.71.1.9/24 nine.example.org global, 10.71.2.0/30 - global')$$,
    'each case''s outcome');
-- an address the statement frees (its own row) or whose free space the
-- statement has yet to make (its new prefix) is not free yet
SELECT set_eq($$SELECT what, c_full FROM addr_case WHERE c LIKE 'ok%' AND c_full > 0$$,
    $$VALUES ('in a reserved range that allows addresses', 1), ('in no prefix, bare', 1), ('a host and its port', 1),
             ('an update to a bare address in its own network', 1), ('an address after its prefix, in one statement', 1)$$,
    'an address written is answered without calling ip_address_check_full(), unless it is not free or has a host and a port');
SELECT is((SELECT count(*)::int FROM addr_case WHERE c LIKE 'ok%' AND c_full = 0), 23,
    '... so 23 of the cases written were answered in C (one after a prefix the statement made, one after it made a prefix a pool)');

-- misuse
CREATE TEMP TABLE ac_other (x int);
CREATE TRIGGER ac_after AFTER INSERT ON ac_other FOR EACH ROW EXECUTE FUNCTION mountaineer.ip_address_check();
SELECT throws_ok($$INSERT INTO ac_other VALUES (1)$$, '39P01',
    'ip_address_check() must be called as a BEFORE INSERT OR UPDATE row trigger', 'an AFTER trigger is refused');
DROP TRIGGER ac_after ON ac_other;
CREATE TRIGGER ac_before BEFORE INSERT ON ac_other FOR EACH ROW EXECUTE FUNCTION mountaineer.ip_address_check();
SELECT throws_ok($$INSERT INTO ac_other VALUES (1)$$, '42703',
    'record "new" has no field "dns_name"', 'on another table, the PL/pgSQL check runs and cannot read the row');
DROP TRIGGER ac_before ON ac_other;
CREATE TRIGGER ac_lock_after AFTER INSERT ON ac_other FOR EACH ROW EXECUTE FUNCTION mountaineer.lock_vrf_of_row();
SELECT throws_ok($$INSERT INTO ac_other VALUES (1)$$, '39P01',
    'lock_vrf_of_row() must be called as a BEFORE row trigger', 'the VRF lock as an AFTER trigger is refused');
DROP TRIGGER ac_lock_after ON ac_other;
CREATE TRIGGER ac_lock_before BEFORE INSERT ON ac_other FOR EACH ROW EXECUTE FUNCTION mountaineer.lock_vrf_of_row();
SELECT throws_ok($$INSERT INTO ac_other VALUES (1)$$, '42703',
    'lock_vrf_of_row() needs a column vrf_id uuid on "ac_other"', 'the VRF lock on a table without vrf_id is refused');

-- one transaction locking 70 VRFs: past what it remembers (64), a lock is
-- taken by its query every time; every VRF gets its row
INSERT INTO vrf (name) SELECT 'ac-v' || g FROM generate_series(1, 70) g;
SELECT lock_vrf(id) FROM vrf WHERE name LIKE 'ac-v%';
SELECT lock_vrf(id) FROM vrf WHERE name LIKE 'ac-v%';
SELECT is((SELECT count(*)::int FROM vrf_lock l JOIN vrf v ON l.vrf_key = v.id WHERE v.name LIKE 'ac-v%'), 70,
    '70 VRFs locked in one transaction, twice');

-- the index the probes need gone: every row goes to the PL/pgSQL, with the same outcome
DROP INDEX mountaineer.prefix_free_vrf_idx;
SELECT pg_temp.full_calls() AS calls \gset
SELECT is(pg_temp.outcome((SELECT stmt FROM addr_case WHERE what = 'free, bare'), 'c') || ' ' || (pg_temp.full_calls() - :calls),
          (SELECT c FROM addr_case WHERE what = 'free, bare') || ' 1',
    'without prefix_free_vrf_idx a free address is checked by ip_address_check_full(), with the same outcome');

SELECT * FROM finish();
ROLLBACK;
