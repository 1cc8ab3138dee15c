\set ON_ERROR_STOP true
\set QUIET true
-- login(): a JWT for a database user's name and password (src/sign_in.c).
-- The roles are made in this transaction and rolled back with it.
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(22);

CREATE EXTENSION pgcrypto SCHEMA public;   -- hmac() to check the signature, rolled back
SET LOCAL password_encryption = 'scram-sha-256';
CREATE ROLE mt_login_reader LOGIN PASSWORD 'reader pw' IN ROLE mountaineer_reader;
CREATE ROLE mt_login_editor LOGIN PASSWORD 'editor pw' IN ROLE mountaineer_editor;
-- a member of admin and (through it) of everything below: the highest wins
CREATE ROLE mt_login_admin LOGIN PASSWORD 'admin pw' IN ROLE mountaineer_admin, mountaineer_reader;
CREATE ROLE mt_login_none LOGIN PASSWORD 'none pw';
CREATE ROLE mt_login_nopass LOGIN IN ROLE mountaineer_reader;
CREATE ROLE mt_login_expired LOGIN PASSWORD 'expired pw' VALID UNTIL '2000-01-01' IN ROLE mountaineer_reader;
SET LOCAL password_encryption = 'md5';
CREATE ROLE "mt_login ""md5""" LOGIN PASSWORD 'md5 pw' IN ROLE mountaineer_editor;
RESET password_encryption;

-- no secret yet
DELETE FROM api_secret;
SELECT throws_ok($$SELECT login('mt_login_reader', 'reader pw')$$, '55000',
    'this database has no API secret to sign tokens with', 'without a secret, login() says what is missing');
INSERT INTO api_secret (secret) VALUES ('login-test-secret-0123456789-abcdefghij');

CREATE FUNCTION pg_temp.b64u(text) RETURNS bytea LANGUAGE sql IMMUTABLE
    RETURN decode(translate($1, '-_', '+/') || repeat('=', (4 - length($1) % 4) % 4), 'base64');
CREATE FUNCTION pg_temp.claims(text) RETURNS json LANGUAGE sql IMMUTABLE
    RETURN convert_from(pg_temp.b64u(split_part($1, '.', 2)), 'UTF8')::json;
CREATE TEMP TABLE tok AS
SELECT u, login(u, p)->>'token' AS t
FROM (VALUES ('mt_login_reader', 'reader pw'), ('mt_login_editor', 'editor pw'),
             ('mt_login_admin', 'admin pw'), ('mt_login "md5"', 'md5 pw')) v(u, p);

SELECT is((SELECT pg_temp.claims(t)->>'role' FROM tok WHERE u = 'mt_login_reader'), 'mountaineer_reader',
          'a reader''s right password: a token whose role is mountaineer_reader');
SELECT is((SELECT pg_temp.claims(t)->>'role' FROM tok WHERE u = 'mt_login_editor'), 'mountaineer_editor',
          'an editor''s: mountaineer_editor');
SELECT is((SELECT pg_temp.claims(t)->>'role' FROM tok WHERE u = 'mt_login_admin'), 'mountaineer_admin',
          'an admin''s (a member of reader too): the highest, mountaineer_admin');
SELECT is((SELECT pg_temp.claims(t)->>'role' FROM tok WHERE u = 'mt_login "md5"'), 'mountaineer_editor',
          'an md5 password is checked too');
SELECT is((SELECT string_agg(pg_temp.claims(t)->>'sub', ',' ORDER BY u) FROM tok),
          'mt_login "md5",mt_login_admin,mt_login_editor,mt_login_reader',
          'sub is the user''s name, quotes escaped in the JSON');
SELECT ok((SELECT bool_and((pg_temp.claims(t)->>'exp')::bigint
                           BETWEEN extract(epoch FROM clock_timestamp())::bigint + 8 * 3600 - 60
                               AND extract(epoch FROM clock_timestamp())::bigint + 8 * 3600 + 1) FROM tok),
          'exp is 8 hours from now');
SELECT is((SELECT count(*) FROM tok, json_object_keys(pg_temp.claims(t)) k), 12::bigint,
          'the claims are role, sub and exp, nothing else');
SELECT is((SELECT DISTINCT convert_from(pg_temp.b64u(split_part(t, '.', 1)), 'UTF8') FROM tok),
          '{"alg":"HS256","typ":"JWT"}', 'the header says HS256');
SELECT ok((SELECT bool_and(pg_temp.b64u(split_part(t, '.', 3))
                           = public.hmac(split_part(t, '.', 1) || '.' || split_part(t, '.', 2),
                                         'login-test-secret-0123456789-abcdefghij', 'sha256')) FROM tok),
          'the signature is HMAC-SHA256 of header.payload with the secret');
SELECT ok((SELECT bool_and(t !~ '[=+/]') FROM tok), 'the token is base64url without padding');
SELECT is(json_typeof(login('mt_login_reader', 'reader pw')), 'object', 'login() returns a JSON object');

SELECT throws_ok($$SELECT login('mt_login_reader', 'wrong')$$, '28P01', 'invalid user name or password',
                 'a wrong password is refused');
SELECT throws_ok($$SELECT login('mt_login_nobody', 'reader pw')$$, '28P01', 'invalid user name or password',
                 'an unknown user gets the same refusal');
SELECT throws_ok($$SELECT login('mt_login_none', 'none pw')$$, '28P01', 'invalid user name or password',
                 'a user without a mountaineer role gets the same refusal');
SELECT throws_ok($$SELECT login('mt_login_nopass', '')$$, '28P01', 'invalid user name or password',
                 'a user without a password gets the same refusal');
SELECT throws_ok($$SELECT login('mt_login_expired', 'expired pw')$$, '28P01', 'invalid user name or password',
                 'a password past VALID UNTIL gets the same refusal');
SELECT throws_ok($$SELECT login('mountaineer_reader', '')$$, '28P01', 'invalid user name or password',
                 'a group role (no password) gets the same refusal');
SELECT ok(login(NULL, 'x') IS NULL, 'STRICT: a NULL argument gives NULL');

SELECT ok(has_function_privilege('mountaineer_anon', 'mountaineer.login(text, text)', 'EXECUTE'),
          'the anonymous role may call login()');
SET LOCAL ROLE mountaineer_anon;
SELECT throws_ok($$SELECT count(*) FROM mountaineer.device$$, '42501', 'permission denied for table device',
                 'and reads nothing of the inventory');
RESET ROLE;
SELECT throws_ok($$INSERT INTO api_secret (secret) VALUES ('short')$$, '23514', NULL,
                 'a secret shorter than 32 characters is refused');

SELECT * FROM finish();
ROLLBACK;
