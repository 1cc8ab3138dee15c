-- mountaineer_networks: what every table of the module does with a change
-- that the other suites do not try on it: an update of a VRF or VLAN is
-- logged with what changed, an id never changes, TRUNCATE logs every row
-- it removes, table by table, and a TRUNCATE of the reserved ranges hands
-- their addresses back to the free space.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SET LOCAL client_min_messages = warning;   -- TRUNCATE ... CASCADE names every table it reaches
SELECT plan(17);

INSERT INTO site (name) VALUES ('tc-net');
INSERT INTO vrf (name, rd) VALUES ('tc-blue', '65000:77'), ('tc-empty', NULL);
INSERT INTO vlan (site_id, vid, name) SELECT id, 10, 'tc-users' FROM site WHERE name = 'tc-net';
INSERT INTO vlan (site_id, vid, name) SELECT id, 20, 'tc-voice' FROM site WHERE name = 'tc-net';
INSERT INTO prefix (prefix) VALUES ('10.77.0.0/24');
INSERT INTO prefix (vrf_id, prefix) SELECT id, '10.77.0.0/24' FROM vrf WHERE name = 'tc-blue';
INSERT INTO ip_range (start_address, end_address, description) VALUES ('10.77.0.1', '10.77.0.100', 'tc-dhcp');
INSERT INTO ip_address (address, description) VALUES ('10.77.0.200/24', 'tc-gateway');
CREATE TEMP TABLE k AS SELECT
    (SELECT id FROM vrf WHERE name = 'tc-blue') AS blue,
    (SELECT id FROM vlan WHERE name = 'tc-users') AS users,
    (SELECT id FROM prefix WHERE prefix = '10.77.0.0/24' AND vrf_id IS NULL) AS p,
    (SELECT id FROM ip_range WHERE description = 'tc-dhcp') AS r,
    (SELECT id FROM ip_address WHERE description = 'tc-gateway') AS a;
-- the last change of one row, as (op, before, after)
CREATE FUNCTION pg_temp.last_change(tbl regclass, row_id uuid) RETURNS text LANGUAGE sql
    AS $$ SELECT row(op, before, after)::text FROM mountaineer.history(tbl, row_id) ORDER BY id DESC LIMIT 1 $$;

-- updates
UPDATE vrf SET name = 'tc-green', rd = '65000:78' WHERE id = (SELECT blue FROM k);
SELECT is(pg_temp.last_change('mountaineer.vrf', blue),
          row('update', '{"name": "tc-blue", "rd": "65000:77"}'::jsonb, '{"name": "tc-green", "rd": "65000:78"}'::jsonb)::text,
          'an update of a VRF is logged with the old and new name and route distinguisher') FROM k;
SELECT throws_ok($$UPDATE vrf SET rd = 'green' WHERE name = 'tc-green'$$, '23514',
    'new row for relation "vrf" violates check constraint "vrf_rd_format"', 'an update is held to the route distinguisher''s format');
UPDATE vlan SET vid = 11, name = 'tc-staff' WHERE id = (SELECT users FROM k);
SELECT is(pg_temp.last_change('mountaineer.vlan', users),
          row('update', '{"vid": 10, "name": "tc-users"}'::jsonb, '{"vid": 11, "name": "tc-staff"}'::jsonb)::text,
          'an update of a VLAN is logged with the old and new id and name') FROM k;
SELECT throws_ok($$UPDATE vlan SET vid = 20 WHERE name = 'tc-staff'$$, '23505',
    'duplicate key value violates unique constraint "vlan_site_vid_key"', 'a VLAN cannot take an id its site already uses');

-- deletes of what nothing uses are logged with the whole row
DELETE FROM vlan WHERE name = 'tc-voice';
SELECT is((SELECT row(op, before ->> 'name', before ->> 'vid', after IS NULL)::text FROM change WHERE table_name = 'vlan' ORDER BY id DESC LIMIT 1),
          row('delete', 'tc-voice', '20', true)::text, 'deleting a VLAN is logged with the whole row');
DELETE FROM vrf WHERE name = 'tc-empty';
SELECT is((SELECT row(op, before ->> 'name', after IS NULL)::text FROM change WHERE table_name = 'vrf' ORDER BY id DESC LIMIT 1),
          row('delete', 'tc-empty', true)::text, 'deleting a VRF is logged with the whole row');

-- an id never changes, in any table
SELECT throws_ok(format('UPDATE %s SET id = gen_random_uuid() WHERE id = %L', t, id), '428C9',
                 format('the id of a %s row cannot change', t), format('the id of a %s row cannot change', t))
FROM k, LATERAL (VALUES ('vrf', blue), ('vlan', users), ('ip_range', r), ('ip_address', a)) v(t, id);
-- (prefix: modules/networks/test/networks.sql)

-- TRUNCATE of the reserved ranges: logged, and their addresses are free again
SELECT is(next_free_ip('10.77.0.0/24'), '10.77.0.101/24', 'the reserved range keeps its addresses from allocation');
TRUNCATE ip_range;
SELECT is((SELECT row(op, before ->> 'description')::text FROM history('mountaineer.ip_range', (SELECT r FROM k)) ORDER BY id DESC LIMIT 1),
          row('truncate', 'tc-dhcp')::text, 'TRUNCATE of the reserved ranges logs each one, the row in before');
SELECT is(next_free_ip('10.77.0.0/24'), '10.77.0.1/24', 'and hands their addresses back to the free space');
SELECT is_empty($$SELECT * FROM prefix_free_verify()$$, 'the free space is exact after the TRUNCATE');

-- TRUNCATE logs every row it removes, in each table
INSERT INTO ip_range (start_address, end_address, description) VALUES ('10.77.0.1', '10.77.0.100', 'tc-dhcp');
CREATE TEMP TABLE held AS
SELECT 'vrf' AS tbl, count(*) AS n FROM vrf UNION ALL SELECT 'vlan', count(*) FROM vlan
UNION ALL SELECT 'prefix', count(*) FROM prefix UNION ALL SELECT 'ip_range', count(*) FROM ip_range
UNION ALL SELECT 'ip_address', count(*) FROM ip_address;
SELECT is((SELECT count(*)::int FROM held WHERE n > 0), 5, 'every networks table has rows to truncate');
TRUNCATE vrf, vlan, prefix, ip_range, ip_address CASCADE;
SELECT results_eq(
    $$SELECT h.tbl, h.n + CASE h.tbl WHEN 'ip_range' THEN 1 ELSE 0 END FROM held h ORDER BY 1$$,
    $$SELECT h.tbl, (SELECT count(*) FROM change c WHERE c.txid = txid_current() AND c.op = 'truncate' AND c.table_name = h.tbl)
      FROM held h ORDER BY 1$$,
    'TRUNCATE of the networks tables logs one truncate row per row removed, in every table (and the range truncated before)');
SELECT is((SELECT count(*)::int FROM prefix_free), 0, 'and leaves no free space behind');

SELECT * FROM finish();
ROLLBACK;
