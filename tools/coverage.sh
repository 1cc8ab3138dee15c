#!/usr/bin/env bash
# `make coverage`: the whole test suite (tools/test.sh) against a C library
# built with gcov instrumentation and a server that profiles PL/pgSQL, then
#   - C line and branch coverage per file of src/ (lcov), HTML report in
#     .coverage/html/index.html, uncovered lines in .coverage/c-uncovered.txt
#   - PL/pgSQL statement and branch coverage per function (plpgsql_check's
#     profiler), unexecuted statements in .coverage/plpgsql-unexecuted.txt
#
# The instrumented library is never installed: PostgreSQL finds its lib/ and
# share/ directories relative to its programs, so a private copy of the
# installation (programs, libraries, headers, extension files) under a scratch
# directory gets the instrumented build and the current extension scripts,
# and the suite runs with PG_CONFIG pointing at that copy.  Every cluster the
# suite starts (tools/pg.sh) preloads plpgsql_check and saves its profile
# when stopped (MOUNTAINEER_PROFILE_DIR).
#
# Exits non-zero when a test failed or a file misses its target (C: 90% of
# lines and 80% of branches; PL/pgSQL: every function executed, 90% of
# statements overall).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
modules=(${MOUNTAINEER_MODULES:-$(sed -n 's/^MOUNTAINEER_MODULES *= *//p' Makefile)})
sys_pg_config=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
tools/deps.sh lcov

# Branches inside PostgreSQL's macros (ereport's level test, the interrupt
# check, the varlena header tests, Assert) are not decisions of ours; the
# `if` that leads to an ereport still counts.  Lines marked LCOV_EXCL_LINE
# (with the reason beside them) are states no input can reach, and so are
# the branches of lines marked LCOV_EXCL_BR_LINE (this list replaces lcov's
# default, so it names that marker too).
excl_br='LCOV_EXCL_BR_LINE|ereport|elog|errcode|errmsg|errdetail|errhint|CHECK_FOR_INTERRUPTS|Assert|PG_GETARG|PG_RETURN|PG_DETOAST|VARSIZE|VARDATA|SET_VARSIZE|SRF_|PG_FREE_IF_COPY|PG_ARGISNULL|DatumGet|GetDatum'
lcov_rc=(--rc lcov_branch_coverage=1 --rc "lcov_excl_br_line=$excl_br")

out=$top/.coverage
rm -rf "$out"; mkdir -p "$out"
# Scratch space the server's OS user (postgres, when run as root) can write
# its .gcda files and profiles into; a clone under /root is out of its reach.
work=$(mktemp -d /tmp/mountaineer-coverage-XXXXXXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

echo "== a private copy of the PostgreSQL installation in $work/root"
root=$work/root
for d in "$(dirname "$("$sys_pg_config" --bindir)")" "$("$sys_pg_config" --sharedir)" \
         "$("$sys_pg_config" --pkgincludedir)"; do
    mkdir -p "$root$(dirname "$d")"
    cp -a "$d" "$root$d"
done
pg_config=$root$sys_pg_config
[ "$("$pg_config" --pkglibdir)" = "$root$("$sys_pg_config" --pkglibdir)" ] \
    || { echo "coverage: the copied PostgreSQL does not find its own lib/" >&2; exit 1; }

echo "== the C library built with --coverage (-O0), in $work/build"
build=$work/build
mkdir -p "$build"
cp -a Makefile mountaineer.control scripts src "$build/"
make --no-print-directory -s -C "$build" PG_CONFIG="$sys_pg_config" clean   # the clone's objects came along
make --no-print-directory -s -C "$build" PG_CONFIG="$sys_pg_config" \
    PG_CFLAGS="-Wall -Wextra -O0 --coverage" SHLIB_LINK=--coverage all
make --no-print-directory -s -C "$build" PG_CONFIG="$sys_pg_config" DESTDIR="$root" install
for m in "${modules[@]}"; do
    make --no-print-directory -s -C "modules/$m" PG_CONFIG="$sys_pg_config" DESTDIR="$root" install
done
chmod -R a+rwX "$build/src"
lcov -q "${lcov_rc[@]}" --zerocounters --directory "$build/src"

echo "== the whole test suite against it (slower than make test)"
mkdir -m 777 "$work/profile"
set +e
PG_CONFIG=$pg_config MOUNTAINEER_PROFILE_DIR=$work/profile \
PG_CONF_EXTRA="shared_preload_libraries = 'pg_stat_statements,plpgsql_check'
plpgsql_check.profiler = on" \
    tools/test.sh 2>&1 | tee "$out/test.log"
tests_rc=${PIPESTATUS[0]}
set -e

echo
echo "== C coverage (lcov): lines and branches per file of src/"
lcov -q "${lcov_rc[@]}" --capture --directory "$build/src" --base-directory "$build" \
    --output-file "$work/all.info" 2>"$work/lcov.err" || { cat "$work/lcov.err" >&2; exit 1; }
lcov -q "${lcov_rc[@]}" --extract "$work/all.info" "$build/src/*" --output-file "$out/c.info"
# name the files as they are in the clone, for the report and the listing
sed -i "s|^SF:$build/|SF:$top/|" "$out/c.info"
genhtml -q "${lcov_rc[@]}" --prefix "$top" --title "Mountaineer C coverage" \
    --output-directory "$out/html" "$out/c.info" >/dev/null
c_ok=1
UNCOVERED="$out/c-uncovered.txt" perl -e '
    my ($file, %f, @order);
    while (<>) {
        if (/^SF:(.*)/) { $file = $1; push @order, $file; }
        elsif (/^LF:(\d+)/) { $f{$file}{lf} = $1 } elsif (/^LH:(\d+)/) { $f{$file}{lh} = $1 }
        elsif (/^BRF:(\d+)/) { $f{$file}{bf} = $1 } elsif (/^BRH:(\d+)/) { $f{$file}{bh} = $1 }
        elsif (/^DA:(\d+),0$/) { push @{$f{$file}{miss}}, $1 }
    }
    my ($tl, $th, $tb, $tbh, $bad) = (0, 0, 0, 0, 0);
    open my $u, ">", $ENV{UNCOVERED} or die;
    printf "   %-22s %18s %18s\n", "file", "lines", "branches";
    for my $x (sort @order) {
        my $r = $f{$x}; my $n = $x; $n =~ s{.*/src/}{src/};
        my $lp = $r->{lf} ? 100 * $r->{lh} / $r->{lf} : 100;
        my $bp = $r->{bf} ? 100 * $r->{bh} / $r->{bf} : 100;
        my $flag = ($lp < 90 || $bp < 80) ? "  below target" : "";
        $bad++ if $flag;
        printf "   %-22s %5d/%-5d %5.1f%% %5d/%-5d %5.1f%%%s\n", $n, $r->{lh}, $r->{lf}, $lp,
            $r->{bh}, $r->{bf}, $bp, $flag;
        $tl += $r->{lf}; $th += $r->{lh}; $tb += $r->{bf}; $tbh += $r->{bh};
        # uncovered lines as ranges
        my @m = sort { $a <=> $b } @{$r->{miss} || []}; my @rg;
        while (@m) { my $s = shift @m; my $e = $s; $e = shift @m while @m && $m[0] == $e + 1; push @rg, $s == $e ? $s : "$s-$e"; }
        print $u "$n: ", (@rg ? join(",", @rg) : "none"), "\n";
    }
    printf "   %-22s %5d/%-5d %5.1f%% %5d/%-5d %5.1f%%\n", "all", $th, $tl, 100 * $th / $tl, $tbh, $tb, 100 * $tbh / $tb;
    exit($bad ? 1 : 0);
' "$out/c.info" || c_ok=0
echo "   uncovered lines: .coverage/c-uncovered.txt; report: .coverage/html/index.html"

echo
echo "== PL/pgSQL coverage (plpgsql_check profiler): statements executed per function"
# The profiles of every cluster and database are merged in a scratch
# cluster: a statement counts as executed when any of them ran it, matched by
# function signature, body and statement number (so a function as an older
# release wrote it, in the upgrade tests, is kept apart).  The functions
# reported are those of a fresh install of the default versions.
export PG_CONFIG=$pg_config
tools/pg.sh fresh coverage >/dev/null
eval "$(tools/pg.sh env coverage)"
trap 'tools/pg.sh stop coverage >/dev/null; rm -rf "$work"' EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 -d mt_coverage "$@"; }
createdb mt_coverage
q -c 'CREATE EXTENSION mountaineer'
for m in "${modules[@]}"; do q -c "CREATE EXTENSION mountaineer_$m CASCADE" 2>/dev/null; done
q <<'SQL'
CREATE TABLE profile (db text, fn text, body text, stmtid int, parent_stmtid int,
                      parent_note text, parent_name text, lineno int, stmtname text, exec bigint);
SQL
cat "$work"/profile/*.tsv 2>/dev/null | q -c '\copy profile FROM STDIN'
q -f "$top/tools/plpgsql_coverage.sql" -v unexecuted="$out/plpgsql-unexecuted.txt" \
    | tee "$out/plpgsql.txt" | sed 's/^/   /'
plpgsql_ok=$(q -At -c "SELECT count(*) = 0 FROM plpgsql_coverage WHERE executed = 0")
plpgsql_pct=$(q -At -c "SELECT round(100.0 * sum(executed) / sum(statements), 1) FROM plpgsql_coverage")
echo "   unexecuted statements: .coverage/plpgsql-unexecuted.txt"

echo
status=0
[ "$tests_rc" = 0 ] || { echo "coverage: the test suite failed (see .coverage/test.log)"; status=1; }
[ "$c_ok" = 1 ] || { echo "coverage: a C file is below 90% of lines or 80% of branches"; status=1; }
[ "$plpgsql_ok" = t ] || { echo "coverage: a PL/pgSQL function is never executed"; status=1; }
awk -v p="$plpgsql_pct" 'BEGIN { exit !(p >= 90) }' \
    || { echo "coverage: PL/pgSQL statements executed: $plpgsql_pct% (< 90%)"; status=1; }
exit $status
