-- mountaineer_hardware: what every table of the module does with a change
-- that the other suites do not try on it: an update and a delete are
-- logged with what changed, an id never changes, and TRUNCATE logs every
-- row it removes, table by table; a cable end moves to another port (and
-- only to a compatible, free one).
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SET LOCAL client_min_messages = warning;   -- TRUNCATE ... CASCADE names every table it reaches
SELECT plan(24);

INSERT INTO site (name) VALUES ('tc-site');
INSERT INTO rack (site_id, name, units) SELECT id, 'tc-rack', 10 FROM site WHERE name = 'tc-site';
INSERT INTO device (kind, name, units, rack_id, position)
SELECT 'server'::device_kind, 'tc-srv', 1, id, 'U1'::rackspan FROM rack WHERE name = 'tc-rack' UNION ALL
SELECT 'network', 'tc-sw', 1, id, 'U2' FROM rack WHERE name = 'tc-rack' UNION ALL
SELECT 'pdu', 'tc-pdu', 0, id, NULL FROM rack WHERE name = 'tc-rack';
INSERT INTO server (id, cores) SELECT id, 16 FROM device WHERE name = 'tc-srv';
INSERT INTO pdu (id, volts, amps) SELECT id, 230, 16 FROM device WHERE name = 'tc-pdu';
INSERT INTO network_device (id, speed) SELECT id, '10g' FROM device WHERE name = 'tc-sw';
INSERT INTO port (device_id, name, kind)
SELECT d.id, p.name, p.kind::port_kind FROM device d
JOIN (VALUES ('tc-srv', 'eth0', 'interface'), ('tc-sw', 'ge0', 'interface'), ('tc-sw', 'ge1', 'interface'),
             ('tc-sw', 'ge2', 'interface'), ('tc-pdu', 'o1', 'power_outlet')) p(device, name, kind) ON p.device = d.name;
INSERT INTO cable (label, status) VALUES ('tc-c1', 'connected'), ('tc-c2', 'planned');
INSERT INTO cable_end (cable_id, side, port_id)
SELECT c.id, e.side::cable_side, p.id FROM cable c
JOIN (VALUES ('tc-c1', 'a', 'tc-srv', 'eth0'), ('tc-c1', 'b', 'tc-sw', 'ge0'),
             ('tc-c2', 'a', 'tc-sw', 'ge2')) e(cable, side, device, port) ON e.cable = c.label
JOIN device d ON d.name = e.device JOIN port p ON p.device_id = d.id AND p.name = e.port;
CREATE TEMP TABLE k AS SELECT
    (SELECT id FROM site WHERE name = 'tc-site') AS site,
    (SELECT id FROM rack WHERE name = 'tc-rack') AS rack,
    (SELECT id FROM device WHERE name = 'tc-srv') AS srv,
    (SELECT id FROM device WHERE name = 'tc-sw') AS sw,
    (SELECT id FROM device WHERE name = 'tc-pdu') AS pdu,
    (SELECT p.id FROM port p JOIN device d ON d.id = p.device_id WHERE d.name = 'tc-sw' AND p.name = 'ge0') AS ge0,
    (SELECT p.id FROM port p JOIN device d ON d.id = p.device_id WHERE d.name = 'tc-sw' AND p.name = 'ge1') AS ge1,
    (SELECT p.id FROM port p JOIN device d ON d.id = p.device_id WHERE d.name = 'tc-pdu' AND p.name = 'o1') AS o1,
    (SELECT id FROM cable WHERE label = 'tc-c1') AS c1,
    (SELECT e.id FROM cable_end e JOIN cable c ON c.id = e.cable_id WHERE c.label = 'tc-c1' AND e.side = 'b') AS c1b;
-- the last change of one row, as (op, before, after)
CREATE FUNCTION pg_temp.last_change(tbl regclass, row_id uuid) RETURNS text LANGUAGE sql
    AS $$ SELECT row(op, before, after)::text FROM mountaineer.history(tbl, row_id) ORDER BY id DESC LIMIT 1 $$;

-- updates: only what changed is logged
UPDATE site SET vendor = 'ColoCorp' WHERE name = 'tc-site';
SELECT is(pg_temp.last_change('mountaineer.site', site), row('update', '{"vendor": null}'::jsonb, '{"vendor": "ColoCorp"}'::jsonb)::text,
          'an update of a site is logged with the old and new vendor') FROM k;
UPDATE server SET cores = 32 WHERE id = (SELECT srv FROM k);
SELECT is(pg_temp.last_change('mountaineer.server', srv), row('update', '{"cores": 16}'::jsonb, '{"cores": 32}'::jsonb)::text,
          'an update of a server''s details is logged') FROM k;
UPDATE pdu SET amps = 32 WHERE id = (SELECT pdu FROM k);
SELECT is(pg_temp.last_change('mountaineer.pdu', pdu),
          row('update', '{"amps": 16, "watts": 3680}'::jsonb, '{"amps": 32, "watts": 7360}'::jsonb)::text,
          'an update of a PDU is logged, with the generated watts it changed') FROM k;
UPDATE network_device SET speed = '25g' WHERE id = (SELECT sw FROM k);
SELECT is(pg_temp.last_change('mountaineer.network_device', sw), row('update', '{"speed": "10g"}'::jsonb, '{"speed": "25g"}'::jsonb)::text,
          'an update of a network device is logged') FROM k;

-- a cable end moves to another port
UPDATE cable_end SET port_id = (SELECT ge1 FROM k) WHERE id = (SELECT c1b FROM k);
SELECT is(pg_temp.last_change('mountaineer.cable_end', c1b),
          row('update', jsonb_build_object('port_id', ge0), jsonb_build_object('port_id', ge1))::text,
          'moving a cable end to another port is logged') FROM k;
SELECT lives_ok($$SET CONSTRAINTS ALL IMMEDIATE$$, 'the moved cable still has an end on each side');
SELECT is((SELECT p.name FROM cable_end e JOIN port p ON p.id = e.port_id WHERE e.cable_id = (SELECT c1 FROM k) AND e.side = 'b'),
          'ge1', 'the cable now ends on ge1');
SELECT lives_ok($$INSERT INTO cable_end (cable_id, side, port_id) SELECT id, 'b', (SELECT ge0 FROM k) FROM cable WHERE label = 'tc-c2'$$,
          'the port it left is free for another cable');
SELECT throws_ok($$UPDATE cable_end SET port_id = (SELECT ge1 FROM k) WHERE cable_id = (SELECT id FROM cable WHERE label = 'tc-c2') AND side = 'b'$$,
    '23505', 'port "ge1" of device "tc-sw" is already on cable "tc-c1"', 'a cable end cannot move onto a port that is on another cable');
SELECT throws_ok($$UPDATE cable_end SET port_id = (SELECT o1 FROM k) WHERE id = (SELECT c1b FROM k)$$,
    '23514', 'cable "tc-c1" cannot connect port "o1" of device "tc-pdu" (power_outlet) to port "eth0" of device "tc-srv" (interface)',
    'a cable end cannot move onto a port of an incompatible kind');

-- deletes of a device's details are logged with the whole row
DELETE FROM pdu WHERE id = (SELECT pdu FROM k);
SELECT is(pg_temp.last_change('mountaineer.pdu', pdu),
          row('delete', jsonb_build_object('id', pdu, 'slug', slug(pdu), 'kind', 'pdu', 'volts', 230, 'amps', 32, 'watts', 7360, 'max_utilization', 80), NULL)::text,
          'deleting a PDU''s details is logged with the whole row') FROM k;
DELETE FROM network_device WHERE id = (SELECT sw FROM k);
SELECT is(pg_temp.last_change('mountaineer.network_device', sw),
          row('delete', jsonb_build_object('id', sw, 'slug', slug(sw), 'kind', 'network', 'speed', '25g', 'interconnect', NULL), NULL)::text,
          'deleting a network device''s details is logged with the whole row') FROM k;
DELETE FROM server WHERE id = (SELECT srv FROM k);
SELECT is(pg_temp.last_change('mountaineer.server', srv),
          row('delete', jsonb_build_object('id', srv, 'slug', slug(srv), 'kind', 'server', 'memory_mib', NULL, 'cores', 32), NULL)::text,
          'deleting a server''s details is logged with the whole row') FROM k;
SELECT ok((SELECT count(*) = 3 FROM device WHERE id IN (SELECT pdu FROM k UNION SELECT sw FROM k UNION SELECT srv FROM k)), 'and the devices stay');
INSERT INTO pdu (id, volts, amps) SELECT pdu, 230, 16 FROM k;
INSERT INTO network_device (id, speed) SELECT sw, '10g' FROM k;
INSERT INTO server (id, cores) SELECT srv, 16 FROM k;

-- an id never changes, in any table
SELECT throws_ok(format('UPDATE %s SET id = gen_random_uuid() WHERE id = %L', t, id), '428C9',
                 format('the id of a %s row cannot change', t), format('the id of a %s row cannot change', t))
FROM k, LATERAL (VALUES ('site', site), ('rack', rack), ('device', srv), ('server', srv), ('pdu', pdu),
                        ('network_device', sw), ('port', ge0), ('cable', c1)) v(t, id);
-- (cable_end: modules/hardware/test/cable_end_id_change.sql)

-- TRUNCATE logs every row it removes, in each table
CREATE TEMP TABLE held AS
SELECT 'site' AS tbl, count(*) AS n FROM site UNION ALL SELECT 'rack', count(*) FROM rack
UNION ALL SELECT 'device', count(*) FROM device UNION ALL SELECT 'server', count(*) FROM server
UNION ALL SELECT 'pdu', count(*) FROM pdu UNION ALL SELECT 'network_device', count(*) FROM network_device
UNION ALL SELECT 'port', count(*) FROM port UNION ALL SELECT 'cable', count(*) FROM cable
UNION ALL SELECT 'cable_end', count(*) FROM cable_end;
SET CONSTRAINTS ALL IMMEDIATE;   -- TRUNCATE refuses a table with deferred checks pending
TRUNCATE site, rack, device, server, pdu, network_device, port, cable, cable_end CASCADE;
SELECT results_eq(
    $$SELECT h.tbl, h.n FROM held h ORDER BY 1$$,
    $$SELECT h.tbl, (SELECT count(*) FROM change c WHERE c.txid = txid_current() AND c.op = 'truncate' AND c.table_name = h.tbl)
      FROM held h ORDER BY 1$$,
    'TRUNCATE of the hardware tables logs one truncate row per row removed, in every table');
SELECT is((SELECT row(op, before ->> 'name', before ->> 'vendor')::text FROM history('mountaineer.site', (SELECT site FROM k)) ORDER BY id DESC LIMIT 1),
          row('truncate', 'tc-site', 'ColoCorp')::text, 'a truncated row''s last change is its truncate, the row in before');

SELECT * FROM finish();
ROLLBACK;
