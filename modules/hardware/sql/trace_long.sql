-- Traces longer than the 32 hops the engine scans for loops (beyond that
-- it hashes the ports of the path): a 41-hop chain through 40 patch panels,
-- and a ring of 40 panels whose trace comes back to where it started.
-- (test/resources.sh runs 100,000-hop chains, the 1,000,000-hop limit and
-- cancellation; this case is small enough for make valgrind.)
SET search_path = mountaineer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ECHO none
\set QUIET on
\i ../../test/lib/graphs.sql
SELECT pg_temp.graph_chain('line', 40) AS line \gset
\set QUIET off
\set ECHO all

SELECT count(*) AS hops, count(DISTINCT branch) AS branches, max(hop) AS last_hop,
       string_agg(outcome, ',') AS outcomes
FROM cable_trace(:'line');
SELECT d.name AS far_device, p.name AS far_port
FROM cable_trace(:'line') t JOIN port p ON p.id = t.far_port JOIN device d ON d.id = p.device_id
WHERE t.hop IN (1, 2, 40, 41) ORDER BY t.hop;
-- the same trace as a document: the destination at the end of the line
SELECT cable_path(:'line') -> 'status' AS status,
       cable_path(:'line') -> 'destinations' -> 0 -> 'device' AS destination,
       jsonb_array_length(cable_path(:'line') -> 'branches' -> 0 -> 'hops') AS hops;

-- the ring: cut the line's last cable and close the panels on themselves
-- (the last panel's front port back to the first panel's), then trace from
-- the first panel's front port: round the ring and back to it, a loop
DELETE FROM cable WHERE id = (SELECT cable_id FROM cable_end WHERE port_id = md5('line/dst/eth0')::uuid);
DELETE FROM cable WHERE id = (SELECT cable_id FROM cable_end WHERE port_id = md5('line/src/eth0')::uuid);
WITH c AS (INSERT INTO cable (label) VALUES ('ring') RETURNING id)
INSERT INTO cable_end (cable_id, side, port_id)
SELECT id, 'a'::cable_side, md5('line/p40/front')::uuid FROM c
UNION ALL SELECT id, 'b'::cable_side, md5('line/p1/front')::uuid FROM c;
SELECT count(*) AS hops, max(hop) AS last_hop, string_agg(outcome, ',') AS outcomes
FROM cable_trace(md5('line/p1/front')::uuid);
SELECT cable_path(md5('line/p1/front')::uuid) -> 'status' AS status;
