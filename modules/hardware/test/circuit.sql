-- mountaineer_hardware 1.5: circuits.  Providers, provider networks, circuit
-- types, circuits and their A and Z terminations; every rule and refusal
-- with its SQLSTATE and message, and the cable graph crossing a circuit.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(56);
-- check "connected cables have both sides" at each statement, not at commit
SET CONSTRAINTS check_sides IMMEDIATE;

--------------------------------------------------------------------------
-- Fixture: two sites; at ct-a a server and a panel, at ct-b a router and a
-- panel; one device in no rack.
--------------------------------------------------------------------------
INSERT INTO site (name) VALUES ('ct-a'), ('ct-b');
INSERT INTO rack (site_id, name) SELECT id, 'r' FROM site WHERE name IN ('ct-a', 'ct-b');
INSERT INTO device (kind, name, units, rack_id, position)
SELECT d.kind::device_kind, d.name, 1, r.id, d.pos::rackspan
FROM (VALUES ('server', 'ct-srv', 'ct-a', 'U1'), ('server', 'ct-srv2', 'ct-a', 'U2'),
             ('patch_panel', 'ct-ppa', 'ct-a', 'U10'), ('patch_panel', 'ct-ppl', 'ct-a', 'U11'),
             ('network', 'ct-rtr', 'ct-b', 'U1'), ('patch_panel', 'ct-ppb', 'ct-b', 'U10')) d(kind, name, site, pos)
JOIN site s ON s.name = d.site JOIN rack r ON r.site_id = s.id;
INSERT INTO device (kind, name, units) VALUES ('server', 'ct-loose', 1);
INSERT INTO port (device_id, name, kind)
SELECT d.id, p.name, p.kind::port_kind FROM device d, (VALUES ('eth0', 'interface'), ('eth1', 'interface'), ('psu1', 'power_port')) p(name, kind)
WHERE d.name IN ('ct-srv', 'ct-srv2', 'ct-rtr', 'ct-loose');
INSERT INTO port (device_id, name, kind, positions) SELECT id, 'rear', 'rear_port', 2 FROM device WHERE name LIKE 'ct-pp_';
INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
SELECT d.id, 'f' || n, 'front_port', r.id, n FROM device d JOIN port r ON r.device_id = d.id AND r.name = 'rear', generate_series(1, 2) n
WHERE d.name LIKE 'ct-pp_';

CREATE FUNCTION pg_temp.pid(device text, port text) RETURNS uuid LANGUAGE sql AS $$
    SELECT p.id FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id WHERE d.name = $1 AND p.name = $2 $$;
CREATE FUNCTION pg_temp.tid(cid text, side text) RETURNS uuid LANGUAGE sql AS $$
    SELECT t.id FROM mountaineer.circuit_termination t JOIN mountaineer.circuit c ON c.id = t.circuit_id
    WHERE c.cid = $1 AND t.term_side::text = $2 $$;
-- a connected cable from a to b, in one statement
CREATE FUNCTION pg_temp.cab(label text, a uuid, b uuid) RETURNS void LANGUAGE sql AS $$
    WITH c AS (INSERT INTO mountaineer.cable (label) VALUES ($1) RETURNING id)
    INSERT INTO mountaineer.cable_end (cable_id, side, port_id)
    SELECT c.id, 'a'::mountaineer.cable_side, $2 FROM c UNION ALL SELECT c.id, 'b', $3 FROM c $$;
-- a trace as text: near > far per hop, the outcome at the end
CREATE FUNCTION pg_temp.trace(start uuid) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(coalesce(nd.name, 'circuit ' || nc.cid) || ':' || np.name || ' > '
                      || coalesce(fd.name || ':' || fp.name, 'circuit ' || fc.cid || ':' || fp.name, '-')
                      || coalesce(' ' || t.outcome, ''), ', ' ORDER BY t.branch, t.hop)
    FROM mountaineer.cable_trace($1) t
    JOIN mountaineer.port np ON np.id = t.near_port LEFT JOIN mountaineer.device nd ON nd.id = t.near_device
    LEFT JOIN mountaineer.circuit_termination nt ON nt.id = t.near_port LEFT JOIN mountaineer.circuit nc ON nc.id = nt.circuit_id
    LEFT JOIN mountaineer.port fp ON fp.id = t.far_port LEFT JOIN mountaineer.device fd ON fd.id = t.far_device
    LEFT JOIN mountaineer.circuit_termination ft ON ft.id = t.far_port LEFT JOIN mountaineer.circuit fc ON fc.id = ft.circuit_id $$;

--------------------------------------------------------------------------
-- Providers, networks, types, circuits
--------------------------------------------------------------------------
INSERT INTO provider (name, account, portal_url, noc_contact) VALUES ('ct-Prov', 'ACC-1', 'https://portal.example', E'+1 555 0100\nnoc@example.net');
INSERT INTO provider (name) VALUES ('ct-Other');
SELECT throws_ok($$INSERT INTO provider (name) VALUES ('ct-Prov')$$, '23505',
    'duplicate key value violates unique constraint "provider_name_key"', 'provider names are unique');
SELECT throws_ok($$INSERT INTO provider (name, portal_url) VALUES ('ct-x', 'ftp://x')$$, '23514',
    'new row for relation "provider" violates check constraint "provider_portal_url_check"', 'a portal is http(s)');
SELECT throws_ok($$INSERT INTO provider (name, noc_contact) VALUES ('ct-x', E' \n ')$$, '23514',
    'new row for relation "provider" violates check constraint "provider_noc_contact_check"', 'a NOC contact is not blank');
INSERT INTO provider_network (provider_id, name) SELECT id, 'ct-net' FROM provider WHERE name = 'ct-Prov';
SELECT throws_ok($$INSERT INTO provider_network (provider_id, name) SELECT id, 'ct-net' FROM provider WHERE name = 'ct-Prov'$$, '23505',
    'duplicate key value violates unique constraint "provider_network_provider_id_name_key"', 'network names are unique per provider');
SELECT lives_ok($$INSERT INTO provider_network (provider_id, name) SELECT id, 'ct-net' FROM provider WHERE name = 'ct-Other'$$,
    'another provider may use the name');
INSERT INTO circuit_type (name) VALUES ('ct-wave');
SELECT throws_ok($$INSERT INTO circuit_type (name) VALUES ('ct-wave')$$, '23505',
    'duplicate key value violates unique constraint "circuit_type_name_key"', 'type names are unique');

INSERT INTO circuit (provider_id, cid, type)
SELECT p.id, c, 'ct-wave' FROM provider p, unnest(ARRAY['CT-1', 'CT-2', 'CT-3', 'CT-4', 'CT-5']) c WHERE p.name = 'ct-Prov';
SELECT is((SELECT status::text FROM circuit WHERE cid = 'CT-1'), 'active', 'a circuit is active by default');
SELECT throws_ok($$INSERT INTO circuit (provider_id, cid, type) SELECT id, 'CT-1', 'ct-wave' FROM provider WHERE name = 'ct-Prov'$$, '23505',
    'duplicate key value violates unique constraint "circuit_provider_id_cid_key"', 'a cid is unique per provider');
SELECT lives_ok($$INSERT INTO circuit (provider_id, cid, type) SELECT id, 'CT-1', 'ct-wave' FROM provider WHERE name = 'ct-Other'$$,
    'another provider may have the same cid');
SELECT throws_ok($$INSERT INTO circuit (provider_id, cid, type) SELECT id, 'CT-9', 'ct-nope' FROM provider WHERE name = 'ct-Prov'$$, '23503',
    'insert or update on table "circuit" violates foreign key constraint "circuit_type_fkey"', 'a circuit''s type exists');
SELECT throws_ok($$UPDATE circuit SET commit_kbps = -1 WHERE cid = 'CT-1'$$, '23514',
    'new row for relation "circuit" violates check constraint "circuit_commit_kbps_check"', 'a commit rate is not negative');
SELECT throws_ok($$UPDATE circuit SET install_date = '2025-01-02', termination_date = '2025-01-01' WHERE cid = 'CT-1'$$, '23514',
    'new row for relation "circuit" violates check constraint "circuit_dates_check"', 'a contract does not end before it starts');
UPDATE circuit_type SET name = 'ct-wavelength' WHERE name = 'ct-wave';
SELECT is((SELECT count(*)::int FROM circuit WHERE type = 'ct-wavelength'), 6, 'renaming a type renames it in its circuits');
SELECT throws_ok($$DELETE FROM circuit_type WHERE name = 'ct-wavelength'$$, '23503',
    'update or delete on table "circuit_type" violates foreign key constraint "circuit_type_fkey" on table "circuit"', 'a type in use stays');
SELECT throws_ok($$DELETE FROM provider WHERE name = 'ct-Prov'$$, '23503',
    'update or delete on table "provider" violates foreign key constraint "provider_network_provider_id_fkey" on table "provider_network"',
    'a provider with networks stays');

--------------------------------------------------------------------------
-- Terminations and their ports
--------------------------------------------------------------------------
INSERT INTO circuit_termination (circuit_id, term_side, site_id)
SELECT c.id, t.side::circuit_side, s.id FROM circuit c
JOIN (VALUES ('CT-1', 'A', 'ct-a'), ('CT-1', 'Z', 'ct-b'), ('CT-2', 'A', 'ct-a'), ('CT-3', 'A', 'ct-a'),
             ('CT-4', 'A', 'ct-a'), ('CT-4', 'Z', 'ct-a'), ('CT-5', 'A', 'ct-a')) t(cid, side, site) ON t.cid = c.cid
JOIN site s ON s.name = t.site JOIN provider p ON p.id = c.provider_id AND p.name = 'ct-Prov';
INSERT INTO circuit_termination (circuit_id, term_side, provider_network_id)
SELECT c.id, 'Z', n.id FROM circuit c JOIN provider p ON p.id = c.provider_id, provider_network n
WHERE c.cid IN ('CT-2', 'CT-5') AND p.name = 'ct-Prov' AND n.provider_id = p.id;
SELECT results_eq($$SELECT p.device_id IS NULL, p.name, p.kind::text, p.slug = t.slug FROM circuit_termination t JOIN port p ON p.id = t.id
                    WHERE t.id = pg_temp.tid('CT-1', 'Z')$$,
    $$VALUES (true, 'Z', 'circuit_termination', true)$$, 'a termination makes its port: same id, no device, named by its side');
SELECT throws_ok($$INSERT INTO circuit_termination (circuit_id, term_side, site_id)
                   SELECT c.id, 'A', s.id FROM circuit c, site s WHERE c.cid = 'CT-3' AND s.name = 'ct-b'
                   AND c.provider_id = (SELECT id FROM provider WHERE name = 'ct-Prov')$$, '23505',
    'duplicate key value violates unique constraint "circuit_termination_circuit_id_term_side_key"', 'a circuit has one A end');
SELECT throws_ok($$UPDATE circuit_termination SET term_side = 'A' WHERE id = pg_temp.tid('CT-1', 'Z')$$, '23505',
    'duplicate key value violates unique constraint "circuit_termination_circuit_id_term_side_key"', 'A and Z are distinct');
SELECT throws_ok($$INSERT INTO circuit_termination (circuit_id, term_side) SELECT id, 'Z' FROM circuit WHERE cid = 'CT-3'
                   AND provider_id = (SELECT id FROM provider WHERE name = 'ct-Prov')$$, '23514',
    'new row for relation "circuit_termination" violates check constraint "circuit_termination_site_or_network"', 'a termination is at a site or on a network');
SELECT throws_ok($$INSERT INTO circuit_termination (circuit_id, term_side, site_id, provider_network_id)
                   SELECT c.id, 'Z', s.id, n.id FROM circuit c, site s, provider_network n WHERE c.cid = 'CT-3' AND s.name = 'ct-a'
                   AND c.provider_id = n.provider_id AND n.provider_id = (SELECT id FROM provider WHERE name = 'ct-Prov')$$, '23514',
    'new row for relation "circuit_termination" violates check constraint "circuit_termination_site_or_network"', 'not both');
SELECT throws_ok($$INSERT INTO circuit_termination (id, circuit_id, term_side, site_id)
                   SELECT pg_temp.pid('ct-srv', 'eth1'), c.id, 'Z', s.id FROM circuit c, site s WHERE c.cid = 'CT-3' AND s.name = 'ct-a'
                   AND c.provider_id = (SELECT id FROM provider WHERE name = 'ct-Prov')$$, '23505',
    'duplicate key value violates unique constraint "port_pkey"', 'a device''s port cannot be made a termination');
SELECT throws_ok($$INSERT INTO port (device_id, name, kind) SELECT id, 'ct', 'circuit_termination' FROM device WHERE name = 'ct-srv'$$, '23514',
    'new row for relation "port" violates check constraint "port_device_given"', 'a device has no circuit_termination port');
SELECT throws_ok($$INSERT INTO port (name, kind) VALUES ('ct', 'interface')$$, '23514',
    'new row for relation "port" violates check constraint "port_device_given"', 'every other port is on a device');
SELECT throws_ok($$UPDATE port SET kind = 'interface' WHERE id = pg_temp.tid('CT-1', 'A')$$, '23514',
    'new row for relation "port" violates check constraint "port_device_given"', 'a termination''s port keeps its kind');
CREATE FUNCTION pg_temp.orphan() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mountaineer.port (name, kind) VALUES ('orphan', 'circuit_termination');
    SET CONSTRAINTS check_termination IMMEDIATE;
END $$;
SELECT throws_ok($$SELECT pg_temp.orphan()$$, '23514',
    'port "orphan" of kind circuit_termination has no circuit_termination', 'a termination port without its termination is refused at commit');
SELECT is(port_title(pg_temp.tid('CT-1', 'A')), 'termination A of circuit "CT-1" of provider "ct-Prov"', 'port_title names a termination');
SELECT is(port_title(pg_temp.pid('ct-srv', 'eth0')), 'port "eth0" of device "ct-srv"', 'port_title names a device''s port');
SELECT ok(port_kinds_compatible('circuit_termination', 'interface') AND port_kinds_compatible('rear_port', 'circuit_termination')
          AND port_kinds_compatible('circuit_termination', 'circuit_termination')
          AND NOT port_kinds_compatible('circuit_termination', 'power_port'), 'a termination is a data port');

--------------------------------------------------------------------------
-- Cabling a termination
--------------------------------------------------------------------------
SELECT pg_temp.cab('ct-c1', pg_temp.pid('ct-srv', 'eth0'), pg_temp.pid('ct-ppa', 'f1'));
SELECT pg_temp.cab('ct-c2', pg_temp.pid('ct-ppa', 'rear'), pg_temp.tid('CT-1', 'A'));
SELECT pg_temp.cab('ct-c3', pg_temp.tid('CT-1', 'Z'), pg_temp.pid('ct-ppb', 'rear'));
SELECT pg_temp.cab('ct-c4', pg_temp.pid('ct-ppb', 'f1'), pg_temp.pid('ct-rtr', 'eth0'));
SELECT throws_ok($$SELECT pg_temp.cab('ct-bad', pg_temp.pid('ct-srv', 'eth1'), pg_temp.tid('CT-1', 'A'))$$, '23505',
    'termination A of circuit "CT-1" of provider "ct-Prov" is already on cable "ct-c2"', 'a termination takes one cable');
SELECT throws_ok($$SELECT pg_temp.cab('ct-bad', pg_temp.pid('ct-srv', 'psu1'), pg_temp.tid('CT-3', 'A'))$$, '23514',
    'cable "ct-bad" cannot connect termination A of circuit "CT-3" of provider "ct-Prov" (circuit_termination) to port "psu1" of device "ct-srv" (power_port)',
    'a termination does not take power');
SELECT throws_ok($$SELECT pg_temp.cab('ct-bad', pg_temp.pid('ct-rtr', 'eth1'), pg_temp.tid('CT-3', 'A'))$$, '23514',
    'cable "ct-bad" cannot connect termination A of circuit "CT-3" of provider "ct-Prov" to port "eth1" of device "ct-rtr" at site "ct-b": they are at different sites',
    'a cable from a termination stays at its site');
SELECT throws_ok($$SELECT pg_temp.cab('ct-bad', pg_temp.tid('CT-3', 'A'), pg_temp.pid('ct-rtr', 'eth1'))$$, '23514',
    'cable "ct-bad" cannot connect port "eth1" of device "ct-rtr" to termination A of circuit "CT-3" of provider "ct-Prov" at site "ct-a": they are at different sites',
    'whichever end comes second');
SELECT throws_ok($$SELECT pg_temp.cab('ct-bad', pg_temp.pid('ct-srv', 'eth1'), pg_temp.tid('CT-2', 'Z'))$$, '23514',
    'cable "ct-bad" cannot plug into termination Z of circuit "CT-2" of provider "ct-Prov": it ends on provider network "ct-net"',
    'a termination on a provider network takes no cable');
SELECT lives_ok($$SELECT pg_temp.cab('ct-c5', pg_temp.pid('ct-loose', 'eth0'), pg_temp.tid('CT-3', 'A'))$$,
    'a device in no rack is at no site, and may be cabled to a termination');

--------------------------------------------------------------------------
-- The graph through a circuit
--------------------------------------------------------------------------
SELECT is(pg_temp.trace(pg_temp.pid('ct-srv', 'eth0')),
    'ct-srv:eth0 > ct-ppa:f1, ct-ppa:rear > circuit CT-1:A, circuit CT-1:Z > ct-ppb:rear, ct-ppb:f1 > ct-rtr:eth0 complete',
    'a trace crosses a circuit from A to Z, carrying the position through both panels');
SELECT is(pg_temp.trace(pg_temp.pid('ct-rtr', 'eth0')),
    'ct-rtr:eth0 > ct-ppb:f1, ct-ppb:rear > circuit CT-1:Z, circuit CT-1:A > ct-ppa:rear, ct-ppa:f1 > ct-srv:eth0 complete',
    'and from Z to A');
SELECT is(pg_temp.trace(pg_temp.tid('CT-1', 'A')),
    'circuit CT-1:A > ct-ppa:rear split, ct-ppa:f1 > ct-srv:eth0 complete, circuit CT-1:A > ct-ppa:rear open',
    'a trace from a termination leaves by its own cable (and splits at a rear port reached with no position)');
SELECT results_eq($$SELECT near_device IS NULL, far_device IS NULL FROM cable_trace(pg_temp.pid('ct-srv', 'eth0')) ORDER BY hop$$,
    $$VALUES (false, false), (false, true), (true, false), (false, false)$$, 'a termination is on no device: its device columns are NULL');
SELECT is(pg_temp.trace(pg_temp.pid('ct-loose', 'eth0')), 'ct-loose:eth0 > circuit CT-3:A open',
    'a circuit with no other end ends the branch open');
INSERT INTO circuit_termination (circuit_id, term_side, site_id)
SELECT c.id, 'Z', s.id FROM circuit c JOIN provider p ON p.id = c.provider_id, site s WHERE c.cid = 'CT-3' AND p.name = 'ct-Prov' AND s.name = 'ct-b';
SELECT is(pg_temp.trace(pg_temp.pid('ct-loose', 'eth0')), 'ct-loose:eth0 > circuit CT-3:A open',
    'so does an other end with no cable');
SELECT pg_temp.cab('ct-c6', pg_temp.pid('ct-srv2', 'eth0'), pg_temp.tid('CT-2', 'A'));
SELECT is(pg_temp.trace(pg_temp.pid('ct-srv2', 'eth0')), 'ct-srv2:eth0 > circuit CT-2:A complete',
    'a circuit into a provider network completes the path at its termination');
-- CT-4 leaves ct-ppl's rear and comes back into its second front port: the
-- signal would enter the rear port it is already inside
SELECT pg_temp.cab('ct-c7', pg_temp.pid('ct-srv2', 'eth1'), pg_temp.pid('ct-ppl', 'f1'));
SELECT pg_temp.cab('ct-c8', pg_temp.pid('ct-ppl', 'rear'), pg_temp.tid('CT-4', 'A'));
SELECT pg_temp.cab('ct-c9', pg_temp.tid('CT-4', 'Z'), pg_temp.pid('ct-ppl', 'f2'));
SELECT is(pg_temp.trace(pg_temp.pid('ct-srv2', 'eth1')),
    'ct-srv2:eth1 > ct-ppl:f1, ct-ppl:rear > circuit CT-4:A, circuit CT-4:Z > ct-ppl:f2 loop', 'a loop through a circuit is reported');
SELECT results_eq($$SELECT p #>> '{branches,0,hops,1,to,circuit,cid}', p #>> '{branches,0,hops,1,to,circuit,term_side}',
                           p #>> '{branches,0,hops,1,to,circuit,site}', p #>> '{branches,0,hops,2,from,circuit,site}',
                           p #> '{branches,0,hops,1,to}' ? 'device', p #>> '{branches,0,hops,1,to,device}' IS NULL, p ->> 'status'
                    FROM cable_path(pg_temp.pid('ct-srv', 'eth0')) p$$,
    $$VALUES ('CT-1', 'A', 'ct-a', 'ct-b', true, true, 'complete')$$, 'cable_path shows a termination with its circuit');
SELECT is((SELECT cable_path(pg_temp.pid('ct-srv2', 'eth0')) #>> '{destinations,0,circuit,cid}'), 'CT-2',
    'a path into a provider network has the termination as its destination');
SELECT results_eq($$SELECT d.name FROM impact((SELECT id FROM device WHERE name = 'ct-ppa')) i JOIN device d ON d.id = i.device_id ORDER BY 1$$,
    $$VALUES ('ct-rtr'::text), ('ct-srv')$$, 'impact crosses a circuit: the panel at one end cuts off the router at the other');
SELECT results_eq($$SELECT d.name FROM impact((SELECT id FROM device WHERE name = 'ct-srv')) i JOIN device d ON d.id = i.device_id$$,
    $$VALUES ('ct-rtr'::text)$$, 'the server at one end takes the router at the other with it');
SELECT is((SELECT count(*)::int FROM impact((SELECT id FROM device WHERE name = 'ct-srv2'))), 0,
    'a server whose paths end in a provider network or loop takes nothing down');
SELECT matches(topology_dot((SELECT id FROM site WHERE name = 'ct-a'))::text,
    '"CT-1 A\\ncircuit ct-a", shape=circle\].*" -- "[^"]+" \[label="CT-1 \(ct-wavelength\)", style=bold\]',
    'topology_dot draws a termination and its circuit');

--------------------------------------------------------------------------
-- Deleting and moving
--------------------------------------------------------------------------
SELECT throws_ok($$DELETE FROM circuit WHERE cid = 'CT-1' AND provider_id = (SELECT id FROM provider WHERE name = 'ct-Prov')$$, '23503',
    'termination A of circuit "CT-1" of provider "ct-Prov" cannot be deleted: it is on cable "ct-c2"', 'a circuit with a cabled end stays');
SELECT throws_ok($$DELETE FROM circuit_termination WHERE id = pg_temp.tid('CT-1', 'A')$$, '23503',
    'termination A of circuit "CT-1" of provider "ct-Prov" cannot be deleted: it is on cable "ct-c2"', 'a cabled termination stays');
SELECT throws_ok($$DELETE FROM port WHERE id = pg_temp.tid('CT-1', 'Z')$$, '23503',
    'termination Z of circuit "CT-1" of provider "ct-Prov" cannot be deleted: it is on cable "ct-c3"', 'so does a cabled termination''s port');
SELECT throws_ok($$UPDATE circuit_termination SET site_id = (SELECT id FROM site WHERE name = 'ct-a') WHERE id = pg_temp.tid('CT-1', 'Z')$$, '23514',
    'termination Z of circuit "CT-1" of provider "ct-Prov" cannot move to another site or network: it is on cable "ct-c3"', 'a cabled termination stays at its site');
SELECT lives_ok($$UPDATE circuit_termination SET site_id = NULL, provider_network_id = (SELECT n.id FROM provider_network n JOIN provider p ON p.id = n.provider_id WHERE p.name = 'ct-Prov')
                  WHERE id = pg_temp.tid('CT-3', 'Z')$$, 'an uncabled one may move');
DELETE FROM circuit_termination WHERE id = pg_temp.tid('CT-3', 'Z');
SELECT is((SELECT count(*)::int FROM port WHERE kind = 'circuit_termination' AND name = 'Z' AND id NOT IN (SELECT id FROM circuit_termination)), 0,
    'deleting a termination deletes its port');
DELETE FROM port WHERE id = pg_temp.tid('CT-5', 'A');
SELECT is((SELECT count(*)::int FROM circuit_termination t JOIN circuit c ON c.id = t.circuit_id WHERE c.cid = 'CT-5' AND t.term_side = 'A'), 0,
    'deleting a termination''s port deletes the termination');
DELETE FROM cable WHERE label IN ('ct-c2', 'ct-c3');
DELETE FROM circuit WHERE cid = 'CT-1' AND provider_id = (SELECT id FROM provider WHERE name = 'ct-Prov');
SELECT is((SELECT count(*)::int FROM port p WHERE p.device_id IS NULL AND NOT EXISTS (SELECT FROM circuit_termination t WHERE t.id = p.id)), 0,
    'deleting a circuit deletes its terminations and their ports');

SELECT * FROM finish();
ROLLBACK;
