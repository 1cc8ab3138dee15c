-- mountaineer 1.4 -> 1.5: the model issue 12 asks for (device types, site
-- hierarchy, status, tags and attributes, circuits, VLAN groups, power).
\echo Use "ALTER EXTENSION mountaineer UPDATE TO '1.5'" to load this file. \quit


-- == tags and attributes (1.5) ==
-- End: tags and attributes (1.5)


-- == imports (1.5) ==
-- The one import mechanism the EC2, Kubernetes and NetBox imports share
-- (and any script of a site's own): import_rows() upserts a batch of rows
-- into one inventory table, keyed by the source's own key, writing only
-- what changed, and with prune removes what the source no longer has.
CREATE TABLE mountaineer.import_source (
    source     text NOT NULL CONSTRAINT import_source_source_check CHECK (source <> '' AND length(source) <= 200),
    kind       text NOT NULL CONSTRAINT import_source_kind_check CHECK (kind <> '' AND length(kind) <= 200),
    table_name text NOT NULL,
    CONSTRAINT import_source_pkey PRIMARY KEY (source, kind)
);
COMMENT ON TABLE mountaineer.import_source IS
    'Imports: each kind of object a source sends (e.g. source ''aws:eu-west-1'', kind ''instance'') and the table its rows go to; import_rows() locks this row, so imports of one kind from one source run one after the other.';
COMMENT ON COLUMN mountaineer.import_source.source IS 'Where the rows come from, as the importer names it (an account and region, a cluster, a NetBox database).';
COMMENT ON COLUMN mountaineer.import_source.kind IS 'What kind of object of that source (instance, vpc, node, dcim.device ...).';
COMMENT ON COLUMN mountaineer.import_source.table_name IS 'The table its rows are imported into, schema-qualified; one table per source and kind.';

CREATE TABLE mountaineer.import_key (
    source text NOT NULL,
    kind   text NOT NULL,
    key    text NOT NULL CONSTRAINT import_key_key_check CHECK (key <> '' AND length(key) <= 1000),
    row_id uuid NOT NULL,
    CONSTRAINT import_key_pkey PRIMARY KEY (source, kind, key),
    CONSTRAINT import_key_source_kind_fkey FOREIGN KEY (source, kind)
        REFERENCES mountaineer.import_source ON DELETE CASCADE
);
CREATE INDEX import_key_row_id_idx ON mountaineer.import_key (row_id);
COMMENT ON TABLE mountaineer.import_key IS
    'Imports: the map from a source''s own key of an object (an instance id, a pod uid, a NetBox id) to the id of the row it became, kept by import_rows(). A row deleted by hand keeps its entry: the next import makes it again with the same id.';
COMMENT ON COLUMN mountaineer.import_key.source IS 'The source, as in import_source.';
COMMENT ON COLUMN mountaineer.import_key.kind IS 'The kind of object, as in import_source.';
COMMENT ON COLUMN mountaineer.import_key.key IS 'The source''s key of the object.';
COMMENT ON COLUMN mountaineer.import_key.row_id IS 'The id of the row in import_source.table_name.';

SELECT pg_catalog.pg_extension_config_dump('mountaineer.import_source', '');
SELECT pg_catalog.pg_extension_config_dump('mountaineer.import_key', '');
GRANT SELECT ON mountaineer.import_source, mountaineer.import_key TO mountaineer_reader;
GRANT INSERT, UPDATE, DELETE ON mountaineer.import_source, mountaineer.import_key TO mountaineer_editor;

-- The columns a batch may set: every column of the table but id and the
-- generated ones.  NULL when the table has no such column.
CREATE FUNCTION mountaineer.import_columns(tbl regclass, names text[]) RETURNS text[]
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN (SELECT array_agg(n ORDER BY n) FROM unnest(names) n
             WHERE n <> 'id' AND EXISTS (SELECT FROM pg_attribute a
                                          WHERE a.attrelid = tbl AND a.attname = n AND a.attnum > 0
                                            AND NOT a.attisdropped AND a.attgenerated = ''));
COMMENT ON FUNCTION mountaineer.import_columns(regclass, text[]) IS
    'Internal (import_rows): of the given names, those that are columns of the table an import may set (not id, not generated), sorted.';
REVOKE EXECUTE ON FUNCTION mountaineer.import_columns(regclass, text[]) FROM PUBLIC;
-- import_rows() runs with its caller's privileges, so its callers need this too
GRANT EXECUTE ON FUNCTION mountaineer.import_columns(regclass, text[]) TO mountaineer_editor;

CREATE FUNCTION mountaineer.import_rows(source text, kind text, tbl regclass, rows jsonb,
                                        prune boolean DEFAULT false, on_prune jsonb DEFAULT NULL)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, removed integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad       record;
    cols      text[];
    names     text[];
    n_total   integer;
    n_in      integer := 0;
    n_up      integer := 0;
    n_rm      integer := 0;
    n         integer;
    known     text;
    gone      record;
    msg       text;
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
    SELECT array_agg(DISTINCT k ORDER BY k) INTO names
      FROM jsonb_array_elements(rows) e, jsonb_object_keys(e -> 'row') k;
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

    -- the batch, typed by the table's own row type, with the ids it maps to
    BEGIN
        EXECUTE format($q$
            CREATE TEMP TABLE mountaineer_import_stage ON COMMIT DROP AS
            SELECT e.v ->> 'key' AS key, coalesce(e.v ->> 'path', format('rows[%%s]', e.o - 1)) AS path,
                   coalesce(k.row_id, gen_random_uuid()) AS id,
                   k.row_id IS NOT NULL AND EXISTS (SELECT FROM %1$s t WHERE t.id = k.row_id) AS present,
                   jsonb_populate_record(NULL::%1$s, e.v -> 'row') AS r
              FROM jsonb_array_elements($1) WITH ORDINALITY AS e(v, o)
              LEFT JOIN mountaineer.import_key k
                     ON k.source = $2 AND k.kind = $3 AND k.key = e.v ->> 'key'$q$, tbl)
            USING rows, source, kind;
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
    SELECT count(*) INTO n_total FROM pg_temp.mountaineer_import_stage;

    IF EXISTS (SELECT FROM pg_temp.mountaineer_import_stage s WHERE NOT s.present) THEN
        EXECUTE format('INSERT INTO %s (id%s) SELECT s.id%s FROM pg_temp.mountaineer_import_stage s WHERE NOT s.present',
                       tbl,
                       (SELECT string_agg(', ' || quote_ident(c), '' ORDER BY c) FROM unnest(cols) c),
                       (SELECT string_agg(', (s.r).' || quote_ident(c), '' ORDER BY c) FROM unnest(cols) c));
        GET DIAGNOSTICS n_in = ROW_COUNT;
        INSERT INTO mountaineer.import_key (source, kind, key, row_id)
        SELECT import_rows.source, import_rows.kind, s.key, s.id FROM pg_temp.mountaineer_import_stage s WHERE NOT s.present
        ON CONFLICT ON CONSTRAINT import_key_pkey DO NOTHING;   -- a row deleted by hand keeps its key and id
    END IF;
    IF cardinality(cols) > 0 THEN
        -- only the rows that differ: an unchanged re-import writes nothing
        EXECUTE format('UPDATE %1$s t SET (%2$s) = ROW(%3$s) FROM pg_temp.mountaineer_import_stage s '
                       'WHERE s.present AND t.id = s.id AND ROW(%4$s) IS DISTINCT FROM ROW(%3$s)',
                       tbl,
                       (SELECT string_agg(quote_ident(c), ', ' ORDER BY c) FROM unnest(cols) c),
                       (SELECT string_agg('(s.r).' || quote_ident(c), ', ' ORDER BY c) FROM unnest(cols) c),
                       (SELECT string_agg('t.' || quote_ident(c), ', ' ORDER BY c) FROM unnest(cols) c));
        GET DIAGNOSTICS n_up = ROW_COUNT;
    END IF;

    IF prune THEN
        -- what the source no longer has: deleted, or given on_prune's values
        -- when other rows still refer to it (a foreign key refuses)
        FOR gone IN SELECT k.key, k.row_id FROM mountaineer.import_key k
                     WHERE k.source = import_rows.source AND k.kind = import_rows.kind
                       AND NOT EXISTS (SELECT FROM pg_temp.mountaineer_import_stage s WHERE s.key = k.key)
                     ORDER BY k.key LOOP
            BEGIN
                EXECUTE format('DELETE FROM %s WHERE id = $1', tbl) USING gone.row_id;
                GET DIAGNOSTICS n = ROW_COUNT;
                DELETE FROM mountaineer.import_key k
                 WHERE k.source = import_rows.source AND k.kind = import_rows.kind AND k.key = gone.key;
            EXCEPTION WHEN foreign_key_violation THEN
                IF on_prune IS NULL THEN
                    RAISE;
                END IF;
                EXECUTE format('UPDATE %1$s t SET (%2$s) = ROW(%3$s) FROM jsonb_populate_record(NULL::%1$s, $2) p '
                               'WHERE t.id = $1 AND ROW(%4$s) IS DISTINCT FROM ROW(%3$s)',
                               tbl,
                               (SELECT string_agg(quote_ident(c), ', ' ORDER BY c) FROM jsonb_object_keys(on_prune) c),
                               (SELECT string_agg('p.' || quote_ident(c), ', ' ORDER BY c) FROM jsonb_object_keys(on_prune) c),
                               (SELECT string_agg('t.' || quote_ident(c), ', ' ORDER BY c) FROM jsonb_object_keys(on_prune) c))
                    USING gone.row_id, on_prune;
                GET DIAGNOSTICS n = ROW_COUNT;
            END;
            n_rm := n_rm + n;
        END LOOP;
    END IF;
    DROP TABLE pg_temp.mountaineer_import_stage;

    RETURN QUERY SELECT kind, n_in, n_up, n_total - n_in - n_up, n_rm;
END
$$;
COMMENT ON FUNCTION mountaineer.import_rows(text, text, regclass, jsonb, boolean, jsonb) IS
    'Imports a batch of rows of one kind from one source into a table: rows is a JSON array of {"key": the source''s key, "row": {column: value}, "path": where it was in the source document (for errors)}. A new key inserts a row (the columns not given take their defaults); a known one updates only the columns that differ (an unchanged re-import writes nothing: no change-log row, no NOTIFY). With prune, the rows of keys absent from the batch are deleted, or, when another row refers to one and on_prune is given, updated with on_prune''s values (e.g. {"status": "offline"}). One import per source and kind at a time; returns one row: the kind and how many rows were inserted, updated, unchanged and removed.';
REVOKE EXECUTE ON FUNCTION mountaineer.import_rows(text, text, regclass, jsonb, boolean, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.import_rows(text, text, regclass, jsonb, boolean, jsonb) TO mountaineer_editor;
-- End: imports (1.5)
