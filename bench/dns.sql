-- mountaineer_dns at a million records: 500,000 × SCALE addresses with a
-- dns_name in a VRF of their own (10.0.0.0/8), so 1,000,000 × SCALE derived
-- A and PTR records in two zones (bench-dns.example, 10.in-addr.arpa).
-- Measured, each against what a user would otherwise have:
--   a rebuild (what adding, removing or renaming a zone costs) with
--     nothing to change;
--   allocation: one allocate_named_ip() (allocate_ip() and the dns_name),
--     each in its own transaction; ours with the DNS module's triggers
--     (records written, both serials raised, the CNAME check), the peer the
--     same calls with those triggers disabled (allocate_ip without the
--     module): the median of each, and their difference, the DNS upkeep
--     of one allocation;
--   lookups: PowerDNS's own basic-query (SELECT content, ttl, prio, type,
--     domain_id, disabled::int, name, auth::int FROM records WHERE
--     disabled = false AND type = $1 AND name = $2) for random names, as a
--     cached plan (PowerDNS prepares its statements), against the tables
--     here; the peer is the other design, pdns.records as a view computing
--     the records from the inventory (mountaineer.dns_expected);
--   the plans of PowerDNS's default queries at this size (EXPLAIN of the
--     generic plan, bench/out/dns_explain.txt): no sequential scan of
--     records;
--   pdns_server itself (tools/pdns.sh, caches off): A queries per second
--     for random names (90% that exist), 4 clients, 5 seconds
--     (bench/dns_qps.py; dnsperf is not in Debian).
-- Everything it made is removed at the end (untimed), so the benchmarks
-- after it see an empty DNS module.
\set QUIET on
\set ON_ERROR_STOP on
SET search_path = mountaineer, public;
SET client_min_messages = warning;

-- psql variables: scale (tools/bench.sh); optionally addresses (override)
-- and singles (allocations timed per side, default 200), cluster (the
-- tools/pg.sh cluster this runs in, for tools/pdns.sh; default bench).
\if :{?addresses}
\else
SELECT 500000 * :scale AS addresses \gset
\endif
\if :{?singles}
\else
\set singles 200
\endif
\if :{?cluster}
\else
\set cluster bench
\endif
\echo dns: :addresses addresses with a dns_name, :singles allocations a side

INSERT INTO vrf (name, description) VALUES ('bench-dns', 'bench/dns.sql');
SELECT id AS vrf FROM vrf WHERE name = 'bench-dns' \gset
INSERT INTO prefix (vrf_id, prefix, status) VALUES (:'vrf', '10.0.0.0/8', 'active');
INSERT INTO environment (name) VALUES ('bench-dns');
INSERT INTO cluster (name, kind) VALUES ('bench-dns', 'kvm');
INSERT INTO host (hostname, environment_id, cluster_id)
SELECT 'vm.bench-dns.example', e.id, c.id FROM environment e, cluster c WHERE e.name = 'bench-dns' AND c.name = 'bench-dns';
SELECT id AS host FROM host WHERE hostname = 'vm.bench-dns.example' \gset
INSERT INTO dns_zone (name, primary_ns) VALUES ('bench-dns.example', 'ns1.bench-dns.example');
SELECT (dns_zone_for_prefix('10.0.0.0/8')).name AS rzone \gset

-- the estate: one INSERT ... SELECT, its records written by the statement trigger
INSERT INTO bench_result (bench, what, ours, unit, lower_is_better)
SELECT 'dns', format('load %s addresses with a dns_name: %s derived records (one INSERT ... SELECT)', :addresses, 2 * :addresses),
       bench_seconds(format($$INSERT INTO mountaineer.ip_address (vrf_id, address, dns_name)
                              SELECT %L, '10.0.0.0'::inet + g, 'h' || g || '.bench-dns.example' FROM generate_series(1, %s) g$$,
                            :'vrf', :addresses)), 's', true;
VACUUM ANALYZE pdns.records;
VACUUM ANALYZE mountaineer.ip_address;
SELECT count(*) AS derived FROM pdns.records r JOIN pdns.domains d ON d.id = r.domain_id
 WHERE d.name IN ('bench-dns.example', :'rzone') AND r.type IN ('A', 'PTR') \gset
SELECT :derived = 2 * :addresses AS loaded_ok \gset
\if :loaded_ok
\else
\echo dns: expected 2 x :addresses derived records, found :derived
SELECT 1/0;
\endif

-- what a zone added, removed or renamed costs: everything recomputed and
-- compared, nothing to write (and dns_verify, the same recomputation)
INSERT INTO bench_result (bench, what, ours, unit, lower_is_better)
SELECT 'dns', format('dns_rebuild() with nothing to change: every record recomputed and compared (%s records)', 2 * :addresses),
       bench_seconds('SELECT mountaineer.dns_rebuild()'), 's', true;

-- allocation: one call a transaction (psql autocommit), timed in the server
CREATE TABLE public.bench_dns_alloc (side text, ms numeric);
SELECT format($$INSERT INTO public.bench_dns_alloc SELECT 'ours', 1000 * bench_seconds(%L)$$,
              format($$SELECT mountaineer.allocate_named_ip('10.0.0.0/8', %L, 'new%s.bench-dns.example', %L)$$, :'host', g, :'vrf'))
  FROM generate_series(1, :singles) g \gexec
ALTER TABLE mountaineer.ip_address DISABLE TRIGGER dns_sync_pdns_insert, DISABLE TRIGGER dns_sync_pdns_update;
SELECT format($$INSERT INTO public.bench_dns_alloc SELECT 'peer', 1000 * bench_seconds(%L)$$,
              format($$SELECT mountaineer.allocate_named_ip('10.0.0.0/8', %L, 'plain%s.bench-dns.example', %L)$$, :'host', g, :'vrf'))
  FROM generate_series(1, :singles) g \gexec
ALTER TABLE mountaineer.ip_address ENABLE TRIGGER dns_sync_pdns_insert, ENABLE TRIGGER dns_sync_pdns_update;
-- the records were written for ours only
SELECT count(*) = :singles AS alloc_ok FROM pdns.records WHERE type = 'A' AND name LIKE 'new%.bench-dns.example' \gset
\if :alloc_ok
\else
\echo dns: the allocations with the module did not all get their records
SELECT 1/0;
\endif
INSERT INTO bench_result (bench, what, ours, peer, unit, lower_is_better)
SELECT 'dns', format('allocate_named_ip() with its A, PTR and two serials vs allocate_ip() without the DNS module (median of %s, %s records there)', :singles, 2 * :addresses),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE side = 'ours'),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE side = 'peer'), 'ms', true
  FROM public.bench_dns_alloc;
INSERT INTO bench_result (bench, what, ours, unit, lower_is_better)
SELECT 'dns', 'the DNS upkeep of one allocation: serial bumps and record writes (difference of the medians)',
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE side = 'ours')
     - percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE side = 'peer'), 'ms', true
  FROM public.bench_dns_alloc;

-- PowerDNS's basic-query, as the plan it prepares, for random names: a
-- static statement in PL/pgSQL is cached (a generic plan from the sixth run)
CREATE FUNCTION public.bench_dns_lookup(names text[], types text[]) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
    t timestamptz := clock_timestamp();
    found bigint := 0;
    r record;
    qname text;
    qtype text;
BEGIN
    FOR i IN 1 .. cardinality(names) LOOP
        -- scalars, as PowerDNS binds them (an array element in the query
        -- would pass the whole array to every execution)
        qname := names[i];
        qtype := types[i];
        FOR r IN SELECT content, ttl, prio, type, domain_id, disabled::int, name, auth::int FROM pdns.records
                  WHERE disabled = false AND type = qtype AND name = qname LOOP
            found := found + 1;
        END LOOP;
    END LOOP;
    IF found < cardinality(names) * 0.9 THEN
        RAISE EXCEPTION 'only % of % lookups found their record', found, cardinality(names);
    END IF;
    RETURN 1e6 * extract(epoch FROM clock_timestamp() - t) / cardinality(names);
END $$;
-- the other design: records as a view over the inventory
CREATE VIEW public.bench_dns_view_records AS
    SELECT domain_id, name::varchar(255) AS name, type::varchar(10) AS type, content::varchar(65535) AS content,
           ttl, prio, false AS disabled, NULL::varchar(255) AS ordername, true AS auth
      FROM mountaineer.dns_expected;
CREATE FUNCTION public.bench_dns_lookup_view(names text[], types text[]) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
    t timestamptz := clock_timestamp();
    found bigint := 0;
    r record;
    qname text;
    qtype text;
BEGIN
    FOR i IN 1 .. cardinality(names) LOOP
        qname := names[i];
        qtype := types[i];
        FOR r IN SELECT content, ttl, prio, type, domain_id, disabled::int, name, auth::int FROM public.bench_dns_view_records
                  WHERE disabled = false AND type = qtype AND name = qname LOOP
            found := found + 1;
        END LOOP;
    END LOOP;
    IF found < cardinality(names) * 0.9 THEN
        RAISE EXCEPTION 'only % of % lookups found their record', found, cardinality(names);
    END IF;
    RETURN 1e6 * extract(epoch FROM clock_timestamp() - t) / cardinality(names);
END $$;
-- half A names, half PTR names, at random
CREATE TABLE public.bench_dns_names AS
SELECT CASE WHEN g % 2 = 0 THEN 'h' || k || '.bench-dns.example' ELSE ptr_name('10.0.0.0'::inet + k) END AS name,
       CASE WHEN g % 2 = 0 THEN 'A' ELSE 'PTR' END AS type, g
  FROM (SELECT g, 1 + floor(random() * :addresses)::int AS k FROM generate_series(1, 20000) g) s;
INSERT INTO bench_result (bench, what, ours, peer, unit, lower_is_better)
SELECT 'dns', format('PowerDNS basic-query (type, name) for a random name: pdns.records a table vs a view over the inventory (%s records)', 2 * :addresses),
       public.bench_dns_lookup((SELECT array_agg(name ORDER BY g) FROM public.bench_dns_names),
                               (SELECT array_agg(type ORDER BY g) FROM public.bench_dns_names)),
       public.bench_dns_lookup_view((SELECT array_agg(name ORDER BY g) FROM public.bench_dns_names WHERE g <= 3),
                                    (SELECT array_agg(type ORDER BY g) FROM public.bench_dns_names WHERE g <= 3)),
       'µs', true;

-- the plans of PowerDNS's default queries (4.7's gpgsql, generic plans): their
-- text as pdns-backend-pgsql 4.7.3 has it (strings of libgpgsqlbackend.so)
SET search_path = pdns;
SET plan_cache_mode = force_generic_plan;
PREPARE basic_query(text, text) AS SELECT content,ttl,prio,type,domain_id,disabled::int,name,auth::int FROM records WHERE disabled=false and type=$1 and name=$2;
PREPARE id_query(text, text, int) AS SELECT content,ttl,prio,type,domain_id,disabled::int,name,auth::int FROM records WHERE disabled=false and type=$1 and name=$2 and domain_id=$3;
PREPARE any_query(text) AS SELECT content,ttl,prio,type,domain_id,disabled::int,name,auth::int FROM records WHERE disabled=false and name=$1;
PREPARE any_id_query(text, int) AS SELECT content,ttl,prio,type,domain_id,disabled::int,name,auth::int FROM records WHERE disabled=false and name=$1 and domain_id=$2;
PREPARE list_query(bool, int) AS SELECT content,ttl,prio,type,domain_id,disabled::int,name,auth::int,ordername FROM records WHERE (disabled=false OR $1) and domain_id=$2 order by name, type;
PREPARE list_subzone_query(text, text, int) AS SELECT content,ttl,prio,type,domain_id,disabled::int,name,auth::int FROM records WHERE disabled=false and (name=$1 OR name like $2) and domain_id=$3;
PREPARE info_zone_query(text) AS select id,name,master,last_check,notified_serial,type,options,catalog,account from domains where name=$1;
PREPARE info_all_primary_query AS select domains.id, domains.name, domains.type, domains.notified_serial, domains.options, domains.catalog, records.content from records join domains on records.domain_id=domains.id and records.name=domains.name where records.type='SOA' and records.disabled=false and domains.type in ('MASTER', 'PRODUCER');
PREPARE get_all_domains_query(bool) AS select domains.id, domains.name, records.content, domains.type, domains.master, domains.notified_serial, domains.last_check, domains.account from domains LEFT JOIN records ON records.domain_id=domains.id AND records.type='SOA' AND records.name=domains.name WHERE records.disabled=false OR $1;
PREPARE update_serial_query(bigint, int) AS update domains set notified_serial=$1 where id=$2;
CREATE TEMP TABLE plans (query text, plan text);
CREATE FUNCTION pg_temp.plan_of(q text, stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE l text;
BEGIN
    FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || stmt LOOP
        INSERT INTO plans VALUES (q, l);
    END LOOP;
END $$;
SELECT pg_temp.plan_of(q, s) FROM (VALUES
    ('basic-query', 'EXECUTE basic_query(''A'', ''h1.bench-dns.example'')'),
    ('id-query', 'EXECUTE id_query(''A'', ''h1.bench-dns.example'', 1)'),
    ('any-query', 'EXECUTE any_query(''h1.bench-dns.example'')'),
    ('any-id-query', 'EXECUTE any_id_query(''h1.bench-dns.example'', 1)'),
    ('list-query', 'EXECUTE list_query(false, 1)'),
    ('list-subzone-query', 'EXECUTE list_subzone_query(''x.bench-dns.example'', ''%.x.bench-dns.example'', 1)'),
    ('info-zone-query', 'EXECUTE info_zone_query(''bench-dns.example'')'),
    ('info-all-primary-query', 'EXECUTE info_all_primary_query'),
    ('get-all-domains-query', 'EXECUTE get_all_domains_query(false)'),
    ('update-serial-query', 'EXECUTE update_serial_query(1, 1)')) v(q, s) \g /dev/null
RESET plan_cache_mode;
SET search_path = mountaineer, public;
\o bench/out/dns_explain.txt
SELECT query, string_agg(plan, E'\n') AS plan FROM plans GROUP BY query ORDER BY query;
\o
-- every query but list-query (AXFR: the whole zone, which a sequential
-- scan reads fastest once the zone is a large part of the table) finds its
-- rows through an index
INSERT INTO bench_result (bench, what, ours, unit)
SELECT 'dns', format('PowerDNS default queries but list-query (AXFR) planned without a sequential scan of records (of %s; bench/out/dns_explain.txt)',
                     count(DISTINCT query)),
       count(DISTINCT query) - count(DISTINCT query) FILTER (WHERE plan ~ 'Seq Scan on records'), 'queries'
  FROM plans WHERE query <> 'list-query';

-- pdns_server: A queries per second for random names (10% that do not exist)
CREATE TABLE public.bench_dns_qnames AS
SELECT CASE WHEN g % 10 = 0 THEN 'none' || g ELSE 'h' || (1 + floor(random() * :addresses)::int) END || '.bench-dns.example' AS name
  FROM generate_series(1, 20000) g;
\copy public.bench_dns_qnames TO 'bench/out/dns_names.txt'
\setenv BENCH_DNS_CLUSTER :cluster
\setenv BENCH_DNS_DB :DBNAME
\! tools/pdns.sh start "$BENCH_DNS_CLUSTER" "$BENCH_DNS_DB"
SELECT :PORT + 1000 AS dns_port \gset
CREATE TABLE public.bench_dns_qps (qps numeric, answered bigint, noerror bigint, nxdomain bigint, other bigint, timeouts bigint);
\setenv BENCH_DNS_PORT :dns_port
\! python3 bench/dns_qps.py 127.0.0.1 "$BENCH_DNS_PORT" bench/out/dns_names.txt 5 4 >bench/out/dns_qps.txt
\copy public.bench_dns_qps FROM 'bench/out/dns_qps.txt' WITH (DELIMITER ' ')
\! tools/pdns.sh stop "$BENCH_DNS_CLUSTER"
INSERT INTO bench_result (bench, what, ours, unit)
SELECT 'dns', format('pdns_server (gpgsql, caches off): A queries answered per second, random names, 4 clients (%s NOERROR, %s NXDOMAIN, %s timeouts)',
                     noerror, nxdomain, timeouts), qps, 'queries/s'
  FROM public.bench_dns_qps;

-- clean up, untimed: the zones first (their records go with them), then
-- the addresses, the rest
DELETE FROM dns_zone WHERE name IN ('bench-dns.example', :'rzone');
DELETE FROM ip_address WHERE vrf_id = :'vrf';
DELETE FROM prefix WHERE vrf_id = :'vrf';
DELETE FROM vrf WHERE id = :'vrf';
DELETE FROM host WHERE id = :'host';
DELETE FROM cluster WHERE name = 'bench-dns';
DELETE FROM environment WHERE name = 'bench-dns';
DROP TABLE public.bench_dns_alloc, public.bench_dns_names, public.bench_dns_qnames, public.bench_dns_qps;
DROP VIEW public.bench_dns_view_records;
DROP FUNCTION public.bench_dns_lookup(text[], text[]), public.bench_dns_lookup_view(text[], text[]);
