-- mountaineer 1.1 -> 1.2: the change log records who really acted (the
-- login and the role in effect, beside the claimed actor), ids never change,
-- TRUNCATE is logged, messages quote at most a prefix of their input, a
-- delete refused for referring join rows names what they join, as_of() at
-- NULL is NULL, and helpers for the modules' names and upgrade checks.
\echo Use "ALTER EXTENSION mountaineer UPDATE TO '1.2'" to load this file. \quit

CREATE FUNCTION mountaineer.excerpt(text) RETURNS text
    AS 'MODULE_PATHNAME', 'mountaineer_excerpt'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.excerpt(text) IS
    'How messages quote input: the text in double quotes, or its first 64 characters, "..." and its length in characters when it is longer.';

CREATE FUNCTION mountaineer.is_valid_name(value text, max_length integer DEFAULT 100) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
RETURN pg_catalog.char_length(value) BETWEEN 1 AND max_length
   -- white space (a no-break space too) at either end; control characters;
   -- line and paragraph separators; zero-width, bidirectional and other
   -- invisible format characters, and the byte-order mark
   AND value !~ E'^[[:space:]\u00a0]|[[:space:]\u00a0]$|[[:cntrl:]\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]';
COMMENT ON FUNCTION mountaineer.is_valid_name(text, integer) IS
    'The shape of every name: 1 to max_length characters, no leading or trailing white space (no-break space included), no control characters (tabs, newlines), no line or paragraph separators, no invisible format characters (zero-width spaces and joiners, bidirectional controls, the byte-order mark). Used by the modules'' CHECK constraints, named <table>_<column>_check.';

CREATE FUNCTION mountaineer.acting_role() RETURNS text
    AS 'MODULE_PATHNAME', 'mountaineer_acting_role'
    LANGUAGE C STABLE PARALLEL SAFE;   -- a parallel worker acts as its leader's role
COMMENT ON FUNCTION mountaineer.acting_role() IS
    'The role whose privileges the session acts with outside any SECURITY DEFINER function: the login, or the role it switched to with SET ROLE (as PostgREST does per request). No setting changes it.';

-- For module upgrade scripts: a new rule is checked against the rows that
-- exist before it is added, and the upgrade stops naming those that break it.
CREATE FUNCTION mountaineer.upgrade_check(rule text, offenders text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n    bigint;
    shown text[];
BEGIN
    EXECUTE format('SELECT count(*), (array_agg(o ORDER BY o))[1:10] FROM (%s) q(o)', offenders)
       INTO n, shown;
    IF n > 0 THEN
        RAISE EXCEPTION 'cannot update: % existing row(s) break the new rule: %', n, rule
            USING ERRCODE = 'check_violation',
                  DETAIL = array_to_string(shown, E'\n') || CASE WHEN n > 10 THEN E'\n...' ELSE '' END,
                  HINT = 'Nothing was changed. Correct those rows, then run ALTER EXTENSION ... UPDATE again.';
    END IF;
END
$$;
COMMENT ON FUNCTION mountaineer.upgrade_check(text, text) IS
    'For upgrade scripts: runs the query offenders (one text column naming each row that breaks the rule) and, when it returns rows, stops the upgrade (23514) naming up to ten of them.';
REVOKE EXECUTE ON FUNCTION mountaineer.upgrade_check(text, text) FROM PUBLIC;

ALTER TABLE mountaineer.change
    ADD COLUMN login   text,
    ADD COLUMN db_role text;
COMMENT ON COLUMN mountaineer.change.actor IS 'Who claims to have made the change: mountaineer.actor() at the time (a JWT "sub" or the setting mountaineer.actor, which any client can set).';
COMMENT ON COLUMN mountaineer.change.login IS 'The login that authenticated (session_user), which no client can set; NULL for changes recorded before 1.2.';
COMMENT ON COLUMN mountaineer.change.db_role IS 'The role whose privileges made the change (mountaineer.acting_role(): the login, or the role it switched to, as PostgREST does); NULL for changes recorded before 1.2.';
ALTER TABLE mountaineer.change DROP CONSTRAINT change_op_check;
ALTER TABLE mountaineer.change ADD CONSTRAINT change_op_check CHECK (op IN ('insert', 'update', 'delete', 'truncate'));
COMMENT ON COLUMN mountaineer.change.op IS 'insert, update, delete, or truncate (a row removed by TRUNCATE: before is the whole row).';
ALTER TABLE mountaineer.change DROP CONSTRAINT change_check;
ALTER TABLE mountaineer.change ADD CONSTRAINT change_check CHECK ((before IS NULL) = (op = 'insert'));
ALTER TABLE mountaineer.change DROP CONSTRAINT change_check1;
ALTER TABLE mountaineer.change ADD CONSTRAINT change_check1 CHECK ((after IS NULL) = (op IN ('delete', 'truncate')));

-- SECURITY DEFINER so that editors write the log only through this trigger
-- and never directly; login and db_role are read from the session, not
-- from anything a client sets.
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

    INSERT INTO mountaineer.change (actor, schema_name, table_name, row_id, op, before, after, login, db_role)
    VALUES (mountaineer.actor(), TG_TABLE_SCHEMA, TG_TABLE_NAME, rid, lower(TG_OP), b, a,
            session_user, mountaineer.acting_role());

    PERFORM pg_notify('mountaineer',
                      json_build_object('table', TG_TABLE_NAME, 'op', lower(TG_OP),
                                        'id', rid, 'slug', mountaineer.slug(rid))::text);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.log_change() IS
    'AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW trigger: records the change in mountaineer.change (an update only its changed columns, a no-op update nothing) with the claimed actor, the login and the acting role, and sends NOTIFY mountaineer {"table","op","id","slug"}.';

-- Ids never change: the log, slugs and every reference name a row by its
-- id.  An AFTER trigger (a BEFORE UPDATE row trigger would make every
-- UPDATE of the table take the key-exclusive row lock, its generated slug
-- counting as updated), named to fire before the foreign keys' own
-- "RI_..." triggers so that this is the message a user gets.
CREATE FUNCTION mountaineer.refuse_id_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'the id of a % row cannot change', TG_TABLE_NAME
        USING ERRCODE = 'generated_always',
              DETAIL = format('Row %s would become %s.', OLD.id, NEW.id),
              HINT = 'Ids are permanent: the change log, slugs and references name rows by them. Insert a new row instead.';
END
$$;
COMMENT ON FUNCTION mountaineer.refuse_id_change() IS
    'AFTER UPDATE OF id row trigger of every inventory table, attached as "A_refuse_id_change" WHEN (OLD.id IS DISTINCT FROM NEW.id): refuses (428C9) to change a row''s id.';
REVOKE EXECUTE ON FUNCTION mountaineer.refuse_id_change() FROM PUBLIC;

-- TRUNCATE fires no row trigger; without this the rows would leave no trace.
CREATE FUNCTION mountaineer.log_truncate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    IF TG_WHEN <> 'BEFORE' OR TG_OP <> 'TRUNCATE' THEN
        RAISE EXCEPTION 'log_truncate() must be a BEFORE TRUNCATE trigger (on %.%)',
            TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('INSERT INTO mountaineer.change (actor, schema_name, table_name, row_id, op, before, login, db_role)
                    SELECT $1, $2, $3, t.id, ''truncate'', to_jsonb(t), $4, $5 FROM %I.%I t',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME)
      USING mountaineer.actor(), TG_TABLE_SCHEMA, TG_TABLE_NAME, session_user::text, mountaineer.acting_role();
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        PERFORM pg_notify('mountaineer', json_build_object('table', TG_TABLE_NAME, 'op', 'truncate')::text);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.log_truncate() IS
    'BEFORE TRUNCATE trigger of every inventory table: records every row it removes in mountaineer.change (op truncate, before = the row) and sends one NOTIFY mountaineer {"table","op":"truncate"}. Only the tables'' owner may TRUNCATE: the roles are granted INSERT, UPDATE and DELETE.';
REVOKE EXECUTE ON FUNCTION mountaineer.log_truncate() FROM PUBLIC;

DO $$
DECLARE
    t regclass;
BEGIN
    FOR t IN
        SELECT tgrelid::regclass FROM pg_catalog.pg_trigger
         WHERE tgname = 'log_change' AND tgfoid = 'mountaineer.log_change()'::regprocedure
         ORDER BY tgrelid
    LOOP
        EXECUTE format('CREATE TRIGGER log_truncate BEFORE TRUNCATE ON %s '
                       'FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_truncate()', t);
        EXECUTE format('CREATE TRIGGER "A_refuse_id_change" AFTER UPDATE OF id ON %s '
                       'FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION mountaineer.refuse_id_change()', t);
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION mountaineer.manage_table(tbl regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- keeps the rows in pg_dump; refuses outside CREATE/ALTER EXTENSION
    PERFORM pg_catalog.pg_extension_config_dump(tbl, '');
    EXECUTE format('CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION mountaineer.log_change()', tbl);
    EXECUTE format('CREATE TRIGGER log_truncate BEFORE TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_truncate()', tbl);
    EXECUTE format('CREATE TRIGGER "A_refuse_id_change" AFTER UPDATE OF id ON %s '
                   'FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION mountaineer.refuse_id_change()', tbl);
    EXECUTE format('GRANT SELECT ON %s TO mountaineer_reader', tbl);
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON %s TO mountaineer_editor', tbl);
END
$$;
COMMENT ON FUNCTION mountaineer.manage_table(regclass) IS
    'For module install scripts: registers an inventory table for pg_dump, attaches the change-log triggers (rows and TRUNCATE) and the one that keeps ids, and grants it to the three roles.';

CREATE OR REPLACE FUNCTION mountaineer.as_of(tbl regclass, id uuid, at timestamptz)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    state jsonb;
    c     record;
BEGIN
    EXECUTE format('SELECT to_jsonb(t) FROM %s t WHERE t.id = $1', tbl) INTO state USING $2;
    FOR c IN
        SELECT h.op, h.before
          FROM mountaineer.history($1, $2) h
         WHERE h.at > $3
         ORDER BY h.id DESC
    LOOP
        state := CASE c.op
                     WHEN 'insert' THEN NULL
                     WHEN 'update' THEN coalesce(state, '{}') || c.before
                     ELSE c.before          -- delete, truncate
                 END;
    END LOOP;
    RETURN state;
END
$$;
COMMENT ON FUNCTION mountaineer.as_of(regclass, uuid, timestamptz) IS
    'The row as it stood at that moment, as jsonb; NULL when it did not exist then (or when an argument is NULL).';

-- How messages name a row of tbl (aliased alias): an SQL expression over
-- its hostname, name, prefix, address or range, or NULL when it has none.
CREATE FUNCTION mountaineer.row_label(tbl regclass, alias text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN bool_or(attname = 'hostname') THEN format('%I.hostname::text', alias)
        WHEN bool_or(attname = 'name') THEN format('%I.name::text', alias)
        WHEN bool_or(attname = 'prefix') THEN format('%I.prefix::text', alias)
        WHEN bool_or(attname = 'address') THEN format('%I.address::text', alias)
        WHEN bool_or(attname = 'start_address') AND bool_or(attname = 'end_address')
            THEN format('host(%1$I.start_address) || '' - '' || host(%1$I.end_address)', alias)
    END
    FROM pg_attribute WHERE attrelid = tbl AND attnum > 0 AND NOT attisdropped
$$;
COMMENT ON FUNCTION mountaineer.row_label(regclass, text) IS
    'For refuse_delete_referenced(): the SQL expression (over the alias given) that names a row of the table in messages: its hostname, name, prefix, address or start - end range; NULL when it has none of them.';

CREATE OR REPLACE FUNCTION mountaineer.refuse_delete_referenced() RETURNS trigger
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
COMMENT ON FUNCTION mountaineer.refuse_delete_referenced() IS
    'AFTER DELETE row trigger for inventory tables (name it so it sorts before "RI_..."): refuses to delete a row that other rows still refer to through a RESTRICT or NO ACTION foreign key, naming up to ten of them by row_label() (a join row by what it joins).';
REVOKE EXECUTE ON FUNCTION mountaineer.refuse_delete_referenced() FROM PUBLIC;
