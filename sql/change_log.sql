SET search_path = mountaineer, public;
SET mountaineer.actor = 'regress';

-- any table with a uuid "id" can carry the change-log trigger
CREATE TABLE public.widget (id uuid PRIMARY KEY, name text NOT NULL, size int, tags text[]);
CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON public.widget
    FOR EACH ROW EXECUTE FUNCTION mountaineer.log_change();

INSERT INTO widget VALUES ('00000000-0000-4000-8000-000000000001', 'anvil', 10, '{iron}');
SELECT clock_timestamp() AS t_inserted \gset
UPDATE widget SET size = 12 WHERE name = 'anvil';
SELECT clock_timestamp() AS t_resized \gset
UPDATE widget SET size = 12 WHERE name = 'anvil';               -- changes nothing
UPDATE widget SET name = 'big anvil', tags = NULL WHERE name = 'anvil';
SELECT clock_timestamp() AS t_renamed \gset
DELETE FROM widget;
SELECT clock_timestamp() AS t_deleted \gset
INSERT INTO widget VALUES ('00000000-0000-4000-8000-000000000001', 'anvil', 1, '{}');

-- the whole history, oldest first: updates hold only what changed
SELECT op, actor, schema_name, table_name, row_id, before, after
FROM history('public.widget', '00000000-0000-4000-8000-000000000001');

-- the row as it stood at each moment
SELECT as_of('public.widget', '00000000-0000-4000-8000-000000000001', :'t_inserted'::timestamptz - interval '1 hour') AS before_insert;
SELECT as_of('public.widget', '00000000-0000-4000-8000-000000000001', :'t_inserted') AS inserted;
SELECT as_of('public.widget', '00000000-0000-4000-8000-000000000001', :'t_resized') AS resized;
SELECT as_of('public.widget', '00000000-0000-4000-8000-000000000001', :'t_renamed') AS renamed;
SELECT as_of('public.widget', '00000000-0000-4000-8000-000000000001', :'t_deleted') AS deleted;
SELECT as_of('public.widget', '00000000-0000-4000-8000-000000000001', 'infinity') AS now;
SELECT as_of('public.widget', '00000000-0000-4000-8000-0000000000ff', 'infinity') AS never_existed;

-- a row that predates the trigger is still reconstructed from today's row
ALTER TABLE widget DISABLE TRIGGER log_change;
INSERT INTO widget VALUES ('00000000-0000-4000-8000-000000000002', 'hammer', 2, NULL);
ALTER TABLE widget ENABLE TRIGGER log_change;
SELECT clock_timestamp() AS t_before_log \gset
UPDATE widget SET size = 3 WHERE name = 'hammer';
SELECT as_of('public.widget', '00000000-0000-4000-8000-000000000002', :'t_before_log') AS predates_log;

-- history() of another table with the same row id sees nothing
CREATE TABLE public.gadget (LIKE public.widget);
SELECT count(*) FROM history('public.gadget', '00000000-0000-4000-8000-000000000001');

-- refusals
SELECT * FROM history('public.no_such_table', '00000000-0000-4000-8000-000000000001');
CREATE TABLE public.no_id (name text);
CREATE TRIGGER log_change AFTER INSERT ON public.no_id FOR EACH ROW EXECUTE FUNCTION mountaineer.log_change();
INSERT INTO public.no_id VALUES ('x');
CREATE TRIGGER log_change_before BEFORE INSERT ON public.gadget FOR EACH ROW EXECUTE FUNCTION mountaineer.log_change();
INSERT INTO public.gadget VALUES (gen_random_uuid(), 'x');
SELECT manage_table('public.gadget');
-- the change log itself is append-only for everyone but the admin role
SELECT has_table_privilege('mountaineer_reader', 'mountaineer.change', 'SELECT') AS reader_select,
       has_table_privilege('mountaineer_editor', 'mountaineer.change', 'INSERT') AS editor_insert,
       has_table_privilege('mountaineer_editor', 'mountaineer.change', 'DELETE') AS editor_delete,
       has_table_privilege('mountaineer_admin', 'mountaineer.change', 'DELETE') AS admin_delete,
       has_table_privilege('mountaineer_admin', 'mountaineer.change', 'UPDATE') AS admin_update;

DROP TABLE public.widget, public.gadget, public.no_id;
