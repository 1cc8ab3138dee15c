-- mountaineer_hardware: the cable-graph engine (src/cable.c) over tables
-- their owner has altered.  It finds the columns, enum labels and indexes it
-- needs by name and by shape; without one it refuses, naming what is missing,
-- and among several indexes that fit it probes the best one.  Each change is
-- undone with the subtransaction of the throws_ok that tries it (the block
-- fails on purpose when the call inside succeeds).  cables.sql has the
-- renamed, the dropped and the partial index.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SET client_min_messages = warning;       -- DROP ... CASCADE lists what it drops
SELECT plan(10);
SET CONSTRAINTS ALL IMMEDIATE;          -- no pending events: ALTER TABLE refuses to run with them

INSERT INTO device (kind, name, units) VALUES ('server', 'ga-srv', 1), ('network', 'ga-sw', 1), ('pdu', 'ga-pdu', 0);
INSERT INTO port (device_id, name, kind) SELECT id, 'eth0', 'interface' FROM device WHERE name IN ('ga-srv', 'ga-sw');
INSERT INTO port (device_id, name, kind) SELECT id, 'psu1', 'power_port' FROM device WHERE name = 'ga-srv';
INSERT INTO port (device_id, name, kind) SELECT id, 'o1', 'power_outlet' FROM device WHERE name = 'ga-pdu';
INSERT INTO port (device_id, name, kind) SELECT id, 'inlet', 'power_port' FROM device WHERE name = 'ga-pdu';
CREATE FUNCTION pg_temp.pid(dev text, port text) RETURNS uuid LANGUAGE sql AS $$
    SELECT p.id FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
    WHERE d.name = $1 AND p.name = $2 $$;
WITH c AS (INSERT INTO cable (label) VALUES ('ga-data'), ('ga-power') RETURNING id, label)
INSERT INTO cable_end (cable_id, side, port_id)
SELECT c.id, e.side::cable_side, pg_temp.pid(e.dev, e.port) FROM c
JOIN (VALUES ('ga-data', 'a', 'ga-srv', 'eth0'), ('ga-data', 'b', 'ga-sw', 'eth0'),
             ('ga-power', 'a', 'ga-srv', 'psu1'), ('ga-power', 'b', 'ga-pdu', 'o1')) e(cable, side, dev, port)
  ON e.cable = c.label;
SELECT pg_temp.pid('ga-srv', 'eth0') AS eth0, pg_temp.pid('ga-srv', 'psu1') AS psu1 \gset

-- columns and enum labels, found by name
SELECT throws_ok(format($$ALTER TABLE port RENAME COLUMN rear_port_position TO rear_pos;
                          SELECT count(*) FROM cable_trace(%L)$$, :'eth0'),
                 '42703', 'column "rear_port_position" of "port" does not exist',
                 'a column of the graph renamed: the trace names the column it needs');
SELECT throws_ok(format($$ALTER TYPE port_kind RENAME VALUE 'power_feed' TO 'feed';
                          SELECT count(*) FROM cable_trace(%L)$$, :'eth0'),
                 '55000', 'enum port_kind has no value "power_feed"',
                 'a port kind renamed: the trace names the label it needs');

-- indexes, found by their columns: a btree index with the types' default
-- operator classes, and there must be one
SELECT throws_ok(format($$ALTER TABLE cable DROP CONSTRAINT cable_pkey CASCADE, DROP CONSTRAINT cable_slug_key;
                          DROP INDEX cable_label_idx;
                          SELECT count(*) FROM cable_trace(%L)$$, :'eth0'),
                 '55000', 'the cable graph needs a btree index on "mountaineer.cable" (id)',
                 'a table of the graph with no index at all: the trace names the index it needs');
SELECT throws_ok(format($$ALTER TABLE port DROP CONSTRAINT port_device_id_name_key;
                          DROP INDEX port_device_idx;
                          CREATE INDEX ga_port_device_hash ON port USING hash (device_id);
                          SELECT count(*) FROM cable_trace(%L)$$, :'eth0'),
                 '55000', 'the cable graph needs a btree index on "mountaineer.port" (device_id)',
                 'a hash index does not serve');
SELECT throws_ok(format($$CREATE SCHEMA ga_ops;
                          CREATE OPERATOR CLASS ga_ops.uuid_other_ops FOR TYPE uuid USING btree AS
                              OPERATOR 1 pg_catalog.<, OPERATOR 2 pg_catalog.<=, OPERATOR 3 pg_catalog.=,
                              OPERATOR 4 pg_catalog.>=, OPERATOR 5 pg_catalog.>,
                              FUNCTION 1 pg_catalog.uuid_cmp(uuid, uuid);
                          ALTER TABLE port DROP CONSTRAINT port_device_id_name_key;
                          DROP INDEX port_device_idx;
                          CREATE INDEX ga_port_device_other ON port (device_id ga_ops.uuid_other_ops);
                          SELECT count(*) FROM cable_trace(%L)$$, :'eth0'),
                 '55000', 'the cable graph needs a btree index on "mountaineer.port" (device_id)',
                 'a btree index with an operator class other than the default does not serve');

-- of several that fit: the primary key, then a unique index, then the one
-- with the fewest key columns, then the oldest.  Which one a power trace
-- probes for a device's ports shows in the transaction's index scan counts.
CREATE FUNCTION pg_temp.probed(idx regclass, port uuid) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    before bigint := pg_stat_get_xact_numscans(idx);
BEGIN
    PERFORM count(*) FROM mountaineer.power_trace(port);
    RETURN pg_stat_get_xact_numscans(idx) - before;
END $$;
SELECT cmp_ok(pg_temp.probed('port_device_id_name_key', :'psu1'), '>', 0::bigint,
              'the unique (device_id, name) index is probed for a device''s ports, not the plain (device_id) one');
SELECT throws_ok(format($q$ALTER TABLE port DROP CONSTRAINT port_device_id_name_key;
                          CREATE INDEX ga_port_device_newer ON port (device_id);
                          DO $b$ BEGIN RAISE '%% and %%', pg_temp.probed('port_device_idx', %L) > 0,
                                                       pg_temp.probed('ga_port_device_newer', %L) > 0; END $b$$q$,
                        :'psu1', :'psu1'),
                 'P0001', 't and f',
                 'of two plain indexes on (device_id), the older is probed');
SELECT throws_ok(format($q$CREATE UNIQUE INDEX ga_port_device_unique ON port (device_id, kind, name);
                          ALTER TABLE port DROP CONSTRAINT port_device_id_name_key;
                          DO $b$ BEGIN RAISE '%% and %%', pg_temp.probed('ga_port_device_unique', %L) > 0,
                                                       pg_temp.probed('port_device_idx', %L) > 0; END $b$$q$,
                        :'psu1', :'psu1'),
                 'P0001', 't and f',
                 'a unique index made later is probed rather than an older plain one');

-- every relation's cache entry dropped at once (as after a lost invalidation):
-- the engine forgets what it knew and learns it again
SELECT results_eq(format($$SELECT count(*) FROM cable_trace(%L)$$, :'eth0'), $$VALUES (1::bigint)$$,
                  'a trace before the whole relation cache is invalidated');
SELECT throws_ok(format($q$SET client_min_messages = error;   -- wal_level is not logical here: a warning
                          CREATE PUBLICATION ga_everything FOR ALL TABLES;
                          DO $b$ BEGIN RAISE 'a trace of %% hops', (SELECT count(*) FROM cable_trace(%L)); END $b$$q$,
                        :'eth0'),
                 'P0001', 'a trace of 1 hops',
                 'and after it (CREATE PUBLICATION ... FOR ALL TABLES invalidates every relation)');

SELECT * FROM finish();
ROLLBACK;
