#!/usr/bin/env bash
# A PowerDNS authoritative server (pdns_server, gpgsql backend) serving
# schema pdns of a database in a throwaway cluster (tools/pg.sh), on
# 127.0.0.1 only, with every cache off, so that a query answers what the
# database holds at that moment.
#
#   tools/pdns.sh start CLUSTER DB [PORT]
#                                    start it (stopping one already running for CLUSTER)
#   tools/pdns.sh stop CLUSTER       stop it
#   tools/pdns.sh port CLUSTER       print its DNS port (UDP and TCP): the one it
#                                    was started on, else the default
#   tools/pdns.sh conf CLUSTER       print its configuration directory (for pdnsutil --config-dir)
#
# CLUSTER is a tools/pg.sh cluster name, or - for the cluster that PGHOST
# (its socket directory) and PGPORT name.
# It listens on PORT, by default the cluster's PostgreSQL port + 1000 (demo
# 55315, test 55316, bench 55317; the TAP test passes a free one, as other
# sessions on the machine may run theirs), and refuses to report a start
# unless the server answering there is this one (its server-id, asked as
# id.server CH TXT): a port taken by another server makes pdns_server exit,
# and start fails with its log.  It logs in as mountaineer_pdns (created by CREATE
# EXTENSION mountaineer_dns; the cluster trusts local sockets) and keeps its
# configuration, control socket, pid and log in the cluster's directory,
# under pdns/.  Query it with:  dig @127.0.0.1 -p PORT www.example.net
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:?usage: pdns.sh start|stop|port|conf CLUSTER [DB]}
cluster=${2:?usage: pdns.sh start|stop|port|conf CLUSTER [DB]}

if [ "$cluster" = - ]; then
    # the cluster PGHOST and PGPORT point at (a TAP script of make test)
    : "${PGHOST:?pdns.sh -: PGHOST is not set}" "${PGPORT:?pdns.sh -: PGPORT is not set}"
    dir=$PGHOST/pdns
else
    eval "$("$top/tools/pg.sh" env "$cluster")"
    dir=$("$top/tools/pg.sh" dir "$cluster")/pdns
fi
port=$((PGPORT + 1000))
[ -f "$dir/port" ] && port=$(cat "$dir/port")

stop() {
    if [ -f "$dir/pid" ]; then
        local pid
        pid=$(cat "$dir/pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
            echo "== stopped pdns_server of the $cluster cluster"
        fi
        rm -f "$dir/pid"
    fi
    rm -f "$dir/port"
}

start() {
    local db=${1:?usage: pdns.sh start CLUSTER DB [PORT]} id
    command -v pdns_server >/dev/null || { echo "pdns.sh: pdns_server is not installed (tools/deps.sh pdns-server pdns-backend-pgsql)" >&2; exit 1; }
    stop >/dev/null
    port=${2:-$((PGPORT + 1000))}
    case $port in ''|*[!0-9]*) echo "pdns.sh: bad port '$port'" >&2; exit 2 ;; esac
    id=mountaineer-$cluster-$$-$RANDOM
    mkdir -p "$dir"
    cat >"$dir/pdns.conf" <<CONF
# written by tools/pdns.sh: PowerDNS for the $cluster cluster, database $db
launch=gpgsql
gpgsql-host=$PGHOST
gpgsql-port=$PGPORT
gpgsql-dbname=$db
gpgsql-user=mountaineer_pdns
gpgsql-dnssec=no
local-address=127.0.0.1
local-port=$port
# what id.server CH TXT answers: start checks the server on the port is this one
server-id=$id
socket-dir=$dir
daemon=no
guardian=no
primary=yes
webserver=no
# no caches: every answer is read from the database when it is asked
cache-ttl=0
negquery-cache-ttl=0
query-cache-ttl=0
zone-cache-refresh-interval=0
consistent-backends=yes
loglevel=4
CONF
    # as root, the server stays root (it binds no privileged port, and the
    # cluster's socket directory is open to every local user)
    pdns_server --config-dir="$dir" >"$dir/pdns.log" 2>&1 &
    echo $! >"$dir/pid"
    echo "$port" >"$dir/port"
    for _ in $(seq 100); do
        # this server, not another one on the port (whose answer, or an
        # empty one, would pass for ours)
        if [ "$(dig @127.0.0.1 -p "$port" +tries=1 +time=1 +short id.server CH TXT 2>/dev/null)" = "\"$id\"" ]; then
            echo "== pdns_server of the $cluster cluster answers on 127.0.0.1 port $port (database $db)"
            return 0
        fi
        kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
        sleep 0.1
    done
    echo "pdns.sh: pdns_server did not start; its log:" >&2
    tail -20 "$dir/pdns.log" >&2
    stop >/dev/null
    exit 1
}

case $cmd in
    start) start "${3:-}" "${4:-}" ;;
    stop)  stop ;;
    port)  echo "$port" ;;
    conf)  echo "$dir" ;;
    *)     echo "pdns.sh: unknown command '$cmd'" >&2; exit 2 ;;
esac
