-- Ids never change (mountaineer.refuse_id_change, 428C9), on a plain row
-- and on a cable end, whose own checks leave it out by its old and new id
-- so that this is the refusal a user meets.
\set VERBOSITY default
BEGIN;
SET LOCAL search_path = mountaineer, public;
INSERT INTO site (id, name) VALUES ('00000000-0000-4000-8000-00000000a001', 'id-site');
INSERT INTO device (id, kind, name) VALUES
    ('00000000-0000-4000-8000-00000000d001', 'server', 'id-a'),
    ('00000000-0000-4000-8000-00000000d002', 'server', 'id-b');
INSERT INTO port (device_id, name, kind)
    SELECT id, 'eth0', 'interface' FROM device WHERE name IN ('id-a', 'id-b');
INSERT INTO cable (id, label) VALUES ('00000000-0000-4000-8000-00000000c001', 'id-c');
INSERT INTO cable_end (id, cable_id, side, port_id)
    SELECT CASE d.name WHEN 'id-a' THEN '00000000-0000-4000-8000-00000000e00a'
                       ELSE '00000000-0000-4000-8000-00000000e00b' END::uuid,
           '00000000-0000-4000-8000-00000000c001', CASE d.name WHEN 'id-a' THEN 'a' ELSE 'b' END::cable_side, p.id
      FROM device d JOIN port p ON p.device_id = d.id WHERE d.name IN ('id-a', 'id-b');
SAVEPOINT s;
UPDATE site SET id = '00000000-0000-4000-8000-00000000a002' WHERE name = 'id-site';
ROLLBACK TO s;
UPDATE cable_end SET id = '00000000-0000-4000-8000-00000000e00c' WHERE id = '00000000-0000-4000-8000-00000000e00a';
ROLLBACK TO s;
-- the same end moved to the other side and renumbered: still the id refusal
UPDATE cable_end SET id = '00000000-0000-4000-8000-00000000e00c', side = 'b' WHERE id = '00000000-0000-4000-8000-00000000e00a';
ROLLBACK TO s;
SELECT id, side FROM cable_end WHERE cable_id = '00000000-0000-4000-8000-00000000c001' ORDER BY side;
ROLLBACK;
