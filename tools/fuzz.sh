#!/usr/bin/env bash
# `make fuzz`: random SQL from sqlsmith against every extension and every
# module's demo estate, on a throwaway cluster (tools/pg.sh fuzzsmith).
#
#   FUZZ_N=20000        queries to run (sqlsmith --max-queries)
#   FUZZ_SEED=1         sqlsmith's random seed: the same seed on the same
#                       schema and estate generates the same queries
#   FUZZ_TIMEOUT=3600   seconds the sqlsmith run may take before it is stopped
#   FUZZ_SQLSMITH_ARGS  extra sqlsmith options, default --exclude-catalog
#                       (set it empty to let queries read the system catalogs too)
#
# Reports the queries run, the errors by SQLSTATE class with the commonest
# message of each, the backend crashes (server log: "server process ... was
# terminated by signal" and the like) and which of our functions sqlsmith
# reached, then a block of figures for README.  Exits non-zero if a backend
# crashed (printing the query it was running), if an internal error (XX000)
# was raised in our C code (src/*.c, by the LOCATION of the message), or if
# sqlsmith did not finish.
#
# How sqlsmith 1.4 (Debian's) behaves, which shapes this script:
#   - it reads the catalog (tables, columns, types, operators, and every
#     function that is not set-returning, an aggregate, a window function or
#     returns trigger/internal) and generates statements: mostly SELECTs (some
#     FOR UPDATE, some WITH ...), about one in ten INSERT, UPDATE ... RETURNING,
#     DELETE ... RETURNING, INSERT ... ON CONFLICT or MERGE;
#   - it sends each one as "ROLLBACK; BEGIN; <statement>; ROLLBACK;": every
#     statement runs in a transaction of its own that is rolled back, so DML
#     never commits, the estate stays as loaded, and deferred (commit-time)
#     checks never run.  It sets statement_timeout = 1s on each connection;
#   - set-returning functions (cidr_free, cable_trace, impact, rack_free ...)
#     are never called (its catalog query leaves out proretset): the targeted
#     fuzzer test/fuzz_inputs.sh covers those;
#   - it names functions and tables schema-qualified but types and operators
#     bare, so the database puts mountaineer on the search_path;
#   - it does not understand PostgreSQL 14's multirange pseudo-types, so many
#     of its queries fail in parse analysis (class 42: "argument declared
#     anymultirange is not a multirange type", "operator does not exist");
#   - on a lost connection (a crash) it sleeps one second, reconnects and goes
#     on, so one run can see several crashes.  --dump-all-queries prints every
#     statement before it is sent (kept in queries.sql.gz); the server log's
#     "Failed process was running:" names the one that crashed.
# sqlsmith connects as a login role in mountaineer_editor, not as a superuser:
# as a superuser it calls pg_terminate_backend, lo_export, pg_reload_conf
# and the like with random arguments.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
modules=(${MOUNTAINEER_MODULES:-$(sed -n 's/^MOUNTAINEER_MODULES *= *//p' Makefile)})
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PATH="$("$PG_CONFIG" --bindir):$PATH"

n=${FUZZ_N:-20000}
seed=${FUZZ_SEED:-1}
limit=${FUZZ_TIMEOUT:-3600}
read -r -a extra <<<"${FUZZ_SQLSMITH_ARGS---exclude-catalog}"
case $n$seed$limit in
    *[!0-9]*) echo "fuzz: FUZZ_N, FUZZ_SEED and FUZZ_TIMEOUT must be whole numbers" >&2; exit 2 ;;
esac
name=fuzzsmith
db=mountaineer_fuzz
role=fuzzer

tools/deps.sh sqlsmith || exit 1

# %e puts each message's SQLSTATE in the log and [%a] tells sqlsmith's
# session (application_name sqlsmith::dut) from ours; track_functions = all
# counts calls of C and SQL functions too; the whole query in a crash report;
# verbose errors carry the LOCATION (source file) that raised them.
export PG_CONF_EXTRA="
log_line_prefix = '%m [%p] %e [%a] '
log_min_messages = warning
log_min_error_statement = error
log_error_verbosity = verbose
track_functions = all
track_activity_query_size = 16384
"
tools/pg.sh fresh $name || exit 1
eval "$(tools/pg.sh env $name)"
dir=$(tools/pg.sh dir $name)
trap 'tools/pg.sh stop $name >/dev/null' EXIT
trap 'exit 130' INT TERM
log=$dir/server.log
out=$dir/sqlsmith
rm -rf "$out"; mkdir -p "$out"
q() { psql -X -q -v ON_ERROR_STOP=1 -d $db "$@"; }

echo "== database '$db' on the $name cluster: mountaineer ${modules[*]/#/mountaineer_} and the demo estates"
createdb $db || exit 1
q -c 'CREATE EXTENSION mountaineer' || exit 1
for m in "${modules[@]}"; do q -c 'SET client_min_messages = warning' -c "CREATE EXTENSION mountaineer_$m CASCADE" || exit 1; done
for m in "${modules[@]}"; do
    f=modules/$m/demo/estate.sql
    [ -f "$f" ] || continue
    PGOPTIONS="-c mountaineer.actor=fuzz-loader" q -f "$f" >/dev/null || exit 1
done
q -o /dev/null <<SQL || exit 1
CREATE ROLE $role LOGIN IN ROLE mountaineer_editor;
ALTER DATABASE $db SET search_path = "\$user", public, mountaineer;
-- sqlsmith sets 1s itself; this is the backstop should a session reset it
ALTER DATABASE $db SET statement_timeout = '5s';
ALTER DATABASE $db SET lock_timeout = '5s';
ALTER DATABASE $db SET idle_in_transaction_session_timeout = '60s';
SELECT pg_stat_reset();
SQL
# Our functions that sqlsmith can call: not set-returning, not returning
# trigger or internal, no internal argument, executable by its role.
q -At -o "$out/callable.txt" <<SQL || exit 1
SELECT p.oid::regprocedure
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname LIKE 'mountaineer%'
WHERE p.prokind = 'f' AND NOT p.proretset
  AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype, 'internal'::regtype)
  AND NOT 'internal'::regtype = ANY (p.proargtypes::oid[])
  AND has_function_privilege('$role', p.oid, 'EXECUTE')
ORDER BY 1::text
SQL

offset=$(stat -c %s "$log")
version=$(dpkg-query -W -f='${Version}' sqlsmith)
echo "== sqlsmith $version ${extra[*]}: $n queries, seed $seed, as role $role (in mountaineer_editor)"
echo "   its queries and output go to $out, the server's log is $log"
start=$(date +%s)
timeout --signal=INT --kill-after=30 "$limit" \
    sqlsmith --target="host=$PGHOST port=$PGPORT user=$role dbname=$db" \
             --seed="$seed" --max-queries="$n" --verbose --dump-all-queries "${extra[@]}" \
             >"$out/queries.sql" 2>"$out/sqlsmith.err"
rc=$?
secs=$(( $(date +%s) - start ))
if [ $rc -ne 0 ]; then
    echo "== sqlsmith exited with status $rc$( [ $rc = 124 ] && echo " (stopped after FUZZ_TIMEOUT=${limit}s)"); the end of its output:"
    tail -5 "$out/sqlsmith.err" | cut -c1-300
fi
# sqlsmith's backend flushes its function statistics as it exits
for _ in $(seq 1 40); do
    [ "$(psql -X -At -d $db -c "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'sqlsmith%'")" = 0 ] && break
    sleep 0.25
done
q -At -F ' ' -o "$out/reached.txt" -c "
    SELECT funcid::regprocedure, calls FROM pg_stat_user_functions
    WHERE schemaname = 'mountaineer' AND calls > 0 ORDER BY calls DESC, 1::text"
pgversion=$(psql -X -At -d $db -c 'SHOW server_version')

OURS=$(cd src && echo *.c) OUT=$out LOG=$log OFFSET=$offset SECS=$secs SEED=$seed N=$n ARGS="${extra[*]}" VERSION=$version PGV=$pgversion RC=$rc perl - <<'PERL'
use strict;
use warnings;
my $out = $ENV{OUT};
sub lines { my ($f) = @_; open my $h, "<", $f or return (); return map { chomp; $_ } <$h>; }
sub commas { my $x = reverse shift; $x =~ s/(\d{3})(?=\d)/$1,/g; return scalar reverse $x; }

# The server log as entries: prefix fields, level and text (continuation
# lines, which the server starts with a tab, joined to their entry).
my @e;
open my $lh, "<", $ENV{LOG} or die "$ENV{LOG}: $!";
seek $lh, $ENV{OFFSET}, 0;
while (<$lh>) {
    chomp;
    if (/^\d{4}-\d\d-\d\d [\d:.]+ \S+ \[(\d+)\] (\w{5}) \[([^\]]*)\] (\w+):  (.*)$/) {
        push @e, { pid => $1, state => $2, app => $3, level => $4, text => $5 };
    } elsif (@e && s/^\t//) {
        $e[-1]{text} .= "\n$_";
    }
}

my (%cls, %msg, @crash, @internal);
my %ours = map { ($_ => 1) } split " ", $ENV{OURS};
my $errors = 0;
for my $i (0 .. $#e) {
    my $x = $e[$i];
    if (($x->{level} eq "LOG" && $x->{text} =~ /server process .* (was terminated|exited with exit code)|terminated by signal|terminated by exception/)
        || $x->{level} eq "PANIC") {
        my $query = "";
        for my $j ($i + 1 .. $#e) {
            last if $e[$j]{level} ne "DETAIL";
            if ($e[$j]{text} =~ /^Failed process was running: (.*)$/s) { $query = $1; last; }
        }
        (my $t = $x->{text}) =~ s/^\w{5}: //;
        push @crash, [$t, $query];
        next;
    }
    next unless $x->{app} eq "sqlsmith::dut" && $x->{level} =~ /^(ERROR|FATAL)$/;
    $x->{text} =~ s/^\w{5}: //;     # verbose messages start with the SQLSTATE
    $errors++;
    my $c = substr($x->{state}, 0, 2);
    $cls{$c}++;
    (my $m = $x->{text}) =~ s/\n.*//s;
    $m =~ s/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/<uuid>/g;
    $m =~ s/"[^"]*"/"…"/g;
    $m =~ s/\b\d+(\.\d+)?\b/N/g;
    $msg{$c}{$m}++;
    if ($x->{state} eq "XX000") {
        my ($loc, $st) = ("", "");
        for my $j ($i + 1 .. $#e) {
            last if $e[$j]{pid} ne $x->{pid} || $e[$j]{level} !~ /^(DETAIL|HINT|CONTEXT|LOCATION|STATEMENT)$/;
            $loc = $e[$j]{text} if $e[$j]{level} eq "LOCATION";
            $st = $e[$j]{text} if $e[$j]{level} eq "STATEMENT";
        }
        my ($file) = $loc =~ /, (\w+\.c):\d+$/;
        push @internal, [$x->{text}, $st, $loc, ($file && $ours{$file}) ? 1 : 0];
    }
}

my $all = do { local $/; open my $h, "<", "$out/queries.sql" or die "$out/queries.sql: $!"; <$h> };
my $nq = () = $all =~ /;\n/g;
my %gen;
$gen{$1}++ while $all =~ /\bmountaineer\.(\w+)\(/g;
my $ngen = 0; $ngen += $_ for values %gen;

my @reached = map { [/^(.*) (\d+)$/] } lines("$out/reached.txt");
my @callable = lines("$out/callable.txt");
my %callable = map { ($_ => 1) } @callable;
my %hit = map { ($_->[0] => 1) } @reached;
my @direct = grep { $callable{$_->[0]} } @reached;
my @indirect = grep { !$callable{$_->[0]} } @reached;
my @never = grep { !$hit{$_} } @callable;
my $calls = 0; $calls += $_->[1] for @reached;
my $list = sub { join(", ", map { "`$_->[0]` " . commas($_->[1]) } @_) || "none" };

my $blk = "";
$blk .= sprintf "`make fuzz`: sqlsmith %s%s, seed %s, as a member of mountaineer_editor, on every extension and the demo estates (PostgreSQL %s): "
    . "%s queries in %s s (%.0f/s), %s errors (%.0f%%), **%d backend crashes**.\n",
    $ENV{VERSION}, ($ENV{ARGS} ? " $ENV{ARGS}" : ""), $ENV{SEED}, $ENV{PGV},
    commas($nq), commas($ENV{SECS}), $nq / ($ENV{SECS} || 1), commas($errors), 100 * $errors / ($nq || 1), scalar @crash;
$blk .= "\n| SQLSTATE class | errors | commonest message (its count) |\n|---|---|---|\n";
for my $c (sort { $cls{$b} <=> $cls{$a} || $a cmp $b } keys %cls) {
    my ($top) = sort { $msg{$c}{$b} <=> $msg{$c}{$a} || $a cmp $b } keys %{ $msg{$c} };
    (my $t = $top) =~ s/\|/\\|/g;
    $blk .= sprintf "| %s | %s | %s (%s) |\n", $c, commas($cls{$c}), $t, commas($msg{$c}{$top});
}
$blk .= sprintf "\nOur functions reached (`pg_stat_user_functions`, `track_functions = all`; %s calls; "
    . "a STRICT function given a NULL is not called and not counted; type input and output, casts and GiST support are not counted):\n\n",
    commas($calls);
$blk .= sprintf "- %d of the %d that sqlsmith can call itself (the counts include calls from triggers and other functions): %s\n",
    scalar @direct, scalar @callable, $list->(@direct);
$blk .= sprintf "- reached only through triggers and other functions (triggers, set-returning or not executable by its role): %s\n",
    $list->(@indirect);
$blk .= sprintf "- never reached: %s\n", @never ? join(", ", map { "`$_`" } @never) : "none";
$blk .= sprintf "- the generated queries name %d of our functions, %s times (operators not counted)\n",
    scalar keys %gen, commas($ngen);

my @mine = grep { $_->[3] } @internal;
my %fn;
for (@internal) { my ($f) = $_->[2] =~ /^(\w+),/; $fn{$f // "?"}++ }
$blk .= sprintf "\nInternal errors (XX000): %d, %s.\n", scalar @internal,
    !@internal ? "none" :
    @mine ? sprintf("%d raised in our code", scalar @mine) :
    "none raised in our code (PostgreSQL's own: " . join(", ", map { "`$_`" } sort keys %fn) . ")";

print "\n== the figures (for README)\n\n$blk";
system("gzip", "-f", "$out/queries.sql");
if (@internal) {
    my %where;
    $where{"$_->[2]: $_->[0]"}++ for @internal;
    printf "\n== %d internal errors (XX000), %d of them raised in our code (src/*.c):\n", scalar @internal, scalar @mine;
    printf "  %d × %s\n", $where{$_}, $_ for sort { $where{$b} <=> $where{$a} || $a cmp $b } keys %where;
    for my $x (@mine) { print "\nERROR: $x->[0]\nLOCATION: $x->[2]\nSTATEMENT: $x->[1]\n"; }
}
if (@crash) {
    printf "\n== %d backend crashes (PostgreSQL drops its statistics in crash recovery, so the functions reached above\n"
         . "   are counted from the last crash on):\n", scalar @crash;
    for my $x (@crash) { print "\n$x->[0]\nthe query it was running:\n$x->[1]\n"; }
}
printf "\n== %s queries, %s errors, %d internal errors (%d in our code), %d backend crashes\n",
    commas($nq), commas($errors), scalar @internal, scalar @mine, scalar @crash;
exit(@crash || @mine || $ENV{RC} ? 1 : 0);
PERL
