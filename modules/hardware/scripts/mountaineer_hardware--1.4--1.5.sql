-- mountaineer_hardware 1.4 -> 1.5: the model issue 12 asks for (device types, site
-- hierarchy, status, tags and attributes, circuits, VLAN groups, power).
\echo Use "ALTER EXTENSION mountaineer_hardware UPDATE TO '1.5'" to load this file. \quit


-- == device types (1.5) ==
-- End: device types (1.5)


-- == sites, regions, locations and status (1.5) ==
-- End: sites, regions, locations and status (1.5)


-- == tags and attributes (1.5) ==
-- End: tags and attributes (1.5)


-- == circuits (1.5) ==
-- End: circuits (1.5)


-- == power (1.5) ==
-- End: power (1.5)
