-- mountaineer 1.7: the core of the Mountaineer operations inventory (1.5:
-- tags and custom attributes, manage_attributes() for the modules; 1.4: a
-- COMMENT on every column, for the REST API's OpenAPI document; 1.3: the
-- change log written once per statement, the event outbox, retention;
-- 1.6: tenants, imports faster and import_staged() for a batch in a table;
-- 1.7: an import's prune never quadratic, import_digest for the rows an
-- importer may skip).
\echo Use "CREATE EXTENSION mountaineer" to load this file. \quit

COMMENT ON SCHEMA mountaineer IS
    'Mountaineer operations inventory: racks, devices, cables, power, hosts, networks and their history.';

--------------------------------------------------------------------------
-- Roles: NOLOGIN groups that PostgREST and people switch into.  Roles are
-- cluster-wide, so they are created only when absent and survive DROP
-- EXTENSION.  Each level includes the one below it.
--------------------------------------------------------------------------
DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['mountaineer_reader', 'mountaineer_editor', 'mountaineer_admin'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END
$roles$;

GRANT mountaineer_reader TO mountaineer_editor;
GRANT mountaineer_editor TO mountaineer_admin;
GRANT USAGE ON SCHEMA mountaineer TO mountaineer_reader;

--------------------------------------------------------------------------
-- Slugs: the 22-character URL-safe form of a uuid (src/slug.c).
--------------------------------------------------------------------------
CREATE FUNCTION mountaineer.slug(uuid) RETURNS text
    AS 'MODULE_PATHNAME', 'mountaineer_slug'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.slug(uuid) IS
    'The 22-character URL-safe base64 (A-Z a-z 0-9 - _, no padding) of a uuid; slug_uuid() is its inverse.';

CREATE FUNCTION mountaineer.slug_uuid(text) RETURNS uuid
    AS 'MODULE_PATHNAME', 'mountaineer_slug_uuid'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.slug_uuid(text) IS
    'The uuid a slug stands for; anything but 22 characters of A-Z a-z 0-9 - _ naming exactly 128 bits is refused (22P02).';

--------------------------------------------------------------------------
-- Messages, names, upgrades.
--------------------------------------------------------------------------
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

--------------------------------------------------------------------------
-- Who is acting.
--------------------------------------------------------------------------
-- (1.7) C (src/audit.c): every change logged asks for it, and as PL/pgSQL
-- (with its SET search_path) it cost 3 to 5 µs a statement.
CREATE FUNCTION mountaineer.actor() RETURNS text
    AS 'MODULE_PATHNAME', 'mountaineer_actor'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.actor() IS
    'Who is acting: the "sub" claim of request.jwt.claims (set by PostgREST), else the setting mountaineer.actor, else session_user.';

--------------------------------------------------------------------------
-- Restores (src/restore.c): the triggers of every Mountaineer table stand
-- aside while pg_restore, or psql running a pg_dump script, loads that
-- table as its owner, as PostgreSQL's own triggers are created only after
-- a restored table's rows.
--------------------------------------------------------------------------
CREATE FUNCTION mountaineer.restoring(tbl regclass) RETURNS boolean
    AS 'MODULE_PATHNAME', 'mountaineer_restoring'
    LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;   -- reads the backend's running command
COMMENT ON FUNCTION mountaineer.restoring(regclass) IS
    'True while the running command restores rows of tbl from pg_dump output: COPY tbl FROM STDIN with check_function_bodies off (as pg_restore and pg_dump scripts set it), issued by a role that owns tbl. Inventory triggers skip their work then (WHEN (NOT mountaineer.restoring(...))): the rows arrive with their history and derived state.';

--------------------------------------------------------------------------
-- The change log.
--------------------------------------------------------------------------
CREATE TABLE mountaineer.change (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    txid        bigint      NOT NULL DEFAULT txid_current(),
    actor       text        NOT NULL,
    schema_name text        NOT NULL,
    table_name  text        NOT NULL,
    row_id      uuid        NOT NULL,
    op          text        NOT NULL CONSTRAINT change_op_check CHECK (op IN ('insert', 'update', 'delete', 'truncate')),
    before      jsonb,
    after       jsonb,
    login       text,
    db_role     text,
    CONSTRAINT change_check CHECK ((before IS NULL) = (op = 'insert')),
    CONSTRAINT change_check1 CHECK ((after IS NULL) = (op IN ('delete', 'truncate')))
);
CREATE INDEX change_row_idx ON mountaineer.change (row_id, id);
CREATE INDEX change_at_idx ON mountaineer.change USING brin (at);

COMMENT ON TABLE mountaineer.change IS
    'Every insert, update, delete and truncate of every inventory row, written by the triggers log_insert(), log_update(), log_delete() and log_truncate() (or log_change(), row by row, on a table that carries it). Read with history() and as_of().';
COMMENT ON COLUMN mountaineer.change.at IS 'Start of the writing transaction (all changes of one transaction share it).';
COMMENT ON COLUMN mountaineer.change.txid IS 'The writing transaction''s id (txid_current()).';
COMMENT ON COLUMN mountaineer.change.schema_name IS 'Schema of the changed table.';
COMMENT ON COLUMN mountaineer.change.table_name IS 'Name of the changed table, without schema.';
COMMENT ON COLUMN mountaineer.change.row_id IS 'The changed row''s id.';
COMMENT ON COLUMN mountaineer.change.before IS 'delete: the whole row; update: only the changed columns, old values; insert: NULL.';
COMMENT ON COLUMN mountaineer.change.after IS 'insert: the whole row; update: only the changed columns, new values; delete: NULL.';
COMMENT ON COLUMN mountaineer.change.actor IS 'Who claims to have made the change: mountaineer.actor() at the time (a JWT "sub" or the setting mountaineer.actor, which any client can set).';
COMMENT ON COLUMN mountaineer.change.login IS 'The login that authenticated (session_user), which no client can set; NULL for changes recorded before 1.2.';
COMMENT ON COLUMN mountaineer.change.db_role IS 'The role whose privileges made the change (mountaineer.acting_role(): the login, or the role it switched to, as PostgREST does); NULL for changes recorded before 1.2.';
COMMENT ON COLUMN mountaineer.change.op IS 'insert, update, delete, or truncate (a row removed by TRUNCATE: before is the whole row).';

SELECT pg_catalog.pg_extension_config_dump('mountaineer.change', '');
SELECT pg_catalog.pg_extension_config_dump('mountaineer.change_id_seq', '');

GRANT SELECT ON mountaineer.change TO mountaineer_reader;
GRANT DELETE ON mountaineer.change TO mountaineer_admin;

-- SECURITY DEFINER so that editors write the log only through this trigger
-- and never directly; login and db_role are read from the session, not
-- from anything a client sets.
CREATE FUNCTION mountaineer.log_change() RETURNS trigger
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
    'AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW trigger, for tables that attach it themselves (manage_table() attaches log_insert(), log_update() and log_delete() instead, which record the same once per statement): records the change in mountaineer.change (an update only its changed columns, a no-op update nothing) with the claimed actor, the login and the acting role, and sends NOTIFY mountaineer {"table","op","id","slug"}.';

REVOKE EXECUTE ON FUNCTION mountaineer.log_change() FROM PUBLIC;

-- The change log, set-based (1.3): one statement-level trigger per
-- operation, since PostgreSQL gives transition tables only to triggers on
-- one event.  Each records all of its statement's rows with one INSERT ...
-- SELECT in order of row id (so within a statement, change ids follow the
-- rows' uuids), and sends one notification for them (change_payload()).
-- manage_table() attaches them; SECURITY DEFINER for the reason log_change()
-- is.  They find who acts once per statement.  A plan is made once and
-- serves statements of every size, so no JIT: compiled for a large
-- statement, it would be compiled again for every small one after it.
-- Every column their queries read is qualified, and a variable wins over a
-- table's column of its name (#variable_conflict), so any table may carry
-- them.
-- (1.7) C (src/change_log.c), which the C triggers call directly: as
-- PL/pgSQL it cost a one-row statement about 5 µs.
CREATE FUNCTION mountaineer.change_payload(table_name text, op text, n bigint, ids uuid[]) RETURNS text
    AS 'MODULE_PATHNAME', 'mountaineer_change_payload'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.change_payload(text, text, bigint, uuid[]) IS
    'For the change-log triggers: the NOTIFY mountaineer payload for n changed rows of a table (ids: their ids, or the first of them): {"table","op","id","slug"} for one row, else {"table","op","count","ids"} with as many ids as fit in 8000 bytes and "truncated": true when some were left out.';
REVOKE EXECUTE ON FUNCTION mountaineer.change_payload(text, text, bigint, uuid[]) FROM PUBLIC;

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

-- Old and new rows are paired by id.  Plans are kept for the session, so
-- a statement of one row takes a short way of its own, and the others pair
-- rows by a full join, which PostgreSQL makes by hashing or merging: an
-- inner join planned for one row would be a nested loop, quadratic for the
-- statement of 100,000 rows that came later.
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
CREATE FUNCTION mountaineer.log_insert() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_log_insert';
COMMENT ON FUNCTION mountaineer.log_insert() IS
    'AFTER INSERT ... REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT trigger (attached by manage_table() as log_insert): records every inserted row in mountaineer.change (after = the row) in order of id, with the claimed actor, the login and the acting role, and sends one NOTIFY mountaineer (change_payload()). (1.7) C for a statement of up to 64 rows; log_insert_full() does the others.';
REVOKE EXECUTE ON FUNCTION mountaineer.log_insert() FROM PUBLIC;
CREATE FUNCTION mountaineer.log_update() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_log_update';
COMMENT ON FUNCTION mountaineer.log_update() IS
    'AFTER UPDATE ... REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT trigger (attached by manage_table() as log_update): records every row that changed in mountaineer.change (before and after = its changed columns, old and new values; a row that did not change, nothing) in order of id, and sends one NOTIFY mountaineer (change_payload()). Pairs old and new rows by id: the table must keep its ids ("A_refuse_id_change"). (1.7) C for a statement of up to 64 rows; log_update_full() does the others.';
REVOKE EXECUTE ON FUNCTION mountaineer.log_update() FROM PUBLIC;
CREATE FUNCTION mountaineer.log_delete() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_log_delete';
COMMENT ON FUNCTION mountaineer.log_delete() IS
    'AFTER DELETE ... REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT trigger (attached by manage_table() as log_delete): records every deleted row in mountaineer.change (before = the row) in order of id, and sends one NOTIFY mountaineer (change_payload()). (1.7) C for a statement of up to 64 rows; log_delete_full() does the others.';
REVOKE EXECUTE ON FUNCTION mountaineer.log_delete() FROM PUBLIC;

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

CREATE FUNCTION mountaineer.history(tbl regclass, id uuid)
    RETURNS SETOF mountaineer.change
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.*
      FROM mountaineer.change c
      JOIN pg_class r ON r.oid = $1
      JOIN pg_namespace n ON n.oid = r.relnamespace
     WHERE c.row_id = $2
       AND c.table_name = r.relname
       AND c.schema_name = n.nspname
     ORDER BY c.id
$$;
COMMENT ON FUNCTION mountaineer.history(regclass, uuid) IS
    'The changes of one row, oldest first.';

-- Works backwards from the row as it is now (or as its delete recorded it),
-- undoing every later change; so it is right even for rows that existed
-- before the log did.
CREATE FUNCTION mountaineer.as_of(tbl regclass, id uuid, at timestamptz)
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

--------------------------------------------------------------------------
-- Module plumbing: every module table goes through this once, in its
-- install script, so the rules exist in one place.
--------------------------------------------------------------------------
CREATE FUNCTION mountaineer.manage_table(tbl regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- keeps the rows in pg_dump; refuses outside CREATE/ALTER EXTENSION
    PERFORM pg_catalog.pg_extension_config_dump(tbl, '');
    EXECUTE format('CREATE TRIGGER log_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_insert()', tbl);
    EXECUTE format('CREATE TRIGGER log_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_update()', tbl);
    EXECUTE format('CREATE TRIGGER log_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_delete()', tbl);
    EXECUTE format('CREATE TRIGGER log_truncate BEFORE TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_truncate()', tbl);
    EXECUTE format('CREATE TRIGGER "A_refuse_id_change" AFTER UPDATE OF id ON %s '
                   'FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION mountaineer.refuse_id_change()', tbl);
    EXECUTE format('GRANT SELECT ON %s TO mountaineer_reader', tbl);
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON %s TO mountaineer_editor', tbl);
END
$$;
COMMENT ON FUNCTION mountaineer.manage_table(regclass) IS
    'For module install scripts: registers an inventory table for pg_dump, attaches the change-log triggers (log_insert, log_update and log_delete, one per statement, and log_truncate) and the one that keeps ids, and grants it to the three roles.';
REVOKE EXECUTE ON FUNCTION mountaineer.manage_table(regclass) FROM PUBLIC;

-- A foreign key refuses to delete a referenced row but does not say which
-- rows refer to it; this trigger does, for every RESTRICT or NO ACTION
-- foreign key that points at the table, whichever module made it.  Attach
-- it AFTER DELETE FOR EACH ROW (so it sees the statement's other deletes, as
-- the foreign key does) under a name that sorts before the foreign keys'
-- own "RI_ConstraintTrigger..." triggers, e.g. "A_refuse_delete_referenced",
-- so that its message is the one the user gets.
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
        WHEN bool_or(attname = 'asn') THEN format('%I.asn::text', alias)
        WHEN bool_or(attname = 'start_address') AND bool_or(attname = 'end_address')
            THEN format('host(%1$I.start_address) || '' - '' || host(%1$I.end_address)', alias)
    END
    FROM pg_attribute WHERE attrelid = tbl AND attnum > 0 AND NOT attisdropped
$$;
COMMENT ON FUNCTION mountaineer.row_label(regclass, text) IS
    'For refuse_delete_referenced(): the SQL expression (over the alias given) that names a row of the table in messages: its hostname, name, prefix, address or start - end range; NULL when it has none of them.';

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

CREATE FUNCTION mountaineer.refuse_delete_referenced() RETURNS trigger
    AS 'MODULE_PATHNAME', 'mountaineer_refuse_delete_referenced'
    LANGUAGE C
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION mountaineer.refuse_delete_referenced() IS
    'AFTER DELETE row trigger for inventory tables (name it so it sorts before "RI_..."): refuses to delete a row that other rows still refer to through a RESTRICT or NO ACTION foreign key, naming up to ten of them by row_label() (a join row by what it joins). C: per row one index probe per such key (kept per backend and table until a relcache invalidation of the table); refuse_delete_referenced_report() names them. 39P01 when not called as an AFTER DELETE row trigger.';
REVOKE EXECUTE ON FUNCTION mountaineer.refuse_delete_referenced() FROM PUBLIC;

--------------------------------------------------------------------------
-- rackspan: rack units and face (src/rackspan.c)
--------------------------------------------------------------------------
-- BEGIN rackspan
CREATE TYPE mountaineer.rackspan;

CREATE FUNCTION mountaineer.rackspan_in(cstring) RETURNS mountaineer.rackspan
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_out(mountaineer.rackspan) RETURNS cstring
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_recv(internal) RETURNS mountaineer.rackspan
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_send(mountaineer.rackspan) RETURNS bytea
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE mountaineer.rackspan (
    INPUT = mountaineer.rackspan_in,
    OUTPUT = mountaineer.rackspan_out,
    RECEIVE = mountaineer.rackspan_recv,
    SEND = mountaineer.rackspan_send,
    INTERNALLENGTH = 8,
    ALIGNMENT = int2,
    STORAGE = plain
);
COMMENT ON TYPE mountaineer.rackspan IS
    'A run of rack units (numbered from 1 at the bottom) and the face it takes: front, rear or full depth. Text form U<first>-U<last>/<face>, e.g. U10-U13/front.';
COMMENT ON FUNCTION mountaineer.rackspan_in(cstring) IS 'Input function of type rackspan.';
COMMENT ON FUNCTION mountaineer.rackspan_out(mountaineer.rackspan) IS 'Output function of type rackspan (canonical U<first>-U<last>/<face>).';
COMMENT ON FUNCTION mountaineer.rackspan_recv(internal) IS 'Binary input function of type rackspan.';
COMMENT ON FUNCTION mountaineer.rackspan_send(mountaineer.rackspan) IS 'Binary output function of type rackspan.';

CREATE FUNCTION mountaineer.rackspan(first int, height int, face text DEFAULT 'full')
    RETURNS mountaineer.rackspan
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_make'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.rackspan(int, int, text) IS
    'The rackspan of a device of the given height whose lowest unit is first, on face front, rear or full (22023 on a bad height, unit or face).';

CREATE FUNCTION mountaineer.lower(mountaineer.rackspan) RETURNS int
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_lower'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.lower(mountaineer.rackspan) IS 'The first (lowest) unit of a rackspan.';
CREATE FUNCTION mountaineer.upper(mountaineer.rackspan) RETURNS int
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_upper'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.upper(mountaineer.rackspan) IS 'The last (highest) unit of a rackspan.';
CREATE FUNCTION mountaineer.height(mountaineer.rackspan) RETURNS int
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_height'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.height(mountaineer.rackspan) IS 'The number of units a rackspan covers.';
CREATE FUNCTION mountaineer.face(mountaineer.rackspan) RETURNS text
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_face'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.face(mountaineer.rackspan) IS 'The face of a rackspan: front, rear or full.';

-- operator functions
CREATE FUNCTION mountaineer.rackspan_overlaps(mountaineer.rackspan, mountaineer.rackspan) RETURNS bool
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_overlaps' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_contains(mountaineer.rackspan, mountaineer.rackspan) RETURNS bool
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_contains' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_contained_by(mountaineer.rackspan, mountaineer.rackspan) RETURNS bool
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_contained_by' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_contains_unit(mountaineer.rackspan, int) RETURNS bool
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_contains_unit' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_unit_contained_by(int, mountaineer.rackspan) RETURNS bool
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_unit_contained_by' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_eq(mountaineer.rackspan, mountaineer.rackspan) RETURNS bool
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_ne(mountaineer.rackspan, mountaineer.rackspan) RETURNS bool
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_lt(mountaineer.rackspan, mountaineer.rackspan) RETURNS bool
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_le(mountaineer.rackspan, mountaineer.rackspan) RETURNS bool
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_gt(mountaineer.rackspan, mountaineer.rackspan) RETURNS bool
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_ge(mountaineer.rackspan, mountaineer.rackspan) RETURNS bool
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_cmp(mountaineer.rackspan, mountaineer.rackspan) RETURNS int
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_hash(mountaineer.rackspan) RETURNS int
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.rackspan_overlaps(mountaineer.rackspan, mountaineer.rackspan) IS 'Implements &&: the spans share a unit and their faces collide.';
COMMENT ON FUNCTION mountaineer.rackspan_contains(mountaineer.rackspan, mountaineer.rackspan) IS 'Implements @>: every unit and face of the second span is in the first.';
COMMENT ON FUNCTION mountaineer.rackspan_contained_by(mountaineer.rackspan, mountaineer.rackspan) IS 'Implements <@: every unit and face of the first span is in the second.';
COMMENT ON FUNCTION mountaineer.rackspan_contains_unit(mountaineer.rackspan, int) IS 'Implements rackspan @> int: the span covers that unit.';
COMMENT ON FUNCTION mountaineer.rackspan_unit_contained_by(int, mountaineer.rackspan) IS 'Implements int <@ rackspan: the unit is covered by the span.';
COMMENT ON FUNCTION mountaineer.rackspan_eq(mountaineer.rackspan, mountaineer.rackspan) IS 'Implements = for rackspan.';
COMMENT ON FUNCTION mountaineer.rackspan_ne(mountaineer.rackspan, mountaineer.rackspan) IS 'Implements <> for rackspan.';
COMMENT ON FUNCTION mountaineer.rackspan_lt(mountaineer.rackspan, mountaineer.rackspan) IS 'Implements < for rackspan (by first unit, last unit, face).';
COMMENT ON FUNCTION mountaineer.rackspan_le(mountaineer.rackspan, mountaineer.rackspan) IS 'Implements <= for rackspan.';
COMMENT ON FUNCTION mountaineer.rackspan_gt(mountaineer.rackspan, mountaineer.rackspan) IS 'Implements > for rackspan.';
COMMENT ON FUNCTION mountaineer.rackspan_ge(mountaineer.rackspan, mountaineer.rackspan) IS 'Implements >= for rackspan.';
COMMENT ON FUNCTION mountaineer.rackspan_cmp(mountaineer.rackspan, mountaineer.rackspan) IS 'Btree comparison of rackspans: first unit, then last unit, then face (front < rear < full).';
COMMENT ON FUNCTION mountaineer.rackspan_hash(mountaineer.rackspan) IS 'Hash support for rackspan.';

CREATE OPERATOR mountaineer.&& (
    LEFTARG = mountaineer.rackspan, RIGHTARG = mountaineer.rackspan,
    FUNCTION = mountaineer.rackspan_overlaps,
    COMMUTATOR = OPERATOR(mountaineer.&&),
    RESTRICT = areasel, JOIN = areajoinsel
);
COMMENT ON OPERATOR mountaineer.&& (mountaineer.rackspan, mountaineer.rackspan) IS 'overlaps: share a unit on a colliding face';
CREATE OPERATOR mountaineer.@> (
    LEFTARG = mountaineer.rackspan, RIGHTARG = mountaineer.rackspan,
    FUNCTION = mountaineer.rackspan_contains,
    COMMUTATOR = OPERATOR(mountaineer.<@),
    RESTRICT = contsel, JOIN = contjoinsel
);
COMMENT ON OPERATOR mountaineer.@> (mountaineer.rackspan, mountaineer.rackspan) IS 'contains';
CREATE OPERATOR mountaineer.<@ (
    LEFTARG = mountaineer.rackspan, RIGHTARG = mountaineer.rackspan,
    FUNCTION = mountaineer.rackspan_contained_by,
    COMMUTATOR = OPERATOR(mountaineer.@>),
    RESTRICT = contsel, JOIN = contjoinsel
);
COMMENT ON OPERATOR mountaineer.<@ (mountaineer.rackspan, mountaineer.rackspan) IS 'is contained by';
CREATE OPERATOR mountaineer.@> (
    LEFTARG = mountaineer.rackspan, RIGHTARG = int,
    FUNCTION = mountaineer.rackspan_contains_unit,
    COMMUTATOR = OPERATOR(mountaineer.<@),
    RESTRICT = contsel, JOIN = contjoinsel
);
COMMENT ON OPERATOR mountaineer.@> (mountaineer.rackspan, int) IS 'covers the unit';
CREATE OPERATOR mountaineer.<@ (
    LEFTARG = int, RIGHTARG = mountaineer.rackspan,
    FUNCTION = mountaineer.rackspan_unit_contained_by,
    COMMUTATOR = OPERATOR(mountaineer.@>),
    RESTRICT = contsel, JOIN = contjoinsel
);
COMMENT ON OPERATOR mountaineer.<@ (int, mountaineer.rackspan) IS 'unit is covered by';
CREATE OPERATOR mountaineer.= (
    LEFTARG = mountaineer.rackspan, RIGHTARG = mountaineer.rackspan,
    FUNCTION = mountaineer.rackspan_eq,
    COMMUTATOR = OPERATOR(mountaineer.=), NEGATOR = OPERATOR(mountaineer.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
COMMENT ON OPERATOR mountaineer.= (mountaineer.rackspan, mountaineer.rackspan) IS 'equal';
CREATE OPERATOR mountaineer.<> (
    LEFTARG = mountaineer.rackspan, RIGHTARG = mountaineer.rackspan,
    FUNCTION = mountaineer.rackspan_ne,
    COMMUTATOR = OPERATOR(mountaineer.<>), NEGATOR = OPERATOR(mountaineer.=),
    RESTRICT = neqsel, JOIN = neqjoinsel
);
COMMENT ON OPERATOR mountaineer.<> (mountaineer.rackspan, mountaineer.rackspan) IS 'not equal';
CREATE OPERATOR mountaineer.< (
    LEFTARG = mountaineer.rackspan, RIGHTARG = mountaineer.rackspan,
    FUNCTION = mountaineer.rackspan_lt,
    COMMUTATOR = OPERATOR(mountaineer.>), NEGATOR = OPERATOR(mountaineer.>=),
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
COMMENT ON OPERATOR mountaineer.< (mountaineer.rackspan, mountaineer.rackspan) IS 'less than';
CREATE OPERATOR mountaineer.<= (
    LEFTARG = mountaineer.rackspan, RIGHTARG = mountaineer.rackspan,
    FUNCTION = mountaineer.rackspan_le,
    COMMUTATOR = OPERATOR(mountaineer.>=), NEGATOR = OPERATOR(mountaineer.>),
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
COMMENT ON OPERATOR mountaineer.<= (mountaineer.rackspan, mountaineer.rackspan) IS 'less than or equal';
CREATE OPERATOR mountaineer.> (
    LEFTARG = mountaineer.rackspan, RIGHTARG = mountaineer.rackspan,
    FUNCTION = mountaineer.rackspan_gt,
    COMMUTATOR = OPERATOR(mountaineer.<), NEGATOR = OPERATOR(mountaineer.<=),
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
COMMENT ON OPERATOR mountaineer.> (mountaineer.rackspan, mountaineer.rackspan) IS 'greater than';
CREATE OPERATOR mountaineer.>= (
    LEFTARG = mountaineer.rackspan, RIGHTARG = mountaineer.rackspan,
    FUNCTION = mountaineer.rackspan_ge,
    COMMUTATOR = OPERATOR(mountaineer.<=), NEGATOR = OPERATOR(mountaineer.<),
    RESTRICT = scalargesel, JOIN = scalargejoinsel
);
COMMENT ON OPERATOR mountaineer.>= (mountaineer.rackspan, mountaineer.rackspan) IS 'greater than or equal';

CREATE OPERATOR CLASS mountaineer.rackspan_ops
    DEFAULT FOR TYPE mountaineer.rackspan USING btree AS
        OPERATOR 1 mountaineer.<,
        OPERATOR 2 mountaineer.<=,
        OPERATOR 3 mountaineer.=,
        OPERATOR 4 mountaineer.>=,
        OPERATOR 5 mountaineer.>,
        FUNCTION 1 mountaineer.rackspan_cmp(mountaineer.rackspan, mountaineer.rackspan);
CREATE OPERATOR CLASS mountaineer.rackspan_hash_ops
    DEFAULT FOR TYPE mountaineer.rackspan USING hash AS
        OPERATOR 1 mountaineer.=,
        FUNCTION 1 mountaineer.rackspan_hash(mountaineer.rackspan);

-- GiST support
CREATE FUNCTION mountaineer.rackspan_gist_consistent(internal, mountaineer.rackspan, smallint, oid, internal) RETURNS bool
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_gist_consistent' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_gist_union(internal, internal) RETURNS mountaineer.rackspan
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_gist_union' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_gist_penalty(internal, internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_gist_penalty' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_gist_picksplit(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_gist_picksplit' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.rackspan_gist_same(mountaineer.rackspan, mountaineer.rackspan, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_gist_same' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.rackspan_gist_consistent(internal, mountaineer.rackspan, smallint, oid, internal) IS 'GiST support for rackspan.';
COMMENT ON FUNCTION mountaineer.rackspan_gist_union(internal, internal) IS 'GiST support for rackspan.';
COMMENT ON FUNCTION mountaineer.rackspan_gist_penalty(internal, internal, internal) IS 'GiST support for rackspan.';
COMMENT ON FUNCTION mountaineer.rackspan_gist_picksplit(internal, internal) IS 'GiST support for rackspan.';
COMMENT ON FUNCTION mountaineer.rackspan_gist_same(mountaineer.rackspan, mountaineer.rackspan, internal) IS 'GiST support for rackspan.';

CREATE OPERATOR CLASS mountaineer.rackspan_gist_ops
    DEFAULT FOR TYPE mountaineer.rackspan USING gist AS
        OPERATOR 3  mountaineer.&& (mountaineer.rackspan, mountaineer.rackspan),
        OPERATOR 7  mountaineer.@> (mountaineer.rackspan, mountaineer.rackspan),
        OPERATOR 8  mountaineer.<@ (mountaineer.rackspan, mountaineer.rackspan),
        OPERATOR 16 mountaineer.@> (mountaineer.rackspan, int),
        OPERATOR 18 mountaineer.= (mountaineer.rackspan, mountaineer.rackspan),
        FUNCTION 1 mountaineer.rackspan_gist_consistent(internal, mountaineer.rackspan, smallint, oid, internal),
        FUNCTION 2 mountaineer.rackspan_gist_union(internal, internal),
        FUNCTION 5 mountaineer.rackspan_gist_penalty(internal, internal, internal),
        FUNCTION 6 mountaineer.rackspan_gist_picksplit(internal, internal),
        FUNCTION 7 mountaineer.rackspan_gist_same(mountaineer.rackspan, mountaineer.rackspan, internal);

CREATE FUNCTION mountaineer.rackspan_free(occupied mountaineer.rackspan[], rack_units int, face text DEFAULT 'full')
    RETURNS SETOF mountaineer.rackspan
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_free'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION mountaineer.rackspan_free(mountaineer.rackspan[], int, text) IS
    'The maximal runs of units in a rack of rack_units that a device of the given face could use, lowest first; occupied spans that do not collide with that face, lie above the rack, or are NULL are ignored.';
CREATE FUNCTION mountaineer.rackspan_first_fit(occupied mountaineer.rackspan[], rack_units int, height int, face text DEFAULT 'full')
    RETURNS mountaineer.rackspan
    AS 'MODULE_PATHNAME', 'mountaineer_rackspan_first_fit'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.rackspan_first_fit(mountaineer.rackspan[], int, int, text) IS
    'The lowest free position for a device of that height and face in a rack of rack_units, or NULL when none is free.';
-- END rackspan

--------------------------------------------------------------------------
-- CIDR algebra (src/cidr.c)
--------------------------------------------------------------------------
-- BEGIN cidr
CREATE FUNCTION mountaineer.cidr_free(parent cidr, used cidr[]) RETURNS SETOF cidr
    AS 'MODULE_PATHNAME', 'mountaineer_cidr_free'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.cidr_free(cidr, cidr[]) IS
    'The fewest CIDR blocks that exactly cover parent minus the union of the used blocks, in address order; used blocks may overlap, repeat or lie partly or wholly outside parent, NULL elements are ignored. A used block of the other address family is refused (22023).';

CREATE FUNCTION mountaineer.cidr_next_free(parent cidr, masklen integer, used cidr[]) RETURNS cidr
    AS 'MODULE_PATHNAME', 'mountaineer_cidr_next_free'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.cidr_next_free(cidr, integer, cidr[]) IS
    'The lowest-addressed block of prefix length masklen inside parent that intersects no used block (NULL elements ignored), or NULL when there is none. A masklen out of range for the family or shorter than the parent''s, or a used block of the other family, is refused (22023).';

CREATE FUNCTION mountaineer.inet_next_free(parent cidr, used inet[]) RETURNS inet
    AS 'MODULE_PATHNAME', 'mountaineer_inet_next_free'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.inet_next_free(cidr, inet[]) IS
    'The lowest free host address in parent, with the parent''s prefix length (e.g. 10.0.0.1/24), or NULL when none is free. Each used element is its single address, its mask ignored; NULL elements are ignored. Skipped: the IPv4 network and broadcast addresses (except in /31 and /32) and the IPv6 subnet-router anycast address (except in /127 and /128). A used address of the other family is refused (22023).';

CREATE FUNCTION mountaineer.reverse_zone(cidr) RETURNS text
    AS 'MODULE_PATHNAME', 'mountaineer_reverse_zone'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.reverse_zone(cidr) IS
    'The reverse DNS zone enclosing the block: its whole octets (IPv4, in-addr.arpa) or whole nibbles (IPv6, ip6.arpa) reversed, e.g. 10.1.16.0/20 gives 1.10.in-addr.arpa. No trailing dot, as PowerDNS stores names.';

CREATE FUNCTION mountaineer.ptr_name(inet) RETURNS text
    AS 'MODULE_PATHNAME', 'mountaineer_ptr_name'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.ptr_name(inet) IS
    'The PTR owner name of the address (its mask ignored): 4 octets reversed under in-addr.arpa, or 32 nibbles reversed under ip6.arpa. No trailing dot, as PowerDNS stores names.';
CREATE FUNCTION mountaineer.inet_range_cidrs(first inet, last inet) RETURNS SETOF cidr
    AS 'MODULE_PATHNAME', 'mountaineer_inet_range_cidrs'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION mountaineer.inet_range_cidrs(inet, inet) IS
    'The fewest CIDR blocks covering exactly the addresses first..last (masks ignored), in address order; 22023 when the families differ or last is below first.';
-- END cidr

-- Event outbox and retention (1.3)
--------------------------------------------------------------------------
-- Automation that must not miss a change reads mountaineer.change in id
-- order with a cursor it owns: events_since() hands out the next changes,
-- events_ack() moves the cursor.  The catch: ids come from change_id_seq
-- when a change is written, not when it commits, so a transaction holding
-- id 10 may commit after one holding id 11; a consumer handed 11 and
-- acknowledging it would never see 10.  A running transaction's rows are
-- invisible to everyone else, so no snapshot says which ids it holds: the
-- writer says it.  Before any change of a statement gets its id, the
-- trigger outbox_writer_lock makes sure the writing transaction has a
-- transaction id and holds a shared advisory lock whose key is a lower
-- bound of its ids (the next id the sequence gives), in a range of keys of
-- its own, ('MT' << 48) + id; the lock goes when the transaction ends,
-- after its commit is visible.  events_since() reads, in this order and in
-- statements of their own, the sequence's last value L, the lowest key K
-- held by another transaction that has a transaction id (a lock an idle
-- session took by hand does not count), and then (with a new snapshot) the
-- rows, and hands out only ids <= L and < K.  Every id <= L was taken
-- before L was read, by a writer that took its lock first: either it still
-- held the lock when the locks were read (so its ids are >= K), or it had
-- ended, and then its rows are in the snapshot taken afterwards.  Whatever
-- is written later gets ids > L.  So what is handed out is never followed
-- by a change that commits later.  The caller's own changes it sees.  It
-- needs change_id_seq to keep CACHE 1 (as identity sequences have it): with
-- a cache, a session's next id could be below the sequence's last value.
--------------------------------------------------------------------------
CREATE TABLE mountaineer.event_consumer (
    name       text        CONSTRAINT event_consumer_pkey PRIMARY KEY
                           CONSTRAINT event_consumer_name_check CHECK (mountaineer.is_valid_name(name)),
    acked_id   bigint      NOT NULL DEFAULT 0,
    acked_at   timestamptz,
    handed_id  bigint      NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT event_consumer_check CHECK (acked_id <= handed_id)
);
COMMENT ON TABLE mountaineer.event_consumer IS
    'Outbox: the consumers of the change log and their cursors, registered by their first events_since() call and moved by events_ack(). prune_changes() keeps every change a consumer has not acknowledged; delete a consumer that is gone (admins).';
COMMENT ON COLUMN mountaineer.event_consumer.name IS 'The consumer''s name, as it passes it to events_since() and events_ack().';
COMMENT ON COLUMN mountaineer.event_consumer.acked_id IS 'The cursor: every change up to this id is acknowledged; events_since() hands out what follows.';
COMMENT ON COLUMN mountaineer.event_consumer.acked_at IS 'When the consumer last acknowledged (NULL: never).';
COMMENT ON COLUMN mountaineer.event_consumer.handed_id IS 'The highest change id events_since() has handed to the consumer: events_ack() goes no further.';
COMMENT ON COLUMN mountaineer.event_consumer.created_at IS 'When the consumer was registered.';

SELECT pg_catalog.pg_extension_config_dump('mountaineer.event_consumer', '');
GRANT SELECT ON mountaineer.event_consumer TO mountaineer_reader;
GRANT DELETE ON mountaineer.event_consumer TO mountaineer_admin;

-- SECURITY DEFINER: it reads change_id_seq, whoever writes the log.  The
-- setting mountaineer.outbox_key remembers the key this transaction holds,
-- so that a transaction of a million statements holds one lock; any client
-- can set it, so it is used only when it is no higher than the next id (a
-- lower key is as safe: it only holds consumers back longer).  (1.7) C
-- (src/outbox.c), the same steps: as PL/pgSQL it cost about 25 µs on every
-- statement that writes the change log.
CREATE FUNCTION mountaineer.outbox_writer_lock() RETURNS trigger
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS '$libdir/mountaineer', 'mountaineer_outbox_writer_lock';
COMMENT ON FUNCTION mountaineer.outbox_writer_lock() IS
    'BEFORE INSERT FOR EACH STATEMENT trigger of mountaineer.change (outbox_writer_lock): before the statement''s changes get their ids, the writing transaction holds, until it ends, a shared advisory lock keyed 5572078638964146176 + a lower bound of its ids, which events_since() reads to hand out nothing a running writer could still precede.';
REVOKE EXECUTE ON FUNCTION mountaineer.outbox_writer_lock() FROM PUBLIC;

CREATE TRIGGER outbox_writer_lock BEFORE INSERT ON mountaineer.change
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.outbox_writer_lock();

-- SECURITY DEFINER: a consumer writes its own row only through these two,
-- and events_since() reads the sequence; EXECUTE for editors (see README,
-- "Who may call what").
CREATE FUNCTION mountaineer.events_since(consumer text, max integer DEFAULT 1000)
    RETURNS SETOF mountaineer.change
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acked bigint;
    upto  bigint;
    held  bigint;
BEGIN
    IF consumer IS NULL OR events_since.max IS NULL THEN
        RAISE EXCEPTION 'events_since needs a consumer and a max: % is NULL', CASE WHEN consumer IS NULL THEN 'consumer' ELSE 'max' END
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF events_since.max < 1 THEN
        RAISE EXCEPTION 'events_since hands out at least one change at a time: max is %', events_since.max
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'events_since runs only under READ COMMITTED, not %', upper(current_setting('transaction_isolation'))
            USING ERRCODE = 'invalid_transaction_state',
                  DETAIL = 'It reads the rows with a snapshot taken after it read the writers'' locks; an older snapshot could miss changes it would then hand out the ids after.';
    END IF;

    -- the first call registers the consumer, under the lock prune_changes()
    -- holds while it deletes: a new consumer starts at the oldest change kept
    IF NOT EXISTS (SELECT FROM mountaineer.event_consumer e WHERE e.name = consumer) THEN
        LOCK TABLE mountaineer.event_consumer IN SHARE UPDATE EXCLUSIVE MODE;
        INSERT INTO mountaineer.event_consumer (name) VALUES (consumer) ON CONFLICT (name) DO NOTHING;
    END IF;
    -- one call at a time per consumer
    SELECT e.acked_id INTO acked FROM mountaineer.event_consumer e WHERE e.name = consumer FOR NO KEY UPDATE;

    -- 1. the last id given out so far
    upto := coalesce(pg_sequence_last_value('mountaineer.change_id_seq'::regclass), 0);
    -- 2. the lowest id another running writer may hold: the lowest key of
    -- the range held by another transaction that has an id (one pg_locks
    -- read); this transaction's own changes it sees, and they commit or
    -- roll back with whatever it acknowledges
    WITH l AS MATERIALIZED (
        SELECT l.locktype, l.database, l.classid, l.objid, l.objsubid, l.mode, l.granted, l.virtualtransaction, l.pid
          FROM pg_locks l
         WHERE l.locktype IN ('advisory', 'transactionid'))
    SELECT pg_catalog.min(((a.classid::bigint - 1297350656) << 32) + a.objid::bigint) INTO held
      FROM l a
     WHERE a.locktype = 'advisory' AND a.objsubid = 1 AND a.pid IS DISTINCT FROM pg_backend_pid()
       AND a.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
       AND a.classid::bigint BETWEEN 1297350656 AND 1297416191          -- keys 'MT' << 48 ...
       AND EXISTS (SELECT FROM l x WHERE x.locktype = 'transactionid' AND x.mode = 'ExclusiveLock'
                                     AND x.granted AND x.virtualtransaction = a.virtualtransaction);
    -- 3. the rows, with a snapshot taken now
    RETURN QUERY
    WITH batch AS (
        SELECT c.* FROM mountaineer.change c
         WHERE c.id > acked AND c.id <= upto AND (held IS NULL OR c.id < held)
         ORDER BY c.id
         LIMIT events_since.max),
    handed AS (
        UPDATE mountaineer.event_consumer e SET handed_id = b.last
          FROM (SELECT pg_catalog.max(batch.id) AS last FROM batch) b
         WHERE e.name = consumer AND b.last > e.handed_id)
    SELECT * FROM batch ORDER BY batch.id;
END
$$;
COMMENT ON FUNCTION mountaineer.events_since(text, integer) IS
    'The outbox: the next changes (at most max, in id order) after the consumer''s acknowledged cursor, registering the consumer on its first call. Hands out only changes that are committed (or the caller''s own) and that no other running transaction can still precede; hands out the same again until events_ack(). READ COMMITTED only.';
REVOKE EXECUTE ON FUNCTION mountaineer.events_since(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.events_since(text, integer) TO mountaineer_editor;

CREATE FUNCTION mountaineer.events_ack(consumer text, last_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c mountaineer.event_consumer;
BEGIN
    IF consumer IS NULL OR last_id IS NULL THEN
        RAISE EXCEPTION 'events_ack needs a consumer and a last_id: % is NULL', CASE WHEN consumer IS NULL THEN 'consumer' ELSE 'last_id' END
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT * INTO c FROM mountaineer.event_consumer e WHERE e.name = consumer FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no event consumer named %', mountaineer.excerpt(consumer)
            USING ERRCODE = 'no_data_found',
                  HINT = 'A consumer is registered by its first call of events_since().';
    END IF;
    IF last_id < c.acked_id THEN
        RAISE EXCEPTION 'event consumer % cannot go back from change % to change %', mountaineer.excerpt(consumer), c.acked_id, last_id
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'It has acknowledged every change up to ' || c.acked_id || ' already.',
                  HINT = 'Two processes acknowledging under one name? Give each its own consumer.';
    END IF;
    IF last_id > c.handed_id THEN
        RAISE EXCEPTION 'event consumer % cannot acknowledge change %: it was handed changes up to % only', mountaineer.excerpt(consumer), last_id, c.handed_id
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Acknowledge the id of the last change events_since() returned.';
    END IF;
    UPDATE mountaineer.event_consumer e SET acked_id = last_id, acked_at = now() WHERE e.name = consumer;
END
$$;
COMMENT ON FUNCTION mountaineer.events_ack(text, bigint) IS
    'The outbox: the consumer has processed every change up to last_id; events_since() hands out what follows. Acknowledging the same id again is a no-op; an id below the cursor, or above what events_since() handed out, is refused (22023).';
REVOKE EXECUTE ON FUNCTION mountaineer.events_ack(text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.events_ack(text, bigint) TO mountaineer_editor;

-- One bounded batch per call (10,000 changes), so that each runs in a short
-- transaction of its caller's (a function cannot commit; a procedure that
-- did could not pin its search_path nor run inside a transaction): loop
-- until it returns 0.  It needs DELETE on change (admins): SECURITY INVOKER.
-- Concurrent calls wait for each other (the lock on event_consumer).  A
-- batch is found by walking the log in id order past every old change that
-- is kept (the latest of its row); so that a run of many batches does not
-- walk the same kept changes again each time, a call starts after the last
-- change the previous call of the session found (the session setting
-- mountaineer.prune_position, a hint: a wrong one only makes a call walk
-- the rest first) and goes round to the start when it reaches the end, so a
-- call that returns 0 has walked everything.
CREATE FUNCTION mountaineer.prune_changes(older_than interval, keep_per_row integer DEFAULT 1)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET jit = off               -- index probes only: compiling costs more than it saves, every batch
AS $$
DECLARE
    hint   text := current_setting('mountaineer.prune_position', true);
    after  bigint := CASE WHEN hint ~ '^[0-9]{1,18}$' THEN hint::bigint ELSE 0 END;
    bound  bigint;
    lo     bigint;
    hi     bigint;
    doomed bigint[] := ARRAY[]::bigint[];
    n      bigint;
BEGIN
    IF older_than IS NULL OR keep_per_row IS NULL THEN
        RAISE EXCEPTION 'prune_changes needs older_than and keep_per_row: % is NULL', CASE WHEN older_than IS NULL THEN 'older_than' ELSE 'keep_per_row' END
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF older_than < interval '0' THEN
        RAISE EXCEPTION 'prune_changes removes changes older than older_than, which cannot be negative: %', older_than
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF keep_per_row < 1 THEN
        RAISE EXCEPTION 'prune_changes keeps at least the latest change of every row: keep_per_row is %', keep_per_row
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'prune_changes runs only under READ COMMITTED, not %', upper(current_setting('transaction_isolation'))
            USING ERRCODE = 'invalid_transaction_state',
                  DETAIL = 'It must see every consumer registered before its lock.';
    END IF;
    -- no consumer registers until this batch commits (events_since() takes
    -- the same lock to register one); acknowledgements go on meanwhile
    LOCK TABLE mountaineer.event_consumer IN SHARE UPDATE EXCLUSIVE MODE;
    SELECT pg_catalog.min(e.acked_id) INTO bound FROM mountaineer.event_consumer e;
    -- after the position, then from the start up to it
    lo := after;
    hi := coalesce(bound, 9223372036854775807);
    LOOP
        doomed := doomed || ARRAY(
            SELECT c.id FROM mountaineer.change c
             WHERE c.id > lo AND c.id <= hi
               AND c.at < now() - older_than
               -- keep_per_row newer changes of the same row exist (change_row_idx)
               AND (SELECT count(*) FROM (SELECT FROM mountaineer.change l
                                           WHERE l.row_id = c.row_id AND l.id > c.id
                                             AND l.table_name = c.table_name AND l.schema_name = c.schema_name
                                           LIMIT keep_per_row) k) = keep_per_row
             ORDER BY c.id
             LIMIT 10000 - cardinality(doomed));
        EXIT WHEN cardinality(doomed) = 10000 OR lo = 0;
        hi := least(lo, hi);
        lo := 0;
    END LOOP;
    -- each through the primary key, whatever the planner thinks of the table
    DELETE FROM mountaineer.change d WHERE d.id = ANY (doomed);
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('mountaineer.prune_position', CASE WHEN cardinality(doomed) = 10000 THEN doomed[10000] ELSE 0 END::text, false);
    RETURN n;
END
$$;
COMMENT ON FUNCTION mountaineer.prune_changes(interval, integer) IS
    'Retention (admins): deletes up to 10,000 changes older than older_than, keeping the latest keep_per_row changes of every row and every change a consumer of events_since() has not acknowledged; returns how many it deleted. Call it again until it returns 0, each call in a transaction of its own (in one session, each call goes on where the last stopped).';
REVOKE EXECUTE ON FUNCTION mountaineer.prune_changes(interval, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.prune_changes(interval, integer) TO mountaineer_admin;
-- End: event outbox and retention (1.3)

-- == as_number (1.4) ==
-- An autonomous system number (src/asn.c): asplain or asdot in, asplain
-- out, 0 to 4294967295. It has the bytes of a bigint and casts to one
-- without a function, so it compares, sorts and is indexed with bigint's
-- operators and operator classes; a cast to json makes it a JSON number.
CREATE TYPE mountaineer.as_number;
CREATE FUNCTION mountaineer.as_number_in(cstring) RETURNS mountaineer.as_number
    AS 'MODULE_PATHNAME', 'mountaineer_as_number_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.as_number_out(mountaineer.as_number) RETURNS cstring
    AS 'MODULE_PATHNAME', 'mountaineer_as_number_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.as_number_recv(internal) RETURNS mountaineer.as_number
    AS 'MODULE_PATHNAME', 'mountaineer_as_number_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.as_number_send(mountaineer.as_number) RETURNS bytea
    AS 'MODULE_PATHNAME', 'mountaineer_as_number_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE mountaineer.as_number (
    INPUT = mountaineer.as_number_in,
    OUTPUT = mountaineer.as_number_out,
    RECEIVE = mountaineer.as_number_recv,
    SEND = mountaineer.as_number_send,
    LIKE = pg_catalog.int8
);
COMMENT ON TYPE mountaineer.as_number IS
    'An autonomous system number, 0 to 4294967295: input asplain (4200000001) or asdot (64086.59905), output asplain; compares and sorts as a bigint, to which it casts implicitly.';
COMMENT ON FUNCTION mountaineer.as_number_in(cstring) IS 'Input function of type as_number: asplain or asdot (22P02 otherwise).';
COMMENT ON FUNCTION mountaineer.as_number_out(mountaineer.as_number) IS 'Output function of type as_number: asplain.';
COMMENT ON FUNCTION mountaineer.as_number_recv(internal) IS 'Binary input function of type as_number (an int8, 22003 out of range).';
COMMENT ON FUNCTION mountaineer.as_number_send(mountaineer.as_number) IS 'Binary output function of type as_number (an int8).';
CREATE CAST (mountaineer.as_number AS bigint) WITHOUT FUNCTION AS IMPLICIT;
CREATE FUNCTION mountaineer.as_number(bigint) RETURNS mountaineer.as_number
    AS 'MODULE_PATHNAME', 'mountaineer_as_number_from_bigint' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.as_number(bigint) IS 'The AS number of a bigint (22003 outside 0 to 4294967295); the cast from bigint and integer.';
CREATE CAST (bigint AS mountaineer.as_number) WITH FUNCTION mountaineer.as_number(bigint) AS ASSIGNMENT;
CREATE FUNCTION mountaineer.as_number(integer) RETURNS mountaineer.as_number
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN mountaineer.as_number($1::bigint);
COMMENT ON FUNCTION mountaineer.as_number(integer) IS 'The AS number of an integer (22003 below 0); the cast from integer.';
CREATE CAST (integer AS mountaineer.as_number) WITH FUNCTION mountaineer.as_number(integer) AS ASSIGNMENT;
CREATE FUNCTION mountaineer.as_number_json(mountaineer.as_number) RETURNS json
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN to_json($1::bigint);
COMMENT ON FUNCTION mountaineer.as_number_json(mountaineer.as_number) IS 'The cast to json: an AS number is a JSON number (in to_json, the change log and the REST API).';
CREATE CAST (mountaineer.as_number AS json) WITH FUNCTION mountaineer.as_number_json(mountaineer.as_number);
CREATE FUNCTION mountaineer.asdot(asn mountaineer.as_number) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE WHEN $1::bigint < 65536 THEN $1::bigint::text
                ELSE ($1::bigint / 65536)::text || '.' || ($1::bigint % 65536)::text END;
COMMENT ON FUNCTION mountaineer.asdot(mountaineer.as_number) IS
    'An AS number in asdot (RFC 5396): as asplain below 65536, else high.low (4200000001 is 64086.59905).';
-- End: as_number (1.4)


-- == column comments (1.4) ==
-- Every column carries a COMMENT: PostgREST's OpenAPI document (GET /) and
-- psql's \d+ describe the API from them (test/catalog.sql checks it).
COMMENT ON COLUMN mountaineer.change.id IS
    'Number of the change, set by the database (an identity): the changes of one transaction are numbered in the order they were made; history(), as_of() and events_since() go by it.';


-- == tags and attributes (1.5) ==
-- Tags and custom attributes on every inventory table (issue 12, item 4).
-- A module calls manage_attributes(tbl) once per inventory table: it adds
-- tags (text[] of tag names) and attributes (a jsonb object), their CHECKs,
-- GIN indexes and the row triggers that keep them valid, so the idiom is
-- written once.  Tags hold names, not ids, so that a filter reads as it is
-- written (tags @> '{prod}', PostgREST ?tags=cs.{prod}); the database keeps
-- them valid as a foreign key would: a row's tags are locked FOR KEY SHARE
-- when it is written, a tag in use cannot be deleted, and renaming a tag
-- renames it in every row.
CREATE TABLE mountaineer.tag (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL UNIQUE CONSTRAINT tag_name_check CHECK (mountaineer.is_valid_name(name)),
    color       text NOT NULL DEFAULT '9e9e9e' CONSTRAINT tag_color_check CHECK (color ~ '^[0-9a-f]{6}$'),
    description text CONSTRAINT tag_description_check CHECK (mountaineer.is_valid_name(description, 200))
);
COMMENT ON TABLE mountaineer.tag IS
    'A tag that any inventory row may carry in its tags column (by name). Renaming a tag renames it in every row; a tag that rows carry cannot be deleted (23503, naming them).';
COMMENT ON COLUMN mountaineer.tag.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.tag.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.tag.name IS 'Unique; what rows carry in their tags column; a name (1..100 characters, no leading or trailing white space, no control characters). Renaming it renames it in every row.';
COMMENT ON COLUMN mountaineer.tag.color IS 'Display colour, six lower-case hexadecimal digits (RGB) without #, as NetBox has it; default 9e9e9e (grey).';
COMMENT ON COLUMN mountaineer.tag.description IS 'Free text, at most 200 characters.';
SELECT mountaineer.manage_table('mountaineer.tag');

CREATE TABLE mountaineer.attribute_definition (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug          text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    table_name    text NOT NULL,
    key           text NOT NULL CONSTRAINT attribute_definition_key_check CHECK (key ~ '^[a-z][a-z0-9_]{0,49}$'),
    type          text NOT NULL CONSTRAINT attribute_definition_type_check
                      CHECK (type IN ('text', 'int', 'bool', 'date', 'url', 'select')),
    choices       text[] CONSTRAINT attribute_definition_choices_check
                      CHECK ((type = 'select') = (choices IS NOT NULL)
                             AND (choices IS NULL OR (cardinality(choices) > 0 AND array_position(choices, NULL) IS NULL))),
    required      boolean NOT NULL DEFAULT false,
    default_value jsonb,
    minimum       bigint CONSTRAINT attribute_definition_minimum_check CHECK (minimum IS NULL OR type = 'int'),
    maximum       bigint CONSTRAINT attribute_definition_maximum_check CHECK (maximum IS NULL OR (type = 'int' AND maximum >= coalesce(minimum, maximum))),
    regex         text CONSTRAINT attribute_definition_regex_check CHECK (regex IS NULL OR type IN ('text', 'url')),
    label         text CONSTRAINT attribute_definition_label_check CHECK (mountaineer.is_valid_name(label)),
    description   text CONSTRAINT attribute_definition_description_check CHECK (mountaineer.is_valid_name(description, 200)),
    CONSTRAINT attribute_definition_table_name_key_key UNIQUE (table_name, key)
);
COMMENT ON TABLE mountaineer.attribute_definition IS
    'A custom attribute of one inventory table: the key its rows may carry in their attributes column, its type, whether it is required and its default. A row''s attributes are checked against these (23514 naming the key); defining, changing or deleting one applies to the rows already there (defaults filled in, a key renamed or removed, disagreeing rows refused).';
COMMENT ON COLUMN mountaineer.attribute_definition.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.attribute_definition.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.attribute_definition.table_name IS 'The inventory table (in schema mountaineer, without the schema: device, prefix, ...) whose rows carry the attribute; one of attribute_tables(). Never changes: define it again on the other table.';
COMMENT ON COLUMN mountaineer.attribute_definition.key IS 'The key in the rows'' attributes: a lower-case letter, then up to 49 lower-case letters, digits and underscores; unique per table. Renaming it renames it in every row.';
COMMENT ON COLUMN mountaineer.attribute_definition.type IS 'text (a JSON string), int (a JSON integer number), bool (true or false), date (a string YYYY-MM-DD), url (a string http:// or https://...), select (a string, one of choices).';
COMMENT ON COLUMN mountaineer.attribute_definition.choices IS 'The values a select attribute may take (and only a select attribute has them).';
COMMENT ON COLUMN mountaineer.attribute_definition.required IS 'Every row must carry the key: an insert without it gets default_value, or is refused when there is none; setting it on a table with rows fills in the default, or is refused naming the rows without it.';
COMMENT ON COLUMN mountaineer.attribute_definition.default_value IS 'The JSON value an inserted row gets when it does not carry the key (NULL: none); a definition with a default fills it into the existing rows that lack the key when it is created or made required.';
COMMENT ON COLUMN mountaineer.attribute_definition.minimum IS 'int only: the least value allowed (NULL: none).';
COMMENT ON COLUMN mountaineer.attribute_definition.maximum IS 'int only: the greatest value allowed (NULL: none), not below minimum.';
COMMENT ON COLUMN mountaineer.attribute_definition.regex IS 'text and url only: a regular expression (POSIX, as ~) the value must match (NULL: any).';
COMMENT ON COLUMN mountaineer.attribute_definition.label IS 'How a user interface names the attribute (NULL: the key).';
COMMENT ON COLUMN mountaineer.attribute_definition.description IS 'Free text, at most 200 characters.';
SELECT mountaineer.manage_table('mountaineer.attribute_definition');

-- What is wrong with one attribute value under its definition: NULL when
-- nothing is, else what it must be ("an integer from 1 to 42").
-- A standard SQL body (parsed here, so no search_path) that the planner
-- inlines into the trigger's query: a SET clause would keep it from that
-- and cost a call per key and row.
CREATE FUNCTION mountaineer.attribute_value_problem(def mountaineer.attribute_definition, value jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN value = 'null' THEN NULL ELSE CASE def.type
        WHEN 'text' THEN CASE WHEN jsonb_typeof(value) <> 'string' THEN 'text (a JSON string)'
                              WHEN def.regex IS NOT NULL AND (value #>> '{}') !~ def.regex THEN format('text matching %s', def.regex) END
        WHEN 'url' THEN CASE WHEN jsonb_typeof(value) <> 'string' OR (value #>> '{}') !~ '^https?://[^[:space:]/?#]+[^[:space:]]*$'
                                 THEN 'an http:// or https:// URL'
                             WHEN def.regex IS NOT NULL AND (value #>> '{}') !~ def.regex THEN format('a URL matching %s', def.regex) END
        WHEN 'bool' THEN CASE WHEN jsonb_typeof(value) <> 'boolean' THEN 'true or false' END
        WHEN 'int' THEN CASE WHEN jsonb_typeof(value) <> 'number' OR value::numeric <> trunc(value::numeric)
                                  OR value::numeric NOT BETWEEN coalesce(def.minimum, -9223372036854775808) AND coalesce(def.maximum, 9223372036854775807)
                                 THEN 'an integer' || CASE WHEN def.minimum IS NOT NULL AND def.maximum IS NOT NULL THEN format(' from %s to %s', def.minimum, def.maximum)
                                                           WHEN def.minimum IS NOT NULL THEN format(' of at least %s', def.minimum)
                                                           WHEN def.maximum IS NOT NULL THEN format(' of at most %s', def.maximum)
                                                           ELSE '' END END
        WHEN 'date' THEN CASE WHEN jsonb_typeof(value) <> 'string' OR (value #>> '{}') !~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
                                   OR substr(value #>> '{}', 9, 2)::int > extract(day FROM make_date(substr(value #>> '{}', 1, 4)::int, substr(value #>> '{}', 6, 2)::int, 1)
                                                                                      + interval '1 month - 1 day')
                                  THEN 'a date (YYYY-MM-DD)' END
        WHEN 'select' THEN CASE WHEN jsonb_typeof(value) <> 'string' OR NOT (value #>> '{}') = ANY (def.choices)
                                    THEN 'one of ' || array_to_string(def.choices, ', ') END
    END END;
COMMENT ON FUNCTION mountaineer.attribute_value_problem(mountaineer.attribute_definition, jsonb) IS
    'For attributes_check() and the definition triggers: NULL when value fits the definition (a JSON null always does: it is no value) (its type, choices, minimum, maximum and regex), else what it must be ("an integer from 1 to 42"), for the message.';
REVOKE EXECUTE ON FUNCTION mountaineer.attribute_value_problem(mountaineer.attribute_definition, jsonb) FROM PUBLIC;

-- The row triggers (attributes_check_insert BEFORE INSERT, which fills in
-- the defaults of the keys a row lacks; attributes_check_update AFTER
-- UPDATE, which only checks: a BEFORE UPDATE row trigger would make every
-- UPDATE of the table lock its row as if its key changed, blocking the
-- foreign-key checks of rows that refer to it).  Refused: a tag that does
-- not exist (23503), an unknown key, a value of the wrong type and a
-- required key missing (23514, naming the key).  An inserted row without
-- tags or attributes is not checked unless insert_needs_attributes() says
-- a definition fills in or requires a key (then it costs one query); the
-- update trigger fires only when tags or attributes change.
CREATE FUNCTION mountaineer.attributes_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    missing  text;
    defaults jsonb;
    bad      record;
    existing text[];
    attrs    jsonb := NEW.attributes;
BEGIN
    -- a NULL tag, attributes that are not an object: the CHECKs refuse them
    IF array_position(NEW.tags, NULL) IS NOT NULL OR coalesce(jsonb_typeof(attrs), '') <> 'object' THEN
        RETURN NEW;
    END IF;
    IF NEW.tags <> '{}' AND (TG_OP = 'INSERT' OR NEW.tags IS DISTINCT FROM OLD.tags) THEN
        -- one query: the tags that exist, locked as a foreign key's check
        -- locks its row (a tag being deleted or renamed meanwhile is waited
        -- for, then missed)
        existing := ARRAY(SELECT name FROM mountaineer.tag WHERE name = ANY (NEW.tags) FOR KEY SHARE);
        IF NOT existing @> NEW.tags THEN
            SELECT t INTO missing FROM unnest(NEW.tags) t WHERE NOT t = ANY (existing) ORDER BY t LIMIT 1;
            RAISE EXCEPTION 'tag % does not exist', mountaineer.excerpt(missing)
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('%s.tags names tags of mountaineer.tag.', TG_TABLE_NAME),
                      HINT = 'Create the tag first: INSERT INTO mountaineer.tag (name) VALUES (...).';
        END IF;
    END IF;

    IF TG_OP = 'UPDATE' AND attrs IS NOT DISTINCT FROM OLD.attributes THEN
        RETURN NULL;
    END IF;
    -- the keys the row lacks (a JSON null is no value): their defaults (on
    -- insert), and the first required one without
    SELECT coalesce(jsonb_object_agg(d.key, d.default_value) FILTER (WHERE d.default_value IS NOT NULL AND TG_OP = 'INSERT'), '{}'),
           min(d.key) FILTER (WHERE d.required AND (d.default_value IS NULL OR TG_OP = 'UPDATE'))
      INTO defaults, missing
      FROM mountaineer.attribute_definition d
     WHERE d.table_name = TG_TABLE_NAME AND (d.required OR d.default_value IS NOT NULL)
       AND coalesce(attrs -> d.key, 'null') = 'null';
    attrs := attrs || defaults;
    -- unknown keys and wrong values first, then a required key missing
    IF attrs <> '{}' THEN
        SELECT e.key, e.value, d.id IS NOT NULL AS known, mountaineer.attribute_value_problem(d, e.value) AS problem
          INTO bad
          FROM jsonb_each(attrs) e
          LEFT JOIN mountaineer.attribute_definition d ON d.table_name = TG_TABLE_NAME AND d.key = e.key
         WHERE d.id IS NULL OR mountaineer.attribute_value_problem(d, e.value) IS NOT NULL
         ORDER BY e.key LIMIT 1;
        IF FOUND AND NOT bad.known THEN
            RAISE EXCEPTION 'unknown attribute % of %', mountaineer.excerpt(bad.key), TG_TABLE_NAME
                USING ERRCODE = 'check_violation',
                      DETAIL = coalesce('Its attributes are: ' || (SELECT string_agg(key, ', ' ORDER BY key) FROM mountaineer.attribute_definition
                                                                 WHERE table_name = TG_TABLE_NAME) || '.',
                                        format('No attribute of %s is defined.', TG_TABLE_NAME)),
                      HINT = 'Define it in mountaineer.attribute_definition first.';
        ELSIF FOUND THEN
            RAISE EXCEPTION 'attribute "%" of % must be %: %', bad.key, TG_TABLE_NAME, bad.problem,
                            CASE WHEN length(bad.value::text) <= 64 THEN bad.value::text
                                 WHEN jsonb_typeof(bad.value) = 'string' THEN mountaineer.excerpt(bad.value #>> '{}')
                                 ELSE mountaineer.excerpt(bad.value::text) END
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'attribute "%" of % is required', missing, TG_TABLE_NAME
            USING ERRCODE = 'check_violation',
                  DETAIL = format('mountaineer.attribute_definition says every %s carries "%s", and it has no default.', TG_TABLE_NAME, missing);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        RETURN NULL;   -- AFTER: the row is written
    END IF;
    NEW.attributes := attrs;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.attributes_check() IS
    'BEFORE INSERT and AFTER UPDATE OF tags, attributes row trigger attached by manage_attributes(): refuses a tag that does not exist (23503; the tags are locked FOR KEY SHARE, as a foreign key locks), an unknown key, a wrong value or a missing required key (23514, naming the key; a JSON null is no value); on insert fills in the defaults of the keys the row lacks.';
REVOKE EXECUTE ON FUNCTION mountaineer.attributes_check() FROM PUBLIC;

-- The tables manage_attributes() has equipped, found by the trigger it
-- attached (so a table another module adds later is found too).
CREATE FUNCTION mountaineer.attribute_tables() RETURNS SETOF regclass
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT t.tgrelid::regclass FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE t.tgname = 'attributes_check_insert' AND t.tgfoid = 'mountaineer.attributes_check()'::regprocedure
     ORDER BY c.relname
$$;

COMMENT ON FUNCTION mountaineer.attribute_tables() IS
    'The tables whose rows carry tags and attributes (those manage_attributes() has equipped), as regclass: attribute_definition.table_name names one of them (relname).';

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

CREATE FUNCTION mountaineer.manage_attributes(tbl regclass) RETURNS void
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
REVOKE EXECUTE ON FUNCTION mountaineer.manage_attributes(regclass) FROM PUBLIC;

-- Changing what rows carry rewrites them, in every table, as the owner
-- (SECURITY DEFINER: rows under row-level security too).  Outside READ
-- COMMITTED these changes are refused: their checks must see the rows
-- committed while they waited for their locks.
CREATE FUNCTION mountaineer.tag_apply() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tbl   regclass;
    n     bigint;
    names text[];
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'tag % can only be % under READ COMMITTED', mountaineer.excerpt(OLD.name),
                        CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'renamed' END
            USING ERRCODE = 'invalid_transaction_state',
                  DETAIL = 'The change must see the rows tagged while it waited.';
    END IF;
    FOR tbl IN SELECT * FROM mountaineer.attribute_tables() LOOP
        IF TG_OP = 'UPDATE' THEN
            EXECUTE format('UPDATE %s SET tags = array_replace(tags, $1, $2) WHERE tags @> ARRAY[$1]', tbl)
              USING OLD.name, NEW.name;
        ELSE
            EXECUTE format('SELECT count(*), (array_agg(l ORDER BY l))[1:10] FROM (SELECT %s AS l FROM %s t WHERE t.tags @> ARRAY[$1]) q',
                           coalesce(mountaineer.row_label(tbl, 't'), 't.slug'), tbl)
               INTO n, names USING OLD.name;
            IF n > 0 THEN
                RAISE EXCEPTION 'tag % cannot be deleted: % % row(s) carry it: %', mountaineer.excerpt(OLD.name), n,
                                (SELECT relname FROM pg_class WHERE oid = tbl),
                                array_to_string(names, ', ') || CASE WHEN n > 10 THEN ', ...' ELSE '' END
                    USING ERRCODE = 'foreign_key_violation',
                          HINT = 'Remove the tag from those rows first: UPDATE ... SET tags = array_remove(tags, ...).';
            END IF;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.tag_apply() IS
    'AFTER UPDATE OF name and AFTER DELETE row trigger on tag: a rename renames the tag in every row of every table of attribute_tables(); a delete is refused (23503) while rows carry the tag, naming up to ten of them. Both need READ COMMITTED (25000).';
REVOKE EXECUTE ON FUNCTION mountaineer.tag_apply() FROM PUBLIC;
CREATE TRIGGER tag_rename AFTER UPDATE OF name ON mountaineer.tag
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION mountaineer.tag_apply();
CREATE TRIGGER tag_delete AFTER DELETE ON mountaineer.tag
    FOR EACH ROW EXECUTE FUNCTION mountaineer.tag_apply();

-- A definition is checked, and applied to the rows already there, after
-- the table is locked in SHARE mode: writers of that table wait for it, and
-- it for them, so no row is written under the old definition after it
-- checked them.
CREATE FUNCTION mountaineer.attribute_definition_apply() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d       mountaineer.attribute_definition;
    tbl     regclass;
    problem text;
    n       bigint;
    names   text[];
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'attribute "%" of % can only be % under READ COMMITTED', NEW.key, NEW.table_name,
                        CASE TG_OP WHEN 'INSERT' THEN 'defined' ELSE 'changed' END
            USING ERRCODE = 'invalid_transaction_state',
                  DETAIL = 'The change must see the rows written while it waited.';
    END IF;
    d := NEW;
    IF TG_OP = 'UPDATE' AND NEW.table_name <> OLD.table_name THEN
        RAISE EXCEPTION 'attribute "%" of % cannot move to %', OLD.key, OLD.table_name, mountaineer.excerpt(NEW.table_name)
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Define it on the other table and delete this definition.';
    END IF;
    SELECT t INTO tbl FROM mountaineer.attribute_tables() t
     WHERE t = pg_catalog.to_regclass('mountaineer.' || quote_ident(NEW.table_name));
    IF tbl IS NULL THEN
        RAISE EXCEPTION 'table % has no attributes', mountaineer.excerpt(NEW.table_name)
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = 'table_name names a table of schema mountaineer that carries attributes: one of attribute_tables().';
    END IF;
    IF NEW.regex IS NOT NULL THEN
        PERFORM '' ~ NEW.regex;   -- 2201B for a regex that does not compile
    END IF;
    IF NEW.default_value IS NOT NULL THEN
        problem := mountaineer.attribute_value_problem(d, NEW.default_value);
        IF problem IS NOT NULL THEN
            RAISE EXCEPTION 'the default of attribute "%" of % must be %: %', NEW.key, NEW.table_name, problem,
                            CASE WHEN length(NEW.default_value::text) <= 64 THEN NEW.default_value::text ELSE mountaineer.excerpt(NEW.default_value::text) END
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    EXECUTE format('LOCK TABLE %s IN SHARE MODE', tbl);
    -- the rows that disagree with it (their value under the old key): a
    -- value it does not take, or none when it is required without a default
    EXECUTE format('SELECT count(*), (array_agg(l ORDER BY l))[1:10], min(p) FROM ('
                   'SELECT %s AS l, mountaineer.attribute_value_problem($2, t.attributes -> $1) AS p FROM %s t '
                   'WHERE CASE WHEN coalesce(t.attributes -> $1, ''null'') <> ''null'' THEN mountaineer.attribute_value_problem($2, t.attributes -> $1) IS NOT NULL '
                   'ELSE ($2).required AND ($2).default_value IS NULL END) q',
                   coalesce(mountaineer.row_label(tbl, 't'), 't.slug'), tbl)
       INTO n, names, problem USING coalesce(OLD.key, NEW.key), d;
    IF n > 0 THEN
        RAISE EXCEPTION 'attribute "%" of % cannot be % so: % row(s) disagree: %', NEW.key, NEW.table_name,
                        CASE TG_OP WHEN 'INSERT' THEN 'defined' ELSE 'changed' END, n,
                        array_to_string(names, ', ') || CASE WHEN n > 10 THEN ', ...' ELSE '' END
            USING ERRCODE = 'check_violation',
                  DETAIL = CASE WHEN problem IS NULL THEN 'It is required and has no default: every row must carry a value.'
                                ELSE format('Their value must be %s.', problem) END,
                  HINT = 'Correct those rows first, or give the definition a default.';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.key <> OLD.key THEN
        EXECUTE format('UPDATE %s SET attributes = attributes - $1 || jsonb_build_object($2, attributes -> $1) WHERE attributes ? $1', tbl)
          USING OLD.key, NEW.key;
    END IF;
    -- a new definition, or one made required, brings its default to the rows without the key
    IF NEW.default_value IS NOT NULL AND (TG_OP = 'INSERT' OR (NEW.required AND NOT OLD.required)) THEN
        EXECUTE format('UPDATE %s SET attributes = attributes || jsonb_build_object($1, $2) WHERE coalesce(attributes -> $1, ''null'') = ''null''', tbl)
          USING NEW.key, NEW.default_value;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.attribute_definition_apply() IS
    'AFTER INSERT OR UPDATE row trigger on attribute_definition: checks the table, the regex and the default; under a SHARE lock of the table applies the change to its rows (a renamed key renamed, a new or newly required definition''s default filled in) and refuses (23514, naming up to ten rows) when rows disagree with it. Needs READ COMMITTED (25000).';
REVOKE EXECUTE ON FUNCTION mountaineer.attribute_definition_apply() FROM PUBLIC;
CREATE TRIGGER attribute_definition_apply AFTER INSERT OR UPDATE ON mountaineer.attribute_definition
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.attribute_definition'))
    EXECUTE FUNCTION mountaineer.attribute_definition_apply();

-- Deleted definitions take their keys out of the rows, every key of one
-- table at once (once per statement: the rows are checked against what is
-- left, so a key deleted in the same statement must go with them).
CREATE FUNCTION mountaineer.attribute_definition_remove() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g   record;
    tbl regclass;
BEGIN
    FOR g IN SELECT table_name, array_agg(key ORDER BY key) AS keys FROM gone GROUP BY table_name ORDER BY table_name LOOP
        IF current_setting('transaction_isolation') <> 'read committed' THEN
            RAISE EXCEPTION 'attribute "%" of % can only be deleted under READ COMMITTED', g.keys[1], g.table_name
                USING ERRCODE = 'invalid_transaction_state',
                      DETAIL = 'The change must see the rows written while it waited.';
        END IF;
        tbl := pg_catalog.to_regclass('mountaineer.' || quote_ident(g.table_name));
        IF tbl IS NOT NULL THEN
            EXECUTE format('LOCK TABLE %s IN SHARE MODE', tbl);
            EXECUTE format('UPDATE %s SET attributes = attributes - $1 WHERE attributes ?| $1', tbl) USING g.keys;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.attribute_definition_remove() IS
    'AFTER DELETE ... REFERENCING OLD TABLE AS gone statement trigger on attribute_definition: under a SHARE lock of each table takes the deleted keys out of its rows. Needs READ COMMITTED (25000).';
REVOKE EXECUTE ON FUNCTION mountaineer.attribute_definition_remove() FROM PUBLIC;
CREATE TRIGGER attribute_definition_remove AFTER DELETE ON mountaineer.attribute_definition
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.attribute_definition_remove();
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
COMMENT ON FUNCTION mountaineer.import_rows(text, text, regclass, jsonb, boolean, jsonb) IS
    'Imports a batch of rows of one kind from one source into a table: rows is a JSON array of {"key": the source''s key, "row": {column: value}, "path": where it was in the source document (for errors)}. A new key inserts a row (the columns not given take their defaults); a known one updates only the columns that differ (an unchanged re-import writes nothing: no change-log row, no NOTIFY). With prune, the rows of keys absent from the batch are deleted, or, when another row refers to one and on_prune is given, updated with on_prune''s values (e.g. {"status": "offline"}). One import per source and kind at a time; returns one row: the kind and how many rows were inserted, updated, unchanged and removed.';
REVOKE EXECUTE ON FUNCTION mountaineer.import_rows(text, text, regclass, jsonb, boolean, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.import_rows(text, text, regclass, jsonb, boolean, jsonb) TO mountaineer_editor;
-- End: imports (1.5)

-- == import speed (1.6) ==
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
