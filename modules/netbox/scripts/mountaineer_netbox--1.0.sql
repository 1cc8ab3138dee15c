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
    n_out integer;
BEGIN
    elems := coalesce(elems, '[]');
    INSERT INTO mountaineer.netbox_import_issue (source, object, netbox_id, rule, detail)
    SELECT src, kind, (e ->> 'key')::bigint, 'parent_not_imported', 'not imported: ' || (e ->> 'missing')
      FROM jsonb_array_elements(elems) e
     WHERE e ->> 'missing' IS NOT NULL;
    GET DIAGNOSTICS n_out = ROW_COUNT;
    RETURN QUERY SELECT * FROM mountaineer.netbox_load(src, kind, tbl,
        coalesce((SELECT jsonb_agg(jsonb_build_object('key', e -> 'key', 'row', e -> 'row'))
                    FROM jsonb_array_elements(elems) e
                   WHERE e ->> 'missing' IS NULL), '[]'),
        n_out);
    INSERT INTO mountaineer.netbox_import_issue (source, object, netbox_id, rule, detail)
    SELECT src, kind, (e ->> 'key')::bigint, e -> 'note' ->> 'rule', e -> 'note' ->> 'detail'
      FROM jsonb_array_elements(elems) e
     WHERE e ->> 'missing' IS NULL AND jsonb_typeof(e -> 'note') = 'object'
       AND NOT EXISTS (SELECT FROM mountaineer.netbox_import_issue i
                        WHERE i.source = src AND i.object = kind AND i.netbox_id = (e ->> 'key')::bigint);
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
    src     text := 'netbox:' || source;
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
                   'status', x.status, 'role', nullif(x.role, ''), 'dns_name', mountaineer.netbox_fqdn(nullif(x.dns_name, '')),
                   'description', nullif(x.description, ''), 'tenant_id', kt.row_id,
                   'host_id', coalesce(kdh.row_id, kvh.row_id, pr.host_id), 'port_id', kp.row_id,
                   'canonical', pr.host_id IS NOT NULL AND pr.host_id = coalesce(kdh.row_id, kvh.row_id, pr.host_id),
                   'tags', coalesce(tg.tags, '{}'), 'attributes', mountaineer.netbox_attributes($2, x.custom_field_data)),
                   'missing', nullif(concat_ws(', ',
                       CASE WHEN x.vrf_id IS NOT NULL AND kv.row_id IS NULL THEN 'ipam_vrf ' || x.vrf_id END,
                       CASE WHEN ct.model = 'dcim.interface' AND kp.row_id IS NULL THEN 'dcim_interface ' || x.assigned_object_id END,
                       CASE WHEN ct.model = 'dcim.interface' AND kdh.row_id IS NULL THEN 'the host of dcim_device ' || i.device_id END,
                       CASE WHEN ct.model = 'virtualization.vminterface' AND kvh.row_id IS NULL THEN 'the host of virtualization_virtualmachine ' || vi.virtual_machine_id END,
                       CASE WHEN x.tenant_id IS NOT NULL AND kt.row_id IS NULL THEN 'tenancy_tenant ' || x.tenant_id END), ''),
                   'note', CASE WHEN nullif(x.dns_name, '') IS NOT NULL AND mountaineer.netbox_fqdn(x.dns_name) IS NULL
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
