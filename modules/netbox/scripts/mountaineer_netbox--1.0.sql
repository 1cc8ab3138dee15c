-- mountaineer_netbox 1.0: a NetBox estate (3.7 or 4.x) migrated in one call
-- from NetBox's own tables, reached through postgres_fdw or restored into a
-- schema of this database; idempotent (the shared import mechanism of the
-- core, import_rows()), reporting each row that breaks a rule instead of
-- failing; and netbox_verify(), which checks NetBox's cached cable paths
-- against this system's traces.
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
GRANT EXECUTE ON FUNCTION mountaineer.netbox_has(name, text, text) TO mountaineer_editor;

CREATE FUNCTION mountaineer.netbox_ref(source name, object text, netbox_id bigint) RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT k.row_id FROM mountaineer.import_key k
     WHERE k.source = 'netbox:' || netbox_ref.source AND k.kind = object AND k.key = netbox_id::text
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
        SELECT * INTO r FROM mountaineer.import_rows('netbox:' || source, object, tbl, rows);
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
BEGIN
    c := mountaineer.netbox_load_part(src, kind, tbl, coalesce(rows, '[]'));
    -- prune: the good rows again (unchanged now, so nothing is written) with
    -- the keys NetBox no longer has removed
    BEGIN
        PERFORM FROM mountaineer.import_rows('netbox:' || src, kind, tbl,
            coalesce((SELECT jsonb_agg(e) FROM jsonb_array_elements(rows) e
                       WHERE NOT EXISTS (SELECT FROM mountaineer.netbox_import_issue i
                                          WHERE i.source = src AND i.object = kind
                                            AND i.netbox_id = (e ->> 'key')::bigint)), '[]'),
            prune => true);
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
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
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
        USING 'netbox:' || source, app_label, model;
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
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN data IS NULL OR data = '{}' OR jsonb_typeof(data) <> 'object' THEN '{}'::jsonb
            ELSE coalesce((SELECT jsonb_object_agg(e.key, e.value)
                             FROM jsonb_each(data) e
                            WHERE e.value NOT IN ('null', '""')
                              AND EXISTS (SELECT FROM mountaineer.import_key k
                                            JOIN mountaineer.attribute_definition d ON d.id = k.row_id
                                           WHERE k.source = 'netbox:' || netbox_attributes.source
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
                   WHERE s.source = 'netbox:' || netbox_import_common.source AND s.kind LIKE 'extras\_customfield:%'
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
-- End: dcim: sites, racks, device types, devices, ports, power, cables, circuits (1.0)

-- == ipam and virtualization (1.0) ==
-- End: ipam and virtualization (1.0)

-- == not modelled (1.0) ==
-- End: not modelled (1.0)

-- == netbox_import (1.0) ==
CREATE FUNCTION mountaineer.netbox_import(source name)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, skipped integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF source IS NULL THEN
        RAISE EXCEPTION 'netbox_import: source must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT mountaineer.netbox_has(source, 'dcim_site') THEN
        RAISE EXCEPTION 'netbox_import: schema % holds no NetBox tables (no %.dcim_site)', quote_ident(source), quote_ident(source)
            USING ERRCODE = 'undefined_table',
                  HINT = 'IMPORT FOREIGN SCHEMA public FROM SERVER netbox INTO netbox, then netbox_import(''netbox'').';
    END IF;
    DELETE FROM mountaineer.netbox_import_issue i WHERE i.source = netbox_import.source;
    -- the parts, in the order their rows refer to each other
    -- (each part is a function netbox_import_<part>(source) returning the same rows)
    RETURN QUERY SELECT * FROM mountaineer.netbox_import_common(source);
    RETURN;
END
$$;
COMMENT ON FUNCTION mountaineer.netbox_import(name) IS
    'Migrates a NetBox estate (3.7 or 4.x) from the schema holding its tables (foreign, through postgres_fdw, or local) in one transaction: one row per NetBox table with how many of its rows were inserted, updated, unchanged and skipped (those in netbox_import_issue, with the reason). Idempotent: a second import of the same source changes nothing; one after changes in NetBox changes exactly those.';
REVOKE EXECUTE ON FUNCTION mountaineer.netbox_import(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.netbox_import(name) TO mountaineer_editor;
-- End: netbox_import (1.0)

-- == netbox_verify (1.0) ==
-- End: netbox_verify (1.0)
