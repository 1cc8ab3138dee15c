-- Exact output of the cable graph through a circuit (1.5):
--   srv eth0 → ppa front1 → ppa rear ═ XC-A ═ circuit WAVE-1 A … Z ═ XC-Z ═ ppz rear → ppz front1 → rtr et0
--   srv eth1 ═ circuit IP-1 A … Z on the provider's network
SET search_path = mountaineer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO site (id, name) VALUES
  ('c1000000-0000-0000-0000-000000000001', 'lab-circuit-a'),
  ('c1000000-0000-0000-0000-000000000002', 'lab-circuit-z');
INSERT INTO rack (id, site_id, name, units) VALUES
  ('c1000000-0000-0000-0000-000000000003', 'c1000000-0000-0000-0000-000000000001', 'KA', 10),
  ('c1000000-0000-0000-0000-000000000004', 'c1000000-0000-0000-0000-000000000002', 'KZ', 10);
INSERT INTO device (id, kind, name, units, rack_id, position) VALUES
  ('c1000000-0000-0000-0000-0000000000d1', 'server', 'cx-srv', 1, 'c1000000-0000-0000-0000-000000000003', 'U1'),
  ('c1000000-0000-0000-0000-0000000000d2', 'patch_panel', 'cx-ppa', 1, 'c1000000-0000-0000-0000-000000000003', 'U10'),
  ('c1000000-0000-0000-0000-0000000000d3', 'patch_panel', 'cx-ppz', 1, 'c1000000-0000-0000-0000-000000000004', 'U10'),
  ('c1000000-0000-0000-0000-0000000000d4', 'network', 'cx-rtr', 1, 'c1000000-0000-0000-0000-000000000004', 'U1');
INSERT INTO port (id, device_id, name, kind, positions, rear_port_id, rear_port_position) VALUES
  ('c1000000-0000-0000-0000-0000000000a1', 'c1000000-0000-0000-0000-0000000000d1', 'eth0', 'interface', 1, NULL, NULL),
  ('c1000000-0000-0000-0000-0000000000a2', 'c1000000-0000-0000-0000-0000000000d1', 'eth1', 'interface', 1, NULL, NULL),
  ('c1000000-0000-0000-0000-0000000000b0', 'c1000000-0000-0000-0000-0000000000d2', 'rear', 'rear_port', 1, NULL, NULL),
  ('c1000000-0000-0000-0000-0000000000b1', 'c1000000-0000-0000-0000-0000000000d2', 'front1', 'front_port', 1, 'c1000000-0000-0000-0000-0000000000b0', 1),
  ('c1000000-0000-0000-0000-0000000000c0', 'c1000000-0000-0000-0000-0000000000d3', 'rear', 'rear_port', 1, NULL, NULL),
  ('c1000000-0000-0000-0000-0000000000c1', 'c1000000-0000-0000-0000-0000000000d3', 'front1', 'front_port', 1, 'c1000000-0000-0000-0000-0000000000c0', 1),
  ('c1000000-0000-0000-0000-0000000000e1', 'c1000000-0000-0000-0000-0000000000d4', 'et0', 'interface', 1, NULL, NULL);

INSERT INTO provider (id, name, account) VALUES ('c1000000-0000-0000-0000-000000000010', 'cx-Carrier', 'ACC-77');
INSERT INTO provider_network (id, provider_id, name) VALUES
  ('c1000000-0000-0000-0000-000000000011', 'c1000000-0000-0000-0000-000000000010', 'cx-Internet');
INSERT INTO circuit_type (name) VALUES ('cx-wave'), ('cx-transit');
INSERT INTO circuit (id, provider_id, cid, type, commit_kbps) VALUES
  ('c1000000-0000-0000-0000-000000000020', 'c1000000-0000-0000-0000-000000000010', 'WAVE-1', 'cx-wave', 10000000),
  ('c1000000-0000-0000-0000-000000000021', 'c1000000-0000-0000-0000-000000000010', 'IP-1', 'cx-transit', 1000000);
INSERT INTO circuit_termination (id, circuit_id, term_side, site_id, provider_network_id) VALUES
  ('c1000000-0000-0000-0000-0000000000fa', 'c1000000-0000-0000-0000-000000000020', 'A', 'c1000000-0000-0000-0000-000000000001', NULL),
  ('c1000000-0000-0000-0000-0000000000fb', 'c1000000-0000-0000-0000-000000000020', 'Z', 'c1000000-0000-0000-0000-000000000002', NULL),
  ('c1000000-0000-0000-0000-0000000000fc', 'c1000000-0000-0000-0000-000000000021', 'A', 'c1000000-0000-0000-0000-000000000001', NULL),
  ('c1000000-0000-0000-0000-0000000000fd', 'c1000000-0000-0000-0000-000000000021', 'Z', NULL, 'c1000000-0000-0000-0000-000000000011');
-- each termination made its port
SELECT p.id, p.name, p.kind, p.device_id, t.slug = p.slug AS same_slug
FROM port p JOIN circuit_termination t ON t.id = p.id WHERE p.id::text LIKE 'c1000000-%' ORDER BY p.id;

BEGIN;
INSERT INTO cable (id, label, type) VALUES
  ('c1000000-0000-0000-0000-000000000c01', 'CX-D1', 'smf'),
  ('c1000000-0000-0000-0000-000000000c02', 'CX-XA', 'smf'),
  ('c1000000-0000-0000-0000-000000000c03', 'CX-XZ', 'smf'),
  ('c1000000-0000-0000-0000-000000000c04', 'CX-R1', 'smf'),
  ('c1000000-0000-0000-0000-000000000c05', 'CX-IP', 'smf');
INSERT INTO cable_end (cable_id, side, port_id) VALUES
  ('c1000000-0000-0000-0000-000000000c01', 'a', 'c1000000-0000-0000-0000-0000000000a1'),
  ('c1000000-0000-0000-0000-000000000c01', 'b', 'c1000000-0000-0000-0000-0000000000b1'),
  ('c1000000-0000-0000-0000-000000000c02', 'a', 'c1000000-0000-0000-0000-0000000000b0'),
  ('c1000000-0000-0000-0000-000000000c02', 'b', 'c1000000-0000-0000-0000-0000000000fa'),
  ('c1000000-0000-0000-0000-000000000c03', 'a', 'c1000000-0000-0000-0000-0000000000fb'),
  ('c1000000-0000-0000-0000-000000000c03', 'b', 'c1000000-0000-0000-0000-0000000000c0'),
  ('c1000000-0000-0000-0000-000000000c04', 'a', 'c1000000-0000-0000-0000-0000000000c1'),
  ('c1000000-0000-0000-0000-000000000c04', 'b', 'c1000000-0000-0000-0000-0000000000e1'),
  ('c1000000-0000-0000-0000-000000000c05', 'a', 'c1000000-0000-0000-0000-0000000000a2'),
  ('c1000000-0000-0000-0000-000000000c05', 'b', 'c1000000-0000-0000-0000-0000000000fc');
COMMIT;

-- the trace through the circuit, row by row: the hops that leave or enter a
-- termination have no device
SELECT * FROM cable_trace('c1000000-0000-0000-0000-0000000000a1');
-- and back
SELECT branch, hop, near_port, far_port, outcome FROM cable_trace('c1000000-0000-0000-0000-0000000000e1');
-- as one document
SELECT jsonb_pretty(cable_path('c1000000-0000-0000-0000-0000000000a1'));
-- into the provider's network: complete at the termination
SELECT * FROM cable_trace('c1000000-0000-0000-0000-0000000000a2');
SELECT jsonb_pretty(cable_path('c1000000-0000-0000-0000-0000000000a2') -> 'destinations');
-- the panel at one end cuts the router at the other off; the server keeps its transit
SELECT * FROM impact('c1000000-0000-0000-0000-0000000000d2');
SELECT * FROM impact('c1000000-0000-0000-0000-0000000000d4');
-- the site's drawing: the termination as a circle, the circuit as a bold edge
SELECT topology_dot('c1000000-0000-0000-0000-000000000001');

-- refusals
INSERT INTO cable (id, label, status) VALUES ('c1000000-0000-0000-0000-000000000c06', 'CX-BAD', 'planned');
INSERT INTO cable_end (cable_id, side, port_id) VALUES
  ('c1000000-0000-0000-0000-000000000c06', 'a', 'c1000000-0000-0000-0000-0000000000fd');
INSERT INTO cable_end (cable_id, side, port_id) VALUES
  ('c1000000-0000-0000-0000-000000000c06', 'a', 'c1000000-0000-0000-0000-0000000000fa');
BEGIN;
INSERT INTO cable_end (cable_id, side, port_id) VALUES
  ('c1000000-0000-0000-0000-000000000c06', 'a', 'c1000000-0000-0000-0000-0000000000e1');
ROLLBACK;
DELETE FROM circuit WHERE id = 'c1000000-0000-0000-0000-000000000020';
DELETE FROM circuit_termination WHERE id = 'c1000000-0000-0000-0000-0000000000fb';
UPDATE circuit_termination SET site_id = 'c1000000-0000-0000-0000-000000000002' WHERE id = 'c1000000-0000-0000-0000-0000000000fc';

-- clean up: cables first, then a circuit takes its terminations and their ports along
DELETE FROM cable WHERE id::text LIKE 'c1000000-%';
DELETE FROM circuit WHERE id::text LIKE 'c1000000-%';
SELECT count(*) AS termination_ports_left FROM port WHERE id::text LIKE 'c1000000-%' AND device_id IS NULL;
DELETE FROM circuit_type WHERE name LIKE 'cx-%';
DELETE FROM provider_network WHERE id::text LIKE 'c1000000-%';
DELETE FROM provider WHERE id::text LIKE 'c1000000-%';
DELETE FROM device WHERE id::text LIKE 'c1000000-%';
DELETE FROM rack WHERE id::text LIKE 'c1000000-%';
DELETE FROM site WHERE id::text LIKE 'c1000000-%';
