-- mountaineer_vault on the demo estate (hardware + hosts + vault): what
-- the grants add up to, and the refusals with their exact messages.
\set ECHO none
\set QUIET on
\i ../hardware/demo/estate.sql
\i ../hosts/demo/estate.sql
\o /dev/null
\i demo/estate.sql
\o
\set QUIET off
\set ECHO all
SET search_path = mountaineer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never

SELECT hostname, safe, permission, via FROM safe_host_access ORDER BY safe, hostname;
SELECT s.name AS safe, x.name, x.key_name, x.key_version, x.rotated_at > x.created_at AS rewrapped
FROM secret x JOIN safe s ON s.id = x.safe_id ORDER BY 1, 2;
SELECT l.login, h.hostname FROM host_login l JOIN host h ON h.id = l.host_id ORDER BY 1;

-- refusals, with their messages
UPDATE secret SET ciphertext = 'correct horse battery staple' WHERE name = 'tls-key';
UPDATE secret SET ciphertext = 'vault:v1:c2hvcnQ=' WHERE name = 'tls-key';
UPDATE secret SET ciphertext = replace(ciphertext, 'vault:v2:', 'vault:v1:') WHERE name = 'postgres-password';
DELETE FROM safe WHERE name = 'prod-db';
SELECT create_host_login('db2.prod.example.net', 'host_db1');
SELECT create_host_login('db2.prod.example.net', 'mountaineer_host');
SELECT * FROM host_secrets('nowhere.example.net');
SET ROLE host_web1;
SELECT name FROM secret ORDER BY name;
SELECT * FROM host_secrets('db1.prod.example.net');
INSERT INTO secret (safe_id, name, ciphertext, key_name) SELECT id, 'mine', 'vault:v1:' || encode(sha256('x'), 'base64'), 'prod' FROM safe;
RESET ROLE;
