-- mountaineer_hosts: every rule with its SQLSTATE, kind derivation,
-- monitoring exceptions and grains.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(88);

-- fixture: a rack with a server and a PDU, two environments, a cluster
INSERT INTO site (name) VALUES ('hs');
INSERT INTO rack (site_id, name) SELECT id, 'hr' FROM site WHERE name = 'hs';
INSERT INTO device (kind, name, units, rack_id, position) SELECT 'server', 'hsrv', 1, id, 'U1' FROM rack WHERE name = 'hr';
INSERT INTO device (kind, name, units, rack_id) SELECT 'pdu', 'hpdu', 0, id FROM rack WHERE name = 'hr';
INSERT INTO environment (name, hostname_regex, monitored) VALUES
    ('tprod', '[a-z0-9-]+\.tprod\.example', true), ('tdev', '.*', false);
INSERT INTO cluster (name, kind) VALUES ('tk8s', 'kubernetes');
CREATE TEMP TABLE e AS SELECT (SELECT id FROM environment WHERE name = 'tprod') AS prod,
                              (SELECT id FROM environment WHERE name = 'tdev') AS dev,
                              (SELECT id FROM device WHERE name = 'hsrv') AS srv,
                              (SELECT id FROM device WHERE name = 'hpdu') AS pdu,
                              (SELECT id FROM cluster WHERE name = 'tk8s') AS k8s;

-- hostnames
SELECT is(normalize_hostname('Web1.Example.COM.'), 'web1.example.com', 'hostnames are stored lower case without the root dot');
SELECT throws_ok($$SELECT normalize_hostname('web1')$$, '22023', 'invalid hostname "web1"', 'a hostname is fully qualified');
SELECT throws_ok($$SELECT normalize_hostname('web_1.example.com')$$, '22023', 'invalid hostname "web_1.example.com"', 'no underscores');
SELECT throws_ok($$SELECT normalize_hostname('-web.example.com')$$, '22023', NULL, 'no leading hyphen');
SELECT throws_ok($$SELECT normalize_hostname('web..example.com')$$, '22023', NULL, 'no empty label');
SELECT throws_ok($$SELECT normalize_hostname(repeat('a', 64) || '.example.com')$$, '22023', NULL, 'labels are at most 63 characters');
SELECT throws_ok($$SELECT normalize_hostname(repeat('abcdefghi.', 26) || 'com')$$, '22023', NULL, 'names are at most 253 characters');
SELECT throws_ok($$SELECT normalize_hostname('10.0.0.1')$$, '22023', NULL, 'an address is not a hostname');
SELECT is(normalize_hostname(repeat(repeat('a', 62) || '.', 4) || 'c'), repeat(repeat('a', 62) || '.', 4) || 'c', 'a hostname of 253 characters');
SELECT throws_ok($$SELECT normalize_hostname(repeat(repeat('a', 62) || '.', 4) || 'co')$$, '22023', NULL, 'a hostname of 254 characters is refused');
SELECT is(normalize_hostname(repeat('a', 63) || '.example.com'), repeat('a', 63) || '.example.com', 'a label of 63 characters');
SELECT throws_ok($$SELECT normalize_hostname(repeat('a', 300))$$, '22023',
    'invalid hostname "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa..." (300 characters)',
    'a long refused hostname is quoted by its first 64 characters and its length');
SELECT is(host_shortname('web1.prod.example.com'), 'web1', 'host_shortname');
SELECT is(host_domain('web1.prod.example.com'), 'prod.example.com', 'host_domain');
SELECT is(host_domain('localhost'), NULL, 'host_domain of a bare name is NULL');

-- environments
SELECT throws_ok($$INSERT INTO environment (name, hostname_regex) VALUES ('bad', '(unclosed')$$, '2201B', NULL,
    'hostname_regex must be a valid regular expression');
SELECT throws_ok($$INSERT INTO environment (name) VALUES ('Prod')$$, '23514', NULL, 'environment names are slug-like');
SELECT throws_ok($$INSERT INTO environment (name) VALUES ('tprod')$$, '23505', NULL, 'environment names are unique');
SELECT lives_ok($$INSERT INTO environment (name) VALUES (repeat('e', 100))$$, 'an environment name of 100 characters');
SELECT throws_ok($$INSERT INTO environment (name) VALUES (repeat('e', 101))$$, '23514',
    'new row for relation "environment" violates check constraint "environment_name_check"', 'an environment name of 101 characters is refused');
SELECT throws_ok($$INSERT INTO environment (name, hostname_regex) VALUES ('r1', repeat('a', 1001))$$, '23514',
    'new row for relation "environment" violates check constraint "environment_hostname_regex_check"', 'a hostname_regex has at most 1000 characters');
SELECT throws_ok($$INSERT INTO environment (name, hostname_regex) VALUES ('r2', E'.*\n')$$, '23514',
    'new row for relation "environment" violates check constraint "environment_hostname_regex_check"', 'a hostname_regex has no control characters');
SELECT throws_ok($$INSERT INTO environment (name, hostname_regex) VALUES ('r3', ' .*')$$, '23514',
    'new row for relation "environment" violates check constraint "environment_hostname_regex_check"', 'a hostname_regex has no white space at either end');

-- hosts, their parents and kinds
INSERT INTO host (hostname, environment_id, device_id) SELECT 'HV1.tprod.example', prod, srv FROM e;
SELECT is((SELECT hostname FROM host WHERE device_id = (SELECT srv FROM e)), 'hv1.tprod.example', 'the hostname was stored lower case');
SELECT is((SELECT kind FROM host WHERE hostname = 'hv1.tprod.example'), 'bare_metal'::host_kind, 'a host on a server is bare metal');
INSERT INTO host (hostname, environment_id, device_id, kind) SELECT 'pdu1.tdev.example', dev, pdu, 'virtual_machine' FROM e;
SELECT is((SELECT kind FROM host WHERE hostname = 'pdu1.tdev.example'), 'peripheral'::host_kind, 'a host on any other device is a peripheral, whatever the writer said');
INSERT INTO device (kind, name, units) VALUES ('other', 'hbox', 1);
INSERT INTO host (hostname, environment_id, device_id) SELECT 'box.tdev.example', dev, (SELECT id FROM device WHERE name = 'hbox') FROM e;
UPDATE device SET kind = 'server' WHERE name = 'hbox';
SELECT is((SELECT kind FROM host WHERE hostname = 'box.tdev.example'), 'bare_metal'::host_kind, 'a device that becomes a server makes its host bare metal');
SELECT throws_ok($$UPDATE host SET kind = 'container' WHERE hostname = 'box.tdev.example'$$, '23514',
    'container "box.tdev.example" must run on a host or a cluster, not directly on a device', 'a host on a device cannot be made a container');
SELECT throws_ok($$INSERT INTO host (hostname, environment_id, device_id) SELECT 'box2.tdev.example', dev, (SELECT id FROM device WHERE name = 'hbox') FROM e$$,
    '23505', 'device "hbox" already has host "box.tdev.example"', 'a device carries one host');
SELECT throws_ok($$UPDATE host SET device_id = (SELECT id FROM device WHERE name = 'hbox') WHERE hostname = 'pdu1.tdev.example'$$,
    '23505', 'device "hbox" already has host "box.tdev.example"', 'a host cannot move onto a device that has one');
DELETE FROM host WHERE hostname = 'box.tdev.example';
INSERT INTO host (hostname, environment_id, parent_host_id)
SELECT 'vm1.tprod.example', prod, (SELECT id FROM host WHERE hostname = 'hv1.tprod.example') FROM e;
SELECT is((SELECT kind FROM host WHERE hostname = 'vm1.tprod.example'), 'virtual_machine'::host_kind, 'a host on a host is a virtual machine');
INSERT INTO host (hostname, environment_id, parent_host_id, kind)
SELECT 'ctr1.tprod.example', prod, (SELECT id FROM host WHERE hostname = 'vm1.tprod.example'), 'container' FROM e;
SELECT is((SELECT kind FROM host WHERE hostname = 'ctr1.tprod.example'), 'container'::host_kind, 'unless the writer says container');
INSERT INTO host (hostname, environment_id, cluster_id) SELECT 'sched1.tdev.example', dev, k8s FROM e;
SELECT is((SELECT kind FROM host WHERE hostname = 'sched1.tdev.example'), 'virtual_machine'::host_kind, 'a host on a cluster is a virtual machine');
SELECT throws_ok($$INSERT INTO host (hostname, environment_id, device_id, kind) SELECT 'c2.tdev.example', dev, srv, 'container' FROM e$$,
    '23514', 'container "c2.tdev.example" must run on a host or a cluster, not directly on a device', 'a container does not run on bare hardware');
SELECT throws_ok($$INSERT INTO host (hostname, environment_id, device_id, cluster_id) SELECT 'two.tdev.example', dev, (SELECT id FROM device WHERE name = 'hbox'), k8s FROM e$$,
    '23514', 'new row for relation "host" violates check constraint "host_one_parent"', 'two parents are refused');
SELECT throws_ok($$INSERT INTO host (hostname, environment_id) SELECT 'none.tdev.example', dev FROM e$$,
    '23514', 'new row for relation "host" violates check constraint "host_one_parent"', 'no parent is refused');
SELECT throws_ok($$INSERT INTO host (hostname, environment_id, cluster_id) SELECT 'bad_name.tdev.example', dev, k8s FROM e$$,
    '22023', 'invalid hostname "bad_name.tdev.example"', 'a bad hostname is refused on write');
SELECT throws_ok($$INSERT INTO host (hostname, environment_id, cluster_id) SELECT 'web1.example.com', prod, k8s FROM e$$,
    '23514', 'hostname "web1.example.com" does not match environment "tprod" (hostname_regex "[a-z0-9-]+\.tprod\.example")',
    'a hostname outside its environment''s regex is refused');
INSERT INTO environment (name, hostname_regex) VALUES ('tlong', repeat('[a-z]', 20));
SELECT throws_ok($$INSERT INTO host (hostname, environment_id, cluster_id) SELECT 'web1.tlong.example', (SELECT id FROM environment WHERE name = 'tlong'), k8s FROM e$$,
    '23514', 'hostname "web1.tlong.example" does not match environment "tlong" (hostname_regex "[a-z][a-z][a-z][a-z][a-z][a-z][a-z][a-z][a-z][a-z][a-z][a-z][a-z..." (100 characters))',
    'a long regex is quoted by its first 64 characters and its length');
SELECT throws_ok($$UPDATE host SET hostname = 'web1.example.com' WHERE hostname = 'vm1.tprod.example'$$,
    '23514', 'hostname "web1.example.com" does not match environment "tprod" (hostname_regex "[a-z0-9-]+\.tprod\.example")',
    'a rename is checked against the regex');
SELECT throws_ok($$UPDATE host SET environment_id = (SELECT prod FROM e) WHERE hostname = 'sched1.tdev.example'$$,
    '23514', 'hostname "sched1.tdev.example" does not match environment "tprod" (hostname_regex "[a-z0-9-]+\.tprod\.example")',
    'a move to another environment is checked against its regex');
SELECT throws_ok($$INSERT INTO host (hostname, environment_id, cluster_id) SELECT 'x.tprod.example.evil', prod, k8s FROM e$$,
    '23514', NULL, 'the regex must match the whole hostname');
SELECT throws_ok($$INSERT INTO host (hostname, environment_id, cluster_id) SELECT 'HV1.tprod.example.', prod, k8s FROM e$$,
    '23505', NULL, 'hostnames are unique whatever their case');
SELECT throws_ok($$UPDATE environment SET hostname_regex = '[a-z]+\.tprod\.example' WHERE name = 'tprod'$$,
    '23514', 'hostname_regex "[a-z]+\.tprod\.example" of environment "tprod" does not match 3 of its hosts, e.g. "ctr1.tprod.example"',
    'an environment''s regex cannot change to exclude its hosts');
SELECT throws_ok($$UPDATE host SET parent_host_id = (SELECT id FROM host WHERE hostname = 'ctr1.tprod.example'), device_id = NULL
                   WHERE hostname = 'hv1.tprod.example'$$,
    '23514', 'host "hv1.tprod.example" cannot run on "ctr1.tprod.example": that host runs on it', 'parent cycles are refused');
SELECT throws_ok($$UPDATE host SET parent_host_id = id, cluster_id = NULL WHERE hostname = 'sched1.tdev.example'$$,
    '23514', 'new row for relation "host" violates check constraint "host_not_own_parent"', 'a host is not its own parent');
SELECT throws_ok($$INSERT INTO host (id, hostname, environment_id, parent_host_id)
                   SELECT v.id::uuid, v.h, dev, v.p::uuid FROM e,
                       (VALUES ('00000000-0000-0000-0000-00000000000c', 'c.tdev.example', '00000000-0000-0000-0000-00000000000d'),
                               ('00000000-0000-0000-0000-00000000000d', 'd.tdev.example', '00000000-0000-0000-0000-00000000000c')) v(id, h, p)$$,
    '23514', 'host "d.tdev.example" cannot run on "c.tdev.example": that host runs on it', 'one INSERT cannot close a cycle among its rows');
INSERT INTO host (hostname, environment_id, cluster_id) SELECT v, dev, k8s FROM e, (VALUES ('s1.tdev.example'), ('s2.tdev.example')) v(v);
SELECT throws_ok($$UPDATE host h SET cluster_id = NULL,
                          parent_host_id = (SELECT o.id FROM host o WHERE o.hostname IN ('s1.tdev.example', 's2.tdev.example') AND o.id <> h.id)
                    WHERE h.hostname IN ('s1.tdev.example', 's2.tdev.example')$$,
    '23514', NULL, 'one UPDATE cannot swap two hosts onto each other');
DELETE FROM host WHERE hostname IN ('s1.tdev.example', 's2.tdev.example');
UPDATE host SET environment_id = (SELECT dev FROM e), parent_host_id = NULL, cluster_id = (SELECT k8s FROM e)
 WHERE hostname = 'vm1.tprod.example';
SELECT is((SELECT kind FROM host WHERE hostname = 'vm1.tprod.example'), 'virtual_machine'::host_kind, 'moving a VM to a cluster keeps it a VM');
UPDATE host SET parent_host_id = (SELECT id FROM host WHERE hostname = 'hv1.tprod.example'), cluster_id = NULL, environment_id = (SELECT prod FROM e)
 WHERE hostname = 'vm1.tprod.example';

-- deleting with children
SELECT throws_ok($$DELETE FROM host WHERE hostname = 'hv1.tprod.example'$$, '23503',
    'host "hv1.tprod.example" cannot be deleted: 1 host row(s) refer to it: vm1.tprod.example',
    'a host with VMs cannot be deleted, and the error lists them');
SELECT throws_ok($$DELETE FROM cluster WHERE name = 'tk8s'$$, '23503',
    'cluster "tk8s" cannot be deleted: 1 host row(s) refer to it: sched1.tdev.example',
    'a cluster with hosts scheduled on it cannot be deleted');
SELECT throws_ok($$DELETE FROM device WHERE name = 'hsrv'$$, '23503',
    'device "hsrv" cannot be deleted: 1 host row(s) refer to it: hv1.tprod.example',
    'a device that carries hosts cannot be deleted');
SELECT throws_ok($$DELETE FROM environment WHERE name = 'tdev'$$, '23503', NULL, 'an environment with hosts cannot be deleted');
INSERT INTO cluster_member (cluster_id, host_id) SELECT k8s, (SELECT id FROM host WHERE hostname = 'vm1.tprod.example') FROM e;
SELECT throws_ok($$INSERT INTO cluster_member (cluster_id, host_id) SELECT k8s, (SELECT id FROM host WHERE hostname = 'vm1.tprod.example') FROM e$$,
    '23505', NULL, 'a host is a member of a cluster once');
SELECT lives_ok($$DELETE FROM host WHERE hostname = 'sched1.tdev.example'$$, 'a leaf host can be deleted');
INSERT INTO host (hostname, environment_id, cluster_id) SELECT 'p9.tdev.example', dev, k8s FROM e;
INSERT INTO host (hostname, environment_id, parent_host_id, kind)
SELECT 'c9.tdev.example', dev, (SELECT id FROM host WHERE hostname = 'p9.tdev.example'), 'container' FROM e;
SELECT lives_ok($$DELETE FROM host WHERE hostname IN ('p9.tdev.example', 'c9.tdev.example')$$,
    'a host and its children deleted in one statement');
SELECT throws_ok($$INSERT INTO environment (name, hostname_regex) VALUES ('opts', '(?i)ci-.*')$$, '2201B', NULL,
    'hostname_regex must compile in the anchored form hosts are checked with');

-- roles and grains
INSERT INTO role (name) VALUES ('zeta'), ('alpha');
INSERT INTO host_role (host_id, role_id) SELECT h.id, r.id FROM host h, role r WHERE h.hostname = 'vm1.tprod.example' AND r.name IN ('zeta', 'alpha');
INSERT INTO grain (host_id, name, value) SELECT id, 'os', '"Debian"' FROM host WHERE hostname = 'vm1.tprod.example';
INSERT INTO grain (host_id, name, value) SELECT id, 'cpus', '4' FROM host WHERE hostname = 'vm1.tprod.example';
SELECT is(host_grains((SELECT id FROM host WHERE hostname = 'vm1.tprod.example')),
    '{"os": "Debian", "cpus": 4, "environment": "tprod", "roles": ["alpha", "zeta"]}'::jsonb,
    'host_grains: grains, environment and sorted roles');
SELECT is(host_grains((SELECT id FROM host WHERE hostname = 'ctr1.tprod.example')),
    '{"environment": "tprod", "roles": []}'::jsonb, 'host_grains of a host with none');
SELECT throws_ok($$INSERT INTO grain (host_id, name, value) SELECT id, 'os', '"x"' FROM host WHERE hostname = 'vm1.tprod.example'$$,
    '23505', NULL, 'a grain name is unique per host');
SELECT throws_ok($$INSERT INTO grain (host_id, name, value) SELECT id, 'roles', '[]' FROM host WHERE hostname = 'vm1.tprod.example'$$,
    '23514', 'new row for relation "grain" violates check constraint "grain_name_not_reserved"', 'environment and roles are reserved grain names');
SELECT throws_ok($$DELETE FROM role WHERE name = 'zeta'$$, '23503', 'role "zeta" cannot be deleted: 1 host_role row(s) refer to it: vm1.tprod.example',
    'a role in use cannot be deleted, and the error names the hosts that have it');
SELECT lives_ok($$INSERT INTO role (name) VALUES (repeat('r', 100))$$, 'a role name of 100 characters');
SELECT throws_ok($$INSERT INTO role (name) VALUES (repeat('r', 101))$$, '23514',
    'new row for relation "role" violates check constraint "role_name_check"', 'a role name of 101 characters is refused');
SELECT throws_ok($$INSERT INTO role (name) VALUES ('   ')$$, '23514',
    'new row for relation "role" violates check constraint "role_name_check"', 'a role name of spaces is refused');
SELECT throws_ok($$INSERT INTO cluster (name, kind) VALUES (E'kvm\tpool', 'kvm')$$, '23514',
    'new row for relation "cluster" violates check constraint "cluster_name_check"', 'a cluster name with a tab is refused');
SELECT throws_ok($$INSERT INTO cluster (name, kind) VALUES (repeat('c', 101), 'kvm')$$, '23514',
    'new row for relation "cluster" violates check constraint "cluster_name_check"', 'a cluster name of 101 characters is refused');
SELECT throws_ok($$INSERT INTO grain (host_id, name, value) SELECT id, E'os\n', '1' FROM host WHERE hostname = 'vm1.tprod.example'$$, '23514',
    'new row for relation "grain" violates check constraint "grain_name_check"', 'a grain name with a newline is refused');
SELECT throws_ok($$INSERT INTO grain (host_id, name, value) SELECT id, repeat('g', 101), '1' FROM host WHERE hostname = 'vm1.tprod.example'$$, '23514',
    'new row for relation "grain" violates check constraint "grain_name_check"', 'a grain name of 101 characters is refused');
SELECT throws_ok($$INSERT INTO grain (host_id, name, value) SELECT id, 'big', to_jsonb(string_agg(md5(g::text), '')) FROM host, generate_series(1, 3000) g WHERE hostname = 'vm1.tprod.example' GROUP BY id$$, '23514',
    'new row for relation "grain" violates check constraint "grain_value_check"', 'a grain value over 64 kB is refused');
SELECT lives_ok($$INSERT INTO grain (host_id, name, value) SELECT id, 'mid', to_jsonb(string_agg(md5(g::text), '')) FROM host, generate_series(1, 1000) g WHERE hostname = 'vm1.tprod.example' GROUP BY id$$,
    'a grain value of 32 kB is kept');
SELECT throws_ok($$UPDATE environment SET hostname_regex = 'x)|(y' WHERE name = 'tdev'$$, '2201B', NULL,
    'a hostname_regex must compile on its own: "x)|(y" would undo the anchoring');
SELECT lives_ok($$UPDATE role SET description = repeat('d', 200) WHERE name = 'zeta'$$, 'a description of 200 characters');
SELECT throws_ok($$UPDATE role SET description = repeat('d', 201) WHERE name = 'zeta'$$, '23514',
    'new row for relation "role" violates check constraint "role_description_check"', 'a role description of 201 characters is refused');
SELECT throws_ok($$UPDATE environment SET description = repeat('d', 100000) WHERE name = 'tprod'$$, '23514',
    'new row for relation "environment" violates check constraint "environment_description_check"', 'an environment description of 100,000 characters is refused');
SELECT throws_ok($$INSERT INTO cluster (name, kind, description) VALUES ('c9', 'kvm', E'two\nlines')$$, '23514',
    'new row for relation "cluster" violates check constraint "cluster_description_check"', 'a cluster description with a newline is refused');
SELECT throws_ok($$INSERT INTO monitoring_exception (host_id, monitored, during, reason)
                   SELECT id, false, '[2031-01-01,2031-01-02)', ' reboot' FROM host WHERE hostname = 'vm1.tprod.example'$$, '23514',
    'new row for relation "monitoring_exception" violates check constraint "monitoring_exception_reason_check"', 'a reason with a leading space is refused');
SELECT throws_ok($$UPDATE host SET operating_system = ' Debian' WHERE hostname = 'vm1.tprod.example'$$, '23514',
    'new row for relation "host" violates check constraint "host_operating_system_check"', 'an operating_system with a leading space is refused');
SELECT throws_ok($$UPDATE host SET operating_system = '' WHERE hostname = 'vm1.tprod.example'$$, '23514',
    'new row for relation "host" violates check constraint "host_operating_system_check"', 'an empty operating_system is refused (NULL says unknown)');

-- monitoring
INSERT INTO monitoring_exception (host_id, monitored, during)
SELECT id, false, '[2030-01-01 00:00+00, 2030-01-02 00:00+00)' FROM host WHERE hostname = 'vm1.tprod.example';
SELECT is(host_monitored((SELECT id FROM host WHERE hostname = 'vm1.tprod.example'), '2029-12-31 23:59:59+00'), true, 'before the exception: the environment''s default');
SELECT is(host_monitored((SELECT id FROM host WHERE hostname = 'vm1.tprod.example'), '2030-01-01 00:00+00'), false, 'at its start: the exception (inclusive)');
SELECT is(host_monitored((SELECT id FROM host WHERE hostname = 'vm1.tprod.example'), '2030-01-02 00:00+00'), true, 'at its end: the default again (exclusive)');
SELECT is(host_monitored((SELECT id FROM host WHERE hostname = 'pdu1.tdev.example')), false, 'an unmonitored environment''s host');
SELECT throws_ok($$INSERT INTO monitoring_exception (host_id, monitored, during)
    SELECT id, true, '[2030-01-01 12:00+00, 2030-01-03 00:00+00)' FROM host WHERE hostname = 'vm1.tprod.example'$$,
    '23P01', NULL, 'two exceptions of one host cannot overlap');
SELECT throws_ok($$SELECT host_monitored('00000000-0000-0000-0000-000000000000')$$, 'P0002',
    'no host with id 00000000-0000-0000-0000-000000000000', 'host_monitored of an unknown host');

-- the lock that host moves take in turn is a row no user can lock (an
-- advisory lock's key anyone could take, and so stall every move)
SET LOCAL ROLE mountaineer_editor;
SELECT throws_ok($$SELECT FROM host_move_lock FOR UPDATE$$, '42501', 'permission denied for table host_move_lock',
    'an editor cannot take the host-move lock by hand');
SELECT lives_ok($$UPDATE host SET parent_host_id = NULL WHERE false$$, '... yet an editor''s move takes it, through the trigger');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM host_move_lock), 1, 'the lock table has its one row');

SELECT * FROM finish();
ROLLBACK;
