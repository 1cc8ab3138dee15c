-- mountaineer 1.6 -> 1.7: an import's prune is a set difference, never a
-- nested loop over the stage; login() signs the web interface's tokens;
-- api_pre_request() keeps internal helpers out of the REST API.
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
