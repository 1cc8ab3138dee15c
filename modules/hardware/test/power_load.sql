-- mountaineer_hardware 1.5: the power roll-up.  Feeds' electrical data and
-- its checks, stated draw per power port, the arithmetic of power_input,
-- power_load and power_draw (N supplies, stated shares, chained PDUs, a Y
-- cable, planned cables, three phases, dc), and the refusal of power loops.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(67);

--------------------------------------------------------------------------
-- Fixture: a panel with three feeds; PDU a on feed fa, PDU b on feed fb
-- (three phases), PDU c chained from an outlet of a; servers with two or
-- three supplies.  Names start with pwt- (the suites share one database).
--------------------------------------------------------------------------
INSERT INTO site (name) VALUES ('pwt-site');
INSERT INTO rack (site_id, name) SELECT id, 'pwt-r1' FROM site WHERE name = 'pwt-site';
INSERT INTO rack (site_id, name) SELECT id, 'pwt-r2' FROM site WHERE name = 'pwt-site';
INSERT INTO device (kind, name, units, draw_watts) VALUES
    ('power_panel', 'pwt-panel', 0, NULL),
    ('pdu', 'pwt-pdu-a', 0, 10), ('pdu', 'pwt-pdu-b', 0, 10), ('pdu', 'pwt-pdu-c', 0, 5),
    ('server', 'pwt-s1', 1, 600), ('server', 'pwt-s3', 1, 900), ('server', 'pwt-s4', 1, 1000),
    ('server', 'pwt-s5', 1, 500), ('other', 'pwt-sw', 1, NULL), ('other', 'pwt-y', 1, 400);
UPDATE device d SET rack_id = r.id FROM rack r WHERE r.name = 'pwt-r1' AND d.name LIKE 'pwt-pdu-_';
INSERT INTO pdu (id, volts, amps) SELECT id, 230, 32 FROM device WHERE name IN ('pwt-pdu-a', 'pwt-pdu-b');
INSERT INTO pdu (id, volts, amps) SELECT id, 230, 16 FROM device WHERE name = 'pwt-pdu-c';
INSERT INTO port (device_id, name, kind)
SELECT d.id, f, 'power_feed' FROM device d, unnest(ARRAY['fa', 'fb', 'fdc', 'fnone']) f WHERE d.name = 'pwt-panel';
INSERT INTO port (device_id, name, kind)
SELECT d.id, 'o' || n, 'power_outlet' FROM device d, generate_series(1, 6) n WHERE d.name LIKE 'pwt-pdu-_';
INSERT INTO port (device_id, name, kind) SELECT id, 'in', 'power_port' FROM device WHERE name LIKE 'pwt-pdu-_';
INSERT INTO port (device_id, name, kind)
SELECT d.id, 'psu' || n, 'power_port' FROM device d, generate_series(1, 3) n WHERE d.name IN ('pwt-s1', 'pwt-s3', 'pwt-s4', 'pwt-s5');
INSERT INTO port (device_id, name, kind) SELECT id, 'psu1', 'power_port' FROM device WHERE name IN ('pwt-sw', 'pwt-y');

CREATE FUNCTION pg_temp.port_of(device text, port text) RETURNS uuid LANGUAGE sql AS $$
    SELECT p.id FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
    WHERE d.name = $1 AND p.name = $2 $$;
CREATE FUNCTION pg_temp.dev(name text) RETURNS uuid LANGUAGE sql AS $$
    SELECT id FROM mountaineer.device WHERE name = $1 $$;
-- a cable from a (one port or several: a breakout) to b; its label
CREATE FUNCTION pg_temp.plug(label text, a uuid[], b uuid[], status mountaineer.cable_status DEFAULT 'connected')
    RETURNS void LANGUAGE sql AS $$
    WITH c AS (INSERT INTO mountaineer.cable (label, type, status) VALUES ($1, 'power', $4) RETURNING id)
    INSERT INTO mountaineer.cable_end (cable_id, side, port_id)
    SELECT c.id, 'a'::mountaineer.cable_side, x FROM c, unnest($2) x
    UNION ALL SELECT c.id, 'b', x FROM c, unnest($3) x $$;
CREATE FUNCTION pg_temp.load(name text, feed text DEFAULT NULL) RETURNS mountaineer.power_load LANGUAGE sql AS $$
    SELECT * FROM mountaineer.power_load WHERE device = $1 AND feed IS NOT DISTINCT FROM $2 $$;

-- feeds
INSERT INTO power_feed (id, volts, amps, rack_id) SELECT pg_temp.port_of('pwt-panel', 'fa'), 230, 32, id FROM rack WHERE name = 'pwt-r2';
INSERT INTO power_feed (id, phase, volts, amps, type) VALUES (pg_temp.port_of('pwt-panel', 'fb'), 'three', 400, 32, 'redundant');
INSERT INTO power_feed (id, supply, volts, amps, max_utilization) VALUES (pg_temp.port_of('pwt-panel', 'fdc'), 'dc', -48, 100, 50);

SELECT pg_temp.plug('pwt-FA', ARRAY[pg_temp.port_of('pwt-pdu-a', 'in')], ARRAY[pg_temp.port_of('pwt-panel', 'fa')]);
SELECT pg_temp.plug('pwt-FB', ARRAY[pg_temp.port_of('pwt-pdu-b', 'in')], ARRAY[pg_temp.port_of('pwt-panel', 'fb')]);
-- the chained PDU: c's inlet on outlet 6 of a
SELECT pg_temp.plug('pwt-AC', ARRAY[pg_temp.port_of('pwt-pdu-c', 'in')], ARRAY[pg_temp.port_of('pwt-pdu-a', 'o6')]);
-- s1: two supplies, a and b
SELECT pg_temp.plug('pwt-1a', ARRAY[pg_temp.port_of('pwt-s1', 'psu1')], ARRAY[pg_temp.port_of('pwt-pdu-a', 'o1')]);
SELECT pg_temp.plug('pwt-1b', ARRAY[pg_temp.port_of('pwt-s1', 'psu2')], ARRAY[pg_temp.port_of('pwt-pdu-b', 'o1')]);
-- s3: three supplies, a, b and c
SELECT pg_temp.plug('pwt-3a', ARRAY[pg_temp.port_of('pwt-s3', 'psu1')], ARRAY[pg_temp.port_of('pwt-pdu-a', 'o2')]);
SELECT pg_temp.plug('pwt-3b', ARRAY[pg_temp.port_of('pwt-s3', 'psu2')], ARRAY[pg_temp.port_of('pwt-pdu-b', 'o2')]);
SELECT pg_temp.plug('pwt-3c', ARRAY[pg_temp.port_of('pwt-s3', 'psu3')], ARRAY[pg_temp.port_of('pwt-pdu-c', 'o1')]);
-- s4: psu1 states 700 of its 1000 W (on c), psu2 takes the rest (on b); psu3 unplugged
UPDATE port SET maximum_watts = 800, allocated_watts = 700 WHERE id = pg_temp.port_of('pwt-s4', 'psu1');
SELECT pg_temp.plug('pwt-4c', ARRAY[pg_temp.port_of('pwt-s4', 'psu1')], ARRAY[pg_temp.port_of('pwt-pdu-c', 'o2')]);
SELECT pg_temp.plug('pwt-4b', ARRAY[pg_temp.port_of('pwt-s4', 'psu2')], ARRAY[pg_temp.port_of('pwt-pdu-b', 'o3')]);
-- s5: psu1 on c, psu2 only planned on b: c carries all of it
SELECT pg_temp.plug('pwt-5c', ARRAY[pg_temp.port_of('pwt-s5', 'psu1')], ARRAY[pg_temp.port_of('pwt-pdu-c', 'o3')]);
SELECT pg_temp.plug('pwt-5b', ARRAY[pg_temp.port_of('pwt-s5', 'psu2')], ARRAY[pg_temp.port_of('pwt-pdu-b', 'o4')], 'planned');
-- a device with no draw recorded, on a
SELECT pg_temp.plug('pwt-sw', ARRAY[pg_temp.port_of('pwt-sw', 'psu1')], ARRAY[pg_temp.port_of('pwt-pdu-a', 'o3')]);
-- a Y cable: one supply on an outlet of a and one of b
SELECT pg_temp.plug('pwt-Y', ARRAY[pg_temp.port_of('pwt-y', 'psu1')],
                    ARRAY[pg_temp.port_of('pwt-pdu-a', 'o4'), pg_temp.port_of('pwt-pdu-b', 'o5')]);

--------------------------------------------------------------------------
-- power_input: each supply's share
--------------------------------------------------------------------------
SELECT results_eq($$
    SELECT d.name || ':' || p.name || '>' || sd.name || ':' || sp.name, round(i.own_watts, 1), round(i.through_share, 4)
    FROM power_input i JOIN port p ON p.id = i.port_id JOIN device d ON d.id = i.device_id
    JOIN port sp ON sp.id = i.source_port_id JOIN device sd ON sd.id = i.source_device_id
    WHERE d.name LIKE 'pwt-%' ORDER BY 1$$,
    $$VALUES ('pwt-pdu-a:in>pwt-panel:fa', 10.0, 1.0000), ('pwt-pdu-b:in>pwt-panel:fb', 10.0, 1.0000),
             ('pwt-pdu-c:in>pwt-pdu-a:o6', 5.0, 1.0000),
             ('pwt-s1:psu1>pwt-pdu-a:o1', 300.0, 0.5000), ('pwt-s1:psu2>pwt-pdu-b:o1', 300.0, 0.5000),
             ('pwt-s3:psu1>pwt-pdu-a:o2', 300.0, 0.3333), ('pwt-s3:psu2>pwt-pdu-b:o2', 300.0, 0.3333),
             ('pwt-s3:psu3>pwt-pdu-c:o1', 300.0, 0.3333),
             ('pwt-s4:psu1>pwt-pdu-c:o2', 700.0, 0.5000), ('pwt-s4:psu2>pwt-pdu-b:o3', 300.0, 0.5000),
             ('pwt-s5:psu1>pwt-pdu-c:o3', 500.0, 1.0000),
             ('pwt-sw:psu1>pwt-pdu-a:o3', 0.0, 1.0000),
             ('pwt-y:psu1>pwt-pdu-a:o4', 200.0, 0.5000), ('pwt-y:psu1>pwt-pdu-b:o5', 200.0, 0.5000)$$,
    'power_input: N supplies share draw/N; a stated supply takes what it states and the others share the rest; a planned cable carries nothing; a Y cable splits its supply''s share');

--------------------------------------------------------------------------
-- power_load and power_draw: the arithmetic
--------------------------------------------------------------------------
-- c = 5 + s3 300 + s4 700 + s5 500; a = 10 + s1 300 + s3 300 + y 200 + c;
-- b = 10 + s1 300 + s3 300 + s4 300 + y 200; the panel = a + b.
SELECT is(power_draw(pg_temp.dev('pwt-pdu-c')), 1505.0, 'power_draw of the chained PDU: its own draw and its servers'' shares');
SELECT is(power_draw(pg_temp.dev('pwt-pdu-a')), 2315.0, 'power_draw of a PDU includes the chained PDU below it');
SELECT is(power_draw(pg_temp.dev('pwt-pdu-b')), 1110.0, 'power_draw of PDU b: the other halves and thirds, the rest of s4, not s5''s planned cable');
SELECT is(power_draw(pg_temp.dev('pwt-panel')), 3425.0, 'power_draw of the panel: everything below it');
SELECT is(power_draw(pg_temp.dev('pwt-s3')), 900.0, 'power_draw of a server is its own draw');
SELECT is(power_draw(pg_temp.dev('pwt-sw')), 0.0, 'power_draw of a device with no draw_watts is 0');
SELECT throws_ok($$SELECT power_draw('00000000-0000-0000-0000-000000000000')$$, 'P0002',
    'no device with id 00000000-0000-0000-0000-000000000000', 'power_draw of an unknown device: P0002');
SELECT is(power_draw(NULL), NULL, 'power_draw(NULL) is NULL');
SELECT is((SELECT power_counts(d) FROM device d WHERE name = 'pwt-s1'), true, 'every device''s own draw counts (power_counts)');

SELECT results_eq($$
    SELECT level, device, feed, rack, site, draw_watts, rated_watts, max_utilization, capacity_watts, utilization_percent, over_max
    FROM power_load WHERE device LIKE 'pwt-%' ORDER BY level, device, feed$$,
    $$VALUES ('pdu', 'pwt-pdu-a', NULL, 'pwt-r1', 'pwt-site', 2315.0, 7360.0, 80::numeric, 5888.0, 31.5, false),
             ('pdu', 'pwt-pdu-b', NULL, 'pwt-r1', 'pwt-site', 1110.0, 7360.0, 80, 5888.0, 15.1, false),
             ('pdu', 'pwt-pdu-c', NULL, 'pwt-r1', 'pwt-site', 1505.0, 3680.0, 80, 2944.0, 40.9, false),
             ('power_feed', 'pwt-panel', 'fa', 'pwt-r2', 'pwt-site', 2315.0, 7360.0, 80, 5888.0, 31.5, false),
             ('power_feed', 'pwt-panel', 'fb', NULL, NULL, 1110.0, 22170.3, 80, 17736.2, 5.0, false),
             ('power_feed', 'pwt-panel', 'fdc', NULL, NULL, 0.0, 4800.0, 50, 2400.0, 0.0, false),
             ('power_feed', 'pwt-panel', 'fnone', NULL, NULL, 0.0, NULL, NULL, NULL, NULL, NULL),
             ('power_panel', 'pwt-panel', NULL, NULL, NULL, 3425.0, 34330.3, NULL, 26024.2, 10.0, false)$$,
    'power_load: per PDU, feed and panel, draw against rated and capacity (three phases √3 × V × A; dc |V| × A; a feed without data has no rating)');

SELECT is_empty($$
    SELECT l.device, l.draw_watts, power_draw(l.device_id) FROM power_load l
    WHERE l.level <> 'power_feed' AND l.draw_watts <> power_draw(l.device_id)$$,
    'power_draw agrees with power_load for every PDU and panel of the database');
SELECT set_eq($$SELECT port_id, device_id, source_port_id, source_device_id, own_watts, through_share FROM power_input$$,
    $$SELECT i.port_id, d.id, i.source_port_id, i.source_device_id, i.own_watts, i.through_share
      FROM device d CROSS JOIN LATERAL power_inputs_of(d.id) i$$,
    'power_inputs_of, device by device, gives what power_input gives for the whole database');
SELECT is_empty($$SELECT * FROM power_inputs_of('00000000-0000-0000-0000-000000000000')$$,
    'power_inputs_of an unknown device: no rows');
SELECT is((SELECT sum(draw_watts) FROM power_load WHERE level = 'power_feed' AND device = 'pwt-panel'),
          (SELECT draw_watts FROM power_load WHERE level = 'power_panel' AND device = 'pwt-panel'),
          'a panel''s draw is the sum of its feeds'' (its own draw_watts is NULL)');

-- over the max: s1 draws 8080, half of it through a
UPDATE device SET draw_watts = 8080 WHERE name = 'pwt-s1';
SELECT is((pg_temp.load('pwt-pdu-a')).draw_watts, 6055.0, 'a''s draw follows its server''s');
SELECT is((pg_temp.load('pwt-pdu-a')).over_max, true, 'a PDU over 80% of its watts is over_max');
SELECT is((pg_temp.load('pwt-pdu-a')).utilization_percent, 82.3, 'and its utilisation says by how much');
SELECT is((pg_temp.load('pwt-panel', 'fa')).over_max, true, 'the feed above it is over too');
SELECT is((pg_temp.load('pwt-panel', 'fb')).over_max, false, 'the three-phase feed is not');
UPDATE pdu SET max_utilization = 90 WHERE id = pg_temp.dev('pwt-pdu-a');
SELECT is((pg_temp.load('pwt-pdu-a')).over_max, false, 'a PDU allowed 90% is not over at 82.3%');
SELECT is((pg_temp.load('pwt-pdu-a')).capacity_watts, 6624.0, 'its capacity is 90% of its watts');
UPDATE power_feed SET max_utilization = 85 WHERE id = pg_temp.port_of('pwt-panel', 'fa');
SELECT is((pg_temp.load('pwt-panel', 'fa')).capacity_watts, 6256.0, 'a feed''s capacity follows its max_utilization');
SELECT is((pg_temp.load('pwt-panel', 'fa')).over_max, false, 'and so does whether it is over');
UPDATE device SET draw_watts = 600 WHERE name = 'pwt-s1';

-- stated shares that exceed the draw leave the others nothing
UPDATE port SET maximum_watts = NULL, allocated_watts = 1200 WHERE id = pg_temp.port_of('pwt-s4', 'psu1');
SELECT is((SELECT round(own_watts, 1) FROM power_input WHERE port_id = pg_temp.port_of('pwt-s4', 'psu2')), 0.0,
          'a supply without a stated share gets 0 when the stated ones take more than the draw');
SELECT is(power_draw(pg_temp.dev('pwt-pdu-c')), 2005.0, 'and the stated 1200 W is what c carries for it');
UPDATE port SET allocated_watts = NULL WHERE id = pg_temp.port_of('pwt-s4', 'psu1');
SELECT is(power_draw(pg_temp.dev('pwt-pdu-c')), 1305.0, 'without a stated share, s4 splits 500/500');

-- the planned cable, once connected, takes half of s5 off c
UPDATE cable SET status = 'connected' WHERE label = 'pwt-5b';
SELECT is(power_draw(pg_temp.dev('pwt-pdu-c')), 1055.0, 'a cable that becomes connected shares the load');
-- unplugging the chained PDU takes its load off a
DELETE FROM cable WHERE label = 'pwt-AC';
SELECT is(power_draw(pg_temp.dev('pwt-pdu-a')), 810.0, 'an unplugged chained PDU''s load leaves a');
SELECT is((pg_temp.load('pwt-pdu-c')).draw_watts, 1055.0, 'and c still shows what hangs off it');

--------------------------------------------------------------------------
-- power_feed: its rules
--------------------------------------------------------------------------
INSERT INTO port (device_id, name, kind) SELECT id, 'fx', 'power_feed' FROM device WHERE name = 'pwt-panel';
SELECT throws_ok($$INSERT INTO power_feed (id, volts, amps) VALUES (pg_temp.port_of('pwt-pdu-a', 'o5'), 230, 16)$$,
    '23503', 'insert or update on table "power_feed" violates foreign key constraint "power_feed_id_kind_fkey"',
    'a power_feed row for a port that is not a power_feed is refused');
SELECT throws_ok($$INSERT INTO power_feed (id, supply, volts, amps) VALUES (pg_temp.port_of('pwt-panel', 'fx'), 'dc', 0, 16)$$,
    '23514', 'new row for relation "power_feed" violates check constraint "power_feed_volts_check"', 'volts 0 is refused');
SELECT throws_ok($$INSERT INTO power_feed (id, volts, amps) VALUES (pg_temp.port_of('pwt-panel', 'fx'), 1001, 16)$$,
    '23514', 'new row for relation "power_feed" violates check constraint "power_feed_volts_check"', 'volts above 1000 are refused');
SELECT throws_ok($$INSERT INTO power_feed (id, volts, amps) VALUES (pg_temp.port_of('pwt-panel', 'fx'), 'NaN', 16)$$,
    '23514', 'new row for relation "power_feed" violates check constraint "power_feed_volts_check"', 'volts NaN are refused');
SELECT throws_ok($$INSERT INTO power_feed (id, volts, amps) VALUES (pg_temp.port_of('pwt-panel', 'fx'), -48, 16)$$,
    '23514', 'new row for relation "power_feed" violates check constraint "power_feed_negative_volts_dc"', 'negative volts need dc');
SELECT throws_ok($$INSERT INTO power_feed (id, supply, phase, volts, amps) VALUES (pg_temp.port_of('pwt-panel', 'fx'), 'dc', 'three', 48, 16)$$,
    '23514', 'new row for relation "power_feed" violates check constraint "power_feed_three_phase_ac"', 'three phases need ac');
SELECT throws_ok($$INSERT INTO power_feed (id, volts, amps) VALUES (pg_temp.port_of('pwt-panel', 'fx'), 230, 0)$$,
    '23514', 'new row for relation "power_feed" violates check constraint "power_feed_amps_check"', 'amps 0 are refused');
SELECT throws_ok($$INSERT INTO power_feed (id, volts, amps) VALUES (pg_temp.port_of('pwt-panel', 'fx'), 230, 'Infinity')$$,
    '23514', 'new row for relation "power_feed" violates check constraint "power_feed_amps_check"', 'amps Infinity are refused');
SELECT throws_ok($$INSERT INTO power_feed (id, volts, amps, max_utilization) VALUES (pg_temp.port_of('pwt-panel', 'fx'), 230, 16, 0)$$,
    '23514', 'new row for relation "power_feed" violates check constraint "power_feed_max_utilization_check"', 'max_utilization 0 is refused');
SELECT throws_ok($$INSERT INTO power_feed (id, volts, amps, max_utilization) VALUES (pg_temp.port_of('pwt-panel', 'fx'), 230, 16, 100.5)$$,
    '23514', 'new row for relation "power_feed" violates check constraint "power_feed_max_utilization_check"', 'max_utilization above 100 is refused');
SELECT throws_ok($$INSERT INTO power_feed (id, volts, amps, description) VALUES (pg_temp.port_of('pwt-panel', 'fx'), 230, 16, ' x')$$,
    '23514', 'new row for relation "power_feed" violates check constraint "power_feed_description_check"', 'a description is a name');
SELECT throws_ok($$INSERT INTO power_feed (id, volts, amps, rated_watts) VALUES (pg_temp.port_of('pwt-panel', 'fx'), 230, 16, 1)$$,
    '428C9', 'cannot insert a non-DEFAULT value into column "rated_watts"', 'rated_watts is derived');
INSERT INTO power_feed (id, volts, amps) VALUES (pg_temp.port_of('pwt-panel', 'fx'), 230, 16);
SELECT is((SELECT (status, type, supply, phase, max_utilization, rated_watts, capacity_watts)::text FROM power_feed
           WHERE id = pg_temp.port_of('pwt-panel', 'fx')),
          '(active,primary,ac,single,80,3680.0,2944.0)', 'a feed''s defaults: active, primary, ac, single phase, 80%');
SELECT is((SELECT slug FROM power_feed WHERE id = pg_temp.port_of('pwt-panel', 'fx')),
          (SELECT slug FROM port WHERE id = pg_temp.port_of('pwt-panel', 'fx')), 'a feed''s slug is its port''s');
SELECT throws_ok($$UPDATE port SET kind = 'power_outlet' WHERE id = pg_temp.port_of('pwt-panel', 'fx')$$,
    '23503', 'update or delete on table "port" violates foreign key constraint "power_feed_id_kind_fkey" on table "power_feed"',
    'a feed port with electrical data cannot change kind');
SELECT throws_ok($$DELETE FROM rack WHERE name = 'pwt-r2'$$, '23503', NULL, 'a rack a feed serves cannot be deleted');
SELECT throws_like($$DELETE FROM rack WHERE name = 'pwt-r2'$$, 'rack "pwt-r2" cannot be deleted: 1 power_feed row(s) refer to it: %',
    'the refusal names the rack and the feed (by its slug)');
DELETE FROM port WHERE id = pg_temp.port_of('pwt-panel', 'fx');
SELECT is((SELECT count(*) FROM power_feed f WHERE NOT EXISTS (SELECT FROM port p WHERE p.id = f.id)), 0::bigint,
          'deleting a feed port deletes its electrical data');
SELECT ok(EXISTS (SELECT FROM change WHERE table_name = 'power_feed' AND op = 'delete'), 'power_feed is in the change log');

--------------------------------------------------------------------------
-- stated draw and pdu.max_utilization: their rules
--------------------------------------------------------------------------
SELECT throws_ok($$UPDATE port SET allocated_watts = 10 WHERE id = pg_temp.port_of('pwt-pdu-a', 'o5')$$,
    '23514', 'new row for relation "port" violates check constraint "port_watts_power_port_only"', 'only a power_port states a draw');
SELECT throws_ok($$UPDATE port SET maximum_watts = 10 WHERE id = pg_temp.port_of('pwt-panel', 'fa')$$,
    '23514', 'new row for relation "port" violates check constraint "port_watts_power_port_only"', 'only a power_port has a maximum');
SELECT throws_ok($$UPDATE port SET allocated_watts = -1 WHERE id = pg_temp.port_of('pwt-s4', 'psu3')$$,
    '23514', 'new row for relation "port" violates check constraint "port_allocated_watts_check"', 'a negative allocation is refused');
SELECT throws_ok($$UPDATE port SET allocated_watts = 'NaN' WHERE id = pg_temp.port_of('pwt-s4', 'psu3')$$,
    '23514', 'new row for relation "port" violates check constraint "port_allocated_watts_check"', 'a NaN allocation is refused');
SELECT throws_ok($$UPDATE port SET maximum_watts = 100001 WHERE id = pg_temp.port_of('pwt-s4', 'psu3')$$,
    '23514', 'new row for relation "port" violates check constraint "port_maximum_watts_check"', 'a maximum above 100000 is refused');
SELECT throws_ok($$UPDATE port SET maximum_watts = 500, allocated_watts = 600 WHERE id = pg_temp.port_of('pwt-s4', 'psu3')$$,
    '23514', 'new row for relation "port" violates check constraint "port_allocated_watts_maximum"', 'an allocation above the maximum is refused');
SELECT throws_ok($$UPDATE pdu SET max_utilization = 0 WHERE id = pg_temp.dev('pwt-pdu-c')$$,
    '23514', 'new row for relation "pdu" violates check constraint "pdu_max_utilization_check"', 'a PDU''s max_utilization 0 is refused');
SELECT throws_ok($$UPDATE pdu SET max_utilization = 101 WHERE id = pg_temp.dev('pwt-pdu-c')$$,
    '23514', 'new row for relation "pdu" violates check constraint "pdu_max_utilization_check"', 'a PDU''s max_utilization above 100 is refused');

--------------------------------------------------------------------------
-- loops are refused
--------------------------------------------------------------------------
INSERT INTO device (kind, name, units) VALUES ('pdu', 'pwt-x', 0), ('pdu', 'pwt-w', 0), ('pdu', 'pwt-z', 0), ('pdu', 'pwt-u', 0);
INSERT INTO port (device_id, name, kind)
SELECT d.id, d.name || '-' || p.name, p.kind::port_kind FROM device d,
       (VALUES ('in', 'power_port'), ('in2', 'power_port'), ('o1', 'power_outlet'), ('o2', 'power_outlet'), ('o3', 'power_outlet')) p(name, kind)
WHERE d.name IN ('pwt-x', 'pwt-w', 'pwt-z', 'pwt-u');
SELECT throws_ok($$SELECT pg_temp.plug('pwt-L0', ARRAY[pg_temp.port_of('pwt-x', 'pwt-x-in')], ARRAY[pg_temp.port_of('pwt-x', 'pwt-x-o1')])$$,
    '23514', 'power cable "pwt-L0" would close a loop: "pwt-x" → "pwt-x"', 'a PDU plugged into its own outlet is refused');
-- w draws from x, z from w; then x from z would close x → z → w → x
SELECT pg_temp.plug('pwt-L1', ARRAY[pg_temp.port_of('pwt-w', 'pwt-w-in')], ARRAY[pg_temp.port_of('pwt-x', 'pwt-x-o1')]);
SELECT pg_temp.plug('pwt-L2', ARRAY[pg_temp.port_of('pwt-z', 'pwt-z-in')], ARRAY[pg_temp.port_of('pwt-w', 'pwt-w-o1')], 'planned');
SELECT throws_ok($$SELECT pg_temp.plug('pwt-L3', ARRAY[pg_temp.port_of('pwt-x', 'pwt-x-in')], ARRAY[pg_temp.port_of('pwt-z', 'pwt-z-o1')])$$,
    '23514', 'power cable "pwt-L3" would close a loop: "pwt-x" → "pwt-z" → "pwt-w" → "pwt-x"',
    'a chain of PDUs closed into a loop is refused (through a planned cable too)');
SELECT throws_ok($$SELECT pg_temp.plug('pwt-L3', ARRAY[pg_temp.port_of('pwt-x', 'pwt-x-in')], ARRAY[pg_temp.port_of('pwt-z', 'pwt-z-o1')], 'planned')$$,
    '23514', 'power cable "pwt-L3" would close a loop: "pwt-x" → "pwt-z" → "pwt-w" → "pwt-x"', 'a planned cable that would close a loop is refused');
-- an end moved onto another port
SELECT pg_temp.plug('pwt-L4', ARRAY[pg_temp.port_of('pwt-x', 'pwt-x-in')], ARRAY[pg_temp.port_of('pwt-pdu-b', 'o6')]);
SELECT throws_ok($$UPDATE cable_end SET port_id = pg_temp.port_of('pwt-z', 'pwt-z-o2') WHERE port_id = pg_temp.port_of('pwt-pdu-b', 'o6')$$,
    '23514', 'power cable "pwt-L4" would close a loop: "pwt-x" → "pwt-z" → "pwt-w" → "pwt-x"', 'moving a cable end so that it closes a loop is refused');
-- a cabled outlet moved to another device
SELECT throws_ok($$UPDATE port SET device_id = pg_temp.dev('pwt-z') WHERE id = pg_temp.port_of('pwt-pdu-b', 'o6')$$,
    '23514', 'port "o6" cannot move: power cable "pwt-L4" would close a loop: "pwt-x" → "pwt-z" → "pwt-w" → "pwt-x"',
    'moving a cabled power port to another device so that it closes a loop is refused');
UPDATE port SET device_id = pg_temp.dev('pwt-w') WHERE id = pg_temp.port_of('pwt-x', 'pwt-x-o3');
SELECT is((SELECT d.name FROM port p JOIN device d ON d.id = p.device_id WHERE p.name = 'pwt-x-o3'), 'pwt-w',
          'an uncabled power port may move');
-- a diamond is no loop: u draws from w and from x, and w from x
SELECT lives_ok($$SELECT pg_temp.plug('pwt-L5', ARRAY[pg_temp.port_of('pwt-u', 'pwt-u-in')], ARRAY[pg_temp.port_of('pwt-w', 'pwt-w-o2')]);
                  SELECT pg_temp.plug('pwt-L6', ARRAY[pg_temp.port_of('pwt-u', 'pwt-u-in2')], ARRAY[pg_temp.port_of('pwt-x', 'pwt-x-o2')])$$,
    'a device drawing from two PDUs of one chain is no loop');
SELECT is(power_draw(pg_temp.dev('pwt-x')), 0.0, 'nothing downstream of x draws');

-- status: a planned or offline device's draw does not count, a
-- decommissioning one's does (power_counts)
CREATE TEMP TABLE before_status AS SELECT power_draw(pg_temp.dev('pwt-pdu-c')) AS w;
UPDATE device SET status = 'planned' WHERE name = 'pwt-s3';
SELECT cmp_ok(power_draw(pg_temp.dev('pwt-pdu-c')), '<', (SELECT w FROM before_status), 'a planned server''s draw does not count');
UPDATE device SET status = 'decommissioning' WHERE name = 'pwt-s3';
SELECT is(power_draw(pg_temp.dev('pwt-pdu-c')), (SELECT w FROM before_status), 'a decommissioning server''s draw counts: it is still plugged in');

SELECT * FROM finish();
ROLLBACK;
