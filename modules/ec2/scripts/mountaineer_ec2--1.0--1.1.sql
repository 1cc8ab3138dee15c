-- mountaineer_ec2 1.0 -> 1.1: ec2_import() takes the document's three
-- outputs (Vpcs, Subnets, Reservations) out of it once: a document read
-- from a table was fetched and decompressed again for each of its passes.
\echo Use "ALTER EXTENSION mountaineer_ec2 UPDATE TO '1.1'" to load this file. \quit

CREATE OR REPLACE FUNCTION mountaineer.ec2_import(document jsonb, prune boolean DEFAULT false, region text DEFAULT NULL)
    RETURNS TABLE (object text, inserted integer, updated integer, unchanged integer, removed integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET jit = off               -- JSON walks the planner cannot size: compiling took 30 s for an empty document
AS $$
DECLARE
    id_form   CONSTANT text := '-[0-9a-f]{8}(?:[0-9a-f]{9})?$';
    label     CONSTANT text := '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';   -- at most 63 characters: checked apart
    reg       text := ec2_import.region;
    src       text;
    bad       record;
    msg       text;
    env_id    uuid;
    cl_id     uuid;
    has_vpcs  boolean;
    has_subs  boolean;
    has_insts boolean;
    b_vpc     jsonb;
    b_vcidr   jsonb;
    b_sub     jsonb;
    b_sub6    jsonb;
    b_esub    jsonb;
    b_host    jsonb;
    b_inst    jsonb;
    b_addr    jsonb;
    counts    jsonb := '[]'::jsonb;
    -- the three outputs, taken out of the document once: a document read
    -- from a table is fetched and decompressed again at each use of it
    doc_vpcs    jsonb;
    doc_subnets jsonb;
    doc_resvs   jsonb;
BEGIN
    IF document IS NULL OR prune IS NULL THEN
        RAISE EXCEPTION 'ec2_import: document and prune must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF jsonb_typeof(document) <> 'object' THEN
        RAISE EXCEPTION 'ec2_import: $ must be an object (what aws ec2 describe-vpcs, describe-subnets or describe-instances prints), not %',
            jsonb_typeof(document)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    doc_vpcs := document -> 'Vpcs';
    doc_subnets := document -> 'Subnets';
    doc_resvs := document -> 'Reservations';
    IF doc_vpcs IS NULL AND doc_subnets IS NULL AND doc_resvs IS NULL THEN
        RAISE EXCEPTION 'ec2_import: $ has none of the keys Vpcs, Subnets and Reservations'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass what aws ec2 describe-vpcs, describe-subnets or describe-instances prints, or an object holding several of them.';
    END IF;
    IF reg IS NOT NULL AND mountaineer.ec2_region(reg || 'a') IS NULL THEN
        RAISE EXCEPTION 'ec2_import: % is not an AWS region name', mountaineer.excerpt(reg)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    ----------------------------------------------------------------------
    -- The document's shape: every value the import reads, with its JSON
    -- path and what it must be.  The first one that is not is refused.
    ----------------------------------------------------------------------
    WITH vpc AS (
        SELECT format('$.Vpcs[%s]', e.o - 1) AS path, ARRAY[1, e.o::int] AS ord, e.v
          FROM jsonb_array_elements(CASE jsonb_typeof(doc_vpcs) WHEN 'array' THEN doc_vpcs END) WITH ORDINALITY AS e(v, o)
    ), sub AS (
        SELECT format('$.Subnets[%s]', e.o - 1) AS path, ARRAY[2, e.o::int] AS ord, e.v
          FROM jsonb_array_elements(CASE jsonb_typeof(doc_subnets) WHEN 'array' THEN doc_subnets END) WITH ORDINALITY AS e(v, o)
    ), res AS (
        SELECT format('$.Reservations[%s]', e.o - 1) AS path, ARRAY[3, e.o::int] AS ord, e.v
          FROM jsonb_array_elements(CASE jsonb_typeof(doc_resvs) WHEN 'array' THEN doc_resvs END) WITH ORDINALITY AS e(v, o)
    ), inst AS (
        SELECT format('%s.Instances[%s]', r.path, e.o - 1) AS path, r.ord || e.o::int AS ord, e.v
          FROM res r, jsonb_array_elements(CASE jsonb_typeof(r.v -> 'Instances') WHEN 'array' THEN r.v -> 'Instances' END) WITH ORDINALITY AS e(v, o)
    ), eni AS (
        SELECT format('%s.NetworkInterfaces[%s]', i.path, e.o - 1) AS path, i.ord || 100 || e.o::int AS ord, e.v
          FROM inst i, jsonb_array_elements(CASE jsonb_typeof(i.v -> 'NetworkInterfaces') WHEN 'array' THEN i.v -> 'NetworkInterfaces' END) WITH ORDINALITY AS e(v, o)
    ), priv AS (
        SELECT format('%s.PrivateIpAddresses[%s]', n.path, e.o - 1) AS path, n.ord || 10 || e.o::int AS ord, e.v
          FROM eni n, jsonb_array_elements(CASE jsonb_typeof(n.v -> 'PrivateIpAddresses') WHEN 'array' THEN n.v -> 'PrivateIpAddresses' END) WITH ORDINALITY AS e(v, o)
    ), v6 AS (
        SELECT format('%s.Ipv6Addresses[%s]', n.path, e.o - 1) AS path, n.ord || 20 || e.o::int AS ord, e.v
          FROM eni n, jsonb_array_elements(CASE jsonb_typeof(n.v -> 'Ipv6Addresses') WHEN 'array' THEN n.v -> 'Ipv6Addresses' END) WITH ORDINALITY AS e(v, o)
    ), blocks AS (
        SELECT format('%s.%s[%s]', x.path, s.k, e.o - 1) AS path, x.ord || s.n || e.o::int AS ord, e.v, s.f
          FROM (SELECT * FROM vpc UNION ALL SELECT * FROM sub) x,
               (VALUES ('CidrBlockAssociationSet', 'CidrBlock', 10), ('Ipv6CidrBlockAssociationSet', 'Ipv6CidrBlock', 11)) s(k, f, n),
               jsonb_array_elements(CASE jsonb_typeof(x.v -> s.k) WHEN 'array' THEN x.v -> s.k END) WITH ORDINALITY AS e(v, o)
    ), tagged AS (
        SELECT format('%s.Tags[%s]', x.path, e.o - 1) AS path, x.ord || 50 || e.o::int AS ord, e.v
          FROM (SELECT * FROM vpc UNION ALL SELECT * FROM sub UNION ALL SELECT * FROM inst) x,
               jsonb_array_elements(CASE jsonb_typeof(x.v -> 'Tags') WHEN 'array' THEN x.v -> 'Tags' END) WITH ORDINALITY AS e(v, o)
    ), field (ord, path, v, want, required) AS (
        SELECT ARRAY[0, 1], '$.Vpcs', doc_vpcs, 'array', false
        UNION ALL SELECT ARRAY[0, 2], '$.Subnets', doc_subnets, 'array', false
        UNION ALL SELECT ARRAY[0, 3], '$.Reservations', doc_resvs, 'array', false
        -- VPCs
        UNION ALL SELECT ord || 0, path, v, 'object', true FROM vpc
        UNION ALL SELECT ord || 1, path || '.VpcId', v -> 'VpcId', 'vpc', true FROM vpc
        UNION ALL SELECT ord || 2, path || '.OwnerId', v -> 'OwnerId', 'account', false FROM vpc
        UNION ALL SELECT ord || 3, path || '.CidrBlock', v -> 'CidrBlock', 'cidr', NOT v ? 'CidrBlockAssociationSet' FROM vpc
        UNION ALL SELECT ord || 4, path || '.CidrBlockAssociationSet', v -> 'CidrBlockAssociationSet', 'array', false FROM vpc
        UNION ALL SELECT ord || 5, path || '.Ipv6CidrBlockAssociationSet', v -> 'Ipv6CidrBlockAssociationSet', 'array', false FROM vpc
        UNION ALL SELECT ord || 6, path || '.Tags', v -> 'Tags', 'array', false FROM vpc
        -- subnets
        UNION ALL SELECT ord || 0, path, v, 'object', true FROM sub
        UNION ALL SELECT ord || 1, path || '.SubnetId', v -> 'SubnetId', 'subnet', true FROM sub
        UNION ALL SELECT ord || 2, path || '.VpcId', v -> 'VpcId', 'vpc', true FROM sub
        UNION ALL SELECT ord || 3, path || '.CidrBlock', v -> 'CidrBlock', 'cidr', true FROM sub
        UNION ALL SELECT ord || 4, path || '.AvailabilityZone', v -> 'AvailabilityZone', 'az', true FROM sub
        UNION ALL SELECT ord || 5, path || '.AvailabilityZoneId', v -> 'AvailabilityZoneId', 'string', false FROM sub
        UNION ALL SELECT ord || 6, path || '.OwnerId', v -> 'OwnerId', 'account', false FROM sub
        UNION ALL SELECT ord || 7, path || '.State', v -> 'State', 'string', false FROM sub
        UNION ALL SELECT ord || 8, path || '.Ipv6CidrBlockAssociationSet', v -> 'Ipv6CidrBlockAssociationSet', 'array', false FROM sub
        UNION ALL SELECT ord || 9, path || '.Tags', v -> 'Tags', 'array', false FROM sub
        -- CIDR blocks of both, tags of all three
        UNION ALL SELECT ord || 0, path, v, 'object', true FROM blocks
        UNION ALL SELECT ord || 1, path || '.' || f, v -> f, 'cidr', true FROM blocks
        UNION ALL SELECT ord || 0, path, v, 'object', true FROM tagged
        UNION ALL SELECT ord || 1, path || '.Key', v -> 'Key', 'string', true FROM tagged
        UNION ALL SELECT ord || 2, path || '.Value', v -> 'Value', 'string', false FROM tagged
        -- reservations and instances
        UNION ALL SELECT ord || 0, path, v, 'object', true FROM res
        UNION ALL SELECT ord || 1, path || '.Instances', v -> 'Instances', 'array', true FROM res
        UNION ALL SELECT ord || 2, path || '.OwnerId', v -> 'OwnerId', 'account', false FROM res
        UNION ALL SELECT ord || 0, path, v, 'object', true FROM inst
        UNION ALL SELECT ord || 1, path || '.InstanceId', v -> 'InstanceId', 'instance', true FROM inst
        UNION ALL SELECT ord || 2, path || '.InstanceType', v -> 'InstanceType', 'type', true FROM inst
        UNION ALL SELECT ord || 3, path || '.State', v -> 'State', 'object', true FROM inst
        UNION ALL SELECT ord || 4, path || '.State.Name', v #> '{State,Name}', 'state', true FROM inst
        UNION ALL SELECT ord || 5, path || '.Placement', v -> 'Placement', 'object', true FROM inst
        UNION ALL SELECT ord || 6, path || '.Placement.AvailabilityZone', v #> '{Placement,AvailabilityZone}', 'az', true FROM inst
        UNION ALL SELECT ord || 7, path || '.ImageId', v -> 'ImageId', 'ami', false FROM inst
        UNION ALL SELECT ord || 8, path || '.LaunchTime', v -> 'LaunchTime', 'time', false FROM inst
        UNION ALL SELECT ord || 9, path || '.SubnetId', v -> 'SubnetId', 'subnet', false FROM inst
        UNION ALL SELECT ord || 10, path || '.VpcId', v -> 'VpcId', 'vpc', false FROM inst
        UNION ALL SELECT ord || 11, path || '.PrivateIpAddress', v -> 'PrivateIpAddress', 'inet', false FROM inst
        UNION ALL SELECT ord || 12, path || '.PrivateDnsName', v -> 'PrivateDnsName', 'string', false FROM inst
        UNION ALL SELECT ord || 13, path || '.PlatformDetails', v -> 'PlatformDetails', 'string', false FROM inst
        UNION ALL SELECT ord || 14, path || '.NetworkInterfaces', v -> 'NetworkInterfaces', 'array', false FROM inst
        UNION ALL SELECT ord || 15, path || '.Tags', v -> 'Tags', 'array', false FROM inst
        -- their network interfaces and addresses
        UNION ALL SELECT ord || 0, path, v, 'object', true FROM eni
        UNION ALL SELECT ord || 1, path || '.NetworkInterfaceId', v -> 'NetworkInterfaceId', 'eni', true FROM eni
        UNION ALL SELECT ord || 2, path || '.VpcId', v -> 'VpcId', 'vpc', true FROM eni
        UNION ALL SELECT ord || 3, path || '.PrivateIpAddresses', v -> 'PrivateIpAddresses', 'array', false FROM eni
        UNION ALL SELECT ord || 4, path || '.Ipv6Addresses', v -> 'Ipv6Addresses', 'array', false FROM eni
        UNION ALL SELECT ord || 0, path, v, 'object', true FROM priv
        UNION ALL SELECT ord || 1, path || '.PrivateIpAddress', v -> 'PrivateIpAddress', 'inet', true FROM priv
        UNION ALL SELECT ord || 2, path || '.Association', v -> 'Association', 'object', false FROM priv
        UNION ALL SELECT ord || 3, path || '.Association.PublicIp', v #> '{Association,PublicIp}', 'inet', false FROM priv
        UNION ALL SELECT ord || 0, path, v, 'object', true FROM v6
        UNION ALL SELECT ord || 1, path || '.Ipv6Address', v -> 'Ipv6Address', 'inet', true FROM v6
    ), problem AS (
        SELECT f.ord, f.path, f.v, f.want,
               CASE WHEN f.v IS NULL OR f.v = 'null' THEN CASE WHEN f.required THEN 'missing' END
                    WHEN f.want IN ('array', 'object') THEN CASE WHEN jsonb_typeof(f.v) <> f.want THEN 'type' END
                    WHEN jsonb_typeof(f.v) <> 'string' THEN 'type'
                    WHEN f.want = 'string' THEN NULL
                    WHEN CASE f.want
                         WHEN 'vpc' THEN f.v #>> '{}' ~ ('^vpc' || id_form)
                         WHEN 'subnet' THEN f.v #>> '{}' ~ ('^subnet' || id_form)
                         WHEN 'instance' THEN f.v #>> '{}' ~ ('^i' || id_form)
                         WHEN 'eni' THEN f.v #>> '{}' ~ ('^eni' || id_form)
                         WHEN 'ami' THEN f.v #>> '{}' ~ ('^ami' || id_form)
                         WHEN 'account' THEN f.v #>> '{}' ~ '^[0-9]{12}$'
                         WHEN 'type' THEN f.v #>> '{}' ~ '^[a-z0-9-]+\.[a-z0-9-]+$'
                         WHEN 'state' THEN f.v #>> '{}' IN ('pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped')
                         WHEN 'az' THEN mountaineer.ec2_region(f.v #>> '{}') IS NOT NULL
                         WHEN 'cidr' THEN f.v #>> '{}' ~ '^[0-9A-Fa-f:.]+/[0-9]{1,3}$'
                         WHEN 'inet' THEN f.v #>> '{}' ~ '^[0-9A-Fa-f:.]+$'
                         WHEN 'time' THEN f.v #>> '{}' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2})$'
                         END THEN NULL
                    ELSE 'form' END AS what
          FROM field f
    )
    SELECT p.path, p.what, p.want, p.v INTO bad FROM problem p WHERE p.what IS NOT NULL ORDER BY p.ord LIMIT 1;
    IF FOUND THEN
        IF bad.what = 'missing' THEN
            RAISE EXCEPTION 'ec2_import: % is missing', bad.path USING ERRCODE = 'invalid_parameter_value';
        ELSIF bad.what = 'type' THEN
            RAISE EXCEPTION 'ec2_import: % must be %, not %', bad.path,
                CASE bad.want WHEN 'array' THEN 'an array' WHEN 'object' THEN 'an object' ELSE 'a string' END, jsonb_typeof(bad.v)
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        RAISE EXCEPTION 'ec2_import: %: % is not %', bad.path, mountaineer.excerpt(bad.v #>> '{}'),
            CASE bad.want
            WHEN 'vpc' THEN 'a VPC id (vpc- and 8 or 17 hexadecimal digits)'
            WHEN 'subnet' THEN 'a subnet id (subnet- and 8 or 17 hexadecimal digits)'
            WHEN 'instance' THEN 'an instance id (i- and 8 or 17 hexadecimal digits)'
            WHEN 'eni' THEN 'a network interface id (eni- and 8 or 17 hexadecimal digits)'
            WHEN 'ami' THEN 'an image id (ami- and 8 or 17 hexadecimal digits)'
            WHEN 'account' THEN 'an AWS account id (12 digits)'
            WHEN 'type' THEN 'an instance type (family.size)'
            WHEN 'state' THEN 'an instance state (pending, running, shutting-down, terminated, stopping, stopped)'
            WHEN 'az' THEN 'an availability zone'
            WHEN 'cidr' THEN 'a CIDR block'
            WHEN 'inet' THEN 'an IP address'
            ELSE 'an ISO 8601 time' END
            USING ERRCODE = 'invalid_text_representation';
    END IF;

    has_vpcs := jsonb_typeof(doc_vpcs) = 'array';
    has_subs := jsonb_typeof(doc_subnets) = 'array';
    has_insts := jsonb_typeof(doc_resvs) = 'array';

    -- the values of the right shape must also parse: all at once, and on
    -- failure one by one to name the first that does not
    BEGIN
        PERFORM count((b.v ->> f.k)::cidr)
          FROM jsonb_array_elements(coalesce(doc_vpcs, '[]') || coalesce(doc_subnets, '[]')) AS x(v),
               LATERAL (SELECT x.v
                        UNION ALL
                        SELECT e.v FROM jsonb_array_elements(coalesce(x.v -> 'CidrBlockAssociationSet', '[]')
                                                             || coalesce(x.v -> 'Ipv6CidrBlockAssociationSet', '[]')) e(v)) AS b(v),
               (VALUES ('CidrBlock'), ('Ipv6CidrBlock')) f(k);
        PERFORM count((i.v ->> 'LaunchTime')::timestamptz), count((i.v ->> 'PrivateIpAddress')::inet),
                count((p.v ->> 'PrivateIpAddress')::inet), count((p.v #>> '{Association,PublicIp}')::inet), count((p.v ->> 'Ipv6Address')::inet)
          FROM jsonb_array_elements(coalesce(doc_resvs, '[]')) AS r(v),
               jsonb_array_elements(r.v -> 'Instances') AS i(v)
          LEFT JOIN LATERAL jsonb_array_elements(coalesce(i.v -> 'NetworkInterfaces', '[]')) n(v) ON true
          LEFT JOIN LATERAL jsonb_array_elements(coalesce(n.v -> 'PrivateIpAddresses', '[]') || coalesce(n.v -> 'Ipv6Addresses', '[]')) p(v) ON true;
    EXCEPTION WHEN data_exception THEN
        GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
        FOR bad IN
            WITH x AS (
                SELECT format('$.%s[%s]', s.k, e.o - 1) AS path, ARRAY[s.n, e.o::int] AS ord, e.v
                  FROM (VALUES ('Vpcs', 1), ('Subnets', 2)) s(k, n),
                       jsonb_array_elements(coalesce(CASE s.k WHEN 'Vpcs' THEN doc_vpcs WHEN 'Subnets' THEN doc_subnets END, '[]')) WITH ORDINALITY AS e(v, o)
            ), i AS (
                SELECT format('$.Reservations[%s].Instances[%s]', r.o - 1, e.o - 1) AS path, ARRAY[3, r.o::int, e.o::int] AS ord, e.v
                  FROM jsonb_array_elements(coalesce(doc_resvs, '[]')) WITH ORDINALITY AS r(v, o),
                       jsonb_array_elements(r.v -> 'Instances') WITH ORDINALITY AS e(v, o)
            ), n AS (
                SELECT format('%s.NetworkInterfaces[%s]', i.path, e.o - 1) AS path, i.ord || e.o::int AS ord, e.v
                  FROM i, jsonb_array_elements(coalesce(i.v -> 'NetworkInterfaces', '[]')) WITH ORDINALITY AS e(v, o)
            )
            SELECT x.path || '.CidrBlock' AS path, x.ord AS ord, x.v ->> 'CidrBlock' AS v, 'cidr' AS t FROM x WHERE x.v ? 'CidrBlock'
            UNION ALL
            SELECT format('%s.%s[%s].%s', x.path, s.k, e.o - 1, s.f), x.ord || s.n || e.o::int, e.v ->> s.f, 'cidr'
              FROM x, (VALUES ('CidrBlockAssociationSet', 'CidrBlock', 1), ('Ipv6CidrBlockAssociationSet', 'Ipv6CidrBlock', 2)) s(k, f, n),
                   jsonb_array_elements(coalesce(x.v -> s.k, '[]')) WITH ORDINALITY AS e(v, o)
            UNION ALL
            SELECT i.path || '.PrivateIpAddress', i.ord || 0, i.v ->> 'PrivateIpAddress', 'inet' FROM i
            UNION ALL
            SELECT i.path || '.LaunchTime', i.ord || 0, i.v ->> 'LaunchTime', 'time' FROM i
            UNION ALL
            SELECT format('%s.PrivateIpAddresses[%s].PrivateIpAddress', n.path, e.o - 1), n.ord || 1 || e.o::int, e.v ->> 'PrivateIpAddress', 'inet'
              FROM n, jsonb_array_elements(coalesce(n.v -> 'PrivateIpAddresses', '[]')) WITH ORDINALITY AS e(v, o)
            UNION ALL
            SELECT format('%s.PrivateIpAddresses[%s].Association.PublicIp', n.path, e.o - 1), n.ord || 1 || e.o::int, e.v #>> '{Association,PublicIp}', 'inet'
              FROM n, jsonb_array_elements(coalesce(n.v -> 'PrivateIpAddresses', '[]')) WITH ORDINALITY AS e(v, o)
            UNION ALL
            SELECT format('%s.Ipv6Addresses[%s].Ipv6Address', n.path, e.o - 1), n.ord || 2 || e.o::int, e.v ->> 'Ipv6Address', 'inet'
              FROM n, jsonb_array_elements(coalesce(n.v -> 'Ipv6Addresses', '[]')) WITH ORDINALITY AS e(v, o)
            ORDER BY 2
        LOOP
            CONTINUE WHEN bad.v IS NULL;
            BEGIN
                CASE bad.t
                WHEN 'cidr' THEN PERFORM bad.v::cidr;
                WHEN 'inet' THEN PERFORM bad.v::inet;
                ELSE PERFORM bad.v::timestamptz;
                END CASE;
            EXCEPTION WHEN data_exception THEN
                GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
                RAISE EXCEPTION 'ec2_import: %: %', bad.path, msg USING ERRCODE = 'invalid_text_representation';
            END;
        END LOOP;
        RAISE EXCEPTION 'ec2_import: %', msg USING ERRCODE = 'invalid_text_representation';
    END;

    ----------------------------------------------------------------------
    -- The region: the one of every availability zone, and of the argument
    ----------------------------------------------------------------------
    WITH az AS (
        SELECT ARRAY[1, e.o::int] AS ord, format('$.Subnets[%s].AvailabilityZone', e.o - 1) AS path, e.v ->> 'AvailabilityZone' AS az
          FROM jsonb_array_elements(coalesce(doc_subnets, '[]')) WITH ORDINALITY AS e(v, o)
        UNION ALL
        SELECT ARRAY[2, r.o::int, e.o::int], format('$.Reservations[%s].Instances[%s].Placement.AvailabilityZone', r.o - 1, e.o - 1),
               e.v #>> '{Placement,AvailabilityZone}'
          FROM jsonb_array_elements(coalesce(doc_resvs, '[]')) WITH ORDINALITY AS r(v, o),
               jsonb_array_elements(r.v -> 'Instances') WITH ORDINALITY AS e(v, o)
    ), first AS (
        SELECT coalesce(reg, (SELECT mountaineer.ec2_region(az.az) FROM az ORDER BY az.ord LIMIT 1)) AS region
    )
    SELECT f.region, x.path, x.az INTO bad
      FROM first f LEFT JOIN LATERAL (SELECT az.path, az.az FROM az WHERE mountaineer.ec2_region(az.az) <> f.region
                                       ORDER BY az.ord LIMIT 1) x ON true;
    reg := bad.region;
    IF bad.path IS NOT NULL THEN
        RAISE EXCEPTION 'ec2_import: %: % is not in region % (one import, one region)', bad.path, mountaineer.excerpt(bad.az), reg
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF reg IS NULL THEN
        RAISE EXCEPTION 'ec2_import: the document names no availability zone, so its region is unknown'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the region: ec2_import(document, region => ''eu-west-1'').';
    END IF;
    src := 'aws:' || reg;

    -- the region's cluster first: its import_source row, locked by
    -- import_rows(), makes imports of one region wait for each other
    SELECT counts || to_jsonb(c) INTO counts
      FROM mountaineer.import_rows(src, 'region', 'mountaineer.cluster',
               jsonb_build_array(jsonb_build_object('key', reg, 'path', '$',
                   'row', jsonb_build_object('name', 'aws ' || reg, 'kind', 'ec2',
                                             'description', 'AWS EC2 region ' || reg || ' (ec2_import)')))) c;

    ----------------------------------------------------------------------
    -- VPCs: a VRF each, their CIDR blocks container prefixes in it
    ----------------------------------------------------------------------
    IF has_vpcs THEN
        WITH v AS (
            SELECT e.o, format('$.Vpcs[%s]', e.o - 1) AS path, e.v ->> 'VpcId' AS vpc, e.v ->> 'OwnerId' AS owner,
                   mountaineer.ec2_tags(e.v -> 'Tags') ->> 'Name' AS name, k.row_id
              FROM jsonb_array_elements(doc_vpcs) WITH ORDINALITY AS e(v, o)
              LEFT JOIN mountaineer.import_key k ON k.source = src AND k.kind = 'vpc' AND k.key = e.v ->> 'VpcId'
        ), named AS (
            SELECT v.*, count(*) OVER (PARTITION BY v.name) AS uses FROM v
        )
        SELECT jsonb_agg(jsonb_build_object('key', n.vpc, 'path', n.path, 'row', jsonb_build_object(
                   'name', CASE WHEN mountaineer.is_valid_name(n.name) AND n.uses = 1
                                 AND NOT EXISTS (SELECT FROM mountaineer.vrf x WHERE x.name = n.name AND x.id IS DISTINCT FROM n.row_id)
                                THEN n.name ELSE n.vpc END,
                   'description', format('AWS VPC %s in %s%s', n.vpc, reg, ', account ' || n.owner))) ORDER BY n.o)
          INTO b_vpc FROM named n;
        SELECT counts || to_jsonb(c) INTO counts
          FROM mountaineer.import_rows(src, 'vpc', 'mountaineer.vrf', coalesce(b_vpc, '[]')) c;

        -- the blocks still associated (AWS lists a disassociated one for a while)
        WITH b AS (
            SELECT e.o, format('$.Vpcs[%s]', e.o - 1) AS path, e.v ->> 'VpcId' AS vpc, e.v ->> 'CidrBlock' AS cidr
              FROM jsonb_array_elements(doc_vpcs) WITH ORDINALITY AS e(v, o)
             WHERE NOT e.v ? 'CidrBlockAssociationSet'
            UNION ALL
            SELECT e.o * 1000 + c.o, format('$.Vpcs[%s].%s[%s]', e.o - 1, s.k, c.o - 1), e.v ->> 'VpcId', c.v ->> s.f
              FROM jsonb_array_elements(doc_vpcs) WITH ORDINALITY AS e(v, o),
                   (VALUES ('CidrBlockAssociationSet', 'CidrBlock', 'CidrBlockState'),
                           ('Ipv6CidrBlockAssociationSet', 'Ipv6CidrBlock', 'Ipv6CidrBlockState')) s(k, f, st),
                   jsonb_array_elements(coalesce(e.v -> s.k, '[]')) WITH ORDINALITY AS c(v, o)
             WHERE coalesce(c.v #>> ARRAY[s.st, 'State'], 'associated') IN ('associating', 'associated')
        )
        SELECT jsonb_agg(jsonb_build_object('key', b.vpc || ' ' || b.cidr::cidr, 'path', b.path, 'row', jsonb_build_object(
                   'vrf_id', k.row_id, 'prefix', b.cidr::cidr, 'status', 'container',
                   'description', 'AWS VPC ' || b.vpc)) ORDER BY b.o)
          INTO b_vcidr
          FROM b JOIN mountaineer.import_key k ON k.source = src AND k.kind = 'vpc' AND k.key = b.vpc;
        SELECT counts || to_jsonb(c) INTO counts
          FROM mountaineer.import_rows(src, 'vpc_cidr', 'mountaineer.prefix', coalesce(b_vcidr, '[]')) c;
    END IF;

    ----------------------------------------------------------------------
    -- Subnets: a prefix in their VPC's VRF (and one per IPv6 block), and
    -- an ec2_subnet row
    ----------------------------------------------------------------------
    IF has_subs THEN
        SELECT format('$.Subnets[%s].VpcId', e.o - 1) AS path, e.v ->> 'VpcId' AS vpc INTO bad
          FROM jsonb_array_elements(doc_subnets) WITH ORDINALITY AS e(v, o)
         WHERE NOT EXISTS (SELECT FROM mountaineer.import_key k WHERE k.source = src AND k.kind = 'vpc' AND k.key = e.v ->> 'VpcId')
         ORDER BY e.o LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'ec2_import: %: VPC % has not been imported from %', bad.path, bad.vpc, src
                USING ERRCODE = 'foreign_key_violation',
                      HINT = 'Import what aws ec2 describe-vpcs prints first, or in the same document.';
        END IF;
        WITH s AS (
            SELECT e.o, format('$.Subnets[%s]', e.o - 1) AS path, e.v, k.row_id AS vrf_id,
                   CASE WHEN mountaineer.is_valid_name(mountaineer.ec2_tags(e.v -> 'Tags') ->> 'Name', 200)
                        THEN mountaineer.ec2_tags(e.v -> 'Tags') ->> 'Name' ELSE e.v ->> 'SubnetId' END AS description
              FROM jsonb_array_elements(doc_subnets) WITH ORDINALITY AS e(v, o)
              JOIN mountaineer.import_key k ON k.source = src AND k.kind = 'vpc' AND k.key = e.v ->> 'VpcId'
        )
        SELECT jsonb_agg(jsonb_build_object('key', s.v ->> 'SubnetId', 'path', s.path, 'row', jsonb_build_object(
                   'vrf_id', s.vrf_id, 'prefix', (s.v ->> 'CidrBlock')::cidr, 'status', 'active', 'description', s.description))
                   ORDER BY s.o),
               (SELECT jsonb_agg(jsonb_build_object('key', (t.v ->> 'SubnetId') || ' ' || (b.v ->> 'Ipv6CidrBlock')::cidr,
                                                    'path', format('%s.Ipv6CidrBlockAssociationSet[%s]', t.path, b.o - 1),
                                                    'row', jsonb_build_object(
                           'vrf_id', t.vrf_id, 'prefix', (b.v ->> 'Ipv6CidrBlock')::cidr, 'status', 'active', 'description', t.description))
                           ORDER BY t.o, b.o)
                  FROM s t, jsonb_array_elements(coalesce(t.v -> 'Ipv6CidrBlockAssociationSet', '[]')) WITH ORDINALITY AS b(v, o)
                 WHERE coalesce(b.v #>> '{Ipv6CidrBlockState,State}', 'associated') IN ('associating', 'associated'))
          INTO b_sub, b_sub6
          FROM s;
        SELECT counts || to_jsonb(c) INTO counts
          FROM mountaineer.import_rows(src, 'subnet', 'mountaineer.prefix', coalesce(b_sub, '[]')) c;
        SELECT counts || to_jsonb(c) INTO counts
          FROM mountaineer.import_rows(src, 'subnet_ipv6', 'mountaineer.prefix', coalesce(b_sub6, '[]')) c;

        SELECT jsonb_agg(jsonb_build_object('key', e.v ->> 'SubnetId', 'path', format('$.Subnets[%s]', e.o - 1), 'row', jsonb_build_object(
                   'subnet_id', e.v ->> 'SubnetId', 'prefix_id', k.row_id, 'vpc_id', e.v ->> 'VpcId',
                   'availability_zone', e.v ->> 'AvailabilityZone', 'availability_zone_id', e.v ->> 'AvailabilityZoneId',
                   'owner_id', e.v ->> 'OwnerId', 'state', e.v ->> 'State', 'tags', mountaineer.ec2_tags(e.v -> 'Tags'))) ORDER BY e.o)
          INTO b_esub
          FROM jsonb_array_elements(doc_subnets) WITH ORDINALITY AS e(v, o)
          JOIN mountaineer.import_key k ON k.source = src AND k.kind = 'subnet' AND k.key = e.v ->> 'SubnetId';
        SELECT counts || to_jsonb(c) INTO counts
          FROM mountaineer.import_rows(src, 'ec2_subnet', 'mountaineer.ec2_subnet', coalesce(b_esub, '[]')) c;
    END IF;

    ----------------------------------------------------------------------
    -- Instances: a host on the region's cluster, an ec2_instance row, and
    -- their addresses
    ----------------------------------------------------------------------
    IF has_insts THEN
        SELECT format('$.Reservations[%s].Instances[%s].NetworkInterfaces[%s].VpcId', r.o - 1, i.o - 1, n.o - 1) AS path,
               n.v ->> 'VpcId' AS vpc INTO bad
          FROM jsonb_array_elements(doc_resvs) WITH ORDINALITY AS r(v, o),
               jsonb_array_elements(r.v -> 'Instances') WITH ORDINALITY AS i(v, o),
               jsonb_array_elements(coalesce(i.v -> 'NetworkInterfaces', '[]')) WITH ORDINALITY AS n(v, o)
         WHERE NOT EXISTS (SELECT FROM mountaineer.import_key k WHERE k.source = src AND k.kind = 'vpc' AND k.key = n.v ->> 'VpcId')
         ORDER BY r.o, i.o, n.o LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'ec2_import: %: VPC % has not been imported from %', bad.path, bad.vpc, src
                USING ERRCODE = 'foreign_key_violation',
                      HINT = 'Import what aws ec2 describe-vpcs prints first, or in the same document.';
        END IF;

        SELECT k.row_id INTO cl_id FROM mountaineer.import_key k WHERE k.source = src AND k.kind = 'region' AND k.key = reg;
        -- new hosts go into the environment aws (made on first use; the
        -- first imports of two regions at once make it once: the second
        -- waits for the first's row, then reads it); a host moved to
        -- another environment stays there
        SELECT e.id INTO env_id FROM mountaineer.environment e WHERE e.name = 'aws';
        IF NOT FOUND THEN
            INSERT INTO mountaineer.environment (name, description)
            VALUES ('aws', 'Hosts of AWS EC2 instances (ec2_import); move one to another environment and the import leaves it there')
            ON CONFLICT (name) DO NOTHING
            RETURNING id INTO env_id;
            IF env_id IS NULL THEN
                SELECT e.id INTO STRICT env_id FROM mountaineer.environment e WHERE e.name = 'aws';
            END IF;
        END IF;

        -- the hostname: the Name tag when it is a host name and unique (a
        -- single label gets the instance's private DNS domain), else the
        -- instance id in that domain
        WITH i AS (
            SELECT r.o * 100000 + x.o AS o, format('$.Reservations[%s].Instances[%s]', r.o - 1, x.o - 1) AS path, x.v,
                   lower(mountaineer.ec2_tags(x.v -> 'Tags') ->> 'Name') AS name,
                   coalesce(substring(lower(x.v ->> 'PrivateDnsName') FROM '^[^.]+\.(.+)$'),
                            CASE reg WHEN 'us-east-1' THEN 'ec2.internal' ELSE reg || '.compute.internal' END) AS domain,
                   k.row_id
              FROM jsonb_array_elements(doc_resvs) WITH ORDINALITY AS r(v, o),
                   jsonb_array_elements(r.v -> 'Instances') WITH ORDINALITY AS x(v, o)
              LEFT JOIN mountaineer.import_key k ON k.source = src AND k.kind = 'instance' AND k.key = x.v ->> 'InstanceId'
        ), wanted AS (
            SELECT i.*, CASE WHEN i.name ~ '[^.]{64}' THEN NULL
                             WHEN i.name ~ ('^' || label || '$') THEN i.name || '.' || i.domain
                             WHEN i.name ~ ('^' || label || '(?:\.' || label || ')+$') AND length(i.name) <= 253 THEN i.name END AS want
              FROM i
        ), named AS (
            SELECT w.*, count(*) OVER (PARTITION BY w.want) AS uses FROM wanted w
        )
        SELECT jsonb_agg(jsonb_build_object('key', n.v ->> 'InstanceId', 'path', n.path, 'row', jsonb_build_object(
                   'hostname', CASE WHEN n.want IS NOT NULL AND n.uses = 1
                                     AND NOT EXISTS (SELECT FROM mountaineer.host h WHERE h.hostname = n.want AND h.id IS DISTINCT FROM n.row_id)
                                    THEN n.want ELSE lower(n.v ->> 'InstanceId') || '.' || n.domain END,
                   'environment_id', coalesce((SELECT h.environment_id FROM mountaineer.host h WHERE h.id = n.row_id), env_id),
                   'cluster_id', cl_id,
                   'kind', 'virtual_machine',
                   'status', CASE n.v #>> '{State,Name}' WHEN 'pending' THEN 'planned' WHEN 'running' THEN 'active'
                                 WHEN 'stopping' THEN 'offline' WHEN 'stopped' THEN 'offline'
                                 ELSE 'decommissioning' END,   -- shutting-down, terminated
                   'operating_system', CASE WHEN mountaineer.is_valid_name(n.v ->> 'PlatformDetails') THEN n.v ->> 'PlatformDetails' END))
                   ORDER BY n.o)
          INTO b_host FROM named n;
        SELECT counts || to_jsonb(c) INTO counts
          FROM mountaineer.import_rows(src, 'instance', 'mountaineer.host', coalesce(b_host, '[]')) c;

        SELECT jsonb_agg(jsonb_build_object('key', x.v ->> 'InstanceId', 'path', format('$.Reservations[%s].Instances[%s]', r.o - 1, x.o - 1),
                   'row', jsonb_build_object(
                   'instance_id', x.v ->> 'InstanceId', 'host_id', k.row_id, 'instance_type', x.v ->> 'InstanceType',
                   'state', x.v #>> '{State,Name}', 'availability_zone', x.v #>> '{Placement,AvailabilityZone}',
                   'image_id', x.v ->> 'ImageId', 'launch_time', (x.v ->> 'LaunchTime')::timestamptz,
                   'subnet_id', (SELECT s.id FROM mountaineer.ec2_subnet s WHERE s.subnet_id = x.v ->> 'SubnetId'),
                   'vpc_id', x.v ->> 'VpcId', 'owner_id', r.v ->> 'OwnerId', 'tags', mountaineer.ec2_tags(x.v -> 'Tags')))
                   ORDER BY r.o, x.o)
          INTO b_inst
          FROM jsonb_array_elements(doc_resvs) WITH ORDINALITY AS r(v, o),
               jsonb_array_elements(r.v -> 'Instances') WITH ORDINALITY AS x(v, o)
          JOIN mountaineer.import_key k ON k.source = src AND k.kind = 'instance' AND k.key = x.v ->> 'InstanceId';
        SELECT counts || to_jsonb(c) INTO counts
          FROM mountaineer.import_rows(src, 'ec2_instance', 'mountaineer.ec2_instance', coalesce(b_inst, '[]')) c;

        -- private addresses (the instance's primary one canonical) and IPv6
        -- addresses in the VPC's VRF, public ones in the global table; each
        -- with the mask of its network, as ip_address stores it
        WITH n AS (
            SELECT r.o * 100000 + x.o AS o, format('$.Reservations[%s].Instances[%s].NetworkInterfaces[%s]', r.o - 1, x.o - 1, e.o - 1) AS path,
                   e.o AS eo, e.v, e.v ->> 'VpcId' AS e_vpc, x.v ->> 'PrivateIpAddress' AS primary_ip, k.row_id AS host_id, v.row_id AS vrf_id
              FROM jsonb_array_elements(doc_resvs) WITH ORDINALITY AS r(v, o),
                   jsonb_array_elements(r.v -> 'Instances') WITH ORDINALITY AS x(v, o)
              JOIN mountaineer.import_key k ON k.source = src AND k.kind = 'instance' AND k.key = x.v ->> 'InstanceId',
                   jsonb_array_elements(coalesce(x.v -> 'NetworkInterfaces', '[]')) WITH ORDINALITY AS e(v, o)
              JOIN mountaineer.import_key v ON v.source = src AND v.kind = 'vpc' AND v.key = e.v ->> 'VpcId'
        ), a AS (
            SELECT n.o, n.eo, 1 AS kind, p.o AS po, format('%s.PrivateIpAddresses[%s]', n.path, p.o - 1) AS path,
                   n.vrf_id, n.e_vpc, (p.v ->> 'PrivateIpAddress')::inet AS ip, n.host_id,
                   p.v ->> 'PrivateIpAddress' = n.primary_ip AS canonical, n.v ->> 'NetworkInterfaceId' AS eni
              FROM n, jsonb_array_elements(coalesce(n.v -> 'PrivateIpAddresses', '[]')) WITH ORDINALITY AS p(v, o)
            UNION ALL
            SELECT n.o, n.eo, 2, p.o, format('%s.Ipv6Addresses[%s]', n.path, p.o - 1),
                   n.vrf_id, n.e_vpc, (p.v ->> 'Ipv6Address')::inet, n.host_id, false, n.v ->> 'NetworkInterfaceId'
              FROM n, jsonb_array_elements(coalesce(n.v -> 'Ipv6Addresses', '[]')) WITH ORDINALITY AS p(v, o)
            UNION ALL
            SELECT n.o, n.eo, 3, p.o, format('%s.PrivateIpAddresses[%s].Association', n.path, p.o - 1),
                   NULL, 'public', (p.v #>> '{Association,PublicIp}')::inet, n.host_id, false, n.v ->> 'NetworkInterfaceId'
              FROM n, jsonb_array_elements(coalesce(n.v -> 'PrivateIpAddresses', '[]')) WITH ORDINALITY AS p(v, o)
             WHERE p.v #>> '{Association,PublicIp}' IS NOT NULL
        )
        SELECT jsonb_agg(jsonb_build_object('key', a.e_vpc || ' ' || host(a.ip), 'path', a.path, 'row', jsonb_build_object(
                   'vrf_id', a.vrf_id,
                   'address', set_masklen(a.ip, coalesce(masklen(o.prefix), CASE family(a.ip) WHEN 4 THEN 32 ELSE 128 END)),
                   'host_id', a.host_id, 'canonical', a.canonical, 'description', a.eni))
                   ORDER BY a.o, a.eo, a.kind, a.po)
          INTO b_addr
          FROM a LEFT JOIN LATERAL (
                   SELECT p.prefix FROM mountaineer.prefix p
                    WHERE mountaineer.vrf_key(p.vrf_id) = mountaineer.vrf_key(a.vrf_id) AND p.prefix >>= a.ip
                    ORDER BY masklen(p.prefix) DESC LIMIT 1) o ON true;
        SELECT counts || to_jsonb(c) INTO counts
          FROM mountaineer.import_rows(src, 'address', 'mountaineer.ip_address', coalesce(b_addr, '[]')) c;
    END IF;

    ----------------------------------------------------------------------
    -- Prune: what the region no longer has, of the kinds the document
    -- holds, children first (the batches again: unchanged, they write
    -- nothing).  A host others still refer to is kept and its instance
    -- marked terminated.
    ----------------------------------------------------------------------
    IF prune THEN
        IF has_insts THEN
            SELECT counts || to_jsonb(c) INTO counts
              FROM mountaineer.import_rows(src, 'address', 'mountaineer.ip_address', coalesce(b_addr, '[]'), true) c;
            -- a host that other rows still refer to is kept, decommissioning
            SELECT counts || to_jsonb(c) INTO counts
              FROM mountaineer.import_rows(src, 'instance', 'mountaineer.host', coalesce(b_host, '[]'), true,
                                           '{"status": "decommissioning"}') c;
            -- the instances of the hosts kept: terminated
            WITH kept AS (
                SELECT k.key, t.* FROM mountaineer.import_key k JOIN mountaineer.ec2_instance t ON t.id = k.row_id
                  LEFT JOIN jsonb_array_elements(coalesce(b_inst, '[]')) b ON b ->> 'key' = k.key
                 WHERE k.source = src AND k.kind = 'ec2_instance' AND b IS NULL
            )
            SELECT coalesce(b_inst, '[]') || coalesce(jsonb_agg(jsonb_build_object('key', kept.key,
                       'row', to_jsonb(kept) - '{key,id,slug}'::text[] || '{"state": "terminated"}')), '[]')
              INTO b_inst FROM kept;
            SELECT counts || to_jsonb(c) INTO counts
              FROM mountaineer.import_rows(src, 'ec2_instance', 'mountaineer.ec2_instance', b_inst, true) c;
        END IF;
        IF has_subs THEN
            SELECT counts || to_jsonb(c) INTO counts
              FROM mountaineer.import_rows(src, 'ec2_subnet', 'mountaineer.ec2_subnet', coalesce(b_esub, '[]'), true) c;
            SELECT counts || to_jsonb(c) INTO counts
              FROM mountaineer.import_rows(src, 'subnet_ipv6', 'mountaineer.prefix', coalesce(b_sub6, '[]'), true) c;
            SELECT counts || to_jsonb(c) INTO counts
              FROM mountaineer.import_rows(src, 'subnet', 'mountaineer.prefix', coalesce(b_sub, '[]'), true) c;
        END IF;
        IF has_vpcs THEN
            SELECT counts || to_jsonb(c) INTO counts
              FROM mountaineer.import_rows(src, 'vpc_cidr', 'mountaineer.prefix', coalesce(b_vcidr, '[]'), true) c;
            SELECT counts || to_jsonb(c) INTO counts
              FROM mountaineer.import_rows(src, 'vpc', 'mountaineer.vrf', coalesce(b_vpc, '[]'), true) c;
        END IF;
    END IF;

    -- one row per kind, in the order they were imported; the second pass
    -- adds what it wrote and removed, not what it found unchanged again
    RETURN QUERY
    SELECT c.object, sum(c.inserted)::integer, sum(c.updated)::integer,
           (array_agg(c.unchanged ORDER BY c.n))[1], sum(c.removed)::integer
      FROM jsonb_to_recordset((SELECT jsonb_agg(e || jsonb_build_object('n', o)) FROM jsonb_array_elements(counts) WITH ORDINALITY AS x(e, o)))
           AS c(n integer, object text, inserted integer, updated integer, unchanged integer, removed integer)
     GROUP BY c.object ORDER BY min(c.n);
END
$$;
