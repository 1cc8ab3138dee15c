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
