#!/usr/bin/perl
# Runs every example of README.md and prints TAP (called by
# test/readme_examples.sh, which makes the database).  Usage:
#     readme_examples.pl README.md DBNAME
#
# What README promises, checked:
#   ```sql blocks  each runs in a transaction of its own, rolled back, as a
#                  user's psql would run it (default search_path, psql -X).
#                  Every statement must succeed, unless comment lines after
#                  it say what it gives:
#                      -- ERROR:  <message>     it fails with that message
#                      -- → <row>               its output, one line per row
#                                               (columns joined by |, as
#                                               psql -At prints them)
#                  also written on the statement's last line after the `;`.
#                  An unlabelled ``` block right after an sql block is the
#                  block's whole output as psql prints it (aligned, headers,
#                  row counts).  In expected text, … matches any text within
#                  a line, and a line of only … matches any number of lines.
#                  Other comments are prose.
#   ```sh blocks   a block that runs psql on the inventory is run by the
#                  shell (in a scratch directory, PGDATABASE set); every
#                  other must be named in %covered below, with the test that
#                  runs what it shows or why it is not run here.
#   ```console     a shell session (commands after "$ ", their output)
#                  that reaches beyond this machine (another host, Vault):
#                  never run here, so it must be named in %covered, with
#                  the test that runs what it shows.
use strict;
use warnings;
use utf8;
use File::Temp qw(tempdir);

my ($readme, $db) = @ARGV;
die "usage: $0 README.md DBNAME\n" unless $db;
binmode STDOUT, ':encoding(UTF-8)';

# blocks shown but not run here: first line (prefix) => where it is covered
my %covered = (
    'make demo '                    => 'the two commands: CI runs make test; test/setup_anywhere.sh runs make demo\'s setup from clones anywhere',
    'curl -s -X POST -H \'Content-Type: application/json\' -d \'{"username"' => 'test/ui.sh signs in through nginx the same way (POST /api/rpc/login) and checks the token',
    'make api '                     => 'test/api.sh starts PostgREST the way make api does (tools/api.sh, tools/token.sh)',
    'kubectl get nodes,pods'        => 'modules/k8s/test/k8s_import.sql passes kubectl\'s documents to k8s_import() the same way (a psql variable); no cluster to ask here',
    'READER=$(tools/token.sh'       => 'test/api.sh runs every sh block of "REST API" against its PostgREST',
    '# the servers of rack A01'     => 'test/api.sh runs every sh block of "REST API" against its PostgREST',
    'EDITOR=$(tools/token.sh'       => 'test/api.sh runs every sh block of "REST API" against its PostgREST',
    'HOST=$(curl'                   => 'test/api.sh runs every sh block of "REST API" against its PostgREST',
    'RACK=$(curl'                   => 'test/api.sh runs every sh block of "REST API" against its PostgREST',
    'tools/pg.sh start dev && eval' => 'test/setup_anywhere.sh starts, reaches and stops clusters the same way',
    'createdb inventory2 && pg_dump'=> 'test/dump_restore.sh runs these three restores',
    'tools/pg.sh start dev && eval "$(tools/pg.sh env dev)"' => 'the developer loop: make test runs each of these steps (tools/test.sh)',
    '-- on the primary (wal_level = logical)' => 'test/replication.sh makes its publication and subscription this way',
    '$ psql "host=inventory.example.net dbname=inventory user=host_db1' => 'modules/vault/test/host_sessions.sh runs its query as host_db1 on the demo estate and checks the output and the vault command line shown against it (no Vault here to decrypt)',
    '# a live NetBox (or a restored dump' => 'modules/netbox/test/lib/netbox.sh makes the server, mapping and foreign schema this way, and the TAP scripts run these queries',
);

open my $fh, '<:encoding(UTF-8)', $readme or die "$readme: $!\n";
my @lines = <$fh>;
close $fh;
chomp @lines;

# --- the blocks ------------------------------------------------------------
my @blocks;     # { lang, line, text => [lines], output => [lines] or undef }
for (my $i = 0; $i < @lines; $i++) {
    next unless $lines[$i] =~ /^```(\w*)\s*$/;
    my ($lang, $open) = ($1, $i);
    my @text;
    for ($i++; $i < @lines && $lines[$i] !~ /^```\s*$/; $i++) { push @text, $lines[$i]; }
    if ($lang eq '') {
        # the output of the block just above, when only blank lines part them
        if (@blocks && !grep { /\S/ } @lines[$blocks[-1]{close} + 1 .. $open - 1]) {
            $blocks[-1]{output} = \@text;
        }
        next;
    }
    push @blocks, { lang => $lang, line => $open + 2, text => \@text, close => $i };
}

# --- splitting an sql block into statements -------------------------------
# Returns [ { sql, line, expect_error, expect_rows => [..] or undef } ].
sub statements {
    my ($b) = @_;
    my @st;
    my ($cur, $curline, $state, $dollar) = ('', undef, '', '');
    my $n = 0;
    for my $l (@{ $b->{text} }) {
        my $lineno = $b->{line} + $n++;
        if ($state eq '' && $cur !~ /\S/ && $l =~ /^\s*--\s?(.*)$/) {
            # a comment line between statements: it describes the last one
            note_comment($st[-1], $1) if @st;
            next;
        }
        if ($state eq '' && $cur !~ /\S/ && $l =~ /^\s*\\/) {       # psql meta-command
            push @st, { sql => $l, line => $lineno };
            next;
        }
        $curline //= $lineno;
        my $i = 0;
        my $len = length $l;
        while ($i < $len) {
            my $c = substr($l, $i, 1);
            if ($state eq "'") { $state = '' if $c eq "'"; $cur .= $c; $i++; next; }
            if ($state eq '"') { $state = '' if $c eq '"'; $cur .= $c; $i++; next; }
            if ($state eq '$') {
                if (substr($l, $i, length $dollar) eq $dollar) {
                    $cur .= $dollar; $i += length $dollar; $state = ''; next;
                }
                $cur .= $c; $i++; next;
            }
            if ($c eq "'" || $c eq '"') { $state = $c; $cur .= $c; $i++; next; }
            if ($c eq '$' && substr($l, $i) =~ /^(\$[A-Za-z_]*\$)/) {
                $dollar = $1; $state = '$'; $cur .= $dollar; $i += length $dollar; next;
            }
            if (substr($l, $i, 2) eq '--') {
                my $comment = substr($l, $i + 2);
                $comment =~ s/^\s?//;
                if ($cur !~ /\S/ && @st) { note_comment($st[-1], $comment); }
                last;
            }
            $cur .= $c; $i++;
            if ($c eq ';') {
                push @st, { sql => $cur, line => $curline };
                ($cur, $curline) = ('', undef);
            }
        }
        $cur .= "\n" if $cur =~ /\S/;
    }
    push @st, { sql => $cur, line => $curline, unterminated => 1 } if $cur =~ /\S/;
    return \@st;
}

sub note_comment {
    my ($s, $c) = @_;
    if ($c =~ /^ERROR:\s+(.*)$/) { $s->{expect_error} = $1; }
    elsif ($c =~ /^→ ?(.*)$/)   { push @{ $s->{expect_rows} }, $1; }
}

# --- matching with … wildcards -------------------------------------------
sub line_re {
    my ($e) = @_;
    return '^' . join('.*', map { quotemeta } split /…/, $e, -1) . '$';
}
sub lines_match {        # expected lines (… lines skip any) vs got lines
    my ($exp, $got) = @_;
    my @e = @$exp;
    my @g = @$got;
    return !@g unless @e;
    my $x = shift @e;
    if ($x =~ /^\s*…\s*$/) {
        for my $k (0 .. @g) { return 1 if lines_match(\@e, [ @g[$k .. $#g] ]); }
        return 0;
    }
    return 0 unless @g;
    my $y = shift @g;
    my $re = line_re($x);
    $y =~ s/\s+$//; 
    return 0 unless $y =~ /$re/;
    return lines_match(\@e, \@g);
}

# --- running --------------------------------------------------------------
my $work = tempdir(CLEANUP => 1);
my @results;       # [ ok, description, diagnostics ]

sub run_psql {
    my ($script) = @_;
    my $f = "$work/script.sql";
    open my $o, '>:encoding(UTF-8)', $f or die;
    print $o $script;
    close $o;
    my $out = `psql -X -q -d '$db' -f '$f' 2>'$work/stderr'`;
    utf8::decode($out);
    return $out;
}

sub short { my ($s) = @_; $s =~ s/\s+/ /g; $s =~ s/^ //; return length $s > 70 ? substr($s, 0, 67) . '...' : $s; }

for my $b (@blocks) {
    if ($b->{lang} eq 'sh') {
        my $first = $b->{text}[0] // '';
        my ($key) = grep { index($first, $_) == 0 } sort { length $b <=> length $a } keys %covered;
        my $body = join "\n", @{ $b->{text} };
        if (!$key && $body =~ /\bpsql\b/ && $body =~ /mountaineer\./) {
            open my $o, '>:encoding(UTF-8)', "$work/example.sh" or die;
            print $o "set -euo pipefail\n$body\n";
            close $o;
            my $out = `cd '$work' && PGDATABASE='$db' bash example.sh 2>&1`;
            my $rc = $?;
            my $ok = $rc == 0;
            my $diag = $ok ? '' : "exit $rc: $out";
            # a pipe into dot must have drawn something
            if ($ok && $body =~ /\|\s*dot\s+-T(\w+)\s*>\s*(\S+)/) {
                my ($fmt, $file) = ($1, $2);
                my $head = -s "$work/$file" ? `head -c 200 '$work/$file'` : '';
                $ok = $fmt ne 'svg' || $head =~ /<svg|<\?xml/;
                $diag = "$file is not an SVG: $head" unless $ok;
            }
            push @results, [ $ok, "README:$b->{line} sh: " . short($first), $diag ];
        } elsif ($key) {
            push @results, [ 1, "README:$b->{line} sh: " . short($first) . " # SKIP covered by $covered{$key}", '' ];
        } else {
            push @results, [ 0, "README:$b->{line} sh: " . short($first),
                             'a shell example that is neither run here nor named in %covered of test/lib/readme_examples.pl' ];
        }
        next;
    }
    if ($b->{lang} eq 'console') {
        my $first = $b->{text}[0] // '';
        my ($key) = grep { index($first, $_) == 0 } keys %covered;
        push @results, $key ? [ 1, "README:$b->{line} console: " . short($first) . " # SKIP covered by $covered{$key}", '' ]
                            : [ 0, "README:$b->{line} console: " . short($first),
                                'a console example that is not named in %covered of test/lib/readme_examples.pl' ];
        next;
    }
    next unless $b->{lang} eq 'sql';
    my $first = $b->{text}[0] // '';
    my ($key) = grep { index($first, $_) == 0 } keys %covered;
    if ($key) {
        push @results, [ 1, "README:$b->{line} sql: " . short($first) . " # SKIP covered by $covered{$key}", '' ];
        next;
    }
    # the sql blocks run later, all in one psql session (its variables,
    # such as those set by \gset, carry from block to block as they would
    # for a reader following README in psql); their results go here then
    $b->{st} = statements($b);
    push @results, $b;
}

# one session, each block in a transaction of its own, rolled back
my $script = "\\set ON_ERROR_ROLLBACK on\n\\pset pager off\n";
my @sql = grep { ref $_ eq 'HASH' } @results;
for my $bi (0 .. $#sql) {
    my $b = $sql[$bi];
    $script .= defined $b->{output}
        ? "\\pset format aligned\n\\pset tuples_only off\n\\pset null ''\n"
        : "\\pset format unaligned\n\\pset tuples_only on\n";
    $script .= "BEGIN;\n";
    my $k = 0;
    for my $s (@{ $b->{st} }) {
        $k++;
        $script .= "\\echo '\@\@\@ begin $bi.$k'\n$s->{sql}\n" . ($s->{unterminated} ? ";\n" : '')
                 . "\\echo '\@\@\@ end $bi.$k' :ERROR\n\\echo :LAST_ERROR_MESSAGE\n";
    }
    $script .= "ROLLBACK;\n";
}
my $out = run_psql($script);
my (%got, %err);
while ($out =~ /\@\@\@ begin (\d+\.\d+)\n(.*?)\@\@\@ end \1 (\w+)\n([^\n]*)\n/gs) {
    my ($i, $rows, $failed, $msg) = ($1, $2, $3, $4);
    $got{$i} = [ split /\n/, $rows ];
    $err{$i} = $failed eq 'true' ? $msg : undef;
}

my @tap;
my $bi = -1;
for my $r (@results) {
    if (ref $r ne 'HASH') { push @tap, $r; next; }
    my $b = $r;
    $bi++;
    my @all;
    my $k = 0;
    for my $s (@{ $b->{st} }) {
        $k++;
        my $id = "$bi.$k";
        my $desc = "README:$s->{line} " . short($s->{sql});
        my ($ok, $diag) = (1, '');
        if (!exists $got{$id}) {
            ($ok, $diag) = (0, "did not run:\n" . `cat '$work/stderr'`);
        } elsif ($s->{unterminated}) {
            ($ok, $diag) = (0, 'the statement has no closing ;');
        } elsif (defined $s->{expect_error}) {
            my $re = line_re($s->{expect_error});
            $ok = defined $err{$id} && $err{$id} =~ /$re/;
            $diag = "expected ERROR:  $s->{expect_error}\n     got " . ($err{$id} // 'success');
        } elsif (defined $err{$id}) {
            ($ok, $diag) = (0, "ERROR:  $err{$id}");
        } elsif ($s->{expect_rows}) {
            $ok = lines_match($s->{expect_rows}, $got{$id});
            $diag = "expected:\n" . join("\n", map { "   $_" } @{ $s->{expect_rows} })
                  . "\ngot:\n" . join("\n", map { "   $_" } @{ $got{$id} });
        }
        push @all, @{ $got{$id} // [] };
        push @tap, [ $ok, $desc, $diag ];
    }
    if (defined $b->{output}) {
        my $ok = lines_match($b->{output}, \@all);
        push @tap, [ $ok, "README:$b->{line} the output shown after the block",
                     "expected:\n" . join("\n", @{ $b->{output} }) . "\ngot:\n" . join("\n", @all) ];
    }
}
@results = @tap;

print "1..", scalar(@results), "\n";
my $i = 0;
for my $r (@results) {
    $i++;
    print +($r->[0] ? 'ok' : 'not ok'), " $i - $r->[1]\n";
    if (!$r->[0] && $r->[2] ne '') { print "# $_\n" for split /\n/, $r->[2]; }
}
