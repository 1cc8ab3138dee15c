-- The Salt master's session, as pgjsonb.py and salt.pillar.postgres run it,
-- in a database with mountaineer_hosts but not mountaineer_networks.
SET client_min_messages = warning;
INSERT INTO mountaineer.environment (name, hostname_regex) VALUES ('reg', '[a-z0-9-]+\.reg\.example');
INSERT INTO mountaineer.cluster (name, kind) VALUES ('reg-kvm', 'kvm');
INSERT INTO mountaineer.host (hostname, environment_id, cluster_id)
SELECT 'web1.reg.example', e.id, c.id FROM mountaineer.environment e, mountaineer.cluster c
WHERE e.name = 'reg' AND c.name = 'reg-kvm';
-- the master's login gets search_path salt in this database
SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
WHERE r.rolname = 'mountaineer_salt_master' AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database());
SET ROLE mountaineer_salt_master;
SET search_path = salt;   -- what that setting gives a login (SET ROLE does not apply it)
-- save_load()
INSERT INTO jids
                              (jid, load)
                              VALUES ('20261202050000000001', '{"fun": "state.apply", "arg": ["web"], "tgt": "web1"}')
                              ON CONFLICT (jid) DO UPDATE
                              SET load='{"fun": "state.apply", "arg": ["web"], "tgt": "web1"}';
-- returner(): a state failed, with a list of comments; success is still true
INSERT INTO salt_returns
                    (fun, jid, return, id, success, full_ret, alter_time)
                    VALUES ('state.apply', '20261202050000000001', '{"file_|-conf_|-/etc/app.conf_|-managed": {"result": false, "comment": ["Source file not found", "Check salt://web"], "changes": {}, "name": "/etc/app.conf", "__id__": "conf", "__sls__": "web", "__run_num__": 0, "duration": 2.5}, "service_|-app_|-app_|-running": {"result": true, "comment": "Started", "changes": {"app": true}, "name": "app", "__id__": "app", "__sls__": "web", "__run_num__": 1, "duration": 120.25}}', 'web1', true, '{"fun": "state.apply", "fun_args": ["web"], "id": "web1", "jid": "20261202050000000001", "retcode": 2, "success": true}', to_timestamp(1796187600.0));
-- get_jid()
SELECT id, full_ret ->> 'retcode' AS retcode FROM salt_returns
                WHERE jid = '20261202050000000001';
-- get_fun(): MySQL's backticks, refused by PostgreSQL
SELECT s.id,s.jid, s.full_ret
                FROM salt_returns s
                JOIN ( SELECT MAX(`jid`) as jid
                    from salt_returns GROUP BY fun, id) max
                ON s.jid = max.jid
                WHERE s.fun = 'state.apply';
-- the external pillar: no addresses without mountaineer_networks
SELECT 'mountaineer', p - 'slug' FROM mountaineer.salt_pillar('web1') AS p WHERE p IS NOT NULL;
-- and nothing else
SELECT count(*) FROM mountaineer.host;
SELECT count(*) FROM mountaineer.highstate;
UPDATE salt_returns SET success = 'false';
CREATE TABLE jids_archive (LIKE jids);
RESET ROLE;
RESET search_path;
-- what the trigger made of the return
SELECT minion_id, fun, started_at, returned_at, duration_ms, total, succeeded, failed, changed, pending, retcode, test
FROM mountaineer.highstate;
SELECT state_id, sls, name, function, comment, run_num FROM mountaineer.state_error;
SELECT state_id, sls, name, function, result, changes FROM mountaineer.state_change;
SELECT mountaineer.hosts_not_seen('-1 day');
SET ROLE mountaineer_editor;
SELECT mountaineer.salt_pillar('web1');
RESET ROLE;
