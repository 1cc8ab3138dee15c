\set ON_ERROR_STOP true
\set QUIET true
-- Tags and attributes (core 1.5, manage_attributes()): every rule and
-- refusal, on the hardware tables site and rack (every inventory table has
-- the same triggers: test/attributes_catalog.sql).  One transaction, rolled
-- back; names start with "tap-attr" so rows of other suites do not matter.
-- Concurrency is specs/tags_attributes.spec of mountaineer_hardware; exact
-- messages and refusals outside READ COMMITTED its sql/attributes.sql.
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(76);

-- tags -----------------------------------------------------------------
INSERT INTO tag (name, color, description) VALUES ('tap-attr-prod', '00ff00', 'production'), ('tap-attr-pci', 'ff0000', NULL);
SELECT is((SELECT color FROM tag WHERE name = 'tap-attr-pci'), 'ff0000', 'a tag has a colour');
INSERT INTO tag (name) VALUES ('tap-attr-grey');
SELECT is((SELECT color FROM tag WHERE name = 'tap-attr-grey'), '9e9e9e', 'a tag''s colour defaults to 9e9e9e, as NetBox''s');
SELECT throws_ok($$INSERT INTO tag (name) VALUES ('tap-attr-prod')$$, '23505', NULL, 'a tag name is unique');
SELECT throws_ok($$INSERT INTO tag (name) VALUES (' tap-attr-x')$$, '23514',
    'new row for relation "tag" violates check constraint "tag_name_check"', 'a tag name is a name');
SELECT throws_ok($$INSERT INTO tag (name, color) VALUES ('tap-attr-x', '#00FF00')$$, '23514',
    'new row for relation "tag" violates check constraint "tag_color_check"', 'a colour is six lower-case hex digits');

INSERT INTO site (name) VALUES ('tap-attr-s1'), ('tap-attr-s2');
UPDATE site SET tags = '{tap-attr-prod,tap-attr-pci}' WHERE name = 'tap-attr-s1';
SELECT is((SELECT tags FROM site WHERE name = 'tap-attr-s1'), '{tap-attr-prod,tap-attr-pci}', 'an update carries tags, as written');
INSERT INTO rack (site_id, name, units, tags) SELECT id, 'tap-attr-r1', 42, '{tap-attr-prod}' FROM site WHERE name = 'tap-attr-s1';
SELECT is((SELECT tags FROM rack WHERE name = 'tap-attr-r1'), '{tap-attr-prod}', 'an insert carries tags');
SELECT throws_ok($$UPDATE site SET tags = '{tap-attr-nope}' WHERE name = 'tap-attr-s2'$$, '23503',
    'tag "tap-attr-nope" does not exist', 'a tag that does not exist is refused (23503, naming it)');
SELECT throws_ok($$INSERT INTO site (name, tags) VALUES ('tap-attr-s3', '{tap-attr-prod,tap-attr-zzz}')$$, '23503',
    'tag "tap-attr-zzz" does not exist', 'also on insert, among existing tags');
SELECT throws_ok($$UPDATE site SET tags = '{tap-attr-prod,NULL}' WHERE name = 'tap-attr-s2'$$, '23514',
    'new row for relation "site" violates check constraint "site_tags_check"', 'a NULL tag is refused');
SELECT throws_ok($$UPDATE site SET tags = NULL WHERE name = 'tap-attr-s2'$$, '23502', NULL, 'tags are never NULL');
SELECT ok((SELECT count(*) = 1 FROM site WHERE tags @> '{tap-attr-pci}'), 'tags @> filters by tag');

SET LOCAL enable_seqscan = off;
CREATE TEMP TABLE plan_lines (line text);
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE l text; r text := '';
BEGIN
    FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP r := r || l || E'\n'; END LOOP;
    RETURN r;
END $$;
SELECT matches(pg_temp.plan_of($$SELECT id FROM mountaineer.device WHERE tags @> '{tap-attr-pci}'$$), 'device_tags_idx',
    'a tag filter uses <table>_tags_idx');
SELECT matches(pg_temp.plan_of($$SELECT id FROM mountaineer.prefix WHERE attributes @> '{"owner": "x"}'$$), 'prefix_attributes_idx',
    'an attribute filter (@>) uses <table>_attributes_idx');
RESET enable_seqscan;

-- renaming a tag renames it in every row of every table
UPDATE tag SET name = 'tap-attr-production' WHERE name = 'tap-attr-prod';
SELECT is((SELECT tags FROM site WHERE name = 'tap-attr-s1'), '{tap-attr-production,tap-attr-pci}', 'a renamed tag is renamed in a site');
SELECT is((SELECT tags FROM rack WHERE name = 'tap-attr-r1'), '{tap-attr-production}', '... and in a rack');
SELECT is((SELECT count(*)::int FROM change WHERE table_name = 'rack' AND op = 'update' AND after ->> 'tags' = '["tap-attr-production"]'), 1,
    'the rename is in the change log of each row it renamed');
-- deleting a tag in use is refused, naming the rows
SELECT throws_ok($$DELETE FROM tag WHERE name = 'tap-attr-production'$$, '23503',
    'tag "tap-attr-production" cannot be deleted: 1 rack row(s) carry it: tap-attr-r1', 'a tag in use cannot be deleted (23503, naming the rows)');
UPDATE rack SET tags = array_remove(tags, 'tap-attr-production') WHERE name = 'tap-attr-r1';
SELECT throws_ok($$DELETE FROM tag WHERE name = 'tap-attr-production'$$, '23503',
    'tag "tap-attr-production" cannot be deleted: 1 site row(s) carry it: tap-attr-s1', '... in any table');
UPDATE site SET tags = '{}' WHERE name = 'tap-attr-s1';
SELECT lives_ok($$DELETE FROM tag WHERE name = 'tap-attr-production'$$, 'a tag no row carries is deleted');

-- attribute definitions -------------------------------------------------
INSERT INTO attribute_definition (table_name, key, type, label) VALUES ('site', 'tap_owner', 'text', 'Owner');
INSERT INTO attribute_definition (table_name, key, type, minimum, maximum) VALUES ('site', 'tap_floors', 'int', 1, 10);
INSERT INTO attribute_definition (table_name, key, type) VALUES ('site', 'tap_staffed', 'bool'), ('site', 'tap_opened', 'date'), ('site', 'tap_wiki', 'url');
INSERT INTO attribute_definition (table_name, key, type, choices) VALUES ('site', 'tap_tier', 'select', '{gold,silver}');
INSERT INTO attribute_definition (table_name, key, type, regex) VALUES ('site', 'tap_code', 'text', '^[A-Z]{3}[0-9]$');

UPDATE site SET attributes = '{"tap_owner": "ops", "tap_floors": 3, "tap_staffed": true, "tap_opened": "2024-02-29",
                               "tap_wiki": "https://wiki.example.com/ams1", "tap_tier": "gold", "tap_code": "AMS1"}' WHERE name = 'tap-attr-s1';
SELECT is((SELECT attributes ->> 'tap_tier' FROM site WHERE name = 'tap-attr-s1'), 'gold', 'a value of each type is taken');
SELECT ok((SELECT count(*) = 1 FROM site WHERE attributes @> '{"tap_floors": 3}'), 'attributes @> filters by value');
SELECT ok((SELECT count(*) = 1 FROM site WHERE attributes ->> 'tap_owner' = 'ops'), 'attributes ->> filters by value');

CREATE FUNCTION pg_temp.set_attr(a text) RETURNS void LANGUAGE sql AS $$ UPDATE mountaineer.site SET attributes = a::jsonb WHERE name = 'tap-attr-s2' $$;
SELECT throws_ok($$SELECT pg_temp.set_attr('{"colour": "red"}')$$, '23514', 'unknown attribute "colour" of site', 'an unknown key is refused (23514, naming it)');
SELECT throws_ok($$SELECT pg_temp.set_attr('[1, 2]')$$, '23514', 'new row for relation "site" violates check constraint "site_attributes_check"', 'attributes are an object');
SELECT throws_ok($$SELECT pg_temp.set_attr('{"tap_owner": 42}')$$, '23514', 'attribute "tap_owner" of site must be text (a JSON string): 42', 'text: a number is refused');
SELECT throws_ok($$SELECT pg_temp.set_attr('{"tap_code": "ams1"}')$$, '23514', 'attribute "tap_code" of site must be text matching ^[A-Z]{3}[0-9]$: "ams1"', 'text: the regex');
SELECT throws_ok($$SELECT pg_temp.set_attr('{"tap_floors": "3"}')$$, '23514', 'attribute "tap_floors" of site must be an integer from 1 to 10: "3"', 'int: a string is refused');
SELECT throws_ok($$SELECT pg_temp.set_attr('{"tap_floors": 2.5}')$$, '23514', 'attribute "tap_floors" of site must be an integer from 1 to 10: 2.5', 'int: a fraction is refused');
SELECT throws_ok($$SELECT pg_temp.set_attr('{"tap_floors": 11}')$$, '23514', 'attribute "tap_floors" of site must be an integer from 1 to 10: 11', 'int: above the maximum');
SELECT throws_ok($$SELECT pg_temp.set_attr('{"tap_floors": 0}')$$, '23514', 'attribute "tap_floors" of site must be an integer from 1 to 10: 0', 'int: below the minimum');
SELECT lives_ok($$SELECT pg_temp.set_attr('{"tap_floors": 1.0}')$$, 'int: 1.0 is an integer');
SELECT throws_ok($$SELECT pg_temp.set_attr('{"tap_staffed": "yes"}')$$, '23514', 'attribute "tap_staffed" of site must be true or false: "yes"', 'bool: a string is refused');
SELECT throws_ok($$SELECT pg_temp.set_attr('{"tap_opened": "2023-02-29"}')$$, '23514', 'attribute "tap_opened" of site must be a date (YYYY-MM-DD): "2023-02-29"', 'date: no 29 February in 2023');
SELECT throws_ok($$SELECT pg_temp.set_attr('{"tap_opened": "2024-13-01"}')$$, '23514', 'attribute "tap_opened" of site must be a date (YYYY-MM-DD): "2024-13-01"', 'date: no month 13');
SELECT throws_ok($$SELECT pg_temp.set_attr('{"tap_opened": "1 May 2024"}')$$, '23514', 'attribute "tap_opened" of site must be a date (YYYY-MM-DD): "1 May 2024"', 'date: only YYYY-MM-DD');
SELECT throws_ok($$SELECT pg_temp.set_attr('{"tap_wiki": "ftp://wiki.example.com/"}')$$, '23514', 'attribute "tap_wiki" of site must be an http:// or https:// URL: "ftp://wiki.example.com/"', 'url: http or https only');
SELECT throws_ok($$SELECT pg_temp.set_attr('{"tap_tier": "bronze"}')$$, '23514', 'attribute "tap_tier" of site must be one of gold, silver: "bronze"', 'select: one of the choices');
SELECT lives_ok($$SELECT pg_temp.set_attr('{"tap_owner": null, "tap_tier": "silver"}')$$, 'a JSON null is no value, of any type');

-- (1.7) a row inserted without tags and attributes skips the check unless
-- a definition of its table is required or has a default
SELECT is(insert_needs_attributes('mountaineer.site'), false, 'insert_needs_attributes(): false for a table whose definitions neither require nor default a key');
SAVEPOINT needs;
INSERT INTO attribute_definition (table_name, key, type, default_value) VALUES ('site', 'tap_region', 'text', '"eu"');
SELECT is(insert_needs_attributes('mountaineer.site'), true, '... true in the next statement once one has a default');
INSERT INTO site (name) VALUES ('tap-attr-plain');
SELECT is((SELECT attributes FROM site WHERE name = 'tap-attr-plain'), '{"tap_region": "eu"}', '... and a plain row inserted then gets the default');
ROLLBACK TO SAVEPOINT needs;
SELECT is(insert_needs_attributes('mountaineer.site'), false, '... false again once that definition is rolled back');
INSERT INTO site (name) VALUES ('tap-attr-plain');
SELECT is((SELECT attributes FROM site WHERE name = 'tap-attr-plain'), '{}', '... and a plain row gets none');
SELECT is(insert_needs_attributes('pg_catalog.pg_class'), false, 'false for a table outside schema mountaineer');
SELECT throws_ok($$SELECT mountaineer.insert_needs_attributes(0)$$, '42P01', 'relation with OID 0 does not exist', 'no such table: 42P01');

-- defaults and required
INSERT INTO attribute_definition (table_name, key, type, default_value) VALUES ('rack', 'tap_power', 'int', '16');
SELECT is((SELECT attributes FROM rack WHERE name = 'tap-attr-r1'), '{"tap_power": 16}', 'a new definition with a default fills it into the rows there');
INSERT INTO rack (site_id, name, units) SELECT id, 'tap-attr-r2', 42 FROM site WHERE name = 'tap-attr-s1';
SELECT is((SELECT attributes FROM rack WHERE name = 'tap-attr-r2'), '{"tap_power": 16}', 'an inserted row without the key gets the default');
INSERT INTO rack (site_id, name, units, attributes) SELECT id, 'tap-attr-r3', 42, '{"tap_power": 32}' FROM site WHERE name = 'tap-attr-s1';
SELECT is((SELECT attributes FROM rack WHERE name = 'tap-attr-r3'), '{"tap_power": 32}', '... one with it keeps its value');
UPDATE rack SET attributes = '{}' WHERE name = 'tap-attr-r3';
SELECT is((SELECT attributes FROM rack WHERE name = 'tap-attr-r3'), '{}', 'an update may remove a key that is not required');
SELECT throws_ok($$INSERT INTO attribute_definition (table_name, key, type, required) VALUES ('rack', 'tap_owner', 'text', true)$$, '23514',
    NULL, 'a required definition without a default on a table whose rows lack it is refused');
SELECT lives_ok($$UPDATE attribute_definition SET required = true WHERE table_name = 'rack' AND key = 'tap_power'$$, 'made required, its default fills the rows without it');
SELECT is((SELECT attributes FROM rack WHERE name = 'tap-attr-r3'), '{"tap_power": 16}', '... as here');
SELECT throws_ok($$UPDATE rack SET attributes = '{}' WHERE name = 'tap-attr-r3'$$, '23514', 'attribute "tap_power" of rack is required',
    'an update cannot remove a required key (23514, naming it)');
SELECT throws_ok($$UPDATE rack SET attributes = '{"tap_power": null}' WHERE name = 'tap-attr-r3'$$, '23514', 'attribute "tap_power" of rack is required',
    '... nor set it to null');
INSERT INTO rack (site_id, name, units, attributes) SELECT id, 'tap-attr-r4', 42, '{"tap_power": null}' FROM site WHERE name = 'tap-attr-s1';
SELECT is((SELECT attributes FROM rack WHERE name = 'tap-attr-r4'), '{"tap_power": 16}', 'an insert with a null gets the default');
-- no BEFORE UPDATE row trigger: every UPDATE would lock its row as a key update
SELECT is_empty($$SELECT tgrelid::regclass FROM pg_trigger WHERE tgfoid = 'mountaineer.attributes_check()'::regprocedure AND tgtype & 19 = 19$$,
    'the update check is an AFTER trigger (a BEFORE UPDATE row trigger would take the key-exclusive row lock)');

-- changing and removing a definition
SELECT throws_ok($$UPDATE attribute_definition SET type = 'bool' WHERE table_name = 'rack' AND key = 'tap_power'$$, '23514', NULL,
    'a type the rows disagree with is refused');
SELECT lives_ok($$UPDATE attribute_definition SET maximum = 20 WHERE table_name = 'rack' AND key = 'tap_power'$$, 'a maximum every row keeps is taken');
UPDATE attribute_definition SET key = 'tap_amps' WHERE table_name = 'rack' AND key = 'tap_power';
SELECT is((SELECT attributes FROM rack WHERE name = 'tap-attr-r2'), '{"tap_amps": 16}', 'a renamed key is renamed in the rows');
SELECT throws_ok($$UPDATE attribute_definition SET table_name = 'site' WHERE table_name = 'rack' AND key = 'tap_amps'$$, '0A000',
    'attribute "tap_amps" of rack cannot move to "site"', 'a definition does not move to another table');
DELETE FROM attribute_definition WHERE table_name = 'site' AND key IN ('tap_tier', 'tap_owner', 'tap_floors');
SELECT is((SELECT attributes FROM site WHERE name = 'tap-attr-s1'), '{"tap_code": "AMS1", "tap_wiki": "https://wiki.example.com/ams1", "tap_opened": "2024-02-29", "tap_staffed": true}',
    'deleted definitions (three in one statement) take their keys out of the rows');

-- definitions refused
SELECT throws_ok($$INSERT INTO attribute_definition (table_name, key, type) VALUES ('no_such_table', 'x', 'text')$$, '23503', 'table "no_such_table" has no attributes', 'a table that does not exist');
SELECT throws_ok($$INSERT INTO attribute_definition (table_name, key, type) VALUES ('server', 'x', 'text')$$, '23503', 'table "server" has no attributes', 'a table without attributes (exempt)');
SELECT throws_ok($$INSERT INTO attribute_definition (table_name, key, type) VALUES ('site', 'Rack Owner', 'text')$$, '23514',
    'new row for relation "attribute_definition" violates check constraint "attribute_definition_key_check"', 'a key is lower-case letters, digits and _');
SELECT throws_ok($$INSERT INTO attribute_definition (table_name, key, type) VALUES ('site', 'tap_x', 'decimal')$$, '23514',
    'new row for relation "attribute_definition" violates check constraint "attribute_definition_type_check"', 'an unknown type');
SELECT throws_ok($$INSERT INTO attribute_definition (table_name, key, type) VALUES ('site', 'tap_x', 'select')$$, '23514',
    'new row for relation "attribute_definition" violates check constraint "attribute_definition_choices_check"', 'a select without choices');
SELECT throws_ok($$INSERT INTO attribute_definition (table_name, key, type, minimum) VALUES ('site', 'tap_x', 'text', 1)$$, '23514',
    'new row for relation "attribute_definition" violates check constraint "attribute_definition_minimum_check"', 'a minimum on text');
SELECT throws_ok($$INSERT INTO attribute_definition (table_name, key, type, minimum, maximum) VALUES ('site', 'tap_x', 'int', 5, 1)$$, '23514',
    'new row for relation "attribute_definition" violates check constraint "attribute_definition_maximum_check"', 'a maximum below the minimum');
SELECT throws_ok($$INSERT INTO attribute_definition (table_name, key, type, regex) VALUES ('site', 'tap_x', 'text', '([a-z')$$, '2201B', NULL, 'a regex that does not compile');
SELECT throws_ok($$INSERT INTO attribute_definition (table_name, key, type, default_value) VALUES ('site', 'tap_x', 'bool', '"no"')$$, '23514',
    'the default of attribute "tap_x" of site must be true or false: "no"', 'a default of the wrong type');
SELECT throws_ok($$INSERT INTO attribute_definition (table_name, key, type) VALUES ('site', 'tap_code', 'text')$$, '23505', NULL, 'a key once per table');

-- who may
SELECT throws_ok($$SELECT mountaineer.manage_attributes('pg_catalog.pg_class')$$, '22023',
    'manage_attributes: pg_class is not a table of schema mountaineer', 'manage_attributes takes only tables of schema mountaineer');
SET LOCAL ROLE mountaineer_editor;
SELECT lives_ok($$INSERT INTO mountaineer.tag (name) VALUES ('tap-attr-editor')$$, 'an editor makes tags');
SELECT throws_ok($$SELECT mountaineer.manage_attributes('mountaineer.site')$$, '42501', NULL, 'an editor cannot call manage_attributes');
RESET ROLE;
SET LOCAL ROLE mountaineer_reader;
SELECT throws_ok($$UPDATE mountaineer.site SET tags = '{tap-attr-editor}' WHERE name = 'tap-attr-s2'$$, '42501', NULL, 'a reader cannot tag');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
