-- mountaineer_salt: what Salt's returner wrote, per host, and what its
-- external pillar reads.
\pset footer off
-- Each host's latest state run (test=True runs left out) and whether it fails.
SELECT hostname, jid, fun, total, failed, changed, retcode, failing
FROM mountaineer.host_last_highstate WHERE highstate_id IS NOT NULL ORDER BY hostname;
-- What fails across the estate, by sls.
SELECT sls, state_id, function, minion_count, minions, last_comment FROM mountaineer.failing_state ORDER BY sls, state_id;
-- A run that did not compile: Salt says success, the retcode says 1.
SELECT s.minion_id, s.retcode, r.success AS salt_success, s.compile_error
FROM mountaineer.highstate s JOIN salt.salt_returns r ON r.jid = s.jid AND r.id = s.minion_id
WHERE s.compile_error IS NOT NULL;
-- The minions that name no host of the inventory.
SELECT minion_id, runs FROM mountaineer.unmatched_minion ORDER BY minion_id;
-- What the Salt master's ext_pillar gets for web1.
SELECT jsonb_pretty(mountaineer.salt_pillar('web1.prod.example.net'));
-- Hosts that have returned no state run for a day (or ever): the first five.
SELECT hostname, environment FROM mountaineer.hosts_not_seen('1 day') LIMIT 5;
