\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(20);

CREATE TABLE public.thing (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text, n int);
CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON public.thing
    FOR EACH ROW EXECUTE FUNCTION mountaineer.log_change();
GRANT SELECT, INSERT, UPDATE, DELETE ON public.thing TO mountaineer_editor;
SET LOCAL mountaineer.actor = 'alice';

INSERT INTO thing (id, name, n) VALUES ('11111111-1111-4111-8111-111111111111', 'a', 1);
SELECT is((SELECT count(*)::int FROM history('public.thing', '11111111-1111-4111-8111-111111111111')), 1,
          'an insert is recorded');
SELECT is((SELECT after FROM history('public.thing', '11111111-1111-4111-8111-111111111111')),
          '{"id": "11111111-1111-4111-8111-111111111111", "name": "a", "n": 1}'::jsonb,
          'an insert records the whole new row in after');
SELECT is((SELECT actor FROM history('public.thing', '11111111-1111-4111-8111-111111111111')), 'alice',
          'the actor is recorded');
SELECT is((SELECT txid FROM history('public.thing', '11111111-1111-4111-8111-111111111111')), txid_current(),
          'the transaction id is recorded');

UPDATE thing SET n = 2;
SELECT is((SELECT row(before, after)::text FROM history('public.thing', '11111111-1111-4111-8111-111111111111') WHERE op = 'update'),
          row('{"n": 1}'::jsonb, '{"n": 2}'::jsonb)::text,
          'an update records only the changed columns');
UPDATE thing SET n = 2, name = 'a';
SELECT is((SELECT count(*)::int FROM history('public.thing', '11111111-1111-4111-8111-111111111111')), 2,
          'an update that changes nothing records nothing');
UPDATE thing SET name = NULL;
SELECT is((SELECT after FROM history('public.thing', '11111111-1111-4111-8111-111111111111') ORDER BY id DESC LIMIT 1),
          '{"name": null}'::jsonb, 'a change to NULL is a change');
DELETE FROM thing;
SELECT is((SELECT row(op, before ->> 'n', after IS NULL)::text FROM history('public.thing', '11111111-1111-4111-8111-111111111111') ORDER BY id DESC LIMIT 1),
          row('delete', '2', true)::text, 'a delete records the whole old row in before');
SELECT is((SELECT array_agg(op ORDER BY id) FROM history('public.thing', '11111111-1111-4111-8111-111111111111')),
          ARRAY['insert', 'update', 'update', 'delete'], 'history is oldest first');

-- many rows in one statement: one change each
INSERT INTO thing (name, n) SELECT 'bulk', g FROM generate_series(1, 50) g;
SELECT is((SELECT count(*)::int FROM change WHERE table_name = 'thing' AND op = 'insert' AND after ->> 'name' = 'bulk'), 50,
          'a multi-row insert records one change per row');

-- roles: editors write inventory, and the log only through the trigger
SET LOCAL ROLE mountaineer_editor;
SELECT lives_ok($$INSERT INTO public.thing (name) VALUES ('by editor')$$, 'an editor writes a logged table');
SELECT is((SELECT actor FROM mountaineer.change ORDER BY id DESC LIMIT 1), 'alice',
          'the trigger writes the log on the editor''s behalf');
SELECT throws_ok($$INSERT INTO mountaineer.change (actor, schema_name, table_name, row_id, op, after) VALUES ('x', 'x', 'x', gen_random_uuid(), 'insert', '{}')$$,
                 '42501', 'permission denied for table change', 'an editor cannot write the log directly');
SELECT throws_ok($$DELETE FROM mountaineer.change$$, '42501', 'permission denied for table change',
                 'an editor cannot delete from the log');
SELECT throws_ok($$UPDATE mountaineer.change SET actor = 'mallory'$$, '42501', 'permission denied for table change',
                 'an editor cannot rewrite the log');
RESET ROLE;
SET LOCAL ROLE mountaineer_reader;
SELECT lives_ok($$SELECT count(*) FROM mountaineer.change$$, 'a reader reads the log');
SELECT throws_ok($$INSERT INTO public.thing (name) VALUES ('by reader')$$, '42501', 'permission denied for table thing',
                 'a reader cannot write');
RESET ROLE;
SET LOCAL ROLE mountaineer_admin;
SELECT lives_ok($$DELETE FROM mountaineer.change WHERE table_name = 'thing' AND after ->> 'name' = 'bulk'$$,
                'the admin may delete from the log');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM change WHERE table_name = 'thing' AND after ->> 'name' = 'bulk'), 0,
          'and the rows are gone');

-- the op column admits only the three operations
SELECT throws_ok($$INSERT INTO mountaineer.change (actor, schema_name, table_name, row_id, op) VALUES ('x', 'x', 'x', gen_random_uuid(), 'upsert')$$,
                 '23514', NULL, 'op is insert, update or delete');

SELECT * FROM finish();
ROLLBACK;
