-- mountaineer_hardware: cables and the cable graph.  Every topology the
-- trace, power trace and impact functions meet, and every refusal with its
-- SQLSTATE and message.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(96);
-- check "connected cables have both sides" at each statement, not at commit
SET CONSTRAINTS ALL IMMEDIATE;

--------------------------------------------------------------------------
-- Fixture
--------------------------------------------------------------------------
INSERT INTO site (name) VALUES ('cab');
INSERT INTO rack (site_id, name) SELECT id, 'c01' FROM site WHERE name = 'cab';
INSERT INTO device (kind, name, units) VALUES
    ('server', 'd-srv', 1), ('network', 'd-sw', 1),
    ('server', 'srv1', 1), ('server', 'srv2', 1), ('server', 'srv3', 1), ('server', 'srv4', 1),
    ('server', 'srv5', 1), ('server', 'srv6', 1), ('network', 'tor', 1),
    ('patch_panel', 'ppA', 1), ('patch_panel', 'ppB', 1), ('patch_panel', 'ppC', 1),
    ('patch_panel', 'ppD', 1), ('patch_panel', 'ppE', 1), ('patch_panel', 'ppF', 1),
    ('patch_panel', 'ppL1', 1), ('patch_panel', 'ppL2', 1),
    ('pdu', 'pduA', 0), ('pdu', 'pduB', 0), ('pdu', 'pduC', 0), ('power_panel', 'panel', 0),
    ('other', 'cons', 1);
INSERT INTO port (device_id, name, kind)
SELECT d.id, p.name, p.kind::port_kind FROM device d,
       (VALUES ('eth0', 'interface'), ('eth1', 'interface'), ('eth2', 'interface'),
               ('psu1', 'power_port'), ('psu2', 'power_port'), ('serial', 'console')) p(name, kind)
WHERE d.kind = 'server';
INSERT INTO port (device_id, name, kind)
SELECT d.id, 'p' || n, 'interface' FROM device d, generate_series(1, 8) n WHERE d.kind = 'network';
INSERT INTO port (device_id, name, kind) SELECT id, 'psu1', 'power_port' FROM device WHERE name = 'tor';
INSERT INTO port (device_id, name, kind, positions)
SELECT id, 'rear', 'rear_port', 4 FROM device WHERE kind = 'patch_panel';
INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
SELECT d.id, 'f' || n, 'front_port', r.id, n
FROM device d JOIN port r ON r.device_id = d.id AND r.kind = 'rear_port', generate_series(1, 4) n;
INSERT INTO port (device_id, name, kind)
SELECT d.id, 'o' || n, 'power_outlet' FROM device d, generate_series(1, 4) n WHERE d.kind = 'pdu';
INSERT INTO port (device_id, name, kind) SELECT id, 'inlet', 'power_port' FROM device WHERE kind = 'pdu';
INSERT INTO port (device_id, name, kind)
SELECT id, 'feed' || n, 'power_feed' FROM device, generate_series(1, 2) n WHERE name = 'panel';
INSERT INTO port (device_id, name, kind) SELECT id, 'line1', 'console_server' FROM device WHERE name = 'cons';

CREATE FUNCTION pid(dev text, port text) RETURNS uuid LANGUAGE sql AS $$
    SELECT p.id FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
    WHERE d.name = $1 AND p.name = $2 $$;
CREATE FUNCTION did(dev text) RETURNS uuid LANGUAGE sql AS $$
    SELECT id FROM mountaineer.device WHERE name = $1 $$;
-- a connected cable with ends a[] on side a and b[] on side b, in one statement
CREATE FUNCTION cab(label text, a uuid[], b uuid[], type text DEFAULT NULL) RETURNS uuid LANGUAGE sql AS $$
    WITH c AS (INSERT INTO mountaineer.cable (label, type) VALUES ($1, $4) RETURNING id),
         e AS (INSERT INTO mountaineer.cable_end (cable_id, side, port_id)
               SELECT c.id, 'a'::mountaineer.cable_side, x FROM c, unnest($2) x UNION ALL
               SELECT c.id, 'b', x FROM c, unnest($3) x RETURNING cable_id)
    SELECT id FROM c $$;
-- a trace as one line per hop: branch.hop near -cable-> far outcome
CREATE FUNCTION show(trace text, dev text, port text, include_planned boolean DEFAULT false) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        SELECT rtrim(format('%%s.%%s %%s:%%s -%%s-> %%s %%s', t.branch, t.hop, nd.name, np.name, c.label,
                            coalesce(fd.name || ':' || fp.name, 'nothing'), t.outcome))
        FROM mountaineer.%I(pid(%L, %L), %L) t
        JOIN mountaineer.port np ON np.id = t.near_port
        JOIN mountaineer.device nd ON nd.id = t.near_device
        JOIN mountaineer.cable c ON c.id = t.cable_id
        LEFT JOIN mountaineer.port fp ON fp.id = t.far_port
        LEFT JOIN mountaineer.device fd ON fd.id = t.far_device
        ORDER BY t.branch, t.hop$q$, trace, dev, port, include_planned);
END $$;
CREATE FUNCTION hit(dev text, include_planned boolean DEFAULT false) RETURNS SETOF text LANGUAGE sql AS $$
    SELECT d.name || '@' || i.depth || ' via ' || p.name
    FROM mountaineer.impact(did($1), $2) i
    JOIN mountaineer.device d ON d.id = i.device_id
    JOIN mountaineer.port p ON p.id = i.via_port
    ORDER BY i.depth, d.name $$;

-- direct
SELECT cab('direct', ARRAY[pid('d-srv', 'eth0')], ARRAY[pid('d-sw', 'p1')], 'cat6');
-- interface → ppA front → ppA rear ═ trunk ═ ppB rear → ppB front → interface
SELECT cab('trunk', ARRAY[pid('ppA', 'rear')], ARRAY[pid('ppB', 'rear')], 'om4');
SELECT cab('c1', ARRAY[pid('srv1', 'eth0')], ARRAY[pid('ppA', 'f2')]);
SELECT cab('c2', ARRAY[pid('ppB', 'f2')], ARRAY[pid('tor', 'p1')]);
SELECT cab('c3', ARRAY[pid('srv2', 'eth0')], ARRAY[pid('ppA', 'f3')]);
SELECT cab('c4', ARRAY[pid('tor', 'p2')], ARRAY[pid('ppB', 'f3')]);     -- written the other way round
-- two chained panel pairs: srv3 → ppC ═ ppD → patch → ppE ═ ppF → tor
SELECT cab('c5', ARRAY[pid('srv3', 'eth0')], ARRAY[pid('ppC', 'f1')]);
SELECT cab('trunk2', ARRAY[pid('ppC', 'rear')], ARRAY[pid('ppD', 'rear')]);
SELECT cab('patch', ARRAY[pid('ppD', 'f1')], ARRAY[pid('ppE', 'f2')]);
SELECT cab('trunk3', ARRAY[pid('ppE', 'rear')], ARRAY[pid('ppF', 'rear')]);
SELECT cab('c6', ARRAY[pid('ppF', 'f2')], ARRAY[pid('tor', 'p3')]);
-- open: srv4 reaches ppB f4, which has no cable; eth1 is on a half-laid planned cable
SELECT cab('c7', ARRAY[pid('srv4', 'eth0')], ARRAY[pid('ppA', 'f4')]);
INSERT INTO cable (label, status) VALUES ('half', 'planned');
INSERT INTO cable_end (cable_id, side, port_id) SELECT id, 'a', pid('srv4', 'eth1') FROM cable WHERE label = 'half';
-- loop: ppL2 f1 is patched back into ppL1 f1, whose trunk leads to ppL2 f1
SELECT cab('trunkL', ARRAY[pid('ppL1', 'rear')], ARRAY[pid('ppL2', 'rear')]);
SELECT cab('loopback', ARRAY[pid('ppL2', 'f1')], ARRAY[pid('ppL1', 'f1')]);
-- breakout: tor p8 fans out to srv5 and srv6
SELECT cab('brk', ARRAY[pid('tor', 'p8')], ARRAY[pid('srv5', 'eth0'), pid('srv6', 'eth0')], 'dac');
-- power: panel feeds pduA and pduB; pduC hangs off pduA; srv1 is fed by both A and B
SELECT cab('pwA', ARRAY[pid('pduA', 'inlet')], ARRAY[pid('panel', 'feed1')], 'power');
SELECT cab('pwB', ARRAY[pid('pduB', 'inlet')], ARRAY[pid('panel', 'feed2')], 'power');
SELECT cab('pwC', ARRAY[pid('pduC', 'inlet')], ARRAY[pid('pduA', 'o4')], 'power');
SELECT cab('ps1a', ARRAY[pid('srv1', 'psu1')], ARRAY[pid('pduA', 'o1')], 'power');
SELECT cab('ps1b', ARRAY[pid('srv1', 'psu2')], ARRAY[pid('pduB', 'o1')], 'power');
SELECT cab('ps2', ARRAY[pid('srv2', 'psu1')], ARRAY[pid('pduA', 'o2')], 'power');
SELECT cab('ps3', ARRAY[pid('srv3', 'psu1')], ARRAY[pid('pduC', 'o1')], 'power');
SELECT cab('pstor', ARRAY[pid('pduA', 'o3')], ARRAY[pid('tor', 'psu1')], 'power');
SELECT cab('console', ARRAY[pid('srv6', 'serial')], ARRAY[pid('cons', 'line1')]);
-- cables not in service: srv2's second inlet is planned onto pduB; a planned
-- patch half way along srv3's eth1; srv6's eth1 still on a cable being
-- decommissioned
SELECT cab('ps2b', ARRAY[pid('srv2', 'psu2')], ARRAY[pid('pduB', 'o3')], 'power');
SELECT cab('c5b', ARRAY[pid('srv3', 'eth1')], ARRAY[pid('ppC', 'f2')]);
SELECT cab('patch2', ARRAY[pid('ppD', 'f2')], ARRAY[pid('ppE', 'f3')]);
SELECT cab('c6b', ARRAY[pid('ppF', 'f3')], ARRAY[pid('d-sw', 'p4')]);
SELECT cab('old', ARRAY[pid('srv6', 'eth1')], ARRAY[pid('d-sw', 'p5')]);
UPDATE cable SET status = 'planned' WHERE label IN ('ps2b', 'patch2');
UPDATE cable SET status = 'decommissioning' WHERE label = 'old';

--------------------------------------------------------------------------
-- Data model rules
--------------------------------------------------------------------------
SELECT is((SELECT status FROM cable WHERE label = 'direct'), 'connected'::cable_status, 'a cable is connected by default');
SELECT throws_ok($$SELECT cab('bad', ARRAY[pid('srv5', 'eth1')], ARRAY[pid('pduB', 'o2')])$$, '23514',
    'cable "bad" cannot connect port "o2" of device "pduB" (power_outlet) to port "eth1" of device "srv5" (interface)',
    'a data port cannot be cabled to a power outlet');
SELECT throws_ok($$SELECT cab('bad', ARRAY[pid('srv5', 'psu1')], ARRAY[pid('srv6', 'psu1')])$$, '23514',
    'cable "bad" cannot connect port "psu1" of device "srv6" (power_port) to port "psu1" of device "srv5" (power_port)',
    'two power inlets cannot be cabled together');
SELECT throws_ok($$SELECT cab('bad', ARRAY[pid('srv5', 'serial')], ARRAY[pid('d-sw', 'p2')])$$, '23514',
    'cable "bad" cannot connect port "p2" of device "d-sw" (interface) to port "serial" of device "srv5" (console)',
    'a console port connects only to a console server');
SELECT lives_ok($$SELECT cab('ok', ARRAY[pid('srv5', 'eth1')], ARRAY[pid('ppC', 'f4')]); DELETE FROM cable WHERE label = 'ok'$$,
    'an interface can be cabled to a patch-panel front port (and the cable deleted with its ends)');
SELECT throws_ok($$SELECT cab('again', ARRAY[pid('srv1', 'eth0')], ARRAY[pid('d-sw', 'p2')])$$, '23505',
    'port "eth0" of device "srv1" is already on cable "c1"', 'a port takes one cable, and the error names it');
SELECT throws_ok($$INSERT INTO cable (label) VALUES ('lonely')$$, '23514',
    'connected cable "lonely" has no end on side a and b', 'a connected cable needs ends');
SELECT throws_ok($$WITH c AS (INSERT INTO cable (label) VALUES ('one-sided') RETURNING id)
                  INSERT INTO cable_end (cable_id, side, port_id) SELECT id, 'a', pid('srv5', 'eth2') FROM c$$, '23514',
    'connected cable "one-sided" has no end on side b', 'a connected cable needs an end on each side');
SELECT throws_ok($$DELETE FROM cable_end WHERE port_id = pid('d-sw', 'p1')$$, '23514',
    'connected cable "direct" has no end on side b', 'unplugging the last end of a side of a connected cable is refused');
SELECT lives_ok($$INSERT INTO cable (label, status) VALUES ('spool', 'planned')$$, 'a planned cable may have no ends yet');
SELECT throws_ok($$INSERT INTO cable (label, length) VALUES ('x', 3)$$, '23514',
    'new row for relation "cable" violates check constraint "cable_length_unit"', 'a length needs its unit');
SELECT throws_ok($$INSERT INTO cable (label, status) VALUES ('x', 'cut')$$, '22P02',
    'invalid input value for enum cable_status: "cut"', 'status is an enum');
SELECT throws_ok($$UPDATE cable_end SET side = 'c' WHERE port_id = pid('srv1', 'eth0')$$, '22P02',
    'invalid input value for enum cable_side: "c"', 'side is a or b');
SELECT throws_ok($$DELETE FROM port WHERE id = pid('srv2', 'eth0')$$, '23503',
    'port "eth0" of device "srv2" cannot be deleted: it is on cable "c3"', 'a cabled port cannot be deleted');
SELECT throws_ok($$UPDATE port SET kind = 'console' WHERE id = pid('srv2', 'eth0')$$, '23514',
    'port "eth0" of device "srv2" cannot change kind from interface to console: it is on cable "c3"',
    'a cabled port keeps its kind');
SELECT throws_ok($$DELETE FROM device WHERE name = 'srv1'$$, '23503',
    'device "srv1" cannot be deleted: 3 of its ports are cabled (port "eth0" is on cable "c1")',
    'a cabled device cannot be deleted, and the error names a port and its cable');
-- values: label, type and colour are names; a length is more than 0, at most 1,000,000
SELECT throws_ok($$INSERT INTO cable (label, status) VALUES ('   ', 'planned')$$, '23514',
    'new row for relation "cable" violates check constraint "cable_label_check"', 'a label of only spaces is refused');
SELECT throws_ok($$INSERT INTO cable (label, status) VALUES (E'A01\tD03', 'planned')$$, '23514',
    'new row for relation "cable" violates check constraint "cable_label_check"', 'a label with a tab is refused');
SELECT throws_ok($$INSERT INTO cable (label, status) VALUES (' A01-D03', 'planned')$$, '23514',
    'new row for relation "cable" violates check constraint "cable_label_check"', 'a label with leading white space is refused');
SELECT throws_ok($$INSERT INTO cable (label, status) VALUES (repeat('x', 101), 'planned')$$, '23514',
    'new row for relation "cable" violates check constraint "cable_label_check"', 'a label of 101 characters is refused');
SELECT lives_ok($$INSERT INTO cable (label, status) VALUES (repeat('y', 100), 'planned')$$, 'a label of 100 characters is a name');
SELECT throws_ok($$INSERT INTO cable (label, type, status) VALUES ('t', '', 'planned')$$, '23514',
    'new row for relation "cable" violates check constraint "cable_type_check"', 'an empty type is refused');
SELECT throws_ok($$INSERT INTO cable (label, color, status) VALUES ('t', E'blue\n', 'planned')$$, '23514',
    'new row for relation "cable" violates check constraint "cable_color_check"', 'a colour with a newline is refused');
SELECT throws_ok(format($$INSERT INTO cable (label, status, length, length_unit) VALUES ('t', 'planned', %L, 'm')$$, v), '23514',
    'new row for relation "cable" violates check constraint "cable_length_check"', 'a length of ' || v || ' is refused')
FROM unnest(ARRAY['NaN', 'Infinity', '-Infinity', '-1', '0', '1000000.001', '1e30']) v;
SELECT lives_ok($$INSERT INTO cable (label, status, length, length_unit) VALUES ('t', 'planned', 1000000, 'mm'), ('t', 'planned', 0.5, 'm')$$,
    'lengths of 0.5 and 1,000,000 are accepted');
-- a message quotes at most 64 characters of a name, and says how long it is
SELECT throws_ok(format($$SELECT cab(%L, ARRAY[pid('srv5', 'eth1')], ARRAY[pid('pduB', 'o2')])$$, repeat('L', 100)), '23514',
    format('cable "%s..." (100 characters) cannot connect port "o2" of device "pduB" (power_outlet) to port "eth1" of device "srv5" (interface)',
           repeat('L', 64)),
    'a long label is quoted as an excerpt');
SELECT lives_ok($$UPDATE port SET name = 'eth0-renamed' WHERE id = pid('srv2', 'eth0');
                  UPDATE port SET name = 'eth0' WHERE id = pid('srv2', 'eth0-renamed')$$,
    'a cabled port can still be renamed');

--------------------------------------------------------------------------
-- cable_trace
--------------------------------------------------------------------------
SELECT is(array(SELECT show('cable_trace', 'd-srv', 'eth0')),
    ARRAY['1.1 d-srv:eth0 -direct-> d-sw:p1 complete'], 'direct cable');
SELECT is(array(SELECT show('cable_trace', 'd-sw', 'p1')),
    ARRAY['1.1 d-sw:p1 -direct-> d-srv:eth0 complete'], 'direct cable, from its other end');
SELECT is(array(SELECT show('cable_trace', 'srv1', 'eth0')),
    ARRAY['1.1 srv1:eth0 -c1-> ppA:f2',
          '1.2 ppA:rear -trunk-> ppB:rear',
          '1.3 ppB:f2 -c2-> tor:p1 complete'],
    'through a panel pair: front → rear, the trunk carries position 2, rear → front 2');
SELECT is(array(SELECT show('cable_trace', 'tor', 'p2')),
    ARRAY['1.1 tor:p2 -c4-> ppB:f3',
          '1.2 ppB:rear -trunk-> ppA:rear',
          '1.3 ppA:f3 -c3-> srv2:eth0 complete'],
    'the same trunk carries position 3 the other way');
SELECT is(array(SELECT show('cable_trace', 'srv3', 'eth0')),
    ARRAY['1.1 srv3:eth0 -c5-> ppC:f1',
          '1.2 ppC:rear -trunk2-> ppD:rear',
          '1.3 ppD:f1 -patch-> ppE:f2',
          '1.4 ppE:rear -trunk3-> ppF:rear',
          '1.5 ppF:f2 -c6-> tor:p3 complete'],
    'two chained panel pairs');
SELECT is(array(SELECT show('cable_trace', 'ppA', 'f2')),
    ARRAY['1.1 ppA:f2 -c1-> srv1:eth0 complete'], 'a trace from a front port follows its own cable');
SELECT is(array(SELECT show('cable_trace', 'ppA', 'rear')),
    ARRAY['1.1 ppA:rear -trunk-> ppB:rear open',
          '2.1 ppA:rear -trunk-> ppB:rear split',
          '2.2 ppB:f2 -c2-> tor:p1 complete',
          '3.1 ppA:rear -trunk-> ppB:rear split',
          '3.2 ppB:f3 -c4-> tor:p2 complete',
          '4.1 ppA:rear -trunk-> ppB:rear open'],
    'a rear port reached with no position splits into every front port; unconnected fronts end open');
SELECT is(array(SELECT show('cable_trace', 'srv4', 'eth0')),
    ARRAY['1.1 srv4:eth0 -c7-> ppA:f4', '1.2 ppA:rear -trunk-> ppB:rear open'],
    'open: the front port at the far position has no cable');
SELECT is_empty($$SELECT * FROM cable_trace(pid('srv4', 'eth1'))$$,
    'a port on a planned cable is unconnected: the trace follows connected cables only');
SELECT is(array(SELECT show('cable_trace', 'srv4', 'eth1', true)),
    ARRAY['1.1 srv4:eth1 -half-> nothing open'], 'open: a half-laid planned cable, with include_planned, has no far end');
SELECT is(array(SELECT show('cable_trace', 'srv3', 'eth1')),
    ARRAY['1.1 srv3:eth1 -c5b-> ppC:f2', '1.2 ppC:rear -trunk2-> ppD:rear open'],
    'a planned patch half way: the branch ends open at the panel port before it');
SELECT is(array(SELECT show('cable_trace', 'srv3', 'eth1', include_planned => true)),
    ARRAY['1.1 srv3:eth1 -c5b-> ppC:f2', '1.2 ppC:rear -trunk2-> ppD:rear', '1.3 ppD:f2 -patch2-> ppE:f3',
          '1.4 ppE:rear -trunk3-> ppF:rear', '1.5 ppF:f3 -c6b-> d-sw:p4 complete'],
    'with include_planned the trace crosses the planned patch to the far end');
SELECT is_empty($$SELECT * FROM cable_trace(pid('srv6', 'eth1'))$$,
    'a cable being decommissioned is not followed either');
SELECT is(array(SELECT show('cable_trace', 'srv6', 'eth1', true)),
    ARRAY['1.1 srv6:eth1 -old-> d-sw:p5 complete'], 'but it is with include_planned');
SELECT is_empty($$SELECT * FROM cable_trace(pid('srv6', 'eth1'), NULL)$$, 'include_planned NULL: no rows (STRICT)');
SELECT is(array(SELECT show('cable_trace', 'ppL2', 'f1')),
    ARRAY['1.1 ppL2:f1 -loopback-> ppL1:f1', '1.2 ppL1:rear -trunkL-> ppL2:rear loop'],
    'a loop is reported, not followed');
SELECT is(array(SELECT show('cable_trace', 'tor', 'p8')),
    ARRAY['1.1 tor:p8 -brk-> srv5:eth0 complete', '2.1 tor:p8 -brk-> srv6:eth0 complete'],
    'a breakout cable fans out into one branch per far end');
SELECT is(array(SELECT show('cable_trace', 'srv6', 'eth0')),
    ARRAY['1.1 srv6:eth0 -brk-> tor:p8 complete'], 'and from a breakout leg back to its one end');
SELECT is(array(SELECT show('cable_trace', 'srv6', 'serial')),
    ARRAY['1.1 srv6:serial -console-> cons:line1 complete'], 'a console cable');
SELECT is_empty($$SELECT * FROM cable_trace(pid('srv5', 'eth2'))$$, 'an unconnected port has no trace');
SELECT is_empty($$SELECT * FROM cable_trace(NULL)$$, 'a NULL port has no trace');
SELECT throws_ok($$SELECT * FROM cable_trace('00000000-0000-0000-0000-00000000abcd')$$, 'P0002',
    'no port with id 00000000-0000-0000-0000-00000000abcd', 'an unknown port is an error naming it');
SELECT is((SELECT count(*) FROM cable_trace(pid('srv1', 'eth0')) t
           WHERE (SELECT device_id FROM port WHERE id = t.near_port) <> t.near_device
              OR (SELECT device_id FROM port WHERE id = t.far_port) <> t.far_device), 0::bigint,
    'near_device and far_device are the ports'' devices');

-- a long chain: 200 panel pairs in series, 401 hops, traced without recursion
INSERT INTO device (kind, name, units)
SELECT 'patch_panel', format('ch-%s%s', x, i), 1 FROM generate_series(1, 200) i, unnest(ARRAY['a', 'b']) x;
INSERT INTO device (kind, name, units) VALUES ('server', 'ch-srv', 1), ('network', 'ch-sw', 1);
INSERT INTO port (device_id, name, kind) SELECT id, 'p1', 'interface' FROM device WHERE name IN ('ch-srv', 'ch-sw');
INSERT INTO port (device_id, name, kind) SELECT id, 'rear', 'rear_port' FROM device WHERE name LIKE 'ch-_%' AND kind = 'patch_panel';
INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
SELECT r.device_id, 'f1', 'front_port', r.id, 1 FROM port r JOIN device d ON d.id = r.device_id WHERE d.name LIKE 'ch-_%' AND r.kind = 'rear_port';
SELECT count(cab('ch-trunk' || i, ARRAY[pid('ch-a' || i, 'rear')], ARRAY[pid('ch-b' || i, 'rear')])) FROM generate_series(1, 200) i;
SELECT count(cab('ch-patch' || i, ARRAY[pid('ch-b' || i, 'f1')], ARRAY[pid('ch-a' || (i + 1), 'f1')])) FROM generate_series(1, 199) i;
SELECT cab('ch-first', ARRAY[pid('ch-srv', 'p1')], ARRAY[pid('ch-a1', 'f1')]);
SELECT cab('ch-last', ARRAY[pid('ch-b200', 'f1')], ARRAY[pid('ch-sw', 'p1')]);
SELECT results_eq($$SELECT count(*), max(hop), count(DISTINCT branch), max(outcome) FROM cable_trace(pid('ch-srv', 'p1'))$$,
    $$VALUES (401::bigint, 401, 1::bigint, 'complete')$$, 'a trace through 200 panel pairs: 401 hops, one branch, complete');
SELECT is((SELECT far_device FROM cable_trace(pid('ch-sw', 'p1')) WHERE outcome = 'complete'), did('ch-srv'),
    'and back from the other end');

-- the engine finds the indexes it probes by their columns, not their names
SELECT lives_ok($$ALTER INDEX cable_end_port_id_key RENAME TO cable_end_renamed;
                  CREATE INDEX cable_end_side_idx ON cable_end (side);
                  SELECT count(*) FROM cable_trace(pid('srv1', 'eth0'));
                  ALTER INDEX cable_end_renamed RENAME TO cable_end_port_id_key;
                  DROP INDEX cable_end_side_idx$$,
    'an index renamed, another added: the trace still finds the index on cable_end (port_id)');
SELECT is(array(SELECT show('cable_trace', 'srv1', 'eth0')),
    ARRAY['1.1 srv1:eth0 -c1-> ppA:f2', '1.2 ppA:rear -trunk-> ppB:rear', '1.3 ppB:f2 -c2-> tor:p1 complete'],
    'and traces as before once it has its name back');
SELECT throws_ok($$DROP INDEX cable_end_cable_idx; SELECT count(*) FROM cable_trace(pid('srv1', 'eth0'))$$, '55000',
    'the cable graph needs a btree index on "mountaineer.cable_end" (cable_id, side)',
    'without the index it probes, the trace says which it needs');
SELECT throws_ok($$DROP INDEX cable_end_cable_idx; CREATE INDEX ON cable_end (cable_id, side) WHERE side = 'a';
                   SELECT count(*) FROM cable_trace(pid('srv1', 'eth0'))$$, '55000',
    'the cable graph needs a btree index on "mountaineer.cable_end" (cable_id, side)',
    'a partial index does not serve');
SELECT throws_ok($q$DROP INDEX cable_end_cable_idx; CREATE INDEX cable_end_wide_idx ON cable_end (cable_id, side, port_id);
                    DO $$ BEGIN RAISE 'a trace of % hops', (SELECT count(*) FROM cable_trace(pid('srv1', 'eth0'))); END $$$q$,
    'P0001', 'a trace of 3 hops', 'any btree index leading with (cable_id, side) serves (the test fails on purpose to undo it)');
-- privileges: the functions read the tables as the caller
CREATE ROLE cab_nobody;
GRANT USAGE ON SCHEMA mountaineer TO cab_nobody;
SELECT pid('srv1', 'eth0') AS srv1_eth0 \gset
SET ROLE cab_nobody;
SELECT throws_ok(format('SELECT * FROM mountaineer.cable_trace(%L)', :'srv1_eth0'), '42501',
    'permission denied for table port', 'a caller who may not read the ports cannot trace them');
RESET ROLE;
SET ROLE mountaineer_reader;
SELECT lives_ok(format('SELECT * FROM mountaineer.cable_trace(%L)', :'srv1_eth0'), 'the reader role can trace');
RESET ROLE;

--------------------------------------------------------------------------
-- cable_path
--------------------------------------------------------------------------
SELECT is(cable_path(pid('srv1', 'eth0')) ->> 'status', 'complete', 'cable_path: complete');
SELECT is(cable_path(pid('srv1', 'eth0')) -> 'destinations' -> 0 ->> 'device', 'tor', 'cable_path: the destination');
SELECT is(jsonb_array_length(cable_path(pid('srv1', 'eth0')) -> 'branches' -> 0 -> 'hops'), 3, 'cable_path: three hops');
SELECT is(cable_path(pid('ppA', 'rear')) ->> 'status', 'split', 'cable_path: split');
SELECT is(cable_path(pid('srv4', 'eth0')) ->> 'status', 'open', 'cable_path: open');
SELECT is(cable_path(pid('ppL2', 'f1')) ->> 'status', 'loop', 'cable_path: loop');
SELECT is(cable_path(pid('tor', 'p8')) ->> 'status', 'complete', 'cable_path: a breakout is complete with two destinations');
SELECT is(cable_path(pid('srv3', 'eth1')) ->> 'status', 'open', 'cable_path: a planned patch half way leaves the path open');
SELECT is(cable_path(pid('srv3', 'eth1'), true) -> 'destinations' -> 0 ->> 'device', 'd-sw',
    'cable_path with include_planned: the destination beyond the planned patch');
SELECT is(jsonb_path_query_array(cable_path(pid('srv3', 'eth1'), true), '$.branches[0].hops[*].cable.status'),
    '["connected", "connected", "planned", "connected", "connected"]'::jsonb,
    'cable_path with include_planned shows each cable''s status');
SELECT is(cable_path(pid('srv6', 'eth1')), jsonb_build_object('origin', port_doc(pid('srv6', 'eth1')),
          'status', 'open', 'destinations', '[]'::jsonb, 'branches', '[]'::jsonb),
    'cable_path: a port on a decommissioning cable is unconnected');
SELECT is(cable_path(pid('srv5', 'eth2')), jsonb_build_object('origin', port_doc(pid('srv5', 'eth2')),
          'status', 'open', 'destinations', '[]'::jsonb, 'branches', '[]'::jsonb), 'cable_path: an unconnected origin');
SELECT throws_ok($$SELECT cable_path('00000000-0000-0000-0000-00000000abcd')$$, 'P0002',
    'no port with id 00000000-0000-0000-0000-00000000abcd', 'cable_path: an unknown port');

--------------------------------------------------------------------------
-- power_trace
--------------------------------------------------------------------------
SELECT is(array(SELECT show('power_trace', 'srv1', 'psu1')),
    ARRAY['1.1 srv1:psu1 -ps1a-> pduA:o1', '1.2 pduA:inlet -pwA-> panel:feed1 complete'],
    'power: server → PDU outlet, PDU inlet → feed');
SELECT is(array(SELECT show('power_trace', 'srv3', 'psu1')),
    ARRAY['1.1 srv3:psu1 -ps3-> pduC:o1', '1.2 pduC:inlet -pwC-> pduA:o4', '1.3 pduA:inlet -pwA-> panel:feed1 complete'],
    'power through a chained PDU');
SELECT is_empty($$SELECT * FROM power_trace(pid('srv5', 'psu2'))$$, 'power: an unplugged inlet has no trace');
SELECT is_empty($$SELECT * FROM power_trace(pid('srv2', 'psu2'))$$, 'power: an inlet on a planned cable has no trace');
SELECT is(array(SELECT show('power_trace', 'srv2', 'psu2', true)),
    ARRAY['1.1 srv2:psu2 -ps2b-> pduB:o3', '1.2 pduB:inlet -pwB-> panel:feed2 complete'],
    'power: with include_planned, the planned inlet''s way to the feed');
SELECT throws_ok($$SELECT * FROM power_trace(pid('srv1', 'eth0'))$$, '22023',
    format('port %s is of kind interface, not power_port', pid('srv1', 'eth0')), 'power_trace starts at a power port');
SELECT throws_ok($$SELECT * FROM power_trace('00000000-0000-0000-0000-00000000abcd')$$, 'P0002',
    'no port with id 00000000-0000-0000-0000-00000000abcd', 'power_trace: an unknown port');

--------------------------------------------------------------------------
-- impact
--------------------------------------------------------------------------
SELECT is(array(SELECT hit('pduA')),
    ARRAY['pduC@1 via inlet', 'srv2@1 via psu1', 'tor@1 via psu1',
          'srv1@2 via eth0', 'srv3@2 via eth0', 'srv5@2 via eth0', 'srv6@2 via eth0'],
    'impact of a PDU: what it alone powers (srv2 too: its psu2 is only planned), then what loses its only switch (srv1 keeps power from pduB)');
SELECT is(array(SELECT hit('pduA', true)),
    ARRAY['pduC@1 via inlet', 'tor@1 via psu1',
          'srv1@2 via eth0', 'srv2@2 via eth0', 'srv3@2 via psu1', 'srv5@2 via eth0'],
    'impact with include_planned: srv2 keeps power through its planned psu2 and falls with its switch; srv3 and srv6 keep a path through cables not in service (srv3 falls with pduC)');
SELECT is(array(SELECT hit('tor')),
    ARRAY['srv1@1 via eth0', 'srv2@1 via eth0', 'srv3@1 via eth0', 'srv5@1 via eth0', 'srv6@1 via eth0'],
    'impact of a top-of-rack switch: every server whose only data path leads to it, through panels and a breakout');
SELECT is(array(SELECT hit('panel')),
    ARRAY['pduA@1 via inlet', 'pduB@1 via inlet', 'pduC@2 via inlet', 'srv1@2 via psu2', 'srv2@2 via psu1',
          'tor@2 via psu1', 'srv3@3 via eth0', 'srv5@3 via eth0', 'srv6@3 via eth0'],
    'impact of a power panel: a server fed by two PDUs falls when both do');
SELECT is(array(SELECT hit('ppB')),
    ARRAY['srv1@1 via eth0', 'srv2@1 via eth0'],
    'impact of a patch panel: the servers whose only path runs through it');
SELECT is_empty($$SELECT * FROM impact(did('srv4'))$$, 'a server nothing depends on has no impact');
SELECT throws_ok($$SELECT * FROM impact('00000000-0000-0000-0000-00000000abcd')$$, 'P0002',
    'no device with id 00000000-0000-0000-0000-00000000abcd', 'impact: an unknown device');

--------------------------------------------------------------------------
-- topology_dot
--------------------------------------------------------------------------
UPDATE device SET rack_id = (SELECT id FROM rack WHERE name = 'c01'), position = rackspan(1, 1) WHERE name = 'd-srv';
SELECT matches(topology_dot((SELECT id FROM site WHERE name = 'cab')),
    '^graph "site cab" \{.*"d-srv\\nserver".*-- .*\[label="direct \(cat6\)", taillabel="eth0", headlabel="p1"\];\n\}\n$',
    'topology_dot draws the site''s cabled devices and their cables');
SELECT cab('later', ARRAY[pid('d-srv', 'eth1')], ARRAY[pid('d-sw', 'p3')]);
UPDATE cable SET status = 'planned' WHERE label = 'later';
SELECT unalike(topology_dot((SELECT id FROM site WHERE name = 'cab')), '%later%',
    'topology_dot leaves out planned cables');
SELECT matches(topology_dot((SELECT id FROM site WHERE name = 'cab'), true),
    '\[label="later", taillabel="eth1", headlabel="p3", style=dashed\];',
    'topology_dot with include_planned draws them, dashed');
SELECT throws_ok($$SELECT topology_dot('00000000-0000-0000-0000-00000000abcd')$$, 'P0002',
    'no site with id 00000000-0000-0000-0000-00000000abcd', 'topology_dot: an unknown site');

SELECT * FROM finish();
ROLLBACK;
