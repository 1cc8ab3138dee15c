#!/usr/bin/env bash
# TAP: every PL/pgSQL function of every mountaineer extension passes
# plpgsql_check (Debian postgresql-15-plpgsql-check) with no error and no
# warning, unless the warning is accepted by a comment in the function that
# says why.  One line per function; a trigger function gets one line per
# table it is attached to (pg_trigger), since plpgsql_check reads NEW and OLD
# as that table's rows.  A trigger function NAME_report() or NAME_full()
# attached to no table, which the C trigger function NAME() runs as its own
# call (to raise its refusal, or to check what it does not), is checked on
# the tables NAME()'s triggers are on.  Any other
# trigger function attached to no table is checked against a table without
# columns: it passes if it reads no column of NEW or OLD (a generic trigger
# like log_change), else attach it or drop it.
#
# Warning classes on: other (casts, unused variables), extra (unused
# parameters, unmodified variables, shadowing, dead code, missing RETURN),
# performance (type modifiers, casts that keep an index out of use,
# volatility) and compatibility.  Off: security, which flags every text
# spliced into an EXECUTE without quote_*() or format()'s %I/%L; the core's
# only two such splices are SQL fragments on purpose (upgrade_check() runs an
# upgrade script's query, refuse_delete_referenced_report() splices row_label()'s
# expression), so it finds nothing to fix, and the comment accepting them
# could only come with a new version of the core.  Turn it on (security
# below) when the core next changes, with those two comments.
#
# Accepting a warning: a comment line in the function body
#     -- plpgsql_check accepts "MESSAGE" because REASON
# directly above the line the warning names (or at the end of that line),
# MESSAGE exactly as reported; one without a line number is accepted by such
# a comment anywhere in the body.  Errors are never accepted, and a comment
# that accepts nothing fails the function.  plpgsql_check's in-comment
# options (@plpgsql_check_options) are ignored, and fail the function: they
# could turn a whole class of warnings off, unexplained.
#
# Then a self-test plants functions with known findings in the same
# database and checks that each is reported as it must be.  Runs against the
# cluster named by PGHOST/PGPORT (tools/test.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
modules=(${MOUNTAINEER_MODULES:-$(sed -n 's/^MOUNTAINEER_MODULES *= *//p' "$top/Makefile")})
db=mt_plpgsql_check
q() { PGOPTIONS="-c client_min_messages=warning ${PGOPTIONS:-}" psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
. "$top/test/lib/tap.sh"
trap 'dropdb --if-exists -f $db 2>/dev/null' EXIT

dropdb --if-exists -f $db 2>/dev/null
createdb $db || { echo "Bail out! cannot create a database"; exit 1; }
for e in mountaineer "${modules[@]/#/mountaineer_}"; do
    q -c "CREATE EXTENSION $e CASCADE" || { echo "Bail out! cannot install $e"; exit 1; }
done
q -c 'CREATE EXTENSION plpgsql_check' ||
    { echo "Bail out! cannot install plpgsql_check (Debian postgresql-15-plpgsql-check)"; exit 1; }

# check ONLY: one line "ok|not ok <TAB> what <TAB> findings, US-separated" per
# function (and table) of a mountaineer extension whose name matches the
# regex ONLY
check_functions() {
    q -F $'\t' -v only="$1" <<'SQL'
SET search_path = pg_catalog;
-- plpgsql_check raises, instead of reporting, when it cannot check at all
CREATE FUNCTION pg_temp.findings(fn oid, rel oid, oldt name, newt name)
RETURNS TABLE (level text, lineno int, sqlstate text, message text, detail text, hint text)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    SELECT c.level, c.lineno, c.sqlstate, c.message, c.detail, c.hint
      FROM public.plpgsql_check_function_tb(fn::regprocedure, rel::regclass,
               fatal_errors => false, other_warnings => true, extra_warnings => true,
               performance_warnings => true, compatibility_warnings => true, security_warnings => false,
               oldtable => oldt, newtable => newt, use_incomment_options => false) c;
EXCEPTION WHEN OTHERS THEN
    RETURN QUERY SELECT 'error'::text, NULL::int, SQLSTATE, 'plpgsql_check cannot check it: ' || SQLERRM, NULL::text, NULL::text;
END
$$;
CREATE TEMP TABLE no_columns ();

CREATE TEMP TABLE fn AS
SELECT p.oid, p.prorettype, p.prosrc
  FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
  JOIN pg_proc p ON p.oid = d.objid JOIN pg_language l ON l.oid = p.prolang
 WHERE d.refclassid = 'pg_extension'::regclass AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
   AND e.extname LIKE 'mountaineer%' AND l.lanname = 'plpgsql' AND p.proname ~ :'only';

-- what to check each function against: every table its triggers are on
-- (with their transition tables); for a trigger function NAME_report() or
-- NAME_full() on no table, every table the triggers of NAME() are on (a C
-- trigger function that runs that PL/pgSQL as its own call); a table
-- without columns for a trigger function on none, nothing for any other
-- function
CREATE TEMP TABLE runs_as AS
SELECT fn.oid AS fn, c.oid AS caller
  FROM fn JOIN pg_proc r ON r.oid = fn.oid
  JOIN pg_proc c ON c.pronamespace = r.pronamespace AND r.proname IN (c.proname || '_report', c.proname || '_full')
       AND c.prorettype = 'trigger'::regtype AND c.pronargs = 0
 WHERE fn.prorettype = 'trigger'::regtype AND NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgfoid = fn.oid)
   AND EXISTS (SELECT FROM pg_trigger t WHERE t.tgfoid = c.oid);
CREATE TEMP TABLE target AS
SELECT fn.oid AS fn, t.tgrelid AS rel, t.tgoldtable AS oldt, t.tgnewtable AS newt,
       format('%s on %s (trigger %s)', fn.oid::regprocedure, t.tgrelid::regclass,
              string_agg(t.tgname, ', ' ORDER BY t.tgname)) AS what
  FROM fn JOIN pg_trigger t ON t.tgfoid = fn.oid
 GROUP BY fn.oid, t.tgrelid, t.tgoldtable, t.tgnewtable
UNION ALL
SELECT r.fn, t.tgrelid, t.tgoldtable, t.tgnewtable,
       format('%s on %s (as %s, trigger %s)', r.fn::regprocedure, t.tgrelid::regclass, r.caller::regprocedure,
              string_agg(t.tgname, ', ' ORDER BY t.tgname))
  FROM runs_as r JOIN pg_trigger t ON t.tgfoid = r.caller
 GROUP BY r.fn, r.caller, t.tgrelid, t.tgoldtable, t.tgnewtable
UNION ALL
SELECT fn.oid, 'pg_temp.no_columns'::regclass, NULL, NULL,
       format('%s, on no table: against a table without columns', fn.oid::regprocedure)
  FROM fn WHERE fn.prorettype = 'trigger'::regtype AND NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgfoid = fn.oid)
   AND NOT EXISTS (SELECT FROM runs_as r WHERE r.fn = fn.oid)
UNION ALL
SELECT fn.oid, 0, NULL, NULL, fn.oid::regprocedure::text
  FROM fn WHERE fn.prorettype <> 'trigger'::regtype;

-- the accepting comments: the line each covers is its own when code comes
-- before it, else the next line that is not blank or a comment
CREATE TEMP TABLE line AS
SELECT fn.oid AS fn, u.n::int AS n, u.text
  FROM fn, unnest(string_to_array(fn.prosrc, E'\n')) WITH ORDINALITY u(text, n);
CREATE TEMP TABLE marker AS
SELECT l.fn, l.n, m[1] AS message, m[2] AS reason,
       CASE WHEN l.text ~ '^\s*--' THEN
            (SELECT min(c.n) FROM line c WHERE c.fn = l.fn AND c.n > l.n AND c.text !~ '^\s*(--.*)?$')
            ELSE l.n END AS covers
  FROM line l, regexp_match(l.text, '--\s*plpgsql_check accepts "(.*)" because\s+(\S.*)$') AS r(m)
 WHERE m IS NOT NULL;

CREATE TEMP TABLE finding AS
SELECT t.fn, t.rel, f.*,
       (SELECT min(m.n) FROM marker m
         WHERE f.level <> 'error' AND m.fn = t.fn AND m.message = f.message
           AND (f.lineno IS NULL OR f.lineno = m.covers)) AS marker
  FROM target t, pg_temp.findings(t.fn, t.rel, t.oldt, t.newt) f;

-- what fails a function besides its findings: a comment that accepts
-- nothing, one that means to accept but is not of the form above, and an
-- in-comment option (ignored here: one could turn a class of warnings off)
CREATE TEMP TABLE bad_marker AS
SELECT m.fn, m.n, format('line %s: the comment accepting "%s" accepts nothing (no such warning on line %s)',
                         m.n, m.message, coalesce(m.covers::text, '-')) AS note
  FROM marker m WHERE NOT EXISTS (SELECT FROM finding f WHERE f.fn = m.fn AND f.marker = m.n)
UNION ALL
SELECT l.fn, l.n, format('line %s: not an accepting comment (-- plpgsql_check accepts "MESSAGE" because REASON): %s',
                         l.n, btrim(l.text))
  FROM line l
 WHERE l.text ~* 'plpgsql_check\s+accept'
   AND NOT EXISTS (SELECT FROM marker m WHERE m.fn = l.fn AND m.n = l.n)
UNION ALL
SELECT l.fn, l.n, format('line %s: in-comment options are ignored here (accept a warning with -- plpgsql_check accepts "MESSAGE" because REASON): %s',
                         l.n, btrim(l.text))
  FROM line l WHERE l.text ~* '@plpgsql_check_option';

SELECT CASE WHEN EXISTS (SELECT FROM finding f WHERE f.fn = t.fn AND f.rel = t.rel AND f.marker IS NULL)
              OR EXISTS (SELECT FROM bad_marker b WHERE b.fn = t.fn)
            THEN 'not ok' ELSE 'ok' END,
       t.what,
       coalesce((SELECT string_agg(d, E'\x1f' ORDER BY k, n, d) FROM (
           SELECT 0 AS k, f.lineno AS n, regexp_replace(
                      format('%sline %s: %s %s: %s%s%s%s',
                             CASE WHEN f.marker IS NOT NULL THEN 'accepted: ' END,
                             coalesce(f.lineno::text, '-'), f.level, f.sqlstate, f.message,
                             ' (' || f.detail || ')', '; hint: ' || f.hint,
                             (SELECT ' -- because ' || m.reason FROM marker m WHERE m.fn = f.fn AND m.n = f.marker)),
                      '\s+', ' ', 'g') AS d
             FROM finding f WHERE f.fn = t.fn AND f.rel = t.rel
           UNION ALL
           SELECT 1, b.n, b.note FROM bad_marker b WHERE b.fn = t.fn) x), '')
  FROM target t
 ORDER BY t.what;
SQL
}

out=$(check_functions '.') || { echo "Bail out! the check itself failed"; exit 1; }
[ -n "$out" ] || { echo "Bail out! no PL/pgSQL function of a mountaineer extension was found"; exit 1; }

# the self-test: functions with known findings, made members of the core
# (in this database only) so that the same query finds them; each expected
# to be reported ok or not ok, naming what it must
q >/dev/null <<'SQL' || { echo "Bail out! cannot plant the self-test functions"; exit 1; }
CREATE FUNCTION public.plcheck_canary_error() RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE r text;
BEGIN
    SELECT s.no_such_column INTO r FROM mountaineer.site s;
    RETURN r;
END $$;
CREATE FUNCTION public.plcheck_canary_unused() RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE spare int;
BEGIN
    RETURN 1;
END $$;
CREATE FUNCTION public.plcheck_canary_accepted() RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    -- plpgsql_check accepts "unused variable "spare"" because the self-test plants it
    spare int;
BEGIN
    RETURN 1;
END $$;
CREATE FUNCTION public.plcheck_canary_stale() RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    -- plpgsql_check accepts "unused variable "spare"" because there used to be one
    RETURN 1;
END $$;
CREATE FUNCTION public.plcheck_canary_unexplained() RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    -- plpgsql_check accepts "unused variable "spare""
    spare int;
BEGIN
    RETURN 1;
END $$;
CREATE FUNCTION public.plcheck_canary_incomment() RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    -- @plpgsql_check_options: extra_warnings = false, other_warnings = false
    spare int;
BEGIN
    RETURN 1;
END $$;
CREATE FUNCTION public.plcheck_canary_cast() RETURNS uuid[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE ids uuid[] := '{}';
BEGIN
    RETURN ids;
END $$;
CREATE FUNCTION public.plcheck_canary_volatile() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    RETURN 1;
END $$;
CREATE FUNCTION public.plcheck_canary_param(unread int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN 1;
END $$;
CREATE FUNCTION public.plcheck_canary_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM NEW.cable_id;
    RETURN NULL;
END $$;
CREATE TRIGGER plcheck_canary AFTER INSERT ON mountaineer.cable FOR EACH ROW EXECUTE FUNCTION public.plcheck_canary_trigger();
CREATE TRIGGER plcheck_canary AFTER INSERT ON mountaineer.cable_end FOR EACH ROW EXECUTE FUNCTION public.plcheck_canary_trigger();
CREATE FUNCTION public.plcheck_canary_loose_specific() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM NEW.name;
    RETURN NULL;
END $$;
CREATE FUNCTION public.plcheck_canary_loose_generic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM to_jsonb(NEW);
    RETURN NULL;
END $$;
DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT oid FROM pg_proc WHERE proname LIKE 'plcheck\_canary\_%' LOOP
        EXECUTE format('ALTER EXTENSION mountaineer ADD FUNCTION %s', f);
    END LOOP;
END $$;
SQL
selftest=$(check_functions '^plcheck_canary_') || { echo "Bail out! the check of the self-test functions failed"; exit 1; }
# expect WHAT-PREFIX STATUS FINDING-TEXT DESCRIPTION
expects=()
expect() { expects+=("$1"$'\x1f'"$2"$'\x1f'"$3"$'\x1f'"$4"); }
expect 'public.plcheck_canary_error()' 'not ok' 'error 42703: column s.no_such_column does not exist' \
    'a function with an error is not ok'
expect 'public.plcheck_canary_unused()' 'not ok' 'unused variable "spare"' \
    'an unused variable is not ok'
expect 'public.plcheck_canary_accepted()' 'ok' 'accepted: line 4: warning 00000: unused variable "spare" -- because the self-test plants it' \
    'a warning with its accepting comment above it is ok'
expect 'public.plcheck_canary_stale()' 'not ok' 'accepts nothing' \
    'an accepting comment with no such warning is not ok'
expect 'public.plcheck_canary_unexplained()' 'not ok' 'not an accepting comment' \
    'an accepting comment without its reason is not ok'
expect 'public.plcheck_canary_incomment()' 'not ok' 'in-comment options are ignored here' \
    'an in-comment option is not ok (it would turn warnings off)'
expect 'public.plcheck_canary_cast()' 'not ok' 'target type is different type than source type' \
    'a text value assigned to a uuid[] is not ok'
expect 'public.plcheck_canary_volatile()' 'not ok' 'performance 00000: routine is marked as VOLATILE, should be IMMUTABLE' \
    'performance warnings are on: a VOLATILE function that could be IMMUTABLE is not ok'
expect 'public.plcheck_canary_param(integer)' 'not ok' 'unused parameter "unread"' \
    'extra warnings are on: a parameter never read is not ok'
expect 'public.plcheck_canary_trigger() on mountaineer.cable ' 'not ok' 'record "new" has no field "cable_id"' \
    'a trigger function is checked against each of its tables: a column the table lacks is not ok'
expect 'public.plcheck_canary_trigger() on mountaineer.cable_end ' 'ok' '' \
    'and the same function on the table that has it is ok'
expect 'public.plcheck_canary_loose_specific()' 'not ok' 'record "new" has no field "name"' \
    'a trigger function on no table that reads a column is not ok'
expect 'public.plcheck_canary_loose_generic()' 'ok' '' \
    'a trigger function on no table that reads no column is ok'

echo "1..$(( $(wc -l <<<"$out") + ${#expects[@]} ))"
while IFS=$'\t' read -r status what findings; do
    echo "$status $((n += 1)) - plpgsql_check: $what"
    [ -n "$findings" ] && tr '\037' '\n' <<<"$findings" | sed 's/^/# /'
done <<<"$out"
for e in "${expects[@]}"; do
    IFS=$'\x1f' read -r what want text desc <<<"$e"
    line=$(grep -F -- "$what" <<<"$selftest" | head -1)
    status=${line%%$'\t'*}
    if [ -n "$line" ] && [ "$status" = "$want" ] && grep -qF -- "$text" <<<"$line"; then
        ok "self-test: $desc"
    else
        nok "self-test: $desc (wanted $want, naming: $text)"
        echo "# got: ${line:-nothing}" | tr '\037' ' '
    fi
done
