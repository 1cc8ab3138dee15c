-- mountaineer_hardware: a cable end keeps its id like every other row
-- (428C9, "the id of a cable_end row cannot change"), and the refusal says
-- so, rather than that its port is already on a cable (its own).
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(2);

INSERT INTO device (kind, name) VALUES ('server', 'ci-a'), ('server', 'ci-b');
INSERT INTO port (device_id, name, kind) SELECT id, 'eth0', 'interface' FROM device WHERE name IN ('ci-a', 'ci-b');
INSERT INTO cable (label) VALUES ('ci-c');
INSERT INTO cable_end (cable_id, side, port_id)
SELECT c.id, CASE d.name WHEN 'ci-a' THEN 'a' ELSE 'b' END::cable_side, p.id
FROM cable c, device d JOIN port p ON p.device_id = d.id WHERE c.label = 'ci-c' AND d.name IN ('ci-a', 'ci-b');
CREATE TEMP TABLE k AS SELECT e.id FROM cable_end e JOIN cable c ON c.id = e.cable_id WHERE c.label = 'ci-c' AND e.side = 'a';

SELECT throws_ok($$UPDATE cable_end SET id = gen_random_uuid() WHERE id = (SELECT id FROM k)$$, '428C9',
                 'the id of a cable_end row cannot change', 'the id of a cable_end row cannot change');
SELECT is((SELECT count(*)::int FROM cable_end WHERE id = (SELECT id FROM k)), 1, 'and the cable end keeps it');

SELECT * FROM finish();
ROLLBACK;
