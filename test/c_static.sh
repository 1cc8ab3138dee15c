#!/usr/bin/env bash
# C static analysis: cppcheck and clang-tidy over every src/*.c, one test
# per tool and file, each finding a "# ..." line under its "not ok".  Both
# read PostgreSQL's server headers as system headers (only our code is
# judged) with the build's defines.  Configuration: .clang-tidy (the checks)
# and tools/cppcheck.suppressions; cppcheck's flags are here.  Needs no
# database.  The files are analysed in parallel, one job per core.
# Arguments, if any, name the files to analyse instead (test/c_static.sh
# src/cidr.c).
set -uo pipefail

files=()
for f in "$@"; do files+=("$(realpath "$f")"); done
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. test/lib/tap.sh

[ ${#files[@]} -gt 0 ] || files=(src/*.c)
tools=(cppcheck clang-tidy)
echo "1..$((${#files[@]} * ${#tools[@]}))"

pg_config=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
server=$("$pg_config" --includedir-server)
internal=$("$pg_config" --pkgincludedir)/internal
cc=$("$pg_config" --cc)
if [ ! -f "$server/postgres.h" ]; then
    # without them cppcheck would judge less and say nothing
    for f in "${files[@]}"; do for t in "${tools[@]}"; do nok "$t $f"; done; done
    echo "# no postgres.h in \"$server\" ($pg_config --includedir-server)"
    exit 1
fi
cflags=$("$pg_config" --cflags)
# The build's -D and -I (PGXS passes pg_config --cppflags) and optimisation
# level, which some headers test (__OPTIMIZE__).
defines=()
for w in $("$pg_config" --cppflags); do
    case $w in -D* | -I*) defines+=("$w") ;; esac
done
opt=()
for w in $cflags; do
    case $w in -O*) opt+=("$w") ;; esac
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# cppcheck knows no compiler: give it the macros the build's gcc predefines
# (__GNUC__, __x86_64__, __OPTIMIZE__ ...), as PostgreSQL's headers test them.
# It reads PostgreSQL's headers (so it knows that ereport(ERROR) does not
# return) but not the C library's, which it models itself.
$cc $cflags $("$pg_config" --cflags_sl) "${defines[@]}" -dM -E -x c /dev/null \
    >"$tmp/predefined.h" 2>"$tmp/predefined.err" ||
    sed 's/^/# /' "$tmp/predefined.err"
cppcheck_args=(--quiet --error-exitcode=1 --language=c --platform=unix64
    --enable=warning,style,performance,portability --inline-suppr
    --suppressions-list=tools/cppcheck.suppressions --suppress="*:$server/*"
    --include="$tmp/predefined.h" "${defines[@]}" -Isrc -I"$server" -I"$internal"
    --template='{file}:{line}:{column}: {severity}: {message} [{id}]')
clang_tidy_args=(--quiet --config-file=.clang-tidy)
compile_args=("${opt[@]}" -isystem "$server" -isystem "$internal" -Isrc "${defines[@]}")

# analyse TOOL FILE OUT: the tool's findings on FILE into OUT, its status into OUT.rc
analyse() {
    local rc
    case $1 in
        cppcheck) cppcheck "${cppcheck_args[@]}" "$2" ;;
        clang-tidy) clang-tidy "${clang_tidy_args[@]}" "$2" -- "${compile_args[@]}" ;;
    esac >"$3" 2>&1
    rc=$?
    echo "$rc" >"$3.rc"
}

jobs_max=$(nproc 2>/dev/null || echo 2)
i=0
for f in "${files[@]}"; do
    for t in "${tools[@]}"; do
        i=$((i + 1))
        command -v "$t" >/dev/null || continue
        while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
        analyse "$t" "$f" "$tmp/$i" &
    done
done
wait

i=0
for f in "${files[@]}"; do
    for t in "${tools[@]}"; do
        i=$((i + 1))
        out=$tmp/$i
        if ! command -v "$t" >/dev/null; then
            nok "$t $f"
            echo "# $t is not installed (tools/deps.sh installs it)"
            continue
        fi
        # cppcheck prints only findings; clang-tidy also the code they point at
        if [ "$t" = cppcheck ]; then
            findings=$(cat "$out")
        else
            findings=$(grep -E ': (warning|error): ' "$out")
        fi
        rc=$(cat "$out.rc")
        if [ "$rc" = 0 ] && [ -z "$findings" ]; then
            ok "$t $f"
            continue
        fi
        nok "$t $f"
        [ -n "$findings" ] || findings=$(tail -20 "$out")
        echo "$findings" | sed 's/^/# /'
        [ "$rc" = 0 ] || echo "# $t exited with status $rc"
    done
done
