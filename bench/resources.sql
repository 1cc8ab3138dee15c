-- Resources at full size: the peak private memory of a fresh backend during
-- each C function's call (test/lib/measure.sh: /proc VmHWM, reset before
-- the call, minus shared and file pages), its time, and how long it takes
-- to stop once cancelled or timed out 50 ms in (test/lib/stop.sh):
--   cable_trace along a 100,001-hop chain of patch panels (and, against the
--   WITH RECURSIVE trace of bench/cables.sql, along 10,001 hops: that
--   query copies its path array per hop, so 100,001 would take minutes);
--   impact of a power panel over a power tree of 1,000,000 ports;
--   cidr_free('::/0') minus 100,000 random /128s; rackspan_free of
--   1,000,000 spans; free_prefixes('::/0') with three children.
-- test/resources.sh checks the same at smaller sizes in `make test`.
\set QUIET on
\set ON_ERROR_STOP on
SET client_min_messages = warning;
\i test/lib/graphs.sql
SELECT setseed(0.5) AS seeded \gset
SELECT pg_temp.graph_chain('rchain', 100000 * :scale) AS rchain, pg_temp.graph_chain('rchain10k', 10000) AS rchain10k \gset
SELECT pg_temp.graph_power('rpower', 1000 * :scale, 499) AS rpower \gset
CREATE TABLE resource_arrays (name text PRIMARY KEY, c cidr[], r mountaineer.rackspan[]);
INSERT INTO resource_arrays (name, c)
SELECT 'hosts', array_agg(format('%s:%s:%s:%s:%s:%s:%s:%s/128', VARIADIC
       (SELECT array_agg(to_hex((random() * 65535)::int)) FROM generate_series(1, 8) WHERE g > 0))::cidr)
FROM generate_series(1, 100000) g;
INSERT INTO resource_arrays (name, r)
SELECT 'spans', array_agg(mountaineer.rackspan(1 + (random() * 32000)::int, 1 + (random() * 5)::int,
                                                (ARRAY['front', 'rear', 'full'])[1 + (random() * 2)::int]))
FROM generate_series(1, 1000000);
-- a VRF of its own, apart from the networks bench's prefixes
INSERT INTO mountaineer.vrf (name) VALUES ('resources') RETURNING id AS rvrf \gset
INSERT INTO mountaineer.prefix (vrf_id, prefix, status)
SELECT :'rvrf', p::cidr, 'active' FROM unnest(ARRAY['::/0', '2001:db8::1/128', '4000::/2', 'fe80::1234/128']) p;
VACUUM ANALYZE;

-- the calls, timed and measured by bench/resources.sh into bench_result
CREATE TABLE resource_call (what text, warm text, call text, rows text, peer text);
INSERT INTO resource_call VALUES
    ('cable_trace along a ' || (100000 * :scale + 1) || '-hop chain',
     format('SELECT count(*) FROM mountaineer.cable_trace(%L)', :'rchain10k'),
     format('SELECT count(*) FROM mountaineer.cable_trace(%L)', :'rchain'), 'rows'),
    ('impact of a power panel over ' || 1000 * :scale || ' PDUs, ' || 1000000 * :scale || ' ports',
     format('SELECT count(*) FROM mountaineer.impact(%L)', md5('rpower/pdu1')::uuid),
     format('SELECT count(*) FROM mountaineer.impact(%L)', :'rpower'), 'devices lost'),
    ('cidr_free(''::/0'') minus 100,000 random /128s',
     'SELECT count(*) FROM mountaineer.cidr_free(''::/0'', ''{::1/128}'')',
     'SELECT count(*) FROM mountaineer.cidr_free(''::/0'', (SELECT c FROM resource_arrays WHERE name = ''hosts''))', 'blocks'),
    ('rackspan_free of 1,000,000 occupied spans',
     'SELECT count(*) FROM mountaineer.rackspan_free(''{U1}'', 42)',
     'SELECT count(*) FROM mountaineer.rackspan_free((SELECT r FROM resource_arrays WHERE name = ''spans''), 32767, ''rear'')', 'free runs'),
    ('free_prefixes(''::/0'') with three children',
     format('SELECT mountaineer.next_free_prefix(''::/0'', 64, %L)', :'rvrf'),
     format('SELECT count(*) FROM mountaineer.free_prefixes(''::/0'', %L)', :'rvrf'), 'blocks');
-- with a peer: the WITH RECURSIVE trace of bench/cables.sql, where it ran
INSERT INTO resource_call
SELECT 'cable_trace along 10,001 hops vs WITH RECURSIVE (sql_trace)', 'SELECT 1',
       format('SELECT count(*) FROM mountaineer.cable_trace(%L)', :'rchain10k'), 'rows',
       format('SELECT count(*) FROM mountaineer.sql_trace(%L)', :'rchain10k')
WHERE to_regprocedure('mountaineer.sql_trace(uuid)') IS NOT NULL;
\! bench/resources.sh
DROP TABLE resource_call, resource_arrays;
