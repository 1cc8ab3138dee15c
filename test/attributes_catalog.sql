\set ON_ERROR_STOP true
\set QUIET true
-- Tags and attributes over the catalogue: every table passed to
-- manage_table() (it carries the log_insert trigger) has what
-- manage_attributes() gives, unless it is on the exempt list below (README
-- "Tags and attributes (1.5)" says why each is), and no exempt table has
-- it; so a table a module adds later is held to it without a new test.
BEGIN;
SET search_path = public;   -- pg_get_triggerdef() then qualifies the tables
SELECT plan(11);

CREATE TEMP TABLE exempt (relname name PRIMARY KEY, why text NOT NULL);
INSERT INTO exempt VALUES
    ('tag', 'the tags themselves'),
    ('attribute_definition', 'the definitions themselves'),
    ('server', 'detail row, one with its device'),
    ('pdu', 'detail row, one with its device'),
    ('network_device', 'detail row, one with its device'),
    ('cable_end', 'part of its cable'),
    ('cluster_member', 'join row'),
    ('host_role', 'join row'),
    ('vrf_route_target', 'join row'),
    ('grain', 'a fact Salt reports about a host'),
    ('secret', 'under row-level security; the safe carries them'),
    ('safe_access', 'a grant'),
    ('host_login', 'a login mapping'),
    ('highstate', 'derived from Salt''s returns'),
    ('state_error', 'derived from Salt''s returns'),
    ('state_change', 'derived from Salt''s returns'),
    ('port_template', 'a template: the ports made from it carry them'),
    ('circuit_termination', 'one with its port, which carries them'),
    ('power_feed', 'detail row, one with its power_feed port'),
    ('ec2_subnet', 'detail row of an imported subnet, one with its prefix'),
    ('ec2_instance', 'detail row of an imported instance, one with its host'),
    ('k8s_node', 'detail row of an imported node, one with its host'),
    ('k8s_pod', 'an imported pod: its labels are Kubernetes'' own (labels), and it churns');

CREATE TEMP VIEW managed AS
    SELECT c.oid::regclass AS tbl, c.relname, e.relname IS NOT NULL AS exempt
      FROM pg_class c LEFT JOIN exempt e ON e.relname = c.relname
     WHERE c.relnamespace = 'mountaineer'::regnamespace
       AND EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'log_insert');

SELECT cmp_ok((SELECT count(*)::int FROM managed WHERE NOT exempt), '>=', 21, 'at least the 21 inventory tables of 1.5 are checked');
SELECT is_empty($$SELECT relname FROM exempt WHERE relname NOT IN (SELECT relname FROM managed)
                   AND to_regclass('mountaineer.' || relname) IS NOT NULL$$,
    'every exempt table that exists is a managed table (the list names real tables)');

SELECT is_empty($$
    SELECT relname FROM managed m WHERE NOT exempt AND NOT EXISTS (
        SELECT FROM pg_attribute a WHERE a.attrelid = m.tbl AND a.attname = 'tags' AND a.atttypid = 'text[]'::regtype
           AND a.attnotnull AND pg_get_expr((SELECT adbin FROM pg_attrdef WHERE adrelid = m.tbl AND adnum = a.attnum), m.tbl) = '''{}''::text[]')$$,
    'every inventory table has tags text[] NOT NULL DEFAULT ''{}''');
SELECT is_empty($$
    SELECT relname FROM managed m WHERE NOT exempt AND NOT EXISTS (
        SELECT FROM pg_attribute a WHERE a.attrelid = m.tbl AND a.attname = 'attributes' AND a.atttypid = 'jsonb'::regtype
           AND a.attnotnull AND pg_get_expr((SELECT adbin FROM pg_attrdef WHERE adrelid = m.tbl AND adnum = a.attnum), m.tbl) = '''{}''::jsonb')$$,
    'every inventory table has attributes jsonb NOT NULL DEFAULT ''{}''');
SELECT is_empty($$
    SELECT relname FROM managed m WHERE NOT exempt AND (
        NOT EXISTS (SELECT FROM pg_constraint WHERE conrelid = m.tbl AND conname = m.relname || '_tags_check'
                       AND pg_get_constraintdef(oid) = 'CHECK ((array_position(tags, NULL::text) IS NULL))')
     OR NOT EXISTS (SELECT FROM pg_constraint WHERE conrelid = m.tbl AND conname = m.relname || '_attributes_check'
                       AND pg_get_constraintdef(oid) = 'CHECK ((jsonb_typeof(attributes) = ''object''::text))'))$$,
    'every inventory table has the CHECKs <table>_tags_check (no NULL tag) and <table>_attributes_check (an object)');
SELECT is_empty($$
    SELECT relname FROM managed m WHERE NOT exempt AND (
        NOT EXISTS (SELECT FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid WHERE i.indrelid = m.tbl
                       AND x.relname = m.relname || '_tags_idx' AND pg_get_indexdef(x.oid) LIKE '% USING gin (tags)')
     OR NOT EXISTS (SELECT FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid WHERE i.indrelid = m.tbl
                       AND x.relname = m.relname || '_attributes_idx' AND pg_get_indexdef(x.oid) LIKE '% USING gin (attributes jsonb_path_ops)'))$$,
    'every inventory table has the GIN indexes <table>_tags_idx and <table>_attributes_idx (jsonb_path_ops)');
SELECT is_empty($$
    SELECT relname FROM managed m WHERE NOT exempt AND NOT EXISTS (
        SELECT FROM pg_trigger t WHERE t.tgrelid = m.tbl AND t.tgname = 'attributes_check_insert' AND t.tgenabled = 'O'
           AND pg_get_triggerdef(t.oid) = format('CREATE TRIGGER attributes_check_insert BEFORE INSERT ON %1$s FOR EACH ROW WHEN ((((new.tags <> ''{}''::text[]) OR (new.attributes <> ''{}''::jsonb) OR mountaineer.insert_needs_attributes(''%1$s''::regclass)) AND (NOT mountaineer.restoring(''%1$s''::regclass)))) EXECUTE FUNCTION mountaineer.attributes_check()',
                                                 'mountaineer.' || m.relname))$$,
    'every inventory table has attributes_check_insert, BEFORE INSERT FOR EACH ROW WHEN (it has tags or attributes, or insert_needs_attributes(its table), and NOT restoring(its table))');
SELECT is_empty($$
    SELECT relname FROM managed m WHERE NOT exempt AND NOT EXISTS (
        SELECT FROM pg_trigger t WHERE t.tgrelid = m.tbl AND t.tgname = 'attributes_check_update' AND t.tgenabled = 'O'
           AND pg_get_triggerdef(t.oid) = format('CREATE TRIGGER attributes_check_update AFTER UPDATE OF tags, attributes ON %s FOR EACH ROW WHEN (((old.tags IS DISTINCT FROM new.tags) OR (old.attributes IS DISTINCT FROM new.attributes))) EXECUTE FUNCTION mountaineer.attributes_check()',
                                                 'mountaineer.' || m.relname))$$,
    'every inventory table has attributes_check_update, AFTER UPDATE OF tags, attributes when either changed');
SELECT is_empty($$
    SELECT relname FROM managed m WHERE NOT exempt AND (col_description(m.tbl, (SELECT attnum FROM pg_attribute WHERE attrelid = m.tbl AND attname = 'tags')) IS NULL
                                                      OR col_description(m.tbl, (SELECT attnum FROM pg_attribute WHERE attrelid = m.tbl AND attname = 'attributes')) IS NULL)$$,
    'the two columns have their COMMENT on every inventory table');
SELECT is_empty($$
    SELECT relname FROM managed m WHERE exempt AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = m.tbl AND NOT a.attisdropped
                                                             AND (a.attname, a.atttypid) IN (('tags', 'text[]'::regtype), ('attributes', 'jsonb'::regtype)))$$,
    'no exempt table has tags (text[]) or attributes (jsonb) of its own (an exemption is deliberate; the source''s own tags as JSON are another thing)');
SELECT set_eq($$SELECT tbl FROM managed WHERE NOT exempt$$, $$SELECT * FROM mountaineer.attribute_tables()$$,
    'attribute_tables() lists exactly the inventory tables');

SELECT * FROM finish();
ROLLBACK;
