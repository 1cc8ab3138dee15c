\set ON_ERROR_STOP true
\set QUIET true
-- mountaineer_salt: the other shapes a state run's return takes, as Salt
-- sends them, stored by the master's role and summarised (the main suite,
-- salt.sql, has the everyday ones): test=True as the salt CLI passes it (a
-- kwarg dict in fun_args), durations as older Salt wrote them ("12.5 ms"),
-- a minion busy with another state run and a function the minion lacks
-- (both not states: a list or a string), a highstate no top file matches
-- (one failed pseudo-state), an empty return, and values of the wrong type:
-- each is stored, none refused, and each summary is checked exactly.
BEGIN;
SELECT plan(11);
SET search_path = mountaineer, public;

INSERT INTO environment (name, hostname_regex) VALUES ('tshape', '[a-z0-9-]+\.tshape\.example');
INSERT INTO cluster (name, kind) VALUES ('tshape-kvm', 'kvm');
INSERT INTO host (hostname, environment_id, cluster_id)
SELECT 'tshape' || i || '.tshape.example', e.id, c.id FROM environment e, cluster c, generate_series(1, 7) i
WHERE e.name = 'tshape' AND c.name = 'tshape-kvm';

-- returner()'s INSERT, as the master's role (its search_path is salt)
CREATE FUNCTION pg_temp.returner(fun text, jid text, minion text, ret jsonb, retcode jsonb, fun_args jsonb DEFAULT '[]')
RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text := 'ok';
BEGIN
    SET LOCAL ROLE mountaineer_salt_master;
    SET LOCAL search_path = salt;
    BEGIN
        EXECUTE format($q$INSERT INTO salt_returns
                    (fun, jid, return, id, success, full_ret, alter_time)
                    VALUES (%L, %L, %L, %L, %s, %L, to_timestamp(%s))$q$,
            fun, jid, ret, minion, 'true',
            jsonb_build_object('fun', fun, 'fun_args', fun_args, 'id', minion, 'jid', jid, 'retcode', retcode,
                               'return', ret, 'success', true, 'out', 'highstate'),
            extract(epoch FROM now() - interval '5 minutes') + right(jid, 2)::numeric);
    EXCEPTION WHEN OTHERS THEN
        r := SQLSTATE || ' ' || SQLERRM;
    END;
    RESET ROLE;
    SET LOCAL search_path = mountaineer, public;
    RETURN r;
END $$;

-- 1. `salt tshape1 state.apply web test=True`: the CLI sends the kwarg as a dict
SELECT is(pg_temp.returner('state.apply', '20261202040000000001', 'tshape1.tshape.example',
    '{"file_|-motd_|-/etc/motd_|-managed": {"result": null, "comment": "The file /etc/motd is set to be changed", "changes": {"diff": "+Welcome\n"},
       "name": "/etc/motd", "__id__": "motd", "__sls__": "web", "__run_num__": 0, "duration": 4.75, "start_time": "04:00:00.100000"}}',
    '0', '["web", {"test": true, "__kwarg__": true}]'), 'ok', 'a test=True run whose fun_args carry the kwarg dict');
-- 2. durations as older Salt wrote them, a string with " ms"
SELECT is(pg_temp.returner('state.highstate', '20261202040000000002', 'tshape2.tshape.example',
    '{"pkg_|-vim_|-vim_|-installed": {"result": true, "comment": "All specified packages are already installed", "changes": {},
       "name": "vim", "__id__": "vim", "__sls__": "base", "__run_num__": 0, "duration": "12.5 ms", "start_time": "04:00:01.000000"},
      "cmd_|-hello_|-echo hello_|-run": {"result": true, "comment": "Command \"echo hello\" run", "changes": {"pid": 4711, "retcode": 0, "stderr": "", "stdout": "hello"},
       "name": "echo hello", "__id__": "hello", "__sls__": "base", "__run_num__": 1, "duration": "7 ms", "start_time": "04:00:01.012500"}}',
    '0'), 'ok', 'a return with its durations as strings');
-- 3. the minion is still running another job's states: a list, retcode 1
SELECT is(pg_temp.returner('state.apply', '20261202040000000003', 'tshape3.tshape.example',
    '["The function \"state.apply\" is running as PID 4711 and was started at 2026, Dec 02 03:59:58.000000 with jid 20261202035958000000"]',
    '1'), 'ok', 'a return of a minion busy with another state run');
-- 4. state.sls on a minion whose Salt lacks it: a string, retcode 254
SELECT is(pg_temp.returner('state.sls', '20261202040000000004', 'tshape4.tshape.example',
    '"''state.sls'' is not available."', '254'), 'ok', 'a return that is one string');
-- 5. a highstate no top file matches: one failed pseudo-state, retcode 2
SELECT is(pg_temp.returner('state.highstate', '20261202040000000005', 'tshape5.tshape.example',
    '{"no_|-states_|-states_|-None": {"result": false, "comment": "No Top file or master_tops data matches found. Please see master log for details.",
       "name": "No States", "changes": {}, "__run_num__": 0}}',
    '2'), 'ok', 'a highstate that no top file matches');
-- 6. nothing to do: an empty dict
SELECT is(pg_temp.returner('state.apply', '20261202040000000006', 'tshape6.tshape.example', '{}', '0'), 'ok', 'an empty return');
-- 7. values of the wrong type throughout: never refused
SELECT is(pg_temp.returner('state.apply', '20261202040000000007', 'tshape7.tshape.example',
    '{"pkg_|-a_|-a_|-installed": {"result": "False", "comment": null, "changes": null, "duration": "fast", "__run_num__": 1e30},
      "pkg_|-b_|-b_|-installed": "not a state",
      "weird": {"result": false, "comment": ["a", 1, null], "changes": [], "duration": -3, "__run_num__": "x"}}',
    '"2"', '"test=True"'), 'ok', 'a return whose values have the wrong types is stored');

SELECT results_eq($$
    SELECT s.minion_id, s.fun, s.duration_ms, s.total, s.succeeded, s.failed, s.changed, s.pending, s.retcode, s.compile_error, s.test,
           s.host_id IS NOT NULL
      FROM highstate s WHERE s.minion_id LIKE 'tshape%' ORDER BY s.jid$$,
    $$VALUES ('tshape1.tshape.example', 'state.apply', 4.75, 1, 0, 0, 0, 1, 0, NULL::text[], true, true),
             ('tshape2.tshape.example', 'state.highstate', 19.5, 2, 2, 0, 1, 0, 0, NULL, false, true),
             ('tshape3.tshape.example', 'state.apply', 0, 0, 0, 0, 0, 0, 1,
              ARRAY['The function "state.apply" is running as PID 4711 and was started at 2026, Dec 02 03:59:58.000000 with jid 20261202035958000000'], false, true),
             ('tshape4.tshape.example', 'state.sls', 0, 0, 0, 0, 0, 0, 254, ARRAY['''state.sls'' is not available.'], false, true),
             ('tshape5.tshape.example', 'state.highstate', 0, 1, 0, 1, 0, 0, 2, NULL, false, true),
             ('tshape6.tshape.example', 'state.apply', 0, 0, 0, 0, 0, 0, 0, NULL, false, true),
             ('tshape7.tshape.example', 'state.apply', 3, 2, 0, 1, 0, 1, NULL, NULL, false, true)$$,
    'each shape is summarised: kwarg test=True, string durations, a list or a string as not compiled, a pseudo-state, wrong types read as nothing');
SELECT results_eq($$
    SELECT s.minion_id, e.state_id, e.sls, e.name, e.function, e.comment, e.run_num
      FROM state_error e JOIN highstate s ON s.id = e.highstate_id WHERE s.minion_id LIKE 'tshape%' ORDER BY s.jid, e.state_id$$,
    $$VALUES ('tshape5.tshape.example', 'states', NULL, 'No States', 'no.None',
              'No Top file or master_tops data matches found. Please see master log for details.', 0),
             ('tshape7.tshape.example', '', NULL, NULL, 'weird', E'a\n1', NULL)$$,
    'state_error: the pseudo-state named from its key, and a state with no key parts by what it has (a null comment line left out)');
SELECT results_eq($$
    SELECT s.minion_id, c.state_id, c.function, c.result, c.changes
      FROM state_change c JOIN highstate s ON s.id = c.highstate_id WHERE s.minion_id LIKE 'tshape%' ORDER BY s.jid, c.state_id$$,
    $$VALUES ('tshape1.tshape.example', 'motd', 'file.managed', NULL::boolean, '{"diff": "+Welcome\n"}'::jsonb),
             ('tshape2.tshape.example', 'hello', 'cmd.run', true, '{"pid": 4711, "retcode": 0, "stderr": "", "stdout": "hello"}')$$,
    'state_change: what the test run would change and what cmd.run did; null and [] changes are none');
SELECT results_eq($$SELECT hostname, jid, failing FROM host_last_highstate WHERE hostname LIKE 'tshape%' ORDER BY hostname$$,
    $$VALUES ('tshape1.tshape.example', NULL, NULL),
             ('tshape2.tshape.example', '20261202040000000002', false),
             ('tshape3.tshape.example', '20261202040000000003', true),
             ('tshape4.tshape.example', '20261202040000000004', true),
             ('tshape5.tshape.example', '20261202040000000005', true),
             ('tshape6.tshape.example', '20261202040000000006', false),
             ('tshape7.tshape.example', '20261202040000000007', true)$$,
    'host_last_highstate: the test run is not an applying run; a busy minion, a missing function, no top file and a failed state are failing');

SELECT * FROM finish();
ROLLBACK;
