#!/usr/bin/env bash
# Throwaway PostgreSQL 15 clusters owned by the project, one per purpose
# (demo, test, bench), each under .pg/NAME (git-ignored), listening only on a
# Unix socket in that directory, so nothing collides with a system cluster.
#
#   tools/pg.sh start NAME     start (initdb first if needed); prints nothing else
#   tools/pg.sh fresh NAME     wipe and start anew
#   tools/pg.sh stop NAME      stop (and leave the data)
#   tools/pg.sh env NAME       print PGHOST/PGPORT/PGUSER exports for eval
#
# NAME is demo, test or bench (fixed ports 54315-54317) or any other
# lower-case word (a development cluster, port 54320-54419 by its name).
#
# As root the server runs as the 'postgres' OS user (initdb refuses root);
# otherwise as the invoking user.  The superuser is always 'postgres' and
# local connections are trusted: this is a throwaway cluster.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
bin=$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
cmd=${1:?usage: pg.sh start|fresh|stop|env NAME}
name=${2:?usage: pg.sh start|fresh|stop|env NAME}

case $name in
    demo)  port=54315 ;;
    test)  port=54316 ;;
    bench) port=54317 ;;
    [a-z]*) port=$((54320 + $(printf %s "$name" | cksum | cut -d' ' -f1) % 100)) ;;
    *)     echo "pg.sh: bad cluster name '$name'" >&2; exit 2 ;;
esac

as_owner=()
if [ "$(id -u)" = 0 ]; then
    as_owner=(runuser -u postgres --)
fi

dir=$top/.pg/$name
# The socket path must fit in sun_path (107 bytes), and as root the postgres
# user must be able to reach the directory; otherwise keep the cluster under
# /tmp and leave a symlink in .pg/.
needs_tmp() {
    [ ${#dir} -gt 80 ] && return 0
    if [ ${#as_owner[@]} -gt 0 ]; then
        mkdir -p "$top/.pg"
        chmod 755 "$top/.pg"
        "${as_owner[@]}" test -x "$top/.pg" 2>/dev/null || return 0
    fi
    return 1
}
if [ ! -e "$dir" ] && needs_tmp; then
    real=/tmp/mountaineer-$(printf %s "$top" | md5sum | cut -c1-10)-$name
    mkdir -p "$top/.pg" "$real"
    ln -sfn "$real" "$dir"
fi

pgctl() { "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" "$@"; }

running() { [ -f "$dir/data/postmaster.pid" ] && pgctl status >/dev/null 2>&1; }

start() {
    mkdir -p "$dir"
    chmod 755 "$dir"
    [ ${#as_owner[@]} -gt 0 ] && chown postgres: "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
        cat >>"$dir/data/postgresql.conf" <<CONF
# written by tools/pg.sh: a throwaway cluster on a Unix socket only
listen_addresses = ''
port = $port
unix_socket_directories = '$dir'
max_connections = 40
shared_buffers = 256MB
work_mem = 16MB
maintenance_work_mem = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
max_prepared_transactions = 10
logging_collector = off
log_min_messages = warning
CONF
    fi
    if running; then return 0; fi
    pgctl -l "$dir/server.log" -w -t 60 start >/dev/null \
        || { tail -20 "$dir/server.log" >&2; exit 1; }
}

stop() {
    if [ -d "$dir/data" ] && running; then
        pgctl -m fast -w stop >/dev/null
        echo "== stopped the $name cluster ($dir)"
    fi
}

case $cmd in
    start) start ;;
    fresh) stop >/dev/null; rm -rf "${dir:?}/data" "$dir"/*.log; start ;;
    stop)  stop ;;
    env)   printf 'export PGHOST=%q PGPORT=%s PGUSER=postgres\n' "$dir" "$port" ;;
    *)     echo "pg.sh: unknown command '$cmd'" >&2; exit 2 ;;
esac
