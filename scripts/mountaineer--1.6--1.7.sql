-- mountaineer 1.6 -> 1.7: an import's prune is a set difference, never a
-- nested loop over the stage.
\echo Use "ALTER EXTENSION mountaineer UPDATE TO '1.7'" to load this file. \quit

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
