-- mountaineer_hardware 1.3 -> 1.4: what the REST API (issue 14) needs of it:
-- rack_elevation_svg() (the rack as an SVG drawing), the domains
-- "image/svg+xml" and "text/plain" that PostgREST serves with their media
-- type, topology_dot() returning "text/plain", the view device_summary for
-- BI tools, and a COMMENT on every column
-- (PostgREST's OpenAPI document is made of them).  Needs nothing newer of
-- the core.
\echo Use "ALTER EXTENSION mountaineer_hardware UPDATE TO '1.4'" to load this file. \quit

-- == media types (1.4) ==
-- Domains named after a media type: PostgREST 12 serves the result of a
-- function returning one with that Content-Type (its "media type
-- handlers"), when the request accepts it.  In SQL they are text.
CREATE DOMAIN mountaineer."image/svg+xml" AS text;
COMMENT ON DOMAIN mountaineer."image/svg+xml" IS
    'An SVG document (text). Named after its media type, so that PostgREST serves a function returning it with Content-Type: image/svg+xml (request it with Accept: image/svg+xml).';
CREATE DOMAIN mountaineer."text/plain" AS text;
COMMENT ON DOMAIN mountaineer."text/plain" IS
    'Plain text. Named after its media type, so that PostgREST serves a function returning it with Content-Type: text/plain (request it with Accept: text/plain).';

-- == rack elevation as SVG (1.4) ==
CREATE FUNCTION mountaineer.xml_escape(s text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT replace(replace(replace(replace(replace(s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&apos;')
$$;
COMMENT ON FUNCTION mountaineer.xml_escape(text) IS
    'A string escaped for XML text and attribute values (& < > " and '' as entities).';

-- A name as a box shows it: at most 26 characters (what 160 pixels hold at
-- 11 pixels), a longer one cut to 25 and an ellipsis; the box's tooltip
-- (its <title>) has the whole name.
CREATE FUNCTION mountaineer.svg_label(name text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN char_length($1) > 26 THEN left($1, 25) || '…' ELSE $1 END
$$;
COMMENT ON FUNCTION mountaineer.svg_label(text) IS
    'A name as rack_elevation_svg labels a box with it: at most 26 characters, a longer one cut to 25 and an ellipsis (the box''s tooltip has the whole name).';

-- The drawing: a heading, then the rack's front and rear side by side, each
-- unit a slot with its label on the rail (rack_elevation(): top-down when
-- the rack is descending), each device a box over the units it takes on the
-- faces it takes (a full-depth device on both, a half-depth one on its own
-- face), filled by kind; beside them the zero-U devices and a key to the
-- colours.  Devices come from rack_elevation() too: a name is unique in a
-- rack, so a device's units on a face are the units showing its name there.
-- Every name is escaped (xml_escape).  Geometry in pixels: a unit is 20
-- high, a face 160 wide.
CREATE FUNCTION mountaineer.rack_elevation_svg(rack_id uuid) RETURNS mountaineer."image/svg+xml"
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT mountaineer.rack_units_of($1);   -- P0002 for an unknown rack
    WITH rack AS (
        SELECT r.id, r.name, r.units, r.descending, s.name AS site,
               20 AS uh, 160 AS cw, 52 AS top,   -- unit height, face width, y of the top unit
               38 AS fx, 242 AS rx, 418 AS sx    -- x of the front face, the rear face, the side panel
        FROM mountaineer.rack r JOIN mountaineer.site s ON s.id = r.site_id
        WHERE r.id = $1
    ), colour (kind, fill) AS (
        VALUES ('server', '#a6c8ff'), ('network', '#b5e3a1'), ('pdu', '#f7a8a8'),
               ('patch_panel', '#f9e79f'), ('power_panel', '#f8c291'), ('other', '#d5d5d5')
    ), unit AS (
        SELECT e.unit, e.label, e.front, e.rear FROM mountaineer.rack_elevation($1) e
    ), face (face, x) AS (
        SELECT 'front', rack.fx FROM rack UNION ALL SELECT 'rear', rack.rx FROM rack
    ), box AS (   -- each device on each face it takes, over its units
        SELECT f.face, f.x, b.name, mountaineer.svg_label(b.name) AS label, b.lo, b.hi, d.kind::text AS kind, d.position
        FROM face f
        CROSS JOIN LATERAL (
            SELECT CASE f.face WHEN 'front' THEN u.front ELSE u.rear END AS name, min(u.unit) AS lo, max(u.unit) AS hi
            FROM unit u GROUP BY 1
        ) b
        JOIN mountaineer.device d ON d.rack_id = $1 AND d.name = b.name
    ), zero_u AS (
        SELECT d.name, mountaineer.svg_label(d.name) AS label, d.kind::text AS kind, row_number() OVER (ORDER BY d.name, d.id) AS n
        FROM mountaineer.device d WHERE d.rack_id = $1 AND d.position IS NULL
    ), kinds AS (
        SELECT c.kind, c.fill, row_number() OVER (ORDER BY c.kind) AS n
        FROM colour c
        WHERE c.kind IN (SELECT b.kind FROM box b UNION SELECT z.kind FROM zero_u z)
    ), side AS (   -- the side panel: zero-U devices, then the key
        SELECT (SELECT count(*) FROM zero_u) AS zn
    )
    SELECT format(E'<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %1$s %2$s" font-family="sans-serif" font-size="11">\n',
                  rack.sx + 170,
                  greatest(rack.top + rack.units * rack.uh, rack.top + (greatest(side.zn, 1) + (SELECT count(*) FROM kinds) + 3) * 16) + 10)
        || format(E'<title>Rack %s at %s</title>\n', mountaineer.xml_escape(rack.name), mountaineer.xml_escape(rack.site))
        || format(E'<text x="10" y="20" font-size="14" font-weight="bold">Rack %s at %s, %s U%s</text>\n',
                  mountaineer.xml_escape(rack.name), mountaineer.xml_escape(rack.site), rack.units,
                  CASE WHEN rack.descending THEN ', numbered top-down' ELSE '' END)
        || (SELECT string_agg(format(E'<text x="%s" y="%s" text-anchor="middle" font-weight="bold">%s</text>\n',
                                     f.x + rack.cw / 2, rack.top - 8, initcap(f.face)), '' ORDER BY f.x)
              FROM face f)
        -- the units: a slot per unit and face, its label on the rail to its left
        || (SELECT string_agg(format(E'<rect x="%s" y="%s" width="%s" height="%s" fill="#ffffff" stroke="#cccccc"/><text x="%s" y="%s" text-anchor="end" dominant-baseline="central" fill="#666666">%s</text>\n',
                                     f.x, rack.top + (rack.units - u.unit) * rack.uh, rack.cw, rack.uh,
                                     f.x - 4, rack.top + (rack.units - u.unit) * rack.uh + rack.uh / 2, u.label),
                              '' ORDER BY f.x, u.unit DESC)
              FROM face f CROSS JOIN unit u)
        -- the devices
        || coalesce((SELECT string_agg(format(E'<g><title>%s (%s) %s</title><rect x="%s" y="%s" width="%s" height="%s" rx="2" fill="%s" stroke="#333333"/><text x="%s" y="%s" text-anchor="middle" dominant-baseline="central">%s</text></g>\n',
                                              mountaineer.xml_escape(b.name), b.kind, b.position,
                                              b.x + 1, rack.top + (rack.units - b.hi) * rack.uh + 1, rack.cw - 2,
                                              (b.hi - b.lo + 1) * rack.uh - 2, c.fill,
                                              b.x + rack.cw / 2, rack.top + (rack.units - b.hi) * rack.uh + (b.hi - b.lo + 1) * rack.uh / 2,
                                              mountaineer.xml_escape(b.label)),
                                       '' ORDER BY b.x, b.hi DESC)
                       FROM box b JOIN colour c ON c.kind = b.kind), '')
        -- beside the rack: the zero-U devices, then the key to the colours
        || format(E'<text x="%s" y="%s" font-weight="bold">Zero-U</text>\n', rack.sx, rack.top + 12)
        || coalesce((SELECT string_agg(format(E'<g><title>%s (%s)</title><rect x="%s" y="%s" width="10" height="10" fill="%s" stroke="#333333"/><text x="%s" y="%s">%s</text></g>\n',
                                              mountaineer.xml_escape(z.name), z.kind, rack.sx, rack.top + 16 * z.n + 3, c.fill,
                                              rack.sx + 14, rack.top + 16 * z.n + 12, mountaineer.xml_escape(z.label)),
                                       '' ORDER BY z.n)
                       FROM zero_u z JOIN colour c ON c.kind = z.kind),
                    format(E'<text x="%s" y="%s" fill="#666666">none</text>\n', rack.sx, rack.top + 28))
        || format(E'<text x="%s" y="%s" font-weight="bold">Kinds</text>\n', rack.sx, rack.top + 16 * (greatest(side.zn, 1) + 2) + 12)
        || coalesce((SELECT string_agg(format(E'<rect x="%s" y="%s" width="10" height="10" fill="%s" stroke="#333333"/><text x="%s" y="%s">%s</text>\n',
                                              rack.sx, rack.top + 16 * (greatest(side.zn, 1) + 2 + k.n) + 3, k.fill,
                                              rack.sx + 14, rack.top + 16 * (greatest(side.zn, 1) + 2 + k.n) + 12, k.kind),
                                       '' ORDER BY k.n)
                       FROM kinds k), '')
        || E'</svg>\n'
    FROM rack, side
$$;
COMMENT ON FUNCTION mountaineer.rack_elevation_svg(uuid) IS
    'The rack drawn as an SVG document: front and rear side by side, units numbered on the rail (top-down when the rack is descending), each device a box labelled with its name over the units it takes, on both faces when full depth and on its own face when half depth, filled by kind; zero-U devices and a key to the colours beside it. Through PostgREST: GET /rpc/rack_elevation_svg?rack_id=… with Accept: image/svg+xml. P0002 for an unknown rack.';
GRANT EXECUTE ON FUNCTION mountaineer.rack_elevation_svg(uuid) TO mountaineer_reader;

-- == topology_dot returns "text/plain" (1.4) ==
-- A function's result type cannot change in place, so it is dropped and made
-- again.  Plain DROP: if a view (or other object) of yours depends on it,
-- the update stops (2BP01) naming it; drop that first and make it again
-- afterwards.  Its comment is set again, and its grants carried over: the
-- ACL is kept in a setting of this transaction across the DROP.
SELECT pg_catalog.set_config('mountaineer.upgrade_acl',
    coalesce((SELECT p.proacl::text FROM pg_catalog.pg_proc p
               WHERE p.oid = 'mountaineer.topology_dot(uuid, boolean)'::regprocedure), ''), true);
DROP FUNCTION mountaineer.topology_dot(uuid, boolean);
CREATE FUNCTION mountaineer.topology_dot(site_id uuid, include_planned boolean DEFAULT false) RETURNS mountaineer."text/plain"
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    site_name text;
    body      text;
BEGIN
    SELECT s.name INTO site_name FROM mountaineer.site s WHERE s.id = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no site with id %', $1 USING ERRCODE = 'no_data_found';
    END IF;
    WITH here AS (
        SELECT d.id FROM mountaineer.device d JOIN mountaineer.rack r ON r.id = d.rack_id WHERE r.site_id = $1
    ), edge AS (
        -- every pair of ends on opposite sides of a cable touching the site
        SELECT c.id AS cable_id, coalesce(c.label, c.slug) AS cable, c.type, c.status,
               pa.device_id AS a_dev, pa.name AS a_port, pb.device_id AS b_dev, pb.name AS b_port
        FROM mountaineer.cable c
        JOIN mountaineer.cable_end ea ON ea.cable_id = c.id AND ea.side = 'a'
        JOIN mountaineer.cable_end eb ON eb.cable_id = c.id AND eb.side = 'b'
        JOIN mountaineer.port pa ON pa.id = ea.port_id
        JOIN mountaineer.port pb ON pb.id = eb.port_id
        WHERE (c.status = 'connected' OR $2)
          AND c.id IN (SELECT e.cable_id FROM mountaineer.cable_end e
                       JOIN mountaineer.port p ON p.id = e.port_id
                       WHERE p.device_id IN (SELECT id FROM here))
    ), node AS (
        SELECT DISTINCT d.id, d.name, d.kind, d.slug FROM mountaineer.device d
        WHERE d.id IN (SELECT a_dev FROM edge UNION SELECT b_dev FROM edge)
    )
    SELECT coalesce((SELECT string_agg(format('  %s [label=%s, shape=%s];', mountaineer.dot_id(n.slug),
                                              mountaineer.dot_id(n.name || E'\n' || n.kind),
                                              CASE n.kind WHEN 'patch_panel' THEN 'cds'
                                                          WHEN 'pdu' THEN 'hexagon'
                                                          WHEN 'power_panel' THEN 'doubleoctagon'
                                                          WHEN 'network' THEN 'component'
                                                          ELSE 'box' END),
                                       E'\n' ORDER BY n.name, n.id) || E'\n' FROM node n), '')
        || coalesce((SELECT string_agg(format('  %s -- %s [label=%s, taillabel=%s, headlabel=%s%s];',
                                              mountaineer.dot_id(mountaineer.slug(e.a_dev)),
                                              mountaineer.dot_id(mountaineer.slug(e.b_dev)),
                                              mountaineer.dot_id(e.cable || coalesce(' (' || e.type || ')', '')),
                                              mountaineer.dot_id(e.a_port), mountaineer.dot_id(e.b_port),
                                              CASE e.status WHEN 'connected' THEN '' ELSE ', style=dashed' END),
                                       E'\n' ORDER BY e.cable, e.cable_id, e.a_port, e.b_port) || E'\n' FROM edge e), '')
      INTO body;
    RETURN format(E'graph %s {\n  graph [label=%s, rankdir=LR];\n  node [fontname="Helvetica"];\n  edge [fontname="Helvetica", fontsize=9];\n%s}\n',
                  mountaineer.dot_id('site ' || site_name), mountaineer.dot_id(site_name), body)::mountaineer."text/plain";
END
$$;
COMMENT ON FUNCTION mountaineer.topology_dot(uuid, boolean) IS
    'The site''s cabled devices as a Graphviz DOT graph: a node per device (shape by kind), an edge per cable (label and type; port names at its ends), every connected cable with an end on a device racked at the site; with include_planned also its planned and decommissioning cables, dashed. psql -Atc "SELECT mountaineer.topology_dot(…)" | dot -Tsvg > site.svg. Returns text/plain, which PostgREST serves with that Content-Type. P0002 for an unknown site.';
GRANT EXECUTE ON FUNCTION mountaineer.topology_dot(uuid, boolean) TO mountaineer_reader;
DO $acl$
DECLARE
    fn  constant regprocedure := 'mountaineer.topology_dot(uuid, boolean)';
    old aclitem[] := NULLIF(pg_catalog.current_setting('mountaineer.upgrade_acl'), '')::aclitem[];
    g   record;
BEGIN
    IF old IS NULL THEN   -- it had the default privileges (owner and PUBLIC)
        RETURN;
    END IF;
    FOR g IN SELECT a.grantee, bool_or(a.is_grantable) AS grantable FROM pg_catalog.aclexplode(old) a
              WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> 0
                AND a.grantee <> (SELECT p.proowner FROM pg_catalog.pg_proc p WHERE p.oid = fn)
              GROUP BY a.grantee LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %I%s', fn, g.grantee::regrole,
                                  CASE WHEN g.grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
    IF NOT EXISTS (SELECT FROM pg_catalog.aclexplode(old) a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE') THEN
        EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', fn);
    END IF;
END
$acl$;

-- == BI views (1.4) ==
-- What a dashboard asks of the hardware that rack_power and
-- rack_utilization do not answer: how many devices of each kind each site
-- has.  (A device status -- planned, active, decommissioned -- comes with a
-- later version; until then every device counts.)
CREATE VIEW mountaineer.device_summary AS
SELECT s.name AS site, d.kind, count(*) AS devices,
       sum(d.units) AS units, coalesce(sum(d.draw_watts), 0) AS draw_watts
FROM mountaineer.device d
LEFT JOIN mountaineer.site s ON s.id = d.site_id
GROUP BY s.name, d.kind;
COMMENT ON VIEW mountaineer.device_summary IS
    'For BI tools: per site (NULL: devices in no rack) and kind, how many devices, the units they take and the power they are expected to draw.';
COMMENT ON COLUMN mountaineer.device_summary.site IS 'The site''s name; NULL for the devices that are in no rack (and so at no site).';
COMMENT ON COLUMN mountaineer.device_summary.kind IS 'server, pdu, network, patch_panel, power_panel or other.';
COMMENT ON COLUMN mountaineer.device_summary.devices IS 'How many devices of that kind the site has.';
COMMENT ON COLUMN mountaineer.device_summary.units IS 'The rack units they take, in U (the sum of their heights; zero-U devices add 0).';
COMMENT ON COLUMN mountaineer.device_summary.draw_watts IS 'The power they are expected to draw, in watts (the sum of their draw_watts; 0 when none is recorded).';
GRANT SELECT ON mountaineer.device_summary TO mountaineer_reader;

-- == column comments (1.4) ==
-- Every column carries a COMMENT: PostgREST's OpenAPI document (GET /) and
-- psql's \d+ describe the API from them (test/catalog.sql checks it).  The
-- columns commented since 1.0 keep their comments.
COMMENT ON COLUMN mountaineer.site.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.rack.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.rack.site_id IS 'The site the rack stands at (site.id). A site with racks cannot be deleted; moving the rack moves its devices with it.';
COMMENT ON COLUMN mountaineer.rack.attachment IS 'How equipment attaches to the rails: square_hole, round_hole or threaded; NULL if unknown.';
COMMENT ON COLUMN mountaineer.rack.fasteners IS 'Screw size the rails take: m5, m6, 10-32 or 12-24; NULL if unknown.';
COMMENT ON COLUMN mountaineer.device.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed. The kind tables (server, pdu, network_device) use the same id.';
COMMENT ON COLUMN mountaineer.device.kind IS 'What the device is: server, pdu, network, patch_panel, power_panel or other. A device with a row in a kind table cannot change kind.';
COMMENT ON COLUMN mountaineer.device.manufacturer IS 'Maker, e.g. Dell; a name. (manufacturer, model, serial) is unique.';
COMMENT ON COLUMN mountaineer.device.model IS 'Model as the maker names it, e.g. PowerEdge R650; a name.';
COMMENT ON COLUMN mountaineer.device.serial IS 'Serial number from the maker; a name, unique with manufacturer and model.';
COMMENT ON COLUMN mountaineer.device.asset_id IS 'Your asset-management id for the device, if any; a name.';
COMMENT ON COLUMN mountaineer.device.asset_tag IS 'The text on the asset tag stuck on the device, if any; a name.';
COMMENT ON COLUMN mountaineer.server.slug IS 'Short URL-safe form of id (the device''s slug).';
COMMENT ON COLUMN mountaineer.pdu.slug IS 'Short URL-safe form of id (the device''s slug).';
COMMENT ON COLUMN mountaineer.network_device.slug IS 'Short URL-safe form of id (the device''s slug).';
COMMENT ON COLUMN mountaineer.network_device.speed IS 'Speed of its ports: 100m, 1g, 10g, 25g, 40g, 50g, 100g, 200g, 400g or 800g; NULL if unknown.';
COMMENT ON COLUMN mountaineer.network_device.interconnect IS 'Connector of its ports: rj45, sfp, sfp_plus, sfp28, qsfp_plus, qsfp28, qsfp_dd or osfp; NULL if unknown.';
COMMENT ON COLUMN mountaineer.port.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.port.device_id IS 'The device the port is on (device.id); deleting the device deletes its ports, unless one is cabled.';
COMMENT ON COLUMN mountaineer.port.kind IS 'interface, console, console_server, power_port (inlet), power_outlet, power_feed, front_port or rear_port (patch panels). A cabled port cannot change kind.';
COMMENT ON COLUMN mountaineer.cable.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.cable.status IS 'planned (not laid yet), connected (the default: in service, an end on each side) or decommissioning (to be removed). Traces follow connected cables only unless asked to include planned ones.';
COMMENT ON COLUMN mountaineer.cable.length_unit IS 'Unit of length: mm, cm, m, km, in or ft; set exactly when length is.';
COMMENT ON COLUMN mountaineer.cable_end.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.cable_end.cable_id IS 'The cable this end belongs to (cable.id); deleting the cable deletes its ends.';

COMMENT ON COLUMN mountaineer.rack_device.rack_id IS 'The rack''s id.';
COMMENT ON COLUMN mountaineer.rack_device.rack IS 'The rack''s name.';
COMMENT ON COLUMN mountaineer.rack_device.site IS 'The name of the rack''s site.';
COMMENT ON COLUMN mountaineer.rack_device.device_id IS 'The device''s id.';
COMMENT ON COLUMN mountaineer.rack_device.device IS 'The device''s name.';
COMMENT ON COLUMN mountaineer.rack_device.kind IS 'The device''s kind: server, pdu, network, patch_panel, power_panel or other.';
COMMENT ON COLUMN mountaineer.rack_device.position IS 'Units and face it occupies, e.g. U10-U11/front; NULL for a zero-U device.';
COMMENT ON COLUMN mountaineer.rack_device.first_unit IS 'Its lowest unit (1 = the bottom of the rack); NULL for a zero-U device.';
COMMENT ON COLUMN mountaineer.rack_device.last_unit IS 'Its highest unit; NULL for a zero-U device.';
COMMENT ON COLUMN mountaineer.rack_device.face IS 'front or rear (a half-depth device on that face) or full (full depth); NULL for a zero-U device.';
COMMENT ON COLUMN mountaineer.rack_device.units IS 'Its height in U; 0 for a zero-U device.';
COMMENT ON COLUMN mountaineer.rack_power.rack_id IS 'The rack''s id.';
COMMENT ON COLUMN mountaineer.rack_power.rack IS 'The rack''s name.';
COMMENT ON COLUMN mountaineer.rack_power.site IS 'The name of the rack''s site.';
COMMENT ON COLUMN mountaineer.rack_power.capacity_watts IS 'What the rack''s PDUs can deliver, in watts: the sum of their volts × amps (0 without PDUs).';
COMMENT ON COLUMN mountaineer.rack_power.allocated_watts IS 'What the rack''s devices are expected to draw, in watts: the sum of their draw_watts (a device without one counts 0).';
COMMENT ON COLUMN mountaineer.rack_power.unallocated_watts IS 'capacity_watts - allocated_watts: the headroom in watts; negative when the rack is over-committed.';
COMMENT ON COLUMN mountaineer.rack_utilization.rack_id IS 'The rack''s id.';
COMMENT ON COLUMN mountaineer.rack_utilization.rack IS 'The rack''s name.';
COMMENT ON COLUMN mountaineer.rack_utilization.site IS 'The name of the rack''s site.';
COMMENT ON COLUMN mountaineer.rack_utilization.units IS 'The rack''s height in U.';
COMMENT ON COLUMN mountaineer.rack_utilization.used_units IS 'Units with a device on either face (a unit with a half-depth device at the front only counts as used).';
COMMENT ON COLUMN mountaineer.rack_utilization.free_units IS 'units - used_units: units with nothing on either face.';
COMMENT ON COLUMN mountaineer.rack_utilization.percent IS 'used_units as a percentage of units, to one decimal (0.0 .. 100.0).';

-- == one relationship between device and rack (1.4) ==
-- device.rack_id had a foreign key of its own besides (rack_id, site_id) →
-- rack (id, site_id) MATCH FULL, which already refuses a rack that does not
-- exist; with two, PostgREST cannot embed a device's rack (or a rack's
-- devices) without a hint naming one of them.
ALTER TABLE mountaineer.device DROP CONSTRAINT device_rack_id_fkey;

