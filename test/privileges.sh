#!/usr/bin/env bash
# TAP: who may execute each function of every extension is what README's
# "Who may call what" table says, row for row.  The catalogue side: every
# function that is a member of a mountaineer extension, but trigger
# functions (no role may call them: test/catalog.sql) and the support
# functions of types and operators (input/output, operator implementations,
# index support: executable by everyone, as operators need; checked here),
# each with the least role that may execute it: everyone (PUBLIC),
# mountaineer_host (the host logins' group of mountaineer_vault, not a
# member of reader), mountaineer_reader, mountaineer_editor,
# mountaineer_admin, or owner (none of those: the superuser who installed
# the extensions).  Runs against the
# cluster named by PGHOST/PGPORT.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
modules=(${MOUNTAINEER_MODULES:-$(sed -n 's/^MOUNTAINEER_MODULES *= *//p' "$top/Makefile")})
db=mt_privileges
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists -f $db 2>/dev/null' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
. "$top/test/lib/tap.sh"
echo "1..3"

dropdb --if-exists -f $db 2>/dev/null
createdb $db || { echo "Bail out! cannot create a database"; exit 1; }
for e in mountaineer "${modules[@]/#/mountaineer_}"; do
    q -c "SET client_min_messages = warning" -c "CREATE EXTENSION $e CASCADE" || { echo "Bail out! cannot install $e"; exit 1; }
done

q >"$work/catalogue" <<'SQL'
SET search_path = pg_catalog;
CREATE TEMP VIEW fn AS
SELECT p.oid, p.oid::regprocedure::text AS sig,
       p.oid IN (SELECT typinput FROM pg_type UNION SELECT typoutput FROM pg_type
                 UNION SELECT typreceive FROM pg_type UNION SELECT typsend FROM pg_type
                 UNION SELECT oprcode FROM pg_operator UNION SELECT amproc FROM pg_amproc) AS support
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid JOIN pg_proc p ON p.oid = d.objid
WHERE d.refclassid = 'pg_extension'::regclass AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
  AND e.extname LIKE 'mountaineer%' AND p.prorettype <> 'trigger'::regtype;
SELECT sig || ' | ' ||
       CASE WHEN has_function_privilege('public', oid, 'EXECUTE') THEN 'everyone'
            -- host logins' group (mountaineer_vault), not a member of reader; NULL where absent
            WHEN has_function_privilege((SELECT r.oid FROM pg_roles r WHERE r.rolname = 'mountaineer_host'), oid, 'EXECUTE') THEN 'mountaineer_host'
            WHEN has_function_privilege('mountaineer_reader', oid, 'EXECUTE') THEN 'mountaineer_reader'
            WHEN has_function_privilege('mountaineer_editor', oid, 'EXECUTE') THEN 'mountaineer_editor'
            WHEN has_function_privilege('mountaineer_admin', oid, 'EXECUTE') THEN 'mountaineer_admin'
            ELSE 'owner' END
FROM fn WHERE NOT support ORDER BY 1;
SQL
q -c "SET search_path = pg_catalog" -c "
    SELECT p.oid::regprocedure FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid JOIN pg_proc p ON p.oid = d.objid
    WHERE d.refclassid = 'pg_extension'::regclass AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
      AND e.extname LIKE 'mountaineer%' AND NOT has_function_privilege('public', p.oid, 'EXECUTE')
      AND p.oid IN (SELECT typinput FROM pg_type UNION SELECT typoutput FROM pg_type UNION SELECT typreceive FROM pg_type
                    UNION SELECT typsend FROM pg_type UNION SELECT oprcode FROM pg_operator UNION SELECT amproc FROM pg_amproc)" >"$work/support"
check "every type, operator and index support function is executable by everyone" '[ ! -s "$work/support" ] || { sed "s/^/# /" "$work/support"; false; }'

# README: the rows of the table under "### Who may call what":  | `sig` | who |
awk '/^### Who may call what/ { on = 1; next } on && /^#/ { on = 0 } on' "$top/README.md" |
    sed -n 's/^| `\([^`]*\)` | \([a-z_]*\) |.*/\1 | \2/p' | LC_ALL=C sort >"$work/readme"
LC_ALL=C sort "$work/catalogue" -o "$work/catalogue"
check "README lists who may call each function" '[ -s "$work/readme" ]'
if diff -u "$work/readme" "$work/catalogue" >"$work/diff"; then
    ok "README's table is the catalogue, function for function (privileges of $(wc -l <"$work/catalogue") functions)"
else
    nok "README's table is the catalogue, function for function (- README, + catalogue)"
    sed 's/^/# /' "$work/diff"
fi
