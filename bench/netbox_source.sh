#!/usr/bin/env bash
# bench/netbox.sql's source: NetBox 4.1's own tables, empty, in schema
# SCHEMA (default netbox_bench) of database DB (default $PGDATABASE): the
# demo dump's DDL, loaded into a scratch database of the same cluster with
# every table truncated but django_content_type (the object types cables
# and addresses name), its schema renamed and copied over with pg_dump.
# Needs the role netbox (the dump's owner; made when missing) and the dump
# (NETBOX_DATA, else ../shared/data/netbox beside the clone, else
# /work/shared/data/netbox).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
db=${1:-$PGDATABASE}
schema=${2:-netbox_bench}
data=${NETBOX_DATA:-$top/../shared/data/netbox}
[ -d "$data" ] || data=/work/shared/data/netbox
dump=$data/netbox-demo-v4.1.sql
[ -r "$dump" ] || { echo "netbox_source: no NetBox dump $dump (set NETBOX_DATA)" >&2; exit 1; }
scratch=${db}_netbox_ddl
p() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
p -d "$db" -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'netbox') THEN CREATE ROLE netbox; END IF; END\$\$"
dropdb --if-exists -f "$scratch" 2>/dev/null
createdb "$scratch"
trap 'dropdb --if-exists -f "$scratch" 2>/dev/null' EXIT
p -d "$scratch" -f "$dump" >/dev/null
p -d "$scratch" <<SQL
DO \$\$
DECLARE t text;
BEGIN
    SELECT string_agg(format('public.%I', c.relname), ', ') INTO t
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'django_content_type';
    EXECUTE 'TRUNCATE ' || t;
END
\$\$;
ALTER SCHEMA public RENAME TO "$schema";
SQL
p -d "$db" -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS \"$schema\" CASCADE"
pg_dump -d "$scratch" -n "$schema" --no-publications --no-subscriptions | p -d "$db" >/dev/null
# the tables' owner (netbox) checks their foreign keys: it needs the schema
p -d "$db" -c "ALTER SCHEMA \"$schema\" OWNER TO netbox"
