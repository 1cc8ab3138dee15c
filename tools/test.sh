#!/usr/bin/env bash
# Runs every test against a fresh throwaway cluster (tools/pg.sh test):
#   1. pg_regress: sql/ + expected/ of the core and of every module, then
#                  their isolation specs (specs/ + expected/) by pg_isolation_regress
#   2. pgTAP:      test/*.sql of the core and every module, by pg_prove,
#                  in one database with every extension installed
#   3. TAP scripts: test/*.sh (e.g. the pg_dump round trip), by prove
#   4. the checks that judge the whole run: test/final/*.sh, by prove, once
#      everything above has run in the test cluster (which counts, for
#      them, every statement, function call and table access)
# and ends with one line "N passed, M failed".  Exits non-zero on failure.
# Called by `make test` after build and install.  MT_TEST_CLUSTER names
# another cluster than "test" (tools/pg.sh), to keep its data afterwards.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
modules=(${MOUNTAINEER_MODULES:-$(sed -n 's/^MOUNTAINEER_MODULES *= *//p' Makefile)})
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PATH="$("$PG_CONFIG" --bindir):$PATH"

cluster=${MT_TEST_CLUSTER:-test}
# Statistics for test/final: every statement (nested ones too) and every
# function call of the run.  PG_CONF_EXTRA (tools/pg.sh) comes last, so a
# caller (tools/coverage.sh) may preload more libraries.
PG_CONF_EXTRA="shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
pg_stat_statements.max = 400000
track_functions = all
${PG_CONF_EXTRA:-}" tools/pg.sh fresh "$cluster" || exit 1
eval "$(tools/pg.sh env "$cluster")"
trap 'tools/pg.sh stop "$cluster" >/dev/null' EXIT

passed=0
failed=0
log=$top/.pg/test-logs
rm -rf "$log"; mkdir -p "$log"

# --- 1. pg_regress ------------------------------------------------------
for dir in . "${modules[@]/#/modules/}"; do
    [ -d "$dir/sql" ] || continue
    name=$( [ "$dir" = . ] && echo core || basename "$dir")
    echo "== pg_regress and isolation specs: $name"
    out=$log/regress-$name.out
    make --no-print-directory -C "$dir" installcheck >"$out" 2>&1
    rc=$?
    grep -E '^(test| ) .*\.\.\. ' "$out" | sed 's/^/   /'
    p=$(grep -cE '\.\.\. ok' "$out")
    f=$(grep -cE '\.\.\. FAILED|\.\.\. failed' "$out")
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1; tail -20 "$out" | sed 's/^/   /'
    fi
    if [ "$f" -gt 0 ]; then
        for d in "$dir/regression.diffs" "$dir/output_iso/regression.diffs"; do
            [ -f "$d" ] && head -200 "$d"
        done
    fi
    passed=$((passed + p)); failed=$((failed + f))
done

# --- 2. pgTAP -------------------------------------------------------------
tap=()
for dir in . "${modules[@]/#/modules/}"; do
    for f in "$dir"/test/*.sql; do [ -f "$f" ] && tap+=("$f"); done
done
if [ ${#tap[@]} -gt 0 ]; then
    echo "== pgTAP (pg_prove): ${#tap[@]} suites"
    createdb mountaineer_tap || exit 1
    psql -X -q -v ON_ERROR_STOP=1 -d mountaineer_tap -c 'CREATE EXTENSION pgtap' \
        -c 'CREATE EXTENSION mountaineer' || exit 1
    for m in "${modules[@]}"; do
        psql -X -q -v ON_ERROR_STOP=1 -d mountaineer_tap \
            -c "CREATE EXTENSION mountaineer_$m CASCADE" || exit 1
    done
    out=$log/pgtap.out
    pg_prove -v -d mountaineer_tap "${tap[@]}" >"$out" 2>&1
    rc=$?
    # show each suite's verdict and any failure, not every passing assertion
    grep -vE '^ok [0-9]+' "$out" | grep -vE '^1\.\.[0-9]+$' | sed 's/^/   /'
    p=$(grep -cE '^ok [0-9]+' "$out")
    f=$(grep -cE '^not ok [0-9]+' "$out")
    [ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
    passed=$((passed + p)); failed=$((failed + f))
fi

# --- 3. TAP shell scripts, 4. the final checks ------------------------------
run_prove() {   # $1: what, $2: log name, then the scripts
    local what=$1 name=$2 out rc p f
    shift 2
    [ $# -gt 0 ] || return 0
    echo "== $what (prove): $#"
    out=$log/$name.out
    prove -v "$@" >"$out" 2>&1
    rc=$?
    grep -vE '^ok [0-9]+' "$out" | grep -vE '^1\.\.[0-9]+$' | sed 's/^/   /'
    p=$(grep -cE '^ok [0-9]+' "$out")
    f=$(grep -cE '^not ok [0-9]+' "$out")
    [ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
    passed=$((passed + p)); failed=$((failed + f))
}
sh=()
for dir in . "${modules[@]/#/modules/}"; do
    for f in "$dir"/test/*.sh; do [ -f "$f" ] && sh+=("$f"); done
done
run_prove "TAP scripts" prove "${sh[@]}"
final=()
for f in test/final/*.sh; do [ -f "$f" ] && final+=("$f"); done
run_prove "final checks of the whole run" final "${final[@]}"

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
