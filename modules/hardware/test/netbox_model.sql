-- mountaineer_hardware 1.6: what pg_regress does not show.  tree_check_parent
-- serves any table nested through parent_id; the outlet's foreign key
-- clears only power_port_id; statements that move or insert many ports at
-- once are judged on their final state; the new columns' defaults.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(21);
CREATE FUNCTION pg_temp.tags_after(t text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE r text;
BEGIN
    EXECUTE format('UPDATE mountaineer.%I SET tags = ''{nm-tag}'' WHERE name = %L RETURNING tags::text', t, 'nm-' || t) INTO r;
    RETURN r;
END $f$;

-- tree_check_parent on a table of its own (a probe, rolled back): the rule
-- and the messages follow the table and the noun it is given
CREATE TABLE nm_probe (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL, parent_id uuid REFERENCES nm_probe);
CREATE TRIGGER check_parent AFTER INSERT OR UPDATE OF parent_id ON nm_probe
    FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL) EXECUTE FUNCTION mountaineer.tree_check_parent('probe node');
INSERT INTO nm_probe (name) VALUES ('p1'), ('p2'), ('p3');
UPDATE nm_probe SET parent_id = (SELECT id FROM nm_probe WHERE name = 'p1') WHERE name = 'p2';
UPDATE nm_probe SET parent_id = (SELECT id FROM nm_probe WHERE name = 'p2') WHERE name = 'p3';
SELECT throws_ok($$UPDATE nm_probe SET parent_id = (SELECT id FROM nm_probe WHERE name = 'p3') WHERE name = 'p1'$$, '23514',
    'probe node "p1" cannot be inside probe node "p3": that would make a cycle',
    'tree_check_parent serves any table with id, name and parent_id, naming rows by the noun it is given');
SELECT lives_ok($$UPDATE nm_probe SET parent_id = (SELECT id FROM nm_probe WHERE name = 'p1') WHERE name = 'p3'$$,
    '... and lets a move that makes no cycle through');
SELECT is((SELECT proacl IS NOT NULL AND NOT has_function_privilege('public', p.oid, 'EXECUTE')
           FROM pg_proc p WHERE p.oid = 'mountaineer.tree_check_parent()'::regprocedure), true,
    'tree_check_parent is not executable by PUBLIC');

-- the outlet's foreign key: same device, and on delete only power_port_id is cleared
SELECT is((SELECT array_agg(a.attname ORDER BY a.attname)
           FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.confdelsetcols)
           WHERE c.conname = 'port_power_port_id_device_id_fkey'), ARRAY['power_port_id']::name[],
    'deleting a power port sets only the outlets'' power_port_id to NULL, not their device_id');
SELECT is((SELECT confdeltype::text || confupdtype::text FROM pg_constraint WHERE conname = 'port_power_port_id_device_id_fkey'), 'na',
    '... and a power port that outlets name does not move to another device (NO ACTION on update)');

-- a PDU and a spare one; 24 outlets fed by the inlet, in one statement
INSERT INTO device (kind, name, units) VALUES ('pdu', 'nm-pdu', 0), ('pdu', 'nm-pdu-spare', 0);
INSERT INTO port (device_id, name, kind) SELECT id, 'inlet', 'power_port' FROM device WHERE name = 'nm-pdu';
INSERT INTO port (device_id, name, kind, power_port_id, feed_leg)
SELECT d.id, 'outlet' || n, 'power_outlet', i.id, (ARRAY['A', 'B', 'C'])[1 + n % 3]
FROM device d JOIN port i ON i.device_id = d.id AND i.name = 'inlet', generate_series(1, 24) n WHERE d.name = 'nm-pdu';
SELECT is((SELECT count(*) FROM port WHERE power_port_id IS NOT NULL AND device_id = (SELECT id FROM device WHERE name = 'nm-pdu')),
    24::bigint, 'one statement gives 24 outlets their power port and legs');

-- the inlet moves with all its outlets in one statement: judged on the final state
SELECT lives_ok($$UPDATE port SET device_id = (SELECT id FROM device WHERE name = 'nm-pdu-spare')
                  WHERE device_id = (SELECT id FROM device WHERE name = 'nm-pdu')$$,
    'a power port may move to another device together with every outlet it feeds, in one statement');
SELECT throws_ok($$UPDATE port SET device_id = (SELECT id FROM device WHERE name = 'nm-pdu')
                   WHERE device_id = (SELECT id FROM device WHERE name = 'nm-pdu-spare') AND name <> 'outlet7'$$, '23503',
    NULL, '... but not leaving one of them behind (23503: the foreign key or the trigger, whichever row comes first)');

-- an outlet made, and its power port deleted, in one statement each way
SELECT lives_ok($$WITH i AS (INSERT INTO port (device_id, name, kind) SELECT id, 'inlet2', 'power_port' FROM device WHERE name = 'nm-pdu-spare' RETURNING id, device_id)
                  INSERT INTO port (device_id, name, kind, power_port_id) SELECT device_id, 'outlet25', 'power_outlet', id FROM i$$,
    'a power port and an outlet it feeds may be inserted in one statement');
DELETE FROM port WHERE name = 'inlet' AND device_id = (SELECT id FROM device WHERE name = 'nm-pdu-spare');
SELECT is((SELECT count(*) FROM port WHERE power_port_id IS NOT NULL AND device_id = (SELECT id FROM device WHERE name = 'nm-pdu-spare')),
    1::bigint, 'deleting a power port clears its 24 outlets (the other inlet''s outlet keeps its power port)');
SELECT is((SELECT count(*) FROM port WHERE feed_leg IS NOT NULL AND device_id = (SELECT id FROM device WHERE name = 'nm-pdu-spare')),
    24::bigint, '... and keeps their feed legs');
SELECT lives_ok($$DELETE FROM device WHERE name = 'nm-pdu-spare'$$, 'a device goes with its outlets and the power ports that feed them');

-- defaults of the new columns
INSERT INTO site (name) VALUES ('nm-site');
INSERT INTO rack (site_id, name) SELECT id, 'nm-rack' FROM site WHERE name = 'nm-site';
SELECT is((SELECT (starting_unit, role_id, tenant_id)::text FROM rack WHERE name = 'nm-rack'), '(1,,)',
    'a new rack numbers its units from 1 and has no role and no tenant');

-- the new tables keep every table's rules: ids never change, tags are checked
INSERT INTO tag (name) VALUES ('nm-tag');
INSERT INTO tenant (name) VALUES ('nm-tenant');
INSERT INTO rack_role (name) VALUES ('nm-rack_role');
INSERT INTO device_role (name) VALUES ('nm-device_role');
INSERT INTO platform (name) VALUES ('nm-platform');
SELECT throws_ok(format('UPDATE mountaineer.%I SET id = gen_random_uuid() WHERE name = %L', t, 'nm-' || t), '428C9', NULL,
                 format('the id of a %s never changes', t))
  FROM unnest(ARRAY['tenant', 'rack_role', 'device_role', 'platform']) t;
SELECT is(pg_temp.tags_after(t), '{nm-tag}', format('a %s carries a tag', t))
  FROM unnest(ARRAY['tenant', 'rack_role', 'device_role', 'platform']) t;

SELECT * FROM finish();
ROLLBACK;
