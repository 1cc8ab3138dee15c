-- mountaineer_vault: who sees which secrets.  Four hosts with logins of
-- their own: a has a role granted a safe and an environment granted
-- another, b only that environment, c a safe granted to it directly (to
-- write), d nothing.  Each sees exactly its secrets, as a set, both ways,
-- through the table and through host_secrets(); none sees or writes
-- another's, or escapes through a view, a function, SET ROLE or a forged
-- claim.  Ciphertexts that are not Vault's are refused without being
-- quoted; rewraps go forward only; the change log keeps key versions only.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(124);

-- a ciphertext of version v, 32 bytes, made up (tag: any text)
CREATE FUNCTION pg_temp.ct(tag text, v int) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT 'vault:v' || v || ':' || encode(sha256(convert_to(tag, 'UTF8')), 'base64') $$;
GRANT EXECUTE ON FUNCTION pg_temp.ct(text, int) TO PUBLIC;

INSERT INTO environment (name) VALUES ('tv-env'), ('tv-other');
INSERT INTO role (name) VALUES ('tv-db'), ('tv-web');
INSERT INTO cluster (name, kind) VALUES ('tv-k', 'kvm');
INSERT INTO host (hostname, environment_id, cluster_id)
SELECT v.h || '.tv.example', e.id, c.id
FROM (VALUES ('a', 'tv-env'), ('b', 'tv-env'), ('c', 'tv-other'), ('d', 'tv-other')) v(h, env)
JOIN environment e ON e.name = v.env, cluster c WHERE c.name = 'tv-k';
INSERT INTO host_role (host_id, role_id)
SELECT h.id, r.id FROM host h, role r
WHERE (h.hostname, r.name) IN (('a.tv.example', 'tv-db'), ('b.tv.example', 'tv-web'));

INSERT INTO safe (name) VALUES ('tv-by-role'), ('tv-by-env'), ('tv-by-host'), ('tv-no-one');
INSERT INTO safe_access (safe_id, role_id) SELECT s.id, r.id FROM safe s, role r WHERE s.name = 'tv-by-role' AND r.name = 'tv-db';
INSERT INTO safe_access (safe_id, environment_id) SELECT s.id, e.id FROM safe s, environment e WHERE s.name = 'tv-by-env' AND e.name = 'tv-env';
INSERT INTO safe_access (safe_id, host_id, permission) SELECT s.id, h.id, 'write' FROM safe s, host h WHERE s.name = 'tv-by-host' AND h.hostname = 'c.tv.example';
INSERT INTO secret (safe_id, name, ciphertext, key_name, created_at, rotated_at)
SELECT s.id, v.name, pg_temp.ct(v.name, 1), 'tv-key', '2020-01-01 00:00+00', '2020-01-01 00:00+00'
FROM (VALUES ('tv-by-role', 'r1'), ('tv-by-role', 'r2'), ('tv-by-env', 'e1'), ('tv-by-host', 'h1'), ('tv-no-one', 'n1')) v(safe, name)
JOIN safe s ON s.name = v.safe;

-- PostgREST's login, if this cluster has none: host logins are granted to it
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator') THEN
        CREATE ROLE authenticator NOINHERIT LOGIN;
    END IF;
END $$;
SELECT is((SELECT string_agg(l.login, ',' ORDER BY l.login) FROM (
    SELECT (create_host_login(h || '.tv.example', 'tv_' || h)).login FROM unnest('{a,b,c,d}'::text[]) h) l),
    'tv_a,tv_b,tv_c,tv_d', 'create_host_login makes a login for each host');
SELECT ok(pg_has_role('tv_a', 'mountaineer_host', 'MEMBER') AND pg_has_role('authenticator', 'tv_a', 'MEMBER')
          AND NOT pg_has_role('tv_a', 'mountaineer_reader', 'MEMBER'),
          'a host login is a member of mountaineer_host (not of reader), and PostgREST''s authenticator may switch to it');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'tv_a'), true, 'it can log in');

-- what each host sees, as a set, both ways
CREATE TEMP TABLE seen (login text, what text, name text);
GRANT INSERT ON seen TO PUBLIC;
CREATE FUNCTION pg_temp.look() RETURNS void LANGUAGE sql AS $$
    -- everything the role sees, unfiltered: a secret or safe more than its
    -- own, whoever made it, fails the set comparisons below
    INSERT INTO seen SELECT current_user, 'secret', name FROM mountaineer.secret;
    INSERT INTO seen SELECT current_user, 'safe', name FROM mountaineer.safe;
$$;
GRANT EXECUTE ON FUNCTION pg_temp.look() TO PUBLIC;
SET LOCAL ROLE tv_a; SELECT pg_temp.look(); RESET ROLE;
SET LOCAL ROLE tv_b; SELECT pg_temp.look(); RESET ROLE;
SET LOCAL ROLE tv_c; SELECT pg_temp.look(); RESET ROLE;
SET LOCAL ROLE tv_d; SELECT pg_temp.look(); RESET ROLE;
SELECT set_eq($$SELECT name FROM seen WHERE login = 'tv_a' AND what = 'secret'$$, ARRAY['r1', 'r2', 'e1'],
    'host a sees exactly the secrets of its role''s safe and of its environment''s');
SELECT set_eq($$SELECT name FROM seen WHERE login = 'tv_b' AND what = 'secret'$$, ARRAY['e1'],
    'host b sees exactly its environment''s (its role has no grant)');
SELECT set_eq($$SELECT name FROM seen WHERE login = 'tv_c' AND what = 'secret'$$, ARRAY['h1'],
    'host c sees exactly the secrets of the safe granted to it directly');
SELECT is_empty($$SELECT name FROM seen WHERE login = 'tv_d' AND what = 'secret'$$, 'host d, granted nothing, sees nothing');
SELECT set_eq($$SELECT name FROM seen WHERE login = 'tv_a' AND what = 'safe'$$, ARRAY['tv-by-role', 'tv-by-env'],
    'host a sees exactly the safes granted to it');
SELECT set_eq($$SELECT name FROM seen WHERE login = 'tv_b' AND what = 'safe'$$, ARRAY['tv-by-env'],
    'host b sees exactly its environment''s safe');
SELECT set_eq($$SELECT name FROM seen WHERE login = 'tv_c' AND what = 'safe'$$, ARRAY['tv-by-host'],
    'host c sees exactly the safe granted to it');
SELECT is_empty($$SELECT name FROM seen WHERE login = 'tv_d' AND what = 'safe'$$, 'host d sees no safe');

-- host_secrets(): a host's own, and an admin's view of any host
CREATE TEMP TABLE listed AS SELECT ''::text AS login, * FROM host_secrets('a.tv.example') WHERE false;
GRANT INSERT ON listed TO PUBLIC;
SET LOCAL ROLE tv_a;
INSERT INTO listed SELECT current_user, * FROM host_secrets('A.TV.example.');
RESET ROLE;
SET LOCAL ROLE tv_b; INSERT INTO listed SELECT current_user, * FROM host_secrets('b.tv.example'); RESET ROLE;
SET LOCAL ROLE tv_c; INSERT INTO listed SELECT current_user, * FROM host_secrets('c.tv.example'); RESET ROLE;
SET LOCAL ROLE tv_d; INSERT INTO listed SELECT current_user, * FROM host_secrets('d.tv.example'); RESET ROLE;
SET LOCAL ROLE tv_a;
SELECT throws_ok($$SELECT * FROM host_secrets('c.tv.example')$$, '42501',
    'permission denied to list the secrets of host "c.tv.example"', 'a host cannot list another host''s secrets');
SELECT throws_ok($$SELECT * FROM host_secrets('nowhere.tv.example')$$, '42501',
    'permission denied to list the secrets of host "nowhere.tv.example"', '... nor learn whether a hostname exists');
RESET ROLE;
SET LOCAL ROLE mountaineer_admin;
INSERT INTO listed SELECT current_user, * FROM host_secrets('a.tv.example');
SELECT throws_ok($$SELECT * FROM host_secrets('nowhere.tv.example')$$, 'P0002', 'no host "nowhere.tv.example"',
    'an admin asking for an unknown host');
RESET ROLE;
SELECT set_eq($$SELECT safe, name, ciphertext, key_name, key_version FROM listed WHERE login = 'tv_a'$$,
    $$VALUES ('tv-by-role', 'r1', pg_temp.ct('r1', 1), 'tv-key', 1), ('tv-by-role', 'r2', pg_temp.ct('r2', 1), 'tv-key', 1),
             ('tv-by-env', 'e1', pg_temp.ct('e1', 1), 'tv-key', 1)$$,
    'host_secrets() lists (safe, name, ciphertext, key_name, key_version) of exactly the host''s secrets, for its own login');
SELECT set_eq($$SELECT safe, name FROM listed WHERE login = 'mountaineer_admin'$$,
    $$SELECT safe, name FROM listed WHERE login = 'tv_a'$$, '... and the same for an admin');
SELECT set_eq($$SELECT name, ciphertext FROM listed WHERE login = 'tv_b'$$, $$VALUES ('e1', pg_temp.ct('e1', 1))$$,
    'host_secrets() for host b''s own login: exactly its environment''s secret');
SELECT set_eq($$SELECT safe, name FROM listed WHERE login = 'tv_c'$$, $$VALUES ('tv-by-host', 'h1')$$,
    '... for host c''s: exactly the secret of the safe granted to it');
SELECT is_empty($$SELECT name FROM listed WHERE login = 'tv_d'$$, '... for host d''s: nothing');
SELECT set_eq($$SELECT login, name FROM listed WHERE login LIKE 'tv\_%'$$, $$SELECT login, name FROM seen WHERE what = 'secret'$$,
    '... each host''s list is what it reads in the table, both ways');
SET LOCAL ROLE mountaineer_editor;
SELECT throws_ok($$SELECT * FROM host_secrets('a.tv.example')$$, '42501',
    'permission denied to list the secrets of host "a.tv.example"', 'an editor cannot list a host''s secrets');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM host_secrets('not a host')$$, '22023', 'invalid hostname "not a host"', 'host_secrets of an invalid hostname');

-- staff: admins see every secret, editors and readers none
SET LOCAL ROLE mountaineer_admin;
SELECT set_eq($$SELECT name FROM secret WHERE name ~ '^[a-z][0-9]$'$$, ARRAY['r1', 'r2', 'e1', 'h1', 'n1'], 'an admin sees every secret');
RESET ROLE;
SET LOCAL ROLE mountaineer_editor;
SELECT is_empty($$SELECT FROM secret$$, 'an editor sees no secret');
SELECT set_eq($$SELECT name FROM safe WHERE name LIKE 'tv-%'$$, ARRAY['tv-by-role', 'tv-by-env', 'tv-by-host', 'tv-no-one'], '... but every safe');
SELECT set_eq($$SELECT hostname, safe, permission::text, via FROM safe_host_access WHERE safe LIKE 'tv-%'$$,
    $$VALUES ('a.tv.example', 'tv-by-role', 'read', '{"role tv-db"}'::text[]), ('a.tv.example', 'tv-by-env', 'read', '{"environment tv-env"}'),
             ('b.tv.example', 'tv-by-env', 'read', '{"environment tv-env"}'), ('c.tv.example', 'tv-by-host', 'write', '{host}')$$,
    '... and what the grants add up to (safe_host_access)');
SELECT throws_ok($$INSERT INTO secret (safe_id, name, ciphertext, key_name) SELECT id, 'x1', pg_temp.ct('x', 1), 'k' FROM safe WHERE name = 'tv-by-role'$$,
    '42501', 'permission denied for table secret', 'an editor cannot write secrets');
INSERT INTO safe_access (safe_id, host_id) SELECT s.id, h.id FROM safe s, host h WHERE s.name = 'tv-no-one' AND h.hostname = 'd.tv.example';
SELECT is((SELECT count(*)::int FROM safe_access a JOIN safe s ON s.id = a.safe_id WHERE s.name = 'tv-no-one'), 1, 'an editor grants a safe');
SELECT throws_ok($$INSERT INTO host_login (login, host_id) SELECT 'tv_x', id FROM host WHERE hostname = 'd.tv.example'$$,
    '42501', 'permission denied for table host_login', 'an editor cannot map logins to hosts');
SELECT throws_ok($$SELECT create_host_login('d.tv.example', 'tv_x')$$, '42501', 'permission denied for function create_host_login',
    'an editor cannot make host logins');
RESET ROLE;
SET LOCAL ROLE mountaineer_reader;
SELECT is_empty($$SELECT FROM secret$$, 'a reader sees no secret');
RESET ROLE;
SET LOCAL ROLE tv_d;
SELECT set_eq($$SELECT name FROM secret$$, ARRAY['n1'], 'the new grant shows at once: host d sees that safe''s secret');
RESET ROLE;
DELETE FROM safe_access WHERE safe_id = (SELECT id FROM safe WHERE name = 'tv-no-one');

-- a host cannot write where it may only read, nor outside its safes
SET LOCAL ROLE tv_a;
SELECT throws_ok($$INSERT INTO secret (safe_id, name, ciphertext, key_name) SELECT id, 'a9', pg_temp.ct('a9', 1), 'k' FROM safe WHERE name = 'tv-by-role'$$,
    '42501', 'new row violates row-level security policy for table "secret"', 'a host cannot add a secret to a safe it may only read');
UPDATE secret SET ciphertext = pg_temp.ct('forged', 9) WHERE name IN ('r1', 'h1');
DELETE FROM secret WHERE name IN ('r2', 'h1');
SELECT throws_ok($$UPDATE safe SET name = 'mine' WHERE name = 'tv-by-role'$$, '42501', 'permission denied for table safe', 'a host cannot change a safe');
SELECT throws_ok($$INSERT INTO safe_access (safe_id, host_id) SELECT id, id FROM safe$$, '42501', 'permission denied for table safe_access', 'a host cannot grant itself a safe');
SELECT throws_ok($$DELETE FROM host_login$$, '42501', 'permission denied for table host_login', 'a host cannot change the logins');
RESET ROLE;
SELECT set_eq($$SELECT name, ciphertext FROM secret WHERE name IN ('r1', 'r2', 'h1')$$,
    $$VALUES ('r1', pg_temp.ct('r1', 1)), ('r2', pg_temp.ct('r2', 1)), ('h1', pg_temp.ct('h1', 1))$$,
    'its updates and deletes of secrets it may only read, or not see, changed nothing');

-- a host with write: adds, rewraps and deletes in its safe, nowhere else
SELECT id AS no_one FROM safe WHERE name = 'tv-no-one' \gset
SET LOCAL ROLE tv_c;
SELECT lives_ok($$INSERT INTO secret (safe_id, name, ciphertext, key_name) SELECT id, 'h2', pg_temp.ct('h2', 1), 'tv-key' FROM safe WHERE name = 'tv-by-host'$$,
    'a host with write adds a secret to its safe');
SELECT lives_ok($$UPDATE secret SET ciphertext = pg_temp.ct('h1', 2) WHERE name = 'h1'$$, '... rewraps one');
SELECT lives_ok($$DELETE FROM secret WHERE name = 'h2'$$, '... and deletes one');
SELECT throws_ok(format($$INSERT INTO secret (safe_id, name, ciphertext, key_name) VALUES (%L, 'h3', pg_temp.ct('h3', 1), 'tv-key')$$, :'no_one'),
    '42501', 'new row violates row-level security policy for table "secret"', '... nor add to one (it cannot even name it)');
SELECT throws_ok(format($$UPDATE secret SET safe_id = %L WHERE name = 'h1'$$, :'no_one'), '42501',
    'new row violates row-level security policy for table "secret"', '... nor move one there');
RESET ROLE;
SELECT is((SELECT key_version FROM secret WHERE name = 'h1'), 2, 'the rewrap took');
SELECT ok(NOT EXISTS (SELECT FROM secret WHERE name IN ('h2', 'h3')), 'the delete took, the refused insert did not');

-- no escape: SET ROLE, forged claims and settings, views, functions
CREATE TEMP TABLE shown (name text);
GRANT INSERT, SELECT ON shown TO PUBLIC;
ANALYZE mountaineer.secret;
SELECT isnt_empty($$SELECT FROM pg_stats WHERE schemaname = 'mountaineer' AND tablename = 'secret'$$,
    '(secret has statistics, which a superuser reads)');
SET LOCAL ROLE tv_a;
-- (SET ROLE is checked against the session's login, here a superuser:
-- test/host_sessions.sh tries it logged in as a host)
SET LOCAL request.jwt.claims = '{"role": "mountaineer_admin", "sub": "c.tv.example", "hostname": "c.tv.example"}';
SET LOCAL "request.jwt.claim.role" = 'tv_c';
SET LOCAL mountaineer.actor = 'tv_c';
SELECT set_eq($$SELECT name FROM secret$$, ARRAY['r1', 'r2', 'e1'],
    'a forged request.jwt.claims (naming an admin, another host), request.jwt.claim.role or mountaineer.actor changes nothing: host a still sees exactly its own');
SELECT set_eq($$SELECT name FROM host_secrets('a.tv.example')$$, ARRAY['r1', 'r2', 'e1'], '... nor what host_secrets() lists');
SELECT throws_ok($$SELECT * FROM host_secrets('c.tv.example')$$, '42501',
    'permission denied to list the secrets of host "c.tv.example"', '... which still refuses the host it claims to be');
RESET request.jwt.claims;
RESET "request.jwt.claim.role";
RESET mountaineer.actor;
-- a view: one of the host's own reads as its owner, the host
SELECT lives_ok($$CREATE TEMP VIEW tv_a_view AS SELECT name, ciphertext FROM mountaineer.secret$$, 'a host may make a view of its own over secret');
SELECT set_eq($$SELECT name FROM tv_a_view$$, ARRAY['r1', 'r2', 'e1'], '... and reads through it exactly its own secrets');
-- a function: one that records every row it is shown, called in the
-- query's WHERE, is shown only rows the policy let through
CREATE FUNCTION pg_temp.peek(n text) RETURNS boolean LANGUAGE plpgsql COST 0.0001
    AS $$ BEGIN INSERT INTO pg_temp.shown VALUES (n); RETURN true; END $$;
SELECT is((SELECT count(*)::int FROM secret WHERE pg_temp.peek(name) OR pg_temp.peek(ciphertext)), 3, 'a host''s own function in a query''s WHERE ...');
SELECT set_eq($$SELECT name FROM shown$$, ARRAY['r1', 'r2', 'e1'], '... is shown its secrets only, though cheaper than the policy');
SELECT is_empty($$SELECT FROM pg_stats WHERE schemaname = 'mountaineer' AND tablename = 'secret'$$,
    '... nor does it read other hosts'' ciphertexts in the statistics (pg_stats hides a table under row-level security)');
SELECT throws_ok($$SELECT * FROM safe_host_access$$, '42501', 'permission denied for view safe_host_access', 'a host cannot read the grants through the view');
SELECT throws_ok($$SELECT * FROM host_detail$$, '42501', 'permission denied for view host_detail', '... nor the inventory''s other views');
SELECT throws_ok($$SELECT count(*) FROM change$$, '42501', 'permission denied for table change', '... nor the change log');
SELECT throws_ok(format($$SELECT as_of('mountaineer.secret', %L, now())$$, :'no_one'), '42501', 'permission denied for table change',
    '... nor rows through as_of(), which reads the log');
SELECT set_eq($$SELECT s.name FROM current_host_safes() c JOIN safe s ON s.id = c.safe_id$$, ARRAY['tv-by-role', 'tv-by-env'],
    'current_host_safes() tells a host only its own safes');
SET LOCAL ROLE mountaineer_host;
SELECT is_empty($$SELECT FROM secret$$, 'a host login that switches to mountaineer_host itself sees nothing');
RESET ROLE;
-- mountaineer_host grants the right to try: a role mapped to a host but
-- not a member reads nothing, neither the table nor host_secrets()
CREATE ROLE tv_unhosted NOLOGIN;
GRANT USAGE ON SCHEMA mountaineer TO tv_unhosted;
INSERT INTO host_login (login, host_id) SELECT 'tv_unhosted', id FROM host WHERE hostname = 'a.tv.example';
SET LOCAL ROLE tv_unhosted;
SELECT throws_ok($$SELECT FROM secret$$, '42501', 'permission denied for table secret',
    'a role in host_login that is not a member of mountaineer_host cannot read secret');
SELECT throws_ok($$SELECT * FROM host_secrets('a.tv.example')$$, '42501',
    'permission denied to list the secrets of host "a.tv.example"', '... nor list them with host_secrets()');
RESET ROLE;
DELETE FROM host_login WHERE login = 'tv_unhosted';
SELECT throws_ok($$INSERT INTO host_login (login, host_id) SELECT 'mountaineer_host', id FROM host WHERE hostname = 'd.tv.example'$$,
    '23514', 'new row for relation "host_login" violates check constraint "host_login_login_check"',
    'a group role cannot be mapped to a host (any of its members could switch to it)');
-- every view, in any schema (every installed module's), that reads the
-- three tables directly or through other views (but a session's own
-- temporary ones, such as the host's above, which read as the host)
SELECT is_empty($$WITH RECURSIVE over(oid) AS (
                       VALUES ('mountaineer.secret'::regclass::oid), ('mountaineer.safe'::regclass), ('mountaineer.safe_access'::regclass)
                     UNION
                       SELECT r.ev_class FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                         JOIN over o ON d.refobjid = o.oid
                        WHERE r.ev_class <> o.oid)
                   SELECT c.oid::regclass FROM pg_class c JOIN over o ON o.oid = c.oid
                    WHERE c.relkind IN ('v', 'm') AND c.relpersistence <> 't' AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)$$,
    'every view over secrets, safes or grants, directly or through another view, in any schema, is security_invoker');
SELECT isnt_empty($$SELECT FROM pg_class WHERE oid = 'mountaineer.safe_host_access'::regclass AND 'security_invoker=true' = ANY (reloptions)$$,
    '(safe_host_access is one)');
SELECT ok((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = 'mountaineer.secret'::regclass)
          AND (SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = 'mountaineer.safe'::regclass),
          'row-level security is enabled and forced on secret and safe');

-- no plaintext: what is not a Vault ciphertext is refused, never quoted
SELECT is(vault_ciphertext_problem(pg_temp.ct('ok', 1)), NULL, 'a Vault transit ciphertext is well formed');
SELECT is(ARRAY[is_vault_ciphertext(pg_temp.ct('ok', 1)), is_vault_ciphertext('vault:v1:c2hvcnQ='), is_vault_ciphertext(NULL)],
          ARRAY[true, false, NULL], 'is_vault_ciphertext: well formed, not, unknown');
SELECT is(ARRAY[vault_key_version(pg_temp.ct('ok', 7)), vault_key_version('vault:v0:AAAA'), vault_key_version('plain')],
          ARRAY[7, NULL, NULL], 'vault_key_version: the N of vault:v<N>:, else NULL');
SELECT is(vault_ciphertext_problem(x), reason, 'refused: ' || why) FROM (VALUES
    ('correct horse battery staple', 'It does not start with "vault:v<N>:".', 'a plaintext'),
    ('VAULT:v1:' || encode(sha256('x'), 'base64'), 'It does not start with "vault:v<N>:".', 'the prefix in capitals'),
    ('vault:v0:' || encode(sha256('x'), 'base64'), 'Its key version is not a whole number from 1 to 999999999 without leading zeros.', 'version 0'),
    ('vault:v01:' || encode(sha256('x'), 'base64'), 'Its key version is not a whole number from 1 to 999999999 without leading zeros.', 'a leading zero'),
    ('vault:v1234567890:' || encode(sha256('x'), 'base64'), 'Its key version is not a whole number from 1 to 999999999 without leading zeros.', 'a version too large'),
    ('vault:v1:' || encode(sha256('x'), 'base64') || ' ', 'What follows the key version is not base64 (A-Z a-z 0-9 + /, padded with = to a multiple of 4 characters).', 'a trailing space'),
    ('vault:v1:' || replace(encode(sha256('x'), 'base64'), '=', ''), 'What follows the key version is not base64 (A-Z a-z 0-9 + /, padded with = to a multiple of 4 characters).', 'no padding'),
    ('vault:v1:AAAA=AAA', 'What follows the key version is not base64 (A-Z a-z 0-9 + /, padded with = to a multiple of 4 characters).', 'padding inside'),
    ('vault:v1:' || repeat('A', 36) || 'AB==', 'What follows the key version is not canonical base64 (its padding bits are not zero).', 'non-zero padding bits'),
    ('vault:v1:' || encode('\x00112233'::bytea, 'base64'), 'It decodes to 4 bytes, fewer than the 28 of a nonce and an authentication tag.', 'too short for nonce and tag'),
    ('vault:v1:', 'It decodes to 0 bytes, fewer than the 28 of a nonce and an authentication tag.', 'nothing after the version'),
    ('vault:v1:' || repeat('A', 65536), 'It has 65545 characters; a ciphertext here has at most 65536.', 'too long')
) t(x, reason, why);
CREATE TEMP TABLE refused (state text, message text);
DO $$
DECLARE st text; msg text; det text; hin text;
BEGIN
    INSERT INTO mountaineer.secret (safe_id, name, ciphertext, key_name)
    SELECT id, 'p1', 'hunter2-the-plaintext', 'tv-key' FROM mountaineer.safe WHERE name = 'tv-by-role';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hin = PG_EXCEPTION_HINT;
    INSERT INTO refused VALUES (st, msg || E'\n' || det || E'\n' || hin);
END $$;
SELECT is((SELECT state FROM refused), '23514', 'a plaintext stored as a ciphertext is refused with 23514');
SELECT matches((SELECT message FROM refused), '^the ciphertext of secret "p1" is not a Vault transit ciphertext', '... naming the secret');
SELECT is((SELECT position('hunter2' IN message) FROM refused), 0, '... and quoting nothing of the value, in message, detail or hint');
-- a host that may write (c) pastes values that are not ciphertexts: each
-- refused with 23514, nothing of it in the message, detail, hint or context
CREATE FUNCTION pg_temp.refusal(stmt text, value text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text; hin text; ctx text;
BEGIN
    EXECUTE format(stmt, value);
    RETURN 'not refused';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hin = PG_EXCEPTION_HINT, ctx = PG_EXCEPTION_CONTEXT;
    -- the context names the statement run here (format(stmt, value)): cut that line
    ctx := regexp_replace(ctx, '^SQL statement ".*"$', '', 'nw');
    RETURN st || CASE WHEN position(value IN concat_ws(E'\n', msg, det, hin, ctx)) > 0 THEN ' quoting it' ELSE '' END
              || ': ' || msg;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.refusal(text, text) TO PUBLIC;
SET LOCAL ROLE tv_c;
SELECT is(pg_temp.refusal(q, v), '23514: the ciphertext of secret "h1" is not a Vault transit ciphertext', 'a host''s write refused, quoting nothing: ' || why)
FROM (VALUES ('UPDATE mountaineer.secret SET ciphertext = %L WHERE name = ''h1''', 'hunter2-the-plaintext', 'a plaintext (update)'),
             ('UPDATE mountaineer.secret SET ciphertext = %L WHERE name = ''h1''', 'vault:v3:aHVudGVyMg==', 'a made-up short ciphertext'),
             ('UPDATE mountaineer.secret SET ciphertext = %L WHERE name = ''h1''', 'vault:v3:' || encode(sha256('x'), 'base64') || E'\nhunter2', 'a ciphertext with a line more'),
             ('INSERT INTO mountaineer.secret (safe_id, name, ciphertext, key_name) SELECT id, ''h1'', %L, ''tv-key'' FROM mountaineer.safe WHERE name = ''tv-by-host''',
              'vault:v1:hunter2 hunter2 hunter2 hunter2 hunter2', 'not base64 (insert)')) t(q, v, why);
RESET ROLE;
SELECT lives_ok($$SELECT vault_refuse_ciphertext('r1', pg_temp.ct('r1', 1))$$, 'vault_refuse_ciphertext() lets a well-formed ciphertext be');
SELECT throws_ok($$SELECT vault_refuse_ciphertext('r1', 'hunter2')$$, '23514', 'the ciphertext of secret "r1" is not a Vault transit ciphertext',
    '... and refuses any other');
SELECT is((SELECT proconfig FROM pg_proc WHERE oid = 'mountaineer.vault_refuse_ciphertext(text, text)'::regprocedure),
    '{"search_path=pg_catalog, pg_temp",log_min_error_statement=panic}',
    '... with log_min_error_statement at panic, so the server log leaves out the statement (test/host_sessions.sh reads the log)');
SELECT throws_ok($$UPDATE secret SET ciphertext = 'vault:v2:short' WHERE name = 'r1'$$, '23514',
    'the ciphertext of secret "r1" is not a Vault transit ciphertext', 'a malformed ciphertext is refused on update too');
SELECT throws_ok($$UPDATE secret SET ciphertext = NULL WHERE name = 'r1'$$, '23502', 'secret "r1" needs a ciphertext', 'a ciphertext is required');
-- the constraint behind the trigger (what holds while a restore bypasses it)
ALTER TABLE secret DISABLE TRIGGER "A_secret_check";
SELECT throws_ok($$UPDATE secret SET ciphertext = 'not one' WHERE name = 'r1'$$, '23514',
    'new row for relation "secret" violates check constraint "secret_ciphertext_check"', 'the CHECK constraint holds without the trigger');
ALTER TABLE secret ENABLE TRIGGER "A_secret_check";
SELECT throws_ok($$UPDATE secret SET key_name = 'transit/keys/x' WHERE name = 'r1'$$, '23514',
    'new row for relation "secret" violates check constraint "secret_key_name_check"', 'a key name is a Vault key''s name');

-- rewraps go forward
UPDATE secret SET ciphertext = pg_temp.ct('r1', 2) WHERE name = 'r1';
SELECT is((SELECT row(key_version, created_at = '2020-01-01 00:00+00', rotated_at = now())::text FROM secret WHERE name = 'r1'),
    '(2,t,t)', 'a rewrap to a higher key version is accepted: key_version follows, created_at stays, rotated_at is now');
UPDATE secret SET created_at = '2000-01-01 00:00+00', rotated_at = '2000-01-01 00:00+00' WHERE name = 'r1';
SELECT is((SELECT row(created_at = '2020-01-01 00:00+00', rotated_at = now())::text FROM secret WHERE name = 'r1'),
    '(t,t)', 'created_at and rotated_at cannot be written by hand');
SELECT throws_ok($$UPDATE secret SET ciphertext = pg_temp.ct('r1', 1) WHERE name = 'r1'$$, '23514',
    'secret "r1" cannot go from version 2 to version 1 of key "tv-key"', 'going to a lower key version is refused');
SELECT lives_ok($$UPDATE secret SET ciphertext = pg_temp.ct('r1 new value', 2) WHERE name = 'r1'$$, 'a new value under the same version is accepted');
SELECT lives_ok($$UPDATE secret SET ciphertext = pg_temp.ct('r1', 1), key_name = 'tv-key2' WHERE name = 'r1'$$,
    'a lower version under another key is accepted (versions count per key)');

-- the change log keeps key versions, never a ciphertext
SET LOCAL client_min_messages = warning;
TRUNCATE secret;
RESET client_min_messages;
SELECT is_empty($$SELECT c.id FROM change c, jsonb_each_text(coalesce(c.before, '{}') || coalesce(c.after, '{}')) e
                   WHERE c.table_name = 'secret' AND c.schema_name = 'mountaineer' AND e.key = 'ciphertext' AND e.value !~ '^vault:v[0-9]+$'$$,
    'no change of a secret (insert, update, delete, truncate) logs a ciphertext, only its key version');
SELECT is_empty($$SELECT c.id FROM change c WHERE position(encode(sha256('r1'), 'base64') IN coalesce(c.before::text, '') || coalesce(c.after::text, '')) > 0$$,
    '... nor does a ciphertext appear anywhere in the log');
SELECT set_eq($$SELECT c.op, c.before ->> 'ciphertext' AS before, c.after ->> 'ciphertext' AS after FROM change c
                WHERE c.table_name = 'secret' AND c.row_id = (SELECT row_id FROM change WHERE table_name = 'secret' AND after ->> 'name' = 'r1' AND op = 'insert' ORDER BY id DESC LIMIT 1)$$,
    $$VALUES ('insert', NULL, 'vault:v1'), ('update', 'vault:v1', 'vault:v2'),
             ('update', 'vault:v2', 'vault:v2'), ('update', 'vault:v2', 'vault:v1'), ('truncate', 'vault:v1', NULL)$$,
    '... r1''s history: inserted under v1, rewrapped to v2, a new value under v2, moved to another key at v1, truncated');
SELECT ok(EXISTS (SELECT FROM pg_trigger WHERE tgrelid = 'mountaineer.change'::regclass AND tgname = 'secret_change_redact'
                  AND pg_get_triggerdef(oid) LIKE '%NOT %restoring(''%change''::regclass)%'),
          'the log''s redaction stands aside while the log is restored (its rows come redacted)');

-- grants, safes, logins
SELECT throws_ok($$INSERT INTO safe_access (safe_id, host_id, role_id) SELECT s.id, h.id, r.id FROM safe s, host h, role r
                   WHERE s.name = 'tv-no-one' AND h.hostname = 'a.tv.example' AND r.name = 'tv-db'$$,
    '23514', 'new row for relation "safe_access" violates check constraint "safe_access_one_grantee"', 'a grant names exactly one grantee');
SELECT throws_ok($$INSERT INTO safe_access (safe_id, role_id, permission) SELECT s.id, r.id, 'write' FROM safe s, role r
                   WHERE s.name = 'tv-by-role' AND r.name = 'tv-db'$$,
    '23505', 'duplicate key value violates unique constraint "safe_access_grantee_key"', 'one grant per safe and grantee');
INSERT INTO secret (safe_id, name, ciphertext, key_name) SELECT id, 'z1', pg_temp.ct('z1', 1), 'tv-key' FROM safe WHERE name = 'tv-no-one';
SELECT throws_ok($$INSERT INTO safe (name) VALUES ('tv-by-role')$$, '23505', 'duplicate key value violates unique constraint "safe_name_key"',
    'a safe''s name is unique');
SELECT throws_ok($$INSERT INTO safe (name) VALUES (' tv-padded')$$, '23514', 'new row for relation "safe" violates check constraint "safe_name_check"',
    'a safe''s name is a name');
SELECT throws_ok($$INSERT INTO safe (name, description) VALUES ('tv-long', repeat('d', 201))$$, '23514',
    'new row for relation "safe" violates check constraint "safe_description_check"', 'a description has at most 200 characters');
SELECT throws_ok($$INSERT INTO secret (safe_id, name, ciphertext, key_name) SELECT id, 'z1', pg_temp.ct('z1 again', 1), 'tv-key' FROM safe WHERE name = 'tv-no-one'$$,
    '23505', 'duplicate key value violates unique constraint "secret_safe_id_name_key"', 'a secret''s name is unique within its safe');
SELECT lives_ok($$INSERT INTO secret (safe_id, name, ciphertext, key_name) SELECT id, 'z1', pg_temp.ct('z1 again', 1), 'tv-key' FROM safe WHERE name = 'tv-by-role'$$,
    '... not across safes');
DELETE FROM secret WHERE name = 'z1' AND safe_id = (SELECT id FROM safe WHERE name = 'tv-by-role');
SELECT throws_ok($$INSERT INTO secret (safe_id, name, ciphertext, key_name) SELECT id, E'tv\tx', pg_temp.ct('x', 1), 'tv-key' FROM safe WHERE name = 'tv-no-one'$$,
    '23514', 'new row for relation "secret" violates check constraint "secret_name_check"', 'a secret''s name is a name');
SELECT throws_ok($$DELETE FROM safe WHERE name = 'tv-no-one'$$, '23503',
    'safe "tv-no-one" cannot be deleted: 1 secret row(s) refer to it: z1', 'a safe that holds secrets cannot be deleted');
SET LOCAL ROLE mountaineer_editor;
SELECT throws_ok($$DELETE FROM safe WHERE name = 'tv-no-one'$$, '23503',
    'update or delete on table "safe" violates foreign key constraint "secret_safe_id_fkey" on table "secret"',
    '... by an editor either, who is not told their names');
SELECT lives_ok($$DELETE FROM safe WHERE name = 'tv-by-host'$$, 'an editor deletes an empty safe, and its grants with it');
RESET ROLE;
SELECT throws_ok($$SELECT create_host_login('a.tv.example', 'tv_b')$$, '23505', 'role "tv_b" is already the login of host "b.tv.example"',
    'a login acts for one host');
SELECT lives_ok($$SELECT create_host_login('a.tv.example', 'tv_a', 'new-password')$$, 'making a login again is a no-op (here: a new password)');
SELECT is((SELECT h.hostname FROM create_host_login('b.tv.example', 'TV b"x') l JOIN host h ON h.id = l.host_id), 'b.tv.example',
    'a login name is taken as written (capitals, quotes): a host may have several logins');
SELECT ok(pg_has_role('TV b"x', 'mountaineer_host', 'MEMBER') AND pg_has_role('authenticator', 'TV b"x', 'MEMBER'),
    '... and that role is made a host login');
CREATE ROLE tv_plain LOGIN;
SELECT throws_ok($$SELECT create_host_login('a.tv.example', 'tv_plain')$$, '42710', 'role "tv_plain" already exists and is not a host login',
    'an existing role that is not a host login is not taken over');
SELECT throws_ok($$SELECT create_host_login('a.tv.example', 'mountaineer_reader')$$, '22023', 'role "mountaineer_reader" is a group role and cannot be a host login',
    'a group role cannot become a host login');
SELECT throws_ok($$SELECT create_host_login('a.tv.example', repeat('x', 64))$$, '22023', format('invalid login name "%s"', repeat('x', 64)),
    'a login name longer than 63 bytes');
SELECT throws_ok($$SELECT create_host_login('a.tv.example', ' tv_e')$$, '22023', 'invalid login name " tv_e"', 'a login name with white space at an end');
SELECT throws_ok($$SELECT create_host_login('nowhere.tv.example', 'tv_n')$$, 'P0002', 'no host "nowhere.tv.example"', 'create_host_login for an unknown host');
DELETE FROM host WHERE hostname = 'd.tv.example';
SELECT ok(NOT EXISTS (SELECT FROM host_login WHERE login = 'tv_d'), 'a deleted host''s logins go with it');

SELECT * FROM finish();
ROLLBACK;
