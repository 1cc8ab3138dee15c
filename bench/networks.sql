-- CIDR allocation (mountaineer_networks) at the issue's sizes, all in the
-- global table of one database:
--   * 10.0.0.0/8 holding 1,000,000 × SCALE child prefixes (/28 at SCALE=1),
--     packed from the start with 1% random holes (free space fragmented into
--     ~10,000 one-child holes), so the first free /24 lies after all of them;
--   * 2001:db8::/32 holding 1,000,000 × SCALE /64s, packed the same way, so
--     the first free /48 lies after all of them;
--   * 172.16.0.0/16 with 60,000 addresses assigned from .0.1 up;
--   * 172.17.0.0/16, empty, for the pgbench run (8 clients × allocate_ip).
-- Loading 2M prefixes through the free-space triggers runs at a few thousand
-- rows/s (measured below on a sample, against the same rows with triggers
-- off); the big parents are therefore bulk-loaded with
-- session_replication_role = replica, their prefix_free rows are filled in
-- bulk exactly as the triggers would leave them, and that is verified.
--
-- ours: next_free_prefix / allocate_prefix / next_free_ip / allocate_ip,
--       median of 200 calls, each timed in the server;
-- peer: (a) a plain-SQL gap search, window functions over the children in
--       prefix order (median of 5 calls); (b) NetBox's algorithm with
--       netaddr.IPSet in Python, fetch + compute (bench/networks_netbox.py,
--       median of 3 runs).  Every peer's answer is checked against ours.
-- Latency rows are lower-is-better (ratio = peer / ours).
--
-- The bench's own tables and functions are in schema public (search_path
-- puts mountaineer first for the rest).
-- psql variables: scale (from tools/bench.sh); optionally children (overrides
-- 1,000,000 × scale), calls (200), pgbench_seconds (30).
\set QUIET on
\set ON_ERROR_STOP on
SET search_path = mountaineer, public;
SET client_min_messages = warning;
SELECT setseed(0.6) \g /dev/null
\setenv PGDATABASE :DBNAME

\if :{?children}
\else
SELECT 1000000 * :scale AS children \gset
\endif
\if :{?calls}
\else
\set calls 200
\endif
\if :{?pgbench_seconds}
\else
\set pgbench_seconds 30
\endif
-- slots = children + 1% holes; the IPv4 children are /28s, or longer when
-- that many do not fit into the /8 with room for the /24s allocated after
-- them (a hole is then smaller than a /24, so the first free /24 is at the end)
SELECT :children AS n, (:children * 1.01)::bigint AS slots,
       greatest(28, 8 + ceil(log(2, (:children * 1.01 + 8192)::numeric))::int) AS v4len \gset
SELECT 2 ^ (32 - :v4len) AS v4size \gset
\echo networks: :n children per parent (IPv4 /:v4len, IPv6 /64), :calls calls per latency, pgbench :pgbench_seconds s

CREATE TABLE public.bench_netaddr (key text PRIMARY KEY, median_s numeric, answer text, runs int, fetch_s numeric, compute_s numeric);
CREATE TABLE public.bench_pgbench (seconds int, clients int, processed bigint, failed bigint, aborted int, tps numeric);

-- Median wall-clock seconds of n executions of stmt, each timed in the
-- server (after one untimed warm-up call that plans and caches).
CREATE FUNCTION public.bench_median(stmt text, n int) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
    t  timestamptz;
    ds numeric[] := '{}';
BEGIN
    EXECUTE stmt;
    FOR i IN 1 .. n LOOP
        t := clock_timestamp();
        EXECUTE stmt;
        ds := ds || extract(epoch FROM clock_timestamp() - t);
    END LOOP;
    RETURN (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY d) FROM unnest(ds) d);
END $$;

-- align_up(a, len): the lowest address >= a that starts a /len block (a and
-- the result carry the full-width mask).  NULL past the end of the space.
CREATE FUNCTION public.bench_align_up(a inet, len int) RETURNS inet LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN set_masklen(network(set_masklen(a, len))::inet, CASE family(a) WHEN 4 THEN 32 ELSE 128 END) = a
                THEN a
                ELSE set_masklen(broadcast(set_masklen(a, len)) + 1, CASE family(a) WHEN 4 THEN 32 ELSE 128 END)
           END
$$;

-- True when the stored free space of a prefix is what a recomputation from
-- scratch gives (the check prefix_free_verify() makes, for one prefix).
CREATE FUNCTION public.bench_free_ok(parent cidr) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT (SELECT array_agg(f.block ORDER BY f.block) FROM mountaineer.prefix_free f
             WHERE f.prefix_id = (SELECT id FROM mountaineer.prefix WHERE vrf_id IS NULL AND prefix = parent))
           IS NOT DISTINCT FROM
           (SELECT array_agg(r ORDER BY r) FROM mountaineer.cidr_free(parent, (
               SELECT coalesce(array_agg(x), '{}') FROM (
                   SELECT prefix AS x FROM mountaineer.prefix WHERE vrf_id IS NULL AND prefix << parent
                   UNION ALL
                   SELECT host_addr FROM mountaineer.ip_address WHERE vrf_id IS NULL AND host_addr <<= parent
                   UNION ALL
                   SELECT c FROM mountaineer.ip_range g, mountaineer.inet_range_cidrs(g.start_address, g.end_address) c
                    WHERE g.vrf_id IS NULL AND family(g.start_address) = family(parent)) h)) r)
$$;

-- Peer (a): the lowest /len block inside parent not overlapping any prefix
-- under it, by a gap search with window functions over the children in
-- prefix order (a running max of the broadcast addresses, so nested
-- children are fine).  The last gap, after the last child, is one more row.
CREATE FUNCTION public.bench_gap_prefix(parent cidr, len int) RETURNS cidr LANGUAGE sql STABLE AS $$
    WITH kid AS (
        SELECT prefix,
               set_masklen(prefix::inet, CASE family(parent) WHEN 4 THEN 32 ELSE 128 END) AS first_addr,
               set_masklen(broadcast(prefix), CASE family(parent) WHEN 4 THEN 32 ELSE 128 END) AS last_addr
          FROM mountaineer.prefix
         WHERE vrf_id IS NULL AND prefix << parent
    ), gap AS (
        SELECT coalesce(max(last_addr) OVER (ORDER BY prefix ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + 1,
                        set_masklen(parent::inet, CASE family(parent) WHEN 4 THEN 32 ELSE 128 END)) AS gap_first,
               first_addr - 1 AS gap_last
          FROM kid
        UNION ALL
        SELECT coalesce(max(last_addr) + 1, set_masklen(parent::inet, CASE family(parent) WHEN 4 THEN 32 ELSE 128 END)),
               set_masklen(broadcast(parent), CASE family(parent) WHEN 4 THEN 32 ELSE 128 END)
          FROM kid
    )
    SELECT network(set_masklen(min(c), len))
      FROM gap, LATERAL (SELECT bench_align_up(gap_first, len) AS c) a
     WHERE gap_first <= gap_last
       AND set_masklen(broadcast(set_masklen(c, len)), CASE family(parent) WHEN 4 THEN 32 ELSE 128 END) <= gap_last
$$;

-- Peer (a) for addresses: the lowest unassigned address of the prefix, not
-- its network or broadcast address (IPv4; the prefixes here are not pools).
CREATE FUNCTION public.bench_gap_ip(parent cidr) RETURNS inet LANGUAGE sql STABLE AS $$
    WITH a AS (
        SELECT host_addr::inet AS addr FROM mountaineer.ip_address
         WHERE vrf_id IS NULL AND host_addr <<= parent
    ), gap AS (
        SELECT coalesce(lag(addr) OVER (ORDER BY addr) + 1, set_masklen(parent::inet, 32) + 1) AS gap_first,
               addr - 1 AS gap_last
          FROM a
        UNION ALL
        SELECT coalesce(max(addr) + 1, set_masklen(parent::inet, 32) + 1), set_masklen(broadcast(parent), 32) - 1
          FROM a
    )
    SELECT set_masklen(min(gap_first), masklen(parent)) FROM gap WHERE gap_first <= gap_last
$$;

-- the host that addresses are assigned to
INSERT INTO environment (name) VALUES ('bench');
INSERT INTO cluster (name, kind) VALUES ('bench', 'other');
INSERT INTO host (hostname, environment_id, cluster_id)
SELECT 'alloc.bench.example.com', e.id, c.id FROM environment e, cluster c WHERE e.name = 'bench' AND c.name = 'bench';
SELECT id AS host_id FROM host WHERE hostname = 'alloc.bench.example.com' \gset

--------------------------------------------------------------------------
-- Loading through the triggers, on a sample: 20,000 /28s into an empty /8
-- with the free-space upkeep, against the same rows with triggers off.
--------------------------------------------------------------------------
INSERT INTO prefix (prefix, status) VALUES ('11.0.0.0/8', 'container'), ('12.0.0.0/8', 'container');
CHECKPOINT;
SELECT bench_seconds($$INSERT INTO mountaineer.prefix (prefix)
                       SELECT network(set_masklen('11.0.0.0'::inet + g * 16, 28)) FROM generate_series(0, 19999) g$$) AS load_trig_s \gset
SET session_replication_role = replica;
CHECKPOINT;
SELECT bench_seconds($$INSERT INTO mountaineer.prefix (prefix)
                       SELECT network(set_masklen('12.0.0.0'::inet + g * 16, 28)) FROM generate_series(0, 19999) g$$) AS load_plain_s \gset
-- drop both samples quietly (through the triggers that would take as long again)
DELETE FROM prefix_free WHERE prefix_id IN (SELECT id FROM prefix WHERE prefix <<= '11.0.0.0/8');
DELETE FROM prefix WHERE prefix <<= '11.0.0.0/8' OR prefix <<= '12.0.0.0/8';
RESET session_replication_role;
INSERT INTO bench_result (bench, what, ours, peer, unit)
VALUES ('networks', 'insert 20,000 /28s into an empty /8: with the free-space triggers vs with triggers off',
        20000 / :load_trig_s, 20000 / :load_plain_s, 'rows/s');

--------------------------------------------------------------------------
-- Bulk load of the two big parents, free space filled in bulk
--------------------------------------------------------------------------
CREATE TABLE public.bench_slot AS SELECT slot FROM generate_series(0, :slots - 1) slot ORDER BY random() OFFSET :slots - :n;
SELECT max(slot) + 1 AS top FROM bench_slot \gset
\echo networks: bulk-loading :n IPv4 and :n IPv6 children
SELECT clock_timestamp() AS bulk_t0 \gset
SET session_replication_role = replica;     -- no triggers: no free-space upkeep, no change log
INSERT INTO prefix (prefix, status, description) VALUES
    ('10.0.0.0/8', 'container', 'bench IPv4'), ('2001:db8::/32', 'container', 'bench IPv6');
INSERT INTO prefix (prefix)
SELECT network(set_masklen('10.0.0.0'::inet + slot * :v4size, :v4len)) FROM bench_slot ORDER BY slot;
INSERT INTO prefix (prefix)
SELECT format('2001:db8:%s:%s::/64', to_hex(slot >> 16), to_hex(slot & 65535))::cidr FROM bench_slot ORDER BY slot;
-- what the triggers would have left: each empty child is one free block of
-- its own; each parent's free space is the parent minus its children
INSERT INTO prefix_free (prefix_id, vrf_key, block)
SELECT id, vrf_key(NULL), prefix FROM prefix
 WHERE vrf_id IS NULL AND (prefix << '10.0.0.0/8' OR prefix << '2001:db8::/32');
INSERT INTO prefix_free (prefix_id, vrf_key, block)
SELECT p.id, vrf_key(NULL), f
  FROM prefix p, cidr_free(p.prefix, (SELECT array_agg(c.prefix) FROM prefix c WHERE c.vrf_id IS NULL AND c.prefix << p.prefix)) f
 WHERE p.vrf_id IS NULL AND p.prefix IN ('10.0.0.0/8', '2001:db8::/32');
RESET session_replication_role;
SELECT extract(epoch FROM clock_timestamp() - :'bulk_t0') AS bulk_s \gset
VACUUM ANALYZE prefix;
VACUUM ANALYZE prefix_free;
\echo networks: bulk load :bulk_s s

-- The bulk-filled free space is what the triggers keep: for the parents,
-- recomputed from scratch as prefix_free_verify() does; for every child,
-- exactly its own block.  (prefix_free_verify() itself recomputes every one of
-- the 2M prefixes; at SCALE=1 that alone takes minutes.)
SELECT bench_free_ok('10.0.0.0/8') AND bench_free_ok('2001:db8::/32') AS ok \gset
\if :ok
\else
SELECT 1 / 0 AS bulk_free_space_of_parents_wrong;
\endif
SELECT count(*) FILTER (WHERE f.block = c.prefix) = 2 * :n AND count(*) = 2 * :n AS ok
  FROM prefix c JOIN prefix_free f ON f.prefix_id = c.id
 WHERE c.vrf_id IS NULL AND (c.prefix << '10.0.0.0/8' OR c.prefix << '2001:db8::/32') \gset
\if :ok
\else
SELECT 1 / 0 AS bulk_free_space_of_children_wrong;
\endif
SELECT count(*) AS v4_free_blocks FROM prefix_free WHERE prefix_id = (SELECT id FROM prefix WHERE vrf_id IS NULL AND prefix = '10.0.0.0/8') \gset
SELECT count(*) AS v6_free_blocks FROM prefix_free WHERE prefix_id = (SELECT id FROM prefix WHERE vrf_id IS NULL AND prefix = '2001:db8::/32') \gset
\echo networks: verified; the /8 has :v4_free_blocks free blocks, the /32 :v6_free_blocks

--------------------------------------------------------------------------
-- next_free_prefix and allocate_prefix, with both peers
--------------------------------------------------------------------------
SELECT next_free_prefix('10.0.0.0/8', 24) AS v4_ours, bench_gap_prefix('10.0.0.0/8', 24) AS v4_gap,
       network(set_masklen('10.0.0.0'::inet + ceil(:top * :v4size / 256.0)::bigint * 256, 24)) AS v4_expected \gset
SELECT next_free_prefix('2001:db8::/32', 48) AS v6_ours, bench_gap_prefix('2001:db8::/32', 48) AS v6_gap,
       format('2001:db8:%s::/48', to_hex(ceil(:top / 65536.0)::int))::cidr AS v6_expected \gset
SELECT :'v4_ours' = :'v4_gap' AND :'v4_ours' = :'v4_expected' AND :'v6_ours' = :'v6_gap' AND :'v6_ours' = :'v6_expected' AS same \gset
\if :same
\else
\echo next_free_prefix: ours :v4_ours :v6_ours, SQL gap search :v4_gap :v6_gap, expected :v4_expected :v6_expected
SELECT 1 / 0 AS answers_differ;
\endif
\echo networks: first free /24 :v4_ours, /48 :v6_ours; timing ours and the SQL gap search

SELECT bench_median($$SELECT mountaineer.next_free_prefix('10.0.0.0/8', 24)$$, :calls) AS v4_next_s \gset
SELECT bench_median($$SELECT bench_gap_prefix('10.0.0.0/8', 24)$$, 5) AS v4_gap_s \gset
SELECT bench_median($$SELECT mountaineer.next_free_prefix('2001:db8::/32', 48)$$, :calls) AS v6_next_s \gset
SELECT bench_median($$SELECT bench_gap_prefix('2001:db8::/32', 48)$$, 5) AS v6_gap_s \gset

\echo networks: NetBox / netaddr peer (fetch + IPSet), 3 runs each
\! /usr/bin/python3 bench/networks_netbox.py prefix v4_next 10.0.0.0/8 24 3
\! /usr/bin/python3 bench/networks_netbox.py prefix v6_next 2001:db8::/32 48 3
SELECT coalesce((SELECT answer FROM bench_netaddr WHERE key = 'v4_next') = :'v4_ours'
            AND (SELECT answer FROM bench_netaddr WHERE key = 'v6_next') = :'v6_ours', false) AS same \gset
\if :same
\else
SELECT * FROM bench_netaddr;
SELECT 1 / 0 AS netaddr_answers_differ_or_missing;
\endif

INSERT INTO bench_result (bench, what, ours, peer, unit, lower_is_better) VALUES
    ('networks', format('next_free_prefix(/8, 24), %s children, vs SQL gap search', :n), 1000 * :v4_next_s, 1000 * :v4_gap_s, 'ms median', true),
    ('networks', format('next_free_prefix(/8, 24), %s children, vs NetBox/netaddr IPSet', :n),
     1000 * :v4_next_s, 1000 * (SELECT median_s FROM bench_netaddr WHERE key = 'v4_next'), 'ms median', true),
    ('networks', format('next_free_prefix(/32, 48), %s /64s, vs SQL gap search', :n), 1000 * :v6_next_s, 1000 * :v6_gap_s, 'ms median', true),
    ('networks', format('next_free_prefix(/32, 48), %s /64s, vs NetBox/netaddr IPSet', :n),
     1000 * :v6_next_s, 1000 * (SELECT median_s FROM bench_netaddr WHERE key = 'v6_next'), 'ms median', true);

-- allocate_prefix: every call inserts the next /24 (/48); they must come out
-- in address order, one after the other
SELECT bench_median($$SELECT mountaineer.allocate_prefix('10.0.0.0/8', 24)$$, :calls) AS v4_alloc_s \gset
SELECT bench_median($$SELECT mountaineer.allocate_prefix('2001:db8::/32', 48)$$, :calls) AS v6_alloc_s \gset
SELECT count(*) = :calls + 1 AND min(prefix) = :'v4_ours' AND max(prefix) = network(set_masklen(:'v4_ours'::inet + 256 * :calls, 24))
       AS ok FROM prefix WHERE vrf_id IS NULL AND prefix << '10.0.0.0/8' AND masklen(prefix) = 24 \gset
\if :ok
\else
SELECT 1 / 0 AS allocate_prefix_v4_wrong;
\endif
SELECT count(*) = :calls + 1 AND min(prefix) = :'v6_ours' AS ok
  FROM prefix WHERE vrf_id IS NULL AND prefix << '2001:db8::/32' AND masklen(prefix) = 48 \gset
\if :ok
\else
SELECT 1 / 0 AS allocate_prefix_v6_wrong;
\endif
INSERT INTO bench_result (bench, what, ours, peer, unit, lower_is_better) VALUES
    ('networks', format('allocate_prefix(/8, 24), %s children (inserts the row)', :n), 1000 * :v4_alloc_s, NULL, 'ms median', true),
    ('networks', format('allocate_prefix(/32, 48), %s /64s (inserts the row)', :n), 1000 * :v6_alloc_s, NULL, 'ms median', true);

--------------------------------------------------------------------------
-- Addresses: a /16 with 60,000 assigned, through the triggers
--------------------------------------------------------------------------
INSERT INTO prefix (prefix) VALUES ('172.16.0.0/16'), ('172.17.0.0/16');
CHECKPOINT;
SELECT bench_seconds(format($$INSERT INTO mountaineer.ip_address (address, host_id)
                              SELECT set_masklen('172.16.0.0'::inet + g, 16), %L FROM generate_series(1, 60000) g$$, :'host_id'))
       AS ip_load_s \gset
VACUUM ANALYZE ip_address;
VACUUM ANALYZE prefix_free;
\echo networks: 60,000 addresses assigned through the triggers in :ip_load_s s

SELECT next_free_ip('172.16.0.0/16') AS ip_ours, bench_gap_ip('172.16.0.0/16') AS ip_gap \gset
SELECT :'ip_ours' = :'ip_gap' AND :'ip_ours' = '172.16.234.97/16' AS same \gset
\if :same
\else
\echo next_free_ip: ours :ip_ours, SQL gap search :ip_gap
SELECT 1 / 0 AS answers_differ;
\endif
SELECT bench_median($$SELECT mountaineer.next_free_ip('172.16.0.0/16')$$, :calls) AS ip_next_s \gset
SELECT bench_median($$SELECT bench_gap_ip('172.16.0.0/16')$$, 5) AS ip_gap_s \gset
\! /usr/bin/python3 bench/networks_netbox.py ip ip_next 172.16.0.0/16 32 3
SELECT coalesce((SELECT answer FROM bench_netaddr WHERE key = 'ip_next') = :'ip_ours', false) AS same \gset
\if :same
\else
SELECT * FROM bench_netaddr;
SELECT 1 / 0 AS netaddr_answer_differs_or_missing;
\endif
SELECT bench_median(format($$SELECT mountaineer.allocate_ip('172.16.0.0/16', %L)$$, :'host_id'), :calls) AS ip_alloc_s \gset
SELECT count(*) = 60000 + :calls + 1 AND max(host_addr) = host(:'ip_ours'::inet + :calls)::cidr AS ok
  FROM ip_address WHERE vrf_id IS NULL AND host_addr <<= '172.16.0.0/16' \gset
\if :ok
\else
SELECT 1 / 0 AS allocate_ip_wrong;
\endif
INSERT INTO bench_result (bench, what, ours, peer, unit, lower_is_better) VALUES
    ('networks', 'next_free_ip(/16), 60,000 assigned, vs SQL gap search', 1000 * :ip_next_s, 1000 * :ip_gap_s, 'ms median', true),
    ('networks', 'next_free_ip(/16), 60,000 assigned, vs NetBox/netaddr IPSet',
     1000 * :ip_next_s, 1000 * (SELECT median_s FROM bench_netaddr WHERE key = 'ip_next'), 'ms median', true),
    ('networks', 'allocate_ip(/16), 60,000 assigned (inserts the row)', 1000 * :ip_alloc_s, NULL, 'ms median', true);

--------------------------------------------------------------------------
-- Concurrency: pgbench, 8 clients calling allocate_ip on one empty /16
--------------------------------------------------------------------------
\echo networks: pgbench, 8 clients x allocate_ip('172.17.0.0/16') for :pgbench_seconds s
-- (\! does not expand psql variables; the script reads them from the environment)
\setenv NETBENCH_HOST_ID :host_id
\setenv NETBENCH_SECONDS :pgbench_seconds
\! bench/networks_pgbench.sh 172.17.0.0/16
SELECT count(*) = 1 AS ok FROM bench_pgbench \gset
\if :ok
\else
SELECT 1 / 0 AS pgbench_did_not_report;
\endif
SELECT count(*) AS dups FROM (SELECT 1 FROM ip_address GROUP BY vrf_key(vrf_id), host_addr HAVING count(*) > 1) d \gset
SELECT count(*) AS allocated FROM ip_address WHERE vrf_id IS NULL AND host_addr <<= '172.17.0.0/16' \gset
SELECT processed, failed + aborted AS errors, tps, seconds FROM bench_pgbench \gset pg_
-- the free space after the storm is still exact
SELECT (NOT bench_free_ok('172.16.0.0/16'))::int + (NOT bench_free_ok('172.17.0.0/16'))::int AS bad \gset
\echo networks: pgbench: :pg_processed allocations, :allocated rows, :pg_errors errors, :dups duplicates, free space mismatches :bad
SELECT :dups = 0 AND :bad = 0 AND :allocated = :pg_processed AS ok \gset
\if :ok
\else
SELECT 1 / 0 AS concurrency_check_failed;
\endif
INSERT INTO bench_result (bench, what, ours, peer, unit) VALUES
    ('networks', format('pgbench 8 clients × allocate_ip on one /16 for %s s: %s allocations, %s errors, %s duplicates',
                        :pg_seconds, :pg_processed, :pg_errors, :dups),
     :pg_tps, NULL, 'allocations/s');
