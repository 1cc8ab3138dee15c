#!/usr/bin/env bash
# Throwaway PostgreSQL 15 clusters owned by the project, one per purpose
# (demo, test, bench, ...), each listening only on a Unix socket in its own
# directory, so nothing collides with a system cluster.
#
#   tools/pg.sh start NAME     start (initdb first if needed); prints nothing else
#   tools/pg.sh fresh NAME     wipe and start anew
#   tools/pg.sh stop NAME      stop (and leave the data)
#   tools/pg.sh restart NAME   stop and start (after editing postgresql.conf)
#   tools/pg.sh env NAME       print PGHOST/PGPORT/PGUSER exports for eval
#   tools/pg.sh dir NAME       print the cluster's directory (data/ and logs inside)
#   tools/pg.sh standby NAME PRIMARY
#                              make NAME a streaming hot standby of the running
#                              cluster PRIMARY (pg_basebackup -R) and start it
#
# With MOUNTAINEER_PROFILE_DIR set (make coverage), stop first saves the
# cluster's PL/pgSQL profile there (tools/plpgsql_profile.sh).
#
# NAME is demo, test or bench (fixed ports 54315-54317) or any other
# lower-case word (port 54320-54419 by its name).  PG_CONF_EXTRA, when set at
# the first start of a cluster, is appended to its postgresql.conf.
#
# As root the server runs as the 'postgres' OS user (initdb refuses root);
# otherwise as the invoking user.  The superuser is always 'postgres' and
# local connections are trusted: this is a throwaway cluster.
#
# Where it lives: .pg/NAME in the clone when the server's OS user can reach
# that directory and its socket path is short and plain; otherwise (a clone
# under /root or any mode-700 directory, a path with spaces, a long path) a
# fresh directory made by mktemp under /tmp, recorded by the symlink .pg/NAME
# (made again if /tmp was cleaned; refused unless it is still ours).  The
# server and every command below always use the real directory, never the
# symlink.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
bin=$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
cmd=${1:?usage: pg.sh start|fresh|stop|restart|env|dir|standby NAME}
name=${2:?usage: pg.sh start|fresh|stop|restart|env|dir|standby NAME}

as_owner=()
if [ "$(id -u)" = 0 ]; then
    # from /, which the postgres user can always enter (the clone may be private)
    as_owner=(runuser -u postgres -- env --chdir=/)
fi

port_of() {
    case $1 in
        demo)  echo 54315 ;;
        test)  echo 54316 ;;
        bench) echo 54317 ;;
        *[!a-z0-9_]*|[!a-z]*) echo "pg.sh: bad cluster name '$1'" >&2; return 2 ;;
        *)     echo $((54320 + $(printf %s "$1" | cksum | cut -d' ' -f1) % 100)) ;;
    esac
}

# Whether the server's OS user can use $top/.pg/NAME itself: the socket path
# must fit in sun_path (107 bytes) and be plain (unix_socket_directories and
# PGHOST are lists), and as root the postgres user must be able to reach it.
local_ok() {
    local d=$top/.pg/$1
    [ $(( ${#d} + 20 )) -le 107 ] || return 1
    case $d in *[!A-Za-z0-9_./-]*) return 1 ;; esac
    if [ ${#as_owner[@]} -gt 0 ]; then
        mkdir -p "$top/.pg"
        chmod 755 "$top/.pg"
        "${as_owner[@]}" test -x "$top/.pg" 2>/dev/null || return 1
    fi
    return 0
}

# Whether $1 is a directory of ours to keep a cluster in: a real directory
# (not a symlink), owned by the invoking user or the server's, in a parent
# owned by the invoking user that no one else may write to.
ours() {
    local me parent
    me=$(id -un)
    parent=$(dirname "$1")
    [ -d "$1" ] && [ ! -L "$1" ] && [ ! -L "$parent" ] || return 1
    case $(stat -c %U "$1") in "$me"|postgres) ;; *) return 1 ;; esac
    [ "$(stat -c %U "$parent")" = "$me" ] || [ "$parent" = "$top/.pg" ] || return 1
    [ $(( 0$(stat -c %a "$parent") & 022 )) = 0 ]
}

# The real directory of cluster $1; with $2 = create, choose (or choose
# again, if /tmp was cleaned) and make it.
dir_of() {
    local link=$top/.pg/$1 d
    if [ -L "$link" ] && ours "$(readlink "$link")"; then
        readlink "$link"
        return
    fi
    if [ -d "$link" ] && [ ! -L "$link" ] || [ "${2:-}" != create ]; then
        echo "$link"
        return
    fi
    mkdir -p "$top/.pg"
    if local_ok "$1"; then
        rm -f "$link"
        d=$link
        mkdir -p "$d"
    else
        # a fresh private directory (mktemp: no one else can have made it or
        # put links in it), which the server's user may enter but not list
        d=$(mktemp -d /tmp/mountaineer-XXXXXXXXXX)/$1
        chmod 711 "$(dirname "$d")"
        mkdir "$d"
        ln -sfn "$d" "$link"
    fi
    chmod 755 "$d"
    [ ${#as_owner[@]} -gt 0 ] && chown -h postgres: "$d"
    echo "$d"
}

port=$(port_of "$name") || exit 2
case $cmd in start|fresh|standby) dir=$(dir_of "$name" create) ;; *) dir=$(dir_of "$name") ;; esac

pgctl() { "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" "$@"; }

running() { [ -f "$dir/data/postmaster.pid" ] && pgctl status >/dev/null 2>&1; }

start() {
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
${PG_CONF_EXTRA:-}
CONF
    fi
    if running; then return 0; fi
    pgctl -l "$dir/server.log" -w -t 60 start >/dev/null \
        || { tail -20 "$dir/server.log" >&2; exit 1; }
}

stop() {
    if [ -d "$dir/data" ] && running; then
        if [ -n "${MOUNTAINEER_PROFILE_DIR:-}" ]; then
            PGHOST=$dir PGPORT=$port PGUSER=postgres \
                "$top/tools/plpgsql_profile.sh" "$MOUNTAINEER_PROFILE_DIR/$name.$$.$(date +%s%N).tsv"
        fi
        pgctl -m fast -w stop >/dev/null
        echo "== stopped the $name cluster ($dir)"
    fi
}

# A streaming hot standby of cluster $1 (which must be running), started.
standby() {
    local pdir pport
    pdir=$(dir_of "$1")
    pport=$(port_of "$1")
    stop >/dev/null
    rm -rf "${dir:?}/data" "$dir"/*.log
    "${as_owner[@]}" "$bin/pg_basebackup" -h "$pdir" -p "$pport" -U postgres -D "$dir/data" \
        -R -X stream -c fast >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
    cat >>"$dir/data/postgresql.conf" <<CONF
# written by tools/pg.sh: a hot standby of the $1 cluster
port = $port
unix_socket_directories = '$dir'
CONF
    start
}

case $cmd in
    start)   start ;;
    standby) standby "${3:?usage: pg.sh standby NAME PRIMARY}" ;;
    fresh)   stop >/dev/null; rm -rf "${dir:?}/data" "$dir"/*.log; start ;;
    stop)    stop ;;
    restart) stop >/dev/null; start ;;
    env)     printf 'export PGHOST=%q PGPORT=%s PGUSER=postgres\n' "$dir" "$port" ;;
    dir)     printf '%s\n' "$dir" ;;
    *)       echo "pg.sh: unknown command '$cmd'" >&2; exit 2 ;;
esac
