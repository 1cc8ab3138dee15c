-- mountaineer_hosts 1.4 -> 1.5: the model issue 12 asks for (device types, site
-- hierarchy, status, tags and attributes, circuits, VLAN groups, power),
-- the cluster kind ec2.
\echo Use "ALTER EXTENSION mountaineer_hosts UPDATE TO '1.5'" to load this file. \quit


-- == status (1.5) ==
-- End: status (1.5)


-- == tags and attributes (1.5) ==
-- End: tags and attributes (1.5)


-- == cluster kind ec2 (1.5) ==
-- The EC2 import (mountaineer_ec2) makes one cluster of this kind per AWS
-- region; the value cannot be used in the transaction that adds it.
ALTER TYPE mountaineer.cluster_kind ADD VALUE 'ec2' AFTER 'ecs';
-- End: cluster kind ec2 (1.5)
