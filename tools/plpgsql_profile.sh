#!/usr/bin/env bash
# Dumps the plpgsql_check profile of every PL/pgSQL function of a mountaineer*
# extension, from every database of the cluster named by PGHOST/PGPORT, into
# one tab-separated file $1 (appended).  tools/pg.sh calls it before it stops
# a cluster when MOUNTAINEER_PROFILE_DIR is set (make coverage); the profile
# lives in the server's shared memory (plpgsql_check preloaded, with
# plpgsql_check.profiler = on) and is gone once the server stops.
# Columns: database, function, md5 of its body, stmtid, parent_stmtid,
# parent_note, parent statement's name, line, statement, times executed.
# plpgsql_check's functions are installed for the dump and rolled back, so
# the databases are left as they were.
set -uo pipefail
out=${1:?usage: plpgsql_profile.sh FILE}
PATH="$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --bindir):$PATH"
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# only when the server has the profiler (a cluster made before coverage ran
# may not): its shared profile needs the library preloaded
case $(q -d postgres -c 'SHOW shared_preload_libraries' 2>/dev/null) in
    *plpgsql_check*) ;;
    *) exit 0 ;;
esac
for db in $(q -d postgres -c "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate"); do
    q -d "$db" >>"$out" 2>/dev/null <<SQL
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS plpgsql_check;
COPY (
    SELECT current_database(), p.oid::regprocedure::text, md5(p.prosrc),
           s.stmtid, s.parent_stmtid, s.parent_note,
           (SELECT t.stmtname FROM plpgsql_profiler_function_statements_tb(p.oid) t
             WHERE t.stmtid = s.parent_stmtid),
           s.lineno, s.stmtname, s.exec_stmts
      FROM pg_proc p
      JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname LIKE 'mountaineer%'
      CROSS JOIN LATERAL plpgsql_profiler_function_statements_tb(p.oid) s
     WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
) TO STDOUT;
ROLLBACK;
SQL
done
exit 0
