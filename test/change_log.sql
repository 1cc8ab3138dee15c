\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(35);

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

-- the op column admits only the four operations
SELECT throws_ok($$INSERT INTO mountaineer.change (actor, schema_name, table_name, row_id, op) VALUES ('x', 'x', 'x', gen_random_uuid(), 'upsert')$$,
                 '23514', NULL, 'op is insert, update, delete or truncate');

-- who really acted: the claimed actor beside the login and the acting role
SELECT is((SELECT row(actor, login, db_role)::text FROM mountaineer.change WHERE table_name = 'thing' AND after ->> 'name' = 'by editor'),
          row('alice', session_user, 'mountaineer_editor')::text,
          'a change records the claimed actor, the login (session_user) and the role it acted as (SET ROLE)');
SET LOCAL mountaineer.actor = 'someone-else';
SET LOCAL request.jwt.claims = '{"sub": "forged@example.com"}';
INSERT INTO public.thing (name) VALUES ('forged');
SELECT is((SELECT row(actor, login, db_role)::text FROM mountaineer.change WHERE table_name = 'thing' AND after ->> 'name' = 'forged'),
          row('forged@example.com', session_user, current_user)::text,
          'a forged actor is recorded as claimed, and the login and role as they are');
RESET request.jwt.claims;
SET LOCAL mountaineer.actor = 'alice';
SELECT is(mountaineer.acting_role(), current_user::text, 'acting_role() is the current role outside SECURITY DEFINER');
SET LOCAL ROLE mountaineer_reader;
SELECT is(mountaineer.acting_role(), 'mountaineer_reader', 'acting_role() follows SET ROLE');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM pg_attribute a
            WHERE attrelid = 'mountaineer.change'::regclass AND attname IN ('login', 'db_role')
              AND has_column_privilege('mountaineer_admin', 'mountaineer.change', attname, 'INSERT, UPDATE')), 0,
          'no role but the owner can write login or db_role');

-- ids never change
CREATE TRIGGER "A_refuse_id_change" AFTER UPDATE OF id ON public.thing
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION mountaineer.refuse_id_change();
INSERT INTO public.thing (id, name) VALUES ('22222222-2222-4222-8222-222222222222', 'fixed');
SELECT throws_ok($$UPDATE public.thing SET id = '33333333-3333-4333-8333-333333333333' WHERE name = 'fixed'$$,
                 '428C9', 'the id of a thing row cannot change', 'an update of an id is refused');
SELECT is((SELECT count(*)::int FROM public.thing WHERE id = '22222222-2222-4222-8222-222222222222'), 1,
          'and the row keeps its id');
SELECT lives_ok($$UPDATE public.thing SET id = id, n = 7 WHERE name = 'fixed'$$, 'setting an id to itself is no change');

-- TRUNCATE: only the owner may; every removed row is logged
CREATE TRIGGER log_truncate BEFORE TRUNCATE ON public.thing
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_truncate();
SET LOCAL ROLE mountaineer_admin;
SELECT throws_ok('TRUNCATE public.thing', '42501', 'permission denied for table thing',
                 'the admin role cannot TRUNCATE an inventory table');
RESET ROLE;
SELECT count(*) AS rows_before FROM public.thing \gset
SELECT cmp_ok(:rows_before::int, '>', 50, 'the table has rows before TRUNCATE');
TRUNCATE public.thing;
SELECT is((SELECT count(*)::int FROM mountaineer.change WHERE table_name = 'thing' AND op = 'truncate'), :rows_before::int,
          'TRUNCATE logs every row it removes');
SELECT is((SELECT before ->> 'name' FROM mountaineer.change WHERE row_id = '22222222-2222-4222-8222-222222222222' AND op = 'truncate'),
          'fixed', 'with the whole row in before');
SELECT is(mountaineer.as_of('public.thing', '22222222-2222-4222-8222-222222222222', now() - interval '1 second'), NULL,
          'as_of before the transaction: the row did not exist');
SELECT is(mountaineer.as_of('public.thing', '22222222-2222-4222-8222-222222222222', NULL), NULL,
          'as_of at NULL is NULL');
SELECT throws_ok($$CREATE TRIGGER bad AFTER TRUNCATE ON public.thing FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_truncate(); TRUNCATE public.thing$$,
                 '22023', 'log_truncate() must be a BEFORE TRUNCATE trigger (on public.thing)', 'log_truncate() checks how it is attached');

SELECT * FROM finish();
ROLLBACK;
