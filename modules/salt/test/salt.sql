\set ON_ERROR_STOP true
\set QUIET true
-- mountaineer_salt: the Salt master's statements as its role, the highstate
-- summaries they produce, the purge, the views, the external pillar and what
-- the master's role may not do.  Every statement the master runs below is
-- the one Salt's source runs, with psycopg2's parameters bound as literals
-- (salt/returners/pgjsonb.py: PG_SAVE_LOAD_SQL as _get_serv() sets it for
-- PostgreSQL >= 9.5, returner(), event_return(), get_load(), get_jid(),
-- get_fun(), get_jids(), get_minions(), clean_old_jobs() and _purge_jobs();
-- salt/pillar/postgres.py through sql_base.fetch(): the configured query
-- with the minion id as its one parameter).  The database holds every
-- module's other suites' rows too: everything here is named tsalt.
BEGIN;
SELECT plan(58);
SET search_path = mountaineer, public;

-- Runs sql as the Salt master (its role and its search_path, salt) and
-- returns 'ok' or 'SQLSTATE message'; rows, when it returns any, as jsonb.
CREATE FUNCTION pg_temp.as_master(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text := 'ok';
BEGIN
    SET LOCAL ROLE mountaineer_salt_master;
    SET LOCAL search_path = salt;
    BEGIN
        EXECUTE sql;
    EXCEPTION WHEN OTHERS THEN
        r := SQLSTATE || ' ' || SQLERRM;
    END;
    RESET ROLE;
    SET LOCAL search_path = mountaineer, public;
    RETURN r;
END $$;
CREATE FUNCTION pg_temp.rows_as_master(sql text) RETURNS SETOF jsonb LANGUAGE plpgsql AS $$
DECLARE rec record;
BEGIN
    SET LOCAL ROLE mountaineer_salt_master;
    SET LOCAL search_path = salt;
    BEGIN
        FOR rec IN EXECUTE sql LOOP
            RETURN NEXT to_jsonb(rec);
        END LOOP;
    EXCEPTION WHEN OTHERS THEN
        RETURN NEXT jsonb_build_object('error', SQLSTATE || ' ' || SQLERRM);
    END;
    RESET ROLE;
    SET LOCAL search_path = mountaineer, public;
END $$;
-- The HINT of salt_pillar's refusal for the role tsalt_dashboard.
CREATE FUNCTION pg_temp.dashboard_hint() RETURNS text LANGUAGE plpgsql AS $$
DECLARE h text;
BEGIN
    SET LOCAL ROLE tsalt_dashboard;
    PERFORM mountaineer.salt_pillar('tsaltdb1');
    RESET ROLE;
    RETURN 'not refused';
EXCEPTION WHEN insufficient_privilege THEN
    GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
    RETURN h;
END $$;
-- One state of a return, as Salt's state compiler writes it.
CREATE FUNCTION pg_temp.state(fn text, sid text, name text, sls text, run int, result boolean,
                              comment jsonb, changes jsonb, duration numeric) RETURNS jsonb
LANGUAGE sql AS $$
    SELECT jsonb_build_object(split_part(fn, '.', 1) || '_|-' || sid || '_|-' || name || '_|-' || split_part(fn, '.', 2),
        jsonb_build_object('result', result, 'comment', comment, 'changes', changes, 'name', name, '__id__', sid,
                           '__sls__', sls, '__run_num__', run, 'duration', duration, 'start_time', '01:35:01.123456',
                           'sls', sls))
$$;
-- returner(): INSERT INTO salt_returns … as Salt runs it, full_ret being the
-- whole return (fun, fun_args, id, jid, retcode, return, success, out).
CREATE FUNCTION pg_temp.returner(fun text, jid text, minion text, ret jsonb, retcode int,
                                 fun_args jsonb DEFAULT '[]', at numeric DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
    SELECT pg_temp.as_master(format($q$INSERT INTO salt_returns
                    (fun, jid, return, id, success, full_ret, alter_time)
                    VALUES (%L, %L, %L, %L, %s, %L, to_timestamp(%s))$q$,
        fun, jid, ret, minion, 'true',
        jsonb_build_object('fun', fun, 'fun_args', fun_args, 'id', minion, 'jid', jid, 'retcode', retcode,
                           'return', ret, 'success', true, 'out', 'highstate'),
        -- one second apart, in the order of the jobs
        coalesce(at, extract(epoch FROM now() - interval '10 minutes') + right(jid, 2)::numeric)))
$$;

-- The estate: three hosts of a cluster, one a database with an address.
INSERT INTO environment (name, hostname_regex) VALUES ('tsalt', '[a-z0-9-]+\.tsalt\.example');
INSERT INTO cluster (name, kind) VALUES ('tsalt-kvm', 'kvm');
INSERT INTO role (name) VALUES ('tsalt-web'), ('tsalt-db');
INSERT INTO host (hostname, environment_id, cluster_id, operating_system)
SELECT h, e.id, c.id, 'Debian 12' FROM environment e, cluster c,
       unnest(ARRAY['tsaltweb1.tsalt.example', 'tsaltweb2.tsalt.example', 'tsaltdb1.tsalt.example', 'tsaltidle.tsalt.example']) h
WHERE e.name = 'tsalt' AND c.name = 'tsalt-kvm';
-- two hosts of one short name in two domains
INSERT INTO environment (name, hostname_regex) VALUES ('tsalt2', '[a-z0-9-]+\.tsalt2\.example');
INSERT INTO host (hostname, environment_id, cluster_id)
SELECT h, e.id, c.id FROM environment e, cluster c, (VALUES ('tsaltdup.tsalt.example', 'tsalt'), ('tsaltdup.tsalt2.example', 'tsalt2')) v(h, env)
WHERE e.name = v.env AND c.name = 'tsalt-kvm';
INSERT INTO host_role (host_id, role_id)
SELECT h.id, r.id FROM host h JOIN role r ON r.name = CASE WHEN h.hostname LIKE 'tsaltdb%' THEN 'tsalt-db' ELSE 'tsalt-web' END
WHERE h.hostname LIKE 'tsalt%';
INSERT INTO grain (host_id, name, value)
SELECT id, 'mem_total', '32768' FROM host WHERE hostname = 'tsaltdb1.tsalt.example';
INSERT INTO cluster_member (cluster_id, host_id)
SELECT c.id, h.id FROM cluster c, host h WHERE c.name = 'tsalt-kvm' AND h.hostname = 'tsaltdb1.tsalt.example';
INSERT INTO vlan (vid, name) VALUES (3917, 'tsalt-db');
INSERT INTO prefix (prefix, status, vlan_id) SELECT '198.18.17.0/24', 'active', id FROM vlan WHERE name = 'tsalt-db';
INSERT INTO ip_address (address, host_id, canonical, dns_name)
SELECT a, h.id, c, d FROM host h,
       (VALUES ('198.18.17.20'::inet, false, NULL), ('198.18.17.30', true, 'tsaltdb1.tsalt.example'), ('2001:db8:7a17::10', false, NULL)) v(a, c, d)
WHERE h.hostname = 'tsaltdb1.tsalt.example';

SELECT results_eq($$SELECT h.hostname FROM unnest(ARRAY['TSALTWEB2.tsalt.example', 'tsaltweb2', 'tsaltdup.tsalt2.example']) m
                     JOIN host h ON h.id = salt_minion_host(m)$$,
    $$VALUES ('tsaltweb2.tsalt.example'), ('tsaltweb2.tsalt.example'), ('tsaltdup.tsalt2.example')$$,
    'salt_minion_host: a minion id is a hostname, in any case, or a short name');
SELECT is(salt_minion_host('tsaltdup'), NULL, 'salt_minion_host: a short name two hosts have names neither');

------------------------------------------------------------------ the job cache
-- save_load(): PG_SAVE_LOAD_SQL (the ON CONFLICT form), twice for one job
SELECT is(pg_temp.as_master($$INSERT INTO jids
                              (jid, load)
                              VALUES ('20261202013501000001', '{"fun": "state.highstate", "arg": [], "tgt": "tsalt*", "user": "root"}')
                              ON CONFLICT (jid) DO UPDATE
                              SET load='{"fun": "state.highstate", "arg": [], "tgt": "tsalt*", "user": "root"}'$$), 'ok',
          'save_load(): the master stores a job''s load');
SELECT is(pg_temp.as_master($$INSERT INTO jids
                              (jid, load)
                              VALUES ('20261202013501000001', '{"fun": "state.highstate", "arg": [], "tgt": "tsalt*", "user": "salt"}')
                              ON CONFLICT (jid) DO UPDATE
                              SET load='{"fun": "state.highstate", "arg": [], "tgt": "tsalt*", "user": "salt"}'$$), 'ok',
          'save_load(): the same job again updates its load');
SELECT is((SELECT x FROM pg_temp.rows_as_master($$SELECT load FROM jids WHERE jid = '20261202013501000001';$$) x),
          '{"load": {"fun": "state.highstate", "arg": [], "tgt": "tsalt*", "user": "salt"}}',
          'get_load(): the master reads a job''s load back');

-- 1. a clean highstate, the minion id a hostname
SELECT is(pg_temp.returner('state.highstate', '20261202013501000001', 'tsaltweb1.tsalt.example',
          pg_temp.state('pkg.installed', 'nginx', 'nginx', 'tsalt_web', 0, true, '"All specified packages are already installed"', '{}', 12.5)
       || pg_temp.state('file.managed', 'nginx_conf', '/etc/nginx/nginx.conf', 'tsalt_web', 1, true, '"File /etc/nginx/nginx.conf is in the correct state"', '{}', 3.25)
       || pg_temp.state('service.running', 'nginx_service', 'nginx', 'tsalt_web', 2, true, '"The service nginx is already running"', '{}', 40), 0),
          'ok', 'returner(): the master stores a clean highstate');
-- 2. failed states (retcode 2, success still true); the minion id a short name
SELECT is(pg_temp.returner('state.apply', '20261202013502000002', 'tsaltweb2',
          pg_temp.state('pkg.installed', 'nginx', 'nginx', 'tsalt_web', 0, true, '"All specified packages are already installed"', '{}', 10)
       || pg_temp.state('file.managed', 'nginx_conf', '/etc/nginx/nginx.conf', 'tsalt_web', 1, false,
                        '"Source file salt://web/nginx.conf not found in saltenv ''base''"', '{}', 5)
       || pg_temp.state('service.running', 'nginx_service', 'nginx', 'tsalt_web', 2, false,
                        '["One or more requisite failed: tsalt_web.nginx_conf", "Service nginx is not running"]', '{}', 0.5), 2),
          'ok', 'returner(): the master stores a highstate with failed states');
-- 3. changes, by state.sls
SELECT is(pg_temp.returner('state.sls', '20261202013503000003', 'tsaltweb1.tsalt.example',
          pg_temp.state('pkg.installed', 'nginx', 'nginx', 'tsalt_web', 0, true, '"The following packages were installed/updated: nginx"',
                        '{"nginx": {"new": "1.22.1-9", "old": ""}}', 2500)
       || pg_temp.state('file.managed', 'nginx_conf', '/etc/nginx/nginx.conf', 'tsalt_web', 1, true, '"File /etc/nginx/nginx.conf updated"',
                        '{"diff": "--- \n+++ \n@@ -1 +1 @@\n-worker_processes 1;\n+worker_processes auto;\n"}', 20)
       || pg_temp.state('service.running', 'nginx_service', 'nginx', 'tsalt_web', 2, true, '"Service restarted"', '{"nginx": true}', 300)
       || pg_temp.state('user.present', 'www', 'www-data', 'tsalt_users', 3, true, '"User www-data is present and up to date"', '{}', 1), 0),
          'ok', 'returner(): the master stores a highstate with changes');
-- 4. a compile error: a list of strings, retcode 1, success true
SELECT is(pg_temp.returner('state.apply', '20261202013504000004', 'tsaltdb1',
          '["Rendering SLS ''base:tsalt_db'' failed: Jinja variable ''dict object'' has no attribute ''port''", "Pillar failed to render"]', 1),
          'ok', 'returner(): the master stores a compile error');
-- 5. a test=True run: result null is what would change (the latest run of
-- tsaltweb1: its jid's last digits make its alter_time)
SELECT is(pg_temp.returner('state.apply', '20261202013505000012', 'tsaltweb1.tsalt.example',
          pg_temp.state('pkg.installed', 'nginx', 'nginx', 'tsalt_web', 0, true, '"All specified packages are already installed"', '{}', 8)
       || pg_temp.state('file.managed', 'motd', '/etc/motd', 'tsalt_base', 1, NULL, '"The file /etc/motd is set to be changed"',
                        '{"diff": "+Welcome\n"}', 4), 0, '["test=True"]'),
          'ok', 'returner(): the master stores a test=True run');
-- 6. a minion that names no host
SELECT is(pg_temp.returner('state.highstate', '20261202013506000006', 'tsaltghost.elsewhere.example',
          pg_temp.state('test.succeed_without_changes', 'noop', 'noop', 'tsalt_base', 0, true, '"Success!"', '{}', 0.3), 0),
          'ok', 'returner(): the master stores the return of a minion no host matches');
-- 7. several minions in one job (and one of them twice, as a resent return)
SELECT is(pg_temp.returner('state.apply', '20261202013507000007', m,
          pg_temp.state('test.succeed_without_changes', 'noop', 'noop', 'tsalt_base', 0, true, '"Success!"', '{}', 1), 0), 'ok',
          'returner(): ' || m || ' returns for job 20261202013507000007')
FROM unnest(ARRAY['tsaltweb1.tsalt.example', 'tsaltweb2', 'tsaltdb1', 'tsaltweb2']) m;
-- not a state run: stored by Salt, not summarised
SELECT is(pg_temp.returner('test.ping', '20261202013508000008', 'tsaltweb1.tsalt.example', 'true', 0), 'ok',
          'returner(): the master stores a test.ping');

SELECT results_eq($$
    SELECT h.hostname, s.minion_id, s.jid, s.fun, s.duration_ms, s.total, s.succeeded, s.failed, s.changed, s.pending,
           s.retcode, s.compile_error, s.test, s.returned_at - s.started_at
      FROM highstate s LEFT JOIN host h ON h.id = s.host_id
     WHERE s.minion_id LIKE 'tsalt%' ORDER BY s.jid, s.minion_id$$,
    $$VALUES ('tsaltweb1.tsalt.example', 'tsaltweb1.tsalt.example', '20261202013501000001', 'state.highstate', 55.75, 3, 3, 0, 0, 0, 0, NULL::text[], false, interval '55.75 ms'),
             ('tsaltweb2.tsalt.example', 'tsaltweb2', '20261202013502000002', 'state.apply', 15.5, 3, 1, 2, 0, 0, 2, NULL, false, '15.5 ms'),
             ('tsaltweb1.tsalt.example', 'tsaltweb1.tsalt.example', '20261202013503000003', 'state.sls', 2821, 4, 4, 0, 3, 0, 0, NULL, false, '2821 ms'),
             ('tsaltdb1.tsalt.example', 'tsaltdb1', '20261202013504000004', 'state.apply', 0, 0, 0, 0, 0, 0, 1,
              ARRAY['Rendering SLS ''base:tsalt_db'' failed: Jinja variable ''dict object'' has no attribute ''port''', 'Pillar failed to render'], false, '0'),
             ('tsaltweb1.tsalt.example', 'tsaltweb1.tsalt.example', '20261202013505000012', 'state.apply', 12, 2, 1, 0, 0, 1, 0, NULL, true, '12 ms'),
             (NULL, 'tsaltghost.elsewhere.example', '20261202013506000006', 'state.highstate', 0.3, 1, 1, 0, 0, 0, 0, NULL, false, '0.3 ms'),
             ('tsaltdb1.tsalt.example', 'tsaltdb1', '20261202013507000007', 'state.apply', 1, 1, 1, 0, 0, 0, 0, NULL, false, '1 ms'),
             ('tsaltweb1.tsalt.example', 'tsaltweb1.tsalt.example', '20261202013507000007', 'state.apply', 1, 1, 1, 0, 0, 0, 0, NULL, false, '1 ms'),
             ('tsaltweb2.tsalt.example', 'tsaltweb2', '20261202013507000007', 'state.apply', 1, 1, 1, 0, 0, 0, 0, NULL, false, '1 ms')$$,
    'every state run is summarised, once per minion and job, by its results and retcode (not success); test.ping is not');
SELECT is((SELECT count(*) FROM salt.salt_returns WHERE jid = '20261202013507000007' AND id = 'tsaltweb2'), 2::bigint,
          'a resent return is kept in the job cache as Salt sent it');
SELECT results_eq($$
    SELECT s.jid, e.state_id, e.sls, e.name, e.function, e.comment, e.run_num
      FROM state_error e JOIN highstate s ON s.id = e.highstate_id
     WHERE s.minion_id LIKE 'tsalt%' ORDER BY s.jid, e.run_num$$,
    $$VALUES ('20261202013502000002', 'nginx_conf', 'tsalt_web', '/etc/nginx/nginx.conf', 'file.managed',
              'Source file salt://web/nginx.conf not found in saltenv ''base''', 1),
             ('20261202013502000002', 'nginx_service', 'tsalt_web', 'nginx', 'service.running',
              E'One or more requisite failed: tsalt_web.nginx_conf\nService nginx is not running', 2)$$,
    'state_error: one row per failed state, a list of comments joined by lines');
SELECT results_eq($$
    SELECT s.jid, c.state_id, c.sls, c.name, c.function, c.result, c.changes
      FROM state_change c JOIN highstate s ON s.id = c.highstate_id
     WHERE s.minion_id LIKE 'tsalt%' ORDER BY s.jid, c.state_id$$,
    $$VALUES ('20261202013503000003', 'nginx', 'tsalt_web', 'nginx', 'pkg.installed', true, '{"nginx": {"new": "1.22.1-9", "old": ""}}'::jsonb),
             ('20261202013503000003', 'nginx_conf', 'tsalt_web', '/etc/nginx/nginx.conf', 'file.managed', true,
              '{"diff": "--- \n+++ \n@@ -1 +1 @@\n-worker_processes 1;\n+worker_processes auto;\n"}'),
             ('20261202013503000003', 'nginx_service', 'tsalt_web', 'nginx', 'service.running', true, '{"nginx": true}'),
             ('20261202013505000012', 'motd', 'tsalt_base', '/etc/motd', 'file.managed', NULL, '{"diff": "+Welcome\n"}')$$,
    'state_change: one row per state with changes, a test=True run''s with result null');
SELECT is((SELECT array_agg(DISTINCT c.db_role) FROM change c JOIN highstate s ON s.id = c.row_id
           WHERE c.table_name = 'highstate' AND s.minion_id LIKE 'tsalt%'), ARRAY['mountaineer_salt_master'],
          'the change log records the summaries as written by the master''s role');

------------------------------------------------------------------ views
SELECT results_eq($$
    SELECT hostname, environment, jid, fun, total, failed, retcode, failing
      FROM host_last_highstate WHERE hostname LIKE 'tsalt%' AND hostname NOT LIKE 'tsaltdup%' ORDER BY hostname$$,
    $$VALUES ('tsaltdb1.tsalt.example', 'tsalt', '20261202013507000007', 'state.apply', 1, 0, 0, false),
             ('tsaltidle.tsalt.example', 'tsalt', NULL, NULL, NULL, NULL, NULL, NULL),
             ('tsaltweb1.tsalt.example', 'tsalt', '20261202013507000007', 'state.apply', 1, 0, 0, false),
             ('tsaltweb2.tsalt.example', 'tsalt', '20261202013507000007', 'state.apply', 1, 0, 0, false)$$,
    'host_last_highstate: each host''s latest applying run (the test=True one is not), NULL for a host that never ran');
SELECT results_eq($$SELECT minion_id, runs FROM unmatched_minion WHERE minion_id LIKE 'tsalt%'$$,
    $$VALUES ('tsaltghost.elsewhere.example', 1::bigint)$$,
    'unmatched_minion lists the minion that names no host');
-- a later failing run makes the host and its states failing
SELECT is(pg_temp.returner('state.highstate', '20261202013509000009', 'tsaltweb2',
          pg_temp.state('file.managed', 'nginx_conf', '/etc/nginx/nginx.conf', 'tsalt_web', 0, false, '"Source file not found"', '{}', 1), 2), 'ok',
          'returner(): tsaltweb2 fails again');
SELECT is(pg_temp.returner('state.highstate', '20261202013509000009', 'tsaltdb1', '["No matching sls found for ''tsalt_db'' in env ''base''"]', 1), 'ok',
          'returner(): tsaltdb1 does not compile');
SELECT results_eq($$SELECT hostname, failing, compile_error FROM host_last_highstate WHERE hostname LIKE 'tsalt%' AND failing ORDER BY hostname$$,
    $$VALUES ('tsaltdb1.tsalt.example', true, ARRAY['No matching sls found for ''tsalt_db'' in env ''base''']),
             ('tsaltweb2.tsalt.example', true, NULL)$$,
    'host_last_highstate: a failed state or a compile error makes a host failing');
SELECT results_eq($$SELECT sls, state_id, function, minion_count, minions, last_comment FROM failing_state WHERE sls LIKE 'tsalt%'$$,
    $$VALUES ('tsalt_web', 'nginx_conf', 'file.managed', 1::bigint, ARRAY['tsaltweb2'], 'Source file not found')$$,
    'failing_state: the states failing in each minion''s latest run, by sls');
SELECT results_eq($$SELECT hostname FROM hosts_not_seen('1 hour') WHERE hostname LIKE 'tsalt%'$$,
    $$VALUES ('tsaltdup.tsalt.example'), ('tsaltdup.tsalt2.example'), ('tsaltidle.tsalt.example')$$,
    'hosts_not_seen: a host that never returned a state run');
SELECT throws_ok($$SELECT * FROM hosts_not_seen('-1 day')$$, '22023',
    'hosts_not_seen needs an interval of at least 0, not -1 days', 'hosts_not_seen refuses a negative interval');

------------------------------------------------------------------ the returner's reads
SELECT is((SELECT count(*) FROM pg_temp.rows_as_master($$SELECT id, full_ret FROM salt_returns
                WHERE jid = '20261202013507000007'$$)), 4::bigint,
          'get_jid(): the master reads a job''s returns');
SELECT ok((SELECT array_agg(x ->> 'id') FROM pg_temp.rows_as_master($$SELECT DISTINCT id
                FROM salt_returns$$) x) @> ARRAY['tsaltweb1.tsalt.example', 'tsaltweb2', 'tsaltdb1', 'tsaltghost.elsewhere.example'],
          'get_minions(): the master lists the minions');
SELECT is((SELECT x -> 'tgt' FROM pg_temp.rows_as_master($$SELECT j.jid as jid, j.load as load, jsonb_agg(sr.id) as tgt FROM jids j
                join salt_returns sr
                using(jid)
                group by j.jid, j.load$$) x WHERE x ->> 'jid' = '20261202013501000001'), '["tsaltweb1.tsalt.example"]',
          'get_jids(): the master lists the jobs with their minions');
-- get_fun() quotes jid with MySQL's backticks: PostgreSQL cannot parse it,
-- whatever the tables (a bug in Salt; `salt-run jobs.last_run` is unaffected)
SELECT is(pg_temp.as_master($$SELECT s.id,s.jid, s.full_ret
                FROM salt_returns s
                JOIN ( SELECT MAX(`jid`) as jid
                    from salt_returns GROUP BY fun, id) max
                ON s.jid = max.jid
                WHERE s.fun = 'state.apply'
                $$), '42601 syntax error at or near ")"', 'get_fun(): Salt''s own SQL is MySQL''s and fails on PostgreSQL');
-- event_return()
SELECT is(pg_temp.as_master($$INSERT INTO salt_events (tag, data, master_id, alter_time)
                     VALUES ('salt/job/20261202013501000001/ret/tsaltweb1.tsalt.example', '{"retcode": 0, "fun": "state.highstate"}', 'tsalt-master', to_timestamp(1796175301.5))$$),
          'ok', 'event_return(): the master stores an event');

------------------------------------------------------------------ the purge
-- an old job, returned 48 hours ago
SELECT is(pg_temp.returner('state.highstate', '20261130013501000010', 'tsaltweb1.tsalt.example',
          pg_temp.state('pkg.installed', 'nginx', 'nginx', 'tsalt_web', 0, false, '"Problem encountered installing package(s)"', '{}', 700), 2,
          '[]', extract(epoch FROM now() - interval '48 hours')), 'ok', 'returner(): a return two days old');
SELECT is(pg_temp.as_master($$INSERT INTO jids
                              (jid, load)
                              VALUES ('20261130013501000010', '{"fun": "state.highstate"}')
                              ON CONFLICT (jid) DO UPDATE
                              SET load='{"fun": "state.highstate"}'$$), 'ok', 'save_load(): its load');
SELECT is(pg_temp.as_master($$INSERT INTO salt_events (tag, data, master_id, alter_time)
                     VALUES ('salt/job/20261130013501000010/new', '{}', 'tsalt-master', to_timestamp(extract(epoch FROM now() - interval '48 hours')))$$),
          'ok', 'event_return(): an event two days old');
CREATE TEMP TABLE summaries_before AS SELECT count(*) AS n FROM highstate;
-- clean_old_jobs() with keep_jobs: 24, then _purge_jobs(stamp)
SELECT x ->> 'stamp' AS stamp FROM pg_temp.rows_as_master($$select (NOW() -  interval '24' hour) as stamp;$$) x \gset
SELECT is(pg_temp.as_master(format($$delete from jids where jid in (select distinct jid from salt_returns where alter_time < %L)$$, :'stamp'))
       || pg_temp.as_master(format($$delete from salt_returns where alter_time < %L$$, :'stamp'))
       || pg_temp.as_master(format($$delete from salt_events where alter_time < %L$$, :'stamp')), 'okokok',
          '_purge_jobs(): the master deletes what is older than keep_jobs');
SELECT is((SELECT count(*) FROM salt.salt_returns WHERE jid = '20261130013501000010')
        + (SELECT count(*) FROM salt.jids WHERE jid = '20261130013501000010')
        + (SELECT count(*) FROM salt.salt_events WHERE tag LIKE 'salt/job/20261130013501000010/%'), 0::bigint,
          'the purge removed the old job''s return, load and event');
SELECT is((SELECT count(*) FROM salt.salt_returns WHERE id LIKE 'tsalt%'), 13::bigint, 'and kept the newer returns');
SELECT is((SELECT n FROM summaries_before) - (SELECT count(*) FROM highstate), 0::bigint, 'the summaries outlive the purge');
SELECT is((SELECT failed FROM highstate WHERE jid = '20261130013501000010'), 1, 'the purged job''s summary is still there');

------------------------------------------------------------------ a restore
SET check_function_bodies = off;
COPY salt.salt_returns (fun, jid, return, id, success, full_ret) FROM STDIN;
state.apply	20261202013510000011	{}	tsaltweb1.tsalt.example	true	{"retcode": 0}
\.
RESET check_function_bodies;
SELECT is((SELECT count(*) FROM highstate WHERE jid = '20261202013510000011'), 0::bigint,
          'a restore of the job cache (its summaries come with it) summarises nothing');

------------------------------------------------------------------ the pillar
-- salt.pillar.postgres: the query README configures, the minion id bound
SELECT is(((SELECT x FROM pg_temp.rows_as_master($$SELECT 'mountaineer', p FROM mountaineer.salt_pillar('tsaltdb1') AS p WHERE p IS NOT NULL$$) x)
            -> 'p') - 'slug'::text - 'secrets'::text,
    '{"hostname": "tsaltdb1.tsalt.example", "shortname": "tsaltdb1", "domain": "tsalt.example", "kind": "virtual_machine",
      "operating_system": "Debian 12", "environment": "tsalt", "monitored": true, "roles": ["tsalt-db"],
      "grains": {"mem_total": 32768}, "cluster": {"name": "tsalt-kvm", "kind": "kvm"}, "member_of": ["tsalt-kvm"],
      "site": null, "rack": null, "device": null,
      "addresses": [{"address": "198.18.17.30", "prefixlen": 24, "canonical": true, "dns_name": "tsaltdb1.tsalt.example", "vrf": null,
                     "prefix": "198.18.17.0/24", "vlan": {"vid": 3917, "name": "tsalt-db"}},
                    {"address": "198.18.17.20", "prefixlen": 24, "canonical": false, "dns_name": null, "vrf": null,
                     "prefix": "198.18.17.0/24", "vlan": {"vid": 3917, "name": "tsalt-db"}},
                    {"address": "2001:db8:7a17::10", "prefixlen": 128, "canonical": false, "dns_name": null, "vrf": null,
                     "prefix": null, "vlan": null}]}'::jsonb,
    'salt_pillar: the host''s environment, roles, grains, cluster and addresses (canonical first, with prefix and VLAN), for the master');
SELECT is((SELECT count(*) FROM pg_temp.rows_as_master($$SELECT 'mountaineer', p FROM mountaineer.salt_pillar('tsaltghost.elsewhere.example') AS p WHERE p IS NOT NULL$$)),
          0::bigint, 'salt_pillar: nothing for a minion that names no host');
-- with mountaineer_vault (made dynamically: this suite runs without it
-- too), a safe granted to tsaltdb1 with two secrets, and one it may not read
CREATE FUNCTION pg_temp.vault_fixture() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $q$
        INSERT INTO mountaineer.safe (name) VALUES ('tsalt-db'), ('tsalt-other');
        INSERT INTO mountaineer.secret (safe_id, name, ciphertext, key_name)
        SELECT s.id, v.name, 'vault:v' || v.version || ':' || replace(encode(sha256(v.name::bytea) || sha256(s.name::bytea), 'base64'), E'\n', ''), 'tsalt'
          FROM mountaineer.safe s, (VALUES ('postgres-password', 1), ('replication-password', 3)) v(name, version)
         WHERE s.name LIKE 'tsalt-%';
        INSERT INTO mountaineer.safe_access (safe_id, host_id)
        SELECT s.id, h.id FROM mountaineer.safe s, mountaineer.host h WHERE s.name = 'tsalt-db' AND h.hostname = 'tsaltdb1.tsalt.example'$q$;
END $$;
SELECT pg_temp.vault_fixture() WHERE to_regclass('mountaineer.safe_access') IS NOT NULL;
CREATE TEMP TABLE vault_expected AS SELECT jsonb_build_object('tsalt-db', jsonb_build_object(
    'postgres-password', jsonb_build_object('ciphertext', 'vault:v1:' || replace(encode(sha256('postgres-password') || sha256('tsalt-db'), 'base64'), E'\n', ''),
                                            'key_name', 'tsalt', 'key_version', 1),
    'replication-password', jsonb_build_object('ciphertext', 'vault:v3:' || replace(encode(sha256('replication-password') || sha256('tsalt-db'), 'base64'), E'\n', ''),
                                               'key_name', 'tsalt', 'key_version', 3))) AS secrets;
SELECT CASE WHEN to_regprocedure('mountaineer.host_secrets(text)') IS NULL
            THEN skip('mountaineer_vault is not installed', 1)
            ELSE is(salt_pillar('tsaltdb1') -> 'secrets', (SELECT secrets FROM vault_expected),
                    'salt_pillar: with mountaineer_vault, the ciphertexts the host may read, by safe and name (for an admin)') END;
SELECT CASE WHEN to_regprocedure('mountaineer.host_secrets(text)') IS NULL
            THEN skip('mountaineer_vault is not installed', 1)
            ELSE is((SELECT x FROM pg_temp.rows_as_master($$SELECT 'mountaineer', p FROM mountaineer.salt_pillar('tsaltdb1') AS p WHERE p IS NOT NULL$$) x)
                      -> 'p' -> 'secrets', (SELECT secrets FROM vault_expected),
                    'salt_pillar: and for the Salt master, through the external pillar''s query') END;
SELECT is(salt_pillar('tsaltdb1') ? 'secrets', to_regprocedure('mountaineer.host_secrets(text)') IS NOT NULL,
          'salt_pillar has secrets exactly when mountaineer_vault is installed');
-- a role an admin granted salt_pillar() to, that vault's host_secrets()
-- does not admit (neither admin, Salt master nor the host's login): refused
-- rather than served a pillar without its secrets
CREATE ROLE tsalt_dashboard;
GRANT USAGE ON SCHEMA mountaineer TO tsalt_dashboard;
GRANT EXECUTE ON FUNCTION salt_pillar(text) TO tsalt_dashboard;
SELECT CASE WHEN to_regprocedure('mountaineer.host_secrets(text)') IS NULL
            THEN skip('mountaineer_vault is not installed', 1)
            ELSE throws_ok($$SET LOCAL ROLE tsalt_dashboard; SELECT mountaineer.salt_pillar('tsaltdb1')$$, '42501',
                 'salt_pillar cannot list the secrets of host "tsaltdb1.tsalt.example": permission denied to list the secrets of host "tsaltdb1.tsalt.example"',
                 'salt_pillar refuses a caller vault does not admit, naming the host') END;
SELECT CASE WHEN to_regprocedure('mountaineer.host_secrets(text)') IS NULL
            THEN skip('mountaineer_vault is not installed', 1)
            ELSE is(pg_temp.dashboard_hint(), 'mountaineer_vault''s host_secrets() must admit the role calling salt_pillar (the Salt master''s, mountaineer_salt_master).',
                    'with a hint naming whom host_secrets() must admit') END;

------------------------------------------------------------------ what the master may not do
SELECT is(pg_temp.as_master('SELECT count(*) FROM mountaineer.host'), '42501 permission denied for table host',
          'the master cannot read the inventory');
SELECT is(pg_temp.as_master($$DELETE FROM mountaineer.highstate$$), '42501 permission denied for table highstate',
          'the master cannot write the summaries itself');
SELECT is(pg_temp.as_master($$UPDATE salt_returns SET success = 'false'$$), '42501 permission denied for table salt_returns',
          'the master cannot rewrite a return');
SELECT is(pg_temp.as_master($$CREATE TABLE jids_archive (LIKE jids)$$), '42501 permission denied for schema salt',
          'the master cannot create tables (archive_jobs is not supported)');
SELECT is_empty($$
    SELECT c.oid::regclass::text FROM pg_class c
     WHERE c.relnamespace = 'mountaineer'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'S', 'p')
       AND has_table_privilege('mountaineer_salt_master', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
    UNION ALL
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'mountaineer'::regnamespace AND p.oid <> 'mountaineer.salt_pillar(text)'::regprocedure
       AND has_function_privilege('mountaineer_salt_master', p.oid, 'EXECUTE') AND NOT has_function_privilege('public', p.oid, 'EXECUTE')
    UNION ALL
    SELECT r.rolname::text FROM pg_roles r WHERE pg_has_role('mountaineer_salt_master', r.oid, 'MEMBER') AND r.rolname <> 'mountaineer_salt_master'$$,
    'the master has no privilege on any table of the inventory, no function beyond everyone''s but salt_pillar, and no group role');
SELECT is(pg_temp.as_master($$SELECT mountaineer.salt_pillar('tsaltdb1')$$), 'ok', 'the master may call salt_pillar');
SELECT throws_ok($$SET LOCAL ROLE mountaineer_editor; SELECT mountaineer.salt_pillar('tsaltdb1')$$, '42501',
    'permission denied for function salt_pillar', 'an editor may not call salt_pillar');
RESET ROLE;

------------------------------------------------------------------ a host goes
DELETE FROM host WHERE hostname = 'tsaltweb2.tsalt.example';
SELECT results_eq($$SELECT minion_id, runs FROM unmatched_minion WHERE minion_id LIKE 'tsalt%' ORDER BY 1$$,
    $$VALUES ('tsaltghost.elsewhere.example', 1::bigint), ('tsaltweb2', 3)$$,
    'a deleted host''s runs stay, as an unmatched minion''s');

SELECT * FROM finish();
ROLLBACK;
