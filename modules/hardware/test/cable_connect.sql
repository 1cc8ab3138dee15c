-- mountaineer_hardware 1.7: cable_connect(), a cable with both its ends in
-- one call, and every refusal it passes on, with nothing written.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(14);

INSERT INTO device (kind, name, units) VALUES ('server', 'cc-srv', 1), ('network', 'cc-sw', 1);
INSERT INTO port (device_id, name, kind)
SELECT d.id, p.name, p.kind::port_kind FROM device d,
       (VALUES ('eth0', 'interface'), ('eth1', 'interface'), ('psu1', 'power_port')) p(name, kind)
WHERE d.name = 'cc-srv';
INSERT INTO port (device_id, name, kind) SELECT id, 'p' || n, 'interface' FROM device, generate_series(1, 4) n WHERE name = 'cc-sw';
CREATE FUNCTION pid(dev text, port text) RETURNS uuid LANGUAGE sql AS $$
    SELECT p.id FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
    WHERE d.name = $1 AND p.name = $2 $$;
GRANT EXECUTE ON FUNCTION pid(text, text) TO PUBLIC;
CREATE TEMP VIEW ends AS
SELECT c.label, c.type, c.status::text, e.side::text, d.name || ' ' || p.name AS port
FROM cable c JOIN cable_end e ON e.cable_id = c.id JOIN port p ON p.id = e.port_id JOIN device d ON d.id = p.device_id;
GRANT SELECT ON ends TO PUBLIC;

SET ROLE mountaineer_editor;
SELECT is((SELECT row(label, type, status)::text FROM cable_connect(pid('cc-srv', 'eth0'), pid('cc-sw', 'p1'), 'CC-1', 'cat6')),
    '(CC-1,cat6,connected)', 'cable_connect returns the new cable, connected by default');
SELECT results_eq($$SELECT side, port FROM ends WHERE label = 'CC-1' ORDER BY side$$,
    $$VALUES ('a', 'cc-srv eth0'), ('b', 'cc-sw p1')$$, 'its first port is side a, its second side b');
SELECT is((SELECT status::text FROM cable_connect(pid('cc-srv', 'eth1'), pid('cc-sw', 'p2'), status => 'planned')),
    'planned', 'a planned cable, without label or type');
SELECT is((SELECT count(*)::int FROM ends WHERE port = 'cc-srv eth1' AND label IS NULL AND type IS NULL), 1, 'with its ends');

-- refusals: each writes nothing (no cable, no end)
SELECT throws_ok($$SELECT cable_connect(pid('cc-srv', 'eth0'), pid('cc-sw', 'p3'), 'CC-2')$$, '23505',
    'port "eth0" of device "cc-srv" is already on cable "CC-1"', 'a port already cabled');
SELECT throws_ok($$SELECT cable_connect(pid('cc-srv', 'psu1'), pid('cc-sw', 'p3'), 'CC-3')$$, '23514',
    'cable "CC-3" cannot connect port "p3" of device "cc-sw" (interface) to port "psu1" of device "cc-srv" (power_port)',
    'ports of kinds that do not connect');
SELECT throws_ok($$SELECT cable_connect(pid('cc-sw', 'p3'), '00000000-0000-0000-0000-00000000abcd', 'CC-4')$$, '23503',
    'insert or update on table "cable_end" violates foreign key constraint "cable_end_port_id_fkey"', 'an unknown port');
SELECT throws_ok($$SELECT cable_connect(pid('cc-sw', 'p3'), pid('cc-sw', 'p4'), ' CC-5')$$, '23514',
    'new row for relation "cable" violates check constraint "cable_label_check"', 'a label that is not a name');
SELECT throws_ok($$SELECT cable_connect(pid('cc-sw', 'p3'), NULL, 'CC-6')$$, '22004',
    'cable_connect needs both ports and a status', 'a NULL port');
SELECT throws_ok($$SELECT cable_connect(pid('cc-sw', 'p3'), pid('cc-sw', 'p4'), 'CC-7', status => NULL)$$, '22004',
    'cable_connect needs both ports and a status', 'a NULL status');
SELECT is((SELECT count(*)::int FROM cable WHERE label LIKE '%CC-%' AND label <> 'CC-1'), 0, 'the refused calls left no cable');
SELECT is((SELECT count(*)::int FROM ends WHERE port IN ('cc-sw p3', 'cc-sw p4', 'cc-srv psu1')), 0, 'and no end');
RESET ROLE;

SET ROLE mountaineer_reader;
SELECT throws_ok($$SELECT cable_connect(pid('cc-sw', 'p3'), pid('cc-sw', 'p4'))$$, '42501',
    'permission denied for function cable_connect', 'a reader cannot connect');
RESET ROLE;
SET CONSTRAINTS ALL IMMEDIATE;
SELECT is((SELECT count(*)::int FROM cable c WHERE c.status = 'connected'
           AND NOT EXISTS (SELECT FROM cable_end e WHERE e.cable_id = c.id AND e.side = 'b')), 0,
    'every connected cable it made has both sides (the check at commit holds)');

SELECT * FROM finish();
ROLLBACK;
