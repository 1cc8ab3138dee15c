#!/usr/bin/env bash
# TAP: the inventory under PostgreSQL's own replication (DESIGN.md,
# "Scale-out": every read function works on a hot standby, every write
# function fails there with a clear read-only error).
#
# 1. Physical.  A primary (wal_level = logical) gets a streaming hot standby
#    (tools/pg.sh standby), then every extension, every module's demo estate
#    and some history (updates and deletes, a VACUUM, more dead rows).  Once
#    the standby has replayed all of it:
#    - every read function of our extensions and every view in schema
#      mountaineer, called with real arguments from the estate (mostly over
#      every port, device, rack, host and prefix) by a plain
#      mountaineer_reader login, answers on the standby with exactly the
#      text it answers on the primary, errors included;
#    - every write function, and INSERT, UPDATE, DELETE and TRUNCATE on every
#      table registered in pg_extension.extconfig (nextval/setval on its
#      sequences), fails on the standby with SQLSTATE 25006 and nothing else,
#      while the same statement succeeds on the primary (rolled back), so the
#      arguments are valid;
#    - the function list comes from the catalogue: a function of ours that is
#      neither checked as read nor as write nor listed as internal fails.
#    Pinned: host_detail.monitored_now and host_monitored's default `at` read
#    now(), so they may legitimately differ between two reads a moment apart
#    (a maintenance window opening in between); the view is compared without
#    that column (plus a column saying it agrees with host_monitored(id,
#    now()) in the same statement), and host_monitored is compared at fixed
#    timestamps (the windows' bounds and either side of them).
# 2. Logical.  A third cluster with the extensions installed subscribes to a
#    publication of every extconfig table but vrf_lock (the change log and
#    the derived prefix_free included), made as README writes it, and a
#    second database there to the same minus prefix_free.  After the initial
#    sync and after an insert, an update and a delete on the primary, rows
#    are compared; then what apply does not do (apply runs with
#    session_replication_role = replica): no change-log rows of the
#    subscriber's own, no NOTIFY, no derived free space unless published, no
#    sequence; and what a local write on the subscriber runs into.  vrf_lock
#    (a lock table: each side makes its own rows on first use) is not
#    published: empty on the subscribers after the copy, the local rebuild of
#    the free space (without prefix_free) makes rows there, and the primary's
#    first write in a VRF it had no row for yet (lab), after that rebuild,
#    arrives on both subscribers instead of stopping apply with 23505 on
#    vrf_lock_pkey.  Every read query of part 1 is also run on the subscriber
#    after the initial sync and compared with the primary's answers.
#
# Uses clusters of its own (replprimary, replstandby, replsub; never the
# running test cluster of tools/test.sh) and removes them on exit.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
modules=(${MOUNTAINEER_MODULES:-$(sed -n 's/^MOUNTAINEER_MODULES *= *//p' "$top/Makefile")})
pg_config=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PATH="$("$pg_config" --bindir):$PATH"
unset PGOPTIONS PGSERVICE PGDATABASE PGHOSTADDR
pgsh=$top/tools/pg.sh
P=replprimary S=replstandby L=replsub     # cluster names
db=mt_repl                                # on the primary (and so the standby)
sdb=mt_repl_sub ndb=mt_repl_nofree        # on the subscriber
work=$(mktemp -d)
started=$SECONDS

. "$top/test/lib/tap.sh"
diag() { sed 's/^/# /' | head -"${2:-30}"; }

cleanup() {
    local c d
    [ "$BASHPID" = "$$" ] || return 0       # the main shell only
    for c in $L $S $P; do
        d=$("$pgsh" dir "$c" 2>/dev/null) || continue
        "$pgsh" stop "$c" >/dev/null 2>&1
        case $d in */"$c") rm -rf "$d" ;; esac
        [ -L "$top/.pg/$c" ] && rm -f "$top/.pg/$c"
    done
    rm -rf "$work"
}
# a cluster of ours still running means another run of this test (or one
# killed without its cleanup): leave it alone
for c in $P $S $L; do
    pid=$(head -1 "$("$pgsh" dir $c)/data/postmaster.pid" 2>/dev/null)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
        { echo "Bail out! cluster $c is running (another run?); stop it with tools/pg.sh stop $c"; rm -rf "$work"; exit 1; }
done
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

declare -A H PORT
envof() { (eval "$("$pgsh" env "$1")" && echo "$PGHOST $PGPORT"); }
# q CLUSTER DB psql-args...: quiet, unaligned, stops at the first error
q() { local c=$1 d=$2; shift 2
      PGHOST=${H[$c]} PGPORT=${PORT[$c]} PGUSER=postgres PGDATABASE=$d psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
bail() { echo "Bail out! $*"; exit 1; }
# wait_for CLUSTER DB SQL [seconds]: until SQL answers t
wait_for() {
    local i
    for ((i = 0; i < ${4:-30} * 10; i++)); do
        [ "$(q "$1" "$2" -c "$3" 2>/dev/null)" = t ] && return 0
        sleep 0.1
    done
    return 1
}

# --- clusters -----------------------------------------------------------------
# the subscriber's initdb runs alongside the primary's work
# (workers enough to copy the tables of two subscriptions in parallel, and a
# launcher that starts the second subscription's worker without waiting 5 s)
( PG_CONF_EXTRA=$'max_worker_processes = 24\nmax_logical_replication_workers = 20\nmax_sync_workers_per_subscription = 4\nwal_retrieve_retry_interval = 100ms' \
      "$pgsh" fresh $L >"$work/sub-start.log" 2>&1 ) & subinit=$!
PG_CONF_EXTRA=$'wal_level = logical\nmax_wal_senders = 30\nmax_replication_slots = 30' \
    "$pgsh" fresh $P >/dev/null || bail "cannot start cluster $P"
read -r H[$P] PORT[$P] <<<"$(envof $P)"
# the standby first, from an empty primary: it replays CREATE EXTENSION too
"$pgsh" standby $S $P >/dev/null || bail "cannot start the standby $S"
read -r H[$S] PORT[$S] <<<"$(envof $S)"

q $P postgres -c "CREATE DATABASE $db" || bail "cannot create database $db"
q $P $db -c 'CREATE EXTENSION mountaineer' >/dev/null || bail "CREATE EXTENSION mountaineer failed"
for m in "${modules[@]}"; do
    q $P $db -c "CREATE EXTENSION mountaineer_$m CASCADE" >/dev/null 2>&1 || bail "CREATE EXTENSION mountaineer_$m failed"
done
for m in "${modules[@]}"; do
    f=$top/modules/$m/demo/estate.sql
    [ -f "$f" ] && { q $P $db -f "$f" >/dev/null || bail "loading $f failed"; }
done
# mountaineer_netbox's source: NetBox 4.1's tables, empty, in schema nbrep
# (bench/netbox_source.sh), so that netbox_import('nbrep') runs on the
# primary; with one cached path for netbox_verify to check (its ports are not
# imported here), readable by readers.  The logical subscriber gets one too
# (below): the read checks run there as well.
netbox_source() {   # CLUSTER DB
    PGHOST=${H[$1]} PGPORT=${PORT[$1]} PGUSER=postgres "$top/bench/netbox_source.sh" $2 nbrep >"$work/netbox-source.log" 2>&1 ||
        bail "loading the NetBox source into $2 failed: $(tail -3 "$work/netbox-source.log" | tr "\n" " ")"
    q $1 $2 >/dev/null <<'SQL' || bail "preparing the NetBox source in $2 failed"
INSERT INTO nbrep.dcim_cablepath (id, path, is_active, is_complete, is_split, _nodes)
SELECT 1, jsonb_build_array(jsonb_build_array(i.id || ':1'), jsonb_build_array(c.id || ':1'), jsonb_build_array(i.id || ':2')),
       true, true, false, '{}'
  FROM nbrep.django_content_type i, nbrep.django_content_type c
 WHERE i.app_label = 'dcim' AND i.model = 'interface' AND c.app_label = 'dcim' AND c.model = 'cable';
GRANT USAGE ON SCHEMA nbrep TO mountaineer_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA nbrep TO mountaineer_reader;
SQL
}
if [[ " ${modules[*]} " == *" netbox "* ]]; then
    netbox_source $P $db
    # one issue row, for the table's write checks
    q $P $db -c "INSERT INTO mountaineer.netbox_import_issue (source, object, netbox_id, rule, detail)
                 VALUES ('replication', 'dcim_site', 1, 'not_modelled', 'replication check')" >/dev/null || bail "an issue row"
fi

# Lookup helpers for the checks below, outside the extensions (not counted
# as ours): created on the primary, so the standby has them too; and the
# login role the read checks run as, a plain mountaineer_reader (as a
# replica's PostgREST would be).
cat >"$work/helpers.sql" <<'SQL'
DO $$ BEGIN CREATE ROLE mt_repl_reader LOGIN IN ROLE mountaineer_reader;
   EXCEPTION WHEN duplicate_object THEN NULL; END $$;
-- sign-in (login()) on the standby: a password (the API's secret is the
-- installation's, which tools/api.sh setup stored on the primary)
ALTER ROLE mt_repl_reader PASSWORD 'repl-reader-password';
CREATE SCHEMA t;
GRANT USAGE ON SCHEMA t TO PUBLIC;
CREATE FUNCTION t.site(text) RETURNS uuid LANGUAGE sql STABLE RETURN (SELECT id FROM mountaineer.site WHERE name = $1);
CREATE FUNCTION t.rack(text) RETURNS uuid LANGUAGE sql STABLE RETURN (SELECT id FROM mountaineer.rack WHERE name = $1);
CREATE FUNCTION t.dev(text) RETURNS uuid LANGUAGE sql STABLE RETURN (SELECT id FROM mountaineer.device WHERE name = $1);
CREATE FUNCTION t.port(text, text) RETURNS uuid LANGUAGE sql STABLE
    RETURN (SELECT p.id FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
             WHERE d.name = $1 AND p.name = $2);
CREATE FUNCTION t.cable(text) RETURNS uuid LANGUAGE sql STABLE RETURN (SELECT id FROM mountaineer.cable WHERE label = $1);
CREATE FUNCTION t.host(text) RETURNS uuid LANGUAGE sql STABLE RETURN (SELECT id FROM mountaineer.host WHERE hostname = $1);
CREATE FUNCTION t.env(text) RETURNS uuid LANGUAGE sql STABLE RETURN (SELECT id FROM mountaineer.environment WHERE name = $1);
CREATE FUNCTION t.role(text) RETURNS uuid LANGUAGE sql STABLE RETURN (SELECT id FROM mountaineer.role WHERE name = $1);
CREATE FUNCTION t.cluster(text) RETURNS uuid LANGUAGE sql STABLE RETURN (SELECT id FROM mountaineer.cluster WHERE name = $1);
CREATE FUNCTION t.vrf(text) RETURNS uuid LANGUAGE sql STABLE RETURN (SELECT id FROM mountaineer.vrf WHERE name = $1);
CREATE FUNCTION t.prefix(cidr, text DEFAULT NULL) RETURNS uuid LANGUAGE sql STABLE
    RETURN (SELECT id FROM mountaineer.prefix WHERE prefix = $1 AND vrf_id IS NOT DISTINCT FROM t.vrf($2));
SQL
q $P $db -f "$work/helpers.sql" >/dev/null || bail "cannot create the lookup helpers"

# History, one transaction per statement; also the rows the write checks
# below delete (nothing refers to them) or complete.
q $P $db >/dev/null <<'SQL' || bail "cannot write the history"
SET search_path = mountaineer, public;
SET mountaineer.actor = 'replication-test';
INSERT INTO site (name, vendor) VALUES ('lon1', 'Telehouse North');
UPDATE site SET vendor = 'Telehouse East' WHERE name = 'lon1';
UPDATE site SET noc_email = 'noc@lon1.example.net', noc_phone = '+44 20 000 0000' WHERE name = 'lon1';
INSERT INTO device (kind, name, units) VALUES ('pdu', 'spare-pdu', 0), ('network', 'spare-sw', 1);
INSERT INTO environment (name, hostname_regex) VALUES ('lab', '[a-z0-9-]+\.lab\.example\.net');
INSERT INTO role (name) VALUES ('backup');
INSERT INTO cluster (name, kind) VALUES ('nomad-lab', 'nomad');
INSERT INTO vrf (name, rd) VALUES ('lab', '65000:300');
INSERT INTO vlan (site_id, vid, name) VALUES (t.site('ams1'), 99, 'spare');
WITH c AS (INSERT INTO cable (label, type, status) VALUES ('SPARE-1', 'cat6', 'planned') RETURNING id)
INSERT INTO cable_end (cable_id, side, port_id) SELECT id, 'a', t.port('spare-01', 'eth0') FROM c;
UPDATE device SET draw_watts = 500 WHERE name = 'a01-c01';
UPDATE device SET draw_watts = 550, asset_tag = 'AT-A01-1b' WHERE name = 'a01-c01';
UPDATE host SET operating_system = 'Debian 13' WHERE hostname = 'db1.prod.example.net';
UPDATE host SET operating_system = 'Debian 13.1' WHERE hostname = 'db1.prod.example.net';
DELETE FROM grain WHERE name = 'mem_total' AND host_id = t.host('web2.prod.example.net');
DELETE FROM host WHERE hostname = 'api-3.prod.example.net';
DELETE FROM cable WHERE label = 'A03-D08';
UPDATE prefix SET description = 'ams1 kubernetes' WHERE description = 'ams1 k8s';
SELECT allocate_prefix('10.0.0.0/16', 24, NULL, 'ams1 storage');
SELECT allocate_prefix('2001:db8::/48', 56, NULL, 'ams1 storage');
DELETE FROM ip_address WHERE host_id = t.host('web2.prod.example.net') AND family(address) = 6;
SELECT count(*) FROM events_since('replication check', 10);
SELECT * FROM import_rows('replication', 'vrf', 'mountaineer.vrf', '[{"key": "v-1", "row": {"name": "imported"}}]');
INSERT INTO tag (name) VALUES ('replication spare');
INSERT INTO region (name) VALUES ('replication spare');
INSERT INTO site_group (name) VALUES ('replication spare');
INSERT INTO rack_role (name) VALUES ('replication spare');
INSERT INTO device_role (name) VALUES ('replication spare');
INSERT INTO cluster_type (name) VALUES ('Nomad');
CREATE VIEW public.replication_stage AS SELECT 'v-3'::text AS key, 'staged 3'::text AS name;
GRANT SELECT ON public.replication_stage TO PUBLIC;
INSERT INTO route_target (name) VALUES ('65000:999');
INSERT INTO platform (name) VALUES ('replication spare');
INSERT INTO tenant (name) VALUES ('replication spare');
INSERT INTO monitoring_exception (host_id, monitored, during, reason)
VALUES (t.host('a02-c02.stage.example.net'), true, '[2031-01-01 00:00+00,2031-02-01 00:00+00)', 'load test'),
       (t.host('db2.prod.example.net'), false, '[2030-06-01 00:00+00,2030-06-02 00:00+00)', 'failover drill');
SQL
# Vacuumed (the standby replays the pruning and the visibility map, and
# has the statistics), then dead rows again on top.
q $P $db -c 'VACUUM (ANALYZE)' >/dev/null || bail "VACUUM failed"
q $P $db >/dev/null <<'SQL' || bail "cannot write the history"
SET mountaineer.actor = 'replication-test';
UPDATE mountaineer.monitoring_exception SET reason = 'failover drill (moved)', during = '[2030-06-08 00:00+00,2030-06-09 00:00+00)'
 WHERE host_id = t.host('db2.prod.example.net');
UPDATE mountaineer.device SET draw_watts = 560 WHERE name = 'a01-c01';
DELETE FROM mountaineer.cable WHERE label = 'A01-D07';
UPDATE mountaineer.port SET name = 'mgmt' WHERE id = t.port('a02-c05', 'ipmi');
SQL

# the REST API's login role, made on the primary (the standby gets it by replay)
PGHOST=${H[$P]} PGPORT=${PORT[$P]} PGUSER=postgres "$top/tools/api.sh" setup || bail "cannot make the REST API's roles"

# --- the standby replays everything ---------------------------------------------
lsn=$(q $P $db -c 'SELECT pg_current_wal_lsn()')
echo "# primary and standby started, estate loaded: $((SECONDS - started)) s"
replayed=0
wait_for $S postgres "SELECT pg_last_wal_replay_lsn() >= '$lsn'" 30 && replayed=1

# --- the catalogue -----------------------------------------------------------------
ours="SELECT p.oid, p.proname, p.prorettype = 'trigger'::regtype AS is_trigger
        FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
        JOIN pg_proc p ON p.oid = d.objid AND d.classid = 'pg_proc'::regclass
       WHERE d.deptype = 'e' AND e.extname LIKE 'mountaineer%'"
functions=$(q $P $db -c "SELECT string_agg(DISTINCT proname, ' ') FROM ($ours) f")
triggerfns=$(q $P $db -c "SELECT string_agg(DISTINCT proname, ' ') FROM ($ours) f WHERE is_trigger")
nfunctions=$(q $P $db -c "SELECT count(*) FROM ($ours) f")
views=$(q $P $db -c "SELECT string_agg(relname, ' ' ORDER BY relname) FROM pg_class
                     WHERE relnamespace = 'mountaineer'::regnamespace AND relkind IN ('v', 'm')")
# the inventory's registered tables and sequences (schema mountaineer; the
# tables other programs define, Salt's job cache in schema salt and
# PowerDNS's in pdns, are checked by their modules' own tests)
tables=$(q $P $db -c "SELECT string_agg(r.relname, ' ' ORDER BY r.relname) FROM pg_extension e, unnest(e.extconfig) c
                       JOIN pg_class r ON r.oid = c WHERE e.extname LIKE 'mountaineer%' AND r.relkind IN ('r', 'p')
                        AND r.relnamespace = 'mountaineer'::regnamespace")
sequences=$(q $P $db -c "SELECT string_agg(r.relname, ' ' ORDER BY r.relname) FROM pg_extension e, unnest(e.extconfig) c
                          JOIN pg_class r ON r.oid = c WHERE e.extname LIKE 'mountaineer%' AND r.relkind = 'S'
                           AND r.relnamespace = 'mountaineer'::regnamespace")
[ -n "$functions" ] && [ -n "$tables" ] || bail "no functions or tables of ours in the catalogue"

# Functions not called on their own, and why.  Trigger functions (returning
# trigger) are internal too: they cannot be called directly, and every
# statement that would fire them is checked on every table below.
declare -A internal=(
    [rackspan_recv]="binary input (an internal argument): reached only through a binary bind parameter or COPY FROM, which psql cannot send; a pure function of its bytes (rackspan_send is compared)"
    [rackspan_gist_union]="GiST support called by index inserts only (none on a standby); rackspan_gist_consistent is checked by an index scan"
    [rackspan_gist_penalty]="GiST support called by index inserts only"
    [rackspan_gist_picksplit]="GiST support called by index inserts only"
    [rackspan_gist_same]="GiST support called by index inserts only"
    [manage_table]="install scripts only: outside CREATE EXTENSION it refuses with 0A000 (pg_extension_config_dump) on a primary as well, and CREATE EXTENSION cannot run on a standby"
    [free_release]="free-space trigger helper, not executable by users: on a consistent estate it has nothing to write (it runs after an address or range row is gone)"
    [upgrade_check]="for upgrade scripts only, not executable by users (revoked from PUBLIC): it EXECUTEs the query it is given and raises 23514 when that returns rows, so it writes nothing of its own; ALTER EXTENSION UPDATE cannot run on a standby"
    [prefix_owner]="networks internal (1.2: revoked from PUBLIC), not executable by users: called only by the free-space and address-mask upkeep of writes to prefixes, ranges and addresses, which a standby refuses first"
    [range_check_prefixes]="networks internal (1.2: revoked from PUBLIC), not executable by users: called only by the trigger check_range on a write to ip_range, which a standby refuses first"
    [check_read_committed]="networks internal (1.2: revoked from PUBLIC), not executable by users: called only at the start of allocate_prefix and allocate_ip, which are checked as writes"
    [free_take_addresses]="networks internal (1.3, revoked from PUBLIC): called only by the statement triggers on ip_address, on writes a standby refuses first"
    [free_release_addresses]="networks internal (1.3, revoked from PUBLIC): called only by the statement triggers on ip_address, on writes a standby refuses first"
    [free_block_holding]="networks internal (1.7, revoked from PUBLIC): the free-space probe of the statement triggers on ip_address and prefix, on writes a standby refuses first"
    [normalize_hostname_full]="hosts internal (1.7, revoked from PUBLIC): called only by normalize_hostname() for a name not already in normal form, which its read checks reach on both sides (upper case, invalid names)"
    [as_number_recv]="binary input (an internal argument): reached only through a binary bind parameter or COPY FROM, which psql cannot send; a pure function of its bytes (as_number_send is compared)"
    [host_secrets]="vault: callable only by admins and the host's own login; the read checks run as a reader, whose refusal (42501) is compared on both sides"
    [vault_refuse_ciphertext]="vault internal (1.2): secret_check's refusal of a malformed ciphertext, which the secret writes check"
    [current_host_safes]="vault: callable only by mountaineer_host members (the row-level security policies call it); as a reader its refusal (42501) is compared on both sides"
    [highstate_latest_refresh]="salt internal: only the triggers on highstate call it, on writes a standby refuses first"
    [salt_pillar]="salt: for the Salt master's role and admins; the read checks run as a reader, whose refusal (42501) is compared on both sides"
    [import_columns]="core (1.5), for editors only (revoked from PUBLIC, granted to mountaineer_editor because import_rows runs with its caller's privileges): a catalogue read called only by import_rows, which is checked as a write"
    [import_stage_sql]="core internal (1.6, for editors): builds the staging statement of import_rows and import_staged, which are checked as writes"
    [import_apply]="core internal (1.6, for editors): the writes of import_rows and import_staged, which are checked as writes"
    [import_differs_sql]="core internal (1.7, for editors): builds the comparison of import_rows and import_staged, which are checked as writes"
    [manage_attributes]="install scripts only, like manage_table (revoked from PUBLIC): it alters the table it is given, and CREATE EXTENSION cannot run on a standby"
    [attribute_value_problem]="core internal (1.5, revoked from PUBLIC): the attribute triggers' value test, run only by writes a standby refuses first"
    [power_loop_of]="hardware internal (1.5, revoked from PUBLIC): called only by the power-loop check of writes to cable_end, which a standby refuses first"
    [change_payload]="core internal (1.3, revoked from PUBLIC): the change-log triggers' NOTIFY payload; they fire only on writes a standby refuses first"
    [jsonb_changes]="core internal (1.7, revoked from PUBLIC): log_update()'s changed columns of a row; it fires only on writes a standby refuses first"
    [vlan_group_site]="networks internal (1.5, revoked from PUBLIC): called only by the triggers on vlan and vlan_group, on writes a standby refuses first"
    [netbox_has]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_ref]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_issue]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_load_part]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_load]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_load_tree]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_step]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_elem]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_model_table]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_tagged]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_attributes]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_import_common]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_port_suffix]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_components]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_status]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_power_feeds]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_cables]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_import_dcim]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_skip_reason]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_import_skipped]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_fqdn]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_load_found]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_not_modelled]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_cluster_kind]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
    [netbox_import_ipam]="netbox internal (revoked from PUBLIC): a step or helper of netbox_import, which is checked as a write"
)

# --- read checks ---------------------------------------------------------------------
# Sections: "-- @ names" must run without error and return rows; "-- @! names"
# are refusals, which must be the same refusals.  Each section runs on both
# sides in a session of its own; stdout and stderr are compared exactly.
cat >"$work/reads.sql" <<'SQL'
-- @ slug slug_uuid
SELECT id, mountaineer.slug(id), mountaineer.slug_uuid(mountaineer.slug(id)) = id FROM mountaineer.device ORDER BY id;
SELECT mountaineer.slug('00000000-0000-0000-0000-000000000000'), mountaineer.slug('ffffffff-ffff-ffff-ffff-ffffffffffff'),
       mountaineer.slug_uuid('bxwrfopBTw6cXTorHA2ejw');
-- @! slug_uuid
SELECT mountaineer.slug_uuid('bxwrfopBTw6cXToLHA2ej!');
SELECT mountaineer.slug_uuid('bxwrfopBTw6cXTorHA2ejx');
SELECT mountaineer.slug_uuid('short');
-- @ login
SELECT convert_from(decode(translate(split_part(t, '.', 1), '-_', '+/') || repeat('=', (4 - length(split_part(t, '.', 1)) % 4) % 4), 'base64'), 'UTF8'),
       regexp_replace(convert_from(decode(translate(split_part(t, '.', 2), '-_', '+/') || repeat('=', (4 - length(split_part(t, '.', 2)) % 4) % 4), 'base64'), 'UTF8'), '"exp":[0-9]+', '"exp":N')
FROM (SELECT mountaineer.login('mt_repl_reader', 'repl-reader-password')->>'token' AS t) x;
-- @! login
SELECT mountaineer.login('mt_repl_reader', 'wrong');
SELECT mountaineer.login('no_such_user', 'x');
-- @ is_internal_function
SELECT mountaineer.is_internal_function('mountaineer.row_label(regclass,text)'::regprocedure),
       mountaineer.is_internal_function('mountaineer.slug(uuid)'::regprocedure);
-- @ api_pre_request
SET request.path = '/rpc/slug';
SELECT mountaineer.api_pre_request();
SET request.path = '/site';
SELECT mountaineer.api_pre_request();
-- @! api_pre_request
SET request.path = '/rpc/row_label';
SELECT mountaineer.api_pre_request();
RESET request.path;
-- @ actor
SELECT mountaineer.actor();
SET mountaineer.actor = 'salt-master';
SELECT mountaineer.actor();
SET request.jwt.claims = '{"sub": "alice"}';
SELECT mountaineer.actor();
-- @ acting_role
SELECT mountaineer.acting_role(), session_user, current_user;
SET mountaineer.actor = 'salt-master';
SET request.jwt.claims = '{"sub": "alice", "role": "mountaineer_admin"}';
SELECT mountaineer.acting_role();
SET ROLE mountaineer_reader;
SELECT mountaineer.acting_role(), session_user, current_user;
RESET ROLE;
SELECT mountaineer.acting_role();
-- @ excerpt is_valid_name
SELECT s, mountaineer.excerpt(s), mountaineer.is_valid_name(s), mountaineer.is_valid_name(s, 10), mountaineer.is_valid_name(s, 64)
  FROM unnest(ARRAY['a01-c01', '', ' lead', 'trail ', 'in between', E'tab\there', E'new\nline', E'\u00e9t\u00e9', 'with "quotes"',
                    repeat('x', 64), repeat('y', 65), repeat('ü', 100), repeat('ü', 101), 'Weismüllerstraße']) s
 ORDER BY 1;
SELECT d.name, mountaineer.excerpt(d.name), mountaineer.is_valid_name(d.name) FROM mountaineer.device d ORDER BY 1;
SELECT h.hostname, mountaineer.excerpt(h.hostname), mountaineer.is_valid_name(h.hostname, 253) FROM mountaineer.host h ORDER BY 1;
SELECT mountaineer.excerpt(NULL) IS NULL, mountaineer.is_valid_name(NULL) IS NULL, mountaineer.is_valid_name('x', NULL) IS NULL,
       mountaineer.is_valid_name('x', 0);
-- @ row_label
SELECT c.relname, mountaineer.row_label(c.oid, 't'), mountaineer.row_label(c.oid, 'My Alias')
  FROM pg_class c WHERE c.relnamespace = 'mountaineer'::regnamespace AND c.relkind IN ('r', 'v') ORDER BY 1;
SELECT mountaineer.row_label('pg_class', 'c'), mountaineer.row_label('mountaineer.ip_range', 'r'), mountaineer.row_label(NULL, 't') IS NULL;
-- @ restoring
SELECT t, mountaineer.restoring(t) FROM unnest('{mountaineer.site,mountaineer.change,mountaineer.prefix_free}'::regclass[]) t ORDER BY 1;
-- @ insert_needs_attributes
SELECT t, mountaineer.insert_needs_attributes(t) FROM unnest('{mountaineer.site,mountaineer.rack,mountaineer.prefix,pg_catalog.pg_class}'::regclass[]) t ORDER BY 1;
-- @! insert_needs_attributes
SELECT mountaineer.insert_needs_attributes(0);
-- @ history
SELECT c.table_name, h.* FROM (SELECT DISTINCT schema_name, table_name, row_id FROM mountaineer.change) c,
       LATERAL mountaineer.history(format('%I.%I', c.schema_name, c.table_name)::regclass, c.row_id) h
 ORDER BY c.table_name, c.row_id, h.id;
SELECT * FROM mountaineer.history('mountaineer.device', t.dev('a01-c01'));
SELECT count(*) FROM mountaineer.history('mountaineer.site', '00000000-0000-0000-0000-000000000000');
-- @ as_of
SELECT c.table_name, c.row_id, x.at + d.d AS at,
       mountaineer.as_of(format('%I.%I', c.schema_name, c.table_name)::regclass, c.row_id, x.at + d.d)
  FROM (SELECT schema_name, table_name, row_id FROM mountaineer.change GROUP BY 1, 2, 3 HAVING count(*) > 1) c
  JOIN mountaineer.change x ON x.row_id = c.row_id,
       (VALUES (interval '0'), (interval '-1 microsecond'), (interval '1 microsecond')) d(d)
 ORDER BY 1, 2, 3;
SELECT c.table_name, c.row_id, mountaineer.as_of(format('%I.%I', c.schema_name, c.table_name)::regclass, c.row_id, m.at)
  FROM (SELECT DISTINCT schema_name, table_name, row_id FROM mountaineer.change
         WHERE table_name IN ('site', 'rack', 'device', 'host', 'grain', 'monitoring_exception', 'prefix')) c,
       (SELECT max(at) AS at FROM mountaineer.change) m
 ORDER BY 1, 2;
SELECT mountaineer.as_of('mountaineer.site', t.site('lon1'), '2000-01-01 00:00+00') IS NULL;
-- @ rackspan lower upper height face rackspan_in rackspan_out rackspan_send
SET search_path = mountaineer, public;
SELECT r, mountaineer.lower(r), mountaineer.upper(r), mountaineer.height(r), mountaineer.face(r),
       mountaineer.rackspan_out(r), mountaineer.rackspan_send(r), mountaineer.rackspan_in(mountaineer.rackspan_out(r)) = r
  FROM (SELECT DISTINCT position AS r FROM mountaineer.device WHERE position IS NOT NULL) s ORDER BY r;
SELECT f, h, face, mountaineer.rackspan(f, h, face) FROM generate_series(1, 40, 13) f, generate_series(1, 3) h,
       unnest('{front,rear,full}'::text[]) face ORDER BY 1, 2, 3;
SELECT mountaineer.rackspan(10, 4), 'u10 - u13'::mountaineer.rackspan, 'U7/rear'::mountaineer.rackspan, mountaineer.rackspan_in('U32767/FRONT');
-- @! rackspan rackspan_in
SELECT 'U13-U10'::mountaineer.rackspan;
SELECT 'U0'::mountaineer.rackspan;
SELECT 'U1/side'::mountaineer.rackspan;
SELECT mountaineer.rackspan(1, 0);
-- @ rackspan_overlaps rackspan_contains rackspan_contained_by rackspan_eq rackspan_ne rackspan_lt rackspan_le rackspan_gt rackspan_ge rackspan_cmp rackspan_hash
SET search_path = mountaineer, public;
SELECT a, b, mountaineer.rackspan_overlaps(a, b), mountaineer.rackspan_contains(a, b), mountaineer.rackspan_contained_by(a, b),
       mountaineer.rackspan_eq(a, b), mountaineer.rackspan_ne(a, b), mountaineer.rackspan_lt(a, b), mountaineer.rackspan_le(a, b),
       mountaineer.rackspan_gt(a, b), mountaineer.rackspan_ge(a, b), mountaineer.rackspan_cmp(a, b), mountaineer.rackspan_hash(a),
       a && b, a @> b, a <@ b, a = b, a <> b, a < b
  FROM (SELECT position FROM mountaineer.device WHERE rack_id = t.rack('A01') AND position IS NOT NULL
        UNION SELECT 'U1-U42/rear') x(a),
       (SELECT position FROM mountaineer.device WHERE rack_id = t.rack('A01') AND position IS NOT NULL
        UNION SELECT 'U5-U10/front') y(b)
 ORDER BY a, b;
-- @ rackspan_contains_unit rackspan_unit_contained_by
SET search_path = mountaineer, public;
SELECT r, u, mountaineer.rackspan_contains_unit(r, u), mountaineer.rackspan_unit_contained_by(u, r), r @> u, u <@ r
  FROM (SELECT DISTINCT position FROM mountaineer.device WHERE position IS NOT NULL) s(r), generate_series(0, 43) u
 ORDER BY r, u;
-- @ rackspan_free rackspan_first_fit
SELECT r.name, f.face, x
  FROM mountaineer.rack r, unnest('{front,rear,full}'::text[]) f(face),
       LATERAL mountaineer.rackspan_free(ARRAY(SELECT position FROM mountaineer.device d WHERE d.rack_id = r.id AND position IS NOT NULL),
                                         r.units, f.face) x
 ORDER BY 1, 2, 3;
SELECT r.name, f.face, h, mountaineer.rackspan_first_fit(
           ARRAY(SELECT position FROM mountaineer.device d WHERE d.rack_id = r.id AND position IS NOT NULL), r.units, h, f.face)
  FROM mountaineer.rack r, unnest('{front,rear,full}'::text[]) f(face), unnest('{1,2,3,10,30,42}'::int[]) h
 ORDER BY 1, 2, 3;
SELECT * FROM mountaineer.rackspan_free('{U1-U2,U10-U13/front,U40-U42/rear}', 42, 'rear');
SELECT mountaineer.rackspan_first_fit('{U1-U2,U5/front}', 42, 3, 'rear'), mountaineer.rackspan_first_fit('{U1-U42}', 42, 1);
-- @ rackspan_gist_consistent
SET search_path = mountaineer, public;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT name FROM mountaineer.device WHERE position && 'U10/front';
SELECT name, position FROM mountaineer.device WHERE position && 'U10/front' ORDER BY name;
SELECT name, position FROM mountaineer.device WHERE position @> 41 ORDER BY name;
SELECT name, position FROM mountaineer.device WHERE rack_id = t.rack('A02') AND position <@ 'U30-U42' ORDER BY name;
-- @ cidr_free cidr_next_free inet_next_free
SELECT p.prefix, f FROM mountaineer.prefix p,
       LATERAL mountaineer.cidr_free(p.prefix, ARRAY(SELECT c.prefix FROM mountaineer.prefix c
                                                     WHERE c.prefix << p.prefix AND c.vrf_id IS NOT DISTINCT FROM p.vrf_id)) f
 ORDER BY p.vrf_id NULLS FIRST, p.prefix, f;
SELECT p.prefix, l, mountaineer.cidr_next_free(p.prefix, l, u.used)
  FROM mountaineer.prefix p,
       LATERAL (SELECT ARRAY(SELECT c.prefix FROM mountaineer.prefix c
                              WHERE c.prefix << p.prefix AND c.vrf_id IS NOT DISTINCT FROM p.vrf_id)) u(used),
       generate_series(masklen(p.prefix), least(masklen(p.prefix) + 12, CASE family(p.prefix) WHEN 4 THEN 32 ELSE 128 END)) l
 ORDER BY p.vrf_id NULLS FIRST, p.prefix, l;
SELECT p.prefix, mountaineer.inet_next_free(p.prefix, ARRAY(SELECT a.address FROM mountaineer.ip_address a
                                                            WHERE a.address <<= p.prefix AND a.vrf_id IS NOT DISTINCT FROM p.vrf_id))
  FROM mountaineer.prefix p ORDER BY p.vrf_id NULLS FIRST, p.prefix;
SELECT * FROM mountaineer.cidr_free('10.0.0.0/24', '{10.0.0.0/26,10.0.0.128/25}');
SELECT mountaineer.cidr_next_free('10.0.0.0/24', 25, '{10.0.0.0/26}'), mountaineer.inet_next_free('10.0.0.0/24', '{10.0.0.1/24,10.0.0.2/32}'),
       mountaineer.inet_next_free('2001:db8::/127', '{}'), mountaineer.cidr_next_free('2001:db8::/32', 48, '{2001:db8::/48,NULL}');
-- @! cidr_free cidr_next_free inet_next_free
SELECT mountaineer.cidr_next_free('10.0.0.0/16', 8, '{}');
SELECT mountaineer.cidr_next_free('10.0.0.0/16', 33, '{}');
SELECT * FROM mountaineer.cidr_free('10.0.0.0/24', '{2001:db8::/64}');
SELECT mountaineer.inet_next_free('10.0.0.0/24', '{2001:db8::1}');
-- @ inet_range_cidrs
SELECT g.start_address, g.end_address, c FROM mountaineer.ip_range g,
       LATERAL mountaineer.inet_range_cidrs(g.start_address, g.end_address) c ORDER BY 1, 3;
SELECT * FROM mountaineer.inet_range_cidrs('10.0.0.5', '10.0.0.20');
SELECT * FROM mountaineer.inet_range_cidrs('2001:db8::ff', '2001:db8::1:0');
-- @ reverse_zone ptr_name
SELECT p.prefix, mountaineer.reverse_zone(p.prefix) FROM mountaineer.prefix p ORDER BY p.vrf_id NULLS FIRST, p.prefix;
SELECT a.address, mountaineer.ptr_name(a.address) FROM mountaineer.ip_address a ORDER BY a.vrf_id NULLS FIRST, a.address;
SELECT mountaineer.reverse_zone('2001:db8::/32'), mountaineer.reverse_zone('10.1.2.0/23'), mountaineer.ptr_name('10.1.2.5');
-- @ rack_units_of rack_first_fit rack_free
SELECT r.name, mountaineer.rack_units_of(r.id) FROM mountaineer.rack r ORDER BY 1;
SELECT r.name, h, f, mountaineer.rack_first_fit(r.id, h, f)
  FROM mountaineer.rack r, unnest('{1,2,4,10,31,42}'::int[]) h, unnest('{front,rear,full}'::text[]) f ORDER BY 1, 2, 3;
SELECT r.name, f, x FROM mountaineer.rack r, unnest('{front,rear,full}'::text[]) f, LATERAL mountaineer.rack_free(r.id, f) x ORDER BY 1, 2, 3;
SELECT r.name, mountaineer.rack_first_fit(r.id, 2), ARRAY(SELECT mountaineer.rack_free(r.id)) FROM mountaineer.rack r ORDER BY 1;
-- @ rack_elevation
SELECT r.name, e.* FROM mountaineer.rack r, LATERAL mountaineer.rack_elevation(r.id) e ORDER BY r.name, e.unit DESC;
-- @! rack_units_of rack_first_fit rack_free rack_elevation
SELECT mountaineer.rack_units_of('00000000-0000-0000-0000-000000000000');
SELECT mountaineer.rack_first_fit('00000000-0000-0000-0000-000000000000', 1);
SELECT * FROM mountaineer.rack_free('00000000-0000-0000-0000-000000000000');
SELECT * FROM mountaineer.rack_elevation('00000000-0000-0000-0000-000000000000');
-- @ netbox_node_name
SELECT mountaineer.netbox_node_name('nbrep', 'dcim_interface:1');
-- @ netbox_verify
SELECT * FROM mountaineer.netbox_verify('nbrep');
-- @! netbox_verify
SELECT * FROM mountaineer.netbox_verify(NULL);
-- @ port_kinds_compatible
SELECT a, b, mountaineer.port_kinds_compatible(a, b)
  FROM unnest(enum_range(NULL::mountaineer.port_kind)) a, unnest(enum_range(NULL::mountaineer.port_kind)) b ORDER BY 1, 2;
-- @ cable_name
SELECT c.id, mountaineer.cable_name(c) FROM mountaineer.cable c ORDER BY c.id;
SELECT mountaineer.cable_name(jsonb_populate_record(NULL::mountaineer.cable, '{"id": "6f1c2b7e-8a41-4f0e-9c5d-3a2b1c0d9e8f"}'));
-- @ cable_trace
SELECT d.name, p.name, tr.* FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id,
       LATERAL mountaineer.cable_trace(p.id) tr ORDER BY d.name, p.name, tr.branch, tr.hop;
SELECT tr.branch, tr.hop, nd.name || ':' || np.name AS near, c.label AS cable, fd.name || ':' || fp.name AS far, tr.outcome
  FROM mountaineer.cable_trace(t.port('a01-c03', 'eth0')) tr
  JOIN mountaineer.device nd ON nd.id = tr.near_device JOIN mountaineer.port np ON np.id = tr.near_port
  JOIN mountaineer.cable c ON c.id = tr.cable_id
  JOIN mountaineer.device fd ON fd.id = tr.far_device JOIN mountaineer.port fp ON fp.id = tr.far_port
 ORDER BY 1, 2;
SELECT count(*) FROM mountaineer.cable_trace(NULL);
-- @ cable_path
SELECT d.name, p.name, mountaineer.cable_path(p.id) FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id ORDER BY 1, 2;
-- @ power_trace
SELECT d.name, p.name, tr.* FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id,
       LATERAL mountaineer.power_trace(p.id) tr WHERE p.kind = 'power_port' ORDER BY d.name, p.name, tr.branch, tr.hop;
-- @ impact
SELECT d.name, i.* FROM mountaineer.device d, LATERAL mountaineer.impact(d.id) i ORDER BY d.name, i.depth, i.device_id;
SELECT i.depth, d.kind, count(*) FROM mountaineer.impact(t.dev('a02-tor')) i
  JOIN mountaineer.device d ON d.id = i.device_id GROUP BY 1, 2 ORDER BY 1, 2;
-- @ port_doc
SELECT p.id, mountaineer.port_doc(p.id) FROM mountaineer.port p ORDER BY p.id;
-- @ port_title
SELECT p.id, mountaineer.port_title(p.id) FROM mountaineer.port p ORDER BY p.id;
SELECT mountaineer.port_title('00000000-0000-0000-0000-000000000000');
-- @ dot_id
SELECT s, mountaineer.dot_id(s) FROM unnest(ARRAY['a01-c01', 'with "quotes"', 'back\slash', '', 'Weismüllerstraße', E'new\nline']) s ORDER BY 1;
-- @ topology_dot
SELECT s.name, mountaineer.topology_dot(s.id) FROM mountaineer.site s ORDER BY 1;
-- @! cable_trace cable_path power_trace impact topology_dot port_doc
SELECT * FROM mountaineer.cable_trace('00000000-0000-0000-0000-000000000000');
SELECT mountaineer.cable_path('00000000-0000-0000-0000-000000000000');
SELECT * FROM mountaineer.power_trace('00000000-0000-0000-0000-000000000000');
SELECT * FROM mountaineer.power_trace(t.port('a01-c03', 'eth0'));
SELECT * FROM mountaineer.impact('00000000-0000-0000-0000-000000000000');
SELECT mountaineer.topology_dot('00000000-0000-0000-0000-000000000000');
SELECT mountaineer.port_doc('00000000-0000-0000-0000-000000000000');
-- @ normalize_hostname host_shortname host_domain
SELECT hostname, mountaineer.normalize_hostname(upper(hostname) || '.'), mountaineer.host_shortname(hostname), mountaineer.host_domain(hostname)
  FROM mountaineer.host ORDER BY 1;
SELECT mountaineer.normalize_hostname('WEB1.Example.COM.'), mountaineer.host_shortname('localhost'), mountaineer.host_domain('localhost');
-- @! normalize_hostname
SELECT mountaineer.normalize_hostname('10.0.0.1');
SELECT mountaineer.normalize_hostname('bad_name.example.com');
SELECT mountaineer.normalize_hostname('localhost');
SELECT mountaineer.normalize_hostname(repeat('a', 64) || '.example.com');
-- @ host_monitored
SELECT h.hostname, w.at, mountaineer.host_monitored(h.id, w.at)
  FROM mountaineer.host h,
       (SELECT unnest(ARRAY[lower(during), upper(during), lower(during) - interval '1 second', upper(during) - interval '1 microsecond'])
          FROM mountaineer.monitoring_exception
        UNION SELECT '2000-01-01 00:00+00' UNION SELECT '2100-01-01 00:00+00') w(at)
 ORDER BY 1, 2;
SELECT hostname, mountaineer.host_monitored(id) = mountaineer.host_monitored(id, now()) FROM mountaineer.host ORDER BY 1;
-- @ host_grains
SELECT hostname, mountaineer.host_grains(id) FROM mountaineer.host ORDER BY 1;
-- @! host_monitored host_grains
SELECT mountaineer.host_monitored('00000000-0000-0000-0000-000000000000', '2030-01-01 00:00+00');
SELECT mountaineer.host_grains('00000000-0000-0000-0000-000000000000');
-- @ vrf_key host_cidr first_address last_address
SELECT p.prefix, mountaineer.vrf_key(p.vrf_id), mountaineer.first_address(p.prefix), mountaineer.last_address(p.prefix)
  FROM mountaineer.prefix p ORDER BY p.vrf_id NULLS FIRST, p.prefix;
SELECT a.address, mountaineer.host_cidr(a.address), mountaineer.first_address(a.address), mountaineer.last_address(a.address)
  FROM mountaineer.ip_address a ORDER BY a.vrf_id NULLS FIRST, a.address;
-- @ is_valid_rd
SELECT v.name, v.rd, mountaineer.is_valid_rd(v.rd) FROM mountaineer.vrf v ORDER BY 1;
SELECT rd, mountaineer.is_valid_rd(rd)
  FROM unnest('{65000:100,0:0,65535:4294967295,65536:65535,4294967295:65535,4294967296:1,65536:65536,10.0.0.1:7,10.0.0.1:65535,10.0.0.1:65536,256.0.0.1:1,010.0.0.1:1,01:1,1:01,65000,65000:,:100,abc,""}'::text[]) rd
 ORDER BY 1;
SELECT mountaineer.is_valid_rd(NULL) IS NULL;
-- @ inetrange inetmultirange
SET search_path = mountaineer, public;
SELECT g.description, mountaineer.inetrange(host(g.start_address)::inet, host(g.end_address)::inet, '[]'),
       mountaineer.inetrange(host(g.start_address)::inet, host(g.end_address)::inet),
       mountaineer.inetmultirange(mountaineer.inetrange(host(g.start_address)::inet, host(g.end_address)::inet, '[]')),
       mountaineer.inetrange(host(g.start_address)::inet, host(g.end_address)::inet, '[]') @> '10.0.0.220'::inet
  FROM mountaineer.ip_range g ORDER BY 1;
SELECT mountaineer.inetmultirange(), mountaineer.inetrange('10.0.0.1', '10.0.0.1'), mountaineer.inetrange(NULL, '2001:db8::1', '(]'),
       mountaineer.inetmultirange(mountaineer.inetrange('10.0.0.1', '10.0.0.5'), mountaineer.inetrange('10.0.0.4', '10.0.0.9', '[]'),
                                  mountaineer.inetrange('2001:db8::', '2001:db8::ff')),
       mountaineer.inetmultirange(VARIADIC ARRAY[mountaineer.inetrange('10.0.0.20', '10.0.0.30')]);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT description FROM mountaineer.ip_range
 WHERE mountaineer.vrf_key(vrf_id) = mountaineer.vrf_key(NULL)
   AND mountaineer.inetrange(host(start_address)::inet, host(end_address)::inet, '[]') && mountaineer.inetrange('10.0.0.240', '10.0.1.0');
SELECT description FROM mountaineer.ip_range
 WHERE mountaineer.vrf_key(vrf_id) = mountaineer.vrf_key(NULL)
   AND mountaineer.inetrange(host(start_address)::inet, host(end_address)::inet, '[]') && mountaineer.inetrange('10.0.0.240', '10.0.1.0');
-- @! inetrange inetmultirange
SELECT mountaineer.inetrange('10.0.0.9', '10.0.0.1');
SELECT mountaineer.inetrange('10.0.0.1', '10.0.0.9', '[x');
SELECT mountaineer.inetmultirange(VARIADIC ARRAY[mountaineer.inetrange('10.0.0.1', '10.0.0.5'), NULL]);
-- @ prefix_row prefix_by_id prefix_parent prefix_children prefix_depth
SELECT p.prefix, mountaineer.prefix_row(p.prefix, p.vrf_id) = p, mountaineer.prefix_by_id(p.id),
       mountaineer.prefix_parent(p.id), mountaineer.prefix_depth(p.id)
  FROM mountaineer.prefix p ORDER BY p.vrf_id NULLS FIRST, p.prefix;
SELECT p.prefix, c.* FROM mountaineer.prefix p, LATERAL mountaineer.prefix_children(p.id) c ORDER BY p.vrf_id NULLS FIRST, p.prefix, c.prefix;
-- @! prefix_row prefix_by_id
SELECT mountaineer.prefix_row('10.99.0.0/16', NULL);
SELECT mountaineer.prefix_row('172.16.0.0/24', NULL);
SELECT mountaineer.prefix_by_id('00000000-0000-0000-0000-000000000000');
-- @ check_prefix_length
SELECT mountaineer.check_prefix_length('10.0.0.0/16', 24), mountaineer.check_prefix_length('2001:db8::/32', 128);
SELECT mountaineer.check_prefix_length('10.0.0.0/8', 32), mountaineer.check_prefix_length('2001:db8::/48', 64);
-- @! check_prefix_length
SELECT mountaineer.check_prefix_length('10.0.0.0/16', 8);
SELECT mountaineer.check_prefix_length('10.0.0.0/16', 33);
-- @ next_free_prefix free_prefixes next_free_ip prefix_utilization prefix_free_expected
SELECT p.prefix, l, mountaineer.next_free_prefix(p.prefix, l, p.vrf_id)
  FROM mountaineer.prefix p, generate_series(masklen(p.prefix), least(masklen(p.prefix) + 16, CASE family(p.prefix) WHEN 4 THEN 32 ELSE 128 END)) l
 ORDER BY p.vrf_id NULLS FIRST, p.prefix, l;
SELECT p.prefix, f FROM mountaineer.prefix p, LATERAL mountaineer.free_prefixes(p.prefix, p.vrf_id) f ORDER BY p.vrf_id NULLS FIRST, p.prefix, f;
SELECT p.prefix, p.status, CASE WHEN p.status = 'active' THEN mountaineer.next_free_ip(p.prefix, p.vrf_id) END,
       mountaineer.prefix_utilization(p.prefix, p.vrf_id), ARRAY(SELECT mountaineer.prefix_free_expected(p))
  FROM mountaineer.prefix p ORDER BY p.vrf_id NULLS FIRST, p.prefix;
SELECT mountaineer.next_free_prefix('10.0.0.0/16', 22), mountaineer.next_free_ip('10.0.0.0/24'), mountaineer.next_free_ip('172.16.0.0/24', t.vrf('mgmt'));
-- @! next_free_prefix free_prefixes next_free_ip prefix_utilization
SELECT mountaineer.next_free_prefix('10.99.0.0/16', 24);
SELECT mountaineer.next_free_prefix('10.0.0.0/16', 8);
SELECT * FROM mountaineer.free_prefixes('172.16.0.0/24');
SELECT mountaineer.next_free_ip('172.16.0.0/24', t.vrf('lab'));
SELECT mountaineer.next_free_ip('10.0.0.0/8');
SELECT mountaineer.next_free_ip('2001:db8::/48');
SELECT mountaineer.prefix_utilization('10.99.0.0/16');
-- @ as_number as_number_in as_number_out as_number_send as_number_json asdot
SELECT '1.10'::mountaineer.as_number, 4200000001::mountaineer.as_number, 65000::mountaineer.as_number,
       mountaineer.asdot('4200000001'), to_json('1.10'::mountaineer.as_number), mountaineer.as_number_send('65000');
SELECT asn, mountaineer.asdot(asn), to_jsonb(a) - 'id' - 'slug' - 'rir_id' FROM mountaineer.asn a ORDER BY asn;
-- @! as_number as_number_in
SELECT 4294967296::mountaineer.as_number;
SELECT '65536.1'::mountaineer.as_number;
-- @ next_free_asn
SELECT name, mountaineer.next_free_asn(id) FROM mountaineer.asn_range ORDER BY name;
-- @! next_free_asn
SELECT mountaineer.next_free_asn('00000000-0000-0000-0000-000000000000');
-- @ next_free_vlan
SELECT name, mountaineer.next_free_vlan(id) FROM mountaineer.vlan_group ORDER BY name;
-- @! next_free_vlan
SELECT mountaineer.next_free_vlan('00000000-0000-0000-0000-000000000000');
-- @ check_route_target
SELECT name, mountaineer.check_route_target(name) FROM mountaineer.route_target ORDER BY name;
SELECT prefix, rir, percent_covered FROM mountaineer.aggregate_usage ORDER BY prefix;
-- @! check_route_target
SELECT mountaineer.check_route_target('65536:65536');
-- @ rack_elevation_svg svg_label xml_escape
SELECT r.name, mountaineer.rack_elevation_svg(r.id) FROM mountaineer.rack r ORDER BY 1;
SELECT s, mountaineer.xml_escape(s), mountaineer.svg_label(s) FROM unnest(ARRAY['a01-c01', 'a&b <c> "d" ''e''', repeat('x', 30)]) s ORDER BY 1;
-- @! rack_elevation_svg
SELECT mountaineer.rack_elevation_svg('00000000-0000-0000-0000-000000000000');
-- @ vault_ciphertext_problem is_vault_ciphertext vault_key_version
SELECT c, mountaineer.vault_ciphertext_problem(c), mountaineer.is_vault_ciphertext(c), mountaineer.vault_key_version(c)
FROM unnest(ARRAY['vault:v2:' || encode(convert_to(repeat('n', 40), 'UTF8'), 'base64'), 'hunter2', 'vault:v0:AAAA']) c ORDER BY 1;
-- @! host_secrets current_host_safes
SELECT * FROM mountaineer.host_secrets('db1.prod.example.net');
SELECT * FROM mountaineer.current_host_safes();
-- @ salt_minion_host hosts_not_seen
SELECT m, mountaineer.salt_minion_host(m) IS NOT NULL FROM unnest(ARRAY['web1.prod.example.net', 'DB1', 'build-07.ci.example.net']) m ORDER BY 1;
SELECT hostname FROM mountaineer.hosts_not_seen('0 seconds') ORDER BY 1;
-- @! hosts_not_seen
SELECT mountaineer.hosts_not_seen('-1 day');
-- @! salt_pillar
SELECT mountaineer.salt_pillar('web1.prod.example.net');
-- @ is_valid_domain_name dns_name dns_suffixes dns_ptr_address dns_next_serial dns_txt dns_address_scoped
SELECT mountaineer.is_valid_domain_name('www.example.net'), mountaineer.dns_name('WWW.Example.NET.'), mountaineer.dns_suffixes('a.b.c'),
       mountaineer.dns_ptr_address('5.0.0.10.in-addr.arpa'), mountaineer.dns_next_serial(2026120299, '2026-12-02'),
       mountaineer.dns_txt('hi'), mountaineer.dns_address_scoped('5.0.0.10.in-addr.arpa', 'PTR');
-- @! dns_name
SELECT mountaineer.dns_name('bad_name.example');
-- @ dns_zone_assign dns_verify
SELECT * FROM mountaineer.dns_zone_assign(ARRAY['web1.prod.example.net', '22.0.0.10.in-addr.arpa']) ORDER BY name;
SELECT count(*) FROM mountaineer.dns_verify();
-- @ ec2_tags ec2_region
SELECT mountaineer.ec2_tags('[{"Key": "Name", "Value": "web-1"}]'), mountaineer.ec2_region('eu-west-1a'), mountaineer.ec2_region('nowhere');
-- @ region_tree region_sites region_racks region_devices
SELECT r.name, (SELECT count(*) FROM mountaineer.region_tree(r.id)), (SELECT count(*) FROM mountaineer.region_sites(r.id)),
       (SELECT count(*) FROM mountaineer.region_racks(r.id)), (SELECT count(*) FROM mountaineer.region_devices(r.id))
  FROM mountaineer.region r ORDER BY r.name;
-- @! region_tree region_devices
SELECT count(*) FROM mountaineer.region_tree('00000000-0000-0000-0000-000000000000');
SELECT count(*) FROM mountaineer.region_devices('00000000-0000-0000-0000-000000000000');
-- @ location_tree location_racks location_devices parent_location
SELECT l.name, (SELECT count(*) FROM mountaineer.location_tree(l.id)), (SELECT count(*) FROM mountaineer.location_racks(l.id)),
       (SELECT count(*) FROM mountaineer.location_devices(l.id)), (SELECT string_agg(p.name, ',') FROM mountaineer.parent_location(l) p)
  FROM mountaineer.location l ORDER BY l.name;
-- @ power_counts power_draw power_inputs_of
SELECT d.name, mountaineer.power_counts(d), mountaineer.power_draw(d.id), (SELECT count(*) FROM mountaineer.power_inputs_of(d.id))
  FROM mountaineer.device d ORDER BY d.name;
-- @ attribute_tables
SELECT * FROM mountaineer.attribute_tables() ORDER BY 1::text;
-- @ prefix_free_verify
SELECT count(*) FROM mountaineer.prefix_free_verify();
SELECT * FROM mountaineer.prefix_free_verify() ORDER BY prefix_id;
SQL

# the views, derived from the catalogue; pinned columns replaced
declare -A pin=(
    [host_detail.monitored_now]="monitored_now IS NOT DISTINCT FROM mountaineer.host_monitored(id, now()) AS monitored_now_agrees"
)
for v in $views; do
    cols=$(q $P $db -c "SELECT string_agg(quote_ident(attname), ' ' ORDER BY attnum) FROM pg_attribute
                         WHERE attrelid = 'mountaineer.$v'::regclass AND attnum > 0 AND NOT attisdropped")
    list=
    for c in $cols; do list+="${list:+, }${pin[$v.$c]:-$c}"; done
    printf -- '-- @view %s\nSELECT count(*) FROM mountaineer.%s;\nSELECT x::text FROM (SELECT %s FROM mountaineer.%s) x ORDER BY 1;\n' \
        "$v" "$v" "$list" "$v" >>"$work/reads.sql"
done

mkdir -p "$work/read"
awk -v dir="$work/read" '
    /^-- @/ { k++; f = sprintf("%s/%03d.sql", dir, k); kind = $2; $1 = ""; $2 = ""; sub(/^ +/, "");
              printf "%03d\t%s\t%s\n", k, kind, $0 > (dir "/index"); next }
    { print > f }' "$work/reads.sql"
nsections=$(wc -l <"$work/read/index")

# All sections in one session (connections are slow on a busy machine):
# each starts with RESET ALL, sends its rows to a file of its own (\o) and
# announces itself on stderr (\warn), where psql writes its errors too, so
# that stderr can be cut at the markers.
while IFS=$'\t' read -r id kind names; do
    printf '\\o %s/read/%s.@TAG@.out\n\\warn @@%s\nRESET ALL;\n' "$work" "$id" "$id"
    cat "$work/read/$id.sql"
done <"$work/read/index" >"$work/reads.all"
printf '\\o\n\\warn @@end\n' >>"$work/reads.all"
# run_reads CLUSTER DB TAG: every section, as mt_repl_reader; stdout and
# stderr to read/ID.TAG.out|err
run_reads() {
    sed "s/@TAG@/$3/" "$work/reads.all" |
        PGHOST=${H[$1]} PGPORT=${PORT[$1]} PGUSER=mt_repl_reader PGDATABASE=$2 psql -X -q -A -f - >/dev/null 2>"$work/reads.$3.err"
    awk -v dir="$work/read" -v tag="$3" '
        /^@@end$/ { f = ""; next }
        /^@@[0-9]+$/ { f = dir "/" substr($0, 3) "." tag ".err"; printf "" > f; next }
        f != "" { print > f }
        f == "" { print > (dir "/stray." tag ".err") }' "$work/reads.$3.err"
}

# --- write checks ----------------------------------------------------------------------
# "label|statement": every statement must fail on the standby with 25006
# alone, and succeed on the primary (rolled back), which proves it valid.
# Labels: "fn NAME" for a function, "TABLE OP" for a table.
cat >"$work/writes.txt" <<'SQL'
fn allocate_prefix|SELECT mountaineer.allocate_prefix('10.0.0.0/16', 24, NULL, 'replication check')
fn allocate_prefix|SELECT mountaineer.allocate_prefix('2001:db8::/48', 64)
fn allocate_prefix|SELECT mountaineer.allocate_prefix('172.16.0.0/24', 28, t.vrf('mgmt'), 'mgmt /28')
fn allocate_ip|SELECT mountaineer.allocate_ip('10.0.1.0/24', t.host('ci1.stage.example.net'))
fn allocate_ip|SELECT mountaineer.allocate_ip('2001:db8::/64', t.host('db1.prod.example.net'))
fn allocate_ip|SELECT mountaineer.allocate_ip('172.16.0.0/24', t.host('web1.prod.example.net'), t.vrf('mgmt'))
fn prefix_free_rebuild|SELECT mountaineer.prefix_free_rebuild()
fn allocate_named_ip|SELECT mountaineer.allocate_named_ip('10.0.1.0/24', t.host('ci1.stage.example.net'), 'ci-vip.example.net')
fn dns_zone_for_prefix|SELECT mountaineer.dns_zone_for_prefix('10.9.0.0/16')
fn dns_rebuild|SELECT mountaineer.dns_rebuild()
fn dns_bump_serials|SELECT mountaineer.dns_bump_serials(ARRAY(SELECT id FROM pdns.domains))
fn dns_sync|SELECT mountaineer.dns_sync('{}', ARRAY(SELECT id FROM pdns.records WHERE type = 'CAA'))
fn dns_sync_addresses|SELECT mountaineer.dns_sync_addresses(ARRAY['10.0.0.22/32'::cidr])
fn dns_sync_names|SELECT mountaineer.dns_sync_names(ARRAY['example.net'])
fn dns_sync_records|SELECT mountaineer.dns_sync_records(ARRAY['example.net'], ARRAY['MX'], ARRAY['mail.example.net'])
dns_zone INSERT|INSERT INTO mountaineer.dns_zone (name) VALUES ('example.org')
dns_zone UPDATE|UPDATE mountaineer.dns_zone SET refresh = refresh + 1 WHERE name = 'example.net'
dns_zone DELETE|DELETE FROM mountaineer.dns_zone WHERE name = '16.172.in-addr.arpa' OR name LIKE '%172.in-addr.arpa'
dns_record INSERT|INSERT INTO mountaineer.dns_record (zone_id, name, type, content) SELECT id, 'txt-check', 'TXT', 'v=check' FROM mountaineer.dns_zone WHERE name = 'example.net'
dns_record UPDATE|UPDATE mountaineer.dns_record SET ttl = 600 WHERE type = 'MX'
dns_record DELETE|DELETE FROM mountaineer.dns_record WHERE type = 'CAA'
highstate INSERT|INSERT INTO mountaineer.highstate (minion_id, jid, fun, started_at, returned_at) VALUES ('ghost.example.net', '20261202020000000009', 'state.apply', now(), now())
highstate UPDATE|UPDATE mountaineer.highstate SET host_id = NULL WHERE minion_id = 'db1'
highstate DELETE|DELETE FROM mountaineer.highstate WHERE minion_id = 'build-07.ci.example.net'
state_error INSERT|INSERT INTO mountaineer.state_error (highstate_id, state_id, sls, name, function, comment, run_num) SELECT id, 'x', 'x', 'x', 'file.managed', 'failed', 99 FROM mountaineer.highstate WHERE minion_id = 'web2.prod.example.net' LIMIT 1
state_error UPDATE|UPDATE mountaineer.state_error SET comment = comment || ' (seen)'
state_error DELETE|DELETE FROM mountaineer.state_error
state_change INSERT|INSERT INTO mountaineer.state_change (highstate_id, state_id, sls, name, function, changes) SELECT id, 'x', 'x', 'x', 'file.managed', '{}' FROM mountaineer.highstate WHERE minion_id = 'web1.prod.example.net' LIMIT 1
state_change UPDATE|UPDATE mountaineer.state_change SET changes = changes
state_change DELETE|DELETE FROM mountaineer.state_change
highstate_latest INSERT|WITH gone AS (DELETE FROM mountaineer.highstate_latest WHERE minion_id = 'db2.prod.example.net' RETURNING *) INSERT INTO mountaineer.highstate_latest SELECT * FROM gone
highstate_latest UPDATE|UPDATE mountaineer.highstate_latest SET highstate_id = highstate_id
highstate_latest DELETE|DELETE FROM mountaineer.highstate_latest
fn create_host_login|SELECT mountaineer.create_host_login('web2.prod.example.net', 'host_web2_repl')
safe INSERT|INSERT INTO mountaineer.safe (name) VALUES ('backup')
safe UPDATE|UPDATE mountaineer.safe SET description = 'TLS' WHERE name = 'prod-web'
safe DELETE|WITH gone AS (DELETE FROM mountaineer.secret WHERE safe_id = (SELECT id FROM mountaineer.safe WHERE name = 'stage')) DELETE FROM mountaineer.safe WHERE name = 'stage'
secret INSERT|INSERT INTO mountaineer.secret (safe_id, name, ciphertext, key_name) SELECT id, 'new', 'vault:v1:' || encode(convert_to(repeat('c', 40), 'UTF8'), 'base64'), 'prod' FROM mountaineer.safe WHERE name = 'stage'
secret UPDATE|UPDATE mountaineer.secret SET key_name = key_name WHERE name = 'tls-key'
secret DELETE|DELETE FROM mountaineer.secret WHERE name = 'api-token'
safe_access INSERT|INSERT INTO mountaineer.safe_access (safe_id, host_id) SELECT s.id, h.id FROM mountaineer.safe s, mountaineer.host h WHERE s.name = 'stage' AND h.hostname = 'web1.prod.example.net'
safe_access UPDATE|UPDATE mountaineer.safe_access SET permission = 'read' WHERE host_id IS NOT NULL
safe_access DELETE|DELETE FROM mountaineer.safe_access WHERE environment_id IS NOT NULL
host_login INSERT|INSERT INTO mountaineer.host_login (login, host_id) SELECT 'host_x_repl', id FROM mountaineer.host WHERE hostname = 'web2.prod.example.net'
host_login UPDATE|UPDATE mountaineer.host_login SET login = login WHERE login = 'host_db1'
host_login DELETE|DELETE FROM mountaineer.host_login WHERE login = 'host_web1'
fn allocate_asn|SELECT mountaineer.allocate_asn(id, 'replication check') FROM mountaineer.asn_range WHERE name = 'ams1 fabric'
rir INSERT|INSERT INTO mountaineer.rir (name) VALUES ('LACNIC')
rir UPDATE|UPDATE mountaineer.rir SET description = 'RIPE' WHERE name = 'RIPE NCC'
rir DELETE|DELETE FROM mountaineer.rir WHERE name = 'ARIN'
asn_range INSERT|INSERT INTO mountaineer.asn_range (name, rir_id, first_asn, last_asn) SELECT 'fra1 fabric', id, '4200001000', '4200001999' FROM mountaineer.rir WHERE name = 'private'
asn_range UPDATE|UPDATE mountaineer.asn_range SET last_asn = '4200000099' WHERE name = 'ams1 fabric'
asn_range DELETE|DELETE FROM mountaineer.asn_range WHERE name = 'ams1 fabric'
asn INSERT|INSERT INTO mountaineer.asn (asn, rir_id) SELECT '1.10', id FROM mountaineer.rir WHERE name = 'RIPE NCC'
asn UPDATE|UPDATE mountaineer.asn SET description = 'transit' WHERE asn = 64496
asn DELETE|DELETE FROM mountaineer.asn WHERE asn = 64496
fn allocate_vlan|SELECT mountaineer.allocate_vlan(id, 'replication check') FROM mountaineer.vlan_group WHERE name = 'transit'
vlan_group INSERT|INSERT INTO mountaineer.vlan_group (name, site_id) VALUES ('lab', t.site('fra1'))
vlan_group UPDATE|UPDATE mountaineer.vlan_group SET description = 'transit' WHERE name = 'transit'
vlan_group DELETE|WITH gone AS (DELETE FROM mountaineer.vlan WHERE group_id = (SELECT id FROM mountaineer.vlan_group WHERE name = 'fra1 access')) DELETE FROM mountaineer.vlan_group WHERE name = 'fra1 access'
fn free_add|SELECT mountaineer.free_add(t.prefix('10.0.0.0/24'), '10.0.0.0/24', mountaineer.vrf_key(NULL), '10.0.0.1/32')
fn free_take|SELECT mountaineer.free_take(mountaineer.vrf_key(NULL), mountaineer.next_free_prefix('10.0.0.0/16', 24))
fn free_split|SELECT mountaineer.free_split(mountaineer.vrf_key(NULL), mountaineer.next_free_prefix('10.0.0.0/16', 24))
fn prefix_attach|SELECT mountaineer.prefix_attach(jsonb_populate_record(NULL::mountaineer.prefix, jsonb_build_object('id', gen_random_uuid(), 'prefix', mountaineer.next_free_prefix('10.0.0.0/16', 24), 'status', 'active', 'is_pool', false)))
fn prefix_detach|SELECT mountaineer.prefix_detach(p) FROM mountaineer.prefix p WHERE p.id = t.prefix('10.0.2.0/24')
fn lock_vrf|SELECT mountaineer.lock_vrf(NULL)
fn lock_vrf|SELECT mountaineer.lock_vrf(t.vrf('mgmt'))
fn lock_vrf|SELECT mountaineer.lock_vrf(t.vrf('lab'))
fn address_masks|SELECT mountaineer.address_masks(mountaineer.vrf_key(NULL), '10.0.0.0/16')
fn events_since|SELECT count(*) FROM mountaineer.events_since('replication check')
fn events_since|SELECT count(*) FROM mountaineer.events_since('replication check, new')
fn events_ack|SELECT mountaineer.events_ack('replication check', 5)
fn prune_changes|SELECT mountaineer.prune_changes('0 seconds')
tag INSERT|INSERT INTO mountaineer.tag (name) VALUES ('replication')
tag UPDATE|UPDATE mountaineer.tag SET color = '000000' WHERE name = 'gpu'
tag DELETE|DELETE FROM mountaineer.tag WHERE name = 'replication spare'
attribute_definition INSERT|INSERT INTO mountaineer.attribute_definition (table_name, key, type) VALUES ('site', 'replication_key', 'text')
attribute_definition UPDATE|UPDATE mountaineer.attribute_definition SET description = 'the team' WHERE key = 'rack_owner'
attribute_definition DELETE|DELETE FROM mountaineer.attribute_definition WHERE key = 'warranty_until'
region INSERT|INSERT INTO mountaineer.region (name) VALUES ('Asia')
region UPDATE|UPDATE mountaineer.region SET description = 'EMEA' WHERE name = 'Europe'
region DELETE|DELETE FROM mountaineer.region WHERE name = 'replication spare'
location INSERT|INSERT INTO mountaineer.location (site_id, name) VALUES (t.site('fra1'), 'FR2')
location UPDATE|UPDATE mountaineer.location SET description = 'the AM3 building' WHERE name = 'AM3'
location DELETE|DELETE FROM mountaineer.location WHERE name = 'Cage 8'
site_group INSERT|INSERT INTO mountaineer.site_group (name) VALUES ('Lab')
site_group UPDATE|UPDATE mountaineer.site_group SET description = 'colocation sites' WHERE name = 'Colocation'
site_group DELETE|DELETE FROM mountaineer.site_group WHERE name = 'replication spare'
rack_role INSERT|INSERT INTO mountaineer.rack_role (name) VALUES ('Storage')
rack_role UPDATE|UPDATE mountaineer.rack_role SET color = '000000' WHERE name = 'Compute'
rack_role DELETE|DELETE FROM mountaineer.rack_role WHERE name = 'replication spare'
device_role INSERT|INSERT INTO mountaineer.device_role (name) VALUES ('Storage')
device_role UPDATE|UPDATE mountaineer.device_role SET color = '000000' WHERE name = 'Server'
device_role DELETE|DELETE FROM mountaineer.device_role WHERE name = 'replication spare'
platform INSERT|INSERT INTO mountaineer.platform (name) VALUES ('Debian 12')
platform UPDATE|UPDATE mountaineer.platform SET description = 'Arista EOS 4.30' WHERE name = 'EOS'
platform DELETE|DELETE FROM mountaineer.platform WHERE name = 'replication spare'
tenant INSERT|INSERT INTO mountaineer.tenant (name) VALUES ('Research')
tenant UPDATE|UPDATE mountaineer.tenant SET description = 'payments' WHERE name = 'Payments'
tenant DELETE|DELETE FROM mountaineer.tenant WHERE name = 'replication spare'
fn import_rows|SELECT * FROM mountaineer.import_rows('replication', 'vrf', 'mountaineer.vrf', '[{"key": "v-2", "row": {"name": "imported 2"}}]')
fn import_staged|SELECT * FROM mountaineer.import_staged('replication staged', 'vrf', 'mountaineer.vrf', 'public.replication_stage')
fn netbox_import|SELECT * FROM mountaineer.netbox_import('nbrep')
netbox_import_issue INSERT|INSERT INTO mountaineer.netbox_import_issue (source, object, netbox_id, rule, detail) VALUES ('replication', 'dcim_rack', 2, 'not_modelled', 'replication insert')
netbox_import_issue UPDATE|UPDATE mountaineer.netbox_import_issue SET detail = 'replication update' WHERE source = 'replication'
netbox_import_issue DELETE|DELETE FROM mountaineer.netbox_import_issue WHERE source = 'replication'
fn ec2_import|SELECT * FROM mountaineer.ec2_import('{"Vpcs": []}', region => 'eu-west-1')
ec2_subnet INSERT|INSERT INTO mountaineer.ec2_subnet (subnet_id, prefix_id, vpc_id, availability_zone) VALUES ('subnet-0c1a2b3c4d5e6f709', t.prefix('10.0.3.0/24'), 'vpc-07d4c1e2b3a495867', 'eu-west-1c')
ec2_subnet UPDATE|UPDATE mountaineer.ec2_subnet SET state = 'pending' WHERE subnet_id = 'subnet-0c1a2b3c4d5e6f701'
ec2_subnet DELETE|DELETE FROM mountaineer.ec2_subnet WHERE subnet_id = 'subnet-0c1a2b3c4d5e6f702'
ec2_instance INSERT|INSERT INTO mountaineer.ec2_instance (instance_id, host_id, instance_type, state, availability_zone) VALUES ('i-0d1e2f3a4b5c6d709', t.host('web1.prod.example.net'), 't3.micro', 'running', 'eu-west-1a')
ec2_instance UPDATE|UPDATE mountaineer.ec2_instance SET state = 'stopped' WHERE instance_id = 'i-0d1e2f3a4b5c6d703'
ec2_instance DELETE|DELETE FROM mountaineer.ec2_instance WHERE instance_id = 'i-0d1e2f3a4b5c6d702'
import_source INSERT|INSERT INTO mountaineer.import_source VALUES ('replication insert', 'vrf', 'mountaineer.vrf')
import_source UPDATE|UPDATE mountaineer.import_source SET table_name = 'mountaineer.site'
import_source DELETE|DELETE FROM mountaineer.import_source WHERE source = 'replication'
import_key INSERT|INSERT INTO mountaineer.import_key VALUES ('replication', 'vrf', 'v-9', gen_random_uuid())
import_key UPDATE|UPDATE mountaineer.import_key SET row_id = gen_random_uuid()
import_key DELETE|DELETE FROM mountaineer.import_key WHERE key = 'v-1'
fn k8s_import|SELECT * FROM mountaineer.k8s_import('k8s-ams1', '{"kind": "PodList", "items": [{"metadata": {"name": "replication-0", "namespace": "default", "uid": "00000000-0000-4000-8000-000000000001"}}]}')
k8s_node INSERT|INSERT INTO mountaineer.k8s_node (cluster_id, host_id, name, uid) VALUES (t.cluster('k8s-ams1'), t.host('web1.prod.example.net'), 'web1.prod.example.net', gen_random_uuid())
k8s_node UPDATE|UPDATE mountaineer.k8s_node SET ready = false WHERE name = 'k8s-w1.prod.example.net'
k8s_node DELETE|DELETE FROM mountaineer.k8s_node WHERE name = 'k8s-w3.prod.example.net'
k8s_pod INSERT|INSERT INTO mountaineer.k8s_pod (cluster_id, uid, namespace, name) VALUES (t.cluster('k8s-ams1'), gen_random_uuid(), 'default', 'replication-1')
k8s_pod UPDATE|UPDATE mountaineer.k8s_pod SET phase = 'Failed' WHERE name = 'db-0'
k8s_pod DELETE|DELETE FROM mountaineer.k8s_pod WHERE name = 'db-0'
event_consumer INSERT|INSERT INTO mountaineer.event_consumer (name) VALUES ('replication insert')
event_consumer UPDATE|UPDATE mountaineer.event_consumer SET acked_id = 0
event_consumer DELETE|DELETE FROM mountaineer.event_consumer WHERE name = 'replication check'
api_secret INSERT|INSERT INTO mountaineer.api_secret (secret) VALUES (repeat('s', 40)) ON CONFLICT (id) DO UPDATE SET secret = excluded.secret
api_secret UPDATE|UPDATE mountaineer.api_secret SET secret = repeat('u', 40)
api_secret DELETE|DELETE FROM mountaineer.api_secret
change INSERT|INSERT INTO mountaineer.change (actor, schema_name, table_name, row_id, op, after) VALUES ('replication-test', 'mountaineer', 'site', t.site('ams1'), 'insert', '{}')
change UPDATE|UPDATE mountaineer.change SET actor = 'someone else' WHERE id = (SELECT min(id) FROM mountaineer.change)
change DELETE|DELETE FROM mountaineer.change WHERE id = (SELECT min(id) FROM mountaineer.change)
site INSERT|INSERT INTO mountaineer.site (name) VALUES ('lon2')
site UPDATE|UPDATE mountaineer.site SET noc_phone = '+49 69 000 0000' WHERE name = 'fra1'
site DELETE|DELETE FROM mountaineer.site WHERE name = 'lon1'
rack INSERT|INSERT INTO mountaineer.rack (site_id, name, units) VALUES (t.site('fra1'), 'R2', 24)
rack UPDATE|UPDATE mountaineer.rack SET depth_in = 36 WHERE name = 'R1'
rack DELETE|DELETE FROM mountaineer.rack WHERE name = 'R1'
device INSERT|INSERT INTO mountaineer.device (kind, name, units, rack_id, position) VALUES ('server', 'a01-c09', 1, t.rack('A01'), 'U20')
device UPDATE|UPDATE mountaineer.device SET draw_watts = 600 WHERE name = 'a01-c02'
device DELETE|DELETE FROM mountaineer.device WHERE name = 'spare-pdu'
server INSERT|INSERT INTO mountaineer.server (id, memory_mib, cores) VALUES (t.dev('spare-01'), 65536, 16)
server UPDATE|UPDATE mountaineer.server SET memory_mib = 524288 WHERE id = t.dev('a01-c01')
server DELETE|DELETE FROM mountaineer.server WHERE id = t.dev('a03-c01')
pdu INSERT|INSERT INTO mountaineer.pdu (id, volts, amps) VALUES (t.dev('spare-pdu'), 230, 16)
pdu UPDATE|UPDATE mountaineer.pdu SET amps = 16 WHERE id = t.dev('a01-pdu-a')
pdu DELETE|DELETE FROM mountaineer.pdu WHERE id = t.dev('a03-pdu-b')
network_device INSERT|INSERT INTO mountaineer.network_device (id, speed, interconnect) VALUES (t.dev('spare-sw'), '10g', 'sfp_plus')
network_device UPDATE|UPDATE mountaineer.network_device SET speed = '100g' WHERE id = t.dev('a02-tor')
network_device DELETE|DELETE FROM mountaineer.network_device WHERE id = t.dev('a03-tor')
power_feed INSERT|WITH p AS (INSERT INTO mountaineer.port (device_id, name, kind) VALUES (t.dev('ams1-power'), 'feed-C1', 'power_feed') RETURNING id) INSERT INTO mountaineer.power_feed (id, volts, amps) SELECT id, 230, 16 FROM p
power_feed UPDATE|UPDATE mountaineer.power_feed SET amps = 16 WHERE id = (SELECT id FROM mountaineer.port WHERE device_id = t.dev('ams1-power') AND name = 'feed-A1')
power_feed DELETE|DELETE FROM mountaineer.power_feed WHERE id = (SELECT id FROM mountaineer.port WHERE device_id = t.dev('ams1-power') AND name = 'feed-B1')
port INSERT|INSERT INTO mountaineer.port (device_id, name, kind) VALUES (t.dev('spare-01'), 'eth2', 'interface')
port UPDATE|UPDATE mountaineer.port SET name = 'bmc' WHERE id = t.port('spare-01', 'ipmi')
port DELETE|DELETE FROM mountaineer.port WHERE id = t.port('spare-01', 'ipmi')
manufacturer INSERT|INSERT INTO mountaineer.manufacturer (name) VALUES ('Juniper')
manufacturer UPDATE|UPDATE mountaineer.manufacturer SET description = 'rack PDUs and KVM' WHERE name = 'Raritan'
manufacturer DELETE|WITH d AS (DELETE FROM mountaineer.device WHERE name = 'spare-pp-01'), t AS (DELETE FROM mountaineer.device_type WHERE model = 'CP24BL') DELETE FROM mountaineer.manufacturer WHERE name = 'Panduit'
device_type INSERT|INSERT INTO mountaineer.device_type (manufacturer_id, model, kind, units) SELECT id, 'PowerEdge R750', 'server', 2 FROM mountaineer.manufacturer WHERE name = 'Dell'
device_type UPDATE|UPDATE mountaineer.device_type SET description = 'zero-U PDU' WHERE model = 'PX3-5190R'
device_type DELETE|WITH d AS (DELETE FROM mountaineer.device WHERE name = 'spare-pp-01') DELETE FROM mountaineer.device_type WHERE model = 'CP24BL'
port_template INSERT|INSERT INTO mountaineer.port_template (device_type_id, name, kind) SELECT id, 'eth2', 'interface' FROM mountaineer.device_type WHERE model = 'PowerEdge R650'
port_template UPDATE|UPDATE mountaineer.port_template SET name = 'bmc' WHERE name = 'ipmi'
port_template DELETE|DELETE FROM mountaineer.port_template WHERE name = 'ipmi'
fn device_apply_type|SELECT count(*) FROM mountaineer.device_apply_type(t.dev('spare-sw-01'))
fn device_apply_types|SELECT count(*) FROM mountaineer.device_apply_types(ARRAY[t.dev('spare-02'), t.dev('spare-pp-01')])
fn cable_connect|SELECT (mountaineer.cable_connect(t.port('a02-tor', 'Ethernet41'), t.port('a02-tor', 'Ethernet42'), 'SPARE-3')).label
cable INSERT|INSERT INTO mountaineer.cable (label, type, status) VALUES ('SPARE-2', 'cat6', 'planned')
cable UPDATE|UPDATE mountaineer.cable SET color = 'blue' WHERE label = 'A01-D01'
cable DELETE|DELETE FROM mountaineer.cable WHERE label = 'A01-D02'
cable_end INSERT|INSERT INTO mountaineer.cable_end (cable_id, side, port_id) VALUES (t.cable('SPARE-1'), 'b', t.port('a02-tor', 'Ethernet40'))
cable_end UPDATE|UPDATE mountaineer.cable_end SET port_id = t.port('spare-01', 'eth1') WHERE cable_id = t.cable('SPARE-1')
cable_end DELETE|DELETE FROM mountaineer.cable_end WHERE cable_id = t.cable('SPARE-1')
provider INSERT|INSERT INTO mountaineer.provider (name) VALUES ('Zayo')
provider UPDATE|UPDATE mountaineer.provider SET account = 'EU-40118' WHERE name = 'Lumen'
provider DELETE|DELETE FROM mountaineer.provider WHERE name = 'Cogent'
provider_network INSERT|INSERT INTO mountaineer.provider_network (provider_id, name) SELECT id, 'Cogent Internet' FROM mountaineer.provider WHERE name = 'Cogent'
provider_network UPDATE|UPDATE mountaineer.provider_network SET service_id = 'MPLS-1' WHERE name = 'Lumen MPLS'
provider_network DELETE|DELETE FROM mountaineer.provider_network WHERE name = 'Lumen MPLS'
circuit_type INSERT|INSERT INTO mountaineer.circuit_type (name) VALUES ('MPLS')
circuit_type UPDATE|UPDATE mountaineer.circuit_type SET description = 'Leased dark fibre pairs' WHERE name = 'Dark fibre'
circuit_type DELETE|DELETE FROM mountaineer.circuit_type WHERE name = 'Dark fibre'
circuit INSERT|INSERT INTO mountaineer.circuit (provider_id, cid, type) SELECT id, 'CG-DF-1', 'Dark fibre' FROM mountaineer.provider WHERE name = 'Cogent'
circuit UPDATE|UPDATE mountaineer.circuit SET status = 'provisioning' WHERE cid = 'LMN-WAVE-0050'
circuit DELETE|DELETE FROM mountaineer.circuit WHERE cid = 'LMN-WAVE-0050'
circuit_termination INSERT|INSERT INTO mountaineer.circuit_termination (circuit_id, term_side, site_id) SELECT c.id, 'Z', s.id FROM mountaineer.circuit c, mountaineer.site s WHERE c.cid = 'LMN-WAVE-0050' AND s.name = 'fra1'
circuit_termination UPDATE|UPDATE mountaineer.circuit_termination SET xconnect_id = 'XC-AM3-4790' WHERE circuit_id = (SELECT id FROM mountaineer.circuit WHERE cid = 'LMN-WAVE-0050')
circuit_termination DELETE|DELETE FROM mountaineer.circuit_termination WHERE circuit_id = (SELECT id FROM mountaineer.circuit WHERE cid = 'LMN-WAVE-0050')
environment INSERT|INSERT INTO mountaineer.environment (name, hostname_regex) VALUES ('dev', '[a-z0-9-]+\.dev\.example\.net')
environment UPDATE|UPDATE mountaineer.environment SET description = 'Staging (EU)' WHERE name = 'stage'
environment DELETE|DELETE FROM mountaineer.environment WHERE name = 'lab'
role INSERT|INSERT INTO mountaineer.role (name, description) VALUES ('dns', 'PowerDNS')
role UPDATE|UPDATE mountaineer.role SET description = 'nginx and haproxy' WHERE name = 'web'
role DELETE|DELETE FROM mountaineer.role WHERE name = 'backup'
cluster INSERT|INSERT INTO mountaineer.cluster (name, kind) VALUES ('k8s-fra1', 'kubernetes')
cluster UPDATE|UPDATE mountaineer.cluster SET description = 'KVM pool' WHERE name = 'kvm-ams1'
cluster DELETE|DELETE FROM mountaineer.cluster WHERE name = 'nomad-lab'
cluster_type INSERT|INSERT INTO mountaineer.cluster_type (name) VALUES ('Proxmox VE 8')
cluster_type UPDATE|UPDATE mountaineer.cluster_type SET description = 'libvirt on Debian' WHERE name = 'KVM (libvirt)'
cluster_type DELETE|DELETE FROM mountaineer.cluster_type WHERE name = 'Nomad'
host INSERT|INSERT INTO mountaineer.host (hostname, environment_id, cluster_id) VALUES ('web3.prod.example.net', t.env('prod'), t.cluster('kvm-ams1'))
host UPDATE|UPDATE mountaineer.host SET operating_system = 'Debian 13' WHERE hostname = 'web1.prod.example.net'
host DELETE|DELETE FROM mountaineer.host WHERE hostname = 'runner1.stage.example.net'
cluster_member INSERT|INSERT INTO mountaineer.cluster_member (cluster_id, host_id) VALUES (t.cluster('kvm-ams1'), t.host('a03-c01.prod.example.net'))
cluster_member UPDATE|UPDATE mountaineer.cluster_member SET host_id = t.host('a03-c02.prod.example.net') WHERE cluster_id = t.cluster('kvm-ams1') AND host_id = t.host('a01-c08.prod.example.net')
cluster_member DELETE|DELETE FROM mountaineer.cluster_member WHERE cluster_id = t.cluster('kvm-ams1') AND host_id = t.host('a01-c08.prod.example.net')
host_role INSERT|INSERT INTO mountaineer.host_role (host_id, role_id) VALUES (t.host('web1.prod.example.net'), t.role('monitoring'))
host_role UPDATE|UPDATE mountaineer.host_role SET role_id = t.role('db') WHERE host_id = t.host('web2.prod.example.net')
host_role DELETE|DELETE FROM mountaineer.host_role WHERE host_id = t.host('web1.prod.example.net')
grain INSERT|INSERT INTO mountaineer.grain (host_id, name, value) VALUES (t.host('web1.prod.example.net'), 'rack', '"A01"')
grain UPDATE|UPDATE mountaineer.grain SET value = '32768' WHERE name = 'mem_total' AND host_id = t.host('web1.prod.example.net')
grain DELETE|DELETE FROM mountaineer.grain WHERE name = 'virtual' AND host_id = t.host('web1.prod.example.net')
monitoring_exception INSERT|INSERT INTO mountaineer.monitoring_exception (host_id, monitored, during, reason) VALUES (t.host('web1.prod.example.net'), false, '[2030-01-01 00:00+00,2030-01-02 00:00+00)', 'kernel upgrade')
monitoring_exception UPDATE|UPDATE mountaineer.monitoring_exception SET reason = 'BIOS and BMC upgrade' WHERE host_id = t.host('a01-c03.prod.example.net')
monitoring_exception DELETE|DELETE FROM mountaineer.monitoring_exception WHERE host_id = t.host('a01-c03.prod.example.net')
vrf INSERT|INSERT INTO mountaineer.vrf (name, rd) VALUES ('backup', '65000:400')
vrf UPDATE|UPDATE mountaineer.vrf SET description = 'OOB management' WHERE name = 'mgmt'
vrf DELETE|DELETE FROM mountaineer.vrf WHERE name = 'lab'
vlan INSERT|INSERT INTO mountaineer.vlan (site_id, vid, name) VALUES (t.site('ams1'), 40, 'storage')
vlan UPDATE|UPDATE mountaineer.vlan SET description = 'Kubernetes nodes' WHERE vid = 30
vlan DELETE|DELETE FROM mountaineer.vlan WHERE vid = 99
prefix INSERT|INSERT INTO mountaineer.prefix (prefix, description) VALUES ('10.1.0.0/16', 'fra1')
prefix UPDATE|UPDATE mountaineer.prefix SET status = 'reserved' WHERE id = t.prefix('10.0.3.0/24')
prefix DELETE|DELETE FROM mountaineer.prefix WHERE id = t.prefix('2001:db8:0:2::/64')
ip_range INSERT|INSERT INTO mountaineer.ip_range (start_address, end_address, description) VALUES ('10.0.1.200', '10.0.1.250', 'PXE stage')
ip_range UPDATE|UPDATE mountaineer.ip_range SET description = 'PXE' WHERE description = 'PXE/DHCP'
ip_range DELETE|DELETE FROM mountaineer.ip_range WHERE description = 'PXE/DHCP'
ip_address INSERT|INSERT INTO mountaineer.ip_address (address, host_id) VALUES (mountaineer.next_free_ip('10.0.0.0/24'), t.host('web1.prod.example.net'))
ip_address UPDATE|UPDATE mountaineer.ip_address SET dns_name = 'www.prod.example.net' WHERE host_id = t.host('web1.prod.example.net') AND canonical
ip_address DELETE|DELETE FROM mountaineer.ip_address WHERE host_id = t.host('web1.prod.example.net') AND family(address) = 6
route_target INSERT|INSERT INTO mountaineer.route_target (name) VALUES ('65000:300')
route_target UPDATE|UPDATE mountaineer.route_target SET description = 'OOB management routes' WHERE name = '65000:100'
route_target DELETE|DELETE FROM mountaineer.route_target WHERE name = '65000:999'
vrf_route_target INSERT|INSERT INTO mountaineer.vrf_route_target (vrf_id, route_target_id, direction) SELECT t.vrf('mgmt'), id, 'export' FROM mountaineer.route_target WHERE name = '65000:900'
vrf_route_target UPDATE|UPDATE mountaineer.vrf_route_target SET direction = 'export' WHERE route_target_id = (SELECT id FROM mountaineer.route_target WHERE name = '65000:900')
vrf_route_target DELETE|DELETE FROM mountaineer.vrf_route_target WHERE direction = 'export'
aggregate INSERT|INSERT INTO mountaineer.aggregate (prefix, rir_id) SELECT '192.168.0.0/16', id FROM mountaineer.rir WHERE name = 'private'
aggregate UPDATE|UPDATE mountaineer.aggregate SET date_added = '2015-03-02' WHERE prefix = '10.0.0.0/8'
aggregate DELETE|DELETE FROM mountaineer.aggregate WHERE prefix = '172.16.0.0/12'
prefix_free INSERT|INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block) VALUES (t.prefix('10.0.0.0/24'), mountaineer.vrf_key(NULL), '10.0.0.1/32')
prefix_free UPDATE|UPDATE mountaineer.prefix_free SET block = block WHERE prefix_id = t.prefix('10.0.2.0/24')
prefix_free DELETE|DELETE FROM mountaineer.prefix_free WHERE prefix_id = t.prefix('10.0.2.0/24')
vrf_lock INSERT|INSERT INTO mountaineer.vrf_lock (vrf_key) VALUES (mountaineer.vrf_key(t.vrf('lab')))
vrf_lock UPDATE|UPDATE mountaineer.vrf_lock SET vrf_key = vrf_key WHERE vrf_key = mountaineer.vrf_key(NULL)
vrf_lock DELETE|DELETE FROM mountaineer.vrf_lock WHERE vrf_key = mountaineer.vrf_key(t.vrf('mgmt'))
SQL
# generic ones for every registered table and sequence
for tb in $tables; do echo "$tb TRUNCATE|TRUNCATE mountaineer.$tb CASCADE"; done >>"$work/writes.txt"
for sq in $sequences; do
    echo "$sq nextval|SELECT nextval('mountaineer.$sq')"
    echo "$sq setval|SELECT setval('mountaineer.$sq', (SELECT last_value FROM mountaineer.$sq))"
done >>"$work/writes.txt"

# One session per side.  Standby: each statement on its own (autocommit),
# then psql's SQLSTATE and ROW_COUNT, all on stderr between markers.
# Primary: each in a transaction rolled back.
mkdir -p "$work/write"
i=0
while IFS= read -r line; do
    i=$((i + 1))
    printf '\\warn @@%d\n%s;\n\\warn @@%d. :SQLSTATE :ROW_COUNT\n' $i "${line#*|}" $i >>"$work/write/standby.sql"
    printf '\\warn @@%d\nBEGIN;\n%s;\n\\warn @@%d. :SQLSTATE :ROW_COUNT\nROLLBACK;\n' $i "${line#*|}" $i >>"$work/write/primary.sql"
done <"$work/writes.txt"
# run_writes CLUSTER TAG: write/ID.TAG.err (what psql said about statement
# ID) and write/TAG.sum, a line per statement: ID, psql's SQLSTATE and
# ROW_COUNT, the number of errors, the first error's SQLSTATE and message
run_writes() {
    PGHOST=${H[$1]} PGPORT=${PORT[$1]} PGUSER=postgres PGDATABASE=$db \
        psql -X -q -At -v VERBOSITY=verbose -f - <"$work/write/$2.sql" >/dev/null 2>"$work/write/$2.err"
    awk -v dir="$work/write" -v tag="$2" '
        /^@@[0-9]+$/ { id = substr($0, 3); f = dir "/" id "." tag ".err"; printf "" > f; nerr = 0; es = "-"; em = "-"; next }
        /^@@[0-9]+\. / { printf "%s\t%s\t%s\t%d\t%s\t%s\n", id, $2, $3, nerr, es, em > (dir "/" tag ".sum"); f = ""; next }
        f != "" { print > f
                  if (match($0, /ERROR:  [0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]: /)) {
                      if (nerr++ == 0) { es = substr($0, RSTART + 8, 5); em = substr($0, RSTART + RLENGTH) } } }' "$work/write/$2.err"
}
declare -A wsum
# check_write ID LABEL STATEMENT
check_write() {
    local id=$1 label=$2 sql=$3 why= state rows nerr es em pstate prows
    IFS=$'\t' read -r state rows nerr es em <<<"${wsum[standby.$id]:-}"
    IFS=$'\t' read -r pstate prows _ <<<"${wsum[primary.$id]:-}"
    if [ -z "$state" ]; then why="was not run on the standby"
    elif [ "$state" = 00000 ]; then why="succeeded on the standby"
    elif [ "$state" != 25006 ] || [ "$nerr" != 1 ] || [ "$es" != 25006 ]; then
        why="failed on the standby with $state ($nerr errors: $es $em), not 25006 alone"
    elif [ "$pstate" != 00000 ]; then why="is not valid: it fails on the primary too (${pstate:-not run})"
    elif [[ $sql =~ ^(INSERT|UPDATE|DELETE) ]] && [ "$prows" -lt 1 ]; then
        why="is not valid: it changes no row on the primary"
    fi
    if [ -z "$why" ]; then
        ok "$label: refused on the standby with 25006 ($em); valid on the primary"
    else
        nok "$label $why"
        { echo "statement: $sql"; echo "standby:"; cat "$work/write/$id.standby.err"; echo "primary:"; cat "$work/write/$id.primary.err"; } | diag
    fi
}

# --- plan ----------------------------------------------------------------------------------
nwrites=$(wc -l <"$work/writes.txt")
ntables=$(wc -w <<<"$tables")
# what logical replication publishes: every registered table but vrf_lock
# (README, "Replication"); the second publication leaves out prefix_free too
pubtables=$(tr ' ' '\n' <<<"$tables" | grep -vx vrf_lock | paste -sd ' ')
npub=$(wc -w <<<"$pubtables")
nofree_tables=$(tr ' ' '\n' <<<"$pubtables" | grep -vx prefix_free | paste -sd ' ')
nlogical=15
echo "1..$((7 + nsections + nwrites + npub + nlogical))"

# --- 1. physical ---------------------------------------------------------------------------
check "the standby is a hot standby in recovery" "[ \"\$(q $S $db -c 'SELECT pg_is_in_recovery()')\" = t ]"
check "the standby replayed everything the primary wrote (up to $lsn)" "[ $replayed = 1 ]"

# digests CLUSTER DB: "table rows md5" for every registered table, in one query
digest_sql=$(for tb in $tables; do
    printf "SELECT '%s', count(*) || ' ' || coalesce(md5(string_agg(x::text, E'\\n' ORDER BY x::text)), '-') FROM mountaineer.%s x UNION ALL\n" "$tb" "$tb"
done; echo "SELECT NULL, NULL WHERE false ORDER BY 1")
digests() { q "$1" "$2" -F ' ' -c "$digest_sql"; }
digests $P $db >"$work/digest.p"; digests $S $db >"$work/digest.s"
diff_tables=$(diff "$work/digest.p" "$work/digest.s" | sed -n 's/^> \([a-z_0-9]*\) .*/\1/p' | tr '\n' ' ')
check "the standby has the primary's rows in all $ntables registered tables" "[ -z '$diff_tables' ]"
[ -n "$diff_tables" ] && echo "differ:$diff_tables" | diag

# the estate gives the checks something to compare
facts=$(q $P $db <<'SQL'
SELECT concat_ws(' ',
  CASE WHEN (SELECT max(hop) FROM mountaineer.port p, LATERAL mountaineer.cable_trace(p.id)) >= 3 THEN NULL ELSE 'no-multi-hop-trace' END,
  CASE WHEN EXISTS (SELECT FROM mountaineer.port p, LATERAL mountaineer.cable_trace(p.id) x WHERE x.outcome = 'split') THEN NULL ELSE 'no-split' END,
  CASE WHEN EXISTS (SELECT FROM mountaineer.port p, LATERAL mountaineer.power_trace(p.id) x WHERE p.kind = 'power_port' AND x.hop = 2 AND x.outcome = 'complete') THEN NULL ELSE 'no-2-hop-power' END,
  CASE WHEN (SELECT count(*) FROM mountaineer.impact(t.dev('a02-tor'))) > 20 THEN NULL ELSE 'no-impact' END,
  CASE WHEN (SELECT count(DISTINCT family(prefix)) FROM mountaineer.prefix) = 2 THEN NULL ELSE 'one-family' END,
  CASE WHEN EXISTS (SELECT FROM mountaineer.prefix WHERE vrf_id IS NOT NULL) THEN NULL ELSE 'no-vrf-prefix' END,
  CASE WHEN (SELECT count(*) FROM mountaineer.change WHERE op = 'update') >= 5 AND (SELECT count(*) FROM mountaineer.change WHERE op = 'delete') >= 5 THEN NULL ELSE 'no-history' END,
  CASE WHEN (SELECT count(*) FROM mountaineer.host) >= 30 THEN NULL ELSE 'few-hosts' END)
SQL
)
check "the estate exercises the checks (multi-hop and split traces, power traces, impact, both families, a VRF, history)" "[ -z '$facts' ]"
[ -n "$facts" ] && echo "missing: $facts" | diag

# The REST API on the standby: PostgREST (tools/api.sh) reads, and a write is
# refused with 405 (README "Errors over HTTP"): PostgREST opens it READ
# WRITE, which a standby refuses with 0A000
apiport=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0)->sockport')
api_read= api_write=
if PGHOST=${H[$S]} PGPORT=${PORT[$S]} PGUSER=postgres "$top/tools/api.sh" start repl-standby $db "$apiport" >"$work/api.start" 2>&1; then
    api_read=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $("$top/tools/token.sh" mountaineer_reader repl)" \
               "http://127.0.0.1:$apiport/site?select=name&limit=1")
    api_write=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $("$top/tools/token.sh" mountaineer_editor repl)" \
                -H 'Content-Type: application/json' -d '{"name":"via-standby"}' "http://127.0.0.1:$apiport/site")
    "$top/tools/api.sh" stop repl-standby
else
    diag <"$work/api.start"
fi
check "PostgREST on the standby answers a read (200: $api_read)" "[ '$api_read' = 200 ]"
check "and refuses a write with 405, SQLSTATE 0A000 and the server's message in the body (${api_write##* })" \
      "[ '${api_write##* }' = 405 ] && jq -e '.code == \"0A000\" and (.message | contains(\"during recovery\"))' <<<'${api_write% *}' >/dev/null"

# coverage: every function of ours is checked or listed
read_names=$(awk -F'\t' '$2 == "@" { print $3 }' "$work/read/index" | tr ' ' '\n' | sort -u)
write_names=$(sed -n 's/^fn \([a-z_0-9]*\)|.*/\1/p' "$work/writes.txt" | sort -u)
missing= stale= n_r=0 n_w=0 n_i=0 n_t=0
for f in $functions; do
    if grep -qx "$f" <<<"$read_names"; then n_r=$((n_r + 1))
    elif grep -qx "$f" <<<"$write_names"; then n_w=$((n_w + 1))
    elif [ -n "${internal[$f]:-}" ]; then n_i=$((n_i + 1))
    elif [[ " $triggerfns " == *" $f "* ]]; then n_t=$((n_t + 1))
    else missing+=" $f"; fi
done
for f in $(printf '%s\n' $read_names $write_names "${!internal[@]}" | sort -u); do
    [[ " $functions " == *" $f "* ]] || stale+=" $f"
done
for tb in $(sed -n 's/^\([a-z_0-9]*\) \(INSERT\|UPDATE\|DELETE\)|.*/\1/p' "$work/writes.txt" | sort -u); do
    [[ " $tables " == *" $tb "* ]] || stale+=" table:$tb"
done
for tb in $tables; do
    for op in INSERT UPDATE DELETE; do
        grep -q "^$tb $op|" "$work/writes.txt" || missing+=" $op:$tb"
    done
done
check "every one of the $nfunctions functions of our extensions is checked ($n_r read, $n_w write, $n_i internal, $n_t trigger functions), and every one of the $ntables registered tables has its INSERT, UPDATE and DELETE check" \
      "[ -z '$missing' ] && [ -z '$stale' ]"
[ -n "$missing" ] && echo "neither checked as read or write nor listed as internal (or a table without that check):$missing" | diag
[ -n "$stale" ] && echo "checked or listed but not in the catalogue:$stale" | diag

# reads: primary, then standby
run_reads $P $db p
run_reads $S $db s
for tag in p s; do
    [ -s "$work/read/stray.$tag.err" ] && { echo "psql said outside any section ($tag):"; cat "$work/read/stray.$tag.err"; } | diag
done
while IFS=$'\t' read -r id kind names; do
    base=$work/read/$id
    queries=$(grep -cE ';[[:space:]]*$' "$base.sql")
    lines=$(wc -l <"$base.p.out")
    what=${names// /, }
    case $kind in
        @view) what="view $names" ;;
    esac
    if [ "$kind" = '@!' ]; then
        perrs=$(grep -c 'ERROR:' "$base.p.err")
        if [ "$perrs" -gt 0 ] && cmp -s "$base.p.out" "$base.s.out" && cmp -s "$base.p.err" "$base.s.err"; then
            ok "refusals on the standby as on the primary: $what ($perrs errors, same text)"
        else
            nok "refusals on the standby as on the primary: $what"
            { diff "$base.p.err" "$base.s.err"; diff "$base.p.out" "$base.s.out"; [ "$perrs" -gt 0 ] || echo "no error on the primary"; } 2>&1 | diag
        fi
    else
        if [ ! -s "$base.p.err" ] && [ "$lines" -gt 1 ] && cmp -s "$base.p.out" "$base.s.out" && cmp -s "$base.p.err" "$base.s.err"; then
            ok "read on the standby as on the primary: $what ($queries statements, $lines lines of output)"
        else
            nok "read on the standby as on the primary: $what"
            { cat "$base.p.err"; echo "diff primary standby:"; diff "$base.p.out" "$base.s.out"; diff "$base.p.err" "$base.s.err"; } 2>&1 | diag 40
        fi
    fi
done <"$work/read/index"
echo "# read checks done: $((SECONDS - started)) s"

# writes: the standby first, so that the primary's rolled-back locks are not in its way
run_writes $S standby
run_writes $P primary
for tag in standby primary; do
    while IFS=$'\t' read -r id rest; do wsum[$tag.$id]=$rest; done <"$work/write/$tag.sum"
done
i=0
while IFS= read -r line; do
    i=$((i + 1))
    check_write $i "${line%%|*}" "${line#*|}"
done <"$work/writes.txt"
echo "# write checks done: $((SECONDS - started)) s"

# --- 2. logical ------------------------------------------------------------------------------
wait $subinit || { cat "$work/sub-start.log" >&2; bail "cannot start cluster $L"; }
read -r H[$L] PORT[$L] <<<"$(envof $L)"
for d in $sdb $ndb; do
    q $L postgres -c "CREATE DATABASE $d" && q $L $d -c 'CREATE EXTENSION mountaineer' >/dev/null || bail "cannot set up $d"
    for m in "${modules[@]}"; do q $L $d -c "CREATE EXTENSION mountaineer_$m CASCADE" >/dev/null 2>&1 || bail "mountaineer_$m in $d"; done
    q $L $d -f "$work/helpers.sql" >/dev/null || bail "helpers in $d"
    [ "$d" = "$sdb" ] && [[ " ${modules[*]} " == *" netbox "* ]] && netbox_source $L $d
done
empty=$(digests $L $sdb | cut -d' ' -f2 | sort -u)

# Both publications on the primary; the subscriptions create their slots
# the first as README writes it (every registered table but vrf_lock)
q $P $db >/dev/null <<'SQL' || bail "CREATE PUBLICATION failed"
SELECT format('CREATE PUBLICATION mt_inventory FOR TABLE %s', string_agg(c::regclass::text, ', ' ORDER BY c::regclass::text))
FROM pg_extension e, unnest(e.extconfig) c JOIN pg_class r ON r.oid = c
WHERE e.extname LIKE 'mountaineer%' AND r.relkind = 'r' AND r.relname <> 'vrf_lock' \gexec
SQL
# the second the same minus prefix_free
q $P $db -c "CREATE PUBLICATION mt_inventory_nofree FOR TABLE $(sed 's/\([a-z_0-9]*\)/mountaineer.\1/g; s/ /, /g' <<<"$nofree_tables")" ||
    bail "CREATE PUBLICATION failed"
published="SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_publication_tables WHERE schemaname = 'mountaineer' AND pubname ="
pub_full=$(q $P $db -c "$published 'mt_inventory'")
pub_nofree=$(q $P $db -c "$published 'mt_inventory_nofree'")
conn="host=${H[$P]} port=${PORT[$P]} user=postgres dbname=$db"
q $L $sdb -c "CREATE SUBSCRIPTION mt_sub CONNECTION '$conn' PUBLICATION mt_inventory" 2>/dev/null || bail "CREATE SUBSCRIPTION failed"
q $L $ndb -c "CREATE SUBSCRIPTION mt_sub_nofree CONNECTION '$conn' PUBLICATION mt_inventory_nofree" 2>/dev/null || bail "CREATE SUBSCRIPTION failed"
# (the first also holds the registered tables of other schemas, salt's and pdns's)
npub_all=$(q $P $db -c "SELECT count(*) FROM pg_publication_tables WHERE pubname = 'mt_inventory'")
synced=0
wait_for $L $sdb "SELECT count(*) = $npub_all AND bool_and(srsubstate = 'r') FROM pg_subscription_rel" 40 &&
wait_for $L $ndb "SELECT count(*) = $((npub - 1)) AND bool_and(srsubstate = 'r') FROM pg_subscription_rel" 40 && synced=1
echo "# initial sync done: $((SECONDS - started)) s"

# same_all DB [TABLE...]: wait (up to 10 s) until the subscriber's tables (all
# published ones, or those named) match the primary's; leaves both digests
same_all() {
    local d=$1 i; shift
    local only=${*:-$pubtables}
    for ((i = 0; i < 50; i++)); do
        digests $P $db | awk -v only="$only" 'BEGIN { split(only, t, " "); for (i in t) want[t[i]] } $1 in want' >"$work/digest.p"
        digests $L "$d" | awk -v only="$only" 'BEGIN { split(only, t, " "); for (i in t) want[t[i]] } $1 in want' >"$work/digest.l"
        cmp -s "$work/digest.p" "$work/digest.l" && return 0
        sleep 0.2
    done
    return 1
}
check "the extensions' tables start empty on the subscriber, and the initial sync completes" "[ '$empty' = 0 ] && [ $synced = 1 ]"
same_all $sdb
for tb in $pubtables; do
    rows=$(sed -n "s/^$tb \([0-9]*\) .*/\1/p" "$work/digest.p")
    check "initial sync: mountaineer.$tb has the primary's $rows rows on the subscriber" \
          "[ \"\$(grep '^$tb ' '$work/digest.p')\" = \"\$(grep '^$tb ' '$work/digest.l')\" ]"
done
# vrf_lock is not published: after the copy the subscribers have none of the
# primary's rows there
locks="SELECT coalesce(string_agg(vrf_key::text, ' ' ORDER BY vrf_key), '') FROM mountaineer.vrf_lock"
locks_p=$(q $P $db -c "$locks")
locks_sub=$(q $L $sdb -c "$locks")
locks_copied=$(q $L $ndb -c "$locks")
check "vrf_lock is not published (the publications hold the $npub and $((npub - 1)) tables expected): after the initial sync it is empty on both subscribers, while the primary has $(wc -w <<<"$locks_p") rows" \
      "[ '$pub_full' = '$pubtables' ] && [ '$pub_nofree' = '$nofree_tables' ] &&
       [ -n '$locks_p' ] && [ -z '$locks_sub' ] && [ -z '$locks_copied' ]"

# every read query of part 1 on the subscriber: the primary has committed
# nothing since, so its answers of part 1 still stand
run_reads $L $sdb l
differ=
while IFS=$'\t' read -r id kind names; do
    base=$work/read/$id
    cmp -s "$base.p.out" "$base.l.out" && cmp -s "$base.p.err" "$base.l.err" || differ+=" [${names// /,}]"
done <"$work/read/index"
check "every read section answers on the subscriber as on the primary ($nsections sections, after the initial sync)" "[ -z '$differ' ]"
if [ -n "$differ" ]; then
    echo "differ:$differ" | diag
    while IFS=$'\t' read -r id kind names; do
        { cmp -s "$work/read/$id.p.out" "$work/read/$id.l.out" || diff "$work/read/$id.p.out" "$work/read/$id.l.out"
          cmp -s "$work/read/$id.p.err" "$work/read/$id.l.err" || diff "$work/read/$id.p.err" "$work/read/$id.l.err"; } 2>&1 | diag 10
    done <"$work/read/index"
fi

# the copy wrote no change-log rows of the subscriber's own (they would have
# taken ids 1, 2, ... from its own sequence and collided with the copied ones)
seq_p=$(q $P $db -c 'SELECT last_value FROM mountaineer.change_id_seq')
seq_s=$(q $L $sdb -c "SELECT last_value || ' ' || is_called FROM mountaineer.change_id_seq")
# without prefix_free, the free space must be rebuilt locally after the copy.
# That rebuild also writes vrf_lock, locally: it locks every VRF (lock_vrf),
# which makes a row of the subscriber's own for every VRF key, among them
# those of VRFs the primary has no row for yet (one never written in there,
# such as lab)
locks_every="SELECT string_agg(k::text, ' ' ORDER BY k) FROM (SELECT mountaineer.vrf_key(NULL) UNION SELECT mountaineer.vrf_key(id) FROM mountaineer.vrf) x(k)"
unlocked=$(q $P $db -c "SELECT string_agg(v.name, ' ' ORDER BY v.name) FROM mountaineer.vrf v
                         WHERE NOT EXISTS (SELECT FROM mountaineer.vrf_lock l WHERE l.vrf_key = mountaineer.vrf_key(v.id))")
free_before=$(q $L $ndb -c 'SELECT count(*) FROM mountaineer.prefix_free_verify()')
q $L $ndb -c 'SELECT mountaineer.prefix_free_rebuild()' >/dev/null
free_rebuilt=$(q $L $ndb -c 'SELECT count(*) FROM mountaineer.prefix_free_verify()')
locks_rebuilt=$(q $L $ndb -c "$locks")
locks_expected=$(q $L $ndb -c "$locks_every")

# a listener on the subscriber, to see what apply announces
trap '' PIPE
mkfifo "$work/listen.in"
PGHOST=${H[$L]} PGPORT=${PORT[$L]} PGUSER=postgres PGDATABASE=$sdb psql -X -At <"$work/listen.in" >"$work/listen.out" 2>&1 &
lpid=$!
exec 7>"$work/listen.in"
echo 'LISTEN mountaineer;' >&7
listening=0
wait_for $L $sdb "SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE 'LISTEN mountaineer%' AND state = 'idle'" 10 && listening=1

# an insert, an update and a delete (with its cascade) on the primary
before_max=$(q $P $db -c 'SELECT max(id) FROM mountaineer.change')
q $P $db >/dev/null <<'SQL' || bail "the primary refused the changes"
SET mountaineer.actor = 'replication-test';
INSERT INTO mountaineer.site (name, vendor) VALUES ('par1', 'Equinix PA3');
SELECT mountaineer.allocate_prefix('10.0.0.0/16', 24, NULL, 'par1');
UPDATE mountaineer.device SET draw_watts = 475 WHERE name = 'a02-c01';
DELETE FROM mountaineer.host WHERE hostname = 'web2.prod.example.net';
SQL
new_changes=$(q $P $db -c "SELECT count(*) FROM mountaineer.change WHERE id > $before_max")
arrived=0
same_all $sdb && same_all $ndb $nofree_tables && arrived=1
echo "# changes applied: $((SECONDS - started)) s"

# answer CLUSTER DB SQL
answer() { q "$1" "$2" -c "$3"; }
same() { local a b; a=$(answer $P $db "$1"); b=$(answer $L $sdb "$1"); [ -n "$a" ] && [ "$a" = "$b" ]; }
check "insert arrives: site par1 and the prefix allocated for it, row for row" \
      "[ $arrived = 1 ] && same \"SELECT x::text FROM mountaineer.site x WHERE name = 'par1'\" &&
       same \"SELECT x::text FROM mountaineer.prefix x WHERE description = 'par1'\""
check "update arrives: a02-c01 draws 475 W on the subscriber, the row equal to the primary's" \
      "same \"SELECT x::text FROM mountaineer.device x WHERE name = 'a02-c01' AND draw_watts = 475\""
gone="SELECT (SELECT count(*) FROM mountaineer.host WHERE hostname = 'web2.prod.example.net')
           + (SELECT count(*) FROM mountaineer.ip_address a WHERE a.host_id IS NOT NULL AND NOT EXISTS (SELECT FROM mountaineer.host h WHERE h.id = a.host_id))
           + (SELECT count(*) FROM mountaineer.host_role r WHERE NOT EXISTS (SELECT FROM mountaineer.host h WHERE h.id = r.host_id))
           + (SELECT count(*) FROM mountaineer.grain g WHERE NOT EXISTS (SELECT FROM mountaineer.host h WHERE h.id = g.host_id))
           || ' rows left, ' || (SELECT count(*) FROM mountaineer.ip_address) || ' addresses'"
check "delete arrives: host web2, and the addresses, roles and grains its delete cascaded to, are gone on the subscriber" \
      "same \"$gone\" && [ \"\$(answer $L $sdb \"$gone\" | cut -d' ' -f1)\" = 0 ]"
diff_tables=
same_all $sdb || diff_tables=$(diff "$work/digest.p" "$work/digest.l" | sed -n 's/^> \([a-z_0-9]*\) .*/\1/p' | tr '\n' ' ')
check "after the changes every published table is identical on the subscriber" "[ -z '$diff_tables' ]"
[ -n "$diff_tables" ] && echo "differ: $diff_tables" | diag
seq_now=$(q $L $sdb -c "SELECT last_value || ' ' || is_called FROM mountaineer.change_id_seq")
check "the subscriber's change log is the primary's ($new_changes new rows included), none of its own; its sequence is not replicated (subscriber: '$seq_s' after the copy, '$seq_now' now; primary: $seq_p)" \
      "same_all $sdb change && [ '$seq_s' = '1 false' ] && [ '$seq_now' = '1 false' ]"

# NOTIFY: nothing from apply; a notification sent on the subscriber itself arrives
q $L $sdb -c "SELECT pg_notify('mountaineer', 'control')" >/dev/null
echo "SELECT 'done';" >&7
exec 7>&-
wait $lpid
trap - PIPE
check "apply sends no NOTIFY mountaineer on the subscriber (a control notification does arrive)" \
      "[ $listening = 1 ] && grep -q 'payload \"control\"' '$work/listen.out' && [ \$(grep -c 'Asynchronous notification' '$work/listen.out') = 1 ]"
[ "$(grep -c 'Asynchronous notification' "$work/listen.out")" = 1 ] || diag <"$work/listen.out"

np=$(answer $P $db "SELECT mountaineer.next_free_prefix('10.0.0.0/16', 24)")
ns=$(answer $L $sdb "SELECT mountaineer.next_free_prefix('10.0.0.0/16', 24)")
vs=$(answer $L $sdb 'SELECT count(*) FROM mountaineer.prefix_free_verify()')
check "published, the derived free space arrives: prefix_free_verify() finds $vs wrong prefixes, next_free_prefix('10.0.0.0/16', 24) is $ns as on the primary" \
      "[ '$vs' = 0 ] && [ -n '$np' ] && [ '$ns' = '$np' ]"
par1=$(answer $P $db "SELECT prefix FROM mountaineer.prefix WHERE description = 'par1'")
nn=$(answer $L $ndb "SELECT mountaineer.next_free_prefix('10.0.0.0/16', 24)")
stale=$(answer $L $ndb 'SELECT count(*) FROM mountaineer.prefix_free_verify()')
check "not published, it is not maintained: empty after the copy ($free_before prefixes wrong), right after a local prefix_free_rebuild() ($free_rebuilt), stale after the replicated allocation of $par1 ($stale wrong; next_free_prefix offers $nn again)" \
      "[ '$free_before' -gt 0 ] && [ '$free_rebuilt' = 0 ] && [ '$stale' -gt 0 ] && [ '$nn' = '$par1' ]"
check "that local prefix_free_rebuild() writes vrf_lock too: it locks every VRF, making $(wc -w <<<"$locks_rebuilt") rows of the subscriber's own, one for every VRF key, among them the VRFs the primary has none for (${unlocked:-none})" \
      "[ -n '$locks_rebuilt' ] && [ '$locks_rebuilt' = '$locks_expected' ] && [[ ' $unlocked ' == *' lab '* ]]"

# The regression: after that local rebuild, the primary's first write in a
# VRF it had no vrf_lock row for (lab) makes that row there (lock_vrf).  Were
# vrf_lock published, its INSERT would reach the nofree subscriber, which has
# a row of its own for lab, and stop apply with 23505 on vrf_lock_pkey.
lab_lock="SELECT count(*) FROM mountaineer.vrf_lock WHERE vrf_key = mountaineer.vrf_key(t.vrf('lab'))"
lab_before=$(q $P $db -c "$lab_lock")
q $P $db >/dev/null <<'SQL' || bail "the primary refused the writes in VRF lab"
SET mountaineer.actor = 'replication-test';
INSERT INTO mountaineer.prefix (vrf_id, prefix, status, description) VALUES (t.vrf('lab'), '10.77.0.0/16', 'active', 'lab');
SELECT mountaineer.allocate_prefix('10.77.0.0/16', 24, t.vrf('lab'), 'lab 1');
SQL
lab_after=$(q $P $db -c "$lab_lock")
lab_rows="SELECT string_agg(x::text, ' ' ORDER BY x.prefix) FROM mountaineer.prefix x WHERE x.vrf_id = t.vrf('lab')"
lab_arrived=0
same_all $sdb && same_all $ndb $nofree_tables && lab_arrived=1
lab_p=$(answer $P $db "$lab_rows")
lab_s=$(answer $L $sdb "$lab_rows")
lab_n=$(answer $L $ndb "$lab_rows")
# the apply worker of the subscription runs, and has had no error
apply="SELECT coalesce(bool_and(w.pid IS NOT NULL AND s.apply_error_count = 0), false)
         FROM pg_stat_subscription w JOIN pg_stat_subscription_stats s USING (subid) WHERE w.relid IS NULL AND s.subname ="
apply_s=$(answer $L $sdb "$apply 'mt_sub'")
apply_n=$(answer $L $ndb "$apply 'mt_sub_nofree'")
locks_sub_now=$(q $L $sdb -c "$locks")
locks_nofree_now=$(q $L $ndb -c "$locks")
check "after it, the primary's first write in VRF lab (a prefix, an allocation in it; vrf_lock rows for lab there: $lab_before before, $lab_after after) arrives on both subscribers, whose apply runs on without an error (subscriber: $apply_s, nofree: $apply_n); their vrf_lock stays their own" \
      "[ '$lab_before' = 0 ] && [ '$lab_after' = 1 ] && [ $lab_arrived = 1 ] &&
       [ -n '$lab_p' ] && [ '$lab_s' = '$lab_p' ] && [ '$lab_n' = '$lab_p' ] && [ '$apply_s' = t ] && [ '$apply_n' = t ] &&
       [ -z '$locks_sub_now' ] && [ '$locks_nofree_now' = '$locks_rebuilt' ]"
[ "$lab_arrived" = 1 ] || q $L $ndb -c "SELECT s.subname, w.pid, s.apply_error_count, s.sync_error_count FROM pg_stat_subscription_stats s LEFT JOIN pg_stat_subscription w USING (subid)" 2>&1 | diag
[ "$apply_n" = t ] || grep 'ERROR\|DETAIL' "$("$pgsh" dir $L)/server.log" | tail -4 | diag

# local writes on the subscriber: its change log takes ids from its own
# sequence, which replication left at 1
PGHOST=${H[$L]} PGPORT=${PORT[$L]} PGUSER=postgres PGDATABASE=$sdb \
    psql -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -c "UPDATE mountaineer.site SET vendor = 'local edit' WHERE name = 'fra1'" 2>"$work/local.err"
check "a local write on the subscriber fails: its change-log row takes id 1 from the unreplicated sequence (23505 on change_pkey)" \
      "grep -q '^ERROR:  23505: duplicate key value violates unique constraint \"change_pkey\"' '$work/local.err'"
grep -q 23505 "$work/local.err" || diag <"$work/local.err"
# with the sequence moved up to the primary's, a local write succeeds, and the
# primary's next change takes the same id: apply stops on that row
last=$(answer $P $db 'SELECT last_value FROM mountaineer.change_id_seq')
q $L $sdb -c "SELECT setval('mountaineer.change_id_seq', $last)" \
          -c "UPDATE mountaineer.site SET vendor = 'local edit' WHERE name = 'fra1'" >/dev/null
q $P $db -c "UPDATE mountaineer.site SET vendor = 'primary edit' WHERE name = 'ams1'" >/dev/null
check "after setval a local write succeeds, and the primary's next change (the same change id) stops apply with an error" \
      "wait_for $L $sdb \"SELECT apply_error_count > 0 FROM pg_stat_subscription_stats WHERE subname = 'mt_sub'\" 20 &&
       [ \"\$(answer $L $sdb \"SELECT vendor FROM mountaineer.site WHERE name = 'ams1'\")\" != 'primary edit' ] &&
       [ \"\$(answer $L $sdb \"SELECT vendor FROM mountaineer.site WHERE name = 'fra1'\")\" = 'local edit' ]"

echo "# $((SECONDS - started)) s"
