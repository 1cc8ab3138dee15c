#!/usr/bin/env bash
# Mints a JWT for the REST API, signed (HS256) with the installation's secret
# (tools/api.sh secret):
#
#   tools/token.sh ROLE SUB [TTL]
#
# ROLE: mountaineer_reader, mountaineer_editor or mountaineer_admin (the role
# PostgREST becomes); SUB: who acts, recorded by mountaineer.actor() in the
# change log; TTL: seconds until it expires (default 3600).  Prints the token.
set -euo pipefail
top=$(cd -P "$(dirname "$0")/.." && pwd)
role=${1:?usage: token.sh ROLE SUB [TTL]}
sub=${2:?usage: token.sh ROLE SUB [TTL]}
ttl=${3:-3600}
case $ttl in (*[!0-9-]*|'') echo "token.sh: TTL must be a number of seconds" >&2; exit 2 ;; esac
secret=$("$top/tools/api.sh" secret)
ROLE=$role SUB=$sub TTL=$ttl perl -MDigest::SHA=hmac_sha256 -MMIME::Base64 -e '
    sub b64u { my $s = encode_base64($_[0], ""); $s =~ tr{+/}{-_}; $s =~ s/=+$//; $s }
    sub js { my $s = $_[0]; $s =~ s/(["\\])/\\$1/g; $s =~ s/([\x00-\x1f])/sprintf("\\u%04x", ord $1)/ge; "\"$s\"" }
    open my $f, "<", $ARGV[0] or die "token.sh: cannot read the secret: $!\n";
    my $key = <$f>; chomp $key;
    my $head = b64u(q({"alg":"HS256","typ":"JWT"}));
    my $body = b64u(sprintf(q({"role":%s,"sub":%s,"exp":%d}), js($ENV{ROLE}), js($ENV{SUB}), time + $ENV{TTL}));
    print "$head.$body.", b64u(hmac_sha256("$head.$body", $key)), "\n";
' "$secret"
