\set ON_ERROR_STOP true
\set QUIET true
-- Core 1.7: log_insert(), log_update() and log_delete() write the change
-- rows of a statement of up to 64 rows themselves (src/change_log.c) and
-- hand every other statement to log_insert_full(), log_update_full() and
-- log_delete_full(), the PL/pgSQL.  Twin tables, one with each, take the
-- same statements and must log the same changes in the same order; the C
-- must call the PL/pgSQL exactly where its comment says it does.
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(34);

-- a dropped column, a generated one, a json column (no equality operator)
CREATE TABLE public.c_twin (id uuid PRIMARY KEY, gone int, name text, n int, doc json, tags text[],
                            twice int GENERATED ALWAYS AS (n * 2) STORED);
ALTER TABLE public.c_twin DROP COLUMN gone;
CREATE TABLE public.pl_twin (LIKE public.c_twin INCLUDING ALL);
CREATE TRIGGER log_insert AFTER INSERT ON public.c_twin REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_insert();
CREATE TRIGGER log_insert AFTER INSERT ON public.pl_twin REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_insert_full();
CREATE TRIGGER log_update AFTER UPDATE ON public.c_twin REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_update();
CREATE TRIGGER log_update AFTER UPDATE ON public.pl_twin REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_update_full();
CREATE TRIGGER log_delete AFTER DELETE ON public.c_twin REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_delete();
CREATE TRIGGER log_delete AFTER DELETE ON public.pl_twin REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_delete_full();

-- the changes of a twin in order of change id, as comparable text
CREATE FUNCTION pg_temp.changes_of(tbl text) RETURNS TABLE (c text)
    LANGUAGE sql AS $$
    SELECT row(row_id, op, before, after, actor, login, db_role, txid, at, schema_name)::text
      FROM mountaineer.change WHERE table_name = tbl ORDER BY id
$$;
CREATE FUNCTION pg_temp.on_both(stmt text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(stmt, 'public.c_twin');
    EXECUTE format(stmt, 'public.pl_twin');
END
$$;
SET LOCAL track_functions = 'pl';
CREATE FUNCTION pg_temp.pl_calls() RETURNS bigint LANGUAGE sql AS $$
    SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_xact_user_functions
     WHERE funcname IN ('log_insert_full', 'log_update_full', 'log_delete_full') $$;
CREATE FUNCTION pg_temp.pl_calls_by(stmt text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE before bigint := pg_temp.pl_calls();
BEGIN
    EXECUTE stmt;
    RETURN pg_temp.pl_calls() - before;
END $$;

SET LOCAL mountaineer.actor = 'alice';
SELECT is(pg_temp.pl_calls_by($$INSERT INTO public.c_twin (id, name, n, doc, tags)
                                VALUES ('00000000-0000-4000-8000-000000000001', 'one', 1, '{"a": 1}', '{x}')$$), 0::bigint,
          'a one-row INSERT is logged by the C alone');
INSERT INTO public.pl_twin (id, name, n, doc, tags) VALUES ('00000000-0000-4000-8000-000000000001', 'one', 1, '{"a": 1}', '{x}');
SELECT is((SELECT after FROM change WHERE table_name = 'c_twin'),
          jsonb_build_object('id', '00000000-0000-4000-8000-000000000001', 'name', 'one', 'n', 1, 'doc', '{"a": 1}'::jsonb,
                             'tags', '{x}'::text[], 'twice', 2),
          '... with the whole row in after (no dropped column, the generated one)');
SELECT is((SELECT row(actor, login, db_role, txid, at, op, before IS NULL)::text FROM change WHERE table_name = 'c_twin'),
          row('alice', session_user, current_user, txid_current(), now(), 'insert', true)::text,
          '... the claimed actor, the login, the acting role, the transaction, its start');
-- 3 rows whose ids come in no order; then 64 (the most the C writes)
SELECT pg_temp.on_both($$INSERT INTO %s (id, name, n) VALUES
    ('00000000-0000-4000-8000-000000000300', 'c', 3), ('00000000-0000-4000-8000-000000000100', 'a', 1),
    ('00000000-0000-4000-8000-000000000200', 'b', 2)$$);
SELECT is(pg_temp.pl_calls_by($$INSERT INTO public.c_twin (id, name, n) SELECT md5('few' || g)::uuid, 'few', g FROM generate_series(1, 64) g$$),
          0::bigint, 'a 64-row INSERT is logged by the C alone');
INSERT INTO public.pl_twin (id, name, n) SELECT md5('few' || g)::uuid, 'few', g FROM generate_series(1, 64) g;
SELECT is(pg_temp.pl_calls_by($$INSERT INTO public.c_twin (id, name, n) SELECT md5('many' || g)::uuid, 'many', g FROM generate_series(1, 65) g$$),
          1::bigint, 'a 65-row INSERT is logged by the PL/pgSQL');
INSERT INTO public.pl_twin (id, name, n) SELECT md5('many' || g)::uuid, 'many', g FROM generate_series(1, 65) g;
-- updates: one row, one that changes nothing, 3 of which one changes
-- nothing, 64, 65; deletes: one, 3, 65
SELECT is(pg_temp.pl_calls_by($$UPDATE public.c_twin SET n = 10, doc = '{"b": 2}' WHERE name = 'one'$$), 0::bigint,
          'a one-row UPDATE is logged by the C alone');
UPDATE public.pl_twin SET n = 10, doc = '{"b": 2}' WHERE name = 'one';
SELECT is((SELECT row(before, after)::text FROM change WHERE table_name = 'c_twin' AND op = 'update'),
          row('{"n": 1, "doc": {"a": 1}, "twice": 2}'::jsonb, '{"n": 10, "doc": {"b": 2}, "twice": 20}'::jsonb)::text,
          '... its changed columns, old and new (the generated one too)');
SELECT pg_temp.on_both($$UPDATE %s SET n = n WHERE name = 'one'$$);
SELECT is((SELECT count(*)::int FROM change WHERE table_name = 'c_twin' AND op = 'update'), 1,
          'a one-row UPDATE that changes nothing logs nothing');
SELECT pg_temp.on_both($$UPDATE %s SET n = CASE name WHEN 'b' THEN n ELSE n + 100 END WHERE name IN ('a', 'b', 'c')$$);
SELECT is((SELECT array_agg(after ->> 'n' ORDER BY id) FROM change WHERE table_name = 'c_twin' AND op = 'update'),
          '{10,101,103}', 'an UPDATE of 3 rows logs the 2 that changed, in order of id');
SELECT is(pg_temp.pl_calls_by($$UPDATE public.c_twin SET n = n + 1 WHERE name = 'few'$$), 0::bigint,
          'a 64-row UPDATE is logged by the C alone');
UPDATE public.pl_twin SET n = n + 1 WHERE name = 'few';
SELECT is(pg_temp.pl_calls_by($$UPDATE public.c_twin SET n = n + 1 WHERE name = 'many'$$), 1::bigint,
          'a 65-row UPDATE is logged by the PL/pgSQL');
UPDATE public.pl_twin SET n = n + 1 WHERE name = 'many';
SELECT is(pg_temp.pl_calls_by($$DELETE FROM public.c_twin WHERE name = 'a'$$), 0::bigint,
          'a one-row DELETE is logged by the C alone');
DELETE FROM public.pl_twin WHERE name = 'a';
SELECT pg_temp.on_both($$DELETE FROM %s WHERE name IN ('b', 'c', 'one')$$);
SELECT is(pg_temp.pl_calls_by($$DELETE FROM public.c_twin WHERE name = 'many'$$), 1::bigint,
          'a 65-row DELETE is logged by the PL/pgSQL');
DELETE FROM public.pl_twin WHERE name = 'many';
SELECT is((SELECT before FROM change WHERE table_name = 'c_twin' AND op = 'delete' AND row_id = '00000000-0000-4000-8000-000000000001'),
          jsonb_build_object('id', '00000000-0000-4000-8000-000000000001', 'name', 'one', 'n', 10, 'doc', '{"b": 2}'::jsonb,
                             'tags', '{x}'::text[], 'twice', 20),
          'a deleted row is logged whole in before');

-- statements of no rows (a foreign key's cascade makes one on every table
-- it reaches) are the C's too: nothing logged, nothing sent
SELECT is(pg_temp.pl_calls_by($$INSERT INTO public.c_twin (id, name, n) SELECT md5('none' || g)::uuid, 'none', g FROM generate_series(1, 0) g$$),
          0::bigint, 'an INSERT of no rows is the C''s alone');
INSERT INTO public.pl_twin (id, name, n) SELECT md5('none' || g)::uuid, 'none', g FROM generate_series(1, 0) g;
SELECT is(pg_temp.pl_calls_by($$UPDATE public.c_twin SET n = 0 WHERE name = 'none'$$), 0::bigint,
          'an UPDATE of no rows is the C''s alone');
SELECT is(pg_temp.pl_calls_by($$DELETE FROM public.c_twin WHERE name = 'none'$$), 0::bigint,
          'a DELETE of no rows is the C''s alone');
-- ... and an INSERT or DELETE of none takes the writer lock, as the
-- PL/pgSQL's INSERT of none fires change's statement trigger; an UPDATE of
-- none takes nothing (seen from a session of its own, as this one holds
-- the lock already; and before this one alters change, which would make
-- that session wait)
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect('none', format('dbname=%s user=%s port=%s host=%s', current_database(), current_user,
                                     current_setting('port'),
                                     split_part(current_setting('unix_socket_directories'), ',', 1))) AS connected \gset
CREATE FUNCTION pg_temp.writer_locks_after(stmt text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE n int;
BEGIN
    PERFORM dblink_exec('none', 'BEGIN');
    PERFORM dblink_exec('none', stmt);
    SELECT t.n INTO n FROM dblink('none', $q$SELECT count(*)::int FROM pg_locks
                                           WHERE locktype = 'advisory' AND objsubid = 1 AND pid = pg_backend_pid()
                                             AND classid::bigint BETWEEN 1297350656 AND 1297416191$q$) AS t(n int);
    PERFORM dblink_exec('none', 'ROLLBACK');
    RETURN n;
END $$;
SELECT is(pg_temp.writer_locks_after($$INSERT INTO mountaineer.tag (name) SELECT 'none' WHERE false$$), 1,
          'an INSERT of no rows takes the writer lock');
SELECT is(pg_temp.writer_locks_after($$DELETE FROM mountaineer.tag WHERE false$$), 1,
          'a DELETE of no rows takes the writer lock');
SELECT is(pg_temp.writer_locks_after($$UPDATE mountaineer.tag SET name = name WHERE false$$), 0,
          'an UPDATE of no rows takes none');
SELECT dblink_disconnect('none') AS disconnected \gset

SELECT is((SELECT count(*)::int FROM change WHERE table_name = 'c_twin'), (1 + 3 + 64 + 65) + (1 + 2 + 64 + 65) + (1 + 3 + 65),
          'every row inserted, changed or deleted is logged once');
SELECT is((SELECT array_agg(c) FROM pg_temp.changes_of('c_twin')), (SELECT array_agg(c) FROM pg_temp.changes_of('pl_twin')),
          'the C and the PL/pgSQL log the same changes, in the same order');
SELECT is((SELECT array_agg(row_id ORDER BY id) FROM change WHERE table_name = 'c_twin' AND after ->> 'name' IN ('a', 'b', 'c')),
          '{00000000-0000-4000-8000-000000000100,00000000-0000-4000-8000-000000000200,00000000-0000-4000-8000-000000000300}'::uuid[],
          'within a statement, change ids follow the rows'' ids');

-- where change is not as the install script makes it, the PL/pgSQL writes
CREATE FUNCTION pg_temp.seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('test.seen', coalesce(current_setting('test.seen', true), '') || 'x', true);
    RETURN NEW;
END $$;
CREATE TRIGGER zz_seen BEFORE INSERT ON mountaineer.change FOR EACH ROW EXECUTE FUNCTION pg_temp.seen();
SELECT is(pg_temp.pl_calls_by($$INSERT INTO public.c_twin (id, name, n) VALUES (gen_random_uuid(), 'extra trigger', 1)$$)
          || current_setting('test.seen', true), '1x',
          'a trigger of one''s own on change: the PL/pgSQL writes, and that trigger fires');
DROP TRIGGER zz_seen ON mountaineer.change;
ALTER TABLE mountaineer.change DISABLE TRIGGER outbox_writer_lock;
SELECT is(pg_temp.pl_calls_by($$INSERT INTO public.c_twin (id, name, n) VALUES (gen_random_uuid(), 'lock off', 1)$$), 1::bigint,
          'the writer lock''s trigger on change disabled: the PL/pgSQL writes');
ALTER TABLE mountaineer.change ENABLE TRIGGER outbox_writer_lock;
SAVEPOINT dropped;
DROP TRIGGER outbox_writer_lock ON mountaineer.change;
SELECT pg_temp.pl_calls_by($$INSERT INTO public.c_twin (id, name, n) VALUES (gen_random_uuid(), 'lock gone', 1)$$) AS calls \gset
ROLLBACK TO SAVEPOINT dropped;
SELECT is(:calls::bigint, 1::bigint, '... dropped: the PL/pgSQL writes');
-- mountaineer_vault's trigger on change may be there or not (no vault)
SAVEPOINT no_vault;
DROP TRIGGER IF EXISTS secret_change_redact ON mountaineer.change;
SELECT pg_temp.pl_calls_by($$INSERT INTO public.c_twin (id, name, n) VALUES (gen_random_uuid(), 'no vault', 1)$$) AS calls \gset
ROLLBACK TO SAVEPOINT no_vault;
SELECT is(:calls::bigint, 0::bigint, 'without mountaineer_vault''s trigger on change, the C writes');
ALTER TABLE mountaineer.change ENABLE ROW LEVEL SECURITY;
SELECT is(pg_temp.pl_calls_by($$INSERT INTO public.c_twin (id, name, n) VALUES (gen_random_uuid(), 'rls', 1)$$), 1::bigint,
          'row-level security on change: the PL/pgSQL writes');
ALTER TABLE mountaineer.change DISABLE ROW LEVEL SECURITY;
ALTER TABLE mountaineer.change ADD COLUMN extra text;
SELECT is(pg_temp.pl_calls_by($$INSERT INTO public.c_twin (id, name, n) VALUES (gen_random_uuid(), 'column', 1)$$), 1::bigint,
          'a column of one''s own on change: the PL/pgSQL writes');
ALTER TABLE mountaineer.change DROP COLUMN extra;
SELECT is(pg_temp.pl_calls_by($$INSERT INTO public.c_twin (id, name, n) VALUES (gen_random_uuid(), 'back', 1)$$), 0::bigint,
          'and as made again, the C');

-- a trigger whose new table has another name: the PL/pgSQL, which needs new_rows, refuses
CREATE TABLE public.other_name (id uuid PRIMARY KEY);
CREATE TRIGGER log_insert AFTER INSERT ON public.other_name REFERENCING NEW TABLE AS fresh
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_insert();
SELECT throws_ok($$INSERT INTO public.other_name VALUES (gen_random_uuid())$$, '42P01', 'relation "new_rows" does not exist',
                 'a new table not named new_rows is refused as before');
-- an UPDATE that changes an id (no "A_refuse_id_change" here): the PL/pgSQL refuses it
INSERT INTO public.c_twin (id, name, n) VALUES ('00000000-0000-4000-8000-00000000aaaa', 'moved', 1);
SELECT throws_ok($$UPDATE public.c_twin SET id = '00000000-0000-4000-8000-00000000bbbb' WHERE name = 'moved'$$, '428C9',
                 'log_update() cannot record a change of id (on public.c_twin)', 'an id changed is refused as before');
-- two rows of one id (no key): the PL/pgSQL pairs every old row with every new one of its id
CREATE TABLE public.dup_id (id uuid, n int);
CREATE TRIGGER log_update AFTER UPDATE ON public.dup_id REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_update();
INSERT INTO public.dup_id VALUES ('00000000-0000-4000-8000-00000000cccc', 1), ('00000000-0000-4000-8000-00000000cccc', 2);
UPDATE public.dup_id SET n = n + 1;
SELECT is((SELECT count(*)::int FROM change WHERE table_name = 'dup_id'), 3,
          'an UPDATE of two rows of one id is logged as the PL/pgSQL pairs them (3 of the 4 pairs differ)');
-- a table without a uuid id: as before, the PL/pgSQL's INSERT fails
CREATE TABLE public.no_uuid (id int PRIMARY KEY);
CREATE TRIGGER log_insert AFTER INSERT ON public.no_uuid REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_insert();
SELECT throws_ok($$INSERT INTO public.no_uuid VALUES (1)$$, '42804', NULL,
                 'a table whose id is no uuid is refused as before');

SELECT * FROM finish();
ROLLBACK;
