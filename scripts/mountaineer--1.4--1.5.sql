-- mountaineer 1.4 -> 1.5: the model issue 12 asks for (device types, site
-- hierarchy, status, tags and attributes, circuits, VLAN groups, power).
\echo Use "ALTER EXTENSION mountaineer UPDATE TO '1.5'" to load this file. \quit


-- == tags and attributes (1.5) ==
-- Tags and custom attributes on every inventory table (issue 12, item 4).
-- A module calls manage_attributes(tbl) once per inventory table: it adds
-- tags (text[] of tag names) and attributes (a jsonb object), their CHECKs,
-- GIN indexes and the row triggers that keep them valid, so the idiom is
-- written once.  Tags hold names, not ids, so that a filter reads as it is
-- written (tags @> '{prod}', PostgREST ?tags=cs.{prod}); the database keeps
-- them valid as a foreign key would: a row's tags are locked FOR KEY SHARE
-- when it is written, a tag in use cannot be deleted, and renaming a tag
-- renames it in every row.
CREATE TABLE mountaineer.tag (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    name        text NOT NULL UNIQUE CONSTRAINT tag_name_check CHECK (mountaineer.is_valid_name(name)),
    color       text NOT NULL DEFAULT '9e9e9e' CONSTRAINT tag_color_check CHECK (color ~ '^[0-9a-f]{6}$'),
    description text CONSTRAINT tag_description_check CHECK (mountaineer.is_valid_name(description, 200))
);
COMMENT ON TABLE mountaineer.tag IS
    'A tag that any inventory row may carry in its tags column (by name). Renaming a tag renames it in every row; a tag that rows carry cannot be deleted (23503, naming them).';
COMMENT ON COLUMN mountaineer.tag.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.tag.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.tag.name IS 'Unique; what rows carry in their tags column; a name (1..100 characters, no leading or trailing white space, no control characters). Renaming it renames it in every row.';
COMMENT ON COLUMN mountaineer.tag.color IS 'Display colour, six lower-case hexadecimal digits (RGB) without #, as NetBox has it; default 9e9e9e (grey).';
COMMENT ON COLUMN mountaineer.tag.description IS 'Free text, at most 200 characters.';
SELECT mountaineer.manage_table('mountaineer.tag');

CREATE TABLE mountaineer.attribute_definition (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug          text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    table_name    text NOT NULL,
    key           text NOT NULL CONSTRAINT attribute_definition_key_check CHECK (key ~ '^[a-z][a-z0-9_]{0,49}$'),
    type          text NOT NULL CONSTRAINT attribute_definition_type_check
                      CHECK (type IN ('text', 'int', 'bool', 'date', 'url', 'select')),
    choices       text[] CONSTRAINT attribute_definition_choices_check
                      CHECK ((type = 'select') = (choices IS NOT NULL)
                             AND (choices IS NULL OR (cardinality(choices) > 0 AND array_position(choices, NULL) IS NULL))),
    required      boolean NOT NULL DEFAULT false,
    default_value jsonb,
    minimum       bigint CONSTRAINT attribute_definition_minimum_check CHECK (minimum IS NULL OR type = 'int'),
    maximum       bigint CONSTRAINT attribute_definition_maximum_check CHECK (maximum IS NULL OR (type = 'int' AND maximum >= coalesce(minimum, maximum))),
    regex         text CONSTRAINT attribute_definition_regex_check CHECK (regex IS NULL OR type IN ('text', 'url')),
    label         text CONSTRAINT attribute_definition_label_check CHECK (mountaineer.is_valid_name(label)),
    description   text CONSTRAINT attribute_definition_description_check CHECK (mountaineer.is_valid_name(description, 200)),
    CONSTRAINT attribute_definition_table_name_key_key UNIQUE (table_name, key)
);
COMMENT ON TABLE mountaineer.attribute_definition IS
    'A custom attribute of one inventory table: the key its rows may carry in their attributes column, its type, whether it is required and its default. A row''s attributes are checked against these (23514 naming the key); defining, changing or deleting one applies to the rows already there (defaults filled in, a key renamed or removed, disagreeing rows refused).';
COMMENT ON COLUMN mountaineer.attribute_definition.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.attribute_definition.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.attribute_definition.table_name IS 'The inventory table (in schema mountaineer, without the schema: device, prefix, ...) whose rows carry the attribute; one of attribute_tables(). Never changes: define it again on the other table.';
COMMENT ON COLUMN mountaineer.attribute_definition.key IS 'The key in the rows'' attributes: a lower-case letter, then up to 49 lower-case letters, digits and underscores; unique per table. Renaming it renames it in every row.';
COMMENT ON COLUMN mountaineer.attribute_definition.type IS 'text (a JSON string), int (a JSON integer number), bool (true or false), date (a string YYYY-MM-DD), url (a string http:// or https://...), select (a string, one of choices).';
COMMENT ON COLUMN mountaineer.attribute_definition.choices IS 'The values a select attribute may take (and only a select attribute has them).';
COMMENT ON COLUMN mountaineer.attribute_definition.required IS 'Every row must carry the key: an insert without it gets default_value, or is refused when there is none; setting it on a table with rows fills in the default, or is refused naming the rows without it.';
COMMENT ON COLUMN mountaineer.attribute_definition.default_value IS 'The JSON value an inserted row gets when it does not carry the key (NULL: none); a definition with a default fills it into the existing rows that lack the key when it is created or made required.';
COMMENT ON COLUMN mountaineer.attribute_definition.minimum IS 'int only: the least value allowed (NULL: none).';
COMMENT ON COLUMN mountaineer.attribute_definition.maximum IS 'int only: the greatest value allowed (NULL: none), not below minimum.';
COMMENT ON COLUMN mountaineer.attribute_definition.regex IS 'text and url only: a regular expression (POSIX, as ~) the value must match (NULL: any).';
COMMENT ON COLUMN mountaineer.attribute_definition.label IS 'How a user interface names the attribute (NULL: the key).';
COMMENT ON COLUMN mountaineer.attribute_definition.description IS 'Free text, at most 200 characters.';
SELECT mountaineer.manage_table('mountaineer.attribute_definition');

-- What is wrong with one attribute value under its definition: NULL when
-- nothing is, else what it must be ("an integer from 1 to 42").
-- A standard SQL body (parsed here, so no search_path) that the planner
-- inlines into the trigger's query: a SET clause would keep it from that
-- and cost a call per key and row.
CREATE FUNCTION mountaineer.attribute_value_problem(def mountaineer.attribute_definition, value jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN value = 'null' THEN NULL ELSE CASE def.type
        WHEN 'text' THEN CASE WHEN jsonb_typeof(value) <> 'string' THEN 'text (a JSON string)'
                              WHEN def.regex IS NOT NULL AND (value #>> '{}') !~ def.regex THEN format('text matching %s', def.regex) END
        WHEN 'url' THEN CASE WHEN jsonb_typeof(value) <> 'string' OR (value #>> '{}') !~ '^https?://[^[:space:]/?#]+[^[:space:]]*$'
                                 THEN 'an http:// or https:// URL'
                             WHEN def.regex IS NOT NULL AND (value #>> '{}') !~ def.regex THEN format('a URL matching %s', def.regex) END
        WHEN 'bool' THEN CASE WHEN jsonb_typeof(value) <> 'boolean' THEN 'true or false' END
        WHEN 'int' THEN CASE WHEN jsonb_typeof(value) <> 'number' OR value::numeric <> trunc(value::numeric)
                                  OR value::numeric NOT BETWEEN coalesce(def.minimum, -9223372036854775808) AND coalesce(def.maximum, 9223372036854775807)
                                 THEN 'an integer' || CASE WHEN def.minimum IS NOT NULL AND def.maximum IS NOT NULL THEN format(' from %s to %s', def.minimum, def.maximum)
                                                           WHEN def.minimum IS NOT NULL THEN format(' of at least %s', def.minimum)
                                                           WHEN def.maximum IS NOT NULL THEN format(' of at most %s', def.maximum)
                                                           ELSE '' END END
        WHEN 'date' THEN CASE WHEN jsonb_typeof(value) <> 'string' OR (value #>> '{}') !~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
                                   OR substr(value #>> '{}', 9, 2)::int > extract(day FROM make_date(substr(value #>> '{}', 1, 4)::int, substr(value #>> '{}', 6, 2)::int, 1)
                                                                                      + interval '1 month - 1 day')
                                  THEN 'a date (YYYY-MM-DD)' END
        WHEN 'select' THEN CASE WHEN jsonb_typeof(value) <> 'string' OR NOT (value #>> '{}') = ANY (def.choices)
                                    THEN 'one of ' || array_to_string(def.choices, ', ') END
    END END;
COMMENT ON FUNCTION mountaineer.attribute_value_problem(mountaineer.attribute_definition, jsonb) IS
    'For attributes_check() and the definition triggers: NULL when value fits the definition (a JSON null always does: it is no value) (its type, choices, minimum, maximum and regex), else what it must be ("an integer from 1 to 42"), for the message.';
REVOKE EXECUTE ON FUNCTION mountaineer.attribute_value_problem(mountaineer.attribute_definition, jsonb) FROM PUBLIC;

-- The row triggers (attributes_check_insert BEFORE INSERT, which fills in
-- the defaults of the keys a row lacks; attributes_check_update AFTER
-- UPDATE, which only checks: a BEFORE UPDATE row trigger would make every
-- UPDATE of the table lock its row as if its key changed, blocking the
-- foreign-key checks of rows that refer to it).  Refused: a tag that does
-- not exist (23503), an unknown key, a value of the wrong type and a
-- required key missing (23514, naming the key).  An inserted row without
-- tags or attributes costs one query; the update trigger fires only when
-- tags or attributes change.
CREATE FUNCTION mountaineer.attributes_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    missing  text;
    defaults jsonb;
    bad      record;
    existing text[];
    attrs    jsonb := NEW.attributes;
BEGIN
    -- a NULL tag, attributes that are not an object: the CHECKs refuse them
    IF array_position(NEW.tags, NULL) IS NOT NULL OR coalesce(jsonb_typeof(attrs), '') <> 'object' THEN
        RETURN NEW;
    END IF;
    IF NEW.tags <> '{}' AND (TG_OP = 'INSERT' OR NEW.tags IS DISTINCT FROM OLD.tags) THEN
        -- one query: the tags that exist, locked as a foreign key's check
        -- locks its row (a tag being deleted or renamed meanwhile is waited
        -- for, then missed)
        existing := ARRAY(SELECT name FROM mountaineer.tag WHERE name = ANY (NEW.tags) FOR KEY SHARE);
        IF NOT existing @> NEW.tags THEN
            SELECT t INTO missing FROM unnest(NEW.tags) t WHERE NOT t = ANY (existing) ORDER BY t LIMIT 1;
            RAISE EXCEPTION 'tag % does not exist', mountaineer.excerpt(missing)
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('%s.tags names tags of mountaineer.tag.', TG_TABLE_NAME),
                      HINT = 'Create the tag first: INSERT INTO mountaineer.tag (name) VALUES (...).';
        END IF;
    END IF;

    IF TG_OP = 'UPDATE' AND attrs IS NOT DISTINCT FROM OLD.attributes THEN
        RETURN NULL;
    END IF;
    -- the keys the row lacks (a JSON null is no value): their defaults (on
    -- insert), and the first required one without
    SELECT coalesce(jsonb_object_agg(d.key, d.default_value) FILTER (WHERE d.default_value IS NOT NULL AND TG_OP = 'INSERT'), '{}'),
           min(d.key) FILTER (WHERE d.required AND (d.default_value IS NULL OR TG_OP = 'UPDATE'))
      INTO defaults, missing
      FROM mountaineer.attribute_definition d
     WHERE d.table_name = TG_TABLE_NAME AND (d.required OR d.default_value IS NOT NULL)
       AND coalesce(attrs -> d.key, 'null') = 'null';
    attrs := attrs || defaults;
    -- unknown keys and wrong values first, then a required key missing
    IF attrs <> '{}' THEN
        SELECT e.key, e.value, d.id IS NOT NULL AS known, mountaineer.attribute_value_problem(d, e.value) AS problem
          INTO bad
          FROM jsonb_each(attrs) e
          LEFT JOIN mountaineer.attribute_definition d ON d.table_name = TG_TABLE_NAME AND d.key = e.key
         WHERE d.id IS NULL OR mountaineer.attribute_value_problem(d, e.value) IS NOT NULL
         ORDER BY e.key LIMIT 1;
        IF FOUND AND NOT bad.known THEN
            RAISE EXCEPTION 'unknown attribute % of %', mountaineer.excerpt(bad.key), TG_TABLE_NAME
                USING ERRCODE = 'check_violation',
                      DETAIL = coalesce('Its attributes are: ' || (SELECT string_agg(key, ', ' ORDER BY key) FROM mountaineer.attribute_definition
                                                                 WHERE table_name = TG_TABLE_NAME) || '.',
                                        format('No attribute of %s is defined.', TG_TABLE_NAME)),
                      HINT = 'Define it in mountaineer.attribute_definition first.';
        ELSIF FOUND THEN
            RAISE EXCEPTION 'attribute "%" of % must be %: %', bad.key, TG_TABLE_NAME, bad.problem,
                            CASE WHEN length(bad.value::text) <= 64 THEN bad.value::text
                                 WHEN jsonb_typeof(bad.value) = 'string' THEN mountaineer.excerpt(bad.value #>> '{}')
                                 ELSE mountaineer.excerpt(bad.value::text) END
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'attribute "%" of % is required', missing, TG_TABLE_NAME
            USING ERRCODE = 'check_violation',
                  DETAIL = format('mountaineer.attribute_definition says every %s carries "%s", and it has no default.', TG_TABLE_NAME, missing);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        RETURN NULL;   -- AFTER: the row is written
    END IF;
    NEW.attributes := attrs;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.attributes_check() IS
    'BEFORE INSERT and AFTER UPDATE OF tags, attributes row trigger attached by manage_attributes(): refuses a tag that does not exist (23503; the tags are locked FOR KEY SHARE, as a foreign key locks), an unknown key, a wrong value or a missing required key (23514, naming the key; a JSON null is no value); on insert fills in the defaults of the keys the row lacks.';
REVOKE EXECUTE ON FUNCTION mountaineer.attributes_check() FROM PUBLIC;

-- The tables manage_attributes() has equipped, found by the trigger it
-- attached (so a table another module adds later is found too).
CREATE FUNCTION mountaineer.attribute_tables() RETURNS SETOF regclass
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT t.tgrelid::regclass FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE t.tgname = 'attributes_check_insert' AND t.tgfoid = 'mountaineer.attributes_check()'::regprocedure
     ORDER BY c.relname
$$;

COMMENT ON FUNCTION mountaineer.attribute_tables() IS
    'The tables whose rows carry tags and attributes (those manage_attributes() has equipped), as regclass: attribute_definition.table_name names one of them (relname).';

CREATE FUNCTION mountaineer.manage_attributes(tbl regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t text;
BEGIN
    SELECT relname::text INTO t FROM pg_class WHERE oid = tbl AND relnamespace = 'mountaineer'::regnamespace;
    IF t IS NULL THEN
        RAISE EXCEPTION 'manage_attributes: % is not a table of schema mountaineer', tbl
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('ALTER TABLE %s ADD COLUMN tags text[] NOT NULL DEFAULT ''{}'' CONSTRAINT %I CHECK (array_position(tags, NULL) IS NULL), '
                   'ADD COLUMN attributes jsonb NOT NULL DEFAULT ''{}'' CONSTRAINT %I CHECK (jsonb_typeof(attributes) = ''object'')',
                   tbl, t || '_tags_check', t || '_attributes_check');
    EXECUTE format('COMMENT ON COLUMN %s.tags IS %L', tbl,
                   'Names of tags (mountaineer.tag) the row carries; filter with tags @> ''{prod}'' (REST: ?tags=cs.{prod}), which uses an index.');
    EXECUTE format('COMMENT ON COLUMN %s.attributes IS %L', tbl,
                   format('Custom attributes: a JSON object whose keys and value types mountaineer.attribute_definition defines for %s (23514 otherwise); filter with attributes @> ''{"key": "value"}'' (REST: ?attributes=cs.{"key":"value"}), which uses an index.', t));
    EXECUTE format('CREATE INDEX %I ON %s USING gin (tags)', t || '_tags_idx', tbl);
    EXECUTE format('CREATE INDEX %I ON %s USING gin (attributes jsonb_path_ops)', t || '_attributes_idx', tbl);
    EXECUTE format('CREATE TRIGGER attributes_check_insert BEFORE INSERT ON %s FOR EACH ROW '
                   'WHEN (NOT mountaineer.restoring(%L)) EXECUTE FUNCTION mountaineer.attributes_check()', tbl, 'mountaineer.' || t);
    EXECUTE format('CREATE TRIGGER attributes_check_update AFTER UPDATE OF tags, attributes ON %s FOR EACH ROW '
                   'WHEN (OLD.tags IS DISTINCT FROM NEW.tags OR OLD.attributes IS DISTINCT FROM NEW.attributes) '
                   'EXECUTE FUNCTION mountaineer.attributes_check()', tbl);
END
$$;
COMMENT ON FUNCTION mountaineer.manage_attributes(regclass) IS
    'For module install scripts, once per inventory table (after manage_table()): adds the columns tags (text[] of tag names) and attributes (jsonb object) with their CHECKs <table>_tags_check and <table>_attributes_check, GIN indexes <table>_tags_idx and <table>_attributes_idx (jsonb_path_ops), and the row triggers attributes_check_insert (BEFORE INSERT) and attributes_check_update (AFTER UPDATE OF tags, attributes).';
REVOKE EXECUTE ON FUNCTION mountaineer.manage_attributes(regclass) FROM PUBLIC;

-- Changing what rows carry rewrites them, in every table, as the owner
-- (SECURITY DEFINER: rows under row-level security too).  Outside READ
-- COMMITTED these changes are refused: their checks must see the rows
-- committed while they waited for their locks.
CREATE FUNCTION mountaineer.tag_apply() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tbl   regclass;
    n     bigint;
    names text[];
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'tag % can only be % under READ COMMITTED', mountaineer.excerpt(OLD.name),
                        CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'renamed' END
            USING ERRCODE = 'invalid_transaction_state',
                  DETAIL = 'The change must see the rows tagged while it waited.';
    END IF;
    FOR tbl IN SELECT * FROM mountaineer.attribute_tables() LOOP
        IF TG_OP = 'UPDATE' THEN
            EXECUTE format('UPDATE %s SET tags = array_replace(tags, $1, $2) WHERE tags @> ARRAY[$1]', tbl)
              USING OLD.name, NEW.name;
        ELSE
            EXECUTE format('SELECT count(*), (array_agg(l ORDER BY l))[1:10] FROM (SELECT %s AS l FROM %s t WHERE t.tags @> ARRAY[$1]) q',
                           coalesce(mountaineer.row_label(tbl, 't'), 't.slug'), tbl)
               INTO n, names USING OLD.name;
            IF n > 0 THEN
                RAISE EXCEPTION 'tag % cannot be deleted: % % row(s) carry it: %', mountaineer.excerpt(OLD.name), n,
                                (SELECT relname FROM pg_class WHERE oid = tbl),
                                array_to_string(names, ', ') || CASE WHEN n > 10 THEN ', ...' ELSE '' END
                    USING ERRCODE = 'foreign_key_violation',
                          HINT = 'Remove the tag from those rows first: UPDATE ... SET tags = array_remove(tags, ...).';
            END IF;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.tag_apply() IS
    'AFTER UPDATE OF name and AFTER DELETE row trigger on tag: a rename renames the tag in every row of every table of attribute_tables(); a delete is refused (23503) while rows carry the tag, naming up to ten of them. Both need READ COMMITTED (25000).';
REVOKE EXECUTE ON FUNCTION mountaineer.tag_apply() FROM PUBLIC;
CREATE TRIGGER tag_rename AFTER UPDATE OF name ON mountaineer.tag
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION mountaineer.tag_apply();
CREATE TRIGGER tag_delete AFTER DELETE ON mountaineer.tag
    FOR EACH ROW EXECUTE FUNCTION mountaineer.tag_apply();

-- A definition is checked, and applied to the rows already there, after
-- the table is locked in SHARE mode: writers of that table wait for it, and
-- it for them, so no row is written under the old definition after it
-- checked them.
CREATE FUNCTION mountaineer.attribute_definition_apply() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d       mountaineer.attribute_definition;
    tbl     regclass;
    problem text;
    n       bigint;
    names   text[];
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'attribute "%" of % can only be % under READ COMMITTED', NEW.key, NEW.table_name,
                        CASE TG_OP WHEN 'INSERT' THEN 'defined' ELSE 'changed' END
            USING ERRCODE = 'invalid_transaction_state',
                  DETAIL = 'The change must see the rows written while it waited.';
    END IF;
    d := NEW;
    IF TG_OP = 'UPDATE' AND NEW.table_name <> OLD.table_name THEN
        RAISE EXCEPTION 'attribute "%" of % cannot move to %', OLD.key, OLD.table_name, mountaineer.excerpt(NEW.table_name)
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Define it on the other table and delete this definition.';
    END IF;
    SELECT t INTO tbl FROM mountaineer.attribute_tables() t
     WHERE t = pg_catalog.to_regclass('mountaineer.' || quote_ident(NEW.table_name));
    IF tbl IS NULL THEN
        RAISE EXCEPTION 'table % has no attributes', mountaineer.excerpt(NEW.table_name)
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = 'table_name names a table of schema mountaineer that carries attributes: one of attribute_tables().';
    END IF;
    IF NEW.regex IS NOT NULL THEN
        PERFORM '' ~ NEW.regex;   -- 2201B for a regex that does not compile
    END IF;
    IF NEW.default_value IS NOT NULL THEN
        problem := mountaineer.attribute_value_problem(d, NEW.default_value);
        IF problem IS NOT NULL THEN
            RAISE EXCEPTION 'the default of attribute "%" of % must be %: %', NEW.key, NEW.table_name, problem,
                            CASE WHEN length(NEW.default_value::text) <= 64 THEN NEW.default_value::text ELSE mountaineer.excerpt(NEW.default_value::text) END
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    EXECUTE format('LOCK TABLE %s IN SHARE MODE', tbl);
    -- the rows that disagree with it (their value under the old key): a
    -- value it does not take, or none when it is required without a default
    EXECUTE format('SELECT count(*), (array_agg(l ORDER BY l))[1:10], min(p) FROM ('
                   'SELECT %s AS l, mountaineer.attribute_value_problem($2, t.attributes -> $1) AS p FROM %s t '
                   'WHERE CASE WHEN coalesce(t.attributes -> $1, ''null'') <> ''null'' THEN mountaineer.attribute_value_problem($2, t.attributes -> $1) IS NOT NULL '
                   'ELSE ($2).required AND ($2).default_value IS NULL END) q',
                   coalesce(mountaineer.row_label(tbl, 't'), 't.slug'), tbl)
       INTO n, names, problem USING coalesce(OLD.key, NEW.key), d;
    IF n > 0 THEN
        RAISE EXCEPTION 'attribute "%" of % cannot be % so: % row(s) disagree: %', NEW.key, NEW.table_name,
                        CASE TG_OP WHEN 'INSERT' THEN 'defined' ELSE 'changed' END, n,
                        array_to_string(names, ', ') || CASE WHEN n > 10 THEN ', ...' ELSE '' END
            USING ERRCODE = 'check_violation',
                  DETAIL = CASE WHEN problem IS NULL THEN 'It is required and has no default: every row must carry a value.'
                                ELSE format('Their value must be %s.', problem) END,
                  HINT = 'Correct those rows first, or give the definition a default.';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.key <> OLD.key THEN
        EXECUTE format('UPDATE %s SET attributes = attributes - $1 || jsonb_build_object($2, attributes -> $1) WHERE attributes ? $1', tbl)
          USING OLD.key, NEW.key;
    END IF;
    -- a new definition, or one made required, brings its default to the rows without the key
    IF NEW.default_value IS NOT NULL AND (TG_OP = 'INSERT' OR (NEW.required AND NOT OLD.required)) THEN
        EXECUTE format('UPDATE %s SET attributes = attributes || jsonb_build_object($1, $2) WHERE coalesce(attributes -> $1, ''null'') = ''null''', tbl)
          USING NEW.key, NEW.default_value;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.attribute_definition_apply() IS
    'AFTER INSERT OR UPDATE row trigger on attribute_definition: checks the table, the regex and the default; under a SHARE lock of the table applies the change to its rows (a renamed key renamed, a new or newly required definition''s default filled in) and refuses (23514, naming up to ten rows) when rows disagree with it. Needs READ COMMITTED (25000).';
REVOKE EXECUTE ON FUNCTION mountaineer.attribute_definition_apply() FROM PUBLIC;
CREATE TRIGGER attribute_definition_apply AFTER INSERT OR UPDATE ON mountaineer.attribute_definition
    FOR EACH ROW WHEN (NOT mountaineer.restoring('mountaineer.attribute_definition'))
    EXECUTE FUNCTION mountaineer.attribute_definition_apply();

-- Deleted definitions take their keys out of the rows, every key of one
-- table at once (once per statement: the rows are checked against what is
-- left, so a key deleted in the same statement must go with them).
CREATE FUNCTION mountaineer.attribute_definition_remove() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g   record;
    tbl regclass;
BEGIN
    FOR g IN SELECT table_name, array_agg(key ORDER BY key) AS keys FROM gone GROUP BY table_name ORDER BY table_name LOOP
        IF current_setting('transaction_isolation') <> 'read committed' THEN
            RAISE EXCEPTION 'attribute "%" of % can only be deleted under READ COMMITTED', g.keys[1], g.table_name
                USING ERRCODE = 'invalid_transaction_state',
                      DETAIL = 'The change must see the rows written while it waited.';
        END IF;
        tbl := pg_catalog.to_regclass('mountaineer.' || quote_ident(g.table_name));
        IF tbl IS NOT NULL THEN
            EXECUTE format('LOCK TABLE %s IN SHARE MODE', tbl);
            EXECUTE format('UPDATE %s SET attributes = attributes - $1 WHERE attributes ?| $1', tbl) USING g.keys;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.attribute_definition_remove() IS
    'AFTER DELETE ... REFERENCING OLD TABLE AS gone statement trigger on attribute_definition: under a SHARE lock of each table takes the deleted keys out of its rows. Needs READ COMMITTED (25000).';
REVOKE EXECUTE ON FUNCTION mountaineer.attribute_definition_remove() FROM PUBLIC;
CREATE TRIGGER attribute_definition_remove AFTER DELETE ON mountaineer.attribute_definition
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.attribute_definition_remove();
-- End: tags and attributes (1.5)


-- == imports (1.5) ==
-- The one import mechanism the EC2, Kubernetes and NetBox imports share
-- (and any script of a site's own): import_rows() upserts a batch of rows
-- into one inventory table, keyed by the source's own key, writing only
-- what changed, and with prune removes what the source no longer has.
CREATE TABLE mountaineer.import_source (
    source     text NOT NULL CONSTRAINT import_source_source_check CHECK (source <> '' AND length(source) <= 200),
    kind       text NOT NULL CONSTRAINT import_source_kind_check CHECK (kind <> '' AND length(kind) <= 200),
    table_name text NOT NULL,
    CONSTRAINT import_source_pkey PRIMARY KEY (source, kind)
);
COMMENT ON TABLE mountaineer.import_source IS
    'Imports: each kind of object a source sends (e.g. source ''aws:eu-west-1'', kind ''instance'') and the table its rows go to; import_rows() locks this row, so imports of one kind from one source run one after the other.';
COMMENT ON COLUMN mountaineer.import_source.source IS 'Where the rows come from, as the importer names it (an account and region, a cluster, a NetBox database).';
COMMENT ON COLUMN mountaineer.import_source.kind IS 'What kind of object of that source (instance, vpc, node, dcim.device ...).';
COMMENT ON COLUMN mountaineer.import_source.table_name IS 'The table its rows are imported into, schema-qualified; one table per source and kind.';

CREATE TABLE mountaineer.import_key (
    source text NOT NULL,
    kind   text NOT NULL,
    key    text NOT NULL CONSTRAINT import_key_key_check CHECK (key <> '' AND length(key) <= 1000),
    row_id uuid NOT NULL,
    CONSTRAINT import_key_pkey PRIMARY KEY (source, kind, key),
    CONSTRAINT import_key_source_kind_fkey FOREIGN KEY (source, kind)
        REFERENCES mountaineer.import_source ON DELETE CASCADE
);
CREATE INDEX import_key_row_id_idx ON mountaineer.import_key (row_id);
COMMENT ON TABLE mountaineer.import_key IS
    'Imports: the map from a source''s own key of an object (an instance id, a pod uid, a NetBox id) to the id of the row it became, kept by import_rows(). A row deleted by hand keeps its entry: the next import makes it again with the same id.';
COMMENT ON COLUMN mountaineer.import_key.source IS 'The source, as in import_source.';
COMMENT ON COLUMN mountaineer.import_key.kind IS 'The kind of object, as in import_source.';
COMMENT ON COLUMN mountaineer.import_key.key IS 'The source''s key of the object.';
COMMENT ON COLUMN mountaineer.import_key.row_id IS 'The id of the row in import_source.table_name.';

SELECT pg_catalog.pg_extension_config_dump('mountaineer.import_source', '');
SELECT pg_catalog.pg_extension_config_dump('mountaineer.import_key', '');
GRANT SELECT ON mountaineer.import_source, mountaineer.import_key TO mountaineer_reader;
GRANT INSERT, UPDATE, DELETE ON mountaineer.import_source, mountaineer.import_key TO mountaineer_editor;

-- The columns a batch may set: every column of the table but id and the
-- generated ones.  NULL when the table has no such column.
CREATE FUNCTION mountaineer.import_columns(tbl regclass, names text[]) RETURNS text[]
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN (SELECT array_agg(n ORDER BY n) FROM unnest(names) n
             WHERE n <> 'id' AND EXISTS (SELECT FROM pg_attribute a
                                          WHERE a.attrelid = tbl AND a.attname = n AND a.attnum > 0
                                            AND NOT a.attisdropped AND a.attgenerated = ''));
COMMENT ON FUNCTION mountaineer.import_columns(regclass, text[]) IS
    'Internal (import_rows): of the given names, those that are columns of the table an import may set (not id, not generated), sorted.';
REVOKE EXECUTE ON FUNCTION mountaineer.import_columns(regclass, text[]) FROM PUBLIC;
-- import_rows() runs with its caller's privileges, so its callers need this too
GRANT EXECUTE ON FUNCTION mountaineer.import_columns(regclass, text[]) TO mountaineer_editor;

CREATE FUNCTION mountaineer.import_rows(source text, kind text, tbl regclass, rows jsonb,
                                        prune boolean DEFAULT false, on_prune jsonb DEFAULT NULL)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, removed integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad       record;
    cols      text[];
    names     text[];
    n_total   integer;
    n_in      integer := 0;
    n_up      integer := 0;
    n_rm      integer := 0;
    n         integer;
    known     text;
    gone_key  text;
    stage     regclass;
    gone_id   uuid;
    msg       text;
    state     text;
BEGIN
    IF source IS NULL OR kind IS NULL OR tbl IS NULL OR rows IS NULL OR prune IS NULL THEN
        RAISE EXCEPTION 'import_rows: source, kind, table, rows and prune must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF jsonb_typeof(rows) <> 'array' THEN
        RAISE EXCEPTION 'import_rows: rows must be a JSON array, not %', jsonb_typeof(rows)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF on_prune IS NOT NULL AND jsonb_typeof(on_prune) <> 'object' THEN
        RAISE EXCEPTION 'import_rows: on_prune must be a JSON object of columns and values, not %', jsonb_typeof(on_prune)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- every element {"key": "…", "row": {…}} with an optional "path"
    SELECT e.o - 1 AS i, e.v INTO bad
      FROM jsonb_array_elements(rows) WITH ORDINALITY AS e(v, o)
     WHERE jsonb_typeof(e.v) <> 'object'
        OR jsonb_typeof(e.v -> 'key') IS DISTINCT FROM 'string'
        OR e.v ->> 'key' = '' OR length(e.v ->> 'key') > 1000
        OR jsonb_typeof(e.v -> 'row') IS DISTINCT FROM 'object'
        OR jsonb_typeof(e.v -> 'path') NOT IN ('string', 'null')
        OR EXISTS (SELECT FROM jsonb_object_keys(e.v) k WHERE k NOT IN ('key', 'row', 'path'))
     ORDER BY e.o LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'import_rows: element % of rows is not {"key": a non-empty string, "row": an object, "path": an optional string}', bad.i
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT e.v ->> 'key' AS key, array_agg(coalesce(e.v ->> 'path', format('rows[%s]', e.o - 1)) ORDER BY e.o) AS at INTO bad
      FROM jsonb_array_elements(rows) WITH ORDINALITY AS e(v, o)
     GROUP BY 1 HAVING count(*) > 1 ORDER BY min(e.o) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'import_rows: key % of % appears more than once in one import (%)',
            mountaineer.excerpt(bad.key), mountaineer.excerpt(kind), array_to_string(bad.at[1:2], ' and ')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- the columns the batch sets, and those of on_prune: all must exist
    SELECT array_agg(DISTINCT k ORDER BY k) INTO names
      FROM jsonb_array_elements(rows) e, jsonb_object_keys(e -> 'row') k;
    names := coalesce(names, '{}');
    cols := coalesce(mountaineer.import_columns(tbl, names || coalesce(ARRAY(SELECT jsonb_object_keys(on_prune)), '{}')), '{}');
    SELECT u.name INTO known FROM unnest(names || coalesce(ARRAY(SELECT jsonb_object_keys(on_prune)), '{}')) AS u(name)
     WHERE u.name <> ALL (cols) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'import_rows: % has no column % that an import may set', tbl, mountaineer.excerpt(known)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'id and generated columns are set by the database.';
    END IF;
    cols := coalesce(mountaineer.import_columns(tbl, names), '{}');

    -- one import of a kind from a source at a time: the row lock on its
    -- import_source row (an advisory lock could be taken by anyone)
    INSERT INTO mountaineer.import_source AS s (source, kind, table_name)
    VALUES (import_rows.source, import_rows.kind, tbl::text) ON CONFLICT DO NOTHING;
    SELECT s.table_name INTO known FROM mountaineer.import_source s
     WHERE s.source = import_rows.source AND s.kind = import_rows.kind FOR NO KEY UPDATE;
    IF known <> tbl::text THEN
        RAISE EXCEPTION 'import_rows: % of % are imported into %, not %', mountaineer.excerpt(kind),
            mountaineer.excerpt(source), known, tbl
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- the batch, typed by the table's own row type, with the ids it maps to
    BEGIN
        EXECUTE format($q$
            CREATE TEMP TABLE mountaineer_import_stage ON COMMIT DROP AS
            SELECT e.v ->> 'key' AS key, coalesce(e.v ->> 'path', format('rows[%%s]', e.o - 1)) AS path,
                   coalesce(k.row_id, gen_random_uuid()) AS id,
                   k.row_id IS NOT NULL AND EXISTS (SELECT FROM %1$s t WHERE t.id = k.row_id) AS present,
                   jsonb_populate_record(NULL::%1$s, e.v -> 'row') AS r
              FROM jsonb_array_elements($1) WITH ORDINALITY AS e(v, o)
              LEFT JOIN mountaineer.import_key k
                     ON k.source = $2 AND k.kind = $3 AND k.key = e.v ->> 'key'$q$, tbl)
            USING rows, source, kind;
    EXCEPTION WHEN data_exception THEN
        -- name the value at fault: try each one on its own
        GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
        FOR bad IN SELECT coalesce(e.v ->> 'path', format('rows[%s]', e.o - 1)) AS path, c.key AS col, c.value
                     FROM jsonb_array_elements(rows) WITH ORDINALITY AS e(v, o), jsonb_each(e.v -> 'row') c
                    ORDER BY e.o LOOP
            BEGIN
                EXECUTE format('SELECT jsonb_populate_record(NULL::%s, $1)', tbl) USING jsonb_build_object(bad.col, bad.value);
            EXCEPTION WHEN data_exception THEN
                GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
                RAISE EXCEPTION 'import_rows: %, column %: %', bad.path, bad.col, msg USING ERRCODE = state;
            END;
        END LOOP;
        RAISE EXCEPTION 'import_rows: %', msg USING ERRCODE = state;   -- no value is wrong on its own
    END;
    -- the statements on the staging table are dynamic: it exists only now
    stage := to_regclass('pg_temp.mountaineer_import_stage');
    EXECUTE format('SELECT count(*), count(*) FILTER (WHERE NOT present) FROM %s', stage) INTO n_total, n;
    IF n > 0 THEN
        EXECUTE format('INSERT INTO %s (id%s) SELECT s.id%s FROM %s s WHERE NOT s.present',
                       tbl,
                       (SELECT string_agg(', ' || quote_ident(c), '' ORDER BY c) FROM unnest(cols) c),
                       (SELECT string_agg(', (s.r).' || quote_ident(c), '' ORDER BY c) FROM unnest(cols) c),
                       stage);
        GET DIAGNOSTICS n_in = ROW_COUNT;
        EXECUTE format('INSERT INTO mountaineer.import_key (source, kind, key, row_id)
                        SELECT $1, $2, s.key, s.id FROM %s s WHERE NOT s.present
                        ON CONFLICT ON CONSTRAINT import_key_pkey DO NOTHING', stage)   -- a row deleted by hand keeps its key and id
            USING source, kind;
    END IF;
    IF cardinality(cols) > 0 THEN
        -- only the rows that differ: an unchanged re-import writes nothing
        EXECUTE format('UPDATE %1$s t SET (%2$s) = ROW(%3$s) FROM %5$s s '
                       'WHERE s.present AND t.id = s.id AND ROW(%4$s) IS DISTINCT FROM ROW(%3$s)',
                       tbl,
                       (SELECT string_agg(quote_ident(c), ', ' ORDER BY c) FROM unnest(cols) c),
                       (SELECT string_agg('(s.r).' || quote_ident(c), ', ' ORDER BY c) FROM unnest(cols) c),
                       (SELECT string_agg('t.' || quote_ident(c), ', ' ORDER BY c) FROM unnest(cols) c),
                       stage);
        GET DIAGNOSTICS n_up = ROW_COUNT;
    END IF;

    IF prune THEN
        -- what the source no longer has: deleted, or given on_prune's values
        -- when other rows still refer to it (a foreign key refuses)
        FOR gone_key, gone_id IN EXECUTE format(
                'SELECT k.key, k.row_id FROM mountaineer.import_key k
                  WHERE k.source = $1 AND k.kind = $2 AND NOT EXISTS (SELECT FROM %s s WHERE s.key = k.key)
                  ORDER BY k.key', stage) USING source, kind LOOP
            BEGIN
                EXECUTE format('DELETE FROM %s WHERE id = $1', tbl) USING gone_id;
                GET DIAGNOSTICS n = ROW_COUNT;
                DELETE FROM mountaineer.import_key k
                 WHERE k.source = import_rows.source AND k.kind = import_rows.kind AND k.key = gone_key;
            EXCEPTION WHEN foreign_key_violation THEN
                IF on_prune IS NULL THEN
                    RAISE;
                END IF;
                EXECUTE format('UPDATE %1$s t SET (%2$s) = ROW(%3$s) FROM jsonb_populate_record(NULL::%1$s, $2) p '
                               'WHERE t.id = $1 AND ROW(%4$s) IS DISTINCT FROM ROW(%3$s)',
                               tbl,
                               (SELECT string_agg(quote_ident(c), ', ' ORDER BY c) FROM jsonb_object_keys(on_prune) c),
                               (SELECT string_agg('p.' || quote_ident(c), ', ' ORDER BY c) FROM jsonb_object_keys(on_prune) c),
                               (SELECT string_agg('t.' || quote_ident(c), ', ' ORDER BY c) FROM jsonb_object_keys(on_prune) c))
                    USING gone_id, on_prune;
                GET DIAGNOSTICS n = ROW_COUNT;
            END;
            n_rm := n_rm + n;
        END LOOP;
    END IF;
    EXECUTE format('DROP TABLE %s', stage);

    RETURN QUERY SELECT kind, n_in, n_up, n_total - n_in - n_up, n_rm;
END
$$;
COMMENT ON FUNCTION mountaineer.import_rows(text, text, regclass, jsonb, boolean, jsonb) IS
    'Imports a batch of rows of one kind from one source into a table: rows is a JSON array of {"key": the source''s key, "row": {column: value}, "path": where it was in the source document (for errors)}. A new key inserts a row (the columns not given take their defaults); a known one updates only the columns that differ (an unchanged re-import writes nothing: no change-log row, no NOTIFY). With prune, the rows of keys absent from the batch are deleted, or, when another row refers to one and on_prune is given, updated with on_prune''s values (e.g. {"status": "offline"}). One import per source and kind at a time; returns one row: the kind and how many rows were inserted, updated, unchanged and removed.';
REVOKE EXECUTE ON FUNCTION mountaineer.import_rows(text, text, regclass, jsonb, boolean, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.import_rows(text, text, regclass, jsonb, boolean, jsonb) TO mountaineer_editor;
-- End: imports (1.5)
