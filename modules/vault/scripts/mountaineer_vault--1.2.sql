-- mountaineer_vault 1.2: HashiCorp Vault transit ciphertexts in safes, and
-- which hosts may read them, decided by the database (row-level security).
-- No plaintext ever reaches this database: a host fetches its ciphertexts
-- and decrypts them with Vault (transit/decrypt), which holds the keys.
-- 1.1: tags and attributes on its inventory tables (needs mountaineer 1.5).
-- 1.2: a refused ciphertext is kept out of the server log too (the STATEMENT
-- line of the error): vault_refuse_ciphertext(); host_secrets() admits a
-- host's login only while it is a member of mountaineer_host, as the
-- policies do.
\echo Use "CREATE EXTENSION mountaineer_vault CASCADE" to load this file. \quit

-- it uses the core's 1.5 (manage_attributes(); and 1.3's change log written
-- once per statement, 1.2's acting_role(), excerpt(), is_valid_name()).
-- 1.2: the check asks for what 1.1 on uses, and names this version
DO $$
BEGIN
    IF pg_catalog.to_regprocedure('mountaineer.manage_attributes(regclass)') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_vault 1.2 needs mountaineer 1.5'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE first.';
    END IF;
END
$$;

--------------------------------------------------------------------------
-- The group role of host logins.  Cluster-wide, so created only when
-- absent (as the core's three roles are) and kept by DROP EXTENSION.  It is
-- not a member of mountaineer_reader: a host reads its own secrets (and the
-- safes they are in), nothing else of the inventory.
--------------------------------------------------------------------------
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'mountaineer_host') THEN
        CREATE ROLE mountaineer_host NOLOGIN;
    END IF;
END
$roles$;
GRANT USAGE ON SCHEMA mountaineer TO mountaineer_host;

--------------------------------------------------------------------------
-- Ciphertexts: vault:v<N>:<base64>, as transit/encrypt returns them.
--------------------------------------------------------------------------
-- What is wrong with a would-be ciphertext, in words that never quote it
-- (it may be a plaintext pasted by mistake); NULL when it is well formed.
CREATE FUNCTION mountaineer.vault_ciphertext_problem(ciphertext text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m   text[];
    raw bytea;
BEGIN
    IF length(ciphertext) > 65536 THEN
        RETURN format('It has %s characters; a ciphertext here has at most 65536.', length(ciphertext));
    END IF;
    m := regexp_match(ciphertext, '^vault:v([0-9]+):(.*)$');
    IF m IS NULL THEN
        RETURN 'It does not start with "vault:v<N>:".';
    ELSIF m[1] !~ '^[1-9][0-9]{0,8}$' THEN
        RETURN 'Its key version is not a whole number from 1 to 999999999 without leading zeros.';
    ELSIF m[2] !~ '^[A-Za-z0-9+/]*={0,2}$' OR length(m[2]) % 4 <> 0 THEN
        RETURN 'What follows the key version is not base64 (A-Z a-z 0-9 + /, padded with = to a multiple of 4 characters).';
    END IF;
    -- the shape above is what decode() accepts: it cannot fail here
    raw := decode(m[2], 'base64');
    IF replace(encode(raw, 'base64'), E'\n', '') <> m[2] THEN
        RETURN 'What follows the key version is not canonical base64 (its padding bits are not zero).';
    ELSIF length(raw) < 28 THEN
        RETURN format('It decodes to %s bytes, fewer than the 28 of a nonce and an authentication tag.', length(raw));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.vault_ciphertext_problem(text) IS
    'What is wrong with a would-be Vault transit ciphertext, without quoting it (it may be a plaintext pasted by mistake); NULL when it has the form vault:v<N>:<base64> (N from 1, canonical base64 of at least 28 bytes: nonce and tag, at most 65536 characters in all).';

CREATE FUNCTION mountaineer.is_vault_ciphertext(ciphertext text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN mountaineer.vault_ciphertext_problem(ciphertext) IS NULL;
COMMENT ON FUNCTION mountaineer.is_vault_ciphertext(text) IS
    'Whether a text has the form of a Vault transit ciphertext, vault:v<N>:<base64> (see vault_ciphertext_problem()).';

CREATE FUNCTION mountaineer.vault_key_version(ciphertext text) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (substring(ciphertext FROM '^vault:v([1-9][0-9]{0,8}):'))::integer;
COMMENT ON FUNCTION mountaineer.vault_key_version(text) IS
    'The key version N of a Vault transit ciphertext vault:v<N>:...; NULL when the text does not start so.';

--------------------------------------------------------------------------
-- Safes, secrets, grants, host logins.
--------------------------------------------------------------------------
CREATE TYPE mountaineer.safe_permission AS ENUM ('read', 'write');
COMMENT ON TYPE mountaineer.safe_permission IS
    'What a grant on a safe lets a host do with its secrets: read them, or also write (insert, update, delete) them. write includes read.';

CREATE TABLE mountaineer.safe (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL UNIQUE CONSTRAINT safe_name_check CHECK (mountaineer.is_valid_name(name)),
    description text CONSTRAINT safe_description_check CHECK (mountaineer.is_valid_name(description, 200))
);
COMMENT ON TABLE mountaineer.safe IS
    'A named set of secrets, granted as a whole to hosts, roles or environments (safe_access). Editors manage safes; a host sees only the safes granted to it.';
COMMENT ON COLUMN mountaineer.safe.id IS 'The safe''s id.';
COMMENT ON COLUMN mountaineer.safe.slug IS 'The id''s 22-character URL-safe form.';
COMMENT ON COLUMN mountaineer.safe.name IS 'The safe''s name, unique.';
COMMENT ON COLUMN mountaineer.safe.description IS 'What the safe holds, one line of at most 200 characters.';
SELECT mountaineer.manage_table('mountaineer.safe');

CREATE TABLE mountaineer.secret (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    safe_id     uuid NOT NULL REFERENCES mountaineer.safe ON DELETE RESTRICT,
    name        text NOT NULL CONSTRAINT secret_name_check CHECK (mountaineer.is_valid_name(name)),
    -- secret_check() refuses a malformed ciphertext first, without quoting
    -- it; this constraint is what holds when that trigger stands aside (a
    -- restore)
    ciphertext  text NOT NULL CONSTRAINT secret_ciphertext_check CHECK (mountaineer.is_vault_ciphertext(ciphertext)),
    key_name    text NOT NULL CONSTRAINT secret_key_name_check CHECK (key_name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'),
    key_version integer GENERATED ALWAYS AS (mountaineer.vault_key_version(ciphertext)) STORED,
    created_at  timestamptz NOT NULL DEFAULT now(),
    rotated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT secret_safe_id_name_key UNIQUE (safe_id, name)
);
COMMENT ON TABLE mountaineer.secret IS
    'A secret as a Vault transit ciphertext (never its plaintext), in a safe. Row-level security: admins see every secret; a member of mountaineer_host sees the secrets of the safes granted to its host, its roles or its environment (and writes them where the grant says write); no one else sees any. The change log records its ciphertexts as their key version only ("vault:v<N>").';
COMMENT ON COLUMN mountaineer.secret.id IS 'The secret''s id.';
COMMENT ON COLUMN mountaineer.secret.slug IS 'The id''s 22-character URL-safe form.';
COMMENT ON COLUMN mountaineer.secret.safe_id IS 'The safe the secret is in; a safe that holds secrets cannot be deleted.';
COMMENT ON COLUMN mountaineer.secret.name IS 'The secret''s name, unique within its safe (e.g. the pillar key it becomes).';
COMMENT ON COLUMN mountaineer.secret.ciphertext IS 'What Vault''s transit/encrypt returned: vault:v<N>:<base64>. Anything else is refused (23514) without being quoted. Decrypt it with transit/decrypt/<key_name>.';
COMMENT ON COLUMN mountaineer.secret.key_name IS 'The name of the Vault transit key that encrypted it (transit/decrypt/<key_name>).';
COMMENT ON COLUMN mountaineer.secret.key_version IS 'The key version N of the ciphertext, derived from it. A rewrap moves it up; it never moves down under the same key.';
COMMENT ON COLUMN mountaineer.secret.created_at IS 'When the secret was stored; it never changes.';
COMMENT ON COLUMN mountaineer.secret.rotated_at IS 'When its current ciphertext was written (set on every change of the ciphertext: a rewrap or a new value).';
SELECT mountaineer.manage_table('mountaineer.secret');
-- editors manage safes and grants, not secrets; hosts write only where a
-- grant says write (row-level security below)
REVOKE INSERT, UPDATE, DELETE ON mountaineer.secret FROM mountaineer_editor;
GRANT INSERT, UPDATE, DELETE ON mountaineer.secret TO mountaineer_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON mountaineer.secret TO mountaineer_host;
GRANT SELECT ON mountaineer.safe TO mountaineer_host;
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON mountaineer.safe
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();

-- The refusal of a malformed ciphertext (1.2).  The error quotes nothing,
-- but under it the server log would print the statement as the client typed
-- it (log_min_error_statement, "error" by default), value and all.  This
-- function raises it with that setting at panic: a superuser's setting, so
-- SECURITY DEFINER (the extension's owner is one).  A function's setting
-- holds until the (sub)transaction that the error ends is rolled back, and
-- the server logs an uncaught error before that, so the STATEMENT line is
-- left out; the ERROR, DETAIL, HINT and CONTEXT lines are logged as usual.
-- It raises only for a malformed ciphertext, so anyone may call it.
CREATE FUNCTION mountaineer.vault_refuse_ciphertext(secret_name text, ciphertext text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SECURITY DEFINER   -- a function's SET may run in a parallel worker
    SET search_path = pg_catalog, pg_temp
    SET log_min_error_statement = panic
AS $$
DECLARE
    problem text := mountaineer.vault_ciphertext_problem(ciphertext);
BEGIN
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION 'the ciphertext of secret % is not a Vault transit ciphertext', mountaineer.excerpt(secret_name)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'secret_ciphertext_check',
                  TABLE = 'secret', SCHEMA = 'mountaineer',
                  DETAIL = problem || ' (The value is not shown: it may be a secret.)',
                  HINT = 'Store what "vault write transit/encrypt/<key> plaintext=..." returns, vault:v<N>:<base64>; never a plaintext.';
    END IF;
END
$$;
COMMENT ON FUNCTION mountaineer.vault_refuse_ciphertext(text, text) IS
    'Internal, for secret_check(): refuses a malformed Vault transit ciphertext (23514 secret_ciphertext_check, naming the secret, never quoting the value; DETAIL says what is wrong), with log_min_error_statement at panic so that the server log does not print the statement under the error either; does nothing for a well-formed (or NULL) one.';

-- A ciphertext is checked before any constraint can quote the row; the
-- times are the database's; a rewrap goes forward only.
CREATE FUNCTION mountaineer.secret_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.ciphertext IS NULL THEN
        RAISE EXCEPTION 'secret % needs a ciphertext', mountaineer.excerpt(NEW.name)
            USING ERRCODE = 'not_null_violation', COLUMN = 'ciphertext', TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    -- refused without a word of it, in the server log too (1.2)
    IF NOT mountaineer.is_vault_ciphertext(NEW.ciphertext) THEN
        PERFORM mountaineer.vault_refuse_ciphertext(NEW.name, NEW.ciphertext);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.created_at := OLD.created_at;
        NEW.rotated_at := CASE WHEN NEW.ciphertext IS DISTINCT FROM OLD.ciphertext THEN now() ELSE OLD.rotated_at END;
        IF NEW.key_name = OLD.key_name
           AND mountaineer.vault_key_version(NEW.ciphertext) < mountaineer.vault_key_version(OLD.ciphertext) THEN
            RAISE EXCEPTION 'secret % cannot go from version % to version % of key %', mountaineer.excerpt(NEW.name),
                mountaineer.vault_key_version(OLD.ciphertext), mountaineer.vault_key_version(NEW.ciphertext),
                mountaineer.excerpt(NEW.key_name)
                USING ERRCODE = 'check_violation', TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA,
                      HINT = 'A rewrap (transit/rewrap) moves a ciphertext to a newer key version, never to an older one.';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.secret_check() IS
    'BEFORE INSERT OR UPDATE row trigger of secret: refuses a ciphertext that is not vault:v<N>:<base64> (23514, without quoting it), keeps created_at, sets rotated_at when the ciphertext changes, and refuses to lower the key version under the same key (23514).';
REVOKE EXECUTE ON FUNCTION mountaineer.secret_check() FROM PUBLIC;
-- named to run before any other BEFORE trigger a user adds
CREATE TRIGGER "A_secret_check" BEFORE INSERT OR UPDATE ON mountaineer.secret
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.secret'))
    EXECUTE FUNCTION mountaineer.secret_check();

CREATE TABLE mountaineer.safe_access (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug           text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    safe_id        uuid NOT NULL REFERENCES mountaineer.safe ON DELETE CASCADE,
    host_id        uuid REFERENCES mountaineer.host ON DELETE CASCADE,
    role_id        uuid REFERENCES mountaineer.role ON DELETE CASCADE,
    environment_id uuid REFERENCES mountaineer.environment ON DELETE CASCADE,
    permission     mountaineer.safe_permission NOT NULL DEFAULT 'read',
    CONSTRAINT safe_access_one_grantee CHECK (num_nonnulls(host_id, role_id, environment_id) = 1),
    CONSTRAINT safe_access_grantee_key UNIQUE NULLS NOT DISTINCT (safe_id, host_id, role_id, environment_id)
);
CREATE INDEX safe_access_host_idx ON mountaineer.safe_access (host_id);
CREATE INDEX safe_access_role_idx ON mountaineer.safe_access (role_id);
CREATE INDEX safe_access_environment_idx ON mountaineer.safe_access (environment_id);
COMMENT ON TABLE mountaineer.safe_access IS
    'A grant of a safe to exactly one of a host, a role (every host that has it) or an environment (every host in it), to read or to write its secrets. Once per safe and grantee. Editors manage grants; safe_host_access shows what they add up to.';
COMMENT ON COLUMN mountaineer.safe_access.id IS 'The grant''s id.';
COMMENT ON COLUMN mountaineer.safe_access.slug IS 'The id''s 22-character URL-safe form.';
COMMENT ON COLUMN mountaineer.safe_access.safe_id IS 'The safe granted; its grants go with it.';
COMMENT ON COLUMN mountaineer.safe_access.host_id IS 'The host it is granted to (or NULL); the grant goes with the host.';
COMMENT ON COLUMN mountaineer.safe_access.role_id IS 'The role whose hosts it is granted to (or NULL); the grant goes with the role.';
COMMENT ON COLUMN mountaineer.safe_access.environment_id IS 'The environment whose hosts it is granted to (or NULL); the grant goes with the environment.';
COMMENT ON COLUMN mountaineer.safe_access.permission IS 'read, or write (insert, update and delete the safe''s secrets, and read them).';
SELECT mountaineer.manage_table('mountaineer.safe_access');

CREATE TABLE mountaineer.host_login (
    id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug    text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    login   text NOT NULL CONSTRAINT host_login_login_key UNIQUE
            CONSTRAINT host_login_login_check CHECK (mountaineer.is_valid_name(login, 63) AND octet_length(login) <= 63
                                                     AND login NOT IN ('mountaineer_reader', 'mountaineer_editor',
                                                                       'mountaineer_admin', 'mountaineer_host')),
    host_id uuid NOT NULL REFERENCES mountaineer.host ON DELETE CASCADE
);
CREATE INDEX host_login_host_idx ON mountaineer.host_login (host_id);
COMMENT ON TABLE mountaineer.host_login IS
    'Which host a database role acts for: a member of mountaineer_host whose current_user is login reads the secrets granted to host_id. Admins write it (create_host_login() also makes the role); the mapping goes with its host.';
COMMENT ON COLUMN mountaineer.host_login.id IS 'The mapping''s id.';
COMMENT ON COLUMN mountaineer.host_login.slug IS 'The id''s 22-character URL-safe form.';
COMMENT ON COLUMN mountaineer.host_login.login IS 'The database role''s name (at most 63 bytes, as PostgreSQL''s names), unique: one role acts for one host. Never one of the mountaineer_* group roles, which any of their members could switch to.';
COMMENT ON COLUMN mountaineer.host_login.host_id IS 'The host that role acts for; a host may have several logins.';
SELECT mountaineer.manage_table('mountaineer.host_login');
-- the mapping decides who reads what: admins only
REVOKE INSERT, UPDATE, DELETE ON mountaineer.host_login FROM mountaineer_editor;
GRANT INSERT, UPDATE, DELETE ON mountaineer.host_login TO mountaineer_admin;

--------------------------------------------------------------------------
-- What the grants add up to, and row-level security.
--------------------------------------------------------------------------
CREATE VIEW mountaineer.safe_host_access WITH (security_invoker = true) AS
SELECT h.id AS host_id, h.hostname, s.id AS safe_id, s.name AS safe,
       max(g.permission) AS permission,
       array_agg(DISTINCT g.via ORDER BY g.via) AS via
FROM (SELECT a.safe_id, a.host_id, a.permission, 'host' AS via
        FROM mountaineer.safe_access a WHERE a.host_id IS NOT NULL
      UNION ALL
      SELECT a.safe_id, hr.host_id, a.permission, 'role ' || r.name
        FROM mountaineer.safe_access a
        JOIN mountaineer.host_role hr ON hr.role_id = a.role_id
        JOIN mountaineer.role r ON r.id = a.role_id
      UNION ALL
      SELECT a.safe_id, h.id, a.permission, 'environment ' || e.name
        FROM mountaineer.safe_access a
        JOIN mountaineer.host h ON h.environment_id = a.environment_id
        JOIN mountaineer.environment e ON e.id = a.environment_id) g
JOIN mountaineer.host h ON h.id = g.host_id
JOIN mountaineer.safe s ON s.id = g.safe_id
GROUP BY h.id, h.hostname, s.id, s.name;
COMMENT ON VIEW mountaineer.safe_host_access IS
    'Each host and each safe granted to it, directly, through one of its roles or through its environment: the strongest permission of those grants and where they come from (via: "host", "role <name>", "environment <name>"). What row-level security on secret lets that host''s logins see.';
COMMENT ON COLUMN mountaineer.safe_host_access.host_id IS 'The host''s id.';
COMMENT ON COLUMN mountaineer.safe_host_access.hostname IS 'The host''s name.';
COMMENT ON COLUMN mountaineer.safe_host_access.safe_id IS 'The safe''s id.';
COMMENT ON COLUMN mountaineer.safe_host_access.safe IS 'The safe''s name.';
COMMENT ON COLUMN mountaineer.safe_host_access.permission IS 'The strongest permission of the grants that reach the host: read, or write.';
COMMENT ON COLUMN mountaineer.safe_host_access.via IS 'Where the grants come from, sorted: "host" (granted to it directly), "role <name>", "environment <name>".';
GRANT SELECT ON mountaineer.safe_host_access TO mountaineer_reader;

-- The policies' one question: which safes the acting role's host may read
-- or write.  SECURITY DEFINER, so that a host needs no privilege on the
-- grants, logins or hosts; it asks acting_role(), which is current_user as
-- the calling query has it (SET ROLE included, as PostgREST switches) and
-- which no setting or claim changes.
CREATE FUNCTION mountaineer.current_host_safes() RETURNS TABLE (safe_id uuid, permission mountaineer.safe_permission)
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
    -- one host per login; compared with a value, the host goes down into
    -- the view's grouping, so only that host's grants are read
    SELECT a.safe_id, a.permission
      FROM mountaineer.safe_host_access a
     WHERE a.host_id = (SELECT l.host_id FROM mountaineer.host_login l WHERE l.login = mountaineer.acting_role())
$$;
COMMENT ON FUNCTION mountaineer.current_host_safes() IS
    'For the row-level security policies: the safes granted to the host of the acting role (current_user, by host_login), with the strongest permission; empty for a role that is no host''s login.';
REVOKE EXECUTE ON FUNCTION mountaineer.current_host_safes() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.current_host_safes() TO mountaineer_host;

-- FORCE: the rules hold for the tables' owner too, should it ever not be a
-- superuser (superusers and BYPASSRLS roles pass row-level security always).
ALTER TABLE mountaineer.secret ENABLE ROW LEVEL SECURITY;
ALTER TABLE mountaineer.secret FORCE ROW LEVEL SECURITY;
CREATE POLICY secret_admin ON mountaineer.secret TO mountaineer_admin
    USING (true) WITH CHECK (true);
CREATE POLICY secret_host_read ON mountaineer.secret FOR SELECT TO mountaineer_host
    USING (safe_id IN (SELECT c.safe_id FROM mountaineer.current_host_safes() c));
CREATE POLICY secret_host_insert ON mountaineer.secret FOR INSERT TO mountaineer_host
    WITH CHECK (safe_id IN (SELECT c.safe_id FROM mountaineer.current_host_safes() c WHERE c.permission = 'write'));
CREATE POLICY secret_host_update ON mountaineer.secret FOR UPDATE TO mountaineer_host
    USING (safe_id IN (SELECT c.safe_id FROM mountaineer.current_host_safes() c WHERE c.permission = 'write'))
    WITH CHECK (safe_id IN (SELECT c.safe_id FROM mountaineer.current_host_safes() c WHERE c.permission = 'write'));
CREATE POLICY secret_host_delete ON mountaineer.secret FOR DELETE TO mountaineer_host
    USING (safe_id IN (SELECT c.safe_id FROM mountaineer.current_host_safes() c WHERE c.permission = 'write'));

ALTER TABLE mountaineer.safe ENABLE ROW LEVEL SECURITY;
ALTER TABLE mountaineer.safe FORCE ROW LEVEL SECURITY;
CREATE POLICY safe_staff ON mountaineer.safe TO mountaineer_reader
    USING (true) WITH CHECK (true);
CREATE POLICY safe_host_read ON mountaineer.safe FOR SELECT TO mountaineer_host
    USING (id IN (SELECT c.safe_id FROM mountaineer.current_host_safes() c));

--------------------------------------------------------------------------
-- The change log keeps a secret's ciphertexts as their key version only:
-- readers read the log, and a ciphertext is for the hosts granted it.
-- A row trigger on the core's table, for the secret table's rows alone.
--------------------------------------------------------------------------
CREATE FUNCTION mountaineer.secret_change_redact() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.before ? 'ciphertext' THEN
        NEW.before := jsonb_set(NEW.before, '{ciphertext}',
                                to_jsonb('vault:v' || mountaineer.vault_key_version(NEW.before ->> 'ciphertext')));
    END IF;
    IF NEW.after ? 'ciphertext' THEN
        NEW.after := jsonb_set(NEW.after, '{ciphertext}',
                               to_jsonb('vault:v' || mountaineer.vault_key_version(NEW.after ->> 'ciphertext')));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.secret_change_redact() IS
    'BEFORE INSERT row trigger of mountaineer.change, for the changes of mountaineer.secret only (secret_change_redact): records each ciphertext in before and after as "vault:v<N>", its key version, so that the log (which readers read) carries no ciphertext.';
REVOKE EXECUTE ON FUNCTION mountaineer.secret_change_redact() FROM PUBLIC;
CREATE TRIGGER secret_change_redact BEFORE INSERT ON mountaineer.change
    FOR EACH ROW WHEN (NEW.table_name = 'secret' AND NEW.schema_name = 'mountaineer'
                       AND NOT mountaineer.restoring('mountaineer.change'))
    EXECUTE FUNCTION mountaineer.secret_change_redact();

--------------------------------------------------------------------------
-- Functions
--------------------------------------------------------------------------
-- SECURITY DEFINER: it reads the grants and hosts for a host's login, which
-- has no privilege on them, and for an admin lists one host's secrets out of
-- all those the admin sees.  Who calls is acting_role() (see above).
CREATE FUNCTION mountaineer.host_secrets(hostname text)
    RETURNS TABLE (safe text, name text, ciphertext text, key_name text, key_version integer)
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    me     text := mountaineer.acting_role();
    wanted text := mountaineer.normalize_hostname(hostname);
    h      uuid;
BEGIN
    -- a host's login learns nothing of other hosts, not even whether they
    -- exist; the Salt master (mountaineer_salt), which hands every minion
    -- its pillar, may list any host's
    IF NOT pg_has_role(me, 'mountaineer_admin', 'USAGE')
       AND NOT EXISTS (SELECT FROM pg_roles r WHERE r.rolname = 'mountaineer_salt_master' AND pg_has_role(me, r.oid, 'USAGE'))
       AND NOT (pg_has_role(me, 'mountaineer_host', 'USAGE')   -- 1.2: the group grants the right to try
                AND EXISTS (SELECT FROM mountaineer.host_login l JOIN mountaineer.host x ON x.id = l.host_id
                             WHERE l.login = me AND x.hostname = wanted)) THEN
        RAISE EXCEPTION 'permission denied to list the secrets of host %', mountaineer.excerpt(wanted)
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = format('Role %s is neither an admin, the Salt master nor a login of that host (mountaineer.host_login, and a member of mountaineer_host).', me);
    END IF;
    SELECT x.id INTO h FROM mountaineer.host x WHERE x.hostname = wanted;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no host %', mountaineer.excerpt(wanted) USING ERRCODE = 'no_data_found';
    END IF;
    RETURN QUERY
        SELECT s.name, x.name, x.ciphertext, x.key_name, x.key_version
          FROM mountaineer.secret x
          JOIN mountaineer.safe s ON s.id = x.safe_id
          JOIN mountaineer.safe_host_access a ON a.safe_id = x.safe_id AND a.host_id = h
         ORDER BY s.name, x.name;
END
$$;
COMMENT ON FUNCTION mountaineer.host_secrets(text) IS
    'The secrets granted to a host (directly, by role or by environment) as (safe, name, ciphertext, key_name, key_version), ordered by safe and name: for admins, the Salt master''s role, and that host''s own logins (host_login, members of mountaineer_host); anyone else gets 42501. 22023 for an invalid hostname, P0002 for an unknown host.';

-- SECURITY DEFINER: creating a role needs CREATEROLE, which admins lack.
-- It makes only plain roles: an existing role is reused only when it is
-- already a host login (a member of mountaineer_host and nothing more), so
-- that an admin cannot take over, or hand secrets to, anyone else's role.
CREATE FUNCTION mountaineer.create_host_login(hostname text, login text, password text DEFAULT NULL)
    RETURNS mountaineer.host_login
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    wanted text := mountaineer.normalize_hostname(hostname);
    h      uuid;
    r      pg_roles;
    other  text;
    result mountaineer.host_login;
BEGIN
    IF login IS NULL OR NOT mountaineer.is_valid_name(login, 63) OR octet_length(login) > 63 THEN
        RAISE EXCEPTION 'invalid login name %', coalesce(mountaineer.excerpt(login), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A login name has 1 to 63 bytes, no control characters and no white space at either end.';
    ELSIF login IN ('mountaineer_reader', 'mountaineer_editor', 'mountaineer_admin', 'mountaineer_host') THEN
        RAISE EXCEPTION 'role % is a group role and cannot be a host login', mountaineer.excerpt(login)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT x.id INTO h FROM mountaineer.host x WHERE x.hostname = wanted;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no host %', mountaineer.excerpt(wanted) USING ERRCODE = 'no_data_found';
    END IF;
    SELECT x.hostname INTO other FROM mountaineer.host_login l JOIN mountaineer.host x ON x.id = l.host_id
     WHERE l.login = create_host_login.login;
    IF other IS NOT NULL AND other <> wanted THEN
        RAISE EXCEPTION 'role % is already the login of host %', mountaineer.excerpt(login), mountaineer.excerpt(other)
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'host_login_login_key';
    END IF;
    SELECT * INTO r FROM pg_roles WHERE rolname = create_host_login.login;
    IF NOT FOUND THEN
        EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', login, password);
    ELSIF r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls
          OR NOT pg_has_role(r.oid, 'mountaineer_host', 'MEMBER')
          OR EXISTS (SELECT FROM pg_auth_members m WHERE m.member = r.oid
                        AND m.roleid <> 'mountaineer_host'::regrole) THEN
        RAISE EXCEPTION 'role % already exists and is not a host login', mountaineer.excerpt(login)
            USING ERRCODE = 'duplicate_object',
                  DETAIL = 'An existing role is reused only when it is a member of mountaineer_host and of no other role, without superuser, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS.',
                  HINT = 'Choose another name, or let a superuser map the role by hand (INSERT INTO mountaineer.host_login).';
    ELSIF password IS NOT NULL THEN
        EXECUTE format('ALTER ROLE %I PASSWORD %L', login, password);
    END IF;
    IF NOT EXISTS (SELECT FROM pg_auth_members m JOIN pg_roles x ON x.oid = m.member
                    WHERE x.rolname = login AND m.roleid = 'mountaineer_host'::regrole) THEN
        EXECUTE format('GRANT mountaineer_host TO %I', login);
    END IF;
    -- PostgREST's authenticator switches to the role a JWT names: it must be
    -- a member of each host login
    IF EXISTS (SELECT FROM pg_roles a WHERE a.rolname = 'authenticator'
                  AND NOT EXISTS (SELECT FROM pg_auth_members m JOIN pg_roles x ON x.oid = m.roleid
                                   WHERE m.member = a.oid AND x.rolname = login)) THEN
        EXECUTE format('GRANT %I TO authenticator', login);
    END IF;
    INSERT INTO mountaineer.host_login (login, host_id) VALUES (login, h)
        ON CONFLICT ON CONSTRAINT host_login_login_key DO NOTHING;
    SELECT * INTO result FROM mountaineer.host_login l WHERE l.login = create_host_login.login;
    RETURN result;
END
$$;
COMMENT ON FUNCTION mountaineer.create_host_login(text, text, text) IS
    'For admins: makes login a host login of the host named: creates the role (LOGIN, with the password given, or none) unless it exists as a host login already, grants it mountaineer_host, grants it to the role authenticator (PostgREST''s) when that exists, and maps it in host_login. Returns the mapping. 22023 for an invalid name, P0002 for an unknown host, 42710 for an existing role that is not a plain host login, 23505 for a login of another host.';
REVOKE EXECUTE ON FUNCTION mountaineer.create_host_login(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.create_host_login(text, text, text) TO mountaineer_admin;

-- == tags and attributes (1.1) ==
-- tags and attributes on every inventory table
-- (mountaineer.manage_attributes, core 1.5); exempt: secret (under row-level
-- security a tag or attribute would have to be written by every host that may
-- write its secret; describe the safe instead), safe_access and host_login
-- (grants and login mappings, not inventory).
SELECT mountaineer.manage_attributes('mountaineer.safe');
-- End: tags and attributes (1.1)
