\set ON_ERROR_STOP true
\set QUIET true
-- mountaineer.restoring(): only the table's owner loading it with COPY FROM
-- STDIN and check_function_bodies off (what pg_restore and pg_dump scripts
-- do) is a restore; everyone else's COPY is logged and checked as an INSERT.
-- (test/dump_restore.sh restores whole databases.)
BEGIN;
SELECT plan(11);

CREATE TABLE public.restore_probe (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), n int,
                                   restoring boolean DEFAULT mountaineer.restoring('public.restore_probe'));
CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON public.restore_probe
    FOR EACH ROW EXECUTE FUNCTION mountaineer.log_change();
GRANT INSERT, SELECT ON public.restore_probe TO mountaineer_editor;
CREATE TEMP VIEW logged AS
    SELECT (after->>'n')::int AS n FROM mountaineer.change WHERE table_name = 'restore_probe';
GRANT SELECT ON logged TO PUBLIC;

SELECT is(mountaineer.restoring('public.restore_probe'), false, 'a SELECT is not a restore');

-- the owner (this superuser), with check_function_bodies on: an ordinary bulk load
COPY public.restore_probe (n) FROM STDIN;
1
\.
-- the owner, as pg_restore runs it
SET check_function_bodies = off;
COPY public.restore_probe (n) FROM STDIN;
2
\.
-- the same session inserting: not a restore
INSERT INTO public.restore_probe (n) VALUES (3);
-- an editor, as pg_restore runs it: still logged (log_change is SECURITY
-- DEFINER, so this also shows that the caller, not the definer, is asked)
SET ROLE mountaineer_editor;
COPY public.restore_probe (n) FROM STDIN;
4
\.
RESET ROLE;
-- the owner, but the table named as pg_dump never names it (unqualified)
SET search_path = public;
COPY restore_probe (n) FROM STDIN;
5
\.
RESET search_path;
-- the owner, from a server file rather than from the client
SELECT current_setting('data_directory') || '/restore_probe.copy' AS copyfile \gset
COPY (SELECT 6) TO :'copyfile';
COPY public.restore_probe (n) FROM :'copyfile';
RESET check_function_bodies;

SELECT results_eq('SELECT n, restoring FROM public.restore_probe ORDER BY n',
    $$VALUES (1, false), (2, true), (3, false), (4, false), (5, false), (6, false)$$,
    'restoring() is true only for the owner''s COPY schema.table FROM STDIN with check_function_bodies off');
SELECT is((SELECT count(*) FROM logged WHERE n = 1), 1::bigint, 'the owner''s ordinary COPY is logged');
SELECT is((SELECT count(*) FROM logged WHERE n = 2), 0::bigint, 'the owner''s restore is not logged again');
SELECT is((SELECT count(*) FROM logged WHERE n = 3), 1::bigint, 'an INSERT with check_function_bodies off is logged');
SELECT is((SELECT count(*) FROM logged WHERE n = 4), 1::bigint, 'an editor''s COPY as pg_restore would run it is logged');
SELECT is((SELECT count(*) FROM logged WHERE n = 5), 1::bigint, 'the owner''s COPY of an unqualified table name is logged');
SELECT is((SELECT count(*) FROM logged WHERE n = 6), 1::bigint, 'the owner''s COPY from a server file is logged');

-- the inventory's own triggers are held to the same rule
SELECT is_empty($$
    SELECT t.tgrelid::regclass || '.' || t.tgname FROM pg_trigger t
    JOIN pg_depend d ON d.objid = t.tgrelid AND d.classid = 'pg_class'::regclass
    JOIN pg_extension e ON e.oid = d.refobjid AND d.deptype = 'e' AND e.extname LIKE 'mountaineer%'
    WHERE NOT t.tgisinternal AND t.tgtype & 1 = 1 AND t.tgtype & 4 = 4   -- row triggers on INSERT
      AND t.tgfoid <> 'mountaineer.log_change()'::regprocedure
      -- the whole condition, or the last of the conditions it ANDs
      AND pg_get_triggerdef(t.oid) NOT LIKE format('%%WHEN ((NOT mountaineer.restoring(%L::regclass)))%%', t.tgrelid::regclass)
      AND pg_get_triggerdef(t.oid) NOT LIKE format('%%WHEN (%%AND (NOT mountaineer.restoring(%L::regclass))))%%', t.tgrelid::regclass)$$,
    'every row trigger of an inventory table that fires on INSERT stands aside while its own table is restored');
SELECT ok(position('mountaineer.restoring(TG_RELID)' IN prosrc) > 0, 'log_change() stands aside while its table is restored')
FROM pg_proc WHERE oid = 'mountaineer.log_change()'::regprocedure;
SELECT is(has_function_privilege('mountaineer_reader', 'mountaineer.restoring(regclass)', 'EXECUTE'), true,
          'anyone may ask (trigger WHEN clauses run as the writer)');

SELECT * FROM finish();
ROLLBACK;
