-- mountaineer_hardware: corners of the cable-graph engine (src/cable.c)
-- that cables.sql does not reach: far ends that tie on every name, a wide
-- breakout, a PDU with no inlet, and loops through patch panels that only
-- the whole position stack tells apart.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(9);
SET CONSTRAINTS ALL IMMEDIATE;

CREATE FUNCTION pg_temp.pid(dev text, port text) RETURNS uuid LANGUAGE sql AS $$
    SELECT p.id FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
    WHERE d.name = $1 AND p.name = $2 $$;
-- a connected cable with ends "device.port" a[] on side a and b[] on side b
CREATE FUNCTION pg_temp.cab(label text, a text[], b text[]) RETURNS void LANGUAGE sql AS $$
    WITH c AS (INSERT INTO mountaineer.cable (label) VALUES ($1) RETURNING id)
    INSERT INTO mountaineer.cable_end (cable_id, side, port_id)
    SELECT c.id, 'a'::mountaineer.cable_side, pg_temp.pid(split_part(x, '.', 1), split_part(x, '.', 2)) FROM c, unnest($2) x
    UNION ALL
    SELECT c.id, 'b', pg_temp.pid(split_part(x, '.', 1), split_part(x, '.', 2)) FROM c, unnest($3) x $$;
-- a trace as one line per hop: branch.hop near -cable-> far outcome
CREATE FUNCTION pg_temp.show(trace text, dev text, port text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        SELECT rtrim(format('%%s.%%s %%s.%%s -%%s-> %%s %%s', t.branch, t.hop, nd.name, np.name, c.label,
                            coalesce(fd.name || '.' || fp.name, 'nothing'), t.outcome))
        FROM mountaineer.%I(pg_temp.pid(%L, %L)) t
        JOIN mountaineer.port np ON np.id = t.near_port
        JOIN mountaineer.device nd ON nd.id = t.near_device
        JOIN mountaineer.cable c ON c.id = t.cable_id
        LEFT JOIN mountaineer.port fp ON fp.id = t.far_port
        LEFT JOIN mountaineer.device fd ON fd.id = t.far_device
        ORDER BY t.branch, t.hop$q$, trace, dev, port);
END $$;

-- a breakout whose far ends tie on device name and port name (two devices
-- out of any rack may share a name): its branches come in port id order
INSERT INTO device (id, kind, name) VALUES ('00000000-0000-4000-8000-0000000000d1', 'server', 'cc-twin'),
                                           ('00000000-0000-4000-8000-0000000000d2', 'server', 'cc-twin'),
                                           (DEFAULT, 'network', 'cc-sw');
INSERT INTO port (id, device_id, name, kind) VALUES
    ('00000000-0000-4000-8000-0000000000fb', '00000000-0000-4000-8000-0000000000d1', 'eth0', 'interface'),
    ('00000000-0000-4000-8000-0000000000fa', '00000000-0000-4000-8000-0000000000d2', 'eth0', 'interface');
INSERT INTO port (device_id, name, kind) SELECT id, 'p1', 'interface' FROM device WHERE name = 'cc-sw';
WITH c AS (INSERT INTO cable (label) VALUES ('cc-twins') RETURNING id)
INSERT INTO cable_end (cable_id, side, port_id)
SELECT c.id, 'a'::cable_side, pg_temp.pid('cc-sw', 'p1') FROM c UNION ALL
SELECT c.id, 'b', p.id FROM c, port p WHERE p.device_id IN ('00000000-0000-4000-8000-0000000000d1', '00000000-0000-4000-8000-0000000000d2');
SELECT is(array(SELECT far_port::text FROM cable_trace(pg_temp.pid('cc-sw', 'p1')) ORDER BY branch),
          ARRAY['00000000-0000-4000-8000-0000000000fa', '00000000-0000-4000-8000-0000000000fb'],
          'far ends with the same device and port names come in port id order');

-- a breakout to 20 servers: every far end is a branch, in device name
-- order, and losing the switch takes all 20 down
INSERT INTO device (kind, name) SELECT 'network'::device_kind, 'cc-fan' UNION ALL
SELECT 'server', format('cc-leaf%s', lpad(i::text, 2, '0')) FROM generate_series(1, 20) i;
INSERT INTO port (device_id, name, kind) SELECT id, 'eth0', 'interface' FROM device WHERE name ~ '^cc-(fan|leaf)';
SELECT pg_temp.cab('cc-fanout', ARRAY['cc-fan.eth0'], array(SELECT format('cc-leaf%s.eth0', lpad(i::text, 2, '0')) FROM generate_series(20, 1, -1) i));
SELECT results_eq($$SELECT branch, d.name::text, outcome FROM cable_trace(pg_temp.pid('cc-fan', 'eth0')) t
                    JOIN device d ON d.id = t.far_device ORDER BY branch$$,
                  $$SELECT i, format('cc-leaf%s', lpad(i::text, 2, '0')), 'complete'::text FROM generate_series(1, 20) i$$,
                  'a breakout to 20 ports: 20 complete branches, in device name order');
SELECT results_eq($$SELECT d.name::text, i.depth, p.name::text FROM impact((SELECT id FROM device WHERE name = 'cc-fan')) i
                    JOIN device d ON d.id = i.device_id JOIN port p ON p.id = i.via_port ORDER BY d.name$$,
                  $$SELECT format('cc-leaf%s', lpad(i::text, 2, '0')), 1, 'eth0'::text FROM generate_series(1, 20) i$$,
                  'impact of its switch: each of the 20 servers at depth 1');

-- a power trace that reaches a PDU with outlets but no inlet: open there
INSERT INTO device (kind, name, units) VALUES ('server', 'cc-srv', 1), ('pdu', 'cc-strip', 0);
INSERT INTO port (device_id, name, kind) SELECT id, 'psu1', 'power_port' FROM device WHERE name = 'cc-srv';
INSERT INTO port (device_id, name, kind) SELECT id, 'o' || n, 'power_outlet' FROM device, generate_series(1, 2) n WHERE name = 'cc-strip';
SELECT pg_temp.cab('cc-pw', ARRAY['cc-srv.psu1'], ARRAY['cc-strip.o1']);
SELECT is(array(SELECT pg_temp.show('power_trace', 'cc-srv', 'psu1')), ARRAY['1.1 cc-srv.psu1 -cc-pw-> cc-strip.o1 open'],
          'a power trace to a PDU with no inlet of its own ends open at the outlet');

-- patch panels (rear port R, two positions, front ports F1 and F2) cabled
-- into themselves.  A signal back at a port it has left is in a loop only
-- when it carries an equal stack of positions: the same panels (rear ports)
-- at the same positions, all the way down.
INSERT INTO device (kind, name, units) SELECT 'patch_panel', 'cc-' || n, 1 FROM unnest(ARRAY['A', 'B', 'C', 'D', 'E', 'G', 'H', 'J', 'K', 'L']) n;
INSERT INTO port (device_id, name, kind, positions) SELECT id, 'R', 'rear_port', 2 FROM device WHERE kind = 'patch_panel' AND name LIKE 'cc-%';
INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
SELECT d.id, 'F' || n, 'front_port', r.id, n FROM device d JOIN port r ON r.device_id = d.id AND r.kind = 'rear_port',
       generate_series(1, 2) n WHERE d.name LIKE 'cc-%';
-- E's rear leads into D's front 1, D's rear into A's front 1, A's rear into
-- B's front 1, and B's rear to C's rear, whose cable also ends at C's own
-- front 1.  C's rear takes a position off the stack and sends the signal
-- out of C.F1, back into C's rear, round and round: each time C.F1 is left
-- with a shorter stack (whose top is position 1 of another panel), so it is
-- not a loop, until the stack is empty.  Then C's rear splits: to C.F1,
-- left with an empty stack before (a loop), and to C.F2 (no cable: open).
SELECT pg_temp.cab('cc-1', ARRAY['cc-C.R'], ARRAY['cc-B.R', 'cc-C.F1']);
SELECT pg_temp.cab('cc-2', ARRAY['cc-A.F1'], ARRAY['cc-D.R']);
SELECT pg_temp.cab('cc-3', ARRAY['cc-B.F1'], ARRAY['cc-A.R']);
SELECT pg_temp.cab('cc-4', ARRAY['cc-E.R'], ARRAY['cc-D.F1']);
SELECT is(array(SELECT pg_temp.show('cable_trace', 'cc-E', 'R')), ARRAY[
    '1.1 cc-E.R -cc-4-> cc-D.F1', '1.2 cc-D.R -cc-2-> cc-A.F1', '1.3 cc-A.R -cc-3-> cc-B.F1', '1.4 cc-B.R -cc-1-> cc-C.R',
    '1.5 cc-C.F1 -cc-1-> cc-C.R', '1.6 cc-C.F1 -cc-1-> cc-C.R', '1.7 cc-C.F1 -cc-1-> cc-C.R loop',
    '2.1 cc-E.R -cc-4-> cc-D.F1', '2.2 cc-D.R -cc-2-> cc-A.F1', '2.3 cc-A.R -cc-3-> cc-B.F1', '2.4 cc-B.R -cc-1-> cc-C.R',
    '2.5 cc-C.F1 -cc-1-> cc-C.R', '2.6 cc-C.F1 -cc-1-> cc-C.R', '2.7 cc-C.F1 -cc-1-> cc-C.R open'],
    'a port left again with a shorter stack, or one whose top position is another panel''s, is not a loop');
SELECT is(array(SELECT pg_temp.show('cable_trace', 'cc-D', 'R')), ARRAY[
    '1.1 cc-D.R -cc-2-> cc-A.F1', '1.2 cc-A.R -cc-3-> cc-B.F1', '1.3 cc-B.R -cc-1-> cc-C.R',
    '1.4 cc-C.F1 -cc-1-> cc-C.R', '1.5 cc-C.F1 -cc-1-> cc-C.R loop',
    '2.1 cc-D.R -cc-2-> cc-A.F1', '2.2 cc-A.R -cc-3-> cc-B.F1', '2.3 cc-B.R -cc-1-> cc-C.R',
    '2.4 cc-C.F1 -cc-1-> cc-C.R', '2.5 cc-C.F1 -cc-1-> cc-C.R open'],
    'one panel less at the start, one hop less round C');
-- G.F1 leads into H.F1, H's rear into J's front 2, J's rear to K's rear,
-- K.F2 and G.F2 (one side of a breakout) to L.F2, and L's rear to G's rear.
-- From G.F1 the signal reaches L.F2 from K.F2 carrying position 1 of H; L's
-- rear sends it to G.F2 with that same stack, and the breakout back into
-- L.F2: it would leave L's rear again exactly as it left it, so it is a loop.
SELECT pg_temp.cab('cc-5', ARRAY['cc-G.F1'], ARRAY['cc-H.F1']);
SELECT pg_temp.cab('cc-6', ARRAY['cc-H.R'], ARRAY['cc-J.F2']);
SELECT pg_temp.cab('cc-7', ARRAY['cc-J.R'], ARRAY['cc-K.R']);
SELECT pg_temp.cab('cc-8', ARRAY['cc-K.F2', 'cc-G.F2'], ARRAY['cc-L.F2']);
SELECT pg_temp.cab('cc-9', ARRAY['cc-L.R'], ARRAY['cc-G.R']);
SELECT is(array(SELECT pg_temp.show('cable_trace', 'cc-G', 'F1')), ARRAY[
    '1.1 cc-G.F1 -cc-5-> cc-H.F1', '1.2 cc-H.R -cc-6-> cc-J.F2', '1.3 cc-J.R -cc-7-> cc-K.R',
    '1.4 cc-K.F2 -cc-8-> cc-L.F2', '1.5 cc-L.R -cc-9-> cc-G.R', '1.6 cc-G.F2 -cc-8-> cc-L.F2 loop'],
    'back at a port with the same stack it left with: a loop');
SELECT is(array(SELECT pg_temp.show('cable_trace', 'cc-L', 'R')), ARRAY[
    '1.1 cc-L.R -cc-9-> cc-G.R split', '1.2 cc-G.F1 -cc-5-> cc-H.F1', '1.3 cc-H.R -cc-6-> cc-J.F2',
    '1.4 cc-J.R -cc-7-> cc-K.R', '1.5 cc-K.F2 -cc-8-> cc-L.F2', '1.6 cc-L.R -cc-9-> cc-G.R', '1.7 cc-G.F2 -cc-8-> cc-L.F2 loop',
    '2.1 cc-L.R -cc-9-> cc-G.R split', '2.2 cc-G.F2 -cc-8-> cc-L.F2', '2.3 cc-L.R -cc-9-> cc-G.R loop'],
    'and from L''s rear, with an empty stack: a split at G, each branch a loop');
SELECT is((SELECT count(*)::int FROM cable_trace(pg_temp.pid('cc-G', 'F1')) WHERE outcome = 'loop'), 1,
          'the loop ends the one branch');

SELECT * FROM finish();
ROLLBACK;
