-- Sample estate for mountaineer_vault: safes of Vault transit ciphertexts
-- granted to a role, an environment and a host, and host logins.  The
-- ciphertexts are made up (64 bytes each, as Vault's would be for a short
-- secret): no Vault has the keys to them.
SET search_path = mountaineer, public;

INSERT INTO safe (name, description) VALUES
    ('prod-db',    'Production PostgreSQL passwords'),
    ('prod-web',   'Production TLS keys'),
    ('stage',      'Everything staging needs'),
    ('monitoring', 'Prometheus and Grafana credentials');

-- a made-up ciphertext of version v for the secret named n
CREATE FUNCTION pg_temp.fake_ciphertext(n text, v int) RETURNS text LANGUAGE sql
    AS $$ SELECT 'vault:v' || v || ':' || replace(encode(sha512(convert_to(n || v, 'UTF8')), 'base64'), E'\n', '') $$;

INSERT INTO secret (safe_id, name, ciphertext, key_name)
SELECT s.id, v.name, pg_temp.fake_ciphertext(v.name, 1), v.key_name
FROM (VALUES ('prod-db', 'postgres-password', 'prod'), ('prod-db', 'replication-password', 'prod'),
             ('prod-web', 'tls-key', 'prod'), ('stage', 'api-token', 'stage'),
             ('monitoring', 'grafana-admin', 'prod')) v(safe, name, key_name)
JOIN safe s ON s.name = v.safe;
-- the prod key was rotated and one secret rewrapped to its version 2
UPDATE secret SET ciphertext = pg_temp.fake_ciphertext(name, 2) WHERE name = 'postgres-password';

-- prod-db to the hosts of role db, prod-web to role web, stage to every
-- host of environment stage, monitoring to prom1 alone, which may write it
INSERT INTO safe_access (safe_id, role_id)
SELECT s.id, r.id FROM safe s JOIN role r ON (s.name, r.name) IN (('prod-db', 'db'), ('prod-web', 'web'));
INSERT INTO safe_access (safe_id, environment_id)
SELECT s.id, e.id FROM safe s, environment e WHERE s.name = 'stage' AND e.name = 'stage';
INSERT INTO safe_access (safe_id, host_id, permission)
SELECT s.id, h.id, 'write' FROM safe s, host h WHERE s.name = 'monitoring' AND h.hostname = 'prom1.prod.example.net';

-- logins for three hosts (roles are cluster-wide: made once, reused after)
SELECT login FROM create_host_login('db1.prod.example.net', 'host_db1')
UNION ALL SELECT login FROM create_host_login('web1.prod.example.net', 'host_web1')
UNION ALL SELECT login FROM create_host_login('prom1.prod.example.net', 'host_prom1');
