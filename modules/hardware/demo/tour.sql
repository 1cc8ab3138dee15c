-- mountaineer_hardware: racks, placement, power.
\pset footer off
-- What is in rack A01, in unit order?
SELECT first_unit, last_unit, face, device, kind FROM mountaineer.rack_device WHERE rack = 'A01';
-- Its elevation, top units: a full-depth device shows on both faces.
SELECT * FROM mountaineer.rack_elevation((SELECT id FROM mountaineer.rack WHERE name = 'A01')) WHERE unit >= 38;
-- Where does a new 2U server fit, and what runs are free for a half-depth rear device?
SELECT mountaineer.rack_first_fit((SELECT id FROM mountaineer.rack WHERE name = 'A01'), 2) AS first_fit_2u;
SELECT * FROM mountaineer.rack_free((SELECT id FROM mountaineer.rack WHERE name = 'A01'), 'rear');
-- Two devices cannot collide: the EXCLUDE constraint refuses it.
\set ON_ERROR_STOP off
INSERT INTO mountaineer.device (kind, name, units, rack_id, position)
SELECT 'server', 'oops', 2, id, 'U8-U9' FROM mountaineer.rack WHERE name = 'A01';
\set ON_ERROR_STOP on
-- Power and space per rack.
SELECT rack, capacity_watts, allocated_watts, unallocated_watts FROM mountaineer.rack_power ORDER BY site, rack;
SELECT site, rack, units, used_units, free_units, percent FROM mountaineer.rack_utilization ORDER BY site, rack;
-- Every change is logged with who made it; as_of() shows a row as it stood.
SET mountaineer.actor = 'alice';
UPDATE mountaineer.device SET draw_watts = 500 WHERE name = 'a01-c01';
SELECT actor, op, before, after ->> 'draw_watts' AS draw_after
FROM mountaineer.history('mountaineer.device', (SELECT id FROM mountaineer.device WHERE name = 'a01-c01'))
WHERE op = 'update';
SELECT mountaineer.as_of('mountaineer.device', h.row_id, h.at - interval '1 microsecond') ->> 'draw_watts' AS draw_just_before
FROM mountaineer.history('mountaineer.device', (SELECT id FROM mountaineer.device WHERE name = 'a01-c01')) h
WHERE h.op = 'update';
SELECT p.id AS eth0 FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
WHERE d.name = 'a01-c03' AND p.name = 'eth0' \gset
SELECT p.id AS psu1 FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
WHERE d.name = 'a01-c03' AND p.name = 'psu1' \gset
-- Cabling: where does a01-c03's eth0 go?  Through its rack's panel, the trunk
-- to A02 (carrying position 3) and A02's twin panel, to the switch.
SELECT t.hop, nd.name || ':' || np.name AS near, c.label AS cable, fd.name || ':' || fp.name AS far, t.outcome
FROM mountaineer.cable_trace(:'eth0') t
JOIN mountaineer.device nd ON nd.id = t.near_device JOIN mountaineer.port np ON np.id = t.near_port
JOIN mountaineer.cable c ON c.id = t.cable_id
JOIN mountaineer.device fd ON fd.id = t.far_device JOIN mountaineer.port fp ON fp.id = t.far_port
ORDER BY t.branch, t.hop;
-- The same as one document, for an API: status and destination.
SELECT p ->> 'status' AS status, p -> 'destinations' -> 0 ->> 'device' AS device, p -> 'destinations' -> 0 ->> 'port' AS port
FROM mountaineer.cable_path(:'eth0') p;
-- Its power, upstream: the A PDU, then the room's power panel.
SELECT t.hop, nd.name || ':' || np.name AS near, c.label AS cable, fd.name || ':' || fp.name AS far, t.outcome
FROM mountaineer.power_trace(:'psu1') t
JOIN mountaineer.device nd ON nd.id = t.near_device JOIN mountaineer.port np ON np.id = t.near_port
JOIN mountaineer.cable c ON c.id = t.cable_id
JOIN mountaineer.device fd ON fd.id = t.far_device JOIN mountaineer.port fp ON fp.id = t.far_port;
-- What goes down with a02-tor?  Every server (each has one data path), and
-- the leaf switches whose only link is their uplink.  Servers fed by A and B
-- PDUs survive either PDU alone: impact of a01-pdu-a is empty.
SELECT i.depth, d.kind, count(*) AS devices, min(d.name) AS first, max(d.name) AS last
FROM mountaineer.impact((SELECT id FROM mountaineer.device WHERE name = 'a02-tor')) i
JOIN mountaineer.device d ON d.id = i.device_id GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) AS down_with_a01_pdu_a FROM mountaineer.impact((SELECT id FROM mountaineer.device WHERE name = 'a01-pdu-a'));
-- The site as a Graphviz graph (pipe it into dot -Tsvg); its first lines:
SELECT line FROM regexp_split_to_table(mountaineer.topology_dot((SELECT id FROM mountaineer.site WHERE name = 'ams1')), E'\n')
     WITH ORDINALITY AS l(line, n) WHERE n <= 6 ORDER BY n;
-- Device types (1.5): each model, its ports, and the devices of it.
SELECT m.name AS manufacturer, t.model, t.kind, t.units, t.full_depth,
       (SELECT count(*) FROM mountaineer.port_template p WHERE p.device_type_id = t.id) AS ports,
       (SELECT count(*) FROM mountaineer.device d WHERE d.device_type_id = t.id) AS devices
FROM mountaineer.device_type t JOIN mountaineer.manufacturer m ON m.id = t.manufacturer_id ORDER BY 1, 2;
