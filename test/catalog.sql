\set ON_ERROR_STOP true
\set QUIET true
-- Rules every Mountaineer extension keeps, checked over the catalogue so that
-- each new module is held to them without new tests.  A table whose comment
-- starts with "Derived:" holds data the triggers compute from inventory
-- tables (it is dumped, but has no uuid id or change log of its own); one
-- whose comment starts with "Lock:" holds only rows that locks are taken on,
-- made by CREATE EXTENSION (it is neither dumped nor logged).
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(16);

CREATE TEMP VIEW member AS
    SELECT e.extname, d.classid::regclass AS catalog, d.objid
    FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
    WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
      AND e.extname LIKE 'mountaineer%';

SELECT is_empty($$
    SELECT m.objid::regclass::text FROM member m JOIN pg_class c ON c.oid = m.objid
    WHERE m.catalog = 'pg_class'::regclass AND c.relkind IN ('r', 'p')
      AND obj_description(c.oid, 'pg_class') NOT LIKE 'Lock:%'
      AND NOT EXISTS (SELECT FROM pg_extension e WHERE m.objid = ANY (e.extconfig))$$,
    'every table of every mountaineer extension is registered with pg_extension_config_dump');

SELECT is_empty($$
    SELECT m.objid::regclass::text FROM member m JOIN pg_class c ON c.oid = m.objid
    WHERE m.catalog = 'pg_class'::regclass AND c.relkind IN ('r', 'p', 'v', 'm')
      AND obj_description(m.objid, 'pg_class') IS NULL$$,
    'every table and view has a COMMENT');

-- PostgREST's OpenAPI document (GET /) describes each column by its COMMENT.
SELECT is_empty($$
    SELECT m.objid::regclass::text || '.' || quote_ident(a.attname) FROM member m
    JOIN pg_class c ON c.oid = m.objid
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE m.catalog = 'pg_class'::regclass AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND col_description(c.oid, a.attnum) IS NULL$$,
    'every column of every table and view has a COMMENT');

SELECT is_empty($$
    SELECT m.objid::regprocedure::text FROM member m
    WHERE m.catalog = 'pg_proc'::regclass
      AND obj_description(m.objid, 'pg_proc') IS NULL
      AND (SELECT prorettype NOT IN ('internal'::regtype) AND NOT 'internal'::regtype = ANY (proargtypes)
           FROM pg_proc WHERE oid = m.objid)$$,
    'every SQL-callable function has a COMMENT');

SELECT is_empty($$
    SELECT format_type(m.objid, NULL) FROM member m JOIN pg_type t ON t.oid = m.objid
    WHERE m.catalog = 'pg_type'::regclass AND t.typtype IN ('b', 'e', 'd')
      AND obj_description(m.objid, 'pg_type') IS NULL$$,
    'every type has a COMMENT');

SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM member m JOIN pg_proc p ON p.oid = m.objid
    WHERE m.catalog = 'pg_proc'::regclass AND p.provolatile IN ('i', 's') AND p.proparallel <> 's'
      AND p.prokind = 'f'$$,
    'every IMMUTABLE or STABLE function is PARALLEL SAFE');

SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM member m JOIN pg_proc p ON p.oid = m.objid
    WHERE m.catalog = 'pg_proc'::regclass AND p.prosecdef
      AND NOT EXISTS (SELECT FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')$$,
    'every SECURITY DEFINER function pins its search_path');

SELECT is_empty($$
    SELECT c.oid::regclass::text FROM member m JOIN pg_class c ON c.oid = m.objid
    WHERE m.catalog = 'pg_class'::regclass AND c.relkind = 'r' AND c.oid NOT IN ('mountaineer.change'::regclass, 'mountaineer.event_consumer'::regclass)
      AND obj_description(c.oid, 'pg_class') !~ '^(Derived|Lock|Imports|Secret):'
      AND c.relnamespace = 'mountaineer'::regnamespace   -- not the tables other programs define (salt.*, pdns.*)
      AND NOT EXISTS (SELECT FROM pg_attribute a JOIN pg_index i ON i.indrelid = a.attrelid
                      WHERE a.attrelid = c.oid AND a.attname = 'id' AND a.atttypid = 'uuid'::regtype
                        AND i.indisprimary AND i.indkey[0] = a.attnum AND i.indnkeyatts = 1)$$,
    'every inventory table has a uuid primary key named id');

SELECT is_empty($$
    SELECT c.oid::regclass::text FROM member m JOIN pg_class c ON c.oid = m.objid
    WHERE m.catalog = 'pg_class'::regclass AND c.relkind = 'r' AND c.oid NOT IN ('mountaineer.change'::regclass, 'mountaineer.event_consumer'::regclass)
      AND obj_description(c.oid, 'pg_class') !~ '^(Derived|Lock|Imports|Secret):'
      AND c.relnamespace = 'mountaineer'::regnamespace   -- not the tables other programs define (salt.*, pdns.*)
      AND (EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid
                   AND t.tgfoid = 'mountaineer.log_change()'::regprocedure)   -- logged twice
           OR EXISTS (SELECT FROM (VALUES ('mountaineer.log_insert()'::regprocedure, 4, NULL, 'new_rows'),
                                          ('mountaineer.log_update()', 16, 'old_rows', 'new_rows'),
                                          ('mountaineer.log_delete()', 8, 'old_rows', NULL)) f(fn, event, oldt, newt)
                      WHERE NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgfoid = f.fn
                                          AND t.tgtype = f.event   -- AFTER, FOR EACH STATEMENT, that event alone
                                          AND t.tgoldtable IS NOT DISTINCT FROM f.oldt AND t.tgnewtable IS NOT DISTINCT FROM f.newt
                                          AND t.tgenabled <> 'D')))$$,
    'every inventory table carries the change-log triggers (log_insert, log_update, log_delete after each statement, with their transition tables) and not the row trigger log_change as well');

SELECT is_empty($$
    SELECT c.oid::regclass::text FROM member m JOIN pg_class c ON c.oid = m.objid
    WHERE m.catalog = 'pg_class'::regclass AND c.relkind = 'r' AND c.oid NOT IN ('mountaineer.change'::regclass, 'mountaineer.event_consumer'::regclass)
      AND obj_description(c.oid, 'pg_class') !~ '^(Derived|Lock|Imports|Secret):'
      AND c.relnamespace = 'mountaineer'::regnamespace   -- not the tables other programs define (salt.*, pdns.*)
      AND NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgtype & 32 = 32   -- TRUNCATE
                      AND t.tgfoid = 'mountaineer.log_truncate()'::regprocedure AND t.tgenabled <> 'D')$$,
    'every inventory table logs TRUNCATE');

SELECT is_empty($$
    SELECT c.oid::regclass::text FROM member m JOIN pg_class c ON c.oid = m.objid
    WHERE m.catalog = 'pg_class'::regclass AND c.relkind = 'r' AND c.oid NOT IN ('mountaineer.change'::regclass, 'mountaineer.event_consumer'::regclass)
      AND obj_description(c.oid, 'pg_class') !~ '^(Derived|Lock|Imports|Secret):'
      AND c.relnamespace = 'mountaineer'::regnamespace   -- not the tables other programs define (salt.*, pdns.*)
      AND NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'A_refuse_id_change'
                      AND t.tgfoid = 'mountaineer.refuse_id_change()'::regprocedure AND t.tgenabled <> 'D')$$,
    'every inventory table refuses to change an id');

SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM member m JOIN pg_proc p ON p.oid = m.objid
    WHERE m.catalog = 'pg_proc'::regclass AND p.prorettype = 'trigger'::regtype
      AND has_function_privilege('public', p.oid, 'EXECUTE')$$,
    'no trigger function is executable by PUBLIC');

SELECT is_empty($$
    SELECT c.oid::regclass::text FROM member m JOIN pg_class c ON c.oid = m.objid
    WHERE m.catalog = 'pg_class'::regclass AND c.relkind IN ('r', 'v', 'm')
      AND obj_description(c.oid, 'pg_class') NOT LIKE 'Secret:%'
      AND NOT has_table_privilege('mountaineer_reader', c.oid, 'SELECT')$$,
    'the reader role may read every table and view (but the secret ones)');

SELECT is_empty($$
    SELECT c.oid::regclass::text || ' ' || r FROM member m JOIN pg_class c ON c.oid = m.objid,
           unnest(ARRAY['public', 'mountaineer_anon', 'mountaineer_reader', 'mountaineer_editor', 'mountaineer_admin']) r
    WHERE m.catalog = 'pg_class'::regclass AND c.relkind = 'r'
      AND obj_description(c.oid, 'pg_class') LIKE 'Secret:%'
      AND has_table_privilege(r, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')$$,
    'a secret table (the API secret login() signs with) is readable and writable by no role but its owner');

SELECT results_eq($$
    SELECT rolname::text COLLATE "C", rolcanlogin FROM pg_roles
     WHERE rolname IN ('mountaineer_admin', 'mountaineer_editor', 'mountaineer_reader') ORDER BY 1$$,
    $$VALUES ('mountaineer_admin' COLLATE "C", false), ('mountaineer_editor', false), ('mountaineer_reader', false)$$,
    'the three group roles exist and cannot log in (the roles of modules are their modules'' tests)');

SELECT ok(pg_has_role('mountaineer_admin', 'mountaineer_editor', 'MEMBER')
          AND pg_has_role('mountaineer_editor', 'mountaineer_reader', 'MEMBER')
          AND NOT pg_has_role('mountaineer_reader', 'mountaineer_editor', 'MEMBER'),
          'admin includes editor includes reader');

SELECT * FROM finish();
ROLLBACK;
