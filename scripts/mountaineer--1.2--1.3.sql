-- mountaineer 1.2 -> 1.3: the change log is written once per statement
-- (statement-level triggers with transition tables) and notifies once per
-- statement, table and operation; a durable event outbox for consumers that
-- must not miss a change (events_since, events_ack); retention
-- (prune_changes).
\echo Use "ALTER EXTENSION mountaineer UPDATE TO '1.3'" to load this file. \quit

-- Begin: the set-based change log and one notification per statement.
COMMENT ON TABLE mountaineer.change IS
    'Every insert, update, delete and truncate of every inventory row, written by the triggers log_insert(), log_update(), log_delete() and log_truncate() (or log_change(), row by row, on a table that carries it). Read with history() and as_of().';
COMMENT ON FUNCTION mountaineer.log_change() IS
    'AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW trigger, for tables that attach it themselves (manage_table() attaches log_insert(), log_update() and log_delete() instead, which record the same once per statement): records the change in mountaineer.change (an update only its changed columns, a no-op update nothing) with the claimed actor, the login and the acting role, and sends NOTIFY mountaineer {"table","op","id","slug"}.';

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
CREATE FUNCTION mountaineer.change_payload(table_name text, op text, n bigint, ids uuid[]) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    room int;
BEGIN
    IF n = 1 THEN                   -- one row: the payload of the row trigger
        RETURN json_build_object('table', table_name, 'op', op, 'id', ids[1], 'slug', mountaineer.slug(ids[1]))::text;
    END IF;
    -- as many ids as fit under NOTIFY's 8000-byte limit, each taking 39
    -- bytes (its quotes and a comma), counted as if "truncated" were there
    room := (8000 - octet_length(json_build_object('table', table_name, 'op', op, 'count', n,
                                                   'ids', '{}'::uuid[], 'truncated', true)::text)) / 39;
    IF n <= room AND cardinality(ids) >= n THEN
        RETURN json_build_object('table', table_name, 'op', op, 'count', n, 'ids', ids[1:n])::text;
    END IF;
    RETURN json_build_object('table', table_name, 'op', op, 'count', n, 'ids', ids[1:least(room, n)], 'truncated', true)::text;
END
$$;
COMMENT ON FUNCTION mountaineer.change_payload(text, text, bigint, uuid[]) IS
    'For the change-log triggers: the NOTIFY mountaineer payload for n changed rows of a table (ids: their ids, or the first of them): {"table","op","id","slug"} for one row, else {"table","op","count","ids"} with as many ids as fit in 8000 bytes and "truncated": true when some were left out.';
REVOKE EXECUTE ON FUNCTION mountaineer.change_payload(text, text, bigint, uuid[]) FROM PUBLIC;

CREATE FUNCTION mountaineer.log_insert() RETURNS trigger
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
COMMENT ON FUNCTION mountaineer.log_insert() IS
    'AFTER INSERT ... REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT trigger (attached by manage_table() as log_insert): records every inserted row in mountaineer.change (after = the row) in order of id, with the claimed actor, the login and the acting role, and sends one NOTIFY mountaineer (change_payload()).';
REVOKE EXECUTE ON FUNCTION mountaineer.log_insert() FROM PUBLIC;

-- Old and new rows are paired by id.  Plans are kept for the session, so
-- a statement of one row takes a short way of its own, and the others pair
-- rows by a full join, which PostgreSQL makes by hashing or merging: an
-- inner join planned for one row would be a nested loop, quadratic for the
-- statement of 100,000 rows that came later.
CREATE FUNCTION mountaineer.log_update() RETURNS trigger
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
        SELECT jsonb_object_agg(e.key, e.value), jsonb_object_agg(e.key, new_row -> e.key) INTO b, a
          FROM jsonb_each(old_row) e
         WHERE new_row -> e.key IS DISTINCT FROM e.value;
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
            SELECT who, TG_TABLE_SCHEMA, TG_TABLE_NAME, j.id, 'update', d.b, d.a, session_user, role
              FROM (SELECT o.id, to_jsonb(o) AS oj, to_jsonb(r) AS nj
                      FROM old_rows o FULL JOIN new_rows r ON r.id = o.id
                    OFFSET 0) j                    -- each row's jsonb made once
             CROSS JOIN LATERAL (SELECT jsonb_object_agg(e.key, e.value) AS b, jsonb_object_agg(e.key, j.nj -> e.key) AS a
                                   FROM jsonb_each(j.oj) e
                                  WHERE j.nj -> e.key IS DISTINCT FROM e.value) d
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
COMMENT ON FUNCTION mountaineer.log_update() IS
    'AFTER UPDATE ... REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT trigger (attached by manage_table() as log_update): records every row that changed in mountaineer.change (before and after = its changed columns, old and new values; a row that did not change, nothing) in order of id, and sends one NOTIFY mountaineer (change_payload()). Pairs old and new rows by id: the table must keep its ids ("A_refuse_id_change").';
REVOKE EXECUTE ON FUNCTION mountaineer.log_update() FROM PUBLIC;

CREATE FUNCTION mountaineer.log_delete() RETURNS trigger
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
COMMENT ON FUNCTION mountaineer.log_delete() IS
    'AFTER DELETE ... REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT trigger (attached by manage_table() as log_delete): records every deleted row in mountaineer.change (before = the row) in order of id, and sends one NOTIFY mountaineer (change_payload()).';
REVOKE EXECUTE ON FUNCTION mountaineer.log_delete() FROM PUBLIC;

CREATE OR REPLACE FUNCTION mountaineer.manage_table(tbl regclass) RETURNS void
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

-- Every table that manage_table() gave the row trigger log_change (AFTER
-- INSERT OR UPDATE OR DELETE FOR EACH ROW, on a table an extension
-- registers: manage_table() runs only in extension scripts) gets the
-- statement-level triggers instead, the modules' tables included.  A
-- log_change that was disabled, or set to fire on replicas or always, leaves
-- the three in that state.  Tables that attached log_change() themselves
-- keep it: it is unchanged.
DO $replace$
DECLARE
    t record;
    g text;
BEGIN
    FOR t IN
        SELECT tg.tgrelid::pg_catalog.regclass AS tbl, tg.tgenabled
          FROM pg_catalog.pg_trigger tg
         WHERE tg.tgname = 'log_change' AND NOT tg.tgisinternal
           AND tg.tgfoid = 'mountaineer.log_change()'::pg_catalog.regprocedure
           AND tg.tgtype = 29                     -- ROW | INSERT | DELETE | UPDATE, AFTER
           AND tg.tgqual IS NULL AND tg.tgattr = ''::pg_catalog.int2vector
           AND EXISTS (SELECT FROM pg_catalog.pg_extension e WHERE tg.tgrelid = ANY (e.extconfig))
         ORDER BY tg.tgrelid::pg_catalog.regclass::text
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER log_change ON %s', t.tbl);
        EXECUTE pg_catalog.format('CREATE TRIGGER log_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                                  'FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_insert()', t.tbl);
        EXECUTE pg_catalog.format('CREATE TRIGGER log_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                                  'FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_update()', t.tbl);
        EXECUTE pg_catalog.format('CREATE TRIGGER log_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                                  'FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_delete()', t.tbl);
        IF t.tgenabled <> 'O' THEN
            FOREACH g IN ARRAY ARRAY['log_insert', 'log_update', 'log_delete'] LOOP
                EXECUTE pg_catalog.format('ALTER TABLE %s %s TRIGGER %I', t.tbl,
                                          CASE t.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA'
                                                           ELSE 'ENABLE ALWAYS' END, g);
            END LOOP;
        END IF;
    END LOOP;
END
$replace$;
-- End: the set-based change log and one notification per statement.

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
-- lower key is as safe: it only holds consumers back longer).
CREATE FUNCTION mountaineer.outbox_writer_lock() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    hint    text := current_setting('mountaineer.outbox_key', true);
    next_id bigint;
    k       bigint;
BEGIN
    IF TG_WHEN <> 'BEFORE' OR TG_LEVEL <> 'STATEMENT' OR TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'outbox_writer_lock() must be a BEFORE INSERT ... FOR EACH STATEMENT trigger (on %.%)',
            TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- a restore brings the ids with the rows
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;
    END IF;
    -- readers count only the locks of transactions that have an id
    PERFORM pg_current_xact_id();
    -- the next id is above the last one given out (NULL: none yet)
    next_id := coalesce(pg_sequence_last_value('mountaineer.change_id_seq'::regclass), 0) + 1;
    k := CASE WHEN hint ~ '^[0-9]{1,15}$' AND hint::bigint <= next_id THEN hint::bigint ELSE next_id END;
    k := least(k, 281474976710655);          -- 2^48 - 1: the last key of the range
    -- one who holds a key exclusively (any role may) makes us take a lower one
    LOOP
        EXIT WHEN pg_try_advisory_xact_lock_shared(5572078638964146176 + k);   -- 'MT' << 48
        IF k = 0 THEN
            PERFORM pg_advisory_xact_lock_shared(5572078638964146176);
            EXIT;
        END IF;
        k := k - 1;
    END LOOP;
    IF hint IS DISTINCT FROM k::text THEN
        PERFORM set_config('mountaineer.outbox_key', k::text, true);
    END IF;
    RETURN NULL;
END
$$;
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
