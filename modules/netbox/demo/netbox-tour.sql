-- The tour of `make demo DEMO=netbox`: NetBox's public demo data (4.1),
-- imported by netbox_import('netbox') from the database netbox_demo of the
-- demo cluster through postgres_fdw.

-- what the import did, table by table (skipped: see netbox_import_issue)
SELECT object, inserted, updated, unchanged, skipped FROM netbox_import_last ORDER BY object;

-- what was not carried over, and why (renamed: a note, the row imported)
SELECT object, rule, count(*) FROM netbox_import_issue WHERE source = 'netbox' GROUP BY 1, 2 ORDER BY 1, 2;

-- the estate: sites by region, racks and devices
SELECT r.path_text AS region, s.name AS site, s.status, count(DISTINCT k.id) AS racks, count(d.id) AS devices
  FROM site s LEFT JOIN region_path r ON r.id = s.region_id
  LEFT JOIN rack k ON k.site_id = s.id LEFT JOIN device d ON d.rack_id = k.id
 GROUP BY 1, 2, 3 ORDER BY 1, 2 LIMIT 12;

-- one NetBox rack as drawn here
SELECT unit, label, front, rear FROM rack_elevation((SELECT id FROM netbox_map WHERE object = 'dcim_rack' AND netbox_id = 1))
 WHERE front IS NOT NULL OR rear IS NOT NULL;

-- a distribution switch's uplink traced through two patch panels and a dark-fibre circuit
SELECT t.hop, nd.name AS near_device, np.name AS near_port, fd.name AS far_device, fp.name AS far_port, t.outcome
  FROM cable_trace((SELECT id FROM netbox_map WHERE object = 'dcim_interface' AND netbox_id = 916)) t
  JOIN port np ON np.id = t.near_port LEFT JOIN device nd ON nd.id = np.device_id
  LEFT JOIN port fp ON fp.id = t.far_port LEFT JOIN device fd ON fd.id = fp.device_id
 ORDER BY t.branch, t.hop;

-- NetBox's cached cable paths against the traces here
SELECT agrees, count(*) FROM netbox_verify('netbox') GROUP BY agrees;
