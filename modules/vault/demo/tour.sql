-- mountaineer_vault: Vault transit ciphertexts, and which hosts may read them.
\pset footer off
-- Who may read which safe, and why (a role, an environment, the host itself).
SELECT hostname, safe, permission, via FROM mountaineer.safe_host_access
WHERE hostname IN ('db1.prod.example.net', 'web1.prod.example.net', 'prom1.prod.example.net', 'ci1.stage.example.net')
ORDER BY hostname, safe;
-- What db1's configuration management fetches (and has Vault decrypt).
SELECT safe, name, key_name, key_version, left(ciphertext, 24) || '…' AS ciphertext
FROM mountaineer.host_secrets('db1.prod.example.net');
-- Logged in as db1, a host sees its own secrets and nothing else, whatever it claims.
SET ROLE host_db1;
SET request.jwt.claims = '{"role": "host_web1"}';
SELECT name, key_version FROM mountaineer.secret ORDER BY name;
\set ON_ERROR_STOP off
SELECT * FROM mountaineer.host_secrets('web1.prod.example.net');
RESET ROLE;
RESET request.jwt.claims;
-- A plaintext pasted by mistake is refused, and not repeated in the error.
UPDATE mountaineer.secret SET ciphertext = 'correct horse battery staple' WHERE name = 'tls-key';
\set ON_ERROR_STOP on
-- The change log keeps key versions, never ciphertexts.
SELECT op, before ->> 'ciphertext' AS before, after ->> 'ciphertext' AS after
FROM mountaineer.change WHERE table_name = 'secret'
  AND row_id = (SELECT id FROM mountaineer.secret WHERE name = 'postgres-password') ORDER BY id;
