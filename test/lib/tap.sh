# TAP output for the test/*.sh scripts (sourced): ok, nok, and check NAME
# COMMAND (ok when COMMAND, evaluated, succeeds).  The scripts print their
# own plan line ("1..N") before the first result.
n=0
ok()    { n=$((n + 1)); echo "ok $n - $1"; }
nok()   { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }
