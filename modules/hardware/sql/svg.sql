-- rack_elevation_svg (1.4): the rack as an SVG drawing, exact for a small
-- rack: units numbered (top-down when descending), a full-depth device on
-- both faces, half-depth ones on their own face, zero-U devices beside,
-- names XML-escaped; P0002 for an unknown rack.  Also the media-type
-- domains, topology_dot's "text/plain" and the BI view device_summary.
-- modules/hardware/test/svg.sh checks the drawings with xmllint.
SET client_min_messages = warning;
INSERT INTO mountaineer.site (name) VALUES ('svg <lab> & "co"');
INSERT INTO mountaineer.rack (site_id, name, units)
SELECT id, 'R''1', 4 FROM mountaineer.site WHERE name = 'svg <lab> & "co"';
INSERT INTO mountaineer.rack (site_id, name, units, descending)
SELECT id, 'down', 3, true FROM mountaineer.site WHERE name = 'svg <lab> & "co"';
INSERT INTO mountaineer.device (kind, name, units, draw_watts, rack_id, position)
SELECT k::mountaineer.device_kind, n, u, w, r.id, p::mountaineer.rackspan
FROM mountaineer.rack r,
     (VALUES ('server', 'db<1> & "x"', 2, 400, 'U1-U2'),
             ('patch_panel', 'svg-pp', 1, NULL, 'U4/front'),
             ('other', 'svg-console', 1, 20, 'U4/rear'),
             ('pdu', 'svg-pdu-b', 0, 10, NULL),
             ('pdu', 'svg-pdu-a', 0, 10, NULL)) d(k, n, u, w, p)
WHERE r.name = 'R''1';
INSERT INTO mountaineer.device (kind, name, units, rack_id, position)
SELECT 'network', 'svg-tor', 1, id, 'U1' FROM mountaineer.rack WHERE name = 'down';
\pset format unaligned
\pset tuples_only on
SELECT mountaineer.rack_elevation_svg(id) FROM mountaineer.rack WHERE name = 'R''1';
-- descending: U1 (the bottom) is labelled 3; no zero-U device
SELECT mountaineer.rack_elevation_svg(id) FROM mountaineer.rack WHERE name = 'down';
\pset tuples_only off
\pset format aligned
SELECT pg_typeof(mountaineer.rack_elevation_svg(id)) FROM mountaineer.rack WHERE name = 'down';
SELECT mountaineer.rack_elevation_svg(NULL) IS NULL AS null_in_null_out;
SELECT mountaineer.rack_elevation_svg('00000000-0000-0000-0000-000000000000');
SELECT mountaineer.xml_escape(E'a<b & "c" \'d\' >');
-- topology_dot is text/plain, and text to SQL
SELECT pg_typeof(mountaineer.topology_dot(id)), mountaineer.topology_dot(id) LIKE 'graph %' AS dot
FROM mountaineer.site WHERE name = 'svg <lab> & "co"';
SELECT t.typname, format_type(t.typbasetype, NULL) AS base, obj_description(t.oid, 'pg_type') IS NOT NULL AS commented
FROM pg_type t WHERE t.typnamespace = 'mountaineer'::regnamespace AND t.typtype = 'd'
 AND t.typname IN ('image/svg+xml', 'text/plain') ORDER BY 1;
-- devices by site and kind (the unracked ones at no site)
INSERT INTO mountaineer.device (kind, name, units, draw_watts) VALUES ('server', 'svg-spare', 2, 300);
SELECT * FROM mountaineer.device_summary WHERE site = 'svg <lab> & "co"' ORDER BY kind;
SELECT devices >= 1 AND units >= 2 AND draw_watts >= 300 AS unracked_counted
FROM mountaineer.device_summary WHERE site IS NULL AND kind = 'server';
DELETE FROM mountaineer.device WHERE name LIKE 'svg-%' OR name = 'db<1> & "x"';
DELETE FROM mountaineer.rack WHERE name IN ('R''1', 'down');
DELETE FROM mountaineer.site WHERE name = 'svg <lab> & "co"';
