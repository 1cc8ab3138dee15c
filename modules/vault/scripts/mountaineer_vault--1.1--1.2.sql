-- mountaineer_vault 1.1 -> 1.2: a refused ciphertext is kept out of the
-- server log too: secret_check() raises its refusal through
-- vault_refuse_ciphertext(), which leaves out the STATEMENT line under it;
-- host_secrets() admits a host's login only while it is a member of
-- mountaineer_host (as the policies on secret do).
\echo Use "ALTER EXTENSION mountaineer_vault UPDATE TO '1.2'" to load this file. \quit

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

-- secret_check() calls it (its comment says the same as before)
CREATE OR REPLACE FUNCTION mountaineer.secret_check() RETURNS trigger
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

-- SECURITY DEFINER: it reads the grants and hosts for a host's login, which
-- has no privilege on them, and for an admin lists one host's secrets out of
-- all those the admin sees.  Who calls is acting_role() (see above).
CREATE OR REPLACE FUNCTION mountaineer.host_secrets(hostname text)
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
