#!/usr/bin/env bash
# Every function, table, view, sequence and trigger of every mountaineer*
# extension must be exercised by some test: one TAP line per object, "not
# ok" when no test called it, read it, wrote it or fired it.  Run by
# tools/test.sh after every other test, against the test cluster, which ran
# the whole suite with pg_stat_statements (track = all) and track_functions
# = all.  The objects are the extension members of the database
# mountaineer_tap (every extension at its default version); the evidence
# comes from every database still in the cluster (cumulative statistics are
# per database) and from pg_stat_statements (cluster-wide: it keeps the
# statements of databases the TAP scripts have dropped since).
#
# What counts (the first that applies is printed):
#   function  calls in pg_stat_user_functions; or an error raised inside it
#             (the server log's CONTEXT names it: a function that only
#             refuses never completes, so it is never counted as called;
#             only uncaught errors are logged, pg_regress's, not those a
#             pgTAP throws_ok catches); or a call of its name in an executed
#             statement, with a fitting number of arguments (SQL functions
#             inlined into the calling query, internal range constructors,
#             databases dropped since; a name that other schemas' functions
#             share counts only schema-qualified); or its support role:
#               type input   a statement casts to the type (::T, CAST(... AS T),
#                            T '...') or COPYs text into a table with a T column
#               type output  a statement casts a T to text (::T::text, or a
#                            T column of ours: position::text) or COPYs a
#                            table with a T column out as text (pg_dump)
#               binary I/O   a binary COPY into (recv) or out of (send) a table
#                            with a T column
#               GiST         consistent: an index of the opclass was scanned
#                            (exclusion checks are scans); union, penalty,
#                            picksplit, same: the index outgrew its root page
#                            (only a split calls picksplit and union, and only
#                            inserts below an inner page call penalty and same)
#               btree, hash  an index of the opclass was scanned or written
#               cast         a statement casts to the target type
#             (these roles are called through fmgr directly, which
#             track_functions does not count, and never by name)
#   table     pg_stat_user_tables: scans, rows inserted, updated or deleted;
#             or an executed statement naming it schema-qualified (bare
#             names such as host, port, role are ordinary words)
#   view, materialized view
#             its name (a word, qualified or not) in an executed statement
#   sequence  nextval was called (pg_sequences.last_value is set): a
#             sequence no insert draws from is a default no test reaches
#   trigger   its function is exercised (above) and its table saw every
#             event it fires on: for a row trigger, rows inserted, updated
#             or deleted; for a statement trigger, an executed UPDATE (or
#             INSERT, DELETE, COPY FROM) statement on the table; for
#             TRUNCATE, an executed TRUNCATE naming it.  A WHEN clause or
#             an UPDATE OF list is not told apart: the statistics do not say
#             which rows fired, and a trigger function shared by many tables
#             (log_change) counts its calls once for all of them.
# "Executed" statements are those pg_stat_statements kept (it keeps only
# statements that completed), less DDL, grants, comments, DO blocks (their
# statements are kept on their own) and EXPLAIN without ANALYZE.  What
# CREATE EXTENSION does by itself is no test: it is measured in a scratch
# database and subtracted.  The first line fails when the statistics are
# incomplete (pg_stat_statements evicted entries: raise
# pg_stat_statements.max in tools/test.sh; or a reset); without the
# statistics this check cannot judge anything and bails out.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

bail() { echo "Bail out! $*"; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
work=$(mktemp -d) || bail "cannot make a temporary directory"
trap 'rm -rf "$work"' EXIT

# what the tests ran with (this session's own settings follow)
read -r preload track tfuncs counts < <(q -d postgres -F' ' -c "SELECT
    current_setting('shared_preload_libraries') ~ '\mpg_stat_statements\M',
    coalesce(current_setting('pg_stat_statements.track', true), '-'),
    current_setting('track_functions'), current_setting('track_counts')" 2>/dev/null) ||
    bail "cannot connect to the test cluster (PGHOST=${PGHOST:-} PGPORT=${PGPORT:-}); run me through tools/test.sh"
[ "$preload" = t ] && [ "$track" = all ] && [ "$tfuncs" = all ] && [ "$counts" = on ] ||
    bail "the cluster does not collect what this check reads (shared_preload_libraries has pg_stat_statements: $preload, pg_stat_statements.track = $track, track_functions = $tfuncs, track_counts = $counts); run me through tools/test.sh"
# this check's own statements and calls are not evidence: do not record them
export PGOPTIONS="${PGOPTIONS:-} -c pg_stat_statements.track=none -c track_functions=none -c client_min_messages=warning"
q -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'mountaineer_tap'" | grep -q 1 ||
    bail "no database mountaineer_tap (made by the pgTAP step of tools/test.sh) to read the extensions' objects from"
q -d postgres -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null 2>&1 ||
    bail "cannot create extension pg_stat_statements in database postgres"

# A backend flushes its statistics as it exits: wait (up to 15 s) for the
# sessions of the tests before to be gone.
others="SELECT string_agg(format('%s (database %s, %s)', pid, datname, coalesce(nullif(application_name, ''), 'no name')), ', ')
        FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
for _ in $(seq 30); do
    [ -z "$(q -d postgres -c "$others")" ] && break
    sleep 0.5
done
still=$(q -d postgres -c "$others")
[ -z "$still" ] || diag="# still connected after 15 s, their last statistics may be missing: $still"

# --- the objects: the members of every mountaineer extension ---------------
q -d mountaineer_tap >"$work/objects" <<SQL || bail "cannot list the extensions' objects"
SET search_path = pg_catalog;
COPY (
WITH member AS (
    SELECT e.extname, d.classid, d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
    WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname LIKE 'mountaineer%'),
fn AS (SELECT m.extname, p.* FROM member m JOIN pg_proc p ON p.oid = m.objid
       WHERE m.classid = 'pg_proc'::regclass),
rel AS (SELECT m.extname, c.* FROM member m JOIN pg_class c ON c.oid = m.objid
        WHERE m.classid = 'pg_class'::regclass AND c.relkind IN ('r', 'p', 'v', 'm', 'S')),
-- tables (ours) with a column of each type, or an array of it, and the
-- columns of that type
typecol AS (
    SELECT t.oid AS typ, array_agg(DISTINCT a.attrelid::regclass::text) AS tables,
           array_agg(DISTINCT a.attname::text) FILTER (WHERE a.atttypid = t.oid) AS columns
    FROM pg_type t JOIN pg_attribute a ON a.atttypid IN (t.oid, t.typarray)
    JOIN rel r ON r.oid = a.attrelid AND r.relkind IN ('r', 'p')
    WHERE a.attnum > 0 AND NOT a.attisdropped GROUP BY t.oid)
SELECT f.extname, 'function', f.oid::regprocedure::text, f.proname,
       'function ' || f.oid::regprocedure::text, l.lanname,
       f.pronargs, f.pronargs - f.pronargdefaults, f.provariadic <> 0,
       -- a bare name counts only when no other function has it
       NOT EXISTS (SELECT FROM pg_proc o WHERE o.proname = f.proname
                   AND o.oid NOT IN (SELECT objid FROM member WHERE classid = 'pg_proc'::regclass)),
       ARRAY(SELECT r FROM (
             SELECT 'input ' || t.oid::regtype::text FROM pg_type t WHERE t.typinput = f.oid
             UNION ALL SELECT 'output ' || t.oid::regtype::text FROM pg_type t WHERE t.typoutput = f.oid
             UNION ALL SELECT 'receive ' || t.oid::regtype::text FROM pg_type t WHERE t.typreceive = f.oid
             UNION ALL SELECT 'send ' || t.oid::regtype::text FROM pg_type t WHERE t.typsend = f.oid
             UNION ALL SELECT format('%s %s %I.%I USING %s', am.amname, ap.amprocnum, n.nspname, o.opfname, am.amname)
                 FROM pg_amproc ap JOIN pg_opfamily o ON o.oid = ap.amprocfamily
                 JOIN pg_am am ON am.oid = o.opfmethod JOIN pg_namespace n ON n.oid = o.opfnamespace
                 WHERE ap.amproc = f.oid
             UNION ALL SELECT 'cast ' || c.casttarget::regtype::text FROM pg_cast c WHERE c.castfunc = f.oid) s(r)),
       -- for a type's I/O functions: the tables and columns of that type
       (SELECT tc.tables FROM pg_type t JOIN typecol tc ON tc.typ = t.oid
        WHERE f.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend) LIMIT 1),
       (SELECT tc.columns FROM pg_type t JOIN typecol tc ON tc.typ = t.oid
        WHERE f.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend) LIMIT 1),
       NULL::text, NULL::text, NULL::text[], NULL::bool
FROM fn f JOIN pg_language l ON l.oid = f.prolang
UNION ALL
SELECT r.extname,
       CASE r.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' ELSE 'table' END,
       r.oid::regclass::text, r.relname,
       CASE r.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' ELSE 'table' END
           || ' ' || r.oid::regclass::text,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM rel r
UNION ALL
SELECT r.extname, 'trigger', r.oid::regclass::text || '.' || tg.tgname, tg.tgname,
       format('trigger %s.%s', r.relname, tg.tgname),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       r.oid::regclass::text, tg.tgfoid::regprocedure::text,
       array_remove(ARRAY[CASE WHEN tg.tgtype & 4 <> 0 THEN 'INSERT' END,
                          CASE WHEN tg.tgtype & 16 <> 0 THEN 'UPDATE' END,
                          CASE WHEN tg.tgtype & 8 <> 0 THEN 'DELETE' END,
                          CASE WHEN tg.tgtype & 32 <> 0 THEN 'TRUNCATE' END], NULL),
       tg.tgtype & 1 <> 0
FROM rel r JOIN pg_trigger tg ON tg.tgrelid = r.oid
WHERE NOT tg.tgisinternal
) TO STDOUT;
SQL

# --- the statistics of every database still in the cluster -----------------
stats_of() {   # $1: a database; prints its statistics of our objects
    q -d "$1" <<SQL || bail "cannot read the statistics of database $1"
SET search_path = pg_catalog;
COPY (
SELECT current_database(), 'function', funcid::regprocedure::text, calls, 0, 0, 0, 0
FROM pg_stat_user_functions WHERE schemaname IN ('mountaineer', 'salt', 'pdns')
UNION ALL
SELECT current_database(), 'table', format('%I.%I', schemaname, relname),
       seq_scan, coalesce(idx_scan, 0), n_tup_ins, n_tup_upd, n_tup_del
FROM pg_stat_user_tables WHERE schemaname IN ('mountaineer', 'salt', 'pdns')
UNION ALL
SELECT current_database(), 'sequence', format('%I.%I', schemaname, sequencename),
       (last_value IS NOT NULL)::int, 0, 0, 0, 0
FROM pg_sequences WHERE schemaname IN ('mountaineer', 'salt', 'pdns')
UNION ALL
-- each index (on any table) with an operator class of ours: its scans, its
-- size in pages and the rows written to its table (less HOT updates)
SELECT current_database(), 'opfamily', format('%I.%I USING %s', n.nspname, o.opfname, am.amname),
       coalesce(s.idx_scan, 0), pg_relation_size(i.indexrelid) / current_setting('block_size')::int,
       coalesce(t.n_tup_ins + t.n_tup_upd - t.n_tup_hot_upd, 0), 0, 0
FROM pg_index i CROSS JOIN LATERAL unnest(i.indclass::oid[]) ic(opclass)
JOIN pg_opclass oc ON oc.oid = ic.opclass JOIN pg_opfamily o ON o.oid = oc.opcfamily
JOIN pg_namespace n ON n.oid = o.opfnamespace JOIN pg_am am ON am.oid = o.opfmethod
LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = i.indexrelid
LEFT JOIN pg_stat_all_tables t ON t.relid = i.indrelid
WHERE n.nspname = 'mountaineer'
) TO STDOUT;
SQL
}

# What CREATE EXTENSION alone does is no test: it builds each table's
# indexes (a scan of each table), inserts seed rows and calls
# manage_table().  Measure it in a scratch database, to subtract it from
# every database below and to leave out the statements it runs.
base=mt_exercised_baseline
q -d postgres -c "DROP DATABASE IF EXISTS $base" -c "CREATE DATABASE $base" >/dev/null ||
    bail "cannot create database $base"
base_oid=$(q -d postgres -c "SELECT oid FROM pg_database WHERE datname = '$base'")
{ for ext in $(q -d mountaineer_tap -c "SELECT extname FROM pg_extension WHERE extname LIKE 'mountaineer%' ORDER BY oid"); do
      echo "CREATE EXTENSION IF NOT EXISTS \"$ext\" CASCADE;"
  done
  echo "SELECT pg_stat_force_next_flush();"
} | PGOPTIONS="$PGOPTIONS -c pg_stat_statements.track=all -c track_functions=all" \
    q -d $base >/dev/null || bail "cannot create the extensions in database $base"
stats_of $base >"$work/baseline"
# the statements the extension scripts ran, kept here and dropped from
# pg_stat_statements (a reset of one database's entries leaves stats_reset)
q -d postgres -c "COPY (SELECT DISTINCT query FROM pg_stat_statements WHERE dbid = $base_oid) TO STDOUT" \
    >"$work/install" || bail "cannot read the statements of database $base"
q -d postgres -c "SELECT pg_stat_statements_reset(0, $base_oid, 0)" >/dev/null ||
    bail "cannot drop the statements of database $base from pg_stat_statements"
q -d postgres -c "DROP DATABASE $base" || bail "cannot drop database $base"

: >"$work/stats"
for db in $(q -d postgres -c "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate"); do
    stats_of "$db" >>"$work/stats"
done

# --- the verdicts ------------------------------------------------------------
{ # (psql does not expand variables in \copy)
  cat <<'SQL'
SET search_path = pg_catalog, public;
CREATE TEMP TABLE obj (ext text, kind text, ident text, name text, label text, lang text,
    nargs int, nmin int, is_variadic bool, bare_ok bool, roles text[], typtables text[], typcolumns text[],
    tbl text, tfunc text, events text[], row_level bool);
CREATE TEMP TABLE stat (db text, kind text, ident text, a bigint, b bigint, c bigint, d bigint, e bigint);
CREATE TEMP TABLE baseline (LIKE stat);
CREATE TEMP TABLE install (query text);
SQL
  echo "\\copy obj FROM '$work/objects'"
  echo "\\copy stat FROM '$work/stats'"
  echo "\\copy baseline FROM '$work/baseline'"
  echo "\\copy install FROM '$work/install'"
  cat <<'SQL'

-- less what CREATE EXTENSION did in each database (see the baseline above)
UPDATE stat s SET a = greatest(s.a - b.a, 0), b = greatest(s.b - b.b, 0), c = greatest(s.c - b.c, 0),
                  d = greatest(s.d - b.d, 0), e = greatest(s.e - b.e, 0)
FROM baseline b WHERE b.kind = s.kind AND b.ident = s.ident AND s.kind IN ('table', 'function');

-- The statements that ran to completion, but those of the extension
-- scripts (as the baseline database ran them), without their leading comments;
-- head is the first keyword.
CREATE TEMP TABLE stmt AS
SELECT row_number() OVER () AS id, s.calls, s.body, lower(substring(s.body FROM '^([A-Za-z]+)')) AS head
-- (utility statements keep their literals: a name inside quotes is no use)
FROM (SELECT p.calls, regexp_replace(regexp_replace(regexp_replace(p.query,
          '^(\s+|--[^\n]*(\n|$)|/\*[^*]*\*+([^/*][^*]*\*+)*/|\()*', ''),
          '\$\$.*?\$\$', '$$$$', 'g'), '''([^'']|'''')*''', '''''', 'g') AS body
      FROM pg_stat_statements p
      WHERE p.query NOT IN (SELECT query FROM install)) s;
DELETE FROM stmt WHERE head IN ('alter', 'drop', 'comment', 'grant', 'revoke', 'security', 'do',
    'set', 'reset', 'show', 'begin', 'start', 'commit', 'end', 'rollback', 'savepoint', 'release',
    'abort', 'listen', 'unlisten', 'vacuum', 'analyze', 'analyse', 'checkpoint', 'discard',
    'reindex', 'cluster', 'lock', 'load', 'deallocate', 'close', 'fetch', 'move')
  OR (head = 'create' AND NOT (body ~* '^create\s+(\w+\s+){0,2}(table|materialized\s+view)\M'
                               AND body ~* '\mas\s+(select|with|values|table)\M'))
  OR (head = 'explain' AND body !~* '^explain\s*(\([^)]*\manaly[sz]e\M|analy[sz]e\M)');
-- every word of each statement, and each statement's target table
CREATE TEMP TABLE word AS
SELECT DISTINCT s.id, lower(w[1]) AS w FROM stmt s, regexp_matches(s.body, '([A-Za-z_][A-Za-z0-9_]*)', 'g') w;
CREATE INDEX ON word (w);
CREATE TEMP TABLE target AS   -- (id, table name without schema, statement kind)
SELECT s.id, lower(m[2]) AS tbl, upper(s.head) AS event
FROM stmt s, regexp_matches(s.body, '^(update|insert\s+into|delete\s+from)\s+(?:only\s+)?(?:"?\w+"?\.)?"?(\w+)', 'i') m
UNION ALL
SELECT s.id, lower(regexp_replace(btrim(t), '^(only\s+)?("?\w+"?\.)?"?(\w+)"?\s*\*?$', '\3', 'i')), 'TRUNCATE'
FROM stmt s, regexp_split_to_table(regexp_replace(regexp_replace(s.body,
         '^truncate\s+(table\s+)?', '', 'i'), '(\s+(restart|continue|cascade|restrict)\M.*)?;?\s*$', '', 'i'), ',') t
WHERE s.head = 'truncate'
UNION ALL   -- COPY FROM fires a table's INSERT statement triggers
SELECT s.id, lower(m[1]), 'INSERT'
FROM stmt s, regexp_matches(s.body, '^copy\s+(?:"?\w+"?\.)?"?(\w+)"?(?:\s*\([^)]*\))?\s+from\M', 'i') m;

-- The server log (tools/pg.sh writes it beside the data directory): every
-- function the CONTEXT of a logged error names was running when the error
-- was raised ("PL/pgSQL function f(args) line N", "SQL function "f"").  A
-- refusal a pgTAP suite catches is not logged; a pg_regress case's is.
CREATE TEMP TABLE logged AS
SELECT lower(coalesce(m[1], m[3])) AS name,
       CASE WHEN m[3] IS NOT NULL THEN NULL WHEN m[2] = '' THEN 0
            ELSE 1 + length(regexp_replace(m[2], '[^,]', '', 'g')) END AS nargs,
       count(*) AS n
FROM regexp_matches(coalesce(pg_read_file(coalesce(pg_current_logfile(),
         regexp_replace(current_setting('data_directory'), '/data/?$', '/server.log')), 0, 1e9::bigint, true), ''),
         'PL/pgSQL function (?:mountaineer\.)?(\w+)\(([^)]*)\) line \d+|SQL function "(\w+)" (?:statement|during)', 'g') m
GROUP BY 1, 2;

-- Calls by name: for each function, each call of its name in an executed
-- statement and its number of arguments (arguments nested at most three
-- parentheses deep; a deeper call is missed, never miscounted).
CREATE TEMP TABLE named_call AS
SELECT o.ident, s.id, s.calls,
       CASE WHEN btrim(m[1]) = '' THEN 0
            ELSE 1 + length(regexp_replace(regexp_replace(regexp_replace(m[1],
                     '\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)', '', 'g'), '\[[^][]*\]', '', 'g'), '[^,]', '', 'g')) END AS k,
       m[1] ~* '^\s*variadic\M' AS spread
FROM obj o JOIN word w ON w.w = lower(o.name) JOIN stmt s ON s.id = w.id,
     regexp_matches(s.body, CASE WHEN o.bare_ok THEN '\m' ELSE '\mmountaineer\.' END || o.name
                    || '\s*\(((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)', 'gi') m
WHERE o.kind = 'function';
-- a call goes to the overload whose arguments it fits; one that fits both a
-- plain and a variadic overload goes to the plain one, as PostgreSQL does
DELETE FROM named_call c USING obj o WHERE o.ident = c.ident AND NOT (
    CASE WHEN o.is_variadic THEN c.k >= o.nargs OR (c.spread AND c.k = o.nargs)
         ELSE NOT c.spread AND c.k BETWEEN o.nmin AND o.nargs END
    AND NOT (o.is_variadic AND NOT c.spread AND EXISTS (
        SELECT FROM obj p WHERE p.kind = 'function' AND p.name = o.name AND NOT p.is_variadic
                            AND c.k BETWEEN p.nmin AND p.nargs)));

CREATE TEMP TABLE evidence (n serial, ident text, kind text, how text);
CREATE FUNCTION pg_temp.times(n numeric, what text) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT n || ' ' || what || CASE WHEN n = 1 THEN '' ELSE 's' END $$;

-- functions
INSERT INTO evidence (ident, kind, how)
SELECT o.ident, o.kind, 'called ' || pg_temp.times(sum(s.a), 'time')
FROM obj o JOIN stat s ON s.kind = 'function' AND s.ident = o.ident
WHERE o.kind = 'function' GROUP BY o.ident, o.kind HAVING sum(s.a) > 0;
INSERT INTO evidence (ident, kind, how)
SELECT o.ident, o.kind, 'raised ' || pg_temp.times(l.n, 'logged error') || ' (server log)'
FROM obj o JOIN logged l ON l.name = lower(o.name) AND coalesce(l.nargs, o.nargs) = o.nargs WHERE o.kind = 'function';
INSERT INTO evidence (ident, kind, how)
SELECT c.ident, 'function', 'called by name in ' || pg_temp.times(count(DISTINCT c.id), 'executed statement')
       || ' (' || pg_temp.times(sum(c.calls), 'run') || ')'
FROM named_call c GROUP BY c.ident;
-- support roles
CREATE TEMP TABLE support AS
SELECT o.ident, split_part(r, ' ', 1) AS role, substr(r, strpos(r, ' ') + 1) AS arg, o.typtables, o.typcolumns
FROM obj o, unnest(o.roles) r WHERE o.kind = 'function';
CREATE TEMP VIEW typename AS   -- type -> a regex of how a statement names it
SELECT DISTINCT arg AS typ, '(mountaineer\.)?' || regexp_replace(arg, '^mountaineer\.', '') AS re
FROM support WHERE role IN ('input', 'output', 'receive', 'send', 'cast');
CREATE TEMP VIEW copying AS    -- COPY statements: table, direction, binary
SELECT s.id, s.calls, lower(m[2]) AS tbl, lower(m[3]) AS dir, s.body ~* '\mformat\s+binary\M|\mbinary\M' AS bin
FROM stmt s, regexp_matches(s.body, '^copy\s+(?:"?(\w+)"?\.)?"?(\w+)"?(?:\s*\([^)]*\))?\s+(from|to)\M', 'i') m;
INSERT INTO evidence (ident, kind, how)
SELECT r.ident, 'function', 'as input of ' || r.arg || ': cast to it in '
       || pg_temp.times(count(*), 'executed statement')
FROM support r JOIN typename t ON t.typ = r.arg JOIN stmt s
  ON s.body ~* ('(::\s*' || t.re || '\M|\mcast\s*\(.*\mas\s+' || t.re || '\M|\m' || t.re || '\s+\$\d)')
WHERE r.role = 'input' GROUP BY r.ident, r.arg;
INSERT INTO evidence (ident, kind, how)
SELECT r.ident, 'function', 'as output of ' || r.arg || ': cast to text in '
       || pg_temp.times(count(*), 'executed statement')
FROM support r JOIN typename t ON t.typ = r.arg
JOIN stmt s ON s.body ~* ('(::\s*' || t.re || '|\m(' || coalesce(array_to_string(r.typcolumns, '|'), '-') || '))'
                          || '"?\s*::\s*(text|varchar|character varying)\M')
WHERE r.role = 'output' GROUP BY r.ident, r.arg;
INSERT INTO evidence (ident, kind, how)
SELECT r.ident, 'function', format('as %s of %s: %s %s %s', r.role, r.arg,
       pg_temp.times(count(*), CASE WHEN c.bin THEN 'binary COPY' ELSE 'COPY' END),
       CASE c.dir WHEN 'from' THEN 'into' ELSE 'out of' END, string_agg(DISTINCT c.tbl, ', '))
FROM support r JOIN copying c ON c.tbl IN (SELECT regexp_replace(t, '^mountaineer\.', '') FROM unnest(r.typtables) t)
 AND (r.role, c.dir, c.bin) IN (('input', 'from', false), ('output', 'to', false),
                                ('receive', 'from', true), ('send', 'to', true))
GROUP BY r.ident, r.role, r.arg, c.bin, c.dir;
INSERT INTO evidence (ident, kind, how)
SELECT r.ident, 'function', 'as cast to ' || r.arg || ' in ' || pg_temp.times(count(*), 'executed statement')
FROM support r JOIN typename t ON t.typ = r.arg
JOIN stmt s ON s.body ~* ('(::\s*' || t.re || '\M|\mcast\s*\(.*\mas\s+' || t.re || '\M)')
WHERE r.role = 'cast' GROUP BY r.ident, r.arg;
INSERT INTO evidence (ident, kind, how)
SELECT r.ident, 'function', format('as support %s of %s: %s', split_part(r.arg, ' ', 1), split_part(r.arg, ' ', 2),
       CASE WHEN r.role = 'gist' AND split_part(r.arg, ' ', 1) <> '1'
            THEN pg_temp.times(max(s.b), 'index page') || ' (the tree split)'
            WHEN sum(s.a) > 0 THEN pg_temp.times(sum(s.a), 'index scan')
            ELSE pg_temp.times(sum(s.c), 'row') || ' written to its indexes' END)
FROM support r JOIN stat s ON s.kind = 'opfamily' AND s.ident = substr(r.arg, strpos(r.arg, ' ') + 1)
WHERE r.role IN ('gist', 'btree', 'hash')
GROUP BY r.ident, r.role, r.arg
HAVING CASE WHEN r.role = 'gist' AND split_part(r.arg, ' ', 1) <> '1' THEN max(s.b) > 1 AND sum(s.c) > 0
            WHEN r.role = 'gist' THEN sum(s.a) > 0
            ELSE sum(s.a) + sum(s.c) > 0 END;

-- tables, views, sequences
INSERT INTO evidence (ident, kind, how)
SELECT o.ident, o.kind, concat_ws(', ',
       CASE WHEN sum(s.a + s.b) > 0 THEN pg_temp.times(sum(s.a + s.b), 'scan') END,
       CASE WHEN sum(s.c) > 0 THEN pg_temp.times(sum(s.c), 'row') || ' inserted' END,
       CASE WHEN sum(s.d) > 0 THEN sum(s.d) || ' updated' END,
       CASE WHEN sum(s.e) > 0 THEN sum(s.e) || ' deleted' END)
FROM obj o JOIN stat s ON s.kind = 'table' AND s.ident = o.ident
WHERE o.kind = 'table' GROUP BY o.ident, o.kind HAVING sum(s.a + s.b + s.c + s.d + s.e) > 0;
INSERT INTO evidence (ident, kind, how)
SELECT o.ident, o.kind, 'named schema-qualified in ' || pg_temp.times(count(*), 'executed statement')
FROM obj o JOIN word w ON w.w = lower(o.name) JOIN stmt s ON s.id = w.id
WHERE o.kind = 'table' AND s.body ~* ('\mmountaineer\.' || o.name || '\M')
GROUP BY o.ident, o.kind;
INSERT INTO evidence (ident, kind, how)
SELECT o.ident, o.kind, 'selected from in ' || pg_temp.times(count(*), 'executed statement')
       || ' (' || pg_temp.times(sum(s.calls), 'run') || ')'
FROM obj o JOIN word w ON w.w = lower(o.name) JOIN stmt s ON s.id = w.id
WHERE o.kind IN ('view', 'materialized view') GROUP BY o.ident, o.kind;
INSERT INTO evidence (ident, kind, how)
SELECT o.ident, o.kind, 'nextval called (in ' || string_agg(s.db, ', ') || ')'
FROM obj o JOIN stat s ON s.kind = 'sequence' AND s.ident = o.ident AND s.a > 0
WHERE o.kind = 'sequence' GROUP BY o.ident, o.kind;

-- triggers: the function exercised, and every event seen on the table
CREATE TEMP TABLE seen AS   -- (table, event, how)
SELECT s.ident AS tbl, e.event, pg_temp.times(e.n, 'row') AS how
FROM (SELECT ident, sum(c) AS ins, sum(d) AS upd, sum(e) AS del FROM stat WHERE kind = 'table' GROUP BY ident) s,
     LATERAL (VALUES ('INSERT', s.ins), ('UPDATE', s.upd), ('DELETE', s.del)) e(event, n)
WHERE e.n > 0;
CREATE TEMP TABLE seen_stmt AS
SELECT o.ident AS tbl, t.event, pg_temp.times(count(*), 'statement') AS how
FROM obj o JOIN target t ON t.tbl = lower(o.name) WHERE o.kind = 'table' GROUP BY 1, 2;
INSERT INTO evidence (ident, kind, how)
SELECT o.ident, o.kind, 'fired (function ' || CASE WHEN f.how LIKE 'called %' THEN 'called' ELSE 'exercised' END
       || '; ' || string_agg(lower(ev) || ' ' || coalesce(r.how, st.how), ', ' ORDER BY array_position(o.events, ev)) || ')'
FROM obj o
JOIN (SELECT DISTINCT ON (ident) ident, how FROM evidence WHERE kind = 'function' ORDER BY ident, n) f ON f.ident = o.tfunc
CROSS JOIN LATERAL unnest(o.events) ev
LEFT JOIN seen r ON o.row_level AND ev <> 'TRUNCATE' AND r.tbl = o.tbl AND r.event = ev
LEFT JOIN seen_stmt st ON (NOT o.row_level OR ev = 'TRUNCATE') AND st.tbl = o.tbl AND st.event = ev
WHERE o.kind = 'trigger'
GROUP BY o.ident, o.kind, f.how
HAVING bool_and(coalesce(r.how, st.how) IS NOT NULL);

-- one line per object: ok|label - how, or nok|label - why not
SELECT CASE WHEN e.how IS NULL THEN 'nok' ELSE 'ok' END || '|' || o.label || ' ' || coalesce(e.how,
       CASE o.kind
         WHEN 'trigger' THEN 'not fired: ' || coalesce((SELECT 'function ' || o.tfunc || ' exercised, but not '
                 || string_agg(lower(ev), ', ') || ' on ' || o.tbl
                 FROM unnest(o.events) ev
                 WHERE NOT EXISTS (SELECT FROM seen r WHERE o.row_level AND ev <> 'TRUNCATE' AND r.tbl = o.tbl AND r.event = ev)
                   AND NOT EXISTS (SELECT FROM seen_stmt st WHERE (NOT o.row_level OR ev = 'TRUNCATE')
                                   AND st.tbl = o.tbl AND st.event = ev)
                   AND EXISTS (SELECT FROM evidence f WHERE f.ident = o.tfunc)), 'function ' || o.tfunc || ' never exercised')
         ELSE 'not exercised by any test' END)
FROM obj o
LEFT JOIN (SELECT DISTINCT ON (ident) ident, how FROM evidence ORDER BY ident, n) e ON e.ident = o.ident
ORDER BY o.ext, array_position(ARRAY['table', 'view', 'materialized view', 'sequence', 'function', 'trigger'], o.kind), o.label;
SQL
} | q -d postgres >"$work/verdicts" || bail "cannot judge the evidence"

# Lost evidence can only turn an "ok" below into "not ok", never the reverse;
# the first line says whether any was lost.  A reset (pg_stat_statements_reset(),
# pg_stat_reset()) shows as a reset time after the server started.
read -r dealloc entries max reset < <(q -d postgres -F' ' -c "SELECT i.dealloc,
    (SELECT count(*) FROM pg_stat_statements), current_setting('pg_stat_statements.max'),
    concat_ws(', ', CASE WHEN i.stats_reset > pg_postmaster_start_time() + interval '1 minute'
                         THEN 'pg_stat_statements at ' || i.stats_reset END,
              (SELECT string_agg(datname || ' at ' || stats_reset, ', ') FROM pg_stat_database
               WHERE stats_reset IS NOT NULL))
    FROM pg_stat_statements_info i")
echo "1..$(( $(wc -l <"$work/verdicts") + 1 ))"
[ -z "${diag:-}" ] || echo "$diag"
if [ "$dealloc" != 0 ]; then
    nok "the statistics are complete: pg_stat_statements evicted statements $dealloc times (pg_stat_statements.max = $max); raise it in tools/test.sh, the lines below may miss evidence"
elif [ -n "$reset" ]; then
    nok "the statistics are complete: they were reset during the run ($reset); the lines below may miss evidence"
else
    ok "the statistics are complete: pg_stat_statements evicted nothing ($entries entries, pg_stat_statements.max = $max) and nothing was reset"
fi
while IFS='|' read -r verdict line; do
    if [ "$verdict" = ok ]; then ok "$line"; else nok "$line"; fi
done <"$work/verdicts"
# (prove reads the lines; a run by hand also learns from the exit status)
! grep -q '^nok' "$work/verdicts" && [ "$dealloc" = 0 ] && [ -z "$reset" ]
