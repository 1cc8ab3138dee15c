\set ON_ERROR_STOP true
\set QUIET true
-- What every inventory table of every installed module does, found in the
-- catalogue rather than listed (so a table added later is covered without
-- an edit): an id never changes, an update is logged with what changed and
-- its tags and attributes are checked, and TRUNCATE logs every row it
-- removes, table by table.  One transaction, rolled back.
BEGIN;
SET search_path = mountaineer, public;
SET LOCAL client_min_messages = warning;   -- TRUNCATE ... CASCADE names every table it reaches
SELECT plan(6);

CREATE TEMP TABLE logged AS
SELECT c.oid::regclass AS tbl, c.relname
  FROM pg_class c
 WHERE c.relnamespace = 'mountaineer'::regnamespace
   AND EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'log_truncate');

-- a row in each of the 1.5 tables the other suites only insert into
INSERT INTO tag (name) VALUES ('et-tag');
INSERT INTO provider (name) VALUES ('et-provider');
INSERT INTO provider_network (provider_id, name) SELECT id, 'et-network' FROM provider WHERE name = 'et-provider';
INSERT INTO manufacturer (name) VALUES ('et-maker');
INSERT INTO device_type (manufacturer_id, model, kind, units) SELECT id, 'et-model', 'server', 1 FROM manufacturer WHERE name = 'et-maker';
INSERT INTO port_template (device_type_id, name, kind) SELECT id, 'eth0', 'interface' FROM device_type WHERE model = 'et-model';

-- an id never changes, in any table with a row
CREATE FUNCTION pg_temp.id_change_refused(t regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    EXECUTE format('UPDATE %s SET id = gen_random_uuid() WHERE id = (SELECT id FROM %1$s LIMIT 1)', t);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN CASE WHEN n > 0 THEN 'changed' END;   -- an empty table has nothing to change
EXCEPTION WHEN SQLSTATE '428C9' THEN
    RETURN NULL;
END $$;
SELECT is_empty($$SELECT relname, r FROM logged, LATERAL pg_temp.id_change_refused(tbl) r WHERE r IS NOT NULL$$,
    'no table with a row lets its id change (428C9)');

-- an update is logged with the columns that changed; tags are checked
UPDATE provider SET account = 'ET-1', tags = '{et-tag}' WHERE name = 'et-provider';
UPDATE provider_network SET service_id = 'ET-NET', tags = '{et-tag}' WHERE name = 'et-network';
UPDATE port_template SET name = 'eth9' WHERE name = 'eth0' AND device_type_id = (SELECT id FROM device_type WHERE model = 'et-model');
SELECT results_eq(
    $$SELECT table_name, after FROM change WHERE txid = txid_current() AND op = 'update' ORDER BY table_name$$,
    $$VALUES ('port_template'::text, '{"name": "eth9"}'::jsonb),
             ('provider', '{"tags": ["et-tag"], "account": "ET-1"}'),
             ('provider_network', '{"tags": ["et-tag"], "service_id": "ET-NET"}')$$,
    'updates of providers, provider networks and port templates are logged with what changed');
SELECT throws_ok($$UPDATE provider_network SET tags = '{et-no-such-tag}' WHERE name = 'et-network'$$, '23503',
    'tag "et-no-such-tag" does not exist', 'a provider network''s tags are checked');

-- manage_attributes() on a table of its own: the columns, checked
CREATE TABLE mountaineer.et_probe (id uuid PRIMARY KEY DEFAULT gen_random_uuid());
SELECT mountaineer.manage_attributes('mountaineer.et_probe');
SELECT throws_ok($$INSERT INTO mountaineer.et_probe (tags) VALUES ('{et-no-such-tag}')$$, '23503',
    'tag "et-no-such-tag" does not exist', 'manage_attributes() gives a table tags that are checked');
DROP TABLE mountaineer.et_probe;

-- TRUNCATE of every table at once logs one truncate row per row removed
CREATE TEMP TABLE held (relname name, n bigint);
DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT * FROM logged LOOP
        EXECUTE format('INSERT INTO held SELECT %L, count(*) FROM %s', t.relname, t.tbl);
    END LOOP;
END $$;
SELECT cmp_ok((SELECT count(*)::int FROM held WHERE n > 0), '>=', 6, 'rows to truncate in several tables');
SET CONSTRAINTS ALL IMMEDIATE;   -- TRUNCATE refuses a table with deferred checks pending
DO $$
BEGIN
    EXECUTE 'TRUNCATE ' || (SELECT string_agg(tbl::text, ', ' ORDER BY relname) FROM logged) || ' CASCADE';
END $$;
SELECT results_eq(
    $$SELECT h.relname::text, h.n FROM held h ORDER BY 1$$,
    $$SELECT h.relname::text, (SELECT count(*) FROM change c WHERE c.txid = txid_current() AND c.op = 'truncate' AND c.table_name = h.relname)
        FROM held h ORDER BY 1$$,
    'TRUNCATE logs one truncate row per row removed, in every table');

SELECT * FROM finish();
ROLLBACK;
