-- The cable graph: 26,316 × SCALE racks of structured cabling, 76 cables
-- each (2,000,016 cables at SCALE=1): 24 servers' eth0 into a server-side
-- patch panel, a 24-strand trunk rear to rear to a switch-side panel, its
-- fronts into the top-of-rack switch; servers' psu1 alternately on PDU A and
-- PDU B, the switch's one psu on PDU A, both PDUs' inlets on feeds of a power
-- panel (one per 100 racks).  Ids are md5-derived uuids (as random as
-- gen_random_uuid, but reproducible), so links can be written by key.
--
-- Timed, on the same data in the same run, in a fresh connection, ours and
-- the peer's calls in turns: median latency per call, each call a new
-- statement as a client sends it (and the trace also prepared):
--   trace:   mountaineer.cable_trace (C, a few index probes per hop)
--            vs the same trace as WITH RECURSIVE SQL (position stack as int[])
--            over 1,000 random server eth0 ports (3 hops through two panels);
--   impact:  mountaineer.impact vs a WITH RECURSIVE SQL impact (same rule,
--            single-supplier form, which is the same answer on this estate)
--            on 10 random A PDUs, 10 random B PDUs and 10 random switches;
--   pgRouting (when installed): pgr_drivingDistance over the same links
--            (cables plus front↔rear pass-through as edges), the reachable
--            set within the trace's 5 edges, from 20 of the same ports.
-- Both sides' answers are compared before anything is recorded.
\set QUIET on
\set ON_ERROR_STOP on
SET search_path = mountaineer, public;
SET client_min_messages = warning;
SELECT 26316 * :scale AS racks \gset
SELECT setseed(0.17) AS seeded \gset

--------------------------------------------------------------------------
-- The estate.  Loaded with session_replication_role = replica: the change
-- log and the per-row checks are skipped for 12 million rows that are
-- consistent by construction (the constraints' indexes are still built).
--------------------------------------------------------------------------
SELECT clock_timestamp() AS load_start \gset
SET session_replication_role = replica;

INSERT INTO device (id, kind, name, units)
SELECT md5(format('d%s/s%s', r, n))::uuid, 'server', format('b%s-s%s', r, n), 1
FROM generate_series(1, :racks) r, generate_series(1, 24) n;
INSERT INTO device (id, kind, name, units)
SELECT md5(format('d%s/%s', r, x))::uuid, k::device_kind, format('b%s-%s', r, x), u
FROM generate_series(1, :racks) r,
     (VALUES ('tor', 'network', 1), ('pdu-a', 'pdu', 0), ('pdu-b', 'pdu', 0),
             ('pp-s', 'patch_panel', 1), ('pp-t', 'patch_panel', 1)) v(x, k, u);
INSERT INTO device (id, kind, name, units)
SELECT md5(format('panel%s', k))::uuid, 'power_panel', format('bpanel%s', k), 0
FROM generate_series(0, (:racks - 1) / 100) k;

-- ports: id = md5 of (device key, port name)
INSERT INTO port (id, device_id, name, kind)
SELECT md5(format('d%s/s%s:%s', r, n, p))::uuid, md5(format('d%s/s%s', r, n))::uuid, p, k::port_kind
FROM generate_series(1, :racks) r, generate_series(1, 24) n,
     (VALUES ('eth0', 'interface'), ('psu1', 'power_port')) v(p, k);
INSERT INTO port (id, device_id, name, kind)
SELECT md5(format('d%s/tor:Ethernet%s', r, n))::uuid, md5(format('d%s/tor', r))::uuid, 'Ethernet' || n, 'interface'
FROM generate_series(1, :racks) r, generate_series(1, 48) n;
INSERT INTO port (id, device_id, name, kind)
SELECT md5(format('d%s/tor:psu1', r))::uuid, md5(format('d%s/tor', r))::uuid, 'psu1', 'power_port'
FROM generate_series(1, :racks) r;
INSERT INTO port (id, device_id, name, kind)
SELECT md5(format('d%s/pdu-%s:outlet%s', r, x, n))::uuid, md5(format('d%s/pdu-%s', r, x))::uuid, 'outlet' || n, 'power_outlet'
FROM generate_series(1, :racks) r, unnest(ARRAY['a', 'b']) x, generate_series(1, 24) n;
INSERT INTO port (id, device_id, name, kind)
SELECT md5(format('d%s/pdu-%s:inlet', r, x))::uuid, md5(format('d%s/pdu-%s', r, x))::uuid, 'inlet', 'power_port'
FROM generate_series(1, :racks) r, unnest(ARRAY['a', 'b']) x;
INSERT INTO port (id, device_id, name, kind, positions)
SELECT md5(format('d%s/pp-%s:rear', r, x))::uuid, md5(format('d%s/pp-%s', r, x))::uuid, 'rear', 'rear_port', 24
FROM generate_series(1, :racks) r, unnest(ARRAY['s', 't']) x;
INSERT INTO port (id, device_id, name, kind, rear_port_id, rear_port_position)
SELECT md5(format('d%s/pp-%s:front%s', r, x, n))::uuid, md5(format('d%s/pp-%s', r, x))::uuid, 'front' || n, 'front_port',
       md5(format('d%s/pp-%s:rear', r, x))::uuid, n
FROM generate_series(1, :racks) r, unnest(ARRAY['s', 't']) x, generate_series(1, 24) n;
INSERT INTO port (id, device_id, name, kind)
SELECT md5(format('panel%s:feed%s', k, f))::uuid, md5(format('panel%s', k))::uuid, 'feed' || f, 'power_feed'
FROM generate_series(0, (:racks - 1) / 100) k, generate_series(1, 200) f;

-- cables: (id, type, side-a port, side-b port)
CREATE TEMP TABLE link (id uuid, type text, a uuid, b uuid);
INSERT INTO link
SELECT md5(format('c%s/s%s', r, n))::uuid, 'cat6',
       md5(format('d%s/s%s:eth0', r, n))::uuid, md5(format('d%s/pp-s:front%s', r, n))::uuid
FROM generate_series(1, :racks) r, generate_series(1, 24) n
UNION ALL
SELECT md5(format('c%s/trunk', r))::uuid, 'om4',
       md5(format('d%s/pp-s:rear', r))::uuid, md5(format('d%s/pp-t:rear', r))::uuid
FROM generate_series(1, :racks) r
UNION ALL
SELECT md5(format('c%s/t%s', r, n))::uuid, 'cat6',
       md5(format('d%s/pp-t:front%s', r, n))::uuid, md5(format('d%s/tor:Ethernet%s', r, n))::uuid
FROM generate_series(1, :racks) r, generate_series(1, 24) n
UNION ALL
SELECT md5(format('c%s/p%s', r, n))::uuid, 'power',
       md5(format('d%s/s%s:psu1', r, n))::uuid,
       md5(format('d%s/pdu-%s:outlet%s', r, CASE WHEN n % 2 = 1 THEN 'a' ELSE 'b' END, (n + 1) / 2))::uuid
FROM generate_series(1, :racks) r, generate_series(1, 24) n
UNION ALL
SELECT md5(format('c%s/torpsu', r))::uuid, 'power',
       md5(format('d%s/tor:psu1', r))::uuid, md5(format('d%s/pdu-a:outlet24', r))::uuid
FROM generate_series(1, :racks) r
UNION ALL
SELECT md5(format('c%s/feed-%s', r, x))::uuid, 'power',
       md5(format('d%s/pdu-%s:inlet', r, x))::uuid,
       md5(format('panel%s:feed%s', (r - 1) / 100, ((r - 1) % 100) * 2 + CASE x WHEN 'a' THEN 1 ELSE 2 END))::uuid
FROM generate_series(1, :racks) r, unnest(ARRAY['a', 'b']) x;

INSERT INTO cable (id, type) SELECT id, type FROM link;
INSERT INTO cable_end (cable_id, side, port_id)
SELECT id, 'a'::cable_side, a FROM link UNION ALL SELECT id, 'b', b FROM link;
SET session_replication_role = origin;
VACUUM ANALYZE device;
VACUUM ANALYZE port;
VACUUM ANALYZE cable;
VACUUM ANALYZE cable_end;
-- let the load settle before anything is timed: PostgreSQL's dirty buffers
-- and then the kernel's (fsync is off, so gigabytes are still to be written)
CHECKPOINT;
\! sync
SELECT count(*) AS cables FROM cable \gset
SELECT count(*) AS ports FROM port \gset
SELECT round(extract(epoch FROM clock_timestamp() - :'load_start'::timestamptz)) AS load_s \gset
\echo   estate: :cables cables, :ports ports, loaded in :load_s s

--------------------------------------------------------------------------
-- The peers
--------------------------------------------------------------------------
-- The trace as one WITH RECURSIVE query: the same rules and the same
-- columns as cable_trace (but for the branch number and the `loop` outcome:
-- this estate has no splits or loops), the position stack as an int[], a
-- port already on the path ending the branch.  Each hop reads its far port, which gives the next
-- step, the far device and, on the last hop, the outcome.
CREATE FUNCTION sql_trace(start uuid)
    RETURNS TABLE (hop int, near_port uuid, cable_id uuid, far_port uuid, near_device uuid, far_device uuid,
                   outcome text, far_kind mountaineer.port_kind)
    LANGUAGE sql STABLE
AS $$
WITH RECURSIVE walk(hop, near_port, near_device, cable_id, far_port, far_device, far_kind, far_rear, far_pos, stack, path) AS (
    SELECT 1, s.id, s.device_id, e.cable_id, fp.id, fp.device_id, fp.kind, fp.rear_port_id, fp.rear_port_position,
           ARRAY[]::int[], ARRAY[s.id]
    FROM mountaineer.port s
    JOIN mountaineer.cable_end e ON e.port_id = s.id
    JOIN mountaineer.cable_end f ON f.cable_id = e.cable_id AND f.side <> e.side
    JOIN mountaineer.port fp ON fp.id = f.port_id
    WHERE s.id = start
  UNION ALL
    SELECT w.hop + 1, nx.port_id, w.far_device, e.cable_id, fp.id, fp.device_id, fp.kind, fp.rear_port_id,
           fp.rear_port_position, nx.stack, w.path || nx.port_id
    FROM walk w
    CROSS JOIN LATERAL (
        SELECT w.far_rear AS port_id, w.stack || w.far_pos AS stack
        WHERE w.far_kind = 'front_port'
        UNION ALL
        SELECT fr.id, w.stack[1:cardinality(w.stack) - 1]
        FROM mountaineer.port fr
        WHERE w.far_kind = 'rear_port' AND cardinality(w.stack) > 0
          AND fr.rear_port_id = w.far_port AND fr.rear_port_position = w.stack[cardinality(w.stack)]
        UNION ALL
        SELECT fr.id, w.stack
        FROM mountaineer.port fr
        WHERE w.far_kind = 'rear_port' AND cardinality(w.stack) = 0 AND fr.rear_port_id = w.far_port
    ) nx
    JOIN mountaineer.cable_end e ON e.port_id = nx.port_id
    JOIN mountaineer.cable_end f ON f.cable_id = e.cable_id AND f.side <> e.side
    JOIN mountaineer.port fp ON fp.id = f.port_id
    WHERE NOT nx.port_id = ANY (w.path)
)
SELECT hop, near_port, cable_id, far_port, near_device, far_device,
       CASE WHEN hop = max(hop) OVER () THEN
           CASE WHEN far_kind IN ('front_port', 'rear_port') THEN 'open' ELSE 'complete' END
       END,
       far_kind
FROM walk
$$;

-- The endpoints a trace reaches, for the impact peer: sql_trace planned once
-- per session (PL/pgSQL caches it) behind a row estimate, so that the query
-- below is planned as index nested loops around it.
CREATE FUNCTION sql_trace_ends(start uuid)
    RETURNS TABLE (far_port uuid, far_kind mountaineer.port_kind, far_device uuid)
    LANGUAGE plpgsql STABLE ROWS 1
AS $$
BEGIN
    RETURN QUERY
    SELECT t.far_port, t.far_kind, t.far_device
    FROM sql_trace(start) t
    WHERE t.outcome = 'complete';
END $$;

-- Impact as one WITH RECURSIVE query: a device falls with i when all its
-- cabled power ports are on outlets of i, or when all its traced interfaces
-- end on i (the single-supplier form of impact()'s rule, the same answer on
-- this estate, where no device depends on two failed devices at once).
CREATE FUNCTION sql_impact(dev uuid)
    RETURNS TABLE (device_id uuid, depth int)
    LANGUAGE sql STABLE
AS $$
WITH RECURSIVE imp(device_id, depth, path) AS (
    SELECT dev, 0, ARRAY[dev]
  UNION ALL
    SELECT d.device_id, i.depth + 1, i.path || d.device_id
    FROM imp i
    CROSS JOIN LATERAL (
        SELECT pp.device_id
        FROM mountaineer.port o
        JOIN mountaineer.cable_end eo ON eo.port_id = o.id
        JOIN mountaineer.cable_end ep ON ep.cable_id = eo.cable_id AND ep.side <> eo.side
        JOIN mountaineer.port pp ON pp.id = ep.port_id AND pp.kind = 'power_port'
        WHERE o.device_id = i.device_id AND o.kind IN ('power_outlet', 'power_feed')
          AND NOT EXISTS (
              SELECT FROM mountaineer.port q
              JOIN mountaineer.cable_end eq ON eq.port_id = q.id
              JOIN mountaineer.cable_end ef ON ef.cable_id = eq.cable_id AND ef.side <> eq.side
              JOIN mountaineer.port fq ON fq.id = ef.port_id
              WHERE q.device_id = pp.device_id AND q.kind = 'power_port' AND fq.device_id <> i.device_id)
        UNION
        SELECT te.far_device
        FROM mountaineer.port q
        CROSS JOIN LATERAL sql_trace_ends(q.id) te
        WHERE q.device_id = i.device_id AND q.kind = 'interface' AND te.far_kind = 'interface'
          AND NOT EXISTS (
              SELECT FROM mountaineer.port q2
              CROSS JOIN LATERAL sql_trace_ends(q2.id) t2
              WHERE q2.device_id = te.far_device AND q2.kind = 'interface'
                AND t2.far_kind = 'interface' AND t2.far_device <> i.device_id)
    ) d
    WHERE NOT d.device_id = ANY (i.path)
)
SELECT device_id, min(depth)::int FROM imp WHERE depth > 0 GROUP BY device_id
$$;

-- Median wall-clock milliseconds of query a and of query b ($1 = each id),
-- timed in alternating blocks of 100 calls, `passes` times over the ids: a
-- slow spell of the machine falls on both alike, and within a block each
-- runs after itself, as a client making many traces would.  b takes the ids
-- from the end, so it does not run on pages a has just brought into the
-- CPU's caches.
CREATE FUNCTION paired_ms(a text, b text, ids uuid[], prepared boolean, passes int)
    RETURNS numeric[] LANGUAGE plpgsql AS $$
DECLARE
    t    timestamptz;
    ms   numeric[] := '{}';
    a_ms numeric[] := '{}';
    b_ms numeric[] := '{}';
    n    int := cardinality(ids);
    q    text;
    id   uuid;
BEGIN
    IF prepared THEN
        EXECUTE 'PREPARE bench_a(uuid) AS ' || a;
        EXECUTE 'PREPARE bench_b(uuid) AS ' || b;
    END IF;
    FOR pass IN 1..passes LOOP
        FOR lo IN 1..n BY 100 LOOP
            FOREACH q IN ARRAY ARRAY['a', 'b'] LOOP
                ms := '{}';
                FOR i IN lo..least(n, lo + 99) LOOP
                    id := CASE q WHEN 'a' THEN ids[i] ELSE ids[n + 1 - i] END;
                    t := clock_timestamp();
                    IF prepared THEN
                        EXECUTE format('EXECUTE bench_%s(%L)', q, id);
                    ELSE
                        EXECUTE replace(CASE q WHEN 'a' THEN a ELSE b END, '$1', quote_literal(id) || '::uuid');
                    END IF;
                    ms := ms || (1000 * extract(epoch FROM clock_timestamp() - t));
                END LOOP;
                IF q = 'a' THEN a_ms := a_ms || ms; ELSE b_ms := b_ms || ms; END IF;
            END LOOP;
        END LOOP;
    END LOOP;
    IF prepared THEN
        DEALLOCATE bench_a;
        DEALLOCATE bench_b;
    END IF;
    RETURN ARRAY[(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(a_ms) x),
                 (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(b_ms) x)];
END $$;

--------------------------------------------------------------------------
-- Samples, and the answers compared
--------------------------------------------------------------------------
CREATE TABLE public.cable_sample AS
SELECT 'trace' AS what, array_agg(id) AS ids FROM (
    SELECT md5(format('d%s/s%s:eth0', 1 + floor(random() * :racks)::int, 1 + floor(random() * 24)::int))::uuid AS id
    FROM generate_series(1, 1000)) s
UNION ALL
SELECT 'pdu-a', array_agg(md5(format('d%s/pdu-a', 1 + floor(random() * :racks)::int))::uuid) FROM generate_series(1, 10)
UNION ALL
SELECT 'pdu-b', array_agg(md5(format('d%s/pdu-b', 1 + floor(random() * :racks)::int))::uuid) FROM generate_series(1, 10)
UNION ALL
SELECT 'tor', array_agg(md5(format('d%s/tor', 1 + floor(random() * :racks)::int))::uuid) FROM generate_series(1, 10);
SELECT ids AS trace_ids FROM cable_sample WHERE what = 'trace' \gset
SELECT ids AS pdu_a_ids FROM cable_sample WHERE what = 'pdu-a' \gset
SELECT ids AS pdu_b_ids FROM cable_sample WHERE what = 'pdu-b' \gset
SELECT ids AS tor_ids FROM cable_sample WHERE what = 'tor' \gset

DO $$
DECLARE
    id uuid;
    n  int;
BEGIN
    FOREACH id IN ARRAY (SELECT ids FROM cable_sample WHERE what = 'trace') LOOP
        IF EXISTS ((SELECT hop, near_port, cable_id, far_port, near_device, far_device, outcome FROM mountaineer.cable_trace(id))
                   EXCEPT ALL (SELECT hop, near_port, cable_id, far_port, near_device, far_device, outcome FROM sql_trace(id)))
           OR EXISTS ((SELECT hop, near_port, cable_id, far_port, near_device, far_device, outcome FROM sql_trace(id))
                      EXCEPT ALL (SELECT hop, near_port, cable_id, far_port, near_device, far_device, outcome FROM mountaineer.cable_trace(id))) THEN
            RAISE EXCEPTION 'trace from %: cable_trace and the SQL peer disagree', id;
        END IF;
        SELECT count(*) INTO n FROM mountaineer.cable_trace(id) WHERE outcome = 'complete';
        IF n <> 1 THEN
            RAISE EXCEPTION 'trace from % did not reach its switch', id;
        END IF;
    END LOOP;
    FOREACH id IN ARRAY (SELECT array_agg(x) FROM cable_sample, unnest(ids) x WHERE what <> 'trace') LOOP
        IF EXISTS ((SELECT device_id, depth FROM mountaineer.impact(id)) EXCEPT (SELECT * FROM sql_impact(id)))
           OR EXISTS ((SELECT * FROM sql_impact(id)) EXCEPT (SELECT device_id, depth FROM mountaineer.impact(id))) THEN
            RAISE EXCEPTION 'impact of %: impact() and the SQL peer disagree', id;
        END IF;
    END LOOP;
END $$;
SELECT count(*) AS n_pdu_a FROM mountaineer.impact((:'pdu_a_ids'::uuid[])[1]) \gset
SELECT count(*) AS n_pdu_b FROM mountaineer.impact((:'pdu_b_ids'::uuid[])[1]) \gset
SELECT count(*) AS n_tor FROM mountaineer.impact((:'tor_ids'::uuid[])[1]) \gset
\echo   answers agree; impact of an A PDU: :n_pdu_a devices, of a switch: :n_tor devices

--------------------------------------------------------------------------
-- Timings (the check above has already read every sample once), in a new
-- connection, as a client making traces would have: the one that loaded
-- 12 million rows made the C trace a quarter slower.
--------------------------------------------------------------------------
\connect
SET search_path = mountaineer, public;
SET client_min_messages = warning;
-- The traces: C and SQL in turns (paired_ms), three passes over the ids.
SELECT t[1] AS trace_c, t[2] AS trace_sql
FROM paired_ms('SELECT count(t) FROM mountaineer.cable_trace($1) t', 'SELECT count(t) FROM sql_trace($1) t',
               :'trace_ids', false, 3) t \gset
SELECT t[1] AS trace_c_p, t[2] AS trace_sql_p
FROM paired_ms('SELECT count(t) FROM mountaineer.cable_trace($1) t', 'SELECT count(t) FROM sql_trace($1) t',
               :'trace_ids', true, 3) t \gset
SELECT t[1] AS pdu_a_c, t[2] AS pdu_a_sql
FROM paired_ms('SELECT count(t) FROM mountaineer.impact($1) t', 'SELECT count(t) FROM sql_impact($1) t', :'pdu_a_ids', false, 3) t \gset
SELECT t[1] AS pdu_b_c, t[2] AS pdu_b_sql
FROM paired_ms('SELECT count(t) FROM mountaineer.impact($1) t', 'SELECT count(t) FROM sql_impact($1) t', :'pdu_b_ids', false, 3) t \gset
SELECT t[1] AS tor_c, t[2] AS tor_sql
FROM paired_ms('SELECT count(t) FROM mountaineer.impact($1) t', 'SELECT count(t) FROM sql_impact($1) t', :'tor_ids', false, 3) t \gset

\echo   median ms, ad hoc: trace C :trace_c vs SQL :trace_sql; prepared: C :trace_c_p vs SQL :trace_sql_p
\echo   median ms: impact A PDU :pdu_a_c vs :pdu_a_sql; B PDU :pdu_b_c vs :pdu_b_sql; switch :tor_c vs :tor_sql
INSERT INTO bench_result (bench, what, ours, peer, unit) VALUES
    ('cables', format('cable_trace of 1,000 random server ports (3 hops, 2 panels), %s cables: C vs WITH RECURSIVE, each call a new statement (median %s vs %s ms)',
                      to_char(:cables, 'FM9,999,999'), round(:trace_c, 3), round(:trace_sql, 3)),
     1000 / :trace_c, 1000 / :trace_sql, 'traces/s'),
    ('cables', format('the same, both prepared (planned once) (median %s vs %s ms)', round(:trace_c_p, 3), round(:trace_sql_p, 3)),
     1000 / :trace_c_p, 1000 / :trace_sql_p, 'traces/s'),
    ('cables', format('impact of 10 random A PDUs, %s devices each: C vs WITH RECURSIVE (median %s vs %s ms)',
                      :n_pdu_a, round(:pdu_a_c, 2), round(:pdu_a_sql, 1)),
     1000 / :pdu_a_c, 1000 / :pdu_a_sql, 'impacts/s'),
    ('cables', format('impact of 10 random B PDUs, %s devices each (median %s vs %s ms)', :n_pdu_b, round(:pdu_b_c, 2), round(:pdu_b_sql, 1)),
     1000 / :pdu_b_c, 1000 / :pdu_b_sql, 'impacts/s'),
    ('cables', format('impact of 10 random top-of-rack switches, %s devices each (median %s vs %s ms)',
                      :n_tor, round(:tor_c, 2), round(:tor_sql, 1)),
     1000 / :tor_c, 1000 / :tor_sql, 'impacts/s');

--------------------------------------------------------------------------
-- pgRouting, when the extension is installed
--------------------------------------------------------------------------
SELECT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'pgrouting') AS have_pgr \gset
\if :have_pgr
CREATE EXTENSION IF NOT EXISTS pgrouting CASCADE;
-- pgRouting wants bigint vertices: one per port, and an edge per cable and
-- per front↔rear pass-through (positions cannot be expressed; the reachable
-- set is therefore a superset of the trace).  Built once, not timed.
CREATE TABLE pgr_vertex AS SELECT id AS port_id, row_number() OVER () AS vid FROM port;
CREATE UNIQUE INDEX ON pgr_vertex (port_id);
CREATE TABLE pgr_edge AS
SELECT row_number() OVER () AS id, source, target, 1.0::float8 AS cost, 1.0::float8 AS reverse_cost FROM (
    SELECT va.vid AS source, vb.vid AS target
    FROM cable_end a JOIN cable_end b ON b.cable_id = a.cable_id AND b.side = 'b' AND a.side = 'a'
    JOIN pgr_vertex va ON va.port_id = a.port_id JOIN pgr_vertex vb ON vb.port_id = b.port_id
    UNION ALL
    SELECT vf.vid, vr.vid FROM port f JOIN pgr_vertex vf ON vf.port_id = f.id JOIN pgr_vertex vr ON vr.port_id = f.rear_port_id
    WHERE f.kind = 'front_port') e;
ANALYZE pgr_vertex;
ANALYZE pgr_edge;
CREATE FUNCTION pgr_reach(p uuid) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM pgr_drivingDistance('SELECT id, source, target, cost, reverse_cost FROM pgr_edge',
                                             (SELECT vid FROM pgr_vertex WHERE port_id = p), 5)
$$;
SELECT (:'trace_ids'::uuid[])[1:20] AS pgr_ids \gset
-- it does reach the switch port the trace ends at
DO $$
DECLARE
    p uuid := (SELECT ids[1] FROM cable_sample WHERE what = 'trace');
BEGIN
    IF NOT EXISTS (SELECT FROM pgr_drivingDistance('SELECT id, source, target, cost, reverse_cost FROM pgr_edge',
                                                   (SELECT vid FROM pgr_vertex WHERE port_id = p), 5) d
                   JOIN pgr_vertex v ON v.vid = d.node
                   WHERE v.port_id = (SELECT far_port FROM mountaineer.cable_trace(p) WHERE outcome = 'complete')) THEN
        RAISE EXCEPTION 'pgr_drivingDistance does not reach the end of the trace from %', p;
    END IF;
END $$;
SELECT t[1] AS pgr_c, t[2] AS pgr_peer
FROM paired_ms('SELECT count(t) FROM mountaineer.cable_trace($1) t', 'SELECT pgr_reach($1)', :'pgr_ids', false, 1) t \gset
\echo   median ms: trace C :pgr_c vs pgr_drivingDistance :pgr_peer
INSERT INTO bench_result (bench, what, ours, peer, unit) VALUES
    ('cables', format('reachability from 20 server ports: cable_trace vs pgr_drivingDistance over %s edges, 5 hops (median %s vs %s ms)',
                      to_char((SELECT count(*) FROM pgr_edge), 'FM9,999,999'), round(:pgr_c, 3), round(:pgr_peer, 1)),
     1000 / :pgr_c, 1000 / :pgr_peer, 'traces/s');
\else
\echo   pgRouting is not installed in this PostgreSQL: its peer is skipped (tools/deps.sh postgresql-15-pgrouting)
\endif
