\set ON_ERROR_STOP true
\set QUIET true
-- The change log written once per statement (log_insert, log_update,
-- log_delete: AFTER ... FOR EACH STATEMENT with transition tables, what
-- manage_table() attaches since 1.3) records exactly what the row trigger
-- log_change records: the same statements run on twin tables, one with each,
-- leave the same changes.  Within a statement, change ids follow the rows'
-- ids.  (test/notify.sql checks the notifications.)
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(30);

-- columns named like the triggers' variables, and a json column (no equality operator)
CREATE TABLE public.row_twin (id uuid PRIMARY KEY, name text, n int, who text, role text, doc json, tags text[]);
CREATE TABLE public.stmt_twin (LIKE public.row_twin INCLUDING ALL);
CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON public.row_twin
    FOR EACH ROW EXECUTE FUNCTION mountaineer.log_change();
CREATE TRIGGER log_insert AFTER INSERT ON public.stmt_twin REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_insert();
CREATE TRIGGER log_update AFTER UPDATE ON public.stmt_twin REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_update();
CREATE TRIGGER log_delete AFTER DELETE ON public.stmt_twin REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_delete();
GRANT SELECT, INSERT, UPDATE, DELETE ON public.row_twin, public.stmt_twin TO mountaineer_editor;

-- the changes of a twin, as comparable text (ids and table names aside)
CREATE FUNCTION pg_temp.changes_of(tbl text) RETURNS TABLE (c text)
    LANGUAGE sql AS $$
    SELECT row(row_id, op, before, after, actor, login, db_role, txid, at, schema_name)::text
      FROM mountaineer.change WHERE table_name = tbl
$$;

-- the same statements on both twins
CREATE FUNCTION pg_temp.on_both(stmt text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(stmt, 'public.row_twin');
    EXECUTE format(stmt, 'public.stmt_twin');
END
$$;

SET LOCAL mountaineer.actor = 'alice';
SELECT pg_temp.on_both($$INSERT INTO %s (id, name, n, who, role, doc, tags)
                         VALUES ('00000000-0000-4000-8000-000000000001', 'one', 1, 'w', 'r', '{"a": 1}', '{x}')$$);
SELECT is((SELECT after FROM change WHERE table_name = 'stmt_twin'),
          jsonb_build_object('id', '00000000-0000-4000-8000-000000000001', 'name', 'one', 'n', 1, 'who', 'w', 'role', 'r',
                             'doc', '{"a": 1}'::jsonb, 'tags', '{x}'::text[]),
          'a one-row insert records the whole row in after');
SELECT is((SELECT row(actor, login, db_role, txid)::text FROM change WHERE table_name = 'stmt_twin'),
          row('alice', session_user, current_user, txid_current())::text,
          'with the claimed actor, the login, the acting role and the transaction');

-- 1,000 rows in one statement, ids in an order of their own
SELECT pg_temp.on_both($$INSERT INTO %s (id, name, n, doc)
                         SELECT md5('bulk' || g)::uuid, 'bulk ' || g, g, json_build_object('g', g) FROM generate_series(1, 1000) g$$);
SELECT is((SELECT count(*)::int FROM change WHERE table_name = 'stmt_twin' AND op = 'insert' AND after ->> 'name' LIKE 'bulk %'), 1000,
          'a 1,000-row INSERT logs 1,000 changes');
SELECT is((SELECT count(*)::int FROM change c JOIN public.stmt_twin t ON t.id = c.row_id
            WHERE c.table_name = 'stmt_twin' AND c.op = 'insert' AND c.after = to_jsonb(t)), 1001,
          'each with its whole row in after');
SELECT ok((SELECT array_agg(row_id ORDER BY id) = array_agg(row_id ORDER BY row_id) FROM change
            WHERE table_name = 'stmt_twin' AND op = 'insert' AND after ->> 'name' LIKE 'bulk %'),
          'within the statement, change ids follow the rows'' ids');
SELECT ok((SELECT array_agg(row_id ORDER BY id) <> array_agg(row_id ORDER BY row_id) FROM change
            WHERE table_name = 'row_twin' AND op = 'insert' AND after ->> 'name' LIKE 'bulk %'),
          '(which the row trigger, logging in the order of the rows, does not do)');

-- an update where half the rows change: half the changes
SELECT pg_temp.on_both($$UPDATE %s SET n = n - n %% 2 WHERE name LIKE 'bulk %%'$$);
SELECT is((SELECT count(*)::int FROM change WHERE table_name = 'stmt_twin' AND op = 'update'), 500,
          'an UPDATE of 1,000 rows where half change logs 500 changes');
SELECT is((SELECT count(*)::int FROM change WHERE table_name = 'stmt_twin' AND op = 'update'
              AND (before ->> 'n')::int % 2 = 1 AND (after ->> 'n')::int = (before ->> 'n')::int - 1
              AND before - 'n' = '{}' AND after - 'n' = '{}'), 500,
          'each of the changed rows with only its changed column: old value in before, new in after');
SELECT ok((SELECT array_agg(row_id ORDER BY id) = array_agg(row_id ORDER BY row_id) FROM change
            WHERE table_name = 'stmt_twin' AND op = 'update'),
          'in order of row id');

-- updates that change nothing
SELECT pg_temp.on_both($$UPDATE %s SET name = name, doc = doc$$);
SELECT pg_temp.on_both($$UPDATE %s SET n = 1 WHERE id = '00000000-0000-4000-8000-000000000001'$$);
SELECT pg_temp.on_both($$UPDATE %s SET n = 0 WHERE false$$);
SELECT is((SELECT count(*)::int FROM change WHERE table_name = 'stmt_twin' AND op = 'update'), 500,
          'an update that changes nothing records nothing (many rows, one row, no row)');

-- one row, several columns, NULLs, a json value
SELECT pg_temp.on_both($$UPDATE %s SET name = NULL, tags = '{x,y}', doc = '{"a": 2}', who = NULL
                         WHERE id = '00000000-0000-4000-8000-000000000001'$$);
SELECT is((SELECT row(before, after)::text FROM change WHERE table_name = 'stmt_twin' AND op = 'update'
              AND row_id = '00000000-0000-4000-8000-000000000001'),
          row('{"doc": {"a": 1}, "who": "w", "name": "one", "tags": ["x"]}'::jsonb,
              '{"doc": {"a": 2}, "who": null, "name": null, "tags": ["x", "y"]}'::jsonb)::text,
          'a one-row update records its changed columns, a change to NULL included');
-- several rows, some of several columns
SELECT pg_temp.on_both($$UPDATE %s SET role = CASE WHEN n %% 4 = 0 THEN 'four' END, doc = '{"g": 0}'
                         WHERE n BETWEEN 1 AND 40$$);

-- an upsert: new rows are inserted, existing ones updated (one of them without a change)
SELECT max(id) AS before_upsert FROM change \gset
SELECT pg_temp.on_both($$INSERT INTO %s (id, name, n)
                         SELECT md5('bulk' || g)::uuid, 'bulk ' || g, CASE WHEN g = 3 THEN 2 ELSE -g END
                           FROM generate_series(1, 3) g
                         UNION ALL SELECT md5('new' || g)::uuid, 'new ' || g, g FROM generate_series(1, 2) g
                         ON CONFLICT (id) DO UPDATE SET n = excluded.n$$);
SELECT is((SELECT array_agg(x ORDER BY x) FROM (SELECT op || ' ' || coalesce(after ->> 'name', before ->> 'n') AS x FROM change
            WHERE table_name = 'stmt_twin' AND id > :before_upsert) c),
          ARRAY['insert new 1', 'insert new 2', 'update 0', 'update 2']::text[],
          'INSERT ... ON CONFLICT DO UPDATE logs the inserted rows as inserts, the changed ones as updates (bulk 3 kept its n)');

-- deletes: many rows, one row, none
SELECT pg_temp.on_both($$DELETE FROM %s WHERE n BETWEEN 100 AND 199$$);
SELECT is((SELECT count(*)::int FROM change c WHERE table_name = 'stmt_twin' AND op = 'delete'), 100,
          'a DELETE logs every row it removes');
SELECT is((SELECT count(*)::int FROM change c WHERE table_name = 'stmt_twin' AND op = 'delete'
              AND after IS NULL AND (before ->> 'n')::int BETWEEN 100 AND 199 AND before ? 'doc'), 100,
          'each with its whole row in before');
SELECT ok((SELECT array_agg(row_id ORDER BY id) = array_agg(row_id ORDER BY row_id) FROM change
            WHERE table_name = 'stmt_twin' AND op = 'delete'),
          'in order of row id');
SELECT pg_temp.on_both($$DELETE FROM %s WHERE id = '00000000-0000-4000-8000-000000000001'$$);
SELECT pg_temp.on_both($$DELETE FROM %s WHERE false$$);

-- MERGE: a delete, an update, an update without a change, inserts (compared below)
SELECT pg_temp.on_both($$MERGE INTO %s t USING (SELECT md5('bulk' || g)::uuid AS id, g FROM generate_series(500, 1005) g) s ON t.id = s.id
                         WHEN MATCHED AND s.g = 500 THEN DELETE
                         WHEN MATCHED AND s.g = 502 THEN UPDATE SET n = -502
                         WHEN MATCHED THEN UPDATE SET n = t.n
                         WHEN NOT MATCHED THEN INSERT (id, name, n) VALUES (s.id, 'merged ' || s.g, s.g)$$);

-- as an editor, with a claim of its own
SET LOCAL ROLE mountaineer_editor;
SET LOCAL mountaineer.actor = 'bob';
SELECT pg_temp.on_both($$INSERT INTO %s (id, name) VALUES ('00000000-0000-4000-8000-000000000002', 'by editor'), ('00000000-0000-4000-8000-000000000003', 'by editor')$$);
SELECT pg_temp.on_both($$UPDATE %s SET n = 7 WHERE name = 'by editor'$$);
SELECT pg_temp.on_both($$DELETE FROM %s WHERE name = 'by editor'$$);
RESET ROLE;
SELECT is((SELECT array_agg(DISTINCT row(actor, login, db_role)::text) FROM change WHERE table_name = 'stmt_twin' AND actor = 'bob'),
          ARRAY[row('bob', session_user, 'mountaineer_editor')::text],
          'an editor''s statements are logged on its behalf, with its claim, the login and its role');
SELECT is((SELECT count(*)::int FROM change WHERE table_name = 'stmt_twin' AND actor = 'bob'), 6,
          'two inserts, two updates, two deletes');
SET LOCAL mountaineer.actor = 'alice';

-- and all of it exactly as the row trigger records it
SELECT cmp_ok((SELECT count(*)::int FROM change WHERE table_name = 'row_twin'), '>', 1600, 'the row twin logged its changes');
SELECT bag_eq($$SELECT * FROM pg_temp.changes_of('stmt_twin')$$, $$SELECT * FROM pg_temp.changes_of('row_twin')$$,
              'the statement triggers record exactly what log_change() records, row by row: every row, op, before, after, actor, login, role, txid and time');
SELECT is((SELECT count(*)::int FROM public.stmt_twin), (SELECT count(*)::int FROM public.row_twin), 'and the twins hold the same rows');

-- a changed id cannot be paired with its old values: refused
SELECT throws_ok($$UPDATE public.stmt_twin SET id = gen_random_uuid() WHERE n = 2$$, '428C9',
                 'log_update() cannot record a change of id (on public.stmt_twin)',
                 'log_update() refuses a change of id (one row)');
SELECT throws_ok($$UPDATE public.stmt_twin SET id = gen_random_uuid() WHERE n BETWEEN 2 AND 10$$, '428C9',
                 'log_update() cannot record a change of id (on public.stmt_twin)',
                 'log_update() refuses a change of id (many rows)');

-- restores: the owner's COPY as pg_restore runs it is not logged again; an editor's is
SELECT max(id) AS before_copy FROM change \gset
SET LOCAL check_function_bodies = off;
COPY public.stmt_twin (id, name) FROM STDIN;
00000000-0000-4000-8000-000000000010	restored
\.
SET LOCAL ROLE mountaineer_editor;
COPY public.stmt_twin (id, name) FROM STDIN;
00000000-0000-4000-8000-000000000011	copied
\.
RESET ROLE;
RESET check_function_bodies;
SELECT is((SELECT array_agg(after ->> 'name') FROM change WHERE id > :before_copy),
          ARRAY['copied'], 'a restore (the owner''s COPY ... FROM STDIN, check_function_bodies off) is not logged; an editor''s COPY is');
SET LOCAL check_function_bodies = off;
COPY public.stmt_twin (id, name) FROM STDIN;
00000000-0000-4000-8000-000000000012	restored
\.
RESET check_function_bodies;
DELETE FROM public.stmt_twin WHERE name = 'restored';
UPDATE public.stmt_twin SET name = 'copied again' WHERE name = 'copied';
SELECT is((SELECT count(*)::int FROM change WHERE row_id IN ('00000000-0000-4000-8000-000000000010', '00000000-0000-4000-8000-000000000012')), 2,
          'rows restored are logged when they change later (their two deletes)');

-- a foreign key's cascade: the children its statements delete are logged too
CREATE TABLE public.stmt_child (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                                parent_id uuid REFERENCES public.stmt_twin ON DELETE CASCADE);
CREATE TRIGGER log_delete AFTER DELETE ON public.stmt_child REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_delete();
INSERT INTO public.stmt_child (parent_id) SELECT id FROM public.stmt_twin WHERE n BETWEEN 2 AND 20;
SELECT max(id) AS before_cascade, (SELECT count(*) FROM public.stmt_twin WHERE n BETWEEN 2 AND 20) AS parents FROM change \gset
DELETE FROM public.stmt_twin WHERE n BETWEEN 2 AND 20;
SELECT is((SELECT array_agg(table_name || ' ' || count) FROM (
               SELECT table_name, count(*) FROM change WHERE id > :before_cascade AND op = 'delete' GROUP BY 1 ORDER BY 1) c),
          ARRAY['stmt_child ' || :parents, 'stmt_twin ' || :parents],
          'a cascading DELETE logs the children it removes as well as the parents');

-- TRUNCATE is logged as before, beside the statement triggers
CREATE TRIGGER log_truncate BEFORE TRUNCATE ON public.stmt_twin
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_truncate();
SELECT count(*) AS twin_rows FROM public.stmt_twin \gset
TRUNCATE public.stmt_twin CASCADE;
SELECT is((SELECT count(*)::int FROM change WHERE table_name = 'stmt_twin' AND op = 'truncate'), :twin_rows,
          'TRUNCATE logs every row it removes');

-- how they must be attached
CREATE TABLE public.stmt_bad (id uuid PRIMARY KEY);
CREATE TRIGGER bad BEFORE INSERT ON public.stmt_bad FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_insert();
SELECT throws_ok($$INSERT INTO public.stmt_bad VALUES (gen_random_uuid())$$, '22023',
                 'log_insert() must be an AFTER INSERT ... REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT trigger (on public.stmt_bad)',
                 'log_insert() checks how it is attached');
DROP TRIGGER bad ON public.stmt_bad;
CREATE TRIGGER bad AFTER UPDATE ON public.stmt_bad FOR EACH ROW EXECUTE FUNCTION mountaineer.log_update();
INSERT INTO public.stmt_bad VALUES (gen_random_uuid());
SELECT throws_ok($$UPDATE public.stmt_bad SET id = id$$, '22023',
                 'log_update() must be an AFTER UPDATE ... REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT trigger (on public.stmt_bad)',
                 'log_update() checks how it is attached');
DROP TRIGGER bad ON public.stmt_bad;
CREATE TRIGGER bad AFTER INSERT ON public.stmt_bad REFERENCING NEW TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_delete();
SELECT throws_ok($$INSERT INTO public.stmt_bad VALUES (gen_random_uuid())$$, '22023',
                 'log_delete() must be an AFTER DELETE ... REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT trigger (on public.stmt_bad)',
                 'log_delete() checks how it is attached');

-- what manage_table() attaches (1.3)
SET LOCAL search_path = public;
SELECT is((SELECT array_agg(pg_get_triggerdef(oid) ORDER BY tgname) FROM pg_trigger
            WHERE tgrelid = 'mountaineer.site'::regclass AND tgname LIKE 'log\_%'),
          ARRAY['CREATE TRIGGER log_delete AFTER DELETE ON mountaineer.site REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_delete()',
                'CREATE TRIGGER log_insert AFTER INSERT ON mountaineer.site REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_insert()',
                'CREATE TRIGGER log_truncate BEFORE TRUNCATE ON mountaineer.site FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_truncate()',
                'CREATE TRIGGER log_update AFTER UPDATE ON mountaineer.site REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_update()'],
          'manage_table() attaches log_insert, log_update and log_delete (and log_truncate), as on mountaineer.site');

SELECT * FROM finish();
ROLLBACK;
