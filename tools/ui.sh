#!/usr/bin/env bash
# The web interface: nginx (Debian) serving the built interface (ui/dist,
# made by `npm run build` in ui/) and proxying /api/ to a PostgREST, on
# 127.0.0.1.
#
#   tools/ui.sh build               npm ci (when ui/node_modules is absent)
#                                   and vite build into ui/dist
#   tools/ui.sh start NAME API_URL [PORT]
#                                   write .ui/NAME/nginx.conf and start nginx
#                                   (PORT: $UI_PORT, else 8080); /api/X goes to
#                                   API_URL/X; waits until it answers
#   tools/ui.sh stop NAME           stop it
#   tools/ui.sh url NAME            print its base URL
#
# nginx runs as an unprivileged process (as root: as the user nobody), its
# pid, logs and temporary files in .ui/NAME/ (git-ignored), with a copy of
# ui/dist there, so that a clone nobody cannot read still serves (then
# .ui/NAME is a symlink to a directory under /tmp, as tools/pg.sh does).
set -euo pipefail
top=$(cd -P "$(dirname "$0")/.." && pwd)
cmd=${1:?usage: ui.sh build | start NAME API_URL [PORT] | stop NAME | url NAME}

if [ "$cmd" = build ]; then
    [ -d "$top/ui/node_modules" ] || { echo "== npm ci in ui/ (the lock file's packages)"; (cd "$top/ui" && npm ci --no-audit --no-fund --silent); }
    (cd "$top/ui" && npx --no-install vite build --logLevel warn)
    exit 0
fi

name=${2:?usage: ui.sh $cmd NAME}
case $name in *[!A-Za-z0-9_-]*) echo "ui.sh: bad name '$name'" >&2; exit 2 ;; esac
state=$top/.ui/$name
as=()
[ "$(id -u)" = 0 ] && as=(runuser -u nobody --)

stop() {
    local pid
    if [ -f "$state/nginx.pid" ]; then
        pid=$(cat "$state/nginx.pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill -QUIT "$pid"
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        fi
    fi
    rm -f "$state/nginx.pid"
}

case $cmd in
url)
    echo "http://127.0.0.1:$(cat "$state/port")"
    ;;
stop)
    [ -e "$state" ] && stop
    ;;
start)
    api=${3:?usage: ui.sh start NAME API_URL [PORT]}
    port=${4:-${UI_PORT:-8080}}
    command -v nginx >/dev/null || "$top/tools/deps.sh"
    [ -f "$top/ui/dist/index.html" ] || "$0" build
    [ -e "$state" ] && stop
    mkdir -p "$top/.ui"
    if [ ! -e "$state" ]; then
        mkdir -p "$state"
        if [ ${#as[@]} -gt 0 ] && ! "${as[@]}" test -w "$state/." 2>/dev/null && ! { chown nobody "$state" && "${as[@]}" test -w "$state/."; }; then
            # nobody cannot reach the clone: a directory of its own under /tmp
            rmdir "$state"
            ln -s "$(mktemp -d /tmp/mt-ui-$name.XXXXXX)" "$state"
        fi
    fi
    dir=$(cd -P "$state" && pwd)
    rm -rf "$dir/html" && cp -r "$top/ui/dist" "$dir/html"
    mkdir -p "$dir/temp"
    [ ${#as[@]} -gt 0 ] && chown -R nobody "$dir"
    cat >"$dir/nginx.conf" <<CONF
# made by tools/ui.sh: the web interface on 127.0.0.1:$port, /api/ -> $api
daemon on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $dir/access.log;
    client_body_temp_path $dir/temp/body;
    proxy_temp_path $dir/temp/proxy;
    fastcgi_temp_path $dir/temp/fastcgi;
    uwsgi_temp_path $dir/temp/uwsgi;
    scgi_temp_path $dir/temp/scgi;
    sendfile on;
    gzip on;
    gzip_types text/css application/javascript application/json image/svg+xml;
    server {
        listen 127.0.0.1:$port;
        server_name localhost;
        root $dir/html;
        # the REST API: /api/X is PostgREST's /X
        location /api/ {
            proxy_pass $api/;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
        }
        # built files never change under their names (vite hashes them)
        location /assets/ { expires 1y; }
        # every page of the interface is index.html: the router reads the path
        location / { try_files \$uri /index.html; }
    }
}
CONF
    echo "$port" >"$dir/port"
    if ! "${as[@]}" nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" 2>"$dir/start.log"; then
        echo "ui.sh: nginx did not start:" >&2; sed 's/^/  /' "$dir/start.log" "$dir/error.log" >&2 2>/dev/null; exit 1
    fi
    for _ in $(seq 50); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" = 200 ] && exit 0
        sleep 0.1
    done
    echo "ui.sh: nginx does not answer on 127.0.0.1:$port; its log:" >&2
    sed 's/^/  /' "$dir/error.log" >&2
    exit 1
    ;;
*)
    echo "ui.sh: unknown command $cmd" >&2
    exit 2 ;;
esac
