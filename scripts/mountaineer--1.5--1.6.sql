-- mountaineer 1.5 -> 1.6: import_rows() counts right under plpgsql_check's
-- profiler; tenants (for the NetBox migration, mountaineer_netbox); imports
-- faster, and import_staged() for a batch in a table.
\echo Use "ALTER EXTENSION mountaineer UPDATE TO '1.6'" to load this file. \quit

-- == import_rows under the profiler (1.6) ==
CREATE OR REPLACE FUNCTION mountaineer.import_rows(source text, kind text, tbl regclass, rows jsonb,
                                        prune boolean DEFAULT false, on_prune jsonb DEFAULT NULL)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, removed integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad       record;
    cols      text[];
    names     text[];
    known     text;
    msg       text;
    q         text;
    state     text;
BEGIN
    IF source IS NULL OR kind IS NULL OR tbl IS NULL OR rows IS NULL OR prune IS NULL THEN
        RAISE EXCEPTION 'import_rows: source, kind, table, rows and prune must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF jsonb_typeof(rows) <> 'array' THEN
        RAISE EXCEPTION 'import_rows: rows must be a JSON array, not %', jsonb_typeof(rows)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF on_prune IS NOT NULL AND jsonb_typeof(on_prune) <> 'object' THEN
        RAISE EXCEPTION 'import_rows: on_prune must be a JSON object of columns and values, not %', jsonb_typeof(on_prune)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- every element {"key": "…", "row": {…}} with an optional "path"
    SELECT e.o - 1 AS i, e.v INTO bad
      FROM jsonb_array_elements(rows) WITH ORDINALITY AS e(v, o)
     WHERE jsonb_typeof(e.v) <> 'object'
        OR jsonb_typeof(e.v -> 'key') IS DISTINCT FROM 'string'
        OR e.v ->> 'key' = '' OR length(e.v ->> 'key') > 1000
        OR jsonb_typeof(e.v -> 'row') IS DISTINCT FROM 'object'
        OR jsonb_typeof(e.v -> 'path') NOT IN ('string', 'null')
        OR EXISTS (SELECT FROM jsonb_object_keys(e.v) k WHERE k NOT IN ('key', 'row', 'path'))
     ORDER BY e.o LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'import_rows: element % of rows is not {"key": a non-empty string, "row": an object, "path": an optional string}', bad.i
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT e.v ->> 'key' AS key, array_agg(coalesce(e.v ->> 'path', format('rows[%s]', e.o - 1)) ORDER BY e.o) AS at INTO bad
      FROM jsonb_array_elements(rows) WITH ORDINALITY AS e(v, o)
     GROUP BY 1 HAVING count(*) > 1 ORDER BY min(e.o) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'import_rows: key % of % appears more than once in one import (%)',
            mountaineer.excerpt(bad.key), mountaineer.excerpt(kind), array_to_string(bad.at[1:2], ' and ')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- the columns the batch sets, and those of on_prune: all must exist
    -- (the names hashed, not sorted: a batch of n rows has about n times
    -- the same few)
    SELECT array_agg(d.k ORDER BY d.k) INTO names
      FROM (SELECT DISTINCT k FROM jsonb_array_elements(rows) e, jsonb_object_keys(e -> 'row') k) d;
    names := coalesce(names, '{}');
    cols := coalesce(mountaineer.import_columns(tbl, names || coalesce(ARRAY(SELECT jsonb_object_keys(on_prune)), '{}')), '{}');
    SELECT u.name INTO known FROM unnest(names || coalesce(ARRAY(SELECT jsonb_object_keys(on_prune)), '{}')) AS u(name)
     WHERE u.name <> ALL (cols) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'import_rows: % has no column % that an import may set', tbl, mountaineer.excerpt(known)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'id and generated columns are set by the database.';
    END IF;
    cols := coalesce(mountaineer.import_columns(tbl, names), '{}');

    -- one import of a kind from a source at a time: the row lock on its
    -- import_source row (an advisory lock could be taken by anyone)
    INSERT INTO mountaineer.import_source AS s (source, kind, table_name)
    VALUES (import_rows.source, import_rows.kind, tbl::text) ON CONFLICT DO NOTHING;
    SELECT s.table_name INTO known FROM mountaineer.import_source s
     WHERE s.source = import_rows.source AND s.kind = import_rows.kind FOR NO KEY UPDATE;
    IF known <> tbl::text THEN
        RAISE EXCEPTION 'import_rows: % of % are imported into %, not %', mountaineer.excerpt(kind),
            mountaineer.excerpt(source), known, tbl
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- the batch, typed by the table's own row type (one record per
    -- element, taken apart into its columns once), staged
    q := 'SELECT e.v ->> ''key'' AS _key'
         || coalesce((SELECT string_agg(', r.' || quote_ident(c), '' ORDER BY c) FROM unnest(cols) c), '')
         || format(' FROM jsonb_array_elements($3) AS e(v), jsonb_populate_record(NULL::%s, e.v -> ''row'') AS r', tbl);
    q := mountaineer.import_stage_sql(tbl, cols, q);
    BEGIN
        EXECUTE q USING source, kind, rows;
    EXCEPTION WHEN data_exception THEN
        -- name the value at fault: try each one on its own
        GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
        FOR bad IN SELECT coalesce(e.v ->> 'path', format('rows[%s]', e.o - 1)) AS path, c.key AS col, c.value
                     FROM jsonb_array_elements(rows) WITH ORDINALITY AS e(v, o), jsonb_each(e.v -> 'row') c
                    ORDER BY e.o LOOP
            BEGIN
                EXECUTE format('SELECT jsonb_populate_record(NULL::%s, $1)', tbl) USING jsonb_build_object(bad.col, bad.value);
            EXCEPTION WHEN data_exception THEN
                GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
                RAISE EXCEPTION 'import_rows: %, column %: %', bad.path, bad.col, msg USING ERRCODE = state;
            END;
        END LOOP;
        RAISE EXCEPTION 'import_rows: %', msg USING ERRCODE = state;   -- no value is wrong on its own
    END;

    RETURN QUERY SELECT * FROM mountaineer.import_apply(source, kind, tbl, cols, prune, on_prune);
END
$$;
-- End: import_rows under the profiler (1.6)

-- == import speed (1.6) ==
-- What import_rows() and import_staged() share, once each has taken the
-- source's lock: the statement that stages its batch, each row once, with
-- its row id and whether it is new or differs (import_stage_sql()), and
-- then the writes of what is new or different, and the prune
-- (import_apply()).
CREATE FUNCTION mountaineer.import_stage_sql(tbl regclass, cols text[], batch text) RETURNS text
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
    -- record_ne compares column by column with each type's default
    -- equality, as IS DISTINCT FROM does, but finds it by type, not by name
    -- on search_path (which has no mountaineer: rackspan's = is there)
    differs := CASE WHEN cardinality(cols) = 0 THEN 'false' ELSE format('pg_catalog.record_ne(ROW(%s), ROW(%s))',
                   (SELECT string_agg('t.' || quote_ident(c), ', ' ORDER BY c) FROM unnest(cols) c),
                   (SELECT string_agg('b.' || quote_ident(c), ', ' ORDER BY c) FROM unnest(cols) c)) END;
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

CREATE FUNCTION mountaineer.import_apply(source text, kind text, tbl regclass, cols text[],
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
                    'WHERE s._differs AND t.id = s._id AND pg_catalog.record_ne(ROW(%4$s), ROW(%3$s))',
                    tbl,
                    (SELECT string_agg(quote_ident(c), ', ' ORDER BY c) FROM unnest(cols) c),
                    (SELECT string_agg('s.' || quote_ident(c), ', ' ORDER BY c) FROM unnest(cols) c),
                    (SELECT string_agg('t.' || quote_ident(c), ', ' ORDER BY c) FROM unnest(cols) c),
                    stage);
        EXECUTE q;
        GET DIAGNOSTICS n_up = ROW_COUNT;
    END IF;

    IF prune THEN
        -- what the source no longer has: deleted, or given on_prune's values
        -- when other rows still refer to it (a foreign key refuses)
        FOR gone_key, gone_id IN EXECUTE format(
                'SELECT k.key, k.row_id FROM mountaineer.import_key k
                  WHERE k.source = $1 AND k.kind = $2 AND NOT EXISTS (SELECT FROM %s s WHERE s._key = k.key)
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
COMMENT ON FUNCTION mountaineer.import_apply(text, text, regclass, text[], boolean, jsonb) IS
    'Internal (import_rows, import_staged): the writes of an import staged (import_stage_sql()) in the temporary table mountaineer_import_stage: inserts the new rows (the columns cols of tbl), updates those that differ, with prune removes the rows of keys not staged (or sets on_prune''s values where a foreign key refuses); drops the stage; returns the counts.';
REVOKE EXECUTE ON FUNCTION mountaineer.import_apply(text, text, regclass, text[], boolean, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.import_apply(text, text, regclass, text[], boolean, jsonb) TO mountaineer_editor;

-- import_rows() for a batch already in a table: the importer fills a
-- (temporary) table with one row per object, a column "key", optionally
-- "path", and columns named as the target's, of its types or of any type
-- that casts to them (text, jsonb, text[] …), and saves building a JSON
-- array only to be taken apart again.
CREATE FUNCTION mountaineer.import_staged(source text, kind text, tbl regclass, staged regclass,
                                          prune boolean DEFAULT false, on_prune jsonb DEFAULT NULL)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, removed integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    col       record;
    at        text;     -- where a row is, for a message
    dup_key   text;
    dup_at    text[];
    probe     text := 'pg_temp.mountaineer_import_probe';
    cols      text[];
    names     text[];
    known     text;
    has_path  boolean;
    src       text;   -- the staged relation, qualified, by name
    path_of   text;   -- the SQL of a staged row s's name in messages
    n         integer;
    lo        bigint;
    hi        bigint;
    mid       bigint;
    msg       text;
    q         text;
    state     text;
BEGIN
    IF source IS NULL OR kind IS NULL OR tbl IS NULL OR staged IS NULL OR prune IS NULL THEN
        RAISE EXCEPTION 'import_staged: source, kind, table, staged and prune must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF on_prune IS NOT NULL AND jsonb_typeof(on_prune) <> 'object' THEN
        RAISE EXCEPTION 'import_staged: on_prune must be a JSON object of columns and values, not %', jsonb_typeof(on_prune)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- its name, qualified (pg_temp for one's own temporary tables: the
    -- same in every session, unlike a regclass printed)
    SELECT CASE WHEN c.relpersistence = 't' THEN format('pg_temp.%I', c.relname)
                ELSE format('%I.%I', n.nspname, c.relname) END INTO src
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = staged;

    -- its columns: key (text), path (text, optional) and columns of tbl
    IF NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = staged AND a.attname = 'key'
                      AND a.atttypid = 'text'::regtype AND NOT a.attisdropped) THEN
        RAISE EXCEPTION 'import_staged: % has no column "key" of type text', src
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT a.atttypid = 'text'::regtype INTO has_path FROM pg_attribute a
     WHERE a.attrelid = staged AND a.attname = 'path' AND NOT a.attisdropped;
    IF NOT coalesce(has_path, true) THEN
        RAISE EXCEPTION 'import_staged: column "path" of % is not of type text', src
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    path_of := CASE WHEN has_path THEN 'coalesce(s.path, format(''key %s'', mountaineer.excerpt(s.key)))'
                    ELSE 'format(''key %s'', mountaineer.excerpt(s.key))' END;
    SELECT coalesce(array_agg(a.attname::text ORDER BY a.attname), '{}') INTO names FROM pg_attribute a
     WHERE a.attrelid = staged AND a.attnum > 0 AND NOT a.attisdropped AND a.attname NOT IN ('key', 'path');
    cols := coalesce(mountaineer.import_columns(tbl, names || coalesce(ARRAY(SELECT jsonb_object_keys(on_prune)), '{}')), '{}');
    SELECT u.name INTO known FROM unnest(names || coalesce(ARRAY(SELECT jsonb_object_keys(on_prune)), '{}')) AS u(name)
     WHERE u.name <> ALL (cols) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'import_staged: % has no column % that an import may set', tbl, mountaineer.excerpt(known)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'id and generated columns are set by the database; the staged table''s other columns are key and path.';
    END IF;
    cols := names;

    -- every key a non-empty string of at most 1000 characters, none twice
    q := format('SELECT %s AS at FROM %s s WHERE s.key IS NULL OR s.key = '''' OR length(s.key) > 1000 LIMIT 1',
                CASE WHEN has_path THEN 's.path' ELSE 'NULL::text' END, src);
    EXECUTE q INTO at;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        RAISE EXCEPTION 'import_staged: a row of % has a key that is NULL, empty or longer than 1000 characters%',
            src, coalesce(' (' || at || ')', '')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    q := format('SELECT s.key, array_agg(%s) AS at FROM %s s GROUP BY s.key HAVING count(*) > 1 LIMIT 1',
                CASE WHEN has_path THEN 's.path' ELSE 'NULL::text' END, src);
    EXECUTE q INTO dup_key, dup_at;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        RAISE EXCEPTION 'import_staged: key % of % appears more than once in one import%',
            mountaineer.excerpt(dup_key), mountaineer.excerpt(kind),
            coalesce(' (' || nullif(array_to_string(dup_at[1:2], ' and '), '') || ')', '')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- one import of a kind from a source at a time: the row lock on its
    -- import_source row (an advisory lock could be taken by anyone)
    INSERT INTO mountaineer.import_source AS s (source, kind, table_name)
    VALUES (import_staged.source, import_staged.kind, tbl::text) ON CONFLICT DO NOTHING;
    SELECT s.table_name INTO known FROM mountaineer.import_source s
     WHERE s.source = import_staged.source AND s.kind = import_staged.kind FOR NO KEY UPDATE;
    IF known <> tbl::text THEN
        RAISE EXCEPTION 'import_staged: % of % are imported into %, not %', mountaineer.excerpt(kind),
            mountaineer.excerpt(source), known, tbl
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- the batch, each value cast to its column's type (a no-op when the
    -- staged column has it already), staged
    q := format('SELECT s.key AS _key%1$s FROM %2$s s',
        (SELECT string_agg(format(', CAST(s.%1$I AS %2$s) AS %1$I', c,
                                  format_type(a.atttypid, a.atttypmod)), '' ORDER BY c)
           FROM unnest(cols) c JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = c),
        src);
    q := mountaineer.import_stage_sql(tbl, cols, q);
    BEGIN
        EXECUTE q USING source, kind;
    EXCEPTION WHEN data_exception THEN
        GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
        -- name the value at fault: the first column that does not cast,
        -- then, halving, its first row in the staged table's order
        q := format('CREATE TEMP TABLE mountaineer_import_probe ON COMMIT DROP AS SELECT row_number() OVER () AS mountaineer_n, %s AS mountaineer_at, s.* FROM %s s',
                    path_of, src);   -- its rows numbered, in the staged table's order
        EXECUTE q;
        FOR col IN SELECT c, format_type(a.atttypid, a.atttypmod) AS type
                     FROM unnest(cols) c JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = c
                     JOIN pg_attribute sa ON sa.attrelid = staged AND sa.attname = c
                    ORDER BY sa.attnum LOOP
            lo := 1;
            EXECUTE format('SELECT count(*) FROM %s', probe) INTO hi;
            BEGIN
                EXECUTE format('SELECT count(CAST(p.%I AS %s)) FROM %s p', col.c, col.type, probe);
                CONTINUE;   -- this column casts
            EXCEPTION WHEN data_exception THEN
                NULL;
            END;
            WHILE lo < hi LOOP
                mid := (lo + hi) / 2;
                BEGIN
                    EXECUTE format('SELECT count(CAST(p.%I AS %s)) FROM %s p WHERE p.mountaineer_n BETWEEN $1 AND $2',
                                   col.c, col.type, probe) USING lo, mid;
                    lo := mid + 1;
                EXCEPTION WHEN data_exception THEN
                    hi := mid;
                END;
            END LOOP;
            BEGIN
                EXECUTE format('SELECT CAST(p.%I AS %s) FROM %s p WHERE p.mountaineer_n = $1', col.c, col.type, probe)
                    USING lo;
            EXCEPTION WHEN data_exception THEN
                GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
                EXECUTE format('SELECT p.mountaineer_at FROM %s p WHERE p.mountaineer_n = $1', probe) INTO at USING lo;
                RAISE EXCEPTION 'import_staged: %, column %: %', at, col.c, msg USING ERRCODE = state;
            END;
        END LOOP;
        RAISE EXCEPTION 'import_staged: %', msg USING ERRCODE = state;   -- no value is wrong on its own
    END;

    RETURN QUERY SELECT * FROM mountaineer.import_apply(source, kind, tbl, cols, prune, on_prune);
END
$$;
COMMENT ON FUNCTION mountaineer.import_staged(text, text, regclass, regclass, boolean, jsonb) IS
    'import_rows() for a batch in a table: staged holds one row per object, its column key (text: the source''s key), optionally path (text: where it was in the source document, for errors) and columns named as tbl''s that the import sets, each of the column''s type or of one that casts to it (text, jsonb, text[] …). Same rules, counts and refusals as import_rows(); a value that does not cast is named by the row''s path (or key) and the column.';
REVOKE EXECUTE ON FUNCTION mountaineer.import_staged(text, text, regclass, regclass, boolean, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.import_staged(text, text, regclass, regclass, boolean, jsonb) TO mountaineer_editor;
-- End: import speed (1.6)

-- == tenants (1.6) ==
-- Whom a thing is for: a customer, a department, a project (NetBox's
-- tenancy). The modules' tables that NetBox gives a tenant carry tenant_id.
CREATE TABLE mountaineer.tenant (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL UNIQUE CONSTRAINT tenant_name_check CHECK (mountaineer.is_valid_name(name)),
    description text CONSTRAINT tenant_description_check CHECK (mountaineer.is_valid_name(description, 200))
);
COMMENT ON TABLE mountaineer.tenant IS
    'Whom a thing is for (a customer, a department, a project): sites, racks, devices, circuits, hosts, clusters, VRFs, prefixes, addresses, ranges, VLANs and AS numbers name theirs in tenant_id. A tenant that rows name cannot be deleted (23503, naming them).';
COMMENT ON COLUMN mountaineer.tenant.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.tenant.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.tenant.name IS 'Unique; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.tenant.description IS 'Free text, at most 200 characters.';
SELECT mountaineer.manage_table('mountaineer.tenant');
SELECT mountaineer.manage_attributes('mountaineer.tenant');
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.tenant
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();
-- End: tenants (1.6)
