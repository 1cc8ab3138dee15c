-- mountaineer_vault: what every table of the module does with a change that
-- the other suite does not try on it: an update and a delete are logged
-- with what changed, an id never changes, and TRUNCATE logs every row it
-- removes (a secret's ciphertext as its key version only).
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(16);

INSERT INTO environment (name) VALUES ('tc-vault');
INSERT INTO role (name) VALUES ('tc-vault-role');
INSERT INTO cluster (name, kind) VALUES ('tc-vault-k', 'kvm');
INSERT INTO host (hostname, environment_id, cluster_id)
SELECT 'vm1.tcv.example', e.id, c.id FROM environment e, cluster c WHERE e.name = 'tc-vault' AND c.name = 'tc-vault-k';
INSERT INTO safe (name) VALUES ('tc-safe');
INSERT INTO secret (safe_id, name, ciphertext, key_name)
SELECT id, 'tc-secret', 'vault:v4:' || encode(sha256('tc'), 'base64'), 'tc-key' FROM safe WHERE name = 'tc-safe';
INSERT INTO safe_access (safe_id, role_id) SELECT s.id, r.id FROM safe s, role r WHERE s.name = 'tc-safe' AND r.name = 'tc-vault-role';
INSERT INTO host_login (login, host_id) SELECT 'tc_vault_login', id FROM host WHERE hostname = 'vm1.tcv.example';
CREATE TEMP TABLE k AS SELECT
    (SELECT id FROM safe WHERE name = 'tc-safe') AS safe,
    (SELECT id FROM secret WHERE name = 'tc-secret') AS secret,
    (SELECT id FROM safe_access WHERE safe_id = (SELECT id FROM safe WHERE name = 'tc-safe')) AS grant_id,
    (SELECT id FROM host_login WHERE login = 'tc_vault_login') AS login;
CREATE FUNCTION pg_temp.last_change(tbl regclass, row_id uuid) RETURNS text LANGUAGE sql
    AS $$ SELECT row(op, before, after)::text FROM mountaineer.history(tbl, row_id) ORDER BY id DESC LIMIT 1 $$;

-- updates: logged with what changed
UPDATE safe SET description = 'Test safe' WHERE id = (SELECT safe FROM k);
SELECT is(pg_temp.last_change('mountaineer.safe', (SELECT safe FROM k)), '(update,"{""description"": null}","{""description"": ""Test safe""}")',
    'an update of a safe is logged with what changed');
UPDATE safe_access SET permission = 'write' WHERE id = (SELECT grant_id FROM k);
SELECT is(pg_temp.last_change('mountaineer.safe_access', (SELECT grant_id FROM k)), '(update,"{""permission"": ""read""}","{""permission"": ""write""}")',
    'an update of a grant is logged with what changed');
UPDATE host_login SET login = 'tc_vault_login2' WHERE id = (SELECT login FROM k);
SELECT is(pg_temp.last_change('mountaineer.host_login', (SELECT login FROM k)), '(update,"{""login"": ""tc_vault_login""}","{""login"": ""tc_vault_login2""}")',
    'an update of a host login is logged with what changed');
UPDATE secret SET name = 'tc-secret2' WHERE id = (SELECT secret FROM k);
SELECT is(pg_temp.last_change('mountaineer.secret', (SELECT secret FROM k)), '(update,"{""name"": ""tc-secret""}","{""name"": ""tc-secret2""}")',
    'a rename of a secret is logged with what changed, and no ciphertext');

-- ids never change
SELECT throws_ok($$UPDATE safe SET id = gen_random_uuid() WHERE name = 'tc-safe'$$, '428C9', 'the id of a safe row cannot change', 'a safe keeps its id');
SELECT throws_ok($$UPDATE secret SET id = gen_random_uuid() WHERE name = 'tc-secret2'$$, '428C9', 'the id of a secret row cannot change', 'a secret keeps its id');
SELECT throws_ok($$UPDATE safe_access SET id = gen_random_uuid() WHERE id = (SELECT grant_id FROM k)$$, '428C9', 'the id of a safe_access row cannot change', 'a grant keeps its id');
SELECT throws_ok($$UPDATE host_login SET id = gen_random_uuid() WHERE id = (SELECT login FROM k)$$, '428C9', 'the id of a host_login row cannot change', 'a login keeps its id');

-- deletes: logged with the whole row
DELETE FROM host_login WHERE id = (SELECT login FROM k);
SELECT is(pg_temp.last_change('mountaineer.host_login', (SELECT login FROM k)) LIKE '(delete,%tc_vault_login2%', true, 'a delete of a host login is logged');
DELETE FROM safe_access WHERE id = (SELECT grant_id FROM k);
SELECT is(pg_temp.last_change('mountaineer.safe_access', (SELECT grant_id FROM k)) LIKE '(delete,%write%', true, 'a delete of a grant is logged');

-- TRUNCATE logs every row it removes, table by table
INSERT INTO safe_access (safe_id, role_id) SELECT s.id, r.id FROM safe s, role r WHERE s.name = 'tc-safe' AND r.name = 'tc-vault-role';
INSERT INTO host_login (login, host_id) SELECT 'tc_vault_login3', id FROM host WHERE hostname = 'vm1.tcv.example';
CREATE TEMP TABLE before_truncate AS
    SELECT 'host_login' AS tbl, count(*) AS n FROM host_login UNION ALL SELECT 'safe', count(*) FROM safe
    UNION ALL SELECT 'secret', count(*) FROM secret UNION ALL SELECT 'safe_access', count(*) FROM safe_access;
SELECT max(id) AS last_change FROM change \gset
TRUNCATE host_login;
TRUNCATE safe_access, secret, safe;
SELECT is((SELECT count(*) FROM change WHERE id > :last_change AND table_name = 'host_login' AND op = 'truncate'),
    (SELECT n FROM before_truncate WHERE tbl = 'host_login'), 'TRUNCATE host_login logs every login it removes');
SELECT is((SELECT count(*) FROM change WHERE id > :last_change AND table_name = 'safe' AND op = 'truncate'),
    (SELECT n FROM before_truncate WHERE tbl = 'safe'), 'TRUNCATE safe logs every safe');
SELECT is((SELECT count(*) FROM change WHERE id > :last_change AND table_name = 'secret' AND op = 'truncate'),
    (SELECT n FROM before_truncate WHERE tbl = 'secret'), '... TRUNCATE secret every secret');
SELECT is((SELECT count(*) FROM change WHERE id > :last_change AND table_name = 'safe_access' AND op = 'truncate'),
    (SELECT n FROM before_truncate WHERE tbl = 'safe_access'), '... TRUNCATE safe_access every grant');
SELECT is((SELECT before ->> 'ciphertext' FROM change WHERE id > :last_change AND table_name = 'secret' AND row_id = (SELECT secret FROM k)),
    'vault:v4', 'a truncated secret''s ciphertext is logged as its key version');
SELECT is((SELECT count(*)::int FROM safe) + (SELECT count(*)::int FROM secret) + (SELECT count(*)::int FROM host_login), 0, 'the tables are empty');

SELECT * FROM finish();
ROLLBACK;
