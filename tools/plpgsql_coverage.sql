-- tools/coverage.sh: PL/pgSQL coverage from the merged profiles (table
-- profile, one row per statement per database dump, tools/plpgsql_profile.sh)
-- of the functions a fresh install of the default versions has (this
-- database).  A branch is one arm of an IF or CASE (then, each elsif/when,
-- else): reached when any statement in it ran.
\pset footer off
CREATE TABLE plpgsql_statement AS
WITH current_function AS (
    SELECT e.extname, p.oid::regprocedure::text AS fn, md5(p.prosrc) AS body
      FROM pg_proc p
      JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname LIKE 'mountaineer%'
     WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
)
SELECT f.extname, f.fn, s.stmtid, s.parent_stmtid, s.parent_note, s.parent_name,
       s.lineno, s.stmtname, coalesce(s.exec, 0) AS exec
  FROM current_function f
  LEFT JOIN (SELECT fn, body, stmtid, min(parent_stmtid) AS parent_stmtid,
                    min(parent_note) AS parent_note, min(parent_name) AS parent_name,
                    min(lineno) AS lineno, min(stmtname) AS stmtname, sum(exec) AS exec
               FROM profile GROUP BY fn, body, stmtid) s USING (fn, body);

CREATE TABLE plpgsql_coverage AS
SELECT extname, fn,
       count(stmtid) AS statements,
       count(*) FILTER (WHERE exec > 0) AS executed,
       count(DISTINCT (parent_stmtid, parent_note)) FILTER (WHERE parent_name IN ('IF', 'CASE')) AS branches,
       count(DISTINCT (parent_stmtid, parent_note)) FILTER (WHERE parent_name IN ('IF', 'CASE') AND exec > 0) AS branches_reached
  FROM plpgsql_statement GROUP BY extname, fn;

SELECT extname AS extension, fn AS function,
       format('%s/%s', executed, statements) AS statements,
       CASE WHEN statements > 0 THEN round(100.0 * executed / statements) || '%' END AS "%",
       format('%s/%s', branches_reached, branches) AS branches,
       CASE WHEN executed = 0 THEN 'never executed' END AS note
  FROM plpgsql_coverage ORDER BY extname, fn;

SELECT count(*) AS functions,
       count(*) FILTER (WHERE executed = 0) AS never_executed,
       format('%s/%s (%s%%)', sum(executed), sum(statements),
              round(100.0 * sum(executed) / nullif(sum(statements), 0), 1)) AS statements,
       format('%s/%s (%s%%)', sum(branches_reached), sum(branches),
              round(100.0 * sum(branches_reached) / nullif(sum(branches), 0), 1)) AS branches
  FROM plpgsql_coverage;

-- every statement no test ran, by function and line, with the arm it is in
\o :unexecuted
\pset format unaligned
\pset tuples_only on
SELECT format('%s line %s: %s%s', fn, lineno, stmtname,
              CASE WHEN parent_name IN ('IF', 'CASE') THEN format(' (%s %s)', parent_name, parent_note) ELSE '' END)
  FROM plpgsql_statement WHERE exec = 0 ORDER BY extname, fn, lineno, stmtid;
\o
