-- The EC2 import (mountaineer_ec2): a generated region of N = 10,000 ×
-- SCALE instances in one VPC of 40 subnets (a /22 each), in the shape aws
-- ec2 describe-instances prints (one network interface each, its private
-- address, a public one for every fourth), imported by ec2_import():
--   first:     the first import (hosts, ec2_instance rows, addresses);
--   unchanged: the same document again (must write nothing, log nothing);
--   5% changed: 5% of the instances resized (must update those rows only).
-- The floor (peer): a plain INSERT … SELECT of the same rows, walked out of
-- the same document, into bare tables of the same columns (no trigger, no
-- check, no key but the primary one).  Each figure: seconds (lower is
-- better), and rows per second of the rows an import saw.
\set QUIET on
\set ON_ERROR_STOP on
SET search_path = mountaineer, public;
SET client_min_messages = warning;
SELECT 10000 * :scale AS n \gset
\echo import_ec2: N = :n instances

CREATE TEMP TABLE bench_doc AS
SELECT jsonb_build_object('Vpcs', jsonb_build_array(jsonb_build_object(
           'VpcId', 'vpc-0be0c000000000001', 'OwnerId', '123456789012', 'CidrBlock', '10.100.0.0/16', 'State', 'available',
           'CidrBlockAssociationSet', jsonb_build_array(jsonb_build_object('AssociationId', 'vpc-cidr-assoc-0be0c000000000001',
               'CidrBlock', '10.100.0.0/16', 'CidrBlockState', jsonb_build_object('State', 'associated'))),
           'Tags', jsonb_build_array(jsonb_build_object('Key', 'Name', 'Value', 'bench vpc')))),
       'Subnets', (SELECT jsonb_agg(jsonb_build_object(
           'SubnetId', 'subnet-' || lpad(to_hex(s), 17, '0'), 'VpcId', 'vpc-0be0c000000000001', 'OwnerId', '123456789012',
           'CidrBlock', set_masklen(('10.100.0.0'::inet + s * 1024), 22)::cidr, 'AvailabilityZone', 'eu-central-1' || chr(97 + s % 3),
           'AvailabilityZoneId', 'euc1-az' || (1 + s % 3), 'State', 'available',
           'Tags', jsonb_build_array(jsonb_build_object('Key', 'Name', 'Value', 'bench subnet ' || s))) ORDER BY s)
           FROM generate_series(0, 39) s)) AS d;

CREATE FUNCTION pg_temp.instances(n integer, changed integer) RETURNS jsonb LANGUAGE sql AS $$
SELECT jsonb_build_object('Reservations', jsonb_agg(jsonb_build_object('OwnerId', '123456789012',
           'ReservationId', 'r-' || lpad(to_hex(g), 17, '0'), 'Groups', '[]'::jsonb,
           'Instances', jsonb_build_array(jsonb_build_object(
               'InstanceId', 'i-' || lpad(to_hex(g), 17, '0'),
               'InstanceType', CASE WHEN g % 100 < changed THEN 'm6i.xlarge' ELSE 'm6i.large' END,
               'ImageId', 'ami-0be0c000000000001', 'LaunchTime', '2026-11-01T12:00:00+00:00',
               'State', jsonb_build_object('Code', 16, 'Name', 'running'),
               'Placement', jsonb_build_object('AvailabilityZone', 'eu-central-1' || chr(97 + (g % 40) % 3), 'Tenancy', 'default'),
               'PrivateDnsName', 'ip-' || replace(host(a.ip), '.', '-') || '.eu-central-1.compute.internal',
               'PrivateIpAddress', host(a.ip), 'PlatformDetails', 'Linux/UNIX',
               'SubnetId', 'subnet-' || lpad(to_hex(g % 40), 17, '0'), 'VpcId', 'vpc-0be0c000000000001',
               'NetworkInterfaces', jsonb_build_array(jsonb_build_object(
                   'NetworkInterfaceId', 'eni-' || lpad(to_hex(g), 17, '0'), 'SubnetId', 'subnet-' || lpad(to_hex(g % 40), 17, '0'),
                   'VpcId', 'vpc-0be0c000000000001', 'Status', 'in-use', 'PrivateIpAddress', host(a.ip),
                   'PrivateIpAddresses', jsonb_build_array(jsonb_build_object('Primary', true, 'PrivateIpAddress', host(a.ip))
                       || CASE WHEN g % 4 = 0 THEN jsonb_build_object('Association', jsonb_build_object('IpOwnerId', 'amazon',
                              'PublicIp', host('198.18.0.0'::inet + g))) ELSE '{}' END),
                   'Ipv6Addresses', '[]'::jsonb)),
               'Tags', jsonb_build_array(jsonb_build_object('Key', 'Name', 'Value', 'bench-' || g),
                                         jsonb_build_object('Key', 'Role', 'Value', 'bench'))))) ORDER BY g))
  FROM generate_series(0, n - 1) g,
       LATERAL (SELECT '10.100.0.0'::inet + (g % 40) * 1024 + 10 + g / 40 AS ip) a
$$;
CREATE TEMP TABLE bench_insts AS SELECT pg_temp.instances(:n, 0) AS d, pg_temp.instances(:n, 5) AS changed;
SELECT count(*) FROM ec2_import((SELECT d FROM bench_doc));

-- the floor: the same rows into bare tables
CREATE TEMP TABLE bare_host (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), hostname text, environment_id uuid, cluster_id uuid,
                             kind text, operating_system text);
CREATE TEMP TABLE bare_instance (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), instance_id text, host_id uuid, instance_type text,
                                 state text, availability_zone text, image_id text, launch_time timestamptz, subnet_id uuid,
                                 vpc_id text, owner_id text, tags jsonb);
CREATE TEMP TABLE bare_address (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), vrf_id uuid, address inet, host_id uuid,
                                canonical boolean, description text);
CREATE FUNCTION pg_temp.floor(doc jsonb) RETURNS void LANGUAGE sql AS $$
INSERT INTO bare_host (id, hostname, kind, operating_system)
SELECT md5(i.v ->> 'InstanceId')::uuid, lower(mountaineer.ec2_tags(i.v -> 'Tags') ->> 'Name') || '.eu-central-1.compute.internal',
       'virtual_machine', i.v ->> 'PlatformDetails'
  FROM jsonb_array_elements(doc -> 'Reservations') r(v), jsonb_array_elements(r.v -> 'Instances') i(v);
INSERT INTO bare_instance (instance_id, host_id, instance_type, state, availability_zone, image_id, launch_time, vpc_id, owner_id, tags)
SELECT i.v ->> 'InstanceId', md5(i.v ->> 'InstanceId')::uuid, i.v ->> 'InstanceType', i.v #>> '{State,Name}',
       i.v #>> '{Placement,AvailabilityZone}', i.v ->> 'ImageId', (i.v ->> 'LaunchTime')::timestamptz, i.v ->> 'VpcId',
       r.v ->> 'OwnerId', mountaineer.ec2_tags(i.v -> 'Tags')
  FROM jsonb_array_elements(doc -> 'Reservations') r(v), jsonb_array_elements(r.v -> 'Instances') i(v);
INSERT INTO bare_address (address, host_id, canonical, description)
SELECT (p.v ->> 'PrivateIpAddress')::inet, md5(i.v ->> 'InstanceId')::uuid, true, n.v ->> 'NetworkInterfaceId'
  FROM jsonb_array_elements(doc -> 'Reservations') r(v), jsonb_array_elements(r.v -> 'Instances') i(v),
       jsonb_array_elements(i.v -> 'NetworkInterfaces') n(v), jsonb_array_elements(n.v -> 'PrivateIpAddresses') p(v)
UNION ALL
SELECT (p.v #>> '{Association,PublicIp}')::inet, md5(i.v ->> 'InstanceId')::uuid, false, n.v ->> 'NetworkInterfaceId'
  FROM jsonb_array_elements(doc -> 'Reservations') r(v), jsonb_array_elements(r.v -> 'Instances') i(v),
       jsonb_array_elements(i.v -> 'NetworkInterfaces') n(v), jsonb_array_elements(n.v -> 'PrivateIpAddresses') p(v)
 WHERE p.v #>> '{Association,PublicIp}' IS NOT NULL;
$$;

CREATE TEMP TABLE t (what text, seconds numeric, rows bigint, changes bigint);
CREATE FUNCTION pg_temp.run(what text, stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE c0 bigint := (SELECT coalesce(max(id), 0) FROM mountaineer.change);
        s numeric;
BEGIN
    s := bench_seconds(stmt);
    INSERT INTO t SELECT what, s,
        (SELECT count(*) FROM mountaineer.host WHERE cluster_id = (SELECT id FROM mountaineer.cluster WHERE name = 'aws eu-central-1'))
        + (SELECT count(*) FROM mountaineer.ec2_instance) + (SELECT count(*) FROM mountaineer.ip_address a JOIN mountaineer.ec2_instance i ON i.host_id = a.host_id),
        (SELECT count(*) FROM mountaineer.change WHERE id > c0);
END $$;
CHECKPOINT;
SELECT pg_temp.run('first import', 'SELECT count(*) FROM mountaineer.ec2_import((SELECT d FROM bench_insts))');
VACUUM ANALYZE mountaineer.host, mountaineer.ec2_instance, mountaineer.ip_address, mountaineer.import_key;
SELECT pg_temp.run('unchanged re-import', 'SELECT count(*) FROM mountaineer.ec2_import((SELECT d FROM bench_insts))');
SELECT pg_temp.run('5% changed', 'SELECT count(*) FROM mountaineer.ec2_import((SELECT changed FROM bench_insts))');
SELECT bench_seconds('SELECT pg_temp.floor((SELECT d FROM bench_insts))') AS floor \gset
SELECT count(*) AS floor_rows FROM (SELECT id FROM bare_host UNION ALL SELECT id FROM bare_instance UNION ALL SELECT id FROM bare_address) x \gset

SELECT what, round(seconds, 3) AS seconds, rows, changes, round(rows / seconds) AS rows_per_s FROM t;
\echo floor (INSERT … SELECT into bare tables): :floor s for :floor_rows rows
-- checked: the unchanged re-import logs nothing, the 5% changed one one change per changed instance
SELECT CASE WHEN (SELECT changes FROM t WHERE what = 'unchanged re-import') = 0
             AND (SELECT changes FROM t WHERE what = '5% changed') = :n / 20
            THEN 'ok' ELSE 'NOT OK: ' || (SELECT string_agg(what || ' logged ' || changes, ', ') FROM t) END AS check_writes;

INSERT INTO bench_result (bench, what, ours, peer, unit, lower_is_better)
SELECT 'import_ec2', format('%s (%s instances, %s rows) vs INSERT … SELECT', what, :n, rows), seconds, :floor, 's', true FROM t;
INSERT INTO bench_result (bench, what, ours, peer, unit)
SELECT 'import_ec2', format('%s, rows/s', what), rows / seconds, :floor_rows / :floor, 'rows/s' FROM t;
