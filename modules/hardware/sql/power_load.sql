-- The power roll-up on a small estate: a panel with an A feed (single
-- phase) and a B feed (three phases), a PDU on each, a PDU chained from an
-- outlet of the A PDU, servers with two supplies (one states its share), and
-- the loop a cable would close.  The exact rows of power_load.
SET search_path = mountaineer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never
BEGIN;
SET CONSTRAINTS ALL IMMEDIATE;
\set QUIET on
INSERT INTO site (name) VALUES ('pr-site');
INSERT INTO rack (site_id, name) SELECT id, 'pr-r1' FROM site WHERE name = 'pr-site';
INSERT INTO device (kind, name, units, draw_watts, rack_id)
SELECT v.kind::device_kind, v.name, 0, v.draw, CASE WHEN v.kind = 'pdu' THEN r.id END
FROM rack r, (VALUES ('power_panel', 'pr-panel', NULL), ('pdu', 'pr-pdu-a', 12), ('pdu', 'pr-pdu-b', 12),
                     ('pdu', 'pr-pdu-c', 8), ('server', 'pr-web', 400), ('server', 'pr-db', 1200),
                     ('server', 'pr-gpu', 2400)) v(kind, name, draw)
WHERE r.name = 'pr-r1';
INSERT INTO pdu (id, volts, amps) SELECT id, 230, 16 FROM device WHERE name LIKE 'pr-pdu-_';
INSERT INTO port (device_id, name, kind) SELECT id, f, 'power_feed' FROM device, unnest(ARRAY['A', 'B']) f WHERE name = 'pr-panel';
INSERT INTO port (device_id, name, kind) SELECT id, 'in', 'power_port' FROM device WHERE name LIKE 'pr-pdu-_';
INSERT INTO port (device_id, name, kind) SELECT id, 'in2', 'power_port' FROM device WHERE name = 'pr-pdu-a';
INSERT INTO port (device_id, name, kind) SELECT d.id, 'o' || n, 'power_outlet' FROM device d, generate_series(1, 4) n WHERE d.name LIKE 'pr-pdu-_';
INSERT INTO port (device_id, name, kind) SELECT d.id, 'psu' || n, 'power_port' FROM device d, generate_series(1, 2) n WHERE d.kind = 'server' AND d.name LIKE 'pr-%';
-- the GPU server's first supply carries 1500 W of its 2400
UPDATE port p SET maximum_watts = 2000, allocated_watts = 1500 FROM device d
WHERE d.id = p.device_id AND d.name = 'pr-gpu' AND p.name = 'psu1';
INSERT INTO power_feed (id, type, phase, volts, amps)
SELECT p.id, v.type::power_feed_type, v.phase::power_phase, v.volts, 16
FROM port p JOIN device d ON d.id = p.device_id
JOIN (VALUES ('A', 'primary', 'single', 230), ('B', 'redundant', 'three', 400)) v(feed, type, phase, volts) ON v.feed = p.name
WHERE d.name = 'pr-panel';
CREATE TEMP TABLE wiring (label, a_device, a_port, b_device, b_port) AS VALUES
    ('pr-FA', 'pr-pdu-a', 'in', 'pr-panel', 'A'), ('pr-FB', 'pr-pdu-b', 'in', 'pr-panel', 'B'),
    ('pr-AC', 'pr-pdu-c', 'in', 'pr-pdu-a', 'o4'),
    ('pr-web1', 'pr-web', 'psu1', 'pr-pdu-a', 'o1'), ('pr-web2', 'pr-web', 'psu2', 'pr-pdu-b', 'o1'),
    ('pr-db1', 'pr-db', 'psu1', 'pr-pdu-c', 'o1'), ('pr-db2', 'pr-db', 'psu2', 'pr-pdu-b', 'o2'),
    ('pr-gpu1', 'pr-gpu', 'psu1', 'pr-pdu-c', 'o2'), ('pr-gpu2', 'pr-gpu', 'psu2', 'pr-pdu-b', 'o3');
WITH w AS (SELECT w.*, gen_random_uuid() AS id FROM wiring w),
     c AS (INSERT INTO cable (id, label, type) SELECT id, label, 'power' FROM w)
INSERT INTO cable_end (cable_id, side, port_id)
SELECT w.id, s.side::cable_side, p.id
FROM w CROSS JOIN LATERAL (VALUES ('a', w.a_device, w.a_port), ('b', w.b_device, w.b_port)) s(side, device, port)
JOIN device d ON d.name = s.device JOIN port p ON p.device_id = d.id AND p.name = s.port;
\set QUIET off

-- what each supply draws, and from where
SELECT d.name AS device, p.name AS inlet, sd.name || ':' || sp.name AS source,
       round(i.own_watts, 1) AS own_watts, round(i.through_share, 2) AS through_share
FROM power_input i JOIN port p ON p.id = i.port_id JOIN device d ON d.id = i.device_id
JOIN port sp ON sp.id = i.source_port_id JOIN device sd ON sd.id = i.source_device_id
WHERE d.name LIKE 'pr-%' ORDER BY 1, 2;

-- c = 8 + db 600 + gpu 1500; a = 12 + web 200 + c; b = 12 + web 200 + db 600 + gpu 900
SELECT level, device, feed, rack, site, draw_watts, rated_watts, max_utilization, capacity_watts,
       utilization_percent, over_max
FROM power_load WHERE device LIKE 'pr-%' ORDER BY level, device, feed;
SELECT d.name, power_draw(d.id) FROM device d WHERE d.name LIKE 'pr-%' ORDER BY d.name;

-- the A feed is a 16 A circuit: the db server grown to 3000 W takes it, a and c over 80%
UPDATE device SET draw_watts = 3000 WHERE name = 'pr-db';
SELECT level, device, feed, draw_watts, capacity_watts, utilization_percent, over_max
FROM power_load WHERE device LIKE 'pr-%' AND over_max ORDER BY level, device, feed;

-- refusals (terse: the failing row would show ids)
\set VERBOSITY terse
SAVEPOINT refusal;
INSERT INTO power_feed (id, volts, amps)
SELECT p.id, -48, 16 FROM port p JOIN device d ON d.id = p.device_id WHERE d.name = 'pr-pdu-a' AND p.name = 'o3';
ROLLBACK TO refusal;
INSERT INTO power_feed (id, volts, amps)
SELECT p.id, 230, 16 FROM port p JOIN device d ON d.id = p.device_id WHERE d.name = 'pr-pdu-a' AND p.name = 'o3';
ROLLBACK TO refusal;
-- c draws from a: a drawing from c would be a loop
WITH c AS (INSERT INTO cable (label) VALUES ('pr-loop') RETURNING id)
INSERT INTO cable_end (cable_id, side, port_id)
SELECT c.id, s.side::cable_side, p.id FROM c,
       (VALUES ('a', 'pr-pdu-a', 'in2'), ('b', 'pr-pdu-c', 'o3')) s(side, device, port)
JOIN device d ON d.name = s.device JOIN port p ON p.device_id = d.id AND p.name = s.port;
ROLLBACK;
