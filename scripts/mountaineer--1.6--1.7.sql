-- mountaineer 1.6 -> 1.7: an import's prune is a set difference, never a
-- nested loop over the stage; import_digest, a column an import writes but
-- does not compare; login() signs the web interface's tokens;
-- api_pre_request() keeps internal helpers out of the REST API; a row
-- inserted without tags and attributes skips the attribute check;
-- refuse_delete_referenced() probes the referring tables in C and names
-- them (in PL/pgSQL) only when one has a row; log_update() finds a row's
-- changed columns in C (jsonb_changes()).
\echo Use "ALTER EXTENSION mountaineer UPDATE TO '1.7'" to load this file. \quit

-- == import digests (1.7) ==
-- (1.7) A digest of what an import read for a row: a column of this type
-- lets the importer skip, before checking or staging it, an object whose
-- source has not changed since it was written (mountaineer_k8s does).
CREATE DOMAIN mountaineer.import_digest AS bytea;
COMMENT ON DOMAIN mountaineer.import_digest IS
    'A digest of what an import read for a row (e.g. the SHA-256 of its source JSON), kept in a column of this type: import_rows() and import_staged() write it with the row''s other changes, and where the row has none yet, but a difference in it alone is no reason to write the row. An importer that finds an object''s digest unchanged may skip it.';

-- (1.7) Whether the batch's row b is to be written over the table's row t.
-- record_ne compares column by column with each type's default equality,
-- as IS DISTINCT FROM does, but finds it by type, not by name on
-- search_path (which has no mountaineer: rackspan's = is there).  An
-- import_digest column counts only where the table's row has none.
CREATE FUNCTION mountaineer.import_differs_sql(tbl regclass, cols text[], t text, b text) RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    compared text[];
    digests  text[];
BEGIN
    SELECT coalesce(array_agg(c ORDER BY c) FILTER (WHERE a.atttypid IS DISTINCT FROM 'mountaineer.import_digest'::regtype), '{}'),
           coalesce(array_agg(c ORDER BY c) FILTER (WHERE a.atttypid = 'mountaineer.import_digest'::regtype), '{}')
      INTO compared, digests
      FROM unnest(cols) c LEFT JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = c AND NOT a.attisdropped;
    RETURN coalesce(nullif(concat_ws(' OR ',
        CASE WHEN cardinality(compared) > 0 THEN format('pg_catalog.record_ne(ROW(%s), ROW(%s))',
            (SELECT string_agg(t || '.' || quote_ident(c), ', ' ORDER BY c) FROM unnest(compared) c),
            (SELECT string_agg(b || '.' || quote_ident(c), ', ' ORDER BY c) FROM unnest(compared) c)) END,
        (SELECT string_agg(format('(%1$s.%3$I IS NULL AND %2$s.%3$I IS NOT NULL)', t, b, c), ' OR ' ORDER BY c)
           FROM unnest(digests) c)), ''), 'false');
END
$$;
COMMENT ON FUNCTION mountaineer.import_differs_sql(regclass, text[], text, text) IS
    'Internal (import_rows, import_staged): the SQL of "the batch''s row b differs from the table''s row t" over the columns cols of tbl: any column but an import_digest one differs (IS DISTINCT FROM), or an import_digest column is NULL in t and not in b. It only builds the text.';
REVOKE EXECUTE ON FUNCTION mountaineer.import_differs_sql(regclass, text[], text, text) FROM PUBLIC;
-- import_rows() and import_staged() run with their caller's privileges
GRANT EXECUTE ON FUNCTION mountaineer.import_differs_sql(regclass, text[], text, text) TO mountaineer_editor;

-- What import_rows() and import_staged() share, once each has taken the
-- source's lock: the statement that stages its batch, each row once, with
-- its row id and whether it is new or differs (import_stage_sql()), and
-- then the writes of what is new or different, and the prune
-- (import_apply()).
CREATE OR REPLACE FUNCTION mountaineer.import_stage_sql(tbl regclass, cols text[], batch text) RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    differs   text;   -- the SQL of "the batch's row b differs from the table's row t"
BEGIN
    -- Each row of the batch once: its key's row id (one probe of
    -- import_key), whether that row is there and whether it differs (one
    -- probe of the table and one comparison of the two rows).  Only the
    -- rows new or different keep their values, to be written.
    differs := mountaineer.import_differs_sql(tbl, cols, 't', 'b');
    RETURN format($q$
        CREATE TEMP TABLE mountaineer_import_stage ON COMMIT DROP AS
        SELECT x._key, x._id, x._present, x._differs%1$s
          FROM (SELECT b.*, coalesce(k.row_id, gen_random_uuid()) AS _id, t.id IS NOT NULL AS _present,
                       t.id IS NOT NULL AND %2$s AS _differs
                  FROM (%3$s OFFSET 0) b
                  LEFT JOIN mountaineer.import_key k ON k.source = $1 AND k.kind = $2 AND k.key = b._key
                  LEFT JOIN %4$s t ON t.id = k.row_id
                OFFSET 0) x$q$,
        (SELECT string_agg(format(', CASE WHEN x._differs OR NOT x._present THEN x.%1$I END AS %1$I', c), '' ORDER BY c)
           FROM unnest(cols) c),
        differs, batch, tbl);
END
$$;
COMMENT ON FUNCTION mountaineer.import_stage_sql(regclass, text[], text) IS
    'Internal (import_rows, import_staged): the statement that stages a batch (the query batch, of _key and the columns cols of tbl, typed; $1 the source, $2 the kind) as the temporary table mountaineer_import_stage: each key''s row id, whether its row is there (_present) and differs (_differs), and the values of the rows to write. It only builds the text.';
REVOKE EXECUTE ON FUNCTION mountaineer.import_stage_sql(regclass, text[], text) FROM PUBLIC;
-- import_rows() and import_staged() run with their caller's privileges
GRANT EXECUTE ON FUNCTION mountaineer.import_stage_sql(regclass, text[], text) TO mountaineer_editor;

-- == import prune (1.7) ==
CREATE OR REPLACE FUNCTION mountaineer.import_apply(source text, kind text, tbl regclass, cols text[],
                                         prune boolean, on_prune jsonb)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, removed integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n_total   integer;
    n_new     integer;
    n_diff    integer;
    n_in      integer := 0;
    n_up      integer := 0;
    n_rm      integer := 0;
    n         integer;
    gone_key  text;
    gone_id   uuid;
    stage     text := 'pg_temp.mountaineer_import_stage';   -- by name: see the DROP below
    q         text;   -- built before EXECUTE: see the DROP below
BEGIN
    q := format('SELECT count(*), count(*) FILTER (WHERE NOT _present), count(*) FILTER (WHERE _differs) FROM %s', stage);
    EXECUTE q INTO n_total, n_new, n_diff;
    IF n_new > 0 THEN
        q := format('INSERT INTO %s (id%s) SELECT s._id%s FROM %s s WHERE NOT s._present',
                    tbl,
                    (SELECT string_agg(', ' || quote_ident(c), '' ORDER BY c) FROM unnest(cols) c),
                    (SELECT string_agg(', s.' || quote_ident(c), '' ORDER BY c) FROM unnest(cols) c),
                    stage);
        EXECUTE q;
        GET DIAGNOSTICS n_in = ROW_COUNT;
        q := format('INSERT INTO mountaineer.import_key (source, kind, key, row_id)
                     SELECT $1, $2, s._key, s._id FROM %s s WHERE NOT s._present
                     ON CONFLICT ON CONSTRAINT import_key_pkey DO NOTHING', stage);   -- a row deleted by hand keeps its key and id
        EXECUTE q USING source, kind;
    END IF;
    IF n_diff > 0 THEN
        -- only the rows that differ: an unchanged re-import writes nothing
        -- (compared again: a row may have changed since it was staged)
        q := format('UPDATE %1$s t SET (%2$s) = ROW(%3$s) FROM %5$s s '
                    'WHERE s._differs AND t.id = s._id AND (%4$s)',
                    tbl,
                    (SELECT string_agg(quote_ident(c), ', ' ORDER BY c) FROM unnest(cols) c),
                    (SELECT string_agg('s.' || quote_ident(c), ', ' ORDER BY c) FROM unnest(cols) c),
                    mountaineer.import_differs_sql(tbl, cols, 't', 's'),
                    stage);
        EXECUTE q;
        GET DIAGNOSTICS n_up = ROW_COUNT;
    END IF;

    IF prune THEN
        -- what the source no longer has: deleted, or given on_prune's values
        -- when other rows still refer to it (a foreign key refuses)
        -- (1.7) The keys gone are a set difference, EXCEPT, computed once
        -- (MATERIALIZED) and then looked up by import_key's primary key.
        -- The keys this transaction inserted are not in import_key's
        -- statistics, so the planner expects one and picks a nested loop:
        -- an anti-join would scan the stage once per key, and an EXCEPT
        -- not materialized would be walked once per key (50,000 keys:
        -- 2.5e9 steps either way).
        FOR gone_key, gone_id IN EXECUTE format(
                'WITH gone AS MATERIALIZED (
                     SELECT k.key FROM mountaineer.import_key k WHERE k.source = $1 AND k.kind = $2
                     EXCEPT SELECT s._key FROM %s s)
                 SELECT k.key, k.row_id
                   FROM gone g JOIN mountaineer.import_key k ON k.source = $1 AND k.kind = $2 AND k.key = g.key
                  ORDER BY k.key', stage) USING source, kind LOOP
            BEGIN
                EXECUTE format('DELETE FROM %s WHERE id = $1', tbl) USING gone_id;
                GET DIAGNOSTICS n = ROW_COUNT;
                DELETE FROM mountaineer.import_key k
                 WHERE k.source = import_apply.source AND k.kind = import_apply.kind AND k.key = gone_key;
            EXCEPTION WHEN foreign_key_violation THEN
                IF on_prune IS NULL THEN
                    RAISE;
                END IF;
                q := format('UPDATE %1$s t SET (%2$s) = ROW(%3$s) FROM jsonb_populate_record(NULL::%1$s, $2) p '
                            'WHERE t.id = $1 AND pg_catalog.record_ne(ROW(%4$s), ROW(%3$s))',
                            tbl,
                            (SELECT string_agg(quote_ident(c), ', ' ORDER BY c) FROM jsonb_object_keys(on_prune) c),
                            (SELECT string_agg('p.' || quote_ident(c), ', ' ORDER BY c) FROM jsonb_object_keys(on_prune) c),
                            (SELECT string_agg('t.' || quote_ident(c), ', ' ORDER BY c) FROM jsonb_object_keys(on_prune) c));
                EXECUTE q USING gone_id, on_prune;
                GET DIAGNOSTICS n = ROW_COUNT;
            END;
            n_rm := n_rm + n;
        END LOOP;
    END IF;
    -- Two quirks of plpgsql_check's profiler (make coverage): a regclass of
    -- a temporary table printed as its bare OID here, so the stage goes by
    -- name; and a subquery in an EXECUTE's own expression leaves its row
    -- count in ROW_COUNT when the statement touches none, so the statements
    -- counted are built into q first.
    q := format('DROP TABLE %s', stage);
    EXECUTE q;

    RETURN QUERY SELECT kind, n_in, n_up, n_total - n_in - n_up, n_rm;
END
$$;
-- End: import prune (1.7)

-- == sign-in (1.7) ==
-- login(): a database user's name and password in, a JWT for the REST API
-- out (src/sign_in.c), signed with the installation's secret, which
-- tools/api.sh setup stores here.  mountaineer_anon: the role of requests
-- without a token (the web interface's PostgREST), which may call login()
-- and nothing of the inventory.
DO $anon$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'mountaineer_anon') THEN
        CREATE ROLE mountaineer_anon NOLOGIN;
    END IF;
END
$anon$;
GRANT USAGE ON SCHEMA mountaineer TO mountaineer_anon;

CREATE TABLE mountaineer.api_secret (
    id     boolean PRIMARY KEY DEFAULT true CONSTRAINT api_secret_one_row CHECK (id),
    secret text NOT NULL CONSTRAINT api_secret_length CHECK (length(secret) >= 32)
);
COMMENT ON TABLE mountaineer.api_secret IS
    'Secret: the one row holding the REST API''s JWT secret (the text of .api/jwt-secret, put here by tools/api.sh setup), with which login() signs its tokens. Readable by no Mountaineer role: only login() (SECURITY DEFINER) reads it.';
COMMENT ON COLUMN mountaineer.api_secret.id IS 'Always true: the table has at most one row.';
COMMENT ON COLUMN mountaineer.api_secret.secret IS 'The HS256 key PostgREST verifies tokens with (jwt-secret), at least 32 characters.';
REVOKE ALL ON mountaineer.api_secret FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('mountaineer.api_secret', '');

CREATE FUNCTION mountaineer.login(username text, password text) RETURNS json
    AS 'MODULE_PATHNAME', 'mountaineer_login'
    LANGUAGE C VOLATILE STRICT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION mountaineer.login(text, text) IS
    'Sign-in: {"token": a JWT (HS256, the REST API''s secret) with role = the highest of mountaineer_admin, mountaineer_editor, mountaineer_reader the user is a member of, sub = username, exp = now + 8 hours}. The password is checked against the role''s own (SCRAM-SHA-256 or md5, VALID UNTIL honoured) by PostgreSQL''s code. An unknown user, a wrong password, a user without a password or without a Mountaineer role: 28P01 "invalid user name or password", the same for all. POST /rpc/login {"username","password"}; callable by everyone, the anonymous role too.';
GRANT EXECUTE ON FUNCTION mountaineer.login(text, text) TO PUBLIC;
-- End: sign-in (1.7)

-- == the API's pre-request check (1.7) ==
-- PostgREST (db-pre-request, tools/api.sh) calls this before each request,
-- as the request's role.  A helper that a caller's-rights function, a view
-- or a policy uses must stay executable by that caller, so privileges
-- cannot hide it; its COMMENT says it is internal, and this refuses a call
-- of it through /rpc/ (404, as for a function that does not exist).
CREATE FUNCTION mountaineer.is_internal_function(f regprocedure) RETURNS boolean
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(obj_description(f, 'pg_proc') ~ '^(Internal\M|For the row-level security policies|For refuse_delete_referenced\(\))', false)
$$;
COMMENT ON FUNCTION mountaineer.is_internal_function(regprocedure) IS
    'Internal: whether a function is a helper of other objects, not part of the API: its COMMENT begins "Internal", "For the row-level security policies" or "For refuse_delete_referenced()". What api_pre_request() and test/api.sh ask.';
GRANT EXECUTE ON FUNCTION mountaineer.is_internal_function(regprocedure) TO PUBLIC;

CREATE FUNCTION mountaineer.api_pre_request() RETURNS void
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fn text := substring(current_setting('request.path', true) FROM '^/rpc/([^/]+)/?$');
BEGIN
    IF fn IS NOT NULL AND EXISTS (
        SELECT FROM pg_proc p
        WHERE p.pronamespace = 'mountaineer'::regnamespace AND p.proname = fn
          AND mountaineer.is_internal_function(p.oid)) THEN
        RAISE EXCEPTION 'function mountaineer.% is internal: not part of the API', fn
            USING ERRCODE = 'undefined_function',
                  HINT = 'Call the function it serves (README, "Who may call what").';
    END IF;
END
$$;
COMMENT ON FUNCTION mountaineer.api_pre_request() IS
    'Internal: PostgREST''s db-pre-request. Refuses (42883, HTTP 404) a /rpc/ call of a function that is_internal_function() says is internal.';
GRANT EXECUTE ON FUNCTION mountaineer.api_pre_request() TO PUBLIC;
-- End: the API's pre-request check (1.7)

-- == attribute check skipped for plain rows (1.7) ==
-- (1.7) Whether a row inserted into tbl with no tags and no attributes
-- needs attributes_check() at all: only when a definition of tbl is
-- required or has a default.  C, answered once per backend and table
-- (src/attributes.c); attribute_definitions_changed drops the answers.
CREATE FUNCTION mountaineer.insert_needs_attributes(tbl regclass) RETURNS boolean
    AS 'MODULE_PATHNAME', 'mountaineer_insert_needs_attributes'
    LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;   -- keeps a backend-local cache
COMMENT ON FUNCTION mountaineer.insert_needs_attributes(regclass) IS
    'For the WHEN clause of attributes_check_insert: true when a definition of tbl (a table of schema mountaineer) is required or has a default, so that a row inserted without tags and attributes must still be checked; false for a table of another schema; 42P01 for no table. Cached per backend until attribute_definition changes.';

CREATE FUNCTION mountaineer.attribute_definitions_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'mountaineer_attribute_definitions_changed'
    LANGUAGE C;
COMMENT ON FUNCTION mountaineer.attribute_definitions_changed() IS
    'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE statement trigger on attribute_definition (restores included): drops every backend''s insert_needs_attributes() answers (a relcache invalidation of attribute_definition).';
REVOKE EXECUTE ON FUNCTION mountaineer.attribute_definitions_changed() FROM PUBLIC;
CREATE TRIGGER attribute_definitions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mountaineer.attribute_definition
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.attribute_definitions_changed();

CREATE OR REPLACE FUNCTION mountaineer.manage_attributes(tbl regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t text;
BEGIN
    SELECT relname::text INTO t FROM pg_class WHERE oid = tbl AND relnamespace = 'mountaineer'::regnamespace;
    IF t IS NULL THEN
        RAISE EXCEPTION 'manage_attributes: % is not a table of schema mountaineer', tbl
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('ALTER TABLE %s ADD COLUMN tags text[] NOT NULL DEFAULT ''{}'' CONSTRAINT %I CHECK (array_position(tags, NULL) IS NULL), '
                   'ADD COLUMN attributes jsonb NOT NULL DEFAULT ''{}'' CONSTRAINT %I CHECK (jsonb_typeof(attributes) = ''object'')',
                   tbl, t || '_tags_check', t || '_attributes_check');
    EXECUTE format('COMMENT ON COLUMN %s.tags IS %L', tbl,
                   'Names of tags (mountaineer.tag) the row carries; filter with tags @> ''{prod}'' (REST: ?tags=cs.{prod}), which uses an index.');
    EXECUTE format('COMMENT ON COLUMN %s.attributes IS %L', tbl,
                   format('Custom attributes: a JSON object whose keys and value types mountaineer.attribute_definition defines for %s (23514 otherwise); filter with attributes @> ''{"key": "value"}'' (REST: ?attributes=cs.{"key":"value"}), which uses an index.', t));
    EXECUTE format('CREATE INDEX %I ON %s USING gin (tags)', t || '_tags_idx', tbl);
    EXECUTE format('CREATE INDEX %I ON %s USING gin (attributes jsonb_path_ops)', t || '_attributes_idx', tbl);
    -- (1.7) a row without tags and attributes skips it unless a definition
    -- fills in or requires a key: no query per row
    EXECUTE format('CREATE TRIGGER attributes_check_insert BEFORE INSERT ON %s FOR EACH ROW '
                   'WHEN ((NEW.tags <> ''{}'' OR NEW.attributes <> ''{}'' OR mountaineer.insert_needs_attributes(%2$L)) '
                   'AND NOT mountaineer.restoring(%2$L)) EXECUTE FUNCTION mountaineer.attributes_check()', tbl, 'mountaineer.' || t);
    EXECUTE format('CREATE TRIGGER attributes_check_update AFTER UPDATE OF tags, attributes ON %s FOR EACH ROW '
                   'WHEN (OLD.tags IS DISTINCT FROM NEW.tags OR OLD.attributes IS DISTINCT FROM NEW.attributes) '
                   'EXECUTE FUNCTION mountaineer.attributes_check()', tbl);
END
$$;
COMMENT ON FUNCTION mountaineer.manage_attributes(regclass) IS
    'For module install scripts, once per inventory table (after manage_table()): adds the columns tags (text[] of tag names) and attributes (jsonb object) with their CHECKs <table>_tags_check and <table>_attributes_check, GIN indexes <table>_tags_idx and <table>_attributes_idx (jsonb_path_ops), and the row triggers attributes_check_insert (BEFORE INSERT, for a row without tags and attributes only when insert_needs_attributes()) and attributes_check_update (AFTER UPDATE OF tags, attributes).';
-- the tables already equipped get the new WHEN clause
DO $$
DECLARE
    tbl regclass;
    t   text;
BEGIN
    FOR tbl, t IN SELECT a, c.relname FROM mountaineer.attribute_tables() a JOIN pg_class c ON c.oid = a LOOP
        EXECUTE format('DROP TRIGGER attributes_check_insert ON %s', tbl);
        EXECUTE format('CREATE TRIGGER attributes_check_insert BEFORE INSERT ON %s FOR EACH ROW '
                       'WHEN ((NEW.tags <> ''{}'' OR NEW.attributes <> ''{}'' OR mountaineer.insert_needs_attributes(%2$L)) '
                       'AND NOT mountaineer.restoring(%2$L)) EXECUTE FUNCTION mountaineer.attributes_check()', tbl, 'mountaineer.' || t);
    END LOOP;
END
$$;
-- End: attribute check skipped for plain rows (1.7)

-- == foreign-key refusals probed in C (1.7) ==
-- (1.7) The check proper is C (src/referenced.c): per row, one saved index
-- probe per foreign key, and only when one finds a referring row this, the
-- 1.6 trigger's body, counts and names them and raises.  It runs as that
-- same trigger call (TG_RELID, TG_TABLE_NAME, OLD are the deleted row's).
CREATE FUNCTION mountaineer.refuse_delete_referenced_report() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fk     record;
    me     jsonb := to_jsonb(OLD);
    label  text;
    n      bigint;
    names  text[];
BEGIN
    FOR fk IN
        SELECT c.conrelid::regclass AS tbl, r.relname, a.attname AS col, f.attname AS refcol,
               format_type(a.atttypid, a.atttypmod) AS coltype
          FROM pg_constraint c
          JOIN pg_class r ON r.oid = c.conrelid
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[1]
         WHERE c.contype = 'f' AND c.confrelid = TG_RELID
           AND c.confdeltype IN ('r', 'a') AND cardinality(c.conkey) = 1
         ORDER BY r.relname, a.attname
    LOOP
        -- name the referring rows by what names them (hostname, name, a
        -- prefix, an address, a range); a row that has none (a join row) by
        -- what its other foreign key points at; else by slug
        label := mountaineer.row_label(fk.tbl, 't');
        IF label IS NULL THEN
            SELECT format('(SELECT %s FROM %s o WHERE o.%I = t.%I)', mountaineer.row_label(c.confrelid, 'o'),
                          c.confrelid::regclass, f.attname, a.attname)
              INTO label
              FROM pg_constraint c
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
              JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[1]
             WHERE c.contype = 'f' AND c.conrelid = fk.tbl AND cardinality(c.conkey) = 1 AND a.attname <> fk.col
               AND mountaineer.row_label(c.confrelid, 'o') IS NOT NULL
             ORDER BY c.conname LIMIT 1;
        END IF;
        label := coalesce(label, format('t.%I::text', CASE WHEN EXISTS (SELECT FROM pg_attribute WHERE attrelid = fk.tbl AND attname = 'slug' AND NOT attisdropped) THEN 'slug' ELSE fk.col END));
        EXECUTE format('SELECT count(*), (array_agg(l ORDER BY l))[1:10] FROM (SELECT %s AS l FROM %s t WHERE t.%I = $1::%s) q',
                       label, fk.tbl, fk.col, fk.coltype)
           INTO n, names USING me ->> fk.refcol::text;
        IF n > 0 THEN
            RAISE EXCEPTION '% % cannot be deleted: % % row(s) refer to it: %',
                TG_TABLE_NAME, mountaineer.excerpt(coalesce(me ->> 'hostname', me ->> 'name', me ->> 'id')), n, fk.relname,
                array_to_string(names, ', ') || CASE WHEN n > 10 THEN ', ...' ELSE '' END
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('%s.%s refers to %s.%s.', fk.relname, fk.col, TG_TABLE_NAME, fk.refcol),
                      HINT = 'Move or delete those rows first.';
        END IF;
    END LOOP;
    RETURN OLD;
END
$$;
COMMENT ON FUNCTION mountaineer.refuse_delete_referenced_report() IS
    'Internal: run by refuse_delete_referenced() as its own trigger call once a referring row is found: refuses (23503) to delete the row, naming up to ten referring rows of the first foreign key (in table and column order) that has any, by row_label() (a join row by what it joins).';
REVOKE EXECUTE ON FUNCTION mountaineer.refuse_delete_referenced_report() FROM PUBLIC;

CREATE OR REPLACE FUNCTION mountaineer.refuse_delete_referenced() RETURNS trigger
    AS 'MODULE_PATHNAME', 'mountaineer_refuse_delete_referenced'
    LANGUAGE C
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION mountaineer.refuse_delete_referenced() IS
    'AFTER DELETE row trigger for inventory tables (name it so it sorts before "RI_..."): refuses to delete a row that other rows still refer to through a RESTRICT or NO ACTION foreign key, naming up to ten of them by row_label() (a join row by what it joins). C: per row one index probe per such key (kept per backend and table until a relcache invalidation of the table); refuse_delete_referenced_report() names them. 39P01 when not called as an AFTER DELETE row trigger.';
REVOKE EXECUTE ON FUNCTION mountaineer.refuse_delete_referenced() FROM PUBLIC;
-- End: foreign-key refusals probed in C (1.7)

-- == update changes found in C (1.7) ==
-- (1.7) What an update changed, for log_update(): the keys of the old row
-- whose value the new row does not hold (jsonb equality), with the old
-- values (before) and the new ones (after); both NULL when nothing changed.
-- C (src/changes.c): the jsonb_each() and two jsonb_object_agg() it
-- replaces cost about 5 µs a row.
CREATE FUNCTION mountaineer.jsonb_changes(old jsonb, new jsonb, OUT before jsonb, OUT after jsonb)
    RETURNS record
    AS '$libdir/mountaineer', 'mountaineer_jsonb_changes'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.jsonb_changes(jsonb, jsonb) IS
    'Internal (1.7), for log_update(): of two JSON objects (a row before and after an update), the keys of the first whose value the second does not hold, with their old values (before) and new ones (after, JSON null for a key the second lacks); both NULL when they agree on every key of the first.';
REVOKE EXECUTE ON FUNCTION mountaineer.jsonb_changes(jsonb, jsonb) FROM PUBLIC;

CREATE FUNCTION mountaineer.log_update_full() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET jit = off
AS $$
#variable_conflict use_variable
DECLARE
    who     text := mountaineer.actor();
    role    text := mountaineer.acting_role();
    old_row jsonb;
    new_row jsonb;
    b       jsonb;
    a       jsonb;
    n       bigint;
    ids     uuid[];
    touched bigint;
    id_changed boolean;
BEGIN
    IF TG_WHEN <> 'AFTER' OR TG_LEVEL <> 'STATEMENT' OR TG_OP <> 'UPDATE' THEN
        RAISE EXCEPTION 'log_update() must be an AFTER UPDATE ... REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT trigger (on %.%)',
            TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;
    END IF;
    touched := (SELECT count(*) FROM old_rows);
    IF touched = 0 THEN
        RETURN NULL;
    ELSIF touched = 1 THEN
        SELECT to_jsonb(o), to_jsonb(r) INTO old_row, new_row FROM old_rows o, new_rows r;
        id_changed := old_row -> 'id' IS DISTINCT FROM new_row -> 'id';
    ELSE
        id_changed := EXISTS (SELECT FROM old_rows o FULL JOIN new_rows r ON r.id = o.id WHERE o.id IS NULL OR r.id IS NULL);
    END IF;
    IF id_changed THEN                  -- "A_refuse_id_change" refuses it first
        RAISE EXCEPTION 'log_update() cannot record a change of id (on %.%)', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'generated_always',
                  HINT = 'Ids are permanent: the change log pairs old and new rows by id. Attach "A_refuse_id_change" with log_update(), as manage_table() does.';
    END IF;
    IF old_row IS NOT NULL THEN         -- one row
        SELECT d.before, d.after INTO b, a FROM mountaineer.jsonb_changes(old_row, new_row) d;
        IF b IS NULL THEN
            RETURN NULL;                -- nothing changed: nothing to record
        END IF;
        ids := ARRAY[(new_row ->> 'id')::uuid];
        INSERT INTO mountaineer.change (actor, schema_name, table_name, row_id, op, before, after, login, db_role)
        VALUES (who, TG_TABLE_SCHEMA, TG_TABLE_NAME, ids[1], 'update', b, a, session_user, role);
        n := 1;
    ELSE
        -- only the rows that changed, and of them only the changed columns
        WITH logged AS (
            INSERT INTO mountaineer.change (actor, schema_name, table_name, row_id, op, before, after, login, db_role)
            SELECT who, TG_TABLE_SCHEMA, TG_TABLE_NAME, j.id, 'update', d.before, d.after, session_user, role
              FROM (SELECT o.id, to_jsonb(o) AS oj, to_jsonb(r) AS nj
                      FROM old_rows o FULL JOIN new_rows r ON r.id = o.id
                    OFFSET 0) j                    -- each row's jsonb made once
             CROSS JOIN LATERAL mountaineer.jsonb_changes(j.oj, j.nj) d
             WHERE j.oj <> j.nj
             ORDER BY j.id
            RETURNING row_id)
        SELECT count(*), (SELECT array_agg(f.row_id) FROM (SELECT l.row_id FROM logged l LIMIT 205) f)
          INTO n, ids
          FROM logged;
    END IF;
    IF n > 0 THEN
        PERFORM pg_notify('mountaineer', mountaineer.change_payload(TG_TABLE_NAME, 'update', n, ids));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.log_update_full() IS
    'Internal (1.7): log_update() as PL/pgSQL, one INSERT ... SELECT for the whole statement, which log_update() runs as its own trigger call for a statement of more than 64 rows, or whenever it cannot write the rows itself exactly as this would.';
REVOKE EXECUTE ON FUNCTION mountaineer.log_update_full() FROM PUBLIC;
-- End: update changes found in C (1.7)

-- The outbox's writer lock in C (1.7, src/outbox.c): the same steps as the
-- PL/pgSQL, which cost about 25 µs on every statement that writes the
-- change log.
CREATE OR REPLACE FUNCTION mountaineer.outbox_writer_lock() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_outbox_writer_lock';


-- == the change-log triggers in C (1.7) ==
-- the PL/pgSQL of log_insert() and log_delete(), now log_insert_full() and
-- log_delete_full() (log_update_full() is above), which the C runs for
-- statements of more than 64 rows and wherever it cannot write the rows
-- itself exactly as the PL/pgSQL would (src/change_log.c says when)
CREATE FUNCTION mountaineer.log_insert_full() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET jit = off
AS $$
#variable_conflict use_variable
DECLARE
    who  text := mountaineer.actor();
    role text := mountaineer.acting_role();
    n    bigint;
    ids  uuid[];
BEGIN
    IF TG_WHEN <> 'AFTER' OR TG_LEVEL <> 'STATEMENT' OR TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'log_insert() must be an AFTER INSERT ... REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT trigger (on %.%)',
            TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- restored rows' history arrives with them, in mountaineer.change
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;
    END IF;
    WITH logged AS (
        INSERT INTO mountaineer.change (actor, schema_name, table_name, row_id, op, after, login, db_role)
        SELECT who, TG_TABLE_SCHEMA, TG_TABLE_NAME, r.id, 'insert', to_jsonb(r), session_user, role
          FROM new_rows r
         ORDER BY r.id
        RETURNING row_id)
    SELECT count(*), (SELECT array_agg(f.row_id) FROM (SELECT l.row_id FROM logged l LIMIT 205) f)
      INTO n, ids
      FROM logged;
    IF n > 0 THEN
        PERFORM pg_notify('mountaineer', mountaineer.change_payload(TG_TABLE_NAME, 'insert', n, ids));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.log_insert_full() IS
    'Internal (1.7): log_insert() as PL/pgSQL, one INSERT ... SELECT for the whole statement, which log_insert() runs as its own trigger call for a statement of more than 64 rows, or whenever it cannot write the rows itself exactly as this would.';
REVOKE EXECUTE ON FUNCTION mountaineer.log_insert_full() FROM PUBLIC;
CREATE FUNCTION mountaineer.log_delete_full() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET jit = off
AS $$
#variable_conflict use_variable
DECLARE
    who  text := mountaineer.actor();
    role text := mountaineer.acting_role();
    n    bigint;
    ids  uuid[];
BEGIN
    IF TG_WHEN <> 'AFTER' OR TG_LEVEL <> 'STATEMENT' OR TG_OP <> 'DELETE' THEN
        RAISE EXCEPTION 'log_delete() must be an AFTER DELETE ... REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT trigger (on %.%)',
            TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;
    END IF;
    WITH logged AS (
        INSERT INTO mountaineer.change (actor, schema_name, table_name, row_id, op, before, login, db_role)
        SELECT who, TG_TABLE_SCHEMA, TG_TABLE_NAME, r.id, 'delete', to_jsonb(r), session_user, role
          FROM old_rows r
         ORDER BY r.id
        RETURNING row_id)
    SELECT count(*), (SELECT array_agg(f.row_id) FROM (SELECT l.row_id FROM logged l LIMIT 205) f)
      INTO n, ids
      FROM logged;
    IF n > 0 THEN
        PERFORM pg_notify('mountaineer', mountaineer.change_payload(TG_TABLE_NAME, 'delete', n, ids));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.log_delete_full() IS
    'Internal (1.7): log_delete() as PL/pgSQL, one INSERT ... SELECT for the whole statement, which log_delete() runs as its own trigger call for a statement of more than 64 rows, or whenever it cannot write the rows itself exactly as this would.';
REVOKE EXECUTE ON FUNCTION mountaineer.log_delete_full() FROM PUBLIC;
-- (1.7) C (src/change_log.c): a statement of at most 64 rows has its change
-- rows written as COPY writes rows, with the values, order, lock and NOTIFY
-- of the PL/pgSQL above (log_insert_full(), log_update_full(),
-- log_delete_full()), which does every other statement: a one-row
-- statement paid about 100 µs for setting up its INSERT into change.
CREATE OR REPLACE FUNCTION mountaineer.log_insert() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_log_insert';
COMMENT ON FUNCTION mountaineer.log_insert() IS
    'AFTER INSERT ... REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT trigger (attached by manage_table() as log_insert): records every inserted row in mountaineer.change (after = the row) in order of id, with the claimed actor, the login and the acting role, and sends one NOTIFY mountaineer (change_payload()). (1.7) C for a statement of up to 64 rows; log_insert_full() does the others.';
REVOKE EXECUTE ON FUNCTION mountaineer.log_insert() FROM PUBLIC;
CREATE OR REPLACE FUNCTION mountaineer.log_update() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_log_update';
COMMENT ON FUNCTION mountaineer.log_update() IS
    'AFTER UPDATE ... REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT trigger (attached by manage_table() as log_update): records every row that changed in mountaineer.change (before and after = its changed columns, old and new values; a row that did not change, nothing) in order of id, and sends one NOTIFY mountaineer (change_payload()). Pairs old and new rows by id: the table must keep its ids ("A_refuse_id_change"). (1.7) C for a statement of up to 64 rows; log_update_full() does the others.';
REVOKE EXECUTE ON FUNCTION mountaineer.log_update() FROM PUBLIC;
CREATE OR REPLACE FUNCTION mountaineer.log_delete() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_log_delete';
COMMENT ON FUNCTION mountaineer.log_delete() IS
    'AFTER DELETE ... REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT trigger (attached by manage_table() as log_delete): records every deleted row in mountaineer.change (before = the row) in order of id, and sends one NOTIFY mountaineer (change_payload()). (1.7) C for a statement of up to 64 rows; log_delete_full() does the others.';
REVOKE EXECUTE ON FUNCTION mountaineer.log_delete() FROM PUBLIC;
-- End: the change-log triggers in C (1.7)

-- (1.7) actor() in C (src/audit.c): every change logged asks for it, and as
-- PL/pgSQL (with its SET search_path) it cost 3 to 5 µs a statement.
CREATE OR REPLACE FUNCTION mountaineer.actor() RETURNS text
    AS 'MODULE_PATHNAME', 'mountaineer_actor'
    LANGUAGE C STABLE PARALLEL SAFE;

-- (1.7) C (src/change_log.c), which the C triggers call directly: as
-- PL/pgSQL it cost a one-row statement about 5 µs.
CREATE OR REPLACE FUNCTION mountaineer.change_payload(table_name text, op text, n bigint, ids uuid[]) RETURNS text
    AS 'MODULE_PATHNAME', 'mountaineer_change_payload'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
