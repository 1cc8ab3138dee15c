-- Tags and attributes (core 1.5) as a user meets their refusals: the exact
-- messages, details and hints, and the changes that need READ COMMITTED.
\set VERBOSITY default
SET search_path = mountaineer, public;
BEGIN;
INSERT INTO tag (name) VALUES ('reg-prod');
INSERT INTO site (name, tags) VALUES ('reg-site', '{reg-prod}');
INSERT INTO rack (site_id, name, units) SELECT id, 'reg-r1', 42 FROM site WHERE name = 'reg-site';
INSERT INTO attribute_definition (table_name, key, type, choices) VALUES ('rack', 'reg_tier', 'select', '{gold,silver}');
INSERT INTO attribute_definition (table_name, key, type, minimum) VALUES ('rack', 'reg_amps', 'int', 1);
SAVEPOINT s;
UPDATE site SET tags = '{reg-prod,reg-nope}' WHERE name = 'reg-site';
ROLLBACK TO s;
UPDATE rack SET attributes = '{"reg_owner": "ops"}' WHERE name = 'reg-r1';
ROLLBACK TO s;
UPDATE site SET attributes = '{"reg_owner": "ops"}' WHERE name = 'reg-site';
ROLLBACK TO s;
UPDATE rack SET attributes = '{"reg_tier": "bronze", "reg_amps": 0}' WHERE name = 'reg-r1';
ROLLBACK TO s;
UPDATE rack SET attributes = jsonb_build_object('reg_tier', repeat('x', 100)) WHERE name = 'reg-r1';
ROLLBACK TO s;
INSERT INTO attribute_definition (table_name, key, type, required) VALUES ('rack', 'reg_owner', 'text', true);
ROLLBACK TO s;
UPDATE rack SET attributes = '{"reg_amps": 16}' WHERE name = 'reg-r1';
UPDATE attribute_definition SET type = 'text', minimum = NULL WHERE key = 'reg_amps';
ROLLBACK TO s;
INSERT INTO attribute_definition (table_name, key, type) VALUES ('cable_end', 'reg_x', 'text');
ROLLBACK TO s;
DELETE FROM tag WHERE name = 'reg-prod';
ROLLBACK TO s;
COMMIT;

-- outside READ COMMITTED a rename, a delete or a definition change could
-- miss rows committed while it waited: refused
BEGIN ISOLATION LEVEL REPEATABLE READ;
UPDATE tag SET name = 'reg-production' WHERE name = 'reg-prod';
ROLLBACK;
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO attribute_definition (table_name, key, type) VALUES ('rack', 'reg_owner', 'text');
ROLLBACK;
BEGIN ISOLATION LEVEL SERIALIZABLE;
DELETE FROM attribute_definition WHERE key = 'reg_tier';
ROLLBACK;
BEGIN ISOLATION LEVEL REPEATABLE READ;
UPDATE attribute_definition SET required = false WHERE key = 'reg_tier';
ROLLBACK;

-- tidy up (READ COMMITTED)
UPDATE site SET tags = '{}' WHERE name = 'reg-site';
DELETE FROM tag WHERE name = 'reg-prod';
DELETE FROM attribute_definition WHERE key IN ('reg_tier', 'reg_amps');
DELETE FROM rack WHERE name = 'reg-r1';
DELETE FROM site WHERE name = 'reg-site';
