-- mountaineer 1.0 -> 1.1: a plain pg_restore (or a pg_dump script run by
-- psql) restores every row: the change-log trigger stands aside while a
-- table is restored, instead of logging every restored row a second time.
\echo Use "ALTER EXTENSION mountaineer UPDATE TO '1.1'" to load this file. \quit

CREATE FUNCTION mountaineer.restoring(tbl regclass) RETURNS boolean
    AS 'MODULE_PATHNAME', 'mountaineer_restoring'
    LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;   -- reads the backend's running command
COMMENT ON FUNCTION mountaineer.restoring(regclass) IS
    'True while the running command restores rows of tbl from pg_dump output: COPY tbl FROM STDIN with check_function_bodies off (as pg_restore and pg_dump scripts set it), issued by a role that owns tbl. Inventory triggers skip their work then (WHEN (NOT mountaineer.restoring(...))): the rows arrive with their history and derived state.';

-- SECURITY DEFINER so that editors write the log only through this trigger
-- and never directly; session_user (not current_user) still names them.
CREATE OR REPLACE FUNCTION mountaineer.log_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    b       jsonb;
    a       jsonb;
    rid     uuid;
BEGIN
    IF TG_WHEN <> 'AFTER' OR TG_LEVEL <> 'ROW' THEN
        RAISE EXCEPTION 'log_change() must be an AFTER ... FOR EACH ROW trigger (on %.%)',
            TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- a restored row's history arrives with it, in mountaineer.change
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;
    END IF;

    IF TG_OP = 'INSERT' THEN
        new_row := to_jsonb(NEW);
        a := new_row;
    ELSIF TG_OP = 'DELETE' THEN
        old_row := to_jsonb(OLD);
        b := old_row;
    ELSE
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        SELECT jsonb_object_agg(o.key, o.value) INTO b
          FROM jsonb_each(old_row) o
         WHERE new_row -> o.key IS DISTINCT FROM o.value;
        IF b IS NULL THEN
            RETURN NULL;            -- nothing changed: nothing to record
        END IF;
        SELECT jsonb_object_agg(n.key, n.value) INTO a
          FROM jsonb_each(new_row) n
         WHERE old_row -> n.key IS DISTINCT FROM n.value;
    END IF;

    rid := (coalesce(new_row, old_row) ->> 'id')::uuid;
    IF rid IS NULL THEN
        RAISE EXCEPTION 'log_change() needs a uuid column "id" on %.%', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    INSERT INTO mountaineer.change (actor, schema_name, table_name, row_id, op, before, after)
    VALUES (mountaineer.actor(), TG_TABLE_SCHEMA, TG_TABLE_NAME, rid, lower(TG_OP), b, a);

    PERFORM pg_notify('mountaineer',
                      json_build_object('table', TG_TABLE_NAME, 'op', lower(TG_OP),
                                        'id', rid, 'slug', mountaineer.slug(rid))::text);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.log_change() IS
    'AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW trigger: records the change in mountaineer.change (an update only its changed columns, a no-op update nothing) and sends NOTIFY mountaineer {"table","op","id","slug"}.';
