\set ON_ERROR_STOP true
\set QUIET true
-- mountaineer_salt: what the summary tables do with the changes the other
-- suite does not make: an editor's correction and deletion are logged and
-- keep highstate_latest (so host_last_highstate) right, an id never
-- changes, what an editor's rows may not say is refused (SQLSTATE and
-- message), and TRUNCATE logs every row it removes.
BEGIN;
SET search_path = mountaineer, public;
SET LOCAL client_min_messages = warning;   -- TRUNCATE ... CASCADE names every table it reaches
SELECT plan(21);

INSERT INTO environment (name, hostname_regex) VALUES ('tcsalt', '[a-z0-9-]+\.tcsalt\.example');
INSERT INTO cluster (name, kind) VALUES ('tcsalt-k', 'kvm');
INSERT INTO host (hostname, environment_id, cluster_id)
SELECT h, e.id, c.id FROM environment e, cluster c, unnest(ARRAY['tcs1.tcsalt.example', 'tcs2.tcsalt.example']) h
WHERE e.name = 'tcsalt' AND c.name = 'tcsalt-k';
-- two runs of tcs1 (the later one failing), one of a minion with a typo
INSERT INTO salt.salt_returns (fun, jid, return, id, success, full_ret, alter_time) VALUES
    ('state.apply', '20261202020000000001', '{"pkg_|-a_|-a_|-installed": {"result": true, "changes": {"a": {"new": "1"}}, "__id__": "a", "name": "a", "__sls__": "tc", "__run_num__": 0, "duration": 5}}',
     'tcs1.tcsalt.example', 'true', '{"retcode": 0}', now() - interval '2 hours'),
    ('state.apply', '20261202020000000002', '{"pkg_|-a_|-a_|-installed": {"result": false, "comment": "no", "changes": {}, "__id__": "a", "name": "a", "__sls__": "tc", "__run_num__": 0, "duration": 5}}',
     'tcs1.tcsalt.example', 'true', '{"retcode": 2}', now() - interval '1 hour'),
    ('state.apply', '20261202020000000003', '{"pkg_|-a_|-a_|-installed": {"result": true, "changes": {}, "__id__": "a", "name": "a", "__sls__": "tc", "__run_num__": 0, "duration": 5}}',
     'tcs2.tcsalt.exmaple', 'true', '{"retcode": 0}', now() - interval '30 minutes');
CREATE FUNCTION pg_temp.last_change(tbl regclass, row_id uuid) RETURNS text LANGUAGE sql
    AS $$ SELECT row(op, before, after)::text FROM mountaineer.history(tbl, row_id) ORDER BY id DESC LIMIT 1 $$;
CREATE TEMP VIEW latest AS
    SELECT hostname, jid, failing FROM host_last_highstate WHERE hostname LIKE 'tcs%' ORDER BY hostname;

SELECT results_eq('SELECT * FROM latest',
    $$VALUES ('tcs1.tcsalt.example', '20261202020000000002', true), ('tcs2.tcsalt.example', NULL, NULL)$$,
    'host_last_highstate: the later run of tcs1; tcs2''s run came under a misspelt minion id');

-- an editor gives the misspelt minion's run its host
SET LOCAL ROLE mountaineer_editor;
UPDATE highstate SET host_id = (SELECT id FROM host WHERE hostname = 'tcs2.tcsalt.example')
 WHERE minion_id = 'tcs2.tcsalt.exmaple';
RESET ROLE;
SELECT is(pg_temp.last_change('mountaineer.highstate', (SELECT id FROM highstate WHERE jid = '20261202020000000003')),
          format('(update,"{""host_id"": null}","{""host_id"": ""%s""}")', (SELECT id FROM host WHERE hostname = 'tcs2.tcsalt.example')),
          'an editor''s correction of a run is logged with what changed');
SELECT results_eq('SELECT * FROM latest',
    $$VALUES ('tcs1.tcsalt.example', '20261202020000000002', true), ('tcs2.tcsalt.example', '20261202020000000003', false)$$,
    'host_last_highstate follows the correction');

-- ids never change
SELECT throws_ok($$UPDATE highstate SET id = gen_random_uuid() WHERE jid = '20261202020000000001'$$, '428C9',
    'the id of a highstate row cannot change', 'a highstate''s id cannot change');
SELECT throws_ok($$UPDATE state_error SET id = gen_random_uuid()$$, '428C9', NULL, 'nor a state_error''s');
SELECT throws_ok($$UPDATE state_change SET id = gen_random_uuid()$$, '428C9', NULL, 'nor a state_change''s');

-- what an editor's own rows may not say
CREATE FUNCTION pg_temp.as_editor_run(total int, succeeded int, failed int, duration numeric, jid text DEFAULT '20261202029900000001')
RETURNS text LANGUAGE sql AS $$
    SELECT format($q$SET LOCAL ROLE mountaineer_editor;
        INSERT INTO mountaineer.highstate (minion_id, jid, fun, started_at, returned_at, duration_ms, total, succeeded, failed)
        VALUES ('tcs1.tcsalt.example', %L, 'state.apply', now(), now(), %s, %s, %s, %s)$q$, jid, duration, total, succeeded, failed)
$$;
SELECT throws_ok(pg_temp.as_editor_run(3, 1, 1, 10), '23514',
    'new row for relation "highstate" violates check constraint "highstate_counts_check"',
    'an editor''s run whose counts do not add up is refused');
SELECT throws_ok(pg_temp.as_editor_run(1, 1, 0, -1), '23514',
    'new row for relation "highstate" violates check constraint "highstate_duration_ms_check"',
    'a negative duration is refused');
SELECT throws_ok(pg_temp.as_editor_run(1, 1, 0, 1, '20261202020000000001'), '23505',
    'duplicate key value violates unique constraint "highstate_jid_minion_id_key"',
    'a second run of one minion in one job is refused');
SELECT throws_ok($$SET LOCAL ROLE mountaineer_editor;
    INSERT INTO mountaineer.state_error (highstate_id, state_id, function) VALUES (gen_random_uuid(), 'a', 'pkg.installed')$$, '23503',
    'insert or update on table "state_error" violates foreign key constraint "state_error_highstate_id_fkey"',
    'a failed state of no run is refused');
SELECT throws_ok($$SET LOCAL ROLE mountaineer_editor; DELETE FROM mountaineer.highstate_latest$$, '42501',
    'permission denied for table highstate_latest', 'an editor may not write highstate_latest (derived)');
SELECT throws_ok($$SET LOCAL ROLE mountaineer_editor;
    INSERT INTO salt.salt_returns (fun, jid, return, id, success, full_ret) VALUES ('state.apply', '1', '{}', 'tcs1', 'true', '{}')$$, '42501',
    'permission denied for table salt_returns', 'nor Salt''s job cache: only the master writes it');

-- deleting tcs1's failing run brings back the one before
SET LOCAL ROLE mountaineer_editor;
DELETE FROM highstate WHERE jid = '20261202020000000002';
RESET ROLE;
SELECT results_eq('SELECT * FROM latest',
    $$VALUES ('tcs1.tcsalt.example', '20261202020000000001', false), ('tcs2.tcsalt.example', '20261202020000000003', false)$$,
    'host_last_highstate: a deleted latest run gives way to the one before');
SELECT is((SELECT count(*) FROM change WHERE table_name = 'state_error' AND op = 'delete'
             AND before ->> 'highstate_id' = (SELECT row_id::text FROM change WHERE table_name = 'highstate' AND op = 'delete'
                                                AND before ->> 'jid' = '20261202020000000002')), 1::bigint,
          'its state_error went with it, logged');

-- a return that arrives late, older than the latest run, changes nothing there
INSERT INTO salt.salt_returns (fun, jid, return, id, success, full_ret, alter_time) VALUES
    ('state.apply', '20261202015000000004', '{"pkg_|-a_|-a_|-installed": {"result": false, "changes": {}, "__id__": "a", "name": "a", "__sls__": "tc", "__run_num__": 0, "duration": 5}}',
     'tcs2.tcsalt.example', 'true', '{"retcode": 2}', now() - interval '3 hours');
SELECT results_eq('SELECT * FROM latest',
    $$VALUES ('tcs1.tcsalt.example', '20261202020000000001', false), ('tcs2.tcsalt.example', '20261202020000000003', false)$$,
    'host_last_highstate: a late return of an older run does not displace the latest');
-- a run moved from one host to another
UPDATE highstate SET host_id = (SELECT id FROM host WHERE hostname = 'tcs2.tcsalt.example') WHERE jid = '20261202020000000001';
SELECT results_eq('SELECT * FROM latest',
    $$VALUES ('tcs1.tcsalt.example', NULL, NULL), ('tcs2.tcsalt.example', '20261202020000000003', false)$$,
    'host_last_highstate: a run moved to another host leaves the first and does not displace the newer run of the second');
UPDATE highstate SET host_id = (SELECT id FROM host WHERE hostname = 'tcs1.tcsalt.example') WHERE jid = '20261202020000000001';

-- a change to a state_change row is logged
UPDATE state_change SET changes = '{"a": {"new": "1", "old": ""}}'
 WHERE highstate_id = (SELECT id FROM highstate WHERE jid = '20261202020000000001');
SELECT is(pg_temp.last_change('mountaineer.state_change', (SELECT c.id FROM state_change c JOIN highstate s ON s.id = c.highstate_id
                                                            WHERE s.jid = '20261202020000000001')),
          '(update,"{""changes"": {""a"": {""new"": ""1""}}}","{""changes"": {""a"": {""new"": ""1"", ""old"": """"}}}")',
          'an update of a state_change is logged with what changed');

-- a change to a state_error row is logged
UPDATE state_error SET comment = 'acknowledged' WHERE highstate_id = (SELECT id FROM highstate WHERE jid = '20261202015000000004');
SELECT is((SELECT count(*) FROM change WHERE table_name = 'state_error' AND op = 'update' AND after ->> 'comment' = 'acknowledged'
             AND row_id IN (SELECT id FROM state_error)), 1::bigint,
          'an update of a state_error is logged with what changed');

-- a host deleted: its runs stay, unmatched
DELETE FROM host WHERE hostname = 'tcs1.tcsalt.example';
SELECT results_eq($$SELECT count(*), count(host_id) FROM highstate WHERE jid = '20261202020000000001'$$,
    $$VALUES (1::bigint, 0::bigint)$$, 'a deleted host''s run stays, without its host');

-- TRUNCATE logs every row it removes
CREATE TEMP TABLE before_truncate AS
    SELECT (SELECT count(*) FROM highstate) AS runs, (SELECT count(*) FROM state_change) AS changes,
           (SELECT max(id) FROM change) AS last_change;
TRUNCATE state_error, state_change, highstate, highstate_latest;
SELECT results_eq($$SELECT table_name, count(*) FROM change WHERE id > (SELECT last_change FROM before_truncate) AND op = 'truncate'
                     AND table_name IN ('highstate', 'state_change') GROUP BY table_name ORDER BY table_name$$,
    $$SELECT 'highstate'::text, runs FROM before_truncate UNION ALL SELECT 'state_change', changes FROM before_truncate$$,
    'TRUNCATE logs every summary it removes');
SELECT is((SELECT count(*) FROM host_last_highstate WHERE highstate_id IS NOT NULL), 0::bigint,
          'and host_last_highstate has no runs left');

SELECT * FROM finish();
ROLLBACK;
