-- mountaineer_hardware 1.5: the status of sites, locations, racks and
-- devices, and how the capacity views count each status.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(26);

INSERT INTO site (name) VALUES ('st-site');
INSERT INTO location (site_id, name) SELECT id, 'st-cage' FROM site WHERE name = 'st-site';
INSERT INTO rack (site_id, location_id, name, units) SELECT site_id, id, 'st-r', 10 FROM location WHERE name = 'st-cage';
CREATE TEMP TABLE ids AS SELECT (SELECT id FROM rack WHERE name = 'st-r') AS r;

-- defaults and values
SELECT is((SELECT status FROM site WHERE name = 'st-site'), 'active'::site_status, 'a site is active unless told');
SELECT is((SELECT status FROM location WHERE name = 'st-cage'), 'active'::site_status, 'a location is active unless told');
SELECT is((SELECT status FROM rack WHERE name = 'st-r'), 'active'::rack_status, 'a rack is active unless told');
SELECT throws_ok($$UPDATE site SET status = 'staging' WHERE name = 'st-site'$$, '22P02',
    'invalid input value for enum site_status: "staging"', 'site statuses are those of site_status');
SELECT throws_ok($$UPDATE rack SET status = 'deprecated' WHERE name = 'st-r'$$, '22P02',
    'invalid input value for enum rack_status: "deprecated"', 'rack statuses are those of rack_status');
SELECT throws_ok($$INSERT INTO device (kind, name, status) VALUES ('server', 'st-x', 'broken')$$, '22P02',
    'invalid input value for enum device_status: "broken"', 'device statuses are those of device_status');
SELECT is(enum_range(NULL::device_status)::text, '{planned,staged,active,offline,failed,inventory,decommissioning}', 'the device lifecycle');
SELECT is(enum_range(NULL::rack_status)::text, '{planned,reserved,available,active,decommissioning}', 'the rack lifecycle');
SELECT is(enum_range(NULL::site_status)::text, '{planned,staged,active,decommissioning,retired}', 'the site and location lifecycle');

-- a rack with one PDU of each status that matters, and servers of each status
WITH d AS (
    INSERT INTO device (kind, name, units, draw_watts, rack_id, status)
    SELECT 'pdu', 'st-pdu-' || s, 0, 10, r, s::device_status FROM ids, unnest(ARRAY['active', 'planned', 'failed', 'inventory', 'decommissioning']) s
    RETURNING id, status
)
INSERT INTO pdu (id, volts, amps) SELECT id, 100, CASE status WHEN 'active' THEN 10 WHEN 'planned' THEN 20 WHEN 'failed' THEN 40
                                                              WHEN 'inventory' THEN 80 ELSE 5 END FROM d;
INSERT INTO device (kind, name, units, draw_watts, rack_id, position, status)
SELECT 'server', 'st-srv-' || s, 1, w, r, p::rackspan, s::device_status
FROM ids, (VALUES ('active', 100, 'U1'), ('planned', 200, 'U2'), ('decommissioning', 400, 'U3'),
                  ('inventory', 800, 'U4'), ('offline', 1600, 'U5'), ('failed', 3200, 'U6/front'), ('staged', 6400, 'U6/rear')) v(s, w, p);
SELECT is((SELECT status FROM device WHERE name = 'st-srv-active'), 'active'::device_status, 'the status given is kept');
SELECT throws_ok($$UPDATE device SET status = NULL WHERE name = 'st-srv-active'$$, '23502',
    'null value in column "status" of relation "device" violates not-null constraint', 'a device always has a status');

-- power: capacity is what delivers (active 1000 W + decommissioning 500 W; not planned, failed, inventory)
SELECT is((SELECT capacity_watts FROM rack_power WHERE rack_id = (SELECT r FROM ids)), 1500::numeric,
    'rack_power: capacity counts the PDUs that deliver, not planned, failed or inventory ones');
SELECT is((SELECT planned_capacity_watts FROM rack_power WHERE rack_id = (SELECT r FROM ids)), 2000::numeric,
    'rack_power: the planned PDUs'' capacity apart');
-- draw: every device but those in inventory (PDUs draw 10 W each, 4 of them count)
SELECT is((SELECT allocated_watts FROM rack_power WHERE rack_id = (SELECT r FROM ids)), (100 + 200 + 400 + 1600 + 3200 + 6400 + 40)::numeric,
    'rack_power: allocated counts every device but those in inventory, planned and decommissioning ones included');
SELECT is((SELECT unallocated_watts FROM rack_power WHERE rack_id = (SELECT r FROM ids)), (1500 - 11940)::numeric, 'rack_power: headroom');
SELECT is((SELECT planned_watts FROM rack_power WHERE rack_id = (SELECT r FROM ids)), (200 + 10)::numeric, 'rack_power: the planned share');
SELECT is((SELECT decommissioning_watts FROM rack_power WHERE rack_id = (SELECT r FROM ids)), (400 + 10)::numeric, 'rack_power: the decommissioning share');
SELECT is((SELECT rack_status FROM rack_power WHERE rack_id = (SELECT r FROM ids)), 'active'::rack_status, 'rack_power: the rack''s status');

-- units: every status holds its units
SELECT is((SELECT used_units FROM rack_utilization WHERE rack_id = (SELECT r FROM ids)), 6, 'rack_utilization: units of every status are used');
SELECT is((SELECT planned_units || '/' || decommissioning_units FROM rack_utilization WHERE rack_id = (SELECT r FROM ids)), '1/1',
    'rack_utilization: the planned and decommissioning units apart');
UPDATE rack SET status = 'decommissioning' WHERE name = 'st-r';
SELECT is((SELECT rack_status FROM rack_utilization WHERE rack_id = (SELECT r FROM ids)), 'decommissioning'::rack_status, 'rack_utilization: the rack''s status');

-- no rule ties a device's status to its rack's: a device may be active in a planned rack
SELECT lives_ok($$UPDATE rack SET status = 'planned' WHERE name = 'st-r'$$, 'a rack with active devices may be planned');

SELECT is((SELECT status || '@' || location FROM rack_device WHERE device = 'st-srv-planned'), 'planned@st-cage', 'rack_device: the device''s status and the rack''s location');
SELECT is((SELECT active || '/' || planned || '/' || decommissioning || '/' || devices FROM device_summary WHERE site = 'st-site' AND kind = 'server'),
    '1/1/1/7', 'device_summary: active, planned and decommissioning among all');
SELECT is((SELECT active || '/' || planned || '/' || decommissioning || '/' || devices FROM device_summary WHERE site = 'st-site' AND kind = 'pdu'),
    '1/1/1/5', 'device_summary: for each kind');

-- what the REST API's ?status=eq.planned asks
SELECT is((SELECT array_agg(name ORDER BY name) FROM device WHERE rack_id = (SELECT r FROM ids) AND status = 'planned'),
    ARRAY['st-pdu-planned', 'st-srv-planned'], 'devices filtered by status');

SELECT * FROM finish();
ROLLBACK;
