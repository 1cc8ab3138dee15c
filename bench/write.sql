-- The write path: what every trigger of the inventory costs a bulk write.
-- For five things an import writes — ip_address (bare addresses in one
-- active /10), prefix (/28 children of one /8), device with ports (each
-- device and its 3 interface ports), cable with ends (each cable and its
-- two ends, on ports made beforehand), host (VMs of one cluster) — the
-- same statements on the same rows (deterministic ids: md5 of a name),
-- N = 100,000 × SCALE rows (all tables' rows counted: 25,000 devices +
-- 75,000 ports, 33,333 cables + 66,666 ends), S = 20,000 × SCALE:
--   INSERT … SELECT of N rows, UPDATE of those N (a column no rule reads:
--   dns_name, description, serial and port name, cable colour and the
--   sides of its ends swapped, operating_system), DELETE of them (devices
--   and cables delete their ports and ends by ON DELETE CASCADE), COPY of
--   N rows (server-side COPY FROM a file the script wrote, one per table),
--   S single-row INSERTs: one statement per row, each parsed and planned
--   (EXECUTE … USING) as a client's statement is, and one transaction per
--   object (an address, a prefix, a host; a device with its 3 ports; a
--   cable with its 2 ends), as a client in autocommit writes them, with
--   synchronous_commit off for both sides (the WAL flush each commit waits
--   for is the disk's cost, the same for both, and would hide the rest);
--   the client round trip is left out.  Statement-level triggers fire
--   once per row here: the case the single-row target is about.  Then the
--   same S rows (objects) are updated one statement each as the UPDATE
--   above updates them, by id, and deleted one each by id, as a REST
--   client's PATCH and DELETE of one row would (each object one
--   transaction, as above).
-- Each bulk pass is one transaction, COMMIT included (deferred constraint
-- triggers run there), timed in the server after a CHECKPOINT; between
-- passes the tables are vacuumed, and the rows of a COPY or single-row pass
-- are deleted untimed with the triggers off (the derived state put back by
-- hand), so that every pass starts from the same rows.
--   ours:  everything on (change log, notifications, free-space upkeep,
--          every check);
--   peer (the floor): the same statements with ALTER TABLE … DISABLE
--          TRIGGER USER on the tables written: constraints, indexes and
--          foreign keys stay (their RI triggers are system triggers, which
--          DISABLE TRIGGER USER leaves on), so the floor is a plain table
--          with the same keys.  session_replication_role = replica would
--          also skip the foreign keys and flatter the floor's speed.
-- Checked: every pass leaves the rows it should; ours logs one change per
-- row written, the floor none; ours keeps the derived state exact (the
-- prefixes' free space as prefix_free_expected() recomputes it, the
-- addresses' masks).
\set QUIET on
\set ON_ERROR_STOP on
SET search_path = mountaineer, public;
SET client_min_messages = warning;

-- psql variables: scale (from tools/bench.sh); optionally rows and singles
-- (override N and S, for a quick run), objects (a comma-separated list of
-- the objects to run, default all).
\if :{?rows}
\else
SELECT 100000 * :scale AS rows \gset
\endif
\if :{?singles}
\else
SELECT 20000 * :scale AS singles \gset
\endif
SELECT :rows AS n, :singles AS s \gset
SELECT extversion AS core_version FROM pg_extension WHERE extname = 'mountaineer' \gset
SELECT extversion AS networks_version FROM pg_extension WHERE extname = 'mountaineer_networks' \gset
\echo write: N = :n rows a bulk pass, S = :s single-row statements; core :core_version, networks :networks_version

-- what each pass took
CREATE TABLE public.bench_w_time (obj text, path text, mode text, rows bigint, seconds numeric, logged bigint, n serial);

-- One object's statements and checks.  stmts: path -> statements (text[]);
-- present: the number of the bench's rows there are (SQL); derived_ok: the
-- derived state is exact (SQL, ours only; NULL: none); repair: puts the
-- derived state back after a cleanup that ran with the triggers off.
CREATE TABLE public.bench_w_case (
    obj        text PRIMARY KEY,
    tables     text[] NOT NULL,
    rows       bigint NOT NULL,     -- rows of a bulk pass
    srows      bigint NOT NULL,     -- rows of the single-row pass
    sunits     int NOT NULL,        -- its transactions: single runs with $1 = 1 .. sunits
    ins        text[] NOT NULL,
    cpy        text[] NOT NULL,
    single     text[] NOT NULL,
    supd       text[],              -- the single-row UPDATEs and DELETEs of the same objects, by id
    sdel       text[],
    upd        text[] NOT NULL,
    del        text[] NOT NULL,
    present    text NOT NULL,
    derived_ok text,
    repair     text[] NOT NULL DEFAULT '{}',    -- after an untimed cleanup with triggers off
    ord        int NOT NULL
);

-- Run statements as one timed transaction (COMMIT included), or with units
-- > 0 that many transactions of them with $1 = 1 .. units, and record it.
CREATE PROCEDURE public.bench_w_pass(o text, p text, m text, nrows bigint, stmts text[], units int DEFAULT 0) LANGUAGE plpgsql AS $$
DECLARE
    mark bigint;
    t    timestamptz;
    secs numeric;
    s    text;
BEGIN
    SELECT coalesce(max(id), 0) INTO mark FROM mountaineer.change;
    CHECKPOINT;
    COMMIT;
    t := clock_timestamp();
    IF units = 0 THEN
        FOREACH s IN ARRAY stmts LOOP
            EXECUTE s;
        END LOOP;
        COMMIT;
    ELSE
        PERFORM set_config('synchronous_commit', 'off', false);
        FOR g IN 1 .. units LOOP
            FOREACH s IN ARRAY stmts LOOP
                EXECUTE s USING g;
            END LOOP;
            COMMIT;
        END LOOP;
        PERFORM set_config('synchronous_commit', 'on', false);
    END IF;
    secs := extract(epoch FROM clock_timestamp() - t);
    INSERT INTO public.bench_w_time (obj, path, mode, rows, seconds, logged)
    SELECT o, p, m, nrows, secs, count(*) FROM mountaineer.change WHERE id > mark;
    COMMIT;
END $$;

CREATE FUNCTION public.bench_w_fail(what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'write bench check failed: %', what;
END $$;

-- After a pass: the rows there should be, the change log, the derived state.
CREATE PROCEDURE public.bench_w_check(c public.bench_w_case, p text, m text, expect bigint) LANGUAGE plpgsql AS $$
DECLARE
    got bigint;
    ok  boolean;
    w   public.bench_w_time;
    tb  text;
BEGIN
    -- fresh statistics, so that the checks are planned for the rows there are
    FOREACH tb IN ARRAY c.tables || '{mountaineer.prefix_free}'::text[] LOOP
        EXECUTE format('ANALYZE %s', tb);
    END LOOP;
    EXECUTE c.present INTO got;
    IF got <> expect THEN
        PERFORM public.bench_w_fail(format('%s %s (%s): %s rows, expected %s', c.obj, p, m, got, expect));
    END IF;
    SELECT * INTO w FROM public.bench_w_time ORDER BY n DESC LIMIT 1;
    got := CASE m WHEN 'ours' THEN w.rows ELSE 0 END;
    IF w.logged <> got THEN
        PERFORM public.bench_w_fail(format('%s %s (%s): %s changes logged for %s rows', c.obj, p, m, w.logged, w.rows));
    END IF;
    IF m = 'ours' AND c.derived_ok IS NOT NULL THEN
        EXECUTE c.derived_ok INTO ok;
        IF NOT ok THEN
            PERFORM public.bench_w_fail(format('%s %s: derived state differs from a recomputation', c.obj, p));
        END IF;
    END IF;
END $$;

-- Untimed: the rows of a COPY or single-row pass go again, with the user
-- triggers off (the foreign keys' cascades still run), and the derived state
-- is put back by hand.
CREATE PROCEDURE public.bench_w_cleanup(c public.bench_w_case, m text) LANGUAGE plpgsql AS $$
DECLARE
    tb text;
    s  text;
BEGIN
    IF m = 'ours' THEN
        FOREACH tb IN ARRAY c.tables LOOP
            EXECUTE format('ALTER TABLE %s DISABLE TRIGGER USER', tb);
        END LOOP;
    END IF;
    FOREACH s IN ARRAY c.del || c.repair LOOP
        EXECUTE s;
    END LOOP;
    IF m = 'ours' THEN
        FOREACH tb IN ARRAY c.tables LOOP
            EXECUTE format('ALTER TABLE %s ENABLE TRIGGER USER', tb);
        END LOOP;
    END IF;
    COMMIT;
END $$;

-- One step of one object in one mode: a timed pass and its check, or the
-- untimed cleanup after a COPY or single-row pass, or switching the user
-- triggers of its tables off (the floor) and on again.  psql runs the steps
-- (below) with a VACUUM ANALYZE of the tables between them, as autovacuum
-- would between writes far apart, so that no pass walks past the dead rows
-- of the one before it.
CREATE PROCEDURE public.bench_w_step(o text, m text, step text) LANGUAGE plpgsql AS $$
DECLARE
    c  public.bench_w_case;
    tb text;
BEGIN
    SELECT * INTO c FROM public.bench_w_case WHERE obj = o;
    CASE step
    WHEN 'triggers_off', 'triggers_on' THEN
        FOREACH tb IN ARRAY c.tables LOOP
            EXECUTE format('ALTER TABLE %s %s TRIGGER USER', tb, CASE step WHEN 'triggers_off' THEN 'DISABLE' ELSE 'ENABLE' END);
        END LOOP;
        COMMIT;
    WHEN 'cleanup' THEN
        CALL public.bench_w_cleanup(c, m);
    WHEN 'insert_select' THEN
        RAISE NOTICE 'write: % (%)', o, m;
        CALL public.bench_w_pass(o, step, m, c.rows, c.ins);
        CALL public.bench_w_check(c, step, m, c.rows);
    WHEN 'update' THEN
        CALL public.bench_w_pass(o, step, m, c.rows, c.upd);
        CALL public.bench_w_check(c, step, m, c.rows);
    WHEN 'delete' THEN
        CALL public.bench_w_pass(o, step, m, c.rows, c.del);
        CALL public.bench_w_check(c, step, m, 0);
    WHEN 'copy' THEN
        CALL public.bench_w_pass(o, step, m, c.rows, c.cpy);
        CALL public.bench_w_check(c, step, m, c.rows);
    WHEN 'single' THEN
        CALL public.bench_w_pass(o, step, m, c.srows, c.single, c.sunits);
        CALL public.bench_w_check(c, step, m, c.srows);
    WHEN 'single_update' THEN
        CALL public.bench_w_pass(o, step, m, c.srows, c.supd, c.sunits);
        CALL public.bench_w_check(c, step, m, c.srows);
    WHEN 'single_delete' THEN
        CALL public.bench_w_pass(o, step, m, c.srows, c.sdel, c.sunits);
        CALL public.bench_w_check(c, step, m, 0);
    END CASE;
END $$;

--------------------------------------------------------------------------
-- The fixed rows the objects hang off (through the triggers)
--------------------------------------------------------------------------
INSERT INTO environment (name) VALUES ('benchw');
INSERT INTO cluster (name, kind) VALUES ('benchw', 'other');
INSERT INTO host (hostname, environment_id, cluster_id)
SELECT 'ipowner.benchw.example.com', e.id, c.id FROM environment e, cluster c WHERE e.name = 'benchw' AND c.name = 'benchw';
SELECT h.id AS host_id, h.environment_id AS env_id, h.cluster_id AS cluster_id
  FROM host h WHERE hostname = 'ipowner.benchw.example.com' \gset
INSERT INTO prefix (prefix, status, description) VALUES
    ('100.64.0.0/10', 'active', 'write bench addresses'),
    ('21.0.0.0/8', 'container', 'write bench prefixes');
-- the ports cables go on: 2 × (N / 3) interface ports, 48 to a switch
SELECT :n / 3 AS cables, :s / 3 AS scables \gset
INSERT INTO device (id, kind, name)
SELECT md5('wsw' || k)::uuid, 'network', 'benchw-sw-' || k FROM generate_series(1, (2 * :cables + 47) / 48) k;
INSERT INTO port (id, device_id, name, kind)
SELECT md5('wcp' || i)::uuid, md5('wsw' || ((i - 1) / 48 + 1))::uuid, 'eth' || ((i - 1) % 48 + 1), 'interface'
  FROM generate_series(1, 2 * :cables) i;
ANALYZE;

-- The COPY files, in the data directory (server-side COPY wants an
-- absolute path there), named by the database (runs in two databases of one
-- cluster must not share them).
SELECT current_setting('data_directory') || '/bench_write_' || current_database() || '_' AS wdir \gset
SELECT :'wdir' || 'ip_address.copy' AS f_ip_address, :'wdir' || 'prefix.copy' AS f_prefix,
       :'wdir' || 'device.copy' AS f_device, :'wdir' || 'port.copy' AS f_port, :'wdir' || 'cable.copy' AS f_cable,
       :'wdir' || 'cable_end.copy' AS f_cable_end, :'wdir' || 'host.copy' AS f_host \gset

-- The five objects.  %1$s is N (or S), %2$s the host, %3$s the environment,
-- %4$s the cluster; each statement is made once here, so ours and the floor
-- run the very same text.
-- (a body outside quotes, so that psql fills in its variables)
CREATE FUNCTION public.bench_w_fmt(stmts text[], k bigint) RETURNS text[] LANGUAGE sql
RETURN (SELECT array_agg(format(x, k, :'host_id'::text, :'env_id'::text, :'cluster_id'::text) ORDER BY i)
          FROM unnest(stmts) WITH ORDINALITY u(x, i));

INSERT INTO bench_w_case (obj, ord, tables, rows, srows, sunits, ins, cpy, single, upd, del, present, derived_ok, repair)
VALUES
('ip_address', 1, '{mountaineer.ip_address}', :n, :s, :s,
 bench_w_fmt(ARRAY[$q$INSERT INTO mountaineer.ip_address (id, address, host_id)
                      SELECT md5('wip' || g)::uuid, '100.64.0.0'::inet + g, %2$L FROM generate_series(1, %1$s) g$q$], :n),
 ARRAY[format('COPY mountaineer.ip_address (id, address, host_id) FROM %L', :'f_ip_address')],
 bench_w_fmt(ARRAY[$q$INSERT INTO mountaineer.ip_address (id, address, host_id)
                      VALUES (md5('wip' || $1)::uuid, '100.64.0.0'::inet + $1, %2$L)$q$], :s),
 ARRAY[$q$UPDATE mountaineer.ip_address SET dns_name = 'a-' || replace(host(address), '.', '-') || '.benchw.example.com'
           WHERE mountaineer.vrf_key(vrf_id) = mountaineer.vrf_key(NULL) AND host_addr << '100.64.0.0/10'$q$],
 ARRAY[$q$DELETE FROM mountaineer.ip_address WHERE mountaineer.vrf_key(vrf_id) = mountaineer.vrf_key(NULL) AND host_addr << '100.64.0.0/10'$q$],
 $q$SELECT count(*) FROM mountaineer.ip_address WHERE mountaineer.vrf_key(vrf_id) = mountaineer.vrf_key(NULL) AND host_addr << '100.64.0.0/10'$q$,
 $q$SELECT (SELECT array_agg(f.block ORDER BY f.block) FROM mountaineer.prefix_free f WHERE f.prefix_id = p.id)
           IS NOT DISTINCT FROM (SELECT array_agg(x ORDER BY x) FROM mountaineer.prefix_free_expected(p) x)
       AND NOT EXISTS (SELECT FROM mountaineer.ip_address a WHERE mountaineer.vrf_key(a.vrf_id) = mountaineer.vrf_key(NULL)
                          AND a.host_addr << '100.64.0.0/10' AND masklen(a.address) <> 10)
      FROM mountaineer.prefix p WHERE p.vrf_id IS NULL AND p.prefix = '100.64.0.0/10'$q$,
 ARRAY[$q$DELETE FROM mountaineer.prefix_free WHERE prefix_id = (SELECT id FROM mountaineer.prefix WHERE vrf_id IS NULL AND prefix = '100.64.0.0/10')$q$,
       $q$INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block)
          SELECT p.id, mountaineer.vrf_key(NULL), x FROM mountaineer.prefix p, mountaineer.prefix_free_expected(p) x
           WHERE p.vrf_id IS NULL AND p.prefix = '100.64.0.0/10'$q$]),
('prefix', 2, '{mountaineer.prefix}', :n, :s, :s,
 bench_w_fmt(ARRAY[$q$INSERT INTO mountaineer.prefix (id, prefix)
                      SELECT md5('wpx' || g)::uuid, network(set_masklen('21.0.0.0'::inet + g * 16, 28)) FROM generate_series(0, %1$s - 1) g$q$], :n),
 ARRAY[format('COPY mountaineer.prefix (id, prefix) FROM %L', :'f_prefix')],
 bench_w_fmt(ARRAY[$q$INSERT INTO mountaineer.prefix (id, prefix)
                      VALUES (md5('wpx' || ($1 - 1))::uuid, network(set_masklen('21.0.0.0'::inet + ($1 - 1) * 16, 28)))$q$], :s),
 ARRAY[$q$UPDATE mountaineer.prefix SET description = 'write bench child'
           WHERE mountaineer.vrf_key(vrf_id) = mountaineer.vrf_key(NULL) AND prefix << '21.0.0.0/8'$q$],
 ARRAY[$q$DELETE FROM mountaineer.prefix WHERE mountaineer.vrf_key(vrf_id) = mountaineer.vrf_key(NULL) AND prefix << '21.0.0.0/8'$q$],
 $q$SELECT count(*) FROM mountaineer.prefix WHERE mountaineer.vrf_key(vrf_id) = mountaineer.vrf_key(NULL) AND prefix << '21.0.0.0/8'$q$,
 -- the parent's free space as a recomputation gives it, and each child's its own block
 $q$SELECT (SELECT array_agg(f.block ORDER BY f.block) FROM mountaineer.prefix_free f WHERE f.prefix_id = p.id)
           IS NOT DISTINCT FROM (SELECT array_agg(x ORDER BY x) FROM mountaineer.prefix_free_expected(p) x)
       AND (SELECT count(*) FILTER (WHERE f.block = c.prefix) = count(c.id) AND count(f.block) = count(c.id)
              FROM mountaineer.prefix c LEFT JOIN mountaineer.prefix_free f ON f.prefix_id = c.id
             WHERE mountaineer.vrf_key(c.vrf_id) = mountaineer.vrf_key(NULL) AND c.prefix << '21.0.0.0/8')
      FROM mountaineer.prefix p WHERE p.vrf_id IS NULL AND p.prefix = '21.0.0.0/8'$q$,
 bench_w_fmt(ARRAY[$q$DELETE FROM mountaineer.prefix_free f USING generate_series(0, %1$s - 1) g WHERE f.prefix_id = md5('wpx' || g)::uuid$q$,
       $q$DELETE FROM mountaineer.prefix_free WHERE prefix_id = (SELECT id FROM mountaineer.prefix WHERE vrf_id IS NULL AND prefix = '21.0.0.0/8')$q$,
       $q$INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block)
          SELECT p.id, mountaineer.vrf_key(NULL), x FROM mountaineer.prefix p, mountaineer.prefix_free_expected(p) x
           WHERE p.vrf_id IS NULL AND p.prefix = '21.0.0.0/8'$q$], :n)),
('device with ports', 3, '{mountaineer.device,mountaineer.port}', :n / 4 * 4, :s / 4 * 4, :s / 4,
 bench_w_fmt(ARRAY[$q$INSERT INTO mountaineer.device (id, kind, name, units)
                      SELECT md5('wdv' || g)::uuid, 'server', 'benchw-dev-' || g, 1 FROM generate_series(1, %1$s / 4) g$q$,
                   $q$INSERT INTO mountaineer.port (id, device_id, name, kind)
                      SELECT md5('wpt' || g || '-' || k)::uuid, md5('wdv' || g)::uuid, 'eth' || k, 'interface'
                        FROM generate_series(1, %1$s / 4) g, generate_series(1, 3) k$q$], :n),
 ARRAY[format('COPY mountaineer.device (id, kind, name, units) FROM %L', :'f_device'),
       format('COPY mountaineer.port (id, device_id, name, kind) FROM %L', :'f_port')],
 ARRAY[$q$INSERT INTO mountaineer.device (id, kind, name, units) VALUES (md5('wdv' || $1)::uuid, 'server', 'benchw-dev-' || $1, 1)$q$,
       $q$INSERT INTO mountaineer.port (id, device_id, name, kind) VALUES (md5('wpt' || $1 || '-1')::uuid, md5('wdv' || $1)::uuid, 'eth1', 'interface')$q$,
       $q$INSERT INTO mountaineer.port (id, device_id, name, kind) VALUES (md5('wpt' || $1 || '-2')::uuid, md5('wdv' || $1)::uuid, 'eth2', 'interface')$q$,
       $q$INSERT INTO mountaineer.port (id, device_id, name, kind) VALUES (md5('wpt' || $1 || '-3')::uuid, md5('wdv' || $1)::uuid, 'eth3', 'interface')$q$],
 bench_w_fmt(ARRAY[$q$UPDATE mountaineer.device d SET serial = 'SN-' || g FROM generate_series(1, %1$s / 4) g WHERE d.id = md5('wdv' || g)::uuid$q$,
                   $q$UPDATE mountaineer.port p SET name = 'e' || p.name FROM generate_series(1, %1$s / 4) g WHERE p.device_id = md5('wdv' || g)::uuid$q$], :n),
 bench_w_fmt(ARRAY[$q$DELETE FROM mountaineer.device d USING generate_series(1, %1$s / 4) g WHERE d.id = md5('wdv' || g)::uuid$q$], :n),
 (bench_w_fmt(ARRAY[$q$SELECT (SELECT count(*) FROM mountaineer.device d, generate_series(1, %1$s / 4) g WHERE d.id = md5('wdv' || g)::uuid)
                           + (SELECT count(*) FROM mountaineer.port p, generate_series(1, %1$s / 4) g WHERE p.device_id = md5('wdv' || g)::uuid)$q$], :n))[1],
 NULL, '{}'),
('cable with ends', 4, '{mountaineer.cable,mountaineer.cable_end}', :cables * 3, :scables * 3, :scables,
 bench_w_fmt(ARRAY[$q$INSERT INTO mountaineer.cable (id, label) SELECT md5('wcb' || g)::uuid, 'benchw-cable-' || g FROM generate_series(1, %1$s) g$q$,
                   $q$INSERT INTO mountaineer.cable_end (id, cable_id, side, port_id)
                      SELECT md5('wce' || g || s)::uuid, md5('wcb' || g)::uuid, s::mountaineer.cable_side,
                             md5('wcp' || (2 * g - CASE s WHEN 'a' THEN 1 ELSE 0 END))::uuid
                        FROM generate_series(1, %1$s) g, unnest(ARRAY['a', 'b']) s$q$], :cables),
 ARRAY[format('COPY mountaineer.cable (id, label) FROM %L', :'f_cable'),
       format('COPY mountaineer.cable_end (id, cable_id, side, port_id) FROM %L', :'f_cable_end')],
 ARRAY[$q$INSERT INTO mountaineer.cable (id, label) VALUES (md5('wcb' || $1)::uuid, 'benchw-cable-' || $1)$q$,
       $q$INSERT INTO mountaineer.cable_end (id, cable_id, side, port_id)
          VALUES (md5('wce' || $1 || 'a')::uuid, md5('wcb' || $1)::uuid, 'a', md5('wcp' || (2 * $1 - 1))::uuid)$q$,
       $q$INSERT INTO mountaineer.cable_end (id, cable_id, side, port_id)
          VALUES (md5('wce' || $1 || 'b')::uuid, md5('wcb' || $1)::uuid, 'b', md5('wcp' || (2 * $1))::uuid)$q$],
 bench_w_fmt(ARRAY[$q$UPDATE mountaineer.cable c SET color = 'blue' FROM generate_series(1, %1$s) g WHERE c.id = md5('wcb' || g)::uuid$q$,
                   $q$UPDATE mountaineer.cable_end e SET side = CASE e.side WHEN 'a' THEN 'b' ELSE 'a' END::mountaineer.cable_side
                        FROM generate_series(1, %1$s) g WHERE e.cable_id = md5('wcb' || g)::uuid$q$], :cables),
 bench_w_fmt(ARRAY[$q$DELETE FROM mountaineer.cable c USING generate_series(1, %1$s) g WHERE c.id = md5('wcb' || g)::uuid$q$], :cables),
 (bench_w_fmt(ARRAY[$q$SELECT (SELECT count(*) FROM mountaineer.cable c, generate_series(1, %1$s) g WHERE c.id = md5('wcb' || g)::uuid)
                           + (SELECT count(*) FROM mountaineer.cable_end e, generate_series(1, %1$s) g WHERE e.cable_id = md5('wcb' || g)::uuid)$q$], :cables))[1],
 NULL, '{}'),
('host', 5, '{mountaineer.host}', :n, :s, :s,
 bench_w_fmt(ARRAY[$q$INSERT INTO mountaineer.host (id, hostname, environment_id, cluster_id)
                      SELECT md5('whs' || g)::uuid, 'vm' || g || '.benchw.example.com', %3$L, %4$L FROM generate_series(1, %1$s) g$q$], :n),
 ARRAY[format('COPY mountaineer.host (id, hostname, environment_id, cluster_id) FROM %L', :'f_host')],
 bench_w_fmt(ARRAY[$q$INSERT INTO mountaineer.host (id, hostname, environment_id, cluster_id)
                      VALUES (md5('whs' || $1)::uuid, 'vm' || $1 || '.benchw.example.com', %3$L, %4$L)$q$], :s),
 bench_w_fmt(ARRAY[$q$UPDATE mountaineer.host h SET operating_system = 'Debian 12' FROM generate_series(1, %1$s) g WHERE h.id = md5('whs' || g)::uuid$q$], :n),
 bench_w_fmt(ARRAY[$q$DELETE FROM mountaineer.host h USING generate_series(1, %1$s) g WHERE h.id = md5('whs' || g)::uuid$q$], :n),
 (bench_w_fmt(ARRAY[$q$SELECT count(*) FROM mountaineer.host h, generate_series(1, %1$s) g WHERE h.id = md5('whs' || g)::uuid$q$], :n))[1],
 NULL, '{}');

-- The single-row UPDATEs and DELETEs: the rows of the single-row INSERTs,
-- by id, one object a transaction ($1 as there).
UPDATE bench_w_case SET
    supd = CASE obj
        WHEN 'ip_address' THEN ARRAY[$q$UPDATE mountaineer.ip_address SET dns_name = 'a-' || replace(host(address), '.', '-') || '.benchw.example.com'
                                      WHERE id = md5('wip' || $1)::uuid$q$]
        WHEN 'prefix' THEN ARRAY[$q$UPDATE mountaineer.prefix SET description = 'write bench child' WHERE id = md5('wpx' || ($1 - 1))::uuid$q$]
        WHEN 'device with ports' THEN ARRAY[$q$UPDATE mountaineer.device SET serial = 'SN-' || $1 WHERE id = md5('wdv' || $1)::uuid$q$,
                                            $q$UPDATE mountaineer.port SET name = 'e' || name WHERE device_id = md5('wdv' || $1)::uuid$q$]
        WHEN 'cable with ends' THEN ARRAY[$q$UPDATE mountaineer.cable SET color = 'blue' WHERE id = md5('wcb' || $1)::uuid$q$,
                                          $q$UPDATE mountaineer.cable_end SET side = CASE side WHEN 'a' THEN 'b' ELSE 'a' END::mountaineer.cable_side
                                               WHERE cable_id = md5('wcb' || $1)::uuid$q$]
        WHEN 'host' THEN ARRAY[$q$UPDATE mountaineer.host SET operating_system = 'Debian 12' WHERE id = md5('whs' || $1)::uuid$q$]
        END,
    sdel = CASE obj
        WHEN 'ip_address' THEN ARRAY[$q$DELETE FROM mountaineer.ip_address WHERE id = md5('wip' || $1)::uuid$q$]
        WHEN 'prefix' THEN ARRAY[$q$DELETE FROM mountaineer.prefix WHERE id = md5('wpx' || ($1 - 1))::uuid$q$]
        WHEN 'device with ports' THEN ARRAY[$q$DELETE FROM mountaineer.device WHERE id = md5('wdv' || $1)::uuid$q$]
        WHEN 'cable with ends' THEN ARRAY[$q$DELETE FROM mountaineer.cable WHERE id = md5('wcb' || $1)::uuid$q$]
        WHEN 'host' THEN ARRAY[$q$DELETE FROM mountaineer.host WHERE id = md5('whs' || $1)::uuid$q$]
        END;
ALTER TABLE bench_w_case ALTER supd SET NOT NULL, ALTER sdel SET NOT NULL;

-- The COPY files: the same rows as the INSERT … SELECT.
COPY (SELECT md5('wip' || g)::uuid, '100.64.0.0'::inet + g, :'host_id' FROM generate_series(1, :n) g) TO :'f_ip_address';
COPY (SELECT md5('wpx' || g)::uuid, network(set_masklen('21.0.0.0'::inet + g * 16, 28)) FROM generate_series(0, :n - 1) g) TO :'f_prefix';
COPY (SELECT md5('wdv' || g)::uuid, 'server', 'benchw-dev-' || g, 1 FROM generate_series(1, :n / 4) g) TO :'f_device';
COPY (SELECT md5('wpt' || g || '-' || k)::uuid, md5('wdv' || g)::uuid, 'eth' || k, 'interface'
        FROM generate_series(1, :n / 4) g, generate_series(1, 3) k) TO :'f_port';
COPY (SELECT md5('wcb' || g)::uuid, 'benchw-cable-' || g FROM generate_series(1, :cables) g) TO :'f_cable';
COPY (SELECT md5('wce' || g || s)::uuid, md5('wcb' || g)::uuid, s, md5('wcp' || (2 * g - CASE s WHEN 'a' THEN 1 ELSE 0 END))::uuid
        FROM generate_series(1, :cables) g, unnest(ARRAY['a', 'b']) s) TO :'f_cable_end';
COPY (SELECT md5('whs' || g)::uuid, 'vm' || g || '.benchw.example.com', :'env_id', :'cluster_id' FROM generate_series(1, :n) g) TO :'f_host';

\if :{?objects}
\else
SELECT string_agg(obj, ',' ORDER BY ord) AS objects FROM bench_w_case \gset
\endif
SET client_min_messages = notice;
SELECT clock_timestamp() AS w_t0 \gset
-- every object: ours, then the floor; each step, then a VACUUM ANALYZE
SELECT x.cmd
  FROM bench_w_case c
 CROSS JOIN LATERAL (VALUES (1, 'ours'), (2, 'floor')) m(i, mode)
 CROSS JOIN LATERAL unnest(CASE m.mode WHEN 'ours' THEN '{}'::text[] ELSE '{triggers_off}' END
                           || '{insert_select,update,delete,copy,cleanup,single,single_update,single_delete,cleanup}'::text[]
                           || CASE m.mode WHEN 'ours' THEN '{}'::text[] ELSE '{triggers_on}' END) WITH ORDINALITY st(step, j)
 CROSS JOIN LATERAL (VALUES (1, format('CALL public.bench_w_step(%L, %L, %L)', c.obj, m.mode, st.step)),
                            (2, format('VACUUM ANALYZE %s, mountaineer.prefix_free', array_to_string(c.tables, ', ')))) x(k, cmd)
 WHERE c.obj = ANY (string_to_array(:'objects', ','))
 ORDER BY c.ord, m.i, st.j, x.k \gexec
SET client_min_messages = warning;
SELECT round(extract(epoch FROM clock_timestamp() - :'w_t0')) AS w_s \gset
\echo write: all passes took :w_s s

-- empty the COPY files
SELECT format('COPY (SELECT WHERE false) TO %L', :'wdir' || t || '.copy')
  FROM unnest(ARRAY['ip_address', 'prefix', 'device', 'port', 'cable', 'cable_end', 'host']) t \gexec

INSERT INTO bench_result (bench, what, ours, peer, unit)
SELECT 'write',
       format('%s: %s of %s rows, everything on vs user triggers off (core %s, networks %s)', o.obj,
              CASE o.path WHEN 'insert_select' THEN 'INSERT … SELECT' WHEN 'copy' THEN 'COPY'
                          WHEN 'single' THEN 'single-row INSERTs' WHEN 'single_update' THEN 'single-row UPDATEs'
                          WHEN 'single_delete' THEN 'single-row DELETEs' WHEN 'update' THEN 'UPDATE' ELSE 'DELETE' END,
              to_char(o.rows, 'FM999,999,999'), :'core_version', :'networks_version'),
       o.rows / o.seconds, f.rows / f.seconds, 'rows/s'
  FROM bench_w_time o
  JOIN bench_w_time f ON f.obj = o.obj AND f.path = o.path AND f.mode = 'floor'
  JOIN bench_w_case c ON c.obj = o.obj
 WHERE o.mode = 'ours'
 ORDER BY c.ord, array_position(ARRAY['insert_select', 'copy', 'single', 'update', 'delete', 'single_update', 'single_delete'], o.path);
