\set ON_ERROR_STOP true
\set QUIET true
-- mountaineer_salt: schema salt is exactly the schema the pgjsonb returner
-- documents (the "Use the following Pg database schema" block of
-- salt/returners/pgjsonb.py), compared in the catalogue with that schema
-- created here as Salt's documentation creates it: unqualified, in a
-- schema of its own on the search_path.  Columns (order, names, types,
-- NOT NULL, defaults), indexes (names, methods, columns, options),
-- constraints and the sequence.  And the Salt master's login is a plain
-- login: no attribute beyond LOGIN.
BEGIN;
SELECT plan(7);

CREATE SCHEMA tsalt_doc;
SET LOCAL search_path = tsalt_doc;
-- Salt's documented DDL (its CREATE DATABASE and DROP … IF EXISTS lines
-- left out: they make nothing)
CREATE TABLE jids (
   jid varchar(255) NOT NULL primary key,
   load jsonb NOT NULL
);
CREATE INDEX idx_jids_jsonb on jids USING gin (load) WITH (fastupdate=on);
CREATE TABLE salt_returns (
  fun varchar(50) NOT NULL,
  jid varchar(255) NOT NULL,
  return jsonb NOT NULL,
  id varchar(255) NOT NULL,
  success varchar(10) NOT NULL,
  full_ret jsonb NOT NULL,
  alter_time TIMESTAMP WITH TIME ZONE DEFAULT NOW());
CREATE INDEX idx_salt_returns_id ON salt_returns (id);
CREATE INDEX idx_salt_returns_jid ON salt_returns (jid);
CREATE INDEX idx_salt_returns_fun ON salt_returns (fun);
CREATE INDEX idx_salt_returns_return ON salt_returns USING gin (return) with (fastupdate=on);
CREATE INDEX idx_salt_returns_full_ret ON salt_returns USING gin (full_ret) with (fastupdate=on);
CREATE SEQUENCE seq_salt_events_id;
CREATE TABLE salt_events (
    id BIGINT NOT NULL UNIQUE DEFAULT nextval('seq_salt_events_id'),
    tag varchar(255) NOT NULL,
    data jsonb NOT NULL,
    alter_time TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    master_id varchar(255) NOT NULL);
CREATE INDEX idx_salt_events_tag on salt_events (tag);
CREATE INDEX idx_salt_events_data ON salt_events USING gin (data) with (fastupdate=on);
SET LOCAL search_path = public;

-- each catalogue fact of a schema, with the schema's name taken out of the
-- text (pg_get_* qualify names outside the search_path)
CREATE FUNCTION pg_temp.unqualified(s text, nsp name) RETURNS text LANGUAGE sql
    AS $$ SELECT replace(s, quote_ident(nsp) || '.', '') $$;
CREATE FUNCTION pg_temp.relations(nsp name) RETURNS TABLE (relname name, relkind "char", persistence "char")
    LANGUAGE sql AS $$
    SELECT c.relname, c.relkind, c.relpersistence FROM pg_class c
     WHERE c.relnamespace = nsp::regnamespace ORDER BY 1 $$;
CREATE FUNCTION pg_temp.columns(nsp name) RETURNS TABLE (relname name, attnum int2, attname name, type text, notnull boolean, def text)
    LANGUAGE sql AS $$
    SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
           pg_temp.unqualified(pg_get_expr(d.adbin, d.adrelid), nsp)
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
     WHERE c.relnamespace = nsp::regnamespace AND c.relkind = 'r' ORDER BY 1, 2 $$;
CREATE FUNCTION pg_temp.indexes(nsp name) RETURNS TABLE (indexname name, def text)
    LANGUAGE sql AS $$
    SELECT i.indexname, pg_temp.unqualified(i.indexdef, nsp) FROM pg_indexes i WHERE i.schemaname = nsp ORDER BY 1 $$;
CREATE FUNCTION pg_temp.constraints(nsp name) RETURNS TABLE (relname name, conname name, def text)
    LANGUAGE sql AS $$
    SELECT c.conrelid::regclass::text::name, c.conname, pg_get_constraintdef(c.oid)
      FROM pg_constraint c WHERE c.connamespace = nsp::regnamespace ORDER BY 2 $$;
CREATE FUNCTION pg_temp.sequences(nsp name) RETURNS TABLE (sequencename name, data_type regtype, start_value bigint,
                                                          min_value bigint, max_value bigint, increment_by bigint, cycle boolean, cache_size bigint)
    LANGUAGE sql AS $$
    SELECT s.sequencename, s.data_type, s.start_value, s.min_value, s.max_value, s.increment_by, s.cycle, s.cache_size
      FROM pg_sequences s WHERE s.schemaname = nsp ORDER BY 1 $$;

SELECT results_eq($$SELECT * FROM pg_temp.relations('salt')$$, $$SELECT * FROM pg_temp.relations('tsalt_doc')$$,
    'schema salt holds exactly the relations of Salt''s documented schema (tables, indexes, the sequence), logged');
SELECT results_eq($$SELECT * FROM pg_temp.columns('salt')$$, $$SELECT * FROM pg_temp.columns('tsalt_doc')$$,
    'its tables have exactly the documented columns, in order, with their types, NOT NULL and defaults');
-- not an empty comparison
SELECT is((SELECT count(*) FROM pg_temp.columns('salt')), 14::bigint, 'fourteen columns in three tables');
SELECT results_eq($$SELECT * FROM pg_temp.indexes('salt')$$, $$SELECT * FROM pg_temp.indexes('tsalt_doc')$$,
    'exactly the documented indexes (B-tree and GIN with fastupdate=on), by name');
SELECT results_eq($$SELECT relname, conname, def FROM pg_temp.constraints('salt')$$,
                  $$SELECT replace(relname, 'tsalt_doc.', 'salt.')::name, conname, def FROM pg_temp.constraints('tsalt_doc')$$,
    'exactly the documented constraints (jids_pkey, salt_events_id_key)');
SELECT results_eq($$SELECT * FROM pg_temp.sequences('salt')$$, $$SELECT * FROM pg_temp.sequences('tsalt_doc')$$,
    'the sequence seq_salt_events_id as documented');

SELECT results_eq($$SELECT rolcanlogin, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls
                      FROM pg_roles WHERE rolname = 'mountaineer_salt_master'$$,
    $$VALUES (true, false, true, false, false, false, false)$$,
    'the Salt master''s role is a login with no other attribute');

SELECT * FROM finish();
ROLLBACK;
