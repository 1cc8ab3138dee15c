-- mountaineer 1.0: the core of the Mountaineer operations inventory.
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
    op          text        NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    before      jsonb,
    after       jsonb,
    CHECK ((before IS NULL) = (op = 'insert')),
    CHECK ((after IS NULL) = (op = 'delete'))
);
CREATE INDEX change_row_idx ON mountaineer.change (row_id, id);
CREATE INDEX change_at_idx ON mountaineer.change USING brin (at);

COMMENT ON TABLE mountaineer.change IS
    'Every insert, update and delete of every inventory row, written by the log_change() trigger. Read with history() and as_of().';
COMMENT ON COLUMN mountaineer.change.at IS 'Start of the writing transaction (all changes of one transaction share it).';
COMMENT ON COLUMN mountaineer.change.txid IS 'The writing transaction''s id (txid_current()).';
COMMENT ON COLUMN mountaineer.change.actor IS 'Who made the change: mountaineer.actor() at the time.';
COMMENT ON COLUMN mountaineer.change.schema_name IS 'Schema of the changed table.';
COMMENT ON COLUMN mountaineer.change.table_name IS 'Name of the changed table, without schema.';
COMMENT ON COLUMN mountaineer.change.row_id IS 'The changed row''s id.';
COMMENT ON COLUMN mountaineer.change.op IS 'insert, update or delete.';
COMMENT ON COLUMN mountaineer.change.before IS 'delete: the whole row; update: only the changed columns, old values; insert: NULL.';
COMMENT ON COLUMN mountaineer.change.after IS 'insert: the whole row; update: only the changed columns, new values; delete: NULL.';

SELECT pg_catalog.pg_extension_config_dump('mountaineer.change', '');
SELECT pg_catalog.pg_extension_config_dump('mountaineer.change_id_seq', '');

GRANT SELECT ON mountaineer.change TO mountaineer_reader;
GRANT DELETE ON mountaineer.change TO mountaineer_admin;

-- SECURITY DEFINER so that editors write the log only through this trigger
-- and never directly; session_user (not current_user) still names them.
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
REVOKE EXECUTE ON FUNCTION mountaineer.log_change() FROM PUBLIC;

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
    LANGUAGE plpgsql STABLE PARALLEL SAFE
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
                     WHEN 'delete' THEN c.before
                     ELSE coalesce(state, '{}') || c.before
                 END;
    END LOOP;
    RETURN state;
END
$$;
COMMENT ON FUNCTION mountaineer.as_of(regclass, uuid, timestamptz) IS
    'The row as it stood at that moment, as jsonb; NULL when it did not exist then.';

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
    EXECUTE format('GRANT SELECT ON %s TO mountaineer_reader', tbl);
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON %s TO mountaineer_editor', tbl);
END
$$;
COMMENT ON FUNCTION mountaineer.manage_table(regclass) IS
    'For module install scripts: registers an inventory table for pg_dump, attaches the change-log trigger and grants it to the three roles.';
REVOKE EXECUTE ON FUNCTION mountaineer.manage_table(regclass) FROM PUBLIC;

--------------------------------------------------------------------------
-- rackspan: rack units and face (src/rackspan.c)
--------------------------------------------------------------------------
-- BEGIN rackspan
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
-- END cidr
