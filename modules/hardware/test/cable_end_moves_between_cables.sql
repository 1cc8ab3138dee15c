-- mountaineer_hardware: an end moved from one cable to another (UPDATE of
-- cable_end.cable_id).  The check that a connected cable has an end on each
-- side (cable_check_sides, deferred) then looks at both cables: the move
-- is refused when it takes the last end of a side from the cable it leaves,
-- and allowed when that cable keeps one.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(4);
-- check at each statement, not at commit
SET CONSTRAINTS ALL IMMEDIATE;

INSERT INTO device (kind, name) VALUES ('server', 'mv-a'), ('server', 'mv-b'), ('server', 'mv-c'), ('network', 'mv-sw');
INSERT INTO port (device_id, name, kind) SELECT id, 'eth0', 'interface' FROM device WHERE name LIKE 'mv-%';
INSERT INTO port (device_id, name, kind) SELECT id, 'eth1', 'interface' FROM device WHERE name = 'mv-sw';
CREATE FUNCTION pg_temp.pid(dev text, port text) RETURNS uuid LANGUAGE sql AS $$
    SELECT p.id FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
    WHERE d.name = $1 AND p.name = $2 $$;
-- mv-1: a breakout from mv-sw:eth0 (side a) to mv-a and mv-b (side b);
-- mv-2: mv-sw:eth1 (a) to mv-c (b)
WITH c AS (INSERT INTO cable (label) VALUES ('mv-1'), ('mv-2') RETURNING id, label)
INSERT INTO cable_end (cable_id, side, port_id)
SELECT c.id, e.side::cable_side, pg_temp.pid(e.dev, e.port) FROM c
JOIN (VALUES ('mv-1', 'a', 'mv-sw', 'eth0'), ('mv-1', 'b', 'mv-a', 'eth0'), ('mv-1', 'b', 'mv-b', 'eth0'),
             ('mv-2', 'a', 'mv-sw', 'eth1'), ('mv-2', 'b', 'mv-c', 'eth0')) e(cable, side, dev, port) ON e.cable = c.label;

SELECT throws_ok($$UPDATE cable_end SET cable_id = (SELECT id FROM cable WHERE label = 'mv-2')
                   WHERE port_id = pg_temp.pid('mv-sw', 'eth0')$$,
                 '23514', 'connected cable "mv-1" has no end on side a',
                 'moving the only side-a end of a connected cable to another cable is refused');
SELECT lives_ok($$UPDATE cable_end SET cable_id = (SELECT id FROM cable WHERE label = 'mv-2')
                  WHERE port_id = pg_temp.pid('mv-b', 'eth0')$$,
                'moving one of two side-b ends to another cable is allowed');
SELECT is((SELECT string_agg(c.label || ':' || e.side || ':' || d.name, ',' ORDER BY c.label, e.side, d.name)
           FROM cable_end e JOIN cable c ON c.id = e.cable_id
           JOIN port p ON p.id = e.port_id JOIN device d ON d.id = p.device_id
           WHERE c.label LIKE 'mv-%'),
          'mv-1:a:mv-sw,mv-1:b:mv-a,mv-2:a:mv-sw,mv-2:b:mv-b,mv-2:b:mv-c',
          'the end is on its new cable, the old one keeps both sides');
SELECT throws_ok($$UPDATE cable_end SET side = 'a' WHERE port_id = pg_temp.pid('mv-a', 'eth0')$$,
                 '23514', 'connected cable "mv-1" has no end on side b',
                 'moving the last side-b end to side a of its cable is refused too');

SELECT * FROM finish();
ROLLBACK;
