# What the NetBox TAP scripts share (sourced, after test/lib/tap.sh): a
# NetBox demo dump loaded into a database of its own in the cluster named by
# PGHOST/PGPORT, and a database with every extension that reaches it through
# postgres_fdw, as a user migrating from a live NetBox would.
#
#   netbox_dump_db VERSION NBDB     load netbox-demo-vVERSION.sql (3.7 or 4.1)
#                                   into NBDB (made anew; role netbox made if
#                                   missing: the dump's objects are its)
#   netbox_target_db DB             make DB anew with every extension of
#                                   MOUNTAINEER_MODULES and postgres_fdw
#   netbox_foreign DB SCHEMA NBDB   in DB: server SCHEMA to NBDB on this
#                                   cluster's socket, a user mapping, and
#                                   IMPORT FOREIGN SCHEMA public INTO SCHEMA
#   netbox_setup VERSION DB SCHEMA  all three (NetBox in DB_nb)
#
# Each prints what failed on stderr and returns non-zero.
netbox_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
netbox_data=${NETBOX_DATA:-$netbox_top/../shared/data/netbox}
[ -d "$netbox_data" ] || netbox_data=/work/shared/data/netbox

netbox_psql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

netbox_dump_db() {
    local version=$1 nbdb=$2 dump
    dump=$netbox_data/netbox-demo-v$version.sql
    [ -r "$dump" ] || { echo "netbox_dump_db: no dump $dump" >&2; return 1; }
    netbox_psql -d postgres -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'netbox') THEN CREATE ROLE netbox; END IF; END\$\$" || return 1
    dropdb --if-exists -f "$nbdb" 2>/dev/null; createdb "$nbdb" || return 1
    # the dump's own SET lines print nothing with -q; its errors stop it
    netbox_psql -d "$nbdb" -f "$dump" >/dev/null || { echo "netbox_dump_db: loading $dump into $nbdb failed" >&2; return 1; }
    netbox_psql -d "$nbdb" -c 'ANALYZE'
}

netbox_target_db() {
    local db=$1 m modules
    modules=(${MOUNTAINEER_MODULES:-$(sed -n 's/^MOUNTAINEER_MODULES *= *//p' "$netbox_top/Makefile")})
    dropdb --if-exists -f "$db" 2>/dev/null; createdb "$db" || return 1
    netbox_psql -d "$db" -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION mountaineer' || return 1
    for m in "${modules[@]}"; do
        netbox_psql -d "$db" -c 'SET client_min_messages = warning' -c "CREATE EXTENSION mountaineer_$m CASCADE" || return 1
    done
    netbox_psql -d "$db" -c 'CREATE EXTENSION IF NOT EXISTS postgres_fdw'
}

netbox_foreign() {
    local db=$1 schema=$2 nbdb=$3
    # a superuser's mapping needs no password; the socket is the cluster's own
    netbox_psql -d "$db" <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE SERVER "$schema" FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '$PGHOST', port '$PGPORT', dbname '$nbdb', fetch_size '10000');
CREATE USER MAPPING FOR CURRENT_USER SERVER "$schema" OPTIONS (user '${PGUSER:-postgres}');
CREATE SCHEMA "$schema";
IMPORT FOREIGN SCHEMA public FROM SERVER "$schema" INTO "$schema";
SQL
}

netbox_setup() {
    local version=$1 db=$2 schema=$3
    netbox_dump_db "$version" "${db}_nb" && netbox_target_db "$db" && netbox_foreign "$db" "$schema" "${db}_nb"
}
