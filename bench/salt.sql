-- mountaineer_salt: what summarising Salt's state runs costs the returner's
-- writes, and how fast host_last_highstate answers (tools/bench.sh runs it
-- with :scale).
--
-- 1. 10,000 × SCALE minions (each a host of the inventory) return a
--    200-state highstate each, stored by the statement Salt's pgjsonb
--    returner runs (returner(): INSERT INTO salt_returns … VALUES …), one
--    statement per return as the master sends them, all in one transaction,
--    timed in the server.  Ours: into salt.salt_returns, whose trigger
--    summarises each into highstate, state_error and state_change (with the
--    change log).  The floor: the same rows into bare copies of the pgjsonb
--    tables (the returner's documented DDL, its GIN indexes included, no
--    trigger).  Of the returns, 1 in 10 has 3 states with changes, 1 in 20
--    has 2 failed states, 1 in 100 did not compile (a list of strings).
-- 2. host_last_highstate over the 10,000 × SCALE hosts with 30 days of one
--    run a day each (300,000 × SCALE summaries): a dashboard's question
--    (how many hosts are failing), against the same answer written with
--    DISTINCT ON over all summaries; median of 7 runs each.
\set ON_ERROR_STOP true
SET client_min_messages = warning;
SELECT 10000 * :scale AS minions \gset

-- the inventory: one environment, one cluster, a host per minion
INSERT INTO mountaineer.environment (name, hostname_regex) VALUES ('bsalt', '[a-z0-9-]+\.bsalt\.example');
INSERT INTO mountaineer.cluster (name, kind) VALUES ('bsalt-kvm', 'kvm');
INSERT INTO mountaineer.host (hostname, environment_id, cluster_id)
SELECT format('m%s.bsalt.example', lpad(i::text, 6, '0')), e.id, c.id
FROM generate_series(1, :minions) i, mountaineer.environment e, mountaineer.cluster c
WHERE e.name = 'bsalt' AND c.name = 'bsalt-kvm';

-- 200 states of 40 sls files, as Salt's state compiler returns them
CREATE TEMP TABLE bench_state AS
SELECT n, fn, format('state_%s', n) AS sid, format('/srv/app/%s/file_%s.conf', n % 40, n) AS name, format('app.part%s', n % 40) AS sls
FROM generate_series(0, 199) n,
     LATERAL (SELECT (ARRAY['file.managed', 'pkg.installed', 'service.running', 'user.present', 'cmd.run'])[1 + n % 5] AS fn) f;
CREATE FUNCTION pg_temp.bench_return(failing int[], changed int[]) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_object_agg(split_part(fn, '.', 1) || '_|-' || sid || '_|-' || name || '_|-' || split_part(fn, '.', 2),
        jsonb_build_object(
            'result', NOT (n = ANY (failing)),
            'comment', CASE WHEN n = ANY (failing) THEN 'Source file salt://app/' || n || '.conf not found in saltenv ''base'''
                            WHEN n = ANY (changed) THEN 'File ' || name || ' updated'
                            ELSE 'File ' || name || ' is in the correct state' END,
            'changes', CASE WHEN n = ANY (changed) THEN jsonb_build_object('diff', '--- \n+++ \n@@ -1 +1 @@\n-old\n+new\n') ELSE '{}' END,
            'name', name, '__id__', sid, '__sls__', sls, '__run_num__', n,
            'duration', 1.5 + n % 7, 'start_time', '03:15:00.' || lpad((n * 997 % 1000000)::text, 6, '0')))
    FROM bench_state
$$;
CREATE TEMP TABLE bench_return_kind (kind int PRIMARY KEY, ret jsonb, retcode int);
INSERT INTO bench_return_kind VALUES
    (0, pg_temp.bench_return('{}', '{}'), 0),
    (1, pg_temp.bench_return('{}', '{3,50,120}'), 0),
    (2, pg_temp.bench_return('{17,150}', '{}'), 2),
    (3, '["Rendering SLS ''base:app.part3'' failed: Jinja variable ''dict object'' has no attribute ''port''"]', 1);
-- the returns, in the order the master receives them
CREATE TEMP TABLE bench_salt_return AS
SELECT i, format('m%s.bsalt.example', lpad(i::text, 6, '0')) AS minion, '20261202031500000001' AS jid, k.ret,
       jsonb_build_object('fun', 'state.highstate', 'fun_args', '[]'::jsonb, 'id', format('m%s.bsalt.example', lpad(i::text, 6, '0')),
                          'jid', '20261202031500000001', 'retcode', k.retcode, 'return', k.ret, 'success', true, 'out', 'highstate') AS full_ret
FROM generate_series(1, :minions) i
JOIN bench_return_kind k ON k.kind = CASE WHEN i % 100 = 0 THEN 3 WHEN i % 20 = 0 THEN 2 WHEN i % 10 = 0 THEN 1 ELSE 0 END;
SELECT pg_size_pretty(avg(pg_column_size(ret))::bigint) AS "a return's size (compressed)" FROM bench_salt_return;

-- the floor: Salt's documented DDL, nothing else
CREATE SCHEMA bench_salt_floor;
CREATE TABLE bench_salt_floor.salt_returns (
    fun varchar(50) NOT NULL, jid varchar(255) NOT NULL, return jsonb NOT NULL, id varchar(255) NOT NULL,
    success varchar(10) NOT NULL, full_ret jsonb NOT NULL, alter_time timestamp with time zone DEFAULT now());
CREATE INDEX ON bench_salt_floor.salt_returns (id);
CREATE INDEX ON bench_salt_floor.salt_returns (jid);
CREATE INDEX ON bench_salt_floor.salt_returns (fun);
CREATE INDEX ON bench_salt_floor.salt_returns USING gin (return) WITH (fastupdate = on);
CREATE INDEX ON bench_salt_floor.salt_returns USING gin (full_ret) WITH (fastupdate = on);

-- one returner() INSERT per return; the loop and the payloads cost both the same
CREATE FUNCTION pg_temp.bench_store(target text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    FOR r IN SELECT * FROM bench_salt_return ORDER BY i LOOP
        EXECUTE format('INSERT INTO %s (fun, jid, return, id, success, full_ret, alter_time)
                        VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7))', target)
          USING 'state.highstate', r.jid, r.ret, r.minion, 'true', r.full_ret, extract(epoch FROM clock_timestamp());
    END LOOP;
END $$;
CHECKPOINT;
SELECT bench_seconds($$SELECT pg_temp.bench_store('bench_salt_floor.salt_returns')$$) AS floor_s \gset
CHECKPOINT;
SELECT bench_seconds($$SELECT pg_temp.bench_store('salt.salt_returns')$$) AS ours_s \gset

-- every return summarised, exactly (a wrong count stops the bench)
SELECT count(*) = :minions
       AND sum(total) = 200 * (:minions - :minions / 100)
       AND sum(failed) = 2 * (:minions / 20 - :minions / 100)
       AND sum(changed) = 3 * (:minions / 10 - :minions / 20)
       AND count(*) FILTER (WHERE compile_error IS NOT NULL) = :minions / 100
       AND count(*) FILTER (WHERE host_id IS NULL) = 0 AS summaries_ok,
       (SELECT count(*) FROM mountaineer.state_error e JOIN mountaineer.highstate s ON s.id = e.highstate_id WHERE s.jid = '20261202031500000001')
         = 2 * (:minions / 20 - :minions / 100)
   AND (SELECT count(*) FROM mountaineer.state_change c JOIN mountaineer.highstate s ON s.id = c.highstate_id WHERE s.jid = '20261202031500000001')
         = 3 * (:minions / 10 - :minions / 20) AS details_ok
FROM mountaineer.highstate WHERE jid = '20261202031500000001' \gset
\if :summaries_ok
\else
    \warn 'salt bench: the highstate summaries do not match the returns'
    SELECT 1/0 AS "summaries wrong";
\endif
\if :details_ok
\else
    \warn 'salt bench: state_error or state_change do not match the returns'
    SELECT 1/0 AS "errors and changes wrong";
\endif

INSERT INTO bench_result (bench, what, ours, peer, unit)
VALUES ('salt', format('%s returner() INSERTs of a 200-state highstate, summarised vs bare pgjsonb tables', :minions),
        :minions / :ours_s, :minions / :floor_s, 'returns/s');

-- 30 days of one run a day per host (a failure now and then), written as
-- summaries directly, without the change log (this part measures reads;
-- highstate_latest is kept by its trigger as always)
ALTER TABLE mountaineer.highstate DISABLE TRIGGER log_insert;
INSERT INTO mountaineer.highstate (host_id, minion_id, jid, fun, started_at, returned_at, duration_ms, total, succeeded, failed, retcode)
SELECT h.id, h.hostname, to_char(t, 'YYYYMMDDHH24MISS') || '000000', 'state.highstate',
       t - interval '30 seconds', t, 30000, 200, 200 - f, f, CASE WHEN f > 0 THEN 2 ELSE 0 END
FROM mountaineer.host h
JOIN mountaineer.environment e ON e.id = h.environment_id AND e.name = 'bsalt'
CROSS JOIN generate_series(1, 30) d
CROSS JOIN LATERAL (SELECT now() - d * interval '1 day' + (hashint4(d) % 3600) * interval '1 second' AS t,
                           CASE WHEN hashtext(h.hostname || d) % 50 = 0 THEN 1 ELSE 0 END AS f) x;
ALTER TABLE mountaineer.highstate ENABLE TRIGGER log_insert;
VACUUM ANALYZE mountaineer.highstate;
VACUUM ANALYZE mountaineer.host;
SELECT count(*) AS hosts, (SELECT count(*) FROM mountaineer.highstate) AS summaries FROM mountaineer.host \gset

CREATE TEMP TABLE bench_salt_timing (what text, s numeric);
DO $$
BEGIN
    FOR i IN 1..7 LOOP
        INSERT INTO bench_salt_timing SELECT 'ours', bench_seconds(
            'SELECT count(*) FILTER (WHERE failing), count(highstate_id) FROM mountaineer.host_last_highstate');
        INSERT INTO bench_salt_timing SELECT 'peer', bench_seconds(
            'SELECT count(*) FILTER (WHERE l.failed > 0 OR coalesce(l.retcode, 0) <> 0 OR l.compile_error IS NOT NULL), count(l.id)
               FROM mountaineer.host h
               LEFT JOIN (SELECT DISTINCT ON (s.host_id) s.* FROM mountaineer.highstate s
                           WHERE NOT s.test AND s.host_id IS NOT NULL ORDER BY s.host_id, s.returned_at DESC) l ON l.host_id = h.id');
    END LOOP;
END $$;
-- both give the same answer (else the bench stops)
SELECT (SELECT row(count(*) FILTER (WHERE failing), count(highstate_id)) FROM mountaineer.host_last_highstate)
     = (SELECT row(count(*) FILTER (WHERE l.failed > 0 OR coalesce(l.retcode, 0) <> 0 OR l.compile_error IS NOT NULL), count(l.id))
          FROM mountaineer.host h
          LEFT JOIN (SELECT DISTINCT ON (s.host_id) s.* FROM mountaineer.highstate s
                      WHERE NOT s.test AND s.host_id IS NOT NULL ORDER BY s.host_id, s.returned_at DESC) l ON l.host_id = h.id)
       AS view_ok \gset
\if :view_ok
\else
    \warn 'salt bench: host_last_highstate and DISTINCT ON disagree'
    SELECT 1/0 AS "host_last_highstate wrong";
\endif
-- the issue's target: under 50 ms (reported, not enforced: the machine is shared)
SELECT CASE WHEN 1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY s) < 50 THEN 'yes' ELSE 'NO' END
       AS "host_last_highstate under 50 ms"
FROM bench_salt_timing WHERE what = 'ours';
INSERT INTO bench_result (bench, what, ours, peer, unit, lower_is_better)
SELECT 'salt', format('host_last_highstate, %s hosts, %s summaries: failing count vs DISTINCT ON', :hosts, :summaries),
       1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY s) FILTER (WHERE what = 'ours'),
       1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY s) FILTER (WHERE what = 'peer'), 'ms', true
FROM bench_salt_timing;
SELECT what, ours, peer, unit FROM bench_result WHERE bench = 'salt';
