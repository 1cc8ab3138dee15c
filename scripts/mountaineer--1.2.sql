-- mountaineer 1.2: the core of the Mountaineer operations inventory.
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
CREATE FUNCTION mountaineer.actor() RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    claims text := nullif(current_setting('request.jwt.claims', true), '');
    who    text;
BEGIN
    IF claims IS NOT NULL THEN
        who := nullif(claims::jsonb ->> 'sub', '');
        IF who IS NOT NULL THEN
            RETURN who;
        END IF;
    END IF;
    RETURN coalesce(nullif(current_setting('mountaineer.actor', true), ''), session_user::text);
END
$$;
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
    'Every insert, update and delete of every inventory row, written by the log_change() trigger. Read with history() and as_of().';
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
    'AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW trigger: records the change in mountaineer.change (an update only its changed columns, a no-op update nothing) with the claimed actor, the login and the acting role, and sends NOTIFY mountaineer {"table","op","id","slug"}.';

REVOKE EXECUTE ON FUNCTION mountaineer.log_change() FROM PUBLIC;

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
        WHEN bool_or(attname = 'start_address') AND bool_or(attname = 'end_address')
            THEN format('host(%1$I.start_address) || '' - '' || host(%1$I.end_address)', alias)
    END
    FROM pg_attribute WHERE attrelid = tbl AND attnum > 0 AND NOT attisdropped
$$;
COMMENT ON FUNCTION mountaineer.row_label(regclass, text) IS
    'For refuse_delete_referenced(): the SQL expression (over the alias given) that names a row of the table in messages: its hostname, name, prefix, address or start - end range; NULL when it has none of them.';

CREATE FUNCTION mountaineer.refuse_delete_referenced() RETURNS trigger
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
