-- mountaineer_hosts 1.3 -> 1.4: what the REST API and BI tools (issue 14)
-- need of it: the view host_summary (hosts per environment and role) and a
-- COMMENT on every column (PostgREST's OpenAPI document is made of them).
-- Needs nothing newer of the core.
\echo Use "ALTER EXTENSION mountaineer_hosts UPDATE TO '1.4'" to load this file. \quit

-- == BI views (1.4) ==
-- What a dashboard asks of the hosts: how many there are per environment
-- and role, of each kind, and how many are monitored now.
CREATE VIEW mountaineer.host_summary AS
SELECT e.name AS environment, r.name AS role,
       count(*) AS hosts,
       count(*) FILTER (WHERE h.kind = 'bare_metal') AS bare_metal,
       count(*) FILTER (WHERE h.kind = 'virtual_machine') AS virtual_machines,
       count(*) FILTER (WHERE h.kind = 'container') AS containers,
       count(*) FILTER (WHERE h.kind = 'peripheral') AS peripherals,
       count(*) FILTER (WHERE coalesce(x.monitored, e.monitored)) AS monitored_now
FROM mountaineer.host h
JOIN mountaineer.environment e ON e.id = h.environment_id
LEFT JOIN mountaineer.host_role hr ON hr.host_id = h.id
LEFT JOIN mountaineer.role r ON r.id = hr.role_id
-- a host's monitoring exceptions never overlap: at most one covers now()
LEFT JOIN mountaineer.monitoring_exception x ON x.host_id = h.id AND x.during @> now()
GROUP BY e.name, r.name;
COMMENT ON VIEW mountaineer.host_summary IS
    'For BI tools: per environment and role, how many hosts there are, of each kind, and how many are monitored now. A host with several roles counts once under each; hosts with no role are under role NULL; environments without hosts have no row.';
COMMENT ON COLUMN mountaineer.host_summary.environment IS 'The environment''s name.';
COMMENT ON COLUMN mountaineer.host_summary.role IS 'The role''s name; NULL for the hosts of the environment that have no role.';
COMMENT ON COLUMN mountaineer.host_summary.hosts IS 'How many hosts of the environment have the role.';
COMMENT ON COLUMN mountaineer.host_summary.bare_metal IS 'How many of them are bare metal (an operating system on a server).';
COMMENT ON COLUMN mountaineer.host_summary.virtual_machines IS 'How many of them are virtual machines (on a host or scheduled on a cluster).';
COMMENT ON COLUMN mountaineer.host_summary.containers IS 'How many of them are containers.';
COMMENT ON COLUMN mountaineer.host_summary.peripherals IS 'How many of them are peripherals (the management system of a device other than a server).';
COMMENT ON COLUMN mountaineer.host_summary.monitored_now IS 'How many of them are monitored now: by their monitoring exception covering now(), else by their environment''s default.';
GRANT SELECT ON mountaineer.host_summary TO mountaineer_reader;

-- == column comments (1.4) ==
-- Every column carries a COMMENT: PostgREST's OpenAPI document (GET /) and
-- psql's \d+ describe the API from them (test/catalog.sql checks it).  The
-- columns commented since 1.0 keep their comments.
COMMENT ON COLUMN mountaineer.environment.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.environment.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.environment.description IS 'Free text, one line of at most 200 characters; NULL for none.';
COMMENT ON COLUMN mountaineer.role.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.role.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.role.name IS 'Unique; the configuration-management state it stands for (e.g. web, db); a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.role.description IS 'Free text, one line of at most 200 characters; NULL for none.';
COMMENT ON COLUMN mountaineer.cluster.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.cluster.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.cluster.name IS 'Unique; a name (1..100 characters, no leading or trailing white space, no control characters).';
COMMENT ON COLUMN mountaineer.cluster.description IS 'Free text, one line of at most 200 characters; NULL for none.';
COMMENT ON COLUMN mountaineer.cluster.kind IS 'The software that schedules its guests: vmware, kvm, proxmox, kubernetes, ecs, nomad, docker or other.';
COMMENT ON COLUMN mountaineer.host.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.host.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.host.environment_id IS 'The environment it belongs to (environment.id); its hostname must match the environment''s hostname_regex.';
COMMENT ON COLUMN mountaineer.host.operating_system IS 'Operating system, free text (e.g. debian 12); a name, NULL when unknown.';
COMMENT ON COLUMN mountaineer.host.device_id IS 'Parent, for bare metal and peripherals: the device it runs on (device.id), at most one host per device. Exactly one of device_id, parent_host_id and cluster_id is set.';
COMMENT ON COLUMN mountaineer.host.parent_host_id IS 'Parent, for a static virtual machine or a container: the host it runs on (host.id), never itself or one of its own guests. Exactly one of device_id, parent_host_id and cluster_id is set.';
COMMENT ON COLUMN mountaineer.host.cluster_id IS 'Parent, for a guest scheduled on a cluster: the cluster (cluster.id). Exactly one of device_id, parent_host_id and cluster_id is set.';
COMMENT ON COLUMN mountaineer.host_move_lock.only_row IS 'Always true: the table''s one row, which moves of hosts onto hosts lock to take turns. Not data.';
COMMENT ON COLUMN mountaineer.cluster_member.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.cluster_member.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.cluster_member.cluster_id IS 'The cluster (cluster.id); deleting it deletes its memberships.';
COMMENT ON COLUMN mountaineer.cluster_member.host_id IS 'The member host (host.id), once per cluster; deleting the host deletes its memberships.';
COMMENT ON COLUMN mountaineer.host_role.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.host_role.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.host_role.host_id IS 'The host (host.id); deleting it deletes its roles.';
COMMENT ON COLUMN mountaineer.host_role.role_id IS 'The role it has (role.id), once per host; a role that hosts have cannot be deleted.';
COMMENT ON COLUMN mountaineer.grain.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.grain.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.grain.host_id IS 'The host (host.id); deleting it deletes its grains.';
COMMENT ON COLUMN mountaineer.grain.name IS 'Grain name, unique per host (e.g. mem_total); a name, not environment or roles (host_grains() derives those).';
COMMENT ON COLUMN mountaineer.grain.value IS 'Grain value as configuration management reports it: any JSON, at most 64 kB.';
COMMENT ON COLUMN mountaineer.monitoring_exception.id IS 'Primary key; set by the database (gen_random_uuid()) unless given, never changed.';
COMMENT ON COLUMN mountaineer.monitoring_exception.slug IS 'Short URL-safe form of id.';
COMMENT ON COLUMN mountaineer.monitoring_exception.host_id IS 'The host (host.id); deleting it deletes its exceptions.';
COMMENT ON COLUMN mountaineer.monitoring_exception.monitored IS 'Whether the host is monitored during the period, whatever its environment says (false: a maintenance window).';
COMMENT ON COLUMN mountaineer.monitoring_exception.during IS 'The period, a non-empty timestamp range, e.g. [2026-12-01 22:00Z,2026-12-02 02:00Z); one host''s periods never overlap.';
COMMENT ON COLUMN mountaineer.monitoring_exception.reason IS 'Why, e.g. a change ticket; one line of at most 200 characters, NULL for none.';

COMMENT ON COLUMN mountaineer.host_detail.id IS 'The host''s id.';
COMMENT ON COLUMN mountaineer.host_detail.slug IS 'The host''s slug.';
COMMENT ON COLUMN mountaineer.host_detail.hostname IS 'The host''s fully qualified domain name.';
COMMENT ON COLUMN mountaineer.host_detail.shortname IS 'The hostname''s first label (web1 of web1.prod.example.com).';
COMMENT ON COLUMN mountaineer.host_detail.domain IS 'The hostname without its first label (prod.example.com).';
COMMENT ON COLUMN mountaineer.host_detail.kind IS 'bare_metal, peripheral, virtual_machine or container.';
COMMENT ON COLUMN mountaineer.host_detail.environment IS 'The name of its environment.';
COMMENT ON COLUMN mountaineer.host_detail.operating_system IS 'Its operating system, NULL when unknown.';
COMMENT ON COLUMN mountaineer.host_detail.monitored_now IS 'Whether it is monitored now: its monitoring exception covering now(), else its environment''s default.';
COMMENT ON COLUMN mountaineer.host_detail.roles IS 'The names of its roles, sorted; empty when none.';
COMMENT ON COLUMN mountaineer.host_detail.parent_hosts IS 'The hostnames of the hosts it runs on, nearest first; empty for a host on a device or a cluster.';
COMMENT ON COLUMN mountaineer.host_detail.cluster IS 'The name of the cluster at the bottom of its chain of parents, if any.';
COMMENT ON COLUMN mountaineer.host_detail.device IS 'The name of the device at the bottom of its chain of parents, if any.';
COMMENT ON COLUMN mountaineer.host_detail.device_kind IS 'That device''s kind.';
COMMENT ON COLUMN mountaineer.host_detail.site IS 'The name of that device''s site; NULL when it is not racked.';
COMMENT ON COLUMN mountaineer.host_detail.rack IS 'The name of that device''s rack; NULL when it is not racked.';
COMMENT ON COLUMN mountaineer.host_detail.position IS 'That device''s units and face in its rack, e.g. U1/full.';
COMMENT ON COLUMN mountaineer.cluster_detail.id IS 'The cluster''s id.';
COMMENT ON COLUMN mountaineer.cluster_detail.slug IS 'The cluster''s slug.';
COMMENT ON COLUMN mountaineer.cluster_detail.name IS 'The cluster''s name.';
COMMENT ON COLUMN mountaineer.cluster_detail.kind IS 'The software that schedules its guests.';
COMMENT ON COLUMN mountaineer.cluster_detail.description IS 'The cluster''s description.';
COMMENT ON COLUMN mountaineer.cluster_detail.members IS 'The hostnames of the hosts it is made of (cluster_member), sorted.';
COMMENT ON COLUMN mountaineer.cluster_detail.member_count IS 'How many hosts it is made of.';
COMMENT ON COLUMN mountaineer.cluster_detail.scheduled IS 'The hostnames of the guests scheduled on it (host.cluster_id), sorted.';
COMMENT ON COLUMN mountaineer.cluster_detail.scheduled_count IS 'How many guests are scheduled on it.';
