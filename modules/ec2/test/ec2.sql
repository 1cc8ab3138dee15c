\set ON_ERROR_STOP true
\set QUIET true
-- mountaineer_ec2: ec2_import() of what aws ec2 describe-vpcs,
-- describe-subnets and describe-instances print (test/data/*.json, in the
-- CLI's exact shape): the first import, an unchanged re-import (nothing
-- written, no change-log row), a change, prune (a host others refer to is
-- kept and its instance marked terminated), bad documents refused naming
-- the JSON path with nothing written, and who may import.  One transaction,
-- rolled back.
\set vpcs `cat modules/ec2/test/data/describe-vpcs.json`
\set subnets `cat modules/ec2/test/data/describe-subnets.json`
\set instances `cat modules/ec2/test/data/describe-instances.json`
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(77);

CREATE TEMP TABLE doc (name text PRIMARY KEY, d jsonb NOT NULL);
INSERT INTO doc VALUES ('vpcs', :'vpcs'), ('subnets', :'subnets'), ('instances', :'instances');
INSERT INTO doc SELECT 'all', (SELECT d FROM doc WHERE name = 'vpcs') || (SELECT d FROM doc WHERE name = 'subnets')
                              || (SELECT d FROM doc WHERE name = 'instances');
GRANT SELECT ON doc TO PUBLIC;
CREATE FUNCTION pg_temp.doc(n text) RETURNS jsonb LANGUAGE sql RETURN (SELECT d FROM doc WHERE name = n);
-- rows written to the tables an import writes, and change-log rows, since a mark
CREATE TEMP VIEW written AS
    SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::int AS n FROM pg_stat_xact_user_tables
     WHERE relid IN ('mountaineer.vrf'::regclass, 'mountaineer.prefix'::regclass, 'mountaineer.ec2_subnet'::regclass,
                     'mountaineer.host'::regclass, 'mountaineer.ec2_instance'::regclass, 'mountaineer.ip_address'::regclass,
                     'mountaineer.cluster'::regclass, 'mountaineer.environment'::regclass, 'mountaineer.import_key'::regclass);
CREATE TEMP TABLE mark AS SELECT (SELECT max(id) FROM mountaineer.change) AS change_id, (SELECT n FROM written) AS written;
CREATE FUNCTION pg_temp.changes_since_mark() RETURNS bigint LANGUAGE sql
    RETURN (SELECT count(*) FROM mountaineer.change WHERE id > coalesce((SELECT change_id FROM mark), 0));
CREATE FUNCTION pg_temp.written_since_mark() RETURNS integer LANGUAGE sql
    RETURN (SELECT n FROM written) - (SELECT written FROM mark);
CREATE FUNCTION pg_temp.set_mark() RETURNS void LANGUAGE sql
    BEGIN ATOMIC UPDATE mark SET change_id = (SELECT max(id) FROM mountaineer.change), written = (SELECT n FROM written); END;
-- the host of an instance, through the import's map (as the k8s import finds it)
CREATE FUNCTION pg_temp.host_of(instance text) RETURNS mountaineer.host LANGUAGE sql
    RETURN (SELECT h FROM mountaineer.import_key k JOIN mountaineer.host h ON h.id = k.row_id
             WHERE k.source = 'aws:eu-west-1' AND k.kind = 'instance' AND k.key = instance);
GRANT SELECT ON mark, written TO PUBLIC;
GRANT UPDATE ON mark TO PUBLIC;

-- helpers
SELECT is(ec2_tags('[{"Key": "Name", "Value": "web1"}, {"Key": "Role", "Value": ""}]'), '{"Name": "web1", "Role": ""}'::jsonb,
          'ec2_tags: AWS tags as one object');
SELECT is(ec2_tags(NULL), '{}'::jsonb, 'ec2_tags: no tags, {}');
SELECT is(ec2_region('eu-west-1a'), 'eu-west-1', 'ec2_region of an availability zone');
SELECT is(ec2_region('us-west-2-lax-1a'), 'us-west-2', 'ec2_region of a Local Zone');
SELECT is(ec2_region('us-gov-west-1b'), 'us-gov-west-1', 'ec2_region of a GovCloud zone');
SELECT is(ec2_region('eu-west-1'), NULL, 'a region is not an availability zone');

-- VPCs alone name no availability zone: the region is an argument
SELECT throws_ok($$SELECT * FROM ec2_import(pg_temp.doc('vpcs'))$$, '22023',
    'ec2_import: the document names no availability zone, so its region is unknown', 'VPCs alone need the region');
SELECT results_eq($$SELECT * FROM ec2_import(pg_temp.doc('vpcs'), region => 'eu-west-1')$$,
    $$VALUES ('region', 1, 0, 0, 0), ('vpc', 2, 0, 0, 0), ('vpc_cidr', 4, 0, 0, 0)$$,
    'describe-vpcs: the region''s cluster, two VPCs, their four associated CIDR blocks (a disassociated one left out)');
SELECT results_eq($$SELECT * FROM ec2_import(pg_temp.doc('subnets'))$$,
    $$VALUES ('region', 0, 0, 1, 0), ('subnet', 3, 0, 0, 0), ('subnet_ipv6', 1, 0, 0, 0), ('ec2_subnet', 3, 0, 0, 0)$$,
    'describe-subnets: three subnets (one with an IPv6 block), region from their zones');
SELECT results_eq($$SELECT * FROM ec2_import(pg_temp.doc('instances'))$$,
    $$VALUES ('region', 0, 0, 1, 0), ('instance', 4, 0, 0, 0), ('ec2_instance', 4, 0, 0, 0), ('address', 8, 0, 0, 0)$$,
    'describe-instances: four instances, their eight addresses');

-- what they became
SELECT results_eq($$SELECT name, description FROM vrf WHERE description LIKE 'AWS VPC %' ORDER BY name$$,
    $$VALUES ('ec2t prod', 'AWS VPC vpc-0a1b2c3d4e5f60718 in eu-west-1, account 123456789012'),
             ('vpc-5e4d3c2b', 'AWS VPC vpc-5e4d3c2b in eu-west-1, account 123456789012')$$,
    'a VPC is a VRF named by its Name tag, else its id');
SELECT results_eq($$SELECT p.prefix, p.status::text, p.description FROM prefix p JOIN vrf v ON v.id = p.vrf_id
                     WHERE v.name IN ('ec2t prod', 'vpc-5e4d3c2b') ORDER BY v.name, p.prefix$$,
    $$VALUES ('10.20.0.0/16'::cidr, 'container', 'AWS VPC vpc-0a1b2c3d4e5f60718'), ('10.20.1.0/24', 'active', 'ec2t prod-a'),
             ('10.20.2.0/24', 'active', 'ec2t prod-b'), ('100.64.0.0/22', 'container', 'AWS VPC vpc-0a1b2c3d4e5f60718'),
             ('2a05:d018:1a2:b300::/56', 'container', 'AWS VPC vpc-0a1b2c3d4e5f60718'), ('2a05:d018:1a2:b301::/64', 'active', 'ec2t prod-a'),
             ('172.31.0.0/16', 'container', 'AWS VPC vpc-5e4d3c2b'), ('172.31.0.0/20', 'active', 'subnet-7c8d9e0f')$$,
    'its CIDR blocks are container prefixes in it, its subnets active prefixes (named by their Name tag, else id)');
SELECT results_eq($$SELECT s.subnet_id, p.prefix, s.vpc_id, s.availability_zone, s.availability_zone_id, s.owner_id, s.state, s.tags
                      FROM ec2_subnet s JOIN prefix p ON p.id = s.prefix_id ORDER BY s.subnet_id$$,
    $$VALUES ('subnet-0aa11bb22cc33dd44', '10.20.1.0/24'::cidr, 'vpc-0a1b2c3d4e5f60718', 'eu-west-1a', 'euw1-az3', '123456789012', 'available', '{"Name": "ec2t prod-a", "Tier": "web"}'::jsonb),
             ('subnet-0bb22cc33dd44ee55', '10.20.2.0/24', 'vpc-0a1b2c3d4e5f60718', 'eu-west-1b', 'euw1-az1', '123456789012', 'available', '{"Name": "ec2t prod-b"}'),
             ('subnet-7c8d9e0f', '172.31.0.0/20', 'vpc-5e4d3c2b', 'eu-west-1a', 'euw1-az3', '123456789012', 'available', '{}')$$,
    'each subnet has its ec2_subnet row: zone, ids, state, tags');
SELECT results_eq($$SELECT name, kind::text FROM cluster WHERE name LIKE 'aws %'$$, $$VALUES ('aws eu-west-1', 'ec2')$$,
    'the region is a cluster of kind ec2');
SELECT results_eq($$SELECT k.key, h.hostname, h.kind::text, h.operating_system, c.name, e.name
                      FROM import_key k JOIN host h ON h.id = k.row_id JOIN cluster c ON c.id = h.cluster_id
                      JOIN environment e ON e.id = h.environment_id
                     WHERE k.source = 'aws:eu-west-1' AND k.kind = 'instance' ORDER BY k.key$$,
    $$VALUES ('i-0123456789abcdef0', 'ec2t-web-1.eu-west-1.compute.internal', 'virtual_machine', 'Linux/UNIX', 'aws eu-west-1', 'aws'),
             ('i-0123456789abcdef1', 'ec2t-web-2.eu-west-1.compute.internal', 'virtual_machine', 'Linux/UNIX', 'aws eu-west-1', 'aws'),
             ('i-0fedcba9876543210', 'db-1.ec2t.example.com', 'virtual_machine', 'Linux/UNIX', 'aws eu-west-1', 'aws'),
             ('i-8a9b0c1d', 'i-8a9b0c1d.eu-west-1.compute.internal', 'virtual_machine', 'Windows', 'aws eu-west-1', 'aws')$$,
    'an instance is a host on the region''s cluster (import_key kind instance): named by its Name tag (a label in its private DNS domain), else its id');
SELECT results_eq($$SELECT i.instance_id, i.instance_type, i.state, i.availability_zone, i.image_id, i.launch_time, s.subnet_id, i.vpc_id, i.owner_id, i.tags
                      FROM ec2_instance i LEFT JOIN ec2_subnet s ON s.id = i.subnet_id ORDER BY i.instance_id$$,
    $$VALUES ('i-0123456789abcdef0', 't3.medium', 'running', 'eu-west-1a', 'ami-0c1bc246476a5572b', '2026-11-03 08:14:51+00'::timestamptz, 'subnet-0aa11bb22cc33dd44', 'vpc-0a1b2c3d4e5f60718', '123456789012', '{"Name": "ec2t-web-1", "Role": "web", "Environment": "production"}'::jsonb),
             ('i-0123456789abcdef1', 't3.medium', 'running', 'eu-west-1b', 'ami-0c1bc246476a5572b', '2026-11-03 08:14:51+00', 'subnet-0bb22cc33dd44ee55', 'vpc-0a1b2c3d4e5f60718', '123456789012', '{"Name": "ec2t-web-2", "Role": "web"}'),
             ('i-0fedcba9876543210', 'r6i.large', 'running', 'eu-west-1a', 'ami-0a2b3c4d5e6f70819', '2026-10-20 13:02:07+00', 'subnet-0aa11bb22cc33dd44', 'vpc-0a1b2c3d4e5f60718', '123456789012', '{"Name": "db-1.ec2t.example.com", "Role": "postgres"}'),
             ('i-8a9b0c1d', 't2.micro', 'stopped', 'eu-west-1a', 'ami-5f4e3d2c', '2019-04-01 10:00:00+00', 'subnet-7c8d9e0f', 'vpc-5e4d3c2b', '123456789012', '{"Name": "scratch box"}')$$,
    'each instance has its ec2_instance row: type, state, zone, image, launch time, subnet, account, tags');
SELECT is((SELECT i.host_id FROM ec2_instance i WHERE i.instance_id = 'i-0fedcba9876543210'), (pg_temp.host_of('i-0fedcba9876543210')).id,
    'ec2_instance.host_id is the host the map names');
SELECT results_eq($$SELECT coalesce(v.name, '(global)'), a.address, a.canonical, h.hostname, a.description
                      FROM ip_address a LEFT JOIN vrf v ON v.id = a.vrf_id JOIN host h ON h.id = a.host_id
                      JOIN ec2_instance i ON i.host_id = h.id ORDER BY 1, 2$$,
    $$VALUES ('(global)', '34.245.10.20'::inet, false, 'ec2t-web-1.eu-west-1.compute.internal', 'eni-0a1b2c3d4e5f60001'),
             ('ec2t prod', '10.20.1.10/24', true, 'ec2t-web-1.eu-west-1.compute.internal', 'eni-0a1b2c3d4e5f60001'),
             ('ec2t prod', '10.20.1.11/24', false, 'ec2t-web-1.eu-west-1.compute.internal', 'eni-0a1b2c3d4e5f60001'),
             ('ec2t prod', '10.20.1.50/24', true, 'db-1.ec2t.example.com', 'eni-0a1b2c3d4e5f60004'),
             ('ec2t prod', '10.20.2.10/24', true, 'ec2t-web-2.eu-west-1.compute.internal', 'eni-0a1b2c3d4e5f60002'),
             ('ec2t prod', '10.20.2.20/24', false, 'ec2t-web-2.eu-west-1.compute.internal', 'eni-0a1b2c3d4e5f60003'),
             ('ec2t prod', '2a05:d018:1a2:b301::10/64', false, 'ec2t-web-1.eu-west-1.compute.internal', 'eni-0a1b2c3d4e5f60001'),
             ('vpc-5e4d3c2b', '172.31.5.9/20', true, 'i-8a9b0c1d.eu-west-1.compute.internal', 'eni-6a7b8c9d')$$,
    'private and IPv6 addresses in the VPC''s VRF with their subnet''s mask, the primary private one canonical; public ones in the global table');

-- the same documents again, in one: nothing written
SELECT pg_temp.set_mark();
SELECT results_eq($$SELECT * FROM ec2_import(pg_temp.doc('all'))$$,
    $$VALUES ('region', 0, 0, 1, 0), ('vpc', 0, 0, 2, 0), ('vpc_cidr', 0, 0, 4, 0), ('subnet', 0, 0, 3, 0), ('subnet_ipv6', 0, 0, 1, 0),
             ('ec2_subnet', 0, 0, 3, 0), ('instance', 0, 0, 4, 0), ('ec2_instance', 0, 0, 4, 0), ('address', 0, 0, 8, 0)$$,
    'an unchanged re-import (all three outputs in one document) finds every row unchanged');
SELECT is(pg_temp.changes_since_mark(), 0::bigint, 'it logs no change (and so sends no NOTIFY)');
SELECT is(pg_temp.written_since_mark(), 0, 'and writes no row');
SELECT results_eq($$SELECT * FROM ec2_import(pg_temp.doc('all'), prune => true)$$,
    $$VALUES ('region', 0, 0, 1, 0), ('vpc', 0, 0, 2, 0), ('vpc_cidr', 0, 0, 4, 0), ('subnet', 0, 0, 3, 0), ('subnet_ipv6', 0, 0, 1, 0),
             ('ec2_subnet', 0, 0, 3, 0), ('instance', 0, 0, 4, 0), ('ec2_instance', 0, 0, 4, 0), ('address', 0, 0, 8, 0)$$,
    'with prune too: nothing is gone');
SELECT is(pg_temp.written_since_mark(), 0, 'and nothing written');

-- a change updates only that row
CREATE TEMP TABLE changed AS
SELECT jsonb_set(jsonb_set(pg_temp.doc('instances'), '{Reservations,1,Instances,0,InstanceType}', '"r6i.xlarge"'),
                 '{Reservations,1,Instances,0,State}', '{"Code": 80, "Name": "stopped"}') AS d;
SELECT pg_temp.set_mark();
SELECT results_eq($$SELECT * FROM ec2_import((SELECT d FROM changed))$$,
    $$VALUES ('region', 0, 0, 1, 0), ('instance', 0, 1, 3, 0), ('ec2_instance', 0, 1, 3, 0), ('address', 0, 0, 8, 0)$$,
    'a resized, stopped instance: its ec2_instance row and its host''s status are updated, nothing else');
SELECT results_eq($$SELECT table_name, op, after FROM change WHERE id > (SELECT change_id FROM mark) AND table_name = 'host'$$,
    $$VALUES ('host'::text, 'update'::text, '{"status": "offline"}'::jsonb)$$, 'the host of a stopped instance is offline');
SELECT results_eq($$SELECT table_name, op FROM change WHERE id > (SELECT change_id FROM mark) ORDER BY table_name$$,
    $$VALUES ('ec2_instance'::text, 'update'::text), ('host', 'update')$$, 'two change-log rows, the updates of those rows');
SELECT results_eq($$SELECT instance_type, state FROM ec2_instance WHERE instance_id = 'i-0fedcba9876543210'$$,
    $$VALUES ('r6i.xlarge', 'stopped')$$, 'with the new type and state');

-- the Name tag: renamed, taken twice, or taken by another host
SELECT pg_temp.set_mark();
SELECT results_eq($$SELECT * FROM ec2_import(jsonb_set(pg_temp.doc('instances'), '{Reservations,0,Instances,1,Tags,0,Value}', '"ec2t-web-9"'))$$,
    $$VALUES ('region', 0, 0, 1, 0), ('instance', 0, 2, 2, 0), ('ec2_instance', 0, 2, 2, 0), ('address', 0, 0, 8, 0)$$,
    'a new Name tag renames the host (and the tags change; the other instance''s state and its host''s status are as the document says again)');
SELECT is((pg_temp.host_of('i-0123456789abcdef1')).hostname, 'ec2t-web-9.eu-west-1.compute.internal', 'the host has the new name');
SELECT is((SELECT count(*) FROM host WHERE hostname LIKE 'ec2t-web-%'), 2::bigint, 'the same host, renamed: no second one');
SELECT ec2_import(jsonb_set(pg_temp.doc('instances'), '{Reservations,0,Instances,1,Tags,0,Value}', '"ec2t-web-1"'));
SELECT results_eq($$SELECT (pg_temp.host_of('i-0123456789abcdef0')).hostname, (pg_temp.host_of('i-0123456789abcdef1')).hostname$$,
    $$VALUES ('i-0123456789abcdef0.eu-west-1.compute.internal', 'i-0123456789abcdef1.eu-west-1.compute.internal')$$,
    'a Name tag two instances share names neither: both are named by their id');
INSERT INTO environment (name) VALUES ('ec2t-other');
INSERT INTO host (hostname, environment_id, cluster_id)
SELECT 'ec2t-web-1.eu-west-1.compute.internal', e.id, c.id FROM environment e, cluster c WHERE e.name = 'ec2t-other' AND c.name = 'aws eu-west-1';
SELECT ec2_import(pg_temp.doc('instances'));
SELECT is((pg_temp.host_of('i-0123456789abcdef0')).hostname, 'i-0123456789abcdef0.eu-west-1.compute.internal',
    'a Name another host already has names it not: the instance keeps its id');
DELETE FROM host WHERE hostname = 'ec2t-web-1.eu-west-1.compute.internal';
SELECT ec2_import(pg_temp.doc('instances'));
SELECT is((pg_temp.host_of('i-0123456789abcdef0')).hostname, 'ec2t-web-1.eu-west-1.compute.internal', 'once free, it names it again');

-- a host moved to another environment stays there
UPDATE host SET environment_id = (SELECT id FROM environment WHERE name = 'ec2t-other') WHERE id = (pg_temp.host_of('i-0fedcba9876543210')).id;
SELECT pg_temp.set_mark();
SELECT ec2_import(pg_temp.doc('all'));
SELECT is((SELECT e.name FROM environment e WHERE e.id = (pg_temp.host_of('i-0fedcba9876543210')).environment_id), 'ec2t-other',
    'a host moved to another environment stays there');
SELECT is(pg_temp.changes_since_mark(), 0::bigint, 'and the re-import changes nothing');

-- without prune nothing is removed; with prune, what is gone
CREATE TEMP TABLE less AS
SELECT jsonb_set(pg_temp.doc('instances'), '{Reservations,0,Instances}', (pg_temp.doc('instances') #> '{Reservations,0,Instances}') - 1) AS d;
SELECT results_eq($$SELECT * FROM ec2_import((SELECT d FROM less))$$,
    $$VALUES ('region', 0, 0, 1, 0), ('instance', 0, 0, 3, 0), ('ec2_instance', 0, 0, 3, 0), ('address', 0, 0, 6, 0)$$,
    'an instance missing from the document, without prune: nothing removed');
SELECT isnt((pg_temp.host_of('i-0123456789abcdef1')).id, NULL, 'its host is still there');
SELECT results_eq($$SELECT * FROM ec2_import((SELECT d FROM less), prune => true)$$,
    $$VALUES ('region', 0, 0, 1, 0), ('instance', 0, 0, 3, 1), ('ec2_instance', 0, 0, 3, 0), ('address', 0, 0, 6, 2)$$,
    'with prune: its host (and with it its ec2_instance row) and its two addresses are removed');
SELECT is((SELECT count(*) FROM ec2_instance WHERE instance_id = 'i-0123456789abcdef1'), 0::bigint, 'its ec2_instance row is gone');
SELECT is((SELECT count(*) FROM host WHERE hostname = 'ec2t-web-2.eu-west-1.compute.internal'), 0::bigint, 'the host is gone');
SELECT is((SELECT count(*) FROM ip_address WHERE host(address) IN ('10.20.2.10', '10.20.2.20')), 0::bigint, 'and its addresses');
SELECT is((SELECT count(*) FROM import_key WHERE source = 'aws:eu-west-1' AND key = 'i-0123456789abcdef1'), 0::bigint, 'and its keys');

-- a terminated instance whose host another row refers to: kept, marked
INSERT INTO host (hostname, environment_id, parent_host_id, kind)
SELECT 'ec2t-sidecar.ec2t.example.com', h.environment_id, h.id, 'container' FROM host h WHERE h.id = (pg_temp.host_of('i-0fedcba9876543210')).id;
CREATE TEMP TABLE fewer AS
SELECT jsonb_set(d, '{Reservations,1,Instances}', (d #> '{Reservations,1,Instances}') - 0) AS d FROM less;
SELECT results_eq($$SELECT * FROM ec2_import((SELECT d FROM fewer), prune => true)$$,
    $$VALUES ('region', 0, 0, 1, 0), ('instance', 0, 0, 2, 1), ('ec2_instance', 0, 1, 2, 0), ('address', 0, 0, 5, 1)$$,
    'prune: a host a container runs on is kept, counted removed, its instance updated');
SELECT is((pg_temp.host_of('i-0fedcba9876543210')).status, 'decommissioning', 'the kept host is decommissioning');
SELECT results_eq($$SELECT h.hostname, i.state FROM ec2_instance i JOIN host h ON h.id = i.host_id WHERE i.instance_id = 'i-0fedcba9876543210'$$,
    $$VALUES ('db-1.ec2t.example.com', 'terminated')$$, 'its instance is marked terminated');
SELECT is((SELECT count(*) FROM ip_address a WHERE a.host_id = (pg_temp.host_of('i-0fedcba9876543210')).id), 0::bigint, 'its addresses are gone');
SELECT pg_temp.set_mark();
SELECT results_eq($$SELECT * FROM ec2_import((SELECT d FROM fewer), prune => true)$$,
    $$VALUES ('region', 0, 0, 1, 0), ('instance', 0, 0, 2, 0), ('ec2_instance', 0, 0, 2, 0), ('address', 0, 0, 5, 0)$$,
    'pruned again: nothing more to remove, nothing written');
SELECT is(pg_temp.changes_since_mark(), 0::bigint, 'no change logged');
DELETE FROM host WHERE hostname = 'ec2t-sidecar.ec2t.example.com';
SELECT results_eq($$SELECT * FROM ec2_import((SELECT d FROM fewer), prune => true)$$,
    $$VALUES ('region', 0, 0, 1, 0), ('instance', 0, 0, 2, 1), ('ec2_instance', 0, 0, 2, 0), ('address', 0, 0, 5, 0)$$,
    'once nothing refers to it, the next prune deletes the host');
SELECT is((SELECT count(*) FROM ec2_instance WHERE instance_id = 'i-0fedcba9876543210'), 0::bigint, 'and its ec2_instance row with it');

-- prune of subnets and VPCs: the default VPC, its subnet and instance gone
CREATE TEMP TABLE smaller AS
SELECT jsonb_build_object('Vpcs', (pg_temp.doc('vpcs') -> 'Vpcs') - 1, 'Subnets', (pg_temp.doc('subnets') -> 'Subnets') - 2,
                          'Reservations', jsonb_build_array(d #> '{Reservations,0}')) AS d FROM fewer;
SELECT results_eq($$SELECT * FROM ec2_import((SELECT d FROM smaller), prune => true)$$,
    $$VALUES ('region', 0, 0, 1, 0), ('vpc', 0, 0, 1, 1), ('vpc_cidr', 0, 0, 3, 1), ('subnet', 0, 0, 2, 1), ('subnet_ipv6', 0, 0, 1, 0),
             ('ec2_subnet', 0, 0, 2, 1), ('instance', 0, 0, 1, 1), ('ec2_instance', 0, 0, 1, 0), ('address', 0, 0, 4, 1)$$,
    'prune with all three outputs: a VPC, its block, subnet, instance and address gone, children first');
SELECT is((SELECT count(*) FROM vrf WHERE name = 'vpc-5e4d3c2b'), 0::bigint, 'its VRF is gone');
SELECT is((SELECT count(*) FROM prefix WHERE prefix <<= '172.31.0.0/16'), 0::bigint, 'and its prefixes');

-- a label longer than 63 characters is no host name
SELECT ec2_import(jsonb_set((SELECT d FROM smaller), '{Reservations,0,Instances,0,Tags,0,Value}', to_jsonb(repeat('a', 64))));
SELECT is((pg_temp.host_of('i-0123456789abcdef0')).hostname, 'i-0123456789abcdef0.eu-west-1.compute.internal',
    'a Name tag with a label of 64 characters names it not');

-- bad documents: refused naming the JSON path, nothing written (the
-- statistics count the rolled-back rows too: compare the rows instead)
CREATE TEMP VIEW rows_now AS
SELECT (SELECT count(*) FROM vrf) AS vrfs, (SELECT count(*) FROM prefix) AS prefixes, (SELECT count(*) FROM ec2_subnet) AS subnets,
       (SELECT count(*) FROM host) AS hosts, (SELECT count(*) FROM ec2_instance) AS instances, (SELECT count(*) FROM ip_address) AS addresses,
       (SELECT count(*) FROM import_key) AS keys, (SELECT max(id) FROM change) AS last_change;
CREATE TEMP TABLE rows_before AS SELECT * FROM rows_now;
SELECT throws_ok($$SELECT * FROM ec2_import('[]')$$, '22023',
    'ec2_import: $ must be an object (what aws ec2 describe-vpcs, describe-subnets or describe-instances prints), not array', 'not an object');
SELECT throws_ok($$SELECT * FROM ec2_import('{"Instances": []}')$$, '22023',
    'ec2_import: $ has none of the keys Vpcs, Subnets and Reservations', 'none of the keys');
SELECT throws_ok($$SELECT * FROM ec2_import('{"Vpcs": {}}', region => 'eu-west-1')$$, '22023',
    'ec2_import: $.Vpcs must be an array, not object', 'Vpcs not an array');
SELECT throws_ok($$SELECT * FROM ec2_import(pg_temp.doc('vpcs'), region => 'eu-west')$$, '22023',
    'ec2_import: "eu-west" is not an AWS region name', 'a region argument that is none');
SELECT throws_ok($$SELECT * FROM ec2_import(pg_temp.doc('vpcs') #- '{Vpcs,1,VpcId}', region => 'eu-west-1')$$, '22023',
    'ec2_import: $.Vpcs[1].VpcId is missing', 'a VPC without its id');
SELECT throws_ok($$SELECT * FROM ec2_import(jsonb_set(pg_temp.doc('vpcs'), '{Vpcs,1,VpcId}', '"vpc-5e4d3c2x"'), region => 'eu-west-1')$$, '22P02',
    'ec2_import: $.Vpcs[1].VpcId: "vpc-5e4d3c2x" is not a VPC id (vpc- and 8 or 17 hexadecimal digits)', 'an id of the wrong form');
SELECT throws_ok($$SELECT * FROM ec2_import(jsonb_set(pg_temp.doc('vpcs'), '{Vpcs,0,CidrBlockAssociationSet,1,CidrBlock}', '"100.64.0.0/33"'), region => 'eu-west-1')$$, '22P02',
    'ec2_import: $.Vpcs[0].CidrBlockAssociationSet[1].CidrBlock: invalid input syntax for type cidr: "100.64.0.0/33"', 'a CIDR that does not parse');
SELECT throws_ok($$SELECT * FROM ec2_import(jsonb_set(pg_temp.doc('subnets'), '{Subnets,1,CidrBlock}', '"10.20.2.7/24"'))$$, '22P02',
    'ec2_import: $.Subnets[1].CidrBlock: invalid cidr value: "10.20.2.7/24"', 'a CIDR block with host bits');
SELECT throws_ok($$SELECT * FROM ec2_import(jsonb_set(pg_temp.doc('instances'), '{Reservations,0,Instances,1,NetworkInterfaces,1,PrivateIpAddresses,0,PrivateIpAddress}', '"10.20.2.320"'))$$, '22P02',
    'ec2_import: $.Reservations[0].Instances[1].NetworkInterfaces[1].PrivateIpAddresses[0].PrivateIpAddress: invalid input syntax for type inet: "10.20.2.320"',
    'an address that does not parse, named by its path');
SELECT throws_ok($$SELECT * FROM ec2_import(jsonb_set(pg_temp.doc('instances'), '{Reservations,1,Instances,1,State,Name}', '"exploded"'))$$, '22P02',
    'ec2_import: $.Reservations[1].Instances[1].State.Name: "exploded" is not an instance state (pending, running, shutting-down, terminated, stopping, stopped)',
    'an unknown instance state');
SELECT throws_ok($$SELECT * FROM ec2_import(pg_temp.doc('instances') #- '{Reservations,1,Instances,0,Placement}')$$, '22023',
    'ec2_import: $.Reservations[1].Instances[0].Placement is missing', 'an instance without its placement');
SELECT throws_ok($$SELECT * FROM ec2_import(jsonb_set(pg_temp.doc('instances'), '{Reservations,1,Instances,0,Tags}', '{"Name": "db-1"}'))$$, '22023',
    'ec2_import: $.Reservations[1].Instances[0].Tags must be an array, not object', 'tags of the wrong shape');
SELECT throws_ok($$SELECT * FROM ec2_import(jsonb_set(pg_temp.doc('subnets'), '{Subnets,2,AvailabilityZone}', '"us-east-1a"'))$$, '22023',
    'ec2_import: $.Subnets[2].AvailabilityZone: "us-east-1a" is not in region eu-west-1 (one import, one region)', 'two regions in one document');
SELECT throws_ok($$SELECT * FROM ec2_import(pg_temp.doc('subnets'), region => 'us-east-1')$$, '22023',
    'ec2_import: $.Subnets[0].AvailabilityZone: "eu-west-1a" is not in region us-east-1 (one import, one region)', 'a region argument the zones contradict');
SELECT throws_ok($$SELECT * FROM ec2_import(jsonb_set(pg_temp.doc('subnets'), '{Subnets,2,VpcId}', '"vpc-0000aaaa"'))$$, '23503',
    'ec2_import: $.Subnets[2].VpcId: VPC vpc-0000aaaa has not been imported from aws:eu-west-1', 'a subnet of a VPC never imported');
-- an error at the last step (the addresses) undoes the hosts written before it
CREATE TEMP TABLE clash AS
SELECT jsonb_build_object('Reservations', (s.d -> 'Reservations') || jsonb_build_array(jsonb_build_object('OwnerId', '123456789012', 'Instances',
           jsonb_build_array(jsonb_set(jsonb_set(pg_temp.doc('instances') #> '{Reservations,1,Instances,0}', '{InstanceId}', '"i-0fedcba9876543219"'),
                                       '{NetworkInterfaces,0,PrivateIpAddresses,0,PrivateIpAddress}', '"10.20.1.10"'))))) AS d
  FROM smaller s;
SELECT throws_ok($$SELECT * FROM ec2_import((SELECT d FROM clash))$$, '22023',
    'import_rows: key "vpc-0a1b2c3d4e5f60718 10.20.1.10" of "address" appears more than once in one import ($.Reservations[0].Instances[0].NetworkInterfaces[0].PrivateIpAddresses[0] and $.Reservations[1].Instances[0].NetworkInterfaces[0].PrivateIpAddresses[0])',
    'one address on two instances, named by both paths');
SELECT is((pg_temp.host_of('i-0fedcba9876543219')).id, NULL, 'the new instance of that document was not written');
SELECT results_eq('SELECT * FROM rows_now', 'SELECT * FROM rows_before', 'no bad document wrote anything');

-- who may import: editors, not readers
SET LOCAL ROLE mountaineer_reader;
SELECT throws_ok($$SELECT * FROM ec2_import(pg_temp.doc('all'))$$, '42501', NULL, 'a reader may not import');
RESET ROLE;
SET LOCAL ROLE mountaineer_editor;
SELECT results_eq($$SELECT object, inserted, updated FROM ec2_import(pg_temp.doc('vpcs'), region => 'eu-west-1')$$,
    $$VALUES ('region', 0, 0), ('vpc', 1, 0), ('vpc_cidr', 1, 0)$$, 'an editor may: the default VPC comes back');
RESET ROLE;

-- what every inventory table does: an id never changes, TRUNCATE logs each row
SELECT throws_ok($$UPDATE ec2_instance SET id = gen_random_uuid() WHERE instance_id = 'i-0123456789abcdef0'$$, '428C9', NULL,
    'the id of an ec2_instance row cannot change');
SELECT throws_ok($$UPDATE ec2_subnet SET id = gen_random_uuid() WHERE subnet_id = 'subnet-0aa11bb22cc33dd44'$$, '428C9', NULL,
    'nor that of an ec2_subnet row');
CREATE TEMP TABLE before_truncate AS SELECT (SELECT count(*) FROM ec2_instance) + (SELECT count(*) FROM ec2_subnet) AS n, (SELECT max(id) FROM change) AS c;
TRUNCATE ec2_instance, ec2_subnet;
SELECT is((SELECT count(*) FROM change WHERE id > (SELECT c FROM before_truncate) AND op = 'truncate'
              AND table_name IN ('ec2_instance', 'ec2_subnet')), (SELECT n FROM before_truncate),
    'TRUNCATE logs one row per row removed');

SELECT * FROM finish();
ROLLBACK;
