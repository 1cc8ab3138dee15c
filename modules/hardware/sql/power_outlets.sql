-- Hardware 1.6: a power outlet names the power port of its own device that
-- feeds it (power_port_id) and its feed leg.  Every refusal with its
-- message and SQLSTATE (LAST_ERROR_SQLSTATE); deleting a power port
-- clears its outlets' power_port_id.
SET search_path = mountaineer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
BEGIN;
SET CONSTRAINTS ALL IMMEDIATE;
INSERT INTO device (id, kind, name, units) VALUES
    ('77777777-0000-0000-0000-000000000001', 'pdu', 'po-pdu1', 0),
    ('77777777-0000-0000-0000-000000000002', 'pdu', 'po-pdu2', 0);
INSERT INTO port (id, device_id, name, kind) VALUES
    ('77777777-0000-0000-0000-0000000000a1', '77777777-0000-0000-0000-000000000001', 'in-a', 'power_port'),
    ('77777777-0000-0000-0000-0000000000a2', '77777777-0000-0000-0000-000000000001', 'in-b', 'power_port'),
    ('77777777-0000-0000-0000-0000000000a3', '77777777-0000-0000-0000-000000000001', 'mgmt', 'interface'),
    ('77777777-0000-0000-0000-0000000000b1', '77777777-0000-0000-0000-000000000002', 'in', 'power_port');
-- outlets fed by in-a on legs A and B, one by in-b with no leg, one unmapped
INSERT INTO port (id, device_id, name, kind, power_port_id, feed_leg) VALUES
    ('77777777-0000-0000-0000-0000000000c1', '77777777-0000-0000-0000-000000000001', 'o1', 'power_outlet', '77777777-0000-0000-0000-0000000000a1', 'A'),
    ('77777777-0000-0000-0000-0000000000c2', '77777777-0000-0000-0000-000000000001', 'o2', 'power_outlet', '77777777-0000-0000-0000-0000000000a1', 'B'),
    ('77777777-0000-0000-0000-0000000000c3', '77777777-0000-0000-0000-000000000001', 'o3', 'power_outlet', '77777777-0000-0000-0000-0000000000a2', NULL),
    ('77777777-0000-0000-0000-0000000000c4', '77777777-0000-0000-0000-000000000001', 'o4', 'power_outlet', NULL, 'C');
SELECT o.name, o.feed_leg, f.name AS fed_by FROM port o LEFT JOIN port f ON f.id = o.power_port_id
WHERE o.device_id = '77777777-0000-0000-0000-000000000001' AND o.kind = 'power_outlet' ORDER BY o.name;

\set VERBOSITY terse
-- only an outlet has a power port or a feed leg; legs are A, B or C
INSERT INTO port (device_id, name, kind, power_port_id) VALUES
    ('77777777-0000-0000-0000-000000000001', 'eth0', 'interface', '77777777-0000-0000-0000-0000000000a1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO port (device_id, name, kind, feed_leg) VALUES ('77777777-0000-0000-0000-000000000001', 'in-c', 'power_port', 'A');
\echo :LAST_ERROR_SQLSTATE
UPDATE port SET feed_leg = 'D' WHERE id = '77777777-0000-0000-0000-0000000000c4';
\echo :LAST_ERROR_SQLSTATE
UPDATE port SET feed_leg = 'a' WHERE id = '77777777-0000-0000-0000-0000000000c4';
\echo :LAST_ERROR_SQLSTATE
-- a fed outlet does not become another kind with its power port named
UPDATE port SET kind = 'interface' WHERE id = '77777777-0000-0000-0000-0000000000c1';
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- the feeding port is a power port ...
UPDATE port SET power_port_id = '77777777-0000-0000-0000-0000000000a3' WHERE id = '77777777-0000-0000-0000-0000000000c4';
\echo :LAST_ERROR_SQLSTATE
UPDATE port SET power_port_id = '77777777-0000-0000-0000-0000000000c1' WHERE id = '77777777-0000-0000-0000-0000000000c4';
\echo :LAST_ERROR_SQLSTATE
-- ... of the outlet's own device
UPDATE port SET power_port_id = '77777777-0000-0000-0000-0000000000b1' WHERE id = '77777777-0000-0000-0000-0000000000c4';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO port (device_id, name, kind, power_port_id) VALUES
    ('77777777-0000-0000-0000-000000000002', 'o1', 'power_outlet', '77777777-0000-0000-0000-0000000000a1');
\echo :LAST_ERROR_SQLSTATE
-- ... that exists
UPDATE port SET power_port_id = '77777777-0000-0000-0000-0000000000ff' WHERE id = '77777777-0000-0000-0000-0000000000c4';
\echo :LAST_ERROR_SQLSTATE
-- a power port that feeds outlets keeps its kind (the message names them) and its device
UPDATE port SET kind = 'interface' WHERE id = '77777777-0000-0000-0000-0000000000a1';
\echo :LAST_ERROR_SQLSTATE
UPDATE port SET device_id = '77777777-0000-0000-0000-000000000002' WHERE id = '77777777-0000-0000-0000-0000000000a1';
\echo :LAST_ERROR_SQLSTATE
-- an outlet does not move to another device naming its old device's power port
UPDATE port SET device_id = '77777777-0000-0000-0000-000000000002', name = 'o9' WHERE id = '77777777-0000-0000-0000-0000000000c3';
\echo :LAST_ERROR_SQLSTATE
-- one that feeds nothing may change kind; an outlet may be moved to another power port
UPDATE port SET kind = 'interface' WHERE id = '77777777-0000-0000-0000-0000000000b1';
UPDATE port SET kind = 'power_port' WHERE id = '77777777-0000-0000-0000-0000000000b1';
UPDATE port SET power_port_id = '77777777-0000-0000-0000-0000000000a2' WHERE id = '77777777-0000-0000-0000-0000000000c2';
-- deleting a power port clears the outlets' power_port_id (and logs that change)
DELETE FROM port WHERE id = '77777777-0000-0000-0000-0000000000a2';
SELECT o.name, o.feed_leg, f.name AS fed_by FROM port o LEFT JOIN port f ON f.id = o.power_port_id
WHERE o.device_id = '77777777-0000-0000-0000-000000000001' AND o.kind = 'power_outlet' ORDER BY o.name;
SELECT row_id, before ->> 'power_port_id' AS before, after ->> 'power_port_id' AS after FROM change
WHERE table_name = 'port' AND op = 'update' AND after ->> 'power_port_id' IS NULL AND row_id IN ('77777777-0000-0000-0000-0000000000c2', '77777777-0000-0000-0000-0000000000c3')
ORDER BY row_id;
-- a device goes with all its ports, outlets and the power ports feeding them
DELETE FROM device WHERE id = '77777777-0000-0000-0000-000000000001';
SELECT count(*) AS ports_left FROM port WHERE device_id = '77777777-0000-0000-0000-000000000001';
ROLLBACK;
