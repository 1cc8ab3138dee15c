-- mountaineer_netbox 1.1: a NetBox estate (3.7 or 4.x) migrated in one call
-- from NetBox's own tables, reached through postgres_fdw or restored into a
-- schema of this database; idempotent (the shared import mechanism of the
-- core, import_rows()), reporting each row that breaks a rule instead of
-- failing; and netbox_verify(), which checks NetBox's cached cable paths
-- against this system's traces.  1.1: every key of the source found by
-- import_key's index (its source in the column's collation, not name's "C"),
-- cable ends looked up by cable, a table's batch loaded in one pass when
-- nothing in it is refused: 20 times faster on a big estate.
\echo Use "CREATE EXTENSION mountaineer_netbox" to load this file. \quit

DO $$
BEGIN
    IF pg_catalog.to_regclass('mountaineer.tenant') IS NULL THEN
        RAISE EXCEPTION 'mountaineer_netbox needs mountaineer 1.6'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run ALTER EXTENSION mountaineer UPDATE and ALTER EXTENSION mountaineer_networks UPDATE first.';
    END IF;
END
$$;

-- == framework (1.0) ==
-- Every NetBox row imported is keyed in import_key by source
-- 'netbox:<schema>', kind = its NetBox table name (dcim_interface ...) and
-- key = its NetBox id; an object that becomes two rows here (a NetBox device
-- with addresses also becomes a host) uses a second kind, '<table>:<what>'.

CREATE TABLE mountaineer.netbox_import_issue (
    source    name NOT NULL,
    object    text NOT NULL,
    netbox_id bigint,
    rule      text NOT NULL,
    detail    text NOT NULL,
    found_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX netbox_import_issue_source_idx ON mountaineer.netbox_import_issue (source, object, netbox_id);
COMMENT ON TABLE mountaineer.netbox_import_issue IS
    'Imports: what the last netbox_import() of each source did not carry over, one row per NetBox row: those that break one of this system''s rules (rule: the constraint or check that refused it) and those of objects this system does not model (rule not_modelled). Each import of a source replaces its rows.';
COMMENT ON COLUMN mountaineer.netbox_import_issue.source IS 'The schema netbox_import() read.';
COMMENT ON COLUMN mountaineer.netbox_import_issue.object IS 'NetBox''s table of the row (dcim_device, ipam_ipaddress ...).';
COMMENT ON COLUMN mountaineer.netbox_import_issue.netbox_id IS 'The row''s id in NetBox; NULL for an issue of the whole table.';
COMMENT ON COLUMN mountaineer.netbox_import_issue.rule IS 'The constraint, check or rule that refused the row (device_rack_id_position_excl, ip_address_unique ...), or not_modelled.';
COMMENT ON COLUMN mountaineer.netbox_import_issue.detail IS 'The error message, or why the object is not modelled.';
COMMENT ON COLUMN mountaineer.netbox_import_issue.found_at IS 'When the import found it.';
SELECT pg_catalog.pg_extension_config_dump('mountaineer.netbox_import_issue', '');
GRANT SELECT ON mountaineer.netbox_import_issue TO mountaineer_reader;
GRANT INSERT, DELETE ON mountaineer.netbox_import_issue TO mountaineer_editor;

CREATE VIEW mountaineer.netbox_map AS
SELECT substr(k.source, 8)::name AS source, k.kind AS object, k.key::bigint AS netbox_id, k.row_id AS id
  FROM mountaineer.import_key k
 WHERE k.source LIKE 'netbox:%';
COMMENT ON VIEW mountaineer.netbox_map IS
    'Every row netbox_import() made, found from its NetBox table and id: source (the schema read), object (NetBox''s table name, e.g. dcim_interface; <table>:host for the host made for a device), netbox_id, id (the row''s id here).';
COMMENT ON COLUMN mountaineer.netbox_map.source IS 'The schema netbox_import() read (its import source is netbox:<schema>).';
COMMENT ON COLUMN mountaineer.netbox_map.object IS 'NetBox''s table of the row (dcim_interface, ipam_prefix ...), or <table>:<what> for a second row made from it.';
COMMENT ON COLUMN mountaineer.netbox_map.netbox_id IS 'The row''s id in NetBox.';
COMMENT ON COLUMN mountaineer.netbox_map.id IS 'The id of the row it became here.';
GRANT SELECT ON mountaineer.netbox_map TO mountaineer_reader;

CREATE FUNCTION mountaineer.netbox_has(source name, tbl text, col text DEFAULT NULL) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT FROM pg_attribute a
                    WHERE a.attrelid = to_regclass(format('%I.%I', source, tbl))
                      AND a.attnum > 0 AND NOT a.attisdropped
                      AND (col IS NULL OR a.attname = col))
$$;
COMMENT ON FUNCTION mountaineer.netbox_has(name, text, text) IS
    'Internal (netbox_import): whether the NetBox schema has that table (and column): how NetBox 3.7 and 4.x are told apart.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_has(name, text, text) FROM PUBLIC;
-- readers too: netbox_verify, a reader's function, asks it
GRANT EXECUTE ON FUNCTION mountaineer.netbox_has(name, text, text) TO mountaineer_reader;

CREATE FUNCTION mountaineer.netbox_ref(source name, object text, netbox_id bigint) RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT k.row_id FROM mountaineer.import_key k
     WHERE k.source = ('netbox:' || netbox_ref.source) COLLATE "default" AND k.kind = object AND k.key = netbox_id::text
$$;
COMMENT ON FUNCTION mountaineer.netbox_ref(name, text, bigint) IS
    'Internal (netbox_import): the id here of a NetBox row already imported (NULL if it was not).';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_ref(name, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_ref(name, text, bigint) TO mountaineer_editor;

CREATE FUNCTION mountaineer.netbox_issue(source name, object text, netbox_id bigint, rule text, detail text) RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    INSERT INTO mountaineer.netbox_import_issue (source, object, netbox_id, rule, detail)
    VALUES (source, object, netbox_id, rule, detail);
END;
COMMENT ON FUNCTION mountaineer.netbox_issue(name, text, bigint, text, text) IS
    'Internal (netbox_import): records one row that was not imported, and why.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_issue(name, text, bigint, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_issue(name, text, bigint, text, text) TO mountaineer_editor;

-- Loads part of a batch; when import_rows() refuses it, halves it until each
-- refused row stands alone, records those as issues and loads the rest: a
-- batch with k bad rows of n costs about k·log2(n) extra tries, and one
-- without any costs one.  Returns {inserted, updated, unchanged, skipped}.
CREATE FUNCTION mountaineer.netbox_load_part(source name, object text, tbl regclass, rows jsonb) RETURNS integer[]
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r      record;
    n      integer := jsonb_array_length(rows);
    half   integer;
    a      integer[];
    b      integer[];
    msg    text;
    state  text;
    cname  text;
    detail text;
BEGIN
    IF n = 0 THEN
        RETURN '{0,0,0,0}'::integer[];
    END IF;
    BEGIN
        SELECT * INTO r FROM mountaineer.import_rows(('netbox:' || source) COLLATE "default", object, tbl, rows);
        RETURN ARRAY[r.inserted, r.updated, r.unchanged, 0];
    EXCEPTION WHEN integrity_constraint_violation OR data_exception OR raise_exception
                   OR object_not_in_prerequisite_state THEN
        GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE,
                                cname = CONSTRAINT_NAME, detail = PG_EXCEPTION_DETAIL;
        IF state = '22023' AND msg LIKE 'import_rows:%' THEN
            RAISE;   -- a malformed batch is this module's bug, not the data's
        END IF;
    END;
    IF n = 1 THEN
        PERFORM mountaineer.netbox_issue(source, object, (rows -> 0 ->> 'key')::bigint,
                                         coalesce(nullif(cname, ''), state),
                                         msg || coalesce(' (' || nullif(detail, '') || ')', ''));
        RETURN '{0,0,0,1}'::integer[];
    END IF;
    half := n / 2;
    a := mountaineer.netbox_load_part(source, object, tbl, jsonb_path_query_array(rows, format('$[0 to %s]', half - 1)::jsonpath));
    b := mountaineer.netbox_load_part(source, object, tbl, jsonb_path_query_array(rows, format('$[%s to last]', half)::jsonpath));
    RETURN ARRAY[a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4]];
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_load_part(name, text, regclass, jsonb) IS
    'Internal (netbox_load): imports what it can of a batch, halving it around the rows a rule refuses and recording those in netbox_import_issue; returns {inserted, updated, unchanged, skipped}.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_load_part(name, text, regclass, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_load_part(name, text, regclass, jsonb) TO mountaineer_editor;

-- One step of an import: the rows of one NetBox table, as import_rows()
-- elements ({"key": the NetBox id, "row": {column: value}}), into one table
-- here.  Then what NetBox no longer has is removed (import_rows' prune);
-- a row here that others still need stays and is reported.
CREATE FUNCTION mountaineer.netbox_load(src name, kind text, tbl regclass, rows jsonb,
                                        left_out integer DEFAULT 0)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, skipped integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c      integer[];
    msg    text;
    good   jsonb;
    kept   jsonb;
    r      record;
    state  text;
BEGIN
    -- (1.1) No issue of this table (from this import's step or an earlier
    -- one): one pass, with prune, when the whole batch goes in; else the
    -- batch is loaded part by part and pruned after, as below
    IF NOT EXISTS (SELECT FROM mountaineer.netbox_import_issue i WHERE i.source = src AND i.object = kind) THEN
        BEGIN
            SELECT * INTO r FROM mountaineer.import_rows(('netbox:' || src) COLLATE "default", kind, tbl,
                                                         coalesce(rows, '[]'), prune => true);
            RETURN QUERY SELECT kind, r.inserted, r.updated, r.unchanged, left_out;
            RETURN;
        EXCEPTION WHEN integrity_constraint_violation OR data_exception OR raise_exception
                       OR object_not_in_prerequisite_state THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
            IF state = '22023' AND msg LIKE 'import_rows:%' THEN
                RAISE;   -- a malformed batch is this module's bug, not the data's
            END IF;
        END;
    END IF;
    c := mountaineer.netbox_load_part(src, kind, tbl, coalesce(rows, '[]'));
    -- prune: the good rows again (unchanged now, so nothing is written) with
    -- the keys NetBox no longer has removed
    good := coalesce((SELECT jsonb_agg(e) FROM jsonb_array_elements(rows) e
                       WHERE NOT EXISTS (SELECT FROM mountaineer.netbox_import_issue i
                                          WHERE i.source = src AND i.object = kind
                                            AND i.netbox_id = (e ->> 'key')::bigint)), '[]');
    -- a row imported before that this import refused or left out (an issue
    -- now) is kept as it was, not pruned: sent again with its values here
    EXECUTE format($q$
        SELECT coalesce(jsonb_agg(jsonb_build_object('key', k.key, 'row',
                   (SELECT coalesce(jsonb_object_agg(col, to_jsonb(t) -> col), '{}')
                      FROM jsonb_object_keys(coalesce($3 -> 0 -> 'row', '{}')) col))), '[]')
          FROM mountaineer.import_key k
          JOIN %s t ON t.id = k.row_id
         WHERE k.source = ('netbox:' || $1) COLLATE "default" AND k.kind = $2
           AND EXISTS (SELECT FROM mountaineer.netbox_import_issue i
                        WHERE i.source = $1 AND i.object = $2 AND i.netbox_id = k.key::bigint)$q$, tbl)
        INTO kept USING src, kind, good;
    BEGIN
        PERFORM FROM mountaineer.import_rows(('netbox:' || src) COLLATE "default", kind, tbl, good || kept, prune => true);
    EXCEPTION WHEN foreign_key_violation THEN
        GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
        PERFORM mountaineer.netbox_issue(src, kind, NULL, 'prune', 'rows NetBox no longer has were kept: ' || msg);
    END;
    RETURN QUERY SELECT kind, c[1], c[2], c[3], c[4] + left_out;
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_load(name, text, regclass, jsonb, integer) IS
    'Internal (netbox_import): imports the rows of one NetBox table into one table here (import_rows(), source netbox:<schema>, kind = the NetBox table), records the rows a rule refuses as issues, removes what NetBox no longer has, and returns the counts (left_out: rows the step left out itself, already recorded as issues, counted as skipped).';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_load(name, text, regclass, jsonb, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_load(name, text, regclass, jsonb, integer) TO mountaineer_editor;
-- End: framework (1.0)

-- == common: tenants, tags, custom fields (1.0) ==
-- Which table here a NetBox object type (django_content_type app_label and
-- model) becomes: where its custom fields' definitions and its tags go.
-- Types whose rows become ports (interfaces, console, power and pass-through
-- ports, power feeds, circuit terminations) all map to port.  A type not
-- listed, or whose table this database does not have, is not modelled.
CREATE FUNCTION mountaineer.netbox_model_table(app_label text, model text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
RETURN (SELECT m.tbl FROM (VALUES
        ('tenancy', 'tenant', 'tenant'),
        ('dcim', 'region', 'region'), ('dcim', 'sitegroup', 'site_group'), ('dcim', 'site', 'site'),
        ('dcim', 'location', 'location'), ('dcim', 'rackrole', 'rack_role'), ('dcim', 'rack', 'rack'),
        ('dcim', 'manufacturer', 'manufacturer'), ('dcim', 'devicetype', 'device_type'),
        ('dcim', 'devicerole', 'device_role'), ('dcim', 'platform', 'platform'),
        ('dcim', 'device', 'device'), ('dcim', 'powerpanel', 'device'),
        ('dcim', 'interface', 'port'), ('dcim', 'consoleport', 'port'), ('dcim', 'consoleserverport', 'port'),
        ('dcim', 'powerport', 'port'), ('dcim', 'poweroutlet', 'port'), ('dcim', 'frontport', 'port'),
        ('dcim', 'rearport', 'port'), ('dcim', 'powerfeed', 'port'), ('dcim', 'cable', 'cable'),
        ('circuits', 'provider', 'provider'), ('circuits', 'providernetwork', 'provider_network'),
        ('circuits', 'circuittype', 'circuit_type'), ('circuits', 'circuit', 'circuit'),
        ('circuits', 'circuittermination', 'port'),
        ('ipam', 'vrf', 'vrf'), ('ipam', 'routetarget', 'route_target'), ('ipam', 'rir', 'rir'),
        ('ipam', 'aggregate', 'aggregate'), ('ipam', 'asn', 'asn'), ('ipam', 'vlangroup', 'vlan_group'),
        ('ipam', 'vlan', 'vlan'), ('ipam', 'prefix', 'prefix'), ('ipam', 'iprange', 'ip_range'),
        ('ipam', 'ipaddress', 'ip_address'),
        ('virtualization', 'clustertype', 'cluster_type'), ('virtualization', 'cluster', 'cluster'),
        ('virtualization', 'virtualmachine', 'host')) m (app, mdl, tbl)
         WHERE m.app = app_label AND m.mdl = model
           AND to_regclass('mountaineer.' || m.tbl) IN (SELECT t FROM mountaineer.attribute_tables() t));
COMMENT ON FUNCTION mountaineer.netbox_model_table(text, text) IS
    'Internal (netbox_import): the table here (without schema) that rows of a NetBox object type (app_label, model) become and that carries their tags and custom fields; NULL when the type is not modelled.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_model_table(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_model_table(text, text) TO mountaineer_editor;

-- The tags of every tagged row of one NetBox object type, in one query over
-- extras_taggeditem; names sorted (byte order), so a re-import compares
-- equal.  Only tags this import made are named (one that was refused is in
-- netbox_import_issue and left off the rows rather than refusing them).
CREATE FUNCTION mountaineer.netbox_tagged(source name, app_label text, model text)
    RETURNS TABLE (object_id bigint, tags text[])
    -- VOLATILE: it reads NetBox's tables, usually another server's (postgres_fdw)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- plpgsql_check accepts "routine is marked as VOLATILE, should be STABLE" because it reads NetBox's tables, through postgres_fdw as a rule: STABLE would have to be PARALLEL SAFE (test/catalog.sql), which a foreign scan is not
    -- plpgsql_check accepts "OUT variable "object_id" is maybe unmodified" because the query is over the NetBox schema named at run time, and returns both columns
    -- plpgsql_check accepts "OUT variable "tags" is maybe unmodified" because the query is over the NetBox schema named at run time, and returns both columns
    RETURN QUERY EXECUTE format($q$
        SELECT ti.object_id::bigint, array_agg(t.name ORDER BY t.name COLLATE "C")
          FROM %1$I.extras_taggeditem ti
          JOIN %1$I.django_content_type ct ON ct.id = ti.content_type_id
          JOIN mountaineer.import_key k ON k.source = $1 AND k.kind = 'extras_tag' AND k.key = ti.tag_id::text
          JOIN mountaineer.tag t ON t.id = k.row_id
         WHERE ct.app_label = $2 AND ct.model = $3
         GROUP BY ti.object_id$q$, source)
        USING ('netbox:' || source) COLLATE "default", app_label, model;
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_tagged(name, text, text) IS
    'Internal (netbox_import): object_id and sorted tag names of every tagged row of one NetBox object type (app_label, model: dcim, site), read from extras_taggeditem in one query; only tags the import carried over.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_tagged(name, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_tagged(name, text, text) TO mountaineer_editor;

-- NetBox stores every custom field of an object in custom_field_data, unset
-- ones as null (and cleared text fields as ""): here both are no value.  A
-- field carries over when the import made a definition for it.
CREATE FUNCTION mountaineer.netbox_attributes(source name, data jsonb) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN data IS NULL OR data = '{}' OR jsonb_typeof(data) <> 'object' THEN '{}'::jsonb
            ELSE coalesce((SELECT jsonb_object_agg(e.key, e.value)
                             FROM jsonb_each(data) e
                            WHERE e.value NOT IN ('null', '""')
                              AND EXISTS (SELECT FROM mountaineer.import_key k
                                            JOIN mountaineer.attribute_definition d ON d.id = k.row_id
                                           WHERE k.source = ('netbox:' || netbox_attributes.source) COLLATE "default"
                                             AND k.kind LIKE 'extras\_customfield:%'
                                             AND d.key = e.key)), '{}') END;
COMMENT ON FUNCTION mountaineer.netbox_attributes(name, jsonb) IS
    'Internal (netbox_import): a NetBox row''s custom_field_data as attributes here: the fields the import made definitions for, null and empty values dropped.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_attributes(name, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_attributes(name, jsonb) TO mountaineer_editor;

-- Tags, then custom fields (one definition per table a field applies to:
-- kind extras_customfield:<table>, key the field's id), then tenants, which
-- carry both.  The extras_customfield row counts (field, object type) pairs.
CREATE FUNCTION mountaineer.netbox_import_common(source name)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, skipped integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rows      jsonb;
    link      text;
    link_col  text;
    left_out  integer;
    target    text;
    cfs       jsonb;
    c         record;
    total     integer[] := '{0,0,0,0}'::integer[];
BEGIN
    -- tags
    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', t.id::text, 'row', jsonb_build_object(
                   'name', t.name, 'color', lower(t.color), 'description', nullif(t.description, '')))
                   ORDER BY t.id)
          FROM %1$I.extras_tag t$q$, source) INTO rows;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load(source, 'extras_tag', 'mountaineer.tag', rows);

    -- custom fields: 3.7 links them to content types, 4.x to object types
    -- (the same ids, django_content_type's)
    IF mountaineer.netbox_has(source, 'extras_customfield_object_types') THEN
        link := 'extras_customfield_object_types'; link_col := 'objecttype_id';
    ELSE
        link := 'extras_customfield_content_types'; link_col := 'contenttype_id';
    END IF;
    EXECUTE format($q$
        SELECT coalesce(jsonb_agg(jsonb_build_object(
               'id', f.id, 'name', f.name, 'type', f.type, 'app_label', ct.app_label, 'model', ct.model,
               'tbl', mountaineer.netbox_model_table(ct.app_label, ct.model),
               'row', jsonb_build_object(
                   'key', f.name,
                   'type', CASE f.type WHEN 'longtext' THEN 'text' WHEN 'integer' THEN 'int'
                                       WHEN 'boolean' THEN 'bool' ELSE f.type END,
                   'choices', CASE WHEN f.type = 'select' THEN
                                  -- pairs (value, label): the values, in order
                                  (SELECT array_agg(CASE array_ndims(cs.extra_choices) WHEN 1 THEN cs.extra_choices[i]
                                                         ELSE cs.extra_choices[i][1] END ORDER BY i)
                                     FROM generate_subscripts(cs.extra_choices, 1) i) END,
                   'required', f.required,
                   'default_value', CASE WHEN f.default IS NOT NULL AND f.default <> 'null' THEN f.default END,
                   'minimum', f.validation_minimum, 'maximum', f.validation_maximum,
                   'regex', CASE WHEN f.type IN ('text', 'longtext', 'url') THEN nullif(f.validation_regex, '') END,
                   'label', nullif(f.label, ''), 'description', nullif(f.description, ''))) ORDER BY f.id, ct.id), '[]')
          FROM %1$I.extras_customfield f
          LEFT JOIN %1$I.extras_customfieldchoiceset cs ON cs.id = f.choice_set_id
          LEFT JOIN %1$I.%2$I l ON l.customfield_id = f.id
          LEFT JOIN %1$I.django_content_type ct ON ct.id = l.%3$I$q$, source, link, link_col)
        INTO cfs;
    -- what does not map: recorded, left out (and its values with it)
    PERFORM mountaineer.netbox_issue(source, 'extras_customfield', f.id, 'not_modelled',
                CASE WHEN f.type NOT IN ('text', 'longtext', 'integer', 'boolean', 'date', 'url', 'select')
                     THEN format('custom field %s is of type %s, which attributes here do not have; its values are left out', f.name, f.type)
                     WHEN f.app_label IS NULL
                     THEN format('custom field %s applies to no object type', f.name)
                     ELSE format('custom field %s applies to %s.%s, which is not modelled here', f.name, f.app_label, f.model) END)
      FROM jsonb_to_recordset(cfs) AS f (id bigint, name text, type text, app_label text, model text, tbl text)
     WHERE f.tbl IS NULL OR f.type NOT IN ('text', 'longtext', 'integer', 'boolean', 'date', 'url', 'select');
    GET DIAGNOSTICS left_out = ROW_COUNT;
    -- one kind per table, and the kinds of tables no field applies to any
    -- more (their definitions pruned)
    FOR target IN SELECT e ->> 'tbl' FROM jsonb_array_elements(cfs) e WHERE e ->> 'tbl' IS NOT NULL
                  UNION
                  SELECT substr(s.kind, 20) FROM mountaineer.import_source s
                   WHERE s.source = ('netbox:' || netbox_import_common.source) COLLATE "default" AND s.kind LIKE 'extras\_customfield:%'
                  ORDER BY 1
    LOOP
        SELECT * INTO c FROM mountaineer.netbox_load(source, 'extras_customfield:' || target, 'mountaineer.attribute_definition',
            (SELECT jsonb_agg(jsonb_build_object('key', e ->> 'id', 'row', (e -> 'row') || jsonb_build_object('table_name', target))
                              ORDER BY (e ->> 'id')::bigint)
               FROM jsonb_array_elements(cfs) e
              WHERE e ->> 'tbl' = target AND e ->> 'type' IN ('text', 'longtext', 'integer', 'boolean', 'date', 'url', 'select')));
        total := ARRAY[total[1] + c.inserted, total[2] + c.updated, total[3] + c.unchanged, total[4] + c.skipped];
    END LOOP;
    RETURN QUERY SELECT 'extras_customfield', total[1], total[2], total[3], total[4] + left_out;

    -- tenants (tenant groups are not modelled: netbox_import_skipped counts them)
    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', t.id::text, 'row', jsonb_build_object(
                   'name', t.name, 'description', nullif(t.description, ''),
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, t.custom_field_data)))
                   ORDER BY t.id)
          FROM %1$I.tenancy_tenant t
          LEFT JOIN mountaineer.netbox_tagged($1, 'tenancy', 'tenant') tg ON tg.object_id = t.id$q$, source)
        INTO rows USING source;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load(source, 'tenancy_tenant', 'mountaineer.tenant', rows);
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_import_common(name) IS
    'Internal (netbox_import): NetBox tags (extras_tag → tag), custom fields (extras_customfield → one attribute_definition per table it applies to; types that do not map recorded as not_modelled) and tenants (tenancy_tenant → tenant, with their tags and attributes).';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_import_common(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_import_common(name) TO mountaineer_editor;
-- End: common: tenants, tags, custom fields (1.0)

-- == dcim: sites, racks, device types, devices, ports, power, cables, circuits (1.0) ==
-- Every step reads its NetBox table once (dynamic SQL over the schema named
-- by source), builds one batch of {"key", "row"} elements and loads it with
-- netbox_load().  Parents are found by joining import_key (a parent NetBox
-- had but this import did not make leaves the row out, reported).

-- One element of a batch: {"key", "row"}, and "missing" (what parent was not
-- imported) when the row has to be left out.
CREATE FUNCTION mountaineer.netbox_elem(netbox_id bigint, fields jsonb, missing text DEFAULT NULL, rule text DEFAULT NULL) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
RETURN jsonb_build_object('key', netbox_id::text, 'row', fields)
       || CASE WHEN missing IS NULL THEN '{}'::jsonb
               ELSE jsonb_build_object('missing', missing, 'rule', coalesce(rule, 'parent_not_imported')) END;
COMMENT ON FUNCTION mountaineer.netbox_elem(bigint, jsonb, text, text) IS
    'Internal (netbox_import): one element of a batch for netbox_step(): the NetBox id as key, the row, and when the row is to be left out, missing (why: the parent that was not imported) and rule (parent_not_imported unless given).';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_elem(bigint, jsonb, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_elem(bigint, jsonb, text, text) TO mountaineer_editor;

-- A tree (regions, site groups, locations): each element also names its
-- parent's NetBox id ("parent"); the rows are loaded level by level, each
-- pass those whose parent the passes before made, with parent_id set.
CREATE FUNCTION mountaineer.netbox_load_tree(src name, kind text, tbl regclass, rows jsonb, left_out integer DEFAULT 0)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, skipped integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    done   text[] := '{}'::text[];
    good   jsonb := '[]'::jsonb;
    batch  jsonb;
    keys   text[];
    c      integer[];
    total  integer[] := '{0,0,0,0}'::integer[];
    n      integer;
BEGIN
    LOOP
        SELECT jsonb_agg(jsonb_build_object('key', e ->> 'key',
                                            'row', (e -> 'row') || jsonb_build_object('parent_id', k.row_id))
                         ORDER BY (e ->> 'key')::bigint),
               array_agg(e ->> 'key')
          INTO batch, keys
          FROM jsonb_array_elements(rows) e
          LEFT JOIN mountaineer.import_key k
                 ON k.source = ('netbox:' || src) COLLATE "default" AND k.kind = netbox_load_tree.kind AND k.key = e ->> 'parent'
         WHERE NOT (e ->> 'key' = ANY (done))
           AND (e ->> 'parent' IS NULL
                OR (k.row_id IS NOT NULL AND e ->> 'parent' = ANY (done)
                    AND NOT EXISTS (SELECT FROM mountaineer.netbox_import_issue i
                                     WHERE i.source = src AND i.object = netbox_load_tree.kind
                                       AND i.netbox_id = (e ->> 'parent')::bigint)));
        EXIT WHEN batch IS NULL;
        c := mountaineer.netbox_load_part(src, kind, tbl, batch);
        total := ARRAY[total[1] + c[1], total[2] + c[2], total[3] + c[3], total[4] + c[4]];
        done := done || keys;
        good := good || batch;
    END LOOP;
    -- what was never loaded: under a parent that was refused or missing
    PERFORM mountaineer.netbox_issue(src, kind, (e ->> 'key')::bigint, 'parent_not_imported',
                                     format('its parent, %s %s, was not imported', kind, e ->> 'parent'))
       FROM jsonb_array_elements(rows) e WHERE NOT (e ->> 'key' = ANY (done));
    GET DIAGNOSTICS n = ROW_COUNT;
    -- and the prune: the loaded rows again (unchanged now), the rest removed
    PERFORM FROM mountaineer.netbox_load(src, kind, tbl,
        (SELECT coalesce(jsonb_agg(g), '[]') FROM jsonb_array_elements(good) g
          WHERE NOT EXISTS (SELECT FROM mountaineer.netbox_import_issue i
                             WHERE i.source = src AND i.object = netbox_load_tree.kind
                               AND i.netbox_id = (g ->> 'key')::bigint)));
    RETURN QUERY SELECT kind, total[1], total[2], total[3], total[4] + n + left_out;
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_load_tree(name, text, regclass, jsonb, integer) IS
    'Internal (netbox_import): netbox_load() for a tree (each element names its parent''s NetBox id): loads it top level first, each row with parent_id set to its parent''s id here; a row under a parent that was not imported is reported and left out.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_load_tree(name, text, regclass, jsonb, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_load_tree(name, text, regclass, jsonb, integer) TO mountaineer_editor;

-- One step: runs query (dynamic SQL over the source schema, $1 = the source;
-- it returns one jsonb array of netbox_elem() elements), records the rows
-- left out for a missing parent, and loads the rest (as a tree when asked).
CREATE FUNCTION mountaineer.netbox_step(src name, kind text, tbl regclass, query text, tree boolean DEFAULT false)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, skipped integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rows     jsonb;
    left_out integer;
BEGIN
    EXECUTE query INTO rows USING src;
    rows := coalesce(rows, '[]');
    PERFORM mountaineer.netbox_issue(src, kind, (e ->> 'key')::bigint, e ->> 'rule', e ->> 'missing')
       FROM jsonb_array_elements(rows) e WHERE e ? 'missing';
    GET DIAGNOSTICS left_out = ROW_COUNT;
    IF tree THEN
        RETURN QUERY SELECT * FROM mountaineer.netbox_load_tree(src, kind, tbl,
            (SELECT coalesce(jsonb_agg(e ORDER BY o), '[]') FROM jsonb_array_elements(rows) WITH ORDINALITY x (e, o)
              WHERE NOT e ? 'missing'), left_out);
    ELSE
        RETURN QUERY SELECT * FROM mountaineer.netbox_load(src, kind, tbl,
            (SELECT coalesce(jsonb_agg(e ORDER BY o), '[]') FROM jsonb_array_elements(rows) WITH ORDINALITY x (e, o)
              WHERE NOT e ? 'missing'), left_out);
    END IF;
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_step(name, text, regclass, text, boolean) IS
    'Internal (netbox_import): one step of an import: runs a query over the NetBox schema that builds the batch of one NetBox table, records the rows whose parent was not imported (parent_not_imported) and loads the rest with netbox_load() (netbox_load_tree() for a tree).';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_step(name, text, regclass, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_step(name, text, regclass, text, boolean) TO mountaineer_editor;

-- The name a NetBox component takes here.  Port names are unique per device
-- (and template names per type) here, NetBox's per component type: a name
-- that several types use on one device keeps it for the first type in the
-- order interface, console, console server, power port, power outlet,
-- front port, rear port, and the others get their type in brackets
-- ("1 (rear)").  A name used by one type only is kept as it is.
CREATE FUNCTION mountaineer.netbox_port_suffix(kind text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
RETURN CASE kind WHEN 'interface' THEN 'interface' WHEN 'console' THEN 'console'
                 WHEN 'console_server' THEN 'console server' WHEN 'power_port' THEN 'power port'
                 WHEN 'power_outlet' THEN 'outlet' WHEN 'front_port' THEN 'front' WHEN 'rear_port' THEN 'rear' END;
COMMENT ON FUNCTION mountaineer.netbox_port_suffix(text) IS
    'Internal (netbox_import): the word in brackets added to a NetBox component''s name when another component type of its device (or device type) has the same name: interface, console, console server, power port, outlet, front, rear.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_port_suffix(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_port_suffix(text) TO mountaineer_editor;

-- The components (or templates) of every device (type) in one temporary
-- table, read once per NetBox table, with the names they take here:
-- pg_temp.netbox_component (tbl, kind, id, owner, name, ...).  parent is
-- device_id or device_type_id; suffix picks the template tables.
CREATE FUNCTION mountaineer.netbox_components(source name, templates boolean) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    owner text := CASE WHEN templates THEN 'device_type_id' ELSE 'device_id' END;
    sfx   text := CASE WHEN templates THEN 'template' ELSE '' END;
    parts text[];
BEGIN
    parts := ARRAY[
        format($q$SELECT 'dcim_interface%2$s' AS tbl, 'interface' AS kind, 1 AS rank, c.id, c.%3$I AS owner, c.name::text AS name,
                         1 AS positions, NULL::bigint AS rear_id, NULL::integer AS rear_position, NULL::bigint AS power_port_id,
                         NULL::text AS feed_leg, NULL::numeric AS maximum_draw, NULL::numeric AS allocated_draw, %4$s AS cfd
                    FROM %1$I.dcim_interface%2$s c$q$, source, sfx, owner, CASE WHEN templates THEN '''{}''::jsonb' ELSE 'c.custom_field_data' END),
        format($q$SELECT 'dcim_consoleport%2$s', 'console', 2, c.id, c.%3$I, c.name::text, 1, NULL, NULL, NULL, NULL, NULL, NULL, %4$s
                    FROM %1$I.dcim_consoleport%2$s c$q$, source, sfx, owner, CASE WHEN templates THEN '''{}''::jsonb' ELSE 'c.custom_field_data' END),
        format($q$SELECT 'dcim_consoleserverport%2$s', 'console_server', 3, c.id, c.%3$I, c.name::text, 1, NULL, NULL, NULL, NULL, NULL, NULL, %4$s
                    FROM %1$I.dcim_consoleserverport%2$s c$q$, source, sfx, owner, CASE WHEN templates THEN '''{}''::jsonb' ELSE 'c.custom_field_data' END),
        format($q$SELECT 'dcim_powerport%2$s', 'power_port', 4, c.id, c.%3$I, c.name::text, 1, NULL, NULL, NULL, NULL,
                         c.maximum_draw::numeric, c.allocated_draw::numeric, %4$s
                    FROM %1$I.dcim_powerport%2$s c$q$, source, sfx, owner, CASE WHEN templates THEN '''{}''::jsonb' ELSE 'c.custom_field_data' END),
        format($q$SELECT 'dcim_poweroutlet%2$s', 'power_outlet', 5, c.id, c.%3$I, c.name::text, 1, NULL, NULL, c.power_port_id,
                         nullif(c.feed_leg, ''), NULL, NULL, %4$s
                    FROM %1$I.dcim_poweroutlet%2$s c$q$, source, sfx, owner, CASE WHEN templates THEN '''{}''::jsonb' ELSE 'c.custom_field_data' END),
        format($q$SELECT 'dcim_frontport%2$s', 'front_port', 6, c.id, c.%3$I, c.name::text, 1, c.rear_port_id, c.rear_port_position::integer,
                         NULL, NULL, NULL, NULL, %4$s
                    FROM %1$I.dcim_frontport%2$s c$q$, source, sfx, owner, CASE WHEN templates THEN '''{}''::jsonb' ELSE 'c.custom_field_data' END),
        format($q$SELECT 'dcim_rearport%2$s', 'rear_port', 7, c.id, c.%3$I, c.name::text, c.positions::integer, NULL, NULL, NULL, NULL, NULL, NULL, %4$s
                    FROM %1$I.dcim_rearport%2$s c$q$, source, sfx, owner, CASE WHEN templates THEN '''{}''::jsonb' ELSE 'c.custom_field_data' END)];
    IF to_regclass('pg_temp.netbox_component') IS NOT NULL THEN
        DROP TABLE pg_temp.netbox_component;
    END IF;
    EXECUTE format($q$
        CREATE TEMP TABLE netbox_component ON COMMIT DROP AS
        SELECT c.*, CASE WHEN c.rank = min(c.rank) OVER (PARTITION BY c.owner, c.name) THEN c.name
                         ELSE c.name || ' (' || mountaineer.netbox_port_suffix(c.kind) || ')' END AS port_name
          FROM (%s) c;
        CREATE INDEX ON pg_temp.netbox_component (tbl);
        ANALYZE pg_temp.netbox_component$q$, array_to_string(parts, ' UNION ALL '));
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_components(name, boolean) IS
    'Internal (netbox_import): reads NetBox''s seven component tables (or their templates) once each into the temporary table netbox_component, with the name each takes here (a name several component types share on one device gets its type in brackets after the first).';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_components(name, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_components(name, boolean) TO mountaineer_editor;

-- NetBox's statuses, in this system's spelling (README: Regions, locations
-- and status): staging is staged, a rack's deprecated is decommissioning.
CREATE FUNCTION mountaineer.netbox_status(status text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
RETURN CASE status WHEN 'staging' THEN 'staged' WHEN 'deprecated' THEN 'decommissioning' ELSE nullif(status, '') END;
COMMENT ON FUNCTION mountaineer.netbox_status(text) IS
    'Internal (netbox_import): a NetBox status as spelled here (staging → staged, deprecated → decommissioning; the others are the same).';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_status(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_status(text) TO mountaineer_editor;

-- The power_feed rows of the feeds' ports (kind dcim_powerfeed): an upsert
-- of its own, since their id is the port's, which import_rows() cannot set;
-- only rows that differ are written.  A row a rule refuses is retried alone
-- and reported (its port stays, without electrical data).  Returns how many
-- existing rows it updated.
CREATE FUNCTION mountaineer.netbox_power_feeds(source name) RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    upsert text;
    n      integer;
    one    integer;
    fid    bigint;
    msg    text;
    cname  text;
BEGIN
    upsert := format($q$
        WITH f AS (
            SELECT k.row_id AS id, f.id AS netbox_id,
                   coalesce(nullif(f.status, ''), 'active')::mountaineer.power_feed_status AS status,
                   coalesce(nullif(f.type, ''), 'primary')::mountaineer.power_feed_type AS type,
                   coalesce(nullif(f.supply, ''), 'ac')::mountaineer.power_supply AS supply,
                   (CASE f.phase WHEN 'three-phase' THEN 'three' ELSE 'single' END)::mountaineer.power_phase AS phase,
                   f.voltage::numeric AS volts, f.amperage::numeric AS amps, f.max_utilization::numeric AS max_utilization,
                   kr.row_id AS rack_id, nullif(btrim(f.description), '') AS description
              FROM %1$I.dcim_powerfeed f
              JOIN mountaineer.import_key k ON k.source = ('netbox:' || $1) COLLATE "default" AND k.kind = 'dcim_powerfeed' AND k.key = f.id::text
              JOIN mountaineer.port p ON p.id = k.row_id
              LEFT JOIN mountaineer.import_key kr ON kr.source = ('netbox:' || $1) COLLATE "default" AND kr.kind = 'dcim_rack' AND kr.key = f.rack_id::text
             WHERE $2 IS NULL OR f.id = $2),
        up AS (
            INSERT INTO mountaineer.power_feed AS t (id, status, type, supply, phase, volts, amps, max_utilization, rack_id, description)
            SELECT f.id, f.status, f.type, f.supply, f.phase, f.volts, f.amps, f.max_utilization, f.rack_id, f.description FROM f
            ON CONFLICT (id) DO UPDATE
               SET status = excluded.status, type = excluded.type, supply = excluded.supply, phase = excluded.phase,
                   volts = excluded.volts, amps = excluded.amps, max_utilization = excluded.max_utilization,
                   rack_id = excluded.rack_id, description = excluded.description
             WHERE (t.status, t.type, t.supply, t.phase, t.volts, t.amps, t.max_utilization, t.rack_id, t.description)
                   IS DISTINCT FROM
                   (excluded.status, excluded.type, excluded.supply, excluded.phase, excluded.volts, excluded.amps,
                    excluded.max_utilization, excluded.rack_id, excluded.description)
            RETURNING (t.xmax <> 0) AS was_there)
        SELECT count(*) FILTER (WHERE was_there)::integer FROM up$q$, source);
    BEGIN
        EXECUTE upsert INTO n USING source, NULL::bigint;
        RETURN n;
    EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
        NULL;   -- some row breaks a rule: one at a time below
    END;
    n := 0;
    FOR fid IN EXECUTE format('SELECT f.id FROM %I.dcim_powerfeed f ORDER BY f.id', source) LOOP
        BEGIN
            EXECUTE upsert INTO one USING source, fid;
            n := n + one;
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, cname = CONSTRAINT_NAME;
            PERFORM mountaineer.netbox_issue(source, 'dcim_powerfeed', fid, coalesce(nullif(cname, ''), 'power_feed'),
                                             'its port is imported, its electrical data is not: ' || msg);
        END;
    END LOOP;
    RETURN n;
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_power_feeds(name) IS
    'Internal (netbox_import): the power_feed row (status, type, supply, phase, volts, amps, max_utilization, rack) of every imported NetBox power feed''s port, upserted set-based writing only rows that differ (the id is the port''s, which import_rows() cannot set); returns how many existing rows changed.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_power_feeds(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_power_feeds(name) TO mountaineer_editor;

-- Cables and their ends (dcim_cabletermination: any number a side, so
-- breakouts too).  A connected cable must have an end on each side here at
-- commit: one whose ends on a side were not all imported is left out
-- (parent_not_imported), and one that lost a side to an end a rule refused
-- is removed again and reported (rule cable_sides).
CREATE FUNCTION mountaineer.netbox_cables(source name)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, skipped integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ct     record;
    en     record;
    lost   record;
    nlost  integer := 0;
BEGIN
    -- each termination's port here, through its content type
    IF to_regclass('pg_temp.netbox_cable_end') IS NOT NULL THEN
        DROP TABLE pg_temp.netbox_cable_end;
    END IF;
    EXECUTE format($q$
        CREATE TEMP TABLE netbox_cable_end ON COMMIT DROP AS
        SELECT t.id, t.cable_id, lower(t.cable_end) AS side, ty.app_label || '_' || ty.model AS port_object,
               t.termination_id, k.row_id AS port_id
          FROM %1$I.dcim_cabletermination t
          JOIN %1$I.django_content_type ty ON ty.id = t.termination_type_id
          LEFT JOIN mountaineer.import_key k ON k.source = ('netbox:' || $1) COLLATE "default" AND k.kind = ty.app_label || '_' || ty.model
                                            AND k.key = t.termination_id::text;
        CREATE INDEX ON pg_temp.netbox_cable_end (cable_id);
        ANALYZE pg_temp.netbox_cable_end$q$, source) USING source;
    SELECT * INTO ct FROM mountaineer.netbox_step(source, 'dcim_cable', 'mountaineer.cable', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(c.id, jsonb_build_object(
                   'label', nullif(btrim(c.label), ''), 'type', nullif(c.type, ''),
                   'status', coalesce(nullif(c.status, ''), 'connected'), 'color', nullif(c.color, ''),
                   'length', CASE WHEN c.length IS NULL OR c.length_unit IS NULL OR c.length_unit = '' THEN NULL
                                  WHEN c.length_unit = 'mi' THEN round(c.length * 1.609344, 3) ELSE c.length END,
                   'length_unit', CASE WHEN c.length IS NULL OR c.length_unit = '' THEN NULL
                                       WHEN c.length_unit = 'mi' THEN 'km' ELSE c.length_unit END,
                   'tenant_id', kn.row_id,
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, c.custom_field_data)),
                   CASE WHEN c.tenant_id IS NOT NULL AND kn.row_id IS NULL THEN format('its tenant, tenancy_tenant %%s, was not imported', c.tenant_id)
                        WHEN e.missing IS NOT NULL THEN e.missing
                        WHEN c.status = 'connected' AND NOT (e.a AND e.b)
                        THEN format('a connected cable needs an end on each side; NetBox gives it none on side %%s', CASE WHEN e.a THEN 'B' ELSE 'A' END) END)
                   ORDER BY c.id)
          FROM %1$I.dcim_cable c
          LEFT JOIN mountaineer.import_key kn ON kn.source = ('netbox:' || $1) COLLATE "default" AND kn.kind = 'tenancy_tenant' AND kn.key = c.tenant_id::text
          LEFT JOIN LATERAL (
                SELECT coalesce(bool_or(x.side = 'a'), false) AS a, coalesce(bool_or(x.side = 'b'), false) AS b,
                       min(format('its end on %%s %%s (side %%s) was not imported', x.port_object, x.termination_id, upper(x.side)))
                           FILTER (WHERE x.port_id IS NULL) AS missing
                  FROM pg_temp.netbox_cable_end x WHERE x.cable_id = c.id) e ON true
          LEFT JOIN mountaineer.netbox_tagged($1, 'dcim', 'cable') tg ON tg.object_id = c.id$q$, source));
    SELECT * INTO en FROM mountaineer.netbox_step(source, 'dcim_cabletermination', 'mountaineer.cable_end', $q$
        SELECT jsonb_agg(mountaineer.netbox_elem(x.id, jsonb_build_object(
                   'cable_id', kc.row_id, 'side', x.side, 'port_id', x.port_id),
                   CASE WHEN kc.row_id IS NULL OR NOT EXISTS (SELECT FROM mountaineer.cable c WHERE c.id = kc.row_id)
                        THEN format('its cable, dcim_cable %s, was not imported', x.cable_id)
                        WHEN x.port_id IS NULL THEN format('its port, %s %s, was not imported', x.port_object, x.termination_id) END)
                   ORDER BY x.id)
          FROM pg_temp.netbox_cable_end x
          LEFT JOIN mountaineer.import_key kc ON kc.source = ('netbox:' || $1) COLLATE "default" AND kc.kind = 'dcim_cable' AND kc.key = x.cable_id::text$q$);
    -- a connected cable that lost a side (an end refused): out again
    FOR lost IN
        SELECT k.key, c.id, c.label FROM mountaineer.import_key k JOIN mountaineer.cable c ON c.id = k.row_id
         WHERE k.source = ('netbox:' || netbox_cables.source) COLLATE "default" AND k.kind = 'dcim_cable' AND c.status = 'connected'
           AND NOT (EXISTS (SELECT FROM mountaineer.cable_end e WHERE e.cable_id = c.id AND e.side = 'a')
                    AND EXISTS (SELECT FROM mountaineer.cable_end e WHERE e.cable_id = c.id AND e.side = 'b'))
         ORDER BY k.key::bigint
    LOOP
        PERFORM mountaineer.netbox_issue(source, 'dcim_cable', lost.key::bigint, 'cable_sides',
            format('connected cable %s has no end here on one side (its ends there were refused: see dcim_cabletermination); left out',
                   coalesce(lost.label, lost.key)));
        DELETE FROM mountaineer.cable c WHERE c.id = lost.id;
        nlost := nlost + 1;
    END LOOP;
    DROP TABLE pg_temp.netbox_cable_end;
    RETURN QUERY SELECT ct.object, greatest(ct.inserted - nlost, 0), ct.updated,
                        ct.unchanged - greatest(nlost - ct.inserted, 0), ct.skipped + nlost;
    RETURN QUERY SELECT en.object, en.inserted, en.updated, en.unchanged, en.skipped;
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_cables(name) IS
    'Internal (netbox_import): NetBox cables (dcim_cable → cable) and all their terminations (dcim_cabletermination → cable_end, several a side for breakouts); a connected cable that would lack a side here is left out and reported, so no check at commit can fail.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_cables(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_cables(name) TO mountaineer_editor;

CREATE FUNCTION mountaineer.netbox_import_dcim(source name)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, skipped integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- a parent's id here: import_key of this source, kind, NetBox id
    rack_face text;
    term_site text;
    term_network text;
    c     record;
    n     integer;
    known uuid[];
BEGIN
    -- regions and site groups: trees over the whole estate
    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'dcim_region', 'mountaineer.region', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(r.id, jsonb_build_object(
                   'name', r.name, 'description', nullif(r.description, ''),
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, r.custom_field_data)))
                   || jsonb_build_object('parent', r.parent_id::text) ORDER BY r.id)
          FROM %1$I.dcim_region r
          LEFT JOIN mountaineer.netbox_tagged($1, 'dcim', 'region') tg ON tg.object_id = r.id$q$, source), true);
    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'dcim_sitegroup', 'mountaineer.site_group', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(r.id, jsonb_build_object(
                   'name', r.name, 'description', nullif(r.description, ''),
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, r.custom_field_data)))
                   || jsonb_build_object('parent', r.parent_id::text) ORDER BY r.id)
          FROM %1$I.dcim_sitegroup r
          LEFT JOIN mountaineer.netbox_tagged($1, 'dcim', 'sitegroup') tg ON tg.object_id = r.id$q$, source), true);

    -- sites (a NetBox description has no column here; facility, time zone,
    -- coordinates and shipping address neither)
    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'dcim_site', 'mountaineer.site', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(s.id, jsonb_build_object(
                   'name', s.name, 'address', nullif(btrim(regexp_replace(s.physical_address, E'\r\n?', E'\n', 'g')), ''),
                   'status', mountaineer.netbox_status(s.status),
                   'region_id', kr.row_id, 'group_id', kg.row_id, 'tenant_id', kt.row_id,
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, s.custom_field_data)),
                   CASE WHEN s.region_id IS NOT NULL AND kr.row_id IS NULL THEN format('its region, dcim_region %%s, was not imported', s.region_id)
                        WHEN s.group_id IS NOT NULL AND kg.row_id IS NULL THEN format('its site group, dcim_sitegroup %%s, was not imported', s.group_id)
                        WHEN s.tenant_id IS NOT NULL AND kt.row_id IS NULL THEN format('its tenant, tenancy_tenant %%s, was not imported', s.tenant_id) END)
                   ORDER BY s.id)
          FROM %1$I.dcim_site s
          LEFT JOIN mountaineer.import_key kr ON kr.source = ('netbox:' || $1) COLLATE "default" AND kr.kind = 'dcim_region' AND kr.key = s.region_id::text
          LEFT JOIN mountaineer.import_key kg ON kg.source = ('netbox:' || $1) COLLATE "default" AND kg.kind = 'dcim_sitegroup' AND kg.key = s.group_id::text
          LEFT JOIN mountaineer.import_key kt ON kt.source = ('netbox:' || $1) COLLATE "default" AND kt.kind = 'tenancy_tenant' AND kt.key = s.tenant_id::text
          LEFT JOIN mountaineer.netbox_tagged($1, 'dcim', 'site') tg ON tg.object_id = s.id$q$, source));

    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'dcim_location', 'mountaineer.location', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(l.id, jsonb_build_object(
                   'name', l.name, 'site_id', ks.row_id, 'status', mountaineer.netbox_status(l.status),
                   'description', nullif(l.description, ''), 'tenant_id', kt.row_id,
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, l.custom_field_data)),
                   CASE WHEN ks.row_id IS NULL THEN format('its site, dcim_site %%s, was not imported', l.site_id)
                        WHEN l.tenant_id IS NOT NULL AND kt.row_id IS NULL THEN format('its tenant, tenancy_tenant %%s, was not imported', l.tenant_id) END)
                   || jsonb_build_object('parent', l.parent_id::text) ORDER BY l.id)
          FROM %1$I.dcim_location l
          LEFT JOIN mountaineer.import_key ks ON ks.source = ('netbox:' || $1) COLLATE "default" AND ks.kind = 'dcim_site' AND ks.key = l.site_id::text
          LEFT JOIN mountaineer.import_key kt ON kt.source = ('netbox:' || $1) COLLATE "default" AND kt.kind = 'tenancy_tenant' AND kt.key = l.tenant_id::text
          LEFT JOIN mountaineer.netbox_tagged($1, 'dcim', 'location') tg ON tg.object_id = l.id$q$, source), true);

    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'dcim_rackrole', 'mountaineer.rack_role', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(r.id, jsonb_build_object(
                   'name', r.name, 'color', lower(r.color), 'description', nullif(r.description, ''),
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, r.custom_field_data))) ORDER BY r.id)
          FROM %1$I.dcim_rackrole r
          LEFT JOIN mountaineer.netbox_tagged($1, 'dcim', 'rackrole') tg ON tg.object_id = r.id$q$, source));

    -- racks: 3.7 calls the form factor type
    rack_face := CASE WHEN mountaineer.netbox_has(source, 'dcim_rack', 'form_factor') THEN 'form_factor' ELSE 'type' END;
    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'dcim_rack', 'mountaineer.rack', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(r.id, jsonb_build_object(
                   'name', r.name, 'site_id', ks.row_id, 'location_id', kl.row_id,
                   'units', r.u_height, 'descending', r.desc_units, 'starting_unit', r.starting_unit,
                   'status', mountaineer.netbox_status(r.status), 'role_id', kr.row_id, 'tenant_id', kt.row_id,
                   'width_in', CASE WHEN r.width BETWEEN 1 AND 50 THEN r.width END,
                   'posts', CASE WHEN r.%2$I LIKE '2-post%%' THEN 2 WHEN r.%2$I LIKE '4-post%%' THEN 4 END,
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, r.custom_field_data)),
                   CASE WHEN ks.row_id IS NULL THEN format('its site, dcim_site %%s, was not imported', r.site_id)
                        WHEN r.location_id IS NOT NULL AND kl.row_id IS NULL THEN format('its location, dcim_location %%s, was not imported', r.location_id)
                        WHEN r.role_id IS NOT NULL AND kr.row_id IS NULL THEN format('its role, dcim_rackrole %%s, was not imported', r.role_id)
                        WHEN r.tenant_id IS NOT NULL AND kt.row_id IS NULL THEN format('its tenant, tenancy_tenant %%s, was not imported', r.tenant_id) END)
                   ORDER BY r.id)
          FROM %1$I.dcim_rack r
          LEFT JOIN mountaineer.import_key ks ON ks.source = ('netbox:' || $1) COLLATE "default" AND ks.kind = 'dcim_site' AND ks.key = r.site_id::text
          LEFT JOIN mountaineer.import_key kl ON kl.source = ('netbox:' || $1) COLLATE "default" AND kl.kind = 'dcim_location' AND kl.key = r.location_id::text
          LEFT JOIN mountaineer.import_key kr ON kr.source = ('netbox:' || $1) COLLATE "default" AND kr.kind = 'dcim_rackrole' AND kr.key = r.role_id::text
          LEFT JOIN mountaineer.import_key kt ON kt.source = ('netbox:' || $1) COLLATE "default" AND kt.kind = 'tenancy_tenant' AND kt.key = r.tenant_id::text
          LEFT JOIN mountaineer.netbox_tagged($1, 'dcim', 'rack') tg ON tg.object_id = r.id$q$, source, rack_face));

    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'dcim_manufacturer', 'mountaineer.manufacturer', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(m.id, jsonb_build_object(
                   'name', m.name, 'description', nullif(m.description, ''),
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, m.custom_field_data))) ORDER BY m.id)
          FROM %1$I.dcim_manufacturer m
          LEFT JOIN mountaineer.netbox_tagged($1, 'dcim', 'manufacturer') tg ON tg.object_id = m.id$q$, source));

    -- device types.  Units: NetBox's u_height rounded up to whole units (a
    -- half-U type takes 1 U here; recorded as rule rounded_up, the type
    -- still imported); 0 is zero-U.  Kind (NetBox has none; README): a type
    -- with outlet templates is a pdu, one with front or rear port templates
    -- a patch_panel; otherwise its devices' most common role says (a role
    -- whose name says server, switch/router/firewall, pdu, patch panel);
    -- otherwise network when it has interface templates, else other.
    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'dcim_devicetype', 'mountaineer.device_type', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(t.id, jsonb_build_object(
                   'manufacturer_id', km.row_id, 'model', t.model, 'part_number', nullif(t.part_number, ''),
                   'units', ceil(t.u_height)::integer, 'full_depth', t.is_full_depth,
                   'description', nullif(t.description, ''),
                   'kind', CASE WHEN EXISTS (SELECT FROM %1$I.dcim_poweroutlettemplate x WHERE x.device_type_id = t.id) THEN 'pdu'
                                WHEN EXISTS (SELECT FROM %1$I.dcim_frontporttemplate x WHERE x.device_type_id = t.id)
                                  OR EXISTS (SELECT FROM %1$I.dcim_rearporttemplate x WHERE x.device_type_id = t.id) THEN 'patch_panel'
                                ELSE coalesce(
                                    (SELECT CASE WHEN r.name ~* 'server' THEN 'server'
                                                 WHEN r.name ~* 'switch|router|firewall|gateway|balancer' THEN 'network'
                                                 WHEN r.name ~* 'pdu|power dist' THEN 'pdu'
                                                 WHEN r.name ~* 'patch' THEN 'patch_panel' END
                                       FROM %1$I.dcim_device d JOIN %1$I.dcim_devicerole r ON r.id = d.role_id
                                      WHERE d.device_type_id = t.id
                                      GROUP BY r.id, r.name ORDER BY count(*) DESC, r.id LIMIT 1),
                                    CASE WHEN EXISTS (SELECT FROM %1$I.dcim_interfacetemplate x WHERE x.device_type_id = t.id)
                                         THEN 'network' ELSE 'other' END) END,
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, t.custom_field_data)),
                   CASE WHEN km.row_id IS NULL THEN format('its manufacturer, dcim_manufacturer %%s, was not imported', t.manufacturer_id) END)
                   ORDER BY t.id)
          FROM %1$I.dcim_devicetype t
          LEFT JOIN mountaineer.import_key km ON km.source = ('netbox:' || $1) COLLATE "default" AND km.kind = 'dcim_manufacturer' AND km.key = t.manufacturer_id::text
          LEFT JOIN mountaineer.netbox_tagged($1, 'dcim', 'devicetype') tg ON tg.object_id = t.id$q$, source));

    -- (recorded after the step: an issue of the step's own would keep the row)
    EXECUTE format($q$
        INSERT INTO mountaineer.netbox_import_issue (source, object, netbox_id, rule, detail)
        SELECT $1, 'dcim_devicetype', t.id, 'rounded_up',
               format('device type %%s is %%s U in NetBox, %%s U here (units are whole here)', t.model, t.u_height, ceil(t.u_height))
          FROM %1$I.dcim_devicetype t WHERE t.u_height <> ceil(t.u_height)$q$, source) USING source;

    -- component templates → port_template, rear before front
    PERFORM mountaineer.netbox_components(source, true);
    FOR c IN SELECT * FROM (VALUES ('dcim_interfacetemplate'), ('dcim_consoleporttemplate'), ('dcim_consoleserverporttemplate'),
                                   ('dcim_powerporttemplate'), ('dcim_poweroutlettemplate'), ('dcim_rearporttemplate'),
                                   ('dcim_frontporttemplate')) v (tbl)
    LOOP
        RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, c.tbl, 'mountaineer.port_template', format($q$
            SELECT jsonb_agg(mountaineer.netbox_elem(p.id, jsonb_build_object(
                       'device_type_id', kt.row_id, 'name', p.port_name, 'kind', p.kind, 'positions', p.positions,
                       'rear_template_id', kr.row_id, 'rear_position', p.rear_position),
                       CASE WHEN p.owner IS NULL THEN 'a template of a module type: modules are not modelled'
                            WHEN kt.row_id IS NULL THEN format('its device type, dcim_devicetype %%s, was not imported', p.owner)
                            WHEN p.rear_id IS NOT NULL AND kr.row_id IS NULL THEN format('its rear port template, dcim_rearporttemplate %%s, was not imported', p.rear_id) END,
                       CASE WHEN p.owner IS NULL THEN 'not_modelled' END)
                       ORDER BY p.id)
              FROM pg_temp.netbox_component p
              LEFT JOIN mountaineer.import_key kt ON kt.source = ('netbox:' || $1) COLLATE "default" AND kt.kind = 'dcim_devicetype' AND kt.key = p.owner::text
              LEFT JOIN mountaineer.import_key kr ON kr.source = ('netbox:' || $1) COLLATE "default" AND kr.kind = 'dcim_rearporttemplate' AND kr.key = p.rear_id::text
             WHERE p.tbl = %1$L$q$, c.tbl));
    END LOOP;

    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'dcim_devicerole', 'mountaineer.device_role', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(r.id, jsonb_build_object(
                   'name', r.name, 'color', lower(r.color), 'description', nullif(r.description, ''),
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, r.custom_field_data))) ORDER BY r.id)
          FROM %1$I.dcim_devicerole r
          LEFT JOIN mountaineer.netbox_tagged($1, 'dcim', 'devicerole') tg ON tg.object_id = r.id$q$, source));
    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'dcim_platform', 'mountaineer.platform', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(p.id, jsonb_build_object(
                   'name', p.name, 'manufacturer_id', km.row_id, 'description', nullif(p.description, ''),
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, p.custom_field_data)),
                   CASE WHEN p.manufacturer_id IS NOT NULL AND km.row_id IS NULL THEN format('its manufacturer, dcim_manufacturer %%s, was not imported', p.manufacturer_id) END)
                   ORDER BY p.id)
          FROM %1$I.dcim_platform p
          LEFT JOIN mountaineer.import_key km ON km.source = ('netbox:' || $1) COLLATE "default" AND km.kind = 'dcim_manufacturer' AND km.key = p.manufacturer_id::text
          LEFT JOIN mountaineer.netbox_tagged($1, 'dcim', 'platform') tg ON tg.object_id = p.id$q$, source));

    -- devices.  Kind, units, manufacturer and model come from the type.  An
    -- unnamed device is named "<its type's model> #<NetBox id>" (unique and
    -- stable).  Position: NetBox numbers units by their labels (from the
    -- rack's starting unit, top-down in a descending rack) and gives the
    -- lowest-numbered; here units count from 1 at the bottom.  Face: a
    -- full-depth type takes both (full), a half-depth one its face (front
    -- when NetBox gives none).  A device at a site but in no rack is at no
    -- site here (site_id is its rack's).
    SELECT array_agg(k.row_id) INTO known FROM mountaineer.import_key k
     WHERE k.source = ('netbox:' || netbox_import_dcim.source) COLLATE "default" AND k.kind = 'dcim_device';
    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'dcim_device', 'mountaineer.device', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(d.id, jsonb_build_object(
                   'name', coalesce(nullif(d.name, ''), left(t.model, 80) || ' #' || d.id),
                   'device_type_id', kt.row_id, 'rack_id', kr.row_id,
                   'position', CASE WHEN d.rack_id IS NOT NULL AND d.position IS NOT NULL AND u.height > 0 THEN
                                   CASE WHEN u.first BETWEEN 1 AND 32767
                                        THEN mountaineer.rackspan(u.first, u.height,
                                                 CASE WHEN t.is_full_depth THEN 'full' WHEN d.face = 'rear' THEN 'rear' ELSE 'front' END)::text
                                        ELSE format('U%%s', u.first) END END,
                   'status', mountaineer.netbox_status(d.status), 'role_id', ko.row_id, 'platform_id', kp.row_id,
                   'tenant_id', kn.row_id, 'serial', nullif(btrim(d.serial), ''), 'asset_tag', nullif(btrim(d.asset_tag), ''),
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, d.custom_field_data)),
                   CASE WHEN kt.row_id IS NULL THEN format('its device type, dcim_devicetype %%s, was not imported', d.device_type_id)
                        WHEN d.rack_id IS NOT NULL AND kr.row_id IS NULL THEN format('its rack, dcim_rack %%s, was not imported', d.rack_id)
                        WHEN ko.row_id IS NULL THEN format('its role, dcim_devicerole %%s, was not imported', d.role_id)
                        WHEN d.platform_id IS NOT NULL AND kp.row_id IS NULL THEN format('its platform, dcim_platform %%s, was not imported', d.platform_id)
                        WHEN d.tenant_id IS NOT NULL AND kn.row_id IS NULL THEN format('its tenant, tenancy_tenant %%s, was not imported', d.tenant_id) END)
                   ORDER BY d.id)
          FROM %1$I.dcim_device d
          JOIN %1$I.dcim_devicetype t ON t.id = d.device_type_id
          LEFT JOIN %1$I.dcim_rack r ON r.id = d.rack_id
          CROSS JOIN LATERAL (SELECT ceil(t.u_height)::integer AS height,
                                     CASE WHEN r.desc_units
                                          THEN r.u_height - floor(d.position)::integer + r.starting_unit - ceil(t.u_height)::integer
                                          ELSE floor(d.position)::integer - r.starting_unit + 1 END AS first) u
          LEFT JOIN mountaineer.import_key kt ON kt.source = ('netbox:' || $1) COLLATE "default" AND kt.kind = 'dcim_devicetype' AND kt.key = d.device_type_id::text
          LEFT JOIN mountaineer.import_key kr ON kr.source = ('netbox:' || $1) COLLATE "default" AND kr.kind = 'dcim_rack' AND kr.key = d.rack_id::text
          LEFT JOIN mountaineer.import_key ko ON ko.source = ('netbox:' || $1) COLLATE "default" AND ko.kind = 'dcim_devicerole' AND ko.key = d.role_id::text
          LEFT JOIN mountaineer.import_key kp ON kp.source = ('netbox:' || $1) COLLATE "default" AND kp.kind = 'dcim_platform' AND kp.key = d.platform_id::text
          LEFT JOIN mountaineer.import_key kn ON kn.source = ('netbox:' || $1) COLLATE "default" AND kn.kind = 'tenancy_tenant' AND kn.key = d.tenant_id::text
          LEFT JOIN mountaineer.netbox_tagged($1, 'dcim', 'device') tg ON tg.object_id = d.id$q$, source));
    -- a new typed device got its type's ports here (create_ports); NetBox's
    -- own components of it replace them below
    DELETE FROM mountaineer.port p
     USING mountaineer.import_key k
     WHERE k.source = ('netbox:' || netbox_import_dcim.source) COLLATE "default" AND k.kind = 'dcim_device' AND p.device_id = k.row_id
       AND k.row_id <> ALL (coalesce(known, '{}'))
       AND NOT EXISTS (SELECT FROM mountaineer.import_key kp WHERE kp.row_id = p.id);

    -- power panels: devices of kind power_panel, in no rack (so at no site)
    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'dcim_powerpanel', 'mountaineer.device', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(p.id, jsonb_build_object(
                   'name', p.name, 'kind', 'power_panel', 'units', 0,
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, p.custom_field_data)))
                   ORDER BY p.id)
          FROM %1$I.dcim_powerpanel p
          LEFT JOIN mountaineer.netbox_tagged($1, 'dcim', 'powerpanel') tg ON tg.object_id = p.id$q$, source));

    -- components → port, in the order they refer to each other
    PERFORM mountaineer.netbox_components(source, false);
    FOR c IN SELECT * FROM (VALUES ('dcim_interface', 'interface'), ('dcim_consoleport', 'consoleport'),
                                   ('dcim_consoleserverport', 'consoleserverport'), ('dcim_powerport', 'powerport'),
                                   ('dcim_poweroutlet', 'poweroutlet'), ('dcim_rearport', 'rearport'),
                                   ('dcim_frontport', 'frontport')) v (tbl, model)
    LOOP
        RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, c.tbl, 'mountaineer.port', format($q$
            SELECT jsonb_agg(mountaineer.netbox_elem(p.id, jsonb_build_object(
                       'device_id', kd.row_id, 'name', p.port_name, 'kind', p.kind, 'positions', p.positions,
                       'rear_port_id', kr.row_id, 'rear_port_position', p.rear_position,
                       'power_port_id', kp.row_id, 'feed_leg', p.feed_leg,
                       'maximum_watts', p.maximum_draw, 'allocated_watts', p.allocated_draw,
                       'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, p.cfd)),
                       CASE WHEN kd.row_id IS NULL THEN format('its device, dcim_device %%s, was not imported', p.owner)
                            WHEN p.rear_id IS NOT NULL AND kr.row_id IS NULL THEN format('its rear port, dcim_rearport %%s, was not imported', p.rear_id)
                            WHEN p.power_port_id IS NOT NULL AND kp.row_id IS NULL THEN format('its power port, dcim_powerport %%s, was not imported', p.power_port_id) END)
                       ORDER BY p.id)
              FROM pg_temp.netbox_component p
              LEFT JOIN mountaineer.import_key kd ON kd.source = ('netbox:' || $1) COLLATE "default" AND kd.kind = 'dcim_device' AND kd.key = p.owner::text
              LEFT JOIN mountaineer.import_key kr ON kr.source = ('netbox:' || $1) COLLATE "default" AND kr.kind = 'dcim_rearport' AND kr.key = p.rear_id::text
              LEFT JOIN mountaineer.import_key kp ON kp.source = ('netbox:' || $1) COLLATE "default" AND kp.kind = 'dcim_powerport' AND kp.key = p.power_port_id::text
              LEFT JOIN mountaineer.netbox_tagged($1, 'dcim', %2$L) tg ON tg.object_id = p.id
             WHERE p.tbl = %1$L$q$, c.tbl, c.model));
    END LOOP;
    DROP TABLE pg_temp.netbox_component;

    -- power feeds: a port of kind power_feed on its panel, and its
    -- power_feed row (keyed by the port's id, which import_rows() cannot
    -- set: an upsert of its own below, writing only what changed)
    SELECT * INTO c FROM mountaineer.netbox_step(source, 'dcim_powerfeed', 'mountaineer.port', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(f.id, jsonb_build_object(
                   'device_id', kp.row_id, 'name', f.name, 'kind', 'power_feed',
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, f.custom_field_data)),
                   CASE WHEN kp.row_id IS NULL THEN format('its power panel, dcim_powerpanel %%s, was not imported', f.power_panel_id) END)
                   ORDER BY f.id)
          FROM %1$I.dcim_powerfeed f
          LEFT JOIN mountaineer.import_key kp ON kp.source = ('netbox:' || $1) COLLATE "default" AND kp.kind = 'dcim_powerpanel' AND kp.key = f.power_panel_id::text
          LEFT JOIN mountaineer.netbox_tagged($1, 'dcim', 'powerfeed') tg ON tg.object_id = f.id$q$, source));
    SELECT * INTO n FROM mountaineer.netbox_power_feeds(source);
    RETURN QUERY SELECT c.object, c.inserted, least(c.updated + n, c.updated + c.unchanged), c.unchanged - least(n, c.unchanged), c.skipped;

    -- providers and circuits
    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'circuits_provider', 'mountaineer.provider', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(p.id, jsonb_build_object(
                   'name', p.name, 'description', nullif(btrim(p.description), ''),
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, p.custom_field_data))) ORDER BY p.id)
          FROM %1$I.circuits_provider p
          LEFT JOIN mountaineer.netbox_tagged($1, 'circuits', 'provider') tg ON tg.object_id = p.id$q$, source));
    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'circuits_providernetwork', 'mountaineer.provider_network', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(p.id, jsonb_build_object(
                   'provider_id', kp.row_id, 'name', p.name, 'service_id', nullif(btrim(p.service_id), ''),
                   'description', nullif(btrim(p.description), ''),
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, p.custom_field_data)),
                   CASE WHEN kp.row_id IS NULL THEN format('its provider, circuits_provider %%s, was not imported', p.provider_id) END)
                   ORDER BY p.id)
          FROM %1$I.circuits_providernetwork p
          LEFT JOIN mountaineer.import_key kp ON kp.source = ('netbox:' || $1) COLLATE "default" AND kp.kind = 'circuits_provider' AND kp.key = p.provider_id::text
          LEFT JOIN mountaineer.netbox_tagged($1, 'circuits', 'providernetwork') tg ON tg.object_id = p.id$q$, source));
    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'circuits_circuittype', 'mountaineer.circuit_type', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(t.id, jsonb_build_object(
                   'name', t.name, 'description', nullif(btrim(t.description), ''),
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, t.custom_field_data))) ORDER BY t.id)
          FROM %1$I.circuits_circuittype t
          LEFT JOIN mountaineer.netbox_tagged($1, 'circuits', 'circuittype') tg ON tg.object_id = t.id$q$, source));
    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'circuits_circuit', 'mountaineer.circuit', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(c.id, jsonb_build_object(
                   'provider_id', kp.row_id, 'cid', c.cid, 'type', ct.name,
                   'status', mountaineer.netbox_status(c.status), 'commit_kbps', c.commit_rate,
                   'install_date', c.install_date, 'termination_date', c.termination_date,
                   'description', nullif(btrim(c.description), ''), 'tenant_id', kn.row_id,
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($1, c.custom_field_data)),
                   CASE WHEN kp.row_id IS NULL THEN format('its provider, circuits_provider %%s, was not imported', c.provider_id)
                        WHEN ct.name IS NULL THEN format('its type, circuits_circuittype %%s, was not imported', c.type_id)
                        WHEN c.tenant_id IS NOT NULL AND kn.row_id IS NULL THEN format('its tenant, tenancy_tenant %%s, was not imported', c.tenant_id) END)
                   ORDER BY c.id)
          FROM %1$I.circuits_circuit c
          LEFT JOIN mountaineer.import_key kp ON kp.source = ('netbox:' || $1) COLLATE "default" AND kp.kind = 'circuits_provider' AND kp.key = c.provider_id::text
          LEFT JOIN mountaineer.import_key kt ON kt.source = ('netbox:' || $1) COLLATE "default" AND kt.kind = 'circuits_circuittype' AND kt.key = c.type_id::text
          LEFT JOIN mountaineer.circuit_type ct ON ct.id = kt.row_id
          LEFT JOIN mountaineer.import_key kn ON kn.source = ('netbox:' || $1) COLLATE "default" AND kn.kind = 'tenancy_tenant' AND kn.key = c.tenant_id::text
          LEFT JOIN mountaineer.netbox_tagged($1, 'circuits', 'circuit') tg ON tg.object_id = c.id$q$, source));
    -- terminations: the circuit_termination row makes its port (same id).
    -- NetBox 4.2 made the termination generic (termination_type, _id) and
    -- keeps its site and provider network in _site_id, _provider_network_id
    IF mountaineer.netbox_has(source, 'circuits_circuittermination', 'site_id') THEN
        term_site := 'site_id'; term_network := 'provider_network_id';
    ELSIF mountaineer.netbox_has(source, 'circuits_circuittermination', '_site_id') THEN
        term_site := '_site_id'; term_network := '_provider_network_id';
    ELSE
        RAISE EXCEPTION 'netbox_import: %.circuits_circuittermination has neither site_id nor _site_id: a NetBox version this import does not know', quote_ident(source)
            USING ERRCODE = 'feature_not_supported';
    END IF;
    RETURN QUERY SELECT * FROM mountaineer.netbox_step(source, 'circuits_circuittermination', 'mountaineer.circuit_termination', format($q$
        SELECT jsonb_agg(mountaineer.netbox_elem(t.id, jsonb_build_object(
                   'circuit_id', kc.row_id, 'term_side', t.term_side, 'site_id', ks.row_id, 'provider_network_id', kn.row_id,
                   'port_speed_kbps', t.port_speed, 'upstream_speed_kbps', t.upstream_speed,
                   'xconnect_id', nullif(btrim(t.xconnect_id), ''), 'pp_info', nullif(btrim(t.pp_info), ''),
                   'description', nullif(btrim(t.description), '')),
                   CASE WHEN kc.row_id IS NULL THEN format('its circuit, circuits_circuit %%s, was not imported', t.circuit_id)
                        WHEN t.%2$I IS NOT NULL AND ks.row_id IS NULL THEN format('its site, dcim_site %%s, was not imported', t.%2$I)
                        WHEN t.%3$I IS NOT NULL AND kn.row_id IS NULL THEN format('its provider network, circuits_providernetwork %%s, was not imported', t.%3$I) END)
                   ORDER BY t.id)
          FROM %1$I.circuits_circuittermination t
          LEFT JOIN mountaineer.import_key kc ON kc.source = ('netbox:' || $1) COLLATE "default" AND kc.kind = 'circuits_circuit' AND kc.key = t.circuit_id::text
          LEFT JOIN mountaineer.import_key ks ON ks.source = ('netbox:' || $1) COLLATE "default" AND ks.kind = 'dcim_site' AND ks.key = t.%2$I::text
          LEFT JOIN mountaineer.import_key kn ON kn.source = ('netbox:' || $1) COLLATE "default" AND kn.kind = 'circuits_providernetwork' AND kn.key = t.%3$I::text$q$, source, term_site, term_network));

    RETURN QUERY SELECT * FROM mountaineer.netbox_cables(source);
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_import_dcim(name) IS
    'Internal (netbox_import): NetBox''s DCIM and circuits: regions, site groups, sites, locations, rack roles, racks, manufacturers, device types and their component templates, device roles, platforms, devices, power panels, interfaces, console, power and pass-through ports, power feeds, providers, provider networks, circuit types, circuits and their terminations, cables and their ends; one row of counts per NetBox table.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_import_dcim(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_import_dcim(name) TO mountaineer_editor;
-- End: dcim: sites, racks, device types, devices, ports, power, cables, circuits (1.0)

-- == ipam and virtualization (1.0) ==
-- NetBox's IPAM and virtualization tables, and the hosts their addresses
-- need.  Kinds (import_key.kind) are NetBox's table names; the rows made
-- from another NetBox row are '<table>:host' (the host of a device),
-- '<table>:cluster_member', '<table>:role' (a device role that virtual
-- machines have, as a host role) and '<table>:host_role'.  Hosts go into
-- environment 'netbox' (made when missing); a host moved to another
-- environment afterwards stays there on the next import.

-- A name as a host name if it is one (normalize_hostname's rule, without
-- raising): lower case, no root dot; NULL when it is not.
CREATE FUNCTION mountaineer.netbox_fqdn(name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT h FROM (SELECT rtrim(lower(name), '.') AS h) n
     WHERE length(h) BETWEEN 1 AND 253
       AND h ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'
       AND h !~ '\.[0-9]+$'
$$;
COMMENT ON FUNCTION mountaineer.netbox_fqdn(text) IS
    'Internal (netbox_import): the name in lower case without a root dot when it is a valid fully qualified host name (normalize_hostname''s rule), else NULL.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_fqdn(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_fqdn(text) TO mountaineer_editor;

-- netbox_load with what a step found on the way: an element may carry
-- "missing" (the NetBox rows it needs that were not imported: it is left
-- out, rule parent_not_imported) and "note" ({"rule", "detail"}: the row is
-- imported, and the note, e.g. a renaming, is recorded after the load, so
-- that netbox_load's prune keeps the row).
CREATE FUNCTION mountaineer.netbox_load_found(src name, kind text, tbl regclass, elems jsonb)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, skipped integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n_out   integer;
    refused bigint[];
BEGIN
    elems := coalesce(elems, '[]');
    INSERT INTO mountaineer.netbox_import_issue (source, object, netbox_id, rule, detail)
    SELECT src, kind, (e ->> 'key')::bigint, 'parent_not_imported', 'not imported: ' || (e ->> 'missing')
      FROM jsonb_array_elements(elems) e
     WHERE e ->> 'missing' IS NOT NULL;
    GET DIAGNOSTICS n_out = ROW_COUNT;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load(src, kind, tbl,
        coalesce((SELECT jsonb_agg(e - '{missing,note}'::text[])
                    FROM jsonb_array_elements(elems) e
                   WHERE e ->> 'missing' IS NULL), '[]'),
        n_out);
    -- the rows refused on loading get no note (few: an array, not a join
    -- the planner would make a nested loop of)
    SELECT array_agg(i.netbox_id) INTO refused FROM mountaineer.netbox_import_issue i
     WHERE i.source = src AND i.object = kind;
    INSERT INTO mountaineer.netbox_import_issue (source, object, netbox_id, rule, detail)
    SELECT src, kind, (e ->> 'key')::bigint, e -> 'note' ->> 'rule', e -> 'note' ->> 'detail'
      FROM jsonb_array_elements(elems) e
     WHERE e ->> 'missing' IS NULL AND jsonb_typeof(e -> 'note') = 'object'
       AND NOT (e ->> 'key')::bigint = ANY (coalesce(refused, '{}'));
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_load_found(name, text, regclass, jsonb) IS
    'Internal (netbox_import): netbox_load() of elements {"key", "row", "missing", "note"}: those with missing (the NetBox rows they need that were not imported) are left out and recorded (rule parent_not_imported), the rest loaded; a note ({"rule", "detail"}) of a row that was imported is recorded after the load.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_load_found(name, text, regclass, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_load_found(name, text, regclass, jsonb) TO mountaineer_editor;

-- A NetBox table this system does not model: every row an issue (rule
-- not_modelled), all counted as skipped; no row when the table is missing
-- (an older NetBox) or empty.
CREATE FUNCTION mountaineer.netbox_not_modelled(src name, tbl text, reason text)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, skipped integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ids bigint[];
    n   integer;
BEGIN
    IF NOT mountaineer.netbox_has(src, tbl, 'id') THEN
        RETURN;
    END IF;
    EXECUTE format('SELECT array_agg(x.id ORDER BY x.id) FROM %I.%I x', src, tbl) INTO ids;
    INSERT INTO mountaineer.netbox_import_issue (source, object, netbox_id, rule, detail)
    SELECT src, tbl, u.id, 'not_modelled', reason FROM unnest(ids) u(id);
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        RETURN QUERY SELECT tbl, 0, 0, 0, n;
    END IF;
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_not_modelled(name, text, text) IS
    'Internal (netbox_import): records every row of a NetBox table this system does not model (rule not_modelled, detail the reason) and returns its count as skipped; nothing for a table the source lacks or that is empty.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_not_modelled(name, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_not_modelled(name, text, text) TO mountaineer_editor;

-- The cluster kind a NetBox cluster type names (by words of its name and
-- slug; README "IPAM and virtualization").
CREATE FUNCTION mountaineer.netbox_cluster_kind(type_name text) RETURNS mountaineer.cluster_kind
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN t ~ '\m(vmware|vsphere|esxi?|vcenter)\M' THEN 'vmware'
        WHEN t ~ '\m(proxmox|pve)\M' THEN 'proxmox'
        WHEN t ~ '\m(kubernetes|k8s|openshift|rancher)\M' THEN 'kubernetes'
        WHEN t ~ '\m(ecs)\M' THEN 'ecs'
        WHEN t ~ '\m(aws|ec2|amazon)\M' THEN 'ec2'
        WHEN t ~ '\m(nomad)\M' THEN 'nomad'
        WHEN t ~ '\m(docker|swarm)\M' THEN 'docker'
        WHEN t ~ '\m(kvm|libvirt|qemu|openstack|ovirt)\M' THEN 'kvm'
        ELSE 'other' END::mountaineer.cluster_kind
      FROM (SELECT lower(coalesce(type_name, '')) AS t) x
$$;
COMMENT ON FUNCTION mountaineer.netbox_cluster_kind(text) IS
    'Internal (netbox_import): the cluster kind of a NetBox cluster type, by the words of its name: VMware/vSphere/ESXi → vmware, Proxmox → proxmox, Kubernetes/OpenShift → kubernetes, ECS → ecs, AWS/Amazon/EC2 → ec2, Nomad → nomad, Docker → docker, KVM/libvirt/QEMU/OpenStack/oVirt → kvm, anything else other.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_cluster_kind(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_cluster_kind(text) TO mountaineer_editor;

CREATE FUNCTION mountaineer.netbox_import_ipam(source name)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, skipped integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src     text := ('netbox:' || source) COLLATE "default";
    batch   jsonb;
    names   jsonb;
    env_id  uuid;
    q       text;
    -- the parts every query shares: a row's tenant, tags and attributes
    tenant  constant text := $t$LEFT JOIN mountaineer.import_key kt ON kt.source = $1 AND kt.kind = 'tenancy_tenant' AND kt.key = x.tenant_id::text$t$;
    vlan_range text;
    site_scope text;
    disk_mb text;
BEGIN
    -- registries, AS numbers and their ranges
    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object(
                   'name', x.name, 'is_private', x.is_private, 'description', nullif(x.description, ''),
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($2, x.custom_field_data))) ORDER BY x.id)
          FROM %1$I.ipam_rir x
          LEFT JOIN mountaineer.netbox_tagged($2, 'ipam', 'rir') tg ON tg.object_id = x.id$q$, source)
        INTO batch USING src, source;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'ipam_rir', 'mountaineer.rir', batch);

    IF mountaineer.netbox_has(source, 'ipam_asnrange') THEN
        EXECUTE format($q$
            SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object(
                       'name', x.name, 'rir_id', kr.row_id, 'first_asn', x.start::text, 'last_asn', x."end"::text,
                       'description', nullif(x.description, ''),
                       'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($2, x.custom_field_data)),
                       'missing', CASE WHEN kr.row_id IS NULL THEN 'ipam_rir ' || x.rir_id END,
                       'note', CASE WHEN x.tenant_id IS NOT NULL THEN jsonb_build_object('rule', 'value_dropped', 'detail',
                                    'ASN ranges have no tenant here: tenant ' || x.tenant_id || ' left out') END)
                       ORDER BY x.id)
              FROM %1$I.ipam_asnrange x
              LEFT JOIN mountaineer.import_key kr ON kr.source = $1 AND kr.kind = 'ipam_rir' AND kr.key = x.rir_id::text
              LEFT JOIN mountaineer.netbox_tagged($2, 'ipam', 'asnrange') tg ON tg.object_id = x.id$q$, source)
            INTO batch USING src, source;
        RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'ipam_asnrange', 'mountaineer.asn_range', batch);
    END IF;

    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object(
                   'asn', x.asn::text, 'rir_id', kr.row_id, 'description', nullif(x.description, ''), 'tenant_id', kt.row_id,
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($2, x.custom_field_data)),
                   'missing', nullif(concat_ws(', ', CASE WHEN kr.row_id IS NULL THEN 'ipam_rir ' || x.rir_id END,
                                                     CASE WHEN x.tenant_id IS NOT NULL AND kt.row_id IS NULL THEN 'tenancy_tenant ' || x.tenant_id END), ''))
                   ORDER BY x.id)
          FROM %1$I.ipam_asn x
          LEFT JOIN mountaineer.import_key kr ON kr.source = $1 AND kr.kind = 'ipam_rir' AND kr.key = x.rir_id::text
          %2$s
          LEFT JOIN mountaineer.netbox_tagged($2, 'ipam', 'asn') tg ON tg.object_id = x.id$q$, source, tenant)
        INTO batch USING src, source;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'ipam_asn', 'mountaineer.asn', batch);
    -- NetBox's ASN <-> site links (3.7 and 4.x: dcim_site_asns)
    RETURN QUERY SELECT * FROM mountaineer.netbox_not_modelled(source, 'dcim_site_asns',
        'the sites of an AS number are not modelled (the AS number itself is imported)');

    -- route targets, VRFs and their import and export targets
    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object(
                   'name', x.name, 'description', nullif(x.description, ''), 'tenant_id', kt.row_id,
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($2, x.custom_field_data)),
                   'missing', CASE WHEN x.tenant_id IS NOT NULL AND kt.row_id IS NULL THEN 'tenancy_tenant ' || x.tenant_id END)
                   ORDER BY x.id)
          FROM %1$I.ipam_routetarget x
          %2$s
          LEFT JOIN mountaineer.netbox_tagged($2, 'ipam', 'routetarget') tg ON tg.object_id = x.id$q$, source, tenant)
        INTO batch USING src, source;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'ipam_routetarget', 'mountaineer.route_target', batch);

    -- enforce_unique is not carried: here an address is always once per VRF
    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object(
                   'name', x.name, 'rd', nullif(x.rd, ''), 'description', nullif(x.description, ''), 'tenant_id', kt.row_id,
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($2, x.custom_field_data)),
                   'missing', CASE WHEN x.tenant_id IS NOT NULL AND kt.row_id IS NULL THEN 'tenancy_tenant ' || x.tenant_id END)
                   ORDER BY x.id)
          FROM %1$I.ipam_vrf x
          %2$s
          LEFT JOIN mountaineer.netbox_tagged($2, 'ipam', 'vrf') tg ON tg.object_id = x.id$q$, source, tenant)
        INTO batch USING src, source;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'ipam_vrf', 'mountaineer.vrf', batch);

    FOR q IN SELECT unnest(ARRAY['import', 'export']) LOOP
        EXECUTE format($q$
            SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object(
                       'vrf_id', kv.row_id, 'route_target_id', kr.row_id, 'direction', %2$L),
                       'missing', nullif(concat_ws(', ', CASE WHEN kv.row_id IS NULL THEN 'ipam_vrf ' || x.vrf_id END,
                                                         CASE WHEN kr.row_id IS NULL THEN 'ipam_routetarget ' || x.routetarget_id END), ''))
                       ORDER BY x.id)
              FROM %1$I.%3$I x
              LEFT JOIN mountaineer.import_key kv ON kv.source = $1 AND kv.kind = 'ipam_vrf' AND kv.key = x.vrf_id::text
              LEFT JOIN mountaineer.import_key kr ON kr.source = $1 AND kr.kind = 'ipam_routetarget' AND kr.key = x.routetarget_id::text$q$,
            source, q, 'ipam_vrf_' || q || '_targets')
            INTO batch USING src;
        RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'ipam_vrf_' || q || '_targets', 'mountaineer.vrf_route_target', batch);
    END LOOP;

    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object(
                   'prefix', x.prefix, 'rir_id', kr.row_id, 'date_added', x.date_added,
                   'description', nullif(x.description, ''), 'tenant_id', kt.row_id,
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($2, x.custom_field_data)),
                   'missing', nullif(concat_ws(', ', CASE WHEN kr.row_id IS NULL THEN 'ipam_rir ' || x.rir_id END,
                                                     CASE WHEN x.tenant_id IS NOT NULL AND kt.row_id IS NULL THEN 'tenancy_tenant ' || x.tenant_id END), ''))
                   ORDER BY x.id)
          FROM %1$I.ipam_aggregate x
          LEFT JOIN mountaineer.import_key kr ON kr.source = $1 AND kr.kind = 'ipam_rir' AND kr.key = x.rir_id::text
          %2$s
          LEFT JOIN mountaineer.netbox_tagged($2, 'ipam', 'aggregate') tg ON tg.object_id = x.id$q$, source, tenant)
        INTO batch USING src, source;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'ipam_aggregate', 'mountaineer.aggregate', batch);

    -- VLAN groups: NetBox's scope (a content type and an id) onto one of
    -- site, location, region; a rack onto its location or site, a cluster
    -- onto its site; site groups and cluster groups, and a cluster at no
    -- site, leave the group global (noted).  3.x and 4.0: min_vid/max_vid;
    -- 4.1+: vid_ranges, of which the span is taken (several ranges noted).
    IF mountaineer.netbox_has(source, 'ipam_vlangroup', 'vid_ranges') THEN
        vlan_range := $r$(SELECT min(lower(r)) FROM unnest(x.vid_ranges) r), (SELECT max(upper(r)) - 1 FROM unnest(x.vid_ranges) r), cardinality(x.vid_ranges)$r$;
    ELSE
        vlan_range := $r$x.min_vid, x.max_vid, 1$r$;
    END IF;
    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object(
                   'name', x.name, 'site_id', coalesce(ks.row_id, krs.row_id, kcs.row_id), 'location_id', coalesce(kl.row_id, krl.row_id),
                   'region_id', kg.row_id, 'min_vid', v.min_vid, 'max_vid', v.max_vid, 'description', nullif(x.description, ''),
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($2, x.custom_field_data)),
                   'missing', nullif(concat_ws(', ',
                       CASE WHEN ct.model = 'site' AND ks.row_id IS NULL THEN 'dcim_site ' || x.scope_id END,
                       CASE WHEN ct.model = 'location' AND kl.row_id IS NULL THEN 'dcim_location ' || x.scope_id END,
                       CASE WHEN ct.model = 'region' AND kg.row_id IS NULL THEN 'dcim_region ' || x.scope_id END,
                       CASE WHEN ct.model = 'rack' AND krl.row_id IS NULL AND krs.row_id IS NULL THEN 'dcim_rack ' || x.scope_id || '''s site' END), ''),
                   'note', CASE
                       WHEN ct.model IN ('sitegroup', 'clustergroup') OR (ct.model = 'cluster' AND kcs.row_id IS NULL)
                       THEN jsonb_build_object('rule', 'scope_moved', 'detail', format('scoped to NetBox %%s %%s, which is no scope here: the group is global', ct.model, x.scope_id))
                       WHEN ct.model IN ('rack', 'cluster')
                       THEN jsonb_build_object('rule', 'scope_moved', 'detail', format('scoped to NetBox %%s %%s: the group is scoped to its %%s', ct.model, x.scope_id,
                                                                                       CASE WHEN krl.row_id IS NOT NULL THEN 'location' ELSE 'site' END))
                       WHEN v.ranges > 1
                       THEN jsonb_build_object('rule', 'vid_ranges', 'detail', format('%%s VLAN id ranges: the group has their span %%s to %%s', v.ranges, v.min_vid, v.max_vid))
                       END)
                   ORDER BY x.id)
          FROM %1$I.ipam_vlangroup x
          CROSS JOIN LATERAL (SELECT %2$s) v(min_vid, max_vid, ranges)
          LEFT JOIN %1$I.django_content_type ct ON ct.id = x.scope_type_id
          LEFT JOIN %1$I.dcim_rack r ON ct.model = 'rack' AND r.id = x.scope_id
          LEFT JOIN %1$I.virtualization_cluster c ON ct.model = 'cluster' AND c.id = x.scope_id
          LEFT JOIN mountaineer.import_key ks ON ct.model = 'site' AND ks.source = $1 AND ks.kind = 'dcim_site' AND ks.key = x.scope_id::text
          LEFT JOIN mountaineer.import_key kl ON ct.model = 'location' AND kl.source = $1 AND kl.kind = 'dcim_location' AND kl.key = x.scope_id::text
          LEFT JOIN mountaineer.import_key kg ON ct.model = 'region' AND kg.source = $1 AND kg.kind = 'dcim_region' AND kg.key = x.scope_id::text
          LEFT JOIN mountaineer.import_key krl ON krl.source = $1 AND krl.kind = 'dcim_location' AND krl.key = r.location_id::text
          LEFT JOIN mountaineer.import_key krs ON krl.row_id IS NULL AND krs.source = $1 AND krs.kind = 'dcim_site' AND krs.key = r.site_id::text
          LEFT JOIN mountaineer.import_key kcs ON kcs.source = $1 AND kcs.kind = 'dcim_site' AND kcs.key = c.site_id::text
          LEFT JOIN mountaineer.netbox_tagged($2, 'ipam', 'vlangroup') tg ON tg.object_id = x.id$q$, source, vlan_range)
        INTO batch USING src, source;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'ipam_vlangroup', 'mountaineer.vlan_group', batch);

    -- VLANs (roles are not modelled: ipam_role below)
    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object(
                   'site_id', ks.row_id, 'group_id', kg.row_id, 'vid', x.vid, 'name', x.name, 'status', x.status,
                   'description', nullif(x.description, ''), 'tenant_id', kt.row_id,
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($2, x.custom_field_data)),
                   'missing', nullif(concat_ws(', ', CASE WHEN x.site_id IS NOT NULL AND ks.row_id IS NULL THEN 'dcim_site ' || x.site_id END,
                                                     CASE WHEN x.group_id IS NOT NULL AND kg.row_id IS NULL THEN 'ipam_vlangroup ' || x.group_id END,
                                                     CASE WHEN x.tenant_id IS NOT NULL AND kt.row_id IS NULL THEN 'tenancy_tenant ' || x.tenant_id END), ''))
                   ORDER BY x.id)
          FROM %1$I.ipam_vlan x
          LEFT JOIN mountaineer.import_key ks ON ks.source = $1 AND ks.kind = 'dcim_site' AND ks.key = x.site_id::text
          LEFT JOIN mountaineer.import_key kg ON kg.source = $1 AND kg.kind = 'ipam_vlangroup' AND kg.key = x.group_id::text
          %2$s
          LEFT JOIN mountaineer.netbox_tagged($2, 'ipam', 'vlan') tg ON tg.object_id = x.id$q$, source, tenant)
        INTO batch USING src, source;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'ipam_vlan', 'mountaineer.vlan', batch);

    -- prefixes: a site (NetBox up to 4.1: site_id; 4.2+: a scope, of which
    -- a site or a location's site is kept)
    IF mountaineer.netbox_has(source, 'ipam_prefix', 'site_id') THEN
        site_scope := 'x.site_id';
    ELSE
        site_scope := format($s$(SELECT CASE ct.model WHEN 'site' THEN x.scope_id WHEN 'location' THEN l.site_id END
                                   FROM %1$I.django_content_type ct LEFT JOIN %1$I.dcim_location l ON ct.model = 'location' AND l.id = x.scope_id
                                  WHERE ct.id = x.scope_type_id)$s$, source);
    END IF;
    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object(
                   'vrf_id', kv.row_id, 'prefix', x.prefix, 'status', x.status, 'is_pool', x.is_pool, 'site_id', ks.row_id,
                   'vlan_id', kn.row_id, 'description', nullif(x.description, ''), 'tenant_id', kt.row_id,
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($2, x.custom_field_data)),
                   'missing', nullif(concat_ws(', ', CASE WHEN x.vrf_id IS NOT NULL AND kv.row_id IS NULL THEN 'ipam_vrf ' || x.vrf_id END,
                                                     CASE WHEN s.site_id IS NOT NULL AND ks.row_id IS NULL THEN 'dcim_site ' || s.site_id END,
                                                     CASE WHEN x.vlan_id IS NOT NULL AND kn.row_id IS NULL THEN 'ipam_vlan ' || x.vlan_id END,
                                                     CASE WHEN x.tenant_id IS NOT NULL AND kt.row_id IS NULL THEN 'tenancy_tenant ' || x.tenant_id END), ''))
                   ORDER BY x.id)
          FROM %1$I.ipam_prefix x
          CROSS JOIN LATERAL (SELECT %3$s) s(site_id)
          LEFT JOIN mountaineer.import_key kv ON kv.source = $1 AND kv.kind = 'ipam_vrf' AND kv.key = x.vrf_id::text
          LEFT JOIN mountaineer.import_key ks ON ks.source = $1 AND ks.kind = 'dcim_site' AND ks.key = s.site_id::text
          LEFT JOIN mountaineer.import_key kn ON kn.source = $1 AND kn.kind = 'ipam_vlan' AND kn.key = x.vlan_id::text
          %2$s
          LEFT JOIN mountaineer.netbox_tagged($2, 'ipam', 'prefix') tg ON tg.object_id = x.id$q$, source, tenant, site_scope)
        INTO batch USING src, source;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'ipam_prefix', 'mountaineer.prefix', batch);

    -- IP ranges: bare addresses; NetBox lets addresses live in any range,
    -- so every range allows them (its status and role are not modelled)
    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object(
                   'vrf_id', kv.row_id, 'start_address', host(x.start_address), 'end_address', host(x.end_address),
                   'allow_addresses', true, 'description', nullif(x.description, ''), 'tenant_id', kt.row_id,
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($2, x.custom_field_data)),
                   'missing', nullif(concat_ws(', ', CASE WHEN x.vrf_id IS NOT NULL AND kv.row_id IS NULL THEN 'ipam_vrf ' || x.vrf_id END,
                                                     CASE WHEN x.tenant_id IS NOT NULL AND kt.row_id IS NULL THEN 'tenancy_tenant ' || x.tenant_id END), ''))
                   ORDER BY x.id)
          FROM %1$I.ipam_iprange x
          LEFT JOIN mountaineer.import_key kv ON kv.source = $1 AND kv.kind = 'ipam_vrf' AND kv.key = x.vrf_id::text
          %2$s
          LEFT JOIN mountaineer.netbox_tagged($2, 'ipam', 'iprange') tg ON tg.object_id = x.id$q$, source, tenant)
        INTO batch USING src, source;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'ipam_iprange', 'mountaineer.ip_range', batch);

    -- cluster types and clusters (a cluster's kind from its type's name;
    -- its site: site_id up to 4.1, a site scope from 4.2)
    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object(
                   'name', x.name, 'description', nullif(x.description, ''),
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($2, x.custom_field_data)))
                   ORDER BY x.id)
          FROM %1$I.virtualization_clustertype x
          LEFT JOIN mountaineer.netbox_tagged($2, 'virtualization', 'clustertype') tg ON tg.object_id = x.id$q$, source)
        INTO batch USING src, source;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'virtualization_clustertype', 'mountaineer.cluster_type', batch);

    IF mountaineer.netbox_has(source, 'virtualization_cluster', 'site_id') THEN
        site_scope := 'x.site_id';
    ELSE
        site_scope := format($s$(SELECT CASE ct.model WHEN 'site' THEN x.scope_id WHEN 'location' THEN l.site_id END
                                   FROM %1$I.django_content_type ct LEFT JOIN %1$I.dcim_location l ON ct.model = 'location' AND l.id = x.scope_id
                                  WHERE ct.id = x.scope_type_id)$s$, source);
    END IF;
    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object(
                   'name', x.name, 'description', nullif(x.description, ''), 'kind', mountaineer.netbox_cluster_kind(y.name || ' ' || y.slug),
                   'type_id', ky.row_id, 'site_id', ks.row_id, 'tenant_id', kt.row_id,
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($2, x.custom_field_data)),
                   'missing', nullif(concat_ws(', ', CASE WHEN ky.row_id IS NULL THEN 'virtualization_clustertype ' || x.type_id END,
                                                     CASE WHEN s.site_id IS NOT NULL AND ks.row_id IS NULL THEN 'dcim_site ' || s.site_id END,
                                                     CASE WHEN x.tenant_id IS NOT NULL AND kt.row_id IS NULL THEN 'tenancy_tenant ' || x.tenant_id END), ''))
                   ORDER BY x.id)
          FROM %1$I.virtualization_cluster x
          CROSS JOIN LATERAL (SELECT %3$s) s(site_id)
          LEFT JOIN %1$I.virtualization_clustertype y ON y.id = x.type_id
          LEFT JOIN mountaineer.import_key ky ON ky.source = $1 AND ky.kind = 'virtualization_clustertype' AND ky.key = x.type_id::text
          LEFT JOIN mountaineer.import_key ks ON ks.source = $1 AND ks.kind = 'dcim_site' AND ks.key = s.site_id::text
          %2$s
          LEFT JOIN mountaineer.netbox_tagged($2, 'virtualization', 'cluster') tg ON tg.object_id = x.id$q$, source, tenant, site_scope)
        INTO batch USING src, source;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'virtualization_cluster', 'mountaineer.cluster', batch);

    -- Hosts.  A device becomes a host when an address is assigned to one of
    -- its interfaces, it has a primary address, it is a cluster's member or
    -- a virtual machine outside any cluster runs on it.  Host names: the
    -- NetBox name when it is a valid FQDN, else the dns_name of its primary
    -- address (IPv4 first) when that is one, else the name made a label
    -- (lower case, runs of other characters than letters and digits a
    -- hyphen, at most 50 characters; unnamed: device-<id> / vm-<id>) in
    -- domain netbox.invalid.  Devices first, then VMs, each by NetBox id:
    -- a name already taken (here, or by an earlier one) gets -<id> (devices)
    -- or -vm<id> (VMs) after its first label.  Every name not NetBox's own
    -- is noted (rule renamed).
    INSERT INTO mountaineer.environment (name, description)
    VALUES ('netbox', 'Hosts migrated from NetBox (netbox_import); move them to an environment of your own at will')
    ON CONFLICT (name) DO NOTHING;
    SELECT e.id INTO env_id FROM mountaineer.environment e WHERE e.name = 'netbox';
    EXECUTE format($q$
        WITH assigned AS (
            SELECT i.device_id AS id FROM %1$I.ipam_ipaddress a
              JOIN %1$I.django_content_type ct ON ct.id = a.assigned_object_type_id AND ct.app_label = 'dcim' AND ct.model = 'interface'
              JOIN %1$I.dcim_interface i ON i.id = a.assigned_object_id
        ), dev AS (
            SELECT d.id, coalesce(dh.name, d.name) AS name, d.primary_ip4_id, d.primary_ip6_id
              FROM %1$I.dcim_device d
              LEFT JOIN mountaineer.import_key kd ON kd.source = $1 AND kd.kind = 'dcim_device' AND kd.key = d.id::text
              LEFT JOIN mountaineer.device dh ON dh.id = kd.row_id
             WHERE d.primary_ip4_id IS NOT NULL OR d.primary_ip6_id IS NOT NULL OR d.cluster_id IS NOT NULL
                OR d.id IN (SELECT id FROM assigned)
                OR d.id IN (SELECT v.device_id FROM %1$I.virtualization_virtualmachine v WHERE v.cluster_id IS NULL)
        ), cand AS (
            SELECT 'dcim_device' AS object, x.id, x.name, 0 AS ord,
                   coalesce(mountaineer.netbox_fqdn(x.name), mountaineer.netbox_fqdn(a4.dns_name), mountaineer.netbox_fqdn(a6.dns_name),
                            coalesce(nullif(left(trim(BOTH '-' FROM regexp_replace(lower(x.name), '[^a-z0-9]+', '-', 'g')), 50), ''), 'device-' || x.id)
                            || '.netbox.invalid') AS hostname
              FROM dev x
              LEFT JOIN %1$I.ipam_ipaddress a4 ON a4.id = x.primary_ip4_id
              LEFT JOIN %1$I.ipam_ipaddress a6 ON a6.id = x.primary_ip6_id
            UNION ALL
            SELECT 'virtualization_virtualmachine', x.id, x.name, 1,
                   coalesce(mountaineer.netbox_fqdn(x.name), mountaineer.netbox_fqdn(a4.dns_name), mountaineer.netbox_fqdn(a6.dns_name),
                            coalesce(nullif(left(trim(BOTH '-' FROM regexp_replace(lower(x.name), '[^a-z0-9]+', '-', 'g')), 50), ''), 'vm-' || x.id)
                            || '.netbox.invalid')
              FROM %1$I.virtualization_virtualmachine x
              LEFT JOIN %1$I.ipam_ipaddress a4 ON a4.id = x.primary_ip4_id
              LEFT JOIN %1$I.ipam_ipaddress a6 ON a6.id = x.primary_ip6_id
        ), ranked AS (
            SELECT c.*, row_number() OVER (PARTITION BY c.hostname ORDER BY c.ord, c.id) AS n,
                   EXISTS (SELECT FROM mountaineer.host h
                            WHERE h.hostname = c.hostname
                              AND NOT EXISTS (SELECT FROM mountaineer.import_key k
                                               WHERE k.source = $1 AND k.row_id = h.id
                                                 AND k.kind IN ('dcim_device:host', 'virtualization_virtualmachine'))) AS taken
              FROM cand c
        )
        SELECT jsonb_object_agg(r.object || ':' || r.id, jsonb_build_object(
                   'hostname', h.hostname,
                   'note', CASE WHEN h.hostname IS DISTINCT FROM lower(r.name) THEN jsonb_build_object('rule', 'renamed', 'detail',
                               format('%%s %%s is host %%s: %%s', CASE r.ord WHEN 0 THEN 'device' ELSE 'virtual machine' END,
                                      coalesce(quote_ident(r.name), '(unnamed)'), h.hostname,
                                      CASE WHEN r.n > 1 OR r.taken THEN 'its name is taken' WHEN r.name IS NULL THEN 'it has no name'
                                           WHEN mountaineer.netbox_fqdn(r.name) IS NULL THEN 'its name is not a fully qualified host name'
                                           ELSE 'its name' END)) END))
          FROM ranked r
         CROSS JOIN LATERAL (SELECT CASE WHEN r.n = 1 AND NOT r.taken THEN r.hostname
                                         ELSE regexp_replace(r.hostname, '^([^.]+)', '\1-' || CASE r.ord WHEN 0 THEN '' ELSE 'vm' END || r.id) END) h(hostname)$q$,
        source)
        INTO names USING src;
    names := coalesce(names, '{}');

    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object(
                   'hostname', n.value ->> 'hostname', 'environment_id', coalesce(h.environment_id, $3), 'device_id', kd.row_id,
                   'status', CASE x.status WHEN 'inventory' THEN 'offline' ELSE x.status END,
                   'operating_system', p.name, 'tenant_id', kt.row_id),
                   'missing', nullif(concat_ws(', ', CASE WHEN kd.row_id IS NULL THEN 'dcim_device ' || x.id END,
                                                     CASE WHEN x.tenant_id IS NOT NULL AND kt.row_id IS NULL THEN 'tenancy_tenant ' || x.tenant_id END), ''),
                   'note', n.value -> 'note')
                   ORDER BY x.id)
          FROM %1$I.dcim_device x
          JOIN jsonb_each($2) n ON n.key = 'dcim_device:' || x.id
          LEFT JOIN %1$I.dcim_platform p ON p.id = x.platform_id
          LEFT JOIN mountaineer.import_key kd ON kd.source = $1 AND kd.kind = 'dcim_device' AND kd.key = x.id::text
          LEFT JOIN mountaineer.import_key kh ON kh.source = $1 AND kh.kind = 'dcim_device:host' AND kh.key = x.id::text
          LEFT JOIN mountaineer.host h ON h.id = kh.row_id
          %2$s$q$, source, tenant)
        INTO batch USING src, names, env_id;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'dcim_device:host', 'mountaineer.host', batch);

    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object('cluster_id', kc.row_id, 'host_id', kh.row_id),
                   'missing', nullif(concat_ws(', ', CASE WHEN kc.row_id IS NULL THEN 'virtualization_cluster ' || x.cluster_id END,
                                                     CASE WHEN kh.row_id IS NULL THEN 'the host of dcim_device ' || x.id END), ''))
                   ORDER BY x.id)
          FROM %1$I.dcim_device x
          LEFT JOIN mountaineer.import_key kc ON kc.source = $1 AND kc.kind = 'virtualization_cluster' AND kc.key = x.cluster_id::text
          LEFT JOIN mountaineer.import_key kh ON kh.source = $1 AND kh.kind = 'dcim_device:host' AND kh.key = x.id::text
         WHERE x.cluster_id IS NOT NULL$q$, source)
        INTO batch USING src;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'dcim_device:cluster_member', 'mountaineer.cluster_member', batch);

    -- virtual machines: hosts under their cluster, or on their device's
    -- host when they have no cluster; one with neither is left out (rule
    -- no_cluster).  NetBox 4.1+ (virtualmachine.serial) counts disk in MB,
    -- older ones in GB (1 GB = 1000 MB, as NetBox's own migration did).
    disk_mb := CASE WHEN mountaineer.netbox_has(source, 'virtualization_virtualmachine', 'serial') THEN 'x.disk' ELSE 'x.disk * 1000::bigint' END;
    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object(
                   'hostname', n.value ->> 'hostname', 'environment_id', coalesce(h.environment_id, $3),
                   'cluster_id', kc.row_id, 'parent_host_id', CASE WHEN x.cluster_id IS NULL THEN kd.row_id END,
                   'status', x.status, 'operating_system', p.name, 'vcpus', x.vcpus, 'memory_mb', x.memory, 'disk_mb', %3$s,
                   'tenant_id', kt.row_id,
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($4, x.custom_field_data)),
                   'missing', nullif(concat_ws(', ',
                       CASE WHEN x.cluster_id IS NULL AND x.device_id IS NULL THEN 'a cluster or a device (NetBox has it at a site only)' END,
                       CASE WHEN x.cluster_id IS NOT NULL AND kc.row_id IS NULL THEN 'virtualization_cluster ' || x.cluster_id END,
                       CASE WHEN x.cluster_id IS NULL AND x.device_id IS NOT NULL AND kd.row_id IS NULL THEN 'the host of dcim_device ' || x.device_id END,
                       CASE WHEN x.tenant_id IS NOT NULL AND kt.row_id IS NULL THEN 'tenancy_tenant ' || x.tenant_id END), ''),
                   'note', n.value -> 'note')
                   ORDER BY x.id)
          FROM %1$I.virtualization_virtualmachine x
          JOIN jsonb_each($2) n ON n.key = 'virtualization_virtualmachine:' || x.id
          LEFT JOIN %1$I.dcim_platform p ON p.id = x.platform_id
          LEFT JOIN mountaineer.import_key kc ON kc.source = $1 AND kc.kind = 'virtualization_cluster' AND kc.key = x.cluster_id::text
          LEFT JOIN mountaineer.import_key kd ON kd.source = $1 AND kd.kind = 'dcim_device:host' AND kd.key = x.device_id::text
          LEFT JOIN mountaineer.import_key kh ON kh.source = $1 AND kh.kind = 'virtualization_virtualmachine' AND kh.key = x.id::text
          LEFT JOIN mountaineer.host h ON h.id = kh.row_id
          %2$s
          LEFT JOIN mountaineer.netbox_tagged($4, 'virtualization', 'virtualmachine') tg ON tg.object_id = x.id$q$, source, tenant, disk_mb)
        INTO batch USING src, names, env_id, source;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'virtualization_virtualmachine', 'mountaineer.host', batch);

    -- a VM's role (a NetBox device role) as a host role of that name: an
    -- existing role of the name is used, a missing one made
    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object('name', x.name, 'description', nullif(x.description, '')))
                   ORDER BY x.id)
          FROM %1$I.dcim_devicerole x
         WHERE x.id IN (SELECT v.role_id FROM %1$I.virtualization_virtualmachine v)
           AND (EXISTS (SELECT FROM mountaineer.import_key k WHERE k.source = $1 AND k.kind = 'dcim_devicerole:role' AND k.key = x.id::text)
                OR NOT EXISTS (SELECT FROM mountaineer.role r WHERE r.name = x.name))$q$, source)
        INTO batch USING src;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'dcim_devicerole:role', 'mountaineer.role', batch);
    EXECUTE format($q$
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object('host_id', kh.row_id, 'role_id', r.id),
                   'missing', nullif(concat_ws(', ', CASE WHEN kh.row_id IS NULL THEN 'the host of virtualization_virtualmachine ' || x.id END,
                                                     CASE WHEN r.id IS NULL THEN 'the role of dcim_devicerole ' || x.role_id END), ''))
                   ORDER BY x.id)
          FROM %1$I.virtualization_virtualmachine x
          JOIN %1$I.dcim_devicerole dr ON dr.id = x.role_id
          LEFT JOIN mountaineer.role r ON r.name = dr.name
          LEFT JOIN mountaineer.import_key kh ON kh.source = $1 AND kh.kind = 'virtualization_virtualmachine' AND kh.key = x.id::text$q$, source)
        INTO batch USING src;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'virtualization_virtualmachine:host_role', 'mountaineer.host_role', batch);

    -- IP addresses.  Assigned to a device interface: that port and the
    -- device's host; to a VM interface: the VM's host; an FHRP group: no
    -- host.  A device's or VM's primary address is canonical (IPv4; IPv6
    -- when it has no IPv4 one) and its host's even when unassigned.  The
    -- mask is the one of its network here (the smallest prefix of its VRF
    -- containing it), as the address would take anyway; a dns_name that is
    -- no FQDN is dropped (noted).
    EXECUTE format($q$
        WITH prim AS (   -- an address primary for two (NetBox does not stop that): the first host's
            SELECT DISTINCT ON (u.ip_id) u.ip_id, u.host_id FROM (
            SELECT d.primary_ip4_id AS ip_id, kh.row_id AS host_id FROM %1$I.dcim_device d
              JOIN mountaineer.import_key kh ON kh.source = $1 AND kh.kind = 'dcim_device:host' AND kh.key = d.id::text
             WHERE d.primary_ip4_id IS NOT NULL
            UNION ALL
            SELECT d.primary_ip6_id, kh.row_id FROM %1$I.dcim_device d
              JOIN mountaineer.import_key kh ON kh.source = $1 AND kh.kind = 'dcim_device:host' AND kh.key = d.id::text
             WHERE d.primary_ip6_id IS NOT NULL AND d.primary_ip4_id IS NULL
            UNION ALL
            SELECT v.primary_ip4_id, kh.row_id FROM %1$I.virtualization_virtualmachine v
              JOIN mountaineer.import_key kh ON kh.source = $1 AND kh.kind = 'virtualization_virtualmachine' AND kh.key = v.id::text
             WHERE v.primary_ip4_id IS NOT NULL
            UNION ALL
            SELECT v.primary_ip6_id, kh.row_id FROM %1$I.virtualization_virtualmachine v
              JOIN mountaineer.import_key kh ON kh.source = $1 AND kh.kind = 'virtualization_virtualmachine' AND kh.key = v.id::text
             WHERE v.primary_ip6_id IS NOT NULL AND v.primary_ip4_id IS NULL
            ) u ORDER BY u.ip_id, u.host_id
        ), ct AS (
            SELECT c.id, c.app_label || '.' || c.model AS model FROM %1$I.django_content_type c
             WHERE (c.app_label, c.model) IN (('dcim', 'interface'), ('virtualization', 'vminterface'))
        )
        SELECT jsonb_agg(jsonb_build_object('key', x.id::text, 'row', jsonb_build_object(
                   'vrf_id', kv.row_id, 'address', set_masklen(x.address, coalesce(
                        (SELECT masklen(p.prefix) FROM mountaineer.prefix p
                          WHERE mountaineer.vrf_key(p.vrf_id) = mountaineer.vrf_key(kv.row_id) AND p.prefix >>= x.address
                          ORDER BY masklen(p.prefix) DESC LIMIT 1),
                        CASE family(x.address) WHEN 4 THEN 32 ELSE 128 END)),
                   'status', x.status, 'role', nullif(x.role, ''), 'dns_name', CASE WHEN x.dns_name <> '' THEN mountaineer.netbox_fqdn(x.dns_name) END,
                   'description', nullif(x.description, ''), 'tenant_id', kt.row_id,
                   'host_id', coalesce(kdh.row_id, kvh.row_id, pr.host_id), 'port_id', kp.row_id,
                   'canonical', pr.host_id IS NOT NULL AND pr.host_id = coalesce(kdh.row_id, kvh.row_id, pr.host_id),
                   'tags', coalesce(tg.tags, '{}'),
                   'attributes', CASE WHEN x.custom_field_data = '{}' THEN '{}' ELSE mountaineer.netbox_attributes($2, x.custom_field_data) END),
                   'missing', nullif(concat_ws(', ',
                       CASE WHEN x.vrf_id IS NOT NULL AND kv.row_id IS NULL THEN 'ipam_vrf ' || x.vrf_id END,
                       CASE WHEN ct.model = 'dcim.interface' AND kp.row_id IS NULL THEN 'dcim_interface ' || x.assigned_object_id END,
                       CASE WHEN ct.model = 'dcim.interface' AND kdh.row_id IS NULL THEN 'the host of dcim_device ' || i.device_id END,
                       CASE WHEN ct.model = 'virtualization.vminterface' AND kvh.row_id IS NULL THEN 'the host of virtualization_virtualmachine ' || vi.virtual_machine_id END,
                       CASE WHEN x.tenant_id IS NOT NULL AND kt.row_id IS NULL THEN 'tenancy_tenant ' || x.tenant_id END), ''),
                   'note', CASE WHEN x.dns_name <> '' AND mountaineer.netbox_fqdn(x.dns_name) IS NULL
                                THEN jsonb_build_object('rule', 'value_dropped', 'detail', format('dns_name %%s is not a fully qualified host name: left out', quote_literal(x.dns_name))) END)
                   ORDER BY x.id)
          FROM %1$I.ipam_ipaddress x
          LEFT JOIN ct ON ct.id = x.assigned_object_type_id
          LEFT JOIN %1$I.dcim_interface i ON ct.model = 'dcim.interface' AND i.id = x.assigned_object_id
          LEFT JOIN %1$I.virtualization_vminterface vi ON ct.model = 'virtualization.vminterface' AND vi.id = x.assigned_object_id
          LEFT JOIN mountaineer.import_key kv ON kv.source = $1 AND kv.kind = 'ipam_vrf' AND kv.key = x.vrf_id::text
          LEFT JOIN mountaineer.import_key kp ON kp.source = $1 AND kp.kind = 'dcim_interface' AND kp.key = i.id::text
          LEFT JOIN mountaineer.import_key kdh ON kdh.source = $1 AND kdh.kind = 'dcim_device:host' AND kdh.key = i.device_id::text
          LEFT JOIN mountaineer.import_key kvh ON kvh.source = $1 AND kvh.kind = 'virtualization_virtualmachine' AND kvh.key = vi.virtual_machine_id::text
          LEFT JOIN prim pr ON pr.ip_id = x.id
          %2$s
          LEFT JOIN mountaineer.netbox_tagged($2, 'ipam', 'ipaddress') tg ON tg.object_id = x.id$q$, source, tenant)
        INTO batch USING src, source;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load_found(source, 'ipam_ipaddress', 'mountaineer.ip_address', batch);

    -- what NetBox's IPAM and virtualization have that this system does not
    -- model: every row skipped with its reason
    RETURN QUERY SELECT * FROM mountaineer.netbox_not_modelled(source, 'ipam_role',
        'prefix, range and VLAN roles are not modelled: the prefixes, ranges and VLANs of the role are imported without it');
    RETURN QUERY SELECT * FROM mountaineer.netbox_not_modelled(source, 'virtualization_clustergroup',
        'cluster groups are not modelled: their clusters are imported without one');
    RETURN QUERY SELECT * FROM mountaineer.netbox_not_modelled(source, 'virtualization_vminterface',
        'VM interfaces are not modelled (hosts have no ports): their addresses are the virtual machine''s host''s');
    RETURN QUERY SELECT * FROM mountaineer.netbox_not_modelled(source, 'virtualization_vminterface_tagged_vlans',
        'the VLANs of VM interfaces are not modelled');
    RETURN QUERY SELECT * FROM mountaineer.netbox_not_modelled(source, 'virtualization_virtualdisk',
        'virtual disks are not modelled: a virtual machine''s disk total is its host''s disk_mb');
    RETURN QUERY SELECT * FROM mountaineer.netbox_not_modelled(source, 'ipam_fhrpgroup',
        'FHRP groups are not modelled: their addresses are imported without a host');
    RETURN QUERY SELECT * FROM mountaineer.netbox_not_modelled(source, 'ipam_fhrpgroupassignment',
        'FHRP group assignments are not modelled');
    RETURN QUERY SELECT * FROM mountaineer.netbox_not_modelled(source, 'ipam_service',
        'services (protocol and ports on a device or VM) are not modelled');
    RETURN QUERY SELECT * FROM mountaineer.netbox_not_modelled(source, 'ipam_service_ipaddresses',
        'the addresses of services are not modelled');
    RETURN QUERY SELECT * FROM mountaineer.netbox_not_modelled(source, 'ipam_servicetemplate',
        'service templates are not modelled');
    RETURN QUERY SELECT * FROM mountaineer.netbox_not_modelled(source, 'ipam_vlantranslationpolicy',
        'VLAN translation policies are not modelled');
    RETURN QUERY SELECT * FROM mountaineer.netbox_not_modelled(source, 'ipam_vlantranslationrule',
        'VLAN translation rules are not modelled');
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_import_ipam(name) IS
    'Internal (netbox_import): NetBox''s IPAM and virtualization: RIRs, ASN ranges, ASNs, route targets, VRFs and their targets, aggregates, VLAN groups, VLANs, prefixes, IP ranges, cluster types, clusters, the hosts of devices with addresses or a cluster, virtual machines as hosts (with their roles), and IP addresses on their ports and hosts; one row of counts per NetBox table, the tables not modelled counted as skipped.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_import_ipam(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_import_ipam(name) TO mountaineer_editor;
-- End: ipam and virtualization (1.0)

-- == not modelled (1.0) ==
-- Why a NetBox table's rows are not carried over (NULL: no rule for it).
-- per_row: one netbox_import_issue row per NetBox row (the inventory this
-- system does not model); otherwise one row for the table (NetBox's own
-- application state, which is not inventory).
CREATE FUNCTION mountaineer.netbox_skip_reason(tbl text, OUT reason text, OUT per_row boolean)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
RETURN (SELECT ROW(r.reason, r.per_row) FROM (VALUES
        ('dcim_module', 'modules (line cards, supplies in module bays) are not modelled: a device''s ports are its own', true),
        ('dcim_modulebay', 'module bays are not modelled', true),
        ('dcim_moduletype', 'module types are not modelled', true),
        ('dcim_modulebaytemplate', 'module bays are not modelled', true),
        ('dcim_devicebay', 'device bays (a device inside another) are not modelled', true),
        ('dcim_devicebaytemplate', 'device bays are not modelled', true),
        ('dcim_virtualchassis', 'virtual chassis (switches stacked as one) are not modelled: each member is a device', true),
        ('dcim_rackreservation', 'rack reservations are not modelled: a rack''s status says reserved', true),
        ('dcim_inventoryitem', 'inventory items are not modelled', true),
        ('dcim_inventoryitemtemplate', 'inventory items are not modelled', true),
        ('dcim_inventoryitemrole', 'inventory items are not modelled', true),
        ('dcim_virtualdevicecontext', 'virtual device contexts are not modelled', true),
        ('dcim_racktype', 'rack types are not modelled: a rack carries its own height and form', true),
        ('dcim_macaddress', 'MAC addresses are not modelled', true),
        ('dcim_cablepath', 'NetBox''s cached cable paths: traced here on demand (cable_trace); netbox_verify() compares them', false),
        ('circuits_provideraccount', 'provider accounts are not modelled as rows: provider.account is one text', true),
        ('circuits_circuitgroup', 'circuit groups are not modelled', true),
        ('circuits_circuitgroupassignment', 'circuit groups are not modelled', true),
        ('tenancy_tenantgroup', 'tenant groups are not modelled: a tenant has no group', true),
        ('tenancy_contact', 'contacts are not modelled', true),
        ('tenancy_contactgroup', 'contacts are not modelled', true),
        ('tenancy_contactrole', 'contacts are not modelled', true),
        ('tenancy_contactassignment', 'contacts are not modelled', true),
        ('virtualization_clustergroup', 'cluster groups are not modelled', true),
        ('extras_journalentry', 'journal entries are not modelled: the change log here records what changes', true),
        ('extras_objectchange', 'NetBox''s change history: the change log here starts with the import', false),
        ('core_objectchange', 'NetBox''s change history: the change log here starts with the import', false),
        ('extras_imageattachment', 'image attachments are not modelled', true),
        ('extras_configcontext', 'config contexts are not modelled (Salt''s pillar serves that here)', true),
        ('extras_exporttemplate', 'export templates are NetBox''s user interface', false),
        ('extras_savedfilter', 'saved filters are NetBox''s user interface', false),
        ('extras_bookmark', 'bookmarks are NetBox''s user interface', false),
        ('extras_dashboard', 'dashboards are NetBox''s user interface', false),
        ('extras_customlink', 'custom links are NetBox''s user interface', false),
        ('extras_webhook', 'webhooks: NOTIFY mountaineer announces changes here', false),
        ('extras_eventrule', 'event rules: NOTIFY mountaineer announces changes here', false),
        ('extras_cachedvalue', 'NetBox''s search cache', false)) r (tbl, reason, per_row)
         WHERE r.tbl = netbox_skip_reason.tbl);
COMMENT ON FUNCTION mountaineer.netbox_skip_reason(text) IS
    'Internal (netbox_import_skipped): why the rows of a NetBox table are not carried over, and whether each is reported (per_row) or the table once (NetBox''s own application state); NULL for a table with no rule.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_skip_reason(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_skip_reason(text) TO mountaineer_editor;

-- Every table of the source with rows that no step handled (handled: the
-- objects the steps returned) is counted here as skipped, with its reason:
-- nothing NetBox has is dropped unsaid.  Read into other rows, not skipped:
-- extras_taggeditem (tags), extras_customfield_object_types (3.7:
-- _content_types) and extras_customfieldchoiceset (attribute definitions).
-- NetBox's application tables (django_*, auth_*, users_*, social_auth_*,
-- core_* but its change history) get one issue each; a table with no rule,
-- one issue per row (rule not_modelled, "no rule for this NetBox table").
CREATE FUNCTION mountaineer.netbox_import_skipped(source name, handled text[] DEFAULT '{}')
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, skipped integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t      text;
    n      bigint;
    why    text;
    each   boolean;
BEGIN
    FOR t IN SELECT c.relname::text FROM pg_class c
              WHERE c.relnamespace = to_regnamespace(quote_ident(source)) AND c.relkind IN ('r', 'f', 'p', 'v', 'm')
                AND NOT (c.relname = ANY (handled))
                AND c.relname NOT IN ('extras_taggeditem', 'extras_customfield_object_types',
                                      'extras_customfield_content_types', 'extras_customfieldchoiceset')
              ORDER BY c.relname
    LOOP
        EXECUTE format('SELECT count(*) FROM %I.%I', source, t) INTO n;
        CONTINUE WHEN n = 0;
        SELECT m.reason, m.per_row INTO why, each FROM mountaineer.netbox_skip_reason(t) m;
        IF why IS NULL AND t ~ '^(django|auth|users|social_auth|taggit|core)_' THEN
            why := 'NetBox''s own application state (users, permissions, sessions, migrations, jobs, data sources): not inventory';
            each := false;
        END IF;
        IF why IS NULL THEN
            why := 'no rule for this NetBox table: not carried over';
            each := true;
        END IF;
        IF each AND mountaineer.netbox_has(source, t, 'id') THEN
            EXECUTE format($q$INSERT INTO mountaineer.netbox_import_issue (source, object, netbox_id, rule, detail)
                              SELECT $1, $2, x.id, 'not_modelled', $3 FROM %I.%I x ORDER BY x.id$q$, source, t)
                USING source, t, why;
        ELSE
            PERFORM mountaineer.netbox_issue(source, t, NULL, 'not_modelled', format('%s row(s): %s', n, why));
        END IF;
        RETURN QUERY SELECT t, 0, 0, 0, n::integer;
    END LOOP;
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_import_skipped(name, text[]) IS
    'Internal (netbox_import): every table of the NetBox schema with rows that no step imported (handled: those the steps did), counted as skipped and recorded in netbox_import_issue (rule not_modelled) with the reason: one issue per row for inventory this system does not model, one per table for NetBox''s own application state.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_import_skipped(name, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_import_skipped(name, text[]) TO mountaineer_editor;
-- End: not modelled (1.0)

-- == netbox_import (1.0) ==
CREATE FUNCTION mountaineer.netbox_import(source name)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, skipped integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    handled text[] := '{}'::text[];
    r       record;
    msg     text;
    state   text;
    con     name;
BEGIN
    IF source IS NULL THEN
        RAISE EXCEPTION 'netbox_import: source must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT mountaineer.netbox_has(source, 'dcim_site') THEN
        RAISE EXCEPTION 'netbox_import: schema % holds no NetBox tables (no %.dcim_site)', quote_ident(source), quote_ident(source)
            USING ERRCODE = 'undefined_table',
                  HINT = 'IMPORT FOREIGN SCHEMA public FROM SERVER netbox INTO netbox, then netbox_import(''netbox'').';
    END IF;
    -- one import of a source at a time: a second waits for the first to
    -- end, then (READ COMMITTED) replaces its issues rather than adding to them
    PERFORM pg_advisory_xact_lock(hashtext('mountaineer.netbox_import'), hashtext(source));
    DELETE FROM mountaineer.netbox_import_issue i WHERE i.source = netbox_import.source;
    -- the parts, in the order their rows refer to each other
    -- (each part is a function netbox_import_<part>(source) returning the same rows)
    FOR r IN SELECT * FROM mountaineer.netbox_import_common(source) LOOP
        handled := handled || r.object;
        object := r.object; inserted := r.inserted; updated := r.updated; unchanged := r.unchanged; skipped := r.skipped;
        RETURN NEXT;
    END LOOP;
    FOR r IN SELECT * FROM mountaineer.netbox_import_dcim(source) LOOP
        handled := handled || r.object;
        object := r.object; inserted := r.inserted; updated := r.updated; unchanged := r.unchanged; skipped := r.skipped;
        RETURN NEXT;
    END LOOP;
    FOR r IN SELECT * FROM mountaineer.netbox_import_ipam(source) LOOP
        handled := handled || r.object;
        object := r.object; inserted := r.inserted; updated := r.updated; unchanged := r.unchanged; skipped := r.skipped;
        RETURN NEXT;
    END LOOP;
    RETURN QUERY SELECT * FROM mountaineer.netbox_import_skipped(source, handled);
    -- the checks deferred to commit (a connected cable's sides, a
    -- termination's port) run now, where a failure can still be told
    -- apart; the steps leave none that can fail, so one that does is a bug
    -- of this module and fails the import, naming it
    BEGIN
        SET CONSTRAINTS ALL IMMEDIATE;
    EXCEPTION WHEN integrity_constraint_violation THEN
        GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
        RAISE EXCEPTION 'netbox_import: a check deferred to commit failed: %', msg USING ERRCODE = state;
    END;
    -- and those deferred by their definition are deferred again, for the
    -- rest of the caller's transaction
    FOR con IN SELECT DISTINCT c.conname FROM pg_constraint c
                WHERE c.connamespace = 'mountaineer'::regnamespace AND c.condeferred ORDER BY 1 LOOP
        EXECUTE format('SET CONSTRAINTS mountaineer.%I DEFERRED', con);
    END LOOP;
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_import(name) IS
    'Migrates a NetBox estate (3.7 or 4.x) from the schema holding its tables (foreign, through postgres_fdw, or local) in one transaction: one row per NetBox table with how many of its rows were inserted, updated, unchanged and skipped (those in netbox_import_issue, with the reason). Idempotent: a second import of the same source changes nothing; one after changes in NetBox changes exactly those.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_import(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_import(name) TO mountaineer_editor;
-- End: netbox_import (1.0)

-- == netbox_verify (1.0) ==
-- A node of a NetBox cable path ('dcim_interface:12', the content type
-- resolved) as text with what it is here: 'dcim_interface:12 (sw1 eth0)'.
CREATE FUNCTION mountaineer.netbox_node_name(source name, node text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
RETURN node || coalesce(' (' || (
    SELECT coalesce(d.name || ' ' || p.name,
                    'circuit ' || c.cid || ' ' || t.term_side,
                    'provider network ' || pn.name)
      FROM mountaineer.import_key k
      LEFT JOIN mountaineer.port p ON p.id = k.row_id
      LEFT JOIN mountaineer.device d ON d.id = p.device_id
      LEFT JOIN mountaineer.circuit_termination t ON t.id = k.row_id
      LEFT JOIN mountaineer.circuit c ON c.id = t.circuit_id
      LEFT JOIN mountaineer.provider_network pn ON pn.id = k.row_id
     WHERE k.source = ('netbox:' || netbox_node_name.source) COLLATE "default"
       AND k.kind = split_part(node, ':', 1) AND k.key = split_part(node, ':', 2)) || ')', ' (not imported)');
COMMENT ON FUNCTION mountaineer.netbox_node_name(name, text) IS
    'Internal (netbox_verify): a node of a NetBox cable path (object:id) with the device and port, circuit termination or provider network it is here, or "(not imported)".';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_node_name(name, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_node_name(name, text) TO mountaineer_reader;

-- Every path NetBox has cached (dcim_cablepath: origin, nodes, whether
-- complete), traced here from the same origin with cable_trace(): NetBox's
-- destination (the last node of a complete path; NULL for an incomplete
-- one) against ours (the far ports of the branches that end complete, as
-- NetBox nodes through import_key).  A trace here ends at the termination a
-- cable reaches when the circuit's other end is on a provider network;
-- NetBox ends it at that network: such an end stands for the network.
CREATE FUNCTION mountaineer.netbox_verify(source name)
    RETURNS TABLE (origin text, netbox_destination text, our_destination text, agrees boolean)
    -- VOLATILE: it reads NetBox's tables, usually another server's (postgres_fdw)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    types jsonb;
    paths jsonb;
BEGIN
    -- plpgsql_check accepts "routine is marked as VOLATILE, should be STABLE" because it reads NetBox's tables, through postgres_fdw as a rule: STABLE would have to be PARALLEL SAFE (test/catalog.sql), which a foreign scan is not
    IF source IS NULL THEN
        RAISE EXCEPTION 'netbox_verify: source must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT mountaineer.netbox_has(source, 'dcim_cablepath') THEN
        RAISE EXCEPTION 'netbox_verify: schema % holds no NetBox cable paths (no %.dcim_cablepath)', quote_ident(source), quote_ident(source)
            USING ERRCODE = 'undefined_table',
                  HINT = 'IMPORT FOREIGN SCHEMA public FROM SERVER netbox INTO netbox, then netbox_import(''netbox'') and netbox_verify(''netbox'').';
    END IF;
    EXECUTE format('SELECT jsonb_object_agg(t.id::text, t.app_label || ''_'' || t.model) FROM %I.django_content_type t', source)
       INTO types;
    EXECUTE format('SELECT jsonb_agg(jsonb_build_object(''id'', p.id, ''complete'', p.is_complete, ''path'', p.path) ORDER BY p.id)
                      FROM %I.dcim_cablepath p', source)
       INTO paths;
    RETURN QUERY
    WITH p AS (
        SELECT (e ->> 'id')::bigint AS id,
               (types ->> split_part(e -> 'path' -> 0 ->> 0, ':', 1)) || ':' || split_part(e -> 'path' -> 0 ->> 0, ':', 2) AS origin_node,
               CASE WHEN (e ->> 'complete')::boolean THEN
                    ARRAY(SELECT (types ->> split_part(n, ':', 1)) || ':' || split_part(n, ':', 2)
                            FROM jsonb_array_elements_text(e -> 'path' -> -1) n ORDER BY 1) END AS netbox_nodes
          FROM jsonb_array_elements(coalesce(paths, '[]')) e),
    ours AS (
        SELECT p.id, ARRAY(
                   SELECT DISTINCT coalesce(
                              CASE WHEN coalesce(ctm.provider_network_id, cto.provider_network_id) IS NOT NULL
                                   THEN 'circuits_providernetwork:' || kn.key END,
                              kf.kind || ':' || kf.key,
                              'port ' || t.far_port)
                     FROM mountaineer.cable_trace(ko.row_id) t
                     LEFT JOIN mountaineer.import_key kf ON kf.row_id = t.far_port AND kf.source = ('netbox:' || netbox_verify.source) COLLATE "default"
                     LEFT JOIN mountaineer.circuit_termination ctm ON ctm.id = t.far_port
                     LEFT JOIN mountaineer.circuit_termination cto ON cto.circuit_id = ctm.circuit_id AND cto.id <> ctm.id
                     LEFT JOIN mountaineer.import_key kn ON kn.row_id = coalesce(ctm.provider_network_id, cto.provider_network_id)
                                                        AND kn.source = ('netbox:' || netbox_verify.source) COLLATE "default"
                                                        AND kn.kind = 'circuits_providernetwork'
                    WHERE t.outcome = 'complete'
                    ORDER BY 1) AS nodes
          FROM p
          LEFT JOIN mountaineer.import_key ko ON ko.source = ('netbox:' || netbox_verify.source) COLLATE "default"
                                             AND ko.kind = split_part(p.origin_node, ':', 1) AND ko.key = split_part(p.origin_node, ':', 2))
    SELECT mountaineer.netbox_node_name(source, p.origin_node),
           (SELECT string_agg(mountaineer.netbox_node_name(source, n), ', ' ORDER BY n) FROM unnest(p.netbox_nodes) n),
           (SELECT string_agg(mountaineer.netbox_node_name(source, n), ', ' ORDER BY n) FROM unnest(o.nodes) n),
           p.netbox_nodes IS NOT DISTINCT FROM nullif(o.nodes, '{}')
      FROM p JOIN ours o ON o.id = p.id
     ORDER BY p.id;
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_verify(name) IS
    'For every cable path NetBox has cached (dcim_cablepath), traces the same origin here (cable_trace) and compares destinations: origin and each destination as NetBox object:id with what it is here; netbox_destination NULL for a path NetBox holds incomplete, our_destination NULL when no branch ends complete here; agrees when both name the same ports (README: netbox_verify).';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_verify(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_verify(name) TO mountaineer_reader;
-- End: netbox_verify (1.0)
