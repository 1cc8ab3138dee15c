-- Generated cable graphs for the resource tests (test/resources.sh) and
-- benchmarks (bench/resources.sql): a long chain through patch panels, the
-- same chain ending in a binary tree of splitting rear ports, and a power
-- tree.  Each function loads its graph under session_replication_role =
-- replica (no change log, no per-row checks: the rows are consistent by
-- construction; constraints and indexes still hold), tags every device name
-- with the graph's key so that several graphs share one database, and
-- returns the port or device to start from.  Ids are md5-derived uuids.
-- Needs a superuser (session_replication_role) and mountaineer_hardware.

-- The cables of the temporary table graph_link (a port, b port), one per
-- row, id from the a port; then the table goes.
CREATE FUNCTION pg_temp.graph_cables(type text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mountaineer.cable (id, type) SELECT md5(a::text)::uuid, type FROM graph_link;
    INSERT INTO mountaineer.cable_end (cable_id, side, port_id)
    SELECT md5(a::text)::uuid, 'a'::mountaineer.cable_side, a FROM graph_link
    UNION ALL
    SELECT md5(a::text)::uuid, 'b'::mountaineer.cable_side, b FROM graph_link;
    DROP TABLE graph_link;
END
$$;

-- n patch panels in a line (n even): src:eth0 — F1, R1 — R2, F2 — F3, R3 — R4,
-- …, Fn — dst:eth0.  A trace from src:eth0 is n + 1 hops of one branch.
-- With fan_depth > 0 the line ends instead in a binary tree of that depth:
-- Fn — R(1), and node k's two front ports lead to the rear ports of nodes
-- 2k and 2k + 1, so the trace splits into 2^fan_depth branches.
CREATE FUNCTION pg_temp.graph_chain(key text, n int, fan_depth int DEFAULT 0) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
    nodes int := (1 << fan_depth) - 1;
BEGIN
    IF n < 2 OR n % 2 <> 0 THEN
        RAISE EXCEPTION 'graph_chain: n must be even and at least 2, not %', n;
    END IF;
    SET LOCAL session_replication_role = replica;
    INSERT INTO mountaineer.device (id, kind, name, units)
    SELECT md5(key || '/' || x)::uuid, 'server'::mountaineer.device_kind, key || '-' || x, 1 FROM unnest(ARRAY['src', 'dst']) x
    UNION ALL
    SELECT md5(key || '/p' || i)::uuid, 'patch_panel'::mountaineer.device_kind, key || '-p' || i, 1 FROM generate_series(1, n) i
    UNION ALL
    SELECT md5(key || '/t' || k)::uuid, 'patch_panel'::mountaineer.device_kind, key || '-t' || k, 1 FROM generate_series(1, nodes) k;

    INSERT INTO mountaineer.port (id, device_id, name, kind)
    SELECT md5(key || '/' || x || '/eth0')::uuid, md5(key || '/' || x)::uuid, 'eth0', 'interface'::mountaineer.port_kind
      FROM unnest(ARRAY['src', 'dst']) x;
    INSERT INTO mountaineer.port (id, device_id, name, kind, positions)
    SELECT md5(key || '/p' || i || '/rear')::uuid, md5(key || '/p' || i)::uuid, 'rear', 'rear_port'::mountaineer.port_kind, 1
      FROM generate_series(1, n) i
    UNION ALL
    SELECT md5(key || '/t' || k || '/rear')::uuid, md5(key || '/t' || k)::uuid, 'rear', 'rear_port'::mountaineer.port_kind, 2
      FROM generate_series(1, nodes) k;
    INSERT INTO mountaineer.port (id, device_id, name, kind, rear_port_id, rear_port_position)
    SELECT md5(key || '/p' || i || '/front')::uuid, md5(key || '/p' || i)::uuid, 'front', 'front_port'::mountaineer.port_kind,
           md5(key || '/p' || i || '/rear')::uuid, 1
      FROM generate_series(1, n) i
    UNION ALL
    SELECT md5(key || '/t' || k || '/front' || j)::uuid, md5(key || '/t' || k)::uuid, 'front' || j, 'front_port'::mountaineer.port_kind,
           md5(key || '/t' || k || '/rear')::uuid, j
      FROM generate_series(1, nodes) k, generate_series(1, 2) j;

    -- cables as (a port, b port); ids from the a port
    CREATE TEMP TABLE graph_link ON COMMIT DROP AS
    SELECT md5(key || '/src/eth0')::uuid AS a, md5(key || '/p1/front')::uuid AS b
    UNION ALL
    SELECT md5(key || '/p' || i || '/rear')::uuid, md5(key || '/p' || (i + 1) || '/rear')::uuid
      FROM generate_series(1, n - 1, 2) i
    UNION ALL
    SELECT md5(key || '/p' || i || '/front')::uuid, md5(key || '/p' || (i + 1) || '/front')::uuid
      FROM generate_series(2, n - 2, 2) i
    UNION ALL
    SELECT md5(key || '/p' || n || '/front')::uuid,
           CASE WHEN nodes = 0 THEN md5(key || '/dst/eth0')::uuid ELSE md5(key || '/t1/rear')::uuid END
    UNION ALL
    SELECT md5(key || '/t' || k || '/front' || j)::uuid, md5(key || '/t' || (2 * k + j - 1) || '/rear')::uuid
      FROM generate_series(1, nodes) k, generate_series(1, 2) j
     WHERE 2 * k + j - 1 <= nodes;
    PERFORM pg_temp.graph_cables(NULL);
    RETURN md5(key || '/src/eth0')::uuid;
END
$$;

-- A power tree: a power panel whose `pdus` feeds each power a PDU's inlet;
-- each PDU's `outlets` outlets each power a server with one power port.
-- impact(panel) loses every PDU and every server: pdus * (outlets + 1)
-- devices; the graph has pdus * (2 * outlets + 2) ports.
CREATE FUNCTION pg_temp.graph_power(key text, pdus int, outlets int) RETURNS uuid
LANGUAGE plpgsql AS $$
BEGIN
    SET LOCAL session_replication_role = replica;
    INSERT INTO mountaineer.device (id, kind, name, units)
    SELECT md5(key || '/panel')::uuid, 'power_panel'::mountaineer.device_kind, key || '-panel', 0
    UNION ALL
    SELECT md5(key || '/pdu' || p)::uuid, 'pdu'::mountaineer.device_kind, key || '-pdu' || p, 0 FROM generate_series(1, pdus) p
    UNION ALL
    SELECT md5(key || '/pdu' || p || '/s' || o)::uuid, 'server'::mountaineer.device_kind, key || '-pdu' || p || '-s' || o, 1
      FROM generate_series(1, pdus) p, generate_series(1, outlets) o;
    INSERT INTO mountaineer.port (id, device_id, name, kind)
    SELECT md5(key || '/panel/feed' || p)::uuid, md5(key || '/panel')::uuid, 'feed' || p, 'power_feed'::mountaineer.port_kind
      FROM generate_series(1, pdus) p
    UNION ALL
    SELECT md5(key || '/pdu' || p || '/inlet')::uuid, md5(key || '/pdu' || p)::uuid, 'inlet', 'power_port'::mountaineer.port_kind
      FROM generate_series(1, pdus) p
    UNION ALL
    SELECT md5(key || '/pdu' || p || '/outlet' || o)::uuid, md5(key || '/pdu' || p)::uuid, 'outlet' || o, 'power_outlet'::mountaineer.port_kind
      FROM generate_series(1, pdus) p, generate_series(1, outlets) o
    UNION ALL
    SELECT md5(key || '/pdu' || p || '/s' || o || '/psu')::uuid, md5(key || '/pdu' || p || '/s' || o)::uuid, 'psu', 'power_port'::mountaineer.port_kind
      FROM generate_series(1, pdus) p, generate_series(1, outlets) o;
    CREATE TEMP TABLE graph_link ON COMMIT DROP AS
    SELECT md5(key || '/panel/feed' || p)::uuid AS a, md5(key || '/pdu' || p || '/inlet')::uuid AS b
      FROM generate_series(1, pdus) p
    UNION ALL
    SELECT md5(key || '/pdu' || p || '/outlet' || o)::uuid, md5(key || '/pdu' || p || '/s' || o || '/psu')::uuid
      FROM generate_series(1, pdus) p, generate_series(1, outlets) o;
    PERFORM pg_temp.graph_cables('power');
    RETURN md5(key || '/panel')::uuid;
END
$$;
