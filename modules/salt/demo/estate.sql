-- Sample Salt history for mountaineer_salt, written the way a Salt master
-- writes it: as mountaineer_salt_master, into the pgjsonb returner's tables
-- (search_path salt).  Two jobs: yesterday's highstate of the web and
-- database hosts (clean), and an hour ago an apply that changed web1,
-- failed on web2, did not compile on db1 and came back from a build VM the
-- inventory does not know; then a test=True run on web1.
SET ROLE mountaineer_salt_master;
SET search_path = salt;

-- The states every web host runs (module.function, id, name, sls).
CREATE TEMP TABLE web_state (n int, fn text, sid text, name text, sls text);
INSERT INTO web_state VALUES
    (0, 'pkg.installed', 'nginx', 'nginx', 'web'),
    (1, 'file.managed', 'nginx_conf', '/etc/nginx/nginx.conf', 'web'),
    (2, 'service.running', 'nginx_service', 'nginx', 'web'),
    (3, 'user.present', 'deploy', 'deploy', 'users'),
    (4, 'file.managed', 'motd', '/etc/motd', 'base');

-- A state run's return: results (true unless the state id is in failing,
-- null if in pending), changes for the ids in changed, 10 ms each.
CREATE TEMP TABLE demo_return (jid text, minion text, fun text, ret jsonb, retcode int, fun_args jsonb, at timestamptz);
CREATE FUNCTION pg_temp.web_return(failing text[], changed text[], pending text[]) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_object_agg(split_part(fn, '.', 1) || '_|-' || sid || '_|-' || name || '_|-' || split_part(fn, '.', 2),
        jsonb_build_object(
            'result', CASE WHEN sid = ANY (failing) THEN 'false'::jsonb WHEN sid = ANY (pending) THEN 'null' ELSE 'true' END,
            'comment', CASE WHEN sid = ANY (failing) THEN 'Source file salt://web/files/nginx.conf not found in saltenv ''base'''
                            WHEN sid = ANY (pending) THEN 'The file ' || name || ' is set to be changed'
                            WHEN sid = ANY (changed) THEN 'Updated ' || name
                            ELSE name || ' is in the correct state' END,
            'changes', CASE WHEN sid = ANY (changed) OR sid = ANY (pending) THEN jsonb_build_object('diff', '+managed by salt') ELSE '{}' END,
            'name', name, '__id__', sid, '__sls__', sls, '__run_num__', n, 'duration', 10.0, 'start_time', '02:00:00.000000'))
    FROM web_state
$$;
INSERT INTO demo_return
SELECT '20261201020000000001', h, 'state.highstate', pg_temp.web_return('{}', '{}', '{}'), 0, '[]', now() - interval '1 day'
FROM unnest(ARRAY['web1.prod.example.net', 'web2.prod.example.net', 'db1.prod.example.net', 'db2.prod.example.net']) h;
INSERT INTO demo_return VALUES
    ('20261202010000000002', 'web1.prod.example.net', 'state.apply', pg_temp.web_return('{}', '{nginx_conf,nginx_service}', '{}'), 0, '[]', now() - interval '1 hour'),
    ('20261202010000000002', 'web2.prod.example.net', 'state.apply', pg_temp.web_return('{nginx_conf}', '{}', '{}'), 2, '[]', now() - interval '1 hour'),
    ('20261202010000000002', 'db1', 'state.apply',
     '["Rendering SLS ''base:postgres'' failed: Jinja variable ''dict object'' has no attribute ''port''"]', 1, '[]', now() - interval '1 hour'),
    ('20261202010000000002', 'db2.prod.example.net', 'state.apply', pg_temp.web_return('{}', '{}', '{}'), 0, '[]', now() - interval '1 hour'),
    ('20261202010000000002', 'build-07.ci.example.net', 'state.apply', pg_temp.web_return('{}', '{motd}', '{}'), 0, '[]', now() - interval '1 hour'),
    ('20261202013000000003', 'web1.prod.example.net', 'state.apply', pg_temp.web_return('{}', '{}', '{motd}'), 0, '["test=True"]', now() - interval '30 minutes');

-- save_load(), returner() and event_return() as pgjsonb.py runs them
INSERT INTO jids (jid, load)
SELECT DISTINCT jid, jsonb_build_object('fun', fun, 'arg', fun_args, 'tgt', '*', 'tgt_type', 'glob', 'user', 'root')
FROM demo_return ON CONFLICT (jid) DO NOTHING;
INSERT INTO salt_returns (fun, jid, return, id, success, full_ret, alter_time)
SELECT fun, jid, ret, minion, true,
       jsonb_build_object('fun', fun, 'fun_args', fun_args, 'id', minion, 'jid', jid, 'retcode', retcode,
                          'return', ret, 'success', true, 'out', 'highstate'),
       at
FROM demo_return ORDER BY at, minion;
INSERT INTO salt_events (tag, data, master_id, alter_time)
SELECT 'salt/job/' || jid || '/ret/' || minion, jsonb_build_object('fun', fun, 'retcode', retcode, 'id', minion), 'salt.prod.example.net', at
FROM demo_return ORDER BY at, minion;

RESET ROLE;
RESET search_path;
