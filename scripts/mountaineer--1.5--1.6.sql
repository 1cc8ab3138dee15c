-- mountaineer 1.5 -> 1.6: import_rows() counts right under plpgsql_check's
-- profiler; tenants (for the NetBox migration, mountaineer_netbox).
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
    n_total   integer;
    n_in      integer := 0;
    n_up      integer := 0;
    n_rm      integer := 0;
    n         integer;
    known     text;
    gone_key  text;
    stage     text := 'pg_temp.mountaineer_import_stage';   -- by name: see the DROP below
    gone_id   uuid;
    msg       text;
    q         text;   -- built before EXECUTE: see the DROP below
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
    -- the statements on the staging table are dynamic: it exists only now
    EXECUTE format('SELECT count(*), count(*) FILTER (WHERE NOT present) FROM %s', stage) INTO n_total, n;
    IF n > 0 THEN
        q := format('INSERT INTO %s (id%s) SELECT s.id%s FROM %s s WHERE NOT s.present',
                    tbl,
                    (SELECT string_agg(', ' || quote_ident(c), '' ORDER BY c) FROM unnest(cols) c),
                    (SELECT string_agg(', (s.r).' || quote_ident(c), '' ORDER BY c) FROM unnest(cols) c),
                    stage);
        EXECUTE q;
        GET DIAGNOSTICS n_in = ROW_COUNT;
        EXECUTE format('INSERT INTO mountaineer.import_key (source, kind, key, row_id)
                        SELECT $1, $2, s.key, s.id FROM %s s WHERE NOT s.present
                        ON CONFLICT ON CONSTRAINT import_key_pkey DO NOTHING', stage)   -- a row deleted by hand keeps its key and id
            USING source, kind;
    END IF;
    IF cardinality(cols) > 0 THEN
        -- only the rows that differ: an unchanged re-import writes nothing.
        -- record_ne compares column by column with each type's default
        -- equality, as IS DISTINCT FROM does, but finds it by type, not by
        -- name on search_path (which has no mountaineer: rackspan's = is there)
        q := format('UPDATE %1$s t SET (%2$s) = ROW(%3$s) FROM %5$s s '
                    'WHERE s.present AND t.id = s.id AND pg_catalog.record_ne(ROW(%4$s), ROW(%3$s))',
                    tbl,
                    (SELECT string_agg(quote_ident(c), ', ' ORDER BY c) FROM unnest(cols) c),
                    (SELECT string_agg('(s.r).' || quote_ident(c), ', ' ORDER BY c) FROM unnest(cols) c),
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
                  WHERE k.source = $1 AND k.kind = $2 AND NOT EXISTS (SELECT FROM %s s WHERE s.key = k.key)
                  ORDER BY k.key', stage) USING source, kind LOOP
            BEGIN
                EXECUTE format('DELETE FROM %s WHERE id = $1', tbl) USING gone_id;
                GET DIAGNOSTICS n = ROW_COUNT;
                DELETE FROM mountaineer.import_key k
                 WHERE k.source = import_rows.source AND k.kind = import_rows.kind AND k.key = gone_key;
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
    EXECUTE format('DROP TABLE %s', stage);

    RETURN QUERY SELECT kind, n_in, n_up, n_total - n_in - n_up, n_rm;
END
$$;
-- End: import_rows under the profiler (1.6)

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
